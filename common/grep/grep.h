/*
 * grep.h - the search engine behind alog-grep: reads log files in order
 * (binary search on ts for time ranges in seekable files whose header
 * promises time order, tail -F style following across rotations), selects records with a query, prints them
 * raw, pretty or as fields with grep's context and counting habits, and
 * can verify everything it reads in the same pass.
 */
#ifndef ALOG_GREP_H
#define ALOG_GREP_H

#include <stddef.h>
#include <stdint.h>

#include "grep/query.h"
#include "grep/render.h"
#include "keys/key.h"
#include "keys/protect.h"

enum alog_grep_format {
	ALOG_GREP_RAW,    /* lines as stored */
	ALOG_GREP_PRETTY, /* one readable line per record */
	ALOG_GREP_FIELDS, /* chosen members, tab-separated */
};

struct alog_grep_opts {
	struct alog_query *query;
	int invert;        /* -v */
	int count;         /* -c */
	int list;          /* -l */
	int quiet;         /* -q */
	uint64_t max_count; /* -m N per input; 0: no limit */
	unsigned before, after; /* -B, -A */
	int have_since, have_until;
	int64_t since, until; /* ns; since <= ts < until */
	enum alog_grep_format format;
	const struct alog_fields *fields;
	int color;         /* SGR colours in pretty output */
	int utc;           /* pretty times in UTC, not local time */
	int verbose;       /* pretty: a policy's notes in full */
	uint64_t tail;     /* with tail_set: print only the last tail selected records */
	int tail_set;      /* (then --follow goes on from there) */
	int clean;         /* output is a terminal: neutralise raw lines and names too */
	int with_filename; /* prefix pretty and fields lines with the input name */
	int follow;        /* keep reading the last input as it grows, across rotations */
	int verify;        /* check chain (and seals) of everything read */
	const struct alog_pubkey *pubkey; /* with verify: check seals */
	/*
	 * Protected values (alog-policy(5)): with no key, a query term on one
	 * is an error and pretty and fields output show a placeholder; with a
	 * key (decrypt), terms see the opened values and every output form
	 * shows them.  NULL: values are taken as they are.
	 */
	struct alog_unprotect *unprotect;
	int decrypt;
	int out_fd;
	/*
	 * Problems met on the way (inputs that cannot be read, lines that are
	 * not records, what --verify finds), as they are met: one line each,
	 * "NAME:LINE: message" without LF, neutralised for a terminal.  NULL:
	 * not reported.
	 */
	void (*report)(void *ctx, const char *line, size_t n);
	void *report_ctx;
};

struct alog_grep_result {
	uint64_t selected; /* records selected (before -v... after: what was printed or counted) */
	uint64_t errors;   /* inputs that could not be read, lines that are not records */
	int tampered;      /* --verify found a problem */
	int protected_term; /* a term needed a protected value no key here opens */
	uint64_t unsealed_printed; /* with -p: selected records after the last seal */
	const char *held_error; /* -1 because the temp file holding --verify's output failed */
	int held_part;      /* held_error: part of what was being released had gone out */
	uint64_t held_lines; /* held_part: the lines shown, all of them whole */
	int held_unsealed;  /* held_part: records after the last seal among it (with -p) */
};

/*
 * Search the files (NULL or "-": standard input) in order.  Problems go to
 * o->report as they are met; when --verify finds the log damaged, the
 * last report says that nothing from the damaged region on was shown;
 * a read error of an input stops it there (reported, res->errors), and
 * what was held for a seal not reached is not shown.
 * Returns 0, or -1 (errno set) when writing the output failed, or the
 * temp file holding it back under --verify (res->held_error says how);
 * nothing more is written after a failure.
 */
int alog_grep_run(const struct alog_grep_opts *o, char *const *files, size_t nfiles,
                  struct alog_grep_result *res);

#endif
