"""The reads of the readiness pack, through the real client libraries against the emulator:
liens, essential contacts (inherited ones included), uptime checks, project / folder /
organization sinks; and their failures, which are unreadable, never empty."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from helpers import project, run_cli, session_for, world

from gcplint.collect import registry as c
from gcplint.collect.collection import Unreadable
from gcplint.emulator import Fault, World
from gcplint.model import Reason

ORG, FOLDER = "organizations/9", "folders/5"


def contact(name: str, *categories: str, state: str = "VALID") -> dict[str, Any]:
    return {
        "name": name,
        "email": f"{name.rsplit('/', 1)[1]}@acme.example",
        "notificationCategorySubscriptions": list(categories),
        "languageTag": "en",
        "validationState": state,
        "validateTime": "2026-01-05T10:00:00Z",
    }


def sink(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "destination": "storage.googleapis.com/acme-logs", **extra}


def readiness_world() -> World:
    return world(
        {
            "shop-prod": {
                "project": project("shop-prod", "111", parent=FOLDER, labels={"env": "prod"}),
                c.LIENS.name: [
                    {
                        "name": "liens/p111-keep",
                        "parent": "projects/111",
                        "restrictions": ["resourcemanager.projects.delete"],
                        "reason": "production",
                        "origin": "platform-team",
                        "createTime": "2025-02-01T08:00:00Z",
                    }
                ],
                c.UPTIME_CHECKS.name: [
                    {
                        "name": "projects/shop-prod/uptimeCheckConfigs/api-up",
                        "displayName": "api",
                        "monitoredResource": {
                            "type": "uptime_url",
                            "labels": {"project_id": "shop-prod", "host": "api.acme.example"},
                        },
                        "httpCheck": {"path": "/healthz", "port": 443, "useSsl": True},
                        "period": "60s",
                        "timeout": "10s",
                    }
                ],
                c.ESSENTIAL_CONTACTS.name: [
                    contact("projects/111/contacts/ops", "TECHNICAL"),
                    contact("projects/111/contacts/old", "ALL", state="INVALID"),
                ],
            },
            "shop-dev": {"project": project("shop-dev", "222", parent=ORG)},
        },
        organizations=[{"name": ORG, "displayName": "acme.example"}],
        folders=[{"name": FOLDER, "parent": ORG, "displayName": "prod"}],
        resources={
            ORG: {
                c.ESSENTIAL_CONTACTS.name: [
                    contact(f"{ORG}/contacts/security", "SECURITY"),
                    contact(f"{ORG}/contacts/billing", "BILLING"),
                ],
                c.ORGANIZATION_SINKS.name: [sink("everything", includeChildren=True)],
            },
            FOLDER: {c.FOLDER_SINKS.name: [sink("audit", includeChildren=False)]},
        },
    )


def names(items: list[Any]) -> list[str]:
    return [str(i["name"]) for i in items]


def test_the_new_collections_read_through_the_real_clients(serve: Any) -> None:
    session = session_for(serve(readiness_world(), page_size=1))
    assert names(session.read(c.LIENS, "shop-prod")) == ["liens/p111-keep"]
    assert names(session.read(c.UPTIME_CHECKS, "shop-prod")) == [
        "projects/shop-prod/uptimeCheckConfigs/api-up"
    ]
    # every project has the _Required and _Default sinks when the world says nothing else
    sinks = session.read(c.PROJECT_SINKS, "shop-prod")
    assert names(sinks) == ["_Required", "_Default"]
    assert all("disabled" not in s for s in sinks)
    assert names(session.read(c.FOLDER_SINKS, FOLDER)) == ["audit"]
    assert names(session.read(c.ORGANIZATION_SINKS, ORG)) == ["everything"]
    assert session.read(c.ANCESTRY, "shop-prod") == [FOLDER, ORG]


def test_contacts_compute_inherits_from_folders_and_the_organization(serve: Any) -> None:
    """contacts:compute: the project's own and its ancestors' contacts subscribed to SECURITY or
    TECHNICAL (or ALL); a BILLING-only contact is left out; validation states are kept as they
    are (judging them is the check's job)."""
    session = session_for(serve(readiness_world(), page_size=1))
    found = session.read(c.ESSENTIAL_CONTACTS, "shop-prod")
    assert names(found) == [
        "projects/111/contacts/ops",
        "projects/111/contacts/old",
        f"{ORG}/contacts/security",
    ]
    assert names(session.read(c.ESSENTIAL_CONTACTS, "shop-dev")) == [f"{ORG}/contacts/security"]


@pytest.mark.parametrize(
    ("collection", "key", "path"),
    [
        (c.LIENS, "shop-prod", "/cloudresourcemanager/v3/liens"),
        (c.ESSENTIAL_CONTACTS, "shop-prod", "/essentialcontacts/v1/projects/shop-prod/*"),
        (c.UPTIME_CHECKS, "shop-prod", "/monitoring/v3/projects/shop-prod/uptimeCheckConfigs"),
        (c.PROJECT_SINKS, "shop-prod", "/logging/v2/projects/shop-prod/sinks"),
        (c.FOLDER_SINKS, FOLDER, "/logging/v2/folders/5/sinks"),
        (c.ORGANIZATION_SINKS, ORG, "/logging/v2/organizations/9/sinks"),
    ],
)
@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("PERMISSION_DENIED", Reason.PERMISSION_DENIED),
        ("UNAVAILABLE", Reason.UNAVAILABLE),
        ("WRONG_SHAPE", Reason.ERROR),
    ],
)
def test_a_failed_read_is_unreadable_never_empty(
    serve: Any, collection: Any, key: str, path: str, error: str, reason: Reason
) -> None:
    emu = serve(readiness_world())
    emu.add_fault(Fault(path=path, error=error))
    with pytest.raises(Unreadable) as info:
        session_for(emu).read(collection, key)
    assert info.value.reason is reason
    if reason is Reason.PERMISSION_DENIED:
        assert info.value.permission == collection.permission


