/*
 * verify_input.h - how an input of fuzz_verify is read, shared with the
 * unit test that replays its corpus (tests/unit/test_verify.c): the first
 * byte selects the verifier's options, the rest is one or more files, split
 * at a 0x1e byte that starts a line, verified in order as one log.
 */
#ifndef ALOG_TESTS_VERIFY_INPUT_H
#define ALOG_TESTS_VERIFY_INPUT_H

#include <string.h>

#include "keys/key.h"
#include "ops/verify.h"

#define MAX_FILES 4

/* The files in p[0..n) (the input after its first byte): their number. */
static inline int verify_input_split(const char *p, size_t n, const char *part[MAX_FILES],
                                     size_t partn[MAX_FILES])
{
	const char *start = p, *end = p + n;
	int nparts = 0;

	while (nparts < MAX_FILES - 1) {
		const char *q = p, *cut = NULL;
		while ((q = memchr(q, '\x1e', (size_t)(end - q))) != NULL) {
			if (q == start || q[-1] == '\n') {
				cut = q;
				break;
			}
			q++;
		}
		if (!cut)
			break;
		part[nparts] = p;
		partn[nparts++] = (size_t)(cut - p);
		p = cut + 1;
	}
	part[nparts] = p;
	partn[nparts++] = (size_t)(end - p);
	return nparts;
}

/* The verifier's options from the input's first byte (pk: the corpus's public key). */
static inline void verify_input_opts(struct alog_verify_opts *o, unsigned flags,
                                     const struct alog_pubkey *pk)
{
	memset(o, 0, sizeof *o);
	o->key_next = -1;
	o->all = flags & 1;
	o->fragment = (flags & 2) != 0;
	o->strict_json = (flags & 4) != 0;
	o->strict_time = (flags & 8) != 0;
	if (flags & 16)
		o->pubkey = pk;
	o->require_sealed = (flags & 32) != 0;
	if (flags & 64)
		o->key_next = (int64_t)(flags >> 7) * 3;
	o->now_ns = 1;
}

#endif
