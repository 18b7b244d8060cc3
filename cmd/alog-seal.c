/*
 * alog-seal - seal a log with the next epoch of a forward-secure key, and
 * optionally rotate it; print the checkpoint as a C2SP signed note.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "log/writer.h"
#include "ops/seal.h"

static const char usage[] =
	"usage: alog-seal [-f LOG] -s SECRET_FILE [--rotate ARCHIVE | --next-key PUBLIC_FILE |\n"
	"                 --rollover]\n"
	"                 [--lock-wait SECONDS] [--vkey] [-v]\n"
	"\n"
	"Seal the log: append a seal record signing the Merkle tree of every record\n"
	"before it, with the key's next epoch, then erase that epoch from the key.\n"
	"Safe while appenders run.  The checkpoint is printed on standard output as a\n"
	"C2SP signed note: keep it elsewhere (mail, ticket, another host) to prove\n"
	"later that the log still contains what was sealed (alog-verify --checkpoint).\n"
	"\n"
	"  -f, --file LOG       the log (default: $ALOG_FILE, else\n"
	"                       /var/log/alog/audit.alog for root and\n"
	"                       $XDG_STATE_HOME/alog/audit.alog, by default\n"
	"                       ~/.local/state/alog/audit.alog, for others)\n"
	"  -s, --secret FILE    the secret sealing key (from alog-keygen)\n"
	"      --rotate ARCHIVE after sealing, rename LOG to ARCHIVE and start a new LOG\n"
	"                       that continues the same log (next seq, prev, tree)\n"
	"      --next-key PUBLIC_FILE  a planned key handover: this seal (the last one\n"
	"                       made with this key) names and signs the new key, which\n"
	"                       seals from the next seal on, from its epoch 0\n"
	"      --rollover       an emergency rollover (the old key lost or stolen): a new\n"
	"                       key's first seal takes over the log, recorded as such\n"
	"      --lock-wait SECONDS  wait at most this long for the log's and the key's\n"
	"                       locks (default: $ALOG_LOCK_WAIT, else 60; 0: do not wait)\n"
	"      --vkey           also print the epoch's C2SP verifier key after the note\n"
	"  -v, --verbose        say what was sealed on standard error\n"
	"  -h, --help           show this help\n"
	"      --version        show the version\n"
	"\n"
	"Exit status: 0 sealed; 1 refused: the log does not verify since its last seal,\n"
	"its tail is damaged, or the key does not match its seals; 2 usage or I/O error.\n"
	"\n"
	"Example (daily, from cron):\n"
	"  alog-seal -f /var/log/alog/audit.alog -s /etc/alog/seal.key \\\n"
	"      --rotate /var/log/alog/audit-$(date +%F).alog\n";

enum { OPT_ROTATE = ALOG_OPT_BASE, OPT_VKEY, OPT_LOCK_WAIT, OPT_NEXT_KEY, OPT_ROLLOVER };

static const struct option longopts[] = {
	{"file", required_argument, NULL, 'f'},
	{"secret", required_argument, NULL, 's'},
	{"rotate", required_argument, NULL, OPT_ROTATE},
	{"vkey", no_argument, NULL, OPT_VKEY},
	{"lock-wait", required_argument, NULL, OPT_LOCK_WAIT},
	{"next-key", required_argument, NULL, OPT_NEXT_KEY},
	{"rollover", no_argument, NULL, OPT_ROLLOVER},
	{"verbose", no_argument, NULL, 'v'},
	{0, 0, 0, 0},
};

/* The checkpoint (and verifier key) on standard output: 1, or 0 when it
 * could not be written there (closed, full, a broken pipe). */
static int print_checkpoint(const struct alog_seal_result *res, int vkey, int stdout_open)
{
	if (!stdout_open)
		return 0;
	fputs(res->note, stdout);
	if (vkey)
		printf("%s\n", res->vkey);
	return fflush(stdout) == 0 && !ferror(stdout);
}

/* Standard output failed: the seal is in the log, so its checkpoint goes to
 * standard error rather than nowhere. */
static void report_on_stderr(const struct alog_seal_result *res)
{
	alog_warnx("cannot write the checkpoint on standard output; the seal is in the log "
	           "(seq %llu, epoch %llu), its checkpoint follows:",
	           (unsigned long long)res->seq, (unsigned long long)res->epoch);
	fputs(res->note, stderr);
	fflush(stderr);
}

int main(int argc, char **argv)
{
	static const struct alog_cli cli = {"alog-seal", usage, "f:s:v", longopts};
	struct alog_seal_opts o = {0};
	struct alog_seal_result res;
	struct alog_error e;
	int c, rc, vkey = 0, verbose = 0;
	/* before anything could open a file as descriptor 1 */
	int stdout_open = fcntl(STDOUT_FILENO, F_GETFD) != -1;

	alog_cli_init("alog-seal");
	while ((c = alog_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'f':
			o.log = optarg;
			break;
		case 's':
			o.key = optarg;
			break;
		case OPT_ROTATE:
			o.rotate = optarg;
			break;
		case OPT_LOCK_WAIT: {
			uint64_t secs;
			if (alog_parse_u64(optarg, 86400 * 365, &secs) != 0)
				alog_usage_error("--lock-wait needs a number of seconds, not '%s'", optarg);
			o.lock_wait_ms = secs ? (long)secs * 1000 : -1;
			/* the key's lock (keys/key.c) takes its wait from the environment */
			setenv("ALOG_LOCK_WAIT", optarg, 1);
			break;
		}
		case OPT_ROLLOVER:
			o.rollover = 1;
			break;
		case OPT_NEXT_KEY:
			o.next_key = optarg;
			break;
		case OPT_VKEY:
			vkey = 1;
			break;
		case 'v':
			verbose = 1;
			break;
		}
	}
	if (optind != argc)
		alog_usage_error("unexpected argument '%s'", argv[optind]);
	if (!o.key)
		alog_usage_error("-s SECRET_FILE is required");
	if (!o.log)
		o.log = alog_default_file();

	alog_error_clear(&e);
	rc = alog_seal_run(&o, &res, &e);
	if (res.notice[0])
		alog_warnx("%s: %s", o.log, res.notice);
	if (rc != 0) {
		if (!e.file)
			e.file = o.log;
		alog_report(&e);
		/* a seal that is in the log is always reported */
		if (res.note && !print_checkpoint(&res, vkey, stdout_open))
			report_on_stderr(&res);
		free(res.note);
		return rc == 1 ? ALOG_EXIT_FAIL : ALOG_EXIT_ERR;
	}
	if (!print_checkpoint(&res, vkey, stdout_open)) {
		report_on_stderr(&res);
		free(res.note);
		return ALOG_EXIT_ERR;
	}
	if (verbose)
		alog_warnx("%s: sealed seq 1..%llu with epoch %llu (seal is seq %llu; %llu records "
		           "hashed since the last seal)%s%s", o.log, (unsigned long long)res.size,
		           (unsigned long long)res.epoch, (unsigned long long)res.seq,
		           (unsigned long long)res.hashed, o.rotate ? "; archived as " : "",
		           o.rotate ? res.archive : "");
	if (!o.next_key && res.epochs_left * 10 <= res.epochs_left + res.epoch + 1)
		alog_warnx("warning: the key has %llu seal%s left; before it runs out, create a new "
		           "key with alog-keygen and hand over to it with alog-seal --next-key "
		           "NEW.pub (alog-keygen(1), KEY HANDOVER)", (unsigned long long)res.epochs_left,
		           res.epochs_left == 1 ? "" : "s");
	free(res.note);
	return ALOG_EXIT_OK;
}
