#pragma once
#include <stdint.h>
#include <stddef.h>
#include <string.h>
typedef struct { uint32_t h[8]; uint64_t n; uint8_t b[64]; size_t nb; } crypto_hash_sha256_state;
int sodium_init(void);
void sodium_memzero(void *p, size_t n);
int crypto_hash_sha256_init(crypto_hash_sha256_state *s);
int crypto_hash_sha256_update(crypto_hash_sha256_state *s, const unsigned char *p, unsigned long long n);
int crypto_hash_sha256_final(crypto_hash_sha256_state *s, unsigned char *out);
int crypto_hash_sha256(unsigned char *out, const unsigned char *p, unsigned long long n);
