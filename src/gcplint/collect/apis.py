"""The Google APIs gcplint reads: one row each, the only place an API label is spelled out.

An API's *label* is the first DNS label of its googleapis.com host (`sqladmin`). It names the API
everywhere: in collection names (`sqladmin.instances`), `--rate-limit LABEL=RPS`, and the path
prefix of `--api-base URL` (`URL/sqladmin/v1/...`).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Api:
    """One Google API."""

    label: str  # "sqladmin"
    title: str  # "Cloud SQL Admin API", as Service Usage names it
    discovery: str  # its default discovery version ("v1"); a reader may name another (run v2)
    quota: float  # Google's default per-project quota for the reads gcplint makes, per minute
    always_on: bool = False  # answers whatever a project enables (no Service Usage gating)

    @property
    def service(self) -> str:
        """The service name, e.g. `sqladmin.googleapis.com`."""
        return f"{self.label}.googleapis.com"

    @property
    def rate(self) -> float:
        """Requests per second a scan of Google starts at: `START_SHARE` of the quota. It rises
        while the API answers without 429 (a raised quota) and falls when it says 429."""
        return START_SHARE * self.quota / 60


START_SHARE = 0.8  # below the quota: other tools may share the quota project

# Default read quotas per project and minute. Resource Manager's is checked against Google's
# published limits; the others are Google's documented defaults where found, estimates otherwise
# (see README). Override with --rate-limit LABEL=RPS.
RESOURCE_MANAGER = Api(
    "cloudresourcemanager", "Cloud Resource Manager API", "v3", 600, always_on=True
)  # read requests (published)
SERVICE_USAGE = Api("serviceusage", "Service Usage API", "v1", 240, always_on=True)  # list requests
RUN = Api("run", "Cloud Run Admin API", "v1", 1000)  # read requests, per region
SQL_ADMIN = Api("sqladmin", "Cloud SQL Admin API", "v1", 180)
IAM = Api("iam", "Identity and Access Management (IAM) API", "v1", 6000)  # reads
STORAGE = Api("storage", "Cloud Storage JSON API", "v1", 6000)  # none published; nominal
PUBSUB = Api("pubsub", "Cloud Pub/Sub API", "v1", 6000)  # admin requests
SECRET_MANAGER = Api("secretmanager", "Secret Manager API", "v1", 6000)
MONITORING = Api("monitoring", "Cloud Monitoring API", "v3", 6000)
LOGGING = Api("logging", "Cloud Logging API", "v2", 1200)  # config reads
ARTIFACT_REGISTRY = Api(
    "artifactregistry", "Artifact Registry API", "v1", 1800
)  # 18,000 per region published; a tenth, to be safe across regions
BILLING = Api("cloudbilling", "Cloud Billing API", "v1", 600)
BUDGETS = Api("billingbudgets", "Cloud Billing Budget API", "v1", 600)
ORG_POLICY = Api(
    "orgpolicy", "Organization Policy API", "v2", 600, always_on=True
)  # an estimate; a project's effective policy applies whether or not it enables the API
ESSENTIAL_CONTACTS = Api(
    "essentialcontacts", "Essential Contacts API", "v1", 600, always_on=True
)  # an estimate; contacts are inherited, so a project need not enable the API to have them

APIS: tuple[Api, ...] = (
    ARTIFACT_REGISTRY,
    BUDGETS,
    BILLING,
    RESOURCE_MANAGER,
    ESSENTIAL_CONTACTS,
    IAM,
    LOGGING,
    MONITORING,
    ORG_POLICY,
    PUBSUB,
    RUN,
    SECRET_MANAGER,
    SERVICE_USAGE,
    SQL_ADMIN,
    STORAGE,
)
BY_LABEL = {api.label: api for api in APIS}
DEFAULT_RATES = {api.label: api.rate for api in APIS}
