"""The session: every collection read at most once per key per run, shared by all checks.

`Session.read(collection, key)` returns the data or raises `Unreadable`. Concurrent readers of the
same key wait for the first; a failure is remembered like data. Reads ahead (`ahead`) and the
per-resource reads a collection fans out to run on the lane of their API (`lanes.py`). An API a
project has not enabled says so when called (403 SERVICE_DISABLED): the session remembers it,
and the project's other collections of that API are then not applicable without a call. Once a
project's checks are done its data can be released, so a scan of many projects runs in flat
memory. The session never calls an API itself: its transport does (`session.api`). A session
without one replays a snapshot's `recorded` reads and refuses every call.
"""

from __future__ import annotations

import json
import logging
import threading
import traceback
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import Future, wait
from contextlib import contextmanager, suppress
from dataclasses import replace
from typing import Any, TypeVar

from ..model import Reason
from ..world import NOT_COLLECTED
from .collection import Collection, PerResource, Unreadable
from .failures import ApiCallError, ApiFailure
from .lanes import Lanes
from .transport import Transport

log = logging.getLogger(__name__)

T = TypeVar("T")


class _Entry:
    __slots__ = ("collection", "compacted", "done", "error", "owner", "value")

    def __init__(self, owner: str | None, collection: Collection[Any] | None = None) -> None:
        self.collection = collection  # what was read (None: seeded)
        self.done = threading.Event()
        self.value: Any = None
        self.error: Unreadable | None = None
        self.owner = owner  # the project whose data this is (released with it)
        self.compacted = False


class _Owner(threading.local):
    """The project whose data the current thread is reading, how urgent its reads are (the
    order of `ahead`: lower first), and the collection whose read it is computing."""

    project: str | None = None
    order = 0
    collection: Collection[Any] | None = None


