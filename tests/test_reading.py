"""Reading the reports: what to fix first, lines that fit the terminal, a quiet mode, a Markdown
comment with fixes and documentation links, counts every format agrees on, and words that read
right; `gcplint checks list` as JSON and filtered."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import subprocess
import sys
from datetime import UTC, date, datetime
from typing import Any

import pytest
from helpers import ROOT, run_cli

from gcplint.checks.docs import docs_anchors, github_slug, heading_anchors
from gcplint.checks.plugins import load_checks
from gcplint.config import Suppression
from gcplint.emulator import demo_world
from gcplint.gate.baseline import Comparison
from gcplint.gate.verdict import Gate
from gcplint.model import Area, Reason, Result, Severity, Status, Suppressed
from gcplint.report import FORMATS, RenderOptions, Report, ScannedProject, render
from gcplint.report.layout import line_spans, wrap
from gcplint.report.markdown import code
from gcplint.report.markdown import text as md_text
from gcplint.safetext import printable, printable_lines

SPECS = [c.spec for c in load_checks()]
BY_ID = {s.id: s for s in SPECS}
DOCS = (ROOT / "docs" / "checks.md").read_text()
SEVERITY_WORDS = [s.value.upper() for s in Severity]
FINDING = re.compile(r"^  (CRITICAL|HIGH|MEDIUM|LOW|INFO) +(\S+)")


@pytest.fixture(autouse=True)
def _no_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture(scope="module")
def demo_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """One demo scan, every format (text unwrapped: written to a file without COLUMNS)."""
    os.environ.pop("COLUMNS", None)
    out = tmp_path_factory.mktemp("demo")
    reports = [f"--report={fmt}={out / fmt}" for fmt in FORMATS]
    run = run_cli("scan", "--demo", "--format", "json", *reports)
    assert run.code == 1, run.err
    return {fmt: (out / fmt).read_text() for fmt in FORMATS}


def cli(*args: str, columns: int | None = None) -> subprocess.CompletedProcess[str]:
    """gcplint as a real process, stdout a pipe, COLUMNS as given."""
    env = {k: v for k, v in os.environ.items() if k not in ("GCPLINT_API_BASE", "COLUMNS")}
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return subprocess.run(
        [sys.executable, "-m", "gcplint", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


# -- 1. what to fix first -----------------------------------------------------------------


def test_text_lists_findings_most_severe_first_then_by_area(demo_reports: dict[str, str]) -> None:
    text = demo_reports["text"]
    found = [FINDING.match(line) for line in text.splitlines()]
    listed = [(m.group(1), m.group(2)) for m in found if m]
    results = json.loads(demo_reports["json"])["results"]
    active = [r for r in results if r["status"] == "fail" and not r["suppressed"]]
    assert len(listed) == len(active) == 79
    ranks = [SEVERITY_WORDS.index(severity) for severity, _ in listed]
    assert ranks == sorted(ranks), "most severe first"
    areas = list(Area)
    for severity in SEVERITY_WORDS:
        order = [areas.index(BY_ID[c].area) for s, c in listed if s == severity]
        assert order == sorted(order), f"{severity}: by area within a severity"
    assert "Critical · Environment separation" in text and "Info · Service map" in text


def test_the_closing_causes_name_every_critical_most_severe_first(
    demo_reports: dict[str, str],
) -> None:
    text = demo_reports["text"]
    results = json.loads(demo_reports["json"])["results"]
    criticals = {
        (r["check"], r["resource"])
        for r in results
        if r["status"] == "fail" and r["severity"] == "critical"
    }
    assert len(criticals) == 9
    causes = [line for line in text.splitlines() if line.startswith("  because: ")]
    named = {
        (m.group(2), m.group(3))
        for line in causes
        if (m := re.match(r"  because: (\w+) (\S+) on (\S+)", line))
    }
    assert criticals <= named
    severities = [line.split()[1] for line in causes]
    ranks = [[s.value for s in Severity].index(s) for s in severities]
    assert ranks == sorted(ranks) and severities[0] == "critical"
    assert len(causes) == 10  # the nine criticals, then the most severe of the rest
    more = text.splitlines()[text.splitlines().index(causes[-1]) + 1]
    assert more == "  … and 68 more (20 high, 31 medium, 17 low), listed above"


def test_more_criticals_than_the_cause_limit_are_all_named() -> None:
    results = [fail(f"c.crit{i:02}", Severity.CRITICAL) for i in range(14)]
    results += [fail(f"c.high{i}", Severity.HIGH) for i in range(3)]
    text = rendered(fake(results), "text")
    causes = [line for line in text.splitlines() if line.startswith("  because: ")]
    assert len(causes) == 14 and all("critical" in c for c in causes)
    assert "  … and 3 more (3 high), listed above" in text


# -- 2. fit the terminal ------------------------------------------------------------------


def unbreakable_fix_argument(line: str, previous: list[str]) -> bool:
    """A fix command's line holding one argument too long to fit at all (the one exemption)."""
    words = line.strip().removesuffix(" \\").split()
    in_fix = any(p.lstrip().startswith("fix: ") for p in previous[-12:])
    return in_fix and len(words) == 1 and line.startswith("    ") and len(words[0]) > 80 - 4 - 2


