"""The application: one path from a request to a report, whoever asks (the CLI, a Cloud Run Job
task, a test).

    report = app.scan(ScanRequest(projects=("acme-prod",)))

`scan` selects the checks (config file and flags), resolves the scope, opens a session (the
APIs, the demo world or a snapshot), runs the checks project by project, applies suppressions
and the baseline as each project is done, and returns the `Report` every format is rendered
from. `collect` and `doctor` share the same first steps.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .checks.frameworks import evidences, parse_frameworks
from .checks.plugins import load_checks, select
from .checks.runner import gather, stream
from .checks.spec import CheckSpec
from .collect import connect
from .collect.apis import DEFAULT_RATES
from .collect.ratelimit import parse_rate
from .collect.snapshot import document as snapshot_document
from .collect.snapshot import load as load_snapshot
from .collect.snapshot import save as save_snapshot
from .config import Config, validate_checks
from .config import load as load_config
from .doctor import Target, diagnose
from .errors import UsageError
from .gate.baseline import Marker
from .gate.baseline import load as load_baseline
from .gate.suppress import Suppressor
from .gate.verdict import Gate
from .model import Area, Result, Severity, Status
from .progress import Progress
from .report import Report, ScannedProject, plural
from .safetext import printable
from .scope import GLOB, Scope, Shard, confirm_named, resolve, selector
from .world import Snapshot

if TYPE_CHECKING:
    from .report.diff import Diff

log = logging.getLogger(__name__)

NEEDED = (Status.FAIL, Status.UNKNOWN)  # what the exit code and its causes are made of
Sink = Callable[[Sequence[Result]], None]
Warn = Callable[[str], None]


def _stderr(message: str) -> None:
    print(f"gcplint: warning: {printable(message)}", file=sys.stderr)


@dataclass(frozen=True)
class ScanRequest:
    """Everything a scan is asked to do, as the command line says it (flag by flag)."""

    # scope
    projects: tuple[str, ...] = ()
    organization: str | None = None
    folder: str | None = None
    excluded: tuple[str, ...] = ()
    excluded_folders: tuple[str, ...] = ()  # `123` or `folders/123`: the whole subtree
    labels: tuple[str, ...] = ()
    shard: str | None = None  # "K/N"; default from CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT
    # where reads come from
    demo: bool = False
    api_base: str | None = None
    impersonate: str | None = None
    quota_project: str | None = None
    snapshot: Path | None = None
    timeout: float = 30.0
    rate_limits: tuple[str, ...] = ()  # "LABEL=RPS"
    workers: int | None = None  # --max-concurrency: calls in flight per API, at most
    # which checks, configured how
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    frameworks: tuple[str, ...] = ()  # `--framework`: only checks mapped to one of these
    min_severity: str | None = None  # report only results at least this severe
    checks_dirs: tuple[Path, ...] = ()
    config: Path | None = None
    # gating
    fail_on: str | None = None  # a severity or "never"; default: config, else "low"
    on_incomplete: str | None = None  # "fail" or "warn"; default: config
    baseline: Path | None = None
    strict_suppressions: bool = False
    progress: bool = False


@dataclass(frozen=True)
class Selected:
    """The checks to run, the config, and the snapshot to replay (if any)."""

    checks: list[CheckSpec]
    config: Config
    snapshot: tuple[Path, Snapshot, dict[tuple[str, str], Any]] | None


def select_checks(request: ScanRequest, warn: Warn = _stderr) -> Selected:
    """The checks to run and the config, validated together. `--check` replaces the config's
    `select`; `--skip` adds to its `skip`. A checklist area name selects all its checks. With
    no selection, a snapshot's scan runs the checks it was collected for."""
    loaded_snapshot = _snapshot(request)
    config = load_config(request.config)
    loaded = load_checks(request.checks_dirs)
    areas = [a.value for a in Area]
    ids = [c.spec.id for c in loaded]
    validate_checks(config, {c.spec.id: c.spec.options for c in loaded}, ids, areas)

    def expand(patterns: Sequence[str]) -> list[str]:
        return [c.spec.id for c in loaded if c.spec.area.value in patterns] + [
            p for p in patterns if p not in areas
        ]

    include = expand(request.include or config.select)
    exclude = expand([*config.skip, *request.exclude])
    specs = [c.spec for c in select(loaded, include, exclude)]
    if request.frameworks:
        frameworks = parse_frameworks(request.frameworks)
        specs = [s for s in specs if evidences(s, frameworks)]
        if not specs:
            raise UsageError(
                f"no selected check is mapped to {', '.join(frameworks)} (see 'gcplint checks list')"
            )
    if loaded_snapshot is not None and not include:
        collected = loaded_snapshot[1].checks
        left_out = [s.id for s in specs if s.id not in collected]
        if left_out:
            warn(
                f"{plural(len(left_out), 'check')} not collected in this snapshot"
                f" {'is' if len(left_out) == 1 else 'are'} not run"
                f" (name them with --check to see them as unknown): {', '.join(left_out)}"
            )
        specs = [s for s in specs if s.id in collected]
    return Selected(specs, config, loaded_snapshot)


