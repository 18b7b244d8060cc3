/*
 * proof.c - tree state files, tlog-proof bundles and consistency proofs.
 * The tree state holds every node of the log's Merkle tree from the
 * file's first record on, in post order (the order pushing leaves onto a
 * compact range completes them), so node (h, j) sits at a computed
 * offset and a proof reads O(log n) hashes.
 */
#include "ops/proof.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/enc.h"
#include "base/json.h"
#include "base/reader.h"
#include "base/sha256.h"
#include "format/header.h"
#include "format/note.h"
#include "format/record.h"
#include "log/logfile.h"

struct alog_tree {
	struct alog_tree_info info;
	struct alog_tree *prev;  /* the tree of the file before this one (rotated logs) */
	char log[4096];
	int logfd, statefd;
	uint64_t count;      /* records of this file in the state */
	uint64_t end;        /* log offset after the last of them */
	uint64_t seal_off;   /* offset of the last seal among them, 0: none */
	uint8_t first[32];   /* chain hash of the file's header: which file this is */
	uint8_t last[32];    /* chain hash of the last record in the state */
	uint8_t prev0[32];   /* the chain value before the header */
	struct alog_merkle base_range;
	uint64_t p0;         /* post-order position of leaf `base` */
	char err[300];
};

static uint64_t be64(const uint8_t *p)
{
	uint64_t v = 0;
	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

static void put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Position of node (h, j) in the post order of the whole tree. */
static uint64_t postorder(unsigned h, uint64_t j)
{
	uint64_t last = ((j + 1) << h) - 1;
	return 2 * last - (uint64_t)__builtin_popcountll(last) + h;
}

static uint64_t leaf_pos(uint64_t i)
{
	return 2 * i - (uint64_t)__builtin_popcountll(i);
}

struct log_head {
	char origin[256];
	char prev_file[256];
	uint64_t base;
	uint8_t first[32], prev0[32];
	struct alog_merkle range;
};

static int read_head(int fd, struct log_head *h, struct alog_error *e)
{
	struct alog_filehead fh;

	memset(h, 0, sizeof *h);
	switch (alog_logfile_head(fd, &fh, e)) {
	case ALOG_HEAD_OK:
		break;
	case ALOG_HEAD_ERROR:
	case ALOG_HEAD_NOLINE:
		return alog_err(e, "not an alog log: no complete first line");
	case ALOG_HEAD_NOT_HEADER:
		return alog_err(e, "not an alog log file: the first line is not a header");
	default:
		return alog_err_prefix(e, "bad header: ");
	}
	snprintf(h->origin, sizeof h->origin, "%s", fh.h.origin);
	snprintf(h->prev_file, sizeof h->prev_file, "%s", fh.h.prev_file);
	h->base = fh.seq - 1;
	memcpy(h->first, fh.hash, 32);
	if (fh.h.has_prev)
		memcpy(h->prev0, fh.h.prev, 32);
	if (fh.h.has_range)
		h->range = fh.h.range;
	else
		alog_merkle_init(&h->range);
	return h->range.size == h->base ? 0 : alog_err(e, "bad header: range size");
}

int alog_last_seal(const char *log, char *origin, size_t cap, struct alog_seal *s, uint64_t *seq,
                   struct alog_error *e)
{
	struct log_head h;
	struct alog_resume rp;
	struct stat st;
	int fd = open(log, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		alog_errno(e, "cannot open");
		return alog_err_at(e, log, 0);
	}
	if (fstat(fd, &st) != 0 || read_head(fd, &h, e) != 0) {
		close(fd);
		return alog_err_at(e, log, 0);
	}
	snprintf(origin, cap, "%s", h.origin);
	rc = alog_logfile_resume(fd, (uint64_t)st.st_size, ALOG_RESUME_SEAL_ONLY, &rp, e);
	if (rc == ALOG_RESUME_FOUND) {
		*s = rp.seal;
		*seq = rp.seq;
		rc = 0;
	} else if (rc == ALOG_RESUME_NONE) {
		rc = 1;
	} else {
		if (rc == ALOG_RESUME_BAD_SEAL)
			alog_err_prefix(e, "bad seal (seq %llu): ", (unsigned long long)rp.seq);
		rc = -1;
	}
	close(fd);
	if (rc < 0)
		alog_err_at(e, log, 0);
	return rc;
}

int alog_checkpoint_load(const char *path, char **text, size_t *n, char *origin, size_t cap,
                         uint64_t *size, uint8_t root[32], struct alog_error *e)
{
	*text = alog_read_file(path, 65536, n, e);
	if (!*text)
		return -1;
	if (alog_checkpoint_parse(*text, *n, origin, cap, size, root, e) != 0) {
		free(*text);
		*text = NULL;
		return alog_err_at(e, path, 0);
	}
	return 0;
}

/* ---- tree state ---- */

static int tree_fail(struct alog_tree *t, const char *msg)
{
	snprintf(t->err, sizeof t->err, "%s", msg);
	return -1;
}

/* The stored hash of the perfect subtree (h, j). */
static int perfect(struct alog_tree *t, unsigned h, uint64_t j, uint8_t out[32])
{
	uint64_t w = (uint64_t)1 << h, begin = j << h, end = begin + w;

	if (end <= t->info.base) {
		/* left of this file: only the pieces its header carries are known */
		uint64_t start = 0;
		unsigned k = 0;
		for (int bit = 63; bit >= 0; bit--) {
			uint64_t pw = (uint64_t)1 << bit;
			if (!(t->info.base & pw))
				continue;
			if (start == begin && pw == w) {
				memcpy(out, t->base_range.hash[k], 32);
				return 0;
			}
			start += pw;
			k++;
		}
		if (t->prev)
			return perfect(t->prev, h, j, out) == 0 ? 0 : tree_fail(t, t->prev->err);
		return tree_fail(t, "the proof needs records of an earlier file of the log: give "
		                    "that file");
	}
	if (end > t->info.size)
		return tree_fail(t, "the proof needs records the log does not have");
	uint64_t idx = postorder(h, j) - t->p0;
	if (alog_pread_all(t->statefd, out, 32, (off_t)(ALOG_TREE_HEADER + 32 * idx)) != 32)
		return tree_fail(t, "the tree state is shorter than its header says");
	return 0;
}

static uint64_t split_point(uint64_t s)
{
	return (uint64_t)1 << (63 - __builtin_clzll(s - 1));
}

static int mth(struct alog_tree *t, uint64_t b, uint64_t e, uint8_t out[32])
{
	uint64_t w = e - b;
	uint8_t l[32], r[32];

	if ((w & (w - 1)) == 0 && b % w == 0)
		return perfect(t, (unsigned)__builtin_ctzll(w), b / w, out);
	uint64_t k = split_point(w);
	if (mth(t, b, b + k, l) != 0 || mth(t, b + k, e, r) != 0)
		return -1;
	alog_merkle_node(out, l, r);
	return 0;
}

int alog_tree_subtree(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32])
{
	struct alog_tree *t = ctx;
	if (begin >= end)
		return tree_fail(t, "empty subtree");
	return mth(t, begin, end, out);
}