def test_checks_list_fits_80_columns() -> None:
    proc = cli("checks", "list", columns=80)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for spec in SPECS:  # every id, and every title (possibly wrapped), is there
        assert any(line.split()[:1] == [spec.id] for line in lines), spec.id
        assert " ".join(spec.title.split()) in " ".join(proc.stdout.split())


@pytest.mark.parametrize("columns", [200, 100, 60, 40, 24])
def test_checks_list_degrades_gracefully(monkeypatch: pytest.MonkeyPatch, columns: int) -> None:
    monkeypatch.setenv("COLUMNS", str(columns))
    run = run_cli("checks", "list")
    assert run.code == 0
    longest_id = max(len(s.id) for s in SPECS)
    units = {*BY_ID, *(f"{s.severity.value} · {s.area.value}" for s in SPECS)}
    for line in run.out.splitlines():  # only a cell that cannot fit at all may overflow
        assert len(line) <= columns or line.strip() in units, line
    assert longest_id > 24  # so the narrowest case does exercise that
    words = " ".join(run.out.split())
    for spec in SPECS:  # nothing is lost, ids never broken (a narrow title may split a word)
        assert re.search(rf"(^| ){re.escape(spec.id)}( |$)", words)
        assert "".join(spec.title.split()) in "".join(words.split())
    if columns >= 100:  # a table: the title continues under its column, indented
        header = run.out.splitlines()[0]
        title = header.index("TITLE")
        continued = [line for line in run.out.splitlines() if line[:title].strip() == ""]
        assert all(line[title : title + 2] == "  " for line in continued)


def test_scan_text_fits_80_columns_with_hanging_indents() -> None:
    proc = cli("scan", "--demo", columns=80)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    over = [
        line
        for n, line in enumerate(lines)
        if len(line) > 80 and not unbreakable_fix_argument(line, lines[:n])
    ]
    assert over == []
    exempt = [line for line in lines if len(line) > 80]
    # only single fix arguments too long to break: an image digest, a channel path, members
    assert exempt and all(re.fullmatch(r" {4}\S+( \\)?", line) for line in exempt), exempt
    first = lines.index(next(line for line in lines if FINDING.match(line)))
    end = lines.index(next(line for line in lines if line.startswith("Could not be evaluated")))
    for line in lines[first:end]:  # inside the findings, every line is indented or a heading
        assert line == "" or line.startswith("  ") or " · " in line, line
    joined = " ".join(proc.stdout.split())
    assert "because: critical secrets.public on" in joined


def test_without_a_terminal_or_columns_lines_are_whole(demo_reports: dict[str, str]) -> None:
    """A file or a pipe without COLUMNS (CI logs): whole lines, one per message, resource, fix."""
    text = demo_reports["text"]
    assert max(len(line) for line in text.splitlines()) > 200
    assert (
        "           fix: gcloud projects remove-iam-policy-binding acme-prod"
        " --member=serviceAccount:deployer@acme-prod.iam.gserviceaccount.com --role=roles/owner"
        " --all\n"
    ) in text


