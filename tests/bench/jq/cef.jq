# alog-export -F cef: ArcSight CEF lines, the mapped members under their CEF
# keys (cs1 and cs2 with their labels), the others as alog + CamelCase
# path, values with '\' and '=' escaped.  Run as jq -n -r -f cef.jq LOG.
def esc: tostring | if contains("\\") or contains("=") or contains("\n") or contains("\r") then gsub("\\\\"; "\\\\") | gsub("="; "\\=") | gsub("\n"; "\\n") | gsub("\r"; "\\r") else . end;
# the members as [dotted name, value], nested objects one level deep (as
# in the corpus), nulls left out
def members: . as $o | keys_unsorted[] as $k | $o[$k]
	| if type == "object" then . as $n | keys_unsorted[] as $j | $n[$j] | select(. != null) | [$k + "." + $j, .]
	elif . == null then empty else [$k, .] end;
def camel: "alog" + (split(".") | map(split("_") | map((.[0:1] | ascii_upcase) + .[1:]) | add) | add);
{"actor": "suser", "user": "suser", "user.name": "suser", "user.id": "suid",
	"action": "act", "msg": "msg", "src.ip": "src", "src.host": "shost", "src.port": "spt",
	"outcome": "outcome", "target": "cs1", "session": "cs2"} as $key
| input | empty,
(inputs | select(has("type") | not)
| "CEF:0|alog|alog|0.1.0|\(.action)|\(.action)|3|rt=\((.ts[0:19] + "Z" | fromdateiso8601) * 1000 + (.ts[20:23] | tonumber)) externalId=\(.seq) alogHash=\(.hash)"
	+ ([del(.seq, .ts, .hash) | members | .[0] as $p
		| ($key[$p] // ($p | camel)) as $k
		| " \($k)=\(.[1] | esc)" + (if $k == "cs1" or $k == "cs2" then " \($k)Label=\($p)" else "" end)]
	| add // ""))
