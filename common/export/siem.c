/*
 * siem.c - Elastic ECS and OCSF documents, and the classes of actions
 * (OCSF classes, ECS categories and types) they need.
 */
#include "export/export.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/ts.h"
#include "export/internal.h"
#include "format/header.h"
#include "format/record.h"

/* ---- classifying an action (OCSF classes, ECS categories) ---- */

/*
 * Every (event.category, event.type) pair is one ECS lists among the
 * category's expected event types; any other type becomes "info", which
 * each category used here lists.
 */
static void ecs_pair_fix(struct action_class *c)
{
	const struct {
		const char *cat;
		const char *const *types;
	} expected[] = {
		{"api", (const char *const[]){"access", "admin", "allowed", "change", "creation",
		                              "deletion", "denied", "end", "info", "start", "user", NULL}},
		{"authentication", (const char *const[]){"start", "end", "info", NULL}},
		{"configuration", (const char *const[]){"access", "change", "creation", "deletion",
		                                        "info", NULL}},
		{"database", (const char *const[]){"access", "change", "info", "error", NULL}},
		{"file", (const char *const[]){"access", "change", "creation", "deletion", "info", NULL}},
		{"iam", (const char *const[]){"admin", "change", "creation", "deletion", "group", "info",
		                              "user", NULL}},
		{"process", (const char *const[]){"access", "change", "end", "info", "start", NULL}},
	};
	if (!c->ecs_category)
		return;
	for (size_t i = 0; i < ALOG_ARRAY_LEN(expected); i++)
		if (strcmp(c->ecs_category, expected[i].cat) == 0) {
			if (!word_in(c->ecs_type, expected[i].types))
				c->ecs_type = "info";
			return;
		}
	c->ecs_category = NULL;
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
	static const char *const ecs_iam[] = {"user", "users", "group", "groups", "account",
	                                      "role", "iam", "permission", NULL};
	static const char *const v_start[] = {"start", "launch", "run", "spawn", "exec", NULL};
	static const char *const v_end[] = {"stop", "end", "kill", "exit", "terminate", NULL};
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
			{(const char *const[]){"create", NULL}, 6, "Create", "change"},
			{(const char *const[]){"delete", "drop", "remove", "truncate", NULL}, 7, "Delete",
			 "change"},
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
			c->ecs_category = word_in(first, api_first) ? "api" : NULL;
		}
		if (word_in(first, ecs_config)) {
			c->ecs_category = "configuration";
		} else if (word_in(first, ecs_process)) {
			c->ecs_category = "process";
			if (word_in(last, v_start) || verb == 1)
				c->ecs_type = "start";
			else if (word_in(last, v_end) || verb == 4)
				c->ecs_type = "end";
		} else if (strcmp(first, "file") == 0) {
			c->ecs_category = "file";
		} else if (word_in(first, ecs_iam)) {
			c->ecs_category = "iam";
		}
	}
	ecs_pair_fix(c);
}

/* ---- ECS and OCSF ---- */

/*
 * The type of the built-in targets: a value that does not fit stays with
 * the unmapped members (alog.event.* in ECS, unmapped.* in OCSF).
 */
enum { T_ANY, T_STRING, T_IP, T_PORT, T_OUTCOME };

static int target_type(const char *t)
{
	static const char *const strings[] = {
		"user.name", "user.id", "user.email", "user.domain", "event.action", "message",
		"source.address", "host.name", "actor.user.name", "actor.user.uid",
		"actor.user.email_addr", "src_endpoint.hostname", "actor.session.uid",
		"status_detail", NULL};
	if (word_in(t, strings))
		return T_STRING;
	if (!strcmp(t, "source.ip") || !strcmp(t, "src_endpoint.ip"))
		return T_IP;
	if (!strcmp(t, "source.port") || !strcmp(t, "src_endpoint.port"))
		return T_PORT;
	if (!strcmp(t, "event.outcome"))
		return T_OUTCOME;
	return T_ANY;
}

