/*
 * grep.c - the alog-grep engine.  Input is read in large blocks; without
 * context, -v or --verify the query's literal is searched across the
 * whole block and only lines around a hit are looked at (the way ripgrep
 * works), otherwise every line goes through the verifier and the matcher.
 * With --verify, output is held back until the verifier has accepted the
 * records it shows (with -p: until a seal covering them has checked), so a
 * tampered region is reported and never shown.
 */
#include "grep/grep.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/find.h"
#include "base/json.h"
#include "base/reader.h"
#include "base/term.h"
#include "base/ts.h"
#include "format/header.h"
#include "format/record.h"
#include "log/writer.h"
#include "ops/proof.h"
#include "ops/verify.h"

#define CHUNK (512u << 10)         /* bytes per read */
#define OUT_FLUSH (256u << 10)     /* write output in blocks this large */
#define HOLD_MEM (256u << 10)      /* held output beyond this goes to a temp file */
#define BACK_BLOCK (64u << 10)     /* the temp file is read back in blocks this large */
#define PROBE_WIN (16u << 10)      /* bytes read per binary search probe */
#define BACK_FIRST (64u << 10)     /* -n: the first block read from a file's end */
#define READ_FIRST (64u << 10)     /* the first read of an input (then doubling to CHUNK) */
#define MAX_WARN 5                 /* bad lines reported per input */
#define FOLLOW_POLL_NS 100000000L  /* --follow: look for more every 0.1 s */
#define TUNE_SAMPLE (1u << 20)     /* input sampled to choose the literals searched */
#define HEADER_MARK ",\"type\":\"open\""  /* in every header record's first 80 bytes */

enum { GO_ON = 0, STOP_INPUT = 1, STOP_ALL = 2 };

#define NOWHERE UINT64_MAX /* report_at: about the input as a whole */

/* ---- output, held back under --verify ---- */

struct mark {
	uint64_t pos, seq, selected;
};

struct out {
	int fd, hold, failed;
	const char *failed_held; /* what failed, when it was the temp file, not the output */
	int failed_part;          /* the read-back failed after part of its bytes went out */
	uint64_t lines;           /* --verify: the lines written out so far */
	struct alog_buf mem;      /* stream bytes [mem_start, hpos) */
	uint64_t mem_start, wpos, hpos;
	FILE *spill;              /* stream bytes [spill_base, spill_end) */
	uint64_t spill_base, spill_end;
	char *back;               /* the read-back's block and the line it carries over */
	struct mark *marks;
	size_t nmarks, capmarks;
	uint64_t committed_selected;
};

static uint64_t count_nl(const char *p, size_t n);

static void out_write(struct out *o, const char *p, size_t n)
{
	if (o->failed || !n)
		return;
	if (alog_write_all(o->fd, p, n) != 0)
		o->failed = errno ? errno : EIO;
	else if (o->hold)
		o->lines += count_nl(p, n); /* a read-back failing part way says where */
}

/*
 * The temp file is read and written through its descriptor, never through
 * stdio: each call is a whole block anyway, and a failed one is seen at
 * once (and by the fault harness, which stdio's own calls escape).
 */
static void out_spill(struct out *o)
{
	int fd;

	if (o->failed)
		return; /* nothing more is shown */
	if (!o->spill) {
		o->spill = tmpfile();
		if (!o->spill) {
			/* no temporary file: keep holding in memory */
			return;
		}
	}
	/* an empty file takes up the stream where memory holds it from */
	if (o->spill_end == o->spill_base)
		o->spill_base = o->spill_end = o->mem_start;
	fd = fileno(o->spill);
	if (lseek(fd, (off_t)(o->spill_end - o->spill_base), SEEK_SET) < 0 ||
	    alog_write_all(fd, o->mem.p, o->mem.n) != 0) {
		o->failed = errno ? errno : EIO;
		o->failed_held = "cannot write to the temporary file holding the output back";
		return;
	}
	o->spill_end += o->mem.n;
	o->mem_start += o->mem.n;
	o->mem.n = 0;
}

static void out_put(struct out *o, const void *p, size_t n)
{
	alog_buf_add(&o->mem, p, n);
	o->hpos += n;
	if (!o->hold) {
		if (o->mem.n >= OUT_FLUSH) {
			out_write(o, o->mem.p, o->mem.n);
			o->mem_start += o->mem.n;
			o->wpos = o->hpos;
			o->mem.n = 0;
		}
	} else if (o->mem.n >= HOLD_MEM &&
	           (o->mem_start == o->spill_end || o->spill_end == o->spill_base)) {
		/* memory holds the stream's end: it goes on in the file */
		out_spill(o);
	}
}

/*
 * Write the held stream up to position p (a line boundary).  What is read
 * back from the temp file goes out up to the last LF of each block, the
 * rest carried over to the next: when a read-back fails part way, the
 * output shown ends with a whole line.  A line longer than the carry can
 * hold (ALOG_MAX_LINE: no record is longer) goes out as it is.
 */
static void out_commit(struct out *o, uint64_t p)
{
	size_t carry = 0;
	int shown = 0;

	if (o->failed)
		return; /* nothing more is shown */
	if (o->wpos < p && o->wpos < o->spill_end && !o->back)
		o->back = alog_xmalloc(ALOG_MAX_LINE + BACK_BLOCK);
	while (!o->failed && o->wpos < p && o->wpos < o->spill_end) {
		uint64_t k = (p < o->spill_end ? p : o->spill_end) - o->wpos;
		const char *lf;
		size_t n, cut;
		ssize_t got;
		if (k > BACK_BLOCK)
			k = BACK_BLOCK;
		if (carry > ALOG_MAX_LINE) {
			out_write(o, o->back, carry);
			shown = 1;
			carry = 0;
		}
		errno = 0;
		got = alog_pread_all(fileno(o->spill), o->back + carry, (size_t)k,
		                     (off_t)(o->wpos - o->spill_base));
		if (got != (ssize_t)k) {
			o->failed = got < 0 && errno ? errno : EIO;
			o->failed_held = "cannot read back the temporary file holding the output back";
			o->failed_part = shown;
			return;
		}
		o->wpos += (uint64_t)got;
		n = carry + (size_t)got;
		lf = memrchr(o->back, '\n', n);
		cut = lf ? (size_t)(lf - o->back) + 1 : 0;
		if (cut) {
			out_write(o, o->back, cut);
			shown = 1;
		}
		carry = n - cut;
		memmove(o->back, o->back + cut, carry);
	}
	/* the file's part ends at p, or where memory takes the stream up */
	out_write(o, o->back, carry);
	if (o->spill && o->wpos == o->spill_end && o->spill_end > o->spill_base) {
		if (ftruncate(fileno(o->spill), 0) != 0) {
			o->failed = errno;
			o->failed_held = "cannot empty the temporary file holding the output back";
		}
		o->spill_base = o->spill_end;
	}
	if (o->wpos < p) {
		size_t k = (size_t)(p - o->wpos), at = (size_t)(o->wpos - o->mem_start);
		out_write(o, o->mem.p + at, k);
		o->wpos = p;
		at += k;
		memmove(o->mem.p, o->mem.p + at, o->mem.n - at);
		o->mem.n -= at;
		o->mem_start += at;
	}
}

static void out_mark(struct out *o, uint64_t seq, uint64_t selected)
{
	if (o->nmarks == o->capmarks) {
		o->capmarks = o->capmarks ? 2 * o->capmarks : 16;
		o->marks = alog_xrealloc(o->marks, o->capmarks * sizeof *o->marks);
	}
	o->marks[o->nmarks++] = (struct mark){o->hpos, seq, selected};
}

/* Release what records up to seq produced. */
static void out_commit_seq(struct out *o, uint64_t seq)
{
	size_t i = 0;

	while (i < o->nmarks && o->marks[i].seq <= seq)
		i++;
	if (!i)
		return;
	out_commit(o, o->marks[i - 1].pos);
	o->committed_selected = o->marks[i - 1].selected;
	memmove(o->marks, o->marks + i, (o->nmarks - i) * sizeof *o->marks);
	o->nmarks -= i;
}

