"""`gcplint report merge`: shard reports (JSON) combined into one report, in any format.

Each shard already judged its projects against the whole scope (cross-project checks read the
compact index of every project in scope: metadata and the collections checks read `across`
projects), so merging is a union: projects, results, counters; suppressions that were unused
in every shard stay unused; baseline totals add up.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from ..checks.spec import CheckSpec
from ..gate.verdict import Gate
from ..model import Result, Severity
from . import Report, ScannedProject
from . import json as json_report
from .json import ReportError


def merge(paths: Sequence[Path], specs: Sequence[CheckSpec]) -> Report:
    """One Report from shard reports; `specs` are the loaded checks (for rule metadata)."""
    documents = [json_report.load(p) for p in paths]
    by_id = {s.id: s for s in specs}
    check_ids = list(dict.fromkeys(c for d in documents for c in d["scan"]["checks"]))
    missing = [c for c in check_ids if c not in by_id]
    if missing:
        raise ReportError(
            f"{'check' if len(missing) == 1 else 'checks'} {', '.join(missing)} of the reports"
            f" {'is' if len(missing) == 1 else 'are'} not installed here"
            " (pass the same --checks-dir as the scans)"
        )
    scans = [d["scan"] for d in documents]
    for key in ("checks", "fail_on", "on_incomplete"):
        differ = [str(p) for p, s in zip(paths, scans, strict=True) if s[key] != scans[0][key]]
        if differ:
            raise ReportError(
                f"{', '.join(differ)}: {key} differs from {paths[0]}'s; shards of one scan share"
                " the same checks and gating"
            )
    projects: dict[str, ScannedProject] = {}
    results: list[Result] = []
    for path, document in zip(paths, documents, strict=True):
        try:
            for p in document["scan"]["projects"]:
                if p["id"] in projects:
                    raise ReportError(f"{path}: project {p['id']} is in two of the reports")
                projects[p["id"]] = json_report.scanned_project(p)
            results.extend(json_report.result(r) for r in document["results"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportError(f"{path}: malformed gcplint JSON report ({exc!r})") from None
    unused = [json_report.suppressions(d["suppressions"]["unused"]) for d in documents]
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
        gate=Gate(
            None if first["fail_on"] == "never" else Severity(first["fail_on"]),
            first["on_incomplete"],
        ),
        expired=json_report.suppressions(documents[0]["suppressions"]["expired"]),
        unused=[e for e in unused[0] if all(e in other for other in unused[1:])],
        baseline=json_report.comparison(documents),
        scope=f"merged from {len(paths)} reports",
        notes=list(dict.fromkeys(n for s in scans for n in s.get("notes", []))),
        total=max((t for t in totals if isinstance(t, int)), default=len(projects)),
    )
