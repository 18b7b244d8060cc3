/*
 * fuzz_policy.c - libFuzzer target for the policy engine: any event through
 * a policy is either rejected or becomes a record that is strict, compact
 * JSON (jansson agrees), with the "alog" note last whenever anything
 * changed, and whose protected values a reader key opens.
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -DALOG_VERSION='"fuzz"' -Icommon tests/fuzz/fuzz_policy.c $(find common -name '*.c') \
 *     -lsodium -ljansson -lm -pthread -o /tmp/fuzz_policy
 *   /tmp/fuzz_policy tests/fuzz/corpus/policy
 * The first input byte picks the policy and whether the rest is a JSON
 * object or a --text line.  The rest, as raw text, also goes through the
 * built-in detectors' fast scan and their byte-at-a-time one, which must
 * find the same matches.
 */
#include <jansson.h>
#include <sodium.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/json.h"
#include "format/record.h"
#include "keys/protect.h"
#include "policy/detect.h"
#include "policy/event.h"
#include "policy/policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const policies[] = {
	/* everything that changes values, rejecting on violations */
	"{\"require\":[\"actor\"],\"types\":{\"n\":[\"integer\",\"null\"],\"o\":\"object\"},"
	"\"rules\":["
	"{\"name\":\"pw\",\"path\":\"**.password\",\"do\":\"drop\"},"
	"{\"name\":\"m\",\"path\":\"user.*\",\"do\":\"mask\",\"keep\":3},"
	"{\"name\":\"ps\",\"path\":\"actor\",\"do\":\"pseudonymise\"},"
	"{\"name\":\"enc\",\"path\":\"q\",\"do\":\"encrypt\"},"
	"{\"name\":\"rj\",\"path\":\"forbidden\",\"do\":\"reject\"},"
	"{\"name\":\"ssn\",\"match\":\"[0-9]{3}-[0-9]{2}-[0-9]{4}\",\"do\":\"mask\"},"
	"{\"name\":\"tk\",\"path\":\"l\",\"match\":\"^x+$\",\"do\":\"drop\"},"
	"{\"name\":\"e\",\"match\":\"a*\",\"do\":\"pseudonymise\"}],"
	"\"detectors\":{\"private-key\":\"reject\",\"aws-access-key\":\"mask\",\"jwt\":\"encrypt\","
	"\"bearer-token\":{\"do\":\"mask\",\"keep\":4},\"url-password\":\"mask\","
	"\"card-number\":\"mask\",\"email\":\"pseudonymise\"},"
	"\"pepper\":\"pepper.key\",\"readers\":[\"a.pub\",\"b.pub\"]}",
	/* acceptance rules, recorded as violations */
	"{\"on_violation\":\"record\",\"require\":[\"actor\",\"action\"],"
	"\"actions\":[\"db.*\",\"auth.?ogin\",\"*x*\"],\"types\":{\"rows\":\"integer\",\"*\":"
	"[\"string\",\"number\",\"object\",\"array\",\"boolean\",\"null\"]},"
	"\"events\":[{\"name\":\"db\",\"action\":[\"db.*\"],\"require\":[\"query\",\"a.b.c\"],"
	"\"rules\":[{\"path\":\"query\",\"do\":\"encrypt\"},{\"match\":\"[[:digit:]]+\","
	"\"do\":\"drop\"}]}],"
	"\"detectors\":{\"private-key\":\"drop\",\"aws-access-key\":\"drop\",\"jwt\":\"mask\","
	"\"bearer-token\":\"pseudonymise\",\"url-password\":\"encrypt\",\"card-number\":"
	"\"encrypt\",\"email\":\"mask\"},"
	"\"pepper\":\"pepper.key\",\"readers\":[\"a.pub\"]}",
};

static struct alog_policy *pol[2];
static struct alog_unprotect *reader;
static char dir[] = "/tmp/fuzz-policy-XXXXXX";
static char *members, *obj, *check;

static void cleanup(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
}

