"""IAM v1 (discovery): service accounts."""

from __future__ import annotations

from ..inventory import JSON, Collection, Session


def _service_accounts(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        accounts = session.clients.discovery("iam").projects().serviceAccounts()
        return accounts.list(name=f"projects/{project_id}", pageSize=100, pageToken=token)

    return session.discovery_list(page, "accounts")


SERVICE_ACCOUNTS: Collection[list[JSON]] = Collection(
    name="iam.serviceAccounts",
    title="service accounts",
    service="iam.googleapis.com",
    permission="iam.serviceAccounts.list",
    role="roles/iam.serviceAccountViewer",
    fetch=_service_accounts,
)
