"""Snapshots: collect once, scan offline, serve through the emulator; the three agree."""

from __future__ import annotations

import gzip
import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import ROOT, Run, run_cli
from test_faults import KINDS, TARGETS, scoped
from worldschema import validate_world

from gcplint.collect import registry
from gcplint.emulator import Fault, World, demo_world
from gcplint.emulator.generate import generate_world, project_ids

# what may differ between two scans of the same data: when, as whom, and how many calls
VOLATILE = ("identity", "started", "finished", "api_calls", "retries")


def comparable(run: Run) -> dict[str, Any]:
    assert run.code in (0, 1, 3), run.err
    report = run.json()
    for key in VOLATILE:
        report["scan"].pop(key)
    return report


def scope(projects: list[str]) -> list[str]:
    return [arg for p in projects for arg in ("--project", p)]


def faulted_world(seed: int) -> tuple[World, list[str]]:
    """A generated world where about 15% of the (project, collection) reads fail for good."""
    data = generate_world(seed)
    world = World.from_json(data)
    rng = random.Random(seed)
    kinds = sorted(k for k in KINDS if "slower" not in k)  # a delay needs a shorter --timeout
    for project in project_ids(data):
        for target in TARGETS[:-1]:
            if rng.random() < 0.15:
                rule, _ = KINDS[rng.choice(kinds)]
                rule = {k: v for k, v in rule.items() if k != "retry_after"}
                path = scoped(target.path, project, world.projects[project].number)
                world.faults.append(Fault(path=path, method=target.method, **rule))
    return world, project_ids(data)


def round_trip(serve: Any, world: World, projects: list[str], tmp_path: Path) -> None:
    live_emu = serve(world, page_size=2)
    live = comparable(
        run_cli("scan", "--api-base", live_emu.url, *scope(projects), "--format", "json")
    )
    snapshot = tmp_path / "snapshot.json.gz"
    collected = run_cli(
        "collect", "--api-base", live_emu.url, *scope(projects), "-o", str(snapshot)
    )
    assert collected.code == 0, collected.err
    offline = comparable(run_cli("scan", "--snapshot", str(snapshot), "--format", "json"))
    replay_emu = serve(World.load(snapshot), page_size=2)
    replayed = comparable(
        run_cli("scan", "--api-base", replay_emu.url, *scope(projects), "--format", "json")
    )
    assert offline == live
    assert replayed == live
    assert all(r.is_read for r in replay_emu.requests)


def test_round_trip_of_the_demo_world(serve: Any, tmp_path: Path) -> None:
    """Live scan, scan of its snapshot, live scan of the served snapshot: the same report,
    the demo's unreadable alert policies included."""
    world = demo_world()
    round_trip(serve, world, list(world.projects), tmp_path)


@pytest.mark.parametrize("seed", range(6))
def test_round_trip_with_failed_reads(serve: Any, tmp_path: Path, seed: int) -> None:
    """Failed reads of every kind (denied, disabled, quota, unavailable, malformed...) replay
    as the same unknown or not-applicable results, offline and through the emulator."""
    world, projects = faulted_world(seed)
    round_trip(serve, world, projects, tmp_path)


def collect_demo(tmp_path: Path, *args: str, name: str = "demo.json") -> Path:
    path = tmp_path / name
    result = run_cli("collect", "--demo", "-o", str(path), *args)
    assert result.code == 0, result.err
    return path


def test_snapshot_is_rest_json_with_its_metadata(tmp_path: Path) -> None:
    """The snapshot is a world whose every object matches Google's discovery schemas (proto
    messages serialised with JSON names and enum names), plus who, when, what and each read."""
    data = json.loads(collect_demo(tmp_path).read_text())
    assert validate_world(data) == []
    about = data["snapshot"]
    assert about["gcplintVersion"] and about["created"] and about["identity"]
    assert about["projects"] == ["acme-prod", "acme-staging", "acme-dev"]
    assert "sql.public-ip" in about["checks"]
    alerts = about["reads"][registry.ALERT_POLICIES.name]
    assert alerts["acme-prod"] == "ok"
    assert alerts["acme-dev"]["reason"] == "PERMISSION_DENIED"
    assert alerts["acme-dev"]["permission"] == "monitoring.alertPolicies.list"
    service = data["projects"]["acme-prod"][registry.RUN_SERVICES.name][0]
    assert "ingress" in service and service["ingress"].startswith("INGRESS_TRAFFIC_")
    policy = data["projects"]["acme-prod"][registry.PROJECT_IAM_POLICY.name]
    assert policy["bindings"][0]["members"]
    assert "etag" not in policy  # only the fields gcplint reads are kept


