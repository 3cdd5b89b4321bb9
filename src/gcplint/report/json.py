"""The JSON report (schema gcplint-report/v1): the writer, and the reader `report merge` uses.

Both `scrub` every string (a lone surrogate becomes U+FFFD): it could not be written as UTF-8,
and a report read back (`report merge`) is as clean as one written."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from ..config import Suppression
from ..environment import Environment
from ..errors import GcplintError
from ..gate.baseline import Comparison, Entry
from ..model import Reason, Result, Severity, Status, Suppressed
from ..safetext import scrub, unsurrogate
from . import RenderOptions, Report, ScannedProject

SCHEMA = "gcplint-report/v1"
SCAN_KEYS = ("checks", "projects", "identity", "started", "finished")
# ^ what a report's `scan` header must hold to be read back


class ReportError(GcplintError):
    """A report file that cannot be read, or reports that cannot be merged."""


def result_json(result: Result) -> dict[str, Any]:
    """One result as its JSON object (every string `unsurrogate`d: it may quote cloud text)."""
    return {
        "check": unsurrogate(result.check),
        "severity": result.severity.value,
        "status": result.status.value,
        "project": unsurrogate(result.project),
        "resource": unsurrogate(result.resource),
        "subject": _text(result.subject),
        "grant": _text(result.grant),
        "message": unsurrogate(result.message),
        "reason": result.reason.value if result.reason else None,
        "fingerprint": result.fingerprint,
        "remediation": _text(result.remediation),
        "suppressed": scrub(suppressed_json(result.suppressed)),
        "baseline": result.baseline,
    }


def _text(value: str | None) -> str | None:
    return None if value is None else unsurrogate(value)


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


def document(report: Report, *, results: bool = True) -> dict[str, Any]:
    """The whole report as a JSON-ready dict (without `results`: its header and counts)."""
    whole: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": "gcplint", "version": report.version},
        "scan": {
            "identity": report.identity,
            "started": report.started.isoformat(timespec="seconds"),
            "finished": report.finished.isoformat(timespec="seconds"),
            "scope": report.scope or None,
            "config": report.config,
            "min_severity": report.min_severity.value if report.min_severity else None,
            "projects_total": report.total or len(report.projects),
            "shard": None
            if report.shard is None
            else {"index": report.shard[0], "count": report.shard[1]},
            "excluded_projects": list(report.excluded_projects),
            "excluded_folders": list(report.excluded_folders),
            "gaps": report.gaps,
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
            "controls": {c.id: list(c.tags) for c in report.checks if c.tags},
            "frameworks": list(report.frameworks),
            "fail_on": report.gate.fail_on.value if report.gate.fail_on else "never",
            "on_incomplete": report.gate.on_incomplete,
            "api_calls": report.api_calls,
            "retries": report.retries,
            "exit_code": report.exit_code(),
            "exit_causes": report.causes(),
            "notes": report.notes,
        },
        "results": None,  # (in its place; each result_json is clean already)
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
    whole = scrub(whole)
    if results:
        whole["results"] = [result_json(r) for r in report.results]
    else:
        del whole["results"]
    return whole


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """Write the JSON report."""
    json.dump(document(report), stream, indent=2)
    stream.write("\n")


# -- reading a report back ---------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    """A JSON report file, its header checked (raises ReportError)."""
    try:
        document = scrub(json.loads(path.read_text(encoding="utf-8")))
    except OSError as exc:
        raise ReportError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ReportError(f"{path}: not a JSON report: {exc}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ReportError(f"{path}: not a gcplint JSON report ({SCHEMA}); use --format json")
    if document.get("record") == "summary":
        raise ReportError(f"{path}: a jsonl summary line, not a JSON report; use --format json")
    scan, suppressions = document.get("scan"), document.get("suppressions")
    if (
        not isinstance(scan, dict)
        or not isinstance(suppressions, dict)
        or any(key not in scan for key in SCAN_KEYS)
        or "results" not in document
        or "unused" not in suppressions
    ):
        raise ReportError(f"{path}: incomplete gcplint JSON report")
    return document


def shard(path: Path, document: dict[str, Any]) -> tuple[int, int] | None:
    """The `--shard K/N` a report was scanned with, as (K, N); None for the whole scope."""
    found = document["scan"].get("shard")
    if found is None:
        return None
    index, count = (found.get("index"), found.get("count")) if isinstance(found, dict) else (0, 0)
    if not (isinstance(index, int) and isinstance(count, int) and 0 <= index < count):
        raise ReportError(f"{path}: malformed gcplint JSON report ('scan.shard': {found!r})")
    return index, count


def scanned_project(p: dict[str, Any]) -> ScannedProject:
    """A project of the `scan.projects` header."""
    env = p.get("environment")
    return ScannedProject(
        p["id"], Environment(env) if env else None, p.get("environment_source"), p.get("error")
    )


def result(r: dict[str, Any]) -> Result:
    """A result object."""
    mark = r.get("suppressed")
    return Result(
        check=r["check"],
        severity=Severity(r["severity"]),
        status=Status(r["status"]),
        project=r["project"],
        resource=r["resource"],
        subject=r.get("subject"),
        message=r["message"],
        reason=Reason(r["reason"]) if r.get("reason") else None,
        remediation=r.get("remediation"),
        suppressed=None
        if mark is None
        else Suppressed(
            mark["reason"],
            mark["source"],
            date.fromisoformat(mark["expires"]) if mark.get("expires") else None,
            "inSource" if str(mark["source"]).startswith("label ") else "external",
            mark.get("owner"),
            mark.get("ticket"),
        ),
        baseline=r.get("baseline"),
        grant=r.get("grant"),
    )


def suppressions(items: list[dict[str, Any]]) -> list[Suppression]:
    """Suppression entries (`suppressions.expired` or `.unused`)."""
    return [
        Suppression(
            e["check"], e["resource"], e["reason"], date.fromisoformat(e["expires"]), e["source"]
        )
        for e in items
    ]


def comparison(documents: Sequence[dict[str, Any]]) -> Comparison | None:
    """The baseline totals of one or more reports, added up."""
    parts = [d["baseline"] for d in documents if d.get("baseline")]
    if not parts:
        return None
    return Comparison(
        parts[0]["path"],
        sum(p["new"] for p in parts),
        sum(p["unchanged"] for p in parts),
        [Entry(**{"grant": None, **e}) for p in parts for e in p["fixed"]],
        # ^ a report of an older gcplint has no `grant`
    )
