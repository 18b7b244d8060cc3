/*
 * seal.h - seal records and the sealing operation.  A seal with seq N
 * commits to the tree of size N-1: it carries that size, the root, the
 * compact range (so sealing and verification can resume from it), the
 * epoch, the epoch's public key with its inclusion proof in the epoch
 * tree, and the Ed25519 signature of the C2SP checkpoint text
 * "<origin>\n<size>\n<base64 root>\n" as key ID || signature.
 */
#ifndef ALOG_SEAL_H
#define ALOG_SEAL_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "format/merkle.h"
#include "format/record.h"
#include "keys/key.h"

struct alog_seal {
	uint64_t size;
	uint8_t root[32];
	struct alog_merkle range;
	uint64_t epoch;
	uint8_t pk[32];
	uint8_t proof[ALOG_MERKLE_MAX_PROOF][32];
	unsigned nproof;
	uint8_t sig[68]; /* key ID || Ed25519 signature */
};

/* Parse a JSON array of base64 SHA-256 hashes (compact, as written). 0 or -1. */
int alog_json_hash_array(const char *p, size_t n, uint8_t (*out)[32], unsigned max,
                         unsigned *count);
/* Parse a seal record's members.  0 or -1 with msg. */
int alog_seal_parse(const struct alog_rec *r, struct alog_seal *s, char *msg, size_t cap);
/* The members text (",\"size\":..."); returns its length; out needs 8192 bytes. */
size_t alog_seal_members(char *out, size_t cap, const struct alog_seal *s);
/* "<origin>\n<size>\n<base64 root>\n"; returns the length. */
size_t alog_checkpoint_text(char *out, size_t cap, const char *origin, uint64_t size,
                            const uint8_t root[32]);
/*
 * Read a checkpoint (the text of a C2SP signed note, signatures and
 * extension lines allowed after it).  0 or -1 with e set.
 */
int alog_checkpoint_parse(const char *note, size_t n, char *origin, size_t cap, uint64_t *size,
                          uint8_t root[32], struct alog_error *e);
/* The signed note for a seal: checkpoint text, blank line, signature line. */
char *alog_seal_note(const char *origin, const struct alog_seal *s);
/* The epoch's C2SP verifier key: origin+keyid+base64(0x01||pk). */
int alog_seal_vkey(char *out, size_t cap, const char *origin, const struct alog_seal *s);
/*
 * Check what only the public key can tell: the epoch key's proof against
 * the epoch tree, the key ID and the signature.  0 or -1 with msg.
 */
int alog_seal_check(const struct alog_seal *s, const struct alog_pubkey *pk, char *msg,
                    size_t cap);

/*
 * Make the seal of a tree with the key's current epoch: root, range, the
 * epoch key with its proof, and the signature.  The key is not advanced.
 * 0, or -1 when the key is used up or its file is inconsistent.
 */
int alog_seal_make(struct alog_seal *s, const struct alog_seckey *sk,
                   const struct alog_merkle *tree);

struct alog_seal_opts {
	const char *log;
	const char *key;
	const char *rotate; /* archive path, or NULL */
};

struct alog_seal_result {
	char *note;       /* malloc'd signed note */
	char vkey[400];   /* the epoch's verifier key */
	uint64_t seq;     /* the seal record's seq */
	uint64_t size;
	uint64_t epoch;
	uint64_t epochs_left;
	uint64_t hashed;  /* records hashed to resume the tree */
};

/*
 * Seal the log: under the log's lock, resume the tree from the last seal
 * (or header), check the chain since, append a seal made with the key's
 * next epoch, erase that epoch from the key file, and with rotate, move
 * the file to the archive name and start a new file continuing the log.
 * 0 sealed; 1 refused because the log or key state is wrong (e says why);
 * -1 error.
 */
int alog_seal_run(const struct alog_seal_opts *o, struct alog_seal_result *res,
                  struct alog_error *e);

#endif
