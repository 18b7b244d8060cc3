/*
 * alog-export - hand records to other tools in their formats (NDJSON,
 * JSON, CSV/TSV, syslog, CEF, ECS, OCSF), and evidence to someone who
 * will never see the log: checkpoints, per-record proof bundles and
 * consistency proofs.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/enc.h"
#include "base/reader.h"
#include "base/util.h"
#include "export/export.h"
#include "format/header.h"
#include "format/record.h"
#include "keys/protect.h"
#include "log/writer.h"
#include "keys/sealcheck.h"
#include "ops/proof.h"
#include "ops/seal.h"

static const char usage[] =
	"usage: alog-export [-F FORMAT] [--fields LIST] [--with-meta] [--allow-formulas]\n"
	"                   [--bulk INDEX] [--sd-id NAME@PEN] [--framing FRAMING]\n"
	"                   [--map FILE] [--redact PATH]... [--drop PATH]...\n"
	"                   [--since-seq N | --state FILE]\n"
	"                   [--decrypt READER_SECRET] [-o FILE] [FILE...]\n"
	"       alog-export -F asciicast --session ID [-o FILE] [FILE...]\n"
	"       alog-export --commit-state FILE\n"
	"       alog-export --checkpoint [--vkey] [-f LOG | LOG]\n"
	"       alog-export --vkey [-f LOG | LOG]\n"
	"       alog-export --proof -p PUBLIC_FILE [-f LOG]... [--tree-state FILE] [-o FILE]\n"
	"                   [RECORDS...]\n"
	"       alog-export --consistency OLD NEW -p PUBLIC_FILE [-f LOG]...\n"
	"                   [--tree-state FILE] [-o FILE]\n"
	"\n"
	"Convert alog records (from the files, or standard input) for other tools, or\n"
	"print evidence that verifies offline.\n"
	"\n"
	"  -F, --format NAME  ndjson (default), json, csv, tsv, syslog, cef, ecs, ocsf,\n"
	"                     asciicast (an asciinema v2 cast of one alog-run session)\n"
	"      --session ID   asciicast: the session to replay\n"
	"      --fields LIST  csv, tsv: the columns, dotted paths (default\n"
	"                     " ALOG_EXPORT_DEFAULT_FIELDS ")\n"
	"      --with-meta    ndjson, json: keep seq, ts and hash (records verbatim)\n"
	"      --allow-formulas  csv, tsv: do not neutralise cells starting with\n"
	"                     = + - @ TAB CR (CWE-1236)\n"
	"      --bulk INDEX   ecs: an Elasticsearch/OpenSearch _bulk body\n"
	"      --sd-id NAME@PEN  syslog: the SD-ID of the record's element\n"
	"                     (default " ALOG_SD_ID ")\n"
	"      --framing newline|octet-counting  syslog: one message a line\n"
	"                     (default), or RFC 6587 octet counting for TCP\n"
	"      --map FILE     field mappings (JSON) replacing the built-in ones\n"
	"      --redact PATH  replace the value at PATH with \"" ALOG_REDACTED "\"\n"
	"      --drop PATH    leave the member at PATH out\n"
	"      --decrypt READER_SECRET  show protected values this reader key opens;\n"
	"                     others (and all, without it) become a placeholder, except\n"
	"                     in --with-meta records kept verbatim\n"
	"      --since-seq N  export the events after seq N\n"
	"      --state FILE   start after the record FILE names (refused if the log no\n"
	"                     longer holds it); where this export ends goes to\n"
	"                     FILE.pending\n"
	"      --commit-state FILE  the batch was delivered: FILE.pending becomes FILE\n"
	"  -o, --output FILE  write FILE (replaced whole, never half-written; - is\n"
	"                     standard output)\n"
	"      --checkpoint   print the log's last seal as a C2SP checkpoint\n"
	"      --vkey         print the verifier key of that seal's epoch\n"
	"      --proof        a tlog-proof@v1 bundle for each record read\n"
	"      --consistency OLD NEW  a proof that checkpoint NEW extends OLD\n"
	"  -p, --public FILE  the public key: --proof and --consistency prove only what\n"
	"                     a seal or checkpoint signed with an epoch key it proves\n"
	"  -f, --file LOG     the log (default: $ALOG_FILE, else " ALOG_DEFAULT_FILE "\n"
	"                     for root and $XDG_STATE_HOME/alog/audit.alog, by default\n"
	"                     ~/.local/state/alog/audit.alog, for others)\n"
	"                     repeat it for the files of a rotated log, oldest first;\n"
	"                     given the live file alone, the earlier files that\n"
	"                     alog-seal --rotate named in its headers are read too\n"
	"      --tree-state FILE  where the log's tree state is kept (default LOG.tree)\n"
	"  -h, --help         show this help\n"
	"      --version      show the version\n"
	"\n"
	"Exit status: 0 success; 1 a record or checkpoint could not be proven; 2 usage,\n"
	"input or I/O error.\n";

enum {
	OPT_FIELDS = ALOG_OPT_BASE, OPT_WITH_META, OPT_ALLOW_FORMULAS, OPT_BULK, OPT_MAP,
	OPT_REDACT, OPT_DROP, OPT_CHECKPOINT, OPT_VKEY, OPT_PROOF, OPT_CONSISTENCY, OPT_STATE,
	OPT_DECRYPT, OPT_SESSION, OPT_SD_ID, OPT_FRAMING, OPT_SINCE_SEQ, OPT_EXPORT_STATE,
	OPT_COMMIT_STATE,
};


static const struct option longopts[] = {
	{"format", required_argument, NULL, 'F'},
	{"fields", required_argument, NULL, OPT_FIELDS},
	{"with-meta", no_argument, NULL, OPT_WITH_META},
	{"allow-formulas", no_argument, NULL, OPT_ALLOW_FORMULAS},
	{"bulk", required_argument, NULL, OPT_BULK},
	{"map", required_argument, NULL, OPT_MAP},
	{"redact", required_argument, NULL, OPT_REDACT},
	{"drop", required_argument, NULL, OPT_DROP},
	{"output", required_argument, NULL, 'o'},
	{"file", required_argument, NULL, 'f'},
	{"checkpoint", no_argument, NULL, OPT_CHECKPOINT},
	{"vkey", no_argument, NULL, OPT_VKEY},
	{"proof", no_argument, NULL, OPT_PROOF},
	{"consistency", required_argument, NULL, OPT_CONSISTENCY},
	{"tree-state", required_argument, NULL, OPT_STATE},
	{"decrypt", required_argument, NULL, OPT_DECRYPT},
	{"session", required_argument, NULL, OPT_SESSION},
	{"sd-id", required_argument, NULL, OPT_SD_ID},
	{"framing", required_argument, NULL, OPT_FRAMING},
	{"since-seq", required_argument, NULL, OPT_SINCE_SEQ},
	{"state", required_argument, NULL, OPT_EXPORT_STATE},
	{"commit-state", required_argument, NULL, OPT_COMMIT_STATE},
	{"public", required_argument, NULL, 'p'},
	{0, 0, 0, 0},
};

/* ---- output: standard output, or a temporary file renamed onto -o ---- */

