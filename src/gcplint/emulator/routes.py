"""The REST routes the emulator serves, per API, on paths after the `/{api label}` prefix."""

from __future__ import annotations

import base64
import fnmatch
import json
import re
import shlex
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from ..world import JSON, ProjectEntry, World
from .errors import ApiError, invalid_argument, not_found, permission_denied


@dataclass
class Call:
    """One parsed request, as routes see it."""

    world: World
    method: str
    path: str  # after the API label, e.g. /v1/projects/p/instances
    query: dict[str, list[str]]
    body: JSON
    page_size: int
    params: dict[str, str]
    project: ProjectEntry | None

    def arg(self, name: str) -> str | None:
        """The first value of a query parameter."""
        values = self.query.get(name)
        return values[0] if values else None

    def page(self, items: list[JSON], field: str) -> JSON:
        """One page of `items` under `field`, with a nextPageToken when more remain."""
        requested = self.arg("pageSize") or self.arg("maxResults")
        size = self.page_size
        if requested and requested.isdigit() and int(requested) > 0:
            size = min(size, int(requested))
        offset = _decode_token(self.arg("pageToken"), self.path)
        chunk = items[offset : offset + size]
        body: JSON = {field: chunk} if chunk else {}
        if offset + size < len(items):
            body["nextPageToken"] = _encode_token(offset + size, self.path)
        return body

    def collection(self, key: str, default: Any) -> Any:
        """A collection of the addressed project."""
        assert self.project is not None
        return self.project.collections.get(key, default)


Handler = Callable[[Call], JSON]


@dataclass(frozen=True)
class Route:
    """A method and path template of one API, and what it needs."""

    api: str
    method: str
    pattern: re.Pattern[str]
    handler: Handler
    permission: str
    method_id: str  # the REST method, as in the discovery document: "sql.instances.list"
    owner: Callable[[World, dict[str, str], dict[str, list[str]]], str | None] | None = None
    # ^ for paths without {project}: which project the request is about (query or lookup)
    read: tuple[str, str] | None = None
    # ^ the gcplint read this serves: (collection, key template over the path parameters), so
    #   a snapshot can say whether it was collected

    def read_key(self, params: dict[str, str]) -> tuple[str, str | None] | None:
        """(collection, key) of the read this request is, if it is one (key None: unknown)."""
        if self.read is None:
            return None
        name, template = self.read
        try:
            return name, template.format(**params)
        except KeyError:
            return name, None

    @property
    def service(self) -> str:
        """The googleapis.com service name."""
        return f"{self.api}.googleapis.com"


