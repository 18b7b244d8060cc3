/*
 * key.h - forward-secure sealing keys.  Epoch e has an Ed25519 key pair
 * derived from seed_e; seed_(e+1) = SHA-256("alog/v1/next" || seed_e), so
 * the host can move forward but never back.  All epoch public keys are
 * committed at generation time in an RFC 6962 tree whose root, with the
 * origin and epoch count, is the public verification key:
 *
 *     alog1+<origin>+<epochs>+<base64 root>
 *
 * The secret key file holds the current seed only, plus public data needed
 * to prove later epoch keys against the root (see alog(5)).
 */
#ifndef ALOG_KEY_H
#define ALOG_KEY_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "format/merkle.h"
#include "format/sealrec.h"

#define ALOG_KEY_DEFAULT_EPOCHS 65536
/* ALOG_KEY_MAX_EPOCHS: format/sealrec.h */
#define ALOG_PUBKEY_PREFIX "alog1+"

struct alog_pubkey {
	char origin[256];
	uint32_t epochs;
	uint8_t root[32];
};

struct alog_seckey {
	char origin[256];
	uint32_t epochs;
	uint32_t next;          /* the epoch the next seal uses */
	uint8_t root[32];       /* the epoch tree root (as in the public key) */
	uint8_t seed[32];       /* seed of epoch `next`; all earlier seeds are gone */
	struct alog_merkle left; /* compact range of epoch leaves [0, next) */
	uint8_t (*leaves)[32];  /* leaf hashes of epochs next .. epochs-1 */
	int fd;                 /* the open, locked key file (-1 when none) */
	char *last_seal;        /* members of the last seal this key made (public data, so an
	                         * interrupted seal can be completed), or NULL */
};

/* Epoch key pair from its seed. */
void alog_epoch_keypair(const uint8_t seed[32], uint8_t pk[32], uint8_t sk[64]);
/* The one-way step from one epoch's seed to the next. */
void alog_epoch_next_seed(uint8_t next[32], const uint8_t seed[32]);
/* Leaf hash committing epoch e's public key: RFC 6962 leaf of be64(e) || pk. */
void alog_epoch_leaf(uint8_t out[32], uint64_t epoch, const uint8_t pk[32]);

/* Generate a new key: fills sk (with leaves) and pk.  0 or -1. */
int alog_key_generate(struct alog_seckey *sk, struct alog_pubkey *pk, const char *origin,
                      uint32_t epochs, struct alog_error *e);

int alog_pubkey_format(char *out, size_t cap, const struct alog_pubkey *pk);
int alog_pubkey_parse(struct alog_pubkey *pk, const char *text, size_t n, struct alog_error *e);
/* Read a public key file (one line; '#' comment lines allowed). */
int alog_pubkey_load(struct alog_pubkey *pk, const char *path, struct alog_error *e);

/*
 * Open a secret key file: refuses one that is not a regular file owned by
 * us, or that group or others can read or write (as ssh does).  With lock,
 * takes an exclusive lock held until alog_seckey_free.  0 or -1.
 */
int alog_seckey_load(struct alog_seckey *sk, const char *path, int lock, struct alog_error *e);
/* Check a key file's ownership and permissions only.  0 or -1. */
int alog_seckey_check_perms(const char *path, int fd, struct alog_error *e);
/*
 * Write the key file: a new file (O_EXCL, mode 0600) when create, else an
 * atomic replace of the existing one (temporary file, fsync, rename, fsync
 * of the directory) after which the old contents are overwritten.
 */
int alog_seckey_save(struct alog_seckey *sk, const char *path, int create, struct alog_error *e);
void alog_seckey_free(struct alog_seckey *sk);

/*
 * Replacing a key file in two steps, so the new state is durable before
 * anything signed with the old epoch exists: alog_seckey_write_next writes
 * sk as PATH.next (created 0600 without following links, fsync, directory
 * fsync); alog_seckey_commit_next renames it over PATH, syncs the
 * directory and erases the old file's contents through sk->fd.  When the
 * rename fails, the old file is rewritten in place instead (or erased).
 * commit: 0 done; 1 replaced and erased but the directory sync failed (e
 * says so); -1 not replaced (e says what state the files are in).
 */
int alog_seckey_next_path(char *out, size_t cap, const char *path);
int alog_seckey_write_next(const struct alog_seckey *sk, const char *path,
                           struct alog_error *e);
int alog_seckey_commit_next(struct alog_seckey *sk, const char *path, struct alog_error *e);
/*
 * The same rename for a seal that is not in the log yet: when the rename
 * fails, PATH.next is removed and PATH is as it was (-1, nothing changed);
 * 1 replaced and the old contents erased, but the directory sync failed
 * (the rename may not survive a crash); 0 done.
 */
int alog_seckey_replace(struct alog_seckey *sk, const char *path, struct alog_error *e);

/* The current epoch's key pair.  -1 when the key is used up. */
int alog_seckey_current(const struct alog_seckey *sk, uint8_t pk[32], uint8_t skey[64]);
/* Inclusion proof of the current epoch's leaf in the epoch tree. */
int alog_seckey_proof(const struct alog_seckey *sk, uint8_t (*proof)[32], unsigned *n);
/* Forget the current seed and move to the next epoch (in memory). */
void alog_seckey_advance(struct alog_seckey *sk);

/* Does the secret key belong to the public key? */
int alog_key_match(const struct alog_seckey *sk, const struct alog_pubkey *pk);

#endif
