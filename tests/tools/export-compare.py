#!/usr/bin/env python3
"""export-compare.py - compare what a consumer read from an alog-export
output with the events of the log it was exported from.

usage: export-compare.py fields LOG             (print a --fields list of
                                                 every member, "" excepted)
       export-compare.py json   LOG FILE        (ndjson or a JSON array)
       export-compare.py csv    LOG FILE FIELDS (Python's csv module)
       export-compare.py tsv    LOG FILE FIELDS (Python's csv, TAB, no quoting)
       export-compare.py sqlite LOG FILE FIELDS csv|tsv  (sqlite3 .import)
       export-compare.py cef    LOG FILE        (FILE: cef-parse.py output)
       export-compare.py values LOG FILE        (ecs or ocsf documents)

LOG is the alog file; its records (not its header and seals) are the
source, their seq, ts and hash included.  FIELDS is the --fields list
given to alog-export.  Prints one line per difference, "seq N (CASE):
FIELD: ...", and exits 1 if there is any, 0 if none, 2 on a usage error.

What is expected, from alog-export(1):
 - json: each document equal to the event (same members, same values).
 - csv, tsv: a header row of the fields, then one row per event in order;
   each cell: empty for a null or absent member; strings as they are, with
   control characters other than CR, LF and TAB (and, in tsv, those too
   but escaped as \\r \\n \\t, with \\\\ for a backslash) written as #
   and three octal digits, and a '#' that starts the text of such a form as
   #043; a ' in front of a string that starts with = + - @ TAB or CR (in
   tsv also "); numbers as written in the record; true and false; objects
   and arrays as their JSON text.
 - cef: one event per record; the extension holds every leaf of the event
   (objects are flattened into one key per member, arrays are their JSON
   text), each value equal to the source (control characters other than
   CR and LF as #ooo, a '#' that starts the text of such a form as #043,
   the spaces that end a value as #040, CR and LF unescaped from \\r \\n), no more keys than
   that besides rt, externalId, alogHash and *Label keys; the mapped keys
   suser (actor), act (action) and msg (msg) hold their member when it is
   a string; a null member has no key, so that null and "" stay apart.
 - values: every scalar leaf of the event (strings, numbers, booleans;
   through objects and arrays), and its seq, ts and hash, is the value of
   some leaf of the document: nothing of the event is lost.
"""
import csv
import json
import re
import subprocess
import sys

csv.field_size_limit(1 << 30)


class Num(str):
    """A JSON number as written in the record."""


def raw_loads(s):
    return json.loads(s, parse_int=Num, parse_float=Num)


def load_log(path):
    out = []
    with open(path, "rb") as f:
        for line in f:
            line = line.rstrip(b"\n")
            if not line:
                continue
            text = line.decode("utf-8")
            rec = json.loads(text)
            if "type" in rec:       # header, seal, recover: not events
                continue
            out.append((rec, raw_loads(text)))
    return out


def event_of(rec):
    return {k: v for k, v in rec.items() if k not in ("seq", "ts", "hash")}


def label(rec):
    case = rec.get("case")
    return "seq %s%s" % (rec.get("seq"), " (%s)" % case if isinstance(case, str) else "")


def short(v):
    s = json.dumps(v, ensure_ascii=True)
    return s if len(s) <= 70 else s[:67] + "..."


class Report:
    def __init__(self):
        self.n = 0

    def __call__(self, where, field, msg):
        self.n += 1
        print("%s: %s: %s" % (where, field, msg))


# ---- field paths, as alog-export's --fields reads them ----
def split_fields(spec):
    fields, cur, i = [], "", 0
    while i < len(spec):
        c = spec[i]
        if c == "\\" and i + 1 < len(spec):
            cur += spec[i:i + 2]
            i += 2
            continue
        if c == ",":
            fields.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    fields.append(cur)
    return fields


