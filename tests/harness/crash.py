#!/usr/bin/env python3
"""crash.py - the crash harness, in three parts.

  random  RUNS times: a stream writer (--ack) and a sealer (rotating now
          and then) work on one log and one of them, or both, is killed
          with SIGKILL at a random moment.
  steps   alog-append, alog-append --recover, alog-seal and alog-seal
          --rotate killed before and after each of their file-changing
          calls in turn (open, write, fsync, rename, link, ...), through
          the LD_PRELOAD shim tests/tools/faultinj.c.
  power   the log cut at every byte offset of its last record, and tails
          of NUL bytes (a power loss on a file system that extends the
          file before the data lands).
  run     alog-run (with and without --transcript) and the command it runs
          killed with SIGKILL at random moments, one or the other or both,
          while the command writes output in bursts: the log verifies (after
          --recover when a write was cut), every record in it is whole
          JSON, and a session that ended has its session.start and
          session.end with the same id and the command's exit status.
  follow  alog-append --follow taking a file that a writer appends to and
          rotates (rename, copytruncate; rotated files kept as .1, .2 ...)
          is killed with SIGKILL at random moments and started again: every
          line of the source is in the log exactly once, in order.

After every crash: the damage, if any, is at the tail only and reported
at the right line; alog-append refuses to write after it and
alog-append --recover moves it aside; then every acknowledged record is in
the log exactly once, the log verifies with its seals and key state, and
the interrupted command run again succeeds.

    crash.py [--runs N] [--part random|steps|power|follow|run] [--stride N] [--dir DIR]

Exits 1 on any failure.
"""

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from common import (TESTBIN, Tally, check_chain, copytree, env, events, must, run,  # noqa
                    sanitized, scratch, seed_after_seal, tool)

T = Tally(["runs", "torn", "recovered", "failed"])


def files_in_order(d):
    live = os.path.join(d, "a.alog")
    arch = sorted(f for f in os.listdir(d) if re.match(r"arch-\d+\.alog$", f))
    out = [os.path.join(d, f) for f in arch
           if not (os.path.exists(live) and os.path.samefile(os.path.join(d, f), live))]
    return out + ([live] if os.path.exists(live) else [])


SHAPE = re.compile(rb'^\{"seq":[1-9][0-9]*,"ts":"[^"]{30}".*,"hash":"[0-9a-f]{64}"\}$', re.S)


def seqs_of(recs):
    return [int(l[7:l.index(b",")]) for l in recs]


