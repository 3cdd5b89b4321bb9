"""Organization scan benchmark: generated orgs of 100, 300 and 1,000 projects behind the
emulator (50 ms latency, per-API quotas), scanned with `gcplint scan --organization`.

    python benchmarks/org_scan.py                    # 100, 300, 1000 projects; clean, then 5% faults
    python benchmarks/org_scan.py --sizes 100 --faults 0

For each size it prints: wall time; API calls (total, per project); the lower bound of the
workload (the larger of the quota bound, max over APIs of calls / allowed rate, and the latency
bound of the longest dependency chain); wall / bound; retries; quota rejections; peak RSS of
the scanning process; projects scanned of the scope and projects lost (no results).

The emulator runs in its own process (its CPU and memory are not the scanner's); gcplint is
rate-limited to 95% of each quota, so the quota bound uses the quota itself (the strict bound).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from gcplint.emulator.generate import generate_org

# The emulator's per-API quotas (requests per second), stated. Resource Manager and Service
# Usage are low, like Google's; the others are sized so that the workload is quota-bound.
QUOTAS = {
    "cloudresourcemanager": 60.0,
    "serviceusage": 20.0,
    "run": 60.0,
    "sqladmin": 15.0,
    "iam": 60.0,
    "storage": 40.0,
    "pubsub": 40.0,
    "secretmanager": 40.0,
    "monitoring": 20.0,
    "logging": 20.0,
    "artifactregistry": 40.0,
    "cloudbilling": 20.0,
    "billingbudgets": 10.0,
}
SHARE = 0.95  # gcplint's rate limit, as a share of the quota
# Longest chain of dependent calls: enumeration (projects:search, folders:search) before any
# project; then per project serviceusage -> a collection's list -> per-resource reads
# (e.g. run services -> revisions / IAM policies). Pages add links; counted per size below.
CHAIN = 4


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_up(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"{url}/__emulator/stats", timeout=1).read()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"emulator at {url} did not start")


def stats(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/__emulator/stats", timeout=10) as answer:
        data: dict[str, Any] = json.load(answer)
        return data


def gcplint(*args: str) -> list[str]:
    return [sys.executable, "-m", "gcplint", *args]


def one(size: int, faults: float, latency: float, workers: int, page_size: int) -> dict[str, Any]:
    world = generate_org(size, seed=size)
    if faults:
        half = faults / 2
        world.setdefault("faults", []).extend(
            [
                {"path": "/*", "error": "RESOURCE_EXHAUSTED", "probability": half},
                {"path": "/*", "error": "UNAVAILABLE", "probability": half},
            ]
        )
    organization = str(world["organizations"][0]["name"]).split("/")[1]
    active = sum(
        1 for b in world["projects"].values() if b["project"].get("state", "ACTIVE") == "ACTIVE"
    )
    with tempfile.TemporaryDirectory() as tmp:
        world_path = Path(tmp) / "org.json"
        world_path.write_text(json.dumps(world))
        del world
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        quota_args = [a for label, rps in QUOTAS.items() for a in ("--quota", f"{label}={rps}")]
        emulator = subprocess.Popen(
            gcplint(
                "emulator",
                "serve",
                str(world_path),
                "--port",
                str(port),
                "--latency",
                str(latency),
                "--page-size",
                str(page_size),
                *quota_args,
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_up(url)
            rates = [
                a
                for label, rps in QUOTAS.items()
                for a in ("--rate-limit", f"{label}={rps * SHARE:g}")
            ]
            out = Path(tmp) / "report.jsonl"
            started = time.monotonic()
            scan = subprocess.Popen(
                gcplint(
                    "scan",
                    "--api-base",
                    url,
                    "--organization",
                    organization,
                    "--format",
                    "jsonl",
                    "-o",
                    str(out),
                    "--max-concurrency",
                    str(workers),
                    "--fail-on",
                    "never",
                    "--on-incomplete",
                    "warn",
                    "--no-progress",
                    *rates,
                ),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            _, status, usage = os.wait4(scan.pid, 0)
            wall = time.monotonic() - started
            code = os.waitstatus_to_exitcode(status)
            err = scan.stderr.read().decode() if scan.stderr else ""
            if code != 0:
                raise SystemExit(f"scan of {size} projects exited {code}: {err.strip()[-500:]}")
            served = stats(url)
        finally:
            emulator.terminate()
            emulator.wait()
        lines = out.read_text().splitlines()
    summary = json.loads(lines[-1])
    with_results = {json.loads(line)["project"] for line in lines[:-1]}
    calls: dict[str, int] = served["calls"]
    quota_bound = max(calls.get(label, 0) / rps for label, rps in QUOTAS.items())
    pages = max(1, -(-active // page_size))  # projects:search pages, one after the other
    latency_bound = (pages + CHAIN) * latency
    bound = max(quota_bound, latency_bound)
    scanned = summary["scan"]["projects_scanned"]
    total = summary["scan"]["projects_total"]
    return {
        "projects": size,
        "faults": faults,
        "wall_s": round(wall, 1),
        "calls": sum(calls.values()),
        "calls_per_project": round(sum(calls.values()) / max(1, total), 1),
        "bound_s": round(bound, 1),
        "bound_kind": "quota" if quota_bound >= latency_bound else "latency",
        "wall_over_bound": round(wall / bound, 2),
        "retries": summary["scan"]["retries"],
        "rejected_429": sum(served["rejected"].values()),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),
        "scanner_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
        "scanned": f"{scanned}/{total}",
        "lost": total - len(with_results),
        "unknown": summary["summary"]["unknown"],
        "busiest_api": max(calls, key=lambda label: calls[label] / QUOTAS.get(label, 1e9)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--faults", type=float, nargs="+", default=[0.0, 0.05])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--workers", type=int, default=32)
    parser.add_argument("--page-size", type=int, default=50)
    args = parser.parse_args()
    print("quotas (requests/s): " + ", ".join(f"{k}={v:g}" for k, v in QUOTAS.items()))
    print(
        f"latency {args.latency * 1000:.0f} ms, --max-concurrency {args.workers}, page size {args.page_size}"
    )
    rows = []
    for faults in args.faults:
        for size in args.sizes:
            row = one(size, faults, args.latency, args.workers, args.page_size)
            rows.append(row)
            print(json.dumps(row), flush=True)
    by_fault: dict[float, list[dict[str, Any]]] = {}
    for row in rows:
        by_fault.setdefault(row["faults"], []).append(row)
    for faults, group in by_fault.items():
        small, large = (
            min(group, key=lambda r: r["projects"]),
            max(group, key=lambda r: r["projects"]),
        )
        print(
            f"faults {faults:.0%}: worst wall/bound {max(r['wall_over_bound'] for r in group)}, "
            f"RSS {large['projects']}/{small['projects']} = {large['peak_rss_mb'] / small['peak_rss_mb']:.2f}, "
            f"lost {sum(r['lost'] for r in group)}"
        )


if __name__ == "__main__":
    main()
