#!/usr/bin/env python3
"""concurrency.py - the concurrency harness.  WRITERS processes append
RECORDS events each to one log, half as one alog-append per event and half
as --ack streams fed in bursts (some events above the page size), while a
sealer seals every 100 ms and rotates every ROTATE seals, and readers
(READERS below) check the live log in a loop.  Then it checks: every
acknowledged event present exactly once, nothing else, no interleaved
bytes (every line a record), seq exactly 1..N over all files, each
writer's events in its own order, seal epochs 0, 1, 2, ... consecutive,
the whole log verifying with the key state, and no reader ever failing.

    concurrency.py [-w WRITERS] [-r RECORDS] [-t SECONDS] [--rotate K] [--epochs E] [--dir DIR]
    concurrency.py --self-test

With -t, writers keep going (in rounds of RECORDS) until SECONDS have
passed.  Exits 1 on any failure.
"""

import argparse
import array
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import env, must, scratch, tool, walk_chain  # noqa: E402

# Readers run in a loop on the live log; each must always exit 0 (an exit
# of 1, no match, is fine for grep: see READER_OK).
READERS = [
    ["alog-verify", "-q", "a.alog"],
    ["alog-verify", "-q", "-p", "k.pub", "--key-state", "k.sec", "a.alog"],
    ["alog-grep", "-c", "--verify", "-p", "k.pub", "w>=0", "a.alog"],
    ["alog-export", "-F", "csv", "--fields", "w,i", "a.alog"],
]
READER_OK = {"alog-verify": (0,), "alog-grep": (0, 1), "alog-export": (0,)}


def event(w, i):
    ev = {"w": w, "i": i, "actor": "writer%d" % w}
    if i % 7 == 3:
        ev["pad"] = "p" * (4096 + (w * 131 + i * 17) % 6000)  # above the page size
    return json.dumps(ev, separators=(",", ":"))


class Run:
    def __init__(self, d):
        self.d = d
        self.stop = threading.Event()
        self.failures = []
        self.lock = threading.Lock()
        # What each writer was told: a single writer's events 0..n-1 were
        # acknowledged (acked[w] = n); a stream writer sent events 0..m-1
        # (sent[w] = m) and was told the seq of each (acked_seqs[w]).
        # Counts and arrays, not lists: a 30-minute soak has 20 million.
        self.acked = {}
        self.sent = {}
        self.acked_seqs = {}
        self.seals = 0
        self.rotations = 0
        self.reads = 0
        self.invocations = 0

    def fail(self, msg):
        with self.lock:
            self.failures.append(msg)
        print("FAIL " + msg, file=sys.stderr)

    def single_writer(self, w, records, deadline):
        i = 0
        while True:
            for _ in range(records):
                ev = json.loads(event(w, i))
                args = ["%s=%s" % (k, v) if isinstance(v, str) else "%s:=%s" % (k, v)
                        for k, v in ev.items()]
                r = subprocess.run([tool("alog-append"), "-f", "a.alog"] + args, cwd=self.d,
                                   capture_output=True, env=env())
                with self.lock:
                    self.invocations += 1
                if r.returncode != 0:
                    self.fail("writer %d event %d: exit %d: %s" % (w, i, r.returncode,
                                                                   r.stderr.decode()))
                    return
                i += 1
                self.acked[w] = i
            if not deadline or time.time() > deadline:
                return

    def stream_writer(self, w, records, deadline):
        rnd = random.Random(w)
        i = 0
        out = open(os.path.join(self.d, "ack.%d" % w), "wb")
        p = subprocess.Popen([tool("alog-append"), "-f", "a.alog", "--ack"], cwd=self.d,
                             stdin=subprocess.PIPE, stdout=out, stderr=subprocess.PIPE, env=env())
        while True:
            n = 0
            while n < records:
                k = min(records - n, rnd.randint(1, 25))
                chunk = "".join(event(w, i + j) + "\n" for j in range(k))
                p.stdin.write(chunk.encode())
                p.stdin.flush()
                i += k
                n += k
                time.sleep(rnd.random() * 0.004)
            if not deadline or time.time() > deadline:
                break
        p.stdin.close()
        err = p.stderr.read()
        rc = p.wait()
        out.close()
        with self.lock:
            self.invocations += 1
        if rc != 0:
            self.fail("stream writer %d: exit %d: %s" % (w, rc, err.decode()))
        seqs = array.array("q")
        with open(os.path.join(self.d, "ack.%d" % w)) as f:
            for line in f:
                seqs.append(int(line))
        self.acked_seqs[w] = seqs
        self.sent[w] = i

    def sealer(self, rotate):
        while not self.stop.is_set():
            time.sleep(0.1)
            argv = [tool("alog-seal"), "-f", "a.alog", "-s", "k.sec"]
            rot = rotate and (self.seals + 1) % rotate == 0
            if rot:
                argv += ["--rotate", "arch-%05d.alog" % self.rotations]
            r = subprocess.run(argv, cwd=self.d, capture_output=True, env=env())
            if r.returncode != 0:
                self.fail("seal %d: exit %d: %s" % (self.seals, r.returncode, r.stderr.decode()))
                continue
            self.seals += 1
            if rot:
                self.rotations += 1

    def reader(self, argv):
        ok = READER_OK.get(argv[0], (0,))
        while not self.stop.is_set():
            r = subprocess.run([tool(argv[0])] + argv[1:], cwd=self.d, capture_output=True,
                               env=env())
            with self.lock:
                self.reads += 1
            if r.returncode not in ok:
                again = subprocess.run([tool(argv[0])] + [a for a in argv[1:] if a != "-q"],
                                       cwd=self.d, capture_output=True, env=env())
                self.fail("reader %s: exit %d on a live log: %s (run again: exit %d)" % (
                    " ".join(argv), r.returncode, r.stderr.decode()[:400], again.returncode))


