#!/usr/bin/env bats
# Every tool started with standard input, output or error closed: the first
# file it opens would get that descriptor, and the tool would then read its
# log as input or write its messages into it.  Each tool opens the closed
# ones on /dev/null first (alog_std_fds), so the log stays untouched and
# verifies.

load helpers

setup_file() {
	export BATS_FIXTURE=$BATS_FILE_TMPDIR/fixture
	mkdir -p "$BATS_FIXTURE"
	(
		PATH="$ALOG_BIN:$PATH"
		cd "$BATS_FIXTURE" || exit 1
		export ALOG_ORIGIN=test.example/audit
		alog-keygen -s k.sec -p k.pub --epochs 64 >/dev/null
		printf '{"actor":"a%d","action":"db.query"}\n' 1 2 3 | alog-append -f c.alog
		alog-seal -f c.alog -s k.sec >cp
		echo '{"actions": ["db.*"]}' >p.json
	)
}

# closed FD CMD...: run CMD with descriptor FD (0, 1 or 2) closed; sets
# status, and err to what it wrote on standard error (when that is open).
closed() {
	local fd=$1
	shift
	status=0
	err=
	case $fd in
	0) "$@" <&- >out 2>err.txt || status=$? ;;
	1) "$@" >&- 2>err.txt || status=$? ;;
	2) "$@" 2>&- >out || status=$? ;;
	esac
	[ ! -e err.txt ] || err=$(cat err.txt)
	rm -f err.txt
}

# The log is exactly as it was (same bytes) and verifies with its key.
untouched() {
	cmp c.alog "$BATS_FIXTURE/c.alog"
	alog-verify -q -p k.pub --checkpoint cp c.alog
}

