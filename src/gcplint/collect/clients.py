"""The one place that builds Google API clients and credentials.

Every API is read through google-api-python-client's discovery clients, built from the static
discovery documents it bundles: each answer is the API's own REST JSON. With an API base URL
(`--api-base`, `GCPLINT_API_BASE`) every call goes to `{base}/{label}{standard REST path}` with
anonymous credentials.

httplib2 reads every response through `_GuardedResponse`, so each exchange keeps to its deadline
and byte limit (`transport.EXCHANGE`) however slowly the server sends, and decompresses within
that limit too.
"""

from __future__ import annotations

import http.client
import io
import json
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import google.auth
import google.auth.transport.requests
import google_auth_httplib2
import httplib2
from google.auth import compute_engine, impersonated_credentials
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import AnonymousCredentials, Credentials
from google.oauth2 import credentials as user_credentials
from google.oauth2 import service_account
from googleapiclient import discovery, discovery_cache

from ..errors import ConfigError
from . import headers as response_headers
from .apis import APIS
from .connect import ClientSettings
from .failures import ApiCallError, refresh_failure
from .transport import EXCHANGE, http_log, log_exchange, timed_out, too_large

log = logging.getLogger(__name__)

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
_DISCOVERY = {api.label: api.discovery for api in APIS}


def resolve_credentials(settings: ClientSettings) -> tuple[Credentials, str]:
    """The credentials to use and a description of the identity behind them. They get their
    first access token here, so that a scan never starts with credentials that cannot work."""
    if settings.api_base:
        anonymous = _EmulatorCredentials(settings.quota_project)
        return anonymous, f"anonymous (API base {settings.api_base})"
    try:
        creds, _ = google.auth.default(scopes=SCOPES, quota_project_id=settings.quota_project)
    except auth_exceptions.DefaultCredentialsError as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(
            f"no usable Google credentials ({first}); run 'gcloud auth application-default login' "
            "or set GOOGLE_APPLICATION_CREDENTIALS"
        ) from None
    request = google.auth.transport.requests.Request()
    source = describe_source(creds)
    refresh(creds, request, source)
    target = settings.impersonate_service_account
    if target:
        creds = impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
            source_credentials=creds,
            target_principal=target,
            target_scopes=list(SCOPES),
            quota_project_id=settings.quota_project,
        )
        refresh(creds, request, impersonating(target, source))
    return creds, describe_identity(creds)


class _EmulatorCredentials(AnonymousCredentials):
    """No token, but the quota project (--quota-project), when one is set, goes with every
    call as Google's credentials send it (x-goog-user-project), so an emulator can answer as
    Google does for the project billed."""

    def __init__(self, quota_project: str | None) -> None:
        super().__init__()  # type: ignore[no-untyped-call]
        self._quota_project_id = quota_project

    def apply(self, headers: Any, token: str | None = None) -> None:
        super().apply(headers, token)  # type: ignore[no-untyped-call]
        if self._quota_project_id:
            headers["x-goog-user-project"] = self._quota_project_id

    def before_request(self, request: Any, method: str, url: str, headers: Any) -> None:
        self.apply(headers)


NETWORK_ADVICE = (
    "Check the network connection and HTTPS_PROXY/NO_PROXY, then run 'gcplint doctor'; to try"
    " gcplint without Google, use --demo or --api-base URL."
)


@dataclass(frozen=True)
class Source:
    """Credentials as an error names them: what they are and where they came from, the endpoint
    that hands out their tokens, and what to try when it refuses them."""

    what: str  # "the user credentials in /home/me/adc.json (GOOGLE_APPLICATION_CREDENTIALS)"
    endpoint: str  # "oauth2.googleapis.com"
    refused: str  # advice, whole sentences
    secrets: tuple[str, ...] = ()  # values an error must never print
    invalid_grant: str | None = None  # what OAuth's invalid_grant means for these credentials


def refresh(creds: Credentials, request: Any, source: Source) -> None:
    """Get an access token; a failure is one complete message: what failed, why, what to try."""
    started = time.perf_counter()
    try:
        creds.refresh(request)  # type: ignore[no-untyped-call]
    except auth_exceptions.GoogleAuthError as exc:
        failure = refresh_failure(exc)
        why = failure.why
        if failure.code == "invalid_grant" and source.invalid_grant:
            why = f"invalid_grant: {source.invalid_grant}"
        message = (
            f"credentials could not be refreshed: getting an access token for {source.what}"
            f" from {source.endpoint} failed: {why}."
            f" {NETWORK_ADVICE if failure.network else source.refused}"
        )
        for secret in source.secrets:
            message = message.replace(secret, "[redacted]")
        raise ConfigError(message) from None
    log.debug(
        "credentials: access token for %s from %s in %d ms",
        source.what,
        source.endpoint,
        (time.perf_counter() - started) * 1000,
    )