class LogCheck:
    """The final checks, one record at a time (the log of a soak does not
    fit in memory): the log starts at seq 1; seal epochs are 0, 1, 2, ...;
    each writer's events appear as 0, 1, 2, ... in that order, each once,
    exactly those it was told were written, and a stream writer's event k
    at the seq it was acknowledged with."""

    def __init__(self, run, writers):
        self.run = run
        self.first = True
        self.epochs = 0  # seals seen
        self.next_epoch = 0
        self.count = [0] * writers  # events of each writer seen so far
        self.bad = [0] * writers  # events out of place
        # a stream writer's acknowledged seqs; None for a single writer
        self.acks = [run.acked_seqs.get(w) for w in range(writers)]

    def record(self, line):
        if self.first:
            self.first = False
            if not line.startswith(b'{"seq":1,'):
                self.run.fail("the log does not start at seq 1")
        obj = json.loads(line)
        if obj.get("type") == "seal":
            if obj["epoch"] != self.next_epoch:
                self.run.fail("seal %d has epoch %s where %d was due" % (
                    self.epochs, obj["epoch"], self.next_epoch))
            self.next_epoch = obj["epoch"] + 1
            self.epochs += 1
            return
        w = obj.get("w")
        if w is None:
            return
        i = obj["i"]
        n = self.count[w]
        self.count[w] = n + 1
        acks = self.acks[w]
        if i != n:
            self.out_of_place(w, "event %d at seq %d where its event %d was due "
                                 "(lost, duplicated or out of its order)" % (i, obj["seq"], n))
        elif acks is not None and i < len(acks) and acks[i] != obj["seq"]:
            self.out_of_place(w, "event %d is at seq %d, acknowledged as seq %d" % (
                i, obj["seq"], acks[i]))

    def out_of_place(self, w, why):
        """Counted for finish(); only a writer's first is told in full."""
        self.bad[w] += 1
        if self.bad[w] == 1:
            self.run.fail("writer %d: %s" % (w, why))

    def finish(self):
        """The counts against what each writer was told; returns the events seen."""
        run = self.run
        for w, acks in enumerate(self.acks):
            if acks is None:
                want = run.acked.get(w, 0)
            else:
                want = run.sent[w]
                if len(acks) != want:
                    run.fail("writer %d: %d events sent, %d acknowledged" % (w, want, len(acks)))
            got = self.count[w]
            if self.bad[w]:
                run.fail("writer %d: %d events out of place" % (w, self.bad[w]))
            if got < want:
                run.fail("writer %d: %d acknowledged events lost" % (w, want - got))
            elif got > want:
                run.fail("writer %d: %d events in the log that were never acknowledged" % (
                    w, got - want))
        return sum(self.count)


def count_thread_deaths(run):
    """An exception that ends a writer, sealer or reader thread (say a
    broken pipe when an --ack stream dies at once) is a failure of the run,
    not only a traceback on stderr."""
    def died(args):
        traceback.print_exception(args.exc_type, args.exc_value, args.exc_traceback)
        run.fail("thread %s died: %s: %s" % (args.thread.name if args.thread else "?",
                                             args.exc_type.__name__, args.exc_value))
    threading.excepthook = died


