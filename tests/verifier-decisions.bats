#!/usr/bin/env bats
# The verifier's decisions, case by case: each test makes the one input
# that takes one branch of the code that decides what a problem is and
# where (make coverage counts them), and checks the exact report.

load helpers

key() { alog-keygen -s k.sec -p k.pub --epochs 64 >/dev/null; }

# rec SEQ PREV_HEX [MEMBERS]: a well-formed record linked to PREV_HEX.
rec() {
	python3 - "$@" <<'PY'
import hashlib, sys
seq, prev = int(sys.argv[1]), bytes.fromhex(sys.argv[2])
members = sys.argv[3] if len(sys.argv) > 3 else ',"actor":"mallory"'
body = ('{"seq":%d,"ts":"2026-11-28T05:17:18.000000001Z"%s}' % (seq, members)).encode()
h = hashlib.sha256(prev + hashlib.sha256(body).digest()).hexdigest()
print(body[:-1].decode() + ',"hash":"%s"}' % h)
PY
}
hash_of() { line "$1" "$2" | sed 's/.*"hash":"\([0-9a-f]*\)"}$/\1/'; }

@test "a fragment with a seal is checked with the public key" {
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-append -f a.alog after=1
	run bash -c "sed -n '3,\$p' a.alog | alog-verify -p k.pub"
	[ "$status" -eq 1 ]
	[[ $output == *"seals      1, signatures and epoch keys verified"* ]]
	[[ $output == *"NOT VERIFIED (fragment): 4 records, seq 3..6: 3 checked against the record before, 1 could not be checked"* ]]
}

@test "a record with seq 1 after the header, at the end, is out of order" {
	make_log a.alog 1
	sed -i 2d a.alog
	rec 1 "$(hash_of a.alog 1)" >>a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:2: record out of order: seq 1 after seq 1"* ]]
}

@test "a last record repeating the seq before it, from another chain, is out of order" {
	make_log a.alog 3
	rec 4 "$(printf '%064d' 7)" >>a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:5: record out of order: seq 4 after seq 4"* ]]
}

@test "a record slipped in before the last line is named at its line" {
	make_log a.alog 3
	{ head -n3 a.alog; rec 4 "$(hash_of a.alog 3)"; tail -n1 a.alog; } >b.alog
	run alog-verify b.alog
	[ "$status" -eq 1 ]
	[[ $output == *"b.alog:4: inserted record (seq 4): it is not part of the chain; the record after it (line 5) is"* ]]
}

@test "a changed record moved before the one it should follow is an inserted record" {
	make_log a.alog 4
	{ head -n2 a.alog; line a.alog 4 | sed 's/"n":3/"n":9/'; line a.alog 3; tail -n1 a.alog; } >b.alog
	run alog-verify b.alog
	[ "$status" -eq 1 ]
	[[ $output == *"b.alog:3: inserted record (seq 4): it is not part of the chain"* ]]
}

@test "another record with the seq of the one before it, between two that link, is out of place" {
	make_log a.alog 4
	{ head -n3 a.alog; rec 3 "$(printf '%064d' 5)"; tail -n +4 a.alog; } >b.alog
	run alog-verify b.alog
	[ "$status" -eq 1 ]
	[[ $output == *"b.alog:4: record out of place: seq 3 belongs earlier in the log"* ]]
}

@test "two records of a fork after the record they repeat are out of order" {
	make_log a.alog 4
	cp a.alog fork.alog
	sed -i '3s/"n":2/"n":9/' fork.alog
	rehash_log fork.alog
	{ head -n4 a.alog; sed -n '4,5p' fork.alog; } >b.alog
	run alog-verify b.alog
	[ "$status" -eq 1 ]
	[[ $output == *"b.alog:5: record out of order: seq 4 after seq 4"* ]]
}

@test "a later file without a header is a bad header" {
	make_log a.alog 3
	make_log other.alog 5
	sed -n '3,$p' other.alog >frag.alog
	run alog-verify a.alog frag.alog
	[ "$status" -eq 1 ]
	[[ $output == *"frag.alog:1: bad header: the first line is not a header (seq 3)"* ]]
}

