"""`gcplint report merge`: shard reports (JSON) combined into one report, in any format.

Each shard already judged its projects against the whole scope (cross-project checks read the
compact index of every project in scope: metadata and the collections checks read `across`
projects), so merging is a union: projects, results, counters; suppressions that were unused
in every shard stay unused; baseline totals add up.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .baseline import Comparison, Entry
from .config import Suppression
from .environment import Environment
from .model import Reason, Result, Severity, Status, Suppressed
from .report import ProjectScope, Report
from .reporters.json_report import SCHEMA
from .spec import CheckSpec

# what a shard report's `scan` header must hold to be merged
SCAN_KEYS = ("checks", "projects", "identity", "started", "finished", "fail_on", "on_incomplete")


class MergeError(Exception):
    """A report that cannot be merged (exit 2)."""


def merge(paths: Sequence[Path], specs: Sequence[CheckSpec]) -> Report:
    """One Report from shard reports; `specs` are the loaded checks (for rule metadata)."""
    documents = [_load(p) for p in paths]
    by_id = {s.id: s for s in specs}
    check_ids = list(dict.fromkeys(c for d in documents for c in d["scan"]["checks"]))
    missing = [c for c in check_ids if c not in by_id]
    if missing:
        raise MergeError(
            f"check(s) {', '.join(missing)} of the reports are not installed here"
            " (pass the same --checks-dir as the scans)"
        )
    scans = [d["scan"] for d in documents]
    for key in ("checks", "fail_on", "on_incomplete"):
        differ = [str(p) for p, s in zip(paths, scans, strict=True) if s[key] != scans[0][key]]
        if differ:
            raise MergeError(
                f"{', '.join(differ)}: {key} differs from {paths[0]}'s; shards of one scan share"
                " the same checks and gating"
            )
    projects: dict[str, ProjectScope] = {}
    results: list[Result] = []
    for path, document in zip(paths, documents, strict=True):
        try:
            for p in document["scan"]["projects"]:
                if p["id"] in projects:
                    raise MergeError(f"{path}: project {p['id']} is in two of the reports")
                projects[p["id"]] = _scope(p)
            results.extend(_result(r) for r in document["results"])
        except (KeyError, TypeError, ValueError) as exc:
            raise MergeError(f"{path}: malformed gcplint JSON report ({exc!r})") from None
    unused = [_entries(s) for s in (d["suppressions"]["unused"] for d in documents)]
    first = scans[0]
    totals = {s.get("projects_total") for s in scans}
    return Report(
        version=documents[0]["tool"]["version"],
        identity=", ".join(dict.fromkeys(s["identity"] for s in scans)),
        started=min(datetime.fromisoformat(s["started"]) for s in scans),
        finished=max(datetime.fromisoformat(s["finished"]) for s in scans),
        checks=[by_id[c] for c in check_ids],
        projects=list(projects.values()),
        results=results,
        api_calls=sum(int(s["api_calls"]) for s in scans),
        retries=sum(int(s["retries"]) for s in scans),
        fail_on=None if first["fail_on"] == "never" else Severity(first["fail_on"]),
        on_incomplete=first["on_incomplete"],
        expired=_entries(documents[0]["suppressions"]["expired"]),
        unused=[e for e in unused[0] if all(e in other for other in unused[1:])],
        baseline=_baseline(documents),
        scope=f"merged from {len(paths)} reports",
        notes=list(dict.fromkeys(n for s in scans for n in s.get("notes", []))),
        total=max((t for t in totals if isinstance(t, int)), default=len(projects)),
    )


def _load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MergeError(f"cannot read {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MergeError(f"{path}: not a JSON report: {exc}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise MergeError(f"{path}: not a gcplint JSON report ({SCHEMA}); use --format json")
    if document.get("record") == "summary":
        raise MergeError(f"{path}: a jsonl summary line, not a JSON report; use --format json")
    scan, suppressions = document.get("scan"), document.get("suppressions")
    if (
        not isinstance(scan, dict)
        or not isinstance(suppressions, dict)
        or any(key not in scan for key in SCAN_KEYS)
        or "results" not in document
        or "unused" not in suppressions
    ):
        raise MergeError(f"{path}: incomplete gcplint JSON report")
    return document


def _scope(p: dict[str, Any]) -> ProjectScope:
    env = p.get("environment")
    return ProjectScope(
        p["id"], Environment(env) if env else None, p.get("environment_source"), p.get("error")
    )


def _result(r: dict[str, Any]) -> Result:
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
    )


def _entries(items: list[dict[str, Any]]) -> list[Suppression]:
    return [
        Suppression(
            e["check"], e["resource"], e["reason"], date.fromisoformat(e["expires"]), e["source"]
        )
        for e in items
    ]


def _baseline(documents: Sequence[dict[str, Any]]) -> Comparison | None:
    parts = [d["baseline"] for d in documents if d.get("baseline")]
    if not parts:
        return None
    return Comparison(
        parts[0]["path"],
        sum(p["new"] for p in parts),
        sum(p["unchanged"] for p in parts),
        [Entry(**e) for p in parts for e in p["fixed"]],
    )
