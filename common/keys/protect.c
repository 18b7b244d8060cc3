/*
 * protect.c - reader keys and peppers, sealing values to readers, keyed
 * pseudonyms, and opening, looking up and hiding protected values for the
 * tools that read logs.
 */
#include "keys/protect.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/enc.h"
#include "base/json.h"
#include "base/sha256.h"
#include "format/record.h"
#include "keys/key.h"

#define PREFIX_LEN (sizeof ALOG_ENC_PREFIX - 1)
/* version, count, then per reader: id and a sealed box */
#define HEAD_LEN 2
#define SLOT_OVERHEAD (ALOG_READER_ID_LEN + crypto_box_SEALBYTES)

static const char reader_magic[] = "alog-reader-secret-v1";
static const char pepper_magic[] = "alog-pepper-v1";

/* ---- key files ---- */

void alog_reader_id(uint8_t id[ALOG_READER_ID_LEN], const uint8_t pk[32])
{
	uint8_t h[32];
	alog_sha256(h, pk, 32);
	memcpy(id, h, ALOG_READER_ID_LEN);
}

void alog_reader_generate(struct alog_reader_key *k)
{
	if (sodium_init() < 0)
		abort();
	crypto_box_keypair(k->pk, k->sk);
	alog_reader_id(k->id, k->pk);
}

void alog_reader_public(struct alog_reader_pub *pub, const struct alog_reader_key *k)
{
	memcpy(pub->id, k->id, sizeof pub->id);
	memcpy(pub->pk, k->pk, sizeof pub->pk);
}

int alog_reader_pub_format(char *out, size_t cap, const struct alog_reader_pub *p)
{
	char hex[2 * ALOG_READER_ID_LEN + 1], b64[ALOG_B64_LEN(32) + 1];
	int n = snprintf(out, cap, ALOG_READER_PREFIX "%s+%s", alog_hex(hex, p->id, sizeof p->id),
	                 alog_b64(b64, p->pk, 32));
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int alog_reader_pub_parse(struct alog_reader_pub *p, const char *text, size_t n,
                          struct alog_error *e)
{
	const size_t pre = sizeof ALOG_READER_PREFIX - 1, hexlen = 2 * ALOG_READER_ID_LEN;
	uint8_t id[ALOG_READER_ID_LEN];

	while (n && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == ' '))
		n--;
	if (n < pre || memcmp(text, ALOG_READER_PREFIX, pre) != 0)
		return alog_err(e, "not an alog reader public key (it starts with \"%s\")",
		                ALOG_READER_PREFIX);
	if (n < pre + hexlen + 1 || text[pre + hexlen] != '+' ||
	    alog_unhex(id, sizeof id, text + pre, hexlen) != 0)
		return alog_err(e, "malformed reader public key: expected %sKEYID+KEY",
		                ALOG_READER_PREFIX);
	if (alog_unb64(p->pk, 32, text + pre + hexlen + 1, n - pre - hexlen - 1) != 32)
		return alog_err(e, "malformed reader public key: the key is not base64 of 32 "
		                   "bytes");
	alog_reader_id(p->id, p->pk);
	if (memcmp(id, p->id, sizeof id) != 0)
		return alog_err(e, "malformed reader public key: the key id does not match the "
		                   "key");
	return 0;
}

/*
 * Read a small key file (what: "reader secret key"...); a secret one only if
 * it passes the permission checks.  Errors carry the file name.
 */
static char *read_key_file(const char *path, const char *what, int secret, size_t *len,
                           struct alog_error *e)
{
	size_t cap = 65536, n = 0;
	char *buf;
	int fd = open(path, O_RDONLY | O_CLOEXEC | (secret ? O_NOFOLLOW : 0));

	if (fd < 0) {
		alog_errno(e, "cannot open %s", what);
		alog_err_at(e, path, 0);
		return NULL;
	}
	if (secret && alog_seckey_check_perms(path, fd, e) != 0) {
		close(fd);
		return NULL;
	}
	buf = alog_xmalloc(cap);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			alog_errno(e, "cannot read %s", what);
			alog_err_at(e, path, 0);
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap - 1) {
			alog_err(e, "too large to be a %s", what);
			alog_err_at(e, path, 0);
			goto fail;
		}
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	close(fd);
	sodium_memzero(buf, cap);
	free(buf);
	return NULL;
}

/* The value of "name value" on a line of a key file, or NULL. */
static const char *field(char *line, const char *name)
{
	size_t n = strlen(name);
	return strncmp(line, name, n) == 0 && line[n] == ' ' ? line + n + 1 : NULL;
}

/* Iterate the non-comment lines of a key file: the magic line first. */
static char *next_line(char **save)
{
	char *line;
	while ((line = strsep(save, "\n")) != NULL) {
		size_t n = strlen(line);
		if (n && line[n - 1] == '\r')
			line[n - 1] = '\0';
		if (line[0] != '#' && line[0] != '\0')
			return line;
	}
	return NULL;
}

static int write_new_file(const char *path, const char *text, size_t n, mode_t mode,
                          struct alog_error *e)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);

	if (fd < 0) {
		if (errno == EEXIST)
			return alog_err(e, "%s already exists: refusing to overwrite a key", path);
		return alog_errno(e, "cannot create %s", path);
	}
	if (alog_write_all(fd, text, n) != 0 || fsync(fd) != 0) {
		alog_errno(e, "cannot write %s", path);
		close(fd);
		unlink(path);
		return -1;
	}
	if (close(fd) != 0 || alog_fsync_dir(path) != 0) {
		alog_errno(e, "cannot sync %s", path);
		unlink(path);
		return -1;
	}
	return 0;
}

