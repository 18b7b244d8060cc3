#!/usr/bin/env bats
# alog-verify without keys: every kind of damage named at its line, rotated
# files, fragments, reports.

load helpers

setup_file() {
	export BATS_NO_PARALLELIZE_WITHIN_FILE=true
}

@test "an intact log verifies, with a summary" {
	make_log a.alog 20
	run alog-verify a.alog
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "OK: 21 records, seq 1..21, chain intact" ]]
	[[ $output == *"origin     test.example/audit"* ]]
	[[ $output == *"last hash  $(line a.alog 21 | jq -r .hash)"* ]]
	[[ $output == *"tree       size 21, root "* ]]
	[[ $output == *"seals      none: nothing proves these records against a rewrite"* ]]
}

@test "empty input is no records, never OK" {
	: >empty.alog
	run alog-verify empty.alog
	[ "$status" -eq 1 ]
	[[ $output == "NO RECORDS: the input is empty, nothing was verified" ]]
	run alog-verify </dev/null
	[ "$status" -eq 1 ]
	[[ $output == "NO RECORDS: the input is empty, nothing was verified" ]]
	run alog-verify --json </dev/null
	[ "$status" -eq 1 ]
	[ "$(jq -r .ok <<<"$output")" = false ]
}

@test "a changed byte is a modified record at its line" {
	make_log a.alog 10
	sed -i '6s/"n":5/"n":6/' a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"alog-verify: a.alog:6: record modified (seq 6): its contents do not match its hash"* ]]
	[[ $output == *"FAILED: 1 problem (1 modified)"* ]]
}

@test "a changed hash is a modified record" {
	make_log a.alog 10
	flip_hex a.alog 4 hash
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:4: record modified (seq 4)"* ]] || [[ $output == *"a.alog:5:"* ]]
}

@test "a deleted line is named as missing seq" {
	make_log a.alog 10
	sed -i '5d' a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:5: record deleted: seq 5 is missing before this line (seq 6)"* ]]
}

@test "several deleted lines are named as a range" {
	make_log a.alog 10
	sed -i '4,6d' a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:4: records deleted: seq 4..6 are missing before this line (seq 7)"* ]]
}

@test "swapped lines are named as reordered" {
	make_log a.alog 10
	sed -i '5{h;d};6G' a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:5: records out of order: lines 5 and 6 are swapped (seq 6 before seq 5)"* ]]
}

@test "a repeated line is named as duplicated" {
	make_log a.alog 10
	sed -i '7p' a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:8: duplicated record: line 8 repeats the record before it (seq 7)"* ]]
}

@test "a line from another log is named as inserted" {
	make_log a.alog 10
	make_log b.alog 10
	sed -i "5a $(line b.alog 6)" a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:6: "* ]]
	[[ $output == *"(1 inserted)"* || $output == *"(1 reordered)"* ]]
}

@test "a forged record with the right seq but no valid hash is inserted" {
	make_log a.alog 10
	forged=$(line a.alog 6 | sed 's/"n":5/"n":999/')
	sed -i "5a $forged" a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:6: inserted record (seq 6)"* ]]
}

@test "a line moved to the end is out of place" {
	make_log a.alog 10
	l3=$(line a.alog 3)
	sed -i '3d' a.alog
	echo "$l3" >>a.alog
	run alog-verify --all a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:3: record deleted: seq 3 is missing"* ]]
	[[ $output == *"a.alog:11: "*"seq 3"* ]]
}

@test "a cut tail is a damaged tail at its line" {
	make_log a.alog 10
	truncate -s -30 a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:11: damaged tail: 1 line(s) at the end are not records"* ]]
	[[ $output == *"alog-append --recover"* ]]
}

@test "a tail cut at a line boundary is not damage" {
	make_log a.alog 10
	sed -i '$d' a.alog
	alog-verify -q a.alog
}

@test "a malformed line in the middle is named" {
	make_log a.alog 10
	sed -i '4s/.*/not a record/' a.alog
	run alog-verify --all a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:4: malformed line: line too short to be a record"* ]]
}

@test "a deleted header is a bad header; --fragment accepts it" {
	make_log a.alog 5
	sed -i '1d' a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:1: bad header: the first line is not a header (seq 2); to check lines cut from a log use --fragment"* ]]
	run alog-verify --fragment a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"NOT VERIFIED (fragment): 5 records, seq 2..6: 4 checked against the record before, 1 could not be checked"* ]]
}

