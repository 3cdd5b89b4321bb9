"""Principals and grants: reading an IAM policy, and what a role can do. Which kind of service
account a member is comes from `gcplint.identities` (`identify`), the one table of service
account forms.

A binding whose condition is exactly `request.time < timestamp("…")` with a time before the scan
has expired: it grants nothing, so `grants(policy, now)` leaves it out (and `expired` lists it).
Any other condition may hold, so its grants count (marked conditional).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ._shell import sh


@dataclass(frozen=True)
class Grant:
    """One member of one binding."""

    role: str
    member: str
    condition: str | None  # the condition's title (or expression) for conditional bindings


_EXPIRY = re.compile(r"""\s*request\.time\s*<\s*timestamp\(\s*(["'])([^"'\\]+)\1\s*\)\s*""")


def expiry(condition: Mapping[str, Any]) -> datetime | None:
    """When a condition of exactly the form `request.time < timestamp("RFC 3339 time")` stops
    holding; None for any other condition (it may hold at any time)."""
    found = _EXPIRY.fullmatch(str(condition.get("expression", "")))
    if found is None:
        return None
    text = found.group(2)
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def _expired(binding: Mapping[str, Any], now: datetime) -> datetime | None:
    """When the binding's condition expired, if it did before `now`."""
    ended = expiry(binding.get("condition") or {})
    return ended if ended is not None and ended <= now else None


def _grants(binding: Mapping[str, Any]) -> Iterator[Grant]:
    condition = binding.get("condition") or {}
    label = condition.get("title") or condition.get("expression")
    for member in binding.get("members") or []:
        if not member.startswith("deleted:"):
            yield Grant(str(binding.get("role", "")), str(member), label)


def grants(policy: Mapping[str, Any], now: datetime) -> Iterator[Grant]:
    """Every (role, member) of a REST IAM policy at the scan time `now`: deleted principals are
    skipped, and so are bindings whose condition has expired (they grant nothing)."""
    for binding in policy.get("bindings") or []:
        if _expired(binding, now) is None:
            yield from _grants(binding)


def expired(policy: Mapping[str, Any], now: datetime) -> list[tuple[Grant, datetime]]:
    """The grants of bindings whose condition expired before `now`, with when it did."""
    return [
        (grant, ended)
        for binding in policy.get("bindings") or []
        if (ended := _expired(binding, now)) is not None
        for grant in _grants(binding)
    ]


def expired_note(
    policy: Mapping[str, Any], now: datetime, keep: Callable[[Grant], bool] = lambda _: True
) -> str:
    """' Expired conditional grants (…): ROLE to MEMBER (…)…' naming the expired grants `keep`
    selects, for a pass message; else ''."""
    listed = ", ".join(
        f"{g.role} to {g.member} (conditional: {g.condition}, expired {ended.date()})"
        for g, ended in expired(policy, now)
        if keep(g)
    )
    return (
        f" Expired conditional grants (they grant nothing; clean them up): {listed}."
        if listed
        else ""
    )


# --- what a role can do -----------------------------------------------------------------------


class Power(enum.Enum):
    """What a role lets its holder do to the project's service accounts and IAM."""

    IMPERSONATE = "act as or mint credentials for service accounts"
    ADMINISTER = "create, delete or grant access to service accounts, their keys, or IAM"


POWERS: dict[str, Power] = {  # permission -> the power it gives: the one mapping
    "iam.serviceAccounts.actAs": Power.IMPERSONATE,
    "iam.serviceAccounts.getAccessToken": Power.IMPERSONATE,
    "iam.serviceAccounts.getOpenIdToken": Power.IMPERSONATE,
    "iam.serviceAccounts.signBlob": Power.IMPERSONATE,
    "iam.serviceAccounts.signJwt": Power.IMPERSONATE,
    "iam.serviceAccounts.implicitDelegation": Power.IMPERSONATE,
    "iam.serviceAccounts.create": Power.ADMINISTER,
    "iam.serviceAccounts.delete": Power.ADMINISTER,
    "iam.serviceAccounts.update": Power.ADMINISTER,
    "iam.serviceAccounts.setIamPolicy": Power.ADMINISTER,
    "iam.serviceAccountKeys.create": Power.ADMINISTER,
    "iam.serviceAccountKeys.delete": Power.ADMINISTER,
    "resourcemanager.projects.setIamPolicy": Power.ADMINISTER,
    "iam.roles.create": Power.ADMINISTER,
    "iam.roles.update": Power.ADMINISTER,
}

# The permissions of `POWERS` that Google's predefined roles include, from the role catalog
# (`iam roles list --view=FULL`; real response in gcpdiag's test data), and roles Google added
# since (https://cloud.google.com/iam/docs/service-account-permissions). A predefined role not
# listed includes none of them.
PREDEFINED: dict[str, tuple[str, ...]] = {
    "roles/iam.serviceAccountOpenIdTokenCreator": ("iam.serviceAccounts.getOpenIdToken",),
    "roles/aiplatform.customCodeServiceAgent": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
        "iam.serviceAccounts.implicitDelegation",
        "iam.serviceAccounts.signBlob",
        "iam.serviceAccounts.signJwt",
    ),
    "roles/aiplatform.serviceAgent": (
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.getAccessToken",
    ),
    "roles/apigateway.serviceAgent": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
    ),
    "roles/apigee.serviceAgent": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
    ),
    "roles/appengineflex.serviceAgent": (
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.signBlob",
        "iam.serviceAccounts.signJwt",
        "resourcemanager.projects.setIamPolicy",
    ),
    "roles/bigquerydatatransfer.serviceAgent": ("iam.serviceAccounts.getAccessToken",),
    "roles/cloudbuild.serviceAgent": ("iam.serviceAccounts.getAccessToken",),
    "roles/clouddeploy.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/cloudfunctions.serviceAgent": (
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
        "iam.serviceAccounts.signBlob",
    ),
    "roles/cloudscheduler.serviceAgent": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
    ),
    "roles/cloudtasks.serviceAgent": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
    ),
    "roles/cloudtpu.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/composer.ServiceAgentV2Ext": ("iam.serviceAccounts.setIamPolicy",),
    "roles/composer.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/compute.serviceAgent": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
        "iam.serviceAccounts.signJwt",
    ),
    "roles/container.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/dataflow.serviceAgent": (
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.implicitDelegation",
        "iam.serviceAccounts.signBlob",
        "iam.serviceAccounts.signJwt",
    ),
    "roles/datapipelines.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/dataprep.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/dataproc.hubAgent": ("iam.serviceAccounts.actAs",),
    "roles/dataproc.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/earthengine.appsPublisher": (
        "iam.serviceAccounts.create",
        "iam.serviceAccounts.setIamPolicy",
    ),
    "roles/editor": (
        "iam.serviceAccountKeys.create",
        "iam.serviceAccountKeys.delete",
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.create",
        "iam.serviceAccounts.delete",
        "iam.serviceAccounts.update",
    ),
    "roles/eventarc.serviceAgent": (
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.getAccessToken",
    ),
    "roles/firebase.managementServiceAgent": (
        "iam.serviceAccounts.create",
        "resourcemanager.projects.setIamPolicy",
    ),
    "roles/firebasemods.serviceAgent": ("iam.serviceAccounts.create",),
    "roles/gameservices.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/genomics.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/iam.organizationRoleAdmin": (
        "iam.roles.create",
        "iam.roles.update",
    ),
    "roles/iam.roleAdmin": (
        "iam.roles.create",
        "iam.roles.update",
    ),
    "roles/iam.securityAdmin": (
        "iam.serviceAccounts.setIamPolicy",
        "resourcemanager.projects.setIamPolicy",
    ),
    "roles/iam.serviceAccountAdmin": (
        "iam.serviceAccounts.create",
        "iam.serviceAccounts.delete",
        "iam.serviceAccounts.setIamPolicy",
        "iam.serviceAccounts.update",
    ),
    "roles/iam.serviceAccountCreator": ("iam.serviceAccounts.create",),
    "roles/iam.serviceAccountDeleter": ("iam.serviceAccounts.delete",),
    "roles/iam.serviceAccountKeyAdmin": (
        "iam.serviceAccountKeys.create",
        "iam.serviceAccountKeys.delete",
    ),
    "roles/iam.serviceAccountTokenCreator": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
        "iam.serviceAccounts.implicitDelegation",
        "iam.serviceAccounts.signBlob",
        "iam.serviceAccounts.signJwt",
    ),
    "roles/iam.serviceAccountUser": ("iam.serviceAccounts.actAs",),
    "roles/iam.workloadIdentityUser": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
    ),
    "roles/lifesciences.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/ml.serviceAgent": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
        "iam.serviceAccounts.implicitDelegation",
        "iam.serviceAccounts.signBlob",
        "iam.serviceAccounts.signJwt",
    ),
    "roles/notebooks.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/osconfig.serviceAgent": ("iam.serviceAccounts.actAs",),
    "roles/owner": (
        "iam.roles.create",
        "iam.roles.update",
        "iam.serviceAccountKeys.create",
        "iam.serviceAccountKeys.delete",
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.create",
        "iam.serviceAccounts.delete",
        "iam.serviceAccounts.setIamPolicy",
        "iam.serviceAccounts.update",
        "resourcemanager.projects.setIamPolicy",
    ),
    "roles/pubsub.serviceAgent": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
        "iam.serviceAccounts.implicitDelegation",
        "iam.serviceAccounts.signBlob",
        "iam.serviceAccounts.signJwt",
    ),
    "roles/resourcemanager.folderAdmin": ("resourcemanager.projects.setIamPolicy",),
    "roles/resourcemanager.organizationAdmin": ("resourcemanager.projects.setIamPolicy",),
    "roles/resourcemanager.projectIamAdmin": ("resourcemanager.projects.setIamPolicy",),
    "roles/run.serviceAgent": (
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
        "iam.serviceAccounts.signBlob",
    ),
    "roles/serverless.serviceAgent": (
        "iam.serviceAccounts.actAs",
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
        "iam.serviceAccounts.signBlob",
    ),
    "roles/sourcerepo.serviceAgent": ("iam.serviceAccounts.getAccessToken",),
    "roles/workflows.serviceAgent": (
        "iam.serviceAccounts.getAccessToken",
        "iam.serviceAccounts.getOpenIdToken",
    ),
}

BASIC_ROLES = ("roles/owner", "roles/editor", "roles/viewer")


def custom(role: str) -> bool:
    """A custom role (`projects/P/roles/X` or `organizations/O/roles/X`), not Google's."""
    return not role.startswith("roles/")


def powers(permissions: Iterable[str]) -> frozenset[Power]:
    """What a role including `permissions` can do."""
    return frozenset(POWERS[p] for p in permissions if p in POWERS)


def predefined_powers(role: str) -> frozenset[Power]:
    """What a predefined role (`roles/…`) can do."""
    return powers(PREDEFINED.get(role, ()))


def google_admin(role: str) -> bool:
    """A predefined role Google names an admin role (`roles/cloudsql.admin`,
    `roles/iam.serviceAccountAdmin`): full control of its service's resources."""
    name = role.removeprefix("roles/").rpartition(".")[2]
    return role.startswith("roles/") and (name == "admin" or name.endswith("Admin"))


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
