"""`gcplint report diff OLD NEW`: what changed between two scans, finding by finding.

Each side is one JSON report or the shard reports of one scan, merged first (`report.merge`: a
shard missing or given twice is a gap, and the diff is incomplete). Results are matched by
fingerprint (check, resource, subject, grant: a wider grant on the same subject is a new finding,
and the narrower one it replaced is fixed).

A result's state on a side: `absent`, `pass`, `not_applicable`, `unknown`, or, failing, `fail`
(active), `suppressed` or `baseline` (accepted by the baseline the scan was judged against).
Each matched pair is one of:

- `new`: failing in NEW, not failing in OLD (absent, passing, not applicable or unknown there);
- `fixed`: failing in OLD, passing, not applicable or absent in NEW;
- `changed`: the state changed otherwise: fail → unknown (never "fixed": it could not be read),
  unknown → pass, absent → unknown, and failing on both sides but suppressed, unsuppressed,
  accepted by the baseline or out of it;
- `still_failing`: failing on both sides, in the same state;
- anything else (pass on both sides, a passing resource that appeared or went away) is left out.

What gates the exit code: a result active in NEW (failing, not suppressed, not accepted by a
baseline) that was not active in OLD, at or above `--fail-on`: every active `new` finding, and a
finding unsuppressed or out of the baseline since OLD. A new finding that is suppressed or in the
baseline is listed as new, not counted as "new active".

Not compared (counted and named, never "fixed" nor "new"): results of a check only one side ran,
of a project only one side scanned, and results below the stricter `--severity` of the two scans.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TextIO

from .. import __version__
from ..checks.docs import DOCS_URL, docs_anchors
from ..gate.verdict import EXIT_CLEAN, EXIT_FINDINGS, EXIT_INCOMPLETE, Gate
from ..model import Result, Severity, Status
from ..safetext import command_safe, printable, scrub
from . import Report, plural
from . import html as html_report
from .html_assets import CSS
from .json import result_json
from .markdown import LIMIT, code, fix, text

CATEGORIES = ("new", "fixed", "changed", "still_failing")
SCHEMA = "gcplint-diff/v1"
TITLES = {
    "new": "New findings",
    "fixed": "Fixed",
    "changed": "Changed status",
    "still_failing": "Still failing",
}
_GONE = (None, Status.PASS, Status.NOT_APPLICABLE)  # a finding no longer failing: fixed


def state(result: Result | None) -> str:
    """A result's state on one side (see the module docstring)."""
    if result is None:
        return "absent"
    if not result.is_finding:
        return result.status.value
    if result.suppressed is not None:
        return "suppressed"
    return "baseline" if result.baseline == "unchanged" else "fail"


@dataclass(frozen=True)
class Change:
    """One matched pair of results, and what became of it."""

    category: str  # one of CATEGORIES
    old: Result | None
    new: Result | None

    @property
    def result(self) -> Result:
        """The result to show: NEW's, else OLD's."""
        found = self.new or self.old
        assert found is not None
        return found

    @property
    def what(self) -> str:
        """`fail → unknown`: its state on each side."""
        return f"{state(self.old)} → {state(self.new)}"

    @property
    def activated(self) -> bool:
        """Active in NEW, not active in OLD: what the gate counts."""
        return state(self.new) == "fail" and state(self.old) != "fail"


@dataclass
class Side:
    """One side of the diff: its report (merged from shards if need be) and how it was named."""

    label: str
    report: Report


