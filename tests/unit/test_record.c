/*
 * test_record.c - record lines: shape parsing, digest and chain against the
 * worked example of alog(5), formatting, reserved names; timestamps and
 * durations; hex and base64.
 */
#include <time.h>

#include "base/enc.h"
#include "base/ts.h"
#include "format/record.h"
#include "t.h"

static const char line1[] =
	"{\"seq\":1,\"ts\":\"2026-11-28T05:17:17.123456789Z\",\"type\":\"open\",\"v\":1,"
	"\"origin\":\"db-1.example.com/audit\",\"hash\":"
	"\"edbcefc0a4f6f93180cea945e72fedd993a4b067114f5022f475aa276033915c\"}\n";
static const char line2[] =
	"{\"seq\":2,\"ts\":\"2026-11-28T05:17:18.000000001Z\",\"actor\":\"alice\","
	"\"action\":\"db.query\",\"rows\":42,\"hash\":"
	"\"a0a43354375f7a1ac802b841e75816c9c8282726d178e9c4cda1c754616ab852\"}\n";

static int parses(const char *s)
{
	struct alog_rec r;
	struct alog_error e;
	return alog_rec_parse(&r, s, strlen(s), &e) == 0;
}

static void worked_example(void)
{
	struct alog_rec r;
	struct alog_error e;
	uint8_t d[32], h[32], zero[32] = {0}, want[32];
	char hex[65];

	CHECK(alog_rec_parse(&r, line1, strlen(line1), &e) == 0);
	CHECK(r.seq == 1 && r.type == ALOG_REC_OPEN);
	alog_rec_digest(line1, strlen(line1), d);
	CHECK_STR(alog_hex(hex, d, 32), "9772fccda87036f14dd668a8adbb9cdef582824a5d0801c0a0f3da3ede08af50");
	alog_chain(h, zero, d);
	CHECK_MEM(h, r.hash, 32);

	CHECK(alog_rec_parse(&r, line2, strlen(line2), &e) == 0);
	CHECK(r.seq == 2 && r.type == ALOG_REC_EVENT);
	CHECK(r.members.n == strlen(",\"actor\":\"alice\",\"action\":\"db.query\",\"rows\":42"));
	alog_rec_digest(line2, strlen(line2), d);
	CHECK_STR(alog_hex(hex, d, 32), "d36aa2f09f36ae473d6baf8fc5eb3209371ed33f027e4e6468d1f27ebfcf953d");
	t_unhex(want, "edbcefc0a4f6f93180cea945e72fedd993a4b067114f5022f475aa276033915c");
	alog_chain(h, want, d);
	CHECK_MEM(h, r.hash, 32);

	/* formatting the same record reproduces the line byte for byte */
	char out[512];
	int64_t ns;
	uint8_t hh[32];
	CHECK(alog_ts_parse_record("2026-11-28T05:17:18.000000001Z", 30, &ns) == 0);
	const char *m = ",\"actor\":\"alice\",\"action\":\"db.query\",\"rows\":42";
	CHECK(alog_rec_size(strlen(m), NULL) >= strlen(line2));
	size_t n = alog_rec_format(out, 2, ns, NULL, m, strlen(m), want, hh);
	CHECK(n == strlen(line2) && memcmp(out, line2, n) == 0);
	CHECK_MEM(hh, h, 32);
}

static void shapes(void)
{
	char buf[512];
	const char *tail = "\"hash\":\"edbcefc0a4f6f93180cea945e72fedd993a4b067114f5022f475aa276033915c\"}\n";

	CHECK(parses(line1) && parses(line2));
	snprintf(buf, sizeof buf, "{\"seq\":3,\"ts\":\"2026-11-28T05:17:18.000000001Z\",%s", tail);
	CHECK(parses(buf)); /* an event with no members of its own */
	snprintf(buf, sizeof buf, "{\"seq\":03,\"ts\":\"2026-11-28T05:17:18.000000001Z\",%s", tail);
	CHECK(!parses(buf));
	snprintf(buf, sizeof buf, "{\"seq\":0,\"ts\":\"2026-11-28T05:17:18.000000001Z\",%s", tail);
	CHECK(!parses(buf));
	snprintf(buf, sizeof buf, "{\"seq\":9007199254740992,\"ts\":\"2026-11-28T05:17:18.000000001Z\",%s", tail);
	CHECK(!parses(buf));
	snprintf(buf, sizeof buf, "{\"seq\":9007199254740991,\"ts\":\"2026-11-28T05:17:18.000000001Z\",%s", tail);
	CHECK(parses(buf));
	snprintf(buf, sizeof buf, "{\"seq\":3,\"ts\":\"2026-11-28T05:17:18.00000001Z\",%s", tail);
	CHECK(!parses(buf));
	snprintf(buf, sizeof buf, "{\"seq\":3,\"ts\":\"2026-02-30T05:17:18.000000001Z\",%s", tail);
	CHECK(!parses(buf));
	snprintf(buf, sizeof buf, "{\"seq\":3,\"ts\":\"2026-11-28T05:17:18.000000001Z\",\"type\":\"x\",%s", tail);
	CHECK(!parses(buf));
	snprintf(buf, sizeof buf, "{\"seq\":3,\"ts\":\"2026-11-28T05:17:18.000000001Z\",\"a\":1%s", tail);
	CHECK(!parses(buf)); /* no comma before the hash */
	/* uppercase hex, missing LF, short lines */
	strcpy(buf, line2);
	buf[strlen(buf) - 10] = 'A';
	CHECK(!parses(buf));
	strcpy(buf, line2);
	buf[strlen(buf) - 1] = '\0';
	CHECK(!parses(buf));
	CHECK(!parses("{}\n"));
	CHECK(!parses(""));
}

