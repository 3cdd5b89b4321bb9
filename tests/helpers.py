"""Test helpers: worlds, sessions and CLI runs against the emulator.

Everything goes through the real client libraries over HTTP to the emulator; nothing is mocked.
"""

from __future__ import annotations

import copy
import io
import json
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from google.auth.credentials import AnonymousCredentials

from gcplint.cli import main
from gcplint.collect import registry
from gcplint.collect.clients import Clients
from gcplint.collect.connect import ClientSettings
from gcplint.collect.session import Session
from gcplint.collect.transport import RetryPolicy, Transport
from gcplint.emulator import Emulator, World

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
FAST_RETRY = RetryPolicy(attempts=3, initial=0.001, maximum=0.005)


def project(project_id: str, number: str, **extra: Any) -> dict[str, Any]:
    """A v3 Project in REST JSON."""
    return {"name": f"projects/{number}", "projectId": project_id, "state": "ACTIVE", **extra}


def world(projects: dict[str, dict[str, Any]] | None = None, **top: Any) -> World:
    """A world from project bodies (each needs a 'project')."""
    return World.from_json({"schema": "gcplint-world/v1", "projects": projects or {}, **top})


def load_world(name: str) -> dict[str, Any]:
    """A fixture world as raw JSON (to modify before use)."""
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return copy.deepcopy(data)


def session_for(emu: Emulator, retry: RetryPolicy = FAST_RETRY, timeout: float = 10.0) -> Session:
    """A fresh Session talking to the emulator, as a scan would build it."""
    settings = ClientSettings(api_base=emu.url, timeout=timeout)
    transport = Transport(Clients(settings, AnonymousCredentials()), retry)
    return Session(transport, numbers=registry.PROJECT)


@dataclass
class Run:
    """What one CLI invocation did."""

    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.out)
        return data


def run_cli(*args: str) -> Run:
    """Run `gcplint ARGS` in-process, capturing stdout, stderr and the exit code."""
    out, err = io.StringIO(), io.StringIO()
    code = 0
    argv = sys.argv
    sys.argv = ["gcplint", *args]
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main(list(args))
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    finally:
        sys.argv = argv
    return Run(code, out.getvalue(), err.getvalue())
