"""Least-privilege service accounts: no basic roles, no admin roles, no long-lived keys."""

from __future__ import annotations

from collections.abc import Iterator

from gcplint.api import Area, Inventory, Outcome, Severity, check, collections, failed, passed

from ._iam import condition_note, grants, is_user_managed_sa, sa_email

PRIMITIVE_ROLES = {"roles/owner": Severity.CRITICAL, "roles/editor": Severity.HIGH}


@check(
    id="iam.sa-primitive-role",
    title="No user-managed service account holds Owner or Editor",
    severity=Severity.HIGH,
    area=Area.IAM,
    requires=[collections.PROJECT_IAM_POLICY],
)
def sa_primitive_role(inv: Inventory) -> Iterator[Outcome]:
    """A user-managed service account holds a basic role (roles/owner or roles/editor) on the project.

    Critical for roles/owner, high for roles/editor. Google-managed service agents are never
    reported; the Compute Engine and App Engine default service accounts are reported by
    `iam.default-sa-privileged` instead.

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
    IAM Recommender (`gcloud recommender recommendations list --recommender=google.iam.policy.Recommender`)
    shows which permissions the account actually used.

    ## References
    - https://cloud.google.com/iam/docs/understanding-roles#basic
    - https://cloud.google.com/iam/docs/best-practices-service-accounts
    """
    policy = inv.get(collections.PROJECT_IAM_POLICY)
    found = False
    for grant in grants(policy):
        severity = PRIMITIVE_ROLES.get(grant.role)
        email = sa_email(grant.member)
        if severity is None or email is None or not is_user_managed_sa(email):
            continue
        found = True
        yield failed(
            inv.resource,
            f"Service account {email} holds {grant.role} on project {inv.project_id}"
            f"{condition_note(grant)}.",
            subject=grant.member,
            severity=severity,
            remediation=(
                "grant narrower predefined roles, then: gcloud projects remove-iam-policy-binding "
                f"{inv.project_id} --member={grant.member} --role={grant.role}"
                + (" --condition=..." if grant.condition else "")
            ),
        )
    if not found:
        yield passed(
            inv.resource,
            f"No user-managed service account holds roles/owner or roles/editor on project {inv.project_id}.",
        )
