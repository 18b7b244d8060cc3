/*
 * alog_sudo.c - a sudo audit plugin (sudo_plugin(5), audit API) that
 * records every sudo command in an alog log: accepted and rejected
 * commands, and how an accepted one ended.  Enabled in /etc/sudo.conf:
 *
 *   Plugin alog_audit /usr/local/libexec/alog/alog_sudo.so file=/var/log/alog/audit.alog
 *
 * It runs inside sudo: it never prints but through sudo's printf, never
 * exits, holds no descriptor across the command (the log is opened for
 * each record) and holds the log's lock only while it appends.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sudo_plugin.h>

#include "base/buf.h"
#include "base/util.h"
#include "capture/append.h"
#include "capture/session.h"

#define PLUGIN_NAME "alog_audit"

static struct {
	sudo_printf_t printf;
	char *file, *policy, *origin;
	int fail_open;      /* on_error=allow: run commands the log cannot record */
	long lock_ms;       /* lock_timeout: how long a held log lock is waited for */
	char **user_info;   /* copies of what sudo gave open() */
	char **submit_argv;
	char *runas_user;   /* -u, from the settings */
	char session[ALOG_SESSION_ID_LEN + 1];
	const char *action; /* of the record being written */
	char place[PATH_MAX]; /* st.file resolved, checked by trusted_path() */
	char policy_place[PATH_MAX];
	int accepted;       /* a sudo.accept record was written for this session */
	char errbuf[3 * PATH_MAX];
} st;

static char **copy_list(char *const l[], int from)
{
	size_t n = 0, i;
	char **c;

	while (l && l[n])
		n++;
	c = calloc(n + 1, sizeof *c);
	if (!c)
		return NULL;
	for (i = (size_t)from; i < n; i++)
		if (!(c[i - (size_t)from] = strdup(l[i])))
			break;
	return c;
}

static void free_list(char **l)
{
	for (size_t i = 0; l && l[i]; i++)
		free(l[i]);
	free(l);
}

/* The value of NAME=VALUE in a sudo list, or NULL. */
static const char *lookup(char *const l[], const char *name)
{
	size_t k = strlen(name);
	for (size_t i = 0; l && l[i]; i++)
		if (strncmp(l[i], name, k) == 0 && l[i][k] == '=')
			return l[i] + k + 1;
	return NULL;
}

static void str_member(struct alog_buf *b, const char *name, const char *v)
{
	if (v)
		alog_session_str(b, name, v);
}

static void num_member(struct alog_buf *b, const char *name, const char *v)
{
	uint64_t n;
	char t[64];
	if (v && alog_parse_u64(v, UINT32_MAX, &n) == 0) {
		snprintf(t, sizeof t, ",\"%s\":%llu", name, (unsigned long long)n);
		alog_buf_str(b, t);
	}
}

static void argv_member(struct alog_buf *b, const char *name, char *const argv[])
{
	if (argv && argv[0])
		alog_session_argv(b, name, argv);
}

/* The members every record starts with: who ran sudo, from where. */
static void who(struct alog_buf *b, const char *action)
{
	const char *user = lookup(st.user_info, "user");

	b->n = 0;
	st.action = action;
	str_member(b, "actor", user ? user : "?");
	str_member(b, "action", action);
	str_member(b, "session", st.session);
	alog_buf_str(b, ",\"user\":{\"name\":\"");
	alog_session_esc(b, user ? user : "?", strlen(user ? user : "?"));
	alog_buf_str(b, "\"");
	num_member(b, "uid", lookup(st.user_info, "uid"));
	alog_buf_str(b, "}");
	str_member(b, "host", lookup(st.user_info, "host"));
	str_member(b, "tty", lookup(st.user_info, "tty"));
	str_member(b, "cwd", lookup(st.user_info, "cwd"));
	num_member(b, "pid", lookup(st.user_info, "pid"));
}

/*
 * Wait (bounded) until nobody holds the log's lock, so that a writer
 * stopped while holding it cannot hang sudo: 0, or -1 when it stayed held.
 * The writer then takes the lock itself (blocking only if another writer
 * took it in between, for the length of one append).
 */
