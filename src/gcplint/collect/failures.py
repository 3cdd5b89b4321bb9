"""Normalise what the client libraries raise into one failure shape, in one place.

`classify` imports the client libraries' exception types when it first runs, so that nothing that
only prints help or metadata pays for importing Google's libraries.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..model import Reason
from ..redact import looks_like_credential

TRANSIENT_STATUSES = frozenset({429, 500, 502, 503, 504})
_QUOTA_REASONS = frozenset(
    {"RATE_LIMIT_EXCEEDED", "rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded"}
)


@dataclass(frozen=True)
class ApiFailure:
    """A failed API call, normalised: why, how the server said it, and whether to retry."""

    reason: Reason
    message: str
    http_status: int | None = None
    error_reason: str | None = None  # google.rpc.ErrorInfo reason, e.g. SERVICE_DISABLED
    permission: str | None = None
    service: str | None = None
    retry_after: float | None = None
    consumer: str | None = None  # ErrorInfo metadata: the project billed for the call

    @property
    def transient(self) -> bool:
        """True when the same call may succeed if retried."""
        if self.http_status is None:
            return self.reason is Reason.UNAVAILABLE
        return self.http_status in TRANSIENT_STATUSES or self.reason is Reason.QUOTA_EXHAUSTED

    @property
    def hides_resource(self) -> bool:
        """True for a plain 403 (no ErrorInfo reason, or IAM_PERMISSION_DENIED) or a 404: what
        Google answers alike for a resource that does not exist and one the caller may not
        see. A 403 that says something else (SERVICE_DISABLED, BILLING_DISABLED, a quota) is
        not such an answer."""
        if self.http_status == 404:
            return True
        return (
            self.http_status == 403
            and self.reason is Reason.PERMISSION_DENIED
            and self.error_reason in (None, "IAM_PERMISSION_DENIED")
        )


class ApiCallError(Exception):
    """An API call failed for good (after retries)."""

    def __init__(self, failure: ApiFailure) -> None:
        super().__init__(failure.message)
        self.failure = failure


def classify(exc: BaseException) -> ApiFailure | None:
    """Normalise an exception raised by a client library call; None if it is not an API failure."""
    import socket

    import httplib2
    import requests
    from google.auth import exceptions as auth_exc
    from googleapiclient.errors import HttpError

    if isinstance(exc, ApiCallError):
        return exc.failure
    if isinstance(exc, HttpError):
        return _from_discovery(exc)
    if isinstance(exc, (requests.exceptions.Timeout, socket.timeout, TimeoutError)):
        return ApiFailure(Reason.UNAVAILABLE, "the request timed out")
    if isinstance(
        exc, (requests.exceptions.ConnectionError, httplib2.HttpLib2Error, ConnectionError)
    ):
        return ApiFailure(Reason.UNAVAILABLE, f"connection failed: {_short(exc)}")
    if isinstance(exc, auth_exc.GoogleAuthError):  # a token refresh during the call
        refresh = refresh_failure(exc)
        reason = Reason.UNAVAILABLE if refresh.network else Reason.ERROR
        return ApiFailure(reason, f"credentials could not be refreshed: {refresh.why}")
    if isinstance(exc, (json.JSONDecodeError, UnicodeDecodeError)):
        # the parser's message may quote the response (and so a secret): name the error only
        return ApiFailure(Reason.ERROR, f"malformed response ({type(exc).__name__})")
    if isinstance(exc, OSError):
        return ApiFailure(Reason.UNAVAILABLE, f"connection failed: {_short(exc)}")
    return None


def _from_discovery(exc: Any) -> ApiFailure:
    status = exc.status_code if isinstance(exc.status_code, int) else None
    reason: str | None = None
    metadata: Mapping[str, Any] = {}
    for detail in exc.error_details or []:
        if not isinstance(detail, dict):
            continue
        if detail.get("@type", "").endswith("google.rpc.ErrorInfo"):
            reason = detail.get("reason")
            metadata = detail.get("metadata") or {}
            break
        if reason is None and isinstance(detail.get("reason"), str):
            reason = detail["reason"]  # legacy {"errors": [{"reason": ...}]}
    message = str(exc.reason or "") if isinstance(exc.reason, str) else ""
    retry_after = exc.resp.get("retry-after") if exc.resp is not None else None
    return _build(status, reason, metadata, message, retry_after)


def _build(
    status: int | None,
    error_reason: str | None,
    metadata: Mapping[str, Any],
    message: str,
    retry_after: str | None,
) -> ApiFailure:
    return ApiFailure(
        reason=_reason(status, error_reason),
        message=message.strip() or f"HTTP {status}",
        http_status=status,
        error_reason=error_reason,
        permission=_shaped(metadata.get("permission"), _PERMISSION),
        service=_shaped(metadata.get("service"), _SERVICE),
        retry_after=_seconds(retry_after),
        consumer=_shaped(metadata.get("consumer"), _CONSUMER),
    )


_PERMISSION = re.compile(r"[a-z][a-zA-Z0-9]*(\.[a-zA-Z][a-zA-Z0-9]*){2,4}")  # run.services.get
_CONSUMER = re.compile(r"projects/[a-z0-9][a-z0-9-]{0,62}")  # projects/415104041262
_SERVICE = re.compile(r"[a-z][a-z0-9-]*(\.[a-z][a-z0-9-]*)*\.googleapis\.com")


def _shaped(value: Any, shape: re.Pattern[str]) -> str | None:
    """ErrorInfo metadata (the endpoint's words) that gcplint repeats in its hints: kept only
    when it has the form of a permission or a service name, never arbitrary text."""
    return value if isinstance(value, str) and shape.fullmatch(value) else None


def _reason(status: int | None, error_reason: str | None) -> Reason:
    if error_reason == "SERVICE_DISABLED":
        return Reason.API_DISABLED
    if error_reason == "BILLING_DISABLED":
        return Reason.BILLING_DISABLED
    if status == 429 or error_reason in _QUOTA_REASONS:
        return Reason.QUOTA_EXHAUSTED
    if status in (401, 403):
        return Reason.PERMISSION_DENIED
    if status == 404:
        return Reason.NOT_FOUND
    if status is not None and status in TRANSIENT_STATUSES:
        return Reason.UNAVAILABLE
    return Reason.ERROR


def _seconds(value: str | None) -> float | None:
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # an HTTP date: fall back to our own backoff


def _short(exc: BaseException) -> str:
    return clip(str(exc)) or type(exc).__name__


def clip(text: str, limit: int = 200) -> str:
    """The first line of `text`, cut between words to at most `limit` characters (an ellipsis
    marks the cut): an error message must stay one readable line, never end mid-word."""
    line = text.strip().splitlines()[0] if text.strip() else ""
    if len(line) <= limit:
        return line
    head = line[: limit - 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else head
    return cut.rstrip(" ,;:(") + "…"


@dataclass(frozen=True)
class RefreshFailure:
    """Why credentials could not get an access token, in words that quote no secret."""

    why: str  # one clause, no final stop: "the connection was refused"
    network: bool  # the token endpoint was not reached: the credentials were not judged
    code: str | None = None  # what the endpoint answered: an OAuth error (invalid_grant) or status


_CODE_MEANINGS = {
    "invalid_grant": "the refresh token or key is no longer accepted (expired, revoked, deleted"
    " or disabled), or the system clock is wrong",
    "invalid_client": "the OAuth client of the credentials is unknown or disabled",
    "unauthorized_client": "the OAuth client may not get tokens this way",
    "invalid_scope": "the cloud-platform scope was refused",
    "invalid_rapt": "Google asks the user to sign in again (reauthentication)",
    "PERMISSION_DENIED": "permission denied",
    "UNAUTHENTICATED": "the credentials were not accepted",
    "NOT_FOUND": "the service account was not found",
}


def refresh_failure(exc: BaseException) -> RefreshFailure:
    """Why a token refresh (google.auth's RefreshError, TransportError, ...) failed: a network
    problem named from the exception chain, else the error code the token endpoint answered,
    else the exception's first line (clipped, credential-shaped words dropped)."""
    chain = _causes(exc)
    network = _network_why(chain)
    if network is not None:
        return RefreshFailure(network, network=True)
    code = next((c for e in chain if (c := _error_code(e)) is not None), None)
    if code is not None:
        meaning = _CODE_MEANINGS.get(code, "the token endpoint refused the request")
        return RefreshFailure(f"{code}: {meaning}", network=False, code=code)
    return RefreshFailure(f"{type(exc).__name__}: {_scrubbed(exc)}", network=False)


def _causes(exc: BaseException) -> list[BaseException]:
    """The exception and everything it wraps (causes, contexts, urllib3's `reason`, exception
    arguments), outermost first."""
    found: list[BaseException] = []
    todo: list[Any] = [exc]
    while todo:
        item = todo.pop(0)
        if not isinstance(item, BaseException) or any(item is seen for seen in found):
            continue
        found.append(item)
        todo += [item.__cause__, item.__context__, getattr(item, "reason", None), *item.args]
    return found


def _network_why(chain: list[BaseException]) -> str | None:
    """The network problem the chain shows, most specific first (a proxy error wraps the
    refused connection to the proxy; urllib3's name-resolution error is a connect timeout)."""
    import errno
    import socket
    import ssl

    import httplib2
    import requests
    import urllib3.exceptions as u3
    from google.auth import exceptions as auth_exc

    kinds: list[tuple[tuple[type[BaseException], ...], str]] = [
        (
            (requests.exceptions.ProxyError, u3.ProxyError),
            "the proxy (HTTPS_PROXY) could not be reached or refused the connection",
        ),
        (
            (u3.NameResolutionError, socket.gaierror, httplib2.ServerNotFoundError),
            "the host name could not be resolved (no network, or DNS is failing)",
        ),
        ((ConnectionRefusedError,), "the connection was refused"),
        ((TimeoutError, requests.exceptions.Timeout), "the connection timed out"),
        (
            (ssl.SSLError, requests.exceptions.SSLError),
            "the TLS handshake failed (a proxy that inspects TLS needs its CA in REQUESTS_CA_BUNDLE)",
        ),
    ]
    for types, why in kinds:
        if any(isinstance(e, types) for e in chain):
            return why
    if any(
        isinstance(e, OSError) and e.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH) for e in chain
    ):
        return "the network is unreachable"
    lost = (ConnectionError, requests.exceptions.ConnectionError, httplib2.HttpLib2Error)
    if any(isinstance(e, (*lost, auth_exc.TransportError)) for e in chain):
        return "the connection failed"
    return None


def _error_code(exc: BaseException) -> str | None:
    """The error a token endpoint answered, from the response google.auth attaches to its
    exception: OAuth's `{"error": "invalid_grant"}` or Google's `{"error": {"status": ...}}`."""
    for arg in exc.args[1:]:
        data = arg
        if isinstance(arg, str | bytes):
            try:
                data = json.loads(arg)
            except ValueError:
                continue
        error = data.get("error") if isinstance(data, Mapping) else None
        if isinstance(error, Mapping):
            error = error.get("status")
        if isinstance(error, str) and re.fullmatch(r"[A-Za-z_]{1,64}", error):
            return error
    return None


def _scrubbed(exc: BaseException) -> str:
    """The exception's first line, clipped, without words shaped like a credential."""
    words = str(exc).split(" ")
    return clip(" ".join("[redacted]" if looks_like_credential(w) else w for w in words))
