"""Random but realistic worlds (`gcplint-world/v1`), deterministic per seed.

`generate_world(seed)` builds an organization, its folders, 2 to 4 projects and the billing
accounts paying for them, with every collection the built-in checks read. `generate_org(projects,
seed)` builds an organization of any size the same way (benchmarks, scope enumeration). Every object is REST
JSON of the real APIs (camelCase, enum names, int64 as strings, RFC 3339 times), so a world
passes `tests/worldschema.validate_world`.

The worlds are meant to exercise the checks, so across seeds they mix passing and failing
configurations: labelled, inferable and unknown environments; projects granting roles to, and
running as, each other's service accounts (and those of a project outside the world), and reading
each other's secrets, images and databases; keys younger and older than 90 days; Cloud Run services with healthy, failed,
pinned and split rollouts, public or private invokers, credentials in literal env values, images
from Artifact Registry (by digest or by tag) or Container Registry; rollback targets whose image
was cleaned up or whose secret version was rotated away; public and private Cloud SQL instances
with and without backups, PITR, HA, SSL enforcement and deletion protection, and read replicas;
public and private secrets, buckets, topics, subscriptions and repositories; subscriptions with
and without dead-letter topics; repositories with and without scanning and cleanup policies;
Data Access audit logs on, partial or off; budgets by project number, folder, organization or
the whole account, with and without alerts; alert policies enabled or not, with or without
channels.

They contain no faults and nothing a check must report as unknown: every referenced billing
account, folder, secret project and image project exists in the world (only service accounts
and IAM members name the outside project), every authorized network is a valid CIDR, and no
Cloud Run service is reconciling. Ages are relative to REFERENCE_DATE (2026-11-27), the scan
time tests use.
"""

from __future__ import annotations

import base64
import random
import string
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

JSON = dict[str, Any]
T = TypeVar("T")

SCHEMA = "gcplint-world/v1"
REFERENCE_DATE = datetime(2026, 11, 27, tzinfo=UTC)

ENVIRONMENTS = ("prod", "staging", "dev")
# words that name an environment in labels (gcplint.environment.WORDS) ...
LABEL_WORDS = {
    "prod": ("prod", "prod", "production", "prd", "live"),
    "staging": ("staging", "staging", "stage", "stg", "uat", "preprod"),
    "dev": ("dev", "dev", "development", "test", "qa", "sandbox"),
}
# ... and the tokens people put in project IDs and resource names
ID_TOKENS = {
    "prod": ("prod", "prod", "prd", "live"),
    "staging": ("staging", "stg", "uat"),
    "dev": ("dev", "dev", "test", "qa", "sbx"),
}
COMPANIES = ("acme", "shop", "ledger", "orbit", "nimbus", "kite", "harbor", "fjord", "quill")
APPS = ("shop", "payments", "data", "web", "core", "platform", "mobile", "search", "ml")
TEAMS = ("platform", "payments", "data", "growth", "core")
RUN_REGIONS = ("europe-west1", "europe-west4", "us-central1", "us-east1", "asia-northeast1")
REGION_CODES = {
    "europe-west1": "ew",
    "europe-west4": "ez",
    "us-central1": "uc",
    "us-east1": "ue",
    "asia-northeast1": "an",
}
SERVICE_NAMES = ("api", "web", "worker", "admin", "checkout", "orders", "notifier", "gateway")
SA_NAMES = (
    "api-runtime",
    "worker-runtime",
    "web-runtime",
    "deployer",
    "terraform",
    "ci",
    "etl",
    "app",
    "legacy-batch",
)
DB_NAMES = ("main", "orders-db", "shop-db", "analytics", "users", "billing-db")
NARROW_ROLES = (
    "roles/cloudsql.client",
    "roles/logging.logWriter",
    "roles/monitoring.metricWriter",
    "roles/secretmanager.secretAccessor",
    "roles/pubsub.subscriber",
    "roles/run.invoker",
    "roles/artifactregistry.reader",
    "roles/storage.objectViewer",
)
ADMIN_ROLES = (
    "roles/cloudsql.admin",
    "roles/resourcemanager.projectIamAdmin",
    "roles/iam.serviceAccountAdmin",
    "roles/storage.admin",
    "roles/run.admin",
)
IMPERSONATION_ROLES = ("roles/iam.serviceAccountUser", "roles/iam.serviceAccountTokenCreator")
KEY_AGES_DAYS = (2, 17, 45, 80, 89, 91, 130, 400, 690)
SECRET_IDS = (
    "db-password",
    "stripe-key",
    "jwt-signing-key",
    "sendgrid-token",
    "session-key",
    "webhook-token",
)
PUBLIC_MEMBERS = ("allUsers", "allAuthenticatedUsers")
AR_LOCATIONS = ("europe-west1", "us-central1", "europe", "us")
DOCKER_REPOSITORIES = ("app", "images", "containers", "services")
REPOSITORY_KINDS = (
    *(("DOCKER", r) for r in DOCKER_REPOSITORIES),
    ("MAVEN", "maven"),
    ("MAVEN", "java-libs"),
    ("NPM", "npm"),
    ("NPM", "npm-packages"),
)
BUCKET_PURPOSES = ("exports", "backups", "uploads", "assets", "static", "logs", "tfstate")
BUCKET_LOCATIONS = ("EU", "US", "EUROPE-WEST1", "EUROPE-WEST4", "US-CENTRAL1")
TOPIC_NAMES = ("orders", "events", "notifications", "payments", "emails", "signups")
CONSUMERS = ("worker", "audit", "bq-export", "notifier", "analytics")
AUDITED_SERVICES = (
    "storage.googleapis.com",
    "secretmanager.googleapis.com",
    "cloudsql.googleapis.com",
)


# --- small random helpers --------------------------------------------------------------------


def _chance(rng: random.Random, p: float) -> bool:
    return rng.random() < p


def _pick(rng: random.Random, items: tuple[T, ...] | list[T]) -> T:
    return items[rng.randrange(len(items))]


def _digits(rng: random.Random, n: int) -> str:
    """n decimal digits, the first one not zero."""
    return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def _hex(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def _letters(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))


def _alnum(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits) for _ in range(n))


def _b64(rng: random.Random, n: int) -> str:
    """Base64 of n random bytes."""
    return base64.b64encode(rng.getrandbits(8 * n).to_bytes(n, "big")).decode()


