"""Random but realistic worlds (`gcplint-world/v1`), deterministic per seed.

`generate_world(seed)` builds an organization, its folders, 2 to 4 projects and the billing
accounts paying for them, with every collection the built-in checks read. Every object is REST
JSON of the real APIs (camelCase, enum names, int64 as strings, RFC 3339 times), so a world
passes `tests/worldschema.validate_world`.

The worlds are meant to exercise the checks, so across seeds they mix passing and failing
configurations: labelled, inferable and unknown environments; projects granting roles to, running
as, and reading secrets and databases of each other's service accounts (and of a project outside
the world); keys younger and older than 90 days; Cloud Run services with healthy, failed, pinned
and split rollouts; public and private Cloud SQL instances with and without backups, PITR, HA,
SSL enforcement and deletion protection, and read replicas; budgets by project number, folder,
organization or the whole account, with and without alerts; alert policies enabled or not, with
or without channels.

They contain no faults and nothing a check must report as unknown: every referenced billing
account and folder exists, every authorized network is a valid CIDR, and no Cloud Run service is
reconciling. Ages are relative to REFERENCE_DATE (2026-11-27), the scan time tests use.
"""

from __future__ import annotations

import base64
import random
import uuid
from dataclasses import dataclass, field
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

    @property
    def compute_sa(self) -> str:
        """The Compute Engine default service account (Cloud Run's default identity)."""
        return f"{self.number}-compute@developer.gserviceaccount.com"

    def user_accounts(self) -> list[str]:
        """Emails of the service accounts the project's users created."""
        return [
            a["email"] for a in self.accounts if a["email"].endswith(".iam.gserviceaccount.com")
        ]

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

    @property
    def org(self) -> str:
        """The organization's name, organizations/NUMBER."""
        return str(self.organization["name"])

    def others(self, project: _Project) -> list[_Project]:
        """Every other project of the world."""
        return [p for p in self.projects if p is not project]


# --- organization, folders, projects ---------------------------------------------------------


def _organization(rng: random.Random, company: str) -> JSON:
    created = _days_ago(rng, 600, 900)
    return {
        "name": f"organizations/{_digits(rng, 12)}",
        "displayName": f"{company}.example",
        "directoryCustomerId": f"C0{_letters(rng, 7)}",
        "state": "ACTIVE",
        "createTime": _ts(created)[:-4] + "Z",
        "updateTime": _ts(created + timedelta(days=rng.randint(1, 200)))[:-4] + "Z",
        "etag": _etag(rng),
    }


