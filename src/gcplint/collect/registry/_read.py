"""Readers shared by the registry: discovery lists, IAM policies and permission tests described by
their method path and parameters, and listings across every region.

Parameter values that are strings are templates over `{key}` (the collection's key, a project ID)
and, for per-resource reads, `{name}` (the resource's name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ...model import Reason
from ..apis import Api
from ..collection import JSON, Collection
from ..failures import ApiCallError, ApiFailure

if TYPE_CHECKING:
    from ..session import Session

Params = Mapping[str, str | int]

POLICY = (  # what is read of an IAM policy (`Policy` in every discovery document)
    "bindings[].role",
    "bindings[].members",
    "bindings[].condition.title",
    "bindings[].condition.expression",
)


def _fill(params: Params, **values: str) -> dict[str, str | int]:
    return {k: v.format(**values) if isinstance(v, str) else v for k, v in params.items()}


def _method(path: str) -> tuple[str, tuple[str, ...]]:
    """`monitoring.projects.alertPolicies` -> the API label and the resource path."""
    label, *resources = path.split(".")
    return label, tuple(resources)


def listing(
    path: str, field: str | None = None, version: str | None = None, **params: str | int
) -> Callable[[Session, str], list[JSON]]:
    """Every item of the discovery list method of the resource at `path` (`label.resource...`),
    for one key; the items are under `field` (default: the last segment of the path)."""
    label, resources = _method(path)

    def read(session: Session, key: str) -> list[JSON]:
        transport = session.api
        method = transport.clients.resource(label, *resources, version=version)
        listed = field or resources[-1]
        mask = session.fields(label, listed)
        return transport.discovery_list(
            lambda token: method.list(**_fill(params, key=key), pageToken=token, **mask), listed
        )

    return read


def each_listing(
    path: str, field: str | None = None, version: str | None = None, **params: str | int
) -> Callable[[Session, str, str], list[JSON]]:
    """Like `listing`, for one resource (`{name}` in `params`)."""
    return _each_listing(path, field, version, params)


def _each_listing(
    path: str, field: str | None, version: str | None, params: Params
) -> Callable[[Session, str, str], list[JSON]]:
    label, resources = _method(path)

    def read(session: Session, key: str, name: str) -> list[JSON]:
        transport = session.api
        method = transport.clients.resource(label, *resources, version=version)
        listed = field or resources[-1]
        mask = session.fields(label, listed)
        return transport.discovery_list(
            lambda token: method.list(**_fill(params, key=key, name=name), pageToken=token, **mask),
            listed,
        )

    return read


def each_policy(
    path: str, version: str | None = None, **params: str | int
) -> Callable[[Session, str, str], JSON]:
    """The IAM policy of one resource (`{name}` in `params`), from the discovery getIamPolicy
    method of the resource at `path`."""
    label, resources = _method(path)

    def read(session: Session, key: str, name: str) -> JSON:
        transport = session.api
        method = transport.clients.resource(label, *resources, version=version)
        mask = session.fields(label, None)
        return transport.discovery_policy(
            method.getIamPolicy(**_fill(params, key=key, name=name), **mask)
        )

    return read


def permissions_held(
    session: Session, path: str, resource: str, permissions: list[str]
) -> list[str]:
    """Which of `permissions` the caller holds on `resource`: the discovery testIamPermissions
    method of the resource at `path`. A name the method does not take (its pattern) and an
    answer that is not a list of permissions are errors, never "none held"."""
    label, resources = _method(path)
    transport = session.api
    method = transport.clients.resource(label, *resources)
    try:
        request = method.testIamPermissions(resource=resource, body={"permissions": permissions})
    except TypeError:  # the discovery client refuses a name of another shape
        failure = ApiFailure(Reason.ERROR, f"{path}.testIamPermissions does not take {resource}")
        raise ApiCallError(failure) from None
    held = transport.discovery_get(request).get("permissions", [])
    if not isinstance(held, list) or not all(isinstance(p, str) for p in held):
        failure = ApiFailure(Reason.ERROR, "malformed response: 'permissions' is not a list")
        raise ApiCallError(failure)
    return held


def regions_of(api: Api) -> Callable[[Session, str], list[str]]:
    """The reader of an API's regions (`projects.locations.list`) for one project."""
    locations = listing(f"{api.label}.projects.locations", name="projects/{key}")

    def read(session: Session, project_id: str) -> list[str]:
        return [str(loc["locationId"]) for loc in locations(session, project_id)]

    return read


def everywhere(
    path: str, regions: Collection[list[str]], version: str | None = None, **params: str | int
) -> Callable[[Session, str], list[JSON]]:
    """Every item of a list method in every region of a project: `{name}` in `params` is the
    region, `-` first (see `every_location`)."""
    read_in = _each_listing(path, None, version, params)

    def read(session: Session, key: str) -> list[JSON]:
        return every_location(session, key, regions, lambda region: read_in(session, key, region))

    return read


def every_location(
    session: Session,
    project_id: str,
    regions: Collection[list[str]],
    list_in: Callable[[str], list[JSON]],
) -> list[JSON]:
    """`list_in("-")`, else `list_in(region)` for every one of the project's `regions`."""
    try:
        return list_in("-")
    except ApiCallError as exc:
        if exc.failure.http_status != 400:
            raise
    return [item for region in session.read(regions, project_id) for item in list_in(region)]
