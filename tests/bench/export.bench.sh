# export.bench.sh - alog-export against jq on the same fields, flat memory
# in every format, and proofs read from the tree state.

fields=seq,ts,actor,action,target,src.ip
bench_compare "alog-export -F csv vs jq -r '[...] | @csv', same fields" "<=0.1" \
	"alog-export -F csv --allow-formulas --fields $fields $LOG" \
	"jq -r '[.seq, .ts, .actor, .action, .target, .src.ip] | @csv' $LOG"
bench_compare "alog-export -F tsv vs jq -r '[...] | @tsv', same fields" "<=0.1" \
	"alog-export -F tsv --allow-formulas --fields $fields $LOG" \
	"jq -r '[.seq, .ts, .actor, .action, .target, .src.ip] | @tsv' $LOG"
bench_compare "alog-export (ndjson) vs jq -c 'del(.seq, .ts, .hash)'" "<=0.25" \
	"alog-export $LOG" "jq -c 'del(.seq, .ts, .hash)' $LOG"
bench_compare "alog-export -F ecs vs jq -c (a comparable reshaping)" "<=0.5" \
	"alog-export -F ecs $LOG" \
	"jq -c '{\"@timestamp\": .ts, event: {action: .action, sequence: .seq, hash: .hash}, user: {name: .actor}, source: {ip: .src.ip}, message: .msg}' $LOG"

# Memory stays flat: peak RSS of each format on the whole log.
for f in ndjson json csv tsv syslog cef ecs ocsf; do
	bench_value "alog-export -F $f peak RSS (KiB)" "$(bench_rss "alog-export -F $f $LOG")" "<=16384"
done

# Proofs: the first builds the tree state (one pass), later ones read O(log n) hashes.
rm -f "$SEALED.tree"
mid=$((BENCH_N / 2))
sed -n "${mid}p" "$SEALED" >proof-record
bench_value "alog-export --proof, building the tree state (s)" \
	"$(bench_time "alog-export --proof -p $PUB -f $SEALED proof-record")" "<=10"
bench_value "alog-export --proof, one record, tree state present (s)" \
	"$(bench_time "alog-export --proof -p $PUB -f $SEALED proof-record")" "<=0.5"
bench_value "alog-export --proof peak RSS (KiB)" \
	"$(bench_rss "alog-export --proof -p $PUB -f $SEALED proof-record")" "<=16384"
alog-export --proof -p $PUB -f "$SEALED" proof-record >proof-bundle
bench_value "alog-verify --proof, one bundle (s)" \
	"$(bench_time "alog-verify --proof proof-bundle -p $PUB")" "<=0.1"

# Bounded work: the worst-case record of each format, near the 1 MiB record
# limit, exported in time linear in its size (issue 13).  Member names that
# all collapse to one CEF key and one syslog parameter name (the suffix
# search), to one ECS custom name (dots and blanks), a record of many
# members for csv/tsv columns, redaction paths through a long array.
python3 - "$BENCH_DIR/worst.json" <<'PY'
import json, sys
with open(sys.argv[1], "w") as f:
    names = {}
    for i in range(50000):
        names["x" + "".join(" =]_"[i >> (2 * k) & 3] for k in range(8))] = i
    f.write(json.dumps(names) + "\n")
    dots = {}
    for i in range(35000):
        dots["x" + "".join("._"[i >> k & 1] for k in range(16))] = i
    f.write(json.dumps(dots) + "\n")
    f.write(json.dumps({"r": [{"e": "x@example.com", "k": i} for i in range(25000)]}) + "\n")
PY
rm -f "$BENCH_DIR/worst.alog"
alog-append -f "$BENCH_DIR/worst.alog" <"$BENCH_DIR/worst.json" >/dev/null
for f in ndjson json csv tsv syslog cef ecs ocsf; do
	cols=
	case $f in csv | tsv) cols="--fields x,r.e" ;; esac
	bench_value "alog-export -F $f, worst-case records (3 x ~1 MiB) (s)" \
		"$(bench_time "alog-export -F $f --redact r.e $cols $BENCH_DIR/worst.alog")" "<=3"
done
