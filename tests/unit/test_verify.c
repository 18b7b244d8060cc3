/*
 * test_verify.c - the verifier's three ways in agree: whole files
 * (alog_verify_file: chunks hashed ahead, by worker threads with --jobs
 * 2, Merkle subtrees built there), lines one by one (alog_verify_line, as
 * alog-grep --verify gave them) and lines hashed in batches
 * (alog_verify_lines, then alog_verify_line; hashed in the calling thread
 * or, with two jobs, by a worker).  Same problems, in the same
 * order, and the same summary (tree root included), on the fuzz corpus's
 * logs and on generated logs of a few thousand records, intact and
 * damaged in every way the verifier tells apart (a changed byte, a line
 * deleted, swapped, duplicated or inserted, a torn tail), with random
 * batch sizes and batches abandoned part way; and on lines that take
 * alog_verify_file's direct reads off their usual path (odd_lines).
 */
#include "base/enc.h"
#include "base/reader.h"
#include "base/sha256.h"
#include "format/record.h"
#include "keys/key.h"
#include "ops/verify.h"
#include "t.h"
#include "tutil.h"
#include "../fuzz/verify_input.h"

#include <sodium.h>
#include <sys/mman.h>
#include <unistd.h>

#define PUBKEY "alog1+fuzz.example/audit+64+gvzKy/7j9/BtrZwM8r0gtJZHSLMzkDuy1Ns/OyYT+Qc="

/* Every problem reported, one line of text each. */
static void on_problem(void *ctx, const struct alog_problem *p)
{
	sb_printf(ctx, "%d %d %s %llu %llu %s\n", (int)p->kind, p->warning, p->file ? p->file : "-",
	          (unsigned long long)p->line, (unsigned long long)p->seq, p->msg);
}

struct run {
	struct sb problems;
	struct alog_verify_summary s;
};

enum way { BY_FILE_1, BY_FILE_2, BY_LINE, BY_BATCH, BY_BATCH_2, NWAYS };

static void run_lines(struct alog_verifier *v, const char *p, size_t n, enum way w)
{
	const char *end = p + n, *batch_end = p;
	uint64_t lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		/* as the line reader tells them (an unended line of ALOG_MAX_LINE
		 * bytes or more is too long before it is partial) */
		int kind = !nl ? (len >= ALOG_MAX_LINE ? ALOG_LINE_TOOLONG : ALOG_LINE_PARTIAL)
		           : len > ALOG_MAX_LINE ? ALOG_LINE_TOOLONG : ALOG_LINE_OK;
		if ((w == BY_BATCH || w == BY_BATCH_2) && p >= batch_end) {
			/* a batch of 1..300 lines' worth of bytes, or of all the rest */
			size_t want = rn(4) == 0 ? (size_t)(end - p) : 1 + rn(3000) * 100;
			if (want > (size_t)(end - p))
				want = (size_t)(end - p);
			batch_end = p + alog_verify_lines(v, p, want);
		}
		if ((w == BY_BATCH || w == BY_BATCH_2) && rn(200) == 0) {
			/* the caller moved on without giving the rest of the batch */
			alog_verify_lines_drop(v);
			batch_end = p;
		}
		if (alog_verify_line(v, ++lineno, p, len, kind))
			break;
		p += len;
	}
}

static void run_way(struct run *r, const struct alog_verify_opts *o, const char *const *part,
                    const size_t *partn, int nparts, enum way w)
{
	struct alog_verify_opts oo = *o;
	struct alog_verifier *v;
	struct alog_error e;
	int rc = 0;

	memset(r, 0, sizeof *r);
	oo.jobs = w == BY_FILE_2 || w == BY_BATCH_2 ? 2 : 1;
	v = alog_verifier_new(&oo, on_problem, &r->problems);
	for (int i = 0; i < nparts && rc == 0; i++) {
		if (w == BY_FILE_1 || w == BY_FILE_2) {
			/* reported by name until alog_verifier_finish */
			static char fpath[MAX_FILES][64];
			char *path = fpath[i];
			int fd = memfd_create("log", 0);
			CHECK(fd >= 0);
			if (fd < 0)
				return;
			if (partn[i])
				CHECK(write(fd, part[i], partn[i]) == (ssize_t)partn[i]);
			snprintf(path, sizeof fpath[i], "/proc/self/fd/%d", fd);
			rc = alog_verify_file(v, path, &e);
			close(fd);
			CHECK(rc >= 0);
		} else {
			/* the name alog_verify_file reports under */
			static char name[MAX_FILES][64];
			snprintf(name[i], sizeof name[i], "/proc/self/fd/%d", 3 + i);
			alog_verify_begin(v, name[i]);
			run_lines(v, part[i], partn[i], w);
			rc = alog_verify_end(v);
		}
	}
	alog_verifier_finish(v, &r->s);
	alog_verifier_free(v);
}

