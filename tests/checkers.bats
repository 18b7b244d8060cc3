#!/usr/bin/env bats
# The checkers the export tests trust (tests/tools/ecs-check.py,
# ocsf-check.py, cef-parse.py): each accepts known-good documents and
# refuses known-bad ones with the reason, so that a checker that accepts
# everything (or nothing) is caught; and their schema data agrees with the
# published definitions.

load helpers

TOOLS=$BATS_TEST_DIRNAME/tools
SCHEMAS=$BATS_TEST_DIRNAME/data/schemas

# The project's shared reference copy of the schemas, beside the repository
# (or beside the folder of worktrees), when there is one.
shared_schemas() {
	local d
	for d in "$BATS_TEST_DIRNAME/../../shared/schemas" "$BATS_TEST_DIRNAME/../../../shared/schemas"; do
		if [ -f "$d/ecs-9.4.0-flat.json" ] && [ -d "$d/ocsf-1.3.0" ]; then
			echo "$d"
			return 0
		fi
	done
	return 1
}

ecs_check() { python3 "$TOOLS/ecs-check.py" "$@"; }
ocsf_check() { python3 "$TOOLS/ocsf-check.py" "$@"; }
cef_parse() { python3 "$TOOLS/cef-parse.py" "$@"; }

# bad CHECKER REASON JQ-EDIT: the good document edited by JQ-EDIT is refused
# for REASON (a substring of the checker's output), and only for that.
bad() {
	local checker=$1 want=$2 edit=$3
	jq -c "$edit" good.json >bad.json
	run "$checker" bad.json
	if [ "$status" -ne 1 ] || [[ $output != *"$want"* ]] ||
		[ "$(grep -c '^bad.json:' <<<"$output")" -ne 1 ]; then
		echo "edit $edit: status $status, expected 1 and one line with: $want"
		echo "$output"
		return 1
	fi
}

ECS_GOOD='{"@timestamp":"2026-11-28T05:17:18.000000001Z","ecs":{"version":"8.11.0"},
"event":{"kind":"event","category":["authentication"],"type":["start"],"outcome":"success",
"action":"auth.login","sequence":2,"hash":"0a36"},"user":{"name":"alice","id":"7"},
"source":{"ip":"2001:db8::1","port":22,"address":"bastion"},"message":"hi",
"tags":["alog-redacted-copy"],"labels":{"env":"prod"},"related":{"ip":["10.0.0.7"]},
"dns":{"answers":[{"name":"a.example"},{"name":"b.example"}]},
"alog":{"origin":"db-1.example.com/audit","event":{"rows":42,"x":{"y":[1,2]}}}}'

@test "ecs-check accepts ECS documents and _bulk bodies" {
	echo "$ECS_GOOD" | jq -c . >good.json
	ecs_check good.json
	ecs_check "$BATS_TEST_DIRNAME/data/export/ecs.ndjson"
	ecs_check --bulk "$BATS_TEST_DIRNAME/data/export/ecs-bulk.ndjson"
	# dotted names are the same fields as nested objects
	echo '{"@timestamp":1795843038000,"ecs.version":"8.11.0","source.ip":"10.0.0.1","event.category":["web"],"event.type":["access"]}' |
		ecs_check
}