static void reserved(void)
{
	for (const char *const *r = alog_reserved_names; *r; r++)
		CHECK(alog_name_reserved(*r, strlen(*r)));
	CHECK(!alog_name_reserved("actor", 5));
	CHECK(!alog_name_reserved("se", 2));
	CHECK(!alog_name_reserved("types", 5));
}

/*
 * alog_ts_format (which keeps the text of the last second it formatted)
 * against gmtime_r and printf, over the whole range of 64-bit
 * nanoseconds: runs within one second, steps across seconds, days and
 * years, and jumps back and forth.
 */
static void ts_differential(void)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL;
	int64_t ns = 0;
	char got[ALOG_TS_LEN + 1], want[64];

	for (int i = 0; i < 300000; i++) {
		struct tm tm;
		time_t secs;
		int64_t frac;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		switch (x % 4) {
		case 0: /* anywhere */
			ns = (int64_t)(x >> 1) * (x & 2 ? 1 : -1);
			break;
		case 1: /* within the second, or into the next (wrapping, never overflowing) */
			ns = (int64_t)((uint64_t)ns + x % 1000000);
			break;
		case 2: /* a second, a day or a year on, or back */
			ns = (int64_t)((uint64_t)ns + (x % 3 == 0   ? 1000000000ULL
			                               : x % 3 == 1 ? 86400000000000ULL
			                                            : -31536000000000000ULL));
			break;
		default: /* around 1970 and around now */
			ns = (int64_t)(x % 2000000000000ULL) - 1000000000000LL +
			     (x & 8 ? 1764000000LL * 1000000000LL : 0);
		}
		secs = (time_t)(ns / 1000000000LL);
		frac = ns % 1000000000LL;
		if (frac < 0) {
			frac += 1000000000LL;
			secs--;
		}
		if (!gmtime_r(&secs, &tm))
			continue;
		snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%09lldZ", tm.tm_year + 1900,
		         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)frac);
		CHECK_STR(alog_ts_format(got, ns), want);
	}
}

static void times(void)
{
	int64_t ns, d;
	char out[ALOG_TS_LEN + 1];

	CHECK(alog_ts_parse("2026-11-28T05:17:17Z", &ns) == 0);
	CHECK_STR(alog_ts_format(out, ns), "2026-11-28T05:17:17.000000000Z");
	CHECK(alog_ts_parse("2026-11-28T07:17:17.5+02:00", &ns) == 0);
	CHECK_STR(alog_ts_format(out, ns), "2026-11-28T05:17:17.500000000Z");
	CHECK(alog_ts_parse("2026-11-28", &ns) == 0);
	CHECK_STR(alog_ts_format(out, ns), "2026-11-28T00:00:00.000000000Z");
	CHECK(alog_ts_parse("1969-12-31T23:59:59.999999999Z", &ns) == 0 && ns == -1);
	CHECK(alog_ts_parse("2024-02-29T00:00:00Z", &ns) == 0);
	CHECK(alog_ts_parse("2023-02-29T00:00:00Z", &ns) != 0);
	CHECK(alog_ts_parse("2026-11-28T25:00:00Z", &ns) != 0);
	CHECK(alog_ts_parse("2026-11-28T05:17:17", &ns) != 0);
	CHECK(alog_ts_parse("yesterday", &ns) != 0);
	CHECK(alog_ts_parse_record("2000-01-01T00:00:00.000000000Z", 30, &ns) == 0 &&
	      ns == 946684800LL * 1000000000LL);
	CHECK(alog_parse_duration("90s", &d) == 0 && d == 90LL * 1000000000);
	CHECK(alog_parse_duration("1h30m", &d) == 0 && d == 5400LL * 1000000000);
	CHECK(alog_parse_duration("2d", &d) == 0 && d == 172800LL * 1000000000);
	CHECK(alog_parse_duration("1w", &d) == 0);
	CHECK(alog_parse_duration("", &d) != 0);
	CHECK(alog_parse_duration("5", &d) != 0);
	CHECK(alog_parse_duration("5x", &d) != 0);
	CHECK(alog_parse_duration("h", &d) != 0);
	CHECK(alog_parse_duration("99999999999999d", &d) != 0);
}

