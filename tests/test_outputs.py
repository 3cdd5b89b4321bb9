"""Every report format from one scan: SARIF that validates and that GitHub accepts, JUnit,
GitHub annotations, Markdown; and the check reference that SARIF links to."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers import ROOT, run_cli
from junitparser import Error, Failure, JUnitXml, Skipped

from gcplint.checks.docs import checks_markdown
from gcplint.checks.plugins import load_checks
from gcplint.config import Location
from gcplint.emulator import demo_world
from gcplint.model import Reason, Result, Severity, Status
from gcplint.report import FORMATS, RenderOptions, Report, ScannedProject, github, markdown

SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0.json").read_text())
SPECS = [c.spec for c in load_checks()]


def demo_args(emu: Any) -> list[str]:
    return [
        "scan",
        "--api-base",
        emu.url,
        *[a for p in emu.world.projects for a in ("--project", p)],
    ]


@pytest.fixture
def demo(serve: Any) -> Any:
    return serve(demo_world(), page_size=50)


def sarif(emu: Any, *extra: str) -> dict[str, Any]:
    data: dict[str, Any] = run_cli(*demo_args(emu), "--format", "sarif", *extra).json()
    return data


def test_one_scan_writes_every_artifact(demo: Any, tmp_path: Path) -> None:
    reports = [f"--report={fmt}={tmp_path / ('out.' + fmt)}" for fmt in sorted(FORMATS)]
    run = run_cli(*demo_args(demo), "--format", "json", *reports)
    assert run.code == 1
    assert json.loads(run.out)["schema"] == "gcplint-report/v1"
    for fmt in FORMATS:
        assert (tmp_path / f"out.{fmt}").stat().st_size > 0, fmt
    # one scan, not six: one listing per project (acme-dev has Cloud SQL disabled: its one call
    # is refused with SERVICE_DISABLED)
    listings = [r for r in demo.requests if r.path.endswith("/instances")]
    assert len({r.path for r in listings}) == len(listings) == 3
    assert [r.status for r in listings if "acme-dev" in r.path] == [403]
    assert "report written to" in run.err


def test_bad_report_argument_is_exit_2(demo: Any) -> None:
    for bad, message in [
        ("sarif", "expected FORMAT=PATH"),
        ("xml=out.xml", "unknown format 'xml'"),
    ]:
        run = run_cli(*demo_args(demo), "--report", bad)
        assert run.code == 2 and message in run.err and len(run.err.strip().splitlines()) == 1


def test_sarif_is_valid_against_the_official_schema(demo: Any) -> None:
    for profile in ("github", "full"):
        document = sarif(demo, "--sarif-profile", profile)
        errors = list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(document))
        assert errors == [], [e.message for e in errors[:5]]


def test_sarif_github_profile(demo: Any) -> None:
    document = sarif(demo)
    assert len(document["runs"]) == 1
    run = document["runs"][0]
    assert run["automationDetails"]["id"] == "gcplint/acme-prod+acme-staging+acme-dev/"
    driver = run["tool"]["driver"]
    assert (
        driver["name"] == "gcplint"
        and driver["semanticVersion"]
        and driver["informationUri"].startswith("https://")
    )
    rules = driver["rules"]
    assert [r["id"] for r in rules] == [s.id for s in SPECS] or {r["id"] for r in rules} == {
        s.id for s in SPECS
    }
    for rule in rules:
        assert (
            rule["shortDescription"]["text"]
            and rule["fullDescription"]["text"]
            and rule["help"]["text"]
        )
        assert rule["help"]["markdown"] and rule["helpUri"].startswith("https://")
        assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
        spec = next(s for s in SPECS if s.id == rule["id"])
        if spec.security:
            assert rule["properties"]["security-severity"] in ("9.5", "8.0", "5.5", "2.0", "0.1")
            assert "security" in rule["properties"]["tags"]
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", rule["name"])
    results = run["results"]
    assert results, "the demo has findings"
    for result in results:
        assert (
            result["kind"] == "fail"
            and "suppressions" not in result
            and "baselineState" not in result
        )
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        location = result["locations"][0]
        uri = location["physicalLocation"]["artifactLocation"]["uri"]
        assert not re.match(r"^[a-z][a-z0-9+.-]*:", uri) and not uri.startswith("/"), uri
        assert " " not in uri and "@" not in uri
        assert location["physicalLocation"]["region"]["startLine"] >= 1
        assert location["logicalLocations"][0]["fullyQualifiedName"].startswith("//")
        assert location["logicalLocations"][0]["kind"] == "resource"
        assert (
            result["partialFingerprints"]["primaryLocationLineHash"]
            == result["partialFingerprints"]["gcplint/v2"]
        )
        assert "\n" not in result["message"]["text"]
    levels = {r["level"] for r in results}
    assert levels == {"error", "warning", "note"}  # not everything is "error"


def test_sarif_uses_the_configured_locations(demo: Any, tmp_path: Path) -> None:
    config = tmp_path / "gcplint.toml"
    config.write_text(
        '[locations]\n"//sqladmin.googleapis.com/projects/acme-prod/*" = "infra/sql.tf:7"\n'
    )
    results = sarif(demo, "--config", str(config))["runs"][0]["results"]
    sql = [
        r
        for r in results
        if r["ruleId"].startswith("sql.") and "acme-prod" in r["properties"]["project"]
    ]
    assert sql and all(
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "infra/sql.tf"
        for r in sql
    )
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 7 for r in sql)


def test_sarif_full_profile_keeps_unknown_and_suppressed(demo: Any, tmp_path: Path) -> None:
    config = tmp_path / "gcplint.toml"
    expires = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    config.write_text(
        '[[suppressions]]\ncheck = "run.public-invoker"\nresource = "//run.googleapis.com/projects/acme-prod/*"\n'
        f'reason = "public API"\nexpires = "{expires}"\n'
    )
    github_results = sarif(demo, "--config", str(config))["runs"][0]["results"]
    assert not [
        r
        for r in github_results
        if r["ruleId"] == "run.public-invoker" and "acme-prod" in r["properties"]["project"]
    ]
    run = sarif(demo, "--config", str(config), "--sarif-profile", "full")["runs"][0]
    suppressed = [r for r in run["results"] if r.get("suppressions")]
    assert suppressed and suppressed[0]["suppressions"][0] == {
        "kind": "external",
        "status": "accepted",
        "justification": "public API",
    }
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert notes and notes[0]["descriptor"]["id"] == "GCPLINT-PERMISSION-DENIED"
    assert run["invocations"][0]["executionSuccessful"] is False


def test_sarif_passes_the_official_multitool(demo: Any, tmp_path: Path) -> None:
    """Microsoft's SARIF multitool with the GitHub rules; it always exits 0, so its output is parsed."""
    tool = os.environ.get("GCPLINT_SARIF_MULTITOOL")
    if not tool:
        pytest.skip(
            "GCPLINT_SARIF_MULTITOOL is not set (.ci/run installs the multitool and sets it)"
        )
    for profile in ("github", "full"):
        log = tmp_path / f"{profile}.sarif"
        log.write_text(json.dumps(sarif(demo, "--sarif-profile", profile)))
        out = tmp_path / f"{profile}-validation.sarif"
        proc = subprocess.run(
            [
                tool,
                "validate",
                "--rule-kind",
                "Sarif;Ghas",
                "--log",
                "ForceOverwrite",
                "-o",
                str(out),
                str(log),
            ],
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        findings = json.loads(out.read_text())["runs"][0].get("results", [])
        errors = [f for f in findings if f.get("level", "warning") == "error"]
        assert errors == [], [e["message"] for e in errors]


def test_junit_parses_and_counts(demo: Any, tmp_path: Path) -> None:
    path = tmp_path / "junit.xml"
    run_cli(*demo_args(demo), "--format", "json", "--report", f"junit={path}")
    report = run_cli(*demo_args(demo), "--format", "json").json()
    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert [s.name for s in suites] == ["acme-prod", "acme-staging", "acme-dev"]
    cases = [case for suite in suites for case in suite]
    assert len(cases) == len(report["results"]) == xml.tests
    kinds = {"fail": Failure, "unknown": Error}
    for status, kind in kinds.items():
        expected = sum(
            1 for r in report["results"] if r["status"] == status and not r["suppressed"]
        )
        assert sum(1 for c in cases for r in c.result if isinstance(r, kind)) == expected
    assert (
        sum(1 for c in cases for r in c.result if isinstance(r, Skipped))
        == report["summary"]["not_applicable"]
    )
    assert {c.classname for c in cases} == {r["check"] for r in report["results"]}
    assert xml.failures == report["summary"]["fail"] and xml.errors == report["summary"]["unknown"]


def result(
    check: str, severity: Severity, message: str = "m", status: Status = Status.FAIL
) -> Result:
    return Result(
        check,
        severity,
        status,
        "p",
        f"//x.googleapis.com/projects/p/things/{check}",
        None,
        message,
        Reason.PERMISSION_DENIED if status is Status.UNKNOWN else None,
        None,
    )


def fake_report(results: list[Result]) -> Report:
    now = datetime.now(UTC)
    return Report("0", "me", now, now, SPECS, [ScannedProject("p", None, None, None)], results)


def test_github_annotations_are_escaped_capped_and_counted() -> None:
    results = [result(f"c.e{i}", Severity.HIGH, "100% bad,\nreally: yes") for i in range(15)]
    results += [result(f"c.w{i}", Severity.MEDIUM) for i in range(3)]
    results += [result(f"c.n{i}", Severity.LOW) for i in range(12)]

    out = io.StringIO()
    github.render(fake_report(results), out, RenderOptions())
    lines = out.getvalue().splitlines()
    assert sum(line.startswith("::error ") for line in lines) == 10
    assert sum(line.startswith("::warning ") for line in lines) == 3
    assert sum(line.startswith("::notice ") for line in lines) == 10  # 9 findings + the summary
    assert "100%25 bad,\\x0areally: yes%0Aresource: //x" in lines[0]  # one line of cloud text
    assert lines[-1].startswith("::notice title=gcplint summary::30 active findings, 0 unknown")
    assert "8 not shown as annotations" in lines[-1]  # 5 errors and 3 notices over the caps
    assert github.escape_property("a:b,c") == "a%3Ab%2Cc"
    assert github.escape_data("a\r\nb%") == "a%0D%0Ab%25"


def test_github_annotation_lands_on_the_mapped_file() -> None:

    report = fake_report([result("c.mapped", Severity.HIGH), result("c.other", Severity.HIGH)])
    report.locations = (
        Location("//x.googleapis.com/projects/p/things/c.mapped", "infra/a,b.tf", 7),
    )
    out = io.StringIO()
    github.render(report, out, RenderOptions())
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("::error title=gcplint c.mapped (high),file=infra/a%2Cb.tf,line=7::")
    assert "file=" not in lines[1]


def test_markdown_stays_under_one_mebibyte() -> None:

    results = [result(f"c.x{i}", Severity.HIGH, "word " * 60) for i in range(20000)]
    out = io.StringIO()
    markdown.render(fake_report(results), out, RenderOptions())
    text = out.getvalue()
    assert len(text.encode()) < 1024 * 1024
    assert "more findings not shown" in text and text.startswith("## gcplint: ❌ FAIL")


def test_checks_reference_is_up_to_date() -> None:
    """docs/checks.md is what `gcplint checks docs` prints (SARIF helpUri links point there)."""
    assert (ROOT / "docs" / "checks.md").read_text() == checks_markdown(SPECS)
    assert run_cli("checks", "docs").out == checks_markdown(SPECS)