def path_parts(field):
    parts, cur, i = [], "", 0
    while i < len(field):
        c = field[i]
        if c == "\\" and i + 1 < len(field):
            cur += field[i + 1]
            i += 2
            continue
        if c == ".":
            parts.append(cur)
            cur = ""
        else:
            cur += c
        i += 1
    parts.append(cur)
    return parts


MISSING = object()


def lookup(obj, field):
    for p in path_parts(field):
        if not isinstance(obj, dict) or p not in obj:
            return MISSING
        obj = obj[p]
    return obj


OCTAL_FORM = re.compile(r"#[0-3][0-7][0-7]")


def neutral(s, keep):
    out = []
    for i, ch in enumerate(s):
        o = ord(ch)
        if (o < 0x20 or o == 0x7f) and ch not in keep:
            out.append("#%03o" % o)
        elif ch == "#" and OCTAL_FORM.match(s, i):
            out.append("#043")      # the text of a #ooo form stays apart from it
        else:
            out.append(ch)
    return "".join(out)


FORMULA = ("=", "+", "-", "@", "\t", "\r")


def expected_cell(v, tsv=False):
    """The cell text a csv or tsv reader gets back (tsv unescaped)."""
    if v is MISSING or v is None:
        return ""
    if isinstance(v, Num):
        return str(v)
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, str):
        text = neutral(v, "\t\r\n")
        return "'" + text if v.startswith(FORMULA) or (tsv and v.startswith('"')) else text
    return None     # objects and arrays: compared as JSON


def compare_cell(report, where, field, got, rawv, v, tsv):
    want = expected_cell(rawv, tsv)
    if want is None:
        try:
            ok = json.loads(got) == v
        except ValueError:
            ok = False
        if not ok:
            report(where, field, "expected the JSON text of %s, got %s" % (short(v), short(got)))
    elif got != want:
        report(where, field, "expected %s, got %s" % (short(want), short(got)))


def tsv_unescape(cell):
    out, i = [], 0
    m = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}
    while i < len(cell):
        if cell[i] == "\\" and i + 1 < len(cell) and cell[i + 1] in m:
            out.append(m[cell[i + 1]])
            i += 2
        else:
            out.append(cell[i])
            i += 1
    return "".join(out)


def compare_rows(report, records, fields, rows, header=True, tsv=False):
    if not rows:
        report("output", "header", "no header row")
        return
    # header cells are neutralised like any other cell
    shown = ["'" + f if f.startswith(FORMULA) or (tsv and f.startswith('"')) else f
             for f in fields]
    if header and rows[0] != shown:
        diff = [i for i in range(max(len(shown), len(rows[0])))
                if i >= len(shown) or i >= len(rows[0]) or shown[i] != rows[0][i]]
        i = diff[0]
        report("output", "header", "column %d: expected %s, got %s" % (
            i + 1, short(shown[i] if i < len(shown) else None),
            short(rows[0][i] if i < len(rows[0]) else None)))
    data = rows[1:]
    if len(data) != len(records):
        report("output", "rows", "%d events, %d rows" % (len(records), len(data)))
    for (rec, raw), row in zip(records, data):
        where = label(rec)
        if len(row) != len(fields):
            report(where, "row", "%d cells for %d fields: %s" % (len(row), len(fields), short(row)))
            continue
        for field, got in zip(fields, row):
            compare_cell(report, where, field, got, lookup(raw, field), lookup(rec, field), tsv)


def read_csv(path, tsv):
    with open(path, newline="", encoding="utf-8") as f:
        if tsv:
            rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE, lineterminator="\n"))
            return [[tsv_unescape(c) for c in r] for r in rows]
        return list(csv.reader(f))


