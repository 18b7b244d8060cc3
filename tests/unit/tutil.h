/*
 * tutil.h - what several unit tests share: a seeded pseudo-random source
 * (xorshift64*, so runs repeat exactly) and a growable string.
 */
#ifndef ALOG_TUTIL_H
#define ALOG_TUTIL_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static inline uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Uniform enough in [0, n) for tests. */
static inline unsigned rn(unsigned n)
{
	return (unsigned)(rnd() % n);
}

struct sb {
	char *p;
	size_t n, cap;
};

static inline void sb_put(struct sb *b, const void *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
		if (!b->p)
			abort();
	}
	/* s may be an empty buffer's NULL */
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static inline void sb_puts(struct sb *b, const char *s)
{
	sb_put(b, s, strlen(s));
}

static inline void sb_printf(struct sb *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline void sb_printf(struct sb *b, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	if ((size_t)n >= sizeof buf) {
		char *big = malloc((size_t)n + 1);
		if (!big)
			abort();
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
		sb_put(b, big, (size_t)n);
		free(big);
		return;
	}
	sb_put(b, buf, (size_t)n);
}

#endif
