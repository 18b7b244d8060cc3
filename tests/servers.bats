#!/usr/bin/env bats
# The server harness (tests/servers.bash): each real server starts as a
# private instance, does what the test configured, listens on no public
# address, and leaves no process behind.

load helpers
load servers

teardown() { servers_stop_all; }

# The local addresses PID listens on, one a line.
listen_addrs() {
	ss -Hltnp | grep "pid=$1," | awk '{ print $4 }'
}

@test "PostgreSQL 15: a private cluster on a unix socket answers psql and logs where the test said" {
	pg_start "log_destination = 'jsonlog'" "logging_collector = on" "log_statement = 'all'"
	run pg_psql -At -c 'select 1'
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = 1 ]
	run pg_psql -At -c 'show server_version_num'
	[[ $output == 15* ]]
	run "$PG_BINDIR/psql" -X -At -c 'select 2' "$PG_CONNINFO"
	[ "$output" = 2 ]
	# a unix socket in the test's directory, no TCP at all
	[ -S "$PG_SOCKDIR/.s.PGSQL.$PG_PORT" ]
	[ -z "$(listen_addrs "$(server_pid postgres)")" ]
	# never as root
	[ "$(ps -o user= -p "$(server_pid postgres)")" != root ]
	# the test's settings hold: the statement is in the json log
	pg_psql -c "select 'servers.bats' as marker" >/dev/null
	wait_for "the statement in the json log" grep -q "select 'servers.bats' as marker" "$PG_LOGDIR"/*.json
	grep "select 'servers.bats' as marker" "$PG_LOGDIR"/*.json | head -n 1 | jq -e '.message | startswith("statement: ")'
}

@test "nginx: a private server on 127.0.0.1 serves a page and writes the test's access-log format" {
	local format
	format=$(cat <<-'EOF'
		escape=json '{"uri":"$request_uri","status":$status,"auth":"$http_authorization"}'
	EOF
	)
	nginx_start "$format" 'location /api { return 200 "api\n"; }'
	run curl -fsS -H 'Authorization: Bearer tok' "$NGINX_URL/index.html?x=1"
	[ "$status" -eq 0 ]
	[ "$output" = "hello from nginx" ]
	run curl -fsS "$NGINX_URL/api/v1"
	[ "$output" = api ]
	wait_for "the access-log lines" test "$(wc -l <"$NGINX_ACCESS_LOG")" -ge 2
	run jq -c . "$NGINX_ACCESS_LOG"
	echo "$output"
	[ "${lines[0]}" = '{"uri":"/index.html?x=1","status":200,"auth":"Bearer tok"}' ]
	[ "${lines[1]}" = '{"uri":"/api/v1","status":200,"auth":""}' ]
	# loopback only; as root, the workers run as the test user
	run listen_addrs "$(server_pid nginx)"
	[ "$output" = "127.0.0.1:$NGINX_PORT" ]
	if [ "$(id -u)" = 0 ]; then
		[ "$(ps -o user= --ppid "$(server_pid nginx)" | sort -u)" = "$TEST_USER" ]
	fi
}

@test "rsyslog: logger through the private socket reaches the test's omprog action" {
	# omprog feeds each message to the program's standard input
	printf '#!/bin/sh\nexec cat >>"%s"\n' "$PWD/got.log" >prog.sh
	chmod +x prog.sh
	rsyslog_start "action(type=\"omprog\" binary=\"$PWD/prog.sh\" template=\"RSYSLOG_TraditionalFileFormat\")"
	rsyslog_logger -t smoke "hello through rsyslog $$"
	rsyslog_logger -t smoke "second message"
	wait_for "the messages at the action" grep -q 'second message' got.log
	run cat got.log
	echo "$output"
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == *" smoke: hello through rsyslog $$" ]]
	# no network at all, and no socket but its own (not the host's /dev/log)
	[ -z "$(listen_addrs "$(server_pid rsyslog)")" ]
	run bash -c "ss -Hxap | grep 'pid=$(server_pid rsyslog),' | awk '{ print \$5 }'"
	[ "$output" = "$RSYSLOG_SOCKET" ]
}

@test "syslog-ng: RFC 5424 messages over TCP reach the test's file with their structured data" {
	local dest="file(\"$PWD/sd.log\" template(\"\${.SDATA.test@32473.actor} \${MSG}\\n\"));"
	syslogng_start "$dest"
	logger --tcp --rfc5424 -n 127.0.0.1 -P "$SYSLOGNG_PORT" \
		--sd-id test@32473 --sd-param 'actor="alice"' "hello through syslog-ng"
	wait_for "the message in the file" grep -q 'hello through syslog-ng' sd.log
	run cat sd.log
	[ "$output" = "alice hello through syslog-ng" ]
	run listen_addrs "$(server_pid syslog-ng)"
	[ "$output" = "127.0.0.1:$SYSLOGNG_PORT" ]
	syslogng_stop

	# RFC 6587 octet counting
	rm sd.log
	syslogng_start "$dest" octet-counting
	logger --tcp --octet-count --rfc5424 -n 127.0.0.1 -P "$SYSLOGNG_PORT" \
		--sd-id test@32473 --sd-param 'actor="bob"' "counted"
	wait_for "the message in the file" grep -q 'counted' sd.log
	run cat sd.log
	[ "$output" = "bob counted" ]
}

@test "all four at once, then stopped: no process is left" {
	printf '#!/bin/sh\nexec cat >/dev/null\n' >prog.sh
	chmod +x prog.sh
	pg_start
	nginx_start '$request'
	rsyslog_start "action(type=\"omprog\" binary=\"$PWD/prog.sh\")"
	syslogng_start 'file("/dev/null");'
	rsyslog_logger "start the omprog child"
	wait_for "rsyslog's omprog child" test -n "$(ps -o pid= --ppid "$(server_pid rsyslog)")"
	local name pids=
	for name in postgres nginx rsyslog syslog-ng; do
		pids+=" $(_srv_tree "$(server_pid "$name")" | tr '\n' ' ')"
	done
	echo "processes: $pids"
	[ "$(wc -w <<<"$pids")" -ge 8 ] # postmaster and its helpers, nginx's master and worker, ...
	servers_stop_all
	local p
	for p in $pids; do
		! _srv_alive "$p" || false
	done
	[ -z "$(_srv_procs_in "$(cd "$SERVERS_DIR" && pwd -P)")" ]
}

@test "a server that cannot start fails the test with its own message" {
	run pg_start "no_such_setting = 1"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"PostgreSQL did not start"* ]]
	[[ $output == *'unrecognized configuration parameter "no_such_setting"'* ]]
	run nginx_start "'unterminated"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"nginx refuses its configuration"* ]]
	run rsyslog_start 'action(type="no-such-module")'
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"rsyslogd refuses its configuration"* ]]
	run syslogng_start 'no_such_driver();'
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"syslog-ng refuses its configuration"* ]]
}

@test "the teardown check finds and kills what a server left behind" {
	# one in a server's directory, one elsewhere that inherited the mark
	_srv_prepare
	mkdir -p "$SERVERS_DIR/stray"
	(cd "$SERVERS_DIR/stray" && exec sleep 600) </dev/null >/dev/null 2>&1 3>&- &
	local in_dir=$!
	(cd / && export ALOG_SERVERS_DIR="$_srv_real" && exec sleep 601) </dev/null >/dev/null 2>&1 3>&- &
	local marked=$!
	run servers_stop_all
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"servers: processes left behind (killed now):"* ]]
	[[ $output == *"$in_dir sleep 600"* ]]
	[[ $output == *"$marked sleep 601"* ]]
	wait "$in_dir" "$marked" || true
	! _srv_alive "$in_dir" || false
	! _srv_alive "$marked" || false
}

@test "rsyslog's omprog child carries the mark the teardown check looks for" {
	printf '#!/bin/sh\nexec cat >/dev/null\n' >prog.sh
	chmod +x prog.sh
	rsyslog_start "action(type=\"omprog\" binary=\"$PWD/prog.sh\")"
	rsyslog_logger "start the omprog child"
	local child
	wait_for "rsyslog's omprog child" test -n "$(ps -o pid= --ppid "$(server_pid rsyslog)")"
	child=$(ps -o pid= --ppid "$(server_pid rsyslog)" | tr -d ' ')
	# its working directory is / (rsyslogd's) and its command line is cat:
	# the environment is what ties it to this test
	run _srv_procs_in "$_srv_real"
	echo "$output"
	[[ $output == *"$child cat"* ]]
}