def test_wrapped_fix_commands_paste_back_as_the_same_command(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    command = (
        "gcloud billing budgets create --billing-account=01A2B3-C4D5E6-F7A8B9"
        ' --display-name="acme-prod monthly budget for the team" --budget-amount=AMOUNT'
        " --filter-projects=projects/acme-prod --threshold-rule=percent=0.9"
        " --image=europe-west1-docker.pkg.dev/acme-prod/app/api@sha256:" + "b1" * 32
    )
    result = dataclasses.replace(fail("c.fix", Severity.HIGH), remediation=command)
    monkeypatch.setenv("COLUMNS", "60")
    lines = rendered(fake([result]), "text").splitlines()
    start = next(i for i, line in enumerate(lines) if "fix: " in line)
    block = [lines[start]]
    while block[-1].endswith(" \\"):
        block.append(lines[start + len(block)])
    assert len(block) > 3
    pasted = " ".join(line.strip().removesuffix(" \\") for line in block).removeprefix("fix: ")
    assert pasted == command  # arguments (and the quoted one) are never split
    assert all(len(line) <= 60 for line in block if "sha256" not in line)
    assert all(line.startswith("    ") for line in block[1:])  # a hanging indent


def test_line_breaking() -> None:
    resource = (
        "//iam.googleapis.com/projects/p/serviceAccounts/a@p.iam.gserviceaccount.com/keys/2c47"
    )
    parts = wrap("resource: " + resource, 40, 30)
    assert "".join(parts) == "resource: " + resource  # split inside the name, nothing lost
    assert len(parts[0]) <= 40 and all(len(p) <= 30 for p in parts[1:])
    assert parts[1].startswith("serviceAccounts/") or parts[0].endswith("/")  # after a slash
    assert wrap("a b c", 80, 80) == ["a b c"] and wrap("", 10, 10) == [""]
    quoted = 'cmd --name="x y z" --flag'
    assert [quoted[a:b] for a, b in line_spans(quoted, 12, 12, shell=True)] == [
        "cmd",
        '--name="x y z"',
        "--flag",
    ]
    assert printable("a\x1b[31mb\u202ec\td\n") == "a\\x1b[31mb\\u202ec d\\x0a"
    assert printable_lines("a\n\tb\n ::x") == "a\n b\n \\x3a:x" and printable("\ud800") == "\ufffd"
    for width in range(-2, 12):  # however narrow: it ends, and nothing is lost or reordered
        for shell in (False, True):
            parts = wrap(f"{quoted} {resource}", width, width - 2, shell=shell)
            assert "".join("".join(parts).split()) == "".join(f"{quoted} {resource}".split())


def test_a_very_narrow_terminal_gets_40_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "5")
    text = rendered(fake([fail("c.a", Severity.HIGH, "word " * 30)]), "text")
    assert max(len(line) for line in text.splitlines()) <= 40
    assert "word word word" in text


def test_text_shows_cloud_data_literally() -> None:
    hostile = "[bold red]x[/] \x1b[2J\x1b]8;;http://evil\x07link\u202e"
    result = dataclasses.replace(
        fail("c.hostile", Severity.HIGH), message=hostile, subject="[link=x]y[/link]"
    )
    for quiet in (False, True):
        out = rendered(fake([result]), "text", RenderOptions(quiet=quiet))
        assert "\x1b" not in out and "\u202e" not in out and "\x07" not in out
        assert "[bold red]x[/]" in out and "[link=x]y[/link]" in out and "\\x1b[2J" in out


# -- 3. quiet -----------------------------------------------------------------------------


def test_quiet_is_one_line_per_active_finding_most_severe_first() -> None:
    results = [
        fail("c.low", Severity.LOW, "low one"),
        fail("c.crit", Severity.CRITICAL, "critical one", subject="allUsers"),
        fail("c.high", Severity.HIGH, "high\none"),
        dataclasses.replace(fail("c.suppressed", Severity.CRITICAL), suppressed=SUPPRESSED),
        dataclasses.replace(fail("c.known", Severity.CRITICAL), baseline="unchanged"),
        fail("c.pass", Severity.HIGH, status=Status.PASS),
        fail("c.unknown", Severity.HIGH, status=Status.UNKNOWN),
    ]
    out = rendered(fake(results), "text", RenderOptions(quiet=True))
    assert out.splitlines() == [
        f"CRITICAL c.crit {res('c.crit')} allUsers: critical one",
        f"HIGH c.high {res('c.high')}: high one",
        f"LOW c.low {res('c.low')}: low one",
    ]
    assert rendered(fake([fail("c.pass", Severity.HIGH, status=Status.PASS)]), "text",
                    RenderOptions(quiet=True)) == ""  # fmt: skip


