/*
 * writer.h - appending records to a log file safely: an exclusive lock
 * covers "read the tail, write the records", the tail is found by reading
 * backwards (O(1) in the log size), records are written in one write(2)
 * per batch and made durable as the sync policy says, and a failed write
 * is cut back so nothing half-written stays.
 */
#ifndef ALOG_WRITER_H
#define ALOG_WRITER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/util.h"
#include "format/header.h"
#include "format/record.h"

enum alog_sync {
	ALOG_SYNC_EACH,  /* fdatasync after every record */
	ALOG_SYNC_BATCH, /* fdatasync after every batch (group commit) */
	ALOG_SYNC_NONE,  /* leave it to the kernel */
};

/* The chain state at the end of a log file. */
struct alog_tail {
	uint64_t seq;       /* last seq; 0 for an empty file */
	uint8_t hash[32];   /* its chain hash; zeros for an empty file */
	int64_t ts_ns;
	uint64_t size;      /* file size: the end of the last record */
	uint64_t first_seq; /* seq of the file's first record (its header) */
	enum alog_rec_type type;
};

/* What alog_tail_read found wrong at the end of a file. */
struct alog_torn {
	uint64_t offset; /* where the damaged bytes start */
	uint64_t bytes;  /* how many */
	uint64_t line;   /* their line number, 0 if unknown */
	int more;        /* at least bytes: the search for the last good record
	                  * stopped there (alog_tail_read's bound) */
};

/*
 * Read the chain state at the end of the open log fd (size bytes long).
 * 0 ok; 1 the tail is damaged (torn fills in where; tail describes the
 * last good record when there is one); -1 I/O error.
 */
int alog_tail_read(int fd, uint64_t size, struct alog_tail *tail, struct alog_torn *torn,
                   struct alog_error *e);
/*
 * alog_tail_read looks back at most 16 MiB for the last good record (so
 * that finding the tail stays O(1) in the log's size) and reports more
 * damage as at least that much (torn->more); recovery looks back as far
 * as it must.
 */
#define ALOG_TAIL_SEARCH (16 * (uint64_t)ALOG_MAX_LINE)

struct alog_writer_opts {
	const char *origin; /* for a new file's header */
	enum alog_sync sync;
	int no_create;      /* the log must already exist */
	long lock_wait_ms;  /* how long to wait for the lock (alog_flock_wait: 0
	                     * the default, $ALOG_LOCK_WAIT or 60 s) */
	/* a new log's policy (its header's "policy" member), or NULL */
	const struct alog_policy_ref *policy;
	/* every batch handed over is written and synced in the caller, as when
	 * no thread can be started (for tests of that path) */
	int one_thread;
};

struct alog_writer;

/* Open (creating if allowed) the log at path.  NULL with e set on failure. */
struct alog_writer *alog_writer_open(const char *path, const struct alog_writer_opts *o,
                                     struct alog_error *e);
void alog_writer_close(struct alog_writer *w);
/* The origin a new file's header gets (when it was not known at open). */
void alog_writer_set_origin(struct alog_writer *w, const char *origin);

/*
 * Take the exclusive lock and load the tail (following a rotation that
 * replaced the file at path).  The wait for the lock is bounded (opts'
 * lock_wait_ms): anyone who can read the log can hold a lock on it, and
 * must not stop the writers for ever.  0; 1 when the tail is damaged (e
 * says where and how to recover; the lock is released); -1 on error,
 * also when the wait ran out (e says so).
 */
int alog_writer_lock(struct alog_writer *w, struct alog_error *e);
/* Add an event (type NULL) or typed record to the pending batch (lock held).
 * members: text after ts, starting with ',' or empty.  0 or -1. */
int alog_writer_add(struct alog_writer *w, const char *type, const char *members, size_t n,
                    struct alog_error *e);
/* Start a new file with its header if the file is empty (lock held). */
int alog_writer_ensure_header(struct alog_writer *w, struct alog_error *e);
/* Write the batch (after the ones in flight), sync as configured, release the
 * lock.  0 or -1. */
