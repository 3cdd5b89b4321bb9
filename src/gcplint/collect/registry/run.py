"""Cloud Run Admin v2: services (GAPIC, REST transport) and revisions (discovery) in every region.

One paged list across all regions (`locations/-`). Should the API refuse the wildcard
(400 INVALID_ARGUMENT), the regions come from run v1 `projects.locations.list` and each is
listed in turn, so a refusal costs calls, not results. Literal env values are redacted on
arrival (redact.py): nothing downstream ever holds them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ...redact import redact_run_resource
from ..apis import RUN
from ..collection import JSON, Collection, Each, PerResource, declare
from ._labels import item_labels
from ._read import every_location, regions_of

if TYPE_CHECKING:
    from ..session import Session


def _services(session: Session, project_id: str) -> list[JSON]:
    api = session.api
    client = api.clients.run_services()
    found = every_location(
        session,
        project_id,
        RUN_LOCATIONS,
        lambda region: api.gapic_list(
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
    api = session.api

    def list_in(region: str) -> list[JSON]:
        def page(token: str | None) -> object:
            revisions = api.clients.resource(
                "run", "projects", "locations", "services", "revisions", version="v2"
            )
            parent = f"projects/{project_id}/locations/{region}/services/-"
            return revisions.list(parent=parent, pageSize=500, pageToken=token)

        return api.discovery_list(page, "revisions")

    found = every_location(session, project_id, RUN_LOCATIONS, list_in)
    return [redact_run_resource(item) for item in found]


def _service_policy(session: Session, project_id: str, name: str) -> JSON:
    api = session.api
    return api.gapic_get(api.clients.run_services().get_iam_policy, {"resource": name})


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


RUN_LOCATIONS: Collection[list[str]] = declare(
    "run.locations: Cloud Run regions, run.locations.list (roles/run.viewer)",
    read=regions_of(RUN),
    stored=False,
)

RUN_SERVICES: Collection[list[JSON]] = declare(
    "run.services: Cloud Run services, run.services.list (roles/run.viewer)",
    read=_services,
    needs=(RUN_LOCATIONS,),
    labels=item_labels(RUN),
    compact=_service_index,
)

RUN_REVISIONS: Collection[list[JSON]] = declare(
    "run.revisions: Cloud Run revisions, run.revisions.list (roles/run.viewer)",
    read=_revisions,
    needs=(RUN_LOCATIONS,),
)

RUN_SERVICE_IAM: Collection[PerResource[JSON]] = declare(
    "run.serviceIamPolicies: Cloud Run service IAM policies, run.services.getIamPolicy (roles/run.viewer)",
    each=Each((RUN_SERVICES,), _service_policy, "IAM policy", "Cloud Run service"),
)
