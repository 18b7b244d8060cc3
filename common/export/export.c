/*
 * export.c - records to NDJSON, JSON, CSV/TSV, syslog, CEF, ECS and OCSF.
 * NDJSON, JSON and CSV/TSV work on the record text with the json.h
 * walkers (values copied byte for byte, no parse tree); the SIEM formats
 * build a small per-record document of spans in reused arenas.
 */
#include "export/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/ts.h"
#include "format/record.h"
#include "format/header.h"

/* ---- buffers ---- */

static inline void buf_ch(struct alog_buf *b, char c)
{
	alog_buf_reserve(b, 1);
	b->p[b->n++] = c;
}

/* A control character no format here can carry raw: rsyslog's #ooo form. */
static void put_octal(struct alog_buf *b, unsigned char c)
{
	char t[4] = {'#', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)),
	             (char)('0' + (c & 7))};
	alog_buf_add(b, t, 4);
}

static inline int is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/*
 * JSON string contents for plain bytes: as alog_json_escape, but bytes
 * that are not UTF-8 (a damaged input line) become U+FFFD rather than an
 * error, so the output is always valid JSON.
 */
static void put_json_str(struct alog_buf *b, const char *s, size_t n)
{
	while (n) {
		size_t ok = alog_utf8_check(s, n);
		const char *nul = ok ? memchr(s, '\0', ok) : NULL;
		if (nul)
			ok = (size_t)(nul - s);
		if (ok) {
			alog_buf_reserve(b, 6 * ok);
			b->n += (size_t)alog_json_escape(s, ok, b->p + b->n);
		}
		s += ok;
		n -= ok;
		if (n) {
			alog_buf_str(b, nul ? "\\u0000" : "\\ufffd");
			s++;
			n--;
		}
	}
}

static void put_json_quoted(struct alog_buf *b, const char *s, size_t n)
{
	buf_ch(b, '"');
	put_json_str(b, s, n);
	buf_ch(b, '"');
}

/* ---- paths ---- */

struct xpath {
	const char *c[ALOG_JSON_MAX_DEPTH];
	size_t n;
	char *mem;
	char *text; /* as given */
};

int alog_path_split(const char *s, size_t n, char *mem, const char **comp, size_t max)
{
	size_t k = 0, start = 0, o = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (o == start || k >= max)
				return -1;
			mem[o++] = '\0';
			comp[k++] = mem + start;
			start = o;
			continue;
		}
		if (s[i] == '\\') {
			if (i + 1 == n || (s[i + 1] != '.' && s[i + 1] != '\\' && s[i + 1] != ','))
				return -1;
			i++;
		}
		mem[o++] = s[i];
	}
	return (int)k;
}

static int xpath_init(struct xpath *p, const char *s, size_t n)
{
	int k;
	p->mem = alog_xmalloc(n + 1);
	p->text = alog_xmalloc(n + 1);
	memcpy(p->text, s, n);
	p->text[n] = '\0';
	k = alog_path_split(s, n, p->mem, p->c, ALOG_JSON_MAX_DEPTH);
	p->n = k < 0 ? 0 : (size_t)k;
	return k < 0 ? -1 : 0;
}

static void xpath_free(struct xpath *p)
{
	free(p->mem);
	free(p->text);
}

static int is_meta_name(struct alog_span nm)
{
	return alog_span_eq(nm, "seq") || alog_span_eq(nm, "ts") || alog_span_eq(nm, "type") ||
	       alog_span_eq(nm, "hash");
}

/* ---- the per-record document (SIEM formats) ---- */

enum { ON_OBJ, ON_RAW, ON_STR };

struct onode {
	size_t name, nlen; /* plain bytes in the arena */
	size_t v, vn;      /* ON_RAW: JSON text; ON_STR: plain bytes */
	int kind;
	int parent, child, last, next;
};

struct odoc {
	struct onode *n;
	size_t count, cap;
	struct alog_buf arena;
	int *slot; /* hash index of (parent, name) -> node + 1 */
	size_t nslot;
};

