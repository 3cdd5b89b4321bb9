"""Cloud Monitoring v3 (discovery): alert policies."""

from __future__ import annotations

from ..inventory import JSON, Collection, Session


def _alert_policies(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        policies = session.clients.resource("monitoring", "projects", "alertPolicies")
        return policies.list(name=f"projects/{project_id}", pageSize=1000, pageToken=token)

    return session.discovery_list(page, "alertPolicies")


ALERT_POLICIES: Collection[list[JSON]] = Collection(
    name="monitoring.alertPolicies",
    title="alert policies",
    service="monitoring.googleapis.com",
    permission="monitoring.alertPolicies.list",
    role="roles/monitoring.viewer",
    fetch=_alert_policies,
)
