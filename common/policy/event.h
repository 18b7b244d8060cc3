/*
 * event.h - turning user input into record members: a JSON object line,
 * a plain text line (--text), or KEY=VALUE / KEY:=JSON arguments.  The
 * result is the text that follows the ts member of a record: empty, or
 * ',' + compact members in the order given.
 */
#ifndef ALOG_EVENT_H
#define ALOG_EVENT_H

#include <stddef.h>

#include "base/util.h"

/* Largest members text accepted, leaving room for seq, ts and hash. */
#define ALOG_MAX_MEMBERS (1024 * 1024 - 256)

/*
 * A JSON object (in[0..n), trailing newline allowed) to members.  out must
 * hold n + 1 bytes.  Returns the length, or -1 with e->msg saying what is
 * wrong and where ("column 12: ...").
 */
long alog_event_from_json(const char *in, size_t n, char *out, struct alog_error *e);
/* A text line as {"msg": "<line>"}; out must hold 6n + 16 bytes. */
long alog_event_from_text(const char *in, size_t n, char *out, struct alog_error *e);
/*
 * KEY=VALUE (string), KEY:=JSON (typed) arguments; dotted keys build
 * nested objects (user.id=7 user.name=bob).  Returns a malloc'd members
 * text (length in *len), or NULL with e set.
 */
char *alog_event_from_args(char *const *args, int n, size_t *len, struct alog_error *e);

#endif
