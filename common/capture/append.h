/*
 * append.h - appending events to a log through its policy: the one path
 * from "an event" (a JSON object, or members text) to "a durable record"
 * that every producer takes (alog-append, alog-run, the sudo plugin, file
 * followers), so that rules, detectors and encryption always apply.
 *
 * An appender holds the log open.  The first event added takes the log's
 * lock; commit writes the pending events, syncs them as the sync mode
 * says and releases the lock.  Never block on input while events are
 * pending: commit first, so that other writers are not held up.
 */
#ifndef ALOG_APPEND_H
#define ALOG_APPEND_H

#include <stddef.h>

#include "base/util.h"
#include "log/writer.h"

struct alog_appender;

struct alog_append_opts {
	const char *policy;  /* policy file (alog-policy(5)), or NULL for none */
	/*
	 * A log created with a policy is pinned to it (its header names it):
	 * every writer must then give that policy, or fails.  policy_change
	 * makes the policy given (or none) the log's from now on, recorded in
	 * the chain by a policy change record (alog(5)).
	 */
	int policy_change;
	/* a new file's header; NULL: alog_default_origin().  Given, it must be
	 * the existing log's origin too. */
	const char *origin;
	enum alog_sync sync; /* ALOG_SYNC_EACH (the zero value) unless said otherwise */
	int no_create;       /* the log must already exist */
	int make_dirs;       /* create missing parent directories (mode 0750) */
};

/* What adding an event can end in, besides 0 (added). */
enum {
	ALOG_APPEND_ERROR = -1,    /* I/O or other error: e says; the pending events stay */
	ALOG_APPEND_REFUSED = 1,   /* bad input or rejected by the policy: nothing added */
	ALOG_APPEND_DAMAGED = 2,   /* the log's tail is damaged (see alog_writer_lock) */
};

/*
 * Load the policy (a bad policy leaves no new file behind), then open the
 * log at path, creating it unless o->no_create.  An existing log must
 * have the origin o->origin (when given), and the policy it is pinned to
 * must be the one given, unless o->policy_change, which records the
 * change at once.  Every later lock checks the pin again (another writer
 * may have changed it, or the file rotated).  NULL with e set.
 */
struct alog_appender *alog_appender_open(const char *path, const struct alog_append_opts *o,
                                         struct alog_error *e);
/* Drop anything pending (uncommitted) and close. */
void alog_appender_close(struct alog_appender *a);

/*
 * Add one event given as members text (empty, or ',' + compact members,
 * as the alog_event_* functions make it).  The policy is applied first;
 * then the lock is taken if no event is pending.  Returns 0, or one of
 * the ALOG_APPEND_* values above with e set.
 */
int alog_appender_add_members(struct alog_appender *a, const char *members, size_t n,
                              struct alog_error *e);
/*
 * The same, with members of the record's reserved "alog" member that the
 * producer itself vouches for (meta[0..mn): '"name":value...', no leading
 * comma), such as a captured line's source position.  They are added after
 * the policy ran (no rule can change or drop them) and after the policy's
 * own notes, in the one "alog" member every record may have.
 */
int alog_appender_add_members_meta(struct alog_appender *a, const char *members, size_t n,
                                   const char *meta, size_t mn, struct alog_error *e);
/*
 * A record alog states itself, holding no input (a capture's note that a
 * line was unreadable, an event was rejected, lines were lost): written as
 * given, the policy does not apply, like a recover record.
 */
int alog_appender_add_own(struct alog_appender *a, const char *members, size_t n,
                          const char *meta, size_t mn, struct alog_error *e);
/* The same for a JSON object (in[0..n), a trailing newline allowed). */
int alog_appender_add_json(struct alog_appender *a, const char *in, size_t n,
                           struct alog_error *e);

/*
 * Write the pending events (after the batches in flight, if any), sync
 * them as configured and release the lock.  Returns how many events were
 * made durable, those in flight included (0 when none were pending), or
 * -1 with e set: then none of the pending events is in the log (wait for
 * the batches in flight first, alog_appender_commit_wait, to know which of
 * them are).
 */
long alog_appender_commit(struct alog_appender *a, struct alog_error *e);
/*
 * A stream's group commit: the pending events go to a second thread that
 * writes and syncs them while the caller makes the next batch (the lock is
 * kept).  When every flight is taken (ALOG_WRITER_FLIGHTS), the oldest is
 * waited for first, and the newest one's write too.  Returns how many events
 * the batches waited for held, now durable (acknowledge them; none when
 * alog_appender_commit_due was 0), or -1 with e set (none of the batches
 * in flight or pending is in the log; the lock is released).
 */
long alog_appender_commit_start(struct alog_appender *a, struct alog_error *e);
/*
 * Wait for the oldest batch in flight, if any: its events, now durable,
 * or -1 (neither it nor any batch after it is in the log).
 */
long alog_appender_commit_wait(struct alog_appender *a, struct alog_error *e);
/* Events pending or in flight: the lock is held. */
int alog_appender_busy(const struct alog_appender *a);
/* A batch is in flight. */
int alog_appender_inflight(const struct alog_appender *a);
/*
 * Batches are in flight and handing over the next would wait for one of
 * them to be written or synced.
 */
int alog_appender_commit_busy(const struct alog_appender *a);
/*
 * The oldest batch in flight is to be waited for before the next goes
 * out: it is finished (waiting does not block), or every flight is taken.
 */
int alog_appender_commit_due(const struct alog_appender *a);
/* Drop the pending events and release the lock. */
void alog_appender_abort(struct alog_appender *a);
/*
 * Make what was committed durable now (fdatasync), for an appender opened
 * with ALOG_SYNC_NONE that chooses its own moments.  0 or -1 with e set.
 */
int alog_appender_sync(struct alog_appender *a, struct alog_error *e);

/* Records pending (a new file's header included), and their bytes. */
size_t alog_appender_pending(const struct alog_appender *a);
size_t alog_appender_pending_bytes(const struct alog_appender *a);
/*
 * A stream's group commit is due (alog_appender_commit_start): at
 * ALOG_APPEND_BATCH records once handing the batch over would not wait
 * for the ones in flight (a slow fdatasync then makes fewer, larger
 * batches, not a wait), and at ALOG_APPEND_BATCH_BYTES in any case.
 */
#define ALOG_APPEND_BATCH 4096
#define ALOG_APPEND_BATCH_BYTES (4 * 1024 * 1024)
int alog_appender_batch_due(const struct alog_appender *a);
/* The chain state after the last commit. */
const struct alog_tail *alog_appender_tail(const struct alog_appender *a);
const char *alog_appender_path(const struct alog_appender *a);
/* Whether events go through a policy. */
int alog_appender_has_policy(const struct alog_appender *a);
/* Whether the policy asks for a transcript of every session (alog-run). */
int alog_appender_wants_transcript(const struct alog_appender *a);

/*
 * One event, durably: add it and commit.  Returns 0 when the event is in
 * the log and synced, else as alog_appender_add_members (nothing added).
 */
int alog_append_one(struct alog_appender *a, const char *members, size_t n,
                    struct alog_error *e);

#endif