def test_an_unknown_folder_is_denied_not_empty(serve: Any) -> None:
    with pytest.raises(Unreadable) as info:
        session_for(serve(readiness_world())).read(c.FOLDER_SINKS, "folders/404")
    assert info.value.reason is Reason.PERMISSION_DENIED


def test_a_bucket_named_like_its_project_does_not_hang_the_scan(serve: Any) -> None:
    """Per-resource reads are remembered apart from the whole collection: a bucket called
    `shop-prod` in project shop-prod once waited for itself."""
    emu = serve(
        world(
            {
                "shop-prod": {
                    "project": project("shop-prod", "111"),
                    c.BUCKETS.name: [{"name": "shop-prod"}],
                    c.BUCKET_IAM.name: {"shop-prod": {"etag": "CAE=", "bindings": []}},
                }
            }
        )
    )
    policies = session_for(emu).read(c.BUCKET_IAM, "shop-prod")
    assert policies.of("shop-prod") == {"bindings": []}  # (only the fields read: no etag)


def test_doctor_tests_the_organization_and_names_the_roles(serve: Any) -> None:
    """Folder and organization sinks are read on the folder and the organization: the doctor
    asks testIamPermissions there, and the custom role lists them as needed elsewhere, with a
    role that grants them."""
    emu = serve(readiness_world())
    run = run_cli(*f"doctor --api-base {emu.url} --project shop-prod --format json".split())
    assert run.code == 0, run.err
    targets = {t["name"]: t for t in json.loads(run.out)["targets"]}
    assert "logging.sinks.list" in targets[ORG]["needed"]
    assert "logging.sinks.list" in targets[FOLDER]["needed"]
    role = run_cli("doctor", "--role", "--check", "logging.*")
    assert "on each organization: logging.sinks.list (e.g. roles/logging.viewer)" in role.out


RELIABILITY = {
    "run.no-health-check",
    "run.no-min-instances",
    "run.secret-version-latest",
    "run.sql-connection-overcommit",
    "sql.shared-core-tier",
    "sql.no-maintenance-window",
    "sql.storage-auto-increase-off",
    "sql.unsupported-version",
    "project.no-deletion-lien",
    "project.no-essential-contacts",
    "monitoring.no-uptime-check",
    "logging.default-sink-disabled",
    "pubsub.dead-letter-unwritable",
}


def test_the_reliability_area_selects_exactly_the_pack_and_gates_like_any_check(
    tmp_path: Path,
) -> None:
    """`--check reliability` selects the thirteen checks; SARIF describes them as rules; a
    suppression and `--fail-on` apply to them as to every other check."""
    sarif = run_cli(
        *["scan", "--demo", "--no-progress", "--check", "reliability", "--format", "sarif"]
    )
    rules = {r["id"] for r in json.loads(sarif.out)["runs"][0]["tool"]["driver"]["rules"]}
    assert rules == RELIABILITY
    worker = "//run.googleapis.com/projects/acme-prod/locations/europe-west1/services/worker"
    config = tmp_path / "gcplint.toml"
    config.write_text(
        "suppression-max-days = 365000\n"
        "[[suppressions]]\n"
        'check = "run.sql-connection-overcommit"\n'
        f'resource = "{worker}"\n'
        'reason = "the jobs queue is capped at 20 workers by the broker"\n'
        "expires = 2099-01-01\n"
    )
    args = [
        "scan",
        "--demo",
        "--no-progress",
        "--check",
        "reliability",
        "--format",
        "json",
        "--config",
    ]
    report = run_cli(*args, str(config), "--fail-on", "high").json()
    overcommit = [r for r in report["results"] if r["check"] == "run.sql-connection-overcommit"]
    suppressed = [r for r in overcommit if r["suppressed"]]
    assert [r["resource"] for r in suppressed] == [worker]
    high = [r for r in report["results"] if r["status"] == "fail" and r["severity"] == "high"]
    assert all(r["suppressed"] for r in high) and report["scan"]["exit_code"] == 0
    strict = run_cli(*args, str(config), "--fail-on", "low").json()
    assert strict["scan"]["exit_code"] == 1
