"""The Cloud SQL version-support table of `sql.unsupported-version` holds only real versions,
and every version out of standard support names an upgrade that leads back into it."""

from __future__ import annotations

from gcplint_checks._sqlversions import VERSIONS
from worldschema import discovery


def test_every_version_is_a_database_version_of_the_api() -> None:
    schema = discovery("sqladmin", "v1")["schemas"]["DatabaseInstance"]
    assert set(VERSIONS) <= set(schema["properties"]["databaseVersion"]["enum"])


def test_every_dated_version_upgrades_to_a_later_end_within_its_engine() -> None:
    for name, version in VERSIONS.items():
        ends = version.major.standard_ends
        assert version.major.source.startswith("https://cloud.google.com/sql/docs/"), name
        if ends is None:
            continue
        assert version.upgrade, f"{name} has an end of support but no upgrade"
        engine = name.split("_")[0]
        assert all(step.startswith(engine) and step in VERSIONS for step in version.upgrade), name
        last = VERSIONS[version.upgrade[-1]].major.standard_ends
        assert last is None or last > ends, f"{name} upgrades to a version that ends no later"
