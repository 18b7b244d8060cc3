/*
 * srcpos.h - the source position a captured record carries, and finding
 * the last one a source wrote by reading the log backwards.
 *
 * The position is part of the record's reserved "alog" member, which no
 * input can set (alog-append refuses it, and only the policy and the
 * capture code write it):
 *
 *   "alog":{...,"source":{"kind":"postgres-jsonlog","path":"/pg/log/postgresql-*.json",
 *           "file":"/pg/log/postgresql-2026-12-02_104627.json","ino":1234,
 *           "fp":"9f86d081884c7d65","end":8150}}
 *
 * for a followed file (path is what is followed, file the file the line
 * came from when that is another name, end the offset after the line's
 * LF), and
 *
 *   "alog":{...,"source":{"kind":"rsyslog","stream":"rsyslog","id":"8443AAB2..."}}
 *
 * for a stream that names its own messages (rsyslog's uuid).  So the log
 * itself says how far each source has been read, and one fsync makes a
 * record and its position durable together.
 */
#ifndef ALOG_SRCPOS_H
#define ALOG_SRCPOS_H

#include <stddef.h>
#include <stdint.h>

#include "capture/follow.h"
#include "base/util.h"

/* Longest source member text written (path and file are at most PATH_MAX). */
#define ALOG_SRCPOS_MAX (2 * 6 * PATH_MAX + 256)

/*
 * The member "source":{...} (no leading comma) for a line of a followed
 * file.  path_esc is the followed path, already JSON-escaped.  Everything
 * but the offset is kept from one line to the next while the file stays
 * the same.  Returns the length of c->buf's text.
 */
struct alog_srcpos_fmt {
	char buf[ALOG_SRCPOS_MAX];
	size_t head; /* the text up to the offset, valid for file/ino/fp below */
	char file[PATH_MAX];
	uint64_t ino;
	uint8_t fp[ALOG_FP_LEN];
	int valid;
};
size_t alog_srcpos_format(struct alog_srcpos_fmt *c, const char *kind, const char *path_esc,
                          const struct alog_srcpos *p);
/* The same for a stream message with its own id (id_esc escaped). */
size_t alog_srcpos_format_stream(char *out, const char *kind, const char *stream_esc,
                                 const char *id_esc);

/* What alog_srcpos_last found. */
struct alog_srcpos_found {
	struct alog_srcpos pos; /* for a followed file */
	char id[256];           /* for a stream: the last id (unescaped) */
	uint64_t seq;           /* the record that carries it */
};

/*
 * Read the log at path backwards from its end for the last record whose
 * alog.source has key (`path` or `stream`) equal to value_esc (escaped as
 * written).  When the file holds none and starts with the header of a
 * rotated log's continuation, the earlier files are looked for in the same
 * directory (by the hash their last record must have).  1 found, 0 none
 * (or no log yet), -1 error.
 */
int alog_srcpos_last(const char *log, const char *key, const char *value_esc,
                     struct alog_srcpos_found *out, struct alog_error *e);

/*
 * Parse the alog.source member of one record line (for tests and tools):
 * 1 found (out filled when key/value match, or any with value_esc NULL),
 * 0 not there, -1 malformed.
 */
int alog_srcpos_of_record(const char *line, size_t len, const char *key, const char *value_esc,
                          struct alog_srcpos_found *out);

#endif
