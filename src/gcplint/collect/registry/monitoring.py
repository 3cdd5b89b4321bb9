"""Cloud Monitoring v3 (discovery): alert policies and notification channels."""

from __future__ import annotations

from ..collection import JSON, Collection, declare
from ._read import listing

ALERT_POLICIES: Collection[list[JSON]] = declare(
    "monitoring.alertPolicies: alert policies, monitoring.alertPolicies.list (roles/monitoring.viewer)",
    read=listing("monitoring.projects.alertPolicies", name="projects/{key}", pageSize=1000),
)

NOTIFICATION_CHANNELS: Collection[list[JSON]] = declare(
    "monitoring.notificationChannels: notification channels, monitoring.notificationChannels.list (roles/monitoring.viewer)",
    read=listing("monitoring.projects.notificationChannels", name="projects/{key}", pageSize=1000),
)

UPTIME_CHECKS: Collection[list[JSON]] = declare(
    "monitoring.uptimeCheckConfigs: uptime checks, monitoring.uptimeCheckConfigs.list (roles/monitoring.viewer)",
    read=listing("monitoring.projects.uptimeCheckConfigs", parent="projects/{key}", pageSize=1000),
)
