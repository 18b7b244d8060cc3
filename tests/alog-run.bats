#!/usr/bin/env bats
# alog-run: a command recorded as a session (session.start, session.end,
# session.io with --transcript); exit statuses and signals passed through,
# pipes left pipes, terminals driven with script(1), fail-closed start,
# a log that fills up or is rotated away mid-session, transcripts with
# secrets split across chunks and input typed with echo off.

load helpers
bats_require_minimum_version 1.5.0

# The value of a member in the records of one action: get LOG ACTION JQPATH
get() { jq -c "select(.action == \"$2\") | $3" "$1"; }

teardown() {
	if mountpoint -q "$BATS_TEST_TMPDIR/fs" 2>/dev/null; then
		umount "$BATS_TEST_TMPDIR/fs"
	fi
}

# Run a command line on a terminal (a pty of script(1)), output in tty.out.
on_tty() { script -qec "$1" tty.typescript >tty.out; }

@test "alog-run passes the exit status through and records session.start and session.end" {
	run alog-run -f a.alog --reason 'restart pool' --ticket INC-1 -- sh -c 'echo out; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = out ]
	alog-verify a.alog
	[ "$(jq -r .action a.alog | tail -n 2 | tr '\n' ' ')" = "session.start session.end " ]
	s1=$(get a.alog session.start .session)
	s2=$(get a.alog session.end .session)
	[ "$s1" = "$s2" ]
	[[ $s1 =~ ^\"[0-9a-f]{32}\"$ ]]
	[ "$(get a.alog session.start .argv)" = '["sh","-c","echo out; exit 3"]' ]
	[ "$(get a.alog session.start .reason)" = '"restart pool"' ]
	[ "$(get a.alog session.start .ticket)" = '"INC-1"' ]
	[ "$(get a.alog session.start .cwd)" = "\"$PWD\"" ]
	[ "$(get a.alog session.start .host)" = "\"$(hostname)\"" ]
	[ "$(get a.alog session.start .user.uid)" = "$(id -u)" ]
	[ "$(get a.alog session.start .actor)" != '""' ]
	[ "$(get a.alog session.end .exit)" = '{"code":3}' ]
	[ "$(get a.alog session.end .status)" = 3 ]
	get a.alog session.end '.duration_ms, .cpu.user_ms, .bytes_in, .bytes_out' | grep -vq null
	# a second session gets another id
	alog-run -f a.alog true
	[ "$(get a.alog session.start .session | sort -u | wc -l)" -eq 2 ]
}

@test "alog-run records who: SUDO_USER, SSH_CONNECTION, the login uid, allow-listed environment only" {
	SUDO_USER=alice SUDO_UID=1000 SSH_CONNECTION='10.0.0.7 51234 10.0.0.1 22' SECRET_TOKEN=x \
		MY_VAR=y alog-run -f a.alog --env MY_VAR true
	[ "$(get a.alog session.start .actor)" = '"alice"' ]
	[ "$(get a.alog session.start .user.sudo_user)" = '"alice"' ]
	[ "$(get a.alog session.start .ssh)" = '{"client":"10.0.0.7","client_port":51234,"server":"10.0.0.1","server_port":22}' ]
	[ "$(get a.alog session.start .env.MY_VAR)" = '"y"' ]
	[ "$(get a.alog session.start .env.SECRET_TOKEN)" = null ]
	! grep -q SECRET_TOKEN a.alog || false
	lu=$(cat /proc/self/loginuid)
	if [ "$lu" != 4294967295 ]; then
		[ "$(get a.alog session.start .user.loginuid)" = "$lu" ]
	else
		[ "$(get a.alog session.start .user.loginuid)" = null ]
	fi
}

@test "alog-run exits 128+N when a signal ends the command, and records the signal" {
	run alog-run -f a.alog sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ]
	[ "$(get a.alog session.end .exit)" = '{"signal":"TERM","signal_number":15}' ]
	[ "$(get a.alog session.end .status)" = 143 ]
	run alog-run -f a.alog sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ]
}

