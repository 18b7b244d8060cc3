#!/usr/bin/env bats
# The fault-injection harness (tests/harness/faults.py with the LD_PRELOAD
# shim tests/tools/faultinj.c), a real full disk, and the bugs they found.

load helpers
load harness

fi_run() { # fi_run SPEC COMMAND...: run with one injected fault
	FAULTINJ=$1 FAULTINJ_LOG=$BATS_TEST_TMPDIR/fired LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		run "${@:2}"
}

# interrupted_seal: a.alog of four records sealed once, then a second
# alog-seal whose fdatasync of the log fails after the key has forgotten
# epoch 1 (its seal is kept in k.sec); a.before is a.alog before that run.
interrupted_seal() {
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-append -f a.alog x=1
	cp a.alog a.before
	fi_run fdatasync:1:eio alog-seal -f a.alog -s k.sec
	[ "$status" -eq 2 ]
}

@test "fault harness: every failed call of every tool ends in exit 0 or 2, never a damaged log" {
	[ "${ALOG_VALGRIND:-0}" = 1 ] && skip "the shim and valgrind both replace malloc"
	run harness faults.py --quick
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *", 0 failures" ]]
}

@test "regression: a failed fdatasync leaves no record behind (exit 2)" {
	needs_shim
	make_log a.alog 2
	cp a.alog before
	fi_run fdatasync:1:eio alog-append -f a.alog actor=alice
	[ "$status" -eq 2 ]
	[ "$output" = "alog-append: a.alog: fdatasync failed (nothing appended): Input/output error" ]
	cmp a.alog before
	alog-append -f a.alog actor=alice
	alog-verify -q a.alog
}

@test "a stream's batch that fails to write or sync while the next is made: exactly the acknowledged records stay" {
	needs_shim
	# 14 MB: at least four batches, however long each fdatasync takes (a
	# batch grows while the one before it is still being synced, up to 4 MB)
	gen-events 40000 >ev.ndjson
	local spec
	# the first batch synced and acknowledged, the second's write or sync fails
	# in the second thread while the third is being made
	for spec in fdatasync:2:eio fdatasync:2:enospc fdatasync:3:eio; do
		rm -f a.alog
		FAULTINJ=$spec LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
			alog-append -f a.alog --ack <ev.ndjson >acks 2>err && false
		grep -q 'fdatasync failed (nothing appended)' err
		# every acknowledged seq is in the log, and the log holds nothing else
		[ -s acks ]
		[ "$(tail -n 1 acks)" = "$(tail -n 1 a.alog | jq .seq)" ]
		[ "$(wc -l <acks)" -eq $(($(wc -l <a.alog) - 1)) ]
		alog-verify -q a.alog
		alog-append -f a.alog actor=after
		alog-verify -q a.alog
	done
}

@test "a batch's fdatasync fails after the batch behind it is written: neither is kept, a retry appends them once" {
	needs_shim
	# 14 MB of events numbered 1..40000: several batches
	seq 1 40000 | awk '{ printf "{\"n\":%d,\"pad\":\"%0320d\"}\n", $1, 0 }' >ev.ndjson
	# the second batch's fdatasync fails half a second late: meanwhile the
	# third batch is hashed and written behind it
	FAULTINJ=fdatasync:2:eio FAULTINJ_DELAY_MS=500 FAULTINJ_LOG=$PWD/fired \
		LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-append -f a.alog --ack <ev.ndjson >acks 2>err && false
	[ "$(cat err)" = "alog-append: a.alog: fdatasync failed (nothing appended): Input/output error" ]
	# the file grew while the sync was outstanding (the batch behind it),
	# and is cut back to before both: to the last acknowledged record
	read -r op n act word before after <fired
	[ "$op $n $act $word" = "fdatasync 2 eio size" ]
	[ "$after" -gt "$before" ]
	[ "$(stat -c %s a.alog)" -lt "$before" ]
	[ -s acks ]
	[ "$(tail -n 1 acks)" = "$(tail -n 1 a.alog | jq .seq)" ]
	[ "$(wc -l <acks)" -eq $(($(wc -l <a.alog) - 1)) ]
	alog-verify -q a.alog
	# the events not acknowledged, sent again, are appended once
	tail -n +$(($(wc -l <acks) + 1)) ev.ndjson | alog-append -f a.alog
	alog-verify -q a.alog
	[ "$(jq -r 'select(.n) | .n' a.alog | tr '\n' ' ')" = "$(seq 1 40000 | tr '\n' ' ')" ]
}

