/*
 * note.c - C2SP signed notes with Ed25519 keys, accepting and rejecting
 * exactly what Go's golang.org/x/mod/sumdb/note does, so that a seal
 * alog writes is a checkpoint any C2SP verifier can check and vice versa.
 */
#include "format/note.h"

#include "base/enc.h"
#include "base/sha256.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define MAX_SIGS 100 /* Go refuses notes with more signature lines */

static const char em_dash_space[] = "\xe2\x80\x94 "; /* U+2014, U+0020 */

/*
 * One UTF-8 sequence at p (n > 0 bytes available), with Go's rules: no
 * overlong forms, surrogates or values past U+10FFFF.  Returns its length
 * and sets *r, or 0 where Go's decoder would return RuneError of width 1.
 */
static size_t utf8_next(const uint8_t *p, size_t n, uint32_t *r)
{
	uint8_t b = p[0], lo = 0x80, hi = 0xbf;
	size_t len;

	if (b < 0x80) {
		*r = b;
		return 1;
	}
	if (b >= 0xc2 && b <= 0xdf) {
		len = 2;
		*r = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		len = 3;
		*r = b & 0x0f;
		if (b == 0xe0)
			lo = 0xa0;
		else if (b == 0xed)
			hi = 0x9f;
	} else if (b >= 0xf0 && b <= 0xf4) {
		len = 4;
		*r = b & 0x07;
		if (b == 0xf0)
			lo = 0x90;
		else if (b == 0xf4)
			hi = 0x8f;
	} else {
		return 0;
	}
	if (n < len || p[1] < lo || p[1] > hi)
		return 0;
	*r = *r << 6 | (p[1] & 0x3f);
	for (size_t i = 2; i < len; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
		*r = *r << 6 | (p[i] & 0x3f);
	}
	return len;
}

/* Go's unicode.IsSpace. */
static int is_space(uint32_t r)
{
	switch (r) {
	case '\t': case '\n': case '\v': case '\f': case '\r': case ' ':
	case 0x85: case 0xa0: case 0x1680: case 0x2028: case 0x2029:
	case 0x202f: case 0x205f: case 0x3000:
		return 1;
	}
	return r >= 0x2000 && r <= 0x200a;
}

/* Go's isValidName, without the length limit our structs add. */
static int name_valid(const char *name, size_t n)
{
	const uint8_t *p = (const uint8_t *)name;
	uint32_t r;

	if (n == 0)
		return 0;
	for (size_t i = 0, k; i < n; i += k) {
		k = utf8_next(p + i, n - i, &r);
		if (k == 0 || r == '+' || is_space(r))
			return 0;
	}
	return 1;
}

int alog_note_name_ok(const char *name)
{
	size_t n;

	if (!name)
		return 0;
	n = strlen(name);
	return n <= ALOG_NOTE_NAME_MAX && name_valid(name, n);
}

/* The whole note, or a text to sign: UTF-8 without controls but newline. */
static int chars_ok(const char *s, size_t n)
{
	const uint8_t *p = (const uint8_t *)s;
	uint32_t r;

	for (size_t i = 0, k; i < n; i += k) {
		k = utf8_next(p + i, n - i, &r);
		if (k == 0 || (r < 0x20 && r != '\n'))
			return 0;
	}
	return 1;
}

static void keyhash_start(struct alog_sha256 *c, const char *name, size_t n)
{
	alog_sha256_init(c);
	alog_sha256_update(c, name, n);
	alog_sha256_update(c, "\n", 1);
}

