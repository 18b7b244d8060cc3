#!/usr/bin/env bats
# alog-export: every format against golden files written by hand from the
# specs (tests/data/export), CSV formula neutralisation, syslog and CEF
# escaping, mappings, redaction, output files and terminal safety.

load helpers

data() { echo "$BATS_TEST_DIRNAME/data/export/$1"; }

# The golden file with the tool's version put in.
golden() {
	local v
	v=$(alog-export --version | cut -d' ' -f2)
	sed "s/@VERSION@/$v/g" "$(data "$1")"
}

@test "ndjson is the event members, json one array of them" {
	run alog-export "$(data input.alog)"
	[ "$status" -eq 0 ]
	diff <(echo "$output") "$(data events.ndjson)"
	alog-export -F json "$(data input.alog)" | diff - "$(data events.json)"
	jq -e 'length == 4' "$(data events.json)" >/dev/null
	alog-export -F json </dev/null | diff - <(echo "[]")
}

@test "ndjson --with-meta copies the records verbatim: they still verify" {
	alog-export --with-meta "$(data input.alog)" >out
	diff out <(sed 1d "$(data input.alog)")
	# every record but the first is checked against the one before it
	run alog-verify --fragment out
	[[ $output == *"1 could not be checked"* && $output != *FAILED* ]]
	alog-export -F json --with-meta "$(data input.alog)" | jq -e '.[0].seq == 2' >/dev/null
}

@test "csv follows RFC 4180 and neutralises formulas" {
	alog-export -F csv "$(data input.alog)" >out.csv
	cmp out.csv "$(data default.csv)"
	alog-export -F csv --fields seq,actor,src.ip,new,tags,user.email "$(data input.alog)" |
		cmp - "$(data fields.csv)"
	# and Python's csv module reads it back to the original values
	python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
assert rows[0] == ["seq", "ts", "actor", "action", "target", "msg"]
assert rows[2][5] == "SELECT * FROM t WHERE a = \"x\""
assert rows[3][5] == "a|b\\c=d]e\"f\nnext"
assert rows[3][2] == "\x27=cmd|\x27 /C calc\x27!A0"
' out.csv
}

@test "every formula start is neutralised; numbers are left alone; --allow-formulas turns it off" {
	for c in '=' '+' '-' '@' '\t' '\r'; do
		printf '{"v":"%s1+1","n":-3}\n' "$c" | alog-append -f f.alog
	done
	run alog-export -F csv --fields v,n f.alog
	[ "$status" -eq 0 ]
	[ "${lines[1]}" = "'=1+1,-3"$'\r' ]
	[ "${lines[2]}" = "'+1+1,-3"$'\r' ]
	[ "${lines[3]}" = "'-1+1,-3"$'\r' ]
	[ "${lines[4]}" = "'@1+1,-3"$'\r' ]
	[ "${lines[5]}" = "\"'"$'\t'"1+1\",-3"$'\r' ]
	# CR inside a quoted cell is kept (RFC 4180); the cell still starts with '
	alog-export -F csv --fields v f.alog | sed -n 7p | grep -q "^\"'"
	! alog-export -F tsv --fields v f.alog | tail -n +2 | grep -v "^'" || false
	alog-export -F csv --allow-formulas --fields seq,actor,target "$(data input.alog)" |
		cmp - "$(data formulas.csv)"
}

@test "tsv escapes backslash, tab and newlines" {
	alog-export -F tsv "$(data input.alog)" | cmp - "$(data default.tsv)"
}

@test "syslog lines are RFC 5424 with the record in structured data" {
	alog-export -F syslog "$(data input.alog)" | cmp - "$(data syslog.txt)"
}

@test "syslog escapes quote, backslash and bracket in parameters and writes controls as #ooo" {
	alog-append -f s.alog 'note=a"b\c]d' $'ctl=x\x1by' msg=hi
	run alog-export -F syslog s.alog
	[ "$status" -eq 0 ]
	[[ $output == *' note="a\"b\\c\]d" ctl="x#033y"] '$'\xef\xbb\xbf''hi' ]]
	[[ $output != *$'\x1b'* ]]
}

