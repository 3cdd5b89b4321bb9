"""Suppressions: accepted findings, each with a reason and an expiry, shown but not gated on.

Config entries match on check (id or glob), resource (exact full name or glob), and optionally
project and subject. An expired entry stops suppressing and is reported; an entry that matched
nothing is reported as unused.

A resource label `gcplint-ignore` lives in the scanned project, so whoever can label a resource
could switch the gate off: label suppressions apply only when the config enables them
(`label-suppressions = true`), only to failing results (never to unknown ones), and only with an
expiry in the value. Label values cannot hold dots, so a check id is written with its dots as
hyphens; tokens are joined with underscores, one of them `until-YYYY-MM-DD`
(`gcplint-ignore: run-public-invoker_run-ingress-all_until-2027-03-01`). A label without a valid,
unexpired expiry (at most `suppression-max-days` ahead) does not suppress and is reported; labels
met while label suppressions are off are counted in a note.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from ..config import Suppression
from ..model import Result, Status, Suppressed

LABEL = "gcplint-ignore"
UNTIL = "until-"  # the token of a label value that holds its expiry: until-YYYY-MM-DD
BY_LABEL = "suppressed by a label in the scanned project"
EXAMPLE = f"{LABEL}=sql-public-ip_until-2027-03-01"


@dataclass(frozen=True)
class LabelValue:
    """A `gcplint-ignore` value read: the check ids it names (dots as hyphens), its expiry, or
    why it cannot suppress."""

    ids: frozenset[str]
    expires: date | None
    problem: str | None


def parse_label(value: str, today: date, max_days: int) -> LabelValue:
    """The check ids and expiry of a label value; `problem` says why it does not suppress."""
    tokens = [t for t in value.split("_") if t]
    ids = frozenset(t for t in tokens if not t.startswith(UNTIL))
    until = [t for t in tokens if t.startswith(UNTIL)]
    if len(until) != 1:
        return LabelValue(ids, None, f"it needs exactly one {UNTIL}YYYY-MM-DD expiry")
    text = until[0].removeprefix(UNTIL)
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            raise ValueError(text)
        expires = date.fromisoformat(text)
    except ValueError:
        return LabelValue(ids, None, f"{until[0]} is not a date ({UNTIL}YYYY-MM-DD)")
    if expires < today:
        return LabelValue(ids, expires, f"it expired on {expires}")
    if expires > today + timedelta(days=max_days):
        return LabelValue(
            ids, expires, f"{expires} is more than suppression-max-days ({max_days}) ahead"
        )
    return LabelValue(ids, expires, None)


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
    expired and which matched nothing, and what became of `gcplint-ignore` labels. `labels`:
    whether labels in the scanned projects may suppress (the config's `label-suppressions`)."""

    def __init__(
        self,
        entries: Sequence[Suppression],
        today: date,
        *,
        labels: bool = False,
        max_days: int = 365,
    ) -> None:
        self.live = [e for e in entries if e.expires >= today]
        self.expired = [e for e in entries if e.expires < today]
        self._used: set[int] = set()
        self._today = today
        self._labels = labels
        self._max_days = max_days
        self._ignored = 0  # findings a label named while label suppressions are off
        self._refused: dict[str, str] = {}  # resource -> why its label does not suppress

    def mark(
        self, results: Sequence[Result], labels: Mapping[str, Mapping[str, str]]
    ) -> list[Result]:
        """Mark failing and unknown results that an entry suppresses, and failing results that
        an enabled, unexpired resource label suppresses."""
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
            elif result.status is Status.FAIL and LABEL in labels.get(result.resource, {}):
                out.append(self._by_label(result, labels[result.resource][LABEL]))
            else:
                out.append(result)
        return out

    def _by_label(self, result: Result, value: str) -> Result:
        """The result, suppressed if its resource's label names its check and may suppress."""
        read = parse_label(value, self._today, self._max_days)
        if encode(result.check) not in read.ids:
            return result
        if not self._labels:
            self._ignored += 1
            return result
        if read.problem is not None:
            self._refused[result.resource] = (
                f"label {LABEL}={value} on {result.resource} does not suppress: {read.problem}"
                f" (e.g. {EXAMPLE})"
            )
            return result
        source = f"label {LABEL} on {result.resource}"
        return replace(result, suppressed=Suppressed(BY_LABEL, source, read.expires, "inSource"))

    def notes(self) -> list[str]:
        """What the report says about labels: those that did not suppress, and why."""
        notes = list(self._refused.values())
        if self._ignored:
            notes.append(
                f"{self._ignored} label suppression{'s were' if self._ignored > 1 else ' was'}"
                f" ignored: {LABEL} labels in the scanned project suppress nothing unless the"
                " config enables them (label-suppressions = true)"
            )
        return notes

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
