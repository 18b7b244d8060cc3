/*
 * map.h - what the source kinds share (internal to common/capture): a
 * builder of members text, and one mapping function per kind.
 */
#ifndef ALOG_CAPTURE_MAP_H
#define ALOG_CAPTURE_MAP_H

#include <stddef.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/span.h"
#include "base/util.h"

#define EV_MAX_DEPTH 8

/* Members text under construction: ',' "name" ':' value ... */
struct ev {
	struct alog_buf b;
	int depth;
	int first[EV_MAX_DEPTH]; /* no member yet in the object open at this depth */
	size_t open_at[EV_MAX_DEPTH];
	int was_first[EV_MAX_DEPTH]; /* the enclosing object's flag before the open */
};

void ev_reset(struct ev *v);
/* A member with a raw (already valid, compact) JSON value. */
void ev_raw(struct ev *v, const char *name, const char *val, size_t n);
/* A member whose value is a JSON string with raw (already escaped) contents. */
void ev_rawstr(struct ev *v, const char *name, const char *raw, size_t n);
/* A member whose value is text, escaped here (invalid UTF-8 becomes U+FFFD). */
void ev_text(struct ev *v, const char *name, const char *s, size_t n);
void ev_cstr(struct ev *v, const char *name, const char *s);
/* An object member; ev_close drops it again when nothing was put in it. */
void ev_open(struct ev *v, const char *name);
void ev_close(struct ev *v);
/* A name given raw (escaped), for members copied from the input. */
void ev_raw_named(struct ev *v, struct alog_span raw_name, struct alog_span val);
/* Members text copied as it is ('"a":1,"b":2'), into the object open. */
void ev_members(struct ev *v, const char *text, size_t n);
/* Room for n more bytes, so that what follows needs no growing. */
void ev_reserve(struct ev *v, size_t n);

/* Escape text as JSON string contents, invalid UTF-8 as U+FFFD; out holds 6n. */
size_t esc_lossy(const char *s, size_t n, char *out);

/* Mapping functions: in is the input line (LF excluded); members go to v. */
struct pg_state;
int map_pg(struct ev *v, char *scratch, const char *in, size_t n, struct alog_error *e);
int map_nginx(struct ev *v, char *scratch, const char *in, size_t n, struct alog_error *e);
int map_syslog(struct ev *v, const char *in, size_t n, struct alog_error *e);
/* rsyslog's JSON template; id (cap bytes) gets the escaped uuid. */
int map_rsyslog(struct ev *v, char *scratch, const char *in, size_t n, char *id, size_t cap,
                struct alog_error *e);

/* Validate and compact a JSON object line into scratch (n + 1 bytes); length or -1. */
long compact_object(const char *in, size_t n, char *scratch, struct alog_error *e);
/* The same, calling top_name for each top-level member name (see alog_json_compact_top). */
long compact_object_top(const char *in, size_t n, char *scratch, alog_json_name_fn top_name,
                        void *ctx, struct alog_error *e);

/* Set: map_pg takes the members from a walk of the compact text, never from the one pass. */
extern int map_pg_portable;

#endif
