/*
 * alog-verify - check an alog log (or its rotated files, in order): shape,
 * digests, chain, seq, headers, time order and tree; name every problem
 * by file, line and seq.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/buf.h"
#include "base/enc.h"
#include "base/term.h"
#include "base/ts.h"
#include "base/util.h"
#include "format/record.h"
#include "grep/render.h"
#include "keys/key.h"
#include "log/writer.h"
#include "ops/proof.h"
#include "ops/seal.h"
#include "ops/verify.h"

static const char usage[] =
	"usage: alog-verify [-aq] [--json] [-p PUBLIC_FILE [--require-sealed]]\n"
	"                   [--max-unsealed DURATION] [--checkpoint FILE]\n"
	"                   [--key-state SECRET_FILE] [--fragment] [--strict]\n"
	"                   [--strict-time] [--jobs N] [FILE...]\n"
	"       alog-verify --proof FILE -p PUBLIC_FILE [--json]\n"
	"       alog-verify --consistency OLD NEW -p PUBLIC_FILE {--proof FILE | FILE...}\n"
	"\n"
	"Verify a tamper-evident audit log.  Several files are checked, in the order\n"
	"given, as one rotated log; with no FILE, standard input is read (and may be a\n"
	"fragment: lines cut from a log by grep, head or sed).\n"
	"\n"
	"  -a, --all          report every independent problem, not just the first\n"
	"  -p, --public FILE  check every seal: signature, epoch key, epoch order;\n"
	"                     records after the last seal are reported as unsealed;\n"
	"                     a second -p: the key an emergency rollover restarts with\n"
	"      --require-sealed  unsealed records are an error, not a warning\n"
	"      --max-unsealed DURATION  fail if the last seal is older (30m, 2h, 1d)\n"
	"      --checkpoint FILE  a checkpoint saved from alog-seal (needs -p: its\n"
	"                     signature is checked): the log must contain it (catches\n"
	"                     truncation, rollback and forks)\n"
	"      --key-state FILE  the host's secret key: its epoch must follow the\n"
	"                     log's last seal (catches seals removed from the end)\n"
	"  -q, --quiet        print nothing; the exit status tells\n"
	"      --json         print a machine-readable report on standard output\n"
	"      --fragment     the input may start mid-log and skip records: check what\n"
	"                     can be checked (consecutive lines) and say what could not\n"
	"      --strict       also check every record is strict JSON as alog-append\n"
	"                     writes it\n"
	"      --strict-time  a ts going back in time is an error (default: a warning)\n"
	"      --jobs N       hash records in N threads, at most 16 (default: one per\n"
	"                     CPU, at most 16)\n"
	"      --proof FILE   check proof bundles from alog-export --proof offline, with\n"
	"                     the public key only (no log needed)\n"
	"      --consistency OLD NEW  two saved checkpoints: NEW must extend OLD, shown\n"
	"                     by the log FILEs or by a proof from alog-export --consistency\n"
	"  -h, --help         show this help\n"
	"      --version      show the version\n"
	"\n"
	"Problems go to standard error as FILE:LINE: what (seq N); a summary goes to\n"
	"standard output.\n"
	"\n"
	"Exit status: 0 the log is intact; 1 verification failed; 2 usage or I/O\n"
	"error.\n"
	"\n"
	"Examples:\n"
	"  alog-verify /var/log/alog/audit.alog\n"
	"  alog-verify --all audit-2026-11-27.alog audit.alog\n"
	"  alog-grep actor=alice audit.alog | alog-verify\n";

enum {
	OPT_JSON = ALOG_OPT_BASE, OPT_FRAGMENT, OPT_STRICT, OPT_STRICT_TIME, OPT_REQUIRE_SEALED,
	OPT_MAX_UNSEALED, OPT_CHECKPOINT, OPT_KEY_STATE, OPT_JOBS, OPT_PROOF, OPT_CONSISTENCY,
};

static const struct option longopts[] = {
	{"all", no_argument, NULL, 'a'},
	{"quiet", no_argument, NULL, 'q'},
	{"json", no_argument, NULL, OPT_JSON},
	{"fragment", no_argument, NULL, OPT_FRAGMENT},
	{"strict", no_argument, NULL, OPT_STRICT},
	{"strict-time", no_argument, NULL, OPT_STRICT_TIME},
	{"jobs", required_argument, NULL, OPT_JOBS},
	{"public", required_argument, NULL, 'p'},
	{"require-sealed", no_argument, NULL, OPT_REQUIRE_SEALED},
	{"max-unsealed", required_argument, NULL, OPT_MAX_UNSEALED},
	{"checkpoint", required_argument, NULL, OPT_CHECKPOINT},
	{"key-state", required_argument, NULL, OPT_KEY_STATE},
	{"proof", required_argument, NULL, OPT_PROOF},
	{"consistency", required_argument, NULL, OPT_CONSISTENCY},
	{0, 0, 0, 0},
};

#define MAX_JSON_PROBLEMS 1000

/*
 * A JSON string for any bytes: a file name need not be UTF-8 and a
 * message may quote one, so bytes that are not UTF-8 (and controls) are
 * written as visible escapes (\xff) rather than lost.
 */
