/*
 * find.c - fixed-string search for the query prefilter.  Bytes are ranked
 * by how common they are in audit logs (JSON punctuation, lower-case
 * letters and digits first), the two rarest needle bytes are tested 16 at
 * a time, and candidates are confirmed with memcmp.
 */
#include "find.h"

#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
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

const char *alog_find(const struct alog_finder *f, const char *hay, size_t n)
{
	const unsigned char *h = (const unsigned char *)hay, *p = h, *e = h + n;
	size_t k = f->n;

	if (k == 0)
		return hay;
	if (n < k)
		return NULL;
	if (k == 1)
		return memchr(hay, f->needle[0], n);
#ifdef __SSE2__
	{
		const __m128i b1 = _mm_set1_epi8((char)f->needle[f->i1]);
		const __m128i b2 = _mm_set1_epi8((char)f->needle[f->i2]);
		/* candidates p..p+15 must fit whole; the loads reach p + i2 + 15 < p + k + 15 */
		while ((size_t)(e - p) >= k + 15) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + f->i1));
			__m128i y = _mm_loadu_si128((const __m128i *)(const void *)(p + f->i2));
			unsigned m = (unsigned)_mm_movemask_epi8(
				_mm_and_si128(_mm_cmpeq_epi8(x, b1), _mm_cmpeq_epi8(y, b2)));
			while (m) {
				unsigned bit = (unsigned)__builtin_ctz(m);
				if (memcmp(p + bit, f->needle, k) == 0)
					return (const char *)(p + bit);
				m &= m - 1;
			}
			p += 16;
		}
	}
#endif
	if ((size_t)(e - p) < k)
		return NULL;
	return memmem(p, (size_t)(e - p), f->needle, k);
}
