/*
 * writer.c - locked, durable appends to a log file, tail discovery by
 * reading backwards, and recovery of a torn tail.
 */
#include "log/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/enc.h"
#include "base/json.h"
#include "base/sha256.h"
#include "base/ts.h"
#include "format/header.h"
#include "log/logfile.h"

/* What a policy change record holds, looked for when reading for one. */
#define PIN_MARK "\"policy_change\":"
#define PIN_CHUNK (4 * 1024 * 1024)
/*
 * The hint that spares a scan of the whole file (alog(5), "The pin
 * hint"): how far the file was searched, the chain hash of the record
 * ending there, and where the record in force is (0: the header).
 */
#define PIN_XATTR "user.alog.pin"

/*
 * A batch handed to a second thread: hashed (chained from the one before
 * it), written, then synced once the sync of the one before it is over,
 * so that each fdatasync's error is its own batch's (an error is reported
 * once per open file, to whichever sync comes first).
 */
struct flight {
	struct alog_writer *w;
	pthread_t thread;
	int threaded;          /* a thread to join (else it ran in the caller) */
	uint64_t gen;          /* its place in the order batches are handed over */
	char *buf;             /* its bytes, until it is written */
	const size_t *ends;
	size_t len, count;
	uint8_t prev[32];      /* the chain hash before it */
	struct alog_tail next; /* state after it (the thread sets the hash) */
	int created;           /* it holds a new file's header */
	/* set by the thread under w->mu (read without it only as hints) */
	int written;           /* its write is over (err says whether it failed) */
	int done;              /* finished: synced, failed, or not synced after a failure */
	int err;               /* errno of the failed step, 0 done */
	int step;              /* 1 write, 2 fdatasync, 3 directory sync */
};

struct alog_writer {
	char *path;
	int fd;
	dev_t dev;
	ino_t ino;
	char *origin;
	enum alog_sync sync;
	int no_create;
	long lock_wait_ms;
	int locked;
	int created; /* the batch holds a new file's header */
	struct alog_tail tail;
	int tail_valid;
	/* the new log's policy */
	int has_policy;
	struct alog_policy_ref policy;
	/* the file's header and the policy in force, read under the lock */
	int hdr_valid;
	dev_t hdr_dev;
	ino_t hdr_ino;
	struct alog_header hdr;
	uint64_t pin_scanned; /* the file is searched for policy changes up to here */
	uint64_t hdr_end;     /* where the header record ends */
	int pinned;
	struct alog_policy_ref pin;
	uint64_t pin_at;       /* the record that set the pin (0: the header) */
	int pin_hint_tried;    /* the file's hint was looked at since the header was read */
	uint64_t pin_read;     /* bytes read looking for policy changes (for tests) */
	/* pending batch */
	char *batch;
	size_t batch_len, batch_cap, batch_count;
	size_t *ends, ends_cap; /* where each line of the batch ends (hashed at the flush) */
	struct alog_tail next; /* state after the pending batch */
	uint64_t base_size;    /* where the pending batch will start in the file */
	/*
	 * Batches being written and synced by second threads (lock held)
	 * while the next one is made: alog_writer_flush_start.  One counts as
	 * written only once its thread is joined and reports success, and
	 * they are joined in the order they were handed over.
	 */
	struct flight fl[ALOG_WRITER_FLIGHTS];
	unsigned fl_head, fl_n; /* the oldest, and how many */
	char *spare;            /* the other batch buffer: the newest flight's until it is written */
	size_t spare_cap;
	size_t *spare_ends, spare_ends_cap;
	int one_thread;         /* every batch in the caller (alog_writer_opts) */
	/* the flights' progress, under mu; cv is signalled at each step */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	uint64_t gen;        /* batches handed over */
	uint64_t synced_gen; /* syncs go in order: the last batch whose sync is over */
	uint64_t failed_gen; /* the first batch whose write or sync failed, 0 none */
};

/* ---- tail discovery ---- */

#define TAIL_BLOCK 65536

/*
 * Find the start of the line that ends just before offset end (end - 1 is
 * its LF or end is EOF).  Reads backwards in growing blocks; buf must hold
 * ALOG_MAX_LINE + 1 bytes.  Returns the start offset, or -1 on error, or
 * -2 when the line is longer than ALOG_MAX_LINE.
 */
static int64_t line_start(int fd, uint64_t end, char *buf, struct alog_error *e)
{
	uint64_t want = end < TAIL_BLOCK ? end : TAIL_BLOCK;

	for (;;) {
		uint64_t from = end - want;
		ssize_t got = alog_pread_all(fd, buf, want, (off_t)from);
		if (got < 0)
			return alog_errno(e, "read error");
		if ((uint64_t)got != want)
			return alog_err(e, "file shrank while reading");
		/* the last byte may be the line's own LF: search before it */
		size_t n = (size_t)want;
		if (n && buf[n - 1] == '\n')
			n--;
		char *nl = memrchr(buf, '\n', n);
		if (nl)
			return (int64_t)(from + (uint64_t)(nl - buf) + 1);
		if (from == 0)
			return 0;
		if (want > ALOG_MAX_LINE)
			return -2;
		want *= 4;
		if (want > ALOG_MAX_LINE + 1)
			want = ALOG_MAX_LINE + 1;
		if (want > end)
			want = end;
	}
}

/* 0 a record; -1 not a record; -2 a read error (io set), which is no sign of damage. */
static int read_record_at(int fd, uint64_t start, uint64_t end, char *buf, struct alog_rec *r,
                          struct alog_error *e, struct alog_error *io)
{
	ssize_t got;
	if (end - start > ALOG_MAX_LINE)
		return alog_err(e, "line too long");
	got = alog_pread_all(fd, buf, end - start, (off_t)start);
	if (got < 0)
		return alog_errno(io, "read error"), -2;
	if ((uint64_t)got != end - start)
		return alog_err(io, "file shrank while reading"), -2;
	return alog_rec_parse(r, buf, end - start, e);
}

static void tail_from_rec(struct alog_tail *t, const struct alog_rec *r, uint64_t end)
{
	t->seq = r->seq;
	memcpy(t->hash, r->hash, 32);
	t->ts_ns = r->ts_ns;
	t->size = end;
	t->type = r->type;
}