int alog_tree_root(struct alog_tree *t, uint64_t size, uint8_t root[32], struct alog_error *e)
{
	if (size == 0) {
		alog_sha256(root, "", 0);
		return 0;
	}
	if (alog_tree_subtree(t, 0, size, root) != 0)
		return alog_err(e, "%s", t->err);
	return 0;
}

static int write_header(struct alog_tree *t)
{
	uint8_t h[ALOG_TREE_HEADER] = {0};
	memcpy(h, ALOG_TREE_MAGIC, 16);
	put_be64(h + 16, t->info.base);
	put_be64(h + 24, t->count);
	put_be64(h + 32, t->end);
	memcpy(h + 40, t->first, 32);
	memcpy(h + 72, t->last, 32);
	put_be64(h + 104, t->seal_off);
	return pwrite(t->statefd, h, sizeof h, 0) == (ssize_t)sizeof h ? 0 : -1;
}

static void reset_state(struct alog_tree *t)
{
	t->count = 0;
	t->end = 0;
	t->seal_off = 0;
	memcpy(t->last, t->prev0, 32);
	t->info.size = t->info.base;
	t->info.rebuilt = 1;
}

/* Take the stored state if it describes this file and still matches it. */
static void load_state(struct alog_tree *t, uint64_t logsize)
{
	uint8_t h[ALOG_TREE_HEADER], tail[ALOG_HASH_TAIL], hash[32];
	struct stat st;

	reset_state(t);
	if (alog_pread_all(t->statefd, h, sizeof h, 0) != (ssize_t)sizeof h ||
	    memcmp(h, ALOG_TREE_MAGIC, 16) != 0 || be64(h + 16) != t->info.base ||
	    memcmp(h + 40, t->first, 32) != 0)
		return;
	uint64_t count = be64(h + 24), end = be64(h + 32), seal = be64(h + 104);
	if (count == 0 || end > logsize || end < ALOG_HASH_TAIL || seal >= end)
		return;
	/* the record that ends the state must still end there, with that hash */
	if (alog_pread_all(t->logfd, tail, sizeof tail, (off_t)(end - ALOG_HASH_TAIL)) !=
	        (ssize_t)sizeof tail ||
	    memcmp(tail, ",\"hash\":\"", 9) != 0 || alog_unhex(hash, 32, (char *)tail + 9, 64) != 0 ||
	    memcmp(hash, h + 72, 32) != 0)
		return;
	uint64_t nodes = leaf_pos(t->info.base + count) - t->p0;
	if (fstat(t->statefd, &st) != 0 || (uint64_t)st.st_size < ALOG_TREE_HEADER + 32 * nodes)
		return;
	t->count = count;
	t->end = end;
	t->seal_off = seal;
	memcpy(t->last, h + 72, 32);
	t->info.size = t->info.base + count;
	t->info.rebuilt = 0;
}

/* Hash the records after the state's end into it, checking the chain. */
static int update_state(struct alog_tree *t, struct alog_error *e)
{
	struct alog_merkle m;
	struct alog_forward f;
	struct alog_line l;
	struct alog_rec r;
	uint8_t (*buf)[32];
	size_t nbuf = 0, cap = 32768;
	uint64_t wpos, size = t->info.size;
	uint8_t d[32], leaf[32];
	int rc = 0, got;

	/* the compact range at the current size, from stored nodes */
	alog_merkle_init(&m);
	{
		uint64_t start = 0;
		uint8_t (*hs)[32] = alog_xmalloc(64 * 32);
		unsigned k = 0;
		for (int bit = 63; bit >= 0; bit--) {
			uint64_t w = (uint64_t)1 << bit;
			if (!(size & w))
				continue;
			if (perfect(t, (unsigned)bit, start >> bit, hs[k++]) != 0) {
				free(hs);
				return alog_err(e, "tree state: %s", t->err);
			}
			start += w;
		}
		alog_merkle_load(&m, size, (const uint8_t(*)[32])hs, k);
		free(hs);
	}
	wpos = leaf_pos(size) - t->p0;
	if (ftruncate(t->statefd, (off_t)(ALOG_TREE_HEADER + 32 * wpos)) != 0)
		return alog_errno(e, "cannot write the tree state %s", t->info.state_path);
	buf = alog_xmalloc(cap * 32);
	if (alog_forward_start(&f, t->logfd, t->end, t->info.base + t->count, t->last, e) != 0) {
		free(buf);
		return -1;
	}
	while ((got = alog_forward_next(&f, &l, &r, d, leaf, e)) == ALOG_FWD_OK) {
		uint8_t h[32];
		if (r.type == ALOG_REC_SEAL)
			t->seal_off = l.offset;
		/* push the leaf, writing it and every node it completes */
		if (nbuf + 65 > cap) {
			if (pwrite(t->statefd, buf, nbuf * 32,
			           (off_t)(ALOG_TREE_HEADER + 32 * wpos)) != (ssize_t)(nbuf * 32)) {
				rc = alog_errno(e, "cannot write the tree state %s", t->info.state_path);
				break;
			}
			wpos += nbuf;
			nbuf = 0;
		}
		memcpy(buf[nbuf++], leaf, 32);
		memcpy(h, leaf, 32);
		for (uint64_t s = m.size; s & 1; s >>= 1) {
			alog_merkle_node(h, m.hash[--m.n], h);
			memcpy(buf[nbuf++], h, 32);
		}
		memcpy(m.hash[m.n++], h, 32);
		m.size++;
		memcpy(t->last, r.hash, 32);
		t->count++;
		t->end = l.offset + l.len;
		t->info.hashed++;
	}
	alog_forward_close(&f);
	if (rc != 0)
		;
	else if (got == ALOG_FWD_ERROR)
		rc = -1;
	else if (got == ALOG_FWD_TOOLONG)
		rc = alog_err(e, "the log does not verify: a line longer than %d bytes",
		              ALOG_MAX_LINE);
	else if (got == ALOG_FWD_MALFORMED) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		rc = alog_err(e, "the log does not verify at byte %llu: %s (run alog-verify)",
		              (unsigned long long)l.offset, why);
	} else if (got == ALOG_FWD_SEQ || got == ALOG_FWD_CHAIN)
		rc = alog_err(e, "the log does not verify at seq %llu (byte %llu): run "
		              "alog-verify", (unsigned long long)r.seq, (unsigned long long)l.offset);
	/* a line without its LF is a record being written: the state stops before it */
	if (rc == 0 && nbuf &&
	    pwrite(t->statefd, buf, nbuf * 32, (off_t)(ALOG_TREE_HEADER + 32 * wpos)) !=
	        (ssize_t)(nbuf * 32))
		rc = alog_errno(e, "cannot write the tree state %s", t->info.state_path);
	free(buf);
	t->info.size = t->info.base + t->count;
	if (rc == 0 && t->info.hashed) {
		/* nodes first, then the header that makes them count */
		if (fdatasync(t->statefd) != 0 || write_header(t) != 0)
			rc = alog_errno(e, "cannot write the tree state %s", t->info.state_path);
	}
	return rc;
}

