"""Cloud Monitoring v3: a project's alert policies and notification channels."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import MONITORING
from ...world import JSON
from . import Call, route


@route(
    MONITORING,
    "GET",
    "/v3/projects/{project}/alertPolicies",
    permission="monitoring.alertPolicies.list",
    method_id="monitoring.projects.alertPolicies.list",
    read=(registry.ALERT_POLICIES, "{project}"),
)
def alert_policies(call: Call) -> JSON:
    return call.page(call.collection(registry.ALERT_POLICIES, []), "alertPolicies")


@route(
    MONITORING,
    "GET",
    "/v3/projects/{project}/notificationChannels",
    permission="monitoring.notificationChannels.list",
    method_id="monitoring.projects.notificationChannels.list",
)
def notification_channels(call: Call) -> JSON:
    channels = call.collection(registry.NOTIFICATION_CHANNELS, [])
    return call.page(channels, "notificationChannels")
