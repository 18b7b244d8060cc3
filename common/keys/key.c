/*
 * key.c - forward-secure sealing keys: epoch key schedule, epoch tree,
 * public and secret key files.
 */
#include "keys/key.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/enc.h"
#include "base/sha256.h"
#include "format/header.h"
#include "format/sealrec.h"

static const char secret_magic[] = "alog-secret-v1";

static void labelled(uint8_t out[32], const char *label, const uint8_t seed[32])
{
	struct alog_sha256 c;
	alog_sha256_init(&c);
	alog_sha256_update(&c, label, strlen(label));
	alog_sha256_update(&c, seed, 32);
	alog_sha256_final(&c, out);
}

void alog_epoch_keypair(const uint8_t seed[32], uint8_t pk[32], uint8_t sk[64])
{
	uint8_t s[32];
	labelled(s, "alog/v1/sign", seed);
	crypto_sign_seed_keypair(pk, sk, s);
	sodium_memzero(s, sizeof s);
}

void alog_epoch_next_seed(uint8_t next[32], const uint8_t seed[32])
{
	labelled(next, "alog/v1/next", seed);
}

void alog_epoch_leaf(uint8_t out[32], uint64_t epoch, const uint8_t pk[32])
{
	uint8_t data[40];
	for (int i = 0; i < 8; i++)
		data[i] = (uint8_t)(epoch >> (56 - 8 * i));
	memcpy(data + 8, pk, 32);
	alog_merkle_leaf(out, data, sizeof data);
}

int alog_key_generate(struct alog_seckey *sk, struct alog_pubkey *pk, const char *origin,
                      uint32_t epochs, struct alog_error *e)
{
	uint8_t seed[32], epk[32], esk[64];
	struct alog_merkle m;

	memset(sk, 0, sizeof *sk);
	sk->fd = -1;
	if (alog_origin_ok(origin, e) != 0)
		return -1;
	if (epochs < 1 || epochs > ALOG_KEY_MAX_EPOCHS)
		return alog_err(e, "epochs must be between 1 and %u", ALOG_KEY_MAX_EPOCHS);
	snprintf(sk->origin, sizeof sk->origin, "%s", origin);
	sk->epochs = epochs;
	sk->next = 0;
	sk->leaves = alog_xmalloc((size_t)epochs * 32);
	randombytes_buf(sk->seed, 32);

	/* Walk the whole schedule once to commit every epoch's public key. */
	memcpy(seed, sk->seed, 32);
	alog_merkle_init(&m);
	for (uint32_t i = 0; i < epochs; i++) {
		alog_epoch_keypair(seed, epk, esk);
		alog_epoch_leaf(sk->leaves[i], i, epk);
		alog_merkle_push(&m, sk->leaves[i]);
		alog_epoch_next_seed(seed, seed);
	}
	sodium_memzero(seed, sizeof seed);
	sodium_memzero(esk, sizeof esk);
	alog_merkle_root(&m, sk->root);
	alog_merkle_init(&sk->left);

	snprintf(pk->origin, sizeof pk->origin, "%s", origin);
	pk->epochs = epochs;
	memcpy(pk->root, sk->root, 32);
	return 0;
}

