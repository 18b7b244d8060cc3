/*
 * faultinj.c - an LD_PRELOAD shim that makes the N-th call of one kind
 * fail, for the fault and crash harnesses (tests/harness/faults.py,
 * crash.py).  Set FAULTINJ=OP:N:ACTION, where OP is open, read, write,
 * pwrite, fsync, fdatasync, rename, link, unlink, ftruncate, close or
 * malloc, or sync (fsync and fdatasync), or any (every call that changes a
 * file: open, write, pwrite, fsync, fdatasync, rename, link, unlink,
 * ftruncate, close); ACTION is eio, enospc, eintr, short (half the bytes),
 * null (malloc), kill (SIGKILL instead of the call), killafter (SIGKILL
 * right after it) or stop (SIGSTOP before the call, which is then made as
 * usual once the process is continued: a test changes a file at that
 * moment).  FAULTINJ_LOG names a file that gets "OP N ACTION"
 * appended when the fault fires, so a harness knows whether it did;
 * FAULTINJ_COUNT names a file that gets the number of calls of each kind
 * at exit ("OP COUNT" lines), so a harness knows how many N to try.
 * FAULTINJ_DELAY_MS makes the faulty call wait that long first, while the
 * process's other threads go on; for fsync and fdatasync the FAULTINJ_LOG
 * line then also gives the file's size before and after the wait
 * ("fdatasync 2 eio size 100 300").  Calls are counted across threads.
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

enum act { A_NONE, A_EIO, A_ENOSPC, A_EINTR, A_SHORT, A_NULL, A_KILL, A_KILLAFTER, A_STOP };

static int ready;
static char want_op[16];
static unsigned long want_n;
static enum act want_act;
static unsigned long delay_ms;
static unsigned long count;
static int fired;

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t m);
void *__libc_realloc(void *p, size_t n);

static void init(void)
{
	const char *s;
	char act[16];

	if (ready)
		return;
	ready = 1;
	s = getenv("FAULTINJ");
	if (!s || sscanf(s, "%15[a-z]:%lu:%15[a-z]", want_op, &want_n, act) != 3)
		return;
	s = getenv("FAULTINJ_DELAY_MS");
	if (s)
		delay_ms = strtoul(s, NULL, 10);
	if (!strcmp(act, "eio"))
		want_act = A_EIO;
	else if (!strcmp(act, "enospc"))
		want_act = A_ENOSPC;
	else if (!strcmp(act, "eintr"))
		want_act = A_EINTR;
	else if (!strcmp(act, "short"))
		want_act = A_SHORT;
	else if (!strcmp(act, "null"))
		want_act = A_NULL;
	else if (!strcmp(act, "kill"))
		want_act = A_KILL;
	else if (!strcmp(act, "killafter"))
		want_act = A_KILLAFTER;
	else if (!strcmp(act, "stop"))
		want_act = A_STOP;
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

static int matches(const char *op)
{
	if (!strcmp(want_op, op))
		return 1;
	if (!strcmp(want_op, "sync"))
		return !strcmp(op, "fsync") || !strcmp(op, "fdatasync");
	if (!strcmp(want_op, "any"))
		for (const char *const *c = changing; *c; c++)
			if (!strcmp(*c, op))
				return 1;
	return 0;
}

/* The size of the file open as fd, -1 if none. */
static long long fd_size(int fd)
{
	struct stat st;

	return fd >= 0 && fstat(fd, &st) == 0 ? (long long)st.st_size : -1;
}

static void note(const char *op, long long before, long long after)
{
	static const char *const names[] = {"none", "eio", "enospc", "eintr", "short",
	                                    "null", "kill", "killafter", "stop"};
	const char *path = getenv("FAULTINJ_LOG");
	char line[120];
	int fd, n;

	if (!path)
		return;
	if (before >= 0)
		n = snprintf(line, sizeof line, "%s %lu %s size %lld %lld\n", op, want_n,
		             names[want_act], before, after);
	else
		n = snprintf(line, sizeof line, "%s %lu %s\n", op, want_n, names[want_act]);
	fd = (int)syscall(SYS_open, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (syscall(SYS_write, fd, line, (size_t)n) < 0) {
			/* nothing to do */
		}
		syscall(SYS_close, fd);
	}
}

