/*
 * header.h - the header record that opens every log file ("type":"open",
 * alog(5)): format version and origin, and in a file that continues a
 * rotated log, the chain value before it and the Merkle range of every
 * record before it.  Also the rules for origin names, and the JSON arrays
 * of base64 hashes that headers and seals carry.
 */
#ifndef ALOG_HEADER_H
#define ALOG_HEADER_H

#include <stddef.h>
#include <stdint.h>

#include "base/json.h"
#include "base/span.h"
#include "base/util.h"
#include "format/merkle.h"
#include "format/record.h"

/*
 * A logging policy a log is pinned to (alog(5)): the SHA-256 digest that
 * identifies it and the file it was read from, as the JSON object
 * {"sha256":"HEX","file":"PATH"} in a header's "policy" member or in a
 * policy change record's alog.policy_change.
 */
struct alog_policy_ref {
	uint8_t sha256[32];
	char file[1024];
};

struct alog_header {
	int version;
	char origin[256];
	int has_policy;
	struct alog_policy_ref policy;
	int has_prev;
	uint8_t prev[32];
	int has_range;
	struct alog_merkle range; /* size = seq - 1 when has_range */
	int ts_ordered; /* "order":"ts": no record's ts is before the one above it */
	/* In a file that continues a rotated log: the key that sealed the
	 * previous file (its epoch tree root) and the epoch of that seal. */
	int has_key;
	uint8_t key_root[32];
	uint64_t key_epoch;
	/* optional, continuing files: the file name the previous file was given */
	char prev_file[256];
};

/* Parse the members of a header record (v, origin, prev, range, order).  0 or -1 with e set. */
int alog_header_parse(const struct alog_rec *r, struct alog_header *h, struct alog_error *e);
/*
 * The members text of a header: ,"v":1,"origin":"ORIGIN" for a log's first
 * file; with range (not NULL), also ,"prev":"HEX","range":[...] for a file
 * that continues one.  Returns the length; 8192 bytes hold any header.
 */
size_t alog_header_members(char *out, size_t cap, const char *origin, const uint8_t prev[32],
                           const struct alog_merkle *range);

/*
 * The optional members of a continuing header that bind it to the key
 * that sealed the file before it: ,"keyroot":"B64","keyepoch":E.  Appended
 * after alog_header_members' text.  Returns the length.
 */
size_t alog_header_key_members(char *out, size_t cap, const uint8_t root[32], uint64_t epoch);

/*
 * The optional member naming the previous file of a rotated log, as
 * ,"prev_file":"NAME" (a file name in the same directory, no '/').
 * Returns the length, or 0 when the name cannot be used (then the member
 * is left out: tools are given the files by name instead).
 */
size_t alog_header_prev_file_member(char *out, size_t cap, const char *name);

/*
 * The next member of a typed record (a header, a seal) that is not one of
 * the members every record has (seq, ts, type, hash): as
 * alog_json_iter_next, 1 a member, 0 the end, -1 not valid JSON.
 */
int alog_rec_member_next(struct alog_json_iter *it, struct alog_span *name,
                         struct alog_span *val);

/*
 * Add the "policy" member naming r to header members[0..k) (cap bytes),
 * before the "order" member that ends them.  Returns the new length (k
 * unchanged when it does not fit).
 */
size_t alog_header_add_policy(char *members, size_t k, size_t cap,
                              const struct alog_policy_ref *r);
/* Parse a policy reference (the JSON object text p[0..n)).  0 or -1 with e set. */
int alog_policy_ref_parse(const char *p, size_t n, struct alog_policy_ref *r,
                          struct alog_error *e);
/* Write one as a JSON object; returns the length (1100 bytes hold any). */
size_t alog_policy_ref_format(char *out, size_t cap, const struct alog_policy_ref *r);

/* Check an origin name: non-empty UTF-8, no spaces or controls, no '+'. */
int alog_origin_ok(const char *origin, struct alog_error *e);

/* Parse a JSON array of base64 SHA-256 hashes (compact, as written). 0 or -1. */
int alog_json_hash_array(const char *p, size_t n, uint8_t (*out)[32], unsigned max,
                         unsigned *count);
/* Write one: ["B64","B64"...].  Returns the length. */
size_t alog_json_hash_array_format(char *out, size_t cap, const uint8_t (*h)[32], unsigned n);

#endif
