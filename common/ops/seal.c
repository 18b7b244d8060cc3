/*
 * seal.c - the sealing operation, with optional rotation.
 *
 * Forward security at every instant: the key state that has forgotten the
 * epoch E that signs must be durable before the seal made with E exists in
 * the log.  Order of durable steps: (1) the key's next state (E erased,
 * and the seal made with E kept as the key's last seal: public data) is
 * written and synced as KEY.next; (2) KEY.next is renamed over KEY, the
 * directory synced and the old file's blocks overwritten; (3) the seal
 * record is appended and synced.  A failure before (2) leaves no seal and
 * the key as it was.  A crash or an error after (2) and before (3) leaves
 * epoch E spent with its seal only in the key file: the next seal adds it
 * to the log as it is when nothing was appended since, and otherwise
 * accounts for the spent epoch in its own record ("skipped": E's seal and
 * a consistency proof from its tree to the new one, alog(5)).
 *
 * Key files written before the last seal was kept may still be left one
 * epoch behind the log with their successor KEY.next beside them (the
 * order was seal, then rename): the next seal checks that successor (same
 * key, the seed one step on) and puts it in place.  A key file behind the
 * log without it is an old copy and is refused.
 */
#include "ops/seal.h"

#include <errno.h>
#include <libgen.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/ts.h"
#include "format/record.h"
#include "format/header.h"
#include "log/logfile.h"
#include "log/writer.h"

struct resume {
	struct alog_merkle start; /* the tree at the resume record (last seal or header) */
	struct alog_merkle tree; /* after the resume record and everything since */
	int have_seal;           /* the file's last seal was found (seal below) */
	struct alog_seal seal;
	uint64_t seal_seq;
	int have_epoch;          /* the log's last seal epoch is known (from a seal, or
	                          * from a continuing header's key binding) */
	uint64_t epoch;
	int have_keyroot;        /* a continuing header named the key before it */
	uint8_t keyroot[32];
	uint64_t hashed;
	char origin[256];
};

/*
 * Take the tree from the last seal or header, and hash forward to the end
 * checking the chain, so the seal only ever signs a log whose unsealed
 * part verifies.  Returns 0, 1 (the log does not verify), -1.
 */
/* Leaf hashes after the resume record, kept only to account for a seal that
 * never reached the log (a consistency proof needs them). */
struct leaves {
	uint8_t (*h)[32];
	uint64_t n, cap;
};

static void leaves_push(struct leaves *lv, const uint8_t leaf[32])
{
	if (lv->n == lv->cap) {
		lv->cap = lv->cap ? lv->cap * 2 : 1024;
		lv->h = alog_xrealloc(lv->h, (size_t)lv->cap * 32);
	}
	memcpy(lv->h[lv->n++], leaf, 32);
}

static int resume_tree(int fd, const struct alog_tail *tail, struct resume *rs,
                       struct leaves *lv, struct alog_error *e)
{
	struct alog_filehead fh;
	struct alog_resume rp;
	struct alog_forward f;
	struct alog_line l;
	struct alog_rec r;
	uint8_t d[32], leaf[32];
	int rc;

	memset(rs, 0, sizeof *rs);
	switch (alog_logfile_head(fd, &fh, e)) {
	case ALOG_HEAD_OK:
		break;
	case ALOG_HEAD_ERROR:
		return -1;
	case ALOG_HEAD_BAD:
		return alog_err_prefix(e, "bad header: "), 1;
	default:
		return alog_err(e, "the first line is not a header"), 1;
	}
	snprintf(rs->origin, sizeof rs->origin, "%s", fh.h.origin);

	switch (alog_logfile_resume(fd, tail->size, 0, &rp, e)) {
	case ALOG_RESUME_FOUND:
		break;
	case ALOG_RESUME_ERROR:
		return -1;
	case ALOG_RESUME_MALFORMED:
		return alog_err_prefix(e, "the log does not verify: malformed record at offset %llu: ",
		                       (unsigned long long)rp.off), 1;
	case ALOG_RESUME_BAD_SEAL:
		return alog_err_prefix(e, "the log does not verify: bad seal (seq %llu): ",
		                       (unsigned long long)rp.seq), 1;
	case ALOG_RESUME_BAD_HEADER:
		return alog_err_prefix(e, "the log does not verify: bad header: "), 1;
	default:
		return alog_err(e, "the log does not verify: no header"), 1;
	}
	rs->tree = rp.tree;
	rs->start = rp.tree;
	if (rp.type == ALOG_REC_SEAL) {
		rs->have_seal = 1;
		rs->seal = rp.seal;
		rs->seal_seq = rp.seq;
		rs->have_epoch = 1;
		rs->epoch = rp.seal.epoch;
	} else if (fh.h.has_key) {
		rs->have_keyroot = 1;
		memcpy(rs->keyroot, fh.h.key_root, 32);
		rs->have_epoch = 1;
		rs->epoch = fh.h.key_epoch;
	}

