/*
 * test_capture.c - the pieces of capture that have no process around them:
 * the source member written and read back, fingerprints, the follower's
 * lines and positions on a file, and the source kinds' mappings.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/follow.h"
#include "capture/source.h"
#include "capture/srcpos.h"
#include "base/sha256.h"
#include "t.h"

static char dir[128];

static void append_text(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		abort();
	close(fd);
}

/* The mapped members of one line of a kind, as a NUL-terminated string. */
static const char *mapped(const char *kind, const char *line)
{
	static char out[8192];
	struct alog_error e;
	struct alog_mapper *m = alog_mapper_new(kind, NULL, &e);
	const char *p;
	size_t n;
	int rc;

	if (!m)
		return "(no mapper)";
	rc = alog_mapper_map(m, line, strlen(line), &p, &n, &e);
	if (rc == ALOG_MAP_OK)
		snprintf(out, sizeof out, "%.*s", (int)n, p);
	else
		snprintf(out, sizeof out, "(%d) %s", rc, rc < 0 ? e.msg : "");
	alog_mapper_free(m);
	return out;
}

static void test_srcpos_round_trip(void)
{
	struct alog_srcpos p = {.ino = 1234, .end = 8150};
	struct alog_srcpos_found got;
	static struct alog_srcpos_fmt fmt;
	static char line[65536];
	size_t n;

	memcpy(p.fp, "\x9f\x86\xd0\x81\x88\x4c\x7d\x65", 8);
	snprintf(p.file, sizeof p.file, "/var/log/x-2.json");
	n = alog_srcpos_format(&fmt, "json", "/var/log/x-*.json", &p);
	CHECK_STR(fmt.buf + n - 1, "}");
	fmt.buf[n] = '\0';
	CHECK_STR(fmt.buf, "\"source\":{\"kind\":\"json\",\"path\":\"/var/log/x-*.json\",\"file\":"
	                   "\"/var/log/x-2.json\",\"ino\":1234,\"fp\":\"9f86d081884c7d65\","
	                   "\"end\":8150}");
	/* the next line of the same file changes only the offset */
	p.end = 9;
	n = alog_srcpos_format(&fmt, "json", "/var/log/x-*.json", &p);
	fmt.buf[n] = '\0';
	CHECK(strstr(fmt.buf, "\"end\":9}") != NULL);
	/* a file that is the path itself is not named twice */
	snprintf(p.file, sizeof p.file, "/var/log/x.json");
	n = alog_srcpos_format(&fmt, "json", "/var/log/x.json", &p);
	fmt.buf[n] = '\0';
	CHECK(strstr(fmt.buf, "\"file\"") == NULL);

	snprintf(line, sizeof line,
	         "{\"seq\":2,\"ts\":\"2026-12-02T10:00:00.000000000Z\",\"n\":1,\"alog\":{%.*s},"
	         "\"hash\":\"%064d\"}\n", (int)n, fmt.buf, 0);
	CHECK(alog_srcpos_of_record(line, strlen(line), "path", "/var/log/x.json", &got) == 1);
	CHECK(got.seq == 2 && got.pos.ino == 1234 && got.pos.end == 9);
	CHECK_MEM(got.pos.fp, p.fp, 8);
	CHECK_STR(got.pos.file, "/var/log/x.json");
	CHECK(alog_srcpos_of_record(line, strlen(line), "path", "/var/log/y.json", &got) == 0);
	/* a source member anywhere but in the top-level alog member is no position */
	snprintf(line, sizeof line,
	         "{\"seq\":2,\"ts\":\"2026-12-02T10:00:00.000000000Z\",\"x\":{%.*s},"
	         "\"hash\":\"%064d\"}\n", (int)n, fmt.buf, 0);
	CHECK(alog_srcpos_of_record(line, strlen(line), "path", "/var/log/x.json", &got) == 0);
}

static void test_fingerprint(void)
{
	char path[256], big[6000];
	uint8_t fp[ALOG_FP_LEN], h[32];
	int fd;

	snprintf(path, sizeof path, "%s/fp", dir);
	memset(big, 'x', sizeof big);
	big[sizeof big - 1] = '\0';
	append_text(path, big);
	fd = open(path, O_RDONLY);
	CHECK(alog_fp_compute(fd, 10, fp) == 0);
	alog_sha256(h, big, 10);
	CHECK_MEM(fp, h, ALOG_FP_LEN);
	/* never more than the first 4096 bytes */
	CHECK(alog_fp_compute(fd, 5000, fp) == 0);
	alog_sha256(h, big, ALOG_FP_SPAN);
	CHECK_MEM(fp, h, ALOG_FP_LEN);
	CHECK(alog_fp_compute(fd, 3, fp) == 0);
	close(fd);
}

