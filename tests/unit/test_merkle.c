/*
 * test_merkle.c - the Merkle tree against the published RFC 6962 vectors
 * and transparency-dev/merkle proofs, their negative cases, and property
 * tests over every proof of random trees and over sizes near 2^64.
 */
#include "base/enc.h"
#include "base/sha256.h"
#include "base/util.h"
#include "format/merkle.h"
#include "t.h"
#include "vectors.h"

#include <sodium.h>

typedef uint8_t hash_t[32];

/* The same roots as a checkpoint prints them. */
static const char *const root_b64[9] = {
	"47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=",
	"bjQLnP+zepicpUTmu3gKLHiQHT+zNzh2hRGjBhevoB0=",
	"+sVCA+fMaWzw38tCySodnbr3CtnmIfS9jZhmLwDjwSU=",
	"rra8/idLcKFPsGel5VeCZNsPqbUa9eC6FZFY8yngbnc=",
	"037kGJdt2VdTwcc4Yrk5j6Kiz5tP8P3+izDNlSCWFLc=",
	"Tju7H3tHjc/nH7YxYxUZo7yhLJrvyhYSv85ME6hiZNQ=",
	"duZ9rbzfHhDht03cYIq9L5jfsW+851J3tSMqEn8gh+8=",
	"3bib5AOAnjJXUNPSY814kpwpQreUKjS3fhIslZSnTIw=",
	"XcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=",
};

static hash_t node_tab[14], root_tab[9];

struct incl_case {
	uint64_t index, size;
	unsigned n;
	int proof[3];
};

static const struct incl_case incl_cases[] = {
	{0, 8, 3, {1, 9, 13}},
	{5, 8, 3, {4, 11, 12}},
	{2, 3, 1, {8}},
	{1, 5, 3, {0, 9, 4}},
	{0, 1, 0, {0}},
};

struct cons_case {
	uint64_t size1, size2;
	unsigned n;
	int proof[3];
};

static const struct cons_case cons_cases[] = {
	{1, 8, 3, {1, 9, 13}},
	{6, 8, 3, {10, 11, 12}},
	{2, 5, 2, {9, 4}},
	{6, 7, 3, {10, 6, 12}},
	{1, 1, 0, {0}},
	{8, 8, 0, {0}},
};

static int hash_eq(const uint8_t *a, const uint8_t *b)
{
	return memcmp(a, b, 32) == 0;
}

static void flip_bit(uint8_t *h, unsigned bit)
{
	h[bit / 8] ^= (uint8_t)(1u << (bit % 8));
}

/* ---- callbacks ---------------------------------------------------------- */

static int fail_after; /* a callback that fails on its Nth call, for error paths */

static int failing_subtree(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32])
{
	if (fail_after-- <= 0)
		return -1;
	return alog_merkle_subtree_from_leaves(ctx, begin, end, out);
}

/*
 * An independent oracle for big random trees: perfect aligned subtrees
 * come from a table built level by level, anything else splits per the RFC.
 */
#define PROP_MAX 320

struct oracle {
	hash_t leaf[PROP_MAX];
	hash_t level[10][PROP_MAX]; /* level[k][j]: MTH of leaves [j<<k, (j+1)<<k) */
	uint64_t count;
};

static void oracle_build(struct oracle *o, uint64_t count)
{
	o->count = count;
	for (uint64_t i = 0; i < count; i++) {
		randombytes_buf(o->leaf[i], 32);
		memcpy(o->level[0][i], o->leaf[i], 32);
	}
	for (unsigned k = 1; k < 10; k++)
		for (uint64_t j = 0; ((j + 1) << k) <= count; j++)
			alog_merkle_node(o->level[k][j], o->level[k - 1][2 * j],
			                 o->level[k - 1][2 * j + 1]);
}

static void oracle_mth(const struct oracle *o, uint64_t b, uint64_t e, uint8_t out[32])
{
	uint64_t s = e - b;
	if ((s & (s - 1)) == 0 && b % s == 0) {
		memcpy(out, o->level[__builtin_ctzll(s)][b / s], 32);
		return;
	}
	uint64_t k = 1;
	while (k * 2 < s)
		k *= 2;
	hash_t l, r;
	oracle_mth(o, b, b + k, l);
	oracle_mth(o, b + k, e, r);
	alog_merkle_node(out, l, r);
}

static int oracle_subtree(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32])
{
	const struct oracle *o = ctx;
	if (begin >= end || end > o->count)
		return -1;
	oracle_mth(o, begin, end, out);
	return 0;
}