@test "cef follows the ArcSight escaping rules in header and extension" {
	alog-export -F cef "$(data input.alog)" | diff - <(golden cef.txt)
	alog-append -f c.alog 'action=a|b\c' 'msg=x=y|z'$'\n''w'
	run alog-export -F cef c.alog
	[[ ${lines[0]} == 'CEF:0|alog|alog|'*'|a\|b\\c|a\|b\\c|3|rt='* ]]
	[[ ${lines[0]} == *' act=a|b\\c msg=x\=y|z\nw' ]]
}

@test "ecs documents, and _bulk bodies with --bulk" {
	alog-export -F ecs "$(data input.alog)" | diff - "$(data ecs.ndjson)"
	alog-export -F ecs --bulk audit-2026.11 "$(data input.alog)" | diff - "$(data ecs-bulk.ndjson)"
	# a _bulk body: action and document lines alternate, each valid JSON
	alog-export -F ecs --bulk a "$(data input.alog)" | jq -c 'keys[0]' | sort | uniq -c >counts
	grep -q '4 "@timestamp"' counts
	grep -q '4 "create"' counts
}

@test "ocsf picks the class by action, with Base Event as the fallback" {
	alog-export -F ocsf "$(data input.alog)" | diff - <(golden ocsf.ndjson)
	alog-append -f o.alog action=shell.exec actor=x
	alog-append -f o.alog action=auth.logout actor=x
	alog-append -f o.alog action=db.delete target=t actor=x src.ip=10.1.2.3
	alog-append -f o.alog actor=x
	# a class only when the event fills its required attributes
	alog-append -f o.alog action=db.delete target=t actor=x
	alog-append -f o.alog action=api.create actor=x
	alog-append -f o.alog action=api.create actor=x src.host=h
	run bash -c "alog-export -F ocsf o.alog | jq -c '[.class_uid, .activity_id, .type_uid]'"
	[ "${lines[0]}" = "[0,99,99]" ]
	[ "${lines[1]}" = "[3002,2,300202]" ]
	[ "${lines[2]}" = "[6005,7,600507]" ]
	[ "${lines[3]}" = "[0,0,0]" ]
	[ "${lines[4]}" = "[0,99,99]" ]
	[ "${lines[5]}" = "[0,99,99]" ]
	[ "${lines[6]}" = "[6003,1,600301]" ]
	alog-export -F ocsf o.alog | python3 "$BATS_TEST_DIRNAME/tools/ocsf-check.py"
}

@test "--map replaces and removes mappings" {
	cat >map.json <<'EOF'
{"ecs": {"actor": "user.id", "rows": "db.rows", "target": null},
 "cef": {"rows": "cn1"},
 "syslog": {"actor": "who"}}
EOF
	run bash -c "alog-export -F ecs --map map.json '$(data input.alog)' | sed -n 2p"
	[[ $output == *'"user":{"id":"bob"}'* ]]
	[[ $output == *'"db":{"rows":42}'* ]]
	[[ $output != *payments* ]]
	alog-export -F cef --map map.json "$(data input.alog)" | sed -n 2p | grep -q ' cn1=42 cn1Label=rows'
	alog-export -F syslog --map map.json "$(data input.alog)" | sed -n 1p | grep -q ' who="alice"'
	run alog-export -F ocsf --map map.json "$(data input.alog)"
	[ "$status" -eq 2 ]
	[[ $output == *'no "ocsf" mapping'* ]]
	echo '{"cef": {"actor": "not a key"}}' >bad.json
	run alog-export -F cef --map bad.json "$(data input.alog)"
	[ "$status" -eq 2 ]
	[[ $output == *"not alphanumeric"* ]]
	echo '{"csv": {}}' >bad.json
	run alog-export -F csv --map bad.json "$(data input.alog)"
	[ "$status" -eq 2 ]
}

