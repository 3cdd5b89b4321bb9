"""The REST routes the emulator serves, on paths after the `/{api label}` prefix.

Each route is declared once, by `@route(...)` on its handler in the module of its API
(`resourcemanager`, `sql`, ...). The decorator returns a frozen `Route` and registers nothing:
`ROUTES` collects the module-level routes of the API modules. This package also holds what every
route uses: the parsed request (`Call`) and its paging, `match`, which finds the route serving a
request, and testIamPermissions, which answers the same way on every resource.
"""

from __future__ import annotations

import base64
import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...collect.apis import Api
from ...collect.collection import Collection
from ...world import JSON, ProjectEntry, World
from ..errors import ApiError, invalid_argument, not_found
from ._names import in_location


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

    def collection(self, collection: Collection[Any], default: Any) -> Any:
        """The addressed project's data of `collection` in the world (`default` when absent)."""
        assert self.project is not None
        return self.project.collections.get(collection.name, default)


Handler = Callable[[Call], JSON]
Owner = Callable[[World, dict[str, str], dict[str, list[str]]], str | None]
# ^ for paths without {project}: which project the request is about (from the query or a lookup)


@dataclass(frozen=True)
class Route:
    """A method and path template of one API, its handler, and what it needs."""

    api: Api
    method: str
    template: str  # "/v1/projects/{project}/instances"
    pattern: re.Pattern[str]  # the template compiled; one group per {parameter}
    handler: Handler
    permission: str  # the IAM permission the request needs ("" when none)
    method_id: str  # the REST method, as in the discovery document: "sql.instances.list"
    owner: Owner | None = None
    read: Collection[Any] | None = None  # the gcplint read this request is, if it is one
    key: str = "{project}"  # the read's key, a template over the path parameters

    def read_key(self, params: dict[str, str]) -> tuple[Collection[Any], str | None] | None:
        """(collection, key) of the read a snapshot stores this request as, if it stores it
        (key None: unknown)."""
        if self.read is None or not self.read.stored:
            return None
        try:
            return self.read, self.key.format(**params)
        except KeyError:
            return self.read, None

    @property
    def service(self) -> str:
        """The googleapis.com service name."""
        return self.api.service


def route(
    request: str,
    read: Collection[Any] | None = None,
    *,
    key: str = "{project}",
    api: Api | None = None,
    permission: str | None = None,
    owner: Owner | None = None,
) -> Callable[[Handler], Route]:
    """Declare the route a handler serves. `request` is "METHOD /path" after the API label,
    whose `{parameter}`s match one path segment each. A route that serves a gcplint read names
    its collection (`read`, with its `key` over the path parameters): the API and the IAM
    permission are the collection's unless given. For a path without `{project}`, `owner` finds
    the project a request is about. The method id comes from Google's discovery document of the
    API (a request no method of it serves is refused here). Returns a frozen Route: nothing is
    registered anywhere; `ROUTES` collects the routes of the API modules."""
    method, template = request.split(" ", 1)
    api = api or (read.api if read else None)
    permission = permission if permission is not None else (read.permission if read else None)
    if api is None or permission is None:
        raise TypeError(f"route {request}: name the collection it reads, or its api and permission")
    regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>[^/:]+)", template)
    pattern = re.compile(f"^{regex}$")
    method_id = _method_id(api, method, template)

    def decorate(handler: Handler) -> Route:
        return Route(
            api, method, template, pattern, handler, permission, method_id, owner, read, key
        )

    return decorate


def listing(
    request: str, read: Collection[Any], field: str, *, owner: Owner | None = None
) -> Route:
    """The route of a list method that pages a project's `read` collection under `field` (only
    the items of the requested location when the path has one, `-` meaning all)."""

    def handler(call: Call) -> JSON:
        found = call.collection(read, [])
        if "location" in call.params:
            found = in_location(found, call.params["location"])
        return call.page(found, field)

    return route(request, read, owner=owner)(handler)


