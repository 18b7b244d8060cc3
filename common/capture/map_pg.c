/*
 * map_pg.c - the postgres-jsonlog kind: PostgreSQL 15's jsonlog lines
 * (log_destination = 'jsonlog') to events.  Statements logged by
 * log_statement become db.query with the query text in "query" (where the
 * policy's rules find it), connections and disconnections db.connect and
 * db.disconnect, errors db.error; every key not mapped stays under "pg".
 */
#include <stdint.h>
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

/* also left under "pg" */
static const int kept[K_N + 1] = {[K_SEV] = 1, [K_PS] = 1, [K_N] = 1};

#define MAX_RUNS 64

/* Which mapped member a raw (still escaped) name is; K_N for none. */
static int which(struct alog_span s)
{
	switch (s.n) {
	case 2:
		return memcmp(s.p, "ps", 2) == 0 ? K_PS : K_N;
	case 4:
		return memcmp(s.p, "user", 4) == 0 ? K_USER : K_N;
	case 6:
		return memcmp(s.p, "dbname", 6) == 0 ? K_DB : K_N;
	case 7:
		return memcmp(s.p, "message", 7) == 0 ? K_MSG : K_N;
	case 9:
		return memcmp(s.p, "statement", 9) == 0 ? K_STMT : K_N;
	case 10:
		return memcmp(s.p, "session_id", 10) == 0 ? K_SESSION : K_N;
	case 11:
		if (memcmp(s.p, "remote_", 7) != 0)
			return K_N;
		if (memcmp(s.p + 7, "host", 4) == 0)
			return K_HOST;
		return memcmp(s.p + 7, "port", 4) == 0 ? K_PORT : K_N;
	case 14:
		return memcmp(s.p, "error_severity", 14) == 0 ? K_SEV : K_N;
	}
	return K_N;
}

/* What the line's members say: the mapped ones, and the runs of the rest. */
struct members {
	struct alog_span val[K_N], raw[K_N];
	int have[K_N];
	/* the members left under "pg": runs of consecutive members of the input */
	const char *run_start[MAX_RUNS], *run_end[MAX_RUNS];
	int nruns, in_run, overflow;
};

static void take(struct members *m, struct alog_span name, struct alog_span value)
{
	int k = which(name);

	if (k < K_N && !m->have[k]) {
		m->have[k] = 1;
		m->val[k] = value;
		m->raw[k] = (struct alog_span){NULL, 0};
		if (value.n >= 2 && value.p[0] == '"')
			m->raw[k] = (struct alog_span){value.p + 1, value.n - 2};
	}
	if (!kept[k]) {
		m->in_run = 0;
		return;
	}
	/* the member's text runs from its name's quote to its value's end */
	if (m->in_run) {
		m->run_end[m->nruns - 1] = value.p + value.n;
	} else if (m->nruns < MAX_RUNS) {
		m->run_start[m->nruns] = name.p - 1;
		m->run_end[m->nruns++] = value.p + value.n;
		m->in_run = 1;
	} else {
		m->overflow = 1;
	}
}

/*
 * The top-level member names, as the validator reads them: where each
 * starts in the input and how long it is (raw).  When the line had no
 * whitespace to drop, the compact text is the input byte for byte, and a
 * member's value runs from after its name's '":' to the ',' before the
 * next name (or the closing '}'): the one pass over the line finds them.
 */
#define FAST_MEMBERS 64

struct names {
	const char *in;
	int n; /* members seen; more than FAST_MEMBERS: not all kept */
	uint32_t at[FAST_MEMBERS], len[FAST_MEMBERS];
};

static int on_name(void *ctx, const char *name, size_t n, int esc)
{
	struct names *s = ctx;

	(void)esc;
	if (s->n < FAST_MEMBERS) {
		s->at[s->n] = (uint32_t)(name - s->in);
		s->len[s->n] = (uint32_t)n;
	}
	s->n++;
	return 0;
}

int map_pg_portable;

static char *put(char *o, const char *s, size_t n)
{
	memcpy(o, s, n);
	return o + n;
}

#define PUT(o, lit) put(o, lit, sizeof lit - 1)