@test "redacted copies say so in every format" {
	alog-export --redact user.email --drop src --redact msg "$(data input.alog)" |
		diff - "$(data redacted.ndjson)"
	# each record lists the paths that redacted or dropped something in it
	r="--redact user.email --drop src"
	alog-export -F csv $r "$(data input.alog)" | head -1 | grep -q ',alog'
	alog-export -F csv $r "$(data input.alog)" | sed -n 2p |
		grep -q 'redacted copy; redacted: ; dropped: src'
	alog-export -F csv $r "$(data input.alog)" | grep -q 'redacted copy; redacted: user.email; dropped: '
	alog-export -F syslog $r "$(data input.alog)" | head -1 |
		grep -q '\[alogCopy@32473 redacted="" dropped="src"\]'
	alog-export -F syslog $r "$(data input.alog)" | sed -n 4p |
		grep -q '\[alogCopy@32473 redacted="user.email" dropped=""\]'
	alog-export -F cef $r "$(data input.alog)" | head -1 | grep -q ' alogRedacted= alogDropped=src '
	alog-export -F cef $r "$(data input.alog)" | sed -n 4p | grep -q ' alogRedacted=user.email alogDropped= '
	alog-export -F ecs $r "$(data input.alog)" | sed -n 4p | jq -e '.tags == ["alog-redacted-copy"] and
		.alog.copy.redacted == ["user.email"]' >/dev/null
	alog-export -F ocsf $r "$(data input.alog)" | head -1 | jq -e '.metadata.labels == ["alog-redacted-copy"]
		and .unmapped.alog.dropped == ["src"]' >/dev/null
	! alog-export -F ecs $r "$(data input.alog)" | grep -q 'm@example.com' || false
	# a redacted copy with meta no longer passes as records
	alog-export --with-meta --redact msg "$(data input.alog)" >red
	run alog-verify --fragment red
	[ "$status" -eq 1 ]
	run alog-export --redact seq "$(data input.alog)"
	[ "$status" -eq 2 ]
}

@test "-o replaces the target whole and never overwrites an input" {
	cp "$(data input.alog)" in.alog
	alog-export -F csv -o out.csv in.alog
	cmp out.csv "$(data default.csv)"
	run alog-export -o in.alog in.alog
	[ "$status" -eq 2 ]
	[[ $output == *"in.alog is also an input"* ]]
	ln -s in.alog link.alog
	run alog-export -o link.alog in.alog
	[ "$status" -eq 2 ]
	run bash -c 'alog-export -o in.alog < in.alog'
	[ "$status" -eq 2 ]
	cmp in.alog "$(data input.alog)"
	# an input error half-way leaves the old target and no temporary file
	{ cat in.alog; echo 'not a record'; } >bad.alog
	echo old >keep.csv
	run alog-export -F csv -o keep.csv bad.alog
	[ "$status" -eq 2 ]
	[[ $output == *"bad.alog:6: not an alog record"* ]]
	[ "$(cat keep.csv)" = old ]
	[ "$(ls -A | grep -c '^\.keep')" = 0 ]
}

@test "records come from standard input, as alog-grep or grep pass them on" {
	grep -F '"actor":"bob"' "$(data input.alog)" | alog-export -F csv --fields seq,actor >out
	[ "$(sed -n 2p out)" = $'3,bob\r' ]
	# the last line may lack its newline
	tail -1 "$(data input.alog)" | tr -d '\n' | alog-export | grep -q mallory
	run bash -c "echo '{\"actor\":\"x\"}' | alog-export"
	[ "$status" -eq 2 ]
	[[ $output == *"<stdin>:1: not an alog record"* ]]
}

