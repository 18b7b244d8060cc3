/*
 * seal.c - seal records, their checks, and the sealing operation with
 * optional rotation.  Order of durable steps in a seal: the seal record is
 * synced into the log first, then the key file moves to the next epoch.
 * A crash between the two leaves the key one epoch behind the log, which
 * the next seal detects and repairs by erasing the used epoch first.
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

#include "base/enc.h"
#include "base/json.h"
#include "base/reader.h"
#include "base/sha256.h"
#include "base/ts.h"
#include "format/note.h"
#include "log/writer.h"
#include "ops/verify.h"

/* ---- records ---- */

int alog_json_hash_array(const char *p, size_t n, uint8_t (*out)[32], unsigned max,
                         unsigned *count)
{
	const char *end = p + n;
	unsigned k = 0;

	if (n < 2 || p[0] != '[' || end[-1] != ']')
		return -1;
	p++;
	end--;
	while (p < end) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		const char *close;
		if (q != p)
			return -1;
		close = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (!close || k >= max || alog_unb64(out[k], 32, p + 1, (size_t)(close - p - 1)) != 32)
			return -1;
		k++;
		p = close + 1;
		if (p < end) {
			if (*p != ',' || p + 1 == end)
				return -1;
			p++;
		}
	}
	*count = k;
	return 0;
}

static int parse_uint(struct alog_span v, uint64_t *out)
{
	uint64_t x = 0;
	if (v.n == 0 || v.n > 19 || (v.n > 1 && v.p[0] == '0'))
		return -1;
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v.p[i] - '0');
	}
	*out = x;
	return 0;
}

static int parse_b64(struct alog_span v, uint8_t *out, size_t n)
{
	if (v.n < 2 || v.p[0] != '"' || v.p[v.n - 1] != '"')
		return -1;
	return alog_unb64(out, n, v.p + 1, v.n - 2) == (long)n ? 0 : -1;
}

#define FAIL(...) return snprintf(msg, cap, __VA_ARGS__), -1

int alog_seal_parse(const struct alog_rec *r, struct alog_seal *s, char *msg, size_t cap)
{
	struct alog_json_iter it;
	struct alog_span name, val;
	uint8_t range[64][32];
	unsigned nrange = 0, have = 0;
	int rc;

	memset(s, 0, sizeof *s);
	if (alog_json_iter_init(&it, r->line, r->len - 1) != 0)
		FAIL("seal is not a JSON object");
	while ((rc = alog_json_iter_next(&it, &name, &val)) == 1) {
		if (alog_span_eq(name, "seq") || alog_span_eq(name, "ts") ||
		    alog_span_eq(name, "type") || alog_span_eq(name, "hash")) {
			continue;
		} else if (alog_span_eq(name, "size")) {
			if (parse_uint(val, &s->size) != 0)
				FAIL("seal size is not a number");
			have |= 1;
		} else if (alog_span_eq(name, "root")) {
			if (parse_b64(val, s->root, 32) != 0)
				FAIL("seal root is not a base64 SHA-256 hash");
			have |= 2;
		} else if (alog_span_eq(name, "range")) {
			if (alog_json_hash_array(val.p, val.n, range, 64, &nrange) != 0)
				FAIL("seal range is not an array of base64 hashes");
			have |= 4;
		} else if (alog_span_eq(name, "epoch")) {
			if (parse_uint(val, &s->epoch) != 0 || s->epoch >= ALOG_KEY_MAX_EPOCHS)
				FAIL("seal epoch is not a valid number");
			have |= 8;
		} else if (alog_span_eq(name, "key")) {
			if (parse_b64(val, s->pk, 32) != 0)
				FAIL("seal key is not a base64 Ed25519 public key");
			have |= 16;
		} else if (alog_span_eq(name, "proof")) {
			if (alog_json_hash_array(val.p, val.n, s->proof, ALOG_MERKLE_MAX_PROOF,
			                         &s->nproof) != 0)
				FAIL("seal proof is not an array of base64 hashes");
			have |= 32;
		} else if (alog_span_eq(name, "sig")) {
			if (parse_b64(val, s->sig, 68) != 0)
				FAIL("seal sig is not base64 of a key ID and signature (68 bytes)");
			have |= 64;
		} else {
			FAIL("unknown seal member \"%.*s\"", name.n > 40 ? 40 : (int)name.n, name.p);
		}
	}
	if (rc < 0)
		FAIL("seal is not valid JSON");
	if (have != 127)
		FAIL("seal lacks a member (size, root, range, epoch, key, proof and sig are needed)");
	if (s->size != r->seq - 1)
		FAIL("seal size %llu does not match its position (seq %llu seals size %llu)",
		     (unsigned long long)s->size, (unsigned long long)r->seq,
		     (unsigned long long)(r->seq - 1));
	if (alog_merkle_load(&s->range, s->size, (const uint8_t(*)[32])range, nrange) != 0)
		FAIL("seal range has %u hashes; size %llu needs %d", nrange,
		     (unsigned long long)s->size, __builtin_popcountll(s->size));
	{
		uint8_t root[32];
		alog_merkle_root(&s->range, root);
		if (memcmp(root, s->root, 32) != 0)
			FAIL("seal range does not hash to its root");
	}
	return 0;
}

