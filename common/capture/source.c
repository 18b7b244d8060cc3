/*
 * source.c - the source kinds' registry, the members builder they share,
 * and the json kind with its map file.
 */
#include "capture/source.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy/event.h"
#include "base/json.h"
#include "capture/map.h"
#include "format/record.h"

const char alog_source_kinds[] = "json, postgres-jsonlog, nginx-json, syslog, rsyslog";

enum kind { K_JSON, K_PG, K_NGINX, K_SYSLOG, K_RSYSLOG };

static const char *const kind_names[] = {"json", "postgres-jsonlog", "nginx-json", "syslog",
                                         "rsyslog"};

/* One target of a map file: a leaf (source path or constant) or an object. */
struct target {
	char *name;    /* escaped */
	char **path;   /* source path components; NULL for a constant or an object */
	size_t depth;  /* components; 0 with path set: the whole input */
	char *value;   /* constant: compact JSON */
	int child, next; /* first child / next sibling (-1 none) */
};

struct alog_mapper {
	enum kind kind;
	struct ev v;
	char *scratch; /* a compacted input line */
	char id[256];
	struct target *t;
	int nt;
	int root; /* first top-level target, -1 none */
	int has_map;
};

/* ---- the builder ---- */

void ev_reset(struct ev *v)
{
	v->b.n = 0;
	v->depth = 0;
	v->first[0] = 0;
}

static inline void put(struct ev *v, const char *s, size_t n)
{
	if (v->b.cap - v->b.n < n || !v->b.p)
		alog_buf_reserve(&v->b, n);
	memcpy(v->b.p + v->b.n, s, n);
	v->b.n += n;
}

void ev_reserve(struct ev *v, size_t n)
{
	alog_buf_reserve(&v->b, n);
}

static void sep(struct ev *v)
{
	if (v->depth == 0 || !v->first[v->depth])
		put(v, ",", 1);
	v->first[v->depth] = 0;
}

static void name_lit(struct ev *v, const char *name)
{
	size_t n = strlen(name);
	char *p;
	sep(v);
	if (v->b.cap - v->b.n < n + 3 || !v->b.p)
		alog_buf_reserve(&v->b, n + 3);
	p = v->b.p + v->b.n;
	p[0] = '"';
	memcpy(p + 1, name, n);
	p[n + 1] = '"';
	p[n + 2] = ':';
	v->b.n += n + 3;
}

void ev_raw(struct ev *v, const char *name, const char *val, size_t n)
{
	name_lit(v, name);
	put(v, val, n);
}

void ev_rawstr(struct ev *v, const char *name, const char *raw, size_t n)
{
	name_lit(v, name);
	put(v, "\"", 1);
	put(v, raw, n);
	put(v, "\"", 1);
}

void ev_members(struct ev *v, const char *text, size_t n)
{
	sep(v);
	put(v, text, n);
}

void ev_text(struct ev *v, const char *name, const char *s, size_t n)
{
	char *p;
	name_lit(v, name);
	p = alog_buf_room(&v->b, 6 * n + 2);
	p[0] = '"';
	size_t k = esc_lossy(s, n, p + 1);
	p[k + 1] = '"';
	v->b.n += k + 2;
}

void ev_cstr(struct ev *v, const char *name, const char *s)
{
	ev_text(v, name, s, strlen(s));
}

void ev_open(struct ev *v, const char *name)
{
	size_t at = v->b.n;
	int was = v->first[v->depth];
	name_lit(v, name);
	alog_buf_add(&v->b, "{", 1);
	if (v->depth + 1 < EV_MAX_DEPTH) {
		v->depth++;
		v->first[v->depth] = 1;
		v->open_at[v->depth] = at;
		v->was_first[v->depth] = was;
	}
}

void ev_close(struct ev *v)
{
	if (v->depth == 0)
		return;
	if (v->first[v->depth]) {
		/* nothing went in: drop the member */
		v->b.n = v->open_at[v->depth];
		v->first[v->depth - 1] = v->was_first[v->depth];
		v->depth--;
		return;
	}
	alog_buf_add(&v->b, "}", 1);
	v->depth--;
}

