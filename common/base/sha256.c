/*
 * sha256.c - SHA-256 dispatch.  The hardware compression functions are
 * small and self-contained; padding and buffering are shared.  Every
 * path is tested bit for bit against libsodium (tests/unit/test_sha256.c).
 */
#include "base/sha256.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define ALOG_HAVE_X86 1
#elif defined(__aarch64__) && defined(__linux__) && (!defined(__clang__) || defined(__ARM_FEATURE_SHA2))
/* GCC compiles the SHA2 intrinsics per function; clang only with -march=...+sha2 */
#include <arm_neon.h>
#include <sys/auxv.h>
#ifndef HWCAP_SHA2
#define HWCAP_SHA2 (1 << 6)
#endif
#define ALOG_HAVE_ARM 1
#endif

typedef void (*compress_fn)(uint32_t state[8], const uint8_t *data, size_t nblocks);

static compress_fn hw_compress; /* NULL: use libsodium */
static const char *impl_name = "libsodium";
static pthread_once_t setup_once = PTHREAD_ONCE_INIT;
static int ready; /* set once do_setup has run: skips pthread_once on hot paths */

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t IV[8] = {
	0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

#ifdef ALOG_HAVE_X86
/* State in the two registers sha256rnds2 takes: ABEF and CDGH. */
#define SHANI_LOAD(st0, st1, state)                                                       \
	do {                                                                               \
		__m128i t_ = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&(state)[0]), \
		                               0xB1);                                      \
		st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&(state)[4]), 0x1B); \
		st0 = _mm_alignr_epi8(t_, st1, 8);                                         \
		st1 = _mm_blend_epi16(st1, t_, 0xF0);                                      \
	} while (0)

#define SHANI_STORE(st0, st1, state)                                                      \
	do {                                                                               \
		__m128i t_ = _mm_shuffle_epi32(st0, 0x1B);                                 \
		st1 = _mm_shuffle_epi32(st1, 0xB1);                                        \
		st0 = _mm_blend_epi16(t_, st1, 0xF0);                                      \
		st1 = _mm_alignr_epi8(st1, t_, 8);                                         \
		_mm_storeu_si128((__m128i *)&(state)[0], st0);                             \
		_mm_storeu_si128((__m128i *)&(state)[4], st1);                             \
	} while (0)

#define SHANI_TARGET __attribute__((target("sha,sse4.1,ssse3"), always_inline)) static inline

/* One block of rounds from the byte-swapped message words w[0..3]. */
SHANI_TARGET void shani_block(__m128i *s0, __m128i *s1, __m128i w0, __m128i w1, __m128i w2,
                              __m128i w3)
{
	__m128i a0 = *s0, a1 = *s1, w[4] = {w0, w1, w2, w3}, m;
#pragma GCC unroll 16
	for (int g = 0; g < 16; g++) {
		if (g >= 4) {
			__m128i x = _mm_sha256msg1_epu32(w[g & 3], w[(g - 3) & 3]);
			x = _mm_add_epi32(x, _mm_alignr_epi8(w[(g - 1) & 3], w[(g - 2) & 3], 4));
			w[g & 3] = _mm_sha256msg2_epu32(x, w[(g - 1) & 3]);
		}
		m = _mm_add_epi32(w[g & 3], _mm_loadu_si128((const __m128i *)&K[4 * g]));
		a1 = _mm_sha256rnds2_epu32(a1, a0, m);
		m = _mm_shuffle_epi32(m, 0x0E);
		a0 = _mm_sha256rnds2_epu32(a0, a1, m);
	}
	*s0 = _mm_add_epi32(*s0, a0);
	*s1 = _mm_add_epi32(*s1, a1);
}

