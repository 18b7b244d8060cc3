#!/usr/bin/env bats
# The concurrency harness (tests/harness/concurrency.py): writers, a sealer
# rotating the log, and readers, all at once on one log.

load helpers
load harness

@test "concurrency: 8 writers x 250 events with seals every 100 ms, rotations and readers" {
	# a key of 100,000 epochs takes minutes to make under valgrind; under it
	# and the sanitizers 5,000 outlast the seals of the run
	epochs=100000
	slow_build && epochs=5000
	run harness concurrency.py -w 8 -r "$(quick 250 5)" --epochs $epochs
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"8 writers (4 single, 4 streams), $((8 * $(quick 250 5))) events"*": ok" ]]
}

@test "concurrency: the final checks catch lost, duplicated, reordered and misplaced events, and a thread that died" {
	# they run one record at a time, so that a soak's log need not fit in memory
	run harness concurrency.py --self-test
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(grep -c '^self-test: ' <<<"$output")" -eq 8 ]
	[[ $output != *"NOT CAUGHT"* ]]
}
