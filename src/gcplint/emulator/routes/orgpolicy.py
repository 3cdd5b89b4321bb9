"""Organization Policy v2: a project's effective policy for a constraint, as the world declares
it (`orgpolicy.effectivePolicies`, by policy name); a constraint the world does not name answers
as a boolean constraint set nowhere does: one rule, not enforced."""

from __future__ import annotations

from ...collect import registry
from ...world import JSON
from . import Call, route


@route(
    "GET /v2/projects/{project}/policies/{policy}:getEffectivePolicy",
    registry.ORG_POLICIES,
    key="projects/{project}/policies/{policy}",
)
def effective_policy(call: Call) -> JSON:
    assert call.project is not None
    declared: dict[str, JSON] = call.collection(registry.ORG_POLICIES, {})
    policy = call.params["policy"]
    for key in (call.project.project_id, call.project.number):
        if f"projects/{key}/policies/{policy}" in declared:
            return declared[f"projects/{key}/policies/{policy}"]
    return {
        "name": f"projects/{call.project.number}/policies/{policy}",
        "spec": {"rules": [{"enforce": False}]},
    }
