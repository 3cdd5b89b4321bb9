"""The public API for check packs: everything a check module imports comes from here.

    from gcplint.api import Area, Inventory, Severity, check, failed, passed, registry

A check pack is a module or package registered in the `gcplint.checks` entry-point group (or a
directory given with `--checks-dir`). Every module-level `CheckSpec` in it is a check. A check
declares the collections it reads (`requires=[registry.SQL_INSTANCES]`) and judges them from its
`Inventory`. Importing this module imports no Google library.
"""

from .checks.inventory import Inventory
from .checks.spec import CheckSpec, check
from .collect import registry
from .collect.collection import Collection, PerResource, Unreadable, from_unreadable
from .collect.registry import AccountBudgets
from .environment import Classification, Environment, classify
from .environment import from_name as environment_from_name
from .environment import word as environment_word
from .model import (
    Area,
    Outcome,
    Reason,
    Severity,
    Status,
    failed,
    not_applicable,
    passed,
    unknown,
)
from .redact import parse as redacted
from .resources import ProjectInfo, full_name, project_resource

__all__ = [
    "AccountBudgets",
    "Area",
    "CheckSpec",
    "Classification",
    "Collection",
    "Environment",
    "Inventory",
    "Outcome",
    "PerResource",
    "ProjectInfo",
    "Reason",
    "Severity",
    "Status",
    "Unreadable",
    "check",
    "classify",
    "environment_from_name",
    "environment_word",
    "failed",
    "from_unreadable",
    "full_name",
    "not_applicable",
    "passed",
    "project_resource",
    "redacted",
    "registry",
    "unknown",
]