/* Two blocks of rounds, one per lane, interleaved. */
SHANI_TARGET void shani_block_x2(__m128i *s0, __m128i *s1, const __m128i wa_in[4], __m128i *t0,
                                 __m128i *t1, const __m128i wb_in[4])
{
	__m128i a0 = *s0, a1 = *s1, b0 = *t0, b1 = *t1, ma, mb;
	__m128i wa[4] = {wa_in[0], wa_in[1], wa_in[2], wa_in[3]};
	__m128i wb[4] = {wb_in[0], wb_in[1], wb_in[2], wb_in[3]};
#pragma GCC unroll 16
	for (int g = 0; g < 16; g++) {
		__m128i kk = _mm_loadu_si128((const __m128i *)&K[4 * g]);
		if (g >= 4) {
			__m128i xa = _mm_sha256msg1_epu32(wa[g & 3], wa[(g - 3) & 3]);
			__m128i xb = _mm_sha256msg1_epu32(wb[g & 3], wb[(g - 3) & 3]);
			xa = _mm_add_epi32(xa, _mm_alignr_epi8(wa[(g - 1) & 3], wa[(g - 2) & 3], 4));
			xb = _mm_add_epi32(xb, _mm_alignr_epi8(wb[(g - 1) & 3], wb[(g - 2) & 3], 4));
			wa[g & 3] = _mm_sha256msg2_epu32(xa, wa[(g - 1) & 3]);
			wb[g & 3] = _mm_sha256msg2_epu32(xb, wb[(g - 1) & 3]);
		}
		ma = _mm_add_epi32(wa[g & 3], kk);
		mb = _mm_add_epi32(wb[g & 3], kk);
		a1 = _mm_sha256rnds2_epu32(a1, a0, ma);
		b1 = _mm_sha256rnds2_epu32(b1, b0, mb);
		ma = _mm_shuffle_epi32(ma, 0x0E);
		mb = _mm_shuffle_epi32(mb, 0x0E);
		a0 = _mm_sha256rnds2_epu32(a0, a1, ma);
		b0 = _mm_sha256rnds2_epu32(b0, b1, mb);
	}
	*s0 = _mm_add_epi32(*s0, a0);
	*s1 = _mm_add_epi32(*s1, a1);
	*t0 = _mm_add_epi32(*t0, b0);
	*t1 = _mm_add_epi32(*t1, b1);
}

/* Message words of 16 bytes at p, byte-swapped for the schedule. */
SHANI_TARGET __m128i shani_load(const uint8_t *p)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	return _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), bswap);
}

/* Intel SHA extensions: four rounds per pair of sha256rnds2. */
__attribute__((target("sha,sse4.1,ssse3")))
static void compress_shani(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
	__m128i st0, st1;

	SHANI_LOAD(st0, st1, state);
	for (; nblocks > 0; nblocks--, data += 64)
		shani_block(&st0, &st1, shani_load(data), shani_load(data + 16),
		            shani_load(data + 32), shani_load(data + 48));
	SHANI_STORE(st0, st1, state);
}

/*
 * Two messages at once.  One SHA-NI hash is a chain of dependent
 * sha256rnds2 instructions, so the core waits on each; two independent
 * chains interleaved fill those waits.  Each lane's blocks are its whole
 * blocks in place, then one or two padded blocks of its tail.
 */
struct lane {
	const uint8_t *p; /* whole blocks */
	size_t nfull, nblocks;
	uint32_t h[8];
	uint8_t tail[128];
};

static inline const uint8_t *lane_block(const struct lane *l, size_t k)
{
	return k < l->nfull ? l->p + 64 * k : l->tail + 64 * (k - l->nfull);
}

__attribute__((target("sha,sse4.1,ssse3")))
static void compress_shani_x2(struct lane *la, struct lane *lb, size_t nblocks)
{
	__m128i a0, a1, b0, b1;

	SHANI_LOAD(a0, a1, la->h);
	SHANI_LOAD(b0, b1, lb->h);
	for (size_t k = 0; k < nblocks; k++) {
		const uint8_t *da = lane_block(la, k), *db = lane_block(lb, k);
		const __m128i wa[4] = {shani_load(da), shani_load(da + 16), shani_load(da + 32),
		                       shani_load(da + 48)};
		const __m128i wb[4] = {shani_load(db), shani_load(db + 16), shani_load(db + 32),
		                       shani_load(db + 48)};
		shani_block_x2(&a0, &a1, wa, &b0, &b1, wb);
	}
	SHANI_STORE(a0, a1, la->h);
	SHANI_STORE(b0, b1, lb->h);
}