@test "a batch's fdatasync fails while the write of the batch behind it has not returned: it lands before the cut, a retry appends the rest once" {
	needs_shim
	local rc=0
	# 14 MB of events numbered 1..40000: at least four batches
	seq 1 40000 | awk '{ printf "{\"n\":%d,\"pad\":\"%0320d\"}\n", $1, 0 }' >ev.ndjson
	# the second batch's fdatasync fails after half a second; the third
	# batch's write() on the log, handed over meanwhile, waits 1.5 s before
	# it is made: the file must be cut back only once that write has returned
	FAULTINJ=fdatasync:2:eio FAULTINJ_DELAY_MS=500 \
		FAULTINJ2=write:3:delay FAULTINJ2_DELAY_MS=1500 FAULTINJ2_FILE=a.alog \
		FAULTINJ_LOG=$PWD/fired LD_PRELOAD=$ALOG_TESTBIN/libfaultinj.so \
		alog-append -f a.alog --ack <ev.ndjson >acks 2>err || rc=$?
	[ "$rc" -eq 2 ]
	[ "$(cat err)" = "alog-append: a.alog: fdatasync failed (nothing appended): Input/output error" ]
	cat fired
	[ "$(wc -l <fired)" -eq 2 ]
	# first the sync failed, the file not grown during its wait (the write
	# behind it not made yet); then that write returned, the file grown by
	# its batch from the size the failed sync saw
	{ read -r op1 n1 act1 w1 sb sa; read -r op2 n2 act2 w2 wb wa; } <fired
	[ "$op1 $n1 $act1 $w1" = "fdatasync 2 eio size" ]
	[ "$op2 $n2 $act2 $w2" = "write 3 delay size" ]
	[ "$sa" -eq "$sb" ]
	[ "$wb" -eq "$sb" ]
	[ "$wa" -gt "$wb" ]
	# cut back below both batches: whole lines, exactly the acknowledged records
	[ "$(stat -c %s a.alog)" -lt "$sb" ]
	[ "$(tail -c 1 a.alog | od -An -c | tr -d ' ')" = '\n' ]
	[ -s acks ]
	[ "$(tail -n 1 acks)" = "$(tail -n 1 a.alog | jq .seq)" ]
	[ "$(wc -l <acks)" -eq $(($(wc -l <a.alog) - 1)) ]
	[ "$(jq -r 'select(.n) | .n' a.alog | tr '\n' ' ')" = "$(seq 1 "$(wc -l <acks)" | tr '\n' ' ')" ]
	alog-verify -q a.alog
	# the events not acknowledged, sent again, are appended once
	tail -n +$(($(wc -l <acks) + 1)) ev.ndjson | alog-append -f a.alog
	alog-verify -q a.alog
	[ "$(jq -r 'select(.n) | .n' a.alog | tr '\n' ' ')" = "$(seq 1 40000 | tr '\n' ' ')" ]
}

@test "regression: a read error is an I/O error (exit 2), not a damaged tail (exit 1)" {
	needs_shim
	make_log a.alog 2
	cp a.alog before
	for n in 1 2 3 4 5; do
		rm -f fired
		fi_run read:$n:eio alog-append -f a.alog actor=alice
		[ -e fired ] || break
		[ "$status" -eq 2 ]
		[[ $output == *"read error: Input/output error"* ]]
		cmp a.alog before
	done
	alog-keygen -s k.sec --epochs 4 >/dev/null
	for n in 1 2 3 4 5 6 7 8 9 10; do
		rm -f fired
		fi_run read:$n:eio alog-seal -f a.alog -s k.sec
		[ -e fired ] || break
		[ "$status" -eq 2 ]
	done
}

@test "regression: keygen leaves no file behind whatever fails" {
	needs_shim
	for spec in open:3:eio fsync:2:eio close:1:eio malloc:3:null open:3:enospc; do
		fi_run $spec alog-keygen -s k.sec -p k.pub --epochs 4
		[ "$status" -eq 2 ]
		[ ! -e k.sec ]
		[ ! -e k.pub ]
	done
	alog-keygen -s k.sec -p k.pub --epochs 4
}

@test "regression: a rotation that cannot rename leaves no archive naming the live log" {
	needs_shim
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 3
	# rename #1 replaces the key file, #2 puts the new log file in place
	fi_run rename:2:eio alog-seal -f a.alog -s k.sec --rotate old.alog
	[ "$status" -eq 2 ]
	[[ $output == *"sealed, but cannot put the new file in place (not rotated)"* ]]
	[ ! -e old.alog ]
	[ ! -e a.alog.rotating ]
	alog-seal -f a.alog -s k.sec --rotate old.alog >/dev/null
	alog-append -f a.alog after=1
	alog-verify -q -p k.pub --key-state k.sec old.alog a.alog
}

