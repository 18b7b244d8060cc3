/*
 * json.c - the strict JSON scanner: one validating, compacting pass for
 * records on their way in, and bounds-checked walkers for records read
 * back.  Neither side allocates; the rules are in json.h.
 */
#include "base/json.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/util.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif
#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ALOG_JSON_X86 1
#endif

typedef unsigned char uchar;

#define ONES 0x0101010101010101ULL
#define HIGHS 0x8080808080808080ULL

static inline int is_digit(uchar c)
{
	return (unsigned)(c - '0') < 10;
}

static inline int is_ws(uchar c)
{
	return c == ' ' || c == '\n' || c == '\r' || c == '\t';
}

static inline const uchar *skip_ws(const uchar *p, const uchar *e)
{
	while (p < e && is_ws(*p))
		p++;
	return p;
}

/* ---- UTF-8 ---- */

enum { U8_BAD_BYTE = 1, U8_OVERLONG, U8_SURROGATE, U8_TOO_BIG, U8_INCOMPLETE };

/*
 * Length of the well-formed sequence starting with the non-ASCII byte *p
 * (RFC 3629 table), or 0 with *why telling what is wrong with it.
 */
static size_t utf8_seq(const uchar *p, const uchar *e, int *why)
{
	uchar c = p[0], lo = 0x80, hi = 0xbf;
	int range_why = 0;
	size_t len, i, avail = (size_t)(e - p);

	if (c < 0xc2) {
		*why = c >= 0xc0 ? U8_OVERLONG : U8_BAD_BYTE;
		return 0;
	}
	if (c < 0xe0) {
		len = 2;
	} else if (c < 0xf0) {
		len = 3;
		if (c == 0xe0)
			lo = 0xa0, range_why = U8_OVERLONG;
		else if (c == 0xed)
			hi = 0x9f, range_why = U8_SURROGATE;
	} else if (c < 0xf5) {
		len = 4;
		if (c == 0xf0)
			lo = 0x90, range_why = U8_OVERLONG;
		else if (c == 0xf4)
			hi = 0x8f, range_why = U8_TOO_BIG;
	} else {
		*why = U8_BAD_BYTE;
		return 0;
	}
	if (avail < 2 || (p[1] & 0xc0) != 0x80) {
		*why = U8_INCOMPLETE;
		return 0;
	}
	if (p[1] < lo || p[1] > hi) {
		*why = range_why;
		return 0;
	}
	for (i = 2; i < len; i++) {
		if (avail <= i || (p[i] & 0xc0) != 0x80) {
			*why = U8_INCOMPLETE;
			return 0;
		}
	}
	return len;
}

static size_t utf8_put(uchar *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (uchar)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (uchar)(0xc0 | cp >> 6);
		o[1] = (uchar)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (uchar)(0xe0 | cp >> 12);
		o[1] = (uchar)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (uchar)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (uchar)(0xf0 | cp >> 18);
	o[1] = (uchar)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (uchar)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (uchar)(0x80 | (cp & 0x3f));
	return 4;
}

size_t alog_utf8_check(const char *in, size_t n)
{
	const uchar *s = (const uchar *)in, *p = s, *e = s + n;
	int why;

	while (p < e) {
#ifdef __SSE2__
		while (e - p >= 16) {
			unsigned m = (unsigned)_mm_movemask_epi8(
				_mm_loadu_si128((const __m128i *)(const void *)p));
			if (m) {
				p += __builtin_ctz(m);
				goto multi;
			}
			p += 16;
		}
#else
		while (e - p >= 8) {
			uint64_t w;
			memcpy(&w, p, 8);
			if (w & HIGHS)
				break;
			p += 8;
		}
#endif
		while (p < e && *p < 0x80)
			p++;
		if (p == e)
			break;
#ifdef __SSE2__
multi:
#endif
		{
			size_t len = utf8_seq(p, e, &why);
			if (!len)
				return (size_t)(p - s);
			p += len;
		}
	}
	return n;
}

/* ---- escapes ---- */