static int same_summary(const struct alog_verify_summary *a, const struct alog_verify_summary *b)
{
	return a->records == b->records && a->lines == b->lines && a->first_seq == b->first_seq &&
	       a->last_seq == b->last_seq && a->have_hash == b->have_hash &&
	       memcmp(a->last_hash, b->last_hash, 32) == 0 && a->errors == b->errors &&
	       a->warnings == b->warnings && memcmp(a->by_kind, b->by_kind, sizeof a->by_kind) == 0 &&
	       a->tree_known == b->tree_known && a->tree_size == b->tree_size &&
	       (!a->tree_known || memcmp(a->tree_root, b->tree_root, 32) == 0) &&
	       a->seals == b->seals && a->seals_checked == b->seals_checked &&
	       a->unchecked_links == b->unchecked_links && a->gaps == b->gaps;
}

/* Problems as on_problem writes them, each without its file's name. */
static char *unnamed(const char *p)
{
	struct sb out = {0};

	sb_puts(&out, "");
	while (p && *p) {
		const char *nl = strchr(p, '\n'), *sp1 = strchr(p, ' '), *sp2, *sp3;
		size_t len = nl ? (size_t)(nl - p) + 1 : strlen(p);
		sp2 = sp1 ? strchr(sp1 + 1, ' ') : NULL;
		sp3 = sp2 ? strchr(sp2 + 1, ' ') : NULL;
		if (sp3 && sp3 < p + len) {
			sb_put(&out, p, (size_t)(sp2 - p) + 1);
			sb_put(&out, sp3 + 1, len - (size_t)(sp3 + 1 - p));
		} else {
			sb_put(&out, p, len);
		}
		p += len;
	}
	return out.p;
}

/*
 * The four ways on one input.  With the files given through memfds their
 * names differ from run to run, so problems are compared with the name
 * each way reports under mapped alike (see run_way).
 */
static int checked_inputs;

static void differential(const struct alog_verify_opts *o, const char *const *part,
                         const size_t *partn, int nparts)
{
	struct run r[NWAYS];

	for (int w = 0; w < NWAYS; w++)
		run_way(&r[w], o, part, partn, nparts, (enum way)w);
	checked_inputs++;
	for (int w = 1; w < NWAYS; w++) {
		int same = same_summary(&r[0].s, &r[w].s);
		CHECK(same);
		if (!same)
			fprintf(stderr, "way %d: summary differs (errors %llu vs %llu, tree %d/%llu vs "
			        "%d/%llu)\n", w, (unsigned long long)r[0].s.errors,
			        (unsigned long long)r[w].s.errors, r[0].s.tree_known,
			        (unsigned long long)r[0].s.tree_size, r[w].s.tree_known,
			        (unsigned long long)r[w].s.tree_size);
	}
	/* problems: the file ways and the line ways name files differently */
	CHECK_STR(r[1].problems.p ? r[1].problems.p : "", r[0].problems.p ? r[0].problems.p : "");
	CHECK_STR(r[3].problems.p ? r[3].problems.p : "", r[2].problems.p ? r[2].problems.p : "");
	CHECK_STR(r[4].problems.p ? r[4].problems.p : "", r[2].problems.p ? r[2].problems.p : "");
	{
		/* the same problems, of the same kinds, lines and text, but for the
		 * file's name */
		char *a = unnamed(r[0].problems.p), *b = unnamed(r[2].problems.p);
		CHECK_STR(a, b);
		free(a);
		free(b);
	}
	for (int w = 0; w < NWAYS; w++)
		free(r[w].problems.p);
}

/* ---- inputs ---- */

static struct sb gen;

/* A log of n records after its header, of varied sizes (1..9 blocks). */
static void gen_log(unsigned n)
{
	static char members[4096], line[8192];
	uint8_t prev[32] = {0}, h[32];
	size_t k, len;

	gen.n = 0;
	for (unsigned i = 0; i <= n; i++) {
		if (i == 0) {
			k = (size_t)snprintf(members, sizeof members,
			                     ",\"v\":1,\"origin\":\"fuzz.example/audit\"");
		} else {
			unsigned pad = rn(500);
			k = (size_t)snprintf(members, sizeof members, ",\"actor\":\"u%u\",\"n\":%u,\"pad\":\"",
			                     i % 7, i);
			memset(members + k, 'a' + (char)(i % 26), pad);
			k += pad;
			members[k++] = '"';
			members[k] = '\0';
		}
		len = alog_rec_format(line, i + 1, 1795843038000000000LL + (int64_t)i * 1000,
		                      i ? NULL : "open", members, k, prev, h);
		sb_put(&gen, line, len);
		memcpy(prev, h, 32);
	}
}

