"""Rollback readiness: a Cloud Run service can go back to a revision that works."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Reason,
    Severity,
    check,
    collections,
    failed,
    passed,
    unknown,
)

from ._run import region_of, service_resource, short_name

JSON = Mapping[str, Any]


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of an API message, on one line and at most `limit` characters."""
    lines = text.strip().splitlines()
    sentence = (lines[0] if lines else text).split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


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
        short = short_name(service)
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


@check(
    id="run.latest-revision-failed",
    title="The last deploy of a Cloud Run service succeeded",
    severity=Severity.HIGH,
    area=Area.ROLLBACK,
    requires=[collections.RUN_SERVICES],
)
def latest_revision_failed(inv: Inventory) -> Iterator[Outcome]:
    """The last deploy of a Cloud Run service failed.

    Fails when `latestCreatedRevision` differs from `latestReadyRevision`, or the service's
    `terminalCondition` has not succeeded: the newest revision never became ready and traffic
    stayed on an older one. A service that is still reconciling (a deploy in progress) is
    unknown until it settles.

    ## Why it matters
    The code you think is live is not: the fix you deployed is not serving, and the next deploy
    starts from a state nobody intended. A broken revision also hides whether a rollback would work.

    ## Example
    `latestCreatedRevision: admin-00003-zib`, `latestReadyRevision: admin-00002-nox`,
    `terminalCondition.state: CONDITION_FAILED`: fails.

    ## Remediation
    Read why the revision failed (`gcloud run revisions describe REVISION --region=REGION`, and its
    logs), fix and redeploy; until then traffic stays on the last Ready revision.

    ## References
    - https://cloud.google.com/run/docs/troubleshooting
    - https://cloud.google.com/run/docs/managing/revisions
    """
    for service in inv.get(collections.RUN_SERVICES):
        name = short_name(service)
        resource = service_resource(inv, service)
        created = str(service.get("latestCreatedRevision", "")).rpartition("/")[2]
        ready = str(service.get("latestReadyRevision", "")).rpartition("/")[2]
        condition = service.get("terminalCondition") or {}
        state = condition.get("state", "unset")
        if service.get("reconciling") is True:
            yield unknown(
                resource,
                Reason.ERROR,
                f"Cloud Run service {name} is reconciling (a deploy is in progress); re-run once it settles.",
            )
            continue
        if created == ready and state == "CONDITION_SUCCEEDED":
            yield passed(
                resource,
                f"The latest revision {created} of Cloud Run service {name} is Ready and serving.",
            )
            continue
        why = first_sentence(
            str(
                condition.get("message")
                or condition.get("reason")
                or condition.get("revisionReason")
                or state
            )
        )
        yield failed(
            resource,
            f"The last deploy of Cloud Run service {name} failed: latest created revision {created or 'none'}, "
            f"latest ready {ready or 'none'}, terminal condition {state} ({why}).",
            remediation=(
                f"gcloud run revisions describe {created or 'REVISION'} --region={region_of(service)} --project={inv.project_id}"
                "  (read the failure, fix it, redeploy)"
            ),
        )