static void out_flush(struct out *o)
{
	if (o->hold)
		return;
	out_write(o, o->mem.p, o->mem.n);
	o->mem_start += o->mem.n;
	o->wpos = o->hpos;
	o->mem.n = 0;
}

static void out_discard(struct out *o)
{
	o->mem.n = 0;
	o->nmarks = 0;
	o->mem_start = o->wpos = o->hpos;
	o->spill_base = o->spill_end = o->hpos;
	if (o->spill && ftruncate(fileno(o->spill), 0) != 0 && !o->failed) {
		o->failed = errno;
		o->failed_held = "cannot empty the temporary file holding the output back";
	}
}

static void out_close(struct out *o)
{
	alog_buf_free(&o->mem);
	free(o->marks);
	free(o->back);
	if (o->spill)
		fclose(o->spill);
}

/* ---- input ---- */

struct src {
	int fd, own, regular, eof, locked, skipping;
	const char *path; /* NULL: standard input */
	char *buf;
	size_t cap, start, end;
	size_t rsize;   /* bytes per read: from READ_FIRST, doubling up to CHUNK */
	uint64_t base;  /* file offset of buf[0] */
	uint64_t limit; /* read no further (UINT64_MAX: to the end) */
	dev_t dev;
	ino_t ino;
};

/* 1 read something, 0 end of input (or limit), -1 error (errno). */
static int src_fill(struct src *s)
{
	ssize_t n;
	size_t room;

	/* what is left is at most a line: the same pages take each read */
	if (s->start > 0) {
		memmove(s->buf, s->buf + s->start, s->end - s->start);
		s->base += s->start;
		s->end -= s->start;
		s->start = 0;
	}
	room = s->cap - s->end;
	if (room > s->rsize)
		room = s->rsize;
	if (s->limit != UINT64_MAX) {
		uint64_t left = s->limit > s->base + s->end ? s->limit - (s->base + s->end) : 0;
		if (left < room)
			room = (size_t)left;
	}
	if (room == 0) {
		s->eof = 1;
		return 0;
	}
	do
		n = read(s->fd, s->buf + s->end, room);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -1;
	if (n == 0) {
		s->eof = 1;
		return 0;
	}
	s->end += (size_t)n;
	if (s->rsize < CHUNK)
		s->rsize = s->rsize < CHUNK / 2 ? 2 * s->rsize : CHUNK;
	return 1;
}

/* ---- finding a time in a seekable file ---- */

struct win {
	int fd;
	uint64_t size;
	char *buf;
	size_t cap, len;
	uint64_t off;
};

/*
 * Bytes of the file from off on: at least want of them unless the file
 * ends first; from the window when it holds them, otherwise read there
 * (PROBE_WIN bytes, or want when that is more).
 */
static const char *win_get(struct win *w, uint64_t off, size_t want, size_t *got)
{
	uint64_t avail = off < w->size ? w->size - off : 0;
	size_t n;
	ssize_t r;

	if (want > w->cap)
		want = w->cap;
	if (want > avail)
		want = (size_t)avail;
	if (off >= w->off && off + want <= w->off + w->len) {
		*got = (size_t)(w->off + w->len - off);
		return w->buf + (off - w->off);
	}
	n = want > PROBE_WIN ? want : PROBE_WIN;
	if (n > avail)
		n = (size_t)avail;
	r = alog_pread_all(w->fd, w->buf, n, (off_t)off);
	if (r < 0)
		return NULL;
	w->off = off;
	w->len = (size_t)r;
	*got = w->len;
	return w->buf;
}

/* The ts of a record line, read from its fixed place; 0 or -1. */
static int line_ts(const char *p, size_t len, int64_t *ts)
{
	size_t i = ALOG_SEQ_PREFIX_LEN;

	if (len < i + 40 || memcmp(p, "{\"seq\":", i) != 0)
		return -1;
	while (i < len && i < 30 && p[i] >= '0' && p[i] <= '9')
		i++;
	if (len - i < 7 + ALOG_TS_LEN + 1 || memcmp(p + i, ",\"ts\":\"", 7) != 0)
		return -1;
	return alog_ts_parse_record(p + i + 7, ALOG_TS_LEN, ts);
}

/*
 * seq, ts and type from their fixed places, for a line whose shape the
 * verifier has already checked (alog_rec_parse would check it twice).
 */
static int light_parse(const char *p, size_t len, struct alog_rec *r)
{
	static const char seal[] = ",\"type\":\"seal\"", open[] = ",\"type\":\"open\"";
	size_t i = ALOG_SEQ_PREFIX_LEN, t;
	uint64_t seq = 0;

	if (line_ts(p, len, &r->ts_ns) != 0)
		return -1;
	while (p[i] >= '0' && p[i] <= '9')
		seq = seq * 10 + (uint64_t)(p[i++] - '0');
	t = i + 7 + ALOG_TS_LEN + 1;
	r->seq = seq;
	r->type = ALOG_REC_EVENT;
	if (len - t > sizeof seal && memcmp(p + t, seal, sizeof seal - 1) == 0)
		r->type = ALOG_REC_SEAL;
	else if (len - t > sizeof open && memcmp(p + t, open, sizeof open - 1) == 0)
		r->type = ALOG_REC_OPEN;
	return 0;
}

/*
 * The first record line starting at or after from (and before hi), with
 * its length and ts.  1 found, 0 none, -1 read error.
 */
static int probe(struct win *w, uint64_t first, uint64_t from, uint64_t hi, uint64_t *s,
                 size_t *len, int64_t *ts)
{
	const char *d, *nl;
	size_t got;
	uint64_t p = from;

	if (p > first) {
		/* the line starts after the first LF at or after p - 1 */
		for (p--;; p += got) {
			if (p >= hi)
				return 0;
			if (!(d = win_get(w, p, 1, &got)))
				return -1;
			if (!got)
				return 0;
			if ((nl = memchr(d, '\n', got))) {
				p += (uint64_t)(nl - d) + 1;
				break;
			}
		}
	}
	while (p < hi) {
		/* what the window holds, then a fresh window, then the longest line */
		if (!(d = win_get(w, p, 1, &got)))
			return -1;
		if (!(nl = memchr(d, '\n', got))) {
			if (!(d = win_get(w, p, got + 1, &got)))
				return -1;
			if (!(nl = memchr(d, '\n', got))) {
				if (!(d = win_get(w, p, ALOG_MAX_LINE, &got)))
					return -1;
				if (!(nl = memchr(d, '\n', got)))
					return 0;
			}
		}
		*len = (size_t)(nl - d) + 1;
		if (line_ts(d, *len, ts) == 0) {
			*s = p;
			return 1;
		}
		p += *len;
	}
	return 0;
}

/*
 * The offset of the first record at or after lo whose ts is t or later,
 * in a file whose header promises time order (hi when there is none).
 * 0 or -1.
 */
static int ts_seek(struct win *w, uint64_t first, uint64_t lo, uint64_t hi, int64_t t,
                   uint64_t *off)
{
	uint64_t L = lo, H = hi, s;
	size_t len;
	int64_t ts;
	int r;

	while (H - L > PROBE_WIN) {
		uint64_t mid = L + (H - L) / 2;
		r = probe(w, first, mid, H, &s, &len, &ts);
		if (r < 0)
			return -1;
		if (r == 0 || ts >= t)
			H = mid;
		else
			L = s + len;
	}
	for (;;) {
		r = probe(w, first, L, hi, &s, &len, &ts);
		if (r < 0)
			return -1;
		if (r == 0) {
			*off = hi;
			return 0;
		}
		if (ts >= t) {
			*off = s;
			return 0;
		}
		L = s + len;
	}
}

/* ---- the engine ---- */

struct ctxline {
	struct alog_buf b;
	uint64_t idx;
};

struct grep {
	const struct alog_grep_opts *o;
	struct alog_grep_result *res;
	struct alog_query *q;
	struct out out;
	struct alog_buf line, tmp;
	struct alog_buf rev; /* a line with its protected values opened or hidden */
	struct alog_finder enc; /* ALOG_ENC_MARK */
	struct alog_finder hdr; /* HEADER_MARK, when a key is given */
	struct src s;
	int fast, tuned;
	int headers; /* the fast search stops at header records too (a key opens values) */
	int plain_region; /* the lines process() is giving hold no protected value */

