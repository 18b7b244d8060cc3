/*
 * test_query.c - the query language: the text-driven table in
 * tests/data/grep/queries.test, exact number comparison, time bounds, the
 * literal finder, error positions, and a differential test of the
 * prefilter and matcher against a reference matcher built on jansson's
 * DOM, on random records (escaped at random) and random queries.
 * Usage: test_query [iterations [seed [table]]]
 */
#include "base/find.h"
#include "base/json.h"
#include "base/ts.h"
#include "base/util.h"
#include "grep/query.h"
#include "t.h"
#include "tutil.h"

#include <jansson.h>
#include <locale.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* ---- the table ---- */

static int match_text(const char *query_alts[], int nalts, const char *event)
{
	struct alog_query *q = alog_query_new();
	struct alog_error e;
	size_t at, len;
	int r;

	for (int i = 0; i < nalts; i++)
		if (alog_query_add(q, query_alts[i], &at, &len, &e) != 0) {
			alog_query_free(q);
			return -2;
		}
	r = alog_query_match(q, event, strlen(event));
	/* the prefilter never drops a match */
	if (r == 1 && !alog_query_may_match(q, event, strlen(event))) {
		fprintf(stderr, "prefilter dropped a match: %s on %s\n", query_alts[0], event);
		r = -3;
	}
	alog_query_free(q);
	return r;
}

static void run_table(const char *path)
{
	FILE *f = fopen(path, "r");
	char line[4096];
	char *alts[16];
	int nalts = 0, cases = 0, lineno = 0;

	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		CHECK(0);
		return;
	}
	while (fgets(line, sizeof line, f)) {
		size_t n = strlen(line);
		lineno++;
		if (n && line[n - 1] == '\n')
			line[--n] = '\0';
		if (line[0] == '#')
			continue;
		if (n == 0) {
			for (int i = 0; i < nalts; i++)
				free(alts[i]);
			nalts = 0;
			continue;
		}
		if (nalts == 0) {
			alts[nalts++] = strdup(strcmp(line, "<empty>") == 0 ? "" : line);
			continue;
		}
		if (line[0] == '|' && line[1] == ' ' && nalts < 16) {
			alts[nalts++] = strdup(line + 2);
			continue;
		}
		cases++;
		if (line[0] == '!') {
			struct alog_query *q = alog_query_new();
			struct alog_error e;
			size_t at, len;
			int r = 0;
			for (int i = 0; i < nalts && r == 0; i++)
				r = alog_query_add(q, alts[i], &at, &len, &e);
			alog_query_free(q);
			t_checks++;
			if (r == 0 || !strstr(e.msg, line + 2)) {
				t_failed++;
				fprintf(stderr, "%s:%d: query '%s': want an error with \"%s\", got %s\n",
				        path, lineno, alts[0], line + 2, r == 0 ? "success" : e.msg);
			}
			continue;
		}
		{
			int want = line[0] == '+', got = match_text((const char **)alts, nalts, line + 2);
			t_checks++;
			if (got != want) {
				t_failed++;
				fprintf(stderr, "%s:%d: query '%s' on %s: got %d, want %d\n", path, lineno,
				        alts[0], line + 2, got, want);
			}
		}
	}
	for (int i = 0; i < nalts; i++)
		free(alts[i]);
	fclose(f);
	CHECK(cases > 100);
}

/* ---- numbers ---- */

static int ncmp(const char *a, const char *b)
{
	int c = 99;
	if (alog_num_cmp(a, strlen(a), b, strlen(b), &c) != 0)
		return 99;
	return c;
}

static void test_numbers(void)
{
	CHECK(ncmp("42", "42") == 0);
	CHECK(ncmp("42", "42.000") == 0);
	CHECK(ncmp("42", "4.2e1") == 0);
	CHECK(ncmp("42", "4200E-2") == 0);
	CHECK(ncmp("0.042e3", "42") == 0);
	CHECK(ncmp("0", "-0") == 0);
	CHECK(ncmp("0", "0.0e-5") == 0);
	CHECK(ncmp("-0.0", "0e99") == 0);
	CHECK(ncmp("1", "2") < 0);
	CHECK(ncmp("2", "10") < 0);
	CHECK(ncmp("-2", "-10") > 0);
	CHECK(ncmp("-1", "0") < 0);
	CHECK(ncmp("0", "-1e-400") > 0);
	CHECK(ncmp("1e-400", "0") > 0);
	CHECK(ncmp("9007199254740993", "9007199254740992") > 0);
	CHECK(ncmp("9223372036854775807", "9223372036854775806") > 0);
	CHECK(ncmp("0.1", "0.10000000000000001") < 0);
	CHECK(ncmp("123.456", "123.4560") == 0);
	CHECK(ncmp("123.456", "123.45600001") < 0);
	CHECK(ncmp("1e999999999999999999999", "1e999999999999999999998") >= 0);
	CHECK(ncmp("-5", "-5.0000000000000000001") > 0);
	CHECK(ncmp("100", "1e2") == 0);
	CHECK(ncmp("0.5", "5e-1") == 0);
	CHECK(ncmp("01", "1") == 99);
	CHECK(ncmp("1.", "1") == 99);
	CHECK(ncmp(".5", "1") == 99);
	CHECK(ncmp("+1", "1") == 99);
	CHECK(ncmp("1e", "1") == 99);
	CHECK(ncmp("--1", "1") == 99);
	CHECK(ncmp("", "1") == 99);
	CHECK(ncmp("NaN", "1") == 99);
	CHECK(alog_num_valid("-0.5e+7", 7));
	CHECK(!alog_num_valid("0x10", 4));

	/* random integers and decimals agree with long double arithmetic */
	for (int i = 0; i < 20000; i++) {
		char a[64], b[64];
		long long x = (long long)(rnd() % 2000001) - 1000000, y = (long long)(rnd() % 2000001)
		                                                           - 1000000;
		int sa = (int)rn(5), sb = (int)rn(5);
		double fa = (double)x / pow(10, sa), fb = (double)y / pow(10, sb);
		snprintf(a, sizeof a, "%.*f", sa, fa);
		snprintf(b, sizeof b, "%.*fe%d", sb, fb * 1000, -3);
		int want = (fa > fb) - (fa < fb), got = ncmp(a, b);
		CHECK(got == want);
		if (got != want) {
			fprintf(stderr, "  %s vs %s: got %d want %d\n", a, b, got, want);
			break;
		}
	}
}

