"""Database exposure and resilience: Cloud SQL instances."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Severity,
    check,
    collections,
    failed,
    full_name,
    passed,
)


def instance_resource(inv: Inventory, instance: Mapping[str, Any]) -> str:
    """The full resource name of a Cloud SQL instance."""
    return full_name(
        "sqladmin.googleapis.com", inv.project_id, f"instances/{instance.get('name', '')}"
    )


def _flag(value: object) -> str:
    """A JSON boolean as the API shows it."""
    return "unset" if value is None else str(value).lower()


@check(
    id="sql.public-ip",
    title="Cloud SQL instance has no public IPv4 address",
    severity=Severity.HIGH,
    area=Area.DATABASE,
    requires=[collections.SQL_INSTANCES],
)
def public_ip(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud SQL instance has a public IPv4 address.

    Judged from `settings.ipConfiguration.ipv4Enabled` and from the instance's `ipAddresses`
    (an address of type PRIMARY is public): either one is enough, because public and private IP
    are not exclusive and an omitted `ipv4Enabled` does not prove the instance private.

    ## Why it matters
    A public address puts the database's login prompt on the internet. Authorized networks and
    SSL narrow who gets through, but every misconfigured range, leaked password or unpatched
    engine bug is then one step from the data. Private IP (or Private Service Connect) keeps the
    database reachable only from your VPC, and the Cloud SQL Auth Proxy or connectors work over it.

    ## Example
    An instance with `ipConfiguration: {ipv4Enabled: true}` and an address
    `{type: PRIMARY, ipAddress: 34.76.1.2}` fails; one with only a PRIVATE address passes.

    ## Remediation
    Give the instance a private IP on your VPC, move clients to it, then remove the public one:
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --network=NETWORK --no-assign-ip`.

    ## References
    - https://cloud.google.com/sql/docs/postgres/configure-private-ip
    - https://cloud.google.com/sql/docs/mysql/configure-ip
    """
    for instance in inv.get(collections.SQL_INSTANCES):
        name = instance.get("name", "?")
        ip_config = (instance.get("settings") or {}).get("ipConfiguration") or {}
        public = [
            a.get("ipAddress", "?")
            for a in instance.get("ipAddresses") or []
            if a.get("type") == "PRIMARY"
        ]
        resource = instance_resource(inv, instance)
        if ip_config.get("ipv4Enabled") is True or public:
            networks = [n.get("value", "?") for n in ip_config.get("authorizedNetworks") or []]
            detail = f" {', '.join(public)}" if public else ""
            reach = (
                f"authorized networks: {', '.join(networks)}"
                if networks
                else "no authorized networks (reachable through the Auth Proxy and connectors)"
            )
            yield failed(
                resource,
                f"Cloud SQL instance {name} has a public IPv4 address{detail} "
                f"(ipv4Enabled: {_flag(ip_config.get('ipv4Enabled'))}); {reach}.",
                remediation=(
                    f"gcloud sql instances patch {name} --project={inv.project_id} "
                    "--network=projects/PROJECT/global/networks/NETWORK --no-assign-ip"
                ),
            )
        else:
            yield passed(resource, f"Cloud SQL instance {name} has no public IPv4 address.")