def _uuid(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _etag(rng: random.Random) -> str:
    """An IAM-style etag: base64 of 8 bytes."""
    return base64.b64encode(rng.getrandbits(64).to_bytes(8, "big")).decode()


def _ts(moment: datetime, micros: bool = True) -> str:
    """RFC 3339 in UTC, as Google's APIs print it."""
    if micros:
        return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _ms(moment: datetime) -> str:
    """RFC 3339 with milliseconds, as Resource Manager and Cloud Storage print it."""
    return _ts(moment)[:-4] + "Z"


def _days_ago(rng: random.Random, low: float, high: float) -> datetime:
    """A moment between `high` and `low` days before the reference date."""
    seconds = rng.uniform(low * 86400, high * 86400)
    return REFERENCE_DATE - timedelta(seconds=int(seconds), microseconds=rng.randrange(10**6))


# --- the world being built -------------------------------------------------------------------


@dataclass
class _Project:
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

    def user_accounts(self) -> list[str]:
        """Emails of the service accounts the project's users created."""
        return [
            a["email"] for a in self.accounts if a["email"].endswith(".iam.gserviceaccount.com")
        ]

    def docker_repositories(self) -> list[JSON]:
        """The project's Artifact Registry repositories of format DOCKER."""
        return [r for r in self.repositories if r["format"] == "DOCKER"]

    def serves(self, service: str) -> bool:
        """The API is enabled (collections of a disabled API stay empty)."""
        return f"{service}.googleapis.com" not in self.disabled


@dataclass
class _World:
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
    projects: list[_Project] = field(default_factory=list)
    bucket_names: set[str] = field(default_factory=set)  # bucket names are global

    @property
    def org(self) -> str:
        """The organization's name, organizations/NUMBER."""
        return str(self.organization["name"])

    def others(self, project: _Project) -> list[_Project]:
        """Every other project of the world."""
        return [p for p in self.projects if p is not project]

    def find(self, key: str) -> _Project | None:
        """A project of the world by ID or number."""
        return next((p for p in self.projects if key in (p.project_id, p.number)), None)


# --- organization, folders, projects ---------------------------------------------------------


def _organization(rng: random.Random, company: str) -> JSON:
    created = _days_ago(rng, 600, 900)
    return {
        "name": f"organizations/{_digits(rng, 12)}",
        "displayName": f"{company}.example",
        "directoryCustomerId": f"C0{_letters(rng, 7)}",
        "state": "ACTIVE",
        "createTime": _ms(created),
        "updateTime": _ms(created + timedelta(days=rng.randint(1, 200))),
        "etag": _etag(rng),
    }


def _folder(rng: random.Random, parent: str, display: str) -> JSON:
    created = _days_ago(rng, 500, 600)
    return {
        "name": f"folders/{_digits(rng, 12)}",
        "parent": parent,
        "displayName": display,
        "state": "ACTIVE",
        "createTime": _ms(created),
        "updateTime": _ms(created),
        "etag": _etag(rng),
    }


def _folders(rng: random.Random, organization: str) -> tuple[list[JSON], dict[str, str]]:
    """None (projects right under the organization), or production / non-production folders,
    sometimes with a team folder nested under production."""
    if _chance(rng, 0.25):
        return [], {}
    prod = _folder(rng, organization, "production")
    nonprod = _folder(rng, organization, "non-production")
    folders = [prod, nonprod]
    roles = {"prod": prod["name"], "nonprod": nonprod["name"]}
    if _chance(rng, 0.4):
        team = _folder(rng, prod["name"], f"team-{_pick(rng, TEAMS)}")
        folders.append(team)
        roles["team"] = team["name"]
    return folders, roles


def _project_id(
    rng: random.Random, company: str, env: str | None, in_id: bool, taken: set[str]
) -> str:
    """A valid, unused project ID (6-30 characters), with an environment token when `in_id`."""
    while True:
        app = _pick(rng, APPS)
        suffix = _digits(rng, 4)
        if in_id and env is not None:
            token = _pick(rng, ID_TOKENS[env])
            shape = rng.randrange(3)
            parts = [company, token, suffix] if shape == 0 else [company, app, token]
            if shape == 2:
                parts.append(suffix)
        else:
            parts = [company, app, suffix] if _chance(rng, 0.7) else [company, app]
        candidate = "-".join(parts)
        if 6 <= len(candidate) <= 30 and candidate not in taken:
            taken.add(candidate)
            return candidate


def _project_labels(rng: random.Random, env: str | None, labelled: bool) -> dict[str, str]:
    labels = {"team": _pick(rng, TEAMS)}
    if labelled and env is not None:
        key = "environment" if _chance(rng, 0.2) else "env"
        labels[key] = _pick(rng, LABEL_WORDS[env])
    elif labelled:
        labels["env"] = _pick(rng, ("shared", "tools", "misc"))  # names no environment
    if _chance(rng, 0.3):
        labels["cost-center"] = f"cc-{_digits(rng, 4)}"
    return labels


def _plan_project(world: _World, env: str | None, taken: set[str], numbers: set[str]) -> _Project:
    rng = world.rng
    if env is None:
        labelled, in_id = _chance(rng, 0.3), False  # a label naming no environment, or none
    else:
        labelled = _chance(rng, 0.55)
        in_id = not labelled or _chance(rng, 0.5)  # unlabelled: inferable from the ID
    project_id = _project_id(rng, world.company, env, in_id, taken)
    number = _digits(rng, 12)
    while number in numbers:
        number = _digits(rng, 12)
    numbers.add(number)
    if env == "prod":
        parent = world.folder_for.get(_pick(rng, ("prod", "prod", "team")), "")
        parent = parent or world.folder_for.get("prod", world.org)
    elif env is not None:
        parent = world.folder_for.get("nonprod", world.org)
    else:
        parent = _pick(rng, [world.org, *world.folder_for.values()])
    billing = None if _chance(rng, 0.12) else _pick(rng, world.billing_accounts)
    disabled: list[str] = []
    if _chance(rng, 0.2):
        disabled = [_pick(rng, ("sqladmin", "sqladmin", "run", "monitoring")) + ".googleapis.com"]
    return _Project(
        project_id=project_id,
        number=number,
        env=env,
        parent=parent,
        billing_account=billing,
        disabled=disabled,
        labels=_project_labels(rng, env, labelled),
    )


def _project_json(world: _World, project: _Project) -> JSON:
    rng = world.rng
    created = _days_ago(rng, 300, 700)
    body: JSON = {
        "name": f"projects/{project.number}",
        "parent": project.parent,
        "projectId": project.project_id,
        "state": "ACTIVE",
        "displayName": project.project_id.replace("-", " ").title()[:30],
        "createTime": _ms(created),
        "updateTime": _ms(created + timedelta(days=rng.randint(0, 250))),
        "etag": f'W/"{_hex(rng, 16)}"',
    }
    if project.labels:
        body["labels"] = dict(sorted(project.labels.items()))
    return body


def _billing_info(project: _Project) -> JSON:
    info: JSON = {
        "name": f"projects/{project.project_id}/billingInfo",
        "projectId": project.project_id,
    }
    if project.billing_account is not None:
        info["billingAccountName"] = f"billingAccounts/{project.billing_account}"
        info["billingEnabled"] = True
    return info


# --- service accounts and keys ---------------------------------------------------------------


def _service_account(rng: random.Random, project: _Project, email: str, display: str) -> JSON:
    unique = "1" + _digits(rng, 20)
    account: JSON = {
        "name": f"projects/{project.project_id}/serviceAccounts/{email}",
        "projectId": project.project_id,
        "uniqueId": unique,
        "email": email,
        "displayName": display,
        "etag": "MDEwMjE5MjA=",
        "oauth2ClientId": unique,
    }
    if _chance(rng, 0.4):
        account["description"] = (
            f"Managed by {_pick(rng, ('terraform', 'the platform team', 'hand'))}"
        )
    if _chance(rng, 0.1):
        account["disabled"] = True
    return account


def _service_accounts(world: _World, project: _Project) -> list[JSON]:
    """0 to 6 accounts: user-managed ones, sometimes the Compute Engine default account."""
    rng = world.rng
    count = rng.randint(0, 6)
    accounts: list[JSON] = []
    if count and _chance(rng, 0.5):
        default = _service_account(
            rng, project, project.compute_sa, "Compute Engine default service account"
        )
        default.pop("description", None)
        accounts.append(default)
    for name in rng.sample(SA_NAMES, count - len(accounts)):
        email = f"{name}@{project.project_id}.iam.gserviceaccount.com"
        accounts.append(_service_account(rng, project, email, name.replace("-", " ")))
    return accounts


def _key(rng: random.Random, project: _Project, email: str, user_managed: bool) -> JSON:
    name = f"projects/{project.project_id}/serviceAccounts/{email}/keys/{_hex(rng, 40)}"
    if user_managed:
        created = REFERENCE_DATE - timedelta(
            days=_pick(rng, KEY_AGES_DAYS), hours=rng.randint(1, 20), minutes=rng.randint(0, 59)
        )
        expires = "9999-12-31T23:59:59Z"
        if _chance(rng, 0.15):  # an org policy limits key lifetime
            expires = _ts(created + timedelta(days=365), micros=False)
    else:
        created = _days_ago(rng, 1, 14)
        expires = _ts(created + timedelta(days=rng.randint(730, 750)), micros=False)
    key: JSON = {
        "name": name,
        "validAfterTime": _ts(created, micros=False),
        "validBeforeTime": expires,
        "keyAlgorithm": "KEY_ALG_RSA_2048",
        "keyOrigin": "USER_PROVIDED" if user_managed and _chance(rng, 0.1) else "GOOGLE_PROVIDED",
        "keyType": "USER_MANAGED" if user_managed else "SYSTEM_MANAGED",
    }
    if user_managed and _chance(rng, 0.2):
        key["disabled"] = True
    return key


def _service_account_keys(world: _World, project: _Project) -> JSON:
    """Per account: Google-managed keys, and for some accounts user-managed ones (never
    their private key material)."""
    rng = world.rng
    keys: JSON = {}
    for account in project.accounts:
        email = account["email"]
        found = [_key(rng, project, email, False) for _ in range(rng.randint(0, 2))]
        if email != project.compute_sa and _chance(rng, 0.35):
            found += [_key(rng, project, email, True) for _ in range(rng.randint(1, 2))]
        if found:
            rng.shuffle(found)
            keys[email] = found
    return keys


# --- Cloud SQL -------------------------------------------------------------------------------


def _sql_address(rng: random.Random, public: bool) -> str:
    if public:
        return f"{_pick(rng, (34, 35))}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    return f"10.{rng.randint(0, 99)}.{rng.randint(0, 9)}.{rng.randint(2, 250)}"


def _authorized_networks(rng: random.Random) -> list[JSON]:
    """Valid CIDRs only: an office, a partner, a private range, or the whole internet."""
    choices = (
        ("office", f"203.0.113.{rng.randint(1, 254)}/32"),
        ("partner-vpn", f"198.51.100.{rng.randrange(0, 256, 8)}/29"),
        ("internal", "10.0.0.0/8"),
        ("temporary-debug", "0.0.0.0/0"),
        ("gcp-range", "35.0.0.0/8"),
    )
    count = _pick(rng, (0, 0, 1, 1, 2))
    return [
        {"value": value, "name": name, "kind": "sql#aclEntry"}
        for name, value in rng.sample(choices, count)
    ]


def _ssl(rng: random.Random) -> JSON:
    """sslMode with the requireSsl value the API pairs with it, or only legacy requireSsl."""
    mode = _pick(
        rng,
        (
            "ENCRYPTED_ONLY",
            "ENCRYPTED_ONLY",
            "ALLOW_UNENCRYPTED_AND_ENCRYPTED",
            "TRUSTED_CLIENT_CERTIFICATE_REQUIRED",
            "legacy",
        ),
    )
    if mode == "legacy":
        return {"requireSsl": _chance(rng, 0.5)}
    return {"requireSsl": mode == "TRUSTED_CLIENT_CERTIFICATE_REQUIRED", "sslMode": mode}


def _sql_base(world: _World, project: _Project, name: str, region: str, version: str) -> JSON:
    """Fields every instance shares; settings filled in by the primary/replica makers."""
    rng = world.rng
    zone = f"{region}-{_pick(rng, ('b', 'c', 'd'))}"
    return {
        "kind": "sql#instance",
        "state": "RUNNABLE",
        "databaseVersion": version,
        "settings": {
            "authorizedGaeApplications": [],
            "tier": _pick(rng, ("db-custom-1-3840", "db-custom-2-8192", "db-custom-4-16384")),
            "kind": "sql#settings",
            "availabilityType": "ZONAL",
            "pricingPlan": "PER_USE",
            "activationPolicy": "ALWAYS",
            "locationPreference": {"zone": zone, "kind": "sql#locationPreference"},
            "dataDiskType": "PD_SSD",
            "settingsVersion": str(rng.randint(2, 80)),
            "storageAutoResizeLimit": "0",
            "storageAutoResize": True,
            "dataDiskSizeGb": str(_pick(rng, (10, 50, 100, 250))),
            "edition": "ENTERPRISE",
        },
        "etag": _hex(rng, 64),
        "instanceType": "CLOUD_SQL_INSTANCE",
        "project": project.project_id,
        "serviceAccountEmailAddress": f"p{project.number}-{_letters(rng, 6)}@gcp-sa-cloud-sql.iam.gserviceaccount.com",
        "backendType": "SECOND_GEN",
        "selfLink": f"https://sqladmin.googleapis.com/v1/projects/{project.project_id}/instances/{name}",
        "connectionName": f"{project.project_id}:{region}:{name}",
        "name": name,
        "region": region,
        "gceZone": zone,
        "createTime": _ms(_days_ago(rng, 60, 600)),
    }


def _ip_configuration(world: _World, project: _Project, instance: JSON, public: bool) -> None:
    rng = world.rng
    private = not public or _chance(rng, 0.5)
    config: JSON = {}
    addresses: list[JSON] = []
    if private:
        config["privateNetwork"] = (
            f"projects/{project.project_id}/global/networks/{_pick(rng, ('vpc', 'main-vpc', 'shared'))}"
        )
    config["authorizedNetworks"] = _authorized_networks(rng) if public else []
    config["ipv4Enabled"] = public
    config.update(_ssl(rng))
    config["serverCaMode"] = "GOOGLE_MANAGED_INTERNAL_CA"
    if public:
        addresses.append({"type": "PRIMARY", "ipAddress": _sql_address(rng, True)})
        if instance["databaseVersion"].startswith("MYSQL"):
            addresses.append({"type": "OUTGOING", "ipAddress": _sql_address(rng, True)})
    if private:
        addresses.append({"type": "PRIVATE", "ipAddress": _sql_address(rng, False)})
    instance["settings"]["ipConfiguration"] = config
    instance["ipAddresses"] = addresses


def _sql_primary(world: _World, project: _Project, name: str) -> JSON:
    rng = world.rng
    mysql = _chance(rng, 0.3)
    version = (
        _pick(rng, ("MYSQL_8_0", "MYSQL_8_4"))
        if mysql
        else _pick(rng, ("POSTGRES_15", "POSTGRES_16"))
    )
    instance = _sql_base(world, project, name, _pick(rng, RUN_REGIONS[:4]), version)
    settings = instance["settings"]
    _ip_configuration(world, project, instance, public=_chance(rng, 0.4))
    backups = _chance(rng, 0.75)
    backup: JSON = {
        "kind": "sql#backupConfiguration",
        "startTime": f"0{rng.randint(1, 5)}:00",
        "backupRetentionSettings": {
            "retentionUnit": "COUNT",
            "retainedBackups": _pick(rng, (7, 14, 30)),
        },
        "enabled": backups,
        "transactionLogRetentionDays": 7,
    }
    if backups:
        backup["location"] = _pick(rng, ("eu", "us"))
        if _chance(rng, 0.65):
            backup["binaryLogEnabled" if mysql else "pointInTimeRecoveryEnabled"] = True
            backup["transactionalLogStorageState"] = "CLOUD_STORAGE"
    settings["backupConfiguration"] = backup
    if _chance(rng, 0.5):
        settings["availabilityType"] = "REGIONAL"
        zone = settings["locationPreference"]["zone"]
        secondary = zone[:-1] + ("c" if zone.endswith("b") else "b")
        settings["locationPreference"]["secondaryZone"] = secondary
        instance["secondaryGceZone"] = secondary
    protection = rng.random()
    if protection < 0.6:
        settings["deletionProtectionEnabled"] = True
    elif protection < 0.8:
        settings["deletionProtectionEnabled"] = False  # else: never set
    settings["maintenanceWindow"] = {
        "kind": "sql#maintenanceWindow",
        "hour": rng.randint(0, 5),
        "day": rng.randint(1, 7),
        "updateTrack": "stable",
    }
    settings["userLabels"] = _resource_labels(rng, project, name)
    return instance


def _sql_replica(world: _World, project: _Project, primary: JSON, name: str) -> JSON:
    """A read replica of `primary`, in its region; replicas have no backups of their own."""
    rng = world.rng
    instance = _sql_base(world, project, name, primary["region"], primary["databaseVersion"])
    _ip_configuration(world, project, instance, public=_chance(rng, 0.2))
    settings = instance["settings"]
    settings["backupConfiguration"] = {
        "kind": "sql#backupConfiguration",
        "startTime": "02:00",
        "backupRetentionSettings": {"retentionUnit": "COUNT", "retainedBackups": 7},
        "enabled": False,
        "transactionLogRetentionDays": 7,
    }
    if _chance(rng, 0.5):
        settings["deletionProtectionEnabled"] = True
    settings["userLabels"] = primary["settings"]["userLabels"]
    instance["instanceType"] = "READ_REPLICA_INSTANCE"
    instance["masterInstanceName"] = f"{project.project_id}:{primary['name']}"
    instance["replicaConfiguration"] = {"kind": "sql#replicaConfiguration", "failoverTarget": False}
    primary.setdefault("replicaNames", []).append(name)
    return instance


def _sql_instances(world: _World, project: _Project) -> list[JSON]:
    """0 to 4 instances; some primaries have read replicas in the same project."""
    rng = world.rng
    if not project.serves("sqladmin"):
        return []
    count = _pick(rng, (0, 1, 1, 2, 2, 3, 4))
    primaries: list[JSON] = []
    instances: list[JSON] = []
    names = list(DB_NAMES)
    rng.shuffle(names)
    for _ in range(count):
        if primaries and _chance(rng, 0.35):
            primary = _pick(rng, primaries)
            siblings = len(primary.get("replicaNames", []))
            name = f"{primary['name']}-replica" + (f"-{siblings + 1}" if siblings else "")
            instances.append(_sql_replica(world, project, primary, name))
            continue
        name = names.pop()
        if project.env is not None and _chance(rng, 0.4):
            name = f"{_pick(rng, ID_TOKENS[project.env])}-{name}"
        elif _chance(rng, 0.1):  # named for another environment
            name = f"{_pick(rng, ID_TOKENS[_pick(rng, ENVIRONMENTS)])}-{name}"
        primaries.append(_sql_primary(world, project, name))
        instances.append(primaries[-1])
    return instances


def _resource_labels(rng: random.Random, project: _Project, app: str) -> dict[str, str]:
    """Labels of a resource: its team, sometimes the environment (rarely a wrong one)."""
    labels = {"team": project.labels.get("team", "platform")}
    if _chance(rng, 0.35):
        env = project.env if project.env and _chance(rng, 0.75) else _pick(rng, ENVIRONMENTS)
        labels["env"] = env
    if _chance(rng, 0.3):
        labels["app"] = app
    return labels


# --- monitoring ------------------------------------------------------------------------------


def _channels(world: _World, project: _Project) -> list[JSON]:
    rng = world.rng
    if not project.serves("monitoring"):
        return []
    channels: list[JSON] = []
    for _ in range(_pick(rng, (0, 1, 1, 2))):
        created = _ts(_days_ago(rng, 30, 600))
        record = {"mutateTime": created, "mutatedBy": f"sre@{world.domain}"}
        channel: JSON
        if _chance(rng, 0.6):
            channel = {
                "type": "email",
                "displayName": "On-call",
                "labels": {"email_address": f"oncall@{world.domain}"},
            }
        else:
            name = f"#alerts-{project.env or 'misc'}"
            channel = {
                "type": "slack",
                "displayName": f"{name} (Slack)",
                "labels": {"channel_name": name},
            }
        channel["name"] = f"projects/{project.project_id}/notificationChannels/{_digits(rng, 19)}"
        channel["enabled"] = _chance(rng, 0.9)
        channel["creationRecord"] = record
        channel["mutationRecords"] = [record]
        if channel["type"] == "email":
            channel["verificationStatus"] = "VERIFIED"
        channels.append(channel)
    return channels


ALERT_TEMPLATES = (
    (
        "Cloud Run 5xx rate",
        'resource.type = "cloud_run_revision" AND metric.type = "run.googleapis.com/request_count" AND metric.labels.response_code_class = "5xx"',
        "ALIGN_RATE",
        1.0,
    ),
    (
        "Cloud SQL CPU > 80%",
        'resource.type = "cloudsql_database" AND metric.type = "cloudsql.googleapis.com/database/cpu/utilization"',
        "ALIGN_MEAN",
        0.8,
    ),
    (
        "Cloud SQL disk > 90%",
        'resource.type = "cloudsql_database" AND metric.type = "cloudsql.googleapis.com/database/disk/utilization"',
        "ALIGN_MEAN",
        0.9,
    ),
    (
        "Cloud Run p99 latency",
        'resource.type = "cloud_run_revision" AND metric.type = "run.googleapis.com/request_latencies"',
        "ALIGN_PERCENTILE_99",
        2000.0,
    ),
)


def _alert_policy(world: _World, project: _Project, template: tuple[str, str, str, float]) -> JSON:
    rng = world.rng
    title, flt, aligner, threshold = template
    policy_id = _digits(rng, 19)
    name = f"projects/{project.project_id}/alertPolicies/{policy_id}"
    created = _days_ago(rng, 30, 600)
    record = {"mutateTime": _ts(created), "mutatedBy": f"sre@{world.domain}"}
    policy: JSON = {
        "name": name,
        "displayName": title,
        "conditions": [
            {
                "name": f"{name}/conditions/{_digits(rng, 19)}",
                "displayName": title,
                "conditionThreshold": {
                    "filter": flt,
                    "aggregations": [{"alignmentPeriod": "60s", "perSeriesAligner": aligner}],
                    "comparison": "COMPARISON_GT",
                    "thresholdValue": threshold,
                    "duration": _pick(rng, ("300s", "600s")),
                    "trigger": {"count": 1},
                },
            }
        ],
        "combiner": "OR",
        "creationRecord": record,
        "mutationRecord": record,
        "enabled": _chance(rng, 0.75),
        "alertStrategy": {"autoClose": "604800s"},
        "severity": _pick(rng, ("CRITICAL", "ERROR", "WARNING")),
    }
    if _chance(rng, 0.4):
        policy["documentation"] = {
            "content": f"Runbook: https://wiki.{world.domain}/runbooks/{policy_id}",
            "mimeType": "text/markdown",
        }
    if project.channels and _chance(rng, 0.7):
        count = rng.randint(1, len(project.channels))
        policy["notificationChannels"] = [c["name"] for c in rng.sample(project.channels, count)]
    return policy


def _alert_policies(world: _World, project: _Project) -> list[JSON]:
    """0 to 3 policies, enabled or not, with or without notification channels."""
    if not project.serves("monitoring"):
        return []
    count = _pick(world.rng, (0, 1, 1, 2, 3))
    return [_alert_policy(world, project, t) for t in world.rng.sample(ALERT_TEMPLATES, count)]


# --- project IAM policy ----------------------------------------------------------------------


def _foreign_account(world: _World, project: _Project) -> str:
    """A service account owned by another project: a user-managed one of a project of the
    world, its default or Cloud Build account, or one of a project outside the world."""
    rng = world.rng
    others = world.others(project)
    roll = rng.random()
    if others and roll < 0.6:
        other = _pick(rng, others)
        emails = other.user_accounts()
        if emails:
            return _pick(rng, emails)
        return other.compute_sa
    if others and roll < 0.75:
        return f"{_pick(rng, others).number}@cloudbuild.gserviceaccount.com"
    return f"{_pick(rng, ('ci', 'deployer', 'github'))}@{world.outsider}.iam.gserviceaccount.com"


def _service_agents(project: _Project) -> dict[str, str]:
    """Google-managed service agents with the roles Google grants them."""
    n = project.number
    return {
        f"serviceAccount:{n}@cloudservices.gserviceaccount.com": "roles/editor",
        f"serviceAccount:service-{n}@serverless-robot-prod.iam.gserviceaccount.com": "roles/run.serviceAgent",
        f"serviceAccount:{n}@cloudbuild.gserviceaccount.com": "roles/cloudbuild.builds.builder",
        f"serviceAccount:service-{n}@gcp-sa-pubsub.iam.gserviceaccount.com": "roles/pubsub.serviceAgent",
    }


def _iam_policy(world: _World, project: _Project) -> JSON:
    rng = world.rng
    grants: dict[str, set[str]] = {}

    def grant(role: str, member: str) -> None:
        grants.setdefault(role, set()).add(member)

    grant("roles/owner", f"user:{_pick(rng, ('cto', 'admin', 'founder'))}@{world.domain}")
    for member, role in _service_agents(project).items():
        if _chance(rng, 0.7):
            grant(role, member)
    if _chance(rng, 0.45):
        grant("roles/editor", f"serviceAccount:{project.compute_sa}")
    grant("roles/viewer", f"group:developers@{world.domain}")
    for email in project.user_accounts():
        member = f"serviceAccount:{email}"
        for role in rng.sample(NARROW_ROLES, rng.randint(1, 3)):
            grant(role, member)
        roll = rng.random()
        if roll < 0.12:
            grant(_pick(rng, ("roles/owner", "roles/editor")), member)
        elif roll < 0.25:
            grant(_pick(rng, ADMIN_ROLES), member)
    if _chance(rng, 0.35):
        who = _pick(
            rng,
            (
                f"group:developers@{world.domain}",
                f"user:dev-{rng.randint(1, 9)}@{world.domain}",
                *(f"serviceAccount:{e}" for e in project.user_accounts()),
            ),
        )
        grant(_pick(rng, IMPERSONATION_ROLES), who)
    if _chance(rng, 0.1):
        grant(
            _pick(rng, ("roles/viewer", "roles/storage.objectViewer")),
            _pick(rng, ("allUsers", "allAuthenticatedUsers")),
        )
    for _ in range(_pick(rng, (0, 0, 1, 1, 2))):
        grant(
            _pick(rng, (*NARROW_ROLES, "roles/run.developer")),
            f"serviceAccount:{_foreign_account(world, project)}",
        )
    if _chance(rng, 0.15):
        grant(
            _pick(rng, NARROW_ROLES),
            f"deleted:serviceAccount:old-job@{project.project_id}.iam.gserviceaccount.com?uid={_digits(rng, 21)}",
        )
    if _chance(rng, 0.15):
        pool = f"principalSet://iam.googleapis.com/projects/{project.number}/locations/global/workloadIdentityPools/github/attribute.repository/{world.company}/infra"
        grant("roles/run.developer", pool)
    bindings: list[JSON] = [
        {"role": role, "members": sorted(members)} for role, members in sorted(grants.items())
    ]
    policy: JSON = {"version": 1, "etag": _etag(rng), "bindings": bindings}
    if _chance(rng, 0.2):
        who = _pick(
            rng,
            (
                f"group:sre@{world.domain}",
                *(f"serviceAccount:{e}" for e in project.user_accounts()),
            ),
        )
        bindings.append(
            {
                "role": _pick(rng, ADMIN_ROLES),
                "members": [who],
                "condition": {
                    "title": "Break-glass until 2027-01-01",
                    "expression": 'request.time < timestamp("2027-01-01T00:00:00Z")',
                },
            }
        )
        policy["version"] = 3
    audit = _audit_configs(world)
    if audit:
        policy["auditConfigs"] = audit
    return policy


def _audit_configs(world: _World) -> list[JSON]:
    """Data Access audit logs: none, DATA_READ and DATA_WRITE for allServices (sometimes with
    an exempted member), only some services, or only DATA_READ."""
    rng = world.rng
    roll = rng.random()
    if roll < 0.35:
        return []
    if roll < 0.65:
        logs: list[JSON] = [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}]
        if _chance(rng, 0.5):
            logs.insert(0, {"logType": "ADMIN_READ"})
        if _chance(rng, 0.25):
            logs[-2]["exemptedMembers"] = [
                f"serviceAccount:etl@{world.outsider}.iam.gserviceaccount.com"
            ]
        return [{"service": "allServices", "auditLogConfigs": logs}]
    if roll < 0.85:
        chosen = rng.sample(AUDITED_SERVICES, rng.randint(1, 2))
        both = [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}]
        return [{"service": s, "auditLogConfigs": [dict(log) for log in both]} for s in chosen]
    return [{"service": "allServices", "auditLogConfigs": [{"logType": "DATA_READ"}]}]


