"""The command line: scan, collect, doctor, baseline, checks, emulator serve."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, TextIO

import click
from rich.console import Console
from rich.markdown import Markdown
from rich.table import Table
from rich.text import Text

from . import __version__
from .baseline import BaselineError, Marker
from .baseline import load as load_baseline
from .baseline import merge as merge_baseline
from .baseline import save as save_baseline
from .clients import Clients, ClientSettings, ConfigError, check_api_base, resolve_credentials
from .collectors import ENABLED_SERVICES
from .config import Config, ConfigFileError, validate_checks
from .config import load as load_config
from .doctor import diagnose, role_yaml
from .emulator import Emulator, World, WorldError
from .emulator.world import Snapshot
from .inventory import RetryPolicy, Session
from .merge import MergeError
from .merge import merge as merge_reports
from .model import Area, Result, Severity, Status
from .output import OutputError, atomic_output, check_writable
from .plugins import PluginError, load_checks, select
from .progress import Progress
from .ratelimit import RateLimiter, parse_rate, rates
from .report import EXIT_CLEAN, EXIT_ERROR, EXIT_INCOMPLETE, ProjectScope, Report
from .reporters import FORMATS, jsonl
from .reporters.docs import checks_markdown
from .reporters.doctor import render as render_doctor
from .runner import run, stream
from .snapshot import SnapshotSession
from .snapshot import document as snapshot_document
from .snapshot import load as load_snapshot
from .snapshot import save as save_snapshot
from .spec import CheckSpec
from .suppress import Suppressor
from .targets import (
    GLOB,
    ScopeError,
    Selector,
    Shard,
    enumerate_projects,
    in_shard,
    named_projects,
    parse_label,
)

log = logging.getLogger("gcplint")

PROJECT_ID = re.compile(r"^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
SEVERITIES = [s.value for s in Severity]
NEEDED = (Status.FAIL, Status.UNKNOWN)  # what the exit code and its causes are made of


class UsageError(Exception):
    """Bad command-line input that click itself does not catch."""


def demo_world() -> World:
    """The bundled demo world (an 'acme' organization with prod, staging and dev)."""
    text = (
        resources.files("gcplint.emulator").joinpath("demo_world.json").read_text(encoding="utf-8")
    )
    return World.from_json(json.loads(text))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="gcplint")
def cli() -> None:
    """gcplint: a production-readiness linter for Google Cloud projects (read-only)."""


checks_dir_option = click.option(
    "--checks-dir",
    "checks_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also load check modules from this directory (repeatable).",
)


@dataclass(frozen=True)
class Common:
    """Options shared by `scan` and `doctor`: scope, credentials, check selection."""

    projects: tuple[str, ...]
    demo: bool
    api_base: str | None
    impersonate: str | None
    quota_project: str | None
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    checks_dirs: tuple[Path, ...]
    config: Path | None
    timeout: float
    organization: str | None
    folder: str | None
    excluded: tuple[str, ...]
    labels: tuple[str, ...]
    shard: str | None
    rate_limits: tuple[str, ...]
    progress: bool
    snapshot: Path | None = None  # only commands with --snapshot set it

    def limiter(self, google: bool, configured: Mapping[str, float] | None = None) -> RateLimiter:
        """`--rate-limit` rates, over the config file's `[rate-limits]`, over the defaults when
        calling Google (an emulator has no quota to protect unless one is given)."""
        try:
            overrides = dict(parse_rate(text, zero=True) for text in self.rate_limits)
        except ValueError as exc:
            raise UsageError(
                f"--rate-limit {str(exc)!r}: expected API=REQUESTS_PER_SECOND, e.g. run=10"
            ) from None
        return RateLimiter(rates({**(configured or {}), **overrides}, defaults=google))

    def selector(self) -> Selector:
        """The scope flags, parsed."""
        for project in self.projects:
            if not GLOB.search(project) and not PROJECT_ID.match(project):
                raise UsageError(
                    f"--project {project!r} is not a valid project ID (6-30 lowercase letters, digits, hyphens) or glob"
                )
        for flag, value in (("--organization", self.organization), ("--folder", self.folder)):
            if value is not None and not value.isdigit():
                raise UsageError(f"{flag} {value!r}: expected the numeric ID, e.g. 123456789012")
        if self.organization and self.folder:
            raise UsageError("pass --organization or --folder, not both (a folder is recursive)")
        return Selector(
            self.organization,
            self.folder,
            self.projects,
            self.excluded,
            tuple(parse_label(label) for label in self.labels),
        )

    def sharding(self) -> Shard | None:
        """`--shard K/N`, else the Cloud Run Job task's shard, else none."""
        return Shard.parse(self.shard) if self.shard else Shard.from_env(os.environ)


