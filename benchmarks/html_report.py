"""HTML report benchmark: how soon a report of many findings is usable in a real headless
Chromium (Debian's `chromium` and `chromium-driver`, driven by Selenium).

    python benchmarks/html_report.py                   # 10,000 findings
    python benchmarks/html_report.py --findings 50000
    python benchmarks/html_report.py --screenshot docs/html-report.png

Prints one JSON line: the page's size, `interactive_ms` (from navigation start until the page's
script has parsed every result, shown the first rows and listens to the filters: the page sets
`window.gcplintReady` then), `complete_ms` (every row in the page; rows are added in slices of a
few milliseconds, the page staying responsive meanwhile) and `filter_ms` (one search typed, until
the rows shown are the ones matching it). Figures are printed, never asserted.

`--screenshot PATH` instead saves a screenshot of the demo report (`gcplint scan --demo --format
html`): the one in docs/ the README shows.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from gcplint.checks.plugins import load_checks
from gcplint.environment import Environment
from gcplint.gate.verdict import Gate
from gcplint.model import Result, Severity, Status
from gcplint.report import RenderOptions, Report, ScannedProject, render


def chromium() -> Any:
    """A headless Chromium driven through /usr/bin/chromedriver (or $GCPLINT_CHROMEDRIVER)."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"):
        options.add_argument(arg)
    options.binary_location = os.environ.get("GCPLINT_CHROMIUM") or shutil.which("chromium") or ""
    driver = os.environ.get("GCPLINT_CHROMEDRIVER") or shutil.which("chromedriver") or ""
    return webdriver.Chrome(service=Service(driver), options=options)


def big_report(findings: int) -> Report:
    """A report of `findings` failing results over 20 projects and every check."""
    specs = [c.spec for c in load_checks()]
    projects = [f"proj-{i:02d}" for i in range(20)]
    results = [
        Result(
            specs[i % len(specs)].id,
            list(Severity)[i % 5],
            Status.FAIL,
            projects[i % 20],
            f"//storage.googleapis.com/projects/{projects[i % 20]}/buckets/bucket-{i}",
            f"serviceAccount:sa-{i}@{projects[i % 20]}.iam.gserviceaccount.com",
            f"Finding {i}: bucket-{i} is readable by allUsers and has no retention policy.",
            None,
            f"gcloud storage buckets update gs://bucket-{i} --uniform-bucket-level-access",
        )
        for i in range(findings)
    ]
    now = datetime.now(UTC)
    return Report(
        version="bench",
        identity="bench@example.com",
        started=now,
        finished=now,
        checks=specs,
        projects=[ScannedProject(p, Environment.PROD, "label env", None) for p in projects],
        results=results,
        gate=Gate(),
    )


def wait(driver: Any, script: str, timeout: float = 60.0) -> Any:
    """Poll `script` until it returns something truthy."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.01)
    raise SystemExit(f"timed out waiting for: {script}")


def measure(findings: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "report.html"
        with page.open("w", encoding="utf-8") as stream:
            render(big_report(findings), "html", stream, RenderOptions())
        driver = chromium()
        try:
            driver.get(page.as_uri())
            interactive = wait(driver, "return window.gcplintReady")
            complete = wait(
                driver,
                "return document.documentElement.dataset.complete && performance.now()",
            )
            search = "bucket-1234 "
            filtered = driver.execute_script(
                "var q=document.getElementById('f-q'),t=performance.now();q.value=arguments[0];"
                "q.dispatchEvent(new Event('input',{bubbles:true}));"
                "var n=document.querySelectorAll('#results tbody tr:not(.res)').length;"
                "return [performance.now()-t,n];",
                search.strip(),
            )
        finally:
            driver.quit()
        return {
            "findings": findings,
            "bytes": page.stat().st_size,
            "interactive_ms": round(interactive),
            "complete_ms": round(complete),
            "filter_ms": round(filtered[0]),
            "filter_rows": filtered[1],
        }


def screenshot(path: Path) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "demo.html"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "gcplint",
                "scan",
                "--demo",
                "--format",
                "html",
                "-o",
                str(page),
            ],
            check=False,
            capture_output=True,
        )
        driver = chromium()
        try:
            driver.set_window_size(1280, 2000)
            driver.get(page.as_uri())
            wait(driver, "return document.documentElement.dataset.complete")
            driver.save_screenshot(str(path))
        finally:
            driver.quit()
    print(f"saved {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--screenshot", type=Path, help="save the demo report's screenshot here")
    args = parser.parse_args()
    if args.screenshot:
        screenshot(args.screenshot)
    else:
        print(json.dumps(measure(args.findings)))


if __name__ == "__main__":
    main()
