/*
 * merkle.c - the RFC 6962 / RFC 9162 Merkle tree: compact ranges, roots,
 * and inclusion and consistency proofs (generation through a subtree
 * callback, verification by the RFC 9162 bit-walking algorithms).
 */
#include "format/merkle.h"

#include "base/sha256.h"

#include <sodium.h>
#include <string.h>

void alog_merkle_leaf(uint8_t out[32], const void *data, size_t n)
{
	static const uint8_t zero = 0x00;
	struct alog_sha256 c;

	/* Record hashes are 32 bytes: that case has a one-block fast path. */
	if (n == 32) {
		alog_sha256_leaf32(out, data);
		return;
	}
	alog_sha256_init(&c);
	alog_sha256_update(&c, &zero, 1);
	alog_sha256_update(&c, data, n);
	alog_sha256_final(&c, out);
}

void alog_merkle_node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	alog_sha256_node(out, l, r);
}

void alog_merkle_init(struct alog_merkle *m)
{
	memset(m, 0, sizeof *m);
}

void alog_merkle_push(struct alog_merkle *m, const uint8_t leaf[32])
{
	uint8_t h[32];

	/*
	 * Each trailing one bit of the size is a perfect subtree of the same
	 * height as the one being carried: merge them, as in binary addition.
	 */
	memcpy(h, leaf, 32);
	for (uint64_t s = m->size; s & 1; s >>= 1)
		alog_sha256_node(h, m->hash[--m->n], h);
	memcpy(m->hash[m->n++], h, 32);
	m->size++;
}

void alog_merkle_push_top(struct alog_merkle *m, const uint8_t top[32], unsigned h)
{
	uint8_t x[32];

	/* the subtree replaces its own h left parts; carry on from its height */
	memcpy(x, top, 32);
	m->n -= h;
	for (uint64_t s = m->size >> h; s & 1; s >>= 1)
		alog_sha256_node(x, m->hash[--m->n], x);
	memcpy(m->hash[m->n++], x, 32);
	m->size++;
}

#define TOP(t, stride, k) ((struct alog_merkle_top *)((char *)(t) + (k) * (stride)))

void alog_merkle_tops(uint64_t first, size_t n, struct alog_merkle_top *t, size_t stride)
{
	for (size_t k = 0; k < n; k++)
		TOP(t, stride, k)->height = 0;
	/*
	 * Level by level: a subtree of height h ends at leaf k when leaf
	 * first + k + 1 is a multiple of 2^h; inside the run when it starts at
	 * k + 1 - 2^h >= 0.  Its halves are the height h - 1 roots at k - 2^(h-1)
	 * and k, hashed two subtrees at a time.
	 */
	for (unsigned h = 1; h < 64 && ((size_t)1 << h) <= n; h++) {
		size_t w = (size_t)1 << h, half = w / 2, wait = 0;
		size_t k = (w - ((first + 1) & (w - 1))) & (w - 1);
		int waiting = 0;
		while (k + 1 < w)
			k += w;
		for (; k < n; k += w) {
			struct alog_merkle_top *r = TOP(t, stride, k);
			r->height = (uint8_t)h;
			if (!waiting) {
				wait = k;
				waiting = 1;
				continue;
			}
			struct alog_merkle_top *q = TOP(t, stride, wait);
			alog_sha256_node_x2(q->hash, TOP(t, stride, wait - half)->hash, q->hash, r->hash,
			                    TOP(t, stride, k - half)->hash, r->hash);
			waiting = 0;
		}
		if (waiting) {
			struct alog_merkle_top *q = TOP(t, stride, wait);
			alog_sha256_node(q->hash, TOP(t, stride, wait - half)->hash, q->hash);
		}
	}
}

void alog_merkle_root(const struct alog_merkle *m, uint8_t out[32])
{
	uint8_t h[32];

	if (m->n == 0) {
		alog_sha256(out, "", 0);
		return;
	}
	memcpy(h, m->hash[m->n - 1], 32);
	for (unsigned i = m->n - 1; i-- > 0;)
		alog_sha256_node(h, m->hash[i], h);
	memcpy(out, h, 32);
}

int alog_merkle_load(struct alog_merkle *m, uint64_t size, const uint8_t (*hashes)[32],
                     unsigned n)
{
	if (n != (unsigned)__builtin_popcountll(size))
		return -1;
	m->size = size;
	m->n = n;
	if (n)
		memcpy(m->hash, hashes, (size_t)n * 32);
	return 0;
}

/* The largest power of two strictly below s (s >= 2): RFC 9162's k. */
static uint64_t split_point(uint64_t s)
{
	return (uint64_t)1 << (63 - __builtin_clzll(s - 1));
}

/*
 * Both generators walk the RFC 9162 recursion from the root down, noting
 * the sibling subtree at each level, and emit those bottom-up: the order
 * the recursive definitions produce.  The depth is at most 64 because the
 * range shrinks to at most a power of two below its size at every step.
 */
struct subtree_list {
	uint64_t begin[64], end[64];
	unsigned n;
};

static int emit_reversed(const struct subtree_list *l, alog_subtree_fn fn, void *ctx,
                         uint8_t (*proof)[32], unsigned *n)
{
	unsigned k = *n;

	for (unsigned i = l->n; i-- > 0;)
		if (fn(ctx, l->begin[i], l->end[i], proof[k++]) != 0)
			return -1;
	*n = k;
	return 0;
}

