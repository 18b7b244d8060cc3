/*
 * test_writer.c - appends from several threads of one process (each with
 * its own writer: locks are per open file), tail discovery, and recovery.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "base/ts.h"
#include "log/writer.h"
#include "ops/verify.h"
#include "t.h"

#define THREADS 4
#define PER_THREAD 300

static char path[256];

static void *appender(void *arg)
{
	long id = (long)arg;
	struct alog_writer_opts o = {.origin = "test/threads", .sync = ALOG_SYNC_NONE};
	struct alog_error e;
	struct alog_writer *w = alog_writer_open(path, &o, &e);
	char m[64];

	if (!w)
		return (void *)1;
	for (int i = 0; i < PER_THREAD; i++) {
		int n = snprintf(m, sizeof m, ",\"t\":%ld,\"i\":%d", id, i);
		if (alog_writer_lock(w, &e) != 0 || alog_writer_add(w, NULL, m, (size_t)n, &e) != 0 ||
		    alog_writer_commit(w, &e) != 0)
			return (void *)1;
	}
	alog_writer_close(w);
	return NULL;
}

static void count_problem(void *ctx, const struct alog_problem *p)
{
	if (!p->warning)
		(*(int *)ctx)++;
}

static int verify_at(const char *p, int *problems, uint64_t *records)
{
	struct alog_verify_opts vo = {.key_next = -1};
	struct alog_verify_summary s;
	struct alog_error e;
	struct alog_verifier *v = alog_verifier_new(&vo, count_problem, problems);
	int rc = alog_verify_file(v, p, &e);
	alog_verifier_finish(v, &s);
	alog_verifier_free(v);
	*records = s.records;
	return rc;
}

static int verify(int *problems, uint64_t *records)
{
	return verify_at(path, problems, records);
}

/*
 * Batches of 1, 4, 7, 10 and 13 records (the first with the header) handed
 * over one after another into a new log at p, then two more handed over
 * and one committed behind them.
 */
static void flights(const char *p, int one_thread)
{
	static const size_t want[5] = {0, 2, 0, 4, 7}, inflight[5] = {1, 1, 2, 2, 2};
	struct alog_writer_opts o = {.sync = ALOG_SYNC_BATCH, .origin = "test/threads",
	                             .one_thread = one_thread};
	struct alog_writer *w;
	struct alog_tail tail;
	struct alog_torn torn;
	struct alog_error e;
	size_t count = 99;
	uint64_t records;
	char m[64];
	int n, problems = 0, fd;
	off_t size;

	w = alog_writer_open(p, &o, &e);
	CHECK(w != NULL);
	CHECK(alog_writer_lock(w, &e) == 0);
	for (int b = 0; b < 5; b++) {
		for (int i = 0; i <= b * 3; i++) {
			n = snprintf(m, sizeof m, ",\"b\":%d,\"i\":%d", b, i);
			CHECK(alog_writer_add(w, NULL, m, (size_t)n, &e) == 0);
		}
		/*
		 * what it waited for: a new file's first batch whole, else the
		 * oldest when both flights are taken
		 */
		CHECK(alog_writer_flush_start(w, &count, &e) == 0);
		CHECK(count == want[b]);
		CHECK((size_t)alog_writer_inflight(w) == inflight[b]);
		if (one_thread)
			CHECK(alog_writer_flush_done(w) && !alog_writer_flush_busy(w));
	}
	CHECK(alog_writer_tail(w)->seq == 2 + 4 + 7);
	CHECK(alog_writer_flush_wait_one(w, &count, &e) == 0 && count == 10);
	CHECK(alog_writer_inflight(w) == 1 && alog_writer_tail(w)->seq == 23);
	CHECK(alog_writer_flush_wait(w, &count, &e) == 0 && count == 13);
	CHECK(!alog_writer_inflight(w) && !alog_writer_flush_done(w) && !alog_writer_flush_busy(w));
	CHECK(alog_writer_tail(w)->seq == 1 + 1 + 4 + 7 + 10 + 13);
	/* two in flight when the batch after them is committed the usual way */
	CHECK(alog_writer_add(w, NULL, ",\"x\":1", 6, &e) == 0);
	CHECK(alog_writer_flush_start(w, &count, &e) == 0 && count == 0);
	CHECK(alog_writer_add(w, NULL, ",\"x\":2", 6, &e) == 0);
	CHECK(alog_writer_flush_start(w, &count, &e) == 0 && count == 0);
	CHECK(alog_writer_add(w, NULL, ",\"x\":3", 6, &e) == 0);
	CHECK(alog_writer_commit(w, &e) == 0);
	CHECK(!alog_writer_inflight(w) && alog_writer_tail(w)->seq == 39);
	alog_writer_close(w);
	CHECK(verify_at(p, &problems, &records) == 0 && problems == 0 && records == 39);
	fd = open(p, O_RDONLY);
	CHECK(fd >= 0);
	size = lseek(fd, 0, SEEK_END);
	CHECK(alog_tail_read(fd, (uint64_t)size, &tail, &torn, &e) == 0 && tail.seq == 39);
	close(fd);
}

