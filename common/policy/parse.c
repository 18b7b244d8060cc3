/*
 * parse.c - reading a policy (alog-policy(5)) once, with jansson: checking
 * every member, compiling patterns, loading the pepper and reader keys it
 * names, and allocating the buffers the walk uses.
 */
#include "policy/policy.h"

#include <jansson.h>
#include <regex.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/enc.h"
#include "base/json.h"
#include "base/sha256.h"
#include "format/record.h"
#include "keys/protect.h"
#include "policy/detect.h"
#include "policy/event.h"
#include "policy/internal.h"

/* Zeroed memory; like alog_xmalloc, ends the program when there is none. */
static void *zalloc(size_t n, size_t size)
{
	size_t bytes = n * size;
	void *p = alog_xmalloc(bytes ? bytes : 1);
	memset(p, 0, bytes);
	return p;
}

struct parse {
	struct alog_policy *p;
	const char *name;
	const char *dir;
	struct alog_error *e;
};

static int perr(struct parse *ps, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(struct parse *ps, const char *fmt, ...)
{
	va_list ap;
	char msg[480];

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	alog_err(ps->e, "%s", msg);
	return alog_err_at(ps->e, ps->name, 0);
}

/* Refuse members not in the list: a typo must not silently weaken a policy. */
static int check_keys(struct parse *ps, json_t *obj, const char *where, const char *const *ok)
{
	const char *k;
	json_t *v;

	json_object_foreach(obj, k, v) {
		const char *const *o;
		for (o = ok; *o; o++)
			if (strcmp(k, *o) == 0)
				break;
		if (!*o) {
			char list[256];
			size_t n = 0;
			list[0] = '\0';
			for (o = ok; *o && n < sizeof list; o++)
				n += (size_t)snprintf(list + n, sizeof list - n, "%s%s",
				                      o == ok ? "" : ", ", *o);
			return perr(ps, "%s: unknown member \"%.64s\" (expected %s)", where, k,
			            list);
		}
	}
	return 0;
}

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > NAME_MAX_LEN)
		return 0;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (!((c | 0x20) >= 'a' && (c | 0x20) <= 'z') && !(c >= '0' && c <= '9') &&
		    c != '.' && c != '_' && c != '-')
			return 0;
	}
	return 1;
}

static int parse_path(struct parse *ps, const char *where, const char *text, struct path *out)
{
	const char *s = text, *dot;
	size_t len = strlen(text);

	memset(out, 0, sizeof *out);
	if (len == 0)
		return perr(ps, "%s: empty member path", where);
	if (text[0] == '.' || text[len - 1] == '.' || strstr(text, ".."))
		return perr(ps, "%s: member path \"%s\" has an empty name (paths are names "
		                "joined by dots)", where, text);
	out->text = alog_xstrdup(text);
	out->c = alog_xmalloc((len / 2 + 2) * sizeof *out->c);
	for (;;) {
		size_t n;
		dot = strchr(s, '.');
		n = dot ? (size_t)(dot - s) : strlen(s);
		if (n == 2 && memcmp(s, "**", 2) == 0) {
			if (out->n != 0)
				return perr(ps, "%s: \"**\" may only start a member path (\"%s\")",
				            where, text);
			out->floating = 1;
		} else {
			if (out->n >= MAX_DEPTH)
				return perr(ps, "%s: member path \"%s\" is deeper than %d names",
				            where, text, MAX_DEPTH);
			if (memchr(s, '*', n) && !(n == 1))
				return perr(ps, "%s: in \"%s\", '*' stands for a whole name, not "
				                "part of one", where, text);
			out->c[out->n].s = alog_xmalloc(n + 1);
			memcpy(out->c[out->n].s, s, n);
			out->c[out->n].s[n] = '\0';
			out->c[out->n].n = n;
			out->c[out->n].star = n == 1 && s[0] == '*';
			out->n++;
		}
		if (!dot)
			break;
		s = dot + 1;
	}
	if (out->floating && out->n == 0)
		return perr(ps, "%s: \"**\" needs a name after it (\"**.password\")", where);
	return 0;
}

