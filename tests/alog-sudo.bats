#!/usr/bin/env bats
# The sudo audit plugin (plugins/alog_sudo.c) with Debian's real sudo:
# /etc/sudo.conf gets the plugin for the length of one test (sudo reads no
# other file), a sudoers drop-in lets a test user (nobody, through setpriv)
# run one command; accepted, rejected and failed commands and exit statuses
# end up in a log that verifies.

load helpers

CONF=/etc/sudo.conf
BACKUP=/etc/sudo.conf.alog-test-backup
DROPIN=/etc/sudoers.d/alog-test
LOCK=/run/lock/alog-sudo-conf.lock

setup_file() {
	# a run killed before its teardown left the real file aside: put it back
	if [ -e "$BACKUP" ]; then
		cp -p "$BACKUP" "$CONF" && rm -f "$BACKUP"
	fi
	rm -f "$DROPIN"
}

setup() {
	PATH="$(_alog_path):$ALOG_TESTBIN:$PATH"
	export PATH ALOG_ORIGIN=test.example/audit
	cd "$BATS_TEST_TMPDIR" || exit 1
	PLUGIN=${ALOG_PLUGINS:-$BATS_TEST_DIRNAME/../build/plugins}/alog_sudo.so
	[ "$(id -u)" -eq 0 ] || skip "the sudo plugin tests edit /etc/sudo.conf: run as root"
	command -v sudo >/dev/null || skip "sudo is not installed (tests/deps.sh installs it)"
	[ -f "$PLUGIN" ] || skip "alog_sudo.so was not built (no /usr/include/sudo_plugin.h, or SAN=1)"
	exec 9>"$LOCK"
	flock 9
	cp -p "$CONF" "$BACKUP"
}

teardown() {
	if [ -e "$BACKUP" ]; then
		cp -p "$BACKUP" "$CONF"
		rm -f "$BACKUP"
	fi
	rm -f "$DROPIN"
	exec 9>&-
}

# plugin OPTIONS...: enable the plugin with these options (beside sudoers,
# which sudo.conf(5) then requires to be listed).
plugin() {
	{
		cat "$BACKUP"
		echo "Plugin sudoers_policy sudoers.so"
		echo "Plugin sudoers_io sudoers.so"
		echo "Plugin sudoers_audit sudoers.so"
		echo "Plugin alog_audit $PLUGIN $*"
	} >"$CONF.new"
	chmod 0644 "$CONF.new"
	mv "$CONF.new" "$CONF"
}

# The test user may run /bin/true as root, without a password, and nothing else.
dropin() {
	printf 'Defaults:nobody !authenticate\nnobody ALL=(root) /bin/true\n' >"$DROPIN.new"
	chmod 0440 "$DROPIN.new"
	visudo -cqf "$DROPIN.new"
	mv "$DROPIN.new" "$DROPIN"
}

as_nobody() { setpriv --reuid=nobody --regid=nogroup --clear-groups "$@"; }

get() { jq -c "select(.action == \"$2\") | $3" "$1"; }

@test "sudo plugin: accepted and rejected commands and exit statuses are recorded; the log verifies" {
	plugin "file=$PWD/sudo.alog"
	dropin
	sudo -u nobody /bin/true
	run sudo -u nobody /bin/sh -c 'exit 3'
	[ "$status" -eq 3 ]
	as_nobody sudo -n /bin/true
	run as_nobody sudo -n /bin/ls /
	[ "$status" -eq 1 ]
	[[ $output == *"not allowed"* ]]
	teardown
	alog-verify sudo.alog
	[ "$(jq -r .action sudo.alog | tail -n +2 | tr '\n' ' ')" = "sudo.accept sudo.exit sudo.accept sudo.exit sudo.accept sudo.exit sudo.reject " ]
	[ "$(get sudo.alog sudo.accept '[.actor, .runas.user, .command]' | head -n 1)" = '["root","nobody","/bin/true"]' ]
	[ "$(get sudo.alog sudo.accept .cwd | head -n 1)" = "\"$PWD\"" ]
	[ "$(get sudo.alog sudo.exit .exit | tr '\n' ' ')" = '{"code":0} {"code":3} {"code":0} ' ]
	# accept and exit share a session id
	[ "$(get sudo.alog sudo.accept .session | sed -n 2p)" = "$(get sudo.alog sudo.exit .session | sed -n 2p)" ]
	[ "$(get sudo.alog sudo.reject '[.actor, .runas.user, .command, .reason]')" = '["nobody","root","/bin/ls","command not allowed"]' ]
}

