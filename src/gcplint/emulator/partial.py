"""Partial responses: the `fields` system parameter every Google REST API takes.

`fields=nextPageToken,items(name,settings/tier)` keeps only those fields of the response: a
comma-separated list of selections, where `a/b` selects `b` inside `a`, `a(b,c)` selects `b` and
`c` inside `a`, `*` selects every field of an object, and a selection inside an array applies
to each of its elements. A field that is absent stays absent; an object none of whose selected
fields is present is left out. A selection that does not parse is 400 INVALID_ARGUMENT.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import ApiError, invalid_argument

Selection = dict[str, "Selection | None"]  # field -> what is selected inside it (None: all)

_TOKEN = re.compile(r"\s*(?:(?P<name>[A-Za-z_*][\w.*-]*)|(?P<sym>[/(),]))")


def parse(text: str) -> Selection:
    """The selection tree of a `fields` value; raises a 400 ApiError for one that does not
    parse (an unbalanced parenthesis, an empty name)."""
    tokens = _tokens(text)
    selection, at = _list(tokens, 0)
    if at != len(tokens):
        raise _invalid(text)
    return selection


def select(value: Any, selection: Selection | None) -> Any:
    """What `selection` keeps of `value` (None: all of it)."""
    if selection is None:
        return value
    if isinstance(value, list):
        return [select(item, selection) for item in value]
    if not isinstance(value, dict):
        return value  # a scalar keeps itself (a selection below it has nothing to keep)
    kept: dict[str, Any] = {}
    for name, inner in selection.items():
        for key in value if name == "*" else [name]:
            if key not in value:
                continue
            chosen = select(value[key], inner)
            if inner is not None and isinstance(chosen, dict) and not chosen:
                continue  # nothing selected inside it is present
            kept[key] = chosen
    return kept


def _tokens(text: str) -> list[str]:
    tokens, at = [], 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        if found is None:
            if text[at:].strip():
                raise _invalid(text)
            break
        tokens.append(found["name"] or found["sym"])
        at = found.end()
    return tokens


def _list(tokens: list[str], at: int) -> tuple[Selection, int]:
    """selection (',' selection)*"""
    selection: Selection = {}
    while True:
        at = _one(tokens, at, selection)
        if at < len(tokens) and tokens[at] == ",":
            at += 1
            continue
        return selection, at


def _one(tokens: list[str], at: int, into: Selection) -> int:
    """name ('/' name)* ['(' list ')'], merged into `into`."""
    path: list[str] = []
    while True:
        if at >= len(tokens) or tokens[at] in "/(),":
            raise _invalid(" ".join(tokens))
        path.append(tokens[at])
        at += 1
        if at < len(tokens) and tokens[at] == "/":
            at += 1
            continue
        break
    inner: Selection | None = None
    if at < len(tokens) and tokens[at] == "(":
        inner, at = _list(tokens, at + 1)
        if at >= len(tokens) or tokens[at] != ")":
            raise _invalid(" ".join(tokens))
        at += 1
    node = into
    for name in path[:-1]:
        child = node.get(name, {})
        if child is None:  # already selected whole
            return at
        node[name] = child
        node = child
    _merge(node, path[-1], inner)
    return at


def _merge(node: Selection, name: str, inner: Selection | None) -> None:
    """Add `name` (with `inner` selected in it) to `node`: a whole field wins over a part of it."""
    if name not in node:
        node[name] = inner
        return
    existing = node[name]
    if existing is None or inner is None:
        node[name] = None
        return
    for child, selected in inner.items():
        _merge(existing, child, selected)


def _invalid(text: str) -> ApiError:
    return invalid_argument(f"Invalid field selection {text}")
