"""Essential Contacts v1 (discovery): who Google notifies about a project, its own contacts and
those inherited from its folders and organization (`contacts:compute`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..collection import JSON, Collection, declare
from ..schema import Fields

if TYPE_CHECKING:
    from ..session import Session

CATEGORIES = ("SECURITY", "TECHNICAL")  # what the readiness checks need someone to receive


def _computed(session: Session, project_id: str) -> list[JSON]:
    api = session.api
    contacts = api.clients.resource("essentialcontacts", "projects", "contacts")
    return api.discovery_list(
        lambda token: contacts.compute(
            parent=f"projects/{project_id}",
            notificationCategories=list(CATEGORIES),
            pageSize=100,
            pageToken=token,
        ),
        "contacts",
    )


ESSENTIAL_CONTACTS: Collection[list[JSON]] = declare(
    "essentialcontacts.contacts: essential contacts (inherited ones included),"
    " essentialcontacts.contacts.list (roles/essentialcontacts.viewer)",
    read=_computed,
    fields=Fields.of(
        "GoogleCloudEssentialcontactsV1Contact",
        "name",
        "email",
        "notificationCategorySubscriptions",
        "validationState",
        listed="contacts",
    ),
)
