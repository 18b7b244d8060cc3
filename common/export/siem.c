/*
 * siem.c - Elastic ECS and OCSF documents, and the classes of actions
 * (OCSF classes, ECS categories and types) they need.
 */
#include "export/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/ts.h"
#include "export/internal.h"
#include "format/header.h"
#include "format/record.h"

/* ---- classifying an action (OCSF classes, ECS categories) ---- */

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
	if (m && alog_export_doc_set(&x->doc, 0, m->dst.c, m->dst.n, ON_RAW, v.p, v.n) >= 0)
		return 0;
	/* unmapped, or its field was taken: kept under the format's own place */
	for (size_t i = 0; i < x->nprefix; i++)
		full[i] = x->prefix[i];
	for (size_t i = 0; i < depth; i++)
		full[x->nprefix + i] = path[i];
	alog_export_doc_set(&x->doc, 0, full, x->nprefix + depth, ON_RAW, v.p, v.n);
	return 0;
}

static void doc_num(struct odoc *d, const char *path, uint64_t v)
{
	char t[32];
	int n = snprintf(t, sizeof t, "%llu", (unsigned long long)v);
	alog_export_doc_setp(d, path, ON_RAW, t, (size_t)n);
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

	alog_export_doc_reset(d);
	memcpy(ts, r->ts.p, ALOG_TS_LEN);
	ts[ALOG_TS_LEN] = '\0';
	doc_str(d, "@timestamp", ts);
	doc_str(d, "event.kind", "event");
	doc_str(d, "event.module", "alog");
	doc_str(d, "event.dataset", "alog.audit");
	if (alog_export_top_string(obj, n, "action", action, sizeof action)) {
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
	for (int i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", r->hash[i]);
	doc_str(d, "event.hash", hex);
	x->prefix[0] = "alog";
	x->prefix[1] = "event";
	x->nprefix = 2;
	x->consumed[0] = x->consumed[1] = NULL;
	if (alog_export_walk(x, obj, n, 0, 1, 0, doc_leaf) != 0)
		return -1;
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
	char ts[ALOG_TS_LEN + 1], hex[65], action[256], status[64];
	struct action_class c;
	struct odoc *d = &x->doc;
	const char *path[1];
	struct alog_span v;
	int have_action = alog_export_top_string(obj, n, "action", action, sizeof action);

	classify(have_action ? action : "", &c);
	alog_export_doc_reset(d);
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
		alog_export_doc_setp(d, "time", ON_RAW, t, (size_t)k);
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
	path[0] = "target";
	if (alog_json_lookup(obj, n, path, 1, &v) == 1) {
		if (c.cls == CLS_AUTH)
			alog_export_doc_setp(d, "service.name", ON_RAW, v.p, v.n);
		else if (c.cls == CLS_DB)
			alog_export_doc_setp(d, "database.name", ON_RAW, v.p, v.n);
		else if (c.cls == CLS_API) {
			x->text.n = 0;
			alog_buf_str(&x->text, "[{\"name\":");
			alog_buf_add(&x->text, v.p, v.n);
			alog_buf_str(&x->text, "}]");
			alog_export_doc_setp(d, "resources", ON_RAW, x->text.p, x->text.n);
		}
	}
	if (alog_export_top_string(obj, n, "outcome", status, sizeof status)) {
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
			alog_export_doc_setp(d, "user.name", ON_RAW, v.p, v.n);
	}
	x->prefix[0] = "unmapped";
	x->nprefix = 1;
	x->consumed[0] = have_action ? "action" : NULL;
	x->consumed[1] = c.cls != CLS_BASE ? "target" : NULL;
	if (alog_export_walk(x, obj, n, 0, 1, 0, doc_leaf) != 0)
		return -1;
	if (x->nrules)
		doc_meta_arrays(x, "unmapped.alog");
	alog_export_doc_json(d, 0, out);
	return 0;
}