static int tail_read(int fd, uint64_t size, struct alog_tail *tail, struct alog_torn *torn,
                     uint64_t limit, struct alog_error *e)
{
	char *buf;
	struct alog_rec r;
	struct alog_error pe;
	uint64_t end = size, good_end = 0;
	int64_t start;
	int rc = 0, found = 0;
	char last;

	memset(tail, 0, sizeof *tail);
	memset(torn, 0, sizeof *torn);
	if (size == 0)
		return 0;
	buf = alog_xmalloc(ALOG_MAX_LINE + 1);

	if (alog_pread_all(fd, &last, 1, (off_t)(size - 1)) != 1) {
		alog_errno(e, "read error");
		rc = -1;
		goto out;
	}
	/*
	 * Walk back over lines that are not well-formed records: a torn write
	 * leaves a line without LF, a power loss can leave NUL-filled blocks.
	 * Damage is bounded: give up after a few MiB and report it.
	 */
	while (end > 0) {
		start = line_start(fd, end, buf, e);
		if (start == -1) {
			rc = -1;
			goto out;
		}
		if (start >= 0 && (end < size || last == '\n')) {
			int got = read_record_at(fd, (uint64_t)start, end, buf, &r, &pe, e);
			if (got == -2) {
				rc = -1;
				goto out;
			}
			if (got == 0) {
				tail_from_rec(tail, &r, end);
				good_end = end;
				found = 1;
				break;
			}
		}
		if (start < 0) /* a line too long to be a record: all of it is damage */
			start = (int64_t)(end > ALOG_MAX_LINE ? end - ALOG_MAX_LINE : 0);
		end = (uint64_t)start;
		if (size - end > limit) {
			torn->offset = end;
			torn->bytes = size - end;
			torn->more = 1;
			rc = 1;
			goto out;
		}
	}
	if (good_end < size) {
		torn->offset = good_end;
		torn->bytes = size - good_end;
		rc = 1;
	}
	/* The first record (the header) gives the line numbering. */
	if (found) {
		uint64_t first_end;
		char *nl;
		/* a header is a few hundred bytes: read a page, the rest only if needed */
		ssize_t got = alog_pread_all(fd, buf, 4096, 0);
		if (got == 4096 && !memchr(buf, '\n', 4096))
			got = alog_pread_all(fd, buf, ALOG_MAX_LINE, 0);
		if (got < 0) {
			alog_errno(e, "read error");
			rc = -1;
			goto out;
		}
		nl = memchr(buf, '\n', (size_t)got);
		first_end = nl ? (uint64_t)(nl - buf) + 1 : 0;
		if (nl && alog_rec_parse(&r, buf, first_end, &pe) == 0) {
			tail->first_seq = r.seq;
			if (rc == 1)
				torn->line = tail->seq - r.seq + 2;
		}
	} else if (rc == 1) {
		torn->line = 1;
	}
out:
	free(buf);
	return rc;
}

int alog_tail_read(int fd, uint64_t size, struct alog_tail *tail, struct alog_torn *torn,
                   struct alog_error *e)
{
	return tail_read(fd, size, tail, torn, ALOG_TAIL_SEARCH, e);
}

/* ---- defaults ---- */

const char *alog_default_origin(void)
{
	static char host[HOST_NAME_MAX + 1];
	const char *env = getenv("ALOG_ORIGIN");
	if (env && *env)
		return env;
	if (gethostname(host, sizeof host) != 0 || !host[0])
		strcpy(host, "localhost");
	host[HOST_NAME_MAX] = '\0';
	return host;
}

const char *alog_default_file(void)
{
	static char path[PATH_MAX];
	const char *env = getenv("ALOG_FILE");
	const char *state, *home;

	if (env && *env)
		return env;
	if (geteuid() == 0)
		return ALOG_DEFAULT_FILE;
	state = getenv("XDG_STATE_HOME");
	home = getenv("HOME");
	if (state && *state)
		snprintf(path, sizeof path, "%s/alog/audit.alog", state);
	else if (home && *home)
		snprintf(path, sizeof path, "%s/.local/state/alog/audit.alog", home);
	else
		return ALOG_DEFAULT_FILE;
	return path;
}

/* ---- the writer ---- */

static int open_log(struct alog_writer *w, struct alog_error *e)
{
	struct stat st;
	int flags = O_RDWR | O_APPEND | O_CLOEXEC;

	w->fd = open(w->path, flags);
	if (w->fd < 0 && errno == ENOENT && !w->no_create) {
		/*
		 * A new log is created, never through a symbolic link: one left
		 * dangling in the log directory must not make a tool running as
		 * root create the file it points to.
		 */
		w->fd = open(w->path, flags | O_CREAT | O_EXCL | O_NOFOLLOW, 0640);
		if (w->fd < 0 && errno == EEXIST && lstat(w->path, &st) == 0 && S_ISLNK(st.st_mode))
			return alog_err(e, "cannot create log: it is a symbolic link to a missing file: "
			                "refusing to create a file through it");
		if (w->fd < 0 && errno == EEXIST)
			w->fd = open(w->path, flags); /* created by another writer meanwhile */
	}
	if (w->fd < 0)
		return alog_errno(e, "cannot open log");
	if (fstat(w->fd, &st) != 0)
		return alog_errno(e, "cannot stat log");
	if (!S_ISREG(st.st_mode))
		return alog_err(e, "not a regular file");
	w->dev = st.st_dev;
	w->ino = st.st_ino;
	w->tail_valid = 0;
	return 0;
}

struct alog_writer *alog_writer_open(const char *path, const struct alog_writer_opts *o,
                                     struct alog_error *e)
{
	struct alog_writer *w = calloc(1, sizeof *w);
	const char *origin = o && o->origin ? o->origin : alog_default_origin();

