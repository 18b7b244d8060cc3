/*
 * test_pinhint.c - the user.alog.pin hint: used when it holds, ignored
 * when stale, pointing at a changed record, copied from another file or
 * forged, and never a different policy than the records allow; each
 * answer is checked against a search of the whole file without the hint.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/enc.h"
#include "format/header.h"
#include "log/writer.h"
#include "t.h"

#define XA "user.alog.pin"

static struct alog_policy_ref P1, P2, P3;
static int have_xattr;

static void ref_init(struct alog_policy_ref *r, int k)
{
	memset(r, 0, sizeof *r);
	memset(r->sha256, k, 32);
	snprintf(r->file, sizeof r->file, "/etc/alog/p%d.json", k);
}

struct state {
	int pinned;
	struct alog_policy_ref ref;
	uint64_t read;
};

/* The policy in force as a writer finds it (with whatever hint the file has). */
static struct state look(const char *path)
{
	struct alog_writer_opts o = {.origin = "test/pin", .sync = ALOG_SYNC_NONE, .no_create = 1};
	struct alog_error e;
	struct alog_writer *w = alog_writer_open(path, &o, &e);
	struct state s;

	memset(&s, 0, sizeof s);
	s.pinned = -1;
	if (!w || alog_writer_lock(w, &e) != 0 || alog_writer_policy(w, &s.pinned, &s.ref, &e) != 0)
		s.pinned = -1;
	if (w)
		s.read = alog_writer_pin_read(w);
	alog_writer_close(w);
	if (s.pinned == 0)
		memset(&s.ref, 0, sizeof s.ref);
	return s;
}

/* The same without the hint: the reference (the hint is put back after). */
static struct state look_full(const char *path)
{
	char saved[256];
	ssize_t n = getxattr(path, XA, saved, sizeof saved);
	struct state s;

	if (n > 0)
		removexattr(path, XA);
	s = look(path);
	if (n > 0)
		setxattr(path, XA, saved, (size_t)n, 0);
	return s;
}

static int same(struct state a, struct state b)
{
	return a.pinned == b.pinned && (!a.pinned || memcmp(&a.ref, &b.ref, sizeof a.ref) == 0);
}

/*
 * Append members; aware: as alog-append does (the policy looked up under
 * the lock, the hint written after the commit), else as a writer that
 * knows nothing of hints.
 */
static void append(const char *path, const char *members, int aware,
                   const struct alog_policy_ref *created_with)
{
	struct alog_writer_opts o = {.origin = "test/pin", .sync = ALOG_SYNC_NONE,
	                             .policy = created_with};
	struct alog_error e;
	struct alog_writer *w = alog_writer_open(path, &o, &e);
	struct alog_policy_ref r;
	int pinned;

	CHECK(w != NULL);
	if (!w)
		return;
	CHECK(alog_writer_lock(w, &e) == 0);
	if (aware)
		CHECK(alog_writer_policy(w, &pinned, &r, &e) == 0);
	CHECK(alog_writer_add(w, NULL, members, strlen(members), &e) == 0);
	CHECK(alog_writer_commit(w, &e) == 0);
	alog_writer_close(w);
}

static void change(const char *path, const struct alog_policy_ref *to, int aware)
{
	char m[3000];
	size_t n = (size_t)snprintf(m, sizeof m, ",\"action\":\"alog.policy_change\",\"alog\":"
	                                         "{\"policy_change\":");
	if (to)
		n += alog_policy_ref_format(m + n, sizeof m - n, to);
	else
		n += (size_t)snprintf(m + n, sizeof m - n, "null");
	snprintf(m + n, sizeof m - n, "}");
	append(path, m, aware, NULL);
}