def _folder(rng: random.Random, parent: str, display: str) -> JSON:
    created = _days_ago(rng, 500, 600)
    return {
        "name": f"folders/{_digits(rng, 12)}",
        "parent": parent,
        "displayName": display,
        "state": "ACTIVE",
        "createTime": _ts(created)[:-4] + "Z",
        "updateTime": _ts(created)[:-4] + "Z",
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
        "createTime": _ts(created)[:-4] + "Z",
        "updateTime": _ts(created + timedelta(days=rng.randint(0, 250)))[:-4] + "Z",
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
        "createTime": _ts(_days_ago(rng, 60, 600))[:-4] + "Z",
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
    return policy


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


def _secret_ref(world: _World, project: _Project) -> str:
    """A secret: a short name (same project) or projects/P/secrets/S of any project."""
    rng = world.rng
    secret = _pick(rng, ("db-password", "stripe-key", "jwt-signing-key", "sendgrid-token"))
    roll = rng.random()
    others = world.others(project)
    if roll < 0.55:
        return secret
    if roll < 0.65:
        return f"projects/{project.project_id}/secrets/{secret}"
    if others and roll < 0.92:
        other = _pick(rng, others)
        return f"projects/{_pick(rng, (other.project_id, other.number))}/secrets/{secret}"
    return f"projects/{world.outsider}/secrets/{secret}"


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
    rng = world.rng
    env: list[JSON] = [{"name": "LOG_LEVEL", "value": _pick(rng, ("info", "debug", "warning"))}]
    for i in range(_pick(rng, (0, 1, 1, 2))):
        ref = _secret_ref(world, project)
        env.append(
            {
                "name": "DB_PASSWORD" if i == 0 else "API_KEY",
                "valueSource": {
                    "secretKeyRef": {
                        "secret": ref,
                        "version": _pick(rng, ("latest", str(rng.randint(1, 9)))),
                    }
                },
            }
        )
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
    template: JSON = {
        "scaling": {"maxInstanceCount": _pick(rng, (3, 10, 20, 100))},
        "timeout": "300s",
    }
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
) -> JSON:
    rng = world.rng
    template = service["template"]
    name = rollout.names[index]
    short = service["name"].rpartition("/")[2]
    full = f"{service['name']}/revisions/{name}"
    created = rollout.created[index]
    settled = _ts(created + timedelta(seconds=rng.randint(20, 90)))
    image = f"{service['name'].split('/')[3]}-docker.pkg.dev/{project.project_id}/app/{short}@sha256:{_hex(rng, 64)}"
    containers = [dict(template["containers"][0], image=image)]
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
        revision["containerStatuses"] = [{"name": short, "imageDigest": image}]
        revision["conditions"] = [
            {"type": kind, "state": "CONDITION_SUCCEEDED", "lastTransitionTime": settled}
            for kind in ("Ready", "ContainerHealthy", "ResourcesAvailable")
        ]
    else:
        field_name, value, message = failure
        condition = {
            "type": "Ready",
            "state": "CONDITION_FAILED",
            "message": message.format(image=image),
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
    failure = _pick(rng, FAILURES)
    revisions = [
        _revision(world, project, service, rollout, i, failure) for i in range(len(rollout.names))
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
        if _chance(rng, 0.4):
            invoker = _pick(
                rng,
                (
                    "allUsers",
                    f"serviceAccount:{_pick(rng, project.user_accounts() or [project.compute_sa])}",
                ),
            )
            policies[service["name"]] = {
                "version": 1,
                "etag": _etag(rng),
                "bindings": [{"role": "roles/run.invoker", "members": [invoker]}],
            }
    rng.shuffle(revisions)
    return services, revisions, policies


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


def generate_world(seed: int) -> dict[str, Any]:
    """A random, realistic world in `gcplint-world/v1` format; the same seed gives the same world."""
    world = _new_world(random.Random(seed))
    for project in world.projects:  # what other projects refer to, first
        project.accounts = _service_accounts(world, project)
        project.instances = _sql_instances(world, project)
        project.channels = _channels(world, project)
    bodies: dict[str, JSON] = {}
    for project in world.projects:
        services, revisions, service_policies = _run(world, project)
        body: JSON = {"project": _project_json(world, project)}
        if project.disabled:
            body["disabledServices"] = list(project.disabled)
        body["cloudresourcemanager.iamPolicy"] = _iam_policy(world, project)
        body["cloudbilling.billingInfo"] = _billing_info(project)
        body["iam.serviceAccounts"] = project.accounts
        body["iam.serviceAccountKeys"] = _service_account_keys(world, project)
        body["run.services"] = services
        body["run.revisions"] = revisions
        if service_policies:
            body["run.serviceIamPolicies"] = service_policies
        body["sqladmin.instances"] = project.instances
        body["monitoring.alertPolicies"] = _alert_policies(world, project)
        body["monitoring.notificationChannels"] = project.channels
        bodies[project.project_id] = body
    return {
        "schema": SCHEMA,
        "organizations": [world.organization],
        "folders": world.folders,
        "projects": bodies,
        "billingAccounts": _billing_accounts(world),
    }


def project_ids(world: dict[str, Any]) -> list[str]:
    """The IDs of a world's projects, in the world's order."""
    return list(world.get("projects", {}))
