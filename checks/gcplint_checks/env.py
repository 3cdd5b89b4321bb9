"""Environment separation: every project declares its environment, and environments stay apart.

No other tool automates these checks. They rely on each project's environment: its `env` or
`environment` label, else a token of its ID (prod, staging, dev and synonyms), else the config
file's mapping (which wins). Projects outside the scan are read only to learn their environment.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from gcplint.api import (
    Area,
    Classification,
    Collection,
    Environment,
    IdentityKind,
    Inventory,
    Outcome,
    Severity,
    Unreadable,
    check,
    environment_from_name,
    environment_word,
    failed,
    from_unreadable,
    identify,
    passed,
    registry,
    unknown,
)

from ._iam import (
    by_member,
    grants,
    has_conditions,
    remove_binding,
    roles_text,
    sa_email,
)
from ._policy import granted
from ._resources import resource_name, short_name
from ._run import (
    OTHER_WORKLOADS,
    SecretUse,
    dedicated_identity_fix,
    each_workload,
    grant_secret_access,
    identity_email,
    identity_of,
    kind_of,
    region_of,
    runtime_identity,
    secret_reference,
    secret_uses,
    service_resource,
    sql_project,
    sql_refs,
    task_template,
    update,
    update_secrets_flags,
)
from ._shell import sh

ENV_LABELS = ("env", "environment")


def _other_project(inv: Inventory, owner: str | None) -> bool:
    """True when `owner` (an ID or number) names a project other than the one scanned."""
    if owner is None or owner == inv.project_id:
        return False
    try:
        return owner != inv.project().number
    except Unreadable:
        return True


def _project_id(inv: Inventory, owner: str) -> str:
    """The ID of the project `owner` names (an ID, or a number when readable), for messages."""
    if not owner.isdigit():
        return owner
    try:
        return inv.project(owner).project_id
    except Unreadable:
        return owner


def _env_text(found: Classification) -> str:
    return f"{found.environment.value} ({found.source})"


def env_label(labels: Mapping[str, str] | None) -> str | None:
    """The label that declares an environment (`env`, else `environment`), if any."""
    return next((key for key in ENV_LABELS if labels and key in labels), None)


env_check = functools.partial(check, area=Area.ENVIRONMENT, security=True)
# ^ this module's environment-separation checks (security rules)


@env_check(
    id="env.unlabeled-project",
    waf=("security",),
    title="Project declares its environment with an env label",
    severity=Severity.MEDIUM,
    requires=[registry.PROJECT],
)
def unlabeled_project(inv: Inventory) -> Iterator[Outcome]:
    """Every project carries an `env` (or `environment`) label naming its environment.

    ## Why it matters
    Whether a project is production decides how strict every other rule must be, and whether a
    grant or a reference from another project crosses an environment boundary. A guess from the
    project ID is fragile (`shop-prod-test`?) and invisible to other tools; a label is explicit,
    queryable (`gcloud projects list --filter=labels.env=prod`) and lands in billing exports.
    Recognised values: prod, production, prd, live; staging, stage, stg, preprod, uat;
    dev, development, test, testing, qa, sandbox, sbx. A value of several words split on `-`
    and `_` counts when they name one environment (`prod-eu`, `eu_prod`; `pre-prod` is
    staging); one naming two (`prod-dev`) or a negated one (`non-prod`: not production, but
    not which of the others) names no environment and fails.

    ## Example
    A project `payments-7f3a` with labels `{team: payments}` fails: nothing says whether it is
    production. With `{env: prod}` it passes.

    ## Remediation
    `gcloud alpha projects update PROJECT_ID --update-labels=env=prod` (or staging, dev; the GA
    command only changes a project's name, its alpha track sets labels).

    ## References
    - https://cloud.google.com/resource-manager/docs/creating-managing-labels
    - https://cloud.google.com/architecture/framework/security/implement-resource-hierarchy
    """
    project = inv.project()
    label = env_label(project.labels)
    named = environment_word(project.labels[label]) if label else Environment.UNKNOWN
    if label is not None and named is not Environment.UNKNOWN:
        yield passed(
            project.resource,
            f"Project {project.project_id} is labelled {label}={project.labels[label]}.",
        )
        return
    guess, token = environment_from_name(project.project_id)
    # Labels are set by `gcloud alpha projects update` (the GA command only renames); a label
    # that names no environment is corrected under its own key.
    fix = f"gcloud alpha projects update {sh(project.project_id)} --update-labels={sh(label or 'env')}="
    if guess is Environment.UNKNOWN:
        fix += "ENVIRONMENT  (ENVIRONMENT: prod, staging or dev; only you know which)"
    else:
        fix += guess.value
    if label is not None:
        message = (
            f"Project {project.project_id} has label {label}={project.labels[label]}, "
            "which names no known environment (prod, staging, dev and their synonyms)."
        )
    elif token is not None:
        message = (
            f"Project {project.project_id} has no env or environment label; gcplint inferred "
            f"'{guess.value}' from the token '{token}' of its ID, which is only a guess."
        )
    else:
        message = (
            f"Project {project.project_id} has no env or environment label and its ID names no "
            "environment, so gcplint cannot tell whether it is production."
        )
    yield failed(project.resource, message, remediation=fix)


@env_check(
    id="env.cross-env-iam",
    waf=("security",),
    title="No non-prod identity holds a role on a prod project",
    severity=Severity.CRITICAL,
    requires=[registry.PROJECT, registry.PROJECT_IAM_POLICY],
    exposure=True,
)
def cross_env_iam(inv: Inventory) -> Iterator[Outcome]:
    """A prod project's IAM policy grants a role to a service account owned by a non-prod project.

    Evaluated on prod projects. The owner of a service account comes from its email, by the
    table of service account forms in docs/identities.md (`NAME@PROJECT.iam.gserviceaccount.com`,
    `PROJECT@appspot…`, `NUMBER-compute@developer…`, `NUMBER@cloudbuild…`, `service-NUMBER@…`);
    its environment from that project's labels when readable, else from its ID. A principal whose project's environment is unknown is not
    reported here. One result per offending member, listing every role it holds.

    A non-prod project's service agent (`service-NUMBER@gcp-sa-*…`, docs/identities.md) with a
    role on prod fails too, one level lower (high): no person, key or code can act as it, but it
    acts for whatever its project configures (a dev subscription dead-lettering into a prod topic,
    a staging deploy pulling prod's images), so non-prod changes still reach production. Image
    promotion the other way round, a prod project's service agent reading a staging or shared
    registry, is not a finding here: this check judges only the grants prod projects make.

    ## Why it matters
    Dev and staging are where people experiment, keys get downloaded, and CI runs untrusted
    branches. An identity from there with any role on production turns every dev compromise into
    a production one, and lets a test job write to production data by mistake.

    ## Example
    acme-prod grants `roles/cloudsql.client` to `serviceAccount:ci@acme-dev.iam.gserviceaccount.com`:
    critical. acme-prod granting `roles/artifactregistry.reader` to acme-dev's Cloud Run service
    agent: high. A prod-owned deployer account with the same role passes.

    ## Remediation
    Give production its own identity (created in the prod project), grant it the role, and
    remove the non-prod one:
    `gcloud projects remove-iam-policy-binding PROD_PROJECT --member=serviceAccount:EMAIL --role=ROLE`.

    ## References
    - https://cloud.google.com/architecture/framework/security/implement-resource-hierarchy
    - https://cloud.google.com/iam/docs/best-practices-service-accounts#single-purpose
    """
    here = inv.environment()
    if here.environment is not Environment.PROD:
        return
    policy = inv.get(registry.PROJECT_IAM_POLICY)
    found = 0
    for member, held in by_member(list(grants(policy, inv.now))).items():
        email = sa_email(member)
        identity = identify(email) if email else None
        owner = identity.owner if identity else None
        if not _other_project(inv, owner):
            continue
        assert owner is not None and identity is not None
        theirs = inv.environment(owner)
        if not theirs.environment.non_prod:
            continue
        found += 1
        agent = identity.kind is IdentityKind.SERVICE_AGENT
        name = _project_id(inv, owner)
        yield failed(
            inv.resource,
            f"Prod project {inv.project_id} grants {roles_text(held)} to {email}, owned by "
            f"{theirs.environment.value} project {name} ({theirs.source})."
            + (
                f" It is a Google-managed service agent: nobody can act as it, but it acts for "
                f"whatever {name} configures, so that project's changes reach production."
                if agent
                else ""
            ),
            subject=member,
            severity=Severity.HIGH if agent else None,
            grant=granted(held),
            remediation="\n".join(
                dict.fromkeys(
                    remove_binding(inv.project_id, g, conditional_policy=has_conditions(policy))
                    for g in held
                )
            ),
        )
    if not found:
        yield passed(
            inv.resource,
            f"No identity owned by a non-prod project holds a role on prod project {inv.project_id}.",
        )


@env_check(
    id="env.shared-service-account",
    waf=("security",),
    title="Prod Cloud Run services run as prod-owned identities, not shared across environments",
    severity=Severity.HIGH,
    requires=[registry.PROJECT, registry.RUN_SERVICES],
    across=[registry.RUN_SERVICES],
    exposure=True,
)
def shared_service_account(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service's runtime identity crosses environments.

    Fails when a service in a prod project runs as a service account owned by a non-prod
    project, or when one service account is the runtime identity of services in projects of
    different environments (among the projects in scope). If another project in scope could not
    be read, the comparison is incomplete and the result is unknown.

    ## Why it matters
    Whoever can deploy code as an identity, or hold one of its keys, acts as it everywhere it is
    used. An identity shared by dev and prod lets a dev deploy read production secrets and
    databases; a prod service running as a dev-owned account is administered by the dev project.

    ## Example
    acme-prod's `worker` runs as `ci@acme-dev.iam.gserviceaccount.com`: fails. acme-prod's `api`
    runs as `api-runtime@acme-prod.iam.gserviceaccount.com`, used nowhere else: passes.

    ## Remediation
    Create one runtime service account per service and environment, in that environment's project:
    `gcloud iam service-accounts create SERVICE-runtime --project=PROJECT`, then
    `gcloud run services update SERVICE --region=REGION --service-account=SERVICE-runtime@PROJECT.iam.gserviceaccount.com`.

    ## References
    - https://cloud.google.com/run/docs/securing/service-identity
    - https://cloud.google.com/iam/docs/best-practices-service-accounts#single-purpose
    """
    here = inv.environment()
    if here.environment is Environment.UNKNOWN:
        return
    everyone, unreadable = inv.once("env.shared-service-account", lambda: _runtime_users(inv))
    blind = [exc.copy() for project_id, exc in unreadable if project_id != inv.project_id]
    for service in inv.get(registry.RUN_SERVICES):
        resource = service_resource(inv, service)
        name = short_name(service)
        identity = identity_of(inv, service)
        owner = identify(identity).owner if runtime_identity(service) else None
        fix = dedicated_identity_fix(inv, service)
        if here.environment is Environment.PROD and _other_project(inv, owner):
            assert owner is not None
            theirs = inv.environment(owner)
            if theirs.environment.non_prod:
                yield failed(
                    resource,
                    f"Prod Cloud Run service {name} runs as {identity}, owned by {theirs.environment.value} project {owner}.",
                    subject=f"serviceAccount:{identity}",
                    remediation=fix,
                )
                continue
        crossing = [
            (p, s, e)
            for p, s, e in everyone.get(identity, [])
            if p != inv.project_id and e.environment not in (Environment.UNKNOWN, here.environment)
        ]
        if crossing:
            where = ", ".join(f"{s} in {e.environment.value} project {p}" for p, s, e in crossing)
            yield failed(
                resource,
                f"Cloud Run service {name} ({here.environment.value}) runs as {identity}, which also runs {where}.",
                subject=f"serviceAccount:{identity}",
                remediation=fix,
            )
        elif blind:
            yield unknown(
                resource,
                blind[0].reason,
                f"Cannot tell whether {identity} (identity of Cloud Run service {name}) is shared across "
                f"environments: {blind[0].describe()}.",
                remediation=blind[0].hint(),
            )
        else:
            yield passed(
                resource,
                f"Cloud Run service {name} runs as {identity}, used by no other environment in scope.",
            )


RuntimeUser = tuple[str, str, Classification]  # project, service (short name), its environment
# (only names: the index lives for the whole scan, and must not keep every service of the scope)


def _runtime_users(
    inv: Inventory,
) -> tuple[dict[str, list[RuntimeUser]], list[tuple[str, Unreadable]]]:
    """Every Cloud Run service of the scope by its runtime identity, and the projects whose
    services could not be read (with why): built once per scan, not once per project."""
    users: dict[str, list[RuntimeUser]] = {}
    unreadable: list[tuple[str, Unreadable]] = []
    for project_id in inv.scope:
        try:
            services = inv.get(registry.RUN_SERVICES, project_id)
        except Unreadable as exc:
            if not exc.reason.not_applicable:
                unreadable.append((project_id, exc))
            continue
        theirs = inv.environment(project_id)
        for service in services:
            users.setdefault(identity_of(inv, service, project_id), []).append(
                (project_id, short_name(service), theirs)
            )
    return users, unreadable


def _reference_outcome(
    inv: Inventory,
    here: Classification,
    service: Mapping[str, Any],
    kind: str,
    ref: str,
    owner: str,
) -> Outcome | None:
    theirs = inv.environment(owner)
    if (
        Environment.UNKNOWN in (theirs.environment, here.environment)
        or theirs.environment is here.environment
    ):
        return None
    severity = (
        Severity.CRITICAL
        if Environment.PROD in (here.environment, theirs.environment)
        else Severity.HIGH
    )
    name = short_name(service)
    return failed(
        service_resource(inv, service),
        f"{kind_of(service)} {name} in {here.environment.value} project {inv.project_id} uses {kind} {ref} "
        f"of {theirs.environment.value} project {owner} ({theirs.source}).",
        subject=ref,
        severity=severity,
        remediation=(
            _own_secret(inv, service, ref) if kind == "secret" else _own_database(inv, service, ref)
        ),
    )


def _own_secret(inv: Inventory, service: Mapping[str, Any], ref: str) -> str:
    """Create the secret in this project (its first version is 1), let the service's identity
    read it, and point every reference to the other environment's secret at it, pinned."""
    secret_id = secret_reference(ref)[1]
    steps = [f"gcloud secrets create {sh(secret_id)} --project={sh(inv.project_id)} --data-file=-"]
    identity = identity_email(inv, service)
    if identity:
        steps.append(grant_secret_access(inv.project_id, secret_id, identity))
    template = task_template(service)
    pins = [
        (SecretUse(secret_id, "1", u.env, u.volume, u.path), "1")
        for u in secret_uses(template)
        if u.secret == ref
    ]
    steps.append(
        update(inv, service, update_secrets_flags(list(template.get("containers") or []), pins))
    )
    return (
        f"give {inv.project_id} its own secret (the value on stdin; its first version is 1; if "
        f"{inv.project_id} already has a secret {secret_id}, add a version to it instead) and "
        "point the service at it: " + " && ".join(steps)
    )


def _own_database(inv: Inventory, service: Mapping[str, Any], ref: str) -> str:
    """Mount this project's own instance instead of the other environment's, keeping the
    service's other instances (`--set-cloudsql-instances` replaces the list)."""
    region = ref.rsplit(":", 2)[-2] if ref.count(":") >= 2 else region_of(service)
    kept = [r for r in dict.fromkeys(sql_refs(service)) if r != ref]
    mounts = ",".join([*kept, f"{inv.project_id}:{region}:INSTANCE"])
    return (
        f"give {inv.project_id} its own Cloud SQL instance and point the service at it: "
        + update(inv, service, f"--set-cloudsql-instances={sh(mounts)}")
        + f"  (INSTANCE: {inv.project_id}'s instance, which gcplint cannot pick)"
    )


@env_check(
    id="env.cross-env-reference",
    waf=("security",),
    title="Cloud Run services use secrets and databases of their own environment",
    severity=Severity.CRITICAL,
    requires=[registry.PROJECT, registry.RUN_SERVICES, *OTHER_WORKLOADS],
    exposure=True,
)
def cross_env_reference(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service, job or worker pool references a secret or a Cloud SQL instance of
    another environment. Services are judged even when the jobs or worker pools cannot be read
    (then one unknown result says so for the project).

    References: `valueSource.secretKeyRef.secret` of env vars and `secret.secret` of volumes in the
    `projects/P/secrets/S` form, and the `project:region:instance` names of `cloudSqlInstance`
    volumes. Critical when prod is on either side, high between staging and dev; references whose
    project's environment is unknown are not reported. `subject` is the reference.

    ## Why it matters
    A staging service reading production's database password can corrupt production data during
    a test; a production service depending on a staging database goes down when staging is
    rebuilt. Environments are only separate if their data paths are.

    ## Example
    acme-prod's `admin` mounts `acme-staging:europe-west1:staging-db`: critical.

    ## Remediation
    Give each environment its own secrets and database, and repoint the service: create the
    secret in the service's project (`gcloud secrets create SECRET --project=PROJECT_ID --data-file=-`,
    first version 1), let the service's identity read it (`gcloud secrets add-iam-policy-binding`),
    then `gcloud run services update SERVICE --region=REGION --project=PROJECT_ID --update-secrets=VAR=SECRET:1`;
    or `--set-cloudsql-instances=PROJECT_ID:REGION:INSTANCE` (listing the other instances the
    service keeps: the flag replaces the list).

    ## References
    - https://cloud.google.com/run/docs/configuring/services/secrets
    - https://cloud.google.com/sql/docs/postgres/connect-run
    """
    here = inv.environment()

    def judge(service: Mapping[str, Any]) -> Iterator[Outcome]:
        found = False
        template = task_template(service)
        references = [
            ("secret", use.secret, secret_reference(use.secret)[0]) for use in secret_uses(template)
        ]
        references += [("Cloud SQL instance", ref, sql_project(ref)) for ref in sql_refs(service)]
        for kind, ref, owner in dict.fromkeys(references):
            if not _other_project(inv, owner):
                continue
            assert owner is not None
            outcome = _reference_outcome(inv, here, service, kind, ref, owner)
            if outcome is not None:
                found = True
                yield outcome
        if not found:
            yield passed(
                service_resource(inv, service),
                f"{kind_of(service)} {short_name(service)} references no secret or database of another environment.",
            )

    yield from each_workload(inv, judge)


def _run_labels(service: Mapping[str, Any]) -> Any:
    return service.get("labels")


def _sql_labels(instance: Mapping[str, Any]) -> Any:
    return (instance.get("settings") or {}).get("userLabels")


def _declared_environment(labels: Mapping[str, str] | None, name: str) -> tuple[Environment, str]:
    label = env_label(labels)
    if labels and label:
        return environment_word(labels[label]), f"label {label}={labels[label]}"
    env, token = environment_from_name(name)
    return env, f"name token '{token}'"


@env_check(
    id="env.mixed-environments",
    waf=("security",),
    title="A project hosts resources of its own environment only",
    severity=Severity.HIGH,
    requires=[registry.PROJECT, registry.RUN_SERVICES, *OTHER_WORKLOADS, registry.SQL_INSTANCES],
)
def mixed_environments(inv: Inventory) -> Iterator[Outcome]:
    """A resource declares an environment other than its project's.

    A Cloud Run service, job or worker pool (its `labels`) or Cloud SQL instance (its `settings.userLabels`) labelled
    `env`/`environment`, or named with an environment token (`api-dev`, `orders-staging-db`),
    inside a project of another environment. Evaluated when the project's environment is known.

    ## Why it matters
    A `-dev` service inside production shares production's identities, network, quotas and data;
    a production database in a dev project is governed by dev's looser access. Either way the
    environment boundary that every other rule relies on is gone.

    ## Example
    Project acme-prod (env=prod) runs Cloud Run service `api-dev`: fails. Its service `api` passes.

    ## Remediation
    Move the resource to the project of its environment (redeploy the service there; for a
    database, create an instance there and move the data, e.g. by export and import, since a
    clone stays in its source project), or fix its label if the label is wrong.

    ## References
    - https://cloud.google.com/architecture/framework/security/implement-resource-hierarchy
    - https://cloud.google.com/resource-manager/docs/creating-managing-labels
    """
    here = inv.environment()
    if here.environment is Environment.UNKNOWN:
        return
    kinds: list[
        tuple[Collection[list[dict[str, Any]]], str, str, Callable[[Mapping[str, Any]], Any]]
    ] = [
        (registry.RUN_SERVICES, "Cloud Run service", "", _run_labels),
        (registry.RUN_JOBS, "Cloud Run job", "", _run_labels),
        (registry.RUN_WORKER_POOLS, "Cloud Run worker pool", "", _run_labels),
        (registry.SQL_INSTANCES, "Cloud SQL instance", "instances/", _sql_labels),
    ]
    for collection, kind, under, labels_of in kinds:
        try:
            resources = inv.get(collection)
        except Unreadable as exc:
            yield from_unreadable(exc, inv.resource)
            continue
        for item in resources:
            name = short_name(item)
            resource = resource_name(inv, collection, item, under=under)
            env, why = _declared_environment(labels_of(item), name)
            if env is Environment.UNKNOWN or env is here.environment:
                yield passed(
                    resource,
                    f"{kind} {name} declares no environment other than {here.environment.value}.",
                )
            else:
                yield failed(
                    resource,
                    f"{kind} {name} declares {env.value} ({why}) inside {_env_text(here)} project {inv.project_id}.",
                    remediation=f"move {name} to a {env.value} project, or correct its label if it is wrong",
                )