@dataclass
class Diff:
    """Two scans compared."""

    old: Side
    new: Side
    gate: Gate
    changes: list[Change]
    only: dict[str, list[str]] = field(default_factory=dict)
    # ^ "checks_only_in_old", "checks_only_in_new", "projects_only_in_old", "projects_only_in_new"
    not_compared: int = 0  # results left out (check or project on one side, below --severity)

    def of(self, category: str) -> list[Change]:
        """The changes of one category, most severe first."""
        return [c for c in self.changes if c.category == category]

    def gaps(self) -> list[str]:
        """What either side lacks (a shard missing or given twice)."""
        return [f"OLD: {g}" for g in self.old.report.gaps] + [
            f"NEW: {g}" for g in self.new.report.gaps
        ]

    def failing(self) -> list[Change]:
        """Findings active in NEW and not in OLD, at or above --fail-on: what fails the diff."""
        threshold = self.gate.fail_on
        if threshold is None:
            return []
        return [c for c in self.changes if c.activated and c.result.severity.at_least(threshold)]

    def exit_code(self) -> int:
        """1 when a finding became active at or above --fail-on; else 3 when a side lacks a
        shard (with --on-incomplete fail); else 0."""
        if self.failing():
            return EXIT_FINDINGS
        if self.gaps() and self.gate.on_incomplete == "fail":
            return EXIT_INCOMPLETE
        return EXIT_CLEAN

    def verdict(self) -> str:
        """The outcome in one line, with the exit code."""
        code = self.exit_code()
        threshold = self.gate.fail_on.value if self.gate.fail_on else None
        if code == EXIT_FINDINGS:
            failing = [c.result for c in self.failing()]
            counts = Counter(r.severity for r in failing)
            worst = ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s])
            return (
                f"FAIL — {plural(len(failing), 'new active finding')} at or above"
                f" {threshold} ({worst}) (exit 1)"
            )
        if code == EXIT_INCOMPLETE:
            return f"INCOMPLETE — {'; '.join(self.gaps())} (exit 3)"
        what = (
            "--fail-on never: no finding fails the diff"
            if threshold is None
            else f"no new active finding at or above {threshold}"
        )
        return f"PASS — {what} (exit 0)"

    def counts(self) -> dict[str, int]:
        """Changes per category, the new active findings, and the results not compared."""
        found = Counter(c.category for c in self.changes)
        return {
            **{category: found[category] for category in CATEGORIES},
            "new_active": sum(1 for c in self.of("new") if c.activated),
            "not_compared": self.not_compared,
        }


def compare(old: Side, new: Side, gate: Gate) -> Diff:
    """The two sides' results matched by fingerprint and sorted into categories."""
    old_checks, new_checks = [c.id for c in old.report.checks], [c.id for c in new.report.checks]
    old_projects = [p.project_id for p in old.report.projects]
    new_projects = [p.project_id for p in new.report.projects]
    checks, projects = set(old_checks) & set(new_checks), set(old_projects) & set(new_projects)
    floors = [f for f in (old.report.min_severity, new.report.min_severity) if f is not None]
    floor = max(floors, key=lambda s: s.rank) if floors else None
    left_out = 0

    def keyed(report: Report) -> dict[str, Result]:
        nonlocal left_out
        found: dict[str, Result] = {}
        for r in report.results:
            if r.check not in checks or r.project not in projects:
                left_out += 1
            else:
                found.setdefault(r.fingerprint, r)  # a duplicate counts once
        return found

    before, after = keyed(old.report), keyed(new.report)
    changes = []
    for key in dict.fromkeys([*before, *after]):
        pair = before.get(key), after.get(key)
        if floor is not None and any(r and not r.severity.at_least(floor) for r in pair):
            left_out += sum(r is not None for r in pair)
            continue
        category = _category(*pair)
        if category is not None:
            changes.append(Change(category, *pair))
    ordered = new.report.ordered([c.result for c in changes])
    rank = {id(r): i for i, r in enumerate(ordered)}
    changes.sort(key=lambda c: rank[id(c.result)])
    return Diff(
        old,
        new,
        gate,
        changes,
        {
            "checks_only_in_old": _only(old_checks, new_checks),
            "checks_only_in_new": _only(new_checks, old_checks),
            "projects_only_in_old": _only(old_projects, new_projects),
            "projects_only_in_new": _only(new_projects, old_projects),
        },
        left_out,
    )


