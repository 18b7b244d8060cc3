/*
 * alog-append - append events to an alog log: one from KEY=VALUE
 * arguments, or a stream of JSON objects (or text lines) from stdin.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/reader.h"
#include "base/util.h"
#include "capture/append.h"
#include "capture/capture.h"
#include "capture/source.h"
#include "log/writer.h"
#include "policy/event.h"
#include "policy/policy.h"

static const char usage[] =
	"usage: alog-append [-f LOG] [--origin NAME] [--sync=MODE] [--policy FILE]\n"
	"                   [--policy-change] KEY=VALUE|KEY:=JSON...\n"
	"       alog-append [-f LOG] [--origin NAME] [--sync=MODE] [--policy FILE] [--text]\n"
	"                   [--skip-bad] [--ack] < EVENTS\n"
	"       alog-append [-f LOG] [--policy FILE] --follow PATH [--source KIND]\n"
	"                   [--map FILE] [--once]\n"
	"       alog-append [-f LOG] [--policy FILE] --omprog [--source KIND]\n"
	"       alog-append [-f LOG] [--policy FILE] --pam [--result RESULT]\n"
	"       alog-append [-f LOG] --recover\n"
	"       alog-append --policy-check FILE [--sample EVENTS | -f LOG]\n"
	"\n"
	"Append events to a tamper-evident audit log.  With KEY arguments, append\n"
	"one event; without, read one JSON object per line from standard input and\n"
	"append each as it arrives.\n"
	"\n"
	"  -f, --file LOG     the log (default: $ALOG_FILE, else /var/log/alog/audit.alog\n"
	"                     for root and $XDG_STATE_HOME/alog/audit.alog, by default\n"
	"                     ~/.local/state/alog/audit.alog, for others)\n"
	"      --origin NAME  the log's name in a new file's header\n"
	"                     (default: $ALOG_ORIGIN, else the host name); given for\n"
	"                     an existing log, it must be that log's origin\n"
	"      --sync MODE    each: fdatasync every record; batch: group commit, every\n"
	"                     batch of input read at once; none: leave it to the kernel\n"
	"                     (default: each for arguments, batch for streams)\n"
	"      --text         each input line is plain text, stored as {\"msg\": LINE}\n"
	"      --skip-bad     report bad input lines and go on (exit 2 at the end)\n"
	"                     instead of stopping at the first\n"
	"      --ack          after each durable write, print the seq of every record\n"
	"                     it made durable, one per line\n"
	"      --recover      move a damaged tail (a crash mid-write) aside into\n"
	"                     LOG.torn-TIME and append a record saying so\n"
	"      --policy FILE  check and transform each event by a logging policy\n"
	"                     (default: $ALOG_POLICY; see alog-policy(5)); a new log\n"
	"                     is pinned to it, and every append must give it\n"
	"      --policy-change\n"
	"                     make the policy given (or none) the log's from now on,\n"
	"                     recorded in the log by a policy change record\n"
	"      --policy-check FILE\n"
	"                     check a policy file and explain it, then exit; given\n"
	"                     events (--sample) or a log (-f), warn about the rule\n"
	"                     paths and required members that none of them has\n"
	"      --sample EVENTS\n"
	"                     for --policy-check: events, one JSON object a line\n"
	"      --follow PATH  follow a growing file like tail -F (or the files a glob\n"
	"                     pattern names, in name order), each line once, across\n"
	"                     rotations and restarts: each record keeps its source\n"
	"                     position; runs until SIGTERM or SIGINT\n"
	"      --source KIND  how lines map to events: json (default), postgres-jsonlog,\n"
	"                     nginx-json, syslog, rsyslog (see alog-append(1))\n"
	"      --map FILE     json: which members are actor, action, target, ...\n"
	"      --once         --follow: stop at the end of what is there\n"
	"      --omprog       run under rsyslog's omprog with confirmMessages=\"on\":\n"
	"                     answer OK for each message once it is durable\n"
	"      --pam          record the pam_exec(8) call that runs this (PAM_USER,\n"
	"                     PAM_RHOST, PAM_SERVICE, PAM_TYPE ...)\n"
	"      --result RESULT\n"
	"                     --pam: the result to record (success, failure, ...)\n"
	"  -h, --help         show this help\n"
	"      --version      show the version\n"
	"\n"
	"KEY=VALUE stores a string, KEY:=JSON a typed value (rows:=42,\n"
	"tags:='[\"a\",\"b\"]'); dotted keys nest (user.id=7).  The names seq, ts,\n"
	"type, hash, prev and alog are reserved (a policy records its changes under\n"
	"alog).\n"
	"\n"
	"Exit status: 0 appended; 1 the log's tail is damaged (nothing appended; see\n"
	"--recover); 2 usage, input or I/O error, an event the policy rejects, a\n"
	"policy that is not the one the log is pinned to, or an --origin that is not\n"
	"the log's (nothing appended).\n"
	"\n"
	"Examples:\n"
	"  alog-append -f audit.alog actor=alice action=db.query target=payments rows:=42\n"
	"  tail -F app.log | jq -c '{actor, action}' | alog-append -f audit.alog\n"
	"  alog-append -f audit.alog --policy pg.json --source postgres-jsonlog \\\n"
	"      --follow '/var/lib/postgresql/15/main/log/postgresql-*.json'\n";

enum {
	OPT_ORIGIN = ALOG_OPT_BASE,
	OPT_SYNC,
	OPT_TEXT,
	OPT_SKIP_BAD,
	OPT_ACK,
	OPT_RECOVER,
	OPT_POLICY,
	OPT_POLICY_CHECK,
	OPT_FOLLOW,
	OPT_SOURCE,
	OPT_MAP,
	OPT_ONCE,
	OPT_OMPROG,
	OPT_PAM,
	OPT_RESULT,
	OPT_POLICY_CHANGE,
	OPT_SAMPLE,
};

static const struct option longopts[] = {
	{"file", required_argument, NULL, 'f'},
	{"origin", required_argument, NULL, OPT_ORIGIN},
	{"sync", required_argument, NULL, OPT_SYNC},
	{"text", no_argument, NULL, OPT_TEXT},
	{"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
	{"ack", no_argument, NULL, OPT_ACK},
	{"recover", no_argument, NULL, OPT_RECOVER},
	{"policy", required_argument, NULL, OPT_POLICY},
	{"policy-check", required_argument, NULL, OPT_POLICY_CHECK},
	{"follow", required_argument, NULL, OPT_FOLLOW},
	{"source", required_argument, NULL, OPT_SOURCE},
	{"map", required_argument, NULL, OPT_MAP},
	{"once", no_argument, NULL, OPT_ONCE},
	{"omprog", no_argument, NULL, OPT_OMPROG},
	{"pam", no_argument, NULL, OPT_PAM},
	{"result", required_argument, NULL, OPT_RESULT},
	{"policy-change", no_argument, NULL, OPT_POLICY_CHANGE},
	{"sample", required_argument, NULL, OPT_SAMPLE},
	{0, 0, 0, 0},
};

struct state {
	struct alog_appender *a;
	int ack;
	int sync_each;
	uint64_t first_seq; /* --ack: the first record this run appended, 0 before */
	uint64_t line;      /* the input line of the last event added, 0 for arguments */
};