/*
 * Fixed-size messages (the chain step, leaf and node hashes): the blocks
 * are built in registers or a small buffer and compressed directly, without
 * the generic buffering or the two-lane set-up.  The 64-byte chain input's
 * second block is all padding, the same for every message: its schedule
 * W[t] + K[t] is computed once (wk_pad64) and only the rounds run.
 */
static uint32_t wk_pad64[64];

/* The rounds of a block whose W[t] + K[t] are precomputed, on one or two lanes. */
SHANI_TARGET void shani_wk(__m128i *s0, __m128i *s1, const uint32_t *wk)
{
	__m128i a0 = *s0, a1 = *s1, m;
#pragma GCC unroll 16
	for (int g = 0; g < 16; g++) {
		m = _mm_loadu_si128((const __m128i *)&wk[4 * g]);
		a1 = _mm_sha256rnds2_epu32(a1, a0, m);
		m = _mm_shuffle_epi32(m, 0x0E);
		a0 = _mm_sha256rnds2_epu32(a0, a1, m);
	}
	*s0 = _mm_add_epi32(*s0, a0);
	*s1 = _mm_add_epi32(*s1, a1);
}

SHANI_TARGET void shani_wk_x2(__m128i *s0, __m128i *s1, __m128i *t0, __m128i *t1,
                              const uint32_t *wk)
{
	__m128i a0 = *s0, a1 = *s1, b0 = *t0, b1 = *t1, m, m2;
#pragma GCC unroll 16
	for (int g = 0; g < 16; g++) {
		m = _mm_loadu_si128((const __m128i *)&wk[4 * g]);
		m2 = _mm_shuffle_epi32(m, 0x0E);
		a1 = _mm_sha256rnds2_epu32(a1, a0, m);
		b1 = _mm_sha256rnds2_epu32(b1, b0, m);
		a0 = _mm_sha256rnds2_epu32(a0, a1, m2);
		b0 = _mm_sha256rnds2_epu32(b0, b1, m2);
	}
	*s0 = _mm_add_epi32(*s0, a0);
	*s1 = _mm_add_epi32(*s1, a1);
	*t0 = _mm_add_epi32(*t0, b0);
	*t1 = _mm_add_epi32(*t1, b1);
}

/* The initial state in sha256rnds2's layout, and the digest out of it. */
SHANI_TARGET void shani_iv(__m128i *s0, __m128i *s1)
{
	SHANI_LOAD(*s0, *s1, IV);
}

SHANI_TARGET void shani_out(uint8_t out[32], __m128i s0, __m128i s1)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i t = _mm_shuffle_epi32(s0, 0x1B);
	s1 = _mm_shuffle_epi32(s1, 0xB1);
	s0 = _mm_blend_epi16(t, s1, 0xF0);
	s1 = _mm_alignr_epi8(s1, t, 8);
	_mm_storeu_si128((__m128i *)out, _mm_shuffle_epi8(s0, bswap));
	_mm_storeu_si128((__m128i *)(out + 16), _mm_shuffle_epi8(s1, bswap));
}

/* SHA-256(a || b): the data block from the two halves, then the constant padding block. */
__attribute__((target("sha,sse4.1,ssse3")))
static void shani_pair(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
	__m128i s0, s1;
	shani_iv(&s0, &s1);
	shani_block(&s0, &s1, shani_load(a), shani_load(a + 16), shani_load(b), shani_load(b + 16));
	shani_wk(&s0, &s1, wk_pad64);
	shani_out(out, s0, s1);
}

