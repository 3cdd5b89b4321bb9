"""A finished scan, and the formats it is rendered in (one module per format).

Every format is built from the same `Report`; `render` loads the format's module only when it is
asked for, so nothing that only prints help pays for the renderers.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING, TextIO

from ..gate.verdict import EXIT_CLEAN, EXIT_INCOMPLETE, Gate, unknown
from ..model import Result, Severity, Status

if TYPE_CHECKING:
    from ..checks.spec import CheckSpec
    from ..config import Location, Suppression
    from ..environment import Environment
    from ..gate.baseline import Comparison

FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "markdown")
# ^ each is the module of this package that renders it


@dataclass(frozen=True)
class RenderOptions:
    """How a format renders: `verbose` lists passed and not-applicable results; the SARIF
    profile (github: active findings only; full: everything) and category prefix."""

    verbose: bool = False
    sarif_profile: str = "github"
    sarif_category: str | None = None
    quiet: bool = False  # text: one line per active finding, nothing else


Renderer = Callable[["Report", TextIO, RenderOptions], None]


def render(report: Report, fmt: str, stream: TextIO, options: RenderOptions) -> None:
    """Write the report in one of `FORMATS`."""
    renderer: Renderer = import_module(f"{__name__}.{fmt}").render
    renderer(report, stream, options)


@dataclass(frozen=True)
class ScannedProject:
    """A project the scan judged: its environment, or why its metadata could not be read."""

    project_id: str
    environment: Environment | None
    environment_source: str | None
    error: str | None


@dataclass
class Report:
    """Everything a format renders."""

    version: str
    identity: str
    started: datetime
    finished: datetime
    checks: list[CheckSpec]
    projects: list[ScannedProject]
    results: list[Result]
    api_calls: int = 0
    retries: int = 0
    gate: Gate = field(default_factory=Gate)
    expired: list[Suppression] = field(default_factory=list)
    unused: list[Suppression] = field(default_factory=list)
    baseline: Comparison | None = None
    locations: tuple[Location, ...] = ()
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
        return self.gate.failing(self.results)

    def unknown(self) -> list[Result]:
        """Results that could not be evaluated (and are not suppressed)."""
        return unknown(self.results)

    def stale_suppressions(self) -> list[Suppression]:
        """Expired and unused entries: they fail the run with --strict-suppressions."""
        return [*self.expired, *self.unused]

    def exit_code(self) -> int:
        """The run's exit code (see `gate.verdict`)."""
        return self.gate.exit_code(self.results, self.unknown(), self.stale_suppressions())

    def verdict(self) -> str:
        """The result in one line: `PASS …`, `FAIL …` or `INCOMPLETE …`, with the exit code."""
        code = self.exit_code()
        threshold = self.gate.fail_on.value if self.gate.fail_on else None
        if code == EXIT_CLEAN:
            unknown = " (unknown results only warned about: --on-incomplete warn)"
            what = f"nothing active at or above {threshold}" if threshold else "--fail-on never"
            return f"PASS — {what}{unknown if self.unknown() else ''} (exit 0)"
        if code == EXIT_INCOMPLETE:
            return f"INCOMPLETE — {len(self.unknown())} result(s) could not be evaluated (exit 3)"
        failing = self.failing()
        by_severity = Counter(r.severity for r in failing)
        counts = ", ".join(f"{by_severity[s]} {s.value}" for s in Severity if by_severity[s])
        parts = (
            [f"{len(failing)} active finding(s) at or above {threshold} ({counts})"]
            if failing
            else []
        )
        if self.gate.strict and self.stale_suppressions():
            parts.append(
                f"{len(self.stale_suppressions())} stale suppression(s) (--strict-suppressions)"
            )
        return f"FAIL — {', '.join(parts)} (exit 1)"

    def causes(self) -> list[str]:
        """Why the exit code is not 0, one line each."""
        lines = [
            f"{r.severity.value} {r.check} on {r.resource}"
            + (f" ({r.subject})" if r.subject else "")
            for r in self.failing()
        ]
        if self.gate.strict:
            lines += [f"expired suppression {s.source} (expired {s.expires})" for s in self.expired]
            lines += [f"unused suppression {s.source}" for s in self.unused]
        if self.exit_code() == EXIT_INCOMPLETE:
            lines += [
                f"unknown {r.check} on {r.resource} ({r.reason.value if r.reason else ''})"
                for r in self.unknown()
            ]
        return lines
