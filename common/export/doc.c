/*
 * doc.c - the per-record document the SIEM formats build (nodes of spans
 * in a reused arena), and the walk over a record's members that mapped
 * formats share.
 */
#include "export/export.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/ts.h"
#include "export/internal.h"
#include "format/header.h"
#include "format/record.h"

/* ---- the per-record document (SIEM formats) ---- */

static uint32_t name_hash(int parent, const char *s, size_t n)
{
	uint32_t h = 2166136261u ^ (uint32_t)parent;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

void alog_export_doc_reset(struct odoc *d)
{
	d->count = 0;
	d->arena.n = 0;
	if (d->slot)
		memset(d->slot, 0, d->nslot * sizeof *d->slot);
	/* node 0: the root object */
	if (!d->cap) {
		d->cap = 64;
		d->n = alog_xmalloc(d->cap * sizeof *d->n);
	}
	d->n[0] = (struct onode){0, 0, 0, 0, ON_OBJ, -1, -1, -1, -1};
	d->count = 1;
}

void alog_export_doc_free(struct odoc *d)
{
	free(d->n);
	free(d->slot);
	alog_buf_free(&d->arena);
}

static size_t arena_put(struct odoc *d, const char *s, size_t n)
{
	size_t off = d->arena.n;
	buf_put(&d->arena, s, n);
	return off;
}

static void doc_rehash(struct odoc *d)
{
	size_t ns = d->nslot ? d->nslot * 2 : 256;
	free(d->slot);
	d->slot = alog_xcalloc(ns, sizeof *d->slot);
	d->nslot = ns;
	for (size_t i = 1; i < d->count; i++) {
		const struct onode *o = &d->n[i];
		size_t h = name_hash(o->parent, aptr(d, o->name), o->nlen) & (ns - 1);
		while (d->slot[h])
			h = (h + 1) & (ns - 1);
		d->slot[h] = (int)i + 1;
	}
}

int alog_export_doc_find(const struct odoc *d, int parent, const char *s, size_t n)
{
	if (!d->nslot)
		return -1;
	size_t h = name_hash(parent, s, n) & (d->nslot - 1);
	for (; d->slot[h]; h = (h + 1) & (d->nslot - 1)) {
		const struct onode *o = &d->n[d->slot[h] - 1];
		if (o->parent == parent && o->nlen == n && memcmp(aptr(d, o->name), s, n) == 0)
			return d->slot[h] - 1;
	}
	return -1;
}

static int doc_add(struct odoc *d, int parent, const char *s, size_t n, int kind)
{
	if (d->count == d->cap) {
		d->cap *= 2;
		d->n = alog_xrealloc(d->n, d->cap * sizeof *d->n);
	}
	if ((d->count + 1) * 2 > d->nslot)
		doc_rehash(d);
	int i = (int)d->count++;
	struct onode *o = &d->n[i];
	*o = (struct onode){arena_put(d, s, n), n, 0, 0, kind, parent, -1, -1, -1};
	struct onode *p = &d->n[parent];
	if (p->last >= 0)
		d->n[p->last].next = i;
	else
		p->child = i;
	p->last = i;
	size_t h = name_hash(parent, s, n) & (d->nslot - 1);
	while (d->slot[h])
		h = (h + 1) & (d->nslot - 1);
	d->slot[h] = i + 1;
	return i;
}

/*
 * Set the member at comp[0..n) below node `at` (objects created on the
 * way).  -1 when the place is taken or a value sits where an object
 * would have to be: the first value set wins.
 */
int alog_export_doc_set(struct odoc *d, int at, const char *const *comp, size_t n, int kind,
                        const char *v, size_t vn)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(comp[i]);
		int c = alog_export_doc_find(d, at, comp[i], len);
		if (i + 1 == n) {
			if (c >= 0)
				return -1;
			c = doc_add(d, at, comp[i], len, kind);
			d->n[c].v = arena_put(d, v, vn);
			d->n[c].vn = vn;
			return c;
		}
		if (c < 0)
			c = doc_add(d, at, comp[i], len, ON_OBJ);
		else if (d->n[c].kind != ON_OBJ)
			return -1;
		at = c;
	}
	return -1;
}

/*
 * Set a dotted literal path ("event.kind").  Every record sets a few dozen
 * of them: without escapes, the names are taken from the path in place.
 */
int alog_export_doc_setp(struct odoc *d, const char *path, int kind, const char *v, size_t vn)
{
	char mem[256];
	const char *comp[16];
	const char *s = path;
	int at = 0, k;

	if (strchr(path, '\\')) {
		k = alog_path_split(path, strlen(path), mem, comp, 16);
		return k < 0 ? -1 : alog_export_doc_set(d, 0, comp, (size_t)k, kind, v, vn);
	}
	for (k = 0; k < 16; k++) {
		const char *dot = strchr(s, '.');
		size_t len = dot ? (size_t)(dot - s) : strlen(s);
		int c;
		if (!len)
			return -1;
		c = alog_export_doc_find(d, at, s, len);
		if (!dot) {
			if (c >= 0)
				return -1;
			c = doc_add(d, at, s, len, kind);
			d->n[c].v = arena_put(d, v, vn);
			d->n[c].vn = vn;
			return c;
		}
		if (c < 0)
			c = doc_add(d, at, s, len, ON_OBJ);
		else if (d->n[c].kind != ON_OBJ)
			return -1;
		at = c;
		s = dot + 1;
	}
	return -1;
}

