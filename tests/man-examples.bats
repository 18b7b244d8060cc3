#!/usr/bin/env bats
# The EXAMPLES of every man page, run as written: each "$ " command (with
# its continuation lines) must exit 0, or the status its "# exit N"
# comment gives.

load helpers


# A key, a sealed and rotated log, a checkpoint, and plain logs.
sealed_fixtures() {
	alog-keygen -s seal.key -p seal.pub --epochs 64 >/dev/null
	make_log today.alog 3
	alog-seal -f today.alog -s seal.key >checkpoint.txt
	alog-append -f today.alog actor=a action=b
	alog-seal -f today.alog -s seal.key --rotate audit-2026-11-27.alog >/dev/null
	alog-append -f today.alog actor=c action=d
	cp audit-2026-11-27.alog sealed.alog
}

@test "alog-append(1) examples run as documented" {
	printf '%s\n' '{"user":"alice","event":"login","db":"payments"}' \
		'{"user":"bob","event":"db.query","db":"ledger"}' >app.json
	printf 'sudo systemctl restart pgbouncer\npsql -c "select 1"\n' >commands.txt
	printf '%s\n' 'Dec  2 10:48:00 db1 sshd[900]: Failed password for bob from 198.51.100.9 port 4022 ssh2' >auth.log
	make_log torn.alog 2
	printf '{"seq":4,"ts":"2026' >>torn.alog
	run_examples "$(man_dir)/alog-append.1"
	alog-verify audit.alog
	alog-verify torn.alog
}

@test "alog-verify(1) examples run as documented" {
	make_log audit.alog 5
	cp audit.alog damaged.alog
	sed -i '3s/user/USER/' damaged.alog
	sealed_fixtures
	run_examples "$(man_dir)/alog-verify.1"
}

@test "alog-keygen(1) examples run as documented" {
	alog-append -f audit.alog --origin db-1.example.com/audit x=1
	run_examples "$(man_dir)/alog-keygen.1"
	[ -f seal.key ] && [ -f seal.pub ] && [ -f minutes.key ]
	alog-verify -q -p seal.pub --key-state new.key audit.alog
}

@test "alog-seal(1) examples run as documented" {
	alog-keygen -s seal.key -p seal.pub --epochs 64 >/dev/null
	make_log audit.alog 3
	run_examples "$(man_dir)/alog-seal.1"
	alog-verify -p seal.pub audit-*.alog audit.alog
}

@test "alog(5) worked example checks with printf, sed and sha256sum" {
	sed -n '/^\.Sh WORKED EXAMPLE/,/^\.Sh KEYS/p' "$(man_dir)/alog.5" |
		sed -n '/^\.Bd -literal$/,/^\.Ed$/p' | sed '1d;$d' >audit.alog
	[ "$(wc -l <audit.alog)" = 2 ]
	alog-verify audit.alog
	export LC_ALL=C
	line=$(sed -n 2p audit.alog)
	body="${line:0:${#line}-75}}"
	d=$(printf '%s' "$body" | sha256sum | cut -c1-64)
	grep -q "^d36aa2f09f36ae473d6baf8fc5eb3209371ed33f027e4e6468d1f27ebfcf953d$" \
		"$(man_dir)/alog.5"
	[ "$d" = d36aa2f09f36ae473d6baf8fc5eb3209371ed33f027e4e6468d1f27ebfcf953d ]
	prev=$(sed -n 1p audit.alog | sed 's/.*"hash":"\([0-9a-f]*\)"}$/\1/')
	h=$(printf '%s%s' "$prev" "$d" | xxd -r -p | sha256sum | cut -c1-64)
	[ "$h" = a0a43354375f7a1ac802b841e75816c9c8282726d178e9c4cda1c754616ab852 ]
	run alog-verify --json audit.alog
	[[ $output == *'"root": "7W4RrgtJ9CpgYOAQyLL17m/RsFCf4CmZZM6Z/MjWLLI="'* ]]
}
