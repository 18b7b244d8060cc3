# alog-export -F ecs: one Elastic Common Schema document per event,
# event.category and event.type from the action's words, the members ECS
# has no field for under alog.event.  Run as jq -n -c -f ecs.jq LOG.
def category: {"auth": "authentication", "db": "database", "config": "configuration",
	"shell": "process", "api": "api", "file": "file"};
def verb: {"login": "start", "logout": "end", "exec": "start", "query": "access",
	"read": "access", "call": "access", "update": "change", "change": "change"};
category as $category | verb as $verb
| input.origin as $origin
| inputs | select(has("type") | not)
| (.action | split(".")) as $w
| {"@timestamp": .ts,
   event: {kind: "event", module: "alog", dataset: "alog.audit",
	category: [$category[$w[0]] // "api"], type: [$verb[$w[-1]] // "info"],
	sequence: .seq, hash: .hash, action: .action},
   user: {name: .actor},
   alog: {event: (del(.seq, .ts, .hash, .actor, .action, .msg, .src.ip, .src.host)
		| if .src == {} then del(.src) else . end),
	origin: $origin},
   source: {ip: .src.ip, address: .src.host},
   message: .msg,
   ecs: {version: "8.11.0"}}