static uint32_t name_hash(int parent, const char *s, size_t n)
{
	uint32_t h = 2166136261u ^ (uint32_t)parent;
	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

static void doc_reset(struct odoc *d)
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

static void doc_free(struct odoc *d)
{
	free(d->n);
	free(d->slot);
	alog_buf_free(&d->arena);
}

static size_t arena_put(struct odoc *d, const char *s, size_t n)
{
	size_t off = d->arena.n;
	alog_buf_add(&d->arena, s, n);
	return off;
}

static const char *aptr(const struct odoc *d, size_t off)
{
	return d->arena.p + off;
}

static void doc_rehash(struct odoc *d)
{
	size_t ns = d->nslot ? d->nslot * 2 : 256;
	free(d->slot);
	d->slot = calloc(ns, sizeof *d->slot);
	if (!d->slot)
		alog_die(ALOG_EXIT_ERR, "out of memory");
	d->nslot = ns;
	for (size_t i = 1; i < d->count; i++) {
		const struct onode *o = &d->n[i];
		size_t h = name_hash(o->parent, aptr(d, o->name), o->nlen) & (ns - 1);
		while (d->slot[h])
			h = (h + 1) & (ns - 1);
		d->slot[h] = (int)i + 1;
	}
}

static int doc_find(const struct odoc *d, int parent, const char *s, size_t n)
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
static int doc_set(struct odoc *d, int at, const char *const *comp, size_t n, int kind,
                   const char *v, size_t vn)
{
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(comp[i]);
		int c = doc_find(d, at, comp[i], len);
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

/* Set a dotted literal path ("event.kind"). */
static int doc_setp(struct odoc *d, const char *path, int kind, const char *v, size_t vn)
{
	char mem[256];
	const char *comp[16];
	int k = alog_path_split(path, strlen(path), mem, comp, 16);
	return k < 0 ? -1 : doc_set(d, 0, comp, (size_t)k, kind, v, vn);
}

static void doc_json(const struct odoc *d, int i, struct alog_buf *out)
{
	const struct onode *o = &d->n[i];
	if (o->kind == ON_RAW) {
		alog_buf_add(out, aptr(d, o->v), o->vn);
		return;
	}
	if (o->kind == ON_STR) {
		put_json_quoted(out, aptr(d, o->v), o->vn);
		return;
	}
	buf_ch(out, '{');
	for (int c = o->child; c >= 0; c = d->n[c].next) {
		if (c != o->child)
			buf_ch(out, ',');
		put_json_quoted(out, aptr(d, d->n[c].name), d->n[c].nlen);
		buf_ch(out, ':');
		doc_json(d, c, out);
	}
	buf_ch(out, '}');
}

/* ---- the exporter ---- */

struct rule {
	struct xpath p;
	int drop;
};

struct mapent {
	struct xpath src, dst;
	int omit;
};

struct alog_export {
	struct alog_export_opts o;
	struct rule rules[ALOG_EXPORT_MAX_RULES];
	size_t nrules;
	uint64_t all_rules;
	struct xpath *fields;
	size_t nfields;
	struct alog_span *vals;
	struct mapent *map;
	size_t nmap;
	char *meta_json; /* "alog":{...} when rules are given */
	char *meta_list_r, *meta_list_d; /* space-separated paths */
	char origin[256];
	uint64_t count;
	struct alog_buf scratch, filt, text, names;
	struct odoc doc;
	const char *path[ALOG_JSON_MAX_DEPTH + 4];
	size_t path_off[ALOG_JSON_MAX_DEPTH + 4];
	const char *prefix[2]; /* where unmapped members go (ecs, ocsf) */
	size_t nprefix;
	struct alog_span msg;  /* syslog: the member that becomes MSG */
	const char *consumed[2]; /* ocsf: top-level members the class already placed */
	struct alog_buf key;
	char *meta_cell;       /* csv, tsv: the alog column */
};

static const char *const format_names[] = {"ndjson", "json", "csv", "tsv",
                                           "syslog", "cef",  "ecs", "ocsf"};

int alog_export_format_parse(const char *name, enum alog_export_format *f)
{
	for (size_t i = 0; i < ALOG_ARRAY_LEN(format_names); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*f = (enum alog_export_format)i;
			return 0;
		}
	return -1;
}

const char *alog_export_format_name(enum alog_export_format f)
{
	return format_names[f];
}

/* Built-in mappings: source member path -> target (see alog-export(1)). */
struct pair {
	const char *src, *dst;
};

static const struct pair ecs_map[] = {
	{"actor", "user.name"},       {"user", "user.name"},
	{"user.name", "user.name"},   {"user.id", "user.id"},
	{"user.email", "user.email"}, {"user.domain", "user.domain"},
	{"action", "event.action"},   {"outcome", "event.outcome"},
	{"msg", "message"},           {"message", "message"},
	{"src.ip", "source.ip"},      {"src.host", "source.address"},
	{"src.port", "source.port"},  {"source.ip", "source.ip"},
	{"source.port", "source.port"}, {"source.address", "source.address"},
	{"host", "host.name"},        {"host.name", "host.name"},
	{NULL, NULL},
};

static const struct pair ocsf_map[] = {
	{"actor", "actor.user.name"},   {"user", "actor.user.name"},
	{"user.name", "actor.user.name"}, {"user.id", "actor.user.uid"},
	{"user.email", "actor.user.email_addr"},
	{"msg", "message"},             {"message", "message"},
	{"outcome", "status"},          {"src.ip", "src_endpoint.ip"},
	{"src.host", "src_endpoint.hostname"}, {"src.port", "src_endpoint.port"},
	{"session", "actor.session.uid"}, {NULL, NULL},
};

static const struct pair cef_map[] = {
	{"actor", "suser"},   {"user", "suser"},    {"user.name", "suser"},
	{"user.id", "suid"},  {"action", "act"},    {"msg", "msg"},
	{"src.ip", "src"},    {"src.host", "shost"}, {"src.port", "spt"},
	{"target", "cs1"},    {"outcome", "outcome"}, {"session", "cs2"},
	{NULL, NULL},
};

static const struct pair syslog_map[] = {
	{"msg", "@msg"},
	{NULL, NULL},
};

static const struct pair *builtin_map(enum alog_export_format f)
{
	switch (f) {
	case ALOG_FMT_ECS:
		return ecs_map;
	case ALOG_FMT_OCSF:
		return ocsf_map;
	case ALOG_FMT_CEF:
		return cef_map;
	case ALOG_FMT_SYSLOG:
		return syslog_map;
	default:
		return NULL;
	}
}

static int cef_key_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

static void map_add(struct alog_export *x, const char *src, size_t sn, const char *dst, size_t dn,
                    int omit)
{
	struct mapent *m;
	x->map = alog_xrealloc(x->map, (x->nmap + 1) * sizeof *x->map);
	m = &x->map[x->nmap++];
	memset(m, 0, sizeof *m);
	xpath_init(&m->src, src, sn);
	if (!omit)
		xpath_init(&m->dst, dst, dn);
	else
		xpath_init(&m->dst, "-", 1);
	m->omit = omit;
}

/* The user's --map: {"FORMAT": {"source.path": "target" | null, ...}, ...} */
static int load_map(struct alog_export *x, struct alog_error *e)
{
	const char *fmt = format_names[x->o.format];
	struct alog_json_iter it, jt;
	struct alog_span nm, v, sn, sv;
	int r, found = 0;
	char *buf = alog_xmalloc(x->o.map_len + 1);
	struct alog_json_error je;
	long n = alog_json_compact(x->o.map, x->o.map_len, buf, 1, &je);

	if (n < 0) {
		free(buf);
		return alog_err(e, "--map: not a JSON object: byte %zu: %s", je.offset, je.msg);
	}
	alog_json_iter_init(&it, buf, (size_t)n);
	while ((r = alog_json_iter_next(&it, &nm, &v)) == 1) {
		enum alog_export_format f;
		char name[16];
		if (nm.n >= sizeof name)
			goto badfmt;
		memcpy(name, nm.p, nm.n);
		name[nm.n] = '\0';
		if (alog_export_format_parse(name, &f) != 0)
			goto badfmt;
		if (alog_json_type(v.p, v.n) != ALOG_JSON_OBJECT) {
			free(buf);
			return alog_err(e, "--map: \"%s\" must be an object of \"member\": \"field\"",
			                name);
		}
		if (f != x->o.format)
			continue;
		if (!builtin_map(f)) {
			free(buf);
			return alog_err(e, "--map: format %s has no field mapping", name);
		}
		found = 1;
		alog_json_iter_init(&jt, v.p, v.n);
		while (alog_json_iter_next(&jt, &sn, &sv) == 1) {
			char src[1024], dst[1024];
			long a = alog_json_unescape(sn.p, sn.n, src, sizeof src - 1);
			long b = 0;
			int omit = alog_json_type(sv.p, sv.n) == ALOG_JSON_NULL;
			struct xpath t;
			if (!omit && alog_json_type(sv.p, sv.n) != ALOG_JSON_STRING)
				goto badval;
			if (!omit)
				b = alog_json_unescape(sv.p + 1, sv.n - 2, dst, sizeof dst - 1);
			if (a <= 0 || b < 0 || (!omit && b == 0))
				goto badval;
			src[a] = dst[b] = '\0';
			if (xpath_init(&t, src, (size_t)a) != 0) {
				xpath_free(&t);
				goto badval;
			}
			xpath_free(&t);
			if (!omit && f == ALOG_FMT_CEF && !cef_key_ok(dst)) {
				free(buf);
				return alog_err(e, "--map: CEF key \"%s\" is not alphanumeric", dst);
			}
			if (!omit && f == ALOG_FMT_SYSLOG && strcmp(dst, "@msg") != 0) {
				for (const char *q = dst; *q; q++)
					if (*q <= ' ' || *q >= 127 || *q == '=' || *q == ']' || *q == '"' ||
					    q - dst >= 32) {
						free(buf);
						return alog_err(e, "--map: \"%s\" is not an RFC 5424 "
						                "parameter name", dst);
					}
			}
			if (!omit && (f == ALOG_FMT_ECS || f == ALOG_FMT_OCSF)) {
				if (xpath_init(&t, dst, (size_t)b) != 0) {
					xpath_free(&t);
					goto badval;
				}
				xpath_free(&t);
			}
			map_add(x, src, (size_t)a, dst, (size_t)b, omit);
		}
	}
	free(buf);
	if (!found)
		return alog_err(e, "--map: no \"%s\" mapping in the file", fmt);
	return 0;
badfmt: {
	/* the name as written, printable ASCII only (it is about to be freed) */
	char shown[33];
	size_t k = 0;
	for (size_t i = 0; i < nm.n && k < sizeof shown - 1; i++)
		shown[k++] = nm.p[i] >= ' ' && nm.p[i] < 127 ? nm.p[i] : '?';
	shown[k] = '\0';
	free(buf);
	return alog_err(e, "--map: \"%s\" is not a format name", shown);
}
badval:
	free(buf);
	return alog_err(e, "--map: \"%s\": each entry maps a member path to a field name "
	                "(a string) or to null", fmt);
}

static void meta_strings(struct alog_export *x)
{
	struct alog_buf j = {0}, r = {0}, d = {0};

	alog_buf_str(&j, "\"alog\":{\"derived\":\"redacted copy\",\"redacted\":[");
	for (int pass = 0; pass < 2; pass++) {
		int first = 1;
		for (size_t i = 0; i < x->nrules; i++) {
			if (x->rules[i].drop != pass)
				continue;
			if (!first)
				buf_ch(&j, ',');
			put_json_quoted(&j, x->rules[i].p.text, strlen(x->rules[i].p.text));
			struct alog_buf *l = pass ? &d : &r;
			if (l->n)
				buf_ch(l, ' ');
			alog_buf_str(l, x->rules[i].p.text);
			first = 0;
		}
		alog_buf_str(&j, pass ? "]}" : "],\"dropped\":[");
	}
	buf_ch(&j, '\0');
	buf_ch(&r, '\0');
	buf_ch(&d, '\0');
	x->meta_json = j.p;
	x->meta_list_r = r.p;
	x->meta_list_d = d.p;
	size_t tn = r.n + d.n + 64;
	x->meta_cell = alog_xmalloc(tn);
	snprintf(x->meta_cell, tn, "redacted copy; redacted: %s; dropped: %s", r.p, d.p);
}

static int add_rule(struct alog_export *x, const char *s, int drop, struct alog_error *e)
{
	struct rule *r;
	if (x->nrules == ALOG_EXPORT_MAX_RULES)
		return alog_err(e, "at most %d --redact and --drop paths", ALOG_EXPORT_MAX_RULES);
	r = &x->rules[x->nrules];
	r->drop = drop;
	if (xpath_init(&r->p, s, strlen(s)) != 0) {
		xpath_free(&r->p);
		return alog_err(e, "--%s: bad path \"%s\"", drop ? "drop" : "redact", s);
	}
	if (alog_name_reserved(r->p.c[0], strlen(r->p.c[0]))) {
		xpath_free(&r->p);
		return alog_err(e, "--%s %s: seq, ts, type, hash and prev are the record's own "
		                "members and cannot be changed", drop ? "drop" : "redact", s);
	}
	x->all_rules |= 1ull << x->nrules;
	x->nrules++;
	return 0;
}

struct alog_export *alog_export_new(const struct alog_export_opts *o, struct alog_error *e)
{
	struct alog_export *x = calloc(1, sizeof *x);
	const struct pair *bm;

	if (!x)
		alog_die(ALOG_EXIT_ERR, "out of memory");
	x->o = *o;
	for (size_t i = 0; i < o->nredact; i++)
		if (add_rule(x, o->redact[i], 0, e) != 0)
			goto fail;
	for (size_t i = 0; i < o->ndrop; i++)
		if (add_rule(x, o->drop[i], 1, e) != 0)
			goto fail;
	if (x->nrules)
		meta_strings(x);
	if (o->format == ALOG_FMT_CSV || o->format == ALOG_FMT_TSV) {
		const char *f = o->fields ? o->fields : ALOG_EXPORT_DEFAULT_FIELDS;
		size_t start = 0, len = strlen(f);
		for (size_t i = 0; i <= len; i++) {
			if (i < len && f[i] == '\\' && i + 1 < len) {
				i++;
				continue;
			}
			if (i < len && f[i] != ',')
				continue;
			x->fields = alog_xrealloc(x->fields, (x->nfields + 1) * sizeof *x->fields);
			if (xpath_init(&x->fields[x->nfields++], f + start, i - start) != 0) {
				alog_err(e, "--fields: bad path \"%.*s\"", (int)(i - start), f + start);
				goto fail;
			}
			start = i + 1;
		}
		x->vals = alog_xmalloc(x->nfields * sizeof *x->vals);
	} else if (o->fields) {
		alog_err(e, "--fields is for csv and tsv");
		goto fail;
	}
	if (o->bulk_index && o->format != ALOG_FMT_ECS) {
		alog_err(e, "--bulk is for the ecs format");
		goto fail;
	}
	if (o->with_meta && o->format != ALOG_FMT_NDJSON && o->format != ALOG_FMT_JSON) {
		alog_err(e, "--with-meta is for ndjson and json (the other formats always carry "
		            "seq, ts and hash)");
		goto fail;
	}
	if (o->map && load_map(x, e) != 0)
		goto fail;
	bm = builtin_map(o->format);
	for (; bm && bm->src; bm++)
		map_add(x, bm->src, strlen(bm->src), bm->dst, strlen(bm->dst), 0);
	return x;
fail:
	alog_export_free(x);
	return NULL;
}

void alog_export_free(struct alog_export *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nrules; i++)
		xpath_free(&x->rules[i].p);
	for (size_t i = 0; i < x->nfields; i++)
		xpath_free(&x->fields[i]);
	for (size_t i = 0; i < x->nmap; i++) {
		xpath_free(&x->map[i].src);
		xpath_free(&x->map[i].dst);
	}
	free(x->fields);
	free(x->vals);
	free(x->map);
	free(x->meta_json);
	free(x->meta_list_r);
	free(x->meta_list_d);
	alog_buf_free(&x->scratch);
	alog_buf_free(&x->filt);
	alog_buf_free(&x->text);
	alog_buf_free(&x->names);
	alog_buf_free(&x->key);
	free(x->meta_cell);
	doc_free(&x->doc);
	free(x);
}

uint64_t alog_export_count(const struct alog_export *x)
{
	return x->count;
}

/* ---- redaction and dropping, on the text ---- */

/*
 * Copy the object obj[0..n) to out with the rules in mask applied at
 * depth d; at depth 0 with skip_meta the record's own members are left
 * out.  Values are copied byte for byte.  0, or -1 if malformed.
 */
static int filter_object(struct alog_export *x, const char *obj, size_t n, uint64_t mask, size_t d,
                         int skip_meta, struct alog_buf *out)
{
	struct alog_json_iter it;
	struct alog_span nm, v;
	int r, first = 1;

	if (alog_json_iter_init(&it, obj, n) < 0)
		return -1;
	buf_ch(out, '{');
	while ((r = alog_json_iter_next(&it, &nm, &v)) == 1) {
		uint64_t sub = 0;
		int act = 0; /* 1 redact, 2 drop */
		if (d == 0 && skip_meta && is_meta_name(nm))
			continue;
		for (size_t i = 0; i < x->nrules; i++) {
			const struct xpath *p = &x->rules[i].p;
			if (!(mask >> i & 1) || !alog_json_name_eq(nm, p->c[d], strlen(p->c[d])))
				continue;
			if (p->n == d + 1)
				act = x->rules[i].drop ? 2 : (act ? act : 1);
			else
				sub |= 1ull << i;
		}
		if (act == 2)
			continue;
		if (!first)
			buf_ch(out, ',');
		first = 0;
		buf_ch(out, '"');
		alog_buf_add(out, nm.p, nm.n);
		alog_buf_add(out, "\":", 2);
		if (act == 1) {
			alog_buf_str(out, "\"" ALOG_REDACTED "\"");
		} else if (sub && alog_json_type(v.p, v.n) == ALOG_JSON_OBJECT) {
			if (filter_object(x, v.p, v.n, sub, d + 1, 0, out) != 0)
				return -1;
		} else {
			alog_buf_add(out, v.p, v.n);
		}
	}
	if (r < 0)
		return -1;
	buf_ch(out, '}');
	return 0;
}

/* Append the "alog" metadata member before the final '}' of out. */
static void add_meta_member(struct alog_export *x, struct alog_buf *out)
{
	out->n--; /* the '}' */
	if (out->p[out->n - 1] != '{')
		buf_ch(out, ',');
	alog_buf_str(out, x->meta_json);
	buf_ch(out, '}');
}

/* ---- ndjson and json ---- */

static int put_json_record(struct alog_export *x, const struct alog_rec *r, struct alog_buf *out)
{
	size_t body = r->len - 1; /* without LF */

	if (!x->nrules) {
		if (x->o.with_meta) {
			alog_buf_add(out, r->line, body);
		} else {
			buf_ch(out, '{');
			if (r->members.n)
				alog_buf_add(out, r->members.p + 1, r->members.n - 1);
			buf_ch(out, '}');
		}
		return 0;
	}
	if (filter_object(x, r->line, body, x->all_rules, 0, !x->o.with_meta, out) != 0)
		return -1;
	add_meta_member(x, out);
	return 0;
}

/* ---- csv and tsv ---- */

/* Bytes a csv (1) or tsv (2) cell cannot copy without a look. */
static unsigned char cell_special[256];

static void cell_tables(void)
{
	if (cell_special['"'])
		return;
	for (int c = 0; c < 256; c++)
		cell_special[c] = is_ctl((unsigned char)c) ? 3 : 0;
	cell_special[','] |= 1;
	cell_special['"'] |= 1;
	cell_special['\\'] |= 2;
}

/* RFC 8259 number grammar, exactly: a damaged line may hold anything. */
static int strict_number(const char *s, size_t n)
{
	size_t i = 0, d;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

static int formula_start(unsigned char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

static void put_cell_text(struct alog_export *x, struct alog_buf *out, const char *s, size_t n,
                          int is_number)
{
	int tsv = x->o.format == ALOG_FMT_TSV;
	int neutral = !x->o.allow_formulas && !is_number && n && formula_start((unsigned char)s[0]);
	unsigned mask = tsv ? 2 : 1;
	size_t i;

	for (i = 0; i < n; i++)
		if (cell_special[(unsigned char)s[i]] & mask)
			break;
	if (i == n) {
		/* the common case: nothing to quote or escape */
		if (neutral)
			buf_ch(out, '\'');
		alog_buf_add(out, s, n);
		return;
	}
	alog_buf_reserve(out, 2 * n + 8);
	if (tsv) {
		if (neutral)
			buf_ch(out, '\'');
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '\\')
				alog_buf_add(out, "\\\\", 2);
			else if (c == '\t')
				alog_buf_add(out, "\\t", 2);
			else if (c == '\n')
				alog_buf_add(out, "\\n", 2);
			else if (c == '\r')
				alog_buf_add(out, "\\r", 2);
			else if (is_ctl(c))
				put_octal(out, c);
			else
				buf_ch(out, (char)c);
		}
		return;
	}
	buf_ch(out, '"');
	if (neutral)
		buf_ch(out, '\'');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"')
			alog_buf_add(out, "\"\"", 2);
		else if (is_ctl(c) && c != '\n' && c != '\r' && c != '\t')
			put_octal(out, c);
		else
			buf_ch(out, (char)c);
	}
	buf_ch(out, '"');
}