# --- IAM policies of resources ---------------------------------------------------------------


def _policy(rng: random.Random, bindings: list[JSON]) -> JSON:
    """A resource's IAM policy (Secret Manager, Pub/Sub, Artifact Registry, Cloud Run)."""
    return {"version": 1, "etag": _etag(rng), "bindings": bindings}


def _short(name: str) -> str:
    """The last segment of a resource name."""
    return name.rpartition("/")[2]


# --- Secret Manager --------------------------------------------------------------------------


def _secret_versions(rng: random.Random, secret: str, created: datetime) -> list[JSON]:
    """1 to 6 versions, newest first: the newest usually ENABLED, older ones still ENABLED or
    rotated away (DISABLED, or DESTROYED some days after the next version was added)."""
    count = rng.randint(1, 6)
    span = (REFERENCE_DATE - created).total_seconds() - 86400
    moments = [
        created,
        *sorted(created + timedelta(seconds=rng.uniform(0, span)) for _ in range(count - 1)),
    ]
    versions: list[JSON] = []
    for number, moment in enumerate(moments, start=1):
        if number == count:
            state = "ENABLED" if _chance(rng, 0.88) else "DISABLED"
        else:
            state = _pick(rng, ("ENABLED", "DISABLED", "DISABLED", "DESTROYED", "DESTROYED"))
        version: JSON = {"name": f"{secret}/versions/{number}", "createTime": _ts(moment)}
        if state == "DESTROYED":
            destroyed = moments[number] + timedelta(days=rng.uniform(1, 30))
            version["destroyTime"] = _ts(min(destroyed, REFERENCE_DATE - timedelta(hours=1)))
        version["state"] = state
        version["replicationStatus"] = {"automatic": {}}
        version["etag"] = f'"{_hex(rng, 13)}"'
        version["clientSpecifiedPayloadChecksum"] = True
        versions.append(version)
    return versions[::-1]


