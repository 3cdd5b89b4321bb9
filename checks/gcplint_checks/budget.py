"""Budgets and alerting: spend is tracked and someone hears about it."""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from gcplint.api import (
    AccountBudgets,
    Area,
    Inventory,
    Outcome,
    ProjectInfo,
    Severity,
    check,
    failed,
    passed,
    registry,
)

from ._resources import last_segment, titled
from ._shell import sh


def budget_label(budget: Mapping[str, Any]) -> str:
    """'Display name' (billingAccounts/X/budgets/Y)."""
    return titled(budget, budget.get("name", "?"))


def create_budget(found: AccountBudgets, project_id: str, thresholds: str) -> str:
    """The gcloud command that creates a monthly budget for one project, with `thresholds`."""
    return (
        f"gcloud billing budgets create --billing-account={sh(last_segment(found.account))} "
        f"--display-name={sh(project_id + ' monthly')} --budget-amount=AMOUNT "
        f"--filter-projects={sh('projects/' + project_id)} {thresholds}"
        "  (AMOUNT: the monthly spend you expect, e.g. 1000USD)"
    )


Covering = list[tuple[Mapping[str, Any], str]]


@dataclass(frozen=True)
class Coverage:
    """The budgets whose scope takes in the project: those that track all of its spend, each
    with how it covers the project, and those that track only part of it or nothing any more,
    each with why (`limits`)."""

    budgets: Covering
    partial: Covering

    def excuses(self) -> str:
        """'budget X covers only services …; budget Y ended on …', for a failure message."""
        return "; ".join(f"budget {budget_label(b)} {why}" for b, why in self.partial)


def covering(
    inv: Inventory,
    project: ProjectInfo,
    found: AccountBudgets,
    enough: Callable[[Covering], bool] = bool,
) -> Coverage:
    """Budgets of the project's billing account that cover it, each with how (and those whose
    scope takes it in but that track only part of its spend, each with why).

    A budget's scope takes in the project when its filter names the project (by number, as the
    API stores it), when it has no project and no ancestor filter (the whole account), or when
    its `resourceAncestors` holds a folder or the organization above the project. It covers the
    project when, besides, `limits` finds nothing. The ancestry is read only when the budgets
    found without it are not `enough`.
    """
    names = {f"projects/{project.number}", f"projects/{project.project_id}"}
    today = inv.now.date()
    cover = Coverage([], [])

    def sort(budget: Mapping[str, Any], how: str) -> None:
        why = limits(budget, found.account, today)
        (cover.partial if why else cover.budgets).append((budget, why or how))

    by_ancestor: list[Mapping[str, Any]] = []
    for budget in found.budgets:
        flt = budget.get("budgetFilter") or {}
        projects = set(flt.get("projects") or [])
        ancestors = flt.get("resourceAncestors") or []
        if projects & names:
            sort(budget, "names the project")
        elif not projects and not ancestors:
            sort(budget, "covers the whole billing account")
        elif ancestors:
            by_ancestor.append(budget)
    if enough(cover.budgets) or not by_ancestor:
        return cover
    above = set(inv.get(registry.ANCESTRY))
    for above_budget in by_ancestor:
        hit = above & set(above_budget["budgetFilter"]["resourceAncestors"])
        if hit:
            sort(above_budget, f"covers {', '.join(sorted(hit))}")
    return cover


def limits(budget: Mapping[str, Any], account: str, today: date) -> str | None:
    """Why the budget tracks only part of the spend in its scope, or none of it any more: a
    `services`, `labels` or `subaccounts` filter (a subaccounts filter that names the paying
    account itself still tracks its projects), a `customPeriod` that has ended or not begun.
    None when it tracks all of it (`calendarPeriod` and `creditTypesTreatment` change how spend
    is counted and over which period, not whose spend is tracked)."""
    flt = budget.get("budgetFilter") or {}
    why = []
    if services := flt.get("services"):
        why.append(f"covers only services {', '.join(map(str, services))}")
    if labels := flt.get("labels"):
        shown = ", ".join(f"{k}={'|'.join(map(str, v or []))}" for k, v in sorted(labels.items()))
        why.append(f"covers only resources labelled {shown}")
    subaccounts = flt.get("subaccounts") or []
    if subaccounts and account not in subaccounts:
        why.append(f"covers only subaccounts {', '.join(map(str, subaccounts))}")
    period = flt.get("customPeriod") or {}
    end = _day(period.get("endDate"), last=True)
    if end is not None and end < today:
        why.append(f"ended on {end.isoformat()}")
    start = _day(period.get("startDate"), last=False)
    if start is not None and start > today:
        why.append(f"starts on {start.isoformat()}")
    return " and ".join(why) or None