@test "alog-run forwards the signals it is sent to the command" {
	# a signal ignored when the tests started (nohup) stays ignored in the command
	ign=$((16#$(awk '/^SigIgn/ {print $2}' /proc/$$/status)))
	want=
	for sig in TERM HUP USR1 ALRM; do
		if (((ign >> ($(kill -l "$sig") - 1)) & 1)); then continue; fi
		want+="$sig "
		rm -f ready
		alog-run -f a.alog sh -c 'touch ready; while :; do sleep 0.05; done' &
		pid=$!
		for ((i = 0; i < 200; i++)); do [ -e ready ] && break; sleep 0.05; done
		kill -s "$sig" "$pid"
		set +e
		wait "$pid"
		st=$?
		set -e
		[ "$st" -eq $((128 + $(kill -l "$sig"))) ]
	done
	[ "$(get a.alog session.end .exit.signal | tr -d '"' | tr '\n' ' ')" = "$want" ]
	alog-verify a.alog
}

@test "alog-run says why when the command cannot run: 127 not found, 126 not executable" {
	run -127 alog-run -f a.alog no-such-command-here
	[ "$status" -eq 127 ]
	[ "$output" = "alog-run: no-such-command-here: No such file or directory" ]
	[ "$(get a.alog session.end .status)" = 127 ]
	printf 'x\n' >notexec
	run -126 alog-run -f a.alog ./notexec
	[ "$status" -eq 126 ]
	[[ $output == *"Permission denied"* ]]
}

@test "alog-run fails closed: an unwritable log runs nothing, exit 2 and one line" {
	touch file
	run alog-run -f file/sub.alog touch ran
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "alog-run: file/sub.alog: not running touch: "* ]]
	[ ! -e ran ]
	# a damaged tail is no log to write either
	alog-append -f d.alog a=1
	printf '{"seq":2,"ts":"x' >>d.alog
	run alog-run -f d.alog touch ran
	[ "$status" -eq 2 ]
	[ ! -e ran ]
}

@test "alog-run --fail-open runs the command unrecorded and says so" {
	touch file
	run alog-run -f file/sub.alog --fail-open sh -c 'touch ran; exit 4'
	[ "$status" -eq 4 ]
	[ -e ran ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == *"--fail-open: running unrecorded"* ]]
}

@test "alog-run refuses to start when the policy requires a reason or ticket it lacks" {
	cat >p.json <<'EOF'
{"events": [{"action": "session.start", "require": ["ticket"]}]}
EOF
	run alog-run -f a.alog --policy p.json touch ran
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ $output == *ticket* ]]
	[ ! -e ran ]
	[ ! -s a.alog ] || ! grep -q session.start a.alog || false
	ALOG_POLICY=p.json run alog-run -f a.alog touch ran
	[ "$status" -eq 2 ]
	[ ! -e ran ]
	alog-run -f a.alog --policy p.json --ticket INC-7 touch ran
	[ -e ran ]
	[ "$(get a.alog session.start .ticket)" = '"INC-7"' ]
}

