/*
 * buf.h - a growable byte buffer for building output before one write.
 */
#ifndef ALOG_BUF_H
#define ALOG_BUF_H

#include <stddef.h>

struct alog_buf {
	char *p;
	size_t n, cap;
};

/* Room for n more bytes; returns where they go (commit with b->n += k). */
char *alog_buf_room(struct alog_buf *b, size_t n);
/* Make sure n more bytes fit. */
void alog_buf_reserve(struct alog_buf *b, size_t n);
void alog_buf_add(struct alog_buf *b, const void *s, size_t n);
void alog_buf_str(struct alog_buf *b, const char *s);
void alog_buf_free(struct alog_buf *b);

#endif
