"""Helpers for Cloud Run services, jobs and worker pools (REST JSON of run v2), shared by the
`run.*`, `iam.*` and `env.*` checks: names, commands, runtime identities and what a service
references.

A job's task template (`template.template`) holds what the revision template (`template`) of a
service or a worker pool holds: its containers and its service account. The helpers that take a
"workload" accept any of them; the kind is told by the name
(`projects/P/locations/R/services/S`, `.../jobs/J`, `.../workerPools/W`)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gcplint.api import (
    Inventory,
    Outcome,
    Unreadable,
    compute_default_email,
    from_unreadable,
    project_resource,
    registry,
)

from ._resources import last_segment, resource_name, short_name
from ._shell import sh

JSON = Mapping[str, Any]

DEFAULT_MAX_INSTANCES = 100  # https://cloud.google.com/run/docs/configuring/max-instances


def service_resource(inv: Inventory, service: JSON, project_id: str | None = None) -> str:
    """The full resource name of a Cloud Run service, job or worker pool (of this project, or of
    `project_id`)."""
    return resource_name(inv, registry.RUN_SERVICES, service, project_id=project_id)


def region_of(service: JSON) -> str:
    """The service's region, from its name."""
    parts = str(service.get("name", "")).split("/")
    return parts[3] if len(parts) > 3 else "REGION"


def ingress_of(service: JSON) -> str:
    """The service's ingress setting; unset means INGRESS_TRAFFIC_ALL, which is Cloud Run's
    default."""
    return str(service.get("ingress", "INGRESS_TRAFFIC_ALL (unset)"))


def admits_internet(service: JSON) -> bool:
    """The service's run.app URL takes requests from the whole internet (INGRESS_TRAFFIC_ALL)."""
    return ingress_of(service).startswith("INGRESS_TRAFFIC_ALL")


# The collection segment of a workload's name -> how messages name it, its gcloud command group
KINDS = {
    "services": ("Cloud Run service", "services"),
    "jobs": ("Cloud Run job", "jobs"),
    "workerPools": ("Cloud Run worker pool", "worker-pools"),
}


def _kind(workload: JSON) -> tuple[str, str]:
    parts = str(workload.get("name", "")).split("/")
    return KINDS.get(parts[4] if len(parts) > 4 else "services", KINDS["services"])


def is_job(workload: JSON) -> bool:
    """The workload is a Cloud Run job (`projects/P/locations/R/jobs/J`)."""
    return _kind(workload) == KINDS["jobs"]


def kind_of(workload: JSON) -> str:
    """`Cloud Run service`, `Cloud Run job` or `Cloud Run worker pool`, as messages name it."""
    return _kind(workload)[0]


def task_template(workload: JSON) -> JSON:
    """What one instance runs: the revision template (`template`) of a service or a worker pool,
    a job's task template (`template.template`)."""
    template = workload.get("template") or {}
    return (template.get("template") or {}) if is_job(workload) else template


def workload_containers(workload: JSON) -> list[dict[str, Any]]:
    """The containers of a service's, a job's or a worker pool's template."""
    return list(task_template(workload).get("containers") or [])


# What `each_workload` reads besides services; a check calling it requires these too.
OTHER_WORKLOADS = (registry.RUN_JOBS, registry.RUN_WORKER_POOLS)


def each_workload(inv: Inventory, judge: Callable[[JSON], Iterator[Outcome]]) -> Iterator[Outcome]:
    """`judge(workload)` for every Cloud Run service, then every job and every worker pool (the
    check must require RUN_SERVICES and OTHER_WORKLOADS). Jobs (or worker pools) that cannot be
    read are one unknown result (not applicable when the API is disabled) for the project, and
    the rest are still judged."""
    for service in inv.get(registry.RUN_SERVICES):
        yield from judge(service)
    for collection in OTHER_WORKLOADS:
        try:
            found = inv.get(collection)
        except Unreadable as exc:
            yield from_unreadable(exc, project_resource(inv.project_id))
            continue
        for workload in found:
            yield from judge(workload)


