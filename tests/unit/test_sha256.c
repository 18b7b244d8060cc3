/*
 * test_sha256.c - the hardware SHA-256 path is bit-exact with libsodium:
 * every length 0..4096, split updates, a million short random inputs (where
 * the padding edge cases are) and large random ones.  argv[1] sets the
 * number of short inputs.
 */
#include "base/sha256.h"
#include "t.h"
#include "vectors.h"

#include <sodium.h>

static void one(const unsigned char *buf, size_t n)
{
	unsigned char want[32], got[32], split[32];
	struct alog_sha256 c;

	crypto_hash_sha256(want, buf, n);
	alog_sha256(got, buf, n);
	CHECK_MEM(got, want, 32);
	/* the same bytes fed in uneven pieces */
	alog_sha256_init(&c);
	for (size_t off = 0, step = 1; off < n; off += step, step = step * 3 % 97 + 1)
		alog_sha256_update(&c, buf + off, off + step > n ? n - off : step);
	alog_sha256_final(&c, split);
	CHECK_MEM(split, want, 32);
}

/* The generic init/update/final on the pieces of a fixed-size message. */
static void generic(uint8_t out[32], int prefix, const uint8_t *a, const uint8_t *b)
{
	struct alog_sha256 c;
	uint8_t p = (uint8_t)prefix;
	alog_sha256_init(&c);
	if (prefix >= 0)
		alog_sha256_update(&c, &p, 1);
	alog_sha256_update(&c, a, 32);
	if (b)
		alog_sha256_update(&c, b, 32);
	alog_sha256_final(&c, out);
}

/*
 * The fixed-size functions (chain step, leaf, node; one and two at a
 * time) against the generic path, libsodium, and the RFC 6962 node
 * vectors of the standard 8-leaf tree (../shared/VECTORS.md B2).
 */
static void test_fixed(void)
{
	uint8_t leaf[8][32], lev1[4][32], lev2[2][32], want[32], got[32], g2[32];

	for (int i = 0; i < 8; i++)
		t_unhex(leaf[i], node_hex[i]);
	for (int i = 0; i < 4; i += 2) {
		t_unhex(want, node_hex[8 + i]);
		t_unhex(g2, node_hex[8 + i + 1]);
		alog_sha256_node(lev1[i], leaf[2 * i], leaf[2 * i + 1]);
		CHECK_MEM(lev1[i], want, 32);
		alog_sha256_node_x2(lev1[i], leaf[2 * i], leaf[2 * i + 1], lev1[i + 1],
		                    leaf[2 * i + 2], leaf[2 * i + 3]);
		CHECK_MEM(lev1[i], want, 32);
		CHECK_MEM(lev1[i + 1], g2, 32);
	}
	alog_sha256_node_x2(lev2[0], lev1[0], lev1[1], lev2[1], lev1[2], lev1[3]);
	t_unhex(want, node_hex[12]);
	CHECK_MEM(lev2[0], want, 32);
	t_unhex(want, node_hex[13]);
	CHECK_MEM(lev2[1], want, 32);
	alog_sha256_node(got, lev2[0], lev2[1]);
	t_unhex(want, root_hex[8]);
	CHECK_MEM(got, want, 32);

	/* random inputs, and outputs in place of an input (as the tree code does) */
	for (int i = 0; i < 20000; i++) {
		uint8_t a1[32], b1[32], a2[32], b2[32], in[65], w1[32], w2[32], o1[32], o2[32];
		randombytes_buf(a1, 32);
		randombytes_buf(b1, 32);
		randombytes_buf(a2, 32);
		randombytes_buf(b2, 32);

		memcpy(in, a1, 32);
		memcpy(in + 32, b1, 32);
		crypto_hash_sha256(w1, in, 64);
		generic(w2, -1, a1, b1);
		CHECK_MEM(w1, w2, 32);
		alog_sha256_pair(o1, a1, b1);
		CHECK_MEM(o1, w1, 32);
		generic(w2, -1, a2, b2);
		alog_sha256_pair_x2(o1, a1, b1, o2, a2, b2);
		CHECK_MEM(o1, w1, 32);
		CHECK_MEM(o2, w2, 32);

		in[0] = 0x00;
		memcpy(in + 1, a1, 32);
		crypto_hash_sha256(w1, in, 33);
		generic(w2, 0x00, a1, NULL);
		CHECK_MEM(w1, w2, 32);
		alog_sha256_leaf32(o1, a1);
		CHECK_MEM(o1, w1, 32);
		generic(w2, 0x00, b2, NULL);
		alog_sha256_leaf32_x2(o1, a1, o2, b2);
		CHECK_MEM(o1, w1, 32);
		CHECK_MEM(o2, w2, 32);

		in[0] = 0x01;
		memcpy(in + 1, a1, 32);
		memcpy(in + 33, b1, 32);
		crypto_hash_sha256(w1, in, 65);
		generic(w2, 0x01, a1, b1);
		CHECK_MEM(w1, w2, 32);
		alog_sha256_node(o1, a1, b1);
		CHECK_MEM(o1, w1, 32);
		generic(w2, 0x01, a2, b2);
		alog_sha256_node_x2(o1, a1, b1, o2, a2, b2);
		CHECK_MEM(o1, w1, 32);
		CHECK_MEM(o2, w2, 32);
		/* out aliasing the right (and left) input */
		memcpy(o1, b1, 32);
		memcpy(o2, a2, 32);
		alog_sha256_node_x2(o1, a1, o1, o2, o2, b2);
		CHECK_MEM(o1, w1, 32);
		CHECK_MEM(o2, w2, 32);
		memcpy(o1, b1, 32);
		alog_sha256_node(o1, a1, o1);
		CHECK_MEM(o1, w1, 32);
	}
}