def common_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """Add the shared options; the command receives them as one `common: Common`."""

    @functools.wraps(func)
    def wrapper(**kwargs: Any) -> Any:
        names = [f.name for f in fields(Common) if f.name in kwargs]
        common = Common(**{name: kwargs.pop(name) for name in names})
        _configure_logging(kwargs.pop("debug"))
        return func(common=common, **kwargs)

    options = [
        click.option(
            "--project",
            "projects",
            multiple=True,
            metavar="ID|GLOB",
            help="Project ID, or a glob over the enumerated projects (repeatable).",
        ),
        click.option(
            "--organization",
            metavar="ID",
            help="Every ACTIVE project of this organization (numeric ID).",
        ),
        click.option(
            "--folder",
            metavar="ID",
            help="Every ACTIVE project under this folder, recursively (numeric ID).",
        ),
        click.option(
            "--exclude-project",
            "excluded",
            multiple=True,
            metavar="ID|GLOB",
            help="Leave matching projects out (repeatable).",
        ),
        click.option(
            "--label",
            "labels",
            multiple=True,
            metavar="KEY=VALUE",
            help="Only projects with this label (repeatable: all must match).",
        ),
        click.option(
            "--shard",
            metavar="K/N",
            help="Scan shard K of N (0-based, by a hash of the project ID); default from "
            "CLOUD_RUN_TASK_INDEX/CLOUD_RUN_TASK_COUNT when set.",
        ),
        click.option(
            "--demo", is_flag=True, help="Use the bundled demo world through a local API emulator."
        ),
        click.option(
            "--api-base",
            envvar="GCPLINT_API_BASE",
            metavar="URL",
            help="Send every API call to URL/{api}/... with anonymous credentials (an emulator).",
        ),
        click.option(
            "--impersonate-service-account",
            "impersonate",
            metavar="EMAIL",
            help="Act as this service account (needs roles/iam.serviceAccountTokenCreator on it).",
        ),
        click.option("--quota-project", metavar="ID", help="Project billed for API quota."),
        click.option(
            "--check",
            "include",
            multiple=True,
            metavar="ID|GLOB",
            help="Only matching checks (repeatable).",
        ),
        click.option(
            "--skip",
            "exclude",
            multiple=True,
            metavar="ID|GLOB",
            help="Skip matching checks (repeatable).",
        ),
        checks_dir_option,
        click.option(
            "--config",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Config file (default: the nearest gcplint.toml or pyproject.toml with [tool.gcplint], from here upward).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0.1, 600),
            default=30.0,
            show_default=True,
            help="Seconds before one API request is abandoned (then retried).",
        ),
        click.option(
            "--rate-limit",
            "rate_limits",
            multiple=True,
            metavar="API=RPS",
            help="Requests per second for one API label (repeatable; 0 = unlimited). "
            "Defaults stay well inside Google's default quotas: see README.",
        ),
        click.option(
            "--progress/--no-progress",
            default=True,
            help="Progress on stderr: a bar on a terminal, a line every 10 s otherwise.",
        ),
        click.option("--debug", is_flag=True, help="Debug logging on stderr."),
    ]
    for option in reversed(options):
        wrapper = option(wrapper)
    return wrapper


snapshot_option = click.option(
    "--snapshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Scan this snapshot (from 'gcplint collect') offline instead of the live APIs.",
)


