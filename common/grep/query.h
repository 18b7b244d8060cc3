/*
 * query.h - the alog-grep query language: terms on record members
 * (NAME=VALUE, !=, ~REGEX, ^=PREFIX, >, >=, <, <=, NAME?), dotted paths,
 * shell-style quoting, alternatives; a prefilter on the literal bytes a
 * match needs, and a matcher that decodes only the members it compares.
 *
 * Semantics (documented in alog-grep(1)):
 *  - A term holds for a record when the member at its path exists and
 *    compares as the operator says; NAME!=VALUE is exactly "not
 *    NAME=VALUE", so it holds when the member is absent.
 *  - NAME=VALUE: a string member equals VALUE after JSON unescaping; when
 *    VALUE was written without quotes it also matches a number equal to
 *    it (compared exactly, as decimals: 42 = 42.0 = 4.2e1) and the
 *    literals true, false and null by their text.  Any quoting in VALUE
 *    ("42") restricts it to strings.
 *  - ~ (POSIX ERE, unanchored) and ^= apply to strings only; >, >=, <, <=
 *    to numbers only (VALUE must be a JSON number).  Objects and arrays
 *    only ever satisfy NAME? and NAME!=VALUE.
 *  - Path components are member names (".", operators and spaces in a
 *    name are written quoted or backslash-escaped); arrays are not
 *    entered.  Names compare after unescaping; the first member of a name
 *    wins.
 */
#ifndef ALOG_QUERY_H
#define ALOG_QUERY_H

#include <stddef.h>
#include <stdint.h>

#include "base/span.h"
#include "base/util.h"

struct alog_finder;

struct alog_query;

struct alog_query *alog_query_new(void);
void alog_query_free(struct alog_query *q);

/*
 * Add one alternative: the space-separated terms of text, all of which
 * must hold (an empty text holds for every record).  Returns 0, or -1
 * with e set and [*at, *at + *at_len) the bad part of text (a term, an
 * unterminated quote) for a caret under it.
 */
int alog_query_add(struct alog_query *q, const char *text, size_t *at, size_t *at_len,
                   struct alog_error *e);
/*
 * Compare string values without regard to case (=, !=, ^= and ~; UTF-8
 * characters folded as towlower does in the C.UTF-8 locale), for the
 * alternatives added after the call.
 */
void alog_query_set_icase(struct alog_query *q, int icase);
/* Number of alternatives added. */
size_t alog_query_alts(const struct alog_query *q);
/*
 * The member path of term i (counted over all alternatives): decoded
 * names path[0..depth).  1, or 0 when there is no term i.
 */
int alog_query_path(const struct alog_query *q, size_t i, const char *const **path,
                    size_t *depth);

/*
 * Does the JSON object obj[0..n) (a record line without its LF) match any
 * alternative?  1 yes, 0 no, -1 the text is not an object the walkers can
 * read (or holds a bad string escape where a term had to look).
 */
int alog_query_match(struct alog_query *q, const char *obj, size_t n);

/*
 * After a match: does the matching alternative rest on the member with
 * raw (still escaped) path components comps[0..depth)?  True when a term
 * other than != names that path or an object on it.  For highlighting.
 */
int alog_query_hit(const struct alog_query *q, const struct alog_span *comps, size_t depth);

/*
 * Was term i written NAME==VALUE (or NAME!==VALUE)?  It compares with a
 * value starting '=' (*value), which is seldom what was meant.  1 or 0.
 */
int alog_query_eqeq(const struct alog_query *q, size_t i, const char **value);

/*
 * Prefilter.  A line can only match when it holds a literal one of the
 * alternatives requires, or a backslash (a JSON escape can spell any
 * byte).  alog_query_prefilter() is 0 when some alternative requires no
 * literal (every line is then a candidate).
 */
int alog_query_prefilter(const struct alog_query *q);
/*
 * Choose for each alternative, among the literals its terms require, the
 * one that occurs least in sample[0..n) (the start of the input), so the
 * search skips as much as the data allows.
 */
void alog_query_tune(struct alog_query *q, const char *sample, size_t n);
/* May line[0..n) match?  Never 0 for a line alog_query_match accepts. */
int alog_query_may_match(const struct alog_query *q, const char *line, size_t n);
/*
 * Buffer search: the smallest offset >= from in buf[0..n) of a required
 * literal, a backslash or the guard's needle (see below), or n.  Positions found are cached between
 * calls with increasing from; call alog_query_scan_reset() whenever buf
 * or its contents change.
 */
size_t alog_query_scan(struct alog_query *q, const char *buf, size_t n, size_t from);
void alog_query_scan_reset(struct alog_query *q);
/*
 * Make every occurrence of g's needle a candidate of alog_query_scan too
 * (NULL: none), found in the same pass as the literals: a line the
 * caller must see whatever the query (one with a value the literals
 * cannot be seen in).  g must outlive the query's scans.
 */
void alog_query_scan_guard(struct alog_query *q, const struct alog_finder *g);

/*
 * Exact comparison of two JSON numbers given as text: *cmp is <0, 0 or
 * >0.  -1 when either text is not a JSON number.
 */
int alog_num_cmp(const char *a, size_t an, const char *b, size_t bn, int *cmp);
/* Is s[0..n) exactly one JSON number? */
int alog_num_valid(const char *s, size_t n);

/*
 * A time bound for --since and --until, relative to now (ns): an RFC 3339
 * time with Z or an offset (as given); a date (its midnight), a date and
 * time without a zone (seconds and fraction optional), "today",
 * "yesterday" (midnights), either followed by HH:MM[:SS], or HH:MM[:SS]
 * alone (today), all in local time (TZ), or in UTC when utc is set;
 * "now"; a duration ago ("2h", "-2h", "1h30m", "2h ago", "1 hour ago",
 * "2 days 3 hours ago").  Fraction digits after the ninth round up, so
 * that a bound between two nanoseconds compares as written.  0 or -1.
 */
int alog_time_arg(const char *s, int64_t now, int utc, int64_t *ns);

#endif
