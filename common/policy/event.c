/*
 * event.c - validating and shaping user events.  Input is checked once,
 * strictly, and kept byte for byte (only insignificant whitespace goes);
 * the member names the format uses itself are refused, never renamed.
 */
#include "policy/event.h"

#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "format/record.h"

/* Is this raw (still escaped) member name one the format reserves? */
static int reserved(struct alog_span name)
{
	if (memchr(name.p, '\\', name.n)) {
		/* escaped spelling of a name: compare after unescaping */
		for (const char *const *r = alog_reserved_names; *r; r++)
			if (alog_json_name_eq(name, *r, strlen(*r)))
				return 1;
		return 0;
	}
	return alog_name_reserved(name.p, name.n);
}

/*
 * The first reserved top-level name, noted while validating (one pass);
 * the text is still validated to its end, so invalid JSON is reported as
 * such whatever names it holds.
 */
struct refused {
	struct alog_span name;
};

static int note_reserved(void *ctx, const char *name, size_t n, int esc)
{
	struct refused *r = ctx;
	struct alog_span sp = {name, n};

	/* no escape: the comparison by length (most names are longer than 4) */
	if (!r->name.p && (!esc ? alog_name_reserved(name, n) : reserved(sp)))
		r->name = sp;
	return 0;
}

/* {"a":1} -> ,"a":1   and  {} -> (empty), in place. */
static long to_members(char *obj, long n)
{
	if (n <= 2)
		return 0;
	obj[0] = ',';
	return n - 1;
}

long alog_event_from_json(const char *in, size_t n, char *out, struct alog_error *e)
{
	struct alog_json_error je;
	struct refused bad = {{NULL, 0}};
	long m;

	if (n && in[n - 1] == '\n')
		n--;
	if (n > ALOG_MAX_MEMBERS)
		return alog_err(e, "event longer than %d bytes", ALOG_MAX_MEMBERS);
	m = alog_json_compact_top(in, n, out, &je, note_reserved, &bad, ALOG_RESERVED_NAME_MAX);
	if (m >= 0 && bad.name.p) {
		char plain[32];
		long k = alog_json_unescape(bad.name.p, bad.name.n, plain, sizeof plain - 1);
		plain[k < 0 ? 0 : k] = '\0';
		return alog_err(e, "member name \"%s\" is reserved (the log sets it); use "
		                   "another name", plain);
	}
	if (m < 0) {
		/* JSON has no raw NUL anywhere: say so plainly when that is the cause */
		const char *nul = memchr(in, '\0', n);
		if (nul)
			return alog_err(e, "column %zu: NUL byte in input", (size_t)(nul - in) + 1);
		return alog_err(e, "column %zu: invalid JSON: %s", je.offset + 1, je.msg);
	}
	return to_members(out, m);
}

long alog_event_from_text(const char *in, size_t n, char *out, struct alog_error *e)
{
	static const char head[] = ",\"msg\":\"";
	long m;

	if (n && in[n - 1] == '\n')
		n--;
	if (memchr(in, '\0', n)) {
		size_t at = (size_t)((const char *)memchr(in, '\0', n) - in);
		return alog_err(e, "column %zu: NUL byte in input", at + 1);
	}
	memcpy(out, head, sizeof head - 1);
	m = alog_json_escape(in, n, out + sizeof head - 1);
	if (m < 0)
		return alog_err(e, "column %zu: invalid UTF-8", alog_utf8_check(in, n) + 1);
	m += (long)sizeof head - 1;
	out[m++] = '"';
	if (m > ALOG_MAX_MEMBERS)
		return alog_err(e, "event longer than %d bytes", ALOG_MAX_MEMBERS);
	return m;
}

/* ---- KEY=VALUE arguments ---- */

struct node {
	char *name;      /* escaped JSON name */
	char *value;     /* compact JSON value, NULL for an object */
	int first_child; /* -1 none */
	int last_child;
	int next;        /* next sibling, -1 none */
	int parent;      /* -1 for the root */
};

/*
 * The members the arguments name, as a tree; a hash set over (parent, name)
 * finds a member in constant time, so n arguments take linear time.
 */
struct tree {
	struct node *v;
	int n, cap;
	int *slots; /* node index + 1, 0 empty; nslots a power of two */
	size_t nslots;
};

static size_t slot_of(const struct tree *t, int parent, const char *name)
{
	uint64_t h = 14695981039346656037ULL ^ (uint64_t)(unsigned)parent;
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return (size_t)(h ^ (h >> 29)) & (t->nslots - 1);
}

static void slot_put(struct tree *t, int node)
{
	size_t i = slot_of(t, t->v[node].parent, t->v[node].name);
	while (t->slots[i])
		i = (i + 1) & (t->nslots - 1);
	t->slots[i] = node + 1;
}

static int tree_add(struct tree *t, int parent, char *name)
{
	struct node *nd;
	if (t->n == t->cap) {
		t->cap = t->cap ? 2 * t->cap : 16;
		t->v = alog_xrealloc(t->v, (size_t)t->cap * sizeof *t->v);
	}
	nd = &t->v[t->n];
	nd->name = name;
	nd->value = NULL;
	nd->parent = parent;
	nd->first_child = nd->last_child = nd->next = -1;
	if (parent >= 0) {
		if (t->v[parent].last_child >= 0)
			t->v[t->v[parent].last_child].next = t->n;
		else
			t->v[parent].first_child = t->n;
		t->v[parent].last_child = t->n;
	}
	/* at most half full: grow and put every node back */
	if ((size_t)(t->n + 1) * 2 > t->nslots) {
		free(t->slots);
		t->nslots = t->nslots ? 2 * t->nslots : 64;
		t->slots = alog_xcalloc(t->nslots, sizeof *t->slots);
		for (int i = 0; i < t->n; i++)
			slot_put(t, i);
	}
	slot_put(t, t->n);
	return t->n++;
}

