#!/usr/bin/env bats
# The concurrency harness (tests/harness/concurrency.py): writers, a sealer
# rotating the log, and readers, all at once on one log.

load helpers
load harness

@test "concurrency: 8 writers x 250 events with seals every 100 ms, rotations and readers" {
	run harness concurrency.py -w 8 -r "$(quick 250 5)"
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"8 writers (4 single, 4 streams), $((8 * $(quick 250 5))) events"*": ok" ]]
}
