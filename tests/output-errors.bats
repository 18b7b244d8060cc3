#!/usr/bin/env bats
# Standard output that cannot be written: a full disk, a closed pipe.  A
# tool that only reads stops quietly with status 2 on a closed pipe (the
# reader went away: nothing to tell) and names any other write error; a
# tool that changed something says what it did: alog-keygen removes the
# key it could not print, alog-append --ack says which records are in the
# log.

load helpers

# full: a character device like /dev/full, in the test's own directory.
full_device() {
	mknod full c 1 7 2>/dev/null || skip "cannot mknod a /dev/full-like device here"
}

# closed_pipe CMD...: run CMD with standard output a pipe nobody reads (its
# read end closed before CMD starts); sets status and output (stderr).
closed_pipe() {
	run python3 -c '
import os, subprocess, sys
r, w = os.pipe()
os.close(r)
sys.exit(subprocess.run(sys.argv[1:], stdout=w).returncode)' "$@"
}

@test "alog-keygen: a public key it cannot print is no key: both files removed" {
	full_device
	run alog-keygen -s z.key -p z.pub
	[ "$status" -eq 0 ]
	rm z.key z.pub
	run bash -c 'alog-keygen -s z.key -p z.pub --epochs 4 >full'
	[ "$status" -eq 2 ]
	[ "$output" = "alog-keygen: cannot print the public key: No space left on device; no key was made" ]
	[ ! -e z.key ] && [ ! -e z.pub ]
	run bash -c 'alog-keygen --reader -s r.key -p r.pub >full'
	[ "$status" -eq 2 ]
	[ "$output" = "alog-keygen: cannot print the public key: No space left on device; no key was made" ]
	[ ! -e r.key ] && [ ! -e r.pub ]
	closed_pipe alog-keygen -s z.key -p z.pub --epochs 4
	[ "$status" -eq 2 ]
	[ "$output" = "alog-keygen: cannot print the public key: Broken pipe; no key was made" ]
	[ ! -e z.key ] && [ ! -e z.pub ]
	# without -p, the secret key alone is removed
	closed_pipe alog-keygen -s z.key --epochs 4
	[ "$status" -eq 2 ]
	[ ! -e z.key ]
	# a rerun makes the key (no "already exists")
	alog-keygen -s z.key -p z.pub --epochs 4 >/dev/null
	[ -s z.key ] && [ -s z.pub ]
}

@test "alog-keygen: a key file that was there before is never removed" {
	full_device
	echo mine >z.key
	run bash -c 'alog-keygen -s z.key -p z.pub >full'
	[ "$status" -eq 2 ]
	[ "$output" = "alog-keygen: z.key already exists: refusing to overwrite a key" ]
	[ "$(cat z.key)" = mine ] && [ ! -e z.pub ]
}

@test "alog-append --ack: acks it cannot write name the records appended" {
	full_device
	run bash -c 'alog-append -f a.alog --ack n=1 >full'
	[ "$status" -eq 2 ]
	[ "$output" = "alog-append: cannot write the acknowledgement: No space left on device; the event is appended (seq 2)" ]
	closed_pipe alog-append -f a.alog --ack n=2
	[ "$status" -eq 2 ]
	[ "$output" = "alog-append: cannot write the acknowledgement: Broken pipe; the event is appended (seq 3)" ]
	printf '{"n":3}\n{"n":4}\n' >in
	run bash -c 'alog-append -f a.alog --ack <in >full'
	[ "$status" -eq 2 ]
	[ "$output" = "alog-append: cannot write the acknowledgements: No space left on device; stopped after <stdin> line 2: this run appended seq 4..5, nothing after it" ]
	[ "$(wc -l <a.alog)" -eq 5 ]
	alog-verify -q a.alog
}

@test "alog-append --ack | head -1: the reader goes away mid-stream" {
	# one event, its ack read, the reader gone, then the next event
	run python3 -c '
import subprocess, sys, time
p = subprocess.Popen(["alog-append", "-f", "a.alog", "--ack"], stdin=subprocess.PIPE,
                     stdout=subprocess.PIPE, stderr=subprocess.PIPE)
p.stdin.write(b"{\"n\":1}\n"); p.stdin.flush()
print(p.stdout.readline().decode().strip())
p.stdout.close()
p.stdin.write(b"{\"n\":2}\n"); p.stdin.flush()
err = p.stderr.read().decode()
try:
    p.stdin.write(b"{\"n\":3}\n"); p.stdin.close()
except BrokenPipeError:
    pass
print(p.wait())
sys.stdout.write(err)'
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" = 2 ]
	[ "${lines[2]}" = "alog-append: cannot write the acknowledgements: Broken pipe; stopped after <stdin> line 2: this run appended seq 2..3, nothing after it" ]
	[ "$(wc -l <a.alog)" -eq 3 ]
	alog-verify -q a.alog
}

@test "tools that only read: a closed pipe is quiet (status 2), a full disk is named" {
	full_device
	seq 1 3000 | sed 's/.*/{"n":&,"actor":"a"}/' | alog-append -f a.alog
	for cmd in "alog-grep actor=a a.alog" "alog-grep --pretty actor=a a.alog" \
	           "alog-export a.alog" "alog-export -F csv a.alog"; do
		# shellcheck disable=SC2086
		closed_pipe $cmd
		[ "$status" -eq 2 ] || { echo "$cmd: $status"; false; }
		[ "$output" = "" ] || { echo "$cmd: $output"; false; }
		run bash -c "$cmd >full"
		[ "$status" -eq 2 ]
		[[ $output == *"No space left on device"* ]]
	done
}