int alog_reader_key_save(const struct alog_reader_key *k, const char *path,
                         struct alog_error *e)
{
	char text[512], hex[2 * ALOG_READER_ID_LEN + 1], pk[ALOG_B64_LEN(32) + 1],
		sk[ALOG_B64_LEN(32) + 1];
	int n, rc;

	alog_hex(hex, k->id, sizeof k->id);
	n = snprintf(text, sizeof text,
	             "# alog reader secret key: keep it private (mode 0600).\n"
	             "# It opens the values a policy encrypted to reader %s.\n"
	             "%s\nid %s\npublic %s\nsecret %s\n",
	             hex, reader_magic, hex, alog_b64(pk, k->pk, 32), alog_b64(sk, k->sk, 32));
	rc = write_new_file(path, text, (size_t)n, 0600, e);
	sodium_memzero(text, sizeof text);
	sodium_memzero(sk, sizeof sk);
	return rc;
}

int alog_reader_key_load(struct alog_reader_key *k, const char *path, struct alog_error *e)
{
	size_t n;
	char *buf = read_key_file(path, "reader secret key", 1, &n, e), *save, *line;
	const char *v;
	uint8_t id[ALOG_READER_ID_LEN], pk[32];
	int have = 0;

	memset(k, 0, sizeof *k);
	if (!buf)
		return -1;
	save = buf;
	line = next_line(&save);
	if (!line || strcmp(line, reader_magic) != 0) {
		alog_err(e, "not an alog reader secret key (no \"%s\" line)", reader_magic);
		goto fail;
	}
	while ((line = next_line(&save)) != NULL) {
		if ((v = field(line, "id")) && alog_unhex(id, sizeof id, v, strlen(v)) == 0)
			have |= 1;
		else if ((v = field(line, "public")) && alog_unb64(k->pk, 32, v, strlen(v)) == 32)
			have |= 2;
		else if ((v = field(line, "secret")) && alog_unb64(k->sk, 32, v, strlen(v)) == 32)
			have |= 4;
		else {
			alog_err(e, "malformed reader secret key: bad line \"%.20s\"", line);
			goto fail;
		}
	}
	if (have != 7) {
		alog_err(e, "incomplete reader secret key file");
		goto fail;
	}
	crypto_scalarmult_base(pk, k->sk);
	alog_reader_id(k->id, k->pk);
	if (memcmp(pk, k->pk, 32) != 0 || memcmp(id, k->id, sizeof id) != 0) {
		alog_err(e, "reader secret key does not match its public key or id");
		goto fail;
	}
	alog_wipe_free(buf, n);
	return 0;
fail:
	alog_wipe_free(buf, n);
	alog_reader_key_wipe(k);
	return alog_err_at(e, path, 0);
}

void alog_reader_key_wipe(struct alog_reader_key *k)
{
	sodium_memzero(k, sizeof *k);
}

int alog_reader_pub_load(struct alog_reader_pub *p, const char *path, struct alog_error *e)
{
	size_t n;
	char *buf = read_key_file(path, "reader public key", 0, &n, e), *save, *line;
	int rc;

	if (!buf)
		return -1;
	save = buf;
	line = next_line(&save);
	if (!line)
		rc = alog_err(e, "no reader public key in the file");
	else
		rc = alog_reader_pub_parse(p, line, strlen(line), e);
	free(buf);
	return rc ? alog_err_at(e, path, 0) : 0;
}

void alog_pepper_generate(struct alog_pepper *p)
{
	if (sodium_init() < 0)
		abort();
	randombytes_buf(p->key, sizeof p->key);
}

int alog_pepper_save(const struct alog_pepper *p, const char *path, struct alog_error *e)
{
	char text[512], b64[ALOG_B64_LEN(32) + 1];
	int n, rc;

	n = snprintf(text, sizeof text,
	             "# alog pseudonymisation pepper: keep it private (mode 0600).\n"
	             "# Whoever has it can test guesses against the pseudonyms in a log.\n"
	             "%s\npepper %s\n",
	             pepper_magic, alog_b64(b64, p->key, sizeof p->key));
	rc = write_new_file(path, text, (size_t)n, 0600, e);
	sodium_memzero(text, sizeof text);
	sodium_memzero(b64, sizeof b64);
	return rc;
}

int alog_pepper_load(struct alog_pepper *p, const char *path, struct alog_error *e)
{
	size_t n;
	char *buf = read_key_file(path, "pepper file", 1, &n, e), *save, *line;
	const char *v;
	int have = 0;

	memset(p, 0, sizeof *p);
	if (!buf)
		return -1;
	save = buf;
	line = next_line(&save);
	if (!line || strcmp(line, pepper_magic) != 0) {
		alog_err(e, "not an alog pepper file (no \"%s\" line)", pepper_magic);
		goto fail;
	}
	while ((line = next_line(&save)) != NULL) {
		if ((v = field(line, "pepper")) && alog_unb64(p->key, 32, v, strlen(v)) == 32) {
			have = 1;
			continue;
		}
		alog_err(e, "malformed pepper file: bad line \"%.20s\"", line);
		goto fail;
	}
	if (!have) {
		alog_err(e, "incomplete pepper file");
		goto fail;
	}
	alog_wipe_free(buf, n);
	if (sodium_init() < 0)
		abort();
	return 0;
fail:
	alog_wipe_free(buf, n);
	alog_pepper_wipe(p);
	return alog_err_at(e, path, 0);
}

