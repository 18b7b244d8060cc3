#!/usr/bin/env bats
# Every bad input, as a table: what goes in, the exit status, and the exact
# message.  A row is "STATUS | MESSAGE | COMMAND": COMMAND runs with bash in
# a directory holding a.alog (a log of 3 events), sealed.alog with its key
# k.sec / k.pub and checkpoint cp; MESSAGE must be a whole line of its
# standard error.  Adding a case is adding a row.

load helpers

setup_file() {
	export BATS_FIXTURE=$BATS_FILE_TMPDIR/fixture
	mkdir -p "$BATS_FIXTURE"
	(
		PATH="$ALOG_BIN:$PATH"
		cd "$BATS_FIXTURE" || exit 1
		export ALOG_ORIGIN=test.example/audit
		printf '{"n":%d}\n' 1 2 3 | alog-append -f a.alog
		alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
		printf '{"n":%d}\n' 1 2 3 | alog-append -f sealed.alog
		alog-seal -f sealed.alog -s k.sec >cp
	)
}

# Check every row of the table on standard input; report all mismatches.
table() {
	local want msg cmd status out bad=0 n=0
	while IFS='|' read -r want msg cmd; do
		want=${want//[[:space:]]/}
		[[ -z $want || $want == \#* ]] && continue
		msg=${msg# }
		msg=${msg% }
		cmd=${cmd# }
		n=$((n + 1))
		set +e
		out=$(bash -c "$cmd" 2>&1 >/dev/null)
		status=$?
		set -e
		if [ "$status" != "$want" ] || ! grep -qxF -- "$msg" <<<"$out"; then
			printf 'row %d: %s\n  want %s: %s\n  got  %s: %s\n' "$n" "$cmd" "$want" "$msg" \
				"$status" "$out"
			bad=$((bad + 1))
		fi
		# a refused input never changes a log
		cmp -s a.alog "$BATS_FIXTURE/a.alog" || { echo "row $n changed a.alog"; bad=$((bad + 1)); }
	done
	echo "$n rows"
	[ "$bad" -eq 0 ]
}

@test "bad events on standard input: invalid JSON and UTF-8, NUL, \\u0000, duplicates, limits, reserved names" {
	table <<'EOF'
2 | alog-append: <stdin>:1: column 7: invalid JSON: unexpected end of input | printf '{"a":1\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 1: invalid JSON: expected a JSON object | printf '[1]\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 1: invalid JSON: expected a JSON object | printf 'null\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 12: invalid JSON: trailing characters after the JSON value | printf '{"a":true} x\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 7: invalid JSON: trailing comma before '}' | printf '{"a":1,}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 6: invalid JSON: leading zeros are not allowed | printf '{"a":01}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 7: invalid JSON: invalid UTF-8 byte 0xff | printf '{"a":"\xff"}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 7: invalid JSON: overlong UTF-8 sequence | printf '{"a":"\xc0\xaf"}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 7: invalid JSON: UTF-8 encoded surrogate (U+D800..U+DFFF) | printf '{"a":"\xed\xa0\x80"}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 7: invalid JSON: unpaired surrogate \ud800 | printf '{"a":"\\ud800"}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 7: invalid JSON: invalid escape \x | printf '{"a":"\\x"}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 7: invalid JSON: control character 0x09 in string (escape it) | printf '{"a":"\t"}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 8: NUL byte in input | printf '{"a":"x\0y"}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 8: NUL byte in input | printf '{"a":1}\0\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 7: invalid JSON: \u0000 is not allowed | printf '{"a":"\\u0000"}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 8: invalid JSON: duplicate member name "a" | printf '{"a":1,"a":2}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 13: invalid JSON: duplicate member name "b" | printf '{"a":{"b":1,"b":2}}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 15: invalid JSON: duplicate member name "\u0061" | printf '{"a":"\\u0041","\\u0061":2}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 69: invalid JSON: nesting deeper than 64 levels | python3 -c 'print("{\"a\":" + "["*65 + "]"*65 + "}")' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 69: invalid JSON: nesting deeper than 64 levels | python3 -c 'print("{\"a\":" + "["*5000 + "]"*5000 + "}")' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 6: invalid JSON: number overflows a double | printf '{"a":1e999}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 6: invalid JSON: integer out of range | printf '{"a":123456789012345678901234567890}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 6: invalid JSON: integer out of range | printf '{"a":-9223372036854775809}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 6: invalid JSON: integer out of range | printf '{"a":18446744073709551616}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: member name "seq" is reserved (the log sets it); use another name | printf '{"seq":1}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: member name "ts" is reserved (the log sets it); use another name | printf '{"ts":1}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: member name "type" is reserved (the log sets it); use another name | printf '{"type":"seal"}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: member name "hash" is reserved (the log sets it); use another name | printf '{"hash":"x"}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: member name "prev" is reserved (the log sets it); use another name | printf '{"prev":1}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: member name "alog" is reserved (the log sets it); use another name | printf '{"alog":1}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: member name "seq" is reserved (the log sets it); use another name | printf '{"\\u0073eq":1}\n' | alog-append -f a.alog
2 | alog-append: <stdin>:1: line longer than 1048320 bytes | head -c 2000000 /dev/zero | tr '\0' a | alog-append -f a.alog
2 | alog-append: <stdin>:1: column 7: invalid UTF-8 | printf 'plain \xff\n' | alog-append -f a.alog --text
2 | alog-append: <stdin>:1: column 4: NUL byte in input | printf 'abc\0\n' | alog-append -f a.alog --text
EOF
}

@test "bad events as arguments" {
	table <<'EOF'
2 | alog-append: argument 'noequals' is not KEY=VALUE or KEY:=JSON | alog-append -f a.alog noequals
2 | alog-append: argument '=x' is not KEY=VALUE or KEY:=JSON | alog-append -f a.alog =x
2 | alog-append: argument 'a:=': invalid JSON value at column 1: unexpected end of input | alog-append -f a.alog a:=
2 | alog-append: argument 'a:={': invalid JSON value at column 2: unexpected end of input | alog-append -f a.alog 'a:={'
2 | alog-append: argument 'a:=1e999': invalid JSON value at column 1: number overflows a double | alog-append -f a.alog a:=1e999
2 | alog-append: argument 'a.=1': empty name in key | alog-append -f a.alog a.=1
2 | alog-append: argument '.a=1': empty name in key | alog-append -f a.alog .a=1
2 | alog-append: argument 'a=2': key 'a' given twice | alog-append -f a.alog a=1 a=2
2 | alog-append: argument 'a.b=2': 'a' already holds a value | alog-append -f a.alog a=1 a.b=2
2 | alog-append: member name "seq" is reserved (the log sets it); use another name | alog-append -f a.alog seq=1
2 | alog-append: argument 'a=\xff': value is not valid UTF-8 | alog-append -f a.alog $'a=\xff' 2>&1 | sed 's/\xff/\\xff/' >&2; exit ${PIPESTATUS[0]}
2 | alog-append: --sync takes each, batch or none, not 'sometimes' | alog-append -f a.alog --sync=sometimes x=1
2 | alog-append: --text and --skip-bad apply to standard input, not arguments | alog-append -f a.alog --text x=1
2 | alog-append: --recover takes no KEY arguments | alog-append -f a.alog --recover x=1
2 | alog-append: unknown option '--frobnicate' | alog-append --frobnicate
EOF
}

@test "a 4 GiB line on standard input is refused with bounded memory" {
	command -v /usr/bin/time >/dev/null || skip "no /usr/bin/time"
	size=$((4 * 1024 * 1024 * 1024))
	# the sanitizers' shadow memory makes RSS meaningless: a smaller line there
	[ "${ALOG_SAN:-}" = 1 ] && size=$((64 * 1024 * 1024))
	[ "${ALOG_VALGRIND:-0}" = 1 ] && size=$((64 * 1024 * 1024))
	# (NUL bytes: the length is what is refused first, and no tr(1) slows the pipe)
	run bash -c "head -c $size /dev/zero | /usr/bin/time -f 'maxrss_kb=%M' alog-append -f a.alog"
	[ "$status" -eq 2 ]
	[[ $output == *"alog-append: <stdin>:1: line longer than 1048320 bytes"* ]]
	rss=$(sed -n 's/^maxrss_kb=//p' <<<"$output")
	echo "peak RSS: $rss kB"
	if [ "${ALOG_SAN:-}" != 1 ] && [ "${ALOG_VALGRIND:-0}" != 1 ]; then
		[ "$rss" -lt 65536 ]
	fi
	cmp a.alog "$BATS_FIXTURE/a.alog"
}

@test "bad files: existing and symlinked outputs, loose or foreign keys, missing logs" {
	ln -s nowhere dangling.pub
	ln -s nowhere dangling.alog
	touch exists.alog
	cp k.sec loose.sec
	chmod 640 loose.sec
	cp k.sec foreign.sec
	chown 65534 foreign.sec
	table <<'EOF'
2 | alog-keygen: k.sec already exists: refusing to overwrite a key | alog-keygen -s k.sec --epochs 4
2 | alog-keygen: k.pub already exists: refusing to overwrite a key | alog-keygen -s new.sec -p k.pub --epochs 4; test ! -e new.sec || exit 9; exit 2
2 | alog-keygen: dangling.pub already exists: refusing to overwrite a key | alog-keygen -s new.sec -p dangling.pub --epochs 4; test ! -e new.sec || exit 9; exit 2
2 | alog-seal: sealed.alog: exists.alog already exists: refusing to overwrite it | alog-seal -f sealed.alog -s k.sec --rotate exists.alog
2 | alog-seal: sealed.alog: dangling.alog already exists: refusing to overwrite it | alog-seal -f sealed.alog -s k.sec --rotate dangling.alog; grep -q '^next 1$' k.sec || exit 9; exit 2
2 | alog-seal: sealed.alog: a.alog already exists: refusing to overwrite it | alog-seal -f sealed.alog -s k.sec --rotate a.alog
2 | alog-seal: sealed.alog: --rotate sealed.alog names the log itself: give the archive another name | alog-seal -f sealed.alog -s k.sec --rotate sealed.alog
2 | alog-seal: missing.alog: cannot open log: No such file or directory | alog-seal -f missing.alog -s k.sec; s=$?; test ! -e missing.alog && exit $s
2 | alog-seal: sealed.alog: secret key loose.sec is accessible by others (mode 0640): refusing to use it; run 'chmod 600 loose.sec' | alog-seal -f sealed.alog -s loose.sec
2 | alog-seal: sealed.alog: secret key foreign.sec is owned by uid 65534, not by you (uid 0): refusing to use it | alog-seal -f sealed.alog -s foreign.sec
2 | alog-verify: secret key loose.sec is accessible by others (mode 0640): refusing to use it; run 'chmod 600 loose.sec' | alog-verify --key-state loose.sec sealed.alog
2 | alog-seal: k.sec: cannot open secret key: No such file or directory | alog-seal -f sealed.alog -s k.sec.missing 2>&1 | sed 's/k.sec.missing/k.sec/' >&2; exit ${PIPESTATUS[0]}
2 | alog-append: /nonexistent/dir/a.alog: cannot open log: No such file or directory | alog-append -f /nonexistent/dir/a.alog x=1
2 | alog-verify: missing.alog: cannot open: No such file or directory | alog-verify missing.alog
EOF
}

@test "bad keys and checkpoints given to alog-verify" {
	printf 'test.example/audit\n5\nnotbase64\n' >bad-root.cp
	printf 'test.example/audit\nfive\n%s\n' "$(sed -n 3p cp)" >bad-size.cp
	printf 'test.example/audit\x00x\n4\n%s\n' "$(sed -n 3p cp)" >nul-origin.cp
	printf 'test example/audit\n4\n%s\n' "$(sed -n 3p cp)" >space-origin.cp
	printf 'test.example/audit\n4\n' >short.cp
	printf 'alog1+x+1+abc\n' >bad-root.pub
	printf 'alog2+x+1+abc\n' >bad-prefix.pub
	printf '# only a comment\n' >empty.pub
	table <<'EOF'
2 | alog-verify: bad-root.cp: not a checkpoint: the third line is not a base64 root hash | alog-verify -p k.pub --checkpoint bad-root.cp sealed.alog
2 | alog-verify: bad-size.cp: not a checkpoint: the second line is not a tree size | alog-verify -p k.pub --checkpoint bad-size.cp sealed.alog
2 | alog-verify: nul-origin.cp: not a checkpoint: bad origin line | alog-verify -p k.pub --checkpoint nul-origin.cp sealed.alog
2 | alog-verify: space-origin.cp: not a checkpoint: bad origin line | alog-verify -p k.pub --checkpoint space-origin.cp sealed.alog
2 | alog-verify: short.cp: not a checkpoint: expected origin, size and root lines | alog-verify -p k.pub --checkpoint short.cp sealed.alog
2 | alog-verify: missing.cp: cannot open: No such file or directory | alog-verify -p k.pub --checkpoint missing.cp sealed.alog
2 | alog-verify: bad-root.pub: malformed public key: the root is not base64 of 32 bytes | alog-verify -p bad-root.pub sealed.alog
2 | alog-verify: bad-prefix.pub: not an alog public key (it starts with "alog1+") | alog-verify -p bad-prefix.pub sealed.alog
2 | alog-verify: empty.pub: no public key in the file | alog-verify -p empty.pub sealed.alog
2 | alog-verify: nofile.pub: cannot open public key: No such file or directory | alog-verify -p nofile.pub sealed.alog
2 | alog-verify: --max-unsealed takes a duration such as 90s, 30m, 2h or 1d, not '5x' | alog-verify --max-unsealed 5x sealed.alog
2 | alog-verify: --json and --quiet do not go together | alog-verify --json -q sealed.alog
EOF
}

@test "bad record lines in a log: each named at its line" {
	rec() { # a record line with the given text in place of the ts
		printf '{"seq":%s,"ts":"%s","n":1,"hash":"%064d"}\n' "$1" "$2" 0
	}
	{ head -n1 a.alog; rec 2 0001-01-01T00:00:00.000000000Z; } >old-year.alog
	{ head -n1 a.alog; rec 2 9999-12-31T23:59:59.999999999Z; } >far-year.alog
	{ head -n1 a.alog; rec 02 2026-11-28T05:17:18.000000001Z; } >lead-zero.alog
	{ head -n1 a.alog; rec 0 2026-11-28T05:17:18.000000001Z; } >seq-zero.alog
	{ head -n1 a.alog; rec 9007199254740992 2026-11-28T05:17:18.000000001Z; } >seq-big.alog
	{ head -n1 a.alog; printf '\n'; } >blank.alog
	{ head -n1 a.alog; sed -n 2p a.alog | sed -E 's/("hash":"[0-9]*)([a-f])/\1\U\2/'; tail -n +3 a.alog; } >upper.alog
	{ head -n1 a.alog; sed -n 2p a.alog | sed 's/^{"seq":2,/{"seq":2, /'; tail -n +3 a.alog; } >space.alog
	table <<'EOF'
1 | alog-verify: old-year.alog:2: damaged tail: 1 line(s) at the end are not records (ts is not an RFC 3339 UTC time with nine fraction digits; a crash mid-write?); move them aside with 'alog-append --recover' | alog-verify old-year.alog
1 | alog-verify: far-year.alog:2: damaged tail: 1 line(s) at the end are not records (ts is not an RFC 3339 UTC time with nine fraction digits; a crash mid-write?); move them aside with 'alog-append --recover' | alog-verify far-year.alog
1 | alog-verify: lead-zero.alog:2: damaged tail: 1 line(s) at the end are not records (seq is not a positive integer without leading zeros; a crash mid-write?); move them aside with 'alog-append --recover' | alog-verify lead-zero.alog
1 | alog-verify: seq-zero.alog:2: damaged tail: 1 line(s) at the end are not records (seq is not a positive integer without leading zeros; a crash mid-write?); move them aside with 'alog-append --recover' | alog-verify seq-zero.alog
1 | alog-verify: seq-big.alog:2: damaged tail: 1 line(s) at the end are not records (seq is not a positive integer without leading zeros; a crash mid-write?); move them aside with 'alog-append --recover' | alog-verify seq-big.alog
1 | alog-verify: blank.alog:2: damaged tail: 1 line(s) at the end are not records (line too short to be a record; a crash mid-write?); move them aside with 'alog-append --recover' | alog-verify blank.alog
1 | alog-verify: upper.alog:2: malformed line: line does not end with the hash member | alog-verify upper.alog
1 | alog-verify: space.alog:2: malformed line: seq is not followed by the ts member | alog-verify space.alog
EOF
}

@test "bad queries and options given to alog-grep" {
	table <<'EOF'
2 | alog-grep: bad query: 'n>abc': '>' compares numbers, and 'abc' is not a JSON number | alog-grep 'n>abc' a.alog
2 | alog-grep: bad query: 'a~(': bad regular expression: Unmatched ( or \( | alog-grep 'a~(' a.alog
2 | alog-grep: bad query: '=x' has no member name before the operator | alog-grep '=x' a.alog
2 | alog-grep: bad query: unterminated double quote | alog-grep 'n=1 "x' a.alog
2 | alog-grep: --since takes an RFC 3339 time, a date, 'YYYY-MM-DD HH:MM', HH:MM, now, today or yesterday (with a time or not), or a duration ago such as 2h, -30m or '1 hour ago', not 'yesterdayish' | alog-grep --since yesterdayish n? a.alog
2 | alog-grep: missing.alog: cannot open: No such file or directory | alog-grep n? missing.alog
2 | alog-grep: -m takes a number of records (1 or more), not 'x' | alog-grep -m x n? a.alog
2 | alog-grep: -A takes a number of records, not '-1' | alog-grep -A -1 n? a.alog
2 | alog-grep: --fields: empty member name in '' | alog-grep --fields '' n? a.alog
2 | alog-grep: --color takes auto, always or never, not 'sometimes' | alog-grep --color=sometimes n? a.alog
2 | alog-grep: nofile.pub: cannot open public key: No such file or directory | alog-grep --verify -p nofile.pub n? sealed.alog
2 | alog-grep: a QUERY is needed ('' selects every record) | alog-grep
EOF
}

@test "bad formats, maps and outputs given to alog-export" {
	printf '{\n' >trunc.json
	printf '{"xml":{}}\n' >xml.json
	printf '{"ecs":{"n":5}}\n' >num.json
	printf '{"csv":{}}\n' >other.json
	table <<'EOF'
2 | alog-export: unknown format 'xml' (ndjson, json, csv, tsv, syslog, cef, ecs, ocsf, asciicast) | alog-export --format xml a.alog
2 | alog-export: --fields: bad path "" | alog-export --format csv --fields '' a.alog
2 | alog-export: --redact: bad path "" | alog-export --redact '' a.alog
2 | alog-export: --bulk needs an index name | alog-export --format ecs --bulk '' a.alog
2 | alog-export: a.alog is also an input: refusing to overwrite it | alog-export -o a.alog a.alog
2 | alog-export: l.alog is also an input: refusing to overwrite it | ln -s a.alog l.alog; alog-export -o l.alog a.alog
2 | alog-export: nomap.json: cannot open: No such file or directory | alog-export --format ecs --map nomap.json a.alog
2 | alog-export: trunc.json: not a JSON object: byte 2: unexpected end of input | alog-export --format ecs --map trunc.json a.alog
2 | alog-export: xml.json: "xml" is not a format name | alog-export --format ecs --map xml.json a.alog
2 | alog-export: num.json: "ecs": each entry maps a member path to a field name (a string) or to null | alog-export --format ecs --map num.json a.alog
2 | alog-export: other.json: no "ecs" mapping in the file | alog-export --format ecs --map other.json a.alog
2 | alog-export: missing.alog: cannot open: No such file or directory | alog-export --format cef missing.alog
2 | alog-export: <stdin>:1: not an alog record: line too short to be a record | printf 'x\n' | alog-export
EOF
}

@test "events a policy rejects and policies with mistakes" {
	printf '{"require":["actor"]}\n' >p.json
	printf '{"require":["actor"],"bogus":1}\n' >bad.json
	printf '{"rules":[{"path":"password","action":"encrypt"}]}\n' >rule.json
	table <<'EOF'
2 | alog-append: rejected by rule "require": missing member "actor" | alog-append -f a.alog --policy p.json x=1
2 | alog-append: <stdin>:2: rejected by rule "require": missing member "actor" | printf '{"actor":"a"}\n{"x":1}\n' | alog-append -f b.alog --policy p.json
2 | alog-append: bad.json: policy: unknown member "bogus" (expected version, comment, on_violation, require, actions, types, rules, events, detectors, pepper, readers, transcript) | alog-append -f a.alog --policy bad.json actor=a
2 | alog-append: bad.json: policy: unknown member "bogus" (expected version, comment, on_violation, require, actions, types, rules, events, detectors, pepper, readers, transcript) | alog-append --policy-check bad.json
2 | alog-append: nofile.json: cannot open policy: No such file or directory | alog-append -f a.alog --policy nofile.json actor=a
2 | alog-append: rule.json: rules[0]: unknown member "action" (expected name, comment, path, match, do, keep) | alog-append -f a.alog --policy rule.json actor=a
2 | alog-append: member name "alog" is reserved (the log sets it); use another name | alog-append -f a.alog --policy p.json actor=a alog:='{}'
EOF
	# the event before the rejected one is written, the rest is not
	[ "$(grep -c '"actor":"a"' b.alog)" -eq 1 ]
	alog-verify -q b.alog
}

@test "bad commands, logs and policies given to alog-run, and bad replays" {
	printf '{"events": [{"action": "session.start", "require": ["ticket"]}]}\n' >t.json
	touch file
	table <<'EOF2'
2 | alog-run: no command to run | alog-run -f a.alog
2 | alog-run: no command to run | alog-run -f a.alog --reason x --
2 | alog-run: --env takes a variable name, not 'A=B' | alog-run -f a.alog --env A=B true
2 | alog-run: --reason is empty | alog-run -f a.alog --reason '' true
2 | alog-run: --ticket is empty | alog-run -f a.alog --ticket '' true
2 | alog-run: file/x.alog: not running true: cannot open log: Not a directory | alog-run -f file/x.alog true
2 | alog-run: session.start: rejected by rule "events[0]": missing member "ticket" (required for action "session.start") | alog-run -f a.alog --policy t.json true
127 | alog-run: no-such-command: No such file or directory | alog-run -f r.alog no-such-command
2 | alog-export: asciicast replays one session: give --session ID | alog-export -F asciicast a.alog
2 | alog-export: --session is for the asciicast format | alog-export --session 42 a.alog
2 | alog-export: no record of session 42 in the input | alog-export -F asciicast --session 42 a.alog
EOF2
	# nothing was run, and the refused sessions left no record
	! grep -q session a.alog || false
}