static int hexval(uchar c)
{
	if (is_digit(c))
		return c - '0';
	c |= 0x20;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static long hex4(const uchar *p)
{
	int a = hexval(p[0]), b = hexval(p[1]), c = hexval(p[2]), d = hexval(p[3]);
	if ((a | b | c | d) < 0)
		return -1;
	return (long)a << 12 | b << 8 | c << 4 | d;
}

enum { UE_HEX = -1, UE_NUL = -2, UE_LONE = -3 };

/*
 * Decode the \u escape at p (the backslash), taking the low half along
 * when it is a surrogate pair.  Returns the bytes used (6 or 12) or UE_*.
 */
static int u_escape(const uchar *p, const uchar *e, uint32_t *cp)
{
	long hi, lo;

	if (e - p < 6 || (hi = hex4(p + 2)) < 0)
		return UE_HEX;
	if (hi == 0)
		return UE_NUL;
	if (hi < 0xd800 || hi > 0xdfff) {
		*cp = (uint32_t)hi;
		return 6;
	}
	if (hi >= 0xdc00 || e - p < 12 || p[6] != '\\' || p[7] != 'u')
		return UE_LONE;
	lo = hex4(p + 8);
	if (lo < 0xdc00 || lo > 0xdfff)
		return UE_LONE;
	*cp = 0x10000 + ((uint32_t)(hi - 0xd800) << 10) + (uint32_t)(lo - 0xdc00);
	return 12;
}

/* The byte a one-letter escape stands for, or -1. */
static int simple_escape(uchar c)
{
	switch (c) {
	case '"':
	case '\\':
	case '/':
		return c;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	}
	return -1;
}

/*
 * Byte-at-a-time decoding of raw string contents, for the rare names with
 * escapes: comparing and hashing them needs no buffer this way.
 */
struct dec {
	const uchar *p, *e;
	uchar pend[4];
	unsigned pi, pn;
};

static void dec_init(struct dec *d, const uchar *p, size_t n)
{
	d->p = p;
	d->e = p + n;
	d->pi = d->pn = 0;
}

/* The next decoded byte, -1 at the end, -2 on a bad escape. */
static int dec_byte(struct dec *d)
{
	int c, r;
	uint32_t cp;

	if (d->pi < d->pn)
		return d->pend[d->pi++];
	if (d->p >= d->e)
		return -1;
	if (*d->p != '\\')
		return *d->p++;
	if (d->e - d->p < 2)
		return -2;
	if (d->p[1] == 'u') {
		r = u_escape(d->p, d->e, &cp);
		if (r < 0)
			return -2;
		d->p += r;
		d->pn = (unsigned)utf8_put(d->pend, cp);
		d->pi = 1;
		return d->pend[0];
	}
	c = simple_escape(d->p[1]);
	if (c < 0)
		return -2;
	d->p += 2;
	return c;
}

/* Do two raw names decode to the same bytes? */
static int raw_names_equal(const uchar *a, size_t an, int aesc, const uchar *b, size_t bn,
                           int besc)
{
	struct dec da, db;
	int ca, cb;

	if (!aesc && !besc)
		return an == bn && memcmp(a, b, an) == 0;
	dec_init(&da, a, an);
	dec_init(&db, b, bn);
	do {
		ca = dec_byte(&da);
		cb = dec_byte(&db);
		if (ca != cb || ca == -2)
			return 0;
	} while (ca >= 0);
	return 1;
}

int alog_json_name_eq(struct alog_span raw, const char *s, size_t n)
{
	const uchar *r = (const uchar *)raw.p;
	struct dec d;

	if (raw.n == 0 || !memchr(r, '\\', raw.n))
		return raw.n == n && (n == 0 || memcmp(r, s, n) == 0);
	if (n > raw.n) /* decoding only ever shrinks */
		return 0;
	dec_init(&d, r, raw.n);
	for (size_t i = 0; i < n; i++)
		if (dec_byte(&d) != (uchar)s[i])
			return 0;
	return dec_byte(&d) == -1;
}

long alog_json_unescape(const char *raw, size_t n, char *out, size_t cap)
{
	const uchar *p = (const uchar *)raw, *e = p + n;
	uchar *o = (uchar *)out, *oe = o + cap;

	while (p < e) {
		const uchar *b = memchr(p, '\\', (size_t)(e - p));
		size_t k = (size_t)((b ? b : e) - p);
		int c, r;
		uint32_t cp;

		if (k > (size_t)(oe - o))
			return -1;
		if (k) {
			memcpy(o, p, k);
			o += k;
			p += k;
		}
		if (!b)
			break;
		if (e - p < 2)
			return -1;
		if (p[1] == 'u') {
			r = u_escape(p, e, &cp);
			if (r < 0 || oe - o < 4)
				return -1;
			o += utf8_put(o, cp);
			p += r;
			continue;
		}
		c = simple_escape(p[1]);
		if (c < 0 || o == oe)
			return -1;
		*o++ = (uchar)c;
		p += 2;
	}
	return (long)(o - (uchar *)out);
}

long alog_json_escape(const char *in, size_t n, char *out)
{
	static const char hexd[] = "0123456789abcdef";
	const uchar *p = (const uchar *)in, *e = p + n, *run = p;
	char *o = out;
	int why;

	for (;;) {
#ifdef __SSE2__
		while (e - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			__m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
			                         _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
			m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
			/* signed: catches the controls and every non-ASCII byte */
			m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
			unsigned bits = (unsigned)_mm_movemask_epi8(m);
			if (bits) {
				p += __builtin_ctz(bits);
				break;
			}
			p += 16;
		}
#endif
		while (p < e && *p >= 0x20 && *p < 0x7f && *p != '"' && *p != '\\')
			p++;
		if (run < p) {
			memcpy(o, run, (size_t)(p - run));
			o += p - run;
		}
		if (p == e)
			break;
		uchar c = *p;
		if (c >= 0x80) {
			size_t len = utf8_seq(p, e, &why);
			if (!len)
				return -1;
			memcpy(o, p, len);
			o += len;
			p += len;
		} else if (c == 0) {
			return -1;
		} else {
			*o++ = '\\';
			switch (c) {
			case '"':
			case '\\':
				*o++ = (char)c;
				break;
			case '\b':
				*o++ = 'b';
				break;
			case '\f':
				*o++ = 'f';
				break;
			case '\n':
				*o++ = 'n';
				break;
			case '\r':
				*o++ = 'r';
				break;
			case '\t':
				*o++ = 't';
				break;
			default:
				memcpy(o, "u00", 3);
				o[3] = hexd[c >> 4];
				o[4] = hexd[c & 15];
				o += 5;
			}
			p++;
		}
		run = p;
	}
	return (long)(o - out);
}

/* ---- member name hashing ---- */

/*
 * A word-at-a-time hash of the decoded name bytes; names without escapes
 * (nearly all) are hashed straight from the input, the others byte by byte
 * through the decoder, and both feed the same 8-byte words.
 */
static inline uint64_t hmix(uint64_t h, uint64_t w)
{
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* Words are read little-endian, the tail zero-padded, on any host. */
static inline uint64_t load64(const uchar *p)
{
	uint64_t w;
	memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

/* r < 8 bytes, in fixed-size pieces: a variable memcpy would be a call. */
static inline uint64_t load_tail(const uchar *p, size_t r)
{
	uint64_t w = 0;
	unsigned sh = 0;

	if (r & 4) {
		w = (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 |
		    (uint64_t)p[3] << 24;
		p += 4;
		sh = 32;
	}
	if (r & 2) {
		w |= ((uint64_t)p[0] | (uint64_t)p[1] << 8) << sh;
		p += 2;
		sh += 16;
	}
	if (r & 1)
		w |= (uint64_t)p[0] << sh;
	return w;
}

static inline uint32_t hash_plain(const uchar *p, size_t n)
{
	uint64_t h = 0;
	size_t i = 0;

	for (; i + 8 <= n; i += 8)
		h = hmix(h, load64(p + i));
	if (i < n)
		h = hmix(h, load_tail(p + i, n - i));
	return (uint32_t)(hmix(h, n) >> 32);
}

static uint32_t hash_escaped(const uchar *p, size_t n)
{
	struct dec d;
	uchar buf[8];
	uint64_t h = 0;
	size_t k = 0, total = 0;
	int c;

	dec_init(&d, p, n);
	while ((c = dec_byte(&d)) >= 0) {
		buf[k++] = (uchar)c;
		total++;
		if (k == 8) {
			h = hmix(h, load64(buf));
			k = 0;
		}
	}
	if (k)
		h = hmix(h, load_tail(buf, k));
	return (uint32_t)(hmix(h, total) >> 32);
}

static inline uint32_t hash_name(const uchar *p, size_t n, int esc)
{
	return esc ? hash_escaped(p, n) : hash_plain(p, n);
}

/* ---- skipping ---- */

/*
 * p just past an opening quote; returns the byte after the closing one, or
 * NULL.  *esc is set when the string holds a backslash.
 */
static const uchar *skip_str(const uchar *p, const uchar *e, int *esc)
{
	for (;;) {
#ifdef __SSE2__
		while (e - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			unsigned bits = (unsigned)_mm_movemask_epi8(
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
			                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
			if (bits) {
				p += __builtin_ctz(bits);
				break;
			}
			p += 16;
		}
#else
		while (e - p >= 8) {
			uint64_t w, a, b;
			memcpy(&w, p, 8);
			a = w ^ (ONES * '"');
			b = w ^ (ONES * '\\');
			if ((((a - ONES) & ~a) | ((b - ONES) & ~b)) & HIGHS)
				break;
			p += 8;
		}
#endif
		while (p < e && *p != '"' && *p != '\\')
			p++;
		if (p == e)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (e - p < 2)
			return NULL;
		*esc = 1;
		p += 2;
	}
}

static const uchar *skip_value(const uchar *p, const uchar *e)
{
	uint64_t objbits = 0;
	unsigned depth = 0;
	int esc = 0;
	uchar c;

	p = skip_ws(p, e);
	if (p == e)
		return NULL;
	c = *p;
	if (c == '"')
		return skip_str(p + 1, e, &esc);
	if (c == '-' || is_digit(c)) {
		while (p < e && (is_digit(*p) || *p == '-' || *p == '+' || *p == '.' ||
		                 (*p | 0x20) == 'e'))
			p++;
		return p;
	}
	if (c == 't' || c == 'n') {
		if (e - p < 4 || memcmp(p, c == 't' ? "true" : "null", 4) != 0)
			return NULL;
		return p + 4;
	}
	if (c == 'f') {
		if (e - p < 5 || memcmp(p, "false", 5) != 0)
			return NULL;
		return p + 5;
	}
	if (c != '{' && c != '[')
		return NULL;
	/* a container: match brackets, skip strings, take the rest on trust */
	for (; p < e; p++) {
		c = *p;
		if (c == '"') {
			p = skip_str(p + 1, e, &esc);
			if (!p)
				return NULL;
			p--;
		} else if (c == '{' || c == '[') {
			if (depth == ALOG_JSON_MAX_DEPTH)
				return NULL;
			if (c == '{')
				objbits |= 1ULL << depth;
			else
				objbits &= ~(1ULL << depth);
			depth++;
		} else if (c == '}' || c == ']') {
			if (depth == 0 || (objbits >> (depth - 1) & 1) != (c == '}'))
				return NULL;
			if (--depth == 0)
				return p + 1;
		}
	}
	return NULL;
}

/* ---- the compacting validator ---- */

/*
 * Member names seen in the open objects, innermost last: each object owns
 * the entries from its base up.  Small tables are searched linearly; past
 * DUP_LINEAR entries hash chains take over, newest first, so closing an
 * object unlinks its entries by walking them backwards.  When the table
 * is full, the object is marked and rechecked in blocks when it closes.
 */
#ifndef ALOG_JSON_SMALL_TABLES
#define DUP_MAX 1024
#define DUP_LINEAR 32
#define DEFER_SLOTS 8192
#define DEFER_SPARE 1
#else
/* tiny tables, so that fuzzing reaches the overflow paths with small inputs */
#define DUP_MAX 8
#define DUP_LINEAR 4
#define DEFER_SLOTS 5
#define DEFER_SPARE 0
#endif
#define DUP_BUCKETS (2 * DUP_MAX)
#define DUP_NONE 0xffff

struct dent {
	uint32_t off, len, hash;
	uint16_t next;
	uint8_t esc;
};

struct scan {
	const uchar *in, *e;
	struct alog_json_error *err;
	unsigned top;
	struct dent ent[DUP_MAX];
	uint16_t head[DUP_BUCKETS];
	/* apart from top: compilers fuse the two tests into one wide load */
	int chained;
};

static long fail(struct scan *s, const uchar *at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static long fail(struct scan *s, const uchar *at, const char *fmt, ...)
{
	va_list ap;

	if (!s->err)
		return -1;
	s->err->offset = (size_t)(at - s->in);
	va_start(ap, fmt);
	vsnprintf(s->err->msg, sizeof s->err->msg, fmt, ap);
	va_end(ap);
	return -1;
}

/* "found X" for messages about an unexpected byte. */
static long fail_found(struct scan *s, const uchar *at, const char *what)
{
	uchar c = *at;

	if (c == '\'')
		return fail(s, at, "%s, found a single quote (use double quotes)", what);
	if (c > 0x20 && c < 0x7f)
		return fail(s, at, "%s, found '%c'", what, c);
	return fail(s, at, "%s, found byte 0x%02x", what, c);
}

static long fail_utf8(struct scan *s, const uchar *at, int why)
{
	switch (why) {
	case U8_OVERLONG:
		return fail(s, at, "overlong UTF-8 sequence");
	case U8_SURROGATE:
		return fail(s, at, "UTF-8 encoded surrogate (U+D800..U+DFFF)");
	case U8_TOO_BIG:
		return fail(s, at, "UTF-8 sequence beyond U+10FFFF");
	case U8_INCOMPLETE:
		return fail(s, at, "incomplete UTF-8 sequence");
	}
	return fail(s, at, "invalid UTF-8 byte 0x%02x", *at);
}

static long fail_dup(struct scan *s, const uchar *name, size_t len)
{
	size_t k = len;

	/* quote at most 64 bytes, cut on a character boundary */
	if (k > 64) {
		k = 64;
		while (k && (name[k] & 0xc0) == 0x80)
			k--;
	}
	return fail(s, name - 1, "duplicate member name \"%.*s\"%s", (int)k, (const char *)name,
	            k < len ? "..." : "");
}

/*
 * Scan the string whose opening quote is at p, validating as we go;
 * returns the byte after the closing quote, or NULL with the error set.
 * *esc tells whether the string holds any backslash.
 */
static const uchar *scan_string(struct scan *s, const uchar *p, int *esc)
{
	const uchar *q = p + 1, *e = s->e;
	int why, r;
	uint32_t cp;
	size_t len;

	*esc = 0;
	for (;;) {
#ifdef __SSE2__
		while (e - q >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)q);
			__m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
			                         _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
			/* signed: catches the controls and every non-ASCII byte */
			m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
			unsigned bits = (unsigned)_mm_movemask_epi8(m);
			if (bits) {
				q += __builtin_ctz(bits);
				goto special;
			}
			q += 16;
		}
#else
		while (e - q >= 8) {
			uint64_t w, a, b;
			memcpy(&w, q, 8);
			a = w ^ (ONES * '"');
			b = w ^ (ONES * '\\');
			if ((((w - ONES * 0x20) & ~w) | ((a - ONES) & ~a) | ((b - ONES) & ~b) | w) &
			    HIGHS)
				break;
			q += 8;
		}
#endif
		while (q < e && *q >= 0x20 && *q < 0x80 && *q != '"' && *q != '\\')
			q++;
		if (q == e) {
			fail(s, p, "unterminated string");
			return NULL;
		}
#ifdef __SSE2__
special:
#endif
		if (*q == '"')
			return q + 1;
		if (*q == '\\') {
			*esc = 1;
			if (e - q < 2) {
				fail(s, p, "unterminated string");
				return NULL;
			}
			if (q[1] != 'u') {
				if (simple_escape(q[1]) < 0) {
					if (q[1] > 0x20 && q[1] < 0x7f)
						fail(s, q, "invalid escape \\%c", q[1]);
					else
						fail(s, q, "invalid escape character 0x%02x", q[1]);
					return NULL;
				}
				q += 2;
				continue;
			}
			r = u_escape(q, e, &cp);
			if (r > 0) {
				q += r;
				continue;
			}
			if (r == UE_HEX)
				fail(s, q, "invalid \\u escape (expected 4 hex digits)");
			else if (r == UE_NUL)
				fail(s, q, "\\u0000 is not allowed");
			else
				fail(s, q, "unpaired surrogate \\u%04lx", hex4(q + 2));
			return NULL;
		}
		if (*q < 0x20) {
			fail(s, q, "control character 0x%02x in string (escape it)", *q);
			return NULL;
		}
		len = utf8_seq(q, e, &why);
		if (!len) {
			fail_utf8(s, q, why);
			return NULL;
		}
		q += len;
	}
}

/* ---- the structural pre-pass ---- */

/*
 * Before the grammar walk, one pass over the whole text (simdjson's first
 * stage, reduced to what this validator needs) marks two things per byte,
 * 64 bytes to a word: quotes, and "dirty" bytes - backslashes, controls
 * (< 0x20) and non-ASCII bytes.  A string whose closing candidate (the
 * next quote) comes before the next dirty byte holds only printable ASCII
 * without escapes: it is valid, its end is that quote, and nothing in it
 * needs a look.  Any other string goes through scan_string, byte for byte
 * as before, so every rule and every error message and offset is that of
 * the portable path.  Texts longer than CLS_MAX bytes skip the pre-pass.
 */
#define CLS_WORDS 64
#define CLS_MAX (64 * CLS_WORDS)

struct cls {
	size_t nw;                 /* words filled */
	uint64_t quote[CLS_WORDS]; /* bit i of word w: byte 64w+i is '"' */
	uint64_t dirty[CLS_WORDS]; /* ... is '\\', < 0x20 or >= 0x80 */
};

static int json_impl = -1; /* enum alog_json_impl; -1 until first use */

void alog_json_set_impl(int impl)
{
	__atomic_store_n(&json_impl, impl, __ATOMIC_RELAXED);
}

static int pick_impl(void)
{
	int impl = __atomic_load_n(&json_impl, __ATOMIC_RELAXED);

	if (impl >= 0)
		return impl;
#ifdef ALOG_JSON_X86
	/* (not __builtin_cpu_supports: see alog_cpu_avx2) */
	impl = alog_cpu_avx2() ? ALOG_JSON_AVX2 : ALOG_JSON_SSE2;
#else
	impl = ALOG_JSON_SCALAR;
#endif
	__atomic_store_n(&json_impl, impl, __ATOMIC_RELAXED);
	return impl;
}

/* One 64-byte block at p (all readable): quote and dirty words. */
static inline void cls_block_scalar(const uchar *p, uint64_t *q, uint64_t *d)
{
	uint64_t qw = 0, dw = 0;

	for (unsigned i = 0; i < 64; i++) {
		qw |= (uint64_t)(p[i] == '"') << i;
		dw |= (uint64_t)(p[i] == '\\' || p[i] < 0x20 || p[i] >= 0x80) << i;
	}
	*q = qw;
	*d = dw;
}

#ifdef ALOG_JSON_X86
__attribute__((target("sse2"))) static inline void cls_block_sse2(const uchar *p, uint64_t *q,
                                                                  uint64_t *d)
{
	uint64_t qw = 0, dw = 0;

	for (unsigned k = 0; k < 4; k++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * k));
		__m128i qm = _mm_cmpeq_epi8(v, _mm_set1_epi8('"'));
		/* signed: catches the controls and every non-ASCII byte */
		__m128i dm = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('\\')),
		                          _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
		qw |= (uint64_t)(unsigned)_mm_movemask_epi8(qm) << (16 * k);
		dw |= (uint64_t)(unsigned)_mm_movemask_epi8(dm) << (16 * k);
	}
	*q = qw;
	*d = dw;
}

__attribute__((target("avx2"))) static inline void cls_block_avx2(const uchar *p, uint64_t *q,
                                                                  uint64_t *d)
{
	__m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
	__m256i quo = _mm256_set1_epi8('"'), bs = _mm256_set1_epi8('\\'),
		sp = _mm256_set1_epi8(0x20);
	/* signed: 0x20 > byte catches the controls and every non-ASCII byte */
	__m256i dlo = _mm256_or_si256(_mm256_cmpeq_epi8(lo, bs), _mm256_cmpgt_epi8(sp, lo));
	__m256i dhi = _mm256_or_si256(_mm256_cmpeq_epi8(hi, bs), _mm256_cmpgt_epi8(sp, hi));

	*q = (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, quo)) |
	     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, quo)) << 32;
	*d = (uint64_t)(uint32_t)_mm256_movemask_epi8(dlo) |
	     (uint64_t)(uint32_t)_mm256_movemask_epi8(dhi) << 32;
}
#endif

