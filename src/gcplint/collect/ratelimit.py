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
_START_WINDOW = 2  # then one more per round trip that found it full (until the first 429)
_MAX_WINDOW = 16  # up to this many: with no rate known, more calls in flight than a process can
# handle would only add threads (each API has its own; the CPU of one process is the limit)
_START_LATENCY = 0.05
_MIN_RATE = 0.2
_CREEP = 1.02  # growth per second after a 429, once back near where it came: a 429 every
# 15 s or so at a quota's edge, as the API's own bucket drains slowly


class Throttle:
    """One API's adaptive limit: a token bucket whose rate gcplint finds by itself, and how many
    calls may be in flight.

    The rate starts at `rate` (None: unlimited, with a slow-start window of calls in flight).
    While the API serves about its rate and answers without 429, the rate rises (`_raise`); a
    429 cuts it, once per episode, below what the API served in the last second (`_cut`).
    Little's law sizes the calls in flight from the rate and the observed latency. A `ceiling`
    (the user's --rate-limit) is never exceeded.
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
        self._lock = threading.Lock()
        now = clock()
        self._tokens = 1.0
        self._stamp = now
        self._in_flight = 0
        self._waiting: list[tuple[int, int, threading.Lock]] = []  # a heap of waiting callers
        self._tickets = itertools.count()
        self._window = float(min(_START_WINDOW, max_in_flight))  # in flight, no rate known
        self._filled = False  # the last call made filled the window
        self._latency = _START_LATENCY  # seconds, moving average of successful calls
        self._served: deque[float] = deque()  # when calls succeeded, over the last second
        self._probing = True  # no 429 yet: raise fast
        self._refused_at = math.inf  # the rate the last 429 came at
        self._last_cut = -math.inf
        self._last_raise = now
        self._first: float | None = None
        self._last = now
        self.calls = 0
        self.successes = 0
        self.throttled = 0
        self.waited = 0.0

    def concurrency(self) -> int:
        """How many calls may be in flight now."""
        with self._lock:
            return self._concurrency()

    def _concurrency(self) -> int:
        if self.rate is None:
            return int(self._window)
        wanted = math.ceil(self.rate * self._latency * 1.5) + 2
        return max(1, min(self.max_in_flight, wanted))

    def acquire(self, order: int = 0) -> None:
        """Wait for a slot in flight and a token; every call holds one until `release`.
        Waiting callers get slots lowest `order` first, then first come, first served; each
        is woken alone, when its slot is free."""
        with self._lock:
            turn: threading.Lock | None = None
            if self._waiting or self._in_flight >= self._concurrency():
                turn = threading.Lock()
                turn.acquire()
                heapq.heappush(self._waiting, (order, next(self._tickets), turn))
            else:
                self._in_flight += 1
        if turn is not None:
            turn.acquire()  # released by `_grant`, which counted this call in flight
        with self._lock:
            self._filled = self._in_flight >= int(self._window)
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
        if wait > 0:
            self._sleep(wait)

    def _grant(self) -> None:
        """Give free slots to the waiting callers first in line (under the lock)."""
        while self._waiting and self._in_flight < self._concurrency():
            _, _, turn = heapq.heappop(self._waiting)
            self._in_flight += 1
            turn.release()

    def release(self, throttled: bool, seconds: float) -> None:
        """A call is over: `throttled` when the API answered 429, else it took `seconds`."""
        with self._lock:
            self._in_flight -= 1
            now = self._clock()
            self._last = now
            while self._served and self._served[0] < now - 1.0:
                self._served.popleft()
            if throttled:
                self.throttled += 1
                self._cut(now, now - seconds)
            else:
                self.successes += 1
                self._served.append(now)
                self._latency += (seconds - self._latency) * 0.2
                self._raise(now)
            self._grant()

    def _cut(self, now: float, started: float) -> None:
        """A 429: slow down below what the API served over the last second (or since the first
        call, if sooner). Once per episode: a call made before the last cut answers for the
        rate before it; one made after says the cut was not deep enough."""
        if started < self._last_cut:
            return
        self._last_cut = now
        span = min(1.0, max(now - (self._first or now), 0.5))
        served = len(self._served) / span
        if not served:  # nothing answered lately: no rate to go by, only fewer calls at once
            self._window = max(1.0, self._window / 2)
            return
        self._probing = False
        if self.rate is None and now - (self._first or now) < 2.0:  # an early first 429: what
            # the API served includes its bucket's burst (a second's worth within the first
            # half second), so a third of it, and back up fast to (85% of) 70% of it
            self._refused_at = 0.7 * served
            target = served / 3
        elif self.rate is None:  # what it served over the last second is its rate
            self._refused_at = served
            target = 0.9 * served
        else:
            self._refused_at = min(self.rate, served)
            target = 0.9 * self._refused_at
        target = min(target, self.rate or target)
        self.rate = max(_MIN_RATE, target)
        self._tokens = min(self._tokens, 0.0)
        self._last_raise = now

    def _raise(self, now: float) -> None:
        """No 429 since the last raise and the API served about its rate (or calls filled the
        window): it may take more. Before the first 429 the rate grows by half a second; after one,
        by half back up to 85% of where the 429 came, then by 2% (5% after 5 s without a 429,
        10% after 15 s)."""
        if self.rate is None:
            if self._filled:  # the last call made filled the window: one more call in
                # flight per window of calls answered (per round trip)
                ceiling = min(self.max_in_flight, _MAX_WINDOW)
                self._window = min(float(ceiling), self._window + 1 / self._window)
            return
        elapsed = now - self._last_raise
        if elapsed < 1.0:
            return
        calm = now - self._last_cut
        binding = len(self._served) >= 0.8 * self.rate  # it served about its rate: the rate,
        # not the work there was, set the pace
        if calm >= elapsed and binding:
            fast = self._probing or self.rate < 0.85 * self._refused_at
            creep = _CREEP if calm < 5 else 1.05 if calm < 15 else 1.1  # no 429 for longer:
            # the quota may have been raised, or the cut went too deep
            grown = self.rate * (1.5 if fast else creep)
            if not self._probing:
                grown = max(self.rate * creep, min(grown, 0.85 * self._refused_at))
            self.rate = grown if self.ceiling is None else min(grown, self.ceiling)
        self._last_raise = now

    def use(self) -> ApiUse:
        """What this API cost so far."""
        with self._lock:
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
        found = self._throttles.get(label)  # (made once, never replaced: no lock to read it)
        if found is not None:
            return found
        with self._lock:
            throttle = self._throttles.get(label)
            if throttle is None:
                ceiling = self._ceilings.get(label)
                start = self._start.get(label, ceiling)
                throttle = self._throttles[label] = Throttle(
                    label, start, ceiling, self._clock, self._sleep, self._max_in_flight
                )
            return throttle

    def use(self) -> list[ApiUse]:
        """Each called API's cost so far, by label."""
        with self._lock:
            throttles = sorted(self._throttles.items())
        return [use for _, t in throttles if (use := t.use()).calls]


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
