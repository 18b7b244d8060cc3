/*
 * sealrec.c - seal records and checkpoints: parsing and formatting.
 */
#include "format/sealrec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/enc.h"
#include "base/json.h"
#include "base/span.h"
#include "format/header.h"
#include "format/note.h"

static int parse_uint(struct alog_span v, uint64_t *out)
{
	uint64_t x = 0;
	if (v.n == 0 || v.n > 19 || (v.n > 1 && v.p[0] == '0'))
		return -1;
	for (size_t i = 0; i < v.n; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		x = x * 10 + (uint64_t)(v.p[i] - '0');
	}
	*out = x;
	return 0;
}

static int parse_b64(struct alog_span v, uint8_t *out, size_t n)
{
	if (v.n < 2 || v.p[0] != '"' || v.p[v.n - 1] != '"')
		return -1;
	return alog_unb64(out, n, v.p + 1, v.n - 2) == (long)n ? 0 : -1;
}

/* The "skipped" object: an epoch spent by a seal that never reached the log. */
static int parse_skip(struct alog_span obj, struct alog_seal_skip *k, struct alog_error *e)
{
	struct alog_json_iter it;
	struct alog_span name, val;
	unsigned have = 0;
	int rc;

	if (obj.n == 0 || obj.p[0] != '{' || alog_json_iter_init(&it, obj.p, obj.n) != 0)
		return alog_err(e, "seal skipped is not an object");
	while ((rc = alog_json_iter_next(&it, &name, &val)) == 1) {
		unsigned bit;
		if (alog_span_eq(name, "size")) {
			bit = 1;
			if (parse_uint(val, &k->size) != 0)
				return alog_err(e, "seal skipped size is not a number");
		} else if (alog_span_eq(name, "root")) {
			bit = 2;
			if (parse_b64(val, k->root, 32) != 0)
				return alog_err(e, "seal skipped root is not a base64 SHA-256 hash");
		} else if (alog_span_eq(name, "epoch")) {
			bit = 4;
			if (parse_uint(val, &k->epoch) != 0 || k->epoch >= ALOG_KEY_MAX_EPOCHS)
				return alog_err(e, "seal skipped epoch is not a valid number");
		} else if (alog_span_eq(name, "key")) {
			bit = 8;
			if (parse_b64(val, k->pk, 32) != 0)
				return alog_err(e, "seal skipped key is not a base64 Ed25519 public key");
		} else if (alog_span_eq(name, "proof")) {
			bit = 16;
			if (alog_json_hash_array(val.p, val.n, k->proof, ALOG_MERKLE_MAX_PROOF,
			                         &k->nproof) != 0)
				return alog_err(e, "seal skipped proof is not an array of base64 hashes");
		} else if (alog_span_eq(name, "sig")) {
			bit = 32;
			if (parse_b64(val, k->sig, 68) != 0)
				return alog_err(e, "seal skipped sig is not base64 of a key ID and signature "
				                   "(68 bytes)");
		} else if (alog_span_eq(name, "consistency")) {
			bit = 64;
			if (alog_json_hash_array(val.p, val.n, k->cons, ALOG_MERKLE_MAX_PROOF,
			                         &k->ncons) != 0)
				return alog_err(e, "seal skipped consistency is not an array of base64 "
				                   "hashes");
		} else {
			return alog_err(e, "unknown member \"%.*s\" in seal skipped",
			                name.n > 40 ? 40 : (int)name.n, name.p);
		}
		if (have & bit)
			return alog_err(e, "seal skipped has a member twice");
		have |= bit;
	}
	if (rc < 0)
		return alog_err(e, "seal skipped is not valid JSON");
	if (have != 127)
		return alog_err(e, "seal skipped lacks a member (size, root, epoch, key, proof, sig "
		                   "and consistency are needed)");
	return 0;
}

