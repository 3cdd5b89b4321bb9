"""Service map, Cloud Storage: no public buckets, access decided by IAM alone."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import Area, Inventory, Outcome, Severity, check, failed, passed, registry

from ._policy import public_resource
from ._resources import resource_name
from ._shell import sh, sh_field


def iam_config(bucket: Mapping[str, Any]) -> Mapping[str, Any]:
    """`iamConfiguration` (empty when absent)."""
    return bucket.get("iamConfiguration") or {}


@check(
    id="storage.public-bucket",
    title="No bucket is public",
    severity=Severity.CRITICAL,
    area=Area.SERVICES,
    requires=[registry.BUCKETS, registry.BUCKET_IAM],
    exposure=True,
    security=True,
)
def public_bucket(inv: Inventory) -> Iterator[Outcome]:
    """A bucket's IAM policy grants a role to `allUsers` or `allAuthenticatedUsers`, and
    `iamConfiguration.publicAccessPrevention` is not `enforced`.

    With public access prevention enforced, public grants have no effect and the bucket passes
    whatever its policy says (an unreadable policy does not matter then).

    ## Why it matters
    Public buckets are the most common cloud data leak: backups, exports and user uploads end up
    readable (or writable) by anyone who guesses the name.

    ## Example
    `acme-prod-exports` with roles/storage.objectViewer for allUsers and `publicAccessPrevention: inherited`: critical.

    ## Remediation
    `gcloud storage buckets update gs://BUCKET --public-access-prevention`, and remove the binding:
    `gcloud storage buckets remove-iam-policy-binding gs://BUCKET --member=allUsers --role=ROLE`.

    ## References
    - https://cloud.google.com/storage/docs/public-access-prevention
    - https://cloud.google.com/storage/docs/access-control/making-data-public
    """
    for bucket in inv.get(registry.BUCKETS):
        name = str(bucket.get("name", ""))
        resource = resource_name(inv, registry.BUCKETS, bucket, under="buckets/")
        if iam_config(bucket).get("publicAccessPrevention") == "enforced":
            yield passed(resource, f"Bucket {name} enforces public access prevention.")
            continue
        yield from public_resource(
            inv,
            registry.BUCKET_IAM,
            bucket,
            f"Bucket {name}",
            f"gcloud storage buckets update {sh_field('gs://' + name)} --public-access-prevention  "
            f"(or: gcloud storage buckets remove-iam-policy-binding {sh_field('gs://' + name)} --member={{member}} --role={{role}}{{all}})",
            resource=resource,
            suffix=" and does not enforce public access prevention",
        )


@check(
    id="storage.uniform-access-off",
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