/* ---- time bounds ---- */

static void test_times(void)
{
	const int64_t S = 1000000000LL, day = 86400 * S;
	int64_t now, t;

	CHECK(alog_ts_parse("2026-11-28T05:17:17.5Z", &now) == 0);
	CHECK(alog_time_arg("now", now, 1, &t) == 0 && t == now);
	CHECK(alog_time_arg("today", now, 1, &t) == 0 && t == now - (5 * 3600 + 17 * 60 + 17) * S -
	                                                  S / 2);
	CHECK(alog_time_arg("yesterday", now, 1, &t) == 0 &&
	      t == now - (5 * 3600 + 17 * 60 + 17) * S - S / 2 - day);
	CHECK(alog_time_arg("2h", now, 1, &t) == 0 && t == now - 2 * 3600 * S);
	CHECK(alog_time_arg("30m", now, 1, &t) == 0 && t == now - 30 * 60 * S);
	CHECK(alog_time_arg("1h30m", now, 1, &t) == 0 && t == now - 90 * 60 * S);
	CHECK(alog_time_arg("2026-11-28", now, 1, &t) == 0 && t % day == 0);
	CHECK(alog_time_arg("2026-11-28T02:00:00Z", now, 1, &t) == 0 && t % day == 2 * 3600 * S);
	CHECK(alog_time_arg("2026-11-28T03:00:00+01:00", now, 1, &t) == 0 &&
	      t % day == 2 * 3600 * S);
	CHECK(alog_time_arg("2026-11-28 02:00", now, 1, &t) == 0 && t % day == 2 * 3600 * S);
	CHECK(alog_time_arg("2026-11-28T02:15", now, 1, &t) == 0 && t % day == 2 * 3600 * S +
	                                                              15 * 60 * S);
	CHECK(alog_time_arg("2026-11-28 02:00:30.25", now, 1, &t) == 0 &&
	      t % day == 2 * 3600 * S + 30 * S + S / 4);
	CHECK(alog_time_arg("2026-11-28T02:00:00.000000001Z", now, 1, &t) == 0 &&
	      t % day == 2 * 3600 * S + 1);
	CHECK(alog_time_arg("tomorrow", now, 1, &t) != 0);
	CHECK(alog_time_arg("2h ago", now, 1, &t) == 0 && t == now - 2 * 3600 * S);
	CHECK(alog_time_arg("1 hour ago", now, 1, &t) == 0 && t == now - 3600 * S);
	CHECK(alog_time_arg("2 days 3 hours ago", now, 1, &t) == 0 && t == now - 51 * 3600 * S);
	CHECK(alog_time_arg("06:35", now, 1, &t) == 0 && t == now - now % day + (6 * 60 + 35) * 60 * S);
	CHECK(alog_time_arg("yesterday 23:00", now, 1, &t) == 0 &&
	      t == now - now % day - day + 23 * 3600 * S);
	CHECK(alog_time_arg("1 hour", now, 1, &t) != 0);
	CHECK(alog_time_arg("hour ago", now, 1, &t) != 0);
	CHECK(alog_time_arg("06:35 today", now, 1, &t) != 0);
	CHECK(alog_time_arg("24:00", now, 1, &t) != 0);
	CHECK(alog_time_arg("2026-13-01", now, 1, &t) != 0);
	CHECK(alog_time_arg("2026-11-28 25:00", now, 1, &t) != 0);
	CHECK(alog_time_arg("2026-11-28 02", now, 1, &t) != 0);
	CHECK(alog_time_arg("", now, 1, &t) != 0);
	CHECK(alog_time_arg("-2h", now, 1, &t) == 0 && t == now - 2 * 3600 * S);
	CHECK(alog_time_arg("-2h ago", now, 1, &t) != 0);
	/* digits after the ninth round up */
	CHECK(alog_time_arg("2026-11-28T02:00:00.0000000001Z", now, 1, &t) == 0 &&
	      t % day == 2 * 3600 * S + 1);
	CHECK(alog_time_arg("2026-11-28T02:00:00.9999999990Z", now, 1, &t) == 0 &&
	      t % day == 2 * 3600 * S + S - 1);
	CHECK(alog_time_arg("2026-11-28T02:00:00.9999999991Z", now, 1, &t) == 0 &&
	      t % day == 2 * 3600 * S + S);
	/* without a zone: local time, in the offset of that date */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	CHECK(alog_time_arg("2026-11-28 03:00", now, 0, &t) == 0 && t % day == 2 * 3600 * S);
	CHECK(alog_time_arg("2026-07-01 03:00", now, 0, &t) == 0 && t % day == 1 * 3600 * S);
	CHECK(alog_time_arg("2026-11-28", now, 0, &t) == 0 && t % day == day - 3600 * S);
	CHECK(alog_time_arg("2026-11-28T03:00:00Z", now, 0, &t) == 0 && t % day == 3 * 3600 * S);
	CHECK(alog_time_arg("today", now, 0, &t) == 0 && t == now - now % day - 3600 * S);
	CHECK(alog_time_arg("06:35", now, 0, &t) == 0 &&
	      t == now - now % day + (5 * 60 + 35) * 60 * S);
	setenv("TZ", "UTC", 1);
	tzset();
}

