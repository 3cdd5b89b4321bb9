"""The command line: scan, collect, doctor, baseline, checks, emulator serve."""

from __future__ import annotations

import functools
import json
import logging
import os
import re
import sys
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
from .baseline import BaselineError
from .baseline import compare as compare_baseline
from .baseline import load as load_baseline
from .baseline import merge as merge_baseline
from .baseline import save as save_baseline
from .clients import Clients, ClientSettings, ConfigError, check_api_base, resolve_credentials
from .config import Config, ConfigFileError, validate_checks
from .config import load as load_config
from .doctor import diagnose, role_yaml
from .emulator import Emulator, World, WorldError
from .emulator.world import Snapshot
from .inventory import RetryPolicy, Session
from .model import Area, Severity
from .output import OutputError, atomic_output, check_writable
from .plugins import PluginError, load_checks, select
from .report import EXIT_CLEAN, EXIT_ERROR, EXIT_INCOMPLETE, Report
from .reporters import FORMATS
from .reporters.docs import checks_markdown
from .reporters.doctor import render as render_doctor
from .runner import resource_labels, run
from .snapshot import SnapshotSession
from .snapshot import document as snapshot_document
from .snapshot import load as load_snapshot
from .snapshot import save as save_snapshot
from .spec import CheckSpec
from .suppress import apply as apply_suppressions

log = logging.getLogger("gcplint")

PROJECT_ID = re.compile(r"^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
SEVERITIES = [s.value for s in Severity]


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
    snapshot: Path | None = None  # only commands with --snapshot set it


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
            "--project", "projects", multiple=True, metavar="ID", help="Project ID (repeatable)."
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
    projects: list[str]


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
    }
    clash = [flag for flag, value in live.items() if value]
    if clash:
        raise UsageError(f"--snapshot scans stored data offline; drop {', '.join(clash)}")
    about, recorded = load_snapshot(common.snapshot)
    return Replay(common.snapshot, about, recorded)


@contextmanager
def connected(common: Common, replay: Replay | None = None) -> Iterator[Connection]:
    """Validate the scope, then a session: over a snapshot, the demo emulator, or the APIs."""
    if replay is not None:
        outside = [p for p in common.projects if p not in replay.about.projects]
        if outside:
            raise UsageError(
                f"project(s) {', '.join(outside)} not in snapshot {replay.path}"
                f" (it holds {', '.join(replay.about.projects)})"
            )
        offline = SnapshotSession(replay.recorded)
        about = replay.about
        identity = f"snapshot {replay.path}, collected {about.created} as {about.identity}"
        try:
            yield Connection(offline, identity, None, list(common.projects or about.projects))
        finally:
            offline.close()
        return
    for project in common.projects:
        if not PROJECT_ID.match(project):
            raise UsageError(
                f"--project {project!r} is not a valid project ID (6-30 lowercase letters, digits, hyphens)"
            )
    if common.demo and common.api_base:
        raise UsageError("--demo starts its own emulator; it cannot be combined with --api-base")
    if not common.projects and not common.demo:
        raise UsageError("no project in scope: pass --project ID (repeatable), or --demo")
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
        session = Session(Clients(settings, creds), _retry_policy())
        quota = common.quota_project or getattr(creds, "quota_project_id", None)
        projects = list(common.projects) or (list(world.projects) if world else [])
        try:
            yield Connection(session, identity, quota, projects)
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
    help="API calls in flight at once.",
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


def build_report(common: Common, gating: Gating, **extra: Any) -> tuple[Report, Config]:
    """Scan, then apply suppressions and the baseline: the Report every format is built from."""
    replay = load_replay(common)
    specs, config = selected(common, replay.about.checks if replay else None)
    entries = load_baseline(gating.baseline) if gating.baseline else None
    fail_on = gating.fail_on or (
        ("never" if config.fail_on is None else config.fail_on.value)
        if config.fail_on_set
        else "low"
    )
    with connected(common, replay) as conn:
        started = datetime.now(UTC)
        scopes, results = run(
            specs, conn.projects, conn.session, config=config, workers=gating.workers, now=started
        )
        labels = resource_labels(conn.session, specs)
        calls, retries = conn.session.calls, conn.session.retries
    evaluated = [s.id for s in specs]
    applied = apply_suppressions(
        results,
        config.suppressions,
        labels,
        today=started.date(),
        evaluated=evaluated,
        projects=conn.projects,
    )
    results, comparison = applied.results, None
    if entries is not None and gating.baseline is not None:
        results, comparison = compare_baseline(
            gating.baseline, results, entries, evaluated, conn.projects
        )
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
        expired=applied.expired,
        unused=applied.unused,
        baseline=comparison,
        locations=config.locations,
        **extra,
    )
    return report, config


@cli.command()
@common_options
@snapshot_option
@gating_options
@click.option(
    "--format",
    "fmt",
    type=click.Choice(sorted(FORMATS)),
    default="text",
    show_default=True,
    help="Format written to stdout (or --output).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the report to this file instead of stdout.",
)
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
@click.option("--verbose", "-v", is_flag=True, help="Also list passed and not-applicable results.")
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
    report, _ = build_report(
        common, gating, sarif_profile=sarif_profile, sarif_category=sarif_category
    )
    for target_format, path in targets:
        with _destination(path) as stream:
            FORMATS[target_format](report, stream, verbose)
        if path is not None:
            click.echo(f"gcplint: {target_format} report written to {path}", err=True)
    sys.exit(report.exit_code())


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
    with connected(common) as conn:
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
def emulator_serve(world_path: Path | None, port: int, page_size: int, latency: float) -> None:
    """Serve WORLD (default: the bundled demo world) on 127.0.0.1."""
    world = World.load(world_path) if world_path else demo_world()
    try:
        server = Emulator(world, port=port, page_size=page_size, latency=latency)
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
