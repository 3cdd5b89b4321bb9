"""The session: every collection read at most once per key per run, shared by all checks.

`Session.read(collection, key)` returns the data or raises `Unreadable`. Concurrent readers of the
same key wait for the first; a failure is remembered like data. Per-resource collections fan out
on a bounded pool of their own. Once a project's checks are done its data can be released, so a
scan of many projects runs in flat memory. The session never calls an API itself: its transport
does (`session.api`). A session without one replays a snapshot's `recorded` reads and refuses
every call.
"""

from __future__ import annotations

import logging
import threading
import traceback
from collections.abc import Callable, Container, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from ..model import Reason
from ..world import NOT_COLLECTED
from .collection import JSON, Collection, PerResource, Unreadable
from .failures import ApiCallError, ApiFailure
from .transport import Transport

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Entry:
    __slots__ = ("compacted", "done", "error", "owner", "value")

    def __init__(self, owner: str | None) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: Unreadable | None = None
        self.owner = owner  # the project whose data this is (released with it)
        self.compacted = False


class _Owner(threading.local):
    """The project whose data the current thread is reading."""

    project: str | None = None


class Session:
    """The per-run store of everything read, over a transport (None: replay only)."""

    def __init__(
        self,
        transport: Transport | None,
        fan_out_workers: int = 8,
        enabled_services: Collection[list[JSON]] | None = None,
        recorded: Mapping[tuple[str, str], Any] | None = None,
    ) -> None:
        self._transport = transport
        self._recorded = recorded or {}  # a snapshot's reads: (collection, key) -> data or failure
        self._enabled = enabled_services  # Service Usage: skip APIs a project has not enabled
        self.scope_size = 0  # projects the run scans, once its scope is resolved: a reader may
        # then read for all of them at once when that costs fewer calls (billing info)
        self._owner = _Owner()
        self._fan_out = ThreadPoolExecutor(
            max_workers=fan_out_workers, thread_name_prefix="gcplint-fan-out"
        )
        self._lock = threading.Lock()
        self._memo: dict[tuple[str, str, bool], _Entry] = {}
        # ^ (collection, key, one resource of a per-resource collection?): a bucket may be named
        #   like its project, and must not be mistaken for the project's whole collection

    @property
    def api(self) -> Transport:
        """The transport that calls the APIs; a replay session has none and refuses the call."""
        if self._transport is None:
            raise ApiCallError(ApiFailure(Reason.ERROR, NOT_COLLECTED))
        return self._transport

    @property
    def calls(self) -> int:
        """API calls made so far."""
        return self._transport.calls if self._transport else 0

    @property
    def retries(self) -> int:
        """Retried API calls so far."""
        return self._transport.retries if self._transport else 0

    def read(self, collection: Collection[T], key: str) -> T:
        """The collection for `key`, read on first use; raises Unreadable."""
        owner = key if collection.keyed_by == "project" else None
        value: T = self._remember(
            collection,
            key,
            lambda: self._fetch(collection, key),
            owner=owner,
            shared=collection.keyed_by == "billing account",
        )
        return value

    def _fetch(self, collection: Collection[Any], key: str) -> Any:
        """Read, unless Service Usage says the project has not enabled the collection's API
        (then it is not applicable, without a call). If the enabled services cannot be read,
        the API itself is asked."""
        gate = self._enabled
        if (
            gate is not None
            and collection is not gate
            and collection.keyed_by == "project"
            and not collection.api.always_on
        ):
            try:
                enabled = service_names(self.read(gate, key))
            except Unreadable:
                enabled = None
            if enabled is not None and collection.service not in enabled:
                raise Unreadable(
                    collection.title,
                    collection.target(key),
                    Reason.API_DISABLED,
                    f"{collection.service} is not enabled (serviceusage)",
                    service=collection.service,
                )
        each = collection.each
        if each is None:
            assert collection.read is not None
            return collection.read(self, key)
        names = [
            name
            for source in each.over
            for item in self.read(source, key)
            if (name := each.key(item)) is not None
        ]
        found = self.fan_out(
            lambda name: self._remember(
                collection, name, lambda: each.read(self, key, name), part=True
            ),
            names,
        )
        return PerResource(
            {n: v for n, v in found.items() if not isinstance(v, Unreadable)},
            {n: v for n, v in found.items() if isinstance(v, Unreadable)},
        )

    def _remember(
        self,
        collection: Collection[Any],
        key: str,
        compute: Callable[[], T],
        owner: str | None = None,
        shared: bool = False,
        part: bool = False,
    ) -> T:
        """Compute once per (collection, key); concurrent callers wait for the first one.
        `owner` is the project the data belongs to (default: the project being read in this
        thread); `shared` data (a billing account's budgets) belongs to none and is never
        released; a `part` is one resource of a per-resource collection."""
        with self._lock:
            entry = self._memo.get((collection.name, key, part))
            computes = entry is None
            if entry is None:
                entry = self._memo[(collection.name, key, part)] = _Entry(
                    None if shared else owner or self._owner.project
                )
        if computes:
            if (collection.each is None or part) and (collection.name, key) in self._recorded:
                compute = _replay(self._recorded[(collection.name, key)])  # a per-resource
                # collection is stored resource by resource (`part`), never whole
            saved = self._owner.project
            self._owner.project = entry.owner
            try:
                if self._transport is None:
                    read = compute()
                else:
                    with self._transport.reading(collection.api.label):
                        read = compute()
                whole = collection.each is not None and not part  # its parts are checked
                entry.value = read if whole else collection.checked(read, key)
            except Unreadable as exc:
                entry.error = exc
            except ApiCallError as exc:
                entry.error = collection.unreadable(exc.failure, key)
            except Exception as exc:  # a library or response surprise must not crash the scan
                # exception texts may quote response data, so only the type and the frames
                log.debug(
                    "reading %s for %s failed: %s\n%s",
                    collection.name,
                    key,
                    type(exc).__name__,
                    where(exc),
                )
                entry.error = collection.unreadable(
                    ApiFailure(
                        Reason.ERROR, f"unexpected {type(exc).__name__} while reading the response"
                    ),
                    key,
                )
            finally:
                self._owner.project = saved
                entry.done.set()
        entry.done.wait()
        if entry.error is not None:
            raise entry.error.copy()
        value: T = entry.value
        return value

    def seed(self, collection: Collection[T], key: str, value: T) -> None:
        """Store what another read already returned (a project found by projects:search is
        the same Project projects.get returns), so it is not read again; checked like a read."""
        entry = _Entry(key if collection.keyed_by == "project" else None)
        try:
            entry.value = collection.checked(value, key)
        except Unreadable as exc:
            entry.error = exc
        entry.done.set()
        with self._lock:
            self._memo.setdefault((collection.name, key, False), entry)

    def fetched(self) -> dict[tuple[str, str], Any]:
        """What has been read so far, whole collections only (a per-resource collection's value
        holds its parts): (collection name, key) -> data or Unreadable."""
        with self._lock:
            entries = dict(self._memo)
        return {
            (name, key): (e.error if e.error is not None else e.value)
            for (name, key, part), e in entries.items()
            if e.done.is_set() and not part
        }

    def release(self, projects: Container[str], keep: Iterable[Collection[Any]] = ()) -> int:
        """Forget the data of projects whose checks are done, except the collections in `keep`
        (reduced to their compact form); returns how many entries were dropped. Read again,
        dropped data is read again."""
        kept = {c.name: c for c in keep}
        with self._lock:
            done = [
                (k, e) for k, e in self._memo.items() if e.owner in projects and e.done.is_set()
            ]
            gone = [k for k, _ in done if k[0] not in kept]
            for k in gone:
                del self._memo[k]
        for (name, _, _), entry in done:
            compact = kept[name].compact if name in kept else None
            if compact is not None and not entry.compacted and entry.error is None:
                entry.value, entry.compacted = compact(entry.value), True
        return len(gone)

    def fan_out(self, fn: Callable[[str], T], keys: Iterable[str]) -> dict[str, T | Unreadable]:
        """`fn(key)` for every key on a bounded pool (a separate one from the runner's, so a
        read can fan out without deadlock); an Unreadable is returned in place of its value.
        The calls count as the caller's: same API label and project."""
        owner = self._owner.project
        label = self._transport.label if self._transport else ""

        def one(key: str) -> T | Unreadable:
            self._owner.project = owner
            try:
                if self._transport is None:
                    return fn(key)
                with self._transport.reading(label):
                    return fn(key)
            except Unreadable as exc:
                return exc

        keys = list(keys)
        return dict(zip(keys, self._fan_out.map(one, keys), strict=True))

    def close(self) -> None:
        """Release the fan-out pool."""
        self._fan_out.shutdown(wait=False)


def _replay(stored: Any) -> Callable[[], Any]:
    def value() -> Any:
        if isinstance(stored, Unreadable):
            raise stored.copy()
        return stored

    return value


def service_names(services: Iterable[JSON]) -> frozenset[str]:
    """The names (`run.googleapis.com`) of serviceusage Service objects."""
    return frozenset(
        str((s.get("config") or {}).get("name") or str(s.get("name", "")).rsplit("/", 1)[-1])
        for s in services
    )


def where(exc: BaseException) -> str:
    """The traceback frames of an exception, without its message (which may quote data)."""
    return "".join(traceback.format_tb(exc.__traceback__)).rstrip()
