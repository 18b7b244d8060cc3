#!/usr/bin/env bash
# deps.sh - install the programs the test suite needs (tests/packages) that
# are missing.  `make check` runs it first.
#
#   tests/deps.sh           as root: install what is missing, saying what;
#                           as another user: name the command that does it
#                           (sudo tests/deps.sh) and exit 2
#   tests/deps.sh --check   say what is missing (exit 1), install nothing
#   tests/deps.sh --list    print the packages of tests/packages, one a line
#
# Installing test packages on a machine must not change what runs on it:
# - apt-get update runs first whenever something is to be installed, and
#   apt-get never removes a package (--no-remove);
# - no service starts: a temporary /usr/sbin/policy-rc.d answers 101 ("not
#   allowed") to every start request of the packages' scripts, and is
#   removed (or the one it replaced put back) when this script ends, also on
#   failure or interruption;
# - nothing is left enabled: every systemd unit and SysV start link that
#   became enabled during the install is disabled again;
# - PostgreSQL's package creates no "main" cluster (a temporary
#   create_main_cluster = false in /etc/postgresql-common/createcluster.d/);
# - the system logger is not touched: rsyslog and syslog-ng conflict with
#   each other (both provide system-log-daemon), so installing either would
#   remove the other, or add a second logger beside journald.  Both are
#   therefore never installed: their .deb is fetched with `apt-get download`,
#   unpacked with `dpkg-deb -x` into tests/.deps/ (ALOG_TEST_DEPS_DIR), and
#   run from there through the wrappers in tests/.deps/bin/, which point
#   the daemon at its unpacked modules and libraries; only their library
#   dependencies are installed.  The same copies are used whether or not the
#   machine runs either logger, so the tests see the same versions everywhere.
#
# Environment: ALOG_TEST_PACKAGES (another package list), ALOG_TEST_DEPS_DIR
# (where to unpack), ALOG_NO_DEPS=1 (report what is missing, install nothing,
# exit 0: the tests that need a missing program are skipped, visibly).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd -P)
list=${ALOG_TEST_PACKAGES:-$here/packages}
depsdir=${ALOG_TEST_DEPS_DIR:-$here/.deps}
me=$0

say() { printf 'deps.sh: %s\n' "$*"; }
warn() { printf 'deps.sh: warning: %s\n' "$*" >&2; }
die() { printf 'deps.sh: error: %s\n' "$*" >&2; exit 1; }

mode=install
for arg in "$@"; do
	case $arg in
	--check) mode=check ;;
	--list) mode=list ;;
	-h|--help) sed -n '2,9s/^# \{0,1\}//p' "$0"; exit 0 ;;
	*) echo "deps.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
	esac
done

# ---- the list ----
INSTALL=()
UNPACK=()
[ -r "$list" ] || die "cannot read the package list $list"
while read -r how name _; do
	case $how in
	''|'#'*) ;;
	install) INSTALL+=("$name") ;;
	unpack) UNPACK+=("$name") ;;
	*) die "$list: '$how $name': each line is 'install NAME' or 'unpack NAME'" ;;
	esac
done <"$list"

if [ "$mode" = list ]; then
	printf '%s\n' "${INSTALL[@]}" "${UNPACK[@]}"
	exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
	msg="not a Debian system: install the equivalents of these yourself: ${INSTALL[*]} ${UNPACK[*]}"
	if [ "${ALOG_NO_DEPS:-}" = 1 ]; then warn "$msg"; exit 0; fi
	die "$msg (or run make check ALOG_NO_DEPS=1 to skip the tests that need them)"
fi

root=0
[ "$(id -u)" = 0 ] && root=1

installed() {
	dpkg-query -W -f='${db:Status-Abbrev}' "$1" 2>/dev/null | grep -q '^ii'
}

# The library packages an unpacked package needs, from its Depends field
# (first of alternatives, versions dropped): from the copy unpacked, else
# from the package lists.  Prints nothing when neither is available.
parse_depends() {
	tr ',' '\n' | sed 's/|.*//; s/(.*)//; s/:any//; s/[[:space:]]//g' | grep -E '^(lib|zlib)' || true
}
lib_depends() {
	local pkg=$1
	if [ -f "$depsdir/$pkg/.unpacked" ]; then
		sed -n 's/^Depends: //p' "$depsdir/$pkg/.unpacked" | parse_depends
	else
		apt-cache show --no-all-versions "$pkg" 2>/dev/null | sed -n 's/^Depends: //p' | head -1 | parse_depends
	fi
}