static void put_cell(struct alog_export *x, struct alog_buf *out, struct alog_span v)
{
	if (!v.p || v.n == 0)
		return;
	switch (alog_json_type(v.p, v.n)) {
	case ALOG_JSON_NULL:
		return;
	case ALOG_JSON_STRING:
		if (v.n >= 2 && !memchr(v.p + 1, '\\', v.n - 2)) {
			put_cell_text(x, out, v.p + 1, v.n - 2, 0);
		} else {
			long k;
			x->scratch.n = 0;
			alog_buf_reserve(&x->scratch, v.n);
			k = alog_json_unescape(v.p + 1, v.n - 2, x->scratch.p, v.n);
			if (k < 0) /* a bad escape in a damaged line: show the raw text */
				put_cell_text(x, out, v.p + 1, v.n - 2, 0);
			else
				put_cell_text(x, out, x->scratch.p, (size_t)k, 0);
		}
		return;
	case ALOG_JSON_NUMBER:
		put_cell_text(x, out, v.p, v.n, strict_number(v.p, v.n));
		return;
	default:
		put_cell_text(x, out, v.p, v.n, 0);
	}
}

static const char *eol(const struct alog_export *x)
{
	return x->o.format == ALOG_FMT_CSV ? "\r\n" : "\n";
}