def _snapshot(request: ScanRequest) -> tuple[Path, Snapshot, dict[tuple[str, str], Any]] | None:
    """The snapshot `--snapshot` names, checked against the other flags."""
    if request.snapshot is None:
        return None
    live = {
        "--demo": request.demo,
        "--api-base/GCPLINT_API_BASE": request.api_base,
        "--impersonate-service-account": request.impersonate,
        "--quota-project": request.quota_project,
        "--organization": request.organization,
        "--folder": request.folder,
        "--exclude-folder": request.excluded_folders,
        "--label": request.labels,
    }
    clash = [flag for flag, value in live.items() if value]
    if clash:
        raise UsageError(f"--snapshot scans stored data offline; drop {', '.join(clash)}")
    about, recorded = load_snapshot(request.snapshot)
    return request.snapshot, about, recorded


@dataclass(frozen=True)
class Opened:
    """A connection and the scope of this run."""

    connection: connect.Connection
    scope: Scope


def _rates(
    request: ScanRequest, google: bool, config: Config | None
) -> tuple[dict[str, float], dict[str, float]]:
    """The rates each API starts at and the ceilings it never exceeds. Ceilings are
    `--rate-limit`, over the config file's `[rate-limits]` (0: no limit at all); calling Google,
    an API without one starts at its default rate, below Google's default quota (an emulator has
    no quota to protect: it starts unlimited). Every rate then adapts to what the API answers."""
    try:
        overrides = dict(parse_rate(text, zero=True) for text in request.rate_limits)
    except ValueError as exc:
        raise UsageError(
            f"--rate-limit {str(exc)!r}: expected API=REQUESTS_PER_SECOND, e.g. run=10"
        ) from None
    given = {**(config.rate_limits if config else {}), **overrides}
    start = {
        label: rate
        for label, rate in (DEFAULT_RATES if google else {}).items()
        if label not in given
    }
    return start, {label: rate for label, rate in given.items() if rate > 0}


@contextmanager
def opened(request: ScanRequest, selected: Selected | None = None) -> Iterator[Opened]:
    """Validate the scope flags, then open a session over a snapshot, the demo emulator or the
    APIs, and resolve the scope through it."""
    scope_flags = selector(
        request.projects,
        request.organization,
        request.folder,
        request.excluded,
        request.labels,
        request.excluded_folders,
    )
    shard = Shard.parse(request.shard) if request.shard else Shard.from_env(os.environ)
    snapshot = selected.snapshot if selected else None
    if snapshot is not None:
        path, about, recorded = snapshot
        outside = [p for p in request.projects if not GLOB.search(p) and p not in about.projects]
        if outside:
            raise UsageError(
                f"{'project' if len(outside) == 1 else 'projects'} {', '.join(outside)}"
                f" not in snapshot {path}"
                f" (it holds {', '.join(about.projects)})"
            )
        identity = f"snapshot {path}, collected {about.created} as {about.identity}"
        with connect.replay(recorded, identity) as connection:
            yield Opened(
                connection, resolve(scope_flags, shard, connection.session, about.projects)
            )
        return
    _rates(request, google=False, config=None)  # flags are checked before anything else
    if request.demo and request.api_base:
        raise UsageError("--demo starts its own emulator; it cannot be combined with --api-base")
    if not (scope_flags.projects or scope_flags.enumerates or request.demo):
        raise UsageError(
            "no project in scope: pass --project ID (repeatable), --organization ID,"
            " --folder ID, or --demo"
        )
    config = selected.config if selected else None
    given = nullcontext((request.api_base, None))
    with connect.demo() if request.demo else given as (api_base, available):
        if api_base:
            api_base = connect.check_api_base(api_base)
        settings = connect.ClientSettings(
            api_base, request.impersonate, request.quota_project, request.timeout
        )
        start, ceilings = _rates(request, google=not api_base, config=config)
        with connect.live(settings, start, ceilings, request.workers) as connection:
            with timed("resolving the scope"):
                scope = resolve(scope_flags, shard, connection.session, available)
                connection.session.scope_size = len(scope.projects)
                if scope_flags.projects and not scope_flags.enumerates:  # named, not searched
                    confirm_named(connection.session, scope.projects, connection.identity)
            yield Opened(connection, scope)


@contextmanager
def timed(phase: str) -> Iterator[None]:
    """Log how long a phase of the run took (with --debug)."""
    started = time.perf_counter()
    yield
    log.debug("timing: %s took %d ms", phase, (time.perf_counter() - started) * 1000)