/*
 * 0: do the call; otherwise the action to take instead of (or after) it.
 * fd: the call's file descriptor, -1 if none.
 */
static enum act hit_fd(const char *op, int fd)
{
	long long before;

	init();
	tally(op);
	if (__atomic_load_n(&fired, __ATOMIC_ACQUIRE) || want_act == A_NONE || !matches(op))
		return A_NONE;
	if (__atomic_add_fetch(&count, 1, __ATOMIC_ACQ_REL) != want_n)
		return A_NONE;
	__atomic_store_n(&fired, 1, __ATOMIC_RELEASE);
	before = fd_size(fd);
	if (delay_ms) {
		struct timespec ts = {(time_t)(delay_ms / 1000), (long)(delay_ms % 1000) * 1000000L};
		while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
			;
	}
	note(op, before, fd_size(fd));
	if (want_act == A_KILL)
		raise(SIGKILL);
	if (want_act == A_STOP) {
		raise(SIGSTOP);
		return A_NONE;
	}
	return want_act;
}

static enum act hit(const char *op)
{
	return hit_fd(op, -1);
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
		return rc;                                                                     \
	} while (0)

static int do_open(const char *op, int (*real)(const char *, int, ...), const char *path,
                   int flags, mode_t mode)
{
	enum act a = hit(op);
	int rc;
	if (a != A_NONE && a != A_KILLAFTER && a != A_SHORT && a != A_NULL)
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
	if (a != A_NONE && a != A_KILLAFTER && a != A_SHORT && a != A_NULL)
		return fail(a);
	rc = real_openat(dir, path, flags, mode);
	AFTER(a, rc);
}

ssize_t write(int fd, const void *buf, size_t n)
{
	enum act a;
	ssize_t rc;
	REAL(ssize_t, write, int, const void *, size_t);
	a = hit("write");
	if (a == A_SHORT && n > 1)
		n /= 2;
	else if (a != A_NONE && a != A_KILLAFTER && a != A_SHORT)
		return fail(a);
	rc = real_write(fd, buf, n);
	AFTER(a, rc);
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
	enum act a;
	ssize_t rc;
	REAL(ssize_t, pwrite, int, const void *, size_t, off_t);
	a = hit("pwrite");
	if (a == A_SHORT && n > 1)
		n /= 2;
	else if (a != A_NONE && a != A_KILLAFTER && a != A_SHORT)
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
	a = hit("read");
	if (a == A_SHORT && n > 1)
		n /= 2;
	else if (a != A_NONE && a != A_KILLAFTER && a != A_SHORT)
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
	a = hit("read");
	if (a == A_SHORT && n > 1)
		n /= 2;
	else if (a != A_NONE && a != A_KILLAFTER && a != A_SHORT)
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
		if (a != A_NONE && a != A_KILLAFTER && a != A_SHORT && a != A_NULL)            \
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
		if (a != A_NONE && a != A_KILLAFTER && a != A_SHORT && a != A_NULL)            \
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
	if (a != A_NONE && a != A_KILLAFTER && a != A_SHORT && a != A_NULL) {
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
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t m)
{
	enum act a = ready ? hit("malloc") : A_NONE;
	if (a == A_NULL || a == A_EIO || a == A_ENOSPC) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_calloc(n, m);
}

void *realloc(void *p, size_t n)
{
	enum act a = ready ? hit("malloc") : A_NONE;
	if (a == A_NULL || a == A_EIO || a == A_ENOSPC) {
		errno = ENOMEM;
		return NULL;
	}
	return __libc_realloc(p, n);
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
