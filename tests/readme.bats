#!/usr/bin/env bats
# README.md runs as written: every ```sh block, in order, in one shell
# (a `cd` or `export` carries over to the next block), in a fresh
# directory, with the tools under test on PATH.  Each command must exit 0,
# or the status its trailing comment ends with ("# ... exit 1").  A block
# that must not run here (installing, the files of a real host, a command
# that runs until stopped) is preceded by a line
#     <!-- readme-test: not run: WHY -->
# Blocks in other languages (cron, ini, plain ```) are never run.  Commands
# that would change the host (systemctl, sudo, crontab, make, apt-get ...)
# are shims here that fail and say so: a block using them must be marked.

load helpers

# readme_script README: the blocks as a bash script, each command followed
# by a check of its exit status against what the README says.
readme_script() {
	awk '
		BEGIN {
			print "__check() { local st=$?; if [ \"$st\" != \"$2\" ]; then"
			print "  echo \"README.md:$1: exited $st, not $2\" >&2; exit 1; fi; }"
		}
		/^<!-- readme-test: not run/ { skip = 1; next }
		/^```sh$/ { if (!skip) inblock = 1; skip = 0; next }
		/^```/ { inblock = 0; skip = 0; next }
		!inblock { next }
		{
			if (cmd == "") { start = NR; cmd = $0 } else cmd = cmd "\n" $0
			q = cmd; nq = gsub(/\047/, "", q)
			if ($0 ~ /\\$/ || $0 ~ /\|$/ || nq % 2) next
			want = 0
			if (match($0, /#.*exit [0-9]+$/)) { w = $0; sub(/.*exit /, "", w); want = w }
			if (cmd !~ /^[ \t]*(#.*)?$/) {
				print cmd
				print "__check " start " " want
			}
			cmd = ""
		}
	' "$1"
}

@test "every sh block of README.md runs as written, in order, in a fresh directory" {
	readme_script "$BATS_TEST_DIRNAME/../README.md" >readme.sh
	# the blocks that run, and those marked not to
	[ "$(grep -c '^__check ' readme.sh)" -ge 25 ]
	mkdir tmp run shims
	for c in systemctl sudo su crontab make apt apt-get dpkg install reboot shutdown; do
		printf '#!/bin/sh\necho "README test: %s is not run here: mark its block <!-- readme-test: not run: WHY -->" >&2\nexit 97\n' \
			"$c" >shims/$c
		chmod +x shims/$c
	done
	cd run
	PATH=$BATS_TEST_TMPDIR/shims:$PATH TMPDIR=$BATS_TEST_TMPDIR/tmp run timeout 120 bash ../readme.sh
	echo "$output" | tail -n 40
	[ "$status" -eq 0 ]
	# what the comments beside the commands say they print
	[[ $output == *'alog-verify: copy.alog:3: record modified (seq 3)'* ]]
	[[ $output == *'seals      1, signatures and epoch keys verified'* ]]
	[[ $output == *'unsealed tail: 1 record after the last seal'* ]]
	[[ $output == *'OK: new.checkpoint extends old.checkpoint'* ]]
}

@test "readme_script: continuation lines, quotes spanning lines, exit comments, skipped blocks" {
	cat >R.md <<'MD'
```sh
echo one |
  cat
echo 'two
lines' \
  > f
false   # fails here: exit 1
```

<!-- readme-test: not run: never -->
```sh
exit 7
```

```cron
* * * * * exit 8
```
MD
	readme_script R.md >r.sh
	run bash r.sh
	[ "$status" -eq 0 ]
	[ "$output" = one ]
	[ "$(cat f)" = $'two\nlines' ]
	[ "$(grep -c '^__check ' r.sh)" -eq 3 ]
	grep -qx '__check 7 1' r.sh
	printf '```sh\ntrue   # exit 1\n```\n' >S.md
	readme_script S.md >s.sh
	run bash s.sh
	[ "$status" -eq 1 ]
	[ "$output" = "README.md:2: exited 0, not 1" ]
}
