/*
 * test_policy.c - the built-in detectors (each positive and negative), the
 * policy language's error messages, and the engine: required members,
 * actions, types, every rule action, paths with wildcards and arrays,
 * value patterns, the "alog" note, record mode and limits.  Every result
 * must be strict JSON.
 */
#include "base/json.h"
#include "keys/protect.h"
#include "policy/detect.h"
#include "policy/event.h"
#include "policy/policy.h"
#include "t.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/alog-test-policy-XXXXXX";
static struct alog_reader_key alice, bob;

/* ---- detectors ---- */

struct found {
	char text[8][256];
	int det[8];
	int n;
};

static int collect(void *ctx, const struct alog_detect_match *m)
{
	struct found *f = ctx;
	const char *t = f->text[7];
	if (f->n < 7) {
		snprintf(f->text[f->n], sizeof f->text[0], "%.*s", (int)(m->end - m->start),
		         t + m->start);
		f->det[f->n] = (int)m->det;
		f->n++;
	}
	return 0;
}

/* The matches of one detector in s, joined by '|'. */
static const char *detect(int det, const char *s)
{
	static char out[1024];
	struct alog_detectors d;
	struct found f;
	size_t k = 0;

	memset(&f, 0, sizeof f);
	snprintf(f.text[7], sizeof f.text[7], "%s", s);
	alog_detectors_init(&d, 1u << det);
	alog_detect(&d, f.text[7], strlen(f.text[7]), collect, &f);
	out[0] = '\0';
	for (int i = 0; i < f.n; i++)
		k += (size_t)snprintf(out + k, sizeof out - k, "%s%s", i ? "|" : "", f.text[i]);
	return out;
}

static void test_detectors(void)
{
	/* private key blocks, to their END line or to the end of the text */
	CHECK_STR(detect(ALOG_DET_PRIVATE_KEY, "key: -----BEGIN RSA PRIVATE KEY-----\nMIIE\n"
	                                       "-----END RSA PRIVATE KEY----- done"),
	          "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----");
	CHECK_STR(detect(ALOG_DET_PRIVATE_KEY, "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn"),
	          "-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn");
	CHECK_STR(detect(ALOG_DET_PRIVATE_KEY, "-----BEGIN CERTIFICATE-----\nMIIB"), "");
	CHECK_STR(detect(ALOG_DET_PRIVATE_KEY, "-----BEGIN PUBLIC KEY-----\nMIIB"), "");
	CHECK_STR(detect(ALOG_DET_PRIVATE_KEY, "-- a list ----- of dashes"), "");

	/* AWS access key ids */
	CHECK_STR(detect(ALOG_DET_AWS_KEY, "id=AKIAIOSFODNN7EXAMPLE,"), "AKIAIOSFODNN7EXAMPLE");
	CHECK_STR(detect(ALOG_DET_AWS_KEY, "ASIAY34FZKBOKMUTVV7A"), "ASIAY34FZKBOKMUTVV7A");
	CHECK_STR(detect(ALOG_DET_AWS_KEY, "AKIAIOSFODNN7EXAMPL"), "");
	CHECK_STR(detect(ALOG_DET_AWS_KEY, "XAKIAIOSFODNN7EXAMPLE"), "");
	CHECK_STR(detect(ALOG_DET_AWS_KEY, "AKIAIOSFODNN7EXAMPLEX"), "");
	CHECK_STR(detect(ALOG_DET_AWS_KEY, "AKIAiosfodnn7example"), "");
	CHECK_STR(detect(ALOG_DET_AWS_KEY, "AIDAIOSFODNN7EXAMPLE"), "");

	/* JWTs */
	CHECK_STR(detect(ALOG_DET_JWT, "t=eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln-_x; more"),
	          "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln-_x");
	CHECK_STR(detect(ALOG_DET_JWT, "eyJhbGciOiJub25lIn0.e30."), "eyJhbGciOiJub25lIn0.e30.");
	CHECK_STR(detect(ALOG_DET_JWT, "eyJhbGciOiJIUzI1NiJ9 alone"), "");
	CHECK_STR(detect(ALOG_DET_JWT, "eyJ.a.b"), "");
	CHECK_STR(detect(ALOG_DET_JWT, "keyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln"), "");

	/* bearer tokens: the token, not the word */
	CHECK_STR(detect(ALOG_DET_BEARER, "Authorization: Bearer abcdef0123456789XYZ=="),
	          "abcdef0123456789XYZ==");
	CHECK_STR(detect(ALOG_DET_BEARER, "authorization: bearer  a.b-c_d~e+f/g1234567"),
	          "a.b-c_d~e+f/g1234567");
	CHECK_STR(detect(ALOG_DET_BEARER, "the bearer token expired"), "");
	CHECK_STR(detect(ALOG_DET_BEARER, "Bearer short"), "");
	CHECK_STR(detect(ALOG_DET_BEARER, "xBearer abcdef0123456789XYZ"), "");

	/* passwords in URLs */
	CHECK_STR(detect(ALOG_DET_URL_PASSWORD, "dsn postgres://app:s3cr3t@db-1:5432/x"), "s3cr3t");
	CHECK_STR(detect(ALOG_DET_URL_PASSWORD, "redis://:hunter2@cache/0"), "hunter2");
	CHECK_STR(detect(ALOG_DET_URL_PASSWORD, "https://u:p%40ss@h/ and ftp://a:b@c"), "p%40ss|b");
	CHECK_STR(detect(ALOG_DET_URL_PASSWORD, "https://bob@example.com/"), "");
	CHECK_STR(detect(ALOG_DET_URL_PASSWORD, "https://example.com/a:b@c"), "");
	CHECK_STR(detect(ALOG_DET_URL_PASSWORD, "user:pass@host"), "");
	CHECK_STR(detect(ALOG_DET_URL_PASSWORD, "https://u:@host"), "");

	/* card numbers pass Luhn; order ids of the same shape do not */
	CHECK_STR(detect(ALOG_DET_CARD, "card 4111111111111111 ok"), "4111111111111111");
	CHECK_STR(detect(ALOG_DET_CARD, "4111 1111 1111 1111"), "4111 1111 1111 1111");
	CHECK_STR(detect(ALOG_DET_CARD, "4111-1111-1111-1111."), "4111-1111-1111-1111");
	CHECK_STR(detect(ALOG_DET_CARD, "amex 378282246310005, mc 5555555555554444"),
	          "378282246310005|5555555555554444");
	CHECK_STR(detect(ALOG_DET_CARD, "order 4111111111111112"), "");
	CHECK_STR(detect(ALOG_DET_CARD, "order 1234567812345678"), "");
	CHECK_STR(detect(ALOG_DET_CARD, "id 1234567812345670"), ""); /* Luhn, but no card IIN */
	CHECK_STR(detect(ALOG_DET_CARD, "id 8111111111111112"), "");
	CHECK_STR(detect(ALOG_DET_CARD, "x4111111111111111"), "");
	CHECK_STR(detect(ALOG_DET_CARD, "4111111111111111x"), "");
	CHECK_STR(detect(ALOG_DET_CARD, "4111111111111111.25"), "");
	CHECK_STR(detect(ALOG_DET_CARD, "41111111111111110000"), "");
	CHECK_STR(detect(ALOG_DET_CARD, "411111111111"), "");
	CHECK_STR(detect(ALOG_DET_CARD, "1234 4111111111111111"), "4111111111111111");
	CHECK_STR(detect(ALOG_DET_CARD, "4111 1111-1111 1111"), "4111 1111-1111 1111");
	CHECK_STR(detect(ALOG_DET_CARD, "2026-11-28 10.0.0.7 +1 555 123 4567"), "");
	CHECK(alog_luhn("79927398713", 11) && !alog_luhn("79927398710", 11) && !alog_luhn("", 0));
	CHECK(alog_detect_card_number("4111111111111111", 16));
	CHECK(!alog_detect_card_number("4111111111111112", 16));
	CHECK(!alog_detect_card_number("-4111111111111111", 17));

	/* e-mail addresses */
	CHECK_STR(detect(ALOG_DET_EMAIL, "mail bob@example.org."), "bob@example.org");
	CHECK_STR(detect(ALOG_DET_EMAIL, "<first.last+tag@mail.example.co.uk>"),
	          "first.last+tag@mail.example.co.uk");
	CHECK_STR(detect(ALOG_DET_EMAIL, "a@b.io, c@d.io"), "a@b.io|c@d.io");
	CHECK_STR(detect(ALOG_DET_EMAIL, "bob@localhost"), "");
	CHECK_STR(detect(ALOG_DET_EMAIL, "@example.com"), "");
	CHECK_STR(detect(ALOG_DET_EMAIL, "a@b.c"), "");
	CHECK_STR(detect(ALOG_DET_EMAIL, "user@10.0.0.7"), "");
	CHECK_STR(detect(ALOG_DET_EMAIL, "@@@"), "");
	/* a URL's userinfo is not an address */
	{
		struct alog_detectors d;
		struct found f;
		memset(&f, 0, sizeof f);
		snprintf(f.text[7], sizeof f.text[7], "ssh://git@github.com/x and me@x.org");
		alog_detectors_init(&d, 1u << ALOG_DET_EMAIL | 1u << ALOG_DET_URL_PASSWORD);
		alog_detect(&d, f.text[7], strlen(f.text[7]), collect, &f);
		CHECK(f.n == 1 && strcmp(f.text[0], "me@x.org") == 0);
	}
	CHECK(alog_detector_find("card-number") == ALOG_DET_CARD && alog_detector_find("x") == -1);
}

