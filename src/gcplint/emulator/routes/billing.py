"""Cloud Billing v1: testIamPermissions on billing accounts and a project's billing info;
Billing Budgets v1: the budgets of a billing account."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import BILLING, BUDGETS
from ...world import JSON
from ..errors import permission_denied
from . import Call, granted_permissions, route

account_permissions = route(
    BILLING,
    "POST",
    "/v1/billingAccounts/{account}:testIamPermissions",
    permission="",
    method_id="cloudbilling.billingAccounts.testIamPermissions",
)(granted_permissions)


@route(
    BILLING,
    "GET",
    "/v1/projects/{project}/billingInfo",
    permission="resourcemanager.projects.get",
    method_id="cloudbilling.projects.getBillingInfo",
    read=(registry.BILLING_INFO, "{project}"),
)
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
    BUDGETS,
    "GET",
    "/v1/billingAccounts/{account}/budgets",
    permission="billing.budgets.list",
    method_id="billingbudgets.billingAccounts.budgets.list",
    read=(registry.ACCOUNT_BUDGETS, "billingAccounts/{account}"),
)
def budgets(call: Call) -> JSON:
    """The budgets of a billing account of the world; an unknown account is denied."""
    account = call.world.billing_accounts.get(call.params["account"])
    if account is None:
        raise permission_denied("billing.budgets.list", f"billingAccounts/{call.params['account']}")
    return call.page(account.get(registry.ACCOUNT_BUDGETS.name, []), "budgets")
