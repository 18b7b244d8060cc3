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

@test "an empty log verifies" {
	: >empty.alog
	run alog-verify empty.alog
	[ "$status" -eq 0 ]
	[[ $output == "OK: empty log" ]]
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
	sed -i -e '4s/"hash":"0/"hash":"1/;t' -e '4s/"hash":"./"hash":"0/' a.alog
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
	[ "$status" -eq 0 ]
	[[ $output == *"OK (fragment): 5 records, seq 2..6"* ]]
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
	[ "$status" -eq 0 ]
	[[ $output == *"OK (fragment): 8 records, seq 5..22; 1 gap and the link to earlier records not checkable"* ]]
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
	sed -i '1s/"prev":"./"prev":"0/' day2.alog
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
