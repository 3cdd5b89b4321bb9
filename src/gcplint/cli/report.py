"""`gcplint report merge`: shard reports combined into one."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..report import RenderOptions
from .common import (
    checks_dir_option,
    config_option,
    deliver,
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
