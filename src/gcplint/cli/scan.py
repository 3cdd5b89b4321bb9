"""`gcplint scan`, `gcplint collect` and `gcplint baseline create|update`."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .. import __version__
from ..errors import UsageError
from ..report import RenderOptions, plural

if TYPE_CHECKING:
    from ..app import ScanRequest
    from ..model import Result

from .common import (
    deliver,
    destination,
    format_option,
    output_option,
    quiet_option,
    request_options,
    severity_option,
    targets,
    verbose_option,
    warn,
    written,
)


@click.command()
@request_options(gating=True, snapshot=True)
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
@severity_option
@verbose_option
@quiet_option
def scan(
    request: ScanRequest,
    fmt: str,
    output: Path | None,
    reports: tuple[str, ...],
    sarif_profile: str,
    sarif_category: str | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Scan projects against the production checklist.

    Exit codes: 0 clean, 1 an active finding at or above --fail-on (or stale or label
    suppressions with --strict-suppressions), 2 usage/config/credential error, 3 incomplete (unknown results),
    130 interrupted (Ctrl-C).
    """
    from .. import app
    from ..report import jsonl
    from ..report.text import api_table

    to = targets(fmt, output, reports)
    options = RenderOptions(verbose, sarif_profile, sarif_category, quiet)
    if quiet:
        request = replace(request, progress=False)
    if fmt == "jsonl":  # streamed: each project's results are written as soon as it is done
        streamed = to[0][1]
        with destination(streamed) as out:

            def sink(found: Sequence[Result]) -> None:
                jsonl.write_results(found, out)

            report = app.scan(request, sink=sink, lean=len(to) == 1, warn=warn)
            jsonl.write_summary(report, out)
        if streamed is not None:
            written("jsonl", streamed, options)
        deliver(report, to[1:], options)
    else:
        report = app.scan(request, warn=warn)
        deliver(report, to, options)
    if verbose:
        for line in api_table(report.api_use):
            click.echo(f"gcplint: {line}", err=True)
    sys.exit(report.exit_code())


@click.command()
@request_options()
@click.option(
    "--output",
    "-o",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The snapshot file (a name ending in .gz is compressed).",
)
def collect(request: ScanRequest, output: Path) -> None:
    """Read everything the selected checks need into a snapshot: scan it offline with
    'gcplint scan --snapshot', or serve it with 'gcplint emulator serve'."""
    from .. import app
    from ..output import check_writable

    check_writable(output)
    done = app.collect(request, output)
    click.echo(
        f"gcplint: snapshot {output} written: {plural(done.projects, 'project')},"
        f" {plural(done.checks, 'check')}, {plural(done.reads, 'read')}"
        f" ({done.failed} failed, kept as failures),"
        f" {done.calls} API calls, {output.stat().st_size} bytes",
        err=True,
    )


@click.group()
def baseline() -> None:
    """Create or update a baseline: accepted findings, so only new ones fail a run."""


@baseline.command("create")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@request_options(snapshot=True)
def baseline_create(path: Path, request: ScanRequest) -> None:
    """Scan and write every active finding's fingerprint to PATH (which must not exist)."""
    if path.exists():
        raise UsageError(f"baseline {path} already exists: use 'gcplint baseline update {path}'")
    from .. import app
    from ..gate.baseline import merge as merge_baseline
    from ..gate.baseline import save as save_baseline
    from ..output import check_writable

    check_writable(path)
    report = app.scan_ungated(request)
    now = report.started.isoformat(timespec="seconds")
    entries = merge_baseline([], report.results, now, prune=False, evaluated=[], projects=[])
    save_baseline(path, entries, __version__, now)
    click.echo(f"gcplint: baseline {path} written with {plural(len(entries), 'finding')}", err=True)


@baseline.command("update")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path, exists=True))
@request_options(snapshot=True)
@click.option("--prune", is_flag=True, help="Drop entries that no longer fail (fixed findings).")
def baseline_update(path: Path, request: ScanRequest, prune: bool) -> None:
    """Scan and add new findings to the baseline at PATH; existing entries are kept."""
    from .. import app
    from ..gate.baseline import load as load_baseline
    from ..gate.baseline import merge as merge_baseline
    from ..gate.baseline import save as save_baseline

    entries = load_baseline(path)
    report = app.scan_ungated(request)
    now = report.started.isoformat(timespec="seconds")
    merged = merge_baseline(
        entries,
        report.results,
        now,
        prune=prune,
        evaluated=[c.id for c in report.checks],
        projects=[p.project_id for p in report.projects],
    )
    save_baseline(path, merged, __version__, now)
    added = len({e.fingerprint for e in merged} - {e.fingerprint for e in entries})
    dropped = len({e.fingerprint for e in entries} - {e.fingerprint for e in merged})
    click.echo(
        f"gcplint: baseline {path}: {plural(len(merged), 'finding')}, {added} added,"
        f" {dropped} pruned",
        err=True,
    )