def update(inv: Inventory, service: JSON, flags: str) -> str:
    """`gcloud run services update NAME --region=R --project=P FLAGS` (`gcloud run jobs update`
    for a job, `gcloud run worker-pools update` for a worker pool)."""
    command = _kind(service)[1]
    return f"gcloud run {command} update {sh(short_name(service))} --region={sh(region_of(service))} --project={sh(inv.project_id)} {flags}"


def runtime_identity(service: JSON) -> str | None:
    """The service account the service (job, worker pool) runs as; None means the Compute
    Engine default."""
    account = task_template(service).get("serviceAccount")
    return str(account) if account else None


def identity_email(inv: Inventory, service: JSON, project_id: str | None = None) -> str | None:
    """The email a service runs as; without `template.serviceAccount`, the Compute Engine
    default account of its project (needs the project's number: PROJECT must be declared),
    None when that number cannot be read."""
    explicit = runtime_identity(service)
    if explicit:
        return explicit
    try:
        number = inv.project(project_id or inv.project_id).number
    except Unreadable:
        return None
    return compute_default_email(number)


def identity_of(inv: Inventory, service: JSON, project_id: str | None = None) -> str:
    """`identity_email`, or words naming the default account when its email is unknown."""
    return (
        identity_email(inv, service, project_id)
        or f"the Compute Engine default service account of {project_id or inv.project_id}"
    )


def runtime_account_id(service_name: str) -> str:
    """`NAME-runtime`, the ID gcplint suggests for a service's own service account: an account
    ID has 6 to 30 characters and ends with a letter or digit, so a long service name is cut."""
    return service_name[:22].rstrip("-") + "-runtime"


def dedicated_identity_fix(inv: Inventory, service: JSON) -> str:
    """The gcloud commands that give a service its own runtime service account."""
    account_id = runtime_account_id(short_name(service))
    account = f"{account_id}@{inv.project_id}.iam.gserviceaccount.com"
    return (
        f"gcloud iam service-accounts create {sh(account_id)} --project={sh(inv.project_id)} && "
        + update(inv, service, f"--service-account={sh(account)}")
    )


def container_flag(containers: list[Any], container: JSON) -> str:
    """`--container=NAME ` before per-container flags of a multi-container service (gcloud
    applies them to the container named before them), else ''."""
    name = container.get("name")
    return f"--container={sh(name)} " if len(containers) > 1 and name else ""


def grant_secret_access(project_id: str, secret_id: str, identity: str) -> str:
    """The gcloud command that lets a runtime identity read one secret (and no other)."""
    return (
        f"gcloud secrets add-iam-policy-binding {sh(secret_id)} --project={sh(project_id)} "
        f"--member={sh('serviceAccount:' + identity)} --role=roles/secretmanager.secretAccessor"
    )


@dataclass(frozen=True)
class SecretUse:
    """A secret version a revision needs at start, and where it goes."""

    secret: str  # short name or projects/P/secrets/S
    version: str  # a number, "latest" or an alias
    env: str | None  # the env var it fills (None: a mounted volume)
    volume: str | None = None  # the volume it fills (None: an env var)
    path: str | None = None  # the file it becomes in that volume (items[].path, else the secret)


def secret_uses(revision: JSON) -> list[SecretUse]:
    """The secret versions a revision (or a service's `template`) needs at start: env vars
    (`valueSource.secretKeyRef`) and mounted volumes, in that order, without repeats."""
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
                SecretUse(
                    str(secret["secret"]),
                    str(item.get("version") or "latest"),
                    None,
                    str(volume.get("name", "")),
                    str(item.get("path") or last_segment(secret["secret"])),
                )
                for item in items
            ]
    return list(dict.fromkeys(uses))


