"""A finished scan, and the formats it is rendered in (one module per format).

Every format is built from the same `Report`; `render` loads the format's module only when it is
asked for, so nothing that only prints help pays for the renderers.
"""

from __future__ import annotations

import fnmatch
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from importlib import import_module
from typing import TYPE_CHECKING, TextIO

from ..gate.verdict import EXIT_CLEAN, EXIT_INCOMPLETE, Gate, by_label, unknown
from ..model import ApiUse, Area, Result, Severity, Status

if TYPE_CHECKING:
    from ..checks.spec import CheckSpec
    from ..config import Location, Suppression
    from ..environment import Environment
    from ..gate.baseline import Comparison

FORMATS = ("text", "json", "jsonl", "sarif", "junit", "github", "markdown", "csv", "html")
# ^ each is the module of this package that renders it
DIFF_FORMATS = ("text", "json", "markdown", "html")  # `report diff --format` (rendered by diff)


@dataclass(frozen=True)
class RenderOptions:
    """How a format renders: `verbose` lists passed and not-applicable results; the SARIF
    profile (github: active findings only; full: everything) and category prefix."""

    verbose: bool = False
    sarif_profile: str = "github"
    sarif_category: str | None = None
    quiet: bool = False  # text: one line per active finding, nothing else


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """`1 finding`, `2 findings` (or the irregular plural given)."""
    return f"{count} {noun if count == 1 else nouns or noun + 's'}"