# ---- unpacked packages: where their programs are, and the wrappers ----
# Each wrapper finds its unpacked tree relative to itself, so the checkout
# can move.
write_wrapper() { # NAME BODY
	local w=$depsdir/bin/$1
	mkdir -p "$depsdir/bin"
	{
		printf '#!/bin/sh\n# written by tests/deps.sh: run the unpacked %s\n' "$1"
		# shellcheck disable=SC2016
		printf 'd=$(cd "$(dirname "$0")/.." && pwd -P)\n'
		printf '%s\n' "$2"
	} >"$w.new"
	chmod 0755 "$w.new"
	mv -f "$w.new" "$w"
}

make_wrappers() { # PKG
	local pkg=$1 moddir
	case $pkg in
	rsyslog)
		moddir=$(cd "$depsdir/rsyslog" && find usr/lib -mindepth 2 -maxdepth 2 -type d -name rsyslog | head -1)
		[ -n "$moddir" ] || die "no module directory in the unpacked rsyslog"
		write_wrapper rsyslogd "exec \"\$d/rsyslog/usr/sbin/rsyslogd\" -M \"\$d/rsyslog/$moddir\" \"\$@\""
		;;
	syslog-ng-core)
		moddir=$(cd "$depsdir/syslog-ng-core" && find usr/lib/syslog-ng -mindepth 1 -maxdepth 1 -type d -name '[0-9]*' | head -1)
		[ -n "$moddir" ] || die "no module directory in the unpacked syslog-ng"
		# the binary's RUNPATH names /usr/lib/syslog-ng; LD_LIBRARY_PATH comes first
		local env="LD_LIBRARY_PATH=\"\$d/syslog-ng-core/usr/lib/syslog-ng\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}\"; export LD_LIBRARY_PATH"
		write_wrapper syslog-ng "$env
exec \"\$d/syslog-ng-core/usr/sbin/syslog-ng\" --module-path=\"\$d/syslog-ng-core/$moddir\" \"\$@\""
		write_wrapper syslog-ng-ctl "$env
exec \"\$d/syslog-ng-core/usr/sbin/syslog-ng-ctl\" \"\$@\""
		;;
	*) die "$list: no way to run an unpacked $pkg (deps.sh knows rsyslog and syslog-ng-core)" ;;
	esac
}

# Does the unpacked copy run?  (Its libraries and modules all resolve.)
unpacked_ok() { # PKG
	local pkg=$1 ld=
	[ -f "$depsdir/$pkg/.unpacked" ] || return 1
	case $pkg in
	rsyslog)
		[ -x "$depsdir/bin/rsyslogd" ] && "$depsdir/bin/rsyslogd" -v >/dev/null 2>&1 || return 1 ;;
	syslog-ng-core)
		[ -x "$depsdir/bin/syslog-ng" ] || return 1
		# the modules the tests use are found
		local mods
		mods=$("$depsdir/bin/syslog-ng" --version 2>/dev/null | sed -n 's/^Available-Modules: /,/p'),
		[[ $mods == *,afsocket,* && $mods == *,affile,* && $mods == *,syslogformat,* ]] || return 1
		ld=$depsdir/syslog-ng-core/usr/lib/syslog-ng ;;
	*) return 1 ;;
	esac
	# every module's libraries are there
	! find "$depsdir/$pkg/usr/lib" -name '*.so' -type f -print0 |
		LD_LIBRARY_PATH=$ld xargs -0 -r ldd 2>/dev/null | grep -q 'not found'
}

