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
            *("--sizes", "6", "--faults", "0", "0.05", "--latency", "0", "--workers", "4"),
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
        scanned, total = row["scanned"].split("/")
        assert scanned == total
