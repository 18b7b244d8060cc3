/*
 * srcpos.c - writing a source position into a record's alog member, and
 * finding the last one of a source in a log, reading backwards (and into
 * the earlier files of a rotated log when the live one holds none).
 */
#include "capture/srcpos.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/enc.h"
#include "base/json.h"
#include "format/record.h"
#include "log/logfile.h"
#include "log/writer.h"

/* How many earlier files of a rotated log are searched, at most. */
#define MAX_PREDECESSORS 64

size_t alog_srcpos_format(struct alog_srcpos_fmt *c, const char *kind, const char *path_esc,
                          const struct alog_srcpos *p)
{
	char num[24];
	size_t k = sizeof num;
	uint64_t v = p->end;

	if (!c->valid || c->ino != p->ino || memcmp(c->fp, p->fp, ALOG_FP_LEN) != 0 ||
	    strcmp(c->file, p->file) != 0) {
		char fp[2 * ALOG_FP_LEN + 1], file_esc[6 * PATH_MAX];
		long fe = alog_json_escape(p->file, strlen(p->file), file_esc);
		/* the file is named when it is not the path itself (a pattern's, a rotated one) */
		if (fe >= 0 && (size_t)fe == strlen(path_esc) &&
		    memcmp(file_esc, path_esc, (size_t)fe) == 0)
			fe = -1;
		alog_hex(fp, p->fp, ALOG_FP_LEN);
		c->head = (size_t)snprintf(c->buf, sizeof c->buf,
		                           "\"source\":{\"kind\":\"%s\",\"path\":\"%s\"%s%.*s%s,"
		                           "\"ino\":%llu,\"fp\":\"%s\",\"end\":",
		                           kind, path_esc, fe >= 0 ? ",\"file\":\"" : "",
		                           fe >= 0 ? (int)fe : 0, file_esc, fe >= 0 ? "\"" : "",
		                           (unsigned long long)p->ino, fp);
		snprintf(c->file, sizeof c->file, "%s", p->file);
		c->ino = p->ino;
		memcpy(c->fp, p->fp, ALOG_FP_LEN);
		c->valid = 1;
	}
	do {
		num[--k] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	memcpy(c->buf + c->head, num + k, sizeof num - k);
	c->buf[c->head + sizeof num - k] = '}';
	return c->head + sizeof num - k + 1;
}

size_t alog_srcpos_format_stream(char *out, const char *kind, const char *stream_esc,
                                 const char *id_esc)
{
	int n = snprintf(out, ALOG_SRCPOS_MAX,
	                 "\"source\":{\"kind\":\"%s\",\"stream\":\"%s\",\"id\":\"%s\"}", kind,
	                 stream_esc, id_esc);
	return (size_t)n;
}

static int span_u64(struct alog_span v, uint64_t *out)
{
	char num[24];
	if (v.n == 0 || v.n >= sizeof num)
		return -1;
	memcpy(num, v.p, v.n);
	num[v.n] = '\0';
	return alog_parse_u64(num, UINT64_MAX, out) < 0 ? -1 : 0;
}

/* A string value's raw contents (between the quotes). */
static int span_str(struct alog_span v, struct alog_span *raw)
{
	if (v.n < 2 || v.p[0] != '"' || v.p[v.n - 1] != '"')
		return -1;
	raw->p = v.p + 1;
	raw->n = v.n - 2;
	return 0;
}

int alog_srcpos_of_record(const char *line, size_t len, const char *key, const char *value_esc,
                          struct alog_srcpos_found *out)
{
	struct alog_rec r;
	struct alog_error pe;
	struct alog_json_iter it;
	struct alog_span name, val, alog = {NULL, 0}, src, s;
	static const char *const path_src[] = {"source"};
	int rc;

	/* cheap test first: most records of a busy log are not captured ones */
	if (!memmem(line, len, "\"source\":{\"kind\":", 17))
		return 0;
	if (alog_rec_parse(&r, line, len, &pe) != 0 || r.type != ALOG_REC_EVENT)
		return 0;
	if (alog_json_iter_init(&it, line, len) != 0)
		return -1;
	/* the last top-level member named alog */
	while ((rc = alog_json_iter_next(&it, &name, &val)) == 1)
		if (alog_json_name_eq(name, "alog", 4))
			alog = val;
	if (rc < 0 || !alog.p)
		return 0;
	if (alog_json_lookup(alog.p, alog.n, path_src, 1, &src) != 1 ||
	    alog_json_type(src.p, src.n) != ALOG_JSON_OBJECT)
		return 0;
	if (value_esc) {
		const char *const kp[] = {key};
		if (alog_json_lookup(src.p, src.n, kp, 1, &val) != 1 || span_str(val, &s) != 0 ||
		    s.n != strlen(value_esc) || memcmp(s.p, value_esc, s.n) != 0)
			return 0;
	}
	memset(out, 0, sizeof *out);
	out->seq = r.seq;
	if (strcmp(key, "stream") == 0) {
		static const char *const idp[] = {"id"};
		if (alog_json_lookup(src.p, src.n, idp, 1, &val) != 1 || span_str(val, &s) != 0)
			return -1;
		long k = alog_json_unescape(s.p, s.n, out->id, sizeof out->id - 1);
		if (k < 0)
			return -1;
		out->id[k] = '\0';
		return 1;
	}
	static const char *const filep[] = {"file"}, *const pathp[] = {"path"},
	                         *const inop[] = {"ino"}, *const fpp[] = {"fp"},
	                         *const endp[] = {"end"};
	if (alog_json_lookup(src.p, src.n, filep, 1, &val) != 1 &&
	    alog_json_lookup(src.p, src.n, pathp, 1, &val) != 1)
		return -1;
	if (span_str(val, &s) != 0)
		return -1;
	long k = alog_json_unescape(s.p, s.n, out->pos.file, sizeof out->pos.file - 1);
	if (k < 0)
		return -1;
	out->pos.file[k] = '\0';
	if (alog_json_lookup(src.p, src.n, inop, 1, &val) != 1 || span_u64(val, &out->pos.ino) != 0)
		return -1;
	if (alog_json_lookup(src.p, src.n, endp, 1, &val) != 1 || span_u64(val, &out->pos.end) != 0)
		return -1;
	if (alog_json_lookup(src.p, src.n, fpp, 1, &val) != 1 || span_str(val, &s) != 0 ||
	    alog_unhex(out->pos.fp, ALOG_FP_LEN, s.p, s.n) != 0)
		return -1;
	return 1;
}

/* The prev hash of a continuation header line; 1 found, 0 none. */
static int header_prev(const char *line, size_t len, uint8_t prev[32])
{
	static const char *const pp[] = {"prev"};
	struct alog_span v, s;

	if (alog_json_lookup(line, len, pp, 1, &v) != 1 || span_str(v, &s) != 0)
		return 0;
	return alog_unhex(prev, 32, s.p, s.n) == 0;
}

/*
 * Scan one file backwards.  1 found, 0 none (prev set and *has_prev when
 * its header continues a rotated log), -1 error.
 */
static int scan_file(int fd, uint64_t size, const char *key, const char *value_esc,
                     struct alog_srcpos_found *out, uint8_t prev[32], int *has_prev,
                     struct alog_error *e)
{
	struct alog_backscan b;
	const char *line;
	size_t len;
	uint64_t off;
	int rc;

	*has_prev = 0;
	alog_backscan_init(&b, fd, size);
	while ((rc = alog_backscan_prev(&b, &line, &len, &off, e)) == 1) {
		int got = alog_srcpos_of_record(line, len, key, value_esc, out);
		if (got == 1) {
			alog_backscan_free(&b);
			return 1;
		}
		if (got < 0) {
			alog_err(e, "a record's alog.source member is malformed");
			alog_backscan_free(&b);
			return -1;
		}
		if (off == 0)
			*has_prev = header_prev(line, len, prev);
	}
	alog_backscan_free(&b);
	return rc < 0 ? -1 : 0;
}

/* In dir, the log file whose last record's hash is prev: an open fd (size set), or -1. */
static int find_predecessor(const char *dir, const uint8_t prev[32], uint64_t *size)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int found = -1;

	if (!d)
		return -1;
	while (found < 0 && (de = readdir(d)) != NULL) {
		char full[PATH_MAX];
		struct stat st;
		struct alog_tail t;
		struct alog_torn torn;
		struct alog_error ie;
		int fd;

		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(full, sizeof full, "%s/%s", dir, de->d_name) >= sizeof full)
			continue;
		fd = open(full, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
		if (fd < 0)
			continue;
		if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
		    alog_tail_read(fd, (uint64_t)st.st_size, &t, &torn, &ie) == 0 &&
		    memcmp(t.hash, prev, 32) == 0) {
			found = fd;
			*size = (uint64_t)st.st_size;
		} else {
			close(fd);
		}
	}
	closedir(d);
	return found;
}

int alog_srcpos_last(const char *log, const char *key, const char *value_esc,
                     struct alog_srcpos_found *out, struct alog_error *e)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(log, '/');
	uint8_t prev[32];
	struct stat st;
	int fd, has_prev, rc;
	uint64_t size;

	fd = open(log, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return 0;
		alog_errno(e, "cannot open log");
		return alog_err_at(e, log, 0);
	}
	if (fstat(fd, &st) != 0) {
		alog_errno(e, "cannot stat log");
		close(fd);
		return alog_err_at(e, log, 0);
	}
	if (!slash)
		snprintf(dir, sizeof dir, ".");
	else
		snprintf(dir, sizeof dir, "%.*s", slash == log ? 1 : (int)(slash - log), log);
	size = (uint64_t)st.st_size;
	for (int depth = 0;; depth++) {
		rc = scan_file(fd, size, key, value_esc, out, prev, &has_prev, e);
		close(fd);
		if (rc != 0) {
			if (rc < 0)
				alog_err_at(e, log, 0);
			return rc;
		}
		if (!has_prev || depth >= MAX_PREDECESSORS)
			return 0;
		fd = find_predecessor(dir, prev, &size);
		if (fd < 0)
			return 0;
	}
}