void alog_pepper_wipe(struct alog_pepper *p)
{
	sodium_memzero(p, sizeof *p);
}

/* ---- writing ---- */

static size_t raw_len(size_t len, size_t nr)
{
	return HEAD_LEN + nr * (SLOT_OVERHEAD + len);
}

/* sodium_pad always adds at least one byte (0x80), up to a whole block. */
static size_t padded_len(size_t n)
{
	return (n / ALOG_ENC_BLOCK + 1) * ALOG_ENC_BLOCK;
}

long alog_protect_place_text(const struct alog_place *pl, char *out, size_t cap)
{
	const char *o = pl->origin ? pl->origin : "";
	size_t on = strlen(o), k;
	long m;
	int w;

	/* worst case: every origin byte escaped as \u00XX */
	if (cap < 6 * on + pl->pathn + 64)
		return -1;
	memcpy(out, "{\"origin\":\"", 11);
	k = 11;
	m = alog_json_escape(o, on, out + k);
	if (m < 0)
		return -1;
	k += (size_t)m;
	w = snprintf(out + k, cap - k, "\",\"seq\":%llu,\"path\":", (unsigned long long)pl->seq);
	if (w < 0 || (size_t)w >= cap - k)
		return -1;
	k += (size_t)w;
	memcpy(out + k, pl->path, pl->pathn);
	k += pl->pathn;
	out[k++] = '}';
	return (long)k;
}

size_t alog_protect_sealed_len(size_t pn, size_t len, size_t nreaders)
{
	return 2 + PREFIX_LEN + ALOG_B64_LEN(raw_len(pn + 1 + padded_len(len), nreaders));
}

long alog_protect_seal(const struct alog_reader_pub *r, size_t nr, const struct alog_place *pl,
                       const char *v, size_t n, char *out, size_t cap, struct alog_error *e)
{
	uint8_t stackbuf[4096], *raw;
	unsigned char *plain;
	size_t pn, L, rl, total, at = HEAD_LEN, padded = 0;
	size_t pcap;
	long k;

	if (nr == 0 || nr > ALOG_MAX_READERS)
		return alog_err(e, "a value is encrypted to 1 to %d readers", ALOG_MAX_READERS);
	pcap = 6 * (pl->origin ? strlen(pl->origin) : 0) + pl->pathn + 64 + 1 + n + ALOG_ENC_BLOCK;
	plain = alog_xmalloc(pcap);
	k = alog_protect_place_text(pl, (char *)plain, pcap);
	if (k < 0) {
		free(plain);
		return alog_err(e, "the place of a protected value is too long");
	}
	pn = (size_t)k;
	plain[pn] = '\n';
	memcpy(plain + pn + 1, v, n);
	/* the place is no secret: only the value is padded, so its bucket is all that shows */
	if (sodium_pad(&padded, plain + pn + 1, n, ALOG_ENC_BLOCK, pcap - pn - 1) != 0)
		abort();
	L = pn + 1 + padded;
	rl = raw_len(L, nr);
	total = 2 + PREFIX_LEN + ALOG_B64_LEN(rl);
	if (total > cap) {
		sodium_memzero(plain, pcap);
		free(plain);
		return alog_err(e, "the encrypted value would take %zu bytes, more than the %zu "
		                   "left", total, cap);
	}
	if (sodium_init() < 0)
		abort();
	raw = rl <= sizeof stackbuf ? stackbuf : alog_xmalloc(rl);
	raw[0] = 2;
	raw[1] = (uint8_t)nr;
	for (size_t i = 0; i < nr; i++) {
		memcpy(raw + at, r[i].id, ALOG_READER_ID_LEN);
		at += ALOG_READER_ID_LEN;
		crypto_box_seal(raw + at, plain, L, r[i].pk);
		at += crypto_box_SEALBYTES + L;
	}
	sodium_memzero(plain, pcap);
	free(plain);
	out[0] = '"';
	memcpy(out + 1, ALOG_ENC_PREFIX, PREFIX_LEN);
	sodium_bin2base64(out + 1 + PREFIX_LEN, cap - 1 - PREFIX_LEN, raw, rl,
	                  sodium_base64_VARIANT_ORIGINAL);
	out[total - 1] = '"';
	if (raw != stackbuf)
		free(raw);
	return (long)total;
}

