/*
 * session.c - the members of a recorded session's records, and where a
 * transcript is cut into chunks.
 */
#include "capture/session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/enc.h"
#include "base/json.h"

int alog_session_id(char out[ALOG_SESSION_ID_LEN + 1], struct alog_error *e)
{
	uint8_t r[ALOG_SESSION_ID_LEN / 2];
	size_t got = 0;

	while (got < sizeof r) {
		ssize_t k = getrandom(r + got, sizeof r - got, 0);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return alog_errno(e, "cannot make a session id");
		}
		got += (size_t)k;
	}
	alog_hex(out, r, sizeof r);
	out[ALOG_SESSION_ID_LEN] = '\0';
	return 0;
}

void alog_session_esc(struct alog_buf *b, const char *in, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t k = alog_utf8_check(in + i, n - i), j;
		/* alog_json_escape refuses NUL: cut the valid run there too */
		const char *nul = memchr(in + i, '\0', k);
		if (nul)
			k = (size_t)(nul - (in + i));
		if (k) {
			long m = alog_json_escape(in + i, k, alog_buf_room(b, 6 * k));
			if (m > 0)
				b->n += (size_t)m;
			i += k;
		}
		if (i < n) {
			/* one bad byte (or NUL) at a time */
			alog_buf_add(b, "\\ufffd", 6);
			j = i + 1;
			i = j;
		}
	}
}

void alog_session_str(struct alog_buf *b, const char *name, const char *value)
{
	alog_buf_str(b, ",\"");
	alog_buf_str(b, name);
	alog_buf_str(b, "\":\"");
	alog_session_esc(b, value, strlen(value));
	alog_buf_add(b, "\"", 1);
}

void alog_session_argv(struct alog_buf *b, const char *name, char *const argv[])
{
	size_t start = b->n, args = 0, bytes = 0;
	int cut = 0;

	alog_buf_str(b, ",\"");
	alog_buf_str(b, name);
	alog_buf_str(b, "\":[");
	for (size_t i = 0; argv[i]; i++) {
		size_t k = strlen(argv[i]), at;
		args++;
		bytes += k;
		if (cut)
			continue;
		alog_buf_str(b, i ? ",\"" : "\"");
		at = b->n;
		alog_session_esc(b, argv[i], k);
		if (b->n - start + 2 > ALOG_ARGV_MAX) {
			/* what fits, escaped at most 6 bytes for 1 */
			size_t room = ALOG_ARGV_MAX - (at - start) - 2;
			b->n = at;
			alog_session_esc(b, argv[i], room / 6 < k ? room / 6 : k);
			cut = 1;
		}
		alog_buf_str(b, "\"");
	}
	alog_buf_str(b, "]");
	if (cut) {
		char t[128];
		alog_buf_str(b, ",\"");
		alog_buf_str(b, name);
		snprintf(t, sizeof t, "_truncated\":{\"args\":%zu,\"bytes\":%zu}", args, bytes);
		alog_buf_str(b, t);
	}
}

static void num(struct alog_buf *b, const char *name, unsigned long long v)
{
	char t[64];
	snprintf(t, sizeof t, ",\"%s\":%llu", name, v);
	alog_buf_str(b, t);
}

/* The login uid (audit), or -1 when unset or unknown. */
static long long loginuid(void)
{
	char t[32];
	int fd = open("/proc/self/loginuid", O_RDONLY | O_CLOEXEC);
	ssize_t k;
	uint64_t v;

	if (fd < 0)
		return -1;
	k = read(fd, t, sizeof t - 1);
	close(fd);
	if (k <= 0)
		return -1;
	t[k] = '\0';
	t[strcspn(t, "\n")] = '\0';
	if (alog_parse_u64(t, UINT32_MAX - 1, &v) != 0)
		return -1; /* 4294967295: no login uid */
	return (long long)v;
}

/* SSH_CONNECTION is "client port server port". */
static void ssh(struct alog_buf *b)
{
	const char *s = getenv("SSH_CONNECTION");
	char c[256], cp[16], sv[256], sp[16];
	uint64_t p1, p2;

	if (!s || !*s)
		return;
	if (strlen(s) < 200 && sscanf(s, "%255s %15s %255s %15s", c, cp, sv, sp) == 4 &&
	    alog_parse_u64(cp, 65535, &p1) == 0 && alog_parse_u64(sp, 65535, &p2) == 0) {
		alog_buf_str(b, ",\"ssh\":{\"client\":\"");
		alog_session_esc(b, c, strlen(c));
		alog_buf_str(b, "\"");
		num(b, "client_port", p1);
		alog_session_str(b, "server", sv);
		num(b, "server_port", p2);
		alog_buf_str(b, "}");
	} else {
		alog_buf_str(b, ",\"ssh\":{\"connection\":\"");
		alog_session_esc(b, s, strlen(s));
		alog_buf_str(b, "\"}");
	}
}

