/*
 * fuzz_note.c - libFuzzer target for the signed-note parsers: opening a
 * note and parsing keys never crash, and whatever is accepted has the
 * structure the format promises and survives a round trip.
 *
 * clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *   -DALOG_VERSION='"fuzz"' -Icommon $(pkg-config --cflags libsodium) \
 *   tests/fuzz/fuzz_note.c common/format/note.c common/base/sha256.c common/base/enc.c \
 *   common/base/util.c -lsodium -pthread -o fuzz_note
 */
#include "format/note.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define PETER_VKEY "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
#define PETER_SKEY "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
#define ENOCH_VKEY "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop"

static struct alog_note_verifier known[2];
static struct alog_note_signer signer;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void setup(void)
{
	static int done;
	struct alog_error e;

	if (done)
		return;
	if (sodium_init() < 0 || alog_note_vkey_parse(&known[0], PETER_VKEY, &e) != 0 ||
	    alog_note_vkey_parse(&known[1], ENOCH_VKEY, &e) != 0 ||
	    alog_note_skey_parse(&signer, PETER_SKEY, &e) != 0)
		abort();
	done = 1;
}

static int is_error(const struct alog_error *e, const char *want)
{
	return strcmp(e->msg, want) == 0;
}

/* An opened note: text, blank line, then nothing but signature lines. */
static void check_structure(const char *note, size_t n, const struct alog_note_opened *o,
                            size_t nv)
{
	size_t pos;

	if (o->text_len == 0 || o->text_len + 1 >= n || note[o->text_len - 1] != '\n' ||
	    note[o->text_len] != '\n' || note[n - 1] != '\n')
		abort();
	if (o->verified == 0 || o->verified > nv || o->verified + o->unverified > 100)
		abort();
	for (unsigned i = 0; i < o->verified && i < 16; i++)
		if (o->verified_by[i] < 0 || (size_t)o->verified_by[i] >= nv)
			abort();
	for (pos = o->text_len + 1; pos < n;) {
		const char *nl = memchr(note + pos, '\n', n - pos);
		if (!nl || (size_t)(nl - note) - pos < 4 || memcmp(note + pos, "\xe2\x80\x94 ", 4) != 0)
			abort();
		pos = (size_t)(nl - note) + 1;
	}
}

/* The accepted text can be signed again, and that note opens to the same text. */
static void check_resign(const char *text, size_t n)
{
	struct alog_note_opened o;
	struct alog_error e;
	char *note = alog_note_sign(text, n, &signer, &e);

	if (!note)
		abort();
	if (alog_note_open(note, strlen(note), known, 1, &o, &e) != 0 || o.text_len != n ||
	    memcmp(note, text, n) != 0 || o.verified != 1)
		abort();
	free(note);
}

static void fuzz_open(const char *note, size_t n)
{
	struct alog_note_opened o;
	struct alog_error e;

	alog_error_clear(&e);
	if (alog_note_open(note, n, known, 2, &o, &e) == 0) {
		check_structure(note, n, &o, 2);
		check_resign(note, o.text_len);
	} else if (!is_error(&e, "malformed note") &&
	           !is_error(&e, "note has no verifiable signatures") &&
	           !is_error(&e, "invalid signature for key PeterNeumann+c74f20a3") &&
	           !is_error(&e, "invalid signature for key EnochRoot+af0cfe78")) {
		abort();
	}

	/* with no keys nothing verifies, whatever the input */
	alog_error_clear(&e);
	if (alog_note_open(note, n, NULL, 0, &o, &e) == 0)
		abort();
	if (!is_error(&e, "malformed note") && !is_error(&e, "note has no verifiable signatures"))
		abort();

	/* the same key twice is ambiguous only if the note names it */
	struct alog_note_verifier twice[2] = {known[0], known[0]};
	alog_error_clear(&e);
	if (alog_note_open(note, n, twice, 2, &o, &e) == 0)
		abort();
}

/* Any text Sign accepts opens again under the signing key. */
static void fuzz_sign(const char *text, size_t n)
{
	struct alog_error e;
	char *note = alog_note_sign(text, n, &signer, &e);

	if (note) {
		free(note);
		check_resign(text, n);
	} else if (!is_error(&e, "malformed note")) {
		abort();
	}
}

static void fuzz_keys(const char *s)
{
	struct alog_note_verifier v, v2;
	struct alog_note_signer k, k2;
	struct alog_error e;
	char buf[512];

	if (alog_note_vkey_parse(&v, s, &e) == 0) {
		if (!alog_note_name_ok(v.name) || v.keyid != alog_note_keyid(v.name, v.pk))
			abort();
		if (alog_note_vkey_format(buf, sizeof buf, v.name, v.pk) != 0 ||
		    alog_note_vkey_parse(&v2, buf, &e) != 0 || memcmp(&v, &v2, sizeof v) != 0)
			abort();
	}
	if (alog_note_skey_parse(&k, s, &e) == 0) {
		if (!alog_note_name_ok(k.name))
			abort();
		if (alog_note_skey_format(buf, sizeof buf, &k) != 0 ||
		    alog_note_skey_parse(&k2, buf, &e) != 0 || memcmp(&k, &k2, sizeof k) != 0)
			abort();
		sodium_memzero(&k2, sizeof k2);
		sodium_memzero(buf, sizeof buf);
	}
	sodium_memzero(&k, sizeof k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	setup();
	/* an exact-size copy, so reading past the input is caught */
	s = malloc(size ? size : 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	fuzz_open(s, size);
	fuzz_sign(s, size);
	free(s);

	s = malloc(size + 1);
	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	fuzz_keys(s);
	free(s);
	return 0;
}
