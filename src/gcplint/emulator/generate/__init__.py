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
channels; channels disabled or unverified; projects watched from another project's metrics scope.

They contain no faults and nothing a check must report as unknown: every referenced billing
account, folder, secret project and image project exists in the world (only service accounts
and IAM members name the outside project), every authorized network is a valid CIDR, and no
Cloud Run service is reconciling. Ages are relative to `draws.REFERENCE_DATE` (2026-11-27),
the scan time tests use.

This module plans the world and puts each project's body together; one module per area makes
the objects: `organization`, `iam`, `cloudsql`, `monitoring`, `secretmanager`,
`artifactregistry`, `run_env`, `run_revisions`, `run_services`, `storage`, `pubsub`, `billing`,
from the random draws of `draws` and the planning types of `plan`. Every draw comes from one
`random.Random` in a fixed order, so the order in which the generators run is part of the output
(`run_jobs` draws from its own generator, seeded by the project).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from ...collect import registry
from ...world import SCHEMA
from .artifactregistry import repositories, repository_policies
from .billing import billing_account_id, billing_accounts, billing_info
from .cloudsql import sql_instances
from .draws import chance, days_ago, ms, pick
from .iam import custom_roles, iam_policy, service_account_keys, service_accounts
from .monitoring import alert_policies, metrics_scopes, notification_channels
from .organization import environments, folder, folders, organization, plan_project, project_json
from .plan import JSON, TEAMS, ProjectPlan, WorldPlan
from .pubsub import pubsub_policies, topics_and_subscriptions
from .run_jobs import run_jobs
from .run_services import run_services
from .secretmanager import secret_policies, secrets
from .storage import buckets, org_policies

COMPANIES = ("acme", "shop", "ledger", "orbit", "nimbus", "kite", "harbor", "fjord", "quill")
ORG_FOLDERS = {"prod": "production", "staging": "staging", "dev": "development"}


