/*
 * driver.c - the exporter: options, field maps, redaction and dropping,
 * ndjson and json, and one record line in, its output appended.  NDJSON,
 * JSON and CSV/TSV work on the record text with the json.h walkers
 * (values copied byte for byte, no parse tree); the SIEM formats build a
 * small per-record document of spans in reused arenas (doc.c).
 */
#include "export/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base/json.h"
#include "base/ts.h"
#include "export/internal.h"
#include "format/header.h"
#include "format/record.h"

/* ---- buffers ---- */

/*
 * JSON string contents for plain bytes: as alog_json_escape, but bytes
 * that are not UTF-8 (a damaged input line) become U+FFFD rather than an
 * error, so the output is always valid JSON.
 */
static void put_json_str(struct alog_buf *b, const char *s, size_t n)
{
	size_t plain = 0;

	/* names and short values are mostly printable ASCII that needs no escape */
#ifdef __SSE2__
	while (n - plain >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + plain));
		__m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
		                         _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
		m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
		/* signed: the controls and every byte from 0x80 */
		m = _mm_or_si128(m, _mm_cmplt_epi8(v, _mm_set1_epi8(0x20)));
		if (_mm_movemask_epi8(m))
			break;
		plain += 16;
	}
#endif
	while (plain < n && (unsigned char)s[plain] >= 0x20 && (unsigned char)s[plain] < 0x7f &&
	       s[plain] != '"' && s[plain] != '\\')
		plain++;
	if (plain == n) {
		buf_put(b, s, n);
		return;
	}
	while (n) {
		size_t ok = alog_utf8_check(s, n);
		const char *nul = ok ? memchr(s, '\0', ok) : NULL;
		if (nul)
			ok = (size_t)(nul - s);
		if (ok) {
			alog_buf_reserve(b, 6 * ok);
			b->n += (size_t)alog_json_escape(s, ok, b->p + b->n);
		}
		s += ok;
		n -= ok;
		if (n) {
			alog_buf_str(b, nul ? "\\u0000" : "\\ufffd");
			s++;
			n--;
		}
	}
}

void alog_export_put_json_quoted(struct alog_buf *b, const char *s, size_t n)
{
	buf_ch(b, '"');
	put_json_str(b, s, n);
	buf_ch(b, '"');
}

/* ---- paths ---- */

int alog_path_split(const char *s, size_t n, char *mem, const char **comp, size_t max)
{
	size_t k = 0, start = 0, o = 0;

	if (n == 0)
		return -1;
	for (size_t i = 0; i <= n; i++) {
		if (i == n || s[i] == '.') {
			if (o == start || k >= max)
				return -1;
			mem[o++] = '\0';
			comp[k++] = mem + start;
			start = o;
			continue;
		}
		if (s[i] == '\\') {
			if (i + 1 == n || (s[i + 1] != '.' && s[i + 1] != '\\' && s[i + 1] != ','))
				return -1;
			i++;
		}
		mem[o++] = s[i];
	}
	return (int)k;
}

static int xpath_init(struct xpath *p, const char *s, size_t n)
{
	int k;
	p->mem = alog_xmalloc(n + 1);
	p->text = alog_xmalloc(n + 1);
	memcpy(p->text, s, n);
	p->text[n] = '\0';
	k = alog_path_split(s, n, p->mem, p->c, ALOG_JSON_MAX_DEPTH);
	p->n = k < 0 ? 0 : (size_t)k;
	return k < 0 ? -1 : 0;
}

static void xpath_free(struct xpath *p)
{
	free(p->mem);
	free(p->text);
}

/* ---- the exporter ---- */

static const char *const format_names[] = {"ndjson", "json", "csv", "tsv",      "syslog",
                                           "cef",    "ecs",  "ocsf", "asciicast"};

int alog_export_format_parse(const char *name, enum alog_export_format *f)
{
	for (size_t i = 0; i < ALOG_ARRAY_LEN(format_names); i++)
		if (strcmp(name, format_names[i]) == 0) {
			*f = (enum alog_export_format)i;
			return 0;
		}
	return -1;
}

