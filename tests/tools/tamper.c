/*
 * tamper - the tamper harness: builds sealed fixtures with the real
 * appending and sealing code, applies every kind of damage an attacker or
 * an accident can do, and checks that the verifier (in process, with the
 * public key, a saved checkpoint and the host's key state) names each one
 * at the right line or seal; then checks that valid logs of many shapes
 * never fail.  Prints one line per mutation class and a total.
 *
 *   tamper [-m MUTATIONS] [-v VALID_LOGS] [-s SEED] [-x] [-k DIR] [-q]
 *
 * -x adds the exhaustive single-bit flips of a sealed 20-record log; -k
 * keeps every failing case (mutated files and a note) in DIR.  Exit 0
 * when everything was detected where it should be and nothing valid
 * failed, 1 otherwise, 2 on a set-up error.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/enc.h"
#include "base/sha256.h"
#include "base/ts.h"
#include "format/note.h"
#include "format/record.h"
#include "keys/key.h"
#include "log/writer.h"
#include "ops/seal.h"
#include "ops/verify.h"

#define ORIGIN "tamper.example/audit"
#define ORIGIN2 "other.example/audit"
#define EPOCHS 512
#define MAXF 8

/* ---- small utilities ---- */

static uint64_t rng_state;
static uint64_t rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static void die(const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "tamper: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

struct buf {
	char *p;
	size_t n, cap;
};
static void put(struct buf *b, const void *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = alog_xrealloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
}
static void buf_free(struct buf *b)
{
	free(b->p);
	memset(b, 0, sizeof *b);
}
static struct buf dup_buf(const char *p, size_t n)
{
	struct buf b = {0};
	put(&b, p, n);
	return b;
}

static char *slurp_file(const char *path, size_t *n)
{
	struct stat st;
	int fd = open(path, O_RDONLY);
	char *p;
	if (fd < 0 || fstat(fd, &st) != 0)
		die("cannot read %s: %s", path, strerror(errno));
	p = alog_xmalloc((size_t)st.st_size + 1);
	if (alog_pread_all(fd, p, (size_t)st.st_size, 0) != st.st_size)
		die("cannot read %s", path);
	close(fd);
	*n = (size_t)st.st_size;
	return p;
}

static void write_file(const char *path, const char *p, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || alog_write_all(fd, p, n) != 0 || close(fd) != 0)
		die("cannot write %s: %s", path, strerror(errno));
}