static int open_temp_state(struct alog_tree *t)
{
	const char *dir = getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0) {
		snprintf(t->info.state_path, sizeof t->info.state_path, "(temporary file in %s)", dir);
		return fd;
	}
	snprintf(path, sizeof path, "%s/alog-tree-XXXXXX", dir);
	fd = mkstemp(path);
	if (fd >= 0) {
		unlink(path);
		snprintf(t->info.state_path, sizeof t->info.state_path, "(temporary file in %s)", dir);
	}
	return fd;
}

/*
 * Open (or create) a tree state file for writing, never through a symbolic
 * link, and only a regular file of our own with one link: whoever can
 * write in the log's directory must not make a tool that runs as root
 * write into another file (a link to /etc/shadow).  -1 with why set.
 */
static int open_state(const char *path, mode_t mode, char *why, size_t cap)
{
	struct stat st;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);

	if (fd < 0 && errno == EEXIST)
		fd = open(path, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ELOOP)
			snprintf(why, cap, "%s is a symbolic link: refusing to write through it", path);
		else
			snprintf(why, cap, "cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_nlink != 1 ||
	    st.st_uid != geteuid()) {
		if (!S_ISREG(st.st_mode))
			snprintf(why, cap, "%s is not a regular file: refusing to write it", path);
		else if (st.st_nlink != 1)
			snprintf(why, cap, "%s has %llu hard links: refusing to write it", path,
			         (unsigned long long)st.st_nlink);
		else
			snprintf(why, cap, "%s is owned by uid %u, not by you (uid %u): refusing to "
			         "write it", path, (unsigned)st.st_uid, (unsigned)geteuid());
		close(fd);
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

struct alog_tree *alog_tree_open(const char *log, const char *state, struct alog_error *e)
{
	struct alog_tree *t = alog_xcalloc(1, sizeof *t);
	struct log_head h;
	struct stat st;

	t->statefd = -1;
	t->logfd = open(log, O_RDONLY | O_CLOEXEC);
	if (t->logfd < 0) {
		alog_errno(e, "cannot open");
		alog_err_at(e, log, 0);
		goto fail;
	}
	if (fstat(t->logfd, &st) != 0 || read_head(t->logfd, &h, e) != 0) {
		alog_err_at(e, log, 0);
		goto fail;
	}
	snprintf(t->info.origin, sizeof t->info.origin, "%s", h.origin);
	snprintf(t->log, sizeof t->log, "%s", log);
	t->info.base = h.base;
	memcpy(t->first, h.first, 32);
	memcpy(t->prev0, h.prev0, 32);
	t->base_range = h.range;
	t->p0 = leaf_pos(h.base);

	if (state)
		snprintf(t->info.state_path, sizeof t->info.state_path, "%s", state);
	else
		snprintf(t->info.state_path, sizeof t->info.state_path, "%s%s", log,
		         ALOG_TREE_SUFFIX);
	t->statefd = open_state(t->info.state_path, st.st_mode & 0666, t->info.not_kept,
	                        sizeof t->info.not_kept);
	t->info.persistent = t->statefd >= 0;
	if (t->statefd < 0) {
		if (state) {
			alog_err(e, "cannot use the tree state: %s", t->info.not_kept);
			alog_err_at(e, state, 0);
			goto fail;
		}
		/* a read-only log directory: the same state, in a file that goes away */
		t->statefd = open_temp_state(t);
		if (t->statefd < 0) {
			alog_errno(e, "cannot create a temporary tree state");
			goto fail;
		}
	}
	if (flock(t->statefd, LOCK_EX) != 0) {
		alog_errno(e, "cannot lock the tree state %s", t->info.state_path);
		goto fail;
	}
	load_state(t, (uint64_t)st.st_size);
	if (update_state(t, e) != 0) {
		alog_err_at(e, log, 0);
		goto fail;
	}
	return t;
fail:
	alog_tree_close(t);
	return NULL;
}

void alog_tree_close(struct alog_tree *t)
{
	if (!t)
		return;
	alog_tree_close(t->prev);
	if (t->logfd >= 0)
		close(t->logfd);
	if (t->statefd >= 0)
		close(t->statefd);
	free(t);
}

const struct alog_tree_info *alog_tree_info(const struct alog_tree *t)
{
	return &t->info;
}

int alog_tree_rebuild(struct alog_tree *t, struct alog_error *e)
{
	reset_state(t);
	t->info.hashed = 0;
	return update_state(t, e);
}

int alog_tree_last_seal(struct alog_tree *t, struct alog_seal *s, uint64_t *seq,
                        struct alog_error *e)
{
	uint8_t root[32];

	for (int attempt = 0; attempt < 2; attempt++) {
		if (!t->seal_off)
			return t->prev ? alog_tree_last_seal(t->prev, s, seq, e) : 1;
		if (alog_logfile_seal_at(t->logfd, t->seal_off, s, seq, e) != 0)
			return -1;
		if (alog_tree_root(t, s->size, root, e) == 0 && memcmp(root, s->root, 32) == 0)
			return 0;
		if (attempt == 0 && !t->info.rebuilt) {
			/* a stale or damaged state: build it again from the log */
			if (alog_tree_rebuild(t, e) != 0)
				return -1;
			continue;
		}
		break;
	}
	return alog_err(e, "the log does not match its last seal (seq %llu): run alog-verify",
	                (unsigned long long)*seq);
}

/* ---- rotated logs: the files before the one given ---- */

int alog_log_prev_file(const char *log, char *out, size_t cap, struct alog_error *e)
{
	struct log_head h;
	const char *slash = strrchr(log, '/');
	int fd = open(log, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0) {
		alog_errno(e, "cannot open");
		return alog_err_at(e, log, 0);
	}
	rc = read_head(fd, &h, e);
	close(fd);
	if (rc != 0)
		return alog_err_at(e, log, 0);
	if (h.base == 0 || !h.prev_file[0])
		return 1;
	if ((size_t)snprintf(out, cap, "%.*s%s", slash ? (int)(slash - log + 1) : 0, log,
	                     h.prev_file) >= cap)
		return alog_err(e, "path too long"), alog_err_at(e, log, 0);
	return 0;
}

/* Paths of the files of the log up to and including log, oldest first (malloc'd). */
static char **chain_paths(const char *log, size_t *n, struct alog_error *e)
{
	size_t cap = 8, k = 0;
	char **v = alog_xmalloc(cap * sizeof *v), prev[4096];
	const char *cur = log;

	v[k++] = alog_xstrdup(log);
	for (;;) {
		struct stat st;
		int rc = alog_log_prev_file(cur, prev, sizeof prev, e);
		if (rc < 0) {
			for (size_t i = 0; i < k; i++)
				free(v[i]);
			free(v);
			return NULL;
		}
		/* a file that is not there stops the walk: a proof that needs it says so */
		if (rc == 1 || stat(prev, &st) != 0 || k == 100000)
			break;
		if (k == cap)
			v = alog_xrealloc(v, (cap *= 2) * sizeof *v);
		v[k++] = alog_xstrdup(prev);
		cur = v[k - 1];
	}
	for (size_t i = 0; i < k / 2; i++) {
		char *x = v[i];
		v[i] = v[k - 1 - i];
		v[k - 1 - i] = x;
	}
	*n = k;
	return v;
}

struct alog_tree *alog_tree_open_files(const char *const *logs, size_t n, const char *state,
                                       int follow, struct alog_error *e)
{
	struct alog_tree *t = NULL;
	char **found = NULL;
	size_t nfound = 0;

	if (n == 1 && follow) {
		found = chain_paths(logs[0], &nfound, e);
		if (!found)
			return NULL;
		logs = (const char *const *)found;
		n = nfound;
	}
	for (size_t i = 0; i < n; i++) {
		struct alog_tree *next = alog_tree_open(logs[i], i + 1 == n ? state : NULL, e);
		if (!next)
			goto fail;
		if (t && (t->info.size != next->info.base || memcmp(t->last, next->prev0, 32) != 0 ||
		          strcmp(t->info.origin, next->info.origin) != 0)) {
			alog_err(e, "%s does not continue %s (a missing, swapped or changed file: run "
			         "alog-verify on the files)", logs[i], logs[i - 1]);
			alog_tree_close(next);
			goto fail;
		}
		next->prev = t;
		t = next;
	}
	for (size_t i = 0; i < nfound; i++)
		free(found[i]);
	free(found);
	return t;
fail:
	for (size_t i = 0; i < nfound; i++)
		free(found[i]);
	free(found);
	alog_tree_close(t);
	return NULL;
}

/* ---- bundles ---- */

static void add(char **p, size_t *n, size_t *cap, const char *s, size_t k)
{
	if (*n + k + 1 > *cap) {
		while (*n + k + 1 > *cap)
			*cap *= 2;
		*p = alog_xrealloc(*p, *cap);
	}
	memcpy(*p + *n, s, k);
	*n += k;
	(*p)[*n] = '\0';
}

static void adds(char **p, size_t *n, size_t *cap, const char *s)
{
	add(p, n, cap, s, strlen(s));
}

int alog_proof_bundle(struct alog_tree *t, const struct alog_seal *seal, const char *line,
                      size_t len, char **out, struct alog_error *e)
{
	struct alog_rec r;
	uint8_t d[32], leaf[32], stored[32], proof[ALOG_MERKLE_MAX_PROOF][32];
	unsigned n;
	char b64[ALOG_B64_LEN(32) + 1], num[64], *json, *extra, *note;
	size_t jn = 0, jcap = 6 * len + 1024, bn = 0, bcap = 4096;
	char *b;

	*out = NULL;
	if (alog_rec_parse(&r, line, len, e) != 0)
		return -1;
	uint64_t index = r.seq - 1;
	const struct alog_tree *first = t;
	while (first->prev)
		first = first->prev;
	if (index < first->info.base)
		return alog_err(e, "seq %llu is in an earlier file of the log (the files given start "
		                "at seq %llu): give that file too", (unsigned long long)r.seq,
		                (unsigned long long)first->info.base + 1), 1;
	if (index >= seal->size)
		return alog_err(e, "seq %llu is not sealed yet (the last seal covers seq 1..%llu): "
		                "run alog-seal first", (unsigned long long)r.seq,
		                (unsigned long long)seal->size), 1;
	alog_rec_leaf(line, len, d, leaf);
	for (int attempt = 0;; attempt++) {
		int ok = perfect(t, 0, index, stored) == 0 && memcmp(stored, leaf, 32) == 0 &&
		         alog_merkle_inclusion_proof(index, seal->size, alog_tree_subtree, t, proof,
		                                     &n) == 0 &&
		         alog_merkle_verify_inclusion(index, seal->size, leaf,
		                                      (const uint8_t(*)[32])proof, n, seal->root) == 0;
		if (ok)
			break;
		if (attempt == 0 && !t->info.rebuilt) {
			/* the state may be damaged: only a state built afresh can tell */
			if (alog_tree_rebuild(t, e) != 0)
				return -1;
			continue;
		}
		if (perfect(t, 0, index, stored) == 0 && memcmp(stored, leaf, 32) != 0)
			return alog_err(e, "record seq %llu is not the one in the log (its bytes "
			                "differ)", (unsigned long long)r.seq), 1;
		return alog_err(e, "the log does not match its last seal: run alog-verify");
	}

	/* extra: the record and the epoch key with its proof, as JSON */
	json = alog_xmalloc(jcap);
	adds(&json, &jn, &jcap, "{\"record\":\"");
	{
		long k;
		if (jn + 6 * len + 2 > jcap) {
			jcap = jn + 6 * len + 1024;
			json = alog_xrealloc(json, jcap);
		}
		k = alog_json_escape(line, len - 1, json + jn);
		if (k < 0) {
			free(json);
			return alog_err(e, "record seq %llu is not valid UTF-8",
			                (unsigned long long)r.seq), 1;
		}
		jn += (size_t)k;
	}
	snprintf(num, sizeof num, "\",\"epoch\":%llu,\"key\":\"", (unsigned long long)seal->epoch);
	adds(&json, &jn, &jcap, num);
	adds(&json, &jn, &jcap, alog_b64(b64, seal->pk, 32));
	adds(&json, &jn, &jcap, "\",\"key_proof\":[");
	for (unsigned i = 0; i < seal->nproof; i++) {
		if (i)
			adds(&json, &jn, &jcap, ",");
		adds(&json, &jn, &jcap, "\"");
		adds(&json, &jn, &jcap, alog_b64(b64, seal->proof[i], 32));
		adds(&json, &jn, &jcap, "\"");
	}
	adds(&json, &jn, &jcap, "]}");
	extra = alog_xmalloc(ALOG_B64_LEN(jn) + 1);
	alog_b64(extra, (const uint8_t *)json, jn);
	free(json);

	b = alog_xmalloc(bcap);
	adds(&b, &bn, &bcap, ALOG_TLOG_PROOF_HEADER "\nextra ");
	adds(&b, &bn, &bcap, extra);
	free(extra);
	snprintf(num, sizeof num, "\nindex %llu\n", (unsigned long long)index);
	adds(&b, &bn, &bcap, num);
	for (unsigned i = 0; i < n; i++) {
		adds(&b, &bn, &bcap, alog_b64(b64, proof[i], 32));
		adds(&b, &bn, &bcap, "\n");
	}
	adds(&b, &bn, &bcap, "\n");
	note = alog_seal_note(t->info.origin, seal);
	adds(&b, &bn, &bcap, note);
	free(note);
	*out = b;
	return 0;
}

/* The next line of text[*pos..n): its span without LF; 0 at the end. */
static int next_line(const char *text, size_t n, size_t *pos, struct alog_span *l)
{
	const char *nl;
	if (*pos >= n)
		return 0;
	nl = memchr(text + *pos, '\n', n - *pos);
	if (!nl)
		return -1; /* every line ends with LF */
	l->p = text + *pos;
	l->n = (size_t)(nl - l->p);
	*pos = (size_t)(nl - text) + 1;
	return 1;
}

static int span_u64(struct alog_span s, uint64_t *v)
{
	char t[24];
	if (s.n == 0 || s.n >= sizeof t || (s.n > 1 && s.p[0] == '0'))
		return -1;
	memcpy(t, s.p, s.n);
	t[s.n] = '\0';
	return alog_parse_u64(t, UINT64_MAX, v);
}

static int starts(struct alog_span s, const char *lit)
{
	size_t n = strlen(lit);
	return s.n >= n && memcmp(s.p, lit, n) == 0;
}

/* A note's end: after its text, the blank line and its signature lines. */
static int note_end(const char *text, size_t n, size_t pos, size_t *end)
{
	struct alog_span l;
	int blank = 0, sigs = 0, r;
	size_t at = pos;

	while ((r = next_line(text, n, &at, &l)) == 1) {
		if (!blank) {
			if (l.n == 0)
				blank = 1;
			continue;
		}
		if (!starts(l, "\xe2\x80\x94 "))
			break;
		sigs++;
		*end = at;
	}
	if (r < 0 && !sigs)
		return -1;
	return sigs ? 0 : -1;
}

#define FAIL(...) return alog_err(e, __VA_ARGS__), 1

int alog_bundle_verify(const char *text, size_t n, size_t *used, const struct alog_pubkey *pk,
                       struct alog_bundle_result *res, struct alog_error *e)
{
	struct alog_span l;
	size_t pos = 0, end = 0, note_at;
	uint64_t index, size, epoch;
	uint8_t proof[ALOG_MERKLE_MAX_PROOF][32], keyproof[ALOG_MERKLE_MAX_PROOF][32], root[32];
	uint8_t key[32], d[32], leaf[32];
	unsigned np = 0, nk = 0;
	char origin[256];
	char *extra = NULL, *rec = NULL;
	long xn = 0;
	int rc = 1;

	memset(res, 0, sizeof *res);
	*used = n;
	if (next_line(text, n, &pos, &l) != 1 || !alog_span_eq(l, ALOG_TLOG_PROOF_HEADER))
		return alog_err(e, "not a tlog-proof: the first line is not %s",
		                ALOG_TLOG_PROOF_HEADER), -1;
	if (next_line(text, n, &pos, &l) != 1)
		FAIL("truncated proof: no index line");
	if (starts(l, "extra ")) {
		extra = alog_xmalloc(l.n);
		xn = alog_unb64((uint8_t *)extra, l.n, l.p + 6, l.n - 6);
		if (xn < 0) {
			free(extra);
			FAIL("the extra line is not base64");
		}
		if (next_line(text, n, &pos, &l) != 1) {
			free(extra);
			FAIL("truncated proof: no index line");
		}
	}
	if (!starts(l, "index ") || span_u64((struct alog_span){l.p + 6, l.n - 6}, &index) != 0) {
		free(extra);
		FAIL("malformed proof: expected \"index N\"");
	}
	for (;;) {
		if (next_line(text, n, &pos, &l) != 1) {
			free(extra);
			FAIL("truncated proof: no checkpoint after the inclusion proof");
		}
		if (l.n == 0)
			break;
		if (np == ALOG_MERKLE_MAX_PROOF || alog_unb64(proof[np], 32, l.p, l.n) != 32) {
			free(extra);
			FAIL("malformed proof: inclusion proof line %u is not a base64 SHA-256 hash",
			     np + 1);
		}
		np++;
	}
	note_at = pos;
	if (note_end(text, n, note_at, &end) != 0) {
		free(extra);
		FAIL("truncated proof: the checkpoint has no signature");
	}
	*used = end;
	if (alog_checkpoint_parse(text + note_at, end - note_at, origin, sizeof origin, &size, root,
	                          e) != 0) {
		free(extra);
		return 1;
	}
	snprintf(res->origin, sizeof res->origin, "%s", origin);
	res->size = size;
	if (strcmp(origin, pk->origin) != 0) {
		free(extra);
		FAIL("the checkpoint is for origin \"%s\", the public key for \"%s\"", origin,
		     pk->origin);
	}
	if (!extra) {
		FAIL("the proof carries no record and epoch key (no extra line): not an alog "
		     "bundle");
	}

	/* the extra data: {"record": LINE, "epoch": E, "key": B64, "key_proof": [...]} */
	{
		char *cj = alog_xmalloc((size_t)xn + 1);
		const char *pr[1] = {"record"}, *pe[1] = {"epoch"}, *pkey[1] = {"key"},
		           *pp[1] = {"key_proof"};
		struct alog_span v;
		struct alog_json_error je;
		long cn = alog_json_compact(extra, (size_t)xn, cj, 1, &je);
		long k;
		int ok = cn >= 0;
		if (ok && (ok = alog_json_lookup(cj, (size_t)cn, pr, 1, &v) == 1 &&
		                alog_json_type(v.p, v.n) == ALOG_JSON_STRING)) {
			rec = alog_xmalloc(v.n + 1);
			k = alog_json_unescape(v.p + 1, v.n - 2, rec, v.n);
			ok = k > 0;
			if (ok) {
				rec[k] = '\n';
				xn = k + 1; /* from here on: the record's length */
			}
		}
		ok = ok && alog_json_lookup(cj, (size_t)cn, pe, 1, &v) == 1 &&
		     span_u64(v, &epoch) == 0;
		ok = ok && alog_json_lookup(cj, (size_t)cn, pkey, 1, &v) == 1 && v.n > 2 &&
		     v.p[0] == '"' && alog_unb64(key, 32, v.p + 1, v.n - 2) == 32;
		ok = ok && alog_json_lookup(cj, (size_t)cn, pp, 1, &v) == 1 &&
		     alog_json_hash_array(v.p, v.n, keyproof, ALOG_MERKLE_MAX_PROOF, &nk) == 0;
		free(cj);
		free(extra);
		if (!ok) {
			free(rec);
			FAIL("the extra data is not an alog record with its epoch key");
		}
	}

	{
		struct alog_rec r;
		struct alog_error pe;
		if (alog_rec_parse(&r, rec, (size_t)xn, &pe) != 0) {
			alog_err(e, "the bundled record is not an alog record: %s", pe.msg);
			goto out;
		}
		res->seq = r.seq;
		if (r.seq - 1 != index) {
			alog_err(e, "the record has seq %llu but the proof is for index %llu (seq %llu)",
			         (unsigned long long)r.seq, (unsigned long long)index,
			         (unsigned long long)index + 1);
			goto out;
		}
		alog_rec_leaf(rec, (size_t)xn, d, leaf);
	}
	if (index >= size) {
		alog_err(e, "index %llu is outside the checkpoint's tree of size %llu",
		         (unsigned long long)index, (unsigned long long)size);
		goto out;
	}
	if (alog_merkle_verify_inclusion(index, size, leaf, (const uint8_t(*)[32])proof, np,
	                                 root) != 0) {
		alog_err(e, "the inclusion proof does not lead from record seq %llu to the "
		         "checkpoint's root (size %llu)", (unsigned long long)index + 1,
		         (unsigned long long)size);
		goto out;
	}
	res->epoch = epoch;
	if (epoch >= pk->epochs) {
		alog_err(e, "epoch %llu is beyond the public key's %u epochs",
		         (unsigned long long)epoch, pk->epochs);
		goto out;
	}
	{
		uint8_t eleaf[32];
		alog_epoch_leaf(eleaf, epoch, key);
		if (alog_merkle_verify_inclusion(epoch, pk->epochs, eleaf,
		                                 (const uint8_t(*)[32])keyproof, nk, pk->root) != 0) {
			alog_err(e, "the epoch key (epoch %llu) is not proven by the public key",
			         (unsigned long long)epoch);
			goto out;
		}
	}
	{
		struct alog_note_verifier v;
		struct alog_error ne;
		snprintf(v.name, sizeof v.name, "%s", origin);
		v.keyid = alog_note_keyid(origin, key);
		memcpy(v.pk, key, 32);
		if (alog_note_open(text + note_at, end - note_at, &v, 1, NULL, &ne) != 0) {
			alog_err(e, "the checkpoint's signature does not verify with the epoch %llu "
			         "key: %s", (unsigned long long)epoch, ne.msg);
			goto out;
		}
	}
	rc = 0;
	res->record = rec;
	res->record_len = (size_t)xn;
	rec = NULL;
out:
	free(rec);
	return rc;
}

/* ---- checkpoints authenticated ---- */

void alog_epoch_key_of_seal(struct alog_epoch_key *k, const struct alog_seal *s)
{
	k->epoch = s->epoch;
	memcpy(k->pk, s->pk, 32);
	memcpy(k->proof, s->proof, sizeof k->proof);
	k->nproof = s->nproof;
}

int alog_checkpoint_auth(const char *note, size_t n, const struct alog_pubkey *pk,
                         const struct alog_epoch_key *k, struct alog_error *e)
{
	struct alog_note_verifier nv;
	struct alog_error ne;
	char origin[256];
	uint64_t size;
	uint8_t root[32], leaf[32];

	if (alog_checkpoint_parse(note, n, origin, sizeof origin, &size, root, e) != 0)
		return 1;
	if (strcmp(origin, pk->origin) != 0)
		FAIL("it is a checkpoint of another log (origin \"%s\", the public key's is \"%s\")",
		     origin, pk->origin);
	if (k->epoch >= pk->epochs)
		FAIL("its epoch key (epoch %llu) is beyond the public key's %u epochs",
		     (unsigned long long)k->epoch, pk->epochs);
	alog_epoch_leaf(leaf, k->epoch, k->pk);
	if (alog_merkle_verify_inclusion(k->epoch, pk->epochs, leaf,
	                                 (const uint8_t(*)[32])k->proof, k->nproof, pk->root) != 0)
		FAIL("its epoch key (epoch %llu) is not proven by the public key",
		     (unsigned long long)k->epoch);
	snprintf(nv.name, sizeof nv.name, "%s", origin);
	nv.keyid = alog_note_keyid(origin, k->pk);
	memcpy(nv.pk, k->pk, 32);
	if (alog_note_open(note, n, &nv, 1, NULL, &ne) == 0)
		return 0;
	if (strcmp(ne.msg, "malformed note") == 0)
		FAIL("it is not a signed note (no blank line and signature line after the checkpoint)");
	if (strncmp(ne.msg, "invalid signature", 17) == 0)
		FAIL("its signature does not verify with the epoch %llu key (the checkpoint or its "
		     "signature line was altered)", (unsigned long long)k->epoch);
	FAIL("it carries no signature by the epoch %llu key", (unsigned long long)k->epoch);
}

unsigned alog_checkpoint_keyids(const char *note, size_t n, const char *origin, uint32_t *ids,
                                unsigned max)
{
	struct alog_span l;
	size_t pos = 0, on = strlen(origin);
	unsigned k = 0;
	int blank = 0;
	uint8_t sig[ALOG_NOTE_SIG_LEN + 8];

	while (next_line(note, n, &pos, &l) == 1) {
		if (!blank) {
			blank = l.n == 0;
			continue;
		}
		/* "— NAME BASE64(keyid || signature)" */
		if (!starts(l, "\xe2\x80\x94 ") || l.n < 4 + on + 1 || memcmp(l.p + 4, origin, on) != 0 ||
		    l.p[4 + on] != ' ')
			continue;
		if (alog_unb64(sig, sizeof sig, l.p + 5 + on, l.n - 5 - on) < 5 || k == max)
			continue;
		ids[k++] = (uint32_t)sig[0] << 24 | (uint32_t)sig[1] << 16 | (uint32_t)sig[2] << 8 |
		           sig[3];
	}
	return k;
}

int alog_checkpoint_auth_by_tree(const struct alog_tree *t, const char *note, size_t n,
                                 const struct alog_pubkey *pk, struct alog_epoch_key *k,
                                 struct alog_error *e)
{
	int rc = 1;

	for (; t; t = t->prev) {
		rc = alog_checkpoint_auth_by_log(t->log, note, n, pk, k, e);
		/* not found in this file: look in the one before */
		if (rc <= 0 || strncmp(e->msg, "no seal of the log", 18) != 0)
			return rc;
	}
	return rc;
}

int alog_checkpoint_auth_by_log(const char *log, const char *note, size_t n,
                                const struct alog_pubkey *pk, struct alog_epoch_key *k,
                                struct alog_error *e)
{
	struct alog_backscan b;
	struct stat st;
	uint32_t ids[16];
	unsigned nids = alog_checkpoint_keyids(note, n, pk->origin, ids, 16);
	const char *line;
	size_t len;
	uint64_t off;
	int fd, got, rc = 1;

	if (nids == 0)
		FAIL("it carries no signature by a key of \"%s\" (a bare or altered checkpoint)",
		     pk->origin);
	fd = open(log, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) != 0) {
		alog_errno(e, "cannot open");
		if (fd >= 0)
			close(fd);
		return alog_err_at(e, log, 0);
	}
	alog_backscan_init(&b, fd, (uint64_t)st.st_size);
	while ((got = alog_backscan_prev(&b, &line, &len, &off, e)) == 1) {
		struct alog_rec r;
		struct alog_seal s;
		struct alog_error pe;
		uint32_t id;
		if (!memmem(line, len, "\"type\":\"seal\"", 13) || alog_rec_parse(&r, line, len, &pe) ||
		    r.type != ALOG_REC_SEAL || alog_seal_parse(&r, &s, &pe) != 0)
			continue;
		id = alog_note_keyid(pk->origin, s.pk);
		for (unsigned i = 0; i < nids; i++) {
			if (ids[i] != id)
				continue;
			alog_epoch_key_of_seal(k, &s);
			rc = alog_checkpoint_auth(note, n, pk, k, e);
			goto done;
		}
	}
	if (got < 0) {
		rc = -1;
		alog_err_at(e, log, 0);
	} else {
		alog_err(e, "no seal of the log was made with the key that signed it (a forged "
		         "checkpoint, or the seal that made it was removed)");
	}
done:
	alog_backscan_free(&b);
	close(fd);
	return rc;
}

