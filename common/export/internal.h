/*
 * internal.h - what the files of export/ share (not for other layers):
 * the exporter object, the member paths it is set up with, the small
 * per-record document the SIEM formats build (doc.c), the walk over a
 * record's members for mapped formats (doc.c), and each format's writer.
 *   driver.c  the exporter: options, maps, redaction, ndjson/json, lines in
 *   doc.c     the per-record document and the member walk
 *   csv.c     csv and tsv
 *   siem.c    ECS and OCSF, and the classes of actions they need
 *   flat.c    syslog and CEF (flat keys)
 */
#ifndef ALOG_EXPORT_INTERNAL_H
#define ALOG_EXPORT_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "base/buf.h"
#include "base/json.h"
#include "base/span.h"
#include "export/export.h"
#include "format/record.h"

/* ---- output helpers ---- */

static inline void buf_ch(struct alog_buf *b, char c)
{
	if (b->n == b->cap)
		alog_buf_reserve(b, 1);
	b->p[b->n++] = c;
}

/* alog_buf_add, inline where output is built a few bytes at a time */
static inline void buf_put(struct alog_buf *b, const void *s, size_t n)
{
	if (b->cap - b->n < n || !b->p)
		alog_buf_reserve(b, n);
	if (n)
		memcpy(b->p + b->n, s, n);
	b->n += n;
}

/*
 * Lower-case hex of a record hash, NUL-terminated, and the decimal text of
 * a number (21 bytes, NUL-terminated; returns its length): every record
 * writes them, and snprintf per byte was a quarter of a SIEM format's time.
 */
static inline void alog_export_hex_hash(char out[65], const unsigned char *h)
{
	static const char hexd[] = "0123456789abcdef";
	for (int i = 0; i < 32; i++) {
		out[2 * i] = hexd[h[i] >> 4];
		out[2 * i + 1] = hexd[h[i] & 15];
	}
	out[64] = '\0';
}

