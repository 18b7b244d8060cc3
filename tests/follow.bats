#!/usr/bin/env bats
# alog-append --follow: a growing file taken line by line, each line once,
# across rotation (rename, copytruncate), truncation, a file that is not
# there yet, patterns of successive files, restarts and kill -9; the source
# position in each record's alog member; the kinds' mappings.

load helpers

# events N FILE: append JSON lines n=FROM..TO to FILE
lines() {
	local from=$1 to=$2 file=$3 i
	for ((i = from; i <= to; i++)); do
		printf '{"n":%d,"actor":"u%d"}\n' "$i" $((i % 5))
	done >>"$file"
}

# The n members of the events in a log, in order, one per line.
ns() { grep -o '"n":[0-9]*' "$1" | cut -d: -f2; }

# Each of FROM..TO exactly once, in order, and nothing else.
once_each() {
	local want got
	want=$(seq "$2" "$3")
	got=$(ns "$1")
	if [ "$got" != "$want" ]; then
		echo "want $2..$3 once each, got:"
		echo "$got" | tr '\n' ' '
		return 1
	fi
}

# Wait (bounded) until the log holds N records carrying a source position.
wait_for() {
	local log=$1 n=$2 i
	for ((i = 0; i < 600; i++)); do
		[ "$(grep -c '"source":{' "$log" 2>/dev/null || true)" -ge "$n" ] && return 0
		sleep 0.05
	done
	echo "timed out waiting for $n captured records in $log"
	return 1
}

start_follower() {
	alog-append -f a.alog --follow "$@" 2>follower.err &
	FOLLOWER=$!
}

stop_follower() {
	kill "$FOLLOWER" 2>/dev/null || true
	wait "$FOLLOWER" 2>/dev/null || true
}

teardown() {
	[ -n "${FOLLOWER:-}" ] && kill -9 "$FOLLOWER" 2>/dev/null || true
}

@test "--follow --once takes each complete line once and leaves a partial one" {
	lines 1 3 src.log
	printf '{"n":4}' >>src.log
	alog-append -f a.alog --follow src.log --once
	once_each a.alog 1 3
	printf '\n' >>src.log
	lines 5 6 src.log
	alog-append -f a.alog --follow src.log --once
	once_each a.alog 1 6
	alog-verify -q a.alog
}

@test "each record carries its source position in the alog member" {
	lines 1 2 src.log
	alog-append -f a.alog --follow src.log --once
	ino=$(stat -c %i src.log)
	fp=$(sha256sum <src.log | cut -c1-16)
	last=$(tail -n1 a.alog)
	[[ $last == *'"alog":{"source":{"kind":"json","path":"'"$PWD"'/src.log","ino":'$ino',"fp":"'$fp'","end":42}}'* ]]
	first_fp=$(head -c 21 src.log | sha256sum | cut -c1-16)
	[[ $(line a.alog 2) == *'"fp":"'$first_fp'","end":21}'* ]]
	# the fingerprint covers at most the first 4096 bytes
	lines 3 400 src.log
	alog-append -f a.alog --follow src.log --once
	fp4k=$(head -c 4096 src.log | sha256sum | cut -c1-16)
	[[ $(tail -n1 a.alog) == *'"fp":"'$fp4k'","end":'$(stat -c %s src.log)'}'* ]]
}

@test "a follower started before the file exists takes it from its first line" {
	start_follower src.log
	sleep 0.2
	lines 1 5 src.log
	wait_for a.alog 5
	lines 6 9 src.log
	wait_for a.alog 9
	stop_follower
	once_each a.alog 1 9
}

@test "rotation by rename while following: the old file's last lines, then the new file" {
	lines 1 100 src.log
	start_follower src.log
	wait_for a.alog 100
	mv src.log src.log.1
	lines 101 120 src.log.1 # the writer has not reopened yet
	lines 121 150 src.log
	wait_for a.alog 150
	mv src.log src.log.1
	: >src.log # logrotate's create: an empty file first
	lines 151 160 src.log.1
	lines 161 170 src.log
	wait_for a.alog 170
	stop_follower
	once_each a.alog 1 170
}

