/*
 * flat.c - RFC 5424 syslog and ArcSight CEF: members flattened to keys.
 */
#include "export/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/ts.h"
#include "export/internal.h"
#include "format/header.h"
#include "format/record.h"

/* ---- syslog and CEF: flat keys ---- */

/*
 * A key made unique within the record by a numeric suffix; added to the
 * doc.  Each base key remembers the next suffix to try (x->bases), so n
 * members that all flatten to one key cost O(n), not O(n^2): a suffix
 * tried and found taken is never tried again for that base.
 */
static int flat_set(struct alog_export *x, const char *key, size_t kn, struct alog_span v)
{
	char buf[80];
	const char *comp[1];
	size_t cut = kn;
	int c, b;
	unsigned k;

	comp[0] = buf;
	if (kn >= sizeof buf)
		kn = cut = sizeof buf - 1;
	memcpy(buf, key, kn);
	buf[kn] = '\0';
	b = alog_export_doc_find(&x->bases, 0, buf, kn);
	k = b < 0 ? 1 : (unsigned)x->bases.n[b].vn;
	if (b < 0)
		b = alog_export_doc_set(&x->bases, 0, comp, 1, ON_RAW, "", 0);
	for (;; k++) {
		int sn = 0;
		char suf[16] = "";
		if (k > 1)
			sn = snprintf(suf, sizeof suf, "%u", k);
		/* syslog names stop at 32 bytes: the suffix replaces the end */
		if (x->o.format == ALOG_FMT_SYSLOG && kn + (size_t)sn > 32)
			cut = 32 - (size_t)sn;
		if (cut + (size_t)sn >= sizeof buf)
			cut = sizeof buf - 1 - (size_t)sn;
		memcpy(buf, key, cut);
		memcpy(buf + cut, suf, (size_t)sn + 1);
		c = alog_export_doc_set(&x->doc, 0, comp, 1, ON_RAW, v.p, v.n);
		if (c >= 0) {
			x->bases.n[b].vn = k + 1;
			return c;
		}
	}
}

static void flat_name(struct alog_export *x, const char *const *path, size_t depth,
                      struct alog_buf *out)
{
	out->n = 0;
	if (x->o.format == ALOG_FMT_CEF) {
		/* custom CEF keys: "alog" + CamelCase of the path, alphanumeric only */
		alog_buf_str(out, "alog");
		for (size_t i = 0; i < depth; i++) {
			int up = 1;
			for (const char *s = path[i]; *s; s++) {
				char ch = *s;
				int alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
				            (ch >= '0' && ch <= '9');
				if (!alnum) {
					up = 1;
					continue;
				}
				if (up && ch >= 'a' && ch <= 'z')
					ch = (char)(ch - 32);
				buf_ch(out, ch);
				up = 0;
			}
		}
		if (out->n == 4)
			alog_buf_str(out, "Field");
		return;
	}
	/* RFC 5424 PARAM-NAME: printable US-ASCII but = ] " and space, at most 32 */
	for (size_t i = 0; i < depth; i++) {
		if (i)
			buf_ch(out, '.');
		for (const char *s = path[i]; *s; s++) {
			unsigned char ch = (unsigned char)*s;
			buf_ch(out, (ch <= ' ' || ch >= 127 || ch == '=' || ch == ']' || ch == '"')
			                ? '_' : (char)ch);
		}
	}
	if (out->n > 32)
		out->n = 32;
	if (out->n == 0)
		buf_ch(out, '_');
}

static const char *cef_label_for(const char *key)
{
	static const char *const labelled[] = {"cs1", "cs2", "cs3", "cs4", "cs5", "cs6", "cn1",
	                                       "cn2", "cn3", "cfp1", "cfp2", "cfp3", "cfp4",
	                                       "c6a1", "c6a2", "c6a3", "c6a4", "flexString1",
	                                       "flexString2", "flexNumber1", "flexNumber2",
	                                       "deviceCustomDate1", "deviceCustomDate2", NULL};
	return word_in(key, labelled) ? key : NULL;
}

