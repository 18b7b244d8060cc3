#!/usr/bin/env bats
# Shell completion (completion/): the bash one loaded by bash-completion
# from where `make install` puts it, the zsh one through compinit in a real
# interactive zsh; options, the formats of alog-export -F, and file kinds.

load helpers

repo() { cd "$BATS_TEST_DIRNAME/.." && pwd; }
BASH_COMPLETION=/usr/share/bash-completion/bash_completion

# install_tree: `make install` into ./root (PREFIX=/usr), from the build the
# tests run (nothing is rebuilt when it is up to date).
install_tree() {
	make -s -C "$(repo)" install DESTDIR="$PWD/root" PREFIX=/usr \
		BUILD="${ALOG_BIN%/bin}" >/dev/null
}

# complete_bash WORD...: what bash-completion offers for the command line
# WORD... (the last word is the one being completed), one per line.  The
# completion is loaded the way an interactive bash does it: bash-completion's
# loader finds the installed file by the command's name.
complete_bash() {
	bash -c '
		source "$1" || exit 1
		shift
		__load_completion "$1" || { echo "no completion for $1"; exit 1; }
		spec=$(complete -p "$1") || exit 1
		fn=${spec#*-F }; fn=${fn%% *}
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort -u
	' bash "$BASH_COMPLETION" "$@" 2>/dev/null
}

setup() {
	PATH="$(_alog_path):$ALOG_TESTBIN:$PATH"
	export PATH ALOG_ORIGIN=test.example/audit
	unset ALOG_FILE ALOG_POLICY
	cd "$BATS_TEST_TMPDIR" || exit 1
	[ -f "$BASH_COMPLETION" ] || skip "bash-completion is not installed"
	install_tree
	export XDG_DATA_DIRS=$PWD/root/usr/share BASH_COMPLETION_USER_DIR=$PWD/none
}

@test "make install puts the bash completion under every tool's name and the zsh one as _alog" {
	for t in "$ALOG_BIN"/alog-*; do
		cmp root/usr/share/bash-completion/completions/"${t##*/}" "$(repo)/completion/alog.bash"
	done
	cmp root/usr/share/zsh/site-functions/_alog "$(repo)/completion/_alog"
	make -s -C "$(repo)" uninstall DESTDIR="$PWD/root" PREFIX=/usr BUILD="${ALOG_BIN%/bin}"
	[ -z "$(find root -type f)" ]
}

@test "bash: alog-export -F <TAB> offers the formats" {
	run complete_bash alog-export -F ''
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf '%s\n' ndjson json csv tsv syslog cef ecs ocsf asciicast | sort)" ]
	# the formats --help lists, the same
	[ "$output" = "$(alog-export --help | sed -n '/^  -F, --format/,/^  *--/p' | sed '$d' |
		sed 's/^  -F, --format NAME//; s/([^)]*)//g' | tr ', ' '\n\n' | grep . | sort)" ]
	run complete_bash alog-export -F c
	[ "$output" = "$(printf '%s\n' cef csv)" ]
	run complete_bash alog-export --format = t
	[ "$output" = tsv ]
	# each format offered is one alog-export takes
	alog-append -f a.alog n=1
	for f in $(complete_bash alog-export -F ''); do
		[ "$f" = asciicast ] && continue # needs an alog-run session
		alog-export -F "$f" a.alog >/dev/null
	done
	run complete_bash alog-export --framing o
	[ "$output" = octet-counting ]
}

@test "bash: options come from --help; values and file kinds after an option" {
	run complete_bash alog-verify --st
	[ "$output" = "$(printf '%s\n' --strict --strict-time)" ]
	run complete_bash alog-grep --col
	[ "$output" = "$(printf '%s\n' --color= --colour=)" ]
	run complete_bash alog-grep --color = a
	[ "$output" = "$(printf '%s\n' always auto)" ]
	run complete_bash alog-append --sync ''
	[ "$output" = "$(printf '%s\n' batch each none)" ]
	run complete_bash alog-append --source p
	[ "$output" = postgres-jsonlog ]
	mkdir files files/sub
	cd files
	touch a.alog b.alog k.pub k.key notes.txt p.json
	run complete_bash alog-verify ''
	[ "$output" = "$(printf '%s\n' a.alog b.alog sub)" ]
	run complete_bash alog-verify -p ''
	[ "$output" = "$(printf '%s\n' k.pub sub)" ]
	run complete_bash alog-seal -s ''
	[ "$output" = "$(printf '%s\n' k.key sub)" ]
	run complete_bash alog-append --policy ''
	[ "$output" = "$(printf '%s\n' p.json sub)" ]
	run complete_bash alog-export -f ''
	[ "$output" = "$(printf '%s\n' a.alog b.alog sub)" ]
}

