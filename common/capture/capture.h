/*
 * capture.h - events that flow into a log by themselves: a followed file
 * (alog-append --follow), rsyslog's omprog (alog-append --omprog) and PAM
 * (alog-append --pam).  Each event is mapped by its source kind, goes
 * through the log's policy, and carries its source position in the
 * record's alog member, so that a restarted capture takes every line once.
 */
#ifndef ALOG_CAPTURE_H
#define ALOG_CAPTURE_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/append.h"
#include "base/util.h"

struct alog_capture_opts {
	const char *log;             /* the log file */
	struct alog_append_opts app; /* policy, origin, sync */
	const char *kind;            /* source kind (source.h) */
	const char *map;             /* json: map file, or NULL */
	const char *follow;          /* --follow: a path or a glob pattern */
	int once;                    /* --follow: stop at the end of what is there */
	volatile sig_atomic_t *stop; /* set (by a signal handler): commit and return 0 */
	/* told about every line not recorded as an event (and why), and gaps */
	void (*warn)(void *ctx, const struct alog_error *e);
	void *ctx;
};

struct alog_capture_stats {
	uint64_t events;  /* events appended */
	uint64_t notes;   /* capture.* notes appended (bad lines, rejected events, gaps) */
	uint64_t skipped; /* duplicates not appended again (omprog) */
};

/*
 * Follow o->follow into o->log until o->stop is set (or, with o->once, the
 * end of what there is).  0 stopped; 1 the log's tail is damaged (e says
 * how to recover; nothing appended since); -1 error (e set; what was
 * committed before stays).
 */
int alog_capture_follow(const struct alog_capture_opts *o, struct alog_capture_stats *st,
                        struct alog_error *e);

/*
 * rsyslog's omprog with confirmMessages="on": answer "OK" on out when
 * ready, then read one message per line from in and answer "OK" for each
 * once its record is durable (or it is already in the log: a message
 * rsyslog sends again after a crash is recognised by its uuid).  A message
 * that cannot be written is answered with an error line, so rsyslog keeps
 * it and sends it again.  0 at the end of input; 1 damaged tail; -1 error.
 */
int alog_capture_omprog(const struct alog_capture_opts *o, int in, FILE *out,
                        struct alog_capture_stats *st, struct alog_error *e);

/*
 * The event of a pam_exec(8) call, from the PAM_* variables get() returns
 * (PAM_TYPE, PAM_USER, PAM_RHOST, PAM_RUSER, PAM_SERVICE, PAM_TTY) and the
 * result given (NULL: "success" for sessions, none otherwise).  Members
 * text, malloc'd (length in *len), or NULL with e set.
 */
char *alog_capture_pam_event(const char *(*get)(const char *name), const char *result,
                             size_t *len, struct alog_error *e);

#endif