@test "no format passes raw control characters from the log to the terminal" {
	alog-append -f t.alog $'msg=\x1b[2J\x1b]0;owned\x07' $'actor=\xc2\x9b31m' 'a=b'
	for f in ndjson json csv tsv syslog cef ecs ocsf; do
		alog-export -F "$f" t.alog >"out.$f"
		if LC_ALL=C grep -q $'[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]' "out.$f"; then
			echo "raw control character in $f"
			cat -A "out.$f"
			return 1
		fi
	done
	# a forged line with a raw escape is refused, not copied
	printf '{"seq":1,"ts":"2026-11-28T05:17:17.123456789Z","msg":"\x1b[2J","hash":"%064d"}\n' 0 >forged
	run alog-export forged
	[ "$status" -eq 2 ]
	[[ $output == *"raw control character"* ]]
}

@test "a record being written while the log is exported is waited for, not called broken" {
	make_log live.alog 3
	cp live.alog next.alog
	alog-append -f next.alog actor=late action=write
	last=$(tail -n 1 next.alog)
	half=$(( ${#last} / 2 ))
	size=$(stat -c %s live.alog)
	# a writer holds the lock with half its record written
	flock -x live.alog sh -c 'printf %s "$1" >>live.alog; sleep 1; printf "%s\n" "$2" >>live.alog' \
		sh "${last:0:$half}" "${last:$half}" &
	# (on a loaded machine the writer may take a while to get there)
	while [ "$(stat -c %s live.alog)" -eq "$size" ]; do sleep 0.01; done
	run alog-export live.alog
	wait
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 4 ]
	[ "$(echo "${lines[3]}" | jq -r .actor)" = late ]
}

@test "usage errors" {
	run alog-export -F xml
	[ "$status" -eq 2 ]
	run alog-export --fields a
	[ "$status" -eq 2 ]
	[[ $output == *"--fields is for csv and tsv"* ]]
	run alog-export --bulk x -F csv
	[ "$status" -eq 2 ]
	run alog-export -F csv --fields 'a..b'
	[ "$status" -eq 2 ]
	run alog-export --proof --checkpoint
	[ "$status" -eq 2 ]
}

@test "alog-export(1) examples run as documented" {
	cp "$(data input.alog)" audit.alog
	alog-keygen -s seal.key -p seal.pub --origin db-1.example.com/audit --epochs 64 >/dev/null
	alog-seal -f audit.alog -s seal.key >old.checkpoint
	alog-append -f audit.alog actor=alice action=db.update target=payments
	alog-seal -f audit.alog -s seal.key >new.checkpoint
	printf '{"ecs": {"session": "user.id"}}\n' >fields.json
	alog-keygen --reader -s dba.key -p dba.pub >/dev/null
	echo '{"rules": [{"path": "query", "do": "encrypt"}], "readers": ["dba.pub"]}' >p.json
	alog-append -f audit.alog --policy p.json actor=dave action=db.query query='DELETE FROM t'
	run_examples "$(man_dir)/alog-export.1"
	[ -s incident.csv ] && [ -s alice.tlog-proof ]
	grep -q 'DELETE FROM t' queries.csv
}

@test "-o: - is standard output, a device is written in place, a link is followed, protected input gives 0600" {
	alog-append -f a.alog actor=alice >/dev/null
	alog-export -o - a.alog >stdout.out
	[ ! -e ./- ]
	grep -q '"actor":"alice"' stdout.out
	# a character device of our own (never the system's /dev/null)
	mknod dev c 1 3
	alog-export -o dev a.alog
	[ -c dev ]
	mkfifo fifo
	cat fifo >fifo.out &
	alog-export -F csv -o fifo a.alog
	wait
	[ -p fifo ]
	grep -q alice fifo.out
	# a symbolic link: the file it names is replaced, the link stays
	mkdir sub
	echo old >sub/real.csv
	chmod 640 sub/real.csv
	ln -s sub/real.csv link.csv
	alog-export -F csv -o link.csv a.alog
	[ -L link.csv ]
	grep -q alice sub/real.csv
	[ "$(stat -c %a sub/real.csv)" = 640 ]
	ln -s nowhere dangling.csv
	run alog-export -F csv -o dangling.csv a.alog
	[ "$status" -eq 2 ]
	[ -L dangling.csv ]
	# a new file: the umask, or 0600 when the input holds protected values
	umask 022
	alog-export -o new.json a.alog
	[ "$(stat -c %a new.json)" = 644 ]
	alog-append -f p.alog 'q=alog-enc1:x' >/dev/null
	alog-export -o prot.json p.alog
	[ "$(stat -c %a prot.json)" = 600 ]
	# a replaced file keeps its mode even then
	: >kept.json
	chmod 664 kept.json
	alog-export -o kept.json p.alog
	[ "$(stat -c %a kept.json)" = 664 ]
}

@test "-o never overwrites an alog log, a rotated one or one given through a link" {
	alog-append -f a.alog actor=alice >/dev/null
	alog-append -f b.alog actor=bob >/dev/null
	cp b.alog b.orig
	ln -s b.alog b.link
	for t in b.alog b.link; do
		run alog-export -o "$t" a.alog
		[ "$status" -eq 2 ]
		[[ $output == *"is an alog log: refusing to overwrite it"* ]]
	done
	run bash -c 'alog-export -F csv a.alog | alog-export -F ndjson -o b.alog'
	[ "$status" -eq 2 ]
	cmp b.alog b.orig
}

@test "--redact and --drop reach into arrays of objects at any depth" {
	echo '{"r":[{"e":"x@example.com","k":1},[{"e":"y@example.com"}],"z",{"n":{"e":"no"}}],"e":"top"}' |
		alog-append -f r.alog
	alog-export --redact r.e r.alog >out
	! grep -q example.com out || false
	jq -e '.r[3].n.e == "no" and .e == "top" and .r[0].k == 1 and .alog.redacted == ["r.e"]' out
	alog-export --drop r.e --drop nothere r.alog >out 2>err
	! grep -q example.com out || false
	jq -e '.r[0] == {"k":1} and .alog.dropped == ["r.e"]' out
	grep -q 'warning: --drop nothere matched no member' err
	! grep -q 'r\.e' err || false
	for f in csv tsv syslog cef ecs ocsf; do
		alog-export -F "$f" --redact r.e r.alog >out
		! grep -q example.com out || false
	done
}

@test "syslog --framing octet-counting: each message is its length, a space and the message" {
	alog-append -f a.alog actor=alice msg=$'caf\u00e9' >/dev/null
	alog-append -f a.alog actor=bob >/dev/null
	alog-export -F syslog --framing octet-counting a.alog >framed
	python3 - framed <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
n = 0
while data:
    sp = data.index(b" ")
    size = int(data[:sp])
    msg = data[sp + 1:sp + 1 + size]
    assert msg.startswith(b"<86>1 ") and b"\n" not in msg, msg
    data = data[sp + 1 + size:]
    n += 1
assert n == 2, n
PY
	run alog-export -F csv --framing octet-counting a.alog
	[ "$status" -eq 2 ]
	run alog-export -F syslog --framing lines a.alog
	[ "$status" -eq 2 ]
}

@test "cef and syslog: 20,000 member names that collapse to one key each get their own, in linear time" {
	python3 -c '
import json
names = {}
for i in range(20000):
    # eight characters that syslog writes as _ and CEF leaves out
    names["x" + "".join(" =]_"[i >> (2 * k) & 3] for k in range(8))] = i
print(json.dumps(names))' | alog-append -f big.alog
	for f in cef syslog; do
		timeout 10 alog-export -F "$f" big.alog >out
		case $f in
		cef) n=$(grep -o ' alogX[0-9]*=' out | sort -u | wc -l) ;;
		syslog) n=$(grep -o ' x_*[0-9]*="' out | sort -u | wc -l) ;;
		esac
		[ "$n" -eq 20000 ] || { echo "$f: $n keys"; return 1; }
	done
}
