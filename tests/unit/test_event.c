/*
 * test_event.c - alog_event_from_json notes reserved top-level names in
 * its one validating pass; the reference here validates first and then
 * walks the compact object's members (the way it was done before): both
 * must accept, refuse and word their refusals alike on generated events.
 */
#include "base/json.h"
#include "format/record.h"
#include "policy/event.h"
#include "t.h"

/* The reference: the whole text validated, then its top-level names checked. */
static long reference(const char *in, size_t n, char *out, struct alog_error *e)
{
	struct alog_json_error je;
	struct alog_json_iter it;
	struct alog_span name, val;
	long m;
	int rc;

	if (n && in[n - 1] == '\n')
		n--;
	if (n > ALOG_MAX_MEMBERS)
		return alog_err(e, "event longer than %d bytes", ALOG_MAX_MEMBERS);
	m = alog_json_compact(in, n, out, 1, &je);
	if (m < 0) {
		const char *nul = memchr(in, '\0', n);
		if (nul)
			return alog_err(e, "column %zu: NUL byte in input", (size_t)(nul - in) + 1);
		return alog_err(e, "column %zu: invalid JSON: %s", je.offset + 1, je.msg);
	}
	if (alog_json_iter_init(&it, out, (size_t)m) != 0)
		return alog_err(e, "expected a JSON object");
	while ((rc = alog_json_iter_next(&it, &name, &val)) == 1) {
		int bad = 0;
		for (const char *const *r = alog_reserved_names; *r && !bad; r++)
			bad = alog_json_name_eq(name, *r, strlen(*r));
		if (bad) {
			char plain[32];
			long k = alog_json_unescape(name.p, name.n, plain, sizeof plain - 1);
			plain[k < 0 ? 0 : k] = '\0';
			return alog_err(e, "member name \"%s\" is reserved (the log sets it); use "
			                   "another name", plain);
		}
	}
	if (rc < 0)
		return alog_err(e, "malformed JSON object");
	if (m <= 2)
		return 0;
	out[0] = ',';
	return m - 1;
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;
static unsigned accepted, refused_name, invalid;

static unsigned pick(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static const char *const names[] = {
	"seq", "ts", "type", "hash", "prev", "alog", "\\u0073eq", "t\\u0073", "\\u0061log",
	"ha\\u0073h", "se", "seqq", "tss", "Alog", "alo", "prev ", "actor", "action", "a", "b",
	"x\\\"y", "\\u00e9t\\u00e9", "typ", "types", "hashes", "",
};

static void add(char *b, size_t *k, const char *s)
{
	size_t n = strlen(s);
	memcpy(b + *k, s, n);
	*k += n;
}

static void value(char *b, size_t *k, int depth)
{
	switch (pick(depth > 2 ? 4 : 6)) {
	case 0:
		add(b, k, "1");
		break;
	case 1:
		add(b, k, "\"v\"");
		break;
	case 2:
		add(b, k, "null");
		break;
	case 3:
		add(b, k, "-2.5e3");
		break;
	case 4: {
		/* a nested object: reserved names are allowed there */
		unsigned m = pick(3);
		add(b, k, "{");
		for (unsigned i = 0; i < m; i++) {
			if (i)
				add(b, k, ",");
			add(b, k, "\"");
			add(b, k, names[pick(sizeof names / sizeof *names)]);
			add(b, k, "\":");
			value(b, k, depth + 1);
		}
		add(b, k, "}");
		break;
	}
	default:
		add(b, k, "[1, {\"seq\":2}]");
	}
}

static void one(void)
{
	static char in[4096], o1[4096 * 6], o2[4096 * 6];
	struct alog_error e1, e2;
	size_t k = 0;
	unsigned m = pick(5);
	long r1, r2;

	add(in, &k, pick(8) ? "{" : " { ");
	for (unsigned i = 0; i < m; i++) {
		if (i)
			add(in, &k, pick(6) ? "," : " , ");
		add(in, &k, "\"");
		add(in, &k, names[pick(sizeof names / sizeof *names)]);
		add(in, &k, pick(6) ? "\":" : "\" : ");
		value(in, &k, 1);
	}
	add(in, &k, "}");
	/* now and then broken: cut short, a stray byte, a trailing comma */
	switch (pick(10)) {
	case 0:
		k = pick((unsigned)k + 1);
		break;
	case 1:
		in[pick((unsigned)k)] = (char)"\"{},:x\\\0"[pick(8)];
		break;
	case 2:
		if (k > 1) {
			in[k - 1] = ',';
			add(in, &k, "}");
		}
		break;
	}
	if (pick(4) == 0)
		add(in, &k, "\n");
	memset(&e1, 0, sizeof e1);
	memset(&e2, 0, sizeof e2);
	r1 = alog_event_from_json(in, k, o1, &e1);
	r2 = reference(in, k, o2, &e2);
	CHECK(r1 == r2);
	if (r1 == r2 && r1 >= 0)
		CHECK(memcmp(o1, o2, (size_t)r1) == 0);
	if (r1 < 0 && r2 < 0)
		CHECK_STR(e1.msg, e2.msg);
	if (r1 >= 0)
		accepted++;
	else if (strstr(e1.msg, "is reserved"))
		refused_name++;
	else
		invalid++;
}

int main(void)
{
	struct alog_error e;
	char out[256];

	/* the validator shows event.c only names up to this long (or escaped) */
	for (const char *const *r = alog_reserved_names; *r; r++)
		CHECK(strlen(*r) <= ALOG_RESERVED_NAME_MAX);
	for (int i = 0; i < 200000; i++)
		one();
	printf("differential: %u accepted, %u refused for a name, %u invalid\n", accepted,
	       refused_name, invalid);
	CHECK(accepted > 10000 && refused_name > 10000 && invalid > 10000);
	/* the first reserved name is the one named; invalid JSON wins over a name */
	CHECK(alog_event_from_json("{\"a\":1,\"ts\":2,\"seq\":3}", 22, out, &e) < 0);
	CHECK(strstr(e.msg, "\"ts\" is reserved") != NULL);
	CHECK(alog_event_from_json("{\"seq\":1,\"seq\":2}", 17, out, &e) < 0);
	CHECK(strstr(e.msg, "invalid JSON") != NULL);
	CHECK(alog_event_from_json("{\"\\u0061log\":1}", 15, out, &e) < 0);
	CHECK(strstr(e.msg, "\"alog\" is reserved") != NULL);
	CHECK(alog_event_from_json("{\"x\":{\"seq\":1}}", 15, out, &e) == 14);
	return t_done("test_event");
}
