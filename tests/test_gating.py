"""CI gating: --fail-on levels, --on-incomplete, suppressions with expiry, baselines, config."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURES, run_cli

from gcplint.collect import registry
from gcplint.emulator import Fault, World
from gcplint.gate.suppress import encode

BASE = json.loads((FIXTURES / "cases" / "base-world.json").read_text())
TODAY = datetime.now(UTC).date()
SQL = "//sqladmin.googleapis.com/projects/acme-prod/instances/"


def world(*, instances: tuple[str, ...] = ("db1",), labels: dict[str, str] | None = None) -> World:
    """acme-prod with public Cloud SQL instances (sql.public-ip: high) and no budget (budget.missing: high)."""
    data = json.loads(json.dumps(BASE))
    data["projects"]["acme-prod"][registry.SQL_INSTANCES.name] = [
        {
            "name": name,
            "instanceType": "CLOUD_SQL_INSTANCE",
            "settings": {
                "ipConfiguration": {"ipv4Enabled": True},
                **({"userLabels": labels} if labels else {}),
            },
        }
        for name in instances
    ]
    return World.from_json(data)


def scan(emu: Any, *args: str) -> Any:
    checks = ["--check", "sql.public-ip", "--check", "budget.missing"]
    return run_cli("scan", "--api-base", emu.url, "--project", "acme-prod", *checks, *args)


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "gcplint.toml"
    path.write_text(text)
    return path


def suppression(
    resource: str, *, expires: Any = None, check: str = "sql.public-ip", extra: str = ""
) -> str:
    when = expires or (TODAY + timedelta(days=30))
    return (
        f'[[suppressions]]\ncheck = "{check}"\nresource = "{resource}"\nreason = "accepted for launch"\n'
        f'expires = {when.isoformat() if hasattr(when, "isoformat") else when}\nowner = "platform@acme.example"\n{extra}'
    )


@pytest.mark.parametrize(
    ("fail_on", "code"), [("low", 1), ("high", 1), ("critical", 0), ("never", 0)]
)
def test_exit_codes_across_fail_on_levels(serve: Any, fail_on: str, code: int) -> None:
    run = scan(serve(world()), "--fail-on", fail_on)
    assert run.code == code, run.out
    if code == 1:
        assert (
            "because: high sql.public-ip on //sqladmin.googleapis.com/projects/acme-prod/instances/db1"
            in run.out
        )


def test_on_incomplete(serve: Any) -> None:
    emu = serve(world())
    emu.add_fault(Fault(path="/sqladmin/*", error="PERMISSION_DENIED"))
    assert scan(emu, "--fail-on", "critical").code == 3
    warned = scan(emu, "--fail-on", "critical", "--on-incomplete", "warn")
    assert warned.code == 0 and "only warned about" in warned.out


def test_gating_from_the_config_file_and_the_cli_wins(serve: Any, tmp_path: Path) -> None:
    emu = serve(world())
    path = config(tmp_path, 'fail-on = "critical"\non-incomplete = "warn"\n')
    assert scan(emu, "--config", str(path)).code == 0
    assert scan(emu, "--config", str(path), "--fail-on", "high").code == 1


def test_config_selection_severity_and_areas(serve: Any, tmp_path: Path) -> None:
    emu = serve(world())
    path = config(
        tmp_path,
        'select = ["database-exposure"]\nskip = ["sql.pitr-*"]\n[severity]\n"sql.public-ip" = "low"\n',
    )
    data = run_cli(
        *f"scan --api-base {emu.url} --project acme-prod --config {path} --format json".split()
    ).json()
    assert (
        "budget.missing" not in data["scan"]["checks"]
        and "sql.pitr-disabled" not in data["scan"]["checks"]
    )
    assert "sql.public-ip" in data["scan"]["checks"]
    public = [r for r in data["results"] if r["check"] == "sql.public-ip" and r["status"] == "fail"]
    assert public and {r["severity"] for r in public} == {"low"}


def test_config_is_found_from_the_working_directory_upward(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    emu = serve(world())
    config(tmp_path, 'fail-on = "never"\n')
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    monkeypatch.chdir(nested)
    assert scan(emu).code == 0


def test_a_suppressed_finding_is_shown_but_does_not_fail(serve: Any, tmp_path: Path) -> None:
    emu = serve(world())
    path = config(tmp_path, suppression(SQL + "db1"))
    text = scan(emu, "--config", str(path), "--fail-on", "high", "--skip", "budget.missing")
    assert text.code == 0
    assert "Suppressed (1)" in text.out and "accepted for launch" in text.out
    data = scan(emu, "--config", str(path), "--format", "json").json()
    found = next(r for r in data["results"] if r["check"] == "sql.public-ip")
    assert found["status"] == "fail"  # keeps its status
    assert found["suppressed"] == {
        "reason": "accepted for launch",
        "expires": (TODAY + timedelta(days=30)).isoformat(),
        "source": f"{path} suppressions[0]",
        "owner": "platform@acme.example",
        "ticket": None,
    }
    assert data["suppressions"]["suppressed"] == 1


def test_globs_project_and_subject(serve: Any, tmp_path: Path) -> None:
    emu = serve(world(instances=("db1", "db2")))
    path = config(tmp_path, suppression(SQL + "*", extra='project = "acme-prod"\n'))
    data = scan(emu, "--config", str(path), "--format", "json").json()
    assert all(
        r["suppressed"]
        for r in data["results"]
        if r["check"] == "sql.public-ip" and r["status"] == "fail"
    )
    other = config(tmp_path, suppression(SQL + "*", extra='project = "acme-staging"\n'))
    data = scan(emu, "--config", str(other), "--format", "json").json()
    assert not any(r["suppressed"] for r in data["results"])


def test_expired_and_unused_suppressions(serve: Any, tmp_path: Path) -> None:
    emu = serve(world())
    text = suppression(SQL + "db1", expires=TODAY - timedelta(days=1)) + suppression(SQL + "gone")
    path = config(tmp_path, text)
    data = scan(emu, "--config", str(path), "--format", "json").json()
    assert not any(
        r["suppressed"] for r in data["results"]
    )  # the expired entry stopped suppressing
    assert [e["resource"] for e in data["suppressions"]["expired"]] == [SQL + "db1"]
    assert [e["resource"] for e in data["suppressions"]["unused"]] == [SQL + "gone"]
    out = scan(emu, "--config", str(path), "--fail-on", "never").out
    assert "Expired suppression" in out and "Unused suppression" in out
    assert scan(emu, "--config", str(path), "--fail-on", "never").code == 0
    strict = scan(emu, "--config", str(path), "--fail-on", "never", "--strict-suppressions")
    assert (
        strict.code == 1
        and "because: expired suppression" in strict.out
        and "because: unused suppression" in strict.out
    )


def test_a_resource_label_suppresses_when_enabled(serve: Any, tmp_path: Path) -> None:
    until = f"until-{TODAY + timedelta(days=7)}"
    emu = serve(
        world(
            labels={
                "gcplint-ignore": f"{encode('sql.public-ip')}_{encode('sql.ssl-not-enforced')}_{until}"
            }
        )
    )
    path = config(tmp_path, "label-suppressions = true\n")
    data = scan(emu, "--config", str(path), "--format", "json").json()
    found = next(r for r in data["results"] if r["check"] == "sql.public-ip")
    assert found["suppressed"]["source"] == f"label gcplint-ignore on {SQL}db1"
    assert encode("sql.public-ip") == "sql-public-ip"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[[suppressions]]\ncheck = "sql.public-ip"\nresource = "x"\nexpires = 2026-12-01\n',
            "'reason' is required",
        ),
        (
            '[[suppressions]]\ncheck = "sql.public-ip"\nresource = "x"\nreason = "r"\n',
            "'expires' is required",
        ),
        (
            '[[suppressions]]\ncheck = "sql.public-ip"\nresource = "x"\nreason = "r"\nexpires = 2099-01-01\n',
            "more than suppression-max-days",
        ),
        (
            '[[suppressions]]\ncheck = "sql.public-ip"\nresource = "x"\nreason = "r"\nexpires = "soon"\n',
            "must be a date",
        ),
        (
            '[[suppressions]]\ncheck = "nope.*"\nresource = "x"\nreason = "r"\nexpires = 2026-12-01\n',
            "no check matches 'nope.*'",
        ),
        (
            '[[suppressions]]\ncheck = "sql.public-ip"\nresource = "x"\nreason = "r"\nexpires = 2026-12-01\nwho = "me"\n',
            "unknown key who",
        ),
        ('fail-on = "sometimes"\n', "fail-on: must be one of"),
        ('on-incomplete = "maybe"\n', "on-incomplete: must be fail or warn"),
        ('select = ["nothing.*"]\n', "select: no check or area matches 'nothing.*'"),
        ('[severity]\n"sql.public-ip" = "urgent"\n', "severity.sql.public-ip: must be one of"),
        ('[locations]\n"//x/*" = "/abs/path.tf"\n', "must be a relative"),
    ],
)
def test_malformed_config_is_one_line_naming_file_key_and_problem(
    tmp_path: Path, text: str, message: str
) -> None:
    path = config(tmp_path, text)
    run = run_cli(
        "scan", "--project", "acme-prod", "--api-base", "http://127.0.0.1:9", "--config", str(path)
    )
    assert run.code == 2, run.err
    assert len(run.err.strip().splitlines()) == 1 and message in run.err and str(path) in run.err


def test_baseline_create_compare_update_prune(serve: Any, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    emu = serve(world(instances=("db1", "db2")))
    created = run_cli(
        *f"baseline create {baseline} --api-base {emu.url} --project acme-prod --check sql.public-ip --check budget.missing".split()
    )
    assert created.code == 0, created.err
    data = json.loads(baseline.read_text())
    assert data["schema"] == "gcplint-baseline/v2"
    fingerprints = [e["fingerprint"] for e in data["entries"]]
    assert len(fingerprints) == 3 and fingerprints == sorted(fingerprints)
    same = scan(emu, "--baseline", str(baseline))
    assert same.code == 0 and "0 new · 3 unchanged · 0 fixed" in same.out
    assert "unchanged since baseline" in same.out  # nothing is hidden

    emu2 = serve(world(instances=("db2", "db3")))  # db1 fixed, db3 new
    changed = scan(emu2, "--baseline", str(baseline), "--format", "json").json()
    assert changed["baseline"]["new"] == 1 and changed["baseline"]["unchanged"] == 2
    assert [e["resource"] for e in changed["baseline"]["fixed"]] == [SQL + "db1"]
    new = [r for r in changed["results"] if r["baseline"] == "new"]
    assert [r["resource"] for r in new] == [SQL + "db3"] and changed["scan"]["exit_code"] == 1

    args = f"--api-base {emu2.url} --project acme-prod --check sql.public-ip --check budget.missing".split()
    assert run_cli("baseline", "update", str(baseline), *args).code == 0
    kept = {e["resource"] for e in json.loads(baseline.read_text())["entries"]}
    assert SQL + "db1" in kept and SQL + "db3" in kept  # update merges, it does not replace
    assert run_cli("baseline", "update", str(baseline), "--prune", *args).code == 0
    pruned = {e["resource"] for e in json.loads(baseline.read_text())["entries"]}
    assert SQL + "db1" not in pruned and SQL + "db3" in pruned
    assert scan(emu2, "--baseline", str(baseline)).code == 0


def test_baseline_create_never_overwrites(serve: Any, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text("precious")
    run = run_cli(
        "baseline",
        "create",
        str(baseline),
        "--api-base",
        serve(world()).url,
        "--project",
        "acme-prod",
    )
    assert run.code == 2 and "already exists" in run.err and baseline.read_text() == "precious"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"schema": "other"}', "'schema' must be"),
        (
            '{"schema": "gcplint-baseline/v2", "entries": [{"fingerprint": "x"}]}',
            "entries[0] must have exactly",
        ),
    ],
)
def test_malformed_baseline_is_exit_2(
    serve: Any, tmp_path: Path, content: str, message: str
) -> None:
    baseline = tmp_path / "baseline.json"
    baseline.write_text(content)
    run = scan(serve(world()), "--baseline", str(baseline))
    assert run.code == 2 and message in run.err and len(run.err.strip().splitlines()) == 1
    assert (
        run_cli("scan", "--project", "acme-prod", "--baseline", str(tmp_path / "missing.json")).code
        == 2
    )
