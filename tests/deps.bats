#!/usr/bin/env bats
# What ./install.sh installs (only what building and running alog needs)
# and tests/deps.sh (the rest, for the tests).

load helpers
load servers

top=$BATS_TEST_DIRNAME/..

@test "install.sh installs no package that only the tests need" {
	run "$top/install.sh" --print-deps
	[ "$status" -eq 0 ]
	local build=$output tests
	[[ $build == *libsodium-dev* ]]
	tests=$("$top/tests/deps.sh" --list)
	[ -n "$tests" ]
	run comm -12 <(sort <<<"$build") <(sort <<<"$tests")
	echo "install.sh installs test packages: $output"
	[ -z "$output" ]
	# and its one apt-get install installs from that list
	[ "$(grep -c 'apt-get install  *-' "$top/install.sh")" -eq 1 ]
	grep 'apt-get install  *-' "$top/install.sh" | grep -q '\$missing ||$'
}

@test "every package of tests/packages is in the package archive" {
	command -v apt-cache >/dev/null || skip "not a Debian system (no apt-cache)"
	local p bad=
	for p in $("$top/tests/deps.sh" --list); do
		apt-cache show --no-all-versions "$p" >/dev/null 2>&1 || bad+=" $p"
	done
	echo "not in the archive:$bad"
	[ -z "$bad" ]
}

@test "the test packages are all here (make check installs them first)" {
	[ "${ALOG_NO_DEPS:-}" != 1 ] || skip "ALOG_NO_DEPS=1: the test packages were not installed"
	run "$top/tests/deps.sh" --check
	echo "$output"
	[ "$status" -eq 0 ]
}

# A copy of deps.sh with its own package list, that the test user can run.
deps_copy() {
	export ALOG_DEPS_LOCK="$BATS_TEST_TMPDIR/deps.lock"
	mkdir -p repo/tests
	cp "$top/tests/deps.sh" repo/tests/
	printf '%s\n' "$@" >repo/tests/packages
	make_reachable repo/tests
}

@test "deps.sh as a user who is not root names the one command that installs what is missing, and stops" {
	_srv_can_switch || skip "cannot run as another user than root here"
	deps_copy "install alog-test-no-such-package   for this test" "install bash   present everywhere"
	cd repo
	run as_test_user tests/deps.sh
	echo "$output"
	[ "$status" -eq 2 ]
	[ "${lines[0]}" = "deps.sh: missing test packages: alog-test-no-such-package" ]
	[ "${lines[1]}" = "deps.sh: install them with:  sudo tests/deps.sh" ]
	[ "${#lines[@]}" -eq 2 ]
}

@test "deps.sh says nothing and succeeds when nothing is missing" {
	deps_copy "install bash   present everywhere"
	cd repo
	run tests/deps.sh
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run tests/deps.sh --check
	[ "$status" -eq 0 ]
	[ "$output" = "deps.sh: all test packages are installed" ]
}

@test "deps.sh refuses a package list line it does not understand" {
	deps_copy "instal bash"
	cd repo
	run tests/deps.sh --check
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"'instal bash': each line is 'install NAME' or 'unpack NAME'"* ]]
}
