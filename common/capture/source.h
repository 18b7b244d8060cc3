/*
 * source.h - source kinds: turning one line of a system's own log into an
 * alog event with the common members (actor, action, target, src.ip,
 * result, session, query, msg, ...) and the rest kept under a member named
 * after the source.  alog-append(1) documents each kind's mapping table.
 *
 *   json              any JSON-lines log: the object as it is, or the
 *                     members a map file names (see alog_mapper_new)
 *   postgres-jsonlog  PostgreSQL 15 log_destination = 'jsonlog'
 *   nginx-json        an nginx access log written with the log_format
 *                     escape=json that alog-append(1) gives
 *   syslog            RFC 5424 and RFC 3164 lines, and the files syslog
 *                     daemons write (/var/log/auth.log): sshd logins, sudo,
 *                     PAM sessions recognised
 *   rsyslog           the JSON lines of the rsyslog template that
 *                     alog-append(1) gives (for omprog): as syslog, plus
 *                     the message's uuid
 */
#ifndef ALOG_SOURCE_H
#define ALOG_SOURCE_H

#include <stddef.h>

#include "base/util.h"

struct alog_mapper;

/* The kinds, for messages and --help: "json, postgres-jsonlog, ...". */
extern const char alog_source_kinds[];

/*
 * A mapper for kind.  map_file (json only, may be NULL) is a JSON object
 * from target member paths to source member paths ("actor": "user.name";
 * "." is the whole input object) or to {"value": CONSTANT}.  NULL with e
 * set for an unknown kind or a bad map file.
 */
struct alog_mapper *alog_mapper_new(const char *kind, const char *map_file, struct alog_error *e);
void alog_mapper_free(struct alog_mapper *m);
const char *alog_mapper_kind(const struct alog_mapper *m);

enum {
	ALOG_MAP_OK = 0,
	ALOG_MAP_SKIP = 1,   /* nothing to record (a blank line) */
	ALOG_MAP_BAD = -1,   /* not a line of this kind: e says why, without quoting it */
};

/*
 * Map one line (LF excluded) to members text (empty, or ',' + compact
 * members), in the mapper's buffer: valid until the next call.
 */
int alog_mapper_map(struct alog_mapper *m, const char *line, size_t n, const char **out,
                    size_t *outlen, struct alog_error *e);

/*
 * Tests: nonzero makes the mappings take their portable path (a walk of
 * the compact line), to compare with the one-pass path.
 */
void alog_mapper_set_portable(int on);

/* rsyslog: the JSON-escaped uuid of the line mapped last ("" when it had none). */
const char *alog_mapper_id(const struct alog_mapper *m);

#endif
