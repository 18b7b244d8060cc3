/*
 * ts.h - RFC 3339 timestamps.  Records carry UTC with exactly nine
 * fraction digits ("2026-11-28T05:17:17.123456789Z", 30 bytes); times are
 * handled as nanoseconds since the Unix epoch.
 */
#ifndef ALOG_TS_H
#define ALOG_TS_H

#include <stddef.h>
#include <stdint.h>

#define ALOG_TS_LEN 30

/* Current UTC time in nanoseconds. */
int64_t alog_ts_now(void);
/* Format as the record form; out holds ALOG_TS_LEN+1 bytes. Returns out. */
char *alog_ts_format(char *out, int64_t ns);
/* Parse exactly the record form (30 bytes, valid date and time). 0 or -1. */
int alog_ts_parse_record(const char *s, size_t n, int64_t *ns);
/*
 * Parse any RFC 3339 date-time ("2026-11-28T05:17:17Z", a fraction of any
 * length: digits after the ninth round up to the next nanosecond when any
 * is not 0, "+02:00" offsets, 't'/'z'/' ' accepted) or a full date
 * ("2026-11-28", meaning its midnight UTC).  0 or -1.
 */
int alog_ts_parse(const char *s, int64_t *ns);
/* A duration such as "90s", "30m", "2h", "1d", "1w" or "1h30m". 0 or -1. */
int alog_parse_duration(const char *s, int64_t *ns);
/* Days since 1970-01-01 for a proleptic Gregorian date. */
int64_t alog_days_from_civil(int64_t y, unsigned m, unsigned d);

#endif
