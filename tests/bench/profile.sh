#!/bin/bash
# profile.sh - where each tool spends its time: perf record -g of every path
# the benchmark measures, on the benchmark's corpus, and the top entries of
# perf report --no-children (self time, by symbol) for each.
#
#   tests/bench/profile.sh [NAME ...]    all paths, or those named
#
# Writes tests/bench/out/profile/NAME.txt (the command and its top entries)
# and prints them.  Needs the corpus of a make bench run of the same
# BENCH_N (default 1000000; `BENCH_ONLY=none make bench` makes only the
# corpus) and perf (package linux-perf); the tools are run from build/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
: "${ALOG_BIN:=$top/build/bin}" "${BENCH_N:=1000000}" "${BENCH_DIR:=$top/tests/bench/out}"
: "${PROFILE_TOP:=8}"
export PATH="$ALOG_BIN:$PATH" ALOG_ORIGIN=bench.example/audit
unset ALOG_FILE ALOG_POLICY
command -v perf >/dev/null || { echo "profile: perf is needed (package linux-perf)" >&2; exit 2; }

EVENTS=$BENCH_DIR/events-$BENCH_N.ndjson
LOG=$BENCH_DIR/log-$BENCH_N.alog
SEALED=$BENCH_DIR/sealed-$BENCH_N.alog
PUB=$BENCH_DIR/bench-$BENCH_N.pub
for f in "$EVENTS" "$LOG" "$SEALED" "$PUB"; do
	[ -s "$f" ] || { echo "profile: $f is missing: run make bench with BENCH_N=$BENCH_N first" >&2; exit 2; }
done
# shellcheck source=tests/bench/lib.sh
. "$here/lib.sh"
out=$BENCH_DIR/profile
mkdir -p "$out"
scratch=$(mktemp -d "$BENCH_DIR/profile.XXXXXX")
trap 'rm -rf "$scratch"' EXIT

# NAME COMMAND: record COMMAND (a shell command line, which must succeed:
# alog-grep's "nothing selected", status 1, is allowed for) and keep the entries
# of the alog tools' processes, their percentages of those processes' time.
profile() {
	local name=$1 cmd=$2
	if [ -n "$only" ] && ! grep -qx -- "$name" <<<"$only"; then
		return
	fi
	echo "== $name: $cmd"
	rm -f "$scratch"/*.alog
	(cd "$scratch" && perf record -q -g -o "$scratch/perf.data" -- bash -c "$cmd" \
		>/dev/null 2>"$scratch/perf.err" </dev/null) || {
		cat "$scratch/perf.err" >&2
		echo "profile: $name FAILED" >&2
		failed="$failed $name"
		return 0
	}
	perf report -i "$scratch/perf.data" --no-children --stdio --sort symbol -g none \
		--comms "$(IFS=,; echo "${tools[*]}")" --percentage relative \
		>"$scratch/report" 2>/dev/null || true
	{
		echo "\$ $cmd"
		grep -v '^#' "$scratch/report" | grep . | sed -E 's/[[:space:]]+-[[:space:]]+-[[:space:]]*$//' |
			sed -n "1,${PROFILE_TOP}p"
	} >"$out/$name.txt"
	cat "$out/$name.txt"
}
failed=""
tools=(alog-verify alog-grep alog-append alog-export alog-seal)
only=$(printf '%s\n' "$@")

big=$scratch/keep/append-big.alog
mkdir -p "$scratch/keep"
profile verify-jobs1 "alog-verify -q --jobs 1 $LOG"
profile verify-jobs2 "alog-verify -q --jobs 2 $LOG"
profile verify-p "alog-verify -q -p $PUB $SEALED"
profile grep-verify-p "alog-grep --verify -p $PUB 'actor=alice target=payments' $SEALED > grep.out"
profile ingest "alog-append -f ingest.alog < $EVENTS"
profile ingest-policy "alog-append -f ingest.alog --policy $here/all-detectors.json < $EVENTS"
i=0
while IFS=$'\t' read -r name query _; do
	i=$((i + 1))
	echo "grep-$i: $name"
	profile "grep-$i" "alog-grep '$query' $LOG > grep.out || [ \$? = 1 ]"
done < <(bench_grep_shapes)
# --follow of PostgreSQL jsonlog lines, and the same lines from stdin, with
# follow.bench.sh's corpus and policy (made by BENCH_ONLY=follow make bench)
pg=$BENCH_DIR/follow/pg-$BENCH_N.json
if [ -s "$pg" ]; then
	pol=$BENCH_DIR/follow/policy.json
	profile follow-pg "alog-append -f follow.alog --policy $pol --source postgres-jsonlog --follow $pg --once"
	profile follow-pg-stdin "alog-append -f follow.alog --policy $pol < $pg"
elif [ -z "$only" ] || grep -q '^follow-pg' <<<"$only"; then
	echo "profile: $pg is missing: run BENCH_ONLY=follow make bench first" >&2
	failed="$failed follow-pg"
fi
profile export-ecs "alog-export -F ecs $LOG > export.out"
profile export-ocsf "alog-export -F ocsf $LOG > export.out"
# One event at a time, 200 times, on a log of $BENCH_N records: perf samples
# the CPU, so the wait for fdatasync does not show.
if [ -z "$only" ] || grep -qx append-one <<<"$only"; then
	head -n $((BENCH_N + 1)) "$LOG" >"$big"
	sync
fi
profile append-one "for i in \$(seq 200); do alog-append -f $big actor=bench action=profile; done"
# ... and on a log of one record: what starting and syncing cost.
small=$scratch/keep/append-1.alog
profile append-one-small "alog-append -f $small actor=bench action=first &&
	for i in \$(seq 200); do alog-append -f $small actor=bench action=profile; done"
[ -z "$failed" ] || { echo "profile: failed:$failed" >&2; exit 1; }