/*
 * Every detector against a table of positives and negatives, each with
 * the neighbours it meets in real text: other numbers, punctuation, words
 * glued on, a second finding right after the first.
 */
static const struct {
	int det;
	const char *text, *want;
} det_table[] = {
	/* private-key */
	{ALOG_DET_PRIVATE_KEY, "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----",
	 "-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----"},
	{ALOG_DET_PRIVATE_KEY, "a\n-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----\nb",
	 "-----BEGIN EC PRIVATE KEY-----\nMHc\n-----END EC PRIVATE KEY-----"},
	{ALOG_DET_PRIVATE_KEY, "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF",
	 "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIIF"},
	{ALOG_DET_PRIVATE_KEY, "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQ\n-----END PGP PRIVATE KEY BLOCK-----",
	 "-----BEGIN PGP PRIVATE KEY BLOCK-----\nlQ\n-----END PGP PRIVATE KEY BLOCK-----"},
	{ALOG_DET_PRIVATE_KEY, "-----BEGIN RSA PUBLIC KEY-----\nMIIB", ""},
	{ALOG_DET_PRIVATE_KEY, "-----BEGIN X\nPRIVATE KEY-----", ""},
	{ALOG_DET_PRIVATE_KEY, "-----BEGIN -----", ""},
	/* aws-access-key */
	{ALOG_DET_AWS_KEY, "AKIAIOSFODNN7EXAMPLE ASIAY34FZKBOKMUTVV7A",
	 "AKIAIOSFODNN7EXAMPLE|ASIAY34FZKBOKMUTVV7A"},
	{ALOG_DET_AWS_KEY, "\"AKIAIOSFODNN7EXAMPLE\"", "AKIAIOSFODNN7EXAMPLE"},
	{ALOG_DET_AWS_KEY, "key=AKIAIOSFODNN7EXAMPLE&x=1", "AKIAIOSFODNN7EXAMPLE"},
	{ALOG_DET_AWS_KEY, "1AKIAIOSFODNN7EXAMPLE", ""},
	{ALOG_DET_AWS_KEY, "AKIAIOSFODNN7EXAMPLE9", ""},
	{ALOG_DET_AWS_KEY, "AKIA IOSFODNN7EXAMPLE", ""},
	/* jwt */
	{ALOG_DET_JWT, "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln,eyJhbGciOiJIUzI1NiJ9.e30.x",
	 "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln|eyJhbGciOiJIUzI1NiJ9.e30.x"},
	{ALOG_DET_JWT, "eyJhbGciOiJSU0EtT0FFUCJ9.a1.b2.c3.d4", "eyJhbGciOiJSU0EtT0FFUCJ9.a1.b2.c3.d4"},
	{ALOG_DET_JWT, "_eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln", ""},
	{ALOG_DET_JWT, "eyJhbGciOiJIUzI1NiJ9.x.sig", ""},
	{ALOG_DET_JWT, "eyJhbGciOiJIUzI1NiJ9..sig", ""},
	/* bearer-token */
	{ALOG_DET_BEARER, "Bearer abcdefghijklmnop, Bearer qrstuvwxyz0123456",
	 "abcdefghijklmnop|qrstuvwxyz0123456"},
	{ALOG_DET_BEARER, "BEARER abcdefghijklmnop==;", "abcdefghijklmnop=="},
	{ALOG_DET_BEARER, "Bearer abcdefghijklmno", ""},
	{ALOG_DET_BEARER, "Bearerabcdefghijklmnopq", ""},
	{ALOG_DET_BEARER, "2Bearer abcdefghijklmnopq", ""},
	/* url-password: the password ends at the last '@' before the host */
	{ALOG_DET_URL_PASSWORD, "postgres://app:P@ssw0rd@db/x", "P@ssw0rd"},
	{ALOG_DET_URL_PASSWORD, "postgres://app:P@ss@w0rd@db:5432/x?sslmode=require", "P@ss@w0rd"},
	{ALOG_DET_URL_PASSWORD, "mysql://root:a:b@c@db", "a:b@c"},
	{ALOG_DET_URL_PASSWORD, "https://u:p@host/?to=me@example.com", "p"},
	{ALOG_DET_URL_PASSWORD, "https://u:p@host#x@y", "p"},
	{ALOG_DET_URL_PASSWORD, "a https://u:p1@h b https://v:p2@@k", "p1|p2@"},
	{ALOG_DET_URL_PASSWORD, "amqp://guest:gu@est@rabbit:5672", "gu@est"},
	{ALOG_DET_URL_PASSWORD, "ssh://git@github.com:org/repo", ""},
	{ALOG_DET_URL_PASSWORD, "https://@host", ""},
	{ALOG_DET_URL_PASSWORD, "://u:p@h", ""},
	{ALOG_DET_URL_PASSWORD, "mailto:bob@example.com", ""},
	/* card-number: next to a CVV, an expiry date, order numbers, another card */
	{ALOG_DET_CARD, "4111 1111 1111 1111 123", "4111 1111 1111 1111"},
	{ALOG_DET_CARD, "4111 1111 1111 1111 12 25", "4111 1111 1111 1111"},
	{ALOG_DET_CARD, "4111 1111 1111 1111 12/25 123", "4111 1111 1111 1111"},
	{ALOG_DET_CARD, "order 12 4111 1111 1111 1111", "4111 1111 1111 1111"},
	{ALOG_DET_CARD, "order 123 4111111111111111", "4111111111111111"},
	{ALOG_DET_CARD, "4111 1111 1111 1111 5555 5555 5555 4444",
	 "4111 1111 1111 1111|5555 5555 5555 4444"},
	{ALOG_DET_CARD, "4111111111111111 5555555555554444", "4111111111111111|5555555555554444"},
	{ALOG_DET_CARD, "4111-1111-1111-1111-123", "4111-1111-1111-1111"},
	{ALOG_DET_CARD, "12 4111-1111-1111-1111", "4111-1111-1111-1111"},
	{ALOG_DET_CARD, "3782 822463 10005 0425", "3782 822463 10005"},
	{ALOG_DET_CARD, "1 2 3 4 5 6 7 8 9 0 1 2 3 4 4111 1111 1111 1111 9 9",
	 "4111 1111 1111 1111"},
	{ALOG_DET_CARD, "4111 1111 1111 1111x", ""},
	{ALOG_DET_CARD, "4111 1111 1111 1111 123x", "4111 1111 1111 1111"},
	{ALOG_DET_CARD, "x4111 1111 1111 1111", ""},
	{ALOG_DET_CARD, "order 4111 1111 1111 1112 99", ""},
	{ALOG_DET_CARD, "1111 1111 1111 1111 1111", ""},
	{ALOG_DET_CARD, "phone +49 30 1234 5678, zip 10115", ""},
	/* email */
	{ALOG_DET_EMAIL, "to: a@example.com,b@example.org;c@example.net",
	 "a@example.com|b@example.org|c@example.net"},
	{ALOG_DET_EMAIL, "(bob@example.com)", "bob@example.com"},
	{ALOG_DET_EMAIL, "bob@example.com.", "bob@example.com"},
	{ALOG_DET_EMAIL, "bob@example", ""},
	{ALOG_DET_EMAIL, "bob@-example.com", ""},
	{ALOG_DET_EMAIL, "bob@example.c0m", ""},
	{ALOG_DET_EMAIL, "bob.@example.com", ""},
};

