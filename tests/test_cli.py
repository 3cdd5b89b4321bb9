"""The command line: exit codes, the JSON report contract, bad input, the demo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURES, Run, run_cli

from gcplint.collect import registry
from gcplint.emulator import Fault, World

BASE = json.loads((FIXTURES / "cases" / "base-world.json").read_text())
RESULT_KEYS = {
    "check",
    "severity",
    "status",
    "project",
    "resource",
    "subject",
    "message",
    "reason",
    "fingerprint",
}


def base_world(**project_overrides: Any) -> World:
    data = json.loads(json.dumps(BASE))
    data["projects"]["acme-prod"].update(project_overrides)
    return World.from_json(data)


def clean_world() -> World:
    """acme-prod with nothing wrong for any built-in check."""
    data = json.loads(json.dumps(BASE))
    data["billingAccounts"]["0A1B2C-3D4E5F-6A7B8C"][registry.ACCOUNT_BUDGETS.name] = [
        {
            "name": "billingAccounts/0A1B2C-3D4E5F-6A7B8C/budgets/b1",
            "displayName": "prod",
            "budgetFilter": {"projects": ["projects/100000000001"]},
            "thresholdRules": [{"thresholdPercent": 0.9, "spendBasis": "CURRENT_SPEND"}],
        }
    ]
    data["projects"]["acme-prod"][registry.PROJECT_IAM_POLICY.name]["auditConfigs"] = [
        {
            "service": "allServices",
            "auditLogConfigs": [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}],
        }
    ]
    data["projects"]["acme-prod"][registry.ALERT_POLICIES.name] = [
        {
            "name": "projects/acme-prod/alertPolicies/1",
            "displayName": "5xx",
            "enabled": True,
            "notificationChannels": ["projects/acme-prod/notificationChannels/7"],
        }
    ]
    data["projects"]["acme-prod"][registry.NOTIFICATION_CHANNELS.name] = [
        {"name": "projects/acme-prod/notificationChannels/7", "type": "email", "enabled": True}
    ]
    data["projects"]["acme-prod"][registry.LIENS.name] = [
        {
            "name": "liens/p100000000001-l3d8032b3",
            "parent": "projects/100000000001",
            "restrictions": ["resourcemanager.projects.delete"],
            "reason": "production",
            "origin": "cto@acme.example",
        }
    ]
    data["projects"]["acme-prod"][registry.ESSENTIAL_CONTACTS.name] = [
        {
            "name": "projects/100000000001/contacts/1",
            "email": "oncall@acme.example",
            "notificationCategorySubscriptions": ["ALL"],
            "languageTag": "en",
            "validationState": "VALID",
        }
    ]
    return World.from_json(data)


def scan(emu: Any, *args: str) -> Run:
    return run_cli("scan", "--api-base", emu.url, "--project", "acme-prod", *args)


def test_clean_project_exits_0(serve: Any) -> None:
    run = scan(serve(clean_world()))
    assert run.code == 0, run.out + run.err
    assert "Result: PASS" in run.out


def test_findings_exit_1_and_fail_on_threshold(serve: Any) -> None:
    emu = serve(base_world())  # no budget covers acme-prod: one high finding
    assert scan(emu).code == 1
    assert scan(emu, "--fail-on", "high").code == 1
    assert scan(emu, "--fail-on", "critical").code == 0


def test_unknown_results_exit_3(serve: Any) -> None:
    emu = serve(clean_world())
    emu.add_fault(Fault(path="/sqladmin/*", error="PERMISSION_DENIED"))
    run = scan(emu)
    assert run.code == 3, run.out
    assert "INCOMPLETE" in run.out
    assert "cloudsql.instances.list" in run.out


def test_findings_win_over_unknown(serve: Any) -> None:
    emu = serve(base_world())
    emu.add_fault(Fault(path="/sqladmin/*", error="PERMISSION_DENIED"))
    assert scan(emu).code == 1
    assert scan(emu, "--fail-on", "critical").code == 3


def test_disabled_api_is_not_applicable_and_does_not_make_the_scan_incomplete(serve: Any) -> None:
    emu = serve(World.from_json({**json.loads(json.dumps(BASE))}))
    emu.world.projects["acme-prod"].disabled_services = frozenset({"sqladmin.googleapis.com"})
    data = scan(emu, "--format", "json", "--check", "sql.*").json()
    assert len(data["results"]) == len(data["scan"]["checks"]) == 11
    assert {(r["status"], r["reason"]) for r in data["results"]} == {
        ("not_applicable", "API_DISABLED")
    }
    assert data["scan"]["exit_code"] == 0


def quota_host_world() -> World:
    """acme-prod, and the project its scans bill quota to, which has Cloud SQL Admin off."""
    data = json.loads(json.dumps(BASE))
    data["projects"]["billing-host"] = {
        "project": {
            "name": "projects/100000000077",
            "projectId": "billing-host",
            "parent": "folders/110000000001",
            "state": "ACTIVE",
        },
        "disabledServices": ["sqladmin.googleapis.com"],
    }
    return World.from_json(data)


def test_an_api_off_in_the_quota_project_is_unknown_not_a_disabled_api(serve: Any) -> None:
    """Google names the quota project as the 403's consumer: that says nothing of acme-prod's
    databases, so they are unknown (a not-applicable would hide the public one)."""
    emu = serve(quota_host_world())
    run = scan(emu, "--format", "json", "--check", "sql.*", "--quota-project", "billing-host")
    data = run.json()
    assert {(r["status"], r["reason"]) for r in data["results"]} == {
        ("unknown", "PERMISSION_DENIED")
    }
    assert data["scan"]["exit_code"] == 3
    first = data["results"][0]
    assert (
        "sqladmin.googleapis.com refused the call as disabled (the API or billing) in"
        " projects/100000000077, the project billed for these calls (the quota project), not"
        " acme-prod"
    ) in first["message"]
    assert (
        "gcloud services enable sqladmin.googleapis.com --project 100000000077"
        in (first["remediation"])
    )


def test_a_quota_project_with_the_api_on_reads_the_target(serve: Any) -> None:
    emu = serve(quota_host_world())
    emu.world.projects["billing-host"].disabled_services = frozenset()
    plain = scan(emu, "--format", "json").json()
    billed = scan(emu, "--format", "json", "--quota-project", "billing-host").json()
    assert [(r["check"], r["status"]) for r in billed["results"]] == [
        (r["check"], r["status"]) for r in plain["results"]
    ]
    assert {"pass", "fail"} <= {r["status"] for r in billed["results"]}
    assert "unknown" not in {r["status"] for r in billed["results"]}


def test_the_target_api_off_under_a_quota_project_is_still_not_applicable(serve: Any) -> None:
    emu = serve(quota_host_world())
    emu.world.projects["billing-host"].disabled_services = frozenset()
    emu.world.projects["acme-prod"].disabled_services = frozenset({"sqladmin.googleapis.com"})
    data = scan(
        emu, "--format", "json", "--check", "sql.*", "--quota-project", "billing-host"
    ).json()
    assert {(r["status"], r["reason"]) for r in data["results"]} == {
        ("not_applicable", "API_DISABLED")
    }


def test_json_report_contract(serve: Any) -> None:
    run = scan(serve(base_world()), "--format", "json")
    data = run.json()
    assert data["schema"] == "gcplint-report/v1"
    assert data["tool"]["name"] == "gcplint" and data["tool"]["version"]
    assert set(data["summary"]) == {"pass", "fail", "unknown", "not_applicable"}
    assert sum(data["summary"].values()) == len(data["results"])
    assert data["results"], "the scan produced no results"
    for result in data["results"]:
        assert set(result) >= RESULT_KEYS
        assert result["status"] in data["summary"]
        assert result["severity"] in {"critical", "high", "medium", "low", "info"}
        assert result["resource"].startswith("//")
        assert "/projects/acme-prod" in result["resource"]
        assert (result["reason"] is None) == (result["status"] in ("pass", "fail"))
        assert len(result["fingerprint"]) == 32
    budget = next(r for r in data["results"] if r["check"] == "budget.missing")
    assert budget == {
        **budget,
        "status": "fail",
        "project": "acme-prod",
        "subject": None,
        "resource": "//cloudresourcemanager.googleapis.com/projects/acme-prod",
    }
    assert data["scan"]["identity"].startswith("anonymous")
    assert data["scan"]["projects"] == [
        {
            "id": "acme-prod",
            "environment": "prod",
            "environment_source": "label env=prod",
            "error": None,
        }
    ]


def test_fingerprints_are_stable_across_runs(serve: Any) -> None:
    emu = serve(base_world())
    first = scan(emu, "--format", "json").json()["results"]
    second = scan(emu, "--format", "json").json()["results"]
    assert [r["fingerprint"] for r in first] == [r["fingerprint"] for r in second]
    assert len({r["fingerprint"] for r in first}) == len(first)


def test_output_file_is_written_atomically(serve: Any, tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    run = scan(serve(base_world()), "--format", "json", "--output", str(target))
    assert run.code == 1 and run.out == ""
    assert json.loads(target.read_text())["schema"] == "gcplint-report/v1"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_check_selection(serve: Any) -> None:
    emu = serve(base_world())
    only = scan(emu, "--format", "json", "--check", "budget.*").json()
    assert {r["check"] for r in only["results"]} == {"budget.missing", "budget.no-alert"}
    assert only["scan"]["checks"] == ["budget.missing", "budget.no-alert"]
    skipped = scan(emu, "--format", "json", "--skip", "budget.missing", "--skip", "sql.*").json()
    assert (
        "budget.missing" not in skipped["scan"]["checks"]
        and "sql.public-ip" not in skipped["scan"]["checks"]
    )


def test_only_needed_collections_are_fetched(serve: Any) -> None:
    emu = serve(base_world())
    scan(emu, "--check", "sql.public-ip")
    apis = Counter(r.path.split("/")[1] for r in emu.requests)
    assert set(apis) <= {"sqladmin", "cloudresourcemanager", "serviceusage"}, apis
    listings = {r.path for r in emu.requests if r.path.startswith("/serviceusage/")}
    assert len(listings) <= 1  # enabled services, listed once per project (maybe in pages)
    assert sum(r.path.endswith("/instances") for r in emu.requests) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["scan", "--projectx", "p"], "No such option"),
        (["scan", "--project", "Bad_ID!"], "not a valid project ID"),
        (["scan"], "no project in scope"),
        (["scan", "--project", "acme-prod", "--api-base", "localhost:8089"], "http:// or https://"),
        (
            [
                "scan",
                "--project",
                "acme-prod",
                "--api-base",
                "http://127.0.0.1:9",
                "--check",
                "nope.*",
            ],
            "no check matches 'nope.*'",
        ),
        (
            ["scan", "--project", "acme-prod", "--api-base", "http://127.0.0.1:9", "--skip", "*"],
            "leaves no check",
        ),
        (["scan", "--project", "acme-prod", "--format", "xml"], "Invalid value for '--format'"),
        (
            ["scan", "--project", "acme-prod", "--fail-on", "urgent"],
            "Invalid value for '--fail-on'",
        ),
        (["scan", "--demo", "--api-base", "http://127.0.0.1:9"], "cannot be combined"),
        (["scan", "--project", "acme-prod", "--checks-dir", "/nonexistent-dir"], "not a directory"),
        (["checks", "explain", "no.such-check"], "unknown check"),
        (["emulator", "serve", "/nonexistent/world.json"], "cannot read /nonexistent/world.json"),
        (["frobnicate"], "No such command"),
        (["scan", "--demo", "--output", "/proc/report.json"], "cannot write to /proc"),
        (["doctor", "--project", "UPPER"], "not a valid project ID"),
        (["doctor", "--format", "sarif", "--demo"], "Invalid value for '--format'"),
        (["emulator", "serve", "/"], "is a directory"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str) -> None:
    run = run_cli(*args)
    assert run.code == 2, run.err
    assert run.out == ""
    lines = run.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("gcplint: error: "), run.err
    assert message in lines[0]
    assert "Traceback" not in run.err


def test_output_to_missing_directory_fails_before_scanning(tmp_path: Path) -> None:
    run = run_cli(
        "scan",
        "--project",
        "acme-prod",
        "--api-base",
        "http://127.0.0.1:9",
        "--output",
        str(tmp_path / "missing" / "r.json"),
    )
    assert run.code == 2 and "does not exist" in run.err


def test_existing_report_is_kept_when_the_scan_cannot_start(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous report")
    run = run_cli(
        *f"scan --project acme-prod --api-base http://127.0.0.1:9 --check nope --output {target}".split()
    )
    assert run.code == 2
    assert target.read_text() == "previous report"


def test_malformed_world_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "w.json"
    bad.write_text('{"schema": "gcplint-world/v1", "projects": {"p1": {}}}')
    run = run_cli("emulator", "serve", str(bad))
    assert run.code == 2 and "needs a 'project' object" in run.err
    bad.write_text("{not json")
    assert "not valid JSON" in run_cli("emulator", "serve", str(bad)).err


def test_missing_credentials_is_a_one_line_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    creds = tmp_path / "adc.json"
    creds.write_text('{"type": "nonsense"}')
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(creds))
    run = run_cli("scan", "--project", "acme-prod")
    assert run.code == 2
    assert run.err.startswith("gcplint: error: ") and len(run.err.strip().splitlines()) == 1


def test_checks_list_and_explain() -> None:
    listing = run_cli("checks", "list")
    assert listing.code == 0
    for check_id in (
        "env.unlabeled-project",
        "iam.sa-primitive-role",
        "sql.public-ip",
        "budget.missing",
        "run.no-rollback-target",
    ):
        assert check_id in listing.out
    explain = run_cli("checks", "explain", "sql.public-ip")
    assert explain.code == 0
    assert "Why it matters" in explain.out and "gcloud sql instances patch" in explain.out
    assert "cloudsql.instances.list" in explain.out


def test_text_report_groups_by_area_and_names_fixes(serve: Any) -> None:
    data = json.loads(json.dumps(BASE))
    data["projects"]["acme-prod"][registry.SQL_INSTANCES.name] = [
        {
            "name": "main",
            "settings": {"ipConfiguration": {"ipv4Enabled": True}},
            "ipAddresses": [{"type": "PRIMARY", "ipAddress": "34.1.2.3"}],
        }
    ]
    out = scan(serve(World.from_json(data)), "--verbose").out
    assert out.index("Database exposure and resilience") < out.index("Budgets and alerting")
    assert "fix: gcloud sql instances patch main" in out
    assert "Passed (" in out  # --verbose lists passes
    assert "\x1b[" not in out  # no colour when not a terminal


def test_demo_in_process() -> None:
    run = run_cli("scan", "--demo", "--format", "json")
    data = run.json()
    assert run.code == 1
    assert {p["id"] for p in data["scan"]["projects"]} == {"acme-prod", "acme-staging", "acme-dev"}
    assert data["summary"]["fail"] > 0 and data["summary"]["pass"] > 0
    unknown = {
        (r["check"], r["project"], r["reason"]) for r in data["results"] if r["status"] == "unknown"
    }
    assert unknown == {  # the demo denies one permission, to show what unknown looks like
        ("monitoring.no-alerting", "acme-dev", "PERMISSION_DENIED"),
        ("monitoring.alert-no-channel", "acme-dev", "PERMISSION_DENIED"),
    }
    assert {r["check"] for r in data["results"] if r["status"] == "fail"} >= {
        "env.unlabeled-project",
        "iam.sa-primitive-role",
        "sql.public-ip",
        "budget.missing",
        "run.no-rollback-target",
    }


def test_demo_as_a_real_process() -> None:
    env = {k: v for k, v in os.environ.items() if k != "GCPLINT_API_BASE"}
    proc = subprocess.run(
        [sys.executable, "-m", "gcplint", "scan", "--demo"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr
    assert "Environment separation" in proc.stdout and "Summary:" in proc.stdout
    assert proc.stderr == ""
