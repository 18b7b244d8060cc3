# alog-export -F json: one JSON array, an event a line, written as it goes.
# Run as jq -n -j -f json.jq LOG.
input | empty,
"[\n",
(foreach (inputs | select(has("type") | not) | del(.seq, .ts, .hash) | tojson) as $l
	(0; . + 1; if . == 1 then $l else ",\n" + $l end)),
"\n]\n"
