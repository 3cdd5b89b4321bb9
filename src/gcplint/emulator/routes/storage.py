"""Cloud Storage JSON v1: a project's buckets and their IAM policies (paths without a project:
the owner is the `project` query parameter or the project holding the bucket).

A world's buckets are stored as `projection=full` returns them; the default projection (`noAcl`)
leaves out `owner`, `acl` and `defaultObjectAcl`, and so does `full` for a caller denied
storage.buckets.getIamPolicy on the project (the real API answers without them, not with 403)."""

from __future__ import annotations

from ...collect import registry
from ...world import JSON, World
from . import Call, route

ACL_FIELDS = ("owner", "acl", "defaultObjectAcl")  # what only `projection=full` returns
ACL_PERMISSION = "storage.buckets.getIamPolicy"  # what reading them needs


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


@route("GET /storage/v1/b", registry.BUCKETS, owner=_bucket_owner)
def buckets(call: Call) -> JSON:
    found: list[JSON] = call.collection(registry.BUCKETS, [])
    assert call.project is not None
    full = call.arg("projection") == "full" and not call.world.is_denied(
        f"projects/{call.project.project_id}", ACL_PERMISSION
    )
    if not full:
        found = [{k: v for k, v in b.items() if k not in ACL_FIELDS} for b in found]
    return call.page(found, "items")


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