void alog_export_doc_json(const struct odoc *d, int i, struct alog_buf *out)
{
	const struct onode *o = &d->n[i];
	if (o->kind == ON_RAW) {
		buf_put(out, aptr(d, o->v), o->vn);
		return;
	}
	if (o->kind == ON_STR) {
		alog_export_put_json_quoted(out, aptr(d, o->v), o->vn);
		return;
	}
	buf_ch(out, '{');
	for (int c = o->child; c >= 0; c = d->n[c].next) {
		if (c != o->child)
			buf_ch(out, ',');
		alog_export_put_json_quoted(out, aptr(d, d->n[c].name), d->n[c].nlen);
		buf_ch(out, ':');
		alog_export_doc_json(d, c, out);
	}
	buf_ch(out, '}');
}

/* ---- walking a record for the mapped formats ---- */

/* The current member path as plain strings (names unescaped). */
static void path_ptrs(struct alog_export *x, size_t depth)
{
	for (size_t i = 0; i < depth; i++)
		x->path[i] = x->names.p + x->path_off[i];
}

static int path_match(const struct xpath *p, const char *const *path, size_t depth, int prefix)
{
	if (prefix ? p->n <= depth : p->n != depth)
		return 0;
	for (size_t i = 0; i < depth; i++)
		if (p->c[i][0] != path[i][0] || strcmp(p->c[i], path[i]) != 0)
			return 0;
	return 1;
}

/*
 * Walk the members of obj: a member whose path is mapped stops there; an
 * object is entered when a mapping names something inside it or when
 * flatten is set; anything else is an unmapped leaf.
 */
int alog_export_walk(struct alog_export *x, const char *obj, size_t n, size_t depth, int skip_meta,
                     int flatten, leaf_fn fn)
{
	struct alog_json_iter it;
	struct alog_span nm, v;
	int r;

	if (depth >= ALOG_JSON_MAX_DEPTH || alog_json_iter_init(&it, obj, n) < 0)
		return -1;
	while ((r = alog_json_iter_next(&it, &nm, &v)) == 1) {
		const struct mapent *m = NULL;
		int inside = 0;
		long k;

		if (depth == 0 && skip_meta && is_meta_name(nm))
			continue;
		x->names.n = depth ? x->path_off[depth - 1] + strlen(x->names.p +
		                                                   x->path_off[depth - 1]) + 1 : 0;
		alog_buf_reserve(&x->names, nm.n + 1);
		k = alog_json_unescape(nm.p, nm.n, x->names.p + x->names.n, nm.n + 1);
		if (k < 0)
			return -1;
		x->path_off[depth] = x->names.n;
		x->names.n += (size_t)k;
		x->names.p[x->names.n++] = '\0';
		path_ptrs(x, depth + 1);
		for (size_t i = 0; i < x->nmap; i++) {
			if (!m && path_match(&x->map[i].src, x->path, depth + 1, 0))
				m = &x->map[i];
			else if (!inside && path_match(&x->map[i].src, x->path, depth + 1, 1))
				inside = 1;
		}
		int is_obj = alog_json_type(v.p, v.n) == ALOG_JSON_OBJECT;
		if (is_obj && (inside || (flatten && !m)) && v.n > 2) {
			if (alog_export_walk(x, v.p, v.n, depth + 1, 0, flatten, fn) != 0)
				return -1;
			continue;
		}
		if (fn(x, x->path, depth + 1, v, m) != 0)
			return -1;
	}
	return r < 0 ? -1 : 0;
}

int alog_export_is_ip(const char *s, size_t n, int version)
{
	char t[INET6_ADDRSTRLEN + 1];
	unsigned char a[sizeof(struct in6_addr)];
	if (n == 0 || n >= sizeof t)
		return 0;
	memcpy(t, s, n);
	t[n] = '\0';
	if (version != 6 && inet_pton(AF_INET, t, a) == 1)
		return 1;
	return version != 4 && inet_pton(AF_INET6, t, a) == 1;
}

int alog_export_is_uint(const char *s, size_t n, uint64_t max)
{
	uint64_t v = 0;
	if (n == 0 || n > 19 || (n > 1 && s[0] == '0'))
		return 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	return v <= max;
}

/* The plain text of a scalar value (strings unescaped) in x->text. */
void alog_export_value_text(struct alog_export *x, struct alog_span v)
{
	x->text.n = 0;
	if (alog_json_type(v.p, v.n) == ALOG_JSON_STRING) {
		long k;
		alog_buf_reserve(&x->text, v.n);
		k = alog_json_unescape(v.p + 1, v.n - 2, x->text.p, v.n);
		if (k >= 0) {
			x->text.n = (size_t)k;
			return;
		}
		alog_buf_add(&x->text, v.p + 1, v.n - 2);
		return;
	}
	if (alog_json_type(v.p, v.n) == ALOG_JSON_NULL)
		return;
	alog_buf_add(&x->text, v.p, v.n);
}

/* A member's value when it is a string, unescaped into out; 0 if it is not one or does not fit. */
int alog_export_span_string(struct alog_span v, char *out, size_t cap)
{
	long k;
	if (alog_json_type(v.p, v.n) != ALOG_JSON_STRING)
		return 0;
	k = alog_json_unescape(v.p + 1, v.n - 2, out, cap - 1);
	if (k < 0)
		return 0;
	out[k] = '\0';
	return 1;
}

/* Top-level string member of a record, unescaped into out; 0 if absent. */
int alog_export_top_string(const char *obj, size_t n, const char *name, char *out, size_t cap)
{
	const char *path[1] = {name};
	struct alog_span v;
	return alog_json_lookup(obj, n, path, 1, &v) == 1 && alog_export_span_string(v, out, cap);
}
