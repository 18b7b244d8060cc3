/*
 * run.c - a command run as a recorded session: the child process, the
 * signals sent to us passed on to it, and with a transcript the relay of
 * its terminal (a pty) or, when stdin is no terminal, of its output pipes.
 *
 * The log is opened with ALOG_SYNC_NONE: session.start and session.end are
 * synced as soon as they are written, transcript chunks at most a second
 * after (a sync per chunk would slow a busy terminal down to the disk's
 * pace).  A log that cannot be written mid-session never stops the
 * command: the trouble is told once through o->warn, the events lost are
 * counted, and the next record that can be written is preceded by a
 * session.gap record saying how many.
 */
#include "capture/run.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/buf.h"
#include "capture/session.h"

#define SYNC_EVERY_NS 1000000000LL
#define READ_MAX (16 * 1024)

/* One relayed stream and its pending transcript bytes. */
struct stream {
	char name;       /* 'o' output, 'e' standard error (pipes), 'i' input */
	int in, out;     /* read from, write to; in < 0 once closed */
	struct alog_buf pend;
	int64_t t0;      /* ns offset of the first pending byte */
	int64_t last;    /* ns offset of the last read */
	int64_t deadline; /* ns offset when pending bytes are written anyway; 0 none */
	uint64_t hidden; /* input typed with echo off, not yet recorded */
	int64_t hidden_t0;
};

struct sess {
	const struct alog_run_opts *o;
	struct alog_appender *a;
	char id[ALOG_SESSION_ID_LEN + 1];
	char actor[256];
	struct alog_buf ev, note;
	struct timespec start;
	int warned;
	uint64_t lost_events, lost_bytes, noted_lost;
	uint64_t bytes_in, bytes_out;
	int64_t synced_at;
	int dirty;
};

static int64_t now_ns(const struct sess *s)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)(t.tv_sec - s->start.tv_sec) * 1000000000LL + (t.tv_nsec - s->start.tv_nsec);
}

static void warn(struct sess *s, const struct alog_error *e)
{
	if (s->o->warn)
		s->o->warn(s->o->warn_arg, e);
}

/* The members every record of the session starts with. */
static void head(struct sess *s, struct alog_buf *b, const char *action)
{
	b->n = 0;
	alog_session_str(b, "actor", s->actor);
	alog_session_str(b, "action", action);
	alog_session_str(b, "session", s->id);
}

static void lost(struct sess *s, const struct alog_error *e, uint64_t bytes)
{
	struct alog_error w;

	s->lost_events++;
	s->lost_bytes += bytes;
	if (!s->warned) {
		s->warned = 1;
		w = *e;
		alog_err_prefix(&w, "session %s goes on unrecorded until the log can be written "
		                    "again: ", s->id);
		warn(s, &w);
	}
}

/*
 * Write one event (s->ev) durably enough, through the policy.  An event
 * the policy refuses becomes alog's own record: s->note (its members
 * without data) and why.  A write that fails is counted as lost.
 */
static void put(struct sess *s, uint64_t bytes, int sync)
{
	struct alog_error e;
	int rc;

	if (!s->a) {
		alog_err(&e, "the log could not be opened");
		lost(s, &e, bytes);
		return;
	}
	if (s->lost_events > s->noted_lost) {
		struct alog_buf g = {0};
		char t[96];
		head(s, &g, "session.gap");
		snprintf(t, sizeof t, ",\"lost_events\":%llu,\"lost_bytes\":%llu",
		         (unsigned long long)s->lost_events, (unsigned long long)s->lost_bytes);
		alog_buf_str(&g, t);
		rc = alog_appender_add_own(s->a, g.p, g.n, NULL, 0, &e);
		alog_buf_free(&g);
		if (rc != 0) {
			alog_appender_abort(s->a);
			lost(s, &e, bytes);
			return;
		}
	}
	rc = alog_appender_add_members(s->a, s->ev.p, s->ev.n, &e);
	if (rc == ALOG_APPEND_REFUSED) {
		alog_session_str(&s->note, "rejected", e.msg);
		rc = alog_appender_add_own(s->a, s->note.p, s->note.n, NULL, 0, &e);
	}
	if (rc != 0 || alog_appender_commit(s->a, &e) < 0) {
		alog_appender_abort(s->a);
		lost(s, &e, bytes);
		return;
	}
	s->noted_lost = s->lost_events;
	s->dirty = 1;
	if (sync || now_ns(s) - s->synced_at >= SYNC_EVERY_NS) {
		if (alog_appender_sync(s->a, &e) != 0) {
			lost(s, &e, 0);
			s->lost_events--; /* written, maybe not durable: told, not counted */
		}
		s->synced_at = now_ns(s);
		s->dirty = 0;
	}
}

