"""The fields checks read, per collection, and their types from Google's discovery documents.

Each stored collection declares `fields=Fields(SCHEMA, PATH, ...)`: the discovery schema of one
of its items (or of its one object) and the paths of the fields gcplint reads, in a small
syntax: `settings.ipConfiguration.ipv4Enabled` (a field of a field), `ipAddresses[].type` (a field
of every element of an array), `cleanupPolicies{}.action` (a field of every value of a map),
`labels` (a whole map or array of scalars). An object that is present stays present, so the
fields of an object only tested for presence are declared by one of its scalar fields
(`startupProbe.httpGet.path`). The declaration is
used twice:

- at read time, the declared fields are checked against their discovery types (string, boolean,
  integer, int64 as a string of digits, number, array, object, map; an enum is a string, and a
  value Google added after the shipped document is accepted): data of the wrong type
  would turn a failure into a pass (`ipv4Enabled: "true"`), so it is unreadable instead, with a
  message naming the field and the expected type. Credential-shaped values in declared fields
  are redacted at the same time (redact.py), so checks, reports and snapshots never hold them;
- in a snapshot, only the declared fields are kept (an allowlist): secrets an API returns in
  fields no check reads (`privateKeyData`, `rootPassword`, container `args`) never reach a file.

The discovery documents are the ones google-api-python-client ships; they are read from its
package directory (without importing it) on first use, and cached.
"""

from __future__ import annotations

import functools
import importlib.util
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..redact import redact_header, redact_map, redact_string

_SEGMENT = re.compile(r"^(?P<name>[A-Za-z_][\w-]*)(?P<each>\[\]|\{\})?$")
_INT64 = re.compile(r"^-?\d+$")
_SCALARS = frozenset({"string", "boolean", "integer", "number", "any"})


class SchemaError(Exception):
    """A declared path that the discovery schema does not have (a programming error)."""


class Mismatch(Exception):
    """A value whose JSON type is not the one its discovery schema gives."""


@functools.cache
def discovery(api: str, version: str) -> dict[str, Any]:
    """The discovery document google-api-python-client ships for an API version."""
    spec = importlib.util.find_spec("googleapiclient")
    if spec is None or not spec.submodule_search_locations:
        raise SchemaError("google-api-python-client is not installed")
    folder = Path(next(iter(spec.submodule_search_locations)))
    path = folder / "discovery_cache" / "documents" / f"{api}.{version}.json"
    try:
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except OSError:
        raise SchemaError(f"no discovery document for {api} {version}") from None
    return doc


@dataclass(frozen=True)
class Node:
    """The declared part of a schema: a scalar (`kind`, `format`, `enum`), an array of `item`,
    a map (`kind` "map") of `item`, or an object of declared `fields`."""

    kind: str  # string, boolean, integer, number, any, array, map, object
    format: str | None = None
    enum: bool = False
    item: Node | None = None
    fields: dict[str, Node] = field(default_factory=dict)

    def expected(self) -> str:
        """What a value must be, for messages: 'a boolean', 'an int64 (a string of digits)'."""
        if self.kind == "string" and self.format in ("int64", "uint64"):
            return f"an {self.format} (a string of digits)"
        if self.kind == "string" and self.enum:
            return "a string (an enum value)"
        if self.kind == "map":
            return "an object (a map)"
        return {"array": "an array", "object": "an object", "integer": "an integer"}.get(
            self.kind, f"a {self.kind}"
        )


@dataclass(frozen=True)
class Fields:
    """The discovery schema of a collection's items and the paths of the fields gcplint reads.
    `listed`: the response field the items are listed under (`items`), or None for a single
    object; `version`: the discovery version, when it is not the API's."""

    schema: str
    paths: tuple[str, ...]
    listed: str | None = None
    version: str | None = None

    @staticmethod
    def of(
        schema: str, *paths: str, listed: str | None = None, version: str | None = None
    ) -> Fields:
        """`Fields.of("DatabaseInstance", "name", "settings.tier", listed="items")`."""
        return Fields(schema, paths, listed, version)


def compile_fields(fields: Fields, api: str, version: str) -> Node:
    """The tree of declared fields, typed from the discovery document; raises SchemaError for
    a path the schema does not have, or one that ends in an object with fields of its own."""
    doc = discovery(api, version)
    schemas: dict[str, Any] = doc.get("schemas", {})
    if fields.schema not in schemas:
        raise SchemaError(f"{api} {version} has no schema {fields.schema}")
    root = Node("object")
    for path in fields.paths:
        node, schema, where = root, schemas[fields.schema], fields.schema
        segments = path.split(".")
        for i, segment in enumerate(segments):
            found = _SEGMENT.match(segment)
            if found is None:
                raise SchemaError(f"{path}: bad segment {segment!r}")
            schema = _resolve(schemas, schema)
            child = (schema.get("properties") or {}).get(found["name"])
            if child is None:
                raise SchemaError(f"{path}: {where} has no field {found['name']}")
            where = f"{where}.{found['name']}"
            last = i == len(segments) - 1
            if found["each"]:
                child = _resolve(schemas, child)
                array = found["each"] == "[]"
                kind, inner = ("array", "items") if array else ("map", "additionalProperties")
                if child.get("type") != ("array" if array else "object") or inner not in child:
                    raise SchemaError(f"{path}: {where} is not an {'array' if array else 'map'}")
                if last:
                    node.fields[found["name"]] = _leaf(schemas, child, path)
                    break
                each = node.fields.setdefault(found["name"], Node(kind, item=Node("object")))
                assert each.item is not None
                node, schema = each.item, child[inner]
            elif last:
                node.fields[found["name"]] = _leaf(schemas, child, path)
            else:
                node = node.fields.setdefault(found["name"], Node("object"))
                schema = child
    return root