	if (!w) {
		alog_err(e, "out of memory");
		return NULL;
	}
	if (alog_origin_ok(origin, e) != 0) {
		free(w);
		return NULL;
	}
	w->path = alog_xstrdup(path);
	w->origin = alog_xstrdup(origin);
	w->sync = o ? o->sync : ALOG_SYNC_EACH;
	w->one_thread = o ? o->one_thread : 0;
	w->no_create = o ? o->no_create : 0;
	w->lock_wait_ms = o ? o->lock_wait_ms : 0;
	if (o && o->policy) {
		w->has_policy = 1;
		w->policy = *o->policy;
	}
	if (open_log(w, e) != 0) {
		alog_err_at(e, path, 0);
		if (w->fd >= 0)
			close(w->fd);
		free(w->path);
		free(w->origin);
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	return w;
}

void alog_writer_close(struct alog_writer *w)
{
	if (!w)
		return;
	if (w->locked)
		alog_writer_abort(w);
	if (w->fd >= 0)
		close(w->fd);
	free(w->batch);
	free(w->spare);
	free(w->ends);
	free(w->spare_ends);
	free(w->path);
	free(w->origin);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cv);
	free(w);
}

void alog_writer_set_origin(struct alog_writer *w, const char *origin)
{
	free(w->origin);
	w->origin = alog_xstrdup(origin);
}

static void unlock(struct alog_writer *w)
{
	if (w->locked) {
		flock(w->fd, LOCK_UN);
		w->locked = 0;
	}
}

/* Take the exclusive lock on the file now at path (following a rotation). */
static int lock_current(struct alog_writer *w, struct stat *fst, struct alog_error *e)
{
	struct stat pst;

	for (;;) {
		if (alog_flock_wait(w->fd, LOCK_EX, w->lock_wait_ms) != 0) {
			if (errno == EWOULDBLOCK) {
				long ms = alog_lock_wait_ms(w->lock_wait_ms);
				alog_err(e, "the log has been locked by another process for %ld.%03ld s "
				            "(a writer, or a reader holding a lock on it: see 'fuser -v "
				            "%s'); nothing written (ALOG_LOCK_WAIT sets the wait)", ms / 1000, ms % 1000, w->path);
			} else {
				alog_errno(e, "cannot lock log");
			}
			return alog_err_at(e, w->path, 0);
		}
		w->locked = 1;
		if (fstat(w->fd, fst) != 0) {
			alog_errno(e, "cannot stat log");
			unlock(w);
			return alog_err_at(e, w->path, 0);
		}
		if (stat(w->path, &pst) == 0 && pst.st_dev == fst->st_dev &&
		    pst.st_ino == fst->st_ino)
			return 0;
		unlock(w);
		close(w->fd);
		if (open_log(w, e) != 0)
			return alog_err_at(e, w->path, 0);
	}
}

/*
 * A file whose first line is not an alog header is no log of ours (a
 * wrong -f): never append to it, never cut it as a damaged tail.  A first
 * line still being written (no LF yet) must at least start like a record.
 */
static int check_is_log(int fd, uint64_t size, struct alog_error *e)
{
	struct alog_filehead fh;
	char start[7];
	size_t k = size < sizeof start ? (size_t)size : sizeof start;

	if (size == 0)
		return 0;
	switch (alog_logfile_head(fd, &fh, e)) {
	case ALOG_HEAD_ERROR:
		return -1;
	case ALOG_HEAD_NOT_HEADER:
		return alog_err(e, "not an alog log: its first line is not an alog header record; "
		                "nothing appended or changed");
	case ALOG_HEAD_NOLINE:
		if (alog_pread_all(fd, start, k, 0) != (ssize_t)k)
			return alog_errno(e, "read error");
		if (memcmp(start, "{\"seq\":", k) != 0)
			return alog_err(e, "not an alog log: it does not start with an alog header "
			                "record; nothing appended or changed");
		return 0;
	default:
		return 0;
	}
}

int alog_writer_lock(struct alog_writer *w, struct alog_error *e)
{
	struct stat fst;
	struct alog_torn torn;
	int rc;

	if (w->fl_n && alog_writer_flush_wait(w, NULL, e) != 0)
		return -1;
	if (lock_current(w, &fst, e) != 0)
		return -1;
	if (!w->tail_valid || w->tail.size != (uint64_t)fst.st_size) {
		if (!w->tail_valid && check_is_log(w->fd, (uint64_t)fst.st_size, e) != 0) {
			unlock(w);
			return alog_err_at(e, w->path, 0);
		}
		rc = alog_tail_read(w->fd, (uint64_t)fst.st_size, &w->tail, &torn, e);
		if (rc < 0) {
			unlock(w);
			return alog_err_at(e, w->path, 0);
		}
		if (rc == 1) {
			unlock(w);
			if (torn.more)
				alog_err(e, "more than %llu MiB of damaged data at the end of the file (more "
				            "than a crash mid-write leaves: look at it); nothing appended; "
				            "'alog-append --recover -f %s' moves it aside",
				         (unsigned long long)(ALOG_TAIL_SEARCH >> 20), w->path);
			else
				alog_err(e, "the last record is damaged (%llu bytes at offset %llu, a crash "
				            "mid-write?); nothing appended; run 'alog-append --recover -f %s' "
				            "to move them aside",
				         (unsigned long long)torn.bytes, (unsigned long long)torn.offset,
				         w->path);
			alog_err_at(e, w->path, torn.line);
			return 1;
		}
		w->tail_valid = 1;
	}
	w->next = w->tail;
	w->base_size = w->tail.size;
	w->batch_len = 0;
	w->batch_count = 0;
	w->created = 0;
	return 0;
}

/*
 * The members of an event whose ts was held at the last record's because
 * the clock stepped back: the clock's own reading goes into the record's
 * "alog" member (the last member when there is one, alog(5)) as "clock".
 * Returns a new buffer with its length in *outn.
 */
static char *with_clock(const char *members, size_t n, int64_t clock, size_t *outn)
{
	char stamp[ALOG_TS_LEN + 1], *out = alog_xmalloc(n + 64), *obj = alog_xmalloc(n + 2);
	struct alog_json_iter it;
	struct alog_span name, val, last_name = {0}, last_val = {0};
	size_t k;

	alog_ts_format(stamp, clock);
	obj[0] = '{';
	memcpy(obj + 1, n ? members + 1 : "", n ? n - 1 : 0);
	obj[n ? n : 1] = '}';
	if (alog_json_iter_init(&it, obj, n ? n + 1 : 2) == 0)
		while (alog_json_iter_next(&it, &name, &val) == 1) {
			last_name = name;
			last_val = val;
		}
	if (last_name.p && alog_json_name_eq(last_name, "alog", 4) && last_val.n >= 2 &&
	    last_val.p[0] == '{') {
		/* inside the alog object, before its closing brace */
		k = (size_t)(last_val.p - obj) + last_val.n - 1; /* offset in obj = in members */
		memcpy(out, members, k);
		if (last_val.n > 2)
			out[k++] = ',';
		k += (size_t)sprintf(out + k, "\"clock\":\"%s\"}", stamp);
	} else {
		memcpy(out, members, n);
		k = n + (size_t)sprintf(out + n, ",\"alog\":{\"clock\":\"%s\"}", stamp);
	}
	free(obj);
	*outn = k;
	return out;
}

