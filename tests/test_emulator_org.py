"""Organizations at scale: generate_org worlds, Service Usage and folder search routes, quotas,
call counts, latency and probabilistic faults, and the `gcplint emulator` commands.

Everything goes over HTTP to the emulator, through the real client libraries where gcplint
uses them; nothing is mocked."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from googleapiclient.errors import HttpError
from helpers import ROOT, project, run_cli, world
from worldschema import validate_world

from gcplint.collect import apis, registry
from gcplint.collect.clients import Clients
from gcplint.collect.connect import ClientSettings
from gcplint.emulator import Emulator, World, WorldError
from gcplint.emulator.generate import generate_org, project_ids

PROJECT_ID = re.compile(r"^[a-z][a-z0-9-]{4,28}[a-z0-9]$")


def http(url: str) -> tuple[int, dict[str, str], Any]:
    """GET url: status, headers and decoded JSON body."""
    try:
        with urllib.request.urlopen(url) as response:
            return response.status, dict(response.headers), json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), json.loads(err.read())


# --- generate_org ------------------------------------------------------------------------------


@pytest.mark.parametrize("size", [0, 1, 2, 7, 60])
def test_org_has_exactly_the_projects_asked_for(size: int) -> None:
    data = generate_org(size, seed=size)
    assert len(project_ids(data)) == size
    World.from_json(data)


def test_org_is_deterministic_per_seed() -> None:
    assert generate_org(40, 5) == generate_org(40, 5)
    assert project_ids(generate_org(40, 5)) != project_ids(generate_org(40, 6))


def test_org_matches_the_api_schemas() -> None:
    assert validate_world(generate_org(120, 11)) == []


def test_org_structure() -> None:
    """Valid unique IDs and numbers, env folders with team folders under them, projects
    directly under the organization too, and a few DELETE_REQUESTED projects."""
    data = generate_org(250, 3)
    org = data["organizations"][0]["name"]
    folders = {f["name"]: f for f in data["folders"]}
    top = {n for n, f in folders.items() if f["parent"] == org}
    assert {folders[n]["displayName"] for n in top} == {"production", "staging", "development"}
    nested = [f for f in folders.values() if f["parent"] in top]
    assert nested and len(nested) + len(top) == len(folders)
    bodies = data["projects"].values()
    ids = project_ids(data)
    assert all(PROJECT_ID.match(p) for p in ids)
    numbers = [b["project"]["name"] for b in bodies]
    assert len(set(numbers)) == len(numbers) == len(ids) == 250
    parents = [b["project"]["parent"] for b in bodies]
    assert set(parents) <= set(folders) | {org}
    assert parents.count(org) > 0 and sum(p in top for p in parents) > 0
    assert sum(folders.get(p, {}).get("parent") in top for p in parents) > 100
    states = [b["project"]["state"] for b in bodies]
    assert states.count("DELETE_REQUESTED") == 5 and states.count("ACTIVE") == 245
    assert all(
        "deleteTime" in b["project"] for b in bodies if b["project"]["state"] == "DELETE_REQUESTED"
    )
    assert sum(len(b[registry.RUN_SERVICES.name]) for b in bodies) > 250
    assert sum(len(b[registry.RUN_REVISIONS.name]) for b in bodies) > 250
    for key in (
        registry.SQL_INSTANCES.name,
        registry.SERVICE_ACCOUNTS.name,
        registry.BUCKETS.name,
        registry.TOPICS.name,
    ):
        assert sum(len(b[key]) for b in bodies) > 100, key
    assert sum(len(b[registry.SERVICE_ACCOUNT_KEYS.name]) for b in bodies) > 100
    budgets = [
        b for a in data["billingAccounts"].values() for b in a[registry.ACCOUNT_BUDGETS.name]
    ]
    covered = {p for b in budgets for p in b["budgetFilter"].get("projects", [])}
    assert len(covered & set(numbers)) > 50


def test_a_thousand_projects_generate_and_load_quickly() -> None:
    started = time.monotonic()
    data = generate_org(1000, 1)
    loaded = World.from_json(data)
    assert len(loaded.projects) == 1000
    assert time.monotonic() - started < 30


# --- Service Usage -----------------------------------------------------------------------------


def _services(emu: Emulator, project_id: str, flt: str | None = None) -> list[dict[str, Any]]:
    """services.list through gcplint's discovery client, following every page."""
    clients = Clients(ClientSettings(api_base=emu.url), AnonymousCredentials())
    api = clients.discovery("serviceusage").services()
    request = api.list(parent=f"projects/{project_id}", filter=flt)
    found: list[dict[str, Any]] = []
    while request is not None:
        response = request.execute()
        found += response.get("services", [])
        request = api.list_next(request, response)
    return found


