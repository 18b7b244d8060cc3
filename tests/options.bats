#!/usr/bin/env bats
# Options as every tool parses them (base/util.c alog_cli_next), and what
# --help and the man pages say about them.

load helpers

man_dir() { echo "$BATS_TEST_DIRNAME/../man"; }

@test "an argument to an option that takes none is named as such" {
	run alog-append --text=yes
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "alog-append: option '--text' does not take an argument" ]
	[ "${lines[1]}" = "Try 'alog-append --help' for more information." ]
	# an abbreviation too, and in every tool
	run alog-append --te=yes
	[ "${lines[0]}" = "alog-append: option '--text' does not take an argument" ]
	run alog-verify --json=1
	[ "${lines[0]}" = "alog-verify: option '--json' does not take an argument" ]
	run alog-grep --count=2 x
	[ "${lines[0]}" = "alog-grep: option '--count' does not take an argument" ]
	run alog-export --with-meta=yes
	[ "${lines[0]}" = "alog-export: option '--with-meta' does not take an argument" ]
	run alog-seal --vkey=yes
	[ "${lines[0]}" = "alog-seal: option '--vkey' does not take an argument" ]
	run alog-keygen --reader=yes
	[ "${lines[0]}" = "alog-keygen: option '--reader' does not take an argument" ]
	run alog-keygen --help=me
	[ "${lines[0]}" = "alog-keygen: option '--help' does not take an argument" ]
}

@test "an ambiguous prefix names the options it could be" {
	run alog-verify --str
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "alog-verify: option '--str' is ambiguous: it could be --strict, --strict-time" ]
	run alog-verify --str=1
	[ "${lines[0]}" = "alog-verify: option '--str' is ambiguous: it could be --strict, --strict-time" ]
	run alog-append --s
	[ "${lines[0]}" = "alog-append: option '--s' is ambiguous: it could be --sync, --skip-bad, --source, --sample" ]
	# two names of one option are no ambiguity: --col is --color (or --colour)
	alog-append -f g.alog n=1
	run alog-grep --col=never n=1 g.alog
	[ "$status" -eq 0 ]
	# a prefix of one option is that option; an exact name wins over longer ones
	alog-append -f a.alog --tex <<<"hello"
	alog-verify --strict -q a.alog
	alog-verify --strict-t -q a.alog
}

@test "unknown options and missing arguments, long and short" {
	run alog-verify --bogus
	[ "${lines[0]}" = "alog-verify: unknown option '--bogus'" ]
	run alog-verify -z
	[ "${lines[0]}" = "alog-verify: unknown option '-z'" ]
	# a bad short option in a group after a long one is still named as short
	run alog-verify --json -qz
	[ "${lines[0]}" = "alog-verify: unknown option '-z'" ]
	run alog-verify --jobs
	[ "${lines[0]}" = "alog-verify: option '--jobs' needs an argument" ]
	run alog-append -f
	[ "${lines[0]}" = "alog-append: option '-f' needs an argument" ]
}

@test "--help, the man page and the option table agree for every tool" {
	run bash "$BATS_TEST_DIRNAME/help-man.sh" "$ALOG_BIN" "$(man_dir)" "$BATS_TEST_DIRNAME/../cmd"
	echo "$output"
	[ "$status" -eq 0 ]
}

@test "help-man.sh finds an option missing from --help, from the page, or nested differently" {
	mkdir -p bin man cmd
	cat >bin/alog-x <<'EOF'
#!/bin/sh
cat <<'HELP'
usage: alog-x [-a] [-p FILE [--deep]] [--flat]

  -a, --all          all
  -p, --public FILE  key
      --flat         flat
  -h, --help         help
      --version      version
HELP
EOF
	chmod +x bin/alog-x
	cat >cmd/alog-x.c <<'EOF'
static const struct option longopts[] = {
	{"all", no_argument, NULL, 'a'},
	{"public", required_argument, NULL, 'p'},
	{"deep", no_argument, NULL, 1},
	{"flat", no_argument, NULL, 2},
	{"hidden", no_argument, NULL, 3},
};
	static const struct alog_cli cli = {"alog-x", usage, "ap:", longopts};
EOF
	cat >man/alog-x.1 <<'EOF'
.Dd December 1, 2026
.Dt ALOG-X 1
.Os
.Sh NAME
.Nm alog-x
.Nd x
.Sh SYNOPSIS
.Nm
.Op Fl a
.Op Fl p Ar file Op Fl -deep
.Op Fl -flat
.Sh DESCRIPTION
x
.Sh OPTIONS
.Bl -tag -width Ds
.It Fl a , Fl -all
all
.It Fl p Ar file , Fl -public Ns = Ns Ar file
key
.It Fl -deep
deep
.It Fl -flat
flat
.It Fl h , Fl -help
help
.It Fl -version
version
.El
EOF
	run bash "$BATS_TEST_DIRNAME/help-man.sh" bin man cmd
	[ "$status" -eq 1 ]
	[[ $output == *"alog-x: option --deep is in the option table but not in --help"* ]]
	[[ $output == *"alog-x: option --hidden is in the option table but not in --help"* ]]
	[[ $output == *"alog-x: option --hidden is in the option table but not in the page's OPTIONS"* ]]
	[[ $output != *"--flat"* ]]
	# --deep nested in the page, at the top in --help
	sed -i 's/^.Op Fl p Ar file Op Fl -deep/.Op Fl p Ar file\n.Op Fl -deep/' man/alog-x.1
	sed -i 's/\[-p FILE \[--deep\]\]/[-p FILE [--deep]] [--hidden]/' bin/alog-x
	run bash "$BATS_TEST_DIRNAME/help-man.sh" bin man cmd
	[[ $output == *"alog-x: option --deep at depth 2 is in the --help usage but not in the page's SYNOPSIS"* ]]
	[[ $output == *"alog-x: option --deep at depth 1 is in the page's SYNOPSIS but not in the --help usage"* ]]
	[[ $output == *"alog-x: option --hidden at depth 1 is in the --help usage but not in the page's SYNOPSIS"* ]]
}

