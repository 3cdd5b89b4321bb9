"""Cloud Monitoring v3 (discovery): alert policies and notification channels."""

from __future__ import annotations

from ..apis import MONITORING
from ..collection import JSON, Collection
from ._read import listing

ALERT_POLICIES: Collection[list[JSON]] = Collection(
    name="monitoring.alertPolicies",
    title="alert policies",
    api=MONITORING,
    permission="monitoring.alertPolicies.list",
    role="roles/monitoring.viewer",
    read=listing(
        MONITORING,
        ("projects", "alertPolicies"),
        "alertPolicies",
        name="projects/{key}",
        pageSize=1000,
    ),
)

NOTIFICATION_CHANNELS: Collection[list[JSON]] = Collection(
    name="monitoring.notificationChannels",
    title="notification channels",
    api=MONITORING,
    permission="monitoring.notificationChannels.list",
    role="roles/monitoring.viewer",
    read=listing(
        MONITORING,
        ("projects", "notificationChannels"),
        "notificationChannels",
        name="projects/{key}",
        pageSize=1000,
    ),
)
