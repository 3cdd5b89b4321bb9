"""A Markdown summary for pull-request comments and `$GITHUB_STEP_SUMMARY` (kept under 1 MiB)."""

from __future__ import annotations

from collections import Counter
from typing import TextIO

from ..gate.verdict import EXIT_CLEAN, EXIT_FINDINGS
from ..model import Severity, Status
from . import RenderOptions, Report

LIMIT = 1024 * 1024 - 4096  # GitHub's step summary takes at most 1 MiB


def cell(text: str) -> str:
    """Text safe inside a table cell."""
    return " ".join(text.split()).replace("|", "\\|")


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """Write the summary: verdict, counts, findings table, unknown data, suppressions."""
    code = report.exit_code()
    threshold = report.gate.fail_on.value if report.gate.fail_on else "never"
    verdict = {EXIT_CLEAN: "✅ PASS", EXIT_FINDINGS: "❌ FAIL"}.get(code, "⚠️ INCOMPLETE")
    active = [r for r in report.results if r.status is Status.FAIL and r.suppressed is None]
    counts = Counter(r.severity for r in active)
    lines = [
        f"## gcplint: {verdict} (exit {code}, fail-on {threshold})",
        "",
        f"Projects: {', '.join(p.project_id for p in report.projects)} · {len(report.checks)} checks · identity {cell(report.identity)}",
        "",
        "| critical | high | medium | low | info | unknown | passed | suppressed |",
        "|---|---|---|---|---|---|---|---|",
        "| "
        + " | ".join(str(counts[s]) for s in Severity)
        + f" | {len(report.unknown())} | {report.summary()['pass']} | {sum(1 for r in report.results if r.suppressed)} |",
        "",
    ]
    if report.baseline is not None:
        base = report.baseline
        lines += [
            f"Baseline: {base.new} new · {base.unchanged} unchanged · {len(base.fixed)} fixed",
            "",
        ]
    if report.failing():
        lines += [
            f"**{len(report.failing())} active finding(s) at or above {threshold}** fail this run.",
            "",
        ]
    if active:
        lines += [
            "### Findings",
            "",
            "| Severity | Check | Project | Resource | Finding |",
            "|---|---|---|---|---|",
        ]
        active.sort(key=lambda r: (-r.severity.rank, r.check, r.resource))
        size = sum(len(line) + 1 for line in lines)
        for index, r in enumerate(active):
            badge = " (new)" if r.baseline == "new" else ""
            row = f"| {r.severity.value}{badge} | `{r.check}` | {r.project} | `{cell(r.resource)}` | {cell(r.message)} |"
            if size + len(row) > LIMIT:
                lines.append(
                    f"\n… {len(active) - index} more findings not shown (size limit); see the full report."
                )
                break
            lines.append(row)
            size += len(row) + 1
        lines.append("")
    unknown = report.unknown()
    if unknown:
        reasons = Counter((r.project, r.message) for r in unknown)
        lines += ["### Could not be evaluated", ""]
        lines += [
            f"- {project}: {cell(message)} ({n} result(s))"
            for (project, message), n in list(reasons.items())[:50]
        ]
        lines.append("")
    stale = [*report.expired, *report.unused]
    if stale:
        lines += ["### Suppressions needing attention", ""]
        lines += [f"- expired {e.expires}: {cell(e.source)}" for e in report.expired]
        lines += [f"- unused: {cell(e.source)}" for e in report.unused]
    stream.write("\n".join(lines).rstrip() + "\n")
