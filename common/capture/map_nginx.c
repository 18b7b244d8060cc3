/*
 * map_nginx.c - the nginx-json kind: one access log line written with
 * `log_format NAME escape=json '{...}'` (alog-append(1) gives the format)
 * to an http.<method> event; the variables not mapped stay under "http",
 * empty ones left out.
 */
#include <stdio.h>
#include <string.h>

#include "base/json.h"
#include "capture/map.h"

enum { K_ADDR, K_USER, K_METHOD, K_URI, K_STATUS, K_REQUEST, K_N };

static int status_of(struct alog_span v)
{
	int s = 0;
	size_t i = v.n >= 2 && v.p[0] == '"' ? 1 : 0, end = i ? v.n - 1 : v.n;
	if (end - i != 3)
		return -1;
	for (; i < end; i++) {
		if (v.p[i] < '0' || v.p[i] > '9')
			return -1;
		s = s * 10 + (v.p[i] - '0');
	}
	return s;
}

/* "http." + the method in lower case, when it is a plain token. */
static void method_action(char *out, size_t cap, struct alog_span m)
{
	size_t k = 5;
	memcpy(out, "http.", 5);
	for (size_t i = 0; i < m.n; i++) {
		char c = m.p[i];
		if (k + 2 >= cap || !((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '-')) {
			snprintf(out, cap, "http.request");
			return;
		}
		out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
	}
	if (k == 5) {
		snprintf(out, cap, "http.request");
		return;
	}
	out[k] = '\0';
}

int map_nginx(struct ev *v, char *scratch, const char *in, size_t n, struct alog_error *e)
{
	static const char *const names[K_N] = {"remote_addr", "remote_user", "request_method",
	                                       "request_uri", "status", "request"};
	struct alog_span val[K_N], raw[K_N], name, value, method = {NULL, 0}, uri = {NULL, 0};
	struct alog_json_iter it;
	int have[K_N] = {0}, rc, status;
	char action[40];
	long len = compact_object(in, n, scratch, e);

	if (len < 0)
		return -1;
	alog_json_iter_init(&it, scratch, (size_t)len);
	while ((rc = alog_json_iter_next(&it, &name, &value)) == 1) {
		for (int k = 0; k < K_N; k++) {
			if (alog_span_eq(name, names[k])) {
				have[k] = 1;
				val[k] = value;
				raw[k] = (struct alog_span){NULL, 0};
				if (value.n >= 2 && value.p[0] == '"')
					raw[k] = (struct alog_span){value.p + 1, value.n - 2};
				break;
			}
		}
	}
	if (rc < 0)
		return alog_err(e, "malformed JSON object");
	if (have[K_METHOD] && raw[K_METHOD].p)
		method = raw[K_METHOD];
	if (have[K_URI] && raw[K_URI].p)
		uri = raw[K_URI];
	if (have[K_REQUEST] && raw[K_REQUEST].p && (!method.p || !uri.p)) {
		/* "$request": METHOD SP URI SP PROTOCOL */
		struct alog_span r = raw[K_REQUEST];
		const char *sp = memchr(r.p, ' ', r.n);
		if (sp) {
			const char *sp2 = memchr(sp + 1, ' ', r.n - (size_t)(sp + 1 - r.p));
			if (!method.p)
				method = (struct alog_span){r.p, (size_t)(sp - r.p)};
			if (!uri.p)
				uri = (struct alog_span){sp + 1, sp2 ? (size_t)(sp2 - sp - 1)
				                                     : r.n - (size_t)(sp + 1 - r.p)};
		}
	}
	if (!method.p && !have[K_STATUS])
		return alog_err(e, "not an nginx access log line: no request_method, request or "
		                   "status");
	method_action(action, sizeof action, method.p ? method : (struct alog_span){"", 0});
	ev_cstr(v, "action", action);
	if (have[K_USER] && raw[K_USER].p && raw[K_USER].n)
		ev_raw(v, "actor", val[K_USER].p, val[K_USER].n);
	if (uri.p && uri.n)
		ev_rawstr(v, "target", uri.p, uri.n);
	if (have[K_ADDR] && raw[K_ADDR].p && raw[K_ADDR].n) {
		ev_open(v, "src");
		ev_raw(v, "ip", val[K_ADDR].p, val[K_ADDR].n);
		ev_close(v);
	}
	status = have[K_STATUS] ? status_of(val[K_STATUS]) : -1;
	if (status >= 100)
		ev_cstr(v, "result", status < 400 ? "success" : "failure");
	ev_open(v, "http");
	alog_json_iter_init(&it, scratch, (size_t)len);
	while (alog_json_iter_next(&it, &name, &value) == 1) {
		if (alog_span_eq(name, "remote_addr") || alog_span_eq(name, "remote_user") ||
		    alog_span_eq(name, "request_uri"))
			continue;
		if (value.n == 2 && value.p[0] == '"') /* "" : nginx's way of saying unset */
			continue;
		if (value.n == 3 && memcmp(value.p, "\"-\"", 3) == 0)
			continue;
		ev_raw_named(v, name, value);
	}
	ev_close(v);
	return 0;
}
