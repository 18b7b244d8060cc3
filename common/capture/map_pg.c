/*
 * map_pg.c - the postgres-jsonlog kind: PostgreSQL 15's jsonlog lines
 * (log_destination = 'jsonlog') to events.  Statements logged by
 * log_statement become db.query with the query text in "query" (where the
 * policy's rules find it), connections and disconnections db.connect and
 * db.disconnect, errors db.error; every key not mapped stays under "pg".
 */
#include <string.h>

#include "base/json.h"
#include "capture/map.h"

static int starts(struct alog_span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n >= n && memcmp(s.p, lit, n) == 0;
}

static struct alog_span after(struct alog_span s, size_t k)
{
	return (struct alog_span){s.p + k, s.n - k};
}

/* Is the raw string an IP address (v4 or v6), as opposed to a host name or [local]? */
static int is_ip(struct alog_span s)
{
	int colon = 0, dots = 0;
	if (s.n == 0 || s.n > 45)
		return 0;
	for (size_t i = 0; i < s.n; i++) {
		char c = s.p[i];
		if (c == ':')
			colon = 1;
		else if (c == '.')
			dots++;
		else if (!(c >= '0' && c <= '9') && !(colon && ((c >= 'a' && c <= 'f') ||
		                                                (c >= 'A' && c <= 'F'))))
			return 0;
	}
	return colon || dots == 3;
}

/* "duration: 0.123 ms" at the start of a message: the number, and what follows. */
static int duration(struct alog_span *msg, struct alog_span *ms)
{
	struct alog_span s = *msg;
	size_t i = 10;

	if (!starts(s, "duration: "))
		return 0;
	while (i < s.n && ((s.p[i] >= '0' && s.p[i] <= '9') || s.p[i] == '.'))
		i++;
	if (i == 10 || i + 3 > s.n || memcmp(s.p + i, " ms", 3) != 0 || s.p[10] == '.' ||
	    s.p[i - 1] == '.')
		return 0;
	*ms = (struct alog_span){s.p + 10, i - 10};
	i += 3;
	while (i < s.n && s.p[i] == ' ')
		i++;
	*msg = after(s, i);
	return 1;
}

/* A statement as log_statement writes it: "statement: Q", "execute NAME: Q". */
static int statement(struct alog_span msg, struct alog_span *q)
{
	if (starts(msg, "statement: ")) {
		*q = after(msg, 11);
		return 1;
	}
	if (starts(msg, "execute ")) {
		const char *c = memchr(msg.p, ':', msg.n);
		if (c && (size_t)(c - msg.p) + 2 <= msg.n && c[1] == ' ') {
			*q = after(msg, (size_t)(c - msg.p) + 2);
			return 1;
		}
	}
	return 0;
}

enum { K_USER, K_DB, K_HOST, K_PORT, K_SESSION, K_MSG, K_STMT, K_SEV, K_PS, K_N };

#define MAX_RUNS 64

