/*
 * policy.c - the policy language (read once with jansson) and the engine
 * that applies it to each event: one walk over the compact event that
 * checks paths, runs the detectors over every string value, applies the
 * rules and writes the result, with the "alog" note of what it changed.
 * Buffers are allocated with the policy, so the walk never allocates.
 */
#include "policy/policy.h"

#include <jansson.h>
#include <regex.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/enc.h"
#include "base/json.h"
#include "format/record.h"
#include "keys/protect.h"
#include "policy/detect.h"
#include "policy/event.h"

#define MAX_DEPTH ALOG_JSON_MAX_DEPTH
#define DEFAULT_KEEP 4
#define NAME_MAX_LEN 64
#define NOTES_CAP (64 * 1024)
#define MSG_PATH_MAX 120

enum act { ACT_DROP, ACT_MASK, ACT_PSEUDO, ACT_ENCRYPT, ACT_REJECT, ACT_COUNT };
static const char *const act_names[ACT_COUNT] = {"drop", "mask", "pseudonymise", "encrypt",
                                                 "reject"};

enum {
	T_STRING = 1, T_NUMBER = 2, T_INTEGER = 4, T_BOOLEAN = 8, T_OBJECT = 16, T_ARRAY = 32,
	T_NULL = 64
};
static const char *const type_names[] = {"string", "number", "integer", "boolean",
                                         "object", "array", "null"};

/* What a detector finds, for messages. */
static const char *const det_what[ALOG_DET_COUNT] = {
	"a private key block", "an AWS access key id", "a JWT", "a bearer token",
	"a password in a URL", "a card number", "an e-mail address",
};

struct comp {
	char *s;
	size_t n;
	int star;
};

struct path {
	char *text;
	struct comp *c;
	unsigned n;
	int floating; /* a leading "**": the rest matches the end of any path */
};

enum ekind { E_REQUIRE, E_TYPE, E_RULE };

/* One use of a path: a required member, a type check or a path rule. */
struct entry {
	enum ekind kind;
	int block; /* -1: the policy's top level */
	struct path path;
	unsigned types;
	int rule;
};

struct rule {
	char *name;
	enum act act;
	unsigned keep;
	int has_path;
	int pat; /* index among pattern rules, or -1 */
	regex_t re;
	char *pattern;
	int block;
};

struct block {
	char *name;
	char **acts;
	size_t nacts;
	uint64_t *mask;
	uint64_t pats;
};

/* The index of path components: (depth, name) -> the entries with that name there. */
struct cslot {
	const char *s;
	size_t n;
	unsigned depth;
	uint64_t *mask;
};

struct det {
	int on;
	enum act act;
	unsigned keep;
};

/* A match in a string: detector d < ALOG_DET_COUNT, or pattern src - ALOG_DET_COUNT. */
struct match {
	size_t s, e, at;
	int src;
	enum act act;
	unsigned keep;
};

/*
 * The output is made lazily: input bytes are copied only when something
 * before them changes (flushed is how far the input is copied or skipped),
 * so an event the policy leaves alone costs no copying at all.
 */
struct walk {
	const char *end, *flushed;
	char *out;
	size_t on, cap;
	int overflow, changed;
	unsigned replaced; /* values replaced so far */
	const uint64_t *active;
	uint64_t pats;
	struct alog_span names[MAX_DEPTH + 1];
	uint8_t name_esc[MAX_DEPTH + 1];
	struct {
		const char *p;
		size_t n;
		long idx;
	} seg[MAX_DEPTH + 1];
	int nseg;
	uint64_t *present;
	int rejected;
	char err[480];
	char *notes, *viol;
	size_t nn, vn;
	unsigned nnotes, nviol, notes_more, viol_more;
	size_t tn;
	int tmp_over;
	struct alog_span action;
	int action_state; /* 0 absent, 1 not a string, 2 a string */
};

struct alog_policy {
	char *file;
	int record;
	char **allow;
	size_t nallow;
	struct block *blocks;
	size_t nblocks;
	struct entry *ent;
	size_t nent, nw;
	uint64_t *gmask;
	int *floating;
	const struct comp **floating_last;
	size_t nfloating;
	struct cslot *ctab;
	size_t ctab_mask;
	uint64_t *cpool, *star, *ends; /* star[d], ends[d]: nw words per depth */
	unsigned maxlen;
	struct rule *rules;
	size_t nrules;
	int pat_rule[ALOG_POLICY_MAX_PATTERNS];
	size_t npat;
	uint64_t gpats;
	struct det det[ALOG_DET_COUNT];
	struct alog_detectors detectors;
	char *pepper_path;
	int has_pepper;
	struct alog_pepper pepper;
	char **reader_paths;
	struct alog_reader_pub readers[ALOG_MAX_READERS];
	size_t nreaders;

	/* working memory, allocated once */
	struct walk w;
	uint64_t *sets, *active;
	char *dec, *tmp;
	size_t deccap, tmpcap;
	struct match *m;
	size_t nm, mcap;
};

/* ---- bitsets ---- */

/* Zeroed memory; like alog_xmalloc, ends the program when there is none. */
static void *zalloc(size_t n, size_t size)
{
	size_t bytes = n * size;
	void *p = alog_xmalloc(bytes ? bytes : 1);
	memset(p, 0, bytes);
	return p;
}

static inline int bit_get(const uint64_t *s, size_t i)
{
	return (int)(s[i / 64] >> (i % 64) & 1);
}

static inline void bit_set(uint64_t *s, size_t i)
{
	s[i / 64] |= 1ULL << (i % 64);
}

