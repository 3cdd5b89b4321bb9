"""Secret values never leave the collector.

A Cloud Run container's literal environment value (`env[].value`) is replaced, as soon as it is
read, by a marker that keeps what checks need and nothing else:
`gcplint-redacted:length=23:credential=yes`. Checks, reports, logs and snapshots only ever
see the marker. (Secret Manager payloads are never fetched at all.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

PREFIX = "gcplint-redacted"
_MARKER = re.compile(rf"^{PREFIX}:length=(\d+):credential=(yes|no)$")
_CREDENTIAL = [
    re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----"),
    re.compile(
        r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE
    ),  # URL with user:password@
    re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b"),  # AWS access key id
    re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b"),  # Google API key
    re.compile(r"\b(sk|rk)_(live|test)_[0-9A-Za-z]{16,}\b"),  # Stripe
    re.compile(r"\bgh[pousr]_[0-9A-Za-z]{30,}\b"),  # GitHub tokens
    re.compile(r"\bxox[abprs]-[0-9A-Za-z-]{10,}\b"),  # Slack tokens
    re.compile(r"^eyJ[0-9A-Za-z_-]+\.[0-9A-Za-z_-]+\.[0-9A-Za-z_-]+$"),  # a JWT
    re.compile(r'"type"\s*:\s*"service_account"'),  # a service account key file
]


@dataclass(frozen=True)
class Redacted:
    """What is left of a literal value: its length and whether it looked like a credential."""

    length: int
    credential: bool


def looks_like_credential(value: str) -> bool:
    """A private key, a URL with an embedded password, a known token format, a JWT."""
    return any(pattern.search(value) for pattern in _CREDENTIAL)


def marker(value: str) -> str:
    """The marker that replaces a literal value."""
    return (
        f"{PREFIX}:length={len(value)}:credential={'yes' if looks_like_credential(value) else 'no'}"
    )


def parse(value: str) -> Redacted | None:
    """The marker's content, or None when `value` is not a marker."""
    found = _MARKER.match(value)
    return Redacted(int(found.group(1)), found.group(2) == "yes") if found else None


def redact_containers(containers: Iterable[dict[str, Any]]) -> None:
    """Replace every literal env value of these containers, in place."""
    for container in containers:
        for var in container.get("env") or []:
            value = var.get("value")
            if isinstance(value, str) and parse(value) is None:
                var["value"] = marker(value)


def redact_run_resource(resource: dict[str, Any]) -> dict[str, Any]:
    """A Cloud Run service (containers under `template`) or revision (containers at the top)."""
    redact_containers((resource.get("template") or {}).get("containers") or [])
    redact_containers(resource.get("containers") or [])
    return resource


_USERINFO = re.compile(r"(?P<scheme>\b[a-z][a-z0-9+.-]*://)[^/\s@?#]+@", re.IGNORECASE)
_SECRET_PARAM = re.compile(
    r"(?P<name>[?&;][\w.-]*(?:token|key|secret|passw|pwd|auth|sig|credential|session)[\w.-]*=)"
    r"[^&#;\s]*",
    re.IGNORECASE,
)
_SECRET_KEY = re.compile(r"token|secret|passw|pwd|api.?key|auth|credential|cookie", re.IGNORECASE)
_HEADERS = frozenset(
    {"authorization", "proxy-authorization", "cookie", "set-cookie", "x-api-key", "x-auth-token"}
)


def redact_string(value: str) -> str:
    """`value` without URL credentials: the userinfo of `scheme://user:password@host` and the
    values of secret-looking query parameters (`?token=...`) become `gcplint-redacted`.
    Idempotent; a string without `://` or `=` is returned as it is."""
    if "://" in value:
        value = _USERINFO.sub(rf"\g<scheme>{PREFIX}@", value)
    if "=" in value:
        value = _SECRET_PARAM.sub(rf"\g<name>{PREFIX}", value)
    return value


def redact_header(obj: dict[str, Any]) -> None:
    """In place: the value of a credential header (`{"name": "Authorization", "value": ...}`)
    replaced by a marker."""
    name = obj.get("name", obj.get("key"))
    value = obj.get("value")
    credential = isinstance(name, str) and name.lower() in _HEADERS
    if credential and isinstance(value, str) and parse(value) is None:
        obj["value"] = marker(value)


def redact_map(obj: dict[str, Any]) -> None:
    """In place: the values of a map's secret-looking keys (`auth_token`) replaced by markers."""
    for key, item in obj.items():
        if isinstance(item, str) and _SECRET_KEY.search(key) and parse(item) is None:
            obj[key] = marker(item)
