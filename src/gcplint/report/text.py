"""The terminal report: what to fix first (findings most severe first, by checklist area within
a severity), then what could not be evaluated, what is suppressed, and why the run passes or
fails. With `quiet`, one line per active finding and nothing else.

Lines fit the terminal: `COLUMNS` when set, else the terminal's width when the stream is one
(at least 40).
Written to a file or a pipe without `COLUMNS` (CI logs, `> report.txt`), lines are not wrapped:
log viewers wrap by themselves at their own width, and a whole line is what grep and copy need.
A wrapped line keeps a hanging indent, so it still reads as part of its finding; a fix command
wraps only between its arguments (never inside quotes), each broken line ending in ` \\` so the
lines paste back into a shell as one command; an argument too long for the hanging indent moves
left (down to column 4), and one longer than that is never split: its line overflows.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import TextIO

from rich.console import Console
from rich.text import Text

from ..gate.verdict import EXIT_CLEAN, EXIT_FINDINGS
from ..model import ApiUse, Area, Result, Severity, Status
from ..safetext import command_safe, printable
from . import RenderOptions, Report, by_severity, plural
from .layout import line_spans, terminal_width

SEVERITY_STYLE = {
    Severity.CRITICAL: "bold white on red",
    Severity.HIGH: "bold red",
    Severity.MEDIUM: "yellow",
    Severity.LOW: "cyan",
    Severity.INFO: "dim",
}
INDENT = 11  # where a finding's message, resource and fix start
CAUSES_SHOWN = 10  # closing causes listed, at least (every critical one is)
NARROWEST = 40  # a narrower terminal gets lines this long (one word a line helps nobody)
SHELL_MIN_HANG = 4  # the leftmost a fix command's overlong argument moves to fit
LISTED_PROJECTS = 12  # more than this, and the header names only the projects not scanned


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """Write the human report; colour only when `stream` is a terminal (and NO_COLOR unset)."""
    console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False)
    width = terminal_width(stream, None)
    out = Lines(console, max(width, NARROWEST) if width else None)
    if options.quiet:
        for result in report.active():
            _quiet(console, result)
        return
    _header(out, report)
    _findings(out, report)
    _others(out, report, Status.UNKNOWN, "Could not be evaluated", always=True)
    _suppressed(out, report)
    _others(out, report, Status.NOT_APPLICABLE, "Not applicable", always=options.verbose)
    if options.verbose:
        _others(out, report, Status.PASS, "Passed", always=True)
    _summary(out, report, options.verbose)


class Lines:
    """Prints lines that fit `width` (None: as long as they are), wrapped with a hanging indent."""

    def __init__(self, console: Console, width: int | None) -> None:
        self.console = console
        self.width = width

    def blank(self) -> None:
        self.console.print()

    def line(
        self,
        text: Text | str,
        indent: int = 0,
        hang: int | None = None,
        *,
        style: str = "",
        shell: bool = False,
    ) -> None:
        """Print `text` (one line: a str is made `printable`) starting at column `indent`; its
        wrapped lines start at `hang` (default: two more than `indent`). `shell`: a command,
        broken only between its words, with backslash continuations."""
        body = Text(printable(text), style=style) if isinstance(text, str) else text
        hang = indent + 2 if hang is None else hang
        if self.width is None:
            self._print(Text(" " * indent) + body)
            return
        spans = line_spans(
            body.plain,
            self.width - indent - (2 if shell else 0),
            self.width - hang - (2 if shell else 0),
            shell=shell,
        )
        for n, (a, b) in enumerate(spans):
            piece = body[a:b]
            if shell and n < len(spans) - 1:
                piece.append(" \\")
            column = indent if n == 0 else hang
            if shell and n and column + piece.cell_len > self.width:
                # an argument too long for the hanging indent: move it left, not below 4
                column = max(SHELL_MIN_HANG, self.width - piece.cell_len)
            self._print(Text(" " * column) + piece)

    def _print(self, line: Text) -> None:
        emit(self.console, line)


def emit(console: Console, line: Text) -> None:
    """One output line; one that cloud text would make a CI runner's command (`::` at its
    start) loses its style and shows that escaped (`command_safe`)."""
    safe = command_safe(line.plain)
    console.print(line if safe == line.plain else Text(safe))


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from plain and (text, style) parts, every part made printable (cloud data is
    untrusted: never markup, never terminal control sequences)."""
    return Text.assemble(
        *(printable(p) if isinstance(p, str) else (printable(p[0]), p[1]) for p in parts)
    )


def _quiet(console: Console, result: Result) -> None:
    """`SEVERITY check-id resource [subject]: message`, on one line whatever its length."""
    line = styled(
        (result.severity.value.upper(), SEVERITY_STYLE[result.severity]),
        " ",
        (result.check, "bold"),
        f" {result.resource}",
        *([(f" {result.subject}", "magenta")] if result.subject else []),
        ": " + " ".join(result.message.split()),
    )
    emit(console, line)


