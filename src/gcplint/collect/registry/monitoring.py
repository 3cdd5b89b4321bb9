"""Cloud Monitoring v3 (discovery): alert policies, notification channels and uptime checks;
Cloud Monitoring v1 (discovery): the metrics scopes a project is monitored from."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..collection import JSON, Collection, declare
from ..schema import Fields
from ._read import listing

if TYPE_CHECKING:
    from ..session import Session


def _metrics_scopes(session: Session, project_id: str) -> list[JSON]:
    api = session.api
    scopes = api.clients.resource(
        "monitoring", "locations", "global_", "metricsScopes", version="v1"
    )
    request = scopes.listMetricsScopesByMonitoredProject(
        monitoredResourceContainer=f"projects/{project_id}"
    )
    return api.discovery_items(request, "metricsScopes")


ALERT_POLICIES: Collection[list[JSON]] = declare(
    "monitoring.alertPolicies: alert policies, monitoring.alertPolicies.list (roles/monitoring.viewer)",
    read=listing("monitoring.projects.alertPolicies", name="projects/{key}", pageSize=1000),
    fields=Fields.of(
        "AlertPolicy",
        "name",
        "displayName",
        "enabled",
        "notificationChannels",
        "conditions[].conditionThreshold.filter",
        "conditions[].conditionAbsent.filter",
        "conditions[].conditionMatchedLog.filter",
        "conditions[].conditionMonitoringQueryLanguage.query",
        "conditions[].conditionPrometheusQueryLanguage.query",
        "conditions[].conditionSql.query",
        listed="alertPolicies",
    ),
)

NOTIFICATION_CHANNELS: Collection[list[JSON]] = declare(
    "monitoring.notificationChannels: notification channels, monitoring.notificationChannels.list (roles/monitoring.viewer)",
    read=listing("monitoring.projects.notificationChannels", name="projects/{key}", pageSize=1000),
    fields=Fields.of(
        "NotificationChannel",
        "name",
        "type",
        "enabled",
        "verificationStatus",
        listed="notificationChannels",
    ),
)

METRICS_SCOPES: Collection[list[JSON]] = declare(
    "monitoring.metricsScopes: metrics scopes monitoring the project, resourcemanager.projects.get (roles/browser)",
    read=_metrics_scopes,
    fields=Fields.of("MetricsScope", "name", listed="metricsScopes", version="v1"),
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