int map_pg(struct ev *v, char *scratch, const char *in, size_t n, struct alog_error *e)
{
	static const struct {
		const char *s;
		size_t n;
	} actions[] = {{"db.log", 6},     {"db.connect", 10},          {"db.error", 8},
	               {"db.query", 8},   {"db.connect.received", 19}, {"db.disconnect", 13}};
	enum { A_LOG, A_CONNECT, A_ERROR, A_QUERY, A_RECEIVED, A_DISCONNECT };
	struct members mm;
	struct names nm;
	struct alog_span q, ms = {NULL, 0};
	const char *result = NULL;
	int action = A_LOG, is_query = 0;
	long len;
	char *o;

	memset(mm.have, 0, sizeof mm.have);
	mm.nruns = mm.in_run = mm.overflow = 0;
	nm.in = in;
	nm.n = 0;
	len = compact_object_top(in, n, scratch, on_name, &nm, e);
	if (len < 0)
		return -1;
	if ((size_t)len == n && nm.n <= FAST_MEMBERS && !map_pg_portable) {
		for (int i = 0; i < nm.n; i++) {
			const char *p = scratch + nm.at[i];
			const char *ve = i + 1 < nm.n ? scratch + nm.at[i + 1] - 2 : scratch + len - 1;
			const char *vs = p + nm.len[i] + 2;
			take(&mm, (struct alog_span){p, nm.len[i]},
			     (struct alog_span){vs, (size_t)(ve - vs)});
		}
	} else {
		/* the portable path: walk the compact text */
		struct alog_json_iter it;
		struct alog_span name, value;
		int rc;

		alog_json_iter_init(&it, scratch, (size_t)len);
		while ((rc = alog_json_iter_next(&it, &name, &value)) == 1)
			take(&mm, name, value);
		if (rc < 0)
			return alog_err(e, "malformed JSON object");
	}
	if (mm.overflow)
		return alog_err(e, "more than %d runs of members to keep", MAX_RUNS);
	if (!mm.have[K_SEV] || !mm.have[K_MSG] || !mm.raw[K_MSG].p || !mm.raw[K_SEV].p)
		return alog_err(e, "not a PostgreSQL jsonlog line: no error_severity or message");

	struct alog_span msg = mm.raw[K_MSG], sev = mm.raw[K_SEV];
	const struct alog_span *val = mm.val, *raw = mm.raw;
	const int *have = mm.have;
	int error = alog_span_eq(sev, "ERROR") || alog_span_eq(sev, "FATAL") ||
	            alog_span_eq(sev, "PANIC");
	int connecting = have[K_PS] && raw[K_PS].p &&
	                 (alog_span_eq(raw[K_PS], "authentication") ||
	                  alog_span_eq(raw[K_PS], "startup"));

	if (error) {
		action = connecting ? A_CONNECT : A_ERROR;
		result = "\"failure\"";
	} else if (alog_span_eq(sev, "LOG")) {
		struct alog_span m = msg;
		int timed = duration(&m, &ms);
		if (statement(m, &q)) {
			action = A_QUERY;
			is_query = 1;
		} else if (timed) {
			action = A_QUERY;
		} else if (starts(msg, "connection authorized: ")) {
			action = A_CONNECT;
			result = "\"success\"";
		} else if (starts(msg, "connection received: ")) {
			action = A_RECEIVED;
		} else if (starts(msg, "disconnection: ")) {
			action = A_DISCONNECT;
		}
	}

	/*
	 * Written straight into the buffer, as ev_*() would: every value is a
	 * piece of the line, each used once but the duration (in msg too).
	 */
	o = alog_buf_room(&v->b, (size_t)len + ms.n + 256);
	o = PUT(o, ",\"action\":\"");
	o = put(o, actions[action].s, actions[action].n);
	o = PUT(o, "\"");
	if (have[K_USER]) {
		o = PUT(o, ",\"actor\":");
		o = put(o, val[K_USER].p, val[K_USER].n);
	}
	if (have[K_DB]) {
		o = PUT(o, ",\"target\":");
		o = put(o, val[K_DB].p, val[K_DB].n);
	}
	if (have[K_HOST] || have[K_PORT]) {
		o = PUT(o, ",\"src\":{");
		if (have[K_HOST]) {
			if (raw[K_HOST].p && is_ip(raw[K_HOST]))
				o = PUT(o, "\"ip\":");
			else
				o = PUT(o, "\"host\":");
			o = put(o, val[K_HOST].p, val[K_HOST].n);
		}
		if (have[K_PORT]) {
			if (have[K_HOST])
				o = PUT(o, ",");
			o = PUT(o, "\"port\":");
			o = put(o, val[K_PORT].p, val[K_PORT].n);
		}
		o = PUT(o, "}");
	}
	if (result) {
		o = PUT(o, ",\"result\":");
		o = put(o, result, strlen(result));
	}
	if (have[K_SESSION]) {
		o = PUT(o, ",\"session\":");
		o = put(o, val[K_SESSION].p, val[K_SESSION].n);
	}
	if (is_query) {
		o = PUT(o, ",\"query\":\"");
		o = put(o, q.p, q.n);
		o = PUT(o, "\"");
	} else if (have[K_STMT]) {
		o = PUT(o, ",\"query\":");
		o = put(o, val[K_STMT].p, val[K_STMT].n);
	}
	if (ms.p) {
		o = PUT(o, ",\"duration_ms\":");
		o = put(o, ms.p, ms.n);
	}
	if (!is_query) {
		o = PUT(o, ",\"msg\":");
		o = put(o, val[K_MSG].p, val[K_MSG].n);
	}
	/* everything else, as PostgreSQL wrote it */
	if (mm.nruns) {
		o = PUT(o, ",\"pg\":{");
		for (int r = 0; r < mm.nruns; r++) {
			if (r)
				o = PUT(o, ",");
			o = put(o, mm.run_start[r], (size_t)(mm.run_end[r] - mm.run_start[r]));
		}
		o = PUT(o, "}");
	}
	v->b.n = (size_t)(o - v->b.p);
	return 0;
}