def selected(
    common: Common, collected: Sequence[str] | None = None
) -> tuple[list[CheckSpec], Config]:
    """The checks to run and the config, validated together. `--check` replaces the config's
    `select`; `--skip` adds to its `skip`. A checklist area name selects all its checks. With
    no selection, a snapshot's scan runs the checks it was `collected` for."""
    config = load_config(common.config)
    loaded = load_checks(common.checks_dirs)
    areas = [a.value for a in Area]
    ids = [c.spec.id for c in loaded]
    validate_checks(config, {c.spec.id: c.spec.options for c in loaded}, ids, areas)

    def expand(patterns: Sequence[str]) -> list[str]:
        return [c.spec.id for c in loaded if c.spec.area.value in patterns] + [
            p for p in patterns if p not in areas
        ]

    include = expand(common.include or config.select)
    exclude = expand([*config.skip, *common.exclude])
    specs = [c.spec for c in select(loaded, include, exclude)]
    if collected is not None and not include:
        left_out = [s.id for s in specs if s.id not in collected]
        if left_out:
            click.echo(
                f"gcplint: {len(left_out)} check(s) not collected in this snapshot are not run"
                f" (name them with --check to see them as unknown): {', '.join(left_out)}",
                err=True,
            )
        specs = [s for s in specs if s.id in collected]
    return specs, config


@dataclass
class Connection:
    """A live session to the APIs (or to the emulator) and the projects in scope."""

    session: Session
    identity: str
    quota_project: str | None
    scoped: Scoped

    @property
    def projects(self) -> list[str]:
        """What this run scans (its shard of the scope)."""
        return self.scoped.projects


@dataclass(frozen=True)
class Replay:
    """A snapshot loaded for an offline scan."""

    path: Path
    about: Snapshot
    recorded: Mapping[tuple[str, str], Any]


def load_replay(common: Common) -> Replay | None:
    """The snapshot `--snapshot` names, checked against the other flags."""
    if common.snapshot is None:
        return None
    live = {
        "--demo": common.demo,
        "--api-base/GCPLINT_API_BASE": common.api_base,
        "--impersonate-service-account": common.impersonate,
        "--quota-project": common.quota_project,
        "--organization": common.organization,
        "--folder": common.folder,
        "--label": common.labels,
    }
    clash = [flag for flag, value in live.items() if value]
    if clash:
        raise UsageError(f"--snapshot scans stored data offline; drop {', '.join(clash)}")
    about, recorded = load_snapshot(common.snapshot)
    return Replay(common.snapshot, about, recorded)


@dataclass(frozen=True)
class Scoped:
    """The projects this run scans, the scope in words, the whole scope, warnings about it."""

    projects: list[str]
    words: str
    everything: list[str]
    notes: list[str]


def _scoped(common: Common, session: Session, available: Sequence[str] | None) -> Scoped:
    """What this run scans. `available` is the demo world's or the snapshot's projects (None:
    the live APIs).
    `available` is the demo world's or the snapshot's projects (None: the live APIs)."""
    selector = common.selector()
    shard = common.sharding()
    notes: list[str] = []
    if selector.root or selector.labels or (selector.enumerates and available is None):
        found = enumerate_projects(session, selector)
        everything = found.projects
        if found.unplaced:
            notes.append(
                f"{len(found.unplaced)} ACTIVE project(s) sit under folders this identity cannot"
                f" see (grant roles/browser on {selector.root}), so whether they are in scope is"
                f" unknown; not scanned: {', '.join(found.unplaced)}"
            )
    elif selector.enumerates or not selector.projects:
        everything = [p for p in available or () if selector.keeps(p)]
        if not everything:
            raise ScopeError(f"no project matches {selector.describe() or 'the scope'}")
    else:
        everything = named_projects(selector)
        if not everything:
            raise ScopeError("every --project is excluded by --exclude-project")
    mine = in_shard(everything, shard)
    words = selector.describe() if selector.enumerates else ""
    if shard is not None:
        words = f"{words + '; ' if words else ''}shard {shard}: {len(mine)} of {len(everything)}"
    return Scoped(mine, words, everything, notes)


