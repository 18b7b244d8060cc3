# scale.bench.sh - time grows linearly with the log and memory stays flat:
# verification at 1/10, 1 and 4 times the corpus, and the peak RSS of every
# tool on the largest log.  Skipped by BENCH_SCALE=0 (it needs 4x the disk).

if [ "${BENCH_SCALE:-1}" != 0 ]; then
	small_n=$((BENCH_N / 10))
	big=$BENCH_DIR/log-x4-$BENCH_N.alog
	tenth=$BENCH_DIR/log-tenth-$BENCH_N.alog
	if [ ! -s "$tenth" ]; then
		rm -f "$tenth"
		head -n "$small_n" "$EVENTS" | alog-append -f "$tenth" --sync=none
	fi
	if [ ! -s "$big" ]; then
		rm -f "$big"
		for i in 1 2 3 4; do alog-append -f "$big" --sync=none <"$EVENTS"; done
	fi
	per_record() { # log records -> microseconds per record, median of BENCH_ROUNDS
		local i t all=""
		for ((i = 0; i < BENCH_ROUNDS; i++)); do
			t=$(bench_time "alog-verify -q $1")
			all="$all $(echo "$t * 1000000 / $2" | bc -l)"
		done
		tr ' ' '\n' <<<"$all" | grep . | sort -g | awk '{ v[NR] = $1 } END { printf "%.3f", v[int((NR + 1) / 2)] }'
	}
	us_small=$(per_record "$tenth" "$small_n")
	us_mid=$(per_record "$LOG" "$BENCH_N")
	us_big=$(per_record "$big" $((4 * BENCH_N)))
	echo "alog-verify: $us_small / $us_mid / $us_big us per record at $small_n / $BENCH_N / $((4 * BENCH_N)) records"
	bench_value "alog-verify time per record, 4x log / 1x log" \
		"$(echo "$us_big / $us_mid" | bc -l | xargs printf '%.3f')" "<=1.2"
	bench_value "alog-verify time per record, 1x log / 0.1x log" \
		"$(echo "$us_mid / $us_small" | bc -l | xargs printf '%.3f')" "<=1.2"

	size_mb=$(($(stat -c %s "$big") / 1048576))
	bench_value "alog-verify peak RSS on a $size_mb MiB log (KiB)" \
		"$(bench_rss "alog-verify -q $big")" "<=16384"
	bench_value "alog-append (stream) peak RSS appending to a $size_mb MiB log (KiB)" \
		"$(bench_rss "head -n 100000 $EVENTS | alog-append -f $big --sync=none")" "<=16384"
	bigsealed=$BENCH_DIR/bigsealed.alog
	cp "$big" "$bigsealed"
	rm -f "$BENCH_DIR/big.key" "$BENCH_DIR/big.pub"
	alog-keygen -s "$BENCH_DIR/big.key" -p "$BENCH_DIR/big.pub" --epochs 16 >/dev/null
	bench_value "alog-seal (first seal: hashes the whole $size_mb MiB log) peak RSS (KiB)" \
		"$(bench_rss "alog-seal -f $bigsealed -s $BENCH_DIR/big.key")" "<=16384"
	if command -v alog-grep >/dev/null; then
		bench_value "alog-grep peak RSS on a $size_mb MiB log (KiB)" \
			"$(bench_rss "alog-grep actor=alice $big")" "<=16384"
	fi
	if command -v alog-export >/dev/null; then
		bench_value "alog-export --format csv peak RSS on a $size_mb MiB log (KiB)" \
			"$(bench_rss "alog-export --format csv --fields ts,actor,action $big")" "<=16384"
	fi
	rm -f "$bigsealed"
fi
