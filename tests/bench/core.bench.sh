# core.bench.sh - append, verify and seal against their peers.

# Stream ingest: the same events through jq -c . and through alog-append.
bench_compare "alog-append stream ingest (--sync=batch) vs jq -c ." "<=0.25" \
	"rm -f ingest.alog; alog-append -f ingest.alog --sync=batch < $EVENTS" \
	"jq -c . < $EVENTS > ingest.jq"

# Verification: chain and tree of the whole log vs hashing the file once.
bench_compare "alog-verify (1 job) vs sha256sum, same file" "<=0.5" \
	"alog-verify -q --jobs 1 $LOG" "sha256sum $LOG"
bench_compare "alog-verify (2 jobs) vs sha256sum, same file" "<=0.3" \
	"alog-verify -q --jobs 2 $LOG" "sha256sum $LOG"
bench_compare "alog-verify -p (sealed every 10k) vs alog-verify" "<=1.3" \
	"alog-verify -q -p $PUB $SEALED" "alog-verify -q $SEALED"

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

# Memory: peak RSS of verification, flat in the log size.
bench_value "alog-verify peak RSS (KiB)" "$(bench_rss "alog-verify -q $LOG")" "<=16384"

# Appending one event costs the same on a large log as on a small one.
small=$BENCH_DIR/small.alog
rm -f "$small"
alog-append -f "$small" x=1
bench_compare "one alog-append on the $BENCH_N-event log vs on a 1-event log" "<=1.5" \
	"for i in 1 2 3 4 5 6 7 8 9 10; do alog-append -f $LOG actor=bench action=latency; done" \
	"for i in 1 2 3 4 5 6 7 8 9 10; do alog-append -f $small actor=bench action=latency; done"
bench_compare "one alog-append vs true + flock on a file" "<=1.5" \
	"for i in 1 2 3 4 5 6 7 8 9 10; do alog-append -f $small actor=bench action=latency; done" \
	"for i in 1 2 3 4 5 6 7 8 9 10; do flock $small true; done"
