"""GitHub Actions workflow commands: annotations on the workflow run.

GitHub shows at most 10 annotations of each type per step, so the most severe come first and a
final notice counts everything (and says how many were not shown). Each piece of cloud text is
made `printable` (one line, no control characters) and then escaped, so it stays inside its
command: it can neither end it nor start another."""

from __future__ import annotations

from typing import TextIO

from ..model import Result, Severity, Status
from ..safetext import printable
from . import RenderOptions, Report, plural

PER_TYPE = 10
KIND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "notice",
    Severity.INFO: "notice",
}


def escape_data(text: str) -> str:
    """Escape a workflow command's message."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """Escape a workflow command's property value."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def command(kind: str, message: str, **properties: str) -> str:
    """One `::kind name=value,...::message` line."""
    props = ",".join(f"{name}={escape_property(value)}" for name, value in properties.items())
    return f"::{kind} {props}::{escape_data(message)}"


def annotation(report: Report, result: Result) -> tuple[str, str]:
    """(type, line) for one result; on a file when `[locations]` maps its resource."""
    if result.status is Status.UNKNOWN:
        kind = "warning"
        title = f"gcplint {printable(result.check)} could not be evaluated"
    else:
        kind = KIND[result.severity]
        title = f"gcplint {printable(result.check)} ({result.severity.value})"
    fix = result.remediation.split("\n")[0] if result.remediation else ""
    message = f"{printable(result.message)}\nresource: {printable(result.resource)}" + (
        f"\nfix: {printable(fix)}" if fix else ""
    )
    mapped = report.mapped_location(result.resource)
    where = {"file": mapped.path, "line": str(mapped.line)} if mapped else {}
    return kind, command(kind, message, title=title, **where)


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """Write annotations, most severe first, at most 10 per type, then a counting notice."""
    findings = report.active()
    shown: dict[str, int] = {"error": 0, "warning": 0, "notice": 0}
    lines = []
    for result in [*findings, *report.unknown()]:
        kind, line = annotation(report, result)
        limit = PER_TYPE - 1 if kind == "notice" else PER_TYPE  # the last notice is the count
        if shown[kind] < limit:
            shown[kind] += 1
            lines.append(line)
    total = len(findings) + len(report.unknown())
    hidden = total - sum(shown.values())
    counts = report.summary()
    summary = (
        f"{plural(len(findings), 'active finding')}, {len(report.unknown())} unknown,"
        f" {counts['pass']} passed; exit {report.exit_code()}"
        + (f"; {hidden} not shown as annotations (see the report)" if hidden else "")
    )
    lines.append(command("notice", summary, title="gcplint summary"))
    stream.write("\n".join(lines) + "\n")