void alog_session_who(struct alog_buf *b, char *actor, size_t cap)
{
	uid_t uid = getuid();
	struct passwd *pw = getpwuid(uid);
	long long lu = loginuid();
	const char *sudo_user = getenv("SUDO_USER");
	char host[HOST_NAME_MAX + 1], *cwd, uname[256];
	const char *tty = NULL;

	snprintf(uname, sizeof uname, "%s", pw ? pw->pw_name : "");
	if (!uname[0])
		snprintf(uname, sizeof uname, "%u", (unsigned)uid);
	/*
	 * SUDO_USER names the person only when sudo made us root: anyone can
	 * set it, but only root can forge it as root.  Otherwise it is kept
	 * as user.sudo_user, a claim.
	 */
	if (sudo_user && *sudo_user && uid == 0) {
		snprintf(actor, cap, "%s", sudo_user);
	} else if (lu >= 0 && (uid_t)lu != uid && (pw = getpwuid((uid_t)lu)) != NULL) {
		snprintf(actor, cap, "%s", pw->pw_name);
	} else {
		snprintf(actor, cap, "%s", uname);
	}

	alog_buf_str(b, ",\"user\":{\"name\":\"");
	alog_session_esc(b, uname, strlen(uname));
	alog_buf_str(b, "\"");
	num(b, "uid", uid);
	if (geteuid() != uid)
		num(b, "euid", geteuid());
	if (lu >= 0)
		num(b, "loginuid", (unsigned long long)lu);
	if (sudo_user && *sudo_user) {
		const char *su = getenv("SUDO_UID");
		alog_session_str(b, "sudo_user", sudo_user);
		uint64_t v;
		if (su && alog_parse_u64(su, UINT32_MAX, &v) == 0)
			num(b, "sudo_uid", v);
	}
	alog_buf_str(b, "}");
	ssh(b);
	for (int fd = 0; fd < 3 && !tty; fd++)
		tty = isatty(fd) ? ttyname(fd) : NULL;
	if (tty)
		alog_session_str(b, "tty", tty);
	if (gethostname(host, sizeof host) == 0) {
		host[HOST_NAME_MAX] = '\0';
		alog_session_str(b, "host", host);
	}
	cwd = getcwd(NULL, 0);
	if (cwd) {
		alog_session_str(b, "cwd", cwd);
		free(cwd);
	}
}

/* ---- where a transcript is cut ---- */

/* The start of a UTF-8 sequence at or before p[n] that is cut at n: n itself when none. */
static size_t utf8_boundary(const char *p, size_t n)
{
	size_t i = n, back = 0;

	while (i > 0 && back < 3 && ((unsigned char)p[i - 1] & 0xc0) == 0x80) {
		i--;
		back++;
	}
	if (i > 0) {
		unsigned char c = (unsigned char)p[i - 1];
		size_t need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (c >= 0xc0 && need > back + 1)
			return i - 1; /* the sequence starting at p[i-1] is incomplete */
	}
	return n;
}

static const char *memrmem(const char *h, size_t n, const char *needle)
{
	size_t k = strlen(needle);
	for (size_t i = n >= k ? n - k + 1 : 0; i-- > 0;)
		if (memcmp(h + i, needle, k) == 0)
			return h + i;
	return NULL;
}

/* The start of the line of an open private key block (BEGIN ... PRIVATE KEY, no END yet), or n. */
static size_t open_key_block(const char *p, size_t n)
{
	const char *begin = memrmem(p, n, "-----BEGIN ");
	const char *eol, *line;

	if (!begin)
		return n;
	eol = memchr(begin, '\n', n - (size_t)(begin - p));
	if (!memmem(begin, (size_t)((eol ? eol : p + n) - begin), "PRIVATE KEY", 11) && eol)
		return n;
	if (memmem(begin, n - (size_t)(begin - p), "-----END ", 9))
		return n;
	for (line = begin; line > p && line[-1] != '\n'; line--)
		;
	return (size_t)(line - p);
}

size_t alog_io_cut(const char *p, size_t n, int force, int timed_out)
{
	size_t limit = n, k;
	const char *nl;

	if (force || n == 0)
		return n;
	if (n < ALOG_IO_CHUNK && !timed_out)
		return 0;
	k = open_key_block(p, n);
	if (k < n && n - k < ALOG_IO_KEY_HOLD)
		limit = k;
	/* the last line end (\n, or \r for typed input) before the limit */
	for (k = limit; k > 0; k--)
		if (p[k - 1] == '\n' || p[k - 1] == '\r')
			break;
	nl = k ? p + k : NULL;
	if (nl && (limit - k < ALOG_IO_HOLD || n < ALOG_IO_CHUNK))
		return k;
	if (limit < n)
		return limit; /* a key block waits; what is before it goes */
	if (n - k < ALOG_IO_HOLD && n < ALOG_IO_CHUNK)
		return k;
	/* a long line: cut after its last blank, else anywhere (on a UTF-8 boundary) */
	for (size_t i = n; i > k + n / 2; i--)
		if (p[i - 1] == ' ' || p[i - 1] == '\t')
			return i;
	k = utf8_boundary(p, n);
	return k ? k : n;
}