def describe_source(creds: Credentials) -> Source:
    """How to name application default credentials in an error."""
    if isinstance(creds, compute_engine.Credentials):
        return Source(
            "the service account of this workload",
            "the metadata server",
            "On Google Cloud, check the service account attached to this workload; elsewhere,"
            " run 'gcloud auth application-default login'.",
        )
    path = os.environ.get("GOOGLE_APPLICATION_CREDENTIALS")
    origin = (
        f" in {path} (GOOGLE_APPLICATION_CREDENTIALS)"
        if path
        else " from gcloud's application default credentials"
    )
    retry_login = (
        "Run 'gcloud auth application-default login' (or point GOOGLE_APPLICATION_CREDENTIALS"
        " at working credentials), then 'gcplint doctor'."
    )
    if isinstance(creds, user_credentials.Credentials):
        secrets = tuple(s for s in (creds.refresh_token, creds.client_secret) if s)
        endpoint = urlsplit(creds.token_uri or "").netloc or "Google"
        return Source(
            f"the user credentials{origin}",
            endpoint,
            retry_login,
            secrets,
            "the refresh token has expired or been revoked",
        )
    if isinstance(creds, service_account.Credentials):
        email = creds.service_account_email
        return Source(
            f"the service account key of {email}{origin}",
            "Google",
            "Check that the key is still active (gcloud iam service-accounts keys list"
            f" --iam-account={email}) and that the system clock is right, or use other"
            " credentials; then run 'gcplint doctor'.",
            invalid_grant="the key was deleted or disabled, or the system clock is wrong",
        )
    return Source(f"the credentials of {describe_identity(creds)}{origin}", "Google", retry_login)


def impersonating(target: str, source: Source) -> Source:
    """How to name the impersonation of `target` with `source` in an error."""
    return Source(
        f"{target} (impersonated with {source.what})",
        "iamcredentials.googleapis.com",
        f"The caller needs roles/iam.serviceAccountTokenCreator on {target}, and the IAM Service"
        " Account Credentials API enabled; then run 'gcplint doctor'.",
        source.secrets,
    )


def describe_identity(creds: Credentials) -> str:
    """A one-line description of who the credentials act as."""
    if isinstance(creds, impersonated_credentials.Credentials):
        return f"serviceAccount:{creds.signer_email} (impersonated)"
    email = getattr(creds, "service_account_email", None)
    if isinstance(email, str) and "@" in email:
        return f"serviceAccount:{email}"
    account = getattr(creds, "account", None)
    if isinstance(account, str) and account:
        return f"user:{account}"
    kind = type(creds).__module__.rsplit(".", 1)[-1]
    return {
        "credentials": "user credentials (application default credentials)",
        "external_account": "workload identity federation (external account)",
        "identity_pool": "workload identity federation (external account)",
        "aws": "workload identity federation (AWS)",
    }.get(kind, f"{type(creds).__name__} credentials")


class Clients:
    """Builds each discovery client once per run, lazily. The clients are shared (building a
    request only reads them) while every request executes on the calling thread's own httplib2
    connection, since httplib2 is not thread-safe. One client per thread would cost megabytes
    each."""

    def __init__(self, settings: ClientSettings, credentials: Credentials) -> None:
        self.settings = settings
        self._creds = credentials
        self._lock = threading.Lock()
        self._discovery_clients: dict[tuple[str, str], Any] = {}
        self._resources: dict[tuple[str, str, tuple[str, ...]], Any] = {}  # (a dict's get
        # and set are atomic: read without a lock, written under `_building`)
        self._building = threading.Lock()
        self._local = threading.local()
        _ascii_uris_as_they_are()

    @property
    def timeout(self) -> float:
        """Per-request timeout in seconds."""
        return self.settings.timeout

    def discovery(self, label: str, version: str | None = None) -> Any:
        """The discovery client of an API (default version); execute its requests with
        `http=self.http()`."""
        version = version or _DISCOVERY[label]
        with self._lock:
            if (label, version) not in self._discovery_clients:
                self._discovery_clients[(label, version)] = self._build_discovery(label, version)
            return self._discovery_clients[(label, version)]

    def resource(self, label: str, *path: str, version: str | None = None) -> Any:
        """A discovery resource, built once and shared: `resource("pubsub", "projects",
        "topics")` is `discovery("pubsub").projects().topics()`. Building one parses its
        methods (milliseconds of CPU), too much to repeat for every call of a big scan."""
        version = version or _DISCOVERY[label]
        key = (label, version, path)
        found = self._resources.get(key)
        if found is None:
            with self._building:  # the threads that start a scan together build it once
                found = self._resources.get(key)
                if found is None:
                    found = self.discovery(label, version)
                    for name in path:
                        found = getattr(found, name)()
                    self._resources[key] = found
        return found

    def http(self) -> Any:
        """The calling thread's authorised httplib2 connection (httplib2 is not thread-safe).
        Every discovery request executes on it, wherever the request object was built."""
        if not hasattr(self._local, "http"):
            proxy = {"proxy_info": None} if self.settings.api_base else {}
            http = _LoggedHttp if http_log.isEnabledFor(logging.DEBUG) else _GuardedHttp
            raw = http(timeout=self.settings.timeout, **proxy)
            self._local.http = google_auth_httplib2.AuthorizedHttp(self._creds, http=raw)
        return self._local.http

    def _build_discovery(self, label: str, version: str) -> Any:
        options: dict[str, Any] = {}
        if self.settings.api_base:
            # api_endpoint replaces rootUrl + servicePath, so the servicePath is re-added
            doc = json.loads(discovery_cache.get_static_doc(label, version) or "{}")
            options["api_endpoint"] = f"{self.settings.api_base}/{label}/{doc['servicePath']}"
            options["universe_domain"] = "googleapis.com"
        return discovery.build(
            label,
            version,
            http=self.http(),
            static_discovery=True,
            cache_discovery=False,
            client_options=options,
        )


