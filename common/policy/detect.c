/*
 * detect.c - the built-in detectors.  The scan skips, 16 bytes at a time,
 * bytes that cannot be part of anything a detector wants ('@', '-', the
 * 'I' of AKIA, the 'J' of eyJ, 'B'/'b', digits, depending on which are
 * on), and only there looks closer; no regular expressions, no allocation.
 */
#include "policy/detect.h"

#include <stdint.h>
#include <string.h>
#include <strings.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef unsigned char uchar;

const char *const alog_detector_names[ALOG_DET_COUNT] = {
	"private-key", "aws-access-key", "jwt", "bearer-token", "url-password", "card-number",
	"email",
};

int alog_detector_find(const char *name)
{
	for (int i = 0; i < ALOG_DET_COUNT; i++)
		if (strcmp(name, alog_detector_names[i]) == 0)
			return i;
	return -1;
}

static inline int is_digit(uchar c)
{
	return (unsigned)(c - '0') < 10;
}

static inline int is_alpha(uchar c)
{
	return (unsigned)((c | 0x20) - 'a') < 26;
}

static inline int is_alnum(uchar c)
{
	return is_digit(c) || is_alpha(c);
}

static inline int is_word(uchar c)
{
	return is_alnum(c) || c == '_';
}

static inline int is_b64url(uchar c)
{
	return is_alnum(c) || c == '-' || c == '_';
}

/* RFC 6750 b64token, without the trailing '=' */
static inline int is_b64token(uchar c)
{
	return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}

/* The practical subset of local-part characters: what real addresses use. */
static inline int is_local(uchar c)
{
	return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

static inline int is_userinfo(uchar c)
{
	return c > 0x20 && c != 0x7f && !strchr("/?#@[]\"'<>\\`{}|^", c);
}

static inline int is_scheme(uchar c)
{
	return is_alnum(c) || c == '+' || c == '.' || c == '-';
}

static void add_trigger(struct alog_detectors *d, char c)
{
	d->trigger[(unsigned char)c] = 1;
	d->trigger_nd[(unsigned char)c] = 1;
	/* row nbytes is c; the rows after it repeat row 0 */
	unsigned char first = d->nbytes ? d->wide[0][0] : (unsigned char)c;
	memset(d->wide[d->nbytes], (unsigned char)c, sizeof d->wide[0]);
	for (int k = d->nbytes + 1; k < 6; k++)
		memset(d->wide[k], first, sizeof d->wide[0]);
	d->nbytes++;
}

void alog_detectors_init(struct alog_detectors *d, unsigned enabled)
{
	memset(d, 0, sizeof *d);
	d->enabled = enabled;
	/* the rarest byte of each thing looked for */
	if (enabled & 1u << ALOG_DET_PRIVATE_KEY)
		add_trigger(d, '-');
	if (enabled & 1u << ALOG_DET_AWS_KEY)
		add_trigger(d, 'I');
	if (enabled & 1u << ALOG_DET_JWT)
		add_trigger(d, 'J');
	if (enabled & 1u << ALOG_DET_BEARER) {
		add_trigger(d, 'B');
		add_trigger(d, 'b');
	}
	if (enabled & (1u << ALOG_DET_URL_PASSWORD | 1u << ALOG_DET_EMAIL))
		add_trigger(d, '@');
	if (enabled & 1u << ALOG_DET_CARD) {
		d->digits = 1;
		for (int c = '0'; c <= '9'; c++)
			d->trigger[c] = 1;
	}
}

int alog_luhn(const char *d, size_t n)
{
	unsigned sum = 0;
	int dbl = 0;

	if (n == 0)
		return 0;
	for (size_t i = n; i-- > 0;) {
		unsigned v = (unsigned)(d[i] - '0');
		if (v > 9)
			return 0;
		if (dbl) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
		dbl = !dbl;
	}
	return sum % 10 == 0;
}

static int card_digits_ok(const char *d, size_t n)
{
	return n >= 13 && n <= 19 && d[0] >= '2' && d[0] <= '6' && alog_luhn(d, n);
}

int alog_detect_card_number(const char *num, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!is_digit((uchar)num[i]))
			return 0;
	return card_digits_ok(num, n);
}

struct scan {
	const struct alog_detectors *d;
	const uchar *t;
	size_t n;
	size_t from; /* end of the last match: matches never overlap */
	alog_detect_fn fn;
	void *ctx;
	int stop;
};

