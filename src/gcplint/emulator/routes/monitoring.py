"""Cloud Monitoring v3: a project's alert policies and notification channels."""

from __future__ import annotations

from ...collect import registry
from . import listing

alert_policies = listing(
    "GET /v3/projects/{project}/alertPolicies", registry.ALERT_POLICIES, "alertPolicies"
)
channels = listing(
    "GET /v3/projects/{project}/notificationChannels",
    registry.NOTIFICATION_CHANNELS,
    "notificationChannels",
)
uptime_checks = listing(
    "GET /v3/projects/{project}/uptimeCheckConfigs", registry.UPTIME_CHECKS, "uptimeCheckConfigs"
)
