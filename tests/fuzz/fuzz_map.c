/*
 * fuzz_map.c - libFuzzer target for the postgres-jsonlog mapping: any
 * bytes as a line, mapped by the one-pass path (member spans from the
 * validator) and by the portable path (a walk of the compact line); the
 * result, the members and the error message must be the same.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/source.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *saved;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct alog_mapper *m;
	struct alog_error e1, e2;
	const char *p;
	size_t n1, n2;
	int r1, r2;

	if (!m && !(m = alog_mapper_new("postgres-jsonlog", NULL, &e1)))
		abort();
	alog_error_clear(&e1);
	alog_error_clear(&e2);
	alog_mapper_set_portable(0);
	r1 = alog_mapper_map(m, (const char *)data, size, &p, &n1, &e1);
	if (r1 == 0) {
		saved = realloc(saved, n1 + 1);
		if (!saved)
			abort();
		memcpy(saved, p, n1);
	}
	alog_mapper_set_portable(1);
	r2 = alog_mapper_map(m, (const char *)data, size, &p, &n2, &e2);
	alog_mapper_set_portable(0);
	if (r1 != r2)
		abort();
	if (r1 == 0 && (n1 != n2 || memcmp(saved, p, n1) != 0))
		abort();
	if (r1 < 0 && strcmp(e1.msg, e2.msg) != 0)
		abort();
	return 0;
}
