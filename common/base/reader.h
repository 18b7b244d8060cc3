/*
 * reader.h - line reader for logs and input streams: large reads into one
 * buffer, lines handed out as pointers into it (no copy, no allocation per
 * line), overlong lines skipped with bounded memory.
 */
#ifndef ALOG_READER_H
#define ALOG_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/util.h"

enum {
	ALOG_LINE_EOF = 0,
	ALOG_LINE_OK = 1,
	ALOG_LINE_TOOLONG = 2, /* line longer than max_line: skipped up to its LF */
	ALOG_LINE_PARTIAL = 3, /* last bytes of the input, with no LF */
	ALOG_LINE_ERROR = -1,  /* read error, e set */
};

struct alog_line {
	const char *p; /* valid until the next call */
	size_t len;    /* LF included when there is one */
	uint64_t lineno; /* 1-based */
	uint64_t offset; /* byte offset of the line's start in the input */
};

struct alog_reader {
	int fd;
	int own_fd;
	const char *name; /* for messages */
	char *buf;
	size_t cap, start, end;
	uint64_t base;   /* input offset of buf[0] */
	uint64_t lineno;
	size_t max_line;
	int eof;
	int regular; /* a regular file (can be locked and re-read) */
};

/* Open path ("-" or NULL: stdin).  max_line includes the LF. 0 or -1. */
int alog_reader_open(struct alog_reader *r, const char *path, size_t max_line,
                     struct alog_error *e);
/* Read from an already open descriptor (not closed by the reader). */
void alog_reader_fdopen(struct alog_reader *r, int fd, const char *name, size_t max_line);
/* Start reading at offset off of a regular file (for resuming). */
int alog_reader_seek(struct alog_reader *r, uint64_t off, uint64_t lineno, struct alog_error *e);
void alog_reader_close(struct alog_reader *r);

/* Next line: one of the ALOG_LINE_* values above. */
int alog_reader_next(struct alog_reader *r, struct alog_line *l, struct alog_error *e);
/* Would alog_reader_next return without reading (a whole line is buffered)? */
int alog_reader_buffered(const struct alog_reader *r);
/*
 * Can alog_reader_next not block: a whole line is buffered, or the input
 * is a regular file (read(2) never waits for a writer there)?
 */
int alog_reader_ready(const struct alog_reader *r);
/*
 * After ALOG_LINE_EOF or ALOG_LINE_PARTIAL, forget EOF so that data
 * appended since can be read (follow mode, live logs).  A partial line is
 * kept and completed by later reads.
 */
void alog_reader_rewind_partial(struct alog_reader *r, const struct alog_line *partial);
void alog_reader_clear_eof(struct alog_reader *r);

#endif
