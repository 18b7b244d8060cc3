/*
 * alog-run - run a command and record it in an alog log: who ran what,
 * where, why and how it ended, and with --transcript what the terminal
 * showed and was typed.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "capture/run.h"
#include "log/writer.h"

static const char usage[] =
	"usage: alog-run [-f LOG] [--origin NAME] [--policy FILE] [--reason TEXT]\n"
	"                [--ticket ID] [--env NAME]... [--transcript] [--fail-open]\n"
	"                [--] COMMAND [ARG...]\n"
	"\n"
	"Run COMMAND and record it in a tamper-evident audit log: a session.start\n"
	"event before it runs and a session.end event when it ends, sharing a\n"
	"session id.  The exit status is the command's (128+N when signal N ended\n"
	"it); alog-run prints nothing of its own unless something is wrong.\n"
	"\n"
	"  -f, --file LOG     the log (default: $ALOG_FILE, else /var/log/alog/audit.alog\n"
	"                     for root and $XDG_STATE_HOME/alog/audit.alog, by default\n"
	"                     ~/.local/state/alog/audit.alog, for others)\n"
	"      --origin NAME  the log's name in a new file's header\n"
	"                     (default: $ALOG_ORIGIN, else the host name)\n"
	"      --policy FILE  put every event through a logging policy, which can\n"
	"                     require a reason or ticket (default: $ALOG_POLICY)\n"
	"      --reason TEXT  why the command is run\n"
	"      --ticket ID    the ticket or incident it is run for\n"
	"      --env NAME     also record environment variable NAME (besides TERM,\n"
	"                     LANG, LC_ALL, SHELL and PATH); may be repeated\n"
	"      --transcript   record the terminal's output and input in session.io\n"
	"                     events (typed input with echo off only as its length)\n"
	"      --fail-open    run the command even when the log cannot be written\n"
	"  -h, --help         show this help\n"
	"      --version      show the version\n"
	"\n"
	"Exit status: the command's; 126 it could not be run, 127 it was not found;\n"
	"2 nothing was run: usage error, the log cannot be written (without\n"
	"--fail-open), or the policy rejects the session.\n"
	"\n"
	"Examples:\n"
	"  alog-run --reason 'restart pool' systemctl restart pgbouncer\n"
	"  alog-run --ticket INC-4211 --transcript psql -h db-1 payments\n";

enum { OPT_ORIGIN = ALOG_OPT_BASE, OPT_POLICY, OPT_REASON, OPT_TICKET, OPT_ENV, OPT_TRANSCRIPT,
       OPT_FAIL_OPEN };

static const struct option longopts[] = {
	{"file", required_argument, NULL, 'f'},
	{"origin", required_argument, NULL, OPT_ORIGIN},
	{"policy", required_argument, NULL, OPT_POLICY},
	{"reason", required_argument, NULL, OPT_REASON},
	{"ticket", required_argument, NULL, OPT_TICKET},
	{"env", required_argument, NULL, OPT_ENV},
	{"transcript", no_argument, NULL, OPT_TRANSCRIPT},
	{"fail-open", no_argument, NULL, OPT_FAIL_OPEN},
	{0, 0, 0, 0},
};

/* The first argument that is the command: options end there (they are not permuted). */
static int command_start(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0)
			return i;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		if (strcmp(a, "-f") == 0 || strcmp(a, "--file") == 0 || strcmp(a, "--origin") == 0 ||
		    strcmp(a, "--policy") == 0 || strcmp(a, "--reason") == 0 ||
		    strcmp(a, "--ticket") == 0 || strcmp(a, "--env") == 0)
			i++;
	}
	return argc;
}

/* The variables to record (kept reachable until exit: usage errors end there). */
static const char **env;

static void warn(void *arg, const struct alog_error *e)
{
	(void)arg;
	alog_report(e);
}

int main(int argc, char **argv)
{
	struct alog_cli cli = {"alog-run", usage, "f:", longopts};
	static const char *const defaults[] = {"TERM", "LANG", "LC_ALL", "SHELL", "PATH"};
	struct alog_run_opts o = {0};
	struct alog_error e;
	size_t n_env = 0;
	int c, cmd, status, rc;

	alog_cli_init("alog-run");
	env = alog_xcalloc((size_t)argc + ALOG_ARRAY_LEN(defaults), sizeof *env);
	for (size_t i = 0; i < ALOG_ARRAY_LEN(defaults); i++)
		env[n_env++] = defaults[i];
	o.append.policy = getenv("ALOG_POLICY");
	if (o.append.policy && !*o.append.policy)
		o.append.policy = NULL;
	cmd = command_start(argc, argv);
	while ((c = alog_cli_next(&cli, cmd, argv)) != -1) {
		switch (c) {
		case 'f':
			o.log = optarg;
			break;
		case OPT_ORIGIN:
			o.append.origin = optarg;
			break;
		case OPT_POLICY:
			o.append.policy = optarg;
			break;
		case OPT_REASON:
			o.reason = optarg;
			break;
		case OPT_TICKET:
			o.ticket = optarg;
			break;
		case OPT_ENV:
			if (!*optarg || strchr(optarg, '='))
				alog_usage_error("--env takes a variable name, not '%s'", optarg);
			env[n_env++] = optarg;
			break;
		case OPT_TRANSCRIPT:
			o.transcript = 1;
			break;
		case OPT_FAIL_OPEN:
			o.fail_open = 1;
			break;
		default:
			alog_usage_error("unexpected option");
		}
	}
	if (cmd < argc && strcmp(argv[cmd], "--") == 0)
		cmd++;
	if (cmd >= argc)
		alog_usage_error("no command to run");
	if (o.reason && !*o.reason)
		alog_usage_error("--reason is empty");
	if (o.ticket && !*o.ticket)
		alog_usage_error("--ticket is empty");
	if (!o.log) {
		o.log = alog_default_file();
		o.append.make_dirs = 1;
	}
	o.env = env;
	o.n_env = n_env;
	o.argv = argv + cmd;
	o.warn = warn;
	rc = alog_run(&o, &status, &e);
	free(env);
	env = NULL;
	if (rc != 0) {
		if (rc == ALOG_RUN_ERROR)
			alog_err_prefix(&e, "not running %s: ", argv[cmd]);
		alog_die_error(ALOG_EXIT_ERR, &e);
	}
	return status;
}
