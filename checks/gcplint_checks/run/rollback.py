"""Rollback readiness: a Cloud Run service can go back to a revision that works."""

from __future__ import annotations

import functools
from collections.abc import Iterator

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Reason,
    Severity,
    check,
    failed,
    not_applicable,
    passed,
    registry,
    unknown,
)

from .._resources import last_segment, short_name
from .._run import (
    SecretUse,
    container_flag,
    region_of,
    secret_uses,
    service_resource,
    update_secrets_flags,
)
from .._shell import sh
from ._revisions import (
    Rollback,
    digests,
    each_rollback,
    enabled_version,
    image_state,
    newer_candidates,
    revisions_of,
    rollback_target,
    serving,
    version_problem,
)


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of an API message, on one line and at most `limit` characters."""
    lines = text.strip().splitlines()
    sentence = (lines[0] if lines else text).split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


rollback_check = functools.partial(check, area=Area.ROLLBACK)
# ^ this module's rollback-readiness checks


@rollback_check(
    id="run.no-rollback-target",
    waf=("reliability",),
    title="Cloud Run service has a Ready revision to roll back to",
    severity=Severity.HIGH,
    requires=[registry.RUN_SERVICES, registry.RUN_REVISIONS],
)
def no_rollback_target(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service has no Ready revision to roll back to.

    A rollback goes back in time: the target is a Ready revision older than the newest revision
    serving traffic. In a canary split (say 90/10) it is the older serving revision: sending it
    100% is the rollback. A revision newer than every serving one (a blue/green candidate
    deployed with `--no-traffic`, tagged or not, or one traffic was already rolled back from) is
    not a target. With one
    serving revision and no Ready older one, the check fails. The other rollback checks
    (`run.rollback-image-missing`, `run.rollback-secret-unavailable`) judge this same revision.

    ## Why it matters
    Rolling back a Cloud Run service means sending traffic to an earlier revision. That only
    works if such a revision still exists and its Ready condition succeeded. Services whose old
    revisions were pruned by CI, or whose only older revision never became ready, have nothing
    to go back to: a bad deploy can then only be fixed forward, under pressure.

    ## Example
    Service `api` serves 100% from `api-00007-xyz`; its only older revision `api-00006-abc`
    failed its health check. It fails: there is no rollback target. The same service with a
    Ready `api-00006-abc`, or serving 90% from `api-00006-abc` and 10% from `api-00007-xyz`,
    passes (the target is `api-00006-abc`); a newer `api-00008-new` deployed with
    `--no-traffic` is not a target.

    ## Remediation
    Keep at least one known-good earlier revision (do not delete old revisions in CI). To roll
    back: `gcloud run services update-traffic SERVICE --region=REGION --to-revisions=REVISION=100`.

    ## References
    - https://cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration
    - https://cloud.google.com/run/docs/managing/revisions
    """
    services = inv.get(registry.RUN_SERVICES)
    revisions = inv.get(registry.RUN_REVISIONS) if services else []
    for service in services:
        short = short_name(service)
        resource = service_resource(inv, service)
        target = rollback_target(service, revisions)
        if target is not None:
            yield passed(
                resource,
                f"Cloud Run service {short} can roll back to Ready revision {short_name(target)}.",
            )
            continue
        live = serving(service)
        newer = newer_candidates(service, revisions)
        others = [
            r
            for r in revisions_of(service, revisions)
            if short_name(r) not in live and short_name(r) not in newer
        ]
        why = (
            f"its {len(others)} older revision(s) are not Ready"
            if others
            else "it has no older revision"
        )
        if newer and live:
            why += (
                f" (newer revision(s) {', '.join(newer)} take no traffic: a candidate not yet "
                "promoted, or one traffic was rolled back from, is not a rollback target)"
            )
        yield failed(
            resource,
            f"Cloud Run service {short} serves {', '.join(sorted(live)) or 'no revision'} and has no "
            f"Ready revision to roll back to: {why}.",
            remediation=(
                "keep a known-good earlier revision; to roll back later: gcloud run services "
                f"update-traffic {sh(short)} --region={sh(region_of(service))} --project={sh(inv.project_id)} "
                "--to-revisions=REVISION=100"
            ),
        )


