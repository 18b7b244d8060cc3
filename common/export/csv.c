/*
 * csv.c - CSV and TSV: chosen fields, one cell each, with formula cells
 * neutralised (CWE-1236) unless allowed.
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

/* ---- csv and tsv ---- */

/* Bytes a csv (1) or tsv (2) cell cannot copy without a look. */
static unsigned char cell_special[256];

void alog_export_cell_tables(void)
{
	if (cell_special['"'])
		return;
	for (int c = 0; c < 256; c++)
		cell_special[c] = is_ctl((unsigned char)c) ? 3 : 0;
	cell_special['#'] |= 3;
	cell_special[','] |= 1;
	cell_special['"'] |= 1;
	cell_special['\\'] |= 2;
}

/* RFC 8259 number grammar, exactly: a damaged line may hold anything. */
static int strict_number(const char *s, size_t n)
{
	size_t i = 0, d;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		for (d = ++i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		for (d = i; i < n && s[i] >= '0' && s[i] <= '9'; i++)
			;
		if (i == d)
			return 0;
	}
	return i == n;
}

static int formula_start(unsigned char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

static void put_cell_text(struct alog_export *x, struct alog_buf *out, const char *s, size_t n,
                          int is_number)
{
	int tsv = x->o.format == ALOG_FMT_TSV;
	int neutral = !x->o.allow_formulas && !is_number && n && formula_start((unsigned char)s[0]);
	/* tsv: readers such as sqlite3 .import take a leading " as quoting */
	if (tsv && n && s[0] == '"')
		neutral = 1;
	unsigned mask = tsv ? 2 : 1;
	size_t i;

	for (i = 0; i < n; i++)
		if ((cell_special[(unsigned char)s[i]] & mask) &&
		    (s[i] != '#' || alog_export_octal_lookalike(s + i, n - i)))
			break;
	if (i == n) {
		/* the common case: nothing to quote or escape */
		if (neutral)
			buf_ch(out, '\'');
		alog_buf_add(out, s, n);
		return;
	}
	alog_buf_reserve(out, 2 * n + 8);
	if (tsv) {
		if (neutral)
			buf_ch(out, '\'');
		for (i = 0; i < n; i++) {
			unsigned char c = (unsigned char)s[i];
			if (c == '\\')
				alog_buf_add(out, "\\\\", 2);
			else if (c == '\t')
				alog_buf_add(out, "\\t", 2);
			else if (c == '\n')
				alog_buf_add(out, "\\n", 2);
			else if (c == '\r')
				alog_buf_add(out, "\\r", 2);
			else if (is_ctl(c) || (c == '#' && alog_export_octal_lookalike(s + i, n - i)))
				put_octal(out, c);
			else
				buf_ch(out, (char)c);
		}
		return;
	}
	buf_ch(out, '"');
	if (neutral)
		buf_ch(out, '\'');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"')
			alog_buf_add(out, "\"\"", 2);
		else if ((is_ctl(c) && c != '\n' && c != '\r' && c != '\t') ||
		         (c == '#' && alog_export_octal_lookalike(s + i, n - i)))
			put_octal(out, c);
		else
			buf_ch(out, (char)c);
	}
	buf_ch(out, '"');
}

static void put_cell(struct alog_export *x, struct alog_buf *out, struct alog_span v)
{
	if (!v.p || v.n == 0)
		return;
	switch (alog_json_type(v.p, v.n)) {
	case ALOG_JSON_NULL:
		return;
	case ALOG_JSON_STRING:
		if (v.n >= 2 && !memchr(v.p + 1, '\\', v.n - 2)) {
			put_cell_text(x, out, v.p + 1, v.n - 2, 0);
		} else {
			long k;
			x->scratch.n = 0;
			alog_buf_reserve(&x->scratch, v.n);
			k = alog_json_unescape(v.p + 1, v.n - 2, x->scratch.p, v.n);
			if (k < 0) /* a bad escape in a damaged line: show the raw text */
				put_cell_text(x, out, v.p + 1, v.n - 2, 0);
			else
				put_cell_text(x, out, x->scratch.p, (size_t)k, 0);
		}
		return;
	case ALOG_JSON_NUMBER:
		put_cell_text(x, out, v.p, v.n, strict_number(v.p, v.n));
		return;
	default:
		put_cell_text(x, out, v.p, v.n, 0);
	}
}

static const char *eol(const struct alog_export *x)
{
	return x->o.format == ALOG_FMT_CSV ? "\r\n" : "\n";
}

void alog_export_csv_header(struct alog_export *x, struct alog_buf *out)
{
	char sep = x->o.format == ALOG_FMT_CSV ? ',' : '\t';
	for (size_t i = 0; i < x->nfields; i++) {
		if (i)
			buf_ch(out, sep);
		put_cell_text(x, out, x->fields[i].text, strlen(x->fields[i].text), 0);
	}
	if (x->nrules) {
		buf_ch(out, sep);
		alog_buf_str(out, "alog");
	}
	alog_buf_str(out, eol(x));
}

int alog_export_put_csv_record(struct alog_export *x, const struct alog_rec *r,
                               struct alog_buf *out)
{
	char sep = x->o.format == ALOG_FMT_CSV ? ',' : '\t';
	const char *obj = r->line;
	size_t n = r->len - 1, found = 0;
	struct alog_json_iter it;
	struct alog_span nm, v;
	int rc;

	if (x->nrules) {
		x->filt.n = 0;
		if (alog_export_filter(x, r->line, n, 0, &x->filt) != 0)
			return -1;
		obj = x->filt.p;
		n = x->filt.n;
	}
	memset(x->vals, 0, x->nfields * sizeof *x->vals);
	/* One pass over the top-level members serves every column. */
	alog_json_iter_init(&it, obj, n);
	while (found < x->nfields && (rc = alog_json_iter_next(&it, &nm, &v)) == 1) {
		for (size_t i = 0; i < x->nfields; i++) {
			const struct xpath *f = &x->fields[i];
			if (x->vals[i].p || !alog_json_name_eq(nm, f->c[0], strlen(f->c[0])))
				continue;
			if (f->n == 1) {
				x->vals[i] = v;
			} else if (alog_json_lookup(v.p, v.n, f->c + 1, f->n - 1, &x->vals[i]) != 1) {
				x->vals[i].p = v.p; /* absent: mark as looked up, empty */
				x->vals[i].n = 0;
			}
			found++;
		}
	}
	for (size_t i = 0; i < x->nfields; i++) {
		if (i)
			buf_ch(out, sep);
		put_cell(x, out, x->vals[i]);
	}
	if (x->nrules) {
		buf_ch(out, sep);
		put_cell_text(x, out, x->meta_cell, strlen(x->meta_cell), 0);
	}
	alog_buf_str(out, eol(x));
	return 0;
}
