/*
 * logfile.c - one log file read for its chain: header, last seal, and
 * the records after it re-hashed forward.
 */
#include "log/logfile.h"

#include <stdlib.h>
#include <string.h>

int alog_logfile_line_at(int fd, uint64_t off, char **line, size_t *len, struct alog_error *e)
{
	*line = NULL;
	*len = 0;
	/* most lines are short: read 16 KiB first, the longest line only if needed */
	for (size_t cap = 16384;; cap = ALOG_MAX_LINE) {
		char *buf = alog_xmalloc(cap);
		ssize_t got = alog_pread_all(fd, buf, cap, (off_t)off);
		char *nl = got > 0 ? memchr(buf, '\n', (size_t)got) : NULL;
		if (nl) {
			*line = buf;
			*len = (size_t)(nl - buf) + 1;
			return 1;
		}
		free(buf);
		if (got < 0)
			return alog_errno(e, "read error");
		if (cap == ALOG_MAX_LINE || got < (ssize_t)cap)
			return 0;
	}
}

int alog_logfile_head(int fd, struct alog_filehead *fh, struct alog_error *e)
{
	struct alog_rec r;
	struct alog_error pe;
	size_t len = 0;
	char *line = NULL;
	int rc;

	memset(fh, 0, sizeof *fh);
	rc = alog_logfile_line_at(fd, 0, &line, &len, e);
	if (rc < 0)
		return ALOG_HEAD_ERROR;
	if (rc == 0)
		return alog_err(e, "no complete first line"), ALOG_HEAD_NOLINE;
	if (alog_rec_parse(&r, line, len, &pe) != 0 || r.type != ALOG_REC_OPEN) {
		alog_err(e, "the first line is not a header");
		rc = ALOG_HEAD_NOT_HEADER;
	} else if (alog_header_parse(&r, &fh->h, e) != 0) {
		rc = ALOG_HEAD_BAD;
	} else {
		fh->seq = r.seq;
		memcpy(fh->hash, r.hash, 32);
		rc = ALOG_HEAD_OK;
	}
	free(line);
	return rc;
}

int alog_logfile_resume(int fd, uint64_t end, unsigned flags, struct alog_resume *rp,
                        struct alog_error *e)
{
	struct alog_backscan b;
	struct alog_rec r;
	const char *line = NULL;
	size_t len = 0;
	uint64_t off = 0;
	int rc, found = 0;

	memset(rp, 0, sizeof *rp);
	alog_backscan_init(&b, fd, end);
	while ((rc = alog_backscan_prev(&b, &line, &len, &off, e)) == 1) {
		if (alog_rec_parse(&r, line, len, e) != 0) {
			if (flags & ALOG_RESUME_SEAL_ONLY)
				continue;
			rp->off = off;
			rc = ALOG_RESUME_MALFORMED;
			goto out;
		}
		if (r.type == ALOG_REC_SEAL) {
			if (alog_seal_parse(&r, &rp->seal, e) != 0) {
				rp->seq = r.seq;
				rc = ALOG_RESUME_BAD_SEAL;
				goto out;
			}
			rp->tree = rp->seal.range;
			found = 1;
		} else if (r.type == ALOG_REC_OPEN && !(flags & ALOG_RESUME_SEAL_ONLY)) {
			struct alog_header h;
			if (alog_header_parse(&r, &h, e) != 0) {
				rc = ALOG_RESUME_BAD_HEADER;
				goto out;
			}
			if (h.has_range)
				rp->tree = h.range;
			else
				alog_merkle_init(&rp->tree);
			found = 1;
		}
		if (found)
			break;
	}
	if (found) {
		/* the record itself is a leaf of the tree (its line is in the scan buffer) */
		uint8_t d[32], leaf[32];
		alog_rec_leaf(r.line, r.len, d, leaf);
		alog_merkle_push(&rp->tree, leaf);
		rp->type = r.type;
		rp->seq = r.seq;
		rp->off = off;
		rp->end = off + r.len;
		memcpy(rp->hash, r.hash, 32);
		rc = ALOG_RESUME_FOUND;
	} else {
		rc = rc < 0 ? ALOG_RESUME_ERROR : ALOG_RESUME_NONE;
	}
out:
	alog_backscan_free(&b);
	return rc;
}

int alog_logfile_seal_at(int fd, uint64_t off, struct alog_seal *s, uint64_t *seq,
                         struct alog_error *e)
{
	struct alog_rec r;
	struct alog_error se;
	size_t len = 0;
	char *line = NULL;
	int rc = -1;