@test "a changed header is named" {
	make_log a.alog 5
	sed -i '1s/"v":1/"v":2/' a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:1: bad header: unsupported format version 2"* ]]
}

@test "fragments on standard input: consecutive lines checked, gaps counted" {
	make_log a.alog 30
	run bash -c 'sed -n "5,9p;20,22p" a.alog | alog-verify'
	[ "$status" -eq 1 ]
	[[ $output == *"NOT VERIFIED (fragment): 8 records, seq 5..22: 6 checked against the record before, 2 could not be checked (the first, and the first after each of 1 gap)"* ]]
	[[ $output == *"alog-grep --verify"* ]]
	[ -z "$(grep "^OK" <<<"$output")" ]
	run bash -c 'sed -n "5,9p;20,22p" a.alog | alog-verify --json'
	[ "$(jq -c '[.ok, .checked, .unchecked, .gaps]' <<<"$output")" = '[false,6,2,1]' ]
	run bash -c 'sed -n "5,9p" a.alog | sed "3s/user/USER/" | alog-verify'
	[ "$status" -eq 1 ]
	[[ $output == *"<stdin>:3: record modified (seq 7)"* ]]
	run bash -c 'sed -n "5,9p" a.alog | sed "2{h;d};3G" | alog-verify'
	[ "$status" -eq 1 ]
	[[ $output == *"reordered"* ]]
}

@test "--all reports every independent problem" {
	make_log a.alog 30
	sed -i -e '5s/user/USER/' -e '12d' -e '20p' a.alog
	run alog-verify --all a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:5: record modified (seq 5)"* ]]
	[[ $output == *"a.alog:12: record deleted: seq 12 is missing"* ]]
	[[ $output == *"a.alog:20: duplicated record: line 20 repeats the record before it (seq 20)"* ]]
	[[ $output == *"FAILED: 3 problems (1 modified, 1 deleted, 1 duplicated)"* ]]
	run alog-verify a.alog
	[ "$(grep -c '^alog-verify: a.alog:' <<<"$output")" -eq 1 ]
}

@test "--json gives a stable machine-readable report" {
	make_log a.alog 5
	run alog-verify --json a.alog
	[ "$status" -eq 0 ]
	[ "$(jq -r '.ok, .records, .first_seq, .last_seq, .fragment, .errors' <<<"$output" | tr '\n' ' ')" = "true 6 1 6 false 0 " ]
	[ "$(jq -r .last_hash <<<"$output")" = "$(line a.alog 6 | jq -r .hash)" ]
	sed -i '3s/user/USER/' a.alog
	run alog-verify --json a.alog
	[ "$status" -eq 1 ]
	[ "$(jq -c '.problems[0] | [.kind, .file, .line, .seq, .warning]' <<<"$output")" = '["modified","a.alog",3,3,false]' ]
}

@test "-q prints nothing" {
	make_log a.alog 5
	run alog-verify -q a.alog
	[ "$status" -eq 0 ] && [ -z "$output" ]
	sed -i '3s/user/USER/' a.alog
	run alog-verify -q a.alog
	[ "$status" -eq 1 ] && [ -z "$output" ]
}

@test "time going backwards is a warning, or an error with --strict-time" {
	make_log a.alog 5
	sed -i '4s/"ts":"[0-9]\{4\}/"ts":"2001/' a.alog
	rehash_log a.alog
	run alog-verify a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"a.alog:4: warning: ts goes back in time: 2001-"* ]]
	run alog-verify --strict-time a.alog
	[ "$status" -eq 1 ]
}

@test "--strict checks every record is strict JSON" {
	make_log a.alog 3
	# a record with a duplicate member and a recomputed hash
	sed -i '3s/"n":2/"n":2,"n":3/' a.alog
	rehash_log a.alog
	alog-verify -q a.alog
	run alog-verify --strict a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:3: not strict JSON at column"*"duplicate member name \"n\""* ]]
}

@test "a record of an unknown type is malformed" {
	make_log a.alog 3
	sed -i '3s/"actor"/"type":"bogus","actor"/' a.alog
	rehash_log a.alog
	run alog-verify --all a.alog
	[ "$status" -eq 1 ]
	[[ $output == *'unknown record type "bogus"'* ]]
}

rotated_logs() {
	alog-keygen -s k.sec -p k.pub --epochs 16 >/dev/null
	make_log a.alog 5
	alog-seal -f a.alog -s k.sec --rotate day1.alog >/dev/null
	printf '{"n":%d}\n' 1 2 3 | alog-append -f a.alog
	alog-seal -f a.alog -s k.sec --rotate day2.alog >/dev/null
	printf '{"n":%d}\n' 4 5 | alog-append -f a.alog
}

