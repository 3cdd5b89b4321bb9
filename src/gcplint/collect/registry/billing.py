"""Cloud Billing v1 (discovery): a project's billing info; Billing Budgets v1 (discovery): the
budgets of the billing account that pays for it, read once per account and shared by its projects.

A scan of many projects reads billing info account by account instead of project by project:
`billingAccounts.list`, then `billingAccounts.projects.list` of each account, once per run
(`BILLING_LISTING`). A project the listing does not name, or every project when it cannot be
read, is read on its own (`getBillingInfo`): absence from the listing never means "no billing"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ...model import Reason
from ..collection import JSON, Collection, Permission, Unreadable, declare
from ..failures import ApiCallError, ApiFailure
from ..schema import Fields
from ._read import listing, permissions_held

if TYPE_CHECKING:
    from ..session import Session


@dataclass(frozen=True)
class AccountBudgets:
    """The budgets of the billing account that pays for a project."""

    account: str  # "billingAccounts/XXXXXX-XXXXXX-XXXXXX"
    budgets: list[JSON]


LISTING_FROM = 4
# ^ from this many projects in scope, billing info comes from the account-level listing. It costs
#   billingAccounts.list plus one projects.list per visible account (2 or 3 calls for the usual
#   one or two accounts, a page per 100 projects), and a project billed by an account the caller
#   cannot see still costs its own getBillingInfo; up to 3 projects, one getBillingInfo each costs
#   no more, and never reads accounts' other projects.
ALL_ACCOUNTS = "billingAccounts/-"  # the key of the listing: every account the caller can see

_accounts = listing("cloudbilling.billingAccounts")
_account_projects = listing(
    "cloudbilling.billingAccounts.projects", "projectBillingInfo", name="{key}"
)


def _listed(session: Session, _: str) -> dict[str, JSON]:
    """Project ID -> ProjectBillingInfo, from the projects of every billing account the caller
    can list. An account whose projects cannot be read (denied, quota, malformed) adds none, so
    its projects are read one by one; nothing here is ever a reason for "billing disabled"."""
    names = (str(a.get("name") or "") for a in _accounts(session, ALL_ACCOUNTS))
    accounts = [a for a in dict.fromkeys(names) if a.startswith("billingAccounts/")]
    if len(accounts) >= session.scope_size:  # a listing per account would cost more: per project
        return {}
    index: dict[str, JSON] = {}
    seen: set[str] = set()
    for listed in session.fan_out(lambda a: _projects_of(session, a), accounts).values():
        for project_id, info in ({} if isinstance(listed, Unreadable) else listed).items():
            if project_id in seen:  # listed twice (it moved during the listing): ask it
                index.pop(project_id, None)
            else:
                index[project_id] = info
            seen.add(project_id)
    return index


def _projects_of(session: Session, account: str) -> dict[str, JSON]:
    """Project ID -> ProjectBillingInfo of one account's projects; raises Unreadable when the
    listing fails or any of its items is malformed (then none of it is trusted)."""
    try:
        items = _account_projects(session, account)
    except ApiCallError as exc:
        raise BILLING_LISTING.unreadable(exc.failure, account) from None
    found: dict[str, JSON] = {}
    for item in items:
        project_id = str(item.get("projectId") or "")
        BILLING_INFO.checked(dict(item), project_id)  # typed as getBillingInfo's answer is
        # (a copy: the session checks the project's read again when it takes it from here)
        if not project_id or item.get("billingAccountName") != account:
            failure = ApiFailure(Reason.ERROR, f"malformed response: a project of {account}")
            raise BILLING_LISTING.unreadable(failure, account)
        found[project_id] = item
    return found


def _billing_info(session: Session, project_id: str) -> JSON:
    if session.scope_size >= LISTING_FROM:
        try:
            listed = session.read(BILLING_LISTING, ALL_ACCOUNTS).get(project_id)
        except Unreadable:  # billingAccounts.list failed: every project is read on its own
            listed = None
        if listed is not None:
            return listed
    api = session.api
    billing = api.clients.resource("cloudbilling", "projects")
    return api.discovery_get(billing.getBillingInfo(name=f"projects/{project_id}"))


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
    return permissions_held(session, "cloudbilling.billingAccounts", account, permissions)


BILLING_INFO: Collection[JSON] = declare(
    "cloudbilling.billingInfo: billing info, resourcemanager.projects.get (roles/browser)",
    read=_billing_info,
    fields=Fields.of("ProjectBillingInfo", "billingAccountName", "billingEnabled"),
)

BILLING_LISTING: Collection[dict[str, JSON]] = declare(
    "cloudbilling.accountProjects: billing info of the projects of every visible billing account,"
    " billing.accounts.list (roles/billing.viewer)",
    read=_listed,
    keyed_by="billing account",  # read once per run, kept for every project (never released)
    permission_on="billing account",
    also=(
        Permission("billing.resourceAssociations.list", "billing account", "roles/billing.viewer"),
    ),
    stored=False,  # a snapshot keeps each project's billing info (BILLING_INFO)
)
# ^ optional: without its permissions BILLING_INFO is read per project, so no check `needs` it

ACCOUNT_BUDGETS: Collection[list[JSON]] = declare(
    "billingbudgets.budgets: budgets, billing.budgets.list (roles/billing.viewer)",
    read=listing("billingbudgets.billingAccounts.budgets", parent="{key}"),  # the API's page size
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
