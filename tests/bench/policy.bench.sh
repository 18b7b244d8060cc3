# policy.bench.sh - stream ingest through a logging policy with every
# detector on (plus required members, allowed actions, types and a path
# rule), against the same ingest without a policy.

policy_dir=$BENCH_DIR/policy
mkdir -p "$policy_dir"
cat >"$policy_dir/all-detectors.json" <<'JSON'
{
  "require": ["actor", "action"],
  "actions": ["db.*", "auth.*", "config.*", "shell.*", "api.*", "file.*"],
  "types": {"rows": "integer", "latency_ms": "number", "src.ip": "string"},
  "events": [{"name": "db", "action": "db.*", "require": ["target"]}],
  "rules": [{"name": "no-passwords", "path": "**.password", "do": "drop"}],
  "detectors": {
    "private-key": "reject",
    "aws-access-key": "mask",
    "jwt": "mask",
    "bearer-token": "mask",
    "url-password": "mask",
    "card-number": "mask",
    "email": "mask"
  }
}
JSON

bench_compare "alog-append stream ingest, policy with all detectors vs no policy" "<=2" \
	"rm -f policy.alog; alog-append -f policy.alog --sync=batch --policy $policy_dir/all-detectors.json < $EVENTS" \
	"rm -f nopolicy.alog; alog-append -f nopolicy.alog --sync=batch < $EVENTS"
