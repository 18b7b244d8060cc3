/*
 * term.c - neutralising terminal control in log text: a fast scan for
 * the bytes that need care, and a rewrite into visible escapes.
 */
#include "base/term.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef unsigned char uchar;

/*
 * Length of the valid UTF-8 sequence at p (1..4) with its code point, or
 * 0 when the bytes there are not UTF-8 (overlong, surrogate, > U+10FFFF,
 * truncated).
 */
static size_t utf8_dec(const uchar *p, const uchar *e, uint32_t *cp)
{
	uchar c = p[0];
	size_t len, i;
	uint32_t v;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xc2 || c > 0xf4)
		return 0;
	len = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if ((size_t)(e - p) < len)
		return 0;
	v = c & (0x7f >> len);
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && (v < 0x800 || (v >= 0xd800 && v <= 0xdfff))) ||
	    (len == 4 && (v < 0x10000 || v > 0x10ffff)))
		return 0;
	*cp = v;
	return len;
}

/* Code points above ASCII that a terminal or a text renderer acts on. */
static int dangerous_cp(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

static int plain_ascii(uchar c, unsigned flags)
{
	if (c >= 0x20 && c < 0x7f)
		return c != '\\' || !(flags & ALOG_TERM_BACKSLASH);
	return (c == '\n' && (flags & ALOG_TERM_KEEP_LF)) || (c == '\t' && (flags & ALOG_TERM_KEEP_TAB));
}

int alog_term_unsafe(const char *in, size_t n, unsigned flags)
{
	const uchar *p = (const uchar *)in, *e = p + n;
	uint32_t cp;

	while (p < e) {
		size_t len;
		if (*p < 0x80) {
			if (!plain_ascii(*p, flags))
				return 1;
			p++;
			continue;
		}
		len = utf8_dec(p, e, &cp);
		if (!len || dangerous_cp(cp))
			return 1;
		p += len;
	}
	return 0;
}

size_t alog_term_clean(char *out, const char *in, size_t n, unsigned flags)
{
	static const char hexd[] = "0123456789abcdef";
	const uchar *p = (const uchar *)in, *e = p + n;
	char *o = out;
	uint32_t cp;

	while (p < e) {
		const uchar *run = p;
		size_t len;

		while (p < e && *p < 0x80 && plain_ascii(*p, flags))
			p++;
		if (p > run) {
			memcpy(o, run, (size_t)(p - run));
			o += p - run;
		}
		if (p == e)
			break;
		if (*p < 0x80) {
			*o++ = '\\';
			switch (*p) {
			case '\n':
				*o++ = 'n';
				break;
			case '\r':
				*o++ = 'r';
				break;
			case '\t':
				*o++ = 't';
				break;
			case '\\':
				*o++ = '\\';
				break;
			default:
				*o++ = 'x';
				*o++ = hexd[*p >> 4];
				*o++ = hexd[*p & 15];
			}
			p++;
			continue;
		}
		len = utf8_dec(p, e, &cp);
		if (!len) {
			*o++ = '\\';
			*o++ = 'x';
			*o++ = hexd[*p >> 4];
			*o++ = hexd[*p & 15];
			p++;
		} else if (dangerous_cp(cp)) {
			*o++ = '\\';
			*o++ = 'u';
			*o++ = hexd[cp >> 12 & 15];
			*o++ = hexd[cp >> 8 & 15];
			*o++ = hexd[cp >> 4 & 15];
			*o++ = hexd[cp & 15];
			p += len;
		} else {
			memcpy(o, p, len);
			o += len;
			p += len;
		}
	}
	return (size_t)(o - out);
}

int alog_term_color_auto(int fd)
{
	const char *t = getenv("TERM"), *nc = getenv("NO_COLOR");

	if (!isatty(fd))
		return 0;
	if (nc && *nc)
		return 0;
	return !t || strcmp(t, "dumb") != 0;
}
