/*
 * test_note.c - signed notes against the golang.org/x/mod/sumdb/note
 * vectors and its Open and key-parsing cases, the C2SP example, and
 * round trips with every single-byte change of a signed note refused.
 */
#include "base/enc.h"
#include "format/note.h"
#include "t.h"

#include <sodium.h>

#define PETER_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_SKEY "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define PETER_SEED "810a1402d5146c8d84f2443330f54080ebf98ee17d9c74f6252fc5d5c7283173"
#define PETER_PK "1a5cd907143c384c41e830c5bce12aa8817ec5649aaabf2c31388b35b2d744d6"
#define ENOCH_VKEY "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"
#define ENOCH_SKEY "PRIVATE+KEY+EnochRoot+af0cfe78+AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
#define ENOCH_PK "3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29"

#define TEXT                                                                                \
	"If you think cryptography is the answer to your problem,\n"                       \
	"then you don't know what your problem is.\n"
#define PETER_SIG                                                                           \
	"\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZ" \
	"SNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
#define ENOCH_SIG                                                                           \
	"\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5o" \
	"vTG01oOTGwnWLox33WWd1RvMc+QQ=\n"

static struct alog_note_verifier peter, enoch;

static const char b64_alphabet[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Open a NUL-terminated note; returns the status and leaves the message in e. */
static int open_str(const char *note, const struct alog_note_verifier *vs, size_t nv,
                    struct alog_note_opened *o, struct alog_error *e)
{
	alog_error_clear(e);
	return alog_note_open(note, strlen(note), vs, nv, o, e);
}

static void check_open_err(const char *note, const struct alog_note_verifier *vs, size_t nv,
                           const char *want)
{
	struct alog_note_opened o;
	struct alog_error e;

	CHECK(open_str(note, vs, nv, &o, &e) == -1);
	CHECK_STR(e.msg, want);
}

/* s[0..at) + ins + s[at..] in a static buffer */
static const char *splice(const char *s, size_t at, const char *ins)
{
	static char buf[4096];
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)at, s, ins, s + at);
	return buf;
}

