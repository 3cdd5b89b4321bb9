"""Calling the APIs: retries with backoff, client-side rate limits, paging, the shape checks
every response goes through before a reader sees it, and the bounds of each call (`Bounds`): the
deadline and the byte limit of every HTTP exchange (enforced where the clients read responses,
`clients.py`), the pages and total size of a list.

A `Transport` wraps the `Clients` of one run. Readers call it through `session.api`; it never
remembers data (that is the session's job). Google's libraries are used only through the clients,
so importing this module stays cheap.
"""

from __future__ import annotations

import hashlib
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import unquote_plus, urlsplit, urlunsplit

from ..limits import MAX_LIST_BYTES, MAX_PAGES, MAX_RESPONSE_BYTES, size
from ..model import ApiUse, Reason
from .failures import ApiCallError, ApiFailure, classify, clip
from .ratelimit import Throttles

if TYPE_CHECKING:
    from .clients import Clients

log = logging.getLogger(__name__)
http_log = logging.getLogger("gcplint.http")  # one line per HTTP request, with --debug

PATIENCE = 50  # retries of one call after a 429 while its API served others (see Transport.call)

_SECRET_PARAMETERS = frozenset(
    {"key", "api_key", "apikey", "sig", "signature", "password", "secret", "code"}
)

T = TypeVar("T")
JSON = dict[str, Any]


@dataclass(frozen=True)
class RetryPolicy:
    """Retries of 429, 5xx and connection failures: exponential backoff with full jitter."""

    attempts: int = 5
    initial: float = 1.0
    maximum: float = 30.0
    multiplier: float = 2.0
    max_retry_after: float = 60.0

    def delay(self, retry: int, retry_after: float | None) -> float:
        """Seconds to wait before retry number `retry` (0-based); at least what the server's
        Retry-After asked for (up to `max_retry_after`)."""
        ceiling = min(self.maximum, self.initial * self.multiplier**retry)
        wait = random.uniform(0, ceiling)
        if retry_after is not None:
            wait = max(wait, min(retry_after, self.max_retry_after))
        return wait


@dataclass(frozen=True)
class Bounds:
    """What one read may take; the defaults are `gcplint.limits` (tests make them small)."""

    response_bytes: int = MAX_RESPONSE_BYTES  # one response, as received and decompressed
    pages: int = MAX_PAGES  # pages of one list
    list_bytes: int = MAX_LIST_BYTES  # all pages of one list, decompressed


class _Exchange(threading.local):
    """The HTTP exchange the current thread makes within `Transport.call`: the monotonic time
    by which it must be complete (None outside a call), that many seconds as the message names
    them, the largest response it may receive, and the size of the last body it received
    (decompressed; a list adds them up)."""

    deadline: float | None = None
    seconds = 0.0
    max_bytes = MAX_RESPONSE_BYTES
    received = 0


EXCHANGE = _Exchange()


def timed_out(seconds: float) -> ApiCallError:
    """An exchange not complete by its deadline (a server that trickles its answer): retried."""
    return ApiCallError(
        ApiFailure(Reason.UNAVAILABLE, f"no complete response within {seconds:g} s")
    )


def too_large(limit: int) -> ApiCallError:
    """A response over the byte limit, as received or decompressed: an error, not retried."""
    return ApiCallError(ApiFailure(Reason.ERROR, f"response larger than {size(limit)}"))


class _Calling(threading.local):
    """The API label the current thread is reading (for its throttle), and how urgent its
    calls are (lower first)."""

    label = ""
    order = 0


class _Attempt(threading.local):
    """The attempt of the API call the current thread is making, for the debug log: (number,
    of how many); (0, 0) outside `Transport.call` (a token refresh, for one)."""

    current = (0, 0)


_ATTEMPT = _Attempt()


def log_exchange(method: str, url: str, status: int | str, seconds: float) -> None:
    """One HTTP request on the debug log: method, URL (secret query values masked), status (or
    the exception that replaced it), latency, and the attempt of the API call it belongs to.
    The client hooks that call this are only installed with debug logging on."""
    number, attempts = _ATTEMPT.current
    attempt = f" (attempt {number}/{attempts})" if number else ""
    http_log.debug(
        "http: %s %s -> %s in %d ms%s", method, safe_url(url), status, seconds * 1000, attempt
    )