# -- 4. markdown: fixes and documentation ---------------------------------------------------


def test_markdown_findings_link_their_documentation_and_show_their_fix(
    demo_reports: dict[str, str],
) -> None:
    markdown = demo_reports["markdown"]
    anchors = {text: anchor for level, text, anchor in heading_anchors(DOCS) if level == 3}
    results = json.loads(demo_reports["json"])["results"]
    active = [r for r in results if r["status"] == "fail" and not r["suppressed"]]
    rows = [line for line in markdown.splitlines() if line.startswith("| ") and "](" in line]
    assert len(rows) == len(active)
    base = "https://github.com/gcplint/gcplint/blob/main/docs/checks.md#"
    for r in active:
        link = f"[`{r['check']}`]({base}{anchors[r['check']]})"
        first_fix = code(r["remediation"].splitlines()[0])
        assert any(link in row and first_fix in row for row in rows), r["check"]
    assert len(markdown) < 65536


def test_docs_anchors_are_githubs() -> None:
    assert github_slug("Reliability: stays up, and someone is told when it does not") == (
        "reliability-stays-up-and-someone-is-told-when-it-does-not"
    )
    assert github_slug("sql.public-ip") == "sqlpublic-ip" and github_slug("Héllo · wörld") == (
        "héllo--wörld"
    )
    found = heading_anchors("# A\n## Why\n```\n# not a heading\n```\n### Why\n### why-1\n#### Why")
    assert [a for _, _, a in found] == ["a", "why", "why-1", "why-1-1", "why-2"]
    # every check of the reference has the anchor of its heading there
    assert docs_anchors(SPECS) == {
        text: anchor for level, text, anchor in heading_anchors(DOCS) if level == 3
    }
    # two ids with the same slug: GitHub numbers the second
    twins = [dataclasses.replace(SPECS[0], id="ab.c"), dataclasses.replace(SPECS[0], id="a.bc")]
    assert docs_anchors(twins) == {"a.bc": "abc", "ab.c": "abc-1"}


def test_markdown_never_renders_cloud_data_as_markup() -> None:
    hostile = "<img src=x onerror=alert(1)> **bold** [link](http://evil) | cell ![i](x) &amp;"
    fix = "echo `id` ``x`` | tee /tmp/f"
    result = dataclasses.replace(
        fail("c.hostile", Severity.HIGH, hostile), remediation=fix + "\nsecond `line`"
    )
    markdown = rendered(fake([result]), "markdown")
    row = next(line for line in markdown.splitlines() if "c.hostile" in line)
    assert len(re.findall(r"(?<!\\)\|", row)) == 7  # six cells: nothing broke out of one
    for markup in ("<img", "**bold**", "[link]", "![i]", "&amp;"):
        assert not re.search(r"(?<!\\)" + re.escape(markup), row), markup
    assert "\\<img" in row and "\\*\\*bold\\*\\*" in row
    span = code(fix)
    assert re.fullmatch(r"```[^`].*[^`]```", span)  # a fence longer than any run inside
    assert span.replace("\\|", "|")[3:-3] == fix
    assert code("`x`") == "`` `x` ``" and md_text("a\nb|c") == "a b\\|c"


def test_markdown_stays_under_the_comment_limit() -> None:
    results = [fail(f"c.x{i}", Severity.HIGH, "word " * 60) for i in range(2000)]
    markdown = rendered(fake(results), "markdown")
    assert len(markdown) <= 65536 and "more findings not shown (size limit)" in markdown


# -- 5. counts agree ----------------------------------------------------------------------


