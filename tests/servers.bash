# servers.bash - throwaway instances of the real servers the tests talk to:
# PostgreSQL 15, nginx, rsyslog and syslog-ng, each private to one test,
# under $BATS_TEST_TMPDIR/servers/, listening only on a unix socket or on
# 127.0.0.1, never the machine's own services.  A bats file uses it as:
#
#	load helpers
#	load servers
#	teardown() { servers_stop_all; }
#
# pg_start [CONF_LINE...]         PostgreSQL 15 (initdb + pg_ctl) as an
#                                 unprivileged user, on a unix socket only;
#                                 each argument is a postgresql.conf line
#                                 (they come last, so they win).  Sets
#                                 PG_DIR, PG_DATA, PG_SOCKDIR, PG_PORT,
#                                 PG_LOGDIR (log_directory, for the logging
#                                 collector), PG_LOG (the server's stderr),
#                                 PG_CONNINFO (a libpq connection string)
# pg_psql [PSQL_ARG...]           psql to it, as its superuser "postgres"
#                                 (-X, ON_ERROR_STOP)
# nginx_start LOG_FORMAT [SERVER_LINES]
#                                 nginx on 127.0.0.1:$NGINX_PORT (a free port);
#                                 LOG_FORMAT is what follows the format's name
#                                 in a log_format directive, e.g.
#                                 escape=json '{"uri":"$request_uri"}', and is
#                                 the access log's format; SERVER_LINES go
#                                 into the server block (html/index.html
#                                 says "hello from nginx").  Sets NGINX_DIR,
#                                 NGINX_PORT, NGINX_URL, NGINX_ACCESS_LOG,
#                                 NGINX_ERROR_LOG
# rsyslog_start RULES [CONFIG]    a private rsyslogd: messages sent to the
#                                 unix socket $RSYSLOG_SOCKET go through
#                                 RULES, the body of a ruleset, e.g.
#                                 action(type="omprog" binary="...")
#                                 (omprog is loaded); CONFIG lines go before
#                                 the ruleset (module loads, templates).
#                                 Sets RSYSLOG_DIR, RSYSLOG_SOCKET
# rsyslog_logger [LOGGER_ARG...]  logger(1) to that socket
# syslogng_start DESTINATION [FRAMING [SOURCE_OPTIONS]]
#                                 a private syslog-ng 3.38 on TCP
#                                 127.0.0.1:$SYSLOGNG_PORT (a free port),
#                                 parsing RFC 5424; messages go to
#                                 DESTINATION, the body of a destination
#                                 block, e.g. file("out" template("...\n"));
#                                 FRAMING: newline (one message a line, the
#                                 default) or octet-counting (RFC 6587);
#                                 SOURCE_OPTIONS are added to the source
#                                 driver.  Sets SYSLOGNG_DIR, SYSLOGNG_PORT
# pg_stop, nginx_stop, rsyslog_stop, syslogng_stop
#                                 stop one (its processes must all exit)
# servers_stop_all                in teardown: stop every server of the
#                                 test, and fail if any process is left in
#                                 their directories (killing it)
# server_pid NAME                 the main process of postgres, nginx,
#                                 rsyslog or syslog-ng (to send signals)
# as_test_user CMD...             run CMD as $TEST_USER when root, else as is
# make_reachable DIR              let $TEST_USER reach DIR (when root)
# free_port                       a TCP port free on 127.0.0.1 right now
# wait_for WHAT CMD...            poll CMD until it succeeds (or fail)
#
# One instance of each server per test.  The directories are
# $SERVERS_DIR/{postgres,nginx,rsyslog,syslog-ng}; each holds the server's
# configuration and its own log (stdout.log, server.log) for post-mortems.
# Each start function returns once its server is ready (polling, no fixed
# sleep), fails the test with the server's own messages when it cannot
# start, and skips the test (with the reason) only when the program is not
# installed or cannot run here.  The programs come from tests/deps.sh:
# rsyslog and syslog-ng from the copies it unpacks (ALOG_TEST_DEPS_DIR).
#
# Running as root (as CI does), PostgreSQL runs as $TEST_USER (ALOG_TEST_USER,
# default nobody), nginx's workers too; rsyslog and syslog-ng run as root.

