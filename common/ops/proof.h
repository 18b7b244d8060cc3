/*
 * proof.h - portable evidence: the tree state kept next to a log file (so
 * that a proof reads O(log n) hashes, not the log), C2SP tlog-proof@v1
 * bundles for single records, and consistency proofs between two
 * checkpoints.  Formats in alog(5), PROOFS AND TREE STATE.
 */
#ifndef ALOG_PROOF_H
#define ALOG_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "base/util.h"
#include "format/merkle.h"
#include "format/sealrec.h"
#include "keys/key.h"

#define ALOG_TLOG_PROOF_HEADER "c2sp.org/tlog-proof@v1"
#define ALOG_CONSISTENCY_HEADER "alog/consistency-proof@v1"
/* The tree state file of LOG is LOG + this suffix unless named. */
#define ALOG_TREE_SUFFIX ".tree"
#define ALOG_TREE_MAGIC "alog-tree-v1\n\0\0\0"
#define ALOG_TREE_HEADER 128

/*
 * The tree state of one log file: every Merkle tree node completed from
 * the file's first record on, in the order a compact range creates them,
 * in a file beside the log, brought up to date (and checked against the
 * log) when opened.
 */
struct alog_tree;

struct alog_tree_info {
	char origin[256];
	uint64_t base;      /* leaves before this file (its header's seq - 1) */
	uint64_t size;      /* leaves known: base + records in the file */
	uint64_t hashed;    /* records hashed to bring the state up to date */
	int rebuilt;        /* the state was (re)built from the start */
	int persistent;     /* kept in a file beside the log (else a temporary file) */
	char not_kept[4400]; /* when not persistent: why the file beside the log was not used */
	char state_path[4096];
};

/*
 * Open the log file and its tree state (state NULL: LOG.tree; when that
 * cannot be written, a temporary file is used and persistent is 0).
 * Checks the chain of the records it hashes.  NULL with e set.
 */
struct alog_tree *alog_tree_open(const char *log, const char *state, struct alog_error *e);
/*
 * The files of a rotated log as one tree, oldest first: each opened as by
 * alog_tree_open (state applies to the last), each checked to continue
 * the one before.  With follow and one file, the files before it are
 * found through the prev_file member of each continuing header (where
 * alog-seal --rotate put them) as far as they exist.  The tree returned
 * is the last file's; proofs reach into the earlier ones.  NULL with e set.
 */
struct alog_tree *alog_tree_open_files(const char *const *logs, size_t n, const char *state,
                                       int follow, struct alog_error *e);
/* The file before log (its prev_file, in log's directory): 0; 1 none named; -1. */
int alog_log_prev_file(const char *log, char *out, size_t cap, struct alog_error *e);
/* Close a tree and the trees of the files before it. */
void alog_tree_close(struct alog_tree *t);
const struct alog_tree_info *alog_tree_info(const struct alog_tree *t);
/* Forget the stored state and hash the whole file again. 0 or -1. */
int alog_tree_rebuild(struct alog_tree *t, struct alog_error *e);
/* RFC 9162 MTH of leaves [begin, end): an alog_subtree_fn (ctx is the tree). */
int alog_tree_subtree(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32]);
/* Root of the tree of the first size leaves. 0 or -1. */
int alog_tree_root(struct alog_tree *t, uint64_t size, uint8_t root[32], struct alog_error *e);
/*
 * The file's last seal, checked against the tree state (rebuilding the
 * state once if it disagrees).  0; 1 when the file has no seal; -1.
 */
int alog_tree_last_seal(struct alog_tree *t, struct alog_seal *s, uint64_t *seq,
                        struct alog_error *e);

/*
 * Find the last seal of a log file by reading backwards from its end
 * (no tree state needed: for --checkpoint and --vkey).  0; 1 no seal; -1.
 */
int alog_last_seal(const char *log, char *origin, size_t cap, struct alog_seal *s, uint64_t *seq,
                   struct alog_error *e);

/*
 * Write the tlog-proof@v1 bundle for one record line (LF included) into
 * out (malloc'd, NUL-terminated).  0; 1 when this record cannot be proven
 * by this seal (e says why: not sealed yet, another file, not the
 * record in the log); -1.
 */
