"""Service map, Secret Manager: secrets are private and read only by the workloads that need them."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Severity,
    check,
    failed,
    full_name,
    passed,
    registry,
)

from ._iam import (
    by_member,
    grants,
    is_service_agent,
    public_findings,
    remove_binding,
    roles_text,
    sa_email,
)

ACCESSOR_ROLES = ("roles/secretmanager.secretAccessor", "roles/secretmanager.admin")


@check(
    id="secrets.public",
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
        name = str(secret.get("name", ""))
        short = name.rpartition("/")[2]
        yield from public_findings(
            full_name("secretmanager.googleapis.com", inv.project_id, name),
            f"Secret {short}",
            partial(inv.get(registry.SECRET_IAM).of, name),
            (
                f"gcloud secrets remove-iam-policy-binding {short} --project={inv.project_id} "
                f"--member={{member}} --role={{role}}  (then rotate the secret: assume it was read)"
            ),
        )


@check(
    id="secrets.project-level-accessor",
    title="Secrets are granted per secret, not project-wide",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.PROJECT_IAM_POLICY],
    security=True,
)
def project_level_accessor(inv: Inventory) -> Iterator[Outcome]:
    """roles/secretmanager.secretAccessor (or roles/secretmanager.admin) is granted at project
    level to a service account: every workload running as it can read every secret.

    Google-managed service agents are not reported.

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
    matching = [
        g
        for g in grants(inv.get(registry.PROJECT_IAM_POLICY))
        if g.role in ACCESSOR_ROLES
        and (email := sa_email(g.member)) is not None
        and not is_service_agent(email)
    ]
    for member, held in by_member(matching).items():
        yield failed(
            inv.resource,
            f"Service account {member.partition(':')[2]} holds {roles_text(held)} on the whole project "
            f"{inv.project_id}: it can read every secret.",
            subject=member,
            remediation="grant it per secret (gcloud secrets add-iam-policy-binding SECRET ...), then:\n"
            + "\n".join(remove_binding(inv.project_id, g) for g in held),
        )
    if not matching:
        yield passed(
            inv.resource, f"No service account can read every secret of project {inv.project_id}."
        )