/* A log file as lines (offsets into one buffer). */
struct lines {
	const char *p;
	size_t n;
	size_t count;
	size_t *start; /* count + 1 entries: start[count] = n */
};
static void split(struct lines *l, const char *p, size_t n)
{
	size_t cap = 64;
	l->p = p;
	l->n = n;
	l->count = 0;
	l->start = alog_xmalloc(cap * sizeof *l->start);
	for (size_t i = 0; i < n;) {
		const char *nl = memchr(p + i, '\n', n - i);
		size_t e = nl ? (size_t)(nl - p) + 1 : n;
		if (l->count + 2 > cap) {
			cap *= 2;
			l->start = alog_xrealloc(l->start, cap * sizeof *l->start);
		}
		l->start[l->count++] = i;
		i = e;
	}
	l->start[l->count] = n;
}
static size_t line_len(const struct lines *l, size_t i) /* 0-based */
{
	return l->start[i + 1] - l->start[i];
}
static const char *line_at(const struct lines *l, size_t i)
{
	return l->p + l->start[i];
}
/* 1-based line holding byte offset off. */
static uint64_t line_of(const struct lines *l, size_t off)
{
	size_t lo = 0, hi = l->count;
	while (hi - lo > 1) {
		size_t mid = (lo + hi) / 2;
		if (l->start[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	return lo + 1;
}
static int is_type(const char *line, size_t n, const char *type)
{
	struct alog_rec r;
	struct alog_error e;
	return alog_rec_parse(&r, line, n, &e) == 0 && r.type != ALOG_REC_EVENT &&
	       strcmp(alog_rec_type_name(r.type), type) == 0;
}

/* ---- the attacker's tools ---- */

/*
 * Recompute seq and chain from the first line on, as an attacker with the
 * file but no key does (tests/helpers.bash rehash_log, in C).  Lines that
 * are not records are copied unchanged.
 */
static struct buf rehash(const char *p, size_t n)
{
	struct lines l;
	struct buf out = {0};
	uint8_t h[32] = {0}, d[32];
	uint64_t seq = 0;

	split(&l, p, n);
	for (size_t i = 0; i < l.count; i++) {
		const char *s = line_at(&l, i);
		size_t len = line_len(&l, i);
		struct alog_rec r;
		struct alog_error e;
		struct buf nl = {0};
		char digits[32], hex[65];
		if (alog_rec_parse(&r, s, len, &e) != 0) {
			put(&out, s, len);
			continue;
		}
		if (i == 0) {
			struct alog_header hd;
			seq = r.seq;
			if (r.type == ALOG_REC_OPEN && alog_header_parse(&r, &hd, &e) == 0 &&
			    hd.has_prev)
				memcpy(h, hd.prev, 32);
		} else {
			seq++;
		}
		put(&nl, "{\"seq\":", 7);
		put(&nl, digits, (size_t)snprintf(digits, sizeof digits, "%llu",
		                                  (unsigned long long)seq));
		put(&nl, r.ts.p - 7, (size_t)(s + len - ALOG_HASH_TAIL - (r.ts.p - 7)));
		put(&nl, "}", 1);
		alog_sha256(d, nl.p, nl.n);
		alog_chain(h, h, d);
		nl.n--;
		put(&nl, ",\"hash\":\"", 9);
		put(&nl, alog_hex(hex, h, 32), 64);
		put(&nl, "\"}\n", 3);
		put(&out, nl.p, nl.n);
		buf_free(&nl);
	}
	free(l.start);
	return out;
}

/*
 * Append a seal over everything in the log, made with the given epoch of
 * a stolen secret key (epoch must not be before the key's next), the way
 * tests/tools/forge-seal does.  size_override >= 0 lies about the size.
 */
static void forge_seal(struct buf *log, const char *keyfile, uint32_t epoch)
{
	struct alog_seckey sk;
	struct alog_error e;
	struct lines l;
	struct alog_merkle tree;
	struct alog_seal s;
	struct alog_rec r;
	uint8_t d[32], leaf[32], esk[64], h[32] = {0};
	char text[512], members[8192];
	uint64_t seq = 0;
	int64_t ts = 1;
	size_t n;
	uint32_t id;

	if (alog_seckey_load(&sk, keyfile, 0, &e) != 0)
		die("%s", e.msg);
	while (sk.next < epoch)
		alog_seckey_advance(&sk);
	alog_merkle_init(&tree);
	split(&l, log->p, log->n);
	for (size_t i = 0; i < l.count; i++) {
		if (alog_rec_parse(&r, line_at(&l, i), line_len(&l, i), &e) != 0)
			continue;
		if (i == 0 && r.type == ALOG_REC_OPEN && r.seq > 1) {
			struct alog_header hd;
			if (alog_header_parse(&r, &hd, &e) == 0)
				tree = hd.range;
		}
		alog_rec_digest(r.line, r.len, d);
		alog_sha256_leaf32(leaf, d);
		alog_merkle_push(&tree, leaf);
		memcpy(h, r.hash, 32);
		seq = r.seq;
		ts = r.ts_ns + 1000;
	}
	free(l.start);
	memset(&s, 0, sizeof s);
	alog_seckey_current(&sk, s.pk, esk);
	s.size = tree.size;
	s.range = tree;
	alog_merkle_root(&tree, s.root);
	s.epoch = sk.next;
	alog_seckey_proof(&sk, s.proof, &s.nproof);
	n = alog_checkpoint_text(text, sizeof text, sk.origin, s.size, s.root);
	id = alog_note_keyid(sk.origin, s.pk);
	s.sig[0] = (uint8_t)(id >> 24);
	s.sig[1] = (uint8_t)(id >> 16);
	s.sig[2] = (uint8_t)(id >> 8);
	s.sig[3] = (uint8_t)id;
	crypto_sign_detached(s.sig + 4, NULL, (const unsigned char *)text, n, esk);
	sodium_memzero(esk, sizeof esk);
	n = alog_seal_members(members, sizeof members, &s);
	{
		char *line = alog_xmalloc(alog_rec_size(n, "seal"));
		size_t len = alog_rec_format(line, seq + 1, ts, "seal", members, n, h, h);
		put(log, line, len);
		free(line);
	}
	alog_seckey_free(&sk);
}

/* A well-formed event line with the given seq and chain link. */
static struct buf forged_event(uint64_t seq, int64_t ts, const uint8_t prev[32])
{
	static const char m[] = ",\"actor\":\"mallory\",\"action\":\"db.drop\",\"target\":\"audit\"";
	struct buf b = {0};
	uint8_t h[32];
	char *line = alog_xmalloc(alog_rec_size(sizeof m - 1, NULL));
	size_t len = alog_rec_format(line, seq, ts, NULL, m, sizeof m - 1, prev, h);
	put(&b, line, len);
	free(line);
	return b;
}

/* ---- fixtures, made with the real writer and alog_seal_run ---- */

static char dir[256];
static char keyfresh[300], pubfile[300];
static struct alog_pubkey pubkey, pubkey_other_origin, pubkey_other_key;

static void append_events(const char *path, uint64_t n, uint64_t salt)
{
	struct alog_writer_opts wo = {.origin = ORIGIN, .sync = ALOG_SYNC_NONE};
	struct alog_error e;
	struct alog_writer *w;
	char m[400];

	w = alog_writer_open(path, &wo, &e);
	if (!w)
		die("append %s: %s", path, e.msg);
	if (!n) { /* just create the (empty) file */
		alog_writer_close(w);
		return;
	}
	if (alog_writer_lock(w, &e) != 0)
		die("append %s: %s", path, e.msg);
	for (uint64_t i = 0; i < n; i++) {
		uint64_t x = salt * 1000003 + i;
		int k;
		switch (x % 4) {
		case 0:
			k = snprintf(m, sizeof m, ",\"actor\":\"user%llu\",\"action\":\"db.query\","
			             "\"rows\":%llu", (unsigned long long)(x % 7),
			             (unsigned long long)x);
			break;
		case 1:
			k = snprintf(m, sizeof m, ",\"msg\":\"caf\xc3\xa9 \\u0041 \\\"q\\\" "
			             "\\\\ %llu\",\"nested\":{\"hash\":\"%064d\",\"a\":[1,2.5e3,true,null]}",
			             (unsigned long long)x, 0);
			break;
		case 2:
			k = snprintf(m, sizeof m, ",\"n\":%llu", (unsigned long long)x);
			break;
		default:
			k = 0; /* an event with no members */
		}
		if (alog_writer_add(w, NULL, m, (size_t)k, &e) != 0)
			die("append: %s", e.msg);
	}
	if (alog_writer_commit(w, &e) != 0)
		die("append: %s", e.msg);
	alog_writer_close(w);
}

static void copy_key(const char *to)
{
	size_t n;
	char *p = slurp_file(keyfresh, &n);
	unlink(to);
	write_file(to, p, n);
	free(p);
}

/* Seal (and rotate to archive, when given); the checkpoint is kept in cp. */
static void seal(const char *log, const char *key, const char *archive, char *cp, size_t cap)
{
	struct alog_seal_opts o = {.log = log, .key = key, .rotate = archive};
	struct alog_seal_result res;
	struct alog_error e;
	alog_error_clear(&e);
	if (alog_seal_run(&o, &res, &e) != 0)
		die("seal %s: %s", log, e.msg);
	if (cp)
		snprintf(cp, cap, "%s", res.note);
	free(res.note);
}

static int64_t key_next(const char *key)
{
	struct alog_seckey sk;
	struct alog_error e;
	int64_t n;
	if (alog_seckey_load(&sk, key, 0, &e) != 0)
		die("%s", e.msg);
	n = sk.next;
	alog_seckey_free(&sk);
	return n;
}

static void make_key(const char *path, const char *origin, struct alog_pubkey *pk)
{
	struct alog_seckey sk;
	struct alog_error e;
	unlink(path);
	if (alog_key_generate(&sk, pk, origin, EPOCHS, &e) != 0 || alog_seckey_save(&sk, path, 1, &e))
		die("keygen: %s", e.msg);
	alog_seckey_free(&sk);
}

/* A fixture: files in order, the host key state after it, the last checkpoint. */
struct fixture {
	int nfiles;
	struct buf file[MAXF];
	char key[300];
	int64_t key_next;
	char cp[1024];
};

static void load_files(struct fixture *f, char paths[][300], int n)
{
	f->nfiles = n;
	for (int i = 0; i < n; i++) {
		size_t len;
		char *p = slurp_file(paths[i], &len);
		f->file[i] = dup_buf(p, len);
		free(p);
	}
}

/*
 * events events, a seal after every `every`, rotated after every `rotate`
 * seals (0: never); ends with a seal.
 */
static void build(struct fixture *f, const char *name, uint64_t events, uint64_t every,
                  int rotate, uint64_t salt)
{
	char paths[MAXF][300], log[300];
	int nseals = 0, nf = 0;

	snprintf(log, sizeof log, "%s/%s.alog", dir, name);
	snprintf(f->key, sizeof f->key, "%s/%s.key", dir, name);
	unlink(log);
	copy_key(f->key);
	for (uint64_t done = 0; done < events;) {
		uint64_t k = events - done < every ? events - done : every;
		append_events(log, k, salt + done);
		done += k;
		nseals++;
		if (rotate && nseals % rotate == 0 && done < events && nf < MAXF - 1) {
			snprintf(paths[nf], sizeof paths[nf], "%s/%s.%d.alog", dir, name, nf);
			unlink(paths[nf]);
			seal(log, f->key, paths[nf], f->cp, sizeof f->cp);
			nf++;
		} else {
			seal(log, f->key, NULL, f->cp, sizeof f->cp);
		}
	}
	snprintf(paths[nf++], sizeof paths[0], "%s", log);
	load_files(f, paths, nf);
	f->key_next = key_next(f->key);
}

/* ---- verifying ---- */

struct outcome {
	uint64_t errors;
	int kind, file, have;
	uint64_t line, seq;
	char msg[400];
	int have_note, note_file; /* the first note (a warning that explains) */
	uint64_t note_line;
};

struct vctx {
	struct outcome *o;
	int file;
	char (*paths)[64]; /* each file's name, to tell which one a problem is in */
	int n;
};

static int file_index(const struct vctx *c, const char *name)
{
	for (int i = 0; name && i < c->n; i++)
		if (!strcmp(c->paths[i], name))
			return i;
	return c->file;
}

static void on_problem(void *ctx, const struct alog_problem *p)
{
	struct vctx *c = ctx;
	if (p->warning && p->kind == ALOG_P_NOTE && !c->o->have_note) {
		c->o->have_note = 1;
		c->o->note_file = file_index(c, p->file);
		c->o->note_line = p->line;
	}
	if (p->warning || c->o->have)
		return;
	c->o->have = 1;
	c->o->kind = (int)p->kind;
	c->o->file = file_index(c, p->file);
	c->o->line = p->line;
	c->o->seq = p->seq;
	snprintf(c->o->msg, sizeof c->o->msg, "%s", p->msg);
}

struct vopts {
	const struct alog_pubkey *pk;
	const char *cp;     /* checkpoint note, or NULL */
	int64_t key_next;   /* -1: not given */
	int require_sealed;
	int all;
};

static struct outcome verify(struct buf *files, int n, const struct vopts *vo)
{
	struct alog_verify_opts o;
	struct alog_verify_summary s;
	struct alog_verifier *v;
	struct alog_error e;
	struct outcome out;
	char paths[MAXF + 2][64];
	int fds[MAXF + 2];
	struct vctx c = {&out, 0, paths, n};

	memset(&out, 0, sizeof out);
	memset(&o, 0, sizeof o);
	o.all = vo->all;
	o.now_ns = vo->all ? alog_ts_now() : 0;
	o.pubkey = vo->pk;
	o.key_next = vo->key_next;
	o.require_sealed = vo->require_sealed;
	if (vo->cp) {
		if (alog_checkpoint_parse(vo->cp, strlen(vo->cp), o.checkpoint_origin,
		                          sizeof o.checkpoint_origin, &o.checkpoint_size,
		                          o.checkpoint_root, &e) != 0)
			die("checkpoint: %s", e.msg);
		o.have_checkpoint = 1;
	}
	/* all files open at once, so that each has its own name */
	for (int i = 0; i < n; i++) {
		fds[i] = memfd_create("log", 0);
		if (fds[i] < 0 ||
		    (files[i].n && write(fds[i], files[i].p, files[i].n) != (ssize_t)files[i].n))
			die("memfd: %s", strerror(errno));
		snprintf(paths[i], sizeof paths[i], "/proc/self/fd/%d", fds[i]);
	}
	v = alog_verifier_new(&o, on_problem, &c);
	for (int i = 0; i < n; i++) {
		int rc;
		c.file = i;
		rc = alog_verify_file(v, paths[i], &e);
		if (rc < 0)
			die("verify: %s", e.msg);
		if (rc == 1)
			break;
	}
	c.file = n - 1;
	alog_verifier_finish(v, &s);
	alog_verifier_free(v);
	for (int i = 0; i < n; i++)
		close(fds[i]);
	out.errors = s.errors;
	return out;
}

/* ---- judging ---- */

#define K(x) (1u << ALOG_P_##x)
#define ANYKIND 0xffffffffu

/*
 * Where the first error must be: in file `file`, at a line in [lo, hi];
 * or, when whole is set, a problem about the whole log (line 0) of one of
 * the kinds in whole.
 */
struct expect {
	int file;
	uint64_t lo, hi;
	unsigned whole;
	int note_ok; /* a note (warning) at the place is what the verifier can say */
};

struct klass {
	const char *name;
	uint64_t runs, detected, misplaced, missed;
};

static struct klass classes[64];
static int nclasses;
static const char *keepdir;
static int quiet;
static uint64_t failures;

static struct klass *klass(const char *name)
{
	for (int i = 0; i < nclasses; i++)
		if (!strcmp(classes[i].name, name))
			return &classes[i];
	classes[nclasses].name = name;
	return &classes[nclasses++];
}

static void keep(const char *cls, struct buf *files, int n, const struct outcome *o,
                 const struct expect *x, const char *what)
{
	char path[512];
	FILE *f;

	failures++;
	if (!quiet)
		fprintf(stderr, "tamper: %s: %s: %s (first error: file %d line %llu: %s; expected "
		        "file %d lines %llu..%llu%s)\n", cls, what, o->have ? "misplaced" : "MISSED",
		        o->file, (unsigned long long)o->line, o->have ? o->msg : "-", x->file,
		        (unsigned long long)x->lo, (unsigned long long)x->hi,
		        x->whole ? " or a whole-log problem" : "");
	if (!keepdir || failures > 50)
		return;
	mkdir(keepdir, 0755);
	for (int i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%s/case%llu.%d.alog", keepdir,
		         (unsigned long long)failures, i);
		write_file(path, files[i].p, files[i].n);
	}
	snprintf(path, sizeof path, "%s/case%llu.txt", keepdir, (unsigned long long)failures);
	if ((f = fopen(path, "w"))) {
		fprintf(f, "%s: %s\nfirst error: file %d line %llu: %s\n", cls, what, o->file,
		        (unsigned long long)o->line, o->msg);
		fclose(f);
	}
}

static void judge(const char *cls, struct buf *files, int n, const struct vopts *vo,
                  const struct expect *x, const char *what)
{
	struct klass *k = klass(cls);
	struct outcome o = verify(files, n, vo);

	k->runs++;
	if (x->note_ok && o.errors == 0 && o.have_note && o.note_file == x->file &&
	    o.note_line >= x->lo && o.note_line <= x->hi) {
		k->detected++;
		return;
	}
	if (!o.have || o.errors == 0) {
		k->missed++;
		keep(cls, files, n, &o, x, what);
		return;
	}
	k->detected++;
	if (o.line == 0 ? (x->whole & (1u << o.kind)) != 0
	                : (o.file == x->file && o.line >= x->lo && o.line <= x->hi))
		return;
	k->misplaced++;
	keep(cls, files, n, &o, x, what);
}

static void judge1(const char *cls, struct buf *b, const struct vopts *vo, uint64_t lo,
                   uint64_t hi, unsigned whole, const char *what)
{
	struct expect x = {0, lo, hi, whole, 0};
	judge(cls, b, 1, vo, &x, what);
}

/* ---- mutation classes on the single-file fixture ---- */

static struct fixture F;        /* 1000 events, a seal every 100 */
static struct fixture G;        /* another log, same origin, its own key */
static struct fixture R;        /* rotated: files of 2 seals each */
static struct fixture S20;      /* 20 records, sealed */
static struct lines FL;
static struct vopts full;

/* 1-based line of the first seal at or after line `from` in lines l (0 if none). */
static uint64_t seal_at_or_after(const struct lines *l, uint64_t from)
{
	for (size_t i = from ? from - 1 : 0; i < l->count; i++)
		if (is_type(line_at(l, i), line_len(l, i), "seal"))
			return i + 1;
	return 0;
}

static struct buf with_lines(const struct lines *l, size_t from, size_t to) /* [from,to) 0-based */
{
	struct buf b = {0};
	put(&b, l->p + l->start[from], l->start[to] - l->start[from]);
	return b;
}

static void bytes_mutations(uint64_t n)
{
	char what[200];
	for (uint64_t i = 0; i < n; i++) {
		struct buf b = {0};
		size_t off = below(F.file[0].n);
		uint64_t ln = line_of(&FL, off);
		int kind = (int)below(3);
		unsigned char c = (unsigned char)F.file[0].p[off], r;
		const char *cls;
		do
			r = (unsigned char)below(256);
		while (kind == 0 && r == c);
		put(&b, F.file[0].p, off);
		if (kind == 0) {
			cls = "byte substituted";
			put(&b, &r, 1);
			put(&b, F.file[0].p + off + 1, F.file[0].n - off - 1);
		} else if (kind == 1) {
			cls = "byte inserted";
			put(&b, &r, 1);
			put(&b, F.file[0].p + off, F.file[0].n - off);
		} else {
			cls = "byte deleted";
			put(&b, F.file[0].p + off + 1, F.file[0].n - off - 1);
		}
		snprintf(what, sizeof what, "offset %zu (line %llu) byte 0x%02x", off,
		         (unsigned long long)ln, r);
		judge1(cls, &b, &full, ln, ln, 0, what);
		buf_free(&b);
	}
}

/* Pick a 0-based line index in [lo, hi). */
static size_t pick(size_t lo, size_t hi)
{
	return lo + (size_t)below(hi - lo);
}

static void line_mutations(uint64_t n)
{
	size_t N = FL.count;
	char what[200];

	for (uint64_t i = 0; i < n; i++) {
		struct buf b = {0};
		size_t a = pick(0, N), c;
		int kind = (int)below(5);
		const char *cls = NULL;
		uint64_t want = 0;
		unsigned whole = 0;

		switch (kind) {
		case 0: /* delete line a */
			cls = "line deleted";
			put(&b, FL.p, FL.start[a]);
			put(&b, FL.p + FL.start[a + 1], FL.n - FL.start[a + 1]);
			want = a + 1;
			/* the last line (a seal): only the key state knows it existed */
			if (a == N - 1)
				whole = K(SEAL) | K(UNSEALED);
			snprintf(what, sizeof what, "line %zu deleted", a + 1);
			break;
		case 1: /* duplicate line a */
			cls = "line duplicated";
			put(&b, FL.p, FL.start[a + 1]);
			put(&b, line_at(&FL, a), line_len(&FL, a));
			put(&b, FL.p + FL.start[a + 1], FL.n - FL.start[a + 1]);
			want = a + 2;
			snprintf(what, sizeof what, "line %zu duplicated", a + 1);
			break;
		case 2: /* swap a and c */
			cls = "lines swapped";
			do
				c = below(4) ? (a + 1 < N ? a + 1 : a - 1) : pick(0, N);
			while (c == a);
			if (c < a) {
				size_t t = a;
				a = c;
				c = t;
			}
			put(&b, FL.p, FL.start[a]);
			put(&b, line_at(&FL, c), line_len(&FL, c));
			put(&b, FL.p + FL.start[a + 1], FL.start[c] - FL.start[a + 1]);
			put(&b, line_at(&FL, a), line_len(&FL, a));
			put(&b, FL.p + FL.start[c + 1], FL.n - FL.start[c + 1]);
			want = a + 1;
			snprintf(what, sizeof what, "lines %zu and %zu swapped", a + 1, c + 1);
			break;
		case 3: /* move line a to before line c */
			cls = "line moved";
			do
				c = pick(0, N + 1);
			while (c == a || c == a + 1);
			if (c > a) {
				put(&b, FL.p, FL.start[a]);
				put(&b, FL.p + FL.start[a + 1], FL.start[c] - FL.start[a + 1]);
				put(&b, line_at(&FL, a), line_len(&FL, a));
				put(&b, FL.p + FL.start[c], FL.n - FL.start[c]);
				want = a + 1;
			} else {
				put(&b, FL.p, FL.start[c]);
				put(&b, line_at(&FL, a), line_len(&FL, a));
				put(&b, FL.p + FL.start[c], FL.start[a] - FL.start[c]);
				put(&b, FL.p + FL.start[a + 1], FL.n - FL.start[a + 1]);
				want = c + 1;
			}
			snprintf(what, sizeof what, "line %zu moved before line %zu", a + 1, c + 1);
			break;
		default: { /* a forged record inserted before line a (a >= 1), chain untouched */
			struct alog_rec r;
			struct alog_error e;
			struct buf fe;
			if (a == 0)
				a = 1;
			alog_rec_parse(&r, line_at(&FL, a - 1), line_len(&FL, a - 1), &e);
			fe = forged_event(r.seq + 1, r.ts_ns, r.hash);
			cls = "forged record inserted";
			put(&b, FL.p, FL.start[a]);
			put(&b, fe.p, fe.n);
			put(&b, FL.p + FL.start[a], FL.n - FL.start[a]);
			buf_free(&fe);
			want = a + 1;
			snprintf(what, sizeof what, "forged record before line %zu", a + 1);
		}
		}
		judge1(cls, &b, &full, want, want, whole, what);
		buf_free(&b);
	}
}

/* The attacker rewrites the chain after an edit: the next seal must name it. */
static void rehash_mutations(uint64_t n)
{
	char what[200];
	for (uint64_t i = 0; i < n; i++) {
		struct buf b = {0}, h;
		struct lines hl;
		/* not the last line: the final seal is covered by no seal (see RELIABILITY.md) */
		size_t a = pick(1, FL.count - 1);
		int kind = (int)below(5);
		const char *cls;
		uint64_t lo = a + 1, hi;

		put(&b, FL.p, FL.start[a]);
		switch (kind) {
		case 0:
			cls = "deleted, chain recomputed";
			put(&b, FL.p + FL.start[a + 1], FL.n - FL.start[a + 1]);
			break;
		case 1: {
			struct alog_rec r;
			struct alog_error e;
			struct buf fe;
			alog_rec_parse(&r, line_at(&FL, a - 1), line_len(&FL, a - 1), &e);
			fe = forged_event(r.seq + 1, r.ts_ns, r.hash);
			cls = "forged record, chain recomputed";
			put(&b, fe.p, fe.n);
			put(&b, FL.p + FL.start[a], FL.n - FL.start[a]);
			buf_free(&fe);
			break;
		}
		case 2: { /* the same event re-encoded: \u0041 for A, or spaces */
			const char *s = line_at(&FL, a);
			size_t len = line_len(&FL, a);
			const char *q = memchr(s, 'A', len);
			cls = "re-encoded, chain recomputed";
			if (q && !below(2)) {
				put(&b, s, (size_t)(q - s));
				put(&b, "\\u0041", 6);
				put(&b, q + 1, len - (size_t)(q - s) - 1);
			} else {
				const char *colon = memchr(s + 8, ':', len - 8);
				put(&b, s, (size_t)(colon - s) + 1);
				put(&b, " ", 1);
				put(&b, colon + 1, len - (size_t)(colon - s) - 1);
			}
			put(&b, FL.p + FL.start[a + 1], FL.n - FL.start[a + 1]);
			break;
		}
		case 3: { /* members reordered: the actor and action of an event swapped */
			const char *s = line_at(&FL, a);
			size_t len = line_len(&FL, a);
			const char *p1 = memmem(s, len, ",\"actor\":", 9);
			const char *p2 = p1 ? memmem(p1, len - (size_t)(p1 - s), ",\"action\":", 10) : NULL;
			const char *p3 = p2 ? memmem(p2, len - (size_t)(p2 - s), ",\"rows\":", 8) : NULL;
			cls = "members reordered, chain recomputed";
			if (!p3) { /* not such an event: the ts changed by a second instead */
				put(&b, s, 30);
				put(&b, s[30] == '9' ? "0" : "9", 1);
				put(&b, s + 31, len - 31);
			} else {
				put(&b, s, (size_t)(p1 - s));
				put(&b, p2, (size_t)(p3 - p2));
				put(&b, p1, (size_t)(p2 - p1));
				put(&b, p3, len - (size_t)(p3 - s));
			}
			put(&b, FL.p + FL.start[a + 1], FL.n - FL.start[a + 1]);
			break;
		}
		default: { /* lines swapped */
			size_t c = a + 1 < FL.count ? a + 1 : a - 1;
			size_t lo2 = a < c ? a : c, hi2 = a < c ? c : a;
			cls = "swapped, chain recomputed";
			b.n = FL.start[lo2];
			put(&b, line_at(&FL, hi2), line_len(&FL, hi2));
			put(&b, line_at(&FL, lo2), line_len(&FL, lo2));
			put(&b, FL.p + FL.start[hi2 + 1], FL.n - FL.start[hi2 + 1]);
			lo = lo2 + 1;
		}
		}
		h = rehash(b.p, b.n);
		split(&hl, h.p, h.n);
		hi = seal_at_or_after(&hl, lo);
		snprintf(what, sizeof what, "at line %zu", a + 1);
		/* after the last seal nothing can be proven but that the tail is unsealed */
		judge1(cls, &h, &full, lo, hi ? hi : hl.count, K(CHECKPOINT) | K(SEAL) | K(UNSEALED),
		       what);
		free(hl.start);
		buf_free(&h);
		buf_free(&b);
	}
}

static void truncations(void)
{
	char what[100];
	for (size_t k = 0; k < FL.count; k++) {
		struct buf b = with_lines(&FL, 0, k);
		snprintf(what, sizeof what, "cut after line %zu", k);
		judge1("truncated at a line boundary", &b, &full, k + 1, k + 1,
		       K(CHECKPOINT) | K(SEAL) | K(UNSEALED), what);
		buf_free(&b);
	}
}

/* Seal stripping, replays, wrong keys and checkpoints, the journald CVEs. */
static void seal_attacks(void)
{
	struct lines gl;
	size_t seals[64], ns = 0;
	char what[200], cpath[400];
	struct vopts vo;

	split(&gl, G.file[0].p, G.file[0].n);
	for (size_t i = 0; i < FL.count; i++)
		if (is_type(line_at(&FL, i), line_len(&FL, i), "seal"))
			seals[ns++] = i;

	/* Every seal stripped, one at a time, without and with the chain recomputed. */
	for (size_t s = 0; s < ns; s++) {
		struct buf b = {0}, h;
		put(&b, FL.p, FL.start[seals[s]]);
		put(&b, FL.p + FL.start[seals[s] + 1], FL.n - FL.start[seals[s] + 1]);
		snprintf(what, sizeof what, "seal at line %zu removed", seals[s] + 1);
		judge1("seal stripped", &b, &full, seals[s] + 1, seals[s] + 1, K(SEAL) | K(UNSEALED),
		       what);
		h = rehash(b.p, b.n);
		judge1("seal stripped, chain recomputed", &h, &full, seals[s] + 1, FL.count,
		       K(SEAL) | K(UNSEALED) | K(CHECKPOINT), what);
		buf_free(&h);
		buf_free(&b);
	}
	/* All seals stripped and the chain recomputed: only the key state and checkpoint know. */
	{
		struct buf b = {0}, h;
		for (size_t i = 0; i < FL.count; i++)
			if (!is_type(line_at(&FL, i), line_len(&FL, i), "seal"))
				put(&b, line_at(&FL, i), line_len(&FL, i));
		h = rehash(b.p, b.n);
		judge1("all seals stripped, chain recomputed", &h, &full, 2, h.n,
		       K(SEAL) | K(UNSEALED) | K(CHECKPOINT), "all seals");
		buf_free(&h);
		buf_free(&b);
	}
	/* A seal from another log replayed at the same position. */
	for (size_t s = 0; s < ns; s++) {
		struct buf b = {0}, h;
		size_t gs = seal_at_or_after(&gl, seals[s] + 1);
		if (!gs)
			continue;
		put(&b, FL.p, FL.start[seals[s]]);
		put(&b, line_at(&gl, gs - 1), line_len(&gl, gs - 1));
		put(&b, FL.p + FL.start[seals[s] + 1], FL.n - FL.start[seals[s] + 1]);
		snprintf(what, sizeof what, "seal at line %zu from another log", seals[s] + 1);
		judge1("seal replayed from another log", &b, &full, seals[s] + 1, seals[s] + 1, 0,
		       what);
		h = rehash(b.p, b.n);
		judge1("seal replayed from another log, chain recomputed", &h, &full, seals[s] + 1,
		       seals[s] + 1, 0, what);
		buf_free(&h);
		buf_free(&b);
	}
	/* A seal replayed at another position of the same log (chain recomputed). */
	for (size_t s = 0; s + 1 < ns; s++) {
		struct buf b = {0}, h;
		put(&b, FL.p, FL.start[seals[s + 1]]);
		put(&b, line_at(&FL, seals[s]), line_len(&FL, seals[s]));
		put(&b, FL.p + FL.start[seals[s + 1] + 1], FL.n - FL.start[seals[s + 1] + 1]);
		h = rehash(b.p, b.n);
		snprintf(what, sizeof what, "seal %zu copied over seal %zu", seals[s] + 1,
		         seals[s + 1] + 1);
		judge1("seal replayed at another position", &h, &full, seals[s + 1] + 1,
		       seals[s + 1] + 1, 0, what);
		buf_free(&h);
		buf_free(&b);
	}
	/* Events from another log at the same seq. */
	for (int t = 0; t < 20; t++) {
		size_t a = pick(1, FL.count < gl.count ? FL.count : gl.count);
		struct buf b = {0};
		if (is_type(line_at(&gl, a), line_len(&gl, a), "seal"))
			continue;
		put(&b, FL.p, FL.start[a]);
		put(&b, line_at(&gl, a), line_len(&gl, a));
		put(&b, FL.p + FL.start[a + 1], FL.n - FL.start[a + 1]);
		snprintf(what, sizeof what, "line %zu from another log", a + 1);
		judge1("record replayed from another log", &b, &full, a + 1, a + 1, 0, what);
		buf_free(&b);
	}
	/* Wrong public key: another origin, or the same origin's other key. */
	vo = full;
	vo.pk = &pubkey_other_origin;
	vo.cp = NULL;
	judge1("wrong origin", &F.file[0], &vo, 1, 1, 0, "public key of another origin");
	vo.pk = &pubkey_other_key;
	judge1("wrong key", &F.file[0], &vo, seals[0] + 1, seals[0] + 1, K(SEAL),
	       "public key of another log");
	/* Wrong checkpoint: another log's, and this log's with another size. */
	vo = full;
	vo.cp = G.cp;
	judge1("checkpoint of another log", &F.file[0], &vo, 1, FL.count, K(CHECKPOINT), "G's");
	{
		char cp[1024], origin[256];
		uint8_t root[32];
		uint64_t size;
		struct alog_error e;
		alog_checkpoint_parse(F.cp, strlen(F.cp), origin, sizeof origin, &size, root, &e);
		alog_checkpoint_text(cp, sizeof cp, origin, size - 1, root);
		vo.cp = cp;
		judge1("checkpoint with a wrong size", &F.file[0], &vo, 1, FL.count, K(CHECKPOINT),
		       "size - 1");
		alog_checkpoint_text(cp, sizeof cp, ORIGIN2, size, root);
		vo.cp = cp;
		judge1("checkpoint with a wrong origin", &F.file[0], &vo, 1, FL.count, K(CHECKPOINT),
		       "origin");
	}
	/* A seal whose size lies (chain recomputed; the signature then fails too). */
	for (size_t s = 0; s < ns; s++) {
		struct buf b = {0}, h;
		const char *l = line_at(&FL, seals[s]);
		const char *sz = memmem(l, line_len(&FL, seals[s]), "\"size\":", 7);
		put(&b, FL.p, FL.start[seals[s]]);
		put(&b, l, (size_t)(sz - l) + 7);
		put(&b, "1", 1);
		put(&b, sz + 7, line_len(&FL, seals[s]) - (size_t)(sz - l) - 7);
		put(&b, FL.p + FL.start[seals[s] + 1], FL.n - FL.start[seals[s] + 1]);
		h = rehash(b.p, b.n);
		snprintf(what, sizeof what, "seal at line %zu claims another size", seals[s] + 1);
		judge1("seal with a wrong size", &h, &full, seals[s] + 1, seals[s] + 1, 0, what);
		buf_free(&h);
		buf_free(&b);
	}

	/*
	 * The journald CVE replays, by an attacker holding the host's key now
	 * (next epoch F.key_next): (1) modify sealed records and re-seal with the
	 * current key; (2) truncate and continue with new records and a seal;
	 * (3) skip an epoch; (4) reuse an epoch's seal for other records.
	 */
	for (size_t s = 0; s < ns; s++) {
		struct buf b = {0}, h;
		size_t a = pick(seals[s] > 1 ? seals[s] - 1 : 1, seals[s]);
		int last = s == ns - 1;
		struct lines hl;
		/* (1) change record a, strip every later seal, recompute, re-seal */
		put(&b, FL.p, FL.start[a]);
		put(&b, FL.p + FL.start[a + 1], FL.start[seals[s]] - FL.start[a + 1]);
		for (size_t i = seals[s] + 1; i < FL.count; i++)
			if (!is_type(line_at(&FL, i), line_len(&FL, i), "seal"))
				put(&b, line_at(&FL, i), line_len(&FL, i));
		h = rehash(b.p, b.n);
		forge_seal(&h, F.key, (uint32_t)F.key_next);
		split(&hl, h.p, h.n);
		snprintf(what, sizeof what, "line %zu removed, re-sealed with epoch %lld", a + 1,
		         (long long)F.key_next);
		vo = full;
		vo.key_next = F.key_next + 1;
		judge1("CVE replay: re-sealed with the current key", &h, &vo, a + 1, hl.count,
		       K(CHECKPOINT) | K(SEAL), what);
		free(hl.start);
		buf_free(&h);
		buf_free(&b);

		/* (2) truncate after seal s, continue with forged events and a seal
		 * (after the last seal that is what the host itself does) */
		if (last)
			continue;
		b = with_lines(&FL, 0, seals[s] + 1);
		for (int k = 0; k < 3; k++) {
			struct alog_rec r;
			struct alog_error e;
			struct lines bl;
			struct buf fe;
			split(&bl, b.p, b.n);
			alog_rec_parse(&r, line_at(&bl, bl.count - 1), line_len(&bl, bl.count - 1), &e);
			fe = forged_event(r.seq + 1, r.ts_ns + 1, r.hash);
			put(&b, fe.p, fe.n);
			buf_free(&fe);
			free(bl.start);
		}
		forge_seal(&b, F.key, (uint32_t)F.key_next);
		snprintf(what, sizeof what, "cut after seal line %zu, continued", seals[s] + 1);
		judge1("CVE replay: truncated and continued", &b, &vo, seals[s] + 2, seals[s] + 5,
		       K(CHECKPOINT) | K(SEAL), what);
		buf_free(&b);
	}
	/* (3) an epoch skipped: a seal of the full log with epoch next + 1 */
	{
		struct buf b = dup_buf(FL.p, FL.n);
		forge_seal(&b, F.key, (uint32_t)F.key_next + 1);
		vo = full;
		vo.key_next = F.key_next + 2;
		judge1("CVE replay: epoch skipped", &b, &vo, FL.count + 1, FL.count + 1, 0,
		       "epoch next+1");
		buf_free(&b);
	}
	/* (4) an epoch reused: seal s's line (epoch s) copied to the end, chain recomputed */
	for (size_t s = 0; s < ns; s++) {
		struct buf b = dup_buf(FL.p, FL.n), h;
		put(&b, line_at(&FL, seals[s]), line_len(&FL, seals[s]));
		h = rehash(b.p, b.n);
		snprintf(what, sizeof what, "seal line %zu reused at the end", seals[s] + 1);
		judge1("CVE replay: epoch reused", &h, &full, FL.count + 1, FL.count + 1, 0, what);
		buf_free(&h);
		buf_free(&b);
	}
	/* An unsealed file presented as sealed (systemd#15425): no seal at all. */
	{
		struct buf b = {0};
		for (size_t i = 0; i < FL.count; i++)
			if (!is_type(line_at(&FL, i), line_len(&FL, i), "seal"))
				put(&b, line_at(&FL, i), line_len(&FL, i));
		struct buf h = rehash(b.p, b.n);
		vo = full;
		vo.cp = NULL;
		vo.key_next = -1;
		judge1("unsealed log with -p --require-sealed", &h, &vo, 1, h.n, K(UNSEALED), "");
		buf_free(&h);
		buf_free(&b);
	}
	free(gl.start);
	(void)cpath;
}

/* Rotation splices: drop, reorder, swap, repeat files, mix two logs. */
static void rotation_splices(void)
{
	struct buf f[MAXF + 2];
	char what[100];
	int n = R.nfiles;
	struct vopts vo = {&pubkey, R.cp, R.key_next, 1, 0};

	for (int d = 0; d < n; d++) { /* drop file d */
		int k = 0;
		struct expect x;
		for (int i = 0; i < n; i++)
			if (i != d)
				f[k++] = R.file[i];
		/* the next file's header names the gap; the last file: key state and checkpoint */
		x = (struct expect){d < n - 1 ? d : 0, 1, 1,
		                    d == n - 1 ? K(SEAL) | K(CHECKPOINT) | K(UNSEALED) : 0, 0};
		/* the oldest file gone (retention does that): the first header says so */
		if (d == 0)
			x = (struct expect){0, 1, 1, 0, 1};
		snprintf(what, sizeof what, "file %d of %d dropped", d + 1, n);
		judge("rotation: file dropped", f, k, &vo, &x, what);
	}
	for (int a = 0; a + 1 < n; a++) { /* swap adjacent files */
		/* the first file given may continue an earlier one: the second is out of place */
		struct expect x = {a ? a : 1, 1, 1, 0, 0};
		for (int i = 0; i < n; i++)
			f[i] = R.file[i];
		f[a] = R.file[a + 1];
		f[a + 1] = R.file[a];
		snprintf(what, sizeof what, "files %d and %d swapped", a + 1, a + 2);
		judge("rotation: files swapped", f, n, &vo, &x, what);
	}
	for (int a = 0; a < n; a++) { /* a file given twice */
		struct expect x = {a + 1, 1, 1, 0, 0};
		int k = 0;
		for (int i = 0; i < n; i++) {
			f[k++] = R.file[i];
			if (i == a)
				f[k++] = R.file[i];
		}
		snprintf(what, sizeof what, "file %d repeated", a + 1);
		judge("rotation: file repeated", f, k, &vo, &x, what);
	}
	for (int a = 1; a < n; a++) { /* reversed from a: files a.. in reverse order */
		struct expect x = {a, 1, 1, 0, 0};
		int k = 0;
		for (int i = 0; i < a; i++)
			f[k++] = R.file[i];
		for (int i = n - 1; i >= a; i--)
			f[k++] = R.file[i];
		if (a == n - 1)
			continue;
		snprintf(what, sizeof what, "files %d.. reversed", a + 1);
		judge("rotation: files reordered", f, k, &vo, &x, what);
	}
	/* Mixed with another rotated log of the same origin (its own key). */
	{
		static struct fixture R2;
		if (!R2.nfiles)
			build(&R2, "rot2", 600, 100, 2, 777);
		for (int a = 1; a < n && a < R2.nfiles; a++) {
			struct expect x = {a, 1, 1, 0, 0};
			for (int i = 0; i < n; i++)
				f[i] = R.file[i];
			f[a] = R2.file[a];
			snprintf(what, sizeof what, "file %d from another log", a + 1);
			judge("rotation: two logs mixed", f, n, &vo, &x, what);
		}
	}
	/* The last record of a file damaged: named in that file, not the next. */
	for (int a = 0; a < n; a++) {
		struct buf b = dup_buf(R.file[a].p, R.file[a].n);
		struct lines l;
		struct expect x = {a, 0, 0, 0, 0};
		split(&l, b.p, b.n);
		x.lo = x.hi = l.count;
		b.p[l.start[l.count - 1] + 20] ^= 1; /* inside its ts */
		for (int i = 0; i < n; i++)
			f[i] = R.file[i];
		f[a] = b;
		snprintf(what, sizeof what, "last record of file %d changed", a + 1);
		judge("rotation: last record of a file changed", f, n, &vo, &x, what);
		free(l.start);
		buf_free(&b);
	}
	/* A middle file's header spliced from the other file order (prev kept). */
	for (int a = 1; a < n; a++) {
		struct buf b = {0}, h;
		struct lines l;
		struct expect x = {a, 1, 1, 0, 0};
		split(&l, R.file[a].p, R.file[a].n);
		put(&b, R.file[a].p, l.start[1]);
		put(&b, R.file[a].p + l.start[2], R.file[a].n - l.start[2]); /* first event gone */
		h = rehash(b.p, b.n);
		for (int i = 0; i < n; i++)
			f[i] = R.file[i];
		f[a] = h;
		x.hi = seal_at_or_after(&l, 2);
		snprintf(what, sizeof what, "event 1 of file %d removed, chain recomputed", a + 1);
		judge("rotation: file rewritten", f, n, &vo, &x, what);
		free(l.start);
		buf_free(&h);
		buf_free(&b);
	}
}

/* Every single-bit flip of a sealed 20-record log. */
static void bit_flips(void)
{
	struct lines l;
	struct buf *src = &S20.file[0];
	struct vopts vo = {&pubkey, S20.cp, S20.key_next, 1, 0};
	char what[100];

	split(&l, src->p, src->n);
	for (size_t off = 0; off < src->n; off++) {
		uint64_t ln = line_of(&l, off);
		for (int bit = 0; bit < 8; bit++) {
			struct buf b = dup_buf(src->p, src->n);
			b.p[off] ^= (char)(1 << bit);
			snprintf(what, sizeof what, "offset %zu bit %d (line %llu)", off, bit,
			         (unsigned long long)ln);
			judge1("single-bit flip (exhaustive, 20 records)", &b, &vo, ln, ln, 0, what);
			buf_free(&b);
		}
	}
	free(l.start);
}

/* ---- valid logs: no false positives ---- */

static uint64_t valid_logs, valid_records, valid_files, valid_fp;

static void valid(uint64_t count)
{
	for (uint64_t i = 0; i < count; i++) {
		char log[300], key[300], paths[MAXF][300], cp[1024] = "";
		uint64_t size, done = 0;
		int nf = 0, sealed_last = 0, nseals = 0;
		struct fixture v;
		struct vopts vo;
		struct outcome o;

		/* sizes 0..10,000: most small, some at both ends */
		if (i % 8 == 0)
			size = i % 3; /* 0, 1, 2 events */
		else if (i % 50 == 49)
			size = 10000 - below(3);
		else
			size = below(below(2) ? 100 : 2000);
		snprintf(log, sizeof log, "%s/valid.alog", dir);
		snprintf(key, sizeof key, "%s/valid.key", dir);
		unlink(log);
		for (int k = 0; k < MAXF; k++) {
			snprintf(paths[k], sizeof paths[k], "%s/valid.%d.alog", dir, k);
			unlink(paths[k]);
		}
		copy_key(key);
		/* Odd seal placements: right after the header, twice in a row, at random. */
		if (size == 0 || below(4) == 0) {
			append_events(log, 0, i);
			if (below(2) == 0) {
				/* an empty log gets its header from the seal */
				seal(log, key, NULL, cp, sizeof cp);
				nseals++;
				sealed_last = 1;
			}
		}
		while (done < size) {
			uint64_t k = 1 + below(below(3) ? 50 : 2000);
			if (k > size - done)
				k = size - done;
			append_events(log, k, i * 7919 + done);
			done += k;
			sealed_last = 0;
			if (below(3)) {
				int rot = below(4) == 0 && nf < MAXF - 1;
				seal(log, key, rot ? paths[nf] : NULL, cp, sizeof cp);
				nseals++;
				sealed_last = !rot;
				if (rot)
					nf++;
				if (below(8) == 0) {
					seal(log, key, NULL, cp, sizeof cp);
					nseals++;
					sealed_last = 1;
				}
			}
		}
		if (access(log, F_OK) != 0)
			append_events(log, 0, 0); /* an empty file: nothing was ever written */
		snprintf(paths[nf++], sizeof paths[0], "%s", log);
		memset(&v, 0, sizeof v);
		load_files(&v, paths, nf);
		vo.pk = &pubkey;
		vo.cp = cp[0] && below(2) ? cp : NULL;
		vo.key_next = key_next(key);
		vo.require_sealed = sealed_last;
		vo.all = (int)below(2);
		o = verify(v.file, nf, &vo);
		valid_logs++;
		valid_files += (uint64_t)nf;
		valid_records += size;
		if (o.errors) {
			valid_fp++;
			failures++;
			fprintf(stderr, "tamper: FALSE POSITIVE: valid log %llu (%llu events, %d files, "
			        "%d seals): file %d line %llu: %s\n", (unsigned long long)i,
			        (unsigned long long)size, nf, nseals, o.file,
			        (unsigned long long)o.line, o.msg);
			if (keepdir) {
				char p[512];
				mkdir(keepdir, 0755);
				for (int k = 0; k < nf; k++) {
					snprintf(p, sizeof p, "%s/valid%llu.%d.alog", keepdir,
					         (unsigned long long)i, k);
					write_file(p, v.file[k].p, v.file[k].n);
				}
			}
		}
		/* Every continuing file also verifies on its own. */
		for (int k = 1; k < nf; k++) {
			struct vopts alone = {&pubkey, NULL, -1, 0, 0};
			o = verify(&v.file[k], 1, &alone);
			if (o.errors) {
				valid_fp++;
				failures++;
				fprintf(stderr, "tamper: FALSE POSITIVE: file %d of valid log %llu on its "
				        "own: line %llu: %s\n", k, (unsigned long long)i,
				        (unsigned long long)o.line, o.msg);
			}
		}
		for (int k = 0; k < nf; k++)
			buf_free(&v.file[k]);
	}
}

/* ---- main ---- */

static void usage(void)
{
	fprintf(stderr, "usage: tamper [-m MUTATIONS] [-v VALID_LOGS] [-s SEED] [-x] [-k DIR] "
	                "[-q]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t mutations = 2000, nvalid = 200, seed = 1, total = 0, det = 0, mis = 0, miss = 0;
	int exhaustive = 0, c;
	const char *tmp = getenv("TMPDIR");
	struct stat st;

	alog_cli_init("tamper");
	while ((c = getopt(argc, argv, "m:v:s:xk:q")) != -1) {
		switch (c) {
		case 'm':
			mutations = strtoull(optarg, NULL, 10);
			break;
		case 'v':
			nvalid = strtoull(optarg, NULL, 10);
			break;
		case 's':
			seed = strtoull(optarg, NULL, 10);
			break;
		case 'x':
			exhaustive = 1;
			break;
		case 'k':
			keepdir = optarg;
			break;
		case 'q':
			quiet = 1;
			break;
		default:
			usage();
		}
	}
	if (sodium_init() < 0)
		die("libsodium");
	rng_state = seed;
	/* Fixtures on tmpfs when there is one: sealing syncs every key file. */
	if (stat("/dev/shm", &st) == 0 && access("/dev/shm", W_OK) == 0)
		tmp = "/dev/shm";
	snprintf(dir, sizeof dir, "%s/tamper.XXXXXX", tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		die("mkdtemp: %s", strerror(errno));

	snprintf(keyfresh, sizeof keyfresh, "%s/fresh.key", dir);
	snprintf(pubfile, sizeof pubfile, "%s/other.key", dir);
	make_key(keyfresh, ORIGIN, &pubkey);
	make_key(pubfile, ORIGIN2, &pubkey_other_origin);
	make_key(pubfile, ORIGIN, &pubkey_other_key);

	build(&F, "fixture", 1000, 100, 0, 1);
	{
		/* G: another log of the same origin with its own key */
		char save[300];
		struct alog_pubkey pk;
		snprintf(save, sizeof save, "%s", keyfresh);
		snprintf(keyfresh, sizeof keyfresh, "%s/g.fresh.key", dir);
		make_key(keyfresh, ORIGIN, &pk);
		build(&G, "other", 1000, 100, 0, 99);
		snprintf(keyfresh, sizeof keyfresh, "%s", save);
	}
	build(&R, "rotated", 700, 100, 2, 5);
	build(&S20, "s20", 17, 9, 0, 3); /* header, 17 events, 2 seals: 20 records */
	split(&FL, F.file[0].p, F.file[0].n);
	full = (struct vopts){&pubkey, F.cp, F.key_next, 1, 0};

	{
		/* the fixture itself, with everything: must pass */
		struct outcome o = verify(&F.file[0], 1, &full);
		struct vopts vo = {&pubkey, R.cp, R.key_next, 1, 0};
		if (o.errors)
			die("the fixture does not verify: line %llu: %s", (unsigned long long)o.line,
			    o.msg);
		o = verify(R.file, R.nfiles, &vo);
		if (o.errors)
			die("the rotated fixture does not verify: file %d line %llu: %s", o.file,
			    (unsigned long long)o.line, o.msg);
	}

	/* Random mutations: bytes 40%, lines 30%, attacker rewrites 30%. */
	bytes_mutations(mutations * 4 / 10);
	line_mutations(mutations * 3 / 10);
	rehash_mutations(mutations - mutations * 4 / 10 - mutations * 3 / 10);
	/* Systematic ones. */
	truncations();
	seal_attacks();
	rotation_splices();
	if (exhaustive)
		bit_flips();
	valid(nvalid);

	printf("%-52s %8s %8s %9s %7s\n", "mutation class", "runs", "detected", "misplaced",
	       "missed");
	for (int i = 0; i < nclasses; i++) {
		struct klass *k = &classes[i];
		printf("%-52s %8llu %8llu %9llu %7llu\n", k->name, (unsigned long long)k->runs,
		       (unsigned long long)k->detected, (unsigned long long)k->misplaced,
		       (unsigned long long)k->missed);
		total += k->runs;
		det += k->detected;
		mis += k->misplaced;
		miss += k->missed;
	}
	printf("%-52s %8llu %8llu %9llu %7llu\n", "total", (unsigned long long)total,
	       (unsigned long long)det, (unsigned long long)mis, (unsigned long long)miss);
	printf("valid logs: %llu (%llu files, %llu events), false positives: %llu\n",
	       (unsigned long long)valid_logs, (unsigned long long)valid_files,
	       (unsigned long long)valid_records, (unsigned long long)valid_fp);

	{
		char cmd[400];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "tamper: could not remove %s\n", dir);
	}
	for (int i = 0; i < F.nfiles; i++)
		buf_free(&F.file[i]);
	return failures ? 1 : 0;
}
