"""The first ten minutes: a mistyped project, credentials that cannot refresh, and --debug.

Everything runs the real client libraries over HTTP against the emulator (or, for credentials,
against a local token endpoint or no network at all); nothing is mocked.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli

from gcplint.emulator import Fault, demo_world

TYPO = "acme-prd"


def named(*projects: str) -> list[str]:
    return [arg for p in projects for arg in ("--project", p)]


def identity(emu: Any) -> str:
    return f"anonymous (API base {emu.url})"


# --- 4. a project that does not exist (or cannot be seen) -------------------------------------


@pytest.mark.parametrize(
    "command",
    [["scan"], ["doctor"], ["collect", "-o", "{tmp}/s.json"], ["baseline", "create", "{tmp}/b"]],
    ids=lambda c: c[0],
)
def test_a_mistyped_project_is_one_line_and_exit_2(
    serve: Any, tmp_path: Path, command: list[str]
) -> None:
    emu = serve(demo_world())
    args = [a.format(tmp=tmp_path) for a in command]
    run = run_cli(*args, "--api-base", emu.url, *named(TYPO))
    assert run.code == 2, run.err
    assert run.err.splitlines() == [
        f"gcplint: error: {TYPO} does not exist or is not visible to {identity(emu)} — check"
        f" the ID (gcloud projects describe {TYPO}; reading it needs resourcemanager.projects.get)"
    ]
    assert "grant" not in run.err and run.out == ""
    assert [r.path for r in emu.requests] == [f"/cloudresourcemanager/v3/projects/{TYPO}"]
    assert not list(tmp_path.iterdir())  # no snapshot, no baseline written


def test_only_the_mistyped_projects_are_named(serve: Any) -> None:
    emu = serve(demo_world())
    run = run_cli("scan", "--api-base", emu.url, *named("acme-prod", TYPO, "acme-stagin"))
    assert run.code == 2
    lines = run.err.splitlines()
    assert [line.split()[2] for line in lines] == [TYPO, "acme-stagin"]
    assert all(line.startswith("gcplint: error: ") for line in lines)
    assert "acme-prod " not in run.err


def test_the_demo_names_a_mistyped_project_too() -> None:
    run = run_cli("scan", "--demo", *named(TYPO))
    assert run.code == 2 and len(run.err.splitlines()) == 1 and TYPO in run.err


def test_a_project_denied_to_the_identity_reads_the_same(serve: Any) -> None:
    """Google answers alike for a project that does not exist and one the caller may not get."""
    data = demo_world()
    data.denied["projects/acme-dev"] = frozenset({"resourcemanager.projects.get"})
    run = run_cli("scan", "--api-base", serve(data).url, *named("acme-dev"))
    assert run.code == 2 and "acme-dev does not exist or is not visible" in run.err


@pytest.mark.parametrize(
    "fault",
    ["SERVICE_DISABLED", "BILLING_DISABLED", "RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL"],
)
def test_other_failures_of_the_project_read_stay_unknowns(serve: Any, fault: str) -> None:
    """A 403 that says something else, a quota, an outage: not 'does not exist'."""
    emu = serve(demo_world())
    emu.add_fault(Fault(path="/cloudresourcemanager/v3/projects/acme-dev", error=fault))
    run = run_cli("scan", "--api-base", emu.url, *named("acme-dev"), "--format", "json")
    assert run.code in (1, 3), run.err
    assert "does not exist" not in run.err
    assert any(r["status"] == "unknown" for r in run.json()["results"])


def test_a_project_whose_resource_manager_api_is_disabled_is_not_missing(serve: Any) -> None:
    data = demo_world()
    entry = data.projects["acme-dev"]
    data.projects["acme-dev"] = replace(
        entry, disabled_services=entry.disabled_services | {"cloudresourcemanager.googleapis.com"}
    )
    run = run_cli("scan", "--api-base", serve(data).url, *named("acme-dev"))
    assert run.code in (1, 3), run.err
    assert "does not exist" not in run.err


def test_a_readable_project_whose_other_apis_fail_still_gives_unknowns(serve: Any) -> None:
    emu = serve(demo_world())
    emu.add_fault(Fault(path="/sqladmin/*", error="PERMISSION_DENIED"))
    run = run_cli("scan", "--api-base", emu.url, *named("acme-prod"), "--format", "json")
    assert run.code in (1, 3) and "does not exist" not in run.err
    unknown = [r for r in run.json()["results"] if r["status"] == "unknown"]
    assert unknown and all(r["reason"] == "PERMISSION_DENIED" for r in unknown)


def test_a_snapshot_that_recorded_the_project_read_as_failed_still_scans(tmp_path: Path) -> None:
    snapshot = tmp_path / "s.json"
    assert run_cli("collect", "--demo", "-o", str(snapshot)).code == 0
    data = json.loads(snapshot.read_text())
    del data["projects"]["acme-dev"]["project"]
    data["snapshot"]["reads"]["cloudresourcemanager.project"]["acme-dev"] = {
        "reason": "PERMISSION_DENIED",
        "detail": "Permission 'resourcemanager.projects.get' denied",
        "permission": "resourcemanager.projects.get",
    }
    snapshot.write_text(json.dumps(data))
    run = run_cli("scan", "--snapshot", str(snapshot), *named("acme-dev"), "--format", "json")
    assert run.code in (1, 3), run.err
    assert "does not exist" not in run.err
    assert any(r["status"] == "unknown" for r in run.json()["results"])


def test_enumerated_and_demo_scopes_are_not_rechecked() -> None:
    """An enumerated project exists (the search found it): nothing more is asked of it."""
    assert run_cli("scan", "--demo").code in (1, 3)
