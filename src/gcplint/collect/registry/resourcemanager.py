"""Cloud Resource Manager v3 (discovery): projects, their IAM policies, folders and ancestry, the
IAM policies of the folders and organization above a project (their audit configs apply to it),
and the searches that enumerate a scope."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ...model import project_resource
from ..apis import RESOURCE_MANAGER
from ..collection import JSON, Collection, Unreadable, declare
from ..schema import Fields
from ._read import POLICY, listing, permissions_held

if TYPE_CHECKING:
    from ..session import Session


def _kind(name: str) -> str:
    """The v3 resource that `name` is one of: `folders`, `organizations`, else `projects`."""
    return next((k for k in ("folders", "organizations") if name.startswith(f"{k}/")), "projects")


def _methods(session: Session, kind: str) -> Any:
    """The v3 discovery resource `kind` (`projects`, `folders`, `organizations`)."""
    return session.api.clients.resource(RESOURCE_MANAGER.label, kind)


def _project(session: Session, project_id: str) -> JSON:
    projects = _methods(session, "projects")
    return session.api.discovery_get(projects.get(name=f"projects/{project_id}"))


def _policy(session: Session, name: str) -> JSON:
    """The IAM policy (version 3: conditions included) of a project, folder or organization
    (`projects/P`, `folders/N`, `organizations/N`)."""
    methods = _methods(session, _kind(name))
    body = {"options": {"requestedPolicyVersion": 3}}
    return session.api.discovery_policy(methods.getIamPolicy(resource=name, body=body))


def _iam_policy(session: Session, project_id: str) -> JSON:
    return _policy(session, f"projects/{project_id}")


def _folder(session: Session, name: str) -> JSON:
    return session.api.discovery_get(_methods(session, "folders").get(name=name))


def search(session: Session, kind: str, query: str) -> list[JSON]:
    """Every project or folder (`kind`: `projects`, `folders`) the caller can see that matches
    `query`: projects:search or folders:search, page after page (the API's page size)."""
    methods = _methods(session, kind)
    return session.api.discovery_list(
        lambda token: methods.search(query=query, pageToken=token), kind
    )


def _ancestry(session: Session, project_id: str) -> list[str]:
    """Folders and organization above the project, nearest first."""
    parent = str(session.read(PROJECT, project_id).get("parent", ""))
    chain: list[str] = []
    while parent.startswith("folders/") and parent not in chain:
        chain.append(parent)
        try:
            parent = str(session.read(FOLDER, parent).get("parent", ""))
        except Unreadable as exc:
            exc.target = f"folder {parent} (an ancestor of project {project_id})"
            raise
    if parent.startswith("organizations/"):
        chain.append(parent)
    return chain


def granted(session: Session, resource: str, permissions: list[str]) -> list[str]:
    """Which of `permissions` the caller holds on a project, folder or organization
    (testIamPermissions)."""
    path = f"{RESOURCE_MANAGER.label}.{_kind(resource)}"
    return permissions_held(session, path, resource, permissions)


def _project_labels(key: str, project: JSON) -> list[tuple[str, Mapping[str, str]]]:
    return [(project_resource(str(project.get("projectId", key))), project.get("labels") or {})]


_AUDIT_CONFIGS = (
    "auditConfigs[].service",
    "auditConfigs[].auditLogConfigs[].logType",
    "auditConfigs[].auditLogConfigs[].exemptedMembers",
)

PROJECT: Collection[JSON] = declare(
    "cloudresourcemanager.project: project metadata, resourcemanager.projects.get (roles/browser)",
    read=_project,
    labels=_project_labels,
    fields=Fields.of("Project", "name", "projectId", "displayName", "labels", "parent", "state"),
)

PROJECT_IAM_POLICY: Collection[JSON] = declare(
    "cloudresourcemanager.iamPolicy: IAM policy, resourcemanager.projects.getIamPolicy (roles/iam.securityReviewer)",
    read=_iam_policy,
    fields=Fields.of("Policy", *POLICY, *_AUDIT_CONFIGS),
)

FOLDER_IAM_POLICY: Collection[JSON] = declare(
    "cloudresourcemanager.folderIamPolicy: folder IAM policy, resourcemanager.folders.getIamPolicy (roles/iam.securityReviewer)",
    read=_policy,
    keyed_by="folder",
    permission_on="folder",
    fields=Fields.of("Policy", *_AUDIT_CONFIGS),
)

ORGANIZATION_IAM_POLICY: Collection[JSON] = declare(
    "cloudresourcemanager.organizationIamPolicy: organization IAM policy, resourcemanager.organizations.getIamPolicy (roles/iam.securityReviewer)",
    read=_policy,
    keyed_by="organization",
    permission_on="organization",
    fields=Fields.of("Policy", *_AUDIT_CONFIGS),
)

FOLDER: Collection[JSON] = declare(
    "cloudresourcemanager.folder: folder metadata, resourcemanager.folders.get (roles/browser)",
    read=_folder,
    keyed_by="folder",
    permission_on="folder",
    fields=Fields.of("Folder", "name", "displayName", "parent"),
)

ANCESTRY: Collection[list[str]] = declare(
    "cloudresourcemanager.ancestry: folders and organization above the project, resourcemanager.folders.get (roles/browser)",
    read=_ancestry,
    permission_on="folder",
    needs=(PROJECT, FOLDER),
    stored=False,
)

LIENS: Collection[list[JSON]] = declare(
    "cloudresourcemanager.liens: liens, resourcemanager.projects.get (roles/browser)",
    read=listing("cloudresourcemanager.liens", parent="projects/{key}", pageSize=100),
    fields=Fields.of("Lien", "name", "reason", "restrictions", listed="liens"),
)
