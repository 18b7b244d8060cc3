/*
 * util.c - error reporting, option parsing and small I/O helpers.
 */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#if defined(__has_include)
#if __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h> /* glibc 2.33 and later */
#define ALOG_GLIBC_X86 1
#endif
#endif
#endif

#include "base/term.h"

const char *alog_progname = "alog";

void alog_error_clear(struct alog_error *e)
{
	if (!e)
		return;
	e->msg[0] = '\0';
	e->file = NULL;
	e->line = 0;
	e->sys_errno = 0;
}

__attribute__((format(printf, 3, 0)))
static void vset(struct alog_error *e, int with_errno, const char *fmt, va_list ap)
{
	int saved = errno;
	if (!e)
		return;
	/* A new message starts without a location; callers add one after. */
	e->file = NULL;
	e->line = 0;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	e->sys_errno = with_errno ? saved : 0;
	if (with_errno) {
		size_t n = strlen(e->msg);
		snprintf(e->msg + n, sizeof e->msg - n, ": %s", strerror(saved));
	}
	errno = saved;
}

int alog_err(struct alog_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(e, 0, fmt, ap);
	va_end(ap);
	return -1;
}

int alog_errno(struct alog_error *e, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vset(e, 1, fmt, ap);
	va_end(ap);
	return -1;
}

int alog_err_prefix(struct alog_error *e, const char *fmt, ...)
{
	char old[sizeof e->msg];
	va_list ap;
	size_t n;

	if (!e)
		return -1;
	memcpy(old, e->msg, sizeof old);
	va_start(ap, fmt);
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
	va_end(ap);
	n = strlen(e->msg);
	snprintf(e->msg + n, sizeof e->msg - n, "%s", old);
	return -1;
}

int alog_err_at(struct alog_error *e, const char *file, uint64_t line)
{
	if (e) {
		if (file && file != e->filebuf) {
			snprintf(e->filebuf, sizeof e->filebuf, "%s", file);
			file = e->filebuf;
		}
		e->file = file;
		e->line = line;
	}
	return -1;
}

/*
 * Messages quote what they are about: file names and, through the
 * library's errors, bytes from logs and input that whoever writes them
 * chooses.  Every message goes to stderr made safe for a terminal (no
 * escape sequence, CR, LF, line separator or bidi control gets through),
 * so that no message can erase or fake another line.
 */
static void put_clean(const char *s, size_t n)
{
	char buf[4 * 1024];

	while (n) {
		size_t k = n > sizeof buf / 4 ? sizeof buf / 4 : n;
		/* never split a UTF-8 sequence between two pieces */
		while (k < n && k > 1 && ((unsigned char)s[k] & 0xc0) == 0x80)
			k--;
		size_t m = alog_term_clean(buf, s, k, 0);
		fwrite(buf, 1, m, stderr);
		s += k;
		n -= k;
	}
}

/* "prog: " + message + newline on stderr, after whatever stdout holds. */
__attribute__((format(printf, 1, 0)))
static void vwarn(const char *fmt, va_list ap)
{
	char msg[8192];
	int n;

	fflush(stdout);
	n = vsnprintf(msg, sizeof msg, fmt, ap);
	if (n < 0)
		n = 0;
	fprintf(stderr, "%s: ", alog_progname);
	put_clean(msg, (size_t)n < sizeof msg ? (size_t)n : sizeof msg - 1);
	fputc('\n', stderr);
}

