"""Service map, Logging: who read production data can be answered."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from gcplint.api import Area, Inventory, Outcome, Severity, check, failed, passed, registry

NEEDED = ("DATA_READ", "DATA_WRITE")


@check(
    id="logging.data-access-off",
    title="Data Access audit logs are on for all services",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.PROJECT_IAM_POLICY],
    security=True,
)
def data_access_off(inv: Inventory) -> Iterator[Outcome]:
    """The project IAM policy's `auditConfigs` do not enable DATA_READ and DATA_WRITE for
    `allServices`.

    Exempted members (`exemptedMembers`) are named in the result: their reads stay unlogged.

    ## Why it matters
    Admin Activity logs record who changed configuration; only Data Access logs record who read
    or wrote the data. Without them, after an incident "which identity read the customer table or
    downloaded the export?" has no answer.

    ## Example
    A policy whose only audit config enables DATA_READ for `storage.googleapis.com`: fails.

    ## Remediation
    Add to the project policy (`gcloud projects get-iam-policy PROJECT_ID --format=json > p.json`,
    edit, `gcloud projects set-iam-policy PROJECT_ID p.json`):
    `"auditConfigs": [{"service": "allServices", "auditLogConfigs": [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}]}]`.

    ## References
    - https://cloud.google.com/logging/docs/audit/configure-data-access
    """
    configs = inv.get(registry.PROJECT_IAM_POLICY).get("auditConfigs") or []
    everything: dict[str, Any] = next((c for c in configs if c.get("service") == "allServices"), {})
    logs = {str(c.get("logType")): c for c in everything.get("auditLogConfigs") or []}
    missing = [t for t in NEEDED if t not in logs]
    if not missing:
        exempt = sorted({m for t in NEEDED for m in logs[t].get("exemptedMembers") or []})
        note = f"; exempted: {', '.join(exempt)}" if exempt else ""
        yield passed(
            inv.resource,
            f"Project {inv.project_id} logs DATA_READ and DATA_WRITE for all services{note}.",
        )
        return
    others = sorted({str(c.get("service")) for c in configs if c.get("service") != "allServices"})
    context = f" (audit configs exist only for {', '.join(others)})" if others else ""
    yield failed(
        inv.resource,
        f"Project {inv.project_id} does not log {' and '.join(missing)} for allServices{context}.",
        remediation=(
            f"gcloud projects get-iam-policy {inv.project_id} --format=json > policy.json; add "
            '{"service": "allServices", "auditLogConfigs": [{"logType": "DATA_READ"}, {"logType": "DATA_WRITE"}]} '
            f"to auditConfigs; gcloud projects set-iam-policy {inv.project_id} policy.json"
        ),
    )
