/*
 * test_term.c - terminal sanitising: every kind of control is turned into
 * visible text, valid text passes unchanged, the output is always safe
 * (checked on random bytes), and with backslashes escaped the rewrite can
 * be undone; the pretty and fields forms of hostile records stay safe.
 * Usage: test_term [iterations [seed]]
 */
#include "base/term.h"
#include "format/record.h"
#include "grep/render.h"
#include "t.h"
#include "tutil.h"

#include <stdint.h>
#include <stdlib.h>
#include <time.h>


static char out[4096];

static const char *clean(const char *s, unsigned flags)
{
	size_t n = alog_term_clean(out, s, strlen(s), flags);
	out[n] = '\0';
	return out;
}

/*
 * Is s[0..n) safe for a terminal: valid UTF-8, no C0 but the kept LF and
 * TAB, no DEL, no C1, no bidi controls or line separators?  Shared with
 * tests/fuzz/fuzz_term.c in spirit: the same rules.
 */
static int safe(const char *s, size_t n, unsigned flags)
{
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	while (p < e) {
		uint32_t cp;
		size_t len;
		if (*p < 0x80) {
			if ((*p < 0x20 && !((*p == '\n' && (flags & ALOG_TERM_KEEP_LF)) ||
			                    (*p == '\t' && (flags & ALOG_TERM_KEEP_TAB)))) ||
			    *p == 0x7f)
				return 0;
			p++;
			continue;
		}
		if (*p < 0xc2 || *p > 0xf4)
			return 0;
		len = *p < 0xe0 ? 2 : *p < 0xf0 ? 3 : 4;
		if ((size_t)(e - p) < len)
			return 0;
		cp = *p & (0x7f >> len);
		for (size_t i = 1; i < len; i++) {
			if ((p[i] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (p[i] & 0x3f);
		}
		if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp < 0xe000))) ||
		    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
		    (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
			return 0;
		p += len;
	}
	return 1;
}

static int hexv(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Undo alog_term_clean with ALOG_TERM_BACKSLASH; the length, or -1. */
static long unclean(const char *s, size_t n, char *o)
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '\\') {
			o[k++] = s[i];
			continue;
		}
		if (++i == n)
			return -1;
		switch (s[i]) {
		case 'n':
			o[k++] = '\n';
			break;
		case 'r':
			o[k++] = '\r';
			break;
		case 't':
			o[k++] = '\t';
			break;
		case '\\':
			o[k++] = '\\';
			break;
		case 'x':
			if (i + 2 >= n || hexv(s[i + 1]) < 0 || hexv(s[i + 2]) < 0)
				return -1;
			o[k++] = (char)(hexv(s[i + 1]) << 4 | hexv(s[i + 2]));
			i += 2;
			break;
		case 'u': {
			uint32_t cp = 0;
			if (i + 4 >= n)
				return -1;
			for (int j = 1; j <= 4; j++)
				cp = cp << 4 | (uint32_t)hexv(s[i + j]);
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
		}
		default:
			return -1;
		}
	}
	return (long)k;
}

