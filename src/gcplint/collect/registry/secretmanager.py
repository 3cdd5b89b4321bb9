"""Secret Manager v1 (discovery): secrets, their versions and IAM policies. Payloads
(`versions:access`) are never read: metadata and version states are enough."""

from __future__ import annotations

from ..apis import SECRET_MANAGER
from ..collection import JSON, Collection, Each, PerResource
from ._labels import item_labels
from ._read import each_listing, each_policy, listing

SECRETS: Collection[list[JSON]] = Collection(
    name="secretmanager.secrets",
    title="secrets",
    api=SECRET_MANAGER,
    permission="secretmanager.secrets.list",
    role="roles/secretmanager.viewer",
    read=listing(
        SECRET_MANAGER, ("projects", "secrets"), "secrets", parent="projects/{key}", pageSize=250
    ),
    labels=item_labels(SECRET_MANAGER),
)

SECRET_VERSIONS: Collection[PerResource[list[JSON]]] = Collection(
    name="secretmanager.versions",
    title="secret versions",
    api=SECRET_MANAGER,
    permission="secretmanager.versions.list",
    role="roles/secretmanager.viewer",
    each=Each(
        (SECRETS,),
        each_listing(
            SECRET_MANAGER,
            ("projects", "secrets", "versions"),
            "versions",
            parent="{name}",
            pageSize=250,
        ),
        "secret versions",
        "secret",
    ),
)

SECRET_IAM: Collection[PerResource[JSON]] = Collection(
    name="secretmanager.iamPolicies",
    title="secret IAM policies",
    api=SECRET_MANAGER,
    permission="secretmanager.secrets.getIamPolicy",
    role="roles/secretmanager.viewer",
    each=Each(
        (SECRETS,),
        each_policy(
            SECRET_MANAGER,
            ("projects", "secrets"),
            resource="{name}",
            options_requestedPolicyVersion=3,
        ),
        "IAM policy",
        "secret",
    ),
)
