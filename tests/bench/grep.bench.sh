# grep.bench.sh - alog-grep against jq and ripgrep on the same log, a time
# range against a full scan, verification while searching, and memory.

# A selective two-field query (1 record in ~80): jq parses every line,
# rg -F only looks for one of the literals.
bench_compare "alog-grep 'actor=alice target=payments' vs jq -c 'select(...)'" "<=0.1" \
	"alog-grep 'actor=alice target=payments' $LOG > grep.out" \
	"jq -c 'select(.actor == \"alice\" and .target == \"payments\")' $LOG > jq.out"
bench_compare "alog-grep 'actor=alice target=payments' vs rg -F alice" "<=3" \
	"alog-grep 'actor=alice target=payments' $LOG > grep.out" \
	"rg -F alice $LOG > rg.out"

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
# reading the file from its end, not the whole log.
bench_compare "alog-grep -n 10 'actor=alice' (the last ten) vs the whole search" "<=0.1" \
	"alog-grep -n 10 'actor=alice' $LOG > grep.out" \
	"alog-grep 'actor=alice' $LOG > grep.out"

# Searching and verifying in one pass costs about what verifying costs.
bench_compare "alog-grep --verify -p (sealed every 10k) vs alog-verify -p" "<=1.3" \
	"alog-grep --verify -p $PUB 'actor=alice target=payments' $SEALED > grep.out" \
	"alog-verify -q --jobs 1 -p $PUB $SEALED"

# Memory: flat in the log size.
bench_value "alog-grep peak RSS, half the records selected (KiB)" \
	"$(bench_rss "alog-grep 'rows>=2500' $LOG")" "<=16384"
bench_value "alog-grep --verify -p peak RSS (KiB)" \
	"$(bench_rss "alog-grep --verify -p $PUB 'rows>=2500' $SEALED")" "<=32768"
