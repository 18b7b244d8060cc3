# scale.bench.sh - time grows linearly with the log and memory stays flat:
# verification at 1/10, 1 and 4 times the corpus, and the peak RSS of every
# tool on the largest log; then, in a full run (or with BENCH_BIG=1), the
# peak RSS of each tool on a 10 GB log, made for the purpose and removed
# after, against the same on a 1 MB log.  Skipped by BENCH_SCALE=0 (it
# needs 4x the disk, and 10 GB more for the big rows).

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
	# written at --sync=none: out to the disk before the timed reads, which
	# would otherwise share it with the write-back of 1.5 GB
	sync
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
	head -n 100000 "$EVENTS" >"$BENCH_DIR/events-100k.ndjson"
	bench_value "alog-append (stream) peak RSS appending to a $size_mb MiB log (KiB)" \
		"$(bench_rss "alog-append -f $big --sync=none < $BENCH_DIR/events-100k.ndjson")" "<=16384"
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

	# 10 GB (10^10 bytes or a little more): the corpus appended again and
	# again, at --sync=none.  Needs 25 GB free: the log (sealed in place)
	# and room for what others write meanwhile.
	if [ "${BENCH_BIG:-}" = 1 ] || { [ "$BENCH_N" = 1000000 ] && [ -z "${BENCH_ONLY:-}" ]; }; then
		free_gb=$(($(df -Pk "$BENCH_DIR" | awk 'NR == 2 { print $4 }') / 1048576))
		if [ "$free_gb" -lt 25 ]; then
			echo "scale: 10 GB rows SKIPPED: $free_gb GB free in $BENCH_DIR, 25 needed"
			bench_skip "peak RSS of every tool on a 10 GB log" "only $free_gb GB free, 25 needed"
		else
			huge=$BENCH_DIR/log-10g.alog
			mb=$BENCH_DIR/log-1m.alog
			rm -f "$huge" "$mb" "$BENCH_DIR"/huge.key "$BENCH_DIR"/huge.pub "$BENCH_DIR"/mb.key "$BENCH_DIR"/mb.pub
			echo "scale: writing a 10 GB log"
			while [ "$(stat -c %s "$huge" 2>/dev/null || echo 0)" -lt "${BENCH_BIG_BYTES:-10000000000}" ]; do
				alog-append -f "$huge" --sync=none <"$EVENTS"
			done
			# 1 MB: the corpus's first records
			head -c 1000000 "$EVENTS" | sed '$d' | alog-append -f "$mb" --sync=none
			alog-keygen -s "$BENCH_DIR"/huge.key -p "$BENCH_DIR"/huge.pub --epochs 16 >/dev/null
			alog-keygen -s "$BENCH_DIR"/mb.key -p "$BENCH_DIR"/mb.pub --epochs 16 >/dev/null
			# written at --sync=none: out to the disk before the rows that sync
			sync
			gb=$(awk -v b="$(stat -c %s "$huge")" 'BEGIN { printf "%.1f", b / 1e9 }')
			echo "scale: a $gb GB log of $(($(wc -l <"$huge") - 1)) records, a 1 MB log of $(($(wc -l <"$mb") - 1))"
			# NAME CMD: @LOG@, @KEY@ and @PUB@ stand for the log and its keys
			rss_flat() {
				local c10 c1 r10 r1
				c10=${2//@LOG@/$huge}
				c10=${c10//@KEY@/$BENCH_DIR/huge.key}
				c10=${c10//@PUB@/$BENCH_DIR/huge.pub}
				c1=${2//@LOG@/$mb}
				c1=${c1//@KEY@/$BENCH_DIR/mb.key}
				c1=${c1//@PUB@/$BENCH_DIR/mb.pub}
				r10=$(bench_rss "$c10")
				r1=$(bench_rss "$c1")
				bench_value "$1 peak RSS on a $gb GB log (KiB)" "$r10" "<=16384"
				bench_value "$1 peak RSS, $gb GB log / 1 MB log" "$(echo "scale=3; $r10 / $r1" | bc)" "<=1.1"
			}
			rss_flat "alog-verify" "alog-verify -q @LOG@"
			rss_flat "alog-grep" "alog-grep actor=alice @LOG@"
			rss_flat "alog-export" "alog-export @LOG@"
			rss_flat "alog-append (stream)" "alog-append -f @LOG@ --sync=none < $BENCH_DIR/events-100k.ndjson"
			rss_flat "alog-append (one event)" "alog-append -f @LOG@ actor=bench action=rss"
			rss_flat "alog-seal (first seal: hashes the whole log)" "alog-seal -f @LOG@ -s @KEY@"
			rss_flat "alog-verify -p" "alog-verify -q -p @PUB@ @LOG@"
			rss_flat "alog-grep --verify -p" "alog-grep --verify -p @PUB@ actor=alice @LOG@"
			rm -f "$huge" "$mb" "$BENCH_DIR"/huge.key "$BENCH_DIR"/huge.pub "$BENCH_DIR"/mb.key "$BENCH_DIR"/mb.pub
		fi
	fi
	rm -f "$BENCH_DIR/events-100k.ndjson"
fi