@test "a real full disk: appends fail cleanly, acknowledged records stay, sealing resumes" {
	mkdir disk
	mount -t tmpfs -o size=96k tmpfs disk 2>/dev/null || skip "cannot mount a tmpfs here"
	trap 'umount "$BATS_TEST_TMPDIR/disk" 2>/dev/null' EXIT
	cd disk
	alog-keygen -s k.sec -p k.pub --epochs 16 >/dev/null
	make_log a.alog 3
	alog-seal -f a.alog -s k.sec >/dev/null
	# stream until the disk is full: the last batch fails, what was acknowledged is there
	run bash -c 'for i in $(seq 1 2000); do printf "{\"n\":%d,\"pad\":\"%0300d\"}\n" $i 0; done |
		alog-append -f a.alog --sync=each --ack >acked'
	[ "$status" -eq 2 ]
	[[ $output == *"a.alog: write failed (nothing appended): No space left on device"* ]]
	[ "$(wc -l <acked)" -gt 10 ]
	alog-verify -q -p k.pub a.alog
	for s in $(cat acked); do grep -q "^{\"seq\":$s," a.alog; done
	[ "$(tail -n1 acked)" -eq "$(tail -n1 a.alog | sed 's/^{"seq":\([0-9]*\),.*/\1/')" ]
	# sealing on a full disk fails (exit 2), leaves the log verifiable and the key usable
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 2 ]
	[[ $output == *"No space left on device"* ]]
	alog-verify -q -p k.pub --key-state k.sec a.alog
	[ ! -e a.alog.rotating ]
	# room again: sealing works (catching the key up if the seal got in) and all verifies
	mount -o remount,size=4m "$BATS_TEST_TMPDIR/disk"
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-verify -q -p k.pub --key-state k.sec --require-sealed a.alog
	cd ..
	umount disk
	trap - EXIT
}

@test "the key's directory full or read-only: no seal is appended, log and key unchanged" {
	mkdir keys
	mount -t tmpfs -o size=64k tmpfs keys 2>/dev/null || skip "cannot mount a tmpfs here"
	trap 'umount "$BATS_TEST_TMPDIR/keys" 2>/dev/null' EXIT
	alog-keygen -s keys/k.sec -p k.pub --epochs 64 >/dev/null
	make_log a.alog 3
	alog-seal -f a.alog -s keys/k.sec >/dev/null
	alog-append -f a.alog x=1
	# fill the key's file system
	dd if=/dev/zero of=keys/fill bs=1k count=64 2>/dev/null || true
	cp a.alog a.before
	cp keys/k.sec k.before
	run alog-seal -f a.alog -s keys/k.sec
	[ "$status" -eq 2 ]
	[[ $output == *"nothing sealed: cannot write the key's next state"*"No space left on device"* ]]
	cmp a.alog a.before
	cmp keys/k.sec k.before
	[ ! -e keys/k.sec.next ]
	# read-only
	rm keys/fill
	mount -o remount,ro "$BATS_TEST_TMPDIR/keys"
	run alog-seal -f a.alog -s keys/k.sec --rotate d1.alog
	[ "$status" -eq 2 ]
	cmp a.alog a.before
	cmp keys/k.sec k.before
	[ ! -e d1.alog ]
	mount -o remount,rw "$BATS_TEST_TMPDIR/keys"
	alog-seal -f a.alog -s keys/k.sec >/dev/null
	alog-verify -q -p k.pub --key-state keys/k.sec --require-sealed a.alog
	umount keys
	trap - EXIT
}

@test "regression: a failed rename of the key's successor seals nothing and keeps the key" {
	needs_shim
	alog-keygen -s k.sec -p k.pub --epochs 8 >/dev/null
	make_log a.alog 3
	cp a.alog a.before
	cp k.sec k.before
	# rename #1 puts the key's successor in place, before the seal exists
	fi_run rename:1:eio alog-seal -f a.alog -s k.sec
	[ "$status" -eq 2 ]
	[[ $output == *"nothing sealed, the key file is unchanged: cannot replace k.sec with k.sec.next"* ]]
	cmp a.alog a.before
	cmp k.sec k.before
	[ ! -e k.sec.next ]
	alog-seal -f a.alog -s k.sec >/dev/null
	[ "$(grep '^next ' k.sec)" = "next 1" ]
	alog-verify -q -p k.pub --key-state k.sec --require-sealed a.alog
	# the directory sync after the rename: the epoch is spent, so its seal is
	# not appended (the rename may not survive a crash); the next seal adds it
	alog-append -f a.alog x=1
	cp a.alog a.before
	fi_run fsync:3:eio alog-seal -f a.alog -s k.sec
	[ "$status" -eq 2 ]
	[[ $output == *"nothing sealed yet (epoch 1 is spent and its seal kept in the key file; the next alog-seal adds it): the key file k.sec was replaced, but its directory could not be synced"* ]]
	[[ $output != *"test.example/audit"* ]]
	cmp a.alog a.before
	[ "$(grep '^next ' k.sec)" = "next 2" ]
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 0 ]
	[[ $output == *"added the seal of epoch 1 (seq 1..6)"* ]]
	[ "$(jq -r 'select(.type == "seal") | .epoch' a.alog | tr '\n' ' ')" = "0 1 " ]
	alog-verify -q -p k.pub --key-state k.sec --require-sealed a.alog
}

