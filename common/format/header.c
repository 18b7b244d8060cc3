/*
 * header.c - header records, origin names and the arrays of base64
 * hashes that headers and seals carry.
 */
#include "format/header.h"

#include <stdio.h>
#include <string.h>

#include "base/enc.h"
#include "base/json.h"
#include "base/span.h"
#include "format/note.h"
#include "format/sealrec.h"

int alog_json_hash_array(const char *p, size_t n, uint8_t (*out)[32], unsigned max,
                         unsigned *count)
{
	const char *end = p + n;
	unsigned k = 0;

	if (n < 2 || p[0] != '[' || end[-1] != ']')
		return -1;
	p++;
	end--;
	while (p < end) {
		const char *q = memchr(p, '"', (size_t)(end - p));
		const char *close;
		if (q != p)
			return -1;
		close = memchr(p + 1, '"', (size_t)(end - p - 1));
		if (!close || k >= max || alog_unb64(out[k], 32, p + 1, (size_t)(close - p - 1)) != 32)
			return -1;
		k++;
		p = close + 1;
		if (p < end) {
			if (*p != ',' || p + 1 == end)
				return -1;
			p++;
		}
	}
	*count = k;
	return 0;
}

size_t alog_json_hash_array_format(char *out, size_t cap, const uint8_t (*h)[32], unsigned n)
{
	char b64[ALOG_B64_LEN(32) + 1];
	size_t k = 0;
	k += (size_t)snprintf(out + k, cap - k, "[");
	for (unsigned i = 0; i < n; i++)
		k += (size_t)snprintf(out + k, cap - k, "%s\"%s\"", i ? "," : "",
		                      alog_b64(b64, h[i], 32));
	k += (size_t)snprintf(out + k, cap - k, "]");
	return k;
}

int alog_origin_ok(const char *origin, struct alog_error *e)
{
	size_t n = strlen(origin);
	if (n == 0)
		return alog_err(e, "origin is empty");
	if (n > 255)
		return alog_err(e, "origin is longer than 255 bytes");
	if (alog_utf8_check(origin, n) != n)
		return alog_err(e, "origin is not valid UTF-8");
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)origin[i];
		if (c <= 0x20 || c == 0x7f)
			return alog_err(e, "origin must not contain spaces or control characters");
		if (c == '+')
			return alog_err(e, "origin must not contain '+'");
		if (c == '"' || c == '\\')
			return alog_err(e, "origin must not contain quotes or backslashes");
	}
	/* it is the key name of the checkpoints' signed notes: C2SP's rules */
	if (!alog_note_name_ok(origin))
		return alog_err(e, "origin must not contain Unicode spaces (such as U+00A0, U+2028 or "
		                "U+3000): it names the key of signed checkpoints");
	return 0;
}

int alog_policy_ref_parse(const char *p, size_t n, struct alog_policy_ref *r,
                          struct alog_error *e)
{
	struct alog_json_iter it;
	struct alog_span name, val;
	int rc, have = 0;

	memset(r, 0, sizeof *r);
	if (alog_json_type(p, n) != ALOG_JSON_OBJECT || alog_json_iter_init(&it, p, n) != 0)
		return alog_err(e, "not a JSON object");
	while ((rc = alog_json_iter_next(&it, &name, &val)) == 1) {
		if (alog_span_eq(name, "sha256")) {
			if (val.n != 66 || val.p[0] != '"' ||
			    alog_unhex(r->sha256, 32, val.p + 1, 64) != 0)
				return alog_err(e, "sha256 is not 64 lowercase hex digits");
			have = 1;
		} else if (alog_span_eq(name, "file")) {
			long k;
			if (val.n < 2 || val.p[0] != '"')
				return alog_err(e, "file is not a string");
			k = alog_json_unescape(val.p + 1, val.n - 2, r->file, sizeof r->file - 1);
			if (k < 0)
				return alog_err(e, "file is not a valid string of at most %zu bytes",
				                sizeof r->file - 1);
			r->file[k] = '\0';
		} else {
			return alog_err(e, "unknown member \"%.*s\"", name.n > 40 ? 40 : (int)name.n,
			                name.p);
		}
	}
	if (rc < 0)
		return alog_err(e, "not valid JSON");
	if (!have)
		return alog_err(e, "no sha256");
	return 0;
}

size_t alog_policy_ref_format(char *out, size_t cap, const struct alog_policy_ref *r)
{
	char hex[65], file[6 * sizeof r->file + 1];
	long k = alog_json_escape(r->file, strlen(r->file), file);
	int n;

	file[k < 0 ? 0 : k] = '\0';
	n = snprintf(out, cap, "{\"sha256\":\"%s\",\"file\":\"%s\"}", alog_hex(hex, r->sha256, 32),
	             file);
	return n < 0 ? 0 : (size_t)n;
}

