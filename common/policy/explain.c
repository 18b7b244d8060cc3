/*
 * explain.c - a policy described in words, one rule per line, for
 * alog-append --policy-check.
 */
#include "policy/policy.h"

#include <stdio.h>
#include <string.h>

#include "base/enc.h"
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