static void free_path(struct path *p)
{
	for (unsigned i = 0; i < p->n; i++)
		free(p->c[i].s);
	free(p->c);
	free(p->text);
}

static struct entry *add_entry(struct alog_policy *p, enum ekind kind, int block)
{
	struct entry *e;
	p->ent = alog_xrealloc(p->ent, (p->nent + 1) * sizeof *p->ent);
	e = &p->ent[p->nent++];
	memset(e, 0, sizeof *e);
	e->kind = kind;
	e->block = block;
	e->rule = -1;
	return e;
}

static int parse_require(struct parse *ps, json_t *v, const char *where, int block)
{
	size_t i;
	json_t *x;
	char w[96];

	if (!json_is_array(v))
		return perr(ps, "%s: expected an array of member paths", where);
	json_array_foreach(v, i, x) {
		snprintf(w, sizeof w, "%s[%zu]", where, i);
		if (!json_is_string(x))
			return perr(ps, "%s: expected a member path (a string)", w);
		if (parse_path(ps, w, json_string_value(x),
		               &add_entry(ps->p, E_REQUIRE, block)->path))
			return -1;
	}
	return 0;
}

static int type_bit(const char *s, unsigned *bit)
{
	for (size_t i = 0; i < ALOG_ARRAY_LEN(type_names); i++) {
		if (strcmp(s, type_names[i]) == 0) {
			*bit = 1u << i;
			return 0;
		}
	}
	return -1;
}

static int parse_types(struct parse *ps, json_t *v, const char *where, int block)
{
	const char *k;
	json_t *x;
	char w[160];

	if (!json_is_object(v))
		return perr(ps, "%s: expected an object of member paths and types", where);
	json_object_foreach(v, k, x) {
		struct entry *e;
		unsigned bits = 0, b;
		snprintf(w, sizeof w, "%s.\"%.64s\"", where, k);
		if (json_is_string(x)) {
			if (type_bit(json_string_value(x), &bits) != 0)
				return perr(ps,
				            "%s: unknown type \"%.32s\" (expected string, number, "
				            "integer, boolean, object, array or null)",
				            w, json_string_value(x));
		} else if (json_is_array(x) && json_array_size(x) > 0) {
			size_t i;
			json_t *t;
			json_array_foreach(x, i, t) {
				if (!json_is_string(t) || type_bit(json_string_value(t), &b) != 0)
					return perr(ps, "%s: expected type names (string, "
					                "number, integer, boolean, object, array, "
					                "null)", w);
				bits |= b;
			}
		} else {
			return perr(ps, "%s: expected a type name or an array of them", w);
		}
		e = add_entry(ps->p, E_TYPE, block);
		e->types = bits;
		if (parse_path(ps, w, k, &e->path) != 0)
			return -1;
	}
	return 0;
}

static int parse_act(struct parse *ps, const char *where, json_t *v, enum act *a)
{
	const char *s = json_is_string(v) ? json_string_value(v) : "";
	for (int i = 0; i < ACT_COUNT; i++) {
		if (strcmp(s, act_names[i]) == 0) {
			*a = (enum act)i;
			return 0;
		}
	}
	if (strcmp(s, "pseudonymize") == 0) {
		*a = ACT_PSEUDO;
		return 0;
	}
	return perr(ps, "%s: \"do\" must be drop, mask, pseudonymise, encrypt or reject", where);
}

static int parse_keep(struct parse *ps, const char *where, json_t *v, unsigned *keep)
{
	if (!v)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 64)
		return perr(ps, "%s: \"keep\" must be an integer from 0 to 64", where);
	*keep = (unsigned)json_integer_value(v);
	return 0;
}

