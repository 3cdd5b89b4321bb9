"""Logging: who read production data can be answered, and application logs are kept."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Severity,
    Unreadable,
    check,
    failed,
    passed,
    registry,
    unknown,
)

from ._outcomes import unknown_anyway
from ._shell import sh

NEEDED = ("DATA_READ", "DATA_WRITE")
ANCESTOR_POLICIES = {
    "folders": registry.FOLDER_IAM_POLICY,
    "organizations": registry.ORGANIZATION_IAM_POLICY,
}
# ^ the IAM policy (audit configs) of a folder or an organization, by the first segment of its name
ANCESTOR_SINKS = {"folders": registry.FOLDER_SINKS, "organizations": registry.ORGANIZATION_SINKS}
# ^ the sinks of a folder or an organization, by the first segment of its name


@check(
    id="logging.data-access-off",
    cis=("2.1",),
    waf=("security",),
    title="Data Access audit logs are on for all services",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.PROJECT_IAM_POLICY, registry.ANCESTRY, *ANCESTOR_POLICIES.values()],
    security=True,
)
def data_access_off(inv: Inventory) -> Iterator[Outcome]:
    """Neither the project IAM policy's `auditConfigs` nor those of the folders above it and its
    organization enable DATA_READ and DATA_WRITE for `allServices`.

    Audit configs are inherited and cannot be turned off below: the project's effective
    configuration is the union of its own and its ancestors' (a log type enabled on the
    organization or a folder is on in every project under it). So DATA_READ may come from the
    organization and DATA_WRITE from the project. A config for one service
    (`storage.googleapis.com`), at any level, does not count for all services. The folders and
    organization are read only when the project's own configs are not enough; when the audit
    configs of an ancestor (or the ancestry itself) cannot be read and the readable levels do not
    enable both types, the result is unknown, not a failure. Exempted members
    (`exemptedMembers`, a union across the levels read) are named in the result: their reads
    stay unlogged.

    ## Why it matters
    Admin Activity logs record who changed configuration; only Data Access logs record who read
    or wrote the data. Without them, after an incident "which identity read the customer table or
    downloaded the export?" has no answer.

    ## Example
    A policy whose only audit config enables DATA_READ for `storage.googleapis.com`, under
    folders and an organization with no audit configs: fails. The same project under an
    organization whose policy enables DATA_READ and DATA_WRITE for `allServices`: passes.

    ## Remediation
    Add to the project policy (`gcloud projects get-iam-policy PROJECT_ID --format=json > p.json`,
    edit, `gcloud projects set-iam-policy PROJECT_ID p.json`), or once to the organization's or a
    folder's policy for every project below:
    `"auditConfigs": [{"service": "allServices", "auditLogConfigs": [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}]}]`.

    ## References
    - https://cloud.google.com/logging/docs/audit/configure-data-access
    """
    configs: list[Mapping[str, Any]] = (
        inv.get(registry.PROJECT_IAM_POLICY).get("auditConfigs") or []
    )
    found = _AuditLogs()
    found.add("the project", configs)
    unread: list[Unreadable] = []
    if found.missing():
        try:
            ancestors = inv.get(registry.ANCESTRY)
        except Unreadable as exc:
            unread.append(exc)
            ancestors = []
        for ancestor in ancestors:
            collection = ANCESTOR_POLICIES[ancestor.partition("/")[0]]
            try:
                policy = inv.get(collection, ancestor)
            except Unreadable as exc:
                unread.append(exc)
                continue
            found.add(ancestor, policy.get("auditConfigs") or [])
    missing = found.missing()
    if not missing:
        exempt = sorted(found.exempted)
        note = f"; exempted: {', '.join(exempt)}" if exempt else ""
        if unread:
            note += f" (members exempted where the audit configs could not be read are not listed: {'; '.join(e.describe() for e in unread)})"
        yield passed(
            inv.resource,
            f"Project {inv.project_id} logs DATA_READ and DATA_WRITE for all services "
            f"({found.origins()}){note}.",
        )
        return
    if unread:
        yield unknown(
            inv.resource,
            unread[0].reason,
            f"Project {inv.project_id} does not log {' and '.join(missing)} for allServices itself, "
            f"and whether a folder above it or its organization does is unknown: "
            f"{'; '.join(e.describe() for e in unread)}.",
            remediation=unread[0].hint(),
        )
        return
    others = sorted({str(c.get("service")) for c in configs if c.get("service") != "allServices"})
    context = f" (audit configs exist only for {', '.join(others)})" if others else ""
    above = (
        f", nor do its folders and organization ({', '.join(found.levels[1:])})"
        if len(found.levels) > 1
        else ""
    )
    yield failed(
        inv.resource,
        f"Project {inv.project_id} does not log {' and '.join(missing)} for allServices{context}{above}.",
        remediation=(
            f"gcloud projects get-iam-policy {sh(inv.project_id)} --format=json > policy.json; add "
            '{"service": "allServices", "auditLogConfigs": [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}]} '
            f"to auditConfigs; gcloud projects set-iam-policy {sh(inv.project_id)} policy.json"
        ),
    )


class _AuditLogs:
    """The `allServices` Data Access log types enabled across the levels read (project,
    folders, organization): where each is enabled, and the members exempted from them."""

    def __init__(self) -> None:
        self.levels: list[str] = []
        self.enabled: dict[str, list[str]] = {}  # log type -> the levels enabling it
        self.exempted: set[str] = set()

    def add(self, level: str, configs: list[Mapping[str, Any]]) -> None:
        """One level's audit configs."""
        self.levels.append(level)
        for config in configs:
            if config.get("service") != "allServices":
                continue
            for log in config.get("auditLogConfigs") or []:
                kind = str(log.get("logType"))
                if kind in NEEDED:
                    self.enabled.setdefault(kind, []).append(level)
                    self.exempted.update(str(m) for m in log.get("exemptedMembers") or [])

    def missing(self) -> list[str]:
        """The needed log types no level read enables."""
        return [t for t in NEEDED if t not in self.enabled]

    def origins(self) -> str:
        """Where each needed log type is enabled: 'DATA_READ on the project, organizations/9; …'."""
        return "; ".join(f"{t} on {', '.join(dict.fromkeys(self.enabled[t]))}" for t in NEEDED)


