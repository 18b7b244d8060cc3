#!/usr/bin/env bats
# alog-grep: the query language (the table in tests/data/grep), output
# byte for byte, pretty and fields, grep habits, time ranges with binary
# search, following across a rotation, terminal safety, verification while
# searching, the differential tests, and the man page examples.

load helpers

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}

TABLE=$BATS_TEST_DIRNAME/data/grep/queries.test

# Write a log from lines "TIME JSON" on stdin (TIME: YYYY-MM-DDTHH:MM:SS,
# UTC), chained and hashed as alog-append would: a header at the first
# time, then one event per line.  With FIRST and PREV, the file continues
# a rotated log at seq FIRST from the hex hash PREV.
timed_log() {
	python3 -c "$TIMED_LOG_PY" "$@"
}
TIMED_LOG_PY=$(cat <<'PY'
import hashlib, sys
path = sys.argv[1]
first = int(sys.argv[2]) if len(sys.argv) > 2 else 1
prev = bytes.fromhex(sys.argv[3]) if len(sys.argv) > 3 else bytes(32)
rows = [l.rstrip('\n').split(' ', 1) for l in sys.stdin if l.strip()]
def ts(t):
    return t + '.000000000Z'
lines = []
head = '"type":"open","v":1,"origin":"test.example/audit"'
if first > 1:
    head += ',"prev":"%s","range":[]' % prev.hex()
body = [(rows[0][0], head)] + [(t, j[1:-1]) for t, j in rows]
h = prev
for i, (t, members) in enumerate(body):
    b = '{"seq":%d,"ts":"%s",%s}' % (first + i, ts(t), members)
    d = hashlib.sha256(b.encode()).digest()
    h = hashlib.sha256(h + d).digest()
    lines.append(b[:-1] + ',"hash":"%s"}\n' % h.hex())
open(path, 'w').write(''.join(lines))
PY
)

# The hash of a file's last record.
last_hash() { tail -n 1 "$1" | sed 's/.*"hash":"\([0-9a-f]*\)"}$/\1/'; }

# The incident of the man page: two rotated files with known times.
incident_fixtures() {
	timed_log audit-2026-11-27.alog <<'EOF'
2026-11-27T23:10:00 {"actor":"bob","action":"shell.exec","target":"db-1","msg":"vi /etc/pgbouncer/pgbouncer.ini"}
2026-11-27T23:12:00 {"actor":"bob","action":"shell.exec","target":"db-1","msg":"systemctl reload pgbouncer"}
2026-11-27T23:40:00 {"actor":"carol","action":"config.change","target":"ledger","key":"max_conn","new":200}
EOF
	timed_log audit.alog 5 "$(last_hash audit-2026-11-27.alog)" <<'EOF'
2026-11-28T01:58:00 {"actor":"svc-deploy","action":"db.query","target":"payments","src":{"ip":"10.0.1.6","host":"app-06"},"rows":10}
2026-11-28T02:01:00 {"actor":"svc-deploy","action":"config.change","target":"payments","key":"pool_size","new":64,"msg":"pool_size changed from 32 to 64"}
2026-11-28T02:03:00 {"actor":"alice","action":"auth.login","result":"failure","src":{"ip":"10.0.0.7","host":"vpn-1"}}
2026-11-28T02:03:30 {"actor":"alice","action":"auth.login","result":"failure","src":{"ip":"10.0.0.7","host":"vpn-1"}}
2026-11-28T02:04:00 {"actor":"alice","action":"auth.login","result":"success","src":{"ip":"10.0.0.7","host":"vpn-1"}}
2026-11-28T02:05:00 {"actor":"svc-deploy","action":"db.query","target":"payments","src":{"ip":"10.0.1.6","host":"app-06"},"rows":5000}
2026-11-28T02:07:00 {"actor":"bob","action":"shell.exec","target":"db-1","msg":"systemctl restart pgbouncer"}
2026-11-28T02:09:00 {"actor":"svc-deploy","action":"db.update","target":"payments","rows":1200}
2026-11-28T02:11:00 {"actor":"alice","action":"db.query","target":"ledger","src":{"ip":"10.0.0.7","host":"app-02"},"rows":2400}
2026-11-28T02:12:00 {"actor":"carol","action":"config.change","target":"ledger","key":"max_conn","new":300}
2026-11-28T02:14:00 {"actor":"svc-deploy","action":"db.query","target":"ledger","src":{"ip":"10.0.1.6","host":"app-06"},"rows":3}
2026-11-28T02:20:00 {"actor":"svc-deploy","action":"db.query","target":"payments","src":{"ip":"10.0.1.6","host":"app-06"},"rows":7}
2026-11-28T02:25:00 {"actor":"oncall-db","action":"file.read","msg":"read /etc/app/secrets.yaml"}
EOF
}

# ---- the query language ----

@test "the query table holds through the real tool (every operator, paths, escapes, numbers)" {
	local query alts=() events=() want=() cases=0 lineno=0 n
	run_block() {
		[ ${#alts[@]} -gt 0 ] || return 0
		local args=() i
		for q in "${alts[@]}"; do args+=(-e "$q"); done
		if [ ${#events[@]} -eq 0 ]; then alts=(); return 0; fi
		rm -f t.alog
		printf '%s\n' "${events[@]}" | alog-append --sync=none -f t.alog
		run alog-grep --fields seq,type "${args[@]}" t.alog
		# the header (seq 1) is a record too: leave it out
		local got expect=""
		got=$(grep -v open <<<"$output" | cut -f1 | xargs)
		for i in "${!want[@]}"; do
			[ "${want[$i]}" = + ] && expect+="$((i + 2)) "
		done
		expect=$(echo $expect)
		if [ "$got" != "$expect" ]; then
			echo "line $lineno: ${alts[*]}: selected seq [$got], want seq [$expect]"
			return 1
		fi
		cases=$((cases + ${#events[@]}))
		alts=() events=() want=()
	}
	while IFS= read -r l; do
		lineno=$((lineno + 1))
		case $l in
		'#'*) ;;
		'') run_block ;;
		'| '*) alts+=("${l#| }") ;;
		'+ '* | '- '*) events+=("${l:2}"); want+=("${l:0:1}") ;;
		'! '*)
			run alog-grep "${alts[0]}" /dev/null
			[ "$status" -eq 2 ]
			[[ $output == *"bad query"*"${l:2}"* ]] || { echo "line $lineno: $output"; false; }
			alts=() ;;
		*) [ "$l" = '<empty>' ] && alts=('') || alts=("$l") ;;
		esac
	done <"$TABLE"
	run_block
	[ "$cases" -gt 150 ]
}

@test "a malformed query is refused with a caret under the bad term" {
	run alog-grep 'actor=alice rows>lots action=x' /dev/null
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "alog-grep: bad query: 'rows>lots': '>' compares numbers, and 'lots' is not a JSON number" ]
	[ "${lines[1]}" = "  actor=alice rows>lots action=x" ]
	[ "${lines[2]}" = "              ^^^^^^^^^" ]
	run alog-grep 'msg="open' /dev/null
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "alog-grep: bad query: unterminated double quote" ]
	[ "${lines[2]}" = "      ^^^^^" ]
	run alog-grep 'action~(' /dev/null
	[ "$status" -eq 2 ]
	[[ ${lines[0]} == "alog-grep: bad query: 'action~(': bad regular expression: "* ]]
}

@test "a second term given as a file name is caught with a hint" {
	make_log a.alog 3
	run alog-grep actor=user1 action=act.1 a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"no file 'action=act.1': to give several terms, quote the whole query, as in 'actor=alice action=act.1'"* ]]
}

@test "reserved members are searchable: seq, ts, type, hash" {
	make_log a.alog 10
	run alog-grep --fields seq 'seq>=9' a.alog
	[ "$output" = "$(printf '9\n10\n11')" ]
	run alog-grep --fields seq type=open a.alog
	[ "$output" = 1 ]
	h=$(line a.alog 4 | jq -r .hash)
	run alog-grep --fields seq "hash^=${h:0:12}" a.alog
	[ "$output" = 4 ]
	run alog-grep -c 'ts~^20' a.alog
	[ "$output" = 11 ]
}

# ---- output ----

@test "raw output is the stored lines byte for byte, and is checked as a fragment" {
	gen-events 3000 >ev.ndjson
	alog-append -f a.alog <ev.ndjson
	alog-grep 'actor=alice target=payments' a.alog >out.alog
	grep -F '"actor":"alice","action":' a.alog | grep -F '"target":"payments"' >want.alog
	cmp out.alog want.alog
	[ "$(wc -l <out.alog)" -gt 10 ]
	# lines alone prove nothing: checked where they are consecutive, never OK
	run alog-verify <out.alog
	[ "$status" -eq 1 ]
	[[ $output == *"NOT VERIFIED (fragment): "* && $output != *FAILED* ]]
}

@test "the scanner agrees with jq on a generated corpus" {
	gen-events 2000 7 >ev.ndjson
	alog-append -f a.alog <ev.ndjson
	check() {
		diff <(alog-grep "$1" a.alog) <(jq -c "select($2)" a.alog | jq -r .hash |
			grep -Ff - a.alog || true)
	}
	check 'actor=alice target=payments' '.actor == "alice" and .target == "payments"'
	check 'rows>2500' '(.rows | type) == "number" and .rows > 2500'
	check 'rows<=10 src.host=app-03' '(.rows | type) == "number" and .rows <= 10 and .src.host == "app-03"'
	check 'latency_ms>=899.5' '(.latency_ms | type) == "number" and .latency_ms >= 899.5'
	check 'src.ip^=10.3.2' '(.src.ip | type) == "string" and (.src.ip | startswith("10.3.2"))'
	check 'msg~restart' '(.msg | type) == "string" and (.msg | test("restart"))'
	check "msg='systemctl restart pgbouncer'" '.msg == "systemctl restart pgbouncer"'
	check 'actor!=alice action=auth.login' '.actor != "alice" and .action == "auth.login"'
	check 'session?' 'has("session")'
	check 'actor=nobody' 'false'
	diff <(alog-grep -v 'actor=alice' a.alog) <(jq -c 'select(.actor != "alice")' a.alog |
		jq -r .hash | grep -Ff - a.alog)
	diff <(alog-grep -e actor=bob -e 'rows<100' a.alog) \
		<(jq -c 'select(.actor == "bob" or ((.rows | type) == "number" and .rows < 100))' \
			a.alog | jq -r .hash | grep -Ff - a.alog)
}

@test "the differential test of the scanner against jansson passes" {
	[ -x "$ALOG_TESTBIN/test_query" ] || skip "unit tests not built (make check-unit)"
	run "$ALOG_TESTBIN/test_query" 60000 "$((RANDOM + 1))" "$TABLE"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"differential: 60000 records"* ]]
}

