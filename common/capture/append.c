/*
 * append.c - events through the policy into the writer: the shared path
 * from an event to a durable record.
 */
#include "capture/append.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/enc.h"
#include "format/header.h"
#include "policy/event.h"
#include "policy/policy.h"

struct alog_appender {
	struct alog_writer *w;
	struct alog_policy *policy; /* NULL: events go in as given */
	struct alog_policy_ref ref; /* the policy's digest and file */
	char *origin;               /* a new file's origin */
	size_t events;              /* events pending (a new file's header is not one) */
	/* the events of each batch in flight, oldest first (the writer's order) */
	size_t fl_events[ALOG_WRITER_FLIGHTS];
	unsigned fl_head, fl_n;
	const char *lock_origin;    /* the log's origin, looked up once per lock */
	char *buf;                  /* members made from JSON input */
	size_t cap;
	char *meta_buf;             /* members with the producer's alog members added */
	size_t meta_cap;
};

/* Create the log's missing parent directories, so a bare call just works. */
static void make_dirs(const char *path)
{
	char *dir = alog_xstrdup(path), *slash;
	for (slash = strchr(dir + 1, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdir(dir, 0750) != 0 && errno != EEXIST)
			break;
		*slash = '/';
	}
	free(dir);
}

/* "<first 16 hex digits of the digest> (FILE)" for messages. */
static const char *ref_words(const struct alog_policy_ref *r, char *out, size_t cap)
{
	char hex[65];

	alog_hex(hex, r->sha256, 32);
	if (r->file[0])
		snprintf(out, cap, "%.16s (%.300s)", hex, r->file);
	else
		snprintf(out, cap, "%.16s", hex);
	for (char *c = out; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return out;
}

/*
 * Lock held: is the policy given the one the log is pinned to?  0, or -1
 * with e naming both and the way out.
 */
static int check_pin(struct alog_appender *a, struct alog_error *e)
{
	struct alog_policy_ref pin;
	char want[400], got[400];
	int pinned = 0;

	if (alog_writer_policy(a->w, &pinned, &pin, e) != 0)
		return -1;
	if (!pinned)
		return 0;
	if (!a->policy) {
		alog_err(e, "the log is pinned to policy %s: give it with --policy (or "
		            "$ALOG_POLICY), or change the log's policy with --policy-change; "
		            "nothing appended", ref_words(&pin, want, sizeof want));
		return alog_err_at(e, alog_writer_path(a->w), 0);
	}
	if (memcmp(pin.sha256, a->ref.sha256, 32) != 0) {
		alog_err(e, "the log is pinned to policy %s, not %s: give that one, or change the "
		            "log's policy with --policy-change; nothing appended",
		         ref_words(&pin, want, sizeof want), ref_words(&a->ref, got, sizeof got));
		return alog_err_at(e, alog_writer_path(a->w), 0);
	}
	return 0;
}

/* Take the lock for a batch: the tail, then the origin and the pin checked. */
static int lock(struct alog_appender *a, struct alog_error *e)
{
	int rc = alog_writer_lock(a->w, e);

	if (rc != 0)
		return rc == 1 ? ALOG_APPEND_DAMAGED : ALOG_APPEND_ERROR;
	if (check_pin(a, e) != 0) {
		alog_writer_unlock(a->w);
		return ALOG_APPEND_ERROR;
	}
	return 0;
}

/* The origin of the log the next record goes to (lock held). */
static const char *log_origin(struct alog_appender *a)
{
	const struct alog_header *h = NULL;
	struct alog_error e;

	if (alog_writer_header(a->w, &h, &e) == 0 && h)
		return h->origin;
	return a->origin;
}

/*
 * At open: the log's origin must be the one given, and a policy change
 * asked for is recorded (lock taken and released here).
 */
static int open_checks(struct alog_appender *a, const struct alog_append_opts *o,
                       struct alog_error *e)
{
	const struct alog_header *h = NULL;
	struct alog_policy_ref pin;
	int pinned = 0, rc;
	char meta[3000], was[400], now[400];
	size_t mn;

	rc = alog_writer_lock(a->w, e);
	if (rc == 1)
		return 0; /* a damaged tail: the first append reports it (see --recover) */
	if (rc != 0)
		return ALOG_APPEND_ERROR;
	if (alog_writer_header(a->w, &h, e) != 0)
		goto fail;
	if (h && o->origin && strcmp(h->origin, o->origin) != 0) {
		char shown[300];
		snprintf(shown, sizeof shown, "%s", h->origin);
		alog_err(e, "the log's origin is \"%s\", not \"%.255s\" (--origin names a new "
		            "log's origin; an existing log keeps its own); nothing appended",
		         shown, o->origin);
		alog_err_at(e, alog_writer_path(a->w), 1);
		goto fail;
	}
	if (!o->policy_change || !h) {
		/* a new log is pinned by its header */
		if (!o->policy_change && check_pin(a, e) != 0)
			goto fail;
		alog_writer_unlock(a->w);
		return 0;
	}
	if (alog_writer_policy(a->w, &pinned, &pin, e) != 0)
		goto fail;
	if ((pinned && a->policy && memcmp(pin.sha256, a->ref.sha256, 32) == 0) ||
	    (!pinned && !a->policy)) {
		alog_writer_unlock(a->w);
		return 0; /* no change */
	}
	/* ,"action":"alog.policy_change","msg":"...","alog":{"policy_change":...} */
	if (pinned)
		ref_words(&pin, was, sizeof was);
	else
		snprintf(was, sizeof was, "none");
	if (a->policy)
		ref_words(&a->ref, now, sizeof now);
	else
		snprintf(now, sizeof now, "none");
	mn = (size_t)snprintf(meta, sizeof meta,
	                      ",\"action\":\"alog.policy_change\",\"msg\":\"policy changed from "
	                      "%.16s to %.16s\",\"alog\":{\"policy_change\":",
	                      was, now);
	if (a->policy)
		mn += alog_policy_ref_format(meta + mn, sizeof meta - mn, &a->ref);
	else
		mn += (size_t)snprintf(meta + mn, sizeof meta - mn, "null");
	if (pinned) {
		mn += (size_t)snprintf(meta + mn, sizeof meta - mn, ",\"policy_previous\":");
		mn += alog_policy_ref_format(meta + mn, sizeof meta - mn, &pin);
	}
	meta[mn++] = '}';
	if (alog_writer_add(a->w, NULL, meta, mn, e) != 0)
		goto fail;
	if (alog_writer_commit(a->w, e) != 0)
		return ALOG_APPEND_ERROR;
	return 0;
fail:
	alog_writer_unlock(a->w);
	return ALOG_APPEND_ERROR;
}

struct alog_appender *alog_appender_open(const char *path, const struct alog_append_opts *o,
                                         struct alog_error *e)
{
	static const struct alog_append_opts none = {0};
	struct alog_writer_opts wo = {0};
	struct alog_appender *a = calloc(1, sizeof *a);

	if (!a) {
		alog_err(e, "out of memory");
		return NULL;
	}
	if (!o)
		o = &none;
	if (o->policy) {
		char real[PATH_MAX];
		a->policy = alog_policy_load(o->policy, e);
		if (!a->policy) {
			free(a);
			return NULL;
		}
		memcpy(a->ref.sha256, alog_policy_digest(a->policy), 32);
		if (!realpath(o->policy, real))
			snprintf(real, sizeof real, "%s", o->policy);
		if (strlen(real) >= sizeof a->ref.file) {
			alog_err(e, "policy file name longer than %zu bytes", sizeof a->ref.file - 1);
			alog_policy_free(a->policy);
			free(a);
			return NULL;
		}
		memcpy(a->ref.file, real, strlen(real) + 1);
		wo.policy = &a->ref;
	}
	a->origin = alog_xstrdup(o->origin ? o->origin : alog_default_origin());
	wo.origin = o->origin;
	wo.sync = o->sync;
	wo.no_create = o->no_create;
	if (o->make_dirs && !o->no_create)
		make_dirs(path);
	a->w = alog_writer_open(path, &wo, e);
	if (!a->w || open_checks(a, o, e) != 0) {
		alog_writer_close(a->w);
		alog_policy_free(a->policy);
		free(a->origin);
		free(a);
		return NULL;
	}
	return a;
}

void alog_appender_close(struct alog_appender *a)
{
	if (!a)
		return;
	alog_writer_close(a->w);
	alog_policy_free(a->policy);
	free(a->origin);
	free(a->buf);
	free(a->meta_buf);
	free(a);
}

static int add_meta(struct alog_appender *a, const char *members, size_t n, const char *meta,
                    size_t mn, int own, struct alog_error *e)
{
	const char *out = members;
	size_t outlen = n;
	/* a batch in flight holds the lock for the next one */
	int was_pending = alog_writer_pending(a->w) > 0 || alog_writer_inflight(a->w), rc;

	/* The lock first: the values the policy encrypts are sealed for their seq. */
	if (!was_pending) {
		if ((rc = lock(a, e)) != 0)
			return rc;
		a->lock_origin = NULL;
	}
	if (!own && a->policy) {
		if (alog_writer_ensure_header(a->w, e) != 0)
			goto error;
		/* the header, once read, does not change under the lock */
		if (!a->lock_origin)
			a->lock_origin = log_origin(a);
		alog_policy_set_place(a->policy, a->lock_origin, alog_writer_next(a->w)->seq + 1);
		if (alog_policy_apply(a->policy, members, n, &out, &outlen, e) != 0) {
			if (!was_pending)
				alog_writer_abort(a->w);
			return ALOG_APPEND_REFUSED;
		}
	}
	if (mn) {
		/* the policy's note, when it wrote one, is the last member: ,"alog":{...} */
		int noted = out != members;
		size_t need = outlen + mn + 16;
		if (need > a->meta_cap) {
			a->meta_cap = need > 4096 ? need : 4096;
			free(a->meta_buf);
			a->meta_buf = alog_xmalloc(a->meta_cap);
		}
		if (noted) {
			size_t k = outlen - 1; /* without the note's closing brace */
			memcpy(a->meta_buf, out, k);
			if (out[k - 1] != '{')
				a->meta_buf[k++] = ',';
			memcpy(a->meta_buf + k, meta, mn);
			k += mn;
			a->meta_buf[k++] = '}';
			outlen = k;
		} else {
			memcpy(a->meta_buf, out, outlen);
			memcpy(a->meta_buf + outlen, ",\"alog\":{", 9);
			memcpy(a->meta_buf + outlen + 9, meta, mn);
			outlen += 9 + mn;
			a->meta_buf[outlen++] = '}';
		}
		out = a->meta_buf;
		if (outlen > ALOG_MAX_MEMBERS) {
			alog_err(e, "the event would be longer than %d bytes", ALOG_MAX_MEMBERS);
			if (!was_pending)
				alog_writer_abort(a->w);
			return ALOG_APPEND_REFUSED;
		}
	}
	if (alog_writer_add(a->w, NULL, out, outlen, e) != 0)
		goto error;
	a->events++;
	return 0;
error:
	if (!was_pending)
		alog_writer_abort(a->w);
	return ALOG_APPEND_ERROR;
}

int alog_appender_add_members_meta(struct alog_appender *a, const char *members, size_t n,
                                   const char *meta, size_t mn, struct alog_error *e)
{
	return add_meta(a, members, n, meta, mn, 0, e);
}

int alog_appender_add_own(struct alog_appender *a, const char *members, size_t n,
                          const char *meta, size_t mn, struct alog_error *e)
{
	return add_meta(a, members, n, meta, mn, 1, e);
}

int alog_appender_add_members(struct alog_appender *a, const char *members, size_t n,
                              struct alog_error *e)
{
	return add_meta(a, members, n, NULL, 0, 0, e);
}

int alog_appender_add_json(struct alog_appender *a, const char *in, size_t n,
                           struct alog_error *e)
{
	long m;

	if (n + 1 > a->cap) {
		a->cap = n + 1 > 4096 ? n + 1 : 4096;
		free(a->buf);
		a->buf = alog_xmalloc(a->cap);
	}
	m = alog_event_from_json(in, n, a->buf, e);
	if (m < 0)
		return ALOG_APPEND_REFUSED;
	return alog_appender_add_members(a, a->buf, (size_t)m, e);
}

/*
 * The batches the writer has finished with (it acknowledges them in
 * order), leaving the newest `left` in flight: their events, now durable.
 */
static size_t reap_to(struct alog_appender *a, int left)
{
	size_t n = 0;

	while ((int)a->fl_n > left) {
		n += a->fl_events[a->fl_head];
		a->fl_head = (a->fl_head + 1) % ALOG_WRITER_FLIGHTS;
		a->fl_n--;
	}
	return n;
}

static size_t reap(struct alog_appender *a)
{
	return reap_to(a, alog_writer_inflight(a->w));
}

/* A failure: nothing pending or in flight is kept. */
static long failed(struct alog_appender *a)
{
	a->events = 0;
	a->fl_n = 0;
	return -1;
}

long alog_appender_commit(struct alog_appender *a, struct alog_error *e)
{
	size_t n = a->events;

	/* the batches in flight are waited for first: their events too */
	for (unsigned i = 0; i < a->fl_n; i++)
		n += a->fl_events[(a->fl_head + i) % ALOG_WRITER_FLIGHTS];
	a->events = 0;
	a->fl_n = 0;
	if (!alog_writer_pending(a->w) && !alog_writer_inflight(a->w)) {
		alog_writer_unlock(a->w);
		return 0;
	}
	if (alog_writer_commit(a->w, e) != 0)
		return -1;
	return (long)n;
}

long alog_appender_commit_wait(struct alog_appender *a, struct alog_error *e)
{
	if (alog_writer_flush_wait_one(a->w, NULL, e) != 0)
		return failed(a);
	return (long)reap(a);
}

long alog_appender_commit_start(struct alog_appender *a, struct alog_error *e)
{
	size_t n;

	if (!alog_writer_pending(a->w))
		return (long)reap(a);
	if (alog_writer_flush_start(a->w, NULL, e) != 0)
		return failed(a);
	/* the writer may have finished older batches first; the new one is the newest in flight */
	n = reap_to(a, alog_writer_inflight(a->w) - 1);
	a->fl_events[(a->fl_head + a->fl_n) % ALOG_WRITER_FLIGHTS] = a->events;
	a->fl_n++;
	a->events = 0;
	return (long)n;
}

int alog_appender_busy(const struct alog_appender *a)
{
	return alog_writer_pending(a->w) > 0 || alog_writer_inflight(a->w);
}

int alog_appender_inflight(const struct alog_appender *a)
{
	return alog_writer_inflight(a->w) > 0;
}

int alog_appender_commit_busy(const struct alog_appender *a)
{
	return alog_writer_flush_busy(a->w);
}

int alog_appender_commit_due(const struct alog_appender *a)
{
	int n = alog_writer_inflight(a->w);

	return n && (n == ALOG_WRITER_FLIGHTS || alog_writer_flush_done(a->w));
}

void alog_appender_abort(struct alog_appender *a)
{
	a->events = 0;
	a->fl_n = 0;
	alog_writer_abort(a->w);
}

int alog_appender_sync(struct alog_appender *a, struct alog_error *e)
{
	if (fdatasync(alog_writer_fd(a->w)) != 0) {
		alog_errno(e, "cannot sync log");
		return alog_err_at(e, alog_writer_path(a->w), 0);
	}
	return 0;
}

size_t alog_appender_pending(const struct alog_appender *a)
{
	return alog_writer_pending(a->w);
}

size_t alog_appender_pending_bytes(const struct alog_appender *a)
{
	return alog_writer_pending_bytes(a->w);
}

int alog_appender_batch_due(const struct alog_appender *a)
{
	return alog_appender_pending_bytes(a) >= ALOG_APPEND_BATCH_BYTES ||
	       (alog_appender_pending(a) >= ALOG_APPEND_BATCH && !alog_appender_commit_busy(a));
}

const struct alog_tail *alog_appender_tail(const struct alog_appender *a)
{
	return alog_writer_tail(a->w);
}

const char *alog_appender_path(const struct alog_appender *a)
{
	return alog_writer_path(a->w);
}

int alog_appender_has_policy(const struct alog_appender *a)
{
	return a->policy != NULL;
}

int alog_appender_wants_transcript(const struct alog_appender *a)
{
	return a->policy != NULL && alog_policy_transcript(a->policy);
}

int alog_append_one(struct alog_appender *a, const char *members, size_t n,
                    struct alog_error *e)
{
	int was_pending = alog_appender_pending(a) > 0;
	int rc = alog_appender_add_members(a, members, n, e);

	if (rc != 0) {
		/* Release the lock taken for this event (and a new file's header). */
		if (!was_pending)
			alog_appender_abort(a);
		return rc;
	}
	if (alog_appender_commit(a, e) < 0)
		return ALOG_APPEND_ERROR;
	return 0;
}