static void write_file(const char *name, const char *text)
{
	char path[128];
	FILE *f;
	snprintf(path, sizeof path, "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
}

static void setup(void)
{
	struct alog_reader_key a, b;
	struct alog_reader_pub pub;
	struct alog_error e;
	char line[256], path[128];

	if (sodium_init() < 0 || !mkdtemp(dir))
		abort();
	atexit(cleanup);
	write_file("pepper.key",
	           "alog-pepper-v1\npepper AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n");
	alog_reader_generate(&a);
	alog_reader_generate(&b);
	snprintf(path, sizeof path, "%s/a.key", dir);
	if (alog_reader_key_save(&a, path, &e) != 0)
		abort();
	alog_reader_public(&pub, &a);
	alog_reader_pub_format(line, sizeof line, &pub);
	write_file("a.pub", line);
	alog_reader_public(&pub, &b);
	alog_reader_pub_format(line, sizeof line, &pub);
	write_file("b.pub", line);
	for (int i = 0; i < 2; i++) {
		pol[i] = alog_policy_parse(policies[i], strlen(policies[i]), "fuzz", dir, &e);
		if (!pol[i]) {
			fprintf(stderr, "policy %d: %s\n", i, e.msg);
			abort();
		}
	}
	for (int i = 0; i < 2; i++)
		alog_policy_set_place(pol[i], "fuzz", 1);
	reader = alog_unprotect_new(path, &e);
	if (!reader)
		abort();
	alog_unprotect_set_origin(reader, "fuzz");
	members = malloc(6 * (size_t)ALOG_MAX_LINE + 16);
	obj = malloc(ALOG_MAX_MEMBERS + 16);
	check = malloc(ALOG_MAX_MEMBERS + 16);
	if (!members || !obj || !check)
		abort();
}

/* The name of the last top-level member of a compact object. */
static int last_is_alog(const char *o, size_t n)
{
	struct alog_json_iter it;
	struct alog_span name, v, last = {NULL, 0};
	if (alog_json_iter_init(&it, o, n) != 0)
		return 0;
	while (alog_json_iter_next(&it, &name, &v) == 1)
		last = name;
	return last.p && alog_span_eq(last, "alog");
}

/* The matches of one scan, up to a bound (the scan stops there). */
struct found {
	struct alog_detect_match m[64];
	size_t n;
};

static int collect(void *ctx, const struct alog_detect_match *m)
{
	struct found *f = ctx;
	f->m[f->n++] = *m;
	return f->n == sizeof f->m / sizeof f->m[0];
}

/* The fast scan and the portable one agree, for each set of detectors. */
static void detect_differential(const char *t, size_t n)
{
	static const unsigned sets[] = {0x7f, 1u << ALOG_DET_CARD,
	                                0x7f & ~(1u << ALOG_DET_CARD),
	                                1u << ALOG_DET_EMAIL | 1u << ALOG_DET_JWT};
	static struct found a, b;

	for (size_t k = 0; k < sizeof sets / sizeof sets[0]; k++) {
		struct alog_detectors d;
		alog_detectors_init(&d, sets[k]);
		a.n = b.n = 0;
		alog_detect_set_portable(0);
		alog_detect(&d, t, n, collect, &a);
		alog_detect_set_portable(1);
		alog_detect(&d, t, n, collect, &b);
		alog_detect_set_portable(0);
		if (a.n != b.n)
			abort();
		for (size_t i = 0; i < a.n; i++)
			if (a.m[i].start != b.m[i].start || a.m[i].end != b.m[i].end ||
			    a.m[i].at != b.m[i].at || a.m[i].det != b.m[i].det)
				abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alog_error e;
	struct alog_policy *p;
	const char *out, *rev;
	size_t outlen, revlen, n;
	long m;
	int text;
	json_t *j;
	json_error_t je;

	if (!pol[0])
		setup();
	if (size < 1 || size > 65536)
		return 0;
	p = pol[data[0] & 1];
	text = data[0] & 2;
	data++;
	size--;
	detect_differential((const char *)data, size);
	m = text ? alog_event_from_text((const char *)data, size, members, &e) :
	           alog_event_from_json((const char *)data, size, members, &e);
	if (m < 0)
		return 0;
	if (alog_policy_apply(p, members, (size_t)m, &out, &outlen, &e) != 0) {
		if (strncmp(e.msg, "rejected by rule \"", 18) != 0 &&
		    strncmp(e.msg, "the event would be longer", 25) != 0)
			abort();
		return 0;
	}
	if (outlen > ALOG_MAX_MEMBERS || (outlen && out[0] != ','))
		abort();
	/* the record's body (seq 1, where the policy sealed its values): strict and
	 * compact, names unique */
	memcpy(obj, "{\"seq\":1", 8);
	memcpy(obj + 8, out, outlen);
	n = 8 + outlen;
	obj[n++] = '}';
	if (alog_json_compact(obj, n, check, 1, NULL) != (long)n || memcmp(obj, check, n) != 0)
		abort();
	j = json_loadb(obj, n, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		abort();
	json_decref(j);
	/* a changed event says so, last; an unchanged one is the input itself */
	if (out != members && !last_is_alog(obj, n))
		abort();
	if (out == members && (outlen != (size_t)m))
		abort();
	/* every protected value opens, to strict JSON again */
	{
		struct alog_reveal_stats st = {0, 0, 0};
		if (alog_unprotect_reveal(reader, obj, n, &rev, &revlen, &st, &e) != 0)
			abort();
		/* only values the input itself dressed up as protected may be broken */
		if (st.broken && !memmem(members, (size_t)m, ALOG_ENC_MARK, sizeof ALOG_ENC_MARK - 1))
			abort();
		j = json_loadb(rev, revlen, JSON_REJECT_DUPLICATES, &je);
		if (!j)
			abort();
		json_decref(j);
	}
	return 0;
}