/* The members of a seal object (record or key file), without the position check. */
static int parse_object(struct alog_json_iter *it, struct alog_seal *s, struct alog_error *e)
{
	struct alog_span name, val;
	uint8_t range[64][32];
	unsigned nrange = 0, have = 0;
	int rc;

	while ((rc = alog_rec_member_next(it, &name, &val)) == 1) {
		if (alog_span_eq(name, "size")) {
			if (parse_uint(val, &s->size) != 0)
				return alog_err(e, "seal size is not a number");
			have |= 1;
		} else if (alog_span_eq(name, "root")) {
			if (parse_b64(val, s->root, 32) != 0)
				return alog_err(e, "seal root is not a base64 SHA-256 hash");
			have |= 2;
		} else if (alog_span_eq(name, "range")) {
			if (alog_json_hash_array(val.p, val.n, range, 64, &nrange) != 0)
				return alog_err(e, "seal range is not an array of base64 hashes");
			have |= 4;
		} else if (alog_span_eq(name, "epoch")) {
			if (parse_uint(val, &s->epoch) != 0 || s->epoch >= ALOG_KEY_MAX_EPOCHS)
				return alog_err(e, "seal epoch is not a valid number");
			have |= 8;
		} else if (alog_span_eq(name, "key")) {
			if (parse_b64(val, s->pk, 32) != 0)
				return alog_err(e, "seal key is not a base64 Ed25519 public key");
			have |= 16;
		} else if (alog_span_eq(name, "proof")) {
			if (alog_json_hash_array(val.p, val.n, s->proof, ALOG_MERKLE_MAX_PROOF,
			                         &s->nproof) != 0)
				return alog_err(e, "seal proof is not an array of base64 hashes");
			have |= 32;
		} else if (alog_span_eq(name, "sig")) {
			if (parse_b64(val, s->sig, 68) != 0)
				return alog_err(e, "seal sig is not base64 of a key ID and signature (68 bytes)");
			have |= 64;
		} else if (alog_span_eq(name, "nextkey")) {
			if (val.n < 3 || val.n - 2 >= sizeof s->nextkey || val.p[0] != '"' ||
			    memchr(val.p + 1, '\\', val.n - 2) || memchr(val.p + 1, '"', val.n - 2))
				return alog_err(e, "seal nextkey is not a public key string");
			memcpy(s->nextkey, val.p + 1, val.n - 2);
			s->nextkey[val.n - 2] = '\0';
			s->has_next |= 1;
		} else if (alog_span_eq(name, "rollover")) {
			if (!(val.n == 4 && memcmp(val.p, "true", 4) == 0))
				return alog_err(e, "seal rollover is not true");
			s->rollover = 1;
		} else if (alog_span_eq(name, "nextsig")) {
			if (parse_b64(val, s->nextsig, 64) != 0)
				return alog_err(e, "seal nextsig is not base64 of an Ed25519 signature");
			s->has_next |= 2;
		} else if (alog_span_eq(name, "skipped")) {
			if (s->has_skip)
				return alog_err(e, "seal has skipped twice");
			if (parse_skip(val, &s->skip, e) != 0)
				return -1;
			s->has_skip = 1;
		} else {
			return alog_err(e, "unknown seal member \"%.*s\"", name.n > 40 ? 40 : (int)name.n, name.p);
		}
	}
	if (rc < 0)
		return alog_err(e, "seal is not valid JSON");
	if (have != 127)
		return alog_err(e, "seal lacks a member (size, root, range, epoch, key, proof and sig "
		                   "are needed)");
	if (s->has_next && s->has_next != 3)
		return alog_err(e, "seal has nextkey or nextsig without the other");
	if (s->rollover && s->epoch != 0)
		return alog_err(e, "seal rollover with epoch %llu: a rollover is a key's epoch 0",
		                (unsigned long long)s->epoch);
	if (s->has_skip) {
		if (s->rollover)
			return alog_err(e, "seal has both rollover and skipped");
		if (s->skip.epoch + 1 != s->epoch)
			return alog_err(e, "seal skipped epoch %llu is not the epoch before the seal's "
			                   "(%llu)", (unsigned long long)s->skip.epoch,
			                (unsigned long long)s->epoch);
		if (s->skip.size == 0 || s->skip.size >= s->size)
			return alog_err(e, "seal skipped size %llu is not between 1 and the seal's size "
			                   "%llu", (unsigned long long)s->skip.size,
			                (unsigned long long)s->size);
	}
	if (alog_merkle_load(&s->range, s->size, (const uint8_t(*)[32])range, nrange) != 0)
		return alog_err(e, "seal range has %u hashes; size %llu needs %d", nrange,
		                (unsigned long long)s->size, __builtin_popcountll(s->size));
	{
		uint8_t root[32];
		alog_merkle_root(&s->range, root);
		if (memcmp(root, s->root, 32) != 0)
			return alog_err(e, "seal range does not hash to its root");
	}
	return 0;
}

