/*
 * map_syslog.c - the syslog and rsyslog kinds: RFC 5424 and RFC 3164
 * lines (with or without <PRI>, as daemons send them and as they write
 * files such as /var/log/auth.log), or rsyslog's JSON template, to events;
 * sshd logins, sudo commands and PAM sessions are recognised and mapped to
 * actor, action, target, src and result, everything else is syslog.message.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "capture/map.h"

struct sl {
	struct alog_span time, host, app, pid, msgid, sd, msg;
	int pri; /* -1 none */
};

static const char *const facilities[] = {
	"kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron",
	"authpriv", "ftp", "ntp", "security", "console", "solaris-cron", "local0", "local1",
	"local2", "local3", "local4", "local5", "local6", "local7"};
static const char *const severities[] = {"emerg", "alert", "crit", "err",
                                         "warning", "notice", "info", "debug"};

static int starts(struct alog_span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n >= n && memcmp(s.p, lit, n) == 0;
}

/* The next space-separated token of s (s advances past it and one space). */
static struct alog_span token(struct alog_span *s)
{
	struct alog_span t = {s->p, 0};
	while (t.n < s->n && s->p[t.n] != ' ')
		t.n++;
	s->p += t.n;
	s->n -= t.n;
	if (s->n) {
		s->p++;
		s->n--;
	}
	return t;
}

static int is_digits(struct alog_span s)
{
	if (!s.n)
		return 0;
	for (size_t i = 0; i < s.n; i++)
		if (s.p[i] < '0' || s.p[i] > '9')
			return 0;
	return 1;
}

static void put_span(struct ev *v, const char *name, struct alog_span s)
{
	if (s.n && !(s.n == 1 && s.p[0] == '-'))
		ev_text(v, name, s.p, s.n);
}

/* Find lit in s: the span after it (and set *before to what precedes it), or p NULL. */
static struct alog_span split_at(struct alog_span s, const char *lit, struct alog_span *before)
{
	size_t n = strlen(lit);
	const char *at = n <= s.n ? memmem(s.p, s.n, lit, n) : NULL;
	if (!at)
		return (struct alog_span){NULL, 0};
	if (before)
		*before = (struct alog_span){s.p, (size_t)(at - s.p)};
	return (struct alog_span){at + n, s.n - (size_t)(at - s.p) - n};
}

static void src_ip_port(struct ev *v, struct alog_span ip, struct alog_span port)
{
	ev_open(v, "src");
	put_span(v, "ip", ip);
	if (is_digits(port) && port.n <= 5)
		ev_raw(v, "port", port.p, port.n);
	ev_close(v);
}

/* sshd: Accepted/Failed METHOD for [invalid user] USER from IP port N ...; Invalid user ... */
static int sshd(struct ev *v, struct alog_span m)
{
	struct alog_span s = m, w, user, ip, port, method = {NULL, 0};
	const char *result;

	w = token(&s);
	if (alog_span_eq(w, "Accepted") || alog_span_eq(w, "Failed")) {
		result = w.p[0] == 'A' ? "success" : "failure";
		method = token(&s);
		if (!alog_span_eq(token(&s), "for"))
			return 0;
		if (starts(s, "invalid user "))
			token(&s), token(&s);
	} else if (alog_span_eq(w, "Invalid") && alog_span_eq(token(&s), "user")) {
		result = "failure";
	} else if (alog_span_eq(w, "Disconnected") && starts(s, "from user ")) {
		token(&s), token(&s);
		user = token(&s);
		ip = token(&s);
		token(&s);
		port = token(&s);
		ev_cstr(v, "action", "auth.logout");
		put_span(v, "actor", user);
		src_ip_port(v, ip, port);
		return 1;
	} else {
		return 0;
	}
	user = token(&s);
	if (!alog_span_eq(token(&s), "from"))
		return 0;
	ip = token(&s);
	port = alog_span_eq(token(&s), "port") ? token(&s) : (struct alog_span){NULL, 0};
	ev_cstr(v, "action", "auth.login");
	put_span(v, "actor", user);
	src_ip_port(v, ip, port);
	ev_cstr(v, "result", result);
	if (method.p) {
		ev_open(v, "auth");
		put_span(v, "method", method);
		ev_close(v);
	}
	return 1;
}

