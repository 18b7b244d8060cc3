/*
 * capture.c - the capture loops: a followed file read line by line into
 * group commits, each record carrying its source position; rsyslog's
 * omprog protocol; the event of a pam_exec call.
 */
#include "capture/capture.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "policy/event.h"
#include "capture/follow.h"
#include "base/json.h"
#include "capture/map.h"
#include "base/reader.h"
#include "format/record.h"
#include "capture/source.h"
#include "capture/srcpos.h"

/* How long to wait for a change before looking again (no inotify, missed events). */
#define WAIT_MS 1000

struct run {
	const struct alog_capture_opts *o;
	struct alog_capture_stats *st;
	struct alog_appender *a;
	char *meta;       /* the source member */
	char *note;       /* members of a capture.* note */
	char path_esc[6 * PATH_MAX];
};

static void warn(const struct alog_capture_opts *o, const struct alog_error *e)
{
	if (o->warn)
		o->warn(o->ctx, e);
}

/* An absolute spelling of path (not resolved: the file may not exist yet). */
static int absolute(const char *path, char *out, size_t cap, struct alog_error *e)
{
	char cwd[PATH_MAX];

	if (path[0] == '/') {
		if ((size_t)snprintf(out, cap, "%s", path) >= cap)
			return alog_err(e, "%s: path too long", path);
		return 0;
	}
	if (!getcwd(cwd, sizeof cwd))
		return alog_errno(e, "cannot get the current directory");
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if ((size_t)snprintf(out, cap, "%s/%s", strcmp(cwd, "/") ? cwd : "", path) >= cap)
		return alog_err(e, "%s: path too long", path);
	return 0;
}

/* A capture.* note: action, msg (escaped here), and a number when lost is set. */
static size_t note_members(char *out, const char *action, const char *msg, const char *num_name,
                           uint64_t num)
{
	size_t k = (size_t)sprintf(out, ",\"action\":\"%s\",\"msg\":\"", action);
	k += esc_lossy(msg, strlen(msg), out + k);
	out[k++] = '"';
	if (num_name)
		k += (size_t)sprintf(out + k, ",\"%s\":%llu", num_name, (unsigned long long)num);
	return k;
}

#define NOTE_MAX (6 * 1024 + 256)

/* Add members with meta; a refused event becomes a capture.rejected note. */
static int add(struct run *r, const char *members, size_t n, const char *meta, size_t mn,
               int is_note, struct alog_error *e)
{
	int rc = is_note ? alog_appender_add_own(r->a, members, n, meta, mn, e)
	                 : alog_appender_add_members_meta(r->a, members, n, meta, mn, e);

	if (rc == 0) {
		if (is_note)
			r->st->notes++;
		else
			r->st->events++;
		return 0;
	}
	if (rc != ALOG_APPEND_REFUSED)
		return rc;
	warn(r->o, e);
	if (is_note)
		return 0; /* a note too long: the next record carries the position */
	char why[600];
	snprintf(why, sizeof why, "event not recorded: %s", e->msg);
	n = note_members(r->note, "capture.rejected", why, NULL, 0);
	return add(r, r->note, n, meta, mn, 1, e);
}

/* A line that is no event (e says why): told, and noted with its position. */
static int bad_line(struct run *r, const struct alog_srcpos *pos, const char *meta, size_t mn,
                    struct alog_error *e)
{
	char why[700];
	size_t n;

	snprintf(why, sizeof why, "line ending at offset %llu not recorded: %s",
	         (unsigned long long)pos->end, e->msg);
	alog_err(e, "%s", why);
	alog_err_at(e, pos->file, 0);
	warn(r->o, e);
	n = note_members(r->note, "capture.bad_input", why, NULL, 0);
	return add(r, r->note, n, meta, mn, 1, e);
}

static int commit(struct run *r, struct alog_error *e)
{
	return alog_appender_commit(r->a, e) < 0 ? -1 : 0;
}

/* Open the appender; a log path that is a symlink or not ours is the writer's business. */
static struct alog_appender *open_log(const struct alog_capture_opts *o, struct alog_error *e)
{
	return alog_appender_open(o->log, &o->app, e);
}

int alog_capture_follow(const struct alog_capture_opts *o, struct alog_capture_stats *st,
                        struct alog_error *e)
{
	struct run r;
	struct alog_follow_opts fo = {0};
	struct alog_follow *f = NULL;
	struct alog_mapper *m = NULL;
	struct alog_srcpos_found last;
	struct alog_follow_item it;
	struct alog_srcpos_fmt *fmt = NULL;
	char abs[PATH_MAX];
	const char *kind = o->kind ? o->kind : "json";
	int rc = -1, found;
	long pe;