static void csv_header(struct alog_export *x, struct alog_buf *out)
{
	char sep = x->o.format == ALOG_FMT_CSV ? ',' : '\t';
	for (size_t i = 0; i < x->nfields; i++) {
		if (i)
			buf_ch(out, sep);
		put_cell_text(x, out, x->fields[i].text, strlen(x->fields[i].text), 0);
	}
	if (x->nrules) {
		buf_ch(out, sep);
		alog_buf_str(out, "alog");
	}
	alog_buf_str(out, eol(x));
}

static int put_csv_record(struct alog_export *x, const struct alog_rec *r, struct alog_buf *out)
{
	char sep = x->o.format == ALOG_FMT_CSV ? ',' : '\t';
	const char *obj = r->line;
	size_t n = r->len - 1, found = 0;
	struct alog_json_iter it;
	struct alog_span nm, v;
	int rc;

	if (x->nrules) {
		x->filt.n = 0;
		if (filter_object(x, r->line, n, x->all_rules, 0, 0, &x->filt) != 0)
			return -1;
		obj = x->filt.p;
		n = x->filt.n;
	}
	memset(x->vals, 0, x->nfields * sizeof *x->vals);
	/* One pass over the top-level members serves every column. */
	alog_json_iter_init(&it, obj, n);
	while (found < x->nfields && (rc = alog_json_iter_next(&it, &nm, &v)) == 1) {
		for (size_t i = 0; i < x->nfields; i++) {
			const struct xpath *f = &x->fields[i];
			if (x->vals[i].p || !alog_json_name_eq(nm, f->c[0], strlen(f->c[0])))
				continue;
			if (f->n == 1) {
				x->vals[i] = v;
			} else if (alog_json_lookup(v.p, v.n, f->c + 1, f->n - 1, &x->vals[i]) != 1) {
				x->vals[i].p = v.p; /* absent: mark as looked up, empty */
				x->vals[i].n = 0;
			}
			found++;
		}
	}
	for (size_t i = 0; i < x->nfields; i++) {
		if (i)
			buf_ch(out, sep);
		put_cell(x, out, x->vals[i]);
	}
	if (x->nrules) {
		buf_ch(out, sep);
		put_cell_text(x, out, x->meta_cell, strlen(x->meta_cell), 0);
	}
	alog_buf_str(out, eol(x));
	return 0;
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
		if (strcmp(p->c[i], path[i]) != 0)
			return 0;
	return 1;
}

/* Called for every member the walk stops at; target NULL when unmapped. */
typedef int (*leaf_fn)(struct alog_export *x, const char *const *path, size_t depth,
                       struct alog_span value, const struct mapent *m);

/*
 * Walk the members of obj: a member whose path is mapped stops there; an
 * object is entered when a mapping names something inside it or when
 * flatten is set; anything else is an unmapped leaf.
 */
static int walk(struct alog_export *x, const char *obj, size_t n, size_t depth, int skip_meta,
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
			if (walk(x, v.p, v.n, depth + 1, 0, flatten, fn) != 0)
				return -1;
			continue;
		}
		if (fn(x, x->path, depth + 1, v, m) != 0)
			return -1;
	}
	return r < 0 ? -1 : 0;
}

/* The plain text of a scalar value (strings unescaped) in x->text. */
static void value_text(struct alog_export *x, struct alog_span v)
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

/* Top-level string member of a record, unescaped into out; 0 if absent. */
static int top_string(const char *obj, size_t n, const char *name, char *out, size_t cap)
{
	const char *path[1] = {name};
	struct alog_span v;
	long k;
	if (alog_json_lookup(obj, n, path, 1, &v) != 1 ||
	    alog_json_type(v.p, v.n) != ALOG_JSON_STRING)
		return 0;
	k = alog_json_unescape(v.p + 1, v.n - 2, out, cap - 1);
	if (k < 0)
		return 0;
	out[k] = '\0';
	return 1;
}

/* ---- classifying an action (OCSF classes, ECS categories) ---- */

enum { CLS_BASE, CLS_AUTH, CLS_API, CLS_DB };

struct action_class {
	int cls;        /* CLS_* */
	int activity;   /* activity_id within the class */
	const char *activity_name;
	const char *ecs_category; /* NULL: none */
	const char *ecs_type;
};

static int word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

