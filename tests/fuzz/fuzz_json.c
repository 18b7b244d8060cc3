/*
 * fuzz_json.c - libFuzzer target for the JSON scanner: what compact accepts,
 * jansson must accept with the same value, compact output must be a fixed
 * point, and the walkers must survive any bytes, valid or not.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE -Icommon \
 *     tests/fuzz/fuzz_json.c common/base/json.c -ljansson -o fuzz_json
 * Add -DALOG_JSON_SMALL_TABLES to reach the big-object paths with small inputs.
 */
#include "base/json.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define LOAD_FLAGS (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY)

/* jansson drops a NUL byte right after a number or literal; see test_json.c. */
static int jansson_nul_quirk(const char *s, size_t n)
{
	char *t = malloc(n + 1), *out = malloc(n + 1);
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

/* Every walker over a[0..n); with valid set, they must also succeed. */
static void walk(const char *a, size_t n, int valid)
{
	struct alog_json_iter it;
	struct alog_span nm, v;
	const char *end;
	char *buf;
	int r;

	end = alog_json_skip(a, a + n);
	if (valid && end != a + n)
		abort();
	(void)alog_json_type(a, n);
	if (alog_json_iter_init(&it, a, n) < 0) {
		if (valid && alog_json_type(a, n) == ALOG_JSON_OBJECT)
			abort();
		return;
	}
	buf = malloc(n + 1);
	while ((r = alog_json_iter_next(&it, &nm, &v)) == 1) {
		long un = alog_json_unescape(nm.p, nm.n, buf, nm.n);
		if (valid && un < 0)
			abort();
		if (un >= 0) {
			const char *path[1] = { buf };
			struct alog_span found;
			/* a valid object has one member of each name: lookup finds this one */
			if (!memchr(buf, '\0', (size_t)un)) {
				buf[un] = '\0';
				if (!alog_json_name_eq(nm, buf, (size_t)un))
					abort();
				int lr = alog_json_lookup(a, n, path, 1, &found);
				if (valid && (lr != 1 || found.p != v.p || found.n != v.n))
					abort();
			}
		}
		if (alog_json_skip(v.p, v.p + v.n) != v.p + v.n)
			abort();
		if (alog_json_type(v.p, v.n) == ALOG_JSON_STRING && v.n >= 2) {
			long sn = alog_json_unescape(v.p + 1, v.n - 2, buf, n);
			if (valid && sn < 0)
				abort();
		} else if (alog_json_type(v.p, v.n) == ALOG_JSON_OBJECT) {
			struct alog_json_iter in;
			if (alog_json_iter_init(&in, v.p, v.n) == 0)
				while (alog_json_iter_next(&in, &nm, &v) == 1)
					;
		}
	}
	if (valid && r != 0)
		abort();
	free(buf);
}

/*
 * Every structural pre-pass against the portable path: the same result,
 * output bytes, error offset and message.
 */
static void impls_agree(const char *in, size_t size, char *out, char *out2)
{
	static const int impls[] = { ALOG_JSON_SCALAR, ALOG_JSON_SSE2, ALOG_JSON_AVX2 };
	struct alog_json_error pe, fe;
	long pr, fr;

	for (int obj = 0; obj < 2; obj++) {
		alog_json_set_impl(ALOG_JSON_PORTABLE);
		pr = alog_json_compact(in, size, out, obj, &pe);
		for (size_t k = 0; k < sizeof impls / sizeof impls[0]; k++) {
			alog_json_set_impl(impls[k]);
			fr = alog_json_compact(in, size, out2, obj, &fe);
			if (fr != pr || (pr >= 0 && memcmp(out, out2, (size_t)pr) != 0) ||
			    (pr < 0 && (fe.offset != pe.offset || strcmp(fe.msg, pe.msg) != 0)))
				abort();
		}
	}
	alog_json_set_impl(-1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data;
	struct alog_json_error err, err2;
	json_error_t jerr;
	char *out = malloc(size ? size : 1), *out2 = malloc(size ? size : 1);
	json_t *j, *jo;
	long r, ro, r2;

	impls_agree(in, size, out, out2);
	r = alog_json_compact(in, size, out, 0, &err);
	ro = alog_json_compact(in, size, out2, 1, &err2);
	j = json_loadb(in, size, LOAD_FLAGS, &jerr);
	if (r >= 0) {
		/* jansson agrees, on the input and on our output, and sees the same value */
		if (!j)
			abort();
		jo = json_loadb(out, (size_t)r, LOAD_FLAGS, &jerr);
		if (!jo || !json_equal(j, jo))
			abort();
		json_decref(jo);
		if (json_is_object(j) ? ro != r || memcmp(out, out2, (size_t)r) != 0
		                      : ro != -1 || strcmp(err2.msg, "expected a JSON object") != 0)
			abort();
		/* compact output is a fixed point */
		r2 = alog_json_compact(out, (size_t)r, out2, 0, &err2);
		if (r2 != r || memcmp(out, out2, (size_t)r) != 0)
			abort();
		/* exact-size copy, so reading past the end is caught */
		char *exact = malloc((size_t)r ? (size_t)r : 1);
		memcpy(exact, out, (size_t)r);
		walk(exact, (size_t)r, 1);
		free(exact);
	} else {
		if (ro != -1 || err.offset > size || !err.msg[0])
			abort();
		/* jansson may accept only what our extra rules refuse */
		if (j && strcmp(err.msg, "nesting deeper than 64 levels") != 0 &&
		    !jansson_nul_quirk(in, size))
			abort();
	}
	json_decref(j);
	walk(in, size, 0);

	/* escaping: refused exactly for invalid UTF-8 or NUL, else it compacts */
	{
		char *esc = malloc(6 * size + 2);
		long en = alog_json_escape(in, size, esc + 1);
		int ok = alog_utf8_check(in, size) == size && !memchr(in, '\0', size);
		if ((en >= 0) != ok)
			abort();
		if (en >= 0) {
			char *o = malloc((size_t)en + 2);
			esc[0] = '"';
			esc[en + 1] = '"';
			if (alog_json_compact(esc, (size_t)en + 2, o, 0, &err) != en + 2)
				abort();
			if (alog_json_unescape(esc + 1, (size_t)en, o, (size_t)en) != (long)size ||
			    memcmp(o, in, size) != 0)
				abort();
			free(o);
		}
		free(esc);
	}
	free(out);
	free(out2);
	return 0;
}