@test "the default log of a user other than root is in every --help and page that has one" {
	for t in alog-append alog-seal alog-export alog-run; do
		[ -x "$ALOG_BIN/$t" ] || continue
		run "$t" --help
		[[ $output == *'$XDG_STATE_HOME/alog/audit.alog'* ]] || { echo "$t --help"; false; }
		[[ $output == *'~/.local/state/alog/audit.alog'* ]]
		[[ $output == *'/var/log/alog/audit.alog'* ]]
	done
	for t in alog-append alog-seal alog-export alog-verify alog-grep alog-run; do
		[ -f "$(man_dir)/$t.1" ] || continue
		files=$(mandoc -T ascii "$(man_dir)/$t.1" | col -b | sed -n '/^FILES/,/^[A-Z]/p')
		[[ $files == *'$XDG_STATE_HOME/alog/audit.alog'* ]] || { echo "$t.1 FILES"; false; }
		[[ $files == *'~/.local/state/alog/audit.alog'* ]]
		[[ $files == *'/var/log/alog/audit.alog'* ]]
	done
	for t in alog-append alog-seal alog-export alog-run; do
		[ -f "$(man_dir)/$t.1" ] || continue
		env=$(mandoc -T ascii "$(man_dir)/$t.1" | col -b | sed -n '/^ENVIRONMENT/,/^[A-Z]/p')
		[[ $env == *ALOG_FILE*XDG_STATE_HOME* ]] || { echo "$t.1 ENVIRONMENT"; false; }
	done
}

@test "NO_COLOR set and not empty turns colour off; set but empty does not (no-color.org)" {
	command -v script >/dev/null || skip "no script(1): no terminal to test colour on"
	alog-append -f a.alog actor=alice action=x
	esc=$'\e['
	# script gives alog-grep a terminal; TERM is not dumb
	out=$(TERM=xterm NO_COLOR= script -qec "alog-grep --pretty actor=alice a.alog" /dev/null)
	[[ $out == *"$esc"* ]]
	out=$(TERM=xterm NO_COLOR=1 script -qec "alog-grep --pretty actor=alice a.alog" /dev/null)
	[[ $out != *"$esc"* ]]
	out=$(TERM=xterm NO_COLOR=1 script -qec "alog-grep --pretty --color=always actor=alice a.alog" /dev/null)
	[[ $out == *"$esc"* ]]
	out=$(TERM=dumb script -qec "alog-grep --pretty actor=alice a.alog" /dev/null)
	[[ $out != *"$esc"* ]]
	mandoc -T ascii "$(man_dir)/alog-grep.1" | col -b | tr -s ' \t\n' ' ' | grep -q 'NO_COLOR is unset or empty'
}

@test "--jobs: the cap of 16 threads is in --help and the page" {
	grep -q '^#define ALOG_VPOOL_MAX_JOBS 16$' "$BATS_TEST_DIRNAME/../common/ops/verify_pool.h"
	run alog-verify --help
	[[ $output == *"--jobs N       hash records in N threads, at most 16"* ]]
	mandoc -T ascii "$(man_dir)/alog-verify.1" | col -b | tr -s ' \t\n' ' ' | grep -q 'at most 16 are used'
	alog-append -f a.alog n=1
	alog-verify -q --jobs 256 a.alog
	run alog-verify --jobs 257 a.alog
	[ "$status" -eq 2 ]
}
