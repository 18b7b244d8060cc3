/*
 * enc.h - hex and base64 (standard alphabet, padded: as in C2SP notes and
 * checkpoints).  Thin, strict wrappers over libsodium's codecs.
 */
#ifndef ALOG_ENC_H
#define ALOG_ENC_H

#include <stddef.h>
#include <stdint.h>

/* Length of the base64 text for n bytes, without the NUL. */
#define ALOG_B64_LEN(n) ((((n) + 2) / 3) * 4)

/* Lowercase hex; out must hold 2n+1 bytes.  Returns out. */
char *alog_hex(char *out, const uint8_t *in, size_t n);
/* Decode exactly n bytes from 2n lowercase hex digits; 0 or -1. */
int alog_unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen);
/* Is s[0..n) lowercase hex? */
int alog_is_lowerhex(const char *s, size_t n);

/* Padded base64; out must hold ALOG_B64_LEN(n)+1 bytes.  Returns out. */
char *alog_b64(char *out, const uint8_t *in, size_t n);
/*
 * Decode padded base64 text (no whitespace, canonical) into out (at most
 * cap bytes); returns the number of bytes, or -1.
 */
long alog_unb64(uint8_t *out, size_t cap, const char *b64, size_t b64len);

#endif