static int parse_rules(struct parse *ps, json_t *v, const char *where, int block)
{
	static const char *const keys[] = {"name", "comment", "path", "match", "do", "keep", NULL};
	struct alog_policy *p = ps->p;
	size_t i;
	json_t *x;
	char w[96];

	if (!json_is_array(v))
		return perr(ps, "%s: expected an array of rules", where);
	json_array_foreach(v, i, x) {
		json_t *name, *path, *match, *keep;
		struct rule *r;
		char defname[96];

		snprintf(w, sizeof w, "%s[%zu]", where, i);
		if (!json_is_object(x))
			return perr(ps, "%s: expected a rule (an object)", w);
		if (check_keys(ps, x, w, keys) != 0)
			return -1;
		p->rules = alog_xrealloc(p->rules, (p->nrules + 1) * sizeof *p->rules);
		r = &p->rules[p->nrules];
		memset(r, 0, sizeof *r);
		r->pat = -1;
		r->block = block;
		name = json_object_get(x, "name");
		if (name) {
			if (!json_is_string(name) || !name_ok(json_string_value(name)))
				return perr(ps,
				            "%s: \"name\" must be 1 to %d letters, digits, '.', "
				            "'_' or '-'",
				            w, NAME_MAX_LEN);
			r->name = alog_xstrdup(json_string_value(name));
		} else {
			snprintf(defname, sizeof defname, "%s", w);
			r->name = alog_xstrdup(defname);
		}
		p->nrules++;
		if (!json_object_get(x, "do"))
			return perr(ps, "%s: a rule needs \"do\" (drop, mask, pseudonymise, "
			                "encrypt or reject)", w);
		if (parse_act(ps, w, json_object_get(x, "do"), &r->act) != 0)
			return -1;
		r->keep = DEFAULT_KEEP;
		keep = json_object_get(x, "keep");
		if (keep && r->act != ACT_MASK)
			return perr(ps, "%s: \"keep\" applies to mask only", w);
		if (parse_keep(ps, w, keep, &r->keep) != 0)
			return -1;
		path = json_object_get(x, "path");
		match = json_object_get(x, "match");
		if (!path && !match)
			return perr(ps, "%s: a rule needs \"path\", \"match\" or both", w);
		if (match) {
			int rc;
			if (!json_is_string(match) || json_string_length(match) == 0)
				return perr(ps,
				            "%s: \"match\" must be a regular expression (a string)",
				            w);
			if (p->npat == ALOG_POLICY_MAX_PATTERNS)
				return perr(ps, "%s: more than %d rules with \"match\"", w,
				            ALOG_POLICY_MAX_PATTERNS);
			r->pattern = alog_xstrdup(json_string_value(match));
			rc = regcomp(&r->re, r->pattern, REG_EXTENDED);
			if (rc != 0) {
				char msg[128];
				regerror(rc, &r->re, msg, sizeof msg);
				free(r->pattern);
				r->pattern = NULL;
				return perr(ps, "%s: bad regular expression in \"match\": %s", w,
				            msg);
			}
			r->pat = (int)p->npat;
			p->pat_rule[p->npat++] = (int)p->nrules - 1;
		}
		if (path) {
			struct entry *e;
			if (!json_is_string(path))
				return perr(ps, "%s: \"path\" must be a member path (a string)", w);
			r->has_path = 1;
			e = add_entry(p, E_RULE, block);
			e->rule = (int)p->nrules - 1;
			if (parse_path(ps, w, json_string_value(path), &e->path) != 0)
				return -1;
		} else if (block < 0) {
			p->gpats |= 1ULL << r->pat;
		}
	}
	return 0;
}