def test_gzip_holds_the_same_document(tmp_path: Path) -> None:
    plain = json.loads(collect_demo(tmp_path).read_text())
    packed = collect_demo(tmp_path, name="demo.json.gz").read_bytes()
    assert packed[:2] == b"\x1f\x8b"
    unpacked = json.loads(gzip.decompress(packed))
    for doc in (plain, unpacked):
        doc["snapshot"].pop("created")
        doc["snapshot"].pop("identity")  # names the emulator's port
    assert unpacked == plain


def test_offline_scan_opens_no_socket(tmp_path: Path) -> None:
    """`scan --snapshot` makes no connection at all (an audit hook sees every connect)."""
    snapshot = collect_demo(tmp_path)
    probe = (
        "import sys\n"
        "seen = []\n"
        "sys.addaudithook(lambda event, args: seen.append(args) if event == 'socket.connect' else None)\n"
        "from gcplint.cli import main\n"
        "try:\n"
        f"    main(['scan', '--snapshot', {str(snapshot)!r}, '--format', 'json', '-o', {str(tmp_path / 'r.json')!r}])\n"
        "except SystemExit as exc:\n"
        "    print('exit', exc.code, 'connects', len(seen))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=ROOT, timeout=120
    )
    assert done.stdout.strip() == "exit 1 connects 0", done.stderr
    assert json.loads((tmp_path / "r.json").read_text())["summary"]["fail"] > 0


def test_what_was_not_collected_is_unknown_never_pass(serve: Any, tmp_path: Path) -> None:
    snapshot = collect_demo(tmp_path, "--check", "sql.public-ip")
    default = run_cli("scan", "--snapshot", str(snapshot), "--format", "json")
    assert {r["check"] for r in default.json()["results"]} == {"sql.public-ip"}
    assert "not collected in this snapshot are not run" in default.err
    named = run_cli(
        "scan", "--snapshot", str(snapshot), "--check", "run.public-invoker", "--format", "json"
    )
    assert named.code == 3, named.err
    results = named.json()["results"]
    assert results and all(r["status"] == "unknown" and r["reason"] == "ERROR" for r in results)
    assert all("not in the snapshot" in r["message"] for r in results)
    emu = serve(World.load(snapshot))
    served = run_cli(
        "scan",
        "--api-base",
        emu.url,
        *scope(["acme-prod", "acme-dev"]),
        "--check",
        "run.public-invoker",
        "--format",
        "json",
    )
    assert served.json()["results"] == [
        r for r in results if r["project"] in ("acme-prod", "acme-dev")
    ]


def test_a_subset_of_the_projects(tmp_path: Path) -> None:
    snapshot = collect_demo(tmp_path)
    only = run_cli("scan", "--snapshot", str(snapshot), "--project", "acme-dev", "--format", "json")
    assert {r["project"] for r in only.json()["results"]} == {"acme-dev"}
    outside = run_cli("scan", "--snapshot", str(snapshot), "--project", "acme-other")
    assert outside.code == 2 and "not in snapshot" in outside.err


def test_baseline_from_a_snapshot(tmp_path: Path) -> None:
    snapshot = collect_demo(tmp_path)
    baseline = tmp_path / "baseline.json"
    made = run_cli("baseline", "create", str(baseline), "--snapshot", str(snapshot))
    assert made.code == 0, made.err
    again = run_cli("scan", "--snapshot", str(snapshot), "--baseline", str(baseline))
    assert again.code == 3, again.err  # nothing new; the 2 unknowns remain


