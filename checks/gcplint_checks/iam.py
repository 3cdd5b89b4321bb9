"""Least-privilege service accounts: no basic or admin roles, no project-wide impersonation,
no long-lived keys, no public principals, one dedicated identity per Cloud Run service."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from gcplint.api import (
    COMPUTE_DEFAULT,
    Area,
    IdentityKind,
    Inventory,
    Outcome,
    Severity,
    check,
    failed,
    from_unreadable,
    full_name,
    identify,
    passed,
    registry,
)

from ._iam import (
    BASIC_ROLES,
    Grant,
    Power,
    google_admin,
    has_conditions,
    remove_binding,
    sa_email,
    sa_grant,
)
from ._policy import project_findings, public_findings, role_powers
from ._resources import resource_name, short_name
from ._run import (
    OTHER_WORKLOADS,
    dedicated_identity_fix,
    each_workload,
    identity_of,
    kind_of,
    region_of,
    runtime_identity,
    service_resource,
)
from ._shell import sh

PRIMITIVE_ROLES = {"roles/owner": Severity.CRITICAL, "roles/editor": Severity.HIGH}
ROLE_DEFINITIONS = [registry.PROJECT_ROLES, registry.ORGANIZATION_ROLES]
# ^ what custom roles can do (read only when a binding uses one)


iam_check = partial(check, area=Area.IAM, security=True)
# ^ this module's IAM checks (security rules)


def _judged(email: str) -> bool:
    """Anything but a Google-managed service agent (docs/identities.md)."""
    return identify(email).judged


def _service_agent(email: str) -> bool:
    """A Google-managed service agent: exempt."""
    return not identify(email).judged


def _default(email: str) -> bool:
    """A default service account: Compute Engine, App Engine, legacy Cloud Build."""
    return identify(email).kind is IdentityKind.DEFAULT


def _created_or_unrecognized(email: str) -> bool:
    """A user-managed service account, or one of no known form (judged like one)."""
    return identify(email).kind in (IdentityKind.USER_MANAGED, IdentityKind.UNKNOWN)


@iam_check(
    id="iam.sa-primitive-role",
    cis=("1.5",),
    waf=("security",),
    title="No user-managed service account holds Owner or Editor",
    severity=Severity.HIGH,
    requires=[registry.PROJECT_IAM_POLICY],
)
def sa_primitive_role(inv: Inventory) -> Iterator[Outcome]:
    """A user-managed service account, or one whose email has no known form, holds a basic role
    (roles/owner or roles/editor) on the project.

    Critical for roles/owner, high for roles/editor. Google-managed service agents are never
    reported; the default service accounts (Compute Engine, App Engine, legacy Cloud Build) are
    reported by `iam.default-sa-privileged` instead. A service account email of no known form
    is judged here, never exempt (docs/identities.md lists the forms).

    ## Why it matters
    Basic roles grant thousands of permissions across every service in the project. A workload
    running as such an account (or anyone who can act as it or steal one of its keys) can read
    every database and secret, change IAM, and delete the project. Owner can also grant itself
    anything. Least privilege means a predefined or custom role scoped to what the workload does.

    ## Example
    `serviceAccount:deployer@acme-prod.iam.gserviceaccount.com` bound to `roles/owner` fails.
    The same account bound to `roles/run.developer` and `roles/iam.serviceAccountUser` on the
    runtime account passes.

    ## Remediation
    Grant the narrow roles the account needs, then remove the basic role:
    `gcloud projects remove-iam-policy-binding PROJECT_ID --member=serviceAccount:EMAIL --role=roles/editor`.
    IAM Recommender (`gcloud recommender recommendations list --project=PROJECT_ID --location=global --recommender=google.iam.policy.Recommender`)
    shows which permissions the account actually used.

    ## References
    - https://cloud.google.com/iam/docs/understanding-roles#basic
    - https://cloud.google.com/iam/docs/best-practices-service-accounts
    """
    yield from project_findings(
        inv,
        lambda g: sa_grant(g, PRIMITIVE_ROLES.__contains__, _created_or_unrecognized),
        lambda account, roles: (
            f"Service account {account} holds {roles} on project {inv.project_id}."
        ),
        f"No user-managed service account holds roles/owner or roles/editor on project {inv.project_id}.",
        severity=lambda held: max((PRIMITIVE_ROLES[g.role] for g in held), key=lambda s: s.rank),
    )


@iam_check(
    id="iam.default-sa-privileged",
    waf=("security",),
    title="Default service accounts do not hold Owner or Editor",
    severity=Severity.HIGH,
    requires=[registry.PROJECT_IAM_POLICY],
)
def default_sa_privileged(inv: Inventory) -> Iterator[Outcome]:
    """A default service account (Compute Engine, App Engine, or the legacy Cloud Build account
    `PROJECT_NUMBER@cloudbuild.gserviceaccount.com`) holds roles/owner or roles/editor.

    ## Why it matters
    Google used to grant the default service accounts Editor automatically, and every VM, Cloud
    Run service or function created without an explicit identity runs as them; the legacy Cloud
    Build account runs every build step the project's users write. Any code running there can
    then modify nearly everything in the project.

    ## Example
    `serviceAccount:123456789012-compute@developer.gserviceaccount.com` bound to `roles/editor`
    fails. Google's own service agents (`…@cloudservices.gserviceaccount.com`) are not reported.

    ## Remediation
    Give workloads dedicated service accounts, then remove the grant:
    `gcloud projects remove-iam-policy-binding PROJECT_ID --member=serviceAccount:NUMBER-compute@developer.gserviceaccount.com --role=roles/editor`.
    Enforce the organization policy `iam.automaticIamGrantsForDefaultServiceAccounts` so new
    projects do not get the grant.

    ## References
    - https://cloud.google.com/iam/docs/service-account-types#default
    - https://cloud.google.com/resource-manager/docs/organization-policy/restricting-service-accounts#disable_service_account_default_grants
    """
    yield from project_findings(
        inv,
        lambda g: sa_grant(g, PRIMITIVE_ROLES.__contains__, _default),
        lambda account, roles: (
            f"Default service account {account} holds {roles} on project {inv.project_id}."
        ),
        f"No default service account holds roles/owner or roles/editor on project {inv.project_id}.",
    )


def _holder(grant: Grant, account: Callable[[str], bool]) -> bool:
    """A grant to a service account that `account` selects."""
    email = sa_email(grant.member)
    return email is not None and account(email)


def _admin(inv: Inventory, grant: Grant) -> bool:
    """A grant to a judged service account of an admin role other than a basic one; raises
    Unreadable when it is a custom role whose permissions could not be read."""
    if not _holder(grant, _judged) or grant.role in BASIC_ROLES:
        return False
    return google_admin(grant.role) or Power.ADMINISTER in role_powers(inv, grant.role)


@iam_check(
    id="iam.sa-admin-role",
    cis=("1.5",),
    waf=("security",),
    title="Service accounts hold no admin roles at project level",
    severity=Severity.HIGH,
    requires=[registry.PROJECT_IAM_POLICY, *ROLE_DEFINITIONS],
)
def sa_admin_role(inv: Inventory) -> Iterator[Outcome]:
    """A service account holds an admin role on the project: a predefined role Google names an
    admin role (`roles/cloudsql.admin`, `roles/iam.serviceAccountAdmin`, `roles/storage.objectAdmin`…),
    or any role, predefined or custom, that can administer service accounts, their keys or IAM.

    A role administers them when it includes one of `iam.serviceAccounts.create`, `.delete`,
    `.update`, `.setIamPolicy`, `iam.serviceAccountKeys.create`, `.delete`,
    `resourcemanager.projects.setIamPolicy`, `iam.roles.create` or `.update`: for a custom role
    from its definition (its project's or organization's custom roles, read with `view=FULL`), for
    a predefined one from Google's role catalog (so `roles/iam.serviceAccountCreator` counts). A
    custom role is judged by its permissions, never by its name; a disabled custom role grants
    nothing. A grant of a custom role whose definition could not be read (no
    `iam.roles.list` on its project or organization) is unknown; the other grants are still
    judged. The basic roles (roles/owner, roles/editor) are reported by `iam.sa-primitive-role`
    and `iam.default-sa-privileged`, not here. A binding whose condition only says
    `request.time < timestamp(…)` with a time already past grants nothing and is not reported
    (the pass names it, to clean up); any other condition may hold, so its grant fails, marked
    conditional. Google-managed service agents are not reported, default service accounts (such
    as the legacy Cloud Build account) are (docs/identities.md).

    ## Why it matters
    Admin roles can change the resource's own access control, delete it, or (for IAM admin roles)
    grant any role to anyone, mint service account keys, or create identities. A workload
    identity rarely needs them; CI identities that do should hold them on specific resources, not
    on the whole project.

    ## Example
    `serviceAccount:terraform@acme-prod.iam.gserviceaccount.com` with
    `roles/resourcemanager.projectIamAdmin` fails; so does `deployer@…` with the custom role
    `projects/acme-prod/roles/releaser` that includes `iam.serviceAccountKeys.create`.

    ## Remediation
    Replace the admin role with the narrower roles the account uses (IAM Recommender lists them),
    or grant it on the specific resource:
    `gcloud projects remove-iam-policy-binding PROJECT_ID --member=serviceAccount:EMAIL --role=ROLE`.

    ## References
    - https://cloud.google.com/iam/docs/best-practices-service-accounts
    - https://cloud.google.com/iam/docs/recommender-overview
    - https://cloud.google.com/iam/docs/understanding-custom-roles
    """
    yield from project_findings(
        inv,
        partial(_admin, inv),
        lambda account, roles: (
            f"Service account {account} holds {roles} on project {inv.project_id}."
        ),
        f"No service account holds an admin role on project {inv.project_id}.",
    )


def _impersonation(inv: Inventory, grant: Grant) -> bool:
    """A grant, to anyone but a service agent, of a role other than a basic one that can act as
    or mint credentials for service accounts; raises Unreadable when it is a custom role whose
    permissions could not be read."""
    if _holder(grant, _service_agent) or grant.role in BASIC_ROLES:
        return False
    return Power.IMPERSONATE in role_powers(inv, grant.role)


@iam_check(
    id="iam.sa-impersonation-project-wide",
    cis=("1.6",),
    waf=("security",),
    title="Nobody can impersonate every service account of the project",
    severity=Severity.HIGH,
    requires=[registry.PROJECT_IAM_POLICY, *ROLE_DEFINITIONS],
)
def sa_impersonation_project_wide(inv: Inventory) -> Iterator[Outcome]:
    """A role that can act as or mint credentials for service accounts is granted at project level.

    Such a role includes one of `iam.serviceAccounts.actAs`, `.getAccessToken`,
    `.getOpenIdToken`, `.signBlob`, `.signJwt` or `.implicitDelegation`: among predefined roles
    (Google's role catalog) `roles/iam.serviceAccountUser`, `roles/iam.serviceAccountTokenCreator`,
    `roles/iam.serviceAccountOpenIdTokenCreator`, `roles/iam.workloadIdentityUser` and the
    service agent roles; a custom role when its definition (its project's or organization's
    custom roles, read with `view=FULL`) includes one, never by its name. A grant of a custom role
    whose definition could not be read (no `iam.roles.list` on its project or organization) is
    unknown; the other grants are still judged. The basic roles roles/owner and roles/editor
    include `actAs` too, but are reported by `iam.sa-primitive-role` and
    `iam.default-sa-privileged`, not here. A binding whose condition only says
    `request.time < timestamp(…)` with a time already past grants nothing and is not reported
    (the pass names it, to clean up); any other condition may hold, so its grant fails, marked
    conditional. Granted to anyone (users, groups, service accounts); Google-managed service
    agents are not reported, default service accounts (such as the legacy Cloud Build account)
    are (docs/identities.md).

    ## Why it matters
    At project level these roles apply to every service account in the project, present and
    future: the holder can deploy code as, or mint tokens for, the most privileged account there,
    including the production runtime identity. They belong on the one service account needed.

    ## Example
    `group:developers@acme.example` with `roles/iam.serviceAccountUser` on acme-prod fails, and so
    does `user:dev@acme.example` with a custom role including `iam.serviceAccounts.getAccessToken`.
    The same role granted on `api-runtime@acme-prod.iam.gserviceaccount.com` only passes.

    ## Remediation
    Grant the role on the specific service account, then remove the project-level grant:
    `gcloud iam service-accounts add-iam-policy-binding SA_EMAIL --member=MEMBER --role=roles/iam.serviceAccountUser`
    and `gcloud projects remove-iam-policy-binding PROJECT_ID --member=MEMBER --role=roles/iam.serviceAccountUser`.

    ## References
    - https://cloud.google.com/iam/docs/service-accounts-actas
    - https://cloud.google.com/iam/docs/service-account-permissions
    - https://cloud.google.com/iam/docs/best-practices-service-accounts#project-folder-grants
    """
    yield from project_findings(
        inv,
        partial(_impersonation, inv),
        lambda member, roles: (
            f"{member} holds {roles} on the whole project {inv.project_id}: "
            "it can act as every service account there."
        ),
        f"No impersonation role is granted project-wide on project {inv.project_id}.",
    )


@iam_check(
    id="iam.public-principal",
    waf=("security",),
    title="The project IAM policy grants nothing to allUsers or allAuthenticatedUsers",
    severity=Severity.CRITICAL,
    requires=[registry.PROJECT_IAM_POLICY],
    exposure=True,
)
def public_principal(inv: Inventory) -> Iterator[Outcome]:
    """`allUsers` or `allAuthenticatedUsers` appears in the project IAM policy.

    Critical in every environment: a public grant is exposure whatever the project is for. This
    check reads only the project's own IAM policy (no resource's: public buckets, topics, secrets,
    repositories and Cloud Run services have checks of their own). A project policy does not
    support `allUsers` and `allAuthenticatedUsers` as members (Resource Manager's `setIamPolicy`
    rejects them), so on a real project this check is a guard that passes: it fails only on a
    policy that got them some other way (a world or snapshot edited by hand, a future change of
    that rule). A grant whose condition only says `request.time < timestamp(…)` with a time already
    past grants nothing and is not reported.

    ## Why it matters
    `allUsers` is anyone on the internet; `allAuthenticatedUsers` is anyone with any Google
    account. A project-level grant to either applies to every resource of the project.

    ## Example
    acme-dev grants `roles/viewer` to `allUsers`: anyone can list its resources and read their
    configuration.

    ## Remediation
    `gcloud projects remove-iam-policy-binding PROJECT_ID --member=allUsers --role=ROLE`. Enforce
    the organization policy `iam.allowedPolicyMemberDomains` to prevent it.

    ## References
    - https://cloud.google.com/iam/docs/principals-overview#all-users
    - https://cloud.google.com/resource-manager/reference/rest/v3/projects/setIamPolicy
    - https://cloud.google.com/resource-manager/docs/organization-policy/restricting-domains
    """
    policy = inv.get(registry.PROJECT_IAM_POLICY)
    yield from public_findings(
        inv.resource,
        f"Project {inv.project_id}",
        policy,
        partial(remove_binding, inv.project_id, conditional_policy=has_conditions(policy)),
        now=inv.now,
    )


def _account_resource(inv: Inventory, account: Mapping[str, Any]) -> str:
    return full_name(
        "iam.googleapis.com", inv.project_id, f"serviceAccounts/{account.get('email', '')}"
    )


Account = Mapping[str, Any]
Key = dict[str, Any]


def _each_account(
    inv: Inventory, judge: Callable[[Account, str, list[Key]], Iterator[Outcome]]
) -> Iterator[Outcome]:
    """`judge(account, email, its enabled user-managed keys)` for every service account of the
    project; an account whose keys could not be listed is unknown."""
    found = inv.get(registry.SERVICE_ACCOUNT_KEYS)
    for account in inv.get(registry.SERVICE_ACCOUNTS):
        email = str(account.get("email", ""))
        if email in found.unreadable:
            yield from_unreadable(found.unreadable[email], _account_resource(inv, account))
            continue
        keys = [
            k
            for k in found.found.get(email, [])
            if k.get("keyType", "USER_MANAGED") == "USER_MANAGED" and not k.get("disabled")
        ]
        yield from judge(account, email, keys)


@iam_check(
    id="iam.sa-user-managed-key",
    cis=("1.4",),
    waf=("security",),
    title="Service accounts have no enabled user-managed keys",
    severity=Severity.HIGH,
    requires=[registry.SERVICE_ACCOUNTS, registry.SERVICE_ACCOUNT_KEYS],
)
def sa_user_managed_key(inv: Inventory) -> Iterator[Outcome]:
    """An enabled user-managed key exists for a service account.

    One result per enabled user-managed key (`resource` is the key); a service account without
    one passes. Disabled keys and Google-managed keys are not reported.

    ## Why it matters
    A user-managed key is a long-lived password for the service account: it works from anywhere,
    does not expire by default, and ends up in CI variables, laptops and repositories. Workload
    identity, impersonation and Workload Identity Federation give short-lived credentials instead.

    ## Example
    `deployer@acme-prod.iam.gserviceaccount.com` has an enabled USER_MANAGED key: fails.

    ## Remediation
    Move the consumer to Workload Identity Federation or impersonation, then delete the key:
    `gcloud iam service-accounts keys delete KEY_ID --iam-account=EMAIL`. Enforce the organization
    policy `iam.disableServiceAccountKeyCreation`.

    ## References
    - https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys
    - https://cloud.google.com/iam/docs/workload-identity-federation
    """

    def judge(account: Account, email: str, keys: list[Key]) -> Iterator[Outcome]:
        for key in keys:
            state = " (the account itself is disabled)" if account.get("disabled") else ""
            yield failed(
                resource_name(inv, registry.SERVICE_ACCOUNT_KEYS, key),
                f"Service account {email} has enabled user-managed key {short_name(key)}, "
                f"valid since {key.get('validAfterTime', 'an unknown time')}{state}.",
                remediation=f"gcloud iam service-accounts keys delete {sh(short_name(key))} --iam-account={sh(email)}",
            )
        if not keys:
            yield passed(
                _account_resource(inv, account),
                f"Service account {email} has no enabled user-managed key.",
            )

    yield from _each_account(inv, judge)


def _parse_time(value: str) -> datetime | None:
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


@iam_check(
    id="iam.sa-key-age",
    cis=("1.7",),
    waf=("security",),
    title="User-managed service account keys are rotated",
    severity=Severity.HIGH,
    requires=[registry.SERVICE_ACCOUNTS, registry.SERVICE_ACCOUNT_KEYS],
    options={"max-age-days": 90},
)
def sa_key_age(inv: Inventory) -> Iterator[Outcome]:
    """An enabled user-managed key is older than `max-age-days` (default 90).

    The age is measured from the key's `validAfterTime` to the start of the scan. One result per
    enabled user-managed key. Configure the threshold with
    `[tool.gcplint.check-options."iam.sa-key-age"] max-age-days = 60`.

    ## Why it matters
    The longer a key lives, the more copies of it exist and the longer a leaked one works. CIS
    asks for rotation at least every 90 days; better, no keys at all (see iam.sa-user-managed-key).

    ## Example
    A key created on 2025-01-14 and still enabled in November 2026 is 680+ days old: fails.

    ## Remediation
    Create a new key, roll it out, then delete the old one:
    `gcloud iam service-accounts keys create new.json --iam-account=EMAIL` and
    `gcloud iam service-accounts keys delete KEY_ID --iam-account=EMAIL`.

    ## References
    - https://cloud.google.com/iam/docs/best-practices-for-managing-service-account-keys#key-rotation
    - https://www.cisecurity.org/benchmark/google_cloud_computing_platform
    """
    limit = int(inv.option("max-age-days"))

    def judge(account: Account, email: str, keys: list[Key]) -> Iterator[Outcome]:
        for key in keys:
            resource = resource_name(inv, registry.SERVICE_ACCOUNT_KEYS, key)
            created = _parse_time(str(key.get("validAfterTime", "")))
            if created is None:
                yield failed(
                    resource,
                    f"Key {short_name(key)} of {email} has no readable validAfterTime, so its age is unknown.",
                )
                continue
            age = (inv.now - created).days
            if inv.now - created > timedelta(days=limit):
                yield failed(
                    resource,
                    f"Key {short_name(key)} of {email} is {age} days old (created {created.date()}; limit {limit} days).",
                    remediation=(
                        f"gcloud iam service-accounts keys create new-key.json --iam-account={sh(email)} && "
                        f"gcloud iam service-accounts keys delete {sh(short_name(key))} --iam-account={sh(email)}"
                    ),
                )
            else:
                yield passed(
                    resource, f"Key {short_name(key)} of {email} is {age} days old (limit {limit})."
                )

    yield from _each_account(inv, judge)


@iam_check(
    id="iam.run-default-sa",
    waf=("security",),
    title="Cloud Run services do not run as the Compute Engine default service account",
    severity=Severity.HIGH,
    requires=[registry.RUN_SERVICES, *OTHER_WORKLOADS],
)
def run_default_sa(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service, job or worker pool runs as the Compute Engine default service account.

    That is the case when `template.serviceAccount` (a job's `template.template.serviceAccount`)
    is empty or is `NUMBER-compute@developer.gserviceaccount.com`. A job's result names the job
    (`//run.googleapis.com/projects/P/locations/R/jobs/J`), a worker pool's the pool
    (`…/workerPools/W`); services are judged even when the jobs or worker pools cannot be read
    (then one unknown result says so for the project).

    ## Why it matters
    The default compute account is shared by every VM, service and function deployed without an
    explicit identity, and often still holds Editor. Code in the service then has the union of
    everything all of them need, and a compromise of any one is a compromise of all.

    ## Example
    Service `admin` with no `template.serviceAccount` fails; `api` running as
    `api-runtime@acme-prod.iam.gserviceaccount.com` passes.

    ## Remediation
    `gcloud iam service-accounts create SERVICE-runtime --project=PROJECT_ID`, grant it only what
    the service needs, then
    `gcloud run services update SERVICE --region=REGION --service-account=SERVICE-runtime@PROJECT_ID.iam.gserviceaccount.com`.

    ## References
    - https://cloud.google.com/run/docs/securing/service-identity
    - https://cloud.google.com/iam/docs/service-account-types#default
    """

    def judge(service: Mapping[str, Any]) -> Iterator[Outcome]:
        name, kind = short_name(service), kind_of(service)
        identity = runtime_identity(service)
        resource = service_resource(inv, service)
        if identity is None or identify(identity).form is COMPUTE_DEFAULT:
            shown = (
                identity
                or "the Compute Engine default service account (its serviceAccount is unset)"
            )
            yield failed(
                resource,
                f"{kind} {name} runs as {shown}.",
                remediation=dedicated_identity_fix(inv, service),
            )
        else:
            yield passed(resource, f"{kind} {name} runs as {identity}.")

    yield from each_workload(inv, judge)


