"""Suppressions: accepted findings, each with a reason and an expiry, shown but not gated on.

Config entries match on check (id or glob), resource (exact full name or glob), and optionally
project and subject. An expired entry stops suppressing and is reported; an entry that matched
nothing is reported as unused. A resource label `gcplint-ignore` suppresses too: label values
cannot hold dots, so a check id is written with its dots as hyphens, and several are joined with
underscores (`gcplint-ignore: run-public-invoker_run-ingress-all`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import date

from ..config import Suppression
from ..model import Result, Status, Suppressed

LABEL = "gcplint-ignore"


def label_ids(value: str) -> set[str]:
    """The check ids a `gcplint-ignore` label value names, in its encoding (dots as hyphens)."""
    return {token for token in value.split("_") if token}


def encode(check_id: str) -> str:
    """How a check id is written in a `gcplint-ignore` label value."""
    return check_id.replace(".", "-")


def _matches(entry: Suppression, result: Result) -> bool:
    return (
        fnmatch.fnmatchcase(result.check, entry.check)
        and (
            entry.resource == result.resource
            or fnmatch.fnmatchcase(result.resource, entry.resource)
        )
        and entry.project in (None, result.project)
        and (entry.subject is None or fnmatch.fnmatchcase(result.subject or "", entry.subject))
    )


class Suppressor:
    """Applies suppressions batch by batch (a project at a time), then says which entries
    expired and which matched nothing."""

    def __init__(self, entries: Sequence[Suppression], today: date) -> None:
        self.live = [e for e in entries if e.expires >= today]
        self.expired = [e for e in entries if e.expires < today]
        self._used: set[int] = set()

    def mark(
        self, results: Sequence[Result], labels: Mapping[str, Mapping[str, str]]
    ) -> list[Result]:
        """Mark failing and unknown results that an entry or a resource label suppresses."""
        out: list[Result] = []
        for result in results:
            if result.status not in (Status.FAIL, Status.UNKNOWN):
                out.append(result)
                continue
            index = next((i for i, e in enumerate(self.live) if _matches(e, result)), None)
            if index is not None:
                self._used.add(index)
                entry = self.live[index]
                mark = Suppressed(
                    entry.reason, entry.source, entry.expires, "external", entry.owner, entry.ticket
                )
                out.append(replace(result, suppressed=mark))
            elif encode(result.check) in label_ids(labels.get(result.resource, {}).get(LABEL, "")):
                mark = Suppressed(
                    f"resource label {LABEL}",
                    f"label {LABEL} on {result.resource}",
                    None,
                    "inSource",
                )
                out.append(replace(result, suppressed=mark))
            else:
                out.append(result)
        return out

    def unused(self, evaluated: Sequence[str], projects: Sequence[str]) -> list[Suppression]:
        """Live entries for the evaluated checks and projects that suppressed nothing."""
        scanned = set(projects)
        return [
            e
            for i, e in enumerate(self.live)
            if i not in self._used
            and fnmatch.filter(evaluated, e.check)
            and (e.project is None or e.project in scanned)
        ]
