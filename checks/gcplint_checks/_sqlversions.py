"""Cloud SQL database versions and the end of their standard support, as Google publishes them.

Data, not logic: `VERSIONS` maps each `databaseVersion` of the Cloud SQL Admin API (sqladmin v1)
to its major version's support dates, the page they come from and the day that page was read.
`standard_ends` is the first day the version is no longer in standard ("regular") support: the
day extended support starts (paid, with forced upgrades at its end) or, for SQL Server, the day
support stops. None means Google publishes no end yet: the version is in standard support.

A version missing here (SQL_DATABASE_VERSION_UNSPECIFIED, the retired MYSQL_5_1 and MYSQL_5_5,
and POSTGRES_19 / POSTGRES_20, which the API lists but no Cloud SQL page dates) is not judged.
To update: read the pages below, change the dates and `READ`, and keep one entry per version.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

READ = date(2026, 12, 3)  # the day the sources below were read

MYSQL_VERSIONS = "https://cloud.google.com/sql/docs/mysql/db-versions"
POSTGRES_VERSIONS = "https://cloud.google.com/sql/docs/postgres/db-versions"
SQLSERVER_VERSIONS = "https://cloud.google.com/sql/docs/sqlserver/db-versions"
SQLSERVER_2017_EOL = "https://cloud.google.com/sql/docs/sqlserver/release-notes#September_14_2026"
SQLSERVER_ENUM = "https://cloud.google.com/sql/docs/sqlserver/admin-api/rest/v1/SqlDatabaseVersion"
MYSQL_9_7_LOG = "https://cloud.google.com/sql/docs/mysql/maintenance-changelog/mysql-9-7"
POSTGRES_18_LOG = "https://cloud.google.com/sql/docs/postgres/maintenance-changelog/postgres-18"


@dataclass(frozen=True)
class Major:
    """A major version's support, as Cloud SQL publishes it."""

    name: str  # as people say it: "MySQL 8.0"
    standard_ends: date | None  # first day out of standard support; None: no end published
    extended_ends: date | None  # first day out of extended support (deprecation), if published
    source: str  # the page the dates come from
    read: date = READ


@dataclass(frozen=True)
class Version:
    """One `databaseVersion`: its major version, and the in-place major upgrades (in order) that
    reach a version in standard support."""

    major: Major
    upgrade: tuple[str, ...] = ()


MYSQL_5_6 = Major("MySQL 5.6", date(2025, 2, 1), date(2028, 2, 1), MYSQL_VERSIONS)
MYSQL_5_7 = Major("MySQL 5.7", date(2025, 2, 1), date(2028, 2, 1), MYSQL_VERSIONS)
MYSQL_8_0 = Major("MySQL 8.0", date(2026, 7, 1), date(2029, 7, 1), MYSQL_VERSIONS)
MYSQL_8_4 = Major("MySQL 8.4", None, None, MYSQL_VERSIONS)
MYSQL_9_7 = Major("MySQL 9.7", None, None, MYSQL_9_7_LOG)
POSTGRES_9_6 = Major("PostgreSQL 9.6", date(2025, 2, 1), date(2028, 2, 1), POSTGRES_VERSIONS)
POSTGRES_10 = Major("PostgreSQL 10", date(2025, 2, 1), date(2028, 2, 1), POSTGRES_VERSIONS)
POSTGRES_11 = Major("PostgreSQL 11", date(2025, 2, 1), date(2028, 2, 1), POSTGRES_VERSIONS)
POSTGRES_12 = Major("PostgreSQL 12", date(2025, 2, 1), date(2028, 2, 1), POSTGRES_VERSIONS)
POSTGRES_13 = Major("PostgreSQL 13", date(2026, 2, 1), date(2029, 2, 1), POSTGRES_VERSIONS)
POSTGRES_14 = Major("PostgreSQL 14", date(2027, 2, 1), date(2030, 2, 1), POSTGRES_VERSIONS)
POSTGRES_15 = Major("PostgreSQL 15", date(2028, 2, 1), date(2031, 2, 1), POSTGRES_VERSIONS)
POSTGRES_16 = Major("PostgreSQL 16", date(2029, 2, 1), date(2032, 2, 1), POSTGRES_VERSIONS)
POSTGRES_17 = Major("PostgreSQL 17", date(2030, 2, 1), date(2033, 2, 1), POSTGRES_VERSIONS)
POSTGRES_18 = Major("PostgreSQL 18", None, None, POSTGRES_18_LOG)
# SQL Server has no extended support on Cloud SQL: support ends with Microsoft's.
SQLSERVER_2017 = Major("SQL Server 2017", date(2027, 10, 13), None, SQLSERVER_2017_EOL)
SQLSERVER_2019 = Major("SQL Server 2019", None, None, SQLSERVER_VERSIONS)
SQLSERVER_2022 = Major("SQL Server 2022", None, None, SQLSERVER_VERSIONS)
SQLSERVER_2025 = Major("SQL Server 2025", None, None, SQLSERVER_ENUM)

