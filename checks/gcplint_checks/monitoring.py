"""Alerting: someone is paged when production breaks (Cloud Monitoring alert policies), and
public services are probed from outside (uptime checks)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Reason,
    Severity,
    Unreadable,
    check,
    failed,
    from_unreadable,
    passed,
    registry,
)

from ._resources import last_segment, resource_name, short_name, titled
from ._run import admits_internet, region_of, service_resource
from ._shell import sh


def label(item: Mapping[str, Any]) -> str:
    """'Display name' (ID) of an alert policy or an uptime check."""
    return titled(item, last_segment(item.get("name", "?")))


@dataclass(frozen=True)
class Reach:
    """Whom an alert policy's notification channels reach: the live ones (they exist, are
    enabled and are not UNVERIFIED), why each other one does not, and the first read that
    failed (None when every channel could be judged)."""

    live: list[str]
    dead: list[str]
    unreadable: Unreadable | None = None


def reach(inv: Inventory, policy: Mapping[str, Any]) -> Reach:
    """Judge each channel the policy names, reading the channels of the project each name is
    in (this project's, or another's: each project's channels are read once per scan)."""
    live: list[str] = []
    dead: list[str] = []
    unreadable: Unreadable | None = None
    for ref in map(str, policy.get("notificationChannels") or []):
        try:
            why = _why_silent(inv, ref)
        except Unreadable as exc:
            unreadable = unreadable or exc
            continue
        if why:
            dead.append(f"{ref} {why}")
        else:
            live.append(ref)
    return Reach(live, dead, unreadable)


def _why_silent(inv: Inventory, ref: str) -> str | None:
    """Why the channel named `ref` reaches nobody, or None when it is live. Raises Unreadable."""
    parts = ref.split("/")  # projects/P/notificationChannels/ID
    if len(parts) != 4 or parts[0] != "projects" or parts[2] != "notificationChannels":
        return "is not a notification channel name"
    key = None if parts[1] == inv.project_id else parts[1]
    try:
        channels = inv.get(registry.NOTIFICATION_CHANNELS, key)
    except Unreadable as exc:
        if key is None or exc.reason is not Reason.API_DISABLED:
            raise
        return f"does not exist (the Cloud Monitoring API is disabled in project {parts[1]})"
    found = next((c for c in channels if last_segment(c.get("name", "")) == parts[3]), None)
    if found is None:
        return "does not exist"
    if found.get("enabled") is not True:
        return "is disabled"
    if found.get("verificationStatus") == "UNVERIFIED":
        return "is unverified"
    return None


@check(
    id="monitoring.no-alerting",
    waf=("operational-excellence",),
    title="The project has an enabled alert policy that notifies someone",
    severity=Severity.HIGH,
    area=Area.BUDGET,
    requires=[
        registry.ALERT_POLICIES,
        registry.NOTIFICATION_CHANNELS,
        registry.METRICS_SCOPES,
    ],
)
def no_alerting(inv: Inventory) -> Iterator[Outcome]:
    """No enabled alert policy watching the project has a notification channel that reaches
    anyone.

    A channel reaches someone when it exists (in the project it is named in: a policy may name
    another project's channel, whose channels are then read too), is `enabled`, and is not
    `verificationStatus: UNVERIFIED` (Google: the channel is non-functioning). Disabled policies
    and policies without a live channel do not count. When the project's own policies are not
    enough, the policies of the scoping projects of the metrics scopes it is in
    (`listMetricsScopesByMonitoredProject`) count too: a policy there sees the time series of
    every project of the scope, so it watches this project unless its conditions restrict the
    project (a filter or query that mentions `project`) without naming this one (by ID or
    number). Channels, scopes or scoping policies that cannot be read give unknown, and only
    when what could be read is not enough. With the Cloud Monitoring API disabled no alert
    policy can exist, so the project fails (it is not skipped).

    ## Why it matters
    Without alerting, an outage is discovered by customers. Every production project needs at
    least error-rate and saturation alerts that reach a human; an alert whose only channel is
    disabled, deleted or an unverified SMS number reaches nobody.

    ## Example
    acme-staging has no alert policy at all: fails. acme-prod's one enabled policy notifies
    `projects/acme-prod/notificationChannels/7`, which has `enabled: false`: fails. acme-prod is in
    the metrics scope of acme-ops, whose enabled policy on `resource.type = "cloud_run_revision"`
    notifies a live channel: passes.

    ## Remediation
    Create a notification channel and an alert policy, e.g.
    `gcloud beta monitoring channels create --display-name=oncall --type=email --channel-labels=email_address=oncall@example.com`
    and `gcloud monitoring policies create --policy-from-file=policy.yaml --project=PROJECT_ID`.

    ## References
    - https://cloud.google.com/monitoring/alerts
    - https://cloud.google.com/monitoring/support/notification-options
    - https://cloud.google.com/monitoring/settings
    - https://cloud.google.com/monitoring/api/ref_v3/rest/v1/locations.global.metricsScopes/listMetricsScopesByMonitoredProject
    """
    try:
        policies = inv.get(registry.ALERT_POLICIES)
    except Unreadable as exc:
        if exc.reason is not Reason.API_DISABLED:
            raise
        yield failed(
            inv.resource,
            f"The Cloud Monitoring API is disabled in project {inv.project_id}, so no alert can fire.",
            remediation=f"gcloud services enable monitoring.googleapis.com --project={sh(inv.project_id)} && "
            + _create_policy(inv),
        )
        return
    enabled = [p for p in policies if p.get("enabled") is True]
    judged = [(p, reach(inv, p)) for p in enabled if p.get("notificationChannels")]
    live = [p for p, r in judged if r.live]
    if live:
        names = ", ".join(label(p) for p in live[:3]) + (
            f" and {len(live) - 3} more" if len(live) > 3 else ""
        )
        yield passed(
            inv.resource,
            f"Project {inv.project_id} has {len(live)} enabled alert {'policy' if len(live) == 1 else 'policies'} with a live notification channel: {names}.",
        )
        return
    failures = [r.unreadable for _, r in judged if r.unreadable]
    scoping: list[str] = []
    watched = _watched_from_scopes(inv, failures, scoping)
    if watched:
        yield passed(inv.resource, watched)
        return
    if failures:
        raise failures[0]
    disabled = len(policies) - len(enabled)
    silent = len(enabled) - len(judged)
    dead = "; ".join(d for _, r in judged for d in r.dead)
    detail = (
        f"{len(policies)} policies: {disabled} disabled, {silent} without a notification channel"
        + (f", {len(judged)} whose channels reach nobody ({dead})" if judged else "")
        if policies
        else "it has no alert policy at all"
    )
    if scoping:
        detail += (
            f"; neither has the scoping project of its metrics scopes ({', '.join(scoping)}) "
            "an enabled policy on it with a live channel"
        )
    yield failed(
        inv.resource,
        f"Project {inv.project_id} has no enabled alert policy that notifies anyone ({detail}).",
        remediation=_create_policy(inv),
    )


def _watched_from_scopes(
    inv: Inventory, failures: list[Unreadable], scoping_projects: list[str]
) -> str | None:
    """How the project is watched from the scoping project of a metrics scope it is in (an
    enabled policy there with a live channel, whose conditions do not restrict it to other
    projects), or None; reads that fail are added to `failures`, the scoping projects looked
    at to `scoping_projects`."""
    try:
        scopes = inv.get(registry.METRICS_SCOPES)
    except Unreadable as exc:
        failures.append(exc)
        return None
    names = [last_segment(s.get("name", "")) for s in scopes]
    ours = {inv.project_id, *names[:1]}  # the API lists the project's own scope first
    for scoping in names[1:]:
        if scoping in ours:
            continue
        scoping_projects.append(scoping)
        try:
            policies = inv.get(registry.ALERT_POLICIES, scoping)
        except Unreadable as exc:
            failures.append(exc)
            continue
        for policy in policies:
            if policy.get("enabled") is not True or not _watches_project(policy, ours):
                continue
            found = reach(inv, policy)
            if found.live:
                return (
                    f"Project {inv.project_id} is in the metrics scope of project {scoping}, whose "
                    f"enabled alert policy {label(policy)} has a live notification channel."
                )
            if found.unreadable:
                failures.append(found.unreadable)
    return None


def _watches_project(policy: Mapping[str, Any], project: set[str]) -> bool:
    """A policy of a scoping project watches the project (by ID or number, `project`) unless
    one of its conditions restricts the project without naming it."""
    texts = [
        str(text)
        for condition in policy.get("conditions") or []
        for kind, field in CONDITION_TEXT
        if (text := (condition.get(kind) or {}).get(field))
    ]
    if not any("project" in text.lower() for text in texts):
        return True
    named = re.compile("|".join(rf"(?<![\w-]){re.escape(p)}(?![\w-])" for p in sorted(project)))
    return any(named.search(text) for text in texts)


CONDITION_TEXT = (  # where a condition's filter or query is, by condition type
    ("conditionThreshold", "filter"),
    ("conditionAbsent", "filter"),
    ("conditionMatchedLog", "filter"),
    ("conditionMonitoringQueryLanguage", "query"),
    ("conditionPrometheusQueryLanguage", "query"),
    ("conditionSql", "query"),
)


def _create_policy(inv: Inventory) -> str:
    """The gcloud command that creates an alert policy from a file the team writes."""
    return (
        f"gcloud monitoring policies create --policy-from-file=policy.yaml --project={sh(inv.project_id)}"
        "  (policy.yaml: an alert policy on the signals that matter, with notificationChannels)"
    )


@check(
    id="monitoring.alert-no-channel",
    waf=("operational-excellence",),
    title="Enabled alert policies notify someone",
    severity=Severity.MEDIUM,
    area=Area.BUDGET,
    requires=[registry.ALERT_POLICIES, registry.NOTIFICATION_CHANNELS],
)
def alert_no_channel(inv: Inventory) -> Iterator[Outcome]:
    """An enabled alert policy has no notification channel that reaches anyone: it fires into
    the void.

    One result per enabled alert policy; disabled policies are not evaluated. A channel reaches
    someone when it exists (in the project it is named in, which may be another project), is
    `enabled`, and is not `verificationStatus: UNVERIFIED`. A policy none of whose channels is
    live, but one of whose channels could not be read, is unknown.

    ## Why it matters
    An alert without a channel opens an incident in the console that nobody sees. It gives the
    false comfort of "we have an alert for that"; so does a channel someone disabled, deleted or
    never verified.

    ## Example
    "Cloud SQL disk > 90%" enabled with `notificationChannels: []`: fails. Enabled with one
    channel that has `enabled: false`: fails, naming the channel.

    ## Remediation
    `gcloud monitoring policies update POLICY_ID --project=PROJECT_ID --add-notification-channels=CHANNEL_ID`
    (CHANNEL_ID: the channel the team watches, which gcplint does not read).

    ## References
    - https://cloud.google.com/monitoring/alerts/manage-alerts
    - https://cloud.google.com/monitoring/support/notification-options
    """
    for policy in inv.get(registry.ALERT_POLICIES):
        if policy.get("enabled") is not True:
            continue
        resource = resource_name(inv, registry.ALERT_POLICIES, policy)
        found = reach(inv, policy)
        if found.live:
            yield passed(
                resource,
                f"Alert policy {label(policy)} notifies {len(found.live)} live channel(s).",
            )
            continue
        if found.unreadable:
            yield from_unreadable(found.unreadable, resource)
            continue
        why = (
            f"none of its notification channels reaches anyone: {'; '.join(found.dead)}"
            if found.dead
            else "has no notification channel"
        )
        yield failed(
            resource,
            f"Alert policy {label(policy)} is enabled but {why}.",
            remediation=(
                f"gcloud monitoring policies update {sh(last_segment(policy.get('name', '')))} "
                f"--project={sh(inv.project_id)} --add-notification-channels=CHANNEL_ID"
                "  (CHANNEL_ID: the notification channel the team watches)"
            ),
        )


@check(
    id="monitoring.no-uptime-check",
    waf=("operational-excellence",),
    title="Public Cloud Run services have an uptime check",
    severity=Severity.MEDIUM,
    area=Area.RELIABILITY,
    requires=[registry.RUN_SERVICES, registry.UPTIME_CHECKS],
    prod_only=True,
)
def no_uptime_check(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service whose ingress admits the internet (INGRESS_TRAFFIC_ALL) is watched by
    no enabled uptime check of its project.

    An uptime check watches the service when its `monitoredResource` is a `cloud_run_revision`
    whose `service_name` label is the service's name (and whose `location` label, when given, is
    its region), or an `uptime_url` whose `host` label is the host of the service's `uri` or of
    one of its `urls`. Disabled uptime checks do not count; neither do checks on a group or
    synthetic monitors, nor checks kept in another project (a central monitoring project: record
    them with a suppression and its reason). Internal-only services have no result; staging and
    dev projects are not judged (not_applicable, NOT_PRODUCTION), and a project whose metadata
    cannot be read is unknown. With the Cloud Monitoring API
    disabled no uptime check can exist in the project, so every public service fails.

    ## Why it matters
    Cloud Run metrics only show the requests that reach the service. When the service stops
    answering (a bad revision that fails its startup probe, an expired certificate on a custom
    domain, a broken DNS record or IAM change), the request count simply falls, and nothing
    alerts. An uptime check probes the service from several regions every few minutes and can
    page someone when it fails.

    ## Example
    Service `api` (ingress INGRESS_TRAFFIC_ALL, uri `https://api-x7k2p3q4rq-ew.a.run.app`) with
    no uptime check, or only a disabled one: fails. An enabled `uptime_url` check whose host label
    is `api-x7k2p3q4rq-ew.a.run.app`: passes.

    ## Remediation
    `gcloud monitoring uptime create "api uptime" --resource-type=uptime-url --resource-labels=host=HOST,project_id=PROJECT_ID --path=/healthz --project=PROJECT_ID`,
    then an alert policy on the check (`monitoring.googleapis.com/uptime_check/check_passed`).

    ## References
    - https://cloud.google.com/monitoring/uptime-checks
    - https://cloud.google.com/run/docs/monitoring
    - https://cloud.google.com/sdk/gcloud/reference/monitoring/uptime/create
    - https://cloud.google.com/monitoring/api/ref_v3/rest/v3/projects.uptimeCheckConfigs
    """
    public = [s for s in inv.get(registry.RUN_SERVICES) if admits_internet(s)]
    if not public:
        return
    try:
        configs = inv.get(registry.UPTIME_CHECKS)
    except Unreadable as exc:
        if exc.reason is not Reason.API_DISABLED:
            raise
        for service in public:
            yield failed(
                service_resource(inv, service),
                f"Cloud Run service {short_name(service)} takes internet traffic, and the Cloud "
                f"Monitoring API is disabled in project {inv.project_id}: no uptime check watches it.",
                remediation=f"gcloud services enable monitoring.googleapis.com --project={sh(inv.project_id)} && "
                + _uptime_create(inv, service),
            )
        return
    for service in public:
        watching = [c for c in configs if _watches(c, service)]
        live = [c for c in watching if c.get("disabled") is not True]
        name = short_name(service)
        if live:
            yield passed(
                service_resource(inv, service),
                f"Cloud Run service {name} is watched by uptime check {label(live[0])}.",
            )
            continue
        off = f" ({', '.join(label(c) for c in watching)} disabled)" if watching else ""
        yield failed(
            service_resource(inv, service),
            f"Cloud Run service {name} takes internet traffic but no enabled uptime check watches it{off}.",
            remediation=_uptime_create(inv, service),
        )


def _hosts(service: Mapping[str, Any]) -> list[str]:
    """The hosts of the service's URLs, lowercased: its `uri` first, then its `urls`."""
    urls = [service.get("uri"), *(service.get("urls") or [])]
    found = [urlsplit(str(url)).hostname for url in urls if url]
    return list(dict.fromkeys(host.lower() for host in found if host))


def _watches(config: Mapping[str, Any], service: Mapping[str, Any]) -> bool:
    """The uptime check probes the service: a cloud_run_revision resource naming it, or an
    uptime_url resource on one of its hosts."""
    resource = config.get("monitoredResource") or {}
    labels = resource.get("labels") or {}
    if resource.get("type") == "cloud_run_revision":
        location = labels.get("location")
        return labels.get("service_name") == short_name(service) and (
            not location or location == region_of(service)
        )
    if resource.get("type") == "uptime_url":
        return str(labels.get("host", "")).lower() in _hosts(service)
    return False


def _uptime_create(inv: Inventory, service: Mapping[str, Any]) -> str:
    """The gcloud command that creates an HTTPS uptime check on the service's URL."""
    host = next(iter(_hosts(service)), "HOST")
    return (
        f"gcloud monitoring uptime create {sh(short_name(service) + ' uptime')} --resource-type=uptime-url "
        f"--resource-labels={sh(f'host={host},project_id={inv.project_id}')} --protocol=https --path=/ "
        f"--project={sh(inv.project_id)}"
    )
