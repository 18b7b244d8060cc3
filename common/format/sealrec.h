/*
 * sealrec.h - the seal record (alog(5), SEALS) and the checkpoint it
 * signs.  A seal with seq N commits to the tree of size N-1: it carries
 * that size, the root, the compact range (so sealing and verification can
 * resume from it), the epoch, the epoch's public key with its inclusion
 * proof in the epoch tree, and the Ed25519 signature of the C2SP
 * checkpoint text "<origin>\n<size>\n<base64 root>\n" as key ID ||
 * signature.  Making and checking the signature is keys/sealcheck.h.
 */
#ifndef ALOG_SEALREC_H
#define ALOG_SEALREC_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "format/merkle.h"
#include "format/record.h"

/* Epochs a key may have: a seal's epoch is below this. */
#define ALOG_KEY_MAX_EPOCHS (1u << 20)

/*
 * An epoch spent by a seal that never reached the log (optional member
 * "skipped"): a crash or a write error after the key had forgotten the
 * epoch and before its seal was appended, and records were appended since.
 * The seal that follows carries that seal's checkpoint, epoch key, proof
 * and signature, and the RFC 9162 consistency proof from its size to its
 * own, so the spent epoch is accounted for by its own signature.
 */
struct alog_seal_skip {
	uint64_t size;
	uint8_t root[32];
	uint64_t epoch;
	uint8_t pk[32];
	uint8_t proof[ALOG_MERKLE_MAX_PROOF][32];
	unsigned nproof;
	uint8_t sig[68];
	uint8_t cons[ALOG_MERKLE_MAX_PROOF][32];
	unsigned ncons;
};

struct alog_seal {
	uint64_t size;
	uint8_t root[32];
	struct alog_merkle range;
	uint64_t epoch;
	uint8_t pk[32];
	uint8_t proof[ALOG_MERKLE_MAX_PROOF][32];
	unsigned nproof;
	uint8_t sig[68]; /* key ID || Ed25519 signature */
	/* A planned key handover (optional members "nextkey", "nextsig"): the
	 * public key that seals from the next seal on, from its epoch 0, and
	 * the epoch key's Ed25519 signature of alog_handover_text. */
	int has_next;
	char nextkey[400];
	uint8_t nextsig[64];
	/* An emergency rollover (optional member "rollover":true): the first
	 * seal of a new key (epoch 0) that the previous key did not name. */
	int rollover;
	/* The epoch before this one, spent by a seal that never reached the
	 * log (optional member "skipped", alog(5)). */
	int has_skip;
	struct alog_seal_skip skip;
};

/* The text a handover signature covers: "alog handover\n" + the
 * checkpoint text + the next public key + "\n".  Returns the length. */
size_t alog_handover_text(char *out, size_t cap, const char *origin, const struct alog_seal *s);

/* Parse a seal record's members.  0 or -1 with e set. */
int alog_seal_parse(const struct alog_rec *r, struct alog_seal *s, struct alog_error *e);
/*
 * Parse the members text alog_seal_members wrote (as kept in a secret key
 * file: the last seal the key made).  0 or -1 with e set.
 */
int alog_seal_parse_members(const char *members, size_t n, struct alog_seal *s,
                            struct alog_error *e);
/* The members text (",\"size\":..."); returns its length (cap on overflow);
 * out needs ALOG_SEAL_MEMBERS_MAX bytes. */
#define ALOG_SEAL_MEMBERS_MAX 16384
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

#endif