static size_t put_hashes(char *out, size_t cap, const uint8_t (*h)[32], unsigned n)
{
	char b64[ALOG_B64_LEN(32) + 1];
	size_t k = 0;
	k += (size_t)snprintf(out + k, cap - k, "[");
	for (unsigned i = 0; i < n; i++)
		k += (size_t)snprintf(out + k, cap - k, "%s\"%s\"", i ? "," : "",
		                      alog_b64(b64, h[i], 32));
	k += (size_t)snprintf(out + k, cap - k, "]");
	return k;
}

size_t alog_seal_members(char *out, size_t cap, const struct alog_seal *s)
{
	char root[ALOG_B64_LEN(32) + 1], pk[ALOG_B64_LEN(32) + 1], sig[ALOG_B64_LEN(68) + 1];
	size_t k;

	k = (size_t)snprintf(out, cap, ",\"size\":%llu,\"root\":\"%s\",\"range\":",
	                     (unsigned long long)s->size, alog_b64(root, s->root, 32));
	k += put_hashes(out + k, cap - k, (const uint8_t(*)[32])s->range.hash, s->range.n);
	k += (size_t)snprintf(out + k, cap - k, ",\"epoch\":%llu,\"key\":\"%s\",\"proof\":",
	                      (unsigned long long)s->epoch, alog_b64(pk, s->pk, 32));
	k += put_hashes(out + k, cap - k, (const uint8_t(*)[32])s->proof, s->nproof);
	k += (size_t)snprintf(out + k, cap - k, ",\"sig\":\"%s\"", alog_b64(sig, s->sig, 68));
	return k;
}

size_t alog_checkpoint_text(char *out, size_t cap, const char *origin, uint64_t size,
                            const uint8_t root[32])
{
	char b64[ALOG_B64_LEN(32) + 1];
	int n = snprintf(out, cap, "%s\n%llu\n%s\n", origin, (unsigned long long)size,
	                 alog_b64(b64, root, 32));
	return n < 0 ? 0 : (size_t)n;
}

char *alog_seal_note(const char *origin, const struct alog_seal *s)
{
	char text[512], sig[ALOG_B64_LEN(68) + 1];
	size_t n = alog_checkpoint_text(text, sizeof text, origin, s->size, s->root);
	size_t cap = n + strlen(origin) + sizeof sig + 16;
	char *out = alog_xmalloc(cap);
	/* U+2014 EM DASH introduces a signature line */
	snprintf(out, cap, "%s\n\xe2\x80\x94 %s %s\n", text, origin, alog_b64(sig, s->sig, 68));
	return out;
}

int alog_seal_vkey(char *out, size_t cap, const char *origin, const struct alog_seal *s)
{
	return alog_note_vkey_format(out, cap, origin, s->pk);
}

int alog_seal_check(const struct alog_seal *s, const struct alog_pubkey *pk, char *msg,
                    size_t cap)
{
	uint8_t leaf[32];
	char text[512];
	size_t n;
	uint32_t id = alog_note_keyid(pk->origin, s->pk);

	if (s->epoch >= pk->epochs)
		FAIL("seal epoch %llu is beyond the public key's %u epochs",
		     (unsigned long long)s->epoch, pk->epochs);
	alog_epoch_leaf(leaf, s->epoch, s->pk);
	if (alog_merkle_verify_inclusion(s->epoch, pk->epochs, leaf, (const uint8_t(*)[32])s->proof,
	                                 s->nproof, pk->root) != 0)
		FAIL("seal key for epoch %llu is not proven by the public key (a forged key, or the "
		     "wrong public key)", (unsigned long long)s->epoch);
	if (((uint32_t)s->sig[0] << 24 | (uint32_t)s->sig[1] << 16 | (uint32_t)s->sig[2] << 8 |
	     s->sig[3]) != id)
		FAIL("seal signature key ID does not match the epoch key");
	n = alog_checkpoint_text(text, sizeof text, pk->origin, s->size, s->root);
	if (crypto_sign_verify_detached(s->sig + 4, (const unsigned char *)text, n, s->pk) != 0)
		FAIL("seal signature does not verify (epoch %llu, size %llu)",
		     (unsigned long long)s->epoch, (unsigned long long)s->size);
	return 0;
}

