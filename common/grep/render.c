/*
 * render.c - the --pretty and --fields forms of a record.  Values are
 * decoded from the line as it is walked; nothing is re-serialised, and no
 * byte from the log is written without passing through term.c.
 */
#include "grep/render.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/json.h"
#include "base/term.h"

void alog_buf_clean(struct alog_buf *b, const char *s, size_t n, unsigned flags)
{
	char *o = alog_buf_room(b, ALOG_TERM_MAX(n));
	b->n += alog_term_clean(o, s, n, flags);
}

/* ---- pretty ---- */

#define MAX_DEPTH ALOG_JSON_MAX_DEPTH

struct pretty {
	struct alog_buf *b;
	const struct alog_query *q;
	int color;
	struct alog_buf *tmp; /* decoded strings */
	struct alog_span comps[MAX_DEPTH + 1];
	int verbose;       /* a policy's notes in full */
	int policy_marked; /* the [policy] marker is out */
};

static void sgr(struct pretty *pp, const char *code)
{
	if (pp->color)
		alog_buf_str(pp->b, code);
}

/* Decode a raw string value (with its quotes) into pp->tmp; 0 or -1. */
static int decode_str(struct pretty *pp, struct alog_span v, const char **s, size_t *n)
{
	long len;
	char *o;

	if (v.n < 2 || v.p[0] != '"' || v.p[v.n - 1] != '"')
		return -1;
	pp->tmp->n = 0;
	o = alog_buf_room(pp->tmp, v.n);
	len = alog_json_unescape(v.p + 1, v.n - 2, o, v.n);
	if (len < 0)
		return -1;
	*s = o;
	*n = (size_t)len;
	return 0;
}

/* A string that reads unambiguously without quotes. */
static int bare_ok(const char *s, size_t n)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == '"' || c == '\\' || c == '=' || c == 0x7f)
			return 0;
	}
	return !alog_term_unsafe(s, n, 0);
}

/* A string in double quotes: \" and \\ escaped, controls neutralised. */
static void put_quoted(struct alog_buf *b, const char *s, size_t n)
{
	const char *e = s + n, *q;

	alog_buf_add(b, "\"", 1);
	while (s < e) {
		q = memchr(s, '"', (size_t)(e - s));
		alog_buf_clean(b, s, (size_t)((q ? q : e) - s), ALOG_TERM_BACKSLASH);
		if (!q)
			break;
		alog_buf_add(b, "\\\"", 2);
		s = q + 1;
	}
	alog_buf_add(b, "\"", 1);
}

/* A value as the pretty form shows it. */
static void put_value(struct pretty *pp, struct alog_span v)
{
	const char *s;
	size_t n;

	if (alog_json_type(v.p, v.n) == ALOG_JSON_STRING && decode_str(pp, v, &s, &n) == 0) {
		if (bare_ok(s, n))
			alog_buf_add(pp->b, s, n);
		else
			put_quoted(pp->b, s, n);
		return;
	}
	/* numbers, literals, arrays and damaged strings: their text */
	alog_buf_clean(pp->b, v.p, v.n, 0);
}

static void put_name(struct pretty *pp, size_t depth)
{
	for (size_t i = 0; i < depth; i++) {
		struct alog_span nm = pp->comps[i];
		char *o;
		long len;

		if (i)
			alog_buf_add(pp->b, ".", 1);
		pp->tmp->n = 0;
		o = alog_buf_room(pp->tmp, nm.n);
		len = alog_json_unescape(nm.p, nm.n, o, nm.n);
		if (len < 0)
			alog_buf_clean(pp->b, nm.p, nm.n, ALOG_TERM_BACKSLASH);
		else if (bare_ok(o, (size_t)len) && !memchr(o, '.', (size_t)len))
			alog_buf_add(pp->b, o, (size_t)len);
		else
			put_quoted(pp->b, o, (size_t)len);
	}
}

static int skip_member(const struct alog_rec *r, struct alog_span name)
{
	static const char *const always[] = {"seq", "ts", "type", "hash", NULL};
	static const char *const event[] = {"actor", "action", "target", NULL};
	static const char *const bulky[] = {"range", "proof", "key", "sig", "prev", NULL};

	for (const char *const *p = always; *p; p++)
		if (alog_span_eq(name, *p))
			return 1;
	for (const char *const *p = r->type == ALOG_REC_EVENT ? event : bulky; *p; p++)
		if (alog_span_eq(name, *p))
			return 1;
	return 0;
}

