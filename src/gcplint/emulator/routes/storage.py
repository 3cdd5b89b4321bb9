"""Cloud Storage JSON v1: a project's buckets and their IAM policies (paths without a project:
the owner is the `project` query parameter or the project holding the bucket)."""

from __future__ import annotations

from ...collect import registry
from ...world import JSON, World
from . import Call, listing, route


def _bucket_owner(world: World, params: dict[str, str], query: dict[str, list[str]]) -> str | None:
    if "bucket" not in params:
        values = query.get("project") or []
        return values[0] if values else None
    for entry in world.projects.values():
        if any(
            b.get("name") == params["bucket"]
            for b in entry.collections.get(registry.BUCKETS.name, [])
        ):
            return entry.project_id
    return None


buckets = listing("GET /storage/v1/b", registry.BUCKETS, "items", owner=_bucket_owner)


@route("GET /storage/v1/b/{bucket}/iam", registry.BUCKET_IAM, key="{bucket}", owner=_bucket_owner)
def bucket_iam_policy(call: Call) -> JSON:
    bucket = call.params["bucket"]
    default = {
        "kind": "storage#policy",
        "resourceId": f"projects/_/buckets/{bucket}",
        "etag": "CAE=",
    }
    policy: JSON = call.collection(registry.BUCKET_IAM, {}).get(bucket, default)
    return policy