@test "pretty output: time, actor, action, target, the rest, seq" {
	incident_fixtures
	run alog-grep --pretty 'action=config.change target=payments' audit.alog
	[ "$status" -eq 0 ]
	[ "$output" = "2026-11-28 02:01:00.000 UTC  svc-deploy   config.change    payments     key=pool_size new=64 msg=\"pool_size changed from 32 to 64\" #7" ]
	run alog-grep --pretty type=open audit.alog
	[ "$output" = "2026-11-28 01:58:00.000 UTC  [open] v=1 origin=test.example/audit #5" ]
	# local time with its zone; --utc for UTC
	run env TZ=Europe/Berlin alog-grep --pretty type=open audit.alog
	[ "$output" = "2026-11-28 02:58:00.000 CET  [open] v=1 origin=test.example/audit #5" ]
	run env TZ=America/New_York alog-grep --pretty --utc type=open audit.alog
	[ "$output" = "2026-11-28 01:58:00.000 UTC  [open] v=1 origin=test.example/audit #5" ]
	run env TZ=Asia/Kolkata alog-grep --pretty type=open audit.alog
	[[ $output == "2026-11-28 07:28:00.000 IST  "* ]]
}

@test "pretty output shows a policy's notes as one marker, in full with --verbose" {
	echo '{"rules": [{"path": "pw", "do": "mask"}, {"path": "card", "do": "drop"}]}' >p.json
	alog-append -f a.alog --policy p.json actor=carol pw=secret card=4111111111111111 n:=1
	alog-append -f a.alog --policy p.json actor=dave n:=2
	run alog-grep --pretty --color=never 'n?' a.alog
	[[ ${lines[0]} == *' n=1 [policy] #2' ]]
	[[ ${lines[0]} != *alog.policy* ]]
	[[ ${lines[1]} != *'[policy]'* ]]
	run alog-grep --pretty --verbose --color=never n=1 a.alog
	[[ $output == *'alog.policy=[{"path":"pw"'* ]]
	[[ $output != *'[policy]'* ]]
	run alog-grep --fields alog n=1 a.alog
	[[ $output == '{"policy":[{"path":"pw"'* ]]
}

@test "pretty output highlights the matched members, in colour only when asked" {
	incident_fixtures
	run alog-grep --pretty --color=always 'actor=alice src.host=vpn-1 result=failure' audit.alog
	[ "${#lines[@]}" -eq 2 ]
	[[ ${lines[0]} == *$'\e[1;31m'alice$'\e[0m'* ]]
	[[ ${lines[0]} == *$'\e[1;31m'src.host=vpn-1$'\e[0m'* ]]
	[[ ${lines[0]} == *$'\e[1;31m'result=failure$'\e[0m'* ]]
	[[ ${lines[0]} != *$'\e[1;31m'src.ip* ]]
	run alog-grep --pretty --color=never actor=alice audit.alog
	[[ $output != *$'\e'* ]]
	run alog-grep --pretty actor=alice audit.alog
	[[ $output != *$'\e'* ]]
	run alog-grep --pretty --color=sometimes actor=alice audit.alog
	[ "$status" -eq 2 ]
}

@test "fields output is tab-separated, decoded, and never holds a raw tab or newline" {
	printf '%s\n' '{"actor":"a\tb","msg":"line1\nline2\\x","n":1.50,"o":{"k":[1,"x"]},"u":"caf\u00e9"}' |
		alog-append -f a.alog
	run alog-grep --fields actor,msg,n,o,o.k,missing,u n? a.alog
	[ "$output" = "$(printf 'a\\tb\tline1\\nline2\\\\x\t1.50\t{"k":[1,"x"]}\t[1,"x"]\t\tcafé')" ]
	[ "$(alog-grep --fields actor,msg n? a.alog | tr -cd '\t\n' | od -An -c | tr -d ' ')" = '\t\n' ]
	run alog-grep --fields 'a,,b' n? a.alog
	[ "$status" -eq 2 ]
}

@test "a record whose msg holds an escape sequence never reaches the terminal raw" {
	printf '%s\n' '{"actor":"eve\u001b]0;owned\u0007","msg":"\u001b[2J\u001b[31mall good\u009b2J \u202egnp.exe"}' |
		alog-append -f a.alog
	# a forged line with raw control bytes in it, hashes recomputed
	line a.alog 2 | sed 's/\\u001b/\x1b/g; s/\\u009b/\xc2\x9b/' >>a.alog
	rehash_log a.alog
	[ "$(grep -c $'\x1b' a.alog)" -eq 1 ]
	# to a pipe, raw means raw
	alog-grep actor? a.alog | cmp - <(sed -n '2,3p' a.alog)
	# pretty and fields never carry a control byte
	for mode in --pretty --fields=actor,msg; do
		alog-grep $mode actor? a.alog >out
		[ "$(tr -d '\n\t -~\200-\377' <out | wc -c)" -eq 0 ]
		! grep -q $'\xc2\x9b\|\xe2\x80\xae' out || false
		grep -q 'x1b\[2J' out
	done
	# on a terminal: pretty by default, raw on request, both neutralised
	for mode in "" --raw; do
		script -qec "alog-grep $mode actor? a.alog" /dev/null >tty.out
		# nothing but our own colours
		sed -i 's/\x1b\[[0-9;]*m//g' tty.out
		[ "$(tr -d '\r\n -~\200-\377' <tty.out | wc -c)" -eq 0 ]
		! grep -q $'\xc2\x9b\|\xe2\x80\xae' tty.out || false
		grep -q 'x1b\[2J' tty.out
	done
	script -qec "alog-grep actor? a.alog" /dev/null | grep -q '#2'
}

@test "file names in messages and prefixes are neutralised too" {
	make_log $'evil\e[2J.alog' 3
	printf 'garbage user1\n' >>$'evil\e[2J.alog'
	run alog-grep -H --pretty actor=user1 $'evil\e[2J.alog'
	[ "$status" -eq 2 ]
	[[ $output != *$'\e'* ]]
	[[ $output == *'evil\x1b[2J.alog:'* ]]
}

# ---- grep habits ----

@test "exit status: 0 match, 1 no match, 2 errors" {
	make_log a.alog 5
	run alog-grep actor=user1 a.alog
	[ "$status" -eq 0 ]
	run alog-grep actor=nobody a.alog
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run alog-grep actor=user1 missing.alog
	[ "$status" -eq 2 ]
	[[ $output == "alog-grep: missing.alog: cannot open: No such file or directory" ]]
	run alog-grep actor=user1 missing.alog a.alog
	[ "$status" -eq 2 ]
	[ "${#lines[@]}" -eq 2 ]
	run alog-grep -q actor=user1 missing.alog a.alog
	[ "$status" -eq 0 ]
	run alog-grep
	[ "$status" -eq 2 ]
	[[ $output == *"a QUERY is needed"* ]]
	run alog-grep --bogus x
	[ "$status" -eq 2 ]
}

@test "lines that are not records are reported and skipped" {
	make_log a.alog 4
	sed -i '3s/^/garbage/' a.alog
	printf '{"seq":6,"ts":"2026' >>a.alog
	run alog-grep -v actor=nobody a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"alog-grep: a.alog:3: not a record (line does not start with {\"seq\":); skipped"* ]]
	[[ $output == *"alog-grep: a.alog:6: not a record (no newline at the end); skipped"* ]]
	[ "$(grep -c '^{"seq"' <<<"$output")" -eq 4 ]
}

@test "the literal search numbers the lines it skips when it reports one" {
	# 7 MB: past the first read, so the count reads back what left the buffer
	python3 -c '
import sys
for i in range(1, 30001):
    if i in (25000, 29999):
        sys.stdout.write("{\"actor\":\"zed\"}\n")
    else:
        sys.stdout.write("{\"seq\":%d,\"actor\":\"svc\",\"pad\":\"%s\"}\n" % (i, "x" * 200))
' >a.alog
	run alog-grep actor=zed a.alog
	[ "$status" -eq 2 ]
	[[ $output == *"alog-grep: a.alog:25000: not a record"* ]]
	[[ $output == *"alog-grep: a.alog:29999: not a record"* ]]
	# a pipe cannot be read back: counted before the buffer moves on
	run bash -c 'cat a.alog | alog-grep actor=zed'
	[ "$status" -eq 2 ]
	[[ $output == *":25000: not a record"* ]]
	[[ $output == *":29999: not a record"* ]]
}

@test "-c counts, -v inverts, -m stops, -l names files, -q says nothing" {
	make_log a.alog 20
	make_log b.alog 6
	run alog-grep -c actor=user3 a.alog
	[ "$output" = 3 ]
	run alog-grep -c -v actor=user3 a.alog
	[ "$output" = 18 ]
	run alog-grep -c actor=user3 a.alog b.alog
	[ "$output" = "$(printf 'a.alog:3\nb.alog:1\ntotal:4')" ]
	run alog-grep -c --no-filename actor=user3 a.alog b.alog
	[ "$output" = 4 ]
	run alog-grep --fields n -m 2 actor=user3 a.alog
	[ "$output" = "$(printf '3\n10')" ]
	run alog-grep --fields n -m 1 actor=user3 a.alog b.alog
	[ "$output" = "$(printf 'a.alog\t3\nb.alog\t3')" ]
	run alog-grep -l actor=user6 a.alog b.alog
	[ "$output" = "$(printf 'a.alog\nb.alog')" ]
	run alog-grep -l n=20 a.alog b.alog
	[ "$output" = a.alog ]
	run alog-grep -q actor=user3 a.alog
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run alog-grep -c -m 2 actor? a.alog
	[ "$output" = 2 ]
}

@test "several files: names prefix pretty and fields lines, never raw ones" {
	make_log a.alog 3
	make_log b.alog 3
	run alog-grep actor=user1 a.alog b.alog
	[ "$output" = "$(line a.alog 2; line b.alog 2)" ]
	run alog-grep -H actor=user1 a.alog
	[ "$output" = "$(line a.alog 2)" ]
	run alog-grep --pretty actor=user1 a.alog b.alog
	[[ ${lines[0]} == "a.alog:20"* ]] && [[ ${lines[1]} == "b.alog:20"* ]]
	run alog-grep --pretty --no-filename actor=user1 a.alog b.alog
	[[ ${lines[0]} == 20* ]]
	run alog-grep --pretty -H actor=user1 a.alog
	[[ ${lines[0]} == "a.alog:20"* ]]
	run alog-grep --fields n actor=user1 a.alog b.alog
	[ "$output" = "$(printf 'a.alog\t1\nb.alog\t1')" ]
}

