"""The exit-code contract: which results fail a run, and why.

`0` clean · `1` an active finding at or above `fail_on` (or, with `strict`, an expired or unused
suppression, or a result suppressed by a label in the scanned project) · `2` usage, config, baseline or credential error, or a crash (raised before any
verdict) · `3` incomplete: some results unknown, or (for a merge) a shard's report missing or given
twice, with `on_incomplete="fail"`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..model import Result, Severity, Status

if TYPE_CHECKING:
    from ..config import Suppression

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INCOMPLETE = 3


@dataclass(frozen=True)
class Gate:
    """How the results of a scan decide its exit code."""

    fail_on: Severity | None = Severity.LOW  # None: never fail on findings
    on_incomplete: str = "fail"  # "fail" (exit 3) or "warn" (exit 0) on unknown results
    strict: bool = False  # stale (expired or unused) suppressions and label suppressions fail

    def failing(self, results: Sequence[Result]) -> list[Result]:
        """Active findings at or above the threshold: what fails the run."""
        threshold = self.fail_on
        if threshold is None:
            return []
        return [r for r in results if r.is_finding and r.active and r.severity.at_least(threshold)]

    def exit_code(
        self,
        results: Sequence[Result],
        unknown: Sequence[Result],
        stale: Sequence[Suppression],
        gaps: Sequence[str] = (),
    ) -> int:
        """The exit code for these results, unknown results, stale suppressions and gaps (what
        a merged scan lacks: a shard missing or given twice)."""
        if self.failing(results) or (self.strict and (stale or by_label(results))):
            return EXIT_FINDINGS
        if (unknown or gaps) and self.on_incomplete == "fail":
            return EXIT_INCOMPLETE
        return EXIT_CLEAN


def by_label(results: Sequence[Result]) -> list[Result]:
    """Results suppressed by a label in the scanned project (refused by `strict`: whoever can
    label a resource in the project could switch the gate off)."""
    return [r for r in results if r.suppressed is not None and r.suppressed.kind == "inSource"]


def unknown(results: Sequence[Result]) -> list[Result]:
    """Results that could not be evaluated (and are not suppressed)."""
    return [r for r in results if r.status is Status.UNKNOWN and r.suppressed is None]