/* name=value for every member of obj, objects flattened with dots. */
static void put_members(struct pretty *pp, const struct alog_rec *r, struct alog_span obj,
                        size_t depth, int *first)
{
	struct alog_json_iter it;
	struct alog_span name, v;

	if (alog_json_iter_init(&it, obj.p, obj.n) != 0)
		return;
	while (alog_json_iter_next(&it, &name, &v) == 1) {
		int hit;
		if (depth == 0 && skip_member(r, name))
			continue;
		/* what a policy did, as one marker: the details are for --verbose */
		if (depth == 1 && !pp->verbose && r->type == ALOG_REC_EVENT &&
		    alog_span_eq(pp->comps[0], "alog") &&
		    (alog_span_eq(name, "policy") || alog_span_eq(name, "policy_violation"))) {
			if (!pp->policy_marked) {
				if (!*first)
					alog_buf_add(pp->b, " ", 1);
				*first = 0;
				sgr(pp, ALOG_SGR_TYPE);
				alog_buf_str(pp->b, "[policy]");
				sgr(pp, ALOG_SGR_RESET);
				pp->policy_marked = 1;
			}
			continue;
		}
		pp->comps[depth] = name;
		if (alog_json_type(v.p, v.n) == ALOG_JSON_OBJECT && depth + 1 < MAX_DEPTH &&
		    v.n > 2) {
			put_members(pp, r, v, depth + 1, first);
			continue;
		}
		hit = pp->q && alog_query_hit(pp->q, pp->comps, depth + 1);
		if (!*first)
			alog_buf_add(pp->b, " ", 1);
		*first = 0;
		sgr(pp, hit ? ALOG_SGR_MATCH : ALOG_SGR_NAME);
		put_name(pp, depth + 1);
		alog_buf_add(pp->b, "=", 1);
		if (!hit)
			sgr(pp, ALOG_SGR_RESET);
		put_value(pp, v);
		if (hit)
			sgr(pp, ALOG_SGR_RESET);
	}
}

/* Characters (not bytes) in s, for column padding. */
static size_t width(const char *s, size_t n)
{
	size_t w = 0;
	for (size_t i = 0; i < n; i++)
		w += ((unsigned char)s[i] & 0xc0) != 0x80;
	return w;
}

/* One of the actor, action and target columns. */
static void put_column(struct pretty *pp, const struct alog_rec *r, const char *name,
                       size_t pad)
{
	struct alog_span v;
	const char *path[1] = {name};
	size_t start = pp->b->n, w;
	int hit = 0;

	if (alog_json_lookup(r->line, r->len - 1, path, 1, &v) == 1) {
		pp->comps[0].p = name;
		pp->comps[0].n = strlen(name);
		hit = pp->q && alog_query_hit(pp->q, pp->comps, 1);
		if (hit)
			sgr(pp, ALOG_SGR_MATCH);
		start = pp->b->n;
		put_value(pp, v);
		w = width(pp->b->p + start, pp->b->n - start);
		if (hit)
			sgr(pp, ALOG_SGR_RESET);
	} else {
		alog_buf_add(pp->b, "-", 1);
		w = 1;
	}
	alog_buf_add(pp->b, " ", 1);
	for (; w < pad; w++)
		alog_buf_add(pp->b, " ", 1);
}

/* "2026-11-28 03:17:17.123 CET": local time (or UTC) to the millisecond, with its zone. */
static void put_time(struct alog_buf *b, int64_t ns, int utc)
{
	time_t t = (time_t)(ns / 1000000000LL - (ns % 1000000000LL < 0));
	long ms = (long)(((ns % 1000000000LL) + 1000000000LL) % 1000000000LL / 1000000);
	struct tm tm;
	char s[96];
	size_t n;

	if (utc ? !gmtime_r(&t, &tm) : !localtime_r(&t, &tm)) {
		alog_buf_str(b, "?");
		return;
	}
	n = strftime(s, sizeof s, "%Y-%m-%d %H:%M:%S", &tm);
	n += (size_t)snprintf(s + n, sizeof s - n, ".%03ld ", ms);
	if (utc) {
		memcpy(s + n, "UTC", 3);
		n += 3;
	} else {
		size_t z = strftime(s + n, sizeof s - n, "%Z", &tm);
		if (!z)
			z = strftime(s + n, sizeof s - n, "%z", &tm);
		n += z;
	}
	/* a zone name comes from the environment: keep it terminal-safe too */
	alog_buf_clean(b, s, n, 0);
}

void alog_render_pretty(struct alog_buf *b, struct alog_buf *tmp, const struct alog_rec *r,
                        const struct alog_query *q, int color)
{
	alog_render_pretty_with(b, tmp, r, q, color, 0);
}

