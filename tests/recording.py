"""Which fields of each collection gcplint actually reads: a recording wrapper around the data.

`recording(monkeypatch)` makes every read value (after its declared fields were checked, so the
check's own walk is not counted) a tree of dict and list proxies that note each key looked up,
tested or iterated, as a path in the declaration syntax of `gcplint.collect.schema`
(`settings.ipConfiguration.ipv4Enabled`, `ipAddresses[].type`). Everything downstream of the
session is recorded: checks, `labels`, `compact`, `each.key`, derived collections.
`undeclared(reads)` lists the paths no declaration covers: data a snapshot would drop.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from gcplint.collect.collection import Collection

Reads = dict[str, set[tuple[str, bool]]]  # collection -> (path, read whole?)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


class RecordingDict(dict[str, Any]):
    """A dict that notes the keys read from it."""

    def __init__(self, data: dict[str, Any], path: str, seen: set[tuple[str, bool]]) -> None:
        super().__init__(data)
        self._path, self._seen = path, seen

    def _note(self, key: str) -> str:
        path = _join(self._path, key)
        self._seen.add((path, False))
        return path

    def _whole(self) -> None:
        self._seen.add((self._path, True))

    def __getitem__(self, key: str) -> Any:
        return wrap(super().__getitem__(key), self._note(key), self._seen)

    def get(self, key: str, default: Any = None) -> Any:
        path = self._note(key)
        found = dict.__contains__(self, key)
        return wrap(super().__getitem__(key), path, self._seen) if found else default

    def __contains__(self, key: object) -> bool:
        self._note(str(key))
        return super().__contains__(key)

    def __iter__(self) -> Iterator[str]:
        self._whole()
        return super().__iter__()

    def keys(self) -> Any:
        self._whole()
        return super().keys()

    def items(self) -> Any:
        self._whole()
        return [(k, wrap(v, _join(self._path, k), self._seen)) for k, v in super().items()]

    def values(self) -> Any:
        self._whole()
        return [wrap(v, _join(self._path, k), self._seen) for k, v in super().items()]


class RecordingList(list[Any]):
    """A list whose elements record under `path[]`."""

    def __init__(self, data: list[Any], path: str, seen: set[tuple[str, bool]]) -> None:
        super().__init__(data)
        self._path, self._seen = f"{path}[]", seen

    def __getitem__(self, index: Any) -> Any:
        found = super().__getitem__(index)
        if isinstance(index, slice):
            return [wrap(v, self._path, self._seen) for v in found]
        return wrap(found, self._path, self._seen)

    def __iter__(self) -> Iterator[Any]:
        return (wrap(v, self._path, self._seen) for v in super().__iter__())


def wrap(value: Any, path: str, seen: set[tuple[str, bool]]) -> Any:
    if isinstance(value, dict) and not isinstance(value, RecordingDict):
        return RecordingDict(value, path, seen)
    if isinstance(value, list) and not isinstance(value, RecordingList):
        return RecordingList(value, path, seen)
    return value


def recording(monkeypatch: pytest.MonkeyPatch, everything: bool = False) -> Reads:
    """Record from now on what is read of every collection that declares its fields (with
    `everything`, of every collection: to write a declaration)."""
    reads: Reads = defaultdict(set)
    checked = Collection.checked

    def record(self: Collection[Any], value: Any, key: str) -> Any:
        value = checked(self, value, key)
        if self.fields is None and not everything:
            return value
        seen = reads[self.name]
        if isinstance(value, list):
            return [wrap(item, "", seen) for item in value]
        return wrap(value, "", seen)

    monkeypatch.setattr(Collection, "checked", record)
    return reads


ANY = "{}"  # any one key of a map


def _tokens(path: str) -> list[str]:
    """`cleanupPolicies{}.action` -> cleanupPolicies, {}, action; `a[].b` -> a, [], b."""
    found: list[str] = []
    for token in path.split(".") if path else []:
        found += [token[:-2], token[-2:]] if token.endswith((ANY, "[]")) else [token]
    return found


def covered(path: str, whole: bool, declared: tuple[str, ...]) -> bool:
    """A path read is covered by a declared path that holds it (`labels` holds `labels.env`),
    or, unless it was read whole (iterated), by one below it (`settings` on the way to
    `settings.tier`); a map declared with `{}` may be iterated."""
    mine = _tokens(path)
    for other in declared:
        theirs = _tokens(other)
        if _holds(theirs, mine) or (not whole and _holds(mine, theirs)):
            return True
        map_below = len(theirs) > len(mine) and theirs[len(mine)] == ANY
        if whole and map_below and _holds(mine, theirs):  # iterating a map declared with {}
            return True
    return False


def _holds(prefix: list[str], path: list[str]) -> bool:
    """`prefix` is a prefix of `path`, where `{}` on either side matches any one key."""
    if len(prefix) > len(path):
        return False
    return all(a == b or ANY in (a, b) for a, b in zip(prefix, path, strict=False))


def undeclared(reads: Reads) -> list[str]:
    """`collection: path` for every path read that no declaration covers."""
    from gcplint.collect import registry

    problems = []
    for name, seen in sorted(reads.items()):
        collection = registry.by_name(name)
        declared = collection.fields.paths if collection and collection.fields else ()
        for path, whole in sorted(seen):
            if not covered(path, whole, declared):
                problems.append(
                    f"{name}: {path or '<the whole item>'}{' (iterated)' if whole else ''}"
                )
    return problems