int alog_seal_parse(const struct alog_rec *r, struct alog_seal *s, struct alog_error *e)
{
	struct alog_json_iter it;

	memset(s, 0, sizeof *s);
	if (alog_json_iter_init(&it, r->line, r->len - 1) != 0)
		return alog_err(e, "seal is not a JSON object");
	if (parse_object(&it, s, e) != 0)
		return -1;
	if (s->size != r->seq - 1)
		return alog_err(e, "seal size %llu does not match its position (seq %llu seals size %llu)",
		                (unsigned long long)s->size, (unsigned long long)r->seq,
		                (unsigned long long)(r->seq - 1));
	return 0;
}

int alog_seal_parse_members(const char *members, size_t n, struct alog_seal *s,
                            struct alog_error *e)
{
	struct alog_json_iter it;
	char *obj;
	int rc;

	memset(s, 0, sizeof *s);
	if (n == 0 || members[0] != ',' || n > ALOG_SEAL_MEMBERS_MAX)
		return alog_err(e, "not the members of a seal");
	obj = alog_xmalloc(n + 1);
	obj[0] = '{';
	memcpy(obj + 1, members + 1, n - 1);
	obj[n] = '}';
	rc = alog_json_iter_init(&it, obj, n + 1) != 0 ? alog_err(e, "not the members of a seal")
	                                               : parse_object(&it, s, e);
	free(obj);
	return rc;
}

size_t alog_seal_members(char *out, size_t cap, const struct alog_seal *s)
{
	char root[ALOG_B64_LEN(32) + 1], pk[ALOG_B64_LEN(32) + 1], sig[ALOG_B64_LEN(68) + 1];
	size_t k;

	k = (size_t)snprintf(out, cap, ",\"size\":%llu,\"root\":\"%s\",\"range\":",
	                     (unsigned long long)s->size, alog_b64(root, s->root, 32));
	k += alog_json_hash_array_format(out + k, cap - k, (const uint8_t(*)[32])s->range.hash,
	                                 s->range.n);
	k += (size_t)snprintf(out + k, cap - k, ",\"epoch\":%llu,\"key\":\"%s\",\"proof\":",
	                      (unsigned long long)s->epoch, alog_b64(pk, s->pk, 32));
	k += alog_json_hash_array_format(out + k, cap - k, (const uint8_t(*)[32])s->proof, s->nproof);
	k += (size_t)snprintf(out + k, cap - k, ",\"sig\":\"%s\"", alog_b64(sig, s->sig, 68));
	if (s->has_skip && k < cap) {
		const struct alog_seal_skip *sk = &s->skip;
		k += (size_t)snprintf(out + k, cap - k,
		                      ",\"skipped\":{\"size\":%llu,\"root\":\"%s\",\"epoch\":%llu,"
		                      "\"key\":\"%s\",\"proof\":",
		                      (unsigned long long)sk->size, alog_b64(root, sk->root, 32),
		                      (unsigned long long)sk->epoch, alog_b64(pk, sk->pk, 32));
		if (k < cap)
			k += alog_json_hash_array_format(out + k, cap - k,
			                                 (const uint8_t(*)[32])sk->proof, sk->nproof);
		if (k < cap)
			k += (size_t)snprintf(out + k, cap - k, ",\"sig\":\"%s\",\"consistency\":",
			                      alog_b64(sig, sk->sig, 68));
		if (k < cap)
			k += alog_json_hash_array_format(out + k, cap - k,
			                                 (const uint8_t(*)[32])sk->cons, sk->ncons);
		if (k + 1 < cap) {
			out[k++] = '}';
			out[k] = '\0';
		}
	}
	if (s->rollover && k < cap)
		k += (size_t)snprintf(out + k, cap - k, ",\"rollover\":true");
	if (s->has_next && k < cap) {
		char nsig[ALOG_B64_LEN(64) + 1];
		k += (size_t)snprintf(out + k, cap - k, ",\"nextkey\":\"%s\",\"nextsig\":\"%s\"",
		                      s->nextkey, alog_b64(nsig, s->nextsig, 64));
	}
	return k < cap ? k : cap;
}

