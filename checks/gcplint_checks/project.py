"""Reliability of the project itself: it cannot be deleted by mistake, and Google can reach
the people who must hear about security and technical incidents."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Severity,
    Unreadable,
    check,
    failed,
    passed,
    registry,
)

from ._outcomes import unknown_anyway
from ._resources import last_segment
from ._shell import sh

DELETE = "resourcemanager.projects.delete"
CATEGORIES = ("SECURITY", "TECHNICAL")  # what a production project needs someone to receive


@check(
    id="project.no-deletion-lien",
    waf=("reliability",),
    title="Production projects have a lien against deletion",
    severity=Severity.MEDIUM,
    area=Area.RELIABILITY,
    requires=[registry.LIENS],
    prod_only=True,
)
def no_deletion_lien(inv: Inventory) -> Iterator[Outcome]:
    """A production project has no lien whose `restrictions` contain
    `resourcemanager.projects.delete`: one `gcloud projects delete` by anyone who holds that
    permission (Owner does) shuts it down.

    Staging and dev projects are not judged (not_applicable, NOT_PRODUCTION); a project whose
    environment is unknown is judged as production, one whose metadata cannot be read is
    unknown. Liens on other operations do not count.

    ## Why it matters
    Deleting a project stops every service in it at once: Cloud Run services, databases and
    their backups, secrets, buckets. It can be undone for 30 days, but the outage starts at once,
    and a script or a Terraform plan pointed at the wrong project does it in seconds. A lien makes
    the deletion fail until someone with `resourcemanager.projects.updateLiens` removes it first:
    a deliberate second step.

    ## Example
    acme-prod with no lien: fails. The same project with a lien restricting
    `resourcemanager.projects.delete` (reason "Production: remove this lien before deleting"):
    passes.

    ## Remediation
    `gcloud alpha resource-manager liens create --project=PROJECT_ID --restrictions=resourcemanager.projects.delete --reason="Production project: remove this lien before deleting it"`.

    ## References
    - https://cloud.google.com/resource-manager/docs/project-liens
    - https://cloud.google.com/sdk/gcloud/reference/alpha/resource-manager/liens/create
    - https://cloud.google.com/resource-manager/reference/rest/v3/liens
    """
    try:
        liens = inv.get(registry.LIENS)
    except Unreadable as exc:
        yield unknown_anyway(exc, inv.resource, "liens exist whatever the project enables")
        return
    guards = [lien for lien in liens if DELETE in (lien.get("restrictions") or [])]
    if guards:
        yield passed(
            inv.resource,
            f"Project {inv.project_id} has a lien against deletion: {_lien(guards[0])}.",
        )
        return
    others = f"its {len(liens)} lien(s) restrict other operations" if liens else "it has no lien"
    yield failed(
        inv.resource,
        f"Project {inv.project_id} has no lien restricting {DELETE} ({others}): it can be deleted in one command.",
        remediation=(
            f"gcloud alpha resource-manager liens create --project={sh(inv.project_id)} "
            f'--restrictions={DELETE} --reason="Production project: remove this lien before deleting it"'
        ),
    )


def _lien(lien: Mapping[str, Any]) -> str:
    """`ID ('reason')`."""
    reason = lien.get("reason")
    return last_segment(lien.get("name", "?")) + (f" ('{reason}')" if reason else "")


@check(
    id="project.no-essential-contacts",
    waf=("operational-excellence",),
    title="Essential contacts receive security and technical notifications",
    severity=Severity.MEDIUM,
    area=Area.RELIABILITY,
    requires=[registry.ESSENTIAL_CONTACTS],
)
def no_essential_contacts(inv: Inventory) -> Iterator[Outcome]:
    """No valid essential contact of the project, its folders or its organization is
    subscribed to SECURITY, or none to TECHNICAL (the result names the missing category).

    A contact subscribed to ALL covers both; a contact whose `validationState` is INVALID does not
    count. Contacts set on a folder or the organization are inherited, so a project with no
    contact of its own passes when its organization has them. With the Essential Contacts API
    disabled the result is unknown: contacts are inherited whatever the project enables.

    ## Why it matters
    Google sends security bulletins, incident notices and notifications about compromised keys
    or abused resources to essential contacts. Without them, the messages go to the project's
    owners (often people who left) or to nobody who acts, and you learn of the incident late.

    ## Example
    acme-prod, whose organization has `secops@acme.example` subscribed to SECURITY and nobody to
    TECHNICAL: fails (TECHNICAL missing). The same organization with `oncall@acme.example`
    subscribed to ALL: passes.

    ## Remediation
    `gcloud essential-contacts create --email=EMAIL --notification-categories=security,technical --language=en --project=PROJECT_ID`
    (or `--organization=ORGANIZATION_ID` to cover every project).

    ## References
    - https://cloud.google.com/resource-manager/docs/managing-notification-contacts
    - https://cloud.google.com/sdk/gcloud/reference/essential-contacts/create
    - https://cloud.google.com/resource-manager/docs/reference/essentialcontacts/rest/v1/projects.contacts/compute
    """
    try:
        contacts = inv.get(registry.ESSENTIAL_CONTACTS)
    except Unreadable as exc:
        yield unknown_anyway(
            exc,
            inv.resource,
            "contacts are inherited from folders and the organization whatever the project enables",
        )
        return
    valid = [c for c in contacts if c.get("validationState") != "INVALID"]
    invalid = sorted({_email(c) for c in contacts if c.get("validationState") == "INVALID"})
    covering = {
        category: [
            _contact(c)
            for c in valid
            if {category, "ALL"} & set(c.get("notificationCategorySubscriptions") or [])
        ]
        for category in CATEGORIES
    }
    missing = [category for category, found in covering.items() if not found]
    found = "; ".join(f"{cat}: {', '.join(who)}" for cat, who in covering.items() if who)
    ignored = f"; invalid, so not counted: {', '.join(invalid)}" if invalid else ""
    if not missing:
        yield passed(
            inv.resource,
            f"Project {inv.project_id} has essential contacts for {found}{ignored}.",
        )
        return
    has = f" ({found})" if found else ""
    yield failed(
        inv.resource,
        f"Project {inv.project_id} has no valid essential contact, its own or inherited, for "
        f"{' and '.join(missing)}{has}{ignored}.",
        remediation=(
            f"gcloud essential-contacts create --email=EMAIL "
            f"--notification-categories={','.join(m.lower() for m in missing)} --language=en "
            f"--project={sh(inv.project_id)}"
        ),
    )


def _email(contact: Mapping[str, Any]) -> str:
    return str(contact.get("email", "?"))


def _contact(contact: Mapping[str, Any]) -> str:
    """`email (from organizations/N)` for an inherited contact, `email` for the project's own."""
    owner = "/".join(str(contact.get("name", "")).split("/")[:2])
    inherited = owner.startswith(("folders/", "organizations/"))
    return _email(contact) + (f" (from {owner})" if inherited else "")
