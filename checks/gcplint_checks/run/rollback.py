"""Rollback readiness: a Cloud Run service can go back to a revision that works."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Reason,
    Severity,
    Unreadable,
    check,
    failed,
    from_unreadable,
    not_applicable,
    passed,
    registry,
    unknown,
)

from .._run import (
    is_ready,
    region_of,
    revisions_of,
    rollback_target,
    service_resource,
    serving,
    short_name,
)

JSON = Mapping[str, Any]


def first_sentence(text: str, limit: int = 160) -> str:
    """The first sentence of an API message, on one line and at most `limit` characters."""
    lines = text.strip().splitlines()
    sentence = (lines[0] if lines else text).split(". ")[0].rstrip(".")
    return sentence if len(sentence) <= limit else sentence[: limit - 1] + "…"


@check(
    id="run.no-rollback-target",
    title="Cloud Run service has a Ready revision to roll back to",
    severity=Severity.HIGH,
    area=Area.ROLLBACK,
    requires=[registry.RUN_SERVICES, registry.RUN_REVISIONS],
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
    services = inv.get(registry.RUN_SERVICES)
    revisions = inv.get(registry.RUN_REVISIONS) if services else []
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


def with_rollback_target(inv: Inventory) -> Iterator[tuple[JSON, JSON]]:
    """(service, the revision a rollback would go to) for every service that has one."""
    services = inv.get(registry.RUN_SERVICES)
    revisions = inv.get(registry.RUN_REVISIONS) if services else []
    for service in services:
        target = rollback_target(service, revisions)
        if target is not None:
            yield service, target


def artifact_repository(image: str) -> tuple[str, str, str, str] | None:
    """(project, repository resource name, image path, tag or '') of an Artifact Registry image
    `LOCATION-docker.pkg.dev/PROJECT/REPO/IMAGE[:TAG][@sha256:…]`; None for other registries."""
    reference = image.split("@", 1)[0]
    host, _, rest = reference.partition("/")
    if not host.endswith("-docker.pkg.dev"):
        return None
    parts = rest.split("/")
    if len(parts) < 3:
        return None
    project, repository, path = parts[0], parts[1], "/".join(parts[2:])
    path, _, tag = path.partition(":")
    location = host.removesuffix("-docker.pkg.dev")
    return project, f"projects/{project}/locations/{location}/repositories/{repository}", path, tag


def digests(revision: JSON) -> dict[str, str]:
    """Image reference -> digest the revision runs (from the reference, else containerStatuses)."""
    status = {
        str(s.get("name", "")): str(s.get("imageDigest", ""))
        for s in revision.get("containerStatuses") or []
    }
    found: dict[str, str] = {}
    for container in revision.get("containers") or []:
        image = str(container.get("image", ""))
        resolved = status.get(
            str(container.get("name", "")), ""
        )  # "…/image@sha256:…" or "sha256:…"
        digest = image.partition("@")[2] or resolved.rpartition("@")[2]
        found[image] = digest
    return found


def short_digest(digest: str) -> str:
    """sha256:64c48bc2e9f1… (12 hex digits are plenty to recognise it)."""
    algorithm, _, value = digest.partition(":")
    return f"{algorithm}:{value[:12]}…" if len(value) > 12 else digest


@dataclass(frozen=True)
class ImageState:
    """Whether a rollback target's image can still be pulled, and where it lives."""

    present: bool | None  # None: not in Artifact Registry, cannot tell
    how: str
    repository: str = ""  # projects/P/locations/L/repositories/R