/* ---- consistency ---- */

static void add_key_line(char **b, size_t *bn, size_t *cap, const char *which,
                         const struct alog_epoch_key *k)
{
	char b64[ALOG_B64_LEN(32) + 1], num[64];

	snprintf(num, sizeof num, "key %s %llu ", which, (unsigned long long)k->epoch);
	adds(b, bn, cap, num);
	adds(b, bn, cap, alog_b64(b64, k->pk, 32));
	for (unsigned i = 0; i < k->nproof; i++) {
		adds(b, bn, cap, " ");
		adds(b, bn, cap, alog_b64(b64, k->proof[i], 32));
	}
	adds(b, bn, cap, "\n");
}

char *alog_consistency_text(struct alog_tree *t, uint64_t size1, uint64_t size2,
                            const struct alog_epoch_key *k1, const struct alog_epoch_key *k2,
                            struct alog_error *e)
{
	uint8_t proof[ALOG_MERKLE_MAX_PROOF][32];
	char b64[ALOG_B64_LEN(32) + 1], num[96];
	unsigned n;
	size_t bn = 0, bcap = 4096;
	char *b;

	if (size1 == 0 || size1 > size2)
		return alog_err(e, "a consistency proof goes from a smaller, non-empty tree to a "
		                "larger one (sizes %llu and %llu)", (unsigned long long)size1,
		                (unsigned long long)size2), NULL;
	if (alog_merkle_consistency_proof(size1, size2, alog_tree_subtree, t, proof, &n) != 0)
		return alog_err(e, "%s", t->err), NULL;
	b = alog_xmalloc(bcap);
	snprintf(num, sizeof num, ALOG_CONSISTENCY_HEADER "\nold %llu\nnew %llu\n",
	         (unsigned long long)size1, (unsigned long long)size2);
	adds(&b, &bn, &bcap, num);
	add_key_line(&b, &bn, &bcap, "old", k1);
	add_key_line(&b, &bn, &bcap, "new", k2);
	for (unsigned i = 0; i < n; i++) {
		adds(&b, &bn, &bcap, alog_b64(b64, proof[i], 32));
		adds(&b, &bn, &bcap, "\n");
	}
	return b;
}

