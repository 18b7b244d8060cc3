#!/bin/sh
# coverage.sh - after the suite ran on a COV=1 build (make coverage), print
# the line coverage of every file in common/ and in total, and the branch
# coverage of the verifier's decision code (the functions in verify.c that
# decide what a problem is and where), with the targets the project holds
# itself to: 90% of the lines of common/, 100% of those branches.
#
#   sh tests/coverage.sh BUILD_DIR
set -eu
B=${1:-build-cov}
out=$B/coverage
rm -rf "$out"
mkdir -p "$out"
# objects name their sources as common/LAYER/x.c: make that resolve from here
ln -s "$(pwd)/common" "$out/common"
srcs=$(find common -name '*.c' | sort)
cd "$out"
for src in $srcs; do
	gcov -b -f -o "../$(dirname "$src")" "../../$src" >"$(basename "$src").gcov.txt" 2>/dev/null || true
done
cd - >/dev/null

# Lines per file: the "File 'common/LAYER/x.c'" block of each gcov summary.
awk '
	/^File .*common\/([a-z0-9_]+\/)*[a-z0-9_]+\.c'"'"'$/ { f = $2; gsub(/'"'"'/, "", f); sub(/.*common\//, "", f); want = 1; next }
	want && /^Lines executed:/ {
		split($2, a, ":"); pct = a[2]; sub(/%/, "", pct); n = $4
		hit = pct * n / 100; H += hit; N += n
		printf "  %-22s %6.1f%% of %5d lines\n", f, pct, n
		want = 0
	}
	END { printf "common/ total %6.1f%% of %d lines (target 90%%)\n", 100 * H / N, N
	      if (100 * H / N < 90) exit 3 }
' "$out"/*.gcov.txt && lines_ok=1 || lines_ok=0

# Branches of the verifier decision functions, from the annotated verify.c.gcov
# ("function NAME called ..." starts a function; "branch N taken K" lines).
# Eight of them are defensive checks no input reaches (tests/RELIABILITY.md
# lists them); every other one is taken by some test.
DECIDE="settle_alone settle_with inserted_before file_start on_record check_seal check_origin
check_checkpoint finish_seals report_gap check_time flush_bad"
awk -v decide="$DECIDE" '
	BEGIN { n = split(decide, d, /[ \n]+/); for (i = 1; i <= n; i++) want[d[i]] = 1 }
	/^function / { fn = $2; infn = (fn in want); if (infn) order[++k] = fn; next }
	infn && /^branch / {
		tot[fn]++
		if ($3 == "taken" && $4 + 0 > 0) hit[fn]++
	}
	END {
		for (i = 1; i <= k; i++) {
			f = order[i]; T += hit[f]; N += tot[f]
			printf "  %-18s %4d of %4d branches taken%s\n", f, hit[f], tot[f],
			       hit[f] < tot[f] ? "" : " (all)"
		}
		printf "verifier decisions %6.1f%% of %d branches taken (target 100%%)\n",
		       N ? 100 * T / N : 0, N
	}
' "$out/verify.c.gcov"
[ "$lines_ok" = 1 ]
