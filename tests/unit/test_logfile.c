/*
 * test_logfile.c - reading one log file for its chain: the header, the
 * record to resume from (the last seal, else the header) with the tree up
 * to it, and the records after it re-hashed forward, each result code.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "format/header.h"
#include "format/merkle.h"
#include "format/sealrec.h"
#include "keys/key.h"
#include "keys/sealcheck.h"
#include "log/logfile.h"
#include "log/writer.h"
#include "t.h"

#define ORIGIN "test.example/logfile"

static char path[256];

static void append(int n, const char *type, const char *members, size_t len)
{
	struct alog_writer_opts o = {.origin = ORIGIN, .sync = ALOG_SYNC_NONE};
	struct alog_error e;
	struct alog_writer *w = alog_writer_open(path, &o, &e);
	char m[64];

	CHECK(w != NULL);
	if (!w)
		return;
	CHECK(alog_writer_lock(w, &e) == 0);
	for (int i = 0; i < n; i++) {
		int k = snprintf(m, sizeof m, ",\"i\":%d", i);
		CHECK(alog_writer_add(w, NULL, m, (size_t)k, &e) == 0);
	}
	if (type)
		CHECK(alog_writer_add(w, type, members, len, &e) == 0);
	CHECK(alog_writer_commit(w, &e) == 0);
	alog_writer_close(w);
}

static uint64_t size_of(int fd)
{
	struct stat st;
	return fstat(fd, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Re-hash forward from the resume point to the end; the number of records taken. */
static int forward_all(int fd, const struct alog_resume *rp, struct alog_merkle *tree, int *last)
{
	struct alog_forward f;
	struct alog_line l;
	struct alog_rec r;
	struct alog_error e;
	uint8_t d[32], leaf[32];
	int n = 0;

	*tree = rp->tree;
	if (alog_forward_start(&f, fd, rp->end, rp->seq, rp->hash, &e) != 0)
		return -1;
	while ((*last = alog_forward_next(&f, &l, &r, d, leaf, &e)) == ALOG_FWD_OK) {
		alog_merkle_push(tree, leaf);
		n++;
	}
	alog_forward_close(&f);
	return n;
}

/*
 * The members text is a string whatever the buffer held before, with or
 * without a "skipped" citation last, and it parses back to the same seal
 * (a key file keeps it with strdup).
 */
static void test_members_string(void)
{
	static char buf[ALOG_SEAL_MEMBERS_MAX], again[ALOG_SEAL_MEMBERS_MAX];
	struct alog_seal s, back;
	struct alog_error e;

	memset(&s, 0, sizeof s);
	alog_merkle_init(&s.range);
	for (int i = 0; i < 5; i++) {
		uint8_t leaf[32];
		alog_merkle_leaf(leaf, &i, sizeof i);
		alog_merkle_push(&s.range, leaf);
	}
	s.size = 5;
	alog_merkle_root(&s.range, s.root);
	s.epoch = 3;
	for (int skip = 0; skip < 2; skip++) {
		size_t n;
		s.has_skip = skip;
		s.skip.size = 2;
		s.skip.epoch = 2;
		s.skip.ncons = 2;
		memset(buf, 'x', sizeof buf);
		n = alog_seal_members(buf, sizeof buf, &s);
		CHECK(n > 0 && n < sizeof buf && strlen(buf) == n);
		CHECK(buf[n - 1] == (skip ? '}' : '"'));
		CHECK(alog_seal_parse_members(buf, strlen(buf), &back, &e) == 0);
		CHECK(back.has_skip == skip && back.size == 5 && back.epoch == 3);
		CHECK(alog_seal_members(again, sizeof again, &back) == n && strcmp(again, buf) == 0);
	}
}