/* ---- the finder ---- */

static void test_finder(void)
{
	static const char alpha[] = "ae\":,s0lic{}\\xZ";
	char hay[600], needle[12];

	for (int i = 0; i < 40000; i++) {
		struct alog_finder f;
		size_t hn = rn(sizeof hay), nn = 1 + rn(sizeof needle);
		unsigned k = 2 + rn(sizeof alpha - 2);
		for (size_t j = 0; j < hn; j++)
			hay[j] = alpha[rn(k)];
		for (size_t j = 0; j < nn; j++)
			needle[j] = alpha[rn(k)];
		if (hn > nn && rn(2)) {
			size_t at = rn((unsigned)(hn - nn + 1));
			memcpy(hay + at, needle, nn);
		}
		alog_finder_init(&f, needle, nn);
		CHECK(f.i1 <= f.i2 && f.i2 < nn && (nn == 1 || f.i1 < f.i2));
		const char *want = memmem(hay, hn, needle, nn), *got = alog_find(&f, hay, hn);
		CHECK(got == want);
		if (got != want)
			break;
		/* stopping at a backslash too */
		{
			const char *bs = memchr(hay, '\\', hn), *both = alog_find_or(&f, hay, hn, '\\');
			const char *w2 = !want ? bs : !bs ? want : want < bs ? want : bs;
			CHECK(both == w2);
			if (both != w2)
				break;
		}
	}
}

