"""`gcplint report merge`: shard reports (JSON) combined into one report, in any format.

Each shard already judged its projects against the whole scope (cross-project checks read the
compact index of every project in scope: metadata and the collections checks read `across`
projects), so merging is a union: projects, results, counters; suppressions that were unused
in every shard stay unused; baseline totals add up. The merged scan is gated once, by the merge's
own gate (the shards usually run with `--fail-on never`), and a merge that lacks a shard's
projects is refused rather than passed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from ..checks.spec import CheckSpec
from ..gate.baseline import Entry, Marker
from ..gate.verdict import Gate
from ..model import Result
from . import Report, ScannedProject
from . import json as json_report
from .json import ReportError


def merge(
    paths: Sequence[Path],
    specs: Sequence[CheckSpec],
    gate: Gate,
    baseline: tuple[Path, Sequence[Entry]] | None = None,
) -> Report:
    """One Report from shard reports, judged by `gate` (the merge's own flags and config, never
    the shards', which are usually scanned with `--fail-on never`); `specs` are the loaded checks
    (for rule metadata); `baseline` re-marks the merged findings against a baseline file."""
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
    differ = [
        str(p) for p, s in zip(paths, scans, strict=True) if s["checks"] != scans[0]["checks"]
    ]
    if differ:
        raise ReportError(
            f"{', '.join(differ)}: checks differ from {paths[0]}'s; shards of one scan run the"
            " same checks"
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
    comparison = json_report.comparison(documents)
    if baseline is not None:
        marker = Marker(*baseline)
        results = marker.mark([replace(r, baseline=None) for r in results])
        comparison = marker.comparison(check_ids, list(projects))
    total = max((t for s in scans if isinstance(t := s.get("projects_total"), int)), default=0)
    if len(projects) < total:
        raise ReportError(
            f"the reports hold {len(projects)} of the {total} projects in scope: a shard's report"
            " is missing (merge the report of every task; a scope that changed between the"
            " tasks' scans does the same: scan again)"
        )
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
        gate=gate,
        expired=json_report.suppressions(documents[0]["suppressions"]["expired"]),
        unused=[e for e in unused[0] if all(e in other for other in unused[1:])],
        baseline=comparison,
        scope=f"merged from {len(paths)} reports",
        notes=list(dict.fromkeys(n for s in scans for n in s.get("notes", []))),
        total=max(total, len(projects)),
    )