__attribute__((format(printf, 1, 2)))
static void warn_line(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void alog_report(const struct alog_error *e)
{
	if (e->file && e->line)
		warn_line("%s:%llu: %s", e->file, (unsigned long long)e->line, e->msg);
	else if (e->file)
		warn_line("%s: %s", e->file, e->msg);
	else
		warn_line("%s", e->msg);
}

void alog_warnx(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void alog_die(int status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(status);
}

void alog_die_error(int status, const struct alog_error *e)
{
	alog_report(e);
	exit(status);
}

int alog_std_fds(void)
{
	for (int fd = 0; fd <= 2; fd++) {
		int nfd;
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		/* the lowest free descriptor: fd itself, as those below are open */
		nfd = open("/dev/null", O_RDWR);
		if (nfd < 0)
			return -1;
		if (nfd != fd) {
			int saved;
			if (dup2(nfd, fd) < 0) {
				saved = errno;
				close(nfd);
				errno = saved;
				return -1;
			}
			close(nfd);
		}
	}
	return 0;
}

void alog_cli_init(const char *name)
{
	alog_progname = name;
	if (alog_std_fds() != 0) {
		/* stderr may be the closed one: say it only if it is open */
		if (fcntl(2, F_GETFD) != -1)
			fprintf(stderr, "%s: cannot open /dev/null for a closed standard "
			        "descriptor: %s\n", name, strerror(errno));
		exit(ALOG_EXIT_ERR);
	}
	/* A closed pipe is reported by write(2) returning EPIPE, handled by callers. */
	signal(SIGPIPE, SIG_IGN);
}

void alog_usage_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n", alog_progname);
	exit(ALOG_EXIT_ERR);
}

/* Build the option table once: the tool's options plus help and version. */
static struct option *merged_longopts(const struct alog_cli *cli)
{
	static struct option *merged;
	static const struct alog_cli *for_cli;
	size_t n = 0;

	if (merged && for_cli == cli)
		return merged;
	free(merged);
	while (cli->longopts && cli->longopts[n].name)
		n++;
	merged = alog_xmalloc((n + 3) * sizeof *merged);
	if (n)
		memcpy(merged, cli->longopts, n * sizeof *merged);
	merged[n++] = (struct option){"help", no_argument, NULL, 'h'};
	merged[n++] = (struct option){"version", no_argument, NULL, ALOG_OPT_VERSION};
	merged[n] = (struct option){0, 0, 0, 0};
	for_cli = cli;
	return merged;
}

/*
 * The option getopt_long refused, when it is a long one: an option that
 * takes no argument given one ("--text=yes"), or a prefix of several
 * ("--str": --strict, --strict-time).  Returns when it is neither.
 */
static void long_option_error(const struct option *opts, const char *arg)
{
	const char *eq;
	size_t len, nmatch = 0;
	const struct option *first = NULL;
	char list[1024];
	size_t used = 0;

	if (!arg || strncmp(arg, "--", 2) != 0 || !arg[2])
		return;
	arg += 2;
	eq = strchr(arg, '=');
	len = eq ? (size_t)(eq - arg) : strlen(arg);
	for (const struct option *o = opts; o->name; o++)
		if (strlen(o->name) == len && strncmp(o->name, arg, len) == 0) {
			if (eq && o->has_arg == no_argument)
				alog_usage_error("option '--%s' does not take an argument", o->name);
			return;
		}
	list[0] = '\0';
	for (const struct option *o = opts; o->name; o++) {
		if (strncmp(o->name, arg, len) != 0)
			continue;
		/* another name of the option already listed is no ambiguity */
		if (first && o->has_arg == first->has_arg && o->flag == first->flag &&
		    o->val == first->val)
			continue;
		if (!first)
			first = o;
		nmatch++;
		used += (size_t)snprintf(list + used, used < sizeof list ? sizeof list - used : 0,
		                         "%s--%s", nmatch > 1 ? ", " : "", o->name);
		if (used >= sizeof list)
			used = sizeof list;
	}
	if (nmatch > 1)
		alog_usage_error("option '--%.*s' is ambiguous: it could be %s", (int)len, arg, list);
	if (nmatch == 1 && eq && first->has_arg == no_argument)
		alog_usage_error("option '--%s' does not take an argument", first->name);
}

int alog_cli_next(const struct alog_cli *cli, int argc, char **argv)
{
	char shortopts[128];
	int c;

	snprintf(shortopts, sizeof shortopts, ":h%s", cli->shortopts ? cli->shortopts : "");
	opterr = 0;
	c = getopt_long(argc, argv, shortopts, merged_longopts(cli), NULL);
	switch (c) {
	case 'h':
		fputs(cli->usage, stdout);
		alog_close_stdout();
		exit(ALOG_EXIT_OK);
	case ALOG_OPT_VERSION:
		printf("%s %s\n", cli->name, ALOG_VERSION);
		alog_close_stdout();
		exit(ALOG_EXIT_OK);
	case ':':
		if (optopt && optopt < 0x100)
			alog_usage_error("option '-%c' needs an argument", optopt);
		alog_usage_error("option '%s' needs an argument", argv[optind - 1]);
	case '?':
		long_option_error(merged_longopts(cli), argv[optind - 1]);
		if (optopt && optopt < 0x100)
			alog_usage_error("unknown option '-%c'", optopt);
		alog_usage_error("unknown option '%s'", argv[optind - 1]);
	default:
		return c;
	}
}

int alog_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	if (!s || !*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	if (v > max)
		return -1;
	*out = v;
	return 0;
}

static void oom(void)
{
	static const char msg[] = ": out of memory\n";
	if (write(2, alog_progname, strlen(alog_progname)) < 0 || write(2, msg, sizeof msg - 1) < 0) {
		/* nothing more we can say */
	}
	exit(ALOG_EXIT_ERR);
}

void *alog_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		oom();
	return p;
}