# apt-get download + dpkg-deb -x.  Prints nothing; fails with a message.
unpack() { # PKG
	local pkg=$1 tmp deb ver
	tmp=$(mktemp -d)
	# apt downloads as _apt when run as root: let it write there
	if [ "$root" = 1 ]; then chown _apt "$tmp" 2>/dev/null || true; fi
	if ! (cd "$tmp" && apt-get download -q "$pkg" >"$tmp/log" 2>&1); then
		cat "$tmp/log" >&2
		rm -rf "$tmp"
		return 1
	fi
	deb=$(ls "$tmp"/*.deb)
	ver=$(dpkg-deb -f "$deb" Version)
	say "unpacking $pkg $ver into $depsdir/$pkg (not installed: see tests/deps.sh)"
	mkdir -p "$depsdir"
	rm -rf "$depsdir/$pkg.new"
	dpkg-deb -x "$deb" "$depsdir/$pkg.new"
	{
		echo "Package: $pkg"
		echo "Version: $ver"
		echo "Depends: $(dpkg-deb -f "$deb" Depends)"
	} >"$depsdir/$pkg.new/.unpacked"
	rm -rf "${depsdir:?}/${pkg:?}" "$tmp"
	mv "$depsdir/$pkg.new" "$depsdir/$pkg"
	make_wrappers "$pkg"
}

# What is missing: packages to install (MISSING), copies to unpack (TOUNPACK).
# LIBS_UNKNOWN=1 when the libraries of a copy to unpack cannot be told yet
# (no package lists).
survey() {
	MISSING=()
	TOUNPACK=()
	LIBS_UNKNOWN=0
	local p l libs
	for p in "${INSTALL[@]}"; do
		installed "$p" || MISSING+=("$p")
	done
	for p in "${UNPACK[@]}"; do
		unpacked_ok "$p" || TOUNPACK+=("$p")
		libs=$(lib_depends "$p")
		if [ -z "$libs" ]; then
			LIBS_UNKNOWN=1
			continue
		fi
		for l in $libs; do
			installed "$l" || [[ " ${MISSING[*]} " == *" $l "* ]] || MISSING+=("$l")
		done
	done
}

policy=/usr/sbin/policy-rc.d
policy_saved=$policy.alog-saved
policy_mark="written by alog's tests/deps.sh"
ccdir=/etc/postgresql-common/createcluster.d
ccfile=$ccdir/zz-alog-tests-no-main-cluster.conf
ccconf=/etc/postgresql-common/createcluster.conf
ccsaved=$ccconf.alog-saved

# What a root run changes for the time of an install, and puts back.
ours() { [ -f "$1" ] && grep -q "$policy_mark" "$1"; }
restore_policy() {
	# someone else's policy-rc.d in place: not ours to touch
	[ ! -e "$policy" ] || ours "$policy" || return 0
	if [ -e "$policy_saved" ]; then
		mv -f "$policy_saved" "$policy"
	else
		rm -f "$policy"
	fi
}
ccdir_made=0
restore_createcluster() {
	rm -f "$ccfile"
	[ "$ccdir_made" = 0 ] || rmdir --ignore-fail-on-non-empty "$ccdir"
	[ ! -e "$ccsaved" ] || mv -f "$ccsaved" "$ccconf"
}

# As root, one run at a time (several checkouts on one machine run make
# check), and first the leftovers of a run that was killed.
if [ "$root" = 1 ] && [ "$mode" = install ] && [ "${ALOG_NO_DEPS:-}" != 1 ]; then
	# ALOG_DEPS_LOCK: another lock file (the tests of this script use their
	# own, so a make check running beside them does not make them wait)
	lock=${ALOG_DEPS_LOCK:-/run/lock/alog-test-deps.lock}
	[ -n "${ALOG_DEPS_LOCK:-}" ] || [ -d /run/lock ] || lock=/tmp/alog-test-deps.lock
	exec 9>"$lock"
	if ! flock -n 9; then
		say "waiting for another tests/deps.sh to finish"
		flock 9
	fi
	if ours "$policy" || { [ ! -e "$policy" ] && [ -e "$policy_saved" ]; }; then
		warn "restoring $policy, left by an interrupted run"
		restore_policy
	fi
	if [ -e "$ccfile" ] || [ -e "$ccsaved" ]; then
		warn "removing the PostgreSQL setting left by an interrupted run"
		restore_createcluster
	fi
fi

survey

if [ ${#MISSING[@]} -eq 0 ] && [ ${#TOUNPACK[@]} -eq 0 ]; then
	[ "$mode" = check ] && say "all test packages are installed"
	exit 0
fi

describe() {
	[ ${#MISSING[@]} -eq 0 ] || say "missing test packages: ${MISSING[*]}"
	[ ${#TOUNPACK[@]} -eq 0 ] || say "not unpacked yet (into $depsdir): ${TOUNPACK[*]}"
}

if [ "$mode" = check ]; then
	describe
	exit 1
fi
if [ "${ALOG_NO_DEPS:-}" = 1 ]; then
	describe >&2
	warn "ALOG_NO_DEPS=1: not installing them; the tests that need them will be skipped"
	exit 0
fi

# ---- not root: unpack if that is all, else name the command ----
if [ "$root" != 1 ]; then
	if [ ${#MISSING[@]} -eq 0 ] && [ "$LIBS_UNKNOWN" = 0 ]; then
		for p in "${TOUNPACK[@]}"; do
			unpack "$p" || { say "could not fetch $p; install it with:  sudo $me"; exit 2; }
			unpacked_ok "$p" || die "the unpacked $p does not run"
		done
		exit 0
	fi
	describe
	say "install them with:  sudo $me"
	exit 2
fi

# ---- root ----

# The state to come back to: enabled units and SysV start links, and (with
# systemd running) the active units.
enabled_units() {
	command -v systemctl >/dev/null 2>&1 || return 0
	systemctl list-unit-files --state=enabled --no-legend --no-pager 2>/dev/null | awk '{ print $1 }' | sort -u
}
active_units() {
	[ -d /run/systemd/system ] || return 0
	systemctl list-units --state=active --no-legend --no-pager --plain 2>/dev/null | awk '{ print $1 }' | sort -u
}
start_links() {
	find /etc/rc2.d /etc/rc3.d /etc/rc4.d /etc/rc5.d -name 'S[0-9][0-9]*' -printf '%f\n' 2>/dev/null |
		sed 's/^S[0-9][0-9]//' | sort -u
}

guarded=0
guard_on() {
	[ "$guarded" = 0 ] || return 0
	enabled_before=$(enabled_units)
	active_before=$(active_units)
	links_before=$(start_links)
	if [ -e "$policy" ]; then
		mv -f "$policy" "$policy_saved"
	fi
	guarded=1
	printf '#!/bin/sh\n# %s: no service starts while it installs\n# test packages.  Removed when it ends.\nexit 101\n' \
		"$policy_mark" >"$policy"
	chmod 0755 "$policy"
}
guard_off() {
	[ "$guarded" = 1 ] || return 0
	guarded=0
	restore_policy
	restore_createcluster
	local u
	for u in $(comm -13 <(printf '%s\n' "$enabled_before") <(enabled_units)); do
		if systemctl disable --quiet "$u" 2>/dev/null; then
			say "disabled $u (its package enabled it)"
		else
			warn "could not disable $u: do it yourself (systemctl disable $u)"
		fi
	done
	for u in $(comm -13 <(printf '%s\n' "$links_before") <(start_links)); do
		if update-rc.d "$u" disable >/dev/null 2>&1; then
			say "disabled the SysV start links of $u"
		else
			warn "could not disable the start links of $u: do it yourself (update-rc.d $u disable)"
		fi
	done
	for u in $(comm -13 <(printf '%s\n' "$active_before") <(active_units)); do
		warn "$u was started during the install: stopping it"
		systemctl stop "$u" || warn "could not stop $u"
	done
}
trap 'guard_off' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

apt_updated=0
apt_update() {
	[ "$apt_updated" = 0 ] || return 0
	say "apt-get update"
	apt-get update -q -o DPkg::Lock::Timeout=600 || die "apt-get update failed"
	apt_updated=1
}
apt_install() {
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends --no-remove \
		-o DPkg::Lock::Timeout=600 \
		-o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold "$@" ||
		die "apt-get install failed for: $*"
}

survey
if [ ${#MISSING[@]} -gt 0 ] || [ "$LIBS_UNKNOWN" = 1 ]; then
	apt_update
	survey # now the libraries of the copies to unpack are known
fi

if [ ${#MISSING[@]} -gt 0 ]; then
	say "installing test packages: ${MISSING[*]}"
	guard_on
	if [[ " ${MISSING[*]} " == *" postgresql-15 "* ]]; then
		if ! installed postgresql-common; then
			apt_install postgresql-common
		fi
		[ -d "$ccdir" ] || { mkdir "$ccdir"; ccdir_made=1; }
		printf '# %s, removed when it ends\ncreate_main_cluster = false\n' "$policy_mark" >"$ccfile"
		if [ "$(pg_conftool "$ccconf" show -bs create_main_cluster 2>/dev/null || :)" != off ]; then
			# a createcluster.conf without the include_dir line: add the
			# setting to it for the time of the install, then put it back
			cp -p "$ccconf" "$ccsaved"
			printf '\ncreate_main_cluster = false\n' >>"$ccconf"
			[ "$(pg_conftool "$ccconf" show -bs create_main_cluster 2>/dev/null || :)" = off ] ||
				die "cannot keep PostgreSQL from creating a main cluster ($ccconf)"
		fi
	fi
	apt_install "${MISSING[@]}"
	guard_off
fi

for p in "${UNPACK[@]}"; do
	unpacked_ok "$p" && continue
	if ! unpack "$p"; then
		# stale package lists name a version the archive no longer has
		[ "$apt_updated" = 1 ] && die "cannot fetch $p"
		apt_update
		unpack "$p" || die "cannot fetch $p"
	fi
	unpacked_ok "$p" || die "the unpacked $p does not run (a library missing?)"
done
# the checkout's owner can remove what root unpacked in it
if [ -d "$depsdir" ]; then
	chown -R "$(stat -c %u:%g "$here")" "$depsdir"
fi

survey
if [ ${#MISSING[@]} -gt 0 ] || [ ${#TOUNPACK[@]} -gt 0 ]; then
	describe >&2
	die "still missing after the install"
fi
say "all test packages are installed"
