"""CSV: one row per result (every status, like the JSON report's `results`), for a spreadsheet.

The columns (`COLUMNS`) are a contract: new columns are only ever added at the end. RFC 4180:
comma-separated, every row ended by CRLF, a cell quoted when it holds a comma, a quote or a line
break (a multi-line remediation stays one cell); UTF-8 without a byte-order mark (a BOM would
become part of the first column's name for every CSV reader but Excel's; Excel opens the file
through Data > From Text/CSV).

Cloud text is data here, kept as the cloud wrote it (lone surrogates become U+FFFD), but a
spreadsheet would run a cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage
return, which some strip first) as a formula: such a cell gets a leading `'` (OWASP, CSV
injection), whoever wrote it.
"""

from __future__ import annotations

import csv
from typing import TextIO

from ..checks.docs import DOCS_URL, docs_anchors
from ..model import Result
from ..safetext import unsurrogate
from . import RenderOptions, Report

COLUMNS = (
    "project",
    "check",
    "severity",
    "status",
    "resource",
    "subject",
    "grant",
    "message",
    "reason",
    "remediation",
    "suppressed",
    "suppression_reason",
    "suppression_source",
    "suppression_expires",
    "baseline",
    "fingerprint",
    "docs_url",
)
FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet may start a formula with


def cell(value: str | None) -> str:
    """One cell: `value` ('' for none), lone surrogates as U+FFFD, a leading formula character
    neutralised with `'`."""
    text = unsurrogate(value or "")
    return "'" + text if text.startswith(FORMULA) else text


def row(result: Result, docs: str) -> list[str]:
    """A result's cells, in `COLUMNS` order."""
    mark = result.suppressed
    values = (
        result.project,
        result.check,
        result.severity.value,
        result.status.value,
        result.resource,
        result.subject,
        result.grant,
        result.message,
        result.reason.value if result.reason else None,
        result.remediation,
        "true" if mark else "false",
        mark.reason if mark else None,
        mark.source if mark else None,
        mark.expires.isoformat() if mark and mark.expires else None,
        result.baseline,
        result.fingerprint,
        docs,
    )
    return [cell(v) for v in values]


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """The header, then every result, most severe first (as the other formats order them)."""
    anchors = docs_anchors(report.checks)
    writer = csv.writer(stream, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for result in report.ordered(report.results):
        anchor = anchors.get(result.check)
        writer.writerow(row(result, f"{DOCS_URL}#{anchor}" if anchor else ""))