@contextmanager
def connected(
    common: Common,
    replay: Replay | None = None,
    workers: int = 8,
    config: Config | None = None,
) -> Iterator[Connection]:
    """Validate the scope, then a session: over a snapshot, the demo emulator, or the APIs.
    `workers` sizes the pool of per-resource reads (the fetch pool is the runner's); `config`
    may set rate limits."""
    if replay is not None:
        offline = SnapshotSession(replay.recorded)
        about = replay.about
        outside = [p for p in common.projects if not GLOB.search(p) and p not in about.projects]
        if outside:
            raise UsageError(
                f"project(s) {', '.join(outside)} not in snapshot {replay.path}"
                f" (it holds {', '.join(about.projects)})"
            )
        identity = f"snapshot {replay.path}, collected {about.created} as {about.identity}"
        try:
            scoped = _scoped(common, offline, about.projects)
            yield Connection(offline, identity, None, scoped)
        finally:
            offline.close()
        return
    selector = common.selector()
    common.sharding()
    common.limiter(google=False)  # flags are checked before anything else
    if common.demo and common.api_base:
        raise UsageError("--demo starts its own emulator; it cannot be combined with --api-base")
    if not (selector.projects or selector.enumerates or common.demo):
        raise UsageError(
            "no project in scope: pass --project ID (repeatable), --organization ID,"
            " --folder ID, or --demo"
        )
    world = demo_world() if common.demo else None
    with Emulator(world) if world else nullcontext() as emulator:
        api_base = emulator.url if isinstance(emulator, Emulator) else common.api_base
        if api_base:
            api_base = check_api_base(api_base)
            _bypass_proxy(api_base)
        settings = ClientSettings(
            api_base, common.impersonate, common.quota_project, common.timeout
        )
        creds, identity = resolve_credentials(settings)
        session = Session(
            Clients(settings, creds),
            _retry_policy(),
            fan_out_workers=max(8, workers),
            limiter=common.limiter(
                google=not api_base, configured=config.rate_limits if config else None
            ),
            enabled_services=ENABLED_SERVICES,
        )
        quota = common.quota_project or getattr(creds, "quota_project_id", None)
        try:
            scoped = _scoped(common, session, list(world.projects) if world else None)
            yield Connection(session, identity, quota, scoped)
        finally:
            session.close()


def report_option(value: tuple[str, ...]) -> list[tuple[str, Path]]:
    """Parse `--report FORMAT=PATH` values (the paths are checked before the scan)."""
    found = []
    for item in value:
        fmt, sep, path = item.partition("=")
        if not sep or not path:
            raise UsageError(f"--report {item!r}: expected FORMAT=PATH, e.g. sarif=gcplint.sarif")
        if fmt not in FORMATS:
            raise UsageError(
                f"--report {item!r}: unknown format {fmt!r} (one of {', '.join(sorted(FORMATS))})"
            )
        found.append((fmt, Path(path)))
    return found


concurrency_option = click.option(
    "--max-concurrency",
    "workers",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Threads fetching collections (per-resource reads get as many again).",
)


format_option = click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="Format written to stdout (or --output).",
)
output_option = click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
verbose_option = click.option(
    "--verbose", "-v", is_flag=True, help="Also list passed and not-applicable results."
)