static int add_formatted(struct alog_writer *w, const char *type, const char *members, size_t n,
                         int64_t now, struct alog_error *e)
{
	size_t need = alog_rec_size(n, type);

	if (need > ALOG_MAX_LINE)
		return alog_err(e, "record would be longer than %d bytes", ALOG_MAX_LINE);
	if (w->next.seq >= ALOG_SEQ_MAX)
		return alog_err(e, "the log has reached the largest seq");
	if (w->batch_len + need > w->batch_cap) {
		w->batch_cap = (w->batch_len + need) * 2;
		w->batch = alog_xrealloc(w->batch, w->batch_cap);
	}
	if (w->batch_count == w->ends_cap) {
		w->ends_cap = w->ends_cap ? 2 * w->ends_cap : 1024;
		w->ends = alog_xrealloc(w->ends, w->ends_cap * sizeof *w->ends);
	}
	w->next.seq++;
	/* hashed in chain order when the batch is written (alog_rec_hash_lines) */
	w->batch_len += alog_rec_format_unhashed(w->batch + w->batch_len, w->next.seq, now, type,
	                                         members, n);
	w->ends[w->batch_count] = w->batch_len;
	w->next.ts_ns = now;
	w->next.size = w->base_size + w->batch_len;
	w->next.type = type ? (strcmp(type, "open") == 0 ? ALOG_REC_OPEN
	                       : strcmp(type, "seal") == 0 ? ALOG_REC_SEAL
	                                                   : ALOG_REC_RECOVER)
	                    : ALOG_REC_EVENT;
	w->batch_count++;
	return 0;
}

static int add_record(struct alog_writer *w, const char *type, const char *members, size_t n,
                      struct alog_error *e)
{
	int64_t now, clock;
	char *stepped = NULL;
	int rc;

	/*
	 * ts never goes back within a file: a clock stepped back gives the
	 * last record's ts again, and an event keeps the clock's reading.
	 */
	now = clock = alog_ts_now();
	if (w->next.seq && now < w->next.ts_ns) {
		now = w->next.ts_ns;
		if (!type)
			members = stepped = with_clock(members, n, clock, &n);
	}
	rc = add_formatted(w, type, members, n, now, e);
	free(stepped);
	return rc;
}

int alog_writer_ensure_header(struct alog_writer *w, struct alog_error *e)
{
	char hdr[300 + 1200];
	size_t hn;

	if (!w->locked)
		return alog_err(e, "log is not locked");
	if (w->next.size != 0 || w->next.seq != 0)
		return 0;
	/* A new file: its header comes first. */
	hn = alog_header_members(hdr, 300, w->origin, NULL, NULL);
	if (w->has_policy)
		hn = alog_header_add_policy(hdr, hn, sizeof hdr, &w->policy);
	if (add_record(w, "open", hdr, hn, e) != 0)
		return -1;
	w->next.first_seq = 1;
	w->created = 1;
	return 0;
}

/* ---- the header and the policy in force ---- */

int alog_writer_header(struct alog_writer *w, const struct alog_header **h,
                       struct alog_error *e)
{
	struct stat st;
	struct alog_rec r;
	struct alog_error pe;
	char *buf;
	ssize_t got;
	const char *lf;

	*h = NULL;
	if (!w->locked)
		return alog_err(e, "log is not locked");
	if (fstat(w->fd, &st) != 0)
		return alog_errno(e, "cannot stat log");
	if (w->hdr_valid && w->hdr_dev == st.st_dev && w->hdr_ino == st.st_ino) {
		*h = &w->hdr;
		return 0;
	}
	w->hdr_valid = 0;
	w->pin_scanned = 0;
	w->pinned = 0;
	if (st.st_size == 0)
		return 0;
	/* a header fits in 64 KiB; a longer first line is read up to the record limit */
	buf = alog_xmalloc(ALOG_MAX_LINE + 1);
	got = alog_pread_all(w->fd, buf, 65536, 0);
	lf = got > 0 ? memchr(buf, '\n', (size_t)got) : NULL;
	if (got == 65536 && !lf) {
		got = alog_pread_all(w->fd, buf, ALOG_MAX_LINE, 0);
		lf = got > 0 ? memchr(buf, '\n', (size_t)got) : NULL;
	}
	if (got < 0) {
		free(buf);
		alog_errno(e, "cannot read the log's header");
		return alog_err_at(e, w->path, 1);
	}
	if (!lf || alog_rec_parse(&r, buf, (size_t)(lf - buf) + 1, &pe) != 0 ||
	    r.type != ALOG_REC_OPEN) {
		free(buf);
		alog_err(e, "not an alog log: its first line is not an alog header");
		return alog_err_at(e, w->path, 1);
	}
	if (alog_header_parse(&r, &w->hdr, &pe) != 0) {
		/* what verification finds wrong there is its business: origin and policy */
		static const char *const po[1] = {"origin"}, *const pp[1] = {"policy"};
		struct alog_span v;
		long k;
		memset(&w->hdr, 0, sizeof w->hdr);
		if (alog_json_lookup(buf, (size_t)(lf - buf), po, 1, &v) == 1 && v.n >= 2 &&
		    v.p[0] == '"' &&
		    (k = alog_json_unescape(v.p + 1, v.n - 2, w->hdr.origin,
		                            sizeof w->hdr.origin - 1)) >= 0)
			w->hdr.origin[k] = '\0';
		if (alog_json_lookup(buf, (size_t)(lf - buf), pp, 1, &v) == 1 &&
		    alog_policy_ref_parse(v.p, v.n, &w->hdr.policy, &pe) == 0)
			w->hdr.has_policy = 1;
	}
	w->pin_scanned = w->hdr_end = (uint64_t)(lf - buf) + 1;
	w->pinned = w->hdr.has_policy;
	w->pin = w->hdr.policy;
	w->pin_at = 0;
	w->pin_hint_tried = 0;
	free(buf);
	w->hdr_valid = 1;
	w->hdr_dev = st.st_dev;
	w->hdr_ino = st.st_ino;
	*h = &w->hdr;
	return 0;
}