@test "alog-run: a policy with \"transcript\": true records the transcript without the option" {
	printf '{"transcript": true}\n' >t.json
	alog-run -f a.alog --policy t.json sh -c 'echo out; echo err >&2' >out 2>err
	[ "$(cat out)" = out ]
	[ "$(cat err)" = err ]
	[ "$(get a.alog session.start .transcript)" = true ]
	[ "$(get a.alog session.io .stream | tr -d '"' | sort | tr '\n' ' ')" = "e o " ]
	alog-verify a.alog
	printf '{"transcript": false}\n' >f.json
	alog-run -f b.alog --policy f.json echo hi >out
	[ "$(get b.alog session.start .transcript)" = null ]
	! grep -q session.io b.alog || false
	printf '{"transcript": "yes"}\n' >bad.json
	run alog-append --policy-check bad.json
	[ "$status" -ne 0 ]
	[[ $output == *"transcript: expected true or false"* ]]
}

@test "alog-run leaves a pipe a pipe and adds no output of its own" {
	printf 'in\n' | alog-run -f a.alog sh -c '[ -t 0 ] && echo tty || echo pipe; cat' >out 2>err
	[ "$(cat out)" = "$(printf 'pipe\nin')" ]
	[ ! -s err ]
	printf 'in\n' | alog-run -f a.alog --transcript sh -c '[ -t 0 ] && echo tty || echo pipe; cat; echo e >&2' >out 2>err
	[ "$(cat out)" = "$(printf 'pipe\nin')" ]
	[ "$(cat err)" = e ]
	[ "$(get a.alog session.io .stream | tr -d '"' | sort | tr '\n' ' ')" = "e o " ]
	# options after the command are the command's
	alog-run -f a.alog echo -f x --transcript >out
	[ "$(cat out)" = "-f x --transcript" ]
}

@test "alog-run on a terminal: the command gets a pty with --transcript, the terminal without" {
	on_tty "alog-run -f a.alog sh -c '[ -t 0 ] && echo tty:\$(tty)'"
	grep -q '^tty:/dev/pts/' tty.out
	[ "$(get a.alog session.start .tty)" != null ]
	on_tty "alog-run -f a.alog --transcript sh -c '[ -t 0 ] && echo on a tty; exit 5'" || st=$?
	[ "${st:-0}" -eq 5 ]
	grep -q 'on a tty' tty.out
	get a.alog session.io 'select(.stream == "o") | .data' | grep -q 'on a tty\\r\\n'
	[ "$(get a.alog session.end .status | tail -n 1)" = 5 ]
	alog-verify a.alog
}

@test "alog-run restores the terminal's modes when the command dies mid-change" {
	on_tty "stty -g >before; alog-run -f a.alog sh -c 'stty raw -echo; kill -KILL \$\$'; stty -g >after"
	[ "$(cat before)" = "$(cat after)" ]
	on_tty "stty -g >before; alog-run -f a.alog --transcript sh -c 'stty raw -echo; kill -KILL \$\$'; stty -g >after"
	[ "$(cat before)" = "$(cat after)" ]
	on_tty "stty -g >before; (sleep 0.5; kill -TERM \$(cat pid)) & alog-run -f a.alog --transcript sh -c 'echo \$\$ >pid; stty raw; exec sleep 30'; stty -g >after"
	[ "$(cat before)" = "$(cat after)" ]
}

@test "alog-run --transcript records input typed with echo off only as its length" {
	# script(1) passes the end of its input on as an EOF character: the input
	# stays open until the password is read and echo is back on, so that
	# character is not typed at the hidden prompt too
	{ sleep 1.5; for c in h u n t e r 2; do printf %s "$c"; sleep 0.15; done; printf '\n'; sleep 2; } | script -qec "alog-run -f a.alog --transcript sh -c 'printf Password:; stty -echo; read x; stty echo; echo; echo len \${#x}'" ts >out
	grep -q 'len 7' out
	! grep -q hunter2 a.alog || false
	get a.alog session.io 'select(.stream == "i")'
	[ "$(get a.alog session.io 'select(.hidden_bytes) | .hidden_bytes')" = 8 ]
	alog-verify a.alog
}

@test "alog-run --transcript: the policy's detectors see a secret written in two pieces" {
	cat >p.json <<'EOF'
{"detectors": {"aws-access-key": "mask", "private-key": "mask"}}
EOF
	alog-run -f a.alog --policy p.json --transcript sh -c \
		'printf "key AKIAIOSF"; sleep 0.4; printf "ODNN7EXAMPLE done\n"' >out
	[ "$(cat out)" = "key AKIAIOSFODNN7EXAMPLE done" ]
	# (the command line holds the two pieces: the transcript must not)
	jq -r 'select(.action == "session.io") | .data' a.alog >io
	! grep -q AKIAIOSF io || false
	! grep -q ODNN7EXAMPLE io || false
	grep -q 'key \*\{16\}MPLE done' a.alog
	alog-run -f b.alog --policy p.json --transcript sh -c \
		'printf -- "-----BEGIN RSA PRIVATE KEY-----\nMIIEsecretpart1\n"; sleep 0.4; printf "secretpart2\n-----END RSA PRIVATE KEY-----\nafter\n"' >out
	! grep -q secretpart b.alog || false
	grep -q after b.alog
	alog-verify a.alog
	alog-verify b.alog
}

@test "alog-run --transcript: a long stream is cut into whole UTF-8 chunks that concatenate to the output" {
	alog-run -f a.alog --transcript sh -c 'for i in $(seq 1 20000); do echo "line $i é ✓"; done' >out
	[ "$(get a.alog session.io .data | wc -l)" -gt 2 ]
	jq -j 'select(.action == "session.io") | .data' a.alog >replayed
	cmp out replayed
	! grep -q 'ufffd' a.alog || false
	alog-verify a.alog
}

@test "alog-run --transcript records window size changes" {
	on_tty "stty cols 100 rows 30; (sleep 0.5; stty cols 120 rows 40 </dev/tty; kill -WINCH \$(cat pid)) & alog-run -f a.alog --transcript sh -c 'echo \$PPID >pid; sleep 1.2; stty size'"
	[ "$(get a.alog session.start .term)" = '{"cols":100,"rows":30}' ]
	get a.alog session.io 'select(.stream == "r") | [.cols, .rows]' | grep -qx '\[120,40\]'
	grep -q '40 120' tty.out
}

@test "alog-run: a log that fills up mid-session; the command goes on, the gap is recorded" {
	mkdir fs
	mount -t tmpfs -o size=256k tmpfs fs || skip "cannot mount a tmpfs here"
	# tmpfs has room left in the log's last page: write more than that while full
	alog-run -f fs/a.alog --transcript sh -c '
		echo before; sleep 0.3
		dd if=/dev/zero of=fs/fill bs=4k 2>/dev/null
		seq 1 3000; sleep 0.3
		rm fs/fill
		echo after; exit 6' >out 2>err || st=$?
	[ "${st:-0}" -eq 6 ]
	[ "$(head -n 1 out)" = before ]
	[ "$(tail -n 1 out)" = after ]
	[ "$(wc -l <out)" -eq 3002 ]
	[ "$(wc -l <err)" -eq 1 ]
	grep -q 'goes on unrecorded' err
	alog-verify fs/a.alog
	[ "$(get fs/a.alog session.gap .lost_events)" -ge 1 ]
	[ "$(get fs/a.alog session.end .lost_events)" -ge 1 ]
	[ "$(get fs/a.alog session.end .status)" = 6 ]
}

@test "alog-run: a log rotated away mid-session; session.end goes to the file now at the path" {
	alog-run -f a.alog sh -c 'sleep 0.3; mv a.alog old.alog; exit 0'
	alog-verify old.alog
	alog-verify a.alog
	[ "$(get old.alog session.start .session)" = "$(get a.alog session.end .session)" ]
	# removed: a new file at the path gets the end
	alog-run -f b.alog --transcript sh -c 'echo x; sleep 0.3; rm b.alog; echo y; exit 4' >/dev/null || st=$?
	[ "${st:-0}" -eq 4 ]
	alog-verify b.alog
	[ "$(get b.alog session.end .status)" = 4 ]
	get b.alog session.io .data | grep -q y
}

@test "alog-run usage errors exit 2" {
	run alog-run -f a.alog
	[ "$status" -eq 2 ]
	run alog-run --reason '' true
	[ "$status" -eq 2 ]
	run alog-run --env A=B true
	[ "$status" -eq 2 ]
	run alog-run --bogus true
	[ "$status" -eq 2 ]
	[ ! -e a.alog ]
}

@test "alog-run man page examples run" {
	mkdir -p bin
	printf '#!/bin/sh\necho "$0 $*"\n' >bin/psql
	printf '#!/bin/sh\necho "$0 $*"\n' >bin/systemctl
	chmod +x bin/psql bin/systemctl
	PATH=$PWD/bin:$PATH ALOG_FILE=$PWD/audit.alog run_examples "$(man_dir)/alog-run.1"
}

@test "alog-export -F asciicast replays a session: asciinema cat and play show what the terminal showed, masked" {
	printf '{"detectors": {"aws-access-key": "mask"}}\n' >p.json
	on_tty "alog-run -f a.alog --policy p.json --transcript sh -c 'printf \"hello \\033[1mbold\\033[0m\\n\"; sleep 0.3; echo key AKIAIOSFODNN7EXAMPLE; echo bye'"
	alog-run -f a.alog --policy p.json true # another session, left out
	s=$(alog-grep action=session.start --fields session a.alog | head -n 1)
	alog-export -F asciicast --session "$s" -o s.cast a.alog
	head -n 1 s.cast | jq -e '.version == 2 and .width > 0 and .height > 0'
	tail -n +2 s.cast | jq -e 'length == 3 and (.[0] | type) == "number"' >/dev/null
	# times never run backwards
	tail -n +2 s.cast | jq -s -e '[.[][0]] as $t | $t == ($t | sort)'
	script -qec "asciinema cat s.cast" cat.typescript >cat.out
	grep -q 'hello' cat.out
	grep -q 'bye' cat.out
	grep -q 'key \*\{16\}MPLE' cat.out
	! grep -q AKIAIOSF cat.out || false
	# and asciinema play plays it
	script -qec "asciinema play -s 4 s.cast" play.typescript >play.out
	grep -q 'bye' play.out
	! grep -q AKIAIOSF play.out || false
	# alog-grep shows the session's records, in order
	alog-grep "session=$s" --pretty --color=never a.alog >grep.out
	acts=$(awk '{ for (i = 1; i <= NF; i++) if ($i ~ /^session\.[a-z]+$/) { print $i; break } }' grep.out)
	[ "$(sed -n '1p;$p' <<<"$acts" | tr '\n' ' ')" = "session.start session.end " ]
	[ "$(wc -l <grep.out)" -ge 3 ]
	run alog-export -F asciicast --session 0123 a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"no record of session 0123"* ]]
	run alog-export -F asciicast a.alog
	[ "$status" -eq 2 ]
}

