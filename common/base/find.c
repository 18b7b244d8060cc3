/*
 * find.c - fixed-string search for the query prefilter.  Bytes are ranked
 * by how common they are in audit logs (JSON punctuation, lower-case
 * letters and digits first), the two rarest needle bytes are tested 16,
 * 32 or 64 at a time (SSE2, or AVX2 or AVX-512 when the CPU has it), and
 * candidates are compared whole.  The same pass can also stop at one extra byte,
 * so the prefilter reads its input once.
 */
#include "base/find.h"

#include <stdint.h>
#include <string.h>

#include "base/util.h"

#ifdef __x86_64__
#include <immintrin.h>
#endif

/*
 * Bytes of a typical JSON-lines audit log, most common first; every byte
 * not listed counts as rarer than all of these.
 */
static const char common_bytes[] =
	"\"e:,atos0inr1.l-c2d_3u5p4m6g7h89yb{}fvwkSEAqTIROCNxLDPjMz/UBGF=H[]W ";

static unsigned rank(unsigned char c)
{
	const char *p = memchr(common_bytes, c, sizeof common_bytes - 1);
	/* higher is rarer */
	return p ? (unsigned)(p - common_bytes) : 1000u;
}

void alog_finder_init(struct alog_finder *f, const char *needle, size_t n)
{
	const unsigned char *s = (const unsigned char *)needle;
	size_t a = 0, b = n > 1 ? 1 : 0;
	unsigned rb = 0;

	f->needle = s;
	f->n = n;
	for (size_t i = 1; i < n; i++)
		if (rank(s[i]) > rank(s[a]))
			a = i;
	if (n > 1) {
		b = a == 0 ? 1 : 0;
		/* a second, different byte tells more than a repeat of the first */
		for (size_t i = 0; i < n; i++) {
			unsigned r = s[i] == s[a] ? 0 : rank(s[i]) + 1;
			if (i != a && r > rb) {
				rb = r;
				b = i;
			}
		}
	}
	f->i1 = a < b ? a : b;
	f->i2 = a < b ? b : a;
}

/* The scalar end: the needle or the extra byte (-1: none), whichever comes first. */
static const char *tail_find(const struct alog_finder *f, const unsigned char *p,
                             const unsigned char *e, int extra)
{
	const char *x = extra >= 0 ? memchr(p, extra, (size_t)(e - p)) : NULL;
	const char *m = memmem(p, (size_t)(e - p), f->needle, f->n);

	if (m && x)
		return m < x ? m : x;
	return m ? m : x;
}

#ifdef __x86_64__
/*
 * The SIMD loop: mask bit i set when candidate p + i has the two rare
 * bytes at their places (or, with extra, when p[i] is the extra byte).
 */
#define FIND_LOOP(W, VEC, LOAD, SET1, CMPEQ, AND, OR, MOVEMASK)                          \
	do {                                                                              \
		const VEC b1 = SET1((char)f->needle[f->i1]);                             \
		const VEC b2 = SET1((char)f->needle[f->i2]);                             \
		const VEC bx = SET1((char)(extra >= 0 ? extra : 0));                     \
		while ((size_t)(e - p) >= k + W - 1 && (size_t)(e - p) >= W) {           \
			VEC x = LOAD((const VEC *)(const void *)(p + f->i1));            \
			VEC y = LOAD((const VEC *)(const void *)(p + f->i2));            \
			unsigned m = (unsigned)MOVEMASK(AND(CMPEQ(x, b1), CMPEQ(y, b2)));\
			unsigned mx = extra >= 0 ? (unsigned)MOVEMASK(CMPEQ(              \
				LOAD((const VEC *)(const void *)p), bx)) : 0;            \
			unsigned all = m | mx;                                            \
			while (all) {                                                     \
				unsigned bit = (unsigned)__builtin_ctz(all);              \
				if (mx >> bit & 1)                                        \
					return (const char *)(p + bit);                   \
				if (memcmp(p + bit, f->needle, k) == 0)                   \
					return (const char *)(p + bit);                   \
				all &= all - 1;                                           \
			}                                                                 \
			p += W;                                                           \
		}                                                                         \
	} while (0)

/* The whole needle at p?  A plain loop, not a call: see avx2_steps. */
static inline __attribute__((always_inline)) int confirm(const unsigned char *p,
                                                         const unsigned char *needle, size_t k)
{
	size_t j = 0;

	while (j < k && p[j] == needle[j])
		j++;
	return j == k;
}

