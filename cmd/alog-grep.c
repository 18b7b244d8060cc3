/*
 * alog-grep - find the records that match a query in an alog log (or its
 * rotated files, in order), fast, and print them untouched, readable or
 * as fields; optionally verify everything read on the way.
 */
#include <errno.h>
#include <locale.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "base/buf.h"
#include "base/term.h"
#include "base/ts.h"
#include "base/util.h"
#include "grep/grep.h"
#include "grep/query.h"
#include "grep/render.h"
#include "keys/key.h"
#include "log/writer.h"

/* A distinct status: the log failed verification (--verify). */
#define EXIT_TAMPERED 3

static const char usage[] =
	"usage: alog-grep [-cHilqv] [-m N] [-n N] [-A N] [-B N] [-C N] [--since TIME]\n"
	"                 [--until TIME] [--utc] [--pretty | --raw | --fields LIST]\n"
	"                 [--verbose] [--color[=WHEN]] [--no-filename] [-F] [--verify]\n"
	"                 [-p PUBLIC_FILE] [--decrypt READER_SECRET] (QUERY | -e QUERY...)\n"
	"                 [FILE...]\n"
	"\n"
	"Print the records of an audit log that match QUERY: space-separated terms that\n"
	"must all hold.  Several files are read in order (rotated files, then the log);\n"
	"with no FILE, standard input.\n"
	"\n"
	"Terms (values with spaces quoted the shell way, dotted paths for nested members):\n"
	"  NAME=VALUE    equal (strings after unescaping; unquoted numbers numerically)\n"
	"  NAME!=VALUE   not equal, or NAME absent\n"
	"  NAME~REGEX    a string matching the POSIX extended regular expression\n"
	"  NAME^=PREFIX  a string starting with PREFIX\n"
	"  NAME>N  NAME>=N  NAME<N  NAME<=N   numeric comparisons\n"
	"  NAME?         NAME is present\n"
	"\n"
	"  -e, --query QUERY   a query; repeat for records matching any of them\n"
	"      --since TIME    records at TIME or later: local time unless it has Z or an\n"
	"                      offset: '2026-11-28 02:00', 2026-11-28T02:00:00Z, a date,\n"
	"                      06:35 (today), 'yesterday 23:00', today, now, or ago:\n"
	"                      2h, -1h, '1 hour ago'\n"
	"      --until TIME    records before TIME\n"
	"      --utc           times without a zone are UTC, and pretty output shows UTC\n"
	"  -v, --invert-match  records that do not match\n"
	"  -i, --ignore-case   string values compare without regard to case\n"
	"  -c, --count         print the number of matching records (a total too, for\n"
	"                      several files)\n"
	"  -l, --files-with-matches  print the names of files with a match\n"
	"  -q, --quiet, --silent  print nothing; the exit status tells\n"
	"  -m, --max-count N   stop reading a file after N matching records\n"
	"  -n, --lines N       the last N matching records (with -F: then follow)\n"
	"  -A, --after-context N   N records after each match\n"
	"  -B, --before-context N  N records before each match\n"
	"  -C, --context N     N records before and after each match\n"
	"  -H, --with-filename     prefix pretty and fields lines with the file name\n"
	"      --no-filename   never prefix them\n"
	"      --pretty        one readable line per record (default on a terminal)\n"
	"      --verbose       pretty: a policy's notes in full, not [policy]\n"
	"      --raw           lines exactly as stored (default otherwise)\n"
	"      --fields LIST   chosen members, tab-separated (e.g. ts,actor,src.ip)\n"
	"      --color[=WHEN], --colour[=WHEN]\n"
	"                      colour pretty output: auto (default: on a terminal,\n"
	"                      unless NO_COLOR is set and not empty), always or never\n"
	"  -F, --follow        follow (not grep's -F): from the end of the last FILE, keep\n"
	"                      reading as it grows, across rotations\n"
	"      --verify        check the chain of every record read; show only what checks\n"
	"  -p, --public FILE   with the public key, check the seals too (implies --verify)\n"
	"      --decrypt READER_SECRET  open protected values with this reader key:\n"
	"                      queries see them and every output shows them (raw lines\n"
	"                      then no longer verify); without it, pretty and fields\n"
	"                      output show a placeholder and a term on one is an error\n"
	"  -h, --help          show this help\n"
	"      --version       show the version\n"
	"\n"
	"Exit status: 0 a record matched; 1 none matched; 2 usage, input or I/O error;\n"
	"3 --verify found the log damaged or tampered with.\n"
	"\n"
	"Examples:\n"
	"  alog-grep 'actor=svc-deploy target=payments' --since '2026-11-28 02:00' \\\n"
	"      --until '2026-11-28 02:15' audit.alog\n"
	"  alog-grep -e 'action~^auth\\.' -e 'rows>1000' audit-*.alog audit.alog\n"
	"  alog-grep actor=alice audit.alog | alog-verify\n";

