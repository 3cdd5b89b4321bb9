"""Shared shape of collectors that read one thing per resource (IAM policies, versions...)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

from ..errors import ApiFailure
from ..inventory import PerResource, Session, Unreadable

T = TypeVar("T")


def per_resource_reads(
    session: Session,
    kind: str,
    names: Iterable[str],
    read: Callable[[str], T],
    *,
    what: str,
    noun: str,
    permission: str,
    role: str,
    service: str,
) -> PerResource[T]:
    """`read(name)` for every resource, concurrently; a failure is recorded for that resource."""

    def failed(name: str, failure: ApiFailure) -> Unreadable:
        return Unreadable(
            what,
            f"{noun} {name}",
            failure.reason,
            failure.message,
            permission=failure.permission or permission,
            role=role,
            service=service,
        )

    return session.per_resource(kind, names, read, failed)