static void test_detector_table(void)
{
	for (size_t i = 0; i < sizeof det_table / sizeof det_table[0]; i++) {
		const char *got = detect(det_table[i].det, det_table[i].text);
		t_checks++;
		if (strcmp(got, det_table[i].want) != 0) {
			t_failed++;
			fprintf(stderr, "detector table row %zu (%s, \"%s\"): got \"%s\", want \"%s\"\n",
			        i, alog_detector_names[det_table[i].det], det_table[i].text, got,
			        det_table[i].want);
		}
	}
}

/* ---- policies ---- */

static const char *at(const char *name)
{
	static char buf[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

static struct alog_policy *parse(const char *text, struct alog_error *e)
{
	return alog_policy_parse(text, strlen(text), "p.json", dir, e);
}

/* The message a bad policy gets. */
static const char *parse_err(const char *text)
{
	static struct alog_error e;
	struct alog_policy *p = parse(text, &e);
	if (p) {
		alog_policy_free(p);
		return "(valid)";
	}
	return e.msg;
}

static void test_language(void)
{
	struct alog_error e;
	struct alog_policy *p;

	CHECK_STR(parse_err("{}"), "(valid)");
	p = parse("{\n \"require\": [\"actor\",]\n}", &e);
	CHECK(!p && e.line == 2 && strcmp(e.file, "p.json") == 0);
	CHECK(strncmp(e.msg, "invalid JSON at column ", 23) == 0);
	CHECK_STR(parse_err("[]"), "a policy is a JSON object");
	CHECK_STR(parse_err("{\"rule\":[]}"),
	          "policy: unknown member \"rule\" (expected version, comment, on_violation, "
	          "require, actions, types, rules, events, detectors, pepper, readers, transcript)");
	CHECK_STR(parse_err("{\"version\":2}"), "version: this is policy language version 1");
	CHECK_STR(parse_err("{\"on_violation\":\"warn\"}"),
	          "on_violation: expected \"reject\" or \"record\"");
	CHECK_STR(parse_err("{\"require\":\"actor\"}"), "require: expected an array of member "
	                                                "paths");
	CHECK_STR(parse_err("{\"require\":[\"a..b\"]}"),
	          "require[0]: member path \"a..b\" has an empty name (paths are names joined by "
	          "dots)");
	CHECK_STR(parse_err("{\"require\":[\"a.**\"]}"),
	          "require[0]: \"**\" may only start a member path (\"a.**\")");
	CHECK_STR(parse_err("{\"require\":[\"**\"]}"),
	          "require[0]: \"**\" needs a name after it (\"**.password\")");
	CHECK_STR(parse_err("{\"require\":[\"a.b*\"]}"),
	          "require[0]: in \"a.b*\", '*' stands for a whole name, not part of one");
	CHECK_STR(parse_err("{\"types\":{\"rows\":\"int\"}}"), "types.\"rows\": unknown type "
	                                                       "\"int\" (expected string, number, "
	                                                       "integer, boolean, "
	                                                       "object, array or null)");
	CHECK_STR(parse_err("{\"actions\":[]}"),
	          "actions: expected an array of action patterns (\"db.*\")");
	CHECK_STR(parse_err("{\"rules\":[{\"path\":\"a\"}]}"),
	          "rules[0]: a rule needs \"do\" (drop, mask, pseudonymise, encrypt or reject)");
	CHECK_STR(parse_err("{\"rules\":[{\"path\":\"a\",\"do\":\"hide\"}]}"),
	          "rules[0]: \"do\" must be drop, mask, pseudonymise, encrypt or reject");
	CHECK_STR(parse_err("{\"rules\":[{\"do\":\"drop\"}]}"),
	          "rules[0]: a rule needs \"path\", \"match\" or both");
	CHECK_STR(parse_err("{\"rules\":[{\"path\":\"a\",\"do\":\"drop\",\"keep\":2}]}"),
	          "rules[0]: \"keep\" applies to mask only");
	CHECK_STR(parse_err("{\"rules\":[{\"path\":\"a\",\"do\":\"mask\",\"keep\":-1}]}"),
	          "rules[0]: \"keep\" must be an integer from 0 to 64");
	CHECK_STR(parse_err("{\"rules\":[{\"name\":\"a b\",\"path\":\"a\",\"do\":\"drop\"}]}"),
	          "rules[0]: \"name\" must be 1 to 64 letters, digits, '.', '_' or '-'");
	CHECK(strncmp(parse_err("{\"rules\":[{\"match\":\"(\",\"do\":\"drop\"}]}"),
	              "rules[0]: bad regular expression in \"match\": ", 45) == 0);
	CHECK_STR(parse_err("{\"rules\":[{\"path\":\"a\",\"do\":\"drop\",\"paht\":1}]}"),
	          "rules[0]: unknown member \"paht\" (expected name, comment, path, match, do, "
	          "keep)");
	CHECK_STR(parse_err("{\"rules\":[{\"path\":\"a\",\"do\":\"encrypt\"}]}"),
	          "encrypt needs \"readers\": the public keys of who may read the values "
	          "(alog-keygen --reader)");
	CHECK_STR(parse_err("{\"detectors\":{\"email\":\"pseudonymise\"}}"),
	          "pseudonymise needs \"pepper\": a pepper file (alog-keygen --pepper)");
	CHECK_STR(parse_err("{\"detectors\":{\"ssn\":true}}"),
	          "detectors.ssn: unknown detector (expected private-key, aws-access-key, jwt, "
	          "bearer-token, url-password, card-number or email)");
	CHECK_STR(parse_err("{\"detectors\":{\"email\":1}}"),
	          "detectors.email: expected true, false, \"off\", an action or {\"do\": ...}");
	CHECK_STR(parse_err("{\"events\":[{\"require\":[\"q\"]}]}"),
	          "events[0]: needs \"action\": the action pattern (\"db.*\") it applies to");
	CHECK_STR(parse_err("{\"events\":[{\"action\":\"db.*\",\"rules\":[{\"do\":\"drop\"}]}]}"),
	          "events[0].rules[0]: a rule needs \"path\", \"match\" or both");
	CHECK(strncmp(parse_err("{\"pepper\":\"absent.key\"}"), "pepper: /tmp/", 13) == 0);
	CHECK(strstr(parse_err("{\"pepper\":\"absent.key\"}"),
	             "/absent.key: cannot open pepper file: No such file or directory") != NULL);
	CHECK_STR(parse_err("{\"readers\":[\"alice.pub\",\"alice.pub\"]}"),
	          "readers[1]: the same key as readers[0]");
	CHECK_STR(parse_err("{\"readers\":[]}"),
	          "readers: expected an array of 1 to 16 reader public key files");
}

/* Apply a policy to a JSON object; the result as an object, or "error: MSG". */
static const char *apply(struct alog_policy *p, const char *event)
{
	static char buf[1 << 20], members[1 << 20];
	static struct alog_error e;
	const char *out;
	size_t n;
	long m = alog_event_from_json(event, strlen(event), members, &e);

	if (m < 0)
		return "bad test event";
	if (alog_policy_apply(p, members, (size_t)m, &out, &n, &e) != 0) {
		snprintf(buf, sizeof buf, "error: %s", e.msg);
		return buf;
	}
	buf[0] = '{';
	memcpy(buf + 1, out + (n ? 1 : 0), n ? n - 1 : 0);
	buf[n ? n : 1] = '}';
	buf[(n ? n : 1) + 1] = '\0';
	/* every record the engine makes is strict, compact JSON */
	{
		static char check[1 << 20];
		long c = alog_json_compact(buf, strlen(buf), check, 1, NULL);
		CHECK(c == (long)strlen(buf));
	}
	return buf;
}

static struct alog_policy *must(const char *text)
{
	struct alog_error e;
	struct alog_policy *p = parse(text, &e);
	if (!p)
		fprintf(stderr, "policy failed: %s\n", e.msg);
	CHECK(p != NULL);
	return p;
}

static void test_acceptance(void)
{
	struct alog_policy *p = must("{\"require\":[\"actor\",\"action\"],\"actions\":[\"db.*\","
	                             "\"auth.login\"],"
	                             "\"types\":{\"rows\":\"integer\",\"src.port\":[\"integer\","
	                             "\"null\"]},"
	                             "\"events\":[{\"name\":\"db\",\"action\":\"db.*\",\"require\":"
	                             "[\"target\",\"query\"],"
	                             "\"types\":{\"target\":\"string\"}}]}");
	struct alog_error e;
	const char *out;
	size_t n;
	char mem[256];
	long m;

	/* an acceptable event is written as given: the same bytes, no copy */
	m = alog_event_from_json("{\"actor\":\"a\",\"action\":\"auth.login\"}", 35, mem, &e);
	CHECK(alog_policy_apply(p, mem, (size_t)m, &out, &n, &e) == 0 && out == mem &&
	      n == (size_t)m);
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":\"db.query\",\"target\":\"t\",\"query\":"
	                   "\"q\","
	                   "\"rows\":3,\"src\":{\"port\":null}}"),
	          "{\"actor\":\"a\",\"action\":\"db.query\",\"target\":\"t\",\"query\":\"q\","
	          "\"rows\":3,"
	          "\"src\":{\"port\":null}}");
	CHECK_STR(apply(p, "{\"action\":\"auth.login\"}"),
	          "error: rejected by rule \"require\": missing member \"actor\"");
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":\"db.query\",\"target\":\"t\"}"),
	          "error: rejected by rule \"db\": missing member \"query\" (required for action "
	          "\"db.query\")");
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":\"shell.exec\"}"),
	          "error: rejected by rule \"actions\": action \"shell.exec\" is not allowed");
	CHECK_STR(apply(p, "{\"actor\":\"a\"}"),
	          "error: rejected by rule \"actions\": the event has no action member");
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":7}"),
	          "error: rejected by rule \"actions\": the action member is not a string");
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":\"auth.login\",\"rows\":\"3\"}"),
	          "error: rejected by rule \"types\": member \"rows\" is a string, not an integer");
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":\"auth.login\",\"rows\":3.5}"),
	          "error: rejected by rule \"types\": member \"rows\" is a number, not an integer");
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":\"auth.login\",\"src\":{\"port\":\"x\"}}"),
	          "error: rejected by rule \"types\": member \"src.port\" is a string, not one of "
	          "integer, null");
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":\"db.x\",\"target\":[],\"query\":1}"),
	          "error: rejected by rule \"db\": member \"target\" is an array, not a string");
	/* action names with escapes are matched decoded, and shown escaped */
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":\"auth.log\\u0069n\"}"),
	          "{\"actor\":\"a\",\"action\":\"auth.log\\u0069n\"}");
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":\"x\\ny\"}"),
	          "error: rejected by rule \"actions\": action \"x\\ny\" is not allowed");
	alog_policy_free(p);

	/* record mode: the event is written with the violations noted */
	p = must("{\"on_violation\":\"record\",\"require\":[\"actor\"],\"actions\":[\"db.*\"],"
	         "\"rules\":[{\"name\":\"no-ssn\",\"path\":\"ssn\",\"do\":\"reject\"}]}");
	CHECK_STR(apply(p, "{\"action\":\"shell\",\"x\":1}"),
	          "{\"action\":\"shell\",\"x\":1,\"alog\":{\"policy_violation\":[{\"rule\":"
	          "\"actions\","
	          "\"msg\":\"action \\\"shell\\\" is not allowed\"},{\"rule\":\"require\",\"msg\":"
	          "\"missing member \\\"actor\\\"\"}]}}");
	/* a reject rule rejects even then */
	CHECK_STR(apply(p, "{\"actor\":\"a\",\"action\":\"db.q\",\"ssn\":\"1\"}"),
	          "error: rejected by rule \"no-ssn\": member \"ssn\" is not allowed");
	alog_policy_free(p);
}