static int parse_detectors(struct parse *ps, json_t *v)
{
	static const enum act defaults[ALOG_DET_COUNT] = {
		ACT_REJECT, ACT_MASK, ACT_MASK, ACT_MASK, ACT_MASK, ACT_MASK, ACT_MASK,
	};
	static const char *const keys[] = {"do", "keep", "comment", NULL};
	const char *k;
	json_t *x;
	char w[96];

	if (!json_is_object(v))
		return perr(ps, "detectors: expected an object of detector names and actions");
	json_object_foreach(v, k, x) {
		int d = alog_detector_find(k);
		struct det *dt;
		snprintf(w, sizeof w, "detectors.%.64s", k);
		if (d < 0)
			return perr(ps,
			            "%s: unknown detector (expected private-key, aws-access-key, "
			            "jwt, bearer-token, url-password, card-number or email)",
			            w);
		dt = &ps->p->det[d];
		dt->act = defaults[d];
		dt->keep = d == ALOG_DET_CARD || d == ALOG_DET_AWS_KEY ? DEFAULT_KEEP : 0;
		if (json_is_boolean(x)) {
			dt->on = json_is_true(x);
		} else if (json_is_string(x) && strcmp(json_string_value(x), "off") == 0) {
			dt->on = 0;
		} else if (json_is_string(x)) {
			dt->on = 1;
			if (parse_act(ps, w, x, &dt->act) != 0)
				return -1;
		} else if (json_is_object(x)) {
			if (check_keys(ps, x, w, keys) != 0)
				return -1;
			dt->on = 1;
			if (!json_object_get(x, "do"))
				return perr(ps, "%s: needs \"do\"", w);
			if (parse_act(ps, w, json_object_get(x, "do"), &dt->act) != 0)
				return -1;
			if (json_object_get(x, "keep") && dt->act != ACT_MASK)
				return perr(ps, "%s: \"keep\" applies to mask only", w);
			if (parse_keep(ps, w, json_object_get(x, "keep"), &dt->keep) != 0)
				return -1;
		} else {
			return perr(ps,
			            "%s: expected true, false, \"off\", an action or {\"do\": ...}",
			            w);
		}
	}
	return 0;
}

static int parse_events(struct parse *ps, json_t *v)
{
	static const char *const keys[] = {"name", "comment", "action", "require", "types",
	                                   "rules", NULL};
	struct alog_policy *p = ps->p;
	size_t i;
	json_t *x;
	char w[96];

	if (!json_is_array(v))
		return perr(ps, "events: expected an array of {\"action\": ..., ...} objects");
	json_array_foreach(v, i, x) {
		struct block *b;
		json_t *a, *name;
		int bi = (int)p->nblocks;
		char rw[128];

		snprintf(w, sizeof w, "events[%zu]", i);
		if (!json_is_object(x))
			return perr(ps, "%s: expected an object", w);
		if (check_keys(ps, x, w, keys) != 0)
			return -1;
		p->blocks = alog_xrealloc(p->blocks, (p->nblocks + 1) * sizeof *p->blocks);
		b = &p->blocks[p->nblocks++];
		memset(b, 0, sizeof *b);
		name = json_object_get(x, "name");
		if (name && (!json_is_string(name) || !name_ok(json_string_value(name))))
			return perr(ps,
			            "%s: \"name\" must be 1 to %d letters, digits, '.', '_' or '-'",
			            w, NAME_MAX_LEN);
		b->name = alog_xstrdup(name ? json_string_value(name) : w);
		a = json_object_get(x, "action");
		if (json_is_string(a) && json_string_length(a) > 0) {
			b->acts = alog_xmalloc(sizeof *b->acts);
			b->acts[b->nacts++] = alog_xstrdup(json_string_value(a));
		} else if (json_is_array(a) && json_array_size(a) > 0) {
			size_t j;
			json_t *y;
			b->acts = alog_xmalloc(json_array_size(a) * sizeof *b->acts);
			json_array_foreach(a, j, y) {
				if (!json_is_string(y) || json_string_length(y) == 0)
					return perr(ps,
					            "%s: \"action\" must be a pattern or an array "
					            "of patterns",
					            w);
				b->acts[b->nacts++] = alog_xstrdup(json_string_value(y));
			}
		} else {
			return perr(ps,
			            "%s: needs \"action\": the action pattern (\"db.*\") it "
			            "applies to",
			            w);
		}
		snprintf(rw, sizeof rw, "%s.require", w);
		if (json_object_get(x, "require") &&
		    parse_require(ps, json_object_get(x, "require"), rw, bi) != 0)
			return -1;
		snprintf(rw, sizeof rw, "%s.types", w);
		if (json_object_get(x, "types") &&
		    parse_types(ps, json_object_get(x, "types"), rw, bi) != 0)
			return -1;
		snprintf(rw, sizeof rw, "%s.rules", w);
		if (json_object_get(x, "rules") &&
		    parse_rules(ps, json_object_get(x, "rules"), rw, bi) != 0)
			return -1;
	}
	return 0;
}