SERVERS_DIR=$BATS_TEST_TMPDIR/servers
TEST_USER=${ALOG_TEST_USER:-nobody}
TEST_GROUP=$(id -gn "$TEST_USER" 2>/dev/null || echo nogroup)
ALOG_TEST_DEPS_DIR=${ALOG_TEST_DEPS_DIR:-$BATS_TEST_DIRNAME/.deps}
SERVER_TIMEOUT=${ALOG_SERVER_TIMEOUT:-60}
PG_BINDIR=${ALOG_PG_BINDIR:-/usr/lib/postgresql/15/bin}
NGINX_BIN=${ALOG_NGINX:-/usr/sbin/nginx}

declare -ga _srv_names=()
declare -gA _srv_pid=()

# ---- users and directories ----

_srv_root() { [ "$(id -u)" = 0 ]; }

as_test_user() {
	if _srv_root; then
		setpriv --reuid="$TEST_USER" --regid="$TEST_GROUP" --clear-groups -- "$@"
	else
		"$@"
	fi
}

# Can this process run programs as $TEST_USER?  (Always, when not root.)
_srv_can_switch() {
	_srv_root || return 0
	id -u "$TEST_USER" >/dev/null 2>&1 && command -v setpriv >/dev/null &&
		as_test_user true 2>/dev/null
}

# Every directory from / down to DIR must be searchable by $TEST_USER.
# bats makes its run directory private (0700): open it to others for
# searching only (o+x, no listing).  Anything above it is not ours to change.
make_reachable() {
	_srv_root || return 0
	local dir p run
	dir=$(cd "$1" && pwd -P) || return 1
	run=$(cd "$BATS_RUN_TMPDIR" && pwd -P)
	local -a chain=()
	p=$dir
	while [ "$p" != / ]; do
		chain=("$p" "${chain[@]}")
		p=$(dirname "$p")
	done
	for p in "${chain[@]}"; do
		as_test_user test -x "$p" && continue
		case $p/ in
		"$run"/*) chmod o+x "$p" ;;
		*)
			echo "servers: $TEST_USER cannot reach $dir: $p is closed to others" \
				"(run the tests with TMPDIR set to a directory others can enter)" >&2
			return 1 ;;
		esac
	done
}

# A TCP port nobody listens on at 127.0.0.1 now.  (A server that then
# cannot bind it is started again on another.)
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# wait_for WHAT CMD...: poll CMD until it succeeds, for what a server does
# on its own time (a log line written after the reply); fail, saying WHAT,
# after $SERVER_TIMEOUT seconds.
wait_for() {
	local what=$1 deadline=$((SECONDS + SERVER_TIMEOUT))
	shift
	until "$@" 2>/dev/null; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "servers: gave up waiting for $what after $SERVER_TIMEOUT s" >&2
			return 1
		fi
		sleep 0.05
	done
}

# ---- processes ----

_srv_alive() { # PID: running, not a zombie
	local st
	st=$(ps -o stat= -p "$1" 2>/dev/null) || return 1
	[ -n "$st" ] && [[ $st != Z* ]]
}

# PID and all its descendants.
_srv_tree() {
	ps -e -o pid=,ppid= | awk -v root="$1" '
		{ parent[$1] = $2; pids[NR] = $1 }
		END {
			want[root] = 1; print root
			do {
				more = 0
				for (i in pids) {
					p = pids[i]
					if (!(p in want) && (parent[p] in want)) { want[p] = 1; print p; more = 1 }
				}
			} while (more)
		}'
}

# Processes (not ours, not zombies) started for the servers of DIR: their
# environment has ALOG_SERVERS_DIR=DIR (what _srv_spawn and pg_start set;
# children keep it, unless they clear it), or their working directory is in
# DIR, or their command line names it.
_srv_procs_in() {
	local dir=$1 pid self=" " p
	p=$BASHPID
	while [ -n "$p" ] && [ "$p" != 0 ]; do
		self+="$p "
		p=$(ps -o ppid= -p "$p" 2>/dev/null | tr -d ' ')
	done
	{
		grep -lsxzF "ALOG_SERVERS_DIR=$dir" /proc/[0-9]*/environ | cut -d/ -f3
		find /proc -mindepth 2 -maxdepth 2 -name cwd \( -lname "$dir" -o -lname "$dir/*" \) 2>/dev/null |
			cut -d/ -f3
		ps -e -o pid=,args= | grep -F -- "$dir" | awk '{ print $1 }'
	} | sort -un | while read -r pid; do
		[[ $self == *" $pid "* ]] && continue
		_srv_alive "$pid" || continue
		echo "$pid $(ps -o args= -p "$pid" 2>/dev/null)"
	done
}

