"""How results name resources: full resource names, short names and display labels."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from gcplint.api import Collection, Inventory, full_name

JSON = Mapping[str, Any]


def last_segment(name: object) -> str:
    """The last segment of a resource name: `projects/p/secrets/db-password` -> `db-password`."""
    return str(name).rpartition("/")[2]


def short_name(item: JSON) -> str:
    """The last segment of an item's `name`."""
    return last_segment(item.get("name", ""))


def resource_name(
    inv: Inventory,
    collection: Collection[Any],
    item: JSON,
    *,
    under: str = "",
    project_id: str | None = None,
) -> str:
    """The full resource name of an item read from `collection`: `//SERVICE/projects/P/NAME`.

    `under` prefixes a name the API gives bare (`instances/` for Cloud SQL, `buckets/` for
    Cloud Storage); `project_id` names an item of another project than the one judged."""
    return full_name(
        collection.service, project_id or inv.project_id, under + str(item.get("name", ""))
    )


def titled(item: JSON, ident: object) -> str:
    """`'Display name' (IDENT)`: how messages name a budget or an alert policy."""
    return f"'{item.get('displayName') or 'unnamed'}' ({ident})"
