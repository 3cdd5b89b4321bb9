"""Cloud Run revisions: which serve traffic, which one a rollback would go to, and whether
what that revision needs (its image, its secret versions) still exists."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gcplint.api import Inventory, Outcome, Unreadable, from_unreadable, registry

from .._resources import last_segment, short_name
from .._run import grant_secret_access, secret_reference, service_resource
from .._shell import sh

JSON = Mapping[str, Any]


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
                names.add(last_segment(latest))
        else:
            names.add(last_segment(target["revision"]))
    return names


def revisions_of(service: JSON, revisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The service's revisions, newest first."""
    prefix = f"{service.get('name', '')}/revisions/"
    own = [r for r in revisions if str(r.get("name", "")).startswith(prefix)]
    return sorted(own, key=lambda r: str(r.get("createTime", "")), reverse=True)


def rollback_target(service: JSON, revisions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The revision a rollback would send all traffic to, or None. A rollback goes back in time:
    to a Ready revision older than the newest revision serving traffic. When several revisions
    serve (a canary split), it is the newest older one among them (the revision the canary is
    compared with); otherwise the newest Ready older revision, tagged or not. A revision newer
    than every serving one (a blue/green candidate deployed with `--no-traffic`, or one traffic
    was already rolled back from) is not a rollback target. None when no serving revision is
    listed."""
    own = revisions_of(service, revisions)
    live = serving(service)
    newest = next((i for i, r in enumerate(own) if short_name(r) in live), None)
    if newest is None:
        return None
    older = [r for r in own[newest + 1 :] if is_ready(r)]
    still_serving = [r for r in older if short_name(r) in live]
    chosen = still_serving or older
    return chosen[0] if chosen else None


def newer_candidates(service: JSON, revisions: list[dict[str, Any]]) -> list[str]:
    """Short names of the revisions newer than every serving one: untested candidates, or
    revisions traffic was rolled back from; no rollback target."""
    own = revisions_of(service, revisions)
    live = serving(service)
    newest = next((i for i, r in enumerate(own) if short_name(r) in live), len(own))
    return [short_name(r) for r in own[:newest]]


@dataclass(frozen=True)
class Rollback:
    """A Cloud Run service and the revision a rollback would send its traffic to."""

    service: JSON
    target: JSON
    resource: str  # the service's full resource name

    @property
    def name(self) -> str:
        """The service's short name."""
        return short_name(self.service)

    @property
    def revision(self) -> str:
        """The target revision's short name."""
        return short_name(self.target)


def each_rollback(inv: Inventory, judge: Callable[[Rollback], Outcome]) -> Iterator[Outcome]:
    """`judge(rollback)` for every service that has a rollback target. A service whose target's
    needs cannot be read (Unreadable) is unknown, and the others are still judged."""
    services = inv.get(registry.RUN_SERVICES)
    revisions = inv.get(registry.RUN_REVISIONS) if services else []
    for service in services:
        target = rollback_target(service, revisions)
        if target is None:
            continue
        rollback = Rollback(service, target, service_resource(inv, service))
        try:
            outcome = judge(rollback)
        except Unreadable as exc:
            outcome = from_unreadable(exc, rollback.resource)
        yield outcome


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


def image_state(inv: Inventory, image: str, digest: str) -> ImageState:
    """Whether `image` (running `digest`, when recorded) is still in its Artifact Registry
    repository, which may be another project's. Raises Unreadable."""
    parsed = artifact_repository(image)
    if parsed is None:
        return ImageState(None, f"{image} is not in Artifact Registry")
    project, repository, path, tag = parsed
    names = {str(r.get("name", "")) for r in inv.get(registry.REPOSITORIES, project)}
    if repository not in names:
        return ImageState(False, f"repository {repository} no longer exists", repository)
    images = inv.get(registry.DOCKER_IMAGES, project).of(repository)
    uri_prefix = f"{image.split('/', 1)[0]}/{project}/{last_segment(repository)}/{path}@"
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


def find_secret(inv: Inventory, secret: str) -> tuple[str, str, dict[str, Any] | None]:
    """The project and id a secret reference names (this project's, unless it names another),
    and the secret, or None when it no longer exists. Raises Unreadable."""
    project, secret_id = secret_reference(secret)
    project = project or inv.project_id
    found = next(
        (
            s
            for s in inv.get(registry.SECRETS, project)
            if str(s.get("name", "")).endswith(f"/secrets/{secret_id}")
        ),
        None,
    )
    return project, secret_id, found


def version_problem(inv: Inventory, secret: str, version: str) -> str | None:
    """Why `secret:version` (of this project, unless the reference names another) would not
    resolve, or None when it is ENABLED. Raises Unreadable."""
    project, secret_id, found = find_secret(inv, secret)
    if found is None:
        return f"secret {secret_id} of project {project} no longer exists"
    versions = inv.get(registry.SECRET_VERSIONS, project).of(str(found["name"]))
    by_id = {short_name(v): v for v in versions}
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


@dataclass(frozen=True)
class Repin:
    """An enabled version to point a secret reference at, and what to run first to have one."""

    version: str
    first: tuple[str, ...] = ()  # gcloud commands that create the version (or the secret)


def enabled_version(inv: Inventory, secret: str, identity: str | None) -> Repin:
    """The newest ENABLED version of `secret` (this project's, unless the reference names
    another). Without one, the version the next `gcloud secrets versions add` creates (numbers
    are never reused: one past the highest ever); for a deleted secret, version 1 of it
    re-created, readable by the runtime `identity` again (a new secret has an empty policy).
    Raises Unreadable."""
    project, secret_id, found = find_secret(inv, secret)
    if found is None:
        create = f"gcloud secrets create {sh(secret_id)} --project={sh(project)} --data-file=-"
        grant = (grant_secret_access(project, secret_id, identity),) if identity else ()
        return Repin("1", (create, *grant))
    versions = inv.get(registry.SECRET_VERSIONS, project).of(str(found["name"]))
    numbers = [int(short_name(v)) for v in versions if short_name(v).isdigit()]
    enabled = [
        int(short_name(v))
        for v in versions
        if short_name(v).isdigit() and v.get("state") == "ENABLED"
    ]
    if enabled:
        return Repin(str(max(enabled)))
    add = f"gcloud secrets versions add {sh(secret_id)} --project={sh(project)} --data-file=-"
    return Repin(str(max(numbers, default=0) + 1), (add,))