/* Line boundaries of buf[0..n): starts[i], and the count. */
static size_t split_lines(const char *p, size_t n, size_t *starts, size_t max)
{
	size_t c = 0;
	for (size_t i = 0; i < n && c < max; ) {
		const char *nl = memchr(p + i, '\n', n - i);
		starts[c++] = i;
		i = nl ? (size_t)(nl - p) + 1 : n;
	}
	return c;
}

/* Recompute the hash member of lines a.. (each a whole record line) over the line before. */
static void rechain(char *p, size_t n, const size_t *starts, size_t nl, size_t a)
{
	uint8_t prev[32], d[32], h[32];
	struct alog_rec r;
	struct alog_error e;
	char hex[65];

	{
		size_t pend = starts[a];
		if (alog_rec_parse(&r, p + starts[a - 1], pend - starts[a - 1], &e) != 0)
			return;
		memcpy(prev, r.hash, 32);
	}
	for (size_t i = a; i < nl; i++) {
		size_t end = i + 1 < nl ? starts[i + 1] : n, len = end - starts[i];
		char *line = p + starts[i];
		if (len < ALOG_HASH_TAIL || line[len - 1] != '\n')
			return;
		alog_rec_digest(line, len, d);
		alog_chain(h, prev, d);
		alog_hex(hex, h, 32);
		memcpy(line + len - ALOG_HASH_TAIL + 9, hex, 64);
		memcpy(prev, h, 32);
	}
}

/* One kind of damage to a copy of src (lines at starts[0..nl)). */
static void damage(struct sb *out, const char *src, size_t n, const size_t *starts, size_t nl,
                   int how)
{
	size_t a = 1 + rn((unsigned)(nl - 1)), aend = a + 1 < nl ? starts[a + 1] : n;
	size_t alen = aend - starts[a];

	out->n = 0;
	switch (how) {
	case 0: /* a changed byte */
		sb_put(out, src, n);
		out->p[starts[a] + 20 + rn((unsigned)(alen > 100 ? alen - 100 : 1))] ^= 0x01;
		break;
	case 1: /* a line deleted */
		sb_put(out, src, starts[a]);
		sb_put(out, src + aend, n - aend);
		break;
	case 2: /* two lines swapped */
		if (a + 1 >= nl) {
			sb_put(out, src, n);
			break;
		}
		{
			size_t bend = a + 2 < nl ? starts[a + 2] : n;
			sb_put(out, src, starts[a]);
			sb_put(out, src + aend, bend - aend);
			sb_put(out, src + starts[a], alen);
			sb_put(out, src + bend, n - bend);
		}
		break;
	case 3: /* a line duplicated */
		sb_put(out, src, aend);
		sb_put(out, src + starts[a], alen);
		sb_put(out, src + aend, n - aend);
		break;
	case 4: /* a line from elsewhere inserted */
		sb_put(out, src, aend);
		{
			size_t b = 1 + rn((unsigned)(nl - 1)), bend = b + 1 < nl ? starts[b + 1] : n;
			sb_put(out, src + starts[b], bend - starts[b]);
		}
		sb_put(out, src + aend, n - aend);
		break;
	case 5: /* a torn tail */
		sb_put(out, src, n - 1 - rn(50));
		break;
	case 6: /* a record changed and the chain recomputed from there on (a rewrite
		 * that only the tree and the seals show) */
		sb_put(out, src, n);
		out->p[starts[a] + 20 + rn((unsigned)(alen > 100 ? alen - 100 : 1))] ^= 0x01;
		rechain(out->p, out->n, starts, nl, a);
		break;
	default: /* a line that is not a record */
		sb_put(out, src, starts[a]);
		sb_puts(out, "{\"not\":\"a record\"}\n");
		sb_put(out, src + starts[a], n - starts[a]);
		break;
	}
}