def generate_world(seed: int) -> dict[str, Any]:
    """A random, realistic world in `gcplint-world/v1` format; the same seed gives the same world."""
    rng = random.Random(seed)
    world = _plan_world(rng, with_folders=True, accounts=lambda: pick(rng, (1, 1, 2)))
    taken, numbers = {world.outsider}, set[str]()
    for env in environments(rng):
        world.projects.append(plan_project(world, env, taken, numbers))
    return _document(world, _generate_projects(world))


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
    org = _plan_world(rng, with_folders=False, accounts=lambda: min(3, 1 + projects // 300))
    teams = sorted(rng.sample(TEAMS, min(len(TEAMS), max(1, projects // 10))))
    env_folders = {env: folder(rng, org.org, display) for env, display in ORG_FOLDERS.items()}
    team_folders = {
        (env, team): folder(rng, env_folders[env]["name"], f"team-{team}")
        for env in ORG_FOLDERS
        for team in teams
    }
    org.folders = [*env_folders.values(), *team_folders.values()]
    org.folder_for = {env: f["name"] for env, f in env_folders.items()}
    org.folder_for.update({f"{env}/{team}": f["name"] for (env, team), f in team_folders.items()})
    taken, numbers = {org.outsider}, set[str]()
    bodies: dict[str, JSON] = {}
    while len(org.projects) < projects:
        team = pick(rng, teams)
        cell = replace(org, folder_for={}, projects=[])  # cross-references stay in the cell
        for env in environments(rng)[: projects - len(org.projects)]:
            project = plan_project(cell, env, taken, numbers)
            project.labels["team"] = team
            if env is not None:
                direct = chance(rng, 0.1)
                project.parent = org.folder_for[env if direct else f"{env}/{team}"]
            cell.projects.append(project)
        bodies.update(_generate_projects(cell))
        org.projects.extend(cell.projects)
    for project_id in rng.sample(sorted(bodies), max(1, projects // 50) if projects > 1 else 0):
        described = bodies[project_id]["project"]
        described["state"] = "DELETE_REQUESTED"
        described["deleteTime"] = ms(days_ago(rng, 1, 25))
    return _document(org, bodies)


def project_ids(world: dict[str, Any]) -> list[str]:
    """The IDs of a world's projects, in the world's order."""
    return list(world.get("projects", {}))


def _plan_world(rng: random.Random, with_folders: bool, accounts: Callable[[], int]) -> WorldPlan:
    """A company's organization (with production / non-production folders when `with_folders`)
    paid by `accounts()` billing accounts, its currency and a project outside the world; no
    projects yet."""
    company = pick(rng, COMPANIES)
    org = organization(rng, company)
    planned, folder_for = folders(rng, org["name"]) if with_folders else ([], {})
    return WorldPlan(
        rng=rng,
        company=company,
        domain=f"{company}.example",
        organization=org,
        folders=planned,
        folder_for=folder_for,
        billing_accounts=[billing_account_id(rng) for _ in range(accounts())],
        currency=pick(rng, ("EUR", "USD")),
        outsider=f"{company}-tools-{pick(rng, ('dev', 'ci', 'shared'))}",
    )


def _generate_projects(world: WorldPlan) -> dict[str, JSON]:
    """The bodies of the world's planned projects, by project ID."""
    for project in world.projects:  # what other projects refer to, first
        project.accounts = service_accounts(world, project)
        project.instances = sql_instances(world, project)
        project.channels = notification_channels(world, project)
        project.secrets, project.versions = secrets(world, project)
        project.repositories, project.images = repositories(world, project)
    # services read secrets of, and push images to, any project of the world
    runs = [run_services(world, project) for project in world.projects]
    return {
        project.project_id: _project_body(world, project, *run)
        for project, run in zip(world.projects, runs, strict=True)
    }


def _project_body(
    world: WorldPlan,
    project: ProjectPlan,
    services: list[JSON],
    revisions: list[JSON],
    invokers: JSON,
) -> JSON:
    """Everything the world holds about one project, under its collection keys."""
    body: JSON = {"project": project_json(world, project)}
    if project.disabled:
        body["disabledServices"] = list(project.disabled)
    roles = custom_roles(world, project)
    body[registry.PROJECT_ROLES.name] = roles
    body[registry.PROJECT_IAM_POLICY.name] = iam_policy(world, project, roles)
    body[registry.BILLING_INFO.name] = billing_info(project)
    body[registry.SERVICE_ACCOUNTS.name] = project.accounts
    body[registry.SERVICE_ACCOUNT_KEYS.name] = service_account_keys(world, project)
    body[registry.RUN_SERVICES.name] = services
    body[registry.RUN_REVISIONS.name] = revisions
    body[registry.RUN_SERVICE_IAM.name] = invokers
    body[registry.RUN_JOBS.name] = run_jobs(project)
    body[registry.SQL_INSTANCES.name] = project.instances
    body[registry.ALERT_POLICIES.name] = alert_policies(world, project)
    body[registry.NOTIFICATION_CHANNELS.name] = project.channels
    body[registry.METRICS_SCOPES.name] = metrics_scopes(world, project)
    body[registry.SECRETS.name] = project.secrets
    body[registry.SECRET_VERSIONS.name] = project.versions
    body[registry.SECRET_IAM.name] = secret_policies(world, project)
    body[registry.BUCKETS.name], body[registry.BUCKET_IAM.name] = buckets(world, project)
    body[registry.ORG_POLICIES.name] = org_policies(world, project)
    topics, subscriptions = topics_and_subscriptions(world, project, services)
    body[registry.TOPICS.name] = topics
    body[registry.SUBSCRIPTIONS.name] = subscriptions
    body[registry.PUBSUB_IAM.name] = pubsub_policies(world, project, topics, subscriptions)
    body[registry.REPOSITORIES.name] = project.repositories
    body[registry.DOCKER_IMAGES.name] = {
        name: sorted(images, key=lambda i: str(i["name"]))
        for name, images in project.images.items()
    }
    body[registry.REPOSITORY_IAM.name] = repository_policies(world, project)
    return body


def _document(world: WorldPlan, projects: dict[str, JSON]) -> dict[str, Any]:
    """The world file: its organization, folders, the project bodies and billing accounts."""
    return {
        "schema": SCHEMA,
        "organizations": [world.organization],
        "folders": world.folders,
        "projects": projects,
        "billingAccounts": billing_accounts(world),
    }


__all__ = ["generate_org", "generate_world", "project_ids"]
