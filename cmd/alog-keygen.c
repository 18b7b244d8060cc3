/*
 * alog-keygen - create a forward-secure sealing key pair for a log, a
 * reader key pair for protected fields, or a pseudonymisation pepper.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/util.h"
#include "keys/key.h"
#include "keys/protect.h"
#include "log/writer.h"

static const char usage[] =
	"usage: alog-keygen [--origin NAME] -s SECRET_FILE [-p PUBLIC_FILE] [--epochs N]\n"
	"       alog-keygen --reader -s READER_SECRET [-p READER_PUBLIC]\n"
	"       alog-keygen --pepper -s PEPPER_FILE\n"
	"\n"
	"Create a forward-secure sealing key for the log named NAME.  The secret key\n"
	"(mode 0600) stays on the host and moves forward one epoch at every seal,\n"
	"erasing the epoch it used; the public key is one line to hand to whoever\n"
	"verifies the log.  Neither file is ever overwritten.\n"
	"\n"
	"  -s, --secret FILE   where to create the secret key\n"
	"  -p, --public FILE   where to create the public key (it is also printed)\n"
	"      --origin NAME   the log's origin, as in its header (default: $ALOG_ORIGIN,\n"
	"                      else the host name)\n"
	"      --epochs N      how many seals the key can make (default 65536:\n"
	"                      hourly seals for 7 years; at most 1048576)\n"
	"      --reader        create a reader key pair instead: a policy encrypts\n"
	"                      protected fields to the public key, and the secret key\n"
	"                      decrypts them (alog-policy(5))\n"
	"      --pepper        create a pepper file instead: the secret key of a\n"
	"                      policy's pseudonyms\n"
	"  -h, --help          show this help\n"
	"      --version       show the version\n"
	"\n"
	"Exit status: 0 created; 2 usage or I/O error (nothing is left half made).\n"
	"\n"
	"Examples:\n"
	"  alog-keygen --origin db-1.example.com/audit -s /etc/alog/seal.key \\\n"
	"      -p /etc/alog/seal.pub\n"
	"  alog-keygen --reader -s ~/.alog/reader.key -p reader.pub\n";

enum { OPT_ORIGIN = ALOG_OPT_BASE, OPT_EPOCHS, OPT_READER, OPT_PEPPER };

static const struct option longopts[] = {
	{"secret", required_argument, NULL, 's'},
	{"public", required_argument, NULL, 'p'},
	{"origin", required_argument, NULL, OPT_ORIGIN},
	{"epochs", required_argument, NULL, OPT_EPOCHS},
	{"reader", no_argument, NULL, OPT_READER},
	{"pepper", no_argument, NULL, OPT_PEPPER},
	{0, 0, 0, 0},
};

/* Files this run created, removed at exit unless the key is complete. */
static const char *made_public, *made_secret;
static int done;

static void cleanup(void)
{
	if (done)
		return;
	if (made_public)
		unlink(made_public);
	if (made_secret)
		unlink(made_secret);
}

/* Create a public key file that must not exist yet; -1 (not created) for none. */
static int claim_public(const char *public)
{
	int fd;

	if (!public)
		return -1;
	fd = open(public, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			alog_die(ALOG_EXIT_ERR, "%s already exists: refusing to overwrite a key",
			         public);
		alog_die(ALOG_EXIT_ERR, "cannot create %s: %s", public, strerror(errno));
	}
	made_public = public;
	return fd;
}

/* Write the public key line to its file (if any) and standard output. */
static void finish_public(int fd, const char *public, const char *secret, char *line)
{
	if (public) {
		size_t n = strlen(line);
		line[n] = '\n';
		if (alog_write_all(fd, line, n + 1) != 0 || fsync(fd) != 0 || close(fd) != 0) {
			int saved = errno;
			unlink(public);
			unlink(secret);
			alog_die(ALOG_EXIT_ERR, "cannot write %s: %s", public, strerror(saved));
		}
		line[n] = '\0';
	}
	/* the key is made only once it is printed: a write error removes it */
	if (puts(line) == EOF || fflush(stdout) != 0 || ferror(stdout))
		alog_die(ALOG_EXIT_ERR, "cannot print the public key: %s; no key was made",
		         strerror(errno));
	done = 1;
}

