/*
 * apply.c - applying a policy to each event: one walk over the compact
 * event that checks paths, runs the detectors over every string value,
 * applies the rules and writes the result, with the "alog" note of what
 * it changed.  Buffers are allocated with the policy, so the walk never
 * allocates.
 */
#include "policy/policy.h"

#include <regex.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/enc.h"
#include "base/json.h"
#include "format/record.h"
#include "keys/protect.h"
#include "policy/detect.h"
#include "policy/event.h"
#include "policy/internal.h"

static void put(struct walk *w, const char *s, size_t n)
{
	if (n > w->cap - w->on) {
		w->overflow = 1;
		return;
	}
	memcpy(w->out + w->on, s, n);
	w->on += n;
}

/* Copy the input up to p to the output. */
static void flush_to(struct walk *w, const char *p)
{
	if (p > w->flushed) {
		put(w, w->flushed, (size_t)(p - w->flushed));
		w->flushed = p;
	}
}

/* The input a..b is replaced by what is put next. */
static void replace_span(struct walk *w, const char *a, const char *b)
{
	flush_to(w, a);
	w->flushed = b;
	w->changed = 1;
	w->replaced++;
}

/*
 * Drop the member or element at a..b (a: its name's or its own first byte;
 * at the top level, its leading comma) with the comma that separates it.
 */
static void drop_span(struct walk *w, const char *a, const char *b, int top)
{
	char last;

	flush_to(w, a);
	w->flushed = b;
	w->changed = 1;
	if (top)
		return;
	last = w->on ? w->out[w->on - 1] : 0;
	if (*b == ',' && (last == '{' || last == '[' || last == ','))
		w->flushed = b + 1;
	else if ((*b == '}' || *b == ']') && last == ',')
		w->on--;
}

/* UTF-8 text (no NUL) as JSON string contents. */
static void put_escaped(struct walk *w, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	size_t i = 0, run = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = {'\\', 0, '0', '0', 0, 0};
		size_t k = 2;

		if (c >= 0x20 && c != '"' && c != '\\' && c != 0x7f) {
			i++;
			continue;
		}
		put(w, s + run, i - run);
		switch (c) {
		case '"':
		case '\\':
			esc[1] = (char)c;
			break;
		case '\n':
			esc[1] = 'n';
			break;
		case '\r':
			esc[1] = 'r';
			break;
		case '\t':
			esc[1] = 't';
			break;
		case '\b':
			esc[1] = 'b';
			break;
		case '\f':
			esc[1] = 'f';
			break;
		default:
			esc[1] = 'u';
			esc[4] = hexd[c >> 4];
			esc[5] = hexd[c & 15];
			k = 6;
		}
		put(w, esc, k);
		run = ++i;
	}
	put(w, s + run, n - run);
}

static void tmp_put(struct alog_policy *p, const char *s, size_t n)
{
	if (n > p->tmpcap - p->w.tn) {
		p->w.tmp_over = 1;
		return;
	}
	memcpy(p->tmp + p->w.tn, s, n);
	p->w.tn += n;
}

static void tmp_stars(struct alog_policy *p, size_t k)
{
	if (k > p->tmpcap - p->w.tn) {
		p->w.tmp_over = 1;
		return;
	}
	memset(p->tmp + p->w.tn, '*', k);
	p->w.tn += k;
}

static void put_tmp_string(struct alog_policy *p)
{
	put(&p->w, "\"", 1);
	put_escaped(&p->w, p->tmp, p->w.tn);
	put(&p->w, "\"", 1);
	if (p->w.tmp_over)
		p->w.overflow = 1;
}

/*
 * The member path being walked: raw (still escaped) names joined by dots,
 * "[i]" for array elements.  Writes the longest prefix that fits cap - 1
 * bytes and a NUL; returns the full length.
 */
static size_t render_path(const struct walk *w, char *out, size_t cap)
{
	size_t k = 0;
	int full = 0;

	for (int i = 0; i < w->nseg; i++) {
		char num[32];
		const char *s;
		size_t n;

		if (w->seg[i].idx >= 0) {
			n = (size_t)snprintf(num, sizeof num, "[%ld]", w->seg[i].idx);
			s = num;
		} else {
			if (i) {
				if (!full && k + 1 < cap)
					out[k] = '.';
				else
					full = 1;
				k++;
			}
			s = w->seg[i].p;
			n = w->seg[i].n;
		}
		if (!full && k + n < cap)
			memcpy(out + k, s, n);
		else
			full = 1;
		k += n;
	}
	if (cap)
		out[k < cap ? k : cap - 1] = '\0';
	return k;
}

