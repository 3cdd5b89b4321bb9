"""Pub/Sub v1 (discovery): topics, subscriptions and their IAM policies."""

from __future__ import annotations

from collections.abc import Mapping

from ..inventory import JSON, Collection, Permission, PerResource, Session
from ..resources import full_name
from ._common import per_resource_reads


def _topics(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        topics = session.clients.resource("pubsub", "projects", "topics")
        return topics.list(project=f"projects/{project_id}", pageSize=500, pageToken=token)

    return session.discovery_list(page, "topics")


def _subscriptions(session: Session, project_id: str) -> list[JSON]:
    def page(token: str | None) -> object:
        subscriptions = session.clients.resource("pubsub", "projects", "subscriptions")
        return subscriptions.list(project=f"projects/{project_id}", pageSize=500, pageToken=token)

    return session.discovery_list(page, "subscriptions")


def _policies(session: Session, project_id: str) -> PerResource[JSON]:
    """Topic and subscription policies, by resource name."""
    names = [str(t.get("name", "")) for t in session.get(TOPICS, project_id)]
    names += [str(s.get("name", "")) for s in session.get(SUBSCRIPTIONS, project_id)]

    def read(name: str) -> JSON:
        api = session.clients.resource("pubsub", "projects")
        kind = api.topics() if "/topics/" in name else api.subscriptions()
        return session.discovery_policy(
            kind.getIamPolicy(resource=name, options_requestedPolicyVersion=3)
        )

    return per_resource_reads(
        session,
        "pubsub.iamPolicies",
        names,
        read,
        what="IAM policy",
        noun="Pub/Sub resource",
        permission="pubsub.topics.getIamPolicy",
        role="roles/pubsub.viewer",
        service="pubsub.googleapis.com",
    )


def _labels(project_id: str, items: list[JSON]) -> list[tuple[str, Mapping[str, str]]]:
    return [
        (
            full_name("pubsub.googleapis.com", project_id, str(i.get("name", ""))),
            i.get("labels") or {},
        )
        for i in items
    ]


TOPICS: Collection[list[JSON]] = Collection(
    name="pubsub.topics",
    title="Pub/Sub topics",
    service="pubsub.googleapis.com",
    permission="pubsub.topics.list",
    role="roles/pubsub.viewer",
    fetch=_topics,
    labels=_labels,
)

SUBSCRIPTIONS: Collection[list[JSON]] = Collection(
    name="pubsub.subscriptions",
    title="Pub/Sub subscriptions",
    service="pubsub.googleapis.com",
    permission="pubsub.subscriptions.list",
    role="roles/pubsub.viewer",
    fetch=_subscriptions,
    labels=_labels,
)

PUBSUB_IAM: Collection[PerResource[JSON]] = Collection(
    name="pubsub.iamPolicies",
    title="Pub/Sub IAM policies",
    service="pubsub.googleapis.com",
    permission="pubsub.topics.getIamPolicy",
    role="roles/pubsub.viewer",
    fetch=_policies,
    also=(
        Permission("pubsub.subscriptions.getIamPolicy"),
        Permission("pubsub.topics.list"),
        Permission("pubsub.subscriptions.list"),
    ),
)