class Session:
    """The per-run store of everything read, over a transport (None: replay only)."""

    def __init__(
        self,
        transport: Transport | None,
        recorded: Mapping[tuple[str, str], Any] | None = None,
        width: int = 4,
        numbers: Collection[Any] | None = None,
    ) -> None:
        self._transport = transport
        self._numbers = numbers  # the project metadata whose `name` is projects/NUMBER
        self._recorded = recorded or {}  # a snapshot's reads: (collection, key) -> data or failure
        self.scope_size = 0  # projects the run scans, once its scope is resolved: a reader may
        # then read for all of them at once when that costs fewer calls (billing info)
        self._owner = _Owner()
        self._width = width  # threads per lane where no throttle says (a replay)
        self.lanes = Lanes(self._lane_width)
        self._lock = threading.Lock()
        self._disabled: dict[tuple[str, str], ApiFailure] = {}  # (project, API label) -> 403
        self._memo: dict[tuple[str, str, bool], _Entry] = {}
        # ^ (collection, key, one resource of a per-resource collection?): a bucket may be named
        #   like its project, and must not be mistaken for the project's whole collection
        self._owned: dict[str, set[tuple[str, str, bool]]] = {}  # project -> its memo keys
        self._cold: dict[tuple[str, str, bool], bytes | Unreadable] = {}
        # ^ what `release` dropped, compressed: another project's check may read it again

    def _lane_width(self, label: str) -> int:
        """Threads per lane of an API: as many as its throttle lets calls be in flight."""
        if self._transport is None:
            return self._width
        return self._transport.concurrency(label) or self._width

    @property
    def live(self) -> bool:
        """True when reads call the APIs (not a replay)."""
        return self._transport is not None

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
        """The collection for `key`, read on first use; raises Unreadable. What belongs to no
        project (a billing account's, a folder's or the organization's) is kept for the run."""
        owner = key if collection.keyed_by == "project" else None
        value: T = self._remember(
            collection,
            key,
            lambda: self._fetch(collection, key),
            owner=owner,
            shared=collection.keyed_by in ("billing account", "folder", "organization"),
        )
        return value

    def fields(self, label: str, listed: str | None) -> dict[str, str]:
        """The `fields` parameter of a request of API `label` whose items are listed under
        `listed` (None: one object), if it is the request of the collection this thread is
        reading (`Collection.mask`); otherwise none, for the whole response."""
        reading = self._owner.collection
        if (
            reading is None
            or reading.mask is None
            or reading.api.label != label
            or reading.fields is None
            or reading.fields.listed != listed
        ):
            return {}
        return {"fields": reading.mask}

    @contextmanager
    def judging(self, project_id: str) -> Iterator[None]:
        """Reads in the block are made for `project_id` (what it reads of another project is
        then kept, not read again)."""
        saved, self._owner.project = self._owner.project, project_id
        try:
            yield
        finally:
            self._owner.project = saved

    def ahead(self, collection: Collection[Any], key: str, order: int = 0) -> Future[None]:
        """Read `collection` for `key` on its API's lane, before reads of a higher `order`
        (and so do the reads it fans out to); the future says when it is done (a failure is
        remembered, not raised)."""

        def read() -> None:
            self._owner.order = order
            with suppress(Unreadable):
                self.read(collection, key)

        return self.lanes.lane(collection.api.label).submit(read, order)

    def _fetch(self, collection: Collection[Any], key: str) -> Any:
        """Read, unless the project already said the collection's API is not enabled (then
        not applicable, without a call)."""
        if collection.keyed_by == "project" and collection.each is None:  # (a per-resource
            # collection says what its source says)
            with self._lock:
                disabled = self._disabled.get((key, collection.api.label))
            if disabled is not None:
                raise ApiCallError(disabled)
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
            collection.api.label,
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
            slot = (collection.name, key, part)
            entry = self._memo.get(slot)
            computes = entry is None
            reader = self._owner.project
            if entry is None:
                entry = self._memo[slot] = _Entry(None if shared else owner or reader, collection)
                if entry.owner is not None:
                    self._owned.setdefault(entry.owner, set()).add(slot)
            if entry.owner is not None and reader not in (None, entry.owner):
                # read across projects (a service's secret in another project): kept for the
                # run, so no other project reads it again
                self._owned.get(entry.owner, set()).discard(slot)
                entry.owner = None
        if computes:
            with self._lock:
                cold = self._cold.get(slot)
            if cold is not None:
                compute = _thaw(cold)
            elif (collection.each is None or part) and (collection.name, key) in self._recorded:
                compute = _replay(self._recorded[(collection.name, key)])  # a per-resource
                # collection is stored resource by resource (`part`), never whole
            saved, reading = self._owner.project, self._owner.collection
            entry_order = self._owner.order
            self._owner.project, self._owner.collection = entry.owner, collection
            try:
                if self._transport is None:
                    read = compute()
                else:
                    with self._transport.reading(collection.api.label, entry_order):
                        read = compute()
                whole = collection.each is not None and not part  # its parts are checked
                entry.value = read if whole or cold else collection.checked(read, key)
            except Unreadable as exc:
                entry.error = exc
            except ApiCallError as exc:
                if collection.keyed_by == "project" and not part:
                    project: str | None = key
                elif key.startswith("projects/"):  # a resource, named under its project
                    project = key.split("/")[1]
                else:  # one of a project's resources (a bucket), or not a project's
                    project = entry.owner if collection.keyed_by == "project" else None
                entry.error = self._refused(collection, key, project, exc.failure)
                if (
                    entry.error.reason is Reason.API_DISABLED
                    and collection.keyed_by == "project"
                    and not part
                    and not collection.api.always_on
                ):
                    with self._lock:
                        self._disabled[(key, collection.api.label)] = exc.failure
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
                self._owner.project, self._owner.collection = saved, reading
                entry.done.set()
        entry.done.wait()
        if entry.error is not None:
            raise entry.error.copy()
        value: T = entry.value
        return value

    def _refused(
        self, collection: Collection[Any], key: str, project: str | None, failure: ApiFailure
    ) -> Unreadable:
        """What a failed read makes of the data. A 403 SERVICE_DISABLED or BILLING_DISABLED is
        about the project billed for the call (ErrorInfo `consumer`, by number). With a quota
        project that may be another project: the API or billing is off *there*, which says
        nothing of the project read, so its data is unknown, never not applicable. The
        consumer is matched with the project's number (its Resource Manager `name`); when that
        cannot be read, the data is unknown for the reason it could not. `project` is the
        project whose data it is, when it is a project's."""
        if not failure.reason.not_applicable or failure.consumer is None:
            return collection.unreadable(failure, key)
        if project is not None and failure.consumer == f"projects/{project}":
            return collection.unreadable(failure, key)
        number: str | None = None
        if project is not None and self._numbers is not None and collection is not self._numbers:
            try:
                number = str(self.read(self._numbers, project).get("name") or "") or None
            except Unreadable as exc:
                unconfirmed = collection.unreadable(failure, key)
                unconfirmed.reason, unconfirmed.detail = (
                    exc.reason,
                    (
                        f"{failure.service or collection.service} says it is off in"
                        f" {failure.consumer}, which could not be matched to project {project}:"
                        f" {exc.describe()}"
                    ),
                )
                unconfirmed.permission, unconfirmed.role = exc.permission, exc.role
                unconfirmed.consumer = exc.consumer
                return unconfirmed  # e.g. grant resourcemanager.projects.get
        if number == failure.consumer:
            return collection.unreadable(failure, key)
        whose = (
            f"the project billed for these calls (the quota project), not {project}"
            if number is not None
            else f"which cannot be matched to {collection.target(key)}"
        )
        message = f"{failure.service or collection.service} refused the call as disabled (the API"
        message += f" or billing) in {failure.consumer}, {whose}"
        return collection.unreadable(
            replace(failure, reason=Reason.PERMISSION_DENIED, message=message), key
        )

    def seed(self, collection: Collection[T], key: str, value: T) -> None:
        """Store what another read already returned (a project found by projects:search is
        the same Project projects.get returns), so it is not read again; checked like a read."""
        entry = _Entry(key if collection.keyed_by == "project" else None)
        try:
            entry.value = collection.checked(value, key)
        except Unreadable as exc:
            entry.error = exc
        entry.done.set()
        slot = (collection.name, key, False)
        with self._lock:
            if slot not in self._memo:
                self._memo[slot] = entry
                if entry.owner is not None:
                    self._owned.setdefault(entry.owner, set()).add(slot)

    def found(self, collection: Collection[Any], key: str) -> Any:
        """What a finished read of the whole collection for `key` returned (data or
        Unreadable), or None when it was not read (or was released)."""
        with self._lock:
            entry = self._memo.get((collection.name, key, False))
        if entry is None or not entry.done.is_set():
            return None
        return entry.error if entry.error is not None else entry.value

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

    def release(self, projects: Iterable[str], keep: Iterable[Collection[Any]] = ()) -> int:
        """Forget the data of projects whose checks are done, except the collections in `keep`
        (reduced to their compact form) and what another project read of them; returns how
        many entries were dropped. What is dropped is kept compressed (a few kilobytes a
        project): read again (another project's check reads it), it is not asked of the API
        again."""
        kept = {c.name: c for c in keep}
        done: list[tuple[tuple[str, str, bool], _Entry]] = []
        gone: list[tuple[str, str, bool]] = []
        with self._lock:
            for project in projects:
                slots = self._owned.pop(project, set())
                unfinished = set()
                for slot in slots:
                    entry = self._memo[slot]
                    if not entry.done.is_set():
                        unfinished.add(slot)
                        continue
                    done.append((slot, entry))
                    if slot[0] not in kept:
                        gone.append(slot)
                        del self._memo[slot]
                        frozen = _freeze(entry)
                        if frozen is not None:
                            self._cold[slot] = frozen
                    else:
                        unfinished.add(slot)  # kept, compacted: still the project's
                if unfinished:
                    self._owned[project] = unfinished
                for label in [label for p, label in self._disabled if p == project]:
                    del self._disabled[(project, label)]
        for (name, _, _), entry in done:
            compact = kept[name].compact if name in kept else None
            if compact is not None and not entry.compacted and entry.error is None:
                entry.value, entry.compacted = compact(entry.value), True
        return len(gone)

    def fan_out(
        self, fn: Callable[[str], T], keys: Iterable[str], label: str | None = None
    ) -> dict[str, T | Unreadable]:
        """`fn(key)` for every key on the fan-out lane of API `label` (default: the one being
        read); an Unreadable is returned in place of its value. The calls count as the
        caller's: same project."""
        owner, order = self._owner.project, self._owner.order
        label = label or (self._transport.label if self._transport else "")

        def one(key: str) -> T | Unreadable:
            self._owner.project, self._owner.order = owner, order
            try:
                if self._transport is None:
                    return fn(key)
                with self._transport.reading(label, order):
                    return fn(key)
            except Unreadable as exc:
                return exc

        keys = list(keys)
        lane = self.lanes.lane(label, "fan")
        futures = [lane.submit(lambda k=key: one(k), order) for key in keys]  # type: ignore[misc]
        wait(futures)  # woken once, when all are done (not once per read)
        return {key: future.result() for key, future in zip(keys, futures, strict=True)}

    def close(self) -> None:
        """Cancel the reads still queued."""
        self.lanes.close()


