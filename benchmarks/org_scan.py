"""Organization scan benchmark: gcplint with its default flags against generated organizations
behind the emulator (50-70 ms latency; one token bucket per API at Google's default read quotas,
or a multiple of them), as a new user would run it.

    python benchmarks/org_scan.py                              # 100 and 1,000 projects, quotas x1 and x4
    python benchmarks/org_scan.py --sizes 100 --scales 1 4     # a run per (size, scale)
    python benchmarks/org_scan.py --sizes 100 --scales 4 --max-concurrency 32   # a tuned run

Per run it prints one JSON line (gcplint runs with `-v`, which changes what it prints, not how
it scans): wall time; the lower bound of the workload (the larger of the
quota bound, max over APIs of the calls needed / the quota, and the latency of the longest
chain of dependent calls) and wall / bound; per API the calls made, the calls needed, 429s;
retries; peak RSS of the scanning process and its CPU per call (also without the CPU a scan
spends starting: imports, credentials, clients); projects scanned and lost
(no results); results unknown because a quota ran out. A closing line per scale gives the
ratios the README quotes.

Calls needed, per API: the distinct requests the emulator answered (a retried or repeated
request counts once; every call a project's disabled API refused counts once per project and
API), except Service Usage, which none are needed of (an API that is off says so itself), and
Cloud Billing, where one billingAccounts.list and a listing of each account's projects cover
every project (or one getBillingInfo per project, if fewer).

The quotas are the Api.quota table of gcplint (Google's published defaults where known); the
emulator runs in its own process, so its CPU and memory are not the scanner's.
"""

from __future__ import annotations

import argparse
import json
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

from gcplint.collect.apis import APIS
from gcplint.collect.registry import BILLING_INFO
from gcplint.emulator.generate import generate_org

QUOTAS = {api.label: api.quota / 60 for api in APIS}  # requests per second, at scale 1
# Longest chain of dependent calls: enumeration (projects:search pages, folders:search) before
# any project; then per project a collection's list -> per-resource reads (e.g. Cloud Run
# services -> revisions), and an API read only after another collection of it said it is on.
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


# Runs a command and prints its exit code and resource usage as JSON. A process started from
# this benchmark (which holds a whole generated organization) would report the benchmark's own
# peak as its ru_maxrss: Linux carries the pre-exec address space's high-water mark across
# exec, and subprocess starts children with vfork. This small launcher starts the scan from a
# process of a few MB, so the scan's ru_maxrss is its own.
LAUNCH = """
import json, os, resource, subprocess, sys
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
json.dump({"code": os.waitstatus_to_exitcode(status), "cpu_s": usage.ru_utime + usage.ru_stime,
           "maxrss_kb": usage.ru_maxrss}, sys.stdout)
"""


def measured(command: list[str]) -> tuple[dict[str, Any], str]:
    """Run COMMAND through LAUNCH: its exit code, CPU seconds and peak RSS, and its stderr."""
    run = subprocess.run(
        [sys.executable, "-c", LAUNCH, *command], capture_output=True, text=True, check=True
    )
    usage: dict[str, Any] = json.loads(run.stdout)
    return usage, run.stderr


def start_cpu(url: str) -> float:
    """CPU seconds of a scan that starts as the benchmark's does (imports, credentials, its
    clients) and stops at its first answer: a project that does not exist (exit 2)."""
    usage, _ = measured(gcplint("scan", "--api-base", url, "--project", "gcplint-benchmark-absent"))
    cpu: float = usage["cpu_s"]
    return cpu


