"""`gcplint checks list|docs|explain`: the checks' own metadata and documentation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from ..errors import UsageError
from ..model import Area, Severity
from .common import checks_dir_option


@click.group()
def checks() -> None:
    """List and explain the available checks."""


@checks.command("list")
@checks_dir_option
def checks_list(checks_dirs: tuple[Path, ...]) -> None:
    """Every check: id, severity, area and title."""
    import shutil

    from ..checks.plugins import load_checks

    rows = [
        (s.id, s.severity.value, s.area.value, s.title)
        for s in (item.spec for item in load_checks(checks_dirs))
    ]
    width = max(120, shutil.get_terminal_size((80, 24)).columns)
    lines = table(("ID", "SEVERITY", "AREA", "TITLE"), rows, width)
    click.echo(click.style(lines[0], bold=True))
    click.echo("\n".join(lines[1:]))


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], width: int) -> list[str]:
    """Columns two spaces apart, each as wide as its longest cell; the last one wraps to fit
    `width`, and every line is padded to the table's width."""
    import textwrap

    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    widths[-1] = max(10, min(widths[-1], width - sum(w + 2 for w in widths[:-1])))
    lines = []
    for row in [header, *rows]:
        wrapped = textwrap.wrap(row[-1], widths[-1]) or [""]
        for n, part in enumerate(wrapped):
            cells = [*(row[:-1] if n == 0 else [""] * (len(row) - 1)), part]
            lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)))
    return lines


@checks.command("docs")
@checks_dir_option
def checks_docs(checks_dirs: tuple[Path, ...]) -> None:
    """Print every check's documentation as Markdown (docs/checks.md is this output)."""
    from ..checks.docs import checks_markdown
    from ..checks.plugins import load_checks

    click.echo(checks_markdown([c.spec for c in load_checks(checks_dirs)]), nl=False)


@checks.command("explain")
@click.argument("check_id")
@checks_dir_option
def checks_explain(check_id: str, checks_dirs: tuple[Path, ...]) -> None:
    """Show a check's documentation."""
    from rich.console import Console
    from rich.markdown import Markdown
    from rich.text import Text

    from ..checks.plugins import load_checks

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


@checks.command("new")
@click.argument("check_id")
@click.option("--title", required=True, help="What a passing project has, in a few words.")
@click.option(
    "--severity",
    required=True,
    type=click.Choice([s.value for s in Severity]),
    help="Default severity.",
)
@click.option(
    "--area", required=True, type=click.Choice([a.value for a in Area]), help="Checklist area."
)
@click.option(
    "--pack",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("checks/gcplint_checks"),
    show_default=True,
    help="The check pack's package directory.",
)
@click.option(
    "--cases",
    "cases_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("fixtures/cases"),
    show_default=True,
    help="Where case files live (one JSON file per check id).",
)
def checks_new(
    check_id: str, title: str, severity: str, area: str, pack: Path, cases_dir: Path
) -> None:
    """Scaffold a new check: its function with every docstring section, in the module named
    after the id's prefix, and a case file with a passing, a failing and an unreadable case."""
    from ..checks.plugins import load_checks
    from ..checks.scaffold import scaffold
    from ..output import atomic_output

    if check_id in {c.spec.id for c in load_checks()}:
        raise UsageError(
            f"check {check_id!r} already exists (see 'gcplint checks explain {check_id}')"
        )
    if not cases_dir.is_dir():
        raise UsageError(f"--cases {cases_dir}: not a directory")
    made = scaffold(check_id, title, Severity(severity), Area(area), pack, cases_dir)
    for path, text in ((made.cases, made.cases_text), (made.module, made.module_text)):
        with atomic_output(path) as stream:
            stream.write(text)
    click.echo(f"gcplint: wrote {made.module} and {made.cases}", err=True)
    click.echo(
        "  next: list what it reads in requires=, judge it in the body, fill the docstring and the"
        f" cases, then run: python -m pytest tests/test_checks.py -k {check_id}",
        err=True,
    )
