"""JUnit XML: one testsuite per project, one testcase per (check, resource).

Cloud text is made `printable` (a remediation keeps its lines: `printable_lines`): XML 1.0 has
no way to hold a control character or a lone surrogate, and CI tools print these messages to
their logs.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections import Counter
from typing import TextIO

from ..model import Result, Status
from ..safetext import printable, printable_lines
from . import RenderOptions, Report


def case(result: Result) -> ET.Element:
    """A testcase: failure for fail, error for unknown, skipped for not_applicable and suppressed."""
    name = result.resource + (f" {result.subject}" if result.subject else "")
    element = ET.Element(
        "testcase", {"classname": printable(result.check), "name": printable(name), "time": "0"}
    )
    message = printable(result.message)
    body = printable_lines(result.remediation or "")
    if result.suppressed is not None:
        expiry = f" until {result.suppressed.expires}" if result.suppressed.expires else ""
        ET.SubElement(
            element,
            "skipped",
            {"message": printable(f"suppressed{expiry}: {result.suppressed.reason}")},
        )
    elif result.status is Status.FAIL:
        failure = ET.SubElement(
            element, "failure", {"message": message, "type": result.severity.value}
        )
        failure.text = body
    elif result.status is Status.UNKNOWN:
        error = ET.SubElement(
            element,
            "error",
            {"message": message, "type": result.reason.value if result.reason else "ERROR"},
        )
        error.text = body
    elif result.status is Status.NOT_APPLICABLE:
        ET.SubElement(element, "skipped", {"message": message})
    return element


def kind(result: Result) -> str:
    """How the testcase counts in the totals."""
    if result.suppressed is not None or result.status is Status.NOT_APPLICABLE:
        return "skipped"
    return {Status.FAIL: "failures", Status.UNKNOWN: "errors"}.get(result.status, "passed")


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """Write the JUnit report, totals set on every suite and on the whole."""
    root = ET.Element("testsuites", {"name": "gcplint"})
    totals: Counter[str] = Counter()
    for scope in report.projects:
        results = [r for r in report.results if r.project == scope.project_id]
        counts = Counter(kind(r) for r in results)
        totals.update(counts)
        totals["tests"] += len(results)
        suite = ET.SubElement(
            root,
            "testsuite",
            {
                "name": printable(scope.project_id),
                "tests": str(len(results)),
                "failures": str(counts["failures"]),
                "errors": str(counts["errors"]),
                "skipped": str(counts["skipped"]),
                "time": f"{(report.finished - report.started).total_seconds():.3f}",
                "timestamp": report.started.isoformat(timespec="seconds"),
            },
        )
        suite.extend(case(r) for r in results)
    for key in ("tests", "failures", "errors", "skipped"):
        root.set(key, str(totals[key]))
    ET.indent(root)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ET.tostring(root, encoding="unicode"))
    stream.write("\n")
