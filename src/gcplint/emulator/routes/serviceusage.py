"""Service Usage v1: the services of a project, with the `state:` filter of services.list."""

from __future__ import annotations

import re

from ...collect import registry
from ...world import JSON
from ..errors import invalid_argument
from . import Call, route


@route("GET /v1/projects/{project}/services", registry.ENABLED_SERVICES)
def services(call: Call) -> JSON:
    """services.list, with its `state:` filter."""
    assert call.project is not None
    wanted = _state_filter(call.arg("filter"))
    found = [s for s in call.project.services() if wanted in (None, s["state"])]
    return call.page(found, "services")


def _state_filter(text: str | None) -> str | None:
    """The state a services.list filter asks for (`state:ENABLED`, `state:DISABLED`)."""
    if not text:
        return None
    match = re.fullmatch(r"\s*state\s*[:=]\s*(ENABLED|DISABLED)\s*", text)
    if match is None:
        raise invalid_argument(f"Invalid filter: {text}")
    return match.group(1)