def _day(value: Mapping[str, Any] | None, last: bool) -> date | None:
    """A `google.type.Date` as a day: a month or year without a day is its last day (`last`) or
    its first. None when there is no year (or the date is not one)."""
    value = value or {}
    year, month, day = (int(value.get(k) or 0) for k in ("year", "month", "day"))
    if not year:
        return None
    month = month or (12 if last else 1)
    try:
        return date(year, month, day or (monthrange(year, month)[1] if last else 1))
    except ValueError:
        return None


def alerts(budget: Mapping[str, Any]) -> bool:
    """The budget has a threshold rule and notifies someone."""
    return bool(budget.get("thresholdRules")) and notifies(budget)


def notifies(budget: Mapping[str, Any]) -> bool:
    """Someone hears about it: default recipients, a Pub/Sub topic, monitoring channels, or the
    owners of the one project the budget names (`enableProjectLevelRecipients`, which Google
    ignores unless `budgetFilter.projects` holds exactly one project)."""
    rule = budget.get("notificationsRule") or {}
    if rule.get("pubsubTopic") or rule.get("monitoringNotificationChannels"):
        return True
    projects = (budget.get("budgetFilter") or {}).get("projects") or []
    if rule.get("enableProjectLevelRecipients") is True and len(projects) == 1:
        return True
    return rule.get("disableDefaultIamRecipients") is not True


@check(
    id="budget.missing",
    waf=("cost-optimization",),
    title="A budget covers the project",
    severity=Severity.HIGH,
    area=Area.BUDGET,
    requires=[registry.PROJECT, registry.BUDGETS, registry.ANCESTRY],
)
def budget_missing(inv: Inventory) -> Iterator[Outcome]:
    """No Cloud Billing budget covers the project.

    Budgets live on the billing account that pays for the project. A budget covers the project
    when it names the project (`budgetFilter.projects`, which holds project numbers), when it
    filters on a folder or organization above the project (`budgetFilter.resourceAncestors`), or
    when it has neither filter and so tracks the whole account. A budget that tracks only part of
    the project's spend does not cover it, and the failure says why: one filtered on `services`
    (a BigQuery-only budget does not see Cloud Run), on `labels`, or on `subaccounts` that leave
    out the paying account, and one whose `customPeriod` has ended (`endDate` before the scan's
    day; Google no longer processes it) or has not begun. `calendarPeriod` and
    `creditTypesTreatment` do not matter: they change the period and whether credits are
    subtracted, not whose spend is tracked. Budgets that cannot be read give unknown (which
    permission, on which billing account); a project without billing is not applicable.

    ## Why it matters
    A runaway autoscaler, a retry storm or a leaked key mining crypto shows up first on the bill.
    Without a budget nobody is told until the invoice arrives; with one, threshold alerts reach
    the team within hours.

    ## Example
    Billing account 01A2B3-… has one budget filtered to `projects/1002` (staging). Project
    acme-prod (number 1001) is not covered and fails. A budget naming `projects/1001` with
    `services: ["services/24E6-581D-38E5"]` (BigQuery) fails too: "budget … covers only services
    services/24E6-581D-38E5".

    ## Remediation
    `gcloud billing budgets create --billing-account=ACCOUNT_ID --display-name="PROJECT_ID monthly"
    --budget-amount=AMOUNT --filter-projects=projects/PROJECT_ID --threshold-rule=percent=0.5
    --threshold-rule=percent=0.9 --threshold-rule=percent=1.0,basis=forecasted-spend`, where
    AMOUNT is the monthly spend you expect (e.g. `1000USD`), which only you know.

    ## References
    - https://cloud.google.com/billing/docs/how-to/budgets
    - https://cloud.google.com/billing/docs/reference/budget/rest/v1/billingAccounts.budgets
    """
    project = inv.project()
    found = inv.get(registry.BUDGETS)
    cover = covering(inv, project, found)
    matches = cover.budgets
    if matches:
        budget, how = matches[0]
        more = f" (and {len(matches) - 1} more)" if len(matches) > 1 else ""
        yield passed(
            inv.resource,
            f"Project {project.project_id} is covered by budget {budget_label(budget)}, which {how}{more}.",
        )
        return
    yield failed(
        inv.resource,
        f"No budget on {found.account} covers all of project {project.project_id}'s spend: "
        f"{cover.excuses()}."
        if cover.partial
        else f"No budget on {found.account} covers project {project.project_id} "
        f"({len(found.budgets)} budget(s) on the account, none for this project).",
        remediation=create_budget(
            found,
            project.project_id,
            "--threshold-rule=percent=0.5 --threshold-rule=percent=0.9 "
            "--threshold-rule=percent=1.0,basis=forecasted-spend",
        ),
    )