def _secrets(world: _World, project: _Project) -> tuple[list[JSON], dict[str, list[JSON]]]:
    """0 to 4 secrets (named with the project number, as the API does) and their versions."""
    rng = world.rng
    secrets: list[JSON] = []
    versions: dict[str, list[JSON]] = {}
    for secret_id in rng.sample(SECRET_IDS, _pick(rng, (0, 1, 2, 2, 3, 4))):
        created = _days_ago(rng, 60, 700)
        secret: JSON = {
            "name": f"projects/{project.number}/secrets/{secret_id}",
            "replication": {"automatic": {}},
            "createTime": _ts(created),
        }
        if _chance(rng, 0.5):
            secret["labels"] = {"team": project.labels.get("team", "platform")}
        secret["etag"] = f'"{_hex(rng, 13)}"'
        secrets.append(secret)
        versions[secret["name"]] = _secret_versions(rng, secret["name"], created)
    return secrets, versions


def _secret_policies(world: _World, project: _Project) -> JSON:
    """Per secret: accessor for a workload of the project (some secrets have no policy of their
    own), sometimes a version manager, a few public."""
    rng = world.rng
    readers = list(dict.fromkeys(project.runtime_identities)) or project.user_accounts()
    policies: JSON = {}
    for secret in project.secrets:
        if _chance(rng, 0.2):
            continue
        members = {f"serviceAccount:{_pick(rng, readers or [project.compute_sa])}"}
        if _chance(rng, 0.12):
            members.add(_pick(rng, PUBLIC_MEMBERS))
        bindings = [{"role": "roles/secretmanager.secretAccessor", "members": sorted(members)}]
        if _chance(rng, 0.2):
            admin = f"user:{_pick(rng, ('cto', 'admin'))}@{world.domain}"
            bindings.append(
                {"role": "roles/secretmanager.secretVersionManager", "members": [admin]}
            )
        policies[secret["name"]] = _policy(rng, bindings)
    return policies


def _versions_of(world: _World, project: _Project, ref: str) -> list[JSON]:
    """The versions of the secret a `secretKeyRef.secret` names ([]: no such secret)."""
    parts = ref.split("/")
    owner = project if len(parts) == 1 else world.find(parts[1])
    if owner is None:
        return []
    return owner.versions.get(f"projects/{owner.number}/secrets/{parts[-1]}", [])


def _secret_version(world: _World, project: _Project, ref: str) -> str:
    """`latest`, or one of the secret's version numbers, whatever its state."""
    numbers = [_short(v["name"]) for v in _versions_of(world, project, ref)]
    if not numbers or _chance(world.rng, 0.5):
        return "latest"
    return _pick(world.rng, numbers)


# --- Artifact Registry -----------------------------------------------------------------------


def _scanning(rng: random.Random, api_enabled: bool, since: datetime) -> JSON:
    """vulnerabilityScanningConfig: inherited from the project (the Container Scanning API on
    or off), or turned off for the repository."""
    if _chance(rng, 0.15):
        return {
            "enablementConfig": "DISABLED",
            "enablementState": "SCANNING_DISABLED",
            "enablementStateReason": "Vulnerability scanning is disabled for this repository.",
        }
    if api_enabled:
        return {
            "enablementConfig": "INHERITED",
            "enablementState": "SCANNING_ACTIVE",
            "enablementStateReason": "API containerscanning.googleapis.com is enabled.",
            "lastEnableTime": _ts(since),
        }
    return {
        "enablementConfig": "INHERITED",
        "enablementState": "SCANNING_DISABLED",
        "enablementStateReason": "API containerscanning.googleapis.com is disabled.",
    }


def _cleanup(rng: random.Random) -> JSON:
    """No cleanup policy; DELETE old images and KEEP the most recent ones; DELETE only; KEEP
    only. Policies sometimes still run in dry-run mode."""
    delete = _pick(
        rng,
        (
            {
                "id": "delete-untagged-30d",
                "action": "DELETE",
                "condition": {"tagState": "UNTAGGED", "olderThan": "2592000s"},
            },
            {
                "id": "delete-older-than-90d",
                "action": "DELETE",
                "condition": {"tagState": "ANY", "olderThan": "7776000s"},
            },
        ),
    )
    keep = {"id": "keep-10-most-recent", "action": "KEEP", "mostRecentVersions": {"keepCount": 10}}
    roll = rng.random()
    if roll < 0.3:
        return {}
    chosen = [delete, keep] if roll < 0.65 else [delete] if roll < 0.9 else [keep]
    return {
        "cleanupPolicies": {p["id"]: p for p in chosen},
        "cleanupPolicyDryRun": _chance(rng, 0.12),
    }


def _deletes_without_keep(repository: JSON) -> bool:
    """Its cleanup policies delete images and keep no recent versions (rollbacks lose theirs)."""
    actions = [p["action"] for p in repository.get("cleanupPolicies", {}).values()]
    return "DELETE" in actions and "KEEP" not in actions and not repository["cleanupPolicyDryRun"]


def _repository(
    world: _World, project: _Project, kind: tuple[str, str], location: str, scanning: bool
) -> JSON:
    rng = world.rng
    fmt, repository_id = kind
    created = _days_ago(rng, 90, 700)
    repository: JSON = {
        "name": f"projects/{project.project_id}/locations/{location}/repositories/{repository_id}",
        "format": fmt,
    }
    if _chance(rng, 0.5):
        repository["description"] = f"{fmt.title()} artifacts of {project.project_id}"
    if _chance(rng, 0.5):
        repository["labels"] = {"team": project.labels.get("team", "platform")}
    repository.update(
        {
            "createTime": _ts(created),
            "updateTime": _ts(_days_ago(rng, 0.5, 30)),
            "mode": "STANDARD_REPOSITORY",
            "sizeBytes": str(rng.randint(10**7, 5 * 10**9)),
            "registryUri": f"{location}-{fmt.lower()}.pkg.dev/{project.project_id}/{repository_id}",
            "vulnerabilityScanningConfig": _scanning(rng, scanning, created),
        }
    )
    if fmt == "DOCKER":
        repository.update(_cleanup(rng))
    return repository