static int make_reader(const char *secret, const char *public)
{
	struct alog_reader_key k;
	struct alog_reader_pub pub;
	struct alog_error e;
	char line[256];
	int fd = claim_public(public);

	alog_reader_generate(&k);
	alog_reader_public(&pub, &k);
	if (alog_reader_key_save(&k, secret, &e) != 0) {
		alog_reader_key_wipe(&k);
		if (public) {
			close(fd);
			unlink(public);
		}
		alog_die_error(ALOG_EXIT_ERR, &e);
	}
	alog_reader_key_wipe(&k);
	alog_reader_pub_format(line, sizeof line - 1, &pub);
	finish_public(fd, public, secret, line);
	return ALOG_EXIT_OK;
}

static int make_pepper(const char *secret)
{
	struct alog_pepper p;
	struct alog_error e;
	int rc;

	alog_pepper_generate(&p);
	rc = alog_pepper_save(&p, secret, &e);
	alog_pepper_wipe(&p);
	if (rc != 0)
		alog_die_error(ALOG_EXIT_ERR, &e);
	done = 1;
	return ALOG_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct alog_cli cli = {"alog-keygen", usage, "s:p:", longopts};
	const char *secret = NULL, *public = NULL, *origin = NULL;
	uint64_t epochs = ALOG_KEY_DEFAULT_EPOCHS;
	struct alog_seckey sk;
	struct alog_pubkey pk;
	struct alog_error e;
	char line[512];
	int c, fd = -1, reader = 0, pepper = 0;

	alog_cli_init("alog-keygen");
	while ((c = alog_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 's':
			secret = optarg;
			break;
		case 'p':
			public = optarg;
			break;
		case OPT_ORIGIN:
			origin = optarg;
			break;
		case OPT_EPOCHS:
			if (alog_parse_u64(optarg, ALOG_KEY_MAX_EPOCHS, &epochs) != 0 || epochs == 0)
				alog_usage_error("--epochs takes a number from 1 to %u", ALOG_KEY_MAX_EPOCHS);
			break;
		case OPT_READER:
			reader = 1;
			break;
		case OPT_PEPPER:
			pepper = 1;
			break;
		}
	}
	if (optind != argc)
		alog_usage_error("unexpected argument '%s'", argv[optind]);
	if (!secret)
		alog_usage_error("-s SECRET_FILE is required");
	if (reader && pepper)
		alog_usage_error("--reader and --pepper create different files: choose one");
	if ((reader || pepper) && (origin || epochs != ALOG_KEY_DEFAULT_EPOCHS))
		alog_usage_error("--origin and --epochs are for sealing keys");
	if (pepper && public)
		alog_usage_error("a pepper has no public part: -p does not apply");

	/* Whatever ends the run early (an error, out of memory), no file is left behind. */
	atexit(cleanup);
	if (access(secret, F_OK) != 0 && errno == ENOENT)
		made_secret = secret; /* else the save refuses it, and it is not ours to remove */
	if (reader)
		return make_reader(secret, public);
	if (pepper)
		return make_pepper(secret);
	if (!origin)
		origin = alog_default_origin();

	/* Claim the public file first so that a clash leaves nothing behind. */
	fd = claim_public(public);
	if (alog_key_generate(&sk, &pk, origin, (uint32_t)epochs, &e) != 0 ||
	    alog_seckey_save(&sk, secret, 1, &e) != 0) {
		if (public) {
			close(fd);
			unlink(public);
		}
		alog_seckey_free(&sk);
		alog_die_error(ALOG_EXIT_ERR, &e);
	}
	alog_seckey_free(&sk);
	alog_pubkey_format(line, sizeof line - 1, &pk);
	finish_public(fd, public, secret, line);
	return ALOG_EXIT_OK;
}
