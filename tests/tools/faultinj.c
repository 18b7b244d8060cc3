/*
 * faultinj.c - an LD_PRELOAD shim that makes the N-th call of one kind
 * fail, for the fault and crash harnesses (tests/harness/faults.py,
 * crash.py).  Set FAULTINJ=OP:N:ACTION, where OP is open, read, write,
 * pwrite, fsync, fdatasync, rename, link, unlink, ftruncate, close or
 * malloc, or sync (fsync and fdatasync), or any (every call that changes a
 * file: open, write, pwrite, fsync, fdatasync, rename, link, unlink,
 * ftruncate, close); ACTION is eio, enospc, eintr, short (half the bytes),
 * null (malloc), kill (SIGKILL instead of the call), killafter (SIGKILL
 * right after it), stop (SIGSTOP before the call, which is then made as
 * usual once the process is continued: a test changes a file at that
 * moment) or delay (the call waits FAULTINJ_DELAY_MS, then is made as
 * usual and returns its own result).  FAULTINJ_LOG names a file that gets
 * "OP N ACTION" appended when the fault fires, so a harness knows whether
 * it did; FAULTINJ_COUNT names a file that gets the number of calls of
 * each kind at exit ("OP COUNT" lines), so a harness knows how many N to
 * try.  FAULTINJ_DELAY_MS makes the faulty call wait that long first,
 * while the process's other threads go on; for fsync and fdatasync the
 * FAULTINJ_LOG line then also gives the file's size before and after the
 * wait ("fdatasync 2 eio size 100 300").  Calls are counted across threads.
 *
 * A second fault goes in FAULTINJ2 (with FAULTINJ2_DELAY_MS), counted on
 * its own, so that one call can be slow while another fails:
 * FAULTINJ=fdatasync:2:eio with FAULTINJ2=write:3:delay.  A call due for
 * both takes the first's action.  FAULTINJ_FILE (FAULTINJ2_FILE) limits a
 * fault to the calls on a descriptor (read, pread, write, pwrite, fsync,
 * fdatasync) open on a file of that name (the last part of its path): the
 * others are not counted for it.  For read, pread, write and pwrite the
 * size in the FAULTINJ_LOG line is then given too; a delay's line is
 * appended once the call has returned, with the file's size when the wait
 * began and after the call ("write 3 delay size 300 500").
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

enum act { A_NONE, A_EIO, A_ENOSPC, A_EINTR, A_SHORT, A_NULL, A_KILL, A_KILLAFTER, A_STOP,
           A_DELAY };

static const char *const act_names[] = {"none", "eio",       "enospc", "eintr", "short", "null",
                                        "kill", "killafter", "stop",   "delay", NULL};

/* One fault: FAULTINJ, or FAULTINJ2. */
struct spec {
	char op[16];
	unsigned long n;
	enum act act;
	unsigned long delay_ms;
	char file[256]; /* only calls on a descriptor open on a file of this name count ("": all) */
	unsigned long count;
	int fired;
};

static int ready;
static struct spec specs[2];

/* The delay being made by this thread's call: its line is written once the call returns. */
static __thread struct spec *delaying;
static __thread const char *delaying_op;
static __thread int delaying_fd;
static __thread long long delaying_before;

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);

static void parse(struct spec *sp, const char *var, const char *delay_var, const char *file_var)
{
	const char *s = getenv(var);
	char act[16];

	if (!s || sscanf(s, "%15[a-z]:%lu:%15[a-z]", sp->op, &sp->n, act) != 3)
		return;
	s = getenv(delay_var);
	if (s)
		sp->delay_ms = strtoul(s, NULL, 10);
	s = getenv(file_var);
	if (s)
		snprintf(sp->file, sizeof sp->file, "%s", s);
	for (int i = 1; act_names[i]; i++)
		if (!strcmp(act, act_names[i]))
			sp->act = (enum act)i;
}

static void init(void)
{
	if (ready)
		return;
	ready = 1;
	parse(&specs[0], "FAULTINJ", "FAULTINJ_DELAY_MS", "FAULTINJ_FILE");
	parse(&specs[1], "FAULTINJ2", "FAULTINJ2_DELAY_MS", "FAULTINJ2_FILE");
}

