"""The command line: parses flags into requests, calls the application (`gcplint.app`), and
prints. One module per command group; `main` turns every user error into one line and exit 2.

Commands import the application (and the check packs, the renderers) when they run, not when
the command line is built: `gcplint --help` loads little more than click, and no command that
only prints help or metadata imports a Google library or the emulator.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

import click

from .. import __version__
from ..__main__ import EXIT_INTERRUPTED
from ..errors import GcplintError
from ..gate.verdict import EXIT_ERROR
from ..safetext import printable
from .checks import checks
from .doctor import doctor
from .emulator import emulator
from .report import report
from .scan import baseline, collect, scan


@click.group(
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 120},
    commands=[scan, collect, baseline, report, doctor, checks, emulator],
)
@click.version_option(__version__, prog_name="gcplint")
def cli() -> None:
    """gcplint: a production-readiness linter for Google Cloud projects. It only reads.

    \b
    Try it without Google:  gcplint scan --demo
    Scan a project:         gcplint scan --project PROJECT_ID
    What can it read?       gcplint doctor --project PROJECT_ID
    What does it check?     gcplint checks list
    """


def main(argv: Sequence[str] | None = None) -> Any:
    """Run the command line: every error is one line on stderr and exit code 2, never a
    traceback; a group named without a command (bare `gcplint`) prints its help and exits 0;
    Ctrl-C exits 130."""
    try:
        return cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="gcplint",
            standalone_mode=False,
        )
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.NoArgsIsHelpError as exc:
        click.echo(exc.ctx.get_help())
        sys.exit(0)
    except click.exceptions.Abort:  # click's own Ctrl-C (e.g. at a prompt)
        _interrupted()
    except click.ClickException as exc:
        hint = ""
        if isinstance(exc, click.UsageError) and exc.ctx is not None:
            hint = f" (see '{exc.ctx.command_path} --help')"
        _fail(exc.format_message().replace("\n", " ") + hint)
    except GcplintError as exc:
        _fail(str(exc))
    except KeyboardInterrupt:
        _interrupted()
    except Exception as exc:
        if "--debug" in sys.argv:
            raise
        _fail(f"internal error: {type(exc).__name__}: {exc} (re-run with --debug for a traceback)")


def _fail(message: str) -> None:
    for line in message.splitlines() or [""]:  # one error per line (several bad --project IDs)
        click.echo(f"gcplint: error: {printable(line)}", err=True)  # may quote cloud text
    sys.exit(EXIT_ERROR)


def _interrupted() -> None:
    click.echo("gcplint: interrupted", err=True)
    sys.exit(EXIT_INTERRUPTED)