/*
 * A record line naming a policy change in its alog member: 1 and the new
 * policy, 2 a change to no policy (null), 0 no change.
 */
static int pin_line(const char *line, size_t len, struct alog_policy_ref *ref)
{
	static const char *const path[2] = {"alog", "policy_change"};
	struct alog_rec r;
	struct alog_error e;
	struct alog_span v;

	if (alog_rec_parse(&r, line, len, &e) != 0 || r.type != ALOG_REC_EVENT)
		return 0;
	if (alog_json_lookup(line, len - 1, path, 2, &v) != 1)
		return 0;
	if (v.n == 4 && memcmp(v.p, "null", 4) == 0)
		return 2;
	return alog_policy_ref_parse(v.p, v.n, ref, &e) == 0;
}

/*
 * Search whole lines buf[0..n) (starting at file offset off) for policy
 * change records; the last one found sets the pin.
 */
static void pin_scan(struct alog_writer *w, const char *buf, size_t n, uint64_t off)
{
	const char *p = buf, *stop = buf + n;

	while (p < stop) {
		const char *m = memmem(p, (size_t)(stop - p), PIN_MARK, sizeof PIN_MARK - 1);
		const char *ls, *le;
		struct alog_policy_ref r;
		if (!m)
			break;
		ls = m;
		while (ls > buf && ls[-1] != '\n')
			ls--;
		le = memchr(m, '\n', (size_t)(stop - m));
		if (!le)
			break;
		switch (pin_line(ls, (size_t)(le - ls) + 1, &r)) {
		case 1:
			w->pinned = 1;
			w->pin = r;
			w->pin_at = off + (uint64_t)(ls - buf);
			break;
		case 2:
			w->pinned = 0;
			w->pin_at = off + (uint64_t)(ls - buf);
			break;
		}
		p = le + 1;
	}
}

/*
 * The hint, when it holds: the search resumes where it says, with the pin
 * read from the record it names.  It is only believed when the record
 * ending where it says has the hash it says, and the record it names is a
 * policy change (or the header): a wrong, stale or foreign hint is
 * ignored, and the file is searched from its header as without one.
 */
static void pin_hint_load(struct alog_writer *w)
{
	char v[200], hex[65], *buf = NULL;
	unsigned long long ino, end, at;
	uint8_t hash[32];
	struct alog_policy_ref r;
	int pinned = w->hdr.has_policy, got;
	ssize_t n;

	w->pin_hint_tried = 1;
	n = fgetxattr(w->fd, PIN_XATTR, v, sizeof v - 1);
	if (n <= 0)
		return;
	v[n] = '\0';
	if (sscanf(v, "1 %llu %llu %64[0-9a-f] %llu", &ino, &end, hex, &at) != 4 ||
	    strlen(hex) != 64 || alog_unhex(hash, 32, hex, 64) != 0)
		return;
	if ((ino_t)ino != w->hdr_ino || end < w->hdr_end || end > w->tail.size ||
	    (at != 0 && (at < w->hdr_end || at >= end)))
		return;
	if (end == w->tail.size) {
		if (memcmp(hash, w->tail.hash, 32) != 0)
			return;
	} else {
		struct alog_rec rec;
		struct alog_error pe;
		int64_t start;
		buf = alog_xmalloc(ALOG_MAX_LINE + 1);
		start = line_start(w->fd, end, buf, &pe);
		if (start < 0 || read_record_at(w->fd, (uint64_t)start, end, buf, &rec, &pe, &pe) != 0 ||
		    memcmp(rec.hash, hash, 32) != 0)
			goto out;
		w->pin_read += end - (uint64_t)start;
	}
	r = w->hdr.policy;
	if (at != 0) {
		/* the named record: a whole line, right after an LF, before end */
		size_t want = end - (at - 1) < 65537 ? (size_t)(end - (at - 1)) : 65537;
		const char *le;
		if (!buf)
			buf = alog_xmalloc(ALOG_MAX_LINE + 1);
		if (alog_pread_all(w->fd, buf, want, (off_t)(at - 1)) != (ssize_t)want ||
		    buf[0] != '\n')
			goto out;
		le = memchr(buf + 1, '\n', want - 1);
		if (!le && want == 65537 && end - (at - 1) > want) {
			want = end - (at - 1) < ALOG_MAX_LINE + 1 ? (size_t)(end - (at - 1))
			                                          : ALOG_MAX_LINE + 1;
			if (alog_pread_all(w->fd, buf, want, (off_t)(at - 1)) != (ssize_t)want)
				goto out;
			le = memchr(buf + 1, '\n', want - 1);
		}
		if (!le)
			goto out;
		w->pin_read += (uint64_t)(le - buf);
		got = pin_line(buf + 1, (size_t)(le - buf), &r);
		if (got == 0)
			goto out;
		pinned = got == 1;
	}
	w->pin_scanned = end;
	w->pinned = pinned;
	if (pinned)
		w->pin = r;
	w->pin_at = at;
out:
	free(buf);
}

/*
 * After a commit (lock held), when the whole file is known: the hint for
 * the next writer.  Failure (no user xattrs on this file system, no
 * permission) only costs the next writer a longer search.
 */
static void pin_hint_store(struct alog_writer *w)
{
	char v[200], hex[65];
	int n;

	if (!w->hdr_valid || w->pin_scanned != w->tail.size || w->hdr_ino != w->ino ||
	    w->hdr_dev != w->dev)
		return;
	n = snprintf(v, sizeof v, "1 %llu %llu %s %llu", (unsigned long long)w->hdr_ino,
	             (unsigned long long)w->tail.size, alog_hex(hex, w->tail.hash, 32),
	             (unsigned long long)w->pin_at);
	(void)fsetxattr(w->fd, PIN_XATTR, v, (size_t)n, 0);
}

