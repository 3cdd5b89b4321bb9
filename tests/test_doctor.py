"""`gcplint doctor` and the permissions each check declares (through its collections)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import run_cli, session_for

from gcplint.checks.plugins import load_checks
from gcplint.collect import registry as c
from gcplint.collect.collection import Collection, Unreadable
from gcplint.emulator import Fault, World, demo_world

SPECS = [x.spec for x in load_checks()]
COLLECTIONS = {coll.name: coll for spec in SPECS for coll in spec.requires}


def demo(**denied: list[str]) -> World:
    world = demo_world()
    world.denied = {resource: frozenset(perms) for resource, perms in denied.items()}
    return world


def doctor(emu: Any, *args: str) -> Any:
    projects = [arg for p in emu.world.projects for arg in ("--project", p)]
    return run_cli("doctor", "--api-base", emu.url, *projects, *args)


def test_everything_granted_exits_0(serve: Any) -> None:
    run = doctor(serve(demo()))
    assert run.code == 0, run.out + run.err
    assert "Every permission the selected checks need is granted." in run.out


def test_missing_permissions_name_the_checks_they_block(serve: Any) -> None:
    emu = serve(
        demo(
            **{
                "projects/acme-prod": ["cloudsql.instances.list"],
                "billingAccounts/01A2B3-C4D5E6-F7A8B9": ["billing.budgets.list"],
                "folders/548102937465": ["resourcemanager.folders.get"],
            }
        )
    )
    run = doctor(emu, "--format", "json")
    assert run.code == 3
    report = run.json()
    missing = {
        (t["kind"], t["name"], m["permission"]): sorted(m["blocks"])
        for t in report["targets"]
        for m in t["missing"]
    }
    sql_checks = [s.id for s in SPECS if s.id.startswith("sql.")]
    assert missing == {
        ("project", "projects/acme-prod", "cloudsql.instances.list"): sorted(
            [*sql_checks, "env.mixed-environments", "run.sql-connection-overcommit"]
        ),
        ("billing account", "billingAccounts/01A2B3-C4D5E6-F7A8B9", "billing.budgets.list"): [
            "budget.missing",
            "budget.no-alert",
        ],
        ("folder", "folders/548102937465", "resourcemanager.folders.get"): [
            "budget.missing",
            "budget.no-alert",
            "logging.data-access-off",
            "logging.default-sink-disabled",
        ],
    }
    text = doctor(emu).out
    project_permissions = {p.name for s in SPECS for p in s.permissions if p.on == "project"}
    assert f"✗ project acme-prod: 1 of {len(project_permissions)} permissions missing" in text
    assert "roles/billing.viewer on the billing account" in text


def test_the_doctor_agrees_with_the_scan(serve: Any) -> None:
    """A permission the doctor reports missing is exactly what makes the scan's results unknown."""
    emu = serve(demo(**{"projects/acme-staging": ["run.services.list"]}))
    blocked = {
        m["permission"]: set(m["blocks"])
        for t in doctor(emu, "--format", "json").json()["targets"]
        for m in t["missing"]
    }
    scan = run_cli(
        "scan", "--api-base", emu.url, "--project", "acme-staging", "--format", "json"
    ).json()
    unknown = {r["check"] for r in scan["results"] if r["status"] == "unknown"}
    assert unknown == blocked["run.services.list"]


def test_an_unanswerable_test_is_reported_not_passed(serve: Any) -> None:
    emu = serve(demo())
    emu.add_fault(
        Fault(
            path="/cloudresourcemanager/v3/projects/acme-dev:testIamPermissions",
            error="UNAVAILABLE",
        )
    )
    run = doctor(emu)
    assert run.code == 3
    assert "? project acme-dev: could not test permissions: UNAVAILABLE" in run.out


def test_selection_narrows_the_permissions(serve: Any) -> None:
    report = doctor(serve(demo()), "--check", "sql.public-ip", "--format", "json").json()
    assert report["checks"] == ["sql.public-ip"]
    assert {tuple(t["needed"]) for t in report["targets"]} == {("cloudsql.instances.list",)}


def test_role_yaml_lists_exactly_the_needed_project_permissions() -> None:
    run = run_cli("doctor", "--role")
    assert run.code == 0
    listed = [line[2:] for line in run.out.splitlines() if line.startswith("- ")]
    needed = sorted({p.name for s in SPECS for p in s.permissions if p.on == "project"})
    assert listed == needed
    assert "title: gcplint scanner" in run.out and "stage: GA" in run.out
    assert (
        "#   on each billing account: billing.budgets.list (e.g. roles/billing.viewer)" in run.out
    )
    only_sql = run_cli("doctor", "--role", "--check", "sql.public-ip").out
    assert [line for line in only_sql.splitlines() if line.startswith("- ")] == [
        "- cloudsql.instances.list"
    ]
    # production-only checks read the project's metadata to tell its environment
    prod_only = run_cli("doctor", "--role", "--check", "sql.shared-core-tier").out
    assert [line for line in prod_only.splitlines() if line.startswith("- ")] == [
        "- cloudsql.instances.list",
        "- resourcemanager.projects.get",
    ]
    assert "billing" not in only_sql


@pytest.mark.parametrize("name", sorted(COLLECTIONS))
def test_every_collection_declares_the_permissions_its_reads_need(serve: Any, name: str) -> None:
    """Fetch one collection (and the region fallback of Cloud Run) and compare the permissions
    of every route the emulator served with what the collection declares."""
    collection: Collection[Any] = COLLECTIONS[name]
    emu = serve(demo(), page_size=2)
    if name.startswith("run."):
        emu.add_fault(Fault(path="/run/v2/projects/*/locations/-/*", error="INVALID_ARGUMENT"))
    declared = {p.name for p in collection.permissions}
    keys = {  # what the collection is read for: projects, or the world's folders or organization
        "folder": [str(f["name"]) for f in emu.world.folders],
        "organization": [str(o["name"]) for o in emu.world.organizations],
    }.get(collection.keyed_by, list(emu.world.projects))
    for key in keys:
        try:
            session_for(emu).read(collection, key)
        except Unreadable as exc:
            assert exc.reason.value in ("API_DISABLED", "PERMISSION_DENIED", "BILLING_DISABLED"), (
                exc.describe()
            )
    used = {r.permission for r in emu.requests if r.permission}
    assert used, f"{name}: no request was made"
    if collection.keyed_by == "project":  # the project's number, matched with the consumer of a
        declared.add(c.PROJECT.permission)  # 403 SERVICE_DISABLED (every scan reads it anyway)
    assert used <= declared, (
        f"{name} reads with {sorted(used - declared)} but declares {sorted(declared)}"
    )


def test_every_check_declares_what_it_reads(serve: Any) -> None:
    """A full demo scan: no check reads an undeclared collection (refused as an ERROR)."""
    emu = serve(demo())
    report = run_cli(
        "scan",
        "--api-base",
        emu.url,
        *[a for p in emu.world.projects for a in ("--project", p)],
        "--format",
        "json",
    ).json()
    assert not [r for r in report["results"] if "without declaring" in r["message"]]
    assert c.PROJECT.permission == "resourcemanager.projects.get"


def test_doctor_json_is_machine_readable(serve: Any) -> None:
    report = doctor(serve(demo()), "--format", "json").json()
    assert report["schema"] == "gcplint-doctor/v1" and report["identity"].startswith("anonymous")
    assert {t["kind"] for t in report["targets"]} == {
        "project",
        "folder",
        "organization",
        "billing account",
    }
    json.dumps(report)