/* ---- session.start and session.end ---- */

struct named {
	const char *name;
	size_t i;
};

static int by_name(const void *a, const void *b)
{
	const struct named *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	return c ? c : (x->i < y->i ? -1 : x->i > y->i);
}

/*
 * Which of the n names repeat an earlier one (dup[i] = 1): a name given
 * twice, or a default named again, would make a member twice in "env",
 * which readers take differently.  Sorted: n log n.
 */
static char *repeats(const char *const *names, size_t n)
{
	struct named *by = alog_xcalloc(n ? n : 1, sizeof *by);
	char *dup = alog_xcalloc(n ? n : 1, 1);

	for (size_t i = 0; i < n; i++)
		by[i] = (struct named){names[i], i};
	qsort(by, n, sizeof *by, by_name);
	for (size_t i = 1; i < n; i++)
		if (strcmp(by[i].name, by[i - 1].name) == 0)
			dup[by[i].i] = 1;
	free(by);
	return dup;
}

static void start_members(struct sess *s, struct alog_buf *b)
{
	const struct alog_run_opts *o = s->o;
	struct winsize ws;
	char t[96];
	size_t i;

	struct alog_buf who = {0};

	alog_session_who(&who, s->actor, sizeof s->actor);
	head(s, b, "session.start");
	alog_buf_add(b, who.p, who.n);
	alog_buf_free(&who);
	alog_session_argv(b, "argv", o->argv);
	if (o->n_env) {
		int any = 0;
		char *dup = repeats(o->env, o->n_env);
		for (i = 0; i < o->n_env; i++) {
			const char *v = getenv(o->env[i]);
			if (!v || dup[i])
				continue;
			alog_buf_str(b, any ? "," : ",\"env\":{");
			any = 1;
			alog_buf_str(b, "\"");
			alog_session_esc(b, o->env[i], strlen(o->env[i]));
			alog_buf_str(b, "\":\"");
			alog_session_esc(b, v, strlen(v));
			alog_buf_str(b, "\"");
		}
		if (any)
			alog_buf_str(b, "}");
		free(dup);
	}
	if (o->reason)
		alog_session_str(b, "reason", o->reason);
	if (o->ticket)
		alog_session_str(b, "ticket", o->ticket);
	snprintf(t, sizeof t, ",\"pid\":%ld", (long)getpid());
	alog_buf_str(b, t);
	if (o->transcript)
		alog_buf_str(b, ",\"transcript\":true");
	if (isatty(0) && ioctl(0, TIOCGWINSZ, &ws) == 0) {
		snprintf(t, sizeof t, ",\"term\":{\"cols\":%u,\"rows\":%u}", ws.ws_col, ws.ws_row);
		alog_buf_str(b, t);
	}
}

