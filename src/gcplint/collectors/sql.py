"""Cloud SQL Admin v1 (discovery): instances."""

from __future__ import annotations

from collections.abc import Mapping

from ..inventory import JSON, Collection, Session
from ..resources import full_name


def _instances(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        instances = session.clients.resource("sqladmin", "instances")
        return instances.list(project=project_id, maxResults=500, pageToken=token)

    return session.discovery_list(page, "items")


def _instance_labels(project_id: str, instances: list[JSON]) -> list[tuple[str, Mapping[str, str]]]:
    return [
        (
            full_name("sqladmin.googleapis.com", project_id, f"instances/{i.get('name', '')}"),
            (i.get("settings") or {}).get("userLabels") or {},
        )
        for i in instances
    ]


SQL_INSTANCES: Collection[list[JSON]] = Collection(
    name="sqladmin.instances",
    title="Cloud SQL instances",
    service="sqladmin.googleapis.com",
    permission="cloudsql.instances.list",
    role="roles/cloudsql.viewer",
    fetch=_instances,
    labels=_instance_labels,
)