static int value_fits_type(struct alog_export *x, int t, struct alog_span v)
{
	int type = alog_json_type(v.p, v.n);
	switch (t) {
	case T_STRING:
		/* OCSF string_t: at most 65,535 characters (bytes here, the safe side) */
		return type == ALOG_JSON_STRING &&
		       (x->o.format != ALOG_FMT_OCSF || v.n - 2 <= 65535);
	case T_IP:
		if (type != ALOG_JSON_STRING)
			return 0;
		alog_export_value_text(x, v);
		return alog_export_is_ip(x->text.p, x->text.n, 0);
	case T_PORT:
		return type == ALOG_JSON_NUMBER && alog_export_is_uint(v.p, v.n, 65535);
	case T_OUTCOME:
		return type == ALOG_JSON_STRING &&
		       (alog_span_eq((struct alog_span){v.p + 1, v.n - 2}, "success") ||
		        alog_span_eq((struct alog_span){v.p + 1, v.n - 2}, "failure") ||
		        alog_span_eq((struct alog_span){v.p + 1, v.n - 2}, "unknown"));
	default:
		return 1;
	}
}

/* The same for a mapping, its target's type looked up once. */
static int map_fits(struct alog_export *x, struct mapent *m, struct alog_span v)
{
	if (!m->ttype)
		m->ttype = target_type(m->dst.text) + 1;
	return value_fits_type(x, m->ttype - 1, v);
}

/*
 * The top-level members the formats look at besides the walk, found in
 * one pass (the first of a name, as alog_json_lookup finds it).
 */
struct tops {
	struct alog_span action, outcome, result, actor, target, src;
	int has_action, has_outcome, has_result, has_actor, has_target, has_src;
};