static char *key_path(struct parse *ps, const char *f)
{
	char *out;
	if (f[0] == '/' || !ps->dir || !ps->dir[0])
		return alog_xstrdup(f);
	out = alog_xmalloc(strlen(ps->dir) + strlen(f) + 2);
	sprintf(out, "%s/%s", ps->dir, f);
	return out;
}

static int uses(const struct alog_policy *p, enum act a)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (p->rules[i].act == a)
			return 1;
	for (int d = 0; d < ALOG_DET_COUNT; d++)
		if (p->det[d].on && p->det[d].act == a)
			return 1;
	return 0;
}

static int parse_keys(struct parse *ps, json_t *root)
{
	struct alog_policy *p = ps->p;
	json_t *pep = json_object_get(root, "pepper"), *rd = json_object_get(root, "readers");
	struct alog_error ke;

	if (pep) {
		if (!json_is_string(pep) || json_string_length(pep) == 0)
			return perr(ps, "pepper: expected the path of a pepper file");
		p->pepper_path = key_path(ps, json_string_value(pep));
		if (alog_pepper_load(&p->pepper, p->pepper_path, &ke) != 0)
			return perr(ps, "pepper: %s%s%s", ke.file ? ke.file : "",
			            ke.file ? ": " : "", ke.msg);
		p->has_pepper = 1;
	}
	if (rd) {
		size_t i;
		json_t *x;
		if (!json_is_array(rd) || json_array_size(rd) == 0 ||
		    json_array_size(rd) > ALOG_MAX_READERS)
			return perr(ps,
			            "readers: expected an array of 1 to %d reader public key files",
			            ALOG_MAX_READERS);
		p->reader_paths = alog_xmalloc(json_array_size(rd) * sizeof *p->reader_paths);
		json_array_foreach(rd, i, x) {
			if (!json_is_string(x) || json_string_length(x) == 0)
				return perr(ps, "readers[%zu]: expected the path of a reader "
				                "public key", i);
			p->reader_paths[i] = key_path(ps, json_string_value(x));
			p->nreaders = i + 1;
			if (alog_reader_pub_load(&p->readers[i], p->reader_paths[i], &ke) != 0)
				return perr(ps, "readers[%zu]: %s%s%s", i, ke.file ? ke.file : "",
				            ke.file ? ": " : "", ke.msg);
			for (size_t j = 0; j < i; j++)
				if (memcmp(p->readers[j].id, p->readers[i].id,
				           ALOG_READER_ID_LEN) == 0)
					return perr(ps,
					            "readers[%zu]: the same key as readers[%zu]", i,
					            j);
		}
	}
	if (uses(p, ACT_ENCRYPT) && !p->nreaders)
		return perr(ps, "encrypt needs \"readers\": the public keys of who may read the "
		                "values (alog-keygen --reader)");
	if (uses(p, ACT_PSEUDO) && !p->has_pepper)
		return perr(ps, "pseudonymise needs \"pepper\": a pepper file (alog-keygen "
		                "--pepper)");
	return 0;
}

