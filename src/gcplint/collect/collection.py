"""What a collection is, what an unreadable one is, and the one mapping between them.

A `Collection` names one kind of data gcplint reads ("Cloud SQL instances of a project"), the API
and IAM permission it needs, and how to read it. Every collection is declared once, in the
registry (`gcplint.collect.registry`). A read that fails becomes `Unreadable`, built in exactly
one place (`Collection.unreadable`), which checks turn into unknown results.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar

from ..model import Outcome, Reason, Status
from . import schema
from .apis import BY_LABEL, Api
from .failures import ApiFailure
from .schema import Fields

if TYPE_CHECKING:
    from .session import Session

T = TypeVar("T")
T_co = TypeVar("T_co", covariant=True)
JSON = dict[str, Any]
Keyed = Literal["project", "folder", "organization", "billing account"]


@dataclass(frozen=True)
class Permission:
    """An IAM permission and the kind of resource it must be granted on."""

    name: str
    on: Keyed = "project"
    role: str | None = field(default=None, compare=False)  # a predefined role that grants it


@dataclass(frozen=True)
class Each:
    """How a per-resource collection is read: the names (`key`) of the items of other
    collections of the same project, each read on its own by `read(session, project, name)`.
    A resource that cannot be read is recorded for that resource alone."""

    over: tuple[Collection[list[JSON]], ...]
    read: Callable[[Session, str, str], Any] = field(repr=False)
    what: str  # "IAM policy", for messages: "IAM policy of bucket b could not be read"
    noun: str  # "bucket"
    key: Callable[[JSON], str | None] = field(default=lambda item: str(item.get("name", "")))
    # ^ the resource name to read for an item of `over`, or None to leave the item out


@dataclass(frozen=True, eq=False)
class Collection(Generic[T_co]):
    """One kind of data gcplint reads, per key (a project ID unless `keyed_by` says otherwise)."""

    name: str  # "<api label>.<collection>": the key in world files and snapshots
    title: str  # "Cloud SQL instances"
    api: Api
    permission: str  # the IAM permission the read needs
    role: str  # a predefined role that grants it
    read: Callable[[Session, str], Any] | None = field(default=None, repr=False)
    # ^ (session, key) -> the data; a per-resource collection is read by `each` instead
    each: Each | None = None
    keyed_by: Keyed = "project"
    permission_on: Keyed = "project"
    needs: tuple[Collection[Any], ...] = ()  # other collections the read depends on
    also: tuple[Permission, ...] = ()  # permissions the read needs besides its own and `needs`'
    stored: bool = True  # False: snapshots keep only the reads it is derived from
    labels: Callable[[str, Any], Iterable[tuple[str, Mapping[str, str]]]] | None = field(
        default=None, repr=False
    )
    # ^ (full resource name, labels) of the read resources, for `gcplint-ignore` labels
    compact: Callable[[Any], Any] | None = field(default=None, repr=False)
    # ^ what is kept once its project's checks are done, for checks that read it `across`
    #   projects (default: all of it)
    fields: Fields | None = None
    # ^ the fields gcplint reads (checks, `labels`, `compact`, `each.key`, derived collections):
    #   type-checked on every read, the only ones a snapshot keeps (see schema.py)

    def __post_init__(self) -> None:
        if (self.read is None) == (self.each is None):
            raise TypeError(f"collection {self.name}: give exactly one of read= and each=")

    @property
    def service(self) -> str:
        """The API's service name, e.g. `sqladmin.googleapis.com`."""
        return self.api.service

    @property
    def sources(self) -> tuple[Collection[Any], ...]:
        """The collections this one is read from: `needs`, and what a per-resource one reads over."""
        return (*self.needs, *(self.each.over if self.each else ()))

    @property
    def permissions(self) -> tuple[Permission, ...]:
        """Every permission reading this collection may need, its own first."""
        found = [Permission(self.permission, self.permission_on, self.role), *self.also]
        for source in self.sources:
            found += source.permissions
        return tuple(dict.fromkeys(found))

    @functools.cached_property
    def shape(self) -> schema.Node | None:
        """The declared fields, typed from the discovery document (loaded on first use)."""
        if self.fields is None:
            return None
        version = self.fields.version or self.api.discovery
        return schema.compile_fields(self.fields, self.api.label, version)

    @functools.cached_property
    def mask(self) -> str | None:
        """The `fields` parameter of this collection's request (schema.mask), or None (no
        declared fields: the whole response)."""
        if self.fields is None:
            return None
        return schema.mask(self.fields, self.api.label, self.fields.version or self.api.discovery)

    def checked(self, value: Any, key: str) -> Any:
        """`value` (one read for `key`, or one resource's for a per-resource collection) once
        its declared fields have their discovery types, credential-shaped values in them
        redacted (in place); raises Unreadable naming the first field of the wrong type."""
        node, listed = self.shape, self.fields.listed if self.fields else None
        if node is None:
            return value
        try:
            if listed is None:
                schema.check(value, node, "")
            elif not isinstance(value, list):
                raise schema.Mismatch(f"{listed} is not an array")
            else:
                for i, item in enumerate(value):
                    schema.check(item, node, f"{listed}[{i}]")
        except schema.Mismatch as exc:
            failure = ApiFailure(Reason.ERROR, f"malformed response: {self.name}: {exc}")
            raise self.unreadable(failure, key) from None
        return value

    def kept(self, value: Any) -> Any:
        """What a snapshot keeps of one read: only the declared fields."""
        node = self.shape
        if node is None:
            return value
        if self.fields is not None and self.fields.listed is not None:
            return [schema.keep(item, node) for item in value]
        return schema.keep(value, node)

    def target(self, key: str) -> str:
        """What a key names, for messages: 'project acme-prod'."""
        return f"{self.keyed_by} {key}"

    def unreadable(self, failure: ApiFailure, key: str) -> Unreadable:
        """The one mapping from a failed API call to unreadable data. `key` is the collection's
        key, or a resource name for one resource of a per-resource collection."""
        what, target = (
            (self.each.what, f"{self.each.noun} {key}")
            if self.each
            else (self.title, self.target(key))
        )
        elsewhere = failure.reason is Reason.PERMISSION_DENIED and failure.error_reason in (
            "SERVICE_DISABLED",  # off in the project billed, not the one read
            "BILLING_DISABLED",  # (Session._refused): no permission would help
        )
        return Unreadable(
            what,
            target,
            failure.reason,
            failure.message,
            permission=failure.permission or (None if elsewhere else self.permission),
            role=self.role,
            service=failure.service or self.service,
            failure=failure,
            consumer=failure.consumer if elsewhere else None,
        )

    def __repr__(self) -> str:
        return f"Collection({self.name})"


