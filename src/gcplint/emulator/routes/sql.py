"""Cloud SQL Admin v1: a project's instances."""

from __future__ import annotations

from ...collect import registry
from . import listing

instances = listing("GET /v1/projects/{project}/instances", registry.SQL_INSTANCES, "items")
