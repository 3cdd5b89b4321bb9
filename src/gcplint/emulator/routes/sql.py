"""Cloud SQL Admin v1: a project's instances."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import SQL_ADMIN
from ...world import JSON
from . import Call, route


@route(
    SQL_ADMIN,
    "GET",
    "/v1/projects/{project}/instances",
    permission="cloudsql.instances.list",
    method_id="sql.instances.list",
    read=(registry.SQL_INSTANCES, "{project}"),
)
def instances(call: Call) -> JSON:
    return call.page(call.collection(registry.SQL_INSTANCES, []), "items")