/*
 * A tree of 2^64-1 identical leaves: MTH depends only on the width of a
 * range, so proofs at the top of the size range can be checked exactly.
 */
static hash_t same_perfect[64];

static void same_mth(uint64_t s, uint8_t out[32])
{
	if ((s & (s - 1)) == 0) {
		memcpy(out, same_perfect[__builtin_ctzll(s)], 32);
		return;
	}
	uint64_t k = (uint64_t)1 << (63 - __builtin_clzll(s - 1));
	hash_t r;
	same_mth(s - k, r);
	alog_merkle_node(out, same_perfect[__builtin_ctzll(k)], r);
}

static int same_subtree(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32])
{
	(void)ctx;
	if (begin >= end)
		return -1;
	same_mth(end - begin, out);
	return 0;
}

/* ---- negative cases ----------------------------------------------------- */

static int incl_ok(uint64_t index, uint64_t size, const uint8_t *leaf, const hash_t *proof,
                   unsigned n, const uint8_t *root)
{
	return alog_merkle_verify_inclusion(index, size, leaf, proof, n, root) == 0;
}

/*
 * The transparency-dev/merkle testdata mutations of a valid inclusion
 * proof; every one must be rejected.  full adds the checks that only
 * distinct leaves make meaningful (changed index or size).
 */
static void incl_negative(uint64_t index, uint64_t size, const uint8_t *leaf, const hash_t *proof,
                          unsigned n, const uint8_t *root, int all_bits)
{
	hash_t p[ALOG_MERKLE_MAX_PROOF + 2], garbage, r, l, empty;

	alog_sha256(empty, "", 0);
	randombytes_buf(garbage, 32);
	CHECK(incl_ok(index, size, leaf, proof, n, root));

	/* wrong index or size */
	CHECK(!incl_ok(index + 1, size, leaf, proof, n, root));
	CHECK(!incl_ok(index - 1, size, leaf, proof, n, root));
	CHECK(!incl_ok(index ^ 2, size, leaf, proof, n, root));
	CHECK(!incl_ok(index, size * 2, leaf, proof, n, root));
	CHECK(!incl_ok(index, size / 2, leaf, proof, n, root));
	CHECK(!incl_ok(size, size, leaf, proof, n, root));
	CHECK(!incl_ok(index, 0, leaf, proof, n, root));

	/* wrong root or leaf */
	memcpy(r, root, 32);
	flip_bit(r, 0);
	CHECK(!incl_ok(index, size, leaf, proof, n, r));
	CHECK(!incl_ok(index, size, leaf, proof, n, garbage));
	CHECK(!incl_ok(index, size, leaf, proof, n, empty));
	memcpy(l, leaf, 32);
	flip_bit(l, 7);
	CHECK(!incl_ok(index, size, l, proof, n, root));

	/* missing hashes: truncated, or any one removed */
	for (unsigned drop = 0; drop < n; drop++) {
		unsigned k = 0;
		for (unsigned i = 0; i < n; i++)
			if (i != drop)
				memcpy(p[k++], proof[i], 32);
		CHECK(!incl_ok(index, size, leaf, p, k, root));
	}
	/* extra hashes: garbage or the root before, after or inside */
	const uint8_t *extra[2] = {garbage, root};
	for (int x = 0; x < 2; x++) {
		for (unsigned at = 0; at <= n; at++) {
			unsigned k = 0;
			for (unsigned i = 0; i <= n; i++) {
				if (i == at)
					memcpy(p[k++], extra[x], 32);
				if (i < n)
					memcpy(p[k++], proof[i], 32);
			}
			CHECK(!incl_ok(index, size, leaf, p, k, root));
		}
	}
	/* every bit of every hash, or one random bit per hash */
	memcpy(p, proof, (size_t)n * 32);
	for (unsigned i = 0; i < n; i++) {
		for (unsigned bit = 0; bit < 256; bit++) {
			unsigned b = all_bits ? bit : randombytes_uniform(256);
			flip_bit(p[i], b);
			CHECK(!incl_ok(index, size, leaf, p, n, root));
			flip_bit(p[i], b);
			if (!all_bits)
				break;
		}
	}
}

static int cons_ok(uint64_t s1, uint64_t s2, const uint8_t *r1, const uint8_t *r2,
                   const hash_t *proof, unsigned n)
{
	return alog_merkle_verify_consistency(s1, s2, r1, r2, proof, n) == 0;
}

