"""Essential Contacts v1: a project's own contacts (`list`), and `compute`: those of the project,
its folders and its organization that subscribe to the asked notification categories."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import ESSENTIAL_CONTACTS
from ...world import JSON
from . import Call, route

CONTACTS = registry.ESSENTIAL_CONTACTS.name  # a project's, folder's or organization's own


@route(
    "GET /v1/projects/{project}/contacts",
    api=ESSENTIAL_CONTACTS,
    permission="essentialcontacts.contacts.list",
)
def contacts(call: Call) -> JSON:
    return call.page(call.collection(registry.ESSENTIAL_CONTACTS, []), "contacts")


@route("GET /v1/projects/{project}/contacts:compute", registry.ESSENTIAL_CONTACTS)
def compute(call: Call) -> JSON:
    """The project's contacts and those it inherits, subscribed to any asked category (a contact
    subscribed to ALL receives every category)."""
    assert call.project is not None
    inherited = [
        contact
        for ancestor in call.world.ancestors(call.project)
        for contact in call.world.resources.get(ancestor, {}).get(CONTACTS, [])
    ]
    asked = set(call.query.get("notificationCategories", []))
    found = [
        c
        for c in [*call.collection(registry.ESSENTIAL_CONTACTS, []), *inherited]
        if not asked or (asked | {"ALL"}) & set(c.get("notificationCategorySubscriptions", []))
    ]
    return call.page(found, "contacts")
