/*
 * render.h - records for people and for cut/awk: the one-line --pretty
 * form (time, actor, action, target, the other members, with matched
 * members highlighted) and tab-separated --fields.  Everything taken from
 * the log goes through term.h first, in both forms.
 */
#ifndef ALOG_RENDER_H
#define ALOG_RENDER_H

#include <stddef.h>

#include "base/buf.h"
#include "format/record.h"
#include "grep/query.h"

/* Append s[0..n) neutralised for a terminal (term.h flags). */
void alog_buf_clean(struct alog_buf *b, const char *s, size_t n, unsigned flags);

/*
 * The pretty line of record r (no LF added): its time in local time (TZ)
 * with the zone's name (UTC with ALOG_RENDER_UTC), the actor, action and
 * target columns, the other members as name=value; what a policy noted in
 * the record's alog member shows as one "[policy]" marker (in full with
 * ALOG_RENDER_VERBOSE).  Highlights come from the last match of q (NULL:
 * none), SGR colours when color is set.  tmp is scratch space the caller
 * keeps between records.
 */
#define ALOG_RENDER_UTC 1u
#define ALOG_RENDER_VERBOSE 2u
void alog_render_pretty_with(struct alog_buf *b, struct alog_buf *tmp, const struct alog_rec *r,
                             const struct alog_query *q, int color, unsigned flags);
/* The same in local time, policy notes as a marker. */
void alog_render_pretty(struct alog_buf *b, struct alog_buf *tmp, const struct alog_rec *r,
                        const struct alog_query *q, int color);

/* A --fields list: dotted paths. */
struct alog_fields {
	char ***paths; /* paths[i][0..depth[i]) */
	size_t *depth;
	size_t n;
};
/* Parse "ts,actor,src.ip".  0, or -1 with e set. */
int alog_fields_parse(struct alog_fields *f, const char *spec, struct alog_error *e);
void alog_fields_free(struct alog_fields *f);
/*
 * The chosen fields of record r, tab-separated (no LF added): strings
 * decoded, everything else as its JSON text, a missing member empty; TAB,
 * LF, CR and backslash written \t \n \r \\, other controls \xHH or
 * \uHHHH, so a field never holds a raw tab or newline.
 */
void alog_render_fields(struct alog_buf *b, struct alog_buf *tmp, const struct alog_rec *r,
                        const struct alog_fields *f);

#endif
