"""`gcplint checks list|docs|explain`: the checks' own metadata and documentation."""

from __future__ import annotations

from pathlib import Path

import click

from ..docs import checks_markdown
from ..errors import UsageError
from ..plugins import load_checks
from .common import checks_dir_option


@click.group()
def checks() -> None:
    """List and explain the available checks."""


@checks.command("list")
@checks_dir_option
def checks_list(checks_dirs: tuple[Path, ...]) -> None:
    """Every check: id, severity, area and title."""
    from rich.console import Console
    from rich.table import Table

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
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.text import Text

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