int alog_rec_member_next(struct alog_json_iter *it, struct alog_span *name,
                         struct alog_span *val)
{
	int rc;

	while ((rc = alog_json_iter_next(it, name, val)) == 1)
		if (!(alog_span_eq(*name, "seq") || alog_span_eq(*name, "ts") ||
		      alog_span_eq(*name, "type") || alog_span_eq(*name, "hash")))
			break;
	return rc;
}

static int parse_range(const char *p, const char *end, struct alog_merkle *m, uint64_t size,
                       struct alog_error *e)
{
	uint8_t hashes[64][32];
	unsigned n = 0;

	if (alog_json_hash_array(p, (size_t)(end - p), hashes, 64, &n) != 0)
		return alog_err(e, "range is not an array of base64 SHA-256 hashes");
	if (alog_merkle_load(m, size, (const uint8_t(*)[32])hashes, n) != 0)
		return alog_err(e, "range has %u hashes; a tree of %llu records needs %d", n,
		                (unsigned long long)size, __builtin_popcountll(size));
	return 0;
}

/* A plain file name: no '/', not "." or "..", UTF-8 without controls. */
static int file_name_ok(const char *s, size_t n)
{
	if (n == 0 || memchr(s, '/', n) || strcmp(s, ".") == 0 || strcmp(s, "..") == 0 ||
	    strlen(s) != n || alog_utf8_check(s, n) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return 0;
	return 1;
}

size_t alog_header_prev_file_member(char *out, size_t cap, const char *name)
{
	size_t n = strlen(name);
	char esc[6 * 255 + 1];
	long en;
	int k;

	if (n >= 256 || !file_name_ok(name, n))
		return 0;
	en = alog_json_escape(name, n, esc);
	if (en < 0)
		return 0;
	k = snprintf(out, cap, ",\"prev_file\":\"%.*s\"", (int)en, esc);
	return k < 0 || (size_t)k >= cap ? 0 : (size_t)k;
}

int alog_header_parse(const struct alog_rec *r, struct alog_header *h, struct alog_error *e)
{
	struct alog_json_iter it;
	struct alog_span name, val;
	int rc, have_v = 0, have_origin = 0;

	memset(h, 0, sizeof *h);
	if (alog_json_iter_init(&it, r->line, r->len - 1) != 0)
		return alog_err(e, "header is not a JSON object");
	while ((rc = alog_rec_member_next(&it, &name, &val)) == 1) {
		if (alog_span_eq(name, "v")) {
			if (!(val.n == 1 && val.p[0] == '1'))
				return alog_err(e, "unsupported format version %.*s",
				                val.n > 20 ? 20 : (int)val.n, val.p);
			h->version = 1;
			have_v = 1;
		} else if (alog_span_eq(name, "origin")) {
			long n;
			struct alog_error oe;
			if (val.n < 2 || val.p[0] != '"' || val.n - 2 >= sizeof h->origin)
				return alog_err(e, "origin is not a string");
			n = alog_json_unescape(val.p + 1, val.n - 2, h->origin, sizeof h->origin - 1);
			if (n < 0)
				return alog_err(e, "origin is not a valid string");
			h->origin[n] = '\0';
			if (alog_origin_ok(h->origin, &oe) != 0)
				return alog_err(e, "bad origin: %s", oe.msg);
			have_origin = 1;
		} else if (alog_span_eq(name, "prev")) {
			if (val.n != 66 || val.p[0] != '"' || alog_unhex(h->prev, 32, val.p + 1, 64) != 0)
				return alog_err(e, "prev is not 64 lowercase hex digits");
			h->has_prev = 1;
		} else if (alog_span_eq(name, "prev_file")) {
			long n;
			if (val.n < 2 || val.p[0] != '"' || val.n - 2 >= sizeof h->prev_file)
				return alog_err(e, "prev_file is not a string");
			n = alog_json_unescape(val.p + 1, val.n - 2, h->prev_file,
			                       sizeof h->prev_file - 1);
			if (n <= 0)
				return alog_err(e, "prev_file is not a valid string");
			h->prev_file[n] = '\0';
			if (!file_name_ok(h->prev_file, (size_t)n))
				return alog_err(e, "prev_file is not a file name in the log's directory");
		} else if (alog_span_eq(name, "policy")) {
			struct alog_error pe;
			if (alog_policy_ref_parse(val.p, val.n, &h->policy, &pe) != 0)
				return alog_err(e, "bad policy: %s", pe.msg);
			h->has_policy = 1;
		} else if (alog_span_eq(name, "range")) {
			if (r->seq < 1 || parse_range(val.p, val.p + val.n, &h->range, r->seq - 1, e) != 0)
				return -1;
			h->has_range = 1;
		} else if (alog_span_eq(name, "order")) {
			if (!(val.n == 4 && memcmp(val.p, "\"ts\"", 4) == 0))
				return alog_err(e, "order is not \"ts\"");
			h->ts_ordered = 1;
		} else if (alog_span_eq(name, "keyroot")) {
			if (val.n < 2 || val.p[0] != '"' ||
			    alog_unb64(h->key_root, 32, val.p + 1, val.n - 2) != 32)
				return alog_err(e, "keyroot is not base64 of 32 bytes");
			h->has_key |= 1;
		} else if (alog_span_eq(name, "keyepoch")) {
			char num[24];
			if (val.n == 0 || val.n >= sizeof num)
				return alog_err(e, "keyepoch is not a number");
			memcpy(num, val.p, val.n);
			num[val.n] = '\0';
			if (alog_parse_u64(num, ALOG_KEY_MAX_EPOCHS - 1, &h->key_epoch) != 0 ||
			    (num[0] == '0' && num[1]))
				return alog_err(e, "keyepoch is not an epoch number");
			h->has_key |= 2;
		} else {
			return alog_err(e, "unknown header member \"%.*s\"",
			                name.n > 40 ? 40 : (int)name.n, name.p);
		}
	}
	if (rc < 0)
		return alog_err(e, "header is not valid JSON");
	if (!have_v)
		return alog_err(e, "header has no format version \"v\"");
	if (!have_origin)
		return alog_err(e, "header has no origin");
	if (r->seq == 1 && (h->has_prev || h->has_range || h->prev_file[0]))
		return alog_err(e, "the first header (seq 1) must not have prev, range or prev_file");
	if (h->has_key && (h->has_key != 3 || r->seq == 1))
		return alog_err(e, "keyroot and keyepoch come together, in a continuing header only");
	if (r->seq > 1 && !(h->has_prev && h->has_range))
		return alog_err(e, "a header with seq %llu must carry prev and range",
		                (unsigned long long)r->seq);
	return 0;
}

#define ORDER_TS ",\"order\":\"ts\""

size_t alog_header_add_policy(char *members, size_t k, size_t cap,
                              const struct alog_policy_ref *r)
{
	char ref[1300];
	size_t rn = alog_policy_ref_format(ref, sizeof ref, r), at = k, tail;

	/* before the order member, which ends the header's members */
	if (k >= sizeof ORDER_TS - 1 &&
	    memcmp(members + k - (sizeof ORDER_TS - 1), ORDER_TS, sizeof ORDER_TS - 1) == 0)
		at = k - (sizeof ORDER_TS - 1);
	tail = k - at;
	if (k + 10 + rn > cap)
		return k;
	memmove(members + at + 10 + rn, members + at, tail);
	memcpy(members + at, ",\"policy\":", 10);
	memcpy(members + at + 10, ref, rn);
	return k + 10 + rn;
}

size_t alog_header_members(char *out, size_t cap, const char *origin, const uint8_t prev[32],
                           const struct alog_merkle *range)
{
	char hex[65];
	size_t k;

	if (!range) {
		int n = snprintf(out, cap, ",\"v\":%d,\"origin\":\"%s\"", ALOG_FORMAT_VERSION, origin);
		k = n < 0 ? 0 : (size_t)n;
	} else {
		k = (size_t)snprintf(out, cap,
		                     ",\"v\":%d,\"origin\":\"%s\",\"prev\":\"%s\",\"range\":",
		                     ALOG_FORMAT_VERSION, origin, alog_hex(hex, prev, 32));
		k += alog_json_hash_array_format(out + k, cap - k, (const uint8_t(*)[32])range->hash,
		                                 range->n);
	}
	/* this writer never lets ts go back within a file (alog(5)) */
	if (k + sizeof ORDER_TS - 1 < cap) {
		memcpy(out + k, ORDER_TS, sizeof ORDER_TS - 1);
		k += sizeof ORDER_TS - 1;
	}
	return k;
}

size_t alog_header_key_members(char *out, size_t cap, const uint8_t root[32], uint64_t epoch)
{
	char b64[ALOG_B64_LEN(32) + 1];
	int n = snprintf(out, cap, ",\"keyroot\":\"%s\",\"keyepoch\":%llu", alog_b64(b64, root, 32),
	                 (unsigned long long)epoch);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}
