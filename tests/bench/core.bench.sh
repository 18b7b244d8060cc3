# core.bench.sh - append, verify and seal against the hardware's reference,
# one SHA-256 pass over the same file (openssl dgst -sha256, which uses the
# CPU's SHA instructions), and against the tools a user would reach for.

# Stream ingest at the default durability for a stream (--sync=batch): the
# same events through alog-append, through jq -c . (parsing and printing
# every event), and one SHA-256 pass over the log alog-append wrote.
bench_compare "alog-append stream ingest vs jq -c ." "<=0.25" \
	"rm -f ingest.alog; alog-append -f ingest.alog < $EVENTS" \
	"jq -c . < $EVENTS > ingest.jq"
rm -f ingest.jq
bench_compare "alog-append stream ingest vs openssl dgst -sha256 over the log it wrote" "<=2.5" \
	"rm -f ingest.alog; alog-append -f ingest.alog < $EVENTS" \
	"openssl dgst -sha256 ingest.alog"
# What the default durability costs: the same ingest without the batches'
# fdatasync against one SHA-256 pass, and with it against the disk itself,
# the log's bytes copied and synced (the floor of any durable ingest).
bench_compare "alog-append stream ingest --sync=none vs openssl dgst -sha256 over the log it wrote" "<=2.5" \
	"rm -f ingest.alog; alog-append --sync=none -f ingest.alog < $EVENTS" \
	"openssl dgst -sha256 ingest.alog"
bench_compare "alog-append stream ingest vs copying the log it wrote with dd conv=fdatasync" "<=1.5" \
	"rm -f ingest.alog; alog-append -f ingest.alog < $EVENTS" \
	"rm -f ingest.copy; dd if=ingest.alog of=ingest.copy bs=4M conv=fdatasync status=none"
rm -f ingest.copy

# Verification: chain and tree of the whole log vs hashing the file once.
bench_compare "alog-verify (2 jobs) vs openssl dgst -sha256, same file" "<=1.0" \
	"alog-verify -q --jobs 2 $LOG" "openssl dgst -sha256 $LOG"
bench_compare "alog-verify (1 job) vs openssl dgst -sha256, same file" "<=1.6" \
	"alog-verify -q --jobs 1 $LOG" "openssl dgst -sha256 $LOG"
bench_compare "alog-verify -p (sealed every 10k) vs openssl dgst -sha256, same file" "<=1.0" \
	"alog-verify -q -p $PUB $SEALED" "openssl dgst -sha256 $SEALED"

# Sealing when the previous seal is recent: resume, do not rehash.
cp "$SEALED" seal-test.alog
cp "$KEY" seal-test.key
chmod 600 seal-test.key
printf '{"actor":"x","action":"y"}\n%.0s' $(seq 1 1000) | alog-append -f seal-test.alog --sync=none
# the copy above left the whole file dirty: write it out first, or the seal's
# fdatasync measures the disk writing hundreds of megabytes
sync
bench_value "alog-seal on the sealed log, 1000 records since the last seal (s)" \
	"$(bench_time "alog-seal -f seal-test.alog -s seal-test.key")" "<=1"

# One event appended (default durability: fdatasync before the exit)
# against what any appender must do at least: start a process that takes
# the file's lock.  On a log of one record and on one of $BENCH_N: the cost
# must not grow with the log.  Ten in a row, so that a round is long enough
# to time.
small=$BENCH_DIR/append-1.alog
rm -f "$small"
alog-append -f "$small" actor=bench action=first
big=$BENCH_DIR/append-$BENCH_N.alog
head -n $((BENCH_N + 1)) "$LOG" >"$big"
# the copy is dirty in the page cache: write it out, or the first fdatasync
# measures the disk writing it
sync
for f in "$small" "$big"; do
	n=$(($(wc -l <"$f") - 1))
	bench_compare "one alog-append on a log of $n records vs true + flock on it" "<=1.2" \
		"for i in 1 2 3 4 5 6 7 8 9 10; do alog-append -f $f actor=bench action=latency; done" \
		"for i in 1 2 3 4 5 6 7 8 9 10; do flock $f true; done"
done

# Memory: the peak RSS of each tool (the scale rows repeat the big ones on a
# log 4 times and one of 10 GB).
bench_value "alog-verify peak RSS (KiB)" "$(bench_rss "alog-verify -q $LOG")" "<=16384"
bench_value "alog-verify -p peak RSS (KiB)" "$(bench_rss "alog-verify -q -p $PUB $SEALED")" "<=16384"
rm -f ingest.alog
bench_value "alog-append (stream) peak RSS (KiB)" \
	"$(bench_rss "alog-append -f ingest.alog < $EVENTS")" "<=16384"
bench_value "alog-append (one event) peak RSS on the $BENCH_N-record log (KiB)" \
	"$(bench_rss "alog-append -f $big actor=bench action=rss")" "<=16384"
rm -f seal-rss.key seal-rss.pub
bench_value "alog-keygen peak RSS (KiB)" \
	"$(bench_rss "alog-keygen -s seal-rss.key -p seal-rss.pub --epochs 1024")" "<=16384"
bench_value "alog-seal peak RSS, first seal of the $BENCH_N-record log (KiB)" \
	"$(bench_rss "alog-seal -f ingest.alog -s seal-rss.key")" "<=16384"
rm -f ingest.alog seal-test.alog seal-test.key seal-rss.key seal-rss.pub "$big"