def read_sqlite(path, fmt):
    mode = [".import --csv %s t" % path] if fmt == "csv" else \
        [".mode tabs", ".import %s t" % path]
    p = subprocess.run(["sqlite3", ":memory:"] + mode +
                       ["select group_concat(quote(name), ',') from pragma_table_info('t')"],
                       capture_output=True, text=True)
    # sqlite3 renames columns whose names differ only in case (x and X):
    # its own limit, not the file's; the header is not compared then
    if p.stderr.startswith("Columns renamed during .import"):
        p.stderr = ""
    if p.returncode != 0 or p.stderr:
        return None, "sqlite3 .import failed: %s" % (p.stderr.strip() or p.returncode)
    names = p.stdout
    p = subprocess.run(["sqlite3", ":memory:"] + mode + [".mode json",
                       "select json_group_array(json(r)) from (select json_array(%s) as r from "
                       "(select * from t))" % ", ".join(
                           "\"%s\"" % n.replace('"', '""') for n in sqlite_names(names))],
                       capture_output=True, text=True)
    if p.stderr.startswith("Columns renamed during .import"):
        p.stderr = ""
    if p.returncode != 0 or p.stderr:
        return None, "sqlite3 query failed: %s" % (p.stderr.strip() or p.returncode)
    out = json.loads(p.stdout)
    rows = json.loads(next(iter(out[0].values())))
    header = sqlite_names(names)
    return [header] + [[("" if c is None else str(c)) for c in r] for r in rows], None


def sqlite_names(text):
    # text is a comma-separated list of SQL string literals
    names, cur, i, s = [], None, 0, text.strip()
    while i < len(s):
        c = s[i]
        if c == "'":
            cur = "" if cur is None else cur
            i += 1
            while i < len(s):
                if s[i] == "'" and i + 1 < len(s) and s[i + 1] == "'":
                    cur += "'"
                    i += 2
                elif s[i] == "'":
                    i += 1
                    break
                else:
                    cur += s[i]
                    i += 1
        elif c == ",":
            names.append(cur)
            cur = None
            i += 1
        else:
            i += 1
    if cur is not None:
        names.append(cur)
    return names


# ---- leaves ----
def scalar_leaves(v, out):
    if isinstance(v, dict):
        for x in v.values():
            scalar_leaves(x, out)
    elif isinstance(v, list):
        for x in v:
            scalar_leaves(x, out)
    elif v is not None:
        out.append(v)


def same(a, b):
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    return type(a) is type(b) and a == b


LABEL_KEY = re.compile(r"(cs[1-6]|cn[1-3]|cfp[1-4]|c6a[1-4]|flexString[12]|flexNumber[12]|"
                       r"flexDate1|deviceCustomDate[12])Label")


def cef_text(v, raw):
    """The extension value a scalar member should read back as."""
    if isinstance(raw, Num):
        return str(raw)
    if isinstance(v, str):
        # spaces that end a value are #040: CEF consumers drop them
        text = neutral(v, "\r\n")
        body = text.rstrip(" ")
        return body + "#040" * (len(text) - len(body))
    if v is True:
        return "true"
    if v is False:
        return "false"
    return None


def json_text_of(got, v):
    try:
        return json.loads(got) == v
    except ValueError:
        return False


def compare_cef(report, records, parsed):
    if len(parsed) != len(records):
        report("output", "events", "%d events, %d CEF lines" % (len(records), len(parsed)))
    fixed = {"rt", "externalId", "alogHash"}
    for (rec, raw), ev in zip(records, parsed):
        where = label(rec)
        if "error" in ev:
            report(where, "line %d" % ev["line"], "not parsed: %s" % ev["error"])
            continue
        for p in ev["problems"]:
            report(where, "line %d" % ev["line"], "ArcSight: %s" % p)
        ext = ev["extension"]
        pool = [(k, v) for k, v in ext.items() if k not in fixed and not LABEL_KEY.fullmatch(k)]
        nulls = []

        def take(test):
            for i, (k, got) in enumerate(pool):
                if test(got):
                    pool.pop(i)
                    return True
            return False

        def match(path, v, r):
            # a member is one key, or (an object) one key per member
            if v is None:
                nulls.append(path or '""')
                return
            if isinstance(v, (dict, list)):
                if take(lambda got: json_text_of(got, v)):
                    return
                if isinstance(v, dict) and v:
                    for k in v:
                        match(path + "." + k if path else k, v[k], r[k])
                    return
                report(where, path or '""', "value %s is not the value of any key" % short(v))
                return
            want = cef_text(v, r)
            if not take(lambda got: got == want):
                report(where, path or '""', "value %s is not the value of any key" % short(want))

        for k in event_of(rec):
            match(k, rec[k], raw[k])
        for k, got in pool:
            if nulls and got == "":
                report(where, k, "empty value, and %s is null: null and \"\" come out the same"
                       % ", ".join(nulls))
            else:
                report(where, k, "holds %s, which is no member of the event (a hidden or "
                       "mangled field)" % short(got))
        for member, key in (("actor", "suser"), ("action", "act"), ("msg", "msg")):
            v = raw.get(member)
            if isinstance(v, str) and ext.get(key) != cef_text(v, v):
                report(where, key, "expected %s (the %s member), got %s"
                       % (short(cef_text(v, v)), member, short(ext.get(key))))