/* One "KEY=value" field of a sudo line ("TTY=pts/0 ; PWD=/ ; USER=root ; COMMAND=..."). */
static struct alog_span sudo_field(struct alog_span s, const char *key)
{
	char k[16];
	struct alog_span v;
	snprintf(k, sizeof k, "%s=", key);
	for (;;) {
		v = split_at(s, k, NULL);
		if (!v.p)
			return v;
		/* a field starts the line or follows " ; " */
		if (v.p - strlen(k) == s.p || (v.p - strlen(k) >= s.p + 3 &&
		                               memcmp(v.p - strlen(k) - 3, " ; ", 3) == 0))
			break;
		s = v;
	}
	if (strcmp(key, "COMMAND") != 0) {
		struct alog_span rest = split_at(v, " ; ", &v);
		(void)rest;
	}
	return v;
}

/* sudo: "USER : [REASON ; ]TTY=... ; PWD=... ; USER=... ; COMMAND=..." */
static int sudo(struct ev *v, struct alog_span m)
{
	struct alog_span user, rest, reason = {NULL, 0}, tty, pwd, runas, cmd;

	while (m.n && m.p[0] == ' ')
		m.p++, m.n--;
	rest = split_at(m, " : ", &user);
	if (!rest.p || !user.n || memchr(user.p, ' ', user.n))
		return 0;
	if (!starts(rest, "TTY=") && !starts(rest, "PWD=")) {
		struct alog_span after = split_at(rest, " ; ", &reason);
		if (!after.p)
			return 0;
		rest = after;
	}
	tty = sudo_field(rest, "TTY");
	pwd = sudo_field(rest, "PWD");
	runas = sudo_field(rest, "USER");
	cmd = sudo_field(rest, "COMMAND");
	if (!cmd.p)
		return 0;
	ev_cstr(v, "action", "sudo.command");
	put_span(v, "actor", user);
	if (runas.p)
		put_span(v, "target", runas);
	if (!reason.p)
		ev_cstr(v, "result", "success");
	else if (split_at(reason, "NOT in sudoers", NULL).p ||
	         split_at(reason, "not allowed", NULL).p)
		ev_cstr(v, "result", "denied");
	else
		ev_cstr(v, "result", "failure");
	ev_open(v, "sudo");
	put_span(v, "command", cmd);
	if (pwd.p)
		put_span(v, "cwd", pwd);
	if (tty.p)
		put_span(v, "tty", tty);
	if (reason.p)
		put_span(v, "reason", reason);
	ev_close(v);
	return 1;
}

/* pam_MODULE(SERVICE:TYPE): session opened/closed for user USER..., authentication failure; ... */
static int pam(struct ev *v, struct alog_span m)
{
	struct alog_span mod, svc, s, user;
	const char *open = memchr(m.p, '(', m.n), *colon, *close;

	if (!starts(m, "pam_") || !open)
		return 0;
	mod = (struct alog_span){m.p, (size_t)(open - m.p)};
	close = memchr(open, ')', m.n - (size_t)(open - m.p));
	colon = memchr(open, ':', m.n - (size_t)(open - m.p));
	if (!close || !colon || colon > close || close + 3 > m.p + m.n || close[1] != ':')
		return 0;
	svc = (struct alog_span){open + 1, (size_t)(colon - open - 1)};
	s = (struct alog_span){close + 3, m.n - (size_t)(close + 3 - m.p)};
	if (starts(s, "session opened for user ") || starts(s, "session closed for user ")) {
		const char *what = s.p[8] == 'o' ? "session.open" : "session.close";
		s.p += 24, s.n -= 24;
		user = s;
		for (user.n = 0; user.n < s.n && s.p[user.n] != '(' && s.p[user.n] != ' ';)
			user.n++;
		ev_cstr(v, "action", what);
		put_span(v, "actor", user);
	} else if (starts(s, "authentication failure;")) {
		struct alog_span rhost = split_at(s, " rhost=", NULL), u = split_at(s, " user=", NULL);
		ev_cstr(v, "action", "auth.login");
		if (u.p) {
			struct alog_span t = u;
			put_span(v, "actor", token(&t));
		}
		if (rhost.p) {
			struct alog_span t = rhost;
			struct alog_span h = token(&t);
			if (h.n) {
				ev_open(v, "src");
				put_span(v, "host", h);
				ev_close(v);
			}
		}
		ev_cstr(v, "result", "failure");
	} else {
		return 0;
	}
	ev_open(v, "pam");
	put_span(v, "module", mod);
	put_span(v, "service", svc);
	ev_close(v);
	return 1;
}