def _method_id(api: Api, method: str, template: str) -> str:
    """The id of the discovery document's method that serves `method` on `template`: of the
    methods whose path matches it, the one with the most literal text (`v1/{v1Id}/{v1Id1}/services`
    beats `v1/{+name}`)."""
    version = next(part for part in template.split("/") if re.fullmatch(r"v\d+\w*", part))
    sample = re.sub(r"\{\w+\}", "x", template.strip("/"))
    matching = [
        (len(re.sub(r"\{[^}]*\}", "", path)), method_id)
        for verb, path, method_id in _methods(api.label, version)
        if verb == method and re.fullmatch(_path_regex(path), sample)
    ]
    if not matching:
        raise ValueError(f"the {api.label} {version} discovery document has no {method} {template}")
    return max(matching)[1]


@functools.cache
def _methods(label: str, version: str) -> list[tuple[str, str, str]]:
    """(HTTP method, path, method id) of every method of the discovery document that
    google-api-python-client bundles, by `path` and by `flatPath`."""
    from googleapiclient import discovery_cache

    document = json.loads(discovery_cache.get_static_doc(label, version) or "{}")
    prefix = document.get("servicePath", "")
    return [
        (m["httpMethod"], (prefix + path).strip("/"), m["id"])
        for resource in [document, *_nested(document)]
        for m in resource.get("methods", {}).values()
        for path in {m.get("path"), m.get("flatPath")} - {None}
    ]


def _nested(resource: JSON) -> list[JSON]:
    children = list(resource.get("resources", {}).values())
    return [*children, *(grandchild for child in children for grandchild in _nested(child))]


def _path_regex(path: str) -> str:
    """A discovery path as a regex: `{+name}` spans segments, `{name}` is one segment."""
    parts = re.split(r"(\{\+?\w+\})", path)
    return "".join(
        (".+" if part.startswith("{+") else "[^/]+") if part.startswith("{") else re.escape(part)
        for part in parts
    )


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


def iam_resource_of(params: dict[str, str], project: ProjectEntry | None) -> str | None:
    """The resource whose IAM policy governs a request: project, folder, billing account or
    organization."""
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


def granted_permissions(call: Call) -> JSON:
    """testIamPermissions: the asked permissions that are not denied on the resource."""
    asked = call.body.get("permissions", [])
    if not isinstance(asked, list):
        raise invalid_argument("permissions must be a list")
    resource = iam_resource_of(call.params, call.project)
    granted = [
        p
        for p in asked
        if isinstance(p, str) and not (resource and call.world.is_denied(resource, p))
    ]
    return {"permissions": granted} if granted else {}


def _collect() -> tuple[Route, ...]:
    """The module-level routes of the API modules: module by module, each in declaration order.
    (The paths of one API never overlap, which a test checks, so the order does not change which
    route matches.)"""
    # imported here: the API modules import this package's machinery, defined above
    from . import (
        artifactregistry,
        billing,
        essentialcontacts,
        iam,
        logging,
        monitoring,
        orgpolicy,
        pubsub,
        resourcemanager,
        run,
        secretmanager,
        serviceusage,
        sql,
        storage,
    )

    modules = (
        resourcemanager,
        iam,
        run,
        sql,
        billing,
        monitoring,
        logging,
        essentialcontacts,
        secretmanager,
        storage,
        orgpolicy,
        pubsub,
        serviceusage,
        artifactregistry,
    )
    found = [value for module in modules for value in vars(module).values()]
    return tuple(dict.fromkeys(value for value in found if isinstance(value, Route)))


ROUTES: tuple[Route, ...] = _collect()


def match(api: str, method: str, path: str) -> tuple[Route, dict[str, str]]:
    """The route serving a request to the API labelled `api`, or a 404/405 ApiError."""
    path_matched = False
    for candidate in ROUTES:
        if candidate.api.label != api:
            continue
        m = candidate.pattern.match(path)
        if m is None:
            continue
        path_matched = True
        if candidate.method == method:
            return candidate, m.groupdict()
    if path_matched:
        raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} is not supported on {path}")
    raise not_found(f"The emulator has no route for {method} /{api}{path}")