def _ascii_uris_as_they_are() -> None:
    """httplib2 turns every URI into ASCII character by character (`iri2uri`), a good share of
    the CPU of a call; an ASCII URI, which is every URI gcplint builds (the clients quote what
    they put in), comes out unchanged, so it is passed through as it is."""
    convert = httplib2.iri2uri
    if getattr(convert, "ascii_as_is", False):
        return

    def iri2uri(uri: Any) -> Any:
        return uri if isinstance(uri, str) and uri.isascii() else convert(uri)

    iri2uri.ascii_as_is = True  # type: ignore[attr-defined]
    httplib2.iri2uri = iri2uri


class _Guard(io.RawIOBase):
    """A response's socket as http.client reads it, within the bounds of the exchange it
    belongs to: each read waits at most until the exchange's deadline (the socket's own
    timeout bounds one read, not a trickle of them), and no more than the byte limit is read."""

    def __init__(self, raw: io.RawIOBase, sock: socket.socket) -> None:
        super().__init__()
        self._raw, self._sock = raw, sock
        self._deadline, self._seconds = EXCHANGE.deadline, EXCHANGE.seconds
        self.limit = EXCHANGE.max_bytes
        self._read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        timeout = self._sock.gettimeout()
        ours = False  # the deadline, not the socket's timeout, bounds this read
        if self._deadline is not None:
            remaining = self._deadline - time.monotonic()
            if remaining <= 0:
                raise timed_out(self._seconds)
            ours = timeout is None or remaining <= timeout
            if ours:
                self._sock.settimeout(remaining)
        try:
            count = self._raw.readinto(buffer) or 0
        except TimeoutError:
            if ours:
                raise timed_out(self._seconds) from None
            raise
        finally:
            if ours and self._sock.fileno() != -1:
                self._sock.settimeout(timeout)
        self._read += count
        if self._read > self.limit:
            raise too_large(self.limit)
        return count

    def close(self) -> None:
        if not self.closed:
            self._raw.close()
        super().close()


class _GuardedResponse(http.client.HTTPResponse):
    """http.client's response read through `_Guard` (its headers parsed by headers.py); a
    Content-Length over the byte limit is refused before the body is read."""

    def __init__(self, sock: socket.socket, *args: Any, **kwargs: Any) -> None:
        super().__init__(sock, *args, **kwargs)
        self._guard = _Guard(self.fp.detach(), sock)  # keeps the socket's makefile reference
        self.fp = io.BufferedReader(self._guard, 1 << 16)

    def begin(self) -> None:
        response_headers.begin(self)  # http.client's own, headers parsed by headers.py
        if self.length is not None and self.length > self._guard.limit:
            raise too_large(self._guard.limit)


class _HTTPConnection(httplib2.HTTPConnectionWithTimeout):  # type: ignore[misc]
    response_class = _GuardedResponse


class _HTTPSConnection(httplib2.HTTPSConnectionWithTimeout):  # type: ignore[misc]
    response_class = _GuardedResponse


class _GuardedHttp(httplib2.Http):  # type: ignore[misc]  # httplib2 has no type hints
    """httplib2 reading through `_GuardedResponse` (redirects included) and decompressing
    within the exchange's byte limit. A bound that stops an exchange also closes its
    connections: what is left of the answer must not be read as the next one."""

    def request(
        self,
        uri: str,
        method: str = "GET",
        body: Any = None,
        headers: Any = None,
        redirections: int = httplib2.DEFAULT_MAX_REDIRECTS,
        connection_type: Any = None,
    ) -> Any:
        if connection_type is None:
            connection_type = _HTTPSConnection if uri.startswith("https:") else _HTTPConnection
        self.limit_kwargs = {"hard_limit": EXCHANGE.max_bytes, "ratio": 0}
        try:
            response, content = super().request(
                uri, method, body, headers, redirections, connection_type
            )
        except httplib2.decode.DecodeLimitError:
            self.close()
            raise too_large(EXCHANGE.max_bytes) from None
        except ApiCallError:
            self.close()
            raise
        EXCHANGE.received = len(content)
        return response, content


class _LoggedHttp(_GuardedHttp):
    """`_GuardedHttp` that puts every request of the discovery clients on the debug log (only
    used with debug logging on)."""

    def request(self, uri: str, method: str = "GET", *args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            response, content = super().request(uri, method, *args, **kwargs)
        except Exception as exc:
            log_exchange(method, uri, type(exc).__name__, time.perf_counter() - started)
            raise
        log_exchange(method, uri, response.status, time.perf_counter() - started)
        return response, content
