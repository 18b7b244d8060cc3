#!/usr/bin/env bats
# Capturing the real programs: a throwaway PostgreSQL 15 writing jsonlog,
# nginx writing the access log format alog-append(1) gives, a private
# rsyslogd running alog-append under omprog, and PAM through pam_exec with
# pamtester.  Every event arrives once, mapped, masked by the policy and
# verifiable, also across kill -9 of the capture and rotations of the source.

load helpers
load servers

# The policy every capture here goes through: passwords in SQL text, card
# numbers, bearer tokens.
write_policy() {
	cat >policy.json <<'EOF'
{
  "rules": [
    {"name": "sql-password", "path": "query", "match": "[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd] +[^ ;,)]+", "do": "mask", "keep": 0}
  ],
  "detectors": {"card-number": true, "bearer-token": true, "url-password": true, "private-key": "reject"}
}
EOF
}

teardown() {
	[ -n "${FOLLOWER:-}" ] && kill -9 "$FOLLOWER" 2>/dev/null
	[ -n "${PAM_SERVICE_FILE:-}" ] && rm -f "$PAM_SERVICE_FILE"
	servers_stop_all
}

start_follower() {
	alog-append -f "$PWD/a.alog" --policy "$PWD/policy.json" --follow "$@" 2>>follower.err &
	FOLLOWER=$!
}

kill_follower() {
	kill -9 "$FOLLOWER" 2>/dev/null
	wait "$FOLLOWER" 2>/dev/null || true
	FOLLOWER=
	# a kill in the middle of a write leaves a torn tail: moved aside, recorded
	alog-verify -q a.alog 2>/dev/null || alog-append -f a.alog --recover 2>/dev/null || true
}

# count LOG TEXT: records holding TEXT
count() { grep -cF -- "$2" "$1" || true; }

has_at_least() { [ "$(count "$1" "$2")" -ge "$3" ]; }

# Each tag-N of FROM..TO in exactly one record of the log.
tags_once() {
	local log=$1 prefix=$2 from=$3 to=$4 i c bad=
	for ((i = from; i <= to; i++)); do
		c=$(grep -c -- "$prefix$i\\b" "$log" || true)
		[ "$c" = 1 ] || bad+=" $prefix$i:$c"
	done
	[ -z "$bad" ] || { echo "not once each:$bad"; return 1; }
}

# Wait until the wall clock second changes (PostgreSQL names log files by the second).
_not_second() { [ "$(date +%s)" != "$1" ]; }
next_second() {
	wait_for "the next second" _not_second "$(date +%s)"
}

@test "PostgreSQL 15 jsonlog: each query once, mapped and masked, across kill -9 and log rotations" {
	write_policy
	pg_start "logging_collector = on" "log_destination = 'jsonlog'" "log_statement = 'all'" \
		"log_connections = on" "log_disconnections = on" \
		"log_filename = 'postgresql-%Y-%m-%d_%H%M%S.log'"
	start_follower "$PG_LOGDIR/postgresql-*.json" --source postgres-jsonlog
	pg_psql -q -c "create role app login password 'S3cret!pw'" >/dev/null
	pg_psql -q -c "select 'q-1' as tag, '4111 1111 1111 1111' as card" >/dev/null
	wait_for "the first queries in the log" has_at_least a.alog "q-1" 1
	# a stream of queries, and the follower killed in the middle of it
	for i in $(seq 2 400); do echo "select 'q-$i';"; done >batch1.sql
	pg_psql -q -f batch1.sql >/dev/null &
	psql_pid=$!
	wait_for "some of the stream" has_at_least a.alog "'q-" 20
	kill_follower
	wait "$psql_pid"
	start_follower "$PG_LOGDIR/postgresql-*.json" --source postgres-jsonlog
	wait_for "the stream" has_at_least a.alog "'q-400'" 1
	# the server rotates its log while followed
	next_second
	pg_psql -q -c "select pg_rotate_logfile()" >/dev/null
	pg_psql -q -c "select 'q-401'" >/dev/null
	wait_for "a query after the rotation" has_at_least a.alog "'q-401'" 1
	# and while the follower is down: the old file's rest is read first
	kill_follower
	pg_psql -q -c "select 'q-402'" >/dev/null
	next_second
	pg_psql -q -c "select pg_rotate_logfile()" >/dev/null
	pg_psql -q -c "select 'q-403'" >/dev/null
	start_follower "$PG_LOGDIR/postgresql-*.json" --source postgres-jsonlog
	wait_for "the queries after the second rotation" has_at_least a.alog "'q-403'" 1
	pg_psql -q -c "select 'q-404'" >/dev/null
	! pg_psql -q -c "select 1/0" 2>/dev/null || false
	wait_for "the last query" has_at_least a.alog '"action":"db.error"' 1
	kill -TERM "$FOLLOWER"
	wait "$FOLLOWER"
	FOLLOWER=

	[ "$(ls "$PG_LOGDIR"/postgresql-*.json | wc -l)" -ge 3 ]
	tags_once a.alog "'q-" 1 404
	# mapped: who, which database, the session, the query
	grep -q '"action":"db.query","actor":"postgres","target":"postgres","src":{"host":"\[local\]"},"session":"[0-9a-f.]*","query":"select '"'q-7'"';"' a.alog
	grep -q '"action":"db.connect","actor":"postgres","target":"postgres".*"result":"success"' a.alog
	grep -q '"action":"db.disconnect"' a.alog
	grep -q '"action":"db.error",.*"result":"failure",.*"query":"select 1/0","msg":"division by zero"' a.alog
	# masked before anything was written
	! grep -q 'S3cret' a.alog || false
	! grep -q '4111 1111 1111 1111' a.alog || false
	grep -q '"query":"create role app login \*\{20\}"' a.alog
	grep -q '"rule":"card-number","action":"mask"' a.alog
	! grep -q capture.gap a.alog || false
	alog-verify -q a.alog
}