	/* Then everything after it. */
	if (alog_forward_start(&f, fd, rp.end, rp.seq, rp.hash, e) != 0)
		return -1;
	rc = 0;
	while (f.end < tail->size) {
		uint64_t at = f.end, expected = f.seq + 1;
		int got = alog_forward_next(&f, &l, &r, d, leaf, e);
		if (got == ALOG_FWD_ERROR) {
			rc = -1;
			break;
		}
		if (got != ALOG_FWD_OK && got != ALOG_FWD_SEQ && got != ALOG_FWD_CHAIN) {
			alog_err(e, "the log does not verify: malformed record at offset %llu",
			         (unsigned long long)at);
			rc = 1;
			break;
		}
		if (got == ALOG_FWD_SEQ || r.type == ALOG_REC_OPEN) {
			alog_err(e, "the log does not verify: seq %llu where %llu was expected",
			         (unsigned long long)r.seq, (unsigned long long)expected);
			rc = 1;
			break;
		}
		if (got == ALOG_FWD_CHAIN) {
			alog_err(e, "the log does not verify: record seq %llu does not match "
			            "the chain (run alog-verify)", (unsigned long long)r.seq);
			rc = 1;
			break;
		}
		alog_merkle_push(&rs->tree, leaf);
		if (lv)
			leaves_push(lv, leaf);
		rs->hashed++;
	}
	alog_forward_close(&f);
	if (rc == 0 && rs->tree.size != tail->seq)
		return alog_err(e, "the log does not verify: tree size %llu after seq %llu",
		                (unsigned long long)rs->tree.size, (unsigned long long)tail->seq), 1;
	return rc;
}

/*
 * The continuing header names the archive when it sits in the log's own
 * directory, so that tools given the live file find the earlier ones.
 */
static size_t prev_file_member(char *out, size_t cap, const char *log, const char *archive)
{
	char a[PATH_MAX], b[PATH_MAX];
	struct stat sa, sb;
	const char *base = strrchr(archive, '/');

	snprintf(a, sizeof a, "%s", log);
	snprintf(b, sizeof b, "%s", archive);
	if (stat(dirname(a), &sa) != 0 || stat(dirname(b), &sb) != 0 || sa.st_dev != sb.st_dev ||
	    sa.st_ino != sb.st_ino)
		return 0;
	return alog_header_prev_file_member(out, cap, base ? base + 1 : archive);
}

/*
 * Create LOG.rotating holding the header that continues the log, bound to
 * the key that sealed the file before it (root, epoch) and naming the
 * archive.  It gets the old file's group and mode (and its owner when we
 * may give it); rotate_checks made sure beforehand that the group can be
 * kept.
 */
