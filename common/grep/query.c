/*
 * query.c - parsing and matching alog-grep queries.  A record is never
 * parsed into a tree: the prefilter rejects most lines with one SIMD
 * search, and a candidate is walked member by member until every name the
 * query needs is found; only those values are decoded and compared.
 */
#include "grep/query.h"

#include <errno.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>
#include <wctype.h>

#include "base/find.h"
#include "base/json.h"
#include "base/ts.h"

enum op { OP_EQ, OP_NE, OP_RE, OP_PREFIX, OP_GT, OP_GE, OP_LT, OP_LE, OP_EXISTS };

struct term {
	char **path;   /* decoded names, NUL-terminated */
	size_t depth;
	size_t top;    /* index of path[0] in the alternative's top-level names */
	enum op op;
	char *val;     /* the value as written, quotes removed */
	size_t vlen;
	int quoted;    /* some of the value was quoted: strings only */
	int is_num;    /* val is a JSON number */
	int has_re;
	regex_t re;
	char *lit;     /* a literal every matching line holds (or a backslash), or NULL */
	size_t litn;
	unsigned score; /* how selective lit is likely to be */
	int eqeq;      /* written NAME==VALUE: the value starts with an unquoted '=' */
};

struct alt {
	struct term *t;
	size_t n;
	char **tops;   /* distinct first path components */
	size_t *topn;
	size_t ntops;
	const struct term *lit; /* the term whose literal is searched, or NULL */
	struct alog_finder f;
};

struct alog_query {
	struct alt *a;
	size_t n;
	int matched; /* the alternative of the last match */
	char *scratch;
	size_t scap;
	struct alog_span *spans;
	unsigned char *found;
	size_t span_cap;
	size_t *next;  /* scan cache: next literal (or backslash) of each alternative */
	size_t ncache;
	int icase;     /* string values compare without regard to case */
	const struct alog_finder *guard; /* also a candidate in alog_query_scan, or NULL */
};

/* ---- numbers ---- */

struct num {
	int neg, zero;
	const char *ip, *ie, *fp, *fe; /* integer and fraction digits */
	int64_t mag;  /* power of ten of the first significant digit */
	const char *sig; /* the first significant digit */
};

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parse JSON number text exactly; 0 or -1. */
static int num_parse(const char *s, size_t n, struct num *x)
{
	const char *p = s, *e = s + n;
	int64_t exp = 0;
	int eneg = 0;

	memset(x, 0, sizeof *x);
	if (p < e && *p == '-') {
		x->neg = 1;
		p++;
	}
	if (p == e || !is_digit(*p))
		return -1;
	x->ip = p;
	if (*p == '0')
		p++;
	else
		while (p < e && is_digit(*p))
			p++;
	x->ie = p;
	x->fp = x->fe = p;
	if (p < e && *p == '.') {
		p++;
		if (p == e || !is_digit(*p))
			return -1;
		x->fp = p;
		while (p < e && is_digit(*p))
			p++;
		x->fe = p;
	}
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			eneg = *p++ == '-';
		if (p == e || !is_digit(*p))
			return -1;
		/* saturate far beyond any digit count a line can hold */
		for (; p < e && is_digit(*p); p++)
			if (exp < 1000000000000000LL)
				exp = exp * 10 + (*p - '0');
		if (eneg)
			exp = -exp;
	}
	if (p != e)
		return -1;
	for (p = x->ip; p < x->ie && *p == '0'; p++)
		;
	if (p < x->ie) {
		x->sig = p;
		x->mag = (int64_t)(x->ie - p) - 1 + exp;
		return 0;
	}
	for (p = x->fp; p < x->fe && *p == '0'; p++)
		;
	if (p < x->fe) {
		x->sig = p;
		x->mag = -(int64_t)(p - x->fp) - 1 + exp;
		return 0;
	}
	x->zero = 1;
	return 0;
}

int alog_num_valid(const char *s, size_t n)
{
	struct num x;
	return num_parse(s, n, &x) == 0;
}

/* The next significant digit of x after *p (which walks int then fraction digits), or 0. */
static char num_next(const struct num *x, const char **p)
{
	if (*p == x->ie)
		*p = x->fp;
	if (*p >= x->fe || (*p >= x->ie && *p < x->fp))
		return 0;
	return *(*p)++;
}

int alog_num_cmp(const char *a, size_t an, const char *b, size_t bn, int *cmp)
{
	struct num x, y;
	const char *px, *py;
	int r = 0;

	if (num_parse(a, an, &x) != 0 || num_parse(b, bn, &y) != 0)
		return -1;
	if (x.zero || y.zero) {
		int sx = x.zero ? 0 : x.neg ? -1 : 1, sy = y.zero ? 0 : y.neg ? -1 : 1;
		*cmp = (sx > sy) - (sx < sy);
		return 0;
	}
	if (x.neg != y.neg) {
		*cmp = x.neg ? -1 : 1;
		return 0;
	}
	if (x.mag != y.mag) {
		r = x.mag > y.mag ? 1 : -1;
	} else {
		px = x.sig;
		py = y.sig;
		for (;;) {
			char cx = num_next(&x, &px), cy = num_next(&y, &py);
			if (!cx && !cy)
				break;
			/* a shorter digit string goes on with zeros */
			if (!cx)
				cx = '0';
			if (!cy)
				cy = '0';
			if (cx != cy) {
				r = cx > cy ? 1 : -1;
				break;
			}
		}
	}
	*cmp = x.neg ? -r : r;
	return 0;
}

/* ---- time bounds ---- */

#define NS_PER_S 1000000000LL

/*
 * Seconds since the epoch of a civil time (tm fields as mktime takes
 * them, out of range ones normalised) in UTC or in local time (TZ).
 */