def settle(row, d, acked, what):
    """After a crash: damage only at the tail, named at the right line,
    recoverable; then everything acknowledged is there once and it verifies."""
    files = files_in_order(d)
    live = os.path.join(d, "a.alog")
    if not os.path.exists(live):
        T.fail(row, "%s: the log's path is gone" % what)
        return False
    data = open(live, "rb").read()
    # The damaged tail: a last line without LF, and lines at the end that are
    # not records (NULs then LF); what comes before is the good part.
    good = data[:data.rfind(b"\n") + 1] if data else b""
    while good:
        start = good.rfind(b"\n", 0, len(good) - 1) + 1
        line = good[start:-1]
        if SHAPE.match(line):
            break
        good = good[:start]
    torn = len(good) != len(data)
    r = run(["alog-verify", "-p", "k.pub"] + files, d)
    if torn:
        T.add(row, "torn")
        nlines = good.count(b"\n") + 1
        want = "a.alog:%d: damaged tail" % nlines
        if r.returncode != 1 or want not in r.stderr.decode():
            T.fail(row, "%s: torn tail not reported at line %d: exit %d: %s" % (
                what, nlines, r.returncode, r.stderr.decode()[:300]))
            return False
        a = run(["alog-append", "-f", "a.alog", "probe=1"], d)
        if a.returncode != 1 or ("a.alog:%d:" % nlines) not in a.stderr.decode():
            T.fail(row, "%s: alog-append after a torn tail: exit %d: %s" % (
                what, a.returncode, a.stderr.decode()[:300]))
            return False
        rc = run(["alog-append", "-f", "a.alog", "--recover"], d)
        if rc.returncode != 0:
            T.fail(row, "%s: --recover: exit %d: %s" % (what, rc.returncode, rc.stderr.decode()))
            return False
        aside = [f for f in os.listdir(d) if f.startswith("a.alog.torn-")]
        saved = b"".join(open(os.path.join(d, f), "rb").read() for f in aside)
        if data[len(good):] not in saved:
            T.fail(row, "%s: the damaged bytes were not saved aside" % what)
        for f in aside:
            os.unlink(os.path.join(d, f))
        T.add(row, "recovered")
        r = run(["alog-verify", "-p", "k.pub"] + files_in_order(d), d)
    if r.returncode != 0:
        T.fail(row, "%s: does not verify: %s" % (what, r.stderr.decode()[:400]))
        return False
    recs, problem = check_chain(files_in_order(d))
    if problem:
        T.fail(row, "%s: independent check: %s" % (what, problem))
        return False
    have = seqs_of(recs)
    lost = sorted(set(acked) - set(have))
    if lost:
        T.fail(row, "%s: acknowledged records lost: seq %s" % (what, lost[:5]))
        return False
    # acknowledged events are there once: their (stream, n) tags are unique
    tags = [m.group(0) for m in (re.search(rb'"tag":"[^"]*"', l) for l in recs) if m]
    if len(tags) != len(set(tags)):
        T.fail(row, "%s: an event appears twice" % what)
        return False
    return True


def fresh(base, name, epochs=4000):
    d = os.path.join(base, name)
    if os.path.exists(d):
        shutil.rmtree(d)
    os.makedirs(d)
    must(["alog-keygen", "-s", "k.sec", "-p", "k.pub", "--epochs", str(epochs)], d)
    must(["alog-append", "-f", "a.alog"], d, events(3))
    return d


def tagged(run_no, n, start=0):
    """Events tagged with the run; every 7th above the page size."""
    return "".join('{"tag":"r%d.%d","actor":"crash","pad":"%s"}\n' % (
        run_no, i, "z" * (4096 + i if i % 7 == 3 else i)) for i in range(start, start + n)).encode()