@test "alog-run --transcript: a chunk the policy rejects is replaced by a record naming the rule, without its data" {
	printf '{"detectors": {"private-key": true}}\n' >pk.json
	printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----\n' >key.txt
	alog-run -f a.alog --policy pk.json --transcript sh -c 'echo before; sleep 0.5; cat key.txt; sleep 0.5; echo after' >out
	grep -q b3BlbnNzaC1rZXktdjEAAAAA out
	! grep -q b3BlbnNzaC1rZXktdjEAAAAA a.alog || false
	[ "$(get a.alog session.io 'select(.rejected) | .bytes')" = 95 ]
	get a.alog session.io 'select(.rejected) | .rejected' | grep -q 'rule \\"private-key\\"'
	[ "$(get a.alog session.io 'select(.data) | .data' | tr '\n' ' ')" = '"before\n" "after\n" ' ]
	alog-verify a.alog
	s=$(alog-grep action=session.start --fields session a.alog)
	alog-export -F asciicast --session "$s" a.alog | grep -q 'data not shown'
}

@test "alog-run: a command line longer than a record still runs and leaves its session.start, cut, with its size" {
	big=$(head -c 120000 /dev/zero | tr '\0' a)
	set --
	for i in 1 2 3 4 5 6 7 8 9 10; do set -- "$@" "$big"; done
	alog-run -f a.alog -- sh -c 'echo ran $#' sh "$@" last >out
	[ "$(cat out)" = "ran 11" ]
	[ "$(get a.alog session.start '[.argv[0], .argv_truncated]')" = '["sh",{"args":15,"bytes":1200021}]' ]
	[ "$(get a.alog session.end .exit.code)" = 0 ]
	# control bytes take 6 bytes each in JSON: the cut counts them so
	ctl=$(head -c 120000 /dev/zero | tr '\0' '\001')
	alog-run -f b.alog -- true "$ctl" "$ctl" "$ctl"
	[ "$(get b.alog session.start '.argv_truncated')" = '{"args":4,"bytes":360004}' ]
	alog-verify a.alog
	alog-verify b.alog
}

