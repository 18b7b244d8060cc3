/*
 * seal.c - the sealing operation, with optional rotation.  Order of
 * durable steps in a seal: the seal record is synced into the log first,
 * then the key file moves to the next epoch.  A crash between the two
 * leaves the key one epoch behind the log, which the next seal detects
 * and repairs by erasing the used epoch first.
 */
#include "ops/seal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/ts.h"
#include "format/header.h"
#include "log/logfile.h"
#include "log/writer.h"

struct resume {
	struct alog_merkle tree; /* after the resume record and everything since */
	int have_epoch;          /* a seal was found */
	uint64_t epoch;
	uint64_t hashed;
	char origin[256];
};

/*
 * Take the tree from the last seal or header, and hash forward to the end
 * checking the chain, so the seal only ever signs a log whose unsealed
 * part verifies.  Returns 0, 1 (the log does not verify), -1.
 */
static int resume_tree(int fd, const struct alog_tail *tail, struct resume *rs,
                       struct alog_error *e)
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
	if (rp.type == ALOG_REC_SEAL) {
		rs->have_epoch = 1;
		rs->epoch = rp.seal.epoch;
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
		rs->hashed++;
	}
	alog_forward_close(&f);
	if (rc == 0 && rs->tree.size != tail->seq)
		return alog_err(e, "the log does not verify: tree size %llu after seq %llu",
		                (unsigned long long)rs->tree.size, (unsigned long long)tail->seq), 1;
	return rc;
}

