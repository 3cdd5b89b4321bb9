"""Service map, Secret Manager: secrets are private and read only by the workloads that need them."""

from __future__ import annotations

from collections.abc import Iterator

from gcplint.api import Area, Inventory, Outcome, Severity, check, identify, registry

from ._iam import sa_grant
from ._policy import project_findings, public_resource
from ._resources import short_name
from ._shell import sh, sh_field

ACCESSOR_ROLES = ("roles/secretmanager.secretAccessor", "roles/secretmanager.admin")


@check(
    id="secrets.public",
    waf=("security",),
    title="No secret is readable by everyone",
    severity=Severity.CRITICAL,
    area=Area.SERVICES,
    requires=[registry.SECRETS, registry.SECRET_IAM],
    exposure=True,
    security=True,
)
def secrets_public(inv: Inventory) -> Iterator[Outcome]:
    """A secret's IAM policy grants anything to `allUsers` or `allAuthenticatedUsers`.

    ## Why it matters
    With roles/secretmanager.secretAccessor for `allUsers`, anyone who learns the secret's name
    can read the password, key or token it holds.

    ## Example
    `db-password` granting roles/secretmanager.secretAccessor to allAuthenticatedUsers: critical.

    ## Remediation
    `gcloud secrets remove-iam-policy-binding SECRET --project=PROJECT_ID --member=allUsers --role=ROLE`,
    then rotate the secret: assume it has been read.

    ## References
    - https://cloud.google.com/secret-manager/docs/access-control
    """
    for secret in inv.get(registry.SECRETS):
        short = short_name(secret)
        yield from public_resource(
            inv,
            registry.SECRET_IAM,
            secret,
            f"Secret {short}",
            f"gcloud secrets remove-iam-policy-binding {sh_field(short)} --project={sh_field(inv.project_id)} "
            "--member={member} --role={role}{all}  (then rotate the secret: assume it was read)",
        )


@check(
    id="secrets.project-level-accessor",
    waf=("security",),
    title="Secrets are granted per secret, not project-wide",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.PROJECT_IAM_POLICY],
    security=True,
)
def project_level_accessor(inv: Inventory) -> Iterator[Outcome]:
    """roles/secretmanager.secretAccessor (or roles/secretmanager.admin) is granted at project
    level to a service account: every workload running as it can read every secret.

    Google-managed service agents are not reported; default service accounts (such as the
    legacy Cloud Build account) are (docs/identities.md).

    ## Why it matters
    A project-level grant reaches every secret of the project, today's and tomorrow's. A
    compromised worker then reads the payment provider's key and the production database
    password alike. Per-secret grants keep each workload to its own secrets.

    ## Example
    `serviceAccount:api-runtime@acme-prod.iam.gserviceaccount.com` with secretAccessor on the project: fails.

    ## Remediation
    `gcloud secrets add-iam-policy-binding SECRET --member=serviceAccount:EMAIL --role=roles/secretmanager.secretAccessor`
    for each secret it needs, then
    `gcloud projects remove-iam-policy-binding PROJECT_ID --member=serviceAccount:EMAIL --role=roles/secretmanager.secretAccessor`.

    ## References
    - https://cloud.google.com/secret-manager/docs/access-control
    - https://cloud.google.com/secret-manager/docs/best-practices#access-control
    """
    yield from project_findings(
        inv,
        lambda g: sa_grant(g, ACCESSOR_ROLES.__contains__, lambda email: identify(email).judged),
        lambda account, roles: (
            f"Service account {account} holds {roles} on the whole project {inv.project_id}: "
            "it can read every secret."
        ),
        f"No service account can read every secret of project {inv.project_id}.",
        fix_first=lambda member: (
            f"grant it access per secret first: gcloud secrets add-iam-policy-binding SECRET "
            f"--project={sh(inv.project_id)} --member={sh(member)} --role=roles/secretmanager.secretAccessor"
            "  (SECRET: each secret it reads, one command each); then:\n"
        ),
    )