static inline size_t alog_export_u64_text(char *t, uint64_t v)
{
	char r[20];
	size_t k = 0, n = 0;
	do
		r[k++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (k)
		t[n++] = r[--k];
	t[n] = '\0';
	return n;
}

/* A control character no format here can carry raw: rsyslog's #ooo form. */
static inline void put_octal(struct alog_buf *b, unsigned char c)
{
	char t[4] = {'#', (char)('0' + (c >> 6)), (char)('0' + ((c >> 3) & 7)),
	             (char)('0' + (c & 7))};
	alog_buf_add(b, t, 4);
}

static inline int is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* A member path as given (--fields, --redact, --drop, --map): its names. */
struct xpath {
	const char *c[ALOG_JSON_MAX_DEPTH];
	size_t n;
	char *mem;
	char *text; /* as given */
};

static inline int is_meta_name(struct alog_span nm)
{
	return alog_span_eq(nm, "seq") || alog_span_eq(nm, "ts") || alog_span_eq(nm, "type") ||
	       alog_span_eq(nm, "hash");
}

/* ---- the per-record document of the SIEM formats (doc.c) ---- */

enum { ON_OBJ, ON_RAW, ON_STR };

struct onode {
	size_t name, nlen; /* plain bytes in the arena */
	size_t v, vn;      /* ON_RAW: JSON text; ON_STR: plain bytes */
	int kind;
	int parent, child, last, next;
};

struct odoc {
	struct onode *n;
	size_t count, cap;
	struct alog_buf arena;
	int *slot; /* hash index of (parent, name) -> node + 1 */
	size_t nslot;
};

static inline const char *aptr(const struct odoc *d, size_t off)
{
	return d->arena.p + off;
}

/* ---- the exporter (driver.c) ---- */

struct rule {
	struct xpath p;
	int drop;
};

struct mapent {
	struct xpath src, dst;
	int omit;
	int ttype; /* siem.c: the type its target takes, + 1 (0: not yet looked up) */
};

struct alog_export {
	struct alog_export_opts o;
	struct rule rules[ALOG_EXPORT_MAX_RULES];
	size_t nrules;
	uint64_t all_rules;
	struct xpath *fields;
	size_t nfields;
	struct alog_span *vals;
	struct mapent *map;
	size_t nmap;
	uint64_t hit, ever_hit; /* rules that changed something: this record, any record */
	struct alog_buf mj, mr, md, mc; /* the four below */
	char *meta_json; /* "alog":{...} when rules are given (the record's hits) */
	char *meta_list_r, *meta_list_d; /* space-separated paths */
	char origin[256];
	uint64_t count;
	struct alog_buf scratch, filt, text, names;
	struct odoc doc;
	struct odoc bases; /* syslog, cef: each base key's next suffix (in vn) */
	const char *path[ALOG_JSON_MAX_DEPTH + 4];
	size_t path_off[ALOG_JSON_MAX_DEPTH + 4];
	const char *prefix[2]; /* where unmapped members go (ecs, ocsf) */
	size_t nprefix;
	struct alog_span msg;  /* syslog: the member that becomes MSG */
	const char *consumed[2]; /* ocsf: top-level members the class already placed */
	int ocsf_base;         /* ocsf: the event is a Base Event (no actor) */
	struct alog_buf key;
	char *meta_cell;       /* csv, tsv: the alog column */
	int cast_started;      /* asciicast: the header is out */
	int cast_ended;        /* asciicast: the session's session.end was read */
	double cast_t;         /* asciicast: the time of the last event */
};

/* Called for every member the walk stops at; target NULL when unmapped. */
typedef int (*leaf_fn)(struct alog_export *x, const char *const *path, size_t depth,
                       struct alog_span value, const struct mapent *m);

/* ---- classes of actions (siem.c) ---- */

enum { CLS_BASE, CLS_AUTH, CLS_API, CLS_DB };

struct action_class {
	int cls;        /* CLS_* */
	int activity;   /* activity_id within the class */
	const char *activity_name;
	const char *ecs_category; /* NULL: none */
	const char *ecs_type;
};

/* Is w one of the words of a NULL-terminated list? */
static inline int word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

/* ---- between the files ---- */

/* driver.c */
void alog_export_put_json_quoted(struct alog_buf *b, const char *s, size_t n);

/* driver.c: the rules applied to a record, the metadata strings set to what they hit */
int alog_export_filter(struct alog_export *x, const char *obj, size_t n, int skip_meta,
                       struct alog_buf *out);
int alog_export_filter_object(struct alog_export *x, const char *obj, size_t n, uint64_t mask,
                              size_t d, int skip_meta, struct alog_buf *out);

/* doc.c */
void alog_export_doc_reset(struct odoc *d);
void alog_export_doc_free(struct odoc *d);
int alog_export_doc_set(struct odoc *d, int at, const char *const *comp, size_t n, int kind,
                        const char *v, size_t vn);
int alog_export_doc_setp(struct odoc *d, const char *path, int kind, const char *v, size_t vn);
void alog_export_doc_json(const struct odoc *d, int i, struct alog_buf *out);

/* doc.c */
int alog_export_doc_find(const struct odoc *d, int parent, const char *s, size_t n);
/* Is s[0..n) an IP address (version 4, 6, or 0: either), as inet_pton reads it? */
int alog_export_is_ip(const char *s, size_t n, int version);
/* Is s[0..n) a decimal integer 0..max, digits only? */
int alog_export_is_uint(const char *s, size_t n, uint64_t max);
/* Does s[0..n) start with '#' and three octal digits (a #ooo form)? */
static inline int alog_export_octal_lookalike(const char *s, size_t n)
{
	return n >= 4 && s[0] == '#' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' && s[2] <= '7' &&
	       s[3] >= '0' && s[3] <= '7';
}
int alog_export_walk(struct alog_export *x, const char *obj, size_t n, size_t depth, int skip_meta,
                     int flatten, leaf_fn fn);
void alog_export_value_text(struct alog_export *x, struct alog_span v);
int alog_export_span_string(struct alog_span v, char *out, size_t cap);
int alog_export_top_string(const char *obj, size_t n, const char *name, char *out, size_t cap);


/* csv.c */
void alog_export_csv_header(struct alog_export *x, struct alog_buf *out);
void alog_export_cell_tables(void);
int alog_export_put_csv_record(struct alog_export *x, const struct alog_rec *r,
                               struct alog_buf *out);

/* siem.c */
int alog_export_put_ecs(struct alog_export *x, const struct alog_rec *r, const char *obj, size_t n,
                        struct alog_buf *out);
int alog_export_put_ocsf(struct alog_export *x, const struct alog_rec *r, const char *obj, size_t n,
                         struct alog_buf *out);

/* flat.c */
int alog_export_put_syslog(struct alog_export *x, const struct alog_rec *r, const char *obj,
                           size_t n, struct alog_buf *out);
int alog_export_put_cef(struct alog_export *x, const struct alog_rec *r, const char *obj, size_t n,
                        struct alog_buf *out);

/* ---- asciicast (asciicast.c) ---- */

/* One record of the session (asciicast header or event); 1 when it is none of it. */
int alog_export_put_asciicast(struct alog_export *x, const struct alog_rec *r,
                              struct alog_buf *out);

#endif
