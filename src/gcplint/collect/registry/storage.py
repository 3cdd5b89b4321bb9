"""Cloud Storage JSON API v1 (discovery): buckets and their IAM policies."""

from __future__ import annotations

from ..apis import STORAGE
from ..collection import JSON, Collection, Each, PerResource, declare
from ..schema import Fields
from ._labels import item_labels
from ._read import POLICY, each_policy, listing

BUCKETS: Collection[list[JSON]] = declare(
    "storage.buckets: Cloud Storage buckets, storage.buckets.list (roles/storage.insightsCollectorService)",
    read=listing("storage.buckets", "items", project="{key}", maxResults=500),
    labels=item_labels(STORAGE, "buckets/"),
    fields=Fields.of(
        "Bucket",
        "name",
        "labels",
        "iamConfiguration.publicAccessPrevention",
        "iamConfiguration.uniformBucketLevelAccess.enabled",
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
