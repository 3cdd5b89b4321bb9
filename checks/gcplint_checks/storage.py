"""Service map, Cloud Storage: no public buckets (by IAM or ACL, unless public access prevention
is in effect, on the bucket or by organization policy), access decided by IAM alone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Reason,
    Severity,
    Unreadable,
    check,
    failed,
    from_unreadable,
    passed,
    registry,
    unknown,
)

from ._iam import all_flag, by_member, grants, has_conditions, roles_text
from ._orgpolicy import Enforcement, boolean_enforcement
from ._policy import PUBLIC_MEMBERS, granted
from ._resources import resource_name
from ._shell import sh


def iam_config(bucket: Mapping[str, Any]) -> Mapping[str, Any]:
    """`iamConfiguration` (empty when absent)."""
    return bucket.get("iamConfiguration") or {}


def acl_grants(bucket: Mapping[str, Any]) -> list[tuple[str, str, str]] | None:
    """(ACL field, entity, role) of the public entries of a bucket's `acl` (the bucket's own)
    and `defaultObjectAcl` (what new objects get); [] when uniform bucket-level access is on
    (ACLs are off); None when ACLs are on but were not returned (the caller may not read them)."""
    if (iam_config(bucket).get("uniformBucketLevelAccess") or {}).get("enabled") is True:
        return []
    if "acl" not in bucket:
        return None
    return [
        (field, str(entry.get("entity", "")), str(entry.get("role", "")))
        for field in ("acl", "defaultObjectAcl")
        for entry in bucket.get(field) or []
        if entry.get("entity") in PUBLIC_MEMBERS
    ]


ACL_TEXT = {
    "acl": "its ACL gives {role} to {member}",
    "defaultObjectAcl": "its default object ACL gives {role} to {member} (new objects are public)",
}
ACL_FLAG = {"acl": "--remove-acl-grant", "defaultObjectAcl": "--remove-default-object-acl-grant"}


@check(
    id="storage.public-bucket",
    cis=("5.1",),
    waf=("security",),
    title="No bucket is public",
    severity=Severity.CRITICAL,
    area=Area.SERVICES,
    requires=[registry.BUCKETS, registry.BUCKET_IAM, registry.ORG_POLICIES],
    exposure=True,
    security=True,
)
def public_bucket(inv: Inventory) -> Iterator[Outcome]:
    """A bucket grants access to `allUsers` or `allAuthenticatedUsers` — in its IAM policy or,
    when uniform bucket-level access is off, in its ACL or its default object ACL (what new
    objects get) — and public access prevention is not in effect: neither the bucket's
    `iamConfiguration.publicAccessPrevention` is `enforced` nor, for a bucket that `inherited`
    it, does the project's effective organization policy enforce
    `constraints/storage.publicAccessPrevention`.

    With public access prevention in effect, public grants have no effect and the bucket passes
    whatever its policy and ACLs say (an unreadable policy does not matter then). A bucket that
    would be public but whose organization policy could not be read is unknown. ACLs are read by
    listing buckets with `projection=full`, which returns them only to a caller with
    storage.buckets.getIamPolicy: a bucket with ACLs on whose ACLs were not returned is unknown
    (unless it is public by IAM already). Objects' own ACLs are not read (see
    `storage.uniform-access-off`).

    ## Why it matters
    Public buckets are the most common cloud data leak: backups, exports and user uploads end up
    readable (or writable) by anyone who guesses the name. A fine-grained bucket made public with
    `allUsers:READER` in its ACL leaks as surely as one with an IAM grant.

    ## Example
    `acme-prod-exports` with roles/storage.objectViewer for allUsers and `publicAccessPrevention: inherited`
    in a project whose organization policy does not enforce public access prevention: critical.

    ## Remediation
    `gcloud storage buckets update gs://BUCKET --public-access-prevention`, and remove the binding:
    `gcloud storage buckets remove-iam-policy-binding gs://BUCKET --member=allUsers --role=ROLE`,
    or the ACL entry: `gcloud storage buckets update gs://BUCKET --remove-acl-grant=allUsers`
    (`--remove-default-object-acl-grant=allUsers` for the default object ACL; objects already
    written keep their own ACLs).

    ## References
    - https://cloud.google.com/storage/docs/public-access-prevention
    - https://cloud.google.com/storage/docs/access-control/making-data-public
    - https://cloud.google.com/storage/docs/access-control/lists
    - https://cloud.google.com/resource-manager/docs/organization-policy/org-policy-constraints
    """
    organization: list[Enforcement | Unreadable] = []  # read once, when a bucket needs it

    def enforcement() -> Enforcement | Unreadable:
        if not organization:
            try:
                organization.append(boolean_enforcement(inv, registry.PUBLIC_ACCESS_PREVENTION))
            except Unreadable as exc:
                organization.append(exc)
        return organization[0]

    for bucket in inv.get(registry.BUCKETS):
        name = str(bucket.get("name", ""))
        resource = resource_name(inv, registry.BUCKETS, bucket, under="buckets/")
        if iam_config(bucket).get("publicAccessPrevention") == "enforced":
            yield passed(resource, f"Bucket {name} enforces public access prevention.")
            continue
        unread: list[Unreadable] = []
        try:
            policy: Mapping[str, Any] = inv.get(registry.BUCKET_IAM).of(name)
        except Unreadable as exc:
            unread.append(exc)
            policy = {}
        acls = acl_grants(bucket)
        if acls is None:
            unread.append(_acls_unreadable(name))
        found = public_by_member(name, policy, acls or [], inv.now)
        if not found and not unread:
            yield passed(
                resource,
                f"Bucket {name} grants nothing to allUsers or allAuthenticatedUsers"
                " (IAM policy and ACLs).",
            )
            continue
        state = enforcement()
        if state is Enforcement.ENFORCED:
            yield passed(
                resource,
                f"Bucket {name} inherits public access prevention enforced by the organization"
                f" policy {registry.PUBLIC_ACCESS_PREVENTION}.",
            )
        elif not found:
            yield from_unreadable(unread[0], resource)
        elif state is Enforcement.NOT_ENFORCED:
            for member, (text, grant, fixes) in found.items():
                yield failed(
                    resource,
                    f"Bucket {name} {text} and does not enforce public access prevention.",
                    subject=member,
                    grant=grant,
                    remediation="\n".join(fixes),
                )
        else:
            why = (
                state.describe()
                if isinstance(state, Unreadable)
                else f"the effective policy of {registry.PUBLIC_ACCESS_PREVENTION} is {state.value}"
            )
            texts = "; ".join(text for text, _, _ in found.values())
            yield unknown(
                resource,
                state.reason if isinstance(state, Unreadable) else Reason.ERROR,
                f"Bucket {name} {texts} and inherits public access prevention, but whether the"
                f" organization enforces it is unknown: {why}.",
                remediation=state.hint() if isinstance(state, Unreadable) else None,
            )


def public_by_member(
    name: str, policy: Mapping[str, Any], acls: list[tuple[str, str, str]], now: datetime
) -> dict[str, tuple[str, str, list[str]]]:
    """Per public member of a bucket: what it is given (for the message), the finding's
    `grant` (its IAM roles and ACL entries, sorted) and the commands that remove each."""
    url = sh("gs://" + name)
    prevent = f"gcloud storage buckets update {url} --public-access-prevention  (or: "
    conditional = has_conditions(policy)
    found: dict[str, tuple[list[str], list[str], list[str]]] = {}
    held_by = by_member([g for g in grants(policy, now) if g.member in PUBLIC_MEMBERS])
    for member, held in held_by.items():
        texts, granted_, fixes = found.setdefault(member, ([], [], []))
        texts.append(f"grants {roles_text(held)} to {member}")
        granted_.append(granted(held))
        fixes.extend(
            prevent + f"gcloud storage buckets remove-iam-policy-binding {url}"
            f" --member={sh(g.member)} --role={sh(g.role)}{all_flag(g, conditional)})"
            for g in held
        )
    for field, member, role in acls:
        texts, granted_, fixes = found.setdefault(member, ([], [], []))
        texts.append(ACL_TEXT[field].format(role=role, member=member))
        granted_.append(f"{field}:{role}")
        fixes.append(
            prevent + f"gcloud storage buckets update {url} {ACL_FLAG[field]}={sh(member)})"
        )
    return {
        member: ("; ".join(texts), ", ".join(sorted(granted_)), list(dict.fromkeys(fixes)))
        for member, (texts, granted_, fixes) in found.items()
    }


def _acls_unreadable(name: str) -> Unreadable:
    """The ACLs of a bucket with uniform bucket-level access off were not in the listing: the
    API leaves them out for a caller without storage.buckets.getIamPolicy on the bucket."""
    collection = registry.BUCKETS
    permission = collection.also[0]
    return Unreadable(
        "ACLs",
        f"bucket {name}",
        Reason.PERMISSION_DENIED,
        "uniform bucket-level access is off, and the bucket listing (projection=full) did not"
        " return its ACLs",
        permission=permission.name,
        role=permission.role,
        service=collection.service,
    )


@check(
    id="storage.uniform-access-off",
    cis=("5.2",),
    waf=("security",),
    title="Buckets use uniform bucket-level access",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.BUCKETS],
    security=True,
)
def uniform_access_off(inv: Inventory) -> Iterator[Outcome]:
    """`iamConfiguration.uniformBucketLevelAccess.enabled` is not true on a bucket.

    ## Why it matters
    Without uniform access, every object can carry its own ACL. A single `allUsers:READER` ACL
    on one object leaks it past everything IAM and its audits say about the bucket.

    ## Example
    `iamConfiguration.uniformBucketLevelAccess.enabled: false`: fails.

    ## Remediation
    `gcloud storage buckets update gs://BUCKET --uniform-bucket-level-access` (check first that
    no reader depends on object ACLs).

    ## References
    - https://cloud.google.com/storage/docs/uniform-bucket-level-access
    """
    for bucket in inv.get(registry.BUCKETS):
        name = str(bucket.get("name", ""))
        resource = resource_name(inv, registry.BUCKETS, bucket, under="buckets/")
        enabled = (iam_config(bucket).get("uniformBucketLevelAccess") or {}).get("enabled") is True
        if enabled:
            yield passed(resource, f"Bucket {name} uses uniform bucket-level access.")
        else:
            yield failed(
                resource,
                f"Bucket {name} allows object ACLs (uniform bucket-level access is off).",
                remediation=f"gcloud storage buckets update {sh('gs://' + name)} --uniform-bucket-level-access",
            )
