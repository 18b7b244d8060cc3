#!/bin/sh
# check-layers.sh - every folder of common/ is a layer, and a file includes
# headers only from its own layer or a lower one.  Includes are written
# with their folder ("format/record.h"), so the layer of a header is the
# first part of its name.  Prints one line per violation and exits 1.
#
#   sh tests/check-layers.sh [DIR]      (DIR: the library, default common)
#
# The order, lowest first (common/README says what each layer holds).
# capture/ is the highest library layer: it follows processes and files and
# writes through the writer and the policy.
LAYERS="base format log keys ops policy export grep capture"

dir=${1:-common}
if [ ! -d "$dir" ]; then
	echo "check-layers: $dir: no such directory" >&2
	exit 2
fi

files=$(find "$dir" -type f \( -name '*.c' -o -name '*.h' \) | LC_ALL=C sort)
[ -n "$files" ] || { echo "check-layers: $dir: no sources" >&2; exit 2; }
# shellcheck disable=SC2086
awk -v layers="$LAYERS" -v dir="$dir" '
	BEGIN {
		n = split(layers, l, " ")
		for (i = 1; i <= n; i++) rank[l[i]] = i
		bad = 0
	}
	# the layer of a path below dir: its first folder
	function layer_of(path,    rel, k) {
		rel = substr(path, length(dir) + 2)
		k = index(rel, "/")
		return k ? substr(rel, 1, k - 1) : ""
	}
	FNR == 1 {
		file = FILENAME
		own = layer_of(file)
		if (own == "" || !(own in rank)) {
			printf "check-layers: %s: not in a layer folder (the layers are: %s)\n", \
			       file, layers
			bad = 1
			nextfile
		}
	}
	/^[ \t]*#[ \t]*include[ \t]*"/ {
		inc = $0
		sub(/^[^"]*"/, "", inc)
		sub(/".*$/, "", inc)
		k = index(inc, "/")
		to = k ? substr(inc, 1, k - 1) : ""
		if (to == "" || !(to in rank)) {
			printf "check-layers: %s:%d: #include \"%s\" names no layer folder " \
			       "(write it as \"LAYER/%s\", LAYER one of: %s)\n", \
			       file, FNR, inc, inc, layers
			bad = 1
		} else if (rank[to] > rank[own]) {
			printf "check-layers: %s:%d: #include \"%s\": layer %s may not include " \
			       "from %s, a higher layer (order: %s)\n", \
			       file, FNR, inc, own, to, layers
			bad = 1
		}
	}
	END { exit bad }
' $files || exit 1
echo "layers: $(echo "$files" | wc -l) files checked ($LAYERS)"