@test "ecs-check refuses values ECS or Elasticsearch refuse, each for its reason" {
	echo "$ECS_GOOD" | jq -c . >good.json
	bad ecs_check 'source.ip: ip field holds string "10.0.0.1:443"' '.source.ip = "10.0.0.1:443"'
	bad ecs_check 'source.ip: ip field holds string "[REDACTED]"' '.source.ip = "[REDACTED]"'
	bad ecs_check 'source.ip: ip field holds string "fe80::1%eth0"' '.source.ip = "fe80::1%eth0"'
	bad ecs_check 'source.port: long field holds string "x"' '.source.port = "x"'
	# (jq would round an integer this big: edit the text)
	sed 's/"port":22/"port":9223372036854775808/' good.json >big.json
	run ecs_check big.json
	[ "$status" -eq 1 ]
	[[ $output == *'source.port: 9223372036854775808 out of the range of long'* ]]
	bad ecs_check 'event.outcome: "denied" is not one of the values ECS allows' '.event.outcome = "denied"'
	bad ecs_check 'event.kind: "audit" is not one of the values' '.event.kind = "audit"'
	bad ecs_check 'event.category: "auth" is not one of the values' '.event.category = ["auth"]'
	bad ecs_check 'event.type: "deletion" is not an event type ECS expects for category "database"' \
		'.event.category = ["database"] | .event.type = ["deletion"]'
	bad ecs_check 'event.type: "creation" is not an event type ECS expects for category "web"' \
		'.event.category = ["web"] | .event.type = ["creation"]'
	bad ecs_check 'event.category: ECS normalises this field to an array' '.event.category = "authentication"'
	bad ecs_check 'user.name: keyword field holds an object' '.user.name = {"a":1}'
	bad ecs_check 'event.action: keyword field holds an object' '.event.action = {"verb":"x"}'
	bad ecs_check 'message: match_only_text field holds an object' '.message = {"m":1}'
	bad ecs_check 'user.name: holds an array, but ECS expects one keyword value' '.user.name = ["a","b"]'
	bad ecs_check 'field name "" is empty' '.alog.event[""] = 1'
	bad ecs_check 'field name " " is empty, blank' '.[" "] = 1'
	bad ecs_check 'field name "a..b" is empty, blank or has an empty part' '.alog["a..b"] = 1'
	bad ecs_check 'foo: not an ECS field; custom fields belong under alog.*' '.foo = 1'
	bad ecs_check 'source: ECS defines source as an object' '.source = "x"'
	bad ecs_check '@timestamp: missing' 'del(.["@timestamp"])'
	bad ecs_check 'ecs.version: missing' 'del(.ecs)'
	bad ecs_check '@timestamp: date field holds string "2026-02-30T00:00:00Z"' '.["@timestamp"] = "2026-02-30T00:00:00Z"'
	bad ecs_check 'labels.env: labels values are keywords (strings)' '.labels.env = 1'
	bad ecs_check 'alog.event.rows: given twice in one document' '.alog["event.rows"] = 1'
	bad ecs_check 'deeper than Elasticsearch' \
		'.alog.event.d = {"a":{"b":{"c":{"d":{"e":{"f":{"g":{"h":{"i":{"j":{"k":{"l":{"m":{"n":{"o":{"p":{"q":{"r":{"s":1}}}}}}}}}}}}}}}}}}}'
	# Elasticsearch's dynamic mapping: the first document fixes a custom field's type
	{ cat good.json; jq -c '.alog.event.rows = {"n":1}' good.json; jq -c '.alog.event.x = "s"' good.json; } >docs
	run ecs_check docs
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == 'docs:2: alog.event.rows: an object here, but a number at docs:1'* ]]
	[[ ${lines[1]} == 'docs:3: alog.event.x: a string here, but an object at docs:1'* ]]
	[ "$(grep -c '^docs:' <<<"$output")" -eq 2 ]
	run ecs_check <<<'not json'
	[ "$status" -eq 1 ]
	[[ $output == *"not JSON"* ]]
}

@test "ecs-check checks _bulk actions and index names by Elasticsearch's rules" {
	echo "$ECS_GOOD" | jq -c . >doc
	for index in 'Upper' 'a b' 'a,b' 'a*' '_a' '-a' '.' 'a:b' 'a#b' 'a|b'; do
		{ jq -cn --arg i "$index" '{create:{_index:$i,_id:"1"}}'; cat doc; } >bulk
		run ecs_check --bulk bulk
		[ "$status" -eq 1 ] || { echo "index $index accepted"; return 1; }
		[[ $output == *"create._index"* ]]
	done
	{ echo '{"create":{"_index":"audit-2026.11","_id":"x"}}'; cat doc; } | ecs_check --bulk
	{ echo '{"delete":{"_index":"a"}}'; cat doc; } >bulk
	run ecs_check --bulk bulk
	[ "$status" -eq 1 ]
	echo '{"create":{"_index":"a"}}' >bulk
	run ecs_check --bulk bulk
	[[ $output == *"the last action has no document"* ]]
}

