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

With -t, writers keep going (in rounds of RECORDS) until SECONDS have
passed.  Exits 1 on any failure.
"""

import argparse
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import check_chain, env, must, scratch, tool  # noqa: E402

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
        self.acked = {}  # w -> list of i acknowledged
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
                self.acked.setdefault(w, []).append(i)
                i += 1
            if not deadline or time.time() > deadline:
                return

    def stream_writer(self, w, records, deadline):
        rnd = random.Random(w)
        i = 0
        out = open(os.path.join(self.d, "ack.%d" % w), "wb")
        p = subprocess.Popen([tool("alog-append"), "-f", "a.alog", "--ack"], cwd=self.d,
                             stdin=subprocess.PIPE, stdout=out, stderr=subprocess.PIPE, env=env())
        sent = []
        while True:
            n = 0
            while n < records:
                k = min(records - n, rnd.randint(1, 25))
                chunk = "".join(event(w, i + j) + "\n" for j in range(k))
                p.stdin.write(chunk.encode())
                p.stdin.flush()
                sent.extend(range(i, i + k))
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
        self.acked_seqs = getattr(self, "acked_seqs", {})
        self.acked_seqs[w] = [int(x) for x in open(os.path.join(self.d, "ack.%d" % w)).read()
                              .split()]
        self.sent = getattr(self, "sent", {})
        self.sent[w] = sent

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
    a = ap.parse_args()

    d = tempfile.mkdtemp(prefix="concurrency.", dir=a.dir or scratch())
    run = Run(d)
    start = time.time()
    try:
        must(["alog-keygen", "-s", "k.sec", "-p", "k.pub", "--epochs", str(a.epochs)], d)
        must(["alog-append", "-f", "a.alog", "start=1"], d)
        deadline = start + a.seconds if a.seconds else 0
        writers = []
        for w in range(a.writers):
            fn = run.single_writer if w % 2 == 0 else run.stream_writer
            writers.append(threading.Thread(target=fn, args=(w, a.records, deadline)))
        others = [threading.Thread(target=run.sealer, args=(a.rotate,))]
        others += [threading.Thread(target=run.reader, args=(argv,)) for argv in READERS]
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
        recs, problem = check_chain(files)
        if problem:
            run.fail("independent check: %s" % problem)
        if recs and not recs[0].startswith(b'{"seq":1,'):
            run.fail("the log does not start at seq 1")
        # events by writer, in log order; seal epochs
        seen = {}
        by_seq = {}
        epochs = []
        for line in recs:
            obj = json.loads(line)
            if obj.get("type") == "seal":
                epochs.append(obj["epoch"])
            if "w" in obj:
                seen.setdefault(obj["w"], []).append(obj["i"])
                by_seq[obj["seq"]] = (obj["w"], obj["i"])
        if epochs != list(range(len(epochs))):
            run.fail("seal epochs are not 0, 1, 2, ...: %s" % epochs[:20])
        total = 0
        for w in range(a.writers):
            got = seen.get(w, [])
            if w % 2 == 0:
                want = run.acked.get(w, [])
            else:
                want = [by_seq.get(s, (None, None))[1] for s in run.acked_seqs.get(w, [])]
                if any(by_seq.get(s, (None,))[0] != w for s in run.acked_seqs.get(w, [])):
                    run.fail("writer %d: an acknowledged seq holds another writer's event" % w)
                if want != run.sent.get(w, []):
                    run.fail("writer %d: %d events sent, %d acknowledged" % (
                        w, len(run.sent.get(w, [])), len(want)))
            if got != sorted(set(got)):
                dup = len(got) - len(set(got))
                run.fail("writer %d: events duplicated (%d) or out of its order" % (w, dup))
            missing = set(want) - set(got)
            if missing:
                run.fail("writer %d: %d acknowledged events lost, e.g. %s" % (
                    w, len(missing), sorted(missing)[:5]))
            extra = set(got) - set(want)
            if extra:
                run.fail("writer %d: %d events in the log that were never acknowledged" % (
                    w, len(extra)))
            total += len(got)
        elapsed = time.time() - start
        print("concurrency: %d writers (%d single, %d streams), %d events, %d records in %d "
              "files, %d seals (%d rotations), %d reader runs, %d invocations, %.1f s: %s" % (
                  a.writers, (a.writers + 1) // 2, a.writers // 2, total, len(recs), len(files),
                  len(epochs), run.rotations, run.reads, run.invocations, elapsed,
                  "FAILED" if run.failures else "ok"))
    finally:
        if run.failures and os.environ.get("HARNESS_KEEP"):
            print("kept in %s" % d, file=sys.stderr)
        else:
            shutil.rmtree(d, ignore_errors=True)
    return 1 if run.failures else 0


if __name__ == "__main__":
    sys.exit(main())
