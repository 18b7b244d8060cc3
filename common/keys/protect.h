/*
 * protect.h - protected fields: values a policy encrypts to reader keys
 * (libsodium sealed boxes) or replaces with keyed pseudonyms, the key files
 * behind them, and what readers (alog-grep, alog-export) call to open,
 * look up or hide protected values.  See alog-policy(5) for the formats.
 *
 * A protected value is a JSON string
 *
 *     "alog-enc2:" base64( 0x02 | n | n x ( key id (8) | sealed box ) )
 *
 * each sealed box (crypto_box_seal, 48 + P bytes) holding the same
 * plaintext of P bytes: the value's place (the log's origin, the record's
 * seq and the member path, as the JSON text {"origin":...,"seq":...,
 * "path":[...]}), a LF, and the member's original compact JSON value
 * text padded (sodium_pad) to a multiple of ALOG_ENC_BLOCK bytes.  A
 * value is opened only at the place it was sealed for.  The first format,
 * "alog-enc1:" (version byte 1, the bare value, no place, no padding), is
 * still read.
 * A reader key id is the first 8 bytes of SHA-256 of its public key.
 * A pseudonym is "alog-ps1:" + base64url (no padding) of the 16-byte
 * BLAKE2b (crypto_generichash) of the value keyed with a 32-byte pepper.
 *
 * A string that looks like a protected value is one only where the
 * record's own "alog" member says the policy encrypted the value there
 * (an "encrypt" entry of alog.policy with that member path); anywhere
 * else it is an ordinary string.
 */
#ifndef ALOG_PROTECT_H
#define ALOG_PROTECT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/span.h"
#include "base/util.h"

/* What every protected value starts with, and the two versions. */
#define ALOG_ENC_MARK "alog-enc"
#define ALOG_ENC_PREFIX "alog-enc2:"
#define ALOG_ENC1_PREFIX "alog-enc1:"
/* The padded plaintext of an alog-enc2 value is a multiple of this. */
#define ALOG_ENC_BLOCK 64
#define ALOG_PS_PREFIX "alog-ps1:"
#define ALOG_READER_PREFIX "alog-reader1+"
/* "alog-ps1:" + 22 base64url characters */
#define ALOG_PS_TOKEN_LEN 31
#define ALOG_READER_ID_LEN 8
/* Readers a value can be encrypted to. */
#define ALOG_MAX_READERS 16

struct alog_reader_pub {
	uint8_t id[ALOG_READER_ID_LEN];
	uint8_t pk[32];
};

struct alog_reader_key {
	uint8_t id[ALOG_READER_ID_LEN];
	uint8_t pk[32];
	uint8_t sk[32];
};

struct alog_pepper {
	uint8_t key[32];
};

/* ---- key files ---- */

/* A new X25519 reader key pair. */
void alog_reader_generate(struct alog_reader_key *k);
void alog_reader_public(struct alog_reader_pub *pub, const struct alog_reader_key *k);
/* The key id of a public key. */
void alog_reader_id(uint8_t id[ALOG_READER_ID_LEN], const uint8_t pk[32]);
/* "alog-reader1+<16 hex id>+<base64 public key>"; 0 or -1 if cap is short. */
int alog_reader_pub_format(char *out, size_t cap, const struct alog_reader_pub *p);
int alog_reader_pub_parse(struct alog_reader_pub *p, const char *text, size_t n,
                          struct alog_error *e);
/* A public key file: one key line, '#' comment lines allowed. */
int alog_reader_pub_load(struct alog_reader_pub *p, const char *path, struct alog_error *e);
/*
 * Secret key and pepper files: created with O_EXCL and mode 0600, never
 * overwritten; loading refuses files others can access or that we do not
 * own, as for sealing keys (alog_seckey_check_perms).
 */
int alog_reader_key_save(const struct alog_reader_key *k, const char *path,
                         struct alog_error *e);
int alog_reader_key_load(struct alog_reader_key *k, const char *path, struct alog_error *e);
void alog_reader_key_wipe(struct alog_reader_key *k);
void alog_pepper_generate(struct alog_pepper *p);
int alog_pepper_save(const struct alog_pepper *p, const char *path, struct alog_error *e);
int alog_pepper_load(struct alog_pepper *p, const char *path, struct alog_error *e);
void alog_pepper_wipe(struct alog_pepper *p);

/* ---- writing protected values ---- */

/*
 * Where a protected value sits: the log's origin (NULL when unknown: not
 * checked), the record's seq, and its member path as the JSON array text
 * of the member names as written in the record (quotes included) and the
 * array indices, e.g. ["headers","authorization"] or ["users",0,"email"].
 */
struct alog_place {
	const char *origin;
	uint64_t seq;
	const char *path;
	size_t pathn;
};

/* {"origin":"O","seq":N,"path":P}: the place as sealed; -1 if cap is short. */
long alog_protect_place_text(const struct alog_place *pl, char *out, size_t cap);

/* Bytes of the JSON string (quotes included) that seals a place of pn bytes
 * and a value of L bytes to n readers. */