/*
 * Classify in[0..n), n <= CLS_MAX.  A last partial block is the last 64
 * bytes with the masks shifted down, or for short texts a copy padded with
 * spaces (neither quote nor dirty): no bit is ever set past n.  The generic body
 * is instantiated once per block function, so each is inlined whole.
 */
#define CLS_BODY(block)                                                      \
	do {                                                                 \
		size_t w, full = n / 64, r = n % 64;                         \
		for (w = 0; w < full; w++)                                   \
			block(in + 64 * w, &c->quote[w], &c->dirty[w]);      \
		if (r && full) {                                             \
			/* the last 64 bytes, shifted down: no copy */       \
			block(in + n - 64, &c->quote[w], &c->dirty[w]);      \
			c->quote[w] >>= 64 - r;                              \
			c->dirty[w] >>= 64 - r;                              \
			w++;                                                 \
		} else if (r) {                                              \
			uchar pad[64];                                       \
			memset(pad, ' ', sizeof pad);                        \
			memcpy(pad, in, r);                                  \
			block(pad, &c->quote[w], &c->dirty[w]);              \
			w++;                                                 \
		}                                                            \
		c->nw = w;                                                   \
	} while (0)

static void cls_scalar(const uchar *in, size_t n, struct cls *c)
{
	CLS_BODY(cls_block_scalar);
}