/* Does the text of v fit the ArcSight type of CEF key k (src, spt, ...)? */
static int cef_fits(struct alog_export *x, const char *k, struct alog_span v)
{
	int ipv4 = !strcmp(k, "src") || !strcmp(k, "dst") || !strcmp(k, "dvc");
	int port = !strcmp(k, "spt") || !strcmp(k, "dpt");
	if (!ipv4 && !port)
		return 1;
	if (alog_json_type(v.p, v.n) != ALOG_JSON_STRING && alog_json_type(v.p, v.n) != ALOG_JSON_NUMBER)
		return 0;
	alog_export_value_text(x, v);
	return ipv4 ? alog_export_is_ip(x->text.p, x->text.n, 4)
	            : alog_export_is_uint(x->text.p, x->text.n, 65535);
}

static int flat_leaf(struct alog_export *x, const char *const *path, size_t depth,
                     struct alog_span v, const struct mapent *m)
{
	struct alog_buf *nb = &x->key;
	size_t joined = 0;

	if (m && m->omit)
		return 0;
	/* null has no key, so that it stays apart from "" (alog-export(1)) */
	if (alog_json_type(v.p, v.n) == ALOG_JSON_NULL)
		return 0;
	if (m && x->o.format == ALOG_FMT_CEF && !cef_fits(x, m->dst.text, v))
		m = NULL;
	if (m && x->o.format == ALOG_FMT_SYSLOG && strcmp(m->dst.text, "@msg") == 0 &&
	    !x->msg.p) {
		x->msg = v;
		return 0;
	}
	int c = -1;
	if (m && strcmp(m->dst.text, "@msg") != 0) {
		const char *comp[1] = {m->dst.text};
		c = alog_export_doc_set(&x->doc, 0, comp, 1, ON_RAW, v.p, v.n);
	}
	if (c < 0) {
		/* unmapped, or the mapped key is taken: a key made from the path */
		m = NULL;
		flat_name(x, path, depth, nb);
		c = flat_set(x, nb->p, nb->n, v);
	}
	const char *label = x->o.format == ALOG_FMT_CEF && m ? cef_label_for(m->dst.text) : NULL;
	if (label && c >= 0) {
		/* the label names the source path */
		char key[40];
		struct alog_buf *pb = &x->text;
		pb->n = 0;
		for (size_t i = 0; i < depth; i++) {
			if (i)
				buf_ch(pb, '.');
			alog_buf_str(pb, path[i]);
		}
		joined = pb->n;
		snprintf(key, sizeof key, "%.*sLabel", (int)x->doc.n[c].nlen,
		         aptr(&x->doc, x->doc.n[c].name));
		/* the label is a string value: keep it as JSON text like the others */
		x->scratch.n = 0;
		alog_export_put_json_quoted(&x->scratch, pb->p, joined);
		struct alog_span lv = {x->scratch.p, x->scratch.n};
		flat_set(x, key, strlen(key), lv);
	}
	return 0;
}

/*
 * Write a value with the given escaping: 's' syslog PARAM-VALUE, 'c' CEF
 * extension, 'h' CEF header, 'm' syslog MSG.  A control character becomes
 * #ooo; a '#' that starts such a form in the text becomes #043, so that
 * the two stay apart.  In CEF values the spaces that end a value become
 * #040: consumers drop white space before the next key or the end.
 */
static void put_escaped(struct alog_buf *out, const char *s, size_t n, char how)
{
	size_t keep = n;
	if (how == 'c')
		while (keep && s[keep - 1] == ' ')
			keep--;
	alog_buf_reserve(out, 4 * n);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (i >= keep) {
			put_octal(out, c);
		} else if (c == '#' && alog_export_octal_lookalike(s + i, n - i)) {
			put_octal(out, c);
		} else if (how == 's' && (c == '"' || c == '\\' || c == ']')) {
			buf_ch(out, '\\');
			buf_ch(out, (char)c);
		} else if (how == 'c' && (c == '\\' || c == '=')) {
			buf_ch(out, '\\');
			buf_ch(out, (char)c);
		} else if (how == 'h' && (c == '\\' || c == '|')) {
			buf_ch(out, '\\');
			buf_ch(out, (char)c);
		} else if (how == 'c' && c == '\n') {
			alog_buf_add(out, "\\n", 2);
		} else if (how == 'c' && c == '\r') {
			alog_buf_add(out, "\\r", 2);
		} else if (is_ctl(c)) {
			put_octal(out, c);
		} else {
			buf_ch(out, (char)c);
		}
	}
}

