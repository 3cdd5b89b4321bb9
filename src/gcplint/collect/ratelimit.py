"""Client-side rate limits: one token bucket per API, so a big scan stays inside a share of the
project's quota and leaves the rest to whatever else runs beside it (a deploy pipeline)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping

from .apis import DEFAULT_RATES


class TokenBucket:
    """`rate` tokens per second, holding at most `burst` (default: one second's worth, at least
    one). gcplint waits for a token (`take`); the emulator refuses without one (`try_take`)."""

    def __init__(
        self,
        rate: float,
        burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("a rate must be a positive number of requests per second")
        self.rate = rate
        self.burst = max(1.0, burst if burst is not None else rate)
        self._clock = clock
        self._sleep = sleep
        self._tokens = self.burst
        self._stamp = clock()
        self._lock = threading.Lock()
        self.waited = 0.0  # seconds callers spent waiting, in total

    def _refill(self) -> None:
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
        self._stamp = now

    def take(self) -> None:
        """Take one token, waiting for it if the bucket is empty. Reservations are made under
        the lock, so concurrent callers queue fairly instead of stampeding."""
        with self._lock:
            self._refill()
            self._tokens -= 1.0
            wait = -self._tokens / self.rate if self._tokens < 0 else 0.0
            self.waited += wait
        if wait > 0:
            self._sleep(wait)

    def try_take(self) -> float:
        """Take a token if there is one (0.0); else take none and say in how many seconds
        there will be one."""
        with self._lock:
            self._refill()
            if self._tokens >= 1:
                self._tokens -= 1
                return 0.0
            return (1 - self._tokens) / self.rate


class RateLimiter:
    """A token bucket per API label; labels without a rate are not limited."""

    def __init__(self, rates: Mapping[str, float]) -> None:
        self.rates = dict(rates)
        self._buckets = {label: TokenBucket(rate) for label, rate in self.rates.items()}

    def take(self, label: str) -> None:
        """Wait for the API's next slot."""
        bucket = self._buckets.get(label)
        if bucket is not None:
            bucket.take()

    def waited(self) -> float:
        """Seconds spent waiting for every API together."""
        return sum(b.waited for b in self._buckets.values())


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


def rates(overrides: Mapping[str, float], *, defaults: bool = True) -> dict[str, float]:
    """The overrides over the default rates (or over none); 0 removes a limit."""
    merged = {**(DEFAULT_RATES if defaults else {}), **overrides}
    return {label: rate for label, rate in merged.items() if rate > 0}
