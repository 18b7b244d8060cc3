/*
 * fuzz_ingest.c - libFuzzer target for ingest: a JSON line, a text line
 * (--text) or KEY=VALUE arguments (NUL-separated) become record members.
 * Whatever is accepted must make exactly one record line, with no raw
 * C0 control character, that jansson reads without duplicate names, that
 * carries no reserved name of the user's, and that the verifier passes
 * with --strict after a header.
 */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "format/record.h"
#include "ops/verify.h"
#include "policy/event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void on_problem(void *ctx, const struct alog_problem *p)
{
	if (!p->warning)
		*(int *)ctx = 1;
}

static void check_record(const char *members, size_t m)
{
	static const char hdr[] = ",\"v\":1,\"origin\":\"fuzz.example/audit\"";
	static const uint8_t zero[32];
	char *log = malloc(alog_rec_size(sizeof hdr - 1, "open") + alog_rec_size(m, NULL));
	uint8_t h[32];
	size_t n1, n2;
	struct alog_rec r;
	struct alog_error e;
	struct alog_verify_opts o;
	struct alog_verify_summary s;
	struct alog_verifier *v;
	json_t *j;
	char path[64];
	int fd, bad = 0;

	n1 = alog_rec_format(log, 1, 1764307037123456789LL, "open", hdr, sizeof hdr - 1, zero, h);
	n2 = alog_rec_format(log + n1, 2, 1764307038000000001LL, NULL, members, m, h, h);
	for (size_t i = n1; i < n1 + n2 - 1; i++)
		if ((unsigned char)log[i] < 0x20) /* JSON forbids C0 raw; DEL is allowed */
			abort();
	if (log[n1 + n2 - 1] != '\n')
		abort();
	if (alog_rec_parse(&r, log + n1, n2, &e) != 0 || r.type != ALOG_REC_EVENT || r.seq != 2)
		abort();
	j = json_loadb(log + n1, n2 - 1, JSON_REJECT_DUPLICATES, NULL);
	if (!j || !json_is_object(j) || json_object_get(j, "type") || json_object_get(j, "prev") ||
	    json_object_get(j, "alog") || json_integer_value(json_object_get(j, "seq")) != 2 ||
	    (m == 0 && json_object_size(j) != 3))
		abort();
	json_decref(j);

	fd = memfd_create("log", 0);
	if (fd < 0 || write(fd, log, n1 + n2) != (ssize_t)(n1 + n2))
		abort();
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	memset(&o, 0, sizeof o);
	o.key_next = -1;
	o.strict_json = 1;
	o.strict_time = 1;
	v = alog_verifier_new(&o, on_problem, &bad);
	if (alog_verify_file(v, path, &e) != 0)
		abort();
	alog_verifier_finish(v, &s);
	alog_verifier_free(v);
	close(fd);
	if (bad || s.errors || s.records != 2)
		abort();
	free(log);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct alog_error e;
	char *in, *out;
	long m;

	if (size < 1 || size > 65536)
		return 0;
	in = malloc(size);
	memcpy(in, data + 1, size - 1);
	switch (data[0] % 3) {
	case 0:
		out = malloc(size);
		m = alog_event_from_json(in, size - 1, out, &e);
		if (m >= 0)
			check_record(out, (size_t)m);
		free(out);
		break;
	case 1:
		out = malloc(6 * size + 16);
		m = alog_event_from_text(in, size - 1, out, &e);
		if (m >= 0)
			check_record(out, (size_t)m);
		free(out);
		break;
	default: {
		char *args[64], *copy = malloc(size);
		size_t len;
		int n = 0;
		memcpy(copy, data + 1, size - 1);
		copy[size - 1] = '\0';
		for (char *p = copy; n < 64 && p < copy + size - 1; p += strlen(p) + 1)
			args[n++] = p;
		out = alog_event_from_args(args, n, &len, &e);
		if (out)
			check_record(out, len);
		free(out);
		free(copy);
	}
	}
	free(in);
	return 0;
}
