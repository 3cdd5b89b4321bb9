"""IAM: a project's service accounts and their keys, its custom roles, and the project's IAM
policy (its grants, the service agents', other projects' accounts, custom roles, conditional
bindings live and expired, Data Access audit logs)."""

from __future__ import annotations

import random
from datetime import timedelta

from .draws import REFERENCE_DATE, chance, days_ago, digits, hex_digits, iam_etag, pick, ts
from .plan import JSON, PUBLIC_MEMBERS, ProjectPlan, WorldPlan, binding, policy

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
# custom roles a project may define: (id, title, permissions); some can administer or
# impersonate service accounts whatever their names say, some cannot
CUSTOM_ROLES = (
    (
        "releaser",
        "Releaser",
        ("run.services.get", "run.services.update", "iam.serviceAccounts.actAs"),
    ),
    (
        "keyRotator",
        "Key rotator",
        (
            "iam.serviceAccountKeys.create",
            "iam.serviceAccountKeys.delete",
            "iam.serviceAccountKeys.list",
        ),
    ),
    ("auditReader", "Audit reader", ("logging.logEntries.list", "logging.privateLogEntries.list")),
    (
        "tokenBroker",
        "Token broker",
        ("iam.serviceAccounts.get", "iam.serviceAccounts.getAccessToken"),
    ),
    ("siteAdmin", "Site admin (read only)", ("run.services.get", "run.services.list")),
)
# break-glass conditions: one still live at the reference date, one long expired
BREAK_GLASS_UNTIL = ("2027-01-01", "2026-06-30")
KEY_AGES_DAYS = (2, 17, 45, 80, 89, 91, 130, 400, 690)
# services named in Data Access audit configs (Cloud SQL's audit logs are under cloudsql, which
# is no API label: the API is sqladmin)
AUDITED_SERVICES = (
    "storage.googleapis.com",
    "secretmanager.googleapis.com",
    "cloudsql.googleapis.com",
)


# --- service accounts and keys ---------------------------------------------------------------


def _service_account(rng: random.Random, project: ProjectPlan, email: str, display: str) -> JSON:
    """The `ServiceAccount` of `email`, sometimes described, rarely disabled."""
    unique = "1" + digits(rng, 20)
    account: JSON = {
        "name": f"projects/{project.project_id}/serviceAccounts/{email}",
        "projectId": project.project_id,
        "uniqueId": unique,
        "email": email,
        "displayName": display,
        "etag": "MDEwMjE5MjA=",
        "oauth2ClientId": unique,
    }
    if chance(rng, 0.4):
        account["description"] = (
            f"Managed by {pick(rng, ('terraform', 'the platform team', 'hand'))}"
        )
    if chance(rng, 0.1):
        account["disabled"] = True
    return account


def service_accounts(world: WorldPlan, project: ProjectPlan) -> list[JSON]:
    """0 to 6 accounts: user-managed ones, sometimes the Compute Engine default account."""
    rng = world.rng
    count = rng.randint(0, 6)
    accounts: list[JSON] = []
    if count and chance(rng, 0.5):
        default = _service_account(
            rng, project, project.compute_sa, "Compute Engine default service account"
        )
        default.pop("description", None)
        accounts.append(default)
    for name in rng.sample(SA_NAMES, count - len(accounts)):
        email = f"{name}@{project.project_id}.iam.gserviceaccount.com"
        accounts.append(_service_account(rng, project, email, name.replace("-", " ")))
    return accounts


def _key(rng: random.Random, project: ProjectPlan, email: str, user_managed: bool) -> JSON:
    """A key of `email`: Google-managed and young, or user-managed, of any age, a few disabled."""
    name = f"projects/{project.project_id}/serviceAccounts/{email}/keys/{hex_digits(rng, 40)}"
    if user_managed:
        created = REFERENCE_DATE - timedelta(
            days=pick(rng, KEY_AGES_DAYS), hours=rng.randint(1, 20), minutes=rng.randint(0, 59)
        )
        expires = "9999-12-31T23:59:59Z"
        if chance(rng, 0.15):  # an org policy limits key lifetime
            expires = ts(created + timedelta(days=365), micros=False)
    else:
        created = days_ago(rng, 1, 14)
        expires = ts(created + timedelta(days=rng.randint(730, 750)), micros=False)
    key: JSON = {
        "name": name,
        "validAfterTime": ts(created, micros=False),
        "validBeforeTime": expires,
        "keyAlgorithm": "KEY_ALG_RSA_2048",
        "keyOrigin": "USER_PROVIDED" if user_managed and chance(rng, 0.1) else "GOOGLE_PROVIDED",
        "keyType": "USER_MANAGED" if user_managed else "SYSTEM_MANAGED",
    }
    if user_managed and chance(rng, 0.2):
        key["disabled"] = True
    return key


