"""Bucket ACLs (`projection=full`) and effective organization policies, read through the real
client libraries from the emulator: what is served, what is unreadable, what a snapshot keeps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from helpers import project, run_cli, session_for, world
from test_snapshots import round_trip

from gcplint.collect import registry
from gcplint.collect.collection import Unreadable
from gcplint.emulator import Fault, World
from gcplint.emulator.generate import generate_world, project_ids
from gcplint.model import Reason

NUMBER = "100000000001"
POLICY = "projects/acme-prod/policies/storage.publicAccessPrevention"


def bucket(name: str, *, uniform: bool) -> dict[str, Any]:
    """A Bucket as `projection=full` returns it (ACLs only when uniform access is off)."""
    found: dict[str, Any] = {
        "kind": "storage#bucket",
        "id": name,
        "name": name,
        "projectNumber": NUMBER,
        "iamConfiguration": {
            "uniformBucketLevelAccess": {"enabled": uniform},
            "publicAccessPrevention": "inherited",
        },
    }
    if not uniform:
        found["owner"] = {"entity": f"project-owners-{NUMBER}"}
        found["acl"] = [
            {"kind": "storage#bucketAccessControl", "entity": "allUsers", "role": "READER"}
        ]
        found["defaultObjectAcl"] = [
            {"kind": "storage#objectAccessControl", "entity": "allUsers", "role": "READER"}
        ]
    return found


def acme(**extra: Any) -> dict[str, Any]:
    return {
        "acme-prod": {
            "project": project("acme-prod", NUMBER),
            registry.BUCKETS.name: [
                bucket("acme-site", uniform=False),
                bucket("acme-data", uniform=True),
            ],
            **extra,
        }
    }


def listed(emu: Any, **params: str) -> list[dict[str, Any]]:
    """One page of buckets.list, as the client library returns it."""
    api = session_for(emu).api
    request = api.clients.resource("storage", "buckets").list(project="acme-prod", **params)
    return list(api.discovery_get(request).get("items", []))


def test_acls_are_served_only_with_projection_full(serve: Any) -> None:
    emu = serve(world(acme()), page_size=10)
    full = {b["name"]: b for b in listed(emu, projection="full")}
    assert full["acme-site"]["acl"][0]["entity"] == "allUsers"
    assert full["acme-site"]["defaultObjectAcl"][0]["role"] == "READER"
    assert "acl" not in full["acme-data"]
    for found in (listed(emu), listed(emu, projection="noAcl")):
        assert all(not {"acl", "defaultObjectAcl", "owner"} & set(b) for b in found)


def test_a_caller_without_get_iam_policy_gets_the_buckets_without_their_acls(serve: Any) -> None:
    """As Google does: the listing answers, leaving the ACLs out (not a 403)."""
    denied = {"projects/acme-prod": ["storage.buckets.getIamPolicy"]}
    emu = serve(world(acme(), deniedPermissions=denied), page_size=10)
    found = listed(emu, projection="full")
    assert [b["name"] for b in found] == ["acme-site", "acme-data"]
    assert all("acl" not in b for b in found)
    read = session_for(emu).read(registry.BUCKETS, "acme-prod")  # the collection still reads
    assert "acl" not in read[0]


def test_the_collection_lists_with_projection_full(serve: Any) -> None:
    emu = serve(world(acme()))
    read = session_for(emu).read(registry.BUCKETS, "acme-prod")
    assert read[0]["acl"] == [
        {"kind": "storage#bucketAccessControl", "entity": "allUsers", "role": "READER"}
    ]
    lists = [r for r in emu.requests if r.method_id == "storage.buckets.list"]
    assert lists and all("projection=full" in r.query for r in lists)


def test_effective_policy_as_declared_else_not_enforced(serve: Any) -> None:
    enforced = {
        POLICY: {
            "name": f"projects/{NUMBER}/policies/storage.publicAccessPrevention",
            "spec": {"rules": [{"enforce": True}]},
        }
    }
    emu = serve(world(acme(**{registry.ORG_POLICIES.name: enforced})))
    policies = session_for(emu).read(registry.ORG_POLICIES, "acme-prod")
    policy = registry.effective_policy(policies, "acme-prod", registry.PUBLIC_ACCESS_PREVENTION)
    assert policy["spec"]["rules"] == [{"enforce": True}]
    assert [r.method_id for r in emu.requests] == ["orgpolicy.projects.policies.getEffectivePolicy"]
    bare = serve(world(acme()))
    policies = session_for(bare).read(registry.ORG_POLICIES, "acme-prod")
    policy = registry.effective_policy(policies, "acme-prod", registry.PUBLIC_ACCESS_PREVENTION)
    assert policy == {
        "name": f"projects/{NUMBER}/policies/storage.publicAccessPrevention",
        "spec": {"rules": [{"enforce": False}]},
    }


def unreadable_policy(emu: Any) -> Unreadable:
    policies = session_for(emu).read(registry.ORG_POLICIES, "acme-prod")
    try:
        registry.effective_policy(policies, "acme-prod", registry.PUBLIC_ACCESS_PREVENTION)
    except Unreadable as exc:
        return exc
    raise AssertionError("the policy was read")


def test_an_unreadable_policy_is_unreadable_never_empty(serve: Any) -> None:
    emu = serve(world(acme()))
    emu.add_fault(Fault(path="/orgpolicy/v2/projects/acme-prod/*", error="PERMISSION_DENIED"))
    exc = unreadable_policy(emu)
    assert exc.reason is Reason.PERMISSION_DENIED
    assert exc.permission == "orgpolicy.policy.get"
    assert POLICY in exc.describe()
    disabled = serve(world(acme(disabledServices=["orgpolicy.googleapis.com"])))
    assert unreadable_policy(disabled).reason is Reason.API_DISABLED


def test_the_org_policy_api_is_read_whatever_the_project_enables(serve: Any) -> None:
    """A project that has not enabled the API is still governed by its policies: the read is
    made (and fails or not) rather than skipped as not applicable."""
    emu = serve(world(acme(enabledServices=["storage.googleapis.com"])))
    session_for(emu).read(registry.ORG_POLICIES, "acme-prod")
    assert "orgpolicy.projects.policies.getEffectivePolicy" in {r.method_id for r in emu.requests}


def test_doctor_asks_for_the_org_policy_and_acl_permissions() -> None:
    role = run_cli("doctor", "--role", "--check", "storage.public-bucket").out
    listed_permissions = [line[2:] for line in role.splitlines() if line.startswith("- ")]
    assert {
        "orgpolicy.policy.get",
        "storage.buckets.getIamPolicy",
        "storage.buckets.list",
    } <= set(listed_permissions)


def test_snapshots_keep_acls_and_effective_policies(serve: Any, tmp_path: Path) -> None:
    """Live scan, offline scan of its snapshot and scan of the served snapshot agree, with one
    project's organization policy unreadable."""
    data = generate_world(3)
    projects = project_ids(data)
    generated = World.from_json(data)
    first = generated.projects[projects[0]]
    generated.faults.append(
        Fault(path=f"/orgpolicy/v2/projects/{first.project_id}/*", error="PERMISSION_DENIED")
    )
    round_trip(serve, generated, projects, tmp_path)