static int civil_to_secs(struct tm *tm, int utc, int64_t *secs)
{
	if (utc) {
		time_t t = timegm(tm);
		*secs = (int64_t)t;
		return 0;
	}
	tm->tm_isdst = -1;
	errno = 0;
	time_t t = mktime(tm);
	if (t == (time_t)-1 && errno)
		return -1;
	*secs = (int64_t)t;
	return 0;
}

/* The civil date and time of ns, in UTC or local time. */
static void secs_to_civil(int64_t ns, int utc, struct tm *tm)
{
	time_t t = (time_t)(ns / NS_PER_S - (ns % NS_PER_S < 0));
	if (utc)
		gmtime_r(&t, tm);
	else
		localtime_r(&t, tm);
}

/* "HH:MM" or "HH:MM:SS" (no fraction) into tm; 0 or -1. */
static int clock_time(const char *s, struct tm *tm)
{
	size_t n = strlen(s);
	if ((n != 5 && n != 8) || !is_digit(s[0]) || !is_digit(s[1]) || s[2] != ':' ||
	    !is_digit(s[3]) || !is_digit(s[4]) ||
	    (n == 8 && (s[5] != ':' || !is_digit(s[6]) || !is_digit(s[7]))))
		return -1;
	tm->tm_hour = (s[0] - '0') * 10 + (s[1] - '0');
	tm->tm_min = (s[3] - '0') * 10 + (s[4] - '0');
	tm->tm_sec = n == 8 ? (s[6] - '0') * 10 + (s[7] - '0') : 0;
	if (tm->tm_hour > 23 || tm->tm_min > 59 || tm->tm_sec > 60)
		return -1;
	return 0;
}

/* A unit word of "N UNIT ago" in seconds; 0 when it is none. */
static int64_t unit_word(const char *w, size_t n)
{
	static const struct {
		const char *name;
		int64_t secs;
	} units[] = {
		{"s", 1}, {"sec", 1}, {"secs", 1}, {"second", 1}, {"seconds", 1},
		{"m", 60}, {"min", 60}, {"mins", 60}, {"minute", 60}, {"minutes", 60},
		{"h", 3600}, {"hour", 3600}, {"hours", 3600},
		{"d", 86400}, {"day", 86400}, {"days", 86400},
		{"w", 604800}, {"week", 604800}, {"weeks", 604800},
	};
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strlen(units[i].name) == n && memcmp(units[i].name, w, n) == 0)
			return units[i].secs;
	return 0;
}

/* "1 hour ago", "2 days 3 hours ago", "90 min ago": the duration; 0 or -1. */
static int words_ago(const char *s, int64_t *ns)
{
	const char *p = s;
	int64_t total = 0;
	int pairs = 0;

	for (;;) {
		int64_t v = 0, unit;
		const char *w;
		while (*p == ' ')
			p++;
		if (strcmp(p, "ago") == 0)
			break;
		if (!is_digit(*p))
			return -1;
		while (is_digit(*p)) {
			if (v > 1000000000LL)
				return -1;
			v = v * 10 + (*p++ - '0');
		}
		while (*p == ' ')
			p++;
		for (w = p; *p && *p != ' '; p++)
			;
		if (!(unit = unit_word(w, (size_t)(p - w))) ||
		    v > (INT64_MAX / NS_PER_S - total) / unit)
			return -1;
		total += v * unit;
		pairs++;
	}
	if (!pairs)
		return -1;
	*ns = total * NS_PER_S;
	return 0;
}

int alog_time_arg(const char *s, int64_t now, int utc, int64_t *ns)
{
	struct tm tm;
	char buf[64];
	size_t n = strlen(s);
	int64_t d, secs;
	const char *rest = NULL;
	int back = -1;

	if (strcmp(s, "now") == 0) {
		*ns = now;
		return 0;
	}
	/* today, yesterday, either with a time, or a time alone (today) */
	if (strncmp(s, "today", 5) == 0 && (!s[5] || s[5] == ' '))
		back = 0, rest = s + 5;
	else if (strncmp(s, "yesterday", 9) == 0 && (!s[9] || s[9] == ' '))
		back = 1, rest = s + 9;
	else if (n >= 5 && n <= 8 && s[2] == ':')
		back = 0, rest = s;
	if (back >= 0) {
		while (*rest == ' ')
			rest++;
		secs_to_civil(now, utc, &tm);
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_mday -= back;
		if (*rest && clock_time(rest, &tm) != 0)
			return -1;
		if (civil_to_secs(&tm, utc, &secs) != 0)
			return -1;
		*ns = secs * NS_PER_S;
		return 0;
	}
	/* a duration before now: 2h, -2h, 1h30m, "2h ago", "1 hour ago" */
	if (n && (is_digit(s[0]) || (s[0] == '-' && is_digit(s[1])))) {
		const char *p = s[0] == '-' ? s + 1 : s;
		size_t k = strlen(p);
		if (alog_parse_duration(p, &d) == 0 ||
		    (s[0] != '-' && k > 4 && k < sizeof buf && strcmp(p + k - 4, " ago") == 0 &&
		     (memcpy(buf, p, k - 4), buf[k - 4] = '\0', alog_parse_duration(buf, &d) == 0)) ||
		    (s[0] != '-' && words_ago(p, &d) == 0)) {
			*ns = now - d;
			return 0;
		}
	}
	/* an RFC 3339 time with its Z or offset is as given */
	if (n != 10 && alog_ts_parse(s, ns) == 0)
		return 0;
	/* a date, or a date and time without a zone: local (UTC with utc), seconds optional */
	if (n == 10) {
		memcpy(buf, s, n);
		memcpy(buf + n, "T00:00:00Z", 11);
	} else {
		if (n < 16 || n > 40 || (s[10] != 'T' && s[10] != 't' && s[10] != ' '))
			return -1;
		for (size_t i = 11; i < n; i++)
			if (s[i] == 'Z' || s[i] == 'z' || s[i] == '+' || s[i] == '-')
				return -1;
		memcpy(buf, s, n);
		if (n == 16) {
			memcpy(buf + n, ":00", 3);
			n += 3;
		}
		buf[n++] = 'Z';
		buf[n] = '\0';
	}
	if (alog_ts_parse(buf, &d) != 0)
		return -1;
	if (utc) {
		*ns = d;
		return 0;
	}
	/* the same wall clock reading, in local time */
	{
		int64_t frac = ((d % NS_PER_S) + NS_PER_S) % NS_PER_S;
		secs_to_civil(d, 1, &tm);
		if (civil_to_secs(&tm, 0, &secs) != 0)
			return -1;
		*ns = secs * NS_PER_S + frac;
	}
	return 0;
}

