"""Cloud Billing v1 (discovery): a project's billing info; Billing Budgets v1 (GAPIC): budgets."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ApiFailure
from ..inventory import JSON, Collection, Permission, Session, Unreadable
from ..model import Reason


@dataclass(frozen=True)
class AccountBudgets:
    """The budgets of the billing account that pays for a project."""

    account: str  # "billingAccounts/XXXXXX-XXXXXX-XXXXXX"
    budgets: list[JSON]


def _billing_info(session: Session, project_id: str) -> JSON:
    billing = session.clients.resource("cloudbilling", "projects")
    return session.discovery_get(billing.getBillingInfo(name=f"projects/{project_id}"))


def _budgets(session: Session, project_id: str) -> AccountBudgets:
    info = session.get(BILLING_INFO, project_id)
    account = str(info.get("billingAccountName") or "")
    if not info.get("billingEnabled") or not account:
        raise Unreadable(
            "budgets",
            f"project {project_id}",
            Reason.BILLING_DISABLED,
            "the project has no active billing account, so it accrues no cost",
        )

    def fetch() -> list[JSON]:
        client = session.clients.budgets()
        return session.gapic_list(client.list_budgets, {"parent": account}, "budgets")

    def failed(failure: ApiFailure) -> Unreadable:
        return Unreadable(
            "budgets",
            f"billing account {account}",
            failure.reason,
            failure.message,
            permission=failure.permission or "billing.budgets.list",
            role="roles/billing.viewer",
            service="billingbudgets.googleapis.com",
        )

    try:  # one read per account, shared by its projects: each names itself in the failure
        budgets = session.memo("billingbudgets.budgets", account, fetch, failed, shared=True)
    except Unreadable as exc:
        exc.target = f"billing account {account} (pays for project {project_id})"
        raise
    return AccountBudgets(account, budgets)


def billing_granted(session: Session, account: str, permissions: list[str]) -> list[str]:
    """Which of `permissions` the caller holds on a billing account (testIamPermissions)."""
    accounts = session.clients.resource("cloudbilling", "billingAccounts")
    request = accounts.testIamPermissions(resource=account, body={"permissions": permissions})
    found = session.discovery_get(request).get("permissions", [])
    return [str(p) for p in found] if isinstance(found, list) else []


BILLING_INFO: Collection[JSON] = Collection(
    name="cloudbilling.billingInfo",
    title="billing info",
    service="cloudbilling.googleapis.com",
    permission="resourcemanager.projects.get",
    role="roles/browser",
    fetch=_billing_info,
)

BUDGETS: Collection[AccountBudgets] = Collection(
    name="billingbudgets.budgets",
    title="budgets",
    service="billingbudgets.googleapis.com",
    permission="billing.budgets.list",
    role="roles/billing.viewer",
    fetch=_budgets,
    permission_on="billing account",
    also=(Permission("resourcemanager.projects.get"),),
)
