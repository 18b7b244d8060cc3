/*
 * follow.c - the file follower: one buffer, one open file at a time, and
 * at each end of data a look at what the name now points to (a new file
 * after a rename, the same file cut short by copytruncate, the next file
 * of a pattern).  See follow.h for the positions and their fingerprint.
 */
#include "capture/follow.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/sha256.h"

#define CHUNK (256 * 1024)
#define NO_FP UINT64_MAX

struct file {
	int fd;
	char name[PATH_MAX];
	dev_t dev;
	ino_t ino;
	uint64_t off;  /* file offset of the first unconsumed byte */
	uint64_t seen; /* largest size seen */
	uint8_t fp[ALOG_FP_LEN];
	uint64_t fp_len; /* bytes the fingerprint covers (NO_FP: none yet) */
	char head[ALOG_FP_SPAN]; /* the file's first bytes, as read: the fingerprint's */
	size_t head_len;
	uint64_t read_off; /* file offset of the next byte read */
	int rest;        /* a rotated file read to its end, then left */
};

struct alog_follow {
	char *path;
	char dir[PATH_MAX];
	const char *base; /* in path */
	int pattern;
	int once;
	size_t max_line;

	struct file cur;
	int have_cur;
	char last_name[PATH_MAX]; /* pattern: the name read last (files after it come next) */

	char *buf;
	size_t cap, start, end; /* buf[start..end) holds bytes from cur.off on */
	int skipping;           /* inside a line longer than max_line */
	int at_end;             /* the last read found the end: check the file before reading on */

	struct alog_srcpos pos;
	int gap_pending;
	char gap_msg[512];
	uint64_t gap_lost;

	int ino_fd, wd;

	/* the files left on the way from a rotated file to the live one */
	ino_t visited[64];
	int nvisited;
};

int alog_follow_is_pattern(const char *path)
{
	return strpbrk(path, "*?[") != NULL;
}

int alog_fp_compute(int fd, uint64_t end, uint8_t fp[ALOG_FP_LEN])
{
	char b[ALOG_FP_SPAN];
	uint8_t h[32];
	size_t n = end < ALOG_FP_SPAN ? (size_t)end : ALOG_FP_SPAN;
	ssize_t got = alog_pread_all(fd, b, n, 0);

	if (got < 0)
		return -1;
	if ((size_t)got != n) {
		errno = 0;
		return -1;
	}
	alog_sha256(h, b, n);
	memcpy(fp, h, ALOG_FP_LEN);
	return 0;
}

/*
 * Does the open file (fd, st) hold the bytes a position was taken in?  1 or
 * 0, or -1 when they cannot be read (errno): that says nothing either way.
 */
static int holds(int fd, const struct stat *st, const struct alog_srcpos *p)
{
	uint8_t fp[ALOG_FP_LEN];

	if ((uint64_t)st->st_size < p->end)
		return 0;
	/* at offset 0 the fingerprint covers nothing: the inode must say it */
	if (p->end == 0 && (uint64_t)st->st_ino != p->ino)
		return 0;
	if (alog_fp_compute(fd, p->end, fp) != 0)
		return errno ? -1 : 0;
	return memcmp(fp, p->fp, ALOG_FP_LEN) == 0;
}

static int take_pos(struct alog_follow *f, uint64_t end, struct alog_error *e);

static void close_cur(struct alog_follow *f)
{
	if (f->have_cur) {
		close(f->cur.fd);
		f->have_cur = 0;
	}
	f->start = f->end = 0;
	f->skipping = 0;
	f->at_end = 0;
}

/* Make fd (name, st) the file read, from offset off: 0, -1 error, or 1 when
 * the file was cut short meanwhile (then nothing is read from it). */
