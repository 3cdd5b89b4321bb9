"""Cloud Run services: their revision templates (runtime identity, env, Cloud SQL mounts), the
`Service` objects whose latest and traffic fields agree with their revisions, and their invoker
IAM policies (private, or public to allUsers or allAuthenticatedUsers)."""

from __future__ import annotations

import random
from datetime import timedelta

from ...collect import apis
from .draws import chance, days_ago, letters, pick, ts, uuid4
from .iam import foreign_account
from .plan import (
    ID_TOKENS,
    JSON,
    PUBLIC_MEMBERS,
    RUN_REGIONS,
    ProjectPlan,
    WorldPlan,
    binding,
    policy,
    resource_labels,
    some_environment,
)
from .run_env import container_env
from .run_revisions import FAILURES, deploys, plan_rollout, revision, succeeded

SERVICE_NAMES = ("api", "web", "worker", "admin", "checkout", "orders", "notifier", "gateway")
REGION_CODES = {
    "europe-west1": "ew",
    "europe-west4": "ez",
    "us-central1": "uc",
    "us-east1": "ue",
    "asia-northeast1": "an",
}


def _identity(world: WorldPlan, project: ProjectPlan) -> str | None:
    """The runtime service account of a new service (None: the default, unset)."""
    rng = world.rng
    own = project.user_accounts()
    roll = rng.random()
    if roll < 0.45 and own:
        return pick(rng, own)
    if roll < 0.6 and project.runtime_identities:
        return pick(rng, project.runtime_identities)  # shared with another service
    if roll < 0.75:
        return None
    if roll < 0.8:
        return project.compute_sa
    return foreign_account(world, project)


def _sql_mount(world: WorldPlan, project: ProjectPlan) -> str | None:
    """A Cloud SQL connection name to mount: own instance, another project's, or none."""
    rng = world.rng
    if project.instances and chance(rng, 0.55):
        return str(pick(rng, project.instances)["connectionName"])
    foreign = [i for p in world.others(project) for i in p.instances]
    if foreign and chance(rng, 0.3):
        return str(pick(rng, foreign)["connectionName"])
    return None


def _template(world: WorldPlan, project: ProjectPlan, service: str) -> JSON:
    """The service's revision template; its image is the newest revision's (set by the caller)."""
    rng = world.rng
    env = container_env(world, project)
    container: JSON = {
        "name": service,
        "image": "",
        "env": env,
        "resources": {
            "limits": {"cpu": pick(rng, ("1000m", "2")), "memory": pick(rng, ("512Mi", "1Gi"))},
            "cpuIdle": True,
            "startupCpuBoost": True,
        },
        "ports": [{"name": "http1", "containerPort": 8080}],
        "startupProbe": {
            "timeoutSeconds": 240,
            "periodSeconds": 240,
            "failureThreshold": 1,
            "tcpSocket": {"port": 8080},
        },
    }
    scaling = {"maxInstanceCount": pick(rng, (3, 10, 20, 100))} if chance(rng, 0.8) else {}
    template: JSON = {"scaling": scaling, "timeout": "300s"}
    identity = _identity(world, project)
    if identity is not None:
        template["serviceAccount"] = identity
        project.runtime_identities.append(identity)
    mount = _sql_mount(world, project)
    if mount is not None:
        env.append({"name": "DB_HOST", "value": f"/cloudsql/{mount}"})
        container["volumeMounts"] = [{"name": "cloudsql", "mountPath": "/cloudsql"}]
        template["volumes"] = [{"name": "cloudsql", "cloudSqlInstance": {"instances": [mount]}}]
    template["containers"] = [container]
    template["executionEnvironment"] = "EXECUTION_ENVIRONMENT_GEN2"
    template["maxInstanceRequestConcurrency"] = pick(rng, (10, 80))
    return template


def _service_name(rng: random.Random, project: ProjectPlan, taken: set[str]) -> str:
    """A service name not in `taken` (then added), sometimes naming an environment."""
    while True:
        name = pick(rng, SERVICE_NAMES)
        if chance(rng, 0.12):  # named for an environment, sometimes another one
            name = f"{name}-{pick(rng, ID_TOKENS[some_environment(rng, project, 0.5)])}"
        if name not in taken:
            taken.add(name)
            return name


