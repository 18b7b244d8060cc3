/*
 * fuzz_query.c - libFuzzer target for the query parser and matcher.  The
 * input is a query (up to the first newline) and a record.  Parsing never
 * crashes and points inside the query when it refuses; matching never
 * reads outside the record; a match always passes the prefilter and the
 * buffer scan; the scan with a guard stops at the guard's needle or where
 * it stops without one, whichever is first; and on valid JSON the decision does not depend on how the
 * record is spelt (whitespace, escapes), checked against jansson's own
 * re-encoding of the same value.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *   -DALOG_VERSION='"fuzz"' -Icommon tests/fuzz/fuzz_query.c $(find common -name '*.c') \
 *   -lsodium -ljansson -lm -pthread -o /tmp/fuzz_query
 */
#include "base/find.h"
#include "base/json.h"
#include "grep/query.h"

#include <jansson.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Numbers jansson would re-spell (reals) make the comparison inexact. */
static int has_real(json_t *j)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_real(j))
		return 1;
	if (json_is_object(j)) {
		json_object_foreach(j, k, v)
			if (has_real(v))
				return 1;
	}
	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (has_real(v))
				return 1;
	}
	return 0;
}

static int match_copy(struct alog_query *q, const char *p, size_t n)
{
	/* an exact-size copy, so that reading past the end is caught */
	char *c = malloc(n ? n : 1);
	int r, r2;

	memcpy(c, p, n);
	r = alog_query_match(q, c, n);
	r2 = alog_query_match(q, c, n);
	if (r != r2)
		abort();
	if (r == 1 && !alog_query_may_match(q, c, n))
		abort();
	if (r == 1 && alog_query_prefilter(q)) {
		alog_query_scan_reset(q);
		if (alog_query_scan(q, c, n, 0) >= n)
			abort();
	}
	if (alog_query_prefilter(q)) {
		/* with a guard: the first of the guard's needle and the scan without it */
		static struct alog_finder enc;
		const char *m = memmem(c, n, "alog-enc", 8);
		size_t plain, guarded, want;

		alog_finder_init(&enc, "alog-enc", 8);
		alog_query_scan_guard(q, NULL);
		plain = alog_query_scan(q, c, n, 0);
		alog_query_scan_guard(q, &enc);
		guarded = alog_query_scan(q, c, n, 0);
		alog_query_scan_guard(q, NULL);
		want = m && (size_t)(m - c) < plain ? (size_t)(m - c) : plain;
		if (guarded != want)
			abort();
	}
	free(c);
	return r;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	const char *in = (const char *)data, *nl = memchr(in, '\n', size);
	size_t qn = nl ? (size_t)(nl - in) : size;
	const char *rec = nl ? nl + 1 : in + size;
	size_t rn = size - (size_t)(rec - in);
	struct alog_query *q;
	struct alog_error e;
	char *text;
	size_t at, len;
	int r;

	if (!init) {
		if (!setlocale(LC_CTYPE, "C.UTF-8"))
			setlocale(LC_CTYPE, "");
		init = 1;
	}
	if (memchr(in, '\0', qn))
		return 0;
	text = malloc(qn + 1);
	memcpy(text, in, qn);
	text[qn] = '\0';
	q = alog_query_new();
	r = alog_query_add(q, text, &at, &len, &e);
	if (r != 0) {
		if (at > qn || len > qn - at || !e.msg[0])
			abort();
		alog_query_free(q);
		free(text);
		return 0;
	}
	/* a second alternative, the same text: the decision cannot change */
	r = match_copy(q, rec, rn);
	if (alog_query_add(q, text, &at, &len, &e) != 0 || match_copy(q, rec, rn) != r)
		abort();

	{
		json_error_t jerr;
		json_t *j = json_loadb(rec, rn, JSON_REJECT_DUPLICATES, &jerr);
		char *out = malloc(rn ? rn : 1);
		long cn = alog_json_compact(rec, rn, out, 1, NULL);
		if (j && cn >= 0 && json_is_object(j) && !has_real(j)) {
			/* compact and re-escaped (every non-ASCII byte as \u) spellings agree */
			char *dump = json_dumps(j, JSON_COMPACT | JSON_ENSURE_ASCII |
			                               JSON_PRESERVE_ORDER | JSON_ESCAPE_SLASH);
			if (dump) {
				if (match_copy(q, out, (size_t)cn) != r ||
				    match_copy(q, dump, strlen(dump)) != r)
					abort();
				free(dump);
			}
		}
		free(out);
		json_decref(j);
	}
	alog_query_free(q);
	free(text);
	return 0;
}
