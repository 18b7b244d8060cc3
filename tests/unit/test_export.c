/*
 * test_export.c - the export module: dotted paths, CSV cells and formula
 * neutralisation, and that every JSON format writes strict JSON (unique
 * names, valid UTF-8) for awkward records.
 */
#include "base/json.h"
#include "export/export.h"
#include "export/internal.h"
#include "format/record.h"
#include "t.h"
#include "tutil.h"

#include <jansson.h>
#include <sodium.h>

static void test_paths(void)
{
	char mem[64];
	const char *c[8];

	CHECK(alog_path_split("a.b.c", 5, mem, c, 8) == 3);
	CHECK_STR(c[2], "c");
	CHECK(alog_path_split("a\\.b.c\\,d\\\\", 11, mem, c, 8) == 2);
	CHECK_STR(c[0], "a.b");
	CHECK_STR(c[1], "c,d\\");
	CHECK(alog_path_split("a..b", 4, mem, c, 8) == -1);
	CHECK(alog_path_split(".a", 2, mem, c, 8) == -1);
	CHECK(alog_path_split("a.", 2, mem, c, 8) == -1);
	CHECK(alog_path_split("a\\x", 3, mem, c, 8) == -1);
	CHECK(alog_path_split("", 0, mem, c, 8) == -1);
	CHECK(alog_path_split("a.b.c", 5, mem, c, 2) == -1);
}

/* Export one record (members text) in a format; returns the output, malloc'd. */
static char *export1(struct alog_export_opts *o, const char *members)
{
	struct alog_error e;
	struct alog_export *x = alog_export_new(o, &e);
	struct alog_buf out = {0};
	char line[4096];
	uint8_t prev[32] = {0}, h[32];
	size_t n;

	if (!x)
		return NULL;
	n = alog_rec_format(line, 2, 1795843038000000000LL, NULL, members, strlen(members), prev,
	                    h);
	alog_export_begin(x, &out);
	if (alog_export_line(x, line, n, &out, &e) != 0) {
		fprintf(stderr, "export failed: %s\n", e.msg);
		alog_export_free(x);
		alog_buf_free(&out);
		return NULL;
	}
	alog_export_end(x, &out);
	alog_buf_add(&out, "", 1);
	alog_export_free(x);
	return out.p;
}

static void test_csv_cells(void)
{
	struct alog_export_opts o = {.format = ALOG_FMT_CSV, .fields = "v"};
	static const struct {
		const char *member, *cell;
	} cases[] = {
		{",\"v\":\"=1+1\"", "'=1+1"},       {",\"v\":\"+1\"", "'+1"},
		{",\"v\":\"-1\"", "'-1"},           {",\"v\":\"@x\"", "'@x"},
		{",\"v\":\"\\t1\"", "\"'\t1\""},    {",\"v\":\"\\r1\"", "\"'\r1\""},
		{",\"v\":-1", "-1"},                {",\"v\":-1.5e3", "-1.5e3"},
		{",\"v\":\"a,b\"", "\"a,b\""},      {",\"v\":\"say \\\"hi\\\"\"", "\"say \"\"hi\"\"\""},
		{",\"v\":\"a\\nb\"", "\"a\nb\""},   {",\"v\":\"\\u001b[2J\"", "\"#033[2J\""},
		{",\"v\":null", ""},                {",\"w\":1", ""},
		{",\"v\":true", "true"},            {",\"v\":{\"a\":[1,2]}", "\"{\"\"a\"\":[1,2]}\""},
		{",\"v\":\"caf\\u00e9\"", "caf\xc3\xa9"},
	};
	for (size_t i = 0; i < ALOG_ARRAY_LEN(cases); i++) {
		char *out = export1(&o, cases[i].member), want[256];
		snprintf(want, sizeof want, "v\r\n%s\r\n", cases[i].cell);
		CHECK_STR(out, want);
		free(out);
	}
	o.allow_formulas = 1;
	char *out = export1(&o, ",\"v\":\"=1+1\"");
	CHECK_STR(out, "v\r\n=1+1\r\n");
	free(out);
}

/* Every JSON format's output lines are strict JSON objects. */
static void test_json_valid(void)
{
	static const char *const records[] = {
		",\"actor\":\"a\\\"b\",\"action\":\"db.query\",\"target\":\"t\",\"x\":{}",
		",\"user\":{\"name\":\"n\",\"email\":\"e\"},\"actor\":\"dup\",\"action\":\"auth.login\"",
		",\"msg\":\"\\ud83d\\ude00 \\u0001\",\"src\":{\"ip\":[1,2],\"deep\":{\"a\":{\"b\":1}}}",
		",\"a\\u002eb\":1,\"a\":{\"b\":2},\"alog2\":3,\"unmapped\":{\"x\":1}",
		"",
	};
	enum alog_export_format fs[] = {ALOG_FMT_NDJSON, ALOG_FMT_JSON, ALOG_FMT_ECS,
	                                ALOG_FMT_OCSF};
	static const char *const redact[] = {"user.email", "src.deep.a"};
	for (size_t r = 0; r < ALOG_ARRAY_LEN(records); r++) {
		for (size_t f = 0; f < ALOG_ARRAY_LEN(fs); f++) {
			for (int red = 0; red < 2; red++) {
				struct alog_export_opts o = {.format = fs[f]};
				if (red) {
					o.redact = redact;
					o.nredact = 2;
				}
				char *out = export1(&o, records[r]);
				CHECK(out != NULL);
				if (!out)
					continue;
				size_t n = strlen(out);
				char *buf = malloc(n + 1);
				struct alog_json_error je;
				/* ndjson, ecs, ocsf: one object per line; json: the whole array */
				if (fs[f] == ALOG_FMT_JSON) {
					CHECK(alog_json_compact(out, n, buf, 0, &je) >= 0);
				} else {
					char *nl = strchr(out, '\n');
					CHECK(nl && (size_t)(nl - out) + 1 == n);
					long k = alog_json_compact(out, n, buf, 1, &je);
					if (k < 0)
						fprintf(stderr, "invalid (%s): %s\n", je.msg, out);
					CHECK(k >= 0);
				}
				CHECK(!red || strstr(out, "redacted copy") != NULL);
				free(buf);
				free(out);
			}
		}
	}
}

