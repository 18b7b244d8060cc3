#!/usr/bin/env bats
# The tamper harness (tests/tools/tamper.c) and the verifier bugs it found:
# every kind of damage named at its line or seal, no valid log failing.

load helpers
load harness

key() { alog-keygen -s k.sec -p k.pub --epochs 64 >/dev/null; }

@test "tamper harness: every mutation detected at the right line or seal, no false positive" {
	flips=-x
	# under the sanitizers, a sample of the bit flips is enough for memory safety
	slow_build && flips=
	run memcheck tamper -m "$(quick 2000)" -v "$(quick 200)" $flips -k kept
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"valid logs: $(quick 200) "*"false positives: 0"* ]]
	[[ $(echo "$output" | awk '$1 == "total" { print $2 - $3, $4, $5 }') == "0 0 0" ]]
}

@test "regression: a record slipped into the chain is named at its own line" {
	make_log a.alog 6
	# a well-formed record that links to line 3 and takes seq 4, inserted after line 3
	python3 - a.alog <<'PY'
import hashlib, sys
p = sys.argv[1]
lines = open(p, 'rb').read().split(b'\n')[:-1]
prev = bytes.fromhex(lines[2][-66:-2].decode())
body = b'{"seq":4,"ts":"2026-11-28T05:17:18.000000001Z","actor":"mallory"}'
h = hashlib.sha256(prev + hashlib.sha256(body).digest()).hexdigest()
forged = body[:-1] + b',"hash":"' + h.encode() + b'"}'
open(p, 'wb').write(b'\n'.join(lines[:3] + [forged] + lines[3:]) + b'\n')
PY
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"alog-verify: a.alog:4: inserted record (seq 4): it is not part of the chain; the record after it (line 5) is"* ]]
	run alog-verify -a a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"FAILED: 1 problem (1 inserted)"* ]]
}

@test "regression: a log emptied after sealing fails with a checkpoint or the key state" {
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >cp
	: >a.alog
	run alog-verify -p k.pub --checkpoint cp a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"a.alog: the log is empty but the saved checkpoint covers 4 records"* ]]
	run alog-verify -p k.pub --key-state k.sec a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"seals removed: the host key has sealed epochs 0..0 but the log is empty"* ]]
	# without a checkpoint or key state an empty log is still no pass
	run alog-verify a.alog
	[ "$status" -eq 1 ]
	[ "$output" = "NO RECORDS: the input is empty, nothing was verified" ]
}

@test "regression: today's file alone after a rotation passes --key-state" {
	key
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec --rotate old.alog >/dev/null
	alog-append -f a.alog after=rotation
	run alog-verify -p k.pub --key-state k.sec a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"no seal since seq 6; the host key's seals (epochs 0..0) are in the earlier files, not given"* ]]
	alog-verify -q -p k.pub --key-state k.sec old.alog a.alog
	# but the first file of a log with its seals removed still fails
	grep -v '"type":"seal"' old.alog >stripped.alog
	rehash_log stripped.alog
	run alog-verify -p k.pub --key-state k.sec stripped.alog
	[ "$status" -eq 1 ]
	[[ $output == *"seals removed: the host key has sealed epochs 0..0 but the log has no seal"* ]]
}

@test "regression: verifying with --key-state waits for a seal replacing the key" {
	key
	make_log a.alog 2
	alog-seal -f a.alog -s k.sec >/dev/null
	# A seal replaces the key file, then zeroes the old one under its lock:
	# play that with flock(1) and a reader arriving in the middle.
	cp k.sec saved
	( flock -x 9; : >k.sec; head -c "$(stat -c %s saved)" /dev/zero >k.sec; touch zeroed
	  sleep 0.5; cat saved >k.sec ) 9<k.sec &
	while [ ! -e zeroed ]; do sleep 0.01; done
	run alog-verify -p k.pub --key-state k.sec a.alog
	wait
	[ "$status" -eq 0 ]
}
