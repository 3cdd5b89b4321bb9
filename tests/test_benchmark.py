"""The organization benchmark runs end to end (tiny, no latency): it must not rot. Its figures
are printed by the script, never asserted here."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import ROOT


def test_org_benchmark_runs_and_loses_no_project() -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "benchmarks" / "org_scan.py"),
            *("--sizes", "6", "--scales", "1", "--faults", "0", "0.05"),
            *("--latency", "0", "--jitter", "0"),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    assert [(r["projects"], r["faults"]) for r in rows] == [(6, 0.0), (6, 0.05)]
    for row in rows:
        assert row["lost"] == 0 and row["calls"] > 0 and row["peak_rss_mb"] > 0
        assert row["flags"] == "defaults" and row["per_api"]["run"]["needed"] > 0
        assert "serviceusage" not in row["per_api"]  # an API that is off says so itself
        scanned, total = row["scanned"].split("/")
        assert scanned == total
