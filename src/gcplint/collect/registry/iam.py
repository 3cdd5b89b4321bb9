"""IAM v1 (discovery): service accounts and their user-managed keys."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..collection import JSON, Collection, Each, PerResource, declare
from ..schema import Fields
from ._read import listing

if TYPE_CHECKING:
    from ..session import Session


def _keys(session: Session, project_id: str, email: str) -> list[JSON]:
    """The user-managed keys of one service account."""
    api = session.api
    keys = api.clients.resource("iam", "projects", "serviceAccounts", "keys")
    name = f"projects/{project_id}/serviceAccounts/{email}"
    return api.discovery_items(keys.list(name=name, keyTypes="USER_MANAGED"), "keys")


SERVICE_ACCOUNTS: Collection[list[JSON]] = declare(
    "iam.serviceAccounts: service accounts, iam.serviceAccounts.list (roles/iam.serviceAccountViewer)",
    read=listing("iam.projects.serviceAccounts", "accounts", name="projects/{key}", pageSize=100),
    fields=Fields.of("ServiceAccount", "name", "email", "disabled", listed="accounts"),
)

SERVICE_ACCOUNT_KEYS: Collection[PerResource[list[JSON]]] = declare(
    "iam.serviceAccountKeys: user-managed service account keys, iam.serviceAccountKeys.list (roles/iam.securityReviewer)",
    each=Each(
        (SERVICE_ACCOUNTS,),
        _keys,
        "service account keys",
        "service account",
        key=lambda account: str(account.get("email", "")),
    ),
    fields=Fields.of(
        "ServiceAccountKey", "name", "keyType", "disabled", "validAfterTime", listed="keys"
    ),
)