void ev_raw_named(struct ev *v, struct alog_span raw_name, struct alog_span val)
{
	sep(v);
	alog_buf_add(&v->b, "\"", 1);
	alog_buf_add(&v->b, raw_name.p, raw_name.n);
	alog_buf_add(&v->b, "\":", 2);
	alog_buf_add(&v->b, val.p, val.n);
}

size_t esc_lossy(const char *s, size_t n, char *out)
{
	size_t o = 0, i = 0;

	while (i < n) {
		size_t ok = alog_utf8_check(s + i, n - i);
		const char *nul = memchr(s + i, '\0', ok);
		if (nul)
			ok = (size_t)(nul - (s + i));
		if (ok) {
			long k = alog_json_escape(s + i, ok, out + o);
			o += k < 0 ? 0 : (size_t)k;
			i += ok;
		}
		if (i < n) {
			/* a byte that starts no valid character (or a NUL): U+FFFD */
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	return o;
}

long compact_object(const char *in, size_t n, char *scratch, struct alog_error *e)
{
	return compact_object_top(in, n, scratch, NULL, NULL, e);
}

long compact_object_top(const char *in, size_t n, char *scratch, alog_json_name_fn top_name,
                        void *ctx, struct alog_error *e)
{
	struct alog_json_error je;
	long m;

	if (n > ALOG_MAX_MEMBERS)
		return alog_err(e, "line longer than %d bytes", ALOG_MAX_MEMBERS);
	m = top_name ? alog_json_compact_top(in, n, scratch, &je, top_name, ctx, SIZE_MAX) :
	               alog_json_compact(in, n, scratch, 1, &je);
	if (m < 0) {
		if (memchr(in, '\0', n))
			return alog_err(e, "column %zu: NUL byte in input",
			                (size_t)((const char *)memchr(in, '\0', n) - in) + 1);
		return alog_err(e, "column %zu: invalid JSON: %s", je.offset + 1, je.msg);
	}
	return m;
}

/* ---- the json kind's map file ---- */

static void free_targets(struct alog_mapper *m)
{
	for (int i = 0; i < m->nt; i++) {
		free(m->t[i].name);
		for (size_t k = 0; k < m->t[i].depth; k++)
			free(m->t[i].path[k]);
		free(m->t[i].path);
		free(m->t[i].value);
	}
	free(m->t);
	m->t = NULL;
	m->nt = 0;
}

static int new_target(struct alog_mapper *m, const char *name, size_t n)
{
	struct target *t;
	m->t = alog_xrealloc(m->t, (size_t)(m->nt + 1) * sizeof *m->t);
	t = &m->t[m->nt];
	memset(t, 0, sizeof *t);
	t->name = alog_xmalloc(n + 1);
	memcpy(t->name, name, n);
	t->name[n] = '\0';
	t->child = t->next = -1;
	return m->nt++;
}

/* The target for dotted name under parent (-1: top level), made if missing. */
static int target_at(struct alog_mapper *m, int parent, const char *name, size_t n, int leaf,
                     struct alog_error *e)
{
	int *link = parent < 0 ? &m->root : &m->t[parent].child, last = -1;

	for (int i = *link; i >= 0; i = m->t[i].next) {
		if (strlen(m->t[i].name) == n && memcmp(m->t[i].name, name, n) == 0) {
			if (leaf || m->t[i].path || m->t[i].value)
				return alog_err(e, "target \"%.*s\" is given twice, or both as a value "
				                   "and as an object", (int)n, name);
			return i;
		}
		last = i;
	}
	int k = new_target(m, name, n);
	if (last < 0)
		*(parent < 0 ? &m->root : &m->t[parent].child) = k;
	else
		m->t[last].next = k;
	return k;
}

static int add_mapping(struct alog_mapper *m, const char *target, struct alog_span val,
                       struct alog_error *e)
{
	int parent = -1, k = -1;
	const char *p = target;
	size_t tl = strlen(target);

	if (tl == 0 || target[0] == '.' || target[tl - 1] == '.' || strstr(target, ".."))
		return alog_err(e, "target \"%s\" is not a member path", target);
	{
		const char *dot = strchr(target, '.');
		size_t first = dot ? (size_t)(dot - target) : tl;
		if (alog_name_reserved(target, first) || (first == 4 && memcmp(target, "alog", 4) == 0))
			return alog_err(e, "target \"%s\": the name is reserved", target);
	}
	for (;;) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		k = target_at(m, parent, p, n, !dot, e);
		if (k < 0)
			return -1;
		if (!dot)
			break;
		if (m->t[k].path || m->t[k].value)
			return alog_err(e, "target \"%s\" is below a value", target);
		parent = k;
		p = dot + 1;
	}
	struct target *t = &m->t[k];
	if (alog_json_type(val.p, val.n) == ALOG_JSON_OBJECT) {
		static const char *const vp[] = {"value"};
		struct alog_span c;
		struct alog_json_iter it;
		struct alog_span nm, vv;
		int cnt = 0;
		alog_json_iter_init(&it, val.p, val.n);
		while (alog_json_iter_next(&it, &nm, &vv) == 1)
			cnt++;
		if (cnt != 1 || alog_json_lookup(val.p, val.n, vp, 1, &c) != 1)
			return alog_err(e, "target \"%s\": an object must be {\"value\": CONSTANT}",
			                target);
		t->value = alog_xmalloc(c.n + 1);
		memcpy(t->value, c.p, c.n);
		t->value[c.n] = '\0';
		return 0;
	}
	if (alog_json_type(val.p, val.n) != ALOG_JSON_STRING)
		return alog_err(e, "target \"%s\": give a source member path (a string) or "
		                   "{\"value\": CONSTANT}", target);
	char src[1024];
	long sl = alog_json_unescape(val.p + 1, val.n - 2, src, sizeof src - 1);
	if (sl <= 0)
		return alog_err(e, "target \"%s\": the source path is empty or too long", target);
	src[sl] = '\0';
	t->path = alog_xmalloc(sizeof(char *) * 64);
	if (strcmp(src, ".") == 0)
		return 0;
	for (char *s = src, *dot;; s = dot + 1) {
		dot = strchr(s, '.');
		size_t n = dot ? (size_t)(dot - s) : strlen(s);
		if (n == 0 || t->depth == 64)
			return alog_err(e, "target \"%s\": \"%s\" is not a member path", target, src);
		t->path[t->depth] = alog_xmalloc(n + 1);
		memcpy(t->path[t->depth], s, n);
		t->path[t->depth++][n] = '\0';
		if (!dot)
			break;
	}
	return 0;
}

static int load_map(struct alog_mapper *m, const char *file, struct alog_error *e)
{
	FILE *fp = fopen(file, "r");
	char *text, *compact;
	size_t n = 0;
	long cl;
	struct alog_json_error je;
	struct alog_json_iter it;
	struct alog_span name, val;
	int rc;

	if (!fp) {
		alog_errno(e, "cannot open map file");
		return alog_err_at(e, file, 0);
	}
	text = alog_xmalloc(1 << 20);
	n = fread(text, 1, (1 << 20) - 1, fp);
	fclose(fp);
	compact = alog_xmalloc(n + 1);
	cl = alog_json_compact(text, n, compact, 1, &je);
	free(text);
	if (cl < 0) {
		free(compact);
		alog_err(e, "invalid JSON at byte %zu: %s", je.offset + 1, je.msg);
		return alog_err_at(e, file, 0);
	}
	alog_json_iter_init(&it, compact, (size_t)cl);
	while ((rc = alog_json_iter_next(&it, &name, &val)) == 1) {
		char target[256];
		long tl = alog_json_unescape(name.p, name.n, target, sizeof target - 1);
		if (tl < 0) {
			alog_err(e, "a target name is too long");
			break;
		}
		target[tl] = '\0';
		if (add_mapping(m, target, val, e) != 0) {
			rc = -2;
			break;
		}
	}
	free(compact);
	if (rc != 0) {
		if (rc == -1)
			alog_err(e, "malformed map");
		return alog_err_at(e, file, 0);
	}
	if (m->root < 0) {
		alog_err(e, "the map names no member");
		return alog_err_at(e, file, 0);
	}
	/* target names are written as given: escape them once */
	for (int i = 0; i < m->nt; i++) {
		char *esc = alog_xmalloc(6 * strlen(m->t[i].name) + 1);
		long k = alog_json_escape(m->t[i].name, strlen(m->t[i].name), esc);
		esc[k < 0 ? 0 : k] = '\0';
		free(m->t[i].name);
		m->t[i].name = esc;
	}
	m->has_map = 1;
	return 0;
}

static void emit_targets(struct alog_mapper *m, int i, const char *obj, size_t n)
{
	for (; i >= 0; i = m->t[i].next) {
		const struct target *t = &m->t[i];
		struct alog_span v;
		if (t->value) {
			ev_raw(&m->v, t->name, t->value, strlen(t->value));
		} else if (t->path) {
			if (t->depth == 0)
				ev_raw(&m->v, t->name, obj, n);
			else if (alog_json_lookup(obj, n, (const char *const *)t->path, t->depth, &v) ==
			         1)
				ev_raw(&m->v, t->name, v.p, v.n);
		} else {
			ev_open(&m->v, t->name);
			emit_targets(m, t->child, obj, n);
			ev_close(&m->v);
		}
	}
}

/* ---- the registry ---- */

struct alog_mapper *alog_mapper_new(const char *kind, const char *map_file, struct alog_error *e)
{
	struct alog_mapper *m;
	int k = -1;

	for (size_t i = 0; i < ALOG_ARRAY_LEN(kind_names); i++)
		if (strcmp(kind, kind_names[i]) == 0)
			k = (int)i;
	if (k < 0) {
		alog_err(e, "unknown source kind '%s' (known: %s)", kind, alog_source_kinds);
		return NULL;
	}
	if (map_file && k != K_JSON) {
		alog_err(e, "--map applies to the json kind only");
		return NULL;
	}
	m = calloc(1, sizeof *m);
	if (!m) {
		alog_err(e, "out of memory");
		return NULL;
	}
	m->kind = (enum kind)k;
	m->root = -1;
	m->scratch = alog_xmalloc(2 * (size_t)ALOG_MAX_MEMBERS + 32);
	if (map_file && load_map(m, map_file, e) != 0) {
		alog_mapper_free(m);
		return NULL;
	}
	return m;
}

void alog_mapper_free(struct alog_mapper *m)
{
	if (!m)
		return;
	free_targets(m);
	alog_buf_free(&m->v.b);
	free(m->scratch);
	free(m);
}

const char *alog_mapper_kind(const struct alog_mapper *m)
{
	return kind_names[m->kind];
}

void alog_mapper_set_portable(int on)
{
	map_pg_portable = on;
}

const char *alog_mapper_id(const struct alog_mapper *m)
{
	return m->id;
}

static int blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

int alog_mapper_map(struct alog_mapper *m, const char *line, size_t n, const char **out,
                    size_t *outlen, struct alog_error *e)
{
	long k;
	int rc = 0;

	if (n && line[n - 1] == '\r')
		n--;
	if (blank(line, n))
		return ALOG_MAP_SKIP;
	ev_reset(&m->v);
	m->id[0] = '\0';
	switch (m->kind) {
	case K_JSON:
		if (!m->has_map) {
			/* the object as it is: exactly what alog-append takes from stdin */
			k = alog_event_from_json(line, n, m->scratch, e);
			if (k < 0)
				return ALOG_MAP_BAD;
			*out = m->scratch;
			*outlen = (size_t)k;
			return ALOG_MAP_OK;
		}
		k = compact_object(line, n, m->scratch, e);
		if (k < 0)
			return ALOG_MAP_BAD;
		emit_targets(m, m->root, m->scratch, (size_t)k);
		break;
	case K_PG:
		rc = map_pg(&m->v, m->scratch, line, n, e);
		break;
	case K_NGINX:
		rc = map_nginx(&m->v, m->scratch, line, n, e);
		break;
	case K_SYSLOG:
		rc = map_syslog(&m->v, line, n, e);
		break;
	case K_RSYSLOG:
		rc = map_rsyslog(&m->v, m->scratch, line, n, m->id, sizeof m->id, e);
		break;
	}
	if (rc != 0)
		return ALOG_MAP_BAD;
	if (m->v.b.n > ALOG_MAX_MEMBERS)
		return alog_err(e, "the event would be longer than %d bytes", ALOG_MAX_MEMBERS);
	*out = m->v.b.p ? m->v.b.p : "";
	*outlen = m->v.b.n;
	return ALOG_MAP_OK;
}