#ifdef ALOG_JSON_X86
__attribute__((target("sse2"))) static void cls_sse2(const uchar *in, size_t n, struct cls *c)
{
	CLS_BODY(cls_block_sse2);
}

__attribute__((target("avx2"))) static void cls_avx2(const uchar *in, size_t n, struct cls *c)
{
	CLS_BODY(cls_block_avx2);
}
#endif

/* Fill c for in[0..n); 0 when the pre-pass does not apply (c unused). */
static int classify(const uchar *in, size_t n, struct cls *c)
{
	if (n > CLS_MAX)
		return 0;
	switch (pick_impl()) {
#ifdef ALOG_JSON_X86
	case ALOG_JSON_AVX2:
		cls_avx2(in, n, c);
		return 1;
	case ALOG_JSON_SSE2:
		cls_sse2(in, n, c);
		return 1;
#endif
	case ALOG_JSON_SCALAR:
		cls_scalar(in, n, c);
		return 1;
	}
	return 0;
}

/*
 * The string whose opening quote is at offset pos, if it is clean: the
 * offset just past its closing quote, else 0 (the caller scans it).
 */
static inline size_t cls_string(const struct cls *c, size_t pos)
{
	size_t i = pos + 1, w = i / 64;
	uint64_t keep, qm, dm;

	if (w >= c->nw)
		return 0;
	keep = ~0ULL << (i % 64);
	qm = c->quote[w] & keep;
	dm = c->dirty[w] & keep;
	for (;;) {
		if (qm) {
			/* clean if no dirty byte comes before the quote */
			uint64_t before = (qm & -qm) - 1;
			return dm & before ? 0 : 64 * w + (size_t)__builtin_ctzll(qm) + 1;
		}
		if (dm || ++w == c->nw)
			return 0;
		qm = c->quote[w];
		dm = c->dirty[w];
	}
}

