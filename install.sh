#!/bin/sh
# install.sh - set up alog on a Debian (or Debian-based) machine: install the
# packages needed to build and run it that are missing, build, and install.
#
#   ./install.sh                 dependencies, build, install to /usr/local
#   PREFIX=$HOME/.local ./install.sh
#   ./install.sh --deps-only     only the dependencies
#   ./install.sh --no-deps       build and install with what is there
#   ./install.sh --print-deps    print the packages it would install, and stop
#
# It is meant for the hosts alog audits: it installs a compiler, make,
# pkg-config, libsodium and jansson, and nothing else.  The programs the test
# suite needs are installed by `make check` (see tests/deps.sh), never here.
set -eu

# The build and run dependencies: the only packages this script installs.
PACKAGES="gcc make pkg-config libsodium-dev libjansson-dev"

PREFIX=${PREFIX:-/usr/local}
deps=1
install=1
for arg in "$@"; do
	case $arg in
	--deps-only) install=0 ;;
	--no-deps) deps=0 ;;
	--print-deps)
		# shellcheck disable=SC2086
		printf '%s\n' $PACKAGES
		exit 0 ;;
	--prefix=*) PREFIX=${arg#--prefix=} ;;
	-h|--help)
		sed -n '2,13s/^# \{0,1\}//p' "$0"
		exit 0 ;;
	*) echo "install.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
	esac
done

say() { printf 'install.sh: %s\n' "$*"; }
die() { printf 'install.sh: error: %s\n' "$*" >&2; exit 1; }

cd "$(dirname "$0")"

if [ "$deps" = 1 ]; then
	command -v dpkg-query >/dev/null 2>&1 ||
		die "this script installs packages with apt on Debian; install these yourself: $PACKAGES"
	missing=
	for p in $PACKAGES; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing="$missing $p"
		fi
	done
	if [ -n "$missing" ]; then
		say "installing:$missing"
		SUDO=
		if [ "$(id -u)" != 0 ]; then
			command -v sudo >/dev/null 2>&1 || die "not root and no sudo: install$missing"
			SUDO=sudo
		fi
		# A new machine has no package lists yet: update before installing.
		$SUDO apt-get update -q || die "apt-get update failed"
		# --no-remove: never take a package off the host to make room.
		# shellcheck disable=SC2086
		DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends --no-remove $missing ||
			die "apt-get install failed for:$missing"
	else
		say "dependencies already installed"
	fi
fi

[ "$install" = 1 ] || exit 0

say "building"
make -j"$(nproc 2>/dev/null || echo 2)" || die "build failed"
say "installing to $PREFIX"
if [ -w "$PREFIX" ] || { [ ! -e "$PREFIX" ] && [ -w "$(dirname "$PREFIX")" ]; }; then
	make install PREFIX="$PREFIX" || die "make install failed"
elif command -v sudo >/dev/null 2>&1; then
	sudo make install PREFIX="$PREFIX" || die "make install failed"
else
	die "cannot write to $PREFIX: run as root or set PREFIX"
fi
say "done: $(ls build/bin | tr '\n' ' ')in $PREFIX/bin"
say "'make check' runs the tests (it installs the programs they need: tests/deps.sh)"
