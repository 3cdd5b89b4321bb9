"""A Markdown summary for pull-request comments and `$GITHUB_STEP_SUMMARY`: the verdict, the
counts, and each active finding with its fix and a link to its check's documentation; kept under
GitHub's comment limit (65,536 characters, which is also under the step summary's 1 MiB).

Cloud data is untrusted: it is made `printable` and escaped (never rendered as Markdown or HTML,
never a link) and fix commands are code spans whose backtick fence is longer than any run of
backticks in them.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import TextIO

from ..checks.docs import DOCS_URL, docs_anchors
from ..gate.verdict import EXIT_CLEAN, EXIT_FINDINGS
from ..model import Result, Severity
from ..safetext import printable
from . import RenderOptions, Report, plural

LIMIT = 65536 - 1024  # characters: GitHub refuses a comment body over 65,536 characters (and a
# step summary over 1 MiB); findings that do not fit are counted, not shown
LISTED_PROJECTS = 12  # more, and the projects are counted, not named
LISTED = 50  # unknown reasons and stale suppressions listed, at most
_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~&:@]|(?<=[wW]{3})\.)")


def text(value: str) -> str:
    """Untrusted text safe anywhere inline, table cells included: on one `printable` line (so
    no block markup can start), every character Markdown could read as inline markup (emphasis,
    code, links, images, HTML, entities, table pipes) backslash-escaped, and so are the `:` of a
    URL's scheme, the `.` of `www.` and the `@` of an address (GitHub would make them links).
    (A bare @mention cannot be escaped.)"""
    return _SPECIAL.sub(r"\\\g<0>", printable(" ".join(value.split())))


def code(value: str) -> str:
    """A code span holding `value` verbatim (on one line), whatever backticks it contains;
    safe in a table cell (GitHub unescapes `\\|` even inside code spans)."""
    value = printable(" ".join(value.split()))
    if not value:
        return ""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", value)), default=0) + 1)
    pad = " " if value[0] in "` " or value[-1] in "` " else ""
    return f"{fence}{pad}{value}{pad}{fence}".replace("|", "\\|")


def fix(remediation: str | None) -> str:
    """A remediation as code spans, one per line of it."""
    lines = remediation.split("\n") if remediation else []
    return "<br>".join(code(line) for line in lines if line.strip())


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """Write the summary: verdict, counts, findings (with fix and documentation), unknown
    data, suppressions."""
    code_ = report.exit_code()
    threshold = report.gate.fail_on.value if report.gate.fail_on else "never"
    verdict = {EXIT_CLEAN: "✅ PASS", EXIT_FINDINGS: "❌ FAIL"}.get(code_, "⚠️ INCOMPLETE")
    active = report.active()
    counts = Counter(r.severity for r in active)
    unknown = report.unknown()
    projects = ", ".join(text(p.project_id) for p in report.projects[:LISTED_PROJECTS])
    if len(report.projects) > LISTED_PROJECTS:
        projects = plural(len(report.projects), "project")
    lines = [
        f"## gcplint: {verdict} (exit {code_}, fail-on {threshold})",
        "",
        f"**Result:** {report.verdict()}",  # gcplint's own words and counts: no cloud data
        "",
        f"Projects: {projects} · {plural(len(report.checks), 'check')} · identity"
        f" {text(report.identity)}",
        "",
        "| active findings | critical | high | medium | low | info | unknown | passed | suppressed |",
        "|---|---|---|---|---|---|---|---|---|",
        f"| {len(active)} | "
        + " | ".join(str(counts[s]) for s in Severity)
        + f" | {len(unknown)} | {report.summary()['pass']} | {len(report.suppressed())} |",
        "",
    ]
    if report.baseline is not None:
        base = report.baseline
        lines += [
            f"Baseline: {base.new} new · {base.unchanged} unchanged"
            f" · {len(base.fixed)} fixed since the baseline",
            "",
        ]
    tail = _tail(report, unknown)
    if active:
        anchors = docs_anchors(report.checks)
        lines += [
            "### Findings",
            "",
            "| Severity | Check | Project | Resource | Finding | Fix |",
            "|---|---|---|---|---|---|",
        ]
        size = sum(len(line) + 1 for line in [*lines, *tail]) + 200  # and the "not shown" line
        for index, r in enumerate(active):
            row = _row(r, anchors)
            if size + len(row) + 1 > LIMIT:
                lines.append(
                    f"\n… {plural(len(active) - index, 'more finding')} not shown (size limit);"
                    " see the full report."
                )
                break
            lines.append(row)
            size += len(row) + 1
        lines.append("")
    stream.write("\n".join([*lines, *tail]).rstrip() + "\n")


def _tail(report: Report, unknown: list[Result]) -> list[str]:
    """What could not be evaluated, and suppressions needing attention (LISTED of each)."""
    lines = []
    if unknown:
        reasons = Counter((r.project, r.message) for r in unknown)
        lines += ["### Could not be evaluated", ""]
        lines += [
            f"- {text(project)}: {text(message)} ({plural(n, 'result')})"
            for (project, message), n in list(reasons.items())[:LISTED]
        ]
        if len(reasons) > LISTED:
            lines.append(f"- … and {plural(len(reasons) - LISTED, 'other reason')}")
        lines.append("")
    stale = [
        *(f"- expired {e.expires}: {text(e.source)}" for e in report.expired),
        *(f"- unused: {text(e.source)}" for e in report.unused),
    ]
    if stale:
        lines += ["### Suppressions needing attention", "", *stale[:LISTED]]
        if len(stale) > LISTED:
            lines.append(f"- … and {len(stale) - LISTED} more")
        lines.append("")
    if report.notes:
        lines += ["### Notes", "", *(f"- {text(note)}" for note in report.notes[:LISTED])]
        if len(report.notes) > LISTED:
            lines.append(f"- … and {plural(len(report.notes) - LISTED, 'more note')}")
    return lines


def _row(r: Result, anchors: dict[str, str]) -> str:
    """One finding: its check linked to its documentation, its fix as code."""
    badge = " (new)" if r.baseline == "new" else ""
    check = code(r.check)
    if r.check in anchors:
        check = f"[{check}]({DOCS_URL}#{anchors[r.check]})"
    return (
        f"| {r.severity.value}{badge} | {check} | {text(r.project)} | {code(r.resource)}"
        f" | {text(r.message)} | {fix(r.remediation)} |"
    )