__attribute__((target("sha,sse4.1,ssse3")))
static void shani_pair_x2(uint8_t o1[32], const uint8_t a1[32], const uint8_t b1[32],
                          uint8_t o2[32], const uint8_t a2[32], const uint8_t b2[32])
{
	__m128i s0, s1, t0, t1;
	__m128i w1[4] = {shani_load(a1), shani_load(a1 + 16), shani_load(b1), shani_load(b1 + 16)};
	__m128i w2[4] = {shani_load(a2), shani_load(a2 + 16), shani_load(b2), shani_load(b2 + 16)};
	shani_iv(&s0, &s1);
	t0 = s0;
	t1 = s1;
	shani_block_x2(&s0, &s1, w1, &t0, &t1, w2);
	shani_wk_x2(&s0, &s1, &t0, &t1, wk_pad64);
	shani_out(o1, s0, s1);
	shani_out(o2, t0, t1);
}

/*
 * The blocks of the leaf and node messages, built in registers from the
 * 32-byte inputs (shifted by the prefix byte), byte-swapped for the
 * schedule: storing the pieces to memory and loading them back as vectors
 * would stall on store forwarding.
 */
SHANI_TARGET __m128i bswap32(__m128i x)
{
	const __m128i mask = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	return _mm_shuffle_epi8(x, mask);
}