def _image_state(inv: Inventory, image: str, digest: str) -> ImageState:
    parsed = artifact_repository(image)
    if parsed is None:
        return ImageState(None, f"{image} is not in Artifact Registry")
    project, repository, path, tag = parsed
    names = {str(r.get("name", "")) for r in inv.get(registry.REPOSITORIES, project)}
    if repository not in names:
        return ImageState(False, f"repository {repository} no longer exists", repository)
    images = inv.get(registry.DOCKER_IMAGES, project).of(repository)
    uri_prefix = f"{image.split('/', 1)[0]}/{project}/{repository.rpartition('/')[2]}/{path}@"
    same_path = [i for i in images if str(i.get("uri", "")).startswith(uri_prefix)]
    if digest:
        present = any(str(i.get("uri", "")).endswith(f"@{digest}") for i in same_path)
        where = "is in" if present else "is no longer in"
        return ImageState(
            present, f"{path}@{short_digest(digest)} {where} {repository}", repository
        )
    present = any(tag in (i.get("tags") or []) for i in same_path)
    where = "is in" if present else "is no longer in"
    return ImageState(
        present, f"{path}:{tag or 'latest'} {where} {repository} (no digest recorded)", repository
    )


def keep_recent(repository: str) -> str:
    """The command that protects rollback targets in a repository from cleanup."""
    parts = repository.split("/")
    if len(parts) < 6:
        return "gcloud artifacts repositories set-cleanup-policies REPOSITORY --location=LOCATION --policy=keep-recent.json"
    return (
        f"gcloud artifacts repositories set-cleanup-policies {parts[5]} --location={parts[3]} "
        f"--project={parts[1]} --policy=keep-recent.json  (a KEEP rule with mostRecentVersions.keepCount)"
    )