def _usage_world() -> World:
    return world(
        {
            "acme-prod": {
                "project": project("acme-prod", "1001"),
                "disabledServices": ["sqladmin.googleapis.com", "run.googleapis.com"],
            },
            "acme-lean": {
                "project": project("acme-lean", "1002"),
                "enabledServices": ["serviceusage.googleapis.com", "storage.googleapis.com"],
            },
        }
    )


def test_serviceusage_lists_enabled_services_across_pages(serve: Any) -> None:
    emu = serve(_usage_world(), page_size=1)
    enabled = _services(emu, "acme-prod", "state:ENABLED")
    names = [s["config"]["name"] for s in enabled]
    assert "sqladmin.googleapis.com" not in names and "run.googleapis.com" not in names
    assert {"iam.googleapis.com", "logging.googleapis.com", "storage.googleapis.com"} <= set(names)
    every = len(apis.APIS)  # a project has every API gcplint reads, minus the two disabled here
    assert len(emu.requests) == len(names) == every - 2  # one page per service
    assert emu.requests[-1].method_id == "serviceusage.services.list"
    assert emu.requests[-1].permission == "serviceusage.services.list"
    assert enabled[0] == {
        "name": "projects/1001/services/artifactregistry.googleapis.com",
        "config": {"name": "artifactregistry.googleapis.com", "title": "Artifact Registry API"},
        "state": "ENABLED",
        "parent": "projects/1001",
    }
    disabled = _services(emu, "acme-prod", "state:DISABLED")
    assert [(s["config"]["name"], s["state"]) for s in disabled] == [
        ("run.googleapis.com", "DISABLED"),
        ("sqladmin.googleapis.com", "DISABLED"),
    ]
    assert len(_services(emu, "1001")) == every


def test_serviceusage_declared_enabled_services(serve: Any) -> None:
    emu = serve(_usage_world(), page_size=10)
    names = [s["config"]["name"] for s in _services(emu, "acme-lean", "state:ENABLED")]
    assert names == ["serviceusage.googleapis.com", "storage.googleapis.com"]
    status, _, body = http(emu.url + "/sqladmin/v1/projects/acme-lean/instances")
    assert status == 403 and body["error"]["details"][0]["reason"] == "SERVICE_DISABLED"
    with pytest.raises(HttpError) as err:
        _services(emu, "acme-prod", "name:run")
    assert err.value.status_code == 400


# --- folders:search and projects:search ---------------------------------------------------------


def _org_world(denied: dict[str, list[str]] | None = None) -> tuple[dict[str, Any], World]:
    data = generate_org(30, 2)
    if denied:
        data["deniedPermissions"] = denied
    return data, World.from_json(data)


def _search(emu: Emulator, kind: str, query: str) -> list[dict[str, Any]]:
    """projects:search or folders:search (`kind`) through gcplint's discovery client, following
    every page."""
    clients = Clients(ClientSettings(api_base=emu.url), AnonymousCredentials())
    api = clients.resource("cloudresourcemanager", kind)
    found: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        response = api.search(query=query, pageToken=token).execute(http=clients.http())
        found += response.get(kind, [])
        token = response.get("nextPageToken")
        if not token:
            return found