@test "copytruncate while following: the copy's unread rest, then the file from its start" {
	lines 1 50 src.log
	start_follower src.log
	wait_for a.alog 50
	kill -STOP "$FOLLOWER"
	lines 51 60 src.log
	cp src.log src.log.1
	: >src.log
	lines 61 70 src.log
	kill -CONT "$FOLLOWER"
	wait_for a.alog 70
	stop_follower
	once_each a.alog 1 70
}

@test "truncation with no copy: a gap note says how many bytes were lost" {
	lines 1 10 src.log
	start_follower src.log
	wait_for a.alog 10
	kill -STOP "$FOLLOWER"
	lines 11 12 src.log
	sleep 0.1
	kill -CONT "$FOLLOWER"
	wait_for a.alog 12
	kill -STOP "$FOLLOWER"
	lines 13 14 src.log
	: >src.log
	lines 15 30 src.log # longer than before: only the fingerprint tells
	kill -CONT "$FOLLOWER"
	wait_for a.alog 28
	stop_follower
	[ "$(ns a.alog | tr '\n' ' ')" = "$(seq 1 12 | tr '\n' ' ')$(seq 15 30 | tr '\n' ' ')" ]
	grep -q '"action":"capture.gap"' a.alog
	alog-verify -q a.alog
}

@test "restart resumes after the last position: kill -9 mid-stream loses and doubles nothing" {
	for round in 1 2 3 4 5; do
		lines $(((round - 1) * 2000 + 1)) $((round * 2000)) src.log
		start_follower src.log
		sleep 0.$((RANDOM % 3))
		kill -9 "$FOLLOWER"
		wait "$FOLLOWER" 2>/dev/null || true
		# killed before it made the log, or in the middle of a write (a torn tail)
		if [ -e a.alog ] && ! alog-verify -q a.alog 2>/dev/null; then
			alog-append -f a.alog --recover 2>/dev/null
		fi
	done
	alog-append -f a.alog --follow src.log --once
	once_each a.alog 1 10000
}

@test "a batch whose sync fails while the next is read: nothing unsynced stays, a restart takes each line once" {
	needs_shim
	# 40,000 lines: several batches, each synced by a second thread while
	# the next lines are read and mapped
	awk 'BEGIN { for (i = 1; i <= 40000; i++) printf "{\"n\":%d,\"actor\":\"u%d\"}\n", i, i % 5 }' >src.log
	local spec
	for spec in fdatasync:2:eio fdatasync:3:enospc; do
		rm -f a.alog
		FAULTINJ=$spec LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
			run alog-append -f a.alog --follow src.log --once
		[ "$status" -eq 2 ]
		[[ $output == *"fdatasync failed (nothing appended)"* ]]
		# what is there is whole lines from the first, in order, and verifies
		alog-verify -q a.alog
		n=$(ns a.alog | wc -l)
		[ "$n" -lt 40000 ]
		[ "$n" -eq 0 ] || once_each a.alog 1 "$n"
		# the next run goes on from the last line recorded
		alog-append -f a.alog --follow src.log --once
		once_each a.alog 1 40000
		alog-verify -q a.alog
	done
}

@test "a read of the file's start that fails once, looking for a cut: a read error, not a rewrite read again" {
	needs_shim
	# At each wake-up after the end, the first bytes of the file are read
	# again (its fingerprint: was it cut or written over?).  The file's
	# reads: 1 and 2 take the lines and find the end; 3 is that of the
	# first wake-up (a line appended), 5 of the next.
	local n rc
	for n in 3 5; do
		rm -f a.alog fired follower.err
		lines 1 3 src.log
		FAULTINJ=read:$n:eio FAULTINJ_FILE=src.log FAULTINJ_LOG=$PWD/fired \
			LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so start_follower src.log
		sleep 0.5
		lines 4 4 src.log
		sleep 0.5
		lines 5 5 src.log
		for ((i = 0; i < 30; i++)); do kill -0 "$FOLLOWER" 2>/dev/null || break; sleep 0.1; done
		rc=0
		kill "$FOLLOWER" 2>/dev/null && echo "N=$n: still following after the read error"
		wait "$FOLLOWER" || rc=$?
		cat follower.err
		[[ $(cat fired) == "read $n eio size "* ]]
		[ "$rc" -eq 2 ]
		[ "$(cat follower.err)" = "alog-append: read error in $PWD/src.log: Input/output error" ]
		# no gap noted, no line taken twice: the next run goes on from there
		! grep -q capture.gap a.alog || false
		alog-append -f a.alog --follow src.log --once
		once_each a.alog 1 5
		alog-verify -q a.alog
		rm -f src.log
	done
}

