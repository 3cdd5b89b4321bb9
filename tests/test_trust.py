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
from gcplint.emulator import World

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


def test_a_version_1_baseline_is_refused_in_one_line(serve: Any, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text('{"schema": "gcplint-baseline/v1", "entries": []}')
    run = scan(serve(world()), "--baseline", str(baseline))
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1
    assert "regenerate it with `gcplint baseline create`" in run.err