/* "key old|new EPOCH PK [HASH...]" into k; 0 or -1. */
static int parse_key_line(struct alog_span l, int *which, struct alog_epoch_key *k)
{
	const char *p = l.p + 4, *end = l.p + l.n, *sp;
	int field = 0;

	memset(k, 0, sizeof *k);
	for (; p <= end; p = sp + 1, field++) {
		sp = memchr(p, ' ', (size_t)(end - p));
		if (!sp)
			sp = end;
		struct alog_span f = {p, (size_t)(sp - p)};
		if (field == 0) {
			if (alog_span_eq(f, "old"))
				*which = 0;
			else if (alog_span_eq(f, "new"))
				*which = 1;
			else
				return -1;
		} else if (field == 1) {
			if (span_u64(f, &k->epoch) != 0)
				return -1;
		} else if (field == 2) {
			if (alog_unb64(k->pk, 32, f.p, f.n) != 32)
				return -1;
		} else {
			if (k->nproof == ALOG_MERKLE_MAX_PROOF ||
			    alog_unb64(k->proof[k->nproof], 32, f.p, f.n) != 32)
				return -1;
			k->nproof++;
		}
	}
	return field >= 3 ? 0 : -1;
}

int alog_consistency_verify(const char *text, size_t n, const char *old_cp, size_t old_n,
                            const char *new_cp, size_t new_n, const struct alog_pubkey *pk,
                            uint64_t epochs[2], struct alog_error *e)
{
	struct alog_span l;
	struct alog_epoch_key keys[2];
	size_t pos = 0;
	uint64_t s1, s2, p1, p2;
	uint8_t r1[32], r2[32], proof[ALOG_MERKLE_MAX_PROOF][32];
	char o1[256], o2[256];
	unsigned np = 0;
	int r, have[2] = {0, 0};

	if (alog_checkpoint_parse(old_cp, old_n, o1, sizeof o1, &s1, r1, e) != 0 ||
	    alog_checkpoint_parse(new_cp, new_n, o2, sizeof o2, &s2, r2, e) != 0)
		return -1;
	if (next_line(text, n, &pos, &l) != 1 || !alog_span_eq(l, ALOG_CONSISTENCY_HEADER))
		return alog_err(e, "not a consistency proof: the first line is not %s",
		                ALOG_CONSISTENCY_HEADER), -1;
	if (strcmp(o1, o2) != 0)
		FAIL("the checkpoints are for different logs (\"%s\" and \"%s\")", o1, o2);
	if (next_line(text, n, &pos, &l) != 1 || !starts(l, "old ") ||
	    span_u64((struct alog_span){l.p + 4, l.n - 4}, &p1) != 0 ||
	    next_line(text, n, &pos, &l) != 1 || !starts(l, "new ") ||
	    span_u64((struct alog_span){l.p + 4, l.n - 4}, &p2) != 0)
		FAIL("malformed consistency proof: expected \"old N\" and \"new N\" lines");
	if (p1 != s1 || p2 != s2)
		FAIL("the proof is from size %llu to %llu, the checkpoints are sizes %llu and %llu",
		     (unsigned long long)p1, (unsigned long long)p2, (unsigned long long)s1,
		     (unsigned long long)s2);
	if (s1 > s2)
		FAIL("the old checkpoint (size %llu) is larger than the new one (size %llu): swapped?",
		     (unsigned long long)s1, (unsigned long long)s2);
	while ((r = next_line(text, n, &pos, &l)) == 1) {
		int which = 0;
		struct alog_epoch_key k;
		if (l.n == 0 && pos == n)
			break;
		if (starts(l, "key ") && np == 0) {
			if (parse_key_line(l, &which, &k) != 0 || have[which])
				FAIL("malformed consistency proof: line %u is not \"key old|new EPOCH KEY "
				     "PROOF...\"", 4 + have[0] + have[1]);
			keys[which] = k;
			have[which] = 1;
			continue;
		}
		if (np == ALOG_MERKLE_MAX_PROOF || alog_unb64(proof[np], 32, l.p, l.n) != 32)
			FAIL("malformed consistency proof: line %u is not a base64 SHA-256 hash",
			     np + 4 + have[0] + have[1]);
		np++;
	}
	if (r < 0)
		FAIL("malformed consistency proof: the last line has no newline");
	for (int w = 0; w < 2; w++) {
		struct alog_error ae;
		if (!have[w])
			FAIL("the proof carries no epoch key for the %s checkpoint, so nothing "
			     "authenticates it (make the proof again with alog-export --consistency -p)",
			     w ? "new" : "old");
		if (alog_checkpoint_auth(w ? new_cp : old_cp, w ? new_n : old_n, pk, &keys[w],
		                         &ae) != 0)
			FAIL("the %s checkpoint is not authentic: %s", w ? "new" : "old", ae.msg);
		epochs[w] = keys[w].epoch;
	}
	if (alog_merkle_verify_consistency(s1, s2, r1, r2, (const uint8_t(*)[32])proof, np) != 0)
		FAIL("the checkpoints are not consistent: the tree of size %llu does not extend the "
		     "tree of size %llu (a fork, a rewrite, or the wrong proof)",
		     (unsigned long long)s2, (unsigned long long)s1);
	return 0;
}

#undef FAIL