	memset(&r, 0, sizeof r);
	memset(st, 0, sizeof *st);
	r.o = o;
	r.st = st;
	if (absolute(o->follow, abs, sizeof abs, e) != 0)
		return -1;
	pe = alog_json_escape(abs, strlen(abs), r.path_esc);
	if (pe < 0)
		return alog_err(e, "%s: the path is not valid UTF-8", o->follow);
	r.path_esc[pe] = '\0';
	m = alog_mapper_new(kind, o->map, e);
	if (!m)
		return -1;
	r.a = open_log(o, e);
	if (!r.a)
		goto out;
	found = alog_srcpos_last(o->log, "path", r.path_esc, &last, e);
	if (found < 0)
		goto out;
	fo.path = abs;
	fo.max_line = ALOG_MAX_MEMBERS;
	fo.once = o->once;
	f = alog_follow_open(&fo, found ? &last.pos : NULL, e);
	if (!f)
		goto out;
	fmt = calloc(1, sizeof *fmt);
	if (!fmt) {
		alog_err(e, "out of memory");
		goto fail;
	}
	r.note = alog_xmalloc(NOTE_MAX + 2 * PATH_MAX);

	for (;;) {
		const char *members;
		size_t n, mn;
		int got, add_rc = 0;

		if (o->stop && *o->stop) {
			rc = commit(&r, e);
			break;
		}
		got = alog_follow_next(f, &it, e);
		if (got == ALOG_FOLLOW_ERROR)
			goto fail;
		if (got == ALOG_FOLLOW_IDLE || got == ALOG_FOLLOW_END) {
			if (commit(&r, e) != 0)
				goto fail;
			if (got == ALOG_FOLLOW_END) {
				rc = 0;
				break;
			}
			if (!(o->stop && *o->stop))
				alog_follow_wait(f, WAIT_MS);
			continue;
		}
		mn = alog_srcpos_format(fmt, kind, r.path_esc, it.pos);
		if (got == ALOG_FOLLOW_GAP) {
			struct alog_error ge;
			alog_error_clear(&ge);
			alog_err(&ge, "%s", it.msg);
			warn(o, &ge);
			n = note_members(r.note, "capture.gap", it.msg, it.lost ? "lost_bytes" : NULL,
			                 it.lost);
			add_rc = add(&r, r.note, n, fmt->buf, mn, 1, e);
		} else if (got == ALOG_FOLLOW_TOOLONG) {
			alog_err(e, "a line longer than %d bytes", ALOG_MAX_MEMBERS);
			add_rc = bad_line(&r, it.pos, fmt->buf, mn, e);
		} else {
			int mr = alog_mapper_map(m, it.p, it.len, &members, &n, e);
			if (mr == ALOG_MAP_SKIP)
				continue;
			if (mr == ALOG_MAP_BAD)
				add_rc = bad_line(&r, it.pos, fmt->buf, mn, e);
			else
				add_rc = add(&r, members, n, fmt->buf, mn, 0, e);
		}
		if (add_rc == ALOG_APPEND_DAMAGED) {
			rc = 1;
			goto out;
		}
		if (add_rc != 0)
			goto fail;
		/*
		 * A batch is written and synced by the writer's threads while the
		 * next lines are read and mapped, as a stream's batches are.  Its
		 * records, and the source positions they carry, count only once
		 * it is synced: a failure is reported at the next commit, and the
		 * file is cut back to the last synced record.
		 */
		if (alog_appender_batch_due(r.a)) {
			if (alog_appender_commit_start(r.a, e) < 0)
				goto fail;
		}
	}
	goto out;
fail:
	rc = -1;
out:
	alog_follow_close(f);
	alog_mapper_free(m);
	if (r.a)
		alog_appender_close(r.a);
	free(fmt);
	free(r.note);
	return rc;
}

/* ---- rsyslog omprog ---- */

static int answer(FILE *out, const char *line)
{
	if (fputs(line, out) == EOF || fputc('\n', out) == EOF || fflush(out) == EOF)
		return -1;
	return 0;
}

int alog_capture_omprog(const struct alog_capture_opts *o, int in, FILE *out,
                        struct alog_capture_stats *st, struct alog_error *e)
{
	struct run r;
	struct alog_mapper *m;
	struct alog_reader rd;
	struct alog_line l;
	struct alog_srcpos_found last;
	const char *kind = o->kind ? o->kind : "rsyslog";
	char last_id[6 * 256] = "", kind_esc[64];
	int rc = -1, found;

