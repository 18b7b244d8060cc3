#!/usr/bin/env python3
"""nasty-events.py - write the hostile event corpus for the export tests.

usage: nasty-events.py [--all | --no-del | --only-del]

Prints one JSON object per line, each an event alog-append accepts (and
alog-verify then passes), built to break exporters and their consumers:
Unicode (astral, combining, bidi overrides, zero-width), U+2028/U+2029
and NEL, C0 and C1 controls, ESC sequences, a raw DEL byte in a string
(valid JSON), quotes and backslashes, CR/LF/TAB, the delimiters of every
format (] | = , and backslash, a value ending in |), leading and trailing
spaces, a 200 KB value, deep nesting and nested arrays, int64 limits and
awkward numbers, null/true/false and their look-alike strings, spreadsheet
formula prefixes, awkward and colliding member names ("x", "x_", "x-",
"", "a.b" beside a nested a.b, names with spaces, names of the formats' own
fields), the members the ECS and OCSF mappings type (src.ip, src.port,
actor, action, msg, outcome, result) with values of the wrong type or out
of their allowed values, and the actions that choose ECS categories and
OCSF classes (db.query, db.delete, api.create, user.create, process.start,
auth.login, ...).

Every event has a "case" member naming what it tests.  --no-del leaves out
the events holding a raw DEL byte, --only-del prints only those.
"""
import json
import sys

DEL = "\x7f"


def events():
    ev = []

    def add(case, **members):
        ev.append(dict({"case": case}, **members))

    add("unicode", actor="Jos\u00e9 \u2603 \U0001d11e \u65e5\u672c\u8a9e", action="auth.login",
        outcome="success", msg="emoji \U0001f469\u200d\U0001f4bb, combining e\u0301, "
        "wide \uff21, Greek \u03a9, RTL \u05e9\u05dc\u05d5\u05dd")
    add("bidi and zero-width", actor="admin\u202egnp.exe", target="a\u200bb\u200cc\u200dd\ufeffe",
        msg="\u2066isolate\u2069 \u200fmark \u061c \u202a\u202b\u202c\u202d")
    add("line separators", action="api.create", msg="a\u2028b\u2029c\u0085d",
        target="\u2028leading separator")
    add("C0 and C1 controls", msg="\x1b[31mred\x1b[0m \x1b]0;title\x07 \u009b31m \u0080\u009f",
        actor="\x07bell\x08back", target="nul-free \x01\x02\x1f", session="\x0b\x0c")
    add("control look-alike", msg="#033[31m literal", target="#011 #012 #177")
    add("raw DEL", msg="a" + DEL + "b", actor=DEL, target="x" + DEL)
    add("quotes and backslashes", actor="o'brien", msg='she said "hi" \\ and \\\\ and \\"',
        target="C:\\Windows\\System32\\", session='"quoted"')
    add("CR LF TAB", msg="line1\nline2\r\nline3\rline4\ttab", target="\r\n", actor="\ttabbed")
    add("spaces", actor="trailing ", target="  both  ", msg=" ", session="   ")
    add("delimiters", actor="x|", action="auth.login", msg="] | = , \\ [x] a=b c\\=d |act=y",
        target="a=b", session="s]1", note="|", csvish='a,"b",c')
    add("value ending in backslash", actor="ends\\", target="\\", msg="=")
    add("CEF-like value", msg="x act=forged suser=root", target=" key=value")
    add("big", msg="A" * 200000, actor="big", target="\u00e9" * 50000)
    nest = {"leaf": "bottom"}
    for i in range(60):
        nest = {"l%d" % (59 - i): nest}
    add("deep nesting", deep=nest, arr=[[["x", ["y", [1, [True, [None]]]]]]])
    add("arrays", tags=["a", "b", 1, True, None, {"k": "v"}, ["n"]], empty_array=[],
        empty_object={}, objs=[{"a": 1}, {"a": "two"}])
    add("int64 and numbers", max=2**63 - 1, min=-2**63, zero=0, neg=-1, big_float=1.5e300,
        small_float=5e-324, frac=0.1, exp=1e-7)
    add("literals", n=None, t=True, f=False, empty="", str_null="null", str_true="true",
        str_num="42", str_neg="-5")
    add("formulas", actor="=1+2", action="+cmd", target="-2+3", msg="@SUM(A1:A2)",
        f_tab="\t=1", f_cr="\r=1", f_num=-5, f_eq="=HYPERLINK(\"http://x\")")
    add("member names", **{"x": "1", "x_": "2", "x-": "3", "": "empty name", "a.b": "dotted",
                           "a": {"b": "nested"}, "my key": "space", " ": "blank name",
                           "\u043a\u043b\u044e\u0447": "cyrillic", "k=v": "equals", "p|q": "pipe",
                           "b\\s": "backslash", "c,d": "comma", "e]f": "bracket", "X": "upper"})
    add("format field names", **{"@timestamp": "not a date", "event": {"kind": "alert", "action": "x"},
                                 "ecs": {"version": "0"}, "message": "both", "msg": "and msg",
                                 "class_uid": 1, "metadata": {"uid": "forged"},
                                 "unmapped": "u", "rt": "1", "externalId": "e", "alogHash": "h",
                                 "cs1Label": "l", "labels": {"a": {"b": 1}}, "tags": "string"})
    add("src.ip with a port", action="auth.login", actor="alice",
        src={"ip": "10.0.0.1:443", "port": "x", "host": "bastion"})
    add("src.ip IPv6", action="auth.login", actor="bob", src={"ip": "2001:db8::1", "port": 22})
    add("src.ip invalid", action="auth.login", actor="carol",
        src={"ip": "999.1.1.1", "port": 70000})
    add("src.port negative", action="auth.login", actor="dave", src={"ip": "10.0.0.2", "port": -1})
    add("objects in strings", actor={"name": "obj"}, action={"verb": "x"}, msg={"m": 1},
        target=["t1", "t2"], user={"name": ["a"], "id": 7, "email": {"e": 1}})
    add("outcome denied", action="auth.login", actor="eve", outcome="denied")
    for r in ("ok", "success", "denied", "failure", "error", "Success", ""):
        add("result " + (r or "empty"), action="api.update", actor="frank", result=r)
    for a in ("db.query", "db.delete", "api.create", "user.create", "process.start",
              "auth.login", "auth.logout", "file.read", "config.change", "session.start",
              "User Create", "", "a" * 300):
        add("action " + (a if len(a) < 40 else "long"), action=a, actor="grace",
            target="payments", outcome="success")
    return ev


def main(argv):
    mode = argv[0] if argv else ""
    if mode not in ("", "--all", "--no-del", "--only-del"):
        print(__doc__.split("\n\n")[0], file=sys.stderr)
        return 2
    out = sys.stdout.buffer
    for e in events():
        line = json.dumps(e, ensure_ascii=False, separators=(",", ":"))
        has_del = DEL in line
        if (mode == "--no-del" and has_del) or (mode == "--only-del" and not has_del):
            continue
        out.write(line.encode("utf-8") + b"\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
