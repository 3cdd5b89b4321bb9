"""Pub/Sub: a project's topics and subscriptions (pull, or push to its Cloud Run services; with and
without dead-letter topics) and their IAM policies, a few public."""

from __future__ import annotations

import random

from .draws import chance, pick
from .plan import JSON, PUBLIC_MEMBERS, ProjectPlan, WorldPlan, binding, policy, short, team_labels

TOPIC_NAMES = ("orders", "events", "notifications", "payments", "emails", "signups")
CONSUMERS = ("worker", "audit", "bq-export", "notifier", "analytics")


def _topic(rng: random.Random, project: ProjectPlan, name: str) -> JSON:
    """The topic `name`, sometimes labelled, sometimes retaining its messages for a day."""
    topic: JSON = {"name": name}
    if chance(rng, 0.4):
        topic["labels"] = team_labels(project)
    if chance(rng, 0.2):
        topic["messageRetentionDuration"] = "86400s"
    return topic


def _subscription(
    world: WorldPlan,
    project: ProjectPlan,
    name: str,
    topic: str,
    services: list[JSON],
    dead_letter: str | None,
) -> JSON:
    """A pull subscription, or a push one to a Cloud Run service of the project; with a
    dead-letter policy when `dead_letter` names a topic."""
    rng = world.rng
    subscription: JSON = {
        "name": f"projects/{project.project_id}/subscriptions/{name}",
        "topic": topic,
    }
    subscription["pushConfig"] = {}
    if services and chance(rng, 0.4):
        uri = str(pick(rng, services)["uri"])
        account = pick(rng, project.workload_accounts())
        subscription["pushConfig"] = {
            "pushEndpoint": f"{uri}/pubsub/{short(topic)}",
            "oidcToken": {"serviceAccountEmail": account, "audience": uri},
        }
    subscription["ackDeadlineSeconds"] = pick(rng, (10, 30, 60, 600))
    subscription["messageRetentionDuration"] = "604800s"
    subscription["expirationPolicy"] = {} if chance(rng, 0.7) else {"ttl": "2678400s"}
    if dead_letter is not None:
        attempts = pick(rng, (5, 10, 20))
        subscription["deadLetterPolicy"] = {
            "deadLetterTopic": dead_letter,
            "maxDeliveryAttempts": attempts,
        }
    if chance(rng, 0.4):
        subscription["retryPolicy"] = {"minimumBackoff": "10s", "maximumBackoff": "600s"}
    subscription["state"] = "ACTIVE"
    return subscription


def topics_and_subscriptions(
    world: WorldPlan, project: ProjectPlan, services: list[JSON]
) -> tuple[list[JSON], list[JSON]]:
    """0 to 3 topics with 0 to 2 subscriptions each. Some topics with subscriptions have a
    dead-letter topic (read by a subscription of its own) that most of them use."""
    rng = world.rng
    topics: list[JSON] = []
    subscriptions: list[JSON] = []
    for topic_id in rng.sample(TOPIC_NAMES, pick(rng, (0, 1, 1, 2, 3))):
        topic = f"projects/{project.project_id}/topics/{topic_id}"
        topics.append(_topic(rng, project, topic))
        consumers = rng.sample(CONSUMERS, rng.randint(0, 2))
        dead_letter = None
        if consumers and chance(rng, 0.55):
            dead_letter = f"{topic}-dead-letter"
            topics.append(_topic(rng, project, dead_letter))
            name = f"{topic_id}-dead-letter-sub"
            subscriptions.append(_subscription(world, project, name, dead_letter, [], None))
        for consumer in consumers:
            uses = dead_letter if chance(rng, 0.8) else None
            name = f"{topic_id}-{consumer}"
            subscriptions.append(_subscription(world, project, name, topic, services, uses))
    return topics, subscriptions


def pubsub_policies(
    world: WorldPlan, project: ProjectPlan, topics: list[JSON], subscriptions: list[JSON]
) -> JSON:
    """Publishers and subscribers: the Pub/Sub service agent where dead-lettering needs it,
    else sometimes a workload; a few topics and subscriptions are public."""
    rng = world.rng
    agent = f"serviceAccount:service-{project.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    workloads = [f"serviceAccount:{e}" for e in project.workload_accounts()]
    dead_letters = {
        s["deadLetterPolicy"]["deadLetterTopic"] for s in subscriptions if "deadLetterPolicy" in s
    }
    policies: JSON = {}
    for role, items in (
        ("roles/pubsub.publisher", topics),
        ("roles/pubsub.subscriber", subscriptions),
    ):
        for item in items:
            needs_agent = item["name"] in dead_letters or "deadLetterPolicy" in item
            members = (
                {agent} if needs_agent else {pick(rng, workloads)} if chance(rng, 0.6) else set()
            )
            if chance(rng, 0.07):
                members.add(pick(rng, PUBLIC_MEMBERS))
            if members:
                policies[item["name"]] = policy(rng, [binding(role, members)])
    return policies