# _srv_wait PID WHAT CHECK...: poll CHECK until it succeeds (0), PID exits
# (2) or $SERVER_TIMEOUT seconds pass (1).
_srv_wait() {
	local pid=$1 what=$2 deadline=$((SECONDS + SERVER_TIMEOUT))
	shift 2
	while :; do
		"$@" 2>/dev/null && return 0
		_srv_alive "$pid" || return 2
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "servers: $what not ready after $SERVER_TIMEOUT s" >&2
			return 1
		fi
		sleep 0.05
	done
}

# Is PID listening on 127.0.0.1:PORT?
_srv_listening() {
	ss -Hltnp "sport = :$2" | grep -F '127.0.0.1:' | grep -q "pid=$1,"
}

# Print the last lines of a server's logs, for the failure message.
_srv_logs() {
	local f
	for f in "$@"; do
		[ -s "$f" ] || continue
		echo "--- ${f#"$SERVERS_DIR"/}:"
		tail -n 30 "$f"
	done
}

_srv_register() { # NAME PID
	_srv_names+=("$1")
	_srv_pid[$1]=$2
}

server_pid() { echo "${_srv_pid[$1]}"; }

# Stop one server: its own way of stopping, then every process of its tree
# must be gone, else they are killed and this fails.
_srv_stop() {
	local name=$1 pid=${_srv_pid[$1]:-} tree left p deadline
	[ -n "$pid" ] || return 0
	tree=$(_srv_tree "$pid")
	case $name in
	postgres)
		as_test_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -m fast -w -t "$SERVER_TIMEOUT" stop \
			</dev/null >>"$PG_DIR/pg_ctl.log" 2>&1 3>&- || kill -TERM "$pid" 2>/dev/null ;;
	*) kill -TERM "$pid" 2>/dev/null ;;
	esac
	deadline=$((SECONDS + SERVER_TIMEOUT))
	while :; do
		left=
		for p in $tree; do
			_srv_alive "$p" && left+=" $p"
		done
		[ -z "$left" ] && break
		if [ "$SECONDS" -ge "$deadline" ]; then
			echo "servers: $name did not stop: killing$left" >&2
			# shellcheck disable=SC2086
			kill -KILL $left 2>/dev/null || true
			unset "_srv_pid[$name]"
			return 1
		fi
		sleep 0.05
	done
	wait "$pid" 2>/dev/null || true # reap it when it is our child
	unset "_srv_pid[$name]"
}

