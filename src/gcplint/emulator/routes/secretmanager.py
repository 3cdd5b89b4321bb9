"""Secret Manager v1: a project's secrets, their versions and IAM policies."""

from __future__ import annotations

from ...collect import registry
from ...world import JSON
from . import Call, listing, route
from ._names import by_suffix, existing, policy_by_suffix

SECRET = "projects/{project}/secrets/{secret}"  # the key of per-secret reads

secrets = listing("GET /v1/projects/{project}/secrets", registry.SECRETS, "secrets")


@route(
    "GET /v1/projects/{project}/secrets/{secret}/versions",
    registry.SECRET_VERSIONS,
    key=SECRET,
)
def versions(call: Call) -> JSON:
    found = by_suffix(call.collection(registry.SECRET_VERSIONS, {}), _secret(call)) or []
    return call.page(found, "versions")


@route("GET /v1/projects/{project}/secrets/{secret}:getIamPolicy", registry.SECRET_IAM, key=SECRET)
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
