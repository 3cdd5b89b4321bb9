"""IAM v1 (discovery): service accounts and their user-managed keys; the custom roles of a project
and of an organization (with their permissions, `view=FULL`)."""

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

_ROLES = "iam.roles.list (roles/iam.roleViewer)"
_ROLE_FIELDS = ("name", "includedPermissions", "stage")

PROJECT_ROLES: Collection[list[JSON]] = declare(
    f"iam.roles: custom roles, {_ROLES}",
    read=listing(
        "iam.projects.roles", "roles", parent="projects/{key}", view="FULL", pageSize=1000
    ),
    fields=Fields.of("Role", *_ROLE_FIELDS, listed="roles"),
)

ORGANIZATION_ROLES: Collection[list[JSON]] = declare(
    f"iam.organizationRoles: organization custom roles, {_ROLES}",
    read=listing("iam.organizations.roles", "roles", parent="{key}", view="FULL", pageSize=1000),
    keyed_by="organization",
    permission_on="organization",
    fields=Fields.of("Role", *_ROLE_FIELDS, listed="roles"),
)
