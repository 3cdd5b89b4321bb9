"""Cloud Run Admin v2 (GAPIC, REST transport): services and revisions in every region.

One paged list across all regions (`locations/-`). Should the API refuse the wildcard
(400 INVALID_ARGUMENT), the regions come from run v1 `projects.locations.list` and each is
listed in turn, so a refusal costs calls, not results. Literal env values are redacted on
arrival (redact.py): nothing downstream ever holds them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..errors import ApiFailure
from ..inventory import JSON, Collection, Permission, PerResource, Session, Unreadable
from ..redact import redact_run_resource
from ..resources import full_name
from .locations import every_location


def _every_region(
    session: Session, project_id: str, list_in: Callable[[str], list[JSON]]
) -> list[JSON]:
    return every_location(
        session,
        project_id,
        "run",
        "Cloud Run regions",
        "run.locations.list",
        "roles/run.viewer",
        list_in,
    )


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
    """Through discovery v2, not the GAPIC client: google-cloud-run's Revision message lacks
    `containerStatuses` (the digest a tag resolved to), which rollback checks need, and a
    GAPIC parse silently drops the fields its message does not know."""

    def list_in(region: str) -> list[JSON]:
        def page(token: str | None) -> object:
            revisions = session.clients.resource(
                "run", "projects", "locations", "services", "revisions", version="v2"
            )
            parent = f"projects/{project_id}/locations/{region}/services/-"
            return revisions.list(parent=parent, pageSize=500, pageToken=token)

        return session.discovery_list(page, "revisions")

    return [redact_run_resource(item) for item in _every_region(session, project_id, list_in)]


def _service_policies(session: Session, project_id: str) -> PerResource[JSON]:
    """The IAM policy of every Cloud Run service of the project, by service name."""
    names = [str(s.get("name", "")) for s in session.get(RUN_SERVICES, project_id)]

    def fetch(name: str) -> JSON:
        client = session.clients.run_services()
        return session.gapic_get(client.get_iam_policy, {"resource": name})

    def failed(name: str, failure: ApiFailure) -> Unreadable:
        return Unreadable(
            "IAM policy",
            f"Cloud Run service {name}",
            failure.reason,
            failure.message,
            permission=failure.permission or "run.services.getIamPolicy",
            role="roles/run.viewer",
            service="run.googleapis.com",
        )

    return session.per_resource("run.serviceIamPolicies", names, fetch, failed)


def _service_labels(project_id: str, services: list[JSON]) -> list[tuple[str, Mapping[str, str]]]:
    return [
        (full_name("run.googleapis.com", project_id, str(s.get("name", ""))), s.get("labels") or {})
        for s in services
    ]


def _service_index(services: list[JSON]) -> list[JSON]:
    """What is kept of a project's services for cross-project checks once the project is done:
    name, labels and runtime identity."""
    kept = []
    for service in services:
        entry: JSON = {k: service[k] for k in ("name", "labels") if k in service}
        account = (service.get("template") or {}).get("serviceAccount")
        entry["template"] = {"serviceAccount": account} if account else {}
        kept.append(entry)
    return kept


RUN_SERVICES: Collection[list[JSON]] = Collection(
    name="run.services",
    title="Cloud Run services",
    service="run.googleapis.com",
    permission="run.services.list",
    role="roles/run.viewer",
    fetch=_services,
    also=(Permission("run.locations.list"),),
    labels=_service_labels,
    compact=_service_index,
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

RUN_SERVICE_IAM: Collection[PerResource[JSON]] = Collection(
    name="run.serviceIamPolicies",
    title="Cloud Run service IAM policies",
    service="run.googleapis.com",
    permission="run.services.getIamPolicy",
    role="roles/run.viewer",
    fetch=_service_policies,
    also=(Permission("run.services.list"), Permission("run.locations.list")),
)