void alog_render_pretty_with(struct alog_buf *b, struct alog_buf *tmp, const struct alog_rec *r,
                             const struct alog_query *q, int color, unsigned flags)
{
	struct pretty pp;
	struct alog_span all = {r->line, r->len - 1};
	char seq[32];
	int first = 1;

	memset(&pp, 0, sizeof pp);
	pp.b = b;
	pp.q = q;
	pp.color = color;
	pp.tmp = tmp;
	pp.verbose = (flags & ALOG_RENDER_VERBOSE) != 0;

	/* to the millisecond: the rest of the nine digits is noise here */
	sgr(&pp, ALOG_SGR_TIME);
	put_time(b, r->ts_ns, (flags & ALOG_RENDER_UTC) != 0);
	sgr(&pp, ALOG_SGR_RESET);
	alog_buf_add(b, "  ", 2);
	if (r->type != ALOG_REC_EVENT) {
		sgr(&pp, ALOG_SGR_TYPE);
		alog_buf_add(b, "[", 1);
		alog_buf_str(b, alog_rec_type_name(r->type));
		alog_buf_add(b, "]", 1);
		sgr(&pp, ALOG_SGR_RESET);
		alog_buf_add(b, " ", 1);
	} else {
		put_column(&pp, r, "actor", 12);
		put_column(&pp, r, "action", 16);
		put_column(&pp, r, "target", 12);
	}
	put_members(&pp, r, all, 0, &first);
	if (!first)
		alog_buf_add(b, " ", 1);
	sgr(&pp, ALOG_SGR_TIME);
	alog_buf_add(b, seq, (size_t)snprintf(seq, sizeof seq, "#%llu",
	                                      (unsigned long long)r->seq));
	sgr(&pp, ALOG_SGR_RESET);
}

/* ---- fields ---- */

static void fields_clear(struct alog_fields *f)
{
	memset(f, 0, sizeof *f);
}

void alog_fields_free(struct alog_fields *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t k = 0; k < f->depth[i]; k++)
			free(f->paths[i][k]);
		free(f->paths[i]);
	}
	free(f->paths);
	free(f->depth);
	fields_clear(f);
}

int alog_fields_parse(struct alog_fields *f, const char *spec, struct alog_error *e)
{
	const char *p = spec;

	fields_clear(f);
	for (;;) {
		const char *end = p + strcspn(p, ","), *c = p;
		char **path = NULL;
		size_t depth = 0;

		for (;;) {
			const char *dot = memchr(c, '.', (size_t)(end - c));
			const char *ce = dot ? dot : end;
			if (ce == c) {
				for (size_t k = 0; k < depth; k++)
					free(path[k]);
				free(path);
				alog_fields_free(f);
				return alog_err(e, "--fields: empty member name in '%.*s'",
				                (int)(end - p), p);
			}
			path = alog_xrealloc(path, (depth + 1) * sizeof *path);
			path[depth] = alog_xmalloc((size_t)(ce - c) + 1);
			memcpy(path[depth], c, (size_t)(ce - c));
			path[depth][ce - c] = '\0';
			depth++;
			if (!dot)
				break;
			c = dot + 1;
		}
		f->paths = alog_xrealloc(f->paths, (f->n + 1) * sizeof *f->paths);
		f->depth = alog_xrealloc(f->depth, (f->n + 1) * sizeof *f->depth);
		f->paths[f->n] = path;
		f->depth[f->n] = depth;
		f->n++;
		if (!*end)
			break;
		p = end + 1;
	}
	return 0;
}

void alog_render_fields(struct alog_buf *b, struct alog_buf *tmp, const struct alog_rec *r,
                        const struct alog_fields *f)
{
	for (size_t i = 0; i < f->n; i++) {
		struct alog_span v;
		if (i)
			alog_buf_add(b, "\t", 1);
		if (alog_json_lookup(r->line, r->len - 1, (const char *const *)f->paths[i],
		                     f->depth[i], &v) != 1)
			continue;
		if (alog_json_type(v.p, v.n) == ALOG_JSON_STRING && v.n >= 2 &&
		    v.p[v.n - 1] == '"') {
			long len;
			char *o;
			tmp->n = 0;
			o = alog_buf_room(tmp, v.n);
			len = alog_json_unescape(v.p + 1, v.n - 2, o, v.n);
			if (len >= 0) {
				alog_buf_clean(b, o, (size_t)len, ALOG_TERM_BACKSLASH);
				continue;
			}
		}
		alog_buf_clean(b, v.p, v.n, ALOG_TERM_BACKSLASH);
	}
}