static int lock_free(void)
{
	struct timespec nap = {0, 10 * 1000000};
	int fd = open(st.place, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	long waited = 0;

	if (fd < 0)
		return 0; /* no log yet, or unreadable: the writer says why */
	while (flock(fd, LOCK_SH | LOCK_NB) != 0) {
		if ((errno != EWOULDBLOCK && errno != EINTR) || waited >= st.lock_ms) {
			close(fd);
			return -1;
		}
		nanosleep(&nap, NULL);
		waited += 10;
	}
	flock(fd, LOCK_UN);
	close(fd);
	return 0;
}

/* Why root may not trust the file or directory SB at PATH, or NULL. */
static const char *untrusted(const char *path, const struct stat *sb, int dir, int last)
{
	static char why[PATH_MAX + 64];
	int sticky = dir && !last && (sb->st_mode & S_ISVTX);

	if (dir && !S_ISDIR(sb->st_mode))
		snprintf(why, sizeof why, "%s: %s", path, strerror(ENOTDIR));
	else if (!dir && !S_ISREG(sb->st_mode))
		snprintf(why, sizeof why, "%s is not a regular file", path);
	else if (sb->st_uid != 0)
		snprintf(why, sizeof why, "%s is owned by uid %u, not by root", path,
		         (unsigned)sb->st_uid);
	else if ((sb->st_mode & S_IWOTH) && !sticky)
		snprintf(why, sizeof why, "%s is writable by others", path);
	else if ((sb->st_mode & S_IWGRP) && sb->st_gid != 0 && !sticky)
		snprintf(why, sizeof why, "%s is writable by group %u", path, (unsigned)sb->st_gid);
	else
		return NULL;
	return why;
}

/*
 * Resolve PATH (a log or a policy, absolute) into OUT, name by name, each
 * name looked up in a directory only root can change (owned by root,
 * writable by no one else; a sticky one is fine above the last) and each
 * symbolic link on the way owned by root; the file, when it exists, a
 * regular file owned by root that no one else may write.  sudo runs us as
 * root for any user: a user who could change one of those could swap the
 * log for a link to a file root then writes, or rewrite the log or the
 * policy.  The file is then opened by OUT, whose every step only root can
 * change.  0, or -1 with st.errbuf saying why.
 */
static int trusted_path(const char *path, char out[PATH_MAX])
{
	char rest[2 * PATH_MAX], name[NAME_MAX + 1], target[PATH_MAX], ent[PATH_MAX];
	const char *why = NULL;
	struct stat sb;
	int links = 0;

	snprintf(rest, sizeof rest, "%s", path);
	strcpy(out, "/");
	for (;;) {
		char *r = rest;
		size_t n;
		int last;

		while (*r == '/')
			r++;
		n = strcspn(r, "/");
		if (n == 0) {
			why = "names a directory";
			goto fail;
		}
		if (n > NAME_MAX) {
			why = strerror(ENAMETOOLONG);
			goto fail;
		}
		memcpy(name, r, n);
		name[n] = '\0';
		r += n;
		while (*r == '/')
			r++;
		last = !*r;
		memmove(rest, r, strlen(r) + 1);
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			char *up = strrchr(out, '/');
			if (last) {
				why = "names a directory";
				goto fail;
			}
			if (name[1])
				up[up == out] = '\0';
			continue;
		}
		/* the directory the name is looked up in */
		if (lstat(out, &sb) != 0) {
			why = strerror(errno);
			goto fail;
		}
		if ((why = untrusted(out, &sb, 1, last)) != NULL)
			goto fail;
		if ((size_t)snprintf(ent, sizeof ent, "%s/%s", strcmp(out, "/") ? out : "", name) >=
		    sizeof ent) {
			why = strerror(ENAMETOOLONG);
			goto fail;
		}
		if (lstat(ent, &sb) != 0) {
			if (errno == ENOENT && last) {
				strcpy(out, ent); /* a new log: root creates it */
				return 0;
			}
			why = strerror(errno);
			goto fail;
		}
		if (S_ISLNK(sb.st_mode)) {
			static char w[PATH_MAX + 64];
			ssize_t k;
			if (sb.st_uid != 0) {
				snprintf(w, sizeof w, "%s is a link owned by uid %u, not by root", ent,
				         (unsigned)sb.st_uid);
				why = w;
				goto fail;
			}
			k = readlink(ent, target, sizeof target - 1);
			if (k <= 0 || ++links > 40) {
				why = strerror(k < 0 ? errno : ELOOP);
				goto fail;
			}
			if ((size_t)k + 2 + strlen(rest) > sizeof rest) {
				why = strerror(ENAMETOOLONG);
				goto fail;
			}
			/* the link's target, then what followed the link */
			memmove(rest + k + 1, rest, strlen(rest) + 1);
			memcpy(rest, target, (size_t)k);
			rest[k] = last ? '\0' : '/';
			if (target[0] == '/')
				strcpy(out, "/");
			continue;
		}
		strcpy(out, ent);
		if (last) {
			if ((why = untrusted(out, &sb, 0, 1)) != NULL)
				goto fail;
			return 0;
		}
	}
fail:
	snprintf(st.errbuf, sizeof st.errbuf, "%s: %s: %s", PLUGIN_NAME, path, why);
	return -1;
}

