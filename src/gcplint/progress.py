"""Progress on stderr (never stdout): a live bar on a terminal, a plain line now and then
otherwise (CI logs), so a long organization scan shows it is alive and how long it has left."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO


class Progress:
    """Projects done of total, API calls, retries, elapsed and ETA. Use as a context manager;
    `counters()` gives (calls, retries) when the display is refreshed."""

    def __init__(
        self,
        total: int,
        counters: Callable[[], tuple[int, int]],
        *,
        stream: TextIO | None = None,
        interval: float | None = None,
        enabled: bool = True,
    ) -> None:
        self.total = total
        self.done = 0
        self._counters = counters
        self._stream = stream or sys.stderr
        self._tty = self._stream.isatty()
        self._interval = interval if interval is not None else (0.2 if self._tty else 10.0)
        self._enabled = enabled and total > 0
        self._started = time.monotonic()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def advance(self) -> None:
        """One more project done."""
        self.done += 1

    def line(self) -> str:
        """The current state in one line."""
        elapsed = time.monotonic() - self._started
        calls, retries = self._counters()
        eta = ""
        if 0 < self.done < self.total:
            eta = f" · ETA {_clock(elapsed / self.done * (self.total - self.done))}"
        bar = ""
        if self._tty:
            width = 20
            filled = width * self.done // max(1, self.total)
            bar = "[" + "#" * filled + "-" * (width - filled) + "] "
        return (
            f"gcplint: {bar}{self.done}/{self.total} projects · {calls} API calls · "
            f"{retries} retries · {_clock(elapsed)}{eta}"
        )

    def _loop(self) -> None:
        while not self._stop.wait(self._interval):
            self._show()

    def _show(self) -> None:
        if self._tty:
            self._stream.write("\r\x1b[2K" + self.line())
        else:
            self._stream.write(self.line() + "\n")
        self._stream.flush()

    def __enter__(self) -> Progress:
        if self._enabled:
            self._thread = threading.Thread(target=self._loop, name="gcplint-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is None:
            return
        self._stop.set()
        self._thread.join()
        if self._tty:
            self._stream.write("\r\x1b[2K")
            self._stream.flush()
        elif time.monotonic() - self._started >= self._interval:
            self._show()  # a last line, if any was printed before


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
