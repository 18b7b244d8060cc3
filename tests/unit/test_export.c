/*
 * test_export.c - the export module: dotted paths, CSV cells and formula
 * neutralisation, and that every JSON format writes strict JSON (unique
 * names, valid UTF-8) for awkward records.
 */
#include "base/json.h"
#include "export/export.h"
#include "format/record.h"
#include "t.h"

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

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	test_paths();
	test_csv_cells();
	test_json_valid();
	return t_done("test_export");
}