@test "rotated files verify as one log and each on its own" {
	rotated_logs
	run alog-verify day1.alog day2.alog a.alog
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "OK: 15 records, seq 1..15, chain intact" ]]
	[[ $output == *"files      3"* ]]
	run alog-verify day2.alog
	[ "$status" -eq 0 ]
	[[ $output == *"day2.alog:1: the log continues from seq 8 in an earlier file"* ]]
	alog-verify -q a.alog
}

@test "a missing middle file is named" {
	rotated_logs
	run alog-verify day1.alog a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:1: missing file: this file starts at seq 13 but the previous one ended at seq 7"* ]]
}

@test "swapped and repeated files are named" {
	rotated_logs
	run alog-verify day2.alog day1.alog a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"day1.alog:1: files out of order or repeated"* ]]
	run alog-verify day1.alog day1.alog
	[ "$status" -eq 1 ]
	[[ $output == *"files out of order or repeated"* ]]
}

@test "a file of another log is named" {
	rotated_logs
	ALOG_ORIGIN=other/log make_log other.alog 6
	run alog-verify day1.alog other.alog
	[ "$status" -eq 1 ]
	[[ $output == *'file belongs to another log: origin "other/log"'* ]]
}

@test "a header whose prev does not match is named" {
	rotated_logs
	flip_hex day2.alog 1 prev
	rehash_log day2.alog
	run alog-verify day1.alog day2.alog
	[ "$status" -eq 1 ]
	[[ $output == *"day2.alog:1: file does not continue the previous file"* ]]
}

@test "a missing file and unreadable input are I/O errors" {
	run alog-verify nope.alog
	[ "$status" -eq 2 ]
	[[ $output == "alog-verify: nope.alog: cannot open: No such file or directory" ]]
	run alog-verify --bogus
	[ "$status" -eq 2 ]
}

@test "verification of a live log never reports a false failure" {
	make_log live.alog 1
	( for i in $(seq 1 300); do printf '{"i":%d,"pad":"%05000d"}\n' $i 0; done |
		alog-append -f live.alog --sync=none ) &
	writer=$!
	fails=0
	while kill -0 $writer 2>/dev/null; do
		alog-verify -q live.alog || fails=$((fails + 1))
	done
	wait $writer
	[ "$fails" -eq 0 ]
	alog-verify -q live.alog
}

@test "a live log's line finished between two reads is read whole, whatever read it falls in" {
	# regression: a read that met the end of the file left the bytes of an
	# unfinished last line behind, and the next read, after the writer had
	# finished it, started in the middle of that line ("damaged tail")
	needs_shim
	local n j pid st
	for n in 1 2 3 4 5 6; do
		rm -f live.alog full.alog fired
		for j in 1 2 3 4 5; do alog-append -f live.alog x=$j; done
		cp live.alog full.alog
		alog-append -f full.alog y=1 z=2
		tail -n 1 full.alog >rec
		head -c 40 rec >>live.alog
		# stopped before its n-th read, while the writer finishes the line
		FAULTINJ=read:$n:stop FAULTINJ_LOG=$PWD/fired LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
			alog-verify --jobs 2 live.alog >out 2>&1 &
		pid=$!
		for j in $(seq 1 250); do
			st=$(ps -o stat= -p "$pid" 2>/dev/null) || break
			[[ $st == T* ]] && break
			sleep 0.02
		done
		tail -c +41 rec >>live.alog
		kill -CONT "$pid" 2>/dev/null || true
		wait "$pid" || { echo "read $n:"; cat out; false; }
		[[ $(head -n 1 out) == "OK: 7 records, seq 1..7, chain intact" ]]
	done
}

@test "the report is the same with one job and with several" {
	make_log a.alog 20000
	sed -i -e '500s/user/USER/' -e '9000d' -e '15000p' a.alog
	alog-verify --all --json --jobs 1 a.alog >one.json || true
	for j in 2 3 8; do
		alog-verify --all --json --jobs $j a.alog >many.json || true
		cmp one.json many.json
	done
	[ "$(jq '.errors' one.json)" -eq 3 ]
	run alog-verify --jobs 0 a.alog
	[ "$status" -eq 2 ]
}

# ---- honest reports ----