/*
 * AVX2: 64 bytes a step while no candidate is in them.  The loop makes no
 * call, so its constants stay in registers: with one in it (confirm, out
 * of line) every step reloaded the three byte vectors, both offsets, the
 * end, the span and extra from the stack, 14 loads for 64 bytes instead
 * of 6.  Inlined once for each use (no extra byte; the extra byte; the
 * extra byte and a second needle g), so no choice is made at every step.
 */
__attribute__((target("avx2"), always_inline)) static inline const unsigned char *
avx2_steps(const struct alog_finder *f, const struct alog_finder *g, const unsigned char **pp,
           const unsigned char *e, int extra, const int with_extra, const int with_second)
{
	const unsigned char *p = *pp;
	const unsigned char *needle = f->needle, *needle2 = with_second ? g->needle : NULL;
	const size_t k = f->n, i1 = f->i1, i2 = f->i2;
	const size_t k2 = with_second ? g->n : 0, j1 = with_second ? g->i1 : 0,
	             j2 = with_second ? g->i2 : 0;
	const __m256i c1 = _mm256_set1_epi8((char)needle[i1]);
	const __m256i c2 = _mm256_set1_epi8((char)needle[i2]);
	const __m256i cx = _mm256_set1_epi8((char)(with_extra ? extra : 0));
	const __m256i d1 = _mm256_set1_epi8((char)(with_second ? needle2[j1] : 0));
	const __m256i d2 = _mm256_set1_epi8((char)(with_second ? needle2[j2] : 0));
	/* loads reach p + 63 + i2 < p + 63 + k, candidates end by p + 63 + k
	 * (and the same for g) */
	const size_t span = 64 + (k2 > k ? k2 : k);

	while ((size_t)(e - p) >= span) {
		__m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i1));
		__m256i y0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i2));
		__m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 + i1));
		__m256i y1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 + i2));
		uint64_t m = (uint32_t)_mm256_movemask_epi8(
			_mm256_and_si256(_mm256_cmpeq_epi8(x0, c1), _mm256_cmpeq_epi8(y0, c2)));
		uint64_t mx = 0, m2 = 0;
		m |= (uint64_t)(uint32_t)_mm256_movemask_epi8(
			_mm256_and_si256(_mm256_cmpeq_epi8(x1, c1), _mm256_cmpeq_epi8(y1, c2))) << 32;
		if (with_extra) {
			__m256i z0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
			__m256i z1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
			mx = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(z0, cx)) |
			     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(z1, cx)) << 32;
		}
		if (with_second) {
			__m256i u0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + j1));
			__m256i v0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + j2));
			__m256i u1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 + j1));
			__m256i v1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 + j2));
			m2 = (uint32_t)_mm256_movemask_epi8(_mm256_and_si256(
				     _mm256_cmpeq_epi8(u0, d1), _mm256_cmpeq_epi8(v0, d2))) |
			     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_and_si256(
				     _mm256_cmpeq_epi8(u1, d1), _mm256_cmpeq_epi8(v1, d2))) << 32;
		}
		if (__builtin_expect((m | mx | m2) != 0, 0)) {
			uint64_t all = m | mx | m2;
			while (all) {
				unsigned bit = (unsigned)__builtin_ctzll(all);
				if ((mx >> bit & 1) || ((m >> bit & 1) && confirm(p + bit, needle, k)) ||
				    (with_second && (m2 >> bit & 1) && confirm(p + bit, needle2, k2)))
					return p + bit;
				all &= all - 1;
			}
		}
		p += 64;
	}
	/* where the steps stopped, for the last bytes */
	*pp = p;
	return NULL;
}

__attribute__((target("avx2"), noinline)) static const unsigned char *
avx2_plain(const struct alog_finder *f, const unsigned char **p, const unsigned char *e)
{
	return avx2_steps(f, NULL, p, e, -1, 0, 0);
}

__attribute__((target("avx2"), noinline)) static const unsigned char *
avx2_extra(const struct alog_finder *f, const unsigned char **p, const unsigned char *e,
           int extra)
{
	return avx2_steps(f, NULL, p, e, extra, 1, 0);
}

__attribute__((target("avx2"), noinline)) static const unsigned char *
avx2_extra2(const struct alog_finder *f, const struct alog_finder *g, const unsigned char **p,
            const unsigned char *e, int extra)
{
	return avx2_steps(f, g, p, e, extra, 1, 1);
}