static int parse_root(struct parse *ps, json_t *root)
{
	static const char *const keys[] = {"version", "comment", "on_violation", "require",
	                                   "actions", "types", "rules", "events", "detectors",
	                                   "pepper", "readers", "transcript", NULL};
	struct alog_policy *p = ps->p;
	json_t *v;

	if (!json_is_object(root))
		return perr(ps, "a policy is a JSON object");
	if (check_keys(ps, root, "policy", keys) != 0)
		return -1;
	v = json_object_get(root, "version");
	if (v && (!json_is_integer(v) || json_integer_value(v) != 1))
		return perr(ps, "version: this is policy language version 1");
	v = json_object_get(root, "on_violation");
	if (v) {
		const char *s = json_is_string(v) ? json_string_value(v) : "";
		if (strcmp(s, "record") == 0)
			p->record = 1;
		else if (strcmp(s, "reject") != 0)
			return perr(ps, "on_violation: expected \"reject\" or \"record\"");
	}
	v = json_object_get(root, "transcript");
	if (v) {
		if (!json_is_boolean(v))
			return perr(ps, "transcript: expected true or false");
		p->transcript = json_is_true(v);
	}
	if ((v = json_object_get(root, "require")) && parse_require(ps, v, "require", -1) != 0)
		return -1;
	if ((v = json_object_get(root, "types")) && parse_types(ps, v, "types", -1) != 0)
		return -1;
	v = json_object_get(root, "actions");
	if (v) {
		size_t i;
		json_t *x;
		if (!json_is_array(v) || json_array_size(v) == 0)
			return perr(ps, "actions: expected an array of action patterns (\"db.*\")");
		p->allow = alog_xmalloc(json_array_size(v) * sizeof *p->allow);
		json_array_foreach(v, i, x) {
			if (!json_is_string(x) || json_string_length(x) == 0)
				return perr(ps,
				            "actions[%zu]: expected an action pattern (a string)",
				            i);
			p->allow[p->nallow++] = alog_xstrdup(json_string_value(x));
		}
	}
	/* Top-level rules first: they come before the rules of events blocks. */
	if ((v = json_object_get(root, "rules")) && parse_rules(ps, v, "rules", -1) != 0)
		return -1;
	if ((v = json_object_get(root, "events")) && parse_events(ps, v) != 0)
		return -1;
	if ((v = json_object_get(root, "detectors")) && parse_detectors(ps, v) != 0)
		return -1;
	return parse_keys(ps, root);
}

/* Names are short: mix them a word at a time. */
static void build_index(struct alog_policy *p)
{
	size_t ncomp = 0, cap = 16, used = 0;

	for (size_t k = 0; k < p->nent; k++) {
		if (p->ent[k].path.floating)
			continue;
		ncomp += p->ent[k].path.n;
		if (p->ent[k].path.n > p->maxlen)
			p->maxlen = p->ent[k].path.n;
	}
	while (cap < 2 * ncomp + 2)
		cap *= 2;
	p->ctab = zalloc(cap, sizeof *p->ctab);
	p->ctab_mask = cap - 1;
	p->cpool = zalloc(ncomp + 1, p->nw * sizeof *p->cpool);
	p->star = zalloc(p->maxlen + 1, p->nw * sizeof *p->star);
	p->ends = zalloc(p->maxlen + 1, p->nw * sizeof *p->ends);
	for (size_t k = 0; k < p->nent; k++) {
		const struct path *pt = &p->ent[k].path;
		if (pt->floating)
			continue;
		bit_set(p->ends + (pt->n - 1) * p->nw, k);
		for (unsigned d = 0; d < pt->n; d++) {
			size_t i;
			if (pt->c[d].star) {
				bit_set(p->star + d * p->nw, k);
				continue;
			}
			i = (size_t)name_hash(pt->c[d].s, pt->c[d].n, d) & p->ctab_mask;
			while (p->ctab[i].mask &&
			       !(p->ctab[i].depth == d && p->ctab[i].n == pt->c[d].n &&
			         memcmp(p->ctab[i].s, pt->c[d].s, pt->c[d].n) == 0))
				i = (i + 1) & p->ctab_mask;
			if (!p->ctab[i].mask) {
				p->ctab[i] = (struct cslot){pt->c[d].s, pt->c[d].n, d,
				                            p->cpool + used++ * p->nw};
			}
			bit_set(p->ctab[i].mask, k);
		}
	}
}