static void emit(struct ev *v, const struct sl *f)
{
	struct alog_span app = f->app;
	int known = 0;

	if (alog_span_eq(app, "sshd"))
		known = sshd(v, f->msg);
	if (!known && alog_span_eq(app, "sudo"))
		known = sudo(v, f->msg);
	if (!known)
		known = pam(v, f->msg);
	if (!known)
		ev_cstr(v, "action", "syslog.message");
	put_span(v, "msg", f->msg);
	ev_open(v, "syslog");
	put_span(v, "time", f->time);
	put_span(v, "host", f->host);
	put_span(v, "app", f->app);
	if (is_digits(f->pid) && f->pid.n < 19)
		ev_raw(v, "pid", f->pid.p, f->pid.n);
	else
		put_span(v, "pid", f->pid);
	put_span(v, "msgid", f->msgid);
	put_span(v, "sd", f->sd);
	if (f->pri >= 0) {
		if ((size_t)(f->pri >> 3) < sizeof facilities / sizeof *facilities)
			ev_cstr(v, "facility", facilities[f->pri >> 3]);
		ev_cstr(v, "severity", severities[f->pri & 7]);
	}
	ev_close(v);
}

/* RFC 5424 structured data: "-" or [..]... with quoted values (\] \" \\ escaped). */
static struct alog_span sd_of(struct alog_span *s)
{
	struct alog_span sd = {s->p, 0};
	size_t i = 0;
	int inq = 0;

	if (s->n && s->p[0] == '-') {
		sd.n = 1;
		i = 1;
	} else {
		while (i < s->n && s->p[i] == '[') {
			while (++i < s->n) {
				char c = s->p[i];
				if (inq && c == '\\' && i + 1 < s->n) {
					i++;
				} else if (c == '"') {
					inq = !inq;
				} else if (!inq && c == ']') {
					i++;
					break;
				}
			}
		}
		sd.n = i;
	}
	s->p += i;
	s->n -= i;
	if (s->n && s->p[0] == ' ')
		s->p++, s->n--;
	return sd;
}

