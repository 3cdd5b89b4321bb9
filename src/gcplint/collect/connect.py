"""Opening the session a scan reads through: the APIs (or an emulator at `--api-base`), the
bundled demo world served by the emulator, or a snapshot replayed offline.

Google's client libraries, and the emulator, are imported here, when a session is opened: never
by a command that only prints help or metadata.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from ..errors import ConfigError, UsageError
from .ratelimit import Throttles
from .registry import PROJECT
from .session import Session
from .transport import RetryPolicy, Transport


@dataclass(frozen=True)
class ClientSettings:
    """How to reach Google APIs."""

    api_base: str | None = None
    impersonate_service_account: str | None = None
    quota_project: str | None = None
    timeout: float = 30.0


@dataclass(frozen=True)
class Connection:
    """An open session, who it reads as, and the project billed for quota."""

    session: Session
    identity: str
    quota_project: str | None = None


def check_api_base(url: str) -> str:
    """Validate an API base URL; returns it without a trailing slash."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ConfigError(f"--api-base must be an http:// or https:// URL with a host, got {url!r}")
    if parts.query or parts.fragment:
        raise ConfigError(f"--api-base must not have a query or fragment, got {url!r}")
    return url.rstrip("/")


@contextmanager
def replay(recorded: Mapping[tuple[str, str], Any], identity: str) -> Iterator[Connection]:
    """A session over a snapshot's reads: no network at all."""
    session = Session(None, recorded=recorded)
    try:
        yield Connection(session, identity)
    finally:
        session.close()


@contextmanager
def live(
    settings: ClientSettings,
    start: Mapping[str, float],
    ceilings: Mapping[str, float],
    max_in_flight: int | None = None,
) -> Iterator[Connection]:
    """A session over the APIs (or the emulator at `settings.api_base`), each API throttled
    adaptively from its `start` rate (none: unlimited until it says 429), never above its
    ceiling (--rate-limit), with at most `max_in_flight` calls in flight (--max-concurrency)."""
    from .clients import Clients, resolve_credentials

    if settings.api_base:
        _bypass_proxy(settings.api_base)
    creds, identity = resolve_credentials(settings)
    throttles = Throttles(start, ceilings, max_in_flight=max_in_flight)
    transport = Transport(Clients(settings, creds), retry_policy(), throttles)
    session = Session(transport, numbers=PROJECT)
    quota = settings.quota_project or getattr(creds, "quota_project_id", None)
    try:
        yield Connection(session, identity, quota)
    finally:
        session.close()


@contextmanager
def demo() -> Iterator[tuple[str, list[str]]]:
    """The bundled demo world served by the emulator on a free local port: its API base URL
    and its projects."""
    from ..emulator import Emulator, demo_world

    world = demo_world()
    with Emulator(world) as emulator:
        yield emulator.url, list(world.projects)


def retry_policy() -> RetryPolicy:
    """Backoff base from GCPLINT_RETRY_INITIAL (seconds; tests use a tiny one)."""
    raw = os.environ.get("GCPLINT_RETRY_INITIAL")
    if raw is None:
        return RetryPolicy()
    try:
        initial = float(raw)
    except ValueError:
        raise UsageError(
            f"GCPLINT_RETRY_INITIAL must be a number of seconds, got {raw!r}"
        ) from None
    return RetryPolicy(initial=initial, maximum=max(initial * 8, initial))


def _bypass_proxy(api_base: str) -> None:
    """Keep requests from sending emulator traffic to an HTTP(S)_PROXY."""
    host = api_base.split("://", 1)[1].split("/", 1)[0].rsplit(":", 1)[0]
    current = os.environ.get("NO_PROXY") or os.environ.get("no_proxy") or ""
    if host not in current.split(","):
        os.environ["NO_PROXY"] = ",".join(filter(None, [current, host]))
