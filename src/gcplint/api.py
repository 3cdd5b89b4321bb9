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
from .identities import COMPUTE_DEFAULT, Identity, compute_default_email, identify
from .identities import Kind as IdentityKind
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
    "COMPUTE_DEFAULT",
    "AccountBudgets",
    "Area",
    "CheckSpec",
    "Classification",
    "Collection",
    "Environment",
    "Identity",
    "IdentityKind",
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
    "compute_default_email",
    "environment_from_name",
    "environment_word",
    "failed",
    "from_unreadable",
    "full_name",
    "identify",
    "not_applicable",
    "passed",
    "project_resource",
    "redacted",
    "registry",
    "unknown",
]