void *alog_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		oom();
	return p;
}

void *alog_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		oom();
	return q;
}

void alog_wipe_free(void *p, size_t n)
{
	if (p) {
		sodium_memzero(p, n);
		free(p);
	}
}

char *alog_xstrdup(const char *s)
{
	char *p = strdup(s);
	if (!p)
		oom();
	return p;
}

int alog_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t alog_pread_all(int fd, void *buf, size_t n, off_t off)
{
	char *p = buf;
	size_t got = 0;
	while (got < n) {
		ssize_t r = pread(fd, p + got, n - got, off + (off_t)got);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int alog_fsync_dir(const char *path)
{
	/* no allocation: this runs after a rename, where failing must stay simple */
	char copy[PATH_MAX];
	const char *dir;
	int fd, rc = -1, saved;

	if (strlen(path) >= sizeof copy) {
		errno = ENAMETOOLONG;
		return -1;
	}
	strcpy(copy, path);
	dir = dirname(copy);
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		rc = fsync(fd);
		saved = errno;
		close(fd);
		errno = saved;
	}
	return rc;
}

void alog_close_stdout(void)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (errno == EPIPE)
			exit(ALOG_EXIT_ERR);
		alog_die(ALOG_EXIT_ERR, "write error on standard output: %s", strerror(errno));
	}
}

const char *alog_input_name(const char *path)
{
	return (!path || strcmp(path, "-") == 0) ? "<stdin>" : path;
}