def safe_url(url: str) -> str:
    """`url` for a log: no user info, no fragment, and the value of every query parameter that
    may hold a secret (a key, any token, a signature) masked; the rest as sent."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    query = "&".join(
        f"{name}=***" if _secret(unquote_plus(name)) else pair
        for pair in parts.query.split("&")
        for name in [pair.partition("=")[0]]
        if pair
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


def _secret(parameter: str) -> bool:
    name = parameter.lower()
    return name in _SECRET_PARAMETERS or "token" in name


class Transport:
    """API calls with retries, rate limits and paging; counts calls and retries."""

    def __init__(
        self,
        clients: Clients,
        retry: RetryPolicy | None = None,
        throttles: Throttles | None = None,
        sleep: Callable[[float], None] = time.sleep,
        bounds: Bounds | None = None,
    ) -> None:
        self.clients = clients
        self.retry = retry or RetryPolicy()
        self.bounds = bounds or Bounds()
        self._throttles = throttles
        self._sleep = sleep
        self._calling = _Calling()
        self._lock = threading.Lock()
        self.calls = 0
        self.retries = 0

    @property
    def label(self) -> str:
        """The API label the current thread is reading."""
        return self._calling.label

    def concurrency(self, label: str) -> int | None:
        """How many calls the API may have in flight now (None: no throttle)."""
        if self._throttles is None or not label:
            return None
        return self._throttles.of(label).concurrency()

    def use(self) -> list[ApiUse]:
        """What each API cost so far (empty without throttles)."""
        return self._throttles.use() if self._throttles is not None else []

    @contextmanager
    def reading(self, label: str, order: int = 0) -> Iterator[None]:
        """Calls made by this thread in the block count against `label`'s throttle, and
        pass it before calls of a higher `order`."""
        saved = self._calling.label, self._calling.order
        self._calling.label, self._calling.order = label, order
        try:
            yield
        finally:
            self._calling.label, self._calling.order = saved

    def call(self, fn: Callable[[], T]) -> T:
        """Run one API call with retries; raises ApiCallError when it finally fails. Each
        attempt is one HTTP exchange, bounded by the client timeout and `bounds`, and passes
        the API's throttle. A 429 while the API went on serving other calls is the throttle's
        business (it slows down), so it does not use up an attempt: a scan that only needs
        patience gets it, up to `PATIENCE` such retries of one call."""
        attempts = self.retry.attempts
        outer = EXCHANGE.deadline  # None, unless a call is made inside another
        label = self._calling.label
        throttle = self._throttles.of(label) if self._throttles is not None and label else None
        attempt = 0
        patience = PATIENCE
        while True:
            served = 0
            if throttle is not None:
                throttle.acquire(self._calling.order)
                served = throttle.successes
            with self._lock:
                self.calls += 1
            _ATTEMPT.current = (attempt + 1, attempts)
            started = time.monotonic()
            EXCHANGE.deadline = started + self.clients.timeout
            EXCHANGE.seconds = self.clients.timeout
            EXCHANGE.max_bytes = self.bounds.response_bytes
            EXCHANGE.received = 0
            try:
                result = fn()
            except Exception as exc:
                failure = classify(exc)
                quota = failure is not None and failure.http_status == 429
                if throttle is not None:
                    throttle.release(quota, time.monotonic() - started)
                if failure is None:
                    raise
                patient = (
                    quota and throttle is not None and throttle.successes > served and patience > 0
                )
                final = not patient and (not failure.transient or attempt == attempts - 1)
                wait = (
                    0.0
                    if final
                    else self.retry.delay(0 if patient else attempt, failure.retry_after)
                )
                log.debug(
                    "api: %s attempt %d/%d failed: %s (%s); %s",
                    label or "API",
                    attempt + 1,
                    attempts,
                    failure.reason.value,
                    failure.message,
                    "giving up" if final else f"retrying in {wait:.2f} s",
                )
                if final:
                    raise ApiCallError(failure) from None
                if patient:
                    patience -= 1
                else:
                    attempt += 1
                with self._lock:
                    self.retries += 1
                self._sleep(wait)
            else:
                if throttle is not None:
                    throttle.release(False, time.monotonic() - started)
                return result
            finally:
                _ATTEMPT.current = (0, 0)
                EXCHANGE.deadline = outer

    def paged(self, fetch_page: Callable[[str | None], tuple[Sequence[T], str | None]]) -> list[T]:
        """Follow page tokens to the end; a token seen twice is an error, not a loop, and so is
        a list of more pages or bytes than `bounds` allow (a token that changes forever)."""
        items: list[T] = []
        token: str | None = None
        seen: set[bytes] = set()  # digests: a hostile token may be megabytes long
        received = 0
        while True:
            page, token = self.call(lambda t=token: fetch_page(t))  # type: ignore[misc]
            items.extend(page)
            received += EXCHANGE.received
            if not token:
                return items
            digest = hashlib.blake2b(token.encode(), digest_size=16).digest()
            if digest in seen:
                raise ApiCallError(ApiFailure(Reason.ERROR, "the API returned a page token twice"))
            seen.add(digest)
            if len(seen) >= self.bounds.pages:
                raise ApiCallError(
                    ApiFailure(Reason.ERROR, f"the list has more than {self.bounds.pages} pages")
                )
            if received > self.bounds.list_bytes:
                raise ApiCallError(
                    ApiFailure(
                        Reason.ERROR, f"the list is larger than {size(self.bounds.list_bytes)}"
                    )
                )

    def discovery_list(self, build_request: Callable[[str | None], Any], field: str) -> list[JSON]:
        """All items of a discovery list method; `build_request(token)` makes one page's request."""

        def page(token: str | None) -> tuple[list[JSON], str | None]:
            body = expect_object(
                build_request(token).execute(http=self.clients.http(), num_retries=0)
            )
            items = list_field(body, field)
            token = body.get("nextPageToken")
            return items, token if isinstance(token, str) and token else None

        return self.paged(page)

    def discovery_items(self, request: Any, field: str) -> list[JSON]:
        """The list of objects (`field`) of one unpaged discovery response."""
        return list_field(self.discovery_get(request), field)

    def discovery_policy(self, request: Any) -> JSON:
        """One discovery getIamPolicy, as REST JSON, its shape checked."""
        return expect_policy(self.discovery_get(request))

    def discovery_get(self, request: Any) -> JSON:
        """One discovery get, as REST JSON."""
        return expect_object(
            self.call(lambda: request.execute(http=self.clients.http(), num_retries=0))
        )


