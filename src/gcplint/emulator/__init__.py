"""A local GCP REST API emulator: serves a world to the real client libraries over HTTP."""

from .server import Emulator, LoggedRequest, is_read
from .world import Fault, World, WorldError

__all__ = ["Emulator", "Fault", "LoggedRequest", "World", "WorldError", "is_read"]
