"""`gcplint report diff OLD NEW` on crafted report pairs: new, fixed, still failing, changed
status (unknown, suppressed, baseline-accepted), an escalated grant, checks and projects on one
side, shard sets (a shard missing), bad input; every format, hostile cloud text."""

from __future__ import annotations

import html
import io
import json
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from helpers import run_cli
from test_hostile_text import HOSTILE, check_markdown, check_text

from gcplint.checks.plugins import load_checks
from gcplint.gate.verdict import Gate
from gcplint.model import Reason, Result, Severity, Status, Suppressed
from gcplint.report import RenderOptions, Report, ScannedProject
from gcplint.report import html as html_report
from gcplint.report import json as json_report
from gcplint.report.html_assets import CSS
from gcplint.report.markdown import LIMIT

SPECS = [c.spec for c in load_checks()]
A, B, C = SPECS[0].id, SPECS[1].id, SPECS[2].id
NOW = datetime(2026, 1, 1, tzinfo=UTC)


def result(
    check: str = A,
    resource: str = "//x.googleapis.com/projects/p/things/1",
    status: Status = Status.FAIL,
    severity: Severity = Severity.HIGH,
    *,
    project: str = "p",
    subject: str | None = None,
    grant: str | None = None,
    suppressed: bool = False,
    baseline: str | None = None,
) -> Result:
    return Result(
        check,
        severity,
        status,
        project,
        resource,
        subject,
        f"{check} on {resource}",
        Reason.PERMISSION_DENIED if status is Status.UNKNOWN else None,
        "gcloud fix it" if status is Status.FAIL else None,
        Suppressed("accepted", "gcplint.toml#1", date(2030, 1, 1), "external")
        if suppressed
        else None,
        baseline,
        grant,
    )


def write(
    path: Path,
    results: list[Result],
    *,
    checks: list[str] | None = None,
    projects: tuple[str, ...] = ("p",),
    shard: tuple[int, int] | None = None,
    total: int = 0,
    min_severity: Severity | None = None,
) -> Path:
    """A JSON report as `gcplint scan --format json` writes it."""
    by_id = {s.id: s for s in SPECS}
    report = Report(
        version="1.0",
        identity="me",
        started=NOW,
        finished=NOW,
        checks=[by_id[c] for c in checks or [A, B, C]],
        projects=[ScannedProject(p, None, None, None) for p in projects],
        results=results,
        gate=Gate(None),
        shard=shard,
        total=total,
        min_severity=min_severity,
    )
    out = io.StringIO()
    json_report.render(report, out, RenderOptions())
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def diff(tmp_path: Path, old: list[Result], new: list[Result], *args: str, **kw: Any) -> Any:
    """The JSON diff of two reports (`kw`: for both), and the exit code."""
    a = write(tmp_path / "old.json", old, **kw)
    b = write(tmp_path / "new.json", new, **kw)
    run = run_cli("report", "diff", str(a), str(b), "--format", "json", *args)
    assert run.code != 2, run.err
    return run.code, json.loads(run.out)