static void codecs(void)
{
	uint8_t b[40];
	char s[100];

	/* the table of pairs against printf, every byte; and back through alog_unhex */
	{
		uint8_t all[256], back[256];
		char h[513], want[3];
		for (int i = 0; i < 256; i++)
			all[i] = (uint8_t)(255 - i);
		alog_hex(h, all, 256);
		CHECK(strlen(h) == 512);
		for (int i = 0; i < 256; i++) {
			snprintf(want, sizeof want, "%02x", all[i]);
			CHECK(memcmp(h + 2 * i, want, 2) == 0);
		}
		CHECK(alog_unhex(back, 256, h, 512) == 0 && memcmp(back, all, 256) == 0);
	}
	CHECK(alog_unhex(b, 2, "00ff", 4) == 0 && b[0] == 0 && b[1] == 255);
	CHECK(alog_unhex(b, 2, "00FF", 4) != 0);
	CHECK(alog_unhex(b, 2, "00f", 3) != 0);
	CHECK(alog_unhex(b, 1, "g0", 2) != 0);
	CHECK(alog_is_lowerhex("0123456789abcdef", 16));
	CHECK(!alog_is_lowerhex("0123456789abcdeF", 16));
	CHECK_STR(alog_b64(s, (const uint8_t *)"hello", 5), "aGVsbG8=");
	CHECK(alog_unb64(b, sizeof b, "aGVsbG8=", 8) == 5 && memcmp(b, "hello", 5) == 0);
	CHECK(alog_unb64(b, sizeof b, "aGVsbG9=", 8) == -1); /* stray bits: not canonical */
	CHECK(alog_unb64(b, sizeof b, "aGVsbG8", 7) == -1);
	CHECK(alog_unb64(b, 4, "aGVsbG8=", 8) == -1);
	CHECK(alog_unb64(b, sizeof b, "", 0) == 0);
}

/*
 * A batch hashed by alog_rec_hash_lines (the writer's second thread, two
 * lanes) is byte for byte what alog_rec_format makes record by record.
 */
static void hashed_batch(void)
{
	static char one[64 * 1024], batch[64 * 1024];
	size_t ends[200], on = 0, bn = 0;
	uint8_t h1[32] = {7}, h2[32] = {7};
	char members[400];
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (size_t n = 0; n < 120; n++) {
		size_t k, len;
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		len = (size_t)(x % 300);
		k = (size_t)snprintf(members, sizeof members, ",\"n\":%zu,\"pad\":\"", n);
		memset(members + k, 'a' + (int)(n % 26), len);
		k += len;
		members[k++] = '"';
		on += alog_rec_format(one + on, n + 1, (int64_t)n * 1000, n == 0 ? "open" : NULL,
		                      members, k, h1, h1);
		bn += alog_rec_format_unhashed(batch + bn, n + 1, (int64_t)n * 1000,
		                               n == 0 ? "open" : NULL, members, k);
		ends[n] = bn;
		/* odd and even batch lengths (the two-lane pairs and a last one alone) */
		if (n == 0 || n == 1 || n == 6 || n == 119) {
			uint8_t h[32];
			memcpy(h, h2, 32);
			alog_rec_hash_lines(batch, ends, n + 1, h);
			CHECK(bn == on && memcmp(batch, one, on) == 0);
			CHECK(memcmp(h, h1, 32) == 0);
		}
	}
}

/* A per-digit decoder to hold alog_unhex's vector path against. */
static int ref_digit(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int ref_unhex(uint8_t *out, size_t n, const char *hex)
{
	for (size_t i = 0; i < n; i++) {
		int hi = ref_digit((unsigned char)hex[2 * i]), lo = ref_digit((unsigned char)hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/*
 * alog_unhex against the reference: every byte value at every position of
 * a 64-digit hash (only lowercase digits pass), every length 0..40 bytes,
 * and random digit strings.
 */
static void unhex_differential(void)
{
	static const char digits[] = "0123456789abcdef";
	char hex[81];
	uint8_t got[40], want[40];
	unsigned seed = 12345;

	for (int trial = 0; trial < 2000; trial++) {
		size_t n = (size_t)trial % 41;
		for (size_t i = 0; i < 2 * n; i++) {
			seed = seed * 1103515245u + 12345u;
			hex[i] = digits[(seed >> 16) & 15];
		}
		CHECK(alog_unhex(got, n, hex, 2 * n) == 0);
		CHECK(ref_unhex(want, n, hex) == 0);
		CHECK(memcmp(got, want, n) == 0);
	}
	for (size_t i = 0; i < 64; i++)
		hex[i] = digits[(i * 7) & 15];
	for (size_t pos = 0; pos < 64; pos++) {
		char keep = hex[pos];
		for (int c = 0; c < 256; c++) {
			int rc, rrc;
			hex[pos] = (char)c;
			rc = alog_unhex(got, 32, hex, 64);
			rrc = ref_unhex(want, 32, hex);
			CHECK(rc == rrc);
			if (rc == 0 && rrc == 0)
				CHECK(memcmp(got, want, 32) == 0);
		}
		hex[pos] = keep;
	}
}

int main(void)
{
	hashed_batch();
	ts_differential();
	worked_example();
	shapes();
	reserved();
	times();
	codecs();
	unhex_differential();
	return t_done("test_record");
}
