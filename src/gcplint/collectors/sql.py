"""Cloud SQL Admin v1 (discovery): instances."""

from __future__ import annotations

from ..inventory import JSON, Collection, Session


def _instances(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        instances = session.clients.discovery("sqladmin").instances()
        return instances.list(project=project_id, maxResults=500, pageToken=token)

    return session.discovery_list(page, "items")


SQL_INSTANCES: Collection[list[JSON]] = Collection(
    name="sqladmin.instances",
    title="Cloud SQL instances",
    service="sqladmin.googleapis.com",
    permission="cloudsql.instances.list",
    role="roles/cloudsql.viewer",
    fetch=_instances,
)
