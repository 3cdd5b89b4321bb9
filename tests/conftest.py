"""Fixtures: a hermetic environment and an emulator per test.

Everything goes through the real client libraries over HTTP to the emulator; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gcplint.emulator import Emulator, World


@pytest.fixture(autouse=True)
def _hermetic_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fast retries, no colour, and no API base leaking in from the caller's shell."""
    monkeypatch.setenv("GCPLINT_RETRY_INITIAL", "0.001")
    monkeypatch.delenv("GCPLINT_API_BASE", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")


@pytest.fixture
def serve() -> Iterator[Any]:
    """serve(world, page_size=1) -> a started Emulator, stopped after the test."""
    started: list[Emulator] = []

    def start(w: World, page_size: int = 1, **kwargs: Any) -> Emulator:
        emu = Emulator(w, page_size=page_size, **kwargs).start()
        started.append(emu)
        return emu

    yield start
    for emu in started:
        emu.stop()