/* The first of a and b (either may be NULL). */
static const char *first_of(const char *a, const char *b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/*
 * Needles longer than one vector step and haystacks at every alignment,
 * ending where their allocation ends: the 64-byte steps, the 32-byte
 * steps after them and the scalar end, against memmem and memchr.  Also
 * the search for two needles and a byte in one pass (a second needle of
 * 1-48 bytes, planted too), against the first of each alone.
 */
static void finder_long(void)
{
	static const char alpha[] = "0123.ae\\\"";
	char needle[48], needle2[48];

	for (int i = 0; i < 6000; i++) {
		struct alog_finder f, g;
		size_t off = 1 + (size_t)(i % 32), hn = rn(2100), nn = 1 + rn(sizeof needle);
		size_t n2 = 1 + rn(sizeof needle2);
		unsigned k = 2 + rn(sizeof alpha - 2);
		/* ending where its allocation ends: a read past it is an ASan error */
		char *buf = malloc(off + hn), *hay = buf + off;
		if (!buf)
			return;
		for (size_t j = 0; j < hn; j++)
			hay[j] = alpha[rn(k)];
		for (size_t j = 0; j < nn; j++)
			needle[j] = alpha[rn(k)];
		for (size_t j = 0; j < n2; j++)
			needle2[j] = alpha[rn(k)];
		/* plant them, sometimes more than once, sometimes at the very end */
		for (unsigned c = rn(3); c > 0 && hn > nn; c--) {
			size_t at = rn(2) ? rn((unsigned)(hn - nn + 1)) : hn - nn;
			memcpy(hay + at, needle, nn);
		}
		for (unsigned c = rn(3); c > 0 && hn > n2; c--) {
			size_t at = rn(2) ? rn((unsigned)(hn - n2 + 1)) : hn - n2;
			memcpy(hay + at, needle2, n2);
		}
		alog_finder_init(&f, needle, nn);
		alog_finder_init(&g, needle2, n2);
		for (size_t from = 0; from <= hn; from += 1 + rn(700)) {
			const char *want = memmem(hay + from, hn - from, needle, nn);
			const char *want2 = memmem(hay + from, hn - from, needle2, n2);
			const char *got = alog_find(&f, hay + from, hn - from);
			const char *bs = memchr(hay + from, '\\', hn - from);
			const char *both = alog_find_or(&f, hay + from, hn - from, '\\');
			const char *three = alog_find2_or(&f, &g, hay + from, hn - from, '\\');
			const char *w2 = first_of(want, bs), *w3 = first_of(w2, want2);
			CHECK(got == want);
			CHECK(both == w2);
			CHECK(three == w3);
			if (got != want || both != w2 || three != w3)
				break;
		}
		free(buf);
	}
}

/* Each search code this CPU has (the CI machines may lack AVX-512 or AVX2). */
static void test_finder_long(void)
{
	static const char *const impls[] = { "portable", "sse2", "avx2", "avx512" };

	for (size_t i = 0; i < sizeof impls / sizeof impls[0]; i++) {
		if (alog_find_use(impls[i]) != 0) {
			printf("# finder: no %s code on this CPU, not tested here\n", impls[i]);
			continue;
		}
		finder_long();
		test_finder();
	}
	CHECK(alog_find_use("neon") == -1);
	alog_find_use(NULL);
}

/* ---- errors point at the term ---- */

static void test_positions(void)
{
	struct alog_query *q = alog_query_new();
	struct alog_error e;
	size_t at, len;

	CHECK(alog_query_add(q, "actor=alice  rows>x action=y", &at, &len, &e) != 0);
	CHECK(at == 13 && len == 6);
	CHECK(strstr(e.msg, "'rows>x'") != NULL);
	CHECK(alog_query_add(q, "msg=\"a b\" x=\"open", &at, &len, &e) != 0);
	CHECK(at == 12 && len == 5);
	CHECK(alog_query_add(q, "  'x y'~( ", &at, &len, &e) != 0);
	CHECK(at == 2 && len == 7);
	CHECK(alog_query_add(q, "a=1 b.c?  d=\"x y\"", &at, &len, &e) == 0);
	CHECK(alog_query_alts(q) == 1);
	alog_query_free(q);
}

/* ---- the differential test ---- */

#define MAXT 4

enum { R_EQ, R_NE, R_RE, R_PREFIX, R_GT, R_GE, R_LT, R_LE, R_EXISTS, R_OPS };
static const char *const op_text[R_OPS] = {"=", "!=", "~", "^=", ">", ">=", "<", "<=", "?"};

struct rterm {
	char path[3][32];
	int depth, op, quoted;
	char val[200];
	size_t vlen;
	regex_t re;
};

static const char *const names[] = {"a", "b", "actor", "\xc3\xa9", "x y", "a.b", "q\"t", "n",
                                    "=", "src"};
static const char *const strs[] = {"alice", "bob", "caf\xc3\xa9", "42", "4.2e1", "true", "",
                                   "a\"b", "C:\\x", "\xf0\x9f\x98\x80", "\x01", "a b",
                                   "svc-deploy", "null", "db.query", "10.2.3.4", "a/b",
                                   "it's", "\xe2\x80\xae" "evil", "x\ny", "\t"};

/* A JSON string for the bytes s, with escapes chosen at random. */
static void put_json_str(struct sb *b, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef", HEXD[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)s, *e = p + n;

	sb_put(b, "\"", 1);
	while (p < e) {
		uint32_t cp;
		size_t len;
		if (*p < 0x80) {
			cp = *p;
			len = 1;
		} else if (*p < 0xe0) {
			cp = (uint32_t)(p[0] & 0x1f) << 6 | (p[1] & 0x3f);
			len = 2;
		} else if (*p < 0xf0) {
			cp = (uint32_t)(p[0] & 0x0f) << 12 | (uint32_t)(p[1] & 0x3f) << 6 | (p[2] & 0x3f);
			len = 3;
		} else {
			cp = (uint32_t)(p[0] & 0x07) << 18 | (uint32_t)(p[1] & 0x3f) << 12 |
			     (uint32_t)(p[2] & 0x3f) << 6 | (p[3] & 0x3f);
			len = 4;
		}
		int must = cp < 0x20 || cp == '"' || cp == '\\';
		int how = must ? 1 + (int)rn(2) : (rn(6) == 0 ? 1 + (int)rn(2) : 0);
		const char *hx = rn(2) ? hexd : HEXD;
		if (how == 2 && (cp == '"' || cp == '\\' || cp == '/' || cp == '\n' || cp == '\t')) {
			char esc[2] = {'\\', cp == '\n' ? 'n' : cp == '\t' ? 't' : (char)cp};
			sb_put(b, esc, 2);
		} else if (how) {
			char u[13];
			if (cp >= 0x10000) {
				uint32_t v = cp - 0x10000, hi = 0xd800 + (v >> 10), lo = 0xdc00 + (v & 0x3ff);
				snprintf(u, sizeof u, "\\u%c%c%c%c\\u%c%c%c%c", hx[hi >> 12], hx[hi >> 8 & 15],
				         hx[hi >> 4 & 15], hx[hi & 15], hx[lo >> 12], hx[lo >> 8 & 15],
				         hx[lo >> 4 & 15], hx[lo & 15]);
			} else {
				snprintf(u, sizeof u, "\\u%c%c%c%c", hx[cp >> 12], hx[cp >> 8 & 15],
				         hx[cp >> 4 & 15], hx[cp & 15]);
			}
			sb_puts(b, u);
		} else {
			sb_put(b, p, len);
		}
		p += len;
	}
	sb_put(b, "\"", 1);
}

/* A number whose decimal value doubles hold exactly enough to order and compare. */
static void put_number(struct sb *b)
{
	long long m = (long long)(rnd() % 200001) - 100000;
	switch (rn(5)) {
	case 0:
		sb_printf(b, "%lld", m);
		break;
	case 1:
		sb_printf(b, "%lld.%u", m / 10, rn(100));
		break;
	case 2:
		sb_printf(b, "%lld%c%d", m, rn(2) ? 'e' : 'E', (int)rn(9) - 4);
		break;
	case 3:
		sb_printf(b, "%u", rn(50));
		break;
	default:
		sb_printf(b, "%s0.%03u", rn(2) ? "-" : "", rn(1000));
	}
}

static void put_value(struct sb *b, int depth)
{
	unsigned k = rn(depth < 2 ? 10 : 8);
	if (k < 4) {
		const char *s = strs[rn(ALOG_ARRAY_LEN(strs))];
		put_json_str(b, s, strlen(s));
	} else if (k < 6) {
		put_number(b);
	} else if (k == 6) {
		static const char *const lits[] = {"true", "false", "null"};
		sb_puts(b, lits[rn(3)]);
	} else if (k == 7) {
		sb_puts(b, rn(2) ? "[]" : "[1,\"a\",{\"a\":2}]");
	} else {
		/* an object with distinct names */
		unsigned n = rn(4), used = 0;
		sb_put(b, "{", 1);
		for (unsigned i = 0; i < n; i++) {
			unsigned j = rn(ALOG_ARRAY_LEN(names));
			if (used & (1u << j))
				continue;
			if (used)
				sb_put(b, ",", 1);
			used |= 1u << j;
			put_json_str(b, names[j], strlen(names[j]));
			sb_put(b, ":", 1);
			put_value(b, depth + 1);
		}
		sb_put(b, "}", 1);
	}
}

/* The value at path in the jansson tree, or NULL. */
static json_t *ref_get(json_t *root, const struct rterm *t)
{
	json_t *cur = root;
	for (int i = 0; i < t->depth; i++) {
		if (!json_is_object(cur))
			return NULL;
		cur = json_object_get(cur, t->path[i]);
		if (!cur)
			return NULL;
	}
	return cur;
}

static int ref_eq(json_t *v, const struct rterm *t)
{
	if (json_is_string(v))
		return json_string_length(v) == t->vlen &&
		       memcmp(json_string_value(v), t->val, t->vlen) == 0;
	if (json_is_number(v))
		return !t->quoted && alog_num_valid(t->val, t->vlen) &&
		       json_number_value(v) == strtod(t->val, NULL);
	if (json_is_true(v))
		return !t->quoted && strcmp(t->val, "true") == 0;
	if (json_is_false(v))
		return !t->quoted && strcmp(t->val, "false") == 0;
	if (json_is_null(v))
		return !t->quoted && strcmp(t->val, "null") == 0;
	return 0;
}

/* The reference: the same rules, on jansson's tree. */
static int ref_term(json_t *root, const struct rterm *t)
{
	json_t *v = ref_get(root, t);
	double a, b;

	switch (t->op) {
	case R_EXISTS:
		return v != NULL;
	case R_EQ:
		return v && ref_eq(v, t);
	case R_NE:
		return !v || !ref_eq(v, t);
	case R_PREFIX:
		return v && json_is_string(v) && json_string_length(v) >= t->vlen &&
		       memcmp(json_string_value(v), t->val, t->vlen) == 0;
	case R_RE: {
		regmatch_t m;
		if (!v || !json_is_string(v))
			return 0;
		m.rm_so = 0;
		m.rm_eo = (regoff_t)json_string_length(v);
		return regexec(&t->re, json_string_value(v), 1, &m, REG_STARTEND) == 0;
	}
	default:
		if (!v || !json_is_number(v))
			return 0;
		a = json_number_value(v);
		b = strtod(t->val, NULL);
		return t->op == R_GT ? a > b : t->op == R_GE ? a >= b : t->op == R_LT ? a < b
		                                                                      : a <= b;
	}
}

/* Shell-quote s as one word with single quotes. */
static void put_quoted(struct sb *b, const char *s, size_t n)
{
	sb_put(b, "'", 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'')
			sb_puts(b, "'\\''");
		else
			sb_put(b, s + i, 1);
	}
	sb_put(b, "'", 1);
}