@test "sudo plugin: a command that cannot be authenticated is recorded as an error" {
	plugin "file=$PWD/sudo.alog"
	run as_nobody sudo -n /bin/ls /
	[ "$status" -eq 1 ]
	teardown
	alog-verify sudo.alog
	[ "$(get sudo.alog sudo.error '[.actor, .argv]')" = '["nobody",["/bin/ls","/"]]' ]
	get sudo.alog sudo.error .reason | grep -q .
}

@test "sudo plugin: an unwritable log refuses the command by default, lets it run with on_error=allow" {
	touch file
	plugin "file=$PWD/file/sudo.alog"
	run sudo -u nobody /bin/sh -c 'echo ran'
	[ "$status" -eq 1 ]
	[[ $output != *ran* ]]
	[[ $output == *"alog_audit"*"Not a directory"* ]]
	plugin "file=$PWD/file/sudo.alog on_error=allow"
	run sudo -u nobody /bin/sh -c 'echo ran'
	[ "$status" -eq 0 ]
	[[ $output == *ran* ]]
	[[ $output == *"alog_audit"*"Not a directory"* ]]
}

@test "sudo plugin: a log locked by a stopped writer does not hang sudo" {
	plugin "file=$PWD/sudo.alog"
	sudo -u nobody /bin/true
	exec 8<sudo.alog
	flock 8 # held here, as by a writer stopped mid-append
	plugin "file=$PWD/sudo.alog lock_timeout=1"
	start=$(date +%s)
	run timeout 20 sudo -u nobody /bin/sh -c 'echo ran'
	exec 8<&-
	[ "$status" -eq 1 ]
	[[ $output != *ran* ]]
	[[ $output == *"stayed locked for 1000 ms"* ]]
	[ $(($(date +%s) - start)) -lt 10 ]
}

@test "sudo plugin: events go through the log's policy" {
	printf '{"rules": [{"path": "argv", "do": "mask", "keep": 0}]}\n' >p.json
	plugin "file=$PWD/sudo.alog policy=$PWD/p.json"
	sudo -u nobody /bin/echo hunter2 >/dev/null
	teardown
	[ "$(grep -c hunter2 sudo.alog)" = 0 ]
	alog-verify sudo.alog
}

@test "sudo plugin: an unknown option is a clear error, and sudo -V names the plugin" {
	plugin "file=$PWD/sudo.alog bogus=1"
	run sudo -u nobody /bin/true
	[ "$status" -ne 0 ]
	[[ $output == *"unknown option 'bogus=1'"* ]]
	plugin "file=$PWD/sudo.alog"
	run sudo -V
	[[ $output == *"alog audit plugin version"* ]]
}

@test "sudo plugin: an event the policy rejects leaves a record without the values it rejected" {
	printf '{"rules": [{"name": "no-args", "path": "argv", "do": "reject"}]}\n' >p.json
	plugin "file=$PWD/sudo.alog policy=$PWD/p.json"
	sudo -u nobody /bin/echo hunter2 >/dev/null
	teardown
	alog-verify sudo.alog
	[ "$(grep -c -e hunter2 -e /bin/echo sudo.alog)" = 0 ]
	[ "$(jq -c 'select(.rejected) | [.action, .actor, .argv, .command, .rejected]' sudo.alog)" = \
	  '["sudo.accept","root",null,null,"rejected by rule \"no-args\": member \"argv\" is not allowed"]' ]
}