def _push(
    rng: random.Random,
    images: list[JSON],
    repository: JSON,
    path: str,
    digest: str,
    tag: str,
    when: datetime,
) -> None:
    """Push an image to a docker repository; it takes the `latest` tag from older ones."""
    prefix = f"{repository['registryUri']}/{path}@"
    for image in images:
        if image["uri"].startswith(prefix) and "latest" in image.get("tags", []):
            image["tags"].remove("latest")
            if not image["tags"]:
                del image["tags"]
    built = when - timedelta(minutes=rng.randint(3, 30))
    uploaded = built + timedelta(seconds=rng.randint(40, 200))
    images.append(
        {
            "name": f"{repository['name']}/dockerImages/{path}@{digest}",
            "uri": prefix + digest,
            "tags": ["latest", tag],
            "imageSizeBytes": str(rng.randint(30_000_000, 400_000_000)),
            "uploadTime": _ts(uploaded),
            "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
            "buildTime": _ts(built, micros=False),
            "updateTime": _ts(uploaded),
        }
    )


def _repositories(world: _World, project: _Project) -> tuple[list[JSON], dict[str, list[JSON]]]:
    """0 to 3 repositories (the first one DOCKER, some MAVEN or NPM) and the images already in
    the docker ones (jobs and base images; services push theirs when they deploy)."""
    rng = world.rng
    count = _pick(rng, (0, 1, 1, 1, 2, 3))
    if not count:
        return [], {}
    home, scanning = _pick(rng, AR_LOCATIONS), _chance(rng, 0.6)
    first = ("DOCKER", _pick(rng, DOCKER_REPOSITORIES))
    kinds = [first, *rng.sample([k for k in REPOSITORY_KINDS if k != first], count - 1)]
    repositories: list[JSON] = []
    images: dict[str, list[JSON]] = {}
    for kind in kinds:
        location = home if _chance(rng, 0.8) else _pick(rng, AR_LOCATIONS)
        repository = _repository(world, project, kind, location, scanning)
        repositories.append(repository)
        if kind[0] != "DOCKER":
            continue
        found = images[repository["name"]] = []
        for path in rng.sample(("migrations", "base", "batch-job"), rng.randint(0, 2)):
            for moment in sorted(_days_ago(rng, 1, 200) for _ in range(rng.randint(1, 3))):
                _push(rng, found, repository, path, f"sha256:{_hex(rng, 64)}", _hex(rng, 7), moment)
    return repositories, images


def _repository_policies(world: _World, project: _Project) -> JSON:
    """Per repository: writers (CI, deployer or Cloud Build), readers in other projects (their
    Cloud Run default identities pull from here), a few public readers."""
    rng = world.rng
    policies: JSON = {}
    for repository in project.repositories:
        if _chance(rng, 0.3):
            continue
        writers = [
            f"serviceAccount:{e}"
            for e in project.user_accounts()
            if e.split("@")[0] in ("ci", "deployer", "terraform")
        ] or [f"serviceAccount:{project.number}@cloudbuild.gserviceaccount.com"]
        bindings = [{"role": "roles/artifactregistry.writer", "members": writers}]
        readers = {
            f"serviceAccount:{p.compute_sa}" for p in world.others(project) if _chance(rng, 0.3)
        }
        if _chance(rng, 0.1):
            readers.add(_pick(rng, PUBLIC_MEMBERS))
        if readers:
            bindings.insert(
                0, {"role": "roles/artifactregistry.reader", "members": sorted(readers)}
            )
        policies[repository["name"]] = _policy(rng, bindings)
    return policies


# --- Cloud Run -------------------------------------------------------------------------------


@dataclass
class _Rollout:
    """Revisions of one service, oldest first, and where its traffic goes."""

    names: list[str]
    ready: list[bool]
    created: list[datetime]
    traffic: list[JSON]

    @property
    def latest_ready(self) -> str | None:
        ready = [n for n, ok in zip(self.names, self.ready, strict=True) if ok]
        return ready[-1] if ready else None


def _revision_numbers(rng: random.Random, count: int) -> list[int]:
    """`count` revision numbers, oldest first; older revisions are sometimes pruned (gaps)."""
    newest = rng.randint(count, 60)
    return [*sorted(rng.sample(range(1, newest), count - 1)), newest]


def _readiness(rng: random.Random, count: int) -> list[bool]:
    """Which revisions became Ready, oldest first; at least one did (the first deploy of a
    service that never worked is left out: it has no latestReadyRevision at all)."""
    ready = [_chance(rng, 0.85) for _ in range(count)]
    ready[-1] = count == 1 or _chance(rng, 0.75)
    if not any(ready):
        ready[-2] = True
    return ready


def _traffic(rng: random.Random, good: list[str]) -> list[JSON]:
    """Traffic targets over the Ready revisions `good` (oldest first)."""
    latest = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
    by_revision = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
    scenario = rng.random()
    if scenario < 0.8 and len(good) >= 2 and scenario >= 0.6:  # rolled back, or --no-traffic
        traffic = [{"type": by_revision, "revision": _pick(rng, good), "percent": 100}]
    elif scenario >= 0.8 and len(good) >= 2:  # a canary
        old, new = sorted(rng.sample(good, 2))
        share = _pick(rng, (5, 10, 25, 50))
        traffic = [
            {"type": by_revision, "revision": old, "percent": 100 - share},
            {"type": by_revision, "revision": new, "percent": share},
        ]
    else:
        traffic = [{"type": latest, "percent": 100}]
    if _chance(rng, 0.15):  # a tagged revision, reachable on its own URL without traffic
        traffic.append({"type": by_revision, "revision": _pick(rng, good), "tag": "canary"})
    return traffic


def _rollout(rng: random.Random, service: str) -> _Rollout:
    """1 to 4 revisions; the newest may have failed; traffic on the latest Ready revision,
    pinned to one, or split between two."""
    count = rng.randint(1, 4)
    names = [f"{service}-{n:05d}-{_letters(rng, 3)}" for n in _revision_numbers(rng, count)]
    ready = _readiness(rng, count)
    created: list[datetime] = []
    moment = _days_ago(rng, 0.5, 60)
    for _ in names:
        created.insert(0, moment)
        moment -= timedelta(days=rng.uniform(0.2, 25))
    good = [n for n, ok in zip(names, ready, strict=True) if ok]
    return _Rollout(names, ready, created, _traffic(rng, good))


def _identity(world: _World, project: _Project) -> str | None:
    """The runtime service account of a new service (None: the default, unset)."""
    rng = world.rng
    own = project.user_accounts()
    roll = rng.random()
    if roll < 0.45 and own:
        return _pick(rng, own)
    if roll < 0.6 and project.runtime_identities:
        return _pick(rng, project.runtime_identities)  # shared with another service
    if roll < 0.75:
        return None
    if roll < 0.8:
        return project.compute_sa
    return _foreign_account(world, project)


def _secret_ref(world: _World, project: _Project) -> str | None:
    """A secret a service reads: usually one of its project (short or full name), sometimes one
    of another project of the world (by ID or number); None when there is none to read."""
    rng = world.rng
    others = [p for p in world.others(project) if p.secrets]
    if project.secrets and (not others or _chance(rng, 0.8)):
        secret_id = _short(_pick(rng, project.secrets)["name"])
        return (
            secret_id if _chance(rng, 0.8) else f"projects/{project.project_id}/secrets/{secret_id}"
        )
    if others and _chance(rng, 0.6 if project.secrets else 0.35):
        other = _pick(rng, others)
        secret_id = _short(_pick(rng, other.secrets)["name"])
        return f"projects/{_pick(rng, (other.project_id, other.number))}/secrets/{secret_id}"
    return None


def _literal_credential(rng: random.Random) -> tuple[str, str]:
    """A credential pasted into a literal env value: a password, a URL with user:password@,
    a private key block, a Stripe key."""
    password = _alnum(rng, 16)
    host = _sql_address(rng, False)
    key = "\n".join(_b64(rng, 48) for _ in range(3))
    return _pick(
        rng,
        (
            ("DB_PASSWORD", password),
            ("SMTP_PASSWD", password),
            ("DATABASE_URL", f"postgres://app:{password}@{host}:5432/{_pick(rng, DB_NAMES)}"),
            ("JWT_SIGNING_KEY", f"-----BEGIN PRIVATE KEY-----\n{key}\n-----END PRIVATE KEY-----\n"),
            ("STRIPE_API_KEY", f"sk_live_{_alnum(rng, 24)}"),
        ),
    )


def _literal_setting(rng: random.Random, project: _Project) -> tuple[str, str]:
    """A literal env value that is no credential, some with names that look like one."""
    return _pick(
        rng,
        (
            ("TOKEN_URL", "https://oauth2.googleapis.com/token"),
            ("SECRET_NAME", f"projects/{project.project_id}/secrets/{_pick(rng, SECRET_IDS)}"),
            ("REDIS_URL", f"redis://{_sql_address(rng, False)}:6379"),
            ("GCP_PROJECT", project.project_id),
        ),
    )


def _env(world: _World, project: _Project) -> list[JSON]:
    """A container's env: a log level, secrets from Secret Manager, sometimes a harmless literal
    setting and sometimes a credential in a literal value."""
    rng = world.rng
    level = _pick(rng, ("info", "debug", "warning"))
    env: dict[str, JSON] = {"LOG_LEVEL": {"name": "LOG_LEVEL", "value": level}}
    for _ in range(_pick(rng, (0, 1, 1, 2))):
        ref = _secret_ref(world, project)
        if ref is not None:
            name = _short(ref).upper().replace("-", "_")
            version = _secret_version(world, project, ref)
            source = {"secretKeyRef": {"secret": ref, "version": version}}
            env.setdefault(name, {"name": name, "valueSource": source})
    literals = []
    if _chance(rng, 0.3):
        literals.append(_literal_setting(rng, project))
    if _chance(rng, 0.2):
        literals.append(_literal_credential(rng))
    for name, value in literals:
        env.setdefault(name, {"name": name, "value": value})
    return list(env.values())


def _older_env(world: _World, project: _Project, env: list[JSON]) -> list[JSON]:
    """The env of an older revision: its secrets sometimes pinned to another version (rotated
    away since, or not), or named after a secret deleted since."""
    rng = world.rng
    older: list[JSON] = []
    for var in env:
        ref = var.get("valueSource", {}).get("secretKeyRef")
        if ref is None or _chance(rng, 0.55):
            older.append(var)
            continue
        secret = str(ref["secret"])
        if _chance(rng, 0.12):
            head, slash, secret_id = secret.rpartition("/")
            secret, version = f"{head}{slash}legacy-{secret_id}", "latest"
        else:
            version = _secret_version(world, project, secret)
        source = {"secretKeyRef": {"secret": secret, "version": version}}
        older.append({"name": var["name"], "valueSource": source})
    return older


def _sql_mount(world: _World, project: _Project) -> str | None:
    """A Cloud SQL connection name to mount: own instance, another project's, or none."""
    rng = world.rng
    if project.instances and _chance(rng, 0.55):
        return str(_pick(rng, project.instances)["connectionName"])
    foreign = [i for p in world.others(project) for i in p.instances]
    if foreign and _chance(rng, 0.3):
        return str(_pick(rng, foreign)["connectionName"])
    return None