size_t alog_protect_sealed_len(size_t pn, size_t len, size_t nreaders);
/*
 * Encrypt the JSON value text v[0..n), bound to its place pl, to readers
 * r[0..nr) and write the protected value (alog-enc2), a JSON string with
 * its quotes, to out (cap bytes).  Returns its length, or -1 with e set
 * (too many readers, cap too small).
 */
long alog_protect_seal(const struct alog_reader_pub *r, size_t nr, const struct alog_place *pl,
                       const char *v, size_t n, char *out, size_t cap, struct alog_error *e);
/* The pseudonym of v[0..n): ALOG_PS_TOKEN_LEN characters and a NUL. */
void alog_protect_pseudonym(const struct alog_pepper *p, const void *v, size_t n,
                            char out[ALOG_PS_TOKEN_LEN + 1]);

/* ---- reading protected values ---- */

/* Does the JSON value text v[0..n) look like a protected value ("alog-enc1:" or
 * "alog-enc2:")?  Whether it is one, the record's alog member says. */
int alog_protect_is_protected(const char *v, size_t n);
/*
 * The reader key ids a protected value is encrypted to: up to max ids into
 * ids, the count in *count.  0, or -1 if the value is malformed.
 */
int alog_protect_readers(const char *v, size_t n, uint8_t (*ids)[ALOG_READER_ID_LEN],
                         size_t max, size_t *count);
/*
 * Decrypt the protected value v[0..n) (JSON string text, quotes included)
 * with reader key k into out (cap bytes; n bytes always suffice): the
 * original compact JSON value text, its length in *len.  An alog-enc2
 * value opens only at the place pl it was sealed for (pl NULL: the place
 * is not checked; pl->origin NULL: the origin is not).  Returns 0; 1 when
 * the value is not encrypted to this key; -1 when it is malformed, fails
 * authentication, was sealed for another place or does not hold a JSON
 * value (e says which).
 */
int alog_protect_open(const struct alog_reader_key *k, const char *v, size_t n,
                      const struct alog_place *pl, char *out, size_t cap, size_t *len,
                      struct alog_error *e);
/*
 * What to show instead of a protected value that cannot be opened: plain
 * text (no quotes, no control characters), e.g.
 *     <protected: encrypted for reader 0123456789abcdef>
 * Returns the length written (at most cap - 1, NUL-terminated).
 */
size_t alog_protect_placeholder(const char *v, size_t n, char *out, size_t cap);

/*
 * The reading side in one object, for tools: an optional reader key and the
 * buffers to open values into, allocated once (no allocation per record).
 * Not thread-safe: one per thread.
 */
struct alog_unprotect;

/* key_path NULL: no key (every protected value stays closed). NULL on error. */
struct alog_unprotect *alog_unprotect_new(const char *key_path, struct alog_error *e);
void alog_unprotect_free(struct alog_unprotect *u);
/* The key's id, or NULL without a key. */
const uint8_t *alog_unprotect_key_id(const struct alog_unprotect *u);
/*
 * The origin of the log the next records come from (its header's), so
 * that a value sealed for another log does not open; NULL (the default)
 * when it is not known, as in a fragment without its header.  Copied.
 */
void alog_unprotect_set_origin(struct alog_unprotect *u, const char *origin);

enum {
	ALOG_UNPROTECT_ABSENT = 0, /* no member at that path */
	ALOG_UNPROTECT_FOUND = 1,  /* *value is the member's (decrypted) value */
	ALOG_UNPROTECT_CLOSED = 2, /* the path reaches a protected value this key cannot open */
};

/*
 * alog_json_lookup through protected values: find path[0..depth) in the
 * JSON object obj[0..n), opening any protected value on the way or at the
 * end.  Returns ALOG_UNPROTECT_FOUND (value points into obj or into u's
 * buffers, valid until the next call), ALOG_UNPROTECT_ABSENT,
 * ALOG_UNPROTECT_CLOSED (e says which member and which readers), or -1
 * when the record or a protected value is malformed or fails
 * authentication (e says why).
 */
int alog_unprotect_lookup(struct alog_unprotect *u, const char *obj, size_t n,
                          const char *const *path, size_t depth, struct alog_span *value,
                          struct alog_error *e);

struct alog_reveal_stats {
	uint64_t opened; /* protected values shown decrypted */
	uint64_t closed; /* not encrypted to the key, or no key: placeholder shown */
	uint64_t broken; /* malformed or failing authentication: placeholder shown */
};

/*
 * A copy of the JSON text json[0..n) (a record, or any JSON value) for
 * display: every protected string value replaced by its decrypted value
 * when u's key opens it, else by a placeholder JSON string.  Member names
 * and all other bytes are copied unchanged.  *out points into u's buffer
 * (valid until the next call); stats (may be NULL) are added to.  0, or
 * -1 on malformed JSON.
 */
int alog_unprotect_reveal(struct alog_unprotect *u, const char *json, size_t n,
                          const char **out, size_t *outlen, struct alog_reveal_stats *stats,
                          struct alog_error *e);

/*
 * The same for one record line (LF optional): the revealed line, LF
 * included, replaces the contents of out.  0, or -1 on malformed JSON.
 */
int alog_unprotect_reveal_line(struct alog_unprotect *u, const char *line, size_t len,
                               struct alog_buf *out, struct alog_reveal_stats *stats,
                               struct alog_error *e);

#endif
