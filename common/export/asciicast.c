/*
 * asciicast.c - one recorded session (alog-run --transcript) as an
 * asciinema v2 cast: a header from session.start, then an event per
 * session.io chunk, its data as the policy left it (masked, or a
 * placeholder for what was dropped, rejected or protected).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export/internal.h"

/* A member of the record's object by name (one level): 1 found, else 0. */
static int member(const char *obj, size_t n, const char *name, struct alog_span *v)
{
	const char *path[1] = {name};
	return alog_json_lookup(obj, n, path, 1, v) == 1;
}

static int is_str(struct alog_span v, const char *s)
{
	size_t k = strlen(s);
	return v.n == k + 2 && v.p[0] == '"' && memcmp(v.p + 1, s, k) == 0;
}

static unsigned long num(const char *obj, size_t n, const char *a, const char *b,
                         unsigned long dflt)
{
	const char *path[2] = {a, b};
	struct alog_span v;
	char t[32];
	unsigned long r;

	if (alog_json_lookup(obj, n, path, b ? 2 : 1, &v) != 1 || v.n == 0 || v.n >= sizeof t)
		return dflt;
	memcpy(t, v.p, v.n);
	t[v.n] = '\0';
	r = strtoul(t, NULL, 10);
	/* a terminal's size fits in 16 bits (struct winsize): anything else is not one */
	return r && r <= 65535 && t[0] != '-' ? r : dflt;
}

static void header(struct alog_export *x, const char *obj, size_t n, int64_t ts_ns,
                   struct alog_buf *out)
{
	char t[160];
	unsigned long w = 80, h = 24;

	if (obj) {
		w = num(obj, n, "term", "cols", 80);
		h = num(obj, n, "term", "rows", 24);
	}
	snprintf(t, sizeof t, "{\"version\":2,\"width\":%lu,\"height\":%lu,\"timestamp\":%lld",
	         w, h, (long long)(ts_ns / 1000000000));
	alog_buf_str(out, t);
	alog_buf_str(out, ",\"title\":\"alog session ");
	alog_buf_str(out, x->o.session);
	alog_buf_str(out, "\"");
	if (obj) {
		const char *path[2] = {"env", "TERM"};
		struct alog_span v;
		if (alog_json_lookup(obj, n, path, 2, &v) == 1 && v.n >= 2 && v.p[0] == '"') {
			alog_buf_str(out, ",\"env\":{\"TERM\":");
			alog_buf_add(out, v.p, v.n);
			alog_buf_str(out, "}");
		}
	}
	alog_buf_str(out, "}\n");
	x->cast_started = 1;
}

int alog_export_put_asciicast(struct alog_export *x, const struct alog_rec *r,
                              struct alog_buf *out)
{
	const char *obj = r->line;
	size_t n = r->len - 1;
	struct alog_span v, action, stream;
	double t = x->cast_t;
	char tb[64];

	if (!member(obj, n, "session", &v) || !is_str(v, x->o.session) ||
	    !member(obj, n, "action", &action))
		return 1;
	if (is_str(action, "session.start")) {
		if (x->cast_started)
			return 1;
		header(x, obj, n, r->ts_ns, out);
		return 0;
	}
	/* after its end, records naming the session were appended by someone else */
	if (x->cast_ended)
		return 1;
	if (is_str(action, "session.end")) {
		x->cast_ended = 1;
		return 1;
	}
	if (!is_str(action, "session.io") || !member(obj, n, "stream", &stream))
		return 1;
	if (!x->cast_started)
		header(x, NULL, 0, r->ts_ns, out);
	if (member(obj, n, "t", &v) && v.n < sizeof tb) {
		memcpy(tb, v.p, v.n);
		tb[v.n] = '\0';
		t = strtod(tb, NULL);
	}
	/* chunks of two streams are written in turn: never let time run backwards;
	 * nor past a century, which no session lasts (and "%.6f" could not hold) */
	if (!(t >= x->cast_t) || t > 3.2e9)
		t = x->cast_t;
	x->cast_t = t;
	snprintf(tb, sizeof tb, "[%.6f,", t);
	if (member(obj, n, "hidden_bytes", &v))
		return 1; /* typed with echo off: nothing was shown */
	if (is_str(stream, "o") || is_str(stream, "e") || is_str(stream, "i")) {
		alog_buf_str(out, tb);
		alog_buf_str(out, is_str(stream, "i") ? "\"i\"," : "\"o\",");
		if (member(obj, n, "data", &v) && v.n >= 2 && v.p[0] == '"') {
			alog_buf_add(out, v.p, v.n);
		} else {
			/* dropped, rejected or protected by the policy: say so, in the picture */
			alog_buf_str(out, "\"\\r\\n[alog: data not shown]\\r\\n\"");
		}
		alog_buf_str(out, "]\n");
		return 0;
	}
	if (is_str(stream, "r")) {
		snprintf(tb + strlen(tb), sizeof tb - strlen(tb), "\"r\",\"%lux%lu\"]\n",
		         num(obj, n, "cols", NULL, 80), num(obj, n, "rows", NULL, 24));
		alog_buf_str(out, tb);
		return 0;
	}
	return 1;
}