def _template(world: _World, project: _Project, service: str, region: str) -> JSON:
    """The service's revision template; its image is the newest revision's (set by the caller)."""
    rng = world.rng
    env = _env(world, project)
    container: JSON = {
        "name": service,
        "image": "",
        "env": env,
        "resources": {
            "limits": {"cpu": _pick(rng, ("1000m", "2")), "memory": _pick(rng, ("512Mi", "1Gi"))},
            "cpuIdle": True,
            "startupCpuBoost": True,
        },
        "ports": [{"name": "http1", "containerPort": 8080}],
        "startupProbe": {
            "timeoutSeconds": 240,
            "periodSeconds": 240,
            "failureThreshold": 1,
            "tcpSocket": {"port": 8080},
        },
    }
    scaling = {"maxInstanceCount": _pick(rng, (3, 10, 20, 100))} if _chance(rng, 0.8) else {}
    template: JSON = {"scaling": scaling, "timeout": "300s"}
    identity = _identity(world, project)
    if identity is not None:
        template["serviceAccount"] = identity
        project.runtime_identities.append(identity)
    mount = _sql_mount(world, project)
    if mount is not None:
        env.append({"name": "DB_HOST", "value": f"/cloudsql/{mount}"})
        container["volumeMounts"] = [{"name": "cloudsql", "mountPath": "/cloudsql"}]
        template["volumes"] = [{"name": "cloudsql", "cloudSqlInstance": {"instances": [mount]}}]
    template["containers"] = [container]
    template["executionEnvironment"] = "EXECUTION_ENVIRONMENT_GEN2"
    template["maxInstanceRequestConcurrency"] = _pick(rng, (10, 80))
    return template


@dataclass
class _Deploy:
    """What one revision runs."""

    image: str  # the reference deployed: by digest, or by tag
    digest: str  # HOST/PROJECT/REPOSITORY/IMAGE@sha256:HEX, as containerStatuses report it
    env: list[JSON]


def _image_home(
    world: _World, project: _Project, region: str
) -> tuple[str, _Project | None, JSON | None]:
    """Where a service's images live: (image path prefix, owner, repository). A docker
    repository of its project or, shared, of another project of the world; else Container
    Registry, or rarely a repository deleted since (owner and repository None)."""
    rng = world.rng
    roll = rng.random()
    own = [(project, r) for r in project.docker_repositories()]
    shared = [(p, r) for p in world.others(project) for r in p.docker_repositories()]
    homes = own if own and roll < 0.75 else shared if shared and roll < 0.88 else []
    if homes:
        owner, repository = _pick(rng, homes)
        return str(repository["registryUri"]), owner, repository
    if _chance(rng, 0.85):
        return (
            f"{_pick(rng, ('gcr.io', 'eu.gcr.io', 'us.gcr.io'))}/{project.project_id}",
            None,
            None,
        )
    return f"{region}-docker.pkg.dev/{project.project_id}/legacy", None, None


def _deploys(
    world: _World,
    project: _Project,
    service: str,
    region: str,
    rollout: _Rollout,
    env: list[JSON],
    failure: tuple[str, str, str],
) -> list[_Deploy]:
    """The image and env of every revision, oldest first (the newest runs the template's env).
    Each image is pushed to its repository, except that of a revision that failed with
    CONTAINER_MISSING, and sometimes that of an older revision (cleaned up since: more often
    where cleanup policies delete without keeping recent versions)."""
    rng = world.rng
    prefix, owner, repository = _image_home(world, project, region)
    by_tag = _chance(rng, 0.4)
    cleaned = 0.4 if repository is not None and _deletes_without_keep(repository) else 0.12
    newest = len(rollout.names) - 1
    deploys: list[_Deploy] = []
    for i, (name, created) in enumerate(zip(rollout.names, rollout.created, strict=True)):
        digest, tag = f"sha256:{_hex(rng, 64)}", _hex(rng, 7)
        resolved = f"{prefix}/{service}@{digest}"
        kept = i == newest or name == rollout.latest_ready or not _chance(rng, cleaned)
        missing = not rollout.ready[i] and failure[1] == "CONTAINER_MISSING"
        if owner is not None and repository is not None and kept and not missing:
            _push(rng, owner.images[repository["name"]], repository, service, digest, tag, created)
        image = f"{prefix}/{service}:{tag}" if by_tag else resolved
        deploys.append(
            _Deploy(image, resolved, env if i == newest else _older_env(world, project, env))
        )
    return deploys


FAILURES = (
    (
        "revisionReason",
        "HEALTH_CHECK_CONTAINER_ERROR",
        "The user-provided container failed to start and listen on the port defined provided by the PORT=8080 environment variable within the allocated timeout.",
    ),
    ("reason", "CONTAINER_MISSING", "Image '{image}' not found."),
    (
        "reason",
        "SECRETS_ACCESS_CHECK_FAILED",
        "spec.template.spec.containers[0].env[1].value_from.secret_key_ref.name: Permission denied on secret for Revision service account.",
    ),
)


def _revision(
    world: _World,
    project: _Project,
    service: JSON,
    rollout: _Rollout,
    index: int,
    failure: tuple[str, str, str],
    deploy: _Deploy,
) -> JSON:
    rng = world.rng
    template = service["template"]
    name = rollout.names[index]
    short = service["name"].rpartition("/")[2]
    full = f"{service['name']}/revisions/{name}"
    created = rollout.created[index]
    settled = _ts(created + timedelta(seconds=rng.randint(20, 90)))
    containers = [dict(template["containers"][0], image=deploy.image, env=deploy.env)]
    revision: JSON = {"name": full, "uid": _uuid(rng), "generation": "1"}
    if "labels" in template:
        revision["labels"] = template["labels"]
    revision.update(
        {
            "createTime": _ts(created),
            "updateTime": _ts(created),
            "launchStage": "GA",
            "service": short,
            "scaling": template["scaling"],
            "timeout": template["timeout"],
        }
    )
    if "serviceAccount" in template:
        revision["serviceAccount"] = template["serviceAccount"]
    revision["containers"] = containers
    if "volumes" in template:
        revision["volumes"] = template["volumes"]
    revision["executionEnvironment"] = template["executionEnvironment"]
    revision["maxInstanceRequestConcurrency"] = template["maxInstanceRequestConcurrency"]
    if rollout.ready[index]:
        revision["containerStatuses"] = [{"name": short, "imageDigest": deploy.digest}]
        revision["conditions"] = [
            {"type": kind, "state": "CONDITION_SUCCEEDED", "lastTransitionTime": settled}
            for kind in ("Ready", "ContainerHealthy", "ResourcesAvailable")
        ]
    else:
        field_name, value, message = failure
        condition = {
            "type": "Ready",
            "state": "CONDITION_FAILED",
            "message": message.format(image=deploy.image),
            "lastTransitionTime": settled,
            field_name: value,
        }
        revision["conditions"] = [condition, dict(condition, type="ContainerHealthy")]
    revision["observedGeneration"] = "1"
    revision["logUri"] = (
        f"https://console.cloud.google.com/logs/viewer?project={project.project_id}"
        f"&resource=cloud_run_revision/service_name/{short}/revision_name/{name}"
    )
    revision["etag"] = f'"{_letters(rng, 12)}"'
    return revision


def _service_name(rng: random.Random, project: _Project, taken: set[str]) -> str:
    while True:
        name = _pick(rng, SERVICE_NAMES)
        if _chance(rng, 0.12):  # named for an environment, sometimes another one
            env = project.env if project.env and _chance(rng, 0.5) else _pick(rng, ENVIRONMENTS)
            name = f"{name}-{_pick(rng, ID_TOKENS[env])}"
        if name not in taken:
            taken.add(name)
            return name


def _run_service(
    world: _World, project: _Project, name: str, region: str
) -> tuple[JSON, list[JSON]]:
    """A service and its revisions, whose latest and traffic fields agree."""
    rng = world.rng
    full = f"projects/{project.project_id}/locations/{region}/services/{name}"
    rollout = _rollout(rng, name)
    created, updated = _days_ago(rng, 200, 600), rollout.created[-1]
    generation = str(int(rollout.names[-1].split("-")[-2]) + rng.randint(0, 2))
    template = _template(world, project, name, region)
    labels = _resource_labels(rng, project, name)
    if _chance(rng, 0.5):
        template["labels"] = {"app": name}
    service: JSON = {"name": full, "uid": _uuid(rng), "generation": generation}
    if _chance(rng, 0.3):
        service["description"] = f"{name} service of {project.project_id}"
    service.update(
        {
            "labels": labels,
            "createTime": _ts(created),
            "updateTime": _ts(updated),
            "creator": f"cto@{world.domain}",
            "lastModifier": _pick(
                rng,
                (
                    f"dev-{rng.randint(1, 9)}@{world.domain}",
                    f"deployer@{project.project_id}.iam.gserviceaccount.com",
                ),
            ),
            "client": _pick(rng, ("gcloud", "cloud-console", "terraform")),
            "ingress": _pick(
                rng,
                (
                    "INGRESS_TRAFFIC_ALL",
                    "INGRESS_TRAFFIC_INTERNAL_ONLY",
                    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER",
                ),
            ),
            "launchStage": "GA",
            "template": template,
        }
    )
    if _chance(rng, 0.06):
        service["invokerIamDisabled"] = True  # anyone can call it, whatever its IAM policy
    failure = _pick(rng, FAILURES)
    container = template["containers"][0]
    deploys = _deploys(world, project, name, region, rollout, container["env"], failure)
    container["image"] = deploys[-1].image
    revisions = [
        _revision(world, project, service, rollout, i, failure, deploy)
        for i, deploy in enumerate(deploys)
    ]
    newest_ok = rollout.ready[-1]
    at = _ts(updated + timedelta(seconds=rng.randint(30, 120)))
    prefix = f"{full}/revisions/"
    service["traffic"] = rollout.traffic
    service["observedGeneration"] = generation
    if newest_ok:
        service["terminalCondition"] = {
            "type": "Ready",
            "state": "CONDITION_SUCCEEDED",
            "lastTransitionTime": at,
        }
        service["conditions"] = [
            {"type": kind, "state": "CONDITION_SUCCEEDED", "lastTransitionTime": at}
            for kind in ("RoutesReady", "ConfigurationsReady")
        ]
    else:
        field_name, value, message = failure
        text = (
            f"Revision '{rollout.names[-1]}' is not ready and cannot serve traffic. "
            + message.format(image=revisions[-1]["containers"][0]["image"])
        )
        failed = {
            "type": "Ready",
            "state": "CONDITION_FAILED",
            "message": text,
            "lastTransitionTime": at,
            field_name: value,
        }
        service["terminalCondition"] = failed
        service["conditions"] = [
            dict(failed, type="ConfigurationsReady"),
            {"type": "RoutesReady", "state": "CONDITION_SUCCEEDED", "lastTransitionTime": at},
        ]
    if rollout.latest_ready is not None:
        service["latestReadyRevision"] = prefix + rollout.latest_ready
    service["latestCreatedRevision"] = prefix + rollout.names[-1]
    host = f"{name}-{_letters(rng, 10)}-{REGION_CODES[region]}.a.run.app"
    statuses: list[JSON] = []
    for target in rollout.traffic:
        status = dict(target)
        if "tag" in target:
            status["uri"] = f"https://{target['tag']}---{host}"
        statuses.append(status)
    service["trafficStatuses"] = statuses
    service["uri"] = f"https://{name}-{project.number}.{region}.run.app"
    service["urls"] = [service["uri"], f"https://{host}"]
    service["etag"] = f'"{_letters(rng, 12)}/{_letters(rng, 16)}"'
    return service, revisions