const char *alog_export_format_name(enum alog_export_format f)
{
	return format_names[f];
}

/* Built-in mappings: source member path -> target (see alog-export(1)). */
struct pair {
	const char *src, *dst;
};

static const struct pair ecs_map[] = {
	{"actor", "user.name"},       {"user", "user.name"},
	{"user.name", "user.name"},   {"user.id", "user.id"},
	{"user.email", "user.email"}, {"user.domain", "user.domain"},
	{"action", "event.action"},   {"outcome", "event.outcome"},
	{"msg", "message"},
	{"src.ip", "source.ip"},      {"src.host", "source.address"},
	{"src.port", "source.port"},  {"source.ip", "source.ip"},
	{"source.port", "source.port"}, {"source.address", "source.address"},
	{"host", "host.name"},        {"host.name", "host.name"},
	{NULL, NULL},
};

static const struct pair ocsf_map[] = {
	{"actor", "actor.user.name"},   {"user", "actor.user.name"},
	{"user.name", "actor.user.name"}, {"user.id", "actor.user.uid"},
	{"user.email", "actor.user.email_addr"},
	{"msg", "message"},             {"message", "message"},
	{"outcome", "status_detail"},   {"src.ip", "src_endpoint.ip"},
	{"src.host", "src_endpoint.hostname"}, {"src.port", "src_endpoint.port"},
	{"session", "actor.session.uid"}, {NULL, NULL},
};

static const struct pair cef_map[] = {
	{"actor", "suser"},   {"user", "suser"},    {"user.name", "suser"},
	{"user.id", "suid"},  {"action", "act"},    {"msg", "msg"},
	{"src.ip", "src"},    {"src.host", "shost"}, {"src.port", "spt"},
	{"target", "cs1"},    {"outcome", "outcome"}, {"session", "cs2"},
	{NULL, NULL},
};

static const struct pair syslog_map[] = {
	{"msg", "@msg"},
	{NULL, NULL},
};

static const struct pair *builtin_map(enum alog_export_format f)
{
	switch (f) {
	case ALOG_FMT_ECS:
		return ecs_map;
	case ALOG_FMT_OCSF:
		return ocsf_map;
	case ALOG_FMT_CEF:
		return cef_map;
	case ALOG_FMT_SYSLOG:
		return syslog_map;
	default:
		return NULL;
	}
}