static void test_cases(void)
{
	CHECK_STR(clean("plain text, café 😀 日本", 0), "plain text, café 😀 日本");
	CHECK_STR(clean("\x1b[2J\x1b]0;pwned\x07", 0), "\\x1b[2J\\x1b]0;pwned\\x07");
	CHECK_STR(clean("a\nb\tc\rd", 0), "a\\nb\\tc\\rd");
	CHECK_STR(clean("a\nb\tc\rd", ALOG_TERM_KEEP_LF | ALOG_TERM_KEEP_TAB), "a\nb\tc\\rd");
	CHECK_STR(clean("del\x7f nul", 0), "del\\x7f nul");
	CHECK_STR(clean("\xc2\x9b" "31m csi", 0), "\\u009b31m csi");
	CHECK_STR(clean("\xc2\x85 nel \xc2\x80 \xc2\x9f", 0), "\\u0085 nel \\u0080 \\u009f");
	CHECK_STR(clean("\xc2\xa0 nbsp stays", 0), "\xc2\xa0 nbsp stays");
	CHECK_STR(clean("x\xe2\x80\xae" "gnp.exe", 0), "x\\u202egnp.exe");
	CHECK_STR(clean("\xe2\x81\xa6\xe2\x81\xa9\xe2\x80\x8e\xe2\x80\x8f\xd8\x9c", 0),
	          "\\u2066\\u2069\\u200e\\u200f\\u061c");
	CHECK_STR(clean("line\xe2\x80\xa8sep\xe2\x80\xa9", 0), "line\\u2028sep\\u2029");
	CHECK_STR(clean("bad \xff \xc0\x80 \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82", 0),
	          "bad \\xff \\xc0\\x80 \\xed\\xa0\\x80 \\xf4\\x90\\x80\\x80 \\xe2\\x82");
	CHECK_STR(clean("a\\b", 0), "a\\b");
	CHECK_STR(clean("a\\b", ALOG_TERM_BACKSLASH), "a\\\\b");
	{
		/* a NUL is a control like any other */
		size_t n = alog_term_clean(out, "a\0b", 3, 0);
		CHECK(n == 6 && memcmp(out, "a\\x00b", 6) == 0);
	}
	CHECK(!alog_term_unsafe("café 😀", strlen("café 😀"), 0));
	CHECK(alog_term_unsafe("\x1b", 1, 0));
	CHECK(alog_term_unsafe("\n", 1, 0));
	CHECK(!alog_term_unsafe("\n", 1, ALOG_TERM_KEEP_LF));
	CHECK(alog_term_unsafe("\\", 1, ALOG_TERM_BACKSLASH));
	CHECK(alog_term_unsafe("\xe2\x80\xae", 3, 0));
}

static void test_random(unsigned iterations)
{
	static const char *const pieces[] = {"\x1b", "\xc2\x9b", "\xe2\x80\xae", "\xe2\x81\xa6",
	                                     "\\", "\n", "\t", "\r", "\x7f", "\xff", "é", "😀",
	                                     "a", "[2J", "\xed\xa0\x80", "\xf0\x9f", "\xc2"};
	char in[512], back[512];

	for (unsigned it = 0; it < iterations; it++) {
		size_t n = 0, on;
		unsigned flags = (unsigned)(rnd() % 8);
		while (n < 200) {
			if (rnd() % 3) {
				const char *p = pieces[rnd() % ALOG_ARRAY_LEN(pieces)];
				memcpy(in + n, p, strlen(p));
				n += strlen(p);
			} else {
				in[n++] = (char)(rnd() & 0xff);
			}
		}
		on = alog_term_clean(out, in, n, flags);
		CHECK(on <= ALOG_TERM_MAX(n));
		CHECK(safe(out, on, flags));
		CHECK(alog_term_unsafe(in, n, flags) == !(on == n && memcmp(in, out, n) == 0));
		if (flags == ALOG_TERM_BACKSLASH) {
			long bn = unclean(out, on, back);
			CHECK(bn == (long)n && memcmp(back, in, n) == 0);
		}
		if (t_failed)
			break;
	}
}

/* A record line with the given members (",..." text) and any hash. */
static size_t make_line(char *buf, const char *members)
{
	return (size_t)sprintf(buf, "{\"seq\":7,\"ts\":\"2026-11-28T02:03:04.123456789Z\"%s,"
	                       "\"hash\":\"%064d\"}\n", members, 0);
}

