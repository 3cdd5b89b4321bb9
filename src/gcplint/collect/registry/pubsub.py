"""Pub/Sub v1 (discovery): topics, subscriptions and their IAM policies."""

from __future__ import annotations

from ..apis import PUBSUB
from ..collection import JSON, Collection, Each, Permission, PerResource, declare
from ..schema import Fields
from ._labels import item_labels
from ._read import POLICY, each_policy, listing

_TOPIC_POLICY = each_policy(
    "pubsub.projects.topics", resource="{name}", options_requestedPolicyVersion=3
)
_SUBSCRIPTION_POLICY = each_policy(
    "pubsub.projects.subscriptions", resource="{name}", options_requestedPolicyVersion=3
)

TOPICS: Collection[list[JSON]] = declare(
    "pubsub.topics: Pub/Sub topics, pubsub.topics.list (roles/pubsub.viewer)",
    read=listing("pubsub.projects.topics", project="projects/{key}", pageSize=500),
    labels=item_labels(PUBSUB),
    fields=Fields.of("Topic", "name", "labels", listed="topics"),
)

SUBSCRIPTIONS: Collection[list[JSON]] = declare(
    "pubsub.subscriptions: Pub/Sub subscriptions, pubsub.subscriptions.list (roles/pubsub.viewer)",
    read=listing("pubsub.projects.subscriptions", project="projects/{key}", pageSize=500),
    labels=item_labels(PUBSUB),
    fields=Fields.of(
        "Subscription",
        "name",
        "topic",
        "labels",
        "deadLetterPolicy.deadLetterTopic",
        "deadLetterPolicy.maxDeliveryAttempts",
        listed="subscriptions",
    ),
)

PUBSUB_IAM: Collection[PerResource[JSON]] = declare(
    "pubsub.iamPolicies: Pub/Sub IAM policies, pubsub.topics.getIamPolicy (roles/pubsub.viewer)",
    each=Each(
        (TOPICS, SUBSCRIPTIONS),
        lambda session, key, name: (_TOPIC_POLICY if "/topics/" in name else _SUBSCRIPTION_POLICY)(
            session, key, name
        ),
        "IAM policy",
        "Pub/Sub resource",
    ),
    also=(Permission("pubsub.subscriptions.getIamPolicy"),),
    fields=Fields.of("Policy", *POLICY),
)