@test "a later file's header changed but its prev intact is a modified header" {
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec --rotate old.alog >/dev/null
	alog-append -f a.alog x=1
	sed -i -E '1s/"ts":"[0-9]{4}-/"ts":"2001-/' a.alog
	run alog-verify old.alog a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:1: header modified (seq 6): its contents do not match its hash"* ]]
}

@test "a later file's header with another range and a recomputed hash is a bad header" {
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec --rotate old.alog >/dev/null
	alog-append -f a.alog x=1
	python3 - a.alog <<'PY'
import base64, re, sys
p = sys.argv[1]
lines = open(p, 'rb').read().split(b'\n')
lines[0] = re.sub(rb'"range":\["[^"]*"', b'"range":["' + base64.b64encode(bytes(32)) + b'"', lines[0], 1)
open(p, 'wb').write(b'\n'.join(lines))
PY
	rehash_log a.alog
	run alog-verify old.alog a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:1: bad header: its Merkle range does not match the records before it"* ]]
}

@test "with --all, a later file is checked after damage in the one before" {
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec --rotate old.alog >/dev/null
	alog-append -f a.alog x=1
	sed -i '2s/"n":1/"n":7/' old.alog
	run alog-verify -a old.alog a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"FAILED: 1 problem (1 modified)"* ]]
}

@test "regression: a damaged last record of a file is named in that file, not the next" {
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec --rotate old.alog >/dev/null
	sed -i '5s/"epoch":0/"epoch":1/' old.alog
	run alog-verify -a old.alog a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"old.alog:5: record modified (seq 5)"* ]]
	run alog-verify old.alog a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"old.alog:5: record modified (seq 5)"* ]]
	[[ $output != *"a.alog:1"* ]]
}

@test "with --all, a header in the middle of a file is reported and checking goes on" {
	make_log a.alog 3
	{ head -n2 a.alog; head -n1 a.alog; tail -n +3 a.alog; } >b.alog
	run alog-verify -a b.alog
	[ "$status" -eq 1 ]
	[[ $output == *"b.alog:3: bad header: a header record in the middle of a file"* ]]
	[[ $output == *"b.alog:3: duplicated record"* ]] || [[ $output == *"b.alog:3: record out of place"* ]]
}

@test "an empty log and an unsigned checkpoint of the empty tree is not OK" {
	key
	: >a.alog
	printf 'test.example/audit\n0\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n' >cp
	run alog-verify -p k.pub --checkpoint cp a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the saved checkpoint is not authenticated: the log is empty"* ]]
	[ -z "$(grep "^OK" <<<"$output")" ]
}

@test "--require-sealed and --max-unsealed work without a public key" {
	make_log a.alog 2
	run alog-verify --require-sealed a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog: not sealed: the log has no seal; its 3 records are protected by nothing but the chain"* ]]
	sed -i 's/"ts":"20[0-9][0-9]-/"ts":"2020-/' a.alog
	rehash_log a.alog
	run alog-verify --max-unsealed 1d a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog: no seal for "*" s, more than --max-unsealed allows"* ]]
}

@test "a checkpoint that a fragment or a later file cannot reach is said to be unchecked" {
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >cp
	alog-seal -f a.alog -s k.sec --rotate old.alog >/dev/null
	alog-append -f a.alog x=1
	# the archive is not where the live file's header says
	mv old.alog elsewhere.alog
	run alog-verify -p k.pub --checkpoint cp a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the saved checkpoint (size 4) could not be checked: the tree at that size is not known from this input"* ]]
	run bash -c "sed -n '2,3p' elsewhere.alog | alog-verify -p k.pub --checkpoint cp"
	[ "$status" -eq 1 ]
	[[ $output == *"the saved checkpoint (size 4) could not be checked"* ]]
}

@test "with --all, seals are not checked against a public key of another origin" {
	key
	make_log a.alog 2
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-keygen --origin other.example/audit -s o.sec -p o.pub --epochs 4 >/dev/null
	run alog-verify -a -p o.pub a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"wrong public key: it is for origin \"other.example/audit\", this log's origin is \"test.example/audit\""* ]]
	[[ $output == *"FAILED: 1 problem (1 seal)"* ]]
}

@test "a last line repeating the one before it is a duplicated record" {
	make_log a.alog 3
	tail -n1 a.alog >>a.alog
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog:5: duplicated record: seq 4 appears twice"* ]]
}