	/* the current input */
	const char *name;
	/*
	 * Lines before offset nl_off.  The literal search does not count
	 * the lines it skips: line_no() counts them when a report needs a
	 * number (reading back what left the buffer), and process() before a
	 * buffer of standard input or a pipe is dropped.
	 */
	uint64_t lineno, nl_off;
	int lines_known;  /* 0 after a seek: line numbers are unknown */
	uint64_t matches, warned, idx;
	unsigned after_left;
	int max_reached, stop;
	struct ctxline *ring;
	size_t rhead, rn;
	uint64_t input_no;
	int ordered;   /* its header promises ts in order */
	uint64_t skip_to; /* -n: start reading it here */
	int following; /* it is the input followed */

	/* -n: the last selected records' output, released when reading catches up */
	struct alog_buf *tailring, *cap, discard;
	size_t tail_head, tail_count;
	int tailing;

	/* -c over several inputs */
	uint64_t total;
	size_t ninputs;

	/* query terms on members no record read has (a typo) */
	struct alog_finder *need;
	char **need_name;
	unsigned char *seen;
	size_t nneed;
	int read_any;
	int read_failed; /* --verify: reading an input failed, and the search stopped there */

	/* context separators */
	int emitted_any;
	uint64_t last_idx, last_input;

	/* --verify */
	struct alog_verifier *v;
	uint64_t threshold, last_selected_seq;
	int stopped_early;          /* -q ended the reading before the end of the log */
	uint64_t accepted;          /* last record the verifier accepted */
	uint64_t last_rec_seq, last_rec_pos; /* the newest record, where its output starts */
	int last_rec_held;                   /* the verifier holds it (a link that did not check) */
};