_SPEC = re.compile(
    r"^(?P<name>[a-z]+\.\w+): (?P<title>.+), (?P<permission>[\w.]+) \((?P<role>roles/[\w.]+)\)$"
)


def declare(spec: str, **rest: Any) -> Collection[Any]:
    """A collection from its one-line description, `NAME: TITLE, PERMISSION (ROLE)` — e.g.
    `"sqladmin.instances: Cloud SQL instances, cloudsql.instances.list (roles/cloudsql.viewer)"`
    — and how to read it (`read=` or `each=`, and any other field). The API is the one the
    name's label names."""
    found = _SPEC.match(spec)
    if found is None:
        raise ValueError(f"collection {spec!r}: expected 'NAME: TITLE, PERMISSION (ROLE)'")
    api = BY_LABEL[found["name"].partition(".")[0]]
    return Collection(
        found["name"], found["title"], api, found["permission"], found["role"], **rest
    )


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
        failure: ApiFailure | None = None,
        consumer: str | None = None,
    ) -> None:
        super().__init__(f"{what} of {target}: {reason.value}: {detail}")
        self.what = what
        self.target = target
        self.reason = reason
        self.detail = detail
        self.permission = permission
        self.role = role
        self.service = service
        self.failure = failure  # the failed API call, when it was one (not kept in snapshots)
        self.consumer = consumer  # the project billed for the call (projects/NUMBER) when
        # the API or billing was off there, not in the project read: no grant would help

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
            failure=self.failure,
            consumer=self.consumer,
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
        if self.consumer:
            number = self.consumer.removeprefix("projects/")
            return (
                f"enable {self.service or 'the API'} and billing in {self.consumer}, the project"
                f" billed for these calls (gcloud services enable {self.service or 'SERVICE'}"
                f" --project {number}), or scan with a --quota-project that has both"
            )
        if self.reason is Reason.PERMISSION_DENIED and self.permission:
            role = f" (e.g. {self.role})" if self.role else ""
            return (
                f"grant the scanning identity a role with {self.permission}{role} on {self.target}"
            )
        if self.reason is Reason.QUOTA_EXHAUSTED:
            return "re-run later, lower --max-concurrency, or raise the API quota"
        return None


def from_unreadable(exc: Unreadable, resource: str, *, subject: str | None = None) -> Outcome:
    """A check's outcome for data that could not be read: unknown, or not applicable when the
    API is disabled (the resource cannot exist)."""
    status = Status.NOT_APPLICABLE if exc.reason.not_applicable else Status.UNKNOWN
    return Outcome(
        status, resource, exc.describe(), subject=subject, reason=exc.reason, remediation=exc.hint()
    )


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
