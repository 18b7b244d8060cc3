# helpers.bash - shared set-up for the bats suites.  Every test runs in its
# own empty directory with the tools under test first on PATH.

ALOG_BIN=${ALOG_BIN:-$BATS_TEST_DIRNAME/../build/bin}
ALOG_TESTBIN=${ALOG_TESTBIN:-$BATS_TEST_DIRNAME/../build/tests}

# Under ALOG_VALGRIND=1 every tool runs in valgrind memcheck; an error or
# leak makes the tool exit 99, which fails the test that ran it.
MEMCHECK="valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite,indirect"
_alog_path() {
	if [ "${ALOG_VALGRIND:-0}" = 1 ]; then
		local wrap=$BATS_RUN_TMPDIR/vgbin
		if [ ! -d "$wrap" ]; then
			mkdir -p "$wrap"
			for t in "$ALOG_BIN"/alog-*; do
				printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$MEMCHECK" "$t" >"$wrap/${t##*/}"
				chmod +x "$wrap/${t##*/}"
			done
		fi
		echo "$wrap"
	else
		echo "$ALOG_BIN"
	fi
}

# memcheck CMD...: run a test helper that links the library in memcheck
# under ALOG_VALGRIND=1 (the tools are wrapped already), plainly otherwise.
memcheck() {
	if [ "${ALOG_VALGRIND:-0}" = 1 ]; then
		# shellcheck disable=SC2086
		$MEMCHECK "$@"
	else
		"$@"
	fi
}

# tool_errors FILE: what a tool wrote to FILE (its standard error), without
# memcheck's own lines: a tool killed by a signal under ALOG_VALGRIND=1 has
# the stacks of its live threads reported as "possibly lost", no error of its.
tool_errors() {
	grep -v '^==[0-9]*==' "$1" || true
}

setup() {
	PATH="$(_alog_path):$ALOG_TESTBIN:$PATH"
	export PATH
	export ALOG_ORIGIN=test.example/audit
	# readable times are local: the same zone on every machine
	export TZ=UTC
	unset ALOG_FILE ALOG_POLICY
	cd "$BATS_TEST_TMPDIR" || exit 1
	# a suite whose setup_file made shared fixtures: each test works on copies
	if [ -n "${BATS_FIXTURE:-}" ]; then cp -p "$BATS_FIXTURE"/* .; fi
}

# ---- man page EXAMPLES, run as written ----
# Each "$ " command in a page's EXAMPLES (with continuation lines) must exit
# 0, or the status its trailing "# exit N" comment gives.  A tool's own bats
# file sets up fixtures, then calls: run_examples "$(man_dir)/alog-X.1"
# Print the example commands of a man page, one per line, continuations joined.
examples() {
	awk '
		/^\.Sh / { inex = ($2 == "EXAMPLES") }
		inex && /^\.Bd -literal/ { inbd = 1; next }
		inex && /^\.Ed/ { inbd = 0; next }
		inex && inbd {
			line = $0
			gsub(/\\e/, "\\", line)
			if (cont != "") { cmd = cmd "\n" line }
			else if (line ~ /^\$ /) { cmd = substr(line, 3) }
			else next
			if (line ~ /\\$/ || line ~ /\|$/) { cont = 1; next }
			cont = ""
			print cmd
			print "\036"
		}
	' "$1"
}

# Run every example of a page in the current directory.
run_examples() {
	local page=$1 cmd want status n=0 exit_re='# exit ([0-9]+)$'
	while IFS= read -r -d $'\036' cmd; do
		cmd=${cmd#$'\n'}
		cmd=${cmd%$'\n'}
		[ -n "$cmd" ] || continue
		want=0
		if [[ $cmd =~ $exit_re ]]; then
			want=${BASH_REMATCH[1]}
		fi
		set +e
		bash -c "$cmd" >"out.$n" 2>&1
		status=$?
		set -e
		if [ "$status" != "$want" ]; then
			echo "example from $page exited $status, not $want:"
			echo "$cmd"
			cat "out.$n"
			return 1
		fi
		n=$((n + 1))
	done < <(examples "$page")
	[ "$n" -gt 0 ] || { echo "$page: no examples found"; return 1; }
}

man_dir() { echo "$BATS_TEST_DIRNAME/../man"; }

# Print line N of a file.
line() { sed -n "${2}p" "$1"; }

# needs_shim: skip the test where the fault shim (tests/tools/faultinj.c,
# LD_PRELOAD) cannot be used.  It must come before any other preloaded
# library or allocator: not under the sanitizers (their runtime is loaded
# first) or valgrind.
needs_shim() {
	if [ "${ALOG_SAN:-}" = 1 ] || [ "${ALOG_VALGRIND:-0}" = 1 ]; then
		skip "the shim cannot be preloaded under a sanitizer or valgrind here"
	fi
}

# A log of N events (plus its header) at the given path.
make_log() {
	local path=$1 n=$2 i
	for ((i = 1; i <= n; i++)); do
		printf '{"actor":"user%d","action":"act.%d","n":%d}\n' $((i % 7)) $((i % 3)) "$i"
	done | alog-append -f "$path"
}

# Recompute the chain of a log after an edit, as an attacker with the file
# (but no keys) would: seq is renumbered from the first line's and every
# record's hash becomes valid again.
rehash_log() {
	python3 - "$1" <<'PY'
import hashlib, re, sys
path = sys.argv[1]
lines = open(path, 'rb').read().split(b'\n')[:-1]
h = bytes(32)
out = []
first = int(re.match(rb'\{"seq":(\d+),', lines[0]).group(1)) if lines else 1
for i, l in enumerate(lines):
    l = re.sub(rb'^\{"seq":\d+,', b'{"seq":%d,' % (first + i), l)
    if i == 0 and b'"prev":"' in l:
        j = l.index(b'"prev":"') + 8
        h = bytes.fromhex(l[j:j+64].decode())
    d = hashlib.sha256(l[:-75] + b'}').digest()
    h = hashlib.sha256(h + d).digest()
    out.append(l[:-66] + h.hex().encode() + b'"}')
open(path, 'wb').write(b'\n'.join(out) + b'\n')
PY
}

# Change the first hex digit of a member's value on one line to another one.
flip_hex() {
	local file=$1 n=$2 member=$3 c
	c=$(sed -n "${n}p" "$file" | sed "s/.*\"$member\":\"\\(.\\).*/\\1/")
	sed -i "${n}s/\"$member\":\"$c/\"$member\":\"$([ "$c" = 0 ] && echo 1 || echo 0)/" "$file"
}
