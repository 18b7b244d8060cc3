#!/usr/bin/env python3
"""schema-bundle.py - make the schema files the export checkers read.

    schema-bundle.py ecs  ECS_FLAT.json  > tests/data/schemas/ecs-9.4.0.json
    schema-bundle.py ocsf OCSF_DIR       > tests/data/schemas/ocsf-1.3.0.json

ecs: ECS_FLAT.json maps every ECS field name to {"type", "normalize",
"allowed"} (as the @elastic/ecs package's generated/ecs_flat.js does, with
"allowed_values" there); the output keeps, per field, its type and whether
ECS normalises it to an array, plus the allowed values of the fields that
have them and, for event.category, the event types each category expects.

ocsf: OCSF_DIR is a checkout of the ocsf-schema repository at a release
tag.  The output is one JSON object from each schema file's path
(dictionary.json, categories.json, version.json, events/..., objects/...,
includes/..., profiles/...) to its content, with the prose (descriptions
and lists of reference links) left out: the checker reads the structure only.

Both outputs are derived from Apache-2.0 licensed works; keep their
LICENSE and NOTICE beside them (see tests/data/schemas/README).
"""
import json
import os
import sys


def ecs(path):
    flat = json.load(open(path, encoding="utf-8"))
    fields = {}
    allowed = {}
    expected = {}
    for name in sorted(flat):
        f = flat[name]
        entry = {"type": f["type"]}
        if "array" in f.get("normalize", []):
            entry["array"] = True
        fields[name] = entry
        values = f.get("allowed") or f.get("allowed_values") or []
        if values:
            allowed[name] = [v["name"] for v in values]
            for v in values:
                if "expected_event_types" in v:
                    expected[v["name"]] = v["expected_event_types"]
    return {"fields": fields, "allowed": allowed, "expected_event_types": expected}


def prose(key, value):
    # "references" is also the name of an attribute (cve, vulnerability):
    # only the strings and lists of links are prose.
    return (key == "description" and isinstance(value, str)) or \
        (key == "references" and isinstance(value, list))


def strip(o):
    if isinstance(o, dict):
        return {k: strip(v) for k, v in o.items() if not prose(k, v)}
    if isinstance(o, list):
        return [strip(v) for v in o]
    return o


def ocsf(root):
    out = {}
    for top in ("dictionary.json", "categories.json", "version.json"):
        out[top] = strip(json.load(open(os.path.join(root, top), encoding="utf-8")))
    for sub in ("events", "objects", "includes", "profiles"):
        for d, _, files in sorted(os.walk(os.path.join(root, sub))):
            for f in sorted(files):
                if f.endswith(".json"):
                    p = os.path.join(d, f)
                    rel = os.path.relpath(p, root)
                    out[rel] = strip(json.load(open(p, encoding="utf-8")))
    return out


def main():
    if len(sys.argv) != 3 or sys.argv[1] not in ("ecs", "ocsf"):
        sys.exit(__doc__.split("\n\n")[1])
    data = ecs(sys.argv[2]) if sys.argv[1] == "ecs" else ocsf(sys.argv[2])
    # one entry per line: small diffs when the schema is updated
    items = sorted(data.items()) if sys.argv[1] == "ocsf" else None
    if items is None:
        sys.stdout.write("{\n")
        keys = list(data)
        for i, k in enumerate(keys):
            sys.stdout.write(json.dumps(k) + ": {\n")
            sub = sorted(data[k].items())
            for j, (n, v) in enumerate(sub):
                sep = "," if j < len(sub) - 1 else ""
                sys.stdout.write(" " + json.dumps(n) + ": " +
                                 json.dumps(v, ensure_ascii=False, separators=(",", ":")) + sep + "\n")
            sys.stdout.write("}" + ("," if i < len(keys) - 1 else "") + "\n")
        sys.stdout.write("}\n")
    else:
        sys.stdout.write("{\n")
        for i, (k, v) in enumerate(items):
            sep = "," if i < len(items) - 1 else ""
            sys.stdout.write(json.dumps(k) + ": " +
                             json.dumps(v, ensure_ascii=False, separators=(",", ":"), sort_keys=True) + sep + "\n")
        sys.stdout.write("}\n")


if __name__ == "__main__":
    main()
