/*
 * fuzz_export.c - libFuzzer target: exporting arbitrary records (well-formed
 * or not) never crashes in any format; every record the verifier takes
 * (its shape as alog_rec_parse reads it, its members strict JSON as
 * alog-verify --strict wants them) exports in every format; and with
 * formula neutralisation on no CSV or TSV cell starts like a formula
 * unless it is a JSON number.  tests/fuzz/export.dict holds the tokens
 * that reach the worst cases (colliding flat keys, typed fields, classes).
 *
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -D_GNU_SOURCE \
 *     -DALOG_VERSION='"fuzz"' -Icommon tests/fuzz/fuzz_export.c $(find common -name '*.c') \
 *     -lsodium -ljansson -lm -pthread -o /tmp/fuzz_export
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "export/export.h"
#include "format/record.h"

/* A number by RFC 8259's grammar, checked independently of the exporter. */
static int is_json_number(const char *s, size_t n)
{
	char *t = malloc(n + 1), *end;
	int ok = n > 0 && (s[0] == '-' || (s[0] >= '0' && s[0] <= '9'));
	memcpy(t, s, n);
	t[n] = '\0';
	if (ok) {
		strtod(t, &end);
		ok = end == t + n && !strpbrk(t, "xXpPnNiI ") &&
		     !(n > 1 && t[0] == '0' && t[1] >= '0' && t[1] <= '9') &&
		     !(n > 2 && t[0] == '-' && t[1] == '0' && t[2] >= '0' && t[2] <= '9') &&
		     t[n - 1] != '.' && !strstr(t, ".e") && !strstr(t, ".E") && !strstr(t, "-.");
	}
	free(t);
	return ok;
}

static int formula(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r';
}

/* Walk RFC 4180 cells of out (CRLF rows) and check every cell's first byte. */
static void check_csv(const char *p, size_t n)
{
	char *cell = malloc(n + 1);
	size_t i = 0;

	while (i < n) {
		size_t k = 0;
		if (p[i] == '"') {
			for (i++; i < n; i++) {
				if (p[i] == '"' && i + 1 < n && p[i + 1] == '"') {
					cell[k++] = '"';
					i++;
				} else if (p[i] == '"') {
					i++;
					break;
				} else {
					cell[k++] = p[i];
				}
			}
		} else {
			while (i < n && p[i] != ',' && p[i] != '\r')
				cell[k++] = p[i++];
		}
		if (k && formula(cell[0]) && !is_json_number(cell, k))
			abort();
		if (i < n && p[i] == ',')
			i++;
		else if (i + 1 < n && p[i] == '\r' && p[i + 1] == '\n')
			i += 2;
		else if (i < n)
			abort(); /* not RFC 4180 */
	}
	free(cell);
}

static void check_tsv(const char *p, size_t n)
{
	size_t start = 0;
	for (size_t i = 0; i <= n; i++) {
		if (i < n && p[i] != '\t' && p[i] != '\n')
			continue;
		if (i > start && formula(p[start]) && !is_json_number(p + start, i - start))
			abort();
		start = i + 1;
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const redact[] = {"a", "b.c"}, *const drop[] = {"d"};
	struct alog_export_opts o = {0};
	struct alog_export *x;
	struct alog_error e;
	struct alog_buf out = {0};
	char *line;
	size_t n;

	if (size < 1)
		return 0;
	o.format = (enum alog_export_format)(data[0] % 8);
	if (data[0] & 0x08) {
		o.redact = redact;
		o.nredact = 2;
		o.drop = drop;
		o.ndrop = 1;
	}
	if (o.format == ALOG_FMT_CSV || o.format == ALOG_FMT_TSV)
		o.fields = "seq,a,b.c,msg,d.e,x";
	if (o.format == ALOG_FMT_ECS && (data[0] & 0x10))
		o.bulk_index = "i";
	if ((o.format == ALOG_FMT_NDJSON || o.format == ALOG_FMT_JSON) && (data[0] & 0x20))
		o.with_meta = 1;
	if ((data[0] & 0xc7) == 0xc7) {
		/* one session's replay (asciicast.c), no rules: it takes none */
		o.format = ALOG_FMT_ASCIICAST;
		o.session = "0123456789abcdef0123456789abcdef";
		o.nredact = o.ndrop = 0;
		o.fields = NULL;
		o.bulk_index = NULL;
		o.with_meta = 0;
	}
	x = alog_export_new(&o, &e);
	if (!x)
		abort();
	alog_export_begin(x, &out);
	data++;
	size--;

	/* the bytes as members of a record (often valid), then as a raw line */
	line = malloc(size + 160);
	n = (size_t)sprintf(line, "{\"seq\":7,\"ts\":\"2026-11-28T05:17:17.123456789Z\"");
	if (size && data[0] != ',')
		line[n++] = ',';
	memcpy(line + n, data, size);
	n += size;
	n += (size_t)sprintf(line + n, ",\"hash\":\"%064d\"}\n", 0);
	{
		/* the verifier's notion of a record: then every format exports it */
		struct alog_rec r;
		struct alog_error pe;
		struct alog_json_error je;
		char *scratch = malloc(n);
		/*
		 * Raw TAB, CR or LF can only be insignificant white space in strict
		 * JSON, which no alog writer puts in a record; the exporter refuses
		 * them (no raw control character reaches a terminal) and so may.
		 */
		int ctl = 0;
		for (size_t i = 0; i + 1 < n; i++)
			ctl |= (unsigned char)line[i] < 0x20;
		int verified = !ctl && alog_rec_parse(&r, line, n, &pe) == 0 &&
		               r.type == ALOG_REC_EVENT &&
		               alog_json_compact(line, n - 1, scratch, 1, &je) >= 0;
		free(scratch);
		if (alog_export_line(x, line, n, &out, &e) != 0 && verified)
			abort();
	}
	alog_export_line(x, (const char *)data, size, &out, &e);
	alog_export_end(x, &out);

	if (o.format == ALOG_FMT_CSV)
		check_csv(out.p, out.n);
	else if (o.format == ALOG_FMT_TSV)
		check_tsv(out.p, out.n);
	free(line);
	alog_buf_free(&out);
	alog_export_free(x);
	return 0;
}