@test "context: -A, -B, -C records, with -- between groups in pretty output only" {
	make_log a.alog 30
	run alog-grep --fields n -B 2 n=10 a.alog
	[ "$output" = "$(printf '8\n9\n10')" ]
	run alog-grep --fields n -A 1 -e n=10 -e n=20 a.alog
	[ "$output" = "$(printf '10\n11\n20\n21')" ]
	run alog-grep --fields n -C 1 -e n=10 -e n=11 -e n=13 a.alog
	[ "$output" = "$(printf '9\n10\n11\n12\n13\n14')" ]
	run alog-grep --pretty -C 1 -e n=10 -e n=20 a.alog
	[ "${#lines[@]}" -eq 7 ]
	[ "${lines[3]}" = "--" ]
	[[ ${lines[1]} == *"n=10 #11" ]]
	run alog-grep -C 1 -e n=10 -e n=20 a.alog
	[ "$output" = "$(sed -n '10,12p;20,22p' a.alog)" ]
	run alog-grep --pretty -H -A 1 n=10 a.alog
	[[ ${lines[0]} == "a.alog:"* ]] && [[ ${lines[1]} == "a.alog-"* ]]
	run alog-grep --fields n -m 1 -A 2 actor=user1 a.alog
	[ "$output" = "$(printf '1\n2\n3')" ]
}

@test "standard input, named or not" {
	make_log a.alog 5
	[ "$(alog-grep actor=user2 <a.alog)" = "$(line a.alog 3)" ]
	[ "$(cat a.alog | alog-grep actor=user2 -)" = "$(line a.alog 3)" ]
	run alog-grep -H --pretty actor=user2 - <a.alog
	[[ $output == "<stdin>:"* ]]
}

# ---- time ranges ----

@test "--since and --until take times, dates and 'YYYY-MM-DD HH:MM'" {
	incident_fixtures
	run alog-grep --fields ts --since 2026-11-28T02:05:00Z --until '2026-11-28 02:12' '' audit.alog
	[ "$output" = "$(printf '%s\n' 2026-11-28T02:05:00.000000000Z 2026-11-28T02:07:00.000000000Z \
		2026-11-28T02:09:00.000000000Z 2026-11-28T02:11:00.000000000Z)" ]
	run alog-grep -c --since 2026-11-28T03:04:00+01:00 --until 2026-11-28T02:04:00.000000001Z '' audit.alog
	[ "$output" = 1 ]
	run alog-grep -c --until 2026-11-28 '' audit-2026-11-27.alog audit.alog
	[ "$output" = "$(printf 'audit-2026-11-27.alog:4\naudit.alog:0\ntotal:4')" ]
	run alog-grep -c --since 2026-11-28 --no-filename '' audit-2026-11-27.alog audit.alog
	[ "$output" = 14 ]
	run alog-grep --since tomorrow '' audit.alog
	[ "$status" -eq 2 ]
	[[ $output == *"--since takes an RFC 3339 time"* ]]
}

@test "time ranges across rotated files, on files and on a pipe" {
	incident_fixtures
	want=$(printf '%s\n' 2026-11-27T23:40:00.000000000Z 2026-11-28T01:58:00.000000000Z 2026-11-28T01:58:00.000000000Z)
	run alog-grep --fields ts --since '2026-11-27 23:30' --until '2026-11-28 02:00' '' \
		audit-2026-11-27.alog audit.alog
	[ "$output" = "$(printf 'audit-2026-11-27.alog\t2026-11-27T23:40:00.000000000Z\naudit.alog\t2026-11-28T01:58:00.000000000Z\naudit.alog\t2026-11-28T01:58:00.000000000Z')" ]
	run bash -c "cat audit-2026-11-27.alog audit.alog | alog-grep --fields ts --since '2026-11-27 23:30' --until '2026-11-28 02:00' ''"
	[ "$output" = "$want" ]
	run alog-grep --fields seq --since '2026-11-28 02:03' --until '2026-11-28 02:04' actor=alice \
		audit-2026-11-27.alog audit.alog
	[ "$output" = "$(printf 'audit.alog\t8\naudit.alog\t9')" ]
}

@test "relative times: 2h, 30m, today, yesterday" {
	now=$(date -u +%s)
	# events 3 to 5: 3 h, 45 min and 10 min ago
	at=([3]=$((now - 3 * 3600)) [4]=$((now - 45 * 60)) [5]=$((now - 10 * 60)))
	{
		echo "$(date -u -d @$((now - 3 * 86400)) +%FT%T) {\"n\":1}"
		echo "$(date -u -d "yesterday 12:00" +%FT%T) {\"n\":2}"
		for n in 3 4 5; do echo "$(date -u -d @"${at[n]}" +%FT%T) {\"n\":$n}"; done
	} | sort | timed_log a.alog
	[ "$(alog-grep --fields n --since 2h n? a.alog | tr '\n' ' ')" = "4 5 " ]
	[ "$(alog-grep --fields n --since 30m n? a.alog | tr '\n' ' ')" = "5 " ]
	# before 03:00 events 3 to 5 may be yesterday's too
	yday=$(date -u -d 'yesterday 00:00' +%s) tday=$(date -u -d 'today 00:00' +%s) want='2 '
	for n in 3 4 5; do
		if [ "${at[n]}" -ge "$yday" ] && [ "${at[n]}" -lt "$tday" ]; then want+="$n "; fi
	done
	[ "$(alog-grep --fields n --since yesterday --until today n? a.alog | tr '\n' ' ')" = "$want" ]
	[ "$(alog-grep --fields n --until 2d n? a.alog | tr '\n' ' ')" = "1 " ]
	today=$(alog-grep -c --since today n? a.alog)
	[ "$today" -ge 0 ] && [ "$today" -le 3 ]
}

@test "times without a zone are local time (TZ), Z and offsets as given, --utc for UTC" {
	incident_fixtures
	export TZ=Europe/Berlin
	both=(audit-2026-11-27.alog audit.alog)
	run alog-grep --fields seq --no-filename --since '2026-11-28 03:05' --until '2026-11-28 03:12' '' "${both[@]}"
	[ "$output" = "$(printf '11\n12\n13\n14')" ]
	run alog-grep --fields seq --no-filename --since '2026-11-28T03:05:00' --until '2026-11-28 03:12:00.000' '' "${both[@]}"
	[ "$output" = "$(printf '11\n12\n13\n14')" ]
	run alog-grep --utc --fields seq --no-filename --since '2026-11-28 02:05' --until '2026-11-28 02:12' '' "${both[@]}"
	[ "$output" = "$(printf '11\n12\n13\n14')" ]
	for since in 2026-11-28T02:05:00Z 2026-11-28T03:05:00+01:00 2026-11-27T21:05:00-05:00; do
		[ "$(alog-grep -c --no-filename --since "$since" --until 2026-11-28T02:12:00Z '' "${both[@]}")" = 4 ]
		[ "$(alog-grep --utc -c --no-filename --since "$since" --until 2026-11-28T02:12:00Z '' "${both[@]}")" = 4 ]
	done
	# a date is its local midnight: 23:00 UTC the day before in Berlin
	[ "$(alog-grep -c --until 2026-11-28 '' audit-2026-11-27.alog)" = 0 ]
	[ "$(alog-grep -c --utc --until 2026-11-28 '' audit-2026-11-27.alog)" = 4 ]
	# summer time: the offset of that date, not of today
	timed_log s.alog <<<'2026-07-01T10:00:00 {"n":1}'
	[ "$(alog-grep -c --since '2026-07-01 12:00' 'n?' s.alog)" = 1 ]
	[ "$(alog-grep -c --since '2026-07-01 12:00:01' 'n?' s.alog)" = 0 ]
}

@test "times as people type them: -1h, '1 hour ago', 06:35 (today), 'yesterday 23:00'" {
	export TZ=Europe/Berlin
	now=$(date +%s)
	for ((k = 0; k < 18; k++)); do
		echo "$(date -u -d @$((now - k * 10000 - 600)) +%FT%T) {\"k\":$k}"
	done | sort | timed_log a.alog
	# how many events are at the epoch second $1 or later
	since_count() { jq -r 'select(.k != null) | .ts | sub("\\.[0-9]+Z$"; "Z") | fromdate' a.alog |
		awk -v t="$1" '$1 >= t' | wc -l; }
	[ "$(alog-grep -c --since -1h 'k?' a.alog)" = 1 ]
	for ago in -3h '3 hours ago' '3h ago' '2 hours 60 minutes ago' '180 min ago' 3h; do
		[ "$(alog-grep -c --since "$ago" 'k?' a.alog)" = "$(since_count $((now - 3 * 3600)))" ]
	done
	[ "$(alog-grep -c --since '1 day ago' 'k?' a.alog)" = "$(since_count $((now - 86400)))" ]
	[ "$(alog-grep -c --since '2 weeks ago' 'k?' a.alog)" = 18 ]
	for at in 06:35 00:00 23:59:59 'yesterday 23:00' 'today 12:00' 'yesterday 00:00' 'today 00:00' 'yesterday 06:35:10'; do
		want=$(since_count "$(date -d "$at" +%s)")
		[ "$(alog-grep -c --since "$at" 'k?' a.alog)" = "$want" ] || { echo "$at"; false; }
	done
	# --utc: the same words in UTC
	want=$(since_count "$(TZ=UTC date -d 'yesterday 23:00' +%s)")
	[ "$(alog-grep -c --utc --since 'yesterday 23:00' 'k?' a.alog)" = "$want" ]
	for bad in '1 hour' 'hour ago' '-1 hour ago' 25:00 '06:35 today' 'yesterday 25:00' '2h agoo' '1 fortnight ago'; do
		run alog-grep --since "$bad" 'k?' a.alog
		[ "$status" -eq 2 ] || { echo "$bad"; false; }
		[[ $output == *"--since takes"* ]]
	done
}

@test "fraction digits after the ninth: a bound between two nanoseconds compares as written" {
	timed_log f.alog <<<'2026-11-28T02:03:59 {"n":1}'
	sed -i '2s/"ts":"[^"]*"/"ts":"2026-11-28T02:03:59.541606859Z"/' f.alog
	rehash_log f.alog
	[ "$(alog-grep -c --since 2026-11-28T02:03:59.5416068591Z 'n?' f.alog)" = 0 ]
	[ "$(alog-grep -c --until 2026-11-28T02:03:59.5416068591Z 'n?' f.alog)" = 1 ]
	[ "$(alog-grep -c --since 2026-11-28T02:03:59.541606859000000Z 'n?' f.alog)" = 1 ]
	[ "$(alog-grep -c --until 2026-11-28T02:03:59.541606859000000Z 'n?' f.alog)" = 0 ]
	[ "$(alog-grep -c --since 2026-11-28T02:03:59.5416068589999Z 'n?' f.alog)" = 1 ]
	[ "$(alog-grep -c --until 2026-11-28T02:03:59.5416068589999Z 'n?' f.alog)" = 0 ]
	[ "$(alog-grep -c --since 2026-11-28T02:03:59.999999999999Z 'n?' f.alog)" = 0 ]
}

