"""Secret Manager: a project's secrets, their versions (some rotated away), their IAM policies,
and the versions a Cloud Run service's `secretKeyRef` can name."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from .draws import REFERENCE_DATE, chance, days_ago, hex_digits, pick, ts
from .plan import (
    JSON,
    PUBLIC_MEMBERS,
    SECRET_IDS,
    ProjectPlan,
    WorldPlan,
    binding,
    policy,
    short,
    team_labels,
)


def _versions(rng: random.Random, secret: str, created: datetime) -> list[JSON]:
    """1 to 6 versions, newest first: the newest usually ENABLED, older ones still ENABLED or
    rotated away (DISABLED, or DESTROYED some days after the next version was added)."""
    count = rng.randint(1, 6)
    span = (REFERENCE_DATE - created).total_seconds() - 86400
    moments = [
        created,
        *sorted(created + timedelta(seconds=rng.uniform(0, span)) for _ in range(count - 1)),
    ]
    versions: list[JSON] = []
    for number, moment in enumerate(moments, start=1):
        if number == count:
            state = "ENABLED" if chance(rng, 0.88) else "DISABLED"
        else:
            state = pick(rng, ("ENABLED", "DISABLED", "DISABLED", "DESTROYED", "DESTROYED"))
        version: JSON = {"name": f"{secret}/versions/{number}", "createTime": ts(moment)}
        if state == "DESTROYED":
            destroyed = moments[number] + timedelta(days=rng.uniform(1, 30))
            version["destroyTime"] = ts(min(destroyed, REFERENCE_DATE - timedelta(hours=1)))
        version["state"] = state
        version["replicationStatus"] = {"automatic": {}}
        version["etag"] = f'"{hex_digits(rng, 13)}"'
        version["clientSpecifiedPayloadChecksum"] = True
        versions.append(version)
    return versions[::-1]


def secrets(world: WorldPlan, project: ProjectPlan) -> tuple[list[JSON], dict[str, list[JSON]]]:
    """0 to 4 secrets (named with the project number, as the API does) and their versions."""
    rng = world.rng
    found: list[JSON] = []
    versions: dict[str, list[JSON]] = {}
    for secret_id in rng.sample(SECRET_IDS, pick(rng, (0, 1, 2, 2, 3, 4))):
        created = days_ago(rng, 60, 700)
        secret: JSON = {
            "name": f"projects/{project.number}/secrets/{secret_id}",
            "replication": {"automatic": {}},
            "createTime": ts(created),
        }
        if chance(rng, 0.5):
            secret["labels"] = team_labels(project)
        secret["etag"] = f'"{hex_digits(rng, 13)}"'
        found.append(secret)
        versions[secret["name"]] = _versions(rng, secret["name"], created)
    return found, versions


def secret_policies(world: WorldPlan, project: ProjectPlan) -> JSON:
    """Per secret: accessor for a workload of the project (some secrets have no policy of their
    own), sometimes a version manager, a few public."""
    rng = world.rng
    readers = list(dict.fromkeys(project.runtime_identities)) or project.user_accounts()
    policies: JSON = {}
    for secret in project.secrets:
        if chance(rng, 0.2):
            continue
        members = {f"serviceAccount:{pick(rng, readers or [project.compute_sa])}"}
        if chance(rng, 0.12):
            members.add(pick(rng, PUBLIC_MEMBERS))
        bindings = [binding("roles/secretmanager.secretAccessor", members)]
        if chance(rng, 0.2):
            admin = f"user:{pick(rng, ('cto', 'admin'))}@{world.domain}"
            bindings.append(
                {"role": "roles/secretmanager.secretVersionManager", "members": [admin]}
            )
        policies[secret["name"]] = policy(rng, bindings)
    return policies


def _versions_of(world: WorldPlan, project: ProjectPlan, ref: str) -> list[JSON]:
    """The versions of the secret a `secretKeyRef.secret` names ([]: no such secret)."""
    parts = ref.split("/")
    owner = project if len(parts) == 1 else world.find(parts[1])
    if owner is None:
        return []
    return owner.versions.get(f"projects/{owner.number}/secrets/{parts[-1]}", [])


def secret_version(world: WorldPlan, project: ProjectPlan, ref: str) -> str:
    """`latest`, or one of the secret's version numbers, whatever its state."""
    numbers = [short(v["name"]) for v in _versions_of(world, project, ref)]
    if not numbers or chance(world.rng, 0.5):
        return "latest"
    return pick(world.rng, numbers)