int alog_proof_bundle(struct alog_tree *t, const struct alog_seal *seal, const char *line,
                      size_t len, char **out, struct alog_error *e);

/* What a bundle proved. */
struct alog_bundle_result {
	uint64_t seq, size, epoch;
	char origin[256];
	char *record;      /* the proven record line (LF included), malloc'd; NULL unless 0 */
	size_t record_len;
};

/*
 * Check the first bundle in text[0..n) against the public key, offline:
 * the record's digest and index, the inclusion proof against the
 * checkpoint's root, the epoch key's proof against the public key and
 * the checkpoint's signature.  *used is set to the bundle's length (so a
 * file of several bundles can be walked).  0 verified; 1 not (e says
 * why); -1 when text holds no bundle at all.
 */
int alog_bundle_verify(const char *text, size_t n, size_t *used, const struct alog_pubkey *pk,
                       struct alog_bundle_result *res, struct alog_error *e);

/*
 * An epoch key with its inclusion proof in the epoch tree: what proves,
 * with the public key alone, the key that signed a checkpoint.
 */
struct alog_epoch_key {
	uint64_t epoch;
	uint8_t pk[32];
	uint8_t proof[ALOG_MERKLE_MAX_PROOF][32];
	unsigned nproof;
};
void alog_epoch_key_of_seal(struct alog_epoch_key *k, const struct alog_seal *s);

/*
 * Authenticate a checkpoint (a signed note): its origin is the public
 * key's, the epoch key is proven against the public key, and a signature
 * line by that key verifies over the checkpoint text.  0 authentic; 1 not
 * (e says why, as a phrase: "its signature does not verify ...").
 */
int alog_checkpoint_auth(const char *note, size_t n, const struct alog_pubkey *pk,
                         const struct alog_epoch_key *k, struct alog_error *e);
/*
 * The key IDs of the note's signature lines named origin (at most max).
 * Returns how many (0: the note has no signature line by that name).
 */
unsigned alog_checkpoint_keyids(const char *note, size_t n, const char *origin, uint32_t *ids,
                                unsigned max);
/*
 * Find, among the seals of the log file, one whose epoch key (proven by
 * the public key) signed the checkpoint, and authenticate the checkpoint
 * with it: 0 (k filled in); 1 not authenticated (e says why); -1 error.
 */
int alog_checkpoint_auth_by_log(const char *log, const char *note, size_t n,
                                const struct alog_pubkey *pk, struct alog_epoch_key *k,
                                struct alog_error *e);

/* alog_checkpoint_auth_by_log over every file of a tree opened with alog_tree_open_files. */
int alog_checkpoint_auth_by_tree(const struct alog_tree *t, const char *note, size_t n,
                                 const struct alog_pubkey *pk, struct alog_epoch_key *k,
                                 struct alog_error *e);

/*
 * A consistency proof between two checkpoints of the log (sizes and
 * roots as the log holds them), carrying the epoch keys that signed them
 * (k1, k2): the text, malloc'd.  NULL with e set.
 */
char *alog_consistency_text(struct alog_tree *t, uint64_t size1, uint64_t size2,
                            const struct alog_epoch_key *k1, const struct alog_epoch_key *k2,
                            struct alog_error *e);
/*
 * Check a consistency proof text against two checkpoints (note texts),
 * offline: both checkpoints are authenticated with the epoch keys the
 * proof carries (epochs[0], epochs[1] set), then the proof checked.
 * 0 consistent; 1 not (e says why); -1 unreadable input.
 */
int alog_consistency_verify(const char *proof, size_t n, const char *old_cp, size_t old_n,
                            const char *new_cp, size_t new_n, const struct alog_pubkey *pk,
                            uint64_t epochs[2], struct alog_error *e);

/*
 * Read a checkpoint file (at most 64 KiB): its text in *text (malloc'd,
 * NUL-terminated), origin (cap bytes), size and root.  0, or -1 with e
 * set and located at path.
 */
int alog_checkpoint_load(const char *path, char **text, size_t *n, char *origin, size_t cap,
                         uint64_t *size, uint8_t root[32], struct alog_error *e);

#endif
