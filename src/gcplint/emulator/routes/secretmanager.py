"""Secret Manager v1: a project's secrets, their versions and IAM policies."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import SECRET_MANAGER
from ...world import JSON
from . import Call, route
from ._names import by_suffix, existing, policy_by_suffix


@route(
    SECRET_MANAGER,
    "GET",
    "/v1/projects/{project}/secrets",
    permission="secretmanager.secrets.list",
    method_id="secretmanager.projects.secrets.list",
    read=(registry.SECRETS, "{project}"),
)
def secrets(call: Call) -> JSON:
    return call.page(call.collection(registry.SECRETS, []), "secrets")


@route(
    SECRET_MANAGER,
    "GET",
    "/v1/projects/{project}/secrets/{secret}/versions",
    permission="secretmanager.versions.list",
    method_id="secretmanager.projects.secrets.versions.list",
    read=(registry.SECRET_VERSIONS, "projects/{project}/secrets/{secret}"),
)
def versions(call: Call) -> JSON:
    found = by_suffix(call.collection(registry.SECRET_VERSIONS, {}), _secret(call)) or []
    return call.page(found, "versions")


@route(
    SECRET_MANAGER,
    "GET",
    "/v1/projects/{project}/secrets/{secret}:getIamPolicy",
    permission="secretmanager.secrets.getIamPolicy",
    method_id="secretmanager.projects.secrets.getIamPolicy",
    read=(registry.SECRET_IAM, "projects/{project}/secrets/{secret}"),
)
def secret_iam_policy(call: Call) -> JSON:
    return policy_by_suffix(call.collection(registry.SECRET_IAM, {}), _secret(call))


def _secret(call: Call) -> str:
    """The name suffix of the addressed secret (`/secrets/s`), or a 404."""
    project, secret = call.params["project"], call.params["secret"]
    return existing(
        call.collection(registry.SECRETS, []),
        f"/secrets/{secret}",
        f"Secret [projects/{project}/secrets/{secret}] not found.",
    )
