#!/bin/sh
# check-man.sh - lint the man pages with mandoc and check each tool's page
# has the sections a user looks for.
status=0
for page in "$@"; do
	if command -v mandoc >/dev/null 2>&1; then
		out=$(mandoc -T lint -W warning "$page" 2>&1)
		if [ -n "$out" ]; then
			echo "$out"
			status=1
		fi
	fi
	case $page in
	*.1) sections="NAME SYNOPSIS DESCRIPTION OPTIONS|ARGUMENTS EXIT.STATUS EXAMPLES" ;;
	*) sections="NAME DESCRIPTION" ;;
	esac
	for s in $sections; do
		if ! grep -Eq "^\.Sh ($s)" "$page"; then
			echo "$page: no $s section"
			status=1
		fi
	done
done
[ $status = 0 ] && echo "man pages: $# checked"
exit $status