def _freeze(entry: _Entry) -> bytes | Unreadable | None:
    """A released read, compressed: its declared fields (all a check may read: what a snapshot
    keeps), or the failure itself; None for what is rebuilt from its parts (a per-resource
    collection), was seeded, or is not JSON."""
    if entry.error is not None:
        return entry.error
    if entry.collection is None or isinstance(entry.value, PerResource):
        return None
    try:
        kept = entry.collection.kept(entry.value)
        text = json.dumps(kept, separators=(",", ":"))
    except (TypeError, ValueError, AttributeError):
        return None
    if json.loads(text) != kept:  # a tuple, a key that is not a string: not JSON as is
        return None
    return zlib.compress(text.encode(), 1)


def _thaw(frozen: bytes | Unreadable) -> Callable[[], Any]:
    def value() -> Any:
        if isinstance(frozen, Unreadable):
            raise frozen.copy()
        return json.loads(zlib.decompress(frozen))

    return value


def _replay(stored: Any) -> Callable[[], Any]:
    def value() -> Any:
        if isinstance(stored, Unreadable):
            raise stored.copy()
        return stored

    return value


def where(exc: BaseException) -> str:
    """The traceback frames of an exception, without its message (which may quote data)."""
    return "".join(traceback.format_tb(exc.__traceback__)).rstrip()