static uint64_t size_of(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* Offset of the start of the line holding text (the first one). */
static uint64_t line_of(const char *path, const char *text)
{
	uint64_t n = size_of(path), at = 0;
	char *buf = malloc(n + 1), *m;
	int fd = open(path, O_RDONLY);

	CHECK(fd >= 0 && read(fd, buf, n) == (ssize_t)n);
	close(fd);
	buf[n] = '\0';
	m = strstr(buf, text);
	if (m) {
		while (m > buf && m[-1] != '\n')
			m--;
		at = (uint64_t)(m - buf);
	}
	free(buf);
	return at;
}

/* A hint as a writer would leave it, with the fields given. */
static void forge(const char *path, unsigned long long ino, uint64_t end, const char *hashhex,
                  uint64_t at)
{
	char v[256];
	int n = snprintf(v, sizeof v, "1 %llu %llu %s %llu", ino, (unsigned long long)end,
	                 hashhex, (unsigned long long)at);
	CHECK(setxattr(path, XA, v, (size_t)n, 0) == 0);
}

static void hint_fields(const char *path, unsigned long long *ino, uint64_t *end, char *hex,
                        uint64_t *at)
{
	char v[256];
	unsigned long long e = 0, a = 0;
	ssize_t n = getxattr(path, XA, v, sizeof v - 1);

	*ino = 0;
	hex[0] = '\0';
	if (n > 0) {
		v[n] = '\0';
		CHECK(sscanf(v, "1 %llu %llu %64s %llu", ino, &e, hex, &a) == 4);
	}
	*end = e;
	*at = a;
}

static void copy_file(const char *from, const char *to, int with_hint)
{
	uint64_t n = size_of(from);
	char *buf = malloc(n ? n : 1), v[256];
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	ssize_t vn;

	CHECK(in >= 0 && out >= 0 && read(in, buf, n) == (ssize_t)n && write(out, buf, n) == (ssize_t)n);
	if (with_hint && (vn = fgetxattr(in, XA, v, sizeof v)) > 0)
		CHECK(fsetxattr(out, XA, v, (size_t)vn, 0) == 0);
	close(in);
	close(out);
	free(buf);
}

static void run(const char *dir)
{
	char path[512], other[512], hex[65];
	struct state s, f;
	unsigned long long ino;
	uint64_t end, at, size;

	snprintf(path, sizeof path, "%s/pin.alog", dir);
	snprintf(other, sizeof other, "%s/copy.alog", dir);
	unlink(path);
	unlink(other);

	/* a log pinned by its header, grown by aware writers: the hint is used */
	append(path, ",\"actor\":\"a\",\"action\":\"first\"", 1, &P1);
	for (int i = 0; i < 200; i++)
		append(path, ",\"actor\":\"a\",\"action\":\"grow\"", 1, NULL);
	s = look(path);
	f = look_full(path);
	CHECK(s.pinned == 1 && same(s, f));
	CHECK(f.read > 10000);
	if (have_xattr)
		CHECK(s.read == 0);

	/* policy change, then appends: the hint names the change record */
	change(path, &P2, 1);
	append(path, ",\"actor\":\"a\",\"action\":\"after\"", 1, NULL);
	s = look(path);
	f = look_full(path);
	CHECK(s.pinned == 1 && memcmp(&s.ref, &P2, sizeof P2) == 0 && same(s, f));
	if (have_xattr) {
		hint_fields(path, &ino, &end, hex, &at);
		CHECK(end == size_of(path) && at == line_of(path, "\"policy_change\""));
		CHECK(s.read > 0 && s.read < 1000); /* the change record only */
	}

	/* stale: writers that leave the hint alone appended, a change among them */
	for (int i = 0; i < 50; i++)
		append(path, ",\"actor\":\"b\",\"action\":\"unaware\"", 0, NULL);
	change(path, &P3, 0);
	append(path, ",\"actor\":\"b\",\"action\":\"unaware\"", 0, NULL);
	size = size_of(path);
	s = look(path);
	f = look_full(path);
	CHECK(s.pinned == 1 && memcmp(&s.ref, &P3, sizeof P3) == 0 && same(s, f));
	if (have_xattr)
		CHECK(s.read < size - end + 1000 && s.read < f.read / 2);

	/* a change to no policy, found through the hint */
	change(path, NULL, 1);
	append(path, ",\"actor\":\"c\",\"action\":\"unpinned\"", 1, NULL);
	s = look(path);
	f = look_full(path);
	CHECK(s.pinned == 0 && same(s, f));

	/* back to P1, then a hint whose record was changed: ignored */
	change(path, &P1, 1);
	append(path, ",\"actor\":\"c\",\"action\":\"x\"", 1, NULL);
	if (have_xattr) {
		hint_fields(path, &ino, &end, hex, &at);
		hex[0] = hex[0] == 'a' ? 'b' : 'a';
		forge(path, ino, end, hex, at);
		s = look(path);
		f = look_full(path);
		CHECK(same(s, f) && s.pinned == 1 && memcmp(&s.ref, &P1, sizeof P1) == 0);
		CHECK(s.read >= f.read);
	}

	/* the hint on a copy, then the copy edited: ignored (another file) */
	append(path, ",\"actor\":\"c\",\"action\":\"y\"", 1, NULL);
	copy_file(path, other, 1);
	change(other, &P2, 0);
	s = look(other);
	f = look_full(other);
	CHECK(s.pinned == 1 && memcmp(&s.ref, &P2, sizeof P2) == 0 && same(s, f));
	if (have_xattr)
		CHECK(s.read >= f.read);

	if (have_xattr) {
		char good[65];
		uint64_t hend, hat, p2at;
		/* forged: pointing at a record that is no policy change: ignored */
		append(path, ",\"actor\":\"d\",\"action\":\"z\"", 1, NULL);
		hint_fields(path, &ino, &hend, good, &hat);
		forge(path, ino, hend, good, line_of(path, "\"action\":\"grow\""));
		CHECK(same(look(path), look_full(path)));
		CHECK(look(path).read >= look_full(path).read);
		/* forged: into the middle of a line: ignored */
		forge(path, ino, hend, good, hat + 7);
		CHECK(same(look(path), look_full(path)));
		/* forged: past the end, or the end not at a record: ignored */
		forge(path, ino, hend + 10, good, hat);
		CHECK(same(look(path), look_full(path)));
		forge(path, ino, hend - 3, good, hat);
		CHECK(same(look(path), look_full(path)));
		/* forged: not this file */
		forge(path, ino + 1, hend, good, hat);
		CHECK(look(path).read >= look_full(path).read);
		/* garbage */
		CHECK(setxattr(path, XA, "nonsense", 8, 0) == 0);
		CHECK(same(look(path), look_full(path)));

		/*
		 * forged to claim no policy on a log whose header pins one and no
		 * record changes it to none: impossible, the pin comes from the
		 * record the hint names, and only the header can be named for it
		 */
		snprintf(path, sizeof path, "%s/pinned.alog", dir);
		unlink(path);
		append(path, ",\"actor\":\"a\",\"action\":\"first\"", 1, &P1);
		change(path, &P2, 1);
		append(path, ",\"actor\":\"a\",\"action\":\"more\"", 1, NULL);
		hint_fields(path, &ino, &hend, good, &hat);
		p2at = hat;
		for (uint64_t a = 0; a < hend; a++) {
			forge(path, ino, hend, good, a);
			s = look(path);
			/* at worst an earlier policy of this log (the header's), never none */
			CHECK(s.pinned == 1);
			CHECK(memcmp(&s.ref, &P2, sizeof P2) == 0 ||
			      (a == 0 && memcmp(&s.ref, &P1, sizeof P1) == 0));
			if (a != 0 && a != p2at)
				CHECK(s.read >= look_full(path).read);
		}
		unlink(path);
	}
	snprintf(path, sizeof path, "%s/pin.alog", dir);
	unlink(path);
	unlink(other);
}

int main(void)
{
	char dir[] = "alog-pinhint.XXXXXX", probe[64], shm[] = "/dev/shm/alog-pinhint.XXXXXX";
	int fd;

	ref_init(&P1, 1);
	ref_init(&P2, 2);
	ref_init(&P3, 3);
	/* on the disk the tests run from: /tmp may be a tmpfs without user xattrs */
	CHECK(mkdtemp(dir) != NULL);
	snprintf(probe, sizeof probe, "%s/probe", dir);
	fd = open(probe, O_WRONLY | O_CREAT, 0600);
	have_xattr = fd >= 0 && fsetxattr(fd, XA, "x", 1, 0) == 0;
	if (!have_xattr)
		fprintf(stderr, "test_pinhint: no user xattrs in %s (%s): hint checks skipped\n", dir,
		        strerror(errno));
	close(fd);
	unlink(probe);
	run(dir);
	rmdir(dir);

	/* without user xattrs (a tmpfs may have none): the same answers */
	if (mkdtemp(shm)) {
		snprintf(probe, sizeof probe, "%s/probe", shm);
		fd = open(probe, O_WRONLY | O_CREAT, 0600);
		have_xattr = fd >= 0 && fsetxattr(fd, XA, "x", 1, 0) == 0;
		close(fd);
		unlink(probe);
		run(shm);
		rmdir(shm);
	}
	return t_done("test_pinhint");
}