/*
 * AVX-512 (BW): the same steps, 64 bytes in one vector.  A comparison
 * gives its mask directly and the second one of a pair is masked by the
 * first, so a step is five loads and five comparisons with the extra
 * byte and the second needle (AVX2: ten, ten, four ANDs and five mask
 * moves).
 */
__attribute__((target("avx512bw"), always_inline)) static inline const unsigned char *
avx512_steps(const struct alog_finder *f, const struct alog_finder *g, const unsigned char **pp,
             const unsigned char *e, int extra, const int with_extra, const int with_second)
{
	const unsigned char *p = *pp;
	const unsigned char *needle = f->needle, *needle2 = with_second ? g->needle : NULL;
	const size_t k = f->n, i1 = f->i1, i2 = f->i2;
	const size_t k2 = with_second ? g->n : 0, j1 = with_second ? g->i1 : 0,
	             j2 = with_second ? g->i2 : 0;
	const __m512i c1 = _mm512_set1_epi8((char)needle[i1]);
	const __m512i c2 = _mm512_set1_epi8((char)needle[i2]);
	const __m512i cx = _mm512_set1_epi8((char)(with_extra ? extra : 0));
	const __m512i d1 = _mm512_set1_epi8((char)(with_second ? needle2[j1] : 0));
	const __m512i d2 = _mm512_set1_epi8((char)(with_second ? needle2[j2] : 0));
	const size_t span = 64 + (k2 > k ? k2 : k);

	while ((size_t)(e - p) >= span) {
		uint64_t m = _mm512_mask_cmpeq_epi8_mask(
			_mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(p + i1)), c1),
			_mm512_loadu_si512((const void *)(p + i2)), c2);
		uint64_t mx = 0, m2 = 0;
		if (with_extra)
			mx = _mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)p), cx);
		if (with_second)
			m2 = _mm512_mask_cmpeq_epi8_mask(
				_mm512_cmpeq_epi8_mask(_mm512_loadu_si512((const void *)(p + j1)), d1),
				_mm512_loadu_si512((const void *)(p + j2)), d2);
		if (__builtin_expect((m | mx | m2) != 0, 0)) {
			uint64_t all = m | mx | m2;
			while (all) {
				unsigned bit = (unsigned)__builtin_ctzll(all);
				if ((mx >> bit & 1) || ((m >> bit & 1) && confirm(p + bit, needle, k)) ||
				    (with_second && (m2 >> bit & 1) && confirm(p + bit, needle2, k2)))
					return p + bit;
				all &= all - 1;
			}
		}
		p += 64;
	}
	*pp = p;
	return NULL;
}

__attribute__((target("avx512bw"), noinline)) static const unsigned char *
avx512_plain(const struct alog_finder *f, const unsigned char **p, const unsigned char *e)
{
	return avx512_steps(f, NULL, p, e, -1, 0, 0);
}

__attribute__((target("avx512bw"), noinline)) static const unsigned char *
avx512_extra(const struct alog_finder *f, const unsigned char **p, const unsigned char *e,
             int extra)
{
	return avx512_steps(f, NULL, p, e, extra, 1, 0);
}

__attribute__((target("avx512bw"), noinline)) static const unsigned char *
avx512_extra2(const struct alog_finder *f, const struct alog_finder *g, const unsigned char **p,
              const unsigned char *e, int extra)
{
	return avx512_steps(f, g, p, e, extra, 1, 1);
}

/* The steps of 64 bytes, then the last bytes through FIND_LOOP and tail_find. */
__attribute__((target("avx2"))) static const char *
find_avx2(const struct alog_finder *f, const unsigned char *p, const unsigned char *e, int extra)
{
	const size_t k = f->n;
	const unsigned char *r = extra >= 0 ? avx2_extra(f, &p, e, extra) : avx2_plain(f, &p, e);

	if (r)
		return (const char *)r;
	{
		FIND_LOOP(32, __m256i, _mm256_loadu_si256, _mm256_set1_epi8, _mm256_cmpeq_epi8,
		          _mm256_and_si256, _mm256_or_si256, _mm256_movemask_epi8);
	}
	return tail_find(f, p, e, extra);
}

static const char *find_sse2(const struct alog_finder *f, const unsigned char *p,
                             const unsigned char *e, int extra)
{
	size_t k = f->n;
	FIND_LOOP(16, __m128i, _mm_loadu_si128, _mm_set1_epi8, _mm_cmpeq_epi8, _mm_and_si128,
	          _mm_or_si128, _mm_movemask_epi8);
	return tail_find(f, p, e, extra);
}
#endif