def compare_values(report, records, docs):
    if len(docs) != len(records):
        report("output", "documents", "%d events, %d documents" % (len(records), len(docs)))
    for (rec, raw), doc in zip(records, docs):
        where = label(rec)
        want = []
        scalar_leaves(rec, want)
        have = []
        scalar_leaves(doc, have)
        for v in want:
            for i, h in enumerate(have):
                if same(v, h):
                    have.pop(i)
                    break
            else:
                report(where, "value", "%s is in no field of the document" % short(v))


def main(argv):
    if argv[:1] == ["fields"] and len(argv) == 2:
        names = ["seq", "ts", "hash"]
        for rec, _ in load_log(argv[1]):
            for k in rec:
                if k not in names and k != "":
                    names.append(k)
        print(",".join(n.replace("\\", "\\\\").replace(".", "\\.").replace(",", "\\,")
                       for n in names))
        return 0
    if len(argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    kind, log, path = argv[:3]
    records = load_log(log)
    report = Report()
    if kind == "json":
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            if text.lstrip().startswith("["):
                docs = json.loads(text)
            else:
                docs = [json.loads(l) for l in text.split("\n") if l]
        except ValueError as e:
            report("output", "json", "not JSON: %s" % e)
            return 1
        if len(docs) != len(records):
            report("output", "documents", "%d events, %d documents" % (len(records), len(docs)))
        for (rec, _), doc in zip(records, docs):
            if doc != event_of(rec) and doc != rec:
                diff = sorted(set(doc) ^ set(event_of(rec))) or \
                    sorted(k for k in doc if doc.get(k) != rec.get(k))
                report(label(rec), ",".join(diff) or "?", "differs from the event")
    elif kind in ("csv", "tsv") and len(argv) == 4:
        fields = split_fields(argv[3])
        compare_rows(report, records, fields, read_csv(path, kind == "tsv"), tsv=kind == "tsv")
    elif kind == "sqlite" and len(argv) == 5 and argv[4] in ("csv", "tsv"):
        fields = split_fields(argv[3])
        rows, err = read_sqlite(path, argv[4])
        if err:
            report("output", "sqlite3", err)
        else:
            if argv[4] == "tsv":
                rows = [[tsv_unescape(c) for c in r] for r in rows]
            compare_rows(report, records, fields, rows, header=False, tsv=argv[4] == "tsv")
    elif kind == "cef":
        with open(path, encoding="utf-8") as f:
            parsed = [json.loads(l) for l in f if l.strip()]
        compare_cef(report, records, parsed)
    elif kind == "values":
        docs = []
        with open(path, encoding="utf-8") as f:
            for l in f:
                if l.strip():
                    d = json.loads(l)
                    if not (len(d) == 1 and next(iter(d)) in ("create", "index")):
                        docs.append(d)
        compare_values(report, records, docs)
    else:
        print(__doc__, file=sys.stderr)
        return 2
    if report.n:
        print("export-compare.py: %d difference%s" % (report.n, "" if report.n == 1 else "s"),
              file=sys.stderr)
    return 1 if report.n else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