def service_account_keys(world: WorldPlan, project: ProjectPlan) -> JSON:
    """Per account: Google-managed keys, and for some accounts user-managed ones (never
    their private key material)."""
    rng = world.rng
    keys: JSON = {}
    for account in project.accounts:
        email = account["email"]
        found = [_key(rng, project, email, False) for _ in range(rng.randint(0, 2))]
        if email != project.compute_sa and chance(rng, 0.35):
            found += [_key(rng, project, email, True) for _ in range(rng.randint(1, 2))]
        if found:
            rng.shuffle(found)
            keys[email] = found
    return keys


# --- the project's IAM policy ----------------------------------------------------------------


def foreign_account(world: WorldPlan, project: ProjectPlan) -> str:
    """A service account owned by another project: a user-managed one of a project of the
    world, its default or Cloud Build account, or one of a project outside the world."""
    rng = world.rng
    others = world.others(project)
    roll = rng.random()
    if others and roll < 0.6:
        other = pick(rng, others)
        emails = other.user_accounts()
        if emails:
            return pick(rng, emails)
        return other.compute_sa
    if others and roll < 0.75:
        return f"{pick(rng, others).number}@cloudbuild.gserviceaccount.com"
    return f"{pick(rng, ('ci', 'deployer', 'github'))}@{world.outsider}.iam.gserviceaccount.com"


def _service_agents(project: ProjectPlan) -> dict[str, str]:
    """The accounts Google creates in a project, with the roles Google grants them: service
    agents, and the legacy Cloud Build account (a default account, judged like the project's own:
    docs/identities.md)."""
    n = project.number
    return {
        f"serviceAccount:{n}@cloudservices.gserviceaccount.com": "roles/editor",
        f"serviceAccount:service-{n}@serverless-robot-prod.iam.gserviceaccount.com": "roles/run.serviceAgent",
        f"serviceAccount:{n}@cloudbuild.gserviceaccount.com": "roles/cloudbuild.builds.builder",
        f"serviceAccount:service-{n}@gcp-sa-pubsub.iam.gserviceaccount.com": "roles/pubsub.serviceAgent",
    }


def _person_or_account(rng: random.Random, project: ProjectPlan, *people: str) -> str:
    """One of `people` (IAM members) or of the project's user-managed service accounts."""
    return pick(rng, (*people, *(f"serviceAccount:{e}" for e in project.user_accounts())))


def _own_rng(project: ProjectPlan, what: str) -> random.Random:
    """The project's own draws for `what` (custom roles, who holds them, break-glass expiries),
    seeded by its ID rather than drawn from the world's `Random`: they came after the rest, and
    leave every other draw of a seed's world as it was."""
    return random.Random(f"{what}/{project.project_id}")


def custom_roles(world: WorldPlan, project: ProjectPlan) -> list[JSON]:
    """The project's custom roles (`iam.roles`, as `view=FULL` lists them): often none, else
    one to three, rarely disabled."""
    rng = _own_rng(project, "custom roles")
    if not chance(rng, 0.35):
        return []
    return [
        {
            "name": f"projects/{project.project_id}/roles/{role_id}",
            "title": title,
            "description": "Managed by Terraform",
            "includedPermissions": list(permissions),
            "stage": "DISABLED" if chance(rng, 0.1) else "GA",
            "etag": iam_etag(rng),
        }
        for role_id, title, permissions in rng.sample(CUSTOM_ROLES, rng.randint(1, 3))
    ]