def test_folders_search(serve: Any) -> None:
    data, _ = _org_world()
    org = data["organizations"][0]["name"]
    prod = next(f["name"] for f in data["folders"] if f["displayName"] == "production")
    under_prod = [f for f in data["folders"] if f["parent"] == prod]
    hidden = under_prod[0]["name"]
    data["deniedPermissions"] = {hidden: ["resourcemanager.folders.get"]}
    emu = serve(World.from_json(data), page_size=2)

    def folders(query: str, field: str) -> list[str]:
        return [f[field] for f in _search(emu, "folders", query)]

    everything = folders("", "name")
    assert sorted(everything) == sorted(f["name"] for f in data["folders"] if f["name"] != hidden)
    top = folders(f"parent={org} AND state=ACTIVE", "displayName")
    assert sorted(top) == ["development", "production", "staging"]
    teams = folders(f'parent:{prod} displayName:"team-*"', "name")
    assert len(under_prod) > 1 and teams == [f["name"] for f in under_prod[1:]]
    assert folders("state:DELETE_REQUESTED", "displayName") == []
    assert len({r.query for r in emu.requests if "pageToken" in r.query}) > 1
    with pytest.raises(HttpError) as err:
        _search(emu, "folders", "owner:someone")
    assert err.value.status_code == 400


def test_projects_search_terms(serve: Any) -> None:
    data, loaded = _org_world()
    emu = serve(loaded, page_size=3)

    def ids(query: str) -> set[str]:
        return {p["projectId"] for p in _search(emu, "projects", query)}

    bodies = {p: b["project"] for p, b in data["projects"].items()}
    org = data["organizations"][0]["name"]
    active = {p for p, b in bodies.items() if b["state"] == "ACTIVE"}
    assert len(active) < len(bodies) and ids("state:ACTIVE") == active
    assert ids(f"parent:{org}") == {p for p, b in bodies.items() if b["parent"] == org}
    assert ids("parent.type:organization") == ids(f"parent:{org}")
    folder = next(b["parent"] for b in bodies.values() if b["parent"].startswith("folders/"))
    in_folder = {p for p, b in bodies.items() if b["parent"] == folder}
    assert ids(f"parent:{folder}") == in_folder
    assert ids(f"parent.id:{folder.removeprefix('folders/')} state:ACTIVE") == in_folder & active
    team = next(iter(bodies.values()))["labels"]["team"]
    labelled = {p for p, b in bodies.items() if b.get("labels", {}).get("team") == team}
    assert ids(f"labels.team:{team}") == labelled
    some = sorted(bodies)[0]
    assert ids(f"id:{some}") == {some} and ids(f"projectId={some.upper()}") == {some}
    assert ids(f"id:{some} id:{sorted(bodies)[1]}") == set(sorted(bodies)[:2])
    with pytest.raises(HttpError) as err:
        ids("owner:someone")
    assert err.value.status_code == 400


# --- quotas, stats, latency, probabilistic faults -----------------------------------------------


def _sql_world() -> World:
    return world({"acme-prod": {"project": project("acme-prod", "1001")}})


def test_quota_rejects_over_the_rate_with_retry_after(serve: Any) -> None:
    emu = serve(_sql_world(), quotas={"sqladmin": 0.5, "iam": 1000})
    sql = [http(emu.url + "/sqladmin/v1/projects/acme-prod/instances") for _ in range(10)]
    assert [s for s, _, _ in sql].count(200) == 1 and [s for s, _, _ in sql].count(429) == 9
    status, headers, body = sql[-1]
    assert int(headers["Retry-After"]) >= 1
    assert body["error"]["status"] == "RESOURCE_EXHAUSTED" and body["error"]["code"] == 429
    assert body["error"]["details"] == [
        {
            "@type": "type.googleapis.com/google.rpc.ErrorInfo",
            "reason": "RATE_LIMIT_EXCEEDED",
            "domain": "googleapis.com",
            "metadata": {"service": "sqladmin.googleapis.com", "consumer": "projects/1001"},
        }
    ]
    iam = [http(emu.url + "/iam/v1/projects/acme-prod/serviceAccounts")[0] for _ in range(50)]
    assert iam == [200] * 50
    for _ in range(3):
        http(emu.url + "/monitoring/v3/projects/acme-prod/alertPolicies")
    expected_calls = {"iam": 50, "monitoring": 3, "sqladmin": 10}
    assert emu.calls_by_api() == expected_calls
    assert emu.rejected_by_api() == {"sqladmin": 9}
    status, _, stats = http(emu.url + "/__emulator/stats")
    assert status == 200 and stats == {
        "calls": expected_calls,
        "rejected": {"sqladmin": 9},
        "distinct": {label: 1 for label in expected_calls},
    }


