"""The `gcplint-ignore` label readers of collections whose items carry `labels` by full name."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ...resources import full_name
from ..apis import Api
from ..collection import JSON

Labels = Callable[[str, list[JSON]], list[tuple[str, Mapping[str, str]]]]


def item_labels(api: Api, prefix: str = "") -> Labels:
    """(full resource name, labels) of each item, named `prefix` + its `name`."""

    def labels(project_id: str, items: list[JSON]) -> list[tuple[str, Mapping[str, str]]]:
        return [
            (
                full_name(api.service, project_id, prefix + str(i.get("name", ""))),
                i.get("labels") or {},
            )
            for i in items
        ]

    return labels