@test "ecs schema data: the ECS 9.4.0 definitions, with the published categorization" {
	# from the ECS reference, "ECS Categorization Fields": allowed values
	# and the expected event types of the categories alog uses
	python3 - "$SCHEMAS/ecs-9.4.0.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
a, e, f = d["allowed"], d["expected_event_types"], d["fields"]
assert a["event.outcome"] == ["failure", "success", "unknown"], a["event.outcome"]
assert a["event.kind"] == ["alert", "asset", "enrichment", "event", "metric", "state",
                           "pipeline_error", "signal"], a["event.kind"]
assert sorted(e["authentication"]) == ["end", "info", "start"]
assert sorted(e["database"]) == ["access", "change", "error", "info"]
assert sorted(e["web"]) == ["access", "error", "info"]
assert sorted(e["configuration"]) == ["access", "change", "creation", "deletion", "info"]
assert sorted(e["iam"]) == ["admin", "change", "creation", "deletion", "group", "info", "user"]
assert sorted(e["process"]) == ["access", "change", "end", "info", "start"]
assert f["source.ip"] == {"type": "ip"} and f["source.port"] == {"type": "long"}
assert f["event.category"] == {"type": "keyword", "array": True}
assert f["@timestamp"] == {"type": "date"} and f["message"] == {"type": "match_only_text"}
assert f["labels"] == {"type": "object"} and f["dns.answers"]["type"] == "object"
assert len(f) == 1675, len(f)
EOF
	# and the file is what schema-bundle.py makes of the shared reference
	# copy (the @elastic/ecs package's definitions), when that is at hand
	local shared
	shared=$(shared_schemas) || skip "the shared schema copy is not beside the repository"
	python3 "$TOOLS/schema-bundle.py" ecs "$shared/ecs-9.4.0-flat.json" | cmp - "$SCHEMAS/ecs-9.4.0.json"
}

# A valid Authentication event: every required attribute, the class's
# at_least_one constraint (service or dst_endpoint), captions matching ids.
OCSF_GOOD='{"class_uid":3002,"class_name":"Authentication","category_uid":3,
"category_name":"Identity & Access Management","activity_id":1,"activity_name":"Logon",
"type_uid":300201,"type_name":"Authentication: Logon","severity_id":1,"severity":"Informational",
"time":1795843038000,"status_id":1,"status":"Success",
"metadata":{"version":"1.3.0","product":{"name":"alog","vendor_name":"alog","version":"0.1.0"},
"uid":"0a36","sequence":2,"log_provider":"db-1.example.com/audit","event_code":"auth.login"},
"user":{"name":"alice"},"actor":{"user":{"name":"alice"}},"service":{"name":"ssh"},
"src_endpoint":{"ip":"10.0.0.7","hostname":"bastion","port":22},
"unmapped":{"anything":{"goes":[1,"x"]}}}'

@test "ocsf-check accepts valid OCSF 1.3.0 events of several classes" {
	echo "$OCSF_GOOD" | jq -c . >good.json
	ocsf_check good.json
	# the datetime profile's time_dt, when metadata.profiles names it
	jq -c '.metadata.profiles = ["datetime"] | .time_dt = "2026-11-28T05:17:18.000Z"' good.json | ocsf_check
	# API Activity needs actor, api and src_endpoint; Base Event very little
	cat >more.ndjson <<'EOF'
{"class_uid":6003,"category_uid":6,"activity_id":1,"type_uid":600301,"severity_id":1,"time":1,"metadata":{"version":"1.3.0","product":{"name":"alog","vendor_name":"alog"}},"actor":{"user":{"name":"bob"}},"api":{"operation":"user.create"},"src_endpoint":{"ip":"::1"}}
{"class_uid":0,"category_uid":0,"activity_id":99,"activity_name":"shell.exec","type_uid":99,"severity_id":1,"time":1,"metadata":{"version":"1.3.0","product":{"name":"alog","vendor_name":"alog"}},"unmapped":{"actor":"x"}}
{"class_uid":6005,"category_uid":6,"activity_id":4,"type_uid":600504,"severity_id":1,"time":1,"metadata":{"version":"1.3.0","product":{"name":"alog","vendor_name":"alog"}},"actor":{"user":{"uid":"7"}},"src_endpoint":{"hostname":"db-1"},"database":{"name":"payments","type_id":1,"type":"Relational"}}
EOF
	ocsf_check more.ndjson
	ocsf_check --schema "$SCHEMAS/ocsf-1.3.0.json" more.ndjson
}