def _invoker_policy(world: _World, project: _Project) -> JSON | None:
    """A service's IAM policy: none of its own, invokers that are service accounts or a group,
    or public (allUsers or allAuthenticatedUsers, alone or next to a private invoker)."""
    rng = world.rng
    roll = rng.random()
    if roll < 0.35:
        return None
    callers = [f"serviceAccount:{e}" for e in project.user_accounts() or [project.compute_sa]]
    members = {_pick(rng, [*callers, f"group:developers@{world.domain}"])}
    if roll >= 0.72:
        public = _pick(rng, PUBLIC_MEMBERS)
        members = {public} if _chance(rng, 0.6) else members | {public}
    return _policy(rng, [{"role": "roles/run.invoker", "members": sorted(members)}])


def _run(world: _World, project: _Project) -> tuple[list[JSON], list[JSON], JSON]:
    """0 to 4 services in 1 or 2 regions, their revisions and some service IAM policies."""
    rng = world.rng
    if not project.serves("run"):
        return [], [], {}
    regions = rng.sample(RUN_REGIONS, _pick(rng, (1, 1, 2)))
    services: list[JSON] = []
    revisions: list[JSON] = []
    policies: JSON = {}
    taken: set[str] = set()
    for _ in range(_pick(rng, (0, 1, 1, 2, 2, 3, 4))):
        region = _pick(rng, regions)
        service, own = _run_service(world, project, _service_name(rng, project, taken), region)
        services.append(service)
        revisions.extend(own)
        policy = _invoker_policy(world, project)
        if policy is not None:
            policies[service["name"]] = policy
    rng.shuffle(revisions)
    return services, revisions, policies


# --- Cloud Storage ---------------------------------------------------------------------------


def _bucket_name(world: _World, project: _Project) -> str:
    """A bucket name unused in the whole world (bucket names are global)."""
    rng = world.rng
    while True:
        purpose = _pick(rng, BUCKET_PURPOSES)
        name = (
            f"{project.project_id}-{purpose}"
            if _chance(rng, 0.75)
            else f"{world.company}-{purpose}-{_hex(rng, 6)}"
        )
        if name not in world.bucket_names:
            world.bucket_names.add(name)
            return name


def _bucket(world: _World, project: _Project, name: str, public: bool) -> JSON:
    """A bucket; uniform access usually on, public access prevention enforced or inherited
    (rarely enforced on a bucket whose policy is public: the grants no longer work)."""
    rng = world.rng
    created = _days_ago(rng, 30, 700)
    metageneration = rng.randint(1, 5)
    updated = created if metageneration == 1 else _days_ago(rng, 1, (REFERENCE_DATE - created).days)
    location = _pick(rng, BUCKET_LOCATIONS)
    uniform: JSON = {"enabled": _chance(rng, 0.75)}
    if uniform["enabled"]:
        uniform["lockedTime"] = _ms(created + timedelta(days=90))
    bucket: JSON = {
        "kind": "storage#bucket",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}",
        "id": name,
        "name": name,
        "projectNumber": project.number,
        "metageneration": str(metageneration),
        "location": location,
        "storageClass": _pick(rng, ("STANDARD", "STANDARD", "NEARLINE", "COLDLINE")),
        "etag": base64.b64encode(bytes([8, metageneration])).decode(),
        "timeCreated": _ms(created),
        "updated": _ms(updated),
    }
    if _chance(rng, 0.3):
        bucket["versioning"] = {"enabled": True}
    if _chance(rng, 0.5):
        bucket["labels"] = {"team": project.labels.get("team", "platform")}
    bucket["softDeletePolicy"] = {
        "retentionDurationSeconds": "604800",
        "effectiveTime": _ms(created),
    }
    bucket["iamConfiguration"] = {
        "bucketPolicyOnly": dict(uniform),
        "uniformBucketLevelAccess": uniform,
        "publicAccessPrevention": "enforced"
        if _chance(rng, 0.2 if public else 0.45)
        else "inherited",
    }
    bucket["locationType"] = "multi-region" if location in ("EU", "US") else "region"
    bucket["rpo"] = "DEFAULT"
    return bucket


def _bucket_policy(world: _World, project: _Project, name: str, public: bool) -> JSON:
    """The bucket's policy: the legacy project roles every bucket has, sometimes a workload's
    object role, and for a public bucket objectViewer to allUsers or allAuthenticatedUsers."""
    rng = world.rng
    p = project.project_id
    owners, viewers = [f"projectEditor:{p}", f"projectOwner:{p}"], [f"projectViewer:{p}"]
    bindings: list[JSON] = [
        {"role": "roles/storage.legacyBucketOwner", "members": owners},
        {"role": "roles/storage.legacyBucketReader", "members": viewers},
        {"role": "roles/storage.legacyObjectOwner", "members": list(owners)},
        {"role": "roles/storage.legacyObjectReader", "members": list(viewers)},
    ]
    if project.user_accounts() and _chance(rng, 0.6):
        role = _pick(
            rng,
            (
                "roles/storage.objectAdmin",
                "roles/storage.objectViewer",
                "roles/storage.objectCreator",
            ),
        )
        bindings.append(
            {"role": role, "members": [f"serviceAccount:{_pick(rng, project.user_accounts())}"]}
        )
    if public:
        bindings.append(
            {"role": "roles/storage.objectViewer", "members": [_pick(rng, PUBLIC_MEMBERS)]}
        )
    return {
        "kind": "storage#policy",
        "resourceId": f"projects/_/buckets/{name}",
        "version": 1,
        "etag": base64.b64encode(bytes([8, rng.randint(1, 9)])).decode(),
        "bindings": bindings,
    }


def _buckets(world: _World, project: _Project) -> tuple[list[JSON], JSON]:
    """0 to 4 buckets and their IAM policies; static sites and assets are often public, other
    buckets rarely."""
    rng = world.rng
    buckets: list[JSON] = []
    policies: JSON = {}
    for _ in range(_pick(rng, (0, 1, 1, 2, 3, 4))):
        name = _bucket_name(world, project)
        public = _chance(rng, 0.4 if "static" in name or "assets" in name else 0.08)
        buckets.append(_bucket(world, project, name, public))
        policies[name] = _bucket_policy(world, project, name, public)
    return buckets, policies


# --- Pub/Sub ---------------------------------------------------------------------------------


def _topic(rng: random.Random, project: _Project, name: str) -> JSON:
    topic: JSON = {"name": name}
    if _chance(rng, 0.4):
        topic["labels"] = {"team": project.labels.get("team", "platform")}
    if _chance(rng, 0.2):
        topic["messageRetentionDuration"] = "86400s"
    return topic


def _subscription(
    world: _World,
    project: _Project,
    name: str,
    topic: str,
    services: list[JSON],
    dead_letter: str | None,
) -> JSON:
    """A pull subscription, or a push one to a Cloud Run service of the project; with a
    dead-letter policy when `dead_letter` names a topic."""
    rng = world.rng
    subscription: JSON = {
        "name": f"projects/{project.project_id}/subscriptions/{name}",
        "topic": topic,
    }
    subscription["pushConfig"] = {}
    if services and _chance(rng, 0.4):
        uri = str(_pick(rng, services)["uri"])
        account = _pick(rng, project.user_accounts() or [project.compute_sa])
        subscription["pushConfig"] = {
            "pushEndpoint": f"{uri}/pubsub/{_short(topic)}",
            "oidcToken": {"serviceAccountEmail": account, "audience": uri},
        }
    subscription["ackDeadlineSeconds"] = _pick(rng, (10, 30, 60, 600))
    subscription["messageRetentionDuration"] = "604800s"
    subscription["expirationPolicy"] = {} if _chance(rng, 0.7) else {"ttl": "2678400s"}
    if dead_letter is not None:
        attempts = _pick(rng, (5, 10, 20))
        subscription["deadLetterPolicy"] = {
            "deadLetterTopic": dead_letter,
            "maxDeliveryAttempts": attempts,
        }
    if _chance(rng, 0.4):
        subscription["retryPolicy"] = {"minimumBackoff": "10s", "maximumBackoff": "600s"}
    subscription["state"] = "ACTIVE"
    return subscription


def _pubsub(
    world: _World, project: _Project, services: list[JSON]
) -> tuple[list[JSON], list[JSON]]:
    """0 to 3 topics with 0 to 2 subscriptions each. Some topics with subscriptions have a
    dead-letter topic (read by a subscription of its own) that most of them use."""
    rng = world.rng
    topics: list[JSON] = []
    subscriptions: list[JSON] = []
    for topic_id in rng.sample(TOPIC_NAMES, _pick(rng, (0, 1, 1, 2, 3))):
        topic = f"projects/{project.project_id}/topics/{topic_id}"
        topics.append(_topic(rng, project, topic))
        consumers = rng.sample(CONSUMERS, rng.randint(0, 2))
        dead_letter = None
        if consumers and _chance(rng, 0.55):
            dead_letter = f"{topic}-dead-letter"
            topics.append(_topic(rng, project, dead_letter))
            name = f"{topic_id}-dead-letter-sub"
            subscriptions.append(_subscription(world, project, name, dead_letter, [], None))
        for consumer in consumers:
            uses = dead_letter if _chance(rng, 0.8) else None
            name = f"{topic_id}-{consumer}"
            subscriptions.append(_subscription(world, project, name, topic, services, uses))
    return topics, subscriptions


def _pubsub_policies(
    world: _World, project: _Project, topics: list[JSON], subscriptions: list[JSON]
) -> JSON:
    """Publishers and subscribers: the Pub/Sub service agent where dead-lettering needs it,
    else sometimes a workload; a few topics and subscriptions are public."""
    rng = world.rng
    agent = f"serviceAccount:service-{project.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    workloads = [f"serviceAccount:{e}" for e in project.user_accounts() or [project.compute_sa]]
    dead_letters = {
        s["deadLetterPolicy"]["deadLetterTopic"] for s in subscriptions if "deadLetterPolicy" in s
    }
    policies: JSON = {}
    for role, items in (
        ("roles/pubsub.publisher", topics),
        ("roles/pubsub.subscriber", subscriptions),
    ):
        for item in items:
            needs_agent = item["name"] in dead_letters or "deadLetterPolicy" in item
            members = (
                {agent} if needs_agent else {_pick(rng, workloads)} if _chance(rng, 0.6) else set()
            )
            if _chance(rng, 0.07):
                members.add(_pick(rng, PUBLIC_MEMBERS))
            if members:
                policies[item["name"]] = _policy(rng, [{"role": role, "members": sorted(members)}])
    return policies


# --- billing ---------------------------------------------------------------------------------