def self_test():
    """The final checks against logs with known faults: each must fail."""
    class FakeRun:
        def __init__(self):
            self.failures = []
            self.acked = {0: 3}
            self.sent = {1: 2}
            self.acked_seqs = {1: array.array("q", [3, 5])}

        def fail(self, msg):
            self.failures.append(msg)

    def rec(seq, **kw):
        return json.dumps(dict(seq=seq, **kw), separators=(",", ":")).encode()

    def check(lines):
        r = FakeRun()
        c = LogCheck(r, 2)
        for line in lines:
            c.record(line)
        c.finish()
        return r.failures

    good = [rec(1, start=1), rec(2, w=0, i=0), rec(3, w=1, i=0), rec(4, w=0, i=1),
            rec(5, w=1, i=1), rec(6, w=0, i=2), rec(7, type="seal", epoch=0),
            rec(8, type="seal", epoch=1)]
    cases = {
        "lost": good[:5] + good[6:],
        "duplicated": good[:4] + [good[3]] + good[4:],
        "reordered": [good[0], good[3], good[2], good[1]] + good[4:],
        "at another seq": good[:2] + [rec(3, w=0, i=1), rec(4, w=1, i=0)] + good[4:],
        "never acknowledged": good + [rec(9, w=0, i=3)],
        "epoch skipped": good[:7] + [rec(8, type="seal", epoch=2)],
        "not from seq 1": good[1:],
    }
    bad = 0
    r = FakeRun()
    saved = threading.excepthook
    count_thread_deaths(r)
    t = threading.Thread(target=lambda: [][0], name="writer-0")
    t.start()
    t.join()
    threading.excepthook = saved
    print("self-test: a thread that died: %s" % ("; ".join(r.failures) or "NOT CAUGHT"))
    bad += not r.failures
    got = check(good)
    if got:
        print("self-test: a good log fails: %s" % "; ".join(got))
        bad += 1
    for name, lines in cases.items():
        got = check(lines)
        print("self-test: %s: %s" % (name, "; ".join(got) or "NOT CAUGHT"))
        bad += not got
    return 1 if bad else 0


def files_in_order(d):
    arch = sorted(f for f in os.listdir(d) if re.match(r"arch-\d+\.alog$", f))
    return [os.path.join(d, f) for f in arch] + [os.path.join(d, "a.alog")]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-w", "--writers", type=int, default=8)
    ap.add_argument("-r", "--records", type=int, default=250)
    ap.add_argument("-t", "--seconds", type=float, default=0)
    ap.add_argument("--rotate", type=int, default=5)
    ap.add_argument("--dir")
    ap.add_argument("--epochs", type=int, default=100000,
                    help="epochs of the signing key (one per seal)")
    ap.add_argument("--self-test", action="store_true",
                    help="check the final checks against faulty logs, and exit")
    a = ap.parse_args()
    if a.self_test:
        return self_test()

    d = tempfile.mkdtemp(prefix="concurrency.", dir=a.dir or scratch())
    run = Run(d)
    count_thread_deaths(run)
    start = time.time()
    try:
        must(["alog-keygen", "-s", "k.sec", "-p", "k.pub", "--epochs", str(a.epochs)], d)
        must(["alog-append", "-f", "a.alog", "start=1"], d)
        deadline = start + a.seconds if a.seconds else 0
        writers = []
        for w in range(a.writers):
            fn = run.single_writer if w % 2 == 0 else run.stream_writer
            writers.append(threading.Thread(target=fn, args=(w, a.records, deadline),
                                            name="writer-%d" % w))
        others = [threading.Thread(target=run.sealer, args=(a.rotate,), name="sealer")]
        others += [threading.Thread(target=run.reader, args=(argv,), name="reader-%d" % k)
                   for k, argv in enumerate(READERS)]
        for t in writers + others:
            t.start()
        for t in writers:
            t.join()
        run.stop.set()
        for t in others:
            t.join()
        must(["alog-seal", "-f", "a.alog", "-s", "k.sec"], d)

        files = files_in_order(d)
        r = subprocess.run([tool("alog-verify"), "-p", "k.pub", "--key-state", "k.sec",
                            "--require-sealed"] + files, cwd=d, capture_output=True, env=env())
        if r.returncode != 0:
            run.fail("the final log does not verify: %s" % r.stderr.decode()[:600])
        check = LogCheck(run, a.writers)
        nrecs, problem = walk_chain(files, check.record)
        if problem:
            run.fail("independent check: %s" % problem)
        total = check.finish()
        elapsed = time.time() - start
        print("concurrency: %d writers (%d single, %d streams), %d events, %d records in %d "
              "files, %d seals (%d rotations), %d reader runs, %d invocations, %.1f s: %s" % (
                  a.writers, (a.writers + 1) // 2, a.writers // 2, total, nrecs, len(files),
                  check.epochs, run.rotations, run.reads, run.invocations, elapsed,
                  "FAILED" if run.failures else "ok"))
    finally:
        if run.failures and os.environ.get("HARNESS_KEEP"):
            print("kept in %s" % d, file=sys.stderr)
        else:
            shutil.rmtree(d, ignore_errors=True)
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
