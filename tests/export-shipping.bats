#!/usr/bin/env bats
# alog-export shipping records to a SIEM (issue 15): syslog over TCP into a
# real syslog-ng (tests/servers.bash), with newline and RFC 6587
# octet-counting framing, and cron-style exports that start where the last
# delivered one ended (--state, --commit-state) or after a seq (--since-seq).

load helpers
load servers

teardown() { servers_stop_all; }

TOOLS=$BATS_TEST_DIRNAME/tools

# send FILE to 127.0.0.1:$SYSLOGNG_PORT over TCP, as it is
send_tcp() {
	python3 -c '
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[2])))
s.sendall(open(sys.argv[1], "rb").read())
s.shutdown(socket.SHUT_WR)
s.recv(1)
s.close()' "$1" "$SYSLOGNG_PORT"
}

@test "syslog --framing octet-counting: syslog-ng over TCP reads every message and parameter" {
	alog-append -f a.alog actor='alice "the" ]admin[' action=auth.login \
		note=$'back\\slash and caf\u00e9' msg=$'line1\nline2' >/dev/null
	alog-append -f a.alog actor=bob target=' spaced ' >/dev/null
	python3 "$TOOLS/nasty-events.py" --all | alog-append -f a.alog
	n=$(alog-export a.alog | wc -l)
	alog-export -F syslog --framing octet-counting -o framed a.alog
	syslogng_start "file(\"$PWD/got.json\" template(\"\$(format-json --scope sdata --key MSG)\\n\"));" \
		octet-counting 'log-msg-size(4194304)' 
	send_tcp framed
	wait_for "every message in the file" test "$(wc -l <got.json 2>/dev/null)" -ge "$n"
	[ "$(wc -l <got.json)" -eq "$n" ]
	jq -e -s '.[0]._SDATA["alog@32473"].actor == "alice \"the\" ]admin["
		and .[0]._SDATA["alog@32473"].note == "back\\slash and caf\u00e9"
		and .[0]._SDATA["alog@32473"].seq == "2"
		and (.[0].MSG | endswith("line1#012line2"))
		and .[1]._SDATA["alog@32473"].target == " spaced "' got.json
}

@test "syslog: newline framing and --sd-id into syslog-ng" {
	alog-append -f a.alog actor=alice action=auth.login >/dev/null
	alog-append -f a.alog actor=bob >/dev/null
	alog-export -F syslog --sd-id audit@41234 -o lines a.alog
	syslogng_start "file(\"$PWD/got.json\" template(\"\$(format-json --scope sdata)\\n\"));"
	send_tcp lines
	wait_for "both messages" test "$(wc -l <got.json 2>/dev/null)" -ge 2
	jq -e -s '[.[]._SDATA["audit@41234"].actor] == ["alice", "bob"]' got.json
}

@test "--state: each record once across runs and rotations; nothing lost before --commit-state" {
	for i in 1 2 3; do alog-append -f a.alog actor=u$i >/dev/null; done
	# the first run exports everything; not committed, the next run sends it again
	alog-export --state s a.alog >b1
	[ "$(jq -r .actor b1 | tr '\n' ' ')" = "u1 u2 u3 " ]
	[ ! -e s ] && [ -e s.pending ]
	alog-export --state s a.alog >b1again
	cmp b1 b1again
	alog-export --commit-state s
	[ -e s ] && [ ! -e s.pending ]
	alog-export --state s a.alog >b2
	[ ! -s b2 ]
	alog-append -f a.alog actor=u4 >/dev/null
	alog-export --state s a.alog >b3
	[ "$(jq -r .actor b3)" = u4 ]
	alog-export --commit-state s
	# a rotation: the live file alone does not hold the state's record
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	alog-seal -f a.alog -s k.sec --rotate a-1.alog >/dev/null
	alog-append -f a.alog actor=u5 >/dev/null
	run alog-export --state s a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"give the rotated files that hold it too"* ]]
	alog-export --state s a-1.alog a.alog >b4
	[ "$(jq -r .actor b4)" = u5 ]
	alog-export --commit-state s
	alog-export --commit-state s
	# --since-seq: the events after a seq
	[ "$(alog-export --since-seq 4 a-1.alog a.alog | jq -r .actor | tr '\n' ' ')" = "u4 u5 " ]
}

@test "--state refuses a log that no longer holds its record, and exports nothing" {
	for i in 1 2 3; do alog-append -f a.alog actor=u$i >/dev/null; done
	alog-export --state s -o out a.alog
	alog-export --commit-state s
	# another log with the same seqs
	for i in 1 2 3; do alog-append -f b.alog actor=x$i >/dev/null; done
	alog-append -f b.alog actor=x4 >/dev/null
	run alog-export --state s -o out2 b.alog
	[ "$status" -eq 2 ]
	[[ $output == *"no longer holds the record the state names"* ]]
	[ ! -e out2 ]
	# a log cut before the record
	head -2 a.alog >cut.alog
	run alog-export --state s cut.alog
	[ "$status" -eq 2 ]
	[[ $output == *"ends before the record the state names"* ]]
	[ -z "$(ls s.pending 2>/dev/null)" ]
	echo garbage >bad.state
	run alog-export --state bad.state a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"not an alog-export state file"* ]]
	run alog-export --state s --since-seq 2 a.alog
	[ "$status" -eq 2 ]
	run alog-export --since-seq x a.alog
	[ "$status" -eq 2 ]
	run alog-export --state s a.alog -o s
	[ "$status" -eq 2 ]
}