/* SHA-256(0x00 || d): one block. */
SHANI_TARGET void leaf_words(__m128i w[4], const uint8_t d[32])
{
	__m128i d0 = _mm_loadu_si128((const __m128i *)d);
	__m128i d1 = _mm_loadu_si128((const __m128i *)(d + 16));
	w[0] = bswap32(_mm_slli_si128(d0, 1));
	w[1] = bswap32(_mm_alignr_epi8(d1, d0, 15));
	w[2] = bswap32(_mm_or_si128(_mm_srli_si128(d1, 15), _mm_set_epi8(0, 0, 0, 0, 0, 0, 0, 0, 0,
	                                                               0, 0, 0, 0, 0, (char)0x80, 0)));
	/* the length, 264 bits, in the last two bytes */
	w[3] = bswap32(_mm_set_epi8(0x08, 0x01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
}

/* SHA-256(0x01 || l || r): two blocks. */
SHANI_TARGET void node_words(__m128i w[8], const uint8_t l[32], const uint8_t r[32])
{
	__m128i l0 = _mm_loadu_si128((const __m128i *)l);
	__m128i l1 = _mm_loadu_si128((const __m128i *)(l + 16));
	__m128i r0 = _mm_loadu_si128((const __m128i *)r);
	__m128i r1 = _mm_loadu_si128((const __m128i *)(r + 16));
	w[0] = bswap32(_mm_or_si128(_mm_slli_si128(l0, 1), _mm_cvtsi32_si128(0x01)));
	w[1] = bswap32(_mm_alignr_epi8(l1, l0, 15));
	w[2] = bswap32(_mm_alignr_epi8(r0, l1, 15));
	w[3] = bswap32(_mm_alignr_epi8(r1, r0, 15));
	w[4] = bswap32(_mm_or_si128(_mm_srli_si128(r1, 15), _mm_cvtsi32_si128(0x8000)));
	w[5] = _mm_setzero_si128();
	w[6] = _mm_setzero_si128();
	/* the length, 520 bits */
	w[7] = bswap32(_mm_set_epi8(0x08, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
}

__attribute__((target("sha,sse4.1,ssse3")))
static void shani_leaf32_x2(uint8_t o1[32], const uint8_t d1[32], uint8_t o2[32],
                            const uint8_t d2[32])
{
	__m128i s0, s1, t0, t1, w1[4], w2[4];
	leaf_words(w1, d1);
	leaf_words(w2, d2);
	shani_iv(&s0, &s1);
	t0 = s0;
	t1 = s1;
	shani_block_x2(&s0, &s1, w1, &t0, &t1, w2);
	shani_out(o1, s0, s1);
	shani_out(o2, t0, t1);
}

__attribute__((target("sha,sse4.1,ssse3")))
static void shani_leaf32(uint8_t out[32], const uint8_t d[32])
{
	__m128i s0, s1, w[4];
	leaf_words(w, d);
	shani_iv(&s0, &s1);
	shani_block(&s0, &s1, w[0], w[1], w[2], w[3]);
	shani_out(out, s0, s1);
}

__attribute__((target("sha,sse4.1,ssse3")))
static void shani_node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	__m128i s0, s1, w[8];
	node_words(w, l, r);
	shani_iv(&s0, &s1);
	shani_block(&s0, &s1, w[0], w[1], w[2], w[3]);
	shani_block(&s0, &s1, w[4], w[5], w[6], w[7]);
	shani_out(out, s0, s1);
}

__attribute__((target("sha,sse4.1,ssse3")))
static void shani_node_x2(uint8_t o1[32], const uint8_t l1[32], const uint8_t r1[32],
                          uint8_t o2[32], const uint8_t l2[32], const uint8_t r2[32])
{
	__m128i s0, s1, t0, t1, w1[8], w2[8];
	node_words(w1, l1, r1);
	node_words(w2, l2, r2);
	shani_iv(&s0, &s1);
	t0 = s0;
	t1 = s1;
	shani_block_x2(&s0, &s1, w1, &t0, &t1, w2);
	shani_block_x2(&s0, &s1, w1 + 4, &t0, &t1, w2 + 4);
	shani_out(o1, s0, s1);
	shani_out(o2, t0, t1);
}

#endif

#ifdef ALOG_HAVE_ARM
__attribute__((target("+crypto")))
static void compress_armv8(uint32_t state[8], const uint8_t *data, size_t nblocks)
{
	uint32x4_t abcd = vld1q_u32(&state[0]), efgh = vld1q_u32(&state[4]);

	for (; nblocks > 0; nblocks--, data += 64) {
		uint32x4_t abcd0 = abcd, efgh0 = efgh, w[4], t, prev;
		for (int i = 0; i < 4; i++)
			w[i] = vreinterpretq_u32_u8(vrev32q_u8(vld1q_u8(data + 16 * i)));
		for (int g = 0; g < 16; g++) {
			if (g >= 4)
				w[g & 3] = vsha256su1q_u32(vsha256su0q_u32(w[g & 3], w[(g + 1) & 3]),
				                           w[(g + 2) & 3], w[(g + 3) & 3]);
			t = vaddq_u32(w[g & 3], vld1q_u32(&K[4 * g]));
			prev = abcd;
			abcd = vsha256hq_u32(abcd, efgh, t);
			efgh = vsha256h2q_u32(efgh, prev, t);
		}
		abcd = vaddq_u32(abcd, abcd0);
		efgh = vaddq_u32(efgh, efgh0);
	}
	vst1q_u32(&state[0], abcd);
	vst1q_u32(&state[4], efgh);
}
#endif

/* The two-lane compression, when the hardware path has one. */
static void (*hw_compress_x2)(struct lane *, struct lane *, size_t);
/* The fixed-size SHA-NI functions above are in use. */
static int fixed_shani;

#ifdef ALOG_HAVE_X86
static uint32_t ror32(uint32_t x, int n)
{
	return x >> n | x << (32 - n);
}

/* W[t] + K[t] for the padding block of a 64-byte message (0x80, zeros, length 512). */
static void pad64_schedule(uint32_t wk[64])
{
	uint32_t w[64] = {0x80000000u};
	w[15] = 512;
	for (int t = 16; t < 64; t++) {
		uint32_t s0 = ror32(w[t - 15], 7) ^ ror32(w[t - 15], 18) ^ (w[t - 15] >> 3);
		uint32_t s1 = ror32(w[t - 2], 17) ^ ror32(w[t - 2], 19) ^ (w[t - 2] >> 10);
		w[t] = w[t - 16] + s0 + w[t - 7] + s1;
	}
	for (int t = 0; t < 64; t++)
		wk[t] = w[t] + K[t];
}
#endif

static void do_setup(void)
{
	const char *force = getenv("ALOG_SHA256");

	if (sodium_init() < 0)
		abort();
	if (force && (strcmp(force, "sodium") == 0 || strcmp(force, "libsodium") == 0 ||
	              strcmp(force, "portable") == 0))
		return;
#ifdef ALOG_HAVE_X86
	if (alog_cpu_shani()) {
		hw_compress = compress_shani;
		hw_compress_x2 = compress_shani_x2;
		impl_name = "sha-ni";
		pad64_schedule(wk_pad64);
		fixed_shani = 1;
	}
#endif
#ifdef ALOG_HAVE_ARM
	if (getauxval(AT_HWCAP) & HWCAP_SHA2) {
		hw_compress = compress_armv8;
		impl_name = "armv8-sha2";
	}
#endif
	__atomic_store_n(&ready, 1, __ATOMIC_RELEASE);
}

void alog_sha256_setup(void)
{
	if (!__atomic_load_n(&ready, __ATOMIC_ACQUIRE))
		pthread_once(&setup_once, do_setup);
}

const char *alog_sha256_impl(void)
{
	alog_sha256_setup();
	return impl_name;
}

void alog_sha256_init(struct alog_sha256 *c)
{
	alog_sha256_setup();
	if (!hw_compress) {
		crypto_hash_sha256_init(&c->u.sodium);
		return;
	}
	memcpy(c->u.hw.h, IV, sizeof IV);
	c->u.hw.bytes = 0;
	c->u.hw.nbuf = 0;
}

void alog_sha256_update(struct alog_sha256 *c, const void *data, size_t n)
{
	const uint8_t *p = data;

	if (!hw_compress) {
		crypto_hash_sha256_update(&c->u.sodium, p, n);
		return;
	}
	c->u.hw.bytes += n;
	if (c->u.hw.nbuf) {
		size_t take = 64 - c->u.hw.nbuf;
		if (take > n)
			take = n;
		memcpy(c->u.hw.buf + c->u.hw.nbuf, p, take);
		c->u.hw.nbuf += take;
		p += take;
		n -= take;
		if (c->u.hw.nbuf < 64)
			return;
		hw_compress(c->u.hw.h, c->u.hw.buf, 1);
		c->u.hw.nbuf = 0;
	}
	if (n >= 64) {
		hw_compress(c->u.hw.h, p, n / 64);
		p += n & ~(size_t)63;
		n &= 63;
	}
	if (n) {
		memcpy(c->u.hw.buf, p, n);
		c->u.hw.nbuf = n;
	}
}

static void store_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static void store_be64(uint8_t *p, uint64_t v)
{
	store_be32(p, (uint32_t)(v >> 32));
	store_be32(p + 4, (uint32_t)v);
}

static void output(uint8_t out[32], const uint32_t h[8])
{
	for (int i = 0; i < 8; i++)
		store_be32(out + 4 * i, h[i]);
}

void alog_sha256_final(struct alog_sha256 *c, uint8_t out[32])
{
	uint8_t *buf;
	size_t n;

	if (!hw_compress) {
		crypto_hash_sha256_final(&c->u.sodium, out);
		return;
	}
	buf = c->u.hw.buf;
	n = c->u.hw.nbuf;
	buf[n++] = 0x80;
	if (n > 56) {
		memset(buf + n, 0, 64 - n);
		hw_compress(c->u.hw.h, buf, 1);
		n = 0;
	}
	memset(buf + n, 0, 56 - n);
	store_be64(buf + 56, c->u.hw.bytes * 8);
	hw_compress(c->u.hw.h, buf, 1);
	output(out, c->u.hw.h);
	sodium_memzero(c, sizeof *c);
}

void alog_sha256(uint8_t out[32], const void *p, size_t n)
{
	struct alog_sha256 c;
	alog_sha256_init(&c);
	alog_sha256_update(&c, p, n);
	alog_sha256_final(&c, out);
}

/*
 * The fixed-size hashes below are the inner loops of chaining and tree
 * building; with hardware SHA they build the padded blocks directly.
 */
/* Hash a message already padded into whole blocks, on the hardware path. */
static void hw_padded(uint8_t out[32], const uint8_t *blk, size_t nblocks)
{
	uint32_t h[8];
	memcpy(h, IV, sizeof h);
	hw_compress(h, blk, nblocks);
	output(out, h);
}

void alog_sha256_pair(uint8_t out[32], const uint8_t a[32], const uint8_t b[32])
{
	alog_sha256_setup();
#ifdef ALOG_HAVE_X86
	if (fixed_shani) {
		shani_pair(out, a, b);
		return;
	}
#endif
	if (hw_compress) {
		uint8_t blk[128] = {0};
		memcpy(blk, a, 32);
		memcpy(blk + 32, b, 32);
		blk[64] = 0x80;
		store_be64(blk + 120, 64 * 8);
		hw_padded(out, blk, 2);
		return;
	}
	uint8_t in[64];
	memcpy(in, a, 32);
	memcpy(in + 32, b, 32);
	crypto_hash_sha256(out, in, 64);
}

void alog_sha256_leaf32(uint8_t out[32], const uint8_t d[32])
{
	alog_sha256_setup();
#ifdef ALOG_HAVE_X86
	if (fixed_shani) {
		shani_leaf32(out, d);
		return;
	}
#endif
	if (hw_compress) {
		uint8_t blk[64] = {0};
		memcpy(blk + 1, d, 32);
		blk[33] = 0x80;
		store_be64(blk + 56, 33 * 8);
		hw_padded(out, blk, 1);
		return;
	}
	uint8_t in[33];
	in[0] = 0x00;
	memcpy(in + 1, d, 32);
	crypto_hash_sha256(out, in, 33);
}

void alog_sha256_node(uint8_t out[32], const uint8_t l[32], const uint8_t r[32])
{
	alog_sha256_setup();
#ifdef ALOG_HAVE_X86
	if (fixed_shani) {
		shani_node(out, l, r);
		return;
	}
#endif
	if (hw_compress) {
		uint8_t blk[128] = {0};
		blk[0] = 0x01;
		memcpy(blk + 1, l, 32);
		memcpy(blk + 33, r, 32);
		blk[65] = 0x80;
		store_be64(blk + 120, 65 * 8);
		hw_padded(out, blk, 2);
		return;
	}
	uint8_t in[65];
	in[0] = 0x01;
	memcpy(in + 1, l, 32);
	memcpy(in + 33, r, 32);
	crypto_hash_sha256(out, in, 65);
}

/* ---- two messages at once ---- */

#ifdef ALOG_HAVE_X86
/*
 * Lane for the message a[0..n) || s[0..t) (t at most 56): whole blocks of
 * a in place, the rest padded into tail.
 */
static void lane_init(struct lane *l, const void *a, size_t n, const void *s, size_t t)
{
	size_t rem = n % 64, ntail;

	l->p = a;
	l->nfull = n / 64;
	memcpy(l->h, IV, sizeof IV);
	if (rem)
		memcpy(l->tail, l->p + 64 * l->nfull, rem);
	if (t)
		memcpy(l->tail + rem, s, t);
	l->tail[rem + t] = 0x80;
	ntail = rem + t + 9 <= 64 ? 1 : 2;
	/* zeros only up to the length, in the tail blocks used */
	memset(l->tail + rem + t + 1, 0, 64 * ntail - 8 - (rem + t + 1));
	store_be64(l->tail + 64 * ntail - 8, (uint64_t)(n + t) * 8);
	l->nblocks = l->nfull + ntail;
}

/* Finish the lane with more blocks than the other, alone. */
static void lane_rest(struct lane *l, size_t done)
{
	if (done < l->nfull) {
		hw_compress(l->h, l->p + 64 * done, l->nfull - done);
		done = l->nfull;
	}
	if (done < l->nblocks)
		hw_compress(l->h, l->tail + 64 * (done - l->nfull), l->nblocks - done);
}
#endif

void alog_sha256_x2(uint8_t o1[32], const void *a1, size_t n1, const void *s1, size_t t1,
                    uint8_t o2[32], const void *a2, size_t n2, const void *s2, size_t t2)
{
	alog_sha256_setup();
#ifdef ALOG_HAVE_X86
	if (hw_compress_x2 && t1 <= 56 && t2 <= 56) {
		struct lane l1, l2;
		size_t both;
		lane_init(&l1, a1, n1, s1, t1);
		lane_init(&l2, a2, n2, s2, t2);
		both = l1.nblocks < l2.nblocks ? l1.nblocks : l2.nblocks;
		hw_compress_x2(&l1, &l2, both);
		lane_rest(&l1, both);
		lane_rest(&l2, both);
		output(o1, l1.h);
		output(o2, l2.h);
		return;
	}
#endif
	struct alog_sha256 c;
	alog_sha256_init(&c);
	alog_sha256_update(&c, a1, n1);
	alog_sha256_update(&c, s1, t1);
	alog_sha256_final(&c, o1);
	alog_sha256_init(&c);
	alog_sha256_update(&c, a2, n2);
	alog_sha256_update(&c, s2, t2);
	alog_sha256_final(&c, o2);
}

void alog_sha256_pair_x2(uint8_t o1[32], const uint8_t a1[32], const uint8_t b1[32],
                         uint8_t o2[32], const uint8_t a2[32], const uint8_t b2[32])
{
	alog_sha256_setup();
#ifdef ALOG_HAVE_X86
	if (fixed_shani) {
		shani_pair_x2(o1, a1, b1, o2, a2, b2);
		return;
	}
#endif
	uint8_t m1[64], m2[64];
	memcpy(m1, a1, 32);
	memcpy(m1 + 32, b1, 32);
	memcpy(m2, a2, 32);
	memcpy(m2 + 32, b2, 32);
	alog_sha256_x2(o1, m1, 64, NULL, 0, o2, m2, 64, NULL, 0);
}

void alog_sha256_leaf32_x2(uint8_t o1[32], const uint8_t d1[32], uint8_t o2[32],
                           const uint8_t d2[32])
{
	alog_sha256_setup();
#ifdef ALOG_HAVE_X86
	if (fixed_shani) {
		shani_leaf32_x2(o1, d1, o2, d2);
		return;
	}
#endif
	uint8_t m1[33], m2[33];
	m1[0] = m2[0] = 0x00;
	memcpy(m1 + 1, d1, 32);
	memcpy(m2 + 1, d2, 32);
	alog_sha256_x2(o1, m1, 33, NULL, 0, o2, m2, 33, NULL, 0);
}

void alog_sha256_node_x2(uint8_t o1[32], const uint8_t l1[32], const uint8_t r1[32],
                         uint8_t o2[32], const uint8_t l2[32], const uint8_t r2[32])
{
	alog_sha256_setup();
#ifdef ALOG_HAVE_X86
	if (fixed_shani) {
		shani_node_x2(o1, l1, r1, o2, l2, r2);
		return;
	}
#endif
	uint8_t m1[65], m2[65];
	m1[0] = m2[0] = 0x01;
	memcpy(m1 + 1, l1, 32);
	memcpy(m1 + 33, r1, 32);
	memcpy(m2 + 1, l2, 32);
	memcpy(m2 + 33, r2, 32);
	alog_sha256_x2(o1, m1, 65, NULL, 0, o2, m2, 65, NULL, 0);
}