static int emit(struct scan *s, enum alog_detector det, size_t start, size_t end, size_t at)
{
	struct alog_detect_match m = {start, end, at, det};
	s->from = end;
	s->stop = s->fn(s->ctx, &m);
	return s->stop;
}

/* How much a card of nd digits is preferred: the common lengths first. */
static int card_rank(size_t nd)
{
	static const signed char rank[20] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	                                     0, 0, 0, 3, 4, 6, 7, 1, 2, 5};
	return nd < 20 ? rank[nd] : 0;
}

/* Most digit groups a card can span: 19 digits, one per group. */
#define CARD_MAX_GROUPS 19

/*
 * The best card among the windows of consecutive groups that start at
 * group a (gs[k], ge[k]: where group k starts and ends; ng groups): its
 * last group in *last, its rank returned (0: none).  A window that ends
 * at the run's last group counts only when that end is not glued to a
 * word (tail_ok).
 */
static int card_window(const uchar *t, const size_t *gs, const size_t *ge, size_t ng, size_t a,
                       int tail_ok, size_t *last)
{
	char dig[20];
	size_t nd = 0;
	int best = 0;

	for (size_t b = a; b < ng && b < a + CARD_MAX_GROUPS; b++) {
		size_t len = ge[b] - gs[b];
		int r;
		if (nd + len > 19)
			break;
		memcpy(dig + nd, t + gs[b], len);
		nd += len;
		r = card_rank(nd);
		if (r > best && (b + 1 < ng || tail_ok) && card_digits_ok(dig, nd)) {
			best = r;
			*last = b;
		}
	}
	return best;
}

/* Groups held at once: every window starting in the first half fits. */
#define CARD_GROUPS (2 * CARD_MAX_GROUPS)

/*
 * A run of digit groups at i, each separated from the next by one space
 * or one dash.  Card numbers are looked for among the windows of
 * consecutive groups, so that a card is found next to other numbers (a
 * CVV, an expiry date, an order number, another card): at each group the
 * best window starting there is taken, unless one starting inside it is
 * better (a 16-digit card over a 14-digit window that happens to pass the
 * Luhn check).  The groups are read as the search moves on, so a run of
 * any length costs time in proportion to its length.  Returns where the
 * scan goes on.
 */
static size_t card_at(struct scan *s, size_t i)
{
	const uchar *t = s->t;
	size_t n = s->n, j = i;
	size_t gs[CARD_GROUPS], ge[CARD_GROUPS], ng = 0;
	int more = 1, tail_ok = 1;

	/* glued to a word ("x4111...", "req-4111..."): part of an identifier */
	if (i > 0 && (is_word(t[i - 1]) || (t[i - 1] == '-' && i > 1 && is_alnum(t[i - 2])))) {
		while (j < n && is_digit(t[j]))
			j++;
		return j;
	}
	while (!s->stop) {
		size_t last = 0, l2 = 0;
		int r, better = 0;

		while (more && ng < CARD_GROUPS) {
			gs[ng] = j;
			while (j < n && is_digit(t[j]))
				j++;
			ge[ng++] = j;
			if (j + 1 < n && (t[j] == ' ' || t[j] == '-') && is_digit(t[j + 1])) {
				j++;
				continue;
			}
			more = 0;
			/* glued to a word, or the integer part of a decimal: no card ends there */
			tail_ok = !(j < n && (is_word(t[j]) ||
			                      (t[j] == '.' && j + 1 < n && is_digit(t[j + 1]))));
		}
		if (ng == 0)
			break;
		r = card_window(t, gs, ge, ng, 0, tail_ok || more, &last);
		for (size_t c = 1; r && c <= last && !better; c++)
			better = card_window(t, gs, ge, ng, c, tail_ok || more, &l2) > r;
		if (r && !better) {
			emit(s, ALOG_DET_CARD, gs[0], ge[last], 0);
			last++;
		} else {
			last = 1;
		}
		memmove(gs, gs + last, (ng - last) * sizeof *gs);
		memmove(ge, ge + last, (ng - last) * sizeof *ge);
		ng -= last;
	}
	return j;
}

/*
 * scheme://user:password@host : the password.  A password may hold '@'
 * itself, so the userinfo ends at the last '@' before the host (before
 * the next '/', '?', '#' or a character no URL holds).  Returns where the
 * scan goes on when the '@' at i is in a URL's userinfo, else 0.
 */