enum {
	OPT_SINCE = ALOG_OPT_BASE, OPT_UNTIL, OPT_PRETTY, OPT_RAW, OPT_FIELDS, OPT_COLOR,
	OPT_NO_FILENAME, OPT_VERIFY, OPT_DECRYPT, OPT_UTC, OPT_VERBOSE,
};

static const struct option longopts[] = {
	{"count", no_argument, NULL, 'c'},
	{"with-filename", no_argument, NULL, 'H'},
	{"no-filename", no_argument, NULL, OPT_NO_FILENAME},
	{"files-with-matches", no_argument, NULL, 'l'},
	{"quiet", no_argument, NULL, 'q'},
	{"silent", no_argument, NULL, 'q'},
	{"invert-match", no_argument, NULL, 'v'},
	{"max-count", required_argument, NULL, 'm'},
	{"after-context", required_argument, NULL, 'A'},
	{"before-context", required_argument, NULL, 'B'},
	{"context", required_argument, NULL, 'C'},
	{"query", required_argument, NULL, 'e'},
	{"since", required_argument, NULL, OPT_SINCE},
	{"until", required_argument, NULL, OPT_UNTIL},
	{"utc", no_argument, NULL, OPT_UTC},
	{"ignore-case", no_argument, NULL, 'i'},
	{"lines", required_argument, NULL, 'n'},
	{"verbose", no_argument, NULL, OPT_VERBOSE},
	{"pretty", no_argument, NULL, OPT_PRETTY},
	{"raw", no_argument, NULL, OPT_RAW},
	{"fields", required_argument, NULL, OPT_FIELDS},
	{"color", optional_argument, NULL, OPT_COLOR},
	{"colour", optional_argument, NULL, OPT_COLOR},
	{"follow", no_argument, NULL, 'F'},
	{"verify", no_argument, NULL, OPT_VERIFY},
	{"public", required_argument, NULL, 'p'},
	{"decrypt", required_argument, NULL, OPT_DECRYPT},
	{0, 0, 0, 0},
};

/* "bad query: why", then the query with carets under the bad part. */
static void __attribute__((noreturn)) query_error(const char *text, size_t at, size_t len,
                                                   const struct alog_error *e)
{
	struct alog_buf b = {0}, pre = {0};
	size_t col = 0;

	alog_buf_clean(&b, text, strlen(text), 0);
	alog_buf_clean(&pre, text, at, 0);
	for (size_t i = 0; i < pre.n; i++)
		col += ((unsigned char)pre.p[i] & 0xc0) != 0x80;
	fflush(stdout);
	fprintf(stderr, "%s: bad query: %s\n  %.*s\n  %*s", alog_progname, e->msg, (int)b.n, b.p,
	        (int)col, "");
	for (size_t i = 0; i < (len ? len : 1); i++)
		fputc('^', stderr);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", alog_progname);
	alog_buf_free(&b);
	alog_buf_free(&pre);
	exit(ALOG_EXIT_ERR);
}

static unsigned context_arg(const char *opt, const char *s)
{
	uint64_t v;
	if (alog_parse_u64(s, 1000000, &v) != 0)
		alog_usage_error("%s takes a number of records, not '%s'", opt, s);
	return (unsigned)v;
}

static int64_t time_arg(const char *opt, const char *s, int64_t now, int utc)
{
	int64_t t;
	if (alog_time_arg(s, now, utc, &t) != 0)
		alog_usage_error("%s takes an RFC 3339 time, a date, 'YYYY-MM-DD HH:MM', HH:MM, now, "
		                 "today or yesterday (with a time or not), or a duration ago such as "
		                 "2h, -30m or '1 hour ago', not '%s'", opt, s);
	return t;
}

/* A missing "file" that reads as a term was most likely meant as one. */
static void check_files(char **files, int n)
{
	for (int i = 0; i < n; i++) {
		struct alog_query *q;
		struct alog_error e;
		size_t at, len;
		int term;

		if (strcmp(files[i], "-") == 0 || access(files[i], F_OK) == 0 || errno != ENOENT ||
		    !strpbrk(files[i], "=~<>?"))
			continue;
		q = alog_query_new();
		term = alog_query_add(q, files[i], &at, &len, &e) == 0;
		alog_query_free(q);
		if (term)
			alog_usage_error("no file '%s': to give several terms, quote the whole query, "
			                 "as in 'actor=alice %s'", files[i], files[i]);
	}
}