@test "ocsf-check refuses what the OCSF schema does not allow, each for its reason" {
	echo "$OCSF_GOOD" | jq -c . >good.json
	bad ocsf_check 'status: "success", but status_id 1 is captioned "Success"' '.status = "success"'
	bad ocsf_check 'activity_name: "logon", but activity_id 1 is captioned "Logon"' '.activity_name = "logon"'
	bad ocsf_check 'class_name: "Auth", but class_uid 3002 is captioned "Authentication"' '.class_name = "Auth"'
	bad ocsf_check 'src_endpoint.ip: "10.0.0.1:443" is not an IPv4 or IPv6 address' '.src_endpoint.ip = "10.0.0.1:443"'
	bad ocsf_check 'src_endpoint.port: is string "x", not port_t' '.src_endpoint.port = "x"'
	bad ocsf_check 'src_endpoint.port: 70000 is out of the range of port_t' '.src_endpoint.port = 70000'
	bad ocsf_check 'actor.user.name: is object {"a": 1}, not username_t (string_t)' '.actor.user.name = {"a":1}'
	bad ocsf_check 'user: required attribute missing' 'del(.user)'
	bad ocsf_check 'metadata.product: required attribute missing' 'del(.metadata.product)'
	bad ocsf_check 'needs at least one of service, dst_endpoint' 'del(.service)'
	bad ocsf_check 'bogus: not an attribute of class Authentication (3002)' '.bogus = 1'
	bad ocsf_check 'src_endpoint.bogus: not an attribute of object network_endpoint' '.src_endpoint.bogus = 1'
	bad ocsf_check 'type_uid: 300202 is not class_uid * 100 + activity_id = 300201' '.type_uid = 300202 | .type_name = "Authentication: Logoff"'
	bad ocsf_check 'category_uid: 6 is not one of the values of category_uid' '.category_uid = 6'
	bad ocsf_check 'category_uid: 3 is not one of the values of category_uid (0)' \
		'.class_uid = 0 | .activity_id = 99 | .type_uid = 99
		 | del(.class_name, .category_name, .activity_name, .type_name, .user, .service, .src_endpoint, .actor)'
	bad ocsf_check 'severity_id: 42 is not one of the values of severity_id' '.severity_id = 42'
	bad ocsf_check 'time: is string "2026-11-28", not timestamp_t' '.time = "2026-11-28"'
	bad ocsf_check 'metadata.sequence: 4294967296 is out of the range of integer_t' '.metadata.sequence = 4294967296'
	bad ocsf_check 'message: 65536 characters, longer than string_t allows' '.message = ("x" * 65536)'
	bad ocsf_check 'cloud: attribute of profile cloud, which metadata.profiles does not name' '.cloud = {"provider":"x"}'
	bad ocsf_check 'metadata.profiles[0]: "nope" is not an OCSF profile' '.metadata.profiles = ["nope"]'
	bad ocsf_check 'metadata.version: 1.4.0 cannot be validated by schema 1.3.0' '.metadata.version = "1.4.0"'
	bad ocsf_check 'class_uid: 9999 is not the uid of an OCSF' '.class_uid = 9999'
	bad ocsf_check 'class_uid: missing' 'del(.class_uid)'
	# the defects issue 15 names, on events of the classes alog emits
	bad ocsf_check 'database.type_id: required attribute missing' \
		'.class_uid = 6005 | .category_uid = 6 | .activity_id = 4 | .type_uid = 600504
		 | del(.class_name, .category_name, .activity_name, .type_name, .user, .service)
		 | .database = {"name": "payments"}'
	bad ocsf_check 'actor: not an attribute of class Base Event (0)' \
		'.class_uid = 0 | .category_uid = 0 | .activity_id = 99 | .type_uid = 99
		 | del(.class_name, .category_name, .activity_name, .type_name, .user, .service, .src_endpoint)'
	bad ocsf_check 'src_endpoint: required attribute missing' \
		'.class_uid = 6003 | .category_uid = 6 | .activity_id = 1 | .type_uid = 600301
		 | del(.class_name, .category_name, .activity_name, .type_name, .user, .service, .src_endpoint)
		 | .api = {"operation": "user.create"}'
	run ocsf_check <<<'[1]'
	[ "$status" -eq 1 ]
	[[ $output == *"an event is a JSON object"* ]]
}

