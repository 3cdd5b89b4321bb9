"""Principals and grants: reading an IAM policy. Which kind of service account a member is
comes from `gcplint.identities` (`identify`), the one table of service account forms."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ._shell import sh


@dataclass(frozen=True)
class Grant:
    """One member of one binding."""

    role: str
    member: str
    condition: str | None  # the condition's title (or expression) for conditional bindings


def grants(policy: Mapping[str, Any]) -> Iterator[Grant]:
    """Every (role, member) of a REST IAM policy; deleted principals are skipped."""
    for binding in policy.get("bindings") or []:
        condition = binding.get("condition") or {}
        label = condition.get("title") or condition.get("expression")
        for member in binding.get("members") or []:
            if not member.startswith("deleted:"):
                yield Grant(str(binding.get("role", "")), str(member), label)


def by_member(found: list[Grant]) -> dict[str, list[Grant]]:
    """Grants grouped by member, in first-seen order."""
    groups: dict[str, list[Grant]] = {}
    for grant in found:
        groups.setdefault(grant.member, []).append(grant)
    return groups


def roles_text(found: list[Grant]) -> str:
    """'roles/a, roles/b (conditional: X)'."""
    return ", ".join(g.role + condition_note(g) for g in found)


def sa_email(member: str) -> str | None:
    """The email of a `serviceAccount:` member, else None."""
    return member.split(":", 1)[1] if member.startswith("serviceAccount:") else None


def sa_grant(grant: Grant, roles: Callable[[str], bool], account: Callable[[str], bool]) -> bool:
    """A grant of a role that `roles` selects to a service account that `account` selects."""
    email = sa_email(grant.member)
    return email is not None and roles(grant.role) and account(email)


def condition_note(grant: Grant) -> str:
    """' (conditional: TITLE)' for conditional bindings, else ''."""
    return f" (conditional: {grant.condition})" if grant.condition else ""


def has_conditions(policy: Mapping[str, Any]) -> bool:
    """The policy holds a conditional binding: gcloud then refuses (without a terminal to
    prompt on) to remove a binding unless `--condition` or `--all` says which."""
    return any(binding.get("condition") for binding in policy.get("bindings") or [])


def all_flag(grant: Grant, conditional_policy: bool) -> str:
    """` --all` (every binding of the member and role, whatever its condition) when the grant
    is conditional or the policy holds conditions, else ''. Every check that removes a grant
    wants the member rid of the role, so removing all its bindings of that role is the fix."""
    return " --all" if grant.condition or conditional_policy else ""


def remove_binding(project_id: str, grant: Grant, *, conditional_policy: bool = False) -> str:
    """The gcloud command that removes one grant from a project's policy (all the member's
    bindings of the role, with `--all`, when conditions are involved)."""
    return (
        f"gcloud projects remove-iam-policy-binding {sh(project_id)} --member={sh(grant.member)} "
        f"--role={sh(grant.role)}{all_flag(grant, conditional_policy)}"
    )