int alog_writer_policy(struct alog_writer *w, int *pinned, struct alog_policy_ref *ref,
                       struct alog_error *e)
{
	const struct alog_header *h;
	uint64_t end = w->tail.size;
	char *buf = NULL;

	if (alog_writer_header(w, &h, e) != 0)
		return -1;
	if (!h) {
		/* a new file: the policy it is created with */
		*pinned = w->has_policy;
		if (w->has_policy)
			*ref = w->policy;
		return 0;
	}
	if (!w->pin_hint_tried && w->pin_scanned < end)
		pin_hint_load(w);
	/* Only what was added since the last look: whole lines, chunk by chunk. */
	while (w->pin_scanned < end) {
		uint64_t want = end - w->pin_scanned < PIN_CHUNK ? end - w->pin_scanned : PIN_CHUNK;
		ssize_t got;
		const char *lastlf;

		if (!buf)
			buf = alog_xmalloc(PIN_CHUNK);
		got = alog_pread_all(w->fd, buf, (size_t)want, (off_t)w->pin_scanned);
		if (got != (ssize_t)want) {
			free(buf);
			alog_errno(e, "cannot read the log");
			return alog_err_at(e, w->path, 0);
		}
		w->pin_read += want;
		lastlf = memrchr(buf, '\n', (size_t)want);
		if (!lastlf) {
			/* a line longer than a chunk is no record (ALOG_MAX_LINE) */
			w->pin_scanned += want;
			continue;
		}
		pin_scan(w, buf, (size_t)(lastlf + 1 - buf), w->pin_scanned);
		w->pin_scanned += (uint64_t)(lastlf + 1 - buf);
	}
	free(buf);
	*pinned = w->pinned;
	if (w->pinned)
		*ref = w->pin;
	return 0;
}

uint64_t alog_writer_pin_read(const struct alog_writer *w)
{
	return w->pin_read;
}

int alog_writer_add(struct alog_writer *w, const char *type, const char *members, size_t n,
                    struct alog_error *e)
{
	if (alog_writer_ensure_header(w, e) != 0)
		return -1;
	return add_record(w, type, members, n, e);
}

const struct alog_tail *alog_writer_next(const struct alog_writer *w)
{
	return &w->next;
}

size_t alog_writer_pending(const struct alog_writer *w)
{
	return w->batch_count;
}

size_t alog_writer_pending_bytes(const struct alog_writer *w)
{
	return w->batch_len;
}

const struct alog_tail *alog_writer_tail(const struct alog_writer *w)
{
	return &w->tail;
}

int alog_writer_fd(const struct alog_writer *w)
{
	return w->fd;
}

const char *alog_writer_path(const struct alog_writer *w)
{
	return w->path;
}

/*
 * Make what was written durable as configured: 0, or the errno of the
 * failed step in *err with the step in *step.  Runs in the caller or in a
 * flight's thread (nothing here touches the writer's other state).
 */
static void sync_written(int fd, const char *path, enum alog_sync sync, int created, int *err,
                         int *step)
{
	*err = 0;
	*step = 0;
	if (sync == ALOG_SYNC_NONE)
		return;
	if (fdatasync(fd) != 0) {
		*err = errno;
		*step = 2;
	} else if (created && alog_fsync_dir(path) != 0) {
		*err = errno;
		*step = 3;
	}
}

/* Write a batch and make it durable as configured (results as above). */
static void write_sync(int fd, const char *path, const char *buf, size_t len,
                       enum alog_sync sync, int created, int *err, int *step)
{
	if (alog_write_all(fd, buf, len) != 0) {
		*err = errno ? errno : EIO;
		*step = 1;
		return;
	}
	sync_written(fd, path, sync, created, err, step);
}

/* The batch's hashes, chained from the last written record's. */
static void hash_batch(const struct alog_writer *w, char *buf, const size_t *ends, size_t n,
                       struct alog_tail *next)
{
	uint8_t h[32];

	memcpy(h, w->tail.hash, 32);
	alog_rec_hash_lines(buf, ends, n, h);
	memcpy(next->hash, h, 32);
}

/*
 * A flight's work.  Its write goes at once (the batch before it was
 * written before this one was handed over: alog_writer_flush_start); its
 * sync waits until the sync before it is over, and is not made when a
 * batch before it failed (none after that one is kept).
 */