@test "alog-export -F asciicast: records appended after session.end under its id are not replayed" {
	alog-run -f a.alog --transcript sh -c 'echo real output' >/dev/null
	s=$(get a.alog session.start .session | tr -d '"')
	# anyone who may append may name the session: after its end, it is not the session
	alog-append -f a.alog actor=root action=session.io "session=$s" stream=o t:=0.5 data=FORGED
	alog-append -f a.alog actor=root action=session.start "session=$s"
	alog-append -f a.alog actor=root action=session.io "session=$s" stream=o t:=0.6 data=FORGED2
	alog-export -F asciicast --session "$s" -o s.cast a.alog
	grep -q 'real output' s.cast
	[ "$(grep -c FORGED s.cast)" = 0 ]
	[ "$(grep -c '"version":2' s.cast)" = 1 ]
}

@test "alog-run: SUDO_USER set by a user other than root names no actor, it is only recorded" {
	[ "$(id -u)" -eq 0 ] || skip "runs alog-run as another user: run as root"
	mkdir d && chown nobody d
	setpriv --reuid=nobody --regid=nogroup --clear-groups env SUDO_USER=alice SUDO_UID=1000 \
		"$(command -v alog-run)" -f d/a.alog true
	[ "$(get d/a.alog session.start .actor)" != '"alice"' ]
	[ "$(get d/a.alog session.start .user.sudo_user)" = '"alice"' ]
	[ "$(get d/a.alog session.start .user.name)" = '"nobody"' ]
}

