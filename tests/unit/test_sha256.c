/*
 * test_sha256.c - the hardware SHA-256 path is bit-exact with libsodium:
 * every length 0..4096, split updates, a million short random inputs (where
 * the padding edge cases are) and large random ones.  argv[1] sets the
 * number of short inputs.
 */
#include "base/sha256.h"
#include "t.h"

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
	static const char *const lv[8] = {
		"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
		"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
		"0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
		"07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
		"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
		"4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658",
		"b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
		"46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1",
	};
	static const char *const l1[4] = {
		"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
		"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
		"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
		"ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
	};
	static const char *const l2[2] = {
		"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
		"6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
	};
	static const char *const root8 =
		"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328";
	uint8_t leaf[8][32], lev1[4][32], lev2[2][32], want[32], got[32], g2[32];

	for (int i = 0; i < 8; i++)
		t_unhex(leaf[i], lv[i]);
	for (int i = 0; i < 4; i += 2) {
		t_unhex(want, l1[i]);
		t_unhex(g2, l1[i + 1]);
		alog_sha256_node(lev1[i], leaf[2 * i], leaf[2 * i + 1]);
		CHECK_MEM(lev1[i], want, 32);
		alog_sha256_node_x2(lev1[i], leaf[2 * i], leaf[2 * i + 1], lev1[i + 1],
		                    leaf[2 * i + 2], leaf[2 * i + 3]);
		CHECK_MEM(lev1[i], want, 32);
		CHECK_MEM(lev1[i + 1], g2, 32);
	}
	alog_sha256_node_x2(lev2[0], lev1[0], lev1[1], lev2[1], lev1[2], lev1[3]);
	t_unhex(want, l2[0]);
	CHECK_MEM(lev2[0], want, 32);
	t_unhex(want, l2[1]);
	CHECK_MEM(lev2[1], want, 32);
	alog_sha256_node(got, lev2[0], lev2[1]);
	t_unhex(want, root8);
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