# In teardown: stop everything, then make sure nothing started under the
# servers' directories is still running.
servers_stop_all() {
	local status=0 i left
	for ((i = ${#_srv_names[@]} - 1; i >= 0; i--)); do
		_srv_stop "${_srv_names[$i]}" || status=1
	done
	_srv_names=()
	if [ -d "$SERVERS_DIR" ] && _srv_prepare; then
		left=$(_srv_procs_in "$_srv_real")
		if [ -n "$left" ]; then
			echo "servers: processes left behind (killed now):" >&2
			echo "$left" >&2
			# shellcheck disable=SC2046
			kill -KILL $(awk '{ print $1 }' <<<"$left") 2>/dev/null || true
			status=1
		fi
	fi
	return "$status"
}

# Create $SERVERS_DIR; its path without symlinks (as the kernel shows a
# process's working directory) goes in _srv_real.
_srv_prepare() {
	mkdir -p "$SERVERS_DIR" && _srv_real=$(cd "$SERVERS_DIR" && pwd -P)
}

# Start CMD in the background in DIR, with no terminal and none of bats'
# descriptors (bats waits for its descriptor 3 to close); its pid goes in
# _srv_spawned.  (Not in a $(...): the server stays this shell's child.)
_srv_spawn() { # DIR OUTFILE CMD...
	local dir=$1 out=$2
	shift 2
	(cd "$dir" && export ALOG_SERVERS_DIR="$_srv_real" && exec "$@") </dev/null >"$out" 2>&1 3>&- &
	_srv_spawned=$!
}

# ---- PostgreSQL 15 ----

pg_start() {
	[ -x "$PG_BINDIR/initdb" ] && [ -x "$PG_BINDIR/pg_ctl" ] ||
		skip "PostgreSQL 15 is not installed ($PG_BINDIR): tests/deps.sh installs it"
	_srv_can_switch ||
		skip "PostgreSQL refuses to run as root, and this root cannot switch to user $TEST_USER here"
	_srv_prepare || return 1
	PG_DIR=$SERVERS_DIR/postgres
	PG_DATA=$PG_DIR/data
	PG_SOCKDIR=$PG_DIR/sock
	PG_LOGDIR=$PG_DIR/log
	PG_LOG=$PG_DIR/server.log
	PG_PORT=5432
	mkdir -p "$PG_SOCKDIR" "$PG_LOGDIR" || return 1
	if [ ${#PG_SOCKDIR} -gt 80 ]; then
		echo "servers: $PG_SOCKDIR is too long for a unix socket path: set TMPDIR shorter" >&2
		return 1
	fi
	if _srv_root; then
		make_reachable "$PG_DIR" || return 1
		chown "$TEST_USER:$TEST_GROUP" "$PG_DIR" "$PG_SOCKDIR" "$PG_LOGDIR" || return 1
	fi
	if ! (cd "$PG_DIR" && as_test_user "$PG_BINDIR/initdb" -D "$PG_DATA" -U postgres -A trust \
		-E UTF8 --no-locale --no-sync --no-instructions) </dev/null >"$PG_DIR/initdb.log" 2>&1 3>&-; then
		echo "servers: initdb failed" >&2
		_srv_logs "$PG_DIR/initdb.log" >&2
		return 1
	fi
	{
		echo "# servers.bash"
		echo "listen_addresses = ''"
		echo "unix_socket_directories = '$PG_SOCKDIR'"
		echo "port = $PG_PORT"
		echo "log_directory = '$PG_LOGDIR'"
		echo "fsync = off"
		echo "# the test's"
		printf '%s\n' "$@"
	} >>"$PG_DATA/postgresql.conf"
	if ! (cd "$PG_DIR" && export ALOG_SERVERS_DIR="$_srv_real" &&
		as_test_user "$PG_BINDIR/pg_ctl" -D "$PG_DATA" -l "$PG_LOG" -w -t "$SERVER_TIMEOUT" start) \
		</dev/null >"$PG_DIR/pg_ctl.log" 2>&1 3>&-; then
		echo "servers: PostgreSQL did not start" >&2
		_srv_logs "$PG_DIR/pg_ctl.log" "$PG_LOG" "$PG_LOGDIR"/* >&2
		local pid
		pid=$(head -n 1 "$PG_DATA/postmaster.pid" 2>/dev/null) &&
			_srv_register postgres "$pid"
		return 1
	fi
	_srv_register postgres "$(head -n 1 "$PG_DATA/postmaster.pid")"
	PG_CONNINFO="host=$PG_SOCKDIR port=$PG_PORT user=postgres dbname=postgres"
}

pg_psql() {
	"$PG_BINDIR/psql" -X -v ON_ERROR_STOP=1 -h "$PG_SOCKDIR" -p "$PG_PORT" -U postgres -d postgres "$@"
}

pg_stop() { _srv_stop postgres; }

# ---- nginx ----

nginx_start() {
	local format=$1 lines=${2:-} pid attempt
	[ -x "$NGINX_BIN" ] || skip "nginx is not installed ($NGINX_BIN): tests/deps.sh installs it"
	_srv_prepare || return 1
	NGINX_DIR=$SERVERS_DIR/nginx
	NGINX_ACCESS_LOG=$NGINX_DIR/access.log
	NGINX_ERROR_LOG=$NGINX_DIR/error.log
	mkdir -p "$NGINX_DIR/html" "$NGINX_DIR/tmp" || return 1
	echo "hello from nginx" >"$NGINX_DIR/html/index.html"
	# the workers run as $TEST_USER: they read html/ and write tmp/
	make_reachable "$NGINX_DIR" || return 1
	for attempt in 1 2 3 4 5; do
		NGINX_PORT=$(free_port)
		NGINX_URL=http://127.0.0.1:$NGINX_PORT
		{
			echo "daemon off;"
			echo "worker_processes 1;"
			echo "pid $NGINX_DIR/nginx.pid;"
			echo "error_log $NGINX_ERROR_LOG notice;"
			_srv_root && echo "user $TEST_USER $TEST_GROUP;"
			echo "events { worker_connections 64; }"
			echo "http {"
			echo "    default_type text/plain;"
			echo "    client_body_temp_path $NGINX_DIR/tmp/client_body;"
			echo "    proxy_temp_path $NGINX_DIR/tmp/proxy;"
			echo "    fastcgi_temp_path $NGINX_DIR/tmp/fastcgi;"
			echo "    uwsgi_temp_path $NGINX_DIR/tmp/uwsgi;"
			echo "    scgi_temp_path $NGINX_DIR/tmp/scgi;"
			printf '    log_format test %s;\n' "$format"
			echo "    access_log $NGINX_ACCESS_LOG test;"
			echo "    server {"
			echo "        listen 127.0.0.1:$NGINX_PORT;"
			echo "        server_name localhost;"
			echo "        root $NGINX_DIR/html;"
			printf '%s\n' "$lines"
			echo "    }"
			echo "}"
		} >"$NGINX_DIR/nginx.conf"
		local -a cmd=("$NGINX_BIN" -p "$NGINX_DIR/" -c "$NGINX_DIR/nginx.conf" -e "$NGINX_ERROR_LOG")
		if ! "${cmd[@]}" -t -q </dev/null >"$NGINX_DIR/check.log" 2>&1 3>&-; then
			echo "servers: nginx refuses its configuration ($NGINX_DIR/nginx.conf):" >&2
			_srv_logs "$NGINX_DIR/check.log" >&2
			return 1
		fi
		_srv_spawn "$NGINX_DIR" "$NGINX_DIR/stdout.log" "${cmd[@]}"
		pid=$_srv_spawned
		_srv_register nginx "$pid"
		_srv_wait "$pid" "nginx on port $NGINX_PORT" _srv_listening "$pid" "$NGINX_PORT"
		case $? in
		0) return 0 ;;
		2) _srv_stop nginx
		   grep -q 'Address already in use' "$NGINX_ERROR_LOG" "$NGINX_DIR/stdout.log" 2>/dev/null && continue ;;
		esac
		echo "servers: nginx did not start" >&2
		_srv_logs "$NGINX_DIR/stdout.log" "$NGINX_ERROR_LOG" >&2
		return 1
	done
	echo "servers: nginx found no free port" >&2
	return 1
}

nginx_stop() { _srv_stop nginx; }

# ---- rsyslog ----

rsyslog_start() {
	local rules=$1 config=${2:-} pid bin=$ALOG_TEST_DEPS_DIR/bin/rsyslogd
	[ -x "$bin" ] || skip "rsyslog is not unpacked in $ALOG_TEST_DEPS_DIR: tests/deps.sh does it"
	_srv_prepare || return 1
	RSYSLOG_DIR=$SERVERS_DIR/rsyslog
	RSYSLOG_SOCKET=$RSYSLOG_DIR/log.sock
	mkdir -p "$RSYSLOG_DIR/work" || return 1
	# the test's rules see only what comes through its socket; rsyslogd's
	# own messages go to rsyslogd.log
	cat >"$RSYSLOG_DIR/rsyslog.conf" <<-EOF
		global(workDirectory="$RSYSLOG_DIR/work")
		module(load="imuxsock" SysSock.Use="off")
		module(load="omprog")
		input(type="imuxsock" Socket="$RSYSLOG_SOCKET" RateLimit.Interval="0" Ruleset="test")
		*.* action(type="omfile" file="$RSYSLOG_DIR/rsyslogd.log")
		$config
		ruleset(name="test") {
		$rules
		}
	EOF
	if ! "$bin" -N1 -f "$RSYSLOG_DIR/rsyslog.conf" </dev/null >"$RSYSLOG_DIR/check.log" 2>&1 3>&-; then
		echo "servers: rsyslogd refuses its configuration ($RSYSLOG_DIR/rsyslog.conf):" >&2
		_srv_logs "$RSYSLOG_DIR/check.log" >&2
		return 1
	fi
	_srv_spawn "$RSYSLOG_DIR" "$RSYSLOG_DIR/stdout.log" \
		"$bin" -n -f "$RSYSLOG_DIR/rsyslog.conf" -i "$RSYSLOG_DIR/rsyslogd.pid"
	pid=$_srv_spawned
	_srv_register rsyslog "$pid"
	if ! _srv_wait "$pid" "rsyslogd" _srv_rsyslog_ready "$pid"; then
		echo "servers: rsyslogd did not start" >&2
		_srv_logs "$RSYSLOG_DIR/stdout.log" "$RSYSLOG_DIR/rsyslogd.log" >&2
		return 1
	fi
}

_srv_rsyslog_ready() {
	[ -S "$RSYSLOG_SOCKET" ] && [ "$(cat "$RSYSLOG_DIR/rsyslogd.pid")" = "$1" ]
}

rsyslog_logger() { logger -u "$RSYSLOG_SOCKET" --socket-errors=on "$@"; }

rsyslog_stop() { _srv_stop rsyslog; }

# ---- syslog-ng ----

syslogng_start() {
	local dest=$1 framing=${2:-newline} more=${3:-} pid attempt driver
	local bin=$ALOG_TEST_DEPS_DIR/bin/syslog-ng
	[ -x "$bin" ] || skip "syslog-ng is not unpacked in $ALOG_TEST_DEPS_DIR: tests/deps.sh does it"
	_srv_prepare || return 1
	case $framing in
	newline) driver="network" more="flags(syslog-protocol) $more" ;;
	octet-counting) driver="syslog" ;;
	*) echo "servers: syslogng_start: framing is newline or octet-counting, not '$framing'" >&2; return 1 ;;
	esac
	SYSLOGNG_DIR=$SERVERS_DIR/syslog-ng
	mkdir -p "$SYSLOGNG_DIR" || return 1
	local -a opts=(-F -e -f "$SYSLOGNG_DIR/syslog-ng.conf" -R "$SYSLOGNG_DIR/syslog-ng.persist"
		-p "$SYSLOGNG_DIR/syslog-ng.pid" -c "$SYSLOGNG_DIR/syslog-ng.ctl")
	_srv_root || opts+=(--no-caps)
	for attempt in 1 2 3 4 5; do
		SYSLOGNG_PORT=$(free_port)
		cat >"$SYSLOGNG_DIR/syslog-ng.conf" <<-EOF
			@version: 3.38
			# records of up to 1 MiB, and their exports, in one message
			options { log-msg-size(4194304); };
			source s_test {
			    $driver(ip("127.0.0.1") port($SYSLOGNG_PORT) transport("tcp") $more);
			};
			destination d_test {
			$dest
			};
			log { source(s_test); destination(d_test); };
		EOF
		if ! "$bin" --syntax-only "${opts[@]}" </dev/null >"$SYSLOGNG_DIR/check.log" 2>&1 3>&-; then
			echo "servers: syslog-ng refuses its configuration ($SYSLOGNG_DIR/syslog-ng.conf):" >&2
			_srv_logs "$SYSLOGNG_DIR/check.log" >&2
			return 1
		fi
		_srv_spawn "$SYSLOGNG_DIR" "$SYSLOGNG_DIR/stdout.log" "$bin" "${opts[@]}"
		pid=$_srv_spawned
		_srv_register syslog-ng "$pid"
		_srv_wait "$pid" "syslog-ng on port $SYSLOGNG_PORT" _srv_listening "$pid" "$SYSLOGNG_PORT"
		case $? in
		0) return 0 ;;
		2) _srv_stop syslog-ng
		   grep -q 'Address already in use' "$SYSLOGNG_DIR/stdout.log" 2>/dev/null && continue ;;
		esac
		echo "servers: syslog-ng did not start" >&2
		_srv_logs "$SYSLOGNG_DIR/stdout.log" >&2
		return 1
	done
	echo "servers: syslog-ng found no free port" >&2
	return 1
}

syslogng_stop() { _srv_stop syslog-ng; }
