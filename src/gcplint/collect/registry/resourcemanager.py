"""Cloud Resource Manager v3 (GAPIC): projects, their IAM policies, folders and ancestry, and the
IAM policies of the folders and organization above a project (their audit configs apply to it)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ...model import project_resource
from ..collection import JSON, Collection, Unreadable, declare
from ..schema import Fields
from ._read import POLICY, listing

if TYPE_CHECKING:
    from ..session import Session


def _project(session: Session, project_id: str) -> JSON:
    api = session.api
    return api.gapic_get(api.clients.projects().get_project, {"name": f"projects/{project_id}"})


def _iam_policy(session: Session, project_id: str) -> JSON:
    api = session.api
    request = {"resource": f"projects/{project_id}", "options": {"requested_policy_version": 3}}
    return api.gapic_get(api.clients.projects().get_iam_policy, request)


def _ancestor_iam_policy(session: Session, name: str) -> JSON:
    """The IAM policy of a folder or an organization (`folders/N`, `organizations/N`)."""
    api = session.api
    clients = api.clients.folders() if name.startswith("folders/") else api.clients.organizations()
    request = {"resource": name, "options": {"requested_policy_version": 3}}
    return api.gapic_get(clients.get_iam_policy, request)


def _folder(session: Session, name: str) -> JSON:
    api = session.api
    return api.gapic_get(api.clients.folders().get_folder, {"name": name})


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
    api = session.api
    if resource.startswith("folders/"):
        method = api.clients.folders().test_iam_permissions
    elif resource.startswith("organizations/"):
        method = api.clients.organizations().test_iam_permissions
    else:
        method = api.clients.projects().test_iam_permissions
    request = {"resource": resource, "permissions": permissions}
    answer = api.call(lambda: method(request=request, retry=None, timeout=api.clients.timeout))
    return list(answer.permissions)


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
    read=_ancestor_iam_policy,
    keyed_by="folder",
    permission_on="folder",
    fields=Fields.of("Policy", *_AUDIT_CONFIGS),
)

ORGANIZATION_IAM_POLICY: Collection[JSON] = declare(
    "cloudresourcemanager.organizationIamPolicy: organization IAM policy, resourcemanager.organizations.getIamPolicy (roles/iam.securityReviewer)",
    read=_ancestor_iam_policy,
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