def _billing_account_id(rng: random.Random) -> str:
    return "-".join("".join(rng.choice("0123456789ABCDEF") for _ in range(6)) for _ in range(3))


def _notifications(world: _World) -> JSON | None:
    """A budget's notificationsRule; None leaves the default IAM recipients notified."""
    rng = world.rng
    roll = rng.random()
    if roll < 0.35:
        return None
    if roll < 0.55:
        return {"disableDefaultIamRecipients": True}  # notifies nobody
    channels = [c["name"] for p in world.projects for c in p.channels]
    if channels and roll < 0.8:
        return {
            "monitoringNotificationChannels": [_pick(rng, channels)],
            "disableDefaultIamRecipients": _chance(rng, 0.5),
        }
    owner = _pick(rng, world.projects).project_id
    return {"pubsubTopic": f"projects/{owner}/topics/budget-alerts", "schemaVersion": "1.0"}


def _budget(world: _World, account: str, display: str, flt: JSON) -> JSON:
    rng = world.rng
    budget: JSON = {
        "name": f"billingAccounts/{account}/budgets/{_uuid(rng)}",
        "displayName": display,
        "budgetFilter": {
            **flt,
            "creditTypesTreatment": "INCLUDE_ALL_CREDITS",
            "calendarPeriod": _pick(rng, ("MONTH", "MONTH", "QUARTER")),
        },
    }
    if _chance(rng, 0.8):
        units = str(_pick(rng, (200, 500, 1500, 5000, 20000)))
        budget["amount"] = {"specifiedAmount": {"currencyCode": world.currency, "units": units}}
    else:
        budget["amount"] = {"lastPeriodAmount": {}}
    if _chance(rng, 0.8):
        percents = sorted(rng.sample((0.5, 0.75, 0.9, 1.0, 1.2), rng.randint(1, 3)))
        budget["thresholdRules"] = [
            {
                "thresholdPercent": p,
                "spendBasis": "FORECASTED_SPEND"
                if p >= 1.0 and _chance(rng, 0.5)
                else "CURRENT_SPEND",
            }
            for p in percents
        ]
    rule = _notifications(world)
    if rule is not None:
        budget["notificationsRule"] = rule
    budget["etag"] = _hex(rng, 16)
    budget["ownershipScope"] = "ALL_USERS"
    return budget


def _budgets(world: _World, account: str) -> list[JSON]:
    """Budgets naming some projects by number (and a project that is gone), some folders,
    the organization, or the whole account."""
    rng = world.rng
    budgets: list[JSON] = []
    for project in world.projects:
        if project.billing_account == account and _chance(rng, 0.45):
            flt = {"projects": [f"projects/{project.number}"]}
            budgets.append(_budget(world, account, f"{project.project_id} monthly", flt))
    if _chance(rng, 0.2):
        flt = {"projects": [f"projects/{_digits(rng, 12)}"]}  # a deleted project
        budgets.append(_budget(world, account, "old sandbox", flt))
    for role, folder in sorted(world.folder_for.items()):
        if _chance(rng, 0.2):
            budgets.append(
                _budget(world, account, f"{role} folder", {"resourceAncestors": [folder]})
            )
    if _chance(rng, 0.1):
        flt = {"resourceAncestors": [world.org]}
        budgets.append(_budget(world, account, "whole organization", flt))
    if _chance(rng, 0.15):
        budgets.append(_budget(world, account, "everything", {}))
    rng.shuffle(budgets)
    return budgets


def _billing_accounts(world: _World) -> JSON:
    accounts: JSON = {}
    for i, account in enumerate(world.billing_accounts):
        accounts[account] = {
            "cloudbilling.billingAccount": {
                "name": f"billingAccounts/{account}",
                "open": True,
                "displayName": f"{world.company.title()} {'main' if i == 0 else 'secondary'} billing account",
                "masterBillingAccount": "",
                "parent": world.org,
                "currencyCode": world.currency,
            },
            "billingbudgets.budgets": _budgets(world, account),
        }
    return accounts


# --- the world -------------------------------------------------------------------------------


def _environments(rng: random.Random) -> list[str | None]:
    """2 to 4 environments, usually with a prod project first."""
    count = rng.randint(2, 4)
    pool: tuple[str | None, ...] = ("prod", "staging", "dev", "dev", None)
    envs = [_pick(rng, pool) for _ in range(count)]
    if _chance(rng, 0.75):
        envs[0] = "prod"
    return envs


def _new_world(rng: random.Random) -> _World:
    company = _pick(rng, COMPANIES)
    organization = _organization(rng, company)
    folders, folder_for = _folders(rng, organization["name"])
    accounts = [_billing_account_id(rng) for _ in range(_pick(rng, (1, 1, 2)))]
    world = _World(
        rng=rng,
        company=company,
        domain=f"{company}.example",
        organization=organization,
        folders=folders,
        folder_for=folder_for,
        billing_accounts=accounts,
        currency=_pick(rng, ("EUR", "USD")),
        outsider=f"{company}-tools-{_pick(rng, ('dev', 'ci', 'shared'))}",
    )
    taken, numbers = {world.outsider}, set[str]()
    for env in _environments(rng):
        world.projects.append(_plan_project(world, env, taken, numbers))
    return world


def _project_body(
    world: _World, project: _Project, services: list[JSON], revisions: list[JSON], invokers: JSON
) -> JSON:
    """Everything the world holds about one project, under its collection keys."""
    body: JSON = {"project": _project_json(world, project)}
    if project.disabled:
        body["disabledServices"] = list(project.disabled)
    body["cloudresourcemanager.iamPolicy"] = _iam_policy(world, project)
    body["cloudbilling.billingInfo"] = _billing_info(project)
    body["iam.serviceAccounts"] = project.accounts
    body["iam.serviceAccountKeys"] = _service_account_keys(world, project)
    body["run.services"] = services
    body["run.revisions"] = revisions
    body["run.serviceIamPolicies"] = invokers
    body["sqladmin.instances"] = project.instances
    body["monitoring.alertPolicies"] = _alert_policies(world, project)
    body["monitoring.notificationChannels"] = project.channels
    body["secretmanager.secrets"] = project.secrets
    body["secretmanager.versions"] = project.versions
    body["secretmanager.iamPolicies"] = _secret_policies(world, project)
    body["storage.buckets"], body["storage.iamPolicies"] = _buckets(world, project)
    topics, subscriptions = _pubsub(world, project, services)
    body["pubsub.topics"] = topics
    body["pubsub.subscriptions"] = subscriptions
    body["pubsub.iamPolicies"] = _pubsub_policies(world, project, topics, subscriptions)
    body["artifactregistry.repositories"] = project.repositories
    body["artifactregistry.dockerImages"] = {
        name: sorted(images, key=lambda i: str(i["name"]))
        for name, images in project.images.items()
    }
    body["artifactregistry.iamPolicies"] = _repository_policies(world, project)
    return body


def generate_world(seed: int) -> dict[str, Any]:
    """A random, realistic world in `gcplint-world/v1` format; the same seed gives the same world."""
    world = _new_world(random.Random(seed))
    return {
        "schema": SCHEMA,
        "organizations": [world.organization],
        "folders": world.folders,
        "projects": _generate_projects(world),
        "billingAccounts": _billing_accounts(world),
    }


def _generate_projects(world: _World) -> dict[str, JSON]:
    """The bodies of the world's planned projects, by project ID."""
    for project in world.projects:  # what other projects refer to, first
        project.accounts = _service_accounts(world, project)
        project.instances = _sql_instances(world, project)
        project.channels = _channels(world, project)
        project.secrets, project.versions = _secrets(world, project)
        project.repositories, project.images = _repositories(world, project)
    # services read secrets of, and push images to, any project of the world
    runs = [_run(world, project) for project in world.projects]
    return {
        project.project_id: _project_body(world, project, *run)
        for project, run in zip(world.projects, runs, strict=True)
    }


ORG_FOLDERS = {"prod": "production", "staging": "staging", "dev": "development"}


def generate_org(projects: int, seed: int) -> dict[str, Any]:
    """A world of exactly `projects` projects under one organization; the same arguments give
    the same world.

    The organization has a folder per environment with a subfolder per team. Projects come in
    small applications (a team's prod, staging and dev projects, as `generate_world` makes them,
    referring to each other) placed in their environment's team folder; projects of no
    environment sit directly under the organization. Budgets of one to three billing accounts
    cover projects, folders and the organization. A few projects (1 in 50, at least one of two
    or more) are DELETE_REQUESTED.
    """
    if projects < 0:
        raise ValueError("projects must be >= 0")
    rng = random.Random(seed)
    org = _new_org(rng, projects)
    teams = sorted(rng.sample(TEAMS, min(len(TEAMS), max(1, projects // 10))))
    folders = {env: _folder(rng, org.org, display) for env, display in ORG_FOLDERS.items()}
    team_folders = {
        (env, team): _folder(rng, folders[env]["name"], f"team-{team}")
        for env in ORG_FOLDERS
        for team in teams
    }
    org.folders = [*folders.values(), *team_folders.values()]
    org.folder_for = {env: f["name"] for env, f in folders.items()}
    org.folder_for.update({f"{env}/{team}": f["name"] for (env, team), f in team_folders.items()})
    taken, numbers = {org.outsider}, set[str]()
    bodies: dict[str, JSON] = {}
    while len(org.projects) < projects:
        team = _pick(rng, teams)
        cell = replace(org, folder_for={}, projects=[])  # cross-references stay in the cell
        for env in _environments(rng)[: projects - len(org.projects)]:
            project = _plan_project(cell, env, taken, numbers)
            project.labels["team"] = team
            if env is not None:
                direct = _chance(rng, 0.1)
                project.parent = org.folder_for[env if direct else f"{env}/{team}"]
            cell.projects.append(project)
        bodies.update(_generate_projects(cell))
        org.projects.extend(cell.projects)
    for project_id in rng.sample(sorted(bodies), max(1, projects // 50) if projects > 1 else 0):
        described = bodies[project_id]["project"]
        described["state"] = "DELETE_REQUESTED"
        described["deleteTime"] = _ms(_days_ago(rng, 1, 25))
    return {
        "schema": SCHEMA,
        "organizations": [org.organization],
        "folders": org.folders,
        "projects": bodies,
        "billingAccounts": _billing_accounts(org),
    }


def _new_org(rng: random.Random, projects: int) -> _World:
    """An organization without folders or projects, paid by 1 to 3 billing accounts."""
    company = _pick(rng, COMPANIES)
    organization = _organization(rng, company)
    accounts = [_billing_account_id(rng) for _ in range(min(3, 1 + projects // 300))]
    return _World(
        rng=rng,
        company=company,
        domain=f"{company}.example",
        organization=organization,
        folders=[],
        folder_for={},
        billing_accounts=accounts,
        currency=_pick(rng, ("EUR", "USD")),
        outsider=f"{company}-tools-{_pick(rng, ('dev', 'ci', 'shared'))}",
    )


def project_ids(world: dict[str, Any]) -> list[str]:
    """The IDs of a world's projects, in the world's order."""
    return list(world.get("projects", {}))
