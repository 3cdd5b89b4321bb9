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
    discovery: (
        str | None
    )  # discovery version read through google-api-python-client; None: GAPIC only
    rate: float  # default client-side requests per second (see `DEFAULT_RATES`)
    always_on: bool = False  # answers whatever a project enables (no Service Usage gating)

    @property
    def service(self) -> str:
        """The service name, e.g. `sqladmin.googleapis.com`."""
        return f"{self.label}.googleapis.com"


# Default rates aim at half of Google's default per-project read quota for the methods gcplint
# calls (per minute, divided by 60). Resource Manager's is checked against Google's published
# limits; the others are estimates (see README). Override with --rate-limit LABEL=RPS.
RESOURCE_MANAGER = Api(
    "cloudresourcemanager", "Cloud Resource Manager API", "v3", 5.0, always_on=True
)  # 600 read requests/min (published); liens through discovery (no GAPIC client)
SERVICE_USAGE = Api(
    "serviceusage", "Service Usage API", "v1", 2.0, always_on=True
)  # 240 list requests/min
RUN = Api("run", "Cloud Run Admin API", "v1", 8.0)  # 1,000 read requests/min per region
SQL_ADMIN = Api("sqladmin", "Cloud SQL Admin API", "v1", 1.5)  # 180 requests/min
IAM = Api("iam", "Identity and Access Management (IAM) API", "v1", 50.0)  # 6,000 reads/min
STORAGE = Api("storage", "Cloud Storage JSON API", "v1", 50.0)  # no published low cap
PUBSUB = Api("pubsub", "Cloud Pub/Sub API", "v1", 50.0)  # 6,000 admin requests/min
SECRET_MANAGER = Api("secretmanager", "Secret Manager API", "v1", 50.0)  # 6,000 requests/min
MONITORING = Api("monitoring", "Cloud Monitoring API", "v3", 50.0)  # 6,000 requests/min
LOGGING = Api("logging", "Cloud Logging API", "v2", 10.0)  # 1,200 config reads/min
ARTIFACT_REGISTRY = Api(
    "artifactregistry", "Artifact Registry API", "v1", 25.0
)  # 18,000 requests/min per region (conservative)
BILLING = Api("cloudbilling", "Cloud Billing API", "v1", 5.0)  # 600 requests/min
BUDGETS = Api("billingbudgets", "Cloud Billing Budget API", None, 5.0)  # 600 requests/min
ORG_POLICY = Api(
    "orgpolicy", "Organization Policy API", "v2", 5.0, always_on=True
)  # an estimate; a project's effective policy applies whether or not it enables the API
ESSENTIAL_CONTACTS = Api(
    "essentialcontacts", "Essential Contacts API", "v1", 5.0, always_on=True
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
