/*
 * fuzz_verify.c - libFuzzer target for whole-log verification.  The first
 * input byte selects verifier options; the rest is one or more files
 * (split at a line starting with 0x1e) verified in order as one log.  Any
 * bytes are safe; and whatever the verifier passes must pass a plain
 * reference check of seq and chain, so no damaged log is ever accepted.
 * Seeded with sealed logs made with the key below (tests/fuzz/corpus/verify).
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "format/record.h"
#include "keys/key.h"
#include "ops/proof.h"
#include "ops/seal.h"
#include "ops/verify.h"
#include "verify_input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define PUBKEY "alog1+fuzz.example/audit+64+gvzKy/7j9/BtrZwM8r0gtJZHSLMzkDuy1Ns/OyYT+Qc="

static void on_problem(void *ctx, const struct alog_problem *p)
{
	(void)ctx;
	if (strlen(p->msg) == 0 || (unsigned)p->kind >= ALOG_P_COUNT)
		abort();
}

/* The reference: every line a record, seq consecutive, every hash the chain's. */
static int reference_ok(const char *p, size_t n, uint64_t *seq, uint8_t h[32], int first)
{
	const char *end = p + n;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct alog_rec r;
		struct alog_header hd;
		struct alog_error e;
		uint8_t d[32], want[32];
		if (!nl || alog_rec_parse(&r, p, (size_t)(nl - p) + 1, &e) != 0)
			return 0;
		if (first) {
			if (r.type != ALOG_REC_OPEN || alog_header_parse(&r, &hd, &e))
				return 0;
			memcpy(h, hd.has_prev ? hd.prev : (const uint8_t[32]){0}, 32);
			*seq = r.seq - 1;
			first = 0;
		}
		if (r.seq != *seq + 1)
			return 0;
		alog_rec_digest(p, r.len, d);
		alog_chain(want, h, d);
		if (memcmp(want, r.hash, 32) != 0)
			return 0;
		memcpy(h, r.hash, 32);
		*seq = r.seq;
		p = nl + 1;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct alog_pubkey pk;
	static int have_pk;
	struct alog_verify_opts o;
	struct alog_verify_summary s;
	struct alog_verifier *v;
	struct alog_error e;
	const char *part[MAX_FILES];
	size_t partn[MAX_FILES];
	int nparts, rc = 0;

	if (!have_pk) {
		if (alog_pubkey_parse(&pk, PUBKEY, strlen(PUBKEY), &e) != 0)
			abort();
		have_pk = 1;
	}
	if (size < 1)
		return 0;
	verify_input_opts(&o, data[0], &pk);
	nparts = verify_input_split((const char *)data + 1, size - 1, part, partn);
	v = alog_verifier_new(&o, on_problem, NULL);
	for (int i = 0; i < nparts && rc == 0; i++) {
		char path[64];
		int fd = memfd_create("log", 0);
		if (fd < 0)
			abort();
		if (partn[i] && write(fd, part[i], partn[i]) != (ssize_t)partn[i])
			abort();
		snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
		rc = alog_verify_file(v, path, &e);
		close(fd);
		if (rc < 0)
			abort();
	}
	alog_verifier_finish(v, &s);
	alog_verifier_free(v);

	if (s.errors == 0 && !s.fragment && s.records) {
		uint64_t seq = 0;
		uint8_t h[32];
		int first = 1;
		for (int i = 0; i < nparts; i++) {
			/* a tree state (alog-export's, caught by a glob) is skipped, as the verifier does */
			if (partn[i] >= sizeof ALOG_TREE_MAGIC - 1 &&
			    memcmp(part[i], ALOG_TREE_MAGIC, sizeof ALOG_TREE_MAGIC - 1) == 0)
				continue;
			if (!reference_ok(part[i], partn[i], &seq, h, first))
				abort();
			first = 0;
		}
		if (s.last_seq != seq || s.records != s.last_seq - s.first_seq + 1)
			abort();
		if (o.pubkey && s.seals_checked != s.seals)
			abort();
	}
	return 0;
}