/* ======================================================================
 * Reading a policy
 * ====================================================================== */

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
	                                   "pepper", "readers", NULL};
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
static inline uint64_t name_hash(const char *s, size_t n, unsigned depth)
{
	uint64_t h = (uint64_t)depth << 32 ^ n, w;

	for (; n >= 8; s += 8, n -= 8) {
		memcpy(&w, s, 8);
		h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
		h ^= h >> 32;
	}
	w = 0;
	for (size_t i = 0; i < n; i++)
		w |= (uint64_t)(unsigned char)s[i] << (8 * i);
	h = (h ^ w) * 0x9e3779b97f4a7c15ULL;
	return h ^ h >> 29;
}

/* The entries whose component at depth is the (unescaped) name, or NULL. */
static const uint64_t *ctab_find(const struct alog_policy *p, const char *s, size_t n,
                                 unsigned depth)
{
	size_t i = (size_t)name_hash(s, n, depth) & p->ctab_mask;

	for (;; i = (i + 1) & p->ctab_mask) {
		const struct cslot *c = &p->ctab[i];
		if (!c->mask)
			return NULL;
		if (c->depth == depth && c->n == n && memcmp(c->s, s, n) == 0)
			return c->mask;
	}
}

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
	return p;
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
	if (p->w.out)
		sodium_memzero(p->w.out, p->w.cap);
	if (p->dec)
		sodium_memzero(p->dec, p->deccap);
	if (p->tmp)
		sodium_memzero(p->tmp, p->tmpcap);
	free(p->w.out);
	free(p->dec);
	free(p->tmp);
	free(p->w.notes);
	free(p->w.viol);
	free(p->m);
	free(p->file);
	free(p);
}

/* ======================================================================
 * Applying a policy
 * ====================================================================== */

static void put(struct walk *w, const char *s, size_t n)
{
	if (n > w->cap - w->on) {
		w->overflow = 1;
		return;
	}
	memcpy(w->out + w->on, s, n);
	w->on += n;
}

/* Copy the input up to p to the output. */
static void flush_to(struct walk *w, const char *p)
{
	if (p > w->flushed) {
		put(w, w->flushed, (size_t)(p - w->flushed));
		w->flushed = p;
	}
}

/* The input a..b is replaced by what is put next. */
static void replace_span(struct walk *w, const char *a, const char *b)
{
	flush_to(w, a);
	w->flushed = b;
	w->changed = 1;
	w->replaced++;
}

/*
 * Drop the member or element at a..b (a: its name's or its own first byte;
 * at the top level, its leading comma) with the comma that separates it.
 */
static void drop_span(struct walk *w, const char *a, const char *b, int top)
{
	char last;

	flush_to(w, a);
	w->flushed = b;
	w->changed = 1;
	if (top)
		return;
	last = w->on ? w->out[w->on - 1] : 0;
	if (*b == ',' && (last == '{' || last == '[' || last == ','))
		w->flushed = b + 1;
	else if ((*b == '}' || *b == ']') && last == ',')
		w->on--;
}

/* UTF-8 text (no NUL) as JSON string contents. */
static void put_escaped(struct walk *w, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = {'\\', 0, '0', '0', 0, 0};
		size_t k = 2;

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
			i++;
			continue;
		}
		put(w, s + run, i - run);
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		default:
			esc[1] = 'u';
			esc[4] = hexd[c >> 4];
			esc[5] = hexd[c & 15];
			k = 6;
		}
		put(w, esc, k);
		run = ++i;
	}
	put(w, s + run, n - run);
}

static void tmp_put(struct alog_policy *p, const char *s, size_t n)
{
	if (n > p->tmpcap - p->w.tn) {
		p->w.tmp_over = 1;
		return;
	}
	memcpy(p->tmp + p->w.tn, s, n);
	p->w.tn += n;
}

static void tmp_stars(struct alog_policy *p, size_t k)
{
	if (k > p->tmpcap - p->w.tn) {
		p->w.tmp_over = 1;
		return;
	}
	memset(p->tmp + p->w.tn, '*', k);
	p->w.tn += k;
}

static void put_tmp_string(struct alog_policy *p)
{
	put(&p->w, "\"", 1);
	put_escaped(&p->w, p->tmp, p->w.tn);
	put(&p->w, "\"", 1);
	if (p->w.tmp_over)
		p->w.overflow = 1;
}

/*
 * The member path being walked: raw (still escaped) names joined by dots,
 * "[i]" for array elements.  Writes the longest prefix that fits cap - 1
 * bytes and a NUL; returns the full length.
 */
static size_t render_path(const struct walk *w, char *out, size_t cap)
{
	size_t k = 0;
	int full = 0;

	for (int i = 0; i < w->nseg; i++) {
		char num[32];
		const char *s;
		size_t n;

		if (w->seg[i].idx >= 0) {
			n = (size_t)snprintf(num, sizeof num, "[%ld]", w->seg[i].idx);
			s = num;
		} else {
			if (i) {
				if (!full && k + 1 < cap)
					out[k] = '.';
				else
					full = 1;
				k++;
			}
			s = w->seg[i].p;
			n = w->seg[i].n;
		}
		if (!full && k + n < cap)
			memcpy(out + k, s, n);
		else
			full = 1;
		k += n;
	}
	if (cap)
		out[k < cap ? k : cap - 1] = '\0';
	return k;
}

