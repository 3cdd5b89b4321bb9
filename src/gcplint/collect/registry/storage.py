"""Cloud Storage JSON API v1 (discovery): buckets and their IAM policies."""

from __future__ import annotations

from ..apis import STORAGE
from ..collection import JSON, Collection, Each, PerResource
from ._labels import item_labels
from ._read import each_policy, listing

BUCKETS: Collection[list[JSON]] = Collection(
    name="storage.buckets",
    title="Cloud Storage buckets",
    api=STORAGE,
    permission="storage.buckets.list",
    role="roles/storage.insightsCollectorService",
    read=listing(STORAGE, ("buckets",), "items", project="{key}", maxResults=500),
    labels=item_labels(STORAGE, "buckets/"),
)

BUCKET_IAM: Collection[PerResource[JSON]] = Collection(
    name="storage.iamPolicies",
    title="bucket IAM policies",
    api=STORAGE,
    permission="storage.buckets.getIamPolicy",
    role="roles/iam.securityReviewer",
    each=Each(
        (BUCKETS,),
        each_policy(STORAGE, ("buckets",), bucket="{name}", optionsRequestedPolicyVersion=3),
        "IAM policy",
        "bucket",
    ),
)