def _header(out: Lines, report: Report) -> None:
    out.line(styled(("gcplint ", "bold"), report.version, " · production readiness scan"))
    out.line(styled(("Identity: ", "bold"), report.identity), hang=10)
    if report.scope:
        out.line(styled(("Scope: ", "bold"), report.scope), hang=7)
    out.line(styled(("Config: ", "bold"), report.config or "none (the defaults)"), hang=8)
    if report.min_severity:
        shown = f"results at or above {report.min_severity.value} (--severity)"
        out.line(styled(("Showing: ", "bold"), shown), hang=9)
    if not report.projects:
        out.line(styled(("Projects: ", "bold"), "none"))
    elif len(report.projects) <= LISTED_PROJECTS:
        projects = Text("Projects: ", style="bold")
        for i, scope in enumerate(report.projects):
            if i:
                projects.append(", ")
            projects.append(printable(scope.project_id))
            if scope.error:
                projects.append(" (unreadable)", style="red")
            elif scope.environment:
                projects.append(
                    printable(f" ({scope.environment.value}: {scope.environment_source})"),
                    style="dim",
                )
        out.line(projects, hang=10)
    unscanned = [p for p in report.projects if p.error]
    out.line(
        f"Scanned {report.scanned} of {plural(len(report.projects), 'project')}",
        style="bold red" if unscanned else "bold",
    )
    for scope in unscanned:
        out.line(f"not scanned: {scope.project_id}: {scope.error}", 2, 4, style="red")
    out.line(
        f"{plural(len(report.checks), 'check')} · {plural(len(report.projects), 'project')} · "
        f"{plural(report.api_calls, 'API call')} · {plural(report.retries, 'retry', 'retries')} · "
        f"{(report.finished - report.started).total_seconds():.1f}s",
        style="dim",
    )
    for note in report.notes:
        out.line(note, style="yellow")


def _findings(out: Lines, report: Report) -> None:
    """Findings (active, and those already in the baseline) in the order to fix them: one
    heading per severity and checklist area."""
    listed = report.ordered([*report.active(), *report.in_baseline()])
    areas = {c.id: c.area for c in report.checks}

    def heading(r: Result) -> tuple[Severity, Area | None]:
        return r.severity, areas.get(r.check)

    for (severity, area), group in groupby(listed, key=heading):
        out.blank()
        out.line(
            styled(
                (severity.value.capitalize(), f"bold underline {SEVERITY_STYLE[severity]}"),
                (f" · {area.title if area else 'Other checks'}", "bold underline"),
            )
        )
        for result in group:
            _finding(out, result)
    if not listed:
        out.blank()
        out.line("No active findings.", style="bold green")


def _finding(out: Lines, result: Result) -> None:
    line = styled(
        (f"{result.severity.value.upper():<8}", SEVERITY_STYLE[result.severity]),
        " ",
        (result.check, "bold"),
        f"  {result.project}",
        *([(f"  {result.subject}", "magenta")] if result.subject else []),
        *(
            [
                (
                    f"  [{result.baseline} since baseline]",
                    "bold" if result.baseline == "new" else "dim",
                )
            ]
            if result.baseline
            else []
        ),
    )
    out.line(line, 2, INDENT + 2)
    out.line(result.message, INDENT, INDENT)
    out.line(styled(("resource: ", "dim"), (result.resource, "dim")), INDENT, INDENT + 10)
    _fix(out, result.remediation)


def _fix(out: Lines, remediation: str | None) -> None:
    """`fix: ` and the remediation, each of its lines a command that wraps as one."""
    for i, fix_line in enumerate(remediation.split("\n") if remediation else []):
        label = "fix: " if i == 0 else "     "
        out.line(styled((label + fix_line, "green")), INDENT, INDENT + 7, shell=True)


def _others(out: Lines, report: Report, status: Status, title: str, *, always: bool) -> None:
    """Unknown, not-applicable or passed results; identical reasons are shown once, with the
    checks they affect."""
    results = [r for r in report.results if r.status is status and r.suppressed is None]
    if not results or not always:
        return
    out.blank()
    count = plural(len(results), "unknown result") if status is Status.UNKNOWN else len(results)
    out.line(f"{title} ({count})", style="bold underline")
    if status is Status.PASS:
        for r in results:
            out.line(f"{r.check}  {r.project}", 2)
            out.line(r.message, INDENT, INDENT, style="dim")
        return
    groups: dict[tuple[str, str, str, str | None], list[str]] = {}
    for r in results:
        key = (r.project, r.reason.value if r.reason else "", r.message, r.remediation)
        groups.setdefault(key, []).append(r.check)
    loud = status is Status.UNKNOWN
    for (project, reason, message, fix), checks in groups.items():
        out.line(styled(f"{project}  ", (reason, "yellow" if loud else "dim")), 2)
        out.line(message, INDENT, INDENT, style="" if loud else "dim")
        out.line("affects: " + ", ".join(sorted(set(checks))), INDENT, INDENT + 9, style="dim")
        if loud:
            _fix(out, fix)