/* The engine's reports: "alog-grep: " + the line, in one write after what stdout holds. */
static void report(void *ctx, const char *line, size_t n)
{
	struct alog_buf b = {0};

	(void)ctx;
	alog_buf_str(&b, alog_progname);
	alog_buf_str(&b, ": ");
	alog_buf_add(&b, line, n);
	alog_buf_add(&b, "\n", 1);
	fflush(stdout);
	if (write(2, b.p, b.n) < 0) {
		/* nowhere left to say it */
	}
	alog_buf_free(&b);
}

int main(int argc, char **argv)
{
	static const struct alog_cli cli = {"alog-grep", usage, "cHilqvm:n:A:B:C:e:Fp:", longopts};
	/* static: still reachable when a usage error exits */
	static struct alog_pubkey pubkey;
	static struct alog_fields fields;
	static const char **queries;
	struct alog_grep_opts o;
	struct alog_grep_result res;
	struct alog_error e;
	const char *pubfile = NULL, *fields_spec = NULL, *keyfile = NULL;
	const char *since = NULL, *until = NULL, *color = "auto";
	int nq = 0, c, pretty = 0, raw = 0, with_name = -1, status, icase = 0;
	int64_t now = alog_ts_now();
	uint64_t v;

	alog_cli_init("alog-grep");
	/* records are UTF-8 whatever the user's locale: regular expressions too */
	if (!setlocale(LC_CTYPE, "C.UTF-8"))
		setlocale(LC_CTYPE, "");
	memset(&o, 0, sizeof o);
	while ((c = alog_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'c':
			o.count = 1;
			break;
		case 'H':
			with_name = 1;
			break;
		case OPT_NO_FILENAME:
			with_name = 0;
			break;
		case 'l':
			o.list = 1;
			break;
		case 'q':
			o.quiet = 1;
			break;
		case 'v':
			o.invert = 1;
			break;
		case 'm':
			if (alog_parse_u64(optarg, UINT64_MAX, &v) != 0 || v == 0)
				alog_usage_error("-m takes a number of records (1 or more), not '%s'",
				                 optarg);
			o.max_count = v;
			break;
		case 'A':
			o.after = context_arg("-A", optarg);
			break;
		case 'B':
			o.before = context_arg("-B", optarg);
			break;
		case 'C':
			o.after = o.before = context_arg("-C", optarg);
			break;
		case 'e':
			queries = alog_xrealloc(queries, (size_t)(nq + 1) * sizeof *queries);
			queries[nq++] = optarg;
			break;
		case OPT_SINCE:
			since = optarg;
			break;
		case OPT_UNTIL:
			until = optarg;
			break;
		case OPT_PRETTY:
			pretty = 1;
			break;
		case OPT_RAW:
			raw = 1;
			break;
		case OPT_FIELDS:
			fields_spec = optarg;
			break;
		case OPT_COLOR:
			color = optarg ? optarg : "auto";
			break;
		case 'F':
			o.follow = 1;
			break;
		case OPT_VERIFY:
			o.verify = 1;
			break;
		case 'p':
			pubfile = optarg;
			o.verify = 1;
			break;
		case OPT_DECRYPT:
			keyfile = optarg;
			break;
		case OPT_UTC:
			o.utc = 1;
			break;
		case 'i':
			icase = 1;
			break;
		case 'n':
			if (alog_parse_u64(optarg, 1000000, &v) != 0)
				alog_usage_error("-n takes a number of records (0 to 1000000), not '%s'",
				                 optarg);
			o.tail = v;
			o.tail_set = 1;
			break;
		case OPT_VERBOSE:
			o.verbose = 1;
			break;
		}
	}
	argc -= optind;
	argv += optind;
	if (nq == 0) {
		if (argc == 0)
			alog_usage_error("a QUERY is needed ('' selects every record)");
		queries = alog_xrealloc(queries, sizeof *queries);
		queries[nq++] = argv[0];
		argc--;
		argv++;
	}
	if (pretty + raw + (fields_spec != NULL) > 1)
		alog_usage_error("--pretty, --raw and --fields are different outputs: choose one");
	if (strcmp(color, "auto") != 0 && strcmp(color, "always") != 0 &&
	    strcmp(color, "never") != 0)
		alog_usage_error("--color takes auto, always or never, not '%s'", color);
	if (o.follow && o.count && !until && !o.max_count)
		alog_usage_error("--count never ends with --follow: add --until or -m");
	if (o.tail_set && (o.before || o.after))
		alog_usage_error("-n shows the last records selected: it takes no context (-A, -B, "
		                 "-C)");
	/* following starts at the end, as tail -F and journalctl -f do */
	if (o.follow && !o.tail_set && !o.before && !o.after) {
		o.tail = 10;
		o.tail_set = 1;
	}
	if (since) {
		o.have_since = 1;
		o.since = time_arg("--since", since, now, o.utc);
	}
	if (until) {
		o.have_until = 1;
		o.until = time_arg("--until", until, now, o.utc);
	}
	check_files(argv, argc);
	if (fields_spec) {
		if (alog_fields_parse(&fields, fields_spec, &e) != 0)
			alog_usage_error("%s", e.msg);
		o.fields = &fields;
		o.format = ALOG_GREP_FIELDS;
	} else if (pretty || (!raw && isatty(1))) {
		o.format = ALOG_GREP_PRETTY;
	}
	o.clean = isatty(1);
	o.color = o.format == ALOG_GREP_PRETTY &&
	          (strcmp(color, "always") == 0 ||
	           (strcmp(color, "auto") == 0 && alog_term_color_auto(1)));
	o.with_filename = with_name >= 0 ? with_name : argc > 1;
	if (pubfile) {
		/* the seals' signatures are libsodium's (a plain search never starts it) */
		if (sodium_init() < 0)
			abort();
		if (alog_pubkey_load(&pubkey, pubfile, &e) != 0)
			alog_die_error(ALOG_EXIT_ERR, &e);
		o.pubkey = &pubkey;
	}
	o.out_fd = 1;
	o.report = report;
	o.decrypt = keyfile != NULL;
	o.unprotect = alog_unprotect_new(keyfile, &e);
	if (!o.unprotect)
		alog_die_error(ALOG_EXIT_ERR, &e);
	/* last, so that no earlier error leaves it behind */
	o.query = alog_query_new();
	alog_query_set_icase(o.query, icase);
	for (int i = 0; i < nq; i++) {
		size_t at, len;
		if (alog_query_add(o.query, queries[i], &at, &len, &e) != 0) {
			const char *text = queries[i];
			free(queries);
			alog_query_free(o.query);
			alog_unprotect_free(o.unprotect);
			query_error(text, at, len, &e);
		}
	}
	free(queries);
	{
		const char *const *path;
		const char *val;
		size_t depth;
		for (size_t i = 0; alog_query_path(o.query, i, &path, &depth); i++)
			if (alog_query_eqeq(o.query, i, &val)) {
				/* once: the first such term says it for all */
				alog_warnx("warning: a term with '==' compares with a value starting "
				           "'=' ('%s'); NAME=VALUE is equality", val);
				break;
			}
	}

	if (argc == 0 && isatty(0)) {
		/* nothing is being piped in: search the log alog-append writes by default */
		static char *deflt[1];
		deflt[0] = (char *)alog_default_file();
		argv = deflt;
		argc = 1;
	}
	fflush(stdout);
	if (alog_grep_run(&o, argv, (size_t)argc, &res) != 0) {
		if (res.held_error && res.held_unsealed)
			alog_warnx("--verify: %s: %s; the output stops after line %llu, part way "
			           "through the records after the last seal, which no seal covers yet",
			           res.held_error, strerror(errno), (unsigned long long)res.held_lines);
		else if (res.held_error && res.held_part)
			alog_warnx("--verify: %s: %s; the output stops after line %llu, part way "
			           "through", res.held_error, strerror(errno),
			           (unsigned long long)res.held_lines);
		else if (res.held_error)
			alog_warnx("--verify: %s: %s; nothing more is shown", res.held_error,
			           strerror(errno));
		else if (errno != EPIPE)
			alog_warnx("write error on standard output: %s", strerror(errno));
		status = ALOG_EXIT_ERR;
	} else if (res.tampered) {
		status = EXIT_TAMPERED;
	} else if (res.errors && !(o.quiet && res.selected)) {
		status = ALOG_EXIT_ERR;
	} else {
		status = res.selected ? ALOG_EXIT_OK : ALOG_EXIT_FAIL;
	}
	if (!res.tampered && res.unsealed_printed)
		alog_warnx("warning: %llu of the records shown come after the last seal: their chain "
		           "checks, but no seal covers them yet",
		           (unsigned long long)res.unsealed_printed);
	alog_query_free(o.query);
	alog_unprotect_free(o.unprotect);
	if (fields_spec)
		alog_fields_free(&fields);
	return status;
}