@test "bash: alog-run completes its options, then the command and the command's own arguments" {
	[ -x "$ALOG_BIN/alog-run" ] || skip "no alog-run in this build"
	run complete_bash alog-run --tr
	[ "$output" = --transcript ]
	run complete_bash alog-run --reason 'restart pool' --env HOM
	[ "$output" = HOME ]
	run complete_bash alog-run --reason x alog-ver
	[ "$output" = alog-verify ]
	# the command's own completion: alog-verify's options
	run complete_bash alog-run -- alog-verify --str
	[ "$output" = "$(printf '%s\n' --strict --strict-time)" ]
}

@test "bash: every tool is completed, and every option --help shows with an argument has its values" {
	spec=$(grep '^complete ' "$(repo)/completion/alog.bash")
	for t in "$ALOG_BIN"/alog-*; do
		t=${t##*/}
		[[ " $spec " == *" $t "* ]] || { echo "$t is not in: $spec"; false; }
		# options followed by an argument in --help: "-f, --file LOG", "--color[=WHEN]"
		for o in $("$t" --help | awk '/^ +-/ {
			line = $0; sub(/^ +/, "", line); sub(/  .*$/, "", line)
			if (line ~ /[ [][A-Z]/) { n = split(line, w, /[ ,[]+/)
				for (i = 1; i <= n; i++) if (w[i] ~ /^--?[a-zA-Z]/) print w[i] }
		}'); do
			bash -c 'source "$1"; _alog_value "$2" "$3" ""' bash "$(repo)/completion/alog.bash" "$t" "$o" ||
				{ echo "$t $o: no values"; false; }
		done
	done
}

@test "zsh: every tool is in #compdef and its options are those of --help" {
	local z=$(repo)/completion/_alog
	for t in "$ALOG_BIN"/alog-*; do
		t=${t##*/}
		grep -q "^#compdef.* $t\\b" "$z" || { echo "$t is not in #compdef"; false; }
		help=$("$t" --help | awk '/^ +-/ {
			line = $0; sub(/^ +/, "", line); sub(/  .*$/, "", line)
			n = split(line, w, /[ ,[]+/)
			for (i = 1; i <= n; i++) if (w[i] ~ /^--?[a-zA-Z0-9][a-zA-Z0-9-]*$/) print w[i]
		}' | sort -u)
		zs=$(awk -v t="$t" '$0 == t ")" { on = 1; next } on && /^  ;;/ { on = 0 } on' "$z" |
			grep -oE "(^|[{,'(*])--?[a-zA-Z0-9][a-zA-Z0-9-]*" | sed -E "s/^[{,'(*]//" | sort -u)
		zs=$(printf '%s\n' $zs -h --help --version | sort -u)
		[ "$help" = "$zs" ] || { diff <(echo "$help") <(echo "$zs"); echo "$t: --help vs _alog"; false; }
	done
}

@test "zsh: alog-export -F <TAB> offers the formats in an interactive zsh" {
	command -v zsh >/dev/null || skip "zsh is not installed"
	zsh -n "$(repo)/completion/_alog"
	run timeout 30 zsh -f -c '
		zmodload zsh/zpty || exit 3
		zpty z "TERM=dumb zsh -f -i"
		zpty -w z "PS1=\"> \"; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
		zpty -w -n z "alog-export -F "$'"'"'\t'"'"'
		all=
		for i in {1..100}; do
			zpty -r -t z out && all+=$out
			[[ $all == *asciicast* && $all == *cef* && $all == *ecs* && $all == *ndjson* &&
			   $all == *syslog* && $all == *tsv* ]] && break
			sleep 0.1
		done
		zpty -d z
		print -r -- "$all"
	' zsh "$PWD/root/usr/share/zsh/site-functions"
	[ "$status" -eq 0 ]
	for f in asciicast cef csv ecs json ndjson ocsf syslog tsv; do
		[[ $output == *"$f"* ]] || { echo "zsh did not offer $f"; false; }
	done
}
