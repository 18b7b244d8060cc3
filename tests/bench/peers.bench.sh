# peers.bench.sh - verification against the sealed-log verifiers a user
# might use instead.  journalctl --verify with Forward Secure Sealing keys
# needs systemd-journal-remote (to write a sealed journal of the same
# events) and root (a private mount namespace keeps the sealing key out of
# /var/log/journal).  syslog-ng's slogverify is not packaged in Debian.

jr=/lib/systemd/systemd-journal-remote
if [ -x "$jr" ] && command -v journalctl >/dev/null && [ "$(id -u)" = 0 ] &&
	unshare -m true 2>/dev/null; then
	jdir=$BENCH_DIR/journal-$BENCH_N
	if [ ! -s "$jdir/verify.key" ]; then
		rm -rf "$jdir"
		mkdir -p "$jdir"
		now=$(date +%s%6N)
		# one journal entry per event, at increasing times from now
		awk -v now="$now" '{ printf "MESSAGE=%s\n_HOSTNAME=bench\n__REALTIME_TIMESTAMP=%.0f\n\n", $0, now + NR * 50 }' \
			"$EVENTS" >"$jdir/export.txt"
		unshare -m sh -c "
			mkdir -p /var/log/journal && mount -t tmpfs none /var/log/journal &&
			mkdir -p /var/log/journal/\$(cat /etc/machine-id) &&
			journalctl --setup-keys --interval=10s >'$jdir/verify.key' 2>/dev/null &&
			$jr --seal=yes -o '$jdir/bench.journal' - <'$jdir/export.txt' 2>/dev/null"
		rm -f "$jdir/export.txt"
	fi
	jverify="for f in $jdir/*.journal; do journalctl --file \$f --verify --verify-key=\$(cat $jdir/verify.key) || exit 1; done"
	if bash -c "$jverify" >/dev/null 2>&1; then
		bench_compare "alog-verify -p (sealed) vs journalctl --verify (FSS), same events" "<=0.1" \
			"alog-verify -q -p $PUB $SEALED" "$jverify"
	else
		echo "journalctl --verify: the sealed journal did not verify; skipped"
	fi
else
	echo "journalctl --verify: skipped (needs root and systemd-journal-remote)"
fi
echo "slogverify: not installed (syslog-ng's secure logging tools are not packaged in Debian 12)"
