#!/usr/bin/env python3
"""ocsf-check.py - check OCSF events against the OCSF schema.

usage: ocsf-check.py [--schema FILE|DIR] [FILE...]

Reads one OCSF event per line (ndjson; standard input without FILE) and
prints one line per problem, "FILE:LINE: ATTRIBUTE: what is wrong"; exits
0 when there is none, 1 when there are problems, 2 on a usage or input
error.  Deprecated attributes and objects are reported as warnings on
standard error and do not fail the check.

The schema is OCSF 1.3.0: tests/data/schemas/ocsf-1.3.0.json (made by
schema-bundle.py from the ocsf-schema repository at tag 1.3.0), or --schema
a checkout of that repository.  It is compiled as the OCSF server compiles
it (ocsf-server's schema cache and JSON reader):

 - "$include" files (includes/, profiles/) are merged into a class's or
   object's attributes, its own definitions winning; the attributes of a
   profile file carry that profile's name, unless the class sets
   "profile": null for one of them.  Enum "$include"s are merged too.
 - "extends" is resolved through the parents (authentication -> iam ->
   base_event; database -> _entity -> object), the child's definitions
   winning, an attribute set to null removed; profiles lists are joined.
 - Each attribute's definition is its dictionary.json entry merged with
   the class's or object's (enums are merged, e.g. activity_id's 0 and 99
   with the class's activities).  A dictionary type that is not a data type
   is an object of that name.
 - class_uid = category uid * 1000 + class uid; type_uid's values are
   class_uid * 100 + each activity_id, captioned "Class: Activity".
 - Every timestamp_t attribute T gets T_dt (datetime_t) of the synthetic
   profile "datetime".

Each event is then checked as the OCSF server's validator (validator2)
does, with the differences noted:
 - class_uid present and the uid of a class; metadata.profiles, when
   given, only names profiles of the schema.
 - Attributes of a profile are allowed only when metadata.profiles names
   the profile.
 - Required attributes are present (null counts as absent); no attribute
   the class or object does not define (objects with no attributes, such
   as "object" for unmapped, take anything); the class's constraints
   (at_least_one, just_one) and those of each object.
 - Types, recursively through objects and arrays (is_array): string_t and
   its subtypes take strings no longer than max_len (string_t 65,535);
   integer_t, long_t and timestamp_t JSON integers, and float_t JSON
   numbers with a fraction or exponent (as the server's decoder sees
   them); boolean_t true or false; ranges (port_t 0..65535) and listed
   values are checked; json_t takes anything.  Stricter than the server:
   integer_t is 32-bit and long_t 64-bit (the server allows 64 and 128),
   the schema's regular expressions of subtypes (hostname_t, email_t,
   mac_t, datetime_t, ...) are errors rather than warnings, and ip_t must
   be one IPv4 or IPv6 address as Python's ipaddress module parses it.
 - Enum attributes take one of their values, and their sibling attribute
   (activity_name for activity_id, status for status_id, severity for
   severity_id, class_name, category_name, type_name) is the value's
   caption, except for 99 (Other), whose sibling is the source's own
   word.  The server only warns about a wrong sibling; here it is an
   error ("status":"success" with status_id 1 is wrong: "Success").
 - type_uid = class_uid * 100 + activity_id; category_uid is the class's
   category (Base Event's 0 comes from includes/classification.json).
 - metadata.version is a version the schema can validate (1.0.0 up to
   the schema's own).
"""
import ipaddress
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_SCHEMA = os.path.join(HERE, "..", "data", "schemas", "ocsf-1.3.0.json")

INT32 = (-2**31, 2**31 - 1)
INT64 = (-2**63, 2**63 - 1)


def deep_merge(left, right):
    """The OCSF server's deep merge: right wins, maps merge recursively,
    an empty map on either side yields the other."""
    if left is None:
        return right
    if right is None:
        return left
    out = dict(left)
    for k, v in right.items():
        if k in out and isinstance(out[k], dict) and isinstance(v, dict):
            if not out[k]:
                out[k] = v
            elif not v:
                pass
            else:
                out[k] = deep_merge(out[k], v)
        else:
            out[k] = v
    return out


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
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def show(v):
    s = json.dumps(v, ensure_ascii=True)
    return s if len(s) <= 60 else s[:57] + "..."


