"""Service map, Cloud Run exposure: who can call a service, and from where."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import Area, Inventory, Outcome, Severity, check, failed, passed, registry

from .._policy import public_resource
from .._resources import short_name
from .._run import admits_internet, ingress_of, region_of, service_resource, update
from .._shell import sh_field

JSON = Mapping[str, Any]


def ingress_note(service: JSON) -> str:
    """Whether ingress also admits the internet."""
    if admits_internet(service):
        return "and its ingress admits the internet"
    return f"though its ingress ({service.get('ingress')}) does not admit the internet directly"


@check(
    id="run.public-invoker",
    waf=("security",),
    title="Cloud Run services are not invokable by everyone",
    severity=Severity.HIGH,
    area=Area.SERVICES,
    requires=[registry.RUN_SERVICES, registry.RUN_SERVICE_IAM],
    exposure=True,
    security=True,
)
def public_invoker(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service can be invoked by anyone: its IAM policy grants a role (usually
    roles/run.invoker) to `allUsers` or `allAuthenticatedUsers`, or `invokerIamDisabled` is set.

    Reported separately from ingress (`run.ingress-all`); the message says whether ingress also
    admits the internet. An API that is meant to be public is handled with a suppression and a
    reason, not by weakening this check.

    ## Why it matters
    A public invoker lets anyone on the internet (or anyone with a Google account) call the
    service: every unauthenticated endpoint, debug route and expensive operation is exposed, and
    scale-out is billed to you.

    ## Example
    `roles/run.invoker` granted to `allUsers` on service `api`, with ingress INGRESS_TRAFFIC_ALL: fails.

    ## Remediation
    `gcloud run services remove-iam-policy-binding SERVICE --region=REGION --member=allUsers --role=roles/run.invoker`,
    then give callers their own identities (`--member=serviceAccount:CALLER`), or put the service
    behind IAP or a load balancer with Cloud Armor.

    ## References
    - https://cloud.google.com/run/docs/securing/managing-access
    - https://cloud.google.com/run/docs/authenticating/public
    """
    for service in inv.get(registry.RUN_SERVICES):
        name = short_name(service)
        resource = service_resource(inv, service)
        if service.get("invokerIamDisabled") is True:
            yield failed(
                resource,
                f"Cloud Run service {name} has invoker IAM disabled (anyone can call it), {ingress_note(service)}.",
                remediation=update(inv, service, "--invoker-iam-check"),
                grant="invokerIamDisabled",
            )
            continue
        yield from public_resource(
            inv,
            registry.RUN_SERVICE_IAM,
            service,
            f"Cloud Run service {name}",
            f"gcloud run services remove-iam-policy-binding {sh_field(name)} --region={sh_field(region_of(service))} "
            f"--project={sh_field(inv.project_id)} --member={{member}} --role={{role}}{{all}}",
            suffix=f", {ingress_note(service)}",
        )


@check(
    id="run.ingress-all",
    waf=("security",),
    title="Cloud Run ingress is limited to internal traffic or a load balancer",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.RUN_SERVICES],
    security=True,
)
def ingress_all(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service's `ingress` is INGRESS_TRAFFIC_ALL: its run.app URL takes requests
    from the whole internet.

    ## Why it matters
    With ingress limited to internal traffic or the load balancer, Cloud Armor, IAP and your
    WAF rules cannot be bypassed through the service's direct URL, and internal services stay off
    the internet even if their IAM is opened by mistake.

    ## Example
    Service `worker` (consumes Pub/Sub push) with ingress INGRESS_TRAFFIC_ALL: fails; with
    INGRESS_TRAFFIC_INTERNAL_ONLY: passes.

    ## Remediation
    `gcloud run services update SERVICE --region=REGION --ingress=internal` (or
    `internal-and-cloud-load-balancing` behind an external load balancer).

    ## References
    - https://cloud.google.com/run/docs/securing/ingress
    """
    for service in inv.get(registry.RUN_SERVICES):
        name = short_name(service)
        ingress = ingress_of(service)
        if admits_internet(service):
            yield failed(
                service_resource(inv, service),
                f"Cloud Run service {name} accepts traffic from the internet (ingress {ingress}).",
                remediation=update(inv, service, "--ingress=internal-and-cloud-load-balancing"),
            )
        else:
            yield passed(
                service_resource(inv, service), f"Cloud Run service {name} has ingress {ingress}."
            )
