"""What a new user meets first: help, Ctrl-C, where reports go, the verdict, the config file,
--severity, --quiet and "did you mean"; through the CLI against the emulator."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import textwrap
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli

from gcplint.emulator import Emulator, demo_world

GCPLINT = [sys.executable, "-m", "gcplint"]
SCRIPT = Path(sys.executable).with_name("gcplint")  # the installed console script


@pytest.fixture
def demo(serve: Any) -> str:
    """The demo world's --api-base."""
    emulator: Emulator = serve(demo_world(), page_size=50)
    return emulator.url


DEMO_PROJECTS = ("--project", "acme-prod", "--project", "acme-staging", "--project", "acme-dev")


def scan(base: str, *args: str) -> Any:
    """`gcplint scan` of the demo world's three projects, as `--demo` scans them."""
    return run_cli("scan", "--api-base", base, *DEMO_PROJECTS, "--no-progress", *args)


# -- help -------------------------------------------------------------------------------------


@pytest.mark.parametrize("group", [[], ["checks"], ["report"], ["baseline"], ["emulator"]])
def test_a_group_without_a_command_prints_its_help(group: list[str]) -> None:
    run = run_cli(*group)
    assert run.code == 0 and run.err == ""
    lines = run.out.splitlines()
    assert lines[
        0
    ] == f"Usage: gcplint {' '.join([*group, ''])}[OPTIONS] COMMAND [ARGS]...".replace("  ", " ")
    assert "Commands:" in lines and len(lines) > 6  # the help, line by line, not one squashed line


@pytest.mark.parametrize("command", [[str(SCRIPT)], GCPLINT], ids=["gcplint", "python -m gcplint"])
def test_bare_gcplint_through_the_real_entry_points_shows_where_to_start(
    command: list[str],
) -> None:
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and done.stderr == ""
    assert "gcplint scan --demo" in done.stdout and "Commands:" in done.stdout


# -- Ctrl-C -----------------------------------------------------------------------------------