def part_random(base, runs, rnd):
    row = "kill -9 at random moments"
    rotations = 0
    for k in range(runs):
        if k % 25 == 0:  # a new log now and then keeps the checks short
            d = fresh(base, "random")
            acked = []
        T.add(row, "runs")
        w = subprocess.Popen([tool("alog-append"), "-f", "a.alog", "--ack"], cwd=d,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, env=env())
        argv = [tool("alog-seal"), "-f", "a.alog", "-s", "k.sec"]
        if rnd.random() < 0.3:
            argv += ["--rotate", "arch-%05d.alog" % rotations]
            rotations += 1
        s = subprocess.Popen(argv, cwd=d, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             env=env())
        try:
            w.stdin.write(tagged(k, rnd.randint(1, 40)))
            w.stdin.flush()
        except BrokenPipeError:
            pass
        time.sleep(rnd.random() * 0.02)
        victims = rnd.choice([[w], [s], [w, s]])
        for p in victims:
            try:
                p.send_signal(signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            w.stdin.close()
        except BrokenPipeError:
            pass
        out = w.stdout.read()
        w.wait()
        serr = s.stderr.read()
        s.wait()
        acked += [int(x) for x in out.split()]
        # a writer killed mid-record leaves a torn tail, and a seal that comes after it
        # rightly refuses to seal over it (exit 1, pointing at --recover)
        torn_refusal = (s.returncode == 1 and w in victims and
                        b"the last record is damaged" in serr)
        if s.returncode not in (0, -9) and not torn_refusal:
            T.fail(row, "run %d: the seal exited %d: %s" % (k, s.returncode, serr.decode()))
        if not settle(row, d, acked, "run %d" % k):
            return
        # forward security at the instant of the kill: no key file holds a sealed epoch's seed
        problem = seed_after_seal(d)
        if problem:
            T.fail(row, "run %d: killed: %s" % (k, problem))
            return
        # the interrupted seal, again: it must succeed (and catch the key up); an
        # interrupted rotation is finished by the same command (see RELIABILITY.md)
        if s.returncode == -9:
            again = ["alog-seal", "-f", "a.alog", "-s", "k.sec"]
            arch = argv[-1] if "--rotate" in argv else None
            if arch and (not os.path.exists(os.path.join(d, arch)) or os.path.samefile(
                    os.path.join(d, arch), os.path.join(d, "a.alog"))):
                again += ["--rotate", arch]
            r = run(again, d)
            if r.returncode != 0:
                T.fail(row, "run %d: sealing after a killed seal: %s" % (k, r.stderr.decode()))
                return
    r = run(["alog-verify", "-p", "k.pub", "--key-state", "k.sec"] + files_in_order(d), d)
    if r.returncode != 0:
        T.fail(row, "at the end, with the key state: %s" % r.stderr.decode()[:400])


# name, argv, stdin, fixture ("sealed" or "torn")
STEPS = [
    ("append", ["alog-append", "-f", "a.alog", "tag=step", "n:=1"], None, "sealed"),
    ("append stream", ["alog-append", "-f", "a.alog", "--ack"], None, "sealed"),
    ("append --policy", ["alog-append", "-f", "a.alog", "--policy", "p.json", "tag=step",
                         "secret=s3cr3t", "n:=1"], None, "sealed"),
    ("append --recover", ["alog-append", "-f", "a.alog", "--recover"], None, "torn"),
    ("seal", ["alog-seal", "-f", "a.alog", "-s", "k.sec"], None, "sealed"),
    ("seal --rotate", ["alog-seal", "-f", "a.alog", "-s", "k.sec", "--rotate", "arch-00000.alog"],
     None, "sealed"),
]


def part_steps(base, asan):
    shim = os.path.join(TESTBIN, "libfaultinj.so")
    preload = "%s:%s" % (asan, shim) if asan else shim
    tpl = fresh(base, "steps-sealed", 64)
    must(["alog-keygen", "--reader", "-s", "r.sec", "-p", "r.pub"], tpl)
    with open(os.path.join(tpl, "p.json"), "w") as f:
        f.write('{"rules": [{"path": "secret", "do": "encrypt"}], "readers": ["r.pub"]}\n')
    must(["alog-seal", "-f", "a.alog", "-s", "k.sec"], tpl)
    must(["alog-append", "-f", "a.alog", "after=seal"], tpl)
    tpl_torn = os.path.join(base, "steps-torn")
    copytree(tpl, tpl_torn)
    with open(os.path.join(tpl_torn, "a.alog"), "ab") as f:
        f.write(b'{"seq":7,"ts":"2026-11-28T05:')
    d = os.path.join(base, "step")
    for name, argv, stdin, fixture in STEPS:
        row = "kill at each step: " + name
        if name == "append stream":
            stdin = tagged(0, 5)
        src = tpl if fixture == "sealed" else tpl_torn
        copytree(src, d)
        cnt = os.path.join(base, "count")
        r = run(argv, d, stdin, {"LD_PRELOAD": preload, "FAULTINJ_COUNT": cnt})
        if r.returncode != 0:
            T.fail(row, "without a crash: exit %d: %s" % (r.returncode, r.stderr.decode()))
            continue
        counts = dict(l.split() for l in open(cnt).read().split("\n") if l)
        total = sum(int(counts.get(op, 0)) for op in (
            "open", "write", "pwrite", "fsync", "fdatasync", "rename", "link", "unlink",
            "ftruncate", "close"))
        for n in range(1, total + 1):
            for when in ("kill", "killafter"):
                copytree(src, d)
                T.add(row, "runs")
                before = open(os.path.join(d, "a.alog"), "rb").read()
                r = run(argv, d, stdin, {"LD_PRELOAD": preload,
                                         "FAULTINJ": "any:%d:%s" % (n, when)})
                what = "%s call #%d" % ("before" if when == "kill" else "after", n)
                if r.returncode not in (-9, 0):
                    T.fail(row, "%s: exit %d: %s" % (what, r.returncode, r.stderr.decode()))
                    continue
                acked = [int(x) for x in r.stdout.split()] if name == "append stream" else []
                if name in ("append", "append --policy") and r.returncode == 0:
                    acked = [len(before.split(b"\n"))]
                if fixture == "torn":
                    # the torn tail may still be there, or already moved aside
                    pass
                if not settle(row, d, acked, what):
                    continue
                if name.startswith("seal"):
                    problem = seed_after_seal(d)
                    if problem:
                        T.fail(row, "%s: killed: %s" % (what, problem))
                        continue
                # the same command again succeeds and the log then verifies with the key
                # state (a rotation that got as far as its rename is done: seal on)
                argv2 = argv
                arch = os.path.join(d, "arch-00000.alog")
                if name == "seal --rotate" and os.path.exists(arch) and not os.path.samefile(
                        arch, os.path.join(d, "a.alog")):
                    argv2 = argv[:-1] + ["arch-00001.alog"]
                again = run(argv2, d, stdin)
                if again.returncode != 0 and not (fixture == "torn" and again.returncode == 0):
                    if not (name == "append --recover" and again.returncode == 0):
                        T.fail(row, "%s: run again: exit %d: %s" % (
                            what, again.returncode, again.stderr.decode()[:300]))
                        continue
                r = run(["alog-verify", "-p", "k.pub", "--key-state", "k.sec"] +
                        files_in_order(d), d)
                if r.returncode != 0:
                    T.fail(row, "%s: then: %s" % (what, r.stderr.decode()[:300]))


def part_power(base, stride=1):
    row = "power loss: last record cut"
    tpl = fresh(base, "power", 16)
    must(["alog-seal", "-f", "a.alog", "-s", "k.sec"], tpl)
    must(["alog-append", "-f", "a.alog", "actor=alice", "action=db.query", "rows:=42",
          "msg=caf\u00e9"], tpl)
    full = open(os.path.join(tpl, "a.alog"), "rb").read()
    last = full.rfind(b"\n", 0, len(full) - 1) + 1
    d = os.path.join(base, "cut")
    recs, _ = check_chain([os.path.join(tpl, "a.alog")])
    keep = seqs_of(recs)[:-1]
    cuts = list(range(0, len(full) - last, stride))
    if cuts[-1] != len(full) - last - 1:
        cuts.append(len(full) - last - 1)
    for k in cuts:
        copytree(tpl, d)
        with open(os.path.join(d, "a.alog"), "r+b") as f:
            f.truncate(last + k)
        T.add(row, "runs")
        settle(row, d, keep, "cut at byte %d of the last record" % k)
    row = "power loss: NUL-filled tail"
    for shape in ("appended", "over the last record", "over the last record, then LF"):
        for n in (1, 7, 512, 4096, 65536):
            copytree(tpl, d)
            p = os.path.join(d, "a.alog")
            if shape == "appended":
                data = full + b"\0" * n
                want = seqs_of(recs)
            else:
                data = full[:last] + b"\0" * n + (b"\n" if shape.endswith("LF") else b"")
                want = keep
            open(p, "wb").write(data)
            T.add(row, "runs")
            settle(row, d, want, "%d NULs %s" % (n, shape))


def recover_if_torn(row, d, log):
    """A follower killed mid-write leaves a torn tail: moved aside, as its service does."""
    if run(["alog-verify", "-q", log], d).returncode == 0:
        return True
    r = run(["alog-append", "-f", log, "--recover"], d)
    if r.returncode != 0:
        T.fail(row, "--recover: %s" % r.stderr.decode()[:300])
        return False
    T.add(row, "torn")
    T.add(row, "recovered")
    return run(["alog-verify", "-q", log], d).returncode == 0


def caught_up(log, n, seconds=2.0):
    """Has the follower taken line n (waiting a little)?"""
    needle = b'"line":%d,' % n
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with open(log, "rb") as f:
                f.seek(max(0, os.path.getsize(log) - 65536))
                if needle in f.read():
                    return True
        except OSError:
            pass
        time.sleep(0.01)
    return False


def part_follow(base, runs, rnd):
    """kill -9 of a follower at random moments while its source grows and rotates."""
    row = "kill -9 of a file follower"
    d = os.path.join(base, "follow")
    os.makedirs(d)
    src = os.path.join(d, "src.log")
    n = 0  # lines written so far

    def write(k):
        nonlocal n
        with open(src, "ab") as f:
            for _ in range(k):
                n += 1
                f.write(b'{"line":%d,"pad":"%s"}\n' % (n, b"p" * (n % 300)))

    def shift():
        """Keep every rotated file, as logrotate's "rotate N" does: .1 -> .2 ..."""
        k = 1
        while os.path.exists("%s.%d" % (src, k)):
            k += 1
        for j in range(k - 1, 0, -1):
            os.replace("%s.%d" % (src, j), "%s.%d" % (src, j + 1))

    write(50)
    # a first start takes the file as it is then (rotated files before it are history)
    must(["alog-append", "-f", "a.alog", "--follow", "src.log", "--once"], d)
    for k in range(runs):
        T.add(row, "runs")
        f = subprocess.Popen([tool("alog-append"), "-f", "a.alog", "--follow", "src.log"], cwd=d,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env())
        for _ in range(rnd.randint(1, 4)):
            write(rnd.randint(1, 400))
            r = rnd.random()
            if r < 0.1:
                # rotation by rename: the writer keeps writing to the old file a little
                shift()
                os.replace(src, src + ".1")
                with open(src + ".1", "ab") as old:
                    n += 1
                    old.write(b'{"line":%d,"late":true}\n' % n)
                open(src, "ab").close()
            elif r < 0.15 and caught_up(os.path.join(d, "a.alog"), n):
                # copytruncate, once the follower has read what is there: lines
                # written between the copy and the truncation, or copied before any
                # reader saw them, are copytruncate's own loss (see alog-append(1))
                shift()
                shutil.copyfile(src, src + ".1")
                os.truncate(src, 0)
            time.sleep(rnd.random() * 0.03)
        try:
            f.send_signal(signal.SIGKILL)
        except ProcessLookupError:
            pass
        err = f.stderr.read()
        f.wait()
        if f.returncode not in (-9, 0):
            T.fail(row, "run %d: the follower exited %d: %s" % (k, f.returncode, err.decode()[:300]))
            return
        if not recover_if_torn(row, d, "a.alog"):
            T.fail(row, "run %d: the log does not verify" % k)
            return
    r = run(["alog-append", "-f", "a.alog", "--follow", "src.log", "--once"], d)
    if r.returncode != 0:
        T.fail(row, "the last catch-up: %s" % r.stderr.decode()[:300])
        return
    data = open(os.path.join(d, "a.alog"), "rb").read()
    got = [int(m.group(1)) for m in re.finditer(rb'"line":(\d+)', data)]
    if got != list(range(1, n + 1)):
        dup = sorted(x for x in set(got) if got.count(x) > 1)
        lost = sorted(set(range(1, n + 1)) - set(got))
        T.fail(row, "lines not once each, in order: %d lines, duplicates %s, lost %s" % (
            n, dup[:10], lost[:10]))
    if b"capture.gap" in data:
        T.fail(row, "a gap was recorded, though every rotated file was kept")


def part_run(base, runs, rnd):
    """kill -9 of alog-run and of its command at random moments."""
    import json
    row = "kill -9 of alog-run and its command"
    d = os.path.join(base, "run")
    os.makedirs(d)
    script = ("i=0; while [ $i -lt 40 ]; do i=$((i+1)); "
              "head -c $((i * 997)) /dev/zero | tr '\\0' x; echo; sleep 0.005; done; exit 7")
    for k in range(runs):
        T.add(row, "runs")
        argv = [tool("alog-run"), "-f", "a.alog"]
        if rnd.random() < 0.7:
            argv.append("--transcript")
        p = subprocess.Popen(argv + ["sh", "-c", script], cwd=d, stdin=subprocess.DEVNULL,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env(),
                             start_new_session=True)
        time.sleep(rnd.random() * 0.25)
        who = rnd.random()
        try:
            if who < 0.4:
                p.send_signal(signal.SIGKILL)                # alog-run alone
            elif who < 0.7:
                os.killpg(p.pid, signal.SIGKILL)             # both, and the command's children
            elif who < 0.9:
                kids = subprocess.run(["pgrep", "-P", str(p.pid)], capture_output=True)
                for c in kids.stdout.split():
                    os.kill(int(c), signal.SIGKILL)         # the command alone
        except ProcessLookupError:
            pass
        err = p.stderr.read()
        p.wait()
        try:
            os.killpg(p.pid, signal.SIGKILL)                 # what the kill left running
        except ProcessLookupError:
            pass
        if p.returncode not in (-9, 7, 137):
            T.fail(row, "run %d: alog-run exited %d: %s" % (k, p.returncode, err.decode()[:300]))
            return
        if not recover_if_torn(row, d, "a.alog"):
            T.fail(row, "run %d: the log does not verify" % k)
            return
        recs = open(os.path.join(d, "a.alog"), "rb").read().split(b"\n")[:-1]
        for l in recs:
            if not SHAPE.match(l):
                T.fail(row, "run %d: a record is not whole: %r" % (k, l[:120]))
                return
            json.loads(l)
        if p.returncode in (7, 137):
            ends = [json.loads(l) for l in recs if b'"session.end"' in l]
            starts = [json.loads(l) for l in recs if b'"session.start"' in l]
            if not ends or not starts or ends[-1]["session"] not in [s["session"] for s in starts]:
                T.fail(row, "run %d: a finished session lacks its start or end" % k)
                return
            if ends[-1]["status"] != p.returncode:
                T.fail(row, "run %d: session.end says %s, alog-run exited %d" % (
                    k, ends[-1]["status"], p.returncode))
                return


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=200)
    ap.add_argument("--part", choices=["random", "steps", "power", "follow", "run"])
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dir")
    ap.add_argument("--stride", type=int, default=1,
                    help="power: cut at every STRIDE-th byte of the last record (and its last)")
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    base = tempfile.mkdtemp(prefix="crash.", dir=a.dir or scratch())
    try:
        if a.part in (None, "random"):
            part_random(base, a.runs, rnd)
        if a.part in (None, "steps"):
            part_steps(base, sanitized())
        if a.part in (None, "power"):
            part_power(base, max(1, a.stride))
        if a.part in (None, "follow"):
            part_follow(base, a.runs, rnd)
        if a.part in (None, "run"):
            part_run(base, a.runs, rnd)
    finally:
        if T.failures and os.environ.get("HARNESS_KEEP"):
            print("kept in %s" % base, file=sys.stderr)
        else:
            shutil.rmtree(base, ignore_errors=True)
    tot = T.show("crash")
    print("%d crash runs, %d torn tails recovered, %d failures" % (tot["runs"], tot["recovered"],
                                                                   tot["failed"]))
    return 1 if T.failures else 0


if __name__ == "__main__":
    sys.exit(main())