static int tree_find(const struct tree *t, int parent, const char *name)
{
	for (size_t i = slot_of(t, parent, name); t->slots[i]; i = (i + 1) & (t->nslots - 1)) {
		const struct node *nd = &t->v[t->slots[i] - 1];
		if (nd->parent == parent && strcmp(nd->name, name) == 0)
			return t->slots[i] - 1;
	}
	return -1;
}

struct buf {
	char *p;
	size_t n, cap;
};

static void buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = alog_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = '\0';
}

static void emit(const struct tree *t, int node, struct buf *b)
{
	int first = 1;
	buf_put(b, "{", 1);
	for (int c = t->v[node].first_child; c >= 0; c = t->v[c].next) {
		if (!first)
			buf_put(b, ",", 1);
		first = 0;
		buf_put(b, "\"", 1);
		buf_put(b, t->v[c].name, strlen(t->v[c].name));
		buf_put(b, "\":", 2);
		if (t->v[c].value)
			buf_put(b, t->v[c].value, strlen(t->v[c].value));
		else
			emit(t, c, b);
	}
	buf_put(b, "}", 1);
}

static void tree_free(struct tree *t)
{
	for (int i = 0; i < t->n; i++) {
		free(t->v[i].name);
		free(t->v[i].value);
	}
	free(t->v);
	free(t->slots);
}

/* Escape s[0..n) as JSON string contents; malloc'd, NULL if not UTF-8. */
static char *escape_dup(const char *s, size_t n)
{
	char *out = alog_xmalloc(6 * n + 1);
	long m = alog_json_escape(s, n, out);
	if (m < 0) {
		free(out);
		return NULL;
	}
	out[m] = '\0';
	return out;
}

static int add_arg(struct tree *t, const char *arg, struct alog_error *e)
{
	const char *eq = strchr(arg, '=');
	const char *key_end, *p, *val;
	int typed, cur = 0;
	char *value;

	if (!eq || eq == arg || (eq == arg + 1 && arg[0] == ':'))
		return alog_err(e, "argument '%s' is not KEY=VALUE or KEY:=JSON", arg);
	typed = eq[-1] == ':';
	key_end = typed ? eq - 1 : eq;
	val = eq + 1;

	if (typed) {
		struct alog_json_error je;
		size_t vn = strlen(val);
		value = alog_xmalloc(vn + 1);
		long m = alog_json_compact(val, vn, value, 0, &je);
		if (m < 0) {
			free(value);
			return alog_err(e, "argument '%s': invalid JSON value at column %zu: %s", arg,
			                je.offset + 1, je.msg);
		}
		value[m] = '\0';
	} else {
		char *esc = escape_dup(val, strlen(val));
		if (!esc)
			return alog_err(e, "argument '%s': value is not valid UTF-8", arg);
		value = alog_xmalloc(strlen(esc) + 3);
		sprintf(value, "\"%s\"", esc);
		free(esc);
	}

	/* Walk the dotted key, creating objects on the way. */
	for (p = arg; p <= key_end;) {
		const char *dot = memchr(p, '.', (size_t)(key_end - p));
		const char *cend = dot ? dot : key_end;
		char *name;
		int child;

		if (cend == p) {
			free(value);
			return alog_err(e, "argument '%s': empty name in key", arg);
		}
		name = escape_dup(p, (size_t)(cend - p));
		if (!name) {
			free(value);
			return alog_err(e, "argument '%s': key is not valid UTF-8", arg);
		}
		child = tree_find(t, cur, name);
		if (dot) {
			if (child >= 0 && t->v[child].value) {
				free(name);
				free(value);
				return alog_err(e, "argument '%s': '%.*s' already holds a value", arg,
				                (int)(cend - arg), arg);
			}
			if (child < 0)
				child = tree_add(t, cur, name);
			else
				free(name);
			cur = child;
			p = dot + 1;
			continue;
		}
		if (child >= 0) {
			free(name);
			free(value);
			return alog_err(e, "argument '%s': key '%.*s' given twice", arg,
			                (int)(key_end - arg), arg);
		}
		child = tree_add(t, cur, name);
		t->v[child].value = value;
		return 0;
	}
	free(value);
	return alog_err(e, "argument '%s' is not KEY=VALUE or KEY:=JSON", arg);
}

char *alog_event_from_args(char *const *args, int n, size_t *len, struct alog_error *e)
{
	struct tree t = {0};
	struct buf b = {0};
	char *out;
	long m;

	tree_add(&t, -1, alog_xstrdup(""));
	for (int i = 0; i < n; i++) {
		if (add_arg(&t, args[i], e) != 0) {
			tree_free(&t);
			return NULL;
		}
	}
	emit(&t, 0, &b);
	tree_free(&t);
	out = alog_xmalloc(b.n + 1);
	m = alog_event_from_json(b.p, b.n, out, e);
	free(b.p);
	if (m < 0) {
		free(out);
		return NULL;
	}
	*len = (size_t)m;
	return out;
}
