"""Cloud Logging v2 (discovery): the log sinks of a project, and of the folders and organization
above it (aggregated sinks with `includeChildren` route their children's logs too)."""

from __future__ import annotations

from ..collection import JSON, Collection, declare
from ..schema import Fields
from ._read import listing

_SINKS = "logging.sinks.list (roles/logging.viewer)"
_SINK_FIELDS = ("name", "destination", "disabled", "filter", "includeChildren")

PROJECT_SINKS: Collection[list[JSON]] = declare(
    f"logging.sinks: log sinks, {_SINKS}",
    read=listing("logging.projects.sinks", parent="projects/{key}", pageSize=200),
    fields=Fields.of("LogSink", *_SINK_FIELDS, listed="sinks"),
)

FOLDER_SINKS: Collection[list[JSON]] = declare(
    f"logging.folderSinks: folder log sinks, {_SINKS}",
    read=listing("logging.folders.sinks", "sinks", parent="{key}", pageSize=200),
    keyed_by="folder",
    permission_on="folder",
    fields=Fields.of("LogSink", *_SINK_FIELDS, listed="sinks"),
)

ORGANIZATION_SINKS: Collection[list[JSON]] = declare(
    f"logging.organizationSinks: organization log sinks, {_SINKS}",
    read=listing("logging.organizations.sinks", "sinks", parent="{key}", pageSize=200),
    keyed_by="organization",
    permission_on="organization",
    fields=Fields.of("LogSink", *_SINK_FIELDS, listed="sinks"),
)
