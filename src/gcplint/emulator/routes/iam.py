"""IAM v1: a project's service accounts (list, get) and their keys."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import IAM
from ...world import JSON
from ..errors import not_found
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
