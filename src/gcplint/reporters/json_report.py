"""The JSON report (schema gcplint-report/v1)."""

from __future__ import annotations

import json
from typing import Any, TextIO

from ..model import Result
from ..report import Report

SCHEMA = "gcplint-report/v1"


def result_json(result: Result) -> dict[str, Any]:
    """One result as its JSON object."""
    return {
        "check": result.check,
        "severity": result.severity.value,
        "status": result.status.value,
        "project": result.project,
        "resource": result.resource,
        "subject": result.subject,
        "message": result.message,
        "reason": result.reason.value if result.reason else None,
        "fingerprint": result.fingerprint,
        "remediation": result.remediation,
    }


def document(report: Report) -> dict[str, Any]:
    """The whole report as a JSON-ready dict."""
    return {
        "schema": SCHEMA,
        "tool": {"name": "gcplint", "version": report.version},
        "scan": {
            "identity": report.identity,
            "started": report.started.isoformat(timespec="seconds"),
            "finished": report.finished.isoformat(timespec="seconds"),
            "projects": [
                {
                    "id": p.project_id,
                    "environment": p.environment.value if p.environment else None,
                    "environment_source": p.environment_source,
                    "error": p.error,
                }
                for p in report.projects
            ],
            "checks": [c.id for c in report.checks],
            "fail_on": report.fail_on.value,
            "api_calls": report.api_calls,
            "retries": report.retries,
            "exit_code": report.exit_code(),
        },
        "results": [result_json(r) for r in report.results],
        "summary": report.summary(),
    }


def render(report: Report, stream: TextIO, verbose: bool = False) -> None:
    """Write the JSON report."""
    json.dump(document(report), stream, indent=2)
    stream.write("\n")