static struct {
	int fd;
	const char *target;
	char tmp[PATH_MAX];
	struct alog_buf buf;
	int existed; /* the target was there before: a failure cannot take it back */
	int direct;  /* a device or FIFO, written in place */
	int secret;  /* the input held protected values */
	mode_t mode; /* the replaced file's */
	uid_t uid;
	gid_t gid;
} out = {1, NULL, "", {0}, 0, 0, 0, 0, 0, 0};

static void out_abort(void)
{
	if (out.tmp[0])
		unlink(out.tmp);
	out.tmp[0] = '\0';
}

static void out_flush(void)
{
	if (out.buf.n && alog_write_all(out.fd, out.buf.p, out.buf.n) != 0) {
		if (errno == EPIPE && out.fd == 1)
			exit(ALOG_EXIT_ERR);
		alog_die(ALOG_EXIT_ERR, "write error: %s", strerror(errno));
	}
	out.buf.n = 0;
}

/* Refuse an output path that names one of the inputs: it would replace it. */
static void check_not_input(const char *path, const char *what)
{
	struct stat a, b;
	if (!out.target || stat(out.target, &a) != 0)
		return;
	if ((path ? stat(path, &b) : fstat(0, &b)) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino) {
		alog_warnx("%s is also %s: refusing to overwrite it", out.target,
		           path ? what : "standard input");
		exit(ALOG_EXIT_ERR);
	}
}

