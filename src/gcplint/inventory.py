"""Collections, the per-run store that fetches each of them once, and the view checks get.

A `Collection` names one kind of data ("Cloud SQL instances of a project") and how to fetch it.
The `Session` fetches a collection at most once per key, retries transient failures, follows
pagination, fans out per-resource calls on a bounded pool, and remembers a failure as `Unreadable`.
"""

from __future__ import annotations

import logging
import random
import threading
import time
import traceback
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

from google.protobuf.json_format import MessageToDict
from google.protobuf.message import Message

from .clients import Clients
from .emulator.world import NOT_COLLECTED
from .errors import ApiCallError, ApiFailure, classify
from .model import Reason
from .ratelimit import RateLimiter

log = logging.getLogger(__name__)

# APIs answered whatever a project enables: the project's own metadata and enabled services
UNGATED = frozenset({"cloudresourcemanager.googleapis.com", "serviceusage.googleapis.com"})

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
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
class Permission:
    """An IAM permission and the kind of resource it must be granted on."""

    name: str
    on: str = "project"  # "project", "folder" or "billing account"


@dataclass(frozen=True, eq=False)
class Collection(Generic[T_co]):
    """One kind of data gcplint reads, per key (a project ID unless said otherwise)."""

    name: str  # "<api label>.<collection>", as in world files and snapshots
    title: str  # "Cloud SQL instances"
    service: str  # "sqladmin.googleapis.com"
    permission: str  # the IAM permission the read needs
    role: str  # a predefined role that grants it
    fetch: Callable[[Session, str], T_co] = field(repr=False)
    keyed_by: str = "project"  # what the key names, for messages
    permission_on: str = "project"  # where `permission` must be granted
    also: tuple[Permission, ...] = ()  # what the fetch needs besides (dependencies, fallbacks)
    labels: Callable[[str, Any], Iterable[tuple[str, Mapping[str, str]]]] | None = field(
        default=None, repr=False
    )
    # ^ (full resource name, labels) of the fetched resources, for `gcplint-ignore` labels
    compact: Callable[[Any], Any] | None = field(default=None, repr=False)
    # ^ what is kept once its project's checks are done, for checks that read it `across`
    #   projects (default: all of it)

    @property
    def permissions(self) -> tuple[Permission, ...]:
        """Every permission reading this collection may need."""
        return (Permission(self.permission, self.permission_on), *self.also)

    def __repr__(self) -> str:
        return f"Collection({self.name})"


class Unreadable(Exception):
    """Data a check needs could not be read; the runner turns it into unknown/not_applicable."""

    def __init__(
        self,
        what: str,
        target: str,
        reason: Reason,
        detail: str,
        *,
        permission: str | None = None,
        role: str | None = None,
        service: str | None = None,
    ) -> None:
        super().__init__(f"{what} of {target}: {reason.value}: {detail}")
        self.what = what
        self.target = target
        self.reason = reason
        self.detail = detail
        self.permission = permission
        self.role = role
        self.service = service

    def copy(self) -> Unreadable:
        """A fresh exception with the same content (safe to raise in another thread)."""
        return Unreadable(
            self.what,
            self.target,
            self.reason,
            self.detail,
            permission=self.permission,
            role=self.role,
            service=self.service,
        )

    def describe(self) -> str:
        """One sentence for a report."""
        if self.reason is Reason.API_DISABLED:
            return f"{self.service or 'the API'} is disabled for {self.target}, so no {self.what} can exist"
        if self.reason is Reason.BILLING_DISABLED:
            return f"billing is disabled for {self.target}: {self.detail}"
        why = {
            Reason.PERMISSION_DENIED: "permission denied"
            + (f" (needs {self.permission})" if self.permission else ""),
            Reason.QUOTA_EXHAUSTED: "API quota exhausted after retries",
            Reason.UNAVAILABLE: "the API was unavailable after retries",
            Reason.NOT_FOUND: "not found",
            Reason.ERROR: "unexpected error",
        }[self.reason]
        if self.reason is Reason.PERMISSION_DENIED and self.permission:
            return f"{self.what} of {self.target} could not be read: {why}"
        return f"{self.what} of {self.target} could not be read: {why}: {self.detail}"

    def hint(self) -> str | None:
        """What would make the data readable, if gcplint can tell."""
        if self.reason is Reason.PERMISSION_DENIED and self.permission:
            role = f" (e.g. {self.role})" if self.role else ""
            return (
                f"grant the scanning identity a role with {self.permission}{role} on {self.target}"
            )
        if self.reason is Reason.QUOTA_EXHAUSTED:
            return "re-run later, lower --max-concurrency, or raise the API quota"
        return None