def _encode_token(offset: int, path: str) -> str:
    raw = json.dumps({"o": offset, "p": path}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_token(token: str | None, path: str) -> int:
    if not token:
        return 0
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if data["p"] == path and isinstance(data["o"], int):
            return int(data["o"])
    except (ValueError, KeyError, TypeError):
        pass
    raise invalid_argument(f"Invalid page token: {token}")


def _segment(name: str, key: str) -> str | None:
    """The path segment after `key` in a resource name (`locations` → `europe-west1`)."""
    parts = name.split("/")
    for i, part in enumerate(parts[:-1]):
        if part == key:
            return parts[i + 1]
    return None


def _in_location(items: Iterable[JSON], location: str) -> list[JSON]:
    return [
        i
        for i in items
        if location == "-" or _segment(str(i.get("name", "")), "locations") == location
    ]


# --- Cloud Resource Manager v3 ---------------------------------------------------------------


def _get_project(call: Call) -> JSON:
    assert call.project is not None
    return call.project.project


def _project_iam_policy(call: Call) -> JSON:
    policy: JSON = call.collection("cloudresourcemanager.iamPolicy", {"version": 1, "etag": "ACAB"})
    return policy


def _search_projects(call: Call) -> JSON:
    projects = [p.project for p in call.world.projects.values() if p.described]
    return call.page(_search(projects, call.arg("query"), _project_field), "projects")


def _search_folders(call: Call) -> JSON:
    """folders.search: the folders the caller may get that match the query."""
    visible = [
        f
        for f in call.world.folders
        if not call.world.is_denied(str(f.get("name")), "resourcemanager.folders.get")
    ]
    return call.page(_search(visible, call.arg("query"), _folder_field), "folders")


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


FieldValues = Callable[[JSON, str], list[str]]


def _search(items: list[JSON], query: str | None, values: FieldValues) -> list[JSON]:
    """The items matching a search query (an unknown field is an error even with no items)."""
    terms = _query_terms(query)
    for key in terms:
        values({}, key)
    return [i for i in items if _matches(i, terms, values)]


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


def _list_projects(call: Call) -> JSON:
    parent = call.arg("parent")
    if not parent:
        raise invalid_argument("parent is required")
    found = [
        p.project
        for p in call.world.projects.values()
        if p.described and p.project.get("parent") == parent
    ]
    return call.page(found, "projects")


def _by_name(items: list[JSON], name: str) -> JSON:
    for item in items:
        if item.get("name") == name:
            return item
    raise permission_denied("resourcemanager.folders.get", name)


def _get_folder(call: Call) -> JSON:
    return _by_name(call.world.folders, f"folders/{call.params['folder']}")


def _list_folders(call: Call) -> JSON:
    parent = call.arg("parent")
    return call.page([f for f in call.world.folders if f.get("parent") == parent], "folders")


def _get_organization(call: Call) -> JSON:
    return _by_name(call.world.organizations, f"organizations/{call.params['organization']}")


def scope_of(params: dict[str, str], project: ProjectEntry | None) -> str | None:
    """The resource whose IAM policy governs a request: project, folder or billing account."""
    if project is not None:
        return f"projects/{project.project_id}"
    for key, prefix in (
        ("folder", "folders"),
        ("account", "billingAccounts"),
        ("organization", "organizations"),
    ):
        if key in params:
            return f"{prefix}/{params[key]}"
    return None


def _test_permissions(call: Call) -> JSON:
    """testIamPermissions: the asked permissions that are not denied on the resource."""
    asked = call.body.get("permissions", [])
    if not isinstance(asked, list):
        raise invalid_argument("permissions must be a list")
    scope = scope_of(call.params, call.project)
    granted = [
        p for p in asked if isinstance(p, str) and not (scope and call.world.is_denied(scope, p))
    ]
    return {"permissions": granted} if granted else {}


# --- IAM v1 ----------------------------------------------------------------------------------


def _service_accounts(call: Call) -> JSON:
    return call.page(call.collection("iam.serviceAccounts", []), "accounts")


def _service_account(call: Call) -> JSON:
    email = call.params["account"]
    entries = [call.project] if call.project else list(call.world.projects.values())
    for entry in entries:
        for account in entry.collections.get("iam.serviceAccounts", []):
            if email in (account.get("email"), account.get("uniqueId")):
                return dict(account)
    raise not_found(f"Unknown service account: {email}")


def _service_account_keys(call: Call) -> JSON:
    email = call.params["account"]
    keys: list[JSON] = call.collection("iam.serviceAccountKeys", {}).get(email, [])
    types = set(call.query.get("keyTypes", []))
    if types:
        keys = [k for k in keys if k.get("keyType") in types]
    return {"keys": keys} if keys else {}


# --- Cloud Run v2 ----------------------------------------------------------------------------


def _run_services(call: Call) -> JSON:
    services = call.collection("run.services", [])
    return call.page(_in_location(services, call.params["location"]), "services")


def _run_service(call: Call) -> JSON:
    name = _run_service_name(call)
    for service in call.collection("run.services", []):
        if service.get("name") == name or _same_resource(service.get("name", ""), name):
            return dict(service)
    raise not_found(f"Resource '{name}' was not found")


def _run_revisions(call: Call) -> JSON:
    revisions = _in_location(call.collection("run.revisions", []), call.params["location"])
    service = call.params["service"]
    if service != "-":
        revisions = [
            r for r in revisions if _segment(str(r.get("name", "")), "services") == service
        ]
    return call.page(revisions, "revisions")


def _run_service_iam_policy(call: Call) -> JSON:
    _run_service(call)  # 404 for an unknown service
    policies = call.collection("run.serviceIamPolicies", {})
    name = _run_service_name(call)
    for key, policy in policies.items():
        if _same_resource(key, name):
            return dict(policy)
    return {"etag": "ACAB"}


RUN_REGIONS = ("europe-west1", "europe-west4", "us-central1", "us-east1", "asia-northeast1")


def _run_locations(call: Call) -> JSON:
    """run v1 locations.list: the usual regions plus every region the project uses."""
    assert call.project is not None
    used = {
        _segment(str(item.get("name", "")), "locations")
        for key in ("run.services", "run.revisions")
        for item in call.collection(key, [])
    }
    regions = sorted(set(RUN_REGIONS) | {r for r in used if r})
    project = call.project.project_id
    locations = [
        {"name": f"projects/{project}/locations/{r}", "locationId": r, "displayName": r}
        for r in regions
    ]
    return call.page(locations, "locations")


def _run_service_name(call: Call) -> str:
    p = call.params
    return f"projects/{p['project']}/locations/{p['location']}/services/{p['service']}"


def _same_resource(a: str, b: str) -> bool:
    """Names equal up to the project segment (ID versus number is resolved by the caller)."""
    return a.split("/")[2:] == b.split("/")[2:]


# --- Cloud SQL Admin, Cloud Billing, Budgets, Monitoring -------------------------------------


def _sql_instances(call: Call) -> JSON:
    return call.page(call.collection("sqladmin.instances", []), "items")


def _billing_info(call: Call) -> JSON:
    assert call.project is not None
    default = {
        "name": f"projects/{call.project.project_id}/billingInfo",
        "projectId": call.project.project_id,
    }
    info: JSON = call.collection("cloudbilling.billingInfo", default)
    return info


def _budgets(call: Call) -> JSON:
    account = call.world.billing_accounts.get(call.params["account"])
    if account is None:
        raise permission_denied("billing.budgets.list", f"billingAccounts/{call.params['account']}")
    return call.page(account.get("billingbudgets.budgets", []), "budgets")


def _alert_policies(call: Call) -> JSON:
    return call.page(call.collection("monitoring.alertPolicies", []), "alertPolicies")


def _notification_channels(call: Call) -> JSON:
    return call.page(call.collection("monitoring.notificationChannels", []), "notificationChannels")


# --- Service Usage v1 ------------------------------------------------------------------------


def _services(call: Call) -> JSON:
    """services.list, with its `state:` filter."""
    assert call.project is not None
    wanted = _state_filter(call.arg("filter"))
    services = [s for s in call.project.services() if wanted in (None, s["state"])]
    return call.page(services, "services")


def _state_filter(text: str | None) -> str | None:
    """The state a services.list filter asks for (`state:ENABLED`, `state:DISABLED`)."""
    if not text:
        return None
    match = re.fullmatch(r"\s*state\s*[:=]\s*(ENABLED|DISABLED)\s*", text)
    if match is None:
        raise invalid_argument(f"Invalid filter: {text}")
    return match.group(1)


METHOD_IDS = {
    ("cloudresourcemanager", "/v3/projects:search"): "cloudresourcemanager.projects.search",
    ("cloudresourcemanager", "/v3/projects"): "cloudresourcemanager.projects.list",
    ("cloudresourcemanager", "/v3/projects/{project}"): "cloudresourcemanager.projects.get",
    (
        "cloudresourcemanager",
        "/v3/projects/{project}:getIamPolicy",
    ): "cloudresourcemanager.projects.getIamPolicy",
    (
        "cloudresourcemanager",
        "/v3/projects/{project}:testIamPermissions",
    ): "cloudresourcemanager.projects.testIamPermissions",
    (
        "cloudresourcemanager",
        "/v3/folders/{folder}:testIamPermissions",
    ): "cloudresourcemanager.folders.testIamPermissions",
    (
        "cloudbilling",
        "/v1/billingAccounts/{account}:testIamPermissions",
    ): "cloudbilling.billingAccounts.testIamPermissions",
    ("cloudresourcemanager", "/v3/folders"): "cloudresourcemanager.folders.list",
    ("cloudresourcemanager", "/v3/folders:search"): "cloudresourcemanager.folders.search",
    ("serviceusage", "/v1/projects/{project}/services"): "serviceusage.services.list",
    ("cloudresourcemanager", "/v3/folders/{folder}"): "cloudresourcemanager.folders.get",
    (
        "cloudresourcemanager",
        "/v3/organizations/{organization}",
    ): "cloudresourcemanager.organizations.get",
    ("iam", "/v1/projects/{project}/serviceAccounts"): "iam.projects.serviceAccounts.list",
    ("iam", "/v1/projects/{project}/serviceAccounts/{account}"): "iam.projects.serviceAccounts.get",
    (
        "iam",
        "/v1/projects/{project}/serviceAccounts/{account}/keys",
    ): "iam.projects.serviceAccounts.keys.list",
    ("run", "/v1/projects/{project}/locations"): "run.projects.locations.list",
    (
        "run",
        "/v2/projects/{project}/locations/{location}/services",
    ): "run.projects.locations.services.list",
    (
        "run",
        "/v2/projects/{project}/locations/{location}/services/{service}",
    ): "run.projects.locations.services.get",
    (
        "run",
        "/v2/projects/{project}/locations/{location}/services/{service}/revisions",
    ): "run.projects.locations.services.revisions.list",
    (
        "run",
        "/v2/projects/{project}/locations/{location}/services/{service}:getIamPolicy",
    ): "run.projects.locations.services.getIamPolicy",
    ("sqladmin", "/v1/projects/{project}/instances"): "sql.instances.list",
    ("cloudbilling", "/v1/projects/{project}/billingInfo"): "cloudbilling.projects.getBillingInfo",
    (
        "billingbudgets",
        "/v1/billingAccounts/{account}/budgets",
    ): "billingbudgets.billingAccounts.budgets.list",
    (
        "monitoring",
        "/v3/projects/{project}/alertPolicies",
    ): "monitoring.projects.alertPolicies.list",
    (
        "monitoring",
        "/v3/projects/{project}/notificationChannels",
    ): "monitoring.projects.notificationChannels.list",
    ("secretmanager", "/v1/projects/{project}/secrets"): "secretmanager.projects.secrets.list",
    (
        "secretmanager",
        "/v1/projects/{project}/secrets/{secret}/versions",
    ): "secretmanager.projects.secrets.versions.list",
    (
        "secretmanager",
        "/v1/projects/{project}/secrets/{secret}:getIamPolicy",
    ): "secretmanager.projects.secrets.getIamPolicy",
    ("storage", "/storage/v1/b"): "storage.buckets.list",
    ("storage", "/storage/v1/b/{bucket}/iam"): "storage.buckets.getIamPolicy",
    ("pubsub", "/v1/projects/{project}/topics"): "pubsub.projects.topics.list",
    ("pubsub", "/v1/projects/{project}/subscriptions"): "pubsub.projects.subscriptions.list",
    (
        "pubsub",
        "/v1/projects/{project}/topics/{topic}:getIamPolicy",
    ): "pubsub.projects.topics.getIamPolicy",
    (
        "pubsub",
        "/v1/projects/{project}/subscriptions/{subscription}:getIamPolicy",
    ): "pubsub.projects.subscriptions.getIamPolicy",
    (
        "artifactregistry",
        "/v1/projects/{project}/locations",
    ): "artifactregistry.projects.locations.list",
    (
        "artifactregistry",
        "/v1/projects/{project}/locations/{location}/repositories",
    ): "artifactregistry.projects.locations.repositories.list",
    (
        "artifactregistry",
        "/v1/projects/{project}/locations/{location}/repositories/{repository}/dockerImages",
    ): "artifactregistry.projects.locations.repositories.dockerImages.list",
    (
        "artifactregistry",
        "/v1/projects/{project}/locations/{location}/repositories/{repository}:getIamPolicy",
    ): "artifactregistry.projects.locations.repositories.getIamPolicy",
}


# --- Secret Manager, Cloud Storage, Pub/Sub, Artifact Registry --------------------------


def _by_suffix(mapping: dict[str, Any], suffix: str) -> Any:
    """The value whose key (a full resource name, project by ID or number) ends with `suffix`."""
    for key, value in mapping.items():
        if key.endswith(suffix):
            return value
    return None


def _named(items: list[JSON], suffix: str) -> JSON | None:
    return next((i for i in items if str(i.get("name", "")).endswith(suffix)), None)


def _secrets(call: Call) -> JSON:
    return call.page(call.collection("secretmanager.secrets", []), "secrets")


def _secret(call: Call) -> str:
    suffix = f"/secrets/{call.params['secret']}"
    if _named(call.collection("secretmanager.secrets", []), suffix) is None:
        raise not_found(
            f"Secret [projects/{call.params['project']}/secrets/{call.params['secret']}] not found."
        )
    return suffix


def _secret_versions(call: Call) -> JSON:
    versions = _by_suffix(call.collection("secretmanager.versions", {}), _secret(call)) or []
    return call.page(versions, "versions")


def _secret_policy(call: Call) -> JSON:
    policy: JSON = _by_suffix(call.collection("secretmanager.iamPolicies", {}), _secret(call)) or {
        "etag": "ACAB"
    }
    return policy


def _bucket_owner(world: World, params: dict[str, str], query: dict[str, list[str]]) -> str | None:
    if "bucket" not in params:
        values = query.get("project") or []
        return values[0] if values else None
    for entry in world.projects.values():
        if any(
            b.get("name") == params["bucket"] for b in entry.collections.get("storage.buckets", [])
        ):
            return entry.project_id
    return None


def _buckets(call: Call) -> JSON:
    return call.page(call.collection("storage.buckets", []), "items")


def _bucket_policy(call: Call) -> JSON:
    bucket = call.params["bucket"]
    default = {
        "kind": "storage#policy",
        "resourceId": f"projects/_/buckets/{bucket}",
        "etag": "CAE=",
    }
    policy: JSON = call.collection("storage.iamPolicies", {}).get(bucket, default)
    return policy


def _topics(call: Call) -> JSON:
    return call.page(call.collection("pubsub.topics", []), "topics")


def _subscriptions(call: Call) -> JSON:
    return call.page(call.collection("pubsub.subscriptions", []), "subscriptions")


def _pubsub_policy(call: Call) -> JSON:
    kind, name = (
        ("topics", call.params.get("topic"))
        if "topic" in call.params
        else ("subscriptions", call.params.get("subscription"))
    )
    suffix = f"/{kind}/{name}"
    if _named(call.collection(f"pubsub.{kind}", []), suffix) is None:
        raise not_found(f"Resource not found (resource={name}).")
    policy: JSON = _by_suffix(call.collection("pubsub.iamPolicies", {}), suffix) or {"etag": "ACAB"}
    return policy


def _repositories(call: Call) -> JSON:
    repositories = _in_location(
        call.collection("artifactregistry.repositories", []), call.params["location"]
    )
    return call.page(repositories, "repositories")


def _repository(call: Call) -> str:
    suffix = f"/locations/{call.params['location']}/repositories/{call.params['repository']}"
    if _named(call.collection("artifactregistry.repositories", []), suffix) is None:
        raise not_found(f"Requested entity was not found: repository {call.params['repository']}")
    return suffix


def _docker_images(call: Call) -> JSON:
    images = (
        _by_suffix(call.collection("artifactregistry.dockerImages", {}), _repository(call)) or []
    )
    return call.page(images, "dockerImages")


def _repository_policy(call: Call) -> JSON:
    policy: JSON = _by_suffix(
        call.collection("artifactregistry.iamPolicies", {}), _repository(call)
    ) or {"etag": "ACAB"}
    return policy


def _ar_locations(call: Call) -> JSON:
    assert call.project is not None
    used = {
        _segment(str(r.get("name", "")), "locations")
        for r in call.collection("artifactregistry.repositories", [])
    }
    regions = sorted({"europe-west1", "us-central1", "us", "europe"} | {r for r in used if r})
    project = call.project.project_id
    return call.page(
        [{"name": f"projects/{project}/locations/{r}", "locationId": r} for r in regions],
        "locations",
    )


_P = r"(?P<project>[^/:]+)"
_SEG = r"[^/:]+"


Owner = Callable[[World, dict[str, str], dict[str, list[str]]], str | None]


def _route(
    api: str,
    method: str,
    template: str,
    handler: Handler,
    permission: str,
    owner: Owner | None = None,
    read: tuple[str, str] | None = None,
) -> Route:
    regex = template.replace("{project}", _P)
    regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>{_SEG})", regex)
    return Route(
        api,
        method,
        re.compile(f"^{regex}$"),
        handler,
        permission,
        METHOD_IDS[(api, template)],
        owner,
        read,
    )