static size_t url_at(struct scan *s, size_t i)
{
	const uchar *t = s->t;
	size_t n = s->n, u = i, sc, last = i, k;
	const uchar *colon;

	while (u > s->from && i - u < 256 && is_userinfo(t[u - 1]))
		u--;
	if (u < 4 || t[u - 1] != '/' || t[u - 2] != '/' || t[u - 3] != ':')
		return 0;
	sc = u - 3;
	while (sc > 0 && is_scheme(t[sc - 1]))
		sc--;
	while (sc < u - 3 && !is_alpha(t[sc]))
		sc++;
	if (sc == u - 3)
		return 0;
	for (k = i + 1; k < n && k - u < 1024 && (is_userinfo(t[k]) || t[k] == '@'); k++)
		if (t[k] == '@')
			last = k;
	if (!(s->d->enabled & 1u << ALOG_DET_URL_PASSWORD))
		return last + 1;
	colon = memchr(t + u, ':', last - u);
	if (colon && (size_t)(colon - t) + 1 < last)
		emit(s, ALOG_DET_URL_PASSWORD, (size_t)(colon - t) + 1, last, 0);
	return last + 1;
}

/* local@domain.tld; returns where the scan goes on. */
static size_t email_at(struct scan *s, size_t i)
{
	const uchar *t = s->t;
	size_t n = s->n, j = i, k, label, last = 0;
	int dots = 0;

	while (j > s->from && i - j < 64 && is_local(t[j - 1]))
		j--;
	while (j < i && t[j] == '.')
		j++;
	if (j == i || t[i - 1] == '.')
		return i + 1;
	k = i + 1;
	for (;;) {
		label = k;
		while (k < n && k - i <= 253 && (is_alnum(t[k]) || t[k] == '-'))
			k++;
		if (k == label || t[label] == '-' || t[k - 1] == '-')
			return i + 1;
		last = label;
		if (k + 1 < n && t[k] == '.' && is_alnum(t[k + 1])) {
			dots++;
			k++;
			continue;
		}
		break;
	}
	if (!dots || k - last < 2)
		return i + 1;
	for (size_t x = last; x < k; x++)
		if (!is_alpha(t[x]))
			return i + 1;
	emit(s, ALOG_DET_EMAIL, j, k, i);
	return k;
}

static size_t at_sign(struct scan *s, size_t i)
{
	size_t next = url_at(s, i);

	if (next)
		return next;
	if (s->d->enabled & 1u << ALOG_DET_EMAIL)
		return email_at(s, i);
	return i + 1;
}

/* AKIA / ASIA and 16 more upper-case letters or digits; at is the 'I'. */
static size_t aws_at(struct scan *s, size_t at)
{
	const uchar *t = s->t;
	size_t n = s->n, i = at - 2;

	if (at < s->from + 2 || t[i] != 'A' || n - i < 20 || (i > 0 && is_alnum(t[i - 1])) ||
	    t[at + 1] != 'A')
		return at + 1;
	for (size_t k = i + 4; k < i + 20; k++)
		if (!is_digit(t[k]) && (unsigned)(t[k] - 'A') >= 26)
			return at + 1;
	if (i + 20 < n && is_alnum(t[i + 20]))
		return at + 1;
	emit(s, ALOG_DET_AWS_KEY, i, i + 20, 0);
	return i + 20;
}

/* header.payload.signature, the header base64url of '{"'; at is the 'J' of "eyJ". */
static size_t jwt_at(struct scan *s, size_t at)
{
	const uchar *t = s->t;
	size_t n = s->n, i = at - 2, k = at, seg;

	if (at < s->from + 2 || t[i] != 'e' || (i > 0 && is_b64url(t[i - 1])))
		return at + 1;
	while (k < n && is_b64url(t[k]))
		k++;
	if (k - i < 10 || k >= n || t[k] != '.')
		return at + 1;
	seg = ++k;
	while (k < n && is_b64url(t[k]))
		k++;
	if (k - seg < 2 || k >= n || t[k] != '.')
		return at + 1;
	k++;
	while (k < n && is_b64url(t[k]))
		k++;
	/* JWE has five parts */
	while (k + 1 < n && t[k] == '.' && is_b64url(t[k + 1])) {
		k++;
		while (k < n && is_b64url(t[k]))
			k++;
	}
	emit(s, ALOG_DET_JWT, i, k, 0);
	return k;
}