/*
 * The decimal digits of 2^1024 - 2^970, halfway between DBL_MAX and the
 * next power of two: under round-to-nearest-even, a magnitude reaching it
 * becomes infinity.
 */
static const char dbl_limit[] =
	"1797693134862315807937289714053034150799341327100378269361737789804449682927647"
	"5094664901797758720709633028641669288791094655554785194040263065748867150582068"
	"1908902000708383676273854845817711531764475730270069855571366959622842914819860"
	"834936475292719074168444365510704342711559699508093042880177904174497792";

/* Is the magnitude with significant digits d[0..] (dots skipped) and first digit at 10^308 at least the limit? */
static int reaches_dbl_limit(const uchar *d, const uchar *end)
{
	size_t i = 0, lim = sizeof dbl_limit - 1;

	for (; d < end && i < lim; d++) {
		if (*d == '.')
			continue;
		if (*d != (uchar)dbl_limit[i])
			return *d > (uchar)dbl_limit[i];
		i++;
	}
	for (; i < lim; i++)
		if (dbl_limit[i] != '0')
			return 0;
	return 1;
}

static const uchar *scan_number(struct scan *s, const uchar *p)
{
	const uchar *q = p, *e = s->e, *ip, *ie, *fp = NULL, *fe = NULL, *sig;
	int64_t exp = 0, mag;
	int neg = 0, exp_neg = 0;

	if (*q == '-') {
		neg = 1;
		q++;
	}
	if (q == e || !is_digit(*q)) {
		fail(s, q, "expected a digit after '-'");
		return NULL;
	}
	ip = q;
	if (*q == '0') {
		q++;
		if (q < e && is_digit(*q)) {
			fail(s, ip, "leading zeros are not allowed");
			return NULL;
		}
	} else {
		while (q < e && is_digit(*q))
			q++;
	}
	ie = q;
	if (q < e && *q == '.') {
		q++;
		if (q == e || !is_digit(*q)) {
			fail(s, q, "expected a digit after '.'");
			return NULL;
		}
		fp = q;
		while (q < e && is_digit(*q))
			q++;
		fe = q;
	}
	if (q < e && (*q | 0x20) == 'e') {
		q++;
		if (q < e && (*q == '+' || *q == '-'))
			exp_neg = *q++ == '-';
		if (q == e || !is_digit(*q)) {
			fail(s, q, "expected a digit in the exponent");
			return NULL;
		}
		/* saturate far beyond any digit count, so the sign of mag below holds */
		for (; q < e && is_digit(*q); q++)
			if (exp < 100000000000000LL)
				exp = exp * 10 + (*q - '0');
		if (exp_neg)
			exp = -exp;
	} else if (!fp) {
		/* an integer: compare digit strings with the int64 limits */
		size_t nd = (size_t)(ie - ip);
		if (nd > 19 || (nd == 19 && memcmp(ip, neg ? "9223372036854775808" :
		                                              "9223372036854775807", 19) > 0)) {
			fail(s, p, "integer out of range");
			return NULL;
		}
		return q;
	}
	/* the power of ten of the leading significant digit decides, bar one decade */
	if (*ip != '0') {
		sig = ip;
		mag = (int64_t)(ie - ip) - 1 + exp;
	} else {
		for (sig = fp; sig && sig < fe && *sig == '0'; sig++)
			;
		if (!sig || sig == fe)
			return q; /* zero */
		mag = -(int64_t)(sig - fp) - 1 + exp;
	}
	if (mag > 308 || (mag == 308 && reaches_dbl_limit(sig, fe ? fe : ie))) {
		fail(s, p, "number overflows a double");
		return NULL;
	}
	return q;
}

