"""The planning types (`ProjectPlan`, `WorldPlan`) that hold a world while it is generated, the
name pools several areas draw from, and the small pieces several areas make (labels, IAM
policies and bindings)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any

from ...collect.apis import Api
from .draws import chance, iam_etag, pick

JSON = dict[str, Any]

ENVIRONMENTS = ("prod", "staging", "dev")
# the tokens people put in project IDs and resource names
ID_TOKENS = {
    "prod": ("prod", "prod", "prd", "live"),
    "staging": ("staging", "stg", "uat"),
    "dev": ("dev", "dev", "test", "qa", "sbx"),
}
TEAMS = ("platform", "payments", "data", "growth", "core")
RUN_REGIONS = ("europe-west1", "europe-west4", "us-central1", "us-east1", "asia-northeast1")
DB_NAMES = ("main", "orders-db", "shop-db", "analytics", "users", "billing-db")
SECRET_IDS = (
    "db-password",
    "stripe-key",
    "jwt-signing-key",
    "sendgrid-token",
    "session-key",
    "webhook-token",
)
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")


# --- the world being built -------------------------------------------------------------------


@dataclass
class ProjectPlan:
    """One project while its world is generated."""

    project_id: str
    number: str
    env: str | None  # the environment it really belongs to; None: nobody can tell
    parent: str
    billing_account: str | None
    disabled: list[str]
    labels: dict[str, str]
    accounts: list[JSON] = field(default_factory=list)
    instances: list[JSON] = field(default_factory=list)
    channels: list[JSON] = field(default_factory=list)
    runtime_identities: list[str] = field(default_factory=list)
    secrets: list[JSON] = field(default_factory=list)
    versions: dict[str, list[JSON]] = field(default_factory=dict)  # secret name -> versions
    repositories: list[JSON] = field(default_factory=list)
    images: dict[str, list[JSON]] = field(default_factory=dict)  # docker repository -> images

    @property
    def compute_sa(self) -> str:
        """The Compute Engine default service account (Cloud Run's default identity)."""
        return f"{self.number}-compute@developer.gserviceaccount.com"

    @property
    def team(self) -> str:
        """The team that owns the project."""
        return self.labels.get("team", "platform")

    def user_accounts(self) -> list[str]:
        """Emails of the service accounts the project's users created."""
        return [
            a["email"] for a in self.accounts if a["email"].endswith(".iam.gserviceaccount.com")
        ]

    def workload_accounts(self) -> list[str]:
        """The accounts its workloads may run as: its user-managed ones, else the Compute
        Engine default account."""
        return self.user_accounts() or [self.compute_sa]

    def docker_repositories(self) -> list[JSON]:
        """The project's Artifact Registry repositories of format DOCKER."""
        return [r for r in self.repositories if r["format"] == "DOCKER"]

    def serves(self, api: Api) -> bool:
        """The API is enabled (collections of a disabled API stay empty)."""
        return api.service not in self.disabled


@dataclass
class WorldPlan:
    """World-wide choices every generator reads."""

    rng: random.Random
    company: str
    domain: str
    organization: JSON
    folders: list[JSON]
    folder_for: dict[str, str]  # "prod" / "nonprod" / "team" -> folder name
    billing_accounts: list[str]
    currency: str
    outsider: str  # a project outside the world (its API calls answer 403)
    projects: list[ProjectPlan] = field(default_factory=list)
    bucket_names: set[str] = field(default_factory=set)  # bucket names are global

    @property
    def org(self) -> str:
        """The organization's name, organizations/NUMBER."""
        return str(self.organization["name"])

    def others(self, project: ProjectPlan) -> list[ProjectPlan]:
        """Every other project of the world."""
        return [p for p in self.projects if p is not project]

    def find(self, key: str) -> ProjectPlan | None:
        """A project of the world by ID or number."""
        return next((p for p in self.projects if key in (p.project_id, p.number)), None)


# --- pieces several areas use ----------------------------------------------------------------


def some_environment(rng: random.Random, project: ProjectPlan, p: float) -> str:
    """The project's environment with probability p (when it has one), else any environment."""
    return project.env if project.env and chance(rng, p) else pick(rng, ENVIRONMENTS)


def team_labels(project: ProjectPlan) -> dict[str, str]:
    """The labels of a resource that names only its team."""
    return {"team": project.team}


def resource_labels(rng: random.Random, project: ProjectPlan, app: str) -> dict[str, str]:
    """Labels of a resource: its team, sometimes the environment (rarely a wrong one)."""
    labels = team_labels(project)
    if chance(rng, 0.35):
        labels["env"] = some_environment(rng, project, 0.75)
    if chance(rng, 0.3):
        labels["app"] = app
    return labels


def policy(rng: random.Random, bindings: list[JSON]) -> JSON:
    """An IAM policy of version 1 (projects, Secret Manager, Pub/Sub, Artifact Registry,
    Cloud Run)."""
    return {"version": 1, "etag": iam_etag(rng), "bindings": bindings}


def binding(role: str, members: set[str]) -> JSON:
    """An IAM binding of `role` to `members`, sorted."""
    return {"role": role, "members": sorted(members)}


def short(name: str) -> str:
    """The last segment of a resource name."""
    return name.rpartition("/")[2]