static void classify(const char *action, struct action_class *c)
{
	static const char *const auth_first[] = {"auth", "authn", "authentication", "login",
	                                         "logon", "logout", "logoff", "session", "sso",
	                                         NULL};
	static const char *const db_first[] = {"db", "database", "sql", "datastore", "table",
	                                       "bucket", "storage", NULL};
	static const char *const api_first[] = {"api", "http", "rest", "rpc", "grpc", NULL};
	static const char *const ecs_config[] = {"config", "configuration", "settings",
	                                         "policy", NULL};
	static const char *const ecs_process[] = {"shell", "exec", "process", "cmd", "command",
	                                          NULL};
	char first[64] = "", last[64] = "";
	size_t i = 0, k;

	/* words split on . _ - : / and compared in lower case */
	while (action[i]) {
		char w[64];
		k = 0;
		while (action[i] && strchr("._-:/ ", action[i]) == NULL) {
			if (k < sizeof w - 1)
				w[k++] = (char)(action[i] >= 'A' && action[i] <= 'Z' ? action[i] + 32
				                                                    : action[i]);
			i++;
		}
		w[k] = '\0';
		if (k) {
			if (!first[0])
				memcpy(first, w, k + 1);
			memcpy(last, w, k + 1);
		}
		if (action[i])
			i++;
	}
	memset(c, 0, sizeof *c);
	c->cls = CLS_BASE;
	c->activity = 99;
	c->activity_name = "Other";
	c->ecs_type = "info";
	if (!first[0]) {
		c->activity = 0;
		c->activity_name = "Unknown";
		return;
	}

	static const char *const v_login[] = {"login", "logon", "signin", "authenticate", NULL};
	static const char *const v_logout[] = {"logout", "logoff", "signout", NULL};
	static const char *const v_create[] = {"create", "insert", "add", "post", "new", NULL};
	static const char *const v_read[] = {"read", "get", "select", "view", "fetch", "show",
	                                     "call", NULL};
	static const char *const v_update[] = {"update", "change", "modify", "alter", "set",
	                                       "put", "patch", "edit", "write", NULL};
	static const char *const v_delete[] = {"delete", "remove", "drop", "truncate", "destroy",
	                                       NULL};

	if (word_in(first, auth_first) || word_in(last, v_login) || word_in(last, v_logout)) {
		c->cls = CLS_AUTH;
		c->ecs_category = "authentication";
		if (word_in(last, v_logout) || word_in(first, v_logout)) {
			c->activity = 2;
			c->activity_name = "Logoff";
			c->ecs_type = "end";
		} else if (word_in(last, v_login) || word_in(first, v_login)) {
			c->activity = 1;
			c->activity_name = "Logon";
			c->ecs_type = "start";
		}
		return;
	}
	if (word_in(first, db_first)) {
		const struct {
			const char *const *words;
			int id;
			const char *name, *type;
		} dbv[] = {
			{(const char *const[]){"read", "get", "select", "fetch", NULL}, 1, "Read", "access"},
			{(const char *const[]){"update", "modify", "alter", "change", "set", NULL}, 2,
			 "Update", "change"},
			{(const char *const[]){"connect", NULL}, 3, "Connect", "access"},
			{(const char *const[]){"query", "search", "find", NULL}, 4, "Query", "access"},
			{(const char *const[]){"write", "insert", "put", NULL}, 5, "Write", "change"},
			{(const char *const[]){"create", NULL}, 6, "Create", "creation"},
			{(const char *const[]){"delete", "drop", "remove", "truncate", NULL}, 7, "Delete",
			 "deletion"},
			{(const char *const[]){"list", NULL}, 8, "List", "access"},
			{(const char *const[]){"encrypt", NULL}, 9, "Encrypt", "change"},
			{(const char *const[]){"decrypt", NULL}, 10, "Decrypt", "access"},
		};
		c->cls = CLS_DB;
		c->ecs_category = "database";
		for (size_t j = 0; j < ALOG_ARRAY_LEN(dbv); j++)
			if (word_in(last, dbv[j].words)) {
				c->activity = dbv[j].id;
				c->activity_name = dbv[j].name;
				c->ecs_type = dbv[j].type;
			}
		return;
	}
	{
		int verb = word_in(last, v_create) ? 1 : word_in(last, v_read) ? 2
		           : word_in(last, v_update) ? 3 : word_in(last, v_delete) ? 4 : 0;
		static const char *const names[] = {"Other", "Create", "Read", "Update", "Delete"};
		static const char *const types[] = {"info", "creation", "access", "change",
		                                    "deletion"};
		if (word_in(first, api_first) || verb) {
			c->cls = CLS_API;
			c->activity = verb ? verb : 99;
			c->activity_name = names[verb];
			c->ecs_type = types[verb];
			c->ecs_category = word_in(first, api_first) ? "web" : NULL;
		}
		if (word_in(first, ecs_config))
			c->ecs_category = "configuration";
		else if (word_in(first, ecs_process))
			c->ecs_category = "process";
		else if (strcmp(first, "file") == 0)
			c->ecs_category = "file";
	}
}

/* ---- ECS and OCSF ---- */

static int doc_leaf(struct alog_export *x, const char *const *path, size_t depth,
                    struct alog_span v, const struct mapent *m)
{
	const char *full[ALOG_JSON_MAX_DEPTH + 4];

	if (m && m->omit)
		return 0;
	if (!m && depth == 1)
		for (size_t i = 0; i < 2; i++)
			if (x->consumed[i] && strcmp(path[0], x->consumed[i]) == 0)
				return 0;
	if (m && doc_set(&x->doc, 0, m->dst.c, m->dst.n, ON_RAW, v.p, v.n) >= 0)
		return 0;
	/* unmapped, or its field was taken: kept under the format's own place */
	for (size_t i = 0; i < x->nprefix; i++)
		full[i] = x->prefix[i];
	for (size_t i = 0; i < depth; i++)
		full[x->nprefix + i] = path[i];
	doc_set(&x->doc, 0, full, x->nprefix + depth, ON_RAW, v.p, v.n);
	return 0;
}

static void doc_num(struct odoc *d, const char *path, uint64_t v)
{
	char t[32];
	int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
	doc_setp(d, path, ON_RAW, t, (size_t)n);
}

static void doc_str(struct odoc *d, const char *path, const char *s)
{
	doc_setp(d, path, ON_STR, s, strlen(s));
}

static void doc_meta_arrays(struct alog_export *x, const char *at)
{
	/* at: "alog" or "unmapped.alog"; the copy's own statement */
	char p[64];
	const char *j = strchr(x->meta_json, '{');
	snprintf(p, sizeof p, "%s", at);
	doc_setp(&x->doc, p, ON_RAW, j, strlen(j));
}

static int put_ecs(struct alog_export *x, const struct alog_rec *r, const char *obj, size_t n,
                   struct alog_buf *out)
{
	char ts[ALOG_TS_LEN + 1], hex[65], action[256];
	struct action_class c;
	struct odoc *d = &x->doc;

	doc_reset(d);
	memcpy(ts, r->ts.p, ALOG_TS_LEN);
	ts[ALOG_TS_LEN] = '\0';
	doc_str(d, "@timestamp", ts);
	doc_str(d, "event.kind", "event");
	doc_str(d, "event.module", "alog");
	doc_str(d, "event.dataset", "alog.audit");
	if (top_string(obj, n, "action", action, sizeof action)) {
		classify(action, &c);
		if (c.ecs_category) {
			char a[64];
			int k = snprintf(a, sizeof a, "[\"%s\"]", c.ecs_category);
			doc_setp(d, "event.category", ON_RAW, a, (size_t)k);
			k = snprintf(a, sizeof a, "[\"%s\"]", c.ecs_type);
			doc_setp(d, "event.type", ON_RAW, a, (size_t)k);
		}
	}
	doc_num(d, "event.sequence", r->seq);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", r->hash[i]);
	doc_str(d, "event.hash", hex);
	x->prefix[0] = "alog";
	x->prefix[1] = "event";
	x->nprefix = 2;
	x->consumed[0] = x->consumed[1] = NULL;
	if (walk(x, obj, n, 0, 1, 0, doc_leaf) != 0)
		return -1;
	if (x->origin[0])
		doc_str(d, "alog.origin", x->origin);
	if (x->nrules) {
		doc_setp(d, "tags", ON_RAW, "[\"alog-redacted-copy\"]", 22);
		doc_meta_arrays(x, "alog.copy");
	}
	doc_str(d, "ecs.version", ALOG_ECS_VERSION);
	if (x->o.bulk_index) {
		alog_buf_str(out, "{\"create\":{\"_index\":");
		put_json_quoted(out, x->o.bulk_index, strlen(x->o.bulk_index));
		alog_buf_str(out, ",\"_id\":\"");
		alog_buf_str(out, hex);
		alog_buf_str(out, "\"}}\n");
	}
	doc_json(d, 0, out);
	return 0;
}