@functools.cache
def mask(fields: Fields, api: str, version: str) -> str:
    """The `fields` parameter (a partial response) that keeps what `fields` declares: the
    top-level fields of its paths, each whole (an object tested for presence arrives exactly as
    in the full response), under the list field with the page token for a listed collection:
    `nextPageToken,items(name,settings)`. Raises SchemaError if the discovery document has no
    list response of that schema's items under `listed`."""
    tops = ",".join(
        dict.fromkeys(re.split(r"[.\[{]", path, maxsplit=1)[0] for path in fields.paths)
    )
    if fields.listed is None:
        return tops
    schemas: dict[str, Any] = discovery(api, version).get("schemas", {})
    responses = [  # every response that lists these items under `listed` (one is the list's)
        properties
        for properties in (schema.get("properties") or {} for schema in schemas.values())
        if ((properties.get(fields.listed) or {}).get("items") or {}).get("$ref") == fields.schema
    ]
    if not responses:
        raise SchemaError(f"{api} {version} lists no {fields.schema} under {fields.listed}")
    paged = "nextPageToken," if any("nextPageToken" in p for p in responses) else ""
    return f"{paged}{fields.listed}({tops})"


def _resolve(schemas: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    return _resolve(schemas, schemas[ref]) if ref is not None else schema


def _leaf(schemas: dict[str, Any], schema: dict[str, Any], path: str) -> Node:
    """A declared field kept whole: a scalar, or an array or map of them."""
    schema = _resolve(schemas, schema)
    kind = schema.get("type")
    if kind in _SCALARS:
        return Node(str(kind), schema.get("format"), "enum" in schema)
    if kind == "array":
        return Node("array", item=_leaf(schemas, schema.get("items", {"type": "any"}), path))
    extra = schema.get("additionalProperties")
    if kind == "object" and isinstance(extra, dict) and not schema.get("properties"):
        return Node("map", item=_leaf(schemas, extra, path))
    raise SchemaError(f"{path}: ends in an object with fields; declare the fields read")


def _kind(value: Any) -> str:
    names = {bool: "a boolean", int: "an integer", float: "a number", str: "a string"}
    names |= {list: "an array", dict: "an object"}
    return names.get(type(value), type(value).__name__)


def check(value: Any, node: Node, where: str) -> None:
    """Raise Mismatch (naming `where`, the path to the bad field) unless every declared field
    present in `value` has its declared type; redact credential-shaped strings in place.
    Absent and null fields are not checked: absence has the meaning Google's docs give it."""
    _check(value, node, (where,) if where else ())


FieldPath = tuple[str | int, ...]  # where a value is: field names and list indexes


def _spelled(path: FieldPath) -> str:
    """`a.b[2].c`: a path as a Mismatch names it (only ever made for a mismatch)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _check(value: Any, node: Node, path: FieldPath) -> None:
    kind = node.kind
    if kind == "object":
        if not isinstance(value, dict):
            raise Mismatch(
                f"{_spelled(path) or 'the response'} is {_kind(value)}, expected an object"
            )
        for name, child in node.fields.items():
            if value.get(name) is not None:
                value[name] = _checked(value[name], child, (*path, name))
        redact_header(value)
        return
    if kind == "array":
        if not isinstance(value, list):
            raise Mismatch(f"{_spelled(path)} is {_kind(value)}, expected an array")
        assert node.item is not None
        for i, item in enumerate(value):
            if item is not None:
                value[i] = _checked(item, node.item, (*path, i))
        return
    if kind == "map":
        if not isinstance(value, dict):
            raise Mismatch(f"{_spelled(path)} is {_kind(value)}, expected an object (a map)")
        assert node.item is not None
        for key, item in value.items():
            if item is not None:
                value[key] = _checked(item, node.item, (*path, key))
        redact_map(value)
        return
    if not _scalar_ok(value, node):
        raise Mismatch(f"{_spelled(path)} is {_kind(value)}, expected {node.expected()}")


def _checked(value: Any, node: Node, path: FieldPath) -> Any:
    _check(value, node, path)
    return redact_string(value) if isinstance(value, str) else value


def _scalar_ok(value: Any, node: Node) -> bool:
    if node.kind == "any":
        return True
    if node.kind == "boolean":
        return isinstance(value, bool)
    if node.kind == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if node.kind == "number":
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if not isinstance(value, str):
        return False
    return node.format not in ("int64", "uint64") or bool(_INT64.match(value))


def keep(value: Any, node: Node) -> Any:
    """A copy of `value` with only the declared fields (an object present stays present, even
    when none of its declared fields is)."""
    if node.kind == "object" and isinstance(value, dict):
        return {
            name: keep(value[name], child) for name, child in node.fields.items() if name in value
        }
    if node.kind == "array" and isinstance(value, list):
        assert node.item is not None
        return [keep(item, node.item) for item in value]
    if node.kind == "map" and isinstance(value, dict):
        assert node.item is not None
        return {key: keep(item, node.item) for key, item in value.items()}
    return value