def _service(
    world: WorldPlan, project: ProjectPlan, name: str, region: str
) -> tuple[JSON, list[JSON]]:
    """A service and its revisions, whose latest and traffic fields agree."""
    rng = world.rng
    full = f"projects/{project.project_id}/locations/{region}/services/{name}"
    rollout = plan_rollout(rng, name)
    created, updated = days_ago(rng, 200, 600), rollout.created[-1]
    generation = str(int(rollout.names[-1].split("-")[-2]) + rng.randint(0, 2))
    template = _template(world, project, name)
    labels = resource_labels(rng, project, name)
    if chance(rng, 0.5):
        template["labels"] = {"app": name}
    service: JSON = {"name": full, "uid": uuid4(rng), "generation": generation}
    if chance(rng, 0.3):
        service["description"] = f"{name} service of {project.project_id}"
    service.update(
        {
            "labels": labels,
            "createTime": ts(created),
            "updateTime": ts(updated),
            "creator": f"cto@{world.domain}",
            "lastModifier": pick(
                rng,
                (
                    f"dev-{rng.randint(1, 9)}@{world.domain}",
                    f"deployer@{project.project_id}.iam.gserviceaccount.com",
                ),
            ),
            "client": pick(rng, ("gcloud", "cloud-console", "terraform")),
            "ingress": pick(
                rng,
                (
                    "INGRESS_TRAFFIC_ALL",
                    "INGRESS_TRAFFIC_INTERNAL_ONLY",
                    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
                ),
            ),
            "launchStage": "GA",
            "template": template,
        }
    )
    if chance(rng, 0.06):
        service["invokerIamDisabled"] = True  # anyone can call it, whatever its IAM policy
    failure = pick(rng, FAILURES)
    container = template["containers"][0]
    runs = deploys(world, project, name, region, rollout, container["env"], failure)
    container["image"] = runs[-1].image
    revisions = [
        revision(world, project, service, rollout, i, failure, deploy)
        for i, deploy in enumerate(runs)
    ]
    at = ts(updated + timedelta(seconds=rng.randint(30, 120)))
    prefix = f"{full}/revisions/"
    service["traffic"] = rollout.traffic
    service["observedGeneration"] = generation
    if rollout.ready[-1]:
        service["terminalCondition"] = succeeded("Ready", at)
        service["conditions"] = [
            succeeded(kind, at) for kind in ("RoutesReady", "ConfigurationsReady")
        ]
    else:
        image = revisions[-1]["containers"][0]["image"]
        before = f"Revision '{rollout.names[-1]}' is not ready and cannot serve traffic. "
        failed = failure.condition(image, at, before)
        service["terminalCondition"] = failed
        service["conditions"] = [
            dict(failed, type="ConfigurationsReady"),
            succeeded("RoutesReady", at),
        ]
    if rollout.latest_ready is not None:
        service["latestReadyRevision"] = prefix + rollout.latest_ready
    service["latestCreatedRevision"] = prefix + rollout.names[-1]
    host = f"{name}-{letters(rng, 10)}-{REGION_CODES[region]}.a.run.app"
    statuses: list[JSON] = []
    for target in rollout.traffic:
        status = dict(target)
        if "tag" in target:
            status["uri"] = f"https://{target['tag']}---{host}"
        statuses.append(status)
    service["trafficStatuses"] = statuses
    service["uri"] = f"https://{name}-{project.number}.{region}.run.app"
    service["urls"] = [service["uri"], f"https://{host}"]
    service["etag"] = f'"{letters(rng, 12)}/{letters(rng, 16)}"'
    return service, revisions


def _invoker_policy(world: WorldPlan, project: ProjectPlan) -> JSON | None:
    """A service's IAM policy: none of its own, invokers that are service accounts or a group,
    or public (allUsers or allAuthenticatedUsers, alone or next to a private invoker)."""
    rng = world.rng
    roll = rng.random()
    if roll < 0.35:
        return None
    callers = [f"serviceAccount:{e}" for e in project.workload_accounts()]
    members = {pick(rng, [*callers, f"group:developers@{world.domain}"])}
    if roll >= 0.72:
        public = pick(rng, PUBLIC_MEMBERS)
        members = {public} if chance(rng, 0.6) else members | {public}
    return policy(rng, [binding("roles/run.invoker", members)])


def run_services(world: WorldPlan, project: ProjectPlan) -> tuple[list[JSON], list[JSON], JSON]:
    """0 to 4 services in 1 or 2 regions, their revisions and some service IAM policies."""
    rng = world.rng
    if not project.serves(apis.RUN):
        return [], [], {}
    regions = rng.sample(RUN_REGIONS, pick(rng, (1, 1, 2)))
    services: list[JSON] = []
    revisions: list[JSON] = []
    policies: JSON = {}
    taken: set[str] = set()
    for _ in range(pick(rng, (0, 1, 1, 2, 2, 3, 4))):
        region = pick(rng, regions)
        service, own = _service(world, project, _service_name(rng, project, taken), region)
        services.append(service)
        revisions.extend(own)
        found = _invoker_policy(world, project)
        if found is not None:
            policies[service["name"]] = found
    rng.shuffle(revisions)
    return services, revisions, policies
