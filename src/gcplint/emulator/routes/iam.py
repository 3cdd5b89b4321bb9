"""IAM v1: a project's service accounts (list, get) and their keys; the custom roles of a project
and of an organization."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import IAM
from ...world import JSON
from ..errors import not_found, permission_denied
from . import Call, listing, route

service_accounts = listing(
    "GET /v1/projects/{project}/serviceAccounts", registry.SERVICE_ACCOUNTS, "accounts"
)


@route(
    "GET /v1/projects/{project}/serviceAccounts/{account}",
    api=IAM,
    permission="iam.serviceAccounts.get",
)
def service_account(call: Call) -> JSON:
    """One service account of the project, by email or unique ID."""
    email = call.params["account"]
    for account in call.collection(registry.SERVICE_ACCOUNTS, []):
        if email in (account.get("email"), account.get("uniqueId")):
            return dict(account)
    raise not_found(f"Unknown service account: {email}")


@route(
    "GET /v1/projects/{project}/serviceAccounts/{account}/keys",
    registry.SERVICE_ACCOUNT_KEYS,
    key="{account}",
)
def service_account_keys(call: Call) -> JSON:
    """The keys of a service account, of the asked `keyTypes` if any."""
    email = call.params["account"]
    keys: list[JSON] = call.collection(registry.SERVICE_ACCOUNT_KEYS, {}).get(email, [])
    types = set(call.query.get("keyTypes", []))
    if types:
        keys = [k for k in keys if k.get("keyType") in types]
    return {"keys": keys} if keys else {}


def _roles(call: Call, roles: list[JSON]) -> JSON:
    """A page of custom roles; `includedPermissions` only with `view=FULL` (the default view,
    BASIC, omits it)."""
    if call.arg("view") != "FULL":
        roles = [{k: v for k, v in role.items() if k != "includedPermissions"} for role in roles]
    return call.page(roles, "roles")


@route("GET /v1/projects/{project}/roles", registry.PROJECT_ROLES)
def project_roles(call: Call) -> JSON:
    """The project's custom roles."""
    return _roles(call, call.collection(registry.PROJECT_ROLES, []))


@route(
    "GET /v1/organizations/{organization}/roles",
    registry.ORGANIZATION_ROLES,
    key="organizations/{organization}",
)
def organization_roles(call: Call) -> JSON:
    """The custom roles of an organization of the world (under its `resources`, as a snapshot
    holds them); one it does not have is denied."""
    name = f"organizations/{call.params['organization']}"
    known = {str(o["name"]) for o in call.world.organizations} | set(call.world.resources)
    if name not in known:
        raise permission_denied("iam.roles.list", name)
    found: list[JSON] = call.world.resources.get(name, {}).get(registry.ORGANIZATION_ROLES.name, [])
    return _roles(call, found)