static long check_literal(struct scan *s, const uchar *p, const char *lit, size_t n)
{
	if ((size_t)(s->e - p) >= n && memcmp(p, lit, n) == 0)
		return (long)n;
	return fail(s, p, "invalid literal, expected '%s'", lit);
}

static int dup_find(struct scan *s, unsigned base, const uchar *name, size_t len, int esc,
                    uint32_t h)
{
	struct dent *d;
	unsigned i;

	if (!s->chained) {
		for (i = base; i < s->top; i++) {
			d = &s->ent[i];
			if (d->hash == h &&
			    raw_names_equal(s->in + d->off, d->len, d->esc, name, len, esc))
				return 1;
		}
		return 0;
	}
	for (i = s->head[h & (DUP_BUCKETS - 1)]; i != DUP_NONE && i >= base; i = d->next) {
		d = &s->ent[i];
		if (d->hash == h && raw_names_equal(s->in + d->off, d->len, d->esc, name, len, esc))
			return 1;
	}
	return 0;
}

static void dup_chain_all(struct scan *s)
{
	memset(s->head, 0xff, sizeof s->head);
	for (unsigned i = 0; i < s->top; i++) {
		uint16_t *h = &s->head[s->ent[i].hash & (DUP_BUCKETS - 1)];
		s->ent[i].next = *h;
		*h = (uint16_t)i;
	}
	s->chained = 1;
}

/*
 * Record a member name of the innermost object; 0, 1 when the table is
 * full, -1 duplicate.  *seen is the object's one-word Bloom filter of the
 * hashes added so far (6 bits of each): a name whose bit is clear has no
 * entry with its hash, so the search is skipped - nearly always, as
 * duplicates are rare.
 */
static int dup_add(struct scan *s, unsigned base, uint64_t *seen, const uchar *name, size_t len,
                   int esc)
{
	uint32_t h = hash_name(name, len, esc);
	uint64_t bit = 1ULL << (h >> 26);
	struct dent *d;

	if (*seen & bit && dup_find(s, base, name, len, esc, h))
		return -1;
	*seen |= bit;
	if (s->top == DUP_MAX)
		return 1;
	d = &s->ent[s->top];
	d->off = (uint32_t)(name - s->in);
	d->len = (uint32_t)len;
	d->hash = h;
	d->esc = (uint8_t)esc;
	if (s->chained) {
		uint16_t *hp = &s->head[h & (DUP_BUCKETS - 1)];
		d->next = *hp;
		*hp = (uint16_t)s->top;
	}
	s->top++;
	if (!s->chained && s->top == DUP_LINEAR)
		dup_chain_all(s);
	return 0;
}

static void dup_pop(struct scan *s, unsigned base)
{
	if (s->chained) {
		while (s->top > base) {
			struct dent *d = &s->ent[--s->top];
			s->head[d->hash & (DUP_BUCKETS - 1)] = d->next;
		}
	}
	s->top = base;
}

/*
 * The whole-object check for an object that outgrew the table: put as many
 * names as fit into an open-addressed table and probe every later name
 * against them, block after block, so the cost is the object size times
 * members / block size.  The table is on the stack, or in the unwritten
 * tail of the output buffer when that is larger (always, for input that
 * was compact already).  A slot holds the name's offset (never 0, so 0
 * marks a free slot) and its hash; the length is found again only when
 * hashes match.
 */
