"""Compliance mapping: the CIS recommendations and Architecture Framework pillars a check
declares in its own `@check`, shown by `checks explain` / `checks list`, carried into JSON and
SARIF tags, and selected with `--framework`."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli
from test_outputs import demo_args

from gcplint.checks.frameworks import CIS_RECOMMENDATIONS, CIS_VERSION, PILLARS
from gcplint.checks.plugins import load_checks
from gcplint.checks.spec import check
from gcplint.collect.registry import PROJECT
from gcplint.emulator import demo_world
from gcplint.model import Area, Severity


@pytest.fixture
def demo(serve: Any) -> Any:
    return serve(demo_world(), page_size=50)


SPECS = {c.spec.id: c.spec for c in load_checks()}
NEVER = ("--fail-on", "never", "--on-incomplete", "warn")


def cis_of(check_id: str) -> list[str]:
    return [c.id for c in SPECS[check_id].controls if c.framework == "cis"]


def test_the_cis_mapping_is_the_one_the_benchmark_states() -> None:
    assert CIS_VERSION == "3.0.0"
    mapped = {i: cis_of(i) for i in SPECS if cis_of(i)}
    assert mapped == {
        "iam.sa-user-managed-key": ["1.4"],
        "iam.sa-admin-role": ["1.5"],
        "iam.sa-primitive-role": ["1.5"],
        "iam.sa-impersonation-project-wide": ["1.6"],
        "iam.sa-key-age": ["1.7"],
        "logging.data-access-off": ["2.1"],
        "storage.public-bucket": ["5.1"],
        "storage.uniform-access-off": ["5.2"],
        "sql.ssl-not-enforced": ["6.4"],
        "sql.open-authorized-network": ["6.5"],
        "sql.public-ip": ["6.6"],
        "sql.backups-disabled": ["6.7"],
    }
    assert set(CIS_RECOMMENDATIONS) == {n for ids in mapped.values() for n in ids}  # none idle
    assert SPECS["iam.sa-key-age"].options["max-age-days"] == 90  # 1.7 says 90 days


def test_every_builtin_check_names_its_pillar() -> None:
    for spec in SPECS.values():
        pillars = [c.id for c in spec.controls if c.framework == "waf"]
        assert pillars and set(pillars) <= set(PILLARS), spec.id
        if spec.security and spec.area is not Area.ENVIRONMENT:
            assert "security" in pillars or spec.id == "sql.unsupported-version", spec.id


def test_an_unknown_control_is_refused_at_declaration() -> None:
    def body(inventory: Any) -> Any:
        """Doc."""
        return []

    common: dict[str, Any] = {
        "id": "x.y", "title": "t", "severity": Severity.LOW, "area": Area.IAM,
        "requires": [PROJECT],
    }  # fmt: skip
    with pytest.raises(ValueError, match=r"check x\.y: cis= '9\.9' is not a known"):
        check(**common, cis=["9.9"])(body)
    with pytest.raises(ValueError, match="waf= 'speed' is not a pillar"):
        check(**common, waf=["speed"])(body)
    spec = check(**common, cis=["5.1"], waf=["security"])(body)
    assert spec.tags == (f"CIS-GCP-{CIS_VERSION}/5.1", "waf-security")


def test_checks_explain_and_list_show_the_controls() -> None:
    run = run_cli("checks", "explain", "storage.public-bucket")
    assert run.code == 0
    text = " ".join(run.out.split())
    assert "evidences: CIS Google Cloud Platform Foundation Benchmark v3.0.0 5.1:" in text
    assert "[CIS-GCP-3.0.0/5.1]" in text and "[waf-security]" in text
    listed = {c["id"]: c for c in run_cli("checks", "list", "--format", "json").json()["checks"]}
    assert listed["sql.backups-disabled"]["controls"] == [
        {
            "framework": "cis",
            "id": "6.7",
            "title": CIS_RECOMMENDATIONS["6.7"],
            "tag": "CIS-GCP-3.0.0/6.7",
        },
        {"framework": "waf", "id": "reliability", "title": "Reliability", "tag": "waf-reliability"},
    ]


def test_framework_selects_only_mapped_checks_and_tags_json_and_sarif(demo: Any) -> None:
    run = run_cli(*demo_args(demo), "--framework", "cis", "--format", "json", *NEVER)
    assert run.code == 0, run.err
    scan = run.json()["scan"]
    assert sorted(scan["checks"]) == sorted(i for i in SPECS if cis_of(i))
    assert scan["controls"]["storage.public-bucket"] == ["CIS-GCP-3.0.0/5.1", "waf-security"]
    assert scan["frameworks"] == ["cis"]
    assert {r["check"] for r in run.json()["results"]} <= set(scan["checks"])

    both = run_cli(
        *demo_args(demo), "--framework", "waf-cost-optimization,waf-performance",
        "--framework", "waf-reliability", "--format", "sarif", *NEVER,
    )  # fmt: skip
    rules = both.json()["runs"][0]["tool"]["driver"]["rules"]
    wanted = {"waf-cost-optimization", "waf-performance", "waf-reliability"}
    assert {r["id"] for r in rules} == {i for i, s in SPECS.items() if wanted & set(s.tags)}
    backups = next(r for r in rules if r["id"] == "sql.backups-disabled")
    assert backups["properties"]["tags"] == [
        "database-exposure",
        "CIS-GCP-3.0.0/6.7",
        "waf-reliability",
    ]


def test_the_html_report_counts_results_per_control(demo: Any) -> None:
    page = run_cli(*demo_args(demo), "--framework", "cis", "--format", "html", *NEVER).out
    table = page[page.index("<caption>Per control</caption>") :]
    table = table[: table.index("</table>")]
    label = f"CIS Google Cloud Platform Foundation Benchmark v{CIS_VERSION} 5.1: "
    row = table[table.index(label) :]
    row = row[: row.index("</tr>")]
    assert '<a href="#storage.public-bucket">storage.public-bucket</a>' in row
    assert table.index(label) < table.index("Google Cloud Architecture Framework")


def groups(page: str) -> list[list[str | None]]:
    """The groups the HTML report's script shows the results in."""
    found = re.search(r'<script type="application/json" id="gcplint-data">(.*?)</script>', page)
    assert found
    return list(json.loads(found.group(1))["groups"])