def test_latency_and_jitter_slow_every_response(serve: Any) -> None:
    emu = serve(_sql_world(), latency=0.02, jitter=0.03, seed=1)
    started = time.monotonic()
    for _ in range(3):
        assert http(emu.url + "/sqladmin/v1/projects/acme-prod/instances")[0] == 200
    assert time.monotonic() - started >= 0.06


def _faulty(probability: float) -> World:
    fault = {"path": "/sqladmin/*", "error": "UNAVAILABLE", "probability": probability}
    return world({"acme-prod": {"project": project("acme-prod", "1001")}}, faults=[fault])


def test_probabilistic_fault_fires_for_its_fraction_repeatably(serve: Any) -> None:
    statuses = []
    for _ in range(2):
        emu = serve(_faulty(0.2), seed=7)
        url = emu.url + "/sqladmin/v1/projects/acme-prod/instances"
        statuses.append([http(url)[0] for _ in range(200)])
    assert statuses[0] == statuses[1]
    assert statuses[0].count(503) == 48  # the draws of random.Random(7) under 0.2
    assert statuses[0].count(200) == 152


def test_fault_probability_is_validated() -> None:
    with pytest.raises(WorldError, match="probability"):
        _faulty(1.5)


# --- gcplint emulator generate / serve ----------------------------------------------------------


def test_emulator_generate_writes_the_org(tmp_path: Path) -> None:
    out = tmp_path / "org.json.gz"
    result = run_cli("emulator", "generate", "--projects", "25", "--seed", "4", "-o", str(out))
    assert result.code == 0, result.err
    assert result.err.strip() == f"wrote 25 projects to {out}"
    assert len(World.load(out).projects) == 25
    plain = tmp_path / "org.json"
    assert (
        run_cli("emulator", "generate", "--projects", "25", "--seed", "4", "-o", str(plain)).code
        == 0
    )
    assert json.loads(plain.read_text()) == generate_org(25, 4)


def test_emulator_generate_refuses_a_missing_directory(tmp_path: Path) -> None:
    out = tmp_path / "missing" / "org.json"
    result = run_cli("emulator", "generate", "--projects", "2", "-o", str(out))
    assert result.code == 2 and "does not exist" in result.err
    assert len(result.err.strip().splitlines()) == 1


@pytest.mark.parametrize("spec", ["run", "run=", "=5", "run=abc", "run=0", "run=-1", "run=nan"])
def test_emulator_serve_rejects_bad_quotas(spec: str) -> None:
    result = run_cli("emulator", "serve", "--quota", spec)
    assert result.code == 2 and "LABEL=RPS" in result.err
    assert len(result.err.strip().splitlines()) == 1


def test_emulator_serve_options_end_to_end(tmp_path: Path) -> None:
    """The served process takes --jitter, --quota and --seed, and reports its stats."""
    world_file = tmp_path / "org.json"
    assert run_cli("emulator", "generate", "--projects", "3", "-o", str(world_file)).code == 0
    project_id = project_ids(json.loads(world_file.read_text()))[0]
    args = ["--port", "0", "--latency", "0.001", "--jitter", "0.01", "--seed", "3"]
    args += ["--quota", "cloudresourcemanager=0.5"]
    env = {"PYTHONPATH": f"{ROOT / 'src'}:{ROOT / 'checks'}", "PATH": "/usr/bin:/bin"}
    process = subprocess.Popen(
        [sys.executable, "-m", "gcplint", "emulator", "serve", str(world_file), *args],
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stderr is not None
        line = process.stderr.readline()
        url = re.search(r"on (http://\S+)", line)
        assert url, line
        base = url.group(1)
        got = [http(f"{base}/cloudresourcemanager/v3/projects/{project_id}")[0] for _ in range(3)]
        assert got == [200, 429, 429]
        assert http(base + "/__emulator/stats")[2] == {
            "calls": {"cloudresourcemanager": 3},
            "rejected": {"cloudresourcemanager": 2},
            "distinct": {"cloudresourcemanager": 1},  # the one answered; 429s are not counted
        }
    finally:
        process.terminate()
        process.wait(timeout=10)