/*
 * Append one event durably (put_log), with root's group: sudo is set-user-id
 * only, so a new log would otherwise belong to the group of whoever ran
 * sudo first, and that group could read every sudo command, and hold the
 * log's lock.  0, or -1 with st.errbuf saying why.
 */
static int put_log(struct alog_buf *b);

static int put(struct alog_buf *b)
{
	gid_t egid = getegid();
	int rc;

	if (egid != 0 && setegid(0) != 0) {
		snprintf(st.errbuf, sizeof st.errbuf, "%s: cannot take root's group: %s", PLUGIN_NAME,
		         strerror(errno));
		return -1;
	}
	rc = put_log(b);
	if (egid != 0 && setegid(egid) != 0) {
		snprintf(st.errbuf, sizeof st.errbuf, "%s: cannot give back group %u: %s", PLUGIN_NAME,
		         (unsigned)egid, strerror(errno));
		return -1;
	}
	return rc;
}

/*
 * Append one event durably; 0, or -1 with st.errbuf saying why.  An event
 * the policy rejects is recorded as alog's own record, without the rule's
 * input, so that the attempt is still there.
 */
static int put_log(struct alog_buf *b)
{
	struct alog_append_opts o = {.policy = st.policy ? st.policy_place : NULL,
	                             .origin = st.origin, .sync = ALOG_SYNC_EACH};
	struct alog_error e;
	struct alog_appender *a;
	int rc;

	if (trusted_path(st.file, st.place) != 0 ||
	    (st.policy && trusted_path(st.policy, st.policy_place) != 0))
		return -1;
	if (lock_free() != 0) {
		snprintf(st.errbuf, sizeof st.errbuf, "%s: %s: the log stayed locked for %ld ms",
		         PLUGIN_NAME, st.file, st.lock_ms);
		return -1;
	}
	a = alog_appender_open(st.place, &o, &e);
	if (!a)
		goto fail;
	rc = alog_append_one(a, b->p, b->n, &e);
	if (rc == ALOG_APPEND_REFUSED) {
		/* none of the values the policy did not let through: who, what, why */
		struct alog_buf note = {0};
		const char *user = lookup(st.user_info, "user");
		str_member(&note, "actor", user ? user : "?");
		str_member(&note, "action", st.action);
		str_member(&note, "session", st.session);
		str_member(&note, "rejected", e.msg);
		rc = alog_appender_add_own(a, note.p, note.n, NULL, 0, &e);
		alog_buf_free(&note);
		if (rc == 0 && alog_appender_commit(a, &e) < 0)
			rc = -1;
	}
	if (rc != 0) {
		alog_appender_abort(a);
		alog_appender_close(a);
		goto fail;
	}
	alog_appender_close(a);
	return 0;
fail:
	snprintf(st.errbuf, sizeof st.errbuf, "%s: %s%s%s", PLUGIN_NAME, e.file ? e.file : "",
	         e.file ? ": " : "", e.msg);
	return -1;
}

static void tell(void)
{
	if (st.printf)
		st.printf(SUDO_CONV_ERROR_MSG, "%s\n", st.errbuf);
}