int main(int argc, char **argv)
{
	static unsigned char buf[65536];
	unsigned char a[32], b[32], in[65], want[32], got[32];
	long rounds = argc > 1 ? atol(argv[1]) : 1000000;

	alog_sha256_setup();
	printf("sha256 implementation: %s\n", alog_sha256_impl());
	randombytes_buf(buf, sizeof buf);
	for (size_t n = 0; n <= 4096; n++)
		one(buf, n);
	unsigned char seed[randombytes_SEEDBYTES];
	randombytes_buf(seed, sizeof seed);
	for (long i = 0; i < rounds; i++) {
		size_t n = (size_t)(i % 300);
		/* deterministic stream per round: no system call per input */
		memcpy(seed, &i, sizeof i);
		randombytes_buf_deterministic(buf, n, seed);
		crypto_hash_sha256(want, buf, n);
		alog_sha256(got, buf, n);
		CHECK_MEM(got, want, 32);
	}
	for (long i = 0; i < 2000; i++) {
		size_t n = randombytes_uniform(sizeof buf);
		randombytes_buf(buf, n);
		one(buf, n);
	}

	/* fixed-size helpers */
	randombytes_buf(a, 32);
	randombytes_buf(b, 32);
	memcpy(in, a, 32);
	memcpy(in + 32, b, 32);
	crypto_hash_sha256(want, in, 64);
	alog_sha256_pair(got, a, b);
	CHECK_MEM(got, want, 32);
	in[0] = 0;
	memcpy(in + 1, a, 32);
	crypto_hash_sha256(want, in, 33);
	alog_sha256_leaf32(got, a);
	CHECK_MEM(got, want, 32);
	in[0] = 1;
	memcpy(in + 1, a, 32);
	memcpy(in + 33, b, 32);
	crypto_hash_sha256(want, in, 65);
	alog_sha256_node(got, a, b);
	CHECK_MEM(got, want, 32);

	/* two at once: every pair of lengths around the block edges, with
	   suffixes of 0..56 bytes, then random lengths */
	{
		static unsigned char m2[4200];
		unsigned char w1[32], w2[32], g1[32], g2[32], cat[4300];
		randombytes_buf(buf, 4200);
		randombytes_buf(m2, sizeof m2);
		for (size_t n1 = 0; n1 <= 200; n1 += 1 + (n1 % 7 == 6) * 5)
			for (size_t n2 = 0; n2 <= 200; n2 += 3)
				for (size_t t = 0; t <= 56; t += 55 - (t == 55) * 54) {
					memcpy(cat, buf, n1);
					memcpy(cat + n1, m2, t);
					crypto_hash_sha256(w1, cat, n1 + t);
					memcpy(cat, m2 + 100, n2);
					memcpy(cat + n2, buf + 300, t);
					crypto_hash_sha256(w2, cat, n2 + t);
					alog_sha256_x2(g1, buf, n1, m2, t, g2, m2 + 100, n2, buf + 300, t);
					CHECK_MEM(g1, w1, 32);
					CHECK_MEM(g2, w2, 32);
				}
		for (int i = 0; i < 20000; i++) {
			size_t n1 = randombytes_uniform(4096), n2 = randombytes_uniform(4096);
			size_t t1 = randombytes_uniform(57), t2 = randombytes_uniform(80);
			memcpy(cat, buf, n1);
			memcpy(cat + n1, m2, t1);
			crypto_hash_sha256(w1, cat, n1 + t1);
			memcpy(cat, m2, n2);
			memcpy(cat + n2, buf + 4100, t2);
			crypto_hash_sha256(w2, cat, n2 + t2);
			alog_sha256_x2(g1, buf, n1, m2, t1, g2, m2, n2, buf + 4100, t2);
			CHECK_MEM(g1, w1, 32);
			CHECK_MEM(g2, w2, 32);
		}
		alog_sha256_pair_x2(g1, a, b, g2, b, a);
		alog_sha256_pair(w1, a, b);
		alog_sha256_pair(w2, b, a);
		CHECK_MEM(g1, w1, 32);
		CHECK_MEM(g2, w2, 32);
		alog_sha256_leaf32_x2(g1, a, g2, b);
		alog_sha256_leaf32(w1, a);
		alog_sha256_leaf32(w2, b);
		CHECK_MEM(g1, w1, 32);
		CHECK_MEM(g2, w2, 32);
	}

	test_fixed();

	/* a known answer: SHA-256("abc") */
	unsigned char abc[32];
	t_unhex(abc, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	alog_sha256(got, "abc", 3);
	CHECK_MEM(got, abc, 32);
	return t_done("test_sha256");
}