def _suppressed(out: Lines, report: Report) -> None:
    """Suppressed results are shown, never hidden; stale suppressions are called out."""
    results = report.suppressed()
    if results:
        out.blank()
        out.line(f"Suppressed ({len(results)}): shown, not gated on", style="bold underline")
        for r in results:
            assert r.suppressed is not None
            expiry = f", until {r.suppressed.expires}" if r.suppressed.expires else ""
            out.line(
                f"{r.severity.value.upper():<8} {r.check}  {r.project}  {r.status.value}",
                2,
                INDENT + 2,
                style="dim",
            )
            out.line(r.message, INDENT, INDENT, style="dim")
            out.line(
                f"suppressed: {r.suppressed.reason}{expiry} ({r.suppressed.source})",
                INDENT,
                INDENT + 12,
                style="dim",
            )
    for entry in report.expired:
        out.line(
            f"Expired suppression (no longer applied): {entry.source}, expired {entry.expires}:"
            f" {entry.reason}",
            style="yellow",
        )
    for entry in report.unused:
        out.line(
            f"Unused suppression (matched nothing): {entry.source}: {entry.check} {entry.resource}",
            style="yellow",
        )


def _summary(out: Lines, report: Report, verbose: bool) -> None:
    counts = report.summary()
    active = report.active()
    detail = by_severity(active)
    out.blank()
    line = Text("Summary: ", style="bold")
    line.append(plural(len(active), "active finding") + (f" ({detail})" if detail else ""))
    line.append(
        f" · {counts['pass']} passed · {len(report.unknown())} unknown"
        f" · {counts['not_applicable']} not applicable"
    )
    if report.suppressed():
        line.append(f" · {len(report.suppressed())} suppressed")
    if report.in_baseline():
        line.append(f" · {len(report.in_baseline())} in the baseline")
    out.line(line, hang=9)
    if report.baseline is not None:
        base = report.baseline
        out.line(
            f"Baseline {base.path}: {base.new} new · {base.unchanged} unchanged"
            f" · {len(base.fixed)} fixed since the baseline",
            hang=9,
            style="bold",
        )
    if not verbose and (counts["pass"] or counts["not_applicable"]):
        out.line("(run with --verbose to list passed and not-applicable results)", style="dim")
    code = report.exit_code()
    style = {EXIT_CLEAN: "bold green", EXIT_FINDINGS: "bold red"}.get(code, "bold yellow")
    out.line(f"Result: {report.verdict()}", hang=8, style=style)
    if code == EXIT_CLEAN:
        return
    _causes(out, report)


def _causes(out: Lines, report: Report) -> None:
    """Why the run fails: every critical finding by name, then the next most severe causes up
    to CAUSES_SHOWN; the rest counted by severity (the findings above list them all)."""
    causes = report.causes()
    failing = report.failing()
    critical = sum(1 for r in failing if r.severity is Severity.CRITICAL)
    shown = max(CAUSES_SHOWN, critical)
    for cause in causes[:shown]:
        out.line(f"because: {cause}", 2, 11)
    hidden = causes[shown:]
    if hidden:
        kinds = [by_severity(failing[shown:])] if len(failing) > shown else []
        others = len(hidden) - max(0, len(failing) - shown)
        kinds += [plural(others, "other cause")] if others else []
        out.line(f"… and {len(hidden)} more ({'; '.join(kinds)}), listed above", 2, 4, style="dim")


def api_table(uses: Sequence[ApiUse]) -> list[str]:
    """Per API, what the scan cost (`scan --verbose`, on stderr): calls, 429s, seconds spent
    waiting for the throttle, the rate achieved and the limit the throttle ended at. The API
    that waited longest is the quota that bound the scan."""
    if not uses:
        return []
    bound = max(uses, key=lambda u: u.waited)
    rows = [("API", "calls", "429s", "waited s", "achieved/s", "limit/s")]
    rows += [
        (
            u.label + ("*" if u is bound and u.waited > 0 else ""),
            str(u.calls),
            str(u.throttled),
            f"{u.waited:.1f}",
            f"{u.achieved:.1f}",
            "-" if u.limit is None else f"{u.limit:.1f}",
        )
        for u in uses
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = [
        "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in rows
    ]
    lines.append(
        "* waited longest for its quota: raise that API's quota (or --rate-limit) to go faster"
        if bound.waited > 0
        else "no API made the scan wait for its quota"
    )
    return lines
