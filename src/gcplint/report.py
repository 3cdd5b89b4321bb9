"""A finished scan: what was scanned, by whom, and the results; plus the exit-code contract."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

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
    fail_on: Severity = Severity.LOW
    notes: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        """Result counts per status, every status present."""
        counts = Counter(r.status for r in self.results)
        return {s.value: counts.get(s, 0) for s in Status}

    def failing(self) -> list[Result]:
        """Findings at or above the --fail-on threshold."""
        return [r for r in self.results if r.is_finding and r.severity.at_least(self.fail_on)]

    def exit_code(self) -> int:
        """0 clean; 1 a finding at or above the threshold; 3 incomplete (unknown results)."""
        if self.failing():
            return EXIT_FINDINGS
        if any(r.status is Status.UNKNOWN for r in self.results):
            return EXIT_INCOMPLETE
        return EXIT_CLEAN