@test "a seal that cannot be appended is added by the next seal; its seed is gone at once" {
	needs_shim
	interrupted_seal
	[[ $output == *"epoch 1 is spent but its seal could not be added to the log (it is kept in the key file; the next alog-seal adds it)"* ]]
	cmp a.alog a.before
	[ "$(grep '^next ' k.sec)" = "next 2" ]
	grep -q '^sealed ,"size":6,' k.sec
	run alog-verify -p k.pub --key-state k.sec a.alog
	[ "$status" -eq 1 ]
	[[ $output == *"the key's last seal (seq 1..6) is not in the log: an interrupted alog-seal (the next alog-seal adds it) or a seal removed from the log"* ]]
	cp a.alog grown.alog
	cp k.sec grown.sec
	# nothing appended since: the kept seal goes in as it was made
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 0 ]
	[[ $output == *"added the seal of epoch 1 (seq 1..6) that an interrupted alog-seal made but did not get into the log"* ]]
	[ "$(grep '^next ' k.sec)" = "next 2" ]
	[ "$(tail -n1 a.alog | jq -c '[.seq, .size, .epoch]')" = "[7,6,1]" ]
	alog-verify -q -p k.pub --key-state k.sec --require-sealed a.alog
	# records appended since: the next seal accounts for the spent epoch
	alog-append -f grown.alog y=1
	alog-append -f grown.alog y=2
	run alog-seal -f grown.alog -s grown.sec
	[ "$status" -eq 0 ]
	[[ $output == *"epoch 1 was spent by a seal (seq 1..6) that an interrupted alog-seal made but did not get into the log before more records came; this seal accounts for it"* ]]
	[ "$(tail -n1 grown.alog | jq -c '[.seq, .size, .epoch, .skipped.epoch, .skipped.size]')" = "[9,8,2,1,6]" ]
	run alog-verify -p k.pub --key-state grown.sec --require-sealed grown.alog
	[ "$status" -eq 0 ]
	[[ $output == *"seal (seq 9) accounts for epoch 1, spent by a seal of seq 1..6 that an interrupted alog-seal did not get into the log"* ]]
	alog-append -f grown.alog z=1
	alog-seal -f grown.alog -s grown.sec >/dev/null
	alog-verify -q -p k.pub --key-state grown.sec --require-sealed grown.alog
}

@test "two seals interrupted in a row: the second, which accounts for the first, is added later" {
	needs_shim
	interrupted_seal
	alog-append -f a.alog y=1
	# the seal that accounts for epoch 1 is interrupted the same way
	cp a.alog a.before
	fi_run fdatasync:1:eio alog-seal -f a.alog -s k.sec
	[ "$status" -eq 2 ]
	cmp a.alog a.before
	[ "$(grep '^next ' k.sec)" = "next 3" ]
	grep -q '^sealed ,"size":7,.*"skipped":{"size":6,' k.sec
	cp a.alog grown.alog
	cp k.sec grown.sec
	# the log has not grown since: that seal goes in as it was made
	run alog-seal -f a.alog -s k.sec
	[ "$status" -eq 0 ]
	[[ $output == *"added the seal of epoch 2 (seq 1..7) that an interrupted alog-seal made but did not get into the log; it accounts for epoch 1, spent by the interrupted run before it"* ]]
	[ "$(tail -n1 a.alog | jq -c '[.seq, .size, .epoch, .skipped.epoch, .skipped.size]')" = "[8,7,2,1,6]" ]
	run alog-verify -p k.pub --key-state k.sec --require-sealed a.alog
	[ "$status" -eq 0 ]
	[[ $output == *"accounts for epoch 1"* ]]
	alog-append -f a.alog z=1
	alog-seal -f a.alog -s k.sec >/dev/null
	alog-verify -q -p k.pub --key-state k.sec --require-sealed a.alog
	# records appended since: one seal cannot cite two spent epochs; the
	# refusal changes nothing and names the way out
	alog-append -f grown.alog z=1
	cp grown.alog grown.before
	cp grown.sec grown.sec.before
	run alog-seal -f grown.alog -s grown.sec
	[ "$status" -eq 1 ]
	[[ $output == *"two alog-seal runs in a row were interrupted before their seals reached the log (epochs 1 and 2 are spent"*"--rollover"* ]]
	cmp grown.alog grown.before
	cmp grown.sec grown.sec.before
}
