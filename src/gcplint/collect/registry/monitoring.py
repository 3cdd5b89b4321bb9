"""Cloud Monitoring v3 (discovery): alert policies and notification channels."""

from __future__ import annotations

from ..collection import JSON, Collection, declare
from ..schema import Fields
from ._read import listing

ALERT_POLICIES: Collection[list[JSON]] = declare(
    "monitoring.alertPolicies: alert policies, monitoring.alertPolicies.list (roles/monitoring.viewer)",
    read=listing("monitoring.projects.alertPolicies", name="projects/{key}", pageSize=1000),
    fields=Fields.of(
        "AlertPolicy",
        "name",
        "displayName",
        "enabled",
        "notificationChannels",
        listed="alertPolicies",
    ),
)

NOTIFICATION_CHANNELS: Collection[list[JSON]] = declare(
    "monitoring.notificationChannels: notification channels, monitoring.notificationChannels.list (roles/monitoring.viewer)",
    read=listing("monitoring.projects.notificationChannels", name="projects/{key}", pageSize=1000),
    fields=Fields.of(
        "NotificationChannel", "name", "type", "enabled", listed="notificationChannels"
    ),
)

UPTIME_CHECKS: Collection[list[JSON]] = declare(
    "monitoring.uptimeCheckConfigs: uptime checks, monitoring.uptimeCheckConfigs.list (roles/monitoring.viewer)",
    read=listing("monitoring.projects.uptimeCheckConfigs", parent="projects/{key}", pageSize=1000),
    fields=Fields.of(
        "UptimeCheckConfig",
        "name",
        "displayName",
        "disabled",
        "monitoredResource.type",
        "monitoredResource.labels",
        listed="uptimeCheckConfigs",
    ),
)