/* ---- tokenizing ---- */

enum { F_LIT = 1, F_QUOTE = 2 };

/* A word of the query; fl has n + 1 entries (a quote may open at the end). */
struct word {
	char *s;            /* quote removal done */
	unsigned char *fl;  /* F_LIT: quoted or escaped; F_QUOTE: a quote opened here */
	size_t n, off, end; /* where it was in the text */
};

static void word_free(struct word *w, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(w[i].s);
		free(w[i].fl);
	}
	free(w);
}

/*
 * Split text into words the way sh does: whitespace, '...', "..." and
 * backslash, except that outside quotes a backslash escapes only blanks,
 * quotes and itself.
 */
static int tokenize(const char *text, struct word **out, size_t *nout, size_t *at, size_t *at_len,
                    struct alog_error *e)
{
	size_t len = strlen(text), i = 0, nw = 0;
	struct word *w = NULL, *cur;

	while (i < len) {
		while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n'))
			i++;
		if (i == len)
			break;
		w = alog_xrealloc(w, (nw + 1) * sizeof *w);
		cur = &w[nw++];
		cur->s = alog_xmalloc(len + 1);
		cur->fl = alog_xmalloc(len + 2);
		memset(cur->fl, 0, len + 2);
		cur->n = 0;
		cur->off = i;
		while (i < len && text[i] != ' ' && text[i] != '\t' && text[i] != '\n') {
			char c = text[i];
			if (c == '\'') {
				size_t q = i++;
				cur->fl[cur->n] |= F_QUOTE;
				while (i < len && text[i] != '\'') {
					cur->fl[cur->n] |= F_LIT;
					cur->s[cur->n++] = text[i++];
				}
				if (i == len) {
					*at = q;
					*at_len = len - q;
					word_free(w, nw);
					return alog_err(e, "unterminated single quote");
				}
				i++;
			} else if (c == '"') {
				size_t q = i++;
				cur->fl[cur->n] |= F_QUOTE;
				while (i < len && text[i] != '"') {
					if (text[i] == '\\' && i + 1 < len &&
					    strchr("\"\\$`\n", text[i + 1])) {
						i++;
						if (text[i] == '\n') {
							i++;
							continue;
						}
					}
					cur->fl[cur->n] |= F_LIT;
					cur->s[cur->n++] = text[i++];
				}
				if (i == len) {
					*at = q;
					*at_len = len - q;
					word_free(w, nw);
					return alog_err(e, "unterminated double quote");
				}
				i++;
			} else if (c == '\\') {
				if (i + 1 == len) {
					*at = i;
					*at_len = 1;
					word_free(w, nw);
					return alog_err(e, "a backslash ends the query");
				}
				/*
				 * Only what would end or quote the word is escaped; other
				 * backslashes stand for themselves, so that a regular
				 * expression such as ^db\. keeps its own.
				 */
				if (!strchr(" \t\n'\"\\", text[i + 1])) {
					cur->s[cur->n++] = text[i++];
					continue;
				}
				i++;
				if (text[i] == '\n') {
					i++;
					continue;
				}
				cur->fl[cur->n] |= F_LIT;
				cur->s[cur->n++] = text[i++];
			} else {
				cur->s[cur->n++] = text[i++];
			}
		}
		cur->s[cur->n] = '\0';
		cur->end = i;
	}
	*out = w;
	*nout = nw;
	return 0;
}

/* ---- terms ---- */

static void term_free(struct term *t)
{
	for (size_t i = 0; i < t->depth; i++)
		free(t->path[i]);
	free(t->path);
	free(t->val);
	free(t->lit);
	if (t->has_re)
		regfree(&t->re);
}

/* Bytes JSON requires to be escaped: a line holding them also holds a backslash. */
static int must_escape(unsigned char c)
{
	return c < 0x20 || c == '"' || c == '\\';
}

/*
 * The literal a line holding the decoded bytes s[0..n) must contain: the
 * longest run without bytes that need escaping (a backslash when there is
 * none), with quotes around it when whole.
 */
static void set_literal(struct term *t, const char *s, size_t n, int as_name)
{
	size_t best = 0, bestlen = 0, i = 0;

	while (i < n) {
		size_t j = i;
		while (j < n && !must_escape((unsigned char)s[j]))
			j++;
		if (j - i > bestlen) {
			best = i;
			bestlen = j - i;
		}
		i = j + 1;
	}
	if (as_name && bestlen == n && n > 0) {
		t->lit = alog_xmalloc(n + 2);
		t->lit[0] = '"';
		memcpy(t->lit + 1, s, n);
		t->lit[n + 1] = '"';
		t->litn = n + 2;
		/* names are in most lines: worth little */
		t->score = (unsigned)n;
		return;
	}
	if (bestlen == 0) {
		t->lit = alog_xstrdup("\\");
		t->litn = 1;
		t->score = 100;
		return;
	}
	t->lit = alog_xmalloc(bestlen);
	memcpy(t->lit, s + best, bestlen);
	t->litn = bestlen;
	t->score = as_name ? (unsigned)bestlen : 10 * (unsigned)bestlen;
}

