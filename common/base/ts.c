/*
 * ts.c - RFC 3339 timestamps without locale or time zone state.
 */
#include "base/ts.h"

#include <string.h>
#include <time.h>

#define NS 1000000000LL

int64_t alog_days_from_civil(int64_t y, unsigned m, unsigned d)
{
	/* H. Hinnant's algorithm: exact for the proleptic Gregorian calendar. */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	z += 719468;
	int64_t era = (z >= 0 ? z : z - 146096) / 146097;
	unsigned doe = (unsigned)(z - era * 146097);
	unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	unsigned mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

int64_t alog_ts_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	/* 64-bit nanoseconds end in 2262 (and start in 1677): a clock beyond
	 * is clamped to the last (first) representable time, never wrapped
	 * (alog(5), LIMITS). */
	if (ts.tv_sec >= INT64_MAX / NS)
		return INT64_MAX / NS * NS;
	if (ts.tv_sec < 0 && ts.tv_sec <= INT64_MIN / NS)
		return INT64_MIN / NS * NS;
	return (int64_t)ts.tv_sec * NS + ts.tv_nsec;
}

static void put_num(char *p, unsigned long long v, int width)
{
	for (int i = width - 1; i >= 0; i--) {
		p[i] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* Two digits at once: "00" to "99". */
static const char two[201] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";

/* The 20 bytes before the fraction ("YYYY-MM-DDTHH:MM:SS.") of second secs. */
static void format_second(char *out, int64_t secs)
{
	int64_t days = secs / 86400, rem = secs % 86400;
	if (rem < 0) {
		rem += 86400;
		days--;
	}
	int64_t y;
	unsigned m, d;
	civil_from_days(days, &y, &m, &d);
	if (y < 0 || y > 9999)
		y = y < 0 ? 0 : 9999;
	put_num(out, (unsigned long long)y, 4);
	out[4] = '-';
	put_num(out + 5, m, 2);
	out[7] = '-';
	put_num(out + 8, d, 2);
	out[10] = 'T';
	put_num(out + 11, (unsigned long long)(rem / 3600), 2);
	out[13] = ':';
	put_num(out + 14, (unsigned long long)(rem / 60 % 60), 2);
	out[16] = ':';
	put_num(out + 17, (unsigned long long)(rem % 60), 2);
	out[19] = '.';
}

char *alog_ts_format(char *out, int64_t ns)
{
	/* a writer stamps many records within one second: its text is kept */
	static _Thread_local int64_t last_secs = INT64_MIN;
	static _Thread_local char last[20];
	int64_t secs = ns / NS, frac = ns % NS;
	uint32_t f, hi;

	if (frac < 0) {
		frac += NS;
		secs--;
	}
	if (secs != last_secs) {
		format_second(last, secs);
		last_secs = secs;
	}
	memcpy(out, last, 20);
	/* nine digits: one, then four pairs */
	f = (uint32_t)frac;
	hi = f / 100000000;
	out[20] = (char)('0' + hi);
	f -= hi * 100000000;
	memcpy(out + 21, two + 2 * (f / 1000000), 2);
	memcpy(out + 23, two + 2 * (f / 10000 % 100), 2);
	memcpy(out + 25, two + 2 * (f / 100 % 100), 2);
	memcpy(out + 27, two + 2 * (f % 100), 2);
	out[29] = 'Z';
	out[30] = '\0';
	return out;
}

static int digits(const char *s, int n, unsigned *v)
{
	unsigned x = 0;
	for (int i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (unsigned)(s[i] - '0');
	}
	*v = x;
	return 0;
}

static int days_in_month(unsigned y, unsigned m)
{
	static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dm[m - 1];
}

/* Parse "YYYY-MM-DD" at s; 0 or -1. */
static int parse_date(const char *s, unsigned *y, unsigned *m, unsigned *d)
{
	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) || s[7] != '-' ||
	    digits(s + 8, 2, d))
		return -1;
	if (*m < 1 || *m > 12 || *d < 1 || (int)*d > days_in_month(*y, *m))
		return -1;
	/* Times are int64 nanoseconds since 1970: 1677-09-21 .. 2262-04-11. */
	if (*y < 1678 || *y > 2261)
		return -1;
	return 0;
}