static void flat_prepare(struct alog_export *x)
{
	alog_export_doc_reset(&x->doc);
	alog_export_doc_reset(&x->bases);
	x->msg.p = NULL;
	x->msg.n = 0;
}

/* The copy's own statement, as two flat keys. */
static void flat_meta(struct alog_export *x, const char *kr, const char *kd)
{
	x->scratch.n = 0;
	alog_export_put_json_quoted(&x->scratch, x->meta_list_r, strlen(x->meta_list_r));
	size_t a = x->scratch.n;
	alog_export_put_json_quoted(&x->scratch, x->meta_list_d, strlen(x->meta_list_d));
	char *t = alog_xmalloc(x->scratch.n);
	memcpy(t, x->scratch.p, x->scratch.n);
	flat_set(x, kr, strlen(kr), (struct alog_span){t, a});
	flat_set(x, kd, strlen(kd), (struct alog_span){t + a, x->scratch.n - a});
	free(t);
}

static void put_flat_values(struct alog_export *x, struct alog_buf *out, char how, int from)
{
	const struct odoc *d = &x->doc;
	int c = d->n[0].child;
	for (int i = 0; c >= 0 && i < from; i++)
		c = d->n[c].next;
	for (int first = 1; c >= 0; c = d->n[c].next, first = 0) {
		struct alog_span v = {aptr(d, d->n[c].v), d->n[c].vn};
		/* CEF: no space between the header's last | and the first key only */
		if (how == 's' || !first)
			buf_ch(out, ' ');
		alog_buf_add(out, aptr(d, d->n[c].name), d->n[c].nlen);
		alog_buf_add(out, how == 's' ? "=\"" : "=", how == 's' ? 2 : 1);
		alog_export_value_text(x, v);
		put_escaped(out, x->text.p, x->text.n, how);
		if (how == 's')
			buf_ch(out, '"');
	}
}

int alog_export_put_syslog(struct alog_export *x, const struct alog_rec *r, const char *obj,
                           size_t n, struct alog_buf *out)
{
	char hex[65], host[256], action[64], seq[32];
	const char *sd = x->o.sd_id ? x->o.sd_id : ALOG_SD_ID;
	size_t k = 0, start = out->n;

	flat_prepare(x);
	/* <authpriv.info>1 TIMESTAMP (microseconds: RFC 5424 allows six digits) */
	alog_buf_str(out, "<86>1 ");
	alog_buf_add(out, r->ts.p, 26);
	buf_ch(out, 'Z');
	buf_ch(out, ' ');
	for (const char *s = x->origin; *s && *s != '/' && k < 255; s++)
		host[k++] = (*s > ' ' && *s < 127) ? *s : '_';
	host[k] = '\0';
	alog_buf_str(out, k ? host : "-");
	alog_buf_str(out, " alog - ");
	if (alog_export_top_string(obj, n, "action", action, sizeof action) && action[0] &&
	    strlen(action) <= 32) {
		for (char *s = action; *s; s++)
			if (*s <= ' ' || *s >= 127)
				action[0] = '\0';
	} else {
		action[0] = '\0';
	}
	alog_buf_str(out, action[0] ? action : "-");
	alog_buf_str(out, " [");
	alog_buf_str(out, sd);
	alog_export_u64_text(seq, r->seq);
	alog_export_hex_hash(hex, r->hash);
	x->scratch.n = 0;
	alog_buf_str(&x->scratch, seq);
	alog_export_put_json_quoted(&x->scratch, r->ts.p, ALOG_TS_LEN);
	alog_export_put_json_quoted(&x->scratch, hex, 64);
	{
		char *t = alog_xmalloc(x->scratch.n);
		size_t sl = strlen(seq);
		memcpy(t, x->scratch.p, x->scratch.n);
		flat_set(x, "seq", 3, (struct alog_span){t, sl});
		flat_set(x, "ts", 2, (struct alog_span){t + sl, ALOG_TS_LEN + 2});
		flat_set(x, "hash", 4, (struct alog_span){t + sl + ALOG_TS_LEN + 2, 66});
		free(t);
	}
	if (alog_export_walk(x, obj, n, 0, 1, 1, flat_leaf) != 0)
		return -1;
	put_flat_values(x, out, 's', 0);
	buf_ch(out, ']');
	if (x->nrules) {
		/* the copy says what it is, in an element of its own */
		alog_buf_str(out, "[alogCopy");
		alog_buf_str(out, strchr(sd, '@'));
		alog_buf_str(out, " redacted=\"");
		put_escaped(out, x->meta_list_r, strlen(x->meta_list_r), 's');
		alog_buf_str(out, "\" dropped=\"");
		put_escaped(out, x->meta_list_d, strlen(x->meta_list_d), 's');
		alog_buf_str(out, "\"]");
	}
	if (x->msg.p) {
		alog_export_value_text(x, x->msg);
		/* MSG-UTF8: a byte order mark, then the text */
		alog_buf_str(out, " \xef\xbb\xbf");
		put_escaped(out, x->text.p, x->text.n, 'm');
	}
	if (x->o.octet_counting) {
		/* RFC 6587 3.4.1: MSG-LEN SP SYSLOG-MSG, no trailer */
		char len[24];
		int ln = snprintf(len, sizeof len, "%zu ", out->n - start);
		alog_buf_reserve(out, (size_t)ln);
		memmove(out->p + start + ln, out->p + start, out->n - start);
		memcpy(out->p + start, len, (size_t)ln);
		out->n += (size_t)ln;
		return 0;
	}
	buf_ch(out, '\n');
	return 0;
}

