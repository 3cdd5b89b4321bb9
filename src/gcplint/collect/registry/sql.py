"""Cloud SQL Admin v1 (discovery): instances."""

from __future__ import annotations

from collections.abc import Mapping

from ...resources import full_name
from ..collection import JSON, Collection, declare
from ..schema import Fields
from ._read import listing


def _instance_labels(project_id: str, instances: list[JSON]) -> list[tuple[str, Mapping[str, str]]]:
    return [
        (
            full_name("sqladmin.googleapis.com", project_id, f"instances/{i.get('name', '')}"),
            (i.get("settings") or {}).get("userLabels") or {},
        )
        for i in instances
    ]


SQL_INSTANCES: Collection[list[JSON]] = declare(
    "sqladmin.instances: Cloud SQL instances, cloudsql.instances.list (roles/cloudsql.viewer)",
    read=listing("sqladmin.instances", "items", project="{key}", maxResults=500),
    labels=_instance_labels,
    fields=Fields.of(
        "DatabaseInstance",
        "name",
        "connectionName",
        "databaseVersion",
        "instanceType",
        "ipAddresses[].ipAddress",
        "ipAddresses[].type",
        "settings.tier",
        "settings.availabilityType",
        "settings.dataDiskSizeGb",
        "settings.storageAutoResize",
        "settings.deletionProtectionEnabled",
        "settings.userLabels",
        "settings.backupConfiguration.enabled",
        "settings.backupConfiguration.binaryLogEnabled",
        "settings.backupConfiguration.pointInTimeRecoveryEnabled",
        "settings.databaseFlags[].name",
        "settings.databaseFlags[].value",
        "settings.ipConfiguration.ipv4Enabled",
        "settings.ipConfiguration.authorizedNetworks[].value",
        "settings.ipConfiguration.requireSsl",
        "settings.ipConfiguration.sslMode",
        "settings.maintenanceWindow.day",
        "settings.maintenanceWindow.hour",
        listed="items",
    ),
)
