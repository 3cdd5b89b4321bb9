"""`gcplint doctor`: which permissions the selected checks need, which the identity lacks, and
the checks each missing one blocks."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, TextIO

import click

from .. import __version__
from ..gate.verdict import EXIT_CLEAN, EXIT_INCOMPLETE
from .common import request_options

if TYPE_CHECKING:
    from ..app import Diagnosis, ScanRequest


@click.command()
@request_options(concurrency=False)
@click.option(
    "--role",
    is_flag=True,
    help="Print a custom IAM role (YAML) with exactly the permissions needed.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
def doctor(request: ScanRequest, role: bool, fmt: str) -> None:
    """Check that the scanning identity holds every permission the selected checks need.

    Exit codes: 0 every permission granted, 3 some missing (scans would be incomplete), 2 error.
    """
    from .. import app
    from ..doctor import role_yaml

    if role:
        click.echo(role_yaml(app.select_checks(request).checks, __version__), nl=False)
        return
    found = app.doctor(request)
    render(found, fmt, sys.stdout)
    sys.exit(EXIT_INCOMPLETE if any(t.missing or t.error for t in found.targets) else EXIT_CLEAN)


def render(found: Diagnosis, fmt: str, stream: TextIO) -> None:
    """Write the doctor report as text or JSON."""
    from rich.console import Console
    from rich.text import Text

    from ..doctor import PROJECT_ROLES, needs
    from ..report import plural

    identity, quota_project, specs, targets = (
        found.identity,
        found.quota_project,
        found.checks,
        found.targets,
    )
    needed = {p.name for p in needs(specs)}
    if fmt == "json":
        json.dump(
            {
                "schema": "gcplint-doctor/v1",
                "identity": identity,
                "quota_project": quota_project,
                "checks": [s.id for s in specs],
                "targets": [
                    {
                        "kind": t.kind,
                        "name": t.name,
                        "needed": t.needed,
                        "missing": [
                            {"permission": p, "blocks": t.blocks.get(p, [])} for p in t.missing
                        ],
                        "error": t.error,
                    }
                    for t in targets
                ],
            },
            stream,
            indent=2,
        )
        stream.write("\n")
        return
    console = Console(file=stream, highlight=False, soft_wrap=True, emoji=False)
    console.print(Text.assemble(("gcplint doctor", "bold"), f" · identity: {identity}"))
    console.print(
        Text(
            f"quota project: {quota_project or 'none set (the project of the credentials)'}",
            style="dim",
        )
    )
    console.print(
        Text(
            f"{plural(len(specs), 'check')} {'needs' if len(specs) == 1 else 'need'}"
            f" {plural(len(needed), 'permission')} on {plural(len(targets), 'resource')}.",
            style="dim",
        )
    )
    console.print()
    for target in targets:
        if target.error:
            console.print(
                Text(
                    f"? {target.label}: could not test permissions: {target.error}", style="yellow"
                )
            )
        elif target.missing:
            console.print(
                Text(
                    f"✗ {target.label}: {len(target.missing)} of"
                    f" {plural(len(target.needed), 'permission')} missing",
                    style="bold red",
                )
            )
            for permission in target.missing:
                checks = target.blocks.get(permission, [])
                console.print(Text(f"    {permission}  blocks {', '.join(checks)}"))
        else:
            count = len(target.needed)
            granted = (
                "its 1 permission is granted"
                if count == 1
                else f"all {count} permissions are granted"
            )
            console.print(Text(f"✓ {target.label}: {granted}", style="green"))
    console.print()
    missing = {p for t in targets for p in t.missing}
    if not missing and not any(t.error for t in targets):
        console.print(
            Text("Every permission the selected checks need is granted.", style="bold green")
        )
        return
    untested = [t for t in targets if t.error]
    if untested:
        console.print(
            Text(
                f"{plural(len(untested), 'resource')} could not be tested (marked ?): a scan may"
                " leave checks unknown there.",
                style="bold yellow",
            )
        )
    if not missing:
        return
    blocked = sorted({c for t in targets for p in t.missing for c in t.blocks.get(p, [])})
    console.print(
        Text(
            f"{plural(len(missing), 'missing permission')}"
            f" {'leaves' if len(missing) == 1 else 'leave'}"
            f" {plural(len(blocked), 'check')} unknown in scans.",
            style="bold yellow",
        )
    )
    roles = {p.name: p.role for p in needs(specs)}
    kinds = sorted({t.kind for t in targets if t.missing})
    advice = [
        PROJECT_ROLES
        if kind == "project"
        else " + ".join(
            sorted({r for t in targets if t.kind == kind for p in t.missing if (r := roles.get(p))})
            or ["a role granting them"]
        )
        for kind in kinds
    ]
    console.print(
        Text(
            f"Grant {'it' if len(missing) == 1 else 'them'} with the custom role from"
            " `gcplint doctor --role`, or predefined roles: "
            + "; ".join(
                f"{roles_} on the {kind}" for roles_, kind in zip(advice, kinds, strict=True)
            )
            + "."
        )
    )
