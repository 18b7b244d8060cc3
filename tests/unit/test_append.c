/*
 * test_append.c - the appender: events through the policy into the log,
 * what a refused event leaves (nothing), a damaged tail, and a bad policy
 * that must leave no new file behind.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture/append.h"
#include "t.h"
#include "ops/verify.h"

static char dir[128], logp[192], pol[192];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static char *read_all(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = '\0';
	return buf;
}

static void count_problem(void *ctx, const struct alog_problem *p)
{
	if (!p->warning)
		(*(int *)ctx)++;
}

static int verifies(const char *path, uint64_t *records)
{
	struct alog_verify_opts vo = {.key_next = -1};
	struct alog_verify_summary s;
	struct alog_error e;
	int problems = 0;
	struct alog_verifier *v = alog_verifier_new(&vo, count_problem, &problems);
	int rc = alog_verify_file(v, path, &e);
	alog_verifier_finish(v, &s);
	alog_verifier_free(v);
	*records = s.records;
	return rc == 0 && problems == 0;
}

static void test_policy_applies(void)
{
	struct alog_append_opts o = {
		.policy = pol, .origin = "test/append", .sync = ALOG_SYNC_BATCH};
	struct alog_error e;
	struct alog_appender *a;
	static const char ev1[] =
		"{\"actor\":\"alice\",\"action\":\"pay\",\"card\":\"4111 1111 1111 1111\"}\n";
	static const char ev2[] = "{\"actor\":\"bob\",\"action\":\"login\"}";
	static const char carol[] = ",\"actor\":\"carol\",\"action\":\"x\"";
	static const char noactor[] = ",\"action\":\"x\"";
	uint64_t records = 0;
	const char *text;

	unlink(logp);
	a = alog_appender_open(logp, &o, &e);
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(alog_appender_has_policy(a));
	CHECK(alog_appender_add_json(a, ev1, sizeof ev1 - 1, &e) == 0);
	CHECK(alog_appender_add_json(a, ev2, sizeof ev2 - 1, &e) == 0);
	/* a new file: its header is pending too */
	CHECK(alog_appender_pending(a) == 3);
	CHECK(alog_appender_commit(a, &e) == 2);
	CHECK(alog_appender_pending(a) == 0);
	CHECK(alog_appender_tail(a)->seq == 3);

	/* refused: bad JSON, a reserved name, the policy's rules; nothing pending after */
	CHECK(alog_appender_add_json(a, "{\"actor\":", 9, &e) == ALOG_APPEND_REFUSED);
	CHECK(alog_appender_add_json(a, "{\"seq\":1}", 9, &e) == ALOG_APPEND_REFUSED);
	CHECK(alog_appender_add_json(a, "{\"action\":\"x\"}", 14, &e) == ALOG_APPEND_REFUSED);
	CHECK(strstr(e.msg, "missing member \"actor\"") != NULL);
	CHECK(alog_appender_pending(a) == 0);
	CHECK(alog_appender_commit(a, &e) == 0);

	/* one event, durably */
	CHECK(alog_append_one(a, carol, strlen(carol), &e) == 0);
	CHECK(alog_append_one(a, noactor, strlen(noactor), &e) == ALOG_APPEND_REFUSED);
	CHECK(alog_appender_tail(a)->seq == 4);
	alog_appender_close(a);

	text = read_all(logp);
	CHECK(strstr(text, "**** **** **** 1111") != NULL);
	CHECK(strstr(text, "4111 1111 1111 1111") == NULL);
	CHECK(strstr(text, "\"rule\":\"card-number\"") != NULL);
	CHECK(strstr(text, "\"actor\":\"carol\"") != NULL);
	CHECK(verifies(logp, &records));
	CHECK(records == 4);
}

static void test_damaged_tail(void)
{
	struct alog_append_opts o = {.sync = ALOG_SYNC_EACH};
	struct alog_error e;
	struct alog_appender *a;
	static const char dave[] = ",\"actor\":\"dave\"";
	int fd = open(logp, O_WRONLY | O_APPEND);

	CHECK(fd >= 0);
	CHECK(write(fd, "{\"seq\":5,", 9) == 9);
	close(fd);
	a = alog_appender_open(logp, &o, &e);
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(alog_append_one(a, dave, strlen(dave), &e) == ALOG_APPEND_DAMAGED);
	CHECK(strstr(e.msg, "--recover") != NULL);
	CHECK(alog_appender_pending(a) == 0);
	alog_appender_close(a);
}

static void test_bad_policy_no_file(void)
{
	struct alog_append_opts o = {.policy = pol};
	struct alog_error e;
	struct stat st;

	write_file(pol, "{\"rules\":[{\"do\":\"mask\"}],\"bogus\":1}");
	unlink(logp);
	CHECK(alog_appender_open(logp, &o, &e) == NULL);
	CHECK(stat(logp, &st) != 0);
}

static void test_make_dirs(void)
{
	struct alog_append_opts o = {.make_dirs = 1};
	struct alog_error e;
	char deep[256];
	struct alog_appender *a;

	snprintf(deep, sizeof deep, "%s/a/b/audit.alog", dir);
	a = alog_appender_open(deep, &o, &e);
	CHECK(a != NULL);
	if (a) {
		CHECK(alog_append_one(a, ",\"msg\":\"hi\"", 11, &e) == 0);
		alog_appender_close(a);
	}
	unlink(deep);
	snprintf(deep, sizeof deep, "%s/a/b", dir);
	rmdir(deep);
	snprintf(deep, sizeof deep, "%s/a", dir);
	rmdir(deep);
}

int main(void)
{
	snprintf(dir, sizeof dir, "/tmp/alog-test-append.%d", (int)getpid());
	mkdir(dir, 0700);
	snprintf(logp, sizeof logp, "%s/audit.alog", dir);
	snprintf(pol, sizeof pol, "%s/policy.json", dir);
	write_file(pol, "{\"require\":[\"actor\"],\"detectors\":{\"card-number\":true}}");

	test_policy_applies();
	test_damaged_tail();
	test_bad_policy_no_file();
	test_make_dirs();

	unlink(logp);
	unlink(pol);
	rmdir(dir);
	return t_done("append");
}
