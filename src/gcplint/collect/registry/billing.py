"""Cloud Billing v1 (discovery): a project's billing info; Billing Budgets v1 (GAPIC): the budgets
of the billing account that pays for it, read once per account and shared by its projects."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...model import Reason
from ..collection import JSON, Collection, Unreadable, declare
from ..schema import Fields

if TYPE_CHECKING:
    from ..session import Session


@dataclass(frozen=True)
class AccountBudgets:
    """The budgets of the billing account that pays for a project."""

    account: str  # "billingAccounts/XXXXXX-XXXXXX-XXXXXX"
    budgets: list[JSON]


def _billing_info(session: Session, project_id: str) -> JSON:
    api = session.api
    billing = api.clients.resource("cloudbilling", "projects")
    return api.discovery_get(billing.getBillingInfo(name=f"projects/{project_id}"))


def _account_budgets(session: Session, account: str) -> list[JSON]:
    api = session.api
    return api.gapic_list(api.clients.budgets().list_budgets, {"parent": account}, "budgets")


def _budgets(session: Session, project_id: str) -> AccountBudgets:
    info = session.read(BILLING_INFO, project_id)
    account = str(info.get("billingAccountName") or "")
    if not info.get("billingEnabled") or not account:
        raise Unreadable(
            "budgets",
            f"project {project_id}",
            Reason.BILLING_DISABLED,
            "the project has no active billing account, so it accrues no cost",
        )
    try:  # one read per account, shared by its projects: each names itself in the failure
        budgets = session.read(ACCOUNT_BUDGETS, account)
    except Unreadable as exc:
        exc.target = f"billing account {account} (pays for project {project_id})"
        raise
    return AccountBudgets(account, budgets)


def billing_granted(session: Session, account: str, permissions: list[str]) -> list[str]:
    """Which of `permissions` the caller holds on a billing account (testIamPermissions)."""
    api = session.api
    accounts = api.clients.resource("cloudbilling", "billingAccounts")
    request = accounts.testIamPermissions(resource=account, body={"permissions": permissions})
    found = api.discovery_get(request).get("permissions", [])
    return [str(p) for p in found] if isinstance(found, list) else []


BILLING_INFO: Collection[JSON] = declare(
    "cloudbilling.billingInfo: billing info, resourcemanager.projects.get (roles/browser)",
    read=_billing_info,
    fields=Fields.of("ProjectBillingInfo", "billingAccountName", "billingEnabled"),
)

ACCOUNT_BUDGETS: Collection[list[JSON]] = declare(
    "billingbudgets.budgets: budgets, billing.budgets.list (roles/billing.viewer)",
    read=_account_budgets,
    keyed_by="billing account",
    permission_on="billing account",
    fields=Fields.of(
        "GoogleCloudBillingBudgetsV1Budget",
        "name",
        "displayName",
        "budgetFilter.projects",
        "budgetFilter.resourceAncestors",
        "budgetFilter.services",
        "budgetFilter.labels",
        "budgetFilter.subaccounts",
        "budgetFilter.customPeriod.startDate.year",
        "budgetFilter.customPeriod.startDate.month",
        "budgetFilter.customPeriod.startDate.day",
        "budgetFilter.customPeriod.endDate.year",
        "budgetFilter.customPeriod.endDate.month",
        "budgetFilter.customPeriod.endDate.day",
        "notificationsRule.disableDefaultIamRecipients",
        "notificationsRule.enableProjectLevelRecipients",
        "notificationsRule.monitoringNotificationChannels",
        "notificationsRule.pubsubTopic",
        "thresholdRules[].thresholdPercent",
        listed="budgets",
        version="v1",
    ),
)

BUDGETS: Collection[AccountBudgets] = declare(
    "billingbudgets.projectBudgets: budgets, billing.budgets.list (roles/billing.viewer)",
    read=_budgets,
    permission_on="billing account",
    needs=(BILLING_INFO, ACCOUNT_BUDGETS),
    stored=False,
)