def _category(old: Result | None, new: Result | None) -> str | None:
    was, now = state(old), state(new)
    failed, fails = old is not None and old.is_finding, new is not None and new.is_finding
    if fails and not failed:
        return "new"
    if failed and (new is None or new.status in _GONE):
        return "fixed"
    if failed and fails:
        return "still_failing" if was == now else "changed"
    if old is None and now != "unknown":
        return None  # a passing (or not applicable) result appeared: nothing to say
    if new is None:
        return None  # a result that was not failing went away
    return "changed" if was != now else None


def _only(mine: Sequence[str], theirs: Sequence[str]) -> list[str]:
    """The ids of `mine` that `theirs` lacks, in order."""
    others = set(theirs)
    return [i for i in mine if i not in others]


# -- rendering ------------------------------------------------------------------------------


def render(diff: Diff, fmt: str, stream: TextIO, verbose: bool = False) -> None:
    """Write the diff in one of `report.DIFF_FORMATS` (`verbose`: text lists the findings still
    failing, not only their count)."""
    if fmt == "json":
        json.dump(document(diff), stream, indent=2)
        stream.write("\n")
    elif fmt == "markdown":
        stream.write(markdown(diff))
    elif fmt == "html":
        stream.write(html(diff))
    else:
        stream.writelines(line + "\n" for line in text_lines(diff, verbose))


def _side_json(side: Side) -> dict[str, object]:
    report = side.report
    return {
        "source": side.label,
        "version": report.version,
        "started": report.started.isoformat(timespec="seconds"),
        "finished": report.finished.isoformat(timespec="seconds"),
        "projects": [p.project_id for p in report.projects],
        "checks": [c.id for c in report.checks],
        "min_severity": report.min_severity.value if report.min_severity else None,
        "gaps": report.gaps,
    }


def document(diff: Diff) -> dict[str, object]:
    """The diff as a JSON-ready dict (schema gcplint-diff/v1)."""
    return scrub(
        {
            "schema": SCHEMA,
            "tool": {"name": "gcplint", "version": __version__},
            "old": _side_json(diff.old),
            "new": _side_json(diff.new),
            "fail_on": diff.gate.fail_on.value if diff.gate.fail_on else "never",
            "on_incomplete": diff.gate.on_incomplete,
            "exit_code": diff.exit_code(),
            "verdict": diff.verdict(),
            "summary": diff.counts(),
            "not_compared": {**diff.only, "results": diff.not_compared},
            "changes": [
                {
                    "category": c.category,
                    "change": c.what,
                    "activated": c.activated,
                    "fingerprint": c.result.fingerprint,
                    "old": result_json(c.old) if c.old else None,
                    "new": result_json(c.new) if c.new else None,
                }
                for c in diff.changes
            ],
        }
    )


def _summary_line(diff: Diff) -> str:
    counts = diff.counts()
    line = (
        f"{counts['new']} new ({counts['new_active']} active), {counts['fixed']} fixed,"
        f" {counts['changed']} changed, {counts['still_failing']} still failing"
    )
    return line + (f"; {counts['not_compared']} results not compared" if diff.not_compared else "")


def _not_compared(diff: Diff) -> list[str]:
    words = {
        "checks_only_in_old": "checks only in OLD",
        "checks_only_in_new": "checks only in NEW",
        "projects_only_in_old": "projects only in OLD",
        "projects_only_in_new": "projects only in NEW",
    }
    return [f"{words[k]}: {', '.join(ids)}" for k, ids in diff.only.items() if ids]


def _where(r: Result) -> str:
    return (
        r.resource + (f" ({r.subject})" if r.subject else "") + (f" [{r.grant}]" if r.grant else "")
    )