@rollback_check(
    id="run.latest-revision-failed",
    waf=("reliability",),
    title="The last deploy of a Cloud Run service succeeded",
    severity=Severity.HIGH,
    requires=[registry.RUN_SERVICES],
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
    for service in inv.get(registry.RUN_SERVICES):
        name = short_name(service)
        resource = service_resource(inv, service)
        created = last_segment(service.get("latestCreatedRevision", ""))
        ready = last_segment(service.get("latestReadyRevision", ""))
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
                f"gcloud run revisions describe {sh(created or 'REVISION')} --region={sh(region_of(service))} --project={sh(inv.project_id)}"
                "  (read the failure, fix it, redeploy)"
            ),
        )


def keep_recent(repository: str) -> str:
    """The command that protects rollback targets in a repository from cleanup."""
    parts = repository.split("/")
    if len(parts) < 6:
        return "gcloud artifacts repositories set-cleanup-policies REPOSITORY --location=LOCATION --policy=keep-recent.json"
    return (
        f"gcloud artifacts repositories set-cleanup-policies {sh(parts[5])} --location={sh(parts[3])} "
        f"--project={sh(parts[1])} --policy=keep-recent.json  (a KEEP rule with mostRecentVersions.keepCount)"
    )


@rollback_check(
    id="run.rollback-image-missing",
    waf=("reliability",),
    title="The rollback target's image still exists",
    severity=Severity.HIGH,
    requires=[
        registry.RUN_SERVICES,
        registry.RUN_REVISIONS,
        registry.REPOSITORIES,
        registry.DOCKER_IMAGES,
    ],
)
def rollback_image_missing(inv: Inventory) -> Iterator[Outcome]:
    """The rollback target (the Ready revision older than the newest one serving traffic, as
    `run.no-rollback-target` defines it) runs an image whose digest no longer exists in its
    Artifact Registry repository.

    The digest comes from the image reference or the revision's `containerStatuses[].imageDigest`;
    the repository may live in another project. Not applicable when the image is outside Artifact
    Registry (gcplint cannot look it up); unknown when the repository cannot be read.

    ## Why it matters
    Cleanup policies, `gcloud artifacts docker images delete` in CI, or a deleted repository
    silently remove old images. The rollback then fails with an image pull error at the moment
    you need it, and the outage continues.

    ## Example
    `api-00041-hob` (the rollback target) runs `…/app/api@sha256:9f2…`, which a cleanup policy deleted: fails.

    ## Remediation
    Re-push the image by digest if you still have it, or roll forward; keep rollback targets with
    a KEEP cleanup policy (`mostRecentVersions.keepCount`), e.g.
    `gcloud artifacts repositories set-cleanup-policies REPO --location=LOCATION --policy=keep-recent.json`.

    ## References
    - https://cloud.google.com/artifact-registry/docs/repositories/cleanup-policy
    - https://cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration
    """

    def judge(rollback: Rollback) -> Outcome:
        name, revision, resource = rollback.name, rollback.revision, rollback.resource
        found = digests(rollback.target).items()
        judged = [image_state(inv, image, digest) for image, digest in found]
        missing = [j for j in judged if j.present is False]
        if missing:
            return failed(
                resource,
                f"Rolling Cloud Run service {name} back to {revision} would fail: {'; '.join(j.how for j in missing)}.",
                remediation="re-push the image or roll forward; then keep rollback targets:\n"
                + "\n".join(dict.fromkeys(keep_recent(j.repository) for j in missing)),
            )
        if judged and all(j.present is None for j in judged):
            return not_applicable(
                resource,
                Reason.NOT_FOUND,
                f"Rollback target {revision} of {name}: {'; '.join(j.how for j in judged)}, so gcplint cannot check it.",
            )
        kept = "; ".join(j.how for j in judged if j.present)
        return passed(
            resource, f"The image of rollback target {revision} of {name} still exists ({kept})."
        )

    yield from each_rollback(inv, judge)


