/*
 * merkle.h - the RFC 6962 / RFC 9162 Merkle tree: leaf and node hashing,
 * an incremental compact range (the tree state a writer or verifier keeps:
 * one hash per set bit of the size), roots, and inclusion and consistency
 * proofs.
 *
 * Proof generation is written against a "subtree hash" callback so that a
 * caller can answer from the records (hashing leaves) or from a stored
 * tree state in O(log n).
 */
#ifndef ALOG_MERKLE_H
#define ALOG_MERKLE_H

#include <stddef.h>
#include <stdint.h>

/*
 * Hashes in any proof for sizes < 2^64: an inclusion proof has at most 64,
 * a consistency proof one more (the seed subtree) once size2 > 2^63.
 */
#define ALOG_MERKLE_MAX_PROOF 65

/* Compact range [0, size): hashes of the perfect subtrees, largest first. */
struct alog_merkle {
	uint64_t size;
	unsigned n; /* == popcount(size) */
	uint8_t hash[64][32];
};

/* SHA-256(0x00 || data): the leaf hash of an arbitrary leaf. */
void alog_merkle_leaf(uint8_t out[32], const void *data, size_t n);
/* SHA-256(0x01 || l || r). */
void alog_merkle_node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32]);

void alog_merkle_init(struct alog_merkle *m);
/* Append one leaf hash. */
void alog_merkle_push(struct alog_merkle *m, const uint8_t leaf[32]);
/*
 * Append one leaf given the root of the perfect subtree of height h that
 * ends at it (h no more than the trailing one bits of m->size), whose other
 * 2^h - 1 leaves are the last ones pushed: the same result as pushing the
 * leaf, with h fewer node hashes.  h == 0: top is the leaf hash.
 */
void alog_merkle_push_top(struct alog_merkle *m, const uint8_t top[32], unsigned h);

/*
 * The subtree roots a worker computes for a run of consecutive leaves,
 * first .. first + n - 1 (leaf k of the run is leaf first + k of the tree):
 * on entry t[k].hash holds leaf k's hash; on return t[k] holds the root
 * and height of the largest perfect subtree that ends at leaf k and lies
 * inside the run (height 0: the leaf itself).  t is strided: element k is
 * at (char *)t + k * stride.  Pushing leaf k with alog_merkle_push_top
 * gives the tree alog_merkle_push would, once leaves k - 2^h + 1 .. k - 1
 * of the run were the last pushed.
 */
struct alog_merkle_top {
	uint8_t hash[32];
	uint8_t height;
};
void alog_merkle_tops(uint64_t first, size_t n, struct alog_merkle_top *t, size_t stride);

/* Root of the tree of m->size leaves; SHA-256("") for the empty tree. */
void alog_merkle_root(const struct alog_merkle *m, uint8_t out[32]);
/* Load a stored compact range; -1 if n != popcount(size). */
int alog_merkle_load(struct alog_merkle *m, uint64_t size, const uint8_t (*hashes)[32],
                     unsigned n);

/*
 * Hash of the subtree over leaves [begin, end), end > begin, as RFC 9162
 * MTH(D[begin:end]).  Returns 0 or -1 (e.g. an I/O error reading leaves).
 */
typedef int (*alog_subtree_fn)(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32]);

/*
 * Inclusion proof for leaf index in a tree of size leaves (RFC 9162
 * 2.1.3.1).  Writes up to ALOG_MERKLE_MAX_PROOF hashes into proof; sets
 * *n.  0 or -1 (bad arguments or callback failure).
 */
int alog_merkle_inclusion_proof(uint64_t index, uint64_t size, alog_subtree_fn fn, void *ctx,
                                uint8_t (*proof)[32], unsigned *n);
/*
 * Consistency proof from size1 to size2 (RFC 9162 2.1.4.1), 0 < size1 <=
 * size2; empty when the sizes are equal.
 */
int alog_merkle_consistency_proof(uint64_t size1, uint64_t size2, alog_subtree_fn fn, void *ctx,
                                  uint8_t (*proof)[32], unsigned *n);

/* RFC 9162 2.1.3.2: 0 if the proof shows leaf at index in the tree with root; else -1. */
int alog_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32],
                                 const uint8_t (*proof)[32], unsigned n,
                                 const uint8_t root[32]);
/*
 * RFC 9162 2.1.4.2: 0 if consistent; else -1.  As in transparency-dev/merkle,
 * size1 == size2 needs an empty proof and root1 == root2, and a proof from
 * the empty tree to a non-empty one is refused as meaningless.
 */
int alog_merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t root1[32],
                                   const uint8_t root2[32], const uint8_t (*proof)[32],
                                   unsigned n);

/*
 * A subtree callback over an array of leaf hashes in memory (ctx points
 * to struct alog_merkle_leaves).  For tests and small trees.
 */
struct alog_merkle_leaves {
	const uint8_t (*leaf)[32];
	uint64_t count;
};
int alog_merkle_subtree_from_leaves(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32]);

/*
 * A subtree callback over a tree known as a compact range of its first
 * start->size leaves followed by the leaf hashes after it (ctx points to
 * struct alog_merkle_tail): enough for the root of any size >= start->size
 * and for a consistency proof from such a size to a larger one.  A subtree
 * that would need a leaf inside the compact range fails (-1).
 */
struct alog_merkle_tail {
	const struct alog_merkle *start;
	const uint8_t (*leaf)[32]; /* leaves start->size .. start->size + count - 1 */
	uint64_t count;
};
int alog_merkle_subtree_from_tail(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32]);

#endif