static int plain_word(const char *s, size_t n, int in_path)
{
	for (size_t i = 0; i < n; i++)
		if (strchr(" \t\n'\"\\=!~^<>?", s[i]) || (in_path && s[i] == '.') || s[i] < 0x20)
			return 0;
	return n > 0;
}

/* Copy s into an ERE that matches it literally. */
static void ere_literal(char *out, size_t cap, const char *s, size_t n)
{
	size_t o = 0;
	for (size_t i = 0; i < n && o + 3 < cap; i++) {
		if (strchr("\\^$.|?*+()[]{}", s[i]))
			out[o++] = '\\';
		out[o++] = s[i];
	}
	out[o] = '\0';
}

/* A term on the record, likely to be about values it holds. */
static void gen_term(struct rterm *t, json_t *root)
{
	json_t *cur = root, *v = NULL;
	const char *key = "";

	memset(t, 0, sizeof *t);
	/* walk into the record, or make a path up */
	do {
		if (json_is_object(cur) && json_object_size(cur) && rn(5)) {
			size_t k = rn((unsigned)json_object_size(cur)), i = 0;
			json_object_foreach(cur, key, v) {
				if (i++ == k)
					break;
			}
			snprintf(t->path[t->depth], sizeof t->path[0], "%s", key);
			cur = v;
		} else {
			snprintf(t->path[t->depth], sizeof t->path[0], "%s",
			         names[rn(ALOG_ARRAY_LEN(names))]);
			cur = NULL;
		}
		t->depth++;
	} while (t->depth < 3 && cur && json_is_object(cur) && rn(2));
	v = ref_get(root, t);
	t->op = (int)rn(R_OPS);
	t->quoted = (int)rn(3) == 0;

	const char *sv = v && json_is_string(v) ? json_string_value(v) : NULL;
	size_t sn = sv ? json_string_length(v) : 0;
	char num[64];
	if (v && json_is_number(v))
		/* 15 digits give back the decimal the generator wrote */
		snprintf(num, sizeof num, "%.15g", json_number_value(v));
	switch (t->op) {
	case R_EQ:
	case R_NE:
		if (sv && rn(4)) {
			t->vlen = sn < sizeof t->val ? sn : sizeof t->val - 1;
			memcpy(t->val, sv, t->vlen);
		} else if (v && json_is_number(v) && rn(4)) {
			if (json_is_integer(v) && rn(2))
				snprintf(t->val, sizeof t->val, "%lld", (long long)json_integer_value(v));
			else
				snprintf(t->val, sizeof t->val, "%se%d", num, 0);
			t->vlen = strlen(t->val);
		} else {
			const char *s = strs[rn(ALOG_ARRAY_LEN(strs))];
			t->vlen = strlen(s);
			memcpy(t->val, s, t->vlen);
		}
		break;
	case R_PREFIX:
		if (sv) {
			t->vlen = rn((unsigned)sn + 1);
			if (t->vlen >= sizeof t->val)
				t->vlen = sizeof t->val - 1;
			memcpy(t->val, sv, t->vlen);
		} else {
			t->vlen = 1;
			t->val[0] = 'a';
		}
		break;
	case R_RE: {
		const char *s = sv ? sv : strs[rn(ALOG_ARRAY_LEN(strs))];
		size_t n = sv ? sn : strlen(s), from = n ? rn((unsigned)n) : 0;
		size_t len = n - from ? rn((unsigned)(n - from)) + 1 : 0;
		char lit[180];
		/* whole characters only: ERE works on characters */
		while (from < n && ((unsigned char)s[from] & 0xc0) == 0x80)
			from++;
		if (from + len > n)
			len = n - from;
		while (from + len < n && ((unsigned char)s[from + len] & 0xc0) == 0x80)
			len++;
		ere_literal(lit, sizeof lit, s + from, len);
		snprintf(t->val, sizeof t->val, "%s%s", from == 0 && rn(2) ? "^" : "", lit);
		t->vlen = strlen(t->val);
		if (memchr(t->val, '\0', t->vlen) || regcomp(&t->re, t->val, REG_EXTENDED | REG_NOSUB))
			t->op = R_EXISTS;
		break;
	}
	case R_EXISTS:
		break;
	default:
		if (v && json_is_number(v) && rn(2)) {
			snprintf(t->val, sizeof t->val, "%s", rn(2) ? num : "0");
		} else {
			struct sb b = {0};
			put_number(&b);
			snprintf(t->val, sizeof t->val, "%s", b.p);
			free(b.p);
		}
		t->vlen = strlen(t->val);
		t->quoted = 0;
	}
	if (t->op == R_EXISTS) {
		t->vlen = 0;
		t->val[0] = '\0';
		t->quoted = 0;
	}
	/* a value that needs quoting is quoted, and so a string */
	if ((t->op == R_EQ || t->op == R_NE) && !plain_word(t->val, t->vlen, 0))
		t->quoted = 1;
	if ((t->op == R_PREFIX || t->op == R_RE) && !plain_word(t->val, t->vlen, 0))
		t->quoted = 1;
}

