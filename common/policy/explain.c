/*
 * explain.c - a policy described in words, one rule per line, for
 * alog-append --policy-check.
 */
#include "policy/policy.h"

#include <stdio.h>
#include <string.h>

#include "base/enc.h"
#include "base/json.h"
#include "format/record.h"
#include "keys/protect.h"
#include "policy/detect.h"
#include "policy/internal.h"

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
		alog_policy_types_list(e->types, want, sizeof want);
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

void alog_policy_cover_rule(struct alog_policy *p, const char *name, size_t n)
{
	for (size_t r = 0; r < p->nrules; r++)
		if (strlen(p->rules[r].name) == n && memcmp(p->rules[r].name, name, n) == 0)
			p->rule_seen[r] = 1;
}

size_t alog_policy_uncovered(const struct alog_policy *p,
                             void (*warn)(void *ctx, const char *msg), void *ctx)
{
	char msg[600];
	size_t count = 0;
	unsigned long long n = (unsigned long long)p->cover_events;

	if (!p->cover_events)
		return 0;
	for (size_t k = 0; k < p->nent; k++) {
		const struct entry *e = &p->ent[k];
		const char *where = e->block < 0 ? "" : p->blocks[e->block].name;

		if (bit_get(p->cover, k))
			continue;
		if (e->kind == E_RULE) {
			if (p->rule_seen[e->rule])
				continue;
			snprintf(msg, sizeof msg, "rule \"%s\": path \"%s\" matches no member of the "
			         "%llu event%s (a typing mistake?)", p->rules[e->rule].name,
			         e->path.text, n, n == 1 ? "" : "s");
		} else if (e->kind == E_REQUIRE) {
			snprintf(msg, sizeof msg, "%s%s%srequired member \"%s\" is in none of the %llu "
			         "event%s", *where ? "events block \"" : "", where, *where ? "\": " : "",
			         e->path.text, n, n == 1 ? "" : "s");
		} else {
			snprintf(msg, sizeof msg, "%s%s%stypes: member \"%s\" is in none of the %llu "
			         "event%s", *where ? "events block \"" : "", where, *where ? "\": " : "",
			         e->path.text, n, n == 1 ? "" : "s");
		}
		warn(ctx, msg);
		count++;
	}
	return count;
}

int alog_policy_cover_record(struct alog_policy *p, const char *line, size_t len)
{
	static const char *const pa[1] = {"alog"}, *const pp[2] = {"alog", "policy"};
	struct alog_rec r;
	struct alog_error e;
	struct alog_span v, m;
	const char *out;
	size_t outlen;

	if (alog_rec_parse(&r, line, len, &e) != 0)
		return -1;
	if (r.type != ALOG_REC_EVENT)
		return 0;
	m = r.members;
	/* the alog member is alog's own, and comes last */
	if (alog_json_lookup(line, len - 1, pa, 1, &v) == 1 && v.p >= m.p + 8 &&
	    v.p + v.n == m.p + m.n && memcmp(v.p - 8, ",\"alog\":", 8) == 0)
		m.n = (size_t)(v.p - 8 - m.p);
	if (alog_json_lookup(line, len - 1, pp, 2, &v) == 1 && v.n > 1 && v.p[0] == '[') {
		const char *a = v.p + 1, *end = v.p + v.n;
		while (a < end && *a != ']') {
			const char *b = alog_json_skip(a, end);
			const char *const rule[1] = {"rule"};
			struct alog_span rv;
			if (!b)
				break;
			if (alog_json_lookup(a, (size_t)(b - a), rule, 1, &rv) == 1 && rv.n >= 2 &&
			    rv.p[0] == '"')
				alog_policy_cover_rule(p, rv.p + 1, rv.n - 2);
			a = b;
			if (a < end && *a == ',')
				a++;
		}
	}
	alog_policy_apply(p, m.p, m.n, &out, &outlen, &e);
	return 0;
}