def categories(document: dict[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for change in document["changes"]:
        r = change["new"] or change["old"]
        found.setdefault(change["category"], []).append(f"{r['resource']}|{change['change']}")
    return found


def test_new_fixed_still_failing(tmp_path: Path) -> None:
    kept, gone = result(resource="//r/kept"), result(resource="//r/gone")
    passing = result(resource="//r/fixed")
    code, doc = diff(
        tmp_path,
        [kept, gone, passing, result(B, "//r/was-passing", Status.PASS)],
        [kept, replace(passing, status=Status.PASS), result(B, "//r/was-passing"), result(C)],
    )
    found = {category: sorted(changes) for category, changes in categories(doc).items()}
    assert found == {
        "new": ["//r/was-passing|pass → fail", f"{result().resource}|absent → fail"],
        "fixed": ["//r/fixed|fail → pass", "//r/gone|fail → absent"],
        "still_failing": ["//r/kept|fail → fail"],
    }
    assert doc["summary"] == {
        "new": 2,
        "fixed": 2,
        "changed": 0,
        "still_failing": 1,
        "new_active": 2,
        "not_compared": 0,
    }
    assert code == 1 and doc["exit_code"] == 1 and doc["verdict"].startswith("FAIL — 2 new active")
    # nothing new: exit 0, even with findings still failing
    code, doc = diff(tmp_path, [kept, gone], [kept])
    assert code == 0 and doc["verdict"] == "PASS — no new active finding at or above low (exit 0)"


def test_fail_on_threshold(tmp_path: Path) -> None:
    new = [result(severity=Severity.LOW)]
    assert diff(tmp_path, [], new)[0] == 1  # the default, as scan's: low
    assert diff(tmp_path, [], new, "--fail-on", "high")[0] == 0
    assert diff(tmp_path, [], new, "--fail-on", "never")[0] == 0
    assert diff(tmp_path, [], [result(severity=Severity.CRITICAL)], "--fail-on", "high")[0] == 1
    config = tmp_path / "gcplint.toml"
    config.write_text('fail-on = "critical"\n')
    assert diff(tmp_path, [], new, "--config", str(config))[0] == 0


def test_suppressed_and_baseline_accepted(tmp_path: Path) -> None:
    r = result()
    # a new finding that is suppressed, or already in a baseline, is new but not active
    for hidden in (
        replace(r, suppressed=result(suppressed=True).suppressed),
        replace(r, baseline="unchanged"),
    ):
        code, doc = diff(tmp_path, [], [hidden])
        assert code == 0 and doc["summary"]["new"] == 1 and doc["summary"]["new_active"] == 0
        assert doc["changes"][0]["activated"] is False
    # suppressed since OLD, accepted by a baseline since OLD: changed, not fixed, exit 0
    code, doc = diff(tmp_path, [r], [result(suppressed=True)])
    assert code == 0 and categories(doc) == {"changed": [f"{r.resource}|fail → suppressed"]}
    code, doc = diff(tmp_path, [r], [result(baseline="unchanged")])
    assert code == 0 and categories(doc) == {"changed": [f"{r.resource}|fail → baseline"]}
    # unsuppressed (the suppression expired or was removed): active again, it fails the diff
    code, doc = diff(tmp_path, [result(suppressed=True)], [r])
    assert code == 1 and categories(doc) == {"changed": [f"{r.resource}|suppressed → fail"]}
    assert doc["changes"][0]["activated"] is True
    # a suppressed finding that is fixed is fixed
    code, doc = diff(tmp_path, [result(suppressed=True)], [replace(r, status=Status.PASS)])
    assert code == 0 and categories(doc) == {"fixed": [f"{r.resource}|suppressed → pass"]}


def test_status_changes_are_never_fixed(tmp_path: Path) -> None:
    unknown = result(status=Status.UNKNOWN)
    code, doc = diff(tmp_path, [result()], [unknown])
    assert code == 0 and categories(doc) == {"changed": [f"{unknown.resource}|fail → unknown"]}
    code, doc = diff(tmp_path, [unknown], [result(status=Status.PASS)])
    assert categories(doc) == {"changed": [f"{unknown.resource}|unknown → pass"]}
    code, doc = diff(tmp_path, [unknown], [result()])  # could not be read, now fails: new
    assert code == 1 and categories(doc) == {"new": [f"{unknown.resource}|unknown → fail"]}
    code, doc = diff(tmp_path, [], [unknown])
    assert categories(doc) == {"changed": [f"{unknown.resource}|absent → unknown"]}
    # passing on both sides, a passing resource appearing or going away: nothing to say
    ok = result(status=Status.PASS)
    assert diff(tmp_path, [ok], [ok])[1]["changes"] == []
    assert diff(tmp_path, [], [ok])[1]["changes"] == []
    assert diff(tmp_path, [ok], [])[1]["changes"] == []


def test_escalated_grant_is_new_and_fixed(tmp_path: Path) -> None:
    viewer = result(subject="user:a@x.example", grant="roles/viewer")
    owner = replace(viewer, grant="roles/owner")
    code, doc = diff(tmp_path, [viewer], [owner])
    assert code == 1
    assert {c["category"]: (c["new"] or c["old"])["grant"] for c in doc["changes"]} == {
        "new": "roles/owner",
        "fixed": "roles/viewer",
    }


def test_checks_and_projects_on_one_side_are_not_compared(tmp_path: Path) -> None:
    a = write(tmp_path / "a.json", [result(A), result(B, "//r/b")], checks=[A, B])
    b = write(tmp_path / "b.json", [result(C, "//r/c")], checks=[A, C])
    doc = run_cli("report", "diff", str(a), str(b), "--format", "json").json()
    # A's finding is gone (fixed); B's is not compared (not run in NEW), C's neither
    assert categories(doc) == {"fixed": ["//x.googleapis.com/projects/p/things/1|fail → absent"]}
    assert doc["not_compared"] == {
        "checks_only_in_old": [B],
        "checks_only_in_new": [C],
        "projects_only_in_old": [],
        "projects_only_in_new": [],
        "results": 2,
    }
    a = write(tmp_path / "a.json", [result(project="gone")], projects=("p", "gone"))
    b = write(tmp_path / "b.json", [result(project="added")], projects=("p", "added"))
    run = run_cli("report", "diff", str(a), str(b))
    assert run.code == 0 and "not compared: projects only in OLD: gone" in run.out
    assert "projects only in NEW: added" in run.out and "Fixed" not in run.out


def test_results_below_either_severity_floor_are_not_compared(tmp_path: Path) -> None:
    low = result(severity=Severity.LOW)
    a = write(tmp_path / "a.json", [low])
    b = write(tmp_path / "b.json", [], min_severity=Severity.HIGH)  # low was left out
    doc = run_cli("report", "diff", str(a), str(b), "--format", "json").json()
    assert doc["changes"] == [] and doc["summary"]["not_compared"] == 1


def test_shard_sets(tmp_path: Path) -> None:
    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    p0, p1 = result(project="p0", resource="//r/0"), result(project="p1", resource="//r/1")
    for k, (project, found) in enumerate([("p0", [p0]), ("p1", [p1])]):
        write(old / f"{k}.json", found, projects=(project,), shard=(k, 2), total=2)
    write(new / "0.json", [], projects=("p0",), shard=(0, 2), total=2)
    write(new / "1.json", [p1], projects=("p1",), shard=(1, 2), total=2)
    run = run_cli("report", "diff", str(old), str(new), "--format", "json")
    assert run.code == 0, run.err
    assert categories(run.json()) == {
        "fixed": ["//r/0|fail → absent"],
        "still_failing": ["//r/1|fail → fail"],
    }
    # a shard missing from NEW: its project is not compared (never "fixed"), the diff incomplete
    (new / "1.json").unlink()
    run = run_cli("report", "diff", str(old), str(new))
    assert run.code == 3, run.err
    assert "INCOMPLETE — NEW: shard 1 of 2 (--shard 1/2) is missing" in run.out
    assert "projects only in OLD: p1" in run.out and "//r/1" not in run.out
    assert run_cli("report", "diff", str(old), str(new), "--on-incomplete", "warn").code == 0
    # a new finding still fails the diff, incomplete or not
    write(
        new / "0.json",
        [result(project="p0", resource="//r/new")],
        projects=("p0",),
        shard=(0, 2),
        total=2,
    )
    assert run_cli("report", "diff", str(old), str(new)).code == 1


def test_bad_input_is_one_line_exit_2(tmp_path: Path) -> None:
    good = write(tmp_path / "good.json", [])
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "other.json").write_text('{"schema": "something-else"}')
    (tmp_path / "empty").mkdir()
    for bad, message in [
        (tmp_path / "missing.json", "cannot read"),
        (tmp_path / "bad.json", "not a JSON report"),
        (tmp_path / "other.json", "not a gcplint JSON report"),
        (tmp_path / "empty", "no JSON report"),
    ]:
        for args in ((str(bad), str(good)), (str(good), str(bad))):
            run = run_cli("report", "diff", *args)
            assert run.code == 2 and message in run.err, (bad, run.err)
            assert len(run.err.strip().splitlines()) == 1 and run.out == ""


def test_text_and_markdown_with_hostile_cloud_text(tmp_path: Path) -> None:
    old = [result(resource=f"//r/{HOSTILE}/fixed", subject=HOSTILE), result(status=Status.UNKNOWN)]
    new = [
        replace(result(resource=f"//r/{HOSTILE}", subject=HOSTILE, grant=HOSTILE), message=HOSTILE),
        result(status=Status.PASS),
    ]
    a, b = write(tmp_path / "a.json", old), write(tmp_path / "b.json", new)
    text = run_cli("report", "diff", str(a), str(b), "--verbose")
    assert text.code == 1 and "New findings (1)" in text.out and "Fixed (1)" in text.out
    assert "[unknown → pass]" in text.out
    check_text(text.out)
    check_text(text.err)
    markdown = run_cli("report", "diff", str(a), str(b), "--format", "markdown")
    assert markdown.out.startswith("## gcplint diff: ❌ FAIL (exit 1, fail-on low)")
    assert "FAIL" in markdown.err  # the verdict on stderr when stdout is not text
    check_markdown(markdown.out)
    document = json.loads(run_cli("report", "diff", str(a), str(b), "--format", "json").out)
    assert document["schema"] == "gcplint-diff/v1"
    json.dumps(document, ensure_ascii=False).encode("utf-8")  # no lone surrogate


def test_markdown_fits_a_pull_request_comment(tmp_path: Path) -> None:
    new = [result(resource=f"//r/{i}/{'x' * 200}") for i in range(2000)]
    a, b = write(tmp_path / "a.json", []), write(tmp_path / "b.json", new)
    out = tmp_path / "comment.md"
    run = run_cli("report", "diff", str(a), str(b), "--format", "markdown", "--output", str(out))
    assert run.code == 1
    comment = out.read_text(encoding="utf-8")
    assert len(comment) <= LIMIT and "more rows not shown (size limit)" in comment
    check_markdown(comment)


EVIL = "<img src=x onerror=alert(1)></script>"


class Page(HTMLParser):
    """The tags of a page, and the cells of each table row by the section holding it."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.rows: dict[str, list[list[str]]] = {}
        self.section = ""
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "section":
            self.section = dict(attrs).get("id") or ""
        elif tag == "tr":
            self.rows.setdefault(self.section, []).append([])
        elif tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self.cell is not None:
            self.rows[self.section][-1].append("".join(self.cell))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def parsed(page: str) -> Page:
    found = Page()
    found.feed(page)
    return found


def test_html_lists_every_category_and_escapes_cloud_text(tmp_path: Path) -> None:
    kept, gone = result(resource="//r/kept"), result(resource=f"//r/{EVIL}")
    was_unknown = result(B, "//r/was-unknown", Status.UNKNOWN)
    old = [kept, gone, was_unknown]
    new = [kept, replace(was_unknown, status=Status.PASS), replace(result(C), message=EVIL)]
    a = write(tmp_path / "a.json", old, projects=("p", "only-old"))
    b = write(tmp_path / "b.json", new)
    out = tmp_path / "diff.html"
    run = run_cli("report", "diff", str(a), str(b), "--format", "html", "-o", str(out))
    assert run.code == 1 and run.out == "" and "FAIL" in run.err
    page = out.read_text(encoding="utf-8")
    found = parsed(page)
    assert "img" not in found.tags and "script" not in found.tags  # no script at all, none made
    assert EVIL not in page and html.escape(EVIL) in page
    head = ["Check", "Severity", "Project", "Resource", "Status (old → new)", "Message"]
    assert found.rows["diff-new"] == [
        head,
        [C, "high", "p", result().resource, "absent → fail", EVIL],
    ]
    assert found.rows["diff-fixed"] == [
        head,
        [A, "high", "p", f"//r/{EVIL}", "fail → absent", f"{A} on //r/{EVIL}"],
    ]
    assert found.rows["diff-changed"][1][4] == "unknown → pass"
    assert found.rows["diff-still-failing"][1][:5] == [A, "high", "p", "//r/kept", "fail → fail"]
    counts = dict(map(tuple, found.rows["summary"][1:]))
    assert counts == {
        "New findings": "1",
        "Fixed": "1",
        "Changed status": "1",
        "Still failing": "1",
        "New and active": "1",
        "Results not compared": "0",
    }
    assert "projects only in OLD: only-old" in page
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]*)"', page)
    assert policy and policy.group(1) == html_report.policy(CSS)
    assert "script-src" not in policy.group(1) and "default-src 'none';" in policy.group(1)
    assert f'<p class="verdict">{html_report.text(json.loads(json_diff(a, b))["verdict"])}' in page


def json_diff(a: Path, b: Path) -> str:
    return str(run_cli("report", "diff", str(a), str(b), "--format", "json").out)


def test_html_of_an_empty_diff_names_the_missing_shard(tmp_path: Path) -> None:
    (tmp_path / "old").mkdir()
    write(tmp_path / "old" / "s1.json", [], shard=(1, 2), total=2)
    b = write(tmp_path / "new.json", [])
    run = run_cli("report", "diff", str(tmp_path / "old"), str(b), "--format", "html")
    assert run.code == 3 and run.out.startswith("<!DOCTYPE html>")
    found = parsed(run.out)
    assert not {"diff-new", "diff-fixed", "diff-changed", "diff-still-failing"} & found.rows.keys()
    assert run.out.count("<p>None.</p>") == 4
    gap = "OLD: shard 0 of 2 (--shard 0/2) is missing: merge the report of every task"
    assert f"<li>{gap}</li>" in run.out and f"INCOMPLETE — {gap} (exit 3)" in run.out