static __attribute__((noinline)) long dup_check_object(struct scan *s, const uchar *obj,
                                                        uchar *spare, size_t nspare)
{
	uchar local[DEFER_SLOTS * 8];
	uchar *tab = local;
	size_t nslots = DEFER_SLOTS, k;
	const uchar *e = s->e, *p = obj, *resume, *name, *q;
	uint32_t h, i, slot[2];
	int esc, oesc;

	if (DEFER_SPARE && nspare / 8 > nslots) {
		nslots = nspare / 8;
		tab = spare;
	}
	for (;;) {
		memset(tab, 0, nslots * 8);
		k = 0;
		resume = NULL;
		/* p is at the '{' or the ',' before the first name of this block */
		while (*p != '}') {
			const uchar *at = p;
			p = skip_ws(p + 1, e);
			name = p + 1;
			esc = 0;
			p = skip_str(name, e, &esc);
			h = hash_name(name, (size_t)(p - 1 - name), esc);
			for (i = (uint32_t)((uint64_t)h * nslots >> 32);;
			     i = i + 1 == nslots ? 0 : i + 1) {
				memcpy(slot, tab + 8 * i, 8);
				if (!slot[0])
					break;
				if (slot[1] != h)
					continue;
				oesc = 0;
				q = skip_str(s->in + slot[0], e, &oesc);
				if (raw_names_equal(s->in + slot[0], (size_t)(q - 1 - s->in - slot[0]),
				                    oesc, name, (size_t)(p - 1 - name), esc))
					return fail_dup(s, name, (size_t)(p - 1 - name));
			}
			if (3 * k < 2 * nslots) {
				slot[0] = (uint32_t)(name - s->in);
				slot[1] = h;
				memcpy(tab + 8 * i, slot, 8);
				k++;
			} else if (!resume) {
				resume = at;
			}
			p = skip_ws(p, e) + 1; /* the colon */
			p = skip_ws(skip_value(p, e), e);
		}
		if (!resume)
			return 0;
		p = resume;
	}
}

/* Whitespace ends the run of bytes copied verbatim: flush it, skip, restart. */
#define SKIP_WS()                                                 \
	do {                                                      \
		if (p < e && *p <= ' ') {                         \
			memcpy(o, run, (size_t)(p - run));        \
			o += p - run;                             \
			p = skip_ws(p, e);                        \
			run = p;                                  \
		}                                                 \
	} while (0)

/*
 * The validator and compactor; top_name, when given, sees each member name
 * of the top-level object as it is read (the same pass: no second walk).
 */
static inline long compact(const char *in, size_t n, char *out, int want_object,
                           struct alog_json_error *err, alog_json_name_fn top_name, void *ctx,
                           size_t top_max)
{
	struct scan s;
	const uchar *p, *e, *run, *q;
	char *o = out;
	uint64_t objbits = 0;  /* bit d set: level d is an object */
	unsigned depth = 0;    /* open containers */
	unsigned base[ALOG_JSON_MAX_DEPTH];
	uint32_t start[ALOG_JSON_MAX_DEPTH];
	uint64_t seen[ALOG_JSON_MAX_DEPTH];
	uint64_t overflowed = 0;
	int esc, r, fast;
	long lit;
	size_t end;
	struct cls cls;

	s.in = (const uchar *)in;
	s.e = e = s.in + n;
	s.err = err;
	s.top = 0;
	s.chained = 0;
	p = run = s.in;
	if ((uint64_t)n > UINT32_MAX)
		return fail(&s, p, "JSON text larger than 4 GiB");
	fast = pick_impl() != ALOG_JSON_PORTABLE && classify(s.in, n, &cls);

	SKIP_WS();
	if (p < e && want_object && *p != '{')
		return fail(&s, p, "expected a JSON object");
value:
	if (p == e)
		return fail(&s, p, "unexpected end of input");
	switch (*p) {
	case '{':
		if (depth == ALOG_JSON_MAX_DEPTH)
			return fail(&s, p, "nesting deeper than %d levels", ALOG_JSON_MAX_DEPTH);
		objbits |= 1ULL << depth;
		overflowed &= ~(1ULL << depth);
		base[depth] = s.top;
		start[depth] = (uint32_t)(p - s.in);
		seen[depth] = 0;
		depth++;
		p++;
		SKIP_WS();
		if (p < e && *p == '}') {
			depth--;
			p++;
			goto after;
		}
		goto name;
	case '[':
		if (depth == ALOG_JSON_MAX_DEPTH)
			return fail(&s, p, "nesting deeper than %d levels", ALOG_JSON_MAX_DEPTH);
		objbits &= ~(1ULL << depth);
		depth++;
		p++;
		SKIP_WS();
		if (p < e && *p == ']') {
			depth--;
			p++;
			goto after;
		}
		goto value;
	case '"':
		if (fast && (end = cls_string(&cls, (size_t)(p - s.in))) != 0) {
			p = s.in + end;
			goto after;
		}
		p = scan_string(&s, p, &esc);
		if (!p)
			return -1;
		goto after;
	case 't':
		lit = check_literal(&s, p, "true", 4);
		break;
	case 'f':
		lit = check_literal(&s, p, "false", 5);
		break;
	case 'n':
		lit = check_literal(&s, p, "null", 4);
		break;
	default:
		if (*p == '-' || is_digit(*p)) {
			p = scan_number(&s, p);
			if (!p)
				return -1;
			goto after;
		}
		return fail_found(&s, p, "expected a value");
	}
	if (lit < 0)
		return -1;
	p += lit;
after:
	if (depth == 0)
		goto done;
	SKIP_WS();
	if (p == e)
		return fail(&s, p, "unexpected end of input");
	if (objbits >> (depth - 1) & 1) {
		if (*p == ',') {
			q = p++;
			SKIP_WS();
			if (p < e && *p == '}')
				return fail(&s, q, "trailing comma before '}'");
			goto name;
		}
		if (*p != '}')
			return fail(&s, p, "expected ',' or '}' after member value");
		p++;
		depth--;
		if (overflowed >> depth & 1 &&
		    dup_check_object(&s, s.in + start[depth], (uchar *)o, (size_t)(out + n - o)) < 0)
			return -1;
		dup_pop(&s, base[depth]);
		goto after;
	}
	if (*p == ',') {
		q = p++;
		SKIP_WS();
		if (p < e && *p == ']')
			return fail(&s, q, "trailing comma before ']'");
		goto value;
	}
	if (*p != ']')
		return fail(&s, p, "expected ',' or ']' after array element");
	p++;
	depth--;
	goto after;
name:
	if (p == e)
		return fail(&s, p, "unexpected end of input");
	if (*p != '"')
		return fail_found(&s, p, "expected a member name in double quotes");
	q = p;
	if (fast && (end = cls_string(&cls, (size_t)(p - s.in))) != 0) {
		p = s.in + end;
		esc = 0;
	} else {
		p = scan_string(&s, p, &esc);
		if (!p)
			return -1;
	}
	if (depth == 1 && top_name && ((size_t)(p - q - 2) <= top_max || esc) &&
	    top_name(ctx, (const char *)q + 1, (size_t)(p - q - 2), esc))
		return fail(&s, q, "member name refused");
	r = dup_add(&s, base[depth - 1], &seen[depth - 1], q + 1, (size_t)(p - q - 2), esc);
	if (r < 0)
		return fail_dup(&s, q + 1, (size_t)(p - q - 2));
	if (r > 0)
		overflowed |= 1ULL << (depth - 1);
	SKIP_WS();
	if (p == e)
		return fail(&s, p, "unexpected end of input");
	if (*p != ':')
		return fail(&s, p, "expected ':' after member name");
	p++;
	SKIP_WS();
	goto value;
done:
	memcpy(o, run, (size_t)(p - run));
	o += p - run;
	p = skip_ws(p, e);
	if (p != e)
		return fail(&s, p, "trailing characters after the JSON value");
	return (long)(o - out);
}

