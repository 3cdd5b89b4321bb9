"""Cloud Run rollouts and revisions: which revisions a service has, which became Ready, where its
traffic goes (latest, pinned, split, tagged), what each revision runs (the image, from Artifact
Registry or Container Registry, pushed or cleaned up since; the env), and the `Revision` objects."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from .artifactregistry import deletes_without_keep, push
from .draws import chance, days_ago, hex_digits, letters, pick, ts, uuid4
from .plan import JSON, ProjectPlan, WorldPlan, short
from .run_env import older_env


class Failure(NamedTuple):
    """Why a revision failed, as its Ready condition says."""

    key: str  # the condition's field that names the reason: reason or revisionReason
    value: str
    message: str  # may name the revision's {image}

    def condition(self, image: str, at: str, before: str = "") -> JSON:
        """The failed Ready condition of a revision of `image`; `before` leads the message."""
        return {
            "type": "Ready",
            "state": "CONDITION_FAILED",
            "message": before + self.message.format(image=image),
            "lastTransitionTime": at,
            self.key: self.value,
        }


FAILURES = (
    Failure(
        "revisionReason",
        "HEALTH_CHECK_CONTAINER_ERROR",
        "The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable within the allocated timeout.",
    ),
    Failure("reason", "CONTAINER_MISSING", "Image '{image}' not found."),
    Failure(
        "reason",
        "SECRETS_ACCESS_CHECK_FAILED",
        "spec.template.spec.containers[0].env[1].value_from.secret_key_ref.name: Permission denied on secret for Revision service account.",
    ),
)


def succeeded(kind: str, at: str) -> JSON:
    """A condition of type `kind` that succeeded at `at`."""
    return {"type": kind, "state": "CONDITION_SUCCEEDED", "lastTransitionTime": at}


@dataclass
class Rollout:
    """Revisions of one service, oldest first, and where its traffic goes."""

    names: list[str]
    ready: list[bool]
    created: list[datetime]
    traffic: list[JSON]

    @property
    def latest_ready(self) -> str | None:
        """The newest revision that became Ready, if any did."""
        ready = [n for n, ok in zip(self.names, self.ready, strict=True) if ok]
        return ready[-1] if ready else None


def _revision_numbers(rng: random.Random, count: int) -> list[int]:
    """`count` revision numbers, oldest first; older revisions are sometimes pruned (gaps)."""
    newest = rng.randint(count, 60)
    return [*sorted(rng.sample(range(1, newest), count - 1)), newest]


def _readiness(rng: random.Random, count: int) -> list[bool]:
    """Which revisions became Ready, oldest first; at least one did (the first deploy of a
    service that never worked is left out: it has no latestReadyRevision at all)."""
    ready = [chance(rng, 0.85) for _ in range(count)]
    ready[-1] = count == 1 or chance(rng, 0.75)
    if not any(ready):
        ready[-2] = True
    return ready


def _traffic(rng: random.Random, good: list[str]) -> list[JSON]:
    """Traffic targets over the Ready revisions `good` (oldest first)."""
    latest = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    by_revision = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
    scenario = rng.random()
    if scenario < 0.8 and len(good) >= 2 and scenario >= 0.6:  # rolled back, or --no-traffic
        traffic = [{"type": by_revision, "revision": pick(rng, good), "percent": 100}]
    elif scenario >= 0.8 and len(good) >= 2:  # a canary
        old, new = sorted(rng.sample(good, 2))
        share = pick(rng, (5, 10, 25, 50))
        traffic = [
            {"type": by_revision, "revision": old, "percent": 100 - share},
            {"type": by_revision, "revision": new, "percent": share},
        ]
    else:
        traffic = [{"type": latest, "percent": 100}]
    if chance(rng, 0.15):  # a tagged revision, reachable on its own URL without traffic
        traffic.append({"type": by_revision, "revision": pick(rng, good), "tag": "canary"})
    return traffic


def plan_rollout(rng: random.Random, service: str) -> Rollout:
    """1 to 4 revisions; the newest may have failed; traffic on the latest Ready revision,
    pinned to one, or split between two."""
    count = rng.randint(1, 4)
    names = [f"{service}-{n:05d}-{letters(rng, 3)}" for n in _revision_numbers(rng, count)]
    ready = _readiness(rng, count)
    created: list[datetime] = []
    moment = days_ago(rng, 0.5, 60)
    for _ in names:
        created.insert(0, moment)
        moment -= timedelta(days=rng.uniform(0.2, 25))
    good = [n for n, ok in zip(names, ready, strict=True) if ok]
    return Rollout(names, ready, created, _traffic(rng, good))


@dataclass
class Deploy:
    """What one revision runs."""

    image: str  # the reference deployed: by digest, or by tag
    digest: str  # HOST/PROJECT/REPOSITORY/IMAGE@sha256:HEX, as containerStatuses report it
    env: list[JSON]


def _image_home(
    world: WorldPlan, project: ProjectPlan, region: str
) -> tuple[str, ProjectPlan | None, JSON | None]:
    """Where a service's images live: (image path prefix, owner, repository). A docker
    repository of its project or, shared, of another project of the world; else Container
    Registry, or rarely a repository deleted since (owner and repository None)."""
    rng = world.rng
    roll = rng.random()
    own = [(project, r) for r in project.docker_repositories()]
    shared = [(p, r) for p in world.others(project) for r in p.docker_repositories()]
    homes = own if own and roll < 0.75 else shared if shared and roll < 0.88 else []
    if homes:
        owner, repository = pick(rng, homes)
        return str(repository["registryUri"]), owner, repository
    if chance(rng, 0.85):
        return (
            f"{pick(rng, ('gcr.io', 'eu.gcr.io', 'us.gcr.io'))}/{project.project_id}",
            None,
            None,
        )
    return f"{region}-docker.pkg.dev/{project.project_id}/legacy", None, None


def deploys(
    world: WorldPlan,
    project: ProjectPlan,
    service: str,
    region: str,
    rollout: Rollout,
    env: list[JSON],
    failure: Failure,
) -> list[Deploy]:
    """The image and env of every revision, oldest first (the newest runs the template's env).
    Each image is pushed to its repository, except that of a revision that failed with
    CONTAINER_MISSING, and sometimes that of an older revision (cleaned up since: more often
    where cleanup policies delete without keeping recent versions)."""
    rng = world.rng
    prefix, owner, repository = _image_home(world, project, region)
    by_tag = chance(rng, 0.4)
    cleaned = 0.4 if repository is not None and deletes_without_keep(repository) else 0.12
    newest = len(rollout.names) - 1
    found: list[Deploy] = []
    for i, (name, created) in enumerate(zip(rollout.names, rollout.created, strict=True)):
        digest, tag = f"sha256:{hex_digits(rng, 64)}", hex_digits(rng, 7)
        resolved = f"{prefix}/{service}@{digest}"
        kept = i == newest or name == rollout.latest_ready or not chance(rng, cleaned)
        missing = not rollout.ready[i] and failure.value == "CONTAINER_MISSING"
        if owner is not None and repository is not None and kept and not missing:
            push(rng, owner.images[repository["name"]], repository, service, digest, tag, created)
        image = f"{prefix}/{service}:{tag}" if by_tag else resolved
        found.append(
            Deploy(image, resolved, env if i == newest else older_env(world, project, env))
        )
    return found


def revision(
    world: WorldPlan,
    project: ProjectPlan,
    service: JSON,
    rollout: Rollout,
    index: int,
    failure: Failure,
    deploy: Deploy,
) -> JSON:
    """The `Revision` object of revision `index` of `rollout`, from the service's template."""
    rng = world.rng
    template = service["template"]
    name = rollout.names[index]
    service_id = short(service["name"])
    created = rollout.created[index]
    settled = ts(created + timedelta(seconds=rng.randint(20, 90)))
    containers = [dict(template["containers"][0], image=deploy.image, env=deploy.env)]
    found: JSON = {
        "name": f"{service['name']}/revisions/{name}",
        "uid": uuid4(rng),
        "generation": "1",
    }
    if "labels" in template:
        found["labels"] = template["labels"]
    found.update(
        {
            "createTime": ts(created),
            "updateTime": ts(created),
            "launchStage": "GA",
            "service": service_id,
            "scaling": template["scaling"],
            "timeout": template["timeout"],
        }
    )
    if "serviceAccount" in template:
        found["serviceAccount"] = template["serviceAccount"]
    found["containers"] = containers
    if "volumes" in template:
        found["volumes"] = template["volumes"]
    found["executionEnvironment"] = template["executionEnvironment"]
    found["maxInstanceRequestConcurrency"] = template["maxInstanceRequestConcurrency"]
    if rollout.ready[index]:
        found["containerStatuses"] = [{"name": service_id, "imageDigest": deploy.digest}]
        found["conditions"] = [
            succeeded(kind, settled) for kind in ("Ready", "ContainerHealthy", "ResourcesAvailable")
        ]
    else:
        condition = failure.condition(deploy.image, settled)
        found["conditions"] = [condition, dict(condition, type="ContainerHealthy")]
    found["observedGeneration"] = "1"
    found["logUri"] = (
        f"https://console.cloud.google.com/logs/viewer?project={project.project_id}"
        f"&resource=cloud_run_revision/service_name/{service_id}/revision_name/{name}"
    )
    found["etag"] = f'"{letters(rng, 12)}"'
    return found
