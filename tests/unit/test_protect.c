/*
 * test_protect.c - protected fields: reader key and pepper files (format,
 * permissions, no overwrite), sealing to two readers and opening with each,
 * a wrong key, damaged values, pseudonyms against an independent BLAKE2b,
 * and the reading API alog-grep and alog-export use (lookup, reveal).
 */
#include "base/enc.h"
#include "keys/protect.h"
#include "t.h"

#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/alog-test-protect-XXXXXX";

static const char *at(const char *name)
{
	static char buf[4][256];
	static int i;
	i = (i + 1) % 4;
	snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
	return buf[i];
}

static void write_file(const char *path, const char *text, mode_t mode)
{
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	chmod(path, mode);
}

static struct alog_reader_key alice, bob, carol;

static void test_key_files(void)
{
	struct alog_reader_key k;
	struct alog_reader_pub pub, pub2;
	struct alog_pepper pe, pe2;
	struct alog_error e;
	char line[256];
	struct stat st;

	alog_reader_generate(&alice);
	alog_reader_generate(&bob);
	alog_reader_generate(&carol);
	CHECK(alog_reader_key_save(&alice, at("alice.key"), &e) == 0);
	CHECK(stat(at("alice.key"), &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(alog_reader_key_save(&bob, at("alice.key"), &e) == -1);
	CHECK(strstr(e.msg, "already exists: refusing to overwrite a key") != NULL);
	CHECK(alog_reader_key_load(&k, at("alice.key"), &e) == 0);
	CHECK_MEM(k.sk, alice.sk, 32);
	CHECK_MEM(k.id, alice.id, 8);

	/* the public key line round-trips and names its key id */
	alog_reader_public(&pub, &alice);
	CHECK(alog_reader_pub_format(line, sizeof line, &pub) == 0);
	CHECK(strncmp(line, "alog-reader1+", 13) == 0 && strlen(line) == 13 + 16 + 1 + 44);
	CHECK(alog_reader_pub_parse(&pub2, line, strlen(line), &e) == 0);
	CHECK_MEM(pub2.pk, pub.pk, 32);
	line[14] = line[14] == '0' ? '1' : '0';
	CHECK(alog_reader_pub_parse(&pub2, line, strlen(line), &e) == -1);
	CHECK_STR(e.msg, "malformed reader public key: the key id does not match the key");
	CHECK(alog_reader_pub_parse(&pub2, "alog1+x+1+AAAA", 14, &e) == -1);
	CHECK_STR(e.msg, "not an alog reader public key (it starts with \"alog-reader1+\")");

	/* the key id is SHA-256 of the public key, cut to 8 bytes */
	{
		uint8_t pk[32], id[8], want[8];
		for (int i = 0; i < 32; i++)
			pk[i] = (uint8_t)(32 + i);
		alog_reader_id(id, pk);
		t_unhex(want, "72dbb7336c767800");
		CHECK_MEM(id, want, 8);
	}

	/* permissions as for sealing keys */
	chmod(at("alice.key"), 0640);
	CHECK(alog_reader_key_load(&k, at("alice.key"), &e) == -1);
	CHECK(strstr(e.msg, "is accessible by others (mode 0640)") != NULL);
	chmod(at("alice.key"), 0600);

	/* a secret key whose halves do not belong together */
	write_file(at("mixed.key"),
	           "alog-reader-secret-v1\nid 0000000000000000\n"
	           "public AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n"
	           "secret AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n", 0600);
	CHECK(alog_reader_key_load(&k, at("mixed.key"), &e) == -1);
	CHECK_STR(e.msg, "reader secret key does not match its public key or id");
	write_file(at("notkey"), "hello\n", 0600);
	CHECK(alog_reader_key_load(&k, at("notkey"), &e) == -1);
	CHECK_STR(e.msg, "not an alog reader secret key (no \"alog-reader-secret-v1\" line)");

	/* peppers */
	alog_pepper_generate(&pe);
	CHECK(alog_pepper_save(&pe, at("pepper.key"), &e) == 0);
	CHECK(alog_pepper_save(&pe, at("pepper.key"), &e) == -1);
	CHECK(alog_pepper_load(&pe2, at("pepper.key"), &e) == 0);
	CHECK_MEM(pe2.key, pe.key, 32);
	chmod(at("pepper.key"), 0604);
	CHECK(alog_pepper_load(&pe2, at("pepper.key"), &e) == -1);
	CHECK(strstr(e.msg, "accessible by others") != NULL);
	CHECK(alog_pepper_load(&pe2, at("absent.key"), &e) == -1);
	CHECK(strstr(e.msg, "cannot open pepper file: No such file or directory") != NULL);
	CHECK(e.file && strstr(e.file, "absent.key"));
}

static void test_pseudonym(void)
{
	struct alog_pepper pe;
	char tok[ALOG_PS_TOKEN_LEN + 1], tok2[ALOG_PS_TOKEN_LEN + 1];

	/* hashlib.blake2b(v, key=bytes(range(32)), digest_size=16), base64url */
	for (int i = 0; i < 32; i++)
		pe.key[i] = (uint8_t)i;
	alog_protect_pseudonym(&pe, "alice@example.com", 17, tok);
	CHECK_STR(tok, "alog-ps1:Xmyd7UtRLfPklZiiXfhGeQ");
	alog_protect_pseudonym(&pe, "42", 2, tok);
	CHECK_STR(tok, "alog-ps1:J77ExlO6VpBuCz6j5YEb9A");
	CHECK(strlen(tok) == ALOG_PS_TOKEN_LEN);
	pe.key[0] ^= 1;
	alog_protect_pseudonym(&pe, "42", 2, tok2);
	CHECK(strcmp(tok, tok2) != 0);
}

/* The place of member path P (JSON array text) in record seq S of log "db-1". */
static struct alog_place place(const char *path, uint64_t seq)
{
	struct alog_place pl = {"db-1", seq, path, strlen(path)};
	return pl;
}

static long seal_two_at(const char *v, const char *path, uint64_t seq, char *out, size_t cap)
{
	struct alog_reader_pub r[2];
	struct alog_error e;
	struct alog_place pl = place(path, seq);
	alog_reader_public(&r[0], &alice);
	alog_reader_public(&r[1], &bob);
	return alog_protect_seal(r, 2, &pl, v, strlen(v), out, cap, &e);
}

static long seal_two(const char *v, char *out, size_t cap)
{
	return seal_two_at(v, "[\"q\"]", 2, out, cap);
}

/* A value in the first format (alog-enc1: no place, no padding), as old logs hold. */
static long seal_v1(const struct alog_reader_key *k, const char *v, char *out, size_t cap)
{
	uint8_t raw[2 + 8 + 48 + 256];
	size_t n = strlen(v);
	raw[0] = 1;
	raw[1] = 1;
	memcpy(raw + 2, k->id, 8);
	crypto_box_seal(raw + 10, (const unsigned char *)v, n, k->pk);
	out[0] = '"';
	memcpy(out + 1, "alog-enc1:", 10);
	sodium_bin2base64(out + 11, cap - 12, raw, 10 + 48 + n, sodium_base64_VARIANT_ORIGINAL);
	strcat(out, "\"");
	return (long)strlen(out);
}

static void test_seal_open(void)
{
	char sealed[2048], out[2048], ph[256], want[256], ha[17], hb[17];
	struct alog_reader_pub r[2];
	struct alog_error e;
	struct alog_place here = place("[\"q\"]", 2), pl;
	uint8_t ids[4][8];
	size_t len, count;
	long n;
	const char *v = "{\"q\":\"select * from cards\",\"n\":[1,2]}";

	n = seal_two(v, sealed, sizeof sealed);
	CHECK(n > 0 && (size_t)n == alog_protect_sealed_len(
	                                 (size_t)alog_protect_place_text(&here, out, sizeof out),
	                                 strlen(v), 2));
	CHECK(strncmp(sealed, "\"alog-enc2:", 11) == 0 && sealed[n - 1] == '"');
	CHECK(alog_protect_is_protected(sealed, (size_t)n));
	CHECK(!alog_protect_is_protected("\"alog-enc1\"", 11));
	CHECK(!alog_protect_is_protected("\"alog-enc3:AAAA\"", 16));
	CHECK(!alog_protect_is_protected("\"hello\"", 7));
	CHECK(!alog_protect_is_protected("42", 2));

	/* both readers open it at its place; the plaintext is the original JSON value */
	CHECK(alog_protect_open(&alice, sealed, (size_t)n, &here, out, sizeof out, &len, &e) == 0);
	CHECK(len == strlen(v) && memcmp(out, v, len) == 0);
	memset(out, 0, sizeof out);
	CHECK(alog_protect_open(&bob, sealed, (size_t)n, &here, out, sizeof out, &len, &e) == 0);
	CHECK(len == strlen(v) && memcmp(out, v, len) == 0);
	/* a third key is not among the readers */
	CHECK(alog_protect_open(&carol, sealed, (size_t)n, &here, out, sizeof out, &len, &e) == 1);

	/* moved: to another member, another record, another log */
	pl = place("[\"target\"]", 2);
	CHECK(alog_protect_open(&alice, sealed, (size_t)n, &pl, out, sizeof out, &len, &e) == -1);
	CHECK_STR(e.msg, "protected value was sealed for member \"q\", not \"target\": it was "
	                 "moved here");
	pl = place("[\"q\",0]", 2);
	CHECK(alog_protect_open(&alice, sealed, (size_t)n, &pl, out, sizeof out, &len, &e) == -1);
	pl = place("[\"q\"]", 3);
	CHECK(alog_protect_open(&alice, sealed, (size_t)n, &pl, out, sizeof out, &len, &e) == -1);
	CHECK_STR(e.msg, "protected value was sealed for record seq 2, not seq 3: it was moved "
	                 "here");
	pl = place("[\"q\"]", 2);
	pl.origin = "db-2";
	CHECK(alog_protect_open(&alice, sealed, (size_t)n, &pl, out, sizeof out, &len, &e) == -1);
	CHECK_STR(e.msg, "protected value was sealed for the log \"db-1\", not this one (\"db-2\"): "
	                 "it was moved here");
	/* an unknown origin (a fragment without its header) is not checked */
	pl.origin = NULL;
	CHECK(alog_protect_open(&alice, sealed, (size_t)n, &pl, out, sizeof out, &len, &e) == 0);

	/* padded: only a 64-byte bucket of the length shows */
	{
		char a7[2048], a28[2048], a80[2048];
		long n7 = seal_two("\"1234567\"", a7, sizeof a7);
		long n28 = seal_two("\"1234567890123456789012345678\"", a28, sizeof a28);
		long n80 = seal_two("\"12345678901234567890123456789012345678901234567890123456789"
		                    "012345678901234567890\"", a80, sizeof a80);
		CHECK(n7 == n28 && n80 > n28);
	}

	/* the first format is still read; it carries no place */
	{
		char v1[1024];
		long k = seal_v1(&alice, "\"old\"", v1, sizeof v1);
		CHECK(alog_protect_is_protected(v1, (size_t)k));
		CHECK(alog_protect_open(&alice, v1, (size_t)k, &here, out, sizeof out, &len, &e) == 0);
		CHECK(len == 5 && memcmp(out, "\"old\"", 5) == 0);
		CHECK(alog_protect_open(&bob, v1, (size_t)k, &here, out, sizeof out, &len, &e) == 1);
	}

	/* the key ids, in order, and the placeholder naming them */
	CHECK(alog_protect_readers(sealed, (size_t)n, ids, 4, &count) == 0 && count == 2);
	CHECK_MEM(ids[0], alice.id, 8);
	CHECK_MEM(ids[1], bob.id, 8);
	alog_protect_placeholder(sealed, (size_t)n, ph, sizeof ph);
	snprintf(want, sizeof want, "<protected: encrypted for readers %s, %s>",
	         alog_hex(ha, alice.id, 8), alog_hex(hb, bob.id, 8));
	CHECK_STR(ph, want);
	alog_protect_placeholder("\"alog-enc1:!!!!\"", 16, ph, sizeof ph);
	CHECK_STR(ph, "<protected: malformed>");

	/* every character change is caught by the reader whose box it hits */
	for (long i = 11; i < n - 1; i++) {
		char save = sealed[i];
		int ra, rb;
		sealed[i] = sealed[i] == 'A' ? 'B' : 'A';
		ra = alog_protect_open(&alice, sealed, (size_t)n, &here, out, sizeof out, &len, &e);
		rb = alog_protect_open(&bob, sealed, (size_t)n, &here, out, sizeof out, &len, &e);
		CHECK(ra != 0 || rb != 0);
		sealed[i] = save;
	}
	/* a damaged box that still names its reader fails authentication */
	{
		char copy[2048];
		memcpy(copy, sealed, (size_t)n);
		copy[n - 10] = copy[n - 10] == 'x' ? 'y' : 'x';
		CHECK(alog_protect_open(&bob, copy, (size_t)n, &here, out, sizeof out, &len, &e) == -1);
		CHECK(strncmp(e.msg, "protected value fails authentication", 36) == 0);
		CHECK(alog_protect_open(&alice, copy, (size_t)n, &here, out, sizeof out, &len, &e) ==
		      0);
	}
	/* a version byte that does not match the prefix */
	{
		char copy[2048];
		memcpy(copy, sealed, (size_t)n);
		copy[9] = '1';
		CHECK(alog_protect_open(&alice, copy, (size_t)n, &here, out, sizeof out, &len, &e) ==
		      -1);
		CHECK_STR(e.msg, "malformed protected value");
	}
	/* truncated */
	CHECK(alog_protect_open(&alice, sealed, (size_t)n - 5, &here, out, sizeof out, &len, &e) ==
	      -1);
	CHECK_STR(e.msg, "malformed protected value");

	/* a plaintext that is not JSON is refused */
	alog_reader_public(&r[0], &alice);
	n = alog_protect_seal(r, 1, &here, "not json", 8, sealed, sizeof sealed, &e);
	CHECK(alog_protect_open(&alice, sealed, (size_t)n, &here, out, sizeof out, &len, &e) == -1);
	CHECK_STR(e.msg, "protected value does not hold a compact JSON value");

	/* limits */
	CHECK(alog_protect_seal(r, 0, &here, "1", 1, sealed, sizeof sealed, &e) == -1);
	CHECK(alog_protect_seal(r, 1, &here, "1", 1, sealed, 20, &e) == -1);
}

static void test_unprotect(void)
{
	char rec[8192], sealed[2048], user[2048], tag[2048];
	struct alog_unprotect *none, *ua, *uc;
	struct alog_reveal_stats st = {0, 0, 0};
	struct alog_error e;
	struct alog_span v;
	const char *out;
	size_t outlen;
	const char *p_query[] = {"query"}, *p_email[] = {"user", "email"}, *p_actor[] = {"actor"},
	           *p_none[] = {"nope"}, *p_target[] = {"target"};
	const char *note = ",\"alog\":{\"policy\":[{\"path\":\"query\",\"rule\":\"q\",\"action\":"
	                   "\"encrypt\"},{\"path\":\"user\",\"rule\":\"u\",\"action\":\"encrypt\"},"
	                   "{\"path\":\"tags[0]\",\"rule\":\"t\",\"action\":\"drop\"},{\"path\":"
	                   "\"tags[1]\",\"rule\":\"t\",\"action\":\"encrypt\"}]}";

	CHECK(alog_reader_key_save(&carol, at("carol.key"), &e) == 0);
	seal_two_at("\"select 1\"", "[\"query\"]", 2, sealed, sizeof sealed);
	seal_two_at("{\"email\":\"a@b.example\",\"id\":7}", "[\"user\"]", 2, user, sizeof user);
	/* tags[0] was dropped: the value that came in as tags[1] is written at [0] */
	seal_two_at("\"select 1\"", "[\"tags\",0]", 2, tag, sizeof tag);
	snprintf(rec, sizeof rec, "{\"seq\":2,\"actor\":\"alice\",\"target\":\"alog-enc1:x\","
	                          "\"query\":%s,\"user\":%s,\"tags\":[%s,1]%s}\n",
	         sealed, user, tag, note);

	none = alog_unprotect_new(NULL, &e);
	ua = alog_unprotect_new(at("alice.key"), &e);
	uc = alog_unprotect_new(at("carol.key"), &e);
	CHECK(none && ua && uc);
	CHECK(alog_unprotect_key_id(none) == NULL);
	CHECK(memcmp(alog_unprotect_key_id(ua), alice.id, 8) == 0);
	alog_unprotect_set_origin(ua, "db-1");

	/* lookups: plain members, protected members, through a protected object */
	CHECK(alog_unprotect_lookup(none, rec, strlen(rec), p_actor, 1, &v, &e) == 1);
	CHECK(v.n == 7 && memcmp(v.p, "\"alice\"", 7) == 0);
	CHECK(alog_unprotect_lookup(none, rec, strlen(rec), p_none, 1, &v, &e) == 0);
	CHECK(alog_unprotect_lookup(none, rec, strlen(rec), p_query, 1, &v, &e) ==
	      ALOG_UNPROTECT_CLOSED);
	CHECK(strncmp(e.msg, "member \"query\" is protected (encrypted for readers ", 51) == 0);
	CHECK(strstr(e.msg, "): reading it needs a reader secret key") != NULL);
	CHECK(alog_unprotect_lookup(ua, rec, strlen(rec), p_query, 1, &v, &e) == 1);
	CHECK(v.n == 10 && memcmp(v.p, "\"select 1\"", 10) == 0);
	CHECK(alog_unprotect_lookup(ua, rec, strlen(rec), p_email, 2, &v, &e) == 1);
	CHECK(v.n == 13 && memcmp(v.p, "\"a@b.example\"", 13) == 0);
	CHECK(alog_unprotect_lookup(none, rec, strlen(rec), p_email, 2, &v, &e) ==
	      ALOG_UNPROTECT_CLOSED);
	CHECK(strncmp(e.msg, "member \"user\" is protected", 26) == 0);
	CHECK(alog_unprotect_lookup(uc, rec, strlen(rec), p_query, 1, &v, &e) ==
	      ALOG_UNPROTECT_CLOSED);
	CHECK(strstr(e.msg, "is protected, and not encrypted to reader key ") != NULL);
	/* a string that only looks protected, where no policy put it, is plain text */
	CHECK(alog_unprotect_lookup(none, rec, strlen(rec), p_target, 1, &v, &e) == 1);
	CHECK(v.n == 13 && memcmp(v.p, "\"alog-enc1:x\"", 13) == 0);
	CHECK(alog_unprotect_lookup(ua, rec, strlen(rec), p_target, 1, &v, &e) == 1);

	/* reveal: decrypted with the key, placeholders without, names untouched */
	CHECK(alog_unprotect_reveal(ua, rec, strlen(rec), &out, &outlen, &st, &e) == 0);
	CHECK(memmem(out, outlen,
	             "{\"seq\":2,\"actor\":\"alice\",\"target\":\"alog-enc1:x\",\"query\":\"select "
	             "1\",\"user\":{\"email\":\"a@b.example\",\"id\":7},\"tags\":[\"select 1\",1],",
	             117) == out);
	CHECK(st.opened == 3 && st.closed == 0 && st.broken == 0);
	CHECK(alog_unprotect_reveal(none, rec, strlen(rec), &out, &outlen, &st, &e) == 0);
	CHECK(st.closed == 3);
	CHECK(memmem(out, outlen, "\"query\":\"<protected: encrypted for readers ", 43) != NULL);
	CHECK(memmem(out, outlen, "alog-enc2:", 10) == NULL);
	CHECK(memmem(out, outlen, "\"target\":\"alog-enc1:x\"", 22) != NULL);
	CHECK(alog_unprotect_reveal(uc, rec, strlen(rec), &out, &outlen, &st, &e) == 0);
	CHECK(st.closed == 6 && memmem(out, outlen, "alog-enc2:", 10) == NULL);

	/* moved values do not open: another record, another log, another member */
	{
		char moved[8192];
		struct alog_reveal_stats ms = {0, 0, 0};
		snprintf(moved, sizeof moved, "{\"seq\":3,\"query\":%s%s}", sealed, note);
		CHECK(alog_unprotect_lookup(ua, moved, strlen(moved), p_query, 1, &v, &e) == -1);
		CHECK_STR(e.msg, "protected value was sealed for record seq 2, not seq 3: it was "
		                 "moved here");
		CHECK(alog_unprotect_reveal(ua, moved, strlen(moved), &out, &outlen, &ms, &e) == 0);
		CHECK(ms.broken == 1 && ms.opened == 0);
		alog_unprotect_set_origin(ua, "db-2");
		CHECK(alog_unprotect_lookup(ua, rec, strlen(rec), p_query, 1, &v, &e) == -1);
		CHECK(strstr(e.msg, "sealed for the log \"db-1\"") != NULL);
		alog_unprotect_set_origin(ua, "db-1");
		snprintf(moved, sizeof moved, "{\"seq\":2,\"query\":%s,\"alog\":{\"policy\":[{\"path\":"
		                              "\"query\",\"rule\":\"q\",\"action\":\"encrypt\"}]}}",
		         user);
		CHECK(alog_unprotect_lookup(ua, moved, strlen(moved), p_query, 1, &v, &e) == -1);
		CHECK_STR(e.msg, "protected value was sealed for member \"user\", not \"query\": it "
		                 "was moved here");
	}

	/* without an alog member, nothing in the record is protected */
	{
		char plain[8192];
		snprintf(plain, sizeof plain, "{\"seq\":2,\"query\":%s}", sealed);
		CHECK(alog_unprotect_lookup(none, plain, strlen(plain), p_query, 1, &v, &e) == 1);
		CHECK(alog_unprotect_reveal(none, plain, strlen(plain), &out, &outlen, &st, &e) == 0);
		CHECK(outlen == strlen(plain) && memcmp(out, plain, outlen) == 0);
	}
	/* entries omitted: every such value counts as protected */
	{
		char loose[8192];
		snprintf(loose, sizeof loose, "{\"seq\":2,\"query\":%s,\"alog\":{\"policy_omitted\":3}}",
		         sealed);
		CHECK(alog_unprotect_lookup(ua, loose, strlen(loose), p_query, 1, &v, &e) == 1);
		CHECK(v.n == 10 && memcmp(v.p, "\"select 1\"", 10) == 0);
	}

	/* malformed records are errors, never crashes */
	CHECK(alog_unprotect_reveal(ua, "{\"a\":", 5, &out, &outlen, NULL, &e) == -1);
	CHECK(alog_unprotect_reveal(ua, "{\"a\":1}x", 8, &out, &outlen, NULL, &e) == -1);
	CHECK(alog_unprotect_reveal(ua, "[1,2", 4, &out, &outlen, NULL, &e) == -1);

	/* what an opened value holds is shown as it came in, never opened again */
	{
		char inner[2048], wrapped[4096], rec2[8192];
		seal_two_at("\"deep\"", "[\"a\",\"x\"]", 5, inner, sizeof inner);
		snprintf(wrapped, sizeof wrapped, "{\"x\":%s}", inner);
		seal_two_at(wrapped, "[\"a\"]", 5, user, sizeof user);
		snprintf(rec2, sizeof rec2, "{\"seq\":5,\"a\":%s,\"alog\":{\"policy\":[{\"path\":\"a\","
		                            "\"rule\":\"r\",\"action\":\"encrypt\"}]}}", user);
		CHECK(alog_unprotect_reveal(ua, rec2, strlen(rec2), &out, &outlen, NULL, &e) == 0);
		CHECK(memmem(out, outlen, "{\"seq\":5,\"a\":{\"x\":\"alog-enc2:", 29) == out);
	}
	alog_unprotect_free(none);
	alog_unprotect_free(ua);
	alog_unprotect_free(uc);
	CHECK(alog_unprotect_new(at("absent.key"), &e) == NULL);
}

int main(void)
{
	if (sodium_init() < 0 || !mkdtemp(dir))
		return 2;
	test_key_files();
	test_pseudonym();
	test_seal_open();
	test_unprotect();
	{
		char cmd[300];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", dir);
	}
	return t_done("protect");
}
