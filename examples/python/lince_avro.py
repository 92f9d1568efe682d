"""Lince's wire format in Python: Avro single-object encoding with Lince's schemas.

Works with Debian's python3-avro (1.11) and nothing else. Every Lince value is

    C3 01 | the writer schema's 8-byte fingerprint | the Avro binary record

where the fingerprint is CRC-64-AVRO of the schema's *parsing canonical form*, little-endian
(schemas/README.md). python3-avro 1.11 has no fingerprint function, and its canonical_form keeps
logical types as objects ({"type":"long"} for a timestamp-millis), which gives another
fingerprint that Lince refuses; so both are written out here, from the Avro specification.
"""

import io
import json
import os

import avro.io
import avro.schema

SCHEMAS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "schemas")
# The .avsc files name each other: load the named types first (schemas/README.md).
LOAD_ORDER = ["RecordHeader", "Prediction", "ImageEvent", "LabelEvent", "Classification", "RetrainingSample"]
MAGIC = b"\xc3\x01"

_PRIMITIVES = {"null", "boolean", "int", "long", "float", "double", "bytes", "string"}
_EMPTY = 0xC15D213AA4D7A795
_TABLE = []
for _i in range(256):
    _fp = _i
    for _ in range(8):
        _fp = (_fp >> 1) ^ (_EMPTY & -(_fp & 1))
    _TABLE.append(_fp)


def crc64_avro(data: bytes) -> int:
    """The Avro specification's 64-bit Rabin fingerprint."""
    fp = _EMPTY
    for b in data:
        fp = (fp >> 8) ^ _TABLE[(fp ^ b) & 0xFF]
    return fp


def canonical_form(schema, namespace=None) -> str:
    """The parsing canonical form of a schema given as parsed JSON (the specification's rules:
    full names, only name/type/fields/symbols/items/values/size, logical types reduced to their
    underlying type, no whitespace)."""
    return json.dumps(_canonical(schema, namespace, set()), separators=(",", ":"))


def _fullname(name, namespace):
    return name if "." in name or not namespace else namespace + "." + name


def _canonical(s, namespace, defined):
    if isinstance(s, list):
        return [_canonical(x, namespace, defined) for x in s]
    if isinstance(s, str):
        return s if s in _PRIMITIVES else _fullname(s, namespace)
    kind = s["type"]
    if kind in _PRIMITIVES or not isinstance(kind, str) or kind not in ("record", "error", "enum", "fixed", "array", "map"):
        return _canonical(kind, namespace, defined)  # {"type": "long", "logicalType": ...} -> "long"
    if kind == "array":
        return {"type": "array", "items": _canonical(s["items"], namespace, defined)}
    if kind == "map":
        return {"type": "map", "values": _canonical(s["values"], namespace, defined)}
    name = _fullname(s["name"], s.get("namespace", namespace))
    if name in defined:
        return name
    defined.add(name)
    inner = name.rsplit(".", 1)[0] if "." in name else None
    out = {"name": name, "type": "record" if kind == "error" else kind}
    if kind in ("record", "error"):
        out["fields"] = [{"name": f["name"], "type": _canonical(f["type"], inner, defined)} for f in s["fields"]]
    elif kind == "enum":
        out["symbols"] = s["symbols"]
    else:
        out["size"] = s["size"]
    return out


def fingerprint(schema_json) -> bytes:
    """The 8 bytes that follow C3 01 on the wire."""
    return crc64_avro(canonical_form(schema_json).encode("utf-8")).to_bytes(8, "little")


class Contract:
    """Lince's schemas, parsed in the order they need, with their fingerprints."""

    def __init__(self, schemas_dir=SCHEMAS):
        names = avro.schema.Names()
        self.json = {}
        self.schema = {}
        for name in LOAD_ORDER:
            with open(os.path.join(schemas_dir, name + ".avsc"), encoding="utf-8") as f:
                parsed = json.load(f)
            self.json[name] = parsed
            self.schema[name] = avro.schema.make_avsc_object(parsed, names)
        # A named type used inside another is written there by name, so a record's canonical form
        # needs the definitions it names: canonicalise with them inlined, as Avro's Java does.
        self.fingerprints = {name: fingerprint(self._inlined(name)) for name in LOAD_ORDER}

    def _inlined(self, name):
        def inline(s, seen):
            if isinstance(s, str):
                short = s.rsplit(".", 1)[-1]
                if short in self.json and short not in seen:
                    seen.add(short)
                    return inline(self.json[short], seen)
                return s
            if isinstance(s, list):
                return [inline(x, seen) for x in s]
            if isinstance(s, dict):
                out = dict(s)
                if "fields" in s:
                    out["fields"] = [dict(f, type=inline(f["type"], seen)) for f in s["fields"]]
                for key in ("items", "values"):
                    if key in s:
                        out[key] = inline(s[key], seen)
                if isinstance(s.get("type"), (dict, list)):
                    out["type"] = inline(s["type"], seen)
                return out
            return s

        return inline(self.json[name], {name})

    def encode(self, name, record) -> bytes:
        """A value for Lince: magic, fingerprint, binary record."""
        buf = io.BytesIO()
        buf.write(MAGIC)
        buf.write(self.fingerprints[name])
        avro.io.DatumWriter(self.schema[name]).write(record, avro.io.BinaryEncoder(buf))
        return buf.getvalue()

    def decode(self, name, value: bytes):
        """A record Lince wrote: checks the framing and that the writer schema is this one."""
        if value[:2] != MAGIC:
            raise ValueError("not Avro single-object encoding: starts with " + value[:2].hex())
        if value[2:10] != self.fingerprints[name]:
            raise ValueError("written with schema fingerprint %s, this client knows %s %s: update schemas/"
                             % (value[2:10].hex(), name, self.fingerprints[name].hex()))
        return avro.io.DatumReader(self.schema[name]).read(avro.io.BinaryDecoder(io.BytesIO(value[10:])))
