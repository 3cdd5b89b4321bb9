"""Lookups by resource name shared by the API modules: the path segment after a key, the items
in a location and the locations items use, an addressed item that must exist, and world entries
keyed by full resource names (IAM policies, versions, images)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...world import JSON
from ..errors import not_found


def segment(name: str, key: str) -> str | None:
    """The path segment after `key` in a resource name (`locations` → `europe-west1`)."""
    parts = name.split("/")
    for i, part in enumerate(parts[:-1]):
        if part == key:
            return parts[i + 1]
    return None


def in_location(items: Iterable[JSON], location: str) -> list[JSON]:
    """The items named in `location` (`-`: every location)."""
    return [
        i
        for i in items
        if location == "-" or segment(str(i.get("name", "")), "locations") == location
    ]


def locations_used(items: Iterable[JSON]) -> set[str]:
    """The locations the items are named in."""
    return {loc for i in items if (loc := segment(str(i.get("name", "")), "locations"))}


def existing(items: list[JSON], suffix: str, missing: str) -> str:
    """`suffix`, when the name of one of `items` ends with it; otherwise a 404 saying `missing`."""
    if not any(str(i.get("name", "")).endswith(suffix) for i in items):
        raise not_found(missing)
    return suffix


def by_suffix(mapping: dict[str, Any], suffix: str) -> Any:
    """The value whose key (a full resource name, project by ID or number) ends with `suffix`."""
    for key, value in mapping.items():
        if key.endswith(suffix):
            return value
    return None


def policy_by_suffix(policies: dict[str, JSON], suffix: str) -> JSON:
    """The IAM policy of the resource whose name ends with `suffix` (an empty one if none)."""
    policy: JSON = by_suffix(policies, suffix) or {"etag": "ACAB"}
    return policy