enum { IMPL_PORTABLE, IMPL_SSE2, IMPL_AVX2, IMPL_AVX512, IMPL_UNSET };

static int impl = IMPL_UNSET;

static int impl_best(void)
{
#ifdef __x86_64__
	if (alog_cpu_avx512bw())
		return IMPL_AVX512;
	if (alog_cpu_avx2())
		return IMPL_AVX2;
	return IMPL_SSE2;
#else
	return IMPL_PORTABLE;
#endif
}

static int find_impl(void)
{
	int v = __atomic_load_n(&impl, __ATOMIC_RELAXED);

	if (v == IMPL_UNSET) {
		v = impl_best();
		__atomic_store_n(&impl, v, __ATOMIC_RELAXED);
	}
	return v;
}

int alog_find_use(const char *name)
{
	static const char *const names[] = { "portable", "sse2", "avx2", "avx512" };
	int best = impl_best();

	if (!name) {
		__atomic_store_n(&impl, best, __ATOMIC_RELAXED);
		return 0;
	}
	for (int i = 0; i < (int)(sizeof names / sizeof names[0]); i++)
		if (strcmp(name, names[i]) == 0) {
			if (i > best)
				return -1;
			__atomic_store_n(&impl, i, __ATOMIC_RELAXED);
			return 0;
		}
	return -1;
}

static const char *find(const struct alog_finder *f, const char *hay, size_t n, int extra)
{
	const unsigned char *p = (const unsigned char *)hay, *e = p + n;

	if (f->n == 1) {
		const char *a = memchr(hay, f->needle[0], n), *b;
		if (extra < 0)
			return a;
		b = memchr(hay, extra, a ? (size_t)(a - hay) : n);
		return b ? b : a;
	}
#ifdef __x86_64__
	switch (find_impl()) {
	case IMPL_AVX512: {
		/* the 64-byte steps, then AVX2's shorter ones for the rest */
		const unsigned char *r = extra >= 0 ? avx512_extra(f, &p, e, extra)
		                                    : avx512_plain(f, &p, e);
		return r ? (const char *)r : find_avx2(f, p, e, extra);
	}
	case IMPL_AVX2:
		return find_avx2(f, p, e, extra);
	case IMPL_SSE2:
		return find_sse2(f, p, e, extra);
	default:
		break;
	}
#endif
	return tail_find(f, p, e, extra);
}

/*
 * f's needle, g's needle or the extra byte, whichever starts first: one
 * pass (AVX-512 or AVX2) while 64 bytes and both needles fit, then each
 * search over the rest, g's only as far as an occurrence starting before
 * f's result can reach.
 */
static const char *find2(const struct alog_finder *f, const struct alog_finder *g,
                         const char *hay, size_t n, int extra)
{
	const unsigned char *p = (const unsigned char *)hay, *e = p + n;
	const char *a, *b;
	size_t lim;

#ifdef __x86_64__
	if (f->n > 1 && g->n > 1) {
		const unsigned char *r = NULL;
		switch (find_impl()) {
		case IMPL_AVX512:
			r = avx512_extra2(f, g, &p, e, extra);
			break;
		case IMPL_AVX2:
			r = avx2_extra2(f, g, &p, e, extra);
			break;
		default:
			break;
		}
		if (r)
			return (const char *)r;
	}
#endif
	a = find(f, (const char *)p, (size_t)(e - p), extra);
	/* an occurrence of g starting before a ends before a + g->n - 1 */
	lim = a ? (size_t)(a - (const char *)p) + g->n - 1 : (size_t)(e - p);
	if (lim > (size_t)(e - p))
		lim = (size_t)(e - p);
	b = find(g, (const char *)p, lim, -1);
	return b ? b : a;
}

const char *alog_find(const struct alog_finder *f, const char *hay, size_t n)
{
	if (f->n == 0)
		return hay;
	return find(f, hay, n, -1);
}

const char *alog_find_or(const struct alog_finder *f, const char *hay, size_t n, unsigned char c)
{
	if (f->n == 0)
		return hay;
	return find(f, hay, n, c);
}

const char *alog_find2_or(const struct alog_finder *f, const struct alog_finder *g, const char *hay,
                          size_t n, unsigned char c)
{
	if (f->n == 0 || g->n == 0)
		return hay;
	return find2(f, g, hay, n, c);
}