@test "ocsf-check compiles classes as the OCSF schema publishes them" {
	# required attributes of each class, with no profile applied, as the
	# OCSF 1.3.0 schema pages list them (inheritance from base_event and the
	# category classes, includes and profiles resolved)
	python3 -B - "$TOOLS" <<'EOF'
import importlib.util, sys
spec = importlib.util.spec_from_file_location("oc", sys.argv[1] + "/ocsf-check.py")
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
s = m.Schema(m.DEFAULT_SCHEMA)
base = {"activity_id", "category_uid", "class_uid", "metadata", "severity_id", "time", "type_uid"}
want = {0: set(), 3002: {"user"}, 3001: {"user"}, 6003: {"actor", "api", "src_endpoint"},
        6005: {"actor", "src_endpoint"}, 1007: {"actor", "device", "process"},
        3004: {"entity"}, 1001: {"actor", "device", "file"}}
for uid, extra in want.items():
    c = s.classes[uid]
    req = {k for k, a in c["attributes"].items()
           if a.get("requirement") == "required" and a.get("profile") is None}
    assert req == base | extra, (uid, c["caption"], sorted(req ^ (base | extra)))
assert s.classes[3002]["caption"] == "Authentication" and s.classes[6005]["caption"] == "Datastore Activity"
assert "actor" not in s.classes[0]["attributes"]
assert s.classes[6005]["attributes"]["action_id"]["profile"] == "security_control"
assert s.objects["database"]["attributes"]["type_id"]["requirement"] == "required"
assert s.objects["network_endpoint"]["attributes"]["port"]["type"] == "port_t"
assert s.classes[3002]["attributes"]["status_id"]["enum"]["1"]["caption"] == "Success"
assert len(s.classes) == 65, len(s.classes)
EOF
	local shared
	shared=$(shared_schemas)/ocsf-1.3.0 || skip "the shared schema copy is not beside the repository"
	python3 "$TOOLS/schema-bundle.py" ocsf "$shared" | cmp - "$SCHEMAS/ocsf-1.3.0.json"
	# the checker reads the upstream layout as well as the bundle
	echo "$OCSF_GOOD" | jq -c '.status = "success"' >bad.json
	run ocsf_check --schema "$shared" bad.json
	[ "$status" -eq 1 ]
	[[ $output == *'captioned "Success"'* ]]
}

# the JSON cef-parse.py prints for one line, reduced by a jq filter
cef() { printf '%s\n' "$1" | cef_parse | jq -c "$2"; }

@test "cef-parse reads header and extension by the Logstash codec's rules" {
	sed 's/@VERSION@/0.1.0/' "$BATS_TEST_DIRNAME/data/export/cef.txt" | cef_parse --strict >parsed
	[ "$(jq -r .extension.msg parsed | sed -n 3p)" = 'a|b\c=d]e"f' ]
	[ "$(jq -r .extension.suser parsed | sed -n 3p)" = "=cmd|' /C calc'!A0" ]
	[ "$(jq -r .extension.cs1Label parsed | sed -n 2p)" = target ]
	# header: \| and \\ unescaped, other backslashes kept; a syslog prefix split off
	[ "$(cef '<13>Nov 28 h CEF:0|a\|b|c\\|d\x|sig|na me|Low|k=v' '[.syslog,.version,.vendor,.product,.device_version,.name]')" = \
		'["<13>Nov 28 h","0","a|b","c\\","d\\x","na me"]' ]
	# values run to the space before the next key=; = elsewhere, | and spaces are the value's
	[ "$(cef 'CEF:0|a|b|c|d|e|3|a=x y z b=1=2 c=p|q' .extension)" = '{"a":"x y z","b":"1=2","c":"p|q"}' ]
	# a value ending in | takes the next pair with it when the space is missing
	[ "$(cef 'CEF:0|a|b|c|d|e|3|suser=x|act=login' .extension)" = '{"suser":"x|act=login"}' ]
	# trailing white space of a value is lost, at the end of the line too
	[ "$(cef 'CEF:0|a|b|c|d|e|3|a=x   b=y  ' .extension)" = '{"a":"x","b":"y"}' ]
	[ "$(cef 'CEF:0|a|b|c|d|e|3|a= x' .extension.a)" = '" x"' ]
	# escapes in values: \\ \= \n \r, in one scan; others left
	[ "$(cef 'CEF:0|a|b|c|d|e|3|a=\\n\=\n\r\t' .extension.a)" = '"\\n=\n\r\\t"' ]
	# a key given twice keeps the last value, and that is reported
	[ "$(cef 'CEF:0|a|b|c|d|e|3|a=1 a=2' '[.extension.a,.keys,.problems[0]]')" = \
		'["2",["a","a"],"key a given twice: the value before the last is hidden"]' ]
	# keys: word characters, dotted parts, an index
	[ "$(cef 'CEF:0|a|b|c|d|e|3|ad.x_y[0]=1 _k=2' .keys)" = '["ad.x_y[0]","_k"]' ]
	# a line starting with a double quote loses its first and last character
	[ "$(cef '"CEF:0|a|b|c|d|e|3|a=1"' .extension.a)" = '"1"' ]
	# what a consumer cannot parse
	[ "$(cef 'CEF:0|a|b|c' .error)" = '"not CEF: found 3 of 7 pipe-terminated header fields"' ]
	[ "$(cef 'CEF:0|a|b|c|d|e|3|a=1 =x' .extension.a)" = '"1 =x"' ]
	[[ $(cef 'CEF:0|a|b|c|d|e|3|=x' .error) == *"keyless value"* ]]
	[[ $(cef 'CEF:0|a|b|c|d|e|3|novalue' .error) == *"keyless value"* ]]
	printf 'CEF:0|a|b|c|d|e|3|a=\xff\n' | cef_parse >out || true
	[ "$(jq -r .error out)" = "invalid UTF-8" ]
	run cef_parse <<<'CEF:0|a|b|c'
	[ "$status" -eq 1 ]
}