	memset(&r, 0, sizeof r);
	memset(st, 0, sizeof *st);
	r.o = o;
	r.st = st;
	snprintf(kind_esc, sizeof kind_esc, "%s", kind);
	m = alog_mapper_new(kind, o->map, e);
	if (!m)
		return -1;
	r.a = open_log(o, e);
	if (!r.a) {
		alog_mapper_free(m);
		return -1;
	}
	found = alog_srcpos_last(o->log, "stream", kind_esc, &last, e);
	if (found < 0)
		goto done;
	if (found && last.id[0]) {
		size_t k = esc_lossy(last.id, strlen(last.id), last_id);
		last_id[k] = '\0';
	}
	r.meta = alog_xmalloc(ALOG_SRCPOS_MAX);
	r.note = alog_xmalloc(NOTE_MAX);
	/* ready: rsyslog waits for this before it sends the first message */
	if (answer(out, "OK") != 0) {
		alog_errno(e, "cannot answer rsyslog");
		goto done;
	}
	alog_reader_fdopen(&rd, in, "<stdin>", ALOG_MAX_MEMBERS);
	for (;;) {
		const char *members, *id;
		size_t n, mn;
		int got = alog_reader_next(&rd, &l, e), mr, add_rc;

		if (got == ALOG_LINE_EOF) {
			rc = 0;
			break;
		}
		if (got == ALOG_LINE_ERROR)
			break;
		if (got == ALOG_LINE_TOOLONG) {
			alog_err(e, "message longer than %d bytes: not recorded", ALOG_MAX_MEMBERS);
			warn(o, e);
			n = note_members(r.note, "capture.bad_input", e->msg, NULL, 0);
			mn = alog_srcpos_format_stream(r.meta, kind, kind_esc, "");
			add_rc = add(&r, r.note, n, r.meta, mn, 1, e);
		} else {
			size_t len = l.len;
			if (len && l.p[len - 1] == '\n')
				len--;
			mr = alog_mapper_map(m, l.p, len, &members, &n, e);
			if (mr == ALOG_MAP_SKIP) {
				if (answer(out, "OK") != 0)
					break;
				continue;
			}
			id = alog_mapper_id(m);
			if (mr == ALOG_MAP_OK && id[0] && strcmp(id, last_id) == 0) {
				/* written before a crash, not confirmed: confirm it now */
				st->skipped++;
				if (answer(out, "OK") != 0)
					break;
				continue;
			}
			mn = alog_srcpos_format_stream(r.meta, kind, kind_esc, id);
			if (mr == ALOG_MAP_BAD) {
				char why[700];
				snprintf(why, sizeof why, "message not recorded: %s", e->msg);
				alog_err(e, "%s", why);
				warn(o, e);
				n = note_members(r.note, "capture.bad_input", why, NULL, 0);
				add_rc = add(&r, r.note, n, r.meta, mn, 1, e);
			} else {
				add_rc = add(&r, members, n, r.meta, mn, 0, e);
			}
			if (add_rc == 0 && commit(&r, e) == 0) {
				snprintf(last_id, sizeof last_id, "%s", id);
				if (answer(out, "OK") != 0)
					break;
				continue;
			}
		}
		if (add_rc == ALOG_APPEND_DAMAGED) {
			answer(out, "error: the log's tail is damaged");
			rc = 1;
			break;
		}
		/* not written: rsyslog keeps the message and sends it again later */
		alog_appender_abort(r.a);
		warn(o, e);
		{
			char msg[600];
			snprintf(msg, sizeof msg, "error: %s", e->msg);
			for (char *c = msg; *c; c++)
				if (*c == '\n' || *c == '\r')
					*c = ' ';
			if (answer(out, msg) != 0)
				break;
		}
	}
	alog_reader_close(&rd);
done:
	alog_mapper_free(m);
	alog_appender_close(r.a);
	free(r.meta);
	free(r.note);
	return rc;
}

/* ---- PAM ---- */

static void put_str(struct ev *v, const char *name, const char *s)
{
	if (s && *s)
		ev_cstr(v, name, s);
}

static int looks_ip(const char *s)
{
	int dots = 0, colon = 0;
	for (; *s; s++) {
		if (*s == '.')
			dots++;
		else if (*s == ':')
			colon = 1;
		else if (!((*s >= '0' && *s <= '9') || (colon && ((*s >= 'a' && *s <= 'f') ||
		                                                  (*s >= 'A' && *s <= 'F')))))
			return 0;
	}
	return colon || dots == 3;
}

char *alog_capture_pam_event(const char *(*get)(const char *name), const char *result,
                             size_t *len, struct alog_error *e)
{
	struct ev v;
	const char *type = get("PAM_TYPE"), *rhost = get("PAM_RHOST"), *action;
	char *out;

	if (!type || !*type) {
		alog_err(e, "PAM_TYPE is not set: run from pam_exec(8)");
		return NULL;
	}
	if (strcmp(type, "auth") == 0)
		action = "auth.login";
	else if (strcmp(type, "open_session") == 0)
		action = "session.open";
	else if (strcmp(type, "close_session") == 0)
		action = "session.close";
	else if (strcmp(type, "account") == 0)
		action = "auth.account";
	else if (strcmp(type, "password") == 0)
		action = "auth.password";
	else
		action = "auth.pam";
	if (!result && strstr(type, "session"))
		result = "success";
	memset(&v, 0, sizeof v);
	ev_cstr(&v, "action", action);
	put_str(&v, "actor", get("PAM_USER"));
	if (rhost && *rhost) {
		ev_open(&v, "src");
		put_str(&v, looks_ip(rhost) ? "ip" : "host", rhost);
		ev_close(&v);
	}
	put_str(&v, "result", result);
	ev_open(&v, "pam");
	put_str(&v, "service", get("PAM_SERVICE"));
	put_str(&v, "type", type);
	put_str(&v, "tty", get("PAM_TTY"));
	put_str(&v, "ruser", get("PAM_RUSER"));
	ev_close(&v);
	out = alog_xmalloc(v.b.n + 1);
	memcpy(out, v.b.p, v.b.n);
	out[v.b.n] = '\0';
	*len = v.b.n;
	alog_buf_free(&v.b);
	(void)e;
	return out;
}
