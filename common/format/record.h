/*
 * record.h - the alog v1 record line: its fixed shape, body, digest and
 * chain rule (see alog(5)).  Parsing here never needs a JSON parser: seq,
 * ts, type and hash sit at fixed places that every writer must use.
 */
#ifndef ALOG_RECORD_H
#define ALOG_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "base/span.h"
#include "base/util.h"

#define ALOG_FORMAT_VERSION 1
/* Longest record line, LF included.  Longer input is refused. */
#define ALOG_MAX_LINE (1024 * 1024)
/* `,"hash":"` + 64 hex + `"}` + LF */
#define ALOG_HASH_TAIL 76
/* `{"seq":` */
#define ALOG_SEQ_PREFIX_LEN 7
/* Largest seq: fits any JSON parser's exact integers (2^53 - 1). */
#define ALOG_SEQ_MAX 9007199254740991ULL

enum alog_rec_type {
	ALOG_REC_EVENT = 0,
	ALOG_REC_OPEN,    /* "type":"open": the header of every file */
	ALOG_REC_SEAL,    /* "type":"seal" */
	ALOG_REC_RECOVER, /* "type":"recover": torn bytes were moved aside */
};

struct alog_rec {
	const char *line; /* the whole line, LF included */
	size_t len;
	uint64_t seq;
	int64_t ts_ns;
	struct alog_span ts;      /* the 30 timestamp bytes */
	enum alog_rec_type type;
	struct alog_span members; /* text between the ts member and the hash member,
	                             starting with ',' or empty */
	uint8_t hash[32];         /* the stored chain hash */
};

/*
 * Check the line's shape (prefix `{"seq":N,"ts":"<ts>"`, known type if any,
 * hash tail, LF) and fill r.  Does not hash.  0, or -1 with a message in e
 * saying what is wrong.
 */
int alog_rec_parse(struct alog_rec *r, const char *line, size_t len, struct alog_error *e);
/* d = SHA-256(body), body = line minus its last 76 bytes, plus "}". */
void alog_rec_digest(const char *line, size_t len, uint8_t d[32]);
/* The digests of two lines at once (faster on the hardware SHA-256 path). */
void alog_rec_digest2(const char *l1, size_t n1, uint8_t d1[32], const char *l2, size_t n2,
                      uint8_t d2[32]);
/* h = SHA-256(prev || d). */
void alog_chain(uint8_t h[32], const uint8_t prev[32], const uint8_t d[32]);
/* Does a record with digest d and stored hash follow prev in the chain? */
int alog_chain_ok(const uint8_t prev[32], const uint8_t d[32], const uint8_t hash[32]);
/* A record line's digest d and its Merkle leaf hash, SHA-256(0x00 || d). */
void alog_rec_leaf(const char *line, size_t len, uint8_t d[32], uint8_t leaf[32]);
/* Name of a record type as stored ("open"...), NULL for events. */
const char *alog_rec_type_name(enum alog_rec_type t);

/*
 * Format a record line into out (which must hold the returned length;
 * alog_rec_size() tells).  members is the text after the ts member
 * (starting with ',' or empty), type NULL for events.  Computes the
 * digest and chain from prev, writes the hash into hash_out.
 */
size_t alog_rec_size(size_t members_len, const char *type);
size_t alog_rec_format(char *out, uint64_t seq, int64_t ts_ns, const char *type,
                       const char *members, size_t members_len, const uint8_t prev[32],
                       uint8_t hash_out[32]);

/*
 * The same line with its hash left as 64 zeros, for a batch hashed later
 * by alog_rec_hash_lines (the writer's second thread).
 */
size_t alog_rec_format_unhashed(char *out, uint64_t seq, int64_t ts_ns, const char *type,
                                const char *members, size_t members_len);
/*
 * Hash n lines made by alog_rec_format_unhashed, back to back in buf
 * (line i ends at ends[i]), in chain order from hash (the hash before
 * the first line; on return the last line's), writing each line's hash
 * into it: the lines are then what alog_rec_format makes.
 */
void alog_rec_hash_lines(char *buf, const size_t *ends, size_t n, uint8_t hash[32]);

/* Top-level member names a user may not supply; none is longer than this. */
#define ALOG_RESERVED_NAME_MAX 4
int alog_name_reserved(const char *name, size_t n);
extern const char *const alog_reserved_names[];

#endif