@test "resuming, a read of the file's first bytes that fails: a read error, no line taken twice, no gap" {
	needs_shim
	# A restart reads the first bytes of the file its saved position names
	# (the fingerprint: is it still that file?), then, from the file it
	# takes, those before the position again.  src.log's read 1 is the
	# first, 2 the second; src.log.1's read 1 is the first when src.log was
	# rotated to it while the follower was down (its rest comes first).
	local n f rc
	for f in src.log:1 src.log:2 src.log.1:1; do
		n=${f#*:} f=${f%:*}
		rm -f a.alog fired err src.log src.log.1
		lines 1 3 src.log
		alog-append -f a.alog --follow src.log --once
		lines 4 5 src.log
		if [ "$f" = src.log.1 ]; then
			mv src.log src.log.1
			lines 6 7 src.log
		fi
		rc=0
		FAULTINJ=read:$n:eio FAULTINJ_FILE=$f FAULTINJ_LOG=$PWD/fired \
			LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
			alog-append -f a.alog --follow src.log --once 2>err || rc=$?
		echo "$f read $n: rc $rc"
		cat err
		[[ $(cat fired) == "read $n eio size "* ]]
		[ "$rc" -eq 2 ]
		[ "$(cat err)" = "alog-append: read error in $PWD/$f: Input/output error" ]
		# no gap noted, nothing taken: the next run goes on from line 4
		! grep -q capture.gap a.alog || false
		once_each a.alog 1 3
		alog-append -f a.alog --follow src.log --once
		if [ "$f" = src.log.1 ]; then once_each a.alog 1 7; else once_each a.alog 1 5; fi
		alog-verify -q a.alog
	done
}

@test "rotated while the follower was down: the rotated file's rest is read first" {
	lines 1 10 src.log
	alog-append -f a.alog --follow src.log --once
	lines 11 15 src.log
	mv src.log src.log-20261202
	lines 16 20 src.log
	alog-append -f a.alog --follow src.log --once
	once_each a.alog 1 20
	! grep -q capture.gap a.alog || false
	# compressed rotated files are not read: the rest is a recorded gap
	lines 21 25 src.log
	mv src.log src.log.1 && gzip src.log.1
	lines 26 30 src.log
	run alog-append -f a.alog --follow src.log --once
	[ "$status" -eq 0 ]
	[[ $output == *"is gone: rotated away or truncated"* ]]
	[ "$(ns a.alog | tail -n5 | tr '\n' ' ')" = "26 27 28 29 30 " ]
	[ "$(grep -c '"action":"capture.gap"' a.alog)" -eq 1 ]
	# the gap is recorded once: a restart does not report it again
	alog-append -f a.alog --follow src.log --once
	[ "$(grep -c '"action":"capture.gap"' a.alog)" -eq 1 ]
}

@test "rotated twice while the follower was down: both rotated files, in order, then the new one" {
	lines 1 10 src.log
	alog-append -f a.alog --follow src.log --once
	lines 11 12 src.log
	mv src.log src.log.1
	lines 13 15 src.log
	mv src.log.1 src.log.2
	mv src.log src.log.1
	lines 16 18 src.log
	alog-append -f a.alog --follow src.log --once
	once_each a.alog 1 18
	! grep -q capture.gap a.alog || false
}

@test "a new file on a reused inode with the same first line is told apart by its first 4 KiB" {
	lines 1 300 src.log
	alog-append -f a.alog --follow src.log --once
	# same length, same first line, other content: rewritten in place
	{ head -n1 src.log; lines 1001 1299 /dev/stdout; } >new
	cat new >src.log
	alog-append -f a.alog --follow src.log --once 2>err
	grep -q 'is gone' err
	[ "$(ns a.alog | tail -n 299 | head -n1)" = 1001 ]
}

@test "a pattern follows successive files in name order, each to its end" {
	lines 1 5 'x-2026-12-01.log'
	lines 6 10 'x-2026-12-02.log'
	# a first start takes the newest file
	alog-append -f a.alog --follow 'x-*.log' --once
	once_each a.alog 6 10
	lines 11 12 'x-2026-12-02.log'
	lines 13 15 'x-2026-12-03.log'
	lines 16 20 'x-2026-12-04.log'
	alog-append -f a.alog --follow "$PWD/x-*.log" --once
	once_each a.alog 6 20
	grep -q '"path":"'"$PWD"'/x-\*.log","file":"'"$PWD"'/x-2026-12-04.log"' a.alog
	start_follower 'x-*.log'
	lines 21 22 'x-2026-12-04.log'
	lines 23 30 'x-2026-12-05.log'
	wait_for a.alog 25
	stop_follower
	once_each a.alog 6 30
}

@test "a line that is not an event becomes a capture.bad_input note with its position" {
	lines 1 2 src.log
	echo 'not json {' >>src.log
	echo '{"n":3,"alog":{"source":{"kind":"json","path":"/x","ino":1,"fp":"00","end":9}}}' >>src.log
	head -c 3100000 /dev/zero | tr '\0' 'a' >>src.log
	echo >>src.log
	lines 4 5 src.log
	run alog-append -f a.alog --follow src.log --once
	[ "$status" -eq 0 ]
	[[ $output == *"src.log: line ending at offset 53 not recorded: column 1: invalid JSON"* ]]
	[[ $output == *'member name "alog" is reserved'* ]]
	[[ $output == *"a line longer than"* ]]
	[ "$(grep -c '"action":"capture.bad_input"' a.alog)" -eq 3 ]
	[ "$(ns a.alog | tr '\n' ' ')" = "1 2 4 5 " ]
	# the input's own alog member was not taken for a position: a restart adds nothing
	alog-append -f a.alog --follow src.log --once
	[ "$(grep -c . a.alog)" -eq 8 ]
}

@test "a symbolic link in the followed directory is not followed" {
	echo '{"secret":"root-only"}' >secret.json
	ln -s secret.json src.log
	ln -s secret.json src.log.1
	alog-append -f a.alog --follow src.log --once
	! grep -q root-only a.alog || false
	lines 1 2 real.log
	alog-append -f a.alog --follow real.log --once
	rm real.log && ln -s secret.json real.log
	lines 3 3 real.log.2 # a newer rotated name, as a link
	rm real.log.2 && ln -s secret.json real.log.2
	alog-append -f a.alog --follow real.log --once 2>/dev/null
	! grep -q root-only a.alog || false
}

@test "positions come only from the alog member: other writers cannot move a follower" {
	lines 1 5 src.log
	alog-append -f a.alog --follow src.log --once
	# an event that looks like a position, appended by anyone who can append
	echo '{"source":{"kind":"json","path":"'"$PWD"'/src.log","ino":1,"fp":"0000000000000000","end":999}}' |
		alog-append -f a.alog
	lines 6 8 src.log
	alog-append -f a.alog --follow src.log --once
	once_each a.alog 1 8
}

@test "the policy applies to captured events, never to the position" {
	cat >p.json <<'EOF'
{"rules": [{"path": "secret", "do": "mask"}, {"path": "**.end", "do": "drop"},
           {"path": "**.path", "do": "drop"}],
 "detectors": {"card-number": true}}
EOF
	printf '{"n":1,"secret":"hunter22","card":"4111 1111 1111 1111"}\n' >src.log
	alog-append -f a.alog --policy p.json --follow src.log --once
	! grep -q hunter22 a.alog || false
	! grep -q '4111 1111 1111 1111' a.alog || false
	grep -q '"alog":{"policy":\[.*\],"source":{"kind":"json","path":"'"$PWD"'/src.log"' a.alog
	lines 2 3 src.log
	alog-append -f a.alog --policy p.json --follow src.log --once
	once_each a.alog 1 3
	alog-verify -q a.alog
}

@test "a rejected event is a capture.rejected note, and the follower goes on" {
	echo '{"require": ["actor"]}' >p.json
	printf '{"n":1}\n{"n":2,"actor":"bob"}\n' >src.log
	run alog-append -f a.alog --policy p.json --follow src.log --once
	[ "$status" -eq 0 ]
	[[ $output == *'missing member "actor"'* ]]
	grep -q '"action":"capture.rejected"' a.alog
	[ "$(ns a.alog)" = 2 ]
}

@test "json --map names the common members; reserved targets are refused" {
	cat >m.json <<'EOF'
{"actor": "user.name", "action": "event", "src.ip": "client.ip", "src.port": "client.port",
 "result": {"value": "success"}, "data": "."}
EOF
	echo '{"user":{"name":"ann"},"event":"app.login","client":{"ip":"10.1.2.3","port":22}}' >src.log
	alog-append -f a.alog --follow src.log --source json --map m.json --once
	[[ $(line a.alog 2) == *'"actor":"ann","action":"app.login","src":{"ip":"10.1.2.3","port":22},"result":"success","data":{"user":{"name":"ann"},"event":"app.login","client":{"ip":"10.1.2.3","port":22}},"alog":{"source"'* ]]
	echo '{"seq": "x"}' >bad.json
	run alog-append -f b.alog --follow src.log --map bad.json --once
	[ "$status" -eq 2 ]
	[[ $output == *'bad.json: target "seq": the name is reserved'* ]]
	[ ! -e b.alog ]
	run alog-append -f b.alog --follow src.log --source syslog --map m.json
	[ "$status" -eq 2 ]
	[[ $output == *"--map applies to the json kind only"* ]]
}

@test "options that do not go with --follow are usage errors" {
	run alog-append --follow x --text
	[ "$status" -eq 2 ]
	run alog-append --follow x a=b
	[ "$status" -eq 2 ]
	run alog-append --source json
	[ "$status" -eq 2 ]
	run alog-append --follow x --source nosuch
	[ "$status" -eq 2 ]
	[[ $output == *"unknown source kind 'nosuch'"* ]]
	run alog-append --follow 'a*/x' --once
	[ "$status" -eq 2 ]
}

@test "SIGTERM commits what was read and exits 0" {
	lines 1 20000 src.log
	start_follower src.log
	wait_for a.alog 1
	kill -TERM "$FOLLOWER"
	wait "$FOLLOWER"
	alog-verify -q a.alog
	alog-append -f a.alog --follow src.log --once
	once_each a.alog 1 20000
}

@test "syslog: sshd logins, sudo commands and PAM sessions are mapped" {
	cat >auth.log <<'EOF'
Dec  2 10:46:27 db1 sshd[811]: Accepted publickey for alice from 192.0.2.7 port 50022 ssh2: ED25519 SHA256:x
Dec  2 10:46:27 db1 sshd[811]: pam_unix(sshd:session): session opened for user alice(uid=1000) by (uid=0)
2026-12-02T10:47:01.123456+00:00 db1 sudo:    alice : TTY=pts/0 ; PWD=/home/alice ; USER=root ; COMMAND=/usr/bin/systemctl restart pgbouncer
2026-12-02T10:47:09.000001+00:00 db1 sudo:      bob : user NOT in sudoers ; TTY=pts/1 ; PWD=/home/bob ; USER=root ; COMMAND=/bin/sh
Dec  2 10:48:00 db1 sshd[900]: Failed password for invalid user admin from 198.51.100.9 port 4022 ssh2
<38>1 2026-12-02T10:49:00.5Z db1 sshd 901 - - Disconnected from user alice 192.0.2.7 port 50022
Dec  2 10:50:00 db1 cron[5]: (root) CMD (true)
EOF
	alog-append -f a.alog --follow auth.log --source syslog --once
	[[ $(line a.alog 2) == *'"action":"auth.login","actor":"alice","src":{"ip":"192.0.2.7","port":50022},"result":"success","auth":{"method":"publickey"}'* ]]
	[[ $(line a.alog 3) == *'"action":"session.open","actor":"alice","pam":{"module":"pam_unix","service":"sshd"}'* ]]
	[[ $(line a.alog 4) == *'"action":"sudo.command","actor":"alice","target":"root","result":"success","sudo":{"command":"/usr/bin/systemctl restart pgbouncer","cwd":"/home/alice","tty":"pts/0"}'* ]]
	[[ $(line a.alog 5) == *'"action":"sudo.command","actor":"bob","target":"root","result":"denied"'* ]]
	[[ $(line a.alog 6) == *'"action":"auth.login","actor":"admin","src":{"ip":"198.51.100.9","port":4022},"result":"failure"'* ]]
	[[ $(line a.alog 7) == *'"action":"auth.logout","actor":"alice"'*'"syslog":{"time":"2026-12-02T10:49:00.5Z","host":"db1","app":"sshd","pid":901,"facility":"auth","severity":"info"}'* ]]
	[[ $(line a.alog 8) == *'"action":"syslog.message","msg":"(root) CMD (true)","syslog":{"time":"Dec  2 10:50:00","host":"db1","app":"cron","pid":5}'* ]]
}

@test "nginx-json and postgres-jsonlog lines are mapped by their tables" {
	cat >access.log <<'EOF'
{"time":"2026-12-02T10:00:00+00:00","remote_addr":"127.0.0.1","remote_user":"","request_method":"POST","request_uri":"/api/v1/orders?x=1","server_protocol":"HTTP/1.1","status":403,"body_bytes_sent":12,"request_time":0.004,"http_referer":"","http_user_agent":"curl/7.88.1","http_authorization":"Bearer abcdefghijklmnopqrstuvwxyz012345","request_id":"9c1e"}
EOF
	alog-append -f a.alog --follow access.log --source nginx-json --once
	[[ $(line a.alog 2) == *'"action":"http.post","target":"/api/v1/orders?x=1","src":{"ip":"127.0.0.1"},"result":"failure","http":{"time":"2026-12-02T10:00:00+00:00","request_method":"POST","server_protocol":"HTTP/1.1","status":403,'* ]]
	cat >pg.json <<'EOF'
{"timestamp":"2026-12-02 10:46:29.726 UTC","user":"app","dbname":"shop","pid":4213,"remote_host":"10.0.0.5","remote_port":50100,"session_id":"6b0ff705.1075","line_num":3,"ps":"idle","session_start":"2026-12-02 10:46:29 UTC","vxid":"3/2","txid":0,"error_severity":"LOG","message":"statement: select * from orders where id = 7","application_name":"psql","backend_type":"client backend","query_id":0}
{"timestamp":"2026-12-02 10:46:29.854 UTC","user":"app","dbname":"nosuch","pid":4254,"remote_host":"[local]","session_id":"6b0ff705.109e","line_num":3,"ps":"startup","session_start":"2026-12-02 10:46:29 UTC","vxid":"3/8","txid":0,"error_severity":"FATAL","state_code":"3D000","message":"database \"nosuch\" does not exist","backend_type":"client backend","query_id":0}
EOF
	alog-append -f b.alog --follow pg.json --source postgres-jsonlog --once
	[[ $(line b.alog 2) == *'"action":"db.query","actor":"app","target":"shop","src":{"ip":"10.0.0.5","port":50100},"session":"6b0ff705.1075","query":"select * from orders where id = 7","pg":{"timestamp":"2026-12-02 10:46:29.726 UTC","pid":4213,'* ]]
	[[ $(line b.alog 3) == *'"action":"db.connect","actor":"app","target":"nosuch","src":{"host":"[local]"},"result":"failure","session":"6b0ff705.109e","msg":"database \"nosuch\" does not exist"'* ]]
}

@test "make install installs the follower's unit template, and systemd-analyze verifies it" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze is not installed (package systemd)"
	top=$BATS_TEST_DIRNAME/..
	build=$(basename "$(dirname "$ALOG_BIN")")
	make -s -C "$top" BUILD="$build" PREFIX="$PWD/prefix" install >make.out 2>&1 || { cat make.out; false; }
	unit=$PWD/prefix/lib/systemd/system/alog-follow@.service
	[ -f "$unit" ]
	grep -q "^ExecStart=$PWD/prefix/bin/alog-append --source \${ALOG_SOURCE} --follow \${ALOG_FOLLOW} \$ALOG_FOLLOW_ARGS$" "$unit"
	grep -q '^Restart=on-failure$' "$unit"
	cp "$unit" "alog-follow@postgres.service"
	# the Documentation= page is looked up with man(1)
	mkdir -p mp/man1 && cp "$PWD"/prefix/share/man/man1/*.1 mp/man1/
	MANPATH=$PWD/mp run systemd-analyze verify "$PWD/alog-follow@postgres.service"
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
}