static void tops_find(const char *obj, size_t n, struct tops *t)
{
	struct alog_json_iter it;
	struct alog_span nm, v;

	memset(t, 0, sizeof *t);
	if (alog_json_iter_init(&it, obj, n) < 0)
		return;
	while (alog_json_iter_next(&it, &nm, &v) == 1) {
		/* a name without escapes is its bytes: no decoding per name compared */
		int raw = !memchr(nm.p, '\\', nm.n);
#define TOP(name)                                                          \
		if (!t->has_##name &&                                      \
		    (raw ? nm.n == sizeof #name - 1 && memcmp(nm.p, #name, nm.n) == 0 \
		         : alog_json_name_eq(nm, #name, sizeof #name - 1))) {     \
			t->name = v;                                       \
			t->has_##name = 1;                                 \
			continue;                                          \
		}
		TOP(action)
		TOP(outcome)
		TOP(result)
		TOP(actor)
		TOP(target)
		TOP(src)
#undef TOP
	}
}

/* A top-level string found by tops_find, unescaped into out; 0 if it is none. */
static int top_string(int has, struct alog_span v, char *out, size_t cap)
{
	return has && alog_export_span_string(v, out, cap);
}

/*
 * The outcome of an event from its outcome member, else its result member:
 * 1 success, 2 failure, 0 none or unknown, 99 something else.
 */
static int outcome_of(const struct tops *t)
{
	static const char *const ok[] = {"success", "succeeded", "ok", "allowed", "allow",
	                                 "accepted", "granted", "pass", "passed", "true", NULL};
	static const char *const bad[] = {"failure", "failed", "fail", "error", "denied", "deny",
	                                  "rejected", "refused", "blocked", "forbidden",
	                                  "unauthorized", "false", NULL};
	char w[32];

	for (size_t i = 0; i < 2; i++) {
		if (!(i == 0 ? top_string(t->has_outcome, t->outcome, w, sizeof w)
		             : top_string(t->has_result, t->result, w, sizeof w)) || !w[0])
			continue;
		for (char *q = w; *q; q++)
			if (*q >= 'A' && *q <= 'Z')
				*q = (char)(*q + 32);
		if (word_in(w, ok))
			return 1;
		if (word_in(w, bad))
			return 2;
		if (!strcmp(w, "unknown"))
			return 0;
		return 99;
	}
	return 0;
}

/* Elasticsearch's default index.mapping.depth.limit */
#define ES_DEPTH_LIMIT 20

/*
 * A name as Elasticsearch can take it: a dot would be read as a level, an
 * empty or blank name is refused; dots become _, a blank name _.
 */
static char *es_name(const char *s)
{
	size_t n = strlen(s), blank = 1;
	char *t = alog_xmalloc(n + 2);
	for (size_t i = 0; i < n; i++) {
		t[i] = s[i] == '.' ? '_' : s[i];
		if (s[i] != ' ' && s[i] != '\t')
			blank = 0;
	}
	t[n] = '\0';
	if (blank)
		strcpy(t, "_");
	return t;
}

/*
 * Set one value under alog.event at comp[0..n): deeper than the depth
 * limit, the names past it are joined with _ into one; a path taken gets
 * a numeric suffix, the next one remembered per path (x->bases), so n
 * names that all become one cost O(n).
 */
static void ecs_set(struct alog_export *x, const char **comp, size_t n, struct alog_span v,
                    int kind)
{
	struct alog_buf joined = {0}, key = {0};
	if (n > ES_DEPTH_LIMIT) {
		for (size_t i = ES_DEPTH_LIMIT - 1; i < n; i++) {
			if (i >= ES_DEPTH_LIMIT)
				buf_ch(&joined, '_');
			alog_buf_str(&joined, comp[i]);
		}
		buf_ch(&joined, '\0');
		comp[ES_DEPTH_LIMIT - 1] = joined.p;
		n = ES_DEPTH_LIMIT;
	}
	if (alog_export_doc_set(&x->doc, 0, comp, n, kind, v.p, v.n) < 0) {
		const char *last = comp[n - 1];
		for (size_t i = 0; i < n; i++) {
			alog_buf_str(&key, comp[i]);
			buf_ch(&key, '\x1f');
		}
		buf_ch(&key, '\0');
		const char *bk[1] = {key.p};
		int b = alog_export_doc_find(&x->bases, 0, key.p, key.n - 1);
		if (b < 0) {
			b = alog_export_doc_set(&x->bases, 0, bk, 1, ON_RAW, "", 0);
			x->bases.n[b].vn = 2;
		}
		size_t ln = strlen(last) + 24;
		char *name = alog_xmalloc(ln);
		for (size_t k = x->bases.n[b].vn;; k++) {
			snprintf(name, ln, "%s_%zu", last, k);
			comp[n - 1] = name;
			if (alog_export_doc_set(&x->doc, 0, comp, n, kind, v.p, v.n) >= 0) {
				x->bases.n[b].vn = k + 1;
				break;
			}
		}
		free(name);
		comp[n - 1] = last;
	}
	alog_buf_free(&joined);
	alog_buf_free(&key);
}

/* The scalars of a (nested) array, flattened as Elasticsearch flattens them, into out. */
static void ecs_array(struct alog_export *x, const char **comp, size_t n, struct alog_span a,
                      struct alog_buf *out, size_t *index);

/*
 * Place value v at comp[0..n) (comp[0..keep) are the prefix, the others
 * member names already made safe) the way Elasticsearch's dynamic mapping
 * takes it: an object member by member (names made safe), an array with
 * its values in it and each object in it as a field of its own,
 * NAME_INDEX (an array that mixes objects and values is refused, and the
 * members of objects in one array would share one mapping).
 */
static void ecs_place(struct alog_export *x, const char **comp, size_t keep, size_t n,
                      struct alog_span v)
{
	const char *local[ALOG_JSON_MAX_DEPTH + 8];
	char *own[ALOG_JSON_MAX_DEPTH + 8];
	size_t nown = 0;

	/* make the given names safe */
	for (size_t i = 0; i < n; i++) {
		if (i < keep || (!strchr(comp[i], '.') && comp[i][strspn(comp[i], " \t")])) {
			local[i] = comp[i];
			continue;
		}
		own[nown] = es_name(comp[i]);
		local[i] = own[nown++];
	}
	int type = alog_json_type(v.p, v.n);
	if (type == ALOG_JSON_OBJECT && v.n > 2 && n < ALOG_JSON_MAX_DEPTH + 7) {
		struct alog_json_iter it;
		struct alog_span nm, mv;
		alog_json_iter_init(&it, v.p, v.n);
		while (alog_json_iter_next(&it, &nm, &mv) == 1) {
			char *name = alog_xmalloc(nm.n + 1);
			long k = alog_json_unescape(nm.p, nm.n, name, nm.n + 1);
			name[k < 0 ? 0 : k] = '\0';
			local[n] = name;
			ecs_place(x, local, n, n + 1, mv);
			free(name);
		}
	} else if (type == ALOG_JSON_ARRAY && n < ALOG_JSON_MAX_DEPTH + 7) {
		struct alog_buf vals = {0};
		size_t index = 0;
		buf_ch(&vals, '[');
		ecs_array(x, local, n, v, &vals, &index);
		buf_ch(&vals, ']');
		/* the values, or an empty array when there was nothing but objects */
		if (vals.n > 2 || index == 0 || v.n <= 2)
			ecs_set(x, local, n, (struct alog_span){vals.p, vals.n}, ON_RAW);
		alog_buf_free(&vals);
	} else {
		ecs_set(x, local, n, v, ON_RAW);
	}
	for (size_t i = 0; i < nown; i++)
		free(own[i]);
}

static void ecs_array(struct alog_export *x, const char **comp, size_t n, struct alog_span a,
                      struct alog_buf *out, size_t *index)
{
	const char *p = a.p + 1, *end = a.p + a.n - 1;
	for (;;) {
		while (p < end && (*p == ' ' || *p == ',' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (p >= end)
			return;
		const char *q = alog_json_skip(p, end);
		if (!q)
			return;
		struct alog_span e = {p, (size_t)(q - p)};
		int type = alog_json_type(e.p, e.n);
		if (type == ALOG_JSON_ARRAY) {
			ecs_array(x, comp, n, e, out, index);
		} else if (type == ALOG_JSON_OBJECT) {
			/* NAME_INDEX beside the array */
			const char *last = comp[n - 1];
			size_t ln = strlen(last) + 24;
			char *name = alog_xmalloc(ln);
			snprintf(name, ln, "%s_%zu", last, *index);
			comp[n - 1] = name;
			ecs_place(x, comp, n, n, e);
			comp[n - 1] = last;
			free(name);
		} else if (type != ALOG_JSON_NULL) {
			if (out->n > 1)
				buf_ch(out, ',');
			alog_buf_add(out, e.p, e.n);
		}
		(*index)++;
		p = q;
	}
}

static int doc_leaf(struct alog_export *x, const char *const *path, size_t depth,
                    struct alog_span v, const struct mapent *cm)
{
	/* the walk hands out the exporter's own mappings: the type cache is ours to fill */
	struct mapent *m = (struct mapent *)(uintptr_t)cm;
	const char *full[ALOG_JSON_MAX_DEPTH + 4];

	if (m && m->omit)
		return 0;
	if (!m && depth == 1)
		for (size_t i = 0; i < 2; i++)
			if (x->consumed[i] && strcmp(path[0], x->consumed[i]) == 0)
				return 0;
	if (m && x->ocsf_base && (!strcmp(m->dst.c[0], "actor") || !strcmp(m->dst.c[0], "src_endpoint")))
		m = NULL; /* the Base Event defines neither */
	if (m && !map_fits(x, m, v))
		m = NULL;
	if (m && alog_export_doc_set(&x->doc, 0, m->dst.c, m->dst.n, ON_RAW, v.p, v.n) >= 0)
		return 0;
	/* unmapped, or its field was taken: kept under the format's own place */
	for (size_t i = 0; i < x->nprefix; i++)
		full[i] = x->prefix[i];
	if (x->o.format != ALOG_FMT_ECS) {
		for (size_t i = 0; i < depth; i++)
			full[x->nprefix + i] = path[i];
		alog_export_doc_set(&x->doc, 0, full, x->nprefix + depth, ON_RAW, v.p, v.n);
		return 0;
	}
	for (size_t i = 0; i < depth; i++)
		full[x->nprefix + i] = path[i];
	ecs_place(x, full, x->nprefix, x->nprefix + depth, v);
	return 0;
}

static void doc_num(struct odoc *d, const char *path, uint64_t v)
{
	char t[32];
	size_t n = alog_export_u64_text(t, v);
	alog_export_doc_setp(d, path, ON_RAW, t, n);
}

static void doc_str(struct odoc *d, const char *path, const char *s)
{
	alog_export_doc_setp(d, path, ON_STR, s, strlen(s));
}

static void doc_meta_arrays(struct alog_export *x, const char *at)
{
	/* at: "alog" or "unmapped.alog"; the copy's own statement */
	char p[64];
	const char *j = strchr(x->meta_json, '{');
	snprintf(p, sizeof p, "%s", at);
	alog_export_doc_setp(&x->doc, p, ON_RAW, j, strlen(j));
}

int alog_export_put_ecs(struct alog_export *x, const struct alog_rec *r, const char *obj, size_t n,
                        struct alog_buf *out)
{
	char ts[ALOG_TS_LEN + 1], hex[65], action[256];
	struct action_class c;
	struct odoc *d = &x->doc;
	struct tops t;

	tops_find(obj, n, &t);
	alog_export_doc_reset(d);
	alog_export_doc_reset(&x->bases);
	memcpy(ts, r->ts.p, ALOG_TS_LEN);
	ts[ALOG_TS_LEN] = '\0';
	doc_str(d, "@timestamp", ts);
	doc_str(d, "event.kind", "event");
	doc_str(d, "event.module", "alog");
	doc_str(d, "event.dataset", "alog.audit");
	if (top_string(t.has_action, t.action, action, sizeof action)) {
		classify(action, &c);
		if (c.ecs_category) {
			char a[64];
			int k = snprintf(a, sizeof a, "[\"%s\"]", c.ecs_category);
			alog_export_doc_setp(d, "event.category", ON_RAW, a, (size_t)k);
			k = snprintf(a, sizeof a, "[\"%s\"]", c.ecs_type);
			alog_export_doc_setp(d, "event.type", ON_RAW, a, (size_t)k);
		}
	}
	doc_num(d, "event.sequence", r->seq);
	alog_export_hex_hash(hex, r->hash);
	doc_str(d, "event.hash", hex);
	x->prefix[0] = "alog";
	x->prefix[1] = "event";
	x->nprefix = 2;
	x->consumed[0] = x->consumed[1] = NULL;
	x->ocsf_base = 0;
	if (alog_export_walk(x, obj, n, 0, 1, 0, doc_leaf) != 0)
		return -1;
	{
		/* outcome or result, in the words ECS allows (the member as written stays) */
		int o = outcome_of(&t);
		if (o == 1 || o == 2)
			doc_str(d, "event.outcome", o == 1 ? "success" : "failure");
	}
	if (x->origin[0])
		doc_str(d, "alog.origin", x->origin);
	if (x->nrules) {
		alog_export_doc_setp(d, "tags", ON_RAW, "[\"alog-redacted-copy\"]", 22);
		doc_meta_arrays(x, "alog.copy");
	}
	doc_str(d, "ecs.version", ALOG_ECS_VERSION);
	if (x->o.bulk_index) {
		alog_buf_str(out, "{\"create\":{\"_index\":");
		alog_export_put_json_quoted(out, x->o.bulk_index, strlen(x->o.bulk_index));
		alog_buf_str(out, ",\"_id\":\"");
		alog_buf_str(out, hex);
		alog_buf_str(out, "\"}}\n");
	}
	alog_export_doc_json(d, 0, out);
	return 0;
}

int alog_export_put_ocsf(struct alog_export *x, const struct alog_rec *r, const char *obj, size_t n,
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
	char ts[ALOG_TS_LEN + 1], hex[65], action[256];
	struct action_class c;
	struct odoc *d = &x->doc;
	struct alog_span v;
	struct tops t;
	int have_action, actor_ok, target_ok, src_ok, target_placed = 0;

	tops_find(obj, n, &t);
	have_action = top_string(t.has_action, t.action, action, sizeof action);

	classify(have_action ? action : "", &c);
	/*
	 * A class is chosen only when the event fills its required attributes
	 * (OCSF 1.3.0): Authentication a user and a service, API and Datastore
	 * Activity an actor and a source endpoint.  Else a Base Event.
	 */
	actor_ok = t.has_actor && value_fits_type(x, T_STRING, t.actor);
	target_ok = t.has_target && value_fits_type(x, T_STRING, t.target);
	src_ok = 0;
	if (t.has_src && alog_json_type(t.src.p, t.src.n) == ALOG_JSON_OBJECT) {
		const char *sp[1] = {"ip"};
		src_ok = alog_json_lookup(t.src.p, t.src.n, sp, 1, &v) == 1 &&
		         value_fits_type(x, T_IP, v);
		sp[0] = "host";
		src_ok = src_ok || (alog_json_lookup(t.src.p, t.src.n, sp, 1, &v) == 1 &&
		                    value_fits_type(x, T_STRING, v));
	}
	/* the host the log is kept on is where an authentication without a target happened */
	char host[256];
	size_t hk = 0;
	for (const char *q = x->origin; *q && *q != '/' && hk < sizeof host - 1; q++)
		host[hk++] = *q;
	host[hk] = '\0';
	if ((c.cls == CLS_AUTH && !(actor_ok && (target_ok || hk))) ||
	    ((c.cls == CLS_API || c.cls == CLS_DB) && !(actor_ok && src_ok))) {
		c.cls = CLS_BASE;
		c.activity = have_action && action[0] ? 99 : 0;
		c.activity_name = c.activity ? "Other" : "Unknown";
	}
	if (c.cls == CLS_BASE && c.activity != 0) {
		c.activity = 99;
		c.activity_name = "Other";
	}
	x->ocsf_base = c.cls == CLS_BASE;
	alog_export_doc_reset(d);
	memcpy(ts, r->ts.p, ALOG_TS_LEN);
	ts[ALOG_TS_LEN] = '\0';
	alog_export_hex_hash(hex, r->hash);
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
		char ms[32];
		int k = snprintf(ms, sizeof ms, "%lld", (long long)(r->ts_ns / 1000000));
		alog_export_doc_setp(d, "time", ON_RAW, ms, (size_t)k);
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
		alog_export_doc_setp(d, "metadata.labels", ON_RAW, "[\"alog-redacted-copy\"]", 22);
	if (have_action) {
		doc_str(d, "metadata.event_code", action);
		if (c.cls == CLS_API)
			doc_str(d, "api.operation", action);
	}
	/* the class's own place for the target, and the outcome as a status */
	if (target_ok) {
		v = t.target;
		target_placed = 1;
		if (c.cls == CLS_AUTH) {
			alog_export_doc_setp(d, "service.name", ON_RAW, v.p, v.n);
		} else if (c.cls == CLS_DB) {
			alog_export_doc_setp(d, "database.name", ON_RAW, v.p, v.n);
		} else if (c.cls == CLS_API) {
			x->text.n = 0;
			alog_buf_str(&x->text, "[{\"name\":");
			alog_buf_add(&x->text, v.p, v.n);
			alog_buf_str(&x->text, "}]");
			alog_export_doc_setp(d, "resources", ON_RAW, x->text.p, x->text.n);
		} else {
			target_placed = 0;
		}
	}
	if (c.cls == CLS_DB) {
		/* the kind of database is not in the record: Unknown, as OCSF defines it */
		doc_num(d, "database.type_id", 0);
		doc_str(d, "database.type", "Unknown");
	}
	{
		int sid = outcome_of(&t);
		static const char *const caption[] = {"Unknown", "Success", "Failure"};
		doc_num(d, "status_id", (uint64_t)sid);
		doc_str(d, "status", sid == 99 ? "Other" : caption[sid]);
	}
	if (c.cls == CLS_AUTH && !target_placed)
		doc_str(d, "dst_endpoint.hostname", host);
	/* Authentication names its subject in user too. */
	if (c.cls == CLS_AUTH && t.has_actor)
		alog_export_doc_setp(d, "user.name", ON_RAW, t.actor.p, t.actor.n);
	x->prefix[0] = "unmapped";
	x->nprefix = 1;
	x->consumed[0] = have_action ? "action" : NULL;
	x->consumed[1] = target_placed ? "target" : NULL;
	if (alog_export_walk(x, obj, n, 0, 1, 0, doc_leaf) != 0)
		return -1;
	if (x->nrules)
		doc_meta_arrays(x, "unmapped.alog");
	alog_export_doc_json(d, 0, out);
	return 0;
}