/* "Bearer <token>", the token at least 16 characters. */
static size_t bearer_at(struct scan *s, size_t i)
{
	const uchar *t = s->t;
	size_t n = s->n, k, tok;

	if (n - i < 8 || (i > 0 && is_alnum(t[i - 1])) ||
	    strncasecmp((const char *)t + i, "bearer", 6) != 0 || t[i + 6] != ' ')
		return i + 1;
	k = i + 6;
	while (k < n && t[k] == ' ')
		k++;
	tok = k;
	while (k < n && is_b64token(t[k]))
		k++;
	while (k < n && t[k] == '=')
		k++;
	if (k - tok < 16)
		return i + 1;
	emit(s, ALOG_DET_BEARER, tok, k, 0);
	return k;
}

/* -----BEGIN ... PRIVATE KEY----- through its END line, or to the end of the text. */
static size_t privkey_at(struct scan *s, size_t i)
{
	static const char begin[] = "-----BEGIN ", endm[] = "-----END ";
	const uchar *t = s->t;
	size_t n = s->n, lab = i + sizeof begin - 1, lim, end;
	const uchar *close, *e2;

	if (n - i < sizeof begin - 1 || memcmp(t + i, begin, sizeof begin - 1) != 0)
		return i + 1;
	lim = n - lab < 64 ? n - lab : 64;
	close = memmem(t + lab, lim, "-----", 5);
	if (!close || memchr(t + lab, '\n', (size_t)(close - t) - lab) ||
	    !memmem(t + lab, (size_t)(close - t) - lab, "PRIVATE KEY", 11))
		return i + 1;
	end = n;
	e2 = memmem(close + 5, n - (size_t)(close + 5 - t), endm, sizeof endm - 1);
	if (e2) {
		size_t from = (size_t)(e2 - t) + sizeof endm - 1;
		size_t l2 = n - from < 64 ? n - from : 64;
		const uchar *c2 = memmem(t + from, l2, "-----", 5);
		end = c2 ? (size_t)(c2 - t) + 5 : n;
	}
	emit(s, ALOG_DET_PRIVATE_KEY, i, end, 0);
	return end;
}

/* A card number has at least 13 digits: fewer in the whole text, no need to look. */
#define CARD_MIN_DIGITS 13

/* The byte-at-a-time path, for the differential test. */
static int portable;

void alog_detect_set_portable(int on)
{
	portable = on;
}

#ifdef __SSE2__

static inline __m128i digit_mask(__m128i v)
{
	return _mm_and_si128(_mm_cmpgt_epi8(v, _mm_set1_epi8('0' - 1)),
	                     _mm_cmplt_epi8(v, _mm_set1_epi8('9' + 1)));
}

#define WIDE(k) _mm_cmpeq_epi8(v, _mm_load_si128((const __m128i *)(const void *)d->wide[k]))

/* The trigger bytes other than digits in v (none when there are none). */
static inline __m128i byte_mask(const struct alog_detectors *d, __m128i v)
{
	if (!d->nbytes)
		return _mm_setzero_si128();
	return _mm_or_si128(_mm_or_si128(_mm_or_si128(WIDE(0), WIDE(1)), _mm_or_si128(WIDE(2), WIDE(3))),
	                    _mm_or_si128(WIDE(4), WIDE(5)));
}
#undef WIDE

static inline uint64_t load8(const uchar *p)
{
	uint64_t x;
	memcpy(&x, p, sizeof x);
	return x;
}

static inline uint32_t load4(const uchar *p)
{
	uint32_t x;
	memcpy(&x, p, sizeof x);
	return x;
}

/*
 * The last n (< 16) bytes of a text, NUL-padded to 16: a NUL is neither a
 * digit nor a trigger byte, so the padding never counts or matches, and
 * nothing past the text is read.  Put together in registers from two
 * overlapping loads (the overlap shifted out): bytes stored to the stack
 * and read back as one vector stall the load until the stores retire.
 */