@check(
    id="budget.no-alert",
    waf=("cost-optimization",),
    title="A budget covering the project alerts someone",
    severity=Severity.MEDIUM,
    area=Area.BUDGET,
    requires=[registry.PROJECT, registry.BUDGETS, registry.ANCESTRY],
)
def budget_no_alert(inv: Inventory) -> Iterator[Outcome]:
    """No budget covering the project both has a threshold rule and notifies someone.

    A budget alerts only when `thresholdRules` holds at least one rule; it notifies nobody when
    `notificationsRule.disableDefaultIamRecipients` is true, neither `pubsubTopic` nor
    `monitoringNotificationChannels` is set, and `enableProjectLevelRecipients` does not apply
    (it emails the owners of the project only when `budgetFilter.projects` names exactly one
    project; Google ignores it otherwise). Coverage is judged as in `budget.missing`, so a budget
    filtered on services, labels or subaccounts, or whose custom period has ended, does not count
    (a project no budget covers fails here too: nothing will warn about its spend).

    ## Why it matters
    A budget without thresholds, or whose alerts go nowhere, looks reassuring in the console and
    tells nobody anything when spend runs away.

    ## Example
    The acme-dev budget has thresholds but `disableDefaultIamRecipients: true` and no channel or
    topic: fails.

    ## Remediation
    Give the covering budget what it lacks, a threshold rule
    (`gcloud billing budgets update BUDGET_ID --billing-account=ACCOUNT_ID --add-threshold-rule=percent=0.9`)
    and a recipient (`--notifications-rule-monitoring-notification-channels=projects/PROJECT_ID/notificationChannels/CHANNEL_ID`);
    gcplint's remediation names the budget and its billing account. A project no budget covers
    gets `gcloud billing budgets create` as in `budget.missing`.

    ## References
    - https://cloud.google.com/billing/docs/how-to/budgets-notification-recipients
    - https://cloud.google.com/billing/docs/how-to/budgets-programmatic-notifications
    """
    project = inv.project()
    found = inv.get(registry.BUDGETS)
    cover = covering(inv, project, found, lambda budgets: any(alerts(b) for b, _ in budgets))
    matches = cover.budgets
    for budget, _ in matches:
        if alerts(budget):
            yield passed(
                inv.resource,
                f"Budget {budget_label(budget)} covers project {project.project_id}, has thresholds and notifies someone.",
            )
            return
    partial = f" ({cover.excuses()})" if cover.partial else ""
    if not matches:
        message = (
            f"No budget covers all of project {project.project_id}'s spend, so nobody is alerted about it{partial}."
            if cover.partial
            else f"No budget covers project {project.project_id}, so nobody is alerted about its spend."
        )
    else:
        why = "; ".join(
            f"{budget_label(b)} "
            + ("has no threshold rule" if not b.get("thresholdRules") else "notifies nobody")
            for b, _ in matches
        )
        message = f"No budget covering project {project.project_id} alerts anyone: {why}{partial}."
    yield failed(
        inv.resource,
        message,
        remediation=(
            update_budget(matches[0][0], found, project.project_id)
            if matches
            else create_budget(found, project.project_id, "--threshold-rule=percent=0.9")
        ),
    )


def update_budget(budget: Mapping[str, Any], found: AccountBudgets, project_id: str) -> str:
    """The gcloud command that makes `budget` alert: a threshold rule if it has none, a
    monitoring channel of the project if it notifies nobody (CHANNEL_ID: which channel the team
    watches is not something gcplint reads)."""
    parts = str(budget.get("name", "")).split("/")  # billingAccounts/A/budgets/B
    account = parts[1] if len(parts) == 4 else last_segment(found.account)
    fixes = []
    if not budget.get("thresholdRules"):
        fixes.append("--add-threshold-rule=percent=0.9")
    if not notifies(budget):
        fixes.append(
            "--notifications-rule-monitoring-notification-channels="
            f"projects/{sh(project_id)}/notificationChannels/CHANNEL_ID"
        )
    command = f"gcloud billing budgets update {sh(parts[-1])} --billing-account={sh(account)} {' '.join(fixes)}"
    if notifies(budget):
        return command
    return command + "  (CHANNEL_ID: a notification channel of the project that the team watches)"
