"""Cloud Billing v1: testIamPermissions on billing accounts, a project's billing info, the
billing accounts the caller can list and the billing info of each one's projects; Billing Budgets
v1: the budgets of a billing account."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import BILLING
from ...world import BILLING_ACCOUNT_KEY, JSON
from ..errors import permission_denied
from . import Call, granted_permissions, route

LIST_ACCOUNTS = registry.BILLING_LISTING.permission  # billing.accounts.list
LIST_PROJECTS = registry.BILLING_LISTING.also[0].name  # billing.resourceAssociations.list

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


@route("GET /v1/billingAccounts", registry.BILLING_LISTING)
def billing_accounts(call: Call) -> JSON:
    """The world's billing accounts, minus those on which the caller is denied
    billing.accounts.list (Google lists only the accounts the caller may see: never a 403). An
    account the world gives no BillingAccount is an open one named after its ID."""
    found = [
        body.get(BILLING_ACCOUNT_KEY) or {"name": f"billingAccounts/{account}", "open": True}
        for account, body in sorted(call.world.billing_accounts.items())
        if not call.world.is_denied(f"billingAccounts/{account}", LIST_ACCOUNTS)
    ]
    return call.page(found, "billingAccounts")


@route(
    "GET /v1/billingAccounts/{account}/projects", registry.BILLING_LISTING, permission=LIST_PROJECTS
)
def account_projects(call: Call) -> JSON:
    """The billing info of the world's projects the account pays for, as getBillingInfo answers
    it for each; an unknown account is denied."""
    account = f"billingAccounts/{call.params['account']}"
    if call.params["account"] not in call.world.billing_accounts:
        raise permission_denied(LIST_PROJECTS, account)
    found = [
        info
        for _, entry in sorted(call.world.projects.items())
        if (info := entry.collections.get(registry.BILLING_INFO.name))
        and info.get("billingAccountName") == account
    ]
    return call.page(found, "projectBillingInfo")
