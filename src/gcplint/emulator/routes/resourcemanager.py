"""Cloud Resource Manager v3: projects (search, list, get, IAM policy), folders (list, search,
get, IAM policy), organizations (get, IAM policy), and testIamPermissions on projects and
folders."""

from __future__ import annotations

import fnmatch
import re
import shlex
from collections.abc import Callable

from ...collect import registry
from ...collect.apis import RESOURCE_MANAGER
from ...collect.collection import Collection
from ...world import JSON, World
from ..errors import invalid_argument, permission_denied
from . import Call, granted_permissions, route


@route("GET /v3/projects:search", api=RESOURCE_MANAGER, permission="resourcemanager.projects.get")
def search_projects(call: Call) -> JSON:
    """projects.search: the described projects that match the query."""
    projects = [p.project for p in call.world.projects.values() if p.described]
    return call.page(_search(projects, call.arg("query"), _project_field), "projects")


@route("GET /v3/projects", api=RESOURCE_MANAGER, permission="resourcemanager.projects.list")
def list_projects(call: Call) -> JSON:
    """projects.list: the described projects directly under `parent`."""
    parent = call.arg("parent")
    if not parent:
        raise invalid_argument("parent is required")
    found = [
        p.project
        for p in call.world.projects.values()
        if p.described and p.project.get("parent") == parent
    ]
    return call.page(found, "projects")


@route("GET /v3/projects/{project}", registry.PROJECT)
def get_project(call: Call) -> JSON:
    assert call.project is not None
    return call.project.project


@route("POST /v3/projects/{project}:getIamPolicy", registry.PROJECT_IAM_POLICY)
def project_iam_policy(call: Call) -> JSON:
    policy: JSON = call.collection(registry.PROJECT_IAM_POLICY, {"version": 1, "etag": "ACAB"})
    return policy


project_permissions = route(
    "POST /v3/projects/{project}:testIamPermissions", api=RESOURCE_MANAGER, permission=""
)(granted_permissions)
organization_permissions = route(
    "POST /v3/organizations/{organization}:testIamPermissions", api=RESOURCE_MANAGER, permission=""
)(granted_permissions)
folder_permissions = route(
    "POST /v3/folders/{folder}:testIamPermissions", api=RESOURCE_MANAGER, permission=""
)(granted_permissions)


@route("GET /v3/folders", api=RESOURCE_MANAGER, permission="resourcemanager.folders.list")
def list_folders(call: Call) -> JSON:
    """folders.list: the folders directly under `parent`."""
    parent = call.arg("parent")
    return call.page([f for f in call.world.folders if f.get("parent") == parent], "folders")


@route("GET /v3/folders:search", api=RESOURCE_MANAGER, permission="resourcemanager.folders.get")
def search_folders(call: Call) -> JSON:
    """folders.search: the folders the caller may get that match the query."""
    visible = [
        f
        for f in call.world.folders
        if not call.world.is_denied(str(f.get("name")), "resourcemanager.folders.get")
    ]
    return call.page(_search(visible, call.arg("query"), _folder_field), "folders")


@route("GET /v3/folders/{folder}", registry.FOLDER, key="folders/{folder}")
def get_folder(call: Call) -> JSON:
    return _by_name(call.world.folders, f"folders/{call.params['folder']}")


@route("POST /v3/folders/{folder}:getIamPolicy", registry.FOLDER_IAM_POLICY, key="folders/{folder}")
def folder_iam_policy(call: Call) -> JSON:
    return _ancestor_policy(call, f"folders/{call.params['folder']}", registry.FOLDER_IAM_POLICY)


@route(
    "POST /v3/organizations/{organization}:getIamPolicy",
    registry.ORGANIZATION_IAM_POLICY,
    key="organizations/{organization}",
)
def organization_iam_policy(call: Call) -> JSON:
    name = f"organizations/{call.params['organization']}"
    return _ancestor_policy(call, name, registry.ORGANIZATION_IAM_POLICY)


def _ancestor_policy(call: Call, name: str, collection: Collection[JSON]) -> JSON:
    """The IAM policy of a folder or organization of the world (under `resources`; without
    one, a policy with no bindings and no audit configs); one the world does not have is
    denied, as Google answers."""
    known = {str(n["name"]) for n in [*call.world.folders, *call.world.organizations]}
    if name not in known | set(call.world.resources):
        raise permission_denied(collection.permission, name)
    policy: JSON = call.world.resources.get(name, {}).get(
        collection.name, {"version": 1, "etag": "ACAB"}
    )
    return policy


