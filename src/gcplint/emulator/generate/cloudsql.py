"""Cloud SQL: a project's instances, public or private, with and without backups, PITR, HA, SSL
enforcement and deletion protection, and read replicas of some of them."""

from __future__ import annotations

import random

from ...collect import apis
from .draws import chance, days_ago, hex_digits, letters, ms, pick
from .plan import (
    DB_NAMES,
    ENVIRONMENTS,
    ID_TOKENS,
    JSON,
    RUN_REGIONS,
    ProjectPlan,
    WorldPlan,
    resource_labels,
)


def sql_address(rng: random.Random, public: bool) -> str:
    """An IP address of an instance: a Google public one, or one of a private range."""
    if public:
        return f"{pick(rng, (34, 35))}.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
    return f"10.{rng.randint(0, 99)}.{rng.randint(0, 9)}.{rng.randint(2, 250)}"


def _authorized_networks(rng: random.Random) -> list[JSON]:
    """Valid CIDRs only: an office, a partner, a private range, or the whole internet."""
    choices = (
        ("office", f"203.0.113.{rng.randint(1, 254)}/32"),
        ("partner-vpn", f"198.51.100.{rng.randrange(0, 256, 8)}/29"),
        ("internal", "10.0.0.0/8"),
        ("temporary-debug", "0.0.0.0/0"),
        ("gcp-range", "35.0.0.0/8"),
    )
    count = pick(rng, (0, 0, 1, 1, 2))
    return [
        {"value": value, "name": name, "kind": "sql#aclEntry"}
        for name, value in rng.sample(choices, count)
    ]


def _ssl(rng: random.Random) -> JSON:
    """sslMode with the requireSsl value the API pairs with it, or only legacy requireSsl."""
    mode = pick(
        rng,
        (
            "ENCRYPTED_ONLY",
            "ENCRYPTED_ONLY",
            "ALLOW_UNENCRYPTED_AND_ENCRYPTED",
            "TRUSTED_CLIENT_CERTIFICATE_REQUIRED",
            "legacy",
        ),
    )
    if mode == "legacy":
        return {"requireSsl": chance(rng, 0.5)}
    return {"requireSsl": mode == "TRUSTED_CLIENT_CERTIFICATE_REQUIRED", "sslMode": mode}


def _instance(world: WorldPlan, project: ProjectPlan, name: str, region: str, version: str) -> JSON:
    """Fields every instance shares; settings filled in by the primary/replica makers."""
    rng = world.rng
    zone = f"{region}-{pick(rng, ('b', 'c', 'd'))}"
    return {
        "kind": "sql#instance",
        "state": "RUNNABLE",
        "databaseVersion": version,
        "settings": {
            "authorizedGaeApplications": [],
            "tier": pick(rng, ("db-custom-1-3840", "db-custom-2-8192", "db-custom-4-16384")),
            "kind": "sql#settings",
            "availabilityType": "ZONAL",
            "pricingPlan": "PER_USE",
            "activationPolicy": "ALWAYS",
            "locationPreference": {"zone": zone, "kind": "sql#locationPreference"},
            "dataDiskType": "PD_SSD",
            "settingsVersion": str(rng.randint(2, 80)),
            "storageAutoResizeLimit": "0",
            "storageAutoResize": True,
            "dataDiskSizeGb": str(pick(rng, (10, 50, 100, 250))),
            "edition": "ENTERPRISE",
        },
        "etag": hex_digits(rng, 64),
        "instanceType": "CLOUD_SQL_INSTANCE",
        "project": project.project_id,
        "serviceAccountEmailAddress": f"p{project.number}-{letters(rng, 6)}@gcp-sa-cloud-sql.iam.gserviceaccount.com",
        "backendType": "SECOND_GEN",
        "selfLink": f"https://sqladmin.googleapis.com/v1/projects/{project.project_id}/instances/{name}",
        "connectionName": f"{project.project_id}:{region}:{name}",
        "name": name,
        "region": region,
        "gceZone": zone,
        "createTime": ms(days_ago(rng, 60, 600)),
    }


def _ip_configuration(world: WorldPlan, project: ProjectPlan, instance: JSON, public: bool) -> None:
    """Set the instance's ipConfiguration and ipAddresses: public, private, or both."""
    rng = world.rng
    private = not public or chance(rng, 0.5)
    config: JSON = {}
    addresses: list[JSON] = []
    if private:
        config["privateNetwork"] = (
            f"projects/{project.project_id}/global/networks/{pick(rng, ('vpc', 'main-vpc', 'shared'))}"
        )
    config["authorizedNetworks"] = _authorized_networks(rng) if public else []
    config["ipv4Enabled"] = public
    config.update(_ssl(rng))
    config["serverCaMode"] = "GOOGLE_MANAGED_INTERNAL_CA"
    if public:
        addresses.append({"type": "PRIMARY", "ipAddress": sql_address(rng, True)})
        if instance["databaseVersion"].startswith("MYSQL"):
            addresses.append({"type": "OUTGOING", "ipAddress": sql_address(rng, True)})
    if private:
        addresses.append({"type": "PRIVATE", "ipAddress": sql_address(rng, False)})
    instance["settings"]["ipConfiguration"] = config
    instance["ipAddresses"] = addresses