def iam_policy(world: WorldPlan, project: ProjectPlan, roles: list[JSON]) -> JSON:
    """The project's IAM policy: owners, viewers, service agents, its accounts' roles (some
    too broad), its custom `roles`, impersonation, rarely public grants, other projects'
    accounts, deleted members, a workload identity pool, sometimes a conditional break-glass
    binding (live or expired); and audit configs."""
    rng = world.rng
    grants: dict[str, set[str]] = {}

    def grant(role: str, member: str) -> None:
        """Bind `member` to `role`."""
        grants.setdefault(role, set()).add(member)

    grant("roles/owner", f"user:{pick(rng, ('cto', 'admin', 'founder'))}@{world.domain}")
    for member, role in _service_agents(project).items():
        if chance(rng, 0.7):
            grant(role, member)
    if chance(rng, 0.45):
        grant("roles/editor", f"serviceAccount:{project.compute_sa}")
    grant("roles/viewer", f"group:developers@{world.domain}")
    for email in project.user_accounts():
        member = f"serviceAccount:{email}"
        for role in rng.sample(NARROW_ROLES, rng.randint(1, 3)):
            grant(role, member)
        roll = rng.random()
        if roll < 0.12:
            grant(pick(rng, ("roles/owner", "roles/editor")), member)
        elif roll < 0.25:
            grant(pick(rng, ADMIN_ROLES), member)
    if chance(rng, 0.35):
        developer = f"user:dev-{rng.randint(1, 9)}@{world.domain}"
        who = _person_or_account(rng, project, f"group:developers@{world.domain}", developer)
        grant(pick(rng, IMPERSONATION_ROLES), who)
    if chance(rng, 0.1):
        grant(pick(rng, ("roles/viewer", "roles/storage.objectViewer")), pick(rng, PUBLIC_MEMBERS))
    for _ in range(pick(rng, (0, 0, 1, 1, 2))):
        grant(
            pick(rng, (*NARROW_ROLES, "roles/run.developer")),
            f"serviceAccount:{foreign_account(world, project)}",
        )
    if chance(rng, 0.15):
        grant(
            pick(rng, NARROW_ROLES),
            f"deleted:serviceAccount:old-job@{project.project_id}.iam.gserviceaccount.com?uid={digits(rng, 21)}",
        )
    holders = _own_rng(project, "custom role holders")
    for custom in roles:
        grant(
            str(custom["name"]),
            _person_or_account(holders, project, f"group:developers@{world.domain}"),
        )
    if chance(rng, 0.15):
        pool = f"principalSet://iam.googleapis.com/projects/{project.number}/locations/global/workloadIdentityPools/github/attribute.repository/{world.company}/infra"
        grant("roles/run.developer", pool)
    bindings = [binding(role, members) for role, members in sorted(grants.items())]
    found = policy(rng, bindings)
    if chance(rng, 0.2):
        who = _person_or_account(rng, project, f"group:sre@{world.domain}")
        until = pick(_own_rng(project, "break-glass"), BREAK_GLASS_UNTIL)
        bindings.append(
            {
                "role": pick(rng, ADMIN_ROLES),
                "members": [who],
                "condition": {
                    "title": f"Break-glass until {until}",
                    "expression": f'request.time < timestamp("{until}T00:00:00Z")',
                },
            }
        )
        found["version"] = 3
    audit = _audit_configs(world)
    if audit:
        found["auditConfigs"] = audit
    return found


def _audit_configs(world: WorldPlan) -> list[JSON]:
    """Data Access audit logs: none, DATA_READ and DATA_WRITE for allServices (sometimes with
    an exempted member), only some services, or only DATA_READ."""
    rng = world.rng
    roll = rng.random()
    if roll < 0.35:
        return []
    if roll < 0.65:
        logs: list[JSON] = [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}]
        if chance(rng, 0.5):
            logs.insert(0, {"logType": "ADMIN_READ"})
        if chance(rng, 0.25):
            logs[-2]["exemptedMembers"] = [
                f"serviceAccount:etl@{world.outsider}.iam.gserviceaccount.com"
            ]
        return [{"service": "allServices", "auditLogConfigs": logs}]
    if roll < 0.85:
        chosen = rng.sample(AUDITED_SERVICES, rng.randint(1, 2))
        both = [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}]
        return [{"service": s, "auditLogConfigs": [dict(log) for log in both]} for s in chosen]
    return [{"service": "allServices", "auditLogConfigs": [{"logType": "DATA_READ"}]}]