/* Parse "HH:MM:SS" at s; leap second 60 is accepted as in RFC 3339. */
static int parse_time(const char *s, unsigned *hh, unsigned *mm, unsigned *ss)
{
	if (digits(s, 2, hh) || s[2] != ':' || digits(s + 3, 2, mm) || s[5] != ':' ||
	    digits(s + 6, 2, ss))
		return -1;
	if (*hh > 23 || *mm > 59 || *ss > 60)
		return -1;
	return 0;
}

static int64_t to_ns(unsigned y, unsigned m, unsigned d, unsigned hh, unsigned mm,
                     unsigned ss, unsigned long frac)
{
	int64_t days = alog_days_from_civil(y, m, d);
	return ((days * 86400) + hh * 3600 + mm * 60 + ss) * NS + (int64_t)frac;
}

int alog_ts_parse_record(const char *s, size_t n, int64_t *ns)
{
	unsigned y, m, d, hh, mm, ss, f;
	if (n != ALOG_TS_LEN || parse_date(s, &y, &m, &d) || s[10] != 'T' ||
	    parse_time(s + 11, &hh, &mm, &ss) || s[19] != '.' || digits(s + 20, 9, &f) ||
	    s[29] != 'Z')
		return -1;
	*ns = to_ns(y, m, d, hh, mm, ss, f);
	return 0;
}

int alog_ts_parse(const char *s, int64_t *ns)
{
	unsigned y, m, d, hh, mm, ss;
	unsigned long frac = 0;
	size_t n = strlen(s);
	const char *p;
	int64_t off = 0;

	if (n < 10 || parse_date(s, &y, &m, &d))
		return -1;
	if (n == 10) {
		*ns = to_ns(y, m, d, 0, 0, 0, 0);
		return 0;
	}
	if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') || n < 19 ||
	    parse_time(s + 11, &hh, &mm, &ss))
		return -1;
	p = s + 19;
	if (*p == '.') {
		int nd = 0, more = 0;
		p++;
		while (*p >= '0' && *p <= '9') {
			if (nd < 9) {
				frac = frac * 10 + (unsigned long)(*p - '0');
				nd++;
			} else if (*p != '0') {
				more = 1;
			}
			p++;
		}
		if (nd == 0)
			return -1;
		for (; nd < 9; nd++)
			frac *= 10;
		/* between two nanoseconds: the later one, so that t >= it and t < it hold as written */
		frac += (unsigned long)more;
	}
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		unsigned oh, om;
		if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 ||
		    om > 59)
			return -1;
		off = ((int64_t)oh * 3600 + om * 60) * NS;
		if (*p == '+')
			off = -off;
		p += 6;
	} else {
		return -1;
	}
	if (*p)
		return -1;
	*ns = to_ns(y, m, d, hh, mm, ss, frac) + off;
	return 0;
}

int alog_parse_duration(const char *s, int64_t *ns)
{
	int64_t total = 0;
	const char *p = s;

	if (!*p)
		return -1;
	while (*p) {
		int64_t v = 0, unit;
		const char *start = p;
		while (*p >= '0' && *p <= '9') {
			if (v > 1000000000LL)
				return -1;
			v = v * 10 + (*p - '0');
			p++;
		}
		if (p == start)
			return -1;
		switch (*p) {
		case 's': unit = 1; break;
		case 'm': unit = 60; break;
		case 'h': unit = 3600; break;
		case 'd': unit = 86400; break;
		case 'w': unit = 7 * 86400; break;
		default: return -1;
		}
		p++;
		if (v > (INT64_MAX / NS - total) / unit)
			return -1;
		total += v * unit;
	}
	*ns = total * NS;
	return 0;
}