def by_severity(results: Sequence[Result]) -> str:
    """`9 critical, 21 high, 1 info`: the results per severity, most severe first, zeros left out."""
    counts = Counter(r.severity for r in results)
    return ", ".join(f"{counts[s]} {s.value}" for s in Severity if counts[s])


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
    config: str | None = None  # the config file loaded (None: none, the defaults)
    min_severity: Severity | None = None  # --severity: results below it were left out
    scope: str = ""  # the scope in words when enumerated or sharded ("" for named projects)
    total: int = 0  # projects in the whole scope (before sharding)
    counts: dict[str, int] | None = None  # per status, when `results` holds only what gates
    shard: tuple[int, int] | None = None  # (K, N) of `--shard K/N`; None: the whole scope
    excluded_projects: tuple[str, ...] = ()  # `--exclude-project` globs
    excluded_folders: tuple[str, ...] = ()  # `--exclude-folder`s (folders/N, whole subtrees)
    gaps: list[str] = field(default_factory=list)  # what a merge lacks: incomplete (exit 3)
    api_use: tuple[ApiUse, ...] = ()  # per API: calls, 429s, rate (live scans; --verbose)
    frameworks: tuple[str, ...] = ()  # `--framework`: only checks mapped to these were run

    @property
    def scanned(self) -> int:
        """Projects whose data could be read."""
        return sum(1 for p in self.projects if p.error is None)

    def mapped_location(self, resource: str) -> Location | None:
        """The repository file a `[locations]` entry maps this resource to, if any."""
        return next((m for m in self.locations if fnmatch.fnmatchcase(resource, m.pattern)), None)

    def summary(self) -> dict[str, int]:
        """Result counts per status, every status present (suppressed results included: they
        are counted apart by `suppressed`)."""
        if self.counts is not None:
            return dict(self.counts)
        counts = Counter(r.status for r in self.results)
        return {s.value: counts.get(s, 0) for s in Status}

    def ordered(self, results: Sequence[Result]) -> list[Result]:
        """`results` in the order to fix them: severity (critical first), then checklist
        area, check, project (in scan order), resource and subject."""
        areas = {c.id: list(Area).index(c.area) for c in self.checks}
        projects = {p.project_id: i for i, p in enumerate(self.projects)}
        return sorted(
            results,
            key=lambda r: (
                -r.severity.rank,
                areas.get(r.check, len(Area)),
                r.check,
                projects.get(r.project, len(projects)),
                r.resource,
                r.subject or "",
            ),
        )

    def active(self) -> list[Result]:
        """Active findings, most severe first: failing, not suppressed, not already in the
        baseline. Every format counts these as its "active findings"."""
        return self.ordered([r for r in self.results if r.is_finding and r.active])

    def in_baseline(self) -> list[Result]:
        """Findings already in the baseline (shown, not gated on, not active)."""
        return self.ordered(
            [r for r in self.results if r.is_finding and r.suppressed is None and not r.active]
        )

    def suppressed(self) -> list[Result]:
        """Suppressed results (shown, not gated on), most severe first."""
        return self.ordered([r for r in self.results if r.suppressed is not None])

    def failing(self) -> list[Result]:
        """Active findings at or above the --fail-on threshold, most severe first: what fails
        the run."""
        return self.ordered(self.gate.failing(self.results))

    def unknown(self) -> list[Result]:
        """Results that could not be evaluated (and are not suppressed)."""
        return unknown(self.results)

    def stale_suppressions(self) -> list[Suppression]:
        """Expired and unused entries: they fail the run with --strict-suppressions."""
        return [*self.expired, *self.unused]

    def exit_code(self) -> int:
        """The run's exit code (see `gate.verdict`)."""
        return self.gate.exit_code(
            self.results, self.unknown(), self.stale_suppressions(), self.gaps
        )

    def verdict(self) -> str:
        """The result in one line: `PASS …`, `FAIL …` or `INCOMPLETE …`, with the exit code."""
        code = self.exit_code()
        threshold = self.gate.fail_on
        active = len(self.active())
        if code == EXIT_CLEAN:
            if threshold is None:
                what = "--fail-on never: no finding fails the run"
                what += f" ({plural(active, 'active finding')})" if active else ""
            else:
                what = f"nothing active at or above {threshold.value}"
                what += f" ({plural(active, 'active finding')} below it)" if active else ""
            if self.incomplete():
                what += f"; {self.incomplete()} (only warned about: --on-incomplete warn)"
            return f"PASS — {what} (exit 0)"
        if code == EXIT_INCOMPLETE:
            return f"INCOMPLETE — {self.incomplete()} (exit 3)"
        failing = self.failing()
        parts = []
        if failing and threshold is not None:
            counted = (
                f"{len(failing)} of {active} active findings"
                if len(failing) < active
                else plural(len(failing), "active finding")
            )
            parts.append(f"{counted} at or above {threshold.value} ({by_severity(failing)})")
        if self.gate.strict and self.stale_suppressions():
            stale = plural(len(self.stale_suppressions()), "stale suppression")
            parts.append(f"{stale} (--strict-suppressions)")
        if self.gate.strict and by_label(self.results):
            labelled = plural(len(by_label(self.results)), "label suppression")
            parts.append(f"{labelled} (--strict-suppressions refuses labels in the project)")
        if self.gaps:
            parts.append(f"also incomplete: {'; '.join(self.gaps)}")
        return f"FAIL — {', '.join(parts)} (exit 1)"

    def incomplete(self) -> str:
        """What the scan lacks, in one line ("" when complete): the gaps of a merge, then how
        many results could not be evaluated."""
        unknown = self.unknown()
        evaluated = [f"{plural(len(unknown), 'result')} could not be evaluated"] if unknown else []
        return "; ".join([*self.gaps, *evaluated])

    def causes(self) -> list[str]:
        """Why the exit code is not 0, one line each: failing findings most severe first, then
        stale suppressions (with --strict-suppressions), then unknown results (exit 3)."""
        lines = [
            f"{r.severity.value} {r.check} on {r.resource}"
            + (f" ({r.subject})" if r.subject else "")
            for r in self.failing()
        ]
        if self.gate.strict:
            lines += [f"expired suppression {s.source} (expired {s.expires})" for s in self.expired]
            lines += [f"unused suppression {s.source}" for s in self.unused]
            lines += [
                f"{r.check} on {r.resource} suppressed by a label in the scanned project"
                " (--strict-suppressions accepts only the config file's suppressions)"
                for r in by_label(self.results)
            ]
        if self.exit_code() == EXIT_INCOMPLETE:
            lines += self.gaps
            lines += [
                f"unknown {r.check} on {r.resource}" + (f" ({r.reason.value})" if r.reason else "")
                for r in self.unknown()
            ]
        return lines