@iam_check(
    id="iam.shared-run-sa",
    waf=("security",),
    title="Each Cloud Run service has its own identity",
    severity=Severity.MEDIUM,
    requires=[registry.PROJECT, registry.RUN_SERVICES],
)
def shared_run_sa(inv: Inventory) -> Iterator[Outcome]:
    """One service account is the identity of two or more Cloud Run services in a project.

    Services without `template.serviceAccount` share the Compute Engine default account.

    ## Why it matters
    A shared identity holds the union of the permissions of every service using it, so a bug or
    compromise in the least important service reaches the data of the most important one, and
    audit logs cannot tell which service acted.

    ## Example
    `api` and `worker` both run as `app@acme-prod.iam.gserviceaccount.com`: both fail.

    ## Remediation
    One service account per service:
    `gcloud run services update SERVICE --region=REGION --service-account=SERVICE-runtime@PROJECT_ID.iam.gserviceaccount.com`.

    ## References
    - https://cloud.google.com/run/docs/securing/service-identity#per-service-identity
    """
    services = inv.get(registry.RUN_SERVICES)
    users: dict[str, list[Mapping[str, Any]]] = {}
    for service in services:
        users.setdefault(identity_of(inv, service), []).append(service)
    for service in services:
        name = short_name(service)
        identity = identity_of(inv, service)
        others = [
            f"{short_name(s)} ({region_of(s)})"
            for s in users[identity]
            if s.get("name") != service.get("name")
        ]
        resource = service_resource(inv, service)
        if others:
            yield failed(
                resource,
                f"Cloud Run service {name} runs as {identity}, shared with {', '.join(others)}.",
                remediation=dedicated_identity_fix(inv, service),
            )
        else:
            yield passed(
                resource, f"Cloud Run service {name} is the only service running as {identity}."
            )