ROUTES: list[Route] = [
    _route(
        "cloudresourcemanager",
        "GET",
        "/v3/projects:search",
        _search_projects,
        "resourcemanager.projects.get",
    ),
    _route(
        "cloudresourcemanager",
        "GET",
        "/v3/projects",
        _list_projects,
        "resourcemanager.projects.list",
    ),
    _route(
        "cloudresourcemanager",
        "GET",
        "/v3/projects/{project}",
        _get_project,
        "resourcemanager.projects.get",
        read=("cloudresourcemanager.project", "{project}"),
    ),
    _route(
        "cloudresourcemanager",
        "POST",
        "/v3/projects/{project}:getIamPolicy",
        _project_iam_policy,
        "resourcemanager.projects.getIamPolicy",
        read=("cloudresourcemanager.iamPolicy", "{project}"),
    ),
    _route(
        "cloudresourcemanager",
        "POST",
        "/v3/projects/{project}:testIamPermissions",
        _test_permissions,
        "",
    ),
    _route(
        "cloudresourcemanager",
        "POST",
        "/v3/folders/{folder}:testIamPermissions",
        _test_permissions,
        "",
    ),
    _route(
        "cloudbilling",
        "POST",
        "/v1/billingAccounts/{account}:testIamPermissions",
        _test_permissions,
        "",
    ),
    _route(
        "cloudresourcemanager", "GET", "/v3/folders", _list_folders, "resourcemanager.folders.list"
    ),
    _route(
        "cloudresourcemanager",
        "GET",
        "/v3/folders:search",
        _search_folders,
        "resourcemanager.folders.get",
    ),
    _route(
        "cloudresourcemanager",
        "GET",
        "/v3/folders/{folder}",
        _get_folder,
        "resourcemanager.folders.get",
        read=("cloudresourcemanager.folder", "folders/{folder}"),
    ),
    _route(
        "cloudresourcemanager",
        "GET",
        "/v3/organizations/{organization}",
        _get_organization,
        "resourcemanager.organizations.get",
    ),
    _route(
        "iam",
        "GET",
        "/v1/projects/{project}/serviceAccounts",
        _service_accounts,
        "iam.serviceAccounts.list",
        read=("iam.serviceAccounts", "{project}"),
    ),
    _route(
        "iam",
        "GET",
        "/v1/projects/{project}/serviceAccounts/{account}",
        _service_account,
        "iam.serviceAccounts.get",
    ),
    _route(
        "iam",
        "GET",
        "/v1/projects/{project}/serviceAccounts/{account}/keys",
        _service_account_keys,
        "iam.serviceAccountKeys.list",
        read=("iam.serviceAccountKeys", "{account}"),
    ),
    _route("run", "GET", "/v1/projects/{project}/locations", _run_locations, "run.locations.list"),
    _route(
        "run",
        "GET",
        "/v2/projects/{project}/locations/{location}/services",
        _run_services,
        "run.services.list",
        read=("run.services", "{project}"),
    ),
    _route(
        "run",
        "GET",
        "/v2/projects/{project}/locations/{location}/services/{service}",
        _run_service,
        "run.services.get",
    ),
    _route(
        "run",
        "GET",
        "/v2/projects/{project}/locations/{location}/services/{service}/revisions",
        _run_revisions,
        "run.revisions.list",
        read=("run.revisions", "{project}"),
    ),
    _route(
        "run",
        "GET",
        "/v2/projects/{project}/locations/{location}/services/{service}:getIamPolicy",
        _run_service_iam_policy,
        "run.services.getIamPolicy",
        read=(
            "run.serviceIamPolicies",
            "projects/{project}/locations/{location}/services/{service}",
        ),
    ),
    _route(
        "sqladmin",
        "GET",
        "/v1/projects/{project}/instances",
        _sql_instances,
        "cloudsql.instances.list",
        read=("sqladmin.instances", "{project}"),
    ),
    _route(
        "cloudbilling",
        "GET",
        "/v1/projects/{project}/billingInfo",
        _billing_info,
        "resourcemanager.projects.get",
        read=("cloudbilling.billingInfo", "{project}"),
    ),
    _route(
        "billingbudgets",
        "GET",
        "/v1/billingAccounts/{account}/budgets",
        _budgets,
        "billing.budgets.list",
        read=("billingbudgets.budgets", "billingAccounts/{account}"),
    ),
    _route(
        "monitoring",
        "GET",
        "/v3/projects/{project}/alertPolicies",
        _alert_policies,
        "monitoring.alertPolicies.list",
        read=("monitoring.alertPolicies", "{project}"),
    ),
    _route(
        "monitoring",
        "GET",
        "/v3/projects/{project}/notificationChannels",
        _notification_channels,
        "monitoring.notificationChannels.list",
    ),
    _route(
        "secretmanager",
        "GET",
        "/v1/projects/{project}/secrets",
        _secrets,
        "secretmanager.secrets.list",
        read=("secretmanager.secrets", "{project}"),
    ),
    _route(
        "secretmanager",
        "GET",
        "/v1/projects/{project}/secrets/{secret}/versions",
        _secret_versions,
        "secretmanager.versions.list",
        read=("secretmanager.versions", "projects/{project}/secrets/{secret}"),
    ),
    _route(
        "secretmanager",
        "GET",
        "/v1/projects/{project}/secrets/{secret}:getIamPolicy",
        _secret_policy,
        "secretmanager.secrets.getIamPolicy",
        read=("secretmanager.iamPolicies", "projects/{project}/secrets/{secret}"),
    ),
    _route(
        "storage",
        "GET",
        "/storage/v1/b",
        _buckets,
        "storage.buckets.list",
        _bucket_owner,
        read=("storage.buckets", "{project}"),
    ),
    _route(
        "storage",
        "GET",
        "/storage/v1/b/{bucket}/iam",
        _bucket_policy,
        "storage.buckets.getIamPolicy",
        _bucket_owner,
        read=("storage.iamPolicies", "{bucket}"),
    ),
    _route(
        "pubsub",
        "GET",
        "/v1/projects/{project}/topics",
        _topics,
        "pubsub.topics.list",
        read=("pubsub.topics", "{project}"),
    ),
    _route(
        "pubsub",
        "GET",
        "/v1/projects/{project}/subscriptions",
        _subscriptions,
        "pubsub.subscriptions.list",
        read=("pubsub.subscriptions", "{project}"),
    ),
    _route(
        "pubsub",
        "GET",
        "/v1/projects/{project}/topics/{topic}:getIamPolicy",
        _pubsub_policy,
        "pubsub.topics.getIamPolicy",
        read=("pubsub.iamPolicies", "projects/{project}/topics/{topic}"),
    ),
    _route(
        "pubsub",
        "GET",
        "/v1/projects/{project}/subscriptions/{subscription}:getIamPolicy",
        _pubsub_policy,
        "pubsub.subscriptions.getIamPolicy",
        read=("pubsub.iamPolicies", "projects/{project}/subscriptions/{subscription}"),
    ),
    _route(
        "serviceusage",
        "GET",
        "/v1/projects/{project}/services",
        _services,
        "serviceusage.services.list",
        read=("serviceusage.services", "{project}"),
    ),
    _route(
        "artifactregistry",
        "GET",
        "/v1/projects/{project}/locations",
        _ar_locations,
        "artifactregistry.locations.list",
    ),
    _route(
        "artifactregistry",
        "GET",
        "/v1/projects/{project}/locations/{location}/repositories",
        _repositories,
        "artifactregistry.repositories.list",
        read=("artifactregistry.repositories", "{project}"),
    ),
    _route(
        "artifactregistry",
        "GET",
        "/v1/projects/{project}/locations/{location}/repositories/{repository}/dockerImages",
        _docker_images,
        "artifactregistry.dockerimages.list",
        read=(
            "artifactregistry.dockerImages",
            "projects/{project}/locations/{location}/repositories/{repository}",
        ),
    ),
    _route(
        "artifactregistry",
        "GET",
        "/v1/projects/{project}/locations/{location}/repositories/{repository}:getIamPolicy",
        _repository_policy,
        "artifactregistry.repositories.getIamPolicy",
        read=(
            "artifactregistry.iamPolicies",
            "projects/{project}/locations/{location}/repositories/{repository}",
        ),
    ),
]


def match(api: str, method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route serving a request, or a 404/405 ApiError."""
    path_matched = False
    for route in ROUTES:
        if route.api != api:
            continue
        m = route.pattern.match(path)
        if m is None:
            continue
        path_matched = True
        if route.method == method:
            return route, m.groupdict()
    if path_matched:
        raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} is not supported on {path}")
    raise not_found(f"The emulator has no route for {method} /{api}{path}")