class Schema:
    def __init__(self, path):
        self.files = self.load(path)
        self.version = self.files["version.json"]["version"]
        d = self.files["dictionary.json"]
        self.types = d["types"]["attributes"]
        self.dict_attrs = {}
        for name, a in d["attributes"].items():
            a = dict(a)
            t = a.get("type") or "object_t"
            if t not in self.types and t != "object_t":
                a["type"] = "object_t"
                a["object_type"] = t
            self.dict_attrs[name] = a
            if a.get("type") == "timestamp_t":
                dt = dict(a)
                dt["type"] = "datetime_t"
                self.dict_attrs.setdefault(name + "_dt", dt)
        self.categories = self.files["categories.json"]["attributes"]
        self.include_cache = {}
        self.profiles = set()
        raw_events = {}
        raw_objects = {}
        for rel, data in self.files.items():
            if rel.startswith("profiles/"):
                self.profiles.add(data["name"])
        for rel, data in sorted(self.files.items()):
            if rel.startswith("events/"):
                raw_events[data["name"]] = self.resolve_includes(data)
            elif rel.startswith("objects/"):
                raw_objects[data["name"]] = self.resolve_includes(data)
        self.objects = {}
        for name in raw_objects:
            if not name.startswith("_"):
                self.objects[name] = self.finish(self.resolve_extends(raw_objects, name))
        self.classes = {}
        for name in raw_events:
            c = self.resolve_extends(raw_events, name)
            if name != "base_event" and "uid" not in c:
                continue          # intermediate classes (iam, application, ...)
            c = self.finish(c)
            cat = self.categories.get(c.get("category"))
            cat_uid = cat["uid"] if cat else 0
            c["category_uid"] = cat_uid
            c["category_caption"] = cat["caption"] if cat else None
            c["class_uid"] = cat_uid * 1000 + c.get("uid", 0)
            self.classes[c["class_uid"]] = c

    @staticmethod
    def load(path):
        if os.path.isdir(path):
            files = {}
            for top in ("dictionary.json", "categories.json", "version.json"):
                with open(os.path.join(path, top), encoding="utf-8") as f:
                    files[top] = json.load(f)
            for sub in ("events", "objects", "includes", "profiles"):
                for d, _, names in os.walk(os.path.join(path, sub)):
                    for n in names:
                        if n.endswith(".json"):
                            p = os.path.join(d, n)
                            with open(p, encoding="utf-8") as f:
                                files[os.path.relpath(p, path)] = json.load(f)
            return files
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def included(self, rel):
        if rel not in self.include_cache:
            data = self.resolve_includes(self.files[rel])
            if data.get("meta") == "profile":
                ann = data.get("annotations")
                attrs = {}
                for k, a in data.get("attributes", {}).items():
                    a = dict(a, profile=data["name"])
                    attrs[k] = deep_merge(ann, a) if ann else a
                data = dict(data, attributes=attrs)
            self.include_cache[rel] = data
        return self.include_cache[rel]

    def resolve_includes(self, data):
        attrs = data.get("attributes")
        if attrs is None:
            return data
        inc = attrs.get("$include")
        if inc is not None:
            for rel in [inc] if isinstance(inc, str) else inc:
                own = {k: v for k, v in attrs.items() if k != "$include"}
                attrs = deep_merge(self.included(rel).get("attributes", {}), own)
        out = {}
        for k, a in attrs.items():
            if isinstance(a, dict) and "$include" in a:
                a = deep_merge(self.files[a["$include"]], {x: y for x, y in a.items() if x != "$include"})
            out[k] = a
        return dict(data, attributes=out)

    def resolve_extends(self, items, name):
        item = items[name]
        parent = item.get("extends")
        if not parent:
            return item
        base = self.resolve_extends(items, parent)
        attrs = deep_merge(base.get("attributes", {}), item.get("attributes", {}))
        attrs = {k: v for k, v in attrs.items() if v is not None}
        merged = dict(base)
        merged.update(item)
        profiles = list(base.get("profiles") or [])
        for p in item.get("profiles") or []:
            if p not in profiles:
                profiles.append(p)
        merged["profiles"] = profiles
        merged["attributes"] = attrs
        merged.pop("extends", None)
        return merged

    def finish(self, item):
        """Definitions of each attribute (dictionary + item), the synthetic
        datetime attributes, requirement defaulting to optional."""
        attrs = {}
        for k, a in item.get("attributes", {}).items():
            base = self.dict_attrs.get(k)
            full = deep_merge(base, a) if base else dict(a)
            full.setdefault("requirement", "optional")
            attrs[k] = full
        for k, a in list(attrs.items()):
            if a.get("type") == "timestamp_t" and k + "_dt" not in attrs:
                dt = deep_merge(self.dict_attrs.get(k + "_dt") or {}, {})
                dt.update(type="datetime_t", profile="datetime", requirement="optional")
                attrs[k + "_dt"] = dt
        return dict(item, attributes=attrs)


