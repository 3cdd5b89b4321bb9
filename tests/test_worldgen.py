"""Generated worlds (tests/worldgen.py) are valid REST JSON, load in the emulator, are
deterministic, hold together (names, references, rollouts), and every built-in check judges
them without crashing or giving up."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Any

import pytest
from helpers import session_for
from worldgen import generate_world, project_ids
from worldschema import validate_world

from gcplint.emulator import Emulator, World
from gcplint.model import Status
from gcplint.plugins import load_checks
from gcplint.runner import run

SEEDS = range(50)
SMOKE_SEEDS = range(5)  # no seed skipped: none made a check crash or give unknown
NOW = datetime(2026, 11, 27, tzinfo=UTC)
PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")
COLLECTIONS = (
    "project",
    "cloudresourcemanager.iamPolicy",
    "cloudbilling.billingInfo",
    "iam.serviceAccounts",
    "iam.serviceAccountKeys",
    "run.services",
    "run.revisions",
    "sqladmin.instances",
    "monitoring.alertPolicies",
)


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_world_matches_the_api_schemas(seed: int) -> None:
    data = generate_world(seed)
    assert validate_world(data) == []
    World.from_json(data)


@pytest.mark.parametrize("seed", SEEDS)
def test_generation_is_deterministic(seed: int) -> None:
    assert generate_world(seed) == generate_world(seed)


def test_seeds_give_different_worlds() -> None:
    assert len({tuple(project_ids(generate_world(seed))) for seed in SEEDS}) > 40


@pytest.mark.parametrize("seed", SEEDS)
def test_generated_world_holds_together(seed: int) -> None:
    data = generate_world(seed)
    ids = project_ids(data)
    projects = data["projects"]
    assert 2 <= len(ids) <= 4
    assert all(PROJECT_ID.match(p) for p in ids), ids
    numbers = [body["project"]["name"].removeprefix("projects/") for body in projects.values()]
    assert len(set(numbers)) == len(numbers)
    assert all(re.fullmatch(r"[1-9]\d{11}", n) for n in numbers), numbers
    containers = {o["name"] for o in data["organizations"]} | {f["name"] for f in data["folders"]}
    for folder in data["folders"]:
        assert folder["parent"] in containers
    for project_id, body in projects.items():
        assert all(key in body for key in COLLECTIONS), project_id
        assert body["project"]["parent"] in containers
        account = body["cloudbilling.billingInfo"].get("billingAccountName")
        if account is not None:
            assert account.removeprefix("billingAccounts/") in data["billingAccounts"]
        base64.b64decode(body["cloudresourcemanager.iamPolicy"]["etag"], validate=True)
        _check_accounts(body)
        _check_run(project_id, body)
        _check_sql(project_id, body)
    for account in data["billingAccounts"].values():
        for budget in account["billingbudgets.budgets"]:
            for name in budget["budgetFilter"].get("projects", []):
                assert re.fullmatch(r"projects/\d{12}", name)
            for name in budget["budgetFilter"].get("resourceAncestors", []):
                assert name in containers


def _check_accounts(body: dict[str, Any]) -> None:
    emails = {a["email"] for a in body["iam.serviceAccounts"]}
    assert len(body["iam.serviceAccounts"]) <= 6
    assert set(body["iam.serviceAccountKeys"]) <= emails
    for keys in body["iam.serviceAccountKeys"].values():
        assert all("privateKeyData" not in key for key in keys)


def _check_run(project_id: str, body: dict[str, Any]) -> None:
    """Revisions belong to their service and are named after it; latest and traffic fields
    point at existing revisions, and traffic only at Ready ones."""
    services = body["run.services"]
    assert len(services) <= 4
    assert len({s["name"].split("/")[3] for s in services}) <= 2
    revisions = {r["name"]: r for r in body["run.revisions"]}
    for service in services:
        name = service["name"]
        assert name.startswith(f"projects/{project_id}/locations/")
        short = name.rpartition("/")[2]
        own = {n: r for n, r in revisions.items() if n.startswith(f"{name}/revisions/")}
        assert 1 <= len(own) <= 4
        for full, revision in own.items():
            assert re.fullmatch(rf"{re.escape(short)}-\d{{5}}-[a-z]{{3}}", full.rpartition("/")[2])
            assert revision["service"] == short
        newest = max(own.values(), key=lambda r: r["createTime"])
        assert service["latestCreatedRevision"] == newest["name"]
        ready = {n for n, r in own.items() if _ready(r)}
        assert service["latestReadyRevision"] in ready
        assert (service["terminalCondition"]["state"] == "CONDITION_SUCCEEDED") == _ready(newest)
        assert "reconciling" not in service
        for target in service["traffic"]:
            if "revision" in target:
                assert f"{name}/revisions/{target['revision']}" in ready
        assert [dict(t) for t in service["traffic"]] == [
            {k: v for k, v in s.items() if k != "uri"} for s in service["trafficStatuses"]
        ]
        assert sum(t.get("percent", 0) for t in service["traffic"]) == 100
    assert len(revisions) == sum(
        1 for n in revisions if any(n.startswith(f"{s['name']}/") for s in services)
    )


def _ready(revision: dict[str, Any]) -> bool:
    return any(
        c["type"] == "Ready" and c["state"] == "CONDITION_SUCCEEDED" for c in revision["conditions"]
    )


def _check_sql(project_id: str, body: dict[str, Any]) -> None:
    instances = {i["name"]: i for i in body["sqladmin.instances"]}
    assert len(instances) == len(body["sqladmin.instances"]) <= 4
    for name, instance in instances.items():
        assert instance["connectionName"] == f"{project_id}:{instance['region']}:{name}"
        if instance["instanceType"] == "READ_REPLICA_INSTANCE":
            master_project, _, master = instance["masterInstanceName"].partition(":")
            assert master_project == project_id
            assert name in instances[master]["replicaNames"]
            assert instances[master]["instanceType"] == "CLOUD_SQL_INSTANCE"


def test_worlds_mix_what_the_checks_judge() -> None:
    """Across seeds: every environment source, cross-project references, disabled APIs,
    replicas, failed deploys and every kind of budget coverage occur."""
    seen: set[str] = set()
    for seed in SEEDS:
        data = generate_world(seed)
        ids = project_ids(data)
        for project_id, body in data["projects"].items():
            labels = body["project"].get("labels", {})
            if "env" in labels or "environment" in labels:
                seen.add("labelled")
            elif any(t in project_id.split("-") for t in ("prod", "prd", "live", "dev", "stg")):
                seen.add("inferred")
            if "disabledServices" in body:
                seen.add("disabled")
            text = repr(body["cloudresourcemanager.iamPolicy"]) + repr(body["run.services"])
            if any(other in text for other in ids if other != project_id):
                seen.add("cross-project")
            if any("masterInstanceName" in i for i in body["sqladmin.instances"]):
                seen.add("replica")
            if any(
                s["latestCreatedRevision"] != s.get("latestReadyRevision")
                for s in body["run.services"]
            ):
                seen.add("failed deploy")
        for account in data["billingAccounts"].values():
            for budget in account["billingbudgets.budgets"]:
                flt = budget["budgetFilter"]
                seen.add(
                    "by project"
                    if "projects" in flt
                    else "by ancestor"
                    if "resourceAncestors" in flt
                    else "account-wide"
                )
    assert seen == {
        "labelled",
        "inferred",
        "disabled",
        "cross-project",
        "replica",
        "failed deploy",
        "by project",
        "by ancestor",
        "account-wide",
    }


BUILTIN = [c.spec for c in load_checks() if c.origin.startswith("entry point builtin")]


@pytest.mark.parametrize("seed", SMOKE_SEEDS)
def test_every_check_judges_a_generated_world(seed: int) -> None:
    data = generate_world(seed)
    with Emulator(World.from_json(data), page_size=2) as emu:
        _, results = run(BUILTIN, project_ids(data), session_for(emu), now=NOW)
    assert results
    broken = [
        f"{r.check} {r.project} {r.resource}: {r.status.value} {r.message}"
        for r in results
        if r.status is Status.UNKNOWN or "crashed" in r.message
    ]
    assert not broken, "\n".join(broken)
