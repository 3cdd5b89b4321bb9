"""SARIF 2.1.0, shaped for GitHub code scanning.

Every result has a logical location (the full resource name) and a physical one, because GitHub
rejects an upload whose results lack it: a file mapped in `[locations]`, else a relative,
percent-encoded pseudo-path `gcp/<project>/<api>/<path of the resource>` at line 1, which no
resource name can make climb out of `gcp/`. The `github`
profile holds active findings only (GitHub ignores suppressions and baseline state); `full` adds
suppressed findings, baseline states (fixed ones as `absent`) and the unreadable data as tool
execution notifications, for auditors.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any, TextIO
from urllib.parse import quote

from .. import HOMEPAGE
from ..checks.spec import CheckSpec
from ..model import Result, Severity, Status
from ..safetext import printable, scrub, unsurrogate
from . import RenderOptions, Report

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
    Severity.INFO: "note",
}
SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "2.0",
    Severity.INFO: "0.1",
}
PROBLEM_SEVERITY = {"error": "error", "warning": "warning", "note": "recommendation"}


def docs_anchor(check_id: str) -> str:
    """The GitHub anchor of a check's heading in docs/checks.md."""
    return re.sub(r"[^a-z0-9 _-]", "", check_id.lower()).replace(" ", "-")


def help_uri(check_id: str) -> str:
    """Where a check's documentation is published."""
    return f"{HOMEPAGE}/blob/main/docs/checks.md#{docs_anchor(check_id)}"


def rule(spec: CheckSpec) -> dict[str, Any]:
    """One SARIF reportingDescriptor from a check's metadata and docstring."""
    level = LEVELS[spec.severity]
    properties: dict[str, Any] = {
        "tags": [spec.area.value, *(["security"] if spec.security else []), *spec.tags]
    }
    if spec.security:
        properties["security-severity"] = SECURITY_SEVERITY[spec.severity]
    else:
        properties["problem.severity"] = PROBLEM_SEVERITY[level]
    return {
        "id": spec.id,
        "name": "".join(part.capitalize() for part in re.split(r"[.-]", spec.id)),
        "shortDescription": {"text": spec.title[:1024]},
        "fullDescription": {"text": spec.summary[:1024]},
        "help": {"text": spec.doc, "markdown": f"**{spec.title}**\n\n{spec.doc}"},
        "helpUri": help_uri(spec.id),
        "defaultConfiguration": {"level": level},
        "properties": properties,
    }


def pseudo_path(resource: str) -> str:
    """`//run.googleapis.com/projects/p/locations/l/services/s` -> `gcp/p/run/locations/l/services/s`."""
    host, _, path = resource.removeprefix("//").partition("/")
    api = host.split(".", 1)[0]
    parts = path.split("/")
    project, rest = (
        (parts[1], parts[2:]) if len(parts) >= 2 and parts[0] == "projects" else ("-", parts)
    )
    segments = ["gcp", project, api, *(rest or ["project"])]
    return "/".join(_segment(segment) for segment in segments)


def _segment(name: str) -> str:
    """One pseudo-path segment, percent-encoded; never empty and never a dot segment (`..`
    would climb out of `gcp/`, to `.github/workflows/` say), even once decoded: `_..`."""
    encoded = quote(unsurrogate(name), safe="")
    return encoded if name.strip(".") else "_" + encoded


def message(text: str) -> dict[str, str]:
    """A SARIF plain-text message: one `printable` line, `\\`, `[` and `]` escaped (SARIF
    reads `[text](id)` as an embedded link)."""
    return {"text": re.sub(r"([\\\[\]])", r"\\\1", printable(" ".join(text.split())))}


def location(report: Report, result_resource: str) -> tuple[str, int]:
    """The file and line a resource maps to: `[locations]` in the config, else its pseudo-path."""
    mapped = report.mapped_location(result_resource)
    return (mapped.path, mapped.line) if mapped else (pseudo_path(result_resource), 1)


