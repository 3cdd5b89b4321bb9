"""The JSON report (schema gcplint-report/v1)."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, TextIO

from ..config import Suppression
from ..model import Result, Suppressed
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
        "suppressed": suppressed_json(result.suppressed),
        "baseline": result.baseline,
    }


def suppressed_json(mark: Suppressed | None) -> dict[str, Any] | None:
    """A suppression as JSON: reason, expiry, where it came from."""
    if mark is None:
        return None
    return {
        "reason": mark.reason,
        "expires": mark.expires.isoformat() if mark.expires else None,
        "source": mark.source,
        "owner": mark.owner,
        "ticket": mark.ticket,
    }


def entry_json(entry: Suppression) -> dict[str, Any]:
    """A config suppression entry as JSON."""
    return {
        "source": entry.source,
        "check": entry.check,
        "resource": entry.resource,
        "reason": entry.reason,
        "expires": entry.expires.isoformat(),
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
            "scope": report.scope or None,
            "projects_total": report.total or len(report.projects),
            "projects_scanned": report.scanned,
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
            "fail_on": report.fail_on.value if report.fail_on else "never",
            "on_incomplete": report.on_incomplete,
            "api_calls": report.api_calls,
            "retries": report.retries,
            "exit_code": report.exit_code(),
            "exit_causes": report.causes(),
            "notes": report.notes,
        },
        "results": [result_json(r) for r in report.results],
        "summary": report.summary(),
        "suppressions": {
            "suppressed": sum(1 for r in report.results if r.suppressed is not None),
            "expired": [entry_json(e) for e in report.expired],
            "unused": [entry_json(e) for e in report.unused],
        },
        "baseline": None
        if report.baseline is None
        else {
            "path": report.baseline.path,
            "new": report.baseline.new,
            "unchanged": report.baseline.unchanged,
            "fixed": [asdict(e) for e in report.baseline.fixed],
        },
    }


def render(report: Report, stream: TextIO, verbose: bool = False) -> None:
    """Write the JSON report."""
    json.dump(document(report), stream, indent=2)
    stream.write("\n")