void alog_protect_pseudonym(const struct alog_pepper *p, const void *v, size_t n,
                            char out[ALOG_PS_TOKEN_LEN + 1])
{
	uint8_t h[16];
	const size_t pre = sizeof ALOG_PS_PREFIX - 1;

	crypto_generichash(h, sizeof h, v, n, p->key, sizeof p->key);
	memcpy(out, ALOG_PS_PREFIX, pre);
	sodium_bin2base64(out + pre, ALOG_PS_TOKEN_LEN + 1 - pre, h, sizeof h,
	                  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

/* ---- reading ---- */

/* The version of a protected value's prefix (1 or 2), or 0. */
static int enc_version(const char *v, size_t n)
{
	if (n < 2 + PREFIX_LEN || v[0] != '"' || v[n - 1] != '"')
		return 0;
	if (memcmp(v + 1, ALOG_ENC_PREFIX, PREFIX_LEN) == 0)
		return 2;
	if (memcmp(v + 1, ALOG_ENC1_PREFIX, PREFIX_LEN) == 0)
		return 1;
	return 0;
}

int alog_protect_is_protected(const char *v, size_t n)
{
	return enc_version(v, n) != 0;
}

/*
 * Decode a protected value into raw (at least 3/4 of n bytes); check its
 * shape.  Returns the raw length, or -1.  *nr and *slot tell the layout.
 */
static long decode(const char *v, size_t n, uint8_t *raw, size_t cap, size_t *nr, size_t *slot)
{
	size_t got = 0, b64n;
	const char *b64, *end = NULL;
	int ver = enc_version(v, n);

	if (!ver)
		return -1;
	b64 = v + 1 + PREFIX_LEN;
	b64n = n - 2 - PREFIX_LEN;
	if (b64n % 4 || sodium_base642bin(raw, cap, b64, b64n, NULL, &got, &end,
	                                  sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    end != b64 + b64n)
		return -1;
	if (got < HEAD_LEN || raw[0] != ver || raw[1] == 0 || raw[1] > ALOG_MAX_READERS)
		return -1;
	*nr = raw[1];
	if ((got - HEAD_LEN) % *nr)
		return -1;
	*slot = (got - HEAD_LEN) / *nr;
	if (*slot <= SLOT_OVERHEAD)
		return -1;
	return (long)got;
}

int alog_protect_readers(const char *v, size_t n, uint8_t (*ids)[ALOG_READER_ID_LEN],
                         size_t max, size_t *count)
{
	uint8_t small[4096], *raw = n <= sizeof small ? small : alog_xmalloc(n);
	size_t nr = 0, slot = 0;
	long got = decode(v, n, raw, n <= sizeof small ? sizeof small : n, &nr, &slot);

	if (got >= 0) {
		*count = nr;
		for (size_t i = 0; i < nr && i < max; i++)
			memcpy(ids[i], raw + HEAD_LEN + i * slot, ALOG_READER_ID_LEN);
	}
	if (raw != small)
		free(raw);
	return got < 0 ? -1 : 0;
}

/* The path of a place text for a message: names and indices joined by dots. */
static void path_words(const char *p, size_t n, char *out, size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; i < n && k + 1 < cap; i++) {
		char c = p[i];
		if (c == '[' || c == ']' || c == '"')
			continue;
		if (c == ',')
			c = '.';
		out[k++] = (unsigned char)c < 0x20 || c == 0x7f ? '?' : c;
	}
	out[k] = '\0';
}

/*
 * Check the place an alog-enc2 plaintext was sealed for (t[0..pn), the
 * text before its LF) against where the value was found.  0, or -1 with
 * a message that says what differs.
 */
static int check_place(const char *t, size_t pn, const struct alog_place *pl,
                       struct alog_error *e)
{
	const char *p = t, *end = t + pn, *q;
	char origin[256], want[256], got[256];
	unsigned long long seq = 0;
	long on;

	if (pn < 11 || memcmp(p, "{\"origin\":\"", 11) != 0)
		return alog_err(e, "protected value holds no place");
	p += 10;
	q = alog_json_skip(p, end);
	if (!q || end - q < 7 || memcmp(q, ",\"seq\":", 7) != 0)
		return alog_err(e, "protected value holds no place");
	on = alog_json_unescape(p + 1, (size_t)(q - p) - 2, origin, sizeof origin - 1);
	if (on < 0)
		return alog_err(e, "protected value holds no place");
	origin[on] = '\0';
	p = q + 7;
	if (p >= end || *p < '0' || *p > '9')
		return alog_err(e, "protected value holds no place");
	while (p < end && *p >= '0' && *p <= '9')
		seq = seq * 10 + (unsigned long long)(*p++ - '0');
	if (end - p < 9 || memcmp(p, ",\"path\":", 8) != 0 || end[-1] != '}')
		return alog_err(e, "protected value holds no place");
	p += 8;
	if (pl->origin && (strlen(pl->origin) != (size_t)on || memcmp(pl->origin, origin, (size_t)on)))
		return alog_err(e, "protected value was sealed for the log \"%.100s\", not this "
		                   "one (\"%.100s\"): it was moved here", origin, pl->origin);
	if (seq != pl->seq)
		return alog_err(e, "protected value was sealed for record seq %llu, not seq %llu: "
		                   "it was moved here", seq, (unsigned long long)pl->seq);
	if ((size_t)(end - 1 - p) != pl->pathn || memcmp(p, pl->path, pl->pathn) != 0) {
		path_words(p, (size_t)(end - 1 - p), got, sizeof got);
		path_words(pl->path, pl->pathn, want, sizeof want);
		return alog_err(e, "protected value was sealed for member \"%s\", not \"%s\": it "
		                   "was moved here", got, want);
	}
	return 0;
}

/* open with caller buffers: scratch and out hold at least n bytes each. */
static int open_into(const struct alog_reader_key *k, const char *v, size_t n,
                     const struct alog_place *pl, uint8_t *scratch, char *out, size_t *len,
                     struct alog_error *e)
{
	size_t nr, slot, L, vstart = 0;
	long got = decode(v, n, scratch, n, &nr, &slot);
	const uint8_t *box = NULL;
	struct alog_json_error je;

	if (got < 0)
		return alog_err(e, "malformed protected value");
	for (size_t i = 0; i < nr; i++) {
		const uint8_t *s = scratch + HEAD_LEN + i * slot;
		if (sodium_memcmp(s, k->id, ALOG_READER_ID_LEN) == 0) {
			box = s + ALOG_READER_ID_LEN;
			break;
		}
	}
	if (!box)
		return 1;
	L = slot - SLOT_OVERHEAD;
	if (crypto_box_seal_open((unsigned char *)out, box, slot - ALOG_READER_ID_LEN, k->pk,
	                         k->sk) != 0)
		return alog_err(e, "protected value fails authentication (damaged, or not made "
		                   "for this key)");
	if (scratch[0] == 2) {
		const char *lf = memchr(out, '\n', L);
		size_t unpadded;
		if (!lf)
			return alog_err(e, "protected value holds no place");
		if (pl && check_place(out, (size_t)(lf - out), pl, e) != 0)
			return -1;
		vstart = (size_t)(lf - out) + 1;
		L -= vstart;
		if (sodium_unpad(&unpadded, (const unsigned char *)out + vstart, L, ALOG_ENC_BLOCK) !=
		    0)
			return alog_err(e, "protected value is not padded as alog-enc2 values are");
		L = unpadded;
	}
	/* The plaintext must be one compact JSON value, as the policy wrote it. */
	if (alog_json_compact(out + vstart, L, (char *)scratch, 0, &je) != (long)L ||
	    memcmp(out + vstart, scratch, L) != 0)
		return alog_err(e, "protected value does not hold a compact JSON value");
	if (vstart) {
		memmove(out, out + vstart, L);
		sodium_memzero(out + L, vstart);
	}
	*len = L;
	return 0;
}

int alog_protect_open(const struct alog_reader_key *k, const char *v, size_t n,
                      const struct alog_place *pl, char *out, size_t cap, size_t *len,
                      struct alog_error *e)
{
	uint8_t *scratch;
	char *tmp;
	int rc;

	if (cap < n) {
		tmp = alog_xmalloc(n ? n : 1);
	} else {
		tmp = out;
	}
	scratch = alog_xmalloc(n ? n : 1);
	rc = open_into(k, v, n, pl, scratch, tmp, len, e);
	if (rc == 0 && tmp != out) {
		if (*len > cap)
			rc = alog_err(e, "decrypted value does not fit the buffer");
		else
			memcpy(out, tmp, *len);
	}
	if (tmp != out) {
		sodium_memzero(tmp, n);
		free(tmp);
	}
	sodium_memzero(scratch, n);
	free(scratch);
	return rc;
}

size_t alog_protect_placeholder(const char *v, size_t n, char *out, size_t cap)
{
	uint8_t ids[ALOG_MAX_READERS][ALOG_READER_ID_LEN];
	size_t count = 0, k;
	int w;

	if (cap == 0)
		return 0;
	if (alog_protect_readers(v, n, ids, ALOG_MAX_READERS, &count) != 0) {
		w = snprintf(out, cap, "<protected: malformed>");
	} else {
		w = snprintf(out, cap, "<protected: encrypted for reader%s", count > 1 ? "s" : "");
		for (k = 0; k < count && w >= 0 && (size_t)w < cap; k++) {
			char hex[2 * ALOG_READER_ID_LEN + 1];
			w += snprintf(out + w, cap - (size_t)w, "%s%s", k ? ", " : " ",
			              alog_hex(hex, ids[k], ALOG_READER_ID_LEN));
		}
		if (w >= 0 && (size_t)w < cap)
			w += snprintf(out + w, cap - (size_t)w, ">");
	}
	if (w < 0)
		w = 0;
	if ((size_t)w >= cap)
		w = (int)cap - 1;
	return (size_t)w;
}

/* ---- the reading side for tools ---- */

/* Entries of the alog member read per record; more make the record "loose". */
#define META_MAX 128
/* Extra path bytes beyond the record's own: "[index]" per level. */
#define PATH_SLACK (ALOG_JSON_MAX_DEPTH * 24 + 64)

/* What a record's alog member says about its protected values. */
struct rec_meta {
	int has_seq;
	uint64_t seq;
	int loose;                     /* entries omitted: every alog-enc string counts */
	struct alog_span enc[META_MAX]; /* raw paths of "encrypt" entries */
	size_t nenc;
	struct alog_span drop[META_MAX]; /* raw paths of dropped array elements */
	size_t ndrop;
};

struct alog_unprotect {
	int has_key;
	struct alog_reader_key key;
	char *origin;               /* the log's, or NULL */
	size_t cap;
	char *look;                 /* lookup: the value opened on the way */
	uint8_t *scratch;
	char *out;                  /* reveal output */
	size_t outcap, on;
	int overflow;
	char *lvl;                  /* reveal: a value opened */
	struct rec_meta meta;
	char *npath, *ppath;        /* the path walked: as alog.policy writes it; as sealed */
	size_t nn, pn, pathcap;
};

struct alog_unprotect *alog_unprotect_new(const char *key_path, struct alog_error *e)
{
	struct alog_unprotect *u = calloc(1, sizeof *u);

	if (!u) {
		alog_err(e, "out of memory");
		return NULL;
	}
	if (key_path) {
		/* only opening values needs libsodium (and its start-up cost) */
		if (sodium_init() < 0)
			abort();
		if (alog_reader_key_load(&u->key, key_path, e) != 0) {
			free(u);
			return NULL;
		}
		u->has_key = 1;
	}
	/* the buffers come with the first record looked at (paths_reset) */
	u->cap = ALOG_MAX_LINE;
	u->outcap = 2 * (size_t)ALOG_MAX_LINE;
	u->pathcap = (size_t)ALOG_MAX_LINE + PATH_SLACK;
	return u;
}

void alog_unprotect_free(struct alog_unprotect *u)
{
	if (!u)
		return;
	/*
	 * With a key, the buffers may hold opened values: wipe them before
	 * they go back to the heap.  Without one they only ever held what the
	 * log holds, and wiping them would touch megabytes no search used.
	 */
	if (u->has_key && u->look) {
		sodium_memzero(u->look, u->cap);
		sodium_memzero(u->lvl, u->cap);
		sodium_memzero(u->scratch, u->cap);
		sodium_memzero(u->out, u->outcap);
	}
	alog_reader_key_wipe(&u->key);
	free(u->look);
	free(u->lvl);
	free(u->scratch);
	free(u->out);
	free(u->npath);
	free(u->ppath);
	free(u->origin);
	free(u);
}

const uint8_t *alog_unprotect_key_id(const struct alog_unprotect *u)
{
	return u->has_key ? u->key.id : NULL;
}

void alog_unprotect_set_origin(struct alog_unprotect *u, const char *origin)
{
	free(u->origin);
	u->origin = origin ? alog_xstrdup(origin) : NULL;
}

/* The string member name of the object obj[0..n): its raw contents, or 0. */
static int member_str(const char *obj, size_t n, const char *name, struct alog_span *out)
{
	const char *one[1] = {name};
	struct alog_span v;

	if (alog_json_lookup(obj, n, one, 1, &v) != 1 || v.n < 2 || v.p[0] != '"')
		return 0;
	out->p = v.p + 1;
	out->n = v.n - 2;
	return 1;
}

/* Read what the record's seq and alog member say (any JSON: no seq, nothing protected). */
static void read_meta(struct rec_meta *m, const char *obj, size_t n)
{
	static const char *const p_seq[1] = {"seq"}, *const p_pol[2] = {"alog", "policy"},
	                         *const p_omit[2] = {"alog", "policy_omitted"};
	struct alog_span v;
	const char *a, *end;

	m->has_seq = 0;
	m->seq = 0;
	m->loose = 0;
	m->nenc = m->ndrop = 0;
	if (alog_json_type(obj, n) != ALOG_JSON_OBJECT ||
	    alog_json_lookup(obj, n, p_seq, 1, &v) != 1 || v.n == 0 || v.n > 16)
		return;
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return;
		m->seq = m->seq * 10 + (uint64_t)(v.p[i] - '0');
	}
	m->has_seq = 1;
	if (alog_json_lookup(obj, n, p_omit, 2, &v) == 1)
		m->loose = 1;
	if (alog_json_lookup(obj, n, p_pol, 2, &v) != 1 || v.n < 2 || v.p[0] != '[')
		return;
	end = v.p + v.n;
	a = v.p + 1;
	while (a < end && *a != ']') {
		const char *b = alog_json_skip(a, end);
		struct alog_span path, act;
		if (!b)
			break;
		if (member_str(a, (size_t)(b - a), "path", &path) &&
		    member_str(a, (size_t)(b - a), "action", &act)) {
			if (act.n == 7 && memcmp(act.p, "encrypt", 7) == 0) {
				if (m->nenc < META_MAX)
					m->enc[m->nenc++] = path;
				else
					m->loose = 1;
			} else if (act.n == 4 && memcmp(act.p, "drop", 4) == 0 && path.n &&
			           path.p[path.n - 1] == ']') {
				if (m->ndrop < META_MAX)
					m->drop[m->ndrop++] = path;
				else
					m->loose = 1;
			}
		}
		a = b;
		while (a < end && (*a == ',' || *a == ' '))
			a++;
	}
}

/* Did the policy encrypt the value at the path walked (u->npath)? */
static int placed(const struct alog_unprotect *u)
{
	const struct rec_meta *m = &u->meta;

	if (!m->has_seq)
		return 0;
	if (m->loose)
		return 1;
	for (size_t i = 0; i < m->nenc; i++)
		if (m->enc[i].n == u->nn && memcmp(m->enc[i].p, u->npath, u->nn) == 0)
			return 1;
	return 0;
}

/* Was the element idx (as it came in) of the array at npath[0..nn) dropped? */
static int dropped(const struct alog_unprotect *u, long idx)
{
	char num[32];
	int k = snprintf(num, sizeof num, "[%ld]", idx);

	for (size_t i = 0; i < u->meta.ndrop; i++) {
		const struct alog_span *d = &u->meta.drop[i];
		if (d->n == u->nn + (size_t)k && memcmp(d->p, u->npath, u->nn) == 0 &&
		    memcmp(d->p + u->nn, num, (size_t)k) == 0)
			return 1;
	}
	return 0;
}

static void path_add(char *buf, size_t *n, size_t cap, const char *s, size_t k)
{
	if (k <= cap - *n) {
		memcpy(buf + *n, s, k);
		*n += k;
	}
}

/* Step into the member with raw name nm: both paths grow. */
static void push_name(struct alog_unprotect *u, struct alog_span nm)
{
	if (u->nn)
		path_add(u->npath, &u->nn, u->pathcap, ".", 1);
	path_add(u->npath, &u->nn, u->pathcap, nm.p, nm.n);
	path_add(u->ppath, &u->pn, u->pathcap, u->pn > 1 ? ",\"" : "\"", u->pn > 1 ? 2 : 1);
	path_add(u->ppath, &u->pn, u->pathcap, nm.p, nm.n);
	path_add(u->ppath, &u->pn, u->pathcap, "\"", 1);
}

/* Step into an array element: idx as it came in, out where it is now. */
static void push_index(struct alog_unprotect *u, long idx, long out)
{
	char num[32];
	int k = snprintf(num, sizeof num, "[%ld]", idx);

	path_add(u->npath, &u->nn, u->pathcap, num, (size_t)k);
	k = snprintf(num, sizeof num, "%s%ld", u->pn > 1 ? "," : "", out);
	path_add(u->ppath, &u->pn, u->pathcap, num, (size_t)k);
}

/* The place of the value at the path walked, for opening it. */
static void place_here(struct alog_unprotect *u, struct alog_place *pl)
{
	path_add(u->ppath, &u->pn, u->pathcap, "]", 1);
	pl->origin = u->origin;
	pl->seq = u->meta.seq;
	pl->path = u->ppath;
	pl->pathn = u->pn;
	u->pn--;
}

/* Before each record: the paths walked start empty (the buffers are made on first use). */
static void paths_reset(struct alog_unprotect *u)
{
	if (!u->look) {
		/* a search that meets no protected value never needs them */
		u->look = alog_xmalloc(u->cap);
		u->lvl = alog_xmalloc(u->cap);
		u->scratch = alog_xmalloc(u->cap);
		u->out = alog_xmalloc(u->outcap);
		u->npath = alog_xmalloc(u->pathcap);
		u->ppath = alog_xmalloc(u->pathcap);
	}
	u->nn = 0;
	u->ppath[0] = '[';
	u->pn = 1;
}

/* Say who can open a value, for a "cannot open" message. */
static void closed_msg(struct alog_unprotect *u, const char *v, size_t n, const char *const *path,
                       size_t depth, struct alog_error *e)
{
	uint8_t ids[ALOG_MAX_READERS][ALOG_READER_ID_LEN];
	char name[256], who[ALOG_MAX_READERS * 18 + 8], hex[2 * ALOG_READER_ID_LEN + 1];
	size_t k = 0, count = 0, w = 0;

	for (size_t i = 0; i < depth && k + 1 < sizeof name; i++) {
		int r = snprintf(name + k, sizeof name - k, "%s%s", i ? "." : "", path[i]);
		if (r < 0)
			break;
		k += (size_t)r;
	}
	if (k >= sizeof name)
		k = sizeof name - 1;
	name[k] = '\0';
	for (char *c = name; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	who[0] = '\0';
	if (alog_protect_readers(v, n, ids, ALOG_MAX_READERS, &count) == 0)
		for (size_t i = 0; i < count && i < ALOG_MAX_READERS; i++)
			w += (size_t)snprintf(who + w, sizeof who - w, "%s%s", i ? ", " : "",
			                      alog_hex(hex, ids[i], ALOG_READER_ID_LEN));
	if (u->has_key)
		alog_err(e,
		         "member \"%s\" is protected, and not encrypted to reader key %s (only to "
		         "%s)",
		         name, alog_hex(hex, u->key.id, ALOG_READER_ID_LEN), who);
	else
		alog_err(e, "member \"%s\" is protected (encrypted for reader%s %s): reading it "
		            "needs a reader secret key", name, count > 1 ? "s" : "", who);
}

int alog_unprotect_lookup(struct alog_unprotect *u, const char *obj, size_t n,
                          const char *const *path, size_t depth, struct alog_span *value,
                          struct alog_error *e)
{
	struct alog_span cur = {obj, n}, v = {NULL, 0}, name;
	int opened = 0, rc;

	read_meta(&u->meta, obj, n);
	paths_reset(u);
	for (size_t i = 0; i < depth; i++) {
		struct alog_json_iter it;
		size_t len = strlen(path[i]);
		int found = 0;

		/* Opened values are compact JSON; a record is too. */
		if (alog_json_type(cur.p, cur.n) != ALOG_JSON_OBJECT)
			return ALOG_UNPROTECT_ABSENT;
		if (alog_json_iter_init(&it, cur.p, cur.n) != 0)
			return alog_err(e, "malformed JSON");
		while ((rc = alog_json_iter_next(&it, &name, &v)) == 1) {
			if (alog_json_name_eq(name, path[i], len)) {
				found = 1;
				break;
			}
		}
		if (rc < 0)
			return alog_err(e, "malformed JSON");
		if (!found)
			return ALOG_UNPROTECT_ABSENT;
		if (!opened)
			push_name(u, name);
		/* only the record's own values can be protected, never the alog member */
		if (!opened && !(i == 0 && len == 4 && memcmp(path[0], "alog", 4) == 0) &&
		    alog_protect_is_protected(v.p, v.n) && placed(u)) {
			struct alog_place pl;
			size_t olen;

			if (!u->has_key) {
				closed_msg(u, v.p, v.n, path, i + 1, e);
				return ALOG_UNPROTECT_CLOSED;
			}
			if (v.n > u->cap)
				return alog_err(e, "protected value too large");
			place_here(u, &pl);
			rc = open_into(&u->key, v.p, v.n, &pl, u->scratch, u->look, &olen, e);
			if (rc == 1) {
				closed_msg(u, v.p, v.n, path, i + 1, e);
				return ALOG_UNPROTECT_CLOSED;
			}
			if (rc < 0)
				return -1;
			v.p = u->look;
			v.n = olen;
			opened = 1;
		}
		cur = v;
	}
	if (depth == 0) {
		if (alog_json_lookup(obj, n, path, 0, &cur) != 1)
			return alog_err(e, "malformed JSON");
	}
	*value = cur;
	return ALOG_UNPROTECT_FOUND;
}

static void put(struct alog_unprotect *u, const char *p, size_t n)
{
	if (u->overflow || n > u->outcap - u->on) {
		u->overflow = 1;
		return;
	}
	memcpy(u->out + u->on, p, n);
	u->on += n;
}

static void put_placeholder(struct alog_unprotect *u, const char *v, size_t n)
{
	char ph[512];
	size_t k = alog_protect_placeholder(v, n, ph, sizeof ph);
	put(u, "\"", 1);
	put(u, ph, k);
	put(u, "\"", 1);
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* A protected value where the policy put it: opened, or its placeholder. */
static void reveal_protected(struct alog_unprotect *u, const char *p, size_t n,
                             struct alog_reveal_stats *st)
{
	struct alog_error e;
	struct alog_place pl;
	size_t len = 0;
	int rc;

	if (!u->has_key) {
		st->closed++;
		put_placeholder(u, p, n);
		return;
	}
	place_here(u, &pl);
	rc = n <= u->cap ? open_into(&u->key, p, n, &pl, u->scratch, u->lvl, &len, &e) : -1;
	if (rc != 0) {
		if (rc == 1)
			st->closed++;
		else
			st->broken++;
		put_placeholder(u, p, n);
		return;
	}
	st->opened++;
	/* what it holds is the value as it came in: shown as it is */
	put(u, u->lvl, len);
}

/*
 * Copy the value at p (ending before end); in the record itself (walk
 * set), open the values the policy protected, following the path walked.
 */
static int reveal_value(struct alog_unprotect *u, const char *p, const char *end, int walk,
                        struct alog_reveal_stats *st)
{
	const char *q;

	p = skip_ws(p, end);
	q = alog_json_skip(p, end);
	if (!q)
		return -1;
	switch (alog_json_type(p, (size_t)(q - p))) {
	case ALOG_JSON_STRING:
		if (walk && alog_protect_is_protected(p, (size_t)(q - p)) && placed(u))
			reveal_protected(u, p, (size_t)(q - p), st);
		else
			put(u, p, (size_t)(q - p));
		return 0;
	case ALOG_JSON_OBJECT: {
		struct alog_json_iter it;
		struct alog_span name, v;
		int rc, first = 1, top = walk && u->nn == 0;

		if (!walk) {
			put(u, p, (size_t)(q - p));
			return 0;
		}
		if (alog_json_iter_init(&it, p, (size_t)(q - p)) != 0)
			return -1;
		put(u, "{", 1);
		while ((rc = alog_json_iter_next(&it, &name, &v)) == 1) {
			size_t nn = u->nn, pn = u->pn;
			if (!first)
				put(u, ",", 1);
			first = 0;
			put(u, name.p - 1, name.n + 2);
			put(u, ":", 1);
			push_name(u, name);
			/* the alog member is alog's own: nothing in it is protected */
			rc = reveal_value(u, v.p, v.p + v.n,
			                  !(top && name.n == 4 && memcmp(name.p, "alog", 4) == 0), st);
			u->nn = nn;
			u->pn = pn;
			if (rc != 0)
				return -1;
		}
		if (rc < 0)
			return -1;
		put(u, "}", 1);
		return 0;
	}
	case ALOG_JSON_ARRAY: {
		const char *a = skip_ws(p + 1, q);
		int first = 1;
		long in = 0, out = 0;

		if (!walk) {
			put(u, p, (size_t)(q - p));
			return 0;
		}
		put(u, "[", 1);
		while (a < q && *a != ']') {
			const char *b = alog_json_skip(a, q);
			size_t nn = u->nn, pn = u->pn;
			int rc;
			if (!b)
				return -1;
			if (!first)
				put(u, ",", 1);
			first = 0;
			/* alog.policy names elements by their place in the event as it came in */
			while (u->meta.ndrop && dropped(u, in))
				in++;
			push_index(u, in++, out++);
			rc = reveal_value(u, a, b, walk, st);
			u->nn = nn;
			u->pn = pn;
			if (rc != 0)
				return -1;
			a = skip_ws(b, q);
			if (a < q && *a == ',')
				a = skip_ws(a + 1, q);
			else if (a >= q || *a != ']')
				return -1;
		}
		put(u, "]", 1);
		return 0;
	}
	case ALOG_JSON_INVALID:
		return -1;
	default:
		put(u, p, (size_t)(q - p));
		return 0;
	}
}

int alog_unprotect_reveal(struct alog_unprotect *u, const char *json, size_t n,
                          const char **out, size_t *outlen, struct alog_reveal_stats *stats,
                          struct alog_error *e)
{
	struct alog_reveal_stats local = {0, 0, 0};
	const char *end = json + n, *start = skip_ws(json, end), *after;

	after = alog_json_skip(start, end);
	u->on = 0;
	u->overflow = 0;
	if (!after || skip_ws(after, end) != end)
		return alog_err(e, "malformed JSON");
	read_meta(&u->meta, start, (size_t)(after - start));
	paths_reset(u);
	if (reveal_value(u, start, after, u->meta.has_seq, &local) != 0)
		return alog_err(e, "malformed JSON");
	if (u->overflow)
		return alog_err(e, "revealed record too large");
	if (stats) {
		stats->opened += local.opened;
		stats->closed += local.closed;
		stats->broken += local.broken;
	}
	*out = u->out;
	*outlen = u->on;
	return 0;
}

int alog_unprotect_reveal_line(struct alog_unprotect *u, const char *line, size_t len,
                               struct alog_buf *out, struct alog_reveal_stats *stats,
                               struct alog_error *e)
{
	const char *t = NULL; /* set on success (initialised for the analyzer) */
	size_t n = 0;

	if (len && line[len - 1] == '\n')
		len--;
	if (alog_unprotect_reveal(u, line, len, &t, &n, stats, e) != 0)
		return -1;
	out->n = 0;
	alog_buf_add(out, t, n);
	alog_buf_add(out, "\n", 1);
	return 0;
}