@test "every tool: --help and --version with 0, 1 or 2 closed exit 0" {
	for tool in "$ALOG_BIN"/alog-*; do
		tool=${tool##*/}
		for fd in 0 1 2; do
			for opt in --help --version; do
				closed $fd "$tool" $opt
				[ "$status" -eq 0 ] || { echo "$tool $opt with $fd closed: $status $err"; false; }
			done
		done
	done
}

@test "every tool: a usage error with 0, 1 or 2 closed exits 2 and writes no file" {
	for tool in "$ALOG_BIN"/alog-*; do
		tool=${tool##*/}
		for fd in 0 1 2; do
			closed $fd "$tool" --no-such-option
			[ "$status" -eq 2 ] || { echo "$tool with $fd closed: $status"; false; }
			[ $fd = 2 ] || [[ $err == "$tool: unknown option '--no-such-option'"* ]]
		done
	done
	untouched
	[ "$(ls | sort | tr '\n' ' ')" = "c.alog cp k.pub k.sec out p.json " ]
}

@test "alog-append --ack with stdout closed: the ack is not written into the log" {
	for fd in 0 1 2; do
		closed $fd alog-append -f c.alog --ack a=$fd
		[ "$status" -eq 0 ]
		[ "$(tail -n 1 c.alog | jq -c '{a}')" = "{\"a\":\"$fd\"}" ]
	done
	[ "$(wc -l <c.alog)" -eq $(($(wc -l <"$BATS_FIXTURE/c.alog") + 3)) ]
	alog-verify -q -p k.pub --checkpoint cp c.alog
}

@test "alog-append: a rejection with stderr closed is not written into the log" {
	for fd in 0 1 2; do
		closed $fd alog-append -f c.alog --policy p.json action=refund
		[ "$status" -eq 2 ]
		[ $fd = 2 ] || [ "$err" = 'alog-append: rejected by rule "actions": action "refund" is not allowed' ]
		echo '{"action":"refund"}' >ev
		closed $fd alog-append -f c.alog --policy p.json <ev
		[ "$status" -eq $((fd == 0 ? 0 : 2)) ]
		closed $fd alog-append -f c.alog bad-argument
		[ "$status" -eq 2 ]
	done
	untouched
}

@test "alog-append --text with stdin closed reads nothing, not the log" {
	closed 0 alog-append -f c.alog --text
	[ "$status" -eq 0 ]
	closed 0 alog-append -f c.alog
	[ "$status" -eq 0 ]
	closed 0 alog-append -f c.alog --ack
	[ "$status" -eq 0 ]
	untouched
	for fd in 1 2; do
		echo "line $fd" >in
		closed $fd alog-append -f c.alog --text --ack <in
		[ "$status" -eq 0 ]
		[ "$(tail -n 1 c.alog | jq -r .msg)" = "line $fd" ]
	done
	alog-verify -q -p k.pub --checkpoint cp c.alog
}

@test "alog-append --recover with 0, 1 or 2 closed" {
	for fd in 0 1 2; do
		closed $fd alog-append -f c.alog --recover
		[ "$status" -eq 0 ]
	done
	untouched
}

@test "alog-seal with 0, 1 or 2 closed: the log gets only seal records" {
	for fd in 0 2; do
		closed $fd alog-seal -f c.alog -s k.sec
		[ "$status" -eq 0 ]
		[ "$(tail -n 1 c.alog | jq -r .type)" = seal ]
		[ $fd = 1 ] || grep -q '^— ' out
	done
	closed 1 alog-seal -f c.alog -s k.sec
	[ "$(tail -n 1 c.alog | jq -r .type)" = seal ]
	[ "$(wc -l <c.alog)" -eq $(($(wc -l <"$BATS_FIXTURE/c.alog") + 3)) ]
	alog-verify -q -p k.pub --checkpoint cp --key-state k.sec c.alog
	# a refused seal (a key of another log) with stderr closed
	alog-keygen -s o.sec -p o.pub --origin other.example/x >/dev/null
	cp c.alog before
	closed 2 alog-seal -f c.alog -s o.sec
	[ "$status" -ne 0 ]
	cmp c.alog before
}

@test "alog-keygen with 0, 1 or 2 closed makes working keys" {
	for fd in 0 1 2; do
		closed $fd alog-keygen -s k$fd.sec -p k$fd.pub --epochs 4
		[ "$status" -eq 0 ]
		[[ $(cat k$fd.pub) == alog1+test.example/audit+4+* ]]
		printf '{"n":1}\n' | alog-append -f l$fd.alog
		alog-seal -f l$fd.alog -s k$fd.sec >/dev/null
		alog-verify -q -p k$fd.pub l$fd.alog
	done
}

@test "alog-verify, alog-grep, alog-export with 0, 1 or 2 closed leave the log untouched" {
	for fd in 0 1 2; do
		closed $fd alog-verify -p k.pub --checkpoint cp c.alog
		[ "$status" -eq 0 ]
		closed $fd alog-verify -a --json c.alog missing.alog
		[ "$status" -eq 2 ]
		# no file: standard input, here empty: no records, never OK
		closed $fd alog-verify </dev/null
		[ "$status" -eq 1 ]
		closed $fd alog-grep actor=a1 c.alog
		[ "$status" -eq 0 ]
		closed $fd alog-grep --verify -p k.pub actor=nobody c.alog
		[ "$status" -eq 1 ]
		closed $fd alog-grep 'actor~(' c.alog
		[ "$status" -eq 2 ]
		closed $fd alog-export -F csv c.alog
		[ "$status" -eq 0 ]
		closed $fd alog-export -F json -o e$fd.json c.alog
		[ "$status" -eq 0 ]
		[ "$(jq length e$fd.json)" -eq 3 ]
		closed $fd alog-export --checkpoint c.alog
		[ "$status" -eq 0 ]
		alog-grep actor=a2 c.alog >rec
		closed $fd alog-export --proof -p k.pub -f c.alog --tree-state t$fd.tree -o proof$fd rec
		[ "$status" -eq 0 ]
		alog-verify --proof proof$fd -p k.pub
	done
	untouched
}
