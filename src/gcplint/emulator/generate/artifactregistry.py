"""Artifact Registry: a project's repositories (docker, maven, npm) with and without scanning and
cleanup policies, the images pushed to the docker ones, and the repositories' IAM policies."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .draws import chance, days_ago, hex_digits, pick, ts
from .plan import JSON, PUBLIC_MEMBERS, ProjectPlan, WorldPlan, binding, policy, team_labels

AR_LOCATIONS = ("europe-west1", "us-central1", "europe", "us")
DOCKER_REPOSITORIES = ("app", "images", "containers", "services")
REPOSITORY_KINDS = (
    *(("DOCKER", r) for r in DOCKER_REPOSITORIES),
    ("MAVEN", "maven"),
    ("MAVEN", "java-libs"),
    ("NPM", "npm"),
    ("NPM", "npm-packages"),
)


def _scanning(rng: random.Random, api_enabled: bool, since: datetime) -> JSON:
    """vulnerabilityScanningConfig: inherited from the project (the Container Scanning API on
    or off), or turned off for the repository."""
    if chance(rng, 0.15):
        return {
            "enablementConfig": "DISABLED",
            "enablementState": "SCANNING_DISABLED",
            "enablementStateReason": "Vulnerability scanning is disabled for this repository.",
        }
    if api_enabled:
        return {
            "enablementConfig": "INHERITED",
            "enablementState": "SCANNING_ACTIVE",
            "enablementStateReason": "API containerscanning.googleapis.com is enabled.",
            "lastEnableTime": ts(since),
        }
    return {
        "enablementConfig": "INHERITED",
        "enablementState": "SCANNING_DISABLED",
        "enablementStateReason": "API containerscanning.googleapis.com is disabled.",
    }


def _cleanup(rng: random.Random) -> JSON:
    """No cleanup policy; DELETE old images and KEEP the most recent ones; DELETE only; KEEP
    only. Policies sometimes still run in dry-run mode."""
    delete = pick(
        rng,
        (
            {
                "id": "delete-untagged-30d",
                "action": "DELETE",
                "condition": {"tagState": "UNTAGGED", "olderThan": "2592000s"},
            },
            {
                "id": "delete-older-than-90d",
                "action": "DELETE",
                "condition": {"tagState": "ANY", "olderThan": "7776000s"},
            },
        ),
    )
    keep = {"id": "keep-10-most-recent", "action": "KEEP", "mostRecentVersions": {"keepCount": 10}}
    roll = rng.random()
    if roll < 0.3:
        return {}
    chosen = [delete, keep] if roll < 0.65 else [delete] if roll < 0.9 else [keep]
    return {
        "cleanupPolicies": {p["id"]: p for p in chosen},
        "cleanupPolicyDryRun": chance(rng, 0.12),
    }


def deletes_without_keep(repository: JSON) -> bool:
    """Its cleanup policies delete images and keep no recent versions (rollbacks lose theirs)."""
    actions = [p["action"] for p in repository.get("cleanupPolicies", {}).values()]
    return "DELETE" in actions and "KEEP" not in actions and not repository["cleanupPolicyDryRun"]


def _repository(
    world: WorldPlan, project: ProjectPlan, kind: tuple[str, str], location: str, scanning: bool
) -> JSON:
    """A repository of `kind` (format, repository ID) at `location`."""
    rng = world.rng
    fmt, repository_id = kind
    created = days_ago(rng, 90, 700)
    repository: JSON = {
        "name": f"projects/{project.project_id}/locations/{location}/repositories/{repository_id}",
        "format": fmt,
    }
    if chance(rng, 0.5):
        repository["description"] = f"{fmt.title()} artifacts of {project.project_id}"
    if chance(rng, 0.5):
        repository["labels"] = team_labels(project)
    repository.update(
        {
            "createTime": ts(created),
            "updateTime": ts(days_ago(rng, 0.5, 30)),
            "mode": "STANDARD_REPOSITORY",
            "sizeBytes": str(rng.randint(10**7, 5 * 10**9)),
            "registryUri": f"{location}-{fmt.lower()}.pkg.dev/{project.project_id}/{repository_id}",
            "vulnerabilityScanningConfig": _scanning(rng, scanning, created),
        }
    )
    if fmt == "DOCKER":
        repository.update(_cleanup(rng))
    return repository


def push(
    rng: random.Random,
    images: list[JSON],
    repository: JSON,
    path: str,
    digest: str,
    tag: str,
    when: datetime,
) -> None:
    """Push an image to a docker repository; it takes the `latest` tag from older ones."""
    prefix = f"{repository['registryUri']}/{path}@"
    for image in images:
        if image["uri"].startswith(prefix) and "latest" in image.get("tags", []):
            image["tags"].remove("latest")
            if not image["tags"]:
                del image["tags"]
    built = when - timedelta(minutes=rng.randint(3, 30))
    uploaded = built + timedelta(seconds=rng.randint(40, 200))
    images.append(
        {
            "name": f"{repository['name']}/dockerImages/{path}@{digest}",
            "uri": prefix + digest,
            "tags": ["latest", tag],
            "imageSizeBytes": str(rng.randint(30_000_000, 400_000_000)),
            "uploadTime": ts(uploaded),
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "buildTime": ts(built, micros=False),
            "updateTime": ts(uploaded),
        }
    )


def repositories(
    world: WorldPlan, project: ProjectPlan
) -> tuple[list[JSON], dict[str, list[JSON]]]:
    """0 to 3 repositories (the first one DOCKER, some MAVEN or NPM) and the images already in
    the docker ones (jobs and base images; services push theirs when they deploy)."""
    rng = world.rng
    count = pick(rng, (0, 1, 1, 1, 2, 3))
    if not count:
        return [], {}
    home, scanning = pick(rng, AR_LOCATIONS), chance(rng, 0.6)
    first = ("DOCKER", pick(rng, DOCKER_REPOSITORIES))
    kinds = [first, *rng.sample([k for k in REPOSITORY_KINDS if k != first], count - 1)]
    found: list[JSON] = []
    images: dict[str, list[JSON]] = {}
    for kind in kinds:
        location = home if chance(rng, 0.8) else pick(rng, AR_LOCATIONS)
        repository = _repository(world, project, kind, location, scanning)
        found.append(repository)
        if kind[0] != "DOCKER":
            continue
        pushed = images[repository["name"]] = []
        for path in rng.sample(("migrations", "base", "batch-job"), rng.randint(0, 2)):
            for moment in sorted(days_ago(rng, 1, 200) for _ in range(rng.randint(1, 3))):
                digest = f"sha256:{hex_digits(rng, 64)}"
                push(rng, pushed, repository, path, digest, hex_digits(rng, 7), moment)
    return found, images


def repository_policies(world: WorldPlan, project: ProjectPlan) -> JSON:
    """Per repository: writers (CI, deployer or Cloud Build), readers in other projects (their
    Cloud Run default identities pull from here), a few public readers."""
    rng = world.rng
    policies: JSON = {}
    for repository in project.repositories:
        if chance(rng, 0.3):
            continue
        writers = [
            f"serviceAccount:{e}"
            for e in project.user_accounts()
            if e.split("@")[0] in ("ci", "deployer", "terraform")
        ] or [f"serviceAccount:{project.number}@cloudbuild.gserviceaccount.com"]
        bindings = [{"role": "roles/artifactregistry.writer", "members": writers}]
        readers = {
            f"serviceAccount:{p.compute_sa}" for p in world.others(project) if chance(rng, 0.3)
        }
        if chance(rng, 0.1):
            readers.add(pick(rng, PUBLIC_MEMBERS))
        if readers:
            bindings.insert(0, binding("roles/artifactregistry.reader", readers))
        policies[repository["name"]] = policy(rng, bindings)
    return policies