int alog_export_put_cef(struct alog_export *x, const struct alog_rec *r, const char *obj, size_t n,
                        struct alog_buf *out)
{
	char hex[65], action[1024], num[32], sev[16] = "3";
	const char *path[1] = {"severity"};
	struct alog_span v;
	int have_action = alog_export_top_string(obj, n, "action", action, sizeof action) && action[0];

	flat_prepare(x);
	/* the header: CEF:Version|Vendor|Product|Version|Signature ID|Name|Severity| */
	alog_buf_str(out, "CEF:0|alog|alog|");
	put_escaped(out, ALOG_VERSION, strlen(ALOG_VERSION), 'h');
	buf_ch(out, '|');
	put_escaped(out, have_action ? action : "event", strlen(have_action ? action : "event"),
	            'h');
	buf_ch(out, '|');
	put_escaped(out, have_action ? action : "event", strlen(have_action ? action : "event"),
	            'h');
	buf_ch(out, '|');
	if (alog_json_lookup(obj, n, path, 1, &v) == 1) {
		alog_export_value_text(x, v);
		static const char *const words[] = {"Unknown", "Low", "Medium", "High", "Very-High",
		                                    NULL};
		char t[16];
		size_t tn = x->text.n < sizeof t - 1 ? x->text.n : sizeof t - 1;
		memcpy(t, x->text.p, tn);
		t[tn] = '\0';
		int num_ok = tn >= 1 && tn <= 2 && t[0] >= '0' && t[0] <= '9' &&
		             (tn == 1 || (t[0] == '1' && t[1] == '0'));
		if ((num_ok && alog_json_type(v.p, v.n) == ALOG_JSON_NUMBER) || word_in(t, words))
			snprintf(sev, sizeof sev, "%s", t);
	}
	alog_buf_str(out, sev);
	buf_ch(out, '|');
	/* rt: milliseconds since the epoch; externalId: the seq; the chain hash */
	int k = snprintf(num, sizeof num, "%lld", (long long)(r->ts_ns / 1000000));
	flat_set(x, "rt", 2, (struct alog_span){num, (size_t)k});
	char seq[32];
	size_t sk = alog_export_u64_text(seq, r->seq);
	flat_set(x, "externalId", 10, (struct alog_span){seq, sk});
	alog_export_hex_hash(hex, r->hash);
	flat_set(x, "alogHash", 8, (struct alog_span){hex, 64});
	if (x->nrules)
		flat_meta(x, "alogRedacted", "alogDropped");
	if (alog_export_walk(x, obj, n, 0, 1, 1, flat_leaf) != 0)
		return -1;
	put_flat_values(x, out, 'c', 0);
	buf_ch(out, '\n');
	return 0;
}