static int cef_key_ok(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

static void map_add(struct alog_export *x, const char *src, size_t sn, const char *dst, size_t dn,
                    int omit)
{
	struct mapent *m;
	x->map = alog_xrealloc(x->map, (x->nmap + 1) * sizeof *x->map);
	m = &x->map[x->nmap++];
	memset(m, 0, sizeof *m);
	xpath_init(&m->src, src, sn);
	if (!omit)
		xpath_init(&m->dst, dst, dn);
	else
		xpath_init(&m->dst, "-", 1);
	m->omit = omit;
}

/* The user's --map: {"FORMAT": {"source.path": "target" | null, ...}, ...} */
static int load_map(struct alog_export *x, struct alog_error *e)
{
	const char *fmt = format_names[x->o.format];
	struct alog_json_iter it, jt;
	struct alog_span nm, v, sn, sv;
	int r, found = 0;
	char *buf = alog_xmalloc(x->o.map_len + 1);
	struct alog_json_error je;
	long n = alog_json_compact(x->o.map, x->o.map_len, buf, 1, &je);

	if (n < 0) {
		free(buf);
		return alog_err(e, "--map: not a JSON object: byte %zu: %s", je.offset, je.msg);
	}
	alog_json_iter_init(&it, buf, (size_t)n);
	while ((r = alog_json_iter_next(&it, &nm, &v)) == 1) {
		enum alog_export_format f;
		char name[16];
		if (nm.n >= sizeof name)
			goto badfmt;
		memcpy(name, nm.p, nm.n);
		name[nm.n] = '\0';
		if (alog_export_format_parse(name, &f) != 0)
			goto badfmt;
		if (alog_json_type(v.p, v.n) != ALOG_JSON_OBJECT) {
			free(buf);
			return alog_err(e, "--map: \"%s\" must be an object of \"member\": \"field\"",
			                name);
		}
		if (f != x->o.format)
			continue;
		if (!builtin_map(f)) {
			free(buf);
			return alog_err(e, "--map: format %s has no field mapping", name);
		}
		found = 1;
		alog_json_iter_init(&jt, v.p, v.n);
		while (alog_json_iter_next(&jt, &sn, &sv) == 1) {
			char src[1024], dst[1024];
			long a = alog_json_unescape(sn.p, sn.n, src, sizeof src - 1);
			long b = 0;
			int omit = alog_json_type(sv.p, sv.n) == ALOG_JSON_NULL;
			struct xpath t;
			if (!omit && alog_json_type(sv.p, sv.n) != ALOG_JSON_STRING)
				goto badval;
			if (!omit)
				b = alog_json_unescape(sv.p + 1, sv.n - 2, dst, sizeof dst - 1);
			if (a <= 0 || b < 0 || (!omit && b == 0))
				goto badval;
			src[a] = dst[b] = '\0';
			if (xpath_init(&t, src, (size_t)a) != 0) {
				xpath_free(&t);
				goto badval;
			}
			xpath_free(&t);
			if (!omit && f == ALOG_FMT_CEF && !cef_key_ok(dst)) {
				free(buf);
				return alog_err(e, "--map: CEF key \"%s\" is not alphanumeric", dst);
			}
			if (!omit && f == ALOG_FMT_SYSLOG && strcmp(dst, "@msg") != 0) {
				for (const char *q = dst; *q; q++)
					if (*q <= ' ' || *q >= 127 || *q == '=' || *q == ']' || *q == '"' ||
					    q - dst >= 32) {
						free(buf);
						return alog_err(e, "--map: \"%s\" is not an RFC 5424 "
						                "parameter name", dst);
					}
			}
			if (!omit && (f == ALOG_FMT_ECS || f == ALOG_FMT_OCSF)) {
				if (xpath_init(&t, dst, (size_t)b) != 0) {
					xpath_free(&t);
					goto badval;
				}
				xpath_free(&t);
			}
			map_add(x, src, (size_t)a, dst, (size_t)b, omit);
		}
	}
	free(buf);
	if (!found)
		return alog_err(e, "--map: no \"%s\" mapping in the file", fmt);
	return 0;
badfmt: {
	/* the name as written, printable ASCII only (it is about to be freed) */
	char shown[33];
	size_t k = 0;
	for (size_t i = 0; i < nm.n && k < sizeof shown - 1; i++)
		shown[k++] = nm.p[i] >= ' ' && nm.p[i] < 127 ? nm.p[i] : '?';
	shown[k] = '\0';
	free(buf);
	return alog_err(e, "--map: \"%s\" is not a format name", shown);
}
badval:
	free(buf);
	return alog_err(e, "--map: \"%s\": each entry maps a member path to a field name "
	                "(a string) or to null", fmt);
}

/*
 * The copy's own statement: the paths that redacted or dropped something
 * in this record (mask), as JSON, two space-separated lists and a cell.
 */
static void meta_strings(struct alog_export *x, uint64_t mask)
{
	struct alog_buf *j = &x->mj, *r = &x->mr, *d = &x->md, *c = &x->mc;

	j->n = r->n = d->n = c->n = 0;
	alog_buf_str(j, "\"alog\":{\"derived\":\"redacted copy\",\"redacted\":[");
	for (int pass = 0; pass < 2; pass++) {
		int first = 1;
		for (size_t i = 0; i < x->nrules; i++) {
			if (x->rules[i].drop != pass || !(mask >> i & 1))
				continue;
			if (!first)
				buf_ch(j, ',');
			alog_export_put_json_quoted(j, x->rules[i].p.text, strlen(x->rules[i].p.text));
			struct alog_buf *l = pass ? d : r;
			if (l->n)
				buf_ch(l, ' ');
			alog_buf_str(l, x->rules[i].p.text);
			first = 0;
		}
		alog_buf_str(j, pass ? "]}" : "],\"dropped\":[");
	}
	alog_buf_str(c, "redacted copy; redacted: ");
	alog_buf_add(c, r->p, r->n);
	alog_buf_str(c, "; dropped: ");
	alog_buf_add(c, d->p, d->n);
	buf_ch(j, '\0');
	buf_ch(r, '\0');
	buf_ch(d, '\0');
	buf_ch(c, '\0');
	x->meta_json = j->p;
	x->meta_list_r = r->p;
	x->meta_list_d = d->p;
	x->meta_cell = c->p;
}

static int add_rule(struct alog_export *x, const char *s, int drop, struct alog_error *e)
{
	struct rule *r;
	if (x->nrules == ALOG_EXPORT_MAX_RULES)
		return alog_err(e, "at most %d --redact and --drop paths", ALOG_EXPORT_MAX_RULES);
	r = &x->rules[x->nrules];
	r->drop = drop;
	if (xpath_init(&r->p, s, strlen(s)) != 0) {
		xpath_free(&r->p);
		return alog_err(e, "--%s: bad path \"%s\"", drop ? "drop" : "redact", s);
	}
	if (alog_name_reserved(r->p.c[0], strlen(r->p.c[0]))) {
		xpath_free(&r->p);
		return alog_err(e, "--%s %s: seq, ts, type, hash and prev are the record's own "
		                "members and cannot be changed", drop ? "drop" : "redact", s);
	}
	x->all_rules |= 1ull << x->nrules;
	x->nrules++;
	return 0;
}

const char *alog_export_index_problem(const char *name)
{
	size_t n = strlen(name);
	if (n == 0)
		return "it is empty";
	if (n > 255)
		return "it is longer than 255 bytes";
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return "it is . or ..";
	if (name[0] == '-' || name[0] == '_' || name[0] == '+')
		return "it starts with - _ or +";
	for (const char *p = name; *p; p++) {
		if (*p >= 'A' && *p <= 'Z')
			return "it has upper-case letters";
		if (strchr("\\/*?\"<>|,#: ", *p) || (unsigned char)*p < 0x20)
			return "it holds one of \\ / * ? \" < > | , # : or a space";
	}
	return alog_utf8_check(name, n) == n ? NULL : "it is not UTF-8";
}

const char *alog_export_sd_id_problem(const char *id)
{
	const char *at = strchr(id, '@');
	size_t n = strlen(id);
	if (n > 32)
		return "an SD-ID is at most 32 characters";
	for (const char *p = id; *p; p++)
		if (*p <= ' ' || *p >= 127 || *p == '=' || *p == ']' || *p == '"')
			return "an SD-ID is printable US-ASCII without = ] \" or space";
	if (!at || at == id || strchr(at + 1, '@'))
		return "give NAME@PEN (PEN: your private enterprise number)";
	if (!at[1] || at[1] == '0' || strspn(at + 1, "0123456789.") != strlen(at + 1) ||
	    at[strlen(at) - 1] == '.')
		return "the PEN after @ is a number";
	/* the copy's own element, alogCopy@PEN, must fit too */
	if (strlen(at) + 8 > 32)
		return "the PEN is too long";
	return NULL;
}

struct alog_export *alog_export_new(const struct alog_export_opts *o, struct alog_error *e)
{
	struct alog_export *x = alog_xcalloc(1, sizeof *x);
	const struct pair *bm;

	x->o = *o;
	for (size_t i = 0; i < o->nredact; i++)
		if (add_rule(x, o->redact[i], 0, e) != 0)
			goto fail;
	for (size_t i = 0; i < o->ndrop; i++)
		if (add_rule(x, o->drop[i], 1, e) != 0)
			goto fail;
	if (x->nrules)
		meta_strings(x, 0);
	if (o->format == ALOG_FMT_CSV || o->format == ALOG_FMT_TSV) {
		const char *f = o->fields ? o->fields : ALOG_EXPORT_DEFAULT_FIELDS;
		size_t start = 0, len = strlen(f);
		for (size_t i = 0; i <= len; i++) {
			if (i < len && f[i] == '\\' && i + 1 < len) {
				i++;
				continue;
			}
			if (i < len && f[i] != ',')
				continue;
			x->fields = alog_xrealloc(x->fields, (x->nfields + 1) * sizeof *x->fields);
			if (xpath_init(&x->fields[x->nfields++], f + start, i - start) != 0) {
				alog_err(e, "--fields: bad path \"%.*s\"", (int)(i - start), f + start);
				goto fail;
			}
			start = i + 1;
		}
		x->vals = alog_xmalloc(x->nfields * sizeof *x->vals);
	} else if (o->fields) {
		alog_err(e, "--fields is for csv and tsv");
		goto fail;
	}
	if (o->bulk_index && o->format != ALOG_FMT_ECS) {
		alog_err(e, "--bulk is for the ecs format");
		goto fail;
	}
	if ((o->format == ALOG_FMT_ASCIICAST) != (o->session != NULL)) {
		alog_err(e, o->session ? "--session is for the asciicast format"
		                       : "asciicast replays one session: give --session ID");
		goto fail;
	}
	if (o->format == ALOG_FMT_ASCIICAST && (x->nrules || o->map)) {
		alog_err(e, "--redact, --drop and --map are not for asciicast (the policy chose "
		            "what a transcript shows)");
		goto fail;
	}
	if (o->bulk_index && alog_export_index_problem(o->bulk_index)) {
		alog_err(e, "--bulk: Elasticsearch refuses the index name: %s",
		         alog_export_index_problem(o->bulk_index));
		goto fail;
	}
	if ((o->sd_id || o->octet_counting) && o->format != ALOG_FMT_SYSLOG) {
		alog_err(e, "%s is for the syslog format", o->sd_id ? "--sd-id" : "--framing");
		goto fail;
	}
	if (o->sd_id && alog_export_sd_id_problem(o->sd_id)) {
		alog_err(e, "--sd-id: %s", alog_export_sd_id_problem(o->sd_id));
		goto fail;
	}
	if (o->with_meta && o->format != ALOG_FMT_NDJSON && o->format != ALOG_FMT_JSON) {
		alog_err(e, "--with-meta is for ndjson and json (the other formats always carry "
		            "seq, ts and hash)");
		goto fail;
	}
	if (o->map && load_map(x, e) != 0)
		goto fail;
	bm = builtin_map(o->format);
	for (; bm && bm->src; bm++)
		map_add(x, bm->src, strlen(bm->src), bm->dst, strlen(bm->dst), 0);
	return x;
fail:
	alog_export_free(x);
	return NULL;
}

void alog_export_free(struct alog_export *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nrules; i++)
		xpath_free(&x->rules[i].p);
	for (size_t i = 0; i < x->nfields; i++)
		xpath_free(&x->fields[i]);
	for (size_t i = 0; i < x->nmap; i++) {
		xpath_free(&x->map[i].src);
		xpath_free(&x->map[i].dst);
	}
	free(x->fields);
	free(x->vals);
	free(x->map);
	alog_buf_free(&x->mj);
	alog_buf_free(&x->mr);
	alog_buf_free(&x->md);
	alog_buf_free(&x->mc);
	alog_buf_free(&x->scratch);
	alog_buf_free(&x->filt);
	alog_buf_free(&x->text);
	alog_buf_free(&x->names);
	alog_buf_free(&x->key);
	alog_export_doc_free(&x->doc);
	alog_export_doc_free(&x->bases);
	free(x);
}