/* The acks cannot be written (a closed pipe, a full disk): say what is in the log. */
static void ack_failed(const struct state *st, uint64_t last)
{
	char why[200];
	struct alog_error e;

	snprintf(why, sizeof why, "%s", strerror(errno));

	/* a batch still in flight ends first: in the log or not, the message says */
	while (alog_appender_inflight(st->a) && alog_appender_commit_wait(st->a, &e) >= 0)
		last = alog_appender_tail(st->a)->seq;
	if (!st->line)
		alog_die(ALOG_EXIT_ERR, "cannot write the acknowledgement: %s; the event is "
		         "appended (seq %llu)", why, (unsigned long long)last);
	alog_die(ALOG_EXIT_ERR, "cannot write the acknowledgements: %s; stopped after "
	         "<stdin> line %llu: this run appended seq %llu..%llu, nothing after it",
	         why, (unsigned long long)st->line, (unsigned long long)st->first_seq,
	         (unsigned long long)last);
}

/* A damaged tail is exit 1 (see --recover); other failures exit 2. */
static void die_add(int rc, struct alog_error *e)
{
	alog_die_error(rc == ALOG_APPEND_DAMAGED ? ALOG_EXIT_FAIL : ALOG_EXIT_ERR, e);
}

/* n events made durable: they end at the tail.  --ack says so. */
static void acknowledge(struct state *st, long n)
{
	const struct alog_tail *t;

	if (st->ack && n) {
		/* The batch ends at the new tail; its events are the last n seqs. */
		t = alog_appender_tail(st->a);
		if (!st->first_seq)
			st->first_seq = t->seq - (uint64_t)n + 1;
		for (uint64_t s = t->seq - (uint64_t)n + 1; s <= t->seq; s++)
			printf("%llu\n", (unsigned long long)s);
		if (fflush(stdout) != 0 || ferror(stdout))
			ack_failed(st, t->seq);
	}
}