static int put_ocsf(struct alog_export *x, const struct alog_rec *r, const char *obj, size_t n,
                    struct alog_buf *out)
{
	static const int class_uid[] = {0, 3002, 6003, 6005};
	static const int category_uid[] = {0, 3, 6, 6};
	static const char *const class_name[] = {"Base Event", "Authentication", "API Activity",
	                                         "Datastore Activity"};
	static const char *const category_name[] = {"Uncategorized",
	                                            "Identity & Access Management",
	                                            "Application Activity",
	                                            "Application Activity"};
	char ts[ALOG_TS_LEN + 1], hex[65], action[256], status[64];
	struct action_class c;
	struct odoc *d = &x->doc;
	const char *path[1];
	struct alog_span v;
	int have_action = top_string(obj, n, "action", action, sizeof action);

	classify(have_action ? action : "", &c);
	doc_reset(d);
	memcpy(ts, r->ts.p, ALOG_TS_LEN);
	ts[ALOG_TS_LEN] = '\0';
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", r->hash[i]);
	doc_num(d, "class_uid", (uint64_t)class_uid[c.cls]);
	doc_str(d, "class_name", class_name[c.cls]);
	doc_num(d, "category_uid", (uint64_t)category_uid[c.cls]);
	doc_str(d, "category_name", category_name[c.cls]);
	doc_num(d, "activity_id", (uint64_t)c.activity);
	doc_str(d, "activity_name", c.activity_name);
	doc_num(d, "type_uid", (uint64_t)class_uid[c.cls] * 100 + (uint64_t)c.activity);
	doc_num(d, "severity_id", 1);
	doc_str(d, "severity", "Informational");
	{
		char t[32];
		int k = snprintf(t, sizeof t, "%lld", (long long)(r->ts_ns / 1000000));
		doc_setp(d, "time", ON_RAW, t, (size_t)k);
	}
	doc_str(d, "metadata.version", ALOG_OCSF_VERSION);
	doc_str(d, "metadata.product.name", "alog");
	doc_str(d, "metadata.product.vendor_name", "alog");
	doc_str(d, "metadata.product.version", ALOG_VERSION);
	doc_str(d, "metadata.original_time", ts);
	doc_num(d, "metadata.sequence", r->seq);
	doc_str(d, "metadata.uid", hex);
	if (x->origin[0])
		doc_str(d, "metadata.log_provider", x->origin);
	if (x->nrules)
		doc_setp(d, "metadata.labels", ON_RAW, "[\"alog-redacted-copy\"]", 22);
	if (have_action) {
		doc_str(d, "metadata.event_code", action);
		if (c.cls == CLS_API)
			doc_str(d, "api.operation", action);
	}
	/* the class's own place for the target, and the outcome as a status */
	path[0] = "target";
	if (alog_json_lookup(obj, n, path, 1, &v) == 1) {
		if (c.cls == CLS_AUTH)
			doc_setp(d, "service.name", ON_RAW, v.p, v.n);
		else if (c.cls == CLS_DB)
			doc_setp(d, "database.name", ON_RAW, v.p, v.n);
		else if (c.cls == CLS_API) {
			x->text.n = 0;
			alog_buf_str(&x->text, "[{\"name\":");
			alog_buf_add(&x->text, v.p, v.n);
			alog_buf_str(&x->text, "}]");
			doc_setp(d, "resources", ON_RAW, x->text.p, x->text.n);
		}
	}
	if (top_string(obj, n, "outcome", status, sizeof status)) {
		int sid = 99;
		if (!strcmp(status, "success") || !strcmp(status, "ok") || !strcmp(status, "allowed"))
			sid = 1;
		else if (!strcmp(status, "failure") || !strcmp(status, "failed") ||
		         !strcmp(status, "error") || !strcmp(status, "denied"))
			sid = 2;
		doc_num(d, "status_id", (uint64_t)sid);
	} else {
		doc_num(d, "status_id", 0);
	}
	/* Authentication names its subject in user too. */
	if (c.cls == CLS_AUTH) {
		path[0] = "actor";
		if (alog_json_lookup(obj, n, path, 1, &v) == 1)
			doc_setp(d, "user.name", ON_RAW, v.p, v.n);
	}
	x->prefix[0] = "unmapped";
	x->nprefix = 1;
	x->consumed[0] = have_action ? "action" : NULL;
	x->consumed[1] = c.cls != CLS_BASE ? "target" : NULL;
	if (walk(x, obj, n, 0, 1, 0, doc_leaf) != 0)
		return -1;
	if (x->nrules)
		doc_meta_arrays(x, "unmapped.alog");
	doc_json(d, 0, out);
	return 0;
}

/* ---- syslog and CEF: flat keys ---- */

/* A key made unique within the record by a numeric suffix; added to the doc. */
static int flat_set(struct alog_export *x, const char *key, size_t kn, struct alog_span v)
{
	char buf[80];
	const char *comp[1];
	size_t cut = kn;
	int c;

	for (unsigned k = 1;; k++) {
		int sn = 0;
		char suf[16] = "";
		if (k > 1)
			sn = snprintf(suf, sizeof suf, "%u", k);
		/* syslog names stop at 32 bytes: the suffix replaces the end */
		if (x->o.format == ALOG_FMT_SYSLOG && kn + (size_t)sn > 32)
			cut = 32 - (size_t)sn;
		if (cut + (size_t)sn >= sizeof buf)
			cut = sizeof buf - 1 - (size_t)sn;
		memcpy(buf, key, cut);
		memcpy(buf + cut, suf, (size_t)sn + 1);
		comp[0] = buf;
		c = doc_set(&x->doc, 0, comp, 1, ON_RAW, v.p, v.n);
		if (c >= 0)
			return c;
	}
}

static void flat_name(struct alog_export *x, const char *const *path, size_t depth,
                      struct alog_buf *out)
{
	out->n = 0;
	if (x->o.format == ALOG_FMT_CEF) {
		/* custom CEF keys: "alog" + CamelCase of the path, alphanumeric only */
		alog_buf_str(out, "alog");
		for (size_t i = 0; i < depth; i++) {
			int up = 1;
			for (const char *s = path[i]; *s; s++) {
				char ch = *s;
				int alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				            (ch >= '0' && ch <= '9');
				if (!alnum) {
					up = 1;
					continue;
				}
				if (up && ch >= 'a' && ch <= 'z')
					ch = (char)(ch - 32);
				buf_ch(out, ch);
				up = 0;
			}
		}
		if (out->n == 4)
			alog_buf_str(out, "Field");
		return;
	}
	/* RFC 5424 PARAM-NAME: printable US-ASCII but = ] " and space, at most 32 */
	for (size_t i = 0; i < depth; i++) {
		if (i)
			buf_ch(out, '.');
		for (const char *s = path[i]; *s; s++) {
			unsigned char ch = (unsigned char)*s;
			buf_ch(out, (ch <= ' ' || ch >= 127 || ch == '=' || ch == ']' || ch == '"')
			                ? '_' : (char)ch);
		}
	}
	if (out->n > 32)
		out->n = 32;
	if (out->n == 0)
		buf_ch(out, '_');
}

static const char *cef_label_for(const char *key)
{
	static const char *const labelled[] = {"cs1", "cs2", "cs3", "cs4", "cs5", "cs6", "cn1",
	                                       "cn2", "cn3", "cfp1", "cfp2", "cfp3", "cfp4",
	                                       "c6a1", "c6a2", "c6a3", "c6a4", "flexString1",
	                                       "flexString2", "flexNumber1", "flexNumber2",
	                                       "deviceCustomDate1", "deviceCustomDate2", NULL};
	return word_in(key, labelled) ? key : NULL;
}

static int flat_leaf(struct alog_export *x, const char *const *path, size_t depth,
                     struct alog_span v, const struct mapent *m)
{
	struct alog_buf *nb = &x->key;
	size_t joined = 0;