static void test_rules(void)
{
	struct alog_policy *p =
	        must("{\"rules\":["
	             "{\"name\":\"drop-pw\",\"path\":\"**.password\",\"do\":\"drop\"},"
	             "{\"name\":\"mask-email\",\"path\":\"user.email\",\"do\":\"mask\"},"
	             "{\"name\":\"mask-2\",\"path\":\"short\",\"do\":\"mask\",\"keep\":2},"
	             "{\"name\":\"hdr\",\"path\":\"headers.*\",\"do\":\"mask\",\"keep\":0},"
	             "{\"name\":\"who\",\"path\":\"actor\",\"do\":\"pseudonymise\"},"
	             "{\"name\":\"enc\",\"path\":\"query\",\"do\":\"encrypt\"},"
	             "{\"name\":\"ssn\",\"match\":\"[0-9]{3}-[0-9]{2}-[0-9]{4}\",\"do\":\"mask\","
	             "\"keep\":4},"
	             "{\"name\":\"tickets\",\"path\":\"notes\",\"match\":\"TKT-[0-9]+\",\"do\":"
	             "\"drop\"},"
	             "{\"name\":\"first\",\"path\":\"dup\",\"do\":\"drop\"},"
	             "{\"name\":\"second\",\"path\":\"dup\",\"do\":\"mask\"}],"
	             "\"pepper\":\"pepper.key\",\"readers\":[\"alice.pub\",\"bob.pub\"]}");
	const char *r;
	char *q;

	/* drop anywhere by name, in objects and arrays, and at the top */
	CHECK_STR(apply(p, "{\"a\":1,\"password\":\"x\",\"b\":{\"password\":2,\"c\":3},"
	                   "\"l\":[{\"password\":1},{\"k\":{\"password\":[1]}}]}"),
	          "{\"a\":1,\"b\":{\"c\":3},\"l\":[{},{\"k\":{}}],\"alog\":{\"policy\":["
	          "{\"path\":\"password\",\"rule\":\"drop-pw\",\"action\":\"drop\"},"
	          "{\"path\":\"b.password\",\"rule\":\"drop-pw\",\"action\":\"drop\"},"
	          "{\"path\":\"l[0].password\",\"rule\":\"drop-pw\",\"action\":\"drop\"},"
	          "{\"path\":\"l[1].k.password\",\"rule\":\"drop-pw\",\"action\":\"drop\"}]}}");
	CHECK_STR(apply(p, "{\"password\":1}"),
	          "{\"alog\":{\"policy\":[{\"path\":\"password\",\"rule\":\"drop-pw\","
	          "\"action\":\"drop\"}]}}");
	/* mask keeps the documented trailing characters, never more than half */
	CHECK_STR(apply(p, "{\"user\":{\"email\":\"alice@example.com\",\"id\":1}}"),
	          "{\"user\":{\"email\":\"*************.com\",\"id\":1},\"alog\":{\"policy\":["
	          "{\"path\":\"user.email\",\"rule\":\"mask-email\",\"action\":\"mask\"}]}}");
	CHECK_STR(apply(p, "{\"short\":\"abc\"}"), "{\"short\":\"**c\",\"alog\":{\"policy\":[{"
	                                           "\"path\":\"short\",\"rule\":\"mask-2\","
	                                           "\"action\":\"mask\"}]}}");
	CHECK_STR(apply(p, "{\"short\":\"h\\u00e9llo\"}"), "{\"short\":\"***lo\",\"alog\":{"
	                                                   "\"policy\":[{\"path\":\"short\","
	                                                   "\"rule\":\"mask-2\","
	                                                   "\"action\":\"mask\"}]}}");
	/* a container: every string and number in it; true and null stay */
	CHECK_STR(apply(p, "{\"short\":{\"a\":[\"wxyz\",12345],\"b\":true,\"c\":null}}"),
	          "{\"short\":{\"a\":[\"**yz\",\"***45\"],\"b\":true,\"c\":null},\"alog\":{"
	          "\"policy\":["
	          "{\"path\":\"short\",\"rule\":\"mask-2\",\"action\":\"mask\"}]}}");
	CHECK_STR(apply(p, "{\"short\":true}"), "{\"short\":true}");
	/* wildcards */
	CHECK_STR(apply(p, "{\"headers\":{\"Cookie\":\"sid=1\",\"X\":\"y\"}}"),
	          "{\"headers\":{\"Cookie\":\"*****\",\"X\":\"*\"},\"alog\":{\"policy\":["
	          "{\"path\":\"headers.Cookie\",\"rule\":\"hdr\",\"action\":\"mask\"},"
	          "{\"path\":\"headers.X\",\"rule\":\"hdr\",\"action\":\"mask\"}]}}");
	/* pseudonyms: keyed BLAKE2b (the test pepper is bytes 0..31) */
	CHECK_STR(apply(p, "{\"actor\":\"alice@example.com\"}"),
	          "{\"actor\":\"alog-ps1:Xmyd7UtRLfPklZiiXfhGeQ\",\"alog\":{\"policy\":["
	          "{\"path\":\"actor\",\"rule\":\"who\",\"action\":\"pseudonymise\"}]}}");
	CHECK_STR(apply(p, "{\"actor\":42}"),
	          "{\"actor\":\"alog-ps1:J77ExlO6VpBuCz6j5YEb9A\",\"alog\":{\"policy\":["
	          "{\"path\":\"actor\",\"rule\":\"who\",\"action\":\"pseudonymise\"}]}}");
	/* encryption: both readers get the original JSON value back */
	r = apply(p, "{\"query\":{\"sql\":\"select 1\",\"n\":[1]},\"z\":0}");
	CHECK(strncmp(r, "{\"query\":\"alog-enc2:", 20) == 0);
	CHECK(strstr(r, "\",\"z\":0,\"alog\":{\"policy\":[{\"path\":\"query\",\"rule\":\"enc\","
	                "\"action\":\"encrypt\"}]}}") != NULL);
	q = strchr(r + 9, '"');
	{
		char out[256];
		size_t len;
		struct alog_error e;
		size_t vn = (size_t)(strchr(r + 10, '"') - (r + 9)) + 1;
		(void)q;
		CHECK(alog_protect_open(&alice, r + 9, vn, NULL, out, sizeof out, &len, &e) == 0);
		CHECK(len == 26 && memcmp(out, "{\"sql\":\"select 1\",\"n\":[1]}", len) == 0);
		CHECK(alog_protect_open(&bob, r + 9, vn, NULL, out, sizeof out, &len, &e) == 0);
		CHECK(len == 26 && memcmp(out, "{\"sql\":\"select 1\",\"n\":[1]}", len) == 0);
	}
	/* value patterns replace the part that matches */
	CHECK_STR(apply(p, "{\"msg\":\"ssn 123-45-6789 and 987-65-4321.\"}"),
	          "{\"msg\":\"ssn *******6789 and *******4321.\",\"alog\":{\"policy\":["
	          "{\"path\":\"msg\",\"rule\":\"ssn\",\"action\":\"mask\"}]}}");
	/* a path with a pattern: only strings at or under the path */
	CHECK_STR(apply(p, "{\"notes\":[\"see TKT-12\",\"ok\"],\"other\":\"TKT-9\"}"),
	          "{\"notes\":[\"ok\"],\"other\":\"TKT-9\",\"alog\":{\"policy\":["
	          "{\"path\":\"notes[0]\",\"rule\":\"tickets\",\"action\":\"drop\"}]}}");
	/* the first rule in the file wins a path */
	CHECK_STR(apply(p, "{\"dup\":\"x\"}"), "{\"alog\":{\"policy\":[{\"path\":\"dup\",\"rule\":"
	                                       "\"first\",\"action\":\"drop\"}]}}");
	alog_policy_free(p);
}