static void report_at(struct grep *g, uint64_t ln, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/*
 * "NAME:LINE: message" ("NAME: at byte N:" when line numbers are unknown,
 * "NAME:" for off NOWHERE, no name when there is none) to o->report,
 * everything neutralised: names and messages can carry log bytes.
 */
static void report_at(struct grep *g, uint64_t ln, uint64_t off, const char *fmt, ...)
{
	char msg[600], where[64];
	struct alog_buf b = {0};
	va_list ap;

	if (!g->o->report)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	alog_buf_reserve(&b, 1);
	if (g->name) {
		alog_buf_clean(&b, g->name, strlen(g->name), 0);
		if (ln)
			snprintf(where, sizeof where, ":%llu: ", (unsigned long long)ln);
		else if (off != NOWHERE)
			snprintf(where, sizeof where, ": at byte %llu: ", (unsigned long long)off);
		else
			snprintf(where, sizeof where, ": ");
		alog_buf_str(&b, where);
	}
	alog_buf_clean(&b, msg, strlen(msg), 0);
	g->o->report(g->o->report_ctx, b.p, b.n);
	alog_buf_free(&b);
}

static void bad_line(struct grep *g, uint64_t ln, uint64_t off, const char *why)
{
	g->res->errors++;
	if (g->warned++ < MAX_WARN)
		report_at(g, ln, off, "not a record (%s); skipped", why);
}

static void on_problem(void *ctx, const struct alog_problem *p)
{
	struct grep *g = ctx;
	const char *saved = g->name;

	if (p->kind == ALOG_P_NOTE)
		return;
	g->name = p->file;
	report_at(g, p->line, NOWHERE, "%s%s", p->warning ? "warning: " : "", p->msg);
	g->name = saved;
}

/* Name prefix for pretty and fields lines. */
static void put_prefix(struct grep *g, struct alog_buf *b, char sep)
{
	const struct alog_grep_opts *o = g->o;

	if (!o->with_filename || o->format == ALOG_GREP_RAW)
		return;
	if (o->color)
		alog_buf_str(b, ALOG_SGR_FILE);
	alog_buf_clean(b, g->name, strlen(g->name), 0);
	if (o->color)
		alog_buf_str(b, ALOG_SGR_SEP);
	if (o->format == ALOG_GREP_FIELDS)
		alog_buf_add(b, "\t", 1);
	else
		alog_buf_add(b, &sep, 1);
	if (o->color)
		alog_buf_str(b, ALOG_SGR_RESET);
}

static int has_protected(const struct grep *g, const char *p, size_t n)
{
	return g->o->unprotect && alog_find(&g->enc, p, n);
}

/*
 * The line p[0..len) (LF included) with every protected value opened
 * (with a key that can) or replaced by a placeholder, into g->rev, LF
 * included.  0, or -1 with e set when the line is not JSON.
 */
static int reveal(struct grep *g, const char *p, size_t len, struct alog_error *e)
{
	return alog_unprotect_reveal_line(g->o->unprotect, p, len, &g->rev, NULL, e);
}

/* Output of emit: into the -n slot being filled, or the output stream. */
static void put(struct grep *g, const void *p, size_t n)
{
	if (g->cap)
		alog_buf_add(g->cap, p, n);
	else
		out_put(&g->out, p, n);
}

/* Print one record line (LF included): matched (':') or context ('-'). */
static void emit(struct grep *g, const char *p, size_t len, uint64_t idx, char sep, int hit)
{
	const struct alog_grep_opts *o = g->o;
	struct alog_buf *b = &g->line;
	struct alog_rec r;

	if ((o->before || o->after) && o->format == ALOG_GREP_PRETTY && g->emitted_any &&
	    !(g->last_input == g->input_no && idx == g->last_idx + 1)) {
		if (o->color)
			put(g, ALOG_SGR_SEP "--" ALOG_SGR_RESET "\n",
			        sizeof ALOG_SGR_SEP + sizeof ALOG_SGR_RESET + 1);
		else
			put(g, "--\n", 3);
	}
	g->emitted_any = 1;
	g->last_input = g->input_no;
	g->last_idx = idx;

	/* raw lines stay as stored unless a key was given to open them */
	if ((o->format != ALOG_GREP_RAW || o->decrypt) && has_protected(g, p, len)) {
		struct alog_error e;
		if (reveal(g, p, len, &e) == 0) {
			p = g->rev.p;
			len = g->rev.n;
		}
	}
	if (o->format == ALOG_GREP_RAW) {
		if (!o->clean) {
			put(g, p, len);
			return;
		}
		b->n = 0;
		alog_buf_clean(b, p, len - 1, 0);
		alog_buf_add(b, "\n", 1);
		put(g, b->p, b->n);
		return;
	}
	if (alog_rec_parse(&r, p, len, NULL) != 0)
		return;
	b->n = 0;
	put_prefix(g, b, sep);
	if (o->format == ALOG_GREP_PRETTY)
		alog_render_pretty_with(b, &g->tmp, &r, hit ? g->q : NULL, o->color,
		                        (o->utc ? ALOG_RENDER_UTC : 0) |
		                                (o->verbose ? ALOG_RENDER_VERBOSE : 0));
	else
		alog_render_fields(b, &g->tmp, &r, o->fields);
	alog_buf_add(b, "\n", 1);
	put(g, b->p, b->n);
}

static void ring_push(struct grep *g, const char *p, size_t len)
{
	struct ctxline *c;

	if (g->rn < g->o->before) {
		c = &g->ring[(g->rhead + g->rn) % g->o->before];
		g->rn++;
	} else {
		c = &g->ring[g->rhead];
		g->rhead = (g->rhead + 1) % g->o->before;
	}
	c->b.n = 0;
	alog_buf_add(&c->b, p, len);
	c->idx = g->idx;
}

static void ring_flush(struct grep *g)
{
	for (; g->rn; g->rn--) {
		struct ctxline *c = &g->ring[g->rhead];
		emit(g, c->b.p, c->b.n, c->idx, '-', 0);
		g->rhead = (g->rhead + 1) % g->o->before;
	}
	g->rhead = 0;
}

/* -n: the slot for the next selected record (the oldest one goes). */
static struct alog_buf *tail_slot(struct grep *g)
{
	struct alog_buf *b;

	if (!g->o->tail) {
		g->discard.n = 0;
		return &g->discard;
	}
	if (g->tail_count < g->o->tail) {
		b = &g->tailring[(g->tail_head + g->tail_count) % g->o->tail];
		g->tail_count++;
	} else {
		b = &g->tailring[g->tail_head];
		g->tail_head = (g->tail_head + 1) % g->o->tail;
	}
	b->n = 0;
	return b;
}

/* -n: reading has caught up: the last records selected go out, in order. */
static void tail_release(struct grep *g)
{
	if (!g->tailing)
		return;
	for (size_t i = 0; i < g->tail_count; i++) {
		struct alog_buf *b = &g->tailring[(g->tail_head + i) % g->o->tail];
		out_put(&g->out, b->p, b->n);
	}
	g->tailing = 0;
}

/* Has the verifier vouched for everything selected so far? */
static int covered(const struct grep *g)
{
	return !g->v || g->threshold >= g->last_selected_seq;
}

/*
 * Ask to stop.  Under --verify, reading goes on until a seal covers what
 * was selected, and an input is always read to its end (matching stops),
 * so that the next file can be checked as its continuation.
 */
static int stop(struct grep *g, int how)
{
	if (how > g->stop)
		g->stop = how;
	if (g->v && g->stop == STOP_INPUT)
		return GO_ON;
	if (!covered(g))
		return GO_ON;
	/* under --verify only -q stops it all: the rest of the log is not read */
	if (g->v && g->stop == STOP_ALL)
		g->stopped_early = 1;
	return g->stop;
}

static void put_name_line(struct grep *g, const char *suffix)
{
	struct alog_buf *b = &g->line;

	b->n = 0;
	if (g->o->clean)
		alog_buf_clean(b, g->name, strlen(g->name), 0);
	else
		alog_buf_str(b, g->name);
	alog_buf_str(b, suffix);
	out_put(&g->out, b->p, b->n);
}

/*
 * After the verifier took a line: release what a seal now vouches for
 * (its root matched the records before it; with -p its signature too).
 * Until then a rewrite that recomputed the chain cannot be told from the
 * real log.
 */
static void verified(struct grep *g, const struct alog_rec *r)
{
	uint64_t sealed;

	if (r && r->type == ALOG_REC_SEAL)
		out_mark(&g->out, r->seq - 1, g->res->selected);
	alog_verifier_progress(g->v, &g->accepted, &sealed);
	out_commit_seq(&g->out, sealed);
	/* following a live log, the chain is what there is between seals */
	g->threshold = g->o->follow && g->accepted > sealed ? g->accepted : sealed;
	if (r) {
		g->last_rec_seq = r->seq;
		g->last_rec_pos = g->out.hpos;
		g->last_rec_held = alog_verifier_holding(g->v);
	}
}

/* --follow --verify, waiting: show what the chain has accepted so far. */
static void verify_wait(struct grep *g)
{
	if (!g->v)
		return;
	/*
	 * the newest record's output waits for the next record when the
	 * verifier holds it: a replayed or out-of-place one has a seq the
	 * chain has already passed
	 */
	out_commit(&g->out, g->accepted >= g->last_rec_seq && !g->last_rec_held ? g->out.hpos
	                                                                        : g->last_rec_pos);
	g->out.nmarks = 0;
}

/*
 * A header record: the origin it names is the log whose values a key
 * opens (a value sealed for another log does not).
 */
static void note_header(struct grep *g, const char *p, size_t len)
{
	struct alog_rec r;
	struct alog_header h;
	struct alog_error e;

	if (alog_rec_parse(&r, p, len, &e) == 0 && r.type == ALOG_REC_OPEN &&
	    alog_header_parse(&r, &h, &e) == 0)
		alog_unprotect_set_origin(g->o->unprotect, h.origin);
}

/*
 * A line holding protected values, before the query looks at it: opened
 * or hidden into g->rev.  Every member a term names must be readable: a
 * protected value that no key here opens (or that does not open where it
 * is) is reported, and the record is neither selected nor left out (1):
 * the query cannot tell whether it matches, and the search goes on.
 * -1: the line is not JSON (reported); 0: go on with g->rev.
 */
static int open_terms(struct grep *g, uint64_t ln, uint64_t off, const char *p, size_t len)
{
	struct alog_unprotect *u = g->o->unprotect;
	struct alog_error e;
	const char *const *path;
	size_t depth;

	alog_error_clear(&e);
	if (reveal(g, p, len, &e) != 0) {
		bad_line(g, ln, off, e.msg);
		return -1;
	}
	for (size_t i = 0; alog_query_path(g->q, i, &path, &depth); i++) {
		struct alog_span v;
		int r = alog_unprotect_lookup(u, p, len - 1, path, depth, &v, &e);
		if (r == ALOG_UNPROTECT_CLOSED || r < 0) {
			g->res->errors++;
			g->res->protected_term = 1;
			if (g->warned++ >= MAX_WARN)
				return 1;
			if (r == ALOG_UNPROTECT_CLOSED && !g->o->decrypt)
				report_at(g, ln, off, "cannot search: %s: give one with --decrypt; "
				                      "record skipped", e.msg);
			else
				report_at(g, ln, off, "cannot search: %s; record skipped", e.msg);
			return 1;
		}
	}
	return 0;
}

/*
 * The number of the line at offset off of the input (1 for the first),
 * or 0 when line numbers are unknown.  Newlines from nl_off on are counted
 * in the buffer, and where it no longer holds them, read back (a regular
 * file; process() counts the others before it lets them go).
 */
static uint64_t line_no(struct grep *g, uint64_t off)
{
	struct src *s = &g->s;
	char tmp[64 << 10];

	if (!g->lines_known || off < g->nl_off)
		return 0;
	while (g->nl_off < off && g->nl_off < s->base) {
		uint64_t want = (off < s->base ? off : s->base) - g->nl_off;
		ssize_t got = alog_pread_all(s->fd, tmp, want < sizeof tmp ? (size_t)want : sizeof tmp,
		                             (off_t)g->nl_off);
		if (got <= 0) {
			g->lines_known = 0;
			return 0;
		}
		g->lineno += count_nl(tmp, (size_t)got);
		g->nl_off += (uint64_t)got;
	}
	if (g->nl_off < off) {
		g->lineno += count_nl(s->buf + (g->nl_off - s->base), (size_t)(off - g->nl_off));
		g->nl_off = off;
	}
	return g->lineno + 1;
}

/*
 * One line of input, LF included when kind is ALOG_LINE_OK.  On the fast
 * path (a candidate found by the literal search; no -v, context or
 * --verify) only a selected line pays for the full record shape check.
 */
static int on_line(struct grep *g, uint64_t off, const char *p, size_t len, int kind)
{
	const struct alog_grep_opts *o = g->o;
	struct alog_error pe;
	struct alog_rec r;
	int m, sel, parsed = 0, lazy = g->fast;
	/* the literal search leaves the number to be counted if a report needs it */
	uint64_t ln = lazy ? 0 : line_no(g, off);
	int64_t ts = 0;

	if (g->out.failed)
		return STOP_ALL;
	alog_error_clear(&pe);
	if (g->v) {
		/* the verifier checks the shape; a line it let through is a record */
		if (alog_verify_line(g->v, ln, p, len, kind)) {
			g->res->tampered = 1;
			return STOP_ALL;
		}
		/* the verifier parsed it: seq, ts and type from there */
		const struct alog_rec *vr = alog_verify_line_rec(g->v);
		if (vr && kind == ALOG_LINE_OK) {
			r = *vr;
			parsed = 1;
		} else {
			parsed = kind == ALOG_LINE_OK && light_parse(p, len, &r) == 0;
		}
		verified(g, parsed ? &r : NULL);
	} else if (!lazy) {
		parsed = kind == ALOG_LINE_OK && alog_rec_parse(&r, p, len, &pe) == 0;
	}
	if (kind == ALOG_LINE_OK && o->unprotect && alog_unprotect_key_id(o->unprotect) &&
	    len > ALOG_SEQ_PREFIX_LEN + 40 && memmem(p, len < 80 ? len : 80, HEADER_MARK, sizeof HEADER_MARK - 1))
		note_header(g, p, len);
	if (!lazy && ln && kind == ALOG_LINE_OK) {
		g->lineno = ln;
		g->nl_off = off + len;
	}
	if (kind != ALOG_LINE_OK || (!lazy && !parsed)) {
		if (!g->v)
			bad_line(g, ln ? ln : line_no(g, off), off, kind == ALOG_LINE_TOOLONG ? "line too long"
			                     : kind == ALOG_LINE_PARTIAL ? "no newline at the end"
			                                                 : pe.msg);
		return g->stop ? stop(g, g->stop) : GO_ON;
	}
	if (parsed)
		ts = r.ts_ns;
	else if ((o->have_since || o->have_until) && line_ts(p, len, &ts) != 0)
		return bad_line(g, ln ? ln : line_no(g, off), off,
		                "no seq and ts where a record has them"), GO_ON;
	g->idx++;
	if (g->stop)
		return stop(g, g->stop);
	if (o->have_since && ts < o->since)
		return GO_ON;
	if (o->have_until && ts >= o->until) {
		/*
		 * Following, the range is over.  Otherwise only a file in time
		 * order ends here, and never under --verify: what it did not
		 * read it could not check, and a record's ts is the writer's
		 * word until a seal covers it: following under --verify, the
		 * wall clock ends the range (see scan), not a record.
		 */
		if (g->following && !g->v)
			return stop(g, STOP_ALL);
		return g->ordered && !g->v ? stop(g, STOP_INPUT) : GO_ON;
	}

	if (!lazy && g->max_reached && !g->after_left) {
		m = 0;
	} else if (!g->plain_region && has_protected(g, p, len)) {
		/* the query sees opened values; one it needs but cannot see is an error */
		int opened = open_terms(g, ln ? ln : line_no(g, off), off, p, len);
		if (opened != 0)
			return GO_ON;
		m = alog_query_match(g->q, g->rev.p, g->rev.n - 1);
	} else if (lazy) {
		m = alog_query_match(g->q, p, len - 1);
	} else {
		m = alog_query_may_match(g->q, p, len) ? alog_query_match(g->q, p, len - 1) : 0;
	}
	if (m < 0) {
		bad_line(g, ln ? ln : line_no(g, off), off, "not a JSON object");
		return GO_ON;
	}
	sel = o->invert ? !m : m;
	if (sel && lazy) {
		if (alog_rec_parse(&r, p, len, &pe) != 0) {
			bad_line(g, ln ? ln : line_no(g, off), off, pe.msg);
			return GO_ON;
		}
		parsed = 1;
	}
	if (sel && !g->max_reached) {
		/* following, what came before the end is shown (-n), -m counts from there */
		if (!(g->tailing && o->follow && !o->count))
			g->matches++;
		g->res->selected++;
		g->last_selected_seq = r.seq;
		if (o->quiet)
			return stop(g, STOP_ALL);
		if (o->list) {
			put_name_line(g, "\n");
			return stop(g, STOP_INPUT);
		}
		if (!o->count) {
			ring_flush(g);
			if (g->tailing)
				g->cap = tail_slot(g);
			emit(g, p, len, g->idx, ':', !o->invert);
			g->cap = NULL;
			g->after_left = o->after;
		}
		if (o->max_count && g->matches >= o->max_count) {
			g->max_reached = 1;
			if (!g->after_left || o->count)
				return stop(g, STOP_INPUT);
		}
		return GO_ON;
	}
	if (g->after_left) {
		emit(g, p, len, g->idx, '-', 0);
		if (--g->after_left == 0 && g->max_reached)
			return stop(g, STOP_INPUT);
		return GO_ON;
	}
	if (o->before)
		ring_push(g, p, len);
	return GO_ON;
}

/* Newlines in p[0..n). */
static uint64_t count_nl(const char *p, size_t n)
{
	uint64_t c = 0;
	size_t i = 0;
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n'), zero = _mm_setzero_si128();
	while (i + 16 <= n) {
		/* byte counters (each compare adds 1), summed before they can wrap */
		__m128i acc = zero, sum;
		for (int k = 0; k < 255 && i + 16 <= n; k++, i += 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + i));
			acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, nl));
		}
		sum = _mm_sad_epu8(acc, zero);
		c += (uint64_t)_mm_cvtsi128_si64(sum) +
		     (uint64_t)_mm_cvtsi128_si64(_mm_unpackhi_epi64(sum, sum));
	}
