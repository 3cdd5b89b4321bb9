"""`gcplint report merge`: shard reports combined into one."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..report import RenderOptions
from .common import checks_dir_option, format_option, output_option, verbose_option, write


@click.group()
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
    from ..checks.plugins import load_checks
    from ..output import check_writable
    from ..report.merge import merge

    if output is not None:
        check_writable(output)
    merged = merge(list(paths), [c.spec for c in load_checks(checks_dirs)])
    write(merged, fmt, output, RenderOptions(verbose))
    sys.exit(merged.exit_code())