static void test_render(void)
{
	char line[2048];
	struct alog_rec r;
	struct alog_buf b = {0}, tmp = {0};
	struct alog_fields f;
	struct alog_error e;
	size_t n;

	n = make_line(line, ",\"actor\":\"eve\\u001b[2J\",\"action\":\"x\\u009b1m\","
	                    "\"msg\":\"a\\tb\\nc \\u202e \\\\ \\\"q\\\"\",\"src\":{\"ip\":\"1\"}");
	CHECK(alog_rec_parse(&r, line, n, &e) == 0);
	alog_render_pretty(&b, &tmp, &r, NULL, 0);
	CHECK(safe(b.p, b.n, 0));
	CHECK(memchr(b.p, '\x1b', b.n) == NULL);
	alog_buf_add(&b, "", 1);
	CHECK(strstr(b.p, "2026-11-28 02:03:04.123 UTC  \"eve\\x1b[2J\" \"x\\u009b1m\"") == b.p);
	CHECK(strstr(b.p, "msg=\"a\\tb\\nc \\u202e \\\\ \\\"q\\\"\"") != NULL);
	CHECK(strstr(b.p, "src.ip=1 #7") != NULL);

	b.n = 0;
	alog_render_pretty(&b, &tmp, &r, NULL, 1);
	/* with colour, the only escapes are our own SGR sequences */
	for (size_t i = 0; i < b.n; i++)
		if (b.p[i] == '\x1b')
			CHECK(b.p[i + 1] == '[' && strspn(b.p + i + 2, "0123456789;") &&
			      b.p[i + 2 + strspn(b.p + i + 2, "0123456789;")] == 'm');

	CHECK(alog_fields_parse(&f, "ts,msg,src.ip,nope,actor", &e) == 0);
	b.n = 0;
	alog_render_fields(&b, &tmp, &r, &f);
	alog_buf_add(&b, "", 1);
	CHECK_STR(b.p, "2026-11-28T02:03:04.123456789Z\ta\\tb\\nc \\u202e \\\\ \"q\"\t1\t\t"
	               "eve\\x1b[2J");
	alog_fields_free(&f);
	CHECK(alog_fields_parse(&f, "a,,b", &e) != 0);
	CHECK(alog_fields_parse(&f, "a..b", &e) != 0);

	/* seals show what they sealed, not their long base64 */
	n = make_line(line, ",\"type\":\"seal\",\"size\":6,\"root\":\"r\",\"range\":[\"x\"],"
	                    "\"epoch\":0,\"key\":\"k\",\"proof\":[],\"sig\":\"s\"");
	CHECK(alog_rec_parse(&r, line, n, &e) == 0);
	b.n = 0;
	alog_render_pretty(&b, &tmp, &r, NULL, 0);
	alog_buf_add(&b, "", 1);
	CHECK_STR(b.p, "2026-11-28 02:03:04.123 UTC  [seal] size=6 root=r epoch=0 #7");

	/* local time with the zone's name, UTC when asked */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	b.n = 0;
	alog_render_pretty(&b, &tmp, &r, NULL, 0);
	alog_buf_add(&b, "", 1);
	CHECK_STR(b.p, "2026-11-28 03:03:04.123 CET  [seal] size=6 root=r epoch=0 #7");
	b.n = 0;
	alog_render_pretty_with(&b, &tmp, &r, NULL, 0, ALOG_RENDER_UTC);
	alog_buf_add(&b, "", 1);
	CHECK_STR(b.p, "2026-11-28 02:03:04.123 UTC  [seal] size=6 root=r epoch=0 #7");
	setenv("TZ", "UTC", 1);
	tzset();
	alog_buf_free(&b);
	alog_buf_free(&tmp);
}

int main(int argc, char **argv)
{
	unsigned iterations = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 20000;

	/* pretty times are local: the same zone on every machine */
	setenv("TZ", "UTC", 1);
	tzset();
	rng_state = 0x243f6a8885a308d3ULL;

	if (argc > 2)
		rng_state = strtoull(argv[2], NULL, 10) | 1;
	test_cases();
	test_random(iterations);
	test_render();
	return t_done("test_term");
}