#endif
	for (; i < n; i++)
		c += p[i] == '\n';
	return c;
}

/* The complete lines buffered: every one, or (fast) only those around a literal. */
static int process(struct grep *g)
{
	struct src *s = &g->s;
	char *buf = s->buf;
	size_t lim, pos, batched = 0;
	const char *last;
	int r = GO_ON;

	if (s->skipping) {
		/* the rest of an overlong line */
		const char *nl = memchr(buf + s->start, '\n', s->end - s->start);
		s->start = nl ? (size_t)(nl - buf) + 1 : s->end;
		s->skipping = !nl;
		if (s->skipping)
			return GO_ON;
		/* the overlong line began at nl_off, read no longer: its one newline */
		if (!s->regular && g->lines_known && g->nl_off < s->base) {
			g->lineno++;
			g->nl_off = s->base + s->start;
		}
	}
	last = s->end > s->start ? memrchr(buf + s->start, '\n', s->end - s->start) : NULL;
	if (!last) {
		if (s->end - s->start >= ALOG_MAX_LINE) {
			r = on_line(g, s->base + s->start, buf + s->start, s->end - s->start,
			            ALOG_LINE_TOOLONG);
			s->start = s->end;
			s->skipping = 1;
		}
		return r;
	}
	lim = (size_t)(last - buf) + 1;
	pos = s->start;
	g->read_any = 1;
	for (size_t i = 0; i < g->nneed; i++)
		if (!g->seen[i] && alog_find(&g->need[i], buf + s->start, lim - s->start))
			g->seen[i] = 1;
	if (g->fast && !g->tuned) {
		/* pick the literals that are rare in this data */
		alog_query_tune(g->q, buf + s->start, lim - s->start < TUNE_SAMPLE ? lim - s->start
		                                                                : TUNE_SAMPLE);
		g->tuned = 1;
	}
	/*
	 * Protected values hide the literals the fast search looks for: the
	 * search stops at each one too (the query's guard, in the same pass)
	 * and on_line opens the line.  With a key, header records name the
	 * log whose values it may open: on_line must see each of them.
	 */
	if (g->fast) {
		size_t next_hdr = SIZE_MAX;
		alog_query_scan_reset(g->q);
		while (pos < lim && r == GO_ON) {
			size_t c = alog_query_scan(g->q, buf, lim, pos), ls, le;
			const char *b, *nl;
			if (g->headers) {
				if (next_hdr == SIZE_MAX || (next_hdr < pos && next_hdr != lim)) {
					const char *h = alog_find(&g->hdr, buf + pos, lim - pos);
					next_hdr = h ? (size_t)(h - buf) : lim;
				}
				if (next_hdr < c)
					c = next_hdr;
			}
			if (c >= lim)
				break;
			b = c > pos ? memrchr(buf + pos, '\n', c - pos) : NULL;
			ls = b ? (size_t)(b - buf) + 1 : pos;
			nl = memchr(buf + c, '\n', lim - c);
			le = (size_t)(nl - buf) + 1;
			r = on_line(g, s->base + ls, buf + ls, le - ls,
			            le - ls > ALOG_MAX_LINE ? ALOG_LINE_TOOLONG : ALOG_LINE_OK);
			pos = le;
		}
		s->start = r == GO_ON ? lim : pos;
		/* what cannot be read back is counted before the buffer lets it go */
		if (!s->regular)
			line_no(g, s->base + s->start);
		return r;
	}
	/* one search for protected values over all the lines, not one per line */
	g->plain_region = g->o->unprotect && !has_protected(g, buf + pos, lim - pos);
	while (pos < lim && r == GO_ON) {
		const char *nl = memchr(buf + pos, '\n', lim - pos);
		size_t le = (size_t)(nl - buf) + 1;
		/* --verify: the lines ahead are hashed together (two records at a time) */
		if (g->v && pos >= batched)
			batched = pos + alog_verify_lines(g->v, buf + pos, lim - pos);
		r = on_line(g, s->base + pos, buf + pos, le - pos,
		            le - pos > ALOG_MAX_LINE ? ALOG_LINE_TOOLONG : ALOG_LINE_OK);
		pos = le;
	}
	/* the buffer is refilled or moved after this */
	if (g->v)
		alog_verify_lines_drop(g->v);
	g->plain_region = 0;
	s->start = pos;
	return r;
}

