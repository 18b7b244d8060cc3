/*
 * test_json.c - the JSON scanner: every strictness rule with its message
 * and offset, a differential run against jansson on random and mutated
 * texts, and the walkers on valid, truncated and damaged records.
 * Usage: test_json [iterations [seed]] | test_json --bench [seconds]
 */
#include "base/json.h"
#include "base/util.h"
#include "t.h"
#include "tutil.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <time.h>

/* ---- helpers ---- */


/* A copy in a buffer of exactly n bytes, so ASan sees any read past it. */
static char *exact(const char *s, size_t n)
{
	char *p = malloc(n ? n : 1);
	if (!p)
		abort();
	if (n)
		memcpy(p, s, n);
	return p;
}

/* Compact s[0..n) through an exact-size copy; returns the length or -1. */
static long compact(const char *s, size_t n, char **outp, int obj, struct alog_json_error *err)
{
	char *in = exact(s, n), *out = malloc(n ? n : 1);
	long r;

	err->offset = (size_t)-1;
	err->msg[0] = '\0';
	r = alog_json_compact(in, n, out, obj, err);
	free(in);
	if (outp)
		*outp = out;
	else
		free(out);
	return r;
}

/* ---- table-driven accept and reject cases ---- */

struct ok_case {
	const char *in, *want; /* want NULL: the input is compact already */
};

static const struct ok_case ok_cases[] = {
	{ "{ \"a\" : [ 1 , 2 ] , \"b\" : \"x y\" }", "{\"a\":[1,2],\"b\":\"x y\"}" },
	{ " \t\r\n{}\n", "{}" },
	{ "{ }", "{}" },
	{ "[ ]", "[]" },
	{ "[\n\t1,\r\n\t2\n]", "[1,2]" },
	{ "\"\\u0061\\n\\/\\\"\\\\\\b\\f\\r\\t\"", "\"\\u0061\\n\\/\\\"\\\\\\b\\f\\r\\t\"" },
	{ "\"  spaced  out  \"", "\"  spaced  out  \"" },
	{ "\"\\uD83D\\uDE00 \\ud83d\\ude00\"", "\"\\uD83D\\uDE00 \\ud83d\\ude00\"" },
	{ "\"\\uDBFF\\uDFFF\"", "\"\\uDBFF\\uDFFF\"" },
	{ "\"\\uFFFF\\uE000\\uD7FF\"", "\"\\uFFFF\\uE000\\uD7FF\"" },
	{ "\"\xf4\x8f\xbf\xbf \xef\xbf\xbf \xed\x9f\xbf \xee\x80\x80 \xc2\x80 \xdf\xbf\"",
	  "\"\xf4\x8f\xbf\xbf \xef\xbf\xbf \xed\x9f\xbf \xee\x80\x80 \xc2\x80 \xdf\xbf\"" },
	{ "\"\xf0\x90\x80\x80\xe0\xa0\x80\"", "\"\xf0\x90\x80\x80\xe0\xa0\x80\"" },
	{ "\"\x7f\"", "\"\x7f\"" },
	{ "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 plain ascii that runs past sixteen bytes\"",
	  "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 plain ascii that runs past sixteen bytes\"" },
	{ "0", "0" },
	{ "-0", "-0" },
	{ "-0.0e-0", "-0.0e-0" },
	{ "1E+2", "1E+2" },
	{ "0.5", "0.5" },
	{ " 123.456e-789 ", "123.456e-789" },
	{ "1e-400", "1e-400" },
	{ "9223372036854775807", "9223372036854775807" },
	{ "-9223372036854775808", "-9223372036854775808" },
	{ "0e0", NULL },
	{ "0.00000000000000000000e0", NULL },
	{ "1.7976931348623157e308", "1.7976931348623157e308" },
	{ "1.7976931348623158e308", "1.7976931348623158e308" },
	{ "-1.7976931348623158e308", "-1.7976931348623158e308" },
	{ "179769313486231580793728971405303415079934132710037826936173778980444968292764"
	  "750946649017977587207096330286416692887910946555547851940402630657488671505820"
	  "681908902000708383676273854845817711531764475730270069855571366959622842914819"
	  "860834936475292719074168444365510704342711559699508093042880177904174497791.9e0",
	  NULL },
	{ "0.00000000000000000000000000000017976931348623158e339", NULL },
	{ "1e308", "1e308" },
	{ "123456789012345678901234567890.0", NULL },
	{ "[true,false,null]", "[true,false,null]" },
	{ "[ true , false , null ]", "[true,false,null]" },
	{ "{\"a\":1,\"A\":2,\"a \":3}", "{\"a\":1,\"A\":2,\"a \":3}" },
	{ "{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":2}}", "{\"a\":{\"a\":{\"a\":1}},\"b\":{\"a\":2}}" },
	{ "[{\"a\":1},{\"a\":2}]", "[{\"a\":1},{\"a\":2}]" },
	{ "{\"\":1,\"x\":{\"\":2}}", "{\"\":1,\"x\":{\"\":2}}" },
	{ "{\"\\u0061\":1,\"\\u0062\":2}", "{\"\\u0061\":1,\"\\u0062\":2}" },
};

struct bad_case {
	const char *in;
	size_t len; /* 0: strlen */
	int obj;
	const char *msg;
	size_t off;
};