/*
 * Strings as the SIEM documents quote them, plain ASCII copied as it is
 * and everything else escaped: on random strings, jansson reads back the
 * bytes given (a byte that is not UTF-8 as U+FFFD), and no raw control
 * character or DEL is written.
 */
static void test_json_quoted(void)
{
	static const char *const parts[] = {"a", "event.kind", "0123456789abcdef", " ", "\"",
	                                    "\\", "\x7f", "\x01", "\n", "\xc3\xa9",
	                                    "\xf0\x9f\x98\x80", "\xff", "/", "~"};
	struct alog_buf out = {0};
	struct sb in = {0}, want = {0};

	for (unsigned it = 0; it < 20000; it++) {
		unsigned np = rn(12);
		json_error_t je;
		json_t *v;
		int nul = rn(8) == 0;

		in.n = want.n = 0;
		for (unsigned i = 0; i < np; i++) {
			const char *p = parts[rn(sizeof parts / sizeof parts[0])];
			sb_puts(&in, p);
			sb_puts(&want, strcmp(p, "\xff") ? p : "\xef\xbf\xbd");
		}
		if (nul) {
			sb_put(&in, "", 1);
			sb_put(&want, "", 1);
		}
		out.n = 0;
		buf_ch(&out, '[');
		alog_export_put_json_quoted(&out, in.p ? in.p : "", in.n);
		buf_ch(&out, ']');
		for (size_t i = 0; i < out.n; i++)
			if ((unsigned char)out.p[i] < 0x20 || out.p[i] == 0x7f) {
				t_failed++;
				fprintf(stderr, "json quoted: a raw byte 0x%02x\n", (unsigned char)out.p[i]);
				break;
			}
		v = json_loadb(out.p, out.n, JSON_ALLOW_NUL, &je);
		t_checks++;
		if (!v || !json_is_string(json_array_get(v, 0)) ||
		    json_string_length(json_array_get(v, 0)) != want.n ||
		    memcmp(json_string_value(json_array_get(v, 0)), want.p ? want.p : "", want.n) != 0) {
			t_failed++;
			fprintf(stderr, "json quoted: %.*s does not read back\n", (int)out.n, out.p);
		}
		json_decref(v);
	}
	alog_buf_free(&out);
	free(in.p);
	free(want.p);
}

/*
 * The members ECS and OCSF classify by (action, outcome, result, actor,
 * target, src) are found whether or not their names are spelt with escapes.
 */
static void test_top_members(void)
{
	static const char *const recs[] = {
		",\"action\":\"auth.login\",\"actor\":\"a\",\"target\":\"t\",\"outcome\":\"failed\"",
		",\"act\\u0069on\":\"auth.login\",\"\\u0061ctor\":\"a\",\"targe\\u0074\":\"t\","
		"\"outc\\u006fme\":\"failed\"",
		",\"action\":\"auth.login\",\"actor\":\"a\",\"target\":\"t\",\"res\\u0075lt\":\"denied\"",
	};
	for (size_t i = 0; i < ALOG_ARRAY_LEN(recs); i++) {
		struct alog_export_opts e = {.format = ALOG_FMT_ECS}, o = {.format = ALOG_FMT_OCSF};
		char *ecs = export1(&e, recs[i]), *ocsf = export1(&o, recs[i]);
		CHECK(ecs && strstr(ecs, "\"category\":[\"authentication\"],\"type\":[\"start\"]"));
		CHECK(ecs && strstr(ecs, "\"outcome\":\"failure\""));
		CHECK(ocsf && strstr(ocsf, "\"class_uid\":3002"));
		CHECK(ocsf && strstr(ocsf, "\"activity_id\":1,"));
		CHECK(ocsf && strstr(ocsf, "\"status_id\":2,"));
		CHECK(ocsf && strstr(ocsf, "\"service\":{\"name\":\"t\"}"));
		CHECK(ocsf && strstr(ocsf, "\"user\":{\"name\":\"a\"}"));
		free(ecs);
		free(ocsf);
	}
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_paths();
	test_csv_cells();
	test_json_valid();
	test_json_quoted();
	test_top_members();
	return t_done("test_export");
}