static int month(struct alog_span s)
{
	static const char m[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	for (int i = 0; i < 12; i++)
		if (s.n >= 3 && memcmp(s.p, m + 3 * i, 3) == 0)
			return 1;
	return 0;
}

int map_syslog(struct ev *v, const char *in, size_t n, struct alog_error *e)
{
	struct sl f;
	struct alog_span s = {in, n};

	memset(&f, 0, sizeof f);
	f.pri = -1;
	if (s.n >= 3 && s.p[0] == '<') {
		size_t i = 1;
		int pri = 0;
		while (i < s.n && i < 5 && s.p[i] >= '0' && s.p[i] <= '9')
			pri = pri * 10 + (s.p[i++] - '0');
		if (i > 1 && i < s.n && s.p[i] == '>' && pri <= 191) {
			f.pri = pri;
			s.p += i + 1;
			s.n -= i + 1;
		}
	}
	if (f.pri >= 0 && starts(s, "1 ")) {
		/* RFC 5424 */
		s.p += 2, s.n -= 2;
		f.time = token(&s);
		f.host = token(&s);
		f.app = token(&s);
		f.pid = token(&s);
		f.msgid = token(&s);
		f.sd = sd_of(&s);
		if (s.n >= 3 && memcmp(s.p, "\xef\xbb\xbf", 3) == 0)
			s.p += 3, s.n -= 3;
		f.msg = s;
	} else {
		/* RFC 3164 and the file formats: "Mmm dd hh:mm:ss" or an RFC 3339 stamp */
		if (month(s) && s.n >= 16 && s.p[3] == ' ' && s.p[15] == ' ') {
			f.time = (struct alog_span){s.p, 15};
			s.p += 16, s.n -= 16;
		} else if (s.n >= 20 && s.p[4] == '-' && s.p[10] == 'T') {
			f.time = token(&s);
		} else {
			return alog_err(e, "not a syslog line: no timestamp where RFC 3164 or RFC "
			                   "5424 has one");
		}
		f.host = token(&s);
		/* TAG: letters up to '[' or ':' */
		size_t i = 0;
		while (i < s.n && i < 48 && s.p[i] != '[' && s.p[i] != ':' && s.p[i] != ' ')
			i++;
		if (i < s.n && (s.p[i] == '[' || s.p[i] == ':')) {
			f.app = (struct alog_span){s.p, i};
			if (s.p[i] == '[') {
				const char *close = memchr(s.p + i, ']', s.n - i);
				if (close) {
					f.pid = (struct alog_span){s.p + i + 1, (size_t)(close - s.p - i - 1)};
					i = (size_t)(close - s.p) + 1;
				}
			}
			if (i < s.n && s.p[i] == ':')
				i++;
			if (i < s.n && s.p[i] == ' ')
				i++;
			s.p += i, s.n -= i;
		}
		f.msg = s;
	}
	emit(v, &f);
	return 0;
}

/* rsyslog's JSON template: time, host, app, procid, facility, severity, msg, uuid. */
int map_rsyslog(struct ev *v, char *scratch, const char *in, size_t n, char *id, size_t cap,
                struct alog_error *e)
{
	static const char *const names[] = {"time", "host", "app", "procid", "msg", "uuid",
	                                    "facility", "severity", "msgid"};
	struct alog_span raw[9] = {{NULL, 0}}, name, value;
	struct alog_json_iter it;
	struct sl f;
	long len = compact_object(in, n, scratch, e);
	char *plain;
	size_t used = 0;
	int rc;

	if (len < 0)
		return -1;
	/* decoded values go after the compact text */
	plain = scratch + len + 1;
	alog_json_iter_init(&it, scratch, (size_t)len);
	while ((rc = alog_json_iter_next(&it, &name, &value)) == 1) {
		for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
			if (alog_span_eq(name, names[k]) && value.n >= 2 && value.p[0] == '"') {
				long d = alog_json_unescape(value.p + 1, value.n - 2, plain + used,
				                            value.n);
				if (d < 0)
					return alog_err(e, "a bad escape in \"%s\"", names[k]);
				raw[k] = (struct alog_span){plain + used, (size_t)d};
				used += (size_t)d;
			}
		}
	}
	if (rc < 0)
		return alog_err(e, "malformed JSON object");
	if (!raw[4].p)
		return alog_err(e, "not a line of the rsyslog template: no \"msg\"");
	memset(&f, 0, sizeof f);
	f.pri = -1;
	f.time = raw[0];
	f.host = raw[1];
	f.app = raw[2];
	f.pid = raw[3];
	f.msgid = raw[8];
	f.msg = raw[4];
	/* rsyslog's msg property keeps the space after the tag's colon */
	while (f.msg.n && f.msg.p[0] == ' ')
		f.msg.p++, f.msg.n--;
	if (raw[6].p && raw[7].p) {
		int fac = -1, sev = -1;
		for (size_t k = 0; k < sizeof facilities / sizeof *facilities; k++)
			if (alog_span_eq(raw[6], facilities[k]))
				fac = (int)k;
		for (size_t k = 0; k < 8; k++)
			if (alog_span_eq(raw[7], severities[k]))
				sev = (int)k;
		if (fac >= 0 && sev >= 0)
			f.pri = fac * 8 + sev;
	}
	id[0] = '\0';
	if (raw[5].p && raw[5].n && raw[5].n < cap / 6) {
		size_t k = esc_lossy(raw[5].p, raw[5].n, id);
		id[k] = '\0';
	}
	emit(v, &f);
	return 0;
}