static json_t *jstr(const char *s)
{
	size_t n = strlen(s);
	char *buf = alog_xmalloc(ALOG_TERM_MAX(n) + 1);
	size_t k = alog_term_clean(buf, s, n, ALOG_TERM_KEEP_TAB);
	json_t *j = json_stringn(buf, k);

	free(buf);
	return j ? j : json_string("?");
}

struct out {
	int quiet, json;
	json_t *problems;
	uint64_t dropped;
};

static void on_problem(void *ctx, const struct alog_problem *p)
{
	struct out *o = ctx;

	if (o->json) {
		if (json_array_size(o->problems) >= MAX_JSON_PROBLEMS) {
			o->dropped++;
			return;
		}
		json_t *j = json_pack("{s:s, s:b, s:o, s:I, s:I, s:o}", "kind",
		                      alog_problem_kind_name(p->kind), "warning", p->warning, "file",
		                      p->file ? jstr(p->file) : json_null(), "line",
		                      (json_int_t)p->line, "seq", (json_int_t)p->seq, "message",
		                      jstr(p->msg));
		json_array_append_new(o->problems, j);
		return;
	}
	if (o->quiet)
		return;
	/* alog_warnx makes the quoted log content safe for a terminal */
	if (p->file && p->line)
		alog_warnx("%s:%llu: %s%s", p->file, (unsigned long long)p->line,
		           p->warning && p->kind != ALOG_P_NOTE ? "warning: " : "", p->msg);
	else
		alog_warnx("%s: %s%s", p->file ? p->file : "-",
		           p->warning && p->kind != ALOG_P_NOTE ? "warning: " : "", p->msg);
}

/* Records whose content nothing here could check: never an OK. */
static int unverified(const struct alog_verify_summary *s)
{
	return s->fragment && s->unchecked_links > 0;
}

static void kinds_text(const struct alog_verify_summary *s, char *buf, size_t cap)
{
	size_t n = 0;
	buf[0] = '\0';
	for (int k = 0; k < ALOG_P_COUNT; k++) {
		if (!s->by_kind[k])
			continue;
		n += (size_t)snprintf(buf + n, n < cap ? cap - n : 0, "%s%llu %s", n ? ", " : "",
		                      (unsigned long long)s->by_kind[k],
		                      alog_problem_kind_name((enum alog_problem_kind)k));
	}
}

