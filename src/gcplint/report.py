"""A finished scan: what was scanned, by whom, the results; and the exit-code contract."""

from __future__ import annotations

import fnmatch
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from .baseline import Comparison
from .config import Location, Suppression
from .environment import Environment
from .model import Result, Severity, Status
from .spec import CheckSpec

EXIT_CLEAN = 0
EXIT_FINDINGS = 1
EXIT_ERROR = 2
EXIT_INCOMPLETE = 3


@dataclass(frozen=True)
class ProjectScope:
    """A project in scope: its environment, or why its metadata could not be read."""

    project_id: str
    environment: Environment | None
    environment_source: str | None
    error: str | None


@dataclass
class Report:
    """Everything a reporter renders."""

    version: str
    identity: str
    started: datetime
    finished: datetime
    checks: list[CheckSpec]
    projects: list[ProjectScope]
    results: list[Result]
    api_calls: int = 0
    retries: int = 0
    fail_on: Severity | None = Severity.LOW  # None: never fail on findings
    on_incomplete: str = "fail"
    strict_suppressions: bool = False
    expired: list[Suppression] = field(default_factory=list)
    unused: list[Suppression] = field(default_factory=list)
    baseline: Comparison | None = None
    locations: tuple[Location, ...] = ()
    sarif_profile: str = "github"
    sarif_category: str | None = None
    notes: list[str] = field(default_factory=list)
    scope: str = ""  # the scope in words when enumerated or sharded ("" for named projects)
    total: int = 0  # projects in the whole scope (before sharding)
    counts: dict[str, int] | None = None  # per status, when `results` holds only what gates

    @property
    def scanned(self) -> int:
        """Projects whose data could be read."""
        return sum(1 for p in self.projects if p.error is None)

    def mapped_location(self, resource: str) -> Location | None:
        """The repository file a `[locations]` entry maps this resource to, if any."""
        return next((m for m in self.locations if fnmatch.fnmatchcase(resource, m.pattern)), None)

    def summary(self) -> dict[str, int]:
        """Result counts per status, every status present."""
        if self.counts is not None:
            return dict(self.counts)
        counts = Counter(r.status for r in self.results)
        return {s.value: counts.get(s, 0) for s in Status}

    def failing(self) -> list[Result]:
        """Active findings at or above the --fail-on threshold: what fails the run."""
        if self.fail_on is None:
            return []
        threshold = self.fail_on
        return [
            r for r in self.results if r.is_finding and r.active and r.severity.at_least(threshold)
        ]

    def unknown(self) -> list[Result]:
        """Results that could not be evaluated (and are not suppressed)."""
        return [r for r in self.results if r.status is Status.UNKNOWN and r.suppressed is None]

    def stale_suppressions(self) -> list[Suppression]:
        """Expired and unused entries: they fail the run with --strict-suppressions."""
        return [*self.expired, *self.unused]

    def exit_code(self) -> int:
        """0 clean; 1 findings at or above the threshold (or stale suppressions when strict);
        3 incomplete (unknown results) unless --on-incomplete warn."""
        if self.failing() or (self.strict_suppressions and self.stale_suppressions()):
            return EXIT_FINDINGS
        if self.unknown() and self.on_incomplete == "fail":
            return EXIT_INCOMPLETE
        return EXIT_CLEAN

    def causes(self) -> list[str]:
        """Why the exit code is not 0, one line each."""
        lines = [
            f"{r.severity.value} {r.check} on {r.resource}"
            + (f" ({r.subject})" if r.subject else "")
            for r in self.failing()
        ]
        if self.strict_suppressions:
            lines += [f"expired suppression {s.source} (expired {s.expires})" for s in self.expired]
            lines += [f"unused suppression {s.source}" for s in self.unused]
        if self.exit_code() == EXIT_INCOMPLETE:
            lines += [
                f"unknown {r.check} on {r.resource} ({r.reason.value if r.reason else ''})"
                for r in self.unknown()
            ]
        return lines