long alog_json_compact(const char *in, size_t n, char *out, int want_object,
                       struct alog_json_error *err)
{
	return compact(in, n, out, want_object, err, NULL, NULL, 0);
}

long alog_json_compact_top(const char *in, size_t n, char *out, struct alog_json_error *err,
                           alog_json_name_fn top_name, void *ctx, size_t top_max)
{
	return compact(in, n, out, 1, err, top_name, ctx, top_max);
}

/* ---- walkers ---- */

const char *alog_json_skip(const char *p, const char *end)
{
	return (const char *)skip_value((const uchar *)p, (const uchar *)end);
}

enum alog_json_type alog_json_type(const char *p, size_t n)
{
	if (n == 0)
		return ALOG_JSON_INVALID;
	switch (*p) {
	case '{':
		return ALOG_JSON_OBJECT;
	case '[':
		return ALOG_JSON_ARRAY;
	case '"':
		return ALOG_JSON_STRING;
	case 't':
		return n >= 4 && memcmp(p, "true", 4) == 0 ? ALOG_JSON_TRUE : ALOG_JSON_INVALID;
	case 'f':
		return n >= 5 && memcmp(p, "false", 5) == 0 ? ALOG_JSON_FALSE : ALOG_JSON_INVALID;
	case 'n':
		return n >= 4 && memcmp(p, "null", 4) == 0 ? ALOG_JSON_NULL : ALOG_JSON_INVALID;
	}
	if (*p == '-' || is_digit((uchar)*p))
		return ALOG_JSON_NUMBER;
	return ALOG_JSON_INVALID;
}

int alog_json_iter_init(struct alog_json_iter *it, const char *obj, size_t n)
{
	const uchar *e = (const uchar *)obj + n;
	const uchar *p = skip_ws((const uchar *)obj, e);

	it->end = (const char *)e;
	if (p == e || *p != '{') {
		it->p = (const char *)p;
		it->state = 3;
		return -1;
	}
	it->p = (const char *)p + 1;
	it->state = 0;
	return 0;
}

int alog_json_iter_next(struct alog_json_iter *it, struct alog_span *name,
                        struct alog_span *value)
{
	const uchar *e = (const uchar *)it->end, *p, *q;
	int esc = 0;

	if (it->state >= 2)
		return it->state == 2 ? 0 : -1;
	p = skip_ws((const uchar *)it->p, e);
	if (p == e)
		goto bad;
	if (*p == '}')
		goto close;
	if (it->state == 1) {
		if (*p != ',')
			goto bad;
		p = skip_ws(p + 1, e);
	}
	if (p == e || *p != '"')
		goto bad;
	q = skip_str(p + 1, e, &esc);
	if (!q)
		goto bad;
	name->p = (const char *)p + 1;
	name->n = (size_t)(q - p - 2);
	p = skip_ws(q, e);
	if (p == e || *p != ':')
		goto bad;
	p = skip_ws(p + 1, e);
	q = skip_value(p, e);
	if (!q)
		goto bad;
	value->p = (const char *)p;
	value->n = (size_t)(q - p);
	it->p = (const char *)q;
	it->state = 1;
	return 1;
close:
	if (skip_ws(p + 1, e) != e)
		goto bad;
	it->p = (const char *)e;
	it->state = 2;
	return 0;
bad:
	it->state = 3;
	return -1;
}

int alog_json_lookup(const char *obj, size_t n, const char *const *path, size_t depth,
                     struct alog_span *value)
{
	struct alog_span cur = { obj, n }, nm, v;

	for (size_t i = 0; i < depth; i++) {
		struct alog_json_iter it;
		size_t len = strlen(path[i]);
		int r;

		if (alog_json_iter_init(&it, cur.p, cur.n) < 0)
			return -1;
		while ((r = alog_json_iter_next(&it, &nm, &v)) == 1)
			if (alog_json_name_eq(nm, path[i], len))
				break;
		if (r <= 0)
			return r;
		if (i + 1 < depth && alog_json_type(v.p, v.n) != ALOG_JSON_OBJECT)
			return 0;
		cur = v;
	}
	if (depth == 0) {
		const char *p = (const char *)skip_ws((const uchar *)obj, (const uchar *)obj + n);
		const char *q = alog_json_skip(p, obj + n);
		if (!q || *p != '{')
			return -1;
		cur.p = p;
		cur.n = (size_t)(q - p);
	}
	*value = cur;
	return 1;
}