#undef FAIL

/* ---- sealing ---- */

struct resume {
	struct alog_merkle tree; /* after the resume record and everything since */
	int have_epoch;          /* a seal was found */
	uint64_t epoch;
	uint64_t hashed;
	char origin[256];
};

/* Read the header (first line) of the open log for its origin: 0, 1 bad, -1 I/O error. */
static int read_origin(int fd, char *origin, size_t cap, struct alog_error *e)
{
	char *buf = alog_xmalloc(ALOG_MAX_LINE);
	ssize_t got = alog_pread_all(fd, buf, ALOG_MAX_LINE, 0);
	char *nl = got > 0 ? memchr(buf, '\n', (size_t)got) : NULL;
	struct alog_rec r;
	struct alog_header h;
	struct alog_error pe;
	char msg[200];
	int rc = 1;

	if (got < 0) {
		alog_errno(e, "read error");
		rc = -1;
	} else if (!nl || alog_rec_parse(&r, buf, (size_t)(nl - buf) + 1, &pe) != 0 ||
	    r.type != ALOG_REC_OPEN)
		alog_err(e, "the first line is not a header");
	else if (alog_header_parse(&r, &h, msg, sizeof msg) != 0)
		alog_err(e, "bad header: %s", msg);
	else {
		snprintf(origin, cap, "%s", h.origin);
		rc = 0;
	}
	free(buf);
	return rc;
}

/*
 * Find the last seal or header, take the tree from it, and hash forward
 * to the end checking the chain, so the seal only ever signs a log whose
 * unsealed part verifies.  Returns 0, 1 (the log does not verify), -1.
 */
static int resume_tree(int fd, const struct alog_tail *tail, struct resume *rs,
                       struct alog_error *e)
{
	struct alog_backscan b;
	struct alog_reader rd;
	struct alog_line l;
	struct alog_rec r;
	struct alog_error pe;
	const char *line;
	size_t len;
	uint64_t off = 0, end = 0, expected;
	uint8_t h[32], d[32], leaf[32];
	char msg[300];
	int rc, found = 0;

	memset(rs, 0, sizeof *rs);
	rc = read_origin(fd, rs->origin, sizeof rs->origin, e);
	if (rc != 0)
		return rc;
	alog_backscan_init(&b, fd, tail->size);
	while ((rc = alog_backscan_prev(&b, &line, &len, &off, e)) == 1) {
		if (alog_rec_parse(&r, line, len, &pe) != 0) {
			alog_backscan_free(&b);
			alog_err(e, "the log does not verify: malformed record at offset %llu: %s",
			         (unsigned long long)off, pe.msg);
			return 1;
		}
		if (r.type == ALOG_REC_SEAL) {
			struct alog_seal s;
			if (alog_seal_parse(&r, &s, msg, sizeof msg) != 0) {
				alog_backscan_free(&b);
				alog_err(e, "the log does not verify: bad seal (seq %llu): %s",
				         (unsigned long long)r.seq, msg);
				return 1;
			}
			rs->tree = s.range;
			rs->have_epoch = 1;
			rs->epoch = s.epoch;
			found = 1;
		} else if (r.type == ALOG_REC_OPEN) {
			struct alog_header hd;
			if (alog_header_parse(&r, &hd, msg, sizeof msg) != 0) {
				alog_backscan_free(&b);
				alog_err(e, "the log does not verify: bad header: %s", msg);
				return 1;
			}
			if (hd.has_range)
				rs->tree = hd.range;
			else
				alog_merkle_init(&rs->tree);
			found = 1;
		}
		if (found)
			break;
	}
	if (found) {
		/* The resume record itself (its line lives in the scan buffer). */
		alog_rec_digest(r.line, r.len, d);
		alog_sha256_leaf32(leaf, d);
		alog_merkle_push(&rs->tree, leaf);
		memcpy(h, r.hash, 32);
		expected = r.seq + 1;
		end = off + r.len;
	}
	alog_backscan_free(&b);
	if (rc < 0)
		return -1;
	if (!found)
		return alog_err(e, "the log does not verify: no header"), 1;

