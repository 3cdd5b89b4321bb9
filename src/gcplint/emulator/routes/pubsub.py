"""Pub/Sub v1: a project's topics and subscriptions, and their IAM policies."""

from __future__ import annotations

from typing import Any

from ...collect import registry
from ...collect.apis import PUBSUB
from ...collect.collection import Collection
from ...world import JSON
from . import Call, route
from ._names import existing, policy_by_suffix


@route(
    PUBSUB,
    "GET",
    "/v1/projects/{project}/topics",
    permission="pubsub.topics.list",
    method_id="pubsub.projects.topics.list",
    read=(registry.TOPICS, "{project}"),
)
def topics(call: Call) -> JSON:
    return call.page(call.collection(registry.TOPICS, []), "topics")


@route(
    PUBSUB,
    "GET",
    "/v1/projects/{project}/subscriptions",
    permission="pubsub.subscriptions.list",
    method_id="pubsub.projects.subscriptions.list",
    read=(registry.SUBSCRIPTIONS, "{project}"),
)
def subscriptions(call: Call) -> JSON:
    return call.page(call.collection(registry.SUBSCRIPTIONS, []), "subscriptions")


@route(
    PUBSUB,
    "GET",
    "/v1/projects/{project}/topics/{topic}:getIamPolicy",
    permission="pubsub.topics.getIamPolicy",
    method_id="pubsub.projects.topics.getIamPolicy",
    read=(registry.PUBSUB_IAM, "projects/{project}/topics/{topic}"),
)
def topic_iam_policy(call: Call) -> JSON:
    return _policy(call, registry.TOPICS, "topics", call.params["topic"])


@route(
    PUBSUB,
    "GET",
    "/v1/projects/{project}/subscriptions/{subscription}:getIamPolicy",
    permission="pubsub.subscriptions.getIamPolicy",
    method_id="pubsub.projects.subscriptions.getIamPolicy",
    read=(registry.PUBSUB_IAM, "projects/{project}/subscriptions/{subscription}"),
)
def subscription_iam_policy(call: Call) -> JSON:
    return _policy(call, registry.SUBSCRIPTIONS, "subscriptions", call.params["subscription"])


def _policy(call: Call, items: Collection[Any], kind: str, name: str) -> JSON:
    """The IAM policy of the topic or subscription `name` (`kind`: its path segment), or a 404."""
    suffix = existing(
        call.collection(items, []), f"/{kind}/{name}", f"Resource not found (resource={name})."
    )
    return policy_by_suffix(call.collection(registry.PUBSUB_IAM, {}), suffix)
