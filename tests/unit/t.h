/*
 * t.h - a minimal unit test harness: CHECK() records a failure with its
 * location and carries on; t_done() prints a summary and sets the status.
 */
#ifndef ALOG_T_H
#define ALOG_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int t_failed, t_checks;

#define CHECK(cond)                                                               \
	do {                                                                      \
		t_checks++;                                                       \
		if (!(cond)) {                                                    \
			t_failed++;                                               \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__,    \
			        __LINE__, #cond);                                 \
		}                                                                 \
	} while (0)

#define CHECK_STR(got, want)                                                      \
	do {                                                                      \
		const char *g_ = (got), *w_ = (want);                             \
		t_checks++;                                                       \
		if (!g_ || strcmp(g_, w_) != 0) {                                 \
			t_failed++;                                               \
			fprintf(stderr, "%s:%d: got \"%s\", want \"%s\"\n",       \
			        __FILE__, __LINE__, g_ ? g_ : "(null)", w_);      \
		}                                                                 \
	} while (0)

#define CHECK_MEM(got, want, n)                                                   \
	do {                                                                      \
		t_checks++;                                                       \
		if (memcmp((got), (want), (n)) != 0) {                            \
			t_failed++;                                               \
			fprintf(stderr, "%s:%d: bytes differ: %s vs %s\n",        \
			        __FILE__, __LINE__, #got, #want);                 \
		}                                                                 \
	} while (0)

static inline int t_done(const char *name)
{
	printf("%s: %d checks, %d failed\n", name, t_checks, t_failed);
	return t_failed ? 1 : 0;
}

/* Decode a hex string literal into buf; returns its length. */
static inline size_t t_unhex(unsigned char *buf, const char *hex)
{
	size_t n = strlen(hex) / 2;
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		sscanf(hex + 2 * i, "%2x", &v);
		buf[i] = (unsigned char)v;
	}
	return n;
}

#endif
