"""Cloud Resource Manager v3: projects, their IAM policies and their ancestry."""

from __future__ import annotations

from collections.abc import Mapping

from ..inventory import JSON, Collection, Permission, Session, Unreadable
from ..model import project_resource


def _project(session: Session, project_id: str) -> JSON:
    return session.gapic_get(
        session.clients.projects().get_project, {"name": f"projects/{project_id}"}
    )


def _iam_policy(session: Session, project_id: str) -> JSON:
    request = {"resource": f"projects/{project_id}", "options": {"requested_policy_version": 3}}
    return session.gapic_get(session.clients.projects().get_iam_policy, request)


def _folder(session: Session, name: str) -> JSON:
    return session.gapic_get(session.clients.folders().get_folder, {"name": name})


def _ancestry(session: Session, project_id: str) -> list[str]:
    """Folders and organization above the project, nearest first."""
    parent = str(session.get(PROJECT, project_id).get("parent", ""))
    chain: list[str] = []
    while parent.startswith("folders/") and parent not in chain:
        chain.append(parent)
        try:
            parent = str(session.get(FOLDER, parent).get("parent", ""))
        except Unreadable as exc:
            exc.target = f"folder {parent} (an ancestor of project {project_id})"
            raise
    if parent.startswith("organizations/"):
        chain.append(parent)
    return chain


def granted(session: Session, resource: str, permissions: list[str]) -> list[str]:
    """Which of `permissions` the caller holds on a project or folder (testIamPermissions)."""
    if resource.startswith("folders/"):
        method = session.clients.folders().test_iam_permissions
    else:
        method = session.clients.projects().test_iam_permissions
    request = {"resource": resource, "permissions": permissions}
    answer = session.call(
        lambda: method(request=request, retry=None, timeout=session.clients.timeout)
    )
    return list(answer.permissions)


def _project_labels(key: str, project: JSON) -> list[tuple[str, Mapping[str, str]]]:
    return [(project_resource(str(project.get("projectId", key))), project.get("labels") or {})]


PROJECT: Collection[JSON] = Collection(
    name="cloudresourcemanager.project",
    title="project metadata",
    service="cloudresourcemanager.googleapis.com",
    permission="resourcemanager.projects.get",
    role="roles/browser",
    fetch=_project,
    labels=_project_labels,
)

PROJECT_IAM_POLICY: Collection[JSON] = Collection(
    name="cloudresourcemanager.iamPolicy",
    title="IAM policy",
    service="cloudresourcemanager.googleapis.com",
    permission="resourcemanager.projects.getIamPolicy",
    role="roles/iam.securityReviewer",
    fetch=_iam_policy,
)

FOLDER: Collection[JSON] = Collection(
    name="cloudresourcemanager.folder",
    title="folder metadata",
    service="cloudresourcemanager.googleapis.com",
    permission="resourcemanager.folders.get",
    role="roles/browser",
    fetch=_folder,
    keyed_by="folder",
    permission_on="folder",
)

ANCESTRY: Collection[list[str]] = Collection(
    name="cloudresourcemanager.ancestry",
    title="folders and organization above the project",
    service="cloudresourcemanager.googleapis.com",
    permission="resourcemanager.folders.get",
    role="roles/browser",
    fetch=_ancestry,
    permission_on="folder",
    also=(Permission("resourcemanager.projects.get"),),
)