NGINX_FORMAT="escape=json '{\"time\":\"\$time_iso8601\",\"remote_addr\":\"\$remote_addr\",\"remote_user\":\"\$remote_user\",\"request_method\":\"\$request_method\",\"request_uri\":\"\$request_uri\",\"server_protocol\":\"\$server_protocol\",\"status\":\$status,\"body_bytes_sent\":\$body_bytes_sent,\"request_time\":\$request_time,\"http_referer\":\"\$http_referer\",\"http_user_agent\":\"\$http_user_agent\",\"http_authorization\":\"\$http_authorization\",\"host\":\"\$host\",\"request_id\":\"\$request_id\"}'"

@test "nginx: each request once, bearer tokens masked, across kill -9" {
	write_policy
	nginx_start "$NGINX_FORMAT" "location /api/ { return 403; }"
	start_follower "$NGINX_ACCESS_LOG" --source nginx-json
	for i in $(seq 1 30); do
		curl -sf -o /dev/null -H "Authorization: Bearer tok_abcdefghijklmnopqrstuvwxyz$i" \
			"$NGINX_URL/?r=$i"
	done
	wait_for "the first requests" has_at_least a.alog "r=30" 1
	kill_follower
	for i in $(seq 31 60); do
		curl -s -o /dev/null -X POST -u "ann:pw$i" "$NGINX_URL/api/orders?r=$i"
	done
	start_follower "$NGINX_ACCESS_LOG" --source nginx-json
	wait_for "the requests after the restart" has_at_least a.alog "r=60" 1
	kill -TERM "$FOLLOWER"
	wait "$FOLLOWER"
	FOLLOWER=
	tags_once a.alog "r=" 1 60
	! grep -q 'tok_abcdefghijklmnopqrstuvwxyz' a.alog || false
	grep -q '"action":"http.get","target":"/?r=7","src":{"ip":"127.0.0.1"},"result":"success","http":{' a.alog
	grep -q '"action":"http.post","actor":"ann","target":"/api/orders?r=40","src":{"ip":"127.0.0.1"},"result":"failure"' a.alog
	grep -q '"http_authorization":"Bearer \*\**"' a.alog
	alog-verify -q a.alog
}

RSYSLOG_TEMPLATE='template(name="alog" type="list" option.jsonf="on") {
  property(outname="time" name="timereported" dateFormat="rfc3339" format="jsonf")
  property(outname="host" name="hostname" format="jsonf")
  property(outname="app" name="app-name" format="jsonf")
  property(outname="procid" name="procid" format="jsonf")
  property(outname="facility" name="syslogfacility-text" format="jsonf")
  property(outname="severity" name="syslogseverity-text" format="jsonf")
  property(outname="msg" name="msg" format="jsonf")
  property(outname="uuid" name="uuid" format="jsonf")
}'

@test "the man page's nginx log_format and rsyslog template are the ones the tests run" {
	page=$(man_dir)/alog-append.1
	[ "$(sed -n 's/^log_format alog \(.*\);$/\1/p' "$page")" = "$NGINX_FORMAT" ]
	[ "$(sed -n '/^template(name="alog"/,/^}/p' "$page")" = "$RSYSLOG_TEMPLATE" ]
}

