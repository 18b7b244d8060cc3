# alog-export -F tsv: the default columns, formulas and a leading double
# quote prefixed with a quote.  Run as jq -n -r -f tsv.jq LOG.
{"=": 1, "+": 1, "-": 1, "@": 1, "\t": 1, "\r": 1, "\"": 1} as $formula
| def cell: if type == "string" and $formula[.[0:1]] then "'" + . else . end;
input | empty,
"seq\tts\tactor\taction\ttarget\tmsg",
(inputs | select(has("type") | not)
	| [.seq, .ts, .actor, .action, .target, .msg] | map(cell) | @tsv)