size_t alog_handover_text(char *out, size_t cap, const char *origin, const struct alog_seal *s)
{
	size_t k = (size_t)snprintf(out, cap, "alog handover\n");
	k += alog_checkpoint_text(out + k, cap - k, origin, s->size, s->root);
	k += (size_t)snprintf(out + k, cap - k, "%s\n", s->nextkey);
	return k < cap ? k : cap;
}

size_t alog_checkpoint_text(char *out, size_t cap, const char *origin, uint64_t size,
                            const uint8_t root[32])
{
	char b64[ALOG_B64_LEN(32) + 1];
	int n = snprintf(out, cap, "%s\n%llu\n%s\n", origin, (unsigned long long)size,
	                 alog_b64(b64, root, 32));
	return n < 0 ? 0 : (size_t)n;
}

char *alog_seal_note(const char *origin, const struct alog_seal *s)
{
	char text[512], sig[ALOG_B64_LEN(68) + 1];
	size_t n = alog_checkpoint_text(text, sizeof text, origin, s->size, s->root);
	size_t cap = n + strlen(origin) + sizeof sig + 16;
	char *out = alog_xmalloc(cap);
	/* U+2014 EM DASH introduces a signature line */
	snprintf(out, cap, "%s\n\xe2\x80\x94 %s %s\n", text, origin, alog_b64(sig, s->sig, 68));
	return out;
}

int alog_seal_vkey(char *out, size_t cap, const char *origin, const struct alog_seal *s)
{
	return alog_note_vkey_format(out, cap, origin, s->pk);
}


int alog_checkpoint_parse(const char *note, size_t n, char *origin, size_t cap, uint64_t *size,
                          uint8_t root[32], struct alog_error *e)
{
	const char *p = note, *end = note + n, *nl;
	struct alog_span lines[3];
	uint64_t v;

	for (int i = 0; i < 3; i++) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return alog_err(e, "not a checkpoint: expected origin, size and root lines");
		lines[i].p = p;
		lines[i].n = (size_t)(nl - p);
		p = nl + 1;
	}
	if (lines[0].n == 0 || lines[0].n >= cap)
		return alog_err(e, "not a checkpoint: bad origin line");
	memcpy(origin, lines[0].p, lines[0].n);
	origin[lines[0].n] = '\0';
	/* A NUL or control byte would make the origin compare as something it is not. */
	if (strlen(origin) != lines[0].n || alog_origin_ok(origin, e) != 0)
		return alog_err(e, "not a checkpoint: bad origin line");
	if (parse_uint(lines[1], &v) != 0)
		return alog_err(e, "not a checkpoint: the second line is not a tree size");
	if (alog_unb64(root, 32, lines[2].p, lines[2].n) != 32)
		return alog_err(e, "not a checkpoint: the third line is not a base64 root hash");
	*size = v;
	return 0;
}
