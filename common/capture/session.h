/*
 * session.h - the records of a recorded session (alog-run, the sudo
 * plugin): session.start and session.end sharing a session id, and a
 * transcript's session.io chunks, cut so that what the policy's detectors
 * look for is not split between two records.
 */
#ifndef ALOG_SESSION_H
#define ALOG_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/util.h"
#include "capture/append.h"

/* A session id: 32 lower-case hex digits (128 random bits), NUL-terminated. */
#define ALOG_SESSION_ID_LEN 32
int alog_session_id(char out[ALOG_SESSION_ID_LEN + 1], struct alog_error *e);

/*
 * Append in[0..n) as JSON string contents: valid UTF-8 as is (", \ and
 * controls escaped), and every byte that is no part of valid UTF-8, and
 * NUL, as U+FFFD.
 */
void alog_session_esc(struct alog_buf *b, const char *in, size_t n);
/* A member "name":"value" (escaped as above), preceded by a comma. */
void alog_session_str(struct alog_buf *b, const char *name, const char *value);

/*
 * ,"NAME":[argv...] in at most ALOG_ARGV_MAX bytes of JSON, so that a
 * command line longer than a record still leaves its record: past the
 * limit the last argument shown is cut short, the others left out, and
 * ,"NAME_truncated":{"args":N,"bytes":M} gives the whole command line's
 * number of arguments and bytes.
 */
#define ALOG_ARGV_MAX (512 * 1024)
void alog_session_argv(struct alog_buf *b, const char *name, char *const argv[]);

/*
 * Who runs this process: the members common to every record of a session
 * (actor) and those of session.start (user, tty, host, cwd).  actor is
 * the person: SUDO_USER when set and the user is root, else the owner of
 * the login uid, else the user.  Appended to b.
 */
void alog_session_who(struct alog_buf *b, char *actor, size_t cap);

/* ---- transcripts ---- */

/* Limits of a chunk (alog-run(1) documents them). */
#define ALOG_IO_CHUNK (64 * 1024)   /* a chunk is written once this much is pending */
#define ALOG_IO_HOLD 4096           /* a partial line up to this long waits for its end */
#define ALOG_IO_KEY_HOLD (16 * 1024) /* an unterminated private key block waits this long */
#define ALOG_IO_FLUSH_MS 100        /* pending bytes wait at most this long for more */

/*
 * How many of the n pending bytes p[0..n) to write now as one chunk.
 * force: everything (the end of the stream).  timed_out: the pending bytes
 * waited ALOG_IO_FLUSH_MS.  A chunk ends at a line end; a partial line
 * shorter than ALOG_IO_HOLD, and an open private key block (up to
 * ALOG_IO_KEY_HOLD), wait for the rest, so that a secret written in two
 * pieces is seen whole.  A cut never splits a UTF-8 sequence.
 */
size_t alog_io_cut(const char *p, size_t n, int force, int timed_out);

#endif
