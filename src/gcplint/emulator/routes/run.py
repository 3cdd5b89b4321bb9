"""Cloud Run: v1 locations; v2 services (list, get, IAM policy), their revisions, jobs and
worker pools."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import RUN
from ...world import JSON
from ..errors import not_found
from . import Call, listing, route
from ._names import in_location, locations_used, segment

RUN_REGIONS = ("europe-west1", "europe-west4", "us-central1", "us-east1", "asia-northeast1")
SERVICE = "projects/{project}/locations/{location}/services/{service}"


@route("GET /v1/projects/{project}/locations", registry.RUN_LOCATIONS)
def locations(call: Call) -> JSON:
    """run v1 locations.list: the usual regions plus every region the project uses."""
    assert call.project is not None
    used = locations_used(
        [
            *call.collection(registry.RUN_SERVICES, []),
            *call.collection(registry.RUN_REVISIONS, []),
            *call.collection(registry.RUN_JOBS, []),
            *call.collection(registry.RUN_WORKER_POOLS, []),
        ]
    )
    regions = sorted(set(RUN_REGIONS) | used)
    project = call.project.project_id
    found = [
        {"name": f"projects/{project}/locations/{r}", "locationId": r, "displayName": r}
        for r in regions
    ]
    return call.page(found, "locations")


services = listing(
    "GET /v2/projects/{project}/locations/{location}/services", registry.RUN_SERVICES, "services"
)

jobs = listing("GET /v2/projects/{project}/locations/{location}/jobs", registry.RUN_JOBS, "jobs")
worker_pools = listing(
    "GET /v2/projects/{project}/locations/{location}/workerPools",
    registry.RUN_WORKER_POOLS,
    "workerPools",
)


@route(f"GET /v2/{SERVICE}", api=RUN, permission="run.services.get")
def get_service(call: Call) -> JSON:
    return _service(call)


@route(f"GET /v2/{SERVICE}/revisions", registry.RUN_REVISIONS)
def revisions(call: Call) -> JSON:
    """The revisions in the location, of one service or (`-`) of all."""
    found = in_location(call.collection(registry.RUN_REVISIONS, []), call.params["location"])
    service = call.params["service"]
    if service != "-":
        found = [r for r in found if segment(str(r.get("name", "")), "services") == service]
    return call.page(found, "revisions")


@route(f"GET /v2/{SERVICE}:getIamPolicy", registry.RUN_SERVICE_IAM, key=SERVICE)
def service_iam_policy(call: Call) -> JSON:
    _service(call)  # 404 for an unknown service
    name = _service_name(call)
    for key, policy in call.collection(registry.RUN_SERVICE_IAM, {}).items():
        if _same_resource(key, name):
            return dict(policy)
    return {"etag": "ACAB"}


def _service(call: Call) -> JSON:
    """The addressed service, or a 404."""
    name = _service_name(call)
    for service in call.collection(registry.RUN_SERVICES, []):
        if service.get("name") == name or _same_resource(service.get("name", ""), name):
            return dict(service)
    raise not_found(f"Resource '{name}' was not found")


def _service_name(call: Call) -> str:
    p = call.params
    return f"projects/{p['project']}/locations/{p['location']}/services/{p['service']}"


def _same_resource(a: str, b: str) -> bool:
    """Names equal up to the project segment (ID versus number is resolved by the caller)."""
    return a.split("/")[2:] == b.split("/")[2:]
