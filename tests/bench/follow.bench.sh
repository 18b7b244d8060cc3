# follow.bench.sh - alog-append --follow taking a whole file (json, and
# PostgreSQL 15 jsonlog lines) through a policy with the detectors of
# alog-append(1)'s capture EXAMPLES on, against alog-append reading the same
# lines from standard input through the same policy; its rate; and its peak
# memory at two sizes.  (The example's rule for the "query" member is left
# out: only the mapped events have that member, so it would time work the
# peer never does.)

follow_dir=$BENCH_DIR/follow
mkdir -p "$follow_dir"
follow_policy=$follow_dir/policy.json
echo '{"detectors": {"card-number": true, "bearer-token": true}}' >"$follow_policy"

# PostgreSQL 15 jsonlog lines as a server with log_statement = 'all' and
# log_connections writes them: a session's connection lines, then statements.
PGLOG=$follow_dir/pg-$BENCH_N.json
if [ ! -s "$PGLOG" ]; then
	awk -v n="$BENCH_N" 'BEGIN {
		for (i = 0; i < n; i++) {
			s = int(i / 50); pid = 4000 + s % 3000
			ts = sprintf("2026-12-02 10:%02d:%02d.%03d UTC", int(i / 60000) % 60, int(i / 1000) % 60, i % 1000)
			head = sprintf("{\"timestamp\":\"%s\",\"user\":\"app%d\",\"dbname\":\"shop\",\"pid\":%d,\"remote_host\":\"10.0.%d.%d\",\"remote_port\":%d,\"session_id\":\"6b0ff7%02x.%x\",\"line_num\":%d,", ts, s % 7, pid, s % 250, s % 200, 40000 + s % 20000, s % 256, pid, i % 50 + 1)
			if (i % 50 == 0)
				msg = sprintf("\"ps\":\"authentication\",\"session_start\":\"%s\",\"vxid\":\"3/%d\",\"txid\":0,\"error_severity\":\"LOG\",\"message\":\"connection authorized: user=app%d database=shop application_name=psql\"", ts, i, s % 7)
			else
				msg = sprintf("\"ps\":\"idle\",\"session_start\":\"%s\",\"vxid\":\"3/%d\",\"txid\":0,\"error_severity\":\"LOG\",\"message\":\"statement: select id, total from orders where customer_id = %d and status = '\''open'\'' order by created_at desc limit 20\"", ts, i, i)
			printf "%s%s,\"application_name\":\"psql\",\"backend_type\":\"client backend\",\"query_id\":0}\n", head, msg
		}
	}' >"$PGLOG.tmp" && mv "$PGLOG.tmp" "$PGLOG"
fi

bench_compare "alog-append --follow, json, detectors on, vs the same lines from stdin" "<=1.3" \
	"rm -f $follow_dir/f.alog; alog-append -f $follow_dir/f.alog --policy $follow_policy --follow $EVENTS --once" \
	"rm -f $follow_dir/s.alog; alog-append -f $follow_dir/s.alog --policy $follow_policy < $EVENTS"
bench_compare "alog-append --follow, postgres-jsonlog, detectors on, vs the same lines from stdin" "<=1.3" \
	"rm -f $follow_dir/f.alog; alog-append -f $follow_dir/f.alog --policy $follow_policy --source postgres-jsonlog --follow $PGLOG --once" \
	"rm -f $follow_dir/s.alog; alog-append -f $follow_dir/s.alog --policy $follow_policy < $PGLOG"

for kind in json postgres-jsonlog; do
	src=$EVENTS
	[ "$kind" = json ] || src=$PGLOG
	rm -f "$follow_dir/f.alog"
	t=$(bench_time "alog-append -f $follow_dir/f.alog --policy $follow_policy --source $kind --follow $src --once")
	bench_value "alog-append --follow, $kind, events per second" "$(echo "$BENCH_N / $t" | bc)" ">=100000"
done

# memory: the whole file, and its first tenth
head -n $((BENCH_N / 10)) "$PGLOG" >"$follow_dir/pg-tenth.json"
rm -f "$follow_dir/f.alog"
rss_all=$(bench_rss "alog-append -f $follow_dir/f.alog --policy $follow_policy --source postgres-jsonlog --follow $PGLOG --once")
rm -f "$follow_dir/f.alog"
rss_tenth=$(bench_rss "alog-append -f $follow_dir/f.alog --policy $follow_policy --source postgres-jsonlog --follow $follow_dir/pg-tenth.json --once")
bench_value "alog-append --follow peak RSS (KiB), all lines" "$rss_all" "<=16384"
bench_value "alog-append --follow peak RSS, all lines / a tenth of them" \
	"$(echo "scale=3; $rss_all / $rss_tenth" | bc)" "<=1.1"
rm -f "$follow_dir/f.alog" "$follow_dir/s.alog"
