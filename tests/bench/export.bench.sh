# export.bench.sh - every alog-export format against a jq program writing
# the same output, flat memory in every format, proofs read from the tree
# state, and bounded work on the worst-case records.

# Every format against a jq program that writes the same output (tests/bench/
# jq/FORMAT.jq: the same members, mappings and escaping; what jq 1.6 cannot
# do is keep a number's spelling, 762.0 comes out 762).  First, that they
# do agree, on the log's first thousand records.  These rows run
# $BENCH_EXPORT_ROUNDS rounds (lib.sh): jq takes minutes per run on the full
# corpus, and the ratios are far inside their target.
jqdir=$here/jq
jq_opt() { case $1 in json) echo -j ;; csv | tsv | syslog | cef) echo -r ;; *) echo -c ;; esac; }
head -n 1001 "$LOG" >export-sample.alog
for f in ndjson json csv tsv syslog cef ecs ocsf; do
	alog-export -F "$f" export-sample.alog >export-sample.alog.out
	jq -n "$(jq_opt $f)" -f "$jqdir/$f.jq" export-sample.alog >export-sample.jq.out
	python3 "$jqdir/same.py" "$f" export-sample.alog.out export-sample.jq.out ||
		echo "bench: warning: tests/bench/jq/$f.jq no longer writes what alog-export -F $f writes" >&2
done
rm -f export-sample.*
for f in ndjson json csv tsv syslog cef ecs ocsf; do
	bench_compare "alog-export -F $f vs jq -f tests/bench/jq/$f.jq (the same output)" "<=0.1" \
		"alog-export -F $f $LOG" "jq -n $(jq_opt $f) -f $jqdir/$f.jq $LOG" "$BENCH_EXPORT_ROUNDS"
done

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