static void term_text(struct sb *b, const struct rterm *t)
{
	for (int i = 0; i < t->depth; i++) {
		if (i)
			sb_put(b, ".", 1);
		if (plain_word(t->path[i], strlen(t->path[i]), 1) && rn(3))
			sb_puts(b, t->path[i]);
		else
			put_quoted(b, t->path[i], strlen(t->path[i]));
	}
	sb_puts(b, op_text[t->op]);
	if (t->op == R_EXISTS)
		return;
	if (t->quoted)
		put_quoted(b, t->val, t->vlen);
	else
		sb_put(b, t->val, t->vlen);
}

static void differential(unsigned iterations)
{
	struct sb rec = {0}, all = {0}, text = {0};
	size_t *starts = malloc((iterations + 1) * sizeof *starts);
	int *want = malloc(iterations * sizeof *want);
	unsigned matches = 0, decided = 0;

	/* one query per batch of records, checked line by line and over the batch buffer */
	for (unsigned it = 0; it < iterations;) {
		unsigned batch = 1 + rn(64), nb = 0;
		struct rterm terms[2][MAXT];
		int nterms[2] = {0, 0}, nalts = 1 + (rn(4) == 0);
		struct alog_query *q = alog_query_new();
		json_error_t jerr;
		json_t *first = NULL;

		all.n = 0;
		for (unsigned k = 0; k < batch && it < iterations; k++, it++, nb++) {
			rec.n = 0;
			/* a top-level object, so records and the reference agree on its shape */
			while (rec.n < 2) {
				rec.n = 0;
				put_value(&rec, 1);
				if (rec.p[0] != '{')
					rec.n = 0;
			}
			starts[nb] = all.n;
			sb_put(&all, rec.p, rec.n);
			sb_put(&all, "\n", 1);
			if (k == 0)
				first = json_loadb(rec.p, rec.n, JSON_REJECT_DUPLICATES, &jerr);
		}
		starts[nb] = all.n;
		if (!first) {
			fprintf(stderr, "generated invalid JSON: %s\n", jerr.text);
			CHECK(0);
			alog_query_free(q);
			break;
		}
		for (int a = 0; a < nalts; a++) {
			size_t at, len;
			struct alog_error e;
			text.n = 0;
			nterms[a] = 1 + (int)rn(MAXT);
			for (int i = 0; i < nterms[a]; i++) {
				gen_term(&terms[a][i], first);
				if (i)
					sb_puts(&text, rn(4) ? " " : "  ");
				term_text(&text, &terms[a][i]);
			}
			if (alog_query_add(q, text.p, &at, &len, &e) != 0) {
				fprintf(stderr, "query rejected: %s: %s\n", text.p, e.msg);
				CHECK(0);
			}
		}
		json_decref(first);

		for (unsigned k = 0; k < nb; k++) {
			const char *line = all.p + starts[k];
			size_t n = starts[k + 1] - starts[k] - 1;
			json_t *root = json_loadb(line, n, JSON_REJECT_DUPLICATES, &jerr);
			int ref = 0, got;
			for (int a = 0; a < nalts && !ref; a++) {
				int ok = 1;
				for (int i = 0; i < nterms[a] && ok; i++)
					ok = ref_term(root, &terms[a][i]);
				ref = ok;
			}
			json_decref(root);
			got = alog_query_match(q, line, n);
			want[k] = ref;
			matches += ref;
			decided++;
			t_checks++;
			if (got != ref) {
				t_failed++;
				text.n = 0;
				for (int a = 0; a < nalts; a++) {
					if (a)
						sb_puts(&text, " | ");
					for (int i = 0; i < nterms[a]; i++) {
						sb_puts(&text, " ");
						term_text(&text, &terms[a][i]);
					}
				}
				fprintf(stderr, "differential: query [%s] on %.*s: got %d, jansson says %d\n",
				        text.p, (int)n, line, got, ref);
			}
			if (ref && !alog_query_may_match(q, line, n)) {
				t_failed++;
				fprintf(stderr, "prefilter rejected a match: %.*s\n", (int)n, line);
			}
		}
		/* the buffer scan visits every line that matches */
		{
			size_t pos = 0, lim = all.n;
			unsigned k = 0, seen = 0, needed = 0;
			alog_query_scan_reset(q);
			for (unsigned j = 0; j < nb; j++)
				needed += (unsigned)want[j];
			while (pos < lim) {
				size_t c = alog_query_scan(q, all.p, lim, pos);
				if (c >= lim)
					break;
				while (k + 1 < nb && starts[k + 1] <= c)
					k++;
				seen += (unsigned)want[k];
				pos = starts[k + 1];
				k++;
			}
			t_checks++;
			if (seen != needed) {
				t_failed++;
				fprintf(stderr, "scan visited %u of %u matching lines\n", seen, needed);
			}
		}
		for (int a = 0; a < nalts; a++)
			for (int i = 0; i < nterms[a]; i++)
				if (terms[a][i].op == R_RE)
					regfree(&terms[a][i].re);
		alog_query_free(q);
	}
	printf("differential: %u records, %u matched\n", decided, matches);
	CHECK(matches > decided / 50);
	free(rec.p);
	free(all.p);
	free(text.p);
	free(starts);
	free(want);
}