static void test_detector_actions(void)
{
	struct alog_policy *p = must("{\"detectors\":{\"private-key\":\"reject\",\"aws-access-"
	                             "key\":true,\"jwt\":\"drop\","
	                             "\"bearer-token\":{\"do\":\"mask\",\"keep\":4},\"url-"
	                             "password\":\"mask\","
	                             "\"card-number\":true,\"email\":\"mask\"}}");
	char big[8192];
	size_t k;

	CHECK_STR(apply(p, "{\"cfg\":{\"key\":\"-----BEGIN EC PRIVATE KEY-----\\nMHc\\n\"}}"),
	          "error: rejected by rule \"private-key\": member \"cfg.key\" holds a private key "
	          "block");
	CHECK_STR(apply(p, "{\"a\":\"AKIAIOSFODNN7EXAMPLE\"}"),
	          "{\"a\":\"****************MPLE\",\"alog\":{\"policy\":[{\"path\":\"a\","
	          "\"rule\":\"aws-access-key\",\"action\":\"mask\"}]}}");
	CHECK_STR(apply(p, "{\"t\":[\"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln\",1]}"),
	          "{\"t\":[1],\"alog\":{\"policy\":[{\"path\":\"t[0]\",\"rule\":\"jwt\","
	          "\"action\":\"drop\"}]}}");
	CHECK_STR(apply(p, "{\"h\":\"Bearer abcdefghijklmnop1234\"}"),
	          "{\"h\":\"Bearer ****************1234\",\"alog\":{\"policy\":[{\"path\":\"h\","
	          "\"rule\":\"bearer-token\",\"action\":\"mask\"}]}}");
	/* escaped input is decoded for the detectors, and the result escaped again */
	CHECK_STR(apply(p, "{\"u\":\"postgres:\\/\\/app:p\\u0077d1@db\\/x\\n\\\"\"}"),
	          "{\"u\":\"postgres://app:****@db/"
	          "x\\n\\\"\",\"alog\":{\"policy\":[{\"path\":\"u\","
	          "\"rule\":\"url-password\",\"action\":\"mask\"}]}}");
	CHECK_STR(apply(p, "{\"c\":\"4111 1111 1111 1111\",\"order\":\"4111111111111112\"}"),
	          "{\"c\":\"**** **** **** "
	          "1111\",\"order\":\"4111111111111112\",\"alog\":{\"policy\":"
	          "[{\"path\":\"c\",\"rule\":\"card-number\",\"action\":\"mask\"}]}}");
	/* card numbers stored as numbers become masked strings; order ids stay */
	CHECK_STR(apply(p, "{\"pan\":4111111111111111,\"order\":4111111111111112}"),
	          "{\"pan\":\"************1111\",\"order\":4111111111111112,\"alog\":{\"policy\":"
	          "[{\"path\":\"pan\",\"rule\":\"card-number\",\"action\":\"mask\"}]}}");
	CHECK_STR(apply(p, "{\"m\":\"from bob@example.org, to ann@example.net\"}"),
	          "{\"m\":\"from ***@example.org, to ***@example.net\",\"alog\":{\"policy\":["
	          "{\"path\":\"m\",\"rule\":\"email\",\"action\":\"mask\"}]}}");
	/* several detectors in one string: one note each */
	CHECK_STR(apply(p, "{\"m\":\"a@b.io 4111111111111111\"}"),
	          "{\"m\":\"*@b.io ************1111\",\"alog\":{\"policy\":["
	          "{\"path\":\"m\",\"rule\":\"card-number\",\"action\":\"mask\"},"
	          "{\"path\":\"m\",\"rule\":\"email\",\"action\":\"mask\"}]}}");
	/* names are not values: a member named like a secret is left alone */
	CHECK_STR(apply(p, "{\"bob@example.org\":1}"), "{\"bob@example.org\":1}");

	/* more changes than the note lists: the rest are counted */
	k = (size_t)snprintf(big, sizeof big, "{\"l\":[");
	for (int i = 0; i < 70; i++)
		k += (size_t)snprintf(big + k, sizeof big - k, "%s\"x%d@example.org\"",
		                      i ? "," : "", i);
	snprintf(big + k, sizeof big - k, "]}");
	{
		const char *r = apply(p, big);
		CHECK(strstr(r, "{\"path\":\"l[63]\",\"rule\":\"email\",\"action\":\"mask\"}],"
		                "\"policy_omitted\":6}}") != NULL);
	}
	alog_policy_free(p);

	/* detectors that encrypt or pseudonymise */
	p = must("{\"detectors\":{\"email\":\"pseudonymise\",\"card-number\":\"encrypt\"},"
	         "\"pepper\":\"pepper.key\",\"readers\":[\"alice.pub\"]}");
	CHECK_STR(apply(p, "{\"m\":\"hi alice@example.com!\"}"),
	          "{\"m\":\"hi alog-ps1:Xmyd7UtRLfPklZiiXfhGeQ!\",\"alog\":{\"policy\":[{\"path\":"
	          "\"m\",\"rule\":\"email\",\"action\":\"pseudonymise\"}]}}");
	{
		const char *r = apply(p, "{\"c\":\"card 4111111111111111\"}");
		char out[256];
		size_t len, vn;
		struct alog_error e;
		CHECK(strncmp(r, "{\"c\":\"alog-enc2:", 16) == 0);
		vn = (size_t)(strchr(r + 6, '"') - (r + 5)) + 1;
		CHECK(alog_protect_open(&alice, r + 5, vn, NULL, out, sizeof out, &len, &e) == 0);
		CHECK(len == 23 && memcmp(out, "\"card 4111111111111111\"", len) == 0);
		CHECK(alog_protect_open(&bob, r + 5, vn, NULL, out, sizeof out, &len, &e) == 1);
	}
	alog_policy_free(p);
}

