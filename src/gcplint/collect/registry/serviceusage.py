"""Service Usage v1 (discovery): the services a project has enabled, read once per project so
that collections of a disabled API are not applicable without calling that API."""

from __future__ import annotations

from ..collection import JSON, Collection, declare
from ..schema import Fields
from ._read import listing

ENABLED_SERVICES: Collection[list[JSON]] = declare(
    "serviceusage.services: enabled services, serviceusage.services.list (roles/serviceusage.serviceUsageViewer)",
    read=listing(
        "serviceusage.services", parent="projects/{key}", filter="state:ENABLED", pageSize=200
    ),
    fields=Fields.of(
        "GoogleApiServiceusageV1Service", "name", "config.name", "state", listed="services"
    ),
)
