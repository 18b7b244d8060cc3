# policy.bench.sh - stream ingest through a logging policy with every
# detector on (plus required members, allowed actions, types and a path
# rule), against the same ingest without a policy.

# The policy: tests/bench/all-detectors.json (tests/bench/profile.sh uses it too).
policy=$here/all-detectors.json

# Both at the default durability for a stream (--sync=batch).
bench_compare "alog-append stream ingest, policy with all detectors vs no policy" "<=1.5" \
	"rm -f policy.alog; alog-append -f policy.alog --policy $policy < $EVENTS" \
	"rm -f nopolicy.alog; alog-append -f nopolicy.alog < $EVENTS"
rm -f policy.alog nopolicy.alog