uint64_t alog_export_count(const struct alog_export *x)
{
	return x->count;
}

/* ---- redaction and dropping, on the text ---- */

static int filter_value(struct alog_export *x, struct alog_span v, uint64_t sub, size_t d,
                        struct alog_buf *out);

/*
 * An array on the way of a path: each object element is filtered as the
 * object would be (paths go through arrays, as policy paths do), arrays
 * inside it too; other elements are copied.
 */
static int filter_array(struct alog_export *x, struct alog_span a, uint64_t sub, size_t d,
                        struct alog_buf *out)
{
	const char *p = a.p + 1, *end = a.p + a.n - 1;
	int first = 1;

	buf_ch(out, '[');
	for (;;) {
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		if (p >= end)
			break;
		if (!first) {
			if (*p != ',')
				return -1;
			p++;
		}
		while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
			p++;
		const char *q = alog_json_skip(p, end);
		if (!q)
			return -1;
		if (!first)
			buf_ch(out, ',');
		first = 0;
		if (filter_value(x, (struct alog_span){p, (size_t)(q - p)}, sub, d, out) != 0)
			return -1;
		p = q;
	}
	buf_ch(out, ']');
	return 0;
}

static int filter_value(struct alog_export *x, struct alog_span v, uint64_t sub, size_t d,
                        struct alog_buf *out)
{
	switch (alog_json_type(v.p, v.n)) {
	case ALOG_JSON_OBJECT:
		return alog_export_filter_object(x, v.p, v.n, sub, d, 0, out);
	case ALOG_JSON_ARRAY:
		return filter_array(x, v, sub, d, out);
	default:
		alog_buf_add(out, v.p, v.n);
		return 0;
	}
}

