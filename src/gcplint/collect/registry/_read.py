"""Readers shared by the registry: discovery lists and IAM policies described by their method
path and parameters, and listings across every region.

Parameter values that are strings are templates over `{key}` (the collection's key, a project ID)
and, for per-resource reads, `{name}` (the resource's name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from ..apis import Api
from ..collection import JSON, Collection
from ..failures import ApiCallError

if TYPE_CHECKING:
    from ..session import Session

Params = Mapping[str, str | int]


def _fill(params: Params, **values: str) -> dict[str, str | int]:
    return {k: v.format(**values) if isinstance(v, str) else v for k, v in params.items()}


def listing(
    api: Api, path: tuple[str, ...], field: str, version: str | None = None, **params: str | int
) -> Callable[[Session, str], list[JSON]]:
    """Every item (`field`) of the discovery list method at `path`, for one key."""

    def read(session: Session, key: str) -> list[JSON]:
        transport = session.api
        method = transport.clients.resource(api.label, *path, version=version)
        return transport.discovery_list(
            lambda token: method.list(**_fill(params, key=key), pageToken=token), field
        )

    return read


def each_listing(
    api: Api, path: tuple[str, ...], field: str, **params: str | int
) -> Callable[[Session, str, str], list[JSON]]:
    """Every item (`field`) of the discovery list method at `path`, for one resource."""

    def read(session: Session, key: str, name: str) -> list[JSON]:
        transport = session.api
        method = transport.clients.resource(api.label, *path)
        return transport.discovery_list(
            lambda token: method.list(**_fill(params, key=key, name=name), pageToken=token), field
        )

    return read


def each_policy(
    api: Api, path: tuple[str, ...], **params: str | int
) -> Callable[[Session, str, str], JSON]:
    """The IAM policy of one resource, from the discovery getIamPolicy method at `path`."""

    def read(session: Session, key: str, name: str) -> JSON:
        transport = session.api
        method = transport.clients.resource(api.label, *path)
        return transport.discovery_policy(method.getIamPolicy(**_fill(params, key=key, name=name)))

    return read


def regions_of(api: Api) -> Callable[[Session, str], list[str]]:
    """The reader of an API's regions (`projects.locations.list`) for one project."""
    locations = listing(api, ("projects", "locations"), "locations", name="projects/{key}")

    def read(session: Session, project_id: str) -> list[str]:
        return [str(loc["locationId"]) for loc in locations(session, project_id)]

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
