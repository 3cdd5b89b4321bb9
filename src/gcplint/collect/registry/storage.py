"""Cloud Storage JSON API v1 (discovery): buckets (with their ACLs) and their IAM policies.

Buckets are listed with `projection=full`, which adds `acl` and `defaultObjectAcl` (and `owner`)
for a caller holding storage.buckets.getIamPolicy on the bucket; without it the API answers all the
same, leaving the ACLs out (as it does for a bucket with uniform bucket-level access, whose ACLs
are off)."""

from __future__ import annotations

from ..apis import STORAGE
from ..collection import JSON, Collection, Each, Permission, PerResource, declare
from ..schema import Fields
from ._labels import item_labels
from ._read import POLICY, each_policy, listing

BUCKETS: Collection[list[JSON]] = declare(
    "storage.buckets: Cloud Storage buckets, storage.buckets.list (roles/storage.insightsCollectorService)",
    read=listing("storage.buckets", "items", project="{key}", maxResults=500, projection="full"),
    also=(Permission("storage.buckets.getIamPolicy", role="roles/iam.securityReviewer"),),
    labels=item_labels(STORAGE, "buckets/"),
    fields=Fields.of(
        "Bucket",
        "name",
        "labels",
        "iamConfiguration.publicAccessPrevention",
        "iamConfiguration.uniformBucketLevelAccess.enabled",
        "acl[].entity",
        "acl[].role",
        "defaultObjectAcl[].entity",
        "defaultObjectAcl[].role",
        listed="items",
    ),
)

BUCKET_IAM: Collection[PerResource[JSON]] = declare(
    "storage.iamPolicies: bucket IAM policies, storage.buckets.getIamPolicy (roles/iam.securityReviewer)",
    each=Each(
        (BUCKETS,),
        each_policy("storage.buckets", bucket="{name}", optionsRequestedPolicyVersion=3),
        "IAM policy",
        "bucket",
    ),
    fields=Fields.of("Policy", *POLICY),
)
