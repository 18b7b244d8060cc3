#!/usr/bin/env python3
"""cef-parse.py - read CEF lines as a SIEM does, and print them as JSON.

usage: cef-parse.py [--strict] [FILE...]

For each line of the input (standard input without FILE) it prints one
JSON object:

  {"line": N, "syslog": PREFIX or null, "version": "0", "vendor": ...,
   "product": ..., "device_version": ..., "signature": ..., "name": ...,
   "severity": ..., "extension": {KEY: VALUE, ...}, "keys": [KEY, ...],
   "problems": [...], "notes": [...]}

or {"line": N, "error": WHY} for a line a consumer cannot parse at all.
"extension" is what the consumer ends up with (the last value of a key
given twice), "keys" every key in the order read (a key given twice shows
twice).  "problems" lists what breaks ArcSight's rules; "notes" what a
consumer keeps but shortens or reads differently (longer than the
ArcSight dictionary's length).  Exit status: 0; 1 when a line cannot be
parsed, or with --strict when a line has problems; 2 on a usage error.

Parsing follows the Logstash CEF codec (logstash-codec-cef 6.2.8,
lib/logstash/codecs/cef.rb), the most common open consumer:
 - A line starting with a double quote loses its first and last
   character (the codec's work-around for flex connectors); a trailing
   newline is removed; a raw newline left inside makes the line invalid.
 - The seven header fields (Version, Device Vendor, Device Product, Device
   Version, Signature ID, Name, Severity) are each the shortest run of
   "\\|", "\\\\" or any character but "|" that is followed by an unescaped
   "|"; in them "\\|" and "\\\\" are unescaped, any other backslash is kept.
   A Version field holding a space is a syslog prefix, up to its last
   space, and the version; "CEF:" is removed from the version.
 - The rest, the extension, is stripped of white space at both ends, then
   read as key=value pairs from the left.  A key is one or more word
   characters (ASCII letters, digits, _), optionally followed by ".part"
   groups and one "[N]" index, and directly followed by "=".  A value runs
   up to the first white space that is followed by a key and "=", so a
   value ends only before " key="; an unescaped "=" elsewhere is part of
   the value; "|" needs no escape and "x|key=" does not end a value.  The
   white space before the next key is not part of the value: trailing
   white space of a value is lost (also at the end of the line).  Text left
   that is not key=value makes the line invalid ("keyless value").
 - In values "\\\\", "\\=", "\\n" and "\\r" become a backslash, "=", LF and CR
   (one scan from the left); any other backslash is kept as it is.
 - A key given twice keeps its last value: the first is hidden.
 - The input must be valid UTF-8.

ArcSight's rules ("Implementing ArcSight Common Event Format (CEF)",
revisions 16 to 25, Character Encoding and Extension Dictionary) reported
as problems:
 - the version is 0 or 1; there are seven header fields;
 - in the header, "|" and "\\" must be escaped with a backslash (a
   backslash followed by anything else is an escaping error);
 - in extension values "=" and "\\" must be escaped with a backslash, and
   newlines written as \\n or \\r; "|" is not escaped there;
 - extension keys are alphanumeric, single words (custom keys too);
 - a key appears once;
 - the severity is 0 to 10 or Low, Medium, High, Very-High, Unknown;
 - the dictionary's data types of the keys this checker knows: IPv4
   addresses (src, dst, dvc, sourceTranslatedAddress,
   destinationTranslatedAddress), IPv6 addresses (c6a1..c6a4), ports
   (spt, dpt: integers 0..65535), integers (cn1..cn3, flexNumber1..2, in,
   out, cnt, fsize, spid, dpid), floating point (cfp1..cfp4) and time
   stamps (rt, start, end, deviceCustomDate1..2, fileCreateTime,
   fileModificationTime: milliseconds since the epoch or "MMM dd yyyy
   HH:mm:ss" with optional ".SSS" and zone, or "MMM dd HH:mm:ss...").
Dictionary lengths (act 63, externalId 40, msg 1023, suser 1023, cs1..cs6
4000, labels 1023, ...) are notes.
"""
import ipaddress
import json
import re
import sys