	if (alog_logfile_line_at(fd, off, &line, &len, &se) != 1)
		return alog_err(e, "cannot read the seal at offset %llu", (unsigned long long)off);
	if (alog_rec_parse(&r, line, len, e) != 0 || r.type != ALOG_REC_SEAL)
		alog_err(e, "no seal at offset %llu", (unsigned long long)off);
	else if (alog_seal_parse(&r, s, &se) != 0)
		alog_err(e, "bad seal (seq %llu): %s", (unsigned long long)r.seq, se.msg);
	else {
		*seq = r.seq;
		rc = 0;
	}
	free(line);
	return rc;
}

int alog_forward_start(struct alog_forward *f, int fd, uint64_t off, uint64_t seq,
                       const uint8_t hash[32], struct alog_error *e)
{
	alog_reader_fdopen(&f->rd, fd, "log", ALOG_MAX_LINE);
	f->seq = seq;
	memcpy(f->hash, hash, 32);
	f->end = off;
	if (alog_reader_seek(&f->rd, off, 0, e) != 0) {
		alog_reader_close(&f->rd);
		return -1;
	}
	return 0;
}

int alog_forward_next(struct alog_forward *f, struct alog_line *l, struct alog_rec *r,
                      uint8_t d[32], uint8_t leaf[32], struct alog_error *e)
{
	switch (alog_reader_next(&f->rd, l, e)) {
	case ALOG_LINE_ERROR:
		return ALOG_FWD_ERROR;
	case ALOG_LINE_EOF:
		return ALOG_FWD_END;
	case ALOG_LINE_PARTIAL:
		return ALOG_FWD_PARTIAL;
	case ALOG_LINE_TOOLONG:
		return ALOG_FWD_TOOLONG;
	default:
		break;
	}
	if (alog_rec_parse(r, l->p, l->len, e) != 0)
		return ALOG_FWD_MALFORMED;
	alog_rec_leaf(l->p, l->len, d, leaf);
	if (r->seq != f->seq + 1)
		return ALOG_FWD_SEQ;
	if (!alog_chain_ok(f->hash, d, r->hash))
		return ALOG_FWD_CHAIN;
	f->seq = r->seq;
	memcpy(f->hash, r->hash, 32);
	f->end = l->offset + l->len;
	return ALOG_FWD_OK;
}

void alog_forward_close(struct alog_forward *f)
{
	alog_reader_close(&f->rd);
}

/* ---- reading backwards ---- */

void alog_backscan_init(struct alog_backscan *b, int fd, uint64_t end)
{
	b->fd = fd;
	b->cap = 2 * (size_t)ALOG_MAX_LINE + 65536;
	b->buf = alog_xmalloc(b->cap);
	b->buf_off = end;
	b->buf_len = 0;
	b->pos = end;
}

void alog_backscan_free(struct alog_backscan *b)
{
	free(b->buf);
	b->buf = NULL;
}

int alog_backscan_prev(struct alog_backscan *b, const char **line, size_t *len, uint64_t *off,
                       struct alog_error *e)
{
	int reloaded = 0;

	if (b->pos == 0)
		return 0;
	for (;;) {
		if (b->pos > b->buf_off && b->pos <= b->buf_off + b->buf_len) {
			size_t end = (size_t)(b->pos - b->buf_off);
			/* skip the line's own LF, then find the one before it */
			char *nl = end > 1 ? memrchr(b->buf, '\n', end - 1) : NULL;
			if (nl || b->buf_off == 0) {
				size_t start = nl ? (size_t)(nl - b->buf) + 1 : 0;
				*line = b->buf + start;
				*len = end - start;
				*off = b->buf_off + start;
				b->pos = *off;
				return 1;
			}
		}
		if (reloaded)
			return alog_err(e, "line longer than %d bytes before offset %llu",
			                ALOG_MAX_LINE, (unsigned long long)b->pos);
		/* Load the window that ends at pos. */
		uint64_t from = b->pos > b->cap ? b->pos - b->cap : 0;
		ssize_t got = alog_pread_all(b->fd, b->buf, (size_t)(b->pos - from), (off_t)from);
		if (got < 0)
			return alog_errno(e, "read error");
		if ((uint64_t)got != b->pos - from)
			return alog_err(e, "file shrank while reading");
		b->buf_off = from;
		b->buf_len = (size_t)got;
		reloaded = 1;
	}
}
