"""Cloud SQL connection limits, as data: the memory of each machine type (tier) and the
`max_connections` Cloud SQL gives an instance whose flag is unset, by engine and memory.

Every figure below comes from the source named above it (read 2026-12-03). A tier or an engine
the tables do not cover gets no limit (None): a check then says it cannot tell, never passes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

JSON = Mapping[str, Any]

# Memory (GB) of the shared-core tiers, and per vCPU of the legacy N1 tiers (db-n1-standard-N,
# db-n1-highmem-N), as Google's Cloud SQL service broker lists them with their RAM
# (https://github.com/GoogleCloudPlatform/gcp-service-broker/blob/master/pkg/providers/builtin/
# cloudsql/mysql-definition.go: db-f1-micro 0.6 GB, db-g1-small 1.7 GB, db-n1-standard-1 3.75 GB
# ... db-n1-standard-64 240 GB, db-n1-highmem-2 13 GB ... db-n1-highmem-64 416 GB).
# db-custom-CPUS-MEMORY_MB tiers name their memory in MB.
SHARED_CORE_GB = {"db-f1-micro": 0.6, "db-g1-small": 1.7}
N1_GB_PER_VCPU = {"standard": 3.75, "highmem": 6.5}

# Memory (GB) of the Enterprise Plus N2 tiers db-perf-optimized-N-<vCPUs> (1 vCPU : 8 GB), as
# far as the table of https://cloud.google.com/sql/docs/postgres/machine-series-overview lists
# them; larger ones (and the C4A, N4 and memory-optimized series) are not known here.
PERF_OPTIMIZED_N2_GB = {2: 16, 4: 32, 8: 64, 16: 128, 32: 256, 48: 384, 64: 512, 80: 640}

# Default max_connections by engine: (memory from, in GB, inclusive; default), ascending.
# PostgreSQL: https://cloud.google.com/sql/docs/postgres/quotas and
# https://cloud.google.com/sql/docs/postgres/faq ("Cloud SQL for PostgreSQL connection limits",
# by memory size: 0.6 GB (db-f1-micro) 25, 1.7 GB (db-g1-small) 50, 3.75 up to 6 GB 100,
# 6 up to 7.5 GB 200, 7.5 up to 15 GB 400, 15 up to 30 GB 500, 30 up to 60 GB 600,
# 60 up to 120 GB 800, 120 GB or more 1,000); see also the max_connections entry of
# https://cloud.google.com/sql/docs/postgres/flags.
# MySQL: https://cloud.google.com/sql/docs/mysql/quotas#maximum_concurrent_connections and the
# FAQ above ("Cloud SQL for MySQL connection limits": db-f1-micro 250, db-g1-small 1,000, all
# other machine types 4,000).
# SQL Server: Cloud SQL documents no default by tier (the engine's `user connections` is 0,
# self-configuring), so there is no row: only an explicit flag gives a limit.
DEFAULT_MAX_CONNECTIONS: dict[str, tuple[tuple[float, int], ...]] = {
    "POSTGRES": (
        (0.6, 25),
        (1.7, 50),
        (3.75, 100),
        (6, 200),
        (7.5, 400),
        (15, 500),
        (30, 600),
        (60, 800),
        (120, 1000),
    ),
    "MYSQL": ((0.6, 250), (1.7, 1000), (3.75, 4000)),
}
LIMIT_FLAG = {
    "POSTGRES": "max_connections",
    "MYSQL": "max_connections",
    "SQLSERVER": "user connections",
}
ENGINE_NAMES = {"POSTGRES": "PostgreSQL", "MYSQL": "MySQL", "SQLSERVER": "SQL Server"}

_N1 = re.compile(r"^db-n1-(standard|highmem)-(\d+)$")
_CUSTOM = re.compile(r"^db-custom-(\d+)-(\d+)$")
_PERF_N2 = re.compile(r"^db-perf-optimized-N-(\d+)$")


def memory_gb(tier: str) -> float | None:
    """The memory of a Cloud SQL tier in GB, or None when the tables above do not know it."""
    if tier in SHARED_CORE_GB:
        return SHARED_CORE_GB[tier]
    if n1 := _N1.match(tier):
        return N1_GB_PER_VCPU[n1.group(1)] * int(n1.group(2))
    if custom := _CUSTOM.match(tier):
        return int(custom.group(2)) / 1024  # db-custom-CPUS-MEMORY_MB
    if perf := _PERF_N2.match(tier):
        known = PERF_OPTIMIZED_N2_GB.get(int(perf.group(1)))
        return float(known) if known is not None else None
    return None


def engine(database_version: str) -> str | None:
    """POSTGRES, MYSQL or SQLSERVER, from a `databaseVersion` such as POSTGRES_15."""
    prefix = database_version.split("_", 1)[0]
    return prefix if prefix in LIMIT_FLAG else None


def default_max_connections(engine_name: str, memory: float) -> int | None:
    """The documented default connection limit of an engine at `memory` GB, or None."""
    rows = [
        default
        for start, default in DEFAULT_MAX_CONNECTIONS.get(engine_name, ())
        if memory >= start
    ]
    return rows[-1] if rows else None


@dataclass(frozen=True)
class Limit:
    """How many connections a Cloud SQL instance accepts, and where that number comes from."""

    value: int | None  # None: gcplint cannot determine it (`how` says why)
    how: str
    flag: str = "max_connections"  # the database flag that sets it


def connection_limit(instance: JSON) -> Limit:
    """The connection limit of a Cloud SQL instance (sqladmin v1 REST JSON): its limit flag when
    set, else the documented default for its engine and tier."""
    settings = instance.get("settings") or {}
    version = str(instance.get("databaseVersion", ""))
    kind = engine(version)
    flag = LIMIT_FLAG.get(kind or "", "max_connections")
    flags = {
        str(f.get("name")): str(f.get("value", "")) for f in settings.get("databaseFlags") or []
    }
    if flag in flags:
        value = flags[flag]
        if value.isdigit() and int(value) > 0:
            return Limit(int(value), f"its {flag} flag is {value}", flag)
        return Limit(
            None, f"its {flag} flag is '{value}', which gcplint does not read as a limit", flag
        )
    if kind is None:
        return Limit(
            None, f"gcplint knows no connection limit for engine {version or 'unset'}", flag
        )
    if kind == "SQLSERVER":
        return Limit(
            None,
            "its 'user connections' flag is unset and Cloud SQL documents no default limit for SQL Server",
            flag,
        )
    tier = str(settings.get("tier", ""))
    memory = memory_gb(tier)
    if memory is None:
        return Limit(
            None,
            f"max_connections is unset and gcplint does not know the memory of tier {tier or 'unset'}, "
            "so not its default",
            flag,
        )
    default = default_max_connections(kind, memory)
    if default is None:
        return Limit(
            None, f"Cloud SQL documents no default max_connections for {memory:g} GB", flag
        )
    return Limit(
        default,
        f"{ENGINE_NAMES[kind]}'s default max_connections for {tier}, {memory:g} GB; the flag is unset",
        flag,
    )