static uint32_t keyhash_end(struct alog_sha256 *c)
{
	uint8_t h[32];

	alog_sha256_final(c, h);
	return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

uint32_t alog_note_keyid(const char *name, const uint8_t pk[32])
{
	struct alog_sha256 c;
	const uint8_t alg = ALOG_NOTE_ALG_ED25519;

	keyhash_start(&c, name, strlen(name));
	alog_sha256_update(&c, &alg, 1);
	alog_sha256_update(&c, pk, 32);
	return keyhash_end(&c);
}

/*
 * Base64 as Go's base64.StdEncoding.DecodeString reads it: padding
 * required, CR and LF skipped anywhere, unused trailing bits ignored.
 * The first cap bytes go to out; every byte goes to h when given, so a
 * key of any length can be hashed as Go does before its length is judged.
 * Returns the decoded length, or -1.
 */
static int b64_val(char ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

static size_t skip_crlf(const char *s, size_t n, size_t i)
{
	while (i < n && (s[i] == '\r' || s[i] == '\n'))
		i++;
	return i;
}

static long b64_decode(const char *s, size_t n, uint8_t *out, size_t cap, struct alog_sha256 *h)
{
	size_t i = 0, total = 0;

	for (;;) {
		uint32_t acc = 0;
		uint8_t bytes[3];
		int j = 0, done = 0;

		while (j < 4) {
			i = skip_crlf(s, n, i);
			if (i == n)
				break;
			if (s[i] == '=') {
				if (j < 2)
					return -1;
				i = skip_crlf(s, n, i + 1);
				if (j == 2) {
					if (i == n || s[i] != '=')
						return -1;
					i = skip_crlf(s, n, i + 1);
				}
				if (i != n)
					return -1;
				done = 1;
				break;
			}
			int v = b64_val(s[i++]);
			if (v < 0)
				return -1;
			acc = acc << 6 | (uint32_t)v;
			j++;
		}
		if (j == 0 && !done)
			return (long)total;
		if (j < 4 && !done)
			return -1;
		acc <<= 6 * (4 - j);
		bytes[0] = (uint8_t)(acc >> 16);
		bytes[1] = (uint8_t)(acc >> 8);
		bytes[2] = (uint8_t)acc;
		for (int k = 0; k < j - 1; k++, total++)
			if (total < cap)
				out[total] = bytes[k];
		if (h)
			alog_sha256_update(h, bytes, (size_t)(j - 1));
		/* a signer key decodes through here: leave no seed bytes behind */
		sodium_memzero(bytes, sizeof bytes);
		acc = 0;
		if (done)
			return (long)total;
	}
}

/* strconv.ParseUint(s, 16, 32) on exactly 8 digits, either case. */
static int parse_hex8(const char *s, size_t n, uint32_t *out)
{
	uint32_t v = 0;

	if (n != 8)
		return -1;
	for (size_t i = 0; i < 8; i++) {
		char ch = s[i];
		int d;
		if (ch >= '0' && ch <= '9')
			d = ch - '0';
		else if (ch >= 'a' && ch <= 'f')
			d = ch - 'a' + 10;
		else if (ch >= 'A' && ch <= 'F')
			d = ch - 'A' + 10;
		else
			return -1;
		v = v << 4 | (uint32_t)d;
	}
	*out = v;
	return 0;
}

/* Go's chop: split at the first sep; after is empty when there is none. */
static void chop(const char *s, size_t n, char sep, size_t *before, const char **after,
                 size_t *after_n)
{
	const char *p = memchr(s, sep, n);

	if (!p) {
		*before = n;
		*after = s + n;
		*after_n = 0;
		return;
	}
	*before = (size_t)(p - s);
	*after = p + 1;
	*after_n = n - *before - 1;
}

int alog_note_vkey_format(char *out, size_t cap, const char *name, const uint8_t pk[32])
{
	uint8_t key[33];
	char b64[ALOG_B64_LEN(33) + 1];
	int len;

	if (!alog_note_name_ok(name))
		return -1;
	key[0] = ALOG_NOTE_ALG_ED25519;
	memcpy(key + 1, pk, 32);
	alog_b64(b64, key, sizeof key);
	len = snprintf(out, cap, "%s+%08x+%s", name, alog_note_keyid(name, pk), b64);
	if (len < 0 || (size_t)len >= cap) {
		if (cap)
			out[0] = '\0';
		return -1;
	}
	return 0;
}

int alog_note_vkey_parse(struct alog_note_verifier *v, const char *vkey, struct alog_error *e)
{
	const char *rest, *key64;
	size_t name_n, rest_n, hash_n, key_n;
	uint8_t key[34];
	uint32_t hash;
	struct alog_sha256 c;
	long got;

	memset(v, 0, sizeof *v);
	chop(vkey, strlen(vkey), '+', &name_n, &rest, &rest_n);
	chop(rest, rest_n, '+', &hash_n, &key64, &key_n);
	keyhash_start(&c, vkey, name_n);
	got = b64_decode(key64, key_n, key, sizeof key, &c);
	if (parse_hex8(rest, hash_n, &hash) != 0 || got <= 0 || !name_valid(vkey, name_n) ||
	    name_n > ALOG_NOTE_NAME_MAX)
		return alog_err(e, "malformed verifier id");
	if (hash != keyhash_end(&c))
		return alog_err(e, "invalid verifier hash");
	if (key[0] != ALOG_NOTE_ALG_ED25519)
		return alog_err(e, "unknown verifier algorithm");
	if (got != 33)
		return alog_err(e, "malformed verifier id");
	memcpy(v->name, vkey, name_n);
	v->name[name_n] = '\0';
	v->keyid = hash;
	memcpy(v->pk, key + 1, 32);
	return 0;
}

int alog_note_signer_from_seed(struct alog_note_signer *s, const char *name,
                               const uint8_t seed[32])
{
	uint8_t pk[32];

	memset(s, 0, sizeof *s);
	if (!alog_note_name_ok(name))
		return -1;
	crypto_sign_seed_keypair(pk, s->sk, seed);
	strcpy(s->name, name);
	s->keyid = alog_note_keyid(name, pk);
	return 0;
}

int alog_note_skey_format(char *out, size_t cap, const struct alog_note_signer *s)
{
	uint8_t key[33];
	char b64[ALOG_B64_LEN(33) + 1];
	int len, rc = 0;

	if (!alog_note_name_ok(s->name)) {
		if (cap)
			out[0] = '\0';
		return -1;
	}
	key[0] = ALOG_NOTE_ALG_ED25519;
	memcpy(key + 1, s->sk, 32); /* libsodium's secret key starts with the seed */
	alog_b64(b64, key, sizeof key);
	len = snprintf(out, cap, "PRIVATE+KEY+%s+%08x+%s", s->name, s->keyid, b64);
	if (len < 0 || (size_t)len >= cap) {
		sodium_memzero(out, cap);
		rc = -1;
	}
	sodium_memzero(key, sizeof key);
	sodium_memzero(b64, sizeof b64);
	return rc;
}

int alog_note_skey_parse(struct alog_note_signer *s, const char *skey, struct alog_error *e)
{
	const char *p, *name, *rest, *key64;
	size_t n, part, name_n, rest_n, hash_n, key_n;
	uint8_t key[34], pk[32];
	uint32_t hash;
	long got;
	int rc = 0;

	memset(s, 0, sizeof *s);
	p = skey;
	n = strlen(skey);
	chop(p, n, '+', &part, &rest, &rest_n);
	if (part != 7 || memcmp(p, "PRIVATE", 7) != 0)
		return alog_err(e, "malformed signer key");
	p = rest;
	n = rest_n;
	chop(p, n, '+', &part, &rest, &rest_n);
	if (part != 3 || memcmp(p, "KEY", 3) != 0)
		return alog_err(e, "malformed signer key");
	name = rest;
	chop(rest, rest_n, '+', &name_n, &rest, &rest_n);
	chop(rest, rest_n, '+', &hash_n, &key64, &key_n);
	got = b64_decode(key64, key_n, key, sizeof key, NULL);
	if (parse_hex8(rest, hash_n, &hash) != 0 || got <= 0 || !name_valid(name, name_n) ||
	    name_n > ALOG_NOTE_NAME_MAX) {
		rc = alog_err(e, "malformed signer key");
	} else if (key[0] != ALOG_NOTE_ALG_ED25519) {
		rc = alog_err(e, "unknown signer key algorithm");
	} else if (got != 33) {
		rc = alog_err(e, "malformed signer key");
	} else {
		/* The ID names the public key, so it can only be checked once derived. */
		crypto_sign_seed_keypair(pk, s->sk, key + 1);
		memcpy(s->name, name, name_n);
		s->name[name_n] = '\0';
		s->keyid = alog_note_keyid(s->name, pk);
		if (s->keyid != hash) {
			sodium_memzero(s, sizeof *s);
			rc = alog_err(e, "signer key hash does not match its key");
		}
	}
	sodium_memzero(key, sizeof key);
	return rc;
}

void alog_note_signature(uint8_t out[ALOG_NOTE_SIG_LEN], const struct alog_note_signer *s,
                         const char *text, size_t n)
{
	out[0] = (uint8_t)(s->keyid >> 24);
	out[1] = (uint8_t)(s->keyid >> 16);
	out[2] = (uint8_t)(s->keyid >> 8);
	out[3] = (uint8_t)s->keyid;
	crypto_sign_detached(out + 4, NULL, (const unsigned char *)text, n, s->sk);
}

char *alog_note_sign(const char *text, size_t n, const struct alog_note_signer *s,
                     struct alog_error *e)
{
	uint8_t sig[ALOG_NOTE_SIG_LEN];
	char b64[ALOG_B64_LEN(ALOG_NOTE_SIG_LEN) + 1];
	size_t name_n, len;
	char *out, *p;

	if (n == 0 || n > SIZE_MAX / 2 || text[n - 1] != '\n' || !chars_ok(text, n)) {
		alog_err(e, "malformed note");
		return NULL;
	}
	if (!alog_note_name_ok(s->name)) {
		alog_err(e, "invalid signer");
		return NULL;
	}
	name_n = strlen(s->name);
	alog_note_signature(sig, s, text, n);
	alog_b64(b64, sig, sizeof sig);

	len = n + 1 + 4 + name_n + 1 + (sizeof b64 - 1) + 1;
	out = alog_xmalloc(len + 1);
	p = out;
	memcpy(p, text, n);
	p += n;
	*p++ = '\n';
	memcpy(p, em_dash_space, 4);
	p += 4;
	memcpy(p, s->name, name_n);
	p += name_n;
	*p++ = ' ';
	memcpy(p, b64, sizeof b64 - 1);
	p += sizeof b64 - 1;
	*p++ = '\n';
	*p = '\0';
	return out;
}

/* A signature line's key, as it appears in the note. */
struct sigkey {
	const char *name;
	size_t name_n;
	uint32_t hash;
};

static int verifier_is(const struct alog_note_verifier *v, const struct sigkey *k)
{
	return v->keyid == k->hash && strnlen(v->name, sizeof v->name) == k->name_n &&
	       memcmp(v->name, k->name, k->name_n) == 0;
}

int alog_note_open(const char *note, size_t n, const struct alog_note_verifier *vs, size_t nv,
                   struct alog_note_opened *out, struct alog_error *e)
{
	struct alog_note_opened res;
	struct {
		size_t off, len;
	} unverified[MAX_SIGS];
	size_t seen[MAX_SIGS], nseen = 0, text_len, pos, split = 0;
	unsigned nsig = 0;
	int found = 0;

	memset(&res, 0, sizeof res);
	if (out)
		memset(out, 0, sizeof *out);
	if (!note || !chars_ok(note, n))
		return alog_err(e, "malformed note");

	/* The signatures follow the last blank line; the text keeps its final newline. */
	for (size_t i = n; i >= 2 && !found; i--) {
		if (note[i - 2] == '\n' && note[i - 1] == '\n') {
			split = i - 2;
			found = 1;
		}
	}
	if (!found || split + 2 >= n || note[n - 1] != '\n')
		return alog_err(e, "malformed note");
	text_len = split + 1;
	res.text_len = text_len;

	for (pos = split + 2; pos < n;) {
		const char *line = note + pos, *sp, *b64;
		size_t line_n = (size_t)((const char *)memchr(line, '\n', n - pos) - line);
		uint8_t sig[ALOG_NOTE_SIG_LEN];
		struct sigkey k;
		size_t b64_n, match = 0, nmatch = 0;
		long sig_n;

		pos += line_n + 1;
		if (line_n < 4 || memcmp(line, em_dash_space, 4) != 0)
			return alog_err(e, "malformed note");
		line += 4;
		line_n -= 4;
		sp = memchr(line, ' ', line_n);
		k.name = line;
		k.name_n = sp ? (size_t)(sp - line) : line_n;
		b64 = sp ? sp + 1 : line + line_n;
		b64_n = line_n - (size_t)(b64 - line);
		sig_n = b64_decode(b64, b64_n, sig, sizeof sig, NULL);
		if (sig_n < 5 || b64_n == 0 || !name_valid(k.name, k.name_n))
			return alog_err(e, "malformed note");
		k.hash = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 |
		         sig[3];
		if (++nsig > MAX_SIGS)
			return alog_err(e, "malformed note");

		for (size_t i = 0; i < nv; i++) {
			if (verifier_is(&vs[i], &k)) {
				match = i;
				nmatch++;
			}
		}
		if (nmatch > 1)
			return alog_err(e, "ambiguous key %.*s+%08x", (int)k.name_n, k.name, k.hash);
		if (nmatch == 0) {
			/* Unknown keys are counted once per distinct line. */
			int dup = 0;
			for (unsigned i = 0; i < res.unverified && !dup; i++)
				dup = unverified[i].len == line_n &&
				      memcmp(note + unverified[i].off, line, line_n) == 0;
			if (!dup) {
				unverified[res.unverified].off = (size_t)(line - note);
				unverified[res.unverified].len = line_n;
				res.unverified++;
			}
			continue;
		}

		/* Like Go, only the first signature by a known key counts; repeats are skipped. */
		int dup = 0;
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = seen[i] == match;
		if (dup)
			continue;
		seen[nseen++] = match;

		if (sig_n != ALOG_NOTE_SIG_LEN ||
		    crypto_sign_verify_detached(sig + 4, (const unsigned char *)note, text_len,
		                                vs[match].pk) != 0)
			return alog_err(e, "invalid signature for key %.*s+%08x", (int)k.name_n,
			                k.name, k.hash);
		if (res.verified < ALOG_ARRAY_LEN(res.verified_by))
			res.verified_by[res.verified] = (int)match;
		res.verified++;
	}

	if (out)
		*out = res;
	if (res.verified == 0)
		return alog_err(e, "note has no verifiable signatures");
	return 0;
}
