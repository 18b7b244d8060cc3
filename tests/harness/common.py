"""common.py - what the harness drivers share: finding the tools, running
them, building fixtures with them, and checking a log independently of the
verifier (seq, chain and the records a run was told are on disk)."""

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
BIN = os.environ.get("ALOG_BIN", os.path.join(ROOT, "build", "bin"))
TESTBIN = os.environ.get("ALOG_TESTBIN", os.path.join(ROOT, "build", "tests"))
ORIGIN = "harness.example/audit"


def tool(name):
    """Path of an alog tool, or of a test helper."""
    p = os.path.join(BIN, name)
    return p if os.path.exists(p) else os.path.join(TESTBIN, name)


def have_tool(name):
    return os.path.exists(os.path.join(BIN, name))


def sanitized():
    """Is the build under test linked with ASan (then malloc faults are moot)?"""
    try:
        out = subprocess.run(["ldd", tool("alog-append")], capture_output=True, text=True).stdout
    except OSError:
        return None
    m = re.search(r"(\S*libasan\S*) => (\S+)", out)
    return m.group(2) if m else None


def env(extra=None):
    e = dict(os.environ)
    e["ALOG_ORIGIN"] = ORIGIN
    e.pop("ALOG_FILE", None)
    e.pop("ALOG_POLICY", None)
    # Leaks make a sanitized tool exit 23: the harness counts that as a failure.
    e.setdefault("ASAN_OPTIONS", "detect_leaks=1")
    if extra:
        e.update(extra)
    return e


def run(argv, cwd, stdin=None, extra_env=None, timeout=120):
    argv = [tool(argv[0])] + list(argv[1:])
    return subprocess.run(argv, cwd=cwd, input=stdin, capture_output=True,
                          env=env(extra_env), timeout=timeout)


def must(argv, cwd, stdin=None):
    r = run(argv, cwd, stdin)
    if r.returncode != 0:
        sys.exit("harness: set-up failed: %s: %s" % (" ".join(argv), r.stderr.decode()))
    return r


def events(n, start=0, big=False):
    """n JSON event lines; with big, some above the page size."""
    out = []
    for i in range(start, start + n):
        ev = {"actor": "user%d" % (i % 7), "action": "act.%d" % (i % 3), "n": i}
        if big and i % 5 == 0:
            ev["pad"] = "x" * (4096 + (i * 37) % 9000)
        out.append(json.dumps(ev, separators=(",", ":")))
    return ("\n".join(out) + "\n").encode() if out else b""


def read_lines(path):
    with open(path, "rb") as f:
        return f.read().split(b"\n")


SEQ = re.compile(rb'^\{"seq":([1-9][0-9]*),"ts":"[^"]{30}"')


def walk_chain(paths, visit):
    """Independent check of a rotated log (files in order), streamed: every
    line a record, seq consecutive from the first header, each hash the
    chain's; visit(line) is called with each record that passed, without its
    newline.  Returns (records checked, problem or None)."""
    h = bytes(32)
    seq = None
    n = 0
    for k, path in enumerate(paths):
        with open(path, "rb") as f:
            for i, line in enumerate(f):
                if not line.endswith(b"\n"):
                    return n, "%s: ends without a newline" % path
                line = line[:-1]
                m = SEQ.match(line)
                if not m or len(line) < 76 or line[-67:-2] != line[-67:-2].lower():
                    return n, "%s:%d: not a record" % (path, i + 1)
                s = int(m.group(1))
                if i == 0 and k == 0:
                    j = line.find(b'"prev":"')
                    h = bytes.fromhex(line[j + 8:j + 72].decode()) if j > 0 else bytes(32)
                    seq = s - 1
                if s != seq + 1:
                    return n, "%s:%d: seq %d after %d" % (path, i + 1, s, seq)
                d = hashlib.sha256(line[:-75] + b"}").digest()
                h = hashlib.sha256(h + d).digest()
                if line[-66:-2].decode() != h.hex():
                    return n, "%s:%d: hash does not chain" % (path, i + 1)
                seq = s
                n += 1
                visit(line)
    return n, None


def check_chain(paths):
    """walk_chain, keeping the records: (records as a list of lines, problem
    or None).  For logs that fit in memory."""
    recs = []
    _, problem = walk_chain(paths, recs.append)
    return recs, problem


def scratch():
    """A directory for throw-away logs: tmpfs when there is one (the harnesses
    test behaviour, not the disk, and sync a lot)."""
    if os.access("/dev/shm", os.W_OK):
        return "/dev/shm"
    return None


def copytree(src, dst):
    if os.path.exists(dst):
        shutil.rmtree(dst)
    shutil.copytree(src, dst, symlinks=True)


class Tally:
    """Counts per named row, printed as a table."""

    def __init__(self, cols):
        self.cols = cols
        self.rows = {}
        self.failures = []

    def add(self, row, col, n=1):
        self.rows.setdefault(row, {c: 0 for c in self.cols})[col] += n

    def fail(self, row, msg):
        self.add(row, "failed")
        self.failures.append("%s: %s" % (row, msg))
        print("FAIL %s: %s" % (row, msg), file=sys.stderr)

    def show(self, title):
        w = max([len(title)] + [len(r) for r in self.rows]) + 2
        print(title.ljust(w) + "".join("%10s" % c for c in self.cols))
        tot = {c: 0 for c in self.cols}
        for r, v in self.rows.items():
            print(r.ljust(w) + "".join("%10d" % v[c] for c in self.cols))
            for c in self.cols:
                tot[c] += v[c]
        print("total".ljust(w) + "".join("%10d" % tot[c] for c in self.cols))
        return tot


def seed_after_seal(d):
    """Forward security at every instant: no secret key file in d (the key,
    its successor KEY.next) may still hold the seed of an epoch whose seal is
    in a log file in d.  Key files are k.sec* and n.sec*.  Returns a problem
    or None."""
    last = -1
    for name in sorted(os.listdir(d)):
        if not name.endswith(".alog"):
            continue
        for line in open(os.path.join(d, name), "rb").read().split(b"\n"):
            if b'"type":"seal"' in line:
                i = line.find(b'"epoch":')
                if i >= 0:
                    last = max(last, int(line[i + 8:].split(b",")[0]))
    if last < 0:
        return None
    for name in sorted(os.listdir(d)):
        if not (name.startswith("k.sec") or name.startswith("n.sec")):
            continue
        text = open(os.path.join(d, name), "rb").read()
        if b"\nseed " not in text:
            continue
        nxt = [l for l in text.split(b"\n") if l.startswith(b"next ")]
        if nxt and int(nxt[0][5:]) <= last:
            return "%s still holds epoch %d's seed, but the log has a seal with epoch %d" % (
                name, int(nxt[0][5:]), last)
    return None