@test "sudo plugin: a log, its directory or the policy that the user can change is refused" {
	dropin
	echo precious >victim
	# a directory the user owns: the log swapped for a link to a file of root's
	mkdir userdir && chown nobody userdir
	as_nobody ln -s "$PWD/victim" userdir/sudo.alog
	plugin "file=$PWD/userdir/sudo.alog"
	run as_nobody sudo -n /bin/true
	[ "$status" -eq 1 ]
	[[ $output == *"alog_audit: $PWD/userdir/sudo.alog: $PWD/userdir is owned by uid"*"not by root"* ]]
	[ "$(cat victim)" = precious ]
	# a link to the victim from the log's own directory: the victim is checked
	mkdir logs && ln -s "$PWD/victim" logs/link.alog && chmod 0666 victim
	plugin "file=$PWD/logs/link.alog"
	run as_nobody sudo -n /bin/true
	[ "$status" -eq 1 ]
	[[ $output == *"$PWD/victim is writable by others"* ]]
	[ "$(cat victim)" = precious ]
	# a link the user owns in a sticky directory
	mkdir -m 1777 sticky
	as_nobody ln -s "$PWD/victim" sticky/link
	plugin "file=$PWD/sticky/link/sudo.alog"
	run as_nobody sudo -n /bin/true
	[ "$status" -eq 1 ]
	[[ $output == *"$PWD/sticky/link is a link owned by uid"* ]]
	# a world-writable directory, even sticky
	plugin "file=$PWD/sticky/sudo.alog"
	run as_nobody sudo -n /bin/true
	[ "$status" -eq 1 ]
	[[ $output == *"$PWD/sticky is writable by others"* ]]
	# a log the user owns, in a directory of root's
	touch logs/theirs.alog && chown nobody logs/theirs.alog
	plugin "file=$PWD/logs/theirs.alog"
	run as_nobody sudo -n /bin/true
	[ "$status" -eq 1 ]
	[[ $output == *"theirs.alog is owned by uid"* ]]
	# a policy the user can rewrite
	printf '{"rules": []}\n' >p.json && chown nobody p.json
	plugin "file=$PWD/logs/sudo.alog policy=$PWD/p.json"
	run as_nobody sudo -n /bin/true
	[ "$status" -eq 1 ]
	[[ $output == *"p.json is owned by uid"* ]]
	# relative paths would be the user's working directory's
	plugin "file=logs/sudo.alog"
	run as_nobody sudo -n /bin/true
	[ "$status" -ne 0 ]
	[[ $output == *"file= takes an absolute path"* ]]
	# a link to a directory of root's is followed, then checked: it is fine
	ln -s logs via
	plugin "file=$PWD/via/sudo.alog"
	as_nobody sudo -n /bin/true
	teardown
	alog-verify logs/sudo.alog
	[ "$(jq -r .action logs/sudo.alog | tail -n +2 | tr '\n' ' ')" = "sudo.accept sudo.exit " ]
}

@test "sudo plugin: a command line longer than a record is recorded, cut, with its size" {
	plugin "file=$PWD/sudo.alog"
	big=$(head -c 120000 /dev/zero | tr '\0' a)
	set --
	for i in 1 2 3 4 5 6 7 8 9 10; do set -- "$@" "$big"; done
	sudo -u nobody /bin/true "$@" hidden-at-the-end
	teardown
	alog-verify sudo.alog
	[ "$(get sudo.alog sudo.accept '[.command, .argv[0], .argv_truncated]')" = '["/bin/true","/bin/true",{"args":12,"bytes":1200026}]' ]
	[ "$(get sudo.alog sudo.exit .exit.code)" = 0 ]
}

@test "sudo plugin: a new log belongs to root's group, not to the group of whoever ran sudo first" {
	dropin
	mkdir logs
	plugin "file=$PWD/logs/sudo.alog"
	as_nobody sudo -n /bin/true
	[ "$(stat -c %u:%g:%a logs/sudo.alog)" = 0:0:640 ]
	# the user can neither read it nor hold its lock
	run as_nobody cat logs/sudo.alog
	[ "$status" -ne 0 ]
	as_nobody sudo -n /bin/true
	teardown
	alog-verify logs/sudo.alog
}
