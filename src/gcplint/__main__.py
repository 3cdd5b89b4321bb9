"""`python -m gcplint`, and the `gcplint` command's entry point.

It imports the command line inside a guard, so Ctrl-C while the modules load exits 130 with one
line, as it does later in the run, never with a traceback.
"""

from __future__ import annotations

import os
import sys

EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report a process stopped by Ctrl-C


def run() -> None:
    """Load the command line and run it."""
    try:
        from .cli import main
    except KeyboardInterrupt:
        sys.stderr.write("gcplint: interrupted\n")
        sys.exit(EXIT_INTERRUPTED)
    try:
        main()
    except SystemExit as exc:
        if exc.code != EXIT_INTERRUPTED:
            raise
        # Interrupted: leave now. Fetch threads may be waiting on a slow API; joining them
        # would keep a user who pressed Ctrl-C waiting for up to --timeout per queued read.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    run()