@test "a time range in a seekable file is found by binary search: the rest is not read" {
	[ "${ALOG_VALGRIND:-0}" = 0 ] || skip "strace counts valgrind's reads"
	gen-events 40000 >ev.ndjson
	alog-append -f a.alog <ev.ndjson
	size=$(stat -c %s a.alog)
	since=$(line a.alog 20000 | jq -r .ts)
	until=$(line a.alog 20100 | jq -r .ts)
	# (LeakSanitizer cannot run under ptrace)
	# (-P: the log's reads, whichever descriptor it has: bats holds 3 and more)
	ASAN_OPTIONS=detect_leaks=0 strace -P a.alog -e trace=read,pread64 -o trace alog-grep -c --since "$since" --until "$until" '' a.alog >count
	[ "$(cat count)" = 100 ]
	read_bytes=$(grep -E '^(read|pread64)\(' trace | sed 's/.*= \([0-9]*\)$/\1/' |
		awk '{ s += $1 } END { print s + 0 }')
	echo "read $read_bytes of $size bytes"
	[ "$read_bytes" -lt $((size / 10)) ]
	# the same records as a full scan finds
	diff <(alog-grep --since "$since" --until "$until" '' a.alog) \
		<(alog-grep --since "$since" --until "$until" '' <(cat a.alog))
	# and through the standard input, when it is the file
	[ "$(alog-grep -c --since "$since" --until "$until" '' <a.alog)" = 100 ]
}

@test "time ranges and -n over records of every length: as a full scan finds, reading little" {
	[ "${ALOG_VALGRIND:-0}" = 0 ] || skip "strace counts valgrind's reads"
	# lines from 100 bytes to 300 KiB: longer than a binary search probe's
	# window (16 KiB) and than the first block -n reads from the end (64 KiB)
	python3 -c '
import json, random
r = random.Random(19)
for i in range(6000):
    k = r.choice([20, 80, 300, 3000, 20000, 70000, 300000]) if i % 97 == 0 or i > 5990 else r.randrange(20, 400)
    print(json.dumps({"actor": r.choice(["alice", "bob", "carol"]), "n": i, "pad": "x" * k}))
' >ev.ndjson
	alog-append -f a.alog <ev.ndjson
	size=$(stat -c %s a.alog)
	lines=$(wc -l <a.alog)
	for k in 1 2 3 50 777 2999 5000 5990 5995 5999 6001; do
		since=$(line a.alog "$k" | jq -r .ts)
		for w in 0 1 5 300 4000; do
			[ $((k + w)) -le "$lines" ] || continue
			until=$(line a.alog $((k + w)) | jq -r .ts)
			diff <(alog-grep --fields n --since "$since" --until "$until" '' a.alog) \
				<(alog-grep --fields n --since "$since" --until "$until" '' <(cat a.alog))
			diff <(alog-grep --fields n --since "$since" actor=bob a.alog) \
				<(alog-grep --fields n --since "$since" actor=bob <(cat a.alog))
		done
	done
	for q in '' actor=alice 'n>5990'; do
		for k in 1 2 5 10 200 5999; do
			diff <(alog-grep --fields n -n "$k" "$q" a.alog) \
				<(alog-grep --fields n "$q" a.alog | tail -n "$k")
		done
	done
	# what is read: a probe's window at a time, not the same bytes again and again
	since=$(line a.alog 3020 | jq -r .ts)
	until=$(line a.alog 3030 | jq -r .ts)
	# (LeakSanitizer cannot run under ptrace)
	ASAN_OPTIONS=detect_leaks=0 strace -P a.alog -e trace=read,pread64 -o trace \
		alog-grep -c --since "$since" --until "$until" '' a.alog >count
	[ "$(cat count)" = 10 ]
	read_bytes=$(grep -E '^(read|pread64)\(' trace | sed 's/.*= \([0-9]*\)$/\1/' |
		awk '{ s += $1 } END { print s + 0 }')
	echo "range: read $read_bytes of $size bytes"
	[ "$read_bytes" -lt $((size / 6)) ]
	# -n: the last records of a plain log from a small block at its end
	gen-events 20000 | alog-append -f big.alog
	size=$(stat -c %s big.alog)
	ASAN_OPTIONS=detect_leaks=0 strace -P big.alog -e trace=read,pread64 -o trace \
		alog-grep -n 10 '' big.alog >out
	[ "$(wc -l <out)" = 10 ]
	read_bytes=$(grep -E '^(read|pread64)\(' trace | sed 's/.*= \([0-9]*\)$/\1/' |
		awk '{ s += $1 } END { print s + 0 }')
	echo "-n 10: read $read_bytes of $size bytes"
	[ "$read_bytes" -lt 200000 ]
}

# ---- following ----

# Wait up to 10 s for FILE to have N lines.
wait_lines() {
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(wc -l <"$1")" -ge "$2" ] && return 0
		sleep 0.1
	done
	echo "$1 has $(wc -l <"$1") lines, not $2"
	return 1
}

@test "--follow reads records as they are appended, across a rotation by alog-seal" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 3
	alog-grep -F --fields seq,n 'n?' a.alog >out 2>err &
	pid=$!
	wait_lines out 3
	alog-append -f a.alog n:=4 actor=x
	wait_lines out 4
	alog-seal -f a.alog -s k.sec --rotate a-old.alog >/dev/null
	alog-append -f a.alog n:=5 actor=y
	alog-append -f a.alog n:=6 actor=z
	wait_lines out 6
	alog-seal -f a.alog -s k.sec --rotate a-older.alog >/dev/null
	alog-append -f a.alog n:=7
	wait_lines out 7
	kill "$pid"
	wait "$pid" || true
	[ "$(cat out)" = "$(printf '2\t1\n3\t2\n4\t3\n5\t4\n8\t5\n9\t6\n12\t7')" ]
	[ -z "$(tool_errors err)" ]
	alog-verify -p k.pub a-old.alog a-older.alog a.alog
}

@test "-n N: the last N records selected, across files; -F starts at the end like tail -F" {
	make_log a-1.alog 15
	make_log a.alog 15
	run alog-grep --fields n -n 3 'n?' a-1.alog a.alog
	[ "$output" = "$(printf 'a.alog\t13\na.alog\t14\na.alog\t15')" ]
	run alog-grep --no-filename --fields n -n 4 actor=user1 a-1.alog a.alog
	[ "$output" = "$(printf '15\n1\n8\n15')" ]
	run alog-grep --fields n -n 0 'n?' a.alog
	[ "$status" -eq 1 ]
	[ -z "$output" ]
	run alog-grep -n 2 -C 1 'n?' a.alog
	[ "$status" -eq 2 ]
	# read from the end, the same records as the end of a full search
	gen-events 20000 >ev.ndjson
	head -n 9000 ev.ndjson | alog-append -f big-1.alog
	tail -n +9001 ev.ndjson | alog-append -f big.alog
	printf '{"seq":' >>big.alog # a record being written
	for q in '' actor=alice 'action~^db\.' 'rows>500'; do
		for k in 0 1 3 777 5000 30000; do
			for v in '' -v; do
				diff <(alog-grep --no-filename --fields seq $v -n "$k" "$q" big-1.alog big.alog 2>/dev/null) \
					<(alog-grep --no-filename --fields seq $v "$q" big-1.alog big.alog 2>/dev/null | tail -n "$k")
			done
		done
	done
	# following: the last 10 first (or -n N), then what is appended
	alog-grep --follow --no-filename --fields n 'n?' a-1.alog a.alog >out &
	pid=$!
	wait_lines out 10
	alog-append -f a.alog n:=16
	wait_lines out 11
	alog-grep -F -n 2 --fields n 'n?' a.alog >out2 &
	pid2=$!
	wait_lines out2 2
	alog-append -f a.alog n:=17
	wait_lines out2 3
	wait_lines out 12
	kill "$pid" "$pid2"
	wait "$pid" "$pid2" || true
	[ "$(cat out | tr '\n' ' ')" = "6 7 8 9 10 11 12 13 14 15 16 17 " ]
	[ "$(cat out2 | tr '\n' ' ')" = "15 16 17 " ]
}

@test "query traps: a member no record has and '==' are warned about once; -i ignores case" {
	make_log a.alog 5
	alog-append -f a.alog actor=Alice action=Login 'src.ip=10.0.0.1'
	run alog-grep actr=alice a.alog
	[ "$status" -eq 1 ]
	[ "$output" = "alog-grep: warning: no record read has a member named 'actr' (is it spelt right?)" ]
	run alog-grep -e actr=alice -e 'actr?' -e 'src.iq=1' a.alog
	[ "$(grep -c "named 'actr'" <<<"$output")" = 1 ]
	[[ $output == *"named 'iq'"* ]]
	run alog-grep --fields n actor==alice a.alog
	[ "$status" -eq 1 ]
	[ "$output" = "alog-grep: warning: a term with '==' compares with a value starting '=' ('=alice'); NAME=VALUE is equality" ]
	# a quoted '=' is meant, and a member that is there is no typo
	run alog-grep "actor='=x'" a.alog
	[ -z "$output" ]
	run alog-grep -c 'src.ip=10.0.0.1 actor?' a.alog
	[ "$output" = 1 ]
	# -i: =, !=, ^= and ~ without regard to case, UTF-8 too
	[ "$(alog-grep -c actor=alice a.alog)" = 0 ]
	[ "$(alog-grep -c -i actor=alice a.alog)" = 1 ]
	[ "$(alog-grep -c -i 'actor^=ALI action~^log' a.alog)" = 1 ]
	[ "$(alog-grep -c -i 'actor!=ALICE' a.alog)" = 6 ]
	[ "$(alog-grep -c --ignore-case actor=USER1 a.alog)" = 1 ]
	alog-append -f a.alog actor=ÉMILE city=Zürich
	[ "$(alog-grep -c -i 'actor=émile city=ZÜRICH' a.alog)" = 1 ]
	[ "$(alog-grep -c -i 'city~^zü' a.alog)" = 1 ]
	[ "$(alog-grep -c 'city~^zü' a.alog)" = 0 ]
}