int alog_merkle_inclusion_proof(uint64_t index, uint64_t size, alog_subtree_fn fn, void *ctx,
                                uint8_t (*proof)[32], unsigned *n)
{
	struct subtree_list l = {.n = 0};
	uint64_t begin = 0, end = size;

	if (!fn || !proof || !n || index >= size)
		return -1;
	*n = 0;
	while (end - begin > 1) {
		uint64_t k = split_point(end - begin);
		if (index < begin + k) {
			l.begin[l.n] = begin + k;
			l.end[l.n] = end;
			end = begin + k;
		} else {
			l.begin[l.n] = begin;
			l.end[l.n] = begin + k;
			begin += k;
		}
		l.n++;
	}
	return emit_reversed(&l, fn, ctx, proof, n);
}

int alog_merkle_consistency_proof(uint64_t size1, uint64_t size2, alog_subtree_fn fn, void *ctx,
                                  uint8_t (*proof)[32], unsigned *n)
{
	struct subtree_list l = {.n = 0};
	uint64_t begin = 0, end = size2, m = size1;
	int whole = 1; /* RFC 9162's b: still on the old tree's own root path */

	if (!fn || !proof || !n || size1 == 0 || size1 > size2)
		return -1;
	*n = 0;
	while (m != end - begin) {
		uint64_t k = split_point(end - begin);
		if (m <= k) {
			l.begin[l.n] = begin + k;
			l.end[l.n] = end;
			end = begin + k;
		} else {
			l.begin[l.n] = begin;
			l.end[l.n] = begin + k;
			begin += k;
			m -= k;
			whole = 0;
		}
		l.n++;
	}
	/* A verifier knows the old root, so it is sent only when not a subtree of its own. */
	if (!whole) {
		if (fn(ctx, begin, end, proof[0]) != 0)
			return -1;
		*n = 1;
	}
	return emit_reversed(&l, fn, ctx, proof, n);
}

int alog_merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32],
                                 const uint8_t (*proof)[32], unsigned n,
                                 const uint8_t root[32])
{
	uint64_t fn = index, sn = size - 1;
	uint8_t r[32];

	if (index >= size || n > 64) /* a path has at most 64 levels */
		return -1;
	memcpy(r, leaf, 32);
	for (unsigned i = 0; i < n; i++) {
		if (sn == 0)
			return -1; /* more hashes than the path has levels */
		if ((fn & 1) || fn == sn) {
			alog_sha256_node(r, proof[i], r);
			while (fn && !(fn & 1)) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			alog_sha256_node(r, r, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	/* Both checks always run: no early exit on which one failed. */
	int bad = sodium_memcmp(r, root, 32) != 0;
	bad |= sn != 0;
	return bad ? -1 : 0;
}

int alog_merkle_verify_consistency(uint64_t size1, uint64_t size2, const uint8_t root1[32],
                                   const uint8_t root2[32], const uint8_t (*proof)[32],
                                   unsigned n)
{
	uint64_t fn, sn;
	uint8_t fr[32], sr[32];
	unsigned i;

	if (size1 > size2)
		return -1;
	if (size1 == size2)
		return (n == 0 && sodium_memcmp(root1, root2, 32) == 0) ? 0 : -1;
	if (size1 == 0 || n == 0 || n > ALOG_MERKLE_MAX_PROOF)
		return -1;

	fn = size1 - 1;
	sn = size2 - 1;
	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	/* For a power-of-two size1 the old root is the proof's implied first hash. */
	if ((size1 & (size1 - 1)) == 0) {
		memcpy(fr, root1, 32);
		i = 0;
	} else {
		memcpy(fr, proof[0], 32);
		i = 1;
	}
	memcpy(sr, fr, 32);
	for (; i < n; i++) {
		if (sn == 0)
			return -1;
		if ((fn & 1) || fn == sn) {
			alog_sha256_node(fr, proof[i], fr);
			alog_sha256_node(sr, proof[i], sr);
			while (fn && !(fn & 1)) {
				fn >>= 1;
				sn >>= 1;
			}
		} else {
			alog_sha256_node(sr, sr, proof[i]);
		}
		fn >>= 1;
		sn >>= 1;
	}
	int bad = sodium_memcmp(fr, root1, 32) != 0;
	bad |= sodium_memcmp(sr, root2, 32) != 0;
	bad |= sn != 0;
	return bad ? -1 : 0;
}

int alog_merkle_subtree_from_leaves(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32])
{
	const struct alog_merkle_leaves *lv = ctx;
	struct alog_merkle m;

	if (!lv || begin >= end || end > lv->count)
		return -1;
	/* MTH of a slice is the root of the slice pushed as a tree of its own. */
	alog_merkle_init(&m);
	for (uint64_t i = begin; i < end; i++)
		alog_merkle_push(&m, lv->leaf[i]);
	alog_merkle_root(&m, out);
	return 0;
}

int alog_merkle_subtree_from_tail(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32])
{
	const struct alog_merkle_tail *t = ctx;
	uint64_t s = t->start->size, off = 0, k;
	uint8_t l[32], r[32];

	if (begin >= end || end > s + t->count)
		return -1;
	if (begin >= s) {
		struct alog_merkle_leaves lv = {t->leaf, t->count};
		return alog_merkle_subtree_from_leaves(&lv, begin - s, end - s, out);
	}
	/* a piece of the compact range, largest first */
	for (unsigned i = 0, bit = 64; i < t->start->n; i++) {
		while (!(s >> --bit & 1))
			;
		if (begin == off && end == off + (1ull << bit)) {
			memcpy(out, t->start->hash[i], 32);
			return 0;
		}
		off += 1ull << bit;
	}
	if (end - begin == 1)
		return -1;
	/* RFC 9162: split at the largest power of two below the size */
	for (k = 1; k << 1 < end - begin; k <<= 1)
		;
	if (alog_merkle_subtree_from_tail(ctx, begin, begin + k, l) != 0 ||
	    alog_merkle_subtree_from_tail(ctx, begin + k, end, r) != 0)
		return -1;
	alog_merkle_node(out, l, r);
	return 0;
}