static void test_limits(void)
{
	struct alog_policy *p = must("{\"rules\":[{\"path\":\"v\",\"do\":\"encrypt\"}],"
	                             "\"readers\":[\"alice.pub\",\"bob.pub\"]}");
	static char ev[ALOG_MAX_MEMBERS + 64];
	size_t n = 600 * 1024;

	memcpy(ev, "{\"v\":\"", 6);
	memset(ev + 6, 'a', n);
	memcpy(ev + 6 + n, "\"}", 3);
	CHECK_STR(apply(p, ev), "error: the event would be longer than 1048320 bytes after the "
	                        "policy's changes");
	/* the engine is ready for the next event */
	CHECK(strncmp(apply(p, "{\"v\":1}"), "{\"v\":\"alog-enc2:", 16) == 0);
	CHECK_STR(apply(p, "{}"), "{}");
	alog_policy_free(p);
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

/* Every match (start, end, at, detector) of alog_detect, as text. */
static int record_match(void *ctx, const struct alog_detect_match *m)
{
	char *out = ctx;
	size_t k = strlen(out);
	if (k < 4000)
		snprintf(out + k, 4096 - k, "%zu-%zu@%zu:%d ", m->start, m->end, m->at, (int)m->det);
	return 0;
}

/*
 * The 16-bytes-at-a-time scan (and its NUL-padded short rest) finds what
 * the portable byte-at-a-time one finds, in texts made of the pieces the
 * detectors look for, at every length and alignment.
 */
static void test_detect_differential(void)
{
	static const char *const piece[] = {
		"alice@example.com", "@", "-", "--", "-----BEGIN RSA PRIVATE KEY-----\nMIIE",
		"-----END RSA PRIVATE KEY-----", "AKIAIOSFODNN7EXAMPLE", "ASIA", "KI", "eyJ",
		"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", "Bearer ", "bearer abc.def",
		"https://u:pw@db/x", "4111 1111 1111 1111", "4111111111111111", "5555-5555-5555-4444",
		"0123456789", "12", " ", "x", "\xc3\xa9", "\xff", "J", "I", "B", "b", ".", "_",
	};
	static char text[512], a[4096], b[4096];
	uint64_t x = 0x853c49e6748fea9bULL;
	unsigned sets[] = {0x7f, 1u << ALOG_DET_CARD, 1u << ALOG_DET_EMAIL | 1u << ALOG_DET_JWT,
	                   0x7f & ~(1u << ALOG_DET_CARD)};

	for (int round = 0; round < 40000; round++) {
		struct alog_detectors d;
		size_t n = 0;
		int np;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		np = (int)(x % 6);
		for (int i = 0; i < np; i++) {
			const char *p;
			x ^= x << 13, x ^= x >> 7, x ^= x << 17;
			p = piece[x % (sizeof piece / sizeof *piece)];
			if (n + strlen(p) < sizeof text) {
				memcpy(text + n, p, strlen(p));
				n += strlen(p);
			}
		}
		alog_detectors_init(&d, sets[round % 4]);
		/* every start offset: the 16-byte steps fall everywhere */
		for (size_t off = 0; off < (n < 20 ? n + 1 : 20); off++) {
			a[0] = b[0] = '\0';
			alog_detect_set_portable(0);
			alog_detect(&d, text + off, n - off, record_match, a);
			alog_detect_set_portable(1);
			alog_detect(&d, text + off, n - off, record_match, b);
			alog_detect_set_portable(0);
			CHECK_STR(a, b);
		}
	}
}

int main(void)
{
	struct alog_reader_pub pub;
	struct alog_error e;
	char line[256];

	if (sodium_init() < 0 || !mkdtemp(dir))
		return 2;
	test_detectors();
	test_detector_table();
	test_detect_differential();
	write_file(at("pepper.key"),
	           "alog-pepper-v1\npepper AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n", 0600);
	alog_reader_generate(&alice);
	alog_reader_generate(&bob);
	alog_reader_public(&pub, &alice);
	alog_reader_pub_format(line, sizeof line, &pub);
	strcat(line, "\n");
	write_file(at("alice.pub"), line, 0644);
	alog_reader_public(&pub, &bob);
	alog_reader_pub_format(line, sizeof line, &pub);
	strcat(line, "\n");
	write_file(at("bob.pub"), line, 0644);
	(void)e;
	test_language();
	test_acceptance();
	test_rules();
	test_detector_actions();
	test_limits();
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return t_done("policy");
}