static void cons_negative(uint64_t s1, uint64_t s2, const uint8_t *r1, const uint8_t *r2,
                          const hash_t *proof, unsigned n, int all_bits)
{
	hash_t p[ALOG_MERKLE_MAX_PROOF + 2], garbage, r, empty;

	alog_sha256(empty, "", 0);
	randombytes_buf(garbage, 32);
	CHECK(cons_ok(s1, s2, r1, r2, proof, n));

	/* wrong sizes */
	CHECK(!cons_ok(s1 + 1, s2, r1, r2, proof, n));
	CHECK(!cons_ok(s1 - 1, s2, r1, r2, proof, n));
	CHECK(!cons_ok(s1 ^ 2, s2, r1, r2, proof, n));
	CHECK(!cons_ok(s1, s2 * 2, r1, r2, proof, n));
	CHECK(!cons_ok(s1, s2 / 2, r1, r2, proof, n));
	CHECK(!cons_ok(s2 + 1, s2, r1, r2, proof, n));
	CHECK(!cons_ok(0, s2, r1, r2, proof, n));
	CHECK(!cons_ok(0, s2, empty, r2, proof, 0));

	/* wrong roots */
	if (!hash_eq(r1, r2))
		CHECK(!cons_ok(s1, s2, r2, r1, proof, n));
	memcpy(r, r1, 32);
	flip_bit(r, 3);
	CHECK(!cons_ok(s1, s2, r, r2, proof, n));
	memcpy(r, r2, 32);
	flip_bit(r, 3);
	CHECK(!cons_ok(s1, s2, r1, r, proof, n));
	CHECK(!cons_ok(s1, s2, garbage, r2, proof, n));
	CHECK(!cons_ok(s1, s2, r1, garbage, proof, n));

	/* an empty proof, missing hashes */
	if (n)
		CHECK(!cons_ok(s1, s2, r1, r2, proof, 0));
	for (unsigned drop = 0; drop < n; drop++) {
		unsigned k = 0;
		for (unsigned i = 0; i < n; i++)
			if (i != drop)
				memcpy(p[k++], proof[i], 32);
		CHECK(!cons_ok(s1, s2, r1, r2, p, k));
	}
	/* extra hashes: garbage, root1, root2 or proof[0] anywhere */
	const uint8_t *extra[4] = {garbage, r1, r2, n ? proof[0] : garbage};
	for (int x = 0; x < 4; x++) {
		for (unsigned at = 0; at <= n; at++) {
			unsigned k = 0;
			for (unsigned i = 0; i <= n; i++) {
				if (i == at)
					memcpy(p[k++], extra[x], 32);
				if (i < n)
					memcpy(p[k++], proof[i], 32);
			}
			CHECK(!cons_ok(s1, s2, r1, r2, p, k));
		}
	}
	memcpy(p, proof, (size_t)n * 32);
	for (unsigned i = 0; i < n; i++) {
		for (unsigned bit = 0; bit < 256; bit++) {
			unsigned b = all_bits ? bit : randombytes_uniform(256);
			flip_bit(p[i], b);
			CHECK(!cons_ok(s1, s2, r1, r2, p, n));
			flip_bit(p[i], b);
			if (!all_bits)
				break;
		}
	}
}

/* ---- the published vectors ---------------------------------------------- */