/* The end of the bracket expression opening at p ('['), or NULL when it has none. */
static const char *re_bracket_end(const char *p)
{
	p++;
	if (*p == '^')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']') {
		if (*p == '[' && (p[1] == ':' || p[1] == '.' || p[1] == '=')) {
			char c = p[1];
			const char *q = p + 2;
			while (*q && !(q[0] == c && q[1] == ']'))
				q++;
			if (!*q)
				return NULL;
			p = q + 2;
		} else {
			p++;
		}
	}
	return *p ? p : NULL;
}

/*
 * glibc's regcomp copies a repeated subexpression once per repetition and
 * can take gigabytes for a short pattern such as x+++++..., x{,30000} or
 * ((a{99}){99}){99}: estimate the compiled size first.  Adjacent
 * duplication symbols are undefined in POSIX EREs anyway.
 */
#define RE_MAX_SIZE 100000.0
#define RE_MAX_QUAD 1e7

static int re_check(const char *re, const char **why)
{
	double stack[ALOG_JSON_MAX_DEPTH + 1], alt[ALOG_JSON_MAX_DEPTH + 1], last = 0, quad = 0;
	int depth = 0, after_dup = 0;
	const char *p = re;

	stack[0] = alt[0] = 0;
	while (*p) {
		double atom = 1;
		if (*p == '*' || *p == '+' || *p == '?' || *p == '{') {
			double times = *p == '+' || *p == '*' || *p == '?' ? 2 : 1;
			if (after_dup) {
				*why = "adjacent repetition operators";
				return -1;
			}
			if (*p == '{') {
				unsigned long m = 0, n = 0;
				const char *q = p + 1;
				while (*q >= '0' && *q <= '9' && m < 100000)
					m = m * 10 + (unsigned long)(*q++ - '0');
				n = m;
				if (*q == ',') {
					n = 0;
					for (q++; *q >= '0' && *q <= '9' && n < 100000; q++)
						n = n * 10 + (unsigned long)(*q - '0');
					if (n < m)
						n = m + 1;
				}
				times = (double)(n > m ? n : m) + 1;
				p = strchr(p, '}') ? strchr(p, '}') : p + strlen(p) - 1;
			}
			stack[depth] += last * (times - 1);
			/*
			 * A bounded repetition of n copies costs regcomp about n * n
			 * (x{,30000} takes 7 GB): keep that within some tens of MB.
			 */
			quad += (last * times) * (last * times);
			if (quad > RE_MAX_QUAD) {
				*why = "too large once its repetitions are expanded";
				return -1;
			}
			p++;
			after_dup = 1;
			continue;
		}
		after_dup = 0;
		if (*p == '\\' && p[1]) {
			p += 2;
		} else if (*p == '[') {
			/* one atom; an unterminated one runs to the end (regcomp refuses it) */
			const char *e = re_bracket_end(p);
			p = e ? e + 1 : p + strlen(p);
		} else if (*p == '(') {
			if (depth == ALOG_JSON_MAX_DEPTH) {
				*why = "groups nested too deep";
				return -1;
			}
			depth++;
			stack[depth] = alt[depth] = 0;
			p++;
			continue;
		} else if (*p == ')' && depth > 0) {
			atom = stack[depth] + alt[depth];
			depth--;
			p++;
		} else if (*p == '|') {
			alt[depth] += stack[depth];
			stack[depth] = 0;
			p++;
			last = 0;
			continue;
		} else {
			p++;
		}
		stack[depth] += atom;
		last = atom;
		if (stack[depth] + alt[depth] > RE_MAX_SIZE) {
			*why = "too large once its repetitions are expanded";
			return -1;
		}
	}
	while (depth > 0) {
		double v = stack[depth] + alt[depth];
		depth--;
		stack[depth] += v;
	}
	if (stack[0] + alt[0] > RE_MAX_SIZE) {
		*why = "too large once its repetitions are expanded";
		return -1;
	}
	return 0;
}

/* The length of the interval {m}, {m,} or {m,n} at p, or 0 when p holds none. */
static size_t re_interval(const char *p)
{
	const char *q = p + 1;

	if (!is_digit(*q))
		return 0;
	while (is_digit(*q))
		q++;
	if (*q == ',')
		for (q++; is_digit(*q); q++)
			;
	return *q == '}' ? (size_t)(q - p) + 1 : 0;
}

/*
 * A literal every string the ERE re matches must contain, as bytes a
 * JSON line holding such a string holds unless it holds a backslash: the
 * longest run of plain characters outside groups, brackets and repeated
 * atoms, with the string's quote in front after a leading ^ and behind
 * before a final $.  Conservative: only printable ASCII other than '"'
 * and '\' joins a run; an alternation at the top, a repetition operator
 * where none can stand, or anything not understood gives none.  Returns
 * the literal's length in out (which holds strlen(re) + 2 bytes), 0 for
 * none.
 */
