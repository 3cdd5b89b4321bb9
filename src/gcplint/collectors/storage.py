"""Cloud Storage JSON API v1 (discovery): buckets and their IAM policies."""

from __future__ import annotations

from collections.abc import Mapping

from ..inventory import JSON, Collection, Permission, PerResource, Session
from ..resources import full_name
from ._common import per_resource_reads


def _buckets(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        buckets = session.clients.resource("storage", "buckets")
        return buckets.list(project=project_id, maxResults=500, pageToken=token)

    return session.discovery_list(page, "items")


def _policies(session: Session, project_id: str) -> PerResource[JSON]:
    def read(name: str) -> JSON:
        buckets = session.clients.resource("storage", "buckets")
        return session.discovery_policy(
            buckets.getIamPolicy(bucket=name, optionsRequestedPolicyVersion=3)
        )

    names = [str(b.get("name", "")) for b in session.get(BUCKETS, project_id)]
    return per_resource_reads(
        session,
        "storage.iamPolicies",
        names,
        read,
        what="IAM policy",
        noun="bucket",
        permission="storage.buckets.getIamPolicy",
        role="roles/iam.securityReviewer",
        service="storage.googleapis.com",
    )


def _bucket_labels(project_id: str, buckets: list[JSON]) -> list[tuple[str, Mapping[str, str]]]:
    return [
        (
            full_name("storage.googleapis.com", project_id, f"buckets/{b.get('name', '')}"),
            b.get("labels") or {},
        )
        for b in buckets
    ]


BUCKETS: Collection[list[JSON]] = Collection(
    name="storage.buckets",
    title="Cloud Storage buckets",
    service="storage.googleapis.com",
    permission="storage.buckets.list",
    role="roles/storage.insightsCollectorService",
    fetch=_buckets,
    labels=_bucket_labels,
)

BUCKET_IAM: Collection[PerResource[JSON]] = Collection(
    name="storage.iamPolicies",
    title="bucket IAM policies",
    service="storage.googleapis.com",
    permission="storage.buckets.getIamPolicy",
    role="roles/iam.securityReviewer",
    fetch=_policies,
    also=(Permission("storage.buckets.list"),),
)
