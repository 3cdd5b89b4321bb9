"""Secret Manager v1 (discovery): secrets, their versions and IAM policies. Payloads
(`versions:access`) are never read: metadata and version states are enough."""

from __future__ import annotations

from ..apis import SECRET_MANAGER
from ..collection import JSON, Collection, Each, PerResource, declare
from ..schema import Fields
from ._labels import item_labels
from ._read import POLICY, each_listing, each_policy, listing

SECRETS: Collection[list[JSON]] = declare(
    "secretmanager.secrets: secrets, secretmanager.secrets.list (roles/secretmanager.viewer)",
    read=listing("secretmanager.projects.secrets", parent="projects/{key}", pageSize=250),
    labels=item_labels(SECRET_MANAGER),
    fields=Fields.of("Secret", "name", "labels", listed="secrets"),
)

SECRET_VERSIONS: Collection[PerResource[list[JSON]]] = declare(
    "secretmanager.versions: secret versions, secretmanager.versions.list (roles/secretmanager.viewer)",
    each=Each(
        (SECRETS,),
        each_listing("secretmanager.projects.secrets.versions", parent="{name}", pageSize=250),
        "secret versions",
        "secret",
    ),
    fields=Fields.of("SecretVersion", "name", "state", listed="versions"),
)

SECRET_IAM: Collection[PerResource[JSON]] = declare(
    "secretmanager.iamPolicies: secret IAM policies, secretmanager.secrets.getIamPolicy (roles/secretmanager.viewer)",
    each=Each(
        (SECRETS,),
        each_policy(
            "secretmanager.projects.secrets", resource="{name}", options_requestedPolicyVersion=3
        ),
        "IAM policy",
        "secret",
    ),
    fields=Fields.of("Policy", *POLICY),
)
