#!/bin/bash
# help-man.sh BINDIR MANDIR CMDDIR - each tool's --help, its man page and the
# option table it parses agree:
#   - the options it accepts (cmd/TOOL.c: the long option table and the
#     short option string, plus -h/--help/--version) are the options listed
#     by --help and the options of the page's OPTIONS section, both ways;
#   - the usage lines of --help and the page's SYNOPSIS name the same
#     options at the same depth of [ ] nesting.
# Prints each disagreement as "TOOL: what"; exit 1 if there is any.
bindir=$1 mandir=$2 cmddir=$3
status=0

# Options listed by --help: the lines "  -x, --name ARG  what" or
# "      --name[=ARG], --other  what" (up to the two spaces before "what").
help_opts() {
	awk '/^ +-/ {
		line = $0; sub(/^ +/, "", line); sub(/  .*$/, "", line)
		n = split(line, w, /[ ,[]+/)
		for (i = 1; i <= n; i++)
			if (w[i] ~ /^(-[A-Za-z0-9]|--[a-z][a-z0-9-]*)$/) print w[i]
	}'
}

# Options of a man page's OPTIONS section (.It lines).
man_opts() {
	awk '/^\.Sh / { in_o = ($2 == "OPTIONS") } in_o && /^\.It / {
		n = split($0, w, /[ \t]+/)
		for (i = 1; i < n; i++)
			if (w[i] == "Fl") {
				if (w[i + 1] ~ /^-[a-z]/) { o = w[i + 1]; sub(/[^a-z0-9-].*$/, "", o); print "-" o }
				else if (w[i + 1] ~ /^[A-Za-z0-9]$/) print "-" w[i + 1]
			}
	}' "$1"
}

# The options a tool parses: its long option table and its short option string.
src_opts() {
	local src=$1
	grep -oE '\{"[a-z][a-z0-9-]*", *(no|required|optional)_argument' "$src" |
		sed -E 's/^\{"([^"]*)".*/--\1/'
	sed -nE 's/.*struct alog_cli cli = \{"[^"]*", *usage, *"([^"]*)".*/\1/p' "$src" |
		tr -d ':' | grep -o . | sed 's/^/-/'
	printf '%s\n' -h --help --version
}

# Options of a synopsis (plain text) with their [ ] depth: "OPTION_at_depth_N",
# grouped short options ([-aq]) split into one line each.
syn_depth() {
	awk '/^ *alog-/ { d = 0 } {
		s = $0
		while (length(s) > 0) {
			c = substr(s, 1, 1)
			if (c == "[") { d++; s = substr(s, 2); continue }
			if (c == "]") { d--; s = substr(s, 2); continue }
			if (match(s, /^--[a-z][a-z0-9-]*/)) { print substr(s, 1, RLENGTH) "_at_depth_" d; s = substr(s, RLENGTH + 1); continue }
			if ((prev == "" || prev ~ /[ [(|{]/) && match(s, /^-[A-Za-z0-9]+/)) {
				for (i = 2; i <= RLENGTH; i++) print "-" substr(s, i, 1) "_at_depth_" d
				s = substr(s, RLENGTH + 1); prev = "x"; continue
			}
			prev = c; s = substr(s, 2)
		}
		prev = ""
	}' | sort -u
}

# The usage lines of --help: from "usage:" to the first blank line.
help_synopsis() {
	awk 'NR == 1 { sub(/^usage: */, "") } /^$/ { exit } { print }'
}

# The SYNOPSIS of a page as mandoc renders it.
man_synopsis() {
	mandoc -T ascii "$1" | col -b |
		awk '/^SYNOPSIS/ { on = 1; next } /^[A-Z]/ { on = 0 } on { print }'
}

# compare TOOL WHAT LEFT-NAME LEFT RIGHT-NAME RIGHT: two sorted lists.
compare() {
	local tool=$1 what=$2 ln=$3 l=$4 rn=$5 r=$6 x
	for x in $(comm -23 <(echo "$l") <(echo "$r")); do
		echo "$tool: $what ${x//_/ } is in $ln but not in $rn"
		status=1
	done
	for x in $(comm -13 <(echo "$l") <(echo "$r")); do
		echo "$tool: $what ${x//_/ } is in $rn but not in $ln"
		status=1
	done
}

tools=0
for bin in "$bindir"/alog-*; do
	tool=${bin##*/}
	page=$(ls "$mandir/$tool".[18] 2>/dev/null | head -n 1)
	src=$cmddir/$tool.c
	[ -f "$src" ] || continue
	if [ -z "$page" ]; then
		echo "$tool: no man page"
		status=1
		continue
	fi
	tools=$((tools + 1))
	help=$("$bin" --help)
	h=$(help_opts <<<"$help" | sort -u)
	m=$(man_opts "$page" | sort -u)
	s=$(src_opts "$src" | sort -u)
	compare "$tool" option "the option table" "$s" "--help" "$h"
	compare "$tool" option "the option table" "$s" "the page's OPTIONS" "$m"
	hs=$(help_synopsis <<<"$help" | syn_depth)
	ms=$(man_synopsis "$page" | syn_depth)
	compare "$tool" option "the --help usage" "$hs" "the page's SYNOPSIS" "$ms"
done
[ $status = 0 ] && echo "help and man pages agree: $tools tools"
exit $status
