/*
 * sha256.h - SHA-256 with a hardware path (x86-64 SHA-NI, ARMv8 SHA2)
 * chosen at run time, and libsodium's portable code as the fallback.
 * ALOG_SHA256=sodium in the environment forces the fallback.
 */
#ifndef ALOG_SHA256_H
#define ALOG_SHA256_H

#include <sodium.h>
#include <stddef.h>
#include <stdint.h>

#define ALOG_HASH_LEN 32

struct alog_sha256 {
	union {
		crypto_hash_sha256_state sodium;
		struct {
			uint32_t h[8];
			uint64_t bytes;
			uint8_t buf[64];
			size_t nbuf;
		} hw;
	} u;
};

/* Decide the implementation (idempotent; called implicitly). */
void alog_sha256_setup(void);
/* "sha-ni", "armv8-sha2" or "libsodium". */
const char *alog_sha256_impl(void);

void alog_sha256_init(struct alog_sha256 *c);
void alog_sha256_update(struct alog_sha256 *c, const void *p, size_t n);
void alog_sha256_final(struct alog_sha256 *c, uint8_t out[ALOG_HASH_LEN]);
void alog_sha256(uint8_t out[ALOG_HASH_LEN], const void *p, size_t n);

/* SHA-256(a || b) for two 32-byte values: the chain step. */
void alog_sha256_pair(uint8_t out[32], const uint8_t a[32], const uint8_t b[32]);
/* SHA-256(prefix_byte || a [|| b]): RFC 6962 leaf (0x00) and node (0x01) hashes. */
void alog_sha256_leaf32(uint8_t out[32], const uint8_t d[32]);
void alog_sha256_node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32]);

/*
 * Two hashes at once, interleaved on the SHA-NI path (the same results as
 * two calls otherwise): o1 = SHA-256(a1[0..n1) || s1[0..t1)), o2 likewise;
 * the suffixes are short (t1, t2 at most 56 bytes for the fast path).
 */
void alog_sha256_x2(uint8_t o1[32], const void *a1, size_t n1, const void *s1, size_t t1,
                    uint8_t o2[32], const void *a2, size_t n2, const void *s2, size_t t2);
void alog_sha256_pair_x2(uint8_t o1[32], const uint8_t a1[32], const uint8_t b1[32],
                         uint8_t o2[32], const uint8_t a2[32], const uint8_t b2[32]);
void alog_sha256_leaf32_x2(uint8_t o1[32], const uint8_t d1[32], uint8_t o2[32],
                           const uint8_t d2[32]);
void alog_sha256_node_x2(uint8_t o1[32], const uint8_t l1[32], const uint8_t r1[32],
                         uint8_t o2[32], const uint8_t l2[32], const uint8_t r2[32]);

#endif
