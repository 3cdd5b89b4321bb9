"""`gcplint checks list|docs|explain`: the checks' own metadata and documentation."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from ..errors import UsageError, did_you_mean
from ..model import Area, Severity
from .common import checks_dir_option


@click.group()
def checks() -> None:
    """List and explain the available checks."""


@checks.command("list")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="A table fitted to the terminal, or JSON (one object per check).",
)
@click.option(
    "--area",
    "areas",
    multiple=True,
    type=click.Choice([a.value for a in Area]),
    help="Only checks of this checklist area (repeatable).",
)
@click.option(
    "--severity",
    type=click.Choice([s.value for s in Severity]),
    help="Only checks at least this severe (by default severity).",
)
@checks_dir_option
def checks_list(
    fmt: str, areas: tuple[str, ...], severity: str | None, checks_dirs: tuple[Path, ...]
) -> None:
    """Every check: id, severity, area and title (or, as JSON, everything about it)."""
    import sys

    from ..checks.docs import DOCS_URL, docs_anchors
    from ..checks.plugins import load_checks
    from ..report.layout import terminal_width

    loaded = load_checks(checks_dirs)
    anchors = docs_anchors([item.spec for item in loaded])  # as in the whole reference
    chosen = [
        item
        for item in loaded
        if (not areas or item.spec.area.value in areas)
        and (severity is None or item.spec.severity.at_least(Severity(severity)))
    ]
    if fmt == "json":
        import json

        document = {
            "schema": "gcplint-checks/v1",
            "checks": [
                {
                    "id": s.id,
                    "title": s.title,
                    "severity": s.severity.value,
                    "area": s.area.value,
                    "security": s.security,
                    "exposure": s.exposure,
                    "prod_only": s.prod_only,
                    "controls": [
                        {"framework": c.framework, "id": c.id, "title": c.title, "tag": c.tag}
                        for c in s.controls
                    ],
                    "source": s.source,
                    "pack": item.origin,
                    "permissions": [
                        {"permission": p.name, "on": p.on, "role": p.role} for p in s.permissions
                    ],
                    "anchor": anchors[s.id],
                    "documentation": f"{DOCS_URL}#{anchors[s.id]}",
                }
                for item in chosen
                for s in [item.spec]
            ],
        }
        click.echo(json.dumps(document, indent=2))
        return
    rows = [(s.id, s.severity.value, s.area.value, s.title) for s in (i.spec for i in chosen)]
    width = terminal_width(sys.stdout, 80) or 80
    head, *body = table(("ID", "SEVERITY", "AREA", "TITLE"), rows, width)
    click.echo("\n".join(click.style(line, bold=True) for line in head))
    if body:
        click.echo("\n".join(line for lines in body for line in lines))


MIN_TITLE = 30  # a narrower title column is not a column: the title goes below its row
TITLE_HANG = 2  # a wrapped title's further lines are indented this much more
STACKED = 4  # the indent of a title (and, when even the other columns do not fit, the
# severity and area) below its check id


def table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]], width: int) -> list[list[str]]:
    """The lines of the header and of each row: columns two spaces apart, each as wide as its
    longest cell, fitted to `width`. Only the last column wraps (its further lines indented by
    two); when it would be narrower than MIN_TITLE it goes on its own lines below the others,
    indented; when even the other columns do not fit, every cell but the first goes below it.
    Other cells never wrap (a first cell wider than `width` overflows)."""
    from ..report.layout import wrap

    def last(text: str, indent: int) -> list[str]:
        room = width - indent
        parts = wrap(text, room, room - TITLE_HANG) if room - TITLE_HANG >= 10 else [text]
        return [" " * indent + parts[0], *(" " * (indent + TITLE_HANG) + p for p in parts[1:])]

    def joined(cells: Sequence[str], widths: Sequence[int]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    fixed = sum(w + 2 for w in widths[:-1])
    if width - fixed >= MIN_TITLE:  # a table
        return [
            [(joined(row[:-1], widths[:-1]).ljust(fixed) + parts[0][fixed:]).rstrip(), *parts[1:]]
            for row in [header, *rows]
            for parts in [last(row[-1], fixed)]
        ]
    if fixed - 2 <= width:  # the last cell below the others
        return [[joined(row[:-1], widths[:-1]), *last(row[-1], STACKED)] for row in [header, *rows]]
    return [  # one line for the first cell, one for the others but the last, then the last
        [row[0], " " * STACKED + " · ".join(row[1:-1]), *last(row[-1], STACKED)]
        for row in [header, *rows]
    ]


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
        raise UsageError(
            f"unknown check {check_id!r}{did_you_mean(check_id, found)} (see 'gcplint checks list')"
        )
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
    for control in spec.controls:
        console.print(Text(f"evidences: {control.label} [{control.tag}]", style="dim"))
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