	if (m && m->omit)
		return 0;
	if (m && x->o.format == ALOG_FMT_SYSLOG && strcmp(m->dst.text, "@msg") == 0 &&
	    !x->msg.p) {
		x->msg = v;
		return 0;
	}
	int c = -1;
	if (m && strcmp(m->dst.text, "@msg") != 0) {
		const char *comp[1] = {m->dst.text};
		c = doc_set(&x->doc, 0, comp, 1, ON_RAW, v.p, v.n);
	}
	if (c < 0) {
		/* unmapped, or the mapped key is taken: a key made from the path */
		m = NULL;
		flat_name(x, path, depth, nb);
		c = flat_set(x, nb->p, nb->n, v);
	}
	const char *label = x->o.format == ALOG_FMT_CEF && m ? cef_label_for(m->dst.text) : NULL;
	if (label && c >= 0) {
		/* the label names the source path */
		char key[40];
		struct alog_buf *pb = &x->text;
		pb->n = 0;
		for (size_t i = 0; i < depth; i++) {
			if (i)
				buf_ch(pb, '.');
			alog_buf_str(pb, path[i]);
		}
		joined = pb->n;
		snprintf(key, sizeof key, "%.*sLabel", (int)x->doc.n[c].nlen,
		         aptr(&x->doc, x->doc.n[c].name));
		/* the label is a string value: keep it as JSON text like the others */
		x->scratch.n = 0;
		put_json_quoted(&x->scratch, pb->p, joined);
		struct alog_span lv = {x->scratch.p, x->scratch.n};
		flat_set(x, key, strlen(key), lv);
	}
	return 0;
}

/* Write a value with the given escaping: 's' syslog PARAM-VALUE, 'c' CEF extension. */
static void put_escaped(struct alog_buf *out, const char *s, size_t n, char how)
{
	alog_buf_reserve(out, 4 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (how == 's' && (c == '"' || c == '\\' || c == ']')) {
			buf_ch(out, '\\');
			buf_ch(out, (char)c);
		} else if (how == 'c' && (c == '\\' || c == '=')) {
			buf_ch(out, '\\');
			buf_ch(out, (char)c);
		} else if (how == 'h' && (c == '\\' || c == '|')) {
			buf_ch(out, '\\');
			buf_ch(out, (char)c);
		} else if (how == 'c' && c == '\n') {
			alog_buf_add(out, "\\n", 2);
		} else if (how == 'c' && c == '\r') {
			alog_buf_add(out, "\\r", 2);
		} else if (is_ctl(c)) {
			put_octal(out, c);
		} else {
			buf_ch(out, (char)c);
		}
	}
}

static void flat_prepare(struct alog_export *x)
{
	doc_reset(&x->doc);
	x->msg.p = NULL;
	x->msg.n = 0;
}

/* The copy's own statement, as two flat keys. */
static void flat_meta(struct alog_export *x, const char *kr, const char *kd)
{
	x->scratch.n = 0;
	put_json_quoted(&x->scratch, x->meta_list_r, strlen(x->meta_list_r));
	size_t a = x->scratch.n;
	put_json_quoted(&x->scratch, x->meta_list_d, strlen(x->meta_list_d));
	char *t = alog_xmalloc(x->scratch.n);
	memcpy(t, x->scratch.p, x->scratch.n);
	flat_set(x, kr, strlen(kr), (struct alog_span){t, a});
	flat_set(x, kd, strlen(kd), (struct alog_span){t + a, x->scratch.n - a});
	free(t);
}

static void put_flat_values(struct alog_export *x, struct alog_buf *out, char how, int from)
{
	const struct odoc *d = &x->doc;
	int c = d->n[0].child;
	for (int i = 0; c >= 0 && i < from; i++)
		c = d->n[c].next;
	for (; c >= 0; c = d->n[c].next) {
		struct alog_span v = {aptr(d, d->n[c].v), d->n[c].vn};
		if (how == 's')
			buf_ch(out, ' ');
		else if (out->p[out->n - 1] != '|')
			buf_ch(out, ' ');
		alog_buf_add(out, aptr(d, d->n[c].name), d->n[c].nlen);
		alog_buf_add(out, how == 's' ? "=\"" : "=", how == 's' ? 2 : 1);
		value_text(x, v);
		put_escaped(out, x->text.p, x->text.n, how);
		if (how == 's')
			buf_ch(out, '"');
	}
}

static int put_syslog(struct alog_export *x, const struct alog_rec *r, const char *obj, size_t n,
                      struct alog_buf *out)
{
	char hex[65], host[256], action[64], seq[32];
	size_t k = 0;

	flat_prepare(x);
	/* <authpriv.info>1 TIMESTAMP (microseconds: RFC 5424 allows six digits) */
	alog_buf_str(out, "<86>1 ");
	alog_buf_add(out, r->ts.p, 26);
	buf_ch(out, 'Z');
	buf_ch(out, ' ');
	for (const char *s = x->origin; *s && *s != '/' && k < 255; s++)
		host[k++] = (*s > ' ' && *s < 127) ? *s : '_';
	host[k] = '\0';
	alog_buf_str(out, k ? host : "-");
	alog_buf_str(out, " alog - ");
	if (top_string(obj, n, "action", action, sizeof action) && action[0] &&
	    strlen(action) <= 32) {
		for (char *s = action; *s; s++)
			if (*s <= ' ' || *s >= 127)
				action[0] = '\0';
	} else {
		action[0] = '\0';
	}
	alog_buf_str(out, action[0] ? action : "-");
	alog_buf_str(out, " [alog@32473");
	snprintf(seq, sizeof seq, "%llu", (unsigned long long)r->seq);
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", r->hash[i]);
	x->scratch.n = 0;
	alog_buf_str(&x->scratch, seq);
	put_json_quoted(&x->scratch, r->ts.p, ALOG_TS_LEN);
	put_json_quoted(&x->scratch, hex, 64);
	{
		char *t = alog_xmalloc(x->scratch.n);
		size_t sl = strlen(seq);
		memcpy(t, x->scratch.p, x->scratch.n);
		flat_set(x, "seq", 3, (struct alog_span){t, sl});
		flat_set(x, "ts", 2, (struct alog_span){t + sl, ALOG_TS_LEN + 2});
		flat_set(x, "hash", 4, (struct alog_span){t + sl + ALOG_TS_LEN + 2, 66});
		free(t);
	}
	if (walk(x, obj, n, 0, 1, 1, flat_leaf) != 0)
		return -1;
	put_flat_values(x, out, 's', 0);
	buf_ch(out, ']');
	if (x->nrules) {
		/* the copy says what it is, in an element of its own */
		alog_buf_str(out, "[alogCopy@32473 redacted=\"");
		put_escaped(out, x->meta_list_r, strlen(x->meta_list_r), 's');
		alog_buf_str(out, "\" dropped=\"");
		put_escaped(out, x->meta_list_d, strlen(x->meta_list_d), 's');
		alog_buf_str(out, "\"]");
	}
	if (x->msg.p) {
		value_text(x, x->msg);
		/* MSG-UTF8: a byte order mark, then the text */
		alog_buf_str(out, " \xef\xbb\xbf");
		put_escaped(out, x->text.p, x->text.n, 'm');
	}
	buf_ch(out, '\n');
	return 0;
}

static int put_cef(struct alog_export *x, const struct alog_rec *r, const char *obj, size_t n,
                   struct alog_buf *out)
{
	char hex[65], action[1024], num[32], sev[16] = "3";
	const char *path[1] = {"severity"};
	struct alog_span v;
	int have_action = top_string(obj, n, "action", action, sizeof action) && action[0];

