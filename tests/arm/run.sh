#!/bin/sh
# run.sh - check the ARMv8 SHA-256 path on an x86 machine: cross-compile
# common/base/sha256.c with a reference implementation and run it under qemu.
# Needs gcc-aarch64-linux-gnu and qemu-user-static (Debian packages).
set -eu
cd "$(dirname "$0")"
out=${TMPDIR:-/tmp}/alog-arm-check.$$
trap 'rm -f "$out"' EXIT
if ! command -v aarch64-linux-gnu-gcc >/dev/null || ! command -v qemu-aarch64-static >/dev/null; then
	echo "arm: skipped (needs gcc-aarch64-linux-gnu and qemu-user-static)"
	exit 0
fi
aarch64-linux-gnu-gcc -O2 -std=c11 -D_GNU_SOURCE -I. -I../../common -static -pthread \
	-o "$out" sha256-check.c ../../common/base/sha256.c
qemu-aarch64-static -cpu max "$out"