	/* Then everything after it. */
	alog_reader_fdopen(&rd, fd, "log", ALOG_MAX_LINE);
	if (alog_reader_seek(&rd, end, 0, e) != 0) {
		alog_reader_close(&rd);
		return -1;
	}
	rc = 0;
	while (end < tail->size) {
		int got = alog_reader_next(&rd, &l, e);
		if (got == ALOG_LINE_ERROR) {
			rc = -1;
			break;
		}
		if (got != ALOG_LINE_OK || alog_rec_parse(&r, l.p, l.len, &pe) != 0) {
			alog_err(e, "the log does not verify: malformed record at offset %llu",
			         (unsigned long long)end);
			rc = 1;
			break;
		}
		alog_rec_digest(l.p, l.len, d);
		if (r.seq != expected || r.type == ALOG_REC_OPEN) {
			alog_err(e, "the log does not verify: seq %llu where %llu was expected",
			         (unsigned long long)r.seq, (unsigned long long)expected);
			rc = 1;
			break;
		}
		{
			uint8_t want[32];
			alog_chain(want, h, d);
			if (memcmp(want, r.hash, 32) != 0) {
				alog_err(e, "the log does not verify: record seq %llu does not match "
				            "the chain (run alog-verify)", (unsigned long long)r.seq);
				rc = 1;
				break;
			}
		}
		memcpy(h, r.hash, 32);
		alog_sha256_leaf32(leaf, d);
		alog_merkle_push(&rs->tree, leaf);
		rs->hashed++;
		expected++;
		end += l.len;
	}
	alog_reader_close(&rd);
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
	char members[8192], prev[65], line[9000];
	uint8_t hash[32];
	size_t k, n;
	struct stat st;
	int fd;

	k = (size_t)snprintf(members, sizeof members, ",\"v\":%d,\"origin\":\"%s\",\"prev\":\"%s\","
	                     "\"range\":", ALOG_FORMAT_VERSION, origin, alog_hex(prev, t->hash, 32));
	k += put_hashes(members + k, sizeof members - k, (const uint8_t(*)[32])tree->hash, tree->n);
	n = alog_rec_format(line, t->seq + 1, alog_ts_now(), "open", members, k, t->hash, hash);

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

int alog_seal_make(struct alog_seal *s, const struct alog_seckey *sk,
                   const struct alog_merkle *tree)
{
	uint8_t esk[64];
	char text[512];
	size_t n;
	uint32_t id;

	memset(s, 0, sizeof *s);
	if (alog_seckey_current(sk, s->pk, esk) != 0)
		return -1;
	s->size = tree->size;
	s->range = *tree;
	alog_merkle_root(tree, s->root);
	s->epoch = sk->next;
	if (alog_seckey_proof(sk, s->proof, &s->nproof) != 0) {
		sodium_memzero(esk, sizeof esk);
		return -1;
	}
	n = alog_checkpoint_text(text, sizeof text, sk->origin, s->size, s->root);
	id = alog_note_keyid(sk->origin, s->pk);
	s->sig[0] = (uint8_t)(id >> 24);
	s->sig[1] = (uint8_t)(id >> 16);
	s->sig[2] = (uint8_t)(id >> 8);
	s->sig[3] = (uint8_t)id;
	crypto_sign_detached(s->sig + 4, NULL, (const unsigned char *)text, n, esk);
	sodium_memzero(esk, sizeof esk);
	return 0;
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
	alog_rec_digest(line, len, d);
	free(line);
	alog_sha256_leaf32(leaf, d);
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

int alog_checkpoint_parse(const char *note, size_t n, char *origin, size_t cap, uint64_t *size,
                          uint8_t root[32], struct alog_error *e)
{
	const char *p = note, *end = note + n, *nl;
	struct alog_span lines[3];
	uint64_t v;

	for (int i = 0; i < 3; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return alog_err(e, "not a checkpoint: expected origin, size and root lines");
		lines[i].p = p;
		lines[i].n = (size_t)(nl - p);
		p = nl + 1;
	}
	if (lines[0].n == 0 || lines[0].n >= cap)
		return alog_err(e, "not a checkpoint: bad origin line");
	memcpy(origin, lines[0].p, lines[0].n);
	origin[lines[0].n] = '\0';
	/* A NUL or control byte would make the origin compare as something it is not. */
	if (strlen(origin) != lines[0].n || alog_origin_ok(origin, e) != 0)
		return alog_err(e, "not a checkpoint: bad origin line");
	if (parse_uint(lines[1], &v) != 0)
		return alog_err(e, "not a checkpoint: the second line is not a tree size");
	if (alog_unb64(root, 32, lines[2].p, lines[2].n) != 32)
		return alog_err(e, "not a checkpoint: the third line is not a base64 root hash");
	*size = v;
	return 0;
}
