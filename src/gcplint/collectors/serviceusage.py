"""Service Usage v1 (discovery): the services a project has enabled, read once per project so
that collections of a disabled API are not applicable without calling that API."""

from __future__ import annotations

from ..inventory import JSON, Collection, Session


def _enabled(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        services = session.clients.resource("serviceusage", "services")
        return services.list(
            parent=f"projects/{project_id}", filter="state:ENABLED", pageSize=200, pageToken=token
        )

    return session.discovery_list(page, "services")


ENABLED_SERVICES: Collection[list[JSON]] = Collection(
    name="serviceusage.services",
    title="enabled services",
    service="serviceusage.googleapis.com",
    permission="serviceusage.services.list",
    role="roles/serviceusage.serviceUsageViewer",
    fetch=_enabled,
)
