"""Work queued per API: a lane per API label, each with its own threads, as many as that API
may have calls in flight (its throttle says how many). A read waiting on a slow API's quota
holds a thread of that API's lane only, so it never idles the others.

A lane runs the most urgent job first: the lowest `order` (the runner gives each project the
order it was admitted in, so the oldest project's reads, and what they fan out to, go before a
newer one's), then first come, first served. Lanes run two kinds of work: the collections the runner reads ahead (`submit`), and the
per-resource reads a collection fans out to (`fan`). The two never share threads: a collection
waits for its fan-out, and a fan-out read waits for nothing, so neither can starve the other.
"""

from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

T = TypeVar("T")

IDLE_SECONDS = 5.0  # a lane's thread with nothing to do for this long ends (its connection too)


class Lane:
    """A queue of jobs, most urgent first, run by up to `width()` threads (read again as jobs
    come and go)."""

    def __init__(self, name: str, width: Callable[[], int]) -> None:
        self.name = name
        self._width = width
        self._jobs: list[tuple[int, int, Future[Any], Callable[[], Any]]] = []  # a heap
        self._count = itertools.count()
        lock = threading.Lock()
        self._cond = threading.Condition(lock)  # a job queued, or the lane closed
        self._stopped = threading.Condition(lock)  # nothing running any more (for `join`):
        # the end of a job must not wake every idle worker of the lane
        self._threads = 0
        self._idle = 0
        self._running = 0
        self._closed = False

    def submit(self, fn: Callable[[], T], order: int = 0) -> Future[T]:
        """Queue `fn` (lower `order` first); its future completes with its result or
        exception."""
        future: Future[T] = Future()
        with self._cond:
            if self._closed:
                future.cancel()
                future.set_running_or_notify_cancel()
                return future
            heapq.heappush(self._jobs, (order, next(self._count), future, fn))
            self._wake()
        return future

    def _wake(self) -> None:
        """Give the queue a thread: an idle one, or a new one while under the width."""
        if self._idle:
            self._cond.notify()
        elif self._threads < max(1, self._width()):
            self._threads += 1
            threading.Thread(target=self._work, name=f"gcplint-{self.name}", daemon=True).start()

    def _work(self) -> None:
        while True:
            with self._cond:
                while not self._jobs and not self._closed:
                    self._idle += 1
                    woken = self._cond.wait(IDLE_SECONDS)
                    self._idle -= 1
                    if not woken and not self._jobs:
                        break
                if not self._jobs or self._closed or self._threads > max(1, self._width()):
                    self._threads -= 1
                    if self._jobs and not self._closed:
                        self._wake()  # narrowed: the queue still has a thread
                    return
                _, _, future, fn = heapq.heappop(self._jobs)
                if self._jobs:
                    self._wake()  # widened since: more threads for the queue
                self._running += 1
            try:
                if future.set_running_or_notify_cancel():
                    try:
                        future.set_result(fn())
                    except BaseException as exc:  # the future carries it to whoever waits
                        future.set_exception(exc)
            finally:
                with self._cond:
                    self._running -= 1
                    if not self._running:
                        self._stopped.notify_all()

    def close(self) -> None:
        """Cancel what is queued; threads end after their current job."""
        with self._cond:
            self._closed = True
            jobs, self._jobs = self._jobs, []
            self._cond.notify_all()
        for _, _, future, _ in jobs:
            future.cancel()
            future.set_running_or_notify_cancel()  # (so `concurrent.futures.wait` sees it done)

    def join(self) -> None:
        """Wait for the jobs running now."""
        with self._cond:
            while self._running:
                self._stopped.wait()


class Lanes:
    """A lane per API label and kind of work, made on first use; `width(label)` is how many
    threads each of the label's lanes may run."""

    def __init__(self, width: Callable[[str], int]) -> None:
        self._width = width
        self._lock = threading.Lock()
        self._lanes: dict[tuple[str, str], Lane] = {}

    def lane(self, label: str, kind: str = "read") -> Lane:
        """The lane of `label` for `kind` ("read" or "fan")."""
        with self._lock:
            lane = self._lanes.get((label, kind))
            if lane is None:
                lane = self._lanes[(label, kind)] = Lane(
                    f"{kind}-{label}", lambda: self._width(label)
                )
            return lane

    def close(self, wait: bool = False) -> None:
        """Close every lane (and, with `wait`, wait for the jobs running in them: no call is
        made after this returns)."""
        with self._lock:
            lanes = list(self._lanes.values())
        for lane in lanes:
            lane.close()
        if wait:
            for lane in lanes:
                lane.join()
