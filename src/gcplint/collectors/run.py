"""Cloud Run Admin v2 (GAPIC, REST transport): services and revisions in every region."""

from __future__ import annotations

from ..inventory import JSON, Collection, Session


def _services(session: Session, project_id: str) -> list[JSON]:
    client = session.clients.run_services()
    return session.gapic_list(
        client.list_services, {"parent": f"projects/{project_id}/locations/-"}, "services"
    )


def _revisions(session: Session, project_id: str) -> list[JSON]:
    client = session.clients.run_revisions()
    parent = f"projects/{project_id}/locations/-/services/-"
    return session.gapic_list(client.list_revisions, {"parent": parent}, "revisions")


RUN_SERVICES: Collection[list[JSON]] = Collection(
    name="run.services",
    title="Cloud Run services",
    service="run.googleapis.com",
    permission="run.services.list",
    role="roles/run.viewer",
    fetch=_services,
)

RUN_REVISIONS: Collection[list[JSON]] = Collection(
    name="run.revisions",
    title="Cloud Run revisions",
    service="run.googleapis.com",
    permission="run.revisions.list",
    role="roles/run.viewer",
    fetch=_revisions,
)
