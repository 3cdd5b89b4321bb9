"""The fields gcplint reads, declared per collection: complete, real, type-checked, and the only
ones a snapshot keeps.

- every declared path exists in Google's discovery schema and ends in a scalar, an array or a
  map of them;
- the checks (and everything else downstream of the session) read nothing undeclared, recorded
  on the demo world and generated worlds (`test_checks.py` records every case too): otherwise a
  snapshot would silently drop data a check needs;
- a declared field of the wrong JSON type makes its data unreadable (unknown, ERROR, naming the
  field and the expected type), never a pass;
- a snapshot holds none of the credentials a world hides in fields or values, and replays to the
  same results.
"""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURES, run_cli, session_for
from recording import covered, recording, undeclared
from test_snapshots import comparable, scope

from gcplint.checks.plugins import load_checks
from gcplint.checks.runner import gather, stream
from gcplint.collect import registry
from gcplint.collect.schema import Fields, SchemaError, compile_fields
from gcplint.emulator import World
from gcplint.emulator.generate import generate_world, project_ids
from gcplint.model import Reason, Result, Status
from gcplint.redact import PREFIX, redact_header, redact_map, redact_string

BASE = json.loads((FIXTURES / "cases" / "base-world.json").read_text())
BUILTIN = {c.spec.id: c.spec for c in load_checks() if c.origin.startswith("entry point builtin")}
SQL = "//sqladmin.googleapis.com/projects/acme-prod/instances/"


# -- the declaration ------------------------------------------------------------------------------


@pytest.mark.parametrize("collection", registry.ALL, ids=lambda c: c.name)
def test_every_stored_collection_declares_real_fields(collection: Any) -> None:
    """Each stored collection names its discovery schema and fields, and each path resolves to
    a field of that schema whose type is known (`shape` raises SchemaError otherwise)."""
    if not collection.stored:
        assert collection.fields is None, "derived data is never stored nor checked"
        return
    assert collection.fields is not None, f"{collection.name} declares no fields="
    assert collection.shape is not None
    assert len(set(collection.fields.paths)) == len(collection.fields.paths), "a path repeats"


@pytest.mark.parametrize(
    ("paths", "problem"),
    [
        (("settings.noSuchField",), "has no field noSuchField"),
        (("settings",), "ends in an object with fields"),
        (("settings[].tier",), "is not an array"),
        (("ipAddresses.type",), "has no field type"),
        (("settings.userLabels{}.x",), "has no field x"),
    ],
)
def test_a_path_the_schema_lacks_is_refused(paths: tuple[str, ...], problem: str) -> None:
    with pytest.raises(SchemaError, match=problem):
        compile_fields(Fields("DatabaseInstance", paths), "sqladmin", "v1")


def test_declared_types_come_from_discovery() -> None:
    shape = registry.SQL_INSTANCES.shape
    assert shape is not None
    ip = shape.fields["settings"].fields["ipConfiguration"]
    assert ip.fields["ipv4Enabled"].kind == "boolean"
    networks = ip.fields["authorizedNetworks"]
    assert networks.kind == "array" and networks.item is not None
    assert networks.item.fields["value"].kind == "string"
    disk = shape.fields["settings"].fields["dataDiskSizeGb"]
    assert (disk.kind, disk.format) == ("string", "int64")
    assert shape.fields["settings"].fields["userLabels"].kind == "map"
    assert shape.fields["ipAddresses"].item.fields["type"].enum  # type: ignore[union-attr]


def test_coverage_rule() -> None:
    declared = ("settings.tier", "labels", "bindings[].role", "cleanupPolicies{}.action")
    assert covered("settings", False, declared)  # on the way to settings.tier
    assert not covered("settings", True, declared)  # iterated: every field of it
    assert covered("labels.env", False, declared) and covered("labels", True, declared)
    assert covered("bindings[].role", False, declared)
    assert not covered("bindings[].members", False, declared)
    assert covered("cleanupPolicies", True, declared)  # a map declared with {}
    assert covered("cleanupPolicies.keep-3.action", False, declared)
    assert not covered("cleanupPolicies.keep-3.condition", False, declared)
    assert not covered("settings.edition", False, declared)


# -- complete: nothing read that is not declared --------------------------------------------------


