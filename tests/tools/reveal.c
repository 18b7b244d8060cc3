/*
 * reveal - the reading side of protected fields, as alog-grep and
 * alog-export use it, for the tests: print each record of a log with its
 * protected values opened (or placeholders), or look one member up.
 *
 *   reveal [-k READER_SECRET] [-m MEMBER.PATH] < LOG
 *
 * Exit 0; 1 if a value could not be opened (closed or broken); 2 on error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/reader.h"
#include "base/util.h"
#include "format/record.h"
#include "keys/protect.h"

int main(int argc, char **argv)
{
	const char *key = NULL, *member = NULL;
	struct alog_reveal_stats st = {0, 0, 0};
	struct alog_unprotect *u;
	struct alog_reader rd;
	struct alog_line l;
	struct alog_error e;
	char *path[64], *copy = NULL;
	size_t depth = 0;
	int c, rc, status = 0;

	alog_cli_init("reveal");
	while ((c = getopt(argc, argv, "k:m:")) != -1) {
		if (c == 'k')
			key = optarg;
		else if (c == 'm')
			member = optarg;
		else
			return 2;
	}
	if (member) {
		copy = alog_xstrdup(member);
		for (char *s = strtok(copy, "."); s && depth < 64; s = strtok(NULL, "."))
			path[depth++] = s;
	}
	u = alog_unprotect_new(key, &e);
	if (!u)
		alog_die_error(2, &e);
	alog_reader_fdopen(&rd, 0, "<stdin>", ALOG_MAX_LINE);
	while ((rc = alog_reader_next(&rd, &l, &e)) == ALOG_LINE_OK) {
		const char *out;
		size_t n;
		if (member) {
			struct alog_span v;
			rc = alog_unprotect_lookup(u, l.p, l.len, (const char *const *)path, depth,
			                           &v, &e);
			if (rc == ALOG_UNPROTECT_FOUND) {
				printf("%.*s\n", (int)v.n, v.p);
			} else if (rc == ALOG_UNPROTECT_ABSENT) {
				printf("(absent)\n");
			} else {
				alog_err_at(&e, "<stdin>", l.lineno);
				alog_report(&e);
				status = rc == ALOG_UNPROTECT_CLOSED ? 1 : 2;
			}
			continue;
		}
		if (alog_unprotect_reveal(u, l.p, l.len, &out, &n, &st, &e) != 0) {
			alog_err_at(&e, "<stdin>", l.lineno);
			alog_die_error(2, &e);
		}
		printf("%.*s\n", (int)n, out);
	}
	if (rc == ALOG_LINE_ERROR)
		alog_die_error(2, &e);
	alog_reader_close(&rd);
	alog_unprotect_free(u);
	free(copy);
	alog_close_stdout();
	if (!member)
		fprintf(stderr, "reveal: %llu opened, %llu closed, %llu broken\n",
		        (unsigned long long)st.opened, (unsigned long long)st.closed,
		        (unsigned long long)st.broken);
	if (st.closed || st.broken)
		status = 1;
	return status;
}
