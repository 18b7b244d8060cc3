/*
 * test_session.c - where a transcript is cut into chunks (whole lines,
 * partial lines and private key blocks waiting, UTF-8 never split), the
 * escaping of terminal bytes, and session ids.
 */
#include <stdlib.h>

#include "base/json.h"
#include "capture/session.h"
#include "t.h"

static size_t cut(const char *s, int force, int timed_out)
{
	return alog_io_cut(s, strlen(s), force, timed_out);
}

static void test_cut_lines(void)
{
	/* not timed out and small: everything waits */
	CHECK(cut("one\ntwo\n", 0, 0) == 0);
	/* timed out: whole lines go, the partial line waits */
	CHECK(cut("one\ntwo\nthr", 0, 1) == 8);
	CHECK(cut("a prompt> ", 0, 1) == 0);
	CHECK(cut("typed\r", 0, 1) == 6);
	/* forced: all */
	CHECK(cut("a prompt> ", 1, 0) == 10);
	CHECK(cut("", 1, 1) == 0);
}

static void test_cut_key_block(void)
{
	const char *k = "before\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n";
	const char *done = "x\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
	const char *cert = "x\n-----BEGIN CERTIFICATE-----\nMIIE\n";

	/* an open private key block waits, what is before it goes */
	CHECK(cut(k, 0, 1) == 7);
	/* a closed one goes whole */
	CHECK(cut(done, 0, 1) == strlen(done));
	/* a certificate is no secret */
	CHECK(cut(cert, 0, 1) == strlen(cert));
}

static void test_cut_long(void)
{
	size_t n = ALOG_IO_CHUNK + 100, k;
	char *p = malloc(n + 1);

	/* a long line with no blank: cut at the size, never inside a UTF-8 sequence */
	for (size_t i = 0; i < n; i += 2) {
		p[i] = (char)0xc3;
		p[i + 1] = (char)0xa9;
	}
	p[n] = '\0';
	k = alog_io_cut(p, n, 0, 0);
	CHECK(k > 0 && k <= n && k % 2 == 0);
	p[n - 1] = (char)0xc3; /* the last sequence incomplete */
	k = alog_io_cut(p, n, 0, 0);
	CHECK(k == n - 1);
	/* a long line with blanks: cut after the last one */
	memset(p, 'a', n);
	p[n - 10] = ' ';
	CHECK(alog_io_cut(p, n, 0, 0) == n - 9);
	/* a last line longer than ALOG_IO_HOLD after a line end: cut at the size */
	p[100] = '\n';
	p[n - 10] = 'a';
	CHECK(alog_io_cut(p, n, 0, 0) == n);
	free(p);
}

static void test_esc(void)
{
	struct alog_buf b = {0};
	const char in[] = "ok \x1b[1m\xe2\x9c\x93 \xff\x00 \"q\"\n";

	alog_session_esc(&b, in, sizeof in - 1);
	alog_buf_add(&b, "", 1);
	CHECK_STR(b.p, "ok \\u001b[1m\xe2\x9c\x93 \\ufffd\\ufffd \\\"q\\\"\\n");
	b.n = 0;
	alog_session_str(&b, "k", "v");
	alog_buf_add(&b, "", 1);
	CHECK_STR(b.p, ",\"k\":\"v\"");
	alog_buf_free(&b);
}

static void test_id(void)
{
	char a[ALOG_SESSION_ID_LEN + 1], b[ALOG_SESSION_ID_LEN + 1];
	struct alog_error e;

	CHECK(alog_session_id(a, &e) == 0);
	CHECK(alog_session_id(b, &e) == 0);
	CHECK(strlen(a) == 32 && strspn(a, "0123456789abcdef") == 32);
	CHECK(strcmp(a, b) != 0);
}

int main(void)
{
	test_cut_lines();
	test_cut_key_block();
	test_cut_long();
	test_esc();
	test_id();
	return t_done("session");
}