	flat_prepare(x);
	/* the header: CEF:Version|Vendor|Product|Version|Signature ID|Name|Severity| */
	alog_buf_str(out, "CEF:0|alog|alog|");
	put_escaped(out, ALOG_VERSION, strlen(ALOG_VERSION), 'h');
	buf_ch(out, '|');
	put_escaped(out, have_action ? action : "event", strlen(have_action ? action : "event"),
	            'h');
	buf_ch(out, '|');
	put_escaped(out, have_action ? action : "event", strlen(have_action ? action : "event"),
	            'h');
	buf_ch(out, '|');
	if (alog_json_lookup(obj, n, path, 1, &v) == 1) {
		value_text(x, v);
		static const char *const words[] = {"Unknown", "Low", "Medium", "High", "Very-High",
		                                    NULL};
		char t[16];
		size_t tn = x->text.n < sizeof t - 1 ? x->text.n : sizeof t - 1;
		memcpy(t, x->text.p, tn);
		t[tn] = '\0';
		int num_ok = tn >= 1 && tn <= 2 && t[0] >= '0' && t[0] <= '9' &&
		             (tn == 1 || (t[0] == '1' && t[1] == '0'));
		if ((num_ok && alog_json_type(v.p, v.n) == ALOG_JSON_NUMBER) || word_in(t, words))
			snprintf(sev, sizeof sev, "%s", t);
	}
	alog_buf_str(out, sev);
	buf_ch(out, '|');
	/* rt: milliseconds since the epoch; externalId: the seq; the chain hash */
	int k = snprintf(num, sizeof num, "%lld", (long long)(r->ts_ns / 1000000));
	flat_set(x, "rt", 2, (struct alog_span){num, (size_t)k});
	char seq[32];
	int sk = snprintf(seq, sizeof seq, "%llu", (unsigned long long)r->seq);
	flat_set(x, "externalId", 10, (struct alog_span){seq, (size_t)sk});
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", r->hash[i]);
	flat_set(x, "alogHash", 8, (struct alog_span){hex, 64});
	if (x->nrules)
		flat_meta(x, "alogRedacted", "alogDropped");
	if (walk(x, obj, n, 0, 1, 1, flat_leaf) != 0)
		return -1;
	put_flat_values(x, out, 'c', 0);
	buf_ch(out, '\n');
	return 0;
}

/* ---- driver ---- */

void alog_export_begin(struct alog_export *x, struct alog_buf *out)
{
	cell_tables();
	if (x->o.format == ALOG_FMT_CSV || x->o.format == ALOG_FMT_TSV)
		csv_header(x, out);
	else if (x->o.format == ALOG_FMT_JSON)
		alog_buf_str(out, "[");
}

void alog_export_end(struct alog_export *x, struct alog_buf *out)
{
	if (x->o.format == ALOG_FMT_JSON)
		alog_buf_str(out, x->count ? "\n]\n" : "]\n");
}

/*
 * The shape of an event line as alog_rec_parse checks it, without
 * decoding ts and hash, which the text formats copy rather than read.
 * 1 with the members span set; 0 for a typed record or anything odd,
 * which then goes through alog_rec_parse.
 */
static int quick_event(const char *line, size_t len, struct alog_span *members)
{
	size_t p = 7, q;

	if (len < 7 + 1 + 7 + ALOG_TS_LEN + 1 + ALOG_HASH_TAIL || memcmp(line, "{\"seq\":", 7) != 0 ||
	    line[7] < '1' || line[7] > '9')
		return 0;
	while (p < 23 && line[p] >= '0' && line[p] <= '9')
		p++;
	if (memcmp(line + p, ",\"ts\":\"", 7) != 0)
		return 0;
	p += 7 + ALOG_TS_LEN;
	q = len - ALOG_HASH_TAIL;
	if (p >= q || line[p] != '"' || memcmp(line + q, ",\"hash\":\"", 9) != 0 ||
	    memcmp(line + len - 3, "\"}\n", 3) != 0)
		return 0;
	p++;
	if (p < q && line[p] != ',')
		return 0;
	if (q - p >= 9 && memcmp(line + p, ",\"type\":\"", 9) == 0)
		return 0;
	members->p = line + p;
	members->n = q - p;
	return 1;
}

/* Is there a byte < 0x20 or 0x7f in s[0..n)?  Eight bytes at a time. */
static int has_ctl(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w, d;
		memcpy(&w, s + i, 8);
		d = w ^ (0x7f * ones);
		/* a byte below 0x20, or a zero byte of w ^ 0x7f.. (a DEL) */
		if (((w - 0x20 * ones) & ~w & highs) | ((d - ones) & ~d & highs))
			break;
	}
	for (; i < n; i++)
		if (is_ctl((unsigned char)s[i]))
			return 1;
	return 0;
}

int alog_export_line(struct alog_export *x, const char *line, size_t len, struct alog_buf *out,
                     struct alog_error *e)
{
	struct alog_rec r;
	size_t mark = out->n;
	char *tmp = NULL;
	int rc;

	if (len == 0 || (len == 1 && line[0] == '\n'))
		return alog_err(e, "not an alog record: an empty line");
	/* A line from a pipe may come without its LF (the last one). */
	if (line[len - 1] != '\n') {
		tmp = alog_xmalloc(len + 1);
		memcpy(tmp, line, len);
		tmp[len] = '\n';
		line = tmp;
		len++;
	}
	/* Stored records never hold raw control characters; damaged lines must not pass them on. */
	if (has_ctl(line, len - 1)) {
		size_t i = 0;
		while (!is_ctl((unsigned char)line[i]))
			i++;
		free(tmp);
		return alog_err(e, "not an alog record: raw control character at byte %zu", i + 1);
	}
	if (x->o.format <= ALOG_FMT_TSV && quick_event(line, len, &r.members)) {
		r.line = line;
		r.len = len;
		r.type = ALOG_REC_EVENT;
	} else if (alog_rec_parse(&r, line, len, e) != 0) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		free(tmp);
		return alog_err(e, "not an alog record: %s", why);
	}
	if (r.type == ALOG_REC_OPEN) {
		struct alog_header h;
		struct alog_error he;
		if (alog_header_parse(&r, &h, &he) == 0)
			snprintf(x->origin, sizeof x->origin, "%s", h.origin);
	}
	if (r.type != ALOG_REC_EVENT) {
		free(tmp);
		return 0;
	}
	switch (x->o.format) {
	case ALOG_FMT_NDJSON:
	case ALOG_FMT_JSON:
		if (x->o.format == ALOG_FMT_JSON)
			alog_buf_str(out, x->count ? ",\n" : "\n");
		rc = put_json_record(x, &r, out);
		if (x->o.format == ALOG_FMT_NDJSON)
			buf_ch(out, '\n');
		break;
	case ALOG_FMT_CSV:
	case ALOG_FMT_TSV:
		rc = put_csv_record(x, &r, out);
		break;
	default: {
		/* The mapped formats copy values into other JSON: the body must be strict JSON. */
		const char *obj = r.line;
		size_t n = r.len - 1;
		struct alog_json_error je;
		x->filt.n = 0;
		alog_buf_reserve(&x->filt, n);
		if (alog_json_compact(r.line, n, x->filt.p, 1, &je) < 0) {
			free(tmp);
			out->n = mark;
			return alog_err(e, "not an alog record: byte %zu: %s", je.offset + 1, je.msg);
		}
		if (x->nrules) {
			x->filt.n = 0;
			if (filter_object(x, r.line, n, x->all_rules, 0, 0, &x->filt) != 0) {
				rc = -1;
				break;
			}
			obj = x->filt.p;
			n = x->filt.n;
		}
		if (x->o.format == ALOG_FMT_ECS)
			rc = put_ecs(x, &r, obj, n, out);
		else if (x->o.format == ALOG_FMT_OCSF)
			rc = put_ocsf(x, &r, obj, n, out);
		else if (x->o.format == ALOG_FMT_SYSLOG)
			rc = put_syslog(x, &r, obj, n, out);
		else
			rc = put_cef(x, &r, obj, n, out);
		if (rc == 0 && (x->o.format == ALOG_FMT_ECS || x->o.format == ALOG_FMT_OCSF))
			buf_ch(out, '\n');
	}
	}
	free(tmp);
	if (rc != 0) {
		out->n = mark;
		return alog_err(e, "not an alog record: malformed JSON");
	}
	x->count++;
	return 0;
}
