"""Hostile endpoints benchmark: what a scan costs when the API (or a snapshot) misbehaves.

    python benchmarks/hostile.py                   # this checkout
    python benchmarks/hostile.py --rev a07e577     # another revision (extracted with git archive)

Each case runs `gcplint` as a child process (with this interpreter and PYTHONPATH on the
revision's src/ and checks/) against a hostile HTTP server in this process on 127.0.0.1, and
reports its wall time, its peak RSS (from the rusage `os.wait4` returns for it), its exit code
and the reason its unknown result gave. A child still running after `--budget` seconds is killed
(the wall time then says so); each child's address space is capped at `--max-memory` GB so that
a run of an old revision cannot take the machine down (a MemoryError is then its outcome).

- endless page tokens: every page of the SQL instance list is 1 MB and names a new token;
- slowloris: the list's body (1,000 bytes) comes one byte a second, under `--timeout 5`;
- large body: a 300 MB response (Content-Length sent) to the list;
- gzip bomb snapshot: `scan --snapshot` of a 2 MB gzip file that inflates to 2 GiB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SQL = "/sqladmin/v1/projects/acme-prod/instances"
PROJECT = {"name": "projects/100000000001", "projectId": "acme-prod", "state": "ACTIVE"}
MB = 1_000_000

Behaviour = Callable[[BaseHTTPRequestHandler], None]


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, list_answer: Behaviour) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.list_answer = list_answer
        self.stop = threading.Event()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet: a child that gives up (or is killed) resets its connections."""


class _Handler(BaseHTTPRequestHandler):
    """The project and its enabled services answer normally; the SQL list is hostile."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        try:
            if path == SQL:
                self.server.list_answer(self)
            elif path == "/cloudresourcemanager/v3/projects/acme-prod":
                _send(self, json.dumps(PROJECT).encode())
            elif path.startswith("/serviceusage/"):
                service = {
                    "name": "projects/1/services/sqladmin.googleapis.com",
                    "state": "ENABLED",
                }
                _send(self, json.dumps({"services": [service]}).encode())
            else:
                self.send_error(404)
        except OSError:  # the client gave up
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def _send(handler: BaseHTTPRequestHandler, body: bytes) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


def endless_tokens(handler: BaseHTTPRequestHandler) -> None:
    """1 MB pages, each with a new page token."""
    token = f"t{time.monotonic_ns()}"
    item = {"name": "db", "instanceType": "CLOUD_SQL_INSTANCE", "labels": {"pad": "x" * 900}}
    _send(handler, json.dumps({"items": [item] * 1000, "nextPageToken": token}).encode())


def slowloris(handler: BaseHTTPRequestHandler) -> None:
    """A 1,000-byte body, one byte a second."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "1000")
    handler.end_headers()
    handler.wfile.flush()
    for byte in b"{" + b" " * 998 + b"}":
        if handler.server.stop.wait(1.0):  # type: ignore[attr-defined]
            return
        handler.wfile.write(bytes([byte]))
        handler.wfile.flush()


def large_body(handler: BaseHTTPRequestHandler) -> None:
    """300 MB of JSON whitespace around an empty list."""
    size, chunk = 300 * MB, b" " * MB
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(size))
    handler.end_headers()
    handler.wfile.write(b'{"items": []')
    sent = 12
    while sent < size - MB:
        handler.wfile.write(chunk)
        sent += MB
    handler.wfile.write(b" " * (size - sent - 1) + b"}")


def gzip_bomb(directory: Path) -> Path:
    """A snapshot file of about 2 MB that inflates to 2 GiB (an unterminated JSON string)."""
    path = directory / "bomb.json.gz"
    compressor = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    with path.open("wb") as file:
        file.write(compressor.compress(b'{"schema": "gcplint-world/v1", "x": "'))
        block = b"0" * (1 << 20)
        for _ in range(2048):
            file.write(compressor.compress(block))
        file.write(compressor.flush())
    return path


@dataclass
class Outcome:
    case: str
    wall: float
    rss_mb: float
    exit: str
    reason: str


def run(
    case: str, args: list[str], pythonpath: str, budget: float, max_memory_gb: float
) -> Outcome:
    """Run `gcplint ARGS` as a child; its wall time, peak RSS, exit and unknown reason."""
    limit = int(max_memory_gb * (1 << 30))

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    env = {**os.environ, "PYTHONPATH": pythonpath, "NO_COLOR": "1"}
    env.pop("GCPLINT_API_BASE", None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        child = subprocess.Popen(
            [sys.executable, "-m", "gcplint", *args],
            stdout=out,
            stderr=err,
            env=env,
            preexec_fn=cap,
        )
        killed = False
        while True:  # wait4, not Popen.poll: it gives the rusage of this child alone
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            if not killed and time.monotonic() - started > budget:
                child.kill()
                killed = True
            time.sleep(0.05)
        wall = time.monotonic() - started
        child.returncode = code = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(errors="replace"), err.read().decode(errors="replace")
    exit_text = f"killed after {budget:.0f} s" if killed else str(code)
    return Outcome(case, wall, usage.ru_maxrss / 1024, exit_text, _reason(stdout, stderr))


def _reason(stdout: str, stderr: str) -> str:
    try:
        results = json.loads(stdout)["results"]
    except (ValueError, KeyError):
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        return lines[-1][:110] if lines else ""
    return "; ".join(f"{r['status']} {r['reason'] or ''}: {r['message'][-70:]}" for r in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--rev", help="a git revision to measure instead of this checkout")
    parser.add_argument("--budget", type=float, default=90.0, help="seconds before a kill")
    parser.add_argument("--max-memory", type=float, default=10.0, help="GB of address space")
    parser.add_argument("--only", action="append", help="run only these cases (repeatable)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        base = ROOT
        if options.rev:
            base = Path(scratch) / "rev"
            base.mkdir()
            archive = subprocess.run(
                ["git", "-C", str(ROOT), "archive", options.rev, "src", "checks"],
                capture_output=True,
                check=True,
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        pythonpath = f"{base / 'src'}:{base / 'checks'}"
        scan = ["scan", "--project", "acme-prod", "--check", "sql.public-ip", "--format", "json"]
        cases: list[tuple[str, Behaviour | None, list[str]]] = [
            ("endless page tokens (1 MB pages)", endless_tokens, [*scan, "--timeout", "30"]),
            ("slowloris (1 byte/s, --timeout 5)", slowloris, [*scan, "--timeout", "5"]),
            ("300 MB body", large_body, [*scan, "--timeout", "30"]),
            ("gzip bomb snapshot (2 MB -> 2 GiB)", None, ["scan", "--format", "json"]),
        ]
        print(f"revision: {options.rev or 'this checkout'}")
        print("| case | wall | peak RSS | exit | result |\n|---|---:|---:|---|---|")
        for name, behaviour, args in cases:
            if options.only and not any(o in name for o in options.only):
                continue
            server = None
            if behaviour is None:
                args = [*args, "--snapshot", str(gzip_bomb(Path(scratch)))]
            else:
                server = _Server(behaviour)
                threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
                host, port = server.server_address[:2]
                args = [*args, "--api-base", f"http://{host!s}:{port}"]
            try:
                outcome = run(name, args, pythonpath, options.budget, options.max_memory)
            finally:
                if server is not None:
                    server.stop.set()
                    server.shutdown()
                    server.server_close()
            print(
                f"| {outcome.case} | {outcome.wall:.1f} s | {outcome.rss_mb:,.0f} MB"
                f" | {outcome.exit} | {outcome.reason} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