/* ---- the literal a regular expression requires ---- */

/* Does the prefilter of the query text pass line? (-1: query rejected) */
static int may_text(const char *text, const char *line)
{
	struct alog_query *q = alog_query_new();
	struct alog_error e;
	size_t at, len;
	int r = -1;

	if (alog_query_add(q, text, &at, &len, &e) == 0)
		r = alog_query_may_match(q, line, strlen(line));
	alog_query_free(q);
	return r;
}

static const char *const re_atoms[] = {
	"a", "b", "c", "-", "0", "req", "\xc3\xa9", "\"", "\\.", "\\$", ".", "[ab]", "[^a]",
	"[]a]", "[[:digit:]]", "(ab|c)", "(a)", "(a|)", "(b(c))", "\\w", "\\b", "\\<", "x", "/",
	"\\/", "\\1", " ", "}", "]", "{", "(a)\\1"};
static const char *const re_reps[] = {"*", "+", "?", "{0,2}", "{2}", "{1,}", "{0}", "{,2}"};
static const char *const re_strs[] = {"a", "b", "c", "-", "0", ".", "\xc3\xa9", "\"", "x", " ",
                                      "\\", "ab", "c-0", "req", "/", "\n", "$", "{", "}"};

/*
 * For many regular expressions, the prefiltered search (a line the
 * prefilter passes, then the matcher) selects exactly the lines regexec
 * selects on the decoded value: the literal taken from the expression is
 * one every match holds.  Lines are escaped at random or not at all, so
 * both the literal and the backslash route are taken.
 */