static const struct bad_case bad_cases[] = {
	{ "", 0, 0, "unexpected end of input", 0 },
	{ "   ", 0, 0, "unexpected end of input", 3 },
	{ "[1,]", 0, 0, "trailing comma before ']'", 2 },
	{ "{\"a\":1,}", 0, 0, "trailing comma before '}'", 6 },
	{ "{\"a\":1 , }", 0, 0, "trailing comma before '}'", 7 },
	{ "{'a':1}", 0, 0,
	  "expected a member name in double quotes, found a single quote (use double quotes)", 1 },
	{ "['a']", 0, 0, "expected a value, found a single quote (use double quotes)", 1 },
	{ "{,}", 0, 0, "expected a member name in double quotes, found ','", 1 },
	{ "{a:1}", 0, 0, "expected a member name in double quotes, found 'a'", 1 },
	{ "[1,,2]", 0, 0, "expected a value, found ','", 3 },
	{ "[,1]", 0, 0, "expected a value, found ','", 1 },
	{ "{\"a\":}", 0, 0, "expected a value, found '}'", 5 },
	{ "[1 2]", 0, 0, "expected ',' or ']' after array element", 3 },
	{ "[\"a\"\"b\"]", 0, 0, "expected ',' or ']' after array element", 4 },
	{ "[1}", 0, 0, "expected ',' or ']' after array element", 2 },
	{ "{\"a\" 1}", 0, 0, "expected ':' after member name", 5 },
	{ "{\"a\"}", 0, 0, "expected ':' after member name", 4 },
	{ "{\"a\":1 \"b\":2}", 0, 0, "expected ',' or '}' after member value", 7 },
	{ "{\"a\":1]", 0, 0, "expected ',' or '}' after member value", 6 },
	{ "\"\\x\"", 0, 0, "invalid escape \\x", 1 },
	{ "\"\\U0041\"", 0, 0, "invalid escape \\U", 1 },
	{ "\"\\\xc3\xa9\"", 0, 0, "invalid escape character 0xc3", 1 },
	{ "\"\\u12\"", 0, 0, "invalid \\u escape (expected 4 hex digits)", 1 },
	{ "\"\\u12G4\"", 0, 0, "invalid \\u escape (expected 4 hex digits)", 1 },
	{ "\"\\u", 0, 0, "invalid \\u escape (expected 4 hex digits)", 1 },
	{ "\"\\u0000\"", 0, 0, "\\u0000 is not allowed", 1 },
	{ "{\"a\\u0000b\":1}", 0, 0, "\\u0000 is not allowed", 3 },
	{ "\"\\ud800\"", 0, 0, "unpaired surrogate \\ud800", 1 },
	{ "\"\\uDBFF\"", 0, 0, "unpaired surrogate \\udbff", 1 },
	{ "\"\\udc00\"", 0, 0, "unpaired surrogate \\udc00", 1 },
	{ "\"x\\ud800\\u0041\"", 0, 0, "unpaired surrogate \\ud800", 2 },
	{ "\"\\ud800\\ud800\"", 0, 0, "unpaired surrogate \\ud800", 1 },
	{ "\"\\ude00\\ud83d\"", 0, 0, "unpaired surrogate \\ude00", 1 },
	{ "\"\\ud800x\"", 0, 0, "unpaired surrogate \\ud800", 1 },
	{ "\"\\ud800\\", 0, 0, "unpaired surrogate \\ud800", 1 },
	{ "\"\xc0\xaf\"", 0, 0, "overlong UTF-8 sequence", 1 },
	{ "\"\xc1\xbf\"", 0, 0, "overlong UTF-8 sequence", 1 },
	{ "\"\xe0\x80\xaf\"", 0, 0, "overlong UTF-8 sequence", 1 },
	{ "\"\xf0\x80\x80\xaf\"", 0, 0, "overlong UTF-8 sequence", 1 },
	{ "\"ab\xed\xa0\x80\"", 0, 0, "UTF-8 encoded surrogate (U+D800..U+DFFF)", 3 },
	{ "\"\xed\xbf\xbf\"", 0, 0, "UTF-8 encoded surrogate (U+D800..U+DFFF)", 1 },
	{ "\"\xf4\x90\x80\x80\"", 0, 0, "UTF-8 sequence beyond U+10FFFF", 1 },
	{ "\"\xf5\x80\x80\x80\"", 0, 0, "invalid UTF-8 byte 0xf5", 1 },
	{ "\"\xff\"", 0, 0, "invalid UTF-8 byte 0xff", 1 },
	{ "\"\x80\"", 0, 0, "invalid UTF-8 byte 0x80", 1 },
	{ "\"0123456789abcdef\xbf\"", 0, 0, "invalid UTF-8 byte 0xbf", 17 },
	{ "\"\xe2\x82\"", 0, 0, "incomplete UTF-8 sequence", 1 },
	{ "\"\xe2\x28\xa1\"", 0, 0, "incomplete UTF-8 sequence", 1 },
	{ "\"\xf0\x9f\x98", 0, 0, "incomplete UTF-8 sequence", 1 },
	{ "\"\xc3", 0, 0, "incomplete UTF-8 sequence", 1 },
	{ "\"a\x01\"", 0, 0, "control character 0x01 in string (escape it)", 2 },
	{ "\"line\nbreak\"", 0, 0, "control character 0x0a in string (escape it)", 5 },
	{ "\"\t\"", 0, 0, "control character 0x09 in string (escape it)", 1 },
	{ "\"a\0b\"", 5, 0, "control character 0x00 in string (escape it)", 2 },
	{ "\"0123456789abcdef0123\x1f\"", 0, 0, "control character 0x1f in string (escape it)", 21 },
	{ "\"abc", 0, 0, "unterminated string", 0 },
	{ "[\"abc\\", 0, 0, "unterminated string", 1 },
	{ "\"0123456789abcdef0123456789", 0, 0, "unterminated string", 0 },
	{ "1e400", 0, 0, "number overflows a double", 0 },
	{ "[-1e400]", 0, 0, "number overflows a double", 1 },
	{ "1.7976931348623159e308", 0, 0, "number overflows a double", 0 },
	{ "17976931348623159e292", 0, 0, "number overflows a double", 0 },
	{ "0.1e310", 0, 0, "number overflows a double", 0 },
	{ "1e9999999999999999999999999", 0, 0, "number overflows a double", 0 },
	{ "179769313486231580793728971405303415079934132710037826936173778980444968292764"
	  "750946649017977587207096330286416692887910946555547851940402630657488671505820"
	  "681908902000708383676273854845817711531764475730270069855571366959622842914819"
	  "860834936475292719074168444365510704342711559699508093042880177904174497792.0",
	  0, 0, "number overflows a double", 0 },
	{ "9223372036854775808", 0, 0, "integer out of range", 0 },
	{ "-9223372036854775809", 0, 0, "integer out of range", 0 },
	{ "[99999999999999999999]", 0, 0, "integer out of range", 1 },
	{ "{\"n\":123456789012345678901234567890}", 0, 0, "integer out of range", 5 },
	{ "00", 0, 0, "leading zeros are not allowed", 0 },
	{ "-01", 0, 0, "leading zeros are not allowed", 1 },
	{ "[0123]", 0, 0, "leading zeros are not allowed", 1 },
	{ "+1", 0, 0, "expected a value, found '+'", 0 },
	{ ".5", 0, 0, "expected a value, found '.'", 0 },
	{ "1.", 0, 0, "expected a digit after '.'", 2 },
	{ "1.e5", 0, 0, "expected a digit after '.'", 2 },
	{ "1e", 0, 0, "expected a digit in the exponent", 2 },
	{ "1e+", 0, 0, "expected a digit in the exponent", 3 },
	{ "[1E-x]", 0, 0, "expected a digit in the exponent", 4 },
	{ "-", 0, 0, "expected a digit after '-'", 1 },
	{ "-Infinity", 0, 0, "expected a digit after '-'", 1 },
	{ "NaN", 0, 0, "expected a value, found 'N'", 0 },
	{ "Infinity", 0, 0, "expected a value, found 'I'", 0 },
	{ "0x10", 0, 0, "trailing characters after the JSON value", 1 },
	{ "1 2", 0, 0, "trailing characters after the JSON value", 2 },
	{ "{\"a\":1}x", 0, 0, "trailing characters after the JSON value", 7 },
	{ "{\"a\":1} \n{}", 0, 1, "trailing characters after the JSON value", 9 },
	{ "{\"a\":1}\0", 8, 1, "trailing characters after the JSON value", 7 },
	{ "truex", 0, 0, "trailing characters after the JSON value", 4 },
	{ "tru", 0, 0, "invalid literal, expected 'true'", 0 },
	{ "[nul]", 0, 0, "invalid literal, expected 'null'", 1 },
	{ "fals", 0, 0, "invalid literal, expected 'false'", 0 },
	{ "True", 0, 0, "expected a value, found 'T'", 0 },
	{ "\0", 1, 0, "expected a value, found byte 0x00", 0 },
	{ "[\v]", 0, 0, "expected a value, found byte 0x0b", 1 },
	{ "\xef\xbb\xbf{}", 0, 0, "expected a value, found byte 0xef", 0 },
	{ "\xef\xbb\xbf{}", 0, 1, "expected a JSON object", 0 },
	{ "[1]", 0, 1, "expected a JSON object", 0 },
	{ "  \"x\"", 0, 1, "expected a JSON object", 2 },
	{ "{", 0, 0, "unexpected end of input", 1 },
	{ "{\"a\"", 0, 0, "unexpected end of input", 4 },
	{ "{\"a\":", 0, 0, "unexpected end of input", 5 },
	{ "{\"a\" : ", 0, 0, "unexpected end of input", 7 },
	{ "{\"a\":1", 0, 0, "unexpected end of input", 6 },
	{ "{\"a\":1,", 0, 0, "unexpected end of input", 7 },
	{ "[", 0, 0, "unexpected end of input", 1 },
	{ "[1", 0, 0, "unexpected end of input", 2 },
	{ "[1, ", 0, 0, "unexpected end of input", 4 },
	{ "{\"a\":1,\"a\":2}", 0, 0, "duplicate member name \"a\"", 7 },
	{ "{\"user\":1,\"x\":{\"user\":2},\"user\":3}", 0, 1, "duplicate member name \"user\"", 25 },
	{ "{\"x\":{\"a\":1,\"b\":2,\"a\":3}}", 0, 0, "duplicate member name \"a\"", 18 },
	{ "[{\"a\":1},{\"b\":1,\"b\":2}]", 0, 0, "duplicate member name \"b\"", 16 },
	{ "{\"a\":1,\"\\u0061\":2}", 0, 0, "duplicate member name \"\\u0061\"", 7 },
	{ "{\"\\u0061\":1,\"a\":2}", 0, 0, "duplicate member name \"a\"", 12 },
	{ "{\"\\u00e9\":1,\"\xc3\xa9\":2}", 0, 0, "duplicate member name \"\xc3\xa9\"", 12 },
	{ "{\"\\ud83d\\ude00\":1,\"\xf0\x9f\x98\x80\":2}", 0, 0,
	  "duplicate member name \"\xf0\x9f\x98\x80\"", 18 },
	{ "{\"a\\/b\":1,\"a/b\":2}", 0, 0, "duplicate member name \"a/b\"", 10 },
	{ "{\"\\n\":1,\"\\u000a\":2}", 0, 0, "duplicate member name \"\\u000a\"", 8 },
	{ "{\"\":1,\"\":2}", 0, 0, "duplicate member name \"\"", 6 },
	{ "{ \"k\" : 1 , \"k\" : 2 }", 0, 0, "duplicate member name \"k\"", 12 },
};

