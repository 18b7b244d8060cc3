/*
 * json.h - a strict JSON scanner that never allocates.  It validates and
 * compacts input once at write time, then walks stored records without a
 * DOM: records are never re-serialised, so every reader sees the bytes
 * the hash covers.
 *
 * Strictness (what alog_json_compact rejects), so that no two parsers can
 * read a record differently: anything outside RFC 8259; invalid UTF-8
 * (overlong forms, surrogates, > U+10FFFF) raw or in \u escapes (lone or
 * misordered surrogates); \u0000; duplicate member names in any object,
 * compared after unescaping; nesting deeper than ALOG_JSON_MAX_DEPTH;
 * integers outside int64 and other numbers that overflow a double.
 */
#ifndef ALOG_JSON_H
#define ALOG_JSON_H

#include <stddef.h>
#include <stdint.h>

#include "base/span.h"

#define ALOG_JSON_MAX_DEPTH 64

struct alog_json_error {
	size_t offset; /* byte offset into the input where the problem is */
	char msg[128]; /* e.g. "duplicate member name \"user\"" */
};

enum alog_json_type {
	ALOG_JSON_INVALID = 0,
	ALOG_JSON_OBJECT,
	ALOG_JSON_ARRAY,
	ALOG_JSON_STRING,
	ALOG_JSON_NUMBER,
	ALOG_JSON_TRUE,
	ALOG_JSON_FALSE,
	ALOG_JSON_NULL,
};

/*
 * Validate the JSON text in[0..n) (one value, optional surrounding
 * whitespace) and write its compact form (insignificant whitespace
 * removed, everything else byte for byte) to out, which must hold n
 * bytes (all of which may be written) and must not overlap in.  With
 * want_object, the value must be an object.  Returns the compact length,
 * or -1 with err (may be NULL) filled in: the offset of the first problem
 * and a one-line message.
 */
long alog_json_compact(const char *in, size_t n, char *out, int want_object,
                       struct alog_json_error *err);
/*
 * The same for an object, calling top_name(ctx, raw name, its length,
 * whether it holds escapes) for each member name of the top-level object
 * as it is read, except names without escapes longer than top_max bytes
 * (the caller looks for short ones); a nonzero return stops there: -1,
 * err saying "member name refused" at that name (the caller knows why).
 */
typedef int (*alog_json_name_fn)(void *ctx, const char *name, size_t n, int esc);
long alog_json_compact_top(const char *in, size_t n, char *out, struct alog_json_error *err,
                           alog_json_name_fn top_name, void *ctx, size_t top_max);

/*
 * Which structural pre-pass alog_json_compact uses (see json.c): the best
 * the CPU has by default; tests set the others to compare them with the
 * portable path, which scans every string byte by byte.
 */
enum alog_json_impl {
	ALOG_JSON_PORTABLE = 0,
	ALOG_JSON_SCALAR,
	ALOG_JSON_SSE2,
	ALOG_JSON_AVX2,
};
void alog_json_set_impl(int impl);

/* The type of the value starting at p (first byte), or ALOG_JSON_INVALID. */
enum alog_json_type alog_json_type(const char *p, size_t n);

/*
 * Iterate over the members of an object.  These walkers accept any input
 * safely (stored lines may be damaged): they never read outside the span
 * and return -1 on malformed text.  They do not validate what they skip.
 */
struct alog_json_iter {
	const char *p, *end;
	int state; /* 0 before first member, 1 after a member, 2 done, 3 malformed */
};
/* obj..obj+n holds an object, possibly with surrounding whitespace. 0 or -1. */
int alog_json_iter_init(struct alog_json_iter *it, const char *obj, size_t n);
/*
 * Next member: name is the raw (still escaped) text between the quotes,
 * value the whole value text (strings with their quotes).  Returns 1, 0 at
 * the end of the object, -1 on malformed text.
 */
int alog_json_iter_next(struct alog_json_iter *it, struct alog_span *name,
                        struct alog_span *value);
/*
 * Skip one value at p (leading whitespace allowed); returns the pointer
 * past it, or NULL if malformed.  Iterative, at most ALOG_JSON_MAX_DEPTH
 * levels deep.
 */
const char *alog_json_skip(const char *p, const char *end);

/* Does the raw (escaped) name equal the plain bytes s[0..n)? */
int alog_json_name_eq(struct alog_span raw, const char *s, size_t n);
/*
 * Find a member by path (components already split, e.g. {"user","id"}) in
 * an object; 1 found (value set), 0 absent, -1 malformed.  The first
 * member of a name wins; a path through a non-object is absent; depth 0
 * yields the object itself.
 */
int alog_json_lookup(const char *obj, size_t n, const char *const *path, size_t depth,
                     struct alog_span *value);

/*
 * Decode the raw contents of a string (between the quotes) to UTF-8 in out
 * (cap bytes).  Returns the length, or -1 on a bad escape or overflow;
 * \u0000 and unpaired surrogates count as bad escapes.  Bytes other than
 * escapes are copied unchecked.  Decoding never needs more bytes than the
 * raw text.
 */
long alog_json_unescape(const char *raw, size_t n, char *out, size_t cap);
/*
 * Escape UTF-8 bytes as JSON string contents (no quotes): ", \ and C0
 * controls escaped (\n, \t, ... or \u00XX), DEL as \u007f, all else
 * verbatim; the result always passes alog_json_compact.  out must
 * hold 6n bytes.  Returns the length, or -1 if in is not valid UTF-8 or
 * holds a NUL.
 */
long alog_json_escape(const char *in, size_t n, char *out);

/* Is in[0..n) valid UTF-8 (strict, as above)?  Returns the offset of the
 * first bad byte, or n when all is valid. */
size_t alog_utf8_check(const char *in, size_t n);

#endif