char *alog_read_file(const char *path, size_t max, size_t *len, struct alog_error *e)
{
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	size_t cap = 4096, n = 0;
	char *buf;

	if (fd < 0) {
		alog_errno(e, "cannot open");
		alog_err_at(e, path, 0);
		return NULL;
	}
	buf = alog_xmalloc(cap + 1);
	for (;;) {
		ssize_t r;
		if (n == cap) {
			if (cap >= max) {
				alog_err(e, "file too large (more than %zu bytes)", max);
				goto fail;
			}
			cap *= 2;
			buf = alog_xrealloc(buf, cap + 1);
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			alog_errno(e, "cannot read");
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (fd)
		close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
fail:
	if (fd)
		close(fd);
	free(buf);
	alog_err_at(e, path, 0);
	return NULL;
}

/* ---- reading the log ---- */

long alog_lock_wait_ms(long wait_ms)
{
	const char *env;
	uint64_t v;

	if (wait_ms < 0)
		return 0;
	if (wait_ms > 0)
		return wait_ms;
	env = getenv("ALOG_LOCK_WAIT");
	if (env && *env && alog_parse_u64(env, 86400 * 365, &v) == 0)
		return (long)v * 1000;
	return ALOG_LOCK_WAIT_DEFAULT * 1000L;
}

int alog_flock_wait(int fd, int op, long wait_ms)
{
	long left = alog_lock_wait_ms(wait_ms), nap = 1;

	for (;;) {
		struct timespec ts;
		if (flock(fd, op | LOCK_NB) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno != EWOULDBLOCK)
			return -1;
		if (left <= 0) {
			errno = EWOULDBLOCK;
			return -1;
		}
		/* short naps first (a writer's batch), then up to 50 ms */
		if (nap > left)
			nap = left;
		ts.tv_sec = 0;
		ts.tv_nsec = nap * 1000000L;
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
		left -= nap;
		if (nap < 50)
			nap *= 2;
	}
}

int alog_cpu_avx2(void)
{
	static int avx2 = -1;
	int v = __atomic_load_n(&avx2, __ATOMIC_RELAXED);

	if (v >= 0)
		return v;
	v = 0;
#if defined(ALOG_GLIBC_X86)
	/* what glibc found at start-up, the OS saving the AVX state included:
	 * cpuid traps to the hypervisor on a virtual machine (about 10 us a
	 * call on the machines the bench runs on), and every tool starts here */
	v = CPU_FEATURE_ACTIVE(AVX2) != 0;
#elif defined(__x86_64__) || defined(__i386__)
	{
		unsigned a, b, c, d, lo, hi;
		/* OSXSAVE and AVX, XCR0 saving the SSE and AVX state, then AVX2 */
		if (__get_cpuid_max(0, NULL) >= 7 && __get_cpuid(1, &a, &b, &c, &d) &&
		    (c & (1u << 27)) && (c & (1u << 28))) {
			__asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
			(void)hi;
			if ((lo & 6) == 6) {
				__cpuid_count(7, 0, a, b, c, d);
				v = (int)((b >> 5) & 1);
			}
		}
	}
#endif
	__atomic_store_n(&avx2, v, __ATOMIC_RELAXED);
	return v;
}

int alog_cpu_avx512bw(void)
{
	static int avx512 = -1;
	int v = __atomic_load_n(&avx512, __ATOMIC_RELAXED);

	if (v >= 0)
		return v;
	v = 0;
#if defined(ALOG_GLIBC_X86)
	/* "active": the CPU has it and the OS saves the opmask and ZMM state */
	v = CPU_FEATURE_ACTIVE(AVX512F) && CPU_FEATURE_ACTIVE(AVX512BW);
#elif defined(__x86_64__) || defined(__i386__)
	{
		unsigned a, b, c, d, lo, hi;
		/* OSXSAVE, XCR0 saving SSE, AVX, opmask and both ZMM halves, then F and BW */
		if (__get_cpuid_max(0, NULL) >= 7 && __get_cpuid(1, &a, &b, &c, &d) &&
		    (c & (1u << 27))) {
			__asm__("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
			(void)hi;
			if ((lo & 0xe6) == 0xe6) {
				__cpuid_count(7, 0, a, b, c, d);
				v = (b >> 16 & 1) && (b >> 30 & 1);
			}
		}
	}
#endif
	__atomic_store_n(&avx512, v, __ATOMIC_RELAXED);
	return v;
}

int alog_cpu_shani(void)
{
#if defined(ALOG_GLIBC_X86)
	/* glibc's start-up probe, as for alog_cpu_avx2 */
	return CPU_FEATURE_ACTIVE(SHA) && CPU_FEATURE_ACTIVE(SSSE3) && CPU_FEATURE_ACTIVE(SSE4_1);
#elif defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d))
		return 0;
	if (!(c & bit_SSE4_1) || !(c & bit_SSSE3))
		return 0;
	if (__get_cpuid_max(0, NULL) < 7)
		return 0;
	__cpuid_count(7, 0, a, b, c, d);
	return (b >> 29) & 1;
#else
	return 0;
#endif
}
