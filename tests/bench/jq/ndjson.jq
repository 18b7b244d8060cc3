# alog-export (ndjson): each event as stored, without the record's seq, ts
# and hash.  Run as jq -n -c -f ndjson.jq LOG.
input | empty,
(inputs | select(has("type") | not) | del(.seq, .ts, .hash))