# ---- the Logstash codec's grammar ----
HEADER_FIELD = re.compile(r"((?:\\\||\\\\|[^|])*?)\|", re.S)
HEADER_UNESCAPE = re.compile(r"\\([\\|])")
KEY = r"\w+(?:\.[^.=\s|\\\[\]]+)*(?:\[[0-9]+\])?(?==)"
# "\s++(?!KEY=)" in the codec (possessive); "\s+(?!\s)" is the same run
VALUE = r"(?:\S|\s+(?!\s)(?!" + KEY + r"=))*"
NEXT_PAIR = re.compile(r"(" + KEY + r")=(" + VALUE + r")\s*", re.ASCII | re.S)
VALUE_UNESCAPE = re.compile(r"\\\\|\\=|\\n|\\r")
UNESCAPES = {"\\\\": "\\", "\\=": "=", "\\n": "\n", "\\r": "\r"}
RUBY_STRIP = " \t\n\v\f\r\0"

HEADER_NAMES = ["version", "vendor", "product", "device_version", "signature", "name", "severity"]

# ---- ArcSight's dictionary (the keys checked) ----
IPV4 = {"src", "dst", "dvc", "sourceTranslatedAddress", "destinationTranslatedAddress"}
IPV6 = {"c6a1", "c6a2", "c6a3", "c6a4"}
PORTS = {"spt", "dpt", "sourceTranslatedPort", "destinationTranslatedPort"}
INTEGERS = {"cn1", "cn2", "cn3", "flexNumber1", "flexNumber2", "in", "out", "cnt",
            "fsize", "spid", "dpid", "oldFileSize"}
FLOATS = {"cfp1", "cfp2", "cfp3", "cfp4"}
TIMES = {"rt", "start", "end", "deviceCustomDate1", "deviceCustomDate2",
         "fileCreateTime", "fileModificationTime"}
LENGTHS = {"act": 63, "outcome": 63, "externalId": 40, "msg": 1023, "suser": 1023,
           "suid": 1023, "duser": 1023, "duid": 1023, "shost": 1023, "dhost": 1023,
           "request": 1023, "reason": 1023, "cat": 1023, "app": 31,
           "flexString1": 1023, "flexString2": 1023}
for i in range(1, 7):
    LENGTHS["cs%d" % i] = 4000
    LENGTHS["cs%dLabel" % i] = 1023
for k in ("cn1", "cn2", "cn3", "cfp1", "cfp2", "cfp3", "cfp4", "c6a1", "c6a2", "c6a3", "c6a4",
          "flexNumber1", "flexNumber2", "flexString1", "flexString2",
          "deviceCustomDate1", "deviceCustomDate2"):
    LENGTHS[k + "Label"] = 1023
SEVERITIES = {"Low", "Medium", "High", "Very-High", "Unknown"}
MONTHS = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
TIME_RE = re.compile(r"^(?:[0-9]+|(?:%s) [0-9]{2}(?: [0-9]{4})? [0-9]{2}:[0-9]{2}:[0-9]{2}"
                     r"(?:\.[0-9]{3})?(?: \S+)?)$" % MONTHS)


def unescape_value(raw):
    return VALUE_UNESCAPE.sub(lambda m: UNESCAPES[m.group(0)], raw)


def bad_escapes(raw, allowed):
    """Backslashes not starting an allowed escape, scanning from the left."""
    i, bad = 0, []
    while i < len(raw):
        if raw[i] == "\\":
            if i + 1 < len(raw) and raw[i + 1] in allowed:
                i += 2
                continue
            bad.append(i)
        i += 1
    return bad


def unescaped_equals(raw):
    i = 0
    while i < len(raw):
        if raw[i] == "\\":
            i += 2
            continue
        if raw[i] == "=":
            return True
        i += 1
    return False


