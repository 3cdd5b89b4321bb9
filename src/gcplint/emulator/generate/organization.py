"""Resource Manager: the organization, its folders, and the projects planned in them (IDs,
numbers, labels, parents, billing accounts, disabled APIs) with their `Project` objects."""

from __future__ import annotations

import random
from datetime import timedelta

from ...collect import apis
from .draws import chance, days_ago, digits, hex_digits, iam_etag, letters, ms, pick
from .plan import ID_TOKENS, JSON, TEAMS, ProjectPlan, WorldPlan

# words that name an environment in labels (gcplint.environment.WORDS)
LABEL_WORDS = {
    "prod": ("prod", "prod", "production", "prd", "live"),
    "staging": ("staging", "staging", "stage", "stg", "uat", "preprod"),
    "dev": ("dev", "dev", "development", "test", "qa", "sandbox"),
}
APPS = ("shop", "payments", "data", "web", "core", "platform", "mobile", "search", "ml")
DISABLED_APIS = (apis.SQL_ADMIN, apis.SQL_ADMIN, apis.RUN, apis.MONITORING)
# ^ the API a project sometimes has disabled


def organization(rng: random.Random, company: str) -> JSON:
    """The `Organization` of `company`."""
    created = days_ago(rng, 600, 900)
    return {
        "name": f"organizations/{digits(rng, 12)}",
        "displayName": f"{company}.example",
        "directoryCustomerId": f"C0{letters(rng, 7)}",
        "state": "ACTIVE",
        "createTime": ms(created),
        "updateTime": ms(created + timedelta(days=rng.randint(1, 200))),
        "etag": iam_etag(rng),
    }


def folder(rng: random.Random, parent: str, display: str) -> JSON:
    """A `Folder` under `parent` (an organization or a folder)."""
    created = days_ago(rng, 500, 600)
    return {
        "name": f"folders/{digits(rng, 12)}",
        "parent": parent,
        "displayName": display,
        "state": "ACTIVE",
        "createTime": ms(created),
        "updateTime": ms(created),
        "etag": iam_etag(rng),
    }


def folders(rng: random.Random, org: str) -> tuple[list[JSON], dict[str, str]]:
    """None (projects right under the organization), or production / non-production folders,
    sometimes with a team folder nested under production."""
    if chance(rng, 0.25):
        return [], {}
    prod = folder(rng, org, "production")
    nonprod = folder(rng, org, "non-production")
    found = [prod, nonprod]
    roles = {"prod": prod["name"], "nonprod": nonprod["name"]}
    if chance(rng, 0.4):
        team = folder(rng, prod["name"], f"team-{pick(rng, TEAMS)}")
        found.append(team)
        roles["team"] = team["name"]
    return found, roles


def environments(rng: random.Random) -> list[str | None]:
    """2 to 4 environments, usually with a prod project first."""
    count = rng.randint(2, 4)
    pool: tuple[str | None, ...] = ("prod", "staging", "dev", "dev", None)
    envs = [pick(rng, pool) for _ in range(count)]
    if chance(rng, 0.75):
        envs[0] = "prod"
    return envs


def _project_id(
    rng: random.Random, company: str, env: str | None, in_id: bool, taken: set[str]
) -> str:
    """A valid, unused project ID (6-30 characters), with an environment token when `in_id`."""
    while True:
        app = pick(rng, APPS)
        suffix = digits(rng, 4)
        if in_id and env is not None:
            token = pick(rng, ID_TOKENS[env])
            shape = rng.randrange(3)
            parts = [company, token, suffix] if shape == 0 else [company, app, token]
            if shape == 2:
                parts.append(suffix)
        else:
            parts = [company, app, suffix] if chance(rng, 0.7) else [company, app]
        candidate = "-".join(parts)
        if 6 <= len(candidate) <= 30 and candidate not in taken:
            taken.add(candidate)
            return candidate


def _project_labels(rng: random.Random, env: str | None, labelled: bool) -> dict[str, str]:
    """The team, sometimes the environment (or a label naming none), sometimes a cost center."""
    labels = {"team": pick(rng, TEAMS)}
    if labelled and env is not None:
        key = "environment" if chance(rng, 0.2) else "env"
        labels[key] = pick(rng, LABEL_WORDS[env])
    elif labelled:
        labels["env"] = pick(rng, ("shared", "tools", "misc"))  # names no environment
    if chance(rng, 0.3):
        labels["cost-center"] = f"cc-{digits(rng, 4)}"
    return labels


def plan_project(
    world: WorldPlan, env: str | None, taken: set[str], numbers: set[str]
) -> ProjectPlan:
    """A new project of environment `env` (None: of no environment anyone can tell), with an ID
    not in `taken` and a number not in `numbers` (both then added)."""
    rng = world.rng
    if env is None:
        labelled, in_id = chance(rng, 0.3), False  # a label naming no environment, or none
    else:
        labelled = chance(rng, 0.55)
        in_id = not labelled or chance(rng, 0.5)  # unlabelled: inferable from the ID
    project_id = _project_id(rng, world.company, env, in_id, taken)
    number = digits(rng, 12)
    while number in numbers:
        number = digits(rng, 12)
    numbers.add(number)
    if env == "prod":
        parent = world.folder_for.get(pick(rng, ("prod", "prod", "team")), "")
        parent = parent or world.folder_for.get("prod", world.org)
    elif env is not None:
        parent = world.folder_for.get("nonprod", world.org)
    else:
        parent = pick(rng, [world.org, *world.folder_for.values()])
    billing = None if chance(rng, 0.12) else pick(rng, world.billing_accounts)
    disabled: list[str] = []
    if chance(rng, 0.2):
        disabled = [pick(rng, DISABLED_APIS).service]
    return ProjectPlan(
        project_id=project_id,
        number=number,
        env=env,
        parent=parent,
        billing_account=billing,
        disabled=disabled,
        labels=_project_labels(rng, env, labelled),
    )


def project_json(world: WorldPlan, project: ProjectPlan) -> JSON:
    """The project's `Project` object."""
    rng = world.rng
    created = days_ago(rng, 300, 700)
    body: JSON = {
        "name": f"projects/{project.number}",
        "parent": project.parent,
        "projectId": project.project_id,
        "state": "ACTIVE",
        "displayName": project.project_id.replace("-", " ").title()[:30],
        "createTime": ms(created),
        "updateTime": ms(created + timedelta(days=rng.randint(0, 250))),
        "etag": f'W/"{hex_digits(rng, 16)}"',
    }
    if project.labels:
        body["labels"] = dict(sorted(project.labels.items()))
    return body