/* Bitsets of entries, pattern masks and the working buffers. */
static void finish(struct alog_policy *p)
{
	unsigned enabled = 0;

	p->nw = p->nent / 64 + 1;
	p->gmask = zalloc(p->nw, sizeof *p->gmask);
	for (size_t b = 0; b < p->nblocks; b++)
		p->blocks[b].mask = zalloc(p->nw, sizeof *p->gmask);
	p->floating = alog_xmalloc((p->nent + 1) * sizeof *p->floating);
	p->floating_last = alog_xmalloc((p->nent + 1) * sizeof *p->floating_last);
	for (size_t i = 0; i < p->nent; i++) {
		struct entry *e = &p->ent[i];
		bit_set(e->block < 0 ? p->gmask : p->blocks[e->block].mask, i);
		if (e->path.floating) {
			p->floating_last[p->nfloating] = &e->path.c[e->path.n - 1];
			p->floating[p->nfloating++] = (int)i;
		}
	}
	build_index(p);
	for (size_t r = 0; r < p->nrules; r++)
		if (!p->rules[r].has_path && p->rules[r].block >= 0)
			p->blocks[p->rules[r].block].pats |= 1ULL << p->rules[r].pat;
	for (int d = 0; d < ALOG_DET_COUNT; d++)
		if (p->det[d].on)
			enabled |= 1u << d;
	alog_detectors_init(&p->detectors, enabled);

	p->sets = zalloc((MAX_DEPTH + 2) * p->nw, sizeof *p->sets);
	p->active = zalloc(p->nw, sizeof *p->active);
	p->w.present = zalloc(p->nw, sizeof *p->w.present);
	p->cover = zalloc(p->nw, sizeof *p->cover);
	p->rule_seen = zalloc(p->nrules + 1, 1);
	p->w.cap = ALOG_MAX_MEMBERS;
	p->w.out = alog_xmalloc(p->w.cap);
	p->deccap = ALOG_MAX_LINE + 1;
	p->dec = alog_xmalloc(p->deccap);
	p->tmpcap = 2 * (size_t)ALOG_MAX_LINE;
	p->tmp = alog_xmalloc(p->tmpcap);
	p->w.notes = alog_xmalloc(NOTES_CAP);
	p->w.viol = alog_xmalloc(NOTES_CAP);
	p->mcap = 64;
	p->m = alog_xmalloc(p->mcap * sizeof *p->m);
}

/*
 * What identifies a policy: its file's bytes, the reader public keys it
 * encrypts to and its pepper (by a keyed hash of a constant, which tells
 * nothing about the pepper), so that replacing a key file changes it too.
 */
static void digest(struct alog_policy *p, const char *text, size_t n)
{
	static const char tag[] = "alog-policy-digest-v1";
	struct alog_sha256 c;
	uint8_t fp[32];

	alog_sha256_init(&c);
	alog_sha256_update(&c, tag, sizeof tag);
	alog_sha256_update(&c, text, n);
	for (size_t i = 0; i < p->nreaders; i++)
		alog_sha256_update(&c, p->readers[i].pk, sizeof p->readers[i].pk);
	if (p->has_pepper) {
		crypto_generichash(fp, sizeof fp, (const unsigned char *)tag, sizeof tag,
		                   p->pepper.key, sizeof p->pepper.key);
		alog_sha256_update(&c, fp, sizeof fp);
	}
	alog_sha256_final(&c, p->digest);
}

