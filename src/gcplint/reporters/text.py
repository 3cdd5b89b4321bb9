"""The terminal report: findings grouped by checklist area, then what could not be evaluated."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.text import Text

from ..model import Area, Result, Severity, Status
from ..report import Report

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
INDENT = " " * 11


def render(report: Report, stream: TextIO, verbose: bool = False) -> None:
    """Write the human report; colour only when `stream` is a terminal (and NO_COLOR unset)."""
    console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False)
    _header(console, report)
    fails = [r for r in report.results if r.status is Status.FAIL]
    order = list(Area)
    by_check = {c.id: c for c in report.checks}
    projects = [p.project_id for p in report.projects]
    fails.sort(
        key=lambda r: (
            order.index(by_check[r.check].area),
            -r.severity.rank,
            r.check,
            projects.index(r.project) if r.project in projects else len(projects),
            r.resource,
            r.subject or "",
        )
    )
    for area, group in groupby(fails, key=lambda r: by_check[r.check].area):
        console.print()
        console.print(Text(area.title, style="bold underline"))
        for result in group:
            _finding(console, result)
    if not fails:
        console.print()
        console.print(Text("No findings.", style="bold green"))
    _others(console, report, Status.UNKNOWN, "Could not be evaluated (unknown)", always=True)
    _others(console, report, Status.NOT_APPLICABLE, "Not applicable", always=verbose)
    if verbose:
        _others(console, report, Status.PASS, "Passed", always=True)
    _summary(console, report, verbose)


def _header(console: Console, report: Report) -> None:
    console.print(
        Text.assemble(("gcplint ", "bold"), report.version, " · production readiness scan")
    )
    console.print(Text.assemble(("Identity: ", "bold"), report.identity))
    projects = Text("Projects: ", style="bold")
    for i, scope in enumerate(report.projects):
        if i:
            projects.append(", ")
        projects.append(scope.project_id)
        if scope.error:
            projects.append(" (unreadable)", style="red")
        elif scope.environment:
            projects.append(
                f" ({scope.environment.value}: {scope.environment_source})", style="dim"
            )
    console.print(projects)
    console.print(
        Text(
            f"{len(report.checks)} checks · {len(report.projects)} projects · "
            f"{report.api_calls} API calls · {report.retries} retries · "
            f"{(report.finished - report.started).total_seconds():.1f}s",
            style="dim",
        )
    )
    for note in report.notes:
        console.print(Text(note, style="yellow"))


def _finding(console: Console, result: Result) -> None:
    line = Text("  ")
    line.append(f"{result.severity.value.upper():<8}", style=SEVERITY_STYLE[result.severity])
    line.append(" ")
    line.append(result.check, style="bold")
    line.append(f"  {result.project}")
    if result.subject:
        line.append(f"  {result.subject}", style="magenta")
    console.print(line)
    console.print(Text(INDENT + result.message))
    console.print(Text(INDENT + "resource: " + result.resource, style="dim"))
    if result.remediation:
        for i, fix_line in enumerate(result.remediation.splitlines()):
            console.print(Text(INDENT + ("fix: " if i == 0 else "     ") + fix_line, style="green"))


def _others(console: Console, report: Report, status: Status, title: str, *, always: bool) -> None:
    """Unknown, not-applicable or passed results; identical reasons are shown once, with the
    checks they affect."""
    results = [r for r in report.results if r.status is status]
    if not results or not always:
        return
    console.print()
    console.print(Text(f"{title} ({len(results)})", style="bold underline"))
    if status is Status.PASS:
        for r in results:
            console.print(Text(f"  {r.check}  {r.project}"))
            console.print(Text(INDENT + r.message, style="dim"))
        return
    groups: dict[tuple[str, str, str, str | None], list[str]] = {}
    for r in results:
        key = (r.project, r.reason.value if r.reason else "", r.message, r.remediation)
        groups.setdefault(key, []).append(r.check)
    loud = status is Status.UNKNOWN
    for (project, reason, message, fix), checks in groups.items():
        line = Text(f"  {project}")
        line.append(f"  {reason}", style="yellow" if loud else "dim")
        console.print(line)
        console.print(Text(INDENT + message, style="" if loud else "dim"))
        console.print(Text(INDENT + "affects: " + ", ".join(sorted(set(checks))), style="dim"))
        if fix and loud:
            console.print(Text(INDENT + "fix: " + fix, style="green"))


def _summary(console: Console, report: Report, verbose: bool) -> None:
    counts = report.summary()
    severities = Counter(r.severity for r in report.results if r.status is Status.FAIL)
    detail = ", ".join(f"{severities[s]} {s.value}" for s in Severity if severities[s])
    console.print()
    line = Text("Summary: ", style="bold")
    line.append(f"{counts['fail']} failed" + (f" ({detail})" if detail else ""))
    line.append(
        f" · {counts['pass']} passed · {counts['unknown']} unknown · {counts['not_applicable']} not applicable"
    )
    console.print(line)
    if not verbose and (counts["pass"] or counts["not_applicable"]):
        console.print(
            Text("(run with --verbose to list passed and not-applicable results)", style="dim")
        )
    code = report.exit_code()
    failing = len(report.failing())
    verdict = {
        0: Text(
            f"Result: PASS — nothing at or above {report.fail_on.value}, every check evaluated (exit 0)",
            style="bold green",
        ),
        1: Text(
            f"Result: FAIL — {failing} finding(s) at or above {report.fail_on.value} (exit 1)",
            style="bold red",
        ),
        3: Text(
            f"Result: INCOMPLETE — {counts['unknown']} result(s) could not be evaluated (exit 3)",
            style="bold yellow",
        ),
    }[code]
    console.print(verdict)