/*
 * Copy the object obj[0..n) to out with the rules in mask applied at
 * depth d; at depth 0 with skip_meta the record's own members are left
 * out.  Values are copied byte for byte; the rules that changed
 * something are added to x->hit.  0, or -1 if malformed.
 */
int alog_export_filter_object(struct alog_export *x, const char *obj, size_t n, uint64_t mask,
                              size_t d, int skip_meta, struct alog_buf *out)
{
	struct alog_json_iter it;
	struct alog_span nm, v;
	int r, first = 1;

	if (alog_json_iter_init(&it, obj, n) < 0)
		return -1;
	buf_ch(out, '{');
	while ((r = alog_json_iter_next(&it, &nm, &v)) == 1) {
		uint64_t sub = 0, ends = 0;
		int act = 0; /* 1 redact, 2 drop */
		if (d == 0 && skip_meta && is_meta_name(nm))
			continue;
		for (size_t i = 0; i < x->nrules; i++) {
			const struct xpath *p = &x->rules[i].p;
			if (!(mask >> i & 1) || !alog_json_name_eq(nm, p->c[d], strlen(p->c[d])))
				continue;
			if (p->n == d + 1) {
				ends |= 1ull << i;
				act = x->rules[i].drop ? 2 : (act ? act : 1);
			} else {
				sub |= 1ull << i;
			}
		}
		/* a drop wins over a redaction of the same member */
		for (size_t i = 0; i < x->nrules; i++)
			if ((ends >> i & 1) && x->rules[i].drop == (act == 2))
				x->hit |= 1ull << i;
		if (act == 2)
			continue;
		if (!first)
			buf_ch(out, ',');
		first = 0;
		buf_ch(out, '"');
		alog_buf_add(out, nm.p, nm.n);
		alog_buf_add(out, "\":", 2);
		if (act == 1) {
			alog_buf_str(out, "\"" ALOG_REDACTED "\"");
		} else if (sub) {
			if (filter_value(x, v, sub, d + 1, out) != 0)
				return -1;
		} else {
			alog_buf_add(out, v.p, v.n);
		}
	}
	if (r < 0)
		return -1;
	buf_ch(out, '}');
	return 0;
}

