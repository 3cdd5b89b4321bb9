"""Full resource names (Cloud Asset Inventory style, always with the project ID) and the
typed view of a project."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .environment import Classification, Environment, classify
from .model import project_resource

__all__ = ["ProjectInfo", "full_name", "project_resource"]


def full_name(service: str, project_id: str, relative: str) -> str:
    """`//{service}/projects/{project_id}/{relative}` for a resource inside a project.

    `relative` may start with the API's own `projects/<id or number>/` prefix; it is replaced,
    so names always carry the project ID.
    """
    parts = relative.strip("/").split("/")
    if len(parts) >= 2 and parts[0] == "projects":
        parts = parts[2:]
    tail = "/".join(parts)
    return f"//{service}/projects/{project_id}" + (f"/{tail}" if tail else "")


@dataclass(frozen=True)
class ProjectInfo:
    """A project as Resource Manager v3 describes it."""

    project_id: str
    number: str
    display_name: str
    labels: Mapping[str, str]
    parent: str
    state: str

    @classmethod
    def from_rest(cls, data: Mapping[str, Any]) -> ProjectInfo:
        """From a v3 Project in REST JSON."""
        return cls(
            project_id=str(data.get("projectId", "")),
            number=str(data.get("name", "")).rpartition("/")[2],
            display_name=str(data.get("displayName", "")),
            labels=dict(data.get("labels") or {}),
            parent=str(data.get("parent", "")),
            state=str(data.get("state", "")),
        )

    @property
    def resource(self) -> str:
        """The project's full resource name."""
        return project_resource(self.project_id)

    def classification(self, overrides: Sequence[tuple[str, Environment]] = ()) -> Classification:
        """The project's environment and what decided it (config overrides first)."""
        return classify(self.project_id, self.labels, overrides)
