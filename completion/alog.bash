# bash completion for the alog tools: alog-append, alog-verify, alog-seal,
# alog-keygen, alog-grep, alog-export, alog-run (the options of each come
# from its own --help).
#
# Installed by `make install` once per tool name under
# $PREFIX/share/bash-completion/completions/, where bash-completion loads
# it the first time one of the tools is completed.  It also works sourced
# by hand in a bash without bash-completion (file names then come from
# compgen -f).

# The long and short options a tool's --help lists ("  -f, --file LOG  ...",
# "      --color[=WHEN], --colour[=WHEN]  ..."), cached per tool.
_alog_options()
{
	local tool=$1 var
	var=_alog_opts_${tool//[^A-Za-z0-9]/_}
	if [[ -z ${!var-} ]]; then
		printf -v "$var" '%s' "$("$tool" --help 2>/dev/null | awk '/^ +-/ {
			line = $0; sub(/^ +/, "", line); sub(/  .*$/, "", line)
			n = split(line, w, /[ ,]+/)
			for (i = 1; i <= n; i++) {
				o = w[i]; eq = (o ~ /\[=/); sub(/\[.*$/, "", o)
				if (o ~ /^--?[A-Za-z0-9][A-Za-z0-9-]*$/) print o (eq ? "=" : "")
			}
		}')"
	fi
	printf '%s\n' "${!var}"
}

# Files of a kind: the extension (without the dot), or "" for any file.
_alog_files()
{
	local ext=$1 cur=$2
	if declare -F _filedir >/dev/null; then
		_filedir "$ext"
		return
	fi
	local IFS=$'\n' f
	COMPREPLY=()
	for f in $(compgen -f -- "$cur"); do
		if [[ -d $f ]]; then
			COMPREPLY+=("$f/")
		elif [[ -z $ext || $f == *."$ext" ]]; then
			COMPREPLY+=("$f")
		fi
	done
	compopt -o filenames -o nospace 2>/dev/null
}

# The values of an option that takes one: sets COMPREPLY and returns 0, or
# returns 1 for an option that takes none.
_alog_value()
{
	local tool=$1 opt=$2 cur=$3 words=
	case $tool:$opt in
	alog-export:-F | alog-export:--format)
		words='ndjson json csv tsv syslog cef ecs ocsf asciicast' ;;
	alog-export:--framing)
		words='newline octet-counting' ;;
	alog-grep:--color | alog-grep:--colour)
		words='auto always never' ;;
	alog-append:--sync)
		words='each batch none' ;;
	alog-append:--source)
		words='json postgres-jsonlog nginx-json syslog rsyslog' ;;
	alog-append:--result)
		words='success failure' ;;
	alog-run:--env)
		mapfile -t COMPREPLY < <(compgen -e -- "$cur"); return 0 ;;
	*:-f | *:--file | alog-seal:--rotate)
		_alog_files alog "$cur"; return 0 ;;
	*:--policy | *:--policy-check | *:--map)
		_alog_files json "$cur"; return 0 ;;
	alog-keygen:-p | alog-keygen:--public | alog-keygen:-s | alog-keygen:--secret | \
	*:--decrypt | *:--key-state | *:--checkpoint | *:--proof | *:--tree-state | \
	*:-o | *:--output | *:--follow | *:--consistency | alog-export:--state | \
	alog-export:--commit-state | alog-append:--sample)
		_alog_files "" "$cur"; return 0 ;;
	*:-p | *:--public | alog-seal:--next-key)
		_alog_files pub "$cur"; return 0 ;;
	*:-s | *:--secret)
		_alog_files key "$cur"; return 0 ;;
	alog-grep:-m | alog-grep:-n | alog-grep:-A | alog-grep:-B | alog-grep:-C | *:--lines | \
	*:--epochs | *:--jobs | *:--lock-wait | \
	*:--max-count | *:--after-context | *:--before-context | *:--context | \
	*:--since | *:--until | *:--max-unsealed | *:--origin | *:--fields | *:--bulk | \
	*:--redact | *:--drop | alog-grep:-e | alog-grep:--query | *:--reason | *:--ticket | \
	*:--session | *:--sd-id | *:--since-seq)
		COMPREPLY=(); return 0 ;;
	*)
		return 1 ;;
	esac
	mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
	return 0
}

_alog()
{
	local tool=${1##*/} cur prev i
	COMPREPLY=()
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}

	# --opt=VALUE (bash splits at "=" when it is in COMP_WORDBREAKS)
	if [[ $cur == --*=* ]]; then
		_alog_value "$tool" "${cur%%=*}" "${cur#*=}" && return 0
	elif [[ $cur == = && $prev == --* ]]; then
		_alog_value "$tool" "$prev" "" && return 0
	elif [[ $prev == = && $COMP_CWORD -ge 2 && ${COMP_WORDS[COMP_CWORD-2]} == --* ]]; then
		_alog_value "$tool" "${COMP_WORDS[COMP_CWORD-2]}" "$cur" && return 0
	elif [[ $prev == -* ]] && _alog_value "$tool" "$prev" "$cur"; then
		return 0
	fi

	# alog-run: the command, then that command's own completion
	if [[ $tool == alog-run ]]; then
		for ((i = 1; i < COMP_CWORD; i++)); do
			case ${COMP_WORDS[i]} in
			--) ((i++)); break ;;
			--*=* | -[!-]?*) ;;
			-*) _alog_value "$tool" "${COMP_WORDS[i]}" "" && ((i++)) ;;
			*) break ;;
			esac
		done
		if ((i <= COMP_CWORD)) && [[ $i -lt $COMP_CWORD || $cur != -* ]]; then
			if declare -F _command_offset >/dev/null; then
				_command_offset "$i"
			elif ((i == COMP_CWORD)); then
				mapfile -t COMPREPLY < <(compgen -c -- "$cur")
			else
				_alog_files "" "$cur"
			fi
			return 0
		fi
	fi

	# after "--", only files
	for ((i = 1; i < COMP_CWORD; i++)); do
		[[ ${COMP_WORDS[i]} == -- ]] && { _alog_files alog "$cur"; return 0; }
	done

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$(_alog_options "$tool")" -- "$cur")
		[[ ${COMPREPLY[0]-} == *= ]] && compopt -o nospace 2>/dev/null
		return 0
	fi

	case $tool in
	alog-verify | alog-grep | alog-export)
		_alog_files alog "$cur" ;;
	alog-append | alog-seal | alog-keygen)
		# KEY=VALUE arguments (alog-append) and no operands otherwise
		COMPREPLY=() ;;
	*)
		_alog_files "" "$cur" ;;
	esac
	return 0
}

complete -F _alog alog-append alog-verify alog-seal alog-keygen alog-grep alog-export alog-run