int alog_export_filter(struct alog_export *x, const char *obj, size_t n, int skip_meta,
                       struct alog_buf *out)
{
	x->hit = 0;
	if (alog_export_filter_object(x, obj, n, x->all_rules, 0, skip_meta, out) != 0)
		return -1;
	x->ever_hit |= x->hit;
	meta_strings(x, x->hit);
	return 0;
}

const char *alog_export_unmatched(const struct alog_export *x, size_t i, int *drop)
{
	for (size_t k = 0; k < x->nrules; k++)
		if (!(x->ever_hit >> k & 1) && i-- == 0) {
			*drop = x->rules[k].drop;
			return x->rules[k].p.text;
		}
	return NULL;
}

/* Append the "alog" metadata member before the final '}' of out. */
static void add_meta_member(struct alog_export *x, struct alog_buf *out)
{
	out->n--; /* the '}' */
	if (out->p[out->n - 1] != '{')
		buf_ch(out, ',');
	alog_buf_str(out, x->meta_json);
	buf_ch(out, '}');
}

/* ---- ndjson and json ---- */

static int put_json_record(struct alog_export *x, const struct alog_rec *r, struct alog_buf *out)
{
	size_t body = r->len - 1; /* without LF */

	if (!x->nrules) {
		if (x->o.with_meta) {
			alog_buf_add(out, r->line, body);
		} else {
			buf_ch(out, '{');
			if (r->members.n)
				alog_buf_add(out, r->members.p + 1, r->members.n - 1);
			buf_ch(out, '}');
		}
		return 0;
	}
	if (alog_export_filter(x, r->line, body, !x->o.with_meta, out) != 0)
		return -1;
	add_meta_member(x, out);
	return 0;
}

