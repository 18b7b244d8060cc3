/*
 * sealcheck.h - seals and epoch keys: the seal of a tree made with a
 * secret key's current epoch, and a seal checked against the public key
 * (the epoch key's proof in the epoch tree, the key ID, the signature).
 */
#ifndef ALOG_SEALCHECK_H
#define ALOG_SEALCHECK_H

#include "base/util.h"
#include "format/merkle.h"
#include "format/sealrec.h"
#include "keys/key.h"

/*
 * Check what only the public key can tell: the epoch key's proof against
 * the epoch tree, the key ID and the signature.  0 or -1 with e set.
 */
int alog_seal_check(const struct alog_seal *s, const struct alog_pubkey *pk,
                    struct alog_error *e);

/*
 * Make the seal of a tree with the key's current epoch: root, range, the
 * epoch key with its proof, and the signature.  The key is not advanced.
 * 0, or -1 when the key is used up or its file is inconsistent.
 */
int alog_seal_make(struct alog_seal *s, const struct alog_seckey *sk,
                   const struct alog_merkle *tree);

/*
 * A planned handover in seal s (made, not yet signed, with the key's
 * current epoch): set nextkey to next and sign it with that epoch.  0, or
 * -1 when the key is used up.
 */
int alog_seal_handover_sign(struct alog_seal *s, const struct alog_seckey *sk,
                            const struct alog_pubkey *next);
/*
 * Check a seal's handover: its signature by the seal's epoch key, and the
 * next key (same origin, parsed into next).  The seal itself must have
 * been checked (alog_seal_check) for this to mean anything.  0 or -1.
 */
int alog_seal_handover_check(const struct alog_seal *s, const char *origin,
                             struct alog_pubkey *next, struct alog_error *e);

/*
 * A seal's skipped epoch (alog(5), "skipped"): the spent epoch's own seal,
 * checked against the public key as a seal is, and the consistency proof
 * from its tree to the tree this seal signs.  pk may be NULL: then only
 * the consistency proof is checked.  The seal's root must be known to be
 * the log's (checked against the records) for this to mean anything.
 * 0 or -1 with e set.
 */
int alog_seal_skip_check(const struct alog_seal *s, const struct alog_pubkey *pk,
                         struct alog_error *e);
/* The spent epoch's seal, as a seal (no range): for messages and checks. */
void alog_seal_of_skip(struct alog_seal *out, const struct alog_seal *s);

#endif