@dataclass(frozen=True)
class PerResource(Generic[T]):
    """Values read one resource at a time (keys, IAM policies, versions...). A resource that
    could not be read holds its Unreadable, so one failure does not hide the others."""

    found: dict[str, T]
    unreadable: dict[str, Unreadable]

    def of(self, name: str) -> T:
        """The value for `name`; raises Unreadable when it could not be read."""
        if name in self.unreadable:
            raise self.unreadable[name].copy()
        return self.found[name]


class _Entry:
    __slots__ = ("compacted", "done", "error", "owner", "value")

    def __init__(self, owner: str | None) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: Unreadable | None = None
        self.owner = owner  # the project whose data this is (released with it)
        self.compacted = False


class _Context(threading.local):
    """What the current thread is fetching: the API label (for rate limits) and the project."""

    label = ""
    owner: str | None = None


class Session:
    """The per-run store: every collection fetched at most once per key, shared by all checks."""

    def __init__(
        self,
        clients: Clients | None,
        retry: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        fan_out_workers: int = 8,
        limiter: RateLimiter | None = None,
        enabled_services: Collection[list[JSON]] | None = None,
    ) -> None:
        self._clients = clients
        self.retry = retry or RetryPolicy()
        self._limiter = limiter
        self._enabled = enabled_services  # serviceusage: skip APIs a project has not enabled
        self._context = _Context()
        self._sleep = sleep
        self._fan_out = ThreadPoolExecutor(
            max_workers=fan_out_workers, thread_name_prefix="gcplint-fan-out"
        )
        self._lock = threading.Lock()
        self._memo: dict[tuple[str, str], _Entry] = {}
        self.calls = 0
        self.retries = 0

    @property
    def clients(self) -> Clients:
        """The API clients. A session without them (a snapshot replay) refuses every call."""
        if self._clients is None:
            raise ApiCallError(ApiFailure(Reason.ERROR, NOT_COLLECTED))
        return self._clients

    # -- memoised fetching ------------------------------------------------------------

    def get(self, collection: Collection[T], key: str) -> T:
        """The collection for `key`, fetched on first use; raises Unreadable."""
        value: T = self.memo(
            collection.name,
            key,
            lambda: self._fetch(collection, key),
            lambda failure: _unreadable(collection, key, failure),
            owner=key if collection.keyed_by == "project" else None,
        )
        return value

    def _fetch(self, collection: Collection[T], key: str) -> T:
        """Fetch, unless serviceusage says the project has not enabled the collection's API
        (then it is not applicable, without a call). If the enabled services cannot be read,
        the API itself is asked."""
        gate = self._enabled
        if (
            gate is not None
            and collection is not gate
            and collection.keyed_by == "project"
            and collection.service not in UNGATED
        ):
            try:
                enabled = service_names(self.get(gate, key))
            except Unreadable:
                enabled = None
            if enabled is not None and collection.service not in enabled:
                raise Unreadable(
                    collection.title,
                    f"project {key}",
                    Reason.API_DISABLED,
                    f"{collection.service} is not enabled (serviceusage)",
                    service=collection.service,
                )
        return collection.fetch(self, key)

    def memo(
        self,
        name: str,
        key: str,
        compute: Callable[[], T],
        on_failure: Callable[[ApiFailure], Unreadable],
        owner: str | None = None,
        shared: bool = False,
    ) -> T:
        """Compute once per (name, key); concurrent callers wait for the first one. `owner` is
        the project the data belongs to (default: the project being fetched in this thread);
        `shared` data (a billing account's budgets) belongs to none and is never released."""
        context = self._context
        with self._lock:
            entry = self._memo.get((name, key))
            computes = entry is None
            if entry is None:
                entry = self._memo[(name, key)] = _Entry(None if shared else owner or context.owner)
        if computes:
            saved = context.label, context.owner
            context.label, context.owner = name.partition(".")[0], entry.owner
            try:
                entry.value = compute()
            except Unreadable as exc:
                entry.error = exc
            except ApiCallError as exc:
                entry.error = on_failure(exc.failure)
            except Exception as exc:  # a library or response surprise must not crash the scan
                # exception texts may quote response data, so only the type and the frames
                log.debug(
                    "fetching %s for %s failed: %s\n%s", name, key, type(exc).__name__, where(exc)
                )
                entry.error = on_failure(
                    ApiFailure(
                        Reason.ERROR, f"unexpected {type(exc).__name__} while reading the response"
                    )
                )
            finally:
                context.label, context.owner = saved
                entry.done.set()
        entry.done.wait()
        if entry.error is not None:
            raise entry.error.copy()
        value: T = entry.value
        return value

    def seed(self, collection: Collection[T], key: str, value: T) -> None:
        """Store what another read already returned (a project found by projects:search is
        the same Project projects.get returns), so it is not fetched again."""
        entry = _Entry(key if collection.keyed_by == "project" else None)
        entry.value = value
        entry.done.set()
        with self._lock:
            self._memo.setdefault((collection.name, key), entry)

    def fetched(self) -> dict[tuple[str, str], Any]:
        """What has been fetched so far: (collection, key) -> data or Unreadable."""
        with self._lock:
            entries = dict(self._memo)
        return {
            k: (e.error if e.error is not None else e.value)
            for k, e in entries.items()
            if e.done.is_set()
        }

    def release(self, projects: Container[str], keep: Iterable[Collection[Any]] = ()) -> int:
        """Forget the data of projects whose checks are done, except the collections in `keep`
        (reduced to their compact form); returns how many entries were dropped. Read again,
        dropped data is fetched again."""
        kept = {c.name: c for c in keep}
        with self._lock:
            done = [
                (k, e) for k, e in self._memo.items() if e.owner in projects and e.done.is_set()
            ]
            gone = [k for k, _ in done if k[0] not in kept]
            for k in gone:
                del self._memo[k]
        for (name, _), entry in done:
            compact = kept[name].compact if name in kept else None
            if compact is not None and not entry.compacted and entry.error is None:
                entry.value, entry.compacted = compact(entry.value), True
        return len(gone)

    def fan_out(self, fn: Callable[[str], T], keys: Iterable[str]) -> dict[str, T | Unreadable]:
        """`fn(key)` for every key on a bounded pool (a separate one from the prefetch pool, so a
        fetch can fan out without deadlock); an Unreadable is returned in place of its value.
        The calls count as the caller's: same API label and project."""
        label, owner = self._context.label, self._context.owner

        def one(key: str) -> T | Unreadable:
            self._context.label, self._context.owner = label, owner
            try:
                return fn(key)
            except Unreadable as exc:
                return exc

        keys = list(keys)
        return dict(zip(keys, self._fan_out.map(one, keys), strict=True))

    def per_resource(
        self,
        kind: str,
        names: Iterable[str],
        fetch: Callable[[str], T],
        on_failure: Callable[[str, ApiFailure], Unreadable],
    ) -> PerResource[T]:
        """`fetch(name)` for every name, concurrently and memoised per (kind, name)."""
        found = self.fan_out(
            lambda name: self.memo(kind, name, lambda: fetch(name), lambda f: on_failure(name, f)),
            names,
        )
        return PerResource(
            {n: v for n, v in found.items() if not isinstance(v, Unreadable)},
            {n: v for n, v in found.items() if isinstance(v, Unreadable)},
        )

    def close(self) -> None:
        """Release the fan-out pool."""
        self._fan_out.shutdown(wait=False)

    # -- calling APIs ---------------------------------------------------------------------

    def call(self, fn: Callable[[], T]) -> T:
        """Run one API call with retries; raises ApiCallError when it finally fails."""
        for attempt in range(self.retry.attempts):
            if self._limiter is not None:
                self._limiter.take(self._context.label)
            with self._lock:
                self.calls += 1
            try:
                return fn()
            except Exception as exc:
                failure = classify(exc)
                if failure is None:
                    raise
                if not failure.transient or attempt == self.retry.attempts - 1:
                    raise ApiCallError(failure) from None
                wait = self.retry.delay(attempt, failure.retry_after)
                log.debug(
                    "retrying after %s (%.2fs): %s", failure.reason.value, wait, failure.message
                )
                with self._lock:
                    self.retries += 1
                self._sleep(wait)
        raise AssertionError("unreachable")

    def paged(self, fetch_page: Callable[[str | None], tuple[Sequence[T], str | None]]) -> list[T]:
        """Follow page tokens to the end; a token seen twice is an error, not a loop."""
        items: list[T] = []
        token: str | None = None
        seen: set[str] = set()
        while True:
            page, token = self.call(lambda t=token: fetch_page(t))  # type: ignore[misc]
            items.extend(page)
            if not token:
                return items
            if token in seen:
                raise ApiCallError(ApiFailure(Reason.ERROR, "the API returned a page token twice"))
            seen.add(token)

    def gapic_list(
        self, method: Callable[..., Any], request: Mapping[str, Any], field: str
    ) -> list[JSON]:
        """All items of a GAPIC list method, as REST JSON, one retried call per page."""

        def page(token: str | None) -> tuple[list[JSON], str | None]:
            pager = method(
                request={**request, "page_token": token or ""},
                retry=None,
                timeout=self.clients.timeout,
            )
            return [to_rest(m) for m in getattr(pager, field)], pager.next_page_token or None

        return self.paged(page)

    def gapic_get(self, method: Callable[..., Any], request: Mapping[str, Any]) -> JSON:
        """One GAPIC get, as REST JSON."""
        return to_rest(
            self.call(
                lambda: method(request=dict(request), retry=None, timeout=self.clients.timeout)
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

    def discovery_policy(self, request: Any) -> JSON:
        """One discovery getIamPolicy, as REST JSON, its shape checked."""
        return expect_policy(self.discovery_get(request))

    def discovery_get(self, request: Any) -> JSON:
        """One discovery get, as REST JSON."""
        return expect_object(
            self.call(lambda: request.execute(http=self.clients.http(), num_retries=0))
        )


def service_names(services: Iterable[JSON]) -> frozenset[str]:
    """The names (`run.googleapis.com`) of serviceusage Service objects."""
    return frozenset(
        str((s.get("config") or {}).get("name") or str(s.get("name", "")).rsplit("/", 1)[-1])
        for s in services
    )


def where(exc: BaseException) -> str:
    """The traceback frames of an exception, without its message (which may quote data)."""
    return "".join(traceback.format_tb(exc.__traceback__)).rstrip()


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
    """A response body that must be a JSON object."""
    if not isinstance(body, dict):
        raise ApiCallError(ApiFailure(Reason.ERROR, "malformed response: not a JSON object"))
    return body


def to_rest(message: Any) -> JSON:
    """A proto-plus or protobuf message in its REST JSON shape (camelCase, enum names)."""
    if isinstance(message, Message):
        return cast(JSON, MessageToDict(message))
    result: JSON = type(message).to_dict(  # proto-plus
        message,
        use_integers_for_enums=False,
        preserving_proto_field_name=False,
        always_print_fields_with_no_presence=False,
    )
    return result


def _unreadable(collection: Collection[Any], key: str, failure: ApiFailure) -> Unreadable:
    return Unreadable(
        collection.title,
        f"{collection.keyed_by} {key}",
        failure.reason,
        failure.message,
        permission=failure.permission or collection.permission,
        role=collection.role,
        service=failure.service or collection.service,
    )
