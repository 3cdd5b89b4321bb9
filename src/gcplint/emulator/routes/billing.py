"""Cloud Billing v1: testIamPermissions on billing accounts and a project's billing info;
Billing Budgets v1: the budgets of a billing account."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import BILLING
from ...world import JSON
from ..errors import permission_denied
from . import Call, granted_permissions, route

account_permissions = route(
    "POST /v1/billingAccounts/{account}:testIamPermissions", api=BILLING, permission=""
)(granted_permissions)


@route("GET /v1/projects/{project}/billingInfo", registry.BILLING_INFO)
def billing_info(call: Call) -> JSON:
    """The project's billing info (no billing account when the world gives none)."""
    assert call.project is not None
    default = {
        "name": f"projects/{call.project.project_id}/billingInfo",
        "projectId": call.project.project_id,
    }
    info: JSON = call.collection(registry.BILLING_INFO, default)
    return info


@route(
    "GET /v1/billingAccounts/{account}/budgets",
    registry.ACCOUNT_BUDGETS,
    key="billingAccounts/{account}",
)
def budgets(call: Call) -> JSON:
    """The budgets of a billing account of the world; an unknown account is denied."""
    account = call.world.billing_accounts.get(call.params["account"])
    if account is None:
        raise permission_denied("billing.budgets.list", f"billingAccounts/{call.params['account']}")
    return call.page(account.get(registry.ACCOUNT_BUDGETS.name, []), "budgets")