int map_pg(struct ev *v, char *scratch, const char *in, size_t n, struct alog_error *e)
{
	static const struct {
		const char *s;
		size_t n;
		int kept; /* also left under "pg" */
	} names[K_N] = {{"user", 4, 0},        {"dbname", 6, 0},     {"remote_host", 11, 0},
	                {"remote_port", 11, 0}, {"session_id", 10, 0}, {"message", 7, 0},
	                {"statement", 9, 0},    {"error_severity", 14, 1}, {"ps", 2, 1}};
	struct alog_span val[K_N], raw[K_N], name, value, q, ms = {NULL, 0};
	/* the members left under "pg": runs of consecutive members of the input */
	const char *run_start[MAX_RUNS], *run_end[MAX_RUNS];
	int nruns = 0, in_run = 0, overflow = 0;
	struct alog_json_iter it;
	const char *action = "db.log", *result = NULL;
	int have[K_N] = {0}, rc, is_query = 0;
	long len = compact_object(in, n, scratch, e);

	if (len < 0)
		return -1;
	alog_json_iter_init(&it, scratch, (size_t)len);
	while ((rc = alog_json_iter_next(&it, &name, &value)) == 1) {
		int k = K_N;
		for (int j = 0; j < K_N; j++) {
			if (name.n == names[j].n && memcmp(name.p, names[j].s, name.n) == 0) {
				k = j;
				break;
			}
		}
		if (k < K_N && !have[k]) {
			have[k] = 1;
			val[k] = value;
			raw[k] = (struct alog_span){NULL, 0};
			if (value.n >= 2 && value.p[0] == '"')
				raw[k] = (struct alog_span){value.p + 1, value.n - 2};
		}
		if (k < K_N && !names[k].kept) {
			in_run = 0;
			continue;
		}
		/* the member's text runs from its name's quote to its value's end */
		if (in_run) {
			run_end[nruns - 1] = value.p + value.n;
		} else if (nruns < MAX_RUNS) {
			run_start[nruns] = name.p - 1;
			run_end[nruns++] = value.p + value.n;
			in_run = 1;
		} else {
			overflow = 1;
		}
	}
	if (rc < 0)
		return alog_err(e, "malformed JSON object");
	if (overflow)
		return alog_err(e, "more than %d runs of members to keep", MAX_RUNS);
	if (!have[K_SEV] || !have[K_MSG] || !raw[K_MSG].p || !raw[K_SEV].p)
		return alog_err(e, "not a PostgreSQL jsonlog line: no error_severity or message");

	struct alog_span msg = raw[K_MSG], sev = raw[K_SEV];
	int error = alog_span_eq(sev, "ERROR") || alog_span_eq(sev, "FATAL") ||
	            alog_span_eq(sev, "PANIC");
	int connecting = have[K_PS] && raw[K_PS].p &&
	                 (alog_span_eq(raw[K_PS], "authentication") ||
	                  alog_span_eq(raw[K_PS], "startup"));

	if (error) {
		action = connecting ? "db.connect" : "db.error";
		result = "failure";
	} else if (alog_span_eq(sev, "LOG")) {
		struct alog_span m = msg;
		int timed = duration(&m, &ms);
		if (statement(m, &q)) {
			action = "db.query";
			is_query = 1;
		} else if (timed) {
			action = "db.query";
		} else if (starts(msg, "connection authorized: ")) {
			action = "db.connect";
			result = "success";
		} else if (starts(msg, "connection received: ")) {
			action = "db.connect.received";
		} else if (starts(msg, "disconnection: ")) {
			action = "db.disconnect";
		}
	}

	ev_reserve(v, (size_t)len + 256);
	ev_cstr(v, "action", action);
	if (have[K_USER])
		ev_raw(v, "actor", val[K_USER].p, val[K_USER].n);
	if (have[K_DB])
		ev_raw(v, "target", val[K_DB].p, val[K_DB].n);
	if (have[K_HOST] || have[K_PORT]) {
		ev_open(v, "src");
		if (have[K_HOST])
			ev_raw(v, raw[K_HOST].p && is_ip(raw[K_HOST]) ? "ip" : "host", val[K_HOST].p,
			       val[K_HOST].n);
		if (have[K_PORT])
			ev_raw(v, "port", val[K_PORT].p, val[K_PORT].n);
		ev_close(v);
	}
	if (result)
		ev_cstr(v, "result", result);
	if (have[K_SESSION])
		ev_raw(v, "session", val[K_SESSION].p, val[K_SESSION].n);
	if (is_query)
		ev_rawstr(v, "query", q.p, q.n);
	else if (have[K_STMT])
		ev_raw(v, "query", val[K_STMT].p, val[K_STMT].n);
	if (ms.p)
		ev_raw(v, "duration_ms", ms.p, ms.n);
	if (!is_query)
		ev_raw(v, "msg", val[K_MSG].p, val[K_MSG].n);
	/* everything else, as PostgreSQL wrote it */
	if (nruns) {
		ev_open(v, "pg");
		for (int r = 0; r < nruns; r++)
			ev_members(v, run_start[r], (size_t)(run_end[r] - run_start[r]));
		ev_close(v);
	}
	return 0;
}
