"""Helpers for reading IAM policies and telling principals apart."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

_SERVICE_AGENT_LOCAL = re.compile(r"^(service-(org-|folder-)?\d+|\d+)$")
_DEFAULT_COMPUTE = re.compile(r"^\d+-compute@developer\.gserviceaccount\.com$")


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


def sa_email(member: str) -> str | None:
    """The email of a `serviceAccount:` member, else None."""
    return member.split(":", 1)[1] if member.startswith("serviceAccount:") else None


def is_default_sa(email: str) -> bool:
    """The Compute Engine or App Engine default service account."""
    return bool(_DEFAULT_COMPUTE.match(email)) or email.endswith("@appspot.gserviceaccount.com")


def is_service_agent(email: str) -> bool:
    """A Google-managed service agent (service-NUMBER@..., NUMBER@cloudservices..., gcp-sa-*)."""
    local, _, domain = email.partition("@")
    if is_default_sa(email):
        return False
    if _SERVICE_AGENT_LOCAL.match(local):
        return True
    if not domain.endswith(".iam.gserviceaccount.com"):
        return True  # *.gserviceaccount.com robots other than the default accounts
    return domain.startswith("gcp-sa-")


def is_user_managed_sa(email: str) -> bool:
    """A service account a project's users created (NAME@PROJECT.iam.gserviceaccount.com)."""
    return not is_default_sa(email) and not is_service_agent(email)


def condition_note(grant: Grant) -> str:
    """' (conditional: TITLE)' for conditional bindings, else ''."""
    return f" (conditional: {grant.condition})" if grant.condition else ""