static int write_next_header(const char *path, const char *archive, int oldfd,
                             const char *origin, const struct alog_tail *t,
                             const struct alog_merkle *tree, const uint8_t keyroot[32],
                             uint64_t epoch, const struct alog_policy_ref *pin, char *tmp,
                             size_t tmpcap, struct alog_error *e)
{
	char members[8192 + 1200], line[9000 + 1200];
	uint8_t hash[32];
	size_t k, n;
	struct stat st;
	int64_t now = alog_ts_now();
	int fd;

	/* ts does not go back across the rotation either */
	if (now < t->ts_ns)
		now = t->ts_ns;
	k = alog_header_members(members, 8192, origin, t->hash, tree);
	k += alog_header_key_members(members + k, sizeof members - k, keyroot, epoch);
	{
		/* the previous file's name goes before the "order" member that ends the header */
		static const char order[] = ",\"order\":\"ts\"";
		size_t ol = sizeof order - 1, had = k >= ol && memcmp(members + k - ol, order, ol) == 0;
		k -= had ? ol : 0;
		k += prev_file_member(members + k, sizeof members - k - ol, path, archive);
		if (had) {
			memcpy(members + k, order, ol);
			k += ol;
		}
	}
	/* the policy in force goes on with the log (alog(5)) */
	if (pin)
		k = alog_header_add_policy(members, k, sizeof members, pin);
	n = alog_rec_format(line, t->seq + 1, now, "open", members, k, t->hash, hash);

	if ((size_t)snprintf(tmp, tmpcap, "%s.rotating", path) >= tmpcap)
		return alog_err(e, "log path too long");
	unlink(tmp); /* left over from an interrupted rotation, under the log's lock */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return alog_errno(e, "cannot create %s", tmp);
	/* the new file keeps the old one's group and mode, and its owner if we may */
	if (fstat(oldfd, &st) != 0 ||
	    (fchown(fd, st.st_uid, st.st_gid) != 0 && fchown(fd, (uid_t)-1, st.st_gid) != 0) ||
	    fchmod(fd, st.st_mode & 07777) != 0) {
		alog_errno(e, "cannot give %s the log's group and mode", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (alog_write_all(fd, line, n) != 0 || fsync(fd) != 0) {
		alog_errno(e, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) != 0) {
		alog_errno(e, "cannot write %s", tmp);
		unlink(tmp);
		return -1;
	}
	return 0;
}

static int same_inode(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* A directory entry: its directory's identity (links in the directory part
 * followed, as the kernel does) and its last component. */
struct entry {
	struct stat dir;
	const char *base;
};

static int entry_of(const char *path, struct entry *en, struct alog_error *e)
{
	const char *slash = strrchr(path, '/');
	char dir[PATH_MAX];

	en->base = slash ? slash + 1 : path;
	if (!*en->base || strcmp(en->base, ".") == 0 || strcmp(en->base, "..") == 0)
		return alog_err(e, "%s does not name a file", path);
	if (!slash) {
		strcpy(dir, ".");
	} else {
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		if (n >= sizeof dir)
			return alog_err(e, "%s: path too long", path);
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (stat(dir, &en->dir) != 0)
		return alog_errno(e, "cannot use the directory of %s", path);
	if (!S_ISDIR(en->dir.st_mode))
		return alog_err(e, "cannot use the directory of %s: not a directory", path);
	return 0;
}

/* Can we give a new file this group?  Root can; others only a group they are in. */
static int may_use_group(gid_t gid)
{
	gid_t groups[1024];
	int n;

	if (geteuid() == 0 || getegid() == gid)
		return 1;
	n = getgroups(1024, groups);
	for (int i = 0; i < n; i++)
		if (groups[i] == gid)
			return 1;
	return 0;
}

/*
 * Before anything is written: everything the rotation needs.  The archive
 * is a name other than the log's own (compared as directory entries, so
 * ./log, an absolute path or a path through another directory are the log
 * too), it does not exist (a hard or symbolic link to the log is an
 * existing name), except as the link left by an interrupted rotation of
 * this log; it is on the log's file system; the new file can keep the
 * log's group.  0, or -1 (e says why; exit 2).
 */
static int rotate_checks(const char *log, const char *archive, struct alog_error *e)
{
	struct entry le, ae;
	struct stat ast, lst, rst;
	char rotating[PATH_MAX];

	if (entry_of(log, &le, e) != 0 || entry_of(archive, &ae, e) != 0)
		return -1;
	if (same_inode(&le.dir, &ae.dir) && strcmp(le.base, ae.base) == 0)
		return alog_err(e, "--rotate %s names the log itself: give the archive another name",
		                archive);
	if (ae.dir.st_dev != le.dir.st_dev)
		return alog_err(e, "the archive %s would be on another file system than the log: "
		                   "rotation renames, give a name on the log's file system", archive);
	if (lstat(archive, &ast) == 0) {
		/* An interrupted rotation left the archive as a second name of the
		 * live file, and the new file beside it: finish that one. */
		int resume = S_ISREG(ast.st_mode) && lstat(log, &lst) == 0 && S_ISREG(lst.st_mode) &&
		             same_inode(&ast, &lst) &&
		             (size_t)snprintf(rotating, sizeof rotating, "%s.rotating", log) <
		                     sizeof rotating &&
		             lstat(rotating, &rst) == 0 && S_ISREG(rst.st_mode);
		if (!resume)
			return alog_err(e, "%s already exists: refusing to overwrite it", archive);
	} else if (errno != ENOENT) {
		return alog_errno(e, "cannot use %s", archive);
	}
	if (lstat(log, &lst) == 0 && !may_use_group(lst.st_gid))
		return alog_err(e, "the log's group (gid %u) cannot be given to the new file: you are "
		                   "not in it; the log would lock its other writers out after "
		                   "rotation (seal as a member of the group, or as root)",
		                (unsigned)lst.st_gid);
	return 0;
}

/*
 * The archive's name: with strftime conversions (%F, %Y, %m, %d, %H ...),
 * expanded from the time the file was started (its header's ts), in local
 * time, so the name says which period the file holds and a second run does
 * not reuse it.  0 or -1.
 */
static int archive_name(const char *pattern, int fd, char *out, size_t cap,
                        struct alog_error *e)
{
	char *line = NULL;
	size_t len;
	struct alog_rec r;
	struct alog_error pe;
	struct tm tm;
	time_t secs;
	size_t n;

	if (!strchr(pattern, '%')) {
		if (strlen(pattern) >= cap)
			return alog_err(e, "--rotate: name too long");
		strcpy(out, pattern);
		return 0;
	}
	if (alog_logfile_line_at(fd, 0, &line, &len, e) < 0)
		return -1;
	if (!line || alog_rec_parse(&r, line, len, &pe) != 0) {
		free(line);
		return alog_err(e, "--rotate %s: the log's first line is not a record, so there is "
		                   "no start time to name the archive by", pattern);
	}
	free(line);
	secs = (time_t)(r.ts_ns / 1000000000LL - (r.ts_ns % 1000000000LL < 0));
	if (!localtime_r(&secs, &tm))
		return alog_err(e, "--rotate %s: cannot convert the file's start time", pattern);
	/* the pattern is the user's, as date(1) takes one */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
	n = strftime(out, cap, pattern, &tm);
#pragma GCC diagnostic pop
	if (n == 0 || n >= cap - 1)
		return alog_err(e, "--rotate %s: the expanded name is empty or too long", pattern);
	return 0;
}

/*
 * Under the log's lock: the file becomes the archive (a hard link first, so
 * the log's path never disappears for appenders), and a new file holding
 * the continuing header takes the log's path in one rename.  Appenders
 * waiting on the old file's lock notice the new file at the path.
 */
static int rotate(const char *logpath, const char *archive, struct alog_writer *w,
                  uint64_t seal_off,
                  struct alog_merkle *tree, const char *origin, const uint8_t keyroot[32],
                  uint64_t epoch, struct alog_error *e)
{
	const struct alog_tail *t = alog_writer_tail(w);
	char tmp[PATH_MAX], *line;
	uint8_t d[32], leaf[32];
	size_t len = (size_t)(t->size - seal_off);
	ssize_t got;
	struct stat ast, lst;
	int linked;

	line = alog_xmalloc(len);
	got = alog_pread_all(alog_writer_fd(w), line, len, (off_t)seal_off);
	if (got != (ssize_t)len) {
		free(line);
		return alog_errno(e, "sealed, but cannot reread the seal to rotate");
	}
	alog_rec_leaf(line, len, d, leaf);
	free(line);
	alog_merkle_push(tree, leaf);

	{
		struct alog_policy_ref pin;
		int pinned = 0;
		if (alog_writer_policy(w, &pinned, &pin, e) != 0)
			return alog_err_prefix(e, "sealed, but not rotated: "), -1;
		if (write_next_header(logpath, archive, alog_writer_fd(w), origin, t, tree, keyroot,
		                      epoch, pinned ? &pin : NULL, tmp, sizeof tmp, e) != 0)
			return alog_err_prefix(e, "sealed, but not rotated: "), -1;
	}
	linked = link(logpath, archive) == 0;
	if (!linked) {
		int err = errno;
		/* only the link of an interrupted rotation (rotate_checks) */
		if (!(err == EEXIST && lstat(archive, &ast) == 0 && S_ISREG(ast.st_mode) &&
		      lstat(logpath, &lst) == 0 && same_inode(&ast, &lst))) {
			errno = err;
			alog_errno(e, "sealed, but cannot create the archive %s", archive);
			unlink(tmp);
			return -1;
		}
	}
	if (rename(tmp, logpath) != 0) {
		/* Not rotated: the archive name must not stay a second name of the live log. */
		alog_errno(e, "sealed, but cannot put the new file in place (not rotated)");
		unlink(tmp);
		if (linked)
			unlink(archive);
		return -1;
	}
	if (alog_fsync_dir(logpath) != 0 || alog_fsync_dir(archive) != 0)
		return alog_errno(e, "sealed and rotated, but cannot sync the directory (a crash "
		                     "now could undo the rotation; run the same command again "
		                     "to check)");
	return 0;
}

/*
 * KEY.next left by an interrupted seal: is it the key one epoch on (same
 * key, the seed one step on)?  1 yes, 0 no file, -1 a file that is not
 * (e says why).
 */
static int successor_of(const struct alog_seckey *sk, const char *path, struct alog_error *e)
{
	char next[PATH_MAX];
	struct alog_seckey succ;
	uint8_t seed[32];
	struct stat st;
	int ok;

	if (alog_seckey_next_path(next, sizeof next, path) != 0)
		return alog_err(e, "key path too long");
	if (lstat(next, &st) != 0)
		return errno == ENOENT ? 0 : alog_errno(e, "cannot use %s", next);
	if (alog_seckey_load(&succ, next, 0, e) != 0)
		return -1;
	alog_epoch_next_seed(seed, sk->seed);
	ok = strcmp(succ.origin, sk->origin) == 0 && succ.epochs == sk->epochs &&
	     memcmp(succ.root, sk->root, 32) == 0 && succ.next == sk->next + 1 &&
	     sodium_memcmp(succ.seed, seed, 32) == 0;
	sodium_memzero(seed, sizeof seed);
	alog_seckey_free(&succ);
	if (!ok)
		return alog_err(e, "%s is not this key one epoch on", next);
	return 1;
}

/* A seal the key made whose epoch is spent but which is not in the log. */
enum { PEND_NONE, PEND_COMPLETE, PEND_SKIP };
struct pending {
	int mode;
	struct alog_seal p; /* the key's last seal (from the key file) */
};

/*
 * The key is one epoch past what the log shows: is the missing epoch
 * (expect) the one whose seal the key file kept, made by this key?  1 yes
 * (pd->p filled), 0 no.
 */
static int kept_seal(const struct alog_seckey *sk, uint64_t expect, struct pending *pd)
{
	struct alog_pubkey pk;
	struct alog_error ce;

	if (!sk->last_seal || (uint64_t)sk->next != expect + 1 ||
	    alog_seal_parse_members(sk->last_seal, strlen(sk->last_seal), &pd->p, &ce) != 0)
		return 0;
	snprintf(pk.origin, sizeof pk.origin, "%s", sk->origin);
	pk.epochs = sk->epochs;
	memcpy(pk.root, sk->root, 32);
	return pd->p.epoch == expect && alog_seal_check(&pd->p, &pk, &ce) == 0;
}

/*
 * Two interrupted seals in a row: the key is two epochs past what the log
 * shows, and its kept seal (epoch expect + 1) accounts for the first of
 * them (expect).  That seal can go in as it was made if the log has not
 * grown since; a seal cites one spent epoch, not two, so otherwise the key
 * cannot seal on.  0 not this case; 1 it is (pd filled, or e says why it
 * is refused with rc 2).
 */
static int kept_twice(const struct alog_seckey *sk, uint64_t expect, const struct resume *rs,
                      struct pending *pd, int *refused, struct alog_error *e)
{
	*refused = 0;
	if (!kept_seal(sk, expect + 1, pd) || !pd->p.has_skip || pd->p.skip.epoch != expect)
		return 0;
	if (pd->p.size != rs->tree.size) {
		*refused = 1;
		alog_err(e, "two alog-seal runs in a row were interrupted before their seals reached "
		            "the log (epochs %llu and %llu are spent, the second's seal is kept in "
		            "the key file), and records were appended since: one seal cannot account "
		            "for both; make another key and seal with it using --rollover",
		         (unsigned long long)expect, (unsigned long long)expect + 1);
	}
	return 1;
}

/*
 * Where the kept seal goes: the log is as it was when the seal was made
 * (add the seal itself), or has grown since (the next seal accounts for
 * the spent epoch).  0 decided; 1 refused (e says why).
 */
static int place_kept(const struct resume *rs, int rollover, struct pending *pd,
                      struct alog_error *e)
{
	const struct alog_seal *p = &pd->p;
	uint8_t root[32];

	if (p->size == rs->tree.size) {
		alog_merkle_root(&rs->tree, root);
		if (memcmp(root, p->root, 32) != 0)
			return alog_err(e, "the key's last seal (epoch %llu, not in the log) signed seq "
			                   "1..%llu, but this log's records up to there are others: the "
			                   "key of another log, or changed records; refusing to seal",
			                (unsigned long long)p->epoch, (unsigned long long)p->size), 1;
		pd->mode = PEND_COMPLETE;
		return 0;
	}
	if (p->size > rs->tree.size)
		return alog_err(e, "the key's last seal (epoch %llu, not in the log) signed seq "
		                   "1..%llu, but the log ends at seq %llu: records were removed, or "
		                   "the key seals another log; refusing to seal",
		                (unsigned long long)p->epoch, (unsigned long long)p->size,
		                (unsigned long long)rs->tree.size), 1;
	if (rollover || p->rollover)
		return alog_err(e, "the --rollover seal of this key (epoch 0) was interrupted before "
		                   "it reached the log, and records were appended since: it cannot be "
		                   "added now; make another key and run --rollover with it"), 1;
	if (p->size < rs->start.size)
		return alog_err(e, "the key's last seal (epoch %llu, not in the log) signed seq "
		                   "1..%llu, before the log's last seal or header (seq %llu): the key "
		                   "of another log; refusing to seal", (unsigned long long)p->epoch,
		                (unsigned long long)p->size, (unsigned long long)rs->start.size), 1;
	pd->mode = PEND_SKIP;
	return 0;
}

/*
 * The spent epoch's seal in the next one (PEND_SKIP): its own checkpoint,
 * key, proof and signature, and the consistency proof from its tree to the
 * log's tree now, from the leaves since the last seal or header.  0; 1 the
 * kept seal does not sign this log's records; -1 error.
 */
static int account_skip(int fd, const struct alog_tail *t, const struct alog_seal *p,
                        struct alog_seal_skip *k, struct alog_error *e)
{
	struct resume *again = alog_xmalloc(sizeof *again);
	struct leaves lv = {0};
	struct alog_merkle_tail mt;
	uint8_t root[32];
	int rc = resume_tree(fd, t, again, &lv, e);

	if (rc != 0)
		goto out;
	mt.start = &again->start;
	mt.leaf = (const uint8_t(*)[32])lv.h;
	mt.count = lv.n;
	rc = 1;
	if (alog_merkle_subtree_from_tail(&mt, 0, p->size, root) != 0 ||
	    memcmp(root, p->root, 32) != 0) {
		alog_err(e, "the key's last seal (epoch %llu, not in the log) signed seq 1..%llu, but "
		            "this log's records up to there are others: the key of another log, or "
		            "changed records; refusing to seal", (unsigned long long)p->epoch,
		         (unsigned long long)p->size);
		goto out;
	}
	rc = -1;
	memset(k, 0, sizeof *k);
	k->size = p->size;
	memcpy(k->root, p->root, 32);
	k->epoch = p->epoch;
	memcpy(k->pk, p->pk, 32);
	memcpy(k->proof, p->proof, sizeof k->proof);
	k->nproof = p->nproof;
	memcpy(k->sig, p->sig, 68);
	if (alog_merkle_consistency_proof(p->size, again->tree.size, alog_merkle_subtree_from_tail,
	                                  &mt, k->cons, &k->ncons) != 0) {
		alog_err(e, "cannot make the consistency proof from seq 1..%llu to 1..%llu",
		         (unsigned long long)p->size, (unsigned long long)again->tree.size);
		goto out;
	}
	rc = 0;
out:
	free(lv.h);
	free(again);
	return rc;
}

/*
 * Is this the key that sealed the log, and where does its state stand
 * against the log's last seal?  Nothing is written here except the repair
 * of a seal interrupted between the log and the key file (KEY.next checked
 * and put in place).  0 the key can seal; 1 refused (e names the case);
 * -1 error.
 */
static int line_up_key(struct alog_seckey *sk, const char *keypath, const struct resume *rs,
                       const struct alog_tail *t, int rollover, struct pending *pd,
                       struct alog_error *e)
{
	struct alog_pubkey pk;
	struct alog_error ce;
	char nextpath[PATH_MAX];
	int rc, refused;

	snprintf(pk.origin, sizeof pk.origin, "%s", sk->origin);
	pk.epochs = sk->epochs;
	memcpy(pk.root, sk->root, 32);

	/* An emergency rollover: a fresh key takes over a log whose seals are
	 * another key's (that key lost or stolen); recorded in the seal. */
	pd->mode = PEND_NONE;
	if (rollover) {
		if (sk->next == 1 && kept_seal(sk, 0, pd) && pd->p.rollover)
			return place_kept(rs, rollover, pd, e);
		if (sk->next != 0)
			return alog_err(e, "--rollover starts a key at its epoch 0, but this key has "
			                   "sealed before (up to epoch %u): use a new key", sk->next - 1),
			       1;
		if ((rs->have_seal && alog_seal_check(&rs->seal, &pk, &ce) == 0) ||
		    (rs->have_keyroot && memcmp(rs->keyroot, sk->root, 32) == 0))
			return alog_err(e, "--rollover: this key already seals this log"), 1;
		if (!rs->have_epoch && t->first_seq == 1)
			return alog_err(e, "--rollover: this log has no seal yet; seal it without "
			                   "--rollover"), 1;
		if (alog_seckey_next_path(nextpath, sizeof nextpath, keypath) == 0 &&
		    unlink(nextpath) != 0 && errno != ENOENT)
			return alog_errno(e, "cannot remove %s", nextpath);
		return 0;
	}

	/* The last seal handed over to a new key: only that key seals on, from
	 * its epoch 0. */
	if (rs->have_seal && rs->seal.has_next) {
		struct alog_pubkey npk;
		if (alog_seal_handover_check(&rs->seal, sk->origin, &npk, &ce) != 0)
			return alog_err(e, "the log's last seal (seq %llu) hands over to another key, "
			                   "but %s; refusing to seal", (unsigned long long)rs->seal_seq,
			                ce.msg), 1;
		if (alog_key_match(sk, &npk)) {
			if (kept_seal(sk, 0, pd))
				return place_kept(rs, 0, pd, e);
			if (sk->next > 0)
				return alog_err(e, "the log's last seal (seq %llu) hands over to this key, "
				                   "but the key has sealed before (up to epoch %u): seals "
				                   "were removed, or the key seals another log; refusing "
				                   "to seal", (unsigned long long)rs->seal_seq, sk->next - 1),
				       1;
			if (alog_seckey_next_path(nextpath, sizeof nextpath, keypath) == 0 &&
			    unlink(nextpath) != 0 && errno != ENOENT)
				return alog_errno(e, "cannot remove %s", nextpath);
			return 0;
		}
		if (alog_seal_check(&rs->seal, &pk, &ce) == 0)
			return alog_err(e, "this key handed over to %s at seq %llu: seal with the new "
			                   "key", rs->seal.nextkey, (unsigned long long)rs->seal_seq), 1;
	}

	if (rs->have_seal && alog_seal_check(&rs->seal, &pk, &ce) != 0)
		return alog_err(e, "the log's last seal (seq %llu, epoch %llu) does not verify with "
		                   "this key (%s): a forged seal, or the key of another log; refusing "
		                   "to seal, the key file is untouched",
		                (unsigned long long)rs->seal_seq, (unsigned long long)rs->seal.epoch,
		                ce.msg), 1;
	if (rs->have_keyroot && memcmp(rs->keyroot, sk->root, 32) != 0)
		return alog_err(e, "this log was sealed by another key (the header of this file "
		                   "names the key that sealed the file before it): the key of another "
		                   "log with the same origin?  refusing to seal"), 1;
	if (!rs->have_epoch) {
		if (t->first_seq == 1 && kept_seal(sk, 0, pd))
			return place_kept(rs, 0, pd, e);
		if (t->first_seq == 1 && sk->next == 2 && kept_twice(sk, 0, rs, pd, &refused, e))
			return refused ? 1 : place_kept(rs, 0, pd, e);
		if (sk->next > 0 && t->first_seq == 1)
			return alog_err(e, "the key has sealed before (up to epoch %u) but this log has "
			                   "no seal: seals were removed, or the key belongs to another "
			                   "log; refusing to seal", sk->next - 1), 1;
		return 0;
	}
	if (sk->next == rs->epoch + 2 && kept_seal(sk, rs->epoch + 1, pd))
		return place_kept(rs, 0, pd, e);
	if (sk->next == rs->epoch + 3 && kept_twice(sk, rs->epoch + 1, rs, pd, &refused, e))
		return refused ? 1 : place_kept(rs, 0, pd, e);
	if (sk->next > rs->epoch + 1)
		return alog_err(e, "the log's last seal is epoch %llu but the key has sealed up to "
		                   "epoch %u: seals were removed from this log, or the key seals "
		                   "another log; refusing to seal", (unsigned long long)rs->epoch,
		                sk->next - 1), 1;
	if (sk->next < rs->epoch)
		return alog_err(e, "the key file is behind the log: the log's last seal is epoch %llu "
		                   "and this key file still holds epoch %u: an old copy of the key "
		                   "(restored from a backup?); refusing to seal, use the key file "
		                   "that made the last seal", (unsigned long long)rs->epoch, sk->next),
		       1;
	if (sk->next == rs->epoch) {
		/* The seal is in the log but the key file was not replaced (a crash):
		 * only the successor written before that seal may catch it up. */
		rc = successor_of(sk, keypath, e);
		if (rc < 0)
			return alog_err_prefix(e, "the key file is behind the log (its last seal is "
			                          "epoch %llu) and its successor is not usable: ",
			                       (unsigned long long)rs->epoch), 1;
		if (rc == 0)
			return alog_err(e, "the key file is behind the log: the log's last seal is "
			                   "epoch %llu and this key file still holds it: an old copy of "
			                   "the key (restored from a backup?); refusing to seal, use the "
			                   "key file that made the last seal",
			                (unsigned long long)rs->epoch), 1;
		alog_seckey_advance(sk);
		rc = alog_seckey_commit_next(sk, keypath, e);
		if (rc < 0)
			return alog_err_prefix(e, "cannot finish the interrupted seal's key update: "),
			       -1;
		if (rc > 0)
			return -1;
		return 0;
	}
	/* In step: a KEY.next beside it is a successor whose seal never got in. */
	if (alog_seckey_next_path(nextpath, sizeof nextpath, keypath) == 0 &&
	    unlink(nextpath) != 0 && errno != ENOENT)
		return alog_errno(e, "cannot remove %s", nextpath);
	return 0;
}

/* Reread the record at off (the one just appended) and add its leaf to tree. */
static int push_appended(struct alog_writer *w, uint64_t off, struct alog_merkle *tree,
                         struct alog_error *e)
{
	const struct alog_tail *t = alog_writer_tail(w);
	size_t len = (size_t)(t->size - off);
	uint8_t d[32], leaf[32];
	char *line = alog_xmalloc(len);

	if (alog_pread_all(alog_writer_fd(w), line, len, (off_t)off) != (ssize_t)len) {
		free(line);
		return alog_errno(e, "cannot reread the seal");
	}
	alog_rec_leaf(line, len, d, leaf);
	free(line);
	alog_merkle_push(tree, leaf);
	return 0;
}

static int same_pubkey(const struct alog_pubkey *pk, const char *text)
{
	char k[400];
	return alog_pubkey_format(k, sizeof k, pk) == 0 && strcmp(k, text) == 0;
}

static void fill_result(struct alog_seal_result *res, struct alog_writer *w,
                        const struct alog_seckey *sk, const struct alog_seal *s)
{
	res->seq = alog_writer_tail(w)->seq;
	res->size = s->size;
	res->epoch = s->epoch;
	free(res->note);
	res->note = alog_seal_note(sk->origin, s);
	alog_seal_vkey(res->vkey, sizeof res->vkey, sk->origin, s);
	res->epochs_left = sk->epochs - sk->next;
}

int alog_seal_run(const struct alog_seal_opts *o, struct alog_seal_result *res,
                  struct alog_error *e)
{
	struct alog_seckey sk;
	struct alog_writer_opts wo = {0};
	struct alog_writer *w = NULL;
	struct resume rs;
	struct pending pd;
	struct alog_seal s;
	struct alog_pubkey npk;
	const struct alog_tail *t;
	char *members = NULL, nextpath[PATH_MAX];
	uint64_t sealed_at;
	size_t n;
	int rc, kc;

	memset(res, 0, sizeof *res);
	memset(&sk, 0, sizeof sk);
	sk.fd = -1;
	if (alog_seckey_next_path(nextpath, sizeof nextpath, o->key) != 0)
		return alog_err(e, "key path too long");

	/* Lock order: the log, then the key, so that the key is held only while
	 * sealing, never while waiting for the log (alog-verify --key-state
	 * takes the key's lock). */
	wo.sync = ALOG_SYNC_EACH;
	wo.no_create = 1;
	wo.lock_wait_ms = o->lock_wait_ms;
	w = alog_writer_open(o->log, &wo, e);
	if (!w)
		return -1;
	rc = -1;
	if (o->rollover && (o->rotate || o->next_key)) {
		alog_err(e, "--rollover goes alone: not with --rotate or --next-key");
		goto out;
	}
	if (o->next_key) {
		if (o->rotate) {
			alog_err(e, "--next-key and --rotate go in two runs: hand over first, then "
			            "rotate with the new key");
			goto out;
		}
		if (alog_pubkey_load(&npk, o->next_key, e) != 0)
			goto out;
	}
	rc = alog_writer_lock(w, e);
	if (rc != 0)
		goto out;
	rc = -1;
	/* Everything the rotation needs is checked before anything is written. */
	if (o->rotate && (archive_name(o->rotate, alog_writer_fd(w), res->archive,
	                               sizeof res->archive, e) != 0 ||
	                  rotate_checks(o->log, res->archive, e) != 0))
		goto out_unlock;
	if (alog_seckey_load(&sk, o->key, 1, e) != 0)
		goto out_unlock;
	alog_writer_set_origin(w, sk.origin);
	if (alog_writer_ensure_header(w, e) != 0 || alog_writer_flush(w, e) != 0)
		goto out_unlock;
	t = alog_writer_tail(w);

	rc = resume_tree(alog_writer_fd(w), t, &rs, NULL, e);
	if (rc != 0) {
		alog_err_at(e, o->log, 0);
		goto out_unlock;
	}
	rc = 1;
	res->hashed = rs.hashed;
	if (strcmp(rs.origin, sk.origin) != 0) {
		alog_err(e, "the key is for origin \"%s\" but the log's origin is \"%s\"", sk.origin,
		         rs.origin);
		goto out_unlock;
	}
	rc = line_up_key(&sk, o->key, &rs, t, o->rollover, &pd, e);
	if (rc != 0)
		goto out_unlock;

	if (pd.mode == PEND_COMPLETE) {
		/* The seal whose epoch the key spent, kept in the key file, goes in
		 * as it was made: the log is exactly what it signed. */
		rc = -1;
		if (t->seq + (o->rotate ? 2 : 1) > ALOG_SEQ_MAX) {
			rc = 1;
			alog_err(e, "the log is at seq %llu: no room for a seal; nothing sealed",
			         (unsigned long long)t->seq);
			goto out_unlock;
		}
		sealed_at = t->size;
		if (alog_writer_add(w, "seal", sk.last_seal, strlen(sk.last_seal), e) != 0 ||
		    alog_writer_flush(w, e) != 0) {
			alog_err_prefix(e, "cannot add the seal of epoch %llu, kept in the key file, to "
			                   "the log (the next alog-seal tries again): ",
			                (unsigned long long)pd.p.epoch);
			goto out_unlock;
		}
		fill_result(res, w, &sk, &pd.p);
		if (pd.p.has_skip)
			snprintf(res->notice, sizeof res->notice,
			         "added the seal of epoch %llu (seq 1..%llu) that an interrupted "
			         "alog-seal made but did not get into the log; it accounts for epoch "
			         "%llu, spent by the interrupted run before it",
			         (unsigned long long)pd.p.epoch, (unsigned long long)pd.p.size,
			         (unsigned long long)pd.p.skip.epoch);
		else
			snprintf(res->notice, sizeof res->notice,
			         "added the seal of epoch %llu (seq 1..%llu) that an interrupted "
			         "alog-seal made but did not get into the log",
			         (unsigned long long)pd.p.epoch, (unsigned long long)pd.p.size);
		/* It is this run's seal, unless it lacks a handover asked for now. */
		if (!o->next_key || (pd.p.has_next && same_pubkey(&npk, pd.p.nextkey))) {
			if (o->rotate && rotate(o->log, res->archive, w, sealed_at, &rs.tree, sk.origin,
			                        sk.root, pd.p.epoch, e) != 0)
				goto out_unlock;
			rc = 0;
			goto out_unlock;
		}
		if (pd.p.has_next) {
			rc = 1;
			alog_err(e, "the added seal hands the log over to %s, not to %s: seal with "
			            "that key", pd.p.nextkey, o->next_key);
			goto out_unlock;
		}
		if (push_appended(w, sealed_at, &rs.tree, e) != 0)
			goto out_unlock;
		t = alog_writer_tail(w);
		pd.mode = PEND_NONE;
	}

	rc = 1;
	if (sk.next >= sk.epochs) {
		alog_err(e, "the key is used up: all %u epochs have sealed (a handover to a new key, "
		            "alog-seal --next-key, needs an epoch left: see alog-keygen(1))",
		         sk.epochs);
		goto out_unlock;
	}
	if (t->seq + (o->rotate ? 2 : 1) > ALOG_SEQ_MAX) {
		alog_err(e, "the log is at seq %llu: %s would pass the largest seq (2^53-1); "
		            "nothing sealed", (unsigned long long)t->seq,
		         o->rotate ? "a seal and a new file's header" : "a seal");
		goto out_unlock;
	}

	/* The seal: checkpoint of everything before it, signed with this epoch's key. */
	if (alog_seal_make(&s, &sk, &rs.tree) != 0) {
		rc = -1;
		alog_err(e, "cannot compute the epoch key's proof (damaged key file?)");
		goto out_unlock;
	}
	if (pd.mode == PEND_SKIP) {
		rc = account_skip(alog_writer_fd(w), t, &pd.p, &s.skip, e);
		if (rc != 0)
			goto out_unlock;
		s.has_skip = 1;
	}

	if (o->next_key) {
		rc = 1;
		if (strcmp(npk.origin, sk.origin) != 0) {
			alog_err(e, "the next key is for origin \"%s\", the log's is \"%s\"", npk.origin,
			         sk.origin);
			goto out_unlock;
		}
		if (memcmp(npk.root, sk.root, 32) == 0) {
			alog_err(e, "--next-key names this key itself: give the new key's public key");
			goto out_unlock;
		}
		rc = -1;
		if (alog_seal_handover_sign(&s, &sk, &npk) != 0) {
			alog_err(e, "cannot sign the handover");
			goto out_unlock;
		}
	}

	s.rollover = o->rollover;
	members = alog_xmalloc(ALOG_SEAL_MEMBERS_MAX);
	n = alog_seal_members(members, ALOG_SEAL_MEMBERS_MAX, &s);

	/* (1) The key state without this epoch, keeping the seal, is durable
	 * before the seal exists. */
	rc = -1;
	alog_seckey_advance(&sk);
	free(sk.last_seal);
	sk.last_seal = alog_xstrdup(members);
	if (alog_seckey_write_next(&sk, o->key, e) != 0) {
		alog_err_prefix(e, "nothing sealed: cannot write the key's next state: ");
		goto out_unlock;
	}
	/* (2) It replaces the key file. */
	kc = alog_seckey_replace(&sk, o->key, e);
	if (kc < 0) {
		alog_err_prefix(e, "nothing sealed, the key file is unchanged: ");
		goto out_unlock;
	}
	if (kc > 0) {
		alog_err_prefix(e, "nothing sealed yet (epoch %llu is spent and its seal kept in the "
		                   "key file; the next alog-seal adds it): ",
		                (unsigned long long)s.epoch);
		goto out_unlock;
	}
	/* (3) The seal. */
	sealed_at = t->size;
	if (alog_writer_add(w, "seal", members, n, e) != 0 || alog_writer_flush(w, e) != 0) {
		alog_err_prefix(e, "epoch %llu is spent but its seal could not be added to the log "
		                   "(it is kept in the key file; the next alog-seal adds it): ",
		                (unsigned long long)s.epoch);
		goto out_unlock;
	}
	fill_result(res, w, &sk, &s);
	if (s.has_skip)
		snprintf(res->notice, sizeof res->notice,
		         "epoch %llu was spent by a seal (seq 1..%llu) that an interrupted alog-seal "
		         "made but did not get into the log before more records came; this seal "
		         "accounts for it", (unsigned long long)s.skip.epoch,
		         (unsigned long long)s.skip.size);
	if (o->rotate && rotate(o->log, res->archive, w, sealed_at, &rs.tree, sk.origin, sk.root,
	                        s.epoch, e) != 0)
		goto out_unlock;
	rc = 0;
out_unlock:
	alog_writer_unlock(w);
out:
	alog_writer_close(w);
	alog_seckey_free(&sk);
	free(members);
	return rc;
}
