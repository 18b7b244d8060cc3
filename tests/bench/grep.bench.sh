# grep.bench.sh - alog-grep against ripgrep and jq on the same log, for
# queries of every shape; a time range against a full scan, verification
# while searching, and memory.

# Selective queries of each shape against rg -F on the query's rarest
# literal (the least a search must read: every line holding it).  Outputs
# go to files: ripgrep stops at the first match when its output is
# /dev/null.  The rare values are taken from records of the log, so each
# query but the last matches (lib.sh, bench_grep_shapes).
while IFS=$'\t' read -r name query literal; do
	echo "$name: '$query' selects $(alog-grep -c "$query" "$LOG" </dev/null || true) records," \
		"rg -F $literal $(rg -c -F -- "$literal" "$LOG" </dev/null || echo 0) lines"
	bench_compare "alog-grep, $name ('$query') vs rg -F $literal" "<=1.5" \
		"alog-grep '$query' $LOG > grep.out" "rg -F -- '$literal' $LOG > rg.out"
done < <(bench_grep_shapes)

# The same selective query against jq, which parses every line.
bench_compare "alog-grep 'actor=alice target=payments' vs jq -c 'select(...)'" "<=0.1" \
	"alog-grep 'actor=alice target=payments' $LOG > grep.out" \
	"jq -c 'select(.actor == \"alice\" and .target == \"payments\")' $LOG > jq.out"

# Half the lines match: every line is a candidate, decoded member by member.
bench_compare "alog-grep 'rows>=2500' (half the records) vs jq -c 'select(...)'" "<=0.2" \
	"alog-grep 'rows>=2500' $LOG > grep.out" \
	"jq -c 'select(.rows >= 2500)' $LOG > jq.out"
bench_compare "alog-grep --fields ts,actor,rows vs jq -r '[...] | @tsv'" "<=0.2" \
	"alog-grep --fields ts,actor,rows 'rows>=2500' $LOG > grep.out" \
	"jq -r 'select(.rows >= 2500) | [.ts, .actor, .rows] | @tsv' $LOG > jq.out"

# A time range of 1% of the log is found by binary search, not by reading.
n=$(wc -l <"$LOG")
since=$(sed -n "$((n / 2))p" "$LOG" | jq -r .ts)
until=$(sed -n "$((n / 2 + n / 100))p" "$LOG" | jq -r .ts)
bench_compare "alog-grep --since/--until (1% of the log) vs the same over all of it" "<=0.1" \
	"alog-grep -c --since $since --until $until 'actor=alice' $LOG" \
	"alog-grep -c 'actor=alice' $LOG"

# The last records selected (what -F shows before following) are found by
# reading the file from its end, not the whole log.  Each writes its own
# file, as the other rows do: with one, the -n run's '>' truncated the
# whole search's output of the round before (36 MB at 1,000,000 events,
# 4-30 ms of freeing page cache) and was charged for it.
bench_compare "alog-grep -n 10 'actor=alice' (the last ten) vs the whole search" "<=0.1" \
	"alog-grep -n 10 'actor=alice' $LOG > tail.out" \
	"alog-grep 'actor=alice' $LOG > grep.out"

# Searching and verifying in one pass costs about what verifying costs.
# (alog-grep reads, searches and checks in one thread; with more than one
# CPU a second one hashes the lines ahead, as alog-verify's workers do:
# against alog-verify in one thread, the reference the target names.)
bench_compare "alog-grep --verify -p (sealed every 10k) vs alog-verify -p --jobs 1" "<=1.1" \
	"alog-grep --verify -p $PUB 'actor=alice target=payments' $SEALED > grep.out" \
	"alog-verify -q --jobs 1 -p $PUB $SEALED"

# Memory: flat in the log size.
bench_value "alog-grep peak RSS, half the records selected (KiB)" \
	"$(bench_rss "alog-grep 'rows>=2500' $LOG")" "<=16384"
bench_value "alog-grep --verify -p peak RSS (KiB)" \
	"$(bench_rss "alog-grep --verify -p $PUB 'rows>=2500' $SEALED")" "<=16384"
rm -f grep.out rg.out jq.out tail.out
