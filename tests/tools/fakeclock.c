/*
 * fakeclock.c - an LD_PRELOAD shim that sets the wall clock of one run:
 * with FAKECLOCK=SECONDS (since the Unix epoch) in the environment,
 * clock_gettime(CLOCK_REALTIME) and time() give that second, the
 * nanoseconds running on from the real clock.  Tests use it to step the
 * clock back between two writers.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <time.h>

typedef int (*clock_gettime_fn)(clockid_t, struct timespec *);

int clock_gettime(clockid_t id, struct timespec *ts)
{
	static clock_gettime_fn real;
	const char *fake = getenv("FAKECLOCK");
	int rc;

	if (!real)
		real = (clock_gettime_fn)(void (*)(void))dlsym(RTLD_NEXT, "clock_gettime");
	rc = real(id, ts);
	if (rc == 0 && fake && *fake && (id == CLOCK_REALTIME || id == CLOCK_REALTIME_COARSE))
		ts->tv_sec = (time_t)strtoll(fake, NULL, 10);
	return rc;
}

time_t time(time_t *t)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	if (t)
		*t = ts.tv_sec;
	return ts.tv_sec;
}