static void test_re_literal(unsigned iterations)
{
	struct sb re = {0}, text = {0}, str = {0}, line = {0};
	unsigned tried = 0, filtered = 0, matched = 0;

	/* the literal is taken, with the string's quotes at ^ and $ */
	CHECK(may_text("k~^req-0000", "{\"k\":\"req-0000ab\"}") == 1);
	CHECK(may_text("k~^req-0000", "{\"k\":\"req-0001\"}") == 0);
	CHECK(may_text("k~^req-0000", "{\"k\":\"xreq-0000\"}") == 0);
	CHECK(may_text("k~^req-0000", "{\"k\":\"\\u0072eq-0000\"}") == 1);
	CHECK(may_text("k~abc+d$", "{\"k\":\"xad\"}") == 0);
	CHECK(may_text("k~abc+d$", "{\"k\":\"xab\"}") == 1);
	CHECK(may_text("k~xy+abc$", "{\"k\":\"xyabcd\"}") == 0);
	CHECK(may_text("k~abc+d$", "{\"k\":\"abccd\"}") == 1);
	CHECK(may_text("k~x(a|b)*yz", "{\"k\":\"xy\"}") == 0);
	/* none when unsure: the member's name is searched instead */
	CHECK(may_text("k~abc|xyz", "{\"k\":\"xyz\"}") == 1);
	CHECK(may_text("k~abc|xyz", "{\"j\":\"xyz\"}") == 0);
	CHECK(may_text("k~ab?c", "{\"k\":\"ac\"}") == 1);
	CHECK(may_text("k~a{0}bcd", "{\"k\":\"bcd\"}") == 1);
	CHECK(may_text("k~\\wbcd", "{\"k\":\"xbcd\"}") == 1);
	{
		/* without regard to case the bytes may differ */
		struct alog_query *q = alog_query_new();
		struct alog_error e;
		size_t at, len;
		alog_query_set_icase(q, 1);
		CHECK(alog_query_add(q, "k~ABCD", &at, &len, &e) == 0);
		CHECK(alog_query_may_match(q, "{\"k\":\"abcd\"}", 12) == 1);
		alog_query_free(q);
	}

	for (unsigned it = 0; it < iterations; it++) {
		struct alog_query *q = alog_query_new();
		struct alog_error e;
		regex_t ref;
		size_t at, len;
		unsigned natoms = 1 + rn(6);

		re.n = 0;
		if (rn(3) == 0)
			sb_puts(&re, "^");
		for (unsigned i = 0; i < natoms; i++) {
			sb_puts(&re, re_atoms[rn(sizeof re_atoms / sizeof re_atoms[0])]);
			if (rn(4) == 0)
				sb_puts(&re, re_reps[rn(sizeof re_reps / sizeof re_reps[0])]);
			if (rn(12) == 0)
				sb_puts(&re, "|");
		}
		if (rn(3) == 0)
			sb_puts(&re, "$");
		sb_put(&re, "", 1);
		re.n--;
		text.n = 0;
		sb_puts(&text, "k~'");
		sb_puts(&text, re.p);
		sb_puts(&text, "'");
		sb_put(&text, "", 1);
		if (regcomp(&ref, re.p, REG_EXTENDED | REG_NOSUB) != 0) {
			alog_query_free(q);
			continue;
		}
		if (alog_query_add(q, text.p, &at, &len, &e) != 0) {
			regfree(&ref);
			alog_query_free(q);
			continue;
		}
		tried++;
		for (unsigned k = 0; k < 40; k++) {
			unsigned nparts = rn(7);
			regmatch_t m;
			int want, got, plain = 1;

			str.n = 0;
			for (unsigned i = 0; i < nparts; i++)
				sb_puts(&str, re_strs[rn(sizeof re_strs / sizeof re_strs[0])]);
			/* now and then the expression's own text, so that it matches */
			if (rn(3) == 0) {
				size_t cut = rn((unsigned)re.n + 1);
				/* whole characters: the strings are UTF-8 */
				while (cut < re.n && ((unsigned char)re.p[cut] & 0xc0) == 0x80)
					cut--;
				sb_put(&str, re.p, cut);
			}
			for (size_t i = 0; i < str.n; i++)
				if ((unsigned char)str.p[i] < 0x20 || str.p[i] == '"' || str.p[i] == '\\')
					plain = 0;
			line.n = 0;
			sb_puts(&line, rn(2) ? "{\"k\":" : "{\"o\":\"req\",\"k\":");
			if (plain && rn(4)) {
				sb_puts(&line, "\"");
				sb_put(&line, str.p, str.n);
				sb_puts(&line, "\"");
			} else {
				put_json_str(&line, str.p, str.n);
			}
			sb_puts(&line, "}");
			sb_put(&str, "", 1);
			m.rm_so = 0;
			m.rm_eo = (regoff_t)(str.n - 1);
			want = regexec(&ref, str.p, 1, &m, REG_STARTEND) == 0;
			got = alog_query_may_match(q, line.p, line.n);
			filtered += !got;
			if (got)
				got = alog_query_match(q, line.p, line.n);
			matched += (unsigned)want;
			t_checks++;
			if (got != want) {
				t_failed++;
				fprintf(stderr, "regex literal: k~'%s' on %.*s: prefiltered search %d, "
				        "regexec %d\n", re.p, (int)line.n, line.p, got, want);
			}
		}
		regfree(&ref);
		alog_query_free(q);
	}
	printf("regex literals: %u expressions, %u lines matched, %u left out by the prefilter\n",
	       tried, matched, filtered);
	/* the literals do take lines out, and the test reaches matches */
	CHECK(filtered > tried);
	CHECK(matched > tried);
	free(re.p);
	free(text.p);
	free(str.p);
	free(line.p);
}

int main(int argc, char **argv)
{
	unsigned iterations = argc > 1 ? (unsigned)strtoul(argv[1], NULL, 10) : 30000;
	const char *table = argc > 3 ? argv[3] : "tests/data/grep/queries.test";

	if (argc > 2)
		rng_state = strtoull(argv[2], NULL, 10) | 1;
	/* as alog-grep does: regular expressions over UTF-8 */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	run_table(table);
	test_numbers();
	test_times();
	test_finder();
	test_finder_long();
	test_positions();
	differential(iterations);
	test_re_literal(iterations / 3);
	return t_done("test_query");
}
