"""Cloud Billing: a project's billing info, the world's billing accounts, and their budgets (by
project number, folder, organization or the whole account, with and without alerts)."""

from __future__ import annotations

import random

from ...collect import registry
from ...world import BILLING_ACCOUNT_KEY
from .draws import chance, chars, days_ago, digits, hex_digits, pick, uuid4
from .plan import JSON, ProjectPlan, WorldPlan


def billing_info(project: ProjectPlan) -> JSON:
    """The project's `ProjectBillingInfo`."""
    info: JSON = {
        "name": f"projects/{project.project_id}/billingInfo",
        "projectId": project.project_id,
    }
    if project.billing_account is not None:
        info["billingAccountName"] = f"billingAccounts/{project.billing_account}"
        info["billingEnabled"] = True
    return info


def billing_account_id(rng: random.Random) -> str:
    """A billing account ID: XXXXXX-XXXXXX-XXXXXX, in uppercase hexadecimal."""
    return "-".join(chars(rng, "0123456789ABCDEF", 6) for _ in range(3))


def _notifications(world: WorldPlan) -> JSON | None:
    """A budget's notificationsRule; None leaves the default IAM recipients notified."""
    rng = world.rng
    roll = rng.random()
    if roll < 0.35:
        return None
    if roll < 0.45:
        return {"disableDefaultIamRecipients": True}  # notifies nobody
    if roll < 0.55:  # the owners of the project, when the budget names exactly one
        return {"disableDefaultIamRecipients": True, "enableProjectLevelRecipients": True}
    channels = [c["name"] for p in world.projects for c in p.channels]
    if channels and roll < 0.8:
        return {
            "monitoringNotificationChannels": [pick(rng, channels)],
            "disableDefaultIamRecipients": chance(rng, 0.5),
        }
    owner = pick(rng, world.projects).project_id
    return {"pubsubTopic": f"projects/{owner}/topics/budget-alerts", "schemaVersion": "1.0"}


SERVICE_IDS = (  # Cloud Billing catalog service IDs: BigQuery, Cloud Run, Compute Engine
    "services/24E6-581D-38E5",
    "services/152E-C115-5142",
    "services/6F81-5844-456A",
)


def _period(world: WorldPlan) -> JSON:
    """A recurring calendar period, or now and then a custom period: one that has ended (the
    budget tracks nothing any more) or one still running."""
    rng = world.rng
    if not chance(rng, 0.1):
        return {"calendarPeriod": pick(rng, ("MONTH", "MONTH", "QUARTER"))}
    ended = chance(rng, 0.5)  # a launch of a past year, or one that runs to the end of next year
    start = (days_ago(rng, 400, 700) if ended else days_ago(rng, 30, 300)).date()
    begin = {"year": start.year, "month": start.month, "day": start.day}
    end = {"year": start.year + (0 if ended else 1), "month": 12, "day": 31}
    return {"customPeriod": {"startDate": begin, "endDate": end}}


def _budget(world: WorldPlan, account: str, display: str, flt: JSON) -> JSON:
    """A budget of `account` over what `flt` selects, with or without an amount, threshold
    rules and notifications."""
    rng = world.rng
    budget: JSON = {
        "name": f"billingAccounts/{account}/budgets/{uuid4(rng)}",
        "displayName": display,
        "budgetFilter": {**flt, "creditTypesTreatment": "INCLUDE_ALL_CREDITS", **_period(world)},
    }
    if chance(rng, 0.1):  # one service only: tracks part of the spend
        budget["budgetFilter"]["services"] = [pick(rng, SERVICE_IDS)]
    if chance(rng, 0.8):
        units = str(pick(rng, (200, 500, 1500, 5000, 20000)))
        budget["amount"] = {"specifiedAmount": {"currencyCode": world.currency, "units": units}}
    else:
        budget["amount"] = {"lastPeriodAmount": {}}
    if chance(rng, 0.8):
        percents = sorted(rng.sample((0.5, 0.75, 0.9, 1.0, 1.2), rng.randint(1, 3)))
        budget["thresholdRules"] = [
            {
                "thresholdPercent": p,
                "spendBasis": "FORECASTED_SPEND"
                if p >= 1.0 and chance(rng, 0.5)
                else "CURRENT_SPEND",
            }
            for p in percents
        ]
    rule = _notifications(world)
    if rule is not None:
        budget["notificationsRule"] = rule
    budget["etag"] = hex_digits(rng, 16)
    budget["ownershipScope"] = "ALL_USERS"
    return budget


def _budgets(world: WorldPlan, account: str) -> list[JSON]:
    """Budgets naming some projects by number (and a project that is gone), some folders,
    the organization, or the whole account."""
    rng = world.rng
    budgets: list[JSON] = []
    for project in world.projects:
        if project.billing_account == account and chance(rng, 0.45):
            flt = {"projects": [f"projects/{project.number}"]}
            budgets.append(_budget(world, account, f"{project.project_id} monthly", flt))
    if chance(rng, 0.2):
        flt = {"projects": [f"projects/{digits(rng, 12)}"]}  # a deleted project
        budgets.append(_budget(world, account, "old sandbox", flt))
    for role, folder in sorted(world.folder_for.items()):
        if chance(rng, 0.2):
            budgets.append(
                _budget(world, account, f"{role} folder", {"resourceAncestors": [folder]})
            )
    if chance(rng, 0.1):
        flt = {"resourceAncestors": [world.org]}
        budgets.append(_budget(world, account, "whole organization", flt))
    if chance(rng, 0.15):
        budgets.append(_budget(world, account, "everything", {}))
    rng.shuffle(budgets)
    return budgets


def billing_accounts(world: WorldPlan) -> JSON:
    """The world's billing accounts and their budgets, by account ID."""
    accounts: JSON = {}
    for i, account in enumerate(world.billing_accounts):
        accounts[account] = {
            BILLING_ACCOUNT_KEY: {
                "name": f"billingAccounts/{account}",
                "open": True,
                "displayName": f"{world.company.title()} {'main' if i == 0 else 'secondary'} billing account",
                "masterBillingAccount": "",
                "parent": world.org,
                "currencyCode": world.currency,
            },
            registry.ACCOUNT_BUDGETS.name: _budgets(world, account),
        }
    return accounts
