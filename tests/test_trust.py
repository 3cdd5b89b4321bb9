"""Trust in a hostile project: what the scanned project can say about its own findings.

A label in the project suppresses only when the config enables it, with an expiry, never an
unknown result, and never under --strict-suppressions; a baseline accepts a finding's grant, not
its subject (a wider grant is new); a merge that lacks a shard is incomplete and names it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from helpers import FIXTURES, run_cli

from gcplint.collect import registry
from gcplint.emulator import Fault, World

BASE = json.loads((FIXTURES / "cases" / "base-world.json").read_text())
TODAY = datetime.now(UTC).date()
PROJECT = "//cloudresourcemanager.googleapis.com/projects/acme-prod"


def world(role: str = "roles/owner", labels: dict[str, str] | None = None) -> World:
    """acme-prod granting `role` to allUsers (iam.public-principal: critical), with `labels`."""
    data = json.loads(json.dumps(BASE))
    prod = data["projects"]["acme-prod"]
    prod[registry.PROJECT_IAM_POLICY.name]["bindings"].append(
        {"role": role, "members": ["allUsers"]}
    )
    prod["project"]["labels"].update(labels or {})
    return World.from_json(data)


def scan(emu: Any, *args: str) -> Any:
    return run_cli(
        "scan", "--api-base", emu.url, "--project", "acme-prod", "--check", "iam.public-principal",
        *args,
    )  # fmt: skip


def public(report: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in report["results"] if r["subject"] == "allUsers")


# -- item 2: a baseline accepts what a finding grants ------------------------------------------


def test_an_escalated_grant_is_a_new_finding_not_unchanged(serve: Any, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    viewer = serve(world("roles/viewer"))
    args = ("--api-base", viewer.url, "--project", "acme-prod", "--check", "iam.public-principal")
    assert run_cli("baseline", "create", str(baseline), *args).code == 0
    entry = json.loads(baseline.read_text())["entries"][0]
    assert entry["subject"] == "allUsers" and entry["grant"] == "roles/viewer"
    assert scan(viewer, "--baseline", str(baseline)).code == 0

    owner = serve(world("roles/owner"))
    run = scan(owner, "--baseline", str(baseline), "--format", "json")
    found = public(run.json())
    assert found["grant"] == "roles/owner" and found["baseline"] == "new"
    assert run.code == 1 and run.json()["baseline"]["fixed"][0]["grant"] == "roles/viewer"


def test_report_merge_round_trips_the_grant(serve: Any, tmp_path: Path) -> None:
    report = tmp_path / "scan.json"
    assert scan(serve(world()), "--format", "json", "-o", str(report)).code == 1
    merged = public(run_cli("report", "merge", str(report), "--format", "json").json())
    assert merged == public(json.loads(report.read_text()))
    assert merged["grant"] == "roles/owner"


def test_a_version_1_baseline_is_refused_in_one_line(serve: Any, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"schema": "gcplint-baseline/v1", "entries": []}')
    run = scan(serve(world()), "--baseline", str(baseline))
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1
    assert "regenerate it with `gcplint baseline create`" in run.err


# -- item 1: labels in the scanned project do not switch the gate off ---------------------------

LATER = f"until-{TODAY + timedelta(days=30)}"


def labelled(value: str) -> World:
    return world("roles/owner", {"gcplint-ignore": value})


def enabled(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "gcplint.toml"
    path.write_text(f"label-suppressions = true\n{extra}")
    return path


def test_a_label_does_not_suppress_unless_the_config_enables_it(serve: Any) -> None:
    run = scan(serve(labelled(f"iam-public-principal_{LATER}")))
    assert run.code == 1 and "Result: PASS" not in run.out
    assert "1 label suppression was ignored" in run.out and "label-suppressions = true" in run.out
    data = scan(serve(labelled(f"iam-public-principal_{LATER}")), "--format", "json").json()
    assert public(data)["suppressed"] is None
    assert any("label suppression was ignored" in n for n in data["scan"]["notes"])


def test_the_label_note_reaches_the_pull_request_comment_and_sarif(serve: Any) -> None:
    emu = serve(labelled(f"iam-public-principal_{LATER}"))
    markdown = scan(emu, "--format", "markdown").out
    assert "### Notes" in markdown and "1 label suppression was ignored" in markdown
    sarif = scan(emu, "--format", "sarif").json()
    notes = sarif["runs"][0]["invocations"][0]["toolConfigurationNotifications"]
    assert any("1 label suppression was ignored" in n["message"]["text"] for n in notes)


def test_an_enabled_label_with_an_expiry_suppresses_shown_as_in_the_project(
    serve: Any, tmp_path: Path
) -> None:
    emu = serve(labelled(f"iam-public-principal_{LATER}"))
    config = str(enabled(tmp_path))
    run = scan(emu, "--config", config, "--format", "json")
    assert run.code == 0, run.out
    assert public(run.json())["suppressed"] == {
        "reason": "suppressed by a label in the scanned project",
        "expires": (TODAY + timedelta(days=30)).isoformat(),
        "source": f"label gcplint-ignore on {PROJECT}",
        "owner": None,
        "ticket": None,
    }
    assert "suppressed by a label in the scanned project" in scan(emu, "--config", config).out
    sarif = scan(emu, "--config", config, "--format", "sarif", "--sarif-profile", "full").json()
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert suppressed[0]["suppressions"][0]["kind"] == "inSource"
    assert "scanned project" in suppressed[0]["suppressions"][0]["justification"]

    strict = scan(emu, "--config", config, "--strict-suppressions")
    assert strict.code == 1
    assert "1 label suppression (--strict-suppressions refuses labels in the project)" in strict.out
    assert "because: iam.public-principal on " + PROJECT in strict.out


def test_a_label_without_a_valid_unexpired_expiry_does_not_suppress(
    serve: Any, tmp_path: Path
) -> None:
    config = str(enabled(tmp_path, "suppression-max-days = 90\n"))
    for value, problem in [
        ("iam-public-principal", "needs exactly one until-YYYY-MM-DD expiry"),
        ("iam-public-principal_until-2026-02-30", "until-2026-02-30 is not a date"),
        (f"iam-public-principal_until-{TODAY - timedelta(days=1)}", "it expired on"),
        (f"iam-public-principal_until-{TODAY + timedelta(days=91)}", "suppression-max-days (90)"),
    ]:
        run = scan(serve(labelled(value)), "--config", config, "--format", "json")
        assert run.code == 1 and public(run.json())["suppressed"] is None, value
        (note,) = run.json()["scan"]["notes"]
        assert f"label gcplint-ignore={value} on {PROJECT} does not suppress" in note
        assert problem in note


def test_a_label_never_suppresses_an_unknown_result(serve: Any, tmp_path: Path) -> None:
    emu = serve(labelled(f"iam-public-principal_{LATER}"))
    emu.add_fault(Fault(path="*getIamPolicy*", error="PERMISSION_DENIED"))
    run = scan(emu, "--config", str(enabled(tmp_path)), "--format", "json")
    assert run.code == 3
    (found,) = [r for r in run.json()["results"] if r["status"] == "unknown"]
    assert found["suppressed"] is None