static void reset(void)
{
	free(st.file);
	free(st.policy);
	free(st.origin);
	free(st.runas_user);
	free_list(st.user_info);
	free_list(st.submit_argv);
	memset(&st, 0, sizeof st);
}

static int plugin_open(unsigned int version, sudo_conv_t conversation,
                       sudo_printf_t sudo_printf, char *const settings[],
                       char *const user_info[], int submit_optind, char *const submit_argv[],
                       char *const submit_envp[], char *const plugin_options[],
                       const char **errstr)
{
	struct alog_error e;
	(void)conversation;
	(void)submit_envp;

	reset();
	st.printf = sudo_printf;
	st.lock_ms = 5000;
	if (SUDO_API_VERSION_GET_MAJOR(version) != SUDO_API_VERSION_MAJOR) {
		*errstr = PLUGIN_NAME ": incompatible sudo plugin API major version";
		return -1;
	}
	for (size_t i = 0; plugin_options && plugin_options[i]; i++) {
		const char *opt = plugin_options[i];
		char **to = NULL;
		if (strncmp(opt, "file=", 5) == 0)
			to = &st.file;
		else if (strncmp(opt, "policy=", 7) == 0)
			to = &st.policy;
		else if (strncmp(opt, "origin=", 7) == 0)
			to = &st.origin;
		if (to && opt[strcspn(opt, "=") + 1] != '/' && to != &st.origin) {
			/* sudo's working directory is the user's */
			snprintf(st.errbuf, sizeof st.errbuf, "%s: %s takes an absolute path, not '%s'",
			         PLUGIN_NAME, to == &st.file ? "file=" : "policy=", strchr(opt, '=') + 1);
			*errstr = st.errbuf;
			tell();
			return -1;
		}
		if (to) {
			free(*to);
			*to = strdup(strchr(opt, '=') + 1);
		} else if (strncmp(opt, "lock_timeout=", 13) == 0) {
			uint64_t v;
			if (alog_parse_u64(opt + 13, 3600, &v) != 0) {
				snprintf(st.errbuf, sizeof st.errbuf,
				         "%s: lock_timeout takes seconds (0 to 3600), not '%s'",
				         PLUGIN_NAME, opt + 13);
				*errstr = st.errbuf;
				tell();
				return -1;
			}
			st.lock_ms = (long)v * 1000;
		} else if (strcmp(opt, "on_error=allow") == 0) {
			st.fail_open = 1;
		} else if (strcmp(opt, "on_error=refuse") == 0) {
			st.fail_open = 0;
		} else {
			snprintf(st.errbuf, sizeof st.errbuf,
			         "%s: unknown option '%s' (file=, policy=, origin=, "
			         "on_error=refuse|allow, lock_timeout=)", PLUGIN_NAME, opt);
			*errstr = st.errbuf;
			tell(); /* sudo says only that the plugin failed */
			return -1;
		}
	}
	if (!st.file)
		st.file = strdup(ALOG_DEFAULT_FILE);
	st.user_info = copy_list(user_info, 0);
	st.submit_argv = copy_list(submit_argv, submit_optind);
	if (lookup(settings, "runas_user"))
		st.runas_user = strdup(lookup(settings, "runas_user"));
	if (!st.file || !st.user_info || !st.submit_argv) {
		*errstr = PLUGIN_NAME ": out of memory";
		return -1;
	}
	if (alog_session_id(st.session, &e) != 0) {
		snprintf(st.errbuf, sizeof st.errbuf, "%s: %s", PLUGIN_NAME, e.msg);
		*errstr = st.errbuf;
		return -1;
	}
	return 1;
}

/* The "runas" object's start: the user the command runs as (the decision's,
 * else the -u option's, else root). */
static void runas_user(struct alog_buf *b, char *const command_info[])
{
	const char *ru = lookup(command_info, "runas_user");

	if (!ru)
		ru = st.runas_user ? st.runas_user : "root";
	alog_buf_str(b, ",\"runas\":{\"user\":\"");
	alog_session_esc(b, ru, strlen(ru));
	alog_buf_str(b, "\"");
}

