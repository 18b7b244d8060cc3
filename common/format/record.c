/*
 * record.c - shape, digest and chain of alog v1 record lines.
 */
#include "format/record.h"

#include <string.h>

#include "base/enc.h"
#include "base/sha256.h"
#include "base/ts.h"

static const char hash_prefix[] = ",\"hash\":\"";
static const char seq_prefix[] = "{\"seq\":";
static const char ts_prefix[] = ",\"ts\":\"";
static const char type_prefix[] = ",\"type\":\"";

const char *const alog_reserved_names[] = {"seq", "ts", "type", "hash", "prev", "alog", NULL};

int alog_name_reserved(const char *name, size_t n)
{
	/* every event passes here: compare by length first */
	switch (n) {
	case 2:
		return memcmp(name, "ts", 2) == 0;
	case 3:
		return memcmp(name, "seq", 3) == 0;
	case 4:
		return memcmp(name, "type", 4) == 0 || memcmp(name, "hash", 4) == 0 ||
		       memcmp(name, "prev", 4) == 0 || memcmp(name, "alog", 4) == 0;
	default:
		return 0;
	}
}

const char *alog_rec_type_name(enum alog_rec_type t)
{
	switch (t) {
	case ALOG_REC_OPEN:
		return "open";
	case ALOG_REC_SEAL:
		return "seal";
	case ALOG_REC_RECOVER:
		return "recover";
	default:
		return NULL;
	}
}

int alog_rec_parse(struct alog_rec *r, const char *line, size_t len, struct alog_error *e)
{
	const size_t min = sizeof seq_prefix - 1 + 1 + sizeof ts_prefix - 1 + ALOG_TS_LEN + 1 +
	                   ALOG_HASH_TAIL;
	size_t p, q;
	uint64_t seq = 0;

	if (len == 0 || line[len - 1] != '\n')
		return alog_err(e, "line does not end with a newline");
	if (len < min)
		return alog_err(e, "line too short to be a record");
	if (memcmp(line, seq_prefix, sizeof seq_prefix - 1) != 0)
		return alog_err(e, "line does not start with {\"seq\":");
	p = sizeof seq_prefix - 1;
	q = p;
	while (q < len && line[q] >= '0' && line[q] <= '9') {
		if (q - p >= 16)
			return alog_err(e, "seq out of range");
		seq = seq * 10 + (uint64_t)(line[q] - '0');
		q++;
	}
	if (q == p || (line[p] == '0') || seq > ALOG_SEQ_MAX)
		return alog_err(e, "seq is not a positive integer without leading zeros");
	p = q;
	if (len - p < sizeof ts_prefix - 1 + ALOG_TS_LEN + 1 + ALOG_HASH_TAIL ||
	    memcmp(line + p, ts_prefix, sizeof ts_prefix - 1) != 0)
		return alog_err(e, "seq is not followed by the ts member");
	p += sizeof ts_prefix - 1;
	r->ts.p = line + p;
	r->ts.n = ALOG_TS_LEN;
	if (alog_ts_parse_record(line + p, ALOG_TS_LEN, &r->ts_ns) != 0 ||
	    line[p + ALOG_TS_LEN] != '"')
		return alog_err(e, "ts is not an RFC 3339 UTC time with nine fraction digits");
	p += ALOG_TS_LEN + 1;

	q = len - ALOG_HASH_TAIL;
	if (memcmp(line + q, hash_prefix, sizeof hash_prefix - 1) != 0 ||
	    alog_unhex(r->hash, 32, line + q + 9, 64) != 0 || line[len - 3] != '"' ||
	    line[len - 2] != '}')
		return alog_err(e, "line does not end with the hash member");
	if (p > q || (p < q && line[p] != ','))
		return alog_err(e, "malformed members between ts and hash");

	r->type = ALOG_REC_EVENT;
	if (q - p >= sizeof type_prefix - 1 &&
	    memcmp(line + p, type_prefix, sizeof type_prefix - 1) == 0) {
		const char *t = line + p + sizeof type_prefix - 1;
		const char *tend = memchr(t, '"', (size_t)(line + q - t));
		size_t tn = tend ? (size_t)(tend - t) : 0;
		if (!tend)
			return alog_err(e, "malformed type member");
		if (tn == 4 && memcmp(t, "open", 4) == 0)
			r->type = ALOG_REC_OPEN;
		else if (tn == 4 && memcmp(t, "seal", 4) == 0)
			r->type = ALOG_REC_SEAL;
		else if (tn == 7 && memcmp(t, "recover", 7) == 0)
			r->type = ALOG_REC_RECOVER;
		else
			return alog_err(e, "unknown record type \"%.*s\"", tn > 32 ? 32 : (int)tn, t);
	}
	r->line = line;
	r->len = len;
	r->seq = seq;
	r->members.p = line + p;
	r->members.n = q - p;
	return 0;
}

