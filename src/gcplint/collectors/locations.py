"""Listing across every region: one `locations/-` call, or region by region when the API
refuses the wildcard (400 INVALID_ARGUMENT), with the regions from the API's locations.list."""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ApiCallError, ApiFailure
from ..inventory import JSON, Session, Unreadable


def every_location(
    session: Session,
    project_id: str,
    api: str,
    title: str,
    permission: str,
    role: str,
    list_in: Callable[[str], list[JSON]],
) -> list[JSON]:
    """`list_in("-")`, else `list_in(region)` for every region of `api`'s locations.list."""
    try:
        return list_in("-")
    except ApiCallError as exc:
        if exc.failure.http_status != 400:
            raise
    return [
        item
        for region in _regions(session, project_id, api, title, permission, role)
        for item in list_in(region)
    ]


def _regions(
    session: Session, project_id: str, api: str, title: str, permission: str, role: str
) -> list[str]:
    def fetch() -> list[str]:
        def page(token: str | None) -> object:
            locations = session.clients.resource(api, "projects", "locations")
            return locations.list(name=f"projects/{project_id}", pageToken=token)

        return [str(loc["locationId"]) for loc in session.discovery_list(page, "locations")]

    def failed(failure: ApiFailure) -> Unreadable:
        return Unreadable(
            title,
            f"project {project_id}",
            failure.reason,
            failure.message,
            permission=failure.permission or permission,
            role=role,
            service=f"{api}.googleapis.com",
        )

    return session.memo(f"{api}.locations", project_id, fetch, failed)