static size_t re_literal(const char *re, char *out)
{
	size_t best = 0, run = 0, len = strlen(re);
	char *cur = alog_xmalloc(len + 3);
	const char *p = re;
	int in_run = 0;  /* the last atom is the last byte of cur */
	int atom = 0;    /* a repetition operator may follow */
	int anchored = 0; /* cur started right after a leading ^ */

#define END_RUN()                                                 	do {                                                      		if (run > best) {                                 			memcpy(out, cur, run);                    			best = run;                               		}                                                 		run = 0;                                          		in_run = anchored = 0;                            	} while (0)

	while (*p) {
		char c = *p;
		if (c == '*' || c == '+' || c == '?' || c == '{') {
			size_t k = c == '{' ? re_interval(p) : 1;
			if (!atom || !k)
				goto none;
			/* the repeated atom may be absent or repeated: not part of a run */
			if (in_run)
				run--;
			END_RUN();
			atom = 0;
			p += k;
			continue;
		}
		if (c == '|')
			goto none;
		if (c == '^' || c == '$') {
			if (c == '$' && !p[1] && in_run) {
				cur[run++] = '"';
			} else if (c == '^' && p == re) {
				END_RUN();
				cur[run++] = '"';
				anchored = 1;
				p++;
				atom = 0;
				continue;
			}
			END_RUN();
			atom = 0;
			p++;
			continue;
		}
		if (c == '[') {
			const char *e = re_bracket_end(p);
			if (!e)
				goto none;
			END_RUN();
			atom = 1;
			p = e + 1;
			continue;
		}
		if (c == '(') {
			int depth = 0;
			/* a group: skipped whole */
			while (*p) {
				if (*p == '\\' && p[1]) {
					p += 2;
					continue;
				}
				if (*p == '[') {
					const char *e = re_bracket_end(p);
					if (!e)
						goto none;
					p = e + 1;
					continue;
				}
				if (*p == '(')
					depth++;
				else if (*p == ')' && --depth == 0)
					break;
				p++;
			}
			if (!*p)
				goto none;
			END_RUN();
			atom = 1;
			p++;
			continue;
		}
		if (c == '\\') {
			c = p[1];
			if (!c)
				goto none;
			p += 2;
			atom = 1;
			/* an escaped special character stands for itself; \w, \b, \1 and the like do not */
			if (!strchr(".[]()*+?{}|^$", c)) {
				END_RUN();
				continue;
			}
		} else {
			p++;
			atom = 1;
			if (c == '.' || c == ')' || c == ']' || c == '}') {
				END_RUN();
				continue;
			}
		}
		if ((unsigned char)c < 0x20 || (unsigned char)c >= 0x7f || c == '"' || c == '\\') {
			END_RUN();
			continue;
		}
		cur[run++] = c;
		in_run = 1;
	}
	END_RUN();
#undef END_RUN
	free(cur);
	/* a quote alone, or one character, says little */
	return best >= 2 && !(best == 2 && (out[0] == '"' || out[1] == '"')) ? best : 0;
none:
	free(cur);
	return 0;
}

static const char op_help[] =
	"use NAME=VALUE, NAME!=VALUE, NAME~REGEX, NAME^=PREFIX, NAME>N, NAME>=N, NAME<N, "
	"NAME<=N or NAME?";

static int parse_term(struct term *t, const struct word *w, const char *text, int icase,
                      struct alog_error *e)
{
	const char *s = w->s;
	const unsigned char *fl = w->fl;
	size_t n = w->n, i, oplen = 0, vstart, start;
	int src = (int)(w->end - w->off);
	const char *srcp = text + w->off;

	memset(t, 0, sizeof *t);
	for (i = 0; i < n; i++) {
		int next_eq = i + 1 < n && s[i + 1] == '=' && !(fl[i + 1] & F_LIT);
		if (fl[i] & F_LIT)
			continue;
		switch (s[i]) {
		case '=':
			t->op = OP_EQ, oplen = 1;
			break;
		case '~':
			t->op = OP_RE, oplen = 1;
			break;
		case '?':
			t->op = OP_EXISTS, oplen = 1;
			break;
		case '!':
			if (next_eq)
				t->op = OP_NE, oplen = 2;
			break;
		case '^':
			if (next_eq)
				t->op = OP_PREFIX, oplen = 2;
			break;
		case '>':
			t->op = next_eq ? OP_GE : OP_GT, oplen = next_eq ? 2 : 1;
			break;
		case '<':
			t->op = next_eq ? OP_LE : OP_LT, oplen = next_eq ? 2 : 1;
			break;
		}
		if (oplen)
			break;
	}
	if (!oplen)
		return alog_err(e, "'%.*s' is not a term: %s", src, srcp, op_help);
	if (i == 0)
		return alog_err(e, "'%.*s' has no member name before the operator", src, srcp);
	if (t->op == OP_EXISTS && i + 1 != n)
		return alog_err(e, "'%.*s': '?' ends a term (NAME? tests that NAME is present)",
		                src, srcp);

	/* the path: names split at unquoted dots */
	start = 0;
	for (size_t k = 0; k <= i; k++) {
		if (k < i && !(s[k] == '.' && !(fl[k] & F_LIT)))
			continue;
		if (k == start) {
			for (size_t m = 0; m < t->depth; m++)
				free(t->path[m]);
			free(t->path);
			t->path = NULL;
			t->depth = 0;
			return alog_err(e, "'%.*s' has an empty member name in its path", src, srcp);
		}
		t->path = alog_xrealloc(t->path, (t->depth + 1) * sizeof *t->path);
		t->path[t->depth] = alog_xmalloc(k - start + 1);
		memcpy(t->path[t->depth], s + start, k - start);
		t->path[t->depth][k - start] = '\0';
		t->depth++;
		start = k + 1;
	}

	vstart = i + oplen;
	t->eqeq = (t->op == OP_EQ || t->op == OP_NE) && vstart < n && s[vstart] == '=' &&
	          !(fl[vstart] & F_LIT);
	t->vlen = n - vstart;
	t->val = alog_xmalloc(t->vlen + 1);
	memcpy(t->val, s + vstart, t->vlen);
	t->val[t->vlen] = '\0';
	for (size_t k = vstart; k <= n; k++)
		if ((k < n && (fl[k] & F_LIT)) || (fl[k] & F_QUOTE))
			t->quoted = 1;
	t->is_num = alog_num_valid(t->val, t->vlen);