static void *flight_main(void *arg)
{
	struct flight *f = arg;
	struct alog_writer *w = f->w;
	int err = 0, step = 0;

	memcpy(f->next.hash, f->prev, 32);
	alog_rec_hash_lines(f->buf, f->ends, f->count, f->next.hash);
	if (alog_write_all(w->fd, f->buf, f->len) != 0) {
		err = errno ? errno : EIO;
		step = 1;
	}
	pthread_mutex_lock(&w->mu);
	f->err = err;
	f->step = step;
	__atomic_store_n(&f->written, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&w->cv);
	while (!err && w->synced_gen + 1 != f->gen && !(w->failed_gen && w->failed_gen < f->gen))
		pthread_cond_wait(&w->cv, &w->mu);
	if (!err && w->synced_gen + 1 != f->gen) {
		err = ECANCELED; /* never reported: the failure before it is */
		step = 2;
	}
	pthread_mutex_unlock(&w->mu);
	if (!err)
		sync_written(w->fd, w->path, w->sync, f->created, &err, &step);
	pthread_mutex_lock(&w->mu);
	f->err = err;
	f->step = step;
	if (!err)
		w->synced_gen = f->gen;
	else if (!w->failed_gen || f->gen < w->failed_gen)
		w->failed_gen = f->gen;
	__atomic_store_n(&f->done, 1, __ATOMIC_RELEASE);
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

/*
 * A failed write or sync: the records are not acknowledged, so not kept
 * (a retry must not find them twice): the file is cut back to the last
 * acknowledged record.
 */
static int write_failed(struct alog_writer *w, int err, int step, struct alog_error *e)
{
	if (step == 3) {
		errno = err;
		alog_errno(e, "cannot sync the log's directory");
	} else if (ftruncate(w->fd, (off_t)w->tail.size) != 0) {
		errno = err;
		alog_errno(e, step == 1 ? "write failed, and cutting back the partial write failed "
		                          "too"
		                        : "fdatasync failed, and cutting the records back failed too");
	} else {
		errno = err;
		alog_errno(e, step == 1 ? "write failed (nothing appended)"
		                        : "fdatasync failed (nothing appended)");
	}
	w->tail_valid = 0;
	w->hdr_valid = 0; /* the search for policy changes may have run ahead */
	w->batch_len = 0;
	w->batch_count = 0;
	unlock(w);
	return alog_err_at(e, w->path, 0);
}

/* Written: the state after it is the acknowledged tail. */
static void written(struct alog_writer *w, const struct alog_tail *next)
{
	w->tail = *next;
	w->tail_valid = 1;
	pin_hint_store(w);
}

static struct flight *flight_at(const struct alog_writer *w, unsigned i)
{
	return (struct flight *)&w->fl[(w->fl_head + i) % ALOG_WRITER_FLIGHTS];
}

static void flight_join(struct alog_writer *w)
{
	struct flight *f = flight_at(w, 0);

	if (f->threaded)
		pthread_join(f->thread, NULL);
	w->fl_head = (w->fl_head + 1) % ALOG_WRITER_FLIGHTS;
	w->fl_n--;
}

/* Wait for the oldest flight, if any, and acknowledge it: its records added to *sum. */
static int wait_oldest(struct alog_writer *w, size_t *sum, struct alog_error *e)
{
	struct flight *f = flight_at(w, 0);

	if (!w->fl_n)
		return 0;
	flight_join(w);
	if (f->err) {
		/*
		 * Neither it nor any batch after it is kept: their threads end
		 * (none syncs after a failure) before the file is cut back, so
		 * that no write of theirs lands after the cut.
		 */
		while (w->fl_n)
			flight_join(w);
		w->batch_len = 0; /* what was made after it follows a batch not kept */
		return write_failed(w, f->err, f->step, e);
	}
	written(w, &f->next);
	*sum += f->count;
	return 0;
}

int alog_writer_flush_wait_one(struct alog_writer *w, size_t *count, struct alog_error *e)
{
	size_t n = 0;
	int rc = wait_oldest(w, &n, e);

	if (count)
		*count = n;
	return rc;
}

int alog_writer_flush_wait(struct alog_writer *w, size_t *count, struct alog_error *e)
{
	size_t n = 0;
	int rc = 0;

	while (w->fl_n && rc == 0)
		rc = wait_oldest(w, &n, e);
	if (count)
		*count = n;
	return rc;
}

int alog_writer_inflight(const struct alog_writer *w)
{
	return (int)w->fl_n;
}

static int flight_done(const struct flight *f)
{
	return __atomic_load_n(&f->done, __ATOMIC_ACQUIRE);
}

int alog_writer_flush_done(const struct alog_writer *w)
{
	return w->fl_n && flight_done(flight_at(w, 0));
}

int alog_writer_flush_busy(const struct alog_writer *w)
{
	const struct flight *newest;

	if (!w->fl_n)
		return 0;
	if (w->fl_n == ALOG_WRITER_FLIGHTS && !flight_done(flight_at(w, 0)))
		return 1;
	newest = flight_at(w, w->fl_n - 1);
	return newest->created ? !flight_done(newest)
	                       : !__atomic_load_n(&newest->written, __ATOMIC_ACQUIRE);
}

void alog_writer_abort(struct alog_writer *w)
{
	struct alog_error e;

	/* the batches handed to flights finish (or are cut back) first */
	if (w->fl_n && alog_writer_flush_wait(w, NULL, &e) != 0)
		return;
	w->batch_len = 0;
	w->batch_count = 0;
	unlock(w);
}

/* What this writer wrote itself need not be read back for policy changes. */
static void pin_batch(struct alog_writer *w)
{
	if (w->hdr_valid && w->pin_scanned == w->base_size && w->hdr_ino == w->ino &&
	    w->hdr_dev == w->dev) {
		pin_scan(w, w->batch, w->batch_len, w->base_size);
		w->pin_scanned = w->next.size;
	}
}

int alog_writer_flush_start(struct alog_writer *w, size_t *count, struct alog_error *e)
{
	struct flight *f;
	const uint8_t *prev;
	size_t n = 0, *te, tc;
	char *b;
	size_t c;
	int rc = 0;

	/* every flight taken: the oldest is waited for */
	if (w->fl_n == ALOG_WRITER_FLIGHTS && wait_oldest(w, &n, e) != 0) {
		rc = -1;
		goto out;
	}
	if (!w->locked) {
		rc = alog_err(e, "log is not locked");
		goto out;
	}
	if (w->batch_len == 0)
		goto out;
	if (w->fl_n) {
		/*
		 * The spare buffer is the newest flight's until its write is
		 * over.  A new file's first batch is waited for whole: when its
		 * directory cannot be synced its records stay (write_failed),
		 * and no batch may follow them then.
		 */
		struct flight *newest = flight_at(w, w->fl_n - 1);
		int whole;
		pthread_mutex_lock(&w->mu);
		while (!(newest->created ? newest->done : newest->written))
			pthread_cond_wait(&w->cv, &w->mu);
		whole = newest->created || newest->err;
		pthread_mutex_unlock(&w->mu);
		if (whole) {
			size_t m = 0;
			rc = alog_writer_flush_wait(w, &m, e);
			n += m;
			if (rc != 0)
				goto out;
		}
	}
	pin_batch(w);
	prev = w->fl_n ? flight_at(w, w->fl_n - 1)->next.hash : w->tail.hash;
	if (!w->fl_n) {
		/* no flight: syncs start again after the last batch handed over */
		pthread_mutex_lock(&w->mu);
		w->synced_gen = w->gen;
		w->failed_gen = 0;
		pthread_mutex_unlock(&w->mu);
	}
	f = flight_at(w, w->fl_n);
	memcpy(f->prev, prev, 32);
	/* the batch buffers change places: the flight takes this one, the next is made in the other */
	b = w->spare;
	c = w->spare_cap;
	te = w->spare_ends;
	tc = w->spare_ends_cap;
	w->spare = w->batch;
	w->spare_cap = w->batch_cap;
	w->spare_ends = w->ends;
	w->spare_ends_cap = w->ends_cap;
	w->batch = b;
	w->batch_cap = c;
	w->ends = te;
	w->ends_cap = tc;
	f->w = w;
	f->buf = w->spare;
	f->ends = w->spare_ends;
	f->len = w->batch_len;
	f->count = w->batch_count;
	f->next = w->next;
	f->created = w->created;
	f->gen = ++w->gen;
	f->written = f->done = f->err = f->step = 0;
	w->batch_len = 0;
	w->batch_count = 0;
	w->created = 0;
	w->base_size = w->next.size;
	w->fl_n++;
	f->threaded = !w->one_thread && pthread_create(&f->thread, NULL, flight_main, f) == 0;
	if (!f->threaded)
		flight_main(f); /* no thread: the same work here, after the flights before it */
out:
	if (count)
		*count = n;
	return rc;
}

int alog_writer_flush(struct alog_writer *w, struct alog_error *e)
{
	int err, step;

	if (alog_writer_flush_wait(w, NULL, e) != 0)
		return -1;
	if (!w->locked)
		return alog_err(e, "log is not locked");
	if (w->batch_len == 0)
		return 0;
	hash_batch(w, w->batch, w->ends, w->batch_count, &w->next);
	write_sync(w->fd, w->path, w->batch, w->batch_len, w->sync, w->created, &err, &step);
	if (err)
		return write_failed(w, err, step, e);
	pin_batch(w);
	written(w, &w->next);
	w->base_size = w->next.size;
	w->batch_len = 0;
	w->batch_count = 0;
	w->created = 0;
	return 0;
}

int alog_writer_commit(struct alog_writer *w, struct alog_error *e)
{
	if (alog_writer_flush(w, e) != 0)
		return -1;
	unlock(w);
	return 0;
}

void alog_writer_unlock(struct alog_writer *w)
{
	alog_writer_abort(w);
}

/* ---- recovery ---- */

static int write_aside(const char *path, int fd, uint64_t off, uint64_t n, char *name,
                       size_t cap, uint8_t sha[32], struct alog_error *e)
{
	char stamp[ALOG_TS_LEN + 1], compact[20];
	struct alog_sha256 c;
	char *buf = alog_xmalloc(65536);
	int out = -1;

	alog_ts_format(stamp, alog_ts_now());
	/* 2026-11-28T05:17:17.123... -> 20261128T051717 */
	snprintf(compact, sizeof compact, "%.4s%.2s%.2sT%.2s%.2s%.2s", stamp, stamp + 5, stamp + 8,
	         stamp + 11, stamp + 14, stamp + 17);
	for (int i = 0; i < 100 && out < 0; i++) {
		if (i == 0)
			snprintf(name, cap, "%s.torn-%s", path, compact);
		else
			snprintf(name, cap, "%s.torn-%s.%d", path, compact, i);
		out = open(name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0640);
		if (out < 0 && errno != EEXIST)
			break;
	}
	if (out < 0) {
		free(buf);
		return alog_errno(e, "cannot create %s", name);
	}
	alog_sha256_init(&c);
	for (uint64_t done = 0; done < n;) {
		size_t want = n - done > 65536 ? 65536 : (size_t)(n - done);
		ssize_t got = alog_pread_all(fd, buf, want, (off_t)(off + done));
		if (got != (ssize_t)want) {
			alog_errno(e, "cannot read the damaged bytes");
			goto fail;
		}
		alog_sha256_update(&c, buf, want);
		if (alog_write_all(out, buf, want) != 0) {
			alog_errno(e, "cannot write %s", name);
			goto fail;
		}
		done += want;
	}
	alog_sha256_final(&c, sha);
	if (fsync(out) != 0 || close(out) != 0) {
		out = -1;
		alog_errno(e, "cannot sync %s", name);
		goto fail_closed;
	}
	if (alog_fsync_dir(name) != 0) {
		alog_errno(e, "cannot sync the directory of %s", name);
		free(buf);
		return -1;
	}
	free(buf);
	return 0;
fail:
	close(out);
fail_closed:
	unlink(name);
	free(buf);
	return -1;
}

int alog_writer_recover(struct alog_writer *w, char *aside, size_t cap, struct alog_error *e)
{
	struct stat st;
	struct alog_torn torn;
	struct alog_tail tail;
	uint8_t sha[32];
	char members[6 * PATH_MAX + 200], esc[6 * PATH_MAX], hex[65], *base;
	long en;
	int rc, n;

	if (lock_current(w, &st, e) != 0)
		return -1;
	if (check_is_log(w->fd, (uint64_t)st.st_size, e) != 0)
		goto fail;
	/* however much is damaged: it is streamed aside */
	rc = tail_read(w->fd, (uint64_t)st.st_size, &tail, &torn, UINT64_MAX, e);
	if (rc < 0)
		goto fail;
	if (rc == 0) {
		w->tail = tail;
		w->tail_valid = 1;
		alog_writer_abort(w);
		return 1;
	}
	if (write_aside(w->path, w->fd, torn.offset, torn.bytes, aside, cap, sha, e) != 0)
		goto fail;
	if (ftruncate(w->fd, (off_t)torn.offset) != 0 || fdatasync(w->fd) != 0) {
		alog_errno(e, "cannot cut the log back to its last good record (the damaged bytes "
		              "are saved in %s)", aside);
		goto fail;
	}
	w->tail = tail;
	w->tail_valid = 1;
	w->next = tail;
	w->base_size = tail.size;
	w->batch_len = w->batch_count = 0;
	w->created = 0;
	base = strrchr(aside, '/');
	base = base ? base + 1 : aside;
	en = alog_json_escape(base, strlen(base), esc);
	if (en < 0) {
		alog_err(e, "the name %s is not valid UTF-8", aside);
		goto fail;
	}
	n = snprintf(members, sizeof members,
	             ",\"file\":\"%.*s\",\"offset\":%llu,\"bytes\":%llu,\"sha256\":\"%s\"",
	             (int)en, esc,
	             (unsigned long long)torn.offset, (unsigned long long)torn.bytes,
	             alog_hex(hex, sha, 32));
	if (alog_writer_add(w, "recover", members, (size_t)n, e) != 0)
		goto fail;
	return alog_writer_commit(w, e);
fail:
	alog_writer_abort(w);
	return alog_err_at(e, w->path, 0);
}
