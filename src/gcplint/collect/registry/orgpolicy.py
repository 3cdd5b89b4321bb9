"""Organization Policy v2 (discovery): a project's effective policy for each constraint that
decides a check's answer (`getEffectivePolicy`: the policies of the project, its folders and its
organization merged), one read per constraint.

A check that a constraint decides requires `ORG_POLICIES` and reads the policy of its
constraint with `effective_policy(policies, project_id, constraint)`; the constraint is added to
`CONSTRAINTS`, so it is read (and snapshots keep it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..collection import JSON, Collection, Each, PerResource, declare
from ..schema import Fields

if TYPE_CHECKING:
    from ..session import Session

PUBLIC_ACCESS_PREVENTION = "constraints/storage.publicAccessPrevention"  # boolean
CONSTRAINTS = (PUBLIC_ACCESS_PREVENTION,)  # every constraint a check reads


def policy_name(project_id: str, constraint: str) -> str:
    """The name of a project's policy for a constraint:
    `projects/acme-prod/policies/storage.publicAccessPrevention`."""
    return f"projects/{project_id}/policies/{constraint.removeprefix('constraints/')}"


def effective_policy(policies: PerResource[JSON], project_id: str, constraint: str) -> JSON:
    """The effective policy of a constraint (one of `CONSTRAINTS`) for a project; raises
    Unreadable when it could not be read."""
    return policies.of(policy_name(project_id, constraint))


def _names(session: Session, project_id: str) -> list[JSON]:
    return [{"name": policy_name(project_id, constraint)} for constraint in CONSTRAINTS]


def _effective(session: Session, project_id: str, name: str) -> JSON:
    api = session.api
    policies = api.clients.resource("orgpolicy", "projects", "policies")
    return api.discovery_get(policies.getEffectivePolicy(name=name))


ORG_POLICY_NAMES: Collection[list[JSON]] = declare(
    "orgpolicy.policyNames: the organization policies checks read, orgpolicy.policy.get"
    " (roles/orgpolicy.policyViewer)",
    read=_names,
    stored=False,
)

ORG_POLICIES: Collection[PerResource[JSON]] = declare(
    "orgpolicy.effectivePolicies: effective organization policies, orgpolicy.policy.get"
    " (roles/orgpolicy.policyViewer)",
    each=Each((ORG_POLICY_NAMES,), _effective, "effective value", "organization policy"),
    fields=Fields.of(
        "GoogleCloudOrgpolicyV2Policy",
        "name",
        "spec.rules[].enforce",
        "spec.rules[].condition.expression",
    ),
)