	switch (t->op) {
	case OP_GT:
	case OP_GE:
	case OP_LT:
	case OP_LE:
		if (!t->is_num) {
			alog_err(e, "'%.*s': %s compares numbers, and '%s' is not a JSON number", src,
			         srcp, t->op == OP_GT ? "'>'" : t->op == OP_GE ? "'>='" :
			                 t->op == OP_LT ? "'<'" : "'<='", t->val);
			term_free(t);
			memset(t, 0, sizeof *t);
			return -1;
		}
		break;
	case OP_RE: {
		const char *bad;
		int rc;
		if (re_check(t->val, &bad) != 0) {
			alog_err(e, "'%.*s': bad regular expression: %s", src, srcp, bad);
			term_free(t);
			memset(t, 0, sizeof *t);
			return -1;
		}
		if ((rc = regcomp(&t->re, t->val,
		                  REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0))) != 0) {
			char why[200];
			regerror(rc, &t->re, why, sizeof why);
			alog_err(e, "'%.*s': bad regular expression: %s", src, srcp, why);
			term_free(t);
			memset(t, 0, sizeof *t);
			return -1;
		}
		t->has_re = 1;
		break;
	}
	default:
		break;
	}

	/* what a matching line must contain */
	{
		const char *last = t->path[t->depth - 1];
		switch (t->op) {
		case OP_EQ:
			/* without regard to case, the value's bytes may differ: the name must be there */
			if (t->vlen && (t->quoted || !t->is_num) && !icase)
				set_literal(t, t->val, t->vlen, 0);
			else
				set_literal(t, last, strlen(last), 1);
			break;
		case OP_PREFIX:
			if (t->vlen && !icase) {
				set_literal(t, t->val, t->vlen, 0);
				break;
			}
			/* fall through */
		case OP_RE:
			if (t->op == OP_RE && !icase) {
				char *lit = alog_xmalloc(t->vlen + 3);
				size_t k = re_literal(t->val, lit);
				if (k) {
					t->lit = lit;
					t->litn = k;
					t->score = 10 * (unsigned)k;
					break;
				}
				free(lit);
			}
			/* fall through */
		case OP_GT:
		case OP_GE:
		case OP_LT:
		case OP_LE:
		case OP_EXISTS:
			set_literal(t, last, strlen(last), 1);
			break;
		case OP_NE:
			break;
		}
	}
	return 0;
}

struct alog_query *alog_query_new(void)
{
	struct alog_query *q = alog_xmalloc(sizeof *q);
	memset(q, 0, sizeof *q);
	q->matched = -1;
	return q;
}

static void alt_free(struct alt *a)
{
	for (size_t i = 0; i < a->n; i++)
		term_free(&a->t[i]);
	free(a->t);
	free(a->tops);
	free(a->topn);
}

void alog_query_free(struct alog_query *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < q->n; i++)
		alt_free(&q->a[i]);
	free(q->a);
	free(q->scratch);
	free(q->spans);
	free(q->found);
	free(q->next);
	free(q);
}

void alog_query_set_icase(struct alog_query *q, int icase)
{
	q->icase = icase;
}

size_t alog_query_alts(const struct alog_query *q)
{
	return q->n;
}

int alog_query_eqeq(const struct alog_query *q, size_t i, const char **value)
{
	for (size_t a = 0; a < q->n; a++) {
		if (i < q->a[a].n) {
			*value = q->a[a].t[i].val;
			return q->a[a].t[i].eqeq;
		}
		i -= q->a[a].n;
	}
	return 0;
}

int alog_query_path(const struct alog_query *q, size_t i, const char *const **path,
                    size_t *depth)
{
	for (size_t a = 0; a < q->n; a++) {
		if (i < q->a[a].n) {
			*path = (const char *const *)q->a[a].t[i].path;
			*depth = q->a[a].t[i].depth;
			return 1;
		}
		i -= q->a[a].n;
	}
	return 0;
}

int alog_query_add(struct alog_query *q, const char *text, size_t *at, size_t *at_len,
                   struct alog_error *e)
{
	struct word *w = NULL;
	size_t nw = 0;
	struct alt a;

	memset(&a, 0, sizeof a);
	*at = 0;
	*at_len = 0;
	if (tokenize(text, &w, &nw, at, at_len, e) != 0)
		return -1;
	a.t = alog_xmalloc((nw ? nw : 1) * sizeof *a.t);
	for (size_t i = 0; i < nw; i++) {
		if (parse_term(&a.t[i], &w[i], text, q->icase, e) != 0) {
			*at = w[i].off;
			*at_len = w[i].end - w[i].off;
			alt_free(&a);
			word_free(w, nw);
			return -1;
		}
		a.n++;
	}
	word_free(w, nw);

	a.tops = alog_xmalloc((a.n ? a.n : 1) * sizeof *a.tops);
	a.topn = alog_xmalloc((a.n ? a.n : 1) * sizeof *a.topn);
	for (size_t i = 0; i < a.n; i++) {
		struct term *t = &a.t[i];
		size_t j;
		for (j = 0; j < a.ntops; j++)
			if (strcmp(a.tops[j], t->path[0]) == 0)
				break;
		if (j == a.ntops) {
			a.tops[j] = t->path[0];
			a.topn[j] = strlen(t->path[0]);
			a.ntops++;
		}
		t->top = j;
		if (t->lit && (!a.lit || t->score > a.lit->score))
			a.lit = t;
	}
	if (a.lit)
		alog_finder_init(&a.f, a.lit->lit, a.lit->litn);
	if (a.n == 0)
		a.lit = NULL;

