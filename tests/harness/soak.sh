#!/bin/sh
# soak.sh - the long versions of the harnesses (make soak): concurrency
# with 64 writers x SOAK_RECORDS events (default 10,000) for at least
# SOAK_SECONDS (default 1800) in SOAK_DIR (default: next to the reports, on
# disk), 10,000 crash runs, every fault for every N, 10,000 tamper
# mutations and 10,000 valid logs.  Each harness's report goes to SOAK_OUT
# (default build/soak/) and to standard output; SOAK_ONLY=name runs one
# (concurrency, crash, faults, tamper).  Exits 1 if any harness failed.
# The concurrency soak keeps every file of its log to check it at the end
# (it reads them one record at a time): on a fast machine 30 minutes write
# some 20 GB, so a SOAK_DIR on tmpfs needs that much free memory.
set -u
cd "$(dirname "$0")/../.."
OUT=${SOAK_OUT:-build/soak}
SECS=${SOAK_SECONDS:-1800}
mkdir -p "$OUT"
status=0
step() {
	name=$1
	shift
	[ -n "${SOAK_ONLY:-}" ] && [ "$SOAK_ONLY" != "$name" ] && return 0
	echo "== $name: $*"
	start=$(date +%s)
	if "$@" >"$OUT/$name.txt" 2>&1; then r=ok; else r=FAILED; status=1; fi
	echo "$name: $r in $(( $(date +%s) - start )) s (command: $*)" >>"$OUT/$name.txt"
	tail -n 25 "$OUT/$name.txt"
}
step concurrency python3 tests/harness/concurrency.py -w 64 -r "${SOAK_RECORDS:-10000}" -t "$SECS" \
	--rotate 20 \
	--dir "${SOAK_DIR:-$OUT}"
step crash python3 tests/harness/crash.py --runs 10000 --seed "${SOAK_SEED:-7}"
step faults python3 tests/harness/faults.py
step tamper "${ALOG_TESTBIN:-build/tests}/tamper" -m 10000 -v 10000 -x -s "${SOAK_SEED:-7}" -q
exit $status
