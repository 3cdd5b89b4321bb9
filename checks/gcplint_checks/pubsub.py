"""Pub/Sub: private topics and subscriptions, and no poison message retried forever (a
dead-letter topic that the Pub/Sub service agent can actually forward to)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
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

from ._iam import condition_note, grants
from ._outcomes import unknown_anyway
from ._policy import public_resource
from ._resources import last_segment, resource_name, short_name
from ._shell import sh, sh_field

EVENTARC_LABEL = "goog-eventarc"  # on the transport topic and subscription of an Eventarc trigger


@check(
    id="pubsub.public",
    waf=("security",),
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
            f"gcloud pubsub {kind}s remove-iam-policy-binding {sh_field(short)} --project={sh_field(inv.project_id)} "
            "--member={member} --role={role}",
        )


@check(
    id="pubsub.no-dead-letter",
    waf=("reliability",),
    title="Subscriptions have a dead-letter topic",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.SUBSCRIPTIONS, registry.PROJECT],  # PROJECT: the service agent's email
)
def no_dead_letter(inv: Inventory) -> Iterator[Outcome]:
    """A subscription has no `deadLetterPolicy`: a message its consumer cannot process is
    redelivered forever (until it expires).

    Subscriptions that read a dead-letter topic (one that another subscription of the project
    dead-letters into) are not evaluated: they are the end of the line.

    The transport subscriptions Eventarc creates for its triggers (label `goog-eventarc`, IDs
    starting `eventarc-REGION-`) are judged like any other, at the same severity: Google creates
    them, but Eventarc's documentation has you set their dead-letter topic yourself, and without
    one an event the destination keeps refusing is dropped once the 24-hour retention Eventarc
    sets runs out. The message says the subscription is an Eventarc trigger's. Cloud Scheduler
    creates no subscription (its Pub/Sub jobs publish to a topic of yours), so it needs no
    exception.

    ## Why it matters
    One poison message then keeps a worker busy, blocks ordered delivery, inflates the backlog
    that your alerts watch and, for push subscriptions, hammers the endpoint.

    ## Example
    Subscription `orders-worker` with no deadLetterPolicy: fails.

    ## Remediation
    Create a dead-letter topic with a subscription of its own (messages published to a topic
    without one are lost), attach it, and grant the project's Pub/Sub service agent publisher on
    the topic and subscriber on the subscription (else `pubsub.dead-letter-unwritable` fails):
    `gcloud pubsub topics create SUBSCRIPTION-dead-letter --project=PROJECT_ID`,
    `gcloud pubsub subscriptions create SUBSCRIPTION-dead-letter --topic=SUBSCRIPTION-dead-letter --project=PROJECT_ID`,
    `gcloud pubsub subscriptions update SUBSCRIPTION --project=PROJECT_ID --dead-letter-topic=SUBSCRIPTION-dead-letter --max-delivery-attempts=10`,
    then the two `add-iam-policy-binding` grants (gcplint's remediation spells them out).

    ## References
    - https://cloud.google.com/pubsub/docs/handling-failures
    - https://cloud.google.com/eventarc/docs/retry-events
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
            eventarc = (
                " It is the transport subscription of an Eventarc trigger: Eventarc creates it, "
                "but its dead-letter topic is yours to set."
                if EVENTARC_LABEL in (subscription.get("labels") or {})
                else ""
            )
            yield failed(
                resource,
                f"Subscription {short} has no dead-letter topic: a message that always fails is "
                f"redelivered forever.{eventarc}",
                remediation=_add_dead_letter(inv, subscription),
            )


def _add_dead_letter(inv: Inventory, subscription: Mapping[str, Any]) -> str:
    """The gcloud commands that give a subscription a dead-letter topic that works: the topic,
    a subscription on it that keeps what lands there, the policy, and the service agent's two
    grants (`pubsub.dead-letter-unwritable` checks them)."""
    short, project_id = short_name(subscription), inv.project_id
    topic = f"{short}-dead-letter"
    steps = [
        f"gcloud pubsub topics create {sh(topic)} --project={sh(project_id)}",
        f"gcloud pubsub subscriptions create {sh(topic)} --topic={sh(topic)} --project={sh(project_id)}",
        f"gcloud pubsub subscriptions update {sh(short)} --project={sh(project_id)} "
        f"--dead-letter-topic={sh(topic)} --max-delivery-attempts=10",
    ]
    try:
        member = (
            f"serviceAccount:service-{inv.project().number}@gcp-sa-pubsub.iam.gserviceaccount.com"
        )
    except Unreadable:
        return " && ".join(steps) + (
            "  (then grant the project's Pub/Sub service agent roles/pubsub.publisher on the "
            "topic and roles/pubsub.subscriber on the subscription)"
        )
    steps.append(_grant(PUBLISH, f"projects/{project_id}/topics/{topic}", member))
    steps.append(_grant(CONSUME, str(subscription.get("name", "")), member))
    return " && ".join(steps)


# The predefined roles that hold each permission dead-lettering needs, from Google's IAM roles
# reference: https://cloud.google.com/iam/docs/roles-permissions/pubsub (Pub/Sub roles) and
# https://cloud.google.com/iam/docs/understanding-roles#basic (basic roles). Custom roles, and
# the other predefined roles that include a permission, are not trusted to grant it; nor is
# roles/pubsub.serviceAgent, which the agent holds by default (Google asks for explicit grants).
PUBLISH = "pubsub.topics.publish"
CONSUME = "pubsub.subscriptions.consume"
ROLES_WITH: dict[str, tuple[str, ...]] = {
    PUBLISH: (
        "roles/pubsub.publisher",
        "roles/pubsub.editor",
        "roles/pubsub.admin",
        "roles/editor",
        "roles/owner",
    ),
    CONSUME: (
        "roles/pubsub.subscriber",
        "roles/pubsub.editor",
        "roles/pubsub.admin",
        "roles/editor",
        "roles/owner",
    ),
}
FIX_ROLE = {PUBLISH: "roles/pubsub.publisher", CONSUME: "roles/pubsub.subscriber"}
KIND = {PUBLISH: "topic", CONSUME: "subscription"}  # what each permission is granted on
GRANTED_ON = (registry.PUBSUB_IAM, registry.PROJECT_IAM_POLICY)  # the resource's, its project's


@dataclass(frozen=True)
class Access:
    """Whether a member holds a permission on a topic or subscription, or on its project."""

    permission: str  # PUBLISH (on a topic) or CONSUME (on a subscription)
    name: str  # projects/P/topics/T or projects/P/subscriptions/S
    grant: str | None  # "roles/pubsub.publisher on project P"; None: none found
    held: tuple[str, ...]  # every role the member holds in the places read, for the message
    unread: Unreadable | None  # a policy that could not be read, when no grant was found

    @property
    def project_id(self) -> str:
        """The project of the topic or subscription."""
        return self.name.split("/")[1]

    def fix(self, member: str) -> str:
        """The gcloud command that grants the permission on the resource itself."""
        return _grant(self.permission, self.name, member)

    def verb(self) -> str:
        """'publish to projects/p/topics/t' or 'consume the subscription'."""
        if self.permission == PUBLISH:
            return f"publish to {self.name}"
        return "consume the subscription"


def _grant(permission: str, name: str, member: str) -> str:
    """`gcloud pubsub topics|subscriptions add-iam-policy-binding NAME ...`: the role that
    grants `permission` to `member` on the topic or subscription `name`."""
    return (
        f"gcloud pubsub {KIND[permission]}s add-iam-policy-binding {sh(last_segment(name))} "
        f"--project={sh(name.split('/')[1])} --member={sh(member)} --role={FIX_ROLE[permission]}"
    )


@check(
    id="pubsub.dead-letter-unwritable",
    waf=("reliability",),
    title="The Pub/Sub service agent can forward messages to dead-letter topics",
    severity=Severity.HIGH,
    area=Area.RELIABILITY,
    requires=[registry.PROJECT, registry.SUBSCRIPTIONS, *GRANTED_ON],
)
def dead_letter_unwritable(inv: Inventory) -> Iterator[Outcome]:
    """A subscription has a `deadLetterPolicy`, but the Pub/Sub service agent of its project
    (`service-PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com`) cannot publish to the
    dead-letter topic (no role granting `pubsub.topics.publish` on the topic or its project) or
    cannot consume the subscription (none granting `pubsub.subscriptions.consume` on it or its
    project), or the dead-letter topic does not exist.

    The roles trusted to grant the permissions are the Pub/Sub and basic roles that hold them:
    roles/pubsub.publisher (publish) or roles/pubsub.subscriber (consume), roles/pubsub.editor,
    roles/pubsub.admin, roles/editor and roles/owner. `roles/pubsub.serviceAgent`, which the agent
    holds by default, does not count; neither do conditional grants, grants on a folder or the
    organization, nor custom roles (they are out of scope for now: the check does not pass on
    them). The dead-letter topic may be in another project: its policies are read there, and
    the result is unknown when they cannot be. `subject` is the service agent.

    ## Why it matters
    Pub/Sub forwards a message to the dead-letter topic as its service agent. Without both
    grants the forwarding fails silently: the message is redelivered forever, exactly as if there
    were no dead-letter topic, while the configuration says it is handled (and the delivery
    attempts are not even counted).

    ## Example
    Subscription `orders-worker` dead-letters to `orders-dead-letter`; the agent
    `service-100000000001@gcp-sa-pubsub.iam.gserviceaccount.com` holds roles/pubsub.publisher on
    the topic but nothing on the subscription: fails (cannot consume).

    ## Remediation
    `gcloud pubsub topics add-iam-policy-binding DEAD_LETTER_TOPIC --project=TOPIC_PROJECT --member=serviceAccount:service-PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com --role=roles/pubsub.publisher`
    and `gcloud pubsub subscriptions add-iam-policy-binding SUBSCRIPTION --project=PROJECT_ID --member=serviceAccount:service-PROJECT_NUMBER@gcp-sa-pubsub.iam.gserviceaccount.com --role=roles/pubsub.subscriber`.

    ## References
    - https://cloud.google.com/pubsub/docs/dead-letter-topics
    - https://cloud.google.com/iam/docs/roles-permissions/pubsub
    - https://cloud.google.com/iam/docs/understanding-roles#basic
    - https://cloud.google.com/sdk/gcloud/reference/pubsub/topics/add-iam-policy-binding
    """
    agent = f"service-{inv.project().number}@gcp-sa-pubsub.iam.gserviceaccount.com"
    member = f"serviceAccount:{agent}"
    for subscription in inv.get(registry.SUBSCRIPTIONS):
        topic = str((subscription.get("deadLetterPolicy") or {}).get("deadLetterTopic") or "")
        if not topic:
            continue
        name = str(subscription.get("name", ""))
        short = short_name(subscription)
        resource = resource_name(inv, registry.SUBSCRIPTIONS, subscription)
        intro = f"Subscription {short} dead-letters to {topic}"
        exists = _topic_exists(inv, topic)
        if exists is False:
            yield failed(
                resource,
                f"{intro}, which does not exist: failed messages are never dead-lettered.",
                subject=member,
                remediation=f"gcloud pubsub topics create {sh(last_segment(topic))} --project={sh(topic.split('/')[1])}\n"
                + _grant(PUBLISH, topic, member),
            )
            continue
        sides = [_access(inv, member, PUBLISH, topic), _access(inv, member, CONSUME, name)]
        lacking = [a for a in sides if a.grant is None and a.unread is None]
        unread = [(a, a.unread) for a in sides if a.grant is None and a.unread is not None]
        if lacking:
            held = sorted({role for a in sides for role in a.held})
            holds = f" (it holds {', '.join(held)})" if held else ""
            pending = "".join(f"; whether it can {a.verb()} is unknown" for a, _ in unread)
            yield failed(
                resource,
                f"{intro}, but the Pub/Sub service agent {agent} cannot "
                + " nor ".join(a.verb() for a in lacking)
                + f"{holds}{pending}: failed messages are never dead-lettered.",
                subject=member,
                remediation="\n".join(a.fix(member) for a in lacking),
            )
        elif unread:
            side, exc = unread[0]
            yield unknown_anyway(
                exc,
                resource,
                f"{KIND[side.permission]}s exist whatever project {side.project_id} enables",
                prefix=f"{intro}; whether the Pub/Sub service agent can {side.verb()} is unknown: ",
            )
        elif isinstance(exists, Unreadable):
            yield unknown_anyway(
                exists,
                resource,
                f"topics exist whatever project {topic.split('/')[1]} enables",
                prefix=f"{intro}; the Pub/Sub service agent may publish to it ({sides[0].grant}), "
                "but whether that topic exists is unknown: ",
            )
        else:
            yield passed(
                resource,
                f"{intro}; the Pub/Sub service agent can publish to it ({sides[0].grant}) and "
                f"consume the subscription ({sides[1].grant}).",
                subject=member,
            )


def _topic_exists(inv: Inventory, topic: str) -> bool | Unreadable:
    """Whether the topic is among its project's topics, or why they could not be listed."""
    try:
        policies = inv.get(registry.PUBSUB_IAM, topic.split("/")[1])
    except Unreadable as exc:
        return exc
    return topic in policies.found or topic in policies.unreadable


def _access(inv: Inventory, member: str, permission: str, name: str) -> Access:
    """Whether `member` holds a trusted role for `permission` on the Pub/Sub resource `name`
    (its own IAM policy) or on its project (the project's policy)."""
    project_id = name.split("/")[1]
    places: list[tuple[str, Callable[[], Mapping[str, Any]]]] = [
        (
            f"{KIND[permission]} {last_segment(name)}",
            lambda: inv.get(registry.PUBSUB_IAM, project_id).of(name),
        ),
        (f"project {project_id}", lambda: inv.get(registry.PROJECT_IAM_POLICY, project_id)),
    ]
    held: list[str] = []
    unread: Unreadable | None = None
    for where, read in places:
        try:
            policy = read()
        except Unreadable as exc:
            unread = unread or exc
            continue
        mine = [g for g in grants(policy, inv.now) if g.member == member]
        held += [f"{g.role}{condition_note(g)} on {where}" for g in mine]
        trusted = [g for g in mine if g.role in ROLES_WITH[permission] and not g.condition]
        if trusted:
            return Access(permission, name, f"{trusted[0].role} on {where}", (), None)
    return Access(permission, name, None, tuple(held), unread)
