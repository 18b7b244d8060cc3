/*
 * append.c - events through the policy into the writer: the shared path
 * from an event to a durable record.
 */
#include "capture/append.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy/event.h"
#include "policy/policy.h"

struct alog_appender {
	struct alog_writer *w;
	struct alog_policy *policy; /* NULL: events go in as given */
	size_t events;              /* events pending (a new file's header is not one) */
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

struct alog_appender *alog_appender_open(const char *path, const struct alog_append_opts *o,
                                         struct alog_error *e)
{
	struct alog_writer_opts wo = {0};
	struct alog_appender *a = calloc(1, sizeof *a);

	if (!a) {
		alog_err(e, "out of memory");
		return NULL;
	}
	if (o && o->policy) {
		a->policy = alog_policy_load(o->policy, e);
		if (!a->policy) {
			free(a);
			return NULL;
		}
	}
	if (o) {
		wo.origin = o->origin;
		wo.sync = o->sync;
		wo.no_create = o->no_create;
		if (o->make_dirs && !o->no_create)
			make_dirs(path);
	}
	a->w = alog_writer_open(path, &wo, e);
	if (!a->w) {
		alog_policy_free(a->policy);
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
	free(a->buf);
	free(a->meta_buf);
	free(a);
}

static int add_meta(struct alog_appender *a, const char *members, size_t n, const char *meta,
                    size_t mn, int own, struct alog_error *e)
{
	const char *out = members;
	size_t outlen = n;

	if (!own && a->policy && alog_policy_apply(a->policy, members, n, &out, &outlen, e) != 0)
		return ALOG_APPEND_REFUSED;
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
			return ALOG_APPEND_REFUSED;
		}
	}
	if (!alog_writer_pending(a->w)) {
		int rc = alog_writer_lock(a->w, e);
		if (rc != 0)
			return rc == 1 ? ALOG_APPEND_DAMAGED : ALOG_APPEND_ERROR;
	}
	if (alog_writer_add(a->w, NULL, out, outlen, e) != 0)
		return ALOG_APPEND_ERROR;
	a->events++;
	return 0;
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

long alog_appender_commit(struct alog_appender *a, struct alog_error *e)
{
	size_t n = a->events;

	a->events = 0;
	if (!alog_writer_pending(a->w)) {
		alog_writer_unlock(a->w);
		return 0;
	}
	if (alog_writer_commit(a->w, e) != 0)
		return -1;
	return (long)n;
}

void alog_appender_abort(struct alog_appender *a)
{
	a->events = 0;
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