def billing_minimum(world: dict[str, Any], scope: set[str], page_size: int) -> int:
    """Cloud Billing calls needed: the account-level listing (each account's projects, pages
    of all of them) plus a getBillingInfo for each project no account lists (billing off: only
    the project can say so), or a call per project if that is fewer."""
    linked: dict[str, int] = {}
    unlinked = 0
    for project_id, body in world["projects"].items():
        info = body.get(BILLING_INFO.name) or {}
        account = info.get("billingAccountName")
        if account:
            linked[account] = linked.get(account, 0) + 1
        elif project_id in scope:
            unlinked += 1
    listing = 1 + sum(max(1, -(-n // page_size)) for n in linked.values()) + unlinked
    return min(listing, len(scope))


def _api_table(stderr: str) -> list[str]:
    """The per-API table `scan -v` ends with."""
    lines = stderr.splitlines()
    start = next((i for i, line in enumerate(lines) if line.startswith("gcplint: API ")), None)
    return [] if start is None else lines[start:]


def one(
    size: int,
    scale: float,
    faults: float,
    latency: float,
    jitter: float,
    page_size: int,
    flags: list[str],
) -> dict[str, Any]:
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
    active = {
        p for p, b in world["projects"].items() if b["project"].get("state", "ACTIVE") == "ACTIVE"
    }
    quotas = {label: rps * scale for label, rps in QUOTAS.items()}
    billing_needed = billing_minimum(world, active, page_size)
    with tempfile.TemporaryDirectory() as tmp:
        world_path = Path(tmp) / "org.json"
        world_path.write_text(json.dumps(world))
        del world
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        quota_args = [a for label, rps in quotas.items() for a in ("--quota", f"{label}={rps:g}")]
        emulator = subprocess.Popen(
            gcplint(
                "emulator",
                "serve",
                str(world_path),
                *("--port", str(port), "--latency", str(latency), "--jitter", str(jitter)),
                *("--page-size", str(page_size)),
                *quota_args,
            ),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_up(url)
            out = Path(tmp) / "report.jsonl"
            started = time.monotonic()
            usage, err = measured(
                gcplint(
                    "scan",
                    *("--api-base", url, "--organization", organization),
                    *("--format", "jsonl", "-o", str(out)),
                    *("--fail-on", "never", "--on-incomplete", "warn", "--no-progress", "-v"),
                    *flags,
                )
            )
            wall = time.monotonic() - started
            code = usage["code"]
            if code != 0:
                raise SystemExit(f"scan of {size} projects exited {code}: {err.strip()[-500:]}")
            served = stats(url)
            startup = start_cpu(url)
        finally:
            emulator.terminate()
            emulator.wait()
        lines = out.read_text().splitlines()
    summary = json.loads(lines[-1])
    results = [json.loads(line) for line in lines[:-1]]
    with_results = {r["project"] for r in results}
    calls: dict[str, int] = served["calls"]
    needed: dict[str, int] = {
        label: (0 if label == "serviceusage" else n) for label, n in served["distinct"].items()
    }
    if "cloudbilling" in needed:
        needed["cloudbilling"] = billing_needed
    quota_bound = max(needed[label] / quotas[label] for label in needed)
    pages = max(1, -(-len(active) // page_size))  # projects:search pages, one after the other
    latency_bound = (pages + CHAIN) * (latency + jitter / 2)
    bound = max(quota_bound, latency_bound)
    total = summary["scan"]["projects_total"]
    made = sum(calls.values())
    per_api = {
        label: {
            "calls": calls[label],
            "needed": needed.get(label, 0),
            "over": round(calls[label] / needed[label], 2) if needed.get(label) else None,
            "429": served["rejected"].get(label, 0),
        }
        for label in sorted(calls)
    }
    return {
        "projects": size,
        "quotas": f"x{scale:g}",
        "faults": faults,
        "flags": " ".join(flags) or "defaults",
        "wall_s": round(wall, 1),
        "bound_s": round(bound, 1),
        "bound_kind": "quota" if quota_bound >= latency_bound else "latency",
        "wall_over_bound": round(wall / bound, 2),
        "binding_api": max(needed, key=lambda label: needed[label] / quotas[label]),
        "calls": made,
        "calls_over_needed": round(made / max(1, sum(needed.values())), 2),
        "worst_api_over_needed": max(
            (v["over"] for v in per_api.values() if v["over"] is not None), default=None
        ),
        "rejected_429": sum(served["rejected"].values()),
        "retries": summary["scan"]["retries"],
        "peak_rss_mb": round(usage["maxrss_kb"] / 1024, 1),
        "cpu_ms_per_call": round(usage["cpu_s"] * 1000 / max(1, made), 2),
        "startup_cpu_s": round(startup, 2),
        "cpu_ms_per_call_after_start": round((usage["cpu_s"] - startup) * 1000 / max(1, made), 2),
        "scanned": f"{summary['scan']['projects_scanned']}/{total}",
        "lost": total - len(with_results),
        "quota_unknown": sum(1 for r in results if r.get("reason") == "QUOTA_EXHAUSTED"),
        "unknown": summary["summary"]["unknown"],
        "per_api": per_api,
        "verbose": _api_table(err),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.0])
    parser.add_argument("--faults", type=float, nargs="+", default=[0.0])
    parser.add_argument("--latency", type=float, default=0.05)
    parser.add_argument("--jitter", type=float, default=0.02)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument(
        "--max-concurrency", type=int, help="pass this flag to gcplint (default: none)"
    )
    args = parser.parse_args()
    flags = ["--max-concurrency", str(args.max_concurrency)] if args.max_concurrency else []
    print("quotas at x1 (requests/s): " + ", ".join(f"{k}={v:g}" for k, v in QUOTAS.items()))
    print(
        f"latency {args.latency * 1000:.0f}-{(args.latency + args.jitter) * 1000:.0f} ms, "
        f"page size {args.page_size}, gcplint flags: {' '.join(flags) or 'defaults'}"
    )
    rows = []
    for faults in args.faults:
        for scale in args.scales:
            for size in args.sizes:
                if size >= 1000 and scale < 4 and len(args.sizes) > 1:
                    continue  # the grid: 1,000 projects at raised quotas only
                row = one(size, scale, faults, args.latency, args.jitter, args.page_size, flags)
                rows.append(row)
                print(json.dumps(row), flush=True)
    small = {(r["quotas"], r["faults"]): r for r in rows if r["projects"] == min(args.sizes)}
    for row in rows:
        base = small.get((row["quotas"], row["faults"]))
        rss = f"{row['peak_rss_mb'] / base['peak_rss_mb']:.2f}" if base else "-"
        print("\n".join(row["verbose"]))
        print(
            f"{row['projects']} projects, quotas {row['quotas']}, faults {row['faults']:.0%}: "
            f"wall/bound {row['wall_over_bound']} ({row['bound_kind']}, {row['binding_api']}), "
            f"calls/needed {row['calls_over_needed']} (worst API {row['worst_api_over_needed']}), "
            f"429s {row['rejected_429']}, RSS vs {min(args.sizes)} projects {rss}, "
            f"CPU {row['cpu_ms_per_call']} ms/call ({row['cpu_ms_per_call_after_start']} after"
            f" {row['startup_cpu_s']} s of start-up), lost {row['lost']}, "
            f"QUOTA_EXHAUSTED {row['quota_unknown']}"
        )


if __name__ == "__main__":
    main()
