/*
 * buf.c - the growable output buffer.
 */
#include "base/buf.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

char *alog_buf_room(struct alog_buf *b, size_t n)
{
	if (b->cap - b->n < n || !b->p) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->n < n)
			cap *= 2;
		b->p = alog_xrealloc(b->p, cap);
		b->cap = cap;
	}
	return b->p + b->n;
}

void alog_buf_reserve(struct alog_buf *b, size_t n)
{
	(void)alog_buf_room(b, n);
}

void alog_buf_add(struct alog_buf *b, const void *s, size_t n)
{
	if (n) {
		memcpy(alog_buf_room(b, n), s, n);
		b->n += n;
	}
}

void alog_buf_str(struct alog_buf *b, const char *s)
{
	alog_buf_add(b, s, strlen(s));
}

void alog_buf_free(struct alog_buf *b)
{
	free(b->p);
	b->p = NULL;
	b->n = b->cap = 0;
}