@test "attack: records cut out by alog-grep and altered are never OK" {
	make_log a.alog 6
	alog-append -f a.alog key=x new=trust
	make_log a.alog 3
	alog-append -f a.alog key=x new=trust
	alog-grep key=x a.alog >frag
	[ "$(wc -l <frag)" = 2 ]
	for f in "cat frag" "sed s/\"new\":\"trust\"/\"new\":\"md5\"/ frag"; do
		run bash -c "$f | alog-verify"
		[ "$status" -eq 1 ]
		[[ $output == *"NOT VERIFIED (fragment): 2 records, seq 8..12: 0 checked against the record before, 2 could not be checked"* ]]
		[ -z "$(grep "^OK" <<<"$output")" ]
	done
	# one record alone, and a single run starting mid-log
	run bash -c "head -1 frag | alog-verify"
	[ "$status" -eq 1 ]
	run bash -c "sed -n '3,5p' a.alog | sed '1s/user/USER/' | alog-verify"
	[ "$status" -eq 1 ]
	[[ $output == *"2 checked against the record before, 1 could not be checked"* ]]
}

@test "attack: log content in messages cannot drive the terminal" {
	make_log a.alog 2
	# a record whose type carries CR, ESC sequences, a bidi override and a line separator
	python3 - a.alog <<'PY'
import hashlib, sys
path = sys.argv[1]
lines = open(path, 'rb').read().split(b'\n')[:-1]
prev = bytes.fromhex(lines[-1][-66:-2].decode())
body = b'{"seq":4,"ts":"2026-12-01T00:00:00.000000000Z","type":"\r\x1b[2KOK: chain intact\x1b[8m\xe2\x80\xae\xe2\x80\xa8x"}'
d = hashlib.sha256(body).digest()
h = hashlib.sha256(prev + d).hexdigest()
open(path, 'ab').write(body[:-1] + b',"hash":"' + h.encode() + b'"}\n')
PY
	for cmd in "alog-verify a.alog" "alog-verify -a a.alog" "alog-append -f a.alog x=1" \
		"alog-export -F csv a.alog" "alog-grep x=1 a.alog"; do
		run bash -c "$cmd 2>&1 >/dev/null"
		[ "$status" -ne 0 ] || [ -z "$output" ]
		[[ $output != *$'\e'* && $output != *$'\r'* && $output != *$'\xe2\x80\xae'* && $output != *$'\xe2\x80\xa8'* ]]
	done
	run alog-verify a.alog
	[[ $output == *'\x1b[2KOK: chain intact'* || $output == *'\r'* ]]
	[[ ${lines[-1]} != *"OK: chain intact"* || $output == *FAILED* ]]
}

@test "a file that is not an alog log: alog-append refuses, --recover does not touch it" {
	printf 'root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1::/:/usr/sbin/nologin\n' >passwd.copy
	cp passwd.copy orig
	run alog-append -f passwd.copy actor=x
	[ "$status" -eq 2 ]
	[ "$output" = "alog-append: passwd.copy: not an alog log: its first line is not an alog header record; nothing appended or changed" ]
	run alog-append -f passwd.copy --recover
	[ "$status" -eq 2 ]
	[[ $output == *"not an alog log"* ]]
	cmp passwd.copy orig
	[ "$(ls passwd.copy* | wc -l)" = 1 ]
	# no newline at all, and a fragment (records but no header)
	printf 'hello' >word
	run alog-append -f word x=1
	[ "$status" -eq 2 ]
	[[ $output == *"not an alog log: it does not start with an alog header record"* ]]
	make_log a.alog 3
	sed 1d a.alog >frag.alog
	run alog-append -f frag.alog x=1
	[ "$status" -eq 2 ]
	run alog-verify passwd.copy
	[ "$status" -eq 1 ]
	[[ $output == *"passwd.copy:1: not an alog log: no line of it is a record"* ]]
	[[ $output != *"--recover"* ]]
	# a torn first record is still a crash to recover from
	printf '{"seq":1,"ts":"2026' >torn.alog
	run alog-append -f torn.alog x=1
	[ "$status" -eq 1 ]
	[[ $output == *"--recover"* ]]
}

@test "the summary never claims what failed: a wrong public key" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	alog-keygen -s w.sec -p w.pub --epochs 8 >/dev/null
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	run alog-verify -a -p w.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"FAILED: 1 problem (1 seal)"* ]]
	[[ $output != *"signatures and epoch keys verified"* ]]
	[[ $output == *"seals      1 read, 0 verified with the public key, 1 not"* ]]
}

