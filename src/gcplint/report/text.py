"""The terminal report: findings grouped by checklist area, then what could not be evaluated,
what is suppressed, and why the run passes or fails."""

from __future__ import annotations

from collections import Counter
from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.text import Text

from ..gate.verdict import EXIT_CLEAN, EXIT_FINDINGS
from ..model import Area, Result, Severity, Status
from . import RenderOptions, Report

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
INDENT = " " * 11
CAUSES_SHOWN = 10


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """Write the human report; colour only when `stream` is a terminal (and NO_COLOR unset)."""
    console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False)
    _header(console, report)
    fails = [r for r in report.results if r.status is Status.FAIL and r.suppressed is None]
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
        console.print(Text("No active findings.", style="bold green"))
    _others(console, report, Status.UNKNOWN, "Could not be evaluated (unknown)", always=True)
    _suppressed(console, report)
    _others(console, report, Status.NOT_APPLICABLE, "Not applicable", always=options.verbose)
    if options.verbose:
        _others(console, report, Status.PASS, "Passed", always=True)
    _summary(console, report, options.verbose)


LISTED_PROJECTS = 12  # more than this, and the header names only the projects not scanned


def _header(console: Console, report: Report) -> None:
    console.print(
        Text.assemble(("gcplint ", "bold"), report.version, " · production readiness scan")
    )
    console.print(Text.assemble(("Identity: ", "bold"), report.identity))
    if report.scope:
        console.print(Text.assemble(("Scope: ", "bold"), report.scope))
    if not report.projects:
        console.print(Text.assemble(("Projects: ", "bold"), "none"))
    elif len(report.projects) <= LISTED_PROJECTS:
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
    unscanned = [p for p in report.projects if p.error]
    console.print(
        Text(
            f"Scanned {report.scanned} of {len(report.projects)} projects",
            style="bold red" if unscanned else "bold",
        )
    )
    for scope in unscanned:
        console.print(Text(f"  not scanned: {scope.project_id}: {scope.error}", style="red"))
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
    if result.baseline:
        line.append(
            f"  [{result.baseline} since baseline]",
            style="bold" if result.baseline == "new" else "dim",
        )
    console.print(line)
    console.print(Text(INDENT + result.message))
    console.print(Text(INDENT + "resource: " + result.resource, style="dim"))
    if result.remediation:
        for i, fix_line in enumerate(result.remediation.splitlines()):
            console.print(Text(INDENT + ("fix: " if i == 0 else "     ") + fix_line, style="green"))


def _others(console: Console, report: Report, status: Status, title: str, *, always: bool) -> None:
    """Unknown, not-applicable or passed results; identical reasons are shown once, with the
    checks they affect."""
    results = [r for r in report.results if r.status is status and r.suppressed is None]
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


def _suppressed(console: Console, report: Report) -> None:
    """Suppressed results are shown, never hidden; stale suppressions are called out."""
    results = [r for r in report.results if r.suppressed is not None]
    if results:
        console.print()
        console.print(
            Text(f"Suppressed ({len(results)}): shown, not gated on", style="bold underline")
        )
        for r in results:
            assert r.suppressed is not None
            expiry = f", until {r.suppressed.expires}" if r.suppressed.expires else ""
            console.print(
                Text(
                    f"  {r.severity.value.upper():<8} {r.check}  {r.project}  {r.status.value}",
                    style="dim",
                )
            )
            console.print(Text(INDENT + r.message, style="dim"))
            console.print(
                Text(
                    INDENT + f"suppressed: {r.suppressed.reason}{expiry} ({r.suppressed.source})",
                    style="dim",
                )
            )
    for entry in report.expired:
        console.print(
            Text(
                f"Expired suppression (no longer applied): {entry.source}, expired {entry.expires}: {entry.reason}",
                style="yellow",
            )
        )
    for entry in report.unused:
        console.print(
            Text(
                f"Unused suppression (matched nothing): {entry.source}: {entry.check} {entry.resource}",
                style="yellow",
            )
        )


def _summary(console: Console, report: Report, verbose: bool) -> None:
    counts = report.summary()
    active = [r for r in report.results if r.status is Status.FAIL and r.suppressed is None]
    severities = Counter(r.severity for r in active)
    detail = ", ".join(f"{severities[s]} {s.value}" for s in Severity if severities[s])
    suppressed = sum(1 for r in report.results if r.suppressed is not None)
    console.print()
    line = Text("Summary: ", style="bold")
    line.append(f"{len(active)} failed" + (f" ({detail})" if detail else ""))
    line.append(
        f" · {counts['pass']} passed · {len(report.unknown())} unknown · {counts['not_applicable']} not applicable"
    )
    if suppressed:
        line.append(f" · {suppressed} suppressed")
    console.print(line)
    if report.baseline is not None:
        base = report.baseline
        console.print(
            Text(
                f"Baseline {base.path}: {base.new} new · {base.unchanged} unchanged · {len(base.fixed)} fixed since",
                style="bold",
            )
        )
    if not verbose and (counts["pass"] or counts["not_applicable"]):
        console.print(
            Text("(run with --verbose to list passed and not-applicable results)", style="dim")
        )
    code = report.exit_code()
    style = {EXIT_CLEAN: "bold green", EXIT_FINDINGS: "bold red"}.get(code, "bold yellow")
    console.print(Text(f"Result: {report.verdict()}", style=style))
    if code == EXIT_CLEAN:
        return
    causes = report.causes()
    for cause in causes[:CAUSES_SHOWN]:
        console.print(Text(f"  because: {cause}"))
    if len(causes) > CAUSES_SHOWN:
        console.print(Text(f"  … and {len(causes) - CAUSES_SHOWN} more", style="dim"))