def _backup_configuration(start: str, retained: int, enabled: bool) -> JSON:
    """A backupConfiguration keeping `retained` backups, taken daily at `start` if `enabled`."""
    return {
        "kind": "sql#backupConfiguration",
        "startTime": start,
        "backupRetentionSettings": {"retentionUnit": "COUNT", "retainedBackups": retained},
        "enabled": enabled,
        "transactionLogRetentionDays": 7,
    }


def _primary(world: WorldPlan, project: ProjectPlan, name: str) -> JSON:
    """A primary instance, MySQL or PostgreSQL."""
    rng = world.rng
    mysql = chance(rng, 0.3)
    version = (
        pick(rng, ("MYSQL_8_0", "MYSQL_8_4"))
        if mysql
        else pick(rng, ("POSTGRES_15", "POSTGRES_16"))
    )
    instance = _instance(world, project, name, pick(rng, RUN_REGIONS[:4]), version)
    settings = instance["settings"]
    _ip_configuration(world, project, instance, public=chance(rng, 0.4))
    backups = chance(rng, 0.75)
    backup = _backup_configuration(f"0{rng.randint(1, 5)}:00", pick(rng, (7, 14, 30)), backups)
    if backups:
        backup["location"] = pick(rng, ("eu", "us"))
        if chance(rng, 0.65):
            backup["binaryLogEnabled" if mysql else "pointInTimeRecoveryEnabled"] = True
            backup["transactionalLogStorageState"] = "CLOUD_STORAGE"
    settings["backupConfiguration"] = backup
    if chance(rng, 0.5):
        settings["availabilityType"] = "REGIONAL"
        zone = settings["locationPreference"]["zone"]
        secondary = zone[:-1] + ("c" if zone.endswith("b") else "b")
        settings["locationPreference"]["secondaryZone"] = secondary
        instance["secondaryGceZone"] = secondary
    protection = rng.random()
    if protection < 0.6:
        settings["deletionProtectionEnabled"] = True
    elif protection < 0.8:
        settings["deletionProtectionEnabled"] = False  # else: never set
    settings["maintenanceWindow"] = {
        "kind": "sql#maintenanceWindow",
        "hour": rng.randint(0, 5),
        "day": rng.randint(1, 7),
        "updateTrack": "stable",
    }
    settings["userLabels"] = resource_labels(rng, project, name)
    return instance


def _replica(world: WorldPlan, project: ProjectPlan, primary: JSON, name: str) -> JSON:
    """A read replica of `primary`, in its region; replicas have no backups of their own."""
    rng = world.rng
    instance = _instance(world, project, name, primary["region"], primary["databaseVersion"])
    _ip_configuration(world, project, instance, public=chance(rng, 0.2))
    settings = instance["settings"]
    settings["backupConfiguration"] = _backup_configuration("02:00", 7, False)
    if chance(rng, 0.5):
        settings["deletionProtectionEnabled"] = True
    settings["userLabels"] = primary["settings"]["userLabels"]
    instance["instanceType"] = "READ_REPLICA_INSTANCE"
    instance["masterInstanceName"] = f"{project.project_id}:{primary['name']}"
    instance["replicaConfiguration"] = {"kind": "sql#replicaConfiguration", "failoverTarget": False}
    primary.setdefault("replicaNames", []).append(name)
    return instance


def sql_instances(world: WorldPlan, project: ProjectPlan) -> list[JSON]:
    """0 to 4 instances; some primaries have read replicas in the same project."""
    rng = world.rng
    if not project.serves(apis.SQL_ADMIN):
        return []
    count = pick(rng, (0, 1, 1, 2, 2, 3, 4))
    primaries: list[JSON] = []
    instances: list[JSON] = []
    names = list(DB_NAMES)
    rng.shuffle(names)
    for _ in range(count):
        if primaries and chance(rng, 0.35):
            primary = pick(rng, primaries)
            siblings = len(primary.get("replicaNames", []))
            name = f"{primary['name']}-replica" + (f"-{siblings + 1}" if siblings else "")
            instances.append(_replica(world, project, primary, name))
            continue
        name = names.pop()
        if project.env is not None and chance(rng, 0.4):
            name = f"{pick(rng, ID_TOKENS[project.env])}-{name}"
        elif chance(rng, 0.1):  # named for another environment
            name = f"{pick(rng, ID_TOKENS[pick(rng, ENVIRONMENTS)])}-{name}"
        primaries.append(_primary(world, project, name))
        instances.append(primaries[-1])
    return instances
