"""Cloud Run Admin v2 (GAPIC, REST transport): services and revisions in every region.

One paged list across all regions (`locations/-`). Should the API refuse the wildcard
(400 INVALID_ARGUMENT), the regions come from run v1 `projects.locations.list` and each is
listed in turn, so a refusal costs calls, not results. Literal env values are redacted on
arrival (redact.py): nothing downstream ever holds them.
"""

from __future__ import annotations

from collections.abc import Callable

from ..errors import ApiCallError, ApiFailure
from ..inventory import JSON, Collection, Permission, Session, Unreadable
from ..redact import redact_run_resource


def _regions(session: Session, project_id: str) -> list[str]:
    def fetch() -> list[str]:
        def page(token: str | None) -> object:
            locations = session.clients.discovery("run").projects().locations()
            return locations.list(name=f"projects/{project_id}", pageToken=token)

        return [str(loc["locationId"]) for loc in session.discovery_list(page, "locations")]

    def failed(failure: ApiFailure) -> Unreadable:
        return Unreadable(
            "Cloud Run regions",
            f"project {project_id}",
            failure.reason,
            failure.message,
            permission=failure.permission or "run.locations.list",
            role="roles/run.viewer",
            service="run.googleapis.com",
        )

    return session.memo("run.locations", project_id, fetch, failed)


def _every_region(
    session: Session, project_id: str, list_region: Callable[[str], list[JSON]]
) -> list[JSON]:
    try:
        return list_region("-")
    except ApiCallError as exc:
        if exc.failure.http_status != 400:
            raise
    return [item for region in _regions(session, project_id) for item in list_region(region)]


def _services(session: Session, project_id: str) -> list[JSON]:
    client = session.clients.run_services()
    found = _every_region(
        session,
        project_id,
        lambda region: session.gapic_list(
            client.list_services,
            {"parent": f"projects/{project_id}/locations/{region}"},
            "services",
        ),
    )
    return [redact_run_resource(item) for item in found]


def _revisions(session: Session, project_id: str) -> list[JSON]:
    client = session.clients.run_revisions()
    found = _every_region(
        session,
        project_id,
        lambda region: session.gapic_list(
            client.list_revisions,
            {"parent": f"projects/{project_id}/locations/{region}/services/-"},
            "revisions",
        ),
    )
    return [redact_run_resource(item) for item in found]


RUN_SERVICES: Collection[list[JSON]] = Collection(
    name="run.services",
    title="Cloud Run services",
    service="run.googleapis.com",
    permission="run.services.list",
    role="roles/run.viewer",
    fetch=_services,
    also=(Permission("run.locations.list"),),
)

RUN_REVISIONS: Collection[list[JSON]] = Collection(
    name="run.revisions",
    title="Cloud Run revisions",
    service="run.googleapis.com",
    permission="run.revisions.list",
    role="roles/run.viewer",
    fetch=_revisions,
    also=(Permission("run.locations.list"),),
)