static int set_cur(struct alog_follow *f, int fd, const char *name, const struct stat *st,
                   uint64_t off, int rest, struct alog_error *e)
{
	close_cur(f);
	if (lseek(fd, (off_t)off, SEEK_SET) < 0) {
		alog_errno(e, "cannot seek in %s", name);
		close(fd);
		return -1;
	}
	memset(&f->cur, 0, sizeof f->cur);
	f->cur.fd = fd;
	snprintf(f->cur.name, sizeof f->cur.name, "%s", name);
	f->cur.dev = st->st_dev;
	f->cur.ino = st->st_ino;
	f->cur.off = off;
	f->cur.seen = (uint64_t)st->st_size;
	f->cur.rest = rest;
	f->cur.fp_len = NO_FP;
	f->cur.read_off = off;
	f->have_cur = 1;
	if (!rest)
		f->nvisited = 0;
	if (f->pattern && !rest)
		snprintf(f->last_name, sizeof f->last_name, "%s", name);
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	/* the start of what was read before, while the file still holds it */
	if (off) {
		size_t n = off < ALOG_FP_SPAN ? (size_t)off : ALOG_FP_SPAN;
		ssize_t got = alog_pread_all(fd, f->cur.head, n, 0);
		if (got < 0) {
			int err = errno;
			close_cur(f);
			errno = err;
			return alog_errno(e, "read error in %s", name);
		}
		if (got != (ssize_t)n) {
			/* cut short since it was found: it no longer holds what was read */
			close_cur(f);
			return 1;
		}
		f->cur.head_len = n;
		if (take_pos(f, off, e) != 0)
			return -1;
	}
	return 0;
}

/*
 * Open a regular file for reading: fd, or -1 (ENOENT and friends: not there
 * yet).  Symbolic links are not followed: whoever can write in a log's
 * directory must not be able to point the capture at another file.
 */