static inline __m128i load_rest(const uchar *t, size_t n)
{
	uint64_t lo = 0, hi = 0;

	if (n >= 8) {
		lo = load8(t);
		if (n > 8)
			hi = load8(t + n - 8) >> (8 * (16 - n));
	} else if (n >= 4) {
		lo = load4(t);
		if (n > 4)
			lo |= (uint64_t)(load4(t + n - 4) >> (8 * (8 - n))) << 32;
	} else {
		for (size_t k = 0; k < n; k++)
			lo |= (uint64_t)t[k] << (8 * k);
	}
	return _mm_set_epi64x((long long)hi, (long long)lo);
}

/* The 16 bytes of the text at i, or its last n - i (< 16) NUL-padded. */
static inline __m128i load_block(const uchar *t, size_t i, size_t n)
{
	return n - i >= 16 ? _mm_loadu_si128((const __m128i *)(const void *)(t + i))
	                   : load_rest(t + i, n - i);
}

/* The set bits of a 16-bit mask (no popcnt instruction in the x86-64 baseline). */
static inline unsigned bits16(unsigned x)
{
	x = x - ((x >> 1) & 0x5555u);
	x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
	x = (x + (x >> 4)) & 0x0f0fu;
	return (x + (x >> 8)) & 0x1fu;
}
#endif

/*
 * One pass over the text: how many digits it has, and whether any other
 * trigger byte is in it.  Most strings have neither, and are done here.
 */
static void prescan(const struct alog_detectors *d, const uchar *t, size_t n, size_t *ndig,
                    int *other)
{
	size_t i = 0, nd = 0;
	unsigned any = 0;

#ifdef __SSE2__
	if (!portable) {
		for (; i < n; i += 16) {
			__m128i v = load_block(t, i, n);
			nd += bits16((unsigned)_mm_movemask_epi8(digit_mask(v)));
			any |= (unsigned)_mm_movemask_epi8(byte_mask(d, v));
		}
		i = n;
	}
#endif
	for (; i < n; i++) {
		nd += (unsigned)(t[i] - '0') < 10;
		any |= d->trigger_nd[t[i]];
	}
	*ndig = nd;
	*other = any != 0;
}

/* The next trigger byte at or after i, or n. */
static inline size_t next_trigger(const struct alog_detectors *d, const uint8_t *trig, int digits,
                                  const uchar *t, size_t i, size_t n)
{
#ifdef __SSE2__
	if (!portable) {
		while (i < n) {
			__m128i v = load_block(t, i, n), m;
			unsigned bits;
			m = byte_mask(d, v);
			if (digits)
				m = _mm_or_si128(m, digit_mask(v));
			bits = (unsigned)_mm_movemask_epi8(m);
			if (bits)
				return i + (size_t)__builtin_ctz(bits);
			if (n - i <= 16)
				return n;
			i += 16;
		}
		return n;
	}
#else
	(void)d;
	(void)digits;
#endif
	while (i < n && !trig[t[i]])
		i++;
	return i;
}

int alog_detect(const struct alog_detectors *d, const char *text, size_t n, alog_detect_fn fn,
                void *ctx)
{
	struct scan s = {d, (const uchar *)text, n, 0, fn, ctx, 0};
	const uchar *t = s.t;
	const uint8_t *trig;
	size_t i = 0, ndig;
	int other, digits;

	if (!d->enabled)
		return 0;
	prescan(d, t, n, &ndig, &other);
	digits = d->digits && ndig >= CARD_MIN_DIGITS;
	if (!other && !digits)
		return 0;
	trig = digits ? d->trigger : d->trigger_nd;
	while (i < n && !s.stop) {
		i = next_trigger(d, trig, digits, t, i, n);
		if (i == n)
			break;
		/* the cheap second look happens here, before any call */
		switch (t[i]) {
		case '@':
			i = at_sign(&s, i);
			break;
		case '-':
			i = i + 1 < n && t[i + 1] == '-' ? privkey_at(&s, i) : i + 1;
			break;
		case 'I':
			i = i >= 2 && (t[i - 1] == 'K' || t[i - 1] == 'S') ? aws_at(&s, i) : i + 1;
			break;
		case 'J':
			i = i >= 2 && t[i - 1] == 'y' ? jwt_at(&s, i) : i + 1;
			break;
		case 'B':
		case 'b':
			i = i + 1 < n && (t[i + 1] | 0x20) == 'e' ? bearer_at(&s, i) : i + 1;
			break;
		default:
			i = card_at(&s, i);
			break;
		}
	}
	return s.stop;
}
