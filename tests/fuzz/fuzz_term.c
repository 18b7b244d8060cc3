/*
 * fuzz_term.c - libFuzzer target for terminal sanitising: whatever the
 * bytes, the output is valid UTF-8 with no C0 control but the LF and TAB
 * the flags keep, no DEL, no C1 control, no bidi control or line
 * separator; it fits ALOG_TERM_MAX; with backslashes escaped it decodes
 * back to the input.  The same input as a record's members goes through
 * the pretty and fields renderers, whose output must be just as safe.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *   -DALOG_VERSION='"fuzz"' -Icommon tests/fuzz/fuzz_term.c $(find common -name '*.c') \
 *   -lsodium -ljansson -lm -pthread -o /tmp/fuzz_term
 */
#include "base/term.h"
#include "format/record.h"
#include "grep/query.h"
#include "grep/render.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_safe(const char *s, size_t n, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	while (p < e) {
		uint32_t cp;
		size_t len;
		if (*p < 0x80) {
			if (*p == 0x7f)
				abort();
			if (*p < 0x20 && !((*p == '\n' && (flags & ALOG_TERM_KEEP_LF)) ||
			                   (*p == '\t' && (flags & ALOG_TERM_KEEP_TAB))))
				abort();
			p++;
			continue;
		}
		if (*p < 0xc2 || *p > 0xf4)
			abort();
		len = *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
		if ((size_t)(e - p) < len)
			abort();
		cp = *p & (0x7f >> len);
		for (size_t i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				abort();
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			abort();
		if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			abort();
		p += len;
	}
}

static int hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decode \n \r \t \\ \xHH \uHHHH; the length, or -1. */
static long unclean(const char *s, size_t n, char *o)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		uint32_t cp = 0;
		if (s[i] != '\\') {
			o[k++] = s[i];
			continue;
		}
		if (++i == n)
			return -1;
		switch (s[i]) {
		case 'n': o[k++] = '\n'; break;
		case 'r': o[k++] = '\r'; break;
		case 't': o[k++] = '\t'; break;
		case '\\': o[k++] = '\\'; break;
		case 'x':
			if (i + 2 >= n || hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0)
				return -1;
			o[k++] = (char)(hexv(s[i + 1]) << 4 | hexv(s[i + 2]));
			i += 2;
			break;
		case 'u':
			if (i + 4 >= n)
				return -1;
			for (int j = 1; j <= 4; j++) {
				if (hexv(s[i + j]) < 0)
					return -1;
				cp = cp << 4 | (uint32_t)hexv(s[i + j]);
			}
			i += 4;
			if (cp < 0x800) {
				o[k++] = (char)(0xc0 | cp >> 6);
				o[k++] = (char)(0x80 | (cp & 0x3f));
			} else {
				o[k++] = (char)(0xe0 | cp >> 12);
				o[k++] = (char)(0x80 | (cp >> 6 & 0x3f));
				o[k++] = (char)(0x80 | (cp & 0x3f));
			}
			break;
		default:
			return -1;
		}
	}
	return (long)k;
}

static void render(const char *in, size_t n)
{
	static const char head[] = "{\"seq\":3,\"ts\":\"2026-11-28T02:03:04.123456789Z\",";
	static const char tail[] =
		",\"hash\":\"0000000000000000000000000000000000000000000000000000000000000000\"}\n";
	static struct alog_fields f;
	static struct alog_query *q;
	struct alog_buf b = {0}, tmp = {0};
	struct alog_error e;
	struct alog_rec r;
	size_t len = sizeof head - 1 + n + sizeof tail - 1, tabs = 0;
	char *line = malloc(len);

	if (!q) {
		size_t at, al;
		q = alog_query_new();
		if (alog_query_add(q, "msg? actor?", &at, &al, &e) != 0 ||
		    alog_fields_parse(&f, "ts,actor,msg,a.b,hash", &e) != 0)
			abort();
	}
	memcpy(line, head, sizeof head - 1);
	memcpy(line + sizeof head - 1, in, n);
	memcpy(line + sizeof head - 1 + n, tail, sizeof tail - 1);
	if (alog_rec_parse(&r, line, len, &e) == 0) {
		alog_query_match(q, line, len - 1);
		alog_render_pretty(&b, &tmp, &r, q, 0);
		check_safe(b.p, b.n, 0);
		b.n = 0;
		alog_render_fields(&b, &tmp, &r, &f);
		check_safe(b.p, b.n, ALOG_TERM_KEEP_TAB);
		for (size_t i = 0; i < b.n; i++)
			tabs += b.p[i] == '\t';
		if (tabs != f.n - 1)
			abort();
	}
	alog_buf_free(&b);
	alog_buf_free(&tmp);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	unsigned flags;
	char *out, *back;
	size_t n;

	if (size == 0)
		return 0;
	flags = data[0] & 7;
	in++;
	size--;
	out = malloc(ALOG_TERM_MAX(size) + 1);
	n = alog_term_clean(out, in, size, flags);
	if (n > ALOG_TERM_MAX(size))
		abort();
	check_safe(out, n, flags);
	if ((n == size && memcmp(out, in, size) == 0) == alog_term_unsafe(in, size, flags))
		abort();
	if (flags == ALOG_TERM_BACKSLASH) {
		back = malloc(n + 1);
		if (unclean(out, n, back) != (long)size || memcmp(back, in, size) != 0)
			abort();
		free(back);
	}
	free(out);
	render(in, size);
	return 0;
}
