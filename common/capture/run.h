/*
 * run.h - running a command as a recorded session (alog-run(1)): a
 * session.start record before it runs, a session.end record with how it
 * ended, and with a transcript its terminal's input and output in
 * session.io records, all through the log's policy.
 */
#ifndef ALOG_RUN_H
#define ALOG_RUN_H

#include "base/util.h"
#include "capture/append.h"

struct alog_run_opts {
	const char *log;               /* the log's path */
	struct alog_append_opts append; /* policy, origin (sync is chosen here) */
	const char *reason, *ticket;   /* why; NULL when not given */
	const char *const *env;        /* names of environment variables to record */
	size_t n_env;
	int transcript;                /* record the terminal's input and output */
	int fail_open;                 /* run even when session.start cannot be written */
	char *const *argv;             /* the command */
	/* Told about trouble that does not stop the session (the log became unwritable ...). */
	void (*warn)(void *arg, const struct alog_error *e);
	void *warn_arg;
};

/* What alog_run can end in, besides 0 (the command ran; *status says how it ended). */
enum {
	ALOG_RUN_ERROR = -1,   /* the command did not run: session.start could not be written */
	ALOG_RUN_REFUSED = -2, /* the command did not run: the policy rejects session.start */
};

/*
 * Record session.start, run argv[0] (found on PATH) with the terminal (a
 * pty when a transcript is asked for and stdin is a terminal), forward
 * the signals sent to this process, record session.end.  *status is the
 * exit status a shell would give: the command's, 128+N for a signal N,
 * 127 when it was not found and 126 when it could not be run.  The
 * terminal's modes are restored on every path.
 */
int alog_run(const struct alog_run_opts *o, int *status, struct alog_error *e);

#endif
