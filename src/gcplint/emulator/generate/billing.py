"""Cloud Billing: a project's billing info, the world's billing accounts, and their budgets (by
project number, folder, organization or the whole account, with and without alerts)."""

from __future__ import annotations

import random

from ...collect import registry
from ...world import BILLING_ACCOUNT_KEY
from .draws import chance, chars, digits, hex_digits, pick, uuid4
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
    if roll < 0.55:
        return {"disableDefaultIamRecipients": True}  # notifies nobody
    channels = [c["name"] for p in world.projects for c in p.channels]
    if channels and roll < 0.8:
        return {
            "monitoringNotificationChannels": [pick(rng, channels)],
            "disableDefaultIamRecipients": chance(rng, 0.5),
        }
    owner = pick(rng, world.projects).project_id
    return {"pubsubTopic": f"projects/{owner}/topics/budget-alerts", "schemaVersion": "1.0"}


def _budget(world: WorldPlan, account: str, display: str, flt: JSON) -> JSON:
    """A budget of `account` over what `flt` selects, with or without an amount, threshold
    rules and notifications."""
    rng = world.rng
    budget: JSON = {
        "name": f"billingAccounts/{account}/budgets/{uuid4(rng)}",
        "displayName": display,
        "budgetFilter": {
            **flt,
            "creditTypesTreatment": "INCLUDE_ALL_CREDITS",
            "calendarPeriod": pick(rng, ("MONTH", "MONTH", "QUARTER")),
        },
    }
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