def redeploy_with_enabled_secrets(
    inv: Inventory, rollback: Rollback, broken: list[SecretUse]
) -> str:
    """A new revision (taking no traffic) of the rollback target's images whose broken secret
    references point at an enabled version: the newest one, or one created first. Each
    container is named with `--container` on a multi-container service."""
    target = rollback.target
    identity = target.get("serviceAccount")
    pins = [
        (use, enabled_version(inv, use.secret, str(identity) if identity else None))
        for use in broken
    ]
    first = list(dict.fromkeys(command for _, repin in pins for command in repin.first))
    containers = list(target.get("containers") or [])
    images = " ".join(
        f"{container_flag(containers, c)}--image={sh(c.get('image', ''))}" for c in containers
    )
    deploy = (
        f"gcloud run deploy {sh(rollback.name)} --region={sh(region_of(rollback.service))} "
        f"--project={sh(inv.project_id)} {images} "
        + update_secrets_flags(containers, [(use, repin.version) for use, repin in pins])
        + " --no-traffic"
    )
    note = "redeploy the old code with enabled secret versions: "
    if first:
        note = "create the missing secret versions (the value on stdin), then redeploy the old code with them: "
    return note + " && ".join([*first, deploy])


@rollback_check(
    id="run.rollback-secret-unavailable",
    waf=("reliability",),
    title="The secrets the rollback target needs are still available",
    severity=Severity.HIGH,
    requires=[
        registry.RUN_SERVICES,
        registry.RUN_REVISIONS,
        registry.SECRETS,
        registry.SECRET_VERSIONS,
    ],
)
def rollback_secret_unavailable(inv: Inventory) -> Iterator[Outcome]:
    """The rollback target (as `run.no-rollback-target` defines it) references a secret version
    (an explicit number, `latest`, or an alias) that is DISABLED or DESTROYED, or a secret that
    no longer exists: the old revision would not start.

    Env vars (`valueSource.secretKeyRef`) and secret volumes are resolved when an instance
    starts; an instance whose secret cannot be read does not start. Secret payloads are never
    read: the version states are enough.

    ## Why it matters
    Rotating a secret usually disables or destroys the old version. The running revision keeps
    its already-resolved value, so nothing breaks until the day you roll back to a revision that
    pins the destroyed version and it fails to start.

    ## Example
    Rollback target `api-00016-kop` uses `db-password` version 3, now DESTROYED: fails.

    ## Remediation
    Deploy a new revision of the old image, taking no traffic, whose secret references point at
    an enabled version (the newest, or one you add first with
    `gcloud secrets versions add SECRET --project=PROJECT_ID --data-file=-`):
    `gcloud run deploy SERVICE --region=REGION --project=PROJECT_ID --image=OLD_IMAGE --update-secrets=VAR=SECRET:4 --no-traffic`.
    Rotate secrets by adding versions and keeping the previous one enabled until no revision
    needs it.

    ## References
    - https://cloud.google.com/run/docs/configuring/services/secrets
    - https://cloud.google.com/secret-manager/docs/managing-secret-versions
    """

    def judge(rollback: Rollback) -> Outcome:
        name, revision, resource = rollback.name, rollback.revision, rollback.resource
        uses = secret_uses(rollback.target)
        broken = [
            (use, why) for use in uses if (why := version_problem(inv, use.secret, use.version))
        ]
        if broken:
            return failed(
                resource,
                f"Rolling Cloud Run service {name} back to {revision} would fail to start: {'; '.join(dict.fromkeys(w for _, w in broken))}.",
                remediation=redeploy_with_enabled_secrets(
                    inv, rollback, [use for use, _ in broken]
                ),
            )
        used = (
            f"its {len(uses)} secret reference(s) resolve to enabled versions"
            if uses
            else "it uses no secret"
        )
        return passed(resource, f"Rollback target {revision} of {name} can start: {used}.")

    yield from each_rollback(inv, judge)
