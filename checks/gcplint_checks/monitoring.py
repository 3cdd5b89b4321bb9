"""Alerting: someone is paged when production breaks (Cloud Monitoring alert policies)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Reason,
    Severity,
    Unreadable,
    check,
    failed,
    passed,
    registry,
)

from ._resources import last_segment, resource_name, titled


def label(policy: Mapping[str, Any]) -> str:
    """'Display name' (alertPolicies/ID)."""
    return titled(policy, last_segment(policy.get("name", "?")))


@check(
    id="monitoring.no-alerting",
    title="The project has an enabled alert policy that notifies someone",
    severity=Severity.HIGH,
    area=Area.BUDGET,
    requires=[registry.ALERT_POLICIES],
)
def no_alerting(inv: Inventory) -> Iterator[Outcome]:
    """The project has no enabled alert policy with at least one notification channel.

    Disabled policies and policies without `notificationChannels` do not count. With the Cloud
    Monitoring API disabled no alert policy can exist, so the project fails (it is not skipped).

    ## Why it matters
    Without alerting, an outage is discovered by customers. Every production project needs at
    least error-rate and saturation alerts that reach a human.

    ## Example
    acme-staging has no alert policy at all: fails.

    ## Remediation
    Create a notification channel and an alert policy, e.g.
    `gcloud beta monitoring channels create --display-name=oncall --type=email --channel-labels=email_address=oncall@example.com`
    and `gcloud alpha monitoring policies create --policy-from-file=policy.yaml --project=PROJECT_ID`.

    ## References
    - https://cloud.google.com/monitoring/alerts
    - https://cloud.google.com/monitoring/support/notification-options
    """
    try:
        policies = inv.get(registry.ALERT_POLICIES)
    except Unreadable as exc:
        if exc.reason is not Reason.API_DISABLED:
            raise
        yield failed(
            inv.resource,
            f"The Cloud Monitoring API is disabled in project {inv.project_id}, so no alert can fire.",
            remediation=f"gcloud services enable monitoring.googleapis.com --project={inv.project_id}, then create alert policies",
        )
        return
    live = [p for p in policies if p.get("enabled") is True and p.get("notificationChannels")]
    if live:
        names = ", ".join(label(p) for p in live[:3]) + (
            f" and {len(live) - 3} more" if len(live) > 3 else ""
        )
        yield passed(
            inv.resource,
            f"Project {inv.project_id} has {len(live)} enabled alert {'policy' if len(live) == 1 else 'policies'} with a notification channel: {names}.",
        )
        return
    disabled = sum(1 for p in policies if p.get("enabled") is not True)
    silent = sum(
        1 for p in policies if p.get("enabled") is True and not p.get("notificationChannels")
    )
    detail = (
        f"{len(policies)} policies: {disabled} disabled, {silent} without a notification channel"
        if policies
        else "it has no alert policy at all"
    )
    yield failed(
        inv.resource,
        f"Project {inv.project_id} has no enabled alert policy that notifies anyone ({detail}).",
        remediation=f"gcloud alpha monitoring policies create --policy-from-file=policy.yaml --project={inv.project_id}",
    )


@check(
    id="monitoring.alert-no-channel",
    title="Enabled alert policies notify someone",
    severity=Severity.MEDIUM,
    area=Area.BUDGET,
    requires=[registry.ALERT_POLICIES],
)
def alert_no_channel(inv: Inventory) -> Iterator[Outcome]:
    """An enabled alert policy has no notification channel: it fires into the void.

    One result per enabled alert policy; disabled policies are not evaluated.

    ## Why it matters
    An alert without a channel opens an incident in the console that nobody sees. It gives the
    false comfort of "we have an alert for that".

    ## Example
    "Cloud SQL disk > 90%" enabled with `notificationChannels: []`: fails.

    ## Remediation
    `gcloud alpha monitoring policies update POLICY_ID --project=PROJECT_ID --add-notification-channels=CHANNEL_ID`.

    ## References
    - https://cloud.google.com/monitoring/alerts/manage-alerts
    """
    for policy in inv.get(registry.ALERT_POLICIES):
        if policy.get("enabled") is not True:
            continue
        resource = resource_name(inv, registry.ALERT_POLICIES, policy)
        count = len(policy.get("notificationChannels") or [])
        if count:
            yield passed(resource, f"Alert policy {label(policy)} notifies {count} channel(s).")
        else:
            yield failed(
                resource,
                f"Alert policy {label(policy)} is enabled but has no notification channel.",
                remediation=(
                    f"gcloud alpha monitoring policies update {last_segment(policy.get('name', 'POLICY'))} "
                    f"--project={inv.project_id} --add-notification-channels=CHANNEL_ID"
                ),
            )
