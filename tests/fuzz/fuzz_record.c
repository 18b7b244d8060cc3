/*
 * fuzz_record.c - libFuzzer target for the record line parser and the
 * parsers of the members a verifier trusts (header, seal): any bytes are
 * safe, and whatever is accepted has the shape alog(5) promises.
 */
#include <stdlib.h>
#include <string.h>

#include "base/enc.h"
#include "base/ts.h"
#include "format/record.h"
#include "ops/seal.h"
#include "ops/verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_accepted(const struct alog_rec *r, const char *line, size_t len)
{
	char ts[ALOG_TS_LEN + 1], hex[65], digits[48];
	int nd;

	/* The fixed places: seq first, ts second, hash last, one LF at the end. */
	nd = snprintf(digits, sizeof digits, "{\"seq\":%llu,\"ts\":\"", (unsigned long long)r->seq);
	if (r->seq == 0 || r->seq > ALOG_SEQ_MAX || memcmp(line, digits, (size_t)nd) != 0)
		abort();
	if (line[len - 1] != '\n' || len < ALOG_HASH_TAIL)
		abort();
	if (r->ts.p != line + nd || r->ts.n != ALOG_TS_LEN)
		abort();
	/* the same instant back, except a leap second (:60 reads as the next :00) */
	if (memcmp(r->ts.p + 17, "60", 2) != 0 &&
	    memcmp(alog_ts_format(ts, r->ts_ns), r->ts.p, ALOG_TS_LEN) != 0)
		abort();
	if (memcmp(alog_hex(hex, r->hash, 32), line + len - 67, 64) != 0)
		abort();
	if (r->members.p < line + nd + ALOG_TS_LEN ||
	    r->members.p + r->members.n != line + len - ALOG_HASH_TAIL)
		abort();
	if (r->members.n && r->members.p[0] != ',')
		abort();
	if (r->type != ALOG_REC_EVENT) {
		const char *name = alog_rec_type_name(r->type);
		char want[32];
		int k = snprintf(want, sizeof want, ",\"type\":\"%s\"", name);
		if (r->members.n < (size_t)k || memcmp(r->members.p, want, (size_t)k) != 0)
			abort();
	}
}

static void check_seal(const struct alog_rec *r)
{
	struct alog_seal s, s2;
	struct alog_rec r2;
	struct alog_error e;
	char *members = malloc(8192), *line;
	size_t n, len;
	uint8_t h[32];
	static const uint8_t zero[32];

	if (alog_seal_parse(r, &s, &e) != 0) {
		free(members);
		return;
	}
	if (s.size != r->seq - 1 || s.range.size != s.size)
		abort();
	/* Formatting what was parsed and parsing it again gives the same seal. */
	n = alog_seal_members(members, 8192, &s);
	line = malloc(alog_rec_size(n, "seal"));
	len = alog_rec_format(line, r->seq, r->ts_ns, "seal", members, n, zero, h);
	if (alog_rec_parse(&r2, line, len, &e) != 0 || alog_seal_parse(&r2, &s2, &e))
		abort();
	if (s2.size != s.size || memcmp(s2.root, s.root, 32) || s2.epoch != s.epoch ||
	    memcmp(s2.pk, s.pk, 32) || s2.nproof != s.nproof ||
	    memcmp(s2.proof, s.proof, 32 * (size_t)s.nproof) || memcmp(s2.sig, s.sig, 68))
		abort();
	free(line);
	free(members);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alog_rec r;
	struct alog_error e;
	struct alog_header h;
	char *line;
	uint8_t d[32], h1[32], h2[32];

	/* An exact-size copy, so that any read past the line is caught. */
	line = malloc(size ? size : 1);
	memcpy(line, data, size);
	if (alog_rec_parse(&r, line, size, &e) != 0) {
		if (strlen(e.msg) == 0)
			abort();
		free(line);
		return 0;
	}
	check_accepted(&r, line, size);
	alog_rec_digest(line, size, d);
	alog_chain(h1, d, d);
	alog_chain(h2, d, d);
	if (memcmp(h1, h2, 32) != 0)
		abort();
	if (r.type == ALOG_REC_OPEN && alog_header_parse(&r, &h, &e) == 0) {
		if (h.version != 1 || !h.origin[0] || (r.seq == 1) != !h.has_prev ||
		    (h.has_range && h.range.size != r.seq - 1))
			abort();
	}
	if (r.type == ALOG_REC_SEAL)
		check_seal(&r);
	free(line);
	return 0;
}