struct alog_policy *alog_policy_parse(const char *text, size_t n, const char *name,
                                      const char *dir, struct alog_error *e)
{
	struct alog_policy *p = zalloc(1, sizeof *p);
	struct parse ps = {p, name, dir, e};
	json_error_t je;
	json_t *root;

	p->file = alog_xstrdup(name);
	root = json_loadb(text, n, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		alog_err(e, "invalid JSON at column %d: %s", je.column, je.text);
		alog_err_at(e, name, je.line > 0 ? (uint64_t)je.line : 0);
		alog_policy_free(p);
		return NULL;
	}
	if (parse_root(&ps, root) != 0) {
		json_decref(root);
		alog_policy_free(p);
		return NULL;
	}
	json_decref(root);
	finish(p);
	digest(p, text, n);
	return p;
}

const uint8_t *alog_policy_digest(const struct alog_policy *p)
{
	return p->digest;
}

int alog_policy_transcript(const struct alog_policy *p)
{
	return p->transcript;
}

struct alog_policy *alog_policy_load(const char *path, struct alog_error *e)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *dir, *slash;
	size_t n = 0, cap = 0;
	struct alog_policy *p;

	if (!f) {
		alog_errno(e, "cannot open policy");
		alog_err_at(e, path, 0);
		return NULL;
	}
	for (;;) {
		size_t r;
		if (n == cap) {
			if (cap >= 16u << 20) {
				fclose(f);
				free(buf);
				alog_err(e, "policy file larger than 16 MiB");
				alog_err_at(e, path, 0);
				return NULL;
			}
			cap = cap ? 2 * cap : 65536;
			buf = alog_xrealloc(buf, cap);
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		alog_errno(e, "cannot read policy");
		alog_err_at(e, path, 0);
		return NULL;
	}
	fclose(f);
	dir = alog_xstrdup(path);
	slash = strrchr(dir, '/');
	if (slash)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else
		strcpy(dir, ".");
	p = alog_policy_parse(buf ? buf : "", n, path, dir, e);
	free(dir);
	free(buf);
	return p;
}

void alog_policy_free(struct alog_policy *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nent; i++)
		free_path(&p->ent[i].path);
	free(p->ent);
	for (size_t i = 0; i < p->nrules; i++) {
		free(p->rules[i].name);
		if (p->rules[i].pattern) {
			regfree(&p->rules[i].re);
			free(p->rules[i].pattern);
		}
	}
	free(p->rules);
	for (size_t b = 0; b < p->nblocks; b++) {
		for (size_t j = 0; j < p->blocks[b].nacts; j++)
			free(p->blocks[b].acts[j]);
		free(p->blocks[b].acts);
		free(p->blocks[b].name);
		free(p->blocks[b].mask);
	}
	free(p->blocks);
	for (size_t i = 0; i < p->nallow; i++)
		free(p->allow[i]);
	free(p->allow);
	for (size_t i = 0; i < p->nreaders; i++)
		free(p->reader_paths[i]);
	free(p->reader_paths);
	free(p->pepper_path);
	alog_pepper_wipe(&p->pepper);
	free(p->gmask);
	free(p->floating);
	free(p->floating_last);
	free(p->ctab);
	free(p->cpool);
	free(p->star);
	free(p->ends);
	free(p->sets);
	free(p->active);
	free(p->w.present);
	/* They held the values the policy hid: wipe them. */
	alog_wipe_free(p->w.out, p->w.cap);
	alog_wipe_free(p->dec, p->deccap);
	alog_wipe_free(p->tmp, p->tmpcap);
	free(p->w.notes);
	free(p->w.viol);
	free(p->m);
	free(p->file);
	free(p->place_origin);
	free(p->placebuf);
	free(p->cover);
	free(p->rule_seen);
	free(p);
}
