"""Client-side rate limits: one adaptive throttle per API (`Throttles`), so a scan runs as fast
as each API's quota allows without being told it, and backs off when the API says 429."""

from __future__ import annotations

import heapq
import itertools
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping

from ..model import ApiUse

MAX_IN_FLIGHT = 64  # calls of one API in flight, at most (--max-concurrency lowers it)
_START_WINDOW = 8
_START_LATENCY = 0.05
_MIN_RATE = 0.2


class Throttle:
    """One API's adaptive limit: a token bucket whose rate gcplint finds by itself, and how many
    calls may be in flight.

    The rate starts at `rate` (None: unlimited, with a slow-start window of calls in flight).
    While callers queue for tokens and the API answers without 429, the rate rises (by half per
    second until the first 429, then by a tenth); a 429 cuts it, once per episode, to 90% of what
    the API served in the last second (Little's law sizes the calls in flight from the rate and
    the observed latency). A `ceiling` (the user's --rate-limit) is never exceeded.
    """

    def __init__(
        self,
        label: str,
        rate: float | None,
        ceiling: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_in_flight: int = MAX_IN_FLIGHT,
    ) -> None:
        self.label = label
        self.max_in_flight = max_in_flight
        self.rate = rate if ceiling is None or rate is None else min(rate, ceiling)
        self.ceiling = ceiling
        self._clock = clock
        self._sleep = sleep
        self._cond = threading.Condition()
        now = clock()
        self._tokens = 1.0
        self._stamp = now
        self._in_flight = 0
        self._waiting: list[tuple[int, int]] = []  # a heap of the tickets of waiting callers
        self._tickets = itertools.count()
        self._window = min(_START_WINDOW, max_in_flight)  # in flight while no rate is known
        self._latency = _START_LATENCY  # seconds, moving average of successful calls
        self._served: deque[float] = deque()  # when calls succeeded, over the last second
        self._probing = True  # no 429 yet: raise fast
        self._refused_at = math.inf  # the rate the last 429 came at
        self._last_cut = -math.inf
        self._last_raise = now
        self._starved = 0.0  # seconds callers waited for tokens since the last raise
        self._first: float | None = None
        self._last = now
        self.calls = 0
        self.successes = 0
        self.throttled = 0
        self.waited = 0.0

    def concurrency(self) -> int:
        """How many calls may be in flight now."""
        with self._cond:
            return self._concurrency()

    def _concurrency(self) -> int:
        if self.rate is None:
            return self._window
        wanted = math.ceil(self.rate * self._latency * 1.5) + 2
        return max(1, min(self.max_in_flight, wanted))

    def acquire(self, order: int = 0) -> None:
        """Wait for a slot in flight and a token; every call holds one until `release`.
        Waiting callers get slots lowest `order` first, then first come, first served."""
        with self._cond:
            ticket = (order, next(self._tickets))
            heapq.heappush(self._waiting, ticket)
            while self._waiting[0] != ticket or self._in_flight >= self._concurrency():
                self._cond.wait()
            heapq.heappop(self._waiting)
            self._in_flight += 1
            self.calls += 1
            now = self._clock()
            if self._first is None:
                self._first = now
            wait = 0.0
            if self.rate is not None:
                self._tokens = min(1.0, self._tokens + (now - self._stamp) * self.rate)
                self._stamp = now
                self._tokens -= 1.0
                if self._tokens < 0:
                    wait = -self._tokens / self.rate
                    self.waited += wait
                    self._starved += wait
            self._cond.notify_all()  # the next waiter may be the head now
        if wait > 0:
            self._sleep(wait)

    def release(self, throttled: bool, seconds: float) -> None:
        """A call is over: `throttled` when the API answered 429, else it took `seconds`."""
        with self._cond:
            self._in_flight -= 1
            now = self._clock()
            self._last = now
            while self._served and self._served[0] < now - 1.0:
                self._served.popleft()
            if throttled:
                self.throttled += 1
                self._cut(now)
            else:
                self.successes += 1
                self._served.append(now)
                self._latency += (seconds - self._latency) * 0.2
                self._raise(now)
            self._cond.notify_all()

    def _cut(self, now: float) -> None:
        """A 429: once per episode (the calls in flight answer alike), slow down below what the
        API served over the last second (or since the first call, if sooner)."""
        if now - self._last_cut < max(1.0, 2 * self._latency):
            return
        self._last_cut = now
        self._probing = False
        span = min(1.0, max(now - (self._first or now), self._latency))
        served = len(self._served) / span
        current = self.rate if self.rate is not None else served
        self._refused_at = min(current, served) if served else current
        target = 0.9 * self._refused_at if served else 0.5 * current
        self.rate = max(_MIN_RATE, target)
        self._tokens = min(self._tokens, 0.0)
        self._last_raise = now
        self._starved = 0.0

    def _raise(self, now: float) -> None:
        """No 429 since the last raise and callers waited for tokens (or filled the window):
        the API may take more. Before the first 429 the rate grows by half a second; after one,
        by half back up to 85% of where the 429 came, then by 5%."""
        if self.rate is None:
            if self._in_flight + 1 >= self._window:
                self._window = min(self.max_in_flight, self._window + 1)
            return
        elapsed = now - self._last_raise
        if elapsed < 1.0:
            return
        if now - self._last_cut >= elapsed and self._starved > 0.1 * elapsed:
            fast = self._probing or self.rate < 0.85 * self._refused_at
            grown = self.rate * (1.5 if fast else 1.05)
            if not self._probing:
                grown = max(self.rate * 1.05, min(grown, 0.85 * self._refused_at))
            self.rate = grown if self.ceiling is None else min(grown, self.ceiling)
        self._last_raise = now
        self._starved = 0.0

    def use(self) -> ApiUse:
        """What this API cost so far."""
        with self._cond:
            span = self._last - self._first if self._first is not None else 0.0
            achieved = self.calls / span if span > 0 else 0.0
            return ApiUse(self.label, self.calls, self.throttled, self.waited, achieved, self.rate)