def secret_target(containers: list[Any], use: SecretUse) -> tuple[JSON | None, str]:
    """(the container, what `--update-secrets` names) for a secret use: the env var in the
    container that sets it, or the file path of a volume item (the mount path of the first
    container mounting the volume, then the item's path)."""
    if use.env is not None:
        holder = next(
            (
                c
                for c in containers
                for var in c.get("env") or []
                if var.get("name") == use.env and (var.get("valueSource") or {}).get("secretKeyRef")
            ),
            None,
        )
        return holder, use.env
    for container in containers:
        for mount in container.get("volumeMounts") or []:
            if mount.get("name") == use.volume:
                return container, f"{str(mount.get('mountPath', '')).rstrip('/')}/{use.path}"
    return None, f"/MOUNT_PATH/{use.path}"


def update_secrets_flags(containers: list[Any], pins: list[tuple[SecretUse, str]]) -> str:
    """`--update-secrets=TARGET=SECRET:VERSION,...` for each (use, version), preceded by
    `--container=NAME` per container of a multi-container service."""
    by_container: dict[str, tuple[JSON | None, list[str]]] = {}
    for use, version in pins:
        container, target = secret_target(containers, use)
        key = str((container or {}).get("name", ""))
        by_container.setdefault(key, (container, []))[1].append(f"{target}={use.secret}:{version}")
    return " ".join(
        (container_flag(containers, container) if container else "")
        + "--update-secrets="
        + sh(",".join(dict.fromkeys(values)))
        for container, values in by_container.values()
    )


def secret_reference(reference: str) -> tuple[str | None, str]:
    """(project, secret id) of a `projects/P/secrets/S` reference; a short name is (None, name):
    a secret of the service's own project."""
    parts = reference.split("/")
    if len(parts) >= 4 and parts[0] == "projects" and parts[2] == "secrets":
        return parts[1], parts[3]
    return None, reference


def sql_refs(service: JSON) -> Iterator[str]:
    """Every Cloud SQL connection name (project:region:instance) the service (job, worker pool)
    mounts."""
    for volume in task_template(service).get("volumes") or []:
        for name in (volume.get("cloudSqlInstance") or {}).get("instances") or []:
            yield str(name)


def sql_project(connection_name: str) -> str:
    """The project of a Cloud SQL connection name (domain-scoped IDs keep their colon)."""
    return connection_name.rsplit(":", 2)[0]


def scaling_of(service: JSON) -> tuple[JSON, JSON]:
    """(service-level `scaling`, revision-level `template.scaling`), empty when absent."""
    return service.get("scaling") or {}, (service.get("template") or {}).get("scaling") or {}


def count(value: object) -> int:
    """An instance count as the API gives it (an absent or zero field is 0)."""
    return int(str(value)) if str(value).isdigit() else 0


@dataclass(frozen=True)
class Ceiling:
    """How many instances a Cloud Run service can run at once, and what sets that number."""

    count: int
    how: str
    manual: bool = False  # scalingMode MANUAL: a fixed count, no autoscaling
    default: bool = False  # no maximum is set: Cloud Run's default applies


def instance_ceiling(service: JSON) -> Ceiling:
    """The most instances a service runs: the manual instance count in MANUAL mode; else the
    lower of `template.scaling.maxInstanceCount` and the service-level `scaling.maxInstanceCount`
    (whichever is set), or Cloud Run's default of 100 when neither is."""
    scaling, template = scaling_of(service)
    if scaling.get("scalingMode") == "MANUAL":
        manual = count(scaling.get("manualInstanceCount"))
        return Ceiling(manual, f"manual scaling, manualInstanceCount {manual}", manual=True)
    limits = {
        "template.scaling.maxInstanceCount": count(template.get("maxInstanceCount")),
        "service-level scaling.maxInstanceCount": count(scaling.get("maxInstanceCount")),
    }
    field, value = min(
        ((f, v) for f, v in limits.items() if v), key=lambda fv: fv[1], default=("", 0)
    )
    if value:
        return Ceiling(value, f"{field} {value}")
    return Ceiling(
        DEFAULT_MAX_INSTANCES, "Cloud Run's default: no maxInstanceCount is set", default=True
    )
