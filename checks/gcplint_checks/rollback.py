"""Rollback readiness: a Cloud Run service can go back to a revision that works."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Severity,
    check,
    collections,
    failed,
    full_name,
    passed,
)

JSON = Mapping[str, Any]


def service_resource(inv: Inventory, service: JSON) -> str:
    """The full resource name of a Cloud Run service."""
    return full_name("run.googleapis.com", inv.project_id, str(service.get("name", "")))


def is_ready(revision: JSON) -> bool:
    """The revision's Ready condition succeeded."""
    return any(
        c.get("type") == "Ready" and c.get("state") == "CONDITION_SUCCEEDED"
        for c in revision.get("conditions") or []
    )


def serving(service: JSON) -> set[str]:
    """Short names of the revisions that receive traffic now (percent > 0)."""
    targets = service.get("trafficStatuses") or service.get("traffic") or []
    names: set[str] = set()
    for target in targets:
        if not target.get("percent"):
            continue
        if target.get("type") == "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST" or not target.get(
            "revision"
        ):
            latest = service.get("latestReadyRevision")
            if latest:
                names.add(str(latest).rpartition("/")[2])
        else:
            names.add(str(target["revision"]).rpartition("/")[2])
    return names


def revisions_of(service: JSON, revisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The service's revisions, newest first."""
    prefix = f"{service.get('name', '')}/revisions/"
    own = [r for r in revisions if str(r.get("name", "")).startswith(prefix)]
    return sorted(own, key=lambda r: str(r.get("createTime", "")), reverse=True)


def region_of(service: JSON) -> str:
    """The service's region, from its name."""
    parts = str(service.get("name", "")).split("/")
    return parts[3] if len(parts) > 3 else "REGION"


@check(
    id="run.no-rollback-target",
    title="Cloud Run service has a Ready revision to roll back to",
    severity=Severity.HIGH,
    area=Area.ROLLBACK,
    requires=[collections.RUN_SERVICES, collections.RUN_REVISIONS],
)
def no_rollback_target(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service has no Ready revision other than the ones serving traffic.

    ## Why it matters
    Rolling back a Cloud Run service means sending traffic to an earlier revision. That only
    works if such a revision still exists and its Ready condition succeeded. Services whose old
    revisions were pruned by CI, or whose only older revision never became ready, have nothing
    to go back to: a bad deploy can then only be fixed forward, under pressure.

    ## Example
    Service `api` serves 100% from `api-00007-xyz`; its only other revision `api-00006-abc`
    failed its health check. It fails: there is no rollback target.

    ## Remediation
    Keep at least one known-good earlier revision (do not delete old revisions in CI). To roll
    back: `gcloud run services update-traffic SERVICE --region=REGION --to-revisions=REVISION=100`.

    ## References
    - https://cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration
    - https://cloud.google.com/run/docs/managing/revisions
    """
    services = inv.get(collections.RUN_SERVICES)
    revisions = inv.get(collections.RUN_REVISIONS) if services else []
    for service in services:
        short = str(service.get("name", "")).rpartition("/")[2]
        live = serving(service)
        own = revisions_of(service, revisions)
        targets = [
            r for r in own if is_ready(r) and str(r.get("name", "")).rpartition("/")[2] not in live
        ]
        resource = service_resource(inv, service)
        if targets:
            best = str(targets[0]["name"]).rpartition("/")[2]
            yield passed(
                resource, f"Cloud Run service {short} can roll back to Ready revision {best}."
            )
            continue
        others = [r for r in own if str(r.get("name", "")).rpartition("/")[2] not in live]
        why = (
            f"its {len(others)} other revision(s) are not Ready"
            if others
            else "it has no other revision"
        )
        yield failed(
            resource,
            f"Cloud Run service {short} serves {', '.join(sorted(live)) or 'no revision'} and has no "
            f"Ready revision to roll back to: {why}.",
            remediation=(
                "keep a known-good earlier revision; to roll back later: gcloud run services "
                f"update-traffic {short} --region={region_of(service)} --project={inv.project_id} "
                "--to-revisions=REVISION=100"
            ),
        )