/* Log text for a message on a terminal: no DEL or C1 controls, bounded length. */
static void sanitize(char *s, size_t max)
{
	size_t r = 0, o = 0, n = strlen(s);

	if (n > max) {
		n = max;
		while (n && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	while (r < n) {
		unsigned char c = (unsigned char)s[r];
		if (c == 0x7f || c < 0x20) {
			s[o++] = '?';
			r++;
		} else if (c == 0xc2 && r + 1 < n && (unsigned char)s[r + 1] >= 0x80 &&
		           (unsigned char)s[r + 1] <= 0x9f) {
			s[o++] = '?';
			r += 2;
		} else {
			s[o++] = s[r++];
		}
	}
	if (n < strlen(s)) {
		memcpy(s + o, "...", 3);
		o += 3;
	}
	s[o] = '\0';
}

static void msg_path(const struct walk *w, char *out, size_t cap)
{
	render_path(w, out, cap);
	sanitize(out, MSG_PATH_MAX);
}

/* Record a change in the "policy" list of the alog member. */
static void add_note(struct walk *w, const char *rule, enum act a)
{
	size_t plen = render_path(w, NULL, 0), need;
	char *o;

	w->changed = 1;
	need = plen + strlen(rule) + 64;
	if (w->nnotes >= ALOG_POLICY_MAX_NOTES || w->nn + need > NOTES_CAP) {
		w->notes_more++;
		return;
	}
	o = w->notes + w->nn;
	if (w->nnotes)
		*o++ = ',';
	o += sprintf(o, "{\"path\":\"");
	render_path(w, o, plen + 1);
	o += plen;
	o += sprintf(o, "\",\"rule\":\"%s\",\"action\":\"%s\"}", rule, act_names[a]);
	w->nn = (size_t)(o - w->notes);
	w->nnotes++;
}

/*
 * A broken rule.  A hard one (a reject rule) always rejects the event;
 * others reject it too unless the policy records violations instead.
 */
static void problem(struct alog_policy *p, int hard, const char *rule, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void problem(struct alog_policy *p, int hard, const char *rule, const char *fmt, ...)
{
	struct walk *w = &p->w;
	char msg[400];
	va_list ap;
	size_t need;
	char *o;
	long m;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (hard || !p->record) {
		if (!w->rejected)
			snprintf(w->err, sizeof w->err, "rejected by rule \"%s\": %s", rule, msg);
		w->rejected = 1;
		return;
	}
	need = 6 * strlen(msg) + strlen(rule) + 32;
	if (w->nviol >= ALOG_POLICY_MAX_NOTES || w->vn + need > NOTES_CAP) {
		w->viol_more++;
		return;
	}
	o = w->viol + w->vn;
	if (w->nviol)
		*o++ = ',';
	o += sprintf(o, "{\"rule\":\"%s\",\"msg\":\"", rule);
	m = alog_json_escape(msg, strlen(msg), o);
	o += m > 0 ? m : 0;
	o += sprintf(o, "\"}");
	w->vn = (size_t)(o - w->viol);
	w->nviol++;
}

/*
 * s just past the opening quote of a string in valid JSON: its closing
 * quote.  *esc is set when the string holds a backslash.
 */
static inline const char *str_close(const char *s, const char *end, int *esc)
{
	const unsigned char *p = (const unsigned char *)s, *e = (const unsigned char *)end;

	*esc = 0;
	for (;;) {
#ifdef __SSE2__
		while (e - p >= 16) {
			__m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
			unsigned bits = (unsigned)_mm_movemask_epi8(
				_mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
			                     _mm_cmpeq_epi8(v, _mm_set1_epi8('\\'))));
			if (bits) {
				p += __builtin_ctz(bits);
				break;
			}
			p += 16;
		}
#endif
		while (p < e && *p != '"' && *p != '\\')
			p++;
		if (p >= e || *p == '"')
			return (const char *)p;
		*esc = 1;
		p += 2;
	}
}

/* Does the name at names[d] (raw, escaped when name_esc[d]) match a path component? */
static inline int comp_eq(const struct walk *w, const struct comp *c, int d)
{
	if (c->star)
		return 1;
	if (w->name_esc[d])
		return alog_json_name_eq(w->names[d], c->s, c->n);
	return w->names[d].n == c->n && memcmp(w->names[d].p, c->s, c->n) == 0;
}

/* A "**.a.b" path: do its names match the end of the path at names[depth]? */
static int floating_match(const struct walk *w, const struct path *pt, int depth)
{
	if ((int)pt->n > depth + 1)
		return 0;
	for (unsigned i = 0; i < pt->n; i++)
		if (!comp_eq(w, &pt->c[pt->n - 1 - i], depth - (int)i))
			return 0;
	return 1;
}

static inline int num_char(char c)
{
	return (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

static unsigned value_type(const char *v, const char *end)
{
	switch (*v) {
	case '"':
		return T_STRING;
	case '{':
		return T_OBJECT;
	case '[':
		return T_ARRAY;
	case 't':
	case 'f':
		return T_BOOLEAN;
	case 'n':
		return T_NULL;
	}
	for (; v < end && num_char(*v); v++)
		if (*v == '.' || *v == 'e' || *v == 'E')
			return T_NUMBER;
	return T_NUMBER | T_INTEGER;
}

static const char *type_desc(unsigned t)
{
	if (t & T_INTEGER)
		return "an integer";
	switch (t) {
	case T_STRING:
		return "a string";
	case T_NUMBER:
		return "a number";
	case T_BOOLEAN:
		return "a boolean";
	case T_OBJECT:
		return "an object";
	case T_ARRAY:
		return "an array";
	default:
		return "null";
	}
}

void alog_policy_types_list(unsigned bits, char *out, size_t cap)
{
	size_t k = 0;
	int n = __builtin_popcount(bits);

	if (n == 1) {
		snprintf(out, cap, "%s", type_desc(bits));
		return;
	}
	k += (size_t)snprintf(out, cap, "one of ");
	for (size_t i = 0, first = 1; i < ALOG_ARRAY_LEN(type_names) && k < cap; i++) {
		if (bits & 1u << i) {
			k += (size_t)snprintf(out + k, cap - k, "%s%s", first ? "" : ", ",
			                      type_names[i]);
			first = 0;
		}
	}
}

static const char *block_rule(const struct alog_policy *p, int block, const char *global)
{
	return block < 0 ? global : p->blocks[block].name;
}

static void hit(struct alog_policy *p, size_t k, const char *v, int *first, uint64_t *scoped)
{
	const struct entry *e = &p->ent[k];

	bit_set(p->w.present, k);
	if (e->kind == E_TYPE) {
		unsigned t = value_type(v, p->w.end);
		if (!(t & e->types)) {
			char path[256], want[96];
			msg_path(&p->w, path, sizeof path);
			alog_policy_types_list(e->types, want, sizeof want);
			problem(p, 0, block_rule(p, e->block, "types"),
			        "member \"%s\" is %s, not %s", path, type_desc(t), want);
		}
	} else if (e->kind == E_RULE) {
		const struct rule *r = &p->rules[e->rule];
		if (r->pat >= 0)
			*scoped |= 1ULL << r->pat;
		else if (*first < 0 || e->rule < *first)
			*first = e->rule;
	}
}

void alog_policy_set_place(struct alog_policy *p, const char *origin, uint64_t seq)
{
	if (!p->place_origin || strcmp(p->place_origin, origin) != 0) {
		free(p->place_origin);
		p->place_origin = alog_xstrdup(origin);
	}
	p->place_seq = seq;
}

/*
 * The member path being walked as a place's path: a JSON array of the
 * names as written and of the indices as written (after drops).
 */
static size_t place_path(struct alog_policy *p)
{
	const struct walk *w = &p->w;
	size_t k = 0;

	if (!p->placebuf) {
		p->placecap = ALOG_MAX_MEMBERS + (MAX_DEPTH + 1) * 24 + 8;
		p->placebuf = alog_xmalloc(p->placecap);
	}
	p->placebuf[k++] = '[';
	for (int i = 0; i < w->nseg; i++) {
		if (i)
			p->placebuf[k++] = ',';
		if (w->seg[i].idx >= 0) {
			k += (size_t)snprintf(p->placebuf + k, p->placecap - k, "%ld", w->seg[i].oidx);
		} else {
			p->placebuf[k++] = '"';
			memcpy(p->placebuf + k, w->seg[i].p, w->seg[i].n);
			k += w->seg[i].n;
			p->placebuf[k++] = '"';
		}
	}
	p->placebuf[k++] = ']';
	return k;
}

/* Replace the value v[0..n) by its encryption, sealed for its place. */
static void seal(struct alog_policy *p, const char *v, size_t n)
{
	struct walk *w = &p->w;
	struct alog_error e;
	struct alog_place pl;
	long k;

	replace_span(w, v, v + n);
	pl.origin = p->place_origin ? p->place_origin : "";
	pl.seq = p->place_seq;
	pl.pathn = place_path(p);
	pl.path = p->placebuf;
	k = alog_protect_seal(p->readers, p->nreaders, &pl, v, n, w->out + w->on, w->cap - w->on,
	                      &e);
	if (k < 0) {
		w->overflow = 1;
		return;
	}
	w->on += (size_t)k;
	w->changed = 1;
}

/* The decoded text of a string's raw contents: the raw bytes themselves unless escaped. */
static const char *text_of(struct alog_policy *p, const char *raw, size_t n, int esc, size_t *len)
{
	long m;

	if (!esc) {
		*len = n;
		return raw;
	}
	m = alog_json_unescape(raw, n, p->dec, p->deccap - 1);
	*len = m < 0 ? 0 : (size_t)m;
	return p->dec;
}

static size_t cp_count(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* Masking keeps at most keep characters, and never more than half of them. */
static void mask_plain(struct alog_policy *p, const char *s, size_t n, unsigned keep)
{
	size_t c = cp_count(s, n), k = keep < c / 2 ? keep : c / 2, t = n, seen = 0;

	while (t > 0 && seen < k) {
		t--;
		if (((unsigned char)s[t] & 0xc0) != 0x80)
			seen++;
	}
	tmp_stars(p, c - k);
	tmp_put(p, s + t, n - t);
}

/* Card numbers: digits masked, separators kept. */
static void mask_card(struct alog_policy *p, const char *s, size_t n, unsigned keep)
{
	size_t d = 0, masked;

	for (size_t i = 0; i < n; i++)
		d += s[i] >= '0' && s[i] <= '9';
	masked = d - (keep < d / 2 ? keep : d / 2);
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= '0' && s[i] <= '9' && masked) {
			tmp_stars(p, 1);
			masked--;
		} else {
			tmp_put(p, s + i, 1);
		}
	}
}

static void replace(struct alog_policy *p, const char *t, const struct match *m)
{
	const char *s = t + m->s;
	size_t n = m->e - m->s;

	if (m->act == ACT_PSEUDO) {
		char tok[ALOG_PS_TOKEN_LEN + 1];
		alog_protect_pseudonym(&p->pepper, s, n, tok);
		tmp_put(p, tok, ALOG_PS_TOKEN_LEN);
	} else if (m->src == ALOG_DET_EMAIL) {
		/* the local part goes, the domain stays */
		tmp_stars(p, cp_count(s, m->at - m->s));
		tmp_put(p, t + m->at, m->e - m->at);
	} else if (m->src == ALOG_DET_CARD) {
		mask_card(p, s, n, m->keep);
	} else {
		mask_plain(p, s, n, m->keep);
	}
}

/* A whole string or number v..ve (text t[0..n)), masked or pseudonymised by a path rule. */
static void transform_whole(struct alog_policy *p, const char *v, const char *ve, const char *t,
                            size_t n, const struct rule *r)
{
	replace_span(&p->w, v, ve);
	p->w.tn = 0;
	p->w.tmp_over = 0;
	if (r->act == ACT_PSEUDO) {
		char tok[ALOG_PS_TOKEN_LEN + 1];
		alog_protect_pseudonym(&p->pepper, t, n, tok);
		tmp_put(p, tok, ALOG_PS_TOKEN_LEN);
	} else {
		mask_plain(p, t, n, r->keep);
	}
	put_tmp_string(p);
}

static void add_match(struct alog_policy *p, size_t s, size_t e, size_t at, int src, enum act a,
                      unsigned keep)
{
	if (p->nm == p->mcap) {
		p->mcap *= 2;
		p->m = alog_xrealloc(p->m, p->mcap * sizeof *p->m);
	}
	p->m[p->nm++] = (struct match){s, e, at, src, a, keep};
}

static int on_detect(void *ctx, const struct alog_detect_match *dm)
{
	struct alog_policy *p = ctx;
	const struct det *d = &p->det[dm->det];

	add_match(p, dm->start, dm->end, dm->at, (int)dm->det, d->act, d->keep);
	/* A rejected event needs no more looking. */
	return d->act == ACT_REJECT;
}

/* Run the pattern rules over t[0..n); t must be followed by a NUL. */
static void run_patterns(struct alog_policy *p, const char *t, size_t n, uint64_t pats)
{
	while (pats) {
		int k = __builtin_ctzll(pats);
		const struct rule *r = &p->rules[p->pat_rule[k]];
		size_t off = 0;
		int flags = 0;
		regmatch_t pm;

		pats &= pats - 1;
		while (off <= n && regexec(&r->re, t + off, 1, &pm, flags) == 0) {
			size_t s = off + (size_t)pm.rm_so, e = off + (size_t)pm.rm_eo;
			flags = REG_NOTBOL;
			if (e == s) {
				/* an empty match changes nothing: step over one character */
				off = s + 1;
				while (off < n && ((unsigned char)t[off] & 0xc0) == 0x80)
					off++;
				continue;
			}
			add_match(p, s, e, 0, ALOG_DET_COUNT + k, r->act, r->keep);
			if (r->act == ACT_REJECT)
				break;
			off = e;
		}
	}
}

static const char *src_name(const struct alog_policy *p, int src)
{
	if (src < ALOG_DET_COUNT)
		return alog_detector_names[src];
	return p->rules[p->pat_rule[src - ALOG_DET_COUNT]].name;
}

static int cmp_match(const void *a, const void *b)
{
	const struct match *x = a, *y = b;
	if (x->s != y->s)
		return x->s < y->s ? -1 : 1;
	if (x->e != y->e)
		return x->e > y->e ? -1 : 1;
	return x->src - y->src;
}

/* Act on the matches found in a string value v..ve (decoded text t[0..n)). 1 when dropped. */
static int resolve(struct alog_policy *p, const char *v, const char *ve, const char *t, size_t n)
{
	struct walk *w = &p->w;
	const struct match *rej = NULL, *drop = NULL, *enc = NULL;
	uint64_t seen_det = 0, seen_pat = 0;
	size_t at = 0;

	for (size_t i = 0; i < p->nm; i++) {
		const struct match *m = &p->m[i];
		if (m->act == ACT_REJECT && !rej)
			rej = m;
		else if (m->act == ACT_DROP && !drop)
			drop = m;
		else if (m->act == ACT_ENCRYPT && !enc)
			enc = m;
	}
	if (rej) {
		char path[256];
		msg_path(w, path, sizeof path);
		problem(p, 1, src_name(p, rej->src), "member \"%s\" holds %s", path,
		        rej->src < ALOG_DET_COUNT ? det_what[rej->src] :
		                                    "a value matching the rule's pattern");
		return 0;
	}
	if (drop) {
		add_note(w, src_name(p, drop->src), ACT_DROP);
		return 1;
	}
	if (enc) {
		seal(p, v, (size_t)(ve - v));
		add_note(w, src_name(p, enc->src), ACT_ENCRYPT);
		return 0;
	}
	if (p->nm > 1)
		qsort(p->m, p->nm, sizeof *p->m, cmp_match);
	w->tn = 0;
	w->tmp_over = 0;
	for (size_t i = 0; i < p->nm; i++) {
		const struct match *m = &p->m[i];
		if (m->s < at)
			continue; /* overlaps an earlier match */
		tmp_put(p, t + at, m->s - at);
		replace(p, t, m);
		at = m->e;
		if (m->src < ALOG_DET_COUNT)
			seen_det |= 1ULL << m->src;
		else
			seen_pat |= 1ULL << (m->src - ALOG_DET_COUNT);
	}
	tmp_put(p, t + at, n - at);
	replace_span(w, v, ve);
	put_tmp_string(p);
	for (int d = 0; d < ALOG_DET_COUNT; d++)
		if (seen_det >> d & 1)
			add_note(w, alog_detector_names[d], p->det[d].act);
	while (seen_pat) {
		int k = __builtin_ctzll(seen_pat);
		seen_pat &= seen_pat - 1;
		add_note(w, p->rules[p->pat_rule[k]].name, p->rules[p->pat_rule[k]].act);
	}
	return 0;
}

static int walk_value(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                      uint64_t scoped, const struct rule *forced);

static int walk_string(struct alog_policy *p, const char **pp, uint64_t scoped,
                       const struct rule *forced)
{
	struct walk *w = &p->w;
	int esc;
	const char *v = *pp, *ve = str_close(v + 1, w->end, &esc) + 1, *t;
	uint64_t pats = w->pats | scoped;
	size_t n;

	*pp = ve;
	if (forced) {
		t = text_of(p, v + 1, (size_t)(ve - v - 2), esc, &n);
		transform_whole(p, v, ve, t, n, forced);
		return 0;
	}
	if (!p->detectors.enabled && !pats)
		return 0;
	t = text_of(p, v + 1, (size_t)(ve - v - 2), esc, &n);
	p->nm = 0;
	if (p->detectors.enabled)
		alog_detect(&p->detectors, t, n, on_detect, p);
	if (pats) {
		if (t != p->dec)
			memcpy(p->dec, t, n);
		p->dec[n] = '\0';
		t = p->dec;
		run_patterns(p, t, n, pats);
	}
	if (p->nm == 0)
		return 0;
	return resolve(p, v, ve, t, n);
}

static int walk_number(struct alog_policy *p, const char **pp, const struct rule *forced)
{
	struct walk *w = &p->w;
	const char *v = *pp, *q = v;
	size_t n;

	while (q < w->end && num_char(*q))
		q++;
	*pp = q;
	n = (size_t)(q - v);
	if (forced) {
		transform_whole(p, v, q, v, n, forced);
		return 0;
	}
	if ((p->detectors.enabled & 1u << ALOG_DET_CARD) && n >= 13 && n <= 19 &&
	    alog_detect_card_number(v, n)) {
		const struct det *d = &p->det[ALOG_DET_CARD];
		struct match m = {0, n, 0, ALOG_DET_CARD, d->act, d->keep};
		char path[256];

		switch (d->act) {
		case ACT_REJECT:
			msg_path(w, path, sizeof path);
			problem(p, 1, alog_detector_names[ALOG_DET_CARD], "member \"%s\" holds %s",
			        path, det_what[ALOG_DET_CARD]);
			return 0;
		case ACT_DROP:
			add_note(w, alog_detector_names[ALOG_DET_CARD], ACT_DROP);
			return 1;
		case ACT_ENCRYPT:
			seal(p, v, n);
			add_note(w, alog_detector_names[ALOG_DET_CARD], ACT_ENCRYPT);
			return 0;
		default:
			w->tn = 0;
			w->tmp_over = 0;
			replace(p, v, &m);
			replace_span(w, v, q);
			put_tmp_string(p);
			add_note(w, alog_detector_names[ALOG_DET_CARD], d->act);
			return 0;
		}
	}
	return 0;
}

static int member(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                  uint64_t scoped);

static int walk_object(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                       uint64_t scoped, const struct rule *forced)
{
	struct walk *w = &p->w;
	const char *s = *pp + 1;

	while (*s != '}') {
		int esc;
		const char *ne = str_close(s + 1, w->end, &esc) + 1, *ms = s;
		int dropped;

		w->names[depth] = (struct alog_span){s + 1, (size_t)(ne - s) - 2};
		w->name_esc[depth] = (uint8_t)esc;
		w->seg[w->nseg].p = s + 1;
		w->seg[w->nseg].n = (size_t)(ne - s) - 2;
		w->seg[w->nseg].idx = -1;
		w->nseg++;
		s = ne + 1;
		if (forced)
			dropped = walk_value(p, &s, NULL, depth + 1, 0, forced);
		else
			dropped = member(p, &s, set, depth, scoped);
		w->nseg--;
		if (dropped)
			drop_span(w, ms, s, 0);
		if (*s == ',')
			s++;
	}
	*pp = s + 1;
	return 0;
}

static int walk_array(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                      uint64_t scoped, const struct rule *forced)
{
	struct walk *w = &p->w;
	const char *s = *pp + 1;
	long idx = 0, oidx = 0;

	while (*s != ']') {
		const char *ms = s;
		int dropped;

		w->seg[w->nseg].idx = idx++;
		w->seg[w->nseg].oidx = oidx;
		w->nseg++;
		dropped = walk_value(p, &s, set, depth, scoped, forced);
		w->nseg--;
		if (dropped)
			drop_span(w, ms, s, 0);
		else
			oidx++;
		if (*s == ',')
			s++;
	}
	*pp = s + 1;
	return 0;
}

static int walk_value(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                      uint64_t scoped, const struct rule *forced)
{
	const char *v = *pp;

	switch (*v) {
	case '{':
		return walk_object(p, pp, set, depth, scoped, forced);
	case '[':
		return walk_array(p, pp, set, depth, scoped, forced);
	case '"':
		return walk_string(p, pp, scoped, forced);
	case 't':
	case 'n':
		*pp = v + 4;
		return 0;
	case 'f':
		*pp = v + 5;
		return 0;
	default:
		return walk_number(p, pp, forced);
	}
}

/* A path rule takes the whole value at its path. 1 when dropped. */
static int apply_rule(struct alog_policy *p, const char **pp, const struct rule *r, int depth)
{
	struct walk *w = &p->w;
	const char *v = *pp, *ve = alog_json_skip(v, w->end);
	unsigned before;
	char path[256];

	switch (r->act) {
	case ACT_DROP:
		*pp = ve;
		add_note(w, r->name, ACT_DROP);
		return 1;
	case ACT_REJECT:
		msg_path(w, path, sizeof path);
		problem(p, 1, r->name, "member \"%s\" is not allowed", path);
		*pp = ve;
		return 0;
	case ACT_ENCRYPT:
		seal(p, v, (size_t)(ve - v));
		add_note(w, r->name, ACT_ENCRYPT);
		*pp = ve;
		return 0;
	default:
		before = w->replaced;
		walk_value(p, pp, NULL, depth + 1, 0, r);
		/* true, false and null have nothing to mask */
		if (w->replaced != before)
			add_note(w, r->name, r->act);
		return 0;
	}
}

/*
 * The entries of set that go on through the name at names[depth]: into
 * child those that go deeper, hit() for those that end here.  Names
 * without escapes (nearly all) are found in the index; others compared
 * entry by entry.  Returns whether child is non-empty.
 */
static int step(struct alog_policy *p, const uint64_t *set, int depth, uint64_t *child,
                const char *v, int *first, uint64_t *scoped)
{
	struct walk *w = &p->w;
	const uint64_t *byname = NULL, *star, *ends;
	int any = 0;

	if ((unsigned)depth >= p->maxlen)
		return 0;
	star = p->star + (size_t)depth * p->nw;
	ends = p->ends + (size_t)depth * p->nw;
	if (!w->name_esc[depth]) {
		byname = ctab_find(p, w->names[depth].p, w->names[depth].n, (unsigned)depth);
	} else {
		for (size_t i = 0; i < p->nw; i++) {
			uint64_t bits = set[i], c = 0;
			while (bits) {
				int b = __builtin_ctzll(bits);
				const struct entry *e = &p->ent[i * 64 + (size_t)b];
				bits &= bits - 1;
				if (!e->path.floating && e->path.n > (unsigned)depth &&
				    comp_eq(w, &e->path.c[depth], depth))
					c |= 1ULL << b;
			}
			child[i] = c;
		}
		byname = child;
	}
	for (size_t i = 0; i < p->nw; i++) {
		uint64_t m = set[i] & ((byname ? byname[i] : 0) | star[i]), hits = m & ends[i];
		child[i] = m & ~ends[i];
		any |= child[i] != 0;
		while (hits) {
			int b = __builtin_ctzll(hits);
			hits &= hits - 1;
			hit(p, i * 64 + (size_t)b, v, first, scoped);
		}
	}
	return any;
}

/* The member whose name is names[depth] and whose value is at *pp.  1 when dropped. */
static int member(struct alog_policy *p, const char **pp, const uint64_t *set, int depth,
                  uint64_t scoped)
{
	struct walk *w = &p->w;
	uint64_t *child = p->sets + (size_t)(depth + 1) * p->nw;
	int first = -1, any = 0;
	const char *v = *pp;

	if (set)
		any = step(p, set, depth, child, v, &first, &scoped);
	for (size_t f = 0; f < p->nfloating; f++) {
		size_t k = (size_t)p->floating[f];
		const struct comp *last = p->floating_last[f];
		/* the last name first: it rarely matches */
		if ((last->star || last->n == w->names[depth].n || w->name_esc[depth]) &&
		    bit_get(w->active, k) && floating_match(w, &p->ent[k].path, depth))
			hit(p, k, v, &first, &scoped);
	}
	if (first >= 0)
		return apply_rule(p, pp, &p->rules[first], depth);
	return walk_value(p, pp, any ? child : NULL, depth + 1, scoped, NULL);
}

/* The top-level action member: its raw string contents, for the action patterns. */
static void find_action(struct alog_policy *p, const char *s, const char *end)
{
	struct walk *w = &p->w;

	w->action_state = 0;
	while (s < end) {
		const char *ne = alog_json_skip(s + 1, end), *ve;
		if (!ne)
			return;
		ve = alog_json_skip(ne + 1, end);
		if (!ve)
			return;
		if (alog_json_name_eq((struct alog_span){s + 2, (size_t)(ne - s) - 3}, "action",
		                      6)) {
			if (ne[1] == '"') {
				w->action_state = 2;
				w->action = (struct alog_span){ne + 2, (size_t)(ve - ne) - 3};
			} else {
				w->action_state = 1;
			}
			return;
		}
		s = ve;
	}
}

/* An action pattern: '*' matches any run of characters, '?' any one, the rest itself. */
static int glob(const char *pat, const char *s)
{
	const char *star = NULL, *resume = NULL;

	while (*s) {
		if (*pat == '*') {
			star = pat++;
			resume = s;
		} else if (*pat && (*pat == '?' || *pat == *s)) {
			if (*pat == '?')
				while (((unsigned char)s[1] & 0xc0) == 0x80)
					s++;
			pat++;
			s++;
		} else if (star) {
			pat = star + 1;
			s = ++resume;
		} else {
			return 0;
		}
	}
	while (*pat == '*')
		pat++;
	return *pat == '\0';
}

static void match_action(struct alog_policy *p)
{
	struct walk *w = &p->w;
	const char *act;
	long m;
	int allowed = 0;

	if (w->action_state != 2) {
		if (p->nallow)
			problem(p, 0, "actions", w->action_state == 0 ?
			                 "the event has no action member" :
			                 "the action member is not a string");
		return;
	}
	m = alog_json_unescape(w->action.p, w->action.n, p->dec, p->deccap - 1);
	p->dec[m < 0 ? 0 : m] = '\0';
	act = p->dec;
	for (size_t b = 0; b < p->nblocks; b++) {
		const struct block *bl = &p->blocks[b];
		for (size_t j = 0; j < bl->nacts; j++) {
			if (glob(bl->acts[j], act)) {
				for (size_t i = 0; i < p->nw; i++)
					p->active[i] |= bl->mask[i];
				w->pats |= bl->pats;
				break;
			}
		}
	}
	for (size_t j = 0; j < p->nallow && !allowed; j++)
		allowed = glob(p->allow[j], act);
	if (p->nallow && !allowed) {
		char shown[256];
		snprintf(shown, sizeof shown, "%.*s", (int)(w->action.n < 200 ? w->action.n : 200),
		         w->action.p);
		sanitize(shown, MSG_PATH_MAX);
		problem(p, 0, "actions", "action \"%s\" is not allowed", shown);
	}
}

static void check_required(struct alog_policy *p)
{
	struct walk *w = &p->w;

	for (size_t k = 0; k < p->nent; k++) {
		const struct entry *e = &p->ent[k];
		if (e->kind != E_REQUIRE || !bit_get(w->active, k) || bit_get(w->present, k))
			continue;
		if (e->block < 0) {
			problem(p, 0, "require", "missing member \"%s\"", e->path.text);
		} else {
			char shown[256];
			snprintf(shown, sizeof shown, "%.*s",
			         (int)(w->action.n < 200 ? w->action.n : 200), w->action.p);
			sanitize(shown, MSG_PATH_MAX);
			problem(p, 0, p->blocks[e->block].name,
			        "missing member \"%s\" (required for action \"%s\")", e->path.text,
			        shown);
		}
	}
}

/* ,"alog":{"policy":[...],"policy_violation":[...]} */
static void put_note(struct walk *w)
{
	char num[64];
	int first = 1;

	put(w, ",\"alog\":{", 9);
	if (w->nnotes) {
		put(w, "\"policy\":[", 10);
		put(w, w->notes, w->nn);
		put(w, "]", 1);
		first = 0;
	}
	if (w->notes_more) {
		snprintf(num, sizeof num, "%s\"policy_omitted\":%u", first ? "" : ",",
		         w->notes_more);
		put(w, num, strlen(num));
		first = 0;
	}
	if (w->nviol) {
		if (!first)
			put(w, ",", 1);
		put(w, "\"policy_violation\":[", 20);
		put(w, w->viol, w->vn);
		put(w, "]", 1);
		first = 0;
	}
	if (w->viol_more) {
		snprintf(num, sizeof num, "%s\"policy_violation_omitted\":%u", first ? "" : ",",
		         w->viol_more);
		put(w, num, strlen(num));
	}
	put(w, "}", 1);
}

int alog_policy_apply(struct alog_policy *p, const char *in, size_t n, const char **out,
                      size_t *outlen, struct alog_error *e)
{
	struct walk *w = &p->w;
	const char *s = in, *end = in + n;

	w->end = end;
	w->flushed = in;
	w->on = 0;
	w->replaced = 0;
	w->overflow = w->changed = w->rejected = 0;
	w->nseg = 0;
	w->nn = w->vn = 0;
	w->nnotes = w->nviol = w->notes_more = w->viol_more = 0;
	w->action.n = 0;
	w->action.p = "";
	memset(w->present, 0, p->nw * sizeof *w->present);
	memcpy(p->active, p->gmask, p->nw * sizeof *p->active);
	w->active = p->active;
	w->pats = p->gpats;
	if (p->nallow || p->nblocks) {
		find_action(p, in, end);
		match_action(p);
	}
	/* members text: each member is ',' "name" ':' value */
	while (s < end) {
		int esc;
		const char *ne = str_close(s + 2, end, &esc) + 1, *ms = s;

		if (*s != ',' || s[1] != '"' || ne >= end || *ne != ':')
			return alog_err(e, "malformed event members");
		w->names[0] = (struct alog_span){s + 2, (size_t)(ne - s) - 3};
		w->name_esc[0] = (uint8_t)esc;
		w->seg[0].p = s + 2;
		w->seg[0].n = (size_t)(ne - s) - 3;
		w->seg[0].idx = -1;
		w->nseg = 1;
		s = ne + 1;
		if (member(p, &s, p->active, 0, 0))
			drop_span(w, ms, s, 1);
		w->nseg = 0;
	}
	check_required(p);
	for (size_t i = 0; i < p->nw; i++)
		p->cover[i] |= w->present[i];
	p->cover_events++;
	if (w->rejected)
		return alog_err(e, "%s", w->err);
	if (!w->changed && !w->nviol && !w->viol_more) {
		*out = in;
		*outlen = n;
		return 0;
	}
	flush_to(w, end);
	put_note(w);
	if (w->overflow)
		return alog_err(e, "the event would be longer than %d bytes after the policy's "
		                   "changes", ALOG_MAX_MEMBERS);
	*out = w->out;
	*outlen = w->on;
	return 0;
}
