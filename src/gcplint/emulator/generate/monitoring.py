"""Cloud Monitoring: a project's notification channels (email, Slack) and alert policies,
enabled or not, with or without channels."""

from __future__ import annotations

from ...collect import apis
from .draws import chance, days_ago, digits, pick, ts
from .plan import JSON, ProjectPlan, WorldPlan

ALERT_TEMPLATES = (
    (
        "Cloud Run 5xx rate",
        'resource.type = "cloud_run_revision" AND metric.type = "run.googleapis.com/request_count" AND metric.labels.response_code_class = "5xx"',
        "ALIGN_RATE",
        1.0,
    ),
    (
        "Cloud SQL CPU > 80%",
        'resource.type = "cloudsql_database" AND metric.type = "cloudsql.googleapis.com/database/cpu/utilization"',
        "ALIGN_MEAN",
        0.8,
    ),
    (
        "Cloud SQL disk > 90%",
        'resource.type = "cloudsql_database" AND metric.type = "cloudsql.googleapis.com/database/disk/utilization"',
        "ALIGN_MEAN",
        0.9,
    ),
    (
        "Cloud Run p99 latency",
        'resource.type = "cloud_run_revision" AND metric.type = "run.googleapis.com/request_latencies"',
        "ALIGN_PERCENTILE_99",
        2000.0,
    ),
)


def _mutation_record(world: WorldPlan) -> JSON:
    """A creation or mutation record: the SRE team, 30 to 600 days ago."""
    created = days_ago(world.rng, 30, 600)
    return {"mutateTime": ts(created), "mutatedBy": f"sre@{world.domain}"}


def notification_channels(world: WorldPlan, project: ProjectPlan) -> list[JSON]:
    """0 to 2 channels: an on-call email address, or a Slack channel; a few disabled, a few
    email addresses unverified."""
    rng = world.rng
    if not project.serves(apis.MONITORING):
        return []
    channels: list[JSON] = []
    for _ in range(pick(rng, (0, 1, 1, 2))):
        record = _mutation_record(world)
        channel: JSON
        if chance(rng, 0.6):
            channel = {
                "type": "email",
                "displayName": "On-call",
                "labels": {"email_address": f"oncall@{world.domain}"},
            }
        else:
            name = f"#alerts-{project.env or 'misc'}"
            channel = {
                "type": "slack",
                "displayName": f"{name} (Slack)",
                "labels": {"channel_name": name},
            }
        channel["name"] = f"projects/{project.project_id}/notificationChannels/{digits(rng, 19)}"
        channel["enabled"] = chance(rng, 0.9)
        channel["creationRecord"] = record
        channel["mutationRecords"] = [record]
        if channel["type"] == "email":  # now and then an address nobody confirmed
            channel["verificationStatus"] = "VERIFIED" if chance(rng, 0.9) else "UNVERIFIED"
        channels.append(channel)
    return channels


def _alert_policy(
    world: WorldPlan, project: ProjectPlan, template: tuple[str, str, str, float]
) -> JSON:
    """An alert policy of one threshold condition, from (title, filter, aligner, threshold)."""
    rng = world.rng
    title, flt, aligner, threshold = template
    policy_id = digits(rng, 19)
    name = f"projects/{project.project_id}/alertPolicies/{policy_id}"
    record = _mutation_record(world)
    policy: JSON = {
        "name": name,
        "displayName": title,
        "conditions": [
            {
                "name": f"{name}/conditions/{digits(rng, 19)}",
                "displayName": title,
                "conditionThreshold": {
                    "filter": flt,
                    "aggregations": [{"alignmentPeriod": "60s", "perSeriesAligner": aligner}],
                    "comparison": "COMPARISON_GT",
                    "thresholdValue": threshold,
                    "duration": pick(rng, ("300s", "600s")),
                    "trigger": {"count": 1},
                },
            }
        ],
        "combiner": "OR",
        "creationRecord": record,
        "mutationRecord": record,
        "enabled": chance(rng, 0.75),
        "alertStrategy": {"autoClose": "604800s"},
        "severity": pick(rng, ("CRITICAL", "ERROR", "WARNING")),
    }
    if chance(rng, 0.4):
        policy["documentation"] = {
            "content": f"Runbook: https://wiki.{world.domain}/runbooks/{policy_id}",
            "mimeType": "text/markdown",
        }
    if project.channels and chance(rng, 0.7):
        count = rng.randint(1, len(project.channels))
        policy["notificationChannels"] = [c["name"] for c in rng.sample(project.channels, count)]
    return policy


def alert_policies(world: WorldPlan, project: ProjectPlan) -> list[JSON]:
    """0 to 3 policies, enabled or not, with or without notification channels."""
    if not project.serves(apis.MONITORING):
        return []
    count = pick(world.rng, (0, 1, 1, 2, 3))
    return [_alert_policy(world, project, t) for t in world.rng.sample(ALERT_TEMPLATES, count)]


def _hub(world: WorldPlan) -> ProjectPlan | None:
    """The project whose metrics scope watches others: the first production project that serves
    Cloud Monitoring (no random draw, so the rest of the world is unchanged)."""
    return next((p for p in world.projects if p.env == "prod" and p.serves(apis.MONITORING)), None)


def _watched(world: WorldPlan, hub: ProjectPlan) -> list[ProjectPlan]:
    """The other projects in the hub's metrics scope: those whose number is even."""
    return [p for p in world.others(hub) if int(p.number) % 2 == 0]


def _scope(scoping: ProjectPlan, monitored: list[ProjectPlan]) -> JSON:
    """A MetricsScope of `scoping` monitoring itself and `monitored`."""
    name = f"locations/global/metricsScopes/{scoping.number}"
    return {
        "name": name,
        "monitoredProjects": [
            {"name": f"{name}/projects/{p.number}"} for p in [scoping, *monitored]
        ],
    }


def metrics_scopes(world: WorldPlan, project: ProjectPlan) -> list[JSON]:
    """The metrics scopes the project is in (listMetricsScopesByMonitoredProject): its own
    first, then the hub's when the hub watches it."""
    hub = _hub(world)
    if hub is None:
        return [_scope(project, [])]
    watched = _watched(world, hub)
    if project is hub:
        return [_scope(hub, watched)]
    if project in watched:
        return [_scope(project, []), _scope(hub, watched)]
    return [_scope(project, [])]
