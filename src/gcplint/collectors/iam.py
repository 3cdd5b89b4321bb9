"""IAM v1 (discovery): service accounts and their user-managed keys."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import ApiCallError, ApiFailure
from ..inventory import JSON, Collection, Permission, Session, Unreadable
from ..model import Reason


@dataclass(frozen=True)
class ServiceAccountKeys:
    """User-managed keys per service account email; accounts whose keys could not be read
    are in `unreadable` instead (one unreadable account does not hide the others)."""

    keys: dict[str, list[JSON]]
    unreadable: dict[str, Unreadable]


def _service_accounts(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        accounts = session.clients.discovery("iam").projects().serviceAccounts()
        return accounts.list(name=f"projects/{project_id}", pageSize=100, pageToken=token)

    return session.discovery_list(page, "accounts")


def _account_keys(session: Session, project_id: str, email: str) -> list[JSON]:
    def fetch() -> list[JSON]:
        keys = session.clients.discovery("iam").projects().serviceAccounts().keys()
        name = f"projects/{project_id}/serviceAccounts/{email}"
        body = session.discovery_get(keys.list(name=name, keyTypes="USER_MANAGED"))
        items = body.get("keys", [])
        if not isinstance(items, list) or not all(isinstance(k, dict) for k in items):
            raise ApiCallError(
                ApiFailure(Reason.ERROR, "malformed response: 'keys' is not a list of objects")
            )
        return items

    def failed(failure: ApiFailure) -> Unreadable:
        return Unreadable(
            "service account keys",
            f"service account {email}",
            failure.reason,
            failure.message,
            permission=failure.permission or "iam.serviceAccountKeys.list",
            role="roles/iam.securityReviewer",
            service="iam.googleapis.com",
        )

    return session.memo("iam.serviceAccountKeys", email, fetch, failed)


def _keys(session: Session, project_id: str) -> ServiceAccountKeys:
    emails = [str(a.get("email", "")) for a in session.get(SERVICE_ACCOUNTS, project_id)]
    found = session.fan_out(lambda email: _account_keys(session, project_id, email), emails)
    return ServiceAccountKeys(
        keys={e: v for e, v in found.items() if not isinstance(v, Unreadable)},
        unreadable={e: v for e, v in found.items() if isinstance(v, Unreadable)},
    )


SERVICE_ACCOUNTS: Collection[list[JSON]] = Collection(
    name="iam.serviceAccounts",
    title="service accounts",
    service="iam.googleapis.com",
    permission="iam.serviceAccounts.list",
    role="roles/iam.serviceAccountViewer",
    fetch=_service_accounts,
)

SERVICE_ACCOUNT_KEYS: Collection[ServiceAccountKeys] = Collection(
    name="iam.serviceAccountKeys",
    title="user-managed service account keys",
    service="iam.googleapis.com",
    permission="iam.serviceAccountKeys.list",
    role="roles/iam.securityReviewer",
    fetch=_keys,
    also=(Permission("iam.serviceAccounts.list"),),
)
