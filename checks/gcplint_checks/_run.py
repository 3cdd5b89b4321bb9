"""Helpers for Cloud Run services (REST JSON of run v2)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import Inventory, Unreadable, full_name

JSON = Mapping[str, Any]


def service_resource(inv: Inventory, service: JSON, project_id: str | None = None) -> str:
    """The full resource name of a Cloud Run service."""
    return full_name(
        "run.googleapis.com", project_id or inv.project_id, str(service.get("name", ""))
    )


def short_name(resource: JSON) -> str:
    """The last segment of a resource's name."""
    return str(resource.get("name", "")).rpartition("/")[2]


def region_of(service: JSON) -> str:
    """The service's region, from its name."""
    parts = str(service.get("name", "")).split("/")
    return parts[3] if len(parts) > 3 else "REGION"


def runtime_identity(service: JSON) -> str | None:
    """The service account the service runs as; None means the Compute Engine default."""
    account = (service.get("template") or {}).get("serviceAccount")
    return str(account) if account else None


def secret_refs(service: JSON) -> Iterator[str]:
    """Every secret the service's template names (env vars and volumes)."""
    template = service.get("template") or {}
    for container in template.get("containers") or []:
        for var in container.get("env") or []:
            secret = ((var.get("valueSource") or {}).get("secretKeyRef") or {}).get("secret")
            if secret:
                yield str(secret)
    for volume in template.get("volumes") or []:
        secret = (volume.get("secret") or {}).get("secret")
        if secret:
            yield str(secret)


def sql_refs(service: JSON) -> Iterator[str]:
    """Every Cloud SQL connection name (project:region:instance) the service mounts."""
    for volume in (service.get("template") or {}).get("volumes") or []:
        for name in (volume.get("cloudSqlInstance") or {}).get("instances") or []:
            yield str(name)


def secret_project(reference: str) -> str | None:
    """The project of a `projects/P/secrets/S` reference (None: a short name, same project)."""
    parts = reference.split("/")
    return (
        parts[1] if len(parts) >= 4 and parts[0] == "projects" and parts[2] == "secrets" else None
    )


def sql_project(connection_name: str) -> str:
    """The project of a Cloud SQL connection name (domain-scoped IDs keep their colon)."""
    return connection_name.rsplit(":", 2)[0]


def dedicated_identity_fix(project_id: str, service: JSON) -> str:
    """The gcloud commands that give a service its own runtime service account."""
    name = short_name(service)
    account = f"{name}-runtime@{project_id}.iam.gserviceaccount.com"
    return (
        f"gcloud iam service-accounts create {name}-runtime --project={project_id} && "
        f"gcloud run services update {name} --region={region_of(service)} --project={project_id} "
        f"--service-account={account}"
    )


def identity_of(inv: Inventory, service: JSON, project_id: str | None = None) -> str:
    """The email a service runs as; without `template.serviceAccount`, the Compute Engine
    default account of its project (needs the project's number: PROJECT must be declared)."""
    explicit = runtime_identity(service)
    if explicit:
        return explicit
    project = project_id or inv.project_id
    try:
        return f"{inv.project(project).number}-compute@developer.gserviceaccount.com"
    except Unreadable:
        return f"the Compute Engine default service account of {project}"


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
                names.add(str(latest).rpartition("/")[2])
        else:
            names.add(str(target["revision"]).rpartition("/")[2])
    return names


def revisions_of(service: JSON, revisions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The service's revisions, newest first."""
    prefix = f"{service.get('name', '')}/revisions/"
    own = [r for r in revisions if str(r.get("name", "")).startswith(prefix)]
    return sorted(own, key=lambda r: str(r.get("createTime", "")), reverse=True)


def rollback_target(service: JSON, revisions: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The revision a rollback would send traffic to: the newest Ready one not serving now."""
    live = serving(service)
    return next(
        (r for r in revisions_of(service, revisions) if is_ready(r) and short_name(r) not in live),
        None,
    )


def update(inv: Inventory, service: JSON, flags: str) -> str:
    """`gcloud run services update NAME --region=R --project=P FLAGS`."""
    return f"gcloud run services update {short_name(service)} --region={region_of(service)} --project={inv.project_id} {flags}"
