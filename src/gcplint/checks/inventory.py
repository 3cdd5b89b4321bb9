"""The inventory: what a check sees of a scan.

A check is a pure function of an `Inventory`: the collections it declared (read through the
session, once per run), its options, the scan's time and the projects in scope. Reading a
collection it did not declare is an error, so the permissions a check needs are exactly those of
the collections it declares.
"""

from __future__ import annotations

import fnmatch
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from ..collect.collection import Collection, Unreadable
from ..collect.registry import PROJECT
from ..environment import Classification, Environment, classify
from ..model import Reason, project_resource
from ..resources import ProjectInfo

if TYPE_CHECKING:
    from datetime import datetime

    from ..collect.session import Session
    from ..config import Config, OptionValue

T = TypeVar("T")


class _Once:
    """Values computed once per scan, by key, whoever asks first (the others wait for it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: dict[str, Any] = {}
        self._locks: dict[str, threading.Lock] = {}

    def get(self, key: str, compute: Callable[[], T]) -> T:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._values:
                self._values[key] = compute()
            value: T = self._values[key]
            return value


@dataclass(frozen=True)
class ScanContext:
    """What every check of one scan shares: the session, the config, the projects in scope (the
    whole scope, even when this run judges one shard of it), the scan's start time, and the
    indexes checks build once over the whole scope (`Inventory.once`)."""

    session: Session
    config: Config
    projects: tuple[str, ...]
    now: datetime
    indexes: _Once = field(default_factory=_Once, compare=False)

    def classify(self, key: str) -> Classification:
        """The environment of any project (ID or number): the config mapping, else its labels
        and ID. A project outside the scope whose metadata is denied or missing is judged from
        its ID alone; otherwise unreadable metadata raises Unreadable (the result is unknown)."""
        for pattern, env in self.config.environments:
            if fnmatch.fnmatchcase(key, pattern):
                return Classification(env, f"config {pattern}", False)
        try:
            info = ProjectInfo.from_rest(self.session.read(PROJECT, key))
        except Unreadable as exc:
            if key in self.projects or exc.reason not in (
                Reason.PERMISSION_DENIED,
                Reason.NOT_FOUND,
            ):
                raise
            if key.isdigit():
                return Classification(Environment.UNKNOWN, f"project {key} is unreadable", False)
            return classify(key, None)
        return info.classification(self.config.environments)


class UndeclaredCollection(Exception):
    """A check read a collection it did not declare in `requires`."""


class Inventory:
    """What a check sees: fetched collections (declared ones only), its options, the scope."""

    def __init__(
        self,
        scan: ScanContext,
        project_id: str,
        allowed: Iterable[Collection[Any]],
        options: dict[str, OptionValue] | None = None,
    ) -> None:
        self._scan = scan
        self.project_id = project_id
        self._allowed = frozenset(c.name for c in allowed)
        self._options = options or {}

    @property
    def resource(self) -> str:
        """The project's full resource name."""
        return project_resource(self.project_id)

    @property
    def now(self) -> datetime:
        """When the scan started (UTC): the reference for ages, identical for every check."""
        return self._scan.now

    @property
    def scope(self) -> tuple[str, ...]:
        """Every project ID in the scan's scope (results are produced only for these)."""
        return self._scan.projects

    def get(self, collection: Collection[T], key: str | None = None) -> T:
        """A declared collection of this project (or of project `key`); raises Unreadable."""
        self._require(collection)
        if key is None and collection.keyed_by != "project":
            raise TypeError(f"{collection.name} is keyed by {collection.keyed_by}: name the key")
        return self._scan.session.read(collection, key or self.project_id)

    def project(self, key: str | None = None) -> ProjectInfo:
        """This project's metadata (or that of project `key`, by ID or number); raises Unreadable."""
        return ProjectInfo.from_rest(self.get(PROJECT, key))

    def environment(self, project: str | None = None) -> Classification:
        """The environment of this project, or of any other by ID or number (which may lie
        outside the scope: it is read, never reported on). Needs `PROJECT` in requires."""
        self._require(PROJECT)
        return self._scan.classify(project or self.project_id)

    def once(self, key: str, compute: Callable[[], T]) -> T:
        """`compute()`, made once per scan for `key` and shared by every project's run of a
        check: an index over the whole scope that would otherwise be rebuilt per project. A
        failure is raised to each asker, never remembered."""
        return self._scan.indexes.get(key, compute)

    def option(self, name: str) -> OptionValue:
        """A check option: the config file's value, else the check's default."""
        return self._options[name]

    def _require(self, collection: Collection[Any]) -> None:
        if collection.name not in self._allowed:
            raise UndeclaredCollection(
                f"the check read {collection.name} without declaring it in requires="
            )
