/*
 * follow.h - following a growing file the way `tail -F` does, with exact
 * positions: across rotation by rename, copytruncate, truncation and a
 * file that does not exist yet, taking a line only once it is complete.
 *
 * A position names a file by its inode and a fingerprint, and a byte
 * offset in it (the end of a line, LF included).  The fingerprint is the
 * first 8 bytes of SHA-256 over the file's first min(end, 4096) bytes: it
 * only covers bytes that were already there when the position was taken,
 * so it never changes while the file grows, yet it tells apart a new file
 * that reuses a freed inode, a file truncated and written again, and a
 * copy of the file under its rotated name (same bytes, other inode).
 * Device numbers are not kept: they can change across reboots.
 *
 * Two ways to name what is followed:
 *   a path      the file at that path; a rotated file is recognised by
 *               its fingerprint among the names logrotate and friends give
 *               it in the same directory (path.1, path-20261202, path_1,
 *               any hard link), compressed ones excepted;
 *   a pattern   a glob (* ? [) for files that succeed each other by name,
 *               such as PostgreSQL's postgresql-%Y-%m-%d_%H%M%S.json: the
 *               files are read one after the other in name order, each to
 *               its end before the next.
 */
#ifndef ALOG_FOLLOW_H
#define ALOG_FOLLOW_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

/* Bytes of a file's start that its fingerprint covers, at most. */
#define ALOG_FP_SPAN 4096
#define ALOG_FP_LEN 8

/* Where a line ended: the file and the offset just past its LF. */
struct alog_srcpos {
	char file[PATH_MAX]; /* the file's name when the line was read */
	uint64_t ino;
	uint8_t fp[ALOG_FP_LEN];
	uint64_t end;
};

struct alog_follow_opts {
	const char *path; /* absolute path, or glob pattern */
	size_t max_line;  /* longest line taken whole, LF included */
	int once;         /* stop at the end of what is there (no rotation handling after) */
};

enum {
	ALOG_FOLLOW_ERROR = -1,
	ALOG_FOLLOW_IDLE = 0,    /* nothing more now: commit, then alog_follow_wait */
	ALOG_FOLLOW_LINE = 1,    /* a complete line */
	ALOG_FOLLOW_TOOLONG = 2, /* a line longer than max_line, skipped (pos after it) */
	ALOG_FOLLOW_GAP = 3,     /* lines may have been lost: msg says what, pos is where
	                            reading goes on */
	ALOG_FOLLOW_END = 4,     /* once: the end of what there is */
};

struct alog_follow_item {
	const char *p; /* the line, LF excluded; valid until the next call */
	size_t len;
	const struct alog_srcpos *pos; /* after the line; valid until the next call */
	char msg[512];                 /* GAP: what was lost, in words */
	uint64_t lost;                 /* GAP: bytes known lost (0: unknown) */
};

struct alog_follow;

/* Is path a glob pattern (holds * ? or [)? */
int alog_follow_is_pattern(const char *path);

/*
 * Start following.  resume is the position after the last line already
 * taken (NULL: from the start of the current file, or of the first file
 * of a pattern).  NULL with e set on error.
 */
struct alog_follow *alog_follow_open(const struct alog_follow_opts *o,
                                     const struct alog_srcpos *resume, struct alog_error *e);
void alog_follow_close(struct alog_follow *f);

/* The next item (one of the ALOG_FOLLOW_* values). */
int alog_follow_next(struct alog_follow *f, struct alog_follow_item *it, struct alog_error *e);

/*
 * Wait until the file or its directory may have changed, or timeout_ms
 * passed (inotify where the kernel has it, else the timeout alone).
 * 0, or -1 when interrupted by a signal (errno EINTR).
 */
int alog_follow_wait(struct alog_follow *f, int timeout_ms);

/*
 * The fingerprint of fd's first min(end, ALOG_FP_SPAN) bytes.  0, or -1:
 * a read error (errno), or a file shorter than that (errno 0).
 */
int alog_fp_compute(int fd, uint64_t end, uint8_t fp[ALOG_FP_LEN]);

#endif