def text_lines(diff: Diff, verbose: bool = False) -> list[str]:
    """The text form, each line `printable` and `command_safe` (cloud text cannot start a line,
    end one, or speak to a terminal or a CI runner)."""
    raw = [
        f"gcplint report diff: {diff.old.label} → {diff.new.label}",
        _summary_line(diff),
    ]
    raw += [f"not compared: {line}" for line in _not_compared(diff)]
    lines = [command_safe(printable(line)) for line in raw]
    for category in CATEGORIES:
        changes = diff.of(category)
        if not changes:
            continue
        lines += ["", f"{TITLES[category]} ({len(changes)})"]
        if category == "still_failing" and not verbose:
            lines.append("  (listed with --verbose)")
            continue
        for c in changes:
            r = c.result
            badge = (f" [{state(c.new)}]" if category == "new" and not c.activated else "") or (
                f" [{c.what}]" if category == "changed" else ""
            )
            lines.append(
                command_safe(
                    printable(f"  {r.severity.value:<8} {r.check}{badge}  {r.project}  {_where(r)}")
                )
            )
            lines.append(command_safe(printable(f"           {r.message}")))
            if category == "new" and r.remediation:
                lines += [
                    command_safe(printable(f"           fix: {line}"))
                    for line in r.remediation.split("\n")
                    if line.strip()
                ]
    lines += ["", command_safe(printable(f"Result: {diff.verdict()}"))]
    return lines


def markdown(diff: Diff) -> str:
    """A pull-request comment: the verdict, the counts, then the new findings (with their fix),
    the fixed ones and the changed ones, in tables, under GitHub's comment limit (rows that do
    not fit are counted, not shown); the findings still failing are counted. Cloud text is
    escaped with the Markdown report's helpers."""
    code_ = diff.exit_code()
    threshold = diff.gate.fail_on.value if diff.gate.fail_on else "never"
    verdict = {EXIT_CLEAN: "✅ PASS", EXIT_FINDINGS: "❌ FAIL"}.get(code_, "⚠️ INCOMPLETE")
    counts = diff.counts()
    head = [
        f"## gcplint diff: {verdict} (exit {code_}, fail-on {threshold})",
        "",
        f"**Result:** {text(diff.verdict())}",
        "",
        f"{text(diff.old.label)} → {text(diff.new.label)}",
        "",
        "| new | new active | fixed | changed | still failing | not compared |",
        "|---|---|---|---|---|---|",
        f"| {counts['new']} | {counts['new_active']} | {counts['fixed']} | {counts['changed']}"
        f" | {counts['still_failing']} | {counts['not_compared']} |",
        "",
    ]
    tail = [f"- not compared: {text(line)}" for line in _not_compared(diff)]
    anchors = docs_anchors([*diff.old.report.checks, *diff.new.report.checks])
    size = sum(len(line) + 1 for line in [*head, *tail]) + 400  # and the "not shown" lines
    body: list[str] = []
    for category, columns in (
        ("new", "| Severity | Check | Project | Resource | Finding | Fix |"),
        ("fixed", "| Severity | Check | Project | Resource | Finding |"),
        ("changed", "| Change | Severity | Check | Project | Resource | Finding |"),
    ):
        changes = diff.of(category)
        if not changes:
            continue
        section = [f"### {TITLES[category]}", "", columns, "|---" * columns.count(" | ") + "|---|"]
        size += sum(len(line) + 1 for line in section)
        shown = 0
        rows = []
        for c in changes:
            row = _md_row(c, anchors)
            if size + len(row) + 1 > LIMIT:
                break
            rows.append(row)
            size += len(row) + 1
            shown += 1
        if rows:
            body += [*section, *rows]
        if shown < len(changes):
            body.append(
                f"\n… {plural(len(changes) - shown, 'more row')} not shown (size limit);"
                " see the JSON diff."
            )
        body.append("")
    return "\n".join([*head, *body, *tail]).rstrip() + "\n"