/* Create LOG.rotating holding the header that continues the log. */
static int write_next_header(const char *path, int oldfd, const char *origin,
                             const struct alog_tail *t, const struct alog_merkle *tree,
                             char *tmp, size_t tmpcap, struct alog_error *e)
{
	char members[8192], line[9000];
	uint8_t hash[32];
	size_t k, n;
	struct stat st;
	int64_t now = alog_ts_now();
	int fd;

	/* ts does not go back across the rotation either */
	if (now < t->ts_ns)
		now = t->ts_ns;
	k = alog_header_members(members, sizeof members, origin, t->hash, tree);
	n = alog_rec_format(line, t->seq + 1, now, "open", members, k, t->hash, hash);

	if ((size_t)snprintf(tmp, tmpcap, "%s.rotating", path) >= tmpcap)
		return alog_err(e, "log path too long");
	unlink(tmp); /* left over from an interrupted rotation, under the log's lock */
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
	if (fd < 0)
		return alog_errno(e, "cannot create %s", tmp);
	/* the new file gets the old one's owner and mode */
	if (fstat(oldfd, &st) == 0) {
		if (fchown(fd, st.st_uid, st.st_gid) != 0) {
			/* not root: keep our own ownership */
		}
		fchmod(fd, st.st_mode & 07777);
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

static int same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/*
 * Under the log's lock: the file becomes the archive (a hard link first, so
 * the log's path never disappears for appenders), and a new file holding
 * the continuing header takes the log's path in one rename.  Appenders
 * waiting on the old file's lock notice the new file at the path.
 */
static int rotate(const struct alog_seal_opts *o, struct alog_writer *w, uint64_t seal_off,
                  struct alog_merkle *tree, const char *origin, struct alog_error *e)
{
	const struct alog_tail *t = alog_writer_tail(w);
	char tmp[PATH_MAX], *line;
	uint8_t d[32], leaf[32];
	size_t len = (size_t)(t->size - seal_off);
	ssize_t got;
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

	if (write_next_header(o->log, alog_writer_fd(w), origin, t, tree, tmp, sizeof tmp, e) != 0)
		return -1;
	linked = link(o->log, o->rotate) == 0;
	if (!linked) {
		int err = errno;
		if (!(err == EEXIST && same_file(o->log, o->rotate))) {
			errno = err;
			alog_errno(e, "sealed, but cannot create the archive %s", o->rotate);
			unlink(tmp);
			return -1;
		}
	}
	if (rename(tmp, o->log) != 0) {
		/* Not rotated: the archive name must not stay a second name of the live log. */
		alog_errno(e, "sealed, but cannot put the new file in place (not rotated)");
		unlink(tmp);
		if (linked)
			unlink(o->rotate);
		return -1;
	}
	if (alog_fsync_dir(o->log) != 0 || alog_fsync_dir(o->rotate) != 0)
		return alog_errno(e, "rotated, but cannot sync the directory");
	return 0;
}

int alog_seal_run(const struct alog_seal_opts *o, struct alog_seal_result *res,
                  struct alog_error *e)
{
	struct alog_seckey sk;
	struct alog_writer_opts wo = {0};
	struct alog_writer *w = NULL;
	struct resume rs;
	struct alog_seal s;
	const struct alog_tail *t;
	char members[8192];
	uint64_t sealed_at;
	size_t n;
	int rc;
	struct stat ast;

	memset(res, 0, sizeof *res);
	/* lstat: a symbolic link, even a dangling one, is an existing name too */
	if (o->rotate && lstat(o->rotate, &ast) == 0 &&
	    (S_ISLNK(ast.st_mode) || !same_file(o->rotate, o->log)))
		return alog_err(e, "%s already exists: refusing to overwrite it", o->rotate);
	if (alog_seckey_load(&sk, o->key, 1, e) != 0)
		return -1;

	wo.origin = sk.origin;
	wo.sync = ALOG_SYNC_EACH;
	wo.no_create = 1;
	w = alog_writer_open(o->log, &wo, e);
	if (!w) {
		alog_seckey_free(&sk);
		return -1;
	}
	rc = alog_writer_lock(w, e);
	if (rc != 0)
		goto out;
	rc = -1;
	if (alog_writer_ensure_header(w, e) != 0 || alog_writer_flush(w, e) != 0)
		goto out_unlock;
	t = alog_writer_tail(w);

	rc = resume_tree(alog_writer_fd(w), t, &rs, e);
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
	/* Line the key up with the log's last seal. */
	if (rs.have_epoch) {
		if (sk.next > rs.epoch + 1) {
			alog_err(e, "the log's last seal is epoch %llu but the key has sealed up to "
			            "epoch %u: seals were removed from this log, or the key seals another "
			            "log; refusing to seal", (unsigned long long)rs.epoch, sk.next - 1);
			goto out_unlock;
		}
		if (sk.next <= rs.epoch) {
			/* The last seal was made but its epoch not erased (a crash): erase now. */
			while (sk.next <= rs.epoch && sk.next < sk.epochs)
				alog_seckey_advance(&sk);
			if (alog_seckey_save(&sk, o->key, 0, e) != 0) {
				rc = -1;
				goto out_unlock;
			}
		}
	} else if (sk.next > 0 && t->first_seq == 1) {
		alog_err(e, "the key has sealed before (up to epoch %u) but this log has no seal: "
		            "seals were removed, or the key belongs to another log; refusing to seal",
		         sk.next - 1);
		goto out_unlock;
	}
	if (sk.next >= sk.epochs) {
		alog_err(e, "the key is used up: all %u epochs have sealed; generate a new key with "
		            "alog-keygen", sk.epochs);
		goto out_unlock;
	}

	/* The seal: checkpoint of everything before it, signed with this epoch's key. */
	if (alog_seal_make(&s, &sk, &rs.tree) != 0) {
		rc = -1;
		alog_err(e, "cannot compute the epoch key's proof (damaged key file?)");
		goto out_unlock;
	}

	rc = -1;
	n = alog_seal_members(members, sizeof members, &s);
	sealed_at = t->size;
	if (alog_writer_add(w, "seal", members, n, e) != 0 || alog_writer_flush(w, e) != 0)
		goto out_unlock;
	t = alog_writer_tail(w);
	res->seq = t->seq;
	res->size = s.size;
	res->epoch = s.epoch;
	res->note = alog_seal_note(sk.origin, &s);
	alog_seal_vkey(res->vkey, sizeof res->vkey, sk.origin, &s);

	/* Now erase the epoch that signed. */
	alog_seckey_advance(&sk);
	res->epochs_left = sk.epochs - sk.next;
	if (alog_seckey_save(&sk, o->key, 0, e) != 0) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		alog_err(e, "the seal was appended but the key file was not updated (%s); the next "
		            "alog-seal erases the used epoch first", why);
		goto out_unlock;
	}

	if (o->rotate && rotate(o, w, sealed_at, &rs.tree, sk.origin, e) != 0)
		goto out_unlock;
	rc = 0;
out_unlock:
	alog_writer_unlock(w);
out:
	alog_writer_close(w);
	alog_seckey_free(&sk);
	return rc;
}
