#!/usr/bin/env bats
# alog-append: events from arguments and streams, strict input checking,
# durability options, torn tails and recovery.

load helpers

@test "append creates the log with a header and one event" {
	run alog-append -f a.alog actor=alice action=login
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(wc -l <a.alog)" -eq 2 ]
	[[ $(line a.alog 1) == '{"seq":1,"ts":"'*'","type":"open","v":1,"origin":"test.example/audit","order":"ts","hash":"'*'"}' ]]
	[[ $(line a.alog 2) == '{"seq":2,"ts":"'*'","actor":"alice","action":"login","hash":"'*'"}' ]]
	alog-verify -q a.alog
}

@test "ts is UTC with nine fraction digits" {
	alog-append -f a.alog x=1
	[[ $(line a.alog 2) =~ \"ts\":\"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z\" ]]
}

@test "KEY:=JSON stores typed values and dotted keys nest" {
	alog-append -f a.alog rows:=42 ok:=true tags:='["a","b"]' user.id:=7 user.name=bob meta.x.y=z
	[[ $(line a.alog 2) == *'"rows":42,"ok":true,"tags":["a","b"],"user":{"id":7,"name":"bob"},"meta":{"x":{"y":"z"}},"hash"'* ]]
	[ "$(line a.alog 2 | jq -c '.user')" = '{"id":7,"name":"bob"}' ]
}

@test "values are escaped, and an equals sign in a value is kept" {
	alog-append -f a.alog 'msg=say "hi" \ ok' 'q=a=b'
	[ "$(line a.alog 2 | jq -r .msg)" = 'say "hi" \ ok' ]
	[ "$(line a.alog 2 | jq -r .q)" = 'a=b' ]
}

@test "a key given twice is refused" {
	run alog-append -f a.alog a=1 a=2
	[ "$status" -eq 2 ]
	[[ $output == *"key 'a' given twice"* ]]
	[ ! -s a.alog ] || [ "$(wc -l <a.alog)" -eq 0 ]
}

@test "a key that is both a value and an object is refused" {
	run alog-append -f a.alog user=bob user.id=7
	[ "$status" -eq 2 ]
	[[ $output == *"'user' already holds a value"* ]]
}

@test "an argument without = is a usage error" {
	run alog-append -f a.alog actor
	[ "$status" -eq 2 ]
	[[ $output == *"argument 'actor' is not KEY=VALUE or KEY:=JSON"* ]]
}

@test "a bad typed value names the argument and column" {
	run alog-append -f a.alog 'rows:=4x'
	[ "$status" -eq 2 ]
	[[ $output == "alog-append: argument 'rows:=4x': invalid JSON value at column"* ]]
}

@test "reserved member names are refused, not renamed" {
	for name in seq ts type hash prev alog; do
		run alog-append -f a.alog "$name=x"
		[ "$status" -eq 2 ]
		[[ $output == *"member name \"$name\" is reserved"* ]]
	done
	printf '{"s\\u0065q":1}\n' | { run alog-append -f a.alog; [ "$status" -eq 2 ]; }
	[ ! -e a.alog ] || [ ! -s a.alog ]
}

@test "a stream is appended in order, compacted, with escapes kept verbatim" {
	printf '%s\n' '{ "a" : 1 , "b" : [ 1, 2 ] }' '' '{"msg":"caf\u00e9 \"q\""}' '   ' '{"z":{"y":null}}' |
		alog-append -f a.alog
	[ "$(wc -l <a.alog)" -eq 4 ]
	[[ $(line a.alog 2) == *'"a":1,"b":[1,2],"hash"'* ]]
	[[ $(line a.alog 3) == *'"msg":"caf\u00e9 \"q\"","hash"'* ]]
	[[ $(line a.alog 4) == *'"z":{"y":null},"hash"'* ]]
	alog-verify -q a.alog
}

@test "the last stream line needs no newline" {
	printf '{"a":1}\n{"b":2}' | alog-append -f a.alog
	[ "$(wc -l <a.alog)" -eq 3 ]
	[[ $(line a.alog 3) == *'"b":2,"hash"'* ]]
}

@test "--text stores each line as msg, escaping control characters" {
	printf 'plain line\nwith\ttab and \033[2J escape\n\n' | alog-append -f a.alog --text
	[ "$(wc -l <a.alog)" -eq 4 ]
	[ "$(line a.alog 2 | jq -r .msg)" = "plain line" ]
	[[ $(line a.alog 3) == *'"msg":"with\ttab and \u001b[2J escape"'* ]]
	[[ $(line a.alog 4) == *'"msg":"","hash"'* ]]
	! grep -q $'\033' a.alog || false
}

# Each bad input: the message (a substring), and the log left byte for byte.
bad_input() {
	local input=$1 want=$2
	make_log a.alog 2
	cp a.alog before.alog
	run alog-append -f a.alog < <(printf '%b' "$input")
	[ "$status" -eq 2 ] || { echo "status $status for $input"; return 1; }
	[[ $output == *"$want"* ]] || { echo "output: $output; want: $want"; return 1; }
	cmp a.alog before.alog
}

@test "bad input is refused with its line, and the log is unchanged" {
	bad_input '{"a":1' 'alog-append: <stdin>:1: column 7: invalid JSON'
	bad_input '[1,2]\n' '<stdin>:1: column 1: invalid JSON: expected a JSON object'
	bad_input '"text"\n' 'expected a JSON object'
	bad_input '{"a":"\xff"}\n' 'invalid UTF-8'
	bad_input '{"a":"\xc0\xaf"}\n' 'UTF-8'
	bad_input '{"a":"\xed\xa0\x80"}\n' 'UTF-8'
	bad_input '{"a":"x\x00y"}\n' 'NUL byte'
	bad_input '{"a":"\\u0000"}\n' '\u0000 is not allowed'
	bad_input '{"a":"\\ud800"}\n' 'surrogate'
	bad_input '{"a":1,"a":2}\n' 'duplicate member name "a"'
	bad_input '{"o":{"k":1,"\\u006b":2}}\n' 'duplicate member name'
	bad_input '{"n":99999999999999999999}\n' 'out of range'
	bad_input '{"n":1e999}\n' 'overflows'
	bad_input '{"a":1} x\n' 'trailing'
	bad_input '{"a":"tab\there"}\n' 'control character'
	bad_input '{"seq":5}\n' 'member name "seq" is reserved'
	bad_input '{"hash":"x"}\n' 'member name "hash" is reserved'
	bad_input '{"type":"seal"}\n' 'member name "type" is reserved'
}

@test "nesting deeper than 64 levels is refused" {
	deep=$(printf '{"a":%.0s' {1..70})1$(printf '}%.0s' {1..70})
	make_log a.alog 1
	cp a.alog before.alog
	run alog-append -f a.alog <<<"$deep"
	[ "$status" -eq 2 ]
	[[ $output == *"nesting deeper than 64"* ]]
	cmp a.alog before.alog
}

@test "a line over the size limit is refused with bounded memory" {
	make_log a.alog 1
	cp a.alog before.alog
	run bash -c 'head -c 3000000 /dev/zero | tr "\0" "a" | sed "s/^/{\"m\":\"/" | alog-append -f a.alog'
	[ "$status" -eq 2 ]
	[[ $output == *"<stdin>:1: line longer than"* ]]
	cmp a.alog before.alog
}

@test "a stream stops at the first bad line and keeps what came before" {
	run alog-append -f a.alog < <(printf '%s\n' '{"n":1}' '{"n":2}' 'oops' '{"n":4}')
	[ "$status" -eq 2 ]
	[[ $output == *"<stdin>:3: column 1: invalid JSON"* ]]
	[[ $output == *"stopped at <stdin> line 3"* ]]
	[ "$(wc -l <a.alog)" -eq 3 ]
	alog-verify -q a.alog
}

@test "--skip-bad reports bad lines, appends the rest, and exits 2" {
	run alog-append -f a.alog --skip-bad < <(printf '%s\n' '{"n":1}' 'bad' '{"n":3}' '[4]' '{"n":5}')
	[ "$status" -eq 2 ]
	[[ $output == *"<stdin>:2:"* ]]
	[[ $output == *"<stdin>:4:"* ]]
	[[ $output == *"2 bad input line(s) were not appended"* ]]
	[ "$(jq -s 'map(select(.n)) | map(.n) | join(",")' -r a.alog)" = "1,3,5" ]
}

@test "--ack prints the seq of every durable record" {
	run alog-append -f a.alog --ack < <(printf '{"n":%d}\n' 1 2 3)
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '2\n3\n4')" ]
	run alog-append -f a.alog --ack < <(printf '{"n":%d}\n' 4)
	[ "$output" = 5 ]
}

@test "the log defaults to ALOG_FILE, then a per-user path" {
	ALOG_FILE=$PWD/env.alog alog-append x=1
	[ -s env.alog ]
	# root's default is /var/log/alog/audit.alog, not to be touched by tests:
	# as root, check the per-user default as nobody in a directory of its own
	local as=() d=$PWD
	if [ "$(id -u)" = 0 ]; then
		command -v setpriv >/dev/null || skip "setpriv is needed to run as another user"
		d=$(mktemp -d /tmp/alog-peruser.XXXXXX)
		chmod 777 "$d"
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		"${as[@]}" test -x "$(command -v alog-append)" ||
			{ rm -rf "$d"; skip "alog-append is not reachable by nobody"; }
	fi
	(cd "$d" && env -u ALOG_FILE HOME="$d/home" "${as[@]}" "$(command -v alog-append)" x=2)
	[ -s "$d/home/.local/state/alog/audit.alog" ]
	(cd "$d" && env -u ALOG_FILE XDG_STATE_HOME="$d/state" HOME="$d/home" "${as[@]}" \
		"$(command -v alog-append)" x=3)
	[ -s "$d/state/alog/audit.alog" ]
	[ "$(wc -l <"$d/home/.local/state/alog/audit.alog")" -eq 2 ]
	[ "$d" = "$PWD" ] || rm -rf "$d"
}

@test "--origin and ALOG_ORIGIN name a new log; a bad origin is refused" {
	alog-append -f o1.alog --origin db-1.example.com/audit x=1
	[[ $(line o1.alog 1) == *'"origin":"db-1.example.com/audit"'* ]]
	ALOG_ORIGIN=other/log alog-append -f o2.alog x=1
	[[ $(line o2.alog 1) == *'"origin":"other/log"'* ]]
	run alog-append -f o3.alog --origin 'has space' x=1
	[ "$status" -eq 2 ]
	[[ $output == *"origin must not contain spaces"* ]]
	run alog-append -f o3.alog --origin 'a+b' x=1
	[ "$status" -eq 2 ]
	[ ! -e o3.alog ]
}

@test "--sync takes each, batch or none" {
	for m in each batch none; do
		alog-append -f a.alog --sync=$m x=$m
	done
	printf '{"s":1}\n' | alog-append -f a.alog --sync none
	alog-verify -q a.alog
	run alog-append -f a.alog --sync=sometimes x=1
	[ "$status" -eq 2 ]
	[[ $output == *"--sync takes each, batch or none, not 'sometimes'"* ]]
}

@test "help, version and bad options" {
	run alog-append --help
	[ "$status" -eq 0 ]
	[[ $output == "usage: alog-append"* ]]
	run alog-append --version
	[ "$status" -eq 0 ]
	[[ $output == "alog-append "* ]]
	run alog-append --bogus
	[ "$status" -eq 2 ]
	[[ $output == *"unknown option '--bogus'"* ]]
	[[ $output == *"Try 'alog-append --help'"* ]]
	run alog-append -f
	[ "$status" -eq 2 ]
	[[ $output == *"needs an argument"* ]]
}

@test "an unwritable log is an I/O error" {
	mkdir dir.alog
	run alog-append -f dir.alog x=1
	[ "$status" -eq 2 ]
	[[ $output == "alog-append: dir.alog: "* ]]
	run alog-append -f missing/dir/a.alog x=1
	[ "$status" -eq 2 ]
	[[ $output == *"cannot open log"* ]]
}

@test "a torn last record stops appends, and --recover moves it aside" {
	make_log a.alog 3
	torn='{"seq":5,"ts":"2026-11-28T0'
	printf '%s' "$torn" >>a.alog
	cp a.alog before.alog
	run alog-append -f a.alog x=1
	[ "$status" -eq 1 ]
	[[ $output == "alog-append: a.alog:5: the last record is damaged (${#torn} bytes at offset"* ]]
	[[ $output == *"alog-append --recover -f a.alog"* ]]
	cmp a.alog before.alog
	run alog-append -f a.alog --recover
	[ "$status" -eq 0 ]
	[[ $output == *"damaged tail moved to a.alog.torn-"* ]]
	aside=$(ls a.alog.torn-*)
	[ "$(cat "$aside")" = "$torn" ]
	[[ $(line a.alog 5) == *'"type":"recover","file":"'"$aside"'","offset":'*',"bytes":'${#torn}',"sha256":"'$(sha256sum <"$aside" | cut -c1-64)'"'* ]]
	alog-verify -q a.alog
	alog-append -f a.alog x=after
	alog-verify -q a.alog
	run alog-append -f a.alog --recover
	[ "$status" -eq 0 ]
	[[ $output == *"nothing to recover"* ]]
}

@test "a NUL-filled tail from a power loss is recovered" {
	make_log a.alog 2
	head -c 4096 /dev/zero >>a.alog
	run alog-append -f a.alog x=1
	[ "$status" -eq 1 ]
	alog-append -f a.alog --recover 2>/dev/null
	[ "$(stat -c %s a.alog.torn-*)" -eq 4096 ]
	alog-verify -q a.alog
}

@test "a zeroed block before a complete record is all moved aside" {
	# a power loss can zero an unsynced record and keep the one after it
	make_log a.alog 2
	good=$(line a.alog 3)
	{ head -c 100 /dev/zero; printf '%s\n' "$good"; } >>a.alog
	run alog-append -f a.alog x=1
	[ "$status" -eq 1 ]
	alog-append -f a.alog --recover 2>/dev/null
	[ "$(stat -c %s a.alog.torn-*)" -eq $((100 + ${#good} + 1)) ]
	alog-verify -q a.alog
}

@test "appending reads only the end of the log" {
	make_log a.alog 2000
	# damage early in the file: an append never reads it, a verify does
	sed -i '10s/user/USER/' a.alog
	alog-append -f a.alog x=1
	[ "$(wc -l <a.alog)" -eq 2002 ]
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:10: record modified (seq 10)"* ]]
}

@test "eight concurrent writers lose and interleave nothing" {
	for w in 1 2 3 4 5 6 7 8; do
		(
			if [ $((w % 2)) -eq 0 ]; then
				for i in $(seq 1 150); do alog-append -f c.alog w:=$w i:=$i || exit 1; done
			else
				for i in $(seq 1 400); do printf '{"w":%d,"i":%d,"pad":"%0600d"}\n' $w $i 0; done |
					alog-append -f c.alog --sync=batch || exit 1
			fi
		) &
	done
	wait
	alog-verify -q c.alog
	[ "$(wc -l <c.alog)" -eq $((1 + 4 * 150 + 4 * 400)) ]
	# each writer's records are all there, in its own order
	for w in 1 2 3 4 5 6 7 8; do
		n=$([ $((w % 2)) -eq 0 ] && echo 150 || echo 400)
		[ "$(jq -r "select(.w == $w) | .i" c.alog | tr '\n' ' ')" = "$(seq -s ' ' 1 $n) " ]
	done
}

@test "kill -9 during appends loses no acknowledged record" {
	for round in 1 2 3 4 5 6 7 8 9 10; do
		( for i in $(seq 1 100000); do printf '{"r":%d,"i":%d}\n' $round $i; done |
			alog-append -f k.alog --ack >acked.$round ) &
		pid=$!
		sleep 0.$((RANDOM % 3 + 1))
		pkill -9 -P $pid alog-append 2>/dev/null || true
		kill -9 $pid 2>/dev/null || true
		wait $pid 2>/dev/null || true
		# killed before the file or its header was written: nothing can
		# have been acknowledged, and the next round starts the log
		if [ ! -s k.alog ]; then
			[ ! -s acked.$round ]
			continue
		fi
		if ! alog-verify -q k.alog; then
			run alog-verify k.alog
			[[ $output == *"damaged tail"* ]]
			alog-append -f k.alog --recover 2>/dev/null
			alog-verify -q k.alog
		fi
		# every acknowledged seq is in the log
		if [ -s acked.$round ]; then
			last=$(tail -1 acked.$round)
			[ "$(jq -r "select(.seq == $last) | .seq" k.alog)" = "$last" ]
		fi
	done
}

@test "a torn tail after a header longer than a page is named at its line" {
	{
		printf '{"seq":5,"ts":"2026-11-28T05:17:18.000000001Z","type":"open","v":1,"origin":"a.example/x","pad":"%s","hash":"%064d"}\n' "$(printf 'x%.0s' $(seq 1 5000))" 0
		printf '{"seq":6,"ts":"2026-11-28T05:17:18.000000002Z","n":1,"hash":"%064d"}\n' 0
		printf '{"seq":7,"ts":"2026'
	} >long.alog
	run alog-append -f long.alog x=1
	[ "$status" -eq 1 ]
	[[ $output == "alog-append: long.alog:3: the last record is damaged (19 bytes at offset 5302"* ]]
}

@test "KEY=VALUE arguments take linear time: 40,000 of them as fast as on stdin" {
	[ "${ALOG_VALGRIND:-0}" = 0 ] || skip "memcheck is too slow to time"
	local args=() t
	mapfile -t args < <(seq 1 40000 | sed 's/.*/k&=v/')
	args+=(deep.a.b=1 deep.a.c:=2)
	TIMEFORMAT=%U
	# user CPU seconds (not wall time: the machine may be loaded); a linear
	# search per key took 2 s for 30,000
	t=$( { time alog-append -f a.alog "${args[@]}" >/dev/null; } 2>&1)
	echo "user time: $t"
	awk -v t="$t" 'BEGIN { exit !(t < 1.0) }'
	[ "$(tail -n 1 a.alog | jq -c '[length, .k1, .k40000, .deep]')" = '[40004,"v","v",{"a":{"b":"1","c":2}}]' ]
	# a key given twice is still found among them
	run alog-append -f a.alog "${args[@]}" k39999=w
	[ "$status" -eq 2 ]
	[ "$output" = "alog-append: argument 'k39999=w': key 'k39999' given twice" ]
	run alog-append -f a.alog "${args[@]}" deep.a=x
	[ "$output" = "alog-append: argument 'deep.a=x': key 'deep.a' given twice" ]
	run alog-append -f a.alog "${args[@]}" deep.a.b.c=x
	[ "$output" = "alog-append: argument 'deep.a.b.c=x': 'deep.a.b' already holds a value" ]
}