	q->a = alog_xrealloc(q->a, (q->n + 1) * sizeof *q->a);
	q->a[q->n++] = a;
	if (a.ntops > q->span_cap) {
		q->span_cap = a.ntops;
		q->spans = alog_xrealloc(q->spans, q->span_cap * sizeof *q->spans);
		q->found = alog_xrealloc(q->found, q->span_cap);
	}
	q->next = alog_xrealloc(q->next, q->n * sizeof *q->next);
	q->ncache = q->n;
	alog_query_scan_reset(q);
	return 0;
}

/* ---- matching ---- */

static char *scratch(struct alog_query *q, size_t n)
{
	if (n > q->scap) {
		q->scap = n < 4096 ? 4096 : n;
		q->scratch = alog_xrealloc(q->scratch, q->scap);
	}
	return q->scratch;
}

/*
 * The decoded contents of the string value v: *s, *n.  Returns 0, or -1
 * for a bad escape.  Unescaped strings are used in place.
 */
static int decode(struct alog_query *q, struct alog_span v, const char **s, size_t *n)
{
	const char *raw = v.p + 1;
	size_t rn = v.n - 2;
	long len;
	char *buf;

	if (!memchr(raw, '\\', rn)) {
		*s = raw;
		*n = rn;
		return 0;
	}
	buf = scratch(q, rn + 1);
	len = alog_json_unescape(raw, rn, buf, rn);
	if (len < 0)
		return -1;
	*s = buf;
	*n = (size_t)len;
	return 0;
}

/*
 * The next character of s[*i..n) folded to lower case (UTF-8 as the
 * C.UTF-8 locale reads it; a byte that starts no character stands for
 * itself).
 */
static wint_t next_folded(const char *s, size_t n, size_t *i)
{
	mbstate_t st;
	wchar_t wc;
	size_t k;

	memset(&st, 0, sizeof st);
	k = mbrtowc(&wc, s + *i, n - *i, &st);
	if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
		unsigned char c = (unsigned char)s[(*i)++];
		return c < 0x80 ? (wint_t)(c >= 'A' && c <= 'Z' ? c + 32u : c) : 0x110000u + c;
	}
	*i += k;
	return towlower((wint_t)wc);
}

/* Does s[0..n) equal (whole) or start with (prefix) p[0..pn), regardless of case? */
static int icase_cmp(const char *s, size_t n, const char *p, size_t pn, int prefix)
{
	size_t i = 0, j = 0;

	while (j < pn) {
		if (i >= n || next_folded(s, n, &i) != next_folded(p, pn, &j))
			return 0;
	}
	return prefix || i == n;
}

/* 1, 0, or -1 malformed. */
static int eval(struct alog_query *q, const struct term *t, int present, struct alog_span v)
{
	enum alog_json_type ty;
	const char *s;
	size_t n;
	int c;

	if (t->op == OP_EXISTS)
		return present;
	if (!present)
		return t->op == OP_NE;
	ty = alog_json_type(v.p, v.n);
	if (ty == ALOG_JSON_STRING && (v.n < 2 || v.p[v.n - 1] != '"'))
		return -1;
	switch (t->op) {
	case OP_EQ:
	case OP_NE: {
		int eq = 0;
		if (ty == ALOG_JSON_STRING) {
			if (decode(q, v, &s, &n) != 0)
				return -1;
			eq = q->icase ? icase_cmp(s, n, t->val, t->vlen, 0)
			              : n == t->vlen && memcmp(s, t->val, n) == 0;
		} else if (ty == ALOG_JSON_NUMBER) {
			if (!t->quoted && t->is_num) {
				if (alog_num_cmp(v.p, v.n, t->val, t->vlen, &c) != 0)
					return -1;
				eq = c == 0;
			}
		} else if (ty == ALOG_JSON_TRUE || ty == ALOG_JSON_FALSE || ty == ALOG_JSON_NULL) {
			eq = !t->quoted && v.n == t->vlen && memcmp(v.p, t->val, v.n) == 0;
		}
		return t->op == OP_EQ ? eq : !eq;
	}
	case OP_PREFIX:
		if (ty != ALOG_JSON_STRING)
			return 0;
		if (decode(q, v, &s, &n) != 0)
			return -1;
		if (q->icase)
			return icase_cmp(s, n, t->val, t->vlen, 1);
		return n >= t->vlen && memcmp(s, t->val, t->vlen) == 0;
	case OP_RE: {
		regmatch_t m;
		char *z;
		if (ty != ALOG_JSON_STRING)
			return 0;
		/* sized first: decoding may use the same buffer */
		z = scratch(q, v.n + 1);
		if (decode(q, v, &s, &n) != 0)
			return -1;
		/* regexec wants a terminated string; REG_STARTEND covers stray NULs */
		if (s != z)
			memmove(z, s, n);
		z[n] = '\0';
		m.rm_so = 0;
		m.rm_eo = (regoff_t)n;
		return regexec(&t->re, z, 1, &m, REG_STARTEND) == 0;
	}
	case OP_GT:
	case OP_GE:
	case OP_LT:
	case OP_LE:
		if (ty != ALOG_JSON_NUMBER)
			return 0;
		if (alog_num_cmp(v.p, v.n, t->val, t->vlen, &c) != 0)
			return -1;
		return t->op == OP_GT ? c > 0 : t->op == OP_GE ? c >= 0 : t->op == OP_LT ? c < 0
		                                                                          : c <= 0;
	case OP_EXISTS:
		break;
	}
	return 0;
}