int alog_pubkey_format(char *out, size_t cap, const struct alog_pubkey *pk)
{
	char b64[ALOG_B64_LEN(32) + 1];
	int n = snprintf(out, cap, ALOG_PUBKEY_PREFIX "%s+%u+%s", pk->origin, pk->epochs,
	                 alog_b64(b64, pk->root, 32));
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

int alog_pubkey_parse(struct alog_pubkey *pk, const char *text, size_t n, struct alog_error *e)
{
	const char *p = text, *end = text + n, *plus2, *plus1;
	uint64_t epochs;
	char num[16], origin[256];

	while (end > p && (end[-1] == '\n' || end[-1] == '\r' || end[-1] == ' '))
		end--;
	if ((size_t)(end - p) < sizeof ALOG_PUBKEY_PREFIX ||
	    memcmp(p, ALOG_PUBKEY_PREFIX, sizeof ALOG_PUBKEY_PREFIX - 1) != 0)
		return alog_err(e, "not an alog public key (it starts with \"%s\")",
		                ALOG_PUBKEY_PREFIX);
	p += sizeof ALOG_PUBKEY_PREFIX - 1;
	/* alog1+ORIGIN+EPOCHS+ROOT: neither origin nor count has a '+' (base64 may). */
	plus1 = memchr(p, '+', (size_t)(end - p));
	plus2 = plus1 ? memchr(plus1 + 1, '+', (size_t)(end - plus1 - 1)) : NULL;
	if (!plus1 || !plus2 || plus1 == p)
		return alog_err(e, "malformed public key: expected alog1+ORIGIN+EPOCHS+ROOT");
	if ((size_t)(plus1 - p) >= sizeof origin || (size_t)(plus2 - plus1 - 1) >= sizeof num)
		return alog_err(e, "malformed public key");
	memcpy(origin, p, (size_t)(plus1 - p));
	origin[plus1 - p] = '\0';
	memcpy(num, plus1 + 1, (size_t)(plus2 - plus1 - 1));
	num[plus2 - plus1 - 1] = '\0';
	if (alog_origin_ok(origin, e) != 0)
		return -1;
	if (alog_parse_u64(num, ALOG_KEY_MAX_EPOCHS, &epochs) != 0 || epochs == 0 ||
	    (num[0] == '0'))
		return alog_err(e, "malformed public key: bad epoch count '%s'", num);
	if (alog_unb64(pk->root, 32, plus2 + 1, (size_t)(end - plus2 - 1)) != 32)
		return alog_err(e, "malformed public key: the root is not base64 of 32 bytes");
	snprintf(pk->origin, sizeof pk->origin, "%s", origin);
	pk->epochs = (uint32_t)epochs;
	return 0;
}

/* Read a whole small file into a NUL-terminated buffer. */
static char *slurp(int fd, size_t limit, size_t *len, struct alog_error *e)
{
	size_t cap = 4096, n = 0;
	char *buf = alog_xmalloc(cap);
	for (;;) {
		ssize_t r;
		if (n + 1 >= cap) {
			if (cap >= limit) {
				free(buf);
				alog_err(e, "file too large");
				return NULL;
			}
			cap *= 2;
			buf = alog_xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			free(buf);
			alog_errno(e, "read error");
			return NULL;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/*
 * What kind of alog key file starts with this text (its first line that
 * is not a comment)?  A phrase for messages, or NULL when none.
 */
static const char *key_kind(const char *buf, size_t n)
{
	static const struct {
		const char *start;
		const char *what;
	} kinds[] = {
		{"alog-secret-v1", "a secret sealing key (alog-keygen -s)"},
		{ALOG_PUBKEY_PREFIX, "a public sealing key (alog1+...)"},
		{"alog-reader-secret-v1", "a reader's secret key (alog-keygen --reader -s)"},
		{"alog-reader1+", "a reader's public key (alog-reader1+..., for policies)"},
		{"alog-pepper-v1", "a pseudonymisation pepper (alog-keygen --pepper)"},
	};
	const char *p = buf, *end = buf + n;

	while (p < end && (*p == '#' || *p == '\n' || *p == '\r')) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (*p != '#') {
			p++;
			continue;
		}
		if (!nl)
			return NULL;
		p = nl + 1;
	}
	for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
		size_t k = strlen(kinds[i].start);
		if ((size_t)(end - p) >= k && memcmp(p, kinds[i].start, k) == 0)
			return kinds[i].what;
	}
	return NULL;
}

int alog_pubkey_load(struct alog_pubkey *pk, const char *path, struct alog_error *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	char buf[1 << 16], *line, *save = NULL;
	ssize_t got;
	const char *kind;
	int rc = -1;

	if (fd < 0) {
		alog_errno(e, "cannot open public key");
		return alog_err_at(e, path, 0);
	}
	/* a public key is one line: the start of the file tells what it is */
	got = alog_pread_all(fd, buf, sizeof buf - 1, 0);
	close(fd);
	if (got < 0) {
		alog_errno(e, "read error");
		return alog_err_at(e, path, 0);
	}
	buf[got] = '\0';
	kind = key_kind(buf, (size_t)got);
	if (kind && strncmp(kind, "a public sealing key", 20) != 0) {
		alog_err(e, "this is %s, not a public sealing key: give the public key that "
		            "alog-keygen -p wrote (alog1+...)", kind);
		return alog_err_at(e, path, 0);
	}
	if ((size_t)got == sizeof buf - 1) {
		alog_err(e, "not an alog public key (a public key is one short line)");
		return alog_err_at(e, path, 0);
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (line[0] == '#' || line[0] == '\0')
			continue;
		rc = alog_pubkey_parse(pk, line, strlen(line), e);
		break;
	}
	if (!line)
		alog_err(e, "no public key in the file");
	if (rc != 0)
		alog_err_at(e, path, 0);
	return rc;
}

int alog_seckey_check_perms(const char *path, int fd, struct alog_error *e)
{
	struct stat st;
	if (fstat(fd, &st) != 0)
		return alog_errno(e, "cannot stat %s", path);
	if (!S_ISREG(st.st_mode))
		return alog_err(e, "secret key %s is not a regular file", path);
	if (st.st_uid != geteuid())
		return alog_err(e, "secret key %s is owned by uid %u, not by you (uid %u): refusing "
		                   "to use it", path, (unsigned)st.st_uid, (unsigned)geteuid());
	if (st.st_mode & 077)
		return alog_err(e, "secret key %s is accessible by others (mode %04o): refusing to "
		                   "use it; run 'chmod 600 %s'", path, (unsigned)(st.st_mode & 07777),
		                path);
	return 0;
}

/*
 * A key file is what alog-keygen and alog-seal wrote, or it is refused: the
 * past range and the remaining leaves fold to the root, and the seed gives
 * the epoch key committed at leaf `next` (so `next` cannot be rewound or
 * moved on by editing the file: the seed of another epoch does not match).
 */
static int check_consistent(const struct alog_seckey *sk, struct alog_error *e)
{
	struct alog_merkle m = sk->left;
	uint8_t root[32], pk[32], esk[64], leaf[32];

	for (uint32_t i = 0; i < sk->epochs - sk->next; i++)
		alog_merkle_push(&m, sk->leaves[i]);
	alog_merkle_root(&m, root);
	if (memcmp(root, sk->root, 32) != 0)
		return alog_err(e, "the key file is inconsistent: its epoch hashes do not lead to "
		                   "its root (an edited or damaged key file)");
	if (sk->next < sk->epochs) {
		alog_epoch_keypair(sk->seed, pk, esk);
		sodium_memzero(esk, sizeof esk);
		alog_epoch_leaf(leaf, sk->next, pk);
		if (memcmp(leaf, sk->leaves[0], 32) != 0)
			return alog_err(e, "the key file is inconsistent: its seed is not the seed of "
			                   "epoch %u (an edited \"next\" line, or a damaged key file)",
			                sk->next);
	}
	return 0;
}

/* Parse "name value" lines of the secret key file. */
static int parse_secret(struct alog_seckey *sk, char *buf, struct alog_error *e)
{
	char *line, *save = NULL;
	int seen_magic = 0, have = 0;
	uint64_t v;
	uint8_t left[64][32];
	unsigned nleft = 0;
	char *leaves_b64 = NULL;

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *val;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (!seen_magic) {
			if (strcmp(line, secret_magic) != 0)
				return alog_err(e, "not an alog secret key (no \"%s\" line)", secret_magic);
			seen_magic = 1;
			continue;
		}
		val = strchr(line, ' ');
		val = val ? val + 1 : line + strlen(line);
		if (strncmp(line, "origin ", 7) == 0) {
			if (alog_origin_ok(val, e) != 0)
				return -1;
			snprintf(sk->origin, sizeof sk->origin, "%s", val);
			have |= 1;
		} else if (strncmp(line, "epochs ", 7) == 0) {
			if (alog_parse_u64(val, ALOG_KEY_MAX_EPOCHS, &v) != 0 || v == 0)
				return alog_err(e, "bad epochs line");
			sk->epochs = (uint32_t)v;
			have |= 2;
		} else if (strncmp(line, "next ", 5) == 0) {
			if (alog_parse_u64(val, ALOG_KEY_MAX_EPOCHS, &v) != 0)
				return alog_err(e, "bad next line");
			sk->next = (uint32_t)v;
			have |= 4;
		} else if (strncmp(line, "root ", 5) == 0) {
			if (alog_unb64(sk->root, 32, val, strlen(val)) != 32)
				return alog_err(e, "bad root line");
			have |= 8;
		} else if (strncmp(line, "seed ", 5) == 0) {
			if (alog_unb64(sk->seed, 32, val, strlen(val)) != 32)
				return alog_err(e, "bad seed line");
			have |= 16;
		} else if (strcmp(line, "left") == 0 || strncmp(line, "left ", 5) == 0) {
			char *tok, *s2 = NULL;
			for (tok = strtok_r(val, " ", &s2); tok; tok = strtok_r(NULL, " ", &s2)) {
				if (nleft >= 64 || alog_unb64(left[nleft], 32, tok, strlen(tok)) != 32)
					return alog_err(e, "bad left line");
				nleft++;
			}
			have |= 32;
		} else if (strcmp(line, "leaves") == 0 || strncmp(line, "leaves ", 7) == 0) {
			leaves_b64 = val;
			have |= 64;
		} else if (strncmp(line, "sealed ", 7) == 0) {
			struct alog_seal ls;
			if (sk->last_seal || alog_seal_parse_members(val, strlen(val), &ls, e) != 0)
				return alog_err(e, "bad sealed line");
			sk->last_seal = alog_xstrdup(val);
		} else {
			return alog_err(e, "unknown line \"%.20s\"", line);
		}
	}
	if (have != 127)
		return alog_err(e, "incomplete secret key file");
	if (sk->next > sk->epochs)
		return alog_err(e, "next epoch beyond the epoch count");
	if (alog_merkle_load(&sk->left, sk->next, (const uint8_t(*)[32])left, nleft) != 0)
		return alog_err(e, "left range does not match the epoch");
	{
		size_t want = (size_t)(sk->epochs - sk->next) * 32;
		sk->leaves = alog_xmalloc(want ? want : 1);
		if (alog_unb64((uint8_t *)sk->leaves, want, leaves_b64, strlen(leaves_b64)) !=
		    (long)want)
			return alog_err(e, "leaves do not match the epoch count");
	}
	return check_consistent(sk, e);
}

int alog_seckey_load(struct alog_seckey *sk, const char *path, int lock, struct alog_error *e)
{
	struct stat fst, pst;
	char *buf = NULL;
	size_t n;
	int fd;

	memset(sk, 0, sizeof *sk);
	sk->fd = -1;
	for (;;) {
		fd = open(path, (lock ? O_RDWR : O_RDONLY) | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0) {
			alog_errno(e, "cannot open secret key");
			return alog_err_at(e, path, 0);
		}
		{
			/* what it is comes before how it is kept: a public key given
			 * for the secret one gets no advice about its mode */
			char head[512];
			ssize_t hn = alog_pread_all(fd, head, sizeof head, 0);
			const char *kind = hn > 0 ? key_kind(head, (size_t)hn) : NULL;
			if (hn < 0) {
				alog_errno(e, "read error");
				close(fd);
				return alog_err_at(e, path, 0);
			}
			if (kind && strncmp(kind, "a secret sealing key", 20) != 0) {
				close(fd);
				alog_err(e, "%s is %s, not a secret sealing key: give the secret key that "
				            "alog-keygen -s wrote", path, kind);
				return -1;
			}
		}
		if (alog_seckey_check_perms(path, fd, e) != 0) {
			close(fd);
			return -1;
		}
		/*
		 * A reader takes a shared lock too: a seal replaces the file and then
		 * zeroes the old one under its exclusive lock, so an unlocked read of
		 * the old file could see zeros.
		 */
		if (alog_flock_wait(fd, lock ? LOCK_EX : LOCK_SH, 0) != 0) {
			if (errno == EWOULDBLOCK)
				alog_err(e, "the key file has been locked by another process for %ld s (a "
				            "seal that does not finish?); giving up (ALOG_LOCK_WAIT sets "
				            "the wait)", alog_lock_wait_ms(0) / 1000);
			else
				alog_errno(e, "cannot lock secret key");
			close(fd);
			return alog_err_at(e, path, 0);
		}
		/* Another seal may have replaced the file while we waited. */
		if (fstat(fd, &fst) == 0 && stat(path, &pst) == 0 && fst.st_ino == pst.st_ino &&
		    fst.st_dev == pst.st_dev)
			break;
		close(fd);
	}
	buf = slurp(fd, 256u << 20, &n, e);
	if (!buf || parse_secret(sk, buf, e) != 0) {
		if (buf) {
			sodium_memzero(buf, n);
			free(buf);
		}
		close(fd);
		free(sk->leaves);
		sk->leaves = NULL;
		free(sk->last_seal);
		sk->last_seal = NULL;
		sodium_memzero(sk->seed, 32);
		return alog_err_at(e, path, 0);
	}
	sodium_memzero(buf, n);
	free(buf);
	if (lock)
		sk->fd = fd;
	else
		close(fd);
	return 0;
}

static char *format_secret(const struct alog_seckey *sk, size_t *len)
{
	size_t nleaves = (size_t)(sk->epochs - sk->next) * 32;
	size_t cap = 1024 + 64 * 50 + ALOG_B64_LEN(nleaves) + 16 +
	             (sk->last_seal ? strlen(sk->last_seal) + 16 : 0), n;
	char *out = alog_xmalloc(cap), b64[ALOG_B64_LEN(32) + 1];

	n = (size_t)snprintf(out, cap,
	                     "# alog secret sealing key: keep it private (mode 0600).\n"
	                     "# alog-seal rewrites it at every seal and erases the used epoch.\n"
	                     "%s\norigin %s\nepochs %u\nnext %u\nroot %s\n",
	                     secret_magic, sk->origin, sk->epochs, sk->next,
	                     alog_b64(b64, sk->root, 32));
	n += (size_t)snprintf(out + n, cap - n, "seed %s\nleft", alog_b64(b64, sk->seed, 32));
	for (unsigned i = 0; i < sk->left.n; i++)
		n += (size_t)snprintf(out + n, cap - n, " %s", alog_b64(b64, sk->left.hash[i], 32));
	n += (size_t)snprintf(out + n, cap - n, "\nleaves ");
	alog_b64(out + n, (const uint8_t *)sk->leaves, nleaves);
	n += ALOG_B64_LEN(nleaves);
	out[n++] = '\n';
	if (sk->last_seal)
		n += (size_t)snprintf(out + n, cap - n, "sealed %s\n", sk->last_seal);
	sodium_memzero(b64, sizeof b64);
	*len = n;
	return out;
}

int alog_seckey_save(struct alog_seckey *sk, const char *path, int create, struct alog_error *e)
{
	size_t n;
	char *text = format_secret(sk, &n);
	int fd, rc = -1;

	if (create) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd < 0) {
			if (errno == EEXIST)
				alog_err(e, "%s already exists: refusing to overwrite a key", path);
			else
				alog_errno(e, "cannot create %s", path);
			goto out;
		}
		if (alog_write_all(fd, text, n) != 0 || fsync(fd) != 0) {
			alog_errno(e, "cannot write %s", path);
			close(fd);
			unlink(path);
			goto out;
		}
		if (close(fd) != 0 || alog_fsync_dir(path) != 0) {
			alog_errno(e, "cannot sync %s", path);
			goto out;
		}
		rc = 0;
		goto out;
	}

	if (alog_seckey_write_next(sk, path, e) != 0)
		goto out;
	rc = alog_seckey_commit_next(sk, path, e) == 0 ? 0 : -1;