class Checker:
    def __init__(self, schema):
        self.s = schema
        self.problems = 0
        self.where = ""

    def err(self, path, msg):
        self.problems += 1
        print("%s: %s: %s" % (self.where, path or "(event)", msg))

    def warn(self, path, msg):
        print("%s: %s: warning: %s" % (self.where, path or "(event)", msg), file=sys.stderr)

    def event(self, ev):
        if not isinstance(ev, dict):
            self.err("", "an event is a JSON object, not %s" % kind_of(ev))
            return
        uid = ev.get("class_uid")
        if uid is None:
            self.err("class_uid", "missing: the class of the event cannot be known")
            return
        if kind_of(uid) != "integer":
            self.err("class_uid", "is %s %s, not an integer" % (kind_of(uid), show(uid)))
            return
        cls = self.s.classes.get(uid)
        if cls is None:
            self.err("class_uid", "%d is not the uid of an OCSF %s class" % (uid, self.s.version))
            return
        profiles = []
        md = ev.get("metadata")
        if isinstance(md, dict) and isinstance(md.get("profiles"), list):
            for i, p in enumerate(md["profiles"]):
                if isinstance(p, str) and p not in self.s.profiles and p != "datetime":
                    self.err("metadata.profiles[%d]" % i, "%s is not an OCSF profile" % show(p))
                elif isinstance(p, str):
                    profiles.append(p)
        attrs = self.class_attributes(cls)
        self.attributes(ev, "", cls, attrs, profiles)
        self.constraints(ev, "", cls)
        a, t = ev.get("activity_id"), ev.get("type_uid")
        if kind_of(a) == "integer" and kind_of(t) == "integer" and t != uid * 100 + a:
            self.err("type_uid", "%d is not class_uid * 100 + activity_id = %d"
                     % (t, uid * 100 + a))
        if isinstance(md, dict) and isinstance(md.get("version"), str):
            v = md["version"]
            if not re.match(r"^\d+\.\d+\.\d+(?:-dev|-rc\.\d+)?$", v):
                self.err("metadata.version", "%s is not a schema version" % show(v))
            elif self.vkey(v) < (1, 0, 0) or self.vkey(v) > self.vkey(self.s.version):
                self.err("metadata.version", "%s cannot be validated by schema %s"
                         % (v, self.s.version))

    @staticmethod
    def vkey(v):
        return tuple(int(x) for x in re.findall(r"\d+", v)[:3])

    def class_attributes(self, cls):
        """The class's attributes with its own uid enums, as the server
        compiles them."""
        attrs = dict(cls["attributes"])
        uid = cls["class_uid"]
        activities = attrs.get("activity_id", {}).get("enum", {})
        type_enum = {str(uid * 100 + int(k)): {"caption": "%s: %s" % (cls["caption"], v.get("caption"))}
                     for k, v in activities.items()}
        type_enum.setdefault(str(uid * 100), {"caption": "%s: Unknown" % cls["caption"]})
        attrs["type_uid"] = dict(attrs.get("type_uid", {}), enum=type_enum)
        attrs["class_uid"] = dict(attrs.get("class_uid", {}),
                                  enum={str(uid): {"caption": cls["caption"]}})
        if cls["category_caption"] is not None:
            attrs["category_uid"] = dict(attrs.get("category_uid", {}),
                                         enum={str(cls["category_uid"]): {"caption": cls["category_caption"]}})
        return attrs

    def attributes(self, obj, path, item, attrs, profiles):
        allowed = {k: a for k, a in attrs.items()
                   if a.get("profile") is None or a.get("profile") in profiles}
        for name, a in sorted(allowed.items()):
            p = path + "." + name if path else name
            value = obj.get(name)
            if value is None:
                if a.get("requirement") == "required":
                    self.err(p, "required attribute missing")
                continue
            if "@deprecated" in a:
                self.warn(p, "deprecated attribute")
            self.typed(p, value, a, profiles)
        if allowed:
            what = ("class %s (%d)" % (item["caption"], item["class_uid"])
                    if "class_uid" in item else "object %s" % item.get("name"))
            for key in obj:
                if key not in allowed:
                    p = path + "." + key if path else key
                    if key in attrs:
                        self.err(p, "attribute of profile %s, which metadata.profiles does not name"
                                 % attrs[key]["profile"])
                    else:
                        self.err(p, "not an attribute of %s" % what)
        for name, a in sorted(allowed.items()):
            if "enum" in a and obj.get(name) is not None:
                self.enum(obj, path, name, a)

    def typed(self, p, value, a, profiles):
        if a.get("is_array"):
            if not isinstance(value, list):
                self.err(p, "is %s %s, not an array of %s" % (kind_of(value), show(value), self.tname(a)))
                return
            for i, v in enumerate(value):
                if v is None:
                    self.err("%s[%d]" % (p, i), "null in an array of %s" % self.tname(a))
                else:
                    self.value("%s[%d]" % (p, i), v, a, profiles)
        else:
            self.value(p, value, a, profiles)

    @staticmethod
    def tname(a):
        return a.get("object_type") if a.get("type") == "object_t" else a.get("type")

    def value(self, p, v, a, profiles):
        t = a.get("type")
        if t == "object_t":
            obj = self.s.objects.get(a["object_type"])
            if not isinstance(v, dict):
                self.err(p, "is %s %s, not a %s object" % (kind_of(v), show(v), a["object_type"]))
                return
            if obj is None:
                self.err(p, "object type %s is not in the schema" % a["object_type"])
                return
            if "@deprecated" in obj:
                self.warn(p, "deprecated object %s" % obj["name"])
            self.attributes(v, p, obj, obj["attributes"], profiles)
            self.constraints(v, p, obj)
            return
        td = self.s.types.get(t)
        if td is None:
            self.err(p, "type %s is not in the dictionary" % t)
            return
        prim = td.get("type", t)
        k = kind_of(v)
        if prim == "json_t":
            return
        if prim == "boolean_t":
            ok = k == "boolean"
        elif prim == "float_t":
            ok = k == "float"
        elif prim == "integer_t":
            ok = k == "integer" and INT32[0] <= v <= INT32[1]
        elif prim == "long_t":
            ok = k == "integer" and INT64[0] <= v <= INT64[1]
        elif prim == "string_t":
            ok = k == "string"
        else:
            self.err(p, "type %s has an unknown base type %s" % (t, prim))
            return
        if not ok:
            if k == "integer" and prim in ("integer_t", "long_t"):
                self.err(p, "%d is out of the range of %s" % (v, prim))
            else:
                self.err(p, "is %s %s, not %s%s" % (k, show(v), t, "" if prim == t else " (%s)" % prim))
            return
        sup = self.s.types.get(prim, {}) if prim != t else {}
        rng = td.get("range") or sup.get("range")
        if rng and not rng[0] <= v <= rng[1]:
            self.err(p, "%s is out of the range of %s (%d to %d)" % (v, t, rng[0], rng[1]))
        values = td.get("values") or sup.get("values")
        if values is not None and v not in values:
            self.err(p, "%s is not a value of %s" % (show(v), t))
        if k == "string":
            max_len = td.get("max_len") or sup.get("max_len")
            if max_len and len(v) > max_len:
                self.err(p, "%d characters, longer than %s allows (%d)" % (len(v), t, max_len))
            if t == "ip_t":
                try:
                    if "%" in v:
                        raise ValueError
                    ipaddress.ip_address(v)
                except ValueError:
                    self.err(p, "%s is not an IPv4 or IPv6 address (ip_t)" % show(v))
            elif td.get("regex"):
                try:
                    if not re.search(td["regex"], v):
                        self.err(p, "%s does not match the pattern of %s" % (show(v), t))
                except re.error:
                    pass

    def enum(self, obj, path, name, a):
        p = path + "." + name if path else name
        enum = a["enum"]
        values = obj[name] if a.get("is_array") and isinstance(obj[name], list) else [obj[name]]
        sibling = a.get("sibling")
        for i, v in enumerate(values):
            key = json.dumps(v) if not isinstance(v, str) else v
            if isinstance(v, bool) or key not in enum:
                self.err(p, "%s is not one of the values of %s (%s)"
                         % (show(v), name, ", ".join(sorted(enum, key=lambda x: (len(x), x)))))
                continue
            if sibling and sibling in obj and v != 99:
                sv = obj[sibling]
                if a.get("is_array"):
                    sv = sv[i] if isinstance(sv, list) and i < len(sv) else None
                caption = enum[key].get("caption")
                if sv != caption:
                    sp = path + "." + sibling if path else sibling
                    self.err(sp, "%s, but %s %s is captioned %s" % (show(sv), name, key, show(caption)))

    def constraints(self, obj, path, item):
        for kind, names in (item.get("constraints") or {}).items():
            have = [n for n in names if obj.get(n) is not None]
            what = path or "the event"
            if kind == "at_least_one" and not have:
                self.err(path, "%s needs at least one of %s (%s constraint)"
                         % (what, ", ".join(names), item.get("caption", item.get("name"))))
            elif kind == "just_one" and len(have) != 1:
                self.err(path, "%s needs exactly one of %s, has %d" % (what, ", ".join(names), len(have)))