def _md_row(c: Change, anchors: dict[str, str]) -> str:
    r = c.result
    check = code(r.check)
    if r.check in anchors:
        check = f"[{check}]({DOCS_URL}#{anchors[r.check]})"
    where = code(r.resource) + (f" {text(r.subject)}" if r.subject else "")
    where += f" {code(r.grant)}" if r.grant else ""
    cells = [r.severity.value, check, text(r.project), where, text(r.message)]
    if c.category == "new":
        badge = "" if c.activated else f" ({state(c.new)})"
        cells = [cells[0] + badge, *cells[1:], fix(r.remediation)]
    elif c.category == "changed":
        cells = [text(c.what), *cells]
    return "| " + " | ".join(cells) + " |"


def html(diff: Diff) -> str:
    """A page to hand over, built like the HTML report (its escaping, stylesheet and
    Content-Security-Policy; no script, nothing fetched): the verdict, both scans and the counts,
    a table per category (new, fixed, changed status, still failing: every finding, none left out)
    and what could not be compared."""
    esc = html_report.text
    counts = diff.counts()
    threshold = diff.gate.fail_on.value if diff.gate.fail_on else "never"
    facts = [
        (
            name,
            f"{esc(side.label)}: {esc(side.report.started.isoformat(timespec='seconds'))},"
            f" {plural(len(side.report.projects), 'project')},"
            f" {plural(len(side.report.checks), 'check')}",
        )
        for name, side in (("Old", diff.old), ("New", diff.new))
    ]
    facts.append(("Fail on", esc(threshold)))
    tallies: list[list[str | int]] = [[TITLES[c], counts[c]] for c in CATEGORIES]
    main = [
        '<section id="summary" aria-labelledby="summary-h">',
        '<h2 id="summary-h">Summary</h2>',
        '<dl class="scan">',
        *(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in facts),
        "</dl>",
        '<div class="tables">',
        *html_report.table(
            "Changes",
            ["Category", "Findings"],
            [
                *tallies,
                ["New and active", counts["new_active"]],
                ["Results not compared", counts["not_compared"]],
            ],
        ),
        "</div>",
        "</section>",
    ]
    for category in CATEGORIES:
        changes = diff.of(category)
        anchor = f"diff-{category.replace('_', '-')}"
        main += [
            f'<section class="changes" id="{anchor}" aria-labelledby="{anchor}-h">',
            f'<h2 id="{anchor}-h" tabindex="-1">{TITLES[category]} ({len(changes)})</h2>',
        ]
        if changes:
            main += html_report.table(
                TITLES[category],
                ["Check", "Severity", "Project", "Resource", "Status (old → new)", "Message"],
                [
                    [
                        esc(c.result.check),
                        esc(c.result.severity.value),
                        esc(c.result.project),
                        esc(_where(c.result)),
                        esc(c.what),
                        esc(c.result.message),
                    ]
                    for c in changes
                ],
            )
        else:
            main.append("<p>None.</p>")
        main.append("</section>")
    gaps = [*diff.gaps(), *_not_compared(diff)]
    if diff.not_compared:
        gaps.append(
            f"{plural(diff.not_compared, 'result')} (of a check or project on one side only, or"
            " below the stricter --severity of the two scans)"
        )
    main += [
        '<section id="not-compared" aria-labelledby="not-compared-h">',
        '<h2 id="not-compared-h">Not compared</h2>',
        *(
            ["<ul>", *(f"<li>{esc(line)}</li>" for line in gaps), "</ul>"]
            if gaps
            else ["<p>Every result was compared: both scans are complete and alike.</p>"]
        ),
        "</section>",
    ]
    return html_report.page(
        f"gcplint report diff: {plural(counts['new_active'], 'new active finding')}",
        "gcplint report diff",
        diff.verdict(),
        ("diff-new-h", "Skip to the new findings"),
        main,
        html_report.policy(CSS),
        __version__,
    )