/* rchar and wchar of a child not yet reaped (itself and its reaped children). */
static void proc_io(pid_t pid, uint64_t *rd, uint64_t *wr)
{
	char path[64], t[512];
	int fd;
	ssize_t k;
	unsigned long long v;
	const char *p;

	snprintf(path, sizeof path, "/proc/%ld/io", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	k = read(fd, t, sizeof t - 1);
	close(fd);
	if (k <= 0)
		return;
	t[k] = '\0';
	if ((p = strstr(t, "rchar: ")) && sscanf(p + 7, "%llu", &v) == 1)
		*rd = v;
	if ((p = strstr(t, "wchar: ")) && sscanf(p + 7, "%llu", &v) == 1)
		*wr = v;
}

static void end_members(struct sess *s, struct alog_buf *b, int wstatus, int status,
                        const struct rusage *ru, const char *error)
{
	char t[256];

	head(s, b, "session.end");
	if (error) {
		alog_session_str(b, "error", error);
	} else if (WIFSIGNALED(wstatus)) {
		const char *name = sigabbrev_np(WTERMSIG(wstatus));
		snprintf(t, sizeof t, ",\"exit\":{\"signal\":\"%s\",\"signal_number\":%d%s}",
		         name ? name : "?", WTERMSIG(wstatus),
		         WCOREDUMP(wstatus) ? ",\"core_dumped\":true" : "");
		alog_buf_str(b, t);
	} else {
		snprintf(t, sizeof t, ",\"exit\":{\"code\":%d}", WEXITSTATUS(wstatus));
		alog_buf_str(b, t);
	}
	snprintf(t, sizeof t,
	         ",\"status\":%d,\"duration_ms\":%.3f,\"bytes_in\":%llu,\"bytes_out\":%llu,"
	         "\"cpu\":{\"user_ms\":%.3f,\"system_ms\":%.3f}",
	         status, (double)now_ns(s) / 1e6, (unsigned long long)s->bytes_in,
	         (unsigned long long)s->bytes_out,
	         (double)ru->ru_utime.tv_sec * 1e3 + (double)ru->ru_utime.tv_usec / 1e3,
	         (double)ru->ru_stime.tv_sec * 1e3 + (double)ru->ru_stime.tv_usec / 1e3);
	alog_buf_str(b, t);
	if (s->lost_events) {
		snprintf(t, sizeof t, ",\"lost_events\":%llu,\"lost_bytes\":%llu",
		         (unsigned long long)s->lost_events, (unsigned long long)s->lost_bytes);
		alog_buf_str(b, t);
	}
}

/* ---- transcript chunks ---- */

static void io_head(struct sess *s, struct alog_buf *b, char stream, int64_t t)
{
	char tb[64];
	head(s, b, "session.io");
	snprintf(tb, sizeof tb, ",\"t\":%.6f,\"stream\":\"%c\"", (double)t / 1e9, stream);
	alog_buf_str(b, tb);
}

static void emit_hidden(struct sess *s, struct stream *st)
{
	char t[64];

	if (!st->hidden)
		return;
	io_head(s, &s->ev, 'i', st->hidden_t0);
	snprintf(t, sizeof t, ",\"hidden_bytes\":%llu", (unsigned long long)st->hidden);
	alog_buf_str(&s->ev, t);
	io_head(s, &s->note, 'i', st->hidden_t0);
	alog_buf_str(&s->note, t);
	put(s, st->hidden, 0);
	st->hidden = 0;
}

/* Write what is pending on a stream that alog_io_cut lets go. */
static void flush(struct sess *s, struct stream *st, int force, int timed_out)
{
	while (st->pend.n) {
		size_t k = alog_io_cut(st->pend.p, st->pend.n, force, timed_out);
		char t[64];
		if (!k)
			break;
		io_head(s, &s->ev, st->name, st->t0);
		alog_buf_str(&s->ev, ",\"data\":\"");
		alog_session_esc(&s->ev, st->pend.p, k);
		alog_buf_str(&s->ev, "\"");
		io_head(s, &s->note, st->name, st->t0);
		snprintf(t, sizeof t, ",\"bytes\":%zu", k);
		alog_buf_str(&s->note, t);
		put(s, k, 0);
		memmove(st->pend.p, st->pend.p + k, st->pend.n - k);
		st->pend.n -= k;
		st->t0 = st->last;
	}
	st->deadline = 0;
}

static void take(struct sess *s, struct stream *st, const char *p, size_t n, int hidden)
{
	int64_t t = now_ns(s);

	if (hidden) {
		/* what was typed before goes first; the hidden bytes add up until echo is back */
		flush(s, st, 1, 0);
		if (!st->hidden)
			st->hidden_t0 = t;
		st->hidden += n;
		return;
	}
	emit_hidden(s, st);
	if (!st->pend.n)
		st->t0 = t;
	st->last = t;
	alog_buf_add(&st->pend, p, n);
	if (!st->deadline)
		st->deadline = t + ALOG_IO_FLUSH_MS * 1000000LL;
	if (st->pend.n >= ALOG_IO_CHUNK)
		flush(s, st, 0, 0);
}

static void resized(struct sess *s, int master)
{
	struct winsize ws;
	char t[96];

	if (ioctl(0, TIOCGWINSZ, &ws) != 0)
		return;
	ioctl(master, TIOCSWINSZ, &ws);
	io_head(s, &s->ev, 'r', now_ns(s));
	snprintf(t, sizeof t, ",\"cols\":%u,\"rows\":%u", ws.ws_col, ws.ws_row);
	alog_buf_str(&s->ev, t);
	s->note.n = 0;
	alog_buf_add(&s->note, s->ev.p, s->ev.n);
	put(s, 0, 0);
}

/* ---- the child ---- */

static const int handled[] = {SIGCHLD, SIGHUP,  SIGINT,  SIGQUIT, SIGTERM,
                              SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH, SIGPIPE};

struct child {
	pid_t pid;
	int pty;             /* the command runs on a pty: master, slave */
	int master, slave;
	int out[2], err[2];  /* transcript without a terminal: its output pipes */
	struct termios saved;
	int raw;             /* our terminal is in raw mode (saved holds its modes) */
};

static void restore_tty(struct child *c)
{
	if (c->raw) {
		tcsetattr(0, TCSADRAIN, &c->saved);
		c->raw = 0;
	}
}

/* Fork and exec; errors of exec come back through a close-on-exec pipe. */
static int spawn(const struct alog_run_opts *o, struct child *c, const sigset_t *orig,
                 int *exec_errno, struct alog_error *e)
{
	int ep[2];
	ssize_t k;

	if (pipe2(ep, O_CLOEXEC) != 0)
		return alog_errno(e, "pipe");
	c->pid = fork();
	if (c->pid < 0) {
		close(ep[0]);
		close(ep[1]);
		return alog_errno(e, "fork");
	}
	if (c->pid == 0) {
		int err;
		close(ep[0]);
		sigprocmask(SIG_SETMASK, orig, NULL);
		if (c->pty) {
			setsid();
			ioctl(c->slave, TIOCSCTTY, 0);
			dup2(c->slave, 0);
			dup2(c->slave, 1);
			dup2(c->slave, 2);
		} else if (o->transcript) {
			dup2(c->out[1], 1);
			dup2(c->err[1], 2);
		}
		execvp(o->argv[0], o->argv);
		err = errno;
		(void)!write(ep[1], &err, sizeof err);
		_exit(127);
	}
	close(ep[1]);
	do
		k = read(ep[0], exec_errno, sizeof *exec_errno);
	while (k < 0 && errno == EINTR);
	if (k != (ssize_t)sizeof *exec_errno)
		*exec_errno = 0;
	close(ep[0]);
	return 0;
}

static void cloexec(int fd)
{
	fcntl(fd, F_SETFD, FD_CLOEXEC);
}

static void nonblock(int fd)
{
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
}

/* Set up the terminal relay: a pty like ours, ours in raw mode. */
static int open_pty(struct child *c, struct alog_error *e)
{
	struct winsize ws;
	int have_ws = ioctl(0, TIOCGWINSZ, &ws) == 0;

	if (tcgetattr(0, &c->saved) != 0)
		return alog_errno(e, "cannot read the terminal's modes");
	if (openpty(&c->master, &c->slave, NULL, &c->saved, have_ws ? &ws : NULL) != 0)
		return alog_errno(e, "cannot open a pty");
	cloexec(c->master);
	cloexec(c->slave);
	return 0;
}

static int go_raw(struct child *c)
{
	struct termios raw = c->saved;

	cfmakeraw(&raw);
	if (tcsetattr(0, TCSADRAIN, &raw) != 0)
		return -1;
	c->raw = 1;
	return 0;
}

/* Whether the pty's echo is off: its modes are the slave side's, opened by name. */
static int echo_off(int master, struct termios *tm)
{
	char name[128];
	int fd, off = 0;

	if (ptsname_r(master, name, sizeof name) != 0)
		return 0;
	fd = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return 0;
	off = tcgetattr(fd, tm) == 0 && !(tm->c_lflag & ECHO);
	close(fd);
	return off;
}

/* Read what one fd has; 0 at its end (or EIO: the pty's other side closed), -1 nothing now. */
static ssize_t rd(int fd, char *buf, size_t n)
{
	ssize_t k;
	do
		k = read(fd, buf, n);
	while (k < 0 && errno == EINTR);
	if (k < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return -1;
	return k < 0 ? 0 : k;
}

/* Relay and record until the child has exited and its output is drained. */
static void loop(struct sess *s, struct child *c, int sfd, struct stream *st, size_t nst)
{
	char *buf = alog_xmalloc(READ_MAX);
	int exited = 0;

	for (;;) {
		struct pollfd p[4];
		int np = 0, timeout = -1, any_open = 0;
		int64_t t = now_ns(s);
		size_t i;

		p[np++] = (struct pollfd){.fd = sfd, .events = POLLIN};
		for (i = 0; i < nst; i++) {
			if (st[i].in >= 0 && !(exited && st[i].name == 'i')) {
				p[np++] = (struct pollfd){.fd = st[i].in, .events = POLLIN};
				if (st[i].name != 'i')
					any_open = 1;
			}
			if (st[i].deadline) {
				int64_t left = (st[i].deadline - t) / 1000000 + 1;
				if (left < 0)
					left = 0;
				if (timeout < 0 || left < timeout)
					timeout = (int)left;
			}
		}
		if (s->dirty) {
			int64_t left = (s->synced_at + SYNC_EVERY_NS - t) / 1000000 + 1;
			if (left < 0)
				left = 0;
			if (timeout < 0 || left < timeout)
				timeout = (int)left;
		}
		if (exited && !any_open)
			break;
		if (exited)
			timeout = 50; /* drain what is on its way, do not wait for grandchildren */
		if (poll(p, (nfds_t)np, timeout) < 0 && errno != EINTR)
			break;
		if (p[0].revents & POLLIN) {
			struct signalfd_siginfo si;
			while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si) {
				int sig = (int)si.ssi_signo;
				if (sig == SIGCHLD) {
					siginfo_t w = {0};
					if (waitid(P_PID, (id_t)c->pid, &w, WEXITED | WNOHANG | WNOWAIT) == 0 &&
					    w.si_pid == c->pid)
						exited = 1;
				} else if (sig == SIGWINCH) {
					if (c->pty)
						resized(s, c->master);
				} else if (sig == SIGPIPE) {
					continue;
				} else if (si.ssi_code == SI_KERNEL && !c->pty) {
					continue; /* from our terminal: the command had it too */
				} else {
					kill(c->pid, sig);
				}
			}
		}
		int drained = exited;
		for (int j = 1; j < np; j++) {
			struct stream *x = NULL;
			ssize_t k;
			for (i = 0; i < nst; i++)
				if (st[i].in == p[j].fd)
					x = &st[i];
			if (!x || !(p[j].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			k = rd(x->in, buf, READ_MAX);
			if (k < 0)
				continue;
			drained = 0;
			if (k == 0) {
				x->in = -1; /* closed by alog_run; our own input ending leaves the command be */
				continue;
			}
			if (x->name == 'i') {
				struct termios tm;
				int hidden = echo_off(c->master, &tm);
				s->bytes_in += (uint64_t)k;
				take(s, x, buf, (size_t)k, hidden);
				alog_write_all(x->out, buf, (size_t)k);
			} else {
				s->bytes_out += (uint64_t)k;
				take(s, x, buf, (size_t)k, 0);
				/* our reader is gone: so is the command's, as without us */
				if (alog_write_all(x->out, buf, (size_t)k) != 0 && errno == EPIPE && !c->pty) {
					close(x->in);
					x->in = -1;
					if (x->name == 'o')
						c->out[0] = -1;
					else
						c->err[0] = -1;
				}
			}
		}
		if (exited && drained)
			break;
		t = now_ns(s);
		for (i = 0; i < nst; i++)
			if (st[i].deadline && t >= st[i].deadline)
				flush(s, &st[i], 0, 1);
		if (s->dirty && t - s->synced_at >= SYNC_EVERY_NS) {
			struct alog_error e;
			if (s->a && alog_appender_sync(s->a, &e) != 0)
				lost(s, &e, 0);
			s->synced_at = t;
			s->dirty = 0;
		}
	}
	for (size_t i = 0; i < nst; i++) {
		flush(s, &st[i], 1, 0);
		emit_hidden(s, &st[i]);
	}
	free(buf);
}

int alog_run(const struct alog_run_opts *o, int *status, struct alog_error *e)
{
	struct alog_run_opts eff = *o; /* with what the log's policy asks for */
	struct sess s = {.o = &eff};
	struct child c = {.master = -1, .slave = -1, .out = {-1, -1}, .err = {-1, -1}};
	struct alog_append_opts ao = o->append;
	struct stream st[3];
	size_t nst = 0;
	sigset_t set, orig;
	int sfd, exec_errno = 0, wstatus = 0, rc, have_modes;
	struct rusage ru = {0};
	uint64_t rch = 0, wch = 0;
	char errtext[600];

	memset(st, 0, sizeof st);
	clock_gettime(CLOCK_MONOTONIC, &s.start);
	if (alog_session_id(s.id, e) != 0)
		return ALOG_RUN_ERROR;

	/* session.start, durably, before anything runs */
	ao.sync = ALOG_SYNC_NONE;
	s.a = alog_appender_open(o->log, &ao, e);
	if (s.a && alog_appender_wants_transcript(s.a))
		eff.transcript = 1;
	o = &eff;
	start_members(&s, &s.ev);
	if (s.a) {
		rc = alog_appender_add_members(s.a, s.ev.p, s.ev.n, e);
		if (rc == ALOG_APPEND_REFUSED) {
			alog_appender_abort(s.a);
			alog_appender_close(s.a);
			alog_buf_free(&s.ev);
			alog_err_prefix(e, "session.start: ");
			return ALOG_RUN_REFUSED;
		}
		if (rc != 0 || alog_appender_commit(s.a, e) < 0 || alog_appender_sync(s.a, e) != 0) {
			alog_appender_abort(s.a);
			alog_appender_close(s.a);
			s.a = NULL;
		}
	}
	if (!s.a) {
		if (!o->fail_open) {
			alog_buf_free(&s.ev);
			return ALOG_RUN_ERROR;
		}
		alog_err_prefix(e, "--fail-open: running unrecorded: ");
		warn(&s, e);
		s.warned = 1;
		s.lost_events = 1;
	}
	s.synced_at = now_ns(&s);

	/* the signals we pass on, read through a signalfd */
	sigemptyset(&set);
	for (size_t i = 0; i < ALOG_ARRAY_LEN(handled); i++)
		sigaddset(&set, handled[i]);
	sigprocmask(SIG_BLOCK, &set, &orig);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);

	c.pty = o->transcript && isatty(0);
	have_modes = !c.pty && isatty(0) && tcgetpgrp(0) == getpgrp() && tcgetattr(0, &c.saved) == 0;
	rc = 0;
	if (c.pty)
		rc = open_pty(&c, e);
	else if (o->transcript && (pipe2(c.out, O_CLOEXEC) != 0 || pipe2(c.err, O_CLOEXEC) != 0))
		rc = alog_errno(e, "pipe");
	if (rc == 0 && sfd < 0)
		rc = alog_errno(e, "signalfd");
	if (rc == 0 && c.pty && go_raw(&c) != 0)
		rc = alog_errno(e, "cannot set the terminal's modes");
	if (rc == 0)
		rc = spawn(o, &c, &orig, &exec_errno, e);
	if (rc != 0) {
		/* nothing ran: say so in the log too */
		restore_tty(&c);
		wstatus = 0;
		*status = ALOG_EXIT_ERR;
		end_members(&s, &s.ev, 0, *status, &ru, e->msg);
		s.note.n = 0;
		alog_buf_add(&s.note, s.ev.p, s.ev.n);
		put(&s, 0, 1);
		alog_appender_close(s.a);
		alog_buf_free(&s.ev);
		alog_buf_free(&s.note);
		if (sfd >= 0)
			close(sfd);
		return ALOG_RUN_ERROR;
	}
	if (c.pty) {
		/* the command's side only: the master reads EIO once it and its children are gone */
		close(c.slave);
		c.slave = -1;
		st[nst++] = (struct stream){.name = 'o', .in = c.master, .out = 1};
		st[nst++] = (struct stream){.name = 'i', .in = 0, .out = c.master};
		nonblock(c.master);
	} else if (o->transcript) {
		close(c.out[1]);
		close(c.err[1]);
		st[nst++] = (struct stream){.name = 'o', .in = c.out[0], .out = 1};
		st[nst++] = (struct stream){.name = 'e', .in = c.err[0], .out = 2};
		nonblock(c.out[0]);
		nonblock(c.err[0]);
	}

	if (exec_errno) {
		/* the child is gone already: reap it */
		while (waitpid(c.pid, &wstatus, 0) < 0 && errno == EINTR)
			;
		restore_tty(&c);
		*status = exec_errno == ENOENT ? 127 : 126;
		snprintf(errtext, sizeof errtext, "%s: %s", o->argv[0], strerror(exec_errno));
		alog_err(e, "%s", errtext);
		warn(&s, e);
	} else {
		siginfo_t w = {0};
		loop(&s, &c, sfd, st, nst);
		while (waitid(P_PID, (id_t)c.pid, &w, WEXITED | WNOWAIT) < 0 && errno == EINTR)
			;
		if (!o->transcript)
			proc_io(c.pid, &rch, &wch);
		while (wait4(c.pid, &wstatus, 0, &ru) < 0 && errno == EINTR)
			;
		restore_tty(&c);
		if (!o->transcript) {
			s.bytes_in = rch;
			s.bytes_out = wch;
		}
		if (WIFSIGNALED(wstatus)) {
			*status = 128 + WTERMSIG(wstatus);
			/* killed mid-change, the command may have left our terminal raw */
			if (have_modes)
				tcsetattr(0, TCSADRAIN, &c.saved);
		} else {
			*status = WEXITSTATUS(wstatus);
		}
	}
	if (!s.a) {
		/* --fail-open: the end goes in if the log can be written now */
		struct alog_error e2;
		s.a = alog_appender_open(o->log, &ao, &e2);
	}
	end_members(&s, &s.ev, wstatus, *status, &ru, exec_errno ? errtext : NULL);
	s.note.n = 0;
	alog_buf_add(&s.note, s.ev.p, s.ev.n);
	put(&s, 0, 1);

	for (size_t i = 0; i < nst; i++)
		alog_buf_free(&st[i].pend);
	if (c.slave >= 0)
		close(c.slave);
	if (c.master >= 0)
		close(c.master);
	if (c.out[0] >= 0)
		close(c.out[0]);
	if (c.err[0] >= 0)
		close(c.err[0]);
	alog_appender_close(s.a);
	alog_buf_free(&s.ev);
	alog_buf_free(&s.note);
	close(sfd);
	return 0;
}
