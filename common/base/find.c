/*
 * find.c - fixed-string search for the query prefilter.  Bytes are ranked
 * by how common they are in audit logs (JSON punctuation, lower-case
 * letters and digits first), the two rarest needle bytes are tested 16 or
 * 32 at a time (SSE2, or AVX2 when the CPU has it), and candidates are
 * compared whole.  The same pass can also stop at one extra byte,
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
 * of 6.  Inlined twice, with and without the extra byte, so that choice
 * is not made at every step either.
 */
__attribute__((target("avx2"), always_inline)) static inline const unsigned char *
avx2_steps(const struct alog_finder *f, const unsigned char **pp, const unsigned char *e,
           int extra, const int with_extra)
{
	const unsigned char *p = *pp;
	const unsigned char *needle = f->needle;
	const size_t k = f->n, i1 = f->i1, i2 = f->i2;
	const __m256i c1 = _mm256_set1_epi8((char)needle[i1]);
	const __m256i c2 = _mm256_set1_epi8((char)needle[i2]);
	const __m256i cx = _mm256_set1_epi8((char)(with_extra ? extra : 0));
	/* loads reach p + 63 + i2 < p + 63 + k, candidates end by p + 63 + k */
	const size_t span = 64 + k;

	while ((size_t)(e - p) >= span) {
		__m256i x0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i1));
		__m256i y0 = _mm256_loadu_si256((const __m256i *)(const void *)(p + i2));
		__m256i x1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 + i1));
		__m256i y1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32 + i2));
		uint64_t m = (uint32_t)_mm256_movemask_epi8(
			_mm256_and_si256(_mm256_cmpeq_epi8(x0, c1), _mm256_cmpeq_epi8(y0, c2)));
		uint64_t mx = 0;
		m |= (uint64_t)(uint32_t)_mm256_movemask_epi8(
			_mm256_and_si256(_mm256_cmpeq_epi8(x1, c1), _mm256_cmpeq_epi8(y1, c2))) << 32;
		if (with_extra) {
			__m256i z0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
			__m256i z1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));
			mx = (uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(z0, cx)) |
			     (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(z1, cx)) << 32;
		}
		if (__builtin_expect((m | mx) != 0, 0)) {
			uint64_t all = m | mx;
			while (all) {
				unsigned bit = (unsigned)__builtin_ctzll(all);
				if ((mx >> bit & 1) || confirm(p + bit, needle, k))
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
	return avx2_steps(f, p, e, -1, 0);
}

__attribute__((target("avx2"), noinline)) static const unsigned char *
avx2_extra(const struct alog_finder *f, const unsigned char **p, const unsigned char *e,
           int extra)
{
	return avx2_steps(f, p, e, extra, 1);
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
	return alog_cpu_avx2() ? find_avx2(f, p, e, extra) : find_sse2(f, p, e, extra);
#else
	return tail_find(f, p, e, extra);
#endif
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
