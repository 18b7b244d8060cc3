/*
 * term.h - making log text safe for a terminal.  Log content is written
 * by whoever can append to the log, so before any of it reaches a
 * terminal every byte that could drive one (CWE-150, CWE-117) is turned
 * into visible text: C0 controls, DEL, C1 controls (U+0080..U+009F),
 * bidirectional controls (Trojan Source) and line separators, and bytes
 * that are not UTF-8 (which an 8-bit terminal could read as C1).
 */
#ifndef ALOG_TERM_H
#define ALOG_TERM_H

#include <stddef.h>

enum {
	ALOG_TERM_KEEP_LF = 1,   /* pass LF through (a multi-line message) */
	ALOG_TERM_KEEP_TAB = 2,  /* pass TAB through */
	ALOG_TERM_BACKSLASH = 4, /* write a backslash as \\, so the escapes are unambiguous */
};

/* Output bytes alog_term_clean may write for n input bytes. */
#define ALOG_TERM_MAX(n) (4 * (n))

/*
 * Copy in[0..n) to out (ALOG_TERM_MAX(n) bytes), replacing what a
 * terminal could act on: \n \r \t for LF, CR and TAB (unless kept),
 * \xHH for other C0 controls, DEL and bytes that are not valid UTF-8,
 * \uHHHH for C1 controls, U+061C, U+200E, U+200F, U+2028..U+202E and
 * U+2066..U+2069.  Returns the output length.  The output is valid UTF-8.
 */
size_t alog_term_clean(char *out, const char *in, size_t n, unsigned flags);

/* Does in[0..n) need cleaning (with these flags)? */
int alog_term_unsafe(const char *in, size_t n, unsigned flags);

/*
 * Should output to fd be coloured under --color=auto: a terminal, TERM not
 * "dumb", and NO_COLOR (no-color.org) unset or empty.
 */
int alog_term_color_auto(int fd);

/* SGR sequences for the pretty output. */
#define ALOG_SGR_RESET "\033[0m"
#define ALOG_SGR_MATCH "\033[1;31m" /* matched members, as grep shows matches */
#define ALOG_SGR_TIME "\033[2m"
#define ALOG_SGR_NAME "\033[36m"
#define ALOG_SGR_TYPE "\033[35m"
#define ALOG_SGR_FILE "\033[35m"
#define ALOG_SGR_SEP "\033[36m"
#define ALOG_SGR_ESCAPE "\033[7m" /* neutralised bytes, so they stand out */

#endif