def gating_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--fail-on, --on-incomplete, --baseline, --strict-suppressions, --max-concurrency."""
    options = [
        click.option(
            "--fail-on",
            type=click.Choice([*SEVERITIES, "never"]),
            default=None,
            help="Exit 1 when an active finding has at least this severity (default: config, else low).",
        ),
        click.option(
            "--on-incomplete",
            type=click.Choice(["fail", "warn"]),
            default=None,
            help="Unknown results: exit 3 (fail, default) or warn and exit 0.",
        ),
        click.option(
            "--baseline",
            "baseline_path",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Only findings missing from this baseline file count towards --fail-on.",
        ),
        click.option(
            "--strict-suppressions",
            is_flag=True,
            help="Expired or unused suppressions fail the run.",
        ),
        concurrency_option,
    ]
    for option in reversed(options):
        func = option(func)
    return func


@dataclass(frozen=True)
class Gating:
    """How the results of a scan decide its exit code."""

    fail_on: str | None
    on_incomplete: str | None
    baseline: Path | None
    strict: bool
    workers: int


Sink = Callable[[Sequence[Result]], None]


def build_report(
    common: Common,
    gating: Gating,
    *,
    sink: Sink | None = None,
    lean: bool = False,
    **extra: Any,
) -> tuple[Report, Config]:
    """Scan project by project, applying suppressions and the baseline as each one is done:
    the Report every format is built from. `sink` receives each project's results as soon as
    they are final (streaming output); `lean` keeps only the results the exit code needs
    (findings and unknowns) and counts the rest, so memory stays flat on huge scopes."""
    replay = load_replay(common)
    specs, config = selected(common, replay.about.checks if replay else None)
    entries = load_baseline(gating.baseline) if gating.baseline else None
    fail_on = gating.fail_on or (
        ("never" if config.fail_on is None else config.fail_on.value)
        if config.fail_on_set
        else "low"
    )
    evaluated = [s.id for s in specs]
    started = datetime.now(UTC)
    suppressor = Suppressor(config.suppressions, started.date())
    marker = Marker(gating.baseline, entries) if entries is not None and gating.baseline else None
    scopes: list[ProjectScope] = []
    results: list[Result] = []
    counts: Counter[Status] = Counter()
    with connected(common, replay, gating.workers, config) as conn:
        for note in conn.scoped.notes:
            click.echo(f"gcplint: warning: {note}", err=True)
        session = conn.session
        with Progress(
            len(conn.projects),
            lambda: (session.calls, session.retries),
            enabled=common.progress,
        ) as progress:
            for judged in stream(
                specs,
                conn.projects,
                session,
                config=config,
                workers=gating.workers,
                now=started,
                scope=conn.scoped.everything,
            ):
                found = suppressor.mark(judged.results, judged.labels)
                if marker is not None:
                    found = marker.mark(found)
                if sink is not None:
                    sink(found)
                counts.update(r.status for r in found)
                results.extend(r for r in found if not lean or r.status in NEEDED)
                if judged.scope is not None:
                    scopes.append(judged.scope)
                    progress.advance()
        calls, retries = session.calls, session.retries
    report = Report(
        version=__version__,
        identity=conn.identity,
        started=started,
        finished=datetime.now(UTC),
        checks=specs,
        projects=scopes,
        results=results,
        api_calls=calls,
        retries=retries,
        fail_on=None if fail_on == "never" else Severity(fail_on),
        on_incomplete=gating.on_incomplete or config.on_incomplete,
        strict_suppressions=gating.strict,
        expired=suppressor.expired,
        unused=suppressor.unused(evaluated, conn.projects),
        baseline=marker.comparison(evaluated, conn.projects) if marker else None,
        locations=config.locations,
        scope=conn.scoped.words,
        total=len(conn.scoped.everything),
        notes=list(conn.scoped.notes),
        counts={s.value: counts.get(s, 0) for s in Status} if lean else None,
        **extra,
    )
    return report, config


@cli.command()
@common_options
@snapshot_option
@gating_options
@format_option
@output_option
@click.option(
    "--report",
    "reports",
    multiple=True,
    metavar="FORMAT=PATH",
    help="Also write this format to this file (repeatable): one scan, every artifact.",
)
@click.option(
    "--sarif-profile",
    type=click.Choice(["github", "full"]),
    default="github",
    show_default=True,
    help="github: active findings only; full: also suppressed, unknown and baseline state.",
)
@click.option(
    "--sarif-category", metavar="ID", help="automationDetails.id prefix (default gcplint/<scope>/)."
)
@verbose_option
def scan(
    common: Common,
    fail_on: str | None,
    on_incomplete: str | None,
    baseline_path: Path | None,
    strict_suppressions: bool,
    workers: int,
    fmt: str,
    output: Path | None,
    reports: tuple[str, ...],
    sarif_profile: str,
    sarif_category: str | None,
    verbose: bool,
) -> None:
    """Scan projects against the production checklist.

    Exit codes: 0 clean, 1 an active finding at or above --fail-on (or stale suppressions with
    --strict-suppressions), 2 usage/config/credential error, 3 incomplete (unknown results).
    """
    artifacts = report_option(reports)
    targets = [(fmt, output), *artifacts]
    for _, path in targets:
        if path is not None:
            check_writable(path)
    gating = Gating(fail_on, on_incomplete, baseline_path, strict_suppressions, workers)
    options: dict[str, Any] = {"sarif_profile": sarif_profile, "sarif_category": sarif_category}
    if fmt == "jsonl":  # streamed: each project's results are written as soon as it is done
        with _destination(output) as out:
            report, _ = build_report(
                common,
                gating,
                sink=lambda found: jsonl.write_results(found, out),
                lean=not artifacts,
                **options,
            )
            jsonl.write_summary(report, out)
        targets = targets[1:]
        if output is not None:
            click.echo(f"gcplint: jsonl report written to {output}", err=True)
    else:
        report, _ = build_report(common, gating, **options)
    for target_format, path in targets:
        _write(report, target_format, path, verbose)
    sys.exit(report.exit_code())


def _write(report: Report, fmt: str, path: Path | None, verbose: bool) -> None:
    """Render the report in one format, to stdout or atomically to a file."""
    with _destination(path) as stream:
        FORMATS[fmt](report, stream, verbose)
    if path is not None:
        click.echo(f"gcplint: {fmt} report written to {path}", err=True)


@cli.group()
def report() -> None:
    """Work with finished reports."""


@report.command("merge")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@format_option
@output_option
@checks_dir_option
@verbose_option
def report_merge(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    checks_dirs: tuple[Path, ...],
    verbose: bool,
) -> None:
    """Merge shard reports (JSON, from 'gcplint scan --shard K/N --format json') into one
    report; the exit code is the merged scan's, as 'gcplint scan' would give it."""
    if output is not None:
        check_writable(output)
    merged = merge_reports(list(paths), [c.spec for c in load_checks(checks_dirs)])
    _write(merged, fmt, output, verbose)
    sys.exit(merged.exit_code())