# ---- side state, default input, JSON and pipes ----

@test "the tree state beside a log is never taken for a log" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	sed -n 2p a.alog | alog-export --proof -p k.pub -f a.alog >/dev/null
	[ -s a.alog.tree ]
	run alog-verify ./a.alog*
	[ "$status" -eq 0 ]
	[[ $output == *"alog-verify: ./a.alog.tree: skipped: the tree state of a log (kept by alog-export beside it), not a log"* ]]
	[[ $output == *"files      1"* ]]
	[ "$(grep -c skipped <<<"$output")" = 1 ]
	run alog-grep actor=user1 ./a.alog*
	[ "$status" -eq 0 ]
	[ "$(grep -c '^alog-grep:' <<<"$output")" = 1 ]
	[[ $output == *"alog-grep: ./a.alog.tree: skipped: the tree state of a log"* ]]
}

@test "with no file and standard input a terminal, the default log is read" {
	command -v script >/dev/null || skip "script (util-linux) not installed"
	make_log a.alog 3
	ALOG_FILE=$PWD/a.alog run timeout 20 script -qec "alog-verify" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *"OK: 4 records, seq 1..4, chain intact"* ]]
	ALOG_FILE=$PWD/a.alog run timeout 20 script -qec "alog-grep --raw actor=user2" /dev/null
	[ "$status" -eq 0 ]
	[[ $output == *'"actor":"user2"'* ]]
	# a pipe is still read
	run bash -c "sed -n 1,2p a.alog | ALOG_FILE=/nonexistent alog-verify"
	[ "$status" -eq 0 ]
}

@test "--json carries every file and problem whatever the bytes of a name" {
	make_log a.alog 3
	cp a.alog $'bad\xff.alog'
	sed -i '2s/user/USER/' $'bad\xff.alog'
	run alog-verify --json $'bad\xff.alog'
	[ "$status" -eq 1 ]
	[ "$(jq -r '.errors' <<<"$output")" = 1 ]
	[ "$(jq -r '.files[0]' <<<"$output")" = 'bad\xff.alog' ]
	[ "$(jq -r '.problems[0].file' <<<"$output")" = 'bad\xff.alog' ]
	[ "$(jq -r '.problems | length' <<<"$output")" = 1 ]
	# and on standard error, the name is visible text too
	run alog-verify $'bad\xff.alog'
	[[ $output == *'alog-verify: bad\xff.alog:2: record modified'* ]]
}

@test "a broken pipe is silent in every report mode" {
	make_log a.alog 300
	sed -i '5s/user/USER/;9s/user/USER/' a.alog
	for opts in "-a --json" "-a" "--json"; do
		run bash -c "alog-verify $opts a.alog 2>err | head -c1 >/dev/null; cat err"
		[[ $output != *"cannot write"* && $output != *"write error"* ]]
	done
}

@test "--proof shows each proven record, a total, and --json" {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 6
	alog-append -f a.alog actor=mallory 'msg=a'$'\x1b''[31mred'
	alog-seal -f a.alog -s k.sec >/dev/null
	sed -n '3p;8p' a.alog | alog-export --proof -p k.pub -f a.alog >b
	run alog-verify --proof b -p k.pub
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "OK: seq 3 is in test.example/audit, tree size 8, checkpoint signed with epoch 0" ]]
	[[ ${lines[1]} == *"user2"*"n=2 #3" ]]
	[[ ${lines[3]} == *"mallory"*'\x1b[31mred'*"#8" ]]
	[[ $output != *$'\e'* ]]
	[ "${lines[-1]}" = "2 of 2 proofs verified" ]
	run alog-verify --proof b -p k.pub --json
	[ "$status" -eq 0 ]
	[ "$(jq -c '[.ok, .proofs, .verified, .results[1].seq, .results[1].record.actor]' <<<"$output")" = '[true,2,2,8,"mallory"]' ]
	# one bundle damaged: named, counted, exit 1
	awk 'BEGIN{n=0} /^index /{n++} n==2 && /^index /{sub(/index 7/, "index 6")} 1' b >b2
	run alog-verify --proof b2 -p k.pub
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "1 of 2 proofs verified" ]
	run alog-verify --proof b2 -p k.pub --json
	[ "$status" -eq 1 ]
	[ "$(jq -c '[.ok, .verified, .results[1].verified]' <<<"$output")" = '[false,1,false]' ]
}
