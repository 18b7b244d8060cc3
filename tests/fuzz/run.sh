#!/usr/bin/env bash
# run.sh - build and run the libFuzzer targets (tests/fuzz/fuzz_*.c) under
# ASan+UBSan with clang.
#
#   run.sh check              replay each seed corpus, then fuzz FUZZ_SECONDS
#                             (default 3) per target: part of `make check`
#   run.sh campaign [NAME..]  fuzz each target FUZZ_SECONDS (default 1800; twice
#                             that for fuzz_verify) at nice 19, FUZZ_JOBS at a
#                             time, and write figures to build-fuzz/stats/
#
# Seeds live in tests/fuzz/corpus/NAME/; a campaign's corpus grows in
# build-fuzz/corpus/NAME/.  Without clang and libFuzzer it says so and exits 0.
set -eu
cd "$(dirname "$0")/../.."
mode=${1:-check}
[ $# -gt 0 ] && shift
OUT=${FUZZ_BUILD:-build-fuzz}
FUZZ_CC=${FUZZ_CC:-clang}

if ! command -v "$FUZZ_CC" >/dev/null 2>&1 ||
   ! printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n){return 0;}\n' |
     "$FUZZ_CC" -x c -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null; then
	echo "fuzz: $FUZZ_CC with libFuzzer not available; skipping"
	exit 0
fi
make -s FUZZ_BUILD="$OUT" fuzz-build >/dev/null

targets=${*:-$(ls tests/fuzz/fuzz_*.c | sed 's,.*/,,; s,\.c$,,')}
mkdir -p "$OUT/corpus" "$OUT/stats" "$OUT/artifacts"

if [ "$mode" = check ]; then
	secs=${FUZZ_SECONDS:-3}
	for t in $targets; do
		seeds=tests/fuzz/corpus/${t#fuzz_}
		mkdir -p "$OUT/corpus/$t"
		dirs="$OUT/corpus/$t"
		[ -d "$seeds" ] && dirs="$dirs $seeds"
		dict=
		[ -f "tests/fuzz/${t#fuzz_}.dict" ] && dict=-dict=tests/fuzz/${t#fuzz_}.dict
		# shellcheck disable=SC2086
		if ! "$OUT/$t" -runs=0 $dict $dirs >"$OUT/stats/$t.replay" 2>&1; then
			cat "$OUT/stats/$t.replay"; echo "fuzz: $t: corpus replay failed"; exit 1
		fi
		# shellcheck disable=SC2086
		if ! "$OUT/$t" $dict -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
			-artifact_prefix="$OUT/artifacts/$t-" $dirs >"$OUT/stats/$t.quick" 2>&1; then
			tail -40 "$OUT/stats/$t.quick"; echo "fuzz: $t: failed"; exit 1
		fi
		echo "fuzz: $t: replayed $(ls $dirs | wc -l) inputs," \
			"$(sed -n 's/.*stat::number_of_executed_units: *//p' "$OUT/stats/$t.quick") runs in ${secs}s"
	done
	exit 0
fi

# campaign
jobs=${FUZZ_JOBS:-2}
run_one() {
	t=$1
	secs=${FUZZ_SECONDS:-1800}
	[ "$t" = fuzz_verify ] && secs=$((secs * 2))
	seeds=tests/fuzz/corpus/${t#fuzz_}
	mkdir -p "$OUT/corpus/$t"
	dirs="$OUT/corpus/$t"
	[ -d "$seeds" ] && dirs="$dirs $seeds"
	dict=
	[ -f "tests/fuzz/${t#fuzz_}.dict" ] && dict=-dict=tests/fuzz/${t#fuzz_}.dict
	start=$(date +%s)
	# shellcheck disable=SC2086
	/usr/bin/time -f '%U %S' -o "$OUT/stats/$t.time" nice -n 19 "$OUT/$t" $dict \
		-max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$OUT/artifacts/$t-" $dirs >"$OUT/stats/$t.log" 2>&1
	status=$?
	cpu=$(tail -1 "$OUT/stats/$t.time" | awk '{printf "%.1f", ($1 + $2) / 60}')
	execs=$(sed -n 's/.*stat::number_of_executed_units: *//p' "$OUT/stats/$t.log")
	crashes=$(ls "$OUT/artifacts" | grep -c "^$t-" || true)
	printf '%s wall_s=%s cpu_min=%s execs=%s corpus=%s exit=%s artifacts=%s\n' "$t" \
		$(( $(date +%s) - start )) "$cpu" "${execs:-0}" "$(ls "$OUT/corpus/$t" | wc -l)" \
		"$status" "$crashes" | tee "$OUT/stats/$t.summary"
}
set +e
running=0
for t in $targets; do
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n 2>/dev/null || wait
		running=$((running - 1))
	fi
done
wait
cat "$OUT"/stats/*.summary
! grep -q 'exit=[1-9]\|artifacts=[1-9]' "$OUT"/stats/*.summary