def main(argv):
    schema_path = DEFAULT_SCHEMA
    files = []
    args = iter(argv)
    for a in args:
        if a == "--schema":
            schema_path = next(args, None)
        elif a in ("-h", "--help"):
            print(__doc__)
            return 0
        elif a.startswith("-") and a != "-":
            print("ocsf-check.py: unknown option %s" % a, file=sys.stderr)
            return 2
        else:
            files.append(a)
    if schema_path is None:
        print("ocsf-check.py: --schema lacks its argument", file=sys.stderr)
        return 2
    try:
        schema = Schema(schema_path)
    except (OSError, ValueError, KeyError) as e:
        print("ocsf-check.py: %s: %s" % (schema_path, e), file=sys.stderr)
        return 2
    chk = Checker(schema)
    n = 0
    for path in files or ["-"]:
        try:
            if path == "-":
                data, name = sys.stdin.buffer.read(), "<stdin>"
            else:
                with open(path, "rb") as f:
                    data, name = f.read(), path
        except OSError as e:
            print("ocsf-check.py: %s" % e, file=sys.stderr)
            return 2
        lines = data.split(b"\n")
        if lines and lines[-1] == b"":
            lines.pop()
        for i, raw in enumerate(lines, 1):
            chk.where = "%s:%d" % (name, i)
            n += 1
            try:
                ev = json.loads(raw.decode("utf-8"), parse_constant=no_constant)
            except (UnicodeDecodeError, ValueError) as e:
                chk.err("", "not JSON: %s" % e)
                continue
            chk.event(ev)
    print("ocsf-check.py: %d event%s, %d problem%s" % (n, "" if n == 1 else "s", chk.problems,
          "" if chk.problems == 1 else "s"), file=sys.stderr)
    return 1 if chk.problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