def _edit(tmp_path: Path, change: Any) -> Path:
    data = json.loads(collect_demo(tmp_path).read_text())
    change(data)
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(data))
    return path


BAD: dict[str, tuple[Any, str]] = {
    "a newer format": (lambda d: d.update(schema="gcplint-world/v2"), "gcplint-world/v2"),
    "a world, not a snapshot": (lambda d: d.pop("snapshot"), "not a snapshot"),
    "a read neither ok nor a failure": (
        lambda d: d["snapshot"]["reads"][registry.SQL_INSTANCES.name].update({"acme-prod": "yes"}),
        "sqladmin.instances[acme-prod]",
    ),
    "an unknown reason": (
        lambda d: d["snapshot"]["reads"][registry.SQL_INSTANCES.name].update(
            {"acme-prod": {"reason": "BORED"}}
        ),
        "unknown reason 'BORED'",
    ),
    "an ok read without data": (
        lambda d: d["projects"]["acme-prod"].pop(registry.SQL_INSTANCES.name),
        "holds no data",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_snapshots_are_one_line_errors(tmp_path: Path, case: str) -> None:
    change, expected = BAD[case]
    path = _edit(tmp_path, change)
    before = path.read_bytes()
    result = run_cli("scan", "--snapshot", str(path))
    assert result.code == 2 and result.out == ""
    assert result.err.count("\n") == 1 and expected in result.err, result.err
    assert path.read_bytes() == before


@pytest.mark.parametrize("content", [b"", b"{not json", b"\x1f\x8b\x08\x00broken", b"[]"], ids=str)
def test_unreadable_snapshot_files(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "snapshot.json"
    path.write_bytes(content)
    result = run_cli("scan", "--snapshot", str(path))
    assert result.code == 2 and result.err.count("\n") == 1, result.err
    missing = run_cli("scan", "--snapshot", str(tmp_path / "absent.json"))
    assert missing.code == 2 and "cannot read" in missing.err


def test_snapshot_scans_refuse_live_flags(tmp_path: Path) -> None:
    snapshot = collect_demo(tmp_path)
    result = run_cli("scan", "--snapshot", str(snapshot), "--demo")
    assert result.code == 2 and "--demo" in result.err


def test_a_failed_collect_keeps_the_old_snapshot(tmp_path: Path) -> None:
    snapshot = collect_demo(tmp_path)
    before = snapshot.read_bytes()
    failed = run_cli("collect", "--demo", "-o", str(snapshot), "--check", "no.such-check")
    assert failed.code == 2
    assert snapshot.read_bytes() == before


def test_an_api_off_in_the_quota_project_replays_as_the_same_unknown(
    serve: Any, tmp_path: Path
) -> None:
    """Collected with a quota project that has Cloud SQL Admin off: the snapshot keeps the
    refusal's consumer, so offline and served replays give the same unknown and fix."""
    from test_cli import quota_host_world

    emu = serve(quota_host_world())
    billed = ("--project", "acme-prod", "--quota-project", "billing-host", "--check", "sql.*")
    live = comparable(run_cli("scan", "--api-base", emu.url, *billed, "--format", "json"))
    snapshot = tmp_path / "billed.json"
    assert run_cli("collect", "--api-base", emu.url, *billed, "-o", str(snapshot)).code == 0
    offline = comparable(run_cli("scan", "--snapshot", str(snapshot), "--format", "json"))
    served = serve(World.load(snapshot))
    replayed = comparable(
        run_cli(
            "scan", "--api-base", served.url, *billed[:2], "--check", "sql.*", "--format", "json"
        )
    )
    assert {(r["status"], r["reason"]) for r in live["results"]} == {
        ("unknown", "PERMISSION_DENIED")
    }
    assert "projects/100000000077" in live["results"][0]["remediation"]
    assert offline == live
    assert replayed == live
    failure = json.loads(snapshot.read_text())["snapshot"]["reads"][registry.SQL_INSTANCES.name]
    assert failure["acme-prod"]["consumer"] == "projects/100000000077"