def counted(fmt: str, out: str) -> tuple[int, int]:
    """(active findings, unknown) as a format states them."""
    if fmt == "text":
        line = next(line for line in out.splitlines() if line.startswith("Summary: "))
        active = re.search(r"(\d+) active findings?", line)
        unknown = re.search(r"(\d+) unknown", line)
    elif fmt == "markdown":
        lines = out.splitlines()
        header = next(i for i, line in enumerate(lines) if line.startswith("| active findings"))
        cells = [c.strip() for c in lines[header + 2].strip("|").split("|")]
        names = [c.strip() for c in lines[header].strip("|").split("|")]
        return int(cells[0]), int(cells[names.index("unknown")])
    else:
        line = out.splitlines()[-1]
        assert line.startswith("::notice title=gcplint summary::")
        active = re.search(r"::(\d+) active findings?", line)
        unknown = re.search(r"(\d+) unknown", line)
    assert active and unknown, out
    return int(active.group(1)), int(unknown.group(1))


def test_every_format_counts_the_demo_alike(demo_reports: dict[str, str]) -> None:
    results = json.loads(demo_reports["json"])["results"]
    active = sum(1 for r in results if r["status"] == "fail" and not r["suppressed"])
    unknown = sum(1 for r in results if r["status"] == "unknown" and not r["suppressed"])
    for fmt in ("text", "markdown", "github"):
        assert counted(fmt, demo_reports[fmt]) == (active, unknown) == (79, 2), fmt


def test_every_format_counts_alike_with_suppressions_and_a_baseline() -> None:
    """Suppressed results and findings already in the baseline are not active; a suppressed
    unknown result is not unknown."""
    results = [
        fail("c.a", Severity.HIGH),
        fail("c.b", Severity.INFO),
        dataclasses.replace(fail("c.new", Severity.MEDIUM), baseline="new"),
        dataclasses.replace(fail("c.known", Severity.CRITICAL), baseline="unchanged"),
        dataclasses.replace(fail("c.s", Severity.CRITICAL), suppressed=SUPPRESSED),
        fail("c.u", Severity.HIGH, status=Status.UNKNOWN),
        dataclasses.replace(
            fail("c.su", Severity.HIGH, status=Status.UNKNOWN), suppressed=SUPPRESSED
        ),
    ]
    report = fake(results)
    report.baseline = Comparison("base.json", 1, 1, [])
    assert len(report.active()) == 3 and len(report.unknown()) == 1
    for fmt in ("text", "markdown", "github"):
        assert counted(fmt, rendered(report, fmt)) == (3, 1), fmt
    text = rendered(report, "text")
    assert "· 2 suppressed · 1 in the baseline" in text
    assert "FAIL — 2 of 3 active findings at or above low (1 high, 1 medium)" in text


# -- 6. wording ---------------------------------------------------------------------------


def test_wording_never_never_and_plurals() -> None:
    results = [fail("c.a", Severity.HIGH), fail("c.b", Severity.LOW)]
    never = fake(results, Gate(None))
    assert never.verdict() == "PASS — --fail-on never: no finding fails the run (2 active findings) (exit 0)"  # fmt: skip
    for fmt in FORMATS:
        assert "at or above never" not in rendered(never, fmt), fmt
    one = fake([fail("c.a", Severity.HIGH)], Gate(Severity.HIGH))
    assert one.verdict() == "FAIL — 1 active finding at or above high (1 high) (exit 1)"
    below = fake([fail("c.a", Severity.LOW)], Gate(Severity.HIGH))
    assert below.verdict() == "PASS — nothing active at or above high (1 active finding below it) (exit 0)"  # fmt: skip
    unknown = fake([fail("c.u", Severity.LOW, status=Status.UNKNOWN)])
    assert unknown.verdict() == "INCOMPLETE — 1 result could not be evaluated (exit 3)"
    stale = fake([], Gate(Severity.LOW, strict=True))
    stale.unused = [Suppression("c.x", "//x", "r", date(2030, 1, 1), "gcplint.toml#1")]
    assert stale.verdict() == "FAIL — 1 stale suppression (--strict-suppressions) (exit 1)"
    for report in (never, one, below, unknown, stale):
        for fmt in ("text", "markdown", "github"):
            out = rendered(report, fmt)
            assert "(s)" not in out and "1 results" not in out and "1 findings" not in out, fmt


def test_baseline_summary_ends_its_sentence() -> None:
    report = fake([dataclasses.replace(fail("c.a", Severity.HIGH), baseline="unchanged")])
    report.baseline = Comparison("base.json", 0, 1, [])
    text = rendered(report, "text")
    assert "Baseline base.json: 0 new · 1 unchanged · 0 fixed since the baseline\n" in text
    assert "0 fixed since the baseline" in rendered(report, "markdown")


