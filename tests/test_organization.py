"""Whole organizations: enumeration and filters, shards and merge, streaming, enabled-services
gating, rate limits, release of finished projects, progress; all through the emulator."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, Run, run_cli

from gcplint.collect.ratelimit import Throttles
from gcplint.collect.registry import (
    ALERT_POLICIES,
    DOCKER_IMAGES,
    NOTIFICATION_CHANNELS,
    PROJECT,
    PROJECT_IAM_POLICY,
    PROJECT_ROLES,
    PUBSUB_IAM,
    REPOSITORIES,
    RUN_SERVICES,
    SECRET_VERSIONS,
    SECRETS,
    SQL_INSTANCES,
)
from gcplint.collect.session import Session
from gcplint.emulator import Emulator, Fault, World
from gcplint.emulator.generate import generate_org
from gcplint.emulator.routes import ROUTES
from gcplint.progress import Progress
from gcplint.scope import Shard

SIZE = 24
SEED = 7


@pytest.fixture(scope="module")
def org() -> dict[str, Any]:
    return generate_org(SIZE, SEED)


@pytest.fixture
def emu(serve: Any, org: dict[str, Any]) -> Emulator:
    emulator: Emulator = serve(World.from_json(org), page_size=5)
    return emulator


def organization_id(world: dict[str, Any]) -> str:
    return str(world["organizations"][0]["name"]).split("/")[1]


def descendants(world: dict[str, Any], root: str) -> list[str]:
    """ACTIVE projects whose parent chain reaches `root`, computed from the world file."""
    parents = {f["name"]: f.get("parent", "") for f in world["folders"]}
    found = []
    for project_id, body in world["projects"].items():
        project = body["project"]
        parent = project.get("parent", "")
        while parent and parent != root:
            parent = parents.get(parent, "")
        if parent == root and project.get("state", "ACTIVE") == "ACTIVE":
            found.append(project_id)
    return sorted(found)


def scanned(run: Run) -> list[str]:
    assert run.code in (0, 1, 3), run.err
    return sorted(p["id"] for p in run.json()["scan"]["projects"])


def results(run: Run) -> list[str]:
    return sorted(json.dumps(r, sort_keys=True) for r in run.json()["results"])


def test_organization_scans_every_active_project_under_it(
    emu: Emulator, org: dict[str, Any]
) -> None:
    expected = descendants(org, f"organizations/{organization_id(org)}")
    deleted = [p for p, b in org["projects"].items() if b["project"].get("state") != "ACTIVE"]
    assert deleted and len(expected) == SIZE - len(deleted)
    run = run_cli(
        "scan", "--api-base", emu.url, "--organization", organization_id(org), "--format", "json"
    )
    assert scanned(run) == expected
    scan = run.json()["scan"]
    assert scan["projects_total"] == scan["projects_scanned"] == len(expected)
    searches = [r for r in emu.requests if r.path.endswith("projects:search")]
    assert searches and all("state" in r.query for r in searches)


def test_folder_scope_is_recursive(emu: Emulator, org: dict[str, Any]) -> None:
    parents = Counter(f.get("parent") for f in org["folders"])
    folder = next(f["name"] for f in org["folders"] if parents[f["name"]])  # has subfolders
    expected = descendants(org, folder)
    direct = [p for p, b in org["projects"].items() if b["project"].get("parent") == folder]
    assert len(expected) > len(direct)
    run = run_cli(
        "scan", "--api-base", emu.url, "--folder", folder.split("/")[1], "--format", "json"
    )
    assert scanned(run) == expected


def test_label_glob_and_exclusion_filters(emu: Emulator, org: dict[str, Any]) -> None:
    everything = descendants(org, f"organizations/{organization_id(org)}")
    prod = [
        p
        for p in everything
        if org["projects"][p]["project"].get("labels", {}).get("env") == "prod"
    ]
    assert prod
    by_label = run_cli(
        "scan",
        *("--api-base", emu.url, "--organization", organization_id(org)),
        *("--label", "env=prod", "--format", "json"),
    )
    assert scanned(by_label) == prod
    prefix = everything[0].split("-")[0]
    glob = [p for p in everything if p.startswith(prefix + "-")]
    dropped = glob[0]
    filtered = run_cli(
        "scan",
        *("--api-base", emu.url, "--organization", organization_id(org)),
        *("--project", f"{prefix}-*", "--exclude-project", dropped, "--format", "json"),
    )
    assert scanned(filtered) == [p for p in glob if p != dropped]


def test_failed_enumeration_stops_with_exit_2(serve: Any, org: dict[str, Any]) -> None:
    world = World.from_json(org)
    world.faults.append(
        Fault(path="/cloudresourcemanager/v3/projects:search", error="PERMISSION_DENIED")
    )
    emu = serve(world)
    run = run_cli("scan", "--api-base", emu.url, "--organization", organization_id(org))
    assert run.code == 2
    assert "cannot enumerate the projects of organizations/" in run.err
    assert "PERMISSION_DENIED" in run.err and len(run.err.strip().splitlines()) == 1
    assert not run.out


def test_empty_enumeration_stops_with_exit_2(emu: Emulator, org: dict[str, Any]) -> None:
    run = run_cli(
        "scan", "--api-base", emu.url, "--organization", organization_id(org), "--label", "env=nope"
    )
    assert run.code == 2
    assert "no ACTIVE project found in organizations/" in run.err


def test_header_names_projects_that_could_not_be_scanned(serve: Any, org: dict[str, Any]) -> None:
    victim = descendants(org, f"organizations/{organization_id(org)}")[3]
    denied = sorted({r.permission for r in ROUTES} - {"resourcemanager.projects.get"})
    world = World.from_json({**org, "deniedPermissions": {f"projects/{victim}": denied}})
    emu = serve(world)
    run = run_cli(  # budgets are read on the billing account, which is readable: skipped
        "scan", "--api-base", emu.url, "--organization", organization_id(org), "--skip", "budget.*"
    )
    assert run.code == 1  # findings elsewhere come first; the unreadable project is unknown
    total = len(descendants(org, f"organizations/{organization_id(org)}"))
    assert f"Scanned {total - 1} of {total} projects" in run.out
    assert f"not scanned: {victim}: " in run.out and "permission denied" in run.out


def test_shards_partition_the_scope_and_merge_into_the_single_run(
    emu: Emulator, org: dict[str, Any], tmp_path: Path
) -> None:
    scope = ["--api-base", emu.url, "--organization", organization_id(org)]
    single = run_cli("scan", *scope, "--format", "json")
    paths, seen = [], []
    for k in range(3):
        path = tmp_path / f"shard-{k}.json"
        run = run_cli("scan", *scope, "--shard", f"{k}/3", "--format", "json", "-o", str(path))
        assert run.code == single.code, run.err
        shard = json.loads(path.read_text())
        seen.append(sorted(p["id"] for p in shard["scan"]["projects"]))
        assert shard["scan"]["scope"].endswith(f"shard {k}/3: {len(seen[-1])} of {SIZE - 1}") or (
            f"shard {k}/3" in shard["scan"]["scope"]
        )
        paths.append(str(path))
    assert all(seen) and sorted(p for s in seen for p in s) == scanned(single)
    merged = run_cli("report", "merge", *paths, "--format", "json")
    assert merged.code == single.code
    assert results(merged) == results(single)
    assert merged.json()["summary"] == single.json()["summary"]
    as_text = run_cli("report", "merge", *paths)
    assert as_text.code == single.code and "Scanned" in as_text.out


def test_cloud_run_task_variables_select_the_shard(
    emu: Emulator, org: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    scope = ["--api-base", emu.url, "--organization", organization_id(org), "--format", "json"]
    explicit = run_cli("scan", *scope, "--shard", "1/2")
    monkeypatch.setenv("CLOUD_RUN_TASK_INDEX", "1")
    monkeypatch.setenv("CLOUD_RUN_TASK_COUNT", "2")
    from_env = run_cli("scan", *scope)
    assert scanned(from_env) == scanned(explicit)
    assert all(Shard(1, 2).holds(p) for p in scanned(explicit))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--shard", "3/2"], "--shard '3/2'"),
        (["--shard", "x"], "--shard 'x'"),
        (["--organization", "acme"], "--organization 'acme'"),
        (["--organization", "1", "--folder", "2"], "not both"),
        (["--organization", "1", "--label", "Env"], "--label 'Env'"),
        (["--project", "acme-prod", "--rate-limit", "run=fast"], "--rate-limit 'run=fast'"),
        (["--project", "acme-prod", "--rate-limit", "run=nan"], "--rate-limit 'run=nan'"),
        (["--project", "Bad_Id"], "not a valid project ID"),
    ],
)
def test_bad_scope_flags_exit_2_in_one_line(args: list[str], message: str) -> None:
    run = run_cli("scan", "--api-base", "http://127.0.0.1:9", *args)
    assert run.code == 2
    assert message in run.err and len(run.err.strip().splitlines()) == 1


def test_merge_refuses_what_is_not_a_set_of_shard_reports(
    emu: Emulator, org: dict[str, Any], tmp_path: Path
) -> None:
    report = tmp_path / "a.json"
    run_cli(
        "scan",
        "--api-base",
        emu.url,
        "--organization",
        organization_id(org),
        "--shard",
        "0/2",
        "--format",
        "json",
        "-o",
        str(report),
    )
    twice = run_cli("report", "merge", str(report), str(report), "--fail-on", "never")
    assert twice.code == 3, twice.err  # the same shard twice, and shard 1 of 2 missing
    assert f"shard 0 of 2 (--shard 0/2) is given 2 times ({report}, {report}" in twice.out
    assert "shard 1 of 2 (--shard 1/2) is missing" in twice.out
    unsharded = tmp_path / "d.json"
    run_cli(
        *("scan", "--api-base", emu.url, "--organization", organization_id(org)),
        *("--format", "json", "-o", str(unsharded)),
    )
    split = run_cli("report", "merge", str(report), str(unsharded))
    assert split.code == 2 and "not shards of one scan (--shard K/2, no --shard)" in split.err
    text = tmp_path / "b.json"
    text.write_text("not json")
    bad = run_cli("report", "merge", str(text))
    assert bad.code == 2 and "not a JSON report" in bad.err
    missing = run_cli("report", "merge", str(tmp_path / "none.json"))
    assert missing.code == 2 and "cannot read" in missing.err
    other = tmp_path / "c.json"
    run_cli(
        *("scan", "--api-base", emu.url, "--organization", organization_id(org)),
        *("--shard", "1/2", "--check", "sql.*", "--format", "json", "-o", str(other)),
    )
    mixed = run_cli("report", "merge", str(report), str(other))
    assert mixed.code == 2 and "checks differ" in mixed.err


def test_jsonl_streams_every_result_then_a_summary(emu: Emulator, org: dict[str, Any]) -> None:
    scope = ["--api-base", emu.url, "--organization", organization_id(org)]
    whole = run_cli("scan", *scope, "--format", "json")
    lines = run_cli("scan", *scope, "--format", "jsonl")
    assert lines.code == whole.code
    records = [json.loads(line) for line in lines.out.splitlines()]
    assert [r["record"] for r in records[:-1]] == ["result"] * (len(records) - 1)
    summary = records[-1]
    assert summary["record"] == "summary" and "results" not in summary
    streamed = sorted(
        json.dumps({k: v for k, v in r.items() if k != "record"}, sort_keys=True)
        for r in records[:-1]
    )
    assert streamed == results(whole)
    assert summary["summary"] == whole.json()["summary"]
    # project by project; cross-project checks (env.shared-service-account) come last
    order = [r["project"] for r in records[:-1] if r["check"] != "env.shared-service-account"]
    assert order == sorted(order, key=scanned(whole).index)
    last = [r["check"] for r in records[-1 - len(scanned(whole)) : -1]]
    assert set(last) == {"env.shared-service-account"}


@pytest.mark.parametrize(
    ("service", "label", "checks"),
    [("sqladmin.googleapis.com", "sqladmin", "sql.*"), ("run.googleapis.com", "run", "run.*")],
)
def test_a_disabled_api_is_asked_once_per_project_and_never_through_service_usage(
    serve: Any, service: str, label: str, checks: str
) -> None:
    org = generate_org(4, 3)
    victim = sorted(
        p for p, b in org["projects"].items() if b["project"].get("state", "ACTIVE") == "ACTIVE"
    )[0]
    org["projects"][victim]["disabledServices"] = [service]
    emu = serve(World.from_json(org), page_size=100)
    run = run_cli(
        "scan", "--api-base", emu.url, "--project", victim, "--check", checks, "--format", "json"
    )
    asked = [r for r in emu.requests if r.path.startswith(f"/{label}/")]
    assert len(asked) == 1 and asked[0].status == 403  # one answer says the API is off
    assert {(r["status"], r["reason"]) for r in run.json()["results"]} == {
        ("not_applicable", "API_DISABLED")
    }
    assert not [r for r in emu.requests if r.path.startswith("/serviceusage/")]


def test_unreadable_enabled_services_fall_back_to_asking_each_api(serve: Any) -> None:
    org = generate_org(4, 3)
    victim = sorted(
        p for p, b in org["projects"].items() if b["project"].get("state", "ACTIVE") == "ACTIVE"
    )[0]
    plain = serve(World.from_json(org))
    expected = run_cli("scan", "--api-base", plain.url, "--project", victim, "--format", "json")
    world = World.from_json(org)
    world.faults.append(Fault(path="/serviceusage/*", error="PERMISSION_DENIED"))
    denied = serve(world)
    run = run_cli("scan", "--api-base", denied.url, "--project", victim, "--format", "json")
    assert results(run) == results(expected)
    assert [r for r in denied.requests if r.path.startswith("/sqladmin/")]


def test_finished_projects_are_released_but_the_index_is_kept(
    emu: Emulator, org: dict[str, Any]
) -> None:
    from gcplint.checks.plugins import load_checks
    from gcplint.checks.runner import stream
    from gcplint.collect.clients import Clients, resolve_credentials
    from gcplint.collect.connect import ClientSettings
    from gcplint.collect.transport import Transport

    settings = ClientSettings(emu.url)
    creds, _ = resolve_credentials(settings)
    session = Session(Transport(Clients(settings, creds)))
    projects = descendants(org, f"organizations/{organization_id(org)}")
    specs = [c.spec for c in load_checks(())]
    try:
        done = [j.project.project_id for j in stream(specs, projects, session) if j.project]
        kept = {name for name, _ in session.fetched()}
    finally:
        session.close()
    assert done == projects
    assert {PROJECT.name, RUN_SERVICES.name} <= kept
    owned = {name for name, key in session.fetched() if key in projects}
    # the index, and what some project's check read of another (kept, so it is not read again)
    read_across = [SECRETS, SECRET_VERSIONS, SQL_INSTANCES, REPOSITORIES, DOCKER_IMAGES]
    read_across += [NOTIFICATION_CHANNELS, ALERT_POLICIES, PUBSUB_IAM, PROJECT_IAM_POLICY]
    across = {c.name for c in [*read_across, PROJECT_ROLES]}
    assert {PROJECT.name, RUN_SERVICES.name} <= owned <= {PROJECT.name, RUN_SERVICES.name} | across


@pytest.mark.parametrize("how", ["flag", "config"])
def test_rate_limit_keeps_a_scan_inside_the_emulator_quota(
    serve: Any, tmp_path: Path, how: str
) -> None:
    org = generate_org(2, 5)
    projects = sorted(
        p for p, b in org["projects"].items() if b["project"].get("state", "ACTIVE") == "ACTIVE"
    )
    scope = [arg for p in projects for arg in ("--project", p)]
    free = serve(World.from_json(org), quotas={"iam": 3.0})
    expected = run_cli("scan", "--api-base", free.url, *scope, "--format", "json")
    assert free.rejected_by_api().get("iam", 0) > 0  # unlimited, the scan exceeds the quota
    limited = serve(World.from_json(org), quotas={"iam": 20.0})
    config = tmp_path / "gcplint.toml"
    config.write_text("[rate-limits]\niam = 10\n")
    limit = ["--rate-limit", "iam=10"] if how == "flag" else ["--config", str(config)]
    run = run_cli("scan", "--api-base", limited.url, *scope, *limit, "--format", "json")
    assert results(run) == results(expected)
    assert limited.rejected_by_api().get("iam", 0) == 0
    assert limited.calls_by_api()["iam"] > 3


def test_bad_rate_limits_in_the_config_are_exit_2(tmp_path: Path) -> None:
    config = tmp_path / "gcplint.toml"
    config.write_text('[rate-limits]\niam = "fast"\n')
    run = run_cli(
        *f"scan --api-base http://127.0.0.1:9 --project acme-prod --config {config}".split()
    )
    assert run.code == 2 and "rate-limits" in run.err and len(run.err.strip().splitlines()) == 1


def test_progress_goes_to_stderr_in_lines_when_not_a_terminal() -> None:
    out = io.StringIO()
    with Progress(10, lambda: (42, 1), stream=out, interval=0.01) as progress:
        for _ in range(10):
            progress.advance()
        time.sleep(0.05)
    lines = out.getvalue().splitlines()
    assert lines and lines[-1].startswith("gcplint: 10/10 projects · 42 API calls · 1 retries")
    assert "\r" not in out.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_a_bar_on_a_terminal_and_cleared_at_the_end() -> None:
    out = Terminal()
    with Progress(4, lambda: (7, 0), stream=out, interval=0.01) as progress:
        progress.advance()
        time.sleep(0.05)
    shown = out.getvalue()
    assert "\r\x1b[2Kgcplint: [#####---------------] 1/4 projects · 7 API calls" in shown
    assert "ETA" in shown and shown.endswith("\r\x1b[2K") and "\n" not in shown


def test_sarif_category_of_a_large_scope_is_short_and_stable(
    emu: Emulator, org: dict[str, Any]
) -> None:
    scope = ["--api-base", emu.url, "--organization", organization_id(org), "--format", "sarif"]
    ids = [run_cli("scan", *scope).json()["runs"][0]["automationDetails"]["id"] for _ in range(2)]
    assert ids[0] == ids[1]
    assert re.fullmatch(rf"gcplint/{SIZE - 1}-projects-[0-9a-f]{{12}}/", ids[0])


def test_projects_under_folders_the_identity_cannot_see_are_named(
    serve: Any, org: dict[str, Any]
) -> None:
    root = f"organizations/{organization_id(org)}"
    hidden = next(f["name"] for f in org["folders"] if descendants(org, f["name"]))
    lost = descendants(org, hidden)
    denied = {hidden: ["resourcemanager.folders.get"]}
    emu = serve(World.from_json({**org, "deniedPermissions": denied}))
    run = run_cli(
        "scan", "--api-base", emu.url, "--organization", organization_id(org), "--format", "json"
    )
    assert scanned(run) == sorted(set(descendants(org, root)) - set(lost))
    (note,) = run.json()["scan"]["notes"]
    assert f"{len(lost)} ACTIVE project(s) sit under folders" in note
    assert all(p in note for p in lost)
    assert "warning: " in run.err and lost[0] in run.err


def test_an_abandoned_scan_cancels_its_queued_fetches(serve: Any, org: dict[str, Any]) -> None:
    from gcplint.checks.plugins import load_checks
    from gcplint.checks.runner import stream
    from gcplint.collect.clients import Clients, resolve_credentials
    from gcplint.collect.connect import ClientSettings
    from gcplint.collect.transport import Transport

    emu = serve(World.from_json(org), latency=0.005, page_size=50)
    projects = descendants(org, f"organizations/{organization_id(org)}")
    specs = [c.spec for c in load_checks(())]

    def scan(until: int | None) -> int:
        emu.clear_log()
        settings = ClientSettings(emu.url)
        one_each = Throttles({}, max_in_flight=1)  # every API's lane holds a queue
        session = Session(
            Transport(Clients(settings, resolve_credentials(settings)[0]), throttles=one_each)
        )
        try:
            judged = stream(specs, projects, session)
            for i, _ in enumerate(judged):
                if i == until:
                    judged.close()  # the consumer failed, or Ctrl-C
                    break
            made = len(emu.requests)
            time.sleep(0.2)
            late = emu.requests[made:]
            assert not late, [(r.method, r.path, r.query) for r in late]  # nothing runs after close
            return made
        finally:
            session.close()

    full = scan(None)
    assert scan(0) < full / 2  # not every project read ahead


def shard_reports(emu: Emulator, org: dict[str, Any], folder: Path, count: int) -> list[str]:
    """The README's Cloud Run recipe: each task scans its shard (from CLOUD_RUN_TASK_INDEX /
    CLOUD_RUN_TASK_COUNT) with `--fail-on never` and writes JSON."""
    folder.mkdir()
    paths = []
    for k in range(count):
        path = folder / f"shard-{k}.json"
        with pytest.MonkeyPatch.context() as env:
            env.setenv("CLOUD_RUN_TASK_INDEX", str(k))
            env.setenv("CLOUD_RUN_TASK_COUNT", str(count))
            run = run_cli(
                *("scan", "--api-base", emu.url, "--organization", organization_id(org)),
                *("--fail-on", "never", "--format", "json", "--output", str(path)),
            )
        assert run.code == 0, run.err  # findings never fail a task
        paths.append(str(path))
    return paths


def test_merge_gates_the_merged_scan_not_the_shards(
    emu: Emulator, org: dict[str, Any], tmp_path: Path
) -> None:
    paths = shard_reports(emu, org, tmp_path / "scan", 3)
    merged = run_cli("report", "merge", *paths, "--format", "json")
    severities = Counter(r["severity"] for r in merged.json()["results"] if r["status"] == "fail")
    assert severities["critical"] and severities["high"]
    # the default gate (low), as 'gcplint scan' has it: the criticals fail the merge
    assert merged.code == 1 and merged.json()["scan"]["fail_on"] == "low"
    sarif = tmp_path / "org.sarif"
    assert run_cli("report", "merge", *paths, "--format", "sarif", "-o", str(sarif)).code == 1
    text = run_cli("report", "merge", *paths, "--format", "text")
    assert text.code == 1 and "Result: FAIL" in text.out
    assert run_cli("report", "merge", *paths, "--fail-on", "critical").code == 1
    assert run_cli("report", "merge", *paths, "--fail-on", "never").code == 0
    # the config file's gate applies when no flag is given
    config = tmp_path / "gcplint.toml"
    config.write_text('fail-on = "never"\n')
    assert run_cli("report", "merge", *paths, "--config", str(config)).code == 0
    assert (
        run_cli("report", "merge", *paths, "--config", str(config), "--fail-on", "high").code == 1
    )


def test_merge_judges_the_merged_scan_against_a_baseline(
    emu: Emulator, org: dict[str, Any], tmp_path: Path
) -> None:
    paths = shard_reports(emu, org, tmp_path / "scan", 2)
    baseline = tmp_path / "baseline.json"
    created = run_cli(
        *("baseline", "create", str(baseline), "--api-base", emu.url),
        *("--organization", organization_id(org)),
    )
    assert created.code == 0, created.err
    merged = run_cli("report", "merge", *paths, "--baseline", str(baseline), "--format", "json")
    assert merged.code == 0, merged.err  # every finding is in the baseline
    assert merged.json()["baseline"]["new"] == 0
    assert all(
        r["baseline"] == "unchanged" for r in merged.json()["results"] if r["status"] == "fail"
    )


def test_a_merge_missing_a_shard_is_incomplete_and_names_it(
    emu: Emulator, org: dict[str, Any], tmp_path: Path
) -> None:
    paths = shard_reports(emu, org, tmp_path / "scan", 3)
    assert [json.loads(Path(p).read_text())["scan"]["shard"] for p in paths] == [
        {"index": k, "count": 3} for k in range(3)
    ]
    run = run_cli("report", "merge", paths[0], paths[2], "--fail-on", "never")
    assert run.code == 3, run.err
    gap = "shard 1 of 3 (--shard 1/3) is missing: merge the report of every task"
    assert f"INCOMPLETE — {gap}" in run.out and f"because: {gap}" in run.out
    data = run_cli("report", "merge", paths[0], paths[2], "--format", "json").json()
    assert data["scan"]["gaps"] == [gap] and data["scan"]["exit_code"] == 1  # findings first
    failed = run_cli("report", "merge", paths[0], paths[2])
    assert failed.code == 1 and f"also incomplete: {gap}" in failed.out
    only = run_cli("report", "merge", paths[1], "--fail-on", "never")
    assert only.code == 3 and "shards 0, 2 of 3 (--shard 0/3, 2/3) are missing" in only.out
    warned = run_cli("report", "merge", *paths[:2], "--fail-on", "never", "--on-incomplete", "warn")
    assert warned.code == 0 and "shard 2 of 3 (--shard 2/3) is missing" in warned.out
    assert "only warned about: --on-incomplete warn" in warned.out
    whole = run_cli("report", "merge", *paths, "--fail-on", "never", "--format", "json")
    assert whole.code == 0 and whole.json()["scan"]["gaps"] == []


def test_a_project_in_two_reports_is_counted_once_and_named(
    emu: Emulator, org: dict[str, Any], tmp_path: Path
) -> None:
    paths = shard_reports(emu, org, tmp_path / "scan", 2)
    copy = json.loads(Path(paths[1]).read_text())
    moved = json.loads(Path(paths[0]).read_text())["scan"]["projects"][0]
    copy["scan"]["projects"].append(moved)
    Path(paths[1]).write_text(json.dumps(copy))
    run = run_cli("report", "merge", *paths, "--fail-on", "never", "--format", "json")
    assert run.code == 3, run.err
    assert run.json()["scan"]["gaps"] == [
        f"project {moved['id']} is in both {paths[0]} and {paths[1]} (counted once, from {paths[0]})"
    ]
    ids = [p["id"] for p in run.json()["scan"]["projects"]]
    assert len(ids) == len(set(ids))


def readme_recipe() -> tuple[int, str, list[str]]:
    """From the README's Cloud Run recipe: the job's task count, the command each task's shell
    runs (as `gcloud run jobs create --command=sh --args=-c,"…"` leaves it), and step 5's lines."""
    text = (ROOT / "README.md").read_text()
    tasks = int(re.search(r"--tasks=(\d+)", text)[1])  # type: ignore[index]
    task = re.search(r'--args=-c,"(exec gcplint scan [^"]+)"', text)[1]  # type: ignore[index]
    step = text.split("#### 5. Merge and gate", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return tasks, task.replace("\\$", "$"), step.strip().splitlines()


def test_the_readme_cloud_run_recipe_run_as_written_fails_on_a_critical(
    emu: Emulator, org: dict[str, Any], tmp_path: Path
) -> None:
    tasks, task, merge_lines = readme_recipe()
    assert "--fail-on never" in task  # the tasks never fail on findings: the merge gates
    bin_dir = str(Path(sys.executable).parent)  # where the installed `gcplint` command is
    env = {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "GCPLINT_API_BASE": emu.url,  # the only change: the emulator instead of Google
        "ORG_ID": organization_id(org),
        "BUCKET": "reports",
    }
    reports = tmp_path / "reports"
    reports.mkdir()
    for k in range(tasks):  # what the job's tasks run, each in its container's shell
        command = task.replace("/reports/", f"{reports}/").replace("$ORG_ID", env["ORG_ID"])
        task_env = {**env, "CLOUD_RUN_TASK_INDEX": str(k), "CLOUD_RUN_TASK_COUNT": str(tasks)}
        done = subprocess.run(
            ["sh", "-c", command], env=task_env, capture_output=True, text=True, timeout=120
        )
        assert done.returncode == 0, done.stderr
    assert len(list(reports.glob("shard-*.json"))) == tasks
    codes = []
    for line in merge_lines:  # step 5, with the bucket copied from the local "bucket"
        line = line.replace(
            'gcloud storage cp "gs://$BUCKET/shard-*.json"', f"cp {reports}/shard-*.json"
        )
        done = subprocess.run(
            ["sh", "-c", line], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
        )
        codes.append(done.returncode)
        if "--format text" in line:
            assert "Result: FAIL" in done.stdout and "because: critical" in done.stdout
    assert codes == [0, 1, 1], codes  # the copy, then both merges fail on the criticals
    sarif = json.loads((tmp_path / "org.sarif").read_text())
    levels = Counter(r["level"] for r in sarif["runs"][0]["results"])
    assert levels["error"] > 0