@test "cef-parse --strict reports what breaks ArcSight's rules" {
	strict() {
		run cef_parse --strict <<<"$1"
		[ "$status" -eq 1 ] && [[ $(jq -r '.problems[]' <<<"$output") == *"$2"* ]] ||
			{ echo "$1: $output"; return 1; }
	}
	cef_parse --strict <<<'CEF:0|alog|alog|1.0|auth.login|auth.login|Very-High|src=10.0.0.1 spt=22 rt=1795843038000 c6a2=2001:db8::1 cn1=-5 cfp1=1.5 msg=a\=b\\c\nd act=x|y'
	cef_parse --strict <<<'CEF:1|a|b|c|d|e|10|rt=Nov 28 2026 05:17:18.123 UTC end=Nov 28 05:17:18'
	strict 'CEF:0|a|b|c|d|e|3|msg=a=b' 'key msg: unescaped = in the value'
	strict 'CEF:0|a|b|c|d|e|3|msg=a\tb' 'key msg: a backslash that is not'
	strict 'CEF:0|a\b|b|c|d|e|3|' 'header field vendor: a backslash that escapes neither'
	strict 'CEF:0|a|b|c|d|e|3|my_key=1' 'key my_key is not alphanumeric'
	strict 'CEF:0|a|b|c|d|e|11|' "severity '11' is not 0 to 10"
	strict 'CEF:2|a|b|c|d|e|3|' "CEF version '2' is not 0 or 1"
	strict 'CEF:0|a|b|c|d|e|3|src=10.0.0.1:443' "key src: '10.0.0.1:443' is not an IPv4 address"
	strict 'CEF:0|a|b|c|d|e|3|src=2001:db8::1' "key src: '2001:db8::1' is not an IPv4 address"
	strict 'CEF:0|a|b|c|d|e|3|spt=x' "key spt: 'x' is not a port"
	strict 'CEF:0|a|b|c|d|e|3|spt=70000' "key spt: '70000' is not a port"
	strict 'CEF:0|a|b|c|d|e|3|rt=yesterday' "key rt: 'yesterday' is not a time stamp"
	strict 'CEF:0|a|b|c|d|e|3|cn1=1.5' "key cn1: '1.5' is not an integer"
	strict 'CEF:0|a|b|c|d|e|3|a=1 a=2' 'key a given twice'
	# lengths beyond the dictionary's are notes, not problems
	cef_parse --strict <<<"CEF:0|a|b|c|d|e|3|act=$(printf 'x%.0s' {1..64})" >out
	[[ $(jq -r '.notes[0]' out) == "key act: 64 characters, the ArcSight dictionary allows 63" ]]
}