static void test_follow_lines(void)
{
	struct alog_follow_opts o = {.max_line = 64, .once = 1};
	struct alog_follow_item it;
	struct alog_error e;
	struct alog_follow *f;
	char path[256];
	struct stat st;

	snprintf(path, sizeof path, "%s/src.log", dir);
	o.path = path;
	append_text(path, "one\ntwo\n");
	append_text(path, "0123456789012345678901234567890123456789012345678901234567890123456789\n");
	append_text(path, "three\npart");
	stat(path, &st);
	f = alog_follow_open(&o, NULL, &e);
	CHECK(f != NULL);
	CHECK(alog_follow_next(f, &it, &e) == ALOG_FOLLOW_LINE);
	CHECK(it.len == 3 && memcmp(it.p, "one", 3) == 0 && it.pos->end == 4);
	CHECK(it.pos->ino == (uint64_t)st.st_ino);
	CHECK(alog_follow_next(f, &it, &e) == ALOG_FOLLOW_LINE);
	CHECK(it.len == 3 && it.pos->end == 8);
	CHECK(alog_follow_next(f, &it, &e) == ALOG_FOLLOW_TOOLONG);
	CHECK(it.pos->end == 79);
	CHECK(alog_follow_next(f, &it, &e) == ALOG_FOLLOW_LINE);
	CHECK(it.len == 5 && memcmp(it.p, "three", 5) == 0 && it.pos->end == 85);
	/* the partial last line waits for its LF */
	CHECK(alog_follow_next(f, &it, &e) == ALOG_FOLLOW_END);
	alog_follow_close(f);

	/* resuming after "two": the next line is the long one */
	struct alog_srcpos p;
	memset(&p, 0, sizeof p);
	p.ino = (uint64_t)st.st_ino;
	p.end = 8;
	int fd = open(path, O_RDONLY);
	alog_fp_compute(fd, 8, p.fp);
	close(fd);
	f = alog_follow_open(&o, &p, &e);
	CHECK(alog_follow_next(f, &it, &e) == ALOG_FOLLOW_TOOLONG);
	alog_follow_close(f);
	/* a position whose fingerprint the file does not have: a gap, then the start */
	p.fp[0] ^= 1;
	f = alog_follow_open(&o, &p, &e);
	CHECK(alog_follow_next(f, &it, &e) == ALOG_FOLLOW_GAP);
	CHECK(strstr(it.msg, "is gone") != NULL);
	CHECK(alog_follow_next(f, &it, &e) == ALOG_FOLLOW_LINE);
	CHECK(it.pos->end == 4);
	alog_follow_close(f);
	CHECK(alog_follow_is_pattern("/x/a-*.json") && !alog_follow_is_pattern("/x/a.json"));
}

static void test_kinds(void)
{
	CHECK_STR(mapped("json", "{\"a\":1}"), ",\"a\":1");
	CHECK_STR(mapped("json", "  "), "(1) ");
	CHECK(strncmp(mapped("json", "{\"seq\":1}"), "(-1) member name \"seq\" is reserved", 34) ==
	      0);
	CHECK(strncmp(mapped("nosuch", "{}"), "(no mapper)", 11) == 0);
	CHECK_STR(mapped("postgres-jsonlog",
	                 "{\"user\":\"u\",\"dbname\":\"d\",\"error_severity\":\"LOG\",\"message\":"
	                 "\"duration: 1.5 ms  statement: select 1\",\"pid\":7}"),
	          ",\"action\":\"db.query\",\"actor\":\"u\",\"target\":\"d\",\"query\":\"select 1\","
	          "\"duration_ms\":1.5,\"pg\":{\"error_severity\":\"LOG\",\"pid\":7}");
	CHECK(strncmp(mapped("postgres-jsonlog", "{\"user\":\"u\"}"), "(-1) not a PostgreSQL", 21) ==
	      0);
	CHECK_STR(mapped("nginx-json", "{\"request\":\"DELETE /x?y HTTP/1.1\",\"status\":204,"
	                               "\"remote_user\":\"\",\"remote_addr\":\"::1\"}"),
	          ",\"action\":\"http.delete\",\"target\":\"/x?y\",\"src\":{\"ip\":\"::1\"},"
	          "\"result\":\"success\",\"http\":{\"request\":\"DELETE /x?y HTTP/1.1\","
	          "\"status\":204}");
	/* invalid UTF-8 in a syslog line is replaced, never refused */
	CHECK_STR(mapped("syslog", "<13>Dec  2 10:00:00 h app: a\xff" "b"),
	          ",\"action\":\"syslog.message\",\"msg\":\"a\xef\xbf\xbd" "b\",\"syslog\":{\"time\":"
	          "\"Dec  2 10:00:00\",\"host\":\"h\",\"app\":\"app\",\"facility\":\"user\","
	          "\"severity\":\"notice\"}");
}

int main(void)
{
	char cmd[256];

	snprintf(dir, sizeof dir, "/tmp/alog-test-capture.XXXXXX");
	if (!mkdtemp(dir))
		return 2;
	test_srcpos_round_trip();
	test_fingerprint();
	test_follow_lines();
	test_kinds();
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 2;
	return t_done("capture");
}
