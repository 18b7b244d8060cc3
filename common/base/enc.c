/*
 * enc.c - hex and base64 codecs.
 */
#include "base/enc.h"

#include <sodium.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

#ifdef __SSE2__
/*
 * 16 hex digits to 8 bytes' values with SSE2 (every x86-64): each byte is a digit
 * or a lowercase a-f, or the call fails; the values are then paired into
 * bytes by 16-bit shifts.  Returns the lanes that are not hex digits.
 */
static int unhex16(const char *hex, __m128i *pair)
{
	__m128i c = _mm_loadu_si128((const __m128i *)hex);
	__m128i dig = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('0' - 1)),
	                            _mm_cmplt_epi8(c, _mm_set1_epi8('9' + 1)));
	__m128i low = _mm_and_si128(_mm_cmpgt_epi8(c, _mm_set1_epi8('a' - 1)),
	                            _mm_cmplt_epi8(c, _mm_set1_epi8('f' + 1)));
	__m128i v = _mm_or_si128(_mm_and_si128(dig, _mm_sub_epi8(c, _mm_set1_epi8('0'))),
	                         _mm_and_si128(low, _mm_sub_epi8(c, _mm_set1_epi8('a' - 10))));
	/* 16-bit lane: first digit in the low byte, second in the high one */
	*pair = _mm_or_si128(_mm_slli_epi16(_mm_and_si128(v, _mm_set1_epi16(0x00ff)), 4),
	                     _mm_srli_epi16(v, 8));
	return _mm_movemask_epi8(_mm_or_si128(dig, low)) ^ 0xffff;
}
#endif

int alog_unhex(uint8_t *out, size_t n, const char *hex, size_t hexlen)
{
	int bad = 0;
	if (hexlen != 2 * n)
		return -1;
#ifdef __SSE2__
	/* 32 digits at a time into 16 bytes */
	for (; n >= 16; n -= 16, out += 16, hex += 32) {
		__m128i a, b;
		bad |= unhex16(hex, &a) | unhex16(hex + 16, &b);
		_mm_storeu_si128((__m128i *)out, _mm_packus_epi16(a, b));
	}
	bad = bad ? -1 : 0;
#endif
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
