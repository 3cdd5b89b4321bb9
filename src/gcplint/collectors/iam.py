"""IAM v1 (discovery): service accounts and their user-managed keys."""

from __future__ import annotations

from ..errors import ApiFailure
from ..inventory import JSON, Collection, Permission, PerResource, Session, Unreadable, list_field


def _service_accounts(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        accounts = session.clients.resource("iam", "projects", "serviceAccounts")
        return accounts.list(name=f"projects/{project_id}", pageSize=100, pageToken=token)

    return session.discovery_list(page, "accounts")


def _keys(session: Session, project_id: str) -> PerResource[list[JSON]]:
    """User-managed keys per service account email."""
    emails = [str(a.get("email", "")) for a in session.get(SERVICE_ACCOUNTS, project_id)]

    def fetch(email: str) -> list[JSON]:
        keys = session.clients.resource("iam", "projects", "serviceAccounts", "keys")
        name = f"projects/{project_id}/serviceAccounts/{email}"
        body = session.discovery_get(keys.list(name=name, keyTypes="USER_MANAGED"))
        return list_field(body, "keys")

    def failed(email: str, failure: ApiFailure) -> Unreadable:
        return Unreadable(
            "service account keys",
            f"service account {email}",
            failure.reason,
            failure.message,
            permission=failure.permission or "iam.serviceAccountKeys.list",
            role="roles/iam.securityReviewer",
            service="iam.googleapis.com",
        )

    return session.per_resource("iam.serviceAccountKeys", emails, fetch, failed)


SERVICE_ACCOUNTS: Collection[list[JSON]] = Collection(
    name="iam.serviceAccounts",
    title="service accounts",
    service="iam.googleapis.com",
    permission="iam.serviceAccounts.list",
    role="roles/iam.serviceAccountViewer",
    fetch=_service_accounts,
)

SERVICE_ACCOUNT_KEYS: Collection[PerResource[list[JSON]]] = Collection(
    name="iam.serviceAccountKeys",
    title="user-managed service account keys",
    service="iam.googleapis.com",
    permission="iam.serviceAccountKeys.list",
    role="roles/iam.securityReviewer",
    fetch=_keys,
    also=(Permission("iam.serviceAccounts.list"),),
)