@test "--follow stops at --until and after -m matches" {
	make_log a.alog 3
	# -m counts what comes after the records shown from the end
	alog-grep -F -m 2 --fields n 'n?' a.alog >out &
	pid=$!
	wait_lines out 3
	alog-append -f a.alog n:=4
	alog-append -f a.alog n:=5
	alog-append -f a.alog n:=6
	for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	wait "$pid"
	[ "$(cat out)" = "$(printf '1\n2\n3\n4\n5')" ]
	run timeout 1 alog-grep -F -n 0 -m 1 --fields n 'n?' a.alog
	[ "$status" -eq 124 ]
	[ -z "$output" ]
	alog-grep -F --fields n --until "$(date -u -d '+2 seconds' +%FT%TZ)" 'n?' a.alog >out &
	pid=$!
	sleep 2.5
	alog-append -f a.alog n:=7
	for ((i = 0; i < 100; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$pid" 2>/dev/null || false
	wait "$pid"
	[ "$(cat out)" = "$(printf '1\n2\n3\n4\n5\n6')" ]
	run alog-grep -F -c 'n?' a.alog
	[ "$status" -eq 2 ]
}

@test "--follow waits for a line a writer has not finished" {
	make_log a.alog 2
	alog-grep -F --fields n n=3 a.alog >out &
	pid=$!
	sleep 0.3
	rec='{"seq":4,"ts":"2026-11-28T05:00:00.000000000Z","n":3,"hash":"'
	printf '%s' "$rec" >>a.alog
	sleep 0.3
	printf '%064d"}\n' 0 >>a.alog
	wait_lines out 1
	kill "$pid"
	[ "$(cat out)" = 3 ]
}

@test "--follow goes on after alog-append --recover cuts a torn tail" {
	make_log a.alog 3
	alog-grep -F --fields seq,type -e 'n?' -e type=recover a.alog >out 2>err &
	pid=$!
	wait_lines out 3
	printf '{"seq":5,"ts":"2026-11-28T05:00:00.000000000Z","n":' >>a.alog
	sleep 0.3
	alog-append -f a.alog --recover 2>/dev/null
	alog-append -f a.alog n:=9
	wait_lines out 5
	kill "$pid"
	wait "$pid" || true
	[ "$(cat out)" = "$(printf '2\t\n3\t\n4\t\n5\trecover\n6\t')" ]
	[ -z "$(tool_errors err)" ]
}

# follow_read_fails N [N2] [OPTION]: alog-grep -F [OPTION] over a.alog (3
# records, then a line a writer has not finished) whose N-th read fails
# (and its N2-th too, when N2 is not empty): it fires, exit 2, exactly the
# read error line, the three records on stdout.
follow_read_fails() {
	local rc=0
	rm -f fired out err
	FAULTINJ=read:$1:eio FAULTINJ_FILE=a.alog FAULTINJ_LOG=$PWD/fired \
		FAULTINJ2=${2:+read:$2:eio} FAULTINJ2_FILE=a.alog \
		LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		timeout 10 alog-grep -F ${3:-} --fields n 'n?' a.alog >out 2>err || rc=$?
	cat err
	[[ $(cat fired) == "read $1 eio size "* ]]
	[ "$rc" -eq 2 ]
	[ "$(cat err)" = "alog-grep: a.alog: read error: Input/output error" ]
	[ "$(cat out)" = "$(printf '1\n2\n3')" ]
}

@test "--follow: a read of an unfinished line that fails once is a read error, not a cut of the file" {
	needs_shim
	make_log a.alog 3
	printf '{"seq":4,"ts":"2026-11-28T05:00:00.000000000Z","n":' >>a.alog
	# the log's reads 1 to 6 find the records to show and its end; then,
	# every 0.1 s, the unfinished line held is read again where it was
	# (7, 9, ...: is it still there, or was the file cut?) and the log
	# looked at for more (8, 10, ...).  Whichever fails, once, the search
	# of the log ends there, as for any read error.
	for n in 7 8 9; do
		follow_read_fails $n
	done
	# an error that lasts is said once
	follow_read_fails 7 8
	# --verify reads the log from its start (no search from its end, one
	# read less): its read 6 is the first of the unfinished line
	follow_read_fails 6 '' --verify
}

@test "--follow --verify: a record whose link does not check is not shown while waiting" {
	make_log a.alog 3
	# a replay: record n=2's line again (seq 3 after seq 4); a forged line
	# with a seq already taken and a hash that links to nothing.  The
	# checker holds each for the next record; --until (the wall clock)
	# ends the following and judges it.
	local forged line rc pid
	forged=$(printf '{"seq":3,"ts":"%s","n":9,"hash":"%064d"}' \
		"$(date -u -d '+1 second' +%FT%T.000000000Z)" 0)
	for line in "$(sed -n 3p a.alog)" "$forged"; do
		# appended while following: what was shown stays, the line is not shown
		rm -f b.alog err
		: >out
		cp a.alog b.alog
		alog-grep -F --verify --until "$(date -u -d '+4 seconds' +%FT%TZ)" \
			--fields n 'n?' b.alog >out 2>err &
		pid=$!
		wait_lines out 3
		printf '%s\n' "$line" >>b.alog
		sleep 0.5
		[ "$(cat out)" = "$(printf '1\n2\n3')" ]
		rc=0
		wait "$pid" || rc=$?
		cat err
		[ "$rc" -eq 3 ]
		[[ $(cat err) == *"alog-grep: b.alog:5: record out of order: seq 3 after seq 4"* ]]
		[[ $(cat err) == *"nothing from the damaged region on was shown"* ]]
		[ "$(cat out)" = "$(printf '1\n2\n3')" ]
		# there from the start: not shown at the first wait either
		cp a.alog c.alog
		printf '%s\n' "$line" >>c.alog
		rc=0
		timeout 20 alog-grep -F --verify --until "$(date -u -d '+2 seconds' +%FT%TZ)" \
			--fields n 'n?' c.alog >out 2>err || rc=$?
		cat err
		[ "$rc" -eq 3 ]
		[[ $(cat err) == *"alog-grep: c.alog:5: record out of order: seq 3 after seq 4"* ]]
		# the last records (-n) go out together at the first wait, after the
		# held one was read: none of them is
		[ -z "$(cat out)" ]
		rm -f c.alog
	done
}

# ---- verification while searching ----

@test "--verify on an intact log prints what a plain search prints" {
	make_log a.alog 50
	[ "$(alog-grep --verify actor=user3 a.alog)" = "$(alog-grep actor=user3 a.alog)" ]
	run alog-grep --verify actor=nobody a.alog
	[ "$status" -eq 1 ]
	[ -z "$output" ]
}

@test "--verify on a tampered file: exit 3, the damage named, nothing from it shown" {
	make_log a.alog 30
	sed -i '21s/"n":20/"n":2000/' a.alog
	run alog-grep --verify --fields n actor=user6 a.alog
	[ "$status" -eq 3 ]
	[[ $output == *"alog-grep: a.alog:21: record modified (seq 21)"* ]]
	[[ $output == *"--verify: the log does not verify"* ]]
	# nothing is shown: no seal vouches for the records before the damage either
	[ "$(grep -vc alog-grep <<<"$output")" -eq 0 ]
	run alog-grep --verify -c actor=user6 a.alog
	[ "$status" -eq 3 ]
	[[ $output != *4* ]]
	# with a seal before the damage, what it covers is shown (user6: n=6, 13 | 20, 27)
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log b.alog 15
	alog-seal -f b.alog -s k.sec >/dev/null
	make_log b.alog 15
	sed -i '22s/"n":5/"n":500/' b.alog
	run alog-grep --verify -p k.pub --fields n actor=user6 b.alog
	[ "$status" -eq 3 ]
	[[ $output == *"alog-grep: b.alog:22: record modified (seq 22)"* ]]
	[ "$(grep -v alog-grep <<<"$output")" = "$(printf '6\n13')" ]
	# without --verify, the edited record is found like any other
	run alog-grep --fields n n=2000 a.alog
	[ "$status" -eq 0 ]
	[ "$output" = 2000 ]
}

@test "--verify -p: a rewrite re-sealed with another key is caught; the chain alone is not enough" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	alog-keygen -s evil.sec -p evil.pub --epochs 8 >/dev/null
	make_log a.alog 10
	alog-seal -f a.alog -s k.sec >/dev/null
	make_log a.alog 10
	alog-seal -f a.alog -s k.sec >/dev/null
	run alog-grep --verify -p k.pub -c actor=user1 a.alog
	[ "$status" -eq 0 ]
	[ "$output" = 4 ]
	# an edit with the chain recomputed still breaks the tree the seals signed
	cp a.alog b.alog
	sed -i '15s/"actor":"user3"/"actor":"user1"/' b.alog
	rehash_log b.alog
	run alog-grep --verify --fields seq actor=user1 b.alog
	[ "$status" -eq 3 ]
	[[ $output == *"b.alog:23: seal (seq 23, epoch 1) does not match the records it covers"* ]]
	[ "$(grep -v alog-grep <<<"$output")" = "$(printf '2\n9')" ]
	# so the attacker drops the seals and seals again with a key of their own
	grep -v '"type":"seal"' b.alog >c.alog
	rehash_log c.alog
	forge-seal c.alog evil.sec
	run alog-grep --verify --fields seq actor=user1 c.alog
	[ "$status" -eq 0 ]
	run alog-grep --verify -p k.pub --fields seq actor=user1 c.alog
	[ "$status" -eq 3 ]
	[[ $output == *"c.alog:22:"* ]]
	[ "$(grep -vc alog-grep <<<"$output")" -eq 0 ]
}

@test "--verify: output held beyond 256 KiB goes through a temp file, whole and in order, or not at all" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	# about 2 MB selected, held until the one seal at the end covers it
	gen-events 8000 | alog-append -f a.alog --sync=none
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-grep 'rows>=0' a.alog >plain
	[ "$(wc -c <plain)" -gt 1000000 ]
	alog-grep --verify -p k.pub 'rows>=0' a.alog >held 2>err
	cmp plain held
	[ -z "$(tool_errors err)" ]
	# damage near the end: nothing of what was held, in memory or in the file, is shown
	sed -i '7990s/"rows":/"rows":1/' a.alog
	run alog-grep --verify -p k.pub 'rows>=0' a.alog
	[ "$status" -eq 3 ]
	[ "$(grep -vc '^alog-grep' <<<"$output")" -eq 0 ]
}

# spill_fixture: a.alog of 8000 events sealed once at its end, so that
# --verify -p holds all of its 2.6 MB of output, 256 KiB in memory and the
# rest in a temp file, until the seal has checked.
spill_fixture() {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	gen-events 8000 | alog-append -f a.alog --sync=none
	alog-seal -f a.alog -s k.sec >/dev/null
}

# spill_fails SPEC: alog-grep --verify -p over spill_fixture with the fault
# SPEC: it fires, exit 2, one line naming the temp file, nothing shown.
spill_fails() {
	local rc=0
	rm -f fired
	FAULTINJ=$1 FAULTINJ_LOG=$PWD/fired LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-grep --verify -p k.pub 'rows>=0' a.alog >out 2>err || rc=$?
	cat err
	[ "$(cat fired)" = "${1//:/ }" ]
	[ "$rc" -eq 2 ]
	[ "$(tool_errors err | wc -l)" -eq 1 ]
	[[ $(cat err) == "alog-grep: --verify: cannot $2 the temporary file holding the output back: "*"; nothing more is shown" ]]
	[ ! -s out ]
}