static void test_hashing(void)
{
	hash_t want, got;
	struct alog_merkle m;

	/* B1 */
	alog_merkle_init(&m);
	alog_merkle_root(&m, got);
	t_unhex(want, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_MEM(got, want, 32);
	alog_merkle_leaf(got, "", 0);
	t_unhex(want, "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d");
	CHECK_MEM(got, want, 32);
	alog_merkle_leaf(got, "L123456", 7);
	t_unhex(want, "395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56");
	CHECK_MEM(got, want, 32);
	/*
	 * The HashChildren vector has 4-byte children, which the 32-byte node
	 * API cannot take: check the definition it pins down here, and that
	 * alog_merkle_node follows that definition below.
	 */
	{
		struct alog_sha256 c;
		alog_sha256_init(&c);
		alog_sha256_update(&c, "\x01N123N456", 9);
		alog_sha256_final(&c, want);
		t_unhex(got, "aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb");
		CHECK_MEM(got, want, 32);
	}

	/* B4: Go's tlog.RecordHash is the RFC 6962 leaf hash */
	char b64[ALOG_B64_LEN(32) + 1];
	alog_merkle_leaf(got, "hello world", 11);
	CHECK_STR(alog_b64(b64, got, 32), "TszzRgjTG6xce+z2AG31kAXYKBgQVtCSCE40HmuwBb0=");

	/* the 32-byte fast path agrees with the general one */
	uint8_t in[33] = {0};
	randombytes_buf(in + 1, 32);
	alog_merkle_leaf(got, in + 1, 32);
	alog_sha256(want, in, 33);
	CHECK_MEM(got, want, 32);

	/* node(a, b) = SHA-256(0x01 || a || b) */
	uint8_t nin[65];
	nin[0] = 1;
	randombytes_buf(nin + 1, 64);
	alog_merkle_node(got, nin + 1, nin + 33);
	alog_sha256(want, nin, 65);
	CHECK_MEM(got, want, 32);
}

static void test_standard_tree(void)
{
	hash_t leaves[8], got;
	uint8_t input[16];
	struct alog_merkle m;
	struct alog_merkle_leaves lv = {leaves, 8};
	char b64[ALOG_B64_LEN(32) + 1];

	for (int i = 0; i < 8; i++) {
		size_t n = t_unhex(input, leaf_input_hex[i]);
		alog_merkle_leaf(leaves[i], input, n);
		CHECK_MEM(leaves[i], node_tab[i], 32);
	}
	for (int i = 0; i < 4; i++) {
		alog_merkle_node(got, node_tab[2 * i], node_tab[2 * i + 1]);
		CHECK_MEM(got, node_tab[8 + i], 32);
	}
	for (int i = 0; i < 2; i++) {
		alog_merkle_node(got, node_tab[8 + 2 * i], node_tab[8 + 2 * i + 1]);
		CHECK_MEM(got, node_tab[12 + i], 32);
	}

	alog_merkle_init(&m);
	for (unsigned size = 0; size <= 8; size++) {
		if (size)
			alog_merkle_push(&m, leaves[size - 1]);
		CHECK(m.size == size);
		CHECK(m.n == (unsigned)__builtin_popcount(size));
		alog_merkle_root(&m, got);
		CHECK_MEM(got, root_tab[size], 32);
		CHECK_STR(alog_b64(b64, got, 32), root_b64[size]);
		if (size) {
			CHECK(alog_merkle_subtree_from_leaves(&lv, 0, size, got) == 0);
			CHECK_MEM(got, root_tab[size], 32);
		}
	}
	/* the compact range of 7 is [level 2 #0, level 1 #2, leaf 6] */
	alog_merkle_init(&m);
	for (int i = 0; i < 7; i++)
		alog_merkle_push(&m, leaves[i]);
	CHECK(m.n == 3);
	CHECK_MEM(m.hash[0], node_tab[12], 32);
	CHECK_MEM(m.hash[1], node_tab[10], 32);
	CHECK_MEM(m.hash[2], node_tab[6], 32);

	/* subtree_from_leaves checks its range */
	CHECK(alog_merkle_subtree_from_leaves(&lv, 3, 3, got) == -1);
	CHECK(alog_merkle_subtree_from_leaves(&lv, 4, 3, got) == -1);
	CHECK(alog_merkle_subtree_from_leaves(&lv, 0, 9, got) == -1);
	CHECK(alog_merkle_subtree_from_leaves(&lv, 4, 8, got) == 0);
	CHECK_MEM(got, node_tab[13], 32);
	CHECK(alog_merkle_subtree_from_leaves(&lv, 5, 6, got) == 0);
	CHECK_MEM(got, node_tab[5], 32);
}

static void test_published_proofs(void)
{
	hash_t leaves[8], proof[ALOG_MERKLE_MAX_PROOF], want[3];
	struct alog_merkle_leaves lv;
	unsigned n;

	for (int i = 0; i < 8; i++)
		memcpy(leaves[i], node_tab[i], 32);
	lv.leaf = (const uint8_t(*)[32])leaves;
	lv.count = 8;

	for (size_t c = 0; c < ALOG_ARRAY_LEN(incl_cases); c++) {
		const struct incl_case *ic = &incl_cases[c];
		for (unsigned i = 0; i < ic->n; i++)
			memcpy(want[i], node_tab[ic->proof[i]], 32);
		/* the tree is only as large as the proof's size */
		lv.count = ic->size;
		CHECK(alog_merkle_inclusion_proof(ic->index, ic->size, alog_merkle_subtree_from_leaves,
		                                  &lv, proof, &n) == 0);
		CHECK(n == ic->n);
		CHECK(memcmp(proof, want, (size_t)ic->n * 32) == 0);
		incl_negative(ic->index, ic->size, leaves[ic->index], (const hash_t *)want, ic->n,
		              root_tab[ic->size], 1);
	}
	CHECK(alog_merkle_verify_inclusion(0, 1, node_tab[0], NULL, 0, root_tab[1]) == 0);

	for (size_t c = 0; c < ALOG_ARRAY_LEN(cons_cases); c++) {
		const struct cons_case *cc = &cons_cases[c];
		for (unsigned i = 0; i < cc->n; i++)
			memcpy(want[i], node_tab[cc->proof[i]], 32);
		lv.count = cc->size2;
		CHECK(alog_merkle_consistency_proof(cc->size1, cc->size2,
		                                    alog_merkle_subtree_from_leaves, &lv, proof,
		                                    &n) == 0);
		CHECK(n == cc->n);
		CHECK(memcmp(proof, want, (size_t)cc->n * 32) == 0);
		cons_negative(cc->size1, cc->size2, root_tab[cc->size1], root_tab[cc->size2],
		              (const hash_t *)want, cc->n, 1);
	}

	/* generation refuses bad arguments and passes on callback failures */
	lv.count = 8;
	CHECK(alog_merkle_inclusion_proof(8, 8, alog_merkle_subtree_from_leaves, &lv, proof, &n) == -1);
	CHECK(alog_merkle_inclusion_proof(0, 0, alog_merkle_subtree_from_leaves, &lv, proof, &n) == -1);
	CHECK(alog_merkle_consistency_proof(0, 8, alog_merkle_subtree_from_leaves, &lv, proof, &n) ==
	      -1);
	CHECK(alog_merkle_consistency_proof(5, 4, alog_merkle_subtree_from_leaves, &lv, proof, &n) ==
	      -1);
	CHECK(alog_merkle_inclusion_proof(3, 9, alog_merkle_subtree_from_leaves, &lv, proof, &n) ==
	      -1);
	for (int k = 0; k < 3; k++) {
		fail_after = k;
		CHECK(alog_merkle_inclusion_proof(5, 8, failing_subtree, &lv, proof, &n) == -1);
		fail_after = k;
		CHECK(alog_merkle_consistency_proof(6, 8, failing_subtree, &lv, proof, &n) == -1);
	}
	fail_after = 3;
	CHECK(alog_merkle_consistency_proof(6, 8, failing_subtree, &lv, proof, &n) == 0);

	/* equal sizes: an empty proof and equal roots, nothing else */
	CHECK(alog_merkle_verify_consistency(0, 0, root_tab[0], root_tab[0], NULL, 0) == 0);
	CHECK(alog_merkle_verify_consistency(5, 5, root_tab[5], root_tab[4], NULL, 0) == -1);
	CHECK(alog_merkle_verify_consistency(0, 0, root_tab[0], root_tab[0],
	                                     (const hash_t *)root_tab, 1) == -1);
	CHECK(alog_merkle_verify_consistency(0, 3, root_tab[0], root_tab[3], NULL, 0) == -1);
	CHECK(alog_merkle_verify_consistency(0, 3, root_tab[0], root_tab[3],
	                                     (const hash_t *)root_tab, 1) == -1);
}

static void test_load(void)
{
	struct alog_merkle a, b;
	hash_t leaf, ra, rb;

	alog_merkle_init(&a);
	for (int i = 0; i < 11; i++) {
		randombytes_buf(leaf, 32);
		alog_merkle_push(&a, leaf);
	}
	CHECK(alog_merkle_load(&b, 11, (const hash_t *)a.hash, 2) == -1);
	CHECK(alog_merkle_load(&b, 11, (const hash_t *)a.hash, 4) == -1);
	CHECK(alog_merkle_load(&b, 11, (const hash_t *)a.hash, 3) == 0);
	CHECK(alog_merkle_load(&b, 0, NULL, 0) == 0);
	CHECK(b.size == 0 && b.n == 0);
	CHECK(alog_merkle_load(&b, UINT64_MAX, (const hash_t *)a.hash, 63) == -1);
	CHECK(alog_merkle_load(&b, 11, (const hash_t *)a.hash, 3) == 0);
	alog_merkle_root(&a, ra);
	alog_merkle_root(&b, rb);
	CHECK_MEM(ra, rb, 32);
}

/* ---- properties over random trees --------------------------------------- */

static void test_random_tree(uint64_t count)
{
	static struct oracle o;
	static hash_t roots[PROP_MAX + 1];
	hash_t proof[ALOG_MERKLE_MAX_PROOF], got, range[64];
	struct alog_merkle m, c;
	unsigned n;

	oracle_build(&o, count);
	alog_merkle_init(&m);
	alog_merkle_root(&m, roots[0]);
	for (uint64_t s = 1; s <= count; s++) {
		alog_merkle_push(&m, o.leaf[s - 1]);
		alog_merkle_root(&m, roots[s]);
		oracle_mth(&o, 0, s, got);
		CHECK_MEM(roots[s], got, 32);
	}

	/* every inclusion proof of every prefix, and a random mutation of each */
	for (uint64_t size = 1; size <= count; size++) {
		for (uint64_t i = 0; i < size; i++) {
			CHECK(alog_merkle_inclusion_proof(i, size, oracle_subtree, &o, proof, &n) == 0);
			CHECK(n <= 64);
			CHECK(incl_ok(i, size, o.leaf[i], (const hash_t *)proof, n, roots[size]));
			if (n) {
				unsigned k = randombytes_uniform(n), bit = randombytes_uniform(256);
				flip_bit(proof[k], bit);
				CHECK(!incl_ok(i, size, o.leaf[i], (const hash_t *)proof, n, roots[size]));
				flip_bit(proof[k], bit);
				CHECK(!incl_ok(i, size, o.leaf[i], (const hash_t *)proof, n - 1,
				               roots[size]));
			}
			memcpy(proof[n], roots[size], 32);
			CHECK(!incl_ok(i, size, o.leaf[i], (const hash_t *)proof, n + 1, roots[size]));
			if (i + 1 < size)
				CHECK(!incl_ok(i, size, o.leaf[i + 1], (const hash_t *)proof, n,
				               roots[size]));
		}
	}

	/* every consistency proof between prefixes */
	for (uint64_t s2 = 1; s2 <= count; s2++) {
		for (uint64_t s1 = 1; s1 <= s2; s1++) {
			CHECK(alog_merkle_consistency_proof(s1, s2, oracle_subtree, &o, proof, &n) ==
			      0);
			CHECK(cons_ok(s1, s2, roots[s1], roots[s2], (const hash_t *)proof, n));
			CHECK((n == 0) == (s1 == s2));
			if (n) {
				unsigned k = randombytes_uniform(n), bit = randombytes_uniform(256);
				flip_bit(proof[k], bit);
				CHECK(!cons_ok(s1, s2, roots[s1], roots[s2], (const hash_t *)proof, n));
				flip_bit(proof[k], bit);
				CHECK(!cons_ok(s1, s2, roots[s1], roots[s2], (const hash_t *)proof,
				               n - 1));
				CHECK(!cons_ok(s1, s2, roots[s2], roots[s1], (const hash_t *)proof, n));
			}
			randombytes_buf(proof[n], 32);
			CHECK(!cons_ok(s1, s2, roots[s1], roots[s2], (const hash_t *)proof, n + 1));
		}
	}

	/* a few full negative sweeps at awkward sizes */
	static const uint64_t sizes[] = {2, 3, 7, 8, 9, 31, 32, 33, 100, 255, 256, 257};
	for (size_t j = 0; j < ALOG_ARRAY_LEN(sizes); j++) {
		uint64_t size = sizes[j];
		if (size > count)
			continue;
		uint64_t i = randombytes_uniform((uint32_t)size);
		CHECK(alog_merkle_inclusion_proof(i, size, oracle_subtree, &o, proof, &n) == 0);
		incl_negative(i, size, o.leaf[i], (const hash_t *)proof, n, roots[size], 0);
		uint64_t s1 = 1 + randombytes_uniform((uint32_t)size);
		CHECK(alog_merkle_consistency_proof(s1, size, oracle_subtree, &o, proof, &n) == 0);
		cons_negative(s1, size, roots[s1], roots[size], (const hash_t *)proof, n, 0);
	}

	/*
	 * A compact range rebuilt from stored subtree hashes continues to the
	 * same roots as pushing every leaf.
	 */
	for (uint64_t s = 0; s <= count; s++) {
		unsigned k = 0;
		uint64_t start = 0;
		for (int bit = 63; bit >= 0; bit--) {
			uint64_t w = (uint64_t)1 << bit;
			if (s & w) {
				oracle_mth(&o, start, start + w, range[k++]);
				start += w;
			}
		}
		CHECK(alog_merkle_load(&c, s, (const hash_t *)range, k) == 0);
		alog_merkle_root(&c, got);
		CHECK_MEM(got, roots[s], 32);
		for (uint64_t t = s; t < count; t++) {
			alog_merkle_push(&c, o.leaf[t]);
			alog_merkle_root(&c, got);
			CHECK_MEM(got, roots[t + 1], 32);
		}
	}

	/* the in-memory callback agrees with the oracle on every range */
	struct alog_merkle_leaves lv = {(const hash_t *)o.leaf, count < 64 ? count : 64};
	for (uint64_t b = 0; b < lv.count; b++)
		for (uint64_t e = b + 1; e <= lv.count; e++) {
			hash_t want;
			CHECK(alog_merkle_subtree_from_leaves(&lv, b, e, got) == 0);
			oracle_mth(&o, b, e, want);
			CHECK_MEM(got, want, 32);
		}
}

/* ---- sizes near 2^64 ---------------------------------------------------- */

static void test_huge(void)
{
	hash_t proof[ALOG_MERKLE_MAX_PROOF], r1, r2, leaf;
	unsigned n;

	randombytes_buf(same_perfect[0], 32);
	memcpy(leaf, same_perfect[0], 32);
	for (int k = 1; k < 64; k++)
		alog_merkle_node(same_perfect[k], same_perfect[k - 1], same_perfect[k - 1]);

	static const uint64_t sizes[] = {
		(uint64_t)1 << 63, ((uint64_t)1 << 63) + 1, UINT64_MAX, UINT64_MAX - 1,
		12345678901234567ULL, ((uint64_t)1 << 63) - 1, 1ULL << 40,
	};
	for (size_t j = 0; j < ALOG_ARRAY_LEN(sizes); j++) {
		uint64_t size = sizes[j];
		uint64_t idx[] = {0, 1, size / 2, size - 2, size - 1, randombytes_random()};
		same_mth(size, r2);
		for (size_t x = 0; x < ALOG_ARRAY_LEN(idx); x++) {
			uint64_t i = idx[x] % size;
			CHECK(alog_merkle_inclusion_proof(i, size, same_subtree, NULL, proof, &n) == 0);
			CHECK(n <= 64);
			CHECK(incl_ok(i, size, leaf, (const hash_t *)proof, n, r2));
			CHECK(!incl_ok(i, size, leaf, (const hash_t *)proof, n - 1, r2));
		}
		uint64_t s1s[] = {1, 2, 3, size / 3, size - 1, size, (uint64_t)1 << 32};
		for (size_t x = 0; x < ALOG_ARRAY_LEN(s1s); x++) {
			uint64_t s1 = s1s[x];
			if (s1 == 0 || s1 > size)
				continue;
			same_mth(s1, r1);
			CHECK(alog_merkle_consistency_proof(s1, size, same_subtree, NULL, proof, &n) ==
			      0);
			CHECK(n <= ALOG_MERKLE_MAX_PROOF);
			CHECK(cons_ok(s1, size, r1, r2, (const hash_t *)proof, n));
			if (n)
				CHECK(!cons_ok(s1, size, r1, r2, (const hash_t *)proof, n - 1));
		}
	}
	/* the longest proofs there are */
	CHECK(alog_merkle_inclusion_proof(0, UINT64_MAX, same_subtree, NULL, proof, &n) == 0);
	CHECK(n == 64);
	same_mth(3, r1);
	same_mth(UINT64_MAX, r2);
	CHECK(alog_merkle_consistency_proof(3, UINT64_MAX, same_subtree, NULL, proof, &n) == 0);
	CHECK(n == 65);
	CHECK(cons_ok(3, UINT64_MAX, r1, r2, (const hash_t *)proof, n));
}

/*
 * A tree known as the compact range of its first s leaves and the leaves
 * after it (how alog-seal knows a log after its last seal) answers the
 * root of every size >= s and every consistency proof from such a size,
 * the same as the full leaves do.
 */
static void test_tail(void)
{
	enum { L = 70 };
	hash_t leaf[L], proof[ALOG_MERKLE_MAX_PROOF], want[ALOG_MERKLE_MAX_PROOF], r1, r2, a, b;
	struct alog_merkle_leaves all = {(const hash_t *)leaf, L};
	struct alog_merkle start;
	unsigned n, wn;
	int fails = 0;

	for (int i = 0; i < L; i++)
		alog_merkle_leaf(leaf[i], &i, sizeof i);
	for (uint64_t s = 0; s <= 48; s++) {
		struct alog_merkle_tail t = {&start, (const hash_t *)leaf + s, L - s};
		alog_merkle_init(&start);
		for (uint64_t i = 0; i < s; i++)
			alog_merkle_push(&start, leaf[i]);
		for (uint64_t m = s ? s : 1; m <= 56; m++) {
			if (alog_merkle_subtree_from_tail(&t, 0, m, a) != 0 ||
			    alog_merkle_subtree_from_leaves(&all, 0, m, b) != 0 || memcmp(a, b, 32) != 0)
				fails++;
			for (uint64_t z = m; z <= 64; z++) {
				if (alog_merkle_consistency_proof(m, z, alog_merkle_subtree_from_tail, &t, proof,
				                                  &n) != 0 ||
				    alog_merkle_consistency_proof(m, z, alog_merkle_subtree_from_leaves, &all,
				                                  want, &wn) != 0 ||
				    n != wn || memcmp(proof, want, (size_t)n * 32) != 0) {
					fails++;
					continue;
				}
				alog_merkle_subtree_from_leaves(&all, 0, m, r1);
				alog_merkle_subtree_from_leaves(&all, 0, z, r2);
				if (alog_merkle_verify_consistency(m, z, r1, r2, (const hash_t *)proof, n) != 0)
					fails++;
			}
		}
		/* a subtree inside the compact range cannot be answered */
		if (s >= 4)
			CHECK(alog_merkle_subtree_from_tail(&t, 1, 2, a) == -1);
	}
	CHECK(fails == 0);
}

/*
 * The tree the verifier builds from worker subtrees (alog_merkle_tops per
 * chunk, alog_merkle_push_top in the sequential thread) is the tree of
 * plain pushes: every size 0..2100, after 0..69 leaves pushed before,
 * random chunk sizes, and random records pushed alone mid-chunk (a held
 * record, which breaks the run of worker subtrees).
 */
struct wtop {
	uint8_t pad[5]; /* a stride unlike the element's own */
	struct alog_merkle_top t;
	uint8_t leaf[32];
};

static void test_worker_tree(void)
{
	enum { MAXN = 2100 };
	static hash_t leaf[MAXN + 70];
	static struct wtop w[MAXN + 70];

	randombytes_buf(leaf, sizeof leaf);
	for (size_t n = 0; n <= MAXN; n++) {
		struct alog_merkle seq, par;
		size_t before = randombytes_uniform(70), total = before + n;
		uint8_t r1[32], r2[32];
		alog_merkle_init(&seq);
		alog_merkle_init(&par);
		for (size_t i = 0; i < total; i++)
			alog_merkle_push(&seq, leaf[i]);
		for (size_t i = 0; i < before; i++)
			alog_merkle_push(&par, leaf[i]);
		for (size_t c0 = before; c0 < total;) {
			size_t len = 1 + randombytes_uniform(n < 40 ? 40 : (uint32_t)n / 3);
			uint64_t streak = 0;
			if (randombytes_uniform(4) == 0)
				len = (size_t)1 << randombytes_uniform(12); /* power-of-two chunks too */
			if (len > total - c0)
				len = total - c0;
			for (size_t k = 0; k < len; k++)
				memcpy(w[k].t.hash, leaf[c0 + k], 32);
			alog_merkle_tops(c0, len, &w[0].t, sizeof w[0]);
			for (size_t k = 0; k < len; k++) {
				unsigned h = w[k].t.height;
				/* the height is the largest subtree ending here, inside the chunk */
				CHECK(((c0 + k + 1) & (((uint64_t)1 << h) - 1)) == 0);
				CHECK(k + 1 >= ((size_t)1 << h));
				CHECK(k + 1 < ((size_t)2 << h) || ((c0 + k + 1) & ((uint64_t)1 << h)) != 0);
				if (randombytes_uniform(50) == 0) {
					streak = 0;
					alog_merkle_push(&par, leaf[c0 + k]);
					continue;
				}
				streak++;
				if (((uint64_t)1 << h) <= streak)
					alog_merkle_push_top(&par, w[k].t.hash, h);
				else
					alog_merkle_push(&par, leaf[c0 + k]);
			}
			c0 += len;
		}
		CHECK(par.size == seq.size && par.n == seq.n);
		CHECK(memcmp(par.hash, seq.hash, 32 * (size_t)seq.n) == 0);
		alog_merkle_root(&seq, r1);
		alog_merkle_root(&par, r2);
		CHECK_MEM(r2, r1, 32);
	}
}

int main(int argc, char **argv)
{
	uint64_t count = argc > 1 ? strtoull(argv[1], NULL, 10) : 300;

	if (count > PROP_MAX)
		count = PROP_MAX;
	if (sodium_init() < 0)
		return 1;
	for (int i = 0; i < 14; i++)
		t_unhex(node_tab[i], node_hex[i]);
	for (int i = 0; i < 9; i++)
		t_unhex(root_tab[i], root_hex[i]);

	test_hashing();
	test_standard_tree();
	test_published_proofs();
	test_load();
	test_random_tree(count);
	test_random_tree(1 + randombytes_uniform((uint32_t)count));
	test_huge();
	test_tail();
	test_worker_tree();
	return t_done("test_merkle");
}
