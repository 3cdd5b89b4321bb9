"""Outcomes for data that could not be read, where the usual mapping does not fit.

An `Unreadable` raised in a check becomes unknown, except API_DISABLED, which becomes
not_applicable: the resource cannot exist. Some data exists whatever the project enables
(essential contacts inherited from the organization, the log sinks every project has, a lien, an
IAM policy in another project); `unknown_anyway` keeps those unknown.
"""

from __future__ import annotations

from gcplint.api import Outcome, Reason, Unreadable, unknown

from ._shell import sh


def unknown_anyway(exc: Unreadable, resource: str, why: str, *, prefix: str = "") -> Outcome:
    """Unknown, whatever the reason, API_DISABLED included; `why` says why a disabled API
    does not settle it ("contacts are inherited from the organization"); the message starts
    with `prefix`."""
    if exc.reason is not Reason.API_DISABLED:
        return unknown(resource, exc.reason, prefix + exc.describe(), remediation=exc.hint())
    service = exc.service or "the API"
    fix = None
    if exc.target.startswith("project "):
        project_id = exc.target.split()[1]
        fix = f"gcloud services enable {sh(service)} --project={sh(project_id)}"
    return unknown(
        resource,
        exc.reason,
        f"{prefix}{service} is disabled for {exc.target}, so its {exc.what} could not be read; {why}.",
        remediation=fix,
    )
