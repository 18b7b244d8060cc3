/*
 * find.h - fast search for a fixed byte string, as a prefilter: a SIMD
 * pass looks for two of the needle's rarest bytes at their distance and
 * only then compares the whole needle, so common bytes do not slow it.
 */
#ifndef ALOG_FIND_H
#define ALOG_FIND_H

#include <stddef.h>

struct alog_finder {
	const unsigned char *needle; /* not copied: must outlive the finder */
	size_t n;
	size_t i1, i2; /* offsets of the two rarest bytes, i1 < i2 (equal when n == 1) */
};

/* Prepare to search for needle[0..n), n >= 1. */
void alog_finder_init(struct alog_finder *f, const char *needle, size_t n);
/* The first occurrence in hay[0..n), or NULL. */
const char *alog_find(const struct alog_finder *f, const char *hay, size_t n);
/* The first occurrence, or the first byte c if that comes sooner; NULL when neither. */
const char *alog_find_or(const struct alog_finder *f, const char *hay, size_t n, unsigned char c);

/*
 * The first occurrence of f's needle or of g's needle, or the first byte
 * c if that comes sooner, in one pass; NULL when none of them is there.
 */
const char *alog_find2_or(const struct alog_finder *f, const struct alog_finder *g, const char *hay,
                          size_t n, unsigned char c);
/*
 * Tests: search with the named code ("portable", "sse2", "avx2", "avx512")
 * from now on, or the best this CPU has (NULL).  -1 when the CPU lacks it
 * or the name is unknown.
 */
int alog_find_use(const char *name);

#endif