def gate_of(fail_on: str | None, on_incomplete: str | None, strict: bool, config: Config) -> Gate:
    """The gate from the flags, else the config file, else the defaults (fail on low)."""
    chosen = fail_on or (
        ("never" if config.fail_on is None else config.fail_on.value)
        if config.fail_on_set
        else "low"
    )
    return Gate(
        None if chosen == "never" else Severity(chosen),
        on_incomplete or config.on_incomplete,
        strict,
    )


def scan(
    request: ScanRequest, *, sink: Sink | None = None, lean: bool = False, warn: Warn = _stderr
) -> Report:
    """Scan project by project, applying suppressions and the baseline as each one is done: the
    Report every format is built from. `sink` receives each project's results as soon as they
    are final (streaming output); `lean` keeps only what the exit code needs of results (findings
    and unknowns) and counts the rest, so memory stays flat on huge scopes."""
    selected = select_checks(request, warn)
    specs, config = selected.checks, selected.config
    entries = load_baseline(request.baseline) if request.baseline else None
    gate = gate_of(request.fail_on, request.on_incomplete, request.strict_suppressions, config)
    evaluated = [s.id for s in specs]
    floor = Severity(request.min_severity) if request.min_severity else None
    started = datetime.now(UTC)
    suppressor = Suppressor(
        config.suppressions,
        started.date(),
        labels=config.label_suppressions,
        max_days=config.suppression_max_days,
    )
    marker = Marker(request.baseline, entries) if entries is not None and request.baseline else None
    projects: list[ScannedProject] = []
    results: list[Result] = []
    counts: Counter[Status] = Counter()
    with opened(request, selected) as run_:
        for note in run_.scope.notes:
            warn(note)
        session = run_.connection.session
        with (
            timed(f"reading and judging {len(run_.scope.projects)} project(s)"),
            Progress(
                len(run_.scope.projects),
                lambda: (session.calls, session.retries),
                enabled=request.progress,
            ) as progress,
        ):
            for judged in stream(
                specs,
                run_.scope.projects,
                session,
                config=config,
                now=started,
                scope=run_.scope.everything,
            ):
                found = suppressor.mark(judged.results, judged.labels)
                if marker is not None:
                    found = marker.mark(found)
                found = at_least(found, floor)
                if sink is not None:
                    sink(found)
                counts.update(r.status for r in found)
                if lean:  # the sink wrote them whole
                    results.extend(_gate_only(r) for r in found if r.status in NEEDED)
                else:
                    results.extend(found)
                if judged.project is not None:
                    projects.append(judged.project)
                    progress.advance()
        calls, retries = session.calls, session.retries
        api_use = tuple(session.api.use()) if session.live else ()
        log.debug("api: %d call(s), %d retried", calls, retries)
    return Report(
        version=__version__,
        identity=run_.connection.identity,
        config=config.source,
        min_severity=floor,
        started=started,
        finished=datetime.now(UTC),
        checks=specs,
        projects=projects,
        results=results,
        api_calls=calls,
        retries=retries,
        gate=gate,
        expired=suppressor.expired,
        unused=suppressor.unused(evaluated, run_.scope.projects),
        baseline=marker.comparison(evaluated, run_.scope.projects) if marker else None,
        locations=config.locations,
        scope=run_.scope.words,
        total=len(run_.scope.everything),
        excluded_projects=run_.scope.excluded_projects,
        excluded_folders=run_.scope.excluded_folders,
        shard=(run_.scope.shard.index, run_.scope.shard.count) if run_.scope.shard else None,
        notes=[*run_.scope.notes, *suppressor.notes()],
        counts={s.value: counts.get(s, 0) for s in Status} if lean else None,
        frameworks=parse_frameworks(request.frameworks),
        api_use=api_use,
    )


def _gate_only(result: Result) -> Result:
    """What a lean run keeps of a result its sink has written: what the exit code and its causes
    are made of (check, severity, status, resource, subject, reason, suppression, baseline),
    not its message, fix or grant, the most of its memory: a scan of thousands of projects
    keeps tens of thousands of findings."""
    return replace(result, message="", remediation=None, grant=None)


def at_least(results: Sequence[Result], floor: Severity | None) -> list[Result]:
    """The results `--severity` keeps: those at least `floor` severe (all without one). A
    result's own severity counts (raised for a worse grant, lowered outside production), not
    its check's, so no critical finding hides behind a check that is usually high."""
    return [r for r in results if floor is None or r.severity.at_least(floor)]


def scan_ungated(request: ScanRequest) -> Report:
    """Every active finding, nothing gated (what a baseline records)."""
    return scan(
        replace(
            request,
            fail_on="never",
            on_incomplete="warn",
            baseline=None,
            strict_suppressions=False,
        )
    )