@check(
    id="logging.default-sink-disabled",
    waf=("operational-excellence",),
    title="Application logs are stored (_Default sink, or an aggregated sink above)",
    severity=Severity.MEDIUM,
    area=Area.RELIABILITY,
    requires=[registry.PROJECT_SINKS, registry.ANCESTRY, *ANCESTOR_SINKS.values()],
)
def default_sink_disabled(inv: Inventory) -> Iterator[Outcome]:
    """The project's `_Default` sink is missing or `disabled`, so its application logs are
    stored nowhere, and no folder above it nor its organization has an enabled aggregated sink
    (`includeChildren: true`) that keeps them centrally.

    The folders and organization are read only when the `_Default` sink is missing or disabled.
    An aggregated sink counts whatever its filter and destination (the result names them). When
    the sinks of an ancestor cannot be read and no other ancestor has such a sink, the result is
    unknown, not a failure; so it is when the Cloud Logging API is disabled (sinks exist in every
    project whatever it enables).

    ## Why it matters
    The `_Default` sink routes every log that the `_Required` sink does not (request logs,
    application logs, Data Access audit logs) into the `_Default` log bucket. Disabled, those
    logs are dropped at ingestion: the next incident has no logs to investigate, and log-based
    metrics and alerts go silent. Disabling it is right only when an aggregated sink on a folder
    or the organization already stores the logs centrally.

    ## Example
    acme-prod with `_Default` disabled: fails. The same project under folder
    `folders/110000000001`, which has an enabled sink with `includeChildren: true` routing to a
    central log bucket: passes.

    ## Remediation
    `gcloud logging sinks update _Default --no-disabled --project=PROJECT_ID`, or create an
    aggregated sink on a folder or the organization
    (`gcloud logging sinks create central logging.googleapis.com/projects/LOG_PROJECT/locations/global/buckets/central --folder=FOLDER_ID --include-children`).

    ## References
    - https://cloud.google.com/logging/docs/routing/overview
    - https://cloud.google.com/logging/docs/export/aggregated_sinks_overview
    - https://cloud.google.com/sdk/gcloud/reference/logging/sinks/update
    """
    try:
        sinks = inv.get(registry.PROJECT_SINKS)
    except Unreadable as exc:
        yield unknown_anyway(exc, inv.resource, "every project has log sinks whatever it enables")
        return
    default: Mapping[str, Any] | None = next(
        (s for s in sinks if s.get("name") == "_Default"), None
    )
    if default is not None and default.get("disabled") is not True:
        yield passed(
            inv.resource,
            f"Project {inv.project_id}'s _Default sink is enabled (destination {default.get('destination', '?')}).",
        )
        return
    state = "is disabled" if default is not None else "is missing"
    unread: list[Unreadable] = []
    for ancestor in inv.get(registry.ANCESTRY):
        try:
            found = inv.get(ANCESTOR_SINKS[ancestor.partition("/")[0]], ancestor)
        except Unreadable as exc:
            unread.append(exc)
            continue
        central = [
            s for s in found if s.get("includeChildren") is True and s.get("disabled") is not True
        ]
        if central:
            sink = central[0]
            yield passed(
                inv.resource,
                f"Project {inv.project_id}'s _Default sink {state}, but {ancestor} keeps its logs: "
                f"aggregated sink {sink.get('name', '?')} (destination {sink.get('destination', '?')}, "
                f"{'filter ' + str(sink['filter']) if sink.get('filter') else 'no filter'}).",
            )
            return
    if unread:
        yield unknown(
            inv.resource,
            unread[0].reason,
            f"Project {inv.project_id}'s _Default sink {state}, and whether a folder or the "
            f"organization keeps its logs is unknown: {'; '.join(e.describe() for e in unread)}.",
            remediation=unread[0].hint(),
        )
        return
    yield failed(
        inv.resource,
        f"Project {inv.project_id}'s _Default sink {state} and no folder above it nor its organization "
        "has an enabled aggregated sink (includeChildren): its application logs are stored nowhere.",
        remediation=_enable_default(inv, default),
    )


def _enable_default(inv: Inventory, default: Mapping[str, Any] | None) -> str:
    """The gcloud command that turns the _Default sink back on (or recreates it)."""
    if default is not None:
        return f"gcloud logging sinks update _Default --no-disabled --project={sh(inv.project_id)}"
    return (
        f"gcloud logging sinks create _Default logging.googleapis.com/projects/{sh(inv.project_id)}"
        f"/locations/global/buckets/_Default --project={sh(inv.project_id)} "
        """--log-filter='NOT LOG_ID("cloudaudit.googleapis.com/activity") AND NOT LOG_ID("cloudaudit.googleapis.com/system_event") AND NOT LOG_ID("cloudaudit.googleapis.com/access_transparency")'"""
    )