/* The oldest batch in flight, if any, waited for and acknowledged once durable. */
static void acknowledge_oldest(struct state *st)
{
	struct alog_error e;
	long n = alog_appender_commit_wait(st->a, &e);

	if (n < 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
	acknowledge(st, n);
}

/* The batches in flight, in order: each acknowledged before a later one can fail. */
static void acknowledge_inflight(struct state *st)
{
	while (alog_appender_inflight(st->a))
		acknowledge_oldest(st);
}

/* Everything pending or in flight made durable, and the lock released. */
static void commit(struct state *st)
{
	struct alog_error e;
	long n;

	acknowledge_inflight(st);
	n = alog_appender_commit(st->a, &e);
	if (n < 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
	acknowledge(st, n);
}

/*
 * A full batch of a stream: written and synced by a second thread while
 * the next one is read and made.  The batches before it that are durable,
 * and the oldest when every flight is taken, are acknowledged first.
 */
static void commit_start(struct state *st)
{
	struct alog_error e;
	long n;

	while (alog_appender_commit_due(st->a))
		acknowledge_oldest(st);
	n = alog_appender_commit_start(st->a, &e);
	if (n < 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
	acknowledge(st, n);
}

static int append_args(struct state *st, char **args, int n)
{
	struct alog_error e;
	size_t len;
	char *members = alog_event_from_args(args, n, &len, &e);
	int rc;

	if (!members)
		alog_die_error(ALOG_EXIT_ERR, &e);
	rc = alog_appender_add_members(st->a, members, len, &e);
	free(members);
	if (rc != 0) {
		alog_appender_abort(st->a);
		die_add(rc, &e);
	}
	commit(st);
	return ALOG_EXIT_OK;
}

static int append_stream(struct state *st, int text, int skip_bad)
{
	struct alog_reader rd;
	struct alog_line l;
	struct alog_error e;
	char *members = alog_xmalloc(6 * (size_t)ALOG_MAX_LINE + 16);
	uint64_t bad = 0;
	int rc;

	alog_reader_fdopen(&rd, 0, "<stdin>", ALOG_MAX_LINE);
	for (;;) {
		long m;

		/* Never hold the lock across a read that may block: commit first. */
		if (alog_appender_busy(st->a) && !alog_reader_ready(&rd))
			commit(st);
		rc = alog_reader_next(&rd, &l, &e);
		if (rc == ALOG_LINE_EOF)
			break;
		if (rc == ALOG_LINE_ERROR) {
			if (alog_appender_busy(st->a))
				commit(st);
			alog_die_error(ALOG_EXIT_ERR, &e);
		}
		if (rc == ALOG_LINE_TOOLONG) {
			alog_err(&e, "line longer than %d bytes", ALOG_MAX_MEMBERS);
			m = -1;
		} else if (text) {
			m = alog_event_from_text(l.p, l.len, members, &e);
		} else {
			/* Blank lines carry no event. */
			size_t i = 0;
			while (i < l.len && (l.p[i] == ' ' || l.p[i] == '\t' || l.p[i] == '\r' ||
			                     l.p[i] == '\n'))
				i++;
			if (i == l.len)
				continue;
			m = alog_event_from_json(l.p, l.len, members, &e);
		}
		rc = m < 0 ? ALOG_APPEND_REFUSED
		           : alog_appender_add_members(st->a, members, (size_t)m, &e);
		if (rc == ALOG_APPEND_REFUSED) {
			alog_err_at(&e, "<stdin>", l.lineno);
			if (alog_appender_busy(st->a))
				commit(st);
			alog_report(&e);
			if (!skip_bad) {
				alog_warnx("stopped at <stdin> line %llu; the events before it are "
				           "appended", (unsigned long long)l.lineno);
				bad = 1;
				break;
			}
			bad++;
			continue;
		}
		if (rc == 0)
			st->line = l.lineno;
		if (rc != 0) {
			/* A failed lock names the log; a record too long, the input line. */
			if (rc == ALOG_APPEND_DAMAGED || e.file) {
				struct alog_error we;
				long n;
				while (alog_appender_inflight(st->a) &&
				       (n = alog_appender_commit_wait(st->a, &we)) >= 0)
					acknowledge(st, n);
				die_add(rc, &e);
			}
			alog_err_at(&e, "<stdin>", l.lineno);
			commit(st);
			alog_die_error(ALOG_EXIT_ERR, &e);
		}
		if (st->sync_each)
			commit(st);
		else if (alog_appender_batch_due(st->a))
			commit_start(st);
	}
	if (alog_appender_busy(st->a))
		commit(st);
	free(members);
	alog_reader_close(&rd);
	if (bad && skip_bad)
		alog_warnx("%llu bad input line(s) were not appended", (unsigned long long)bad);
	return bad ? ALOG_EXIT_ERR : ALOG_EXIT_OK;
}

static void warn_cover(void *ctx, const char *msg)
{
	alog_warnx("%s: warning: %s", (const char *)ctx, msg);
}

/*
 * --policy-check: the policy is valid (exit 0) or the first problem is
 * named (exit 2); with a sample of events or a log, the rule paths and
 * required members that none of them has are warned about.
 */
static int check_policy(const char *path, int nargs, const char *sample, const char *log)
{
	struct alog_error e;
	struct alog_policy *p;
	struct alog_reader rd;
	struct alog_line l;
	const char *in = sample ? sample : log;
	char *members = NULL;
	int rc;

	if (nargs > 0)
		alog_usage_error("--policy-check takes no KEY arguments");
	if (sample && log)
		alog_usage_error("--policy-check takes --sample or -f, not both");
	p = alog_policy_load(path, &e);
	if (!p)
		alog_die_error(ALOG_EXIT_ERR, &e);
	alog_policy_explain(p, stdout);
	alog_close_stdout();
	if (!in) {
		alog_policy_free(p);
		return ALOG_EXIT_OK;
	}
	if (alog_reader_open(&rd, in, ALOG_MAX_LINE, &e) != 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
	if (sample)
		members = alog_xmalloc(6 * (size_t)ALOG_MAX_LINE + 16);
	while ((rc = alog_reader_next(&rd, &l, &e)) != ALOG_LINE_EOF) {
		long m;
		if (rc == ALOG_LINE_ERROR)
			alog_die_error(ALOG_EXIT_ERR, &e);
		if (rc != ALOG_LINE_OK)
			continue;
		if (!sample) {
			if (alog_policy_cover_record(p, l.p, l.len) != 0)
				alog_warnx("%s:%llu: not a record; skipped", in,
				           (unsigned long long)l.lineno);
			continue;
		}
		m = alog_event_from_json(l.p, l.len, members, &e);
		if (m < 0) {
			alog_err_at(&e, in, l.lineno);
			alog_report(&e);
			continue;
		}
		{
			const char *out;
			size_t outlen;
			alog_policy_apply(p, members, (size_t)m, &out, &outlen, &e);
		}
	}
	alog_reader_close(&rd);
	free(members);
	alog_policy_uncovered(p, warn_cover, (void *)path);
	alog_policy_free(p);
	return ALOG_EXIT_OK;
}

/* --recover: move a damaged tail aside (no policy: nothing new is an event). */
static int recover_log(const char *file)
{
	struct alog_writer_opts wo = {.no_create = 1};
	struct alog_error e;
	struct alog_writer *w = alog_writer_open(file, &wo, &e);
	char aside[4096];
	int rc;

	if (!w)
		alog_die_error(ALOG_EXIT_ERR, &e);
	rc = alog_writer_recover(w, aside, sizeof aside, &e);
	if (rc < 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
	/* alog_warnx: the names are shown safe for a terminal, as every message is */
	if (rc == 1)
		alog_warnx("%s: nothing to recover: the log ends with a complete record", file);
	else
		alog_warnx("%s: damaged tail moved to %s; a recover record was appended (seq %llu)",
		           file, aside, (unsigned long long)alog_writer_tail(w)->seq);
	alog_writer_close(w);
	return ALOG_EXIT_OK;
}

static volatile sig_atomic_t stop_flag;

static void on_stop(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Lines not recorded as events (and gaps) are told on stderr, and the capture goes on. */
static void warn_line(void *ctx, const struct alog_error *e)
{
	(void)ctx;
	alog_report(e);
}

/* --follow and --omprog: the capture runs until told to stop. */
static int capture(struct alog_capture_opts *co, int omprog)
{
	struct sigaction sa;
	struct alog_capture_stats cs;
	struct alog_error e;
	int rc;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	co->stop = &stop_flag;
	co->warn = warn_line;
	rc = omprog ? alog_capture_omprog(co, 0, stdout, &cs, &e)
	            : alog_capture_follow(co, &cs, &e);
	if (rc == 1)
		alog_die_error(ALOG_EXIT_FAIL, &e);
	if (rc < 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
	return ALOG_EXIT_OK;
}

static const char *env_get(const char *name)
{
	return getenv(name);
}

/* --pam: one event from pam_exec's environment, durably. */
static int pam_event(struct state *st, const char *result)
{
	struct alog_error e;
	size_t len;
	char *members = alog_capture_pam_event(env_get, result, &len, &e);
	int rc;

	if (!members)
		alog_die_error(ALOG_EXIT_ERR, &e);
	rc = alog_append_one(st->a, members, len, &e);
	free(members);
	if (rc != 0)
		die_add(rc, &e);
	return ALOG_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct alog_cli cli = {"alog-append", usage, "f:", longopts};
	struct alog_append_opts ao = {0};
	struct alog_error e;
	struct state st = {0};
	struct alog_capture_opts co = {0};
	const char *file = NULL, *sync = NULL, *policy_check = NULL, *result = NULL,
		   *sample = NULL;
	int c, text = 0, skip_bad = 0, recover = 0, omprog = 0, pam = 0, rc;

	alog_cli_init("alog-append");
	while ((c = alog_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'f':
			file = optarg;
			break;
		case OPT_ORIGIN:
			ao.origin = optarg;
			break;
		case OPT_SYNC:
			sync = optarg;
			break;
		case OPT_TEXT:
			text = 1;
			break;
		case OPT_SKIP_BAD:
			skip_bad = 1;
			break;
		case OPT_ACK:
			st.ack = 1;
			break;
		case OPT_RECOVER:
			recover = 1;
			break;
		case OPT_POLICY:
			ao.policy = optarg;
			break;
		case OPT_POLICY_CHECK:
			policy_check = optarg;
			break;
		case OPT_FOLLOW:
			co.follow = optarg;
			break;
		case OPT_SOURCE:
			co.kind = optarg;
			break;
		case OPT_MAP:
			co.map = optarg;
			break;
		case OPT_ONCE:
			co.once = 1;
			break;
		case OPT_OMPROG:
			omprog = 1;
			break;
		case OPT_PAM:
			pam = 1;
			break;
		case OPT_RESULT:
			result = optarg;
			break;
		case OPT_POLICY_CHANGE:
			ao.policy_change = 1;
			break;
		case OPT_SAMPLE:
			sample = optarg;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	if (policy_check)
		return check_policy(policy_check, argc, sample, file);
	if (sample)
		alog_usage_error("--sample goes with --policy-check");
	if (ao.policy_change && (recover || co.follow || omprog || pam))
		alog_usage_error("--policy-change goes with KEY arguments or events on standard "
		                 "input");

	if ((co.follow != NULL) + omprog + pam + recover > 1)
		alog_usage_error("--follow, --omprog, --pam and --recover do not go together");
	if ((co.follow || omprog || pam) && (argc > 0 || text || skip_bad || st.ack))
		alog_usage_error("--follow, --omprog and --pam take no KEY arguments, --text, "
		                 "--skip-bad or --ack");
	if ((co.kind || co.map) && !co.follow && !omprog)
		alog_usage_error("--source and --map go with --follow or --omprog");
	if (co.once && !co.follow)
		alog_usage_error("--once goes with --follow");
	if (result && !pam)
		alog_usage_error("--result goes with --pam");
	if (sync == NULL)
		ao.sync = argc > 0 || omprog || pam ? ALOG_SYNC_EACH : ALOG_SYNC_BATCH;
	else if (strcmp(sync, "each") == 0)
		ao.sync = ALOG_SYNC_EACH;
	else if (strcmp(sync, "batch") == 0)
		ao.sync = ALOG_SYNC_BATCH;
	else if (strcmp(sync, "none") == 0)
		ao.sync = ALOG_SYNC_NONE;
	else
		alog_usage_error("--sync takes each, batch or none, not '%s'", sync);
	st.sync_each = ao.sync == ALOG_SYNC_EACH;
	if (argc > 0 && (text || skip_bad))
		alog_usage_error("--text and --skip-bad apply to standard input, not arguments");
	if (recover && argc > 0)
		alog_usage_error("--recover takes no KEY arguments");
	if (!file) {
		file = alog_default_file();
		ao.make_dirs = 1;
	}
	if (recover)
		return recover_log(file);
	if (!ao.policy)
		ao.policy = getenv("ALOG_POLICY");
	if (ao.policy && !*ao.policy)
		ao.policy = NULL;

	if (co.follow || omprog) {
		co.log = file;
		co.app = ao;
		if (omprog && ao.sync != ALOG_SYNC_EACH)
			alog_usage_error("--omprog confirms each message once it is synced: --sync "
			                 "each only");
		return capture(&co, omprog);
	}

	/* The policy is loaded before the log is opened: a bad one leaves no new file. */
	st.a = alog_appender_open(file, &ao, &e);
	if (!st.a)
		alog_die_error(ALOG_EXIT_ERR, &e);
	if (pam) {
		rc = pam_event(&st, result);
	} else if (argc > 0) {
		rc = append_args(&st, argv, argc);
	} else {
		if (isatty(0))
			alog_warnx("reading events from the terminal, one JSON object per line "
			           "(Ctrl-D ends; see --help)");
		rc = append_stream(&st, text, skip_bad);
	}
	alog_appender_close(st.a);
	return rc;
}
