"""Cloud Logging v2: the log sinks of projects, folders and organizations. A project whose sinks
the world does not give has the two every project has, `_Required` and `_Default`."""

from __future__ import annotations

from ...collect import registry
from ...world import JSON, ProjectEntry
from ..errors import permission_denied
from . import Call, route

_AUDIT = (
    'LOG_ID("cloudaudit.googleapis.com/activity") OR LOG_ID("externalaudit.googleapis.com/activity")'
    ' OR LOG_ID("cloudaudit.googleapis.com/system_event")'
    ' OR LOG_ID("externalaudit.googleapis.com/system_event")'
    ' OR LOG_ID("cloudaudit.googleapis.com/access_transparency")'
    ' OR LOG_ID("externalaudit.googleapis.com/access_transparency")'
)


def default_sinks(project: ProjectEntry) -> list[JSON]:
    """The `_Required` and `_Default` sinks Cloud Logging creates in every project."""
    project_id = project.project_id
    return [
        {
            "name": name,
            "destination": f"logging.googleapis.com/projects/{project_id}/locations/global/buckets/{name}",
            "filter": log_filter,
            "writerIdentity": f"serviceAccount:service-{project.number}@gcp-sa-logging.iam.gserviceaccount.com",
            "createTime": "2024-01-15T09:00:00.000000Z",
            "updateTime": "2024-01-15T09:00:00.000000Z",
            "resourceName": f"projects/{project_id}/sinks/{name}",
        }
        for name, log_filter in (("_Required", _AUDIT), ("_Default", f"NOT ({_AUDIT})"))
    ]


@route("GET /v2/projects/{project}/sinks", registry.PROJECT_SINKS)
def project_sinks(call: Call) -> JSON:
    assert call.project is not None
    return call.page(call.collection(registry.PROJECT_SINKS, default_sinks(call.project)), "sinks")


@route("GET /v2/folders/{folder}/sinks", registry.FOLDER_SINKS, key="folders/{folder}")
def folder_sinks(call: Call) -> JSON:
    return _sinks(call, f"folders/{call.params['folder']}", registry.FOLDER_SINKS.name)


@route(
    "GET /v2/organizations/{organization}/sinks",
    registry.ORGANIZATION_SINKS,
    key="organizations/{organization}",
)
def organization_sinks(call: Call) -> JSON:
    name = f"organizations/{call.params['organization']}"
    return _sinks(call, name, registry.ORGANIZATION_SINKS.name)


def _sinks(call: Call, resource: str, key: str) -> JSON:
    """The sinks of a folder or organization of the world (a snapshot holds an organization's
    sinks without the organization); one it does not have is denied."""
    known = {str(n["name"]) for n in [*call.world.folders, *call.world.organizations]}
    known |= set(call.world.resources)
    if resource not in known:
        raise permission_denied("logging.sinks.list", resource)
    return call.page(call.world.resources.get(resource, {}).get(key, []), "sinks")