static void test_tables(void)
{
	struct alog_json_error err;
	char *out;
	long r;

	for (size_t i = 0; i < ALOG_ARRAY_LEN(ok_cases); i++) {
		const struct ok_case *c = &ok_cases[i];
		const char *want = c->want ? c->want : c->in;
		r = compact(c->in, strlen(c->in), &out, 0, &err);
		if (r < 0)
			fprintf(stderr, "rejected %s: %s at %zu\n", c->in, err.msg, err.offset);
		CHECK(r == (long)strlen(want));
		if (r >= 0)
			CHECK_MEM(out, want, (size_t)r);
		free(out);
	}
	for (size_t i = 0; i < ALOG_ARRAY_LEN(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t n = c->len ? c->len : strlen(c->in);
		r = compact(c->in, n, NULL, c->obj, &err);
		CHECK(r == -1);
		CHECK_STR(err.msg, c->msg);
		if (err.offset != c->off)
			fprintf(stderr, "case %zu (%s): offset %zu, want %zu\n", i, c->in,
			        err.offset, c->off);
		CHECK(err.offset == c->off);
		/* the error argument is optional */
		char *in = exact(c->in, n), *o = malloc(n ? n : 1);
		CHECK(alog_json_compact(in, n, o, c->obj, NULL) == -1);
		free(in);
		free(o);
	}
	/* the whole-line shape alog-append sees */
	r = compact("{\"a\":1}", 7, NULL, 1, &err);
	CHECK(r == 7);
}

static void test_depth(void)
{
	struct sb b = { 0 };
	struct alog_json_error err;
	long r;

	for (int i = 0; i < 64; i++)
		sb_puts(&b, "[");
	for (int i = 0; i < 64; i++)
		sb_puts(&b, "]");
	CHECK(compact(b.p, b.n, NULL, 0, &err) == 128);
	b.n = 0;
	for (int i = 0; i < 65; i++)
		sb_puts(&b, "[");
	for (int i = 0; i < 65; i++)
		sb_puts(&b, "]");
	r = compact(b.p, b.n, NULL, 0, &err);
	CHECK(r == -1);
	CHECK_STR(err.msg, "nesting deeper than 64 levels");
	CHECK(err.offset == 64);

	/* objects count the same: 64 fine, 65 not */
	for (int depth = 64; depth <= 65; depth++) {
		b.n = 0;
		for (int i = 0; i < depth; i++)
			sb_puts(&b, "{\"a\":");
		sb_puts(&b, "1");
		for (int i = 0; i < depth; i++)
			sb_puts(&b, "}");
		r = compact(b.p, b.n, NULL, 1, &err);
		if (depth == 64) {
			CHECK(r == (long)b.n);
		} else {
			CHECK(r == -1);
			CHECK_STR(err.msg, "nesting deeper than 64 levels");
			CHECK(err.offset == 64 * 5);
		}
	}
	/* mixed, and far deeper than the limit */
	b.n = 0;
	for (int i = 0; i < 100000; i++)
		sb_puts(&b, i & 1 ? "{\"k\":" : "[");
	r = compact(b.p, b.n, NULL, 0, &err);
	CHECK(r == -1 && err.offset == 32 * 1 + 32 * 5);
	CHECK(alog_json_skip(b.p, b.p + b.n) == NULL);
	free(b.p);
}

/* Our number verdicts equal strtod's on a NUL-terminated copy. */
static void number_vs_strtod(const char *num)
{
	struct alog_json_error err;
	char *end;
	double d;
	long r;

	errno = 0;
	d = strtod(num, &end);
	r = compact(num, strlen(num), NULL, 0, &err);
	CHECK(*end == '\0');
	if ((r >= 0) != !isinf(d))
		fprintf(stderr, "number %s: compact %ld (%s), strtod %g\n", num, r, err.msg, d);
	CHECK((r >= 0) == !isinf(d));
	if (r < 0)
		CHECK_STR(err.msg, "number overflows a double");
}

static void test_numbers(void)
{
	static const char lim[] =
		"179769313486231580793728971405303415079934132710037826936173778980444968292764"
		"750946649017977587207096330286416692887910946555547851940402630657488671505820"
		"681908902000708383676273854845817711531764475730270069855571366959622842914819"
		"860834936475292719074168444365510704342711559699508093042880177904174497792";
	char num[800];

	/* the exact halfway point, a hair below and above it */
	snprintf(num, sizeof num, "%s.0", lim);
	number_vs_strtod(num);
	snprintf(num, sizeof num, "%s.0000000000000000000000001", lim);
	number_vs_strtod(num);
	snprintf(num, sizeof num, "%.308s1e0", lim);
	number_vs_strtod(num);
	snprintf(num, sizeof num, "%.308s1.99e0", lim);
	number_vs_strtod(num);
	snprintf(num, sizeof num, "0.%se309", lim);
	number_vs_strtod(num);
	snprintf(num, sizeof num, "-0.000%s9e312", lim);
	number_vs_strtod(num);
	snprintf(num, sizeof num, "%.1s.%.307s", lim, lim + 1);
	strcat(num, "1e308");
	number_vs_strtod(num);
	number_vs_strtod("1.7976931348623157e308");
	number_vs_strtod("1.79769313486231580793728971405303e308");
	number_vs_strtod("1.79769313486231580793728971405304e308");
	number_vs_strtod("9.99e307");
	number_vs_strtod("1e309");
	number_vs_strtod("0e999999");
	number_vs_strtod("-0.0e999999");
	number_vs_strtod("1e-99999999999");

	/* random numbers in the decade where the digits decide */
	for (int i = 0; i < 20000; i++) {
		/* nd digits, the point after the first dot of them, exponent near 308 */
		size_t k = 0, nd = 1 + rn(40), dot = rn(3) ? 1 : rn((unsigned)nd) + 1;
		size_t agree = rn(20); /* leading digits shared with the limit */
		if (rn(2))
			num[k++] = '-';
		for (size_t j = 0; j < nd; j++) {
			if (j == dot)
				num[k++] = '.';
			num[k++] = j < agree ? lim[j] : (char)('0' + rn(10));
			if (j == 0 && num[k - 1] == '0')
				num[k - 1] = '1';
		}
		k += (size_t)sprintf(num + k, "e%d", 308 - ((int)dot - 1) + (int)rn(3) - 1);
		num[k] = '\0';
		number_vs_strtod(num);
	}
}

/* ---- duplicate detection in large objects ---- */

static void big_object(struct sb *b, unsigned n, unsigned dup_at, unsigned dup_of, int escaped,
                       const char *value, size_t *dup_off)
{
	b->n = 0;
	sb_puts(b, "{");
	for (unsigned i = 0; i < n; i++) {
		unsigned k = i == dup_at ? dup_of : i;
		if (i)
			sb_puts(b, i % 7 ? "," : " ,\n ");
		if (i == dup_at && dup_off)
			*dup_off = b->n;
		if (i == dup_at && escaped)
			sb_printf(b, "\"\\u006bey%u\":%s", k, value);
		else
			sb_printf(b, "\"key%u\":%s", k, value);
	}
	sb_puts(b, "}");
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void test_big_objects(void)
{
	struct sb b = { 0 };
	struct alog_json_error err;
	size_t off = 0;
	char want[64];
	long r;
	static const unsigned sizes[] = { 10, 31, 32, 33, 100, 1023, 1024, 1025, 2047, 2048,
		                          2049, 3000, 4095, 4096, 4097, 9000 };

	for (size_t si = 0; si < ALOG_ARRAY_LEN(sizes); si++) {
		unsigned n = sizes[si];
		big_object(&b, n, n, n, 0, "1", NULL);
		CHECK(compact(b.p, b.n, NULL, 1, &err) >= 0);
		/* a duplicate early, late, across the table and block edges */
		unsigned pairs[][2] = { { 1, 0 }, { n - 1, 0 }, { n - 1, n - 2 }, { n - 1, n / 2 },
			                { n / 2, n / 2 - 1 }, { n - 1, 1023 }, { n - 1, 4095 },
			                { n - 1, 4096 }, { 4097, 4096 }, { 8500, 4095 } };
		for (size_t pi = 0; pi < ALOG_ARRAY_LEN(pairs); pi++) {
			unsigned at = pairs[pi][0], of = pairs[pi][1];
			if (of >= at || at >= n)
				continue;
			for (int esc = 0; esc < 2; esc++) {
				big_object(&b, n, at, of, esc, "1", &off);
				r = compact(b.p, b.n, NULL, 1, &err);
				CHECK(r == -1);
				snprintf(want, sizeof want, "duplicate member name \"%s%u\"",
				         esc ? "\\u006bey" : "key", of);
				CHECK_STR(err.msg, want);
				CHECK(err.offset == off);
			}
		}
	}

	/* many members whose values are objects: every one checked */
	big_object(&b, 3000, 3000, 3000, 0, "{\"x\":1,\"y\":{\"x\":2}}", NULL);
	CHECK(compact(b.p, b.n, NULL, 1, &err) >= 0);
	big_object(&b, 3000, 3000, 3000, 0, "{\"x\":1,\"y\":2}", NULL);
	memcpy(strstr(b.p, "\"key2500\":") + 10, "{\"x\":1,\"x\":2}", 13);
	r = compact(b.p, b.n, NULL, 1, &err);
	CHECK(r == -1);
	CHECK_STR(err.msg, "duplicate member name \"x\"");
	CHECK(err.offset == (size_t)(strstr(b.p, "\"key2500\":") - b.p) + 17);

	/* a big object nested in a big object, the duplicate in the inner one */
	{
		struct sb inner = { 0 };
		big_object(&inner, 5000, 4999, 3, 0, "null", &off);
		big_object(&b, 1500, 1500, 1500, 0, "0", NULL);
		b.n--;
		sb_puts(&b, ",\"inner\":");
		size_t base = b.n;
		sb_put(&b, inner.p, inner.n);
		sb_puts(&b, ",\"after\":1}");
		r = compact(b.p, b.n, NULL, 1, &err);
		CHECK(r == -1);
		CHECK_STR(err.msg, "duplicate member name \"key3\"");
		CHECK(err.offset == base + off);
		/* and in the outer one, after the inner one closed */
		big_object(&inner, 5000, 5000, 5000, 0, "null", NULL);
		big_object(&b, 1500, 1500, 1500, 0, "0", NULL);
		b.n--;
		sb_puts(&b, ",\"inner\":");
		sb_put(&b, inner.p, inner.n);
		off = b.n + 1;
		sb_puts(&b, ",\"key1499\":1}");
		r = compact(b.p, b.n, NULL, 1, &err);
		CHECK(r == -1);
		CHECK_STR(err.msg, "duplicate member name \"key1499\"");
		CHECK(err.offset == off);
		free(inner.p);
	}

	/* a long name is quoted cut short */
	b.n = 0;
	sb_puts(&b, "{\"");
	for (int i = 0; i < 100; i++)
		sb_puts(&b, "\xc3\xa9");
	sb_puts(&b, "\":1,\"");
	off = b.n - 1;
	for (int i = 0; i < 100; i++)
		sb_puts(&b, "\xc3\xa9");
	sb_puts(&b, "\":2}");
	r = compact(b.p, b.n, NULL, 1, &err);
	CHECK(r == -1 && err.offset == off);
	CHECK(strlen(err.msg) < sizeof err.msg - 1);
	CHECK(strstr(err.msg, "...\"") == NULL && strstr(err.msg, "\"...") != NULL);

	/* roughly linear: ten times the members, not a hundred times the time */
	double t[2];
	for (int k = 0; k < 2; k++) {
		unsigned n = k ? 40000 : 4000;
		big_object(&b, n, n, n, 0, "1", NULL);
		char *out = malloc(b.n);
		double t0 = now();
		r = alog_json_compact(b.p, b.n, out, 1, &err);
		t[k] = now() - t0;
		CHECK(r > 0);
		free(out);
	}
	printf("dup check: 4000 members %.2f ms, 40000 members %.2f ms\n", t[0] * 1e3,
	       t[1] * 1e3);
	free(b.p);
}

/* ---- escape and UTF-8 ---- */

/* A slow, obviously correct UTF-8 validator to compare against. */
static size_t ref_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], cp, len, k;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc0 && c < 0xe0)
			len = 2, cp = c & 0x1f;
		else if (c >= 0xe0 && c < 0xf0)
			len = 3, cp = c & 0x0f;
		else if (c >= 0xf0 && c < 0xf8)
			len = 4, cp = c & 0x07;
		else
			return i;
		if (i + len > n)
			return i;
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) ||
		    (len == 4 && cp < 0x10000) || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return i;
		i += len;
	}
	return n;
}