def parse(line):
    if line.startswith('"'):
        line = line[1:-1]
    if line.endswith("\r\n"):
        line = line[:-2]
    elif line.endswith("\n") or line.endswith("\r"):
        line = line[:-1]
    if "\n" in line:
        return {"error": "unescaped newline in the line"}
    out = {"syslog": None}
    problems = []
    notes = []
    rest = line
    for name in HEADER_NAMES:
        m = HEADER_FIELD.match(rest)
        if m is None:
            return {"error": "not CEF: found %d of 7 pipe-terminated header fields"
                    % HEADER_NAMES.index(name)}
        raw = m.group(1)
        if bad_escapes(raw, "\\|"):
            problems.append("header field %s: a backslash that escapes neither \\ nor |" % name)
        out[name] = HEADER_UNESCAPE.sub(r"\1", raw)
        rest = rest[m.end():]
    if " " in out["version"]:
        prefix, _, version = out["version"].rpartition(" ")
        out["syslog"], out["version"] = prefix, version
    if out["version"].startswith("CEF:"):
        out["version"] = out["version"][4:]
    else:
        problems.append("the line does not start with CEF:")
    if out["version"] not in ("0", "1"):
        problems.append("CEF version %r is not 0 or 1" % out["version"])
    sev = out["severity"]
    if not (sev in SEVERITIES or (re.fullmatch(r"[0-9]+", sev) and 0 <= int(sev) <= 10)):
        problems.append("severity %r is not 0 to 10 or Low, Medium, High, Very-High, Unknown" % sev)
    ext = {}
    keys = []
    rest = rest.strip(RUBY_STRIP)
    while rest:
        m = NEXT_PAIR.match(rest)
        if m is None:
            break
        key, raw = m.group(1), m.group(2)
        rest = rest[m.end():]
        keys.append(key)
        if key in ext:
            problems.append("key %s given twice: the value before the last is hidden" % key)
        if not re.fullmatch(r"[A-Za-z0-9]+", key):
            problems.append("key %s is not alphanumeric" % key)
        if bad_escapes(raw, "\\=nr"):
            problems.append("key %s: a backslash that is not \\\\, \\=, \\n or \\r" % key)
        if unescaped_equals(raw):
            problems.append("key %s: unescaped = in the value" % key)
        value = unescape_value(raw)
        ext[key] = value
        typed(key, value, problems, notes)
    if rest:
        return {"error": "invalid extension: keyless value %r" % rest[:60]}
    out["extension"] = ext
    out["keys"] = keys
    out["problems"] = problems
    out["notes"] = notes
    return out


def typed(key, value, problems, notes):
    def bad(what):
        problems.append("key %s: %r is not %s" % (key, value[:60], what))
    if key in IPV4:
        try:
            if not isinstance(ipaddress.ip_address(value), ipaddress.IPv4Address):
                raise ValueError
        except ValueError:
            bad("an IPv4 address")
    elif key in IPV6:
        try:
            if "%" in value:
                raise ValueError
            ipaddress.ip_address(value)
        except ValueError:
            bad("an IP address")
    elif key in PORTS:
        if not (re.fullmatch(r"[0-9]{1,5}", value) and int(value) <= 65535):
            bad("a port (0 to 65535)")
    elif key in INTEGERS:
        if not (re.fullmatch(r"-?[0-9]+", value) and -2**63 <= int(value) < 2**63):
            bad("an integer")
    elif key in FLOATS:
        try:
            float(value)
        except ValueError:
            bad("a number")
    elif key in TIMES:
        if not TIME_RE.match(value):
            bad("a time stamp")
    limit = LENGTHS.get(key)
    if limit is not None and len(value) > limit:
        notes.append("key %s: %d characters, the ArcSight dictionary allows %d"
                     % (key, len(value), limit))


def main(argv):
    strict = False
    files = []
    for a in argv:
        if a == "--strict":
            strict = True
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-") and a != "-":
            print("cef-parse.py: unknown option %s" % a, file=sys.stderr)
            return 2
        else:
            files.append(a)
    status = 0
    for path in files or ["-"]:
        try:
            if path == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(path, "rb") as f:
                    data = f.read()
        except OSError as e:
            print("cef-parse.py: %s" % e, file=sys.stderr)
            return 2
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for n, raw in enumerate(lines, 1):
            try:
                ev = parse(raw.decode("utf-8"))
            except UnicodeDecodeError:
                ev = {"error": "invalid UTF-8"}
            ev = dict({"line": n}, **ev)
            if "error" in ev or (strict and ev["problems"]):
                status = 1
            sys.stdout.write(json.dumps(ev, ensure_ascii=False) + "\n")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
