"""Cloud Monitoring v3: a project's alert policies, notification channels and uptime checks;
Cloud Monitoring v1: the metrics scopes a project is monitored from."""

from __future__ import annotations

from ...collect import registry
from ...world import JSON, World
from ..errors import invalid_argument
from . import Call, listing, route

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


def _monitored_project(
    world: World, params: dict[str, str], query: dict[str, list[str]]
) -> str | None:
    """The project whose metrics scopes are listed (`monitoredResourceContainer=projects/P`)."""
    container = (query.get("monitoredResourceContainer") or [""])[0]
    return container.removeprefix("projects/") if container.startswith("projects/") else None


@route(
    "GET /v1/locations/global/metricsScopes:listMetricsScopesByMonitoredProject",
    registry.METRICS_SCOPES,
    owner=_monitored_project,
)
def metrics_scopes(call: Call) -> JSON:
    """The metrics scopes the project is in; absent from the world, only its own (which the API
    always lists first)."""
    if call.project is None:
        raise invalid_argument("monitoredResourceContainer must be projects/PROJECT")
    number = call.project.number
    own = f"locations/global/metricsScopes/{number}"
    default = [{"name": own, "monitoredProjects": [{"name": f"{own}/projects/{number}"}]}]
    scopes: list[JSON] = call.collection(registry.METRICS_SCOPES, default)
    return {"metricsScopes": scopes} if scopes else {}