static void test_keys(void)
{
	uint8_t seed[32], pk[32];
	struct alog_note_signer s, s2;
	struct alog_error e;
	char buf[256];

	/* B5: the PeterNeumann key pair from its seed */
	t_unhex(seed, PETER_SEED);
	t_unhex(pk, PETER_PK);
	CHECK(alog_note_keyid("PeterNeumann", pk) == 0xc74f20a3);
	CHECK(alog_note_signer_from_seed(&s, "PeterNeumann", seed) == 0);
	CHECK(s.keyid == 0xc74f20a3);
	CHECK_MEM(s.sk + 32, pk, 32);
	CHECK(alog_note_vkey_format(buf, sizeof buf, "PeterNeumann", pk) == 0);
	CHECK_STR(buf, PETER_VKEY);
	CHECK(alog_note_skey_format(buf, sizeof buf, &s) == 0);
	CHECK_STR(buf, PETER_SKEY);
	CHECK(alog_note_skey_parse(&s2, PETER_SKEY, &e) == 0);
	CHECK_STR(s2.name, "PeterNeumann");
	CHECK(s2.keyid == 0xc74f20a3);
	CHECK_MEM(s2.sk, s.sk, 64);
	CHECK(alog_note_vkey_parse(&peter, PETER_VKEY, &e) == 0);
	CHECK_STR(peter.name, "PeterNeumann");
	CHECK(peter.keyid == 0xc74f20a3);
	CHECK_MEM(peter.pk, pk, 32);

	/* B5: EnochRoot from the all-zero seed */
	memset(seed, 0, 32);
	t_unhex(pk, ENOCH_PK);
	CHECK(alog_note_signer_from_seed(&s, "EnochRoot", seed) == 0);
	CHECK(s.keyid == 0xaf0cfe78);
	CHECK_MEM(s.sk + 32, pk, 32);
	CHECK(alog_note_vkey_format(buf, sizeof buf, "EnochRoot", pk) == 0);
	CHECK_STR(buf, ENOCH_VKEY);
	CHECK(alog_note_skey_format(buf, sizeof buf, &s) == 0);
	CHECK_STR(buf, ENOCH_SKEY);
	CHECK(alog_note_vkey_parse(&enoch, ENOCH_VKEY, &e) == 0);
	CHECK_MEM(enoch.pk, pk, 32);

	/* B5: the two mangled keys, failing for the reason Go gives */
	CHECK(alog_note_vkey_parse(&peter, "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	                                   "LDE4izWy10TWBADKEY==", &e) == -1);
	CHECK_STR(e.msg, "malformed verifier id");
	CHECK(alog_note_vkey_parse(&peter, "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	                                   "LDE4izWy10TW", &e) == -1);
	CHECK_STR(e.msg, "unknown verifier algorithm");
	CHECK(alog_note_vkey_parse(&peter, "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	                                   "LDE4izWy10TW", &e) == -1);
	CHECK_STR(e.msg, "invalid verifier hash");
	CHECK(alog_note_vkey_parse(&peter, "PeterNeumann+c74f20a3+", &e) == -1);
	CHECK_STR(e.msg, "malformed verifier id");

	/* what Go's parser also takes: an upper-case ID, a line ending */
	CHECK(alog_note_vkey_parse(&peter, "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/"
	                                   "LDE4izWy10TW", &e) == 0);
	CHECK(alog_note_vkey_parse(&peter, PETER_VKEY "\n", &e) == 0);
	CHECK(alog_note_vkey_parse(&peter, PETER_VKEY "\r\n", &e) == 0);
	CHECK(alog_note_vkey_parse(&peter, PETER_VKEY " ", &e) == -1);
	CHECK(alog_note_vkey_parse(&peter, PETER_VKEY, &e) == 0);

	/* Go's TestNewVerifier / TestNewSigner: no substring and no byte+1 passes */
	static const char *const keys[2] = {PETER_VKEY, PETER_SKEY};
	for (int k = 0; k < 2; k++) {
		char b[128];
		size_t len = strlen(keys[k]);
		struct alog_note_verifier v;
		for (size_t i = 0; i <= len; i++) {
			for (size_t j = i + 1; j <= len; j++) {
				if (i == 0 && j == len)
					continue;
				snprintf(b, sizeof b, "%.*s", (int)(j - i), keys[k] + i);
				if (k == 0)
					CHECK(alog_note_vkey_parse(&v, b, &e) == -1);
				else
					CHECK(alog_note_skey_parse(&s2, b, &e) == -1);
			}
		}
		strcpy(b, keys[k]);
		for (size_t i = 0; i < len; i++) {
			b[i]++;
			if (k == 0)
				CHECK(alog_note_vkey_parse(&v, b, &e) == -1);
			else
				CHECK(alog_note_skey_parse(&s2, b, &e) == -1);
			b[i]--;
		}
	}
	CHECK(alog_note_skey_parse(&s2, PETER_SKEY, &e) == 0);
	CHECK(alog_note_skey_parse(&s2, "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+"
	                                "Y7hfZx09iUvxdXHKDFz", &e) == -1);
	CHECK_STR(e.msg, "signer key hash does not match its key");
	CHECK(alog_note_skey_parse(&s2, "PRIVATE+KEY+PeterNeumann+c74f20a3+AoEKFALVFGyNhPJEMzD1QIDr+"
	                                "Y7hfZx09iUvxdXHKDFz", &e) == -1);
	CHECK_STR(e.msg, "unknown signer key algorithm");
	CHECK(alog_note_skey_parse(&s2, PETER_VKEY, &e) == -1);
	CHECK_STR(e.msg, "malformed signer key");

	/* names: Go's isValidName, plus our length limit */
	char longname[300];
	memset(longname, 'a', sizeof longname);
	longname[ALOG_NOTE_NAME_MAX] = '\0';
	CHECK(alog_note_name_ok(longname));
	longname[ALOG_NOTE_NAME_MAX] = 'a';
	longname[ALOG_NOTE_NAME_MAX + 1] = '\0';
	CHECK(!alog_note_name_ok(longname));
	CHECK(alog_note_name_ok("example.com/foo"));
	CHECK(alog_note_name_ok("\xc3\xa9t\xc3\xa9"));
	CHECK(alog_note_name_ok("a\x01" "b")); /* Go allows controls that are not spaces */
	CHECK(!alog_note_name_ok(""));
	CHECK(!alog_note_name_ok(NULL));
	CHECK(!alog_note_name_ok("a+b"));
	CHECK(!alog_note_name_ok("a b"));
	CHECK(!alog_note_name_ok("a\tb"));
	CHECK(!alog_note_name_ok("a\xc2\x85" "b"));     /* U+0085 */
	CHECK(!alog_note_name_ok("a\xc2\xa0" "b"));     /* U+00A0 */
	CHECK(!alog_note_name_ok("a\xe1\x9a\x80" "b")); /* U+1680 */
	CHECK(!alog_note_name_ok("a\xe2\x80\x83" "b")); /* U+2003 */
	CHECK(!alog_note_name_ok("a\xe2\x80\xa8" "b")); /* U+2028 */
	CHECK(!alog_note_name_ok("a\xe3\x80\x80" "b")); /* U+3000 */
	CHECK(alog_note_name_ok("a\xe2\x80\x8b" "b"));  /* U+200B is not a space to Go */
	CHECK(!alog_note_name_ok("a\xff"));
	CHECK(!alog_note_name_ok("a\xc0\xaf"));
	CHECK(!alog_note_name_ok("a\xed\xa0\x80"));
	CHECK(alog_note_signer_from_seed(&s, "bad name", seed) == -1);
	CHECK(alog_note_vkey_format(buf, sizeof buf, "bad+name", pk) == -1);

	/* outputs that do not fit */
	CHECK(alog_note_signer_from_seed(&s, "EnochRoot", seed) == 0);
	CHECK(alog_note_vkey_format(buf, strlen(ENOCH_VKEY), "EnochRoot", pk) == -1);
	CHECK(alog_note_vkey_format(buf, strlen(ENOCH_VKEY) + 1, "EnochRoot", pk) == 0);
	CHECK(alog_note_skey_format(buf, strlen(ENOCH_SKEY), &s) == -1);
	CHECK(buf[0] == '\0');
	CHECK(alog_note_skey_format(buf, strlen(ENOCH_SKEY) + 1, &s) == 0);
}

static void test_sign(void)
{
	uint8_t seed[32], sig[ALOG_NOTE_SIG_LEN];
	struct alog_note_signer s;
	struct alog_note_opened o;
	struct alog_error e;
	char b64[ALOG_B64_LEN(ALOG_NOTE_SIG_LEN) + 1];
	char *note;

	t_unhex(seed, PETER_SEED);
	CHECK(alog_note_signer_from_seed(&s, "PeterNeumann", seed) == 0);
	alog_note_signature(sig, &s, TEXT, strlen(TEXT));
	CHECK_STR(alog_b64(b64, sig, sizeof sig),
	          "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6R"
	          "yyBwJnAM=");
	note = alog_note_sign(TEXT, strlen(TEXT), &s, &e);
	CHECK_STR(note, TEXT "\n" PETER_SIG);
	if (note) {
		CHECK(open_str(note, &peter, 1, &o, &e) == 0);
		CHECK(o.text_len == strlen(TEXT));
		CHECK(o.verified == 1 && o.unverified == 0 && o.verified_by[0] == 0);
		free(note);
	}

	memset(seed, 0, 32);
	CHECK(alog_note_signer_from_seed(&s, "EnochRoot", seed) == 0);
	note = alog_note_sign(TEXT, strlen(TEXT), &s, &e);
	CHECK_STR(note, TEXT "\n" ENOCH_SIG);
	free(note);

	/* texts Open would refuse are not signed */
	static const char *const bad[] = {
		"abc", "", "a\tb\n", "a\rb\n", "\x01\n", "\xff\n", "a\xc0\x80\n", "a\xed\xa0\x80\n",
		"a\xf4\x90\x80\x80\n", "a\xe2\x80\n", "a\xe0\x80\xaf\n", "a\xf0\x80\x80\xaf\n",
		"a\xc1\xbf\n", "a\xf5\x80\x80\x80\n", "a\x80\n", "a\xe2\x80\x94\x94\n",
	};
	for (size_t i = 0; i < ALOG_ARRAY_LEN(bad); i++) {
		alog_error_clear(&e);
		CHECK(alog_note_sign(bad[i], strlen(bad[i]), &s, &e) == NULL);
		CHECK_STR(e.msg, "malformed note");
	}
	CHECK(alog_note_sign("a\0b\n", 4, &s, &e) == NULL);
	strcpy(s.name, "bad name");
	CHECK(alog_note_sign(TEXT, strlen(TEXT), &s, &e) == NULL);
	CHECK_STR(e.msg, "invalid signer");
}

static void test_open(void)
{
	struct alog_note_verifier both[2], dup3[3], v;
	struct alog_note_opened o;
	struct alog_error e;
	static char many[120 * sizeof PETER_SIG + sizeof TEXT + 2];

	both[0] = peter;
	both[1] = enoch;

	/* Go's TestOpen */
	CHECK(open_str(TEXT "\n" PETER_SIG ENOCH_SIG, &peter, 1, &o, &e) == 0);
	CHECK(o.text_len == strlen(TEXT) && o.verified == 1 && o.unverified == 1);
	CHECK(open_str(TEXT "\n" PETER_SIG ENOCH_SIG, both, 2, &o, &e) == 0);
	CHECK(o.verified == 2 && o.unverified == 0);
	CHECK(o.verified_by[0] == 0 && o.verified_by[1] == 1);
	CHECK(open_str(TEXT "\n" ENOCH_SIG PETER_SIG, both, 2, &o, &e) == 0);
	CHECK(o.verified_by[0] == 1 && o.verified_by[1] == 0);
	CHECK(open_str(TEXT "\n" PETER_SIG ENOCH_SIG, NULL, 0, &o, &e) == -1);
	CHECK_STR(e.msg, "note has no verifiable signatures");
	CHECK(o.unverified == 2 && o.verified == 0 && o.text_len == strlen(TEXT));

	dup3[0] = enoch;
	dup3[1] = peter;
	dup3[2] = enoch;
	check_open_err(TEXT "\n" ENOCH_SIG, dup3, 3, "ambiguous key EnochRoot+af0cfe78");
	CHECK(open_str(TEXT "\n" PETER_SIG, dup3, 3, &o, &e) == 0);
	CHECK(o.verified == 1 && o.verified_by[0] == 1);

	strcpy(many, TEXT "\n");
	for (int i = 0; i < 100; i++)
		strcat(many, PETER_SIG);
	CHECK(open_str(many, &peter, 1, &o, &e) == 0);
	CHECK(o.verified == 1);
	strcat(many, PETER_SIG);
	check_open_err(many, &peter, 1, "malformed note");
	check_open_err(many, NULL, 0, "malformed note");

	check_open_err(splice(TEXT "\n" PETER_SIG, strlen(TEXT) + 1 + 60, "ABCD"), &peter, 1,
	               "invalid signature for key PeterNeumann+c74f20a3");

	/* repeated signatures: a known key's repeats are skipped, unknown lines counted once */
	{
		char buf[2048];
		const char *enoch_abcd = splice(ENOCH_SIG, 60, "ABCD");
		snprintf(buf, sizeof buf, "%s\n%s%s%s%s%s", TEXT, PETER_SIG, PETER_SIG, ENOCH_SIG,
		         ENOCH_SIG, enoch_abcd);
		CHECK(open_str(buf, &peter, 1, &o, &e) == 0);
		CHECK(o.verified == 1 && o.unverified == 2);
		/* only the first signature by a key is checked, as in Go */
		snprintf(buf, sizeof buf, "%s\n%s%s", TEXT, PETER_SIG,
		         splice(PETER_SIG, 60, "ABCD"));
		CHECK(open_str(buf, &peter, 1, &o, &e) == 0);
		CHECK(o.verified == 1);
		snprintf(buf, sizeof buf, "%s\n%s%s", TEXT, splice(PETER_SIG, 60, "ABCD"),
		         PETER_SIG);
		check_open_err(buf, &peter, 1, "invalid signature for key PeterNeumann+c74f20a3");
	}

	/* Go's malformed messages, and more */
	static const char *const bad[] = {
		TEXT,
		TEXT "\n",
		TEXT "\n" PETER_SIG "X",
		"\x01" TEXT "\n" PETER_SIG,
		"\xff" TEXT "\n" PETER_SIG,
		TEXT "\n\xe2\x80\x94 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FF"
		"YC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=",
		TEXT "\n" PETER_SIG "Unexpected line.\n",
		TEXT "\n\xe2\x80\x94 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FF"
		"YC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		TEXT "\n\xe2\x80\x94 PeterNeumann\n",
		TEXT "\n\xe2\x80\x94 PeterNeumann \n",
		TEXT "\n\xe2\x80\x94  x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZS"
		"NXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		TEXT "\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSN"
		"XgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		TEXT "\n\xe2\x80\x94PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN"
		"1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n",
		TEXT "\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgY"
		"N1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM\n", /* no padding */
		TEXT "\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgY"
		"N1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM= \n",
		TEXT "\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgY"
		"N1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\r\n",
		TEXT "\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgY"
		"N1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=AAAA\n",
		TEXT "\n\xe2\x80\x94 PeterNeumann AAAA\n",    /* 3 bytes: shorter than an ID */
		TEXT "\n\xe2\x80\x94 Unknown AAAAAA==\n",   /* 4 bytes */
		TEXT "\n\xe2\x80\x94 a\xc2\xa0" "b AAAAAAA=\n", /* a Unicode space in the name */
		TEXT "\n\xe2\x80\x94 a+b AAAAAAA=\n",
		TEXT "\t\n" PETER_SIG,
		"\n",
		"",
		"\n\n",
	};
	for (size_t i = 0; i < ALOG_ARRAY_LEN(bad); i++)
		check_open_err(bad[i], &peter, 1, "malformed note");
	CHECK(alog_note_open(TEXT "\0\n" PETER_SIG, sizeof(TEXT "\0\n" PETER_SIG) - 1, &peter, 1,
	                     &o, &e) == -1);
	CHECK_STR(e.msg, "malformed note");

	/* well-formed signatures by unknown keys, in all shapes Go takes */
	CHECK(open_str(TEXT "\n\xe2\x80\x94 Unknown AAAAAAA=\n" PETER_SIG, &peter, 1, &o, &e) == 0);
	CHECK(o.verified == 1 && o.unverified == 1);
	{
		char buf[1024];
		char name[301];
		memset(name, 'n', 300);
		name[300] = '\0';
		snprintf(buf, sizeof buf, "%s\n%s\xe2\x80\x94 %s AAAAAAA=\n", TEXT, PETER_SIG, name);
		CHECK(open_str(buf, &peter, 1, &o, &e) == 0);
		CHECK(o.verified == 1 && o.unverified == 1);
	}
	/* a known key's signature of the wrong length is an invalid signature, not malformed */
	check_open_err(TEXT "\n\xe2\x80\x94 PeterNeumann x08go/Y=\n", &peter, 1,
	               "invalid signature for key PeterNeumann+c74f20a3");
	/* the same ID under another name, or another ID under the name, is someone else */
	CHECK(open_str(TEXT "\n\xe2\x80\x94 PeterNeumanN x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pA"
	               "cElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", &peter, 1, &o,
	               &e) == -1);
	CHECK_STR(e.msg, "note has no verifiable signatures");
	CHECK(o.unverified == 1);

	/*
	 * Go's decoder ignores a base64 text's unused low bits, so this
	 * spelling of Peter's signature (final M -> N) is the same signature.
	 */
	CHECK(open_str(TEXT "\n\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcE"
	               "lZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAN=\n", &peter, 1, &o,
	               &e) == 0);

	/* text with blank lines, an empty text, DEL and U+FFFD are all fine */
	static const char *const texts[] = {
		"a\n\nb\n", "\n", "a\n\n\n", "\xe2\x80\x94 x y\n\n", "del\x7f\n", "\xef\xbf\xbd\n",
		"\xf0\x9f\x94\x8f\n",
	};
	struct alog_note_signer s;
	uint8_t seed[32];
	t_unhex(seed, PETER_SEED);
	alog_note_signer_from_seed(&s, "PeterNeumann", seed);
	for (size_t i = 0; i < ALOG_ARRAY_LEN(texts); i++) {
		char *note = alog_note_sign(texts[i], strlen(texts[i]), &s, &e);
		CHECK(note != NULL);
		if (!note)
			continue;
		CHECK(open_str(note, &peter, 1, &o, &e) == 0);
		CHECK(o.text_len == strlen(texts[i]) && o.verified == 1);
		free(note);
	}

	/* B6: the C2SP signed-note example */
	CHECK(alog_note_vkey_parse(&v, "example.com/foo+530d903a+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaAN"
	                               "YcrnKv3U2k", &e) == 0);
	CHECK(v.keyid == 0x530d903a);
	CHECK(open_str("This is an example message.\n\n\xe2\x80\x94 example.com/foo Uw2QOkn8srV1yJG"
	               "h2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM"
	               "=\n", &v, 1, &o, &e) == 0);
	CHECK(o.verified == 1 && o.text_len == strlen("This is an example message.\n"));
	CHECK(open_str("This is an example message!\n\n\xe2\x80\x94 example.com/foo Uw2QOkn8srV1yJG"
	               "h2VYRlL1Tnagv1YEq6TfXppzi2ONncAlTgK7Ztg1ERYNZXsYjOBH3mFXmRKuwHjG1Yu72IneyaQM"
	               "=\n", &v, 1, &o, &e) == -1);
	CHECK_STR(e.msg, "invalid signature for key example.com/foo+530d903a");
}

/*
 * Random keys and texts round-trip, and no single-byte change of a signed
 * note opens, except the base64 spellings Go reads as the same bytes.
 */
static void test_roundtrip(long rounds)
{
	for (long r = 0; r < rounds; r++) {
		uint8_t seed[32];
		char name[40], text[200], vkey[256], skey[256];
		struct alog_note_signer s, s2;
		struct alog_note_verifier v;
		struct alog_note_opened o;
		struct alog_error e;
		size_t tn = 1 + randombytes_uniform(150);
		char *note;

		randombytes_buf(seed, 32);
		snprintf(name, sizeof name, "log%u.example/%u", randombytes_random(),
		         randombytes_uniform(1000));
		for (size_t i = 0; i < tn - 1; i++)
			text[i] = (char)(randombytes_uniform(8) == 0 ? '\n' : ' ' + randombytes_uniform(95));
		text[tn - 1] = '\n';

		CHECK(alog_note_signer_from_seed(&s, name, seed) == 0);
		CHECK(alog_note_skey_format(skey, sizeof skey, &s) == 0);
		CHECK(alog_note_skey_parse(&s2, skey, &e) == 0);
		CHECK(memcmp(&s, &s2, sizeof s) == 0);
		CHECK(alog_note_vkey_format(vkey, sizeof vkey, name, s.sk + 32) == 0);
		CHECK(alog_note_vkey_parse(&v, vkey, &e) == 0);
		CHECK(v.keyid == s.keyid);

		note = alog_note_sign(text, tn, &s, &e);
		CHECK(note != NULL);
		if (!note)
			continue;
		size_t n = strlen(note);
		CHECK(alog_note_open(note, n, &v, 1, &o, &e) == 0);
		CHECK(o.text_len == tn && o.verified == 1);
		CHECK(alog_note_open(note, n - 1, &v, 1, &o, &e) == -1);

		for (size_t i = 0; i < n; i++) {
			char old = note[i];
			uint8_t delta = (uint8_t)(1 + randombytes_uniform(255));
			note[i] = (char)(old ^ delta);
			int rc = alog_note_open(note, n, &v, 1, &o, &e);
			/* the final base64 digit before '=' carries two unused bits */
			int same = 0;
			if (i == n - 3 && note[i] != '\0') {
				const char *p = strchr(b64_alphabet, old), *q = strchr(b64_alphabet, note[i]);
				same = p && q && (p - b64_alphabet) >> 2 == (q - b64_alphabet) >> 2;
			}
			CHECK(rc == (same ? 0 : -1));
			note[i] = old;
		}
		sodium_memzero(&s, sizeof s);
		free(note);
	}
}

int main(int argc, char **argv)
{
	long rounds = argc > 1 ? atol(argv[1]) : 300;

	if (sodium_init() < 0)
		return 1;
	test_keys();
	test_sign();
	test_open();
	test_roundtrip(rounds);
	return t_done("test_note");
}
