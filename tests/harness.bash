# harness.bash - shared by the bats suites that drive tests/harness/*.py:
# the quick sizes, smaller under the sanitizers (ALOG_SAN=1) and valgrind,
# where the point is memory safety on every path rather than volume.

HARNESS=$BATS_TEST_DIRNAME/harness

# quick N: N, or N/DIV under a sanitizer or valgrind (at least 1).
quick() {
	local n=$1 div=${2:-4}
	if [ "${ALOG_SAN:-}" = 1 ] || [ "${ALOG_VALGRIND:-0}" = 1 ]; then
		n=$((n / div))
		[ "$n" -ge 1 ] || n=1
	fi
	echo "$n"
}

slow_build() { [ "${ALOG_SAN:-}" = 1 ] || [ "${ALOG_VALGRIND:-0}" = 1 ]; }

harness() {
	# under valgrind the harness runs the tools through the memcheck wrappers
	# (helpers.bash); a memory error or leak makes a tool exit 99, which the
	# harness counts as a failure
	ALOG_BIN=$(_alog_path) ALOG_TESTBIN=$ALOG_TESTBIN python3 "$HARNESS/$1" "${@:2}"
}