@test "alog-export -F asciicast: hostile times and terminal sizes in a session's records still make a valid cast" {
	alog-append -f a.alog actor=a action=session.start session=abc term:='{"cols":-5,"rows":99999}'
	alog-append -f a.alog actor=a action=session.io session=abc stream=o t:=1e300 data=hi
	alog-append -f a.alog actor=a action=session.io session=abc stream=r t:=-1 cols:=-5 rows:=4294967296
	alog-append -f a.alog actor=a action=session.io session=abc stream=o t:=2 data=there
	alog-export -F asciicast --session abc a.alog >s.cast
	jq -c . s.cast >/dev/null
	[ "$(head -n 1 s.cast | jq -c '[.width, .height]')" = '[80,24]' ]
	[ "$(tail -n +2 s.cast | jq -c '.[0]' | tr '\n' ' ')" = '0 0 2 ' ]
	[ "$(sed -n 3p s.cast | jq -c '.[2]')" = '"80x24"' ]
}

@test "alog-run --env: a name given twice, or a default named again, is one member" {
	MY_VAR=y alog-run -f a.alog --env TERM --env MY_VAR --env MY_VAR --env PATH true
	[ "$(grep -o '"TERM":' a.alog | wc -l)" = 1 ]
	[ "$(grep -o '"MY_VAR":' a.alog | wc -l)" = 1 ]
	[ "$(grep -o '"PATH":' a.alog | wc -l)" = 1 ]
	[ "$(get a.alog session.start .env.MY_VAR)" = '"y"' ]
}