/* Does path hold an alog log (its first line a header record)? */
static int is_alog_log(const char *path)
{
	char head[1 << 16];
	int fd = open(path, O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	ssize_t n;
	const char *nl;

	if (fd < 0)
		return 0;
	n = read(fd, head, sizeof head - 1);
	close(fd);
	if (n <= 0)
		return 0;
	head[n] = '\0';
	nl = memchr(head, '\n', (size_t)n);
	if (strncmp(head, "{\"seq\":", 7) != 0)
		return 0;
	if (nl)
		head[nl - head] = '\0';
	return strstr(head, ",\"type\":\"open\"") != NULL;
}

/*
 * -o FILE: a regular file is replaced whole (a temporary file next to it,
 * renamed onto it), keeping its mode and owner; a new one gets 0666 less
 * the umask, or 0600 when the input holds protected values.  A symbolic
 * link is followed: the file it names is replaced, the link stays.  A
 * device or FIFO is written to in place (never replaced).  A file that is
 * an alog log is never overwritten.
 */
static void out_open(void)
{
	char *copy, *copy2;
	struct stat st;
	mode_t mask;

	if (!out.target)
		return;
	if (lstat(out.target, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(out.target, NULL);
		if (!real)
			alog_die(ALOG_EXIT_ERR, "%s: a symbolic link to no file (%s): -o follows links",
			         out.target, strerror(errno));
		out.target = real;
	}
	if (stat(out.target, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			alog_die(ALOG_EXIT_ERR, "%s is a directory", out.target);
		if (!S_ISREG(st.st_mode)) {
			out.fd = open(out.target, O_WRONLY | O_NOCTTY | O_CLOEXEC);
			if (out.fd < 0)
				alog_die(ALOG_EXIT_ERR, "cannot write %s: %s", out.target, strerror(errno));
			out.direct = 1;
			return;
		}
		if (is_alog_log(out.target))
			alog_die(ALOG_EXIT_ERR, "%s is an alog log: refusing to overwrite it with an "
			         "export", out.target);
		out.existed = 1;
		out.mode = st.st_mode & 07777;
		out.uid = st.st_uid;
		out.gid = st.st_gid;
	}
	copy = alog_xstrdup(out.target);
	copy2 = alog_xstrdup(out.target);
	if ((size_t)snprintf(out.tmp, sizeof out.tmp, "%s/.%s.XXXXXX", dirname(copy),
	                     basename(copy2)) >= sizeof out.tmp)
		alog_die(ALOG_EXIT_ERR, "output path too long: %s", out.target);
	free(copy);
	free(copy2);
	out.fd = mkstemp(out.tmp);
	if (out.fd < 0) {
		out.tmp[0] = '\0';
		alog_die(ALOG_EXIT_ERR, "cannot create a file next to %s", out.target);
	}
	mask = umask(0);
	umask(mask);
	if (out.existed) {
		/* the owner first: fchown may clear set-id bits that fchmod then sets */
		if (fchown(out.fd, out.uid, out.gid) != 0 && errno != EPERM)
			alog_die(ALOG_EXIT_ERR, "cannot write %s: %s", out.target, strerror(errno));
		fchmod(out.fd, out.mode);
	} else {
		fchmod(out.fd, 0666 & ~mask);
	}
}

/* The input holds protected values: a new output file is the owner's alone. */
static void out_protected(void)
{
	if (out.tmp[0] && !out.existed && !out.secret) {
		mode_t mask = umask(0);
		umask(mask);
		fchmod(out.fd, 0600 & ~mask);
	}
	out.secret = 1;
}

static void out_commit(void)
{
	out_flush();
	if (!out.target) {
		alog_close_stdout();
		return;
	}
	if (out.direct) {
		if (close(out.fd) != 0)
			alog_die(ALOG_EXIT_ERR, "cannot write %s: %s", out.target, strerror(errno));
		return;
	}
	if (fsync(out.fd) != 0 || close(out.fd) != 0 || rename(out.tmp, out.target) != 0)
		alog_die(ALOG_EXIT_ERR, "cannot write %s: %s", out.target, strerror(errno));
	out.tmp[0] = '\0';
	if (alog_fsync_dir(out.target) != 0) {
		/* the rename may not survive a crash: say so, and take a new file back */
		int saved = errno;
		if (!out.existed)
			unlink(out.target);
		alog_die(ALOG_EXIT_ERR, "cannot write %s: syncing its directory failed: %s", out.target,
		         strerror(saved));
	}
}

/* ---- where the last export ended: --since-seq, --state ---- */

/*
 * --state FILE holds the seq and chain hash of the last record a delivered
 * export covered ("committed"); an export writes where it ended to
 * FILE.pending, and --commit-state FILE makes that the committed one once
 * the receiver has the batch.  Records after the committed one are
 * exported again until then: delivery is at least once.
 */
static struct {
	const char *path;     /* --state */
	int active;           /* --state or --since-seq */
	int have;             /* a committed state was read */
	uint64_t since;       /* events with a seq up to this are not exported */
	uint8_t hash[32];     /* the committed record's hash */
	int found;            /* that record was read, with that hash */
	int any;              /* a record after it was read */
	uint64_t last_seq;
	uint8_t last_hash[32];
} st;

static void state_read(void)
{
	struct alog_error e;
	size_t n;
	char *t, hex[65];
	unsigned long long seq;

	if (access(st.path, F_OK) != 0 && errno == ENOENT)
		return;
	t = alog_read_file(st.path, 4096, &n, &e);
	if (!t)
		alog_die_error(ALOG_EXIT_ERR, &e);
	if (sscanf(t, "alog-export state\nseq %llu\nhash %64[0-9a-f]\n", &seq, hex) != 2 ||
	    strlen(hex) != 64 || alog_unhex(st.hash, 32, hex, 64) != 0 || seq == 0)
		alog_die(ALOG_EXIT_ERR, "%s: not an alog-export state file", st.path);
	free(t);
	st.have = 1;
	st.since = seq;
}

/* Write text to path whole: a temporary file renamed onto it, synced. */
static void write_whole(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	int fd;

	if ((size_t)snprintf(tmp, sizeof tmp, "%s.XXXXXX", path) >= sizeof tmp)
		alog_die(ALOG_EXIT_ERR, "path too long: %s", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		alog_die(ALOG_EXIT_ERR, "cannot create a file next to %s: %s", path, strerror(errno));
	if (alog_write_all(fd, text, strlen(text)) != 0 || fsync(fd) != 0 || close(fd) != 0 ||
	    rename(tmp, path) != 0) {
		int saved = errno;
		unlink(tmp);
		alog_die(ALOG_EXIT_ERR, "cannot write %s: %s", path, strerror(saved));
	}
	if (alog_fsync_dir(path) != 0)
		alog_die(ALOG_EXIT_ERR, "cannot write %s: syncing its directory failed: %s", path,
		         strerror(errno));
}

static char *pending_path(const char *path)
{
	size_t n = strlen(path) + sizeof ".pending";
	char *p = alog_xmalloc(n);
	snprintf(p, n, "%s.pending", path);
	return p;
}

/*
 * One input line, before it is exported: 1 to leave it out (an event at or
 * before the place to start), 0 to export it.  Dies when the log no
 * longer holds the committed record.
 */
static int state_skip(const char *line, size_t len, const char *name, uint64_t lineno)
{
	struct alog_rec r;
	struct alog_error e;

	if (len && line[len - 1] != '\n')
		return 0; /* a last line without LF: alog_export_line says what is wrong */
	if (alog_rec_parse(&r, line, len, &e) != 0)
		return 0;
	if (r.seq <= st.since) {
		if (st.have && r.seq == st.since) {
			if (memcmp(r.hash, st.hash, 32) != 0)
				alog_die(ALOG_EXIT_ERR, "%s: %s:%llu: the log no longer holds the record "
				         "the state names (seq %llu has another hash: rewritten, rolled "
				         "back, or another log); nothing exported", st.path, name,
				         (unsigned long long)lineno, (unsigned long long)r.seq);
			st.found = 1;
		}
		/* headers still give the origin */
		return r.type == ALOG_REC_EVENT;
	}
	if (st.have && !st.found)
		alog_die(ALOG_EXIT_ERR, "%s: %s:%llu: seq %llu is read before the record the state "
		         "names (seq %llu): give the rotated files that hold it too, in order; "
		         "nothing exported", st.path, name, (unsigned long long)lineno,
		         (unsigned long long)r.seq, (unsigned long long)st.since);
	st.any = 1;
	st.last_seq = r.seq;
	memcpy(st.last_hash, r.hash, 32);
	return 0;
}

/* After the output is complete: the end of this export, pending delivery. */
static void state_write(void)
{
	char text[200], hex[65];
	char *pend;

	if (!st.path)
		return;
	pend = pending_path(st.path);
	if (!st.any) {
		unlink(pend);
		free(pend);
		return;
	}
	alog_hex(hex, st.last_hash, 32);
	snprintf(text, sizeof text, "alog-export state\nseq %llu\nhash %s\n",
	         (unsigned long long)st.last_seq, hex);
	write_whole(pend, text);
	free(pend);
}

static int run_commit_state(const char *path)
{
	char *pend = pending_path(path);
	if (rename(pend, path) != 0) {
		if (errno != ENOENT)
			alog_die(ALOG_EXIT_ERR, "cannot commit %s: %s", pend, strerror(errno));
		free(pend);
		return ALOG_EXIT_OK; /* nothing exported since the last commit */
	}
	if (alog_fsync_dir(path) != 0)
		alog_die(ALOG_EXIT_ERR, "cannot commit %s: syncing its directory failed: %s", path,
		         strerror(errno));
	free(pend);
	return ALOG_EXIT_OK;
}

/* ---- modes ---- */

/*
 * Protected values (alog-policy(5)) in the records to export: opened with
 * the --decrypt key, else placeholders.  NULL: records go as they are.
 */
static struct alog_unprotect *unprotect;
static struct alog_reveal_stats revealed;
static struct alog_buf rev;

static int run_export(struct alog_export *x, char **files, int nfiles)
{
	struct alog_error e;
	alog_export_begin(x, &out.buf);
	for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
		struct alog_reader r;
		struct alog_line l;
		int got, locked = 0;
		if (alog_reader_open(&r, nfiles ? files[i] : "-", ALOG_MAX_LINE, &e) != 0)
			alog_die_error(ALOG_EXIT_ERR, &e);
		while ((got = alog_reader_next(&r, &l, &e)) != ALOG_LINE_EOF) {
			if (got == ALOG_LINE_ERROR)
				alog_die_error(ALOG_EXIT_ERR, &e);
			if (got == ALOG_LINE_PARTIAL && r.regular && !locked) {
				/*
				 * A writer may be in the middle of this line: writers hold an
				 * exclusive lock while writing, so wait for a shared one and
				 * read on (as alog-verify does on a live log).
				 */
				while (flock(r.fd, LOCK_SH) != 0 && errno == EINTR)
					;
				locked = 1;
				alog_reader_rewind_partial(&r, &l);
				continue;
			}
			if (got == ALOG_LINE_TOOLONG) {
				alog_err(&e, "line longer than %d bytes", ALOG_MAX_LINE);
				alog_err_at(&e, r.name, l.lineno);
				alog_die_error(ALOG_EXIT_ERR, &e);
			}
			if (unprotect && l.len > 47 &&
			    memmem(l.p, l.len < 80 ? l.len : 80, ",\"type\":\"open\"", 14)) {
				/* a value opens only in the log it was sealed for */
				struct alog_rec hr;
				struct alog_header hh;
				if (alog_rec_parse(&hr, l.p, l.len, &e) == 0 &&
				    alog_header_parse(&hr, &hh, &e) == 0)
					alog_unprotect_set_origin(unprotect, hh.origin);
			}
			if (st.active && state_skip(l.p, l.len, r.name, l.lineno))
				continue;
			if (memmem(l.p, l.len, ALOG_ENC_MARK, sizeof ALOG_ENC_MARK - 1))
				out_protected();
			if (unprotect &&
			    memmem(l.p, l.len, ALOG_ENC_MARK, sizeof ALOG_ENC_MARK - 1)) {
				if (alog_unprotect_reveal_line(unprotect, l.p, l.len, &rev, &revealed,
				                               &e) != 0) {
					alog_err(&e, "not an alog record: invalid JSON");
					alog_err_at(&e, r.name, l.lineno);
					alog_die_error(ALOG_EXIT_ERR, &e);
				}
				l.p = rev.p;
				l.len = rev.n;
			}
			if (alog_export_line(x, l.p, l.len, &out.buf, &e) != 0) {
				alog_err_at(&e, r.name, l.lineno);
				alog_die_error(ALOG_EXIT_ERR, &e);
			}
			if (out.buf.n > (1 << 18))
				out_flush();
		}
		if (locked)
			flock(r.fd, LOCK_UN);
		alog_reader_close(&r);
	}
	if (st.have && !st.found)
		alog_die(ALOG_EXIT_ERR, "%s: the input ends before the record the state names (seq "
		         "%llu): truncated, rolled back, or not this log; nothing exported", st.path,
		         (unsigned long long)st.since);
	alog_export_end(x, &out.buf);
	out_commit();
	state_write();
	return ALOG_EXIT_OK;
}

static struct alog_pubkey pubkey;

/* The log files (-f, repeated for a rotated log; one live file leads to the earlier ones). */
static const char **logs;
static int nlogs;

static struct alog_tree *open_tree(const char *log, const char *state)
{
	struct alog_error e;
	struct alog_tree *t = alog_tree_open_files(logs, (size_t)nlogs, state, 1, &e);

	(void)log;
	if (!t)
		alog_die_error(ALOG_EXIT_ERR, &e);
	if (!alog_tree_info(t)->persistent)
		alog_warnx("%s: the tree state is kept in a temporary file (every run hashes the "
		           "whole log)", alog_tree_info(t)->not_kept);
	return t;
}

static int run_proof(const char *log, const char *state, char **files, int nfiles)
{
	struct alog_tree *t = open_tree(log, state);
	struct alog_seal seal;
	struct alog_error e;
	uint64_t seq;
	int rc = ALOG_EXIT_OK, got;

	got = alog_tree_last_seal(t, &seal, &seq, &e);
	if (got < 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
	if (got == 1) {
		alog_warnx("%s: the log has no seal yet: nothing to prove records against (run "
		           "alog-seal)", log);
		alog_tree_close(t);
		out_abort();
		return ALOG_EXIT_FAIL;
	}
	if (strcmp(pubkey.origin, alog_tree_info(t)->origin) != 0 ||
	    alog_seal_check(&seal, &pubkey, &e) != 0) {
		if (strcmp(pubkey.origin, alog_tree_info(t)->origin) != 0)
			alog_warnx("%s: wrong public key: it is for origin \"%s\", this log's origin is "
			           "\"%s\"", log, pubkey.origin, alog_tree_info(t)->origin);
		else
			alog_warnx("%s: the last seal (seq %llu) does not check with the public key: %s "
			           "(run alog-verify -p)", log, (unsigned long long)seq, e.msg);
		alog_tree_close(t);
		out_abort();
		return ALOG_EXIT_FAIL;
	}
	for (int i = 0; i < (nfiles ? nfiles : 1); i++) {
		struct alog_reader r;
		struct alog_line l;
		if (alog_reader_open(&r, nfiles ? files[i] : "-", ALOG_MAX_LINE, &e) != 0)
			alog_die_error(ALOG_EXIT_ERR, &e);
		while ((got = alog_reader_next(&r, &l, &e)) != ALOG_LINE_EOF) {
			char *bundle, *line;
			if (got == ALOG_LINE_ERROR)
				alog_die_error(ALOG_EXIT_ERR, &e);
			if (got == ALOG_LINE_TOOLONG) {
				alog_err(&e, "line longer than %d bytes", ALOG_MAX_LINE);
				alog_err_at(&e, r.name, l.lineno);
				alog_die_error(ALOG_EXIT_ERR, &e);
			}
			line = alog_xmalloc(l.len + 1);
			memcpy(line, l.p, l.len);
			if (got == ALOG_LINE_PARTIAL || l.p[l.len - 1] != '\n')
				line[l.len++] = '\n';
			got = alog_proof_bundle(t, &seal, line, l.len, &bundle, &e);
			free(line);
			if (got != 0) {
				alog_err_at(&e, r.name, l.lineno);
				if (got < 0)
					alog_die_error(ALOG_EXIT_ERR, &e);
				alog_report(&e);
				rc = ALOG_EXIT_FAIL;
				continue;
			}
			alog_buf_str(&out.buf, bundle);
			free(bundle);
			out_flush();
		}
		alog_reader_close(&r);
	}
	alog_tree_close(t);
	out_commit();
	return rc;
}

static void load_cp(const char *path, char **text, size_t *n, char *origin, uint64_t *size,
                    uint8_t root[32])
{
	struct alog_error e;
	if (alog_checkpoint_load(path, text, n, origin, 256, size, root, &e) != 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
}

static int run_consistency(const char *log, const char *state, const char *oldf,
                           const char *newf)
{
	struct alog_tree *t;
	struct alog_error e;
	char *ot, *nt, *proof, o1[256], o2[256];
	size_t on, nn;
	uint64_t s[2];
	uint8_t r[2][32], have[32];
	const char *names[2] = {oldf, newf};
	struct alog_epoch_key k[2];

	load_cp(oldf, &ot, &on, o1, &s[0], r[0]);
	load_cp(newf, &nt, &nn, o2, &s[1], r[1]);
	t = open_tree(log, state);
	for (int i = 0; i < 2; i++) {
		const char *o = i ? o2 : o1;
		if (strcmp(o, alog_tree_info(t)->origin) != 0) {
			alog_warnx("%s: %s is a checkpoint of another log (origin \"%s\", the log's is "
			           "\"%s\")", log, names[i], o, alog_tree_info(t)->origin);
			goto fail;
		}
		if (strcmp(pubkey.origin, alog_tree_info(t)->origin) != 0) {
			alog_warnx("%s: wrong public key: it is for origin \"%s\", this log's origin is "
			           "\"%s\"", log, pubkey.origin, alog_tree_info(t)->origin);
			goto fail;
		}
		switch (alog_checkpoint_auth_by_tree(t, i ? nt : ot, i ? nn : on, &pubkey, &k[i],
		                                     &e)) {
		case 0:
			break;
		case 1:
			alog_warnx("%s: %s is not authentic: %s", log, names[i], e.msg);
			goto fail;
		default:
			alog_die_error(ALOG_EXIT_ERR, &e);
		}
		if (s[i] > alog_tree_info(t)->size) {
			alog_warnx("%s: the log is shorter than %s (size %llu): truncated or rolled "
			           "back", log, names[i], (unsigned long long)s[i]);
			goto fail;
		}
		if (alog_tree_root(t, s[i], have, &e) != 0)
			alog_die_error(ALOG_EXIT_ERR, &e);
		if (memcmp(have, r[i], 32) != 0) {
			alog_warnx("%s: the log does not contain %s: its tree of size %llu has another "
			           "root (changed records, or a fork)", log, names[i],
			           (unsigned long long)s[i]);
			goto fail;
		}
	}
	proof = alog_consistency_text(t, s[0], s[1], &k[0], &k[1], &e);
	if (!proof)
		alog_die_error(ALOG_EXIT_ERR, &e);
	alog_buf_str(&out.buf, proof);
	free(proof);
	free(ot);
	free(nt);
	alog_tree_close(t);
	out_commit();
	return ALOG_EXIT_OK;
fail:
	free(ot);
	free(nt);
	alog_tree_close(t);
	out_abort();
	return ALOG_EXIT_FAIL;
}

static int run_checkpoint(const char *log, int note, int vkey)
{
	struct alog_seal s;
	struct alog_error e;
	char origin[256], vk[400];
	uint64_t seq;
	char prev[4096], cur[4096];
	int rc = alog_last_seal(log, origin, sizeof origin, &s, &seq, &e);

	/* just after a rotation the live file has no seal yet: its seals are in the archive */
	snprintf(cur, sizeof cur, "%s", log);
	while (rc == 1 && alog_log_prev_file(cur, prev, sizeof prev, &e) == 0 &&
	       access(prev, R_OK) == 0) {
		snprintf(cur, sizeof cur, "%s", prev);
		rc = alog_last_seal(cur, origin, sizeof origin, &s, &seq, &e);
	}
	if (rc < 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
	if (rc == 1) {
		alog_warnx("%s: the log has no seal (run alog-seal)", log);
		return ALOG_EXIT_FAIL;
	}
	if (note) {
		char *n = alog_seal_note(origin, &s);
		alog_buf_str(&out.buf, n);
		free(n);
	}
	if (vkey) {
		if (alog_seal_vkey(vk, sizeof vk, origin, &s) != 0 || !vk[0])
			alog_die(ALOG_EXIT_ERR, "%s: the origin \"%s\" is not a valid signed-note key "
			         "name: no verifier key can name it", log, origin);
		alog_buf_str(&out.buf, vk);
		alog_buf_str(&out.buf, "\n");
	}
	out_commit();
	return ALOG_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct alog_cli cli = {"alog-export", usage, "F:o:f:p:", longopts};
	struct alog_export_opts o = {0};
	const char *log = NULL, *state = NULL, *mapfile = NULL, *oldcp = NULL, *keyfile = NULL;
	const char *pubfile = NULL;
	/* kept for the whole run (static: every mode's exit leaves them reachable) */
	static const char **redact, **drop;
	int c, checkpoint = 0, vkey = 0, proof = 0, modes, since = 0;
	const char *commit = NULL;
	struct alog_error e;
	char *map = NULL;

	alog_cli_init("alog-export");
	/* whatever ends the run (alog_die, an error exit), a half-written output goes */
	atexit(out_abort);
	redact = alog_xmalloc((size_t)argc * sizeof *redact);
	logs = alog_xmalloc((size_t)argc * sizeof *logs);
	drop = alog_xmalloc((size_t)argc * sizeof *drop);
	while ((c = alog_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'F':
			if (alog_export_format_parse(optarg, &o.format) != 0)
				alog_usage_error("unknown format '%s' (ndjson, json, csv, tsv, syslog, "
				                 "cef, ecs, ocsf, asciicast)", optarg);
			break;
		case OPT_FIELDS: o.fields = optarg; break;
		case OPT_WITH_META: o.with_meta = 1; break;
		case OPT_ALLOW_FORMULAS: o.allow_formulas = 1; break;
		case OPT_BULK:
			if (!*optarg)
				alog_usage_error("--bulk needs an index name");
			o.bulk_index = optarg;
			break;
		case OPT_MAP: mapfile = optarg; break;
		case OPT_REDACT: redact[o.nredact++] = optarg; break;
		case OPT_DROP: drop[o.ndrop++] = optarg; break;
		case 'o': out.target = strcmp(optarg, "-") ? optarg : NULL; break;
		case 'f':
			log = optarg;
			logs[nlogs++] = optarg;
			break;
		case 'p': pubfile = optarg; break;
		case OPT_CHECKPOINT: checkpoint = 1; break;
		case OPT_VKEY: vkey = 1; break;
		case OPT_PROOF: proof = 1; break;
		case OPT_CONSISTENCY: oldcp = optarg; break;
		case OPT_STATE: state = optarg; break;
		case OPT_DECRYPT: keyfile = optarg; break;
		case OPT_SESSION: o.session = optarg; break;
		case OPT_SD_ID: o.sd_id = optarg; break;
		case OPT_SINCE_SEQ:
			if (alog_parse_u64(optarg, UINT64_MAX, &st.since) != 0)
				alog_usage_error("--since-seq: not a number: '%s'", optarg);
			since = 1;
			break;
		case OPT_EXPORT_STATE: st.path = optarg; break;
		case OPT_COMMIT_STATE: commit = optarg; break;
		case OPT_FRAMING:
			if (strcmp(optarg, "octet-counting") == 0)
				o.octet_counting = 1;
			else if (strcmp(optarg, "newline") == 0)
				o.octet_counting = 0;
			else
				alog_usage_error("--framing: newline or octet-counting, not '%s'", optarg);
			break;
		}
	}
	argc -= optind;
	argv += optind;
	o.redact = redact;
	o.drop = drop;
	modes = (checkpoint || vkey) + proof + (oldcp != NULL) + (commit != NULL);
	if (modes > 1)
		alog_usage_error("--checkpoint/--vkey, --proof, --consistency and --commit-state are "
		                 "separate modes");
	if (modes && (since || st.path))
		alog_usage_error("--since-seq and --state are for exporting records");
	if (since && st.path)
		alog_usage_error("--since-seq and --state both say where to start: give one");
	if (commit) {
		if (argc != 0)
			alog_usage_error("--commit-state takes no other argument");
		return run_commit_state(commit);
	}
	if (modes && keyfile)
		alog_usage_error("--decrypt is for exporting records, not for --checkpoint, --vkey, "
		                 "--proof or --consistency");

	if (checkpoint || vkey) {
		if (argc > 1 || (argc == 1 && log) || nlogs > 1)
			alog_usage_error("--checkpoint and --vkey take one log file");
		log = argc ? argv[0] : log ? log : alog_default_file();
		check_not_input(log, "the log");
		out_open();
		return run_checkpoint(log, checkpoint, vkey);
	}
	if (pubfile && !proof && !oldcp)
		alog_usage_error("-p is for --proof and --consistency");
	if (proof || oldcp) {
		if (state && nlogs > 1)
			alog_usage_error("--tree-state is for one log file");
		if (!pubfile)
			alog_usage_error("%s needs the public key (-p PUBLIC_FILE): only a seal or "
			                 "checkpoint signed with an epoch key it proves is evidence",
			                 proof ? "--proof" : "--consistency");
		if (alog_pubkey_load(&pubkey, pubfile, &e) != 0)
			alog_die_error(ALOG_EXIT_ERR, &e);
		if (!log) {
			log = alog_default_file();
			logs[nlogs++] = log;
		}
		for (int i = 0; i < nlogs; i++)
			check_not_input(logs[i], "the log");
		if (oldcp && argc != 1)
			alog_usage_error("--consistency takes two checkpoint files: OLD NEW");
		check_not_input(log, "the log");
		if (state)
			check_not_input(state, "the tree state");
		if (oldcp) {
			check_not_input(oldcp, "a checkpoint");
			check_not_input(argv[0], "a checkpoint");
			out_open();
			return run_consistency(log, state, oldcp, argv[0]);
		}
		for (int i = 0; i < argc; i++)
			check_not_input(argv[i], "an input");
		if (!argc)
			check_not_input(NULL, NULL);
		out_open();
		return run_proof(log, state, argv, argc);
	}
	if (log || state)
		alog_usage_error("-f and --tree-state are for --proof, --consistency and --checkpoint; "
		                 "give the files to export as arguments");
	if (mapfile) {
		map = alog_read_file(mapfile, 1 << 20, &o.map_len, &e);
		if (!map)
			alog_die_error(ALOG_EXIT_ERR, &e);
		o.map = map;
		check_not_input(mapfile, "the map");
	}
	{
		struct alog_export *x = alog_export_new(&o, &e);
		int rc;
		if (!x && mapfile && strncmp(e.msg, "--map: ", 7) == 0)
			alog_die(ALOG_EXIT_ERR, "%s: %s", mapfile, e.msg + 7);
		if (!x)
			alog_usage_error("%s", e.msg);
		for (int i = 0; i < argc; i++)
			check_not_input(argv[i], "an input");
		if (!argc)
			check_not_input(NULL, NULL);
		if (keyfile)
			check_not_input(keyfile, "the reader key");
		if (st.path) {
			check_not_input(st.path, "the state file");
			state_read();
		}
		st.active = since || st.path;
		if (keyfile || !o.with_meta) {
			unprotect = alog_unprotect_new(keyfile, &e);
			if (!unprotect)
				alog_die_error(ALOG_EXIT_ERR, &e);
		}
		out_open();
		rc = run_export(x, argv, argc);
		if (rc == ALOG_EXIT_OK && o.session && alog_export_count(x) == 0)
			alog_die(ALOG_EXIT_ERR, "no record of session %s in the input", o.session);
		{
			const char *p;
			int d;
			for (size_t i = 0; (p = alog_export_unmatched(x, i, &d)); i++)
				alog_warnx("warning: --%s %s matched no member of any record: nothing was "
				           "%s", d ? "drop" : "redact", p, d ? "dropped" : "redacted");
		}
		if (keyfile && revealed.closed)
			alog_warnx("warning: %llu protected value(s) are not encrypted to %s: they are "
			           "shown as placeholders", (unsigned long long)revealed.closed, keyfile);
		if (revealed.broken)
			alog_warnx("warning: %llu protected value(s) are damaged and could not be "
			           "opened: they are shown as placeholders",
			           (unsigned long long)revealed.broken);
		alog_unprotect_free(unprotect);
		alog_buf_free(&rev);
		alog_export_free(x);
		free(map);
		alog_buf_free(&out.buf);
		return rc;
	}
}