/* Log text for a message on a terminal: no DEL or C1 controls, bounded length. */
static void sanitize(char *s, size_t max)
{
	size_t r = 0, o = 0, n = strlen(s);

	if (n > max) {
		n = max;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	while (r < n) {
		unsigned char c = (unsigned char)s[r];
		if (c == 0x7f || c < 0x20) {
			s[o++] = '?';
			r++;
		} else if (c == 0xc2 && r + 1 < n && (unsigned char)s[r + 1] >= 0x80 &&
		           (unsigned char)s[r + 1] <= 0x9f) {
			s[o++] = '?';
			r += 2;
		} else {
			s[o++] = s[r++];
		}
	}
	if (n < strlen(s)) {
		memcpy(s + o, "...", 3);
		o += 3;
	}
	s[o] = '\0';
}

static void msg_path(const struct walk *w, char *out, size_t cap)
{
	render_path(w, out, cap);
	sanitize(out, MSG_PATH_MAX);
}

/* Record a change in the "policy" list of the alog member. */
static void add_note(struct walk *w, const char *rule, enum act a)
{
	size_t plen = render_path(w, NULL, 0), need;
	char *o;

	w->changed = 1;
	need = plen + strlen(rule) + 64;
	if (w->nnotes >= ALOG_POLICY_MAX_NOTES || w->nn + need > NOTES_CAP) {
		w->notes_more++;
		return;
	}
	o = w->notes + w->nn;
	if (w->nnotes)
		*o++ = ',';
	o += sprintf(o, "{\"path\":\"");
	render_path(w, o, plen + 1);
	o += plen;
	o += sprintf(o, "\",\"rule\":\"%s\",\"action\":\"%s\"}", rule, act_names[a]);
	w->nn = (size_t)(o - w->notes);
	w->nnotes++;
}

/*
 * A broken rule.  A hard one (a reject rule) always rejects the event;
 * others reject it too unless the policy records violations instead.
 */
static void problem(struct alog_policy *p, int hard, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(struct alog_policy *p, int hard, const char *rule, const char *fmt, ...)
{
	struct walk *w = &p->w;
	char msg[400];
	va_list ap;
	size_t need;
	char *o;
	long m;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (hard || !p->record) {
		if (!w->rejected)
			snprintf(w->err, sizeof w->err, "rejected by rule \"%s\": %s", rule, msg);
		w->rejected = 1;
		return;
	}
	need = 6 * strlen(msg) + strlen(rule) + 32;
	if (w->nviol >= ALOG_POLICY_MAX_NOTES || w->vn + need > NOTES_CAP) {
		w->viol_more++;
		return;
	}
	o = w->viol + w->vn;
	if (w->nviol)
		*o++ = ',';
	o += sprintf(o, "{\"rule\":\"%s\",\"msg\":\"", rule);
	m = alog_json_escape(msg, strlen(msg), o);
	o += m > 0 ? m : 0;
	o += sprintf(o, "\"}");
	w->vn = (size_t)(o - w->viol);
	w->nviol++;
}

/*
 * s just past the opening quote of a string in valid JSON: its closing
 * quote.  *esc is set when the string holds a backslash.
 */
static inline const char *str_close(const char *s, const char *end, int *esc)
{
	const unsigned char *p = (const unsigned char *)s, *e = (const unsigned char *)end;

	*esc = 0;
	for (;;) {
#ifdef __SSE2__
		while (e - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			unsigned bits = (unsigned)_mm_movemask_epi8(
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
			                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
			if (bits) {
				p += __builtin_ctz(bits);
				break;
			}
			p += 16;
		}
#endif
		while (p < e && *p != '"' && *p != '\\')
			p++;
		if (p >= e || *p == '"')
			return (const char *)p;
		*esc = 1;
		p += 2;
	}
}

/* Does the name at names[d] (raw, escaped when name_esc[d]) match a path component? */
static inline int comp_eq(const struct walk *w, const struct comp *c, int d)
{
	if (c->star)
		return 1;
	if (w->name_esc[d])
		return alog_json_name_eq(w->names[d], c->s, c->n);
	return w->names[d].n == c->n && memcmp(w->names[d].p, c->s, c->n) == 0;
}

/* A "**.a.b" path: do its names match the end of the path at names[depth]? */
static int floating_match(const struct walk *w, const struct path *pt, int depth)
{
	if ((int)pt->n > depth + 1)
		return 0;
	for (unsigned i = 0; i < pt->n; i++)
		if (!comp_eq(w, &pt->c[pt->n - 1 - i], depth - (int)i))
			return 0;
	return 1;
}

static inline int num_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

static unsigned value_type(const char *v, const char *end)
{
	switch (*v) {
	case '"':
		return T_STRING;
	case '{':
		return T_OBJECT;
	case '[':
		return T_ARRAY;
	case 't':
	case 'f':
		return T_BOOLEAN;
	case 'n':
		return T_NULL;
	}
	for (; v < end && num_char(*v); v++)
		if (*v == '.' || *v == 'e' || *v == 'E')
			return T_NUMBER;
	return T_NUMBER | T_INTEGER;
}

static const char *type_desc(unsigned t)
{
	if (t & T_INTEGER)
		return "an integer";
	switch (t) {
	case T_STRING:
		return "a string";
	case T_NUMBER:
		return "a number";
	case T_BOOLEAN:
		return "a boolean";
	case T_OBJECT:
		return "an object";
	case T_ARRAY:
		return "an array";
	default:
		return "null";
	}
}

static void types_list(unsigned bits, char *out, size_t cap)
{
	size_t k = 0;
	int n = __builtin_popcount(bits);

	if (n == 1) {
		snprintf(out, cap, "%s", type_desc(bits));
		return;
	}
	k += (size_t)snprintf(out, cap, "one of ");
	for (size_t i = 0, first = 1; i < ALOG_ARRAY_LEN(type_names) && k < cap; i++) {
		if (bits & 1u << i) {
			k += (size_t)snprintf(out + k, cap - k, "%s%s", first ? "" : ", ",
			                      type_names[i]);
			first = 0;
		}
	}
}

static const char *block_rule(const struct alog_policy *p, int block, const char *global)
{
	return block < 0 ? global : p->blocks[block].name;
}

static void hit(struct alog_policy *p, size_t k, const char *v, int *first, uint64_t *scoped)
{
	const struct entry *e = &p->ent[k];

	bit_set(p->w.present, k);
	if (e->kind == E_TYPE) {
		unsigned t = value_type(v, p->w.end);
		if (!(t & e->types)) {
			char path[256], want[96];
			msg_path(&p->w, path, sizeof path);
			types_list(e->types, want, sizeof want);
			problem(p, 0, block_rule(p, e->block, "types"),
			        "member \"%s\" is %s, not %s", path, type_desc(t), want);
		}
	} else if (e->kind == E_RULE) {
		const struct rule *r = &p->rules[e->rule];
		if (r->pat >= 0)
			*scoped |= 1ULL << r->pat;
		else if (*first < 0 || e->rule < *first)
			*first = e->rule;
	}
}

/* Replace the value v[0..n) by its encryption. */
static void seal(struct alog_policy *p, const char *v, size_t n)
{
	struct walk *w = &p->w;
	struct alog_error e;
	long k;

	replace_span(w, v, v + n);
	k = alog_protect_seal(p->readers, p->nreaders, v, n, w->out + w->on, w->cap - w->on, &e);
	if (k < 0) {
		w->overflow = 1;
		return;
	}
	w->on += (size_t)k;
	w->changed = 1;
}

/* The decoded text of a string's raw contents: the raw bytes themselves unless escaped. */
static const char *text_of(struct alog_policy *p, const char *raw, size_t n, int esc, size_t *len)
{
	long m;

	if (!esc) {
		*len = n;
		return raw;
	}
	m = alog_json_unescape(raw, n, p->dec, p->deccap - 1);
	*len = m < 0 ? 0 : (size_t)m;
	return p->dec;
}

static size_t cp_count(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* Masking keeps at most keep characters, and never more than half of them. */
static void mask_plain(struct alog_policy *p, const char *s, size_t n, unsigned keep)
{
	size_t c = cp_count(s, n), k = keep < c / 2 ? keep : c / 2, t = n, seen = 0;

	while (t > 0 && seen < k) {
		t--;
		if (((unsigned char)s[t] & 0xc0) != 0x80)
			seen++;
	}
	tmp_stars(p, c - k);
	tmp_put(p, s + t, n - t);
}

/* Card numbers: digits masked, separators kept. */
static void mask_card(struct alog_policy *p, const char *s, size_t n, unsigned keep)
{
	size_t d = 0, masked;

	for (size_t i = 0; i < n; i++)
		d += s[i] >= '0' && s[i] <= '9';
	masked = d - (keep < d / 2 ? keep : d / 2);
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9' && masked) {
			tmp_stars(p, 1);
			masked--;
		} else {
			tmp_put(p, s + i, 1);
		}
	}
}

static void replace(struct alog_policy *p, const char *t, const struct match *m)
{
	const char *s = t + m->s;
	size_t n = m->e - m->s;

	if (m->act == ACT_PSEUDO) {
		char tok[ALOG_PS_TOKEN_LEN + 1];
		alog_protect_pseudonym(&p->pepper, s, n, tok);
		tmp_put(p, tok, ALOG_PS_TOKEN_LEN);
	} else if (m->src == ALOG_DET_EMAIL) {
		/* the local part goes, the domain stays */
		tmp_stars(p, cp_count(s, m->at - m->s));
		tmp_put(p, t + m->at, m->e - m->at);
	} else if (m->src == ALOG_DET_CARD) {
		mask_card(p, s, n, m->keep);
	} else {
		mask_plain(p, s, n, m->keep);
	}
}

/* A whole string or number v..ve (text t[0..n)), masked or pseudonymised by a path rule. */
static void transform_whole(struct alog_policy *p, const char *v, const char *ve, const char *t,
                            size_t n, const struct rule *r)
{
	replace_span(&p->w, v, ve);
	p->w.tn = 0;
	p->w.tmp_over = 0;
	if (r->act == ACT_PSEUDO) {
		char tok[ALOG_PS_TOKEN_LEN + 1];
		alog_protect_pseudonym(&p->pepper, t, n, tok);
		tmp_put(p, tok, ALOG_PS_TOKEN_LEN);
	} else {
		mask_plain(p, t, n, r->keep);
	}
	put_tmp_string(p);
}

static void add_match(struct alog_policy *p, size_t s, size_t e, size_t at, int src, enum act a,
                      unsigned keep)
{
	if (p->nm == p->mcap) {
		p->mcap *= 2;
		p->m = alog_xrealloc(p->m, p->mcap * sizeof *p->m);
	}
	p->m[p->nm++] = (struct match){s, e, at, src, a, keep};
}

static int on_detect(void *ctx, const struct alog_detect_match *dm)
{
	struct alog_policy *p = ctx;
	const struct det *d = &p->det[dm->det];

	add_match(p, dm->start, dm->end, dm->at, (int)dm->det, d->act, d->keep);
	/* A rejected event needs no more looking. */
	return d->act == ACT_REJECT;
}

/* Run the pattern rules over t[0..n); t must be followed by a NUL. */
static void run_patterns(struct alog_policy *p, const char *t, size_t n, uint64_t pats)
{
	while (pats) {
		int k = __builtin_ctzll(pats);
		const struct rule *r = &p->rules[p->pat_rule[k]];
		size_t off = 0;
		int flags = 0;
		regmatch_t pm;

		pats &= pats - 1;
		while (off <= n && regexec(&r->re, t + off, 1, &pm, flags) == 0) {
			size_t s = off + (size_t)pm.rm_so, e = off + (size_t)pm.rm_eo;
			flags = REG_NOTBOL;
			if (e == s) {
				/* an empty match changes nothing: step over one character */
				off = s + 1;
				while (off < n && ((unsigned char)t[off] & 0xc0) == 0x80)
					off++;
				continue;
			}
			add_match(p, s, e, 0, ALOG_DET_COUNT + k, r->act, r->keep);
			if (r->act == ACT_REJECT)
				break;
			off = e;
		}
	}
}

static const char *src_name(const struct alog_policy *p, int src)
{
	if (src < ALOG_DET_COUNT)
		return alog_detector_names[src];
	return p->rules[p->pat_rule[src - ALOG_DET_COUNT]].name;
}

static int cmp_match(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	if (x->e != y->e)
		return x->e > y->e ? -1 : 1;
	return x->src - y->src;
}

/* Act on the matches found in a string value v..ve (decoded text t[0..n)). 1 when dropped. */
static int resolve(struct alog_policy *p, const char *v, const char *ve, const char *t, size_t n)
{
	struct walk *w = &p->w;
	const struct match *rej = NULL, *drop = NULL, *enc = NULL;
	uint64_t seen_det = 0, seen_pat = 0;
	size_t at = 0;

	for (size_t i = 0; i < p->nm; i++) {
		const struct match *m = &p->m[i];
		if (m->act == ACT_REJECT && !rej)
			rej = m;
		else if (m->act == ACT_DROP && !drop)
			drop = m;
		else if (m->act == ACT_ENCRYPT && !enc)
			enc = m;
	}
	if (rej) {
		char path[256];
		msg_path(w, path, sizeof path);
		problem(p, 1, src_name(p, rej->src), "member \"%s\" holds %s", path,
		        rej->src < ALOG_DET_COUNT ? det_what[rej->src] :
		                                    "a value matching the rule's pattern");
		return 0;
	}
	if (drop) {
		add_note(w, src_name(p, drop->src), ACT_DROP);
		return 1;
	}
	if (enc) {
		seal(p, v, (size_t)(ve - v));
		add_note(w, src_name(p, enc->src), ACT_ENCRYPT);
		return 0;
	}
	if (p->nm > 1)
		qsort(p->m, p->nm, sizeof *p->m, cmp_match);
	w->tn = 0;
	w->tmp_over = 0;
	for (size_t i = 0; i < p->nm; i++) {
		const struct match *m = &p->m[i];
		if (m->s < at)
			continue; /* overlaps an earlier match */
		tmp_put(p, t + at, m->s - at);
		replace(p, t, m);
		at = m->e;
		if (m->src < ALOG_DET_COUNT)
			seen_det |= 1ULL << m->src;
		else
			seen_pat |= 1ULL << (m->src - ALOG_DET_COUNT);
	}
	tmp_put(p, t + at, n - at);
	replace_span(w, v, ve);
	put_tmp_string(p);
	for (int d = 0; d < ALOG_DET_COUNT; d++)
		if (seen_det >> d & 1)
			add_note(w, alog_detector_names[d], p->det[d].act);
	while (seen_pat) {
		int k = __builtin_ctzll(seen_pat);
		seen_pat &= seen_pat - 1;
		add_note(w, p->rules[p->pat_rule[k]].name, p->rules[p->pat_rule[k]].act);
	}
	return 0;
}

static int walk_value(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                      uint64_t scoped, const struct rule *forced);

static int walk_string(struct alog_policy *p, const char **pp, uint64_t scoped,
                       const struct rule *forced)
{
	struct walk *w = &p->w;
	int esc;
	const char *v = *pp, *ve = str_close(v + 1, w->end, &esc) + 1, *t;
	uint64_t pats = w->pats | scoped;
	size_t n;

	*pp = ve;
	if (forced) {
		t = text_of(p, v + 1, (size_t)(ve - v - 2), esc, &n);
		transform_whole(p, v, ve, t, n, forced);
		return 0;
	}
	if (!p->detectors.enabled && !pats)
		return 0;
	t = text_of(p, v + 1, (size_t)(ve - v - 2), esc, &n);
	p->nm = 0;
	if (p->detectors.enabled)
		alog_detect(&p->detectors, t, n, on_detect, p);
	if (pats) {
		if (t != p->dec)
			memcpy(p->dec, t, n);
		p->dec[n] = '\0';
		t = p->dec;
		run_patterns(p, t, n, pats);
	}
	if (p->nm == 0)
		return 0;
	return resolve(p, v, ve, t, n);
}

static int walk_number(struct alog_policy *p, const char **pp, const struct rule *forced)
{
	struct walk *w = &p->w;
	const char *v = *pp, *q = v;
	size_t n;

	while (q < w->end && num_char(*q))
		q++;
	*pp = q;
	n = (size_t)(q - v);
	if (forced) {
		transform_whole(p, v, q, v, n, forced);
		return 0;
	}
	if ((p->detectors.enabled & 1u << ALOG_DET_CARD) && n >= 13 && n <= 19 &&
	    alog_detect_card_number(v, n)) {
		const struct det *d = &p->det[ALOG_DET_CARD];
		struct match m = {0, n, 0, ALOG_DET_CARD, d->act, d->keep};
		char path[256];

		switch (d->act) {
		case ACT_REJECT:
			msg_path(w, path, sizeof path);
			problem(p, 1, alog_detector_names[ALOG_DET_CARD], "member \"%s\" holds %s",
			        path, det_what[ALOG_DET_CARD]);
			return 0;
		case ACT_DROP:
			add_note(w, alog_detector_names[ALOG_DET_CARD], ACT_DROP);
			return 1;
		case ACT_ENCRYPT:
			seal(p, v, n);
			add_note(w, alog_detector_names[ALOG_DET_CARD], ACT_ENCRYPT);
			return 0;
		default:
			w->tn = 0;
			w->tmp_over = 0;
			replace(p, v, &m);
			replace_span(w, v, q);
			put_tmp_string(p);
			add_note(w, alog_detector_names[ALOG_DET_CARD], d->act);
			return 0;
		}
	}
	return 0;
}

static int member(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                  uint64_t scoped);

static int walk_object(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                       uint64_t scoped, const struct rule *forced)
{
	struct walk *w = &p->w;
	const char *s = *pp + 1;

	while (*s != '}') {
		int esc;
		const char *ne = str_close(s + 1, w->end, &esc) + 1, *ms = s;
		int dropped;

		w->names[depth] = (struct alog_span){s + 1, (size_t)(ne - s) - 2};
		w->name_esc[depth] = (uint8_t)esc;
		w->seg[w->nseg].p = s + 1;
		w->seg[w->nseg].n = (size_t)(ne - s) - 2;
		w->seg[w->nseg].idx = -1;
		w->nseg++;
		s = ne + 1;
		if (forced)
			dropped = walk_value(p, &s, NULL, depth + 1, 0, forced);
		else
			dropped = member(p, &s, set, depth, scoped);
		w->nseg--;
		if (dropped)
			drop_span(w, ms, s, 0);
		if (*s == ',')
			s++;
	}
	*pp = s + 1;
	return 0;
}

static int walk_array(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                      uint64_t scoped, const struct rule *forced)
{
	struct walk *w = &p->w;
	const char *s = *pp + 1;
	long idx = 0;

	while (*s != ']') {
		const char *ms = s;
		int dropped;

		w->seg[w->nseg].idx = idx++;
		w->nseg++;
		dropped = walk_value(p, &s, set, depth, scoped, forced);
		w->nseg--;
		if (dropped)
			drop_span(w, ms, s, 0);
		if (*s == ',')
			s++;
	}
	*pp = s + 1;
	return 0;
}

static int walk_value(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                      uint64_t scoped, const struct rule *forced)
{
	const char *v = *pp;

	switch (*v) {
	case '{':
		return walk_object(p, pp, set, depth, scoped, forced);
	case '[':
		return walk_array(p, pp, set, depth, scoped, forced);
	case '"':
		return walk_string(p, pp, scoped, forced);
	case 't':
	case 'n':
		*pp = v + 4;
		return 0;
	case 'f':
		*pp = v + 5;
		return 0;
	default:
		return walk_number(p, pp, forced);
	}
}

/* A path rule takes the whole value at its path. 1 when dropped. */
static int apply_rule(struct alog_policy *p, const char **pp, const struct rule *r, int depth)
{
	struct walk *w = &p->w;
	const char *v = *pp, *ve = alog_json_skip(v, w->end);
	unsigned before;
	char path[256];

	switch (r->act) {
	case ACT_DROP:
		*pp = ve;
		add_note(w, r->name, ACT_DROP);
		return 1;
	case ACT_REJECT:
		msg_path(w, path, sizeof path);
		problem(p, 1, r->name, "member \"%s\" is not allowed", path);
		*pp = ve;
		return 0;
	case ACT_ENCRYPT:
		seal(p, v, (size_t)(ve - v));
		add_note(w, r->name, ACT_ENCRYPT);
		*pp = ve;
		return 0;
	default:
		before = w->replaced;
		walk_value(p, pp, NULL, depth + 1, 0, r);
		/* true, false and null have nothing to mask */
		if (w->replaced != before)
			add_note(w, r->name, r->act);
		return 0;
	}
}

/*
 * The entries of set that go on through the name at names[depth]: into
 * child those that go deeper, hit() for those that end here.  Names
 * without escapes (nearly all) are found in the index; others compared
 * entry by entry.  Returns whether child is non-empty.
 */
static int step(struct alog_policy *p, const uint64_t *set, int depth, uint64_t *child,
                const char *v, int *first, uint64_t *scoped)
{
	struct walk *w = &p->w;
	const uint64_t *byname = NULL, *star, *ends;
	int any = 0;

	if ((unsigned)depth >= p->maxlen)
		return 0;
	star = p->star + (size_t)depth * p->nw;
	ends = p->ends + (size_t)depth * p->nw;
	if (!w->name_esc[depth]) {
		byname = ctab_find(p, w->names[depth].p, w->names[depth].n, (unsigned)depth);
	} else {
		for (size_t i = 0; i < p->nw; i++) {
			uint64_t bits = set[i], c = 0;
			while (bits) {
				int b = __builtin_ctzll(bits);
				const struct entry *e = &p->ent[i * 64 + (size_t)b];
				bits &= bits - 1;
				if (!e->path.floating && e->path.n > (unsigned)depth &&
				    comp_eq(w, &e->path.c[depth], depth))
					c |= 1ULL << b;
			}
			child[i] = c;
		}
		byname = child;
	}
	for (size_t i = 0; i < p->nw; i++) {
		uint64_t m = set[i] & ((byname ? byname[i] : 0) | star[i]), hits = m & ends[i];
		child[i] = m & ~ends[i];
		any |= child[i] != 0;
		while (hits) {
			int b = __builtin_ctzll(hits);
			hits &= hits - 1;
			hit(p, i * 64 + (size_t)b, v, first, scoped);
		}
	}
	return any;
}

/* The member whose name is names[depth] and whose value is at *pp.  1 when dropped. */
static int member(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                  uint64_t scoped)
{
	struct walk *w = &p->w;
	uint64_t *child = p->sets + (size_t)(depth + 1) * p->nw;
	int first = -1, any = 0;
	const char *v = *pp;

	if (set)
		any = step(p, set, depth, child, v, &first, &scoped);
	for (size_t f = 0; f < p->nfloating; f++) {
		size_t k = (size_t)p->floating[f];
		const struct comp *last = p->floating_last[f];
		/* the last name first: it rarely matches */
		if ((last->star || last->n == w->names[depth].n || w->name_esc[depth]) &&
		    bit_get(w->active, k) && floating_match(w, &p->ent[k].path, depth))
			hit(p, k, v, &first, &scoped);
	}
	if (first >= 0)
		return apply_rule(p, pp, &p->rules[first], depth);
	return walk_value(p, pp, any ? child : NULL, depth + 1, scoped, NULL);
}

/* The top-level action member: its raw string contents, for the action patterns. */
static void find_action(struct alog_policy *p, const char *s, const char *end)
{
	struct walk *w = &p->w;

	w->action_state = 0;
	while (s < end) {
		const char *ne = alog_json_skip(s + 1, end), *ve;
		if (!ne)
			return;
		ve = alog_json_skip(ne + 1, end);
		if (!ve)
			return;
		if (alog_json_name_eq((struct alog_span){s + 2, (size_t)(ne - s) - 3}, "action",
		                      6)) {
			if (ne[1] == '"') {
				w->action_state = 2;
				w->action = (struct alog_span){ne + 2, (size_t)(ve - ne) - 3};
			} else {
				w->action_state = 1;
			}
			return;
		}
		s = ve;
	}
}

/* An action pattern: '*' matches any run of characters, '?' any one, the rest itself. */
static int glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat && (*pat == '?' || *pat == *s)) {
			if (*pat == '?')
				while (((unsigned char)s[1] & 0xc0) == 0x80)
					s++;
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static void match_action(struct alog_policy *p)
{
	struct walk *w = &p->w;
	const char *act;
	long m;
	int allowed = 0;

	if (w->action_state != 2) {
		if (p->nallow)
			problem(p, 0, "actions", w->action_state == 0 ?
			                 "the event has no action member" :
			                 "the action member is not a string");
		return;
	}
	m = alog_json_unescape(w->action.p, w->action.n, p->dec, p->deccap - 1);
	p->dec[m < 0 ? 0 : m] = '\0';
	act = p->dec;
	for (size_t b = 0; b < p->nblocks; b++) {
		const struct block *bl = &p->blocks[b];
		for (size_t j = 0; j < bl->nacts; j++) {
			if (glob(bl->acts[j], act)) {
				for (size_t i = 0; i < p->nw; i++)
					p->active[i] |= bl->mask[i];
				w->pats |= bl->pats;
				break;
			}
		}
	}
	for (size_t j = 0; j < p->nallow && !allowed; j++)
		allowed = glob(p->allow[j], act);
	if (p->nallow && !allowed) {
		char shown[256];
		snprintf(shown, sizeof shown, "%.*s", (int)(w->action.n < 200 ? w->action.n : 200),
		         w->action.p);
		sanitize(shown, MSG_PATH_MAX);
		problem(p, 0, "actions", "action \"%s\" is not allowed", shown);
	}
}

static void check_required(struct alog_policy *p)
{
	struct walk *w = &p->w;

	for (size_t k = 0; k < p->nent; k++) {
		const struct entry *e = &p->ent[k];
		if (e->kind != E_REQUIRE || !bit_get(w->active, k) || bit_get(w->present, k))
			continue;
		if (e->block < 0) {
			problem(p, 0, "require", "missing member \"%s\"", e->path.text);
		} else {
			char shown[256];
			snprintf(shown, sizeof shown, "%.*s",
			         (int)(w->action.n < 200 ? w->action.n : 200), w->action.p);
			sanitize(shown, MSG_PATH_MAX);
			problem(p, 0, p->blocks[e->block].name,
			        "missing member \"%s\" (required for action \"%s\")", e->path.text,
			        shown);
		}
	}
}

/* ,"alog":{"policy":[...],"policy_violation":[...]} */
static void put_note(struct walk *w)
{
	char num[64];
	int first = 1;

	put(w, ",\"alog\":{", 9);
	if (w->nnotes) {
		put(w, "\"policy\":[", 10);
		put(w, w->notes, w->nn);
		put(w, "]", 1);
		first = 0;
	}
	if (w->notes_more) {
		snprintf(num, sizeof num, "%s\"policy_omitted\":%u", first ? "" : ",",
		         w->notes_more);
		put(w, num, strlen(num));
		first = 0;
	}
	if (w->nviol) {
		if (!first)
			put(w, ",", 1);
		put(w, "\"policy_violation\":[", 20);
		put(w, w->viol, w->vn);
		put(w, "]", 1);
		first = 0;
	}
	if (w->viol_more) {
		snprintf(num, sizeof num, "%s\"policy_violation_omitted\":%u", first ? "" : ",",
		         w->viol_more);
		put(w, num, strlen(num));
	}
	put(w, "}", 1);
}

int alog_policy_apply(struct alog_policy *p, const char *in, size_t n, const char **out,
                      size_t *outlen, struct alog_error *e)
{
	struct walk *w = &p->w;
	const char *s = in, *end = in + n;

	w->end = end;
	w->flushed = in;
	w->on = 0;
	w->replaced = 0;
	w->overflow = w->changed = w->rejected = 0;
	w->nseg = 0;
	w->nn = w->vn = 0;
	w->nnotes = w->nviol = w->notes_more = w->viol_more = 0;
	w->action.n = 0;
	w->action.p = "";
	memset(w->present, 0, p->nw * sizeof *w->present);
	memcpy(p->active, p->gmask, p->nw * sizeof *p->active);
	w->active = p->active;
	w->pats = p->gpats;
	if (p->nallow || p->nblocks) {
		find_action(p, in, end);
		match_action(p);
	}
	/* members text: each member is ',' "name" ':' value */
	while (s < end) {
		int esc;
		const char *ne = str_close(s + 2, end, &esc) + 1, *ms = s;

		if (*s != ',' || s[1] != '"' || ne >= end || *ne != ':')
			return alog_err(e, "malformed event members");
		w->names[0] = (struct alog_span){s + 2, (size_t)(ne - s) - 3};
		w->name_esc[0] = (uint8_t)esc;
		w->seg[0].p = s + 2;
		w->seg[0].n = (size_t)(ne - s) - 3;
		w->seg[0].idx = -1;
		w->nseg = 1;
		s = ne + 1;
		if (member(p, &s, p->active, 0, 0))
			drop_span(w, ms, s, 1);
		w->nseg = 0;
	}
	check_required(p);
	if (w->rejected)
		return alog_err(e, "%s", w->err);
	if (!w->changed && !w->nviol && !w->viol_more) {
		*out = in;
		*outlen = n;
		return 0;
	}
	flush_to(w, end);
	put_note(w);
	if (w->overflow)
		return alog_err(e, "the event would be longer than %d bytes after the policy's "
		                   "changes", ALOG_MAX_MEMBERS);
	*out = w->out;
	*outlen = w->on;
	return 0;
}

/* ======================================================================
 * Explaining a policy
 * ====================================================================== */

static void explain_act(FILE *out, enum act a, unsigned keep, int det)
{
	switch (a) {
	case ACT_MASK:
		if (det == ALOG_DET_EMAIL)
			fprintf(out, "mask (the local part; the domain stays)");
		else if (keep)
			fprintf(out, "mask, keeping the last %u character%s (at most half)", keep,
			        keep == 1 ? "" : "s");
		else
			fprintf(out, "mask entirely");
		break;
	case ACT_PSEUDO:
		fprintf(out, "pseudonymise (keyed hash, %s...)", ALOG_PS_PREFIX);
		break;
	case ACT_ENCRYPT:
		fprintf(out, "encrypt to the readers (%s...)", ALOG_ENC_PREFIX);
		break;
	case ACT_DROP:
		fprintf(out, "drop the member");
		break;
	default:
		fprintf(out, "reject the event");
	}
}

static void explain_entries(const struct alog_policy *p, FILE *out, int block, const char *ind)
{
	int first = 1;

	for (size_t k = 0; k < p->nent; k++) {
		const struct entry *e = &p->ent[k];
		if (e->block != block || e->kind != E_REQUIRE)
			continue;
		fprintf(out, "%s%s%s", first ? ind : ", ", first ? "required members: " : "",
		        e->path.text);
		first = 0;
	}
	if (!first)
		fputc('\n', out);
	for (size_t k = 0; k < p->nent; k++) {
		const struct entry *e = &p->ent[k];
		char want[96];
		if (e->block != block || e->kind != E_TYPE)
			continue;
		types_list(e->types, want, sizeof want);
		fprintf(out, "%smember %s, when present, is %s\n", ind, e->path.text, want);
	}
	for (size_t r = 0; r < p->nrules; r++) {
		const struct rule *ru = &p->rules[r];
		const char *path = NULL;
		if (ru->block != block)
			continue;
		for (size_t k = 0; k < p->nent; k++)
			if (p->ent[k].kind == E_RULE && p->ent[k].rule == (int)r)
				path = p->ent[k].path.text;
		fprintf(out, "%srule %s: ", ind, ru->name);
		if (path && ru->pattern)
			fprintf(out, "parts of strings at or under %s matching /%s/: ", path,
			        ru->pattern);
		else if (path)
			fprintf(out, "member %s: ", path);
		else
			fprintf(out, "parts of any string matching /%s/: ", ru->pattern);
		explain_act(out, ru->act, ru->keep, -1);
		fputc('\n', out);
	}
}

void alog_policy_explain(const struct alog_policy *p, FILE *out)
{
	char hex[2 * ALOG_READER_ID_LEN + 1];

	fprintf(out, "policy %s: valid\n", p->file);
	fprintf(out, "events that break a rule are %s\n",
	        p->record ? "written with an alog.policy_violation note" :
	                    "rejected (not written; alog-append exits 2)");
	if (p->nallow) {
		fprintf(out, "allowed actions:");
		for (size_t i = 0; i < p->nallow; i++)
			fprintf(out, " %s", p->allow[i]);
		fputc('\n', out);
	}
	explain_entries(p, out, -1, "");
	for (size_t b = 0; b < p->nblocks; b++) {
		fprintf(out, "events %s, for actions", p->blocks[b].name);
		for (size_t j = 0; j < p->blocks[b].nacts; j++)
			fprintf(out, " %s", p->blocks[b].acts[j]);
		fprintf(out, ":\n");
		explain_entries(p, out, (int)b, "  ");
	}
	fprintf(out, "detectors (over every string value):\n");
	for (int d = 0; d < ALOG_DET_COUNT; d++) {
		fprintf(out, "  %-15s ", alog_detector_names[d]);
		if (p->det[d].on)
			explain_act(out, p->det[d].act, p->det[d].keep, d);
		else
			fprintf(out, "off");
		fputc('\n', out);
	}
	if (p->has_pepper)
		fprintf(out, "pepper: %s\n", p->pepper_path);
	for (size_t i = 0; i < p->nreaders; i++)
		fprintf(out, "reader: %s (key id %s)\n", p->reader_paths[i],
		        alog_hex(hex, p->readers[i].id, ALOG_READER_ID_LEN));
	fprintf(out, "changes are listed in each event's alog.policy member\n");
}
