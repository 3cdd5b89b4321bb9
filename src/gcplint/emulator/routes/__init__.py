"""The REST routes the emulator serves, on paths after the `/{api label}` prefix.

Each route is declared once, by `@route(...)` on its handler in the module of its API
(`resourcemanager`, `sql`, ...). The decorator returns a frozen `Route` and registers nothing:
`ROUTES` collects the module-level routes of the API modules. This package also holds what every
route uses: the parsed request (`Call`) and its paging, `match`, which finds the route serving a
request, and testIamPermissions, which answers the same way on every resource.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...collect.apis import Api
from ...collect.collection import Collection
from ...world import JSON, ProjectEntry, World
from ..errors import ApiError, invalid_argument, not_found


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
Read = tuple[Collection[Any], str]
# ^ the gcplint read a route serves: (collection, key template over the path parameters)


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
    read: Read | None = None  # so that a snapshot can say whether the read was collected

    def read_key(self, params: dict[str, str]) -> tuple[Collection[Any], str | None] | None:
        """(collection, key) of the read this request is, if it is one (key None: unknown)."""
        if self.read is None:
            return None
        collection, template = self.read
        try:
            return collection, template.format(**params)
        except KeyError:
            return collection, None

    @property
    def service(self) -> str:
        """The googleapis.com service name."""
        return self.api.service


def route(
    api: Api,
    method: str,
    template: str,
    *,
    permission: str,
    method_id: str,
    read: Read | None = None,
    owner: Owner | None = None,
) -> Callable[[Handler], Route]:
    """Declare the route a handler serves: `method` on `template` (a path after the API label
    whose `{parameter}`s match one path segment each), the IAM permission it needs, its method id
    in the discovery document, the gcplint read it serves (`read`) and, for a path without
    `{project}`, how to find the project it is about (`owner`). Returns a frozen Route: nothing
    is registered anywhere; `ROUTES` collects the routes of the API modules."""
    regex = re.sub(r"\{(\w+)\}", lambda m: f"(?P<{m.group(1)}>[^/:]+)", template)
    pattern = re.compile(f"^{regex}$")

    def decorate(handler: Handler) -> Route:
        return Route(api, method, template, pattern, handler, permission, method_id, owner, read)

    return decorate


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
        iam,
        monitoring,
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
        secretmanager,
        storage,
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