# MySQL upgrades in place one major version at a time; PostgreSQL (pg_upgrade) and SQL Server
# go straight to the target.
TO_MYSQL_8_4 = ("MYSQL_8_4",)
TO_POSTGRES_17 = ("POSTGRES_17",)

VERSIONS: dict[str, Version] = {
    "MYSQL_5_6": Version(MYSQL_5_6, ("MYSQL_5_7", "MYSQL_8_0", "MYSQL_8_4")),
    "MYSQL_5_7": Version(MYSQL_5_7, ("MYSQL_8_0", "MYSQL_8_4")),
    "MYSQL_8_0": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_18": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_26": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_27": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_28": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_29": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_30": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_31": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_32": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_33": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_34": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_35": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_36": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_37": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_39": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_40": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_41": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_42": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_43": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_44": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_45": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_0_46": Version(MYSQL_8_0, TO_MYSQL_8_4),
    "MYSQL_8_4": Version(MYSQL_8_4),
    "MYSQL_9_7": Version(MYSQL_9_7),
    "POSTGRES_9_6": Version(POSTGRES_9_6, TO_POSTGRES_17),
    "POSTGRES_10": Version(POSTGRES_10, TO_POSTGRES_17),
    "POSTGRES_11": Version(POSTGRES_11, TO_POSTGRES_17),
    "POSTGRES_12": Version(POSTGRES_12, TO_POSTGRES_17),
    "POSTGRES_13": Version(POSTGRES_13, TO_POSTGRES_17),
    "POSTGRES_14": Version(POSTGRES_14, TO_POSTGRES_17),
    "POSTGRES_15": Version(POSTGRES_15, TO_POSTGRES_17),
    "POSTGRES_16": Version(POSTGRES_16, TO_POSTGRES_17),
    "POSTGRES_17": Version(POSTGRES_17, ("POSTGRES_18",)),
    "POSTGRES_18": Version(POSTGRES_18),
    "SQLSERVER_2017_STANDARD": Version(SQLSERVER_2017, ("SQLSERVER_2022_STANDARD",)),
    "SQLSERVER_2017_ENTERPRISE": Version(SQLSERVER_2017, ("SQLSERVER_2022_ENTERPRISE",)),
    "SQLSERVER_2017_EXPRESS": Version(SQLSERVER_2017, ("SQLSERVER_2022_EXPRESS",)),
    "SQLSERVER_2017_WEB": Version(SQLSERVER_2017, ("SQLSERVER_2022_WEB",)),
    "SQLSERVER_2019_STANDARD": Version(SQLSERVER_2019),
    "SQLSERVER_2019_ENTERPRISE": Version(SQLSERVER_2019),
    "SQLSERVER_2019_EXPRESS": Version(SQLSERVER_2019),
    "SQLSERVER_2019_WEB": Version(SQLSERVER_2019),
    "SQLSERVER_2022_STANDARD": Version(SQLSERVER_2022),
    "SQLSERVER_2022_ENTERPRISE": Version(SQLSERVER_2022),
    "SQLSERVER_2022_EXPRESS": Version(SQLSERVER_2022),
    "SQLSERVER_2022_WEB": Version(SQLSERVER_2022),
    "SQLSERVER_2025_STANDARD": Version(SQLSERVER_2025),
    "SQLSERVER_2025_ENTERPRISE": Version(SQLSERVER_2025),
    "SQLSERVER_2025_EXPRESS": Version(SQLSERVER_2025),
}