@cli.group()
def baseline() -> None:
    """Create or update a baseline: accepted findings, so only new ones fail a run."""


@baseline.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@common_options
@snapshot_option
@concurrency_option
def baseline_create(path: Path, common: Common, workers: int) -> None:
    """Scan and write every active finding's fingerprint to PATH (which must not exist)."""
    if path.exists():
        raise UsageError(f"baseline {path} already exists: use 'gcplint baseline update {path}'")
    check_writable(path)
    report, _ = build_report(common, Gating("never", "warn", None, False, workers))
    now = report.started.isoformat(timespec="seconds")
    entries = merge_baseline([], report.results, now, prune=False, evaluated=[], projects=[])
    save_baseline(path, entries, __version__, now)
    click.echo(f"gcplint: baseline {path} written with {len(entries)} finding(s)", err=True)


@baseline.command("update")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path, exists=True))
@common_options
@snapshot_option
@click.option("--prune", is_flag=True, help="Drop entries that no longer fail (fixed findings).")
@concurrency_option
def baseline_update(path: Path, common: Common, prune: bool, workers: int) -> None:
    """Scan and add new findings to the baseline at PATH; existing entries are kept."""
    entries = load_baseline(path)
    report, _ = build_report(common, Gating("never", "warn", None, False, workers))
    now = report.started.isoformat(timespec="seconds")
    projects = [p.project_id for p in report.projects]
    merged = merge_baseline(
        entries,
        report.results,
        now,
        prune=prune,
        evaluated=[c.id for c in report.checks],
        projects=projects,
    )
    save_baseline(path, merged, __version__, now)
    added = len({e.fingerprint for e in merged} - {e.fingerprint for e in entries})
    dropped = len({e.fingerprint for e in entries} - {e.fingerprint for e in merged})
    click.echo(
        f"gcplint: baseline {path}: {len(merged)} finding(s), {added} added, {dropped} pruned",
        err=True,
    )


@cli.command()
@common_options
@concurrency_option
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The snapshot file (a name ending in .gz is compressed).",
)
def collect(common: Common, workers: int, output: Path) -> None:
    """Read everything the selected checks need into a snapshot: scan it offline with
    'gcplint scan --snapshot', or serve it with 'gcplint emulator serve'."""
    check_writable(output)
    specs, config = selected(common)
    with connected(common, workers=workers, config=config) as conn:
        started = datetime.now(UTC)
        run(specs, conn.projects, conn.session, config=config, workers=workers, now=started)
        fetched = conn.session.fetched()
        calls = conn.session.calls
    about = Snapshot(
        __version__,
        started.isoformat(timespec="seconds"),
        conn.identity,
        tuple(conn.projects),
        tuple(s.id for s in specs),
        {},
    )
    data = snapshot_document(fetched, about)
    save_snapshot(output, data)
    reads = data["snapshot"]["reads"]
    total = sum(len(by_key) for by_key in reads.values())
    failed = sum(status != "ok" for by_key in reads.values() for status in by_key.values())
    click.echo(
        f"gcplint: snapshot {output} written: {len(conn.projects)} project(s),"
        f" {len(specs)} check(s), {total} reads ({failed} failed, kept as failures),"
        f" {calls} API calls, {output.stat().st_size} bytes",
        err=True,
    )