static const char *const ops[] = {"open", "read", "write", "pwrite", "fsync", "fdatasync",
                                  "rename", "link", "unlink", "ftruncate", "close", "malloc",
                                  NULL};
static unsigned long calls[16];

static void tally(const char *op)
{
	for (int i = 0; ops[i]; i++)
		if (!strcmp(ops[i], op)) {
			__atomic_add_fetch(&calls[i], 1, __ATOMIC_RELAXED);
			return;
		}
}

static const char *const changing[] = {"open", "write", "pwrite", "fsync", "fdatasync", "rename",
                                       "link", "unlink", "ftruncate", "close", NULL};

static int matches(const struct spec *sp, const char *op)
{
	if (!strcmp(sp->op, op))
		return 1;
	if (!strcmp(sp->op, "sync"))
		return !strcmp(op, "fsync") || !strcmp(op, "fdatasync");
	if (!strcmp(sp->op, "any"))
		for (const char *const *c = changing; *c; c++)
			if (!strcmp(*c, op))
				return 1;
	return 0;
}

/* fd is open on a file whose name (the last part of its path) is name. */
static int named(int fd, const char *name)
{
	char link[64], path[4096];
	const char *base;
	ssize_t n;

	if (fd < 0)
		return 0;
	snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof path - 1);
	if (n <= 0)
		return 0;
	path[n] = '\0';
	base = strrchr(path, '/');
	return !strcmp(base ? base + 1 : path, name);
}

/* The size of the file open as fd, -1 if none. */
static long long fd_size(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
}

static void note(const struct spec *sp, const char *op, long long before, long long after)
{
	const char *path = getenv("FAULTINJ_LOG");
	char line[120];
	int fd, n;

	if (!path)
		return;
	if (before >= 0)
		n = snprintf(line, sizeof line, "%s %lu %s size %lld %lld\n", op, sp->n,
		             act_names[sp->act], before, after);
	else
		n = snprintf(line, sizeof line, "%s %lu %s\n", op, sp->n, act_names[sp->act]);
	fd = (int)syscall(SYS_open, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (syscall(SYS_write, fd, line, (size_t)n) < 0) {
			/* nothing to do */
		}
		syscall(SYS_close, fd);
	}
}

/* This call is the one the fault is for (counted if it may be). */
static int due(struct spec *sp, const char *op, int fd)
{
	if (__atomic_load_n(&sp->fired, __ATOMIC_ACQUIRE) || sp->act == A_NONE || !matches(sp, op))
		return 0;
	if (sp->file[0] && !named(fd, sp->file))
		return 0;
	return __atomic_add_fetch(&sp->count, 1, __ATOMIC_ACQ_REL) == sp->n;
}

/*
 * 0: do the call; otherwise the action to take instead of (or after) it.
 * fd: the call's file descriptor, -1 if none.
 */
static enum act hit_fd(const char *op, int fd)
{
	struct spec *sp = NULL;
	long long before;
	int sized = fd >= 0 && (!strcmp(op, "fsync") || !strcmp(op, "fdatasync"));

