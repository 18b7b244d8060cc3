/*
 * util.h - error reporting, exit codes, option parsing and I/O helpers
 * shared by every alog tool.  The library never exits: it fills in a
 * struct alog_error and returns -1; only cmd/ decides how to end.
 */
#ifndef ALOG_UTIL_H
#define ALOG_UTIL_H

#include <getopt.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/* Exit statuses, the same in every tool. */
enum {
	ALOG_EXIT_OK = 0,   /* success (alog-grep: something matched) */
	ALOG_EXIT_FAIL = 1, /* verification failed / no match / damaged tail */
	ALOG_EXIT_ERR = 2,  /* usage, input or I/O error */
};

/*
 * An error as the library reports it: a message, and where known the
 * input name and line (1-based; 0 when not about a line).
 */
struct alog_error {
	char msg[512];
	const char *file; /* points into filebuf when set by alog_err_at */
	uint64_t line;
	int sys_errno; /* errno at the time, or 0 */
	char filebuf[512];
};

void alog_error_clear(struct alog_error *e);
/* Set the message (printf-style); returns -1 so callers can `return alog_err(...)`. */
int alog_err(struct alog_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Same, with ": strerror(errno)" appended. */
int alog_errno(struct alog_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Put "prefix" before the message already in e (printf-style); returns -1. */
int alog_err_prefix(struct alog_error *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Attach a location to an error already set (the name is copied). */
int alog_err_at(struct alog_error *e, const char *file, uint64_t line);

/* The running program's name ("alog-verify"), set by alog_cli_init. */
extern const char *alog_progname;

/* Print "prog: file:line: msg" (parts omitted when unknown) to stderr. */
void alog_report(const struct alog_error *e);
/* Print "prog: " + message to stderr. */
void alog_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print and exit with the given status. */
void alog_die(int status, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));
void alog_die_error(int status, const struct alog_error *e) __attribute__((noreturn));

/*
 * Option parsing shared by every tool: getopt_long with the same handling
 * of -h/--help, --version and bad options everywhere.
 */
struct alog_cli {
	const char *name;      /* program name */
	const char *usage;     /* full --help text (starts with "usage: ...") */
	const char *shortopts; /* getopt string, without 'h' */
	const struct option *longopts; /* terminated by a zero entry; may omit help/version */
};

/* Ids returned for the shared long options. */
enum { ALOG_OPT_VERSION = 0x1000, ALOG_OPT_BASE = 0x1100 };

/*
 * Make sure descriptors 0, 1 and 2 are open: each closed one is opened on
 * /dev/null (read-write), so no file a tool opens later can become its
 * standard input, output or error (and receive its messages, or be read as
 * its input).  0, or -1/errno when /dev/null cannot be opened.
 */
int alog_std_fds(void);
/*
 * The first call of every tool's main: alog_std_fds (exiting with status 2
 * if it fails), the program name for messages, SIGPIPE ignored.
 */
void alog_cli_init(const char *name);
/*
 * Returns the next option like getopt_long; handles --help (prints usage to
 * stdout, exits 0), --version (exits 0) and unknown/missing-argument options
 * (one line to stderr, exits 2) itself.  Returns -1 at the end of options.
 */
int alog_cli_next(const struct alog_cli *cli, int argc, char **argv);
/* Report a usage error ("prog: msg" + "Try 'prog --help'.") and exit 2. */
void alog_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* Parse a non-negative decimal integer; -1 if not a number or out of range. */
int alog_parse_u64(const char *s, uint64_t max, uint64_t *out);

/* Memory: abort with a message on exhaustion (the tools cannot go on). */
void *alog_xmalloc(size_t n);
void *alog_xrealloc(void *p, size_t n);
void *alog_xcalloc(size_t n, size_t size);
char *alog_xstrdup(const char *s);
/* Overwrite n bytes at p with zeros (in a way the compiler keeps), then free p; NULL is fine. */
void alog_wipe_free(void *p, size_t n);

/* Write all of buf, retrying on EINTR and short writes. 0 or -1/errno. */
int alog_write_all(int fd, const void *buf, size_t n);
/* pread all of n bytes at off; returns bytes read (short only at EOF) or -1. */
ssize_t alog_pread_all(int fd, void *buf, size_t n, off_t off);
/* fsync the directory holding path. 0 or -1/errno. */
int alog_fsync_dir(const char *path);

/*
 * Locks that a reader cannot hold against a writer forever: flock(fd, op)
 * (LOCK_SH or LOCK_EX), waiting at most wait_ms milliseconds (0: the
 * default, $ALOG_LOCK_WAIT seconds or ALOG_LOCK_WAIT_DEFAULT; negative:
 * do not wait).  0 locked; -1 with errno EWOULDBLOCK when the wait ran
 * out, another errno on error.
 */
#define ALOG_LOCK_WAIT_DEFAULT 60
int alog_flock_wait(int fd, int op, long wait_ms);
/* The wait alog_flock_wait uses for wait_ms (milliseconds, >= 0). */
long alog_lock_wait_ms(long wait_ms);
/* Flush stdout and fail (status 2) if the write failed (EPIPE is quiet). */
void alog_close_stdout(void);

/* Read a whole small file ("-": standard input; at most max bytes), NUL-terminated. */
char *alog_read_file(const char *path, size_t max, size_t *len, struct alog_error *e);

/* The display name for an input: "<stdin>" for NULL or "-". */
const char *alog_input_name(const char *path);

#define ALOG_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * 1 when the CPU has AVX2 and the OS saves its registers (x86), asked
 * of the CPU on the first call: __builtin_cpu_supports would link libgcc's
 * start-up probe, a dozen cpuid instructions in every run of every tool
 * (each a trap to the hypervisor on a virtual machine, ~12 us here).
 */
int alog_cpu_avx2(void);
/* AVX-512 F and BW, usable (the OS saves their state). */
int alog_cpu_avx512bw(void);
/* Does the CPU have the SHA extensions (with SSSE3 and SSE4.1)?  x86 only. */
int alog_cpu_shani(void);

#endif