static void generated(void)
{
	static size_t starts[20000];
	struct sb bad = {0};
	struct alog_verify_opts o;

	memset(&o, 0, sizeof o);
	o.key_next = -1;
	o.now_ns = 1;
	/* sizes around the verifier's chunks (512 KiB, ~1700 of these records) */
	for (unsigned n = 0; n < 6000; n += 1 + rn(1500)) {
		const char *part[1];
		size_t partn[1], nl;
		gen_log(n);
		part[0] = gen.p;
		partn[0] = gen.n;
		for (int all = 0; all < 2; all++) {
			o.all = all;
			differential(&o, part, partn, 1);
		}
		nl = split_lines(gen.p, gen.n, starts, 20000);
		if (nl < 3)
			continue;
		for (int how = 0; how < 8; how++) {
			damage(&bad, gen.p, gen.n, starts, nl, how);
			part[0] = bad.p;
			partn[0] = bad.n;
			o.all = rn(2);
			differential(&o, part, partn, 1);
		}
		/* the same log as two files, cut at a record: the second is no
		 * continuation (no header), which every way reports alike */
		{
			const char *p2[2] = {gen.p, gen.p + starts[nl / 2]};
			size_t n2[2] = {starts[nl / 2], gen.n - starts[nl / 2]};
			o.all = 1;
			differential(&o, p2, n2, 2);
		}
	}
	free(bad.p);
}

/* The fuzz corpus's logs (tests/fuzz/corpus/verify): flags byte, then files split at 0x1e. */
static void corpus(void)
{
	static const char *const names[] = {"continued-keystate", "empty", "fragment", "rotated-p",
	                                    "sealed", "sealed-p", "strict-all"};
	static struct alog_pubkey pk;
	struct alog_error e;

	CHECK(alog_pubkey_parse(&pk, PUBKEY, strlen(PUBKEY), &e) == 0);
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		char path[256];
		static char data[1 << 16];
		FILE *f;
		size_t size;
		snprintf(path, sizeof path, "tests/fuzz/corpus/verify/%s", names[i]);
		f = fopen(path, "rb");
		CHECK(f != NULL);
		if (!f)
			continue;
		size = fread(data, 1, sizeof data, f);
		fclose(f);
		if (size < 1)
			continue;
		for (int pass = 0; pass < 5; pass++) {
			const char *part[MAX_FILES];
			size_t partn[MAX_FILES];
			struct alog_verify_opts o;
			struct sb bad = {0};
			int nparts = verify_input_split(data + 1, size - 1, part, partn);
			if (pass > 0 && partn[0] > 2) {
				/* damage the first file: a changed byte, or a line deleted */
				static size_t starts[4096];
				size_t nl = split_lines(part[0], partn[0], starts, 4096);
				if (nl >= 3) {
					static const int how[5] = {0, 0, 1, 6, 6};
					damage(&bad, part[0], partn[0], starts, nl, how[pass]);
					part[0] = bad.p;
					partn[0] = bad.n;
				}
			}
			verify_input_opts(&o, (unsigned char)data[0], &pk);
			differential(&o, part, partn, nparts);
			free(bad.p);
		}
	}
}

/*
 * Lines that take alog_verify_file's direct reads (whole lines read
 * straight into the chunks, found by the workers) off their usual path:
 * more lines in a chunk than it has items for, a line longer than a
 * chunk, one longer than ALOG_MAX_LINE in the middle (the line reader
 * takes over there) and at the end without a LF.
 */
static void odd_lines(void)
{
	static size_t starts[20000];
	struct sb in = {0};
	struct alog_verify_opts o;
	size_t nl;

	memset(&o, 0, sizeof o);
	o.key_next = -1;
	o.now_ns = 1;
	gen_log(3000);
	nl = split_lines(gen.p, gen.n, starts, 20000);
	for (int how = 0; how < 5; how++) {
		size_t cut = starts[nl / 2], big = how == 1   ? 600 * 1024
		                                 : how == 2 ? ALOG_MAX_LINE + 5000
		                                 : how == 3 ? ALOG_MAX_LINE + 1
		                                            : ALOG_MAX_LINE - 1;
		const char *part[1];
		size_t partn[1];
		in.n = 0;
		sb_put(&in, gen.p, cut);
		if (how == 0) {
			for (int i = 0; i < 30000; i++)
				sb_puts(&in, i % 3 ? "\n" : "x\n");
		} else {
			for (size_t i = 0; i + 1 < big; i++)
				sb_put(&in, "y", 1);
			sb_put(&in, "\n", 1);
		}
		if (how == 4) {
			/* a torn line of ALOG_MAX_LINE bytes and more at the end */
			in.n = cut;
			for (size_t i = 0; i < ALOG_MAX_LINE + 7; i++)
				sb_put(&in, "z", 1);
		} else {
			sb_put(&in, gen.p + cut, gen.n - cut);
		}
		part[0] = in.p;
		partn[0] = in.n;
		o.all = 1;
		differential(&o, part, partn, 1);
	}
	free(in.p);
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	alog_sha256_setup();
	corpus();
	odd_lines();
	generated();
	printf("test_verify: %d inputs\n", checked_inputs);
	return t_done("test_verify");
}