int alog_writer_commit(struct alog_writer *w, struct alog_error *e);
/* The same, keeping the lock (for work that must follow under it). */
int alog_writer_flush(struct alog_writer *w, struct alog_error *e);
/*
 * Hand the batch to a second thread that hashes it, writes it right after
 * the batch before it and syncs it as configured once that one's sync is
 * over, keeping the lock, so the next batch can be made meanwhile (its
 * records follow this one).  At most ALOG_WRITER_FLIGHTS batches are in
 * flight: when all are, the oldest is waited for first, and *count (may
 * be NULL) is how many records it held, now written and synced.  The
 * newest one's write (a new file's first batch: all of it) is waited for
 * too.  A failure cuts the file back to the last acknowledged record: 0,
 * or -1 (the lock is then released, anything pending dropped, and *count
 * still says what was acknowledged before the failure).
 */
#define ALOG_WRITER_FLIGHTS 2
int alog_writer_flush_start(struct alog_writer *w, size_t *count, struct alog_error *e);
/*
 * Wait for the batches in flight, in the order they were handed over:
 * *count their records.  0 or -1 as above (a batch that failed and every
 * one after it are not kept; the ones before it are, in *count).
 */
int alog_writer_flush_wait(struct alog_writer *w, size_t *count, struct alog_error *e);
/* The same for the oldest batch in flight only (if any). */
int alog_writer_flush_wait_one(struct alog_writer *w, size_t *count, struct alog_error *e);
/* How many batches are in flight (the lock is held for them). */
int alog_writer_inflight(const struct alog_writer *w);
/* The oldest batch in flight is finished: alog_writer_flush_wait_one would not block. */
int alog_writer_flush_done(const struct alog_writer *w);
/* Batches are in flight and alog_writer_flush_start would wait for one of them. */
int alog_writer_flush_busy(const struct alog_writer *w);
/* Release the lock, dropping anything pending. */
void alog_writer_unlock(struct alog_writer *w);
/* State after the pending batch (its hash is known once the batch is written). */
const struct alog_tail *alog_writer_next(const struct alog_writer *w);
/* Drop the pending batch and release the lock. */
void alog_writer_abort(struct alog_writer *w);
/* Records in the pending batch. */
size_t alog_writer_pending(const struct alog_writer *w);
size_t alog_writer_pending_bytes(const struct alog_writer *w);
/* State after the last commit (or load). */
const struct alog_tail *alog_writer_tail(const struct alog_writer *w);
/* The open descriptor (lock held by the caller's alog_writer_lock). */
int alog_writer_fd(const struct alog_writer *w);
const char *alog_writer_path(const struct alog_writer *w);

/*
 * Recovery of a damaged tail: under the lock, move the damaged bytes into
 * a new file next to the log (name returned in aside, cap bytes), cut the
 * log back to its last good record and append a "recover" record naming
 * the file, its size and SHA-256.  0 recovered; 1 nothing to recover; -1
 * error.
 */
int alog_writer_recover(struct alog_writer *w, char *aside, size_t cap, struct alog_error *e);

/*
 * The header of the file now at the log's path (lock held): NULL when the
 * file is still empty (its header is pending or not written yet), else
 * the parsed header, valid until the next lock.  -1 with e set when the
 * first line is not an alog header.
 */
int alog_writer_header(struct alog_writer *w, const struct alog_header **h,
                       struct alog_error *e);

/*
 * The policy in force for the next record (lock held): the one named by
 * the last policy change record (an alog.policy_change member) of the
 * file, else by its header; *pinned 0 when neither names one.  The file
 * is read once from its header on (or from where the file's user.alog.pin
 * hint says, when the record there has the hash it says: alog(5)), then
 * only what was added since; a commit leaves the hint for the next writer.
 * 0, or -1 with e set.
 */
int alog_writer_policy(struct alog_writer *w, int *pinned, struct alog_policy_ref *ref,
                       struct alog_error *e);
/* Bytes this writer has read looking for policy changes (for tests). */
uint64_t alog_writer_pin_read(const struct alog_writer *w);

/* The default origin: $ALOG_ORIGIN, else the host name.  Static storage. */
const char *alog_default_origin(void);
/* The default log path: $ALOG_FILE, else ALOG_DEFAULT_FILE. */
#define ALOG_DEFAULT_FILE "/var/log/alog/audit.alog"
const char *alog_default_file(void);

#endif