@check(
    id="run.rollback-image-missing",
    title="The rollback target's image still exists",
    severity=Severity.HIGH,
    area=Area.ROLLBACK,
    requires=[
        registry.RUN_SERVICES,
        registry.RUN_REVISIONS,
        registry.REPOSITORIES,
        registry.DOCKER_IMAGES,
    ],
)
def rollback_image_missing(inv: Inventory) -> Iterator[Outcome]:
    """The rollback target (the newest Ready revision not serving traffic) runs an image whose
    digest no longer exists in its Artifact Registry repository.

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
    for service, target in with_rollback_target(inv):
        name, revision = short_name(service), short_name(target)
        resource = service_resource(inv, service)
        try:
            judged = [_image_state(inv, image, digest) for image, digest in digests(target).items()]
        except Unreadable as exc:
            yield from_unreadable(exc, resource)
            continue
        missing = [j for j in judged if j.present is False]
        if missing:
            yield failed(
                resource,
                f"Rolling Cloud Run service {name} back to {revision} would fail: {'; '.join(j.how for j in missing)}.",
                remediation="re-push the image or roll forward; then keep rollback targets:\n"
                + "\n".join(dict.fromkeys(keep_recent(j.repository) for j in missing)),
            )
        elif judged and all(j.present is None for j in judged):
            yield not_applicable(
                resource,
                Reason.NOT_FOUND,
                f"Rollback target {revision} of {name}: {'; '.join(j.how for j in judged)}, so gcplint cannot check it.",
            )
        else:
            kept = "; ".join(j.how for j in judged if j.present)
            yield passed(
                resource,
                f"The image of rollback target {revision} of {name} still exists ({kept}).",
            )


def secret_reference(owner: str, secret: str) -> tuple[str, str]:
    """(project, secret id) of a `secretKeyRef.secret` (short name: the service's project)."""
    parts = secret.split("/")
    if len(parts) >= 4 and parts[0] == "projects" and parts[2] == "secrets":
        return parts[1], parts[3]
    return owner, secret


@dataclass(frozen=True)
class SecretUse:
    """A secret version a revision needs at start, and where it goes."""

    secret: str  # short name or projects/P/secrets/S
    version: str  # a number, "latest" or an alias
    env: str | None  # the env var it fills (None: a mounted volume)


def secret_uses(revision: JSON) -> list[SecretUse]:
    """The secret versions a revision needs at start: env vars and mounted volumes."""
    uses = []
    for container in revision.get("containers") or []:
        for var in container.get("env") or []:
            ref = (var.get("valueSource") or {}).get("secretKeyRef") or {}
            if ref.get("secret"):
                uses.append(
                    SecretUse(
                        str(ref["secret"]),
                        str(ref.get("version") or "latest"),
                        str(var.get("name", "")),
                    )
                )
    for volume in revision.get("volumes") or []:
        secret = volume.get("secret") or {}
        if secret.get("secret"):
            items = secret.get("items") or [{}]
            uses += [
                SecretUse(str(secret["secret"]), str(item.get("version") or "latest"), None)
                for item in items
            ]
    return list(dict.fromkeys(uses))


def _version_state(inv: Inventory, owner: str, secret: str, version: str) -> str | None:
    """Why `secret:version` would not resolve, or None when it is ENABLED."""
    project, secret_id = secret_reference(owner, secret)
    found = next(
        (
            s
            for s in inv.get(registry.SECRETS, project)
            if str(s.get("name", "")).endswith(f"/secrets/{secret_id}")
        ),
        None,
    )
    if found is None:
        return f"secret {secret_id} of project {project} no longer exists"
    versions = inv.get(registry.SECRET_VERSIONS, project).of(str(found["name"]))
    by_id = {str(v.get("name", "")).rpartition("/")[2]: v for v in versions}
    wanted = version
    if version == "latest":
        numbered = [k for k in by_id if k.isdigit()]
        if not numbered:
            return f"secret {secret_id} has no version for 'latest'"
        wanted = max(numbered, key=int)
    elif not version.isdigit():
        wanted = str((found.get("versionAliases") or {}).get(version, ""))
        if not wanted:
            return f"secret {secret_id} has no version or alias '{version}'"
    state = (by_id.get(wanted) or {}).get("state")
    if state is None:
        return f"version {wanted} of secret {secret_id} no longer exists"
    if state != "ENABLED":
        return (
            f"version {wanted} of secret {secret_id}"
            + (f" ('{version}')" if version != wanted else "")
            + f" is {state}"
        )
    return None


@check(
    id="run.rollback-secret-unavailable",
    title="The secrets the rollback target needs are still available",
    severity=Severity.HIGH,
    area=Area.ROLLBACK,
    requires=[
        registry.RUN_SERVICES,
        registry.RUN_REVISIONS,
        registry.SECRETS,
        registry.SECRET_VERSIONS,
    ],
)
def rollback_secret_unavailable(inv: Inventory) -> Iterator[Outcome]:
    """The rollback target references a secret version (an explicit number, `latest`, or an
    alias) that is DISABLED or DESTROYED, or a secret that no longer exists: the old revision
    would not start.

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
    Point the rollback target at an enabled version by deploying a new revision with the old
    image: `gcloud run deploy SERVICE --image=OLD_IMAGE --update-secrets=VAR=SECRET:latest`; rotate
    secrets by adding versions and keeping the previous one enabled until no revision needs it.

    ## References
    - https://cloud.google.com/run/docs/configuring/services/secrets
    - https://cloud.google.com/secret-manager/docs/managing-secret-versions
    """
    for service, target in with_rollback_target(inv):
        name, revision = short_name(service), short_name(target)
        resource = service_resource(inv, service)
        uses = secret_uses(target)
        try:
            broken = [
                (use, why)
                for use in uses
                if (why := _version_state(inv, inv.project_id, use.secret, use.version))
            ]
        except Unreadable as exc:
            yield from_unreadable(exc, resource)
            continue
        if broken:
            repoint = (
                ",".join(
                    f"{use.env}={use.secret.rpartition('/')[2]}:latest"
                    for use, _ in broken
                    if use.env
                )
                or "VAR=SECRET:latest"
            )
            images = ",".join(str(c.get("image", "")) for c in target.get("containers") or [])
            yield failed(
                resource,
                f"Rolling Cloud Run service {name} back to {revision} would fail to start: {'; '.join(w for _, w in broken)}.",
                remediation=(
                    f"redeploy the old code with enabled secret versions: gcloud run deploy {name} --region={region_of(service)} "
                    f"--project={inv.project_id} --image={images or 'OLD_IMAGE'} --update-secrets={repoint} --no-traffic"
                ),
            )
        else:
            used = (
                f"its {len(uses)} secret reference(s) resolve to enabled versions"
                if uses
                else "it uses no secret"
            )
            yield passed(resource, f"Rollback target {revision} of {name} can start: {used}.")
