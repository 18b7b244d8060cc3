/*
 * internal.h - what the files of policy/ share (not for other layers):
 * the policy object as read by parse.c, the working memory of the walk
 * that apply.c runs per event, and the names explain.c prints.
 */
#ifndef ALOG_POLICY_INTERNAL_H
#define ALOG_POLICY_INTERNAL_H

#include <regex.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/json.h"
#include "base/span.h"
#include "keys/protect.h"
#include "policy/detect.h"
#include "policy/policy.h"

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
		long idx;  /* the element's index in the event as it came in */
		long oidx; /* and as written, after the elements dropped before it */
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
	int transcript; /* "transcript": true: alog-run records every session's terminal */
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
	uint8_t digest[32]; /* alog_policy_digest */
	/* --policy-check with events: the entries any event reached, the rules seen acting */
	uint64_t *cover;
	uint8_t *rule_seen;
	uint64_t cover_events;
	/* where the next event goes, for the place sealed with each value */
	char *place_origin;
	uint64_t place_seq;
	char *placebuf;
	size_t placecap;

	/* working memory, allocated once */
	struct walk w;
	uint64_t *sets, *active;
	char *dec, *tmp;
	size_t deccap, tmpcap;
	struct match *m;
	size_t nm, mcap;
};

/* ---- bitsets ---- */

static inline int bit_get(const uint64_t *s, size_t i)
{
	return (int)(s[i / 64] >> (i % 64) & 1);
}

static inline void bit_set(uint64_t *s, size_t i)
{
	s[i / 64] |= 1ULL << (i % 64);
}

/* The component index: parse.c builds it, apply.c looks names up per member. */
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
static inline const uint64_t *ctab_find(const struct alog_policy *p, const char *s, size_t n,
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

/* A set of T_* bits in words: "a string", "one of string, null"... */
void alog_policy_types_list(unsigned bits, char *out, size_t cap);

#endif