@test "rsyslog omprog: each logger message once, also after alog-append is killed" {
	write_policy
	rsyslog_start "action(type=\"omprog\" binary=\"$(command -v alog-append) -f $PWD/a.alog --policy $PWD/policy.json --omprog\" template=\"alog\" confirmMessages=\"on\" action.resumeInterval=\"1\" action.resumeRetryCount=\"-1\")" \
		"$RSYSLOG_TEMPLATE"
	for i in $(seq 1 20); do
		rsyslog_logger -t sshd "Accepted password for user$i from 192.0.2.$i port 40$i ssh2"
	done
	wait_for "the first messages" has_at_least a.alog "user20 " 1
	for round in 1 2 3; do
		pid=$(pgrep -f -- "--omprog" | head -n1)
		[ -n "$pid" ]
		for i in $(seq $((round * 100)) $((round * 100 + 30))); do
			rsyslog_logger -t app "message m-$i"
		done
		kill -9 "$pid"
		for i in $(seq $((round * 100 + 31)) $((round * 100 + 50))); do
			rsyslog_logger -t app "message m-$i"
		done
		wait_for "round $round" has_at_least a.alog "m-$((round * 100 + 50))\"" 1
		alog-verify -q a.alog 2>/dev/null || alog-append -f a.alog --recover 2>/dev/null
	done
	for round in 1 2 3; do
		tags_once a.alog "m-" $((round * 100)) $((round * 100 + 50))
	done
	tags_once a.alog "user" 1 20
	grep -q '"action":"auth.login","actor":"user5","src":{"ip":"192.0.2.5","port":405},"result":"success"' a.alog
	grep -q '"alog":{"source":{"kind":"rsyslog","stream":"rsyslog","id":"[0-9A-F]\{32\}"}}' a.alog
	alog-verify -q a.alog
}

@test "omprog: a message sent again after a crash between fsync and OK is confirmed, not written twice" {
	msg='{"time":"2026-12-02T10:47:32.816109+00:00","host":"vm","app":"app","procid":"-","facility":"user","severity":"notice","msg":" hello","uuid":"8443AAB2A20F4E17890F46CCB5451626"}'
	printf '%s\n' "$msg" | alog-append -f a.alog --omprog >out
	[ "$(cat out)" = "$(printf 'OK\nOK')" ]
	# rsyslog had no OK for it (the writer died): it sends it again to the next one
	printf '%s\n%s\n' "$msg" "${msg/8443/9999}" | alog-append -f a.alog --omprog >out
	[ "$(cat out)" = "$(printf 'OK\nOK\nOK')" ]
	[ "$(grep -c '"msg":"hello"' a.alog)" -eq 2 ]
	[ "$(grep -c 8443AAB2A20F4E17890F46CCB5451626 a.alog)" -eq 1 ]
	# a line that is not rsyslog's template is a note, and still confirmed
	printf 'garbage\n' | alog-append -f a.alog --omprog >out
	[ "$(cat out)" = "$(printf 'OK\nOK')" ]
	grep -q '"action":"capture.bad_input"' a.alog
}

@test "PAM: pam_exec records logins, failures and sessions with user, service, host and result" {
	[ "$(id -u)" = 0 ] || skip "a PAM service file goes in /etc/pam.d: root only"
	command -v pamtester >/dev/null || skip "pamtester is not installed: tests/deps.sh installs it"
	[ -e /lib/x86_64-linux-gnu/security/pam_exec.so ] || [ -e /usr/lib/x86_64-linux-gnu/security/pam_exec.so ] ||
		skip "pam_exec.so is not installed (libpam-modules)"
	svc=alog-test-$$
	PAM_SERVICE_FILE=/etc/pam.d/$svc
	bin=$(command -v alog-append)
	# the lines alog-append(1) documents, around a stand-in for pam_unix
	cat >"$PAM_SERVICE_FILE" <<EOF
auth     [success=2 default=ignore]  pam_succeed_if.so quiet user = alice
auth     optional   pam_exec.so quiet $bin -f $PWD/a.alog --pam --result failure
auth     requisite  pam_deny.so
auth     optional   pam_exec.so quiet $bin -f $PWD/a.alog --pam --result success
auth     required   pam_permit.so
account  required   pam_permit.so
session  optional   pam_exec.so quiet $bin -f $PWD/a.alog --pam
EOF
	pamtester -v -I rhost=198.51.100.4 -I tty=pts/3 "$svc" alice authenticate open_session close_session
	run pamtester -I rhost=203.0.113.9 "$svc" mallory authenticate
	[ "$status" -ne 0 ]
	[ "$(grep -c . a.alog)" -eq 5 ]
	[[ $(line a.alog 2) == *'"action":"auth.login","actor":"alice","src":{"ip":"198.51.100.4"},"result":"success","pam":{"service":"'$svc'","type":"auth","tty":"pts/3"}'* ]]
	[[ $(line a.alog 3) == *'"action":"session.open","actor":"alice","src":{"ip":"198.51.100.4"},"result":"success"'* ]]
	[[ $(line a.alog 4) == *'"action":"session.close","actor":"alice"'* ]]
	[[ $(line a.alog 5) == *'"action":"auth.login","actor":"mallory","src":{"ip":"203.0.113.9"},"result":"failure","pam":{"service":"'$svc'","type":"auth"}'* ]]
	alog-verify -q a.alog
	# not run by pam_exec: a usage error, nothing written
	run alog-append -f a.alog --pam
	[ "$status" -eq 2 ]
	[[ $output == *"PAM_TYPE is not set"* ]]
}