@test "--verify: a temp file that cannot be written (a full /tmp): exit 2, one line naming it, nothing shown" {
	spill_fixture
	# glibc's tmpfile() ignores TMPDIR: a full tmpfs over /tmp, in a mount
	# namespace of the search's own (the test's directory stays its cwd)
	unshare -m true 2>/dev/null || skip "cannot make a mount namespace here"
	case $(command -v alog-grep) in /tmp/*) skip "the tools are under /tmp" ;; esac
	local rc=0
	unshare -m sh -c 'mount -t tmpfs -o size=300k tmpfs /tmp &&
		exec alog-grep --verify -p k.pub "rows>=0" a.alog' >out 2>err || rc=$?
	cat err
	[ "$rc" -eq 2 ]
	[ "$(tool_errors err)" = "alog-grep: --verify: cannot write to the temporary file holding the output back: No space left on device; nothing more is shown" ]
	[ ! -s out ]
}

@test "--verify: the temp file's write or read-back fails: exit 2, one line naming it, nothing shown" {
	needs_shim
	spill_fixture
	# with -p nothing is written before the seal: the first write() is the
	# temp file's first block, the third its third
	spill_fails write:1:enospc 'write to'
	spill_fails write:3:eio 'write to'
	# the read-back comes after every read of the log but the last (the one
	# that finds its end): its first read is the R-th, R the number of reads
	# a search that holds nothing back (-c) makes
	FAULTINJ_COUNT=$PWD/count LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-grep --verify -p k.pub -c 'rows>=0' a.alog >/dev/null
	spill_fails read:$(awk '$1 == "read" { print $2 }' count):eio 'read back'
}

# after_commit_fixture: a.alog of 10 events, a seal, 4000, a seal, 30000:
# the 10 go out from memory at the first seal, then what is held goes on
# in the temp file (emptied at the second seal, filled again to the end).
after_commit_fixture() {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	gen-events 10 | alog-append -f a.alog --sync=none
	alog-seal -f a.alog -s k.sec >/dev/null
	cp a.alog first.alog
	gen-events 4000 | alog-append -f a.alog --sync=none
	alog-seal -f a.alog -s k.sec >/dev/null
	gen-events 30000 | alog-append -f a.alog --sync=none
}

@test "--verify: output held after a release from memory still goes to the temp file, whole and in order" {
	after_commit_fixture
	alog-grep 'rows>=0' a.alog >plain
	alog-grep --verify -p k.pub 'rows>=0' a.alog >held 2>err
	cmp plain held
	[ "$(tool_errors err)" = "alog-grep: a.alog: warning: unsealed tail: 30000 records after the last seal (seq 4014..34013), not yet protected
alog-grep: warning: 30000 of the records shown come after the last seal: their chain checks, but no seal covers them yet" ]
	# 10 MB held, 256 KiB of it in memory (the sanitizers' shadow memory
	# makes RSS meaningless)
	command -v /usr/bin/time >/dev/null || skip "no /usr/bin/time"
	[ "${ALOG_SAN:-}" = 1 ] || [ "${ALOG_VALGRIND:-0}" = 1 ] && skip "RSS under a sanitizer"
	/usr/bin/time -f 'maxrss_kb=%M' alog-grep --verify -p k.pub 'rows>=0' a.alog \
		>/dev/null 2>err || true
	rss=$(sed -n 's/^maxrss_kb=//p' err)
	echo "peak RSS: $rss kB"
	[ "$rss" -lt 8192 ]
}

@test "--verify: the temp file after a release from memory fails: one line naming it, nothing more shown" {
	needs_shim
	after_commit_fixture
	alog-grep --verify -p k.pub 'rows>=0' first.alog >want
	# write 1 is stdout's (the 10 records the first seal covers), write 2
	# the temp file's first block
	local rc=0
	FAULTINJ=write:2:enospc FAULTINJ_LOG=$PWD/fired LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-grep --verify -p k.pub 'rows>=0' a.alog >out 2>err || rc=$?
	cat err
	[ "$(cat fired)" = "write 2 enospc" ]
	[ "$rc" -eq 2 ]
	[ "$(cat err)" = "alog-grep: --verify: cannot write to the temporary file holding the output back: No space left on device; nothing more is shown" ]
	cmp out want
}

# log_read_fails LOG N: alog-grep --verify -p k.pub over LOG whose N-th
# read fails (FAULTINJ_FILE: only the reads of LOG count): it fires, exit
# 2, and one line, the one alog-grep and alog-verify give for a read error
# of a log.
log_read_fails() {
	local rc=0
	rm -f fired
	FAULTINJ=read:$2:eio FAULTINJ_FILE=$1 FAULTINJ_LOG=$PWD/fired \
		LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-grep --verify -p k.pub 'rows>=0' "$1" >out 2>err || rc=$?
	cat err
	[[ $(cat fired) == "read $2 eio size "* ]]
	[ "$rc" -eq 2 ]
	[ "$(cat err)" = "alog-grep: $1: read error: Input/output error" ]
}

@test "--verify: a read error of the log before its seal: one line, exit 2, no verdict, nothing held shown" {
	needs_shim
	spill_fixture
	# the log's reads 1 and 2 are of its header; from 3 on it is read in
	# blocks of 64 KiB doubling to 512 KiB: 7 ends at 2 MB of its 2.9,
	# every one before the seal at its end
	for n in 4 5 7; do
		log_read_fails a.alog $n
		[ ! -s out ]
	done
}

@test "--verify: a read error of the log after a seal: what it covers is shown, the records held after it are not" {
	needs_shim
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	gen-events 1000 | alog-append -f a.alog --sync=none
	alog-seal -f a.alog -s k.sec >/dev/null
	cp a.alog first.alog
	gen-events 7000 | alog-append -f a.alog --sync=none
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-grep --verify -p k.pub 'rows>=0' first.alog >want
	# the first seal ends at 360 KB; read 7 ends at 2 MB, before the second
	log_read_fails a.alog 7
	cmp out want
}

@test "--verify -q: a read error of the log: exit 2, one line, nothing shown, held records not counted" {
	needs_shim
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	gen-events 1000 | alog-append -f a.alog --sync=none
	alog-seal -f a.alog -s k.sec >/dev/null
	gen-events 7000 | alog-append -f a.alog --sync=none
	alog-seal -f a.alog -s k.sec >/dev/null
	# seq 1003 on come after the first seal (seq 1002): -q finds one once
	# the second seal, at the end, has checked
	alog-grep --verify -p k.pub -q 'seq>1002' a.alog
	# read 7 (ending at 2 MB) fails before the second seal: the records
	# selected were held for it, never covered, so not a match
	local rc=0
	FAULTINJ=read:7:eio FAULTINJ_FILE=a.alog FAULTINJ_LOG=$PWD/fired \
		LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-grep --verify -p k.pub -q 'seq>1002' a.alog >out 2>err || rc=$?
	cat err
	[[ $(cat fired) == "read 7 eio size "* ]]
	[ "$rc" -eq 2 ]
	[ "$(cat err)" = "alog-grep: a.alog: read error: Input/output error" ]
	[ ! -s out ]
	# a record the first seal covered is a match: -q stops there, before
	# the read that would fail (which does not fire)
	rm -f fired
	FAULTINJ=read:7:eio FAULTINJ_FILE=a.alog FAULTINJ_LOG=$PWD/fired \
		LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-grep --verify -p k.pub -q 'rows>=0' a.alog >out 2>err
	[ ! -e fired ]
	[ ! -s out ]
	[ -z "$(cat err)" ]
}

@test "--verify -q: no record is shown, none is counted as shown" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	gen-events 20 | alog-append -f u.alog --sync=none
	# never sealed, read whole: the verdict on it is true, but -q shows no record
	alog-grep --verify -p k.pub -q 'rows>=0' u.alog >out 2>err
	[ ! -s out ]
	[ "$(tool_errors err)" = "alog-grep: u.alog: warning: not sealed: the log has no seal; its 21 records are protected by nothing but the chain" ]
}

@test "--verify -q stopped at a selected record: no verdict on the end of the log it did not read" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-append -f a.alog n:=4
	alog-append -f a.alog n:=5
	alog-seal -f a.alog -s k.sec >/dev/null
	# following, -q stops once the chain of the record selected checks:
	# n=2 before the first seal, n=4 before the second
	local q rc
	for q in n=2 n=4; do
		rc=0
		timeout 10 alog-grep -F --verify -p k.pub -q "$q" a.alog >out 2>err || rc=$?
		cat err
		[ "$rc" -eq 0 ]
		[ ! -s out ]
		[ -z "$(tool_errors err)" ]
	done
	# not following, at the seal after it: the same
	alog-grep --verify -p k.pub -q n=4 a.alog >out 2>err
	[ ! -s out ]
	[ -z "$(tool_errors err)" ]
	# read to the end (nothing selected), the log's end is judged as before
	alog-append -f a.alog n:=6
	run alog-grep --verify -p k.pub -q n=9 a.alog
	[ "$status" -eq 1 ]
	[ "$output" = "alog-grep: a.alog: warning: unsealed tail: 1 record after the last seal (seq 9..9), not yet protected" ]
}

@test "--verify -q: damage in what was read before the stop is still status 3" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-append -f a.alog n:=4
	# a record that does not link, with a seq the seal covers (the checker
	# holds it to judge it with the next): selected, then covered, -q stops
	# there, and the record's judgement is all that is left
	printf '{"seq":3,"ts":"%s","n":99,"hash":"%064d"}\n' \
		"$(date -u -d '+1 second' +%FT%T.000000000Z)" 0 >>a.alog
	local opt rc
	for opt in "" "-p k.pub" "-F" "-F -p k.pub"; do
		rc=0
		# shellcheck disable=SC2086
		timeout 10 alog-grep $opt --verify -q n=99 a.alog >out 2>err || rc=$?
		cat err
		[ "$rc" -eq 3 ]
		[ ! -s out ]
		[ "$(tool_errors err)" = "$(printf '%s\n' \
			"alog-grep: a.alog:7: record out of order: seq 3 after seq 6" \
			"alog-grep: --verify: the log does not verify; nothing from the damaged region on was shown")" ]
	done
}

# spill_reads: the reads a search over a.alog makes that holds nothing
# back (-c), the read-back of the temp file aside.
spill_reads() {
	FAULTINJ_COUNT=$PWD/count LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-grep --verify -p k.pub -c 'rows>=0' a.alog >/dev/null 2>&1 || true
	awk '$1 == "read" { print $2 }' count
}

# whole_lines_prefix OUT FULL: OUT is not empty, ends with a LF, and is the
# first K lines of FULL, K fewer than FULL has: whole records, the last one
# not torn at a block boundary of the read-back.
whole_lines_prefix() {
	local k
	[ -s "$1" ]
	[ "$(tail -c 1 "$1" | od -An -tx1 | tr -d ' ')" = 0a ]
	k=$(wc -l <"$1")
	echo "shown: $k of $(wc -l <"$2") lines, $(wc -c <"$1") of $(wc -c <"$2") bytes"
	[ "$k" -lt "$(wc -l <"$2")" ]
	cmp "$1" <(head -n "$k" "$2")
}

@test "--verify: the temp file's read-back fails part way: the message says after which line the output stops" {
	needs_shim
	spill_fixture
	alog-grep --verify -p k.pub 'rows>=0' a.alog >full
	# the seal is the log's last record: the read-back of what it covers
	# comes before the read that finds the end, its second block (of 64
	# KiB) is read R+1
	local rc=0 r
	r=$(spill_reads)
	rm -f fired
	FAULTINJ=read:$((r + 1)):eio FAULTINJ_LOG=$PWD/fired LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-grep --verify -p k.pub 'rows>=0' a.alog >out 2>err || rc=$?
	cat err
	[ "$(cat fired)" = "read $((r + 1)) eio" ]
	[ "$rc" -eq 2 ]
	# the first block's whole lines went out (sealed records), nothing after them
	whole_lines_prefix out full
	[ "$(cat err)" = "alog-grep: --verify: cannot read back the temporary file holding the output back: Input/output error; the output stops after line $(wc -l <out), part way through" ]
}

@test "--verify -p: the read-back of records after the last seal fails part way: the message says so, and after which line" {
	needs_shim
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	gen-events 8000 | alog-append -f a.alog --sync=none
	alog-grep --verify -p k.pub 'rows>=0' a.alog >full 2>/dev/null
	# no seal: every record is held to the end, and shown after the read
	# that finds the end (R); the read-back's second block is read R+2
	local rc=0 r
	r=$(spill_reads)
	rm -f fired
	FAULTINJ=read:$((r + 2)):eio FAULTINJ_LOG=$PWD/fired LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-grep --verify -p k.pub 'rows>=0' a.alog >out 2>err || rc=$?
	cat err
	[ "$(cat fired)" = "read $((r + 2)) eio" ]
	[ "$rc" -eq 2 ]
	[ "$(cat err)" = "alog-grep: a.alog: warning: not sealed: the log has no seal; its 8001 records are protected by nothing but the chain
alog-grep: --verify: cannot read back the temporary file holding the output back: Input/output error; the output stops after line $(wc -l <out), part way through the records after the last seal, which no seal covers yet" ]
	whole_lines_prefix out full
}

@test "--verify -p: records after the last seal are shown with a warning" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 5
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-append -f a.alog actor=user1 n:=99
	run alog-grep --verify -p k.pub --fields n actor=user1 a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"1"*"99"* ]]
	[[ $output == *"warning: unsealed tail: 1 record after the last seal"* ]]
	[[ $output == *"warning: 1 of the records shown come after the last seal"* ]]
	# -n: the warning counts what was shown
	alog-append -f a.alog actor=user1 n:=100
	alog-append -f a.alog actor=user1 n:=101
	run alog-grep --verify -p k.pub -n 2 --fields n actor=user1 a.alog
	[ "$status" -eq 0 ]
	[ "$(grep -v warning <<<"$output")" = "$(printf '100\n101')" ]
	[[ $output == *"warning: 2 of the records shown come after the last seal"* ]]
}

@test "--verify with a time range over sealed, rotated files" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 20
	alog-seal -f a.alog -s k.sec --rotate a-1.alog >/dev/null
	make_log a.alog 20
	alog-seal -f a.alog -s k.sec >/dev/null
	make_log a.alog 20
	alog-seal -f a.alog -s k.sec >/dev/null
	since=$(line a.alog 15 | jq -r .ts)
	until=$(line a.alog 30 | jq -r .ts)
	plain=$(alog-grep --since "$since" --until "$until" '' a-1.alog a.alog)
	[ "$(wc -l <<<"$plain")" -eq 15 ]
	run alog-grep --verify -p k.pub --since "$since" --until "$until" '' a-1.alog a.alog
	[ "$status" -eq 0 ]
	[ "$output" = "$plain" ]
	# damage outside the range is read and reported all the same
	cp a-1.alog a-1.good
	sed -i '5s/"n":4/"n":5/' a-1.alog
	run alog-grep --verify -p k.pub --since "$since" --until "$until" '' a-1.alog a.alog
	[ "$status" -eq 3 ]
	[[ $output == *"a-1.alog:5: record modified"* ]]
	cp a-1.good a-1.alog
	# and inside it
	sed -i '20s/"n":/"n":1/' a.alog
	run alog-grep --verify -p k.pub --since "$since" --until "$until" '' a-1.alog a.alog
	[ "$status" -eq 3 ]
	[[ $output == *"a.alog:20: record modified"* ]]
}

# A sealed log in two files, 20 events each, for the attacks below.
sealed_rotated() {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 20
	alog-seal -f a.alog -s k.sec --rotate a-1.alog >/dev/null
	make_log a.alog 20
	alog-seal -f a.alog -s k.sec >/dev/null
}

# Set line N's ts to TS and recompute the chain of the file from there.
forge_ts() {
	sed -i "$2s/\"ts\":\"[^\"]*\"/\"ts\":\"$3\"/" "$1"
	rehash_log "$1"
}

@test "--verify: an old ts appended to the live log hides no sealed record" {
	sealed_rotated
	since=$(line a.alog 5 | jq -r .ts)
	plain=$(alog-grep --fields seq --since "$since" actor=user1 a.alog)
	[ -n "$plain" ]
	# a chain-valid record from the year 2000 after the last seal
	alog-append -f a.alog actor=user9
	forge_ts a.alog "$(wc -l <a.alog)" 2000-01-01T00:00:00.000000000Z
	run alog-grep --verify -p k.pub --fields seq --since "$since" actor=user1 a-1.alog a.alog
	[ "$status" -eq 0 ]
	[ "$(grep -v warning <<<"$output" | cut -f2)" = "$plain" ]
	[[ $output == *"unsealed tail: 1 record after the last seal"* ]]
	# an old ts at the end of the rotated file is read and checked, not trusted
	cp a-1.alog a-1.good
	forge_ts a-1.alog "$(wc -l <a-1.alog)" 2000-01-01T00:00:00.000000000Z
	run alog-grep --verify -p k.pub --since "$since" actor=user1 a-1.alog a.alog
	[ "$status" -eq 3 ]
	[[ $output != *'"actor"'* ]]
	# the rotated file's last seal rewritten to a time before the range
	cp a-1.good a-1.alog
	seal=$(grep -n '"type":"seal"' a-1.alog | tail -n 1 | cut -d: -f1)
	forge_ts a-1.alog "$seal" 2000-01-01T00:00:00.000000000Z
	run alog-grep --verify -p k.pub --since "$since" '' a-1.alog a.alog
	[ "$status" -eq 3 ]
}

@test "--verify: a forged ts in a header, in the range or past --until is exit 3" {
	sealed_rotated
	since=$(line a.alog 5 | jq -r .ts)
	until=$(line a.alog 10 | jq -r .ts)
	cp a.alog a.good
	# the continuing header made to look older (chain recomputed)
	forge_ts a.alog 1 2000-01-01T00:00:00.000000000Z
	run alog-grep --verify -p k.pub --since "$since" '' a-1.alog a.alog
	[ "$status" -eq 3 ]
	run alog-grep --verify -p k.pub --since "$since" '' a.alog
	[ "$status" -eq 3 ]
	# a record early in the range made to look later than --until: reading
	# does not stop there, so the rewrite is found at the seal
	cp a.good a.alog
	forge_ts a.alog 3 2099-01-01T00:00:00.000000000Z
	run alog-grep --verify -p k.pub --until "$until" '' a-1.alog a.alog
	[ "$status" -eq 3 ]
	run alog-grep --verify -p k.pub --since "$since" --until "$until" '' a.alog
	[ "$status" -eq 3 ]
	# the same on a pipe
	run bash -c "cat a-1.alog a.alog | alog-grep --verify -p k.pub --until '$until' ''"
	[ "$status" -eq 3 ]
	# and the untouched log passes with the same answer as a plain search
	cp a.good a.alog
	run alog-grep --verify -p k.pub --since "$since" --until "$until" '' a-1.alog a.alog
	[ "$status" -eq 0 ]
	[ "$output" = "$(alog-grep --since "$since" --until "$until" '' a-1.alog a.alog)" ]
}

# ---- a clock that steps back ----

# Run a tool with the wall clock at SECONDS since the epoch.
at_clock() {
	local t=$1
	shift
	# (the shim is not sanitised: let ASan start after it)
	FAKECLOCK=$t LD_PRELOAD=$ALOG_TESTBIN/libfakeclock.so \
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 "$@"
}

@test "a clock stepped back: ts never goes back, the clock's reading is kept, strict-time passes" {
	[ "${ALOG_VALGRIND:-0}" = 0 ] || skip "the clock shim and valgrind's preload do not mix"
	t=$(date -u -d '2026-12-02 10:10:00' +%s)
	at_clock "$t" alog-append -f a.alog n:=1
	at_clock $((t + 60)) alog-append -f a.alog n:=2
	at_clock $((t + 120)) alog-append -f a.alog n:=3
	# the clock steps back 7 minutes: 10:05, 10:06 by the clock
	at_clock $((t - 300)) alog-append -f a.alog n:=4
	echo '{"n":5}' | at_clock $((t - 240)) alog-append -f a.alog
	at_clock $((t + 600)) alog-append -f a.alog n:=6
	jq -r .ts a.alog | sort -c
	[ "$(line a.alog 6 | jq -r .ts)" = "$(line a.alog 4 | jq -r .ts)" ]
	[ "$(line a.alog 5 | jq -r .alog.clock | cut -c1-19)" = 2026-12-02T10:05:00 ]
	[ "$(line a.alog 6 | jq -r .alog.clock | cut -c1-19)" = 2026-12-02T10:06:00 ]
	[ "$(line a.alog 7 | jq -c .alog)" = null ]
	[ "$(line a.alog 1 | jq -r .order)" = ts ]
	run alog-verify --strict-time a.alog
	[ "$status" -eq 0 ]
	# the records of the step sit at the time the log had reached
	[ "$(alog-grep --fields n --since 2026-12-02T10:12:00Z --until 2026-12-02T10:13:00Z 'n?' a.alog | tr '\n' ' ')" = "3 4 5 " ]
	# a policy's note and the clock share the one alog member
	echo '{"rules": [{"path": "pw", "do": "mask"}]}' >p.json
	at_clock $((t - 200)) alog-append -f a.alog --policy p.json pw=secret n:=7
	line a.alog 8 | jq -e '.alog.clock and .alog.policy' >/dev/null
	alog-verify --strict-time a.alog
	# rotation: the next file's header does not go back either
	alog-keygen -s k.sec -p k.pub --epochs 4 >/dev/null
	at_clock $((t - 900)) alog-seal -f a.alog -s k.sec --rotate a-1.alog >/dev/null
	at_clock $((t - 800)) alog-append -f a.alog n:=8
	run alog-verify --strict-time -p k.pub a-1.alog a.alog
	[ "$status" -eq 0 ]
}

@test "time ranges are right on logs whose ts are not in order (written before the writer kept them)" {
	printf '%s\n' '2026-12-02T10:10:00 {"n":1}' '2026-12-02T10:11:00 {"n":2}' \
		'2026-12-02T10:12:00 {"n":3}' '2026-12-02T10:05:30 {"n":4}' '2026-12-02T10:06:00 {"n":5}' \
		'2026-12-02T10:07:00 {"n":6}' '2026-12-02T10:20:00 {"n":7}' '2026-12-02T10:21:00 {"n":8}' |
		timed_log old.alog
	range=(--since 2026-12-02T10:05:00Z --until 2026-12-02T10:08:00Z)
	[ "$(alog-grep --fields n "${range[@]}" 'n?' old.alog | tr '\n' ' ')" = "4 5 6 " ]
	[ "$(alog-grep --fields n "${range[@]}" 'n?' <old.alog | tr '\n' ' ')" = "4 5 6 " ]
	[ "$(cat old.alog | alog-grep --fields n "${range[@]}" 'n?' | tr '\n' ' ')" = "4 5 6 " ]
	[ "$(alog-grep --verify -c "${range[@]}" 'n?' old.alog)" = 3 ]
	[ "$(alog-grep -c --until 2026-12-02T10:08:00Z 'n?' old.alog)" = 3 ]
	[ "$(alog-grep -c --since 2026-12-02T10:11:30Z 'n?' old.alog)" = 3 ]
	# --until ends the reading of a file in order only, never of the rest
	make_log new.alog 3
	[ "$(alog-grep -c --until 2026-12-02T10:08:00Z 'n?' new.alog old.alog | tr '\n' ' ')" = "new.alog:0 old.alog:3 total:3 " ]
	# a bigger shuffled log: the answer of a full scan
	for ((i = 0; i < 3000; i++)); do
		s=$((i * 7919 % 3000))
		printf '2026-12-02T%02d:%02d:%02d {"i":%d}\n' $((10 + s / 3600)) $((s / 60 % 60)) $((s % 60)) "$i"
	done | timed_log big.alog
	a=$(alog-grep -c --since 2026-12-02T10:10:00Z --until 2026-12-02T10:20:00Z 'i?' big.alog)
	[ "$a" = 600 ]
}

@test "--verify with -m and -l still checks each rotated file whole" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 20
	alog-seal -f a.alog -s k.sec --rotate a-1.alog >/dev/null
	make_log a.alog 20
	alog-seal -f a.alog -s k.sec >/dev/null
	run alog-grep --verify -p k.pub -m 1 --fields seq actor=user1 a-1.alog a.alog
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a-1.alog\t2\na.alog\t24')" ]
	run alog-grep --verify -p k.pub -l actor=user1 a-1.alog a.alog
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'a-1.alog\na.alog')" ]
	sed -i '10s/"n":/"n":1/' a.alog
	run alog-grep --verify -p k.pub -l actor=user1 a-1.alog a.alog
	[ "$status" -eq 3 ]
	[[ $output == *"a.alog:10: record modified"* ]]
}

@test "--follow --verify shows records once their chain checks, across a rotation" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 3
	alog-grep -F --verify -p k.pub --fields n 'n?' a.alog >out 2>err &
	pid=$!
	wait_lines out 3
	alog-seal -f a.alog -s k.sec --rotate a-old.alog >/dev/null
	alog-append -f a.alog n:=4
	wait_lines out 4
	kill "$pid"
	wait "$pid" || true
	[ "$(cat out)" = "$(printf '1\n2\n3\n4')" ]
	[ -z "$(tool_errors err)" ]
}

@test "--follow --verify: a read error while waiting for the log to grow: one line, exit 2, what was shown stays" {
	needs_shim
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 3
	# the log's first reads find its end; from then on it is read every
	# 0.1 s: read 20 is one of those, 1.5 s or so in
	local rc=0
	FAULTINJ=read:20:eio FAULTINJ_FILE=a.alog FAULTINJ_LOG=$PWD/fired \
		LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		timeout 60 alog-grep -F --verify -p k.pub --fields n 'n?' a.alog >out 2>err || rc=$?
	cat err
	[[ $(cat fired) == "read 20 eio size "* ]]
	[ "$rc" -eq 2 ]
	[ "$(cat err)" = "alog-grep: a.alog: read error: Input/output error" ]
	[ "$(cat out)" = "$(printf '1\n2\n3')" ]
}

@test "--follow --verify: a read error of the rotated file's last part: one line, exit 2, as before the rotation" {
	needs_shim
	# alog-seal --rotate puts a new file at the path: the one followed is
	# then "a.alog (deleted)" to the shim.  Its reads from then on: the
	# seal (unless read before the switch), the end, and the one finishing
	# it before the new file is opened (read 3, or 2 when the seal was
	# read before the switch); N=2 is the end, or that last read.
	local n rc hits=0
	for n in 2 3; do
		rm -f a.alog a-old.alog k.sec k.pub fired out err
		alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
		make_log a.alog 3
		FAULTINJ=read:$n:eio FAULTINJ_FILE='a.alog (deleted)' FAULTINJ_LOG=$PWD/fired \
			LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
			alog-grep -F --verify -p k.pub --fields n 'n?' a.alog >out 2>err &
		pid=$!
		wait_lines out 3
		alog-seal -f a.alog -s k.sec --rotate a-old.alog >/dev/null
		alog-append -f a.alog n:=4
		for ((i = 0; i < 50; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		if [ ! -e fired ]; then
			# the seal was read before the switch: read 3 never comes
			kill "$pid"
			wait "$pid" || true
			continue
		fi
		rc=0
		kill "$pid" 2>/dev/null && echo "N=$n: still following after the read error"
		wait "$pid" || rc=$?
		cat err
		hits=$((hits + 1))
		[ "$(cat fired)" = "read $n eio size $(wc -c <a-old.alog) $(wc -c <a-old.alog)" ]
		[ "$rc" -eq 2 ]
		[ "$(cat err)" = "alog-grep: a.alog: read error: Input/output error" ]
		[ "$(cat out)" = "$(printf '1\n2\n3')" ]
	done
	[ "$hits" -ge 1 ]
}

# Append to FILE a chain-valid record with the members MEMBERS (JSON text
# without braces) and the ts TS, as someone who can write the file could.
forged_append() {
	python3 - "$@" <<'PY'
import hashlib, json, sys
path, members, ts = sys.argv[1:4]
last = open(path, 'rb').read().split(b'\n')[-2]
rec = json.loads(last)
body = '{"seq":%d,"ts":"%s",%s}' % (rec['seq'] + 1, ts, members)
h = hashlib.sha256(bytes.fromhex(rec['hash']) + hashlib.sha256(body.encode()).digest()).hexdigest()
open(path, 'a').write(body[:-1] + ',"hash":"%s"}\n' % h)
PY
}

@test "--follow --verify --until: a forged future ts does not end the search, the clock does" {
	make_log a.alog 3
	until=$(date -u -d '+6 seconds' +%FT%TZ)
	alog-grep -F --verify --fields n --until "$until" 'n?' a.alog >out 2>err &
	pid=$!
	wait_lines out 3
	forged_append a.alog '"n":99' 2099-01-01T00:00:00.000000000Z
	sleep 1
	# still following (unless a loaded machine, sanitisers, took us past --until)
	[ "$(date +%s)" -ge "$(($(date -d "$until" +%s) - 1))" ] || kill -0 "$pid"
	for ((i = 0; i < 150; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	! kill -0 "$pid" 2>/dev/null || false
	wait "$pid"
	[ "$(cat out | tr '\n' ' ')" = "1 2 3 " ]
	alog-verify a.alog
}

@test "--verify on standard input checks a fragment" {
	make_log a.alog 10
	alog-grep actor=user2 a.alog | alog-grep --verify -c '' >out
	[ "$(cat out)" = 2 ]
	sed -n '3,6p' a.alog | sed '2s/"n":3/"n":33/' | { run alog-grep --verify -c ''; [ "$status" -eq 3 ]; }
}

# ---- the man page ----

@test "--help and the man page name every long option alog-grep takes" {
	opts=$(grep -o '^	{"[a-z-]*",' "$BATS_TEST_DIRNAME/../cmd/alog-grep.c" | tr -d '\t{",')
	[ "$(wc -w <<<"$opts")" -gt 20 ]
	help=$(alog-grep --help)
	for opt in $opts; do
		[[ $help == *"--$opt"* ]] || { echo "--help lacks --$opt"; false; }
		grep -q -- "Fl -$opt\\b" "$(man_dir)/alog-grep.1" || { echo "the man page lacks --$opt"; false; }
	done
	# and -F is follow, said in both
	[[ $help == *"-F, --follow        follow (not grep's -F)"* ]]
}

@test "alog-grep(1) examples run as documented" {
	# "--since 06:35" is today at 06:35: earlier in the day, the page runs
	# with the clock at noon, so that the records it writes come after it
	if ((10#$(date -u +%H%M) < 640)); then
		[ "${ALOG_VALGRIND:-0}" = 0 ] || skip "before 06:40 UTC this needs the clock shim, which valgrind's preload does not mix with"
		export FAKECLOCK LD_PRELOAD ASAN_OPTIONS
		FAKECLOCK=$(date -u -d '12:00' +%s)
		LD_PRELOAD=$ALOG_TESTBIN/libfakeclock.so
		ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
	fi
	incident_fixtures
	alog-keygen -s seal.key -p seal.pub --epochs 8 >/dev/null
	make_log sealed.alog 5
	alog-append -f sealed.alog actor=alice action=login
	alog-seal -f sealed.alog -s seal.key >/dev/null
	cp audit.alog tampered.alog
	sed -i '7s/"result":"failure"/"result":"success"/' tampered.alog
	make_log live.alog 4
	alog-append -f live.alog actor=carol action=config.change target=ledger
	alog-keygen --reader -s dba.key -p dba.pub >/dev/null
	echo '{"rules": [{"path": "query", "do": "encrypt"}], "readers": ["dba.pub"]}' >p.json
	alog-append -f audit.alog --policy p.json actor=dave action=db.query query='DELETE FROM t'
	# the -F example waits for the next config change: one comes every 0.3 s
	(for ((i = 0; i < 300; i++)); do
		sleep 0.3
		alog-append -f live.alog actor=erin action=config.change target=ledger
	done) &
	changer=$!
	run_examples "$(man_dir)/alog-grep.1" || { kill "$changer"; false; }
	kill "$changer"
	wait "$changer" || true
	[ "$(wc -l <alice.alog)" -eq 1 ] && [ -s alice.tlog-proof ]
}