def test_the_html_report_of_a_framework_scan_is_grouped_by_control_even_merged(
    demo: Any, tmp_path: Path
) -> None:
    scanned = run_cli(
        *demo_args(demo), "--framework", "waf-reliability", "--format", "json", *NEVER
    )
    assert scanned.code == 0, scanned.err
    (tmp_path / "scan.json").write_text(scanned.out, encoding="utf-8")
    merged = run_cli("report", "merge", str(tmp_path / "scan.json"), "--format", "html", *NEVER)
    assert merged.code == 0, merged.err
    reliability = ["Google Cloud Architecture Framework: Reliability", "control-waf-reliability"]
    assert groups(merged.out) == [[*reliability, "waf-reliability"], ["Other checks", None, None]]
    plain = run_cli(*demo_args(demo), "--format", "html", *NEVER).out
    assert [g[0] for g in groups(plain)] == [*(a.title for a in Area), "Other checks"]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("waf-relability", "unknown framework 'waf-relability' (did you mean 'waf-reliability'?)"),
        ("cis,nist", "unknown framework 'nist'"),
    ],
)
def test_an_unknown_framework_is_one_line_and_exit_2(given: str, message: str) -> None:
    run = run_cli("scan", "--demo", "--framework", given)
    assert run.code == 2
    assert len(run.err.strip().splitlines()) == 1
    assert message in run.err


def test_docs_name_the_controls() -> None:
    from gcplint.checks.docs import checks_markdown

    text = checks_markdown(list(SPECS.values()))
    assert (
        "Evidences: CIS Google Cloud Platform Foundation Benchmark v3.0.0 1.6: "
        + CIS_RECOMMENDATIONS["1.6"]
    ) in text
