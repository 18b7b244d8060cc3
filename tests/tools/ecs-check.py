#!/usr/bin/env python3
"""ecs-check.py - check Elastic Common Schema documents as Elasticsearch and
the ECS field definitions would take them.

usage: ecs-check.py [--schema FILE] [--bulk] [--custom NS] [FILE...]

Reads one JSON document per line (ndjson; standard input without FILE).
With --bulk the input is an Elasticsearch _bulk body: an action line
({"create": {...}} or {"index": {...}}) before each document.  Prints one
line per problem, "FILE:LINE: FIELD: what is wrong", and exits 0 when there
is none, 1 when there are problems, 2 on a usage or input error (a line
that is not JSON is a problem, not an input error).

The field definitions are those of the @elastic/ecs package (ECS 9.4.0),
reduced by schema-bundle.py to tests/data/schemas/ecs-9.4.0.json.  What is
checked, and on what ground:

 - Field names (Elasticsearch's document parser): a member name that is
   empty, only white space, or that has an empty or blank part between dots
   (".a", "a.", "a..b") is refused by Elasticsearch.  A dotted member name
   is the same field as the nested objects ("a.b" is a -> b); a field given
   both ways in one document is reported (Elasticsearch would merge the two
   values into one array).
 - Every field is an ECS field, or lies under a custom namespace (--custom,
   default "alog": alog's own fields, as the ECS guidelines ask custom
   fields to be kept apart from ECS names).  A scalar where ECS has an
   object ("source": "x") and an object where ECS has a value are errors.
 - Values by ECS type: keyword, constant_keyword, wildcard, text and
   match_only_text take JSON strings; long takes JSON integers in
   [-2^63, 2^63-1], integer in [-2^31, 2^31-1]; float, scaled_float and
   double take JSON numbers; boolean takes true or false; ip takes a string
   that is one IPv4 or IPv6 address (no port, no zone, no brackets); date
   takes an ISO 8601 string in Elasticsearch's strict_date_optional_time
   form with a valid calendar date and time, or an integer (epoch
   milliseconds), its default formats; geo_point an object with lat and
   lon, a "lat,lon" string or a [lon, lat] array; flattened takes an
   object; object and nested fields take objects whose members are their
   ECS subfields, and labels-style objects (an ECS object with no
   subfields: labels, container.labels) take string values only.  null is
   allowed anywhere (Elasticsearch indexes nothing for it).
 - Arrays only where ECS normalises the field to an array (event.category,
   event.type, tags, related.*, ...), and such fields are arrays.
 - The allowed values of event.kind, event.category, event.type and
   event.outcome, and every (event.category, event.type) pair is one ECS
   lists among the category's expected event types.
 - The fields ECS requires: @timestamp and ecs.version.
 - Elasticsearch's default index.mapping.depth.limit (20 levels).
 - Custom fields across the documents read: Elasticsearch maps a new field
   by the first value it sees (dynamic mapping); a later document with an
   object where that was a value (or the reverse), a non-numeric string or
   boolean where that was a number, or a non-boolean where that was a
   boolean, is rejected.  (Date detection of strings is not modelled.)
 - --bulk: the action is create or index with one object, _index (when
   given) a valid index name by Elasticsearch's rules (lower case; none of
   \\ / * ? " < > | , # : or space; not starting with - _ +; not . or ..;
   at most 255 bytes), _id a string of at most 512 bytes, and each action
   is followed by its document.
"""
import datetime
import ipaddress
import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA = os.path.join(HERE, "..", "data", "schemas", "ecs-9.4.0.json")

STRING_TYPES = {"keyword", "constant_keyword", "wildcard", "text", "match_only_text"}
INT_RANGES = {
    "long": (-2**63, 2**63 - 1),
    "integer": (-2**31, 2**31 - 1),
    "short": (-2**15, 2**15 - 1),
    "byte": (-2**7, 2**7 - 1),
    "unsigned_long": (0, 2**64 - 1),
}
FLOAT_TYPES = {"float", "half_float", "double", "scaled_float"}
DEPTH_LIMIT = 20