static int open_input(struct grep *g, const char *path)
{
	struct src *s = &g->s;
	struct stat st;

	s->fd = 0;
	s->own = 0;
	s->path = path && strcmp(path, "-") != 0 ? path : NULL;
	if (s->path) {
		s->fd = open(s->path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0)
			return -1;
		s->own = 1;
	}
	if (fstat(s->fd, &st) != 0) {
		int saved = errno;
		if (s->own)
			close(s->fd);
		errno = saved;
		return -1;
	}
	s->regular = S_ISREG(st.st_mode);
	/* read ahead in large steps: a search reads the file front to back */
	if (s->regular)
		(void)posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	s->dev = st.st_dev;
	s->ino = st.st_ino;
	s->start = s->end = 0;
	s->base = 0;
	s->eof = s->locked = s->skipping = 0;
	s->limit = UINT64_MAX;
	s->rsize = READ_FIRST;
	if (s->regular && !s->own) {
		off_t cur = lseek(s->fd, 0, SEEK_CUR);
		s->base = cur > 0 ? (uint64_t)cur : 0;
	}
	return 0;
}

static int is_tree_state(struct grep *g)
{
	char magic[sizeof ALOG_TREE_MAGIC - 1];

	return g->s.regular && g->s.base == 0 &&
	       alog_pread_all(g->s.fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
	       memcmp(magic, ALOG_TREE_MAGIC, sizeof magic) == 0;
}

static void close_input(struct grep *g)
{
	if (g->s.own)
		close(g->s.fd);
	g->s.own = 0;
}

/* Per-input state back to the start. */
static void input_reset(struct grep *g)
{
	g->lineno = g->nl_off = 0;
	g->lines_known = 1;
	g->matches = g->warned = g->idx = 0;
	g->after_left = 0;
	g->max_reached = 0;
	g->rn = g->rhead = 0;
	g->input_no++;
	/* whose values a key opens here: the new input's header says */
	if (g->o->unprotect)
		alog_unprotect_set_origin(g->o->unprotect, NULL);
	if (g->stop == STOP_INPUT)
		g->stop = GO_ON;
}

/* --follow: has the path been given a new file (a rotation)? */
static int rotated(const struct grep *g)
{
	struct stat st;

	if (!g->s.path || stat(g->s.path, &st) != 0)
		return 0;
	return st.st_dev != g->s.dev || st.st_ino != g->s.ino;
}

/*
 * --follow: a file cut back (alog-append --recover moves a torn tail
 * aside, then appends): if the unfinished line we hold is no longer what
 * the file has, read again from the end of the last complete line.
 * -1 (errno) when reading the line again failed: a read error, not a cut.
 */
static int check_truncated(struct grep *g)
{
	struct src *s = &g->s;
	struct stat st;
	uint64_t done = s->base + s->start;
	int cut = 0;

	if (fstat(s->fd, &st) != 0)
		return 0;
	if ((uint64_t)st.st_size < done) {
		report_at(g, 0, NOWHERE, "file truncated; following from its new end");
		s->base = (uint64_t)st.st_size;
		s->start = s->end = 0;
		g->lines_known = 0;
		cut = 1;
	} else if (s->start < s->end) {
		char buf[4096];
		for (uint64_t o = 0; o < s->end - s->start && !cut; o += sizeof buf) {
			size_t n = s->end - s->start - o < sizeof buf ? (size_t)(s->end - s->start - o)
			                                              : sizeof buf;
			ssize_t got = alog_pread_all(s->fd, buf, n, (off_t)(done + o));
			if (got < 0)
				return -1;
			cut = got != (ssize_t)n || memcmp(buf, s->buf + s->start + o, n) != 0;
		}
		if (cut)
			s->end = s->start;
	}
	if (cut && lseek(s->fd, (off_t)(s->base + s->end), SEEK_SET) < 0)
		report_at(g, 0, NOWHERE, "cannot seek: %s", strerror(errno));
	return 0;
}

static void end_of_input(struct grep *g)
{
	const struct alog_grep_opts *o = g->o;
	char num[40];

	if (g->warned > MAX_WARN)
		report_at(g, 0, NOWHERE, "%llu more lines that are not records skipped",
		          (unsigned long long)(g->warned - MAX_WARN));
	g->total += g->matches;
	/* several inputs without their names: one total, at the end */
	if (o->count && !o->list && !o->quiet && !(g->ninputs > 1 && !o->with_filename)) {
		snprintf(num, sizeof num, "%s%llu\n", o->with_filename ? ":" : "",
		         (unsigned long long)g->matches);
		if (o->with_filename)
			put_name_line(g, num);
		else
			out_put(&g->out, num, strlen(num));
	}
}

/* A read of the input failed (errno): say so; how far the search goes on. */
static int read_error(struct grep *g)
{
	report_at(g, 0, NOWHERE, "read error: %s", strerror(errno));
	g->res->errors++;
	if (!g->v)
		return STOP_INPUT;
	/*
	 * --verify: what the rest of the log holds (the seal of the records
	 * held, the next file's chain) cannot be known: stop, as alog-verify
	 * does
	 */
	g->read_failed = 1;
	return STOP_ALL;
}

/* Read one input to its end (or a stop); follows it when asked. */
static int scan(struct grep *g, int follow)
{
	struct src *s = &g->s;
	int r, n, waited = 0;

	for (;;) {
		size_t held;
		r = process(g);
		if (r != GO_ON)
			return r;
		held = s->end - s->start;
		n = src_fill(s);
		if (n > 0) {
			/* what completes a line we held since a wait must follow the same bytes */
			if (waited && held && check_truncated(g) != 0)
				return read_error(g);
			waited = 0;
			continue;
		}
		if (n < 0)
			return read_error(g);
		if (s->start < s->end && !follow && s->regular && !s->locked &&
		    s->limit == UINT64_MAX) {
			/* a writer may be finishing this line: wait for its lock and look again */
			while (flock(s->fd, LOCK_SH) != 0 && errno == EINTR)
				;
			s->locked = 1;
			s->eof = 0;
			continue;
		}
		if (!follow || !s->regular || !s->path) {
			if (s->start < s->end && !s->skipping)
				r = on_line(g, s->base + s->start, s->buf + s->start, s->end - s->start,
				            ALOG_LINE_PARTIAL);
			s->start = s->end;
			return r;
		}
		/* following: wait for more, or for a new file at the path */
		tail_release(g);
		verify_wait(g);
		out_flush(&g->out);
		if (g->out.failed)
			return STOP_ALL;
		if (g->v && g->o->have_until && alog_ts_now() >= g->o->until)
			return STOP_ALL;
		if (rotated(g)) {
			/* whatever the old file got before the switch, then the new one */
			const char *path = s->path;
			while ((n = src_fill(s)) > 0)
				if ((r = process(g)) != GO_ON)
					return r;
			if (n < 0)
				return read_error(g);
			if (s->start < s->end && !s->skipping)
				r = on_line(g, s->base + s->start, s->buf + s->start, s->end - s->start,
				            ALOG_LINE_PARTIAL);
			if (r != GO_ON)
				return r;
			if (g->v && alog_verify_end(g->v)) {
				g->res->tampered = 1;
				return STOP_ALL;
			}
			close_input(g);
			if (open_input(g, path) != 0) {
				report_at(g, 0, NOWHERE, "cannot open after rotation: %s",
				          strerror(errno));
				g->res->errors++;
				return STOP_ALL;
			}
			/* the same log goes on: counts and context carry over, lines restart */
			g->lineno = g->nl_off = 0;
			g->lines_known = 1;
			g->warned = 0;
			if (g->v)
				alog_verify_begin(g->v, g->name);
			continue;
		}
		{
			struct timespec ts = {0, FOLLOW_POLL_NS};
			nanosleep(&ts, NULL);
		}
		if (check_truncated(g) != 0)
			return read_error(g);
		waited = 1;
		s->eof = 0;
	}
}

/* Where to start and stop reading a seekable input for the time range. */
static int seek_range(struct grep *g, int follow)
{
	const struct alog_grep_opts *o = g->o;
	struct src *s = &g->s;
	struct stat st;
	struct win w = {0};
	uint64_t first = s->base, start = s->base, end;
	int rc = 0;

	if (fstat(s->fd, &st) != 0)
		return -1;
	end = (uint64_t)st.st_size;
	if (end < first)
		return 0;
	w.fd = s->fd;
	w.size = end;
	w.cap = ALOG_MAX_LINE + PROBE_WIN;
	w.buf = alog_xmalloc(w.cap);
	w.off = 0;
	w.len = 0;
	if (o->have_since)
		rc = ts_seek(&w, first, first, end, o->since, &start);
	if (rc == 0 && o->have_until && !follow)
		rc = ts_seek(&w, first, start, end, o->until, &end);
	free(w.buf);
	if (rc != 0)
		return -1;
	if (start > first) {
		if (lseek(s->fd, (off_t)start, SEEK_SET) < 0)
			return -1;
		s->base = start;
		g->lines_known = 0;
	}
	if (o->have_until && !follow)
		s->limit = end;
	return 0;
}

/*
 * Does the input's header promise records in time order ("order":"ts",
 * alog(5))?  Only then may a time range be found by binary search or end
 * a file's reading; logs written before the writer kept ts from going
 * back (or read from where their header is not) are searched record by
 * record.
 */
static int header_ordered(struct grep *g)
{
	char buf[16384];
	struct alog_rec r;
	struct alog_header h;
	struct alog_error e;
	const char *nl;
	ssize_t n;

	if (!g->s.regular || g->s.base != 0)
		return 0;
	n = alog_pread_all(g->s.fd, buf, sizeof buf, 0);
	if (n <= 0 || !(nl = memchr(buf, '\n', (size_t)n)))
		return 0;
	if (alog_rec_parse(&r, buf, (size_t)(nl - buf) + 1, &e) != 0 || r.type != ALOG_REC_OPEN ||
	    alog_header_parse(&r, &h, &e) != 0)
		return 0;
	return h.ts_ordered;
}

static int run_input(struct grep *g, const char *path, int follow)
{
	int r;

	g->name = alog_input_name(path);
	input_reset(g);
	if (open_input(g, path) != 0) {
		report_at(g, 0, NOWHERE, "cannot open: %s", strerror(errno));
		g->res->errors++;
		return GO_ON;
	}
	if (is_tree_state(g)) {
		/* a log glob also catches the tree state alog-export keeps beside a log */
		report_at(g, 0, NOWHERE, "skipped: the tree state of a log (kept by alog-export "
		          "beside it), not a log");
		close_input(g);
		return GO_ON;
	}
	/* standard input may start part way through a file */
	g->lines_known = g->s.base == 0;
	g->ordered = header_ordered(g);
	g->following = follow;
	if (!g->v && g->ordered && (g->o->have_since || g->o->have_until) &&
	    seek_range(g, follow) != 0) {
		report_at(g, 0, NOWHERE, "read error: %s", strerror(errno));
		g->res->errors++;
		close_input(g);
		return GO_ON;
	}
	if (g->skip_to > g->s.base) {
		/* -n: the records before the last ones selected are not read */
		if (lseek(g->s.fd, (off_t)g->skip_to, SEEK_SET) < 0) {
			report_at(g, 0, NOWHERE, "cannot seek: %s", strerror(errno));
			g->res->errors++;
			close_input(g);
			return GO_ON;
		}
		g->s.base = g->skip_to;
		g->lines_known = 0;
	}
	g->skip_to = 0;
	if (g->v)
		alog_verify_begin(g->v, g->name);
	r = scan(g, follow);
	/* stopped early, the file has no end to judge here (see alog_grep_run) */
	if (g->v && !g->res->tampered && !g->read_failed && !g->stopped_early &&
	    alog_verify_end(g->v)) {
		g->res->tampered = 1;
		r = STOP_ALL;
	}
	if (!g->res->tampered && !g->read_failed)
		end_of_input(g);
	if (g->s.locked)
		flock(g->s.fd, LOCK_UN);
	close_input(g);
	return r;
}

/*
 * Is line p[0..len) (LF included) one that the forward pass selects?  The
 * same decisions as on_line for a plain search: a record shape, the time
 * range, the query, -v.  -1: cannot tell here (protected values).
 */
static int back_selects(struct grep *g, const char *p, size_t len)
{
	const struct alog_grep_opts *o = g->o;
	int64_t ts;
	int m;

	if (line_ts(p, len, &ts) != 0)
		return 0;
	if ((o->have_since && ts < o->since) || (o->have_until && ts >= o->until))
		return 0;
	if (has_protected(g, p, len))
		return -1;
	m = alog_query_may_match(g->q, p, len) ? alog_query_match(g->q, p, len - 1) : 0;
	if (m < 0)
		return 0;
	return o->invert ? !m : m;
}

/*
 * -n N over regular files, no --verify: find where the last N selected
 * records start by reading the files backwards, so that a large log is
 * not read whole to show its end (tail -F and journalctl -f start
 * there at once).  Sets *first (the input to start with) and that input's
 * skip_to.  0, or -1 to read everything (something could not be told).
 */
static int tail_prescan(struct grep *g, char *const *files, size_t n, size_t *first,
                        uint64_t *skip)
{
	uint64_t want = g->o->tail, found = 0;
	char *buf = alog_xmalloc(CHUNK);
	size_t blk = BACK_FIRST;
	int rc = -1;

	for (size_t i = n; i-- > 0;) {
		struct stat st;
		uint64_t end;
		int fd = open(files[i], O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			goto out;
		if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
			close(fd);
			goto out;
		}
		end = (uint64_t)st.st_size;
		/* an unfinished last line is read (and followed) forward */
		for (;;) {
			/* small blocks first: the last few records are near the end */
			uint64_t from = end > blk ? end - blk : 0;
			ssize_t got = end > from ? alog_pread_all(fd, buf, (size_t)(end - from),
			                                          (off_t)from) : 0;
			size_t lim, start;
			const char *nl;

			if (got < 0 || (uint64_t)got != end - from) {
				close(fd);
				goto out;
			}
			lim = (size_t)got;
			nl = lim ? memrchr(buf, '\n', lim) : NULL;
			if (!nl) {
				if (from == 0)
					break;
				end = from; /* no line ends here: no record either */
				blk = blk < CHUNK / 2 ? 2 * blk : CHUNK;
				continue;
			}
			/* the lines wholly in buf[start..lim), last first */
			lim = (size_t)(nl - buf) + 1;
			start = from == 0 ? 0 : (size_t)((const char *)memchr(buf, '\n', lim) - buf) + 1;
			if (start >= lim && from > 0) {
				if (blk < CHUNK) {
					/* a line longer than the block: a larger one */
					blk = blk < CHUNK / 2 ? 2 * blk : CHUNK;
					continue;
				}
				/* one line longer than the block (and ALOG_MAX_LINE): no record */
				end = from;
				continue;
			}
			if (want == 0) {
				*first = i;
				*skip = from + lim;
				rc = 0;
				close(fd);
				goto out;
			}
			while (lim > start) {
				const char *b = lim - 1 > start ? memrchr(buf + start, '\n', lim - 1 - start)
				                                : NULL;
				size_t ls = b ? (size_t)(b - buf) + 1 : start;
				int sel = back_selects(g, buf + ls, lim - ls);
				if (sel < 0) {
					close(fd);
					goto out;
				}
				if (sel && ++found == want) {
					*first = i;
					*skip = from + ls;
					rc = 0;
					close(fd);
					goto out;
				}
				lim = ls;
			}
			if (from == 0)
				break;
			end = from + start;
			blk = blk < CHUNK / 2 ? 2 * blk : CHUNK;
		}
		close(fd);
	}
	/* fewer than N in all: read everything */
out:
	free(buf);
	return rc;
}

/*
 * Each member a query term names, as the bytes "NAME": a record that has
 * it holds (a name spelt with escapes aside).  One that no input read has
 * is most likely a typo, which would otherwise match nothing silently.
 */
static void need_init(struct grep *g)
{
	const char *const *path;
	size_t depth;

	for (size_t i = 0; alog_query_path(g->q, i, &path, &depth); i++) {
		const char *name = path[depth - 1];
		size_t k, n = strlen(name);
		char *needle;

		/* a name JSON spells with escapes has other bytes in the line */
		if (strpbrk(name, "\"\\") || alog_utf8_check(name, n) != n)
			continue;
		for (k = 0; k < n && (unsigned char)name[k] >= 0x20; k++)
			;
		if (k < n)
			continue;

		for (k = 0; k < g->nneed; k++)
			if (strncmp(g->need_name[k] + 1, name, n) == 0 &&
			    g->need_name[k][n + 1] == '"')
				break;
		if (k < g->nneed)
			continue;
		needle = alog_xmalloc(n + 4);
		needle[0] = '"';
		memcpy(needle + 1, name, n);
		memcpy(needle + 1 + n, "\":", 3);
		g->need_name = alog_xrealloc(g->need_name, (g->nneed + 1) * sizeof *g->need_name);
		g->need = alog_xrealloc(g->need, (g->nneed + 1) * sizeof *g->need);
		g->seen = alog_xrealloc(g->seen, g->nneed + 1);
		g->need_name[g->nneed] = needle;
		alog_finder_init(&g->need[g->nneed], needle, n + 3);
		g->seen[g->nneed] = 0;
		g->nneed++;
	}
}

static void need_report(struct grep *g)
{
	if (!g->read_any || g->res->tampered)
		return;
	g->name = NULL;
	for (size_t i = 0; i < g->nneed; i++)
		if (!g->seen[i]) {
			size_t n = strlen(g->need_name[i]) - 3;
			report_at(g, 0, NOWHERE, "warning: no record read has a member named '%.*s' "
			          "(is it spelt right?)", (int)n, g->need_name[i] + 1);
		}
}

int alog_grep_run(const struct alog_grep_opts *o, char *const *files, size_t nfiles,
                  struct alog_grep_result *res)
{
	struct grep g;
	size_t n = nfiles ? nfiles : 1, first;
	uint64_t skip = 0;
	int r = GO_ON;

	memset(&g, 0, sizeof g);
	memset(res, 0, sizeof *res);
	g.o = o;
	g.res = res;
	g.q = o->query;
	alog_finder_init(&g.enc, ALOG_ENC_MARK, sizeof ALOG_ENC_MARK - 1);
	alog_finder_init(&g.hdr, HEADER_MARK, sizeof HEADER_MARK - 1);
	g.out.fd = o->out_fd;
	g.out.hold = o->verify;
	g.s.cap = CHUNK + ALOG_MAX_LINE;
	g.s.buf = alog_xmalloc(g.s.cap);
	g.fast = !o->verify && !o->invert && !o->before && !o->after &&
	         alog_query_prefilter(o->query) && !(o->follow && o->have_until);
	if (g.fast && o->unprotect) {
		alog_query_scan_guard(g.q, &g.enc);
		g.headers = alog_unprotect_key_id(o->unprotect) != NULL;
	}
	g.ninputs = n;
	if (o->tail_set) {
		g.tailing = 1;
		if (o->tail) {
			g.tailring = alog_xmalloc(o->tail * sizeof *g.tailring);
			memset(g.tailring, 0, o->tail * sizeof *g.tailring);
		}
	}
	need_init(&g);
	if (o->before) {
		g.ring = alog_xmalloc(o->before * sizeof *g.ring);
		memset(g.ring, 0, o->before * sizeof *g.ring);
	}
	if (o->verify) {
		struct alog_verify_opts vo;
		memset(&vo, 0, sizeof vo);
		vo.pubkey = o->pubkey;
		vo.key_next = -1;
		vo.lock_live = 1;
		/* standard input is where cut-out lines arrive, as for alog-verify */
		vo.auto_fragment = nfiles == 0 || (nfiles == 1 && strcmp(files[0], "-") == 0);
		g.v = alog_verifier_new(&vo, on_problem, &g);
	}

	first = 0;
	if (o->tail_set && !o->verify && !o->count && !o->list && !o->quiet && nfiles > 0) {
		int std = 0;
		for (size_t i = 0; i < nfiles; i++)
			std |= strcmp(files[i], "-") == 0;
		if (!std && tail_prescan(&g, files, nfiles, &first, &skip) == 0)
			g.skip_to = skip;
		else
			first = 0;
	}
	for (size_t i = first; i < n && r != STOP_ALL && !g.out.failed; i++) {
		r = run_input(&g, nfiles ? files[i] : NULL, o->follow && i + 1 == n);
		if (g.out.failed)
			break;
	}
	tail_release(&g);
	if (o->count && !o->list && !o->quiet && n > 1 && !res->tampered) {
		char num[48];
		snprintf(num, sizeof num, "%s%llu\n", o->with_filename ? "total:" : "",
		         (unsigned long long)g.total);
		out_put(&g.out, num, strlen(num));
	}
	if (!g.read_failed)
		need_report(&g);

	if (g.v) {
		struct alog_verify_summary sum;
		/*
		 * Output that failed (or the temp file holding it), or a read
		 * error of the log, stopped the search where it was: what the
		 * log holds past there is not known, and nothing more is shown
		 * to warn about.
		 */
		if (!res->tampered && !g.out.failed && !g.read_failed) {
			g.name = NULL;
			/*
			 * -q stopped at a selected record: what was read is
			 * decided (damage there is still status 3), the end of
			 * the log it did not read is not (no "not sealed")
			 */
			if (g.stopped_early)
				alog_verifier_finish_early(g.v, &sum);
			else
				alog_verifier_finish(g.v, &sum);
			if (sum.errors)
				res->tampered = 1;
		}
		if (res->tampered) {
			out_discard(&g.out);
			g.name = NULL;
			report_at(&g, 0, NOWHERE, "--verify: the log does not verify; nothing from the "
			          "damaged region on was shown");
		} else if (g.read_failed) {
			/*
			 * Fail closed: the records held were never covered by a
			 * seal, and the part of the log that might hold it could
			 * not be read.  Only what a seal covered was shown.
			 */
			out_discard(&g.out);
			res->selected = g.out.committed_selected;
		} else if (!g.out.failed) {
			out_commit(&g.out, g.out.hpos);
			/* -q shows nothing */
			if (o->pubkey && !o->quiet && !g.out.failed)
				res->unsealed_printed = res->selected - g.out.committed_selected;
			/* part of them went out before the read-back failed */
			if (o->pubkey && g.out.failed_part && res->selected > g.out.committed_selected)
				res->held_unsealed = 1;
			/* -n printed only the last ones, and the unsealed are the last */
			if (o->tail_set && res->unsealed_printed > o->tail)
				res->unsealed_printed = o->tail;
		}
		alog_verifier_free(g.v);
	}
	out_flush(&g.out);
	r = g.out.failed ? -1 : 0;
	if (g.out.failed) {
		res->held_error = g.out.failed_held;
		res->held_part = g.out.failed_part;
		res->held_lines = g.out.lines;
		errno = g.out.failed;
	}
	out_close(&g.out);
	for (unsigned i = 0; i < o->before; i++)
		alog_buf_free(&g.ring[i].b);
	free(g.ring);
	for (uint64_t i = 0; g.tailring && i < o->tail; i++)
		alog_buf_free(&g.tailring[i]);
	free(g.tailring);
	alog_buf_free(&g.discard);
	for (size_t i = 0; i < g.nneed; i++)
		free(g.need_name[i]);
	free(g.need_name);
	free(g.need);
	free(g.seen);
	/* the guard is this run's */
	alog_query_scan_guard(g.q, NULL);
	free(g.s.buf);
	alog_buf_free(&g.line);
	alog_buf_free(&g.tmp);
	alog_buf_free(&g.rev);
	return r;
}
