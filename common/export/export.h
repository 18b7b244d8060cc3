/*
 * export.h - turning alog records into the formats other tools read
 * (NDJSON, a JSON array, CSV/TSV, RFC 5424 syslog, ArcSight CEF, Elastic
 * ECS and OCSF), with field mappings, redaction and dropping of members.
 * One record in, its output appended to a buffer: memory stays flat.
 */
#ifndef ALOG_EXPORT_H
#define ALOG_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/util.h"

enum alog_export_format {
	ALOG_FMT_NDJSON,
	ALOG_FMT_JSON,
	ALOG_FMT_CSV,
	ALOG_FMT_TSV,
	ALOG_FMT_SYSLOG,
	ALOG_FMT_CEF,
	ALOG_FMT_ECS,
	ALOG_FMT_OCSF,
	ALOG_FMT_ASCIICAST,
};

/* Redaction marker written in place of a --redact value. */
#define ALOG_REDACTED "[REDACTED]"
/* The columns csv and tsv print without --fields. */
#define ALOG_EXPORT_DEFAULT_FIELDS "seq,ts,actor,action,target,msg"
/* The OCSF schema version and ECS version the output conforms to. */
#define ALOG_OCSF_VERSION "1.3.0"
#define ALOG_ECS_VERSION "8.11.0"
/* syslog's default SD-ID: the private enterprise number for documentation (RFC 5612). */
#define ALOG_SD_ID "alog@32473"
/* At most this many --redact and --drop paths together. */
#define ALOG_EXPORT_MAX_RULES 64


struct alog_export_opts {
	enum alog_export_format format;
	int with_meta;          /* ndjson, json: keep seq, ts and hash */
	int allow_formulas;     /* csv, tsv: no CWE-1236 neutralisation */
	const char *fields;     /* csv, tsv: comma-separated paths; NULL: the default */
	const char *bulk_index; /* ecs: Elasticsearch _bulk body for this index */
	const char *sd_id;      /* syslog: the SD-ID NAME@PEN; NULL: ALOG_SD_ID */
	int octet_counting;     /* syslog: RFC 6587 octet-counting frames, not lines */
	const char *const *redact; /* dotted paths whose values become ALOG_REDACTED */
	size_t nredact;
	const char *const *drop;   /* dotted paths removed */
	size_t ndrop;
	const char *session;    /* asciicast: the session to replay (alog-run's id) */
	const char *map;        /* --map file contents (JSON), or NULL */
	size_t map_len;
};

struct alog_export;

/* Parse a format name ("csv"...).  0 or -1. */
int alog_export_format_parse(const char *name, enum alog_export_format *f);
const char *alog_export_format_name(enum alog_export_format f);

/*
 * Is name an index name Elasticsearch accepts (lower case; none of
 * \ / * ? " < > | , # : or a space; not starting with - _ +; not . or ..;
 * at most 255 bytes)?  NULL if so, else why not.
 */
const char *alog_export_index_problem(const char *name);
/* Is id an RFC 5424 SD-ID of the NAME@PEN form?  NULL if so, else why not. */
const char *alog_export_sd_id_problem(const char *id);

/* Set up an export; checks fields, paths and the map.  NULL with e set. */
struct alog_export *alog_export_new(const struct alog_export_opts *o, struct alog_error *e);
void alog_export_free(struct alog_export *x);

/* What comes before the first record (the csv header row, "[" ...). */
void alog_export_begin(struct alog_export *x, struct alog_buf *out);
/*
 * One input line (LF optional).  Events are converted and appended to
 * out; headers, seals and recover records are not exported (a header
 * gives the origin).  0, or -1 with e set when the line is not a record.
 */
int alog_export_line(struct alog_export *x, const char *line, size_t len, struct alog_buf *out,
                     struct alog_error *e);
/* What comes after the last record ("]"...). */
void alog_export_end(struct alog_export *x, struct alog_buf *out);
/*
 * The i-th --redact or --drop path (0, 1, ...) that has matched no member
 * of any record exported so far (drop set to 1 for --drop), or NULL.
 */
const char *alog_export_unmatched(const struct alog_export *x, size_t i, int *drop);
/* Events exported so far. */
uint64_t alog_export_count(const struct alog_export *x);

/*
 * Split a dotted path ("user.name"; "\." is a literal dot, "\\" a
 * backslash, "\," a comma) into NUL-terminated components written into
 * mem (which must hold strlen(s) + 1 bytes).  Returns the number of
 * components, or -1 if a component is empty, an escape is bad or there
 * are more than max.
 */
int alog_path_split(const char *s, size_t n, char *mem, const char **comp, size_t max);

#endif
