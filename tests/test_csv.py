"""`--format csv`: one row per result under stable columns, RFC 4180, formula cells neutralised."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

from helpers import run_cli

from gcplint.checks.docs import DOCS_URL
from gcplint.checks.plugins import load_checks
from gcplint.model import Reason, Result, Severity, Status, Suppressed
from gcplint.report import RenderOptions, Report, ScannedProject, render
from gcplint.report.csv import COLUMNS, FORMULA, cell

SPECS = [c.spec for c in load_checks()]
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def report(results: list[Result]) -> Report:
    return Report("1.0", "me", NOW, NOW, SPECS, [ScannedProject("p", None, None, None)], results)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def rendered(results: list[Result]) -> str:
    out = io.StringIO(newline="")
    render(report(results), "csv", out, RenderOptions())
    return out.getvalue()


BASE = Result(
    SPECS[0].id,
    Severity.HIGH,
    Status.FAIL,
    "p",
    "//x.googleapis.com/projects/p/things/a",
    "user:a@x.example",
    'A, "quoted" finding',
    None,
    "gcloud one\ngcloud two",
    grant="roles/owner",
)


def test_columns_rows_and_quoting() -> None:
    results = [
        BASE,
        replace(
            BASE,
            status=Status.UNKNOWN,
            resource="//x/b",
            reason=Reason.PERMISSION_DENIED,
            remediation=None,
            subject=None,
            grant=None,
        ),
        replace(BASE, resource="//x/c", status=Status.PASS, remediation=None),
        replace(
            BASE,
            resource="//x/d",
            suppressed=Suppressed("accepted", "gcplint.toml#3", date(2030, 1, 2), "external"),
        ),
        replace(BASE, resource="//x/e", baseline="unchanged"),
    ]
    text = rendered(results)
    assert text.startswith(",".join(COLUMNS) + "\r\n")
    assert text.endswith("\r\n") and not text.startswith("\ufeff")
    assert '"gcloud one\ngcloud two"' in text  # one quoted cell, its line break kept
    found = rows(text)
    assert len(found) == len(results) and list(found[0]) == list(COLUMNS)
    by_resource = {r["resource"]: r for r in found}
    a = by_resource[BASE.resource]
    assert a["message"] == 'A, "quoted" finding' and a["remediation"] == "gcloud one\ngcloud two"
    assert (a["status"], a["severity"], a["grant"], a["suppressed"]) == (
        "fail",
        "high",
        "roles/owner",
        "false",
    )
    assert a["fingerprint"] == BASE.fingerprint and a["docs_url"].startswith(DOCS_URL + "#")
    assert by_resource["//x/b"]["reason"] == "PERMISSION_DENIED"
    assert by_resource["//x/b"]["subject"] == "" and by_resource["//x/c"]["status"] == "pass"
    d = by_resource["//x/d"]
    assert (d["suppressed"], d["suppression_reason"], d["suppression_source"]) == (
        "true",
        "accepted",
        "gcplint.toml#3",
    )
    assert d["suppression_expires"] == "2030-01-02"
    assert by_resource["//x/e"]["baseline"] == "unchanged"


def test_formula_cells_are_neutralised() -> None:
    for start in FORMULA:
        assert cell(f'{start}HYPERLINK("http://evil")') == f'\'{start}HYPERLINK("http://evil")'
    assert cell("gcloud -x") == "gcloud -x" and cell(None) == "" and cell("\ud800") == "\ufffd"
    hostile = replace(
        BASE,
        project="=cmd|' /C calc'!A0",
        resource="+1+1",
        subject="-2",
        message="@SUM(1)",
        remediation="\t=1",
        grant="\r=2",
    )
    (row,) = rows(rendered([hostile]))
    for column in ("project", "resource", "subject", "message", "remediation", "grant"):
        assert row[column].startswith("'"), (column, row[column])
    assert row["project"] == "'=cmd|' /C calc'!A0"


def test_scan_writes_csv(tmp_path: Path) -> None:
    out = tmp_path / "report.csv"
    run = run_cli("scan", "--demo", "--format", "json", "--report", f"csv={out}")
    assert run.code == 1, run.err
    data = out.read_bytes()
    assert (
        not data.startswith(b"\xef\xbb\xbf")
        and data.count(b"\r\n") >= len(run.json()["results"]) + 1
    )
    found = rows(data.decode("utf-8"))
    assert len(found) == len(run.json()["results"])
    assert {r["fingerprint"] for r in found} == {r["fingerprint"] for r in run.json()["results"]}
    assert {r["status"] for r in found} >= {"fail", "pass"}
    assert "csv report written to" in run.err