out:
	sodium_memzero(text, n);
	free(text);
	return rc;
}

int alog_seckey_next_path(char *out, size_t cap, const char *path)
{
	return (size_t)snprintf(out, cap, "%s.next", path) >= cap ? -1 : 0;
}

int alog_seckey_write_next(const struct alog_seckey *sk, const char *path, struct alog_error *e)
{
	char tmp[PATH_MAX];
	size_t n;
	char *text;
	int fd, rc = -1;

	if (alog_seckey_next_path(tmp, sizeof tmp, path) != 0)
		return alog_err(e, "key path too long");
	/* a leftover of an interrupted seal whose seal never reached the log:
	 * ours, under the key's lock */
	if (unlink(tmp) != 0 && errno != ENOENT)
		return alog_errno(e, "cannot remove %s", tmp);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return alog_errno(e, "cannot create %s", tmp);
	text = format_secret(sk, &n);
	if (alog_write_all(fd, text, n) != 0 || fsync(fd) != 0) {
		alog_errno(e, "cannot write %s", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (close(fd) != 0) {
		alog_errno(e, "cannot write %s", tmp);
		unlink(tmp);
		goto out;
	}
	if (alog_fsync_dir(tmp) != 0) {
		alog_errno(e, "cannot sync the directory of %s", tmp);
		unlink(tmp);
		goto out;
	}
	rc = 0;
out:
	sodium_memzero(text, n);
	free(text);
	return rc;
}

/* Overwrite the open key file's contents: with text (n bytes) when given,
 * else with zeros.  0 when it is durable, -1 (errno) when not. */
static int overwrite(int fd, const char *text, size_t n)
{
	struct stat st;
	char zero[4096] = {0};

	if (fstat(fd, &st) != 0)
		return -1;
	if (text) {
		if (pwrite(fd, text, n, 0) != (ssize_t)n || ftruncate(fd, (off_t)n) != 0)
			return -1;
	} else {
		for (off_t off = 0; off < st.st_size; off += (off_t)sizeof zero) {
			size_t k = (size_t)(st.st_size - off) < sizeof zero
			                   ? (size_t)(st.st_size - off) : sizeof zero;
			if (pwrite(fd, zero, k, off) != (ssize_t)k)
				return -1;
		}
	}
	return fsync(fd);
}

/* After the rename over PATH: sync its directory (1 when that fails, e
 * says so), and overwrite the old file's contents too, so the erased seed
 * is not left in its blocks (best effort: a filesystem may still keep
 * copies).  0 done. */
static int replaced(struct alog_seckey *sk, const char *path, struct alog_error *e)
{
	int rc = 0;

	if (alog_fsync_dir(path) != 0) {
		alog_errno(e, "the key file %s was replaced, but its directory could not be synced",
		           path);
		rc = 1;
	}
	if (sk->fd >= 0)
		overwrite(sk->fd, NULL, 0);
	return rc;
}

int alog_seckey_commit_next(struct alog_seckey *sk, const char *path, struct alog_error *e)
{
	char tmp[PATH_MAX];

	if (alog_seckey_next_path(tmp, sizeof tmp, path) != 0)
		return alog_err(e, "key path too long");
	if (rename(tmp, path) != 0) {
		/* The old file still holds the erased seed: rewrite it in place with
		 * the new contents (the durable copy in PATH.next stays until that is
		 * durable), or at least destroy it. */
		int err = errno;
		size_t n;
		char *text = format_secret(sk, &n);
		int ok = sk->fd >= 0 && overwrite(sk->fd, text, n) == 0;
		sodium_memzero(text, n);
		free(text);
		errno = err;
		if (ok) {
			unlink(tmp);
			return 0;
		}
		if (sk->fd >= 0 && overwrite(sk->fd, NULL, 0) == 0)
			return alog_errno(e, "cannot replace %s with %s, and cannot rewrite it in place "
			                     "either; its old contents were erased: 'mv %s %s' puts the "
			                     "key back", path, tmp, tmp, path);
		return alog_errno(e, "cannot replace %s with %s, rewrite or erase it: it still "
		                     "holds the epoch that sealed; 'mv %s %s' and remove any copy",
		                  path, tmp, tmp, path);
	}
	return replaced(sk, path, e);
}

int alog_seckey_replace(struct alog_seckey *sk, const char *path, struct alog_error *e)
{
	char tmp[PATH_MAX];

	if (alog_seckey_next_path(tmp, sizeof tmp, path) != 0)
		return alog_err(e, "key path too long");
	if (rename(tmp, path) != 0) {
		alog_errno(e, "cannot replace %s with %s", path, tmp);
		unlink(tmp);
		return -1;
	}
	return replaced(sk, path, e);
}

void alog_seckey_free(struct alog_seckey *sk)
{
	if (sk->fd >= 0)
		close(sk->fd);
	sk->fd = -1;
	free(sk->leaves);
	sk->leaves = NULL;
	free(sk->last_seal);
	sk->last_seal = NULL;
	sodium_memzero(sk->seed, sizeof sk->seed);
}

int alog_seckey_current(const struct alog_seckey *sk, uint8_t pk[32], uint8_t skey[64])
{
	if (sk->next >= sk->epochs)
		return -1;
	alog_epoch_keypair(sk->seed, pk, skey);
	return 0;
}

/* Subtree hashes for the epoch tree: left of `next` from the compact range,
 * from `next` on from the stored leaves. */
struct epoch_tree {
	const struct alog_seckey *sk;
};

static int epoch_subtree(void *ctx, uint64_t begin, uint64_t end, uint8_t out[32])
{
	const struct alog_seckey *sk = ((struct epoch_tree *)ctx)->sk;

	if (end <= sk->next) {
		/* a complete subtree of the past: it must be one of the range's hashes */
		uint64_t at = 0;
		for (unsigned i = 0; i < sk->left.n; i++) {
			uint64_t width = 1ULL << (63 - __builtin_clzll(sk->left.size - at));
			if (at == begin && at + width == end) {
				memcpy(out, sk->left.hash[i], 32);
				return 0;
			}
			at += width;
		}
		return -1;
	}
	if (begin < sk->next)
		return -1;
	struct alog_merkle_leaves lv = {(const uint8_t(*)[32])sk->leaves + (begin - sk->next),
	                                end - begin};
	return alog_merkle_subtree_from_leaves(&lv, 0, end - begin, out);
}

int alog_seckey_proof(const struct alog_seckey *sk, uint8_t (*proof)[32], unsigned *n)
{
	struct epoch_tree t = {sk};
	if (sk->next >= sk->epochs)
		return -1;
	return alog_merkle_inclusion_proof(sk->next, sk->epochs, epoch_subtree, &t, proof, n);
}

void alog_seckey_advance(struct alog_seckey *sk)
{
	if (sk->next >= sk->epochs)
		return;
	alog_merkle_push(&sk->left, sk->leaves[0]);
	memmove(sk->leaves, sk->leaves + 1, (size_t)(sk->epochs - sk->next - 1) * 32);
	alog_epoch_next_seed(sk->seed, sk->seed);
	sk->next++;
}

int alog_key_match(const struct alog_seckey *sk, const struct alog_pubkey *pk)
{
	return strcmp(sk->origin, pk->origin) == 0 && sk->epochs == pk->epochs &&
	       memcmp(sk->root, pk->root, 32) == 0;
}
