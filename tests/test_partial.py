"""Partial responses: gcplint asks each API for the fields it reads (`fields=`, Collection.mask),
and a scan with them gives exactly the results of a scan of the whole responses.

- the emulator answers `fields` as Google does (the selection syntax, arrays, absent fields) and
  refuses one that does not parse (400);
- every mask names only fields of Google's discovery schemas, and the page token of a paged list
  (without it, a list would silently end at its first page);
- the same scans, with the emulator honouring `fields` and ignoring it, give the same results:
  on the demo world, on generated worlds, and on real recorded Google responses (gcpdiag's test
  data, tests/data/gcpdiag), which carry every field the APIs send; one page per item, so masks
  are exercised across pages.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli
from test_snapshots import comparable, scope

from gcplint.collect import registry
from gcplint.collect import registry as c
from gcplint.collect.schema import discovery
from gcplint.emulator import Emulator, World, demo_world
from gcplint.emulator.generate import generate_world, project_ids
from gcplint.emulator.partial import parse, select

REAL = Path(__file__).parent / "data" / "gcpdiag"

# -- the emulator's partial responses -------------------------------------------------------------

BODY = {
    "kind": "sql#instancesList",
    "nextPageToken": "p2",
    "items": [
        {"name": "a", "settings": {"tier": "t1", "userLabels": {"x": "1"}}, "state": "RUNNABLE"},
        {"name": "b", "serverCaCert": {"cert": "..."}},
        {"name": "c", "settings": {"userLabels": {}}},
    ],
}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ("nextPageToken", {"nextPageToken": "p2"}),
        (
            "items(name,settings/tier)",
            {"items": [{"name": "a", "settings": {"tier": "t1"}}, {"name": "b"}, {"name": "c"}]},
        ),
        (
            "items/settings",
            {
                "items": [
                    {"settings": {"tier": "t1", "userLabels": {"x": "1"}}},
                    {},
                    {"settings": {"userLabels": {}}},
                ]
            },
        ),
        (
            "items(settings(userLabels/*))",
            {"items": [{"settings": {"userLabels": {"x": "1"}}}, {}, {}]},
        ),
        ("kind, nextPageToken", {"kind": "sql#instancesList", "nextPageToken": "p2"}),
        (
            "items(name),items(state)",
            {"items": [{"name": "a", "state": "RUNNABLE"}, {"name": "b"}, {"name": "c"}]},
        ),
        ("noSuchField", {}),
        ("*", BODY),
    ],
)
def test_a_selection_keeps_what_it_names(fields: str, expected: Any) -> None:
    assert select(BODY, parse(fields)) == expected


@pytest.mark.parametrize("fields", ["items(name", "items)", "items/", ",name", "a(,b)", "a b"])
def test_a_selection_that_does_not_parse_is_400(fields: str) -> None:
    world = World.from_json(
        {
            "schema": "gcplint-world/v1",
            "projects": {"p": {"project": {"name": "projects/1", "projectId": "p"}}},
        }
    )
    with Emulator(world) as emu:
        query = urllib.parse.urlencode({"fields": fields})
        url = f"{emu.url}/cloudresourcemanager/v3/projects/p?{query}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=10)
    assert refused.value.code == 400
    assert json.loads(refused.value.read())["error"]["status"] == "INVALID_ARGUMENT"


# -- the masks gcplint sends ----------------------------------------------------------------------

MASKED = [x for x in registry.ALL if x.mask is not None]


@pytest.mark.parametrize("collection", MASKED, ids=lambda x: x.name)
def test_every_mask_names_fields_of_the_discovery_schema(collection: Any) -> None:
    """Each top-level field a mask names is a property of the items' schema (a name Google does
    not know would make every read fail), and a list that has a page token keeps it."""
    fields = collection.fields
    version = fields.version or collection.api.discovery
    schemas = discovery(collection.api.label, version)["schemas"]
    properties = schemas[fields.schema]["properties"]
    selection = parse(collection.mask)
    items = selection[fields.listed] if fields.listed else selection
    assert items is not None and set(items) <= set(properties), collection.mask
    paged = any(
        "nextPageToken" in (s.get("properties") or {})
        and ((s["properties"].get(fields.listed) or {}).get("items") or {}).get("$ref")
        == fields.schema
        for s in schemas.values()
    )
    assert ("nextPageToken" in selection) == bool(fields.listed and paged)


def test_a_scan_sends_each_collection_its_mask() -> None:
    """The masks reach the wire, on list calls (every page) and IAM policies alike; reads of
    what a collection is not (the regions of a listing across regions) get none."""
    with Emulator(demo_world(), page_size=1) as emu:
        run = run_cli("scan", "--api-base", emu.url, "--project", "acme-prod", "--format", "json")
        assert run.code in (1, 3), run.err
        sent = [(r.path, urllib.parse.parse_qs(r.query).get("fields")) for r in emu.requests]
    instances = [f for p, f in sent if p.endswith("/projects/acme-prod/instances")]
    assert len(instances) >= 2  # every page
    assert all(f == [c.SQL_INSTANCES.mask] for f in instances)
    policies = [f for p, f in sent if p.startswith("/storage/") and p.endswith("/iam")]
    assert policies and all(f == [c.BUCKET_IAM.mask] for f in policies)
    assert all(f is None for p, f in sent if p.endswith("/locations"))
    assert sum(1 for _, f in sent if f) > len(sent) / 2


# -- the same results -----------------------------------------------------------------------------


def _real(scenario: str, name: str) -> Any:
    path = REAL / scenario / name
    return json.loads(path.read_text()) if path.exists() else None


def real_world() -> dict[str, Any]:
    """Projects of real recorded responses (gcpdiag): Cloud Run services, Cloud SQL instances,
    buckets, Pub/Sub topics and subscriptions, service accounts and project IAM policies."""
    reads = {
        "cloudrun1": {c.RUN_SERVICES.name: ("cloudrun_services.json", "services")},
        "cloudsql1": {c.SQL_INSTANCES.name: ("cloudsql-instances.json", "items")},
        "gcs1": {c.BUCKETS.name: ("storage.json", "items")},
        "pubsub1": {
            c.TOPICS.name: ("topics.json", "topics"),
            c.SUBSCRIPTIONS.name: ("subscriptions.json", "subscriptions"),
        },
        "iam1": {c.SERVICE_ACCOUNTS.name: ("iam-service-accounts.json", "accounts")},
    }
    projects: dict[str, Any] = {}
    for scenario, collections in reads.items():
        project = _real(scenario, "project.json")
        body: dict[str, Any] = {"project": project}
        policy = _real(scenario, "iam-policy.json")
        if policy is not None:
            body[c.PROJECT_IAM_POLICY.name] = policy
        for name, (file, listed) in collections.items():
            body[name] = _real(scenario, file)[listed]
        projects[project["projectId"]] = body
    return {"schema": "gcplint-world/v1", "projects": projects}


def _demo() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(
        resources.files("gcplint.emulator").joinpath("demo_world.json").read_text()
    )
    return data


def _worlds() -> list[tuple[str, dict[str, Any]]]:
    return [
        ("demo", _demo()),
        ("generated 3", generate_world(3)),
        ("generated 11", generate_world(11)),
        ("real gcpdiag responses", real_world()),
    ]


@pytest.mark.parametrize(
    ("label", "data"), _worlds(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_partial_responses_give_the_results_of_whole_ones(label: str, data: dict[str, Any]) -> None:
    reports = []
    for partial in (True, False):
        with Emulator(World.from_json(data), page_size=1, partial=partial) as emu:
            run = run_cli(
                "scan", "--api-base", emu.url, *scope(project_ids(data)), "--format", "json"
            )
            reports.append(comparable(run))
            masked = sum(1 for r in emu.requests if "fields=" in r.query)
        assert masked > 0
    assert reports[0] == reports[1]
    assert reports[0]["results"], label
