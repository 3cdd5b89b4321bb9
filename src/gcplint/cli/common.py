"""Options shared by several commands, and writing a report where the user asked."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

import click

from ..errors import UsageError
from ..model import Severity
from ..report import FORMATS, RenderOptions, Report, render
from ..safetext import printable

SEVERITIES = [s.value for s in Severity]
Decorator = Callable[[Callable[..., Any]], Callable[..., Any]]


def apply(options: list[Decorator], func: Callable[..., Any]) -> Callable[..., Any]:
    """Apply option decorators in the order they are listed (the first is shown first)."""
    for option in reversed(options):
        func = option(func)
    return func


checks_dir_option = click.option(
    "--checks-dir",
    "checks_dirs",
    multiple=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Also load check modules from this directory (repeatable).",
)

config_option = click.option(
    "--config",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file (default: the nearest gcplint.toml or pyproject.toml with [tool.gcplint], from here upward).",
)

snapshot_option = click.option(
    "--snapshot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Scan this snapshot (from 'gcplint collect') offline instead of the live APIs.",
)

concurrency_option = click.option(
    "--max-concurrency",
    "workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Calls in flight per API, at most (default: as many as each API's quota and latency call for, up to 64).",
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
    help="Write the report to this file instead of stdout ('-': stdout).",
)
severity_option = click.option(
    "--severity",
    "min_severity",
    type=click.Choice(SEVERITIES),
    help="Report only results at least this severe (each result's own severity); the rest are"
    " left out of every format and of the gate.",
)
quiet_option = click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Text: one line per active finding, nothing else (the verdict goes to stderr when the"
    " run fails); no progress and no 'written to' lines.",
)
verbose_option = click.option(
    "--verbose", "-v", is_flag=True, help="Also list passed and not-applicable results."
)

_SCOPE_AND_SOURCE: list[Decorator] = [
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
        "--exclude-folder",
        "excluded_folders",
        multiple=True,
        metavar="FOLDER_ID",
        help="Leave out every project under this folder, nested folders too (repeatable;"
        " 123 or folders/123; with --organization or --folder).",
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
    click.option(
        "--framework",
        "frameworks",
        multiple=True,
        metavar="NAME",
        help="Only checks mapped to this framework: cis (CIS GCP Foundation Benchmark), waf, or"
        " a pillar: waf-security, waf-reliability, waf-cost-optimization,"
        " waf-operational-excellence, waf-performance (repeatable or comma list).",
    ),
    checks_dir_option,
    config_option,
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
    click.option(
        "--debug",
        is_flag=True,
        help=(
            "Debug log on stderr: every API call (method, path, status, latency, attempt), "
            "scope resolution and timings; never a token or secret."
        ),
    ),
]

GATING: list[Decorator] = [
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
        type=click.Path(dir_okay=False, path_type=Path),
        help="Only findings missing from this baseline file count towards --fail-on.",
    ),
    click.option(
        "--strict-suppressions",
        is_flag=True,
        help="Expired or unused suppressions, and suppressions by a gcplint-ignore label in the"
        " scanned project, fail the run.",
    ),
]


def gating_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--fail-on, --on-incomplete, --baseline and --strict-suppressions."""
    return apply(GATING, func)


def request_options(
    *, gating: bool = False, snapshot: bool = False, concurrency: bool = True
) -> Decorator:
    """The options that make a ScanRequest (scope, source, checks; optionally --snapshot,
    gating and --max-concurrency); the command receives it as `request` (--debug is applied)."""

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def wrapper(**kwargs: Any) -> Any:
            from ..app import ScanRequest

            configure_logging(kwargs.pop("debug"))
            fields = ScanRequest.__dataclass_fields__
            given = {k: kwargs.pop(k) for k in list(kwargs) if k in fields}
            return func(request=ScanRequest(**given), **kwargs)

        options = [*_SCOPE_AND_SOURCE]
        if snapshot:
            options.append(snapshot_option)
        if gating:
            options += GATING
        if concurrency:
            options.append(concurrency_option)
        return apply(options, wrapper)

    return decorate


def configure_logging(debug: bool) -> None:
    """Warnings (or, with --debug, everything) from gcplint on stderr, one line each."""
    import logging

    class _OneLine(logging.Formatter):  # a log line may quote cloud text: make it printable
        def format(self, record: logging.LogRecord) -> str:
            return printable(super().format(record))

    log = logging.getLogger("gcplint")
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine("gcplint: %(levelname)s: %(message)s"))
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG if debug else logging.WARNING)
    log.propagate = False
    for noisy in ("urllib3", "googleapiclient"):  # their warnings repeat what our results say
        logging.getLogger(noisy).setLevel(logging.DEBUG if debug else logging.ERROR)


def warn(message: str) -> None:
    """A warning on stderr (made `printable`: it may quote cloud text)."""
    click.echo(f"gcplint: warning: {printable(message)}", err=True)


Target = tuple[str, Path | None]  # a format, and the file it goes to (None: stdout)


def targets(fmt: str, output: Path | None, reports: Sequence[str] = ()) -> list[Target]:
    """Every report a run writes: `--format` to `--output`, then each `--report FORMAT=PATH`
    (`-` is stdout). Two reports on stdout or on one file are refused, and every file is
    checked writable, before the scan."""
    from ..output import check_writable

    found: list[Target] = [(fmt, _stdout_or(output))]
    for item in reports:
        name, sep, file = item.partition("=")
        if not sep or not file:
            raise UsageError(f"--report {item!r}: expected FORMAT=PATH, e.g. sarif=gcplint.sarif")
        if name not in FORMATS:
            raise UsageError(
                f"--report {item!r}: unknown format {name!r} (one of {', '.join(sorted(FORMATS))})"
            )
        found.append((name, _stdout_or(Path(file))))
    seen: dict[Path | None, str] = {}
    for name, path in found:
        key = None if path is None else path.resolve()
        if key in seen:
            where = "stdout" if path is None else str(path)
            raise UsageError(
                f"the {seen[key]} and {name} reports both go to {where}: give each its own"
                " (--output PATH for --format, --report FORMAT=PATH for the others)"
            )
        seen[key] = name
    for _, path in found:
        if path is not None:
            check_writable(path)
    return found


def _stdout_or(path: Path | None) -> Path | None:
    return None if path is None or str(path) == "-" else path


@contextmanager
def destination(path: Path | None) -> Iterator[TextIO]:
    """stdout, or a file written atomically."""
    from ..output import atomic_output

    if path is None:
        yield sys.stdout
    else:
        with atomic_output(path) as stream:
            yield stream


def deliver(report: Report, to: Sequence[Target], options: RenderOptions) -> None:
    """Write the report in each format where asked. Unless the text report went to stdout, the
    one-line verdict goes to stderr, so a terminal or CI log always says how the run ended."""
    for fmt, path in to:
        with destination(path) as stream:
            render(report, fmt, stream, options)
        if path is not None:
            written(fmt, path, options)
    text_shown = ("text", None) in to and not options.quiet
    if not text_shown and (not options.quiet or report.exit_code() != 0):
        click.echo(f"gcplint: Result: {report.verdict()}", err=True)


def written(fmt: str, path: Path, options: RenderOptions) -> None:
    """Say where a report went (not with --quiet)."""
    if not options.quiet:
        click.echo(f"gcplint: {fmt} report written to {path}", err=True)