static int open_reg(const char *name, struct stat *st)
{
	int fd = open(name, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

static void set_gap(struct alog_follow *f, uint64_t lost, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void set_gap(struct alog_follow *f, uint64_t lost, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(f->gap_msg, sizeof f->gap_msg, fmt, ap);
	va_end(ap);
	f->gap_lost = lost;
	f->gap_pending = 1;
}

/* ---- names: rotated files beside a path, files of a pattern ---- */

static const char *const compressed[] = {".gz", ".bz2", ".xz", ".zst", ".lz4", ".lzma", ".Z",
                                         ".zip", NULL};

static int is_compressed(const char *name)
{
	size_t n = strlen(name);
	for (const char *const *s = compressed; *s; s++) {
		size_t k = strlen(*s);
		if (n > k && strcmp(name + n - k, *s) == 0)
			return 1;
	}
	return 0;
}

/*
 * Find the file that holds position p among the rotated names of the
 * path (base + '.', '-' or '_' + anything, uncompressed) and any other
 * name of p's inode in the directory; the same inode wins over a copy.
 * Returns an open fd (name and st filled), -1 (none), or -2 when a
 * candidate's first bytes cannot be read (e set): it may be the one.
 */
static int find_rotated(struct alog_follow *f, const struct alog_srcpos *p, char *name,
                        size_t cap, struct stat *st_out, struct alog_error *e)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;
	size_t bl = strlen(f->base);
	int best = -1, best_same_ino = 0;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char full[PATH_MAX];
		struct stat st;
		int fd, rotated, h;

		if (strcmp(de->d_name, f->base) == 0 || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		rotated = strncmp(de->d_name, f->base, bl) == 0 && strchr(".-_", de->d_name[bl]) &&
		          de->d_name[bl] != '\0' && !is_compressed(de->d_name);
		if (!rotated && de->d_ino != (ino_t)p->ino)
			continue;
		if ((size_t)snprintf(full, sizeof full, "%s/%s", f->dir, de->d_name) >= sizeof full)
			continue;
		fd = open_reg(full, &st);
		if (fd < 0)
			continue;
		h = holds(fd, &st, p);
		if (h < 0) {
			alog_errno(e, "read error in %s", full);
			close(fd);
			if (best >= 0)
				close(best);
			closedir(d);
			return -2;
		}
		if (!h || (best >= 0 && (best_same_ino || st.st_ino != p->ino))) {
			close(fd);
			continue;
		}
		if (best >= 0)
			close(best);
		best = fd;
		best_same_ino = st.st_ino == p->ino;
		snprintf(name, cap, "%s", full);
		*st_out = st;
	}
	closedir(d);
	return best;
}

static int ts_cmp(const struct timespec *a, const struct timespec *b)
{
	if (a->tv_sec != b->tv_sec)
		return a->tv_sec < b->tv_sec ? -1 : 1;
	return a->tv_nsec < b->tv_nsec ? -1 : a->tv_nsec > b->tv_nsec;
}

/*
 * The file rotated after the one just left: among the rotated names, the
 * one last written the soonest at or after `since`, neither the live file
 * nor one read on the way here.  (Rotated twice while not followed: the
 * second file is read before the live one.)  fd or -1.
 */
static int find_between(struct alog_follow *f, const struct timespec *since, ino_t live,
                        char *name, size_t cap, struct stat *st_out)
{
	DIR *d = opendir(f->dir);
	struct dirent *de;
	size_t bl = strlen(f->base);
	int best = -1;

	if (!d)
		return -1;
	while ((de = readdir(d)) != NULL) {
		char full[PATH_MAX];
		struct stat st;
		int fd, seen = 0;

		if (strncmp(de->d_name, f->base, bl) != 0 || !de->d_name[bl] ||
		    !strchr(".-_", de->d_name[bl]) || is_compressed(de->d_name))
			continue;
		if ((size_t)snprintf(full, sizeof full, "%s/%s", f->dir, de->d_name) >= sizeof full)
			continue;
		if (stat(full, &st) != 0 || !S_ISREG(st.st_mode) || st.st_ino == live ||
		    ts_cmp(&st.st_mtim, since) < 0)
			continue;
		for (int i = 0; i < f->nvisited; i++)
			seen |= f->visited[i] == st.st_ino;
		if (seen || (best >= 0 && ts_cmp(&st.st_mtim, &st_out->st_mtim) >= 0))
			continue;
		fd = open_reg(full, &st);
		if (fd < 0)
			continue;
		if (best >= 0)
			close(best);
		best = fd;
		snprintf(name, cap, "%s", full);
		*st_out = st;
	}
	closedir(d);
	return best;
}

static int name_cmp(const void *a, const void *b)
{
	return strverscmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The first regular file of the pattern whose name sorts after `after`
 * (or equal to it, with or_equal; NULL: the last file of all).  Returns
 * an open fd (name, st filled) or -1.
 */
static int pattern_file(struct alog_follow *f, const char *after, int or_equal, char *name,
                        size_t cap, struct stat *st)
{
	glob_t g;
	int fd = -1;

	if (glob(f->path, GLOB_NOSORT, NULL, &g) != 0)
		return -1;
	qsort(g.gl_pathv, g.gl_pathc, sizeof *g.gl_pathv, name_cmp);
	if (!after) {
		for (size_t i = g.gl_pathc; i-- > 0 && fd < 0;) {
			fd = open_reg(g.gl_pathv[i], st);
			if (fd >= 0)
				snprintf(name, cap, "%s", g.gl_pathv[i]);
		}
	} else {
		for (size_t i = 0; i < g.gl_pathc && fd < 0; i++) {
			int c = strverscmp(g.gl_pathv[i], after);
			if (c < 0 || (c == 0 && !or_equal))
				continue;
			fd = open_reg(g.gl_pathv[i], st);
			if (fd >= 0)
				snprintf(name, cap, "%s", g.gl_pathv[i]);
		}
	}
	globfree(&g);
	return fd;
}

/* ---- opening ---- */

static void watch_dir(struct alog_follow *f)
{
	if (f->ino_fd < 0 || f->wd >= 0)
		return;
	f->wd = inotify_add_watch(f->ino_fd, f->dir,
	                          IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE |
	                                  IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF |
	                                  IN_MOVE_SELF);
}

/* A read of name (open as fd) failed: the error, fd closed.  -1. */
static int read_error(int fd, const char *name, struct alog_error *e)
{
	int err = errno;
	close(fd);
	errno = err;
	return alog_errno(e, "read error in %s", name);
}

/*
 * Where to start when the position is known: its file, a rotated copy, or a
 * gap.  A file whose first bytes cannot be read is an error, not a file that
 * no longer holds them: taken as such, its lines would be taken again.
 */
static int resume_at(struct alog_follow *f, const struct alog_srcpos *p, struct alog_error *e)
{
	struct stat st;
	char name[PATH_MAX];
	int fd, h = 0;

	if (f->pattern) {
		fd = open_reg(p->file, &st);
		if (fd >= 0 && (h = holds(fd, &st, p)) < 0)
			return read_error(fd, p->file, e);
		if (h) {
			int rc = set_cur(f, fd, p->file, &st, p->end, 0, e);
			if (rc <= 0)
				return rc;
			fd = open_reg(p->file, &st);
		}
		if (fd >= 0) {
			/* the name was used again: what it holds now is newer */
			set_gap(f, 0, "%s no longer holds the lines read before (offset %llu); "
			              "lines written after them may be lost",
			        p->file, (unsigned long long)p->end);
			return set_cur(f, fd, p->file, &st, 0, 0, e);
		}
		set_gap(f, 0, "%s is gone; lines written to it after offset %llu may be lost",
		        p->file, (unsigned long long)p->end);
		snprintf(f->last_name, sizeof f->last_name, "%s", p->file);
		return 0;
	}
	fd = open_reg(f->path, &st);
	if (fd >= 0 && (h = holds(fd, &st, p)) < 0)
		return read_error(fd, f->path, e);
	if (h) {
		int rc = set_cur(f, fd, f->path, &st, p->end, 0, e);
		if (rc <= 0)
			return rc;
		fd = -1;
	}
	if (fd >= 0)
		close(fd);
	fd = find_rotated(f, p, name, sizeof name, &st, e);
	if (fd == -2)
		return -1;
	if (fd >= 0) {
		int rc = set_cur(f, fd, name, &st, p->end, 1, e);
		if (rc <= 0)
			return rc;
	}
	set_gap(f, 0, "the file %s held at offset %llu (inode %llu) is gone: rotated away or "
	              "truncated; lines written to it after that offset may be lost",
	        f->path, (unsigned long long)p->end, (unsigned long long)p->ino);
	return 0;
}

struct alog_follow *alog_follow_open(const struct alog_follow_opts *o,
                                     const struct alog_srcpos *resume, struct alog_error *e)
{
	struct alog_follow *f = calloc(1, sizeof *f);
	const char *slash;

	if (!f) {
		alog_err(e, "out of memory");
		return NULL;
	}
	f->path = alog_xstrdup(o->path);
	f->pattern = alog_follow_is_pattern(o->path);
	f->once = o->once;
	f->max_line = o->max_line;
	f->ino_fd = -1;
	f->wd = -1;
	slash = strrchr(f->path, '/');
	if (!slash || slash == f->path)
		snprintf(f->dir, sizeof f->dir, "%s", slash ? "/" : ".");
	else
		snprintf(f->dir, sizeof f->dir, "%.*s", (int)(slash - f->path), f->path);
	f->base = slash ? slash + 1 : f->path;
	if (f->pattern && alog_follow_is_pattern(f->dir)) {
		alog_err(e, "%s: only the file name may be a pattern, not the directory", o->path);
		goto fail;
	}
	f->cap = 2 * f->max_line + CHUNK;
	f->buf = alog_xmalloc(f->cap);
	if (!f->once) {
		f->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
		watch_dir(f);
	}
	if (resume && resume_at(f, resume, e) != 0)
		goto fail;
	return f;
fail:
	alog_follow_close(f);
	return NULL;
}

void alog_follow_close(struct alog_follow *f)
{
	if (!f)
		return;
	close_cur(f);
	if (f->ino_fd >= 0)
		close(f->ino_fd);
	free(f->buf);
	free(f->path);
	free(f);
}

int alog_follow_wait(struct alog_follow *f, int timeout_ms)
{
	struct pollfd pfd;
	char ev[4096];
	int rc;

	watch_dir(f);
	if (f->ino_fd < 0 || f->wd < 0) {
		/* no inotify here: the timeout alone */
		struct timespec ts = {timeout_ms / 1000, (long)(timeout_ms % 1000) * 1000000L};
		return nanosleep(&ts, NULL);
	}
	pfd.fd = f->ino_fd;
	pfd.events = POLLIN;
	rc = poll(&pfd, 1, timeout_ms);
	if (rc < 0)
		return -1;
	while (read(f->ino_fd, ev, sizeof ev) > 0) {
		/* the directory itself went away: watch it again when it is back */
		const struct inotify_event *ie = (const struct inotify_event *)ev;
		if (ie->mask & (IN_IGNORED | IN_DELETE_SELF | IN_MOVE_SELF)) {
			inotify_rm_watch(f->ino_fd, f->wd);
			f->wd = -1;
		}
	}
	return 0;
}

/* ---- reading ---- */

/* Set f->pos for a line of cur ending at file offset end. */
static int take_pos(struct alog_follow *f, uint64_t end, struct alog_error *e)
{
	uint64_t span = end < ALOG_FP_SPAN ? end : ALOG_FP_SPAN;

	if (f->cur.fp_len != span) {
		/* from the bytes as they were read: the file may be cut meanwhile */
		uint8_t h[32];
		if (f->cur.head_len < span)
			return alog_err(e, "%s: the start of the file was not read", f->cur.name);
		alog_sha256(h, f->cur.head, (size_t)span);
		memcpy(f->cur.fp, h, ALOG_FP_LEN);
		f->cur.fp_len = span;
	}
	/* the same file line after line: copied when it changes, not formatted each time */
	if (strcmp(f->pos.file, f->cur.name) != 0)
		snprintf(f->pos.file, sizeof f->pos.file, "%s", f->cur.name);
	f->pos.ino = (uint64_t)f->cur.ino;
	memcpy(f->pos.fp, f->cur.fp, ALOG_FP_LEN);
	f->pos.end = end;
	return 0;
}

/* Read more of cur into the buffer: bytes read, 0 at its end, -1 error. */
static ssize_t fill(struct alog_follow *f, struct alog_error *e)
{
	ssize_t n;

	if (f->start > 0 && f->cap - f->end < CHUNK) {
		memmove(f->buf, f->buf + f->start, f->end - f->start);
		f->end -= f->start;
		f->start = 0;
	}
	do
		n = read(f->cur.fd, f->buf + f->end, f->cap - f->end);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return alog_errno(e, "read error in %s", f->cur.name);
	if (f->cur.read_off < ALOG_FP_SPAN && n > 0) {
		size_t at = (size_t)f->cur.read_off;
		size_t k = (size_t)n < ALOG_FP_SPAN - at ? (size_t)n : ALOG_FP_SPAN - at;
		if (at <= f->cur.head_len) {
			memcpy(f->cur.head + at, f->buf + f->end, k);
			if (at + k > f->cur.head_len)
				f->cur.head_len = at + k;
		}
	}
	f->cur.read_off += (uint64_t)n;
	f->end += (size_t)n;
	f->at_end = n == 0;
	return n;
}

/*
 * A line from what cur holds: LINE/TOOLONG, or IDLE at its end (a partial
 * line stays buffered), or -1.  With flush, a partial last line is taken
 * as a line (the file will not grow any more).
 */
static int cur_line(struct alog_follow *f, struct alog_follow_item *it, int flush,
                    struct alog_error *e)
{
	for (;;) {
		char *s = f->buf + f->start;
		size_t have = f->end - f->start;
		char *nl = memchr(s, '\n', have);

		if (nl) {
			size_t n = (size_t)(nl - s) + 1;
			f->start += n;
			f->cur.off += n;
			if (take_pos(f, f->cur.off, e) != 0)
				return -1;
			it->pos = &f->pos;
			if (f->skipping || n > f->max_line) {
				f->skipping = 0;
				return ALOG_FOLLOW_TOOLONG;
			}
			it->p = s;
			it->len = n - 1;
			return ALOG_FOLLOW_LINE;
		}
		if (have >= f->max_line) {
			/* too long: drop what is buffered and skip to its LF */
			f->skipping = 1;
			f->cur.off += have;
			f->start = f->end = 0;
			continue;
		}
		ssize_t got = fill(f, e);
		if (got < 0)
			return -1;
		if (got > 0)
			continue;
		if (flush && (f->end > f->start || f->skipping)) {
			size_t n = f->end - f->start;
			int was_skipping = f->skipping;
			it->p = f->buf + f->start;
			it->len = n;
			f->start = f->end;
			f->cur.off += n;
			f->skipping = 0;
			if (take_pos(f, f->cur.off, e) != 0)
				return -1;
			it->pos = &f->pos;
			return was_skipping ? ALOG_FOLLOW_TOOLONG : ALOG_FOLLOW_LINE;
		}
		return ALOG_FOLLOW_IDLE;
	}
}

/* The file at the path, when it is another file than cur and already has data. */
static int path_replaced(struct alog_follow *f, struct stat *st)
{
	if (stat(f->path, st) != 0 || !S_ISREG(st->st_mode))
		return 0;
	if (f->have_cur && st->st_dev == f->cur.dev && st->st_ino == f->cur.ino)
		return 0;
	/* a writer that has moved on has written to the new file: wait for that, so
	 * lines it still wrote to the old one are read first */
	return st->st_size > 0;
}

/*
 * cur is at its end: has it been cut short or written over from the start
 * (copytruncate, `> file`)?  Then read the copy's rest when there is one,
 * else record the gap, and start again at 0.  1 when something changed.
 */
static int check_truncated(struct alog_follow *f, struct alog_error *e)
{
	struct stat st;
	uint8_t fp[ALOG_FP_LEN];
	int cut;

	if (fstat(f->cur.fd, &st) != 0)
		return alog_errno(e, "cannot stat %s", f->cur.name);
	cut = (uint64_t)st.st_size < f->cur.off;
	if (!cut && f->cur.fp_len != NO_FP) {
		if (alog_fp_compute(f->cur.fd, f->cur.fp_len, fp) != 0) {
			/* a failed read says nothing of a cut: read again from 0, it would
			 * take every line twice and note a gap that is not there */
			if (errno)
				return alog_errno(e, "read error in %s", f->cur.name);
			cut = 1;
		} else if (memcmp(fp, f->cur.fp, ALOG_FP_LEN) != 0) {
			cut = 1;
		}
	}
	if (!cut) {
		if ((uint64_t)st.st_size > f->cur.seen)
			f->cur.seen = (uint64_t)st.st_size;
		return 0;
	}

	struct alog_srcpos was;
	char name[PATH_MAX];
	struct stat cst;
	int fd;
	uint64_t unread = f->cur.seen > f->cur.off ? f->cur.seen - f->cur.off : 0;
	int rc;

	memset(&was, 0, sizeof was);
	was.ino = (uint64_t)f->cur.ino;
	was.end = f->cur.off;
	memcpy(was.fp, f->cur.fp, ALOG_FP_LEN); /* set_cur and take_pos keep it current */
	/* the rest of the old content, from the copy copytruncate made */
	fd = !f->pattern && f->cur.off ? find_rotated(f, &was, name, sizeof name, &cst, e) : -1;
	if (fd == -2)
		return -1;
	if (fd >= 0 && (uint64_t)cst.st_ino == was.ino) {
		/* only the same, truncated, inode: no copy */
		close(fd);
		fd = -1;
	}
	int live = dup(f->cur.fd);
	struct stat lst = st;
	char live_name[PATH_MAX];
	snprintf(live_name, sizeof live_name, "%s", f->cur.name);
	if (live < 0)
		return alog_errno(e, "dup");
	if (fd >= 0) {
		close(live);
		live = -1;
		rc = set_cur(f, fd, name, &cst, was.end, 1, e);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return 1;
		/* the copy was cut short too: the live file from its start */
		live = open_reg(live_name, &lst);
		if (live < 0)
			return 0;
	}
	if (unread)
		set_gap(f, unread, "%s was truncated with %llu bytes after offset %llu not yet "
		                   "read, and no copy of them was found",
		        live_name, (unsigned long long)unread, (unsigned long long)was.end);
	else
		set_gap(f, 0, "%s was truncated or written over after offset %llu, and no copy "
		              "of its old content was found: lines written to it just before may "
		              "be lost", live_name, (unsigned long long)was.end);
	if (set_cur(f, live, live_name, &lst, 0, 0, e) != 0)
		return -1;
	return 1;
}

/*
 * cur is at its end: what comes next?  1 a file was opened, 2 cur is done
 * (the next file is there), 0 nothing new, -1 error.
 */
static int advance(struct alog_follow *f, struct alog_error *e)
{
	struct stat st;
	char name[PATH_MAX];
	int fd;

	if (!f->have_cur) {
		if (f->pattern) {
			fd = f->last_name[0] ? pattern_file(f, f->last_name, 0, name, sizeof name, &st)
			                     : pattern_file(f, NULL, 0, name, sizeof name, &st);
			if (fd < 0)
				return 0;
			return set_cur(f, fd, name, &st, 0, 0, e) == 0 ? 1 : -1;
		}
		fd = open_reg(f->path, &st);
		if (fd < 0)
			return 0;
		return set_cur(f, fd, f->path, &st, 0, 0, e) == 0 ? 1 : -1;
	}
	if (f->cur.rest) {
		/* a rotated file is done at its end: the live file comes next */
		return 2;
	}
	if (f->pattern) {
		fd = pattern_file(f, f->cur.name, 0, name, sizeof name, &st);
		if (fd < 0)
			return 0;
		close(fd);
		return 2;
	}
	if (path_replaced(f, &st)) {
		return 2;
	}
	return 0;
}

/* After cur was read to its end and flushed: open what follows it. */
static int next_file(struct alog_follow *f, struct alog_error *e)
{
	struct stat st;
	char name[PATH_MAX];
	int fd, rc;

	if (f->pattern) {
		fd = pattern_file(f, f->cur.name, 0, name, sizeof name, &st);
		close_cur(f);
		if (fd < 0)
			return 0;
		return set_cur(f, fd, name, &st, 0, 0, e);
	}
	/*
	 * Files rotated after the one left come before the live one.  The live
	 * file is opened first, so that the one left out as live is the one read
	 * next even if the path moves on meanwhile.
	 */
	struct stat cst, lst;
	int live = open_reg(f->path, &lst);
	if (fstat(f->cur.fd, &cst) == 0) {
		if (f->nvisited < (int)ALOG_ARRAY_LEN(f->visited))
			f->visited[f->nvisited++] = f->cur.ino;
		fd = find_between(f, &cst.st_mtim, live >= 0 ? lst.st_ino : 0, name, sizeof name,
		                  &st);
		if (fd >= 0) {
			int nv = f->nvisited;
			if (live >= 0)
				close(live);
			close_cur(f);
			rc = set_cur(f, fd, name, &st, 0, 1, e);
			f->nvisited = nv;
			return rc;
		}
	}
	close_cur(f);
	if (live < 0)
		return 0;
	return set_cur(f, live, f->path, &lst, 0, 0, e);
}

int alog_follow_next(struct alog_follow *f, struct alog_follow_item *it, struct alog_error *e)
{
	int rc;

	memset(it, 0, sizeof *it);
	for (;;) {
		if (f->gap_pending) {
			f->gap_pending = 0;
			snprintf(it->msg, sizeof it->msg, "%s", f->gap_msg);
			it->lost = f->gap_lost;
			/* where reading goes on: the start of the file now read, if any */
			memset(&f->pos, 0, sizeof f->pos);
			if (f->have_cur) {
				if (take_pos(f, f->cur.off, e) != 0)
					return -1;
			} else {
				snprintf(f->pos.file, sizeof f->pos.file, "%s", f->path);
			}
			it->pos = &f->pos;
			return ALOG_FOLLOW_GAP;
		}
		/* new data after an end: first make sure it is still the same file */
		if (f->have_cur && f->at_end && !f->cur.rest) {
			f->at_end = 0;
			rc = check_truncated(f, e);
			if (rc < 0)
				return -1;
			if (rc > 0)
				continue;
		}
		if (f->have_cur) {
			rc = cur_line(f, it, 0, e);
			if (rc != ALOG_FOLLOW_IDLE)
				return rc;
		}
		rc = advance(f, e);
		if (rc < 0)
			return -1;
		if (rc == 1)
			continue;
		if (rc == 2) {
			/* leaving cur: a partial last line is its last word */
			rc = cur_line(f, it, 1, e);
			if (rc != ALOG_FOLLOW_IDLE)
				return rc;
			if (next_file(f, e) != 0)
				return -1;
			continue;
		}
		return f->once ? ALOG_FOLLOW_END : ALOG_FOLLOW_IDLE;
	}
}