static size_t put_utf8(char *o, unsigned cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | cp >> 6);
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | cp >> 12);
		o[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | cp >> 18);
	o[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	o[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* Random bytes that are mostly text: ASCII runs, characters, some junk. */
static size_t random_text(char *buf, size_t max, int junk)
{
	size_t n = 0, want = rn((unsigned)max - 4);

	while (n < want) {
		unsigned k = rn(100);
		if (k < 60) {
			buf[n++] = (char)(0x20 + rn(0x5f));
		} else if (k < 70) {
			buf[n++] = (char)rn(0x20);
		} else if (k < 75) {
			buf[n++] = k & 1 ? '"' : '\\';
		} else if (k < 93) {
			unsigned cp;
			do
				cp = rn(3) ? 0x80 + rn(0x3000) : rn(0x110000);
			while (cp >= 0xd800 && cp < 0xe000);
			n += put_utf8(buf + n, cp);
		} else if (junk) {
			buf[n++] = (char)(0x80 + rn(0x80));
		}
	}
	return n;
}

static void test_escape_utf8(void)
{
	static const struct {
		const char *in, *want;
	} esc_cases[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "a\"b\\c", "a\\\"b\\\\c" },
		{ "\b\f\n\r\t", "\\b\\f\\n\\r\\t" },
		{ "\x01\x1f\x7f", "\\u0001\\u001f\\u007f" },
		{ "/caf\xc3\xa9 \xf0\x9f\x98\x80", "/caf\xc3\xa9 \xf0\x9f\x98\x80" },
		{ "0123456789abcdef\"0123456789abcdef\x7f", "0123456789abcdef\\\"0123456789abcdef\\u007f" },
	};
	static const char *const bad[] = { "a\xff", "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
		                           "0123456789abcdef\xe2\x82", "\x80" };
	char in[512], out[6 * 512 + 2], dec[512];
	struct alog_json_error err;
	long r;

	for (size_t i = 0; i < ALOG_ARRAY_LEN(esc_cases); i++) {
		size_t n = strlen(esc_cases[i].in);
		char *x = exact(esc_cases[i].in, n);
		r = alog_json_escape(x, n, out);
		CHECK(r == (long)strlen(esc_cases[i].want));
		if (r >= 0)
			CHECK_MEM(out, esc_cases[i].want, (size_t)r);
		free(x);
	}
	for (size_t i = 0; i < ALOG_ARRAY_LEN(bad); i++)
		CHECK(alog_json_escape(bad[i], strlen(bad[i]), out) == -1);
	CHECK(alog_json_escape("a\0b", 3, out) == -1);

	/* random text: escape <=> valid UTF-8 without NUL, and the result round-trips */
	for (int i = 0; i < 20000; i++) {
		size_t n = random_text(in, sizeof in, i & 1);
		size_t ok = alog_utf8_check(in, n);
		CHECK(ok == ref_utf8((const unsigned char *)in, n));
		out[0] = '"';
		r = alog_json_escape(in, n, out + 1);
		CHECK((r >= 0) == (ok == n && !memchr(in, 0, n)));
		if (r < 0)
			continue;
		out[r + 1] = '"';
		long c = compact(out, (size_t)r + 2, NULL, 0, &err);
		CHECK(c == r + 2);
		CHECK(alog_json_unescape(out + 1, (size_t)r, dec, sizeof dec) == (long)n);
		CHECK_MEM(dec, in, n);
	}
	/* every single byte, and every byte after a valid prefix */
	for (int c = 0; c < 256; c++) {
		char one[20] = "0123456789abcdefg";
		one[17] = (char)c;
		CHECK(alog_utf8_check(one + 17, 1) == (c < 0x80 ? 1u : 0u));
		CHECK(alog_utf8_check(one, 18) == (c < 0x80 ? 18u : 17u));
	}
	/* all 2- and 3-byte sequences against the reference */
	for (unsigned a = 0x80; a < 0x100; a++) {
		for (unsigned b2 = 0; b2 < 0x100; b2++) {
			unsigned char s[3] = { (unsigned char)a, (unsigned char)b2, 0x80 };
			CHECK(alog_utf8_check((const char *)s, 2) == ref_utf8(s, 2));
			CHECK(alog_utf8_check((const char *)s, 3) == ref_utf8(s, 3));
		}
	}
}

/* ---- walkers ---- */

static int span_is(struct alog_span s, const char *lit)
{
	return alog_span_eq(s, lit);
}

static void test_walkers(void)
{
	static const char rec[] =
		" { \"a\" : 1 , \"b\":\"x\\\"y\\\\\", \"c\":[1,{\"d\":2},\"]}\"], "
		"\"e\":{\"f\":null}, \"g\":true, \"h\":false, \"i\":-1.5e3,"
		"\"\\u0075ser\":{\"id\":7,\"n\\u00e4me\":\"\\ud83d\\ude00\"}} ";
	const char *names[] = { "a", "b", "c", "e", "g", "h", "i", "\\u0075ser" };
	const char *values[] = { "1", "\"x\\\"y\\\\\"", "[1,{\"d\":2},\"]}\"]", "{\"f\":null}",
		                 "true", "false", "-1.5e3",
		                 "{\"id\":7,\"n\\u00e4me\":\"\\ud83d\\ude00\"}" };
	char *r = exact(rec, sizeof rec - 1);
	size_t n = sizeof rec - 1;
	struct alog_json_iter it;
	struct alog_span nm, v;
	char buf[64];
	int k = 0, res;

	CHECK(alog_json_iter_init(&it, r, n) == 0);
	while ((res = alog_json_iter_next(&it, &nm, &v)) == 1) {
		CHECK(k < 8);
		if (k < 8) {
			CHECK(span_is(nm, names[k]));
			CHECK(span_is(v, values[k]));
		}
		k++;
	}
	CHECK(res == 0 && k == 8);
	CHECK(alog_json_iter_next(&it, &nm, &v) == 0);

	/* lookups */
	const char *p1[] = { "e", "f" }, *p2[] = { "user", "id" }, *p3[] = { "user", "n\xc3\xa4me" },
		   *p4[] = { "c", "d" }, *p5[] = { "zz" }, *p6[] = { "e", "f", "g" },
		   *p7[] = { "\\u0075ser" }, *p8[] = { "b" };
	CHECK(alog_json_lookup(r, n, p1, 2, &v) == 1 && span_is(v, "null"));
	CHECK(alog_json_lookup(r, n, p2, 2, &v) == 1 && span_is(v, "7"));
	CHECK(alog_json_lookup(r, n, p3, 2, &v) == 1 && span_is(v, "\"\\ud83d\\ude00\""));
	CHECK(alog_json_lookup(r, n, p4, 2, &v) == 0);
	CHECK(alog_json_lookup(r, n, p5, 1, &v) == 0);
	CHECK(alog_json_lookup(r, n, p6, 3, &v) == 0);
	CHECK(alog_json_lookup(r, n, p7, 1, &v) == 0);
	CHECK(alog_json_lookup(r, n, p8, 1, &v) == 1 && span_is(v, values[1]));
	CHECK(alog_json_lookup(r, n, p1, 0, &v) == 1 && v.p == r + 1 && v.n == n - 2);
	CHECK(alog_json_lookup("[1]", 3, p1, 1, &v) == -1);
	CHECK(alog_json_lookup("{\"e\":1,}", 8, p5, 1, &v) == -1);
	CHECK(alog_json_lookup("{\"e\":{\"f\" 1}}", 13, p1, 2, &v) == -1);
	CHECK(alog_json_lookup("{\"e\":{\"f\":1,\"f\":2}}", 19, p1, 2, &v) == 1 &&
	      span_is(v, "1"));

	/* unescape the emoji found above */
	CHECK(alog_json_lookup(r, n, p3, 2, &v) == 1);
	CHECK(alog_json_unescape(v.p + 1, v.n - 2, buf, sizeof buf) == 4);
	CHECK_MEM(buf, "\xf0\x9f\x98\x80", 4);
	free(r);

	/* skip over every value type, alone and followed by more */
	static const char *const vals[] = {
		"\"\"", "\"abc\"", "\"a\\\"b\"", "\"\\\\\"", "\"0123456789abcdef\\\"0123456789\"",
		"0", "-1.5e+10", "true", "false", "null", "{}", "[]", "{\"a\":[1,{\"b\":\"}\"}]}",
		"[[[[[]]]]]", "[\"[\",\"{\\\"\"]",
	};
	for (size_t i = 0; i < ALOG_ARRAY_LEN(vals); i++) {
		size_t vn = strlen(vals[i]);
		char tmp[128];
		char *x = exact(vals[i], vn);
		CHECK(alog_json_skip(x, x + vn) == x + vn);
		free(x);
		snprintf(tmp, sizeof tmp, "  %s , 1", vals[i]);
		x = exact(tmp, strlen(tmp));
		CHECK(alog_json_skip(x, x + strlen(tmp)) == x + 2 + vn);
		free(x);
	}
	static const char *const broken[] = {
		"", "  ", "\"abc", "\"abc\\\"", "\"\\", "tru", "nul", "fals", "[", "{", "[}", "{]",
		"[1,{\"a\":2]}", "x", "}", "]", ",", "{\"a\":\"}", "[[[[]]]",
	};
	for (size_t i = 0; i < ALOG_ARRAY_LEN(broken); i++) {
		size_t bn = strlen(broken[i]);
		char *x = exact(broken[i], bn);
		CHECK(alog_json_skip(x, x + bn) == NULL);
		free(x);
	}

	/* types */
	CHECK(alog_json_type("{", 1) == ALOG_JSON_OBJECT);
	CHECK(alog_json_type("[", 1) == ALOG_JSON_ARRAY);
	CHECK(alog_json_type("\"", 1) == ALOG_JSON_STRING);
	CHECK(alog_json_type("-", 1) == ALOG_JSON_NUMBER);
	CHECK(alog_json_type("7", 1) == ALOG_JSON_NUMBER);
	CHECK(alog_json_type("true", 4) == ALOG_JSON_TRUE);
	CHECK(alog_json_type("false", 5) == ALOG_JSON_FALSE);
	CHECK(alog_json_type("null", 4) == ALOG_JSON_NULL);
	CHECK(alog_json_type("nul", 3) == ALOG_JSON_INVALID);
	CHECK(alog_json_type("x", 1) == ALOG_JSON_INVALID);
	CHECK(alog_json_type("", 0) == ALOG_JSON_INVALID);

	/* names */
	struct alog_span raw = { "\\u0061b", 7 };
	CHECK(alog_json_name_eq(raw, "ab", 2));
	CHECK(!alog_json_name_eq(raw, "a", 1));
	CHECK(!alog_json_name_eq(raw, "abc", 3));
	raw.p = "ab";
	raw.n = 2;
	CHECK(alog_json_name_eq(raw, "ab", 2));
	CHECK(!alog_json_name_eq(raw, "aB", 2));
	raw.p = "";
	raw.n = 0;
	CHECK(alog_json_name_eq(raw, "", 0));
	raw.p = "a\\x";
	raw.n = 3;
	CHECK(!alog_json_name_eq(raw, "a\\x", 3));
	raw.p = "\\ud83d\\ude00";
	raw.n = 12;
	CHECK(alog_json_name_eq(raw, "\xf0\x9f\x98\x80", 4));

	/* unescape */
	static const struct {
		const char *raw, *want;
		long len;
	} un[] = {
		{ "a\\nb", "a\nb", 3 },
		{ "\\\"\\\\\\/\\b\\f\\n\\r\\t", "\"\\/\b\f\n\r\t", 8 },
		{ "\\u00e9\\u20AC\\ud83d\\ude00", "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 9 },
		{ "\\u0041\\u007f", "A\x7f", 2 },
		{ "plain", "plain", 5 },
		{ "", "", 0 },
		{ "\\x", NULL, -1 },
		{ "\\u12", NULL, -1 },
		{ "\\u12g4", NULL, -1 },
		{ "\\ud800", NULL, -1 },
		{ "\\ud800\\u0041", NULL, -1 },
		{ "\\udc00", NULL, -1 },
		{ "\\u0000", NULL, -1 },
		{ "abc\\", NULL, -1 },
	};
	for (size_t i = 0; i < ALOG_ARRAY_LEN(un); i++) {
		size_t rn_ = strlen(un[i].raw);
		char *x = exact(un[i].raw, rn_);
		long got = alog_json_unescape(x, rn_, buf, sizeof buf);
		CHECK(got == un[i].len);
		if (got > 0)
			CHECK_MEM(buf, un[i].want, (size_t)got);
		/* one byte short of room is an overflow */
		if (got > 0)
			CHECK(alog_json_unescape(x, rn_, buf, (size_t)got - 1) == -1);
		free(x);
	}

	/* malformed objects for the iterator */
	static const char *const bad_obj[] = {
		"", "[1]", "{", "{\"a\"", "{\"a\":", "{\"a\":1", "{\"a\":1,}", "{\"a\" 1}",
		"{\"a\":1}x", "{\"a\":1 \"b\":2}", "{1:2}", "{\"a\":tru}", "{\"a\":[}",
	};
	for (size_t i = 0; i < ALOG_ARRAY_LEN(bad_obj); i++) {
		size_t bn = strlen(bad_obj[i]);
		char *x = exact(bad_obj[i], bn);
		res = 1;
		if (alog_json_iter_init(&it, x, bn) == 0)
			while ((res = alog_json_iter_next(&it, &nm, &v)) == 1)
				;
		CHECK(res == -1 || (res == 1 && it.state == 3));
		CHECK(alog_json_iter_next(&it, &nm, &v) == -1);
		free(x);
	}
}

/* Run every walker over a[0..n); only sanitizers and the bounds judge. */
static unsigned long walk_all(const char *a, size_t n)
{
	static const char *const paths[][2] = {
		{ "actor", NULL }, { "meta", "host" }, { "a", "b" }, { "user", "id" }, { "x", "y" },
	};
	struct alog_json_iter it;
	struct alog_span nm, v;
	unsigned long sum = 0;
	char buf[4096];
	int r;

	sum += alog_json_type(a, n);
	sum += (uintptr_t)alog_json_skip(a, a + n) & 1;
	if (alog_json_iter_init(&it, a, n) == 0) {
		while ((r = alog_json_iter_next(&it, &nm, &v)) == 1) {
			sum += (unsigned long)alog_json_unescape(nm.p, nm.n, buf,
			                                         nm.n < sizeof buf ? nm.n : sizeof buf);
			sum += (unsigned long)alog_json_name_eq(nm, "actor", 5);
			sum += alog_json_type(v.p, v.n);
			if (v.n >= 2 && v.p[0] == '"')
				sum += (unsigned long)alog_json_unescape(
					v.p + 1, v.n - 2, buf, v.n < sizeof buf ? v.n - 2 : sizeof buf);
			if (alog_json_type(v.p, v.n) == ALOG_JSON_OBJECT) {
				struct alog_json_iter in;
				if (alog_json_iter_init(&in, v.p, v.n) == 0)
					while (alog_json_iter_next(&in, &nm, &v) == 1)
						sum += nm.n;
			}
		}
	}
	for (size_t i = 0; i < ALOG_ARRAY_LEN(paths); i++)
		sum += (unsigned long)alog_json_lookup(a, n, paths[i], paths[i][1] ? 2 : 1, &v);
	return sum;
}

/* ---- random JSON for the differential test ---- */

static void gen_ws(struct sb *b)
{
	static const char ws[] = " \t\n\r";
	if (rn(4) == 0) {
		unsigned k = 1 + rn(3);
		while (k--)
			sb_put(b, &ws[rn(4)], 1);
	}
}

static void gen_string_body(struct sb *b, int allow_bad)
{
	unsigned len = rn(5) ? rn(12) : rn(60);
	char tmp[16];

	for (unsigned i = 0; i < len; i++) {
		unsigned k = rn(100);
		if (k < 55) {
			char c = (char)(0x20 + rn(0x5f));
			if (c == '"' || c == '\\')
				c = 'q';
			sb_put(b, &c, 1);
		} else if (k < 65) {
			static const char *const e[] = { "\\n", "\\t", "\\\"", "\\\\", "\\/", "\\b",
				                         "\\f", "\\r" };
			sb_puts(b, e[rn(8)]);
		} else if (k < 72) {
			unsigned cp;
			do
				cp = 1 + rn(0xffff);
			while (cp >= 0xd800 && cp < 0xe000);
			sb_printf(b, rn(2) ? "\\u%04x" : "\\u%04X", cp);
		} else if (k < 76) {
			unsigned cp = 0x10000 + rn(0x100000);
			sb_printf(b, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
			          0xdc00 + ((cp - 0x10000) & 0x3ff));
		} else if (k < 95) {
			unsigned cp;
			do
				cp = rn(4) ? 0x80 + rn(0x800) : 0x80 + rn(0x10ff80);
			while (cp >= 0xd800 && cp < 0xe000);
			sb_put(b, tmp, put_utf8(tmp, cp));
		} else if (allow_bad && k < 96) {
			static const char *const bad[] = { "\\u0000", "\\ud800", "\\udc00x", "\xc0\xaf",
				                           "\xed\xa0\x80", "\xff", "\x01", "\\x", "\t" };
			sb_puts(b, bad[rn(ALOG_ARRAY_LEN(bad))]);
		} else {
			sb_puts(b, "x");
		}
	}
}

static void gen_number(struct sb *b)
{
	static const char *const special[] = {
		"9223372036854775807", "9223372036854775808", "-9223372036854775808",
		"-9223372036854775809", "-0", "0", "1e308", "1e309", "-1.8e308", "1.7976931348623157e308",
		"1e-400", "0.0", "123456789012345678901234567890", "2.5E-3", "1E+2",
	};
	/* one draw per statement, so a seed means the same texts in every build */
	unsigned kind = rn(6), a = rn(1000), c = rn(100000), neg = rn(2), eneg = rn(2);
	unsigned shift = rn(64);
	uint64_t big = rnd() >> shift;

	switch (kind) {
	case 0:
		sb_puts(b, special[c % ALOG_ARRAY_LEN(special)]);
		break;
	case 1:
		sb_printf(b, "%s%u.%u", neg ? "-" : "", a, c);
		break;
	case 2:
		sb_printf(b, "%s%ue%s%u", neg ? "-" : "", 1 + a % 9, eneg ? "-" : "+", c % 400);
		break;
	default:
		sb_printf(b, "%lld", (long long)big * (neg ? -1 : 1));
	}
}

static void gen_value(struct sb *b, int depth, int allow_bad);

static void gen_name(struct sb *b, int allow_bad)
{
	static const char *const pool[] = { "a", "b", "user", "id", "\\u0061", "\\u0075ser",
		                            "\xc3\xa9", "\\u00e9", "\\u00E9", "", "a/b", "a\\/b" };
	sb_puts(b, "\"");
	if (rn(3))
		sb_puts(b, pool[rn(ALOG_ARRAY_LEN(pool))]);
	else
		gen_string_body(b, allow_bad);
	sb_puts(b, "\"");
}

static void gen_value(struct sb *b, int depth, int allow_bad)
{
	unsigned k = rn(depth > 6 ? 6 : 10);

	gen_ws(b);
	if (k < 2) {
		sb_puts(b, "\"");
		gen_string_body(b, allow_bad);
		sb_puts(b, "\"");
	} else if (k < 4) {
		gen_number(b);
	} else if (k == 4) {
		static const char *const lit[] = { "true", "false", "null" };
		sb_puts(b, lit[rn(3)]);
	} else if (k == 5) {
		sb_puts(b, rn(2) ? "[]" : "{}");
	} else if (k < 8) {
		unsigned m = rn(6);
		sb_puts(b, "[");
		for (unsigned i = 0; i < m; i++) {
			if (i)
				sb_puts(b, ",");
			gen_value(b, depth + 1, allow_bad);
		}
		gen_ws(b);
		sb_puts(b, "]");
	} else {
		unsigned m = rn(7);
		sb_puts(b, "{");
		for (unsigned i = 0; i < m; i++) {
			if (i)
				sb_puts(b, ",");
			gen_ws(b);
			gen_name(b, allow_bad);
			gen_ws(b);
			sb_puts(b, ":");
			gen_value(b, depth + 1, allow_bad);
		}
		gen_ws(b);
		sb_puts(b, "}");
	}
	gen_ws(b);
}

static void close_deep(struct sb *b, const char *opens, unsigned d)
{
	for (unsigned i = d; i-- > 0;)
		sb_puts(b, opens[i] == '[' ? "]" : "}");
}

static void mutate(struct sb *b)
{
	static const char interesting[] = "{}[],:\"\\ 0123456789eE.-+tfnu\x01\x80\xc3\xed\xff";
	unsigned k = rn(6), pos = b->n ? rn((unsigned)b->n) : 0;
	char c = rn(2) ? (char)rnd() : interesting[rn(sizeof interesting - 1)];

	switch (k) {
	case 0:
		if (b->n)
			b->p[pos] = c;
		break;
	case 1:
		sb_put(b, " ", 1);
		memmove(b->p + pos + 1, b->p + pos, b->n - 1 - pos);
		b->p[pos] = c;
		break;
	case 2:
		if (b->n) {
			memmove(b->p + pos, b->p + pos + 1, b->n - pos - 1);
			b->n--;
		}
		break;
	case 3:
		b->n = pos;
		break;
	case 4:
		if (b->n) /* flip one bit */
			b->p[pos] ^= (char)(1 << rn(8));
		break;
	default: {
		/* copy a slice somewhere else */
		unsigned from = b->n ? rn((unsigned)b->n) : 0, len = rn(8);
		char tmp[8];
		if (from + len > b->n)
			len = (unsigned)b->n - from;
		memcpy(tmp, b->p + from, len);
		for (unsigned i = 0; i < len; i++)
			sb_put(b, " ", 1);
		memmove(b->p + pos + len, b->p + pos, b->n - len - pos);
		memcpy(b->p + pos, tmp, len);
	}
	}
}

struct diff_stats {
	unsigned long texts, accepted, both_reject, extra_depth, extra_other, jansson_nul;
};

/*
 * jansson loses a NUL byte that directly follows a number or a literal
 * ("[1\0]" loads as [1]).  The text without such NULs, which is what
 * jansson read, is what we must then accept.
 */
static int jansson_nul_quirk(const char *s, size_t n)
{
	char *t = malloc(n ? n : 1), *out = malloc(n ? n : 1);
	struct alog_json_error err;
	size_t k = 0;
	int dropped = 0;
	long r;

	for (size_t i = 0; i < n; i++) {
		unsigned char prev = i ? (unsigned char)s[i - 1] : 0;
		if (s[i] == '\0' && prev &&
		    (strchr("0123456789E.+-", prev) || (prev >= 'a' && prev <= 'z'))) {
			dropped = 1;
			continue;
		}
		t[k++] = s[i];
	}
	r = dropped ? alog_json_compact(t, k, out, 0, &err) : -1;
	free(t);
	free(out);
	return r >= 0;
}

/* One text through us and jansson; the rules of the differential test. */
static void impls_agree(const char *s, size_t n);

static void diff_one(const char *s, size_t n, struct diff_stats *st)
{
	struct alog_json_error err, err2;
	json_error_t jerr;
	char *out = NULL, *out2 = NULL;
	long r, r2;
	json_t *j, *jo;

	st->texts++;
	impls_agree(s, n);
	r = compact(s, n, &out, 0, &err);
	j = json_loadb(s, n, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (r >= 0) {
		st->accepted++;
		if (!j)
			fprintf(stderr, "jansson rejects what we accept (%s): %.*s\n", jerr.text,
			        (int)n, s);
		CHECK(j != NULL);
		jo = json_loadb(out, (size_t)r, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
		CHECK(jo != NULL);
		CHECK(j && jo && json_equal(j, jo));
		json_decref(jo);
		/* compact output is a fixed point */
		r2 = compact(out, (size_t)r, &out2, 0, &err2);
		CHECK(r2 == r);
		if (r2 == r)
			CHECK_MEM(out2, out, (size_t)r);
		free(out2);
		/* as an object: the same verdict for objects, a precise refusal otherwise */
		r2 = compact(s, n, NULL, 1, &err2);
		if (json_is_object(j))
			CHECK(r2 == r);
		else
			CHECK(r2 == -1 && strcmp(err2.msg, "expected a JSON object") == 0);
		walk_all(out, (size_t)r);
	} else {
		CHECK(err.offset <= n);
		CHECK(err.msg[0] != '\0');
		if (!j) {
			st->both_reject++;
		} else if (strncmp(err.msg, "nesting deeper", 14) == 0) {
			st->extra_depth++;
		} else if (jansson_nul_quirk(s, n)) {
			st->jansson_nul++;
		} else {
			/* \u0000 and out-of-range numbers are refused by jansson too */
			int documented = strcmp(err.msg, "\\u0000 is not allowed") == 0 ||
			                 strcmp(err.msg, "integer out of range") == 0 ||
			                 strcmp(err.msg, "number overflows a double") == 0;
			if (!documented)
				fprintf(stderr, "we reject what jansson accepts: %s at %zu: %.*s\n",
				        err.msg, err.offset, (int)n, s);
			CHECK(documented);
			st->extra_other++;
		}
	}
	walk_all(s, n);
	json_decref(j);
	free(out);
}

static void test_differential(long iterations)
{
	struct sb b = { 0 }, m = { 0 };
	struct diff_stats st = { 0 };

	for (long i = 0; i < iterations; i++) {
		b.n = 0;
		if (i % 50 == 0) {
			char opens[80];
			unsigned d = 55 + rn(20);
			for (unsigned k = 0; k < d; k++) {
				opens[k] = rn(2) ? '[' : '{';
				sb_puts(&b, opens[k] == '[' ? "[" : "{\"k\":");
			}
			gen_value(&b, 100, 0);
			close_deep(&b, opens, d);
		} else {
			gen_value(&b, 0, rn(4) == 0);
		}
		diff_one(b.p, b.n, &st);
		for (int k = 0; k < 8; k++) {
			m.n = 0;
			sb_put(&m, b.p, b.n);
			for (unsigned j = 1 + rn(3); j; j--)
				mutate(&m);
			diff_one(m.p, m.n, &st);
		}
		/* every prefix of some texts */
		if (i % 200 == 0)
			for (size_t k = 0; k < b.n; k++)
				diff_one(b.p, k, &st);
	}
	printf("differential: %lu texts, %lu accepted, %lu rejected by both, "
	       "%lu too deep for us only, %lu other refusals of ours only, "
	       "%lu NULs jansson skipped\n",
	       st.texts, st.accepted, st.both_reject, st.extra_depth, st.extra_other,
	       st.jansson_nul);
	CHECK(st.accepted > st.texts / 10);
	CHECK(st.both_reject > st.texts / 10);
	free(b.p);
	free(m.p);
}

/* ---- the structural pre-pass against the portable path ---- */

static const int impls[] = { ALOG_JSON_SCALAR, ALOG_JSON_SSE2, ALOG_JSON_AVX2 };
static unsigned long impl_texts;

/*
 * Each pre-pass (all run: the SIMD ones where the CPU has them, else they
 * fall back) against the portable path: the same result, byte for byte
 * the same output, the same error offset and message, as a value and as
 * an object.
 */
static void impls_agree(const char *s, size_t n)
{
	for (int obj = 0; obj < 2; obj++) {
		struct alog_json_error pe, fe;
		char *po, *fo;
		long pr, fr;

		alog_json_set_impl(ALOG_JSON_PORTABLE);
		pr = compact(s, n, &po, obj, &pe);
		for (size_t k = 0; k < ALOG_ARRAY_LEN(impls); k++) {
			alog_json_set_impl(impls[k]);
			fr = compact(s, n, &fo, obj, &fe);
			CHECK(fr == pr);
			if (fr == pr && pr >= 0)
				CHECK_MEM(fo, po, (size_t)pr);
			if (fr == pr && pr < 0) {
				CHECK(fe.offset == pe.offset);
				CHECK_STR(fe.msg, pe.msg);
			}
			if (fr != pr || (pr < 0 && fe.offset != pe.offset))
				fprintf(stderr, "impl %d differs on: %.*s\n", impls[k], (int)n, s);
			free(fo);
		}
		free(po);
	}
	alog_json_set_impl(-1);
	impl_texts++;
}

/* An ASCII string body of len bytes, sometimes with one dirty byte in it. */
static void gen_clean_body(struct sb *b, unsigned len)
{
	static const char *const dirt[] = { "\\", "\\n", "\\\"", "\\u00e9", "\xc3\xa9",
		                            "\xe2\x82\xac", "\xf0\x9f\x98\x80", "\x01",
		                            "\t", "\x80", "\xc0\xaf", "\xed\xa0\x80", "\\x",
		                            "\x7f", "\\ud800" };
	unsigned at = rn(4) == 0 ? rn(len + 1) : len + 1;

	for (unsigned i = 0; i < len; i++) {
		if (i == at)
			sb_puts(b, dirt[rn(ALOG_ARRAY_LEN(dirt))]);
		char c = (char)(0x20 + rn(0x5f));
		if (c == '"' || c == '\\')
			c = 'x';
		sb_put(b, &c, 1);
	}
}

/* Event-like objects whose strings cross 64-byte blocks, mutated. */
static void test_impls(long iterations)
{
	struct sb b = { 0 }, m = { 0 };
	static const unsigned sizes[] = { 63, 64, 65, 127, 128, 129, 4094, 4095, 4096, 4097, 4098, 4160 };

	for (long i = 0; i < iterations; i++) {
		unsigned members = 1 + rn(12);
		b.n = 0;
		sb_puts(&b, rn(8) ? "{" : " {\n ");
		for (unsigned k = 0; k < members; k++) {
			sb_printf(&b, "%s\"", k ? (rn(8) ? "," : " ,\t") : "");
			gen_clean_body(&b, rn(4) ? rn(10) : rn(140));
			sb_puts(&b, rn(8) ? "\":" : "\" : ");
			switch (rn(5)) {
			case 0:
				sb_printf(&b, "%u", rn(100000));
				break;
			case 1:
				sb_puts(&b, "{\"a\":\"");
				gen_clean_body(&b, rn(70));
				sb_puts(&b, "\",\"b\":[true,null,\"\"]}");
				break;
			default:
				sb_puts(&b, "\"");
				gen_clean_body(&b, rn(3) ? rn(30) : rn(200));
				sb_puts(&b, "\"");
			}
		}
		sb_puts(&b, "}");
		impls_agree(b.p, b.n);
		for (int k = 0; k < 4; k++) {
			m.n = 0;
			sb_put(&m, b.p, b.n);
			for (unsigned j = 1 + rn(3); j; j--)
				mutate(&m);
			impls_agree(m.p, m.n);
		}
		if (i % 100 == 0)
			for (size_t k = 0; k < b.n; k++)
				impls_agree(b.p, k);
	}
	/* around the largest text the pre-pass takes (4096 bytes) */
	for (size_t k = 0; k < ALOG_ARRAY_LEN(sizes); k++) {
		b.n = 0;
		sb_puts(&b, "{\"a\":\"");
		while (b.n < sizes[k] - 2)
			sb_puts(&b, "x");
		sb_puts(&b, "\"}");
		impls_agree(b.p, b.n);
		impls_agree(b.p, b.n - 1);
		b.p[sizes[k] / 2] = '\x01';
		impls_agree(b.p, b.n);
	}
	printf("pre-pass: %lu texts agree with the portable path\n", impl_texts);
	free(b.p);
	free(m.p);
}

/* ---- robustness of the walkers on damaged records ---- */

static void test_walker_robustness(long iterations)
{
	static const char *const recs[] = {
		("{\"actor\":\"alice\",\"action\":\"db.query\",\"meta\":{\"host\":\"app-06\",\"pid\":42},"
		 "\"msg\":\"SELECT \\\"x\\\" FROM t \\u2014 ok \\ud83d\\ude00\",\"n\":[1,2.5e3,true,null]}"),
		"{\"a\":{\"b\":{\"c\":[[[{}]]]}},\"user\":{\"id\":\"\\u0069d\"},\"x\":{\"y\":\"\\\\\"}}",
		" { \"a\" : [ ] , \"b\" : { } } ",
	};
	struct sb b = { 0 };

	for (size_t i = 0; i < ALOG_ARRAY_LEN(recs); i++) {
		size_t n = strlen(recs[i]), objend = (size_t)(strrchr(recs[i], '}') - recs[i]) + 1;
		for (size_t k = 0; k <= n; k++) {
			struct alog_json_iter it;
			struct alog_span nm, v;
			char *x = exact(recs[i], k);
			int r = alog_json_iter_init(&it, x, k);
			/* a record cut short is malformed to every walker */
			while (r == 0 && (r = alog_json_iter_next(&it, &nm, &v)) == 1)
				r = 0;
			CHECK(k >= objend ? r == 0 : r == -1);
			CHECK((alog_json_skip(x, x + k) != NULL) == (k >= objend));
			walk_all(x, k);
			free(x);
			/* and every suffix */
			x = exact(recs[i] + k, n - k);
			walk_all(x, n - k);
			free(x);
		}
	}
	for (long i = 0; i < iterations; i++) {
		const char *src = recs[rn(ALOG_ARRAY_LEN(recs))];
		b.n = 0;
		sb_put(&b, src, strlen(src));
		for (unsigned j = 1 + rn(4); j; j--)
			mutate(&b);
		char *x = exact(b.p, b.n);
		walk_all(x, b.n);
		free(x);
	}
	free(b.p);
}

/* ---- throughput ---- */

static size_t gen_event(char *o, size_t cap)
{
	static const char *const actors[] = { "alice", "bob", "carol", "dave", "svc-backup",
		                              "j\xc3\xbcrgen", "mallory" };
	static const char *const actions[] = { "db.query", "db.update", "auth.login",
		                               "auth.logout", "file.read", "file.delete",
		                               "config.change" };
	static const char *const targets[] = { "payments", "users", "orders", "/etc/passwd",
		                               "audit-config", "invoices-2024" };
	static const char *const msgs[] = {
		"SELECT id, amount FROM payments WHERE status = 'pending' LIMIT 100",
		"UPDATE users SET last_login = now() WHERE id = $1",
		"login from 10.2.3.4 via \\\"sso\\\" accepted",
		"deleted 3 files under /var/tmp/export, quota now 71% \xe2\x80\x94 ok",
		"changed retention from 30d to 90d (ticket OPS-4411)",
	};
	return (size_t)snprintf(
		o, cap,
		"{\"ts\":\"2024-05-%02uT%02u:%02u:%02u.%06uZ\",\"actor\":\"%s\",\"action\":\"%s\","
		"\"target\":\"%s\",\"rows\":%u,\"ok\":%s,\"latency_ms\":%u.%03u,"
		"\"meta\":{\"host\":\"app-%02u\",\"pid\":%u,\"tags\":[\"prod\",\"eu-west-1\"]},"
		"\"msg\":\"%s\"}",
		1 + rn(28), rn(24), rn(60), rn(60), rn(1000000), actors[rn(7)], actions[rn(7)],
		targets[rn(6)], rn(100000), rn(10) ? "true" : "false", rn(2000), rn(1000),
		rn(40), 1000 + rn(60000), msgs[rn(5)]);
}

static void bench(double seconds)
{
	enum { NREC = 20000 };
	size_t *off = malloc((NREC + 1) * sizeof *off), total = 0;
	char *data = malloc(NREC * 512), *out = malloc(1024);
	struct alog_json_error err;
	double t0, t, mb;
	long rounds, i;
	unsigned long sink = 0;

	for (int k = 0; k < NREC; k++) {
		off[k] = total;
		total += gen_event(data + total, 512);
	}
	off[NREC] = total;
	printf("bench: %d records, %.1f bytes on average\n", NREC, (double)total / NREC);

	rounds = 0;
	t0 = now();
	do {
		for (i = 0; i < NREC; i++) {
			long r = alog_json_compact(data + off[i], off[i + 1] - off[i], out, 1, &err);
			if (r < 0)
				abort();
			sink += (unsigned long)r;
		}
		rounds++;
	} while ((t = now() - t0) < seconds);
	mb = (double)total * (double)rounds / 1e6;
	printf("alog_json_compact:       %8.1f MB/s  (%.2f M records/s)\n", mb / t,
	       (double)NREC * (double)rounds / t / 1e6);

	rounds = 0;
	t0 = now();
	do {
		for (i = 0; i < NREC; i++) {
			const char *path[] = { "meta", "host" };
			struct alog_span v;
			sink += (unsigned long)alog_json_lookup(data + off[i], off[i + 1] - off[i], path,
			                                        2, &v);
		}
		rounds++;
	} while ((t = now() - t0) < seconds);
	mb = (double)total * (double)rounds / 1e6;
	printf("alog_json_lookup meta.host: %5.1f MB/s\n", mb / t);

	rounds = 0;
	t0 = now();
	do {
		for (i = 0; i < NREC; i++) {
			json_error_t jerr;
			json_t *j = json_loadb(data + off[i], off[i + 1] - off[i],
			                       JSON_REJECT_DUPLICATES, &jerr);
			char *s = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (!j || !s)
				abort();
			sink += strlen(s);
			free(s);
			json_decref(j);
		}
		rounds++;
	} while ((t = now() - t0) < seconds);
	mb = (double)total * (double)rounds / 1e6;
	printf("jansson loadb+dumps:     %8.1f MB/s  (%.2f M records/s)\n", mb / t,
	       (double)NREC * (double)rounds / t / 1e6);
	if (sink == 42)
		printf("\n");
	free(off);
	free(data);
	free(out);
}

int main(int argc, char **argv)
{
	long iterations = 3000;

	if (argc > 1 && strcmp(argv[1], "--bench") == 0) {
		bench(argc > 2 ? atof(argv[2]) : 2.0);
		return 0;
	}
	if (argc > 1)
		iterations = atol(argv[1]);
	if (argc > 2)
		rng_state = strtoull(argv[2], NULL, 0) | 1;
	printf("seed 0x%llx\n", (unsigned long long)rng_state);

	test_tables();
	test_depth();
	test_numbers();
	test_big_objects();
	test_escape_utf8();
	test_walkers();
	test_differential(iterations);
	test_impls(iterations);
	test_walker_robustness(iterations * 10);
	return t_done("test_json");
}
