# alog-export -F syslog: RFC 5424 lines, the time with six fraction digits,
# the origin's host, MSGID the action, every member but msg as a parameter
# of alog@32473 (its dotted path, the value with '"', '\' and ']'
# escaped), msg as MSG after a byte order mark.  Run as jq -n -r -f
# syslog.jq LOG.
def sd: tostring | if contains("\"") or contains("\\") or contains("]") then gsub("(?<c>[\"\\\\\\]])"; "\\\(.c)") else . end;
# the members as [dotted name, value], nested objects one level deep (as
# in the corpus), nulls left out
def members: . as $o | keys_unsorted[] as $k | $o[$k]
	| if type == "object" then . as $n | keys_unsorted[] as $j | $n[$j] | select(. != null) | [$k + "." + $j, .]
	elif . == null then empty else [$k, .] end;
(input.origin | split("/")[0]) as $host
| inputs | select(has("type") | not)
| "<86>1 \(.ts[0:26])Z \($host) alog - \(.action // "-") [alog@32473 seq=\"\(.seq)\" ts=\"\(.ts)\" hash=\"\(.hash)\""
	+ ([del(.seq, .ts, .hash, .msg) | members | " \(.[0])=\"\(.[1] | sd)\""] | add // "")
	+ "]" + (if .msg then " \ufeff" + .msg else "" end)
