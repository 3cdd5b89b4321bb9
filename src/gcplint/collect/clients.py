"""The one place that builds Google API clients and credentials.

GAPIC clients (Resource Manager v3, Cloud Run v2, Billing Budgets v1) use the REST transport;
every other API uses google-api-python-client discovery with the bundled static documents.
With an API base URL (`--api-base`, `GCPLINT_API_BASE`) every call goes to
`{base}/{label}{standard REST path}` with anonymous credentials.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import Any, TypeVar, cast

import google.auth
import google.auth.transport.requests
import google_auth_httplib2
import httplib2
from google.auth import exceptions as auth_exceptions
from google.auth import impersonated_credentials
from google.auth.credentials import AnonymousCredentials, Credentials
from google.cloud import resourcemanager_v3, run_v2
from google.cloud.billing import budgets_v1
from googleapiclient import discovery, discovery_cache

from ..errors import ConfigError
from .apis import APIS
from .connect import ClientSettings

C = TypeVar("C")

SCOPES = ("https://www.googleapis.com/auth/cloud-platform",)
_DISCOVERY = {api.label: api.discovery for api in APIS if api.discovery}


def resolve_credentials(settings: ClientSettings) -> tuple[Credentials, str]:
    """The credentials to use and a description of the identity behind them."""
    if settings.api_base:
        return AnonymousCredentials(), f"anonymous (API base {settings.api_base})"  # type: ignore[no-untyped-call]
    try:
        creds, _ = google.auth.default(scopes=SCOPES, quota_project_id=settings.quota_project)
    except auth_exceptions.DefaultCredentialsError as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(
            f"no usable Google credentials ({first}); run 'gcloud auth application-default login' "
            "or set GOOGLE_APPLICATION_CREDENTIALS"
        ) from None
    if settings.impersonate_service_account:
        creds = impersonated_credentials.Credentials(  # type: ignore[no-untyped-call]
            source_credentials=creds,
            target_principal=settings.impersonate_service_account,
            target_scopes=list(SCOPES),
            quota_project_id=settings.quota_project,
        )
    try:
        creds.refresh(google.auth.transport.requests.Request())  # type: ignore[no-untyped-call]
    except auth_exceptions.GoogleAuthError as exc:
        first = str(exc).splitlines()[0][:200]
        raise ConfigError(f"credentials could not be refreshed: {first}") from None
    return creds, describe_identity(creds)


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
    """Builds each client once per run, lazily. GAPIC REST clients are shared (their session is
    thread-safe); discovery clients are shared too (building a request only reads them) while
    every discovery request executes on the calling thread's own httplib2 connection, since
    httplib2 is not thread-safe. One discovery client per thread would cost megabytes each."""

    def __init__(self, settings: ClientSettings, credentials: Credentials) -> None:
        self.settings = settings
        self._creds = credentials
        self._lock = threading.Lock()
        self._gapic_clients: dict[Any, Any] = {}
        self._discovery_clients: dict[tuple[str, str], Any] = {}
        self._resources: dict[tuple[str, str, tuple[str, ...]], Any] = {}
        self._local = threading.local()

    @property
    def timeout(self) -> float:
        """Per-request timeout in seconds."""
        return self.settings.timeout

    def projects(self) -> resourcemanager_v3.ProjectsClient:
        """Resource Manager v3 projects."""
        return self._gapic(resourcemanager_v3.ProjectsClient, "cloudresourcemanager")

    def folders(self) -> resourcemanager_v3.FoldersClient:
        """Resource Manager v3 folders."""
        return self._gapic(resourcemanager_v3.FoldersClient, "cloudresourcemanager")

    def organizations(self) -> resourcemanager_v3.OrganizationsClient:
        """Resource Manager v3 organizations."""
        return self._gapic(resourcemanager_v3.OrganizationsClient, "cloudresourcemanager")

    def run_services(self) -> run_v2.ServicesClient:
        """Cloud Run v2 services."""
        return self._gapic(run_v2.ServicesClient, "run")

    def budgets(self) -> budgets_v1.BudgetServiceClient:
        """Cloud Billing Budgets v1."""
        return self._gapic(budgets_v1.BudgetServiceClient, "billingbudgets")

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
        with self._lock:
            found = self._resources.get(key)
        if found is None:
            found = self.discovery(label, version)
            for name in path:
                found = getattr(found, name)()
            with self._lock:
                found = self._resources.setdefault(key, found)
        return found

    def _gapic(self, cls: Callable[..., C], label: str) -> C:
        with self._lock:
            if cls not in self._gapic_clients:
                options: dict[str, Any] = {}
                if self.settings.api_base:
                    options["api_endpoint"] = f"{self.settings.api_base}/{label}"
                elif self.settings.quota_project:
                    options["quota_project_id"] = self.settings.quota_project
                self._gapic_clients[cls] = cls(
                    credentials=self._creds, transport="rest", client_options=options
                )
            return cast(C, self._gapic_clients[cls])

    def http(self) -> Any:
        """The calling thread's authorised httplib2 connection (httplib2 is not thread-safe).
        Every discovery request executes on it, wherever the request object was built."""
        if not hasattr(self._local, "http"):
            proxy = {"proxy_info": None} if self.settings.api_base else {}
            raw = httplib2.Http(timeout=self.settings.timeout, **proxy)
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