def test_the_demo_scan_reads_only_declared_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every check, label, compact index and derived collection of a whole demo scan (through
    the app: Service Usage gating, labels, release) reads only declared fields."""
    reads = recording(monkeypatch)
    result = run_cli("scan", "--demo", "--format", "json")
    assert result.code in (1, 3), result.err
    assert undeclared(reads) == []
    assert len(reads) >= 20  # the recording saw the collections


@pytest.mark.parametrize("seed", [1, 7])
def test_generated_scans_read_only_declared_fields(
    serve: Any, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    data = generate_world(seed)
    emu = serve(World.from_json(data), page_size=50)
    reads = recording(monkeypatch)
    result = run_cli("scan", "--api-base", emu.url, *scope(project_ids(data)), "--format", "json")
    assert result.code in (0, 1, 3), result.err
    assert undeclared(reads) == []


# -- type-checked: a wrong type is unknown, never a pass ------------------------------------------


def instance(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "sql#instance",
        "name": name,
        "project": "acme-prod",
        "databaseVersion": "POSTGRES_15",
        "instanceType": "CLOUD_SQL_INSTANCE",
        "state": "RUNNABLE",
        "region": "europe-west1",
        **fields,
    }


def scan(serve: Any, collections: dict[str, Any], *check_ids: str) -> list[Result]:
    data = copy.deepcopy(BASE)
    data["projects"]["acme-prod"].update(collections)
    emu = serve(World.from_json(data), page_size=50)
    specs = [BUILTIN[i] for i in check_ids]
    _, results = gather(stream(specs, ["acme-prod"], session_for(emu)))
    return results


def test_a_string_boolean_makes_the_instances_unreadable(serve: Any) -> None:
    """`ipv4Enabled: "true"` with 0.0.0.0/0 authorized: both SQL exposure checks say unknown
    (ERROR) naming the field and the type; neither passes, and neither is silent."""
    public = {"ipv4Enabled": "true", "authorizedNetworks": [{"value": "0.0.0.0/0"}]}
    instances = [
        instance("private-db", settings={"ipConfiguration": {"ipv4Enabled": False}}),
        instance("public-db", settings={"ipConfiguration": public}),
    ]
    results = scan(
        serve,
        {registry.SQL_INSTANCES.name: instances},
        "sql.public-ip",
        "sql.open-authorized-network",
    )
    assert {r.check for r in results} == {"sql.public-ip", "sql.open-authorized-network"}
    for result in results:
        assert (result.status, result.reason) == (Status.UNKNOWN, Reason.ERROR), result
        assert (
            "sqladmin.instances: items[1].settings.ipConfiguration.ipv4Enabled is a string,"
            " expected a boolean" in result.message
        )


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        (
            {"dataDiskSizeGb": 100},
            "items[0].settings.dataDiskSizeGb is an integer, expected an int64",
        ),
        (
            {"dataDiskSizeGb": "big"},
            "items[0].settings.dataDiskSizeGb is a string, expected an int64",
        ),
        (
            {"ipConfiguration": []},
            "items[0].settings.ipConfiguration is an array, expected an object",
        ),
        (
            {"userLabels": {"env": 1}},
            "items[0].settings.userLabels.env is an integer, expected a string",
        ),
        (
            {"ipConfiguration": {"authorizedNetworks": {"value": "0.0.0.0/0"}}},
            "authorizedNetworks is an object, expected an array",
        ),
        ({"availabilityType": True}, "availabilityType is a boolean, expected a string (an enum"),
    ],
    ids=["int64 number", "int64 text", "object", "map value", "array", "enum"],
)
def test_every_kind_of_type_is_checked(serve: Any, settings: dict[str, Any], expected: str) -> None:
    results = scan(
        serve, {registry.SQL_INSTANCES.name: [instance("db", settings=settings)]}, "sql.public-ip"
    )
    assert [(r.status, r.reason) for r in results] == [(Status.UNKNOWN, Reason.ERROR)]
    assert expected in results[0].message


def test_an_undeclared_field_of_any_type_is_not_judged(serve: Any) -> None:
    """Only what gcplint reads is checked: an odd value elsewhere costs nothing."""
    settings = {"ipConfiguration": {"ipv4Enabled": False}, "edition": 7}
    results = scan(
        serve, {registry.SQL_INSTANCES.name: [instance("db", settings=settings)]}, "sql.public-ip"
    )
    assert [r.status for r in results] == [Status.PASS]


def test_an_instance_without_ip_configuration_is_unknown(serve: Any) -> None:
    results = scan(
        serve, {registry.SQL_INSTANCES.name: [instance("bare", settings={})]}, "sql.public-ip"
    )
    assert [(r.status, r.resource) for r in results] == [(Status.UNKNOWN, SQL + "bare")]


def test_a_string_channel_list_is_not_four_channels(serve: Any) -> None:
    """`notificationChannels: "none"` is not a list of four channels."""
    policy = {
        "name": "projects/acme-prod/alertPolicies/1",
        "displayName": "errors",
        "enabled": True,
        "notificationChannels": "none",
        "combiner": "OR",
    }
    results = scan(
        serve,
        {registry.ALERT_POLICIES.name: [policy]},
        "monitoring.no-alerting",
        "monitoring.alert-no-channel",
    )
    assert results and all(r.status is Status.UNKNOWN for r in results), results
    assert all(
        "monitoring.alertPolicies: alertPolicies[0].notificationChannels is a string,"
        " expected an array" in r.message
        for r in results
    )


def test_a_per_resource_read_of_the_wrong_type_is_unreadable_alone(serve: Any) -> None:
    """A bucket whose IAM policy has a condition titled by a number is unknown; the other
    bucket is still judged."""
    buckets = [
        {"kind": "storage#bucket", "name": n, "id": n, "location": "EU"} for n in ("odd", "fine")
    ]
    policies = {
        "odd": {
            "bindings": [
                {
                    "role": "roles/storage.objectViewer",
                    "members": ["allUsers"],
                    "condition": {"title": 7, "expression": "true"},
                }
            ]
        },
        "fine": {"bindings": [{"role": "roles/storage.objectViewer", "members": ["allUsers"]}]},
    }
    results = scan(
        serve,
        {registry.BUCKETS.name: buckets, registry.BUCKET_IAM.name: policies},
        "storage.public-bucket",
    )
    by_bucket = {r.resource.rsplit("/", 1)[-1]: r for r in results}
    assert by_bucket["odd"].status is Status.UNKNOWN
    assert (
        "bindings[0].condition.title is an integer, expected a string" in by_bucket["odd"].message
    )
    assert by_bucket["fine"].status is Status.FAIL


# -- snapshots keep only declared fields, without credentials -------------------------------------

CANARIES = {
    "args": "canary-args-5f1e",
    "command": "canary-command-8a2b",
    "env": "canary-env-value-3c9d",
    "header": "Bearer canary-header-7e4f",
    "userinfo": "canary-userinfo-2b8c",
    "token": "canary-token-6d1a",
    "private": "canary-private-key-9f3e",
    "root": "canary-root-password-1a7b",
    "extra": "canary-unknown-field-4c2d",
    "label": "canary-label-token-8e5f",
    "url": "canary-url-password-0b6a",
}


def canary_world() -> dict[str, Any]:
    """The demo world with a canary secret in every place an API may hold one."""
    text = resources.files("gcplint.emulator").joinpath("demo_world.json").read_text()
    data: dict[str, Any] = json.loads(text)
    prod = data["projects"]["acme-prod"]
    container = prod[registry.RUN_SERVICES.name][0]["template"]["containers"][0]
    container["args"] = ["--password", CANARIES["args"]]
    container["command"] = ["/bin/sh", "-c", f"run --token={CANARIES['command']}"]
    container["env"].append({"name": "API_TOKEN", "value": CANARIES["env"]})
    container["livenessProbe"] = {
        "httpGet": {
            "path": "/healthz",
            "httpHeaders": [{"name": "Authorization", "value": CANARIES["header"]}],
        }
    }
    prod[registry.SUBSCRIPTIONS.name][0]["pushConfig"]["pushEndpoint"] = (
        f"https://user:{CANARIES['userinfo']}@hooks.example.com/push?token={CANARIES['token']}"
    )
    account = next(iter(prod[registry.SERVICE_ACCOUNT_KEYS.name]))
    prod[registry.SERVICE_ACCOUNT_KEYS.name][account][0]["privateKeyData"] = CANARIES["private"]
    db = prod[registry.SQL_INSTANCES.name][0]
    db["rootPassword"] = CANARIES["root"]
    db["gcplintCanaryField"] = CANARIES["extra"]
    labels = prod[registry.UPTIME_CHECKS.name][0]["monitoredResource"]["labels"]
    labels["auth_token"] = CANARIES["label"]  # kept fields: redacted, not dropped
    labels["host"] = (
        f"https://admin:{CANARIES['url']}@status.example.com/?api_key={CANARIES['token']}"
    )
    prod[registry.ALERT_POLICIES.name][0]["notificationChannels"] = "none"  # replays unreadable
    return data


def test_a_snapshot_holds_no_canary_and_replays_the_same(serve: Any, tmp_path: Path) -> None:
    data = canary_world()
    projects = list(data["projects"])
    emu = serve(World.from_json(data), page_size=2)
    live = comparable(run_cli("scan", "--api-base", emu.url, *scope(projects), "--format", "json"))
    path = tmp_path / "snapshot.json"
    collected = run_cli("collect", "--api-base", emu.url, *scope(projects), "-o", str(path))
    assert collected.code == 0, collected.err
    text = path.read_text()
    assert [name for name, canary in CANARIES.items() if canary in text] == []
    assert not any(canary in json.dumps(live) for canary in CANARIES.values())  # nor a report
    assert PREFIX in text  # the kept ones were redacted, not dropped
    offline = comparable(run_cli("scan", "--snapshot", str(path), "--format", "json"))
    assert offline == live
    mismatch = "alertPolicies[0].notificationChannels is a string, expected an array"
    assert any(mismatch in r["message"] for r in live["results"])


def test_redaction_of_kept_values() -> None:
    assert redact_string("https://u:p@host/x?token=abc&page=2") == (
        f"https://{PREFIX}@host/x?token={PREFIX}&page=2"
    )
    assert redact_string(redact_string("https://u:p@h/?sig=1")) == redact_string(
        "https://u:p@h/?sig=1"
    )
    assert redact_string("projects/p/topics/t") == "projects/p/topics/t"
    header = {"name": "X-Api-Key", "value": "k"}
    redact_header(header)
    assert header["value"].startswith(PREFIX)
    plain = {"name": "Accept", "value": "text/plain"}
    redact_header(plain)
    assert plain["value"] == "text/plain"
    labels = {"password": "hunter2", "env": "prod"}
    redact_map(labels)
    assert labels["password"].startswith(PREFIX) and labels["env"] == "prod"