static void print_human(const struct alog_verify_summary *s, int checked)
{
	char t1[ALOG_TS_LEN + 1], t2[ALOG_TS_LEN + 1], hex[65], b64[ALOG_B64_LEN(32) + 1];
	char kinds[512];

	if (s->errors) {
		kinds_text(s, kinds, sizeof kinds);
		printf("FAILED: %llu problem%s (%s) in %llu record%s\n",
		       (unsigned long long)s->errors, s->errors == 1 ? "" : "s", kinds,
		       (unsigned long long)s->records, s->records == 1 ? "" : "s");
	} else if (s->fragment && s->unchecked_links) {
		printf("NOT VERIFIED (fragment): %llu record%s, seq %llu..%llu: %llu checked against "
		       "the record before, %llu could not be checked (the first, and the first after "
		       "each of %llu gap%s)\n",
		       (unsigned long long)s->records, s->records == 1 ? "" : "s",
		       (unsigned long long)s->first_seq, (unsigned long long)s->last_seq,
		       (unsigned long long)(s->records - s->unchecked_links),
		       (unsigned long long)s->unchecked_links, (unsigned long long)s->gaps,
		       s->gaps == 1 ? "" : "s");
		printf("  lines cut from a log prove nothing by themselves: search with alog-grep "
		       "--verify -p KEY, or hand over proof bundles (alog-export --proof)\n");
	} else if (s->fragment) {
		printf("OK (fragment): %llu record%s, seq %llu..%llu, every one linked to the "
		       "record before it\n",
		       (unsigned long long)s->records, s->records == 1 ? "" : "s",
		       (unsigned long long)s->first_seq, (unsigned long long)s->last_seq);
	} else if (s->records == 0) {
		printf("NO RECORDS: the input is empty, nothing was verified\n");
	} else {
		printf("OK: %llu record%s, seq %llu..%llu, chain intact\n",
		       (unsigned long long)s->records, s->records == 1 ? "" : "s",
		       (unsigned long long)s->first_seq, (unsigned long long)s->last_seq);
	}
	if (s->records == 0)
		return;
	printf("  files      %llu\n", (unsigned long long)s->files);
	if (s->origin[0])
		printf("  origin     %s\n", s->origin);
	printf("  time       %s .. %s\n", alog_ts_format(t1, s->first_ts),
	       alog_ts_format(t2, s->last_ts));
	if (s->have_hash)
		printf("  last hash  %s\n", alog_hex(hex, s->last_hash, 32));
	if (s->tree_known)
		printf("  tree       size %llu, root %s\n", (unsigned long long)s->tree_size,
		       alog_b64(b64, s->tree_root, 32));
	if (s->recoveries)
		printf("  recovered  %llu damaged tail%s moved aside (see the recover records)\n",
		       (unsigned long long)s->recoveries, s->recoveries == 1 ? "" : "s");
	if (s->warnings)
		printf("  warnings   %llu\n", (unsigned long long)s->warnings);
	if (s->seals && checked && s->seals_checked == s->seals)
		printf("  seals      %llu, signatures and epoch keys verified (epochs ..%llu)\n",
		       (unsigned long long)s->seals, (unsigned long long)s->last_epoch);
	else if (s->seals && checked)
		printf("  seals      %llu read, %llu verified with the public key, %llu not (see the "
		       "problems above)\n", (unsigned long long)s->seals,
		       (unsigned long long)s->seals_checked,
		       (unsigned long long)(s->seals - s->seals_checked));
	else if (s->seals)
		printf("  seals      %llu in the log; signatures not checked (no public key: -p)\n",
		       (unsigned long long)s->seals);
	else
		printf("  seals      none: nothing proves these records against a rewrite\n");
	if (checked && s->nkeys > 1)
		for (unsigned i = 0; i < s->nkeys; i++)
			printf("  key %-6u %s seals seq %llu..%llu\n", i + 1, s->keys[i].key,
			       (unsigned long long)s->keys[i].first_seq,
			       (unsigned long long)s->keys[i].last_seq);
	if (s->seals && s->unsealed)
		printf("  unsealed   %llu record%s after the last seal (seq %llu..%llu); last seal "
		       "%s\n", (unsigned long long)s->unsealed, s->unsealed == 1 ? "" : "s",
		       (unsigned long long)(s->last_seal_seq + 1), (unsigned long long)s->last_seq,
		       alog_ts_format(t1, s->last_seal_ts));
	else if (s->seals)
		printf("  unsealed   none: the last record is a seal (%s)\n",
		       alog_ts_format(t1, s->last_seal_ts));
	if (s->checkpoint_state == 1 && s->checkpoint2_state == 1 && s->checkpoint_auth == 1 &&
	    s->checkpoint2_auth == 1)
		printf("  checkpoints both contained in the log: the new one extends the old "
		       "(signed with epochs %llu and %llu)\n", (unsigned long long)s->checkpoint_epoch,
		       (unsigned long long)s->checkpoint2_epoch);
	else if (s->checkpoint_state == 1 && s->checkpoint2_state == 0 && s->checkpoint_auth == 1)
		printf("  checkpoint contained in the log, signed with epoch %llu\n",
		       (unsigned long long)s->checkpoint_epoch);
}

