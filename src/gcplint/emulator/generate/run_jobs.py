"""Cloud Run jobs: batch work that runs code like a service does, with a runtime identity (its
own service account, or the Compute Engine default), an env (sometimes a credential in a literal
value) and an image (from Artifact Registry, sometimes still from Container Registry).

Jobs are drawn from their own random generator, seeded by the project, so adding them leaves
every other draw of the world as it was."""

from __future__ import annotations

import random
from datetime import timedelta

from ...collect import apis
from .draws import chance, days_ago, letters, pick, ts, uuid4
from .plan import JSON, RUN_REGIONS, ProjectPlan, resource_labels
from .run_env import literal_credential, literal_setting

JOB_NAMES = ("nightly-export", "db-migrate", "report-mailer", "reindex", "invoice-batch")


def _image(rng: random.Random, project: ProjectPlan, region: str, name: str) -> str:
    """The job's image: in the project's Artifact Registry by digest, or on gcr.io by tag."""
    if chance(rng, 0.25):
        host = pick(rng, ("gcr.io", "eu.gcr.io", "us.gcr.io"))
        return f"{host}/{project.project_id}/{name}:{rng.randint(1, 40)}"
    digest = f"{rng.getrandbits(256):064x}"
    return f"{region}-docker.pkg.dev/{project.project_id}/jobs/{name}@sha256:{digest}"


def _env(rng: random.Random, project: ProjectPlan) -> list[JSON]:
    """A log level, sometimes a harmless literal setting, sometimes a literal credential."""
    env = {"LOG_LEVEL": {"name": "LOG_LEVEL", "value": pick(rng, ("info", "debug"))}}
    if chance(rng, 0.3):
        name, value = literal_setting(rng, project)
        env.setdefault(name, {"name": name, "value": value})
    if chance(rng, 0.3):
        name, value = literal_credential(rng)
        env.setdefault(name, {"name": name, "value": value})
    return list(env.values())


def _job(rng: random.Random, project: ProjectPlan, name: str) -> JSON:
    region = pick(rng, RUN_REGIONS)
    task: JSON = {
        "containers": [
            {
                "name": name,
                "image": _image(rng, project, region, name),
                "env": _env(rng, project),
                "resources": {"limits": {"cpu": "1000m", "memory": "512Mi"}},
            }
        ],
        "maxRetries": pick(rng, (0, 1, 3)),
        "timeout": pick(rng, ("600s", "3600s")),
        "executionEnvironment": "EXECUTION_ENVIRONMENT_GEN2",
    }
    own = project.user_accounts()
    if own and chance(rng, 0.6):  # else the Compute Engine default account
        task["serviceAccount"] = pick(rng, own)
    created = days_ago(rng, 100, 500)
    updated = days_ago(rng, 1, 90)
    executed = days_ago(rng, 0, 1)
    generation = str(rng.randint(1, 9))
    return {
        "name": f"projects/{project.project_id}/locations/{region}/jobs/{name}",
        "uid": uuid4(rng),
        "generation": generation,
        "labels": resource_labels(rng, project, name),
        "createTime": ts(created),
        "updateTime": ts(updated),
        "creator": f"deployer@{project.project_id}.iam.gserviceaccount.com",
        "lastModifier": f"deployer@{project.project_id}.iam.gserviceaccount.com",
        "launchStage": "GA",
        "template": {"taskCount": pick(rng, (1, 1, 4)), "template": task},
        "observedGeneration": generation,
        "terminalCondition": {
            "type": "Ready",
            "state": "CONDITION_SUCCEEDED",
            "lastTransitionTime": ts(updated + timedelta(seconds=40)),
        },
        "executionCount": rng.randint(1, 400),
        "latestCreatedExecution": {
            "name": f"{name}-{letters(rng, 5)}",
            "createTime": ts(executed),
            "completionTime": ts(executed + timedelta(minutes=rng.randint(1, 30))),
            "completionStatus": "EXECUTION_SUCCEEDED",
        },
        "etag": f'"{letters(rng, 12)}/{letters(rng, 16)}"',
    }


def run_jobs(project: ProjectPlan) -> list[JSON]:
    """0 to 2 Cloud Run jobs of a project that serves Cloud Run."""
    if not project.serves(apis.RUN):
        return []
    rng = random.Random(f"run-jobs:{project.project_id}:{project.number}")
    names = rng.sample(JOB_NAMES, pick(rng, (0, 1, 1, 2)))
    return [_job(rng, project, name) for name in names]
