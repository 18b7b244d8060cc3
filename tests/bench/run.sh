#!/bin/bash
# run.sh - the benchmark harness behind `make bench`.  Generates a corpus,
# runs every tests/bench/*.bench.sh, prints each figure as a ratio against a
# peer measured in the same run, and (for a full run) writes the table into
# README.md between the bench markers.
#
#   make bench                      1,000,000 events, 5 rounds
#   BENCH_N=100000 make bench       a quick run (README left alone)
#   BENCH_ONLY=grep make bench      only tests/bench/grep.bench.sh
#   BENCH_BIG=1 make bench          also the 10 GB rows of scale.bench.sh
#                                   (always in a full run)
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${ALOG_BIN:=$top/build/bin}" "${ALOG_TESTBIN:=$top/build/tests}"
: "${BENCH_N:=1000000}" "${BENCH_DIR:=$top/tests/bench/out}"
export ALOG_BIN ALOG_TESTBIN BENCH_N BENCH_DIR
export PATH="$ALOG_BIN:$ALOG_TESTBIN:$PATH"
export ALOG_ORIGIN=bench.example/audit
unset ALOG_FILE ALOG_POLICY

# The peers and the harness's own tools: a missing one stops the run before
# anything is measured (tests/deps.sh installs them; see tests/packages).
missing=""
for need in jq:jq openssl:openssl rg:ripgrep flock:util-linux bc:bc python3:python3 \
	/usr/bin/time:time; do
	command -v "${need%%:*}" >/dev/null || missing="$missing ${need%%:*} (package ${need#*:}),"
done
if [ -n "$missing" ]; then
	echo "bench: missing peers or tools:${missing%,}; run tests/deps.sh as root" >&2
	exit 2
fi

mkdir -p "$BENCH_DIR"
cd "$BENCH_DIR"
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
BENCH_TABLE=$BENCH_DIR/table.md
export BENCH_TABLE

EVENTS=$BENCH_DIR/events-$BENCH_N.ndjson
LOG=$BENCH_DIR/log-$BENCH_N.alog
SEALED=$BENCH_DIR/sealed-$BENCH_N.alog
KEY=$BENCH_DIR/bench-$BENCH_N.key
PUB=$BENCH_DIR/bench-$BENCH_N.pub
export EVENTS LOG SEALED KEY PUB

if [ ! -s "$EVENTS" ]; then
	echo "bench: generating $BENCH_N events"
	gen-events "$BENCH_N" >"$EVENTS.tmp" && mv "$EVENTS.tmp" "$EVENTS"
fi
if [ ! -s "$LOG" ]; then
	rm -f "$LOG"
	alog-append -f "$LOG" --sync=none <"$EVENTS"
fi
if [ ! -s "$SEALED" ]; then
	rm -f "$SEALED" "$KEY" "$PUB"
	alog-keygen -s "$KEY" -p "$PUB" --epochs 1024 >/dev/null
	split -l 10000 -d -a 4 "$EVENTS" "$BENCH_DIR/chunk."
	for c in "$BENCH_DIR"/chunk.*; do
		alog-append -f "$SEALED" --sync=none <"$c"
		alog-seal -f "$SEALED" -s "$KEY" >/dev/null
	done
	rm -f "$BENCH_DIR"/chunk.*
fi

# CPU time taken by the hypervisor (steal): on a shared virtual machine
# it is the noise every ratio below carries (cpu_ticks: lib.sh).
read -r ticks0 steal0 < <(cpu_ticks)
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
{
	echo "Measured by \`make bench\` on $(date -u +%F): $BENCH_N events of ~$(($(stat -c %s "$EVENTS") / BENCH_N)) bytes, $(nproc) CPUs ($cpu), SHA-256 $(sha256-impl 2>/dev/null || echo unknown), $BENCH_ROUNDS interleaved rounds ($BENCH_EXPORT_ROUNDS for the export rows against jq)."
	echo
	echo "| measurement | ours / peer (min / median / max) | target | ours (median) | peer (median) | | steal |"
	echo "|---|---|---|---|---|---|---|"
} >"$BENCH_TABLE"

for script in "$here"/*.bench.sh; do
	name=$(basename "$script" .bench.sh)
	if [ -n "${BENCH_ONLY:-}" ] && [ "$name" != "$BENCH_ONLY" ]; then
		continue
	fi
	echo "== $name ($(date -u +%T))"
	started=$SECONDS
	# shellcheck disable=SC1090
	. "$script"
	echo "== $name took $((SECONDS - started)) s"
done

read -r ticks1 steal1 < <(cpu_ticks)
{
	echo
	echo "CPU time taken by the hypervisor during the run (steal, from /proc/stat):" \
		"$(steal_pct "$ticks0" "$steal0" "$ticks1" "$steal1")%; the steal column is the" \
		"same over each comparison's rounds."
} >>"$BENCH_TABLE"
echo
cat "$BENCH_TABLE"
if [ "$BENCH_N" = 1000000 ] && [ -z "${BENCH_ONLY:-}" ]; then
	readme=$top/README.md
	awk -v table="$BENCH_TABLE" '
		/<!-- bench:begin -->/ { print; while ((getline l < table) > 0) print l; skip = 1; next }
		/<!-- bench:end -->/ { skip = 0 }
		!skip { print }
	' "$readme" >"$readme.tmp" && mv "$readme.tmp" "$readme"
	echo "bench: table written into README.md"
fi