static void print_json(const struct alog_verify_summary *s, struct out *o, char **files,
                       int nfiles)
{
	char t1[ALOG_TS_LEN + 1], t2[ALOG_TS_LEN + 1], hex[65], b64[ALOG_B64_LEN(32) + 1];
	json_t *r = json_object(), *jf = json_array();

	for (int i = 0; i < nfiles; i++)
		json_array_append_new(jf, jstr(alog_input_name(files[i])));
	if (nfiles == 0)
		json_array_append_new(jf, json_string("<stdin>"));
	json_object_set_new(r, "ok", json_boolean(s->errors == 0 && !unverified(s) && s->records));
	json_object_set_new(r, "files", jf);
	json_object_set_new(r, "origin", s->origin[0] ? json_string(s->origin) : json_null());
	json_object_set_new(r, "records", json_integer((json_int_t)s->records));
	json_object_set_new(r, "first_seq", s->records ? json_integer((json_int_t)s->first_seq)
	                                               : json_null());
	json_object_set_new(r, "last_seq", s->records ? json_integer((json_int_t)s->last_seq)
	                                              : json_null());
	json_object_set_new(r, "first_ts",
	                    s->records ? json_string(alog_ts_format(t1, s->first_ts)) : json_null());
	json_object_set_new(r, "last_ts",
	                    s->records ? json_string(alog_ts_format(t2, s->last_ts)) : json_null());
	json_object_set_new(r, "last_hash",
	                    s->have_hash ? json_string(alog_hex(hex, s->last_hash, 32)) : json_null());
	json_object_set_new(r, "fragment", json_boolean(s->fragment));
	json_object_set_new(r, "gaps", json_integer((json_int_t)s->gaps));
	json_object_set_new(r, "checked", json_integer((json_int_t)(s->records - s->unchecked_links)));
	json_object_set_new(r, "unchecked", json_integer((json_int_t)s->unchecked_links));
	json_object_set_new(r, "tree", s->tree_known
	                                   ? json_pack("{s:I, s:s}", "size", (json_int_t)s->tree_size,
	                                               "root", alog_b64(b64, s->tree_root, 32))
	                                   : json_null());
	json_object_set_new(r, "seals", json_integer((json_int_t)s->seals));
	json_object_set_new(r, "seals_verified", json_integer((json_int_t)s->seals_checked));
	json_object_set_new(r, "last_epoch",
	                    s->have_epoch ? json_integer((json_int_t)s->last_epoch) : json_null());
	json_object_set_new(r, "unsealed", json_integer((json_int_t)s->unsealed));
	json_object_set_new(r, "last_seal_ts", s->seals ? json_string(alog_ts_format(t1,
	                    s->last_seal_ts)) : json_null());
	json_object_set_new(r, "checkpoint", s->checkpoint_state == 0 ? json_null()
	                    : json_boolean(s->checkpoint_state == 1 &&
	                                   s->checkpoint2_state != -1 && s->checkpoint_auth == 1 &&
	                                   s->checkpoint2_auth != -1));
	json_object_set_new(r, "checkpoint_epoch", s->checkpoint_auth == 1
	                    ? json_integer((json_int_t)s->checkpoint_epoch) : json_null());
	json_object_set_new(r, "recoveries", json_integer((json_int_t)s->recoveries));
	json_object_set_new(r, "errors", json_integer((json_int_t)s->errors));
	json_object_set_new(r, "warnings", json_integer((json_int_t)s->warnings));
	json_object_set_new(r, "problems", o->problems);
	json_object_set_new(r, "problems_truncated", json_boolean(o->dropped > 0));
	o->problems = NULL;
	if (json_dumpf(r, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
		/* a reader that went away (| head) is not an error to report, as everywhere */
		if (errno == EPIPE)
			exit(ALOG_EXIT_ERR);
		alog_die(ALOG_EXIT_ERR, "cannot write the report: %s", strerror(errno));
	}
	putchar('\n');
	json_decref(r);
}

/*
 * The checkpoints' texts, kept for the whole run (volatile: the pointers
 * are never read back, and gcc -O2 dropped the stores, which left the
 * texts unreachable for memcheck).
 */
static char *volatile kept[2];
static int nkept;

/* A checkpoint file: its note text (kept for the run) and what it says. */
static void load_checkpoint(const char *path, const char **note, size_t *n, char *origin,
                            uint64_t *size, uint8_t root[32])
{
	struct alog_error e;
	char *buf;

	if (alog_checkpoint_load(path, &buf, n, origin, 256, size, root, &e) != 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
	if (nkept < 2)
		kept[nkept++] = buf;
	*note = buf;
}

/* The proven record for people: pretty like alog-grep, made safe for a terminal. */
static void show_record(const char *rec, size_t n, int color)
{
	struct alog_buf b = {0}, tmp = {0};
	struct alog_rec r;
	struct alog_error e;

	if (alog_rec_parse(&r, rec, n, &e) != 0)
		return;
	alog_buf_str(&b, "  ");
	alog_render_pretty(&b, &tmp, &r, NULL, color);
	alog_buf_str(&b, "\n");
	fwrite(b.p, 1, b.n, stdout);
	alog_buf_free(&b);
	alog_buf_free(&tmp);
}

/* --proof FILE: every bundle in the file, offline. */
static int check_bundles(const char *path, const struct alog_pubkey *pk, int quiet, int json)
{
	struct alog_error e;
	size_t n, at = 0, used;
	char *text = alog_read_file(path, 64u << 20, &n, &e);
	int bad = 0, count = 0, verified = 0, color = !json && alog_term_color_auto(1);
	json_t *results = json ? json_array() : NULL;

	if (!text)
		alog_die_error(ALOG_EXIT_ERR, &e);
	while (at < n) {
		struct alog_bundle_result r;
		int rc = alog_bundle_verify(text + at, n - at, &used, pk, &r, &e);
		count++;
		if (rc < 0) {
			if (count == 1)
				alog_die(ALOG_EXIT_ERR, "%s: %s", path, e.msg);
			alog_warnx("%s: proof %d: %s", path, count, e.msg);
			count--;
			bad = 1;
			break;
		}
		if (rc > 0) {
			bad = 1;
			if (json)
				json_array_append_new(results, json_pack("{s:i, s:b, s:o}", "proof", count,
				                                         "verified", 0, "error", jstr(e.msg)));
			else if (!quiet)
				alog_warnx("%s: proof %d: %s", path, count, e.msg);
		} else {
			verified++;
			if (json) {
				json_t *rec = json_loadb(r.record, r.record_len, 0, NULL);
				json_array_append_new(
					results, json_pack("{s:i, s:b, s:I, s:o, s:I, s:I, s:o}", "proof", count,
				                       "verified", 1, "seq", (json_int_t)r.seq, "origin",
				                       jstr(r.origin), "size", (json_int_t)r.size, "epoch",
				                       (json_int_t)r.epoch, "record",
				                       rec ? rec : json_null()));
			} else if (!quiet) {
				printf("OK: seq %llu is in %s, tree size %llu, checkpoint signed with epoch "
				       "%llu\n", (unsigned long long)r.seq, r.origin,
				       (unsigned long long)r.size, (unsigned long long)r.epoch);
				show_record(r.record, r.record_len, color);
			}
			free(r.record);
		}
		at += used;
	}
	if (count == 0)
		alog_die(ALOG_EXIT_ERR, "%s: no proof in the file", path);
	free(text);
	if (json) {
		json_t *o = json_pack("{s:b, s:i, s:i, s:o}", "ok", !bad && verified == count,
		                      "proofs", count, "verified", verified, "results", results);
		if (json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0) {
			if (errno == EPIPE)
				exit(ALOG_EXIT_ERR);
			alog_die(ALOG_EXIT_ERR, "cannot write the report: %s", strerror(errno));
		}
		putchar('\n');
		json_decref(o);
	} else if (!quiet) {
		printf("%d of %d proof%s verified%s\n", verified, count, count == 1 ? "" : "s",
		       bad && verified == count ? " (the file holds more that is not a proof)" : "");
	}
	alog_close_stdout();
	return bad ? ALOG_EXIT_FAIL : ALOG_EXIT_OK;
}

/* --consistency OLD NEW --proof FILE: the proof alone, offline. */
static int check_consistency_proof(const char *oldf, const char *newf, const char *proof,
                                   const struct alog_pubkey *pk, int quiet)
{
	uint64_t epochs[2];
	struct alog_error e;
	size_t on, nn, pn;
	char *ot = alog_read_file(oldf, 65536, &on, &e), *nt = NULL, *pt = NULL;
	int rc;

	if (!ot || !(nt = alog_read_file(newf, 65536, &nn, &e)) ||
	    !(pt = alog_read_file(proof, 1 << 20, &pn, &e)))
		alog_die_error(ALOG_EXIT_ERR, &e);
	rc = alog_consistency_verify(pt, pn, ot, on, nt, nn, pk, epochs, &e);
	if (rc < 0)
		alog_die(ALOG_EXIT_ERR, "%s", e.msg);
	if (rc > 0 && !quiet)
		alog_warnx("%s: %s", proof, e.msg);
	if (rc == 0 && !quiet)
		printf("OK: %s extends %s (consistency proof checked; checkpoints signed with "
		       "epochs %llu and %llu)\n", newf, oldf, (unsigned long long)epochs[0],
		       (unsigned long long)epochs[1]);
	free(ot);
	free(nt);
	free(pt);
	alog_close_stdout();
	return rc ? ALOG_EXIT_FAIL : ALOG_EXIT_OK;
}

/*
 * A checkpoint may cover records that a rotation moved into earlier files:
 * given the live file alone, read the files its headers name before it
 * (where alog-seal --rotate put them), oldest first.
 */
static char **with_earlier_files(const char *log, int *n)
{
	static char **v;
	char prev[4096];
	struct alog_error e;
	int k = 1, cap = 8;

	v = alog_xmalloc((size_t)cap * sizeof *v);
	v[0] = alog_xstrdup(log);
	while (k < 100000 && alog_log_prev_file(v[k - 1], prev, sizeof prev, &e) == 0 &&
	       access(prev, R_OK) == 0) {
		if (k == cap)
			v = alog_xrealloc(v, (size_t)(cap *= 2) * sizeof *v);
		v[k++] = alog_xstrdup(prev);
	}
	for (int i = 0; i < k / 2; i++) {
		char *x = v[i];
		v[i] = v[k - 1 - i];
		v[k - 1 - i] = x;
	}
	*n = k;
	return v;
}

int main(int argc, char **argv)
{
	static const struct alog_cli cli = {"alog-verify", usage, "aqp:", longopts};
	static struct alog_pubkey pubkey;
	const char *pubfile = NULL, *cpfile = NULL, *keystate = NULL, *prooffile = NULL;
	const char *rollfiles[8];
	static struct alog_pubkey rollkeys[8];
	unsigned nrollfiles = 0;
	const char *oldcp = NULL, *newcp = NULL;
	struct alog_verify_opts vo = {0};
	struct alog_verify_summary s;
	struct alog_verifier *v;
	struct alog_error e;
	struct out o = {0};
	int c, i, rc = 0;

	alog_cli_init("alog-verify");
	while ((c = alog_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'a':
			vo.all = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case OPT_JSON:
			o.json = 1;
			break;
		case OPT_FRAGMENT:
			vo.fragment = 1;
			break;
		case OPT_STRICT:
			vo.strict_json = 1;
			break;
		case OPT_STRICT_TIME:
			vo.strict_time = 1;
			break;
		case 'p':
			/* a second -p names a key an emergency rollover may restart with */
			if (!pubfile)
				pubfile = optarg;
			else if (nrollfiles < sizeof rollfiles / sizeof rollfiles[0])
				rollfiles[nrollfiles++] = optarg;
			else
				alog_usage_error("too many -p keys");
			break;
		case OPT_REQUIRE_SEALED:
			vo.require_sealed = 1;
			break;
		case OPT_MAX_UNSEALED:
			if (alog_parse_duration(optarg, &vo.max_unsealed_ns) != 0 ||
			    vo.max_unsealed_ns <= 0)
				alog_usage_error("--max-unsealed takes a duration such as 90s, 30m, 2h "
				                 "or 1d, not '%s'", optarg);
			break;
		case OPT_CHECKPOINT:
			cpfile = optarg;
			break;
		case OPT_KEY_STATE:
			keystate = optarg;
			break;
		case OPT_PROOF:
			prooffile = optarg;
			break;
		case OPT_CONSISTENCY:
			oldcp = optarg;
			break;
		case OPT_JOBS: {
			uint64_t j;
			if (alog_parse_u64(optarg, 256, &j) != 0 || j == 0)
				alog_usage_error("--jobs takes a number from 1 to 256, not '%s'", optarg);
			vo.jobs = (int)j;
			break;
		}
		}
	}
	vo.key_next = -1;
	argc -= optind;
	argv += optind;
	if (oldcp) {
		/* --consistency OLD NEW: NEW is the first operand */
		if (argc < 1)
			alog_usage_error("--consistency takes two checkpoint files: OLD NEW");
		newcp = argv[0];
		argc--;
		argv++;
		if (cpfile)
			alog_usage_error("--consistency and --checkpoint do not go together");
	}
	if (prooffile && (argc || cpfile || keystate || (o.json && oldcp)))
		alog_usage_error("--proof checks a proof file alone: no log files, --checkpoint or "
		                 "--key-state%s", oldcp ? ", --json" : "");
	if (prooffile && !oldcp && !pubfile)
		alog_usage_error("--proof needs the public key: -p PUBLIC_FILE");
	if ((cpfile || oldcp) && !pubfile)
		alog_usage_error("%s needs the public key (-p PUBLIC_FILE): a checkpoint is trusted "
		                 "only once its signature is checked with an epoch key the public "
		                 "key proves", cpfile ? "--checkpoint" : "--consistency");
	for (unsigned r = 0; r < nrollfiles; r++)
		if (alog_pubkey_load(&rollkeys[r], rollfiles[r], &e) != 0)
			alog_die_error(ALOG_EXIT_ERR, &e);
	vo.rollover_keys = rollkeys;
	vo.nrollover = nrollfiles;
	if (pubfile) {
		if (alog_pubkey_load(&pubkey, pubfile, &e) != 0)
			alog_die_error(ALOG_EXIT_ERR, &e);
		vo.pubkey = &pubkey;
	}
	if (oldcp && prooffile)
		return check_consistency_proof(oldcp, newcp, prooffile, &pubkey, o.quiet);
	if (prooffile) {
		if (o.json && o.quiet)
			alog_usage_error("--json and --quiet do not go together");
		return check_bundles(prooffile, &pubkey, o.quiet, o.json);
	}
	if (cpfile) {
		load_checkpoint(cpfile, &vo.checkpoint_note, &vo.checkpoint_note_len,
		                vo.checkpoint_origin, &vo.checkpoint_size, vo.checkpoint_root);
		vo.have_checkpoint = 1;
	}
	if (oldcp) {
		load_checkpoint(oldcp, &vo.checkpoint_note, &vo.checkpoint_note_len,
		                vo.checkpoint_origin, &vo.checkpoint_size, vo.checkpoint_root);
		load_checkpoint(newcp, &vo.checkpoint2_note, &vo.checkpoint2_note_len,
		                vo.checkpoint2_origin, &vo.checkpoint2_size, vo.checkpoint2_root);
		vo.have_checkpoint = vo.have_checkpoint2 = 1;
		if (vo.checkpoint_size > vo.checkpoint2_size) {
			if (!o.quiet)
				alog_warnx("%s (size %llu) is larger than %s (size %llu): the checkpoints "
				           "are swapped, or the log was rolled back", oldcp,
				           (unsigned long long)vo.checkpoint_size, newcp,
				           (unsigned long long)vo.checkpoint2_size);
			return ALOG_EXIT_FAIL;
		}
	}
	if (keystate) {
		struct alog_seckey sk;
		if (alog_seckey_load(&sk, keystate, 0, &e) != 0)
			alog_die_error(ALOG_EXIT_ERR, &e);
		/* after a key handover the key state is the last key's: checked at the end */
		vo.key_state_differs = pubfile && !alog_key_match(&sk, &pubkey);
		memcpy(vo.key_state_root, sk.root, 32);
		vo.key_next = sk.next;
		if (sk.last_seal) {
			struct alog_seal ls;
			struct alog_error le;
			if (alog_seal_parse_members(sk.last_seal, strlen(sk.last_seal), &ls, &le) == 0 &&
			    ls.epoch + 1 == sk.next) {
				vo.key_last_seal = 1;
				vo.key_last_size = ls.size;
			}
		}
		alog_seckey_free(&sk);
	}
	if (o.json && o.quiet)
		alog_usage_error("--json and --quiet do not go together");
	if (o.json)
		o.problems = json_array();
	vo.lock_live = 1;
	if (argc == 0 && isatty(0)) {
		/* nothing is being piped in: check the log alog-append writes by default */
		static char *deflt[1];
		deflt[0] = (char *)alog_default_file();
		argv = deflt;
		argc = 1;
	}
	if ((cpfile || oldcp) && argc == 1 && strcmp(argv[0], "-") != 0)
		argv = with_earlier_files(argv[0], &argc);
	/* Standard input is where cut-out lines arrive: accept a fragment there. */
	if (argc == 0 || (argc == 1 && strcmp(argv[0], "-") == 0))
		vo.auto_fragment = 1;

	v = alog_verifier_new(&vo, on_problem, &o);
	for (i = 0; i < (argc ? argc : 1) && rc == 0; i++) {
		rc = alog_verify_file(v, argc ? argv[i] : "-", &e);
		if (rc < 0) {
			alog_report(&e);
			alog_verifier_free(v);
			json_decref(o.problems);
			return ALOG_EXIT_ERR;
		}
	}
	alog_verifier_finish(v, &s);
	alog_verifier_free(v);
	if (o.json)
		print_json(&s, &o, argv, argc);
	else if (!o.quiet)
		print_human(&s, vo.pubkey != NULL);
	alog_close_stdout();
	return s.errors || unverified(&s) || s.records == 0 ? ALOG_EXIT_FAIL : ALOG_EXIT_OK;
}
