/*
 * reader.c - buffered line reader.  One buffer per input, sized for the
 * longest accepted line; memory stays flat whatever the input size.
 */
#include "base/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define READ_CHUNK (1024 * 1024)
#define READ_STEP (256 * 1024)

static void setup(struct alog_reader *r, int fd, const char *name, size_t max_line)
{
	struct stat st;

	memset(r, 0, sizeof *r);
	r->fd = fd;
	r->name = name;
	r->max_line = max_line;
	r->cap = 2 * max_line + READ_CHUNK;
	r->buf = alog_xmalloc(r->cap);
	r->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	if (r->regular)
		posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
}

int alog_reader_open(struct alog_reader *r, const char *path, size_t max_line,
                     struct alog_error *e)
{
	int fd;

	if (!path || strcmp(path, "-") == 0) {
		setup(r, 0, "<stdin>", max_line);
		return 0;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		alog_errno(e, "cannot open");
		return alog_err_at(e, path, 0);
	}
	setup(r, fd, path, max_line);
	r->own_fd = 1;
	return 0;
}

void alog_reader_fdopen(struct alog_reader *r, int fd, const char *name, size_t max_line)
{
	setup(r, fd, name, max_line);
}

int alog_reader_seek(struct alog_reader *r, uint64_t off, uint64_t lineno, struct alog_error *e)
{
	if (lseek(r->fd, (off_t)off, SEEK_SET) < 0) {
		alog_errno(e, "cannot seek");
		return alog_err_at(e, r->name, 0);
	}
	r->start = r->end = 0;
	r->base = off;
	r->lineno = lineno;
	r->eof = 0;
	return 0;
}

void alog_reader_close(struct alog_reader *r)
{
	if (r->own_fd && r->fd >= 0)
		close(r->fd);
	free(r->buf);
	r->buf = NULL;
	r->fd = -1;
}

/* Read more input after buf[end]; 1 read, 0 EOF, -1 error. */
static int fill(struct alog_reader *r, struct alog_error *e)
{
	ssize_t n;

	/* what is left is less than a line: the same pages take each read,
	 * so memory stays flat however long the input */
	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->base += r->start;
		r->end -= r->start;
		r->start = 0;
	}
	for (;;) {
		/* Reads of READ_STEP: the data is still in the cache when the line
		 * search and the caller get to it (a read of the whole buffer is not). */
		size_t want = r->cap - r->end < READ_STEP ? r->cap - r->end : READ_STEP;
		n = read(r->fd, r->buf + r->end, want);
		if (n >= 0)
			break;
		if (errno != EINTR) {
			alog_errno(e, "read error");
			return alog_err_at(e, r->name, 0);
		}
	}
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->end += (size_t)n;
	return 1;
}

/* Discard the rest of an overlong line, up to and including its LF. */
static int skip_line(struct alog_reader *r, struct alog_error *e)
{
	for (;;) {
		char *nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (nl) {
			r->start = (size_t)(nl - r->buf) + 1;
			return 0;
		}
		r->base += r->end;
		r->start = r->end = 0;
		if (r->eof)
			return 0;
		if (fill(r, e) < 0)
			return -1;
	}
}

int alog_reader_next(struct alog_reader *r, struct alog_line *l, struct alog_error *e)
{
	size_t scanned = r->start;

	for (;;) {
		char *nl = memchr(r->buf + scanned, '\n', r->end - scanned);
		size_t have;

		if (nl) {
			size_t len = (size_t)(nl - (r->buf + r->start)) + 1;
			l->p = r->buf + r->start;
			l->offset = r->base + r->start;
			l->lineno = ++r->lineno;
			if (len > r->max_line) {
				l->len = len;
				r->start += len;
				return ALOG_LINE_TOOLONG;
			}
			l->len = len;
			r->start += len;
			return ALOG_LINE_OK;
		}
		have = r->end - r->start;
		if (have >= r->max_line) {
			l->p = r->buf + r->start;
			l->len = have;
			l->offset = r->base + r->start;
			l->lineno = ++r->lineno;
			r->start = r->end;
			if (skip_line(r, e) < 0)
				return ALOG_LINE_ERROR;
			return ALOG_LINE_TOOLONG;
		}
		if (r->eof) {
			if (have == 0)
				return ALOG_LINE_EOF;
			l->p = r->buf + r->start;
			l->len = have;
			l->offset = r->base + r->start;
			l->lineno = ++r->lineno;
			r->start = r->end;
			return ALOG_LINE_PARTIAL;
		}
		scanned = r->end - r->start; /* relative: fill may move the data */
		if (fill(r, e) < 0)
			return ALOG_LINE_ERROR;
		scanned += r->start;
	}
}

int alog_reader_buffered(const struct alog_reader *r)
{
	if (r->start == r->end)
		return r->eof;
	return r->eof || memchr(r->buf + r->start, '\n', r->end - r->start) != NULL;
}

int alog_reader_ready(const struct alog_reader *r)
{
	return r->regular || alog_reader_buffered(r);
}

void alog_reader_rewind_partial(struct alog_reader *r, const struct alog_line *partial)
{
	r->start = (size_t)(partial->p - r->buf);
	r->lineno--;
	r->eof = 0;
}

void alog_reader_clear_eof(struct alog_reader *r)
{
	r->eof = 0;
}