def test_doctor_says_its_1_permission_is_granted(serve: Any) -> None:
    emu = serve(demo_world())
    projects = [arg for p in emu.world.projects for arg in ("--project", p)]
    run = run_cli("doctor", "--api-base", emu.url, *projects, "--check", "sql.public-ip")
    assert run.code == 0, run.out + run.err
    assert "✓ project acme-prod: its 1 permission is granted" in run.out
    assert "1 check needs 1 permission on 3 resources." in run.out
    assert "the permission granted" not in run.out


# -- 7. checks list as JSON, filtered -------------------------------------------------------


def test_checks_list_json_describes_every_check() -> None:
    run = run_cli("checks", "list", "--format", "json")
    assert run.code == 0, run.err
    document = json.loads(run.out)
    assert document["schema"] == "gcplint-checks/v1"
    listed = {c["id"]: c for c in document["checks"]}
    assert list(listed) == sorted(BY_ID) == [s.id for s in SPECS]
    anchors = docs_anchors(SPECS)
    for spec in SPECS:
        entry = listed[spec.id]
        assert entry["title"] == spec.title and entry["severity"] == spec.severity.value
        assert entry["area"] == spec.area.value and entry["source"] == spec.source
        assert (entry["security"], entry["exposure"], entry["prod_only"]) == (
            spec.security,
            spec.exposure,
            spec.prod_only,
        )
        assert [p["permission"] for p in entry["permissions"]] == [p.name for p in spec.permissions]
        assert entry["anchor"] == anchors[spec.id] and f"\n### {spec.id}\n" in DOCS
        assert entry["documentation"].endswith("docs/checks.md#" + anchors[spec.id])


def test_checks_list_filters_by_area_and_severity() -> None:
    run = run_cli(
        "checks", "list", "--format", "json", "--area", "reliability",
        "--area", "database-exposure", "--severity", "high",
    )  # fmt: skip
    ids = [c["id"] for c in json.loads(run.out)["checks"]]
    expected = [
        s.id
        for s in SPECS
        if s.area.value in ("reliability", "database-exposure")
        and s.severity in (Severity.CRITICAL, Severity.HIGH)
    ]
    assert ids == expected and ids
    text = run_cli("checks", "list", "--area", "reliability").out
    listed = {line.split()[0] for line in text.splitlines()[1:] if line[:1].strip()}
    assert listed == {s.id for s in SPECS if s.area.value == "reliability"}
    critical = json.loads(
        run_cli("checks", "list", "--format", "json", "--severity", "critical").out
    )
    assert {c["severity"] for c in critical["checks"]} == {"critical"}


@pytest.mark.parametrize("args", [["--area", "networking"], ["--severity", "urgent"]])
def test_checks_list_rejects_an_unknown_filter_in_one_line(args: list[str]) -> None:
    run = run_cli("checks", "list", *args)
    assert run.code == 2 and run.out == ""
    assert run.err.startswith("gcplint: error: ") and len(run.err.strip().splitlines()) == 1


# -- helpers ------------------------------------------------------------------------------

SUPPRESSED = Suppressed("accepted", "gcplint.toml#1", date(2030, 1, 1))


def res(check: str) -> str:
    return f"//x.googleapis.com/projects/p/things/{check}"


def fail(
    check: str,
    severity: Severity,
    message: str = "m",
    *,
    status: Status = Status.FAIL,
    subject: str | None = None,
) -> Result:
    return Result(
        check,
        severity,
        status,
        "p",
        res(check),
        subject,
        message,
        Reason.PERMISSION_DENIED if status is Status.UNKNOWN else None,
        "gcloud fix it" if status is Status.FAIL else None,
    )


def fake(results: list[Result], gate: Gate | None = None) -> Report:
    now = datetime.now(UTC)
    return Report(
        "0",
        "me",
        now,
        now,
        SPECS,
        [ScannedProject("p", None, None, None)],
        results,
        gate=gate or Gate(),
    )


def rendered(report: Report, fmt: str, options: RenderOptions | None = None) -> str:
    out = io.StringIO()
    render(report, fmt, out, options or RenderOptions())
    return out.getvalue()
