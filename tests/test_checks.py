"""Every check against its cases in fixtures/cases/<check id>.json, through the emulator.

A case file holds cases: a world fragment merged onto fixtures/cases/base-world.json, optional
faults, a scope (default acme-prod) and the exact results expected. The meta-tests require a
passing, a failing and an unreadable (unknown) case, and documentation, for every built-in check,
and that each check is defined in the module (or package) of the pack named after its id's prefix.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURES, session_for
from recording import recording, undeclared

from gcplint.checks.plugins import load_checks
from gcplint.checks.runner import gather, stream
from gcplint.emulator import Fault, World
from gcplint.model import Result

CASES_DIR = FIXTURES / "cases"
BASE = json.loads((CASES_DIR / "base-world.json").read_text())
BUILTIN = {c.spec.id: c.spec for c in load_checks() if c.origin.startswith("entry point builtin")}
NOW = datetime(2026, 11, 27, tzinfo=UTC)  # cases with ages (keys) are written against this date
COMPARED = ("status", "severity", "resource", "subject", "reason")


def case_files() -> list[Path]:
    return sorted(p for p in CASES_DIR.glob("*.json") if p.name != "base-world.json")


def all_cases() -> list[Any]:
    params = []
    for path in case_files():
        data = json.loads(path.read_text())
        for case in data["cases"]:
            params.append(pytest.param(data["check"], case, id=f"{data['check']}: {case['name']}"))
    return params


def build_world(case: dict[str, Any]) -> dict[str, Any]:
    """The base world with the case's fragment merged in (per project, per key)."""
    data = copy.deepcopy(BASE)
    fragment = case.get("world", {})
    for project_id, body in fragment.get("projects", {}).items():
        data["projects"].setdefault(project_id, {}).update(body)
    for account, body in fragment.get("billingAccounts", {}).items():
        data["billingAccounts"].setdefault(account, {}).update(body)
    for key in ("organizations", "folders"):
        data[key].extend(fragment.get(key, []))
    for name, body in fragment.get("resources", {}).items():
        data.setdefault("resources", {}).setdefault(name, {}).update(body)
    return data


def matches(result: Result, expected: dict[str, Any]) -> bool:
    actual = {
        "status": result.status.value,
        "severity": result.severity.value,
        "resource": result.resource,
        "subject": result.subject,
        "reason": result.reason.value if result.reason else None,
    }
    if any(expected[k] != actual[k] for k in COMPARED if k in expected):
        return False
    if not all(s in result.message for s in expected.get("message_contains", [])):
        return False
    return all(s in (result.remediation or "") for s in expected.get("remediation_contains", []))


def describe(results: list[Result]) -> str:
    return "\n".join(
        f"  {r.status.value} {r.severity.value} {r.resource} {r.subject} {r.reason} | {r.message} | {r.remediation}"
        for r in results
    )


@pytest.mark.parametrize(("check_id", "case"), all_cases())
def test_check_case(
    serve: Any, monkeypatch: pytest.MonkeyPatch, check_id: str, case: dict[str, Any]
) -> None:
    """The case's results, exactly; and the check read only the fields its collections declare
    (what a snapshot keeps)."""
    reads = recording(monkeypatch)
    data = build_world(case)
    emu = serve(World.from_json(data), page_size=1)
    for fault in case.get("faults", []):
        emu.add_fault(Fault.from_json(fault))
    scope = case.get("scope", ["acme-prod"])
    _, results = gather(stream([BUILTIN[check_id]], scope, session_for(emu), now=NOW))
    unmatched = list(results)
    for expected in case["expect"]:
        found = next((r for r in unmatched if matches(r, expected)), None)
        assert found is not None, f"no result matches {expected}; got:\n{describe(results)}"
        unmatched.remove(found)
    assert not unmatched, f"unexpected results:\n{describe(unmatched)}"
    assert undeclared(reads) == [], "read but not declared in the collection's fields="


def test_case_worlds_use_only_real_api_fields() -> None:
    worldschema = pytest.importorskip("worldschema")
    for param in all_cases():
        check_id, case = param.values
        problems = worldschema.validate_world(build_world(case))
        assert problems == [], f"{check_id} / {case['name']}: {problems}"


@pytest.mark.parametrize("check_id", sorted(BUILTIN))
def test_every_check_has_pass_fail_and_unknown_cases(check_id: str) -> None:
    path = CASES_DIR / f"{check_id}.json"
    assert path.exists(), f"{check_id} has no case file {path.name}"
    statuses = {
        e["status"] for case in json.loads(path.read_text())["cases"] for e in case["expect"]
    }
    missing = {"pass", "fail", "unknown"} - statuses
    assert not missing, f"{check_id} has no {', '.join(sorted(missing))} case"


@pytest.mark.parametrize("check_id", sorted(BUILTIN))
def test_every_check_is_documented(check_id: str) -> None:
    spec = BUILTIN[check_id]
    assert spec.summary, f"{check_id} has no summary paragraph"
    for heading in ("Why it matters", "Example", "Remediation", "References"):
        assert spec.section(heading), f"{check_id}'s docstring has no '## {heading}' section"
    assert "https://" in (spec.section("References") or "")


@pytest.mark.parametrize("check_id", sorted(BUILTIN))
def test_every_check_lives_in_the_module_named_after_its_prefix(check_id: str) -> None:
    """`ar.public-repo` is defined in gcplint_checks.ar; `run.*` checks in the package
    gcplint_checks.run (any of its modules)."""
    module = BUILTIN[check_id].func.__module__
    pack, _, inside = module.partition(".")
    prefix = check_id.partition(".")[0]
    assert pack == "gcplint_checks" and inside.split(".")[0] == prefix, (
        f"{check_id} is defined in {module}, not in gcplint_checks.{prefix}"
    )


def test_every_case_file_names_a_builtin_check() -> None:
    for path in case_files():
        data = json.loads(path.read_text())
        assert data["check"] in BUILTIN, f"{path.name} names unknown check {data['check']}"
        assert path.stem == data["check"]