class Throttles:
    """A `Throttle` per API label, made on first use: labels in `start` begin at that rate,
    others unlimited; `ceilings` (--rate-limit) are never exceeded, and no API has more than
    `max_in_flight` calls in flight (--max-concurrency)."""

    def __init__(
        self,
        start: Mapping[str, float],
        ceilings: Mapping[str, float] | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        max_in_flight: int | None = None,
    ) -> None:
        self._max_in_flight = max_in_flight or MAX_IN_FLIGHT
        self._start = dict(start)
        self._ceilings = dict(ceilings or {})
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._throttles: dict[str, Throttle] = {}

    def of(self, label: str) -> Throttle:
        """The API's throttle."""
        with self._lock:
            throttle = self._throttles.get(label)
            if throttle is None:
                ceiling = self._ceilings.get(label)
                start = self._start.get(label, ceiling)
                throttle = self._throttles[label] = Throttle(
                    label, start, ceiling, self._clock, self._sleep, self._max_in_flight
                )
            return throttle

    def waited(self) -> float:
        """Seconds spent waiting for every API together."""
        return sum(u.waited for u in self.use())

    def use(self) -> list[ApiUse]:
        """Each API's cost so far, by label."""
        with self._lock:
            throttles = sorted(self._throttles.items())
        return [t.use() for _, t in throttles]


def parse_rate(text: str, *, zero: bool) -> tuple[str, float]:
    """`LABEL=RPS`: an API label and a finite number of requests per second, positive (or 0,
    when `zero` is allowed); raises ValueError."""
    label, sep, value = text.partition("=")
    try:
        rate = float(value)
    except ValueError:
        rate = -1.0
    if not sep or not label or not (0 <= rate < float("inf")) or (rate == 0 and not zero):
        raise ValueError(text)
    return label, rate
