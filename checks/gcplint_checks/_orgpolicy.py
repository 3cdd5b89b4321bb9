"""Organization policy constraints that decide a check's answer: a project's effective policy for
a constraint (`registry.ORG_POLICIES`, read once per project and constraint), judged here."""

from __future__ import annotations

from enum import Enum

from gcplint.api import Inventory, registry


class Enforcement(Enum):
    """What a project's effective policy says of a boolean constraint."""

    ENFORCED = "enforced"
    NOT_ENFORCED = "not enforced"
    CONDITIONAL = "enforced or not depending on a condition"


def boolean_enforcement(inv: Inventory, constraint: str) -> Enforcement:
    """Whether the project's effective policy enforces a boolean constraint (requires
    `registry.ORG_POLICIES`); raises Unreadable when it could not be read.

    An effective policy's rules carry `enforce` (absent: false): enforced when its rule without a
    condition says true. Google evaluates conditions before answering, so an effective policy
    should hold none; a conditional rule that says otherwise than the unconditional one would make
    the answer depend on the resource's tags, which is `CONDITIONAL` (neither way). A dry-run
    spec (`dryRunSpec`) only audits, so it is not read."""
    policy = registry.effective_policy(inv.get(registry.ORG_POLICIES), inv.project_id, constraint)
    rules = (policy.get("spec") or {}).get("rules") or []
    enforced = any(rule.get("enforce") is True for rule in rules if not rule.get("condition"))
    if any((rule.get("enforce") is True) != enforced for rule in rules if rule.get("condition")):
        return Enforcement.CONDITIONAL
    return Enforcement.ENFORCED if enforced else Enforcement.NOT_ENFORCED
