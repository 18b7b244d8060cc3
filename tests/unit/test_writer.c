/*
 * test_writer.c - appends from several threads of one process (each with
 * its own writer: locks are per open file), tail discovery, and recovery.
 */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

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

static int verify(int *problems, uint64_t *records)
{
	struct alog_verify_opts vo = {.key_next = -1};
	struct alog_verify_summary s;
	struct alog_error e;
	struct alog_verifier *v = alog_verifier_new(&vo, count_problem, problems);
	int rc = alog_verify_file(v, path, &e);
	alog_verifier_finish(v, &s);
	alog_verifier_free(v);
	*records = s.records;
	return rc;
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
	 * batches handed to the second thread while the next is made: the
	 * same file as one batch after another, counts as they complete
	 */
	{
		struct alog_writer_opts o = {.sync = ALOG_SYNC_BATCH, .origin = "test/threads"};
		struct alog_writer *w;
		size_t count = 99;
		char m[64];
		int n;

		unlink(path);
		w = alog_writer_open(path, &o, &e);
		CHECK(w != NULL);
		CHECK(alog_writer_lock(w, &e) == 0);
		for (int b = 0; b < 5; b++) {
			for (int i = 0; i <= b * 3; i++) {
				n = snprintf(m, sizeof m, ",\"b\":%d,\"i\":%d", b, i);
				CHECK(alog_writer_add(w, NULL, m, (size_t)n, &e) == 0);
			}
			CHECK(alog_writer_flush_start(w, &count, &e) == 0);
			/* the one before, now written: its records (the header too) */
			CHECK(count == (b == 0 ? 0 : (size_t)(b - 1) * 3 + 1 + (b == 1)));
			CHECK(alog_writer_inflight(w));
		}
		CHECK(alog_writer_flush_wait(w, &count, &e) == 0 && count == 13);
		CHECK(!alog_writer_inflight(w));
		CHECK(alog_writer_tail(w)->seq == 1 + 1 + 4 + 7 + 10 + 13);
		/* one in flight when the batch after it is committed the usual way */
		CHECK(alog_writer_add(w, NULL, ",\"x\":1", 6, &e) == 0);
		CHECK(alog_writer_flush_start(w, &count, &e) == 0);
		CHECK(alog_writer_add(w, NULL, ",\"x\":2", 6, &e) == 0);
		CHECK(alog_writer_commit(w, &e) == 0);
		CHECK(!alog_writer_inflight(w) && alog_writer_tail(w)->seq == 38);
		alog_writer_close(w);
		problems = 0;
		CHECK(verify(&problems, &records) == 0 && problems == 0 && records == 38);
		fd = open(path, O_RDONLY);
		CHECK(fd >= 0);
		size = lseek(fd, 0, SEEK_END);
		CHECK(alog_tail_read(fd, (uint64_t)size, &tail, &torn, &e) == 0 && tail.seq == 38);
		close(fd);
	}
	unlink(path);
	return t_done("test_writer");
}