int main(void)
{
	test_members_string();
	struct alog_seckey sk;
	struct alog_pubkey pk;
	struct alog_filehead fh;
	struct alog_resume rp;
	struct alog_merkle tree;
	struct alog_seal s;
	struct alog_error e;
	char members[8192];
	int fd, last;

	snprintf(path, sizeof path, "%s/alog-test-logfile-%d.alog",
	         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid());
	unlink(path);

	/* a header and five events: the header is where to resume */
	append(5, NULL, NULL, 0);
	fd = open(path, O_RDONLY);
	CHECK(fd >= 0);
	CHECK(alog_logfile_head(fd, &fh, &e) == ALOG_HEAD_OK);
	CHECK(fh.seq == 1);
	CHECK_STR(fh.h.origin, ORIGIN);
	CHECK(!fh.h.has_range);
	CHECK(alog_logfile_resume(fd, size_of(fd), 0, &rp, &e) == ALOG_RESUME_FOUND);
	CHECK(rp.type == ALOG_REC_OPEN && rp.seq == 1 && rp.off == 0 && rp.tree.size == 1);
	CHECK(memcmp(rp.hash, fh.hash, 32) == 0);
	CHECK(alog_logfile_resume(fd, size_of(fd), ALOG_RESUME_SEAL_ONLY, &rp, &e) ==
	      ALOG_RESUME_NONE);
	CHECK(alog_logfile_resume(fd, size_of(fd), 0, &rp, &e) == ALOG_RESUME_FOUND);
	CHECK(forward_all(fd, &rp, &tree, &last) == 5 && last == ALOG_FWD_END);
	CHECK(tree.size == 6);

	/* a seal of those six records, then two events: the seal is where to resume */
	CHECK(alog_key_generate(&sk, &pk, ORIGIN, 4, &e) == 0);
	CHECK(alog_seal_make(&s, &sk, &tree) == 0);
	CHECK(alog_seal_check(&s, &pk, &e) == 0);
	{
		size_t n = alog_seal_members(members, sizeof members, &s);
		append(0, "seal", members, n);
	}
	append(2, NULL, NULL, 0);
	CHECK(alog_logfile_resume(fd, size_of(fd), 0, &rp, &e) == ALOG_RESUME_FOUND);
	CHECK(rp.type == ALOG_REC_SEAL && rp.seq == 7 && rp.seal.size == 6);
	CHECK(rp.tree.size == 7);
	CHECK(forward_all(fd, &rp, &tree, &last) == 2 && last == ALOG_FWD_END);
	CHECK(tree.size == 9);
	{
		uint64_t seq;
		struct alog_seal s2;
		CHECK(alog_logfile_seal_at(fd, rp.off, &s2, &seq, &e) == 0);
		CHECK(seq == 7 && s2.size == 6 && memcmp(s2.root, rp.seal.root, 32) == 0);
		CHECK(alog_logfile_seal_at(fd, 0, &s2, &seq, &e) == -1);
		CHECK_STR(e.msg, "no seal at offset 0");
	}

	/* the chain checked forward: another start hash, another start seq */
	{
		struct alog_forward f;
		struct alog_line l;
		struct alog_rec r;
		uint8_t d[32], leaf[32], wrong[32] = {1};
		CHECK(alog_forward_start(&f, fd, rp.end, rp.seq, wrong, &e) == 0);
		CHECK(alog_forward_next(&f, &l, &r, d, leaf, &e) == ALOG_FWD_CHAIN);
		CHECK(r.seq == 8);
		alog_forward_close(&f);
		CHECK(alog_forward_start(&f, fd, rp.end, rp.seq + 1, rp.hash, &e) == 0);
		CHECK(alog_forward_next(&f, &l, &r, d, leaf, &e) == ALOG_FWD_SEQ);
		alog_forward_close(&f);
	}

	/* a line that is not a record after the seal */
	close(fd);
	fd = open(path, O_WRONLY | O_APPEND);
	CHECK(write(fd, "not a record\n", 13) == 13);
	close(fd);
	fd = open(path, O_RDONLY);
	CHECK(alog_logfile_resume(fd, size_of(fd), 0, &rp, &e) == ALOG_RESUME_MALFORMED);
	CHECK(rp.off == size_of(fd) - 13);
	CHECK(alog_logfile_resume(fd, size_of(fd), ALOG_RESUME_SEAL_ONLY, &rp, &e) ==
	      ALOG_RESUME_FOUND);
	CHECK(rp.seq == 7);
	CHECK(forward_all(fd, &rp, &tree, &last) == 2 && last == ALOG_FWD_MALFORMED);
	close(fd);

	/* files that are not logs */
	fd = open(path, O_WRONLY | O_TRUNC);
	CHECK(write(fd, "{\"a\":1}\n", 8) == 8);
	close(fd);
	fd = open(path, O_RDONLY);
	CHECK(alog_logfile_head(fd, &fh, &e) == ALOG_HEAD_NOT_HEADER);
	close(fd);
	fd = open(path, O_WRONLY | O_TRUNC);
	close(fd);
	fd = open(path, O_RDONLY);
	CHECK(alog_logfile_head(fd, &fh, &e) == ALOG_HEAD_NOLINE);
	CHECK(alog_logfile_resume(fd, 0, 0, &rp, &e) == ALOG_RESUME_NONE);
	close(fd);

	alog_seckey_free(&sk);
	unlink(path);
	return t_done("test_logfile");
}
