"""`gcplint report merge`: shard reports combined into one; `gcplint report diff`: two scans
compared."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..errors import UsageError
from ..report import DIFF_FORMATS, RenderOptions
from ..safetext import printable
from .common import (
    SEVERITIES,
    checks_dir_option,
    config_option,
    deliver,
    destination,
    format_option,
    gating_options,
    output_option,
    quiet_option,
    severity_option,
    targets,
    verbose_option,
)


@click.group()
def report() -> None:
    """Work with finished reports."""


@report.command("merge")
@click.argument("paths", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@format_option
@output_option
@checks_dir_option
@config_option
@gating_options
@severity_option
@verbose_option
@quiet_option
def report_merge(
    paths: tuple[Path, ...],
    fmt: str,
    output: Path | None,
    checks_dirs: tuple[Path, ...],
    config: Path | None,
    fail_on: str | None,
    on_incomplete: str | None,
    baseline: Path | None,
    strict_suppressions: bool,
    min_severity: str | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Merge shard reports (JSON, from 'gcplint scan --shard K/N --format json') into one
    report, and gate it as one scan: --fail-on, --on-incomplete, --baseline and
    --strict-suppressions (else the config file, else the defaults) decide the exit code, as
    'gcplint scan' would give it. The shards' own gating is ignored. A shard that is missing or
    given twice makes the merge incomplete (exit 3 with --on-incomplete fail), naming the shard."""
    from .. import app

    to = targets(fmt, output)
    request = app.MergeRequest(
        paths,
        checks_dirs,
        config,
        fail_on,
        on_incomplete,
        baseline,
        strict_suppressions,
        min_severity,
    )
    merged = app.merge(request)
    deliver(merged, to, RenderOptions(verbose, quiet=quiet))
    sys.exit(merged.exit_code())


@report.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(DIFF_FORMATS),
    default="text",
    show_default=True,
    help="Format written to stdout (or --output); markdown fits a pull-request comment, html is"
    " a page to hand over.",
)
@output_option
@click.option(
    "--fail-on",
    type=click.Choice([*SEVERITIES, "never"]),
    default=None,
    help="Exit 1 when a finding active in NEW and not in OLD has at least this severity"
    " (default: config, else low).",
)
@click.option(
    "--on-incomplete",
    type=click.Choice(["fail", "warn"]),
    default=None,
    help="A side missing a shard: exit 3 (fail, default) or warn and exit 0.",
)
@checks_dir_option
@config_option
@click.option("--verbose", "-v", is_flag=True, help="Text: also list the findings still failing.")
def report_diff(
    old: Path,
    new: Path,
    fmt: str,
    output: Path | None,
    fail_on: str | None,
    on_incomplete: str | None,
    checks_dirs: tuple[Path, ...],
    config: Path | None,
    verbose: bool,
) -> None:
    """What changed from OLD to NEW: new, fixed, changed-status and still-failing findings,
    matched by fingerprint (check, resource, subject, grant). OLD and NEW are each a JSON report
    ('gcplint scan --format json') or a directory of the shard reports of one scan (every *.json
    in it, merged as 'report merge' does). Exit 1 when a finding active in NEW (not suppressed,
    not in a baseline) and not active in OLD is at or above --fail-on; 3 when a side misses a
    shard (--on-incomplete fail); 0 otherwise; 2 on a report that cannot be read."""
    from .. import app
    from ..report.diff import render

    to = targets("json", output)[0][1]  # checks --output is writable before reading anything
    request = app.DiffRequest(shards(old), shards(new), checks_dirs, config, fail_on, on_incomplete)
    found = app.diff(request, (str(old), str(new)))
    with destination(to) as stream:
        render(found, fmt, stream, verbose)
    if to is not None or fmt != "text":
        click.echo(f"gcplint: Result: {printable(found.verdict())}", err=True)
    sys.exit(found.exit_code())


def shards(path: Path) -> tuple[Path, ...]:
    """A report file, or the shard reports (*.json) of a directory."""
    if not path.is_dir():
        return (path,)
    found = tuple(sorted(path.glob("*.json")))
    if not found:
        raise UsageError(f"{path}: a directory with no JSON report (*.json) in it")
    return found