@cli.command()
@common_options
@click.option(
    "--role",
    is_flag=True,
    help="Print a custom IAM role (YAML) with exactly the permissions needed.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def doctor(common: Common, role: bool, fmt: str) -> None:
    """Check that the scanning identity holds every permission the selected checks need.

    Exit codes: 0 every permission granted, 3 some missing (scans would be incomplete), 2 error.
    """
    specs, _ = selected(common)
    if role:
        click.echo(role_yaml(specs, __version__), nl=False)
        return
    with connected(common) as conn:
        targets = diagnose(conn.session, specs, conn.projects)
        render_doctor(conn.identity, conn.quota_project, specs, targets, fmt, sys.stdout)
    sys.exit(EXIT_INCOMPLETE if any(t.missing or t.error for t in targets) else EXIT_CLEAN)


def _retry_policy() -> RetryPolicy:
    """Backoff base from GCPLINT_RETRY_INITIAL (seconds; tests use a tiny one)."""
    raw = os.environ.get("GCPLINT_RETRY_INITIAL")
    if raw is None:
        return RetryPolicy()
    try:
        initial = float(raw)
    except ValueError:
        raise UsageError(
            f"GCPLINT_RETRY_INITIAL must be a number of seconds, got {raw!r}"
        ) from None
    return RetryPolicy(initial=initial, maximum=max(initial * 8, initial))


def _bypass_proxy(api_base: str) -> None:
    """Keep requests from sending emulator traffic to an HTTP(S)_PROXY."""
    host = api_base.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
    current = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    if host not in current.split(","):
        os.environ["NO_PROXY"] = ",".join(filter(None, [current, host]))


@contextmanager
def _destination(path: Path | None) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
    else:
        with atomic_output(path) as stream:
            yield stream


@cli.group()
def checks() -> None:
    """List and explain the available checks."""


@checks.command("list")
@checks_dir_option
def checks_list(checks_dirs: tuple[Path, ...]) -> None:
    """Every check: id, severity, area and title."""
    table = Table(box=None, header_style="bold", pad_edge=False)
    for column in ("ID", "SEVERITY", "AREA", "TITLE"):
        table.add_column(column, no_wrap=column != "TITLE")
    for item in load_checks(checks_dirs):
        spec = item.spec
        table.add_row(spec.id, spec.severity.value, spec.area.value, spec.title)
    Console(highlight=False, width=max(120, Console().width)).print(table)


@checks.command("docs")
@checks_dir_option
def checks_docs(checks_dirs: tuple[Path, ...]) -> None:
    """Print every check's documentation as Markdown (docs/checks.md is this output)."""
    click.echo(checks_markdown([c.spec for c in load_checks(checks_dirs)]), nl=False)


@checks.command("explain")
@click.argument("check_id")
@checks_dir_option
def checks_explain(check_id: str, checks_dirs: tuple[Path, ...]) -> None:
    """Show a check's documentation."""
    found = {c.spec.id: c for c in load_checks(checks_dirs)}
    if check_id not in found:
        raise UsageError(f"unknown check {check_id!r} (see 'gcplint checks list')")
    item = found[check_id]
    spec = item.spec
    console = Console(highlight=False)
    console.print(Text(f"{spec.id}: {spec.title}", style="bold"))
    console.print(
        Text(
            f"severity {spec.severity.value} · area {spec.area.title} · from {item.origin}",
            style="dim",
        )
    )
    reads = ", ".join(f"{c.title} ({c.permission})" for c in spec.requires)
    console.print(Text(f"reads: {reads}", style="dim"))
    console.print()
    console.print(Markdown(spec.doc))


@cli.group()
def emulator() -> None:
    """The local GCP REST API emulator."""


def _quotas(ctx: click.Context, param: click.Parameter, specs: tuple[str, ...]) -> dict[str, float]:
    """LABEL=RPS specs as {label: requests per second}."""
    try:
        return dict(parse_rate(spec, zero=False) for spec in specs)
    except ValueError as exc:
        raise click.BadParameter(
            f"{str(exc)!r} is not LABEL=RPS (an API label and a positive number, e.g. run=20)",
            ctx,
            param,
        ) from None


@emulator.command("serve")
@click.argument(
    "world_path", metavar="[WORLD]", required=False, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option("--port", type=click.IntRange(0, 65535), default=8089, show_default=True)
@click.option(
    "--page-size",
    type=click.IntRange(1, 10000),
    default=50,
    show_default=True,
    help="Items per page of every list.",
)
@click.option(
    "--latency", type=click.FloatRange(0, 60), default=0.0, help="Seconds added to every response."
)
@click.option(
    "--jitter",
    type=click.FloatRange(0, 60),
    default=0.0,
    metavar="SECONDS",
    help="Up to this many more seconds (uniformly random) added to every response.",
)
@click.option(
    "--quota",
    "quotas",
    multiple=True,
    callback=_quotas,
    metavar="LABEL=RPS",
    help="Requests per second an API allows (e.g. run=20); over it: 429. Repeatable.",
)
@click.option(
    "--seed",
    type=int,
    default=0,
    show_default=True,
    help="Seed of probabilistic faults and jitter.",
)
def emulator_serve(
    world_path: Path | None,
    port: int,
    page_size: int,
    latency: float,
    jitter: float,
    quotas: dict[str, float],
    seed: int,
) -> None:
    """Serve WORLD (default: the bundled demo world) on 127.0.0.1.

    Request counts per API (and quota rejections) are at GET /__emulator/stats."""
    world = World.load(world_path) if world_path else demo_world()
    try:
        server = Emulator(
            world,
            port=port,
            page_size=page_size,
            latency=latency,
            jitter=jitter,
            quotas=quotas,
            seed=seed,
        )
    except OSError as exc:
        raise UsageError(f"cannot listen on 127.0.0.1:{port}: {exc.strerror or exc}") from None
    click.echo(
        f"gcplint emulator serving {world_path or 'the demo world'} on {server.url}", err=True
    )
    click.echo(f"  export GCPLINT_API_BASE={server.url}   (Ctrl-C to stop)", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()


@emulator.command("generate")
@click.option(
    "--projects", type=click.IntRange(0, 100000), required=True, help="Number of projects."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same world.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The world file to write (gzip-compressed when it ends in .gz).",
)
def emulator_generate(projects: int, seed: int, output: Path) -> None:
    """Write a random, realistic organization of N projects (a world for 'emulator serve')."""
    from .emulator.generate import generate_org  # a large module only this command needs

    world = generate_org(projects, seed)
    with atomic_output(output, compress=output.suffix == ".gz") as stream:
        json.dump(world, stream, separators=(",", ":"))
    click.echo(f"wrote {projects} projects to {output}", err=True)


def _configure_logging(debug: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("gcplint: %(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if debug else logging.WARNING)
    log.propagate = False
    for noisy in ("urllib3", "googleapiclient"):  # their warnings repeat what our results say
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.ERROR)


def main(argv: Sequence[str] | None = None) -> Any:
    """Entry point: every error is one line on stderr and exit code 2, never a traceback."""
    try:
        return cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="gcplint",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("aborted")
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        _fail(exc.format_message().replace("\n", " ") + hint)
    except (
        UsageError,
        ConfigError,
        ConfigFileError,
        PluginError,
        WorldError,
        ScopeError,
        MergeError,
        OutputError,
        BaselineError,
    ) as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _fail("interrupted")
    except Exception as exc:
        if "--debug" in sys.argv:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (re-run with --debug for a traceback)")


def _fail(message: str) -> None:
    click.echo(f"gcplint: error: {message}", err=True)
    sys.exit(EXIT_ERROR)