DATE_RE = re.compile(
    r"^(?P<y>[0-9]{4})(?:-(?P<mo>[0-9]{2})(?:-(?P<d>[0-9]{2})"
    r"(?:T(?P<h>[0-9]{2})(?::(?P<mi>[0-9]{2})(?::(?P<s>[0-9]{2})(?:[.,][0-9]{1,9})?)?)?"
    r"(?P<z>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?)?)?)?$")

INDEX_BAD_CHARS = set('\\/*?"<>|,# :')


def no_constant(name):
    raise ValueError("%s is not JSON" % name)


def kind_of(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def show(v):
    s = json.dumps(v, ensure_ascii=True)
    return s if len(s) <= 60 else s[:57] + "..."


def valid_date(s):
    m = DATE_RE.match(s)
    if not m:
        return False
    g = m.groupdict()
    try:
        datetime.date(int(g["y"]), int(g["mo"] or 1), int(g["d"] or 1))
    except ValueError:
        return False
    if g["h"] is not None and int(g["h"]) > 23:
        return False
    if g["mi"] is not None and int(g["mi"]) > 59:
        return False
    if g["s"] is not None and int(g["s"]) > 59:
        return False
    z = g["z"]
    if z and z != "Z":
        digits = z[1:].replace(":", "")
        if int(digits[:2]) > 18 or (len(digits) > 2 and int(digits[2:]) > 59):
            return False
    return True


def valid_ip(s):
    if "%" in s:
        return False
    try:
        ipaddress.ip_address(s)
    except ValueError:
        return False
    return True


def index_name_problem(name):
    if not isinstance(name, str) or name == "":
        return "the index name is empty or not a string"
    if name != name.lower():
        return "index names must be lower case"
    bad = sorted(set(name) & INDEX_BAD_CHARS)
    if bad:
        return "index names cannot contain %s" % " ".join(repr(c) for c in bad)
    if name[0] in "-_+":
        return "index names cannot start with %r" % name[0]
    if name in (".", ".."):
        return "index names cannot be . or .."
    if len(name.encode("utf-8")) > 255:
        return "index names are at most 255 bytes"
    return None


class Schema:
    def __init__(self, path):
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
        self.fields = data["fields"]
        self.allowed = data["allowed"]
        self.expected = data["expected_event_types"]
        # every proper prefix of an ECS field name is an object in ECS
        self.parents = set()
        for name in self.fields:
            parts = name.split(".")
            for i in range(1, len(parts)):
                self.parents.add(".".join(parts[:i]))
        # object fields with no subfields hold string values (labels)
        self.keyword_maps = {n for n, f in self.fields.items()
                             if f["type"] == "object" and n not in self.parents}


class Checker:
    def __init__(self, schema, custom):
        self.schema = schema
        self.custom = custom
        self.problems = 0
        self.where = ""
        self.dynamic = {}     # custom field -> (kind, where first seen)

    def err(self, field, msg):
        self.problems += 1
        print("%s: %s: %s" % (self.where, field if field else "(document)", msg))

    # ---- one document ----
    def document(self, doc):
        if not isinstance(doc, dict):
            self.err("", "a document is a JSON object, not %s" % kind_of(doc))
            return
        self.seen = {}
        self.walk(doc, [], 1)
        for name in ("@timestamp", "ecs.version"):
            if name not in self.seen or self.seen[name][0] is None:
                self.err(name, "missing: ECS requires it in every document")
        self.categorization()

    def note(self, name, value, how):
        if name in self.seen:
            self.err(name, "given twice in one document (as %s and as %s): "
                     "Elasticsearch would merge them into one array" % (self.seen[name][1], how))
            return False
        self.seen[name] = (value, how)
        return True

    def walk(self, obj, prefix, depth):
        for key, value in obj.items():
            parts = key.split(".")
            if key.strip() == "" or any(p.strip() == "" for p in parts):
                self.err(".".join(prefix + [key]),
                         "field name %s is empty, blank or has an empty part between dots: "
                         "Elasticsearch refuses the document" % json.dumps(key))
                continue
            path = prefix + parts
            how = "member %s" % json.dumps(key) if prefix == [] else \
                "member %s of %s" % (json.dumps(key), ".".join(prefix))
            if len(path) > DEPTH_LIMIT:
                self.err(".".join(path), "deeper than Elasticsearch's default mapping depth "
                         "limit of %d" % DEPTH_LIMIT)
                continue
            self.field(path, value, how, depth + len(parts) - 1)

    def field(self, path, value, how, depth):
        name = ".".join(path)
        ecs = self.schema.fields.get(name)
        custom = path[0] == self.custom
        if ecs is None and not custom:
            if isinstance(value, dict):
                if name in self.schema.parents:
                    self.walk(value, path, depth + 1)
                    return
                self.err(name, "not an ECS field (nor any field under it); custom fields "
                         "belong under %s.*" % self.custom)
                return
            if isinstance(value, list) and any(isinstance(v, dict) for v in value):
                if name in self.schema.parents:
                    self.err(name, "ECS defines %s as an object, not an array of objects" % name)
                else:
                    self.err(name, "not an ECS field; custom fields belong under %s.*" % self.custom)
                return
            if name in self.schema.parents:
                self.err(name, "ECS defines %s as an object (with fields such as %s), not a %s"
                         % (name, self.example_child(name), kind_of(value)))
            else:
                self.err(name, "not an ECS field; custom fields belong under %s.*" % self.custom)
            return
        if custom and ecs is None:
            self.custom_field(path, value, how, depth)
            return
        t = ecs["type"]
        if t in ("object", "nested"):
            self.object_field(name, ecs, value, how, depth)
            return
        if t == "flattened":
            self.note(name, value, how)
            if value is not None and not isinstance(value, dict) and not (
                    isinstance(value, list) and all(isinstance(v, dict) for v in value)):
                self.err(name, "flattened field holds %s, not an object" % kind_of(value))
            return
        if isinstance(value, dict):
            self.err(name, "%s field holds an object %s" % (t, show(value)))
            return
        if not self.note(name, value, how):
            return
        if value is None:
            return
        if t == "geo_point" and isinstance(value, list) and len(value) == 2 and \
                all(kind_of(x) in ("integer", "number") for x in value):
            value = {"lon": value[0], "lat": value[1]}     # GeoJSON order
        if isinstance(value, list):
            if not ecs.get("array"):
                self.err(name, "holds an array, but ECS expects one %s value here" % t)
            for v in value:
                self.scalar(name, t, v)
        else:
            if ecs.get("array"):
                self.err(name, "ECS normalises this field to an array, got a %s" % kind_of(value))
            self.scalar(name, t, value)
        allowed = self.schema.allowed.get(name)
        if allowed:
            for v in value if isinstance(value, list) else [value]:
                if isinstance(v, str) and v not in allowed:
                    self.err(name, "%s is not one of the values ECS allows (%s)"
                             % (show(v), ", ".join(allowed)))

    def example_child(self, name):
        for n in sorted(self.schema.fields):
            if n.startswith(name + "."):
                return n
        return name + ".*"

    def object_field(self, name, ecs, value, how, depth):
        if value is None:
            self.note(name, value, how)
            return
        items = value if isinstance(value, list) else [value]
        if isinstance(value, list) and not ecs.get("array") and ecs["type"] != "nested":
            self.err(name, "holds an array, but ECS expects one object here")
        for v in items:
            if not isinstance(v, dict):
                self.err(name, "ECS %s field holds %s %s, not an object" % (ecs["type"], kind_of(v), show(v)))
                continue
            if name in self.schema.keyword_maps:
                self.note(name, v, how)
                for k, x in v.items():
                    if k.strip() == "" or any(p.strip() == "" for p in k.split(".")):
                        self.err(name + "." + k, "empty or blank key in a %s object" % name)
                    elif x is not None and not isinstance(x, str):
                        self.err(name + "." + k, "%s values are keywords (strings), got %s"
                                 % (name, kind_of(x)))
            elif isinstance(value, list):
                self.walk_element(v, name.split("."), depth + 1)
            else:
                self.walk(v, name.split("."), depth + 1)

    def walk_element(self, obj, path, depth):
        # the objects of an array each have their own fields: the same
        # subfield in two elements is not a field given twice
        saved = self.seen
        self.seen = {}
        self.walk(obj, path, depth)
        self.seen = saved

    def scalar(self, name, t, v):
        if v is None:
            return
        k = kind_of(v)
        if t in STRING_TYPES:
            if k != "string":
                self.err(name, "%s field holds %s %s, not a string" % (t, k, show(v)))
        elif t in INT_RANGES:
            lo, hi = INT_RANGES[t]
            if k != "integer":
                self.err(name, "%s field holds %s %s, not an integer" % (t, k, show(v)))
            elif not lo <= v <= hi:
                self.err(name, "%s out of the range of %s" % (v, t))
        elif t in FLOAT_TYPES:
            if k not in ("integer", "number") or (k == "number" and not math.isfinite(v)):
                self.err(name, "%s field holds %s %s, not a number" % (t, k, show(v)))
        elif t == "boolean":
            if k != "boolean":
                self.err(name, "boolean field holds %s %s" % (k, show(v)))
        elif t == "ip":
            if k != "string" or not valid_ip(v):
                self.err(name, "ip field holds %s %s, not an IPv4 or IPv6 address" % (k, show(v)))
        elif t == "date":
            if k == "integer":
                pass
            elif k != "string" or not valid_date(v):
                self.err(name, "date field holds %s %s, not an ISO 8601 date "
                         "(strict_date_optional_time) or epoch milliseconds" % (k, show(v)))
        elif t == "geo_point":
            ok = False
            if isinstance(v, dict):
                lat, lon = v.get("lat"), v.get("lon")
                ok = all(kind_of(x) in ("integer", "number") for x in (lat, lon)) and \
                    -90 <= lat <= 90 and -180 <= lon <= 180
            elif isinstance(v, str):
                ok = v.strip() != ""
            if not ok:
                self.err(name, "geo_point field holds %s %s" % (k, show(v)))
        else:
            self.err(name, "type %s is not known to this checker" % t)

    # ---- custom fields: dynamic mapping ----
    def custom_field(self, path, value, how, depth):
        name = ".".join(path)
        if isinstance(value, dict):
            self.dyn(name, "object")
            self.walk(value, path, depth + 1)
            return
        if isinstance(value, list):
            if not self.note(name, value, how):
                return
            kinds = set()
            for v in value:
                if isinstance(v, dict):
                    kinds.add("object")
                    self.dyn(name, "object")
                    if v:
                        self.walk_element(v, path, depth + 1)
                elif isinstance(v, list):
                    # Elasticsearch flattens arrays of arrays into one array
                    for x in v:
                        kinds.add(self.dyn(name, self.dyn_kind(x)))
                elif v is not None:
                    kinds.add(self.dyn(name, self.dyn_kind(v)))
            if "object" in kinds and len(kinds - {None}) > 1:
                self.err(name, "array mixes objects and values: Elasticsearch refuses it")
            return
        if not self.note(name, value, how):
            return
        if value is not None:
            self.dyn(name, self.dyn_kind(value))

    @staticmethod
    def dyn_kind(v):
        if isinstance(v, dict):
            return "object"
        if isinstance(v, bool):
            return "boolean"
        if isinstance(v, (int, float)):
            return "number"
        if isinstance(v, str):
            try:
                float(v)
                return "numeric string"
            except ValueError:
                return "string"
        return None

    def dyn(self, name, kind):
        if kind is None:
            return None
        first = self.dynamic.get(name)
        if first is None:
            self.dynamic[name] = (kind, self.where)
            return kind
        fk, fwhere = first
        clash = False
        if fk == "object" or kind == "object":
            clash = fk != kind
        elif fk == "number":
            clash = kind not in ("number", "numeric string")
        elif fk == "boolean":
            clash = kind != "boolean"
        if clash:
            self.err(name, "%s here, but %s %s: Elasticsearch's dynamic mapping fixed the "
                     "field's type by the first and rejects the other"
                     % (self.article(kind), self.article(fk),
                        "earlier in this document" if fwhere == self.where else "at " + fwhere))
        return kind

    @staticmethod
    def article(kind):
        return {"object": "an object", "number": "a number", "boolean": "a boolean",
                "string": "a string", "numeric string": "a numeric string"}[kind]

    # ---- event categorization ----
    def categorization(self):
        cat = self.seen.get("event.category", (None,))[0]
        typ = self.seen.get("event.type", (None,))[0]
        if cat is None or typ is None:
            return
        cats = cat if isinstance(cat, list) else [cat]
        types = typ if isinstance(typ, list) else [typ]
        for c in cats:
            expected = self.schema.expected.get(c) if isinstance(c, str) else None
            if expected is None:
                continue
            for t in types:
                if isinstance(t, str) and t not in expected:
                    self.err("event.type", "%s is not an event type ECS expects for category %s "
                             "(it lists %s)" % (show(t), show(c), ", ".join(expected)))


def read_lines(path):
    if path == "-":
        data = sys.stdin.buffer.read()
        name = "<stdin>"
    else:
        with open(path, "rb") as f:
            data = f.read()
        name = path
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return name, lines


def main(argv):
    schema_path = DEFAULT_SCHEMA
    bulk = False
    custom = "alog"
    files = []
    args = iter(argv)
    for a in args:
        if a == "--schema":
            schema_path = next(args, None)
        elif a == "--bulk":
            bulk = True
        elif a == "--custom":
            custom = next(args, None)
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-") and a != "-":
            print("ecs-check.py: unknown option %s" % a, file=sys.stderr)
            return 2
        else:
            files.append(a)
    if schema_path is None or custom is None:
        print("ecs-check.py: an option lacks its argument", file=sys.stderr)
        return 2
    try:
        schema = Schema(schema_path)
    except (OSError, ValueError, KeyError) as e:
        print("ecs-check.py: %s: %s" % (schema_path, e), file=sys.stderr)
        return 2
    chk = Checker(schema, custom)
    docs = 0
    for path in files or ["-"]:
        try:
            name, lines = read_lines(path)
        except OSError as e:
            print("ecs-check.py: %s" % e, file=sys.stderr)
            return 2
        expect_doc = False
        for i, raw in enumerate(lines, 1):
            chk.where = "%s:%d" % (name, i)
            try:
                value = json.loads(raw.decode("utf-8"), parse_constant=no_constant)
            except (UnicodeDecodeError, ValueError) as e:
                chk.err("", "not JSON: %s" % e)
                expect_doc = False
                continue
            if bulk and not expect_doc:
                bulk_action(chk, value)
                expect_doc = True
                continue
            expect_doc = False
            docs += 1
            chk.document(value)
        if bulk and expect_doc:
            chk.err("", "the last action has no document")
    print("ecs-check.py: %d document%s, %d problem%s" % (docs, "" if docs == 1 else "s",
          chk.problems, "" if chk.problems == 1 else "s"), file=sys.stderr)
    return 1 if chk.problems else 0


def bulk_action(chk, action):
    if not isinstance(action, dict) or len(action) != 1:
        chk.err("", "a _bulk action line is an object with one member (create or index)")
        return
    op, meta = next(iter(action.items()))
    if op not in ("create", "index"):
        chk.err(op, "the action is %s: expected create or index before a document" % show(op))
        return
    if not isinstance(meta, dict):
        chk.err(op, "the action's metadata is not an object")
        return
    if "_index" in meta:
        p = index_name_problem(meta["_index"])
        if p:
            chk.err(op + "._index", "%s: %s" % (show(meta["_index"]), p))
    if "_id" in meta:
        i = meta["_id"]
        if not isinstance(i, str) or i == "" or len(i.encode("utf-8")) > 512:
            chk.err(op + "._id", "_id is a non-empty string of at most 512 bytes, got %s" % show(i))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
