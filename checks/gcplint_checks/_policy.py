"""Verdicts on IAM policies, shared by every check that judges one.

`member_findings` is the shape they all share: one failure per member holding grants it should
not (every such role listed), or one pass. `project_findings` applies it to the project's own
policy; `public_findings` to the members `allUsers` and `allAuthenticatedUsers` of any policy,
and `public_resource` to the policy of one resource (a repository, topic, secret, bucket or
service), which is unknown when that policy could not be read. Given the scan time, all of them
leave out grants whose condition has expired (`_iam.expired`) and name them in the pass.

`role_powers` says what a bound role can do: a predefined role from Google's catalog, a custom
role from its definition (read when a binding uses one; unreadable, the grants of that role are
unknown, the others are still judged).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from gcplint.api import (
    Collection,
    Inventory,
    Outcome,
    PerResource,
    Reason,
    Severity,
    Unreadable,
    failed,
    from_unreadable,
    passed,
    registry,
    unknown,
)

from ._iam import (
    Grant,
    Power,
    all_flag,
    by_member,
    condition_note,
    custom,
    expired_note,
    grants,
    has_conditions,
    powers,
    predefined_powers,
    remove_binding,
    roles_text,
)
from ._resources import resource_name
from ._shell import sh

PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")

Message = Callable[[str, str], str]  # (member, without its `type:` prefix; its roles) -> text
FixFirst = Callable[[str], str]  # member -> what to do before removing its grants


def granted(held: Iterable[Grant]) -> str:
    """What a member's grants give, as a finding's `grant`: its roles (and their conditions),
    sorted, so the same grants give the same fingerprint and a wider one a new one."""
    return ", ".join(sorted({g.role + condition_note(g) for g in held}))


def member_findings(
    resource: str,
    found: Iterable[Grant],
    message: Message,
    passing: str,
    remove: Callable[[Grant], str],
    *,
    severity: Callable[[list[Grant]], Severity] | None = None,
    fix_first: FixFirst | None = None,
) -> Iterator[Outcome]:
    """One failure per member among the grants `found` (`subject` is the member; the
    remediation is `fix_first(member)` then the command that removes each of its grants, once
    each), or one pass saying `passing` when there are none. `severity` overrides the check's,
    per member."""
    held_by = by_member(list(found))
    for member, held in held_by.items():
        first = fix_first(member) if fix_first else ""
        yield failed(
            resource,
            message(member.partition(":")[2] or member, roles_text(held)),
            subject=member,
            grant=granted(held),
            severity=severity(held) if severity else None,
            remediation=first + "\n".join(dict.fromkeys(remove(g) for g in held)),
        )
    if not held_by:
        yield passed(resource, passing)


def role_powers(inv: Inventory, role: str) -> frozenset[Power]:
    """What a role bound in the project's policy can do. A custom role is read from its
    project's (`registry.PROJECT_ROLES`) or organization's (`registry.ORGANIZATION_ROLES`)
    custom roles, which the check must declare; a disabled one grants nothing. Raises
    Unreadable when its definition could not be read or is not among them."""
    if not custom(role):
        return predefined_powers(role)
    kind, _, rest = role.partition("/")
    owner = rest.partition("/")[0]
    if kind == "projects":
        defined = inv.get(registry.PROJECT_ROLES, owner)
        key = f"projects/{owner}"
    elif kind == "organizations":
        key = f"organizations/{owner}"
        defined = inv.get(registry.ORGANIZATION_ROLES, key)
    else:
        raise Unreadable("the definition", role, Reason.ERROR, "a role name of no known form")
    found = next((r for r in defined if r.get("name") == role), None)
    if found is None:
        raise Unreadable(
            "the definition", role, Reason.NOT_FOUND, f"not among the custom roles of {key}"
        )
    if found.get("stage") == "DISABLED":
        return frozenset()
    return powers(found.get("includedPermissions") or [])


def _unknown_roles(
    resource: str, unsure: Mapping[str, tuple[Unreadable, list[Grant]]]
) -> Iterator[Outcome]:
    """One unknown per role whose grants could not be judged (its definition unreadable)."""
    for role, (exc, held) in unsure.items():
        members = ", ".join(dict.fromkeys(g.member for g in held))
        yield unknown(
            resource,
            exc.reason,
            f"The grants of custom role {role} to {members} cannot be judged: {exc.describe()}.",
            remediation=exc.hint(),
        )


def _judged(keep: Callable[[Grant], bool], grant: Grant) -> bool:
    """`keep(grant)`, False when it cannot say."""
    try:
        return keep(grant)
    except Unreadable:
        return False


def project_findings(
    inv: Inventory,
    keep: Callable[[Grant], bool],
    message: Message,
    passing: str,
    *,
    severity: Callable[[list[Grant]], Severity] | None = None,
    fix_first: FixFirst | None = None,
) -> Iterator[Outcome]:
    """`member_findings` over the live grants of the project's IAM policy that `keep` selects,
    removed with `gcloud projects remove-iam-policy-binding`. A grant `keep` cannot judge (it
    raises Unreadable: a custom role's definition) is unknown, one result per role, and the
    project then does not pass; expired grants are named in the pass."""
    policy = inv.get(registry.PROJECT_IAM_POLICY)
    kept: list[Grant] = []
    unsure: dict[str, tuple[Unreadable, list[Grant]]] = {}
    for grant in grants(policy, inv.now):
        try:
            if keep(grant):
                kept.append(grant)
        except Unreadable as exc:
            unsure.setdefault(grant.role, (exc, []))[1].append(grant)
    if kept or not unsure:
        yield from member_findings(
            inv.resource,
            kept,
            message,
            passing + expired_note(policy, inv.now, partial(_judged, keep)),
            partial(remove_binding, inv.project_id, conditional_policy=has_conditions(policy)),
            severity=severity,
            fix_first=fix_first,
        )
    yield from _unknown_roles(inv.resource, unsure)


def public_findings(
    resource: str,
    label: str,
    policy: Mapping[str, Any],
    remove: Callable[[Grant], str],
    *,
    suffix: str = "",
    now: datetime,
) -> Iterator[Outcome]:
    """A failure per public member of `policy` ("LABEL grants ROLES to allUsers SUFFIX."), or
    a pass ("LABEL grants nothing to allUsers or allAuthenticatedUsers."). Grants whose
    condition had expired by the scan time `now` are left out (and named in the pass)."""
    yield from member_findings(
        resource,
        (g for g in grants(policy, now) if g.member in PUBLIC_MEMBERS),
        lambda member, roles: f"{label} grants {roles} to {member}{suffix}.",
        f"{label} grants nothing to allUsers or allAuthenticatedUsers."
        + expired_note(policy, now, lambda g: g.member in PUBLIC_MEMBERS),
        remove,
    )


def public_resource(
    inv: Inventory,
    policies: Collection[PerResource[Any]],
    item: Mapping[str, Any],
    label: str,
    remove: str,
    *,
    resource: str | None = None,
    suffix: str = "",
) -> Iterator[Outcome]:
    """`public_findings` on the IAM policy of one resource, read from `policies` under the
    item's name; unknown (not applicable when the API is off) when it could not be read.

    `remove` is the command that removes one grant, with `{member}` and `{role}` to fill in,
    and `{all}` where ` --all` goes when the grant or the policy is conditional (leave it out
    for a command without `--all`); `resource` defaults to the item's full name."""
    where = resource or resource_name(inv, policies, item)
    read = inv.get(policies)
    try:
        policy = read.of(str(item.get("name", "")))
    except Unreadable as exc:
        yield from_unreadable(exc, where)
        return
    yield from public_findings(
        where,
        label,
        policy,
        lambda grant: remove.format(
            member=sh(grant.member),
            role=sh(grant.role),
            all=all_flag(grant, has_conditions(policy)),
        ),
        suffix=suffix,
        now=inv.now,
    )