def result_json(report: Report, result: Result, index: int, full: bool) -> dict[str, Any]:
    """One SARIF result."""
    uri, line = location(report, result.resource)
    name = result.resource.rstrip("/").rpartition("/")[2]
    item: dict[str, Any] = {
        "ruleId": result.check,
        "ruleIndex": index,
        "level": LEVELS[result.severity],
        "kind": "fail",
        "message": message(result.message),
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": uri},
                    "region": {"startLine": line},
                },
                "logicalLocations": [
                    {"fullyQualifiedName": result.resource, "name": name, "kind": "resource"}
                ],
            }
        ],
        "partialFingerprints": {
            "primaryLocationLineHash": result.fingerprint,
            "gcplint/v2": result.fingerprint,
        },
        "properties": {
            "project": result.project,
            "severity": result.severity.value,
            "resource": result.resource,
        },
    }
    if result.subject:
        item["properties"]["subject"] = result.subject
    if result.remediation:
        item["properties"]["remediation"] = result.remediation
    if full:
        if result.suppressed is not None:
            item["suppressions"] = [
                {
                    "kind": result.suppressed.kind,
                    "status": "accepted",
                    "justification": result.suppressed.reason,
                }
            ]
        if result.baseline:
            item["baselineState"] = result.baseline
    return item


NAMED_PROJECTS = 5  # a SARIF category names at most this many projects


def category(report: Report, chosen: str | None = None) -> str:
    """automationDetails.id: GitHub replaces earlier uploads of the same category, so it names
    the scope (`gcplint/acme-prod+acme-staging/`); beyond a few projects, their count and a hash
    of their IDs (`gcplint/1000-projects-3f2a9c1b7d4e/`)."""
    if chosen:
        return chosen.rstrip("/") + "/"
    ids = sorted(p.project_id for p in report.projects)
    if len(ids) > NAMED_PROJECTS:
        digest = hashlib.sha256("\n".join(ids).encode()).hexdigest()[:12]
        return f"gcplint/{len(ids)}-projects-{digest}/"
    scope = "+".join(p.project_id for p in report.projects) or "none"
    return f"gcplint/{scope}/"


def document(report: Report, options: RenderOptions) -> dict[str, Any]:
    """The SARIF log as a dict, every string `scrub`bed."""
    index = {spec.id: i for i, spec in enumerate(report.checks)}
    full = options.sarif_profile == "full"
    chosen = [
        r
        for r in report.results
        if r.status is Status.FAIL and (full or r.suppressed is None) and r.check in index
    ]
    results = [result_json(report, r, index[r.check], full) for r in chosen]
    if full and report.baseline is not None:
        for entry in report.baseline.fixed:
            if entry.check in index:
                uri, line = location(report, entry.resource)
                results.append(
                    {
                        "ruleId": entry.check,
                        "ruleIndex": index[entry.check],
                        "level": "none",
                        "kind": "pass",
                        "baselineState": "absent",
                        "message": message(
                            f"Fixed since the baseline: {entry.check} on {entry.resource}."
                        ),
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": uri},
                                    "region": {"startLine": line},
                                },
                                "logicalLocations": [
                                    {"fullyQualifiedName": entry.resource, "kind": "resource"}
                                ],
                            }
                        ],
                        "partialFingerprints": {
                            "primaryLocationLineHash": entry.fingerprint,
                            "gcplint/v2": entry.fingerprint,
                        },
                    }
                )
    invocation: dict[str, Any] = {"executionSuccessful": not report.unknown()}
    if report.notes:  # e.g. gcplint-ignore labels that did not suppress, and why
        invocation["toolConfigurationNotifications"] = [
            {"level": "note", "message": message(note)} for note in report.notes
        ]
    if full:
        invocation["toolExecutionNotifications"] = [
            {
                "level": "warning",
                "descriptor": {
                    "id": f"GCPLINT-{r.reason.value.replace('_', '-') if r.reason else 'ERROR'}"
                },
                "message": message(r.message),
                "properties": {"check": r.check, "project": r.project, "resource": r.resource},
            }
            for r in report.unknown()
        ]
    log = {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "gcplint",
                        "fullName": "gcplint production-readiness linter for Google Cloud",
                        "version": report.version,
                        "semanticVersion": report.version,
                        "informationUri": HOMEPAGE,
                        "rules": [rule(spec) for spec in report.checks],
                    }
                },
                "automationDetails": {"id": category(report, options.sarif_category)},
                "invocations": [invocation],
                "results": results,
            }
        ],
    }
    return scrub(log)


def render(report: Report, stream: TextIO, options: RenderOptions) -> None:
    """Write the SARIF log."""
    json.dump(document(report, options), stream, indent=1)
    stream.write("\n")
