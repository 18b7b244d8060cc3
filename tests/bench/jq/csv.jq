# alog-export -F csv: the default columns, strings that a spreadsheet would
# take for a formula prefixed with a quote, CR LF line ends.  Run as
# jq -n -r -f csv.jq LOG.
{"=": 1, "+": 1, "-": 1, "@": 1, "\t": 1, "\r": 1} as $formula
| def cell: if type == "string" and $formula[.[0:1]] then "'" + . else . end;
input | empty,
"seq,ts,actor,action,target,msg\r",
(inputs | select(has("type") | not)
	| [.seq, .ts, .actor, .action, .target, .msg] | map(cell) | @csv + "\r")