/* A record line with its ts and hash blanked out. */
static void blank_time(char *l)
{
	char *ts = strstr(l, ",\"ts\":\""), *h = strstr(l, ",\"hash\":\"");

	if (ts && strlen(ts) > 7 + ALOG_TS_LEN)
		memset(ts + 7, '-', ALOG_TS_LEN);
	if (h && strlen(h) > 9 + 64)
		memset(h + 9, '-', 64);
}

/* The lines of two logs are the same but for their times and hashes. */
static int same_but_time(const char *p1, const char *p2)
{
	FILE *f1 = fopen(p1, "r"), *f2 = fopen(p2, "r");
	char l1[4096], l2[4096];
	int same = f1 && f2, lines = 0;

	while (same) {
		char *g1 = fgets(l1, sizeof l1, f1), *g2 = fgets(l2, sizeof l2, f2);
		if (!g1 || !g2) {
			same = !g1 && !g2 && lines > 0;
			break;
		}
		blank_time(l1);
		blank_time(l2);
		same = strcmp(l1, l2) == 0;
		lines++;
	}
	if (f1)
		fclose(f1);
	if (f2)
		fclose(f2);
	return same;
}

int main(void)
{
	pthread_t th[THREADS];
	struct alog_tail tail;
	struct alog_torn torn;
	struct alog_error e;
	int problems = 0, fd;
	uint64_t records;
	void *ret;

	snprintf(path, sizeof path, "/tmp/alog-test-writer.%d", (int)getpid());
	unlink(path);
	for (long i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, appender, (void *)i);
	for (int i = 0; i < THREADS; i++) {
		pthread_join(th[i], &ret);
		CHECK(ret == NULL);
	}
	CHECK(verify(&problems, &records) == 0);
	CHECK(problems == 0);
	CHECK(records == 1 + THREADS * PER_THREAD);

	/* the tail: found by reading backwards, and damage past it reported */
	fd = open(path, O_RDWR | O_APPEND);
	CHECK(fd >= 0);
	off_t size = lseek(fd, 0, SEEK_END);
	CHECK(alog_tail_read(fd, (uint64_t)size, &tail, &torn, &e) == 0);
	CHECK(tail.seq == records && tail.first_seq == 1 && tail.size == (uint64_t)size);
	CHECK(write(fd, "{\"seq\":", 7) == 7);
	CHECK(alog_tail_read(fd, (uint64_t)size + 7, &tail, &torn, &e) == 1);
	CHECK(torn.offset == (uint64_t)size && torn.bytes == 7 && torn.line == records + 1);
	close(fd);

	/* recovery moves the damage aside and records it */
	{
		struct alog_writer_opts o = {.sync = ALOG_SYNC_EACH, .origin = "test/threads"};
		struct alog_writer *w = alog_writer_open(path, &o, &e);
		char aside[512];
		CHECK(w != NULL);
		CHECK(alog_writer_lock(w, &e) == 1);
		CHECK(alog_writer_recover(w, aside, sizeof aside, &e) == 0);
		CHECK(alog_writer_recover(w, aside, sizeof aside, &e) == 1);
		alog_writer_close(w);
		problems = 0;
		CHECK(verify(&problems, &records) == 0 && problems == 0);
		CHECK(records == 2 + THREADS * PER_THREAD);
		unlink(aside);
	}
	/*
	 * batches handed to second threads while the next is made, and the
	 * same in the caller (no thread, as when none can be started): each
	 * the same file as one batch after another, counts as they complete
	 */
	{
		char one[300];
		snprintf(one, sizeof one, "%s.one", path);
		unlink(path);
		unlink(one);
		flights(path, 0);
		flights(one, 1);
		CHECK(same_but_time(path, one));
		unlink(one);
	}
	unlink(path);
	return t_done("test_writer");
}