static int match_alt(struct alog_query *q, const struct alt *a, const char *obj, size_t n)
{
	struct alog_json_iter it;
	struct alog_span name, val;
	size_t left = a->ntops;
	int r = 0;

	if (alog_json_iter_init(&it, obj, n) != 0)
		return -1;
	if (a->ntops)
		memset(q->found, 0, a->ntops);
	/* one walk over the top level, stopping once every name is found */
	while (left && (r = alog_json_iter_next(&it, &name, &val)) == 1) {
		for (size_t j = 0; j < a->ntops; j++) {
			if (q->found[j] || !alog_json_name_eq(name, a->tops[j], a->topn[j]))
				continue;
			q->found[j] = 1;
			q->spans[j] = val;
			left--;
			break;
		}
	}
	if (left && r < 0)
		return -1;
	for (size_t i = 0; i < a->n; i++) {
		const struct term *t = &a->t[i];
		struct alog_span v = q->spans[t->top];
		int present = q->found[t->top];

		if (present && t->depth > 1) {
			if (alog_json_type(v.p, v.n) != ALOG_JSON_OBJECT) {
				present = 0;
			} else {
				int lr = alog_json_lookup(v.p, v.n, (const char *const *)t->path + 1,
				                          t->depth - 1, &v);
				if (lr < 0)
					return -1;
				present = lr;
			}
		}
		r = eval(q, t, present, v);
		if (r <= 0)
			return r;
	}
	return 1;
}

int alog_query_match(struct alog_query *q, const char *obj, size_t n)
{
	q->matched = -1;
	for (size_t i = 0; i < q->n; i++) {
		int r = match_alt(q, &q->a[i], obj, n);
		if (r != 0) {
			if (r > 0)
				q->matched = (int)i;
			return r;
		}
	}
	return 0;
}

int alog_query_hit(const struct alog_query *q, const struct alog_span *comps, size_t depth)
{
	const struct alt *a;

	if (q->matched < 0)
		return 0;
	a = &q->a[q->matched];
	for (size_t i = 0; i < a->n; i++) {
		const struct term *t = &a->t[i];
		size_t k;
		if (t->op == OP_NE || t->depth > depth)
			continue;
		for (k = 0; k < t->depth; k++)
			if (!alog_json_name_eq(comps[k], t->path[k], strlen(t->path[k])))
				break;
		if (k == t->depth)
			return 1;
	}
	return 0;
}

/* ---- prefilter ---- */

int alog_query_prefilter(const struct alog_query *q)
{
	if (q->n == 0)
		return 0;
	for (size_t i = 0; i < q->n; i++)
		if (!q->a[i].lit)
			return 0;
	return 1;
}

int alog_query_may_match(const struct alog_query *q, const char *line, size_t n)
{
	if (!alog_query_prefilter(q))
		return 1;
	for (size_t i = 0; i < q->n; i++)
		if (alog_find_or(&q->a[i].f, line, n, '\\'))
			return 1;
	return 0;
}

/* Occurrences of f's needle in s[0..n), counting no further than cap. */
static size_t occurrences(const struct alog_finder *f, const char *s, size_t n, size_t cap)
{
	size_t k = 0;
	const char *p = s, *e = s + n, *hit;

	while (k < cap && (hit = alog_find(f, p, (size_t)(e - p)))) {
		k++;
		p = hit + f->n;
	}
	return k;
}

void alog_query_tune(struct alog_query *q, const char *sample, size_t n)
{
	for (size_t i = 0; i < q->n; i++) {
		struct alt *a = &q->a[i];
		size_t best = SIZE_MAX;
		const struct term *pick = a->lit, *only = NULL;
		size_t nlit = 0;

		/* one literal, and the one searched already: no choice to sample for */
		for (size_t j = 0; j < a->n; j++)
			if (a->t[j].lit) {
				nlit++;
				only = &a->t[j];
			}
		if (nlit == 0 || (nlit == 1 && only == a->lit))
			continue;
		for (size_t j = 0; j < a->n; j++) {
			const struct term *t = &a->t[j];
			struct alog_finder f;
			size_t k;
			if (!t->lit)
				continue;
			alog_finder_init(&f, t->lit, t->litn);
			k = occurrences(&f, sample, n, best == SIZE_MAX ? SIZE_MAX : best + 1);
			if (k < best || (k == best && t->score > pick->score)) {
				best = k;
				pick = t;
			}
		}
		if (pick && pick != a->lit) {
			a->lit = pick;
			alog_finder_init(&a->f, pick->lit, pick->litn);
		}
	}
	alog_query_scan_reset(q);
}

void alog_query_scan_guard(struct alog_query *q, const struct alog_finder *g)
{
	q->guard = g;
	alog_query_scan_reset(q);
}

void alog_query_scan_reset(struct alog_query *q)
{
	for (size_t i = 0; i < q->ncache; i++)
		q->next[i] = SIZE_MAX;
}

size_t alog_query_scan(struct alog_query *q, const char *buf, size_t n, size_t from)
{
	size_t best = n;

	if (from >= n)
		return n;
	if (!alog_query_prefilter(q))
		return from;
	/* each alternative's literal, or a backslash, in one pass each */
	for (size_t i = 0; i < q->n; i++) {
		size_t *c = &q->next[i];
		if (*c == SIZE_MAX || (*c < from && *c != n)) {
			/* the guard's needle is searched in the first alternative's pass */
			const char *p = i == 0 && q->guard
			                        ? alog_find2_or(&q->a[i].f, q->guard, buf + from, n - from, '\\')
			                        : alog_find_or(&q->a[i].f, buf + from, n - from, '\\');
			*c = p ? (size_t)(p - buf) : n;
		}
		if (*c < best)
			best = *c;
	}
	return best;
}
