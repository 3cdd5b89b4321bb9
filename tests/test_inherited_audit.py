"""Audit configs are inherited: the IAM policies of the folders and organization above a project,
read through the real client libraries against the emulator; their failures are unreadable,
never an empty policy; `doctor` asks for their permissions on the folder and the organization."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import project, run_cli, session_for, world
from test_snapshots import round_trip

from gcplint.collect import registry as c
from gcplint.collect.collection import Unreadable
from gcplint.emulator import World
from gcplint.model import Reason

ORG, FOLDER = "organizations/9", "folders/5"


def audit(*types: str, exempt: list[str] | None = None) -> dict[str, Any]:
    logs = [{"logType": t, **({"exemptedMembers": exempt} if exempt else {})} for t in types]
    return {
        "version": 1,
        "etag": "BwYK3q9zS6e=",
        "auditConfigs": [{"service": "allServices", "auditLogConfigs": logs}],
    }


def inherited_world() -> World:
    return world(
        {"shop-prod": {"project": project("shop-prod", "111", parent=FOLDER)}},
        organizations=[{"name": ORG, "displayName": "acme.example"}],
        folders=[
            {"name": FOLDER, "parent": ORG, "displayName": "prod"},
            {"name": "folders/6", "parent": ORG, "displayName": "dev"},
        ],
        resources={
            ORG: {
                c.ORGANIZATION_IAM_POLICY.name: audit("DATA_READ", exempt=["user:a@acme.example"])
            },
            FOLDER: {c.FOLDER_IAM_POLICY.name: audit("DATA_WRITE")},
        },
    )


def test_folder_and_organization_policies_read_through_the_real_clients(serve: Any) -> None:
    session = session_for(serve(inherited_world()))
    assert session.read(c.ANCESTRY, "shop-prod") == [FOLDER, ORG]
    org = session.read(c.ORGANIZATION_IAM_POLICY, ORG)
    assert org["auditConfigs"] == audit("DATA_READ", exempt=["user:a@acme.example"])["auditConfigs"]
    folder = session.read(c.FOLDER_IAM_POLICY, FOLDER)
    assert folder["auditConfigs"][0]["auditLogConfigs"] == [{"logType": "DATA_WRITE"}]
    # a folder of the world without a policy has one with no bindings and no audit configs
    assert "auditConfigs" not in session.read(c.FOLDER_IAM_POLICY, "folders/6")


def test_an_unknown_folder_or_organization_is_denied_not_empty(serve: Any) -> None:
    session = session_for(serve(inherited_world()))
    for collection, key in (
        (c.FOLDER_IAM_POLICY, "folders/404"),
        (c.ORGANIZATION_IAM_POLICY, "organizations/404"),
    ):
        with pytest.raises(Unreadable) as info:
            session.read(collection, key)
        assert info.value.reason is Reason.PERMISSION_DENIED


def test_a_denied_permission_on_the_folder_is_unreadable(serve: Any) -> None:
    data = inherited_world()
    data.denied = {FOLDER: frozenset({"resourcemanager.folders.getIamPolicy"})}
    with pytest.raises(Unreadable) as info:
        session_for(serve(data)).read(c.FOLDER_IAM_POLICY, FOLDER)
    assert info.value.permission == "resourcemanager.folders.getIamPolicy"


def test_the_check_passes_on_the_union_of_the_hierarchy(serve: Any) -> None:
    """DATA_READ from the organization, DATA_WRITE from the folder: the project logs both."""
    emu = serve(inherited_world())
    run = run_cli(
        *f"scan --api-base {emu.url} --project shop-prod --check logging.data-access-off --format json --no-progress".split()
    )
    results = json.loads(run.out)["results"]
    assert [r["status"] for r in results] == ["pass"], results
    assert "DATA_READ on organizations/9; DATA_WRITE on folders/5" in results[0]["message"]
    assert "user:a@acme.example" in results[0]["message"]


def test_doctor_asks_for_the_ancestors_policies_where_they_are_read(serve: Any) -> None:
    emu = serve(inherited_world())
    run = run_cli(*f"doctor --api-base {emu.url} --project shop-prod --format json".split())
    assert run.code == 0, run.err
    targets = {t["name"]: t for t in json.loads(run.out)["targets"]}
    assert "resourcemanager.folders.getIamPolicy" in targets[FOLDER]["needed"]
    assert "resourcemanager.organizations.getIamPolicy" in targets[ORG]["needed"]
    role = run_cli("doctor", "--role", "--check", "logging.data-access-off")
    assert (
        "on each organization: resourcemanager.organizations.getIamPolicy (e.g. roles/iam.securityReviewer)"
        in role.out
    )


@pytest.mark.parametrize("denied", [False, True])
def test_snapshot_round_trip_keeps_the_inherited_verdict(
    serve: Any, tmp_path: Path, denied: bool
) -> None:
    """The ancestors' audit configs are collected into the snapshot (or their failure is), so
    an offline scan and a replay through the emulator give the live verdict: pass on the
    union of the hierarchy, unknown when the folder's policy cannot be read."""
    data = inherited_world()
    if denied:
        data.denied = {FOLDER: frozenset({"resourcemanager.folders.getIamPolicy"})}
    round_trip(serve, data, ["shop-prod"], tmp_path)
    live = serve(data)
    run = run_cli(
        *f"scan --api-base {live.url} --project shop-prod --check logging.data-access-off --format json --no-progress".split()
    )
    assert [r["status"] for r in json.loads(run.out)["results"]] == [
        "unknown" if denied else "pass"
    ]
