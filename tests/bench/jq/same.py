#!/usr/bin/env python3
"""same.py FORMAT OURS THEIRS - do alog-export's output and the jq
equivalent's say the same?  JSON formats are compared as values (jq 1.6
writes 762.0 as 762), CSV as the cells a CSV reader reads (jq's @csv quotes
every string), syslog and CEF as text with a number's trailing ".0" taken
off on both sides.  Prints the verdict; exit 1 when they differ."""
import csv
import io
import json
import re
import sys

fmt, ours, theirs = sys.argv[1:4]


def load(path):
    with open(path, newline="", encoding="utf-8") as f:
        text = f.read()
    if fmt == "csv":
        return list(csv.reader(io.StringIO(text)))
    if fmt == "json":
        return json.loads(text)
    if fmt in ("ndjson", "ecs", "ocsf"):
        return [json.loads(line) for line in text.splitlines()]
    return re.sub(r"(\d)\.0\b", r"\1", text)


same = load(ours) == load(theirs)
print(f"jq equivalent of -F {fmt}: {'the same output' if same else 'DIFFERENT output'}")
sys.exit(0 if same else 1)
