# run.bench.sh - alog-run: a transcript of 100 MB of terminal output
# relayed through the pty and recorded, against script(1) relaying and
# recording the same (both with a pty as their standard input, output to
# /dev/null); and what alog-run adds to the wall time of a short command
# without a transcript, with the log on tmpfs (alog-run's own cost: on a
# disk, its two syncs add what the disk's fdatasync costs), beside what
# env(1), a wrapper that only execs, adds on the same machine at the same
# time (a loaded machine slows every exec down alike).

run_dir=$BENCH_DIR/run
mkdir -p "$run_dir"
RUN_TEXT=$run_dir/100m.txt
if [ ! -s "$RUN_TEXT" ]; then
	head -c 75000000 /dev/urandom | base64 >"$RUN_TEXT.tmp" && mv "$RUN_TEXT.tmp" "$RUN_TEXT"
fi
# on_pty CMD: run CMD with a pty (nobody typing) as its standard input
on_pty="python3 -c 'import os, pty, sys; m, s = pty.openpty(); os.dup2(s, 0); os.execvp(\"sh\", [\"sh\", \"-c\", sys.argv[1]])'"

bench_compare "alog-run --transcript relaying 100 MB through a pty, vs script -q -c" "<=1.3" \
	"rm -f $run_dir/t.alog; $on_pty 'alog-run -f $run_dir/t.alog --transcript cat $RUN_TEXT'" \
	"rm -f $run_dir/t.script; $on_pty 'script -q -c \"cat $RUN_TEXT\" $run_dir/t.script'"

shm=$(mktemp -d /dev/shm/alog-bench.XXXXXX)
n=200
t_run=$(bench_time "for i in \$(seq $n); do alog-run -f $shm/o.alog /bin/true; done")
t_cmd=$(bench_time "for i in \$(seq $n); do /bin/true; done")
t_env=$(bench_time "for i in \$(seq $n); do env /bin/true; done")
bench_value "alog-run without a transcript: ms added to /bin/true (log on tmpfs)" \
	"$(echo "scale=3; ($t_run - $t_cmd) * 1000 / $n" | bc -l)" "<=2"
bench_value "env(1), the same way: ms added to /bin/true (the cost of one more exec here)" \
	"$(echo "scale=3; ($t_env - $t_cmd) * 1000 / $n" | bc -l)" "<=2"
rm -f "$run_dir/t.alog"
# (through pipes, not a pty: the pty's python3 would count in the peak)
bench_value "alog-run --transcript peak RSS, recording 100 MB (KiB)" \
	"$(bench_rss "alog-run -f $run_dir/t.alog --transcript cat $RUN_TEXT")" "<=16384"
rm -rf "$shm" "$run_dir/t.alog" "$run_dir/t.script"