/* ---- driver ---- */

void alog_export_begin(struct alog_export *x, struct alog_buf *out)
{
	alog_export_cell_tables();
	if (x->o.format == ALOG_FMT_CSV || x->o.format == ALOG_FMT_TSV)
		alog_export_csv_header(x, out);
	else if (x->o.format == ALOG_FMT_JSON)
		alog_buf_str(out, "[");
}

void alog_export_end(struct alog_export *x, struct alog_buf *out)
{
	if (x->o.format == ALOG_FMT_JSON)
		alog_buf_str(out, x->count ? "\n]\n" : "]\n");
}

/*
 * The shape of an event line as alog_rec_parse checks it, without
 * decoding ts and hash, which the text formats copy rather than read.
 * 1 with the members span set; 0 for a typed record or anything odd,
 * which then goes through alog_rec_parse.
 */
static int quick_event(const char *line, size_t len, struct alog_span *members)
{
	size_t p = 7, q;

	if (len < 7 + 1 + 7 + ALOG_TS_LEN + 1 + ALOG_HASH_TAIL || memcmp(line, "{\"seq\":", 7) != 0 ||
	    line[7] < '1' || line[7] > '9')
		return 0;
	while (p < 23 && line[p] >= '0' && line[p] <= '9')
		p++;
	if (memcmp(line + p, ",\"ts\":\"", 7) != 0)
		return 0;
	p += 7 + ALOG_TS_LEN;
	q = len - ALOG_HASH_TAIL;
	if (p >= q || line[p] != '"' || memcmp(line + q, ",\"hash\":\"", 9) != 0 ||
	    memcmp(line + len - 3, "\"}\n", 3) != 0)
		return 0;
	p++;
	if (p < q && line[p] != ',')
		return 0;
	if (q - p >= 9 && memcmp(line + p, ",\"type\":\"", 9) == 0)
		return 0;
	members->p = line + p;
	members->n = q - p;
	return 1;
}

/*
 * Is there a byte < 0x20 in s[0..n)?  Eight bytes at a time.  JSON allows
 * no such byte raw anywhere in a record; DEL (0x7f) it allows in strings,
 * and so does the verifier: it is written escaped by each format instead.
 */
static int has_ctl(const char *s, size_t n)
{
	const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
	size_t i = 0;
	for (; i + 8 <= n; i += 8) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		if ((w - 0x20 * ones) & ~w & highs)
			break;
	}
	for (; i < n; i++)
		if ((unsigned char)s[i] < 0x20)
			return 1;
	return 0;
}

