"""Cloud Run container env: secrets read from Secret Manager (of the service's project or another
one), harmless literal settings, credentials pasted into literal values, and the env of older
revisions (secrets pinned to versions rotated away since, or since deleted)."""

from __future__ import annotations

import random

from .cloudsql import sql_address
from .draws import alnum, b64, chance, pick
from .plan import DB_NAMES, JSON, SECRET_IDS, ProjectPlan, WorldPlan, short
from .secretmanager import secret_version


def _secret_ref(world: WorldPlan, project: ProjectPlan) -> str | None:
    """A secret a service reads: usually one of its project (short or full name), sometimes one
    of another project of the world (by ID or number); None when there is none to read."""
    rng = world.rng
    others = [p for p in world.others(project) if p.secrets]
    if project.secrets and (not others or chance(rng, 0.8)):
        secret_id = short(pick(rng, project.secrets)["name"])
        return (
            secret_id if chance(rng, 0.8) else f"projects/{project.project_id}/secrets/{secret_id}"
        )
    if others and chance(rng, 0.6 if project.secrets else 0.35):
        other = pick(rng, others)
        secret_id = short(pick(rng, other.secrets)["name"])
        return f"projects/{pick(rng, (other.project_id, other.number))}/secrets/{secret_id}"
    return None


def literal_credential(rng: random.Random) -> tuple[str, str]:
    """A credential pasted into a literal env value: a password, a URL with user:password@,
    a private key block, a Stripe key."""
    password = alnum(rng, 16)
    host = sql_address(rng, False)
    key = "\n".join(b64(rng, 48) for _ in range(3))
    return pick(
        rng,
        (
            ("DB_PASSWORD", password),
            ("SMTP_PASSWD", password),
            ("DATABASE_URL", f"postgres://app:{password}@{host}:5432/{pick(rng, DB_NAMES)}"),
            ("JWT_SIGNING_KEY", f"-----BEGIN PRIVATE KEY-----\n{key}\n-----END PRIVATE KEY-----\n"),
            ("STRIPE_API_KEY", f"sk_live_{alnum(rng, 24)}"),
        ),
    )


def literal_setting(rng: random.Random, project: ProjectPlan) -> tuple[str, str]:
    """A literal env value that is no credential, some with names that look like one."""
    return pick(
        rng,
        (
            ("TOKEN_URL", "https://oauth2.googleapis.com/token"),
            ("SECRET_NAME", f"projects/{project.project_id}/secrets/{pick(rng, SECRET_IDS)}"),
            ("REDIS_URL", f"redis://{sql_address(rng, False)}:6379"),
            ("GCP_PROJECT", project.project_id),
        ),
    )


def _secret_source(secret: str, version: str) -> JSON:
    """An env var's valueSource reading `version` of `secret`."""
    return {"secretKeyRef": {"secret": secret, "version": version}}


def container_env(world: WorldPlan, project: ProjectPlan) -> list[JSON]:
    """A container's env: a log level, secrets from Secret Manager, sometimes a harmless literal
    setting and sometimes a credential in a literal value."""
    rng = world.rng
    level = pick(rng, ("info", "debug", "warning"))
    env: dict[str, JSON] = {"LOG_LEVEL": {"name": "LOG_LEVEL", "value": level}}
    for _ in range(pick(rng, (0, 1, 1, 2))):
        ref = _secret_ref(world, project)
        if ref is not None:
            name = short(ref).upper().replace("-", "_")
            source = _secret_source(ref, secret_version(world, project, ref))
            env.setdefault(name, {"name": name, "valueSource": source})
    literals = []
    if chance(rng, 0.3):
        literals.append(literal_setting(rng, project))
    if chance(rng, 0.2):
        literals.append(literal_credential(rng))
    for name, value in literals:
        env.setdefault(name, {"name": name, "value": value})
    return list(env.values())


def older_env(world: WorldPlan, project: ProjectPlan, env: list[JSON]) -> list[JSON]:
    """The env of an older revision: its secrets sometimes pinned to another version (rotated
    away since, or not), or named after a secret deleted since."""
    rng = world.rng
    older: list[JSON] = []
    for var in env:
        ref = var.get("valueSource", {}).get("secretKeyRef")
        if ref is None or chance(rng, 0.55):
            older.append(var)
            continue
        secret = str(ref["secret"])
        if chance(rng, 0.12):
            head, slash, secret_id = secret.rpartition("/")
            secret, version = f"{head}{slash}legacy-{secret_id}", "latest"
        else:
            version = secret_version(world, project, secret)
        older.append({"name": var["name"], "valueSource": _secret_source(secret, version)})
    return older
