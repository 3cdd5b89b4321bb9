"""Database exposure, resilience and reliability: Cloud SQL instances (sqladmin v1 instances.list)."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Reason,
    Severity,
    check,
    failed,
    passed,
    registry,
    unknown,
)

from ._resources import resource_name
from ._shell import sh
from ._sqlversions import VERSIONS, Version

JSON = Mapping[str, Any]

PRIVATE_RANGES = [
    ipaddress.ip_network(n)
    for n in (
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "fc00::/7",
        "::1/128",
        "fe80::/10",
    )
]
SECURE_SSL_MODES = ("ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED")
SHARED_CORE_TIERS = ("db-f1-micro", "db-g1-small")
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
JSON_TYPES = {
    bool: "a boolean",
    str: "a string",
    int: "a number",
    float: "a number",
    dict: "an object",
    list: "an array",
}


def _flag(value: object) -> str:
    """A JSON boolean as the API shows it."""
    return "unset" if value is None else str(value).lower()


def json_kind(value: object) -> str:
    """What a JSON value is, for a message saying it is not what the API sends."""
    if value is None:
        return "absent"
    if value == "":
        return "empty"
    return JSON_TYPES.get(type(value), "of an unexpected type")


def is_primary(instance: JSON) -> bool:
    """A primary instance (not a read replica, read pool or on-premises source)."""
    kind = instance.get("instanceType")
    return kind == "CLOUD_SQL_INSTANCE" or (kind is None and not instance.get("masterInstanceName"))


@dataclass(frozen=True)
class Instance:
    """One Cloud SQL instance of the judged project (sqladmin v1 REST JSON), as the checks read it."""

    data: JSON
    resource: str  # its full resource name
    project_id: str

    @property
    def name(self) -> Any:
        """The instance's name ('?' when absent)."""
        return self.data.get("name", "?")

    @property
    def settings(self) -> JSON:
        """`settings` (empty when absent)."""
        return self.data.get("settings") or {}

    @property
    def ip_config(self) -> JSON:
        """`settings.ipConfiguration` (empty when absent)."""
        return self.settings.get("ipConfiguration") or {}

    @property
    def backups(self) -> JSON:
        """`settings.backupConfiguration` (empty when absent)."""
        return self.settings.get("backupConfiguration") or {}

    @property
    def public_addresses(self) -> list[str]:
        """The instance's PRIMARY (public) addresses."""
        return [
            str(a.get("ipAddress", "?"))
            for a in self.data.get("ipAddresses") or []
            if a.get("type") == "PRIMARY"
        ]

    @property
    def hosted(self) -> bool:
        """Run by Cloud SQL: not the representation of an on-premises source server."""
        return self.data.get("instanceType") != "ON_PREMISES_INSTANCE"

    @property
    def ip_undetermined(self) -> bool:
        """Neither `settings.ipConfiguration` nor any `ipAddresses`: whether a Cloud SQL instance
        has a public IP cannot be told (an omitted `ipv4Enabled` proves nothing)."""
        return (
            self.hosted
            and "ipConfiguration" not in self.settings
            and not self.data.get("ipAddresses")
        )

    @property
    def has_public_ip(self) -> bool:
        """`ipv4Enabled` true or a PRIMARY address: either is enough."""
        return self.ip_config.get("ipv4Enabled") is True or bool(self.public_addresses)

    def patch(self, flags: str) -> str:
        """`gcloud sql instances patch NAME --project=P FLAGS`."""
        return f"gcloud sql instances patch {sh(self.data.get('name', 'INSTANCE'))} --project={sh(self.project_id)} {flags}"

    def verdict(self, ok: bool, passing: str, failing: str, fix: str) -> Outcome:
        """A pass saying `passing`, or a failure saying `failing` whose remediation patches the
        instance with the flags `fix`."""
        if ok:
            return passed(self.resource, passing)
        return failed(self.resource, failing, remediation=self.patch(fix))

    def unjudged(self, problem: str) -> Outcome:
        """An unknown result: what the check reads is absent or not what the API sends."""
        return unknown(
            self.resource,
            Reason.ERROR,
            f"Cloud SQL instance {self.name}: {problem}, so gcplint cannot judge it.",
        )