static int plugin_accept(const char *plugin_name, unsigned int plugin_type,
                         char *const command_info[], char *const run_argv[],
                         char *const run_envp[], const char **errstr)
{
	struct alog_buf b = {0};
	int rc;
	(void)plugin_name;
	(void)run_envp;

	/* one record per command: the policy plugin's decision */
	if (plugin_type != SUDO_POLICY_PLUGIN)
		return 1;
	who(&b, "sudo.accept");
	runas_user(&b, command_info);
	num_member(&b, "uid", lookup(command_info, "runas_uid"));
	num_member(&b, "gid", lookup(command_info, "runas_gid"));
	alog_buf_str(&b, "}");
	str_member(&b, "command", lookup(command_info, "command"));
	argv_member(&b, "argv", run_argv);
	str_member(&b, "runcwd", lookup(command_info, "cwd"));
	rc = put(&b);
	alog_buf_free(&b);
	if (rc == 0) {
		st.accepted = 1;
		return 1;
	}
	if (st.fail_open) {
		tell();
		return 1;
	}
	/* on_error=refuse: no record, no command */
	*errstr = st.errbuf;
	return 0;
}

static int plugin_reject(const char *plugin_name, unsigned int plugin_type,
                         const char *audit_msg, char *const command_info[],
                         const char **errstr)
{
	struct alog_buf b = {0};
	(void)plugin_type;
	(void)errstr;

	who(&b, "sudo.reject");
	runas_user(&b, command_info);
	alog_buf_str(&b, "}");
	str_member(&b, "command", lookup(command_info, "command"));
	argv_member(&b, "argv", st.submit_argv);
	str_member(&b, "reason", audit_msg ? audit_msg : "rejected");
	str_member(&b, "by", plugin_name);
	/* a rejected command does not run either way: a failed write is told */
	if (put(&b) != 0)
		tell();
	alog_buf_free(&b);
	return 1;
}

static int plugin_error(const char *plugin_name, unsigned int plugin_type,
                        const char *audit_msg, char *const command_info[],
                        const char **errstr)
{
	struct alog_buf b = {0};
	(void)plugin_type;
	(void)errstr;
	(void)command_info;

	who(&b, "sudo.error");
	argv_member(&b, "argv", st.submit_argv);
	str_member(&b, "reason", audit_msg ? audit_msg : "error");
	str_member(&b, "by", plugin_name);
	if (put(&b) != 0)
		tell();
	alog_buf_free(&b);
	return 1;
}

static void plugin_close(int status_type, int status)
{
	struct alog_buf b = {0};
	char t[160];

	if (st.accepted && status_type != SUDO_PLUGIN_NO_STATUS) {
		who(&b, "sudo.exit");
		if (status_type == SUDO_PLUGIN_WAIT_STATUS && WIFSIGNALED(status)) {
			const char *name = sigabbrev_np(WTERMSIG(status));
			snprintf(t, sizeof t, ",\"exit\":{\"signal\":\"%s\",\"signal_number\":%d},\"status\":%d",
			         name ? name : "?", WTERMSIG(status), 128 + WTERMSIG(status));
		} else if (status_type == SUDO_PLUGIN_WAIT_STATUS) {
			snprintf(t, sizeof t, ",\"exit\":{\"code\":%d},\"status\":%d", WEXITSTATUS(status),
			         WEXITSTATUS(status));
		} else {
			snprintf(t, sizeof t, ",\"error\":\"%s: %s\"",
			         status_type == SUDO_PLUGIN_EXEC_ERROR ? "cannot run the command"
			                                               : "sudo failed",
			         strerror(status));
		}
		alog_buf_str(&b, t);
		if (put(&b) != 0)
			tell();
		alog_buf_free(&b);
	}
	reset();
}

static int plugin_show_version(int verbose)
{
	(void)verbose;
	if (st.printf)
		st.printf(SUDO_CONV_INFO_MSG, "alog audit plugin version %s\n", ALOG_VERSION);
	return 1;
}

__attribute__((visibility("default"))) struct audit_plugin alog_audit = {
	SUDO_AUDIT_PLUGIN,
	SUDO_API_VERSION,
	plugin_open,
	plugin_close,
	plugin_accept,
	plugin_reject,
	plugin_error,
	plugin_show_version,
	NULL, /* register_hooks */
	NULL, /* deregister_hooks */
	NULL, /* event_alloc */
};
