/*
 * span.h - a pointer and a length into someone else's buffer.
 */
#ifndef ALOG_SPAN_H
#define ALOG_SPAN_H

#include <stddef.h>
#include <string.h>

struct alog_span {
	const char *p;
	size_t n;
};

static inline int alog_span_eq(struct alog_span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n == n && memcmp(s.p, lit, n) == 0;
}

#endif
