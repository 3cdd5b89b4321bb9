"""Pub/Sub v1: a project's topics and subscriptions, and their IAM policies."""

from __future__ import annotations

from typing import Any

from ...collect import registry
from ...collect.collection import Collection
from ...world import JSON
from . import Call, listing, route
from ._names import existing, policy_by_suffix

topics = listing("GET /v1/projects/{project}/topics", registry.TOPICS, "topics")
subscriptions = listing(
    "GET /v1/projects/{project}/subscriptions", registry.SUBSCRIPTIONS, "subscriptions"
)


@route(
    "GET /v1/projects/{project}/topics/{topic}:getIamPolicy",
    registry.PUBSUB_IAM,
    key="projects/{project}/topics/{topic}",
)
def topic_iam_policy(call: Call) -> JSON:
    return _policy(call, registry.TOPICS, "topics", call.params["topic"])


@route(
    "GET /v1/projects/{project}/subscriptions/{subscription}:getIamPolicy",
    registry.PUBSUB_IAM,
    key="projects/{project}/subscriptions/{subscription}",
    permission="pubsub.subscriptions.getIamPolicy",
)
def subscription_iam_policy(call: Call) -> JSON:
    return _policy(call, registry.SUBSCRIPTIONS, "subscriptions", call.params["subscription"])


def _policy(call: Call, items: Collection[Any], kind: str, name: str) -> JSON:
    """The IAM policy of the topic or subscription `name` (`kind`: its path segment), or a 404."""
    suffix = existing(
        call.collection(items, []), f"/{kind}/{name}", f"Resource not found (resource={name})."
    )
    return policy_by_suffix(call.collection(registry.PUBSUB_IAM, {}), suffix)
