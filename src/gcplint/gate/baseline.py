"""Baselines: accepted debt that should shrink. A committed, sorted JSON file of finding
fingerprints; with `--baseline`, only new findings count towards `--fail-on`, and the report
says how many are new, unchanged and fixed. Nothing is hidden.

A fingerprint covers what a finding grants (`Result.grant`): a wider grant is a new finding. A
`gcplint-baseline/v1` file (fingerprints without the grant) is refused rather than migrated: its
entries cannot say what they accepted, so matching them would accept any escalation since."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from ..errors import GcplintError
from ..model import Result, Status
from ..output import atomic_output

SCHEMA = "gcplint-baseline/v2"
OLD_SCHEMAS = ("gcplint-baseline/v1",)
FIELDS = ("fingerprint", "check", "project", "resource", "subject", "grant", "first_seen")


class BaselineError(GcplintError):
    """The baseline file is unreadable or malformed."""


@dataclass(frozen=True)
class Entry:
    """One accepted finding."""

    fingerprint: str
    check: str
    project: str
    resource: str
    subject: str | None
    grant: str | None
    first_seen: str


@dataclass(frozen=True)
class Comparison:
    """How the findings of a scan compare with a baseline."""

    path: str
    new: int
    unchanged: int
    fixed: list[Entry]


def load(path: Path) -> list[Entry]:
    """Read and validate a baseline file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise BaselineError(f"cannot read baseline {path}: {exc.strerror or exc}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BaselineError(f"baseline {path} is not valid JSON: {exc}") from None
    if isinstance(data, dict) and data.get("schema") in OLD_SCHEMAS:
        raise BaselineError(
            f"baseline {path} is {data['schema']}, whose fingerprints leave out what a finding"
            f" grants: regenerate it with `gcplint baseline create` ({SCHEMA})"
        )
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise BaselineError(f"baseline {path}: 'schema' must be {SCHEMA!r}")
    entries = data.get("entries")
    if not isinstance(entries, list):
        raise BaselineError(f"baseline {path}: 'entries' must be a list")
    found = []
    for i, item in enumerate(entries):
        if (
            not isinstance(item, dict)
            or set(item) != set(FIELDS)
            or not isinstance(item.get("fingerprint"), str)
        ):
            raise BaselineError(
                f"baseline {path}: entries[{i}] must have exactly {', '.join(FIELDS)}"
            )
        found.append(Entry(**item))
    return found


def findings(results: Sequence[Result]) -> list[Result]:
    """The results a baseline records: failing and not suppressed."""
    return [r for r in results if r.status is Status.FAIL and r.suppressed is None]


class Marker:
    """Marks findings new or unchanged against a baseline, batch by batch."""

    def __init__(self, path: Path, entries: Sequence[Entry]) -> None:
        self.path = path
        self.entries = entries
        self._known = {e.fingerprint for e in entries}
        self._current: set[str] = set()
        self._new = 0

    def mark(self, results: Sequence[Result]) -> list[Result]:
        """The results, their findings marked."""
        found = {id(r) for r in findings(results)}
        marked = []
        for r in results:
            if id(r) in found:
                self._current.add(r.fingerprint)
                r = replace(r, baseline="unchanged" if r.fingerprint in self._known else "new")
                self._new += r.baseline == "new"
            marked.append(r)
        return marked

    def comparison(self, evaluated: Sequence[str], projects: Sequence[str]) -> Comparison:
        """The totals; entries of evaluated checks and projects that no longer fail are fixed."""
        scanned = set(projects)
        fixed = [
            e
            for e in self.entries
            if e.fingerprint not in self._current and e.check in evaluated and e.project in scanned
        ]
        return Comparison(str(self.path), self._new, len(self._current) - self._new, fixed)


def merge(
    entries: Sequence[Entry],
    results: Sequence[Result],
    now: str,
    *,
    prune: bool,
    evaluated: Sequence[str],
    projects: Sequence[str],
) -> list[Entry]:
    """The baseline after a scan: existing entries kept (first_seen preserved), new findings added;
    with `prune`, entries that no longer fail are dropped."""
    current = {r.fingerprint: r for r in findings(results)}
    kept = [
        e
        for e in entries
        if not (
            prune
            and e.fingerprint not in current
            and e.check in evaluated
            and e.project in projects
        )
    ]
    known = {e.fingerprint for e in kept}
    added = [
        Entry(fp, r.check, r.project, r.resource, r.subject, r.grant, now)
        for fp, r in current.items()
        if fp not in known
    ]
    return sorted([*kept, *added], key=lambda e: e.fingerprint)


def save(path: Path, entries: Sequence[Entry], version: str, now: str) -> None:
    """Write the baseline atomically, sorted, one entry per line for readable diffs."""
    document: dict[str, Any] = {
        "schema": SCHEMA,
        "tool": {"name": "gcplint", "version": version},
        "updated": now,
        "entries": [asdict(e) for e in sorted(entries, key=lambda e: e.fingerprint)],
    }
    with atomic_output(path) as stream:
        json.dump(document, stream, indent=1, sort_keys=False)
        stream.write("\n")
