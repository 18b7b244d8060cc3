/*
 * enc.c - hex and base64 codecs.
 */
#include "base/enc.h"

#include <sodium.h>
#include <string.h>

/* Each byte's two lowercase hex digits. */
static const char hex_pairs[513] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

char *alog_hex(char *out, const uint8_t *in, size_t n)
{
	/* a chain hash per record: two digits per step */
	for (size_t i = 0; i < n; i++)
		memcpy(out + 2 * i, hex_pairs + 2 * in[i], 2);
	out[2 * n] = '\0';
	return out;
}

/* -1 for bytes that are not lowercase hex digits: a table, so no branch per digit. */
static const signed char hexval[256] = {
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, 10, 11, 12, 13, 14, 15, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
	-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
};

int alog_is_lowerhex(const char *s, size_t n)
{
	int bad = 0;
	for (size_t i = 0; i < n; i++)
		bad |= hexval[(unsigned char)s[i]];
	return bad >= 0;
}

int alog_unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen)
{
	int bad = 0;
	if (hexlen != 2 * n)
		return -1;
	/* Decode everything, then check once: no branch per digit. */
	for (size_t i = 0; i < n; i++) {
		int hi = hexval[(unsigned char)hex[2 * i]], lo = hexval[(unsigned char)hex[2 * i + 1]];
		bad |= hi | lo;
		out[i] = (uint8_t)((unsigned)(hi & 15) << 4 | (unsigned)(lo & 15));
	}
	return bad < 0 ? -1 : 0;
}

char *alog_b64(char *out, const uint8_t *in, size_t n)
{
	sodium_bin2base64(out, ALOG_B64_LEN(n) + 1, in, n, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

long alog_unb64(uint8_t *out, size_t cap, const char *b64, size_t b64len)
{
	size_t got = 0;
	const char *end = NULL;
	char check[ALOG_B64_LEN(1024) + 1];

	if (b64len == 0 || b64len % 4 != 0)
		return b64len == 0 ? 0 : -1;
	if (sodium_base642bin(out, cap, b64, b64len, NULL, &got, &end,
	                      sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != b64 + b64len)
		return -1;
	/* Canonical only: re-encoding must give the same text (no stray bits). */
	if (got <= 1024) {
		alog_b64(check, out, got);
		if (strlen(check) != b64len || memcmp(check, b64, b64len) != 0)
			return -1;
	}
	return (long)got;
}
