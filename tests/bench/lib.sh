# lib.sh - helpers for the benchmark scripts (tests/bench/*.bench.sh), which
# run.sh sources in turn.  Machines here are shared and noisy: every figure
# is a ratio against a peer measured in the same run, interleaved A/B/A/B,
# reported as min/median/max over the rounds.
#
# Available to a .bench.sh script:
#   $BENCH_DIR     scratch directory (corpus and logs live here)
#   $EVENTS        $BENCH_N events, one JSON object per line (~250 bytes)
#   $LOG           the same events as an alog log (header + events)
#   $SEALED        the same log sealed every 10,000 events, key $KEY/$PUB
#   $BENCH_N       number of events (default 1000000; BENCH_N=100000 for a quick run)
#   $BENCH_ROUNDS  rounds per comparison (default 5)
#   $BENCH_EXPORT_ROUNDS  rounds of the export rows against jq (default 1
#                  at 1,000,000 events and more, where one jq run of a
#                  format takes minutes; $BENCH_ROUNDS below)
#   bench_compare NAME TARGET CMD_A CMD_B [ROUNDS]
#       time CMD_A (ours) and CMD_B (the peer) alternately, ROUNDS times
#       (default $BENCH_ROUNDS); TARGET is the goal for time(A)/time(B),
#       e.g. "<=0.25"; adds a table row.
#   bench_value NAME VALUE TARGET   add a row with a measured figure
#   bench_skip NAME WHY             add a row saying why NAME was not measured
#   bench_grep_shapes   print the selective queries of each shape, a line
#       each: NAME, QUERY and its rarest literal, separated by TABs
#   bench_rss CMD   print the peak RSS of CMD in KiB
#   bench_time CMD  print the wall time of one run of CMD in seconds

: "${BENCH_ROUNDS:=5}"
if [ "${BENCH_N:-1000000}" -ge 1000000 ]; then
	: "${BENCH_EXPORT_ROUNDS:=1}"
else
	: "${BENCH_EXPORT_ROUNDS:=$BENCH_ROUNDS}"
fi

_now() { date +%s.%N; }

# CPU time taken by the hypervisor (steal) on a shared virtual machine:
# cpu_ticks prints the total and the stolen ticks so far, steal_pct the
# share stolen between two such readings (T0 S0 T1 S1), in percent.
cpu_ticks() { awk '/^cpu / { t = 0; for (i = 2; i <= 9; i++) t += $i; print t, $9 }' /proc/stat; }
steal_pct() { printf %.1f "$(echo "100 * ($4 - $2) / ($3 - $1 + 1)" | bc -l)"; }

bench_time() {
	local t0 t1
	t0=$(_now)
	bash -c "$1" >/dev/null 2>&1 </dev/null
	t1=$(_now)
	echo "$t1 - $t0" | bc -l
}

bench_rss() {
	/usr/bin/time -f '%M' bash -c "exec $1" 2>&1 >/dev/null </dev/null | tail -1
}

# min median max of numbers on stdin
_stats() {
	sort -g | awk '{ v[NR] = $1 } END { printf "%.3f %.3f %.3f", v[1], v[int((NR + 1) / 2)], v[NR] }'
}

_meets() { # value target(<=x or >=x)
	local v=$1 t=$2 op=${2:0:2} x=${2:2}
	if [ "$op" = "<=" ]; then
		[ "$(echo "$v <= $x" | bc -l)" = 1 ]
	else
		[ "$(echo "$v >= $x" | bc -l)" = 1 ]
	fi
}

bench_compare() {
	local name=$1 target=$2 a=$3 b=$4 rounds=${5:-$BENCH_ROUNDS} i ta tb ratios="" as="" bs=""
	local t0 s0 t1 s1 steal
	read -r t0 s0 < <(cpu_ticks)
	for ((i = 0; i < rounds; i++)); do
		ta=$(bench_time "$a")
		tb=$(bench_time "$b")
		as="$as $ta"
		bs="$bs $tb"
		ratios="$ratios $(echo "$ta / $tb" | bc -l)"
	done
	local ra rb rr
	read -r t1 s1 < <(cpu_ticks)
	steal=$(steal_pct "$t0" "$s0" "$t1" "$s1")
	ra=$(tr ' ' '\n' <<<"$as" | grep . | _stats)
	rb=$(tr ' ' '\n' <<<"$bs" | grep . | _stats)
	rr=$(tr ' ' '\n' <<<"$ratios" | grep . | _stats)
	local med=${rr#* }
	med=${med% *}
	local verdict=miss
	_meets "$med" "$target" && verdict=met
	printf '| %s | %s | %s | %s s | %s s | %s | %s%% |\n' "${name//|/\\|}" \
		"$(awk '{printf "%s / %s / %s", $1, $2, $3}' <<<"$rr")" "$target" \
		"$(awk '{print $2}' <<<"$ra")" "$(awk '{print $2}' <<<"$rb")" "$verdict" "$steal" \
		>>"$BENCH_TABLE"
	printf '%-58s ratio %s (min/med/max)  target %s  %s  (steal %s%%)\n' "$name" "$rr" \
		"$target" "$verdict" "$steal"
}

bench_value() {
	local name=$1 value=$2 target=$3 verdict=miss
	_meets "$value" "$target" && verdict=met
	printf '| %s | %s | %s | | | %s | |\n' "${name//|/\\|}" "$value" "$target" "$verdict" \
		>>"$BENCH_TABLE"
	printf '%-58s %s  target %s  %s\n' "$name" "$value" "$target" "$verdict"
}

bench_skip() {
	printf '| %s | skipped: %s | | | | | |\n' "${1//|/\\|}" "$2" >>"$BENCH_TABLE"
	printf '%-58s skipped: %s\n' "$1" "$2"
}

bench_grep_shapes() {
	local r1 r2 r3 action session rows request ip
	r1=$(sed -n "$((BENCH_N / 2))p" "$LOG")
	r2=$(sed -n "$((BENCH_N / 3))p" "$LOG")
	r3=$(sed -n "$((2 * BENCH_N / 3))p" "$LOG")
	action=$(jq -r .action <<<"$r1")
	session=$(jq -r .session <<<"$r1")
	rows=$(jq -r .rows <<<"$r2")
	request=$(jq -r .request <<<"$r2")
	ip=$(jq -r .src.ip <<<"$r3")
	printf '%s\t%s\t%s\n' \
		"a common and a rare equality" "action=$action session=$session" "$session" \
		"two common equalities, 1 record in 80" "actor=alice target=payments" alice \
		"a regex" "request~^req-0000" req-0000 \
		"a numeric range beside a rare string" "rows>=$rows request=$request" "$request" \
		"a nested path" "src.ip=$ip" "$ip" \
		"no match" "actor=alice action=db.drop" db.drop
}
