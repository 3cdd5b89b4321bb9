"""Helpers for Cloud Run services (REST JSON of run v2), shared by the `run.*`, `iam.*` and
`env.*` checks: names, commands, runtime identities and what a service references."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from gcplint.api import Inventory, Unreadable, registry

from ._resources import last_segment, resource_name, short_name

JSON = Mapping[str, Any]


def service_resource(inv: Inventory, service: JSON, project_id: str | None = None) -> str:
    """The full resource name of a Cloud Run service (of this project, or of `project_id`)."""
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


def update(inv: Inventory, service: JSON, flags: str) -> str:
    """`gcloud run services update NAME --region=R --project=P FLAGS`."""
    return f"gcloud run services update {short_name(service)} --region={region_of(service)} --project={inv.project_id} {flags}"


def runtime_identity(service: JSON) -> str | None:
    """The service account the service runs as; None means the Compute Engine default."""
    account = (service.get("template") or {}).get("serviceAccount")
    return str(account) if account else None


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


def dedicated_identity_fix(inv: Inventory, service: JSON) -> str:
    """The gcloud commands that give a service its own runtime service account."""
    name = short_name(service)
    account = f"{name}-runtime@{inv.project_id}.iam.gserviceaccount.com"
    return (
        f"gcloud iam service-accounts create {name}-runtime --project={inv.project_id} && "
        + update(inv, service, f"--service-account={account}")
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


def secret_reference(reference: str) -> tuple[str | None, str]:
    """(project, secret id) of a `projects/P/secrets/S` reference; a short name is (None, name):
    a secret of the service's own project."""
    parts = reference.split("/")
    if len(parts) >= 4 and parts[0] == "projects" and parts[2] == "secrets":
        return parts[1], parts[3]
    return None, reference


def sql_refs(service: JSON) -> Iterator[str]:
    """Every Cloud SQL connection name (project:region:instance) the service mounts."""
    for volume in (service.get("template") or {}).get("volumes") or []:
        for name in (volume.get("cloudSqlInstance") or {}).get("instances") or []:
            yield str(name)


def sql_project(connection_name: str) -> str:
    """The project of a Cloud SQL connection name (domain-scoped IDs keep their colon)."""
    return connection_name.rsplit(":", 2)[0]
