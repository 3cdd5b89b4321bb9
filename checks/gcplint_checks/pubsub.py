"""Service map, Pub/Sub: private topics and subscriptions, and no poison message retried forever."""

from __future__ import annotations

from collections.abc import Iterator

from gcplint.api import Area, Inventory, Outcome, Severity, check, failed, passed, registry

from ._policy import public_resource
from ._resources import resource_name, short_name


@check(
    id="pubsub.public",
    title="No topic or subscription is open to everyone",
    severity=Severity.CRITICAL,
    area=Area.SERVICES,
    requires=[registry.TOPICS, registry.SUBSCRIPTIONS, registry.PUBSUB_IAM],
    exposure=True,
    security=True,
)
def pubsub_public(inv: Inventory) -> Iterator[Outcome]:
    """A topic or subscription IAM policy names `allUsers` or `allAuthenticatedUsers`.

    ## Why it matters
    A public topic lets anyone publish into your pipeline (forged orders, floods that you pay
    for); a public subscription lets anyone read the messages.

    ## Example
    Topic `orders` granting roles/pubsub.publisher to allAuthenticatedUsers: critical.

    ## Remediation
    `gcloud pubsub topics remove-iam-policy-binding TOPIC --member=allUsers --role=ROLE`
    (`gcloud pubsub subscriptions remove-iam-policy-binding` for a subscription).

    ## References
    - https://cloud.google.com/pubsub/docs/access-control
    """
    items = [("topic", t) for t in inv.get(registry.TOPICS)]
    items += [("subscription", s) for s in inv.get(registry.SUBSCRIPTIONS)]
    for kind, item in items:
        short = short_name(item)
        yield from public_resource(
            inv,
            registry.PUBSUB_IAM,
            item,
            f"Pub/Sub {kind} {short}",
            f"gcloud pubsub {kind}s remove-iam-policy-binding {short} --project={inv.project_id} "
            "--member={member} --role={role}",
        )


@check(
    id="pubsub.no-dead-letter",
    title="Subscriptions have a dead-letter topic",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.SUBSCRIPTIONS],
)
def no_dead_letter(inv: Inventory) -> Iterator[Outcome]:
    """A subscription has no `deadLetterPolicy`: a message its consumer cannot process is
    redelivered forever (until it expires).

    Subscriptions that read a dead-letter topic (one that another subscription of the project
    dead-letters into) are not evaluated: they are the end of the line.

    ## Why it matters
    One poison message then keeps a worker busy, blocks ordered delivery, inflates the backlog
    that your alerts watch and, for push subscriptions, hammers the endpoint.

    ## Example
    Subscription `orders-worker` with no deadLetterPolicy: fails.

    ## Remediation
    `gcloud pubsub subscriptions update SUBSCRIPTION --dead-letter-topic=DEAD_LETTER_TOPIC --max-delivery-attempts=10`
    (and grant the Pub/Sub service agent publisher on that topic and subscriber on the subscription).

    ## References
    - https://cloud.google.com/pubsub/docs/handling-failures
    """
    subscriptions = inv.get(registry.SUBSCRIPTIONS)
    dead_letter_topics = {
        str((s.get("deadLetterPolicy") or {}).get("deadLetterTopic", "")) for s in subscriptions
    } - {""}
    for subscription in subscriptions:
        if subscription.get("topic") in dead_letter_topics:
            continue
        short = short_name(subscription)
        resource = resource_name(inv, registry.SUBSCRIPTIONS, subscription)
        policy = subscription.get("deadLetterPolicy") or {}
        if policy.get("deadLetterTopic"):
            attempts = policy.get("maxDeliveryAttempts", 5)
            yield passed(
                resource,
                f"Subscription {short} dead-letters to {policy['deadLetterTopic']} after {attempts} attempts.",
            )
        else:
            yield failed(
                resource,
                f"Subscription {short} has no dead-letter topic: a message that always fails is redelivered forever.",
                remediation=(
                    f"gcloud pubsub subscriptions update {short} --project={inv.project_id} "
                    "--dead-letter-topic=DEAD_LETTER_TOPIC --max-delivery-attempts=10"
                ),
            )