@dataclass(frozen=True)
class Collected:
    """What `collect` wrote."""

    projects: int
    checks: int
    reads: int
    failed: int
    calls: int


def collect(request: ScanRequest, output: Path) -> Collected:
    """Read everything the selected checks need into a snapshot file."""
    selected = select_checks(request)
    with opened(request, selected) as run_:
        started = datetime.now(UTC)
        session = run_.connection.session
        gather(
            stream(
                selected.checks,
                run_.scope.projects,
                session,
                config=selected.config,
                now=started,
                release=False,
            )
        )
        fetched = session.fetched()
        calls = session.calls
    about = Snapshot(
        __version__,
        started.isoformat(timespec="seconds"),
        run_.connection.identity,
        tuple(run_.scope.projects),
        tuple(s.id for s in selected.checks),
        {},
    )
    data = snapshot_document(fetched, about)
    save_snapshot(output, data)
    reads = data["snapshot"]["reads"]
    return Collected(
        len(run_.scope.projects),
        len(selected.checks),
        sum(len(by_key) for by_key in reads.values()),
        sum(status != "ok" for by_key in reads.values() for status in by_key.values()),
        calls,
    )


@dataclass(frozen=True)
class Diagnosis:
    """What `doctor` found: who, billed where, for which checks, and each tested resource."""

    identity: str
    quota_project: str | None
    checks: list[CheckSpec]
    targets: list[Target]


def doctor(request: ScanRequest) -> Diagnosis:
    """Test the permissions the selected checks need on every resource in scope."""
    selected = select_checks(request)
    with opened(request, selected) as run_:
        targets = diagnose(
            run_.connection.session,
            selected.checks,
            run_.scope.projects,
            selected.config.environments,
        )
        connection = run_.connection
    return Diagnosis(connection.identity, connection.quota_project, selected.checks, targets)


@dataclass(frozen=True)
class MergeRequest:
    """`report merge`: shard reports, and the gate to judge the merged scan by."""

    paths: tuple[Path, ...]
    checks_dirs: tuple[Path, ...] = ()
    config: Path | None = None
    fail_on: str | None = None
    on_incomplete: str | None = None
    baseline: Path | None = None
    strict_suppressions: bool = False
    min_severity: str | None = None


def merge(request: MergeRequest) -> Report:
    """Shard reports merged into one, gated as one scan: by the merge's flags, else the config
    file, else the defaults (the shards' own gating is ignored: they usually run with
    `--fail-on never`)."""
    from .report.merge import merge as merge_reports

    config = load_config(request.config)
    gate = gate_of(request.fail_on, request.on_incomplete, request.strict_suppressions, config)
    baseline = (request.baseline, load_baseline(request.baseline)) if request.baseline else None
    specs = [c.spec for c in load_checks(request.checks_dirs)]
    merged = merge_reports(list(request.paths), specs, gate, baseline)
    floor = Severity(request.min_severity) if request.min_severity else None
    return replace(
        merged,
        results=at_least(merged.results, floor),
        config=config.source,
        min_severity=floor,
    )


@dataclass(frozen=True)
class DiffRequest:
    """`report diff`: two scans (each a JSON report, or the shard reports of one scan), and
    the gate to judge what changed by."""

    old: tuple[Path, ...]
    new: tuple[Path, ...]
    checks_dirs: tuple[Path, ...] = ()
    config: Path | None = None
    fail_on: str | None = None  # default: config, else "low" (as `scan`)
    on_incomplete: str | None = None  # a side lacking a shard: "fail" (exit 3) or "warn"


def diff(request: DiffRequest, labels: tuple[str, str]) -> Diff:
    """OLD and NEW, each merged from its reports (`report merge`), compared finding by finding
    (`report.diff`); `labels` name the two sides as the user gave them."""
    from .report.diff import Side, compare
    from .report.json import load as load_report
    from .report.merge import merge as merge_reports

    config = load_config(request.config)
    gate = gate_of(request.fail_on, request.on_incomplete, False, config)
    specs = [c.spec for c in load_checks(request.checks_dirs)]

    def side(paths: tuple[Path, ...], label: str) -> Side:
        merged = merge_reports(list(paths), specs, gate)
        severities = {s.value: s for s in Severity}
        floors = [severities.get(load_report(p)["scan"].get("min_severity")) for p in paths]
        # ^ what `--severity` left out of each report (merge does not carry it)
        floor = max((f for f in floors if f), key=lambda s: s.rank, default=None)
        return Side(label, replace(merged, min_severity=floor))

    old, new = side(request.old, labels[0]), side(request.new, labels[1])
    return compare(old, new, gate)
