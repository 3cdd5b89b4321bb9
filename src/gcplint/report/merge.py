"""`gcplint report merge`: shard reports (JSON) combined into one report, in any format.

Each shard already judged its projects against the whole scope (cross-project checks read the
compact index of every project in scope: metadata and the collections checks read `across`
projects), so merging is a union: projects, results, counters; suppressions that were unused
in every shard stay unused; baseline totals add up. The merged scan is gated once, by the merge's
own gate (the shards usually run with `--fail-on never`).

Each report records its shard (`--shard K/N`). A merge that lacks a shard, holds one twice, or
holds a project in two reports is incomplete (exit 3 with `--on-incomplete fail`), and says which
shard or project: it is never passed as if the scope had been judged. A shard given twice counts
once; a project in two reports is taken from the first.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from ..checks.frameworks import FRAMEWORKS
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
    kept, gaps = _shards(paths, documents)
    paths, documents = [p for p, _ in kept], [d for _, d in kept]
    scans = [d["scan"] for d in documents]
    projects: dict[str, ScannedProject] = {}
    first: dict[str, Path] = {}
    overlaps: dict[tuple[Path, Path], list[str]] = {}
    results: list[Result] = []
    for path, document in zip(paths, documents, strict=True):
        try:
            mine = {p["id"]: json_report.scanned_project(p) for p in document["scan"]["projects"]}
            for project_id in mine.keys() & projects.keys():
                overlaps.setdefault((first[project_id], path), []).append(project_id)
            for project_id, project in mine.items():
                first.setdefault(project_id, path)
                projects.setdefault(project_id, project)
            results.extend(
                found
                for r in document["results"]
                if first.get((found := json_report.result(r)).project, path) == path
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ReportError(f"{path}: malformed gcplint JSON report ({exc!r})") from None
    gaps += [
        f"{'project' if len(ids) == 1 else 'projects'} {', '.join(sorted(ids))}"
        f" {'is' if len(ids) == 1 else 'are'} in both {a} and {b} (counted once, from {a})"
        for (a, b), ids in overlaps.items()
    ]
    unused = [json_report.suppressions(d["suppressions"]["unused"]) for d in documents]
    comparison = json_report.comparison(documents)
    if baseline is not None:
        marker = Marker(*baseline)
        results = marker.mark([replace(r, baseline=None) for r in results])
        comparison = marker.comparison(check_ids, list(projects))
    total = max((t for s in scans if isinstance(t := s.get("projects_total"), int)), default=0)
    if len(projects) < total and not gaps:
        gaps.append(
            f"the reports hold {len(projects)} of the {total} projects in scope (merge the report"
            " of every task; a scope that changed between the tasks' scans does the same: scan"
            " again)"
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
        excluded_projects=tuple(
            dict.fromkeys(e for s in scans for e in s.get("excluded_projects", []))
        ),
        excluded_folders=tuple(
            dict.fromkeys(e for s in scans for e in s.get("excluded_folders", []))
        ),
        gaps=gaps,
        frameworks=tuple(
            dict.fromkeys(f for s in scans for f in s.get("frameworks", []) if f in FRAMEWORKS)
        ),
    )


def _shards(
    paths: Sequence[Path], documents: Sequence[dict[str, Any]]
) -> tuple[list[tuple[Path, dict[str, Any]]], list[str]]:
    """The reports to merge (a shard given twice counts once, from its first report), and what
    the set lacks: shards missing, shards given twice."""
    shards = [json_report.shard(p, d) for p, d in zip(paths, documents, strict=True)]
    counts = sorted({s[1] for s in shards if s is not None})
    whole = [str(p) for p, s in zip(paths, shards, strict=True) if s is None]
    if len(counts) > 1 or (counts and whole):
        splits = [f"--shard K/{n}" for n in counts] + (["no --shard"] if whole else [])
        raise ReportError(
            f"the reports are not shards of one scan ({', '.join(splits)}): merge the reports"
            " of one job's tasks"
        )
    if not counts:
        return list(zip(paths, documents, strict=True)), []
    count = counts[0]
    held: dict[int, list[Path]] = {}
    kept = []
    for path, document, found in zip(paths, documents, shards, strict=True):
        assert found is not None
        held.setdefault(found[0], []).append(path)
        if len(held[found[0]]) == 1:
            kept.append((path, document))
    missing = [k for k in range(count) if k not in held]
    gaps = []
    if missing:
        gaps.append(
            f"{'shard' if len(missing) == 1 else 'shards'} {', '.join(map(str, missing))}"
            f" of {count} (--shard {', '.join(f'{k}/{count}' for k in missing)})"
            f" {'is' if len(missing) == 1 else 'are'} missing: merge the report of every task"
        )
    gaps += [
        f"shard {k} of {count} (--shard {k}/{count}) is given {len(given)} times"
        f" ({', '.join(map(str, given))}; counted once, from {given[0]})"
        for k, given in sorted(held.items())
        if len(given) > 1
    ]
    return kept, gaps