void alog_rec_digest(const char *line, size_t len, uint8_t d[32])
{
	struct alog_sha256 c;
	alog_sha256_init(&c);
	alog_sha256_update(&c, line, len - ALOG_HASH_TAIL);
	alog_sha256_update(&c, "}", 1);
	alog_sha256_final(&c, d);
}

void alog_rec_digest2(const char *l1, size_t n1, uint8_t d1[32], const char *l2, size_t n2,
                      uint8_t d2[32])
{
	alog_sha256_x2(d1, l1, n1 - ALOG_HASH_TAIL, "}", 1, d2, l2, n2 - ALOG_HASH_TAIL, "}", 1);
}

void alog_chain(uint8_t h[32], const uint8_t prev[32], const uint8_t d[32])
{
	alog_sha256_pair(h, prev, d);
}

int alog_chain_ok(const uint8_t prev[32], const uint8_t d[32], const uint8_t hash[32])
{
	uint8_t h[32];
	alog_sha256_pair(h, prev, d);
	return memcmp(h, hash, 32) == 0;
}

void alog_rec_leaf(const char *line, size_t len, uint8_t d[32], uint8_t leaf[32])
{
	alog_rec_digest(line, len, d);
	alog_sha256_leaf32(leaf, d);
}

size_t alog_rec_size(size_t members_len, const char *type)
{
	size_t n = sizeof seq_prefix - 1 + 20 + sizeof ts_prefix - 1 + ALOG_TS_LEN + 1 +
	           members_len + ALOG_HASH_TAIL;
	if (type)
		n += sizeof type_prefix - 1 + strlen(type) + 1;
	return n;
}

size_t alog_rec_format_unhashed(char *out, uint64_t seq, int64_t ts_ns, const char *type,
                                const char *members, size_t members_len)
{
	char digits[24];
	size_t p = 0, nd = 0;

	memcpy(out, seq_prefix, sizeof seq_prefix - 1);
	p = sizeof seq_prefix - 1;
	do {
		digits[nd++] = (char)('0' + seq % 10);
		seq /= 10;
	} while (seq);
	while (nd)
		out[p++] = digits[--nd];
	memcpy(out + p, ts_prefix, sizeof ts_prefix - 1);
	p += sizeof ts_prefix - 1;
	{
		char tsbuf[ALOG_TS_LEN + 1];
		alog_ts_format(tsbuf, ts_ns);
		memcpy(out + p, tsbuf, ALOG_TS_LEN);
	}
	p += ALOG_TS_LEN;
	out[p++] = '"';
	if (type) {
		size_t tn = strlen(type);
		memcpy(out + p, type_prefix, sizeof type_prefix - 1);
		p += sizeof type_prefix - 1;
		memcpy(out + p, type, tn);
		p += tn;
		out[p++] = '"';
	}
	memcpy(out + p, members, members_len);
	p += members_len;
	memcpy(out + p, hash_prefix, sizeof hash_prefix - 1);
	p += sizeof hash_prefix - 1;
	memset(out + p, '0', 64);
	p += 64;
	out[p++] = '"';
	out[p++] = '}';
	out[p++] = '\n';
	return p;
}

/* The chain step for a line whose digest is d: the hash written into its tail. */
static void put_hash(char *line, size_t len, const uint8_t d[32], uint8_t hash[32])
{
	uint8_t h[32];

	alog_chain(h, hash, d);
	memcpy(hash, h, 32);
	alog_hex(line + len - 67, hash, 32);
	line[len - 3] = '"';
}

void alog_rec_hash_lines(char *buf, const size_t *ends, size_t n, uint8_t hash[32])
{
	uint8_t d1[32], d2[32];
	size_t i = 0, s1, s2;

	/* the digests two at a time (two SHA-256 lanes), the chain in order */
	while (i + 1 < n) {
		s1 = i ? ends[i - 1] : 0;
		s2 = ends[i];
		alog_rec_digest2(buf + s1, s2 - s1, d1, buf + s2, ends[i + 1] - s2, d2);
		put_hash(buf + s1, s2 - s1, d1, hash);
		put_hash(buf + s2, ends[i + 1] - s2, d2, hash);
		i += 2;
	}
	if (i < n) {
		s1 = i ? ends[i - 1] : 0;
		alog_rec_digest(buf + s1, ends[i] - s1, d1);
		put_hash(buf + s1, ends[i] - s1, d1, hash);
	}
}

size_t alog_rec_format(char *out, uint64_t seq, int64_t ts_ns, const char *type,
                       const char *members, size_t members_len, const uint8_t prev[32],
                       uint8_t hash_out[32])
{
	size_t p = alog_rec_format_unhashed(out, seq, ts_ns, type, members, members_len);
	uint8_t h[32];

	memcpy(h, prev, 32);
	alog_rec_hash_lines(out, &p, 1, h);
	memcpy(hash_out, h, 32);
	return p;
}
