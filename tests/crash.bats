#!/usr/bin/env bats
# The crash harness (tests/harness/crash.py): kill -9 at random moments and
# at every step of appending, recovering, sealing and rotating, and power
# loss cutting the last record at every byte or filling the tail with NULs.

load helpers
load harness

@test "crash harness: kill -9 at random moments loses no acknowledged record" {
	run harness crash.py --part random --runs "$(quick 200)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"$(quick 200) crash runs"*", 0 failures" ]]
}

@test "crash harness: kill -9 before and after every step of append, recover, seal, rotate" {
	[ "${ALOG_VALGRIND:-0}" = 1 ] && skip "the LD_PRELOAD shim and valgrind both replace malloc"
	run harness crash.py --part steps
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *", 0 failures" ]]
}

@test "crash harness: power loss at every byte of the last record and NUL-filled tails" {
	# under valgrind every 16th byte: memory safety on each path, not volume
	stride=1
	[ "${ALOG_VALGRIND:-0}" = 1 ] && stride=16
	run harness crash.py --part power --stride $stride
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *", 0 failures" ]]
}

@test "a cut last record is named at its line, refused, and recovered with nothing lost" {
	make_log a.alog 4
	full=$(stat -c %s a.alog)
	head -c $((full - 30)) a.alog >cut.alog
	run alog-verify cut.alog
	[ "$status" -eq 1 ]
	[[ $output == *"cut.alog:5: damaged tail: 1 line(s) at the end are not records"*"bytes without a newline"* ]]
	run alog-append -f cut.alog actor=bob
	[ "$status" -eq 1 ]
	[[ $output == "alog-append: cut.alog:5: the last record is damaged"* ]]
	alog-append -f cut.alog --recover
	alog-verify -q cut.alog
	[ "$(head -n4 cut.alog)" = "$(head -n4 a.alog)" ]
	cat cut.alog.torn-* >torn
	[ "$(cat torn)" = "$(tail -n1 a.alog | head -c $(($(tail -n1 a.alog | wc -c) - 30)))" ]
}

@test "crash harness: kill -9 of a file follower at random moments takes every line once" {
	run harness crash.py --part follow --runs "$(quick 100)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"$(quick 100) crash runs"*", 0 failures" ]]
}

@test "crash harness: kill -9 of alog-run and its command at random moments leaves whole records" {
	run harness crash.py --part run --runs "$(quick 40)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"$(quick 40) crash runs"*", 0 failures" ]]
}
