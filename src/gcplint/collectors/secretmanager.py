"""Secret Manager v1 (discovery): secrets, their versions and IAM policies. Payloads
(`versions:access`) are never read: metadata and version states are enough."""

from __future__ import annotations

from collections.abc import Mapping

from ..inventory import JSON, Collection, Permission, PerResource, Session
from ..resources import full_name
from ._common import per_resource_reads


def _secrets(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        secrets = session.clients.resource("secretmanager", "projects", "secrets")
        return secrets.list(parent=f"projects/{project_id}", pageSize=250, pageToken=token)

    return session.discovery_list(page, "secrets")


def _names(session: Session, project_id: str) -> list[str]:
    return [str(s.get("name", "")) for s in session.get(SECRETS, project_id)]


def _versions(session: Session, project_id: str) -> PerResource[list[JSON]]:
    def read(name: str) -> list[JSON]:
        def page(token: str | None) -> object:
            versions = session.clients.resource("secretmanager", "projects", "secrets", "versions")
            return versions.list(parent=name, pageSize=250, pageToken=token)

        return session.discovery_list(page, "versions")

    return per_resource_reads(
        session,
        "secretmanager.versions",
        _names(session, project_id),
        read,
        what="secret versions",
        noun="secret",
        permission="secretmanager.versions.list",
        role="roles/secretmanager.viewer",
        service="secretmanager.googleapis.com",
    )


def _policies(session: Session, project_id: str) -> PerResource[JSON]:
    def read(name: str) -> JSON:
        secrets = session.clients.resource("secretmanager", "projects", "secrets")
        return session.discovery_policy(
            secrets.getIamPolicy(resource=name, options_requestedPolicyVersion=3)
        )

    return per_resource_reads(
        session,
        "secretmanager.iamPolicies",
        _names(session, project_id),
        read,
        what="IAM policy",
        noun="secret",
        permission="secretmanager.secrets.getIamPolicy",
        role="roles/secretmanager.viewer",
        service="secretmanager.googleapis.com",
    )


def _secret_labels(project_id: str, secrets: list[JSON]) -> list[tuple[str, Mapping[str, str]]]:
    return [
        (
            full_name("secretmanager.googleapis.com", project_id, str(s.get("name", ""))),
            s.get("labels") or {},
        )
        for s in secrets
    ]


SECRETS: Collection[list[JSON]] = Collection(
    name="secretmanager.secrets",
    title="secrets",
    service="secretmanager.googleapis.com",
    permission="secretmanager.secrets.list",
    role="roles/secretmanager.viewer",
    fetch=_secrets,
    labels=_secret_labels,
)

SECRET_VERSIONS: Collection[PerResource[list[JSON]]] = Collection(
    name="secretmanager.versions",
    title="secret versions",
    service="secretmanager.googleapis.com",
    permission="secretmanager.versions.list",
    role="roles/secretmanager.viewer",
    fetch=_versions,
    also=(Permission("secretmanager.secrets.list"),),
)

SECRET_IAM: Collection[PerResource[JSON]] = Collection(
    name="secretmanager.iamPolicies",
    title="secret IAM policies",
    service="secretmanager.googleapis.com",
    permission="secretmanager.secrets.getIamPolicy",
    role="roles/secretmanager.viewer",
    fetch=_policies,
    also=(Permission("secretmanager.secrets.list"),),
)