def instances(
    inv: Inventory, *, primaries_only: bool = False, hosted_only: bool = False
) -> Iterator[Instance]:
    """The project's Cloud SQL instances, or only its primaries, or only those Cloud SQL runs
    (not on-premises source representations)."""
    for data in inv.get(registry.SQL_INSTANCES):
        if primaries_only and not is_primary(data):
            continue
        resource = resource_name(inv, registry.SQL_INSTANCES, data, under="instances/")
        db = Instance(data, resource, inv.project_id)
        if db.hosted or not hosted_only:
            yield db


@check(
    id="sql.public-ip",
    cis=("6.6",),
    waf=("security",),
    title="Cloud SQL instance has no public IPv4 address",
    severity=Severity.HIGH,
    area=Area.DATABASE,
    requires=[registry.SQL_INSTANCES],
    security=True,
)
def public_ip(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud SQL instance has a public IPv4 address.

    Judged from `settings.ipConfiguration.ipv4Enabled` and from the instance's `ipAddresses`
    (an address of type PRIMARY is public): either one is enough, because public and private IP
    are not exclusive and an omitted `ipv4Enabled` does not prove the instance private. An
    instance with neither `ipConfiguration` nor `ipAddresses` is unknown.

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
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --network=projects/PROJECT_ID/global/networks/NETWORK --no-assign-ip`.

    ## References
    - https://cloud.google.com/sql/docs/postgres/configure-private-ip
    - https://cloud.google.com/sql/docs/mysql/configure-ip
    """
    for db in instances(inv):
        if db.ip_undetermined:
            yield db.unjudged("it has neither settings.ipConfiguration nor ipAddresses")
            continue
        if not db.has_public_ip:
            yield passed(db.resource, f"Cloud SQL instance {db.name} has no public IPv4 address.")
            continue
        addresses = db.public_addresses
        networks = [str(n.get("value", "?")) for n in db.ip_config.get("authorizedNetworks") or []]
        reach = (
            f"authorized networks: {', '.join(networks)}"
            if networks
            else "no authorized networks (reachable through the Auth Proxy and connectors)"
        )
        yield failed(
            db.resource,
            f"Cloud SQL instance {db.name} has a public IPv4 address{' ' + ', '.join(addresses) if addresses else ''} "
            f"(ipv4Enabled: {_flag(db.ip_config.get('ipv4Enabled'))}); {reach}.",
            remediation=db.patch(
                f"--network=projects/{sh(inv.project_id)}/global/networks/NETWORK --no-assign-ip"
            )
            + "  (NETWORK: the VPC network, with private services access, that its clients use)",
        )


def open_to_internet(value: str) -> bool:
    """A public range of 8 or fewer prefix bits (IPv4) or 16 or fewer (IPv6); raises ValueError."""
    network = ipaddress.ip_network(value.strip(), strict=False)
    if any(network.version == r.version and network.subnet_of(r) for r in PRIVATE_RANGES):  # type: ignore[arg-type]
        return False
    return network.prefixlen <= (8 if network.version == 4 else 16)


@check(
    id="sql.open-authorized-network",
    cis=("6.5",),
    waf=("security",),
    title="No public-IP Cloud SQL instance authorizes the whole internet",
    severity=Severity.CRITICAL,
    area=Area.DATABASE,
    requires=[registry.SQL_INSTANCES],
    exposure=True,
    security=True,
)
def open_authorized_network(inv: Inventory) -> Iterator[Outcome]:
    """A public-IP Cloud SQL instance has an authorized network open to the internet.

    Every `settings.ipConfiguration.authorizedNetworks[].value` is parsed as a CIDR (IPv4 and
    IPv6): a range that is not private (RFC 1918, RFC 4193, loopback, link-local) with 8 or fewer
    prefix bits (IPv4) or 16 or fewer (IPv6) fails. So `0.0.0.0/0`, `::/0`, and the pair
    `0.0.0.0/1` + `128.0.0.0/1` are caught, while `10.0.0.0/8` and an office range such as
    `203.0.113.0/24` are not. Instances without a public IP are not evaluated; one with neither
    `ipConfiguration` nor `ipAddresses` is unknown. Critical in every environment.

    ## Why it matters
    With the whole internet authorized, only the database password stands between any scanner
    and the data; Cloud SQL instances with `0.0.0.0/0` are found and brute-forced within hours.

    ## Example
    `authorizedNetworks: [{value: "0.0.0.0/0", name: "temporary-debug"}]` on a public instance:
    critical.

    ## Remediation
    Connect through the Cloud SQL Auth Proxy or connectors (no authorized network needed), or
    list only your egress ranges:
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --authorized-networks=203.0.113.0/24`
    (or `--clear-authorized-networks`).

    ## References
    - https://cloud.google.com/sql/docs/postgres/authorize-networks
    - https://cloud.google.com/sql/docs/postgres/sql-proxy
    """
    for db in instances(inv):
        if db.ip_undetermined:
            yield db.unjudged("it has neither settings.ipConfiguration nor ipAddresses")
            continue
        if not db.has_public_ip:
            continue
        values = [str(n.get("value", "")) for n in db.ip_config.get("authorizedNetworks") or []]
        wide, unparsed = [], []
        for value in values:
            try:
                if open_to_internet(value):
                    wide.append(value)
            except ValueError:
                unparsed.append(value)
        if wide:
            yield failed(
                db.resource,
                f"Cloud SQL instance {db.name} has a public IP and authorizes {', '.join(wide)}: open to the internet.",
                grant=", ".join(sorted(wide)),
                remediation=db.patch("--clear-authorized-networks")
                + "  (then connect through the Cloud SQL Auth Proxy)",
            )
        elif unparsed:
            yield unknown(
                db.resource,
                Reason.ERROR,
                f"Cloud SQL instance {db.name} has authorized networks gcplint cannot parse as CIDRs: {', '.join(unparsed)}.",
            )
        else:
            shown = ", ".join(values) if values else "none"
            yield passed(
                db.resource,
                f"Cloud SQL instance {db.name} authorizes no internet-wide range (authorized networks: {shown}).",
            )


@check(
    id="sql.ssl-not-enforced",
    cis=("6.4",),
    waf=("security",),
    title="Cloud SQL instance accepts only encrypted connections",
    severity=Severity.HIGH,
    area=Area.DATABASE,
    requires=[registry.SQL_INSTANCES],
    security=True,
)
def ssl_not_enforced(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud SQL instance accepts unencrypted connections.

    `settings.ipConfiguration.sslMode` decides: ENCRYPTED_ONLY and
    TRUSTED_CLIENT_CERTIFICATE_REQUIRED pass, ALLOW_UNENCRYPTED_AND_ENCRYPTED fails. The legacy
    `requireSsl` is read only when `sslMode` is absent or SSL_MODE_UNSPECIFIED. (Other tools read
    `requireSsl` alone and flag ENCRYPTED_ONLY instances, where Google requires `requireSsl`
    false: that configuration is correct and passes here.)

    ## Why it matters
    Without enforced TLS, a client misconfiguration silently sends passwords and query results in
    clear text across the network.

    ## Example
    `sslMode: ENCRYPTED_ONLY, requireSsl: false` passes; `sslMode: ALLOW_UNENCRYPTED_AND_ENCRYPTED` fails.

    ## Remediation
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --ssl-mode=ENCRYPTED_ONLY`.

    ## References
    - https://cloud.google.com/sql/docs/postgres/configure-ssl-instance
    - https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/instances#SslMode
    """
    for db in instances(inv):
        mode = db.ip_config.get("sslMode")
        if mode and mode != "SSL_MODE_UNSPECIFIED":
            encrypted, why = mode in SECURE_SSL_MODES, f"sslMode {mode}"
        else:
            legacy = db.ip_config.get("requireSsl")
            encrypted, why = legacy is True, f"no sslMode, legacy requireSsl {_flag(legacy)}"
        yield db.verdict(
            encrypted,
            f"Cloud SQL instance {db.name} accepts only encrypted connections ({why}).",
            f"Cloud SQL instance {db.name} accepts unencrypted connections ({why}).",
            "--ssl-mode=ENCRYPTED_ONLY",
        )


@check(
    id="sql.backups-disabled",
    cis=("6.7",),
    waf=("reliability",),
    title="Automated backups are on (primary instances)",
    severity=Severity.HIGH,
    area=Area.DATABASE,
    requires=[registry.SQL_INSTANCES],
)
def backups_disabled(inv: Inventory) -> Iterator[Outcome]:
    """Automated backups are off on a primary Cloud SQL instance.

    Reads `settings.backupConfiguration.enabled`. Read replicas are not evaluated: they are
    rebuilt from their primary and cannot have backups of their own.

    ## Why it matters
    Backups are how you undo a bad migration, an accidental `DROP TABLE` or a ransomware
    `DELETE`. Without them the only copy of the data is the live one.

    ## Example
    Primary `prod-analytics` with `backupConfiguration.enabled: false` fails; its replica is not reported.

    ## Remediation
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --backup-start-time=03:00`.

    ## References
    - https://cloud.google.com/sql/docs/postgres/backup-recovery/backups
    """
    for db in instances(inv, primaries_only=True):
        yield db.verdict(
            db.backups.get("enabled") is True,
            f"Automated backups are on for Cloud SQL instance {db.name}.",
            f"Automated backups are off for primary Cloud SQL instance {db.name}.",
            "--backup-start-time=03:00",
        )


@check(
    id="sql.pitr-disabled",
    waf=("reliability",),
    title="Point-in-time recovery is on (primary instances)",
    severity=Severity.MEDIUM,
    area=Area.DATABASE,
    requires=[registry.SQL_INSTANCES],
)
def pitr_disabled(inv: Inventory) -> Iterator[Outcome]:
    """Point-in-time recovery is off on a primary Cloud SQL instance.

    Reads `settings.backupConfiguration.pointInTimeRecoveryEnabled`, or for MySQL
    `binaryLogEnabled` (either one passes a MySQL instance). Read replicas are not evaluated.

    ## Why it matters
    Daily backups lose up to a day of writes. Point-in-time recovery replays the transaction log
    to the minute before the mistake.

    ## Example
    A PostgreSQL primary with backups on but `pointInTimeRecoveryEnabled` false fails.

    ## Remediation
    PostgreSQL and SQL Server:
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --enable-point-in-time-recovery`;
    MySQL: `gcloud sql instances patch INSTANCE --project=PROJECT_ID --enable-bin-log`.

    ## References
    - https://cloud.google.com/sql/docs/postgres/backup-recovery/pitr
    - https://cloud.google.com/sql/docs/mysql/backup-recovery/pitr
    """
    for db in instances(inv, primaries_only=True):
        mysql = str(db.data.get("databaseVersion", "")).startswith("MYSQL")
        field = (
            "binaryLogEnabled/pointInTimeRecoveryEnabled" if mysql else "pointInTimeRecoveryEnabled"
        )
        yield db.verdict(
            db.backups.get("pointInTimeRecoveryEnabled") is True
            or (mysql and db.backups.get("binaryLogEnabled") is True),
            f"Point-in-time recovery is on for Cloud SQL instance {db.name}.",
            f"Point-in-time recovery is off for primary Cloud SQL instance {db.name} ({field} not true).",
            "--enable-bin-log" if mysql else "--enable-point-in-time-recovery",
        )


@check(
    id="sql.not-highly-available",
    waf=("reliability",),
    title="Primary instances are regional (highly available)",
    severity=Severity.MEDIUM,
    area=Area.DATABASE,
    requires=[registry.SQL_INSTANCES],
)
def not_highly_available(inv: Inventory) -> Iterator[Outcome]:
    """A primary Cloud SQL instance is zonal: `settings.availabilityType` is not REGIONAL.

    Read replicas are not evaluated.

    ## Why it matters
    A zonal instance is down for as long as its zone is; a regional one fails over to a standby
    in another zone within a minute or so.

    ## Example
    `availabilityType: ZONAL` on a production primary fails.

    ## Remediation
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --availability-type=REGIONAL`.

    ## References
    - https://cloud.google.com/sql/docs/postgres/high-availability
    """
    for db in instances(inv, primaries_only=True):
        kind = db.settings.get("availabilityType", "unset")
        yield db.verdict(
            kind == "REGIONAL",
            f"Cloud SQL instance {db.name} is regional.",
            f"Primary Cloud SQL instance {db.name} is not highly available (availabilityType {kind}).",
            "--availability-type=REGIONAL",
        )


@check(
    id="sql.deletion-protection-off",
    waf=("reliability",),
    title="Cloud SQL instances have deletion protection",
    severity=Severity.MEDIUM,
    area=Area.DATABASE,
    requires=[registry.SQL_INSTANCES],
)
def deletion_protection_off(inv: Inventory) -> Iterator[Outcome]:
    """`settings.deletionProtectionEnabled` is not true on a Cloud SQL instance.

    ## Why it matters
    Deleting an instance also deletes its automated backups. One wrong command, Terraform plan or
    script then destroys the data and every way to restore it.

    ## Example
    An instance without `deletionProtectionEnabled` fails.

    ## Remediation
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --deletion-protection`.

    ## References
    - https://cloud.google.com/sql/docs/postgres/deletion-protection
    """
    for db in instances(inv):
        protected = db.settings.get("deletionProtectionEnabled")
        yield db.verdict(
            protected is True,
            f"Cloud SQL instance {db.name} has deletion protection.",
            f"Cloud SQL instance {db.name} has no deletion protection "
            f"(deletionProtectionEnabled: {_flag(protected)}).",
            "--deletion-protection",
        )


@check(
    id="sql.shared-core-tier",
    waf=("reliability",),
    title="Production Cloud SQL instances do not run on a shared-core machine type",
    severity=Severity.MEDIUM,
    area=Area.RELIABILITY,
    requires=[registry.SQL_INSTANCES],
    prod_only=True,
)
def shared_core_tier(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud SQL instance runs on a shared-core machine type: `settings.tier` is
    `db-f1-micro` or `db-g1-small`.

    Every instance Cloud SQL runs is judged, read replicas included (an on-premises source
    representation is not). An absent or non-string `tier` is unknown. Production projects only
    (and those whose environment is unknown): a shared-core test database is fine.

    ## Why it matters
    Shared-core instances share a CPU with other tenants and are not covered by the Cloud SQL
    SLA: Google promises nothing about their availability, and their 0.6 or 1.7 GB of memory
    leaves little room for a production load.

    ## Example
    `settings.tier: db-f1-micro` in a production project fails; `db-custom-2-7680` passes.

    ## Remediation
    Move the instance to a dedicated-core machine type (this restarts it):
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --tier=db-custom-1-3840`.

    ## References
    - https://cloud.google.com/sql/docs/postgres/machine-series-overview
    - https://cloud.google.com/sql/docs/mysql/instance-settings
    - https://cloud.google.com/sql/sla
    """
    for db in instances(inv, hosted_only=True):
        tier = db.settings.get("tier")
        if not isinstance(tier, str) or not tier:
            yield db.unjudged(f"settings.tier is {json_kind(tier)}")
            continue
        yield db.verdict(
            tier not in SHARED_CORE_TIERS,
            f"Cloud SQL instance {db.name} runs on tier {tier}, not a shared-core machine type.",
            f"Cloud SQL instance {db.name} runs on shared-core tier {tier}, which has no SLA.",
            "--tier=db-custom-1-3840",
        )


def maintenance_window(db: Instance) -> tuple[bool, str] | str:
    """Whether `settings.maintenanceWindow` names a day (1 to 7), and how it reads; or, as a bare
    string, what keeps it from being read."""
    settings = db.data.get("settings")
    if not isinstance(settings, Mapping):
        return f"settings is {json_kind(settings)}"
    window = settings.get("maintenanceWindow")
    if window is None:
        return False, "no maintenanceWindow"
    if not isinstance(window, Mapping):
        return f"settings.maintenanceWindow is {json_kind(window)}"
    day, hour = window.get("day"), window.get("hour")
    if day is None:
        return False, "maintenanceWindow without a day"
    if isinstance(day, bool) or not isinstance(day, int):
        return f"settings.maintenanceWindow.day is {json_kind(day)}"
    if not 1 <= day <= 7:
        return False, f"maintenanceWindow.day {day}"
    hourly = isinstance(hour, int) and not isinstance(hour, bool)
    return True, f"{DAYS[day - 1]} {hour:02d}:00 UTC" if hourly else f"{DAYS[day - 1]}, hour unset"


@check(
    id="sql.no-maintenance-window",
    waf=("reliability",),
    title="Production primary Cloud SQL instances have a maintenance window",
    severity=Severity.LOW,
    area=Area.RELIABILITY,
    requires=[registry.SQL_INSTANCES],
    prod_only=True,
)
def no_maintenance_window(inv: Inventory) -> Iterator[Outcome]:
    """A primary Cloud SQL instance has no maintenance window: no
    `settings.maintenanceWindow` with a `day` from 1 (Monday) to 7 (Sunday).

    A window the API returns with `day: 0` ("any window") or without a day fails. Read replicas
    are not judged: they have no result. An unreadable window (settings absent, or a day that is
    not a number) is unknown. Production projects only (and those whose environment is unknown).

    ## Why it matters
    Without a window, Cloud SQL applies its maintenance updates whenever it chooses, and
    maintenance restarts the instance: the database is briefly unavailable, possibly at your
    busiest hour. A window pins the restart to a quiet hour of a chosen day.

    ## Example
    A primary with `maintenanceWindow: {day: 0, hour: 0}` fails; one with `{day: 7, hour: 2}`
    (Sunday 02:00 UTC) passes. Its read replica, without a window, gets no result.

    ## Remediation
    Pick a quiet hour (UTC):
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --maintenance-window-day=SUN --maintenance-window-hour=2`.

    ## References
    - https://cloud.google.com/sql/docs/postgres/set-maintenance-window
    - https://cloud.google.com/sql/docs/postgres/maintenance
    - https://cloud.google.com/sql/docs/mysql/admin-api/rest/v1/instances#MaintenanceWindow
    """
    for db in instances(inv, primaries_only=True):
        window = maintenance_window(db)
        if isinstance(window, str):
            yield db.unjudged(window)
            continue
        scheduled, reads = window
        yield db.verdict(
            scheduled,
            f"Cloud SQL instance {db.name} has a maintenance window: {reads}.",
            f"Primary Cloud SQL instance {db.name} has no maintenance window ({reads}): "
            "Google may restart it for maintenance at any hour.",
            "--maintenance-window-day=SUN --maintenance-window-hour=2",
        )


@check(
    id="sql.storage-auto-increase-off",
    waf=("reliability",),
    title="Cloud SQL instances grow their storage automatically",
    severity=Severity.MEDIUM,
    area=Area.RELIABILITY,
    requires=[registry.SQL_INSTANCES],
)
def storage_auto_increase_off(inv: Inventory) -> Iterator[Outcome]:
    """Automatic storage increase is off on a Cloud SQL instance: `settings.storageAutoResize`
    is false.

    Every instance Cloud SQL runs is judged, read replicas included (an on-premises source
    representation is not). An absent or non-boolean `storageAutoResize` is unknown, never a
    pass, although the API documents true as its default.

    ## Why it matters
    When the disk fills up, the instance stops accepting writes and can go offline until someone
    adds storage by hand, typically in the middle of a traffic peak. With automatic increase,
    Cloud SQL checks free space continuously and adds capacity before that happens.

    ## Example
    `settings.storageAutoResize: false` fails; `true` passes (`storageAutoResizeLimit` 0 means no
    limit).

    ## Remediation
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --storage-auto-increase`.

    ## References
    - https://cloud.google.com/sql/docs/postgres/instance-settings
    - https://cloud.google.com/sql/docs/mysql/using-ood-recommender
    """
    for db in instances(inv, hosted_only=True):
        grows = db.settings.get("storageAutoResize")
        if not isinstance(grows, bool):
            yield db.unjudged(f"settings.storageAutoResize is {json_kind(grows)}")
            continue
        size = db.settings.get("dataDiskSizeGb")
        disk = f", {size} GB disk" if isinstance(size, str) and size.isdigit() else ""
        yield db.verdict(
            grows,
            f"Automatic storage increase is on for Cloud SQL instance {db.name}.",
            f"Automatic storage increase is off for Cloud SQL instance {db.name} "
            f"(storageAutoResize false{disk}): a full disk stops the database.",
            "--storage-auto-increase",
        )


@check(
    id="sql.unsupported-version",
    waf=("security", "reliability"),
    title="Cloud SQL instances run a database version in standard support",
    severity=Severity.MEDIUM,
    area=Area.RELIABILITY,
    requires=[registry.SQL_INSTANCES],
)
def unsupported_version(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud SQL instance's `databaseVersion` is past the end of Cloud SQL standard support on
    the scan date.

    The dates are data, with their sources, in `gcplint_checks/_sqlversions.py`: the first day
    of extended support for MySQL and PostgreSQL, the end of support for SQL Server. A version
    with no published end passes. A version that is not in that table (a newer one, or a retired
    one such as MYSQL_5_5) is unknown, not passed: gcplint cannot tell which it is. Every
    instance Cloud SQL runs is judged, read replicas included; an on-premises source
    representation is not.

    ## Why it matters
    Past standard support, Cloud SQL enrolls the instance in extended support automatically: it
    is charged extra for every hour it runs, gets only critical security and bug fixes and none
    of the new features, and after three years the version is deprecated and the upgrade is no
    longer yours to schedule. SQL Server versions have no extended support: past their date
    Cloud SQL no longer supports them at all.

    ## Example
    On 2026-11-27, `databaseVersion: MYSQL_5_7` fails (extended support since 2025-02-01) and
    `POSTGRES_15` passes (standard support until 2028-02-01).

    ## Remediation
    Test the upgrade on a clone, then upgrade in place to a version in standard support (MySQL
    one major version at a time; the result names every step, and the upgrade guide says how to
    handle read replicas):
    `gcloud sql instances patch INSTANCE --project=PROJECT_ID --database-version=MYSQL_8_4`.
    `gcloud sql instances describe INSTANCE` lists the targets under `upgradableDatabaseVersions`.

    ## References
    - https://cloud.google.com/sql/docs/mysql/db-versions
    - https://cloud.google.com/sql/docs/postgres/db-versions
    - https://cloud.google.com/sql/docs/sqlserver/db-versions
    - https://cloud.google.com/sql/docs/mysql/extended-support
    - https://cloud.google.com/sql/docs/postgres/upgrade-major-db-version-inplace
    - https://cloud.google.com/sql/docs/mysql/upgrade-major-db-version-inplace
    """
    today = inv.now.date()
    for db in instances(inv, hosted_only=True):
        version = db.data.get("databaseVersion")
        if not isinstance(version, str) or not version:
            yield db.unjudged(f"databaseVersion is {json_kind(version)}")
            continue
        known = VERSIONS.get(version)
        if known is None:
            yield db.unjudged(
                f"databaseVersion {version} is not in gcplint's table of Cloud SQL support dates"
            )
            continue
        yield support_verdict(db, version, known, today)


def support_verdict(db: Instance, version: str, known: Version, today: date) -> Outcome:
    """Whether the instance's version is in Cloud SQL standard support on `today`."""
    major = known.major
    runs = f"Cloud SQL instance {db.name} runs {major.name} ({version})"
    ends, gone = major.standard_ends, major.extended_ends
    if ends is None:
        return passed(db.resource, f"{runs}, in standard support (no end published).")
    if today < ends:
        return passed(db.resource, f"{runs}, in standard support; it ends on {ends}.")
    if gone is None:
        after = "Cloud SQL no longer supports it (no extended support)"
    elif today < gone:
        after = f"it is in paid extended support until {gone}, then deprecated"
    else:
        after = f"its extended support ended on {gone} too: the version is deprecated"
    engine = {"MYSQL": "mysql", "POSTGRES": "postgres"}.get(version.split("_")[0], "sqlserver")
    steps = " && ".join(db.patch(f"--database-version={target}") for target in known.upgrade)
    docs = f"https://cloud.google.com/sql/docs/{engine}/upgrade-major-db-version-inplace"
    return failed(
        db.resource,
        f"{runs}: its standard support ended on {ends}; {after}.",
        remediation=f"{steps}  (see {docs})",
    )