	init();
	tally(op);
	for (int i = 0; i < 2; i++)
		if (due(&specs[i], op, fd) && !sp)
			sp = &specs[i];
	if (!sp)
		return A_NONE;
	__atomic_store_n(&sp->fired, 1, __ATOMIC_RELEASE);
	sized |= sp->file[0] && fd >= 0;
	before = sized ? fd_size(fd) : -1;
	if (sp->delay_ms) {
		struct timespec ts = {(time_t)(sp->delay_ms / 1000),
		                      (long)(sp->delay_ms % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	if (sp->act == A_DELAY) {
		/* the line once the call has returned (done) */
		delaying = sp;
		delaying_op = op;
		delaying_fd = fd;
		delaying_before = before;
		return A_DELAY;
	}
	note(sp, op, before, sized ? fd_size(fd) : -1);
	if (sp->act == A_KILL)
		raise(SIGKILL);
	if (sp->act == A_STOP) {
		raise(SIGSTOP);
		return A_NONE;
	}
	return sp->act;
}

static enum act hit(const char *op)
{
	return hit_fd(op, -1);
}

/* A delayed call has returned. */
static void done(void)
{
	struct spec *sp = delaying;

	delaying = NULL;
	note(sp, delaying_op, delaying_before, delaying_before >= 0 ? fd_size(delaying_fd) : -1);
}

/* The call is made (the action, if any, comes before or after it). */
static int passes(enum act a)
{
	return a == A_NONE || a == A_KILLAFTER || a == A_SHORT || a == A_NULL || a == A_DELAY;
}

static int fail(enum act a)
{
	errno = a == A_ENOSPC ? ENOSPC : a == A_EINTR ? EINTR : EIO;
	return -1;
}

#define REAL(ret, name, ...)                                                                   \
	static ret (*real_##name)(__VA_ARGS__);                                                \
	if (!real_##name)                                                                      \
		*(void **)&real_##name = dlsym(RTLD_NEXT, #name)

#define AFTER(a, rc)                                                                           \
	do {                                                                                   \
		if ((a) == A_KILLAFTER)                                                        \
			raise(SIGKILL);                                                        \
		if ((a) == A_DELAY)                                                            \
			done();                                                                \
		return rc;                                                                     \
	} while (0)

static int do_open(const char *op, int (*real)(const char *, int, ...), const char *path,
                   int flags, mode_t mode)
{
	enum act a = hit(op);
	int rc;
	if (!passes(a))
		return fail(a);
	rc = real(path, flags, mode);
	AFTER(a, rc);
}

int open(const char *path, int flags, ...)
{
	mode_t mode = 0;
	REAL(int, open, const char *, int, ...);
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return do_open("open", real_open, path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	mode_t mode = 0;
	REAL(int, open64, const char *, int, ...);
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	return do_open("open", real_open64, path, flags, mode);
}

int __open_2(const char *path, int flags);
int __open_2(const char *path, int flags)
{
	REAL(int, open, const char *, int, ...);
	return do_open("open", real_open, path, flags, 0);
}

int __open64_2(const char *path, int flags);
int __open64_2(const char *path, int flags)
{
	REAL(int, open64, const char *, int, ...);
	return do_open("open", real_open64, path, flags, 0);
}

int openat(int dir, const char *path, int flags, ...)
{
	mode_t mode = 0;
	enum act a;
	int rc;
	REAL(int, openat, int, const char *, int, ...);
	if (flags & (O_CREAT | O_TMPFILE)) {
		va_list ap;
		va_start(ap, flags);
		mode = va_arg(ap, mode_t);
		va_end(ap);
	}
	a = hit("open");
	if (!passes(a))
		return fail(a);
	rc = real_openat(dir, path, flags, mode);
	AFTER(a, rc);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	enum act a;
	ssize_t rc;
	REAL(ssize_t, write, int, const void *, size_t);
	a = hit_fd("write", fd);
	if (a == A_SHORT && n > 1)
		n /= 2;
	else if (!passes(a))
		return fail(a);
	rc = real_write(fd, buf, n);
	AFTER(a, rc);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	enum act a;
	ssize_t rc;
	REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
	a = hit_fd("pwrite", fd);
	if (a == A_SHORT && n > 1)
		n /= 2;
	else if (!passes(a))
		return fail(a);
	rc = real_pwrite(fd, buf, n, off);
	AFTER(a, rc);
}

ssize_t pwrite64(int fd, const void *buf, size_t n, off_t off)
{
	return pwrite(fd, buf, n, off);
}

ssize_t read(int fd, void *buf, size_t n)
{
	enum act a;
	ssize_t rc;
	REAL(ssize_t, read, int, void *, size_t);
	a = hit_fd("read", fd);
	if (a == A_SHORT && n > 1)
		n /= 2;
	else if (!passes(a))
		return fail(a);
	rc = real_read(fd, buf, n);
	AFTER(a, rc);
}

ssize_t __read_chk(int fd, void *buf, size_t n, size_t cap);
ssize_t __read_chk(int fd, void *buf, size_t n, size_t cap)
{
	(void)cap;
	return read(fd, buf, n);
}

ssize_t pread(int fd, void *buf, size_t n, off_t off)
{
	enum act a;
	ssize_t rc;
	REAL(ssize_t, pread, int, void *, size_t, off_t);
	a = hit_fd("read", fd);
	if (a == A_SHORT && n > 1)
		n /= 2;
	else if (!passes(a))
		return fail(a);
	rc = real_pread(fd, buf, n, off);
	AFTER(a, rc);
}

ssize_t pread64(int fd, void *buf, size_t n, off_t off)
{
	return pread(fd, buf, n, off);
}

ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t cap);
ssize_t __pread_chk(int fd, void *buf, size_t n, off_t off, size_t cap)
{
	(void)cap;
	return pread(fd, buf, n, off);
}

ssize_t __pread64_chk(int fd, void *buf, size_t n, off_t off, size_t cap);
ssize_t __pread64_chk(int fd, void *buf, size_t n, off_t off, size_t cap)
{
	(void)cap;
	return pread(fd, buf, n, off);
}

#define SIMPLE(name, op, params, args)                                                          \
	int name params                                                                        \
	{                                                                                      \
		enum act a;                                                                    \
		int rc;                                                                        \
		static int(*real) params;                                                      \
		if (!real)                                                                     \
			*(void **)&real = dlsym(RTLD_NEXT, #name);                             \
		a = hit(op);                                                                   \
		if (!passes(a))                                                                \
			return fail(a);                                                        \
		rc = real args;                                                                \
		AFTER(a, rc);                                                                  \
	}

#define SYNC(name)                                                                             \
	int name(int fd)                                                                       \
	{                                                                                      \
		enum act a;                                                                    \
		int rc;                                                                        \
		static int (*real)(int);                                                       \
		if (!real)                                                                     \
			*(void **)&real = dlsym(RTLD_NEXT, #name);                             \
		a = hit_fd(#name, fd);                                                         \
		if (!passes(a))                                                                \
			return fail(a);                                                        \
		rc = real(fd);                                                                 \
		AFTER(a, rc);                                                                  \
	}

SYNC(fsync)
SYNC(fdatasync)
SIMPLE(rename, "rename", (const char *a1, const char *a2), (a1, a2))
SIMPLE(renameat, "rename", (int d1, const char *a1, int d2, const char *a2), (d1, a1, d2, a2))
SIMPLE(link, "link", (const char *a1, const char *a2), (a1, a2))
SIMPLE(linkat, "link", (int d1, const char *a1, int d2, const char *a2, int f),
       (d1, a1, d2, a2, f))
SIMPLE(unlink, "unlink", (const char *p), (p))
SIMPLE(ftruncate, "ftruncate", (int fd, off_t n), (fd, n))
SIMPLE(ftruncate64, "ftruncate", (int fd, off_t n), (fd, n))

int close(int fd)
{
	enum act a;
	int rc;
	static int (*real)(int);
	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "close");
	a = hit("close");
	if (!passes(a)) {
		/* Like Linux: the descriptor is gone even when close reports an error. */
		real(fd);
		return fail(a);
	}
	rc = real(fd);
	AFTER(a, rc);
}

void *malloc(size_t n)
{
	enum act a = ready ? hit("malloc") : A_NONE;

	if (a == A_NULL || a == A_EIO || a == A_ENOSPC) {
		errno = ENOMEM;
		return NULL;
	}
	void *r = __libc_malloc(n);
	if (a == A_DELAY)
		done();
	return r;
}

void *calloc(size_t n, size_t m)
{
	enum act a = ready ? hit("malloc") : A_NONE;

	if (a == A_NULL || a == A_EIO || a == A_ENOSPC) {
		errno = ENOMEM;
		return NULL;
	}
	void *r = __libc_calloc(n, m);
	if (a == A_DELAY)
		done();
	return r;
}

void *realloc(void *p, size_t n)
{
	enum act a = ready ? hit("malloc") : A_NONE;

	if (a == A_NULL || a == A_EIO || a == A_ENOSPC) {
		errno = ENOMEM;
		return NULL;
	}
	void *r = __libc_realloc(p, n);
	if (a == A_DELAY)
		done();
	return r;
}

__attribute__((constructor)) static void faultinj_start(void)
{
	init();
}

__attribute__((destructor)) static void faultinj_end(void)
{
	const char *path = getenv("FAULTINJ_COUNT");
	char line[64];
	int fd;

	if (!path)
		return;
	fd = (int)syscall(SYS_open, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return;
	for (int i = 0; ops[i]; i++) {
		int n = snprintf(line, sizeof line, "%s %lu\n", ops[i], calls[i]);
		if (syscall(SYS_write, fd, line, (size_t)n) < 0)
			break;
	}
	syscall(SYS_close, fd);
}