def list_field(body: JSON, field: str) -> list[JSON]:
    """A response's list of objects (absent means empty); anything else is malformed."""
    items = body.get(field, [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiCallError(
            ApiFailure(Reason.ERROR, f"malformed response: {field!r} is not a list of objects")
        )
    return items


def expect_policy(body: JSON) -> JSON:
    """An IAM policy whose bindings are a list of {role, members: [str]}; else malformed."""
    bindings = body.get("bindings", [])
    well_formed = isinstance(bindings, list) and all(
        isinstance(b, dict)
        and isinstance(b.get("role", ""), str)
        and isinstance(b.get("members", []), list)
        and all(isinstance(m, str) for m in b.get("members", []))
        for b in bindings
    )
    if not well_formed:
        raise ApiCallError(
            ApiFailure(
                Reason.ERROR,
                "malformed response: the IAM policy's bindings are not a list of bindings",
            )
        )
    return body


def expect_object(body: Any) -> JSON:
    """A successful (2xx) response body: a JSON object, and not an error. A body that holds an
    `error` is what a broken proxy or API answers with a 200; read as a resource it would be an
    empty one (a policy without bindings, a list without items) and pass."""
    if not isinstance(body, dict):
        raise ApiCallError(ApiFailure(Reason.ERROR, "malformed response: not a JSON object"))
    if "error" in body:
        error = body["error"]
        said = ""
        if isinstance(error, dict):
            said = ": ".join(
                str(error[k]) for k in ("status", "message") if isinstance(error.get(k), str | int)
            )
        elif isinstance(error, str):
            said = error
        raise ApiCallError(
            ApiFailure(
                Reason.ERROR,
                "the API answered a successful status with an error instead of the resource"
                + (f" ({clip(said, 160)})" if said else ""),
            )
        )
    return body