@route(
    "GET /v3/organizations/{organization}",
    api=RESOURCE_MANAGER,
    permission="resourcemanager.organizations.get",
)
def get_organization(call: Call) -> JSON:
    return _by_name(call.world.organizations, f"organizations/{call.params['organization']}")


def _by_name(items: list[JSON], name: str) -> JSON:
    """The item called `name`; an unknown one is denied, as Google answers."""
    for item in items:
        if item.get("name") == name:
            return item
    raise permission_denied("resourcemanager.folders.get", name)


# --- search queries ---------------------------------------------------------------------------

FieldValues = Callable[[JSON, str], list[str]]
# ^ (item, lowercased query field) -> the item's values of that field; raises for an unknown field


def _search(items: list[JSON], query: str | None, values: FieldValues) -> list[JSON]:
    """The items matching a search query (an unknown field is an error even with no items)."""
    terms = _query_terms(query)
    for key in terms:
        values({}, key)
    return [i for i in items if _matches(i, terms, values)]


def _query_terms(query: str | None) -> dict[str, list[str]]:
    """Resource Manager search terms (`field:value` or `field=value`, quoted values, AND
    between terms, `*` wildcards) by field; OR and NOT are not supported."""
    try:
        words = shlex.split(query or "")
    except ValueError:
        raise invalid_argument(f"Malformed query: {query}") from None
    by_field: dict[str, list[str]] = {}
    for word in words:
        if word == "AND":
            continue
        match = re.fullmatch(r"([A-Za-z][\w.-]*)\s*[:=]\s*(.*)", word, re.DOTALL)
        if match is None:
            raise invalid_argument(f"Unsupported query term: {word}")
        by_field.setdefault(match.group(1).lower(), []).append(match.group(2))
    return by_field


def _matches(item: JSON, terms: dict[str, list[str]], values: FieldValues) -> bool:
    """Terms on different fields AND, values of one field OR; case-insensitive globs."""
    return all(
        any(
            fnmatch.fnmatch(actual.lower(), wanted.lower())
            for wanted in wanted_values
            for actual in values(item, key)
        )
        for key, wanted_values in terms.items()
    )


def _folder_field(folder: JSON, key: str) -> list[str]:
    if key in ("state", "lifecyclestate"):
        return [str(folder.get("state", "ACTIVE"))]
    if key == "parent":
        return [str(folder.get("parent", ""))]
    if key == "displayname":
        return [str(folder.get("displayName", ""))]
    raise invalid_argument(f"Unsupported query field: {key}")


def _project_field(project: JSON, key: str) -> list[str]:
    labels: dict[str, str] = project.get("labels", {})
    parent = str(project.get("parent", ""))
    if key in ("state", "lifecyclestate"):
        return [str(project.get("state", "ACTIVE"))]
    if key == "parent":
        return [parent]
    if key == "parent.type":
        return [parent.partition("/")[0].removesuffix("s")]
    if key == "parent.id":
        return [parent.partition("/")[2]]
    if key in ("id", "projectid"):
        return [str(project.get("projectId", ""))]
    if key in ("name", "displayname"):
        return [str(project.get("displayName", ""))]
    if key == "labels":
        return [*labels, *labels.values()]
    if key.startswith("labels."):
        label = key[len("labels.") :]
        return [labels[label]] if label in labels else []
    raise invalid_argument(f"Unsupported query field: {key}")


def _lien_owner(world: World, params: dict[str, str], query: dict[str, list[str]]) -> str | None:
    """The project whose liens are listed (`parent=projects/P`)."""
    parent = (query.get("parent") or [""])[0]
    return parent.removeprefix("projects/") if parent.startswith("projects/") else None


@route("GET /v3/liens", registry.LIENS, owner=_lien_owner)
def liens(call: Call) -> JSON:
    """The liens of a project (the only parent gcplint asks about)."""
    if call.project is None:
        raise invalid_argument("parent must be projects/PROJECT")
    return call.page(call.collection(registry.LIENS, []), "liens")