def test_ctrl_c_during_a_scan_exits_130_at_once(serve: Any) -> None:
    slow: Emulator = serve(demo_world(), latency=5.0)  # every read is still in flight
    process = subprocess.Popen(
        [str(SCRIPT), "scan", "--api-base", slow.url, "--project", "acme-prod", "--no-progress"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.0)
    interrupted = time.monotonic()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    waited = time.monotonic() - interrupted
    assert process.returncode == 130
    assert err.strip().splitlines()[-1] == "gcplint: interrupted" and "Traceback" not in err
    assert out == ""
    assert waited < 4.0, f"waited {waited:.1f}s for reads in flight after Ctrl-C"


def test_ctrl_c_while_the_modules_load_exits_130_without_a_traceback(tmp_path: Path) -> None:
    # Ctrl-C arrives exactly while gcplint's command line is being imported
    script = textwrap.dedent(
        """
        import importlib.abc, os, signal, sys

        class CtrlC(importlib.abc.MetaPathFinder):
            def find_spec(self, name, path, target=None):
                if name == "gcplint.cli.scan":
                    os.kill(os.getpid(), signal.SIGINT)
                return None

        sys.meta_path.insert(0, CtrlC())
        sys.argv = ["gcplint", "checks", "list"]
        from gcplint.__main__ import run
        run()
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 130, done.stderr
    assert done.stderr == "gcplint: interrupted\n" and done.stdout == ""


# -- where reports go, and the verdict ---------------------------------------------------------


def test_a_report_written_to_a_file_still_tells_the_terminal_the_verdict(
    demo: str, tmp_path: Path
) -> None:
    sarif = tmp_path / "r.sarif"
    run = scan(demo, "--format", "sarif", "-o", str(sarif))
    assert run.code == 1 and run.out == ""
    lines = run.err.strip().splitlines()
    assert lines[-2] == f"gcplint: sarif report written to {sarif}"
    verdict = lines[-1]
    assert verdict.startswith("gcplint: Result: FAIL — ") and verdict.endswith("(exit 1)")
    assert "9 critical" in verdict and "at or above low" in verdict
    assert json.loads(sarif.read_text())["version"] == "2.1.0"
    # json on stdout: the verdict still reaches the terminal, on stderr
    as_json = scan(demo, "--format", "json", "--fail-on", "never", "--on-incomplete", "warn")
    assert as_json.json()["scan"]["exit_code"] == 0
    assert (
        as_json.err.strip().splitlines()[-1].startswith("gcplint: Result: PASS — --fail-on never")
    )
    # the text report on stdout already ends with the verdict: not said twice
    as_text = scan(demo)
    assert any(line.startswith("Result: FAIL — ") for line in as_text.out.splitlines())
    assert "Result:" not in as_text.err


def test_dash_is_stdout(demo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    run = scan(demo, "--format", "json", "-o", "-")
    assert run.code == 1 and run.json()["schema"] == "gcplint-report/v1"
    both = scan(demo, "--format", "json", "-o", "r.json", "--report", "sarif=-")
    assert both.code == 1 and json.loads(both.out)["version"] == "2.1.0"
    assert json.loads((tmp_path / "r.json").read_text())["schema"] == "gcplint-report/v1"
    assert not (tmp_path / "-").exists()


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (["--report", "sarif=-"], "the text and sarif reports both go to stdout"),
        (["-o", "-", "--report", "json=-"], "the text and json reports both go to stdout"),
        (["-o", "out.txt", "--report", "sarif=./out.txt"], "both go to out.txt"),
        (
            ["--report", "json=a.json", "--report", "sarif=sub/../a.json"],
            "both go to sub/../a.json",
        ),
    ],
)
def test_two_reports_to_one_place_are_refused_before_the_scan(
    args: list[str], where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    for name in ("out.txt", "a.json"):
        (tmp_path / name).write_text("the user's file")
    run = run_cli("scan", "--api-base", "http://127.0.0.1:9", "--project", "acme-prod", *args)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1 and where in run.err
    assert run.out == ""
    assert all((tmp_path / n).read_text() == "the user's file" for n in ("out.txt", "a.json"))


# -- the config file ---------------------------------------------------------------------------


def test_the_pyproject_form_pasted_into_gcplint_toml_says_where_keys_go(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "gcplint.toml").write_text('[tool.gcplint]\nfail-on = "high"\n')
    run = run_cli("scan", "--api-base", "http://127.0.0.1:9", "--project", "acme-prod")
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1
    assert "in gcplint.toml, keys go at the top level" in run.err
    misspelt = tmp_path / "other.toml"
    misspelt.write_text('fail_on = "high"\n')
    typo = run_cli("scan", "--config", str(misspelt), "--api-base", "http://127.0.0.1:9")
    assert typo.code == 2 and "did you mean 'fail-on'?" in typo.err


def test_the_report_names_the_config_file_it_loaded(
    demo: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    without = scan(demo, "--format", "json")
    assert without.json()["scan"]["config"] is None
    assert "Config: none (the defaults)" in scan(demo).out
    (tmp_path / "pyproject.toml").write_text('[tool.gcplint]\nfail-on = "critical"\n')
    found = scan(demo, "--format", "json")
    assert found.json()["scan"]["config"] == f"{tmp_path / 'pyproject.toml'} [tool.gcplint]"
    assert found.json()["scan"]["fail_on"] == "critical"
    assert f"Config: {tmp_path / 'pyproject.toml'} [tool.gcplint]" in scan(demo).out


# -- --severity, --quiet, did you mean ---------------------------------------------------------


def failing(report: dict[str, Any]) -> Counter[str]:
    return Counter(r["severity"] for r in report["results"] if r["status"] == "fail")


def test_severity_reports_only_results_at_least_that_severe(demo: str) -> None:
    full = scan(demo, "--format", "json").json()
    high = scan(demo, "--format", "json", "--severity", "high").json()
    assert set(failing(full)) > {"critical", "high"} and full["scan"]["min_severity"] is None
    assert failing(high) == {s: n for s, n in failing(full).items() if s in ("critical", "high")}
    assert {r["severity"] for r in high["results"]} <= {"critical", "high"}
    assert high["scan"]["min_severity"] == "high"
    # a result's own severity counts: iam.sa-primitive-role is high, its Owner grant critical
    critical = scan(demo, "--format", "json", "--severity", "critical").json()
    assert "iam.sa-primitive-role" in {
        r["check"] for r in critical["results"] if r["status"] == "fail"
    }
    assert failing(critical) == {"critical": failing(full)["critical"]}
    text = scan(demo, "--severity", "critical").out
    assert "Showing: results at or above critical (--severity)" in text
    # the gate only sees what is shown: nothing at or above critical is below it
    low_only = scan(
        demo, "--check", "budget.*", "--check", "monitoring.*", "--severity", "critical"
    )
    assert low_only.code == 0, low_only.out


def test_quiet_is_one_line_per_active_finding(demo: str, tmp_path: Path) -> None:
    full = scan(demo, "--format", "json").json()
    active = [r for r in full["results"] if r["status"] == "fail" and r["suppressed"] is None]
    quiet = scan(demo, "-q")
    assert quiet.code == 1
    assert len(quiet.out.splitlines()) == len(active)
    assert quiet.out.splitlines()[0].startswith("CRITICAL ")
    assert quiet.err.strip().splitlines() == [
        line for line in quiet.err.strip().splitlines() if line.startswith("gcplint: Result: FAIL")
    ]
    passing = scan(
        demo,
        *("-q", "--fail-on", "never", "--on-incomplete", "warn"),
        *("--format", "sarif", "-o", str(tmp_path / "r")),
    )
    assert passing.code == 0 and passing.out == "" and passing.err == ""


@pytest.mark.parametrize(
    ("args", "suggestion"),
    [
        (["checks", "explain", "run.no-min-instance"], "did you mean 'run.no-min-instances'?"),
        (
            ["scan", "--check", "sql.publc-ip", "--api-base", "http://127.0.0.1:9"],
            "'sql.public-ip'",
        ),
        (
            ["scan", "--skip", "budget.mising", "--api-base", "http://127.0.0.1:9"],
            "'budget.missing'",
        ),
    ],
)
def test_an_unknown_check_id_suggests_the_closest(args: list[str], suggestion: str) -> None:
    run = run_cli(*args)
    assert run.code == 2 and len(run.err.strip().splitlines()) == 1 and suggestion in run.err


def test_no_suggestion_when_nothing_is_close() -> None:
    run = run_cli("checks", "explain", "zzzz")
    assert run.code == 2 and "did you mean" not in run.err


def test_merge_reports_only_results_at_least_that_severe(demo: str, tmp_path: Path) -> None:
    shard = tmp_path / "shard-0.json"
    scan(demo, "--fail-on", "never", "--format", "json", "-o", str(shard))
    merged = run_cli("report", "merge", str(shard), "--severity", "critical", "--format", "json")
    assert merged.code == 1 and set(failing(merged.json())) == {"critical"}
    assert merged.json()["scan"]["min_severity"] == "critical"
