# alog-export -F ocsf: one OCSF 1.3.0 event per record, the class and
# activity from the action's first and last words, a class used only when
# the event has what it requires, the other members under unmapped.  Run as
# jq -n -c -f ocsf.jq LOG.
def authfirst: ["auth", "authn", "authentication", "login", "logon", "logout", "logoff", "session", "sso"];
def authlast: ["login", "logon", "signin", "authenticate", "logout", "logoff", "signout"];
def dbfirst: ["db", "database", "sql", "datastore", "table", "bucket", "storage"];
def apifirst: ["api", "http", "rest", "rpc", "grpc"];
def verbs: {"create": 1, "insert": 1, "add": 1, "post": 1, "new": 1,
	"read": 2, "get": 2, "select": 2, "view": 2, "fetch": 2, "show": 2, "call": 2,
	"update": 3, "change": 3, "modify": 3, "alter": 3, "set": 3, "put": 3, "patch": 3, "edit": 3, "write": 3,
	"delete": 4, "remove": 4, "drop": 4, "truncate": 4, "destroy": 4};
def dbact: {"read": [1, "Read"], "get": [1, "Read"], "select": [1, "Read"], "fetch": [1, "Read"],
	"update": [2, "Update"], "modify": [2, "Update"], "alter": [2, "Update"], "change": [2, "Update"], "set": [2, "Update"],
	"connect": [3, "Connect"], "query": [4, "Query"], "search": [4, "Query"], "find": [4, "Query"],
	"write": [5, "Write"], "insert": [5, "Write"], "put": [5, "Write"], "create": [6, "Create"],
	"delete": [7, "Delete"], "drop": [7, "Delete"], "remove": [7, "Delete"], "truncate": [7, "Delete"],
	"list": [8, "List"], "encrypt": [9, "Encrypt"], "decrypt": [10, "Decrypt"]};
def apinames: [null, "Create", "Read", "Update", "Delete"];
authfirst as $authfirst | authlast as $authlast | dbfirst as $dbfirst | apifirst as $apifirst
| verbs as $verbs | dbact as $dbact | apinames as $apinames
| input.origin as $origin
| inputs | select(has("type") | not)
| . as $e
| (.action | ascii_downcase | [splits("[._:/ -]")]) as $w
| ($w[0]) as $f | ($w[-1]) as $l
| (($e.actor | type) == "string") as $actor
| (($e.src.ip | type) == "string" or ($e.src.host | type) == "string") as $src
| (if (($authfirst | index([$f])) or ($authlast | index([$l]))) and $actor and ($e.target | type) == "string" then 3002
   elif ($dbfirst | index([$f])) and $actor and $src then 6005
   elif (($apifirst | index([$f])) or $verbs[$l]) and $actor and $src then 6003
   else 0 end) as $class
| (if $class == 3002 then
	(if ["login", "logon", "signin", "authenticate"] | index([$l]) then [1, "Logon"]
	 elif ["logout", "logoff", "signout"] | index([$l]) then [2, "Logoff"] else [99, "Other"] end)
   elif $class == 6005 then $dbact[$l] // [99, "Other"]
   elif $class == 6003 then ($verbs[$l] // 99) as $a | [$a, ($apinames[$a] // "Other")]
   else [99, "Other"] end) as $act
| {class_uid: $class,
   class_name: {"3002": "Authentication", "6005": "Datastore Activity", "6003": "API Activity", "0": "Base Event"}[$class | tostring],
   category_uid: ($class / 1000 | floor),
   category_name: {"3": "Identity & Access Management", "6": "Application Activity", "0": "Uncategorized"}[$class / 1000 | floor | tostring],
   activity_id: $act[0], activity_name: $act[1], type_uid: ($class * 100 + $act[0]),
   severity_id: 1, severity: "Informational",
   time: ((.ts[0:19] + "Z" | fromdateiso8601) * 1000 + (.ts[20:23] | tonumber)),
   metadata: {version: "1.3.0", product: {name: "alog", vendor_name: "alog", version: "0.1.0"},
	original_time: .ts, sequence: .seq, uid: .hash, log_provider: $origin, event_code: .action}}
+ (if $class == 3002 then {service: {name: .target}}
   elif $class == 6003 then {api: {operation: .action}, resources: [{name: .target}]}
   elif $class == 6005 then {database: {name: .target, type_id: 0, type: "Unknown"}}
   else {} end)
+ {status_id: 0, status: "Unknown"}
+ (if $class == 3002 then {user: {name: .actor}} else {} end)
+ (if $class != 0 then {actor: {user: {name: .actor}, session: {uid: .session}},
	src_endpoint: {ip: .src.ip, hostname: .src.host},
	unmapped: del(.seq, .ts, .hash, .action, .target, .actor, .session, .src, .msg)}
   else {unmapped: del(.seq, .ts, .hash, .action, .msg)} end)
+ {message: .msg}
