"""A local GCP REST API emulator: serves a world to the real client libraries over HTTP.

A tool that uses the core (the world format, the collection registry); the core never imports
it, except to serve the bundled demo world for `--demo`.
"""

import json
from importlib import resources

from ..world import Fault, World, WorldError
from .server import Emulator, LoggedRequest, is_read


def demo_world() -> World:
    """The bundled demo world (an 'acme' organization with prod, staging and dev)."""
    text = resources.files(__name__).joinpath("demo_world.json").read_text(encoding="utf-8")
    return World.from_json(json.loads(text))


__all__ = ["Emulator", "Fault", "LoggedRequest", "World", "WorldError", "demo_world", "is_read"]