int alog_export_line(struct alog_export *x, const char *line, size_t len, struct alog_buf *out,
                     struct alog_error *e)
{
	struct alog_rec r;
	size_t mark = out->n;
	char *tmp = NULL;
	int rc;

	if (len == 0 || (len == 1 && line[0] == '\n'))
		return alog_err(e, "not an alog record: an empty line");
	/* A line from a pipe may come without its LF (the last one). */
	if (line[len - 1] != '\n') {
		tmp = alog_xmalloc(len + 1);
		memcpy(tmp, line, len);
		tmp[len] = '\n';
		line = tmp;
		len++;
	}
	/* Stored records never hold raw control characters; damaged lines must not pass them on. */
	if (has_ctl(line, len - 1)) {
		size_t i = 0;
		while ((unsigned char)line[i] >= 0x20)
			i++;
		free(tmp);
		return alog_err(e, "not an alog record: raw control character at byte %zu", i + 1);
	}
	if (x->o.format <= ALOG_FMT_TSV && quick_event(line, len, &r.members)) {
		r.line = line;
		r.len = len;
		r.type = ALOG_REC_EVENT;
	} else if (alog_rec_parse(&r, line, len, e) != 0) {
		char why[sizeof e->msg];
		snprintf(why, sizeof why, "%s", e->msg);
		free(tmp);
		return alog_err(e, "not an alog record: %s", why);
	}
	if (r.type == ALOG_REC_OPEN) {
		struct alog_header h;
		struct alog_error he;
		if (alog_header_parse(&r, &h, &he) == 0)
			snprintf(x->origin, sizeof x->origin, "%s", h.origin);
	}
	if (r.type != ALOG_REC_EVENT) {
		free(tmp);
		return 0;
	}
	switch (x->o.format) {
	case ALOG_FMT_NDJSON:
	case ALOG_FMT_JSON:
		if (x->o.format == ALOG_FMT_JSON)
			alog_buf_str(out, x->count ? ",\n" : "\n");
		rc = put_json_record(x, &r, out);
		if (x->o.format == ALOG_FMT_NDJSON)
			buf_ch(out, '\n');
		break;
	case ALOG_FMT_CSV:
	case ALOG_FMT_TSV:
		rc = alog_export_put_csv_record(x, &r, out);
		break;
	case ALOG_FMT_ASCIICAST:
		rc = alog_export_put_asciicast(x, &r, out);
		if (rc == 1) {
			free(tmp);
			return 0; /* not a record of the session */
		}
		break;
	default: {
		/* The mapped formats copy values into other JSON: the body must be strict JSON. */
		const char *obj = r.line;
		size_t n = r.len - 1;
		struct alog_json_error je;
		x->filt.n = 0;
		alog_buf_reserve(&x->filt, n);
		if (alog_json_compact(r.line, n, x->filt.p, 1, &je) < 0) {
			free(tmp);
			out->n = mark;
			return alog_err(e, "not an alog record: byte %zu: %s", je.offset + 1, je.msg);
		}
		if (x->nrules) {
			x->filt.n = 0;
			if (alog_export_filter(x, r.line, n, 0, &x->filt) != 0) {
				rc = -1;
				break;
			}
			obj = x->filt.p;
			n = x->filt.n;
		}
		if (x->o.format == ALOG_FMT_ECS)
			rc = alog_export_put_ecs(x, &r, obj, n, out);
		else if (x->o.format == ALOG_FMT_OCSF)
			rc = alog_export_put_ocsf(x, &r, obj, n, out);
		else if (x->o.format == ALOG_FMT_SYSLOG)
			rc = alog_export_put_syslog(x, &r, obj, n, out);
		else
			rc = alog_export_put_cef(x, &r, obj, n, out);
		if (rc == 0 && (x->o.format == ALOG_FMT_ECS || x->o.format == ALOG_FMT_OCSF))
			buf_ch(out, '\n');
	}
	}
	free(tmp);
	if (rc != 0) {
		out->n = mark;
		return alog_err(e, "not an alog record: malformed JSON");
	}
	x->count++;
	return 0;
}
