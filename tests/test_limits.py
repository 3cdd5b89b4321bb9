"""Responses that are not what they claim, or that never end: a successful status whose body is
an error, endless page tokens, bodies that trickle, bodies too large, gzip bombs. Each read ends
unknown with a message naming what went wrong: never a pass, never a hang, never a crash.

Everything goes through the real client libraries over HTTP: to the emulator, or to a small
hostile server on 127.0.0.1 (the emulator would not misbehave this way).
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from helpers import run_cli

from gcplint.checks.plugins import load_checks
from gcplint.collect import registry as c
from gcplint.collect.clients import Clients
from gcplint.collect.collection import Collection, PerResource, Unreadable
from gcplint.collect.connect import ClientSettings
from gcplint.collect.session import Session
from gcplint.collect.transport import Bounds, RetryPolicy, Transport
from gcplint.emulator import Fault, demo_world
from gcplint.model import Reason, Status
from gcplint.world import World, WorldError

ONCE = RetryPolicy(attempts=1)
TWICE = RetryPolicy(attempts=2, initial=0.001, maximum=0.001)


def session(url: str, retry: RetryPolicy = ONCE, timeout: float = 10.0, **bounds: int) -> Session:
    settings = ClientSettings(api_base=url, timeout=timeout)
    transport = Transport(Clients(settings, AnonymousCredentials()), retry, bounds=Bounds(**bounds))
    return Session(transport)


def unreadable(read: Callable[[], Any]) -> Unreadable:
    """The failure of a read: a whole collection raises it; a per-resource collection holds one
    per resource, and no value."""
    try:
        found = read()
    except Unreadable as exc:
        return exc
    assert isinstance(found, PerResource), found
    assert found.found == {} and found.unreadable, found
    failures = list(found.unreadable.values())
    assert len({(f.reason, f.detail) for f in failures}) == 1
    return failures[0]


# -- a successful status with an error body ---------------------------------------------------

ERROR_BODY_PATHS = [
    pytest.param(
        c.PROJECT_IAM_POLICY,
        "/cloudresourcemanager/v3/projects/*:getIamPolicy",
        id="project getIamPolicy (discovery, POST)",
    ),
    pytest.param(c.BUCKET_IAM, "/storage/storage/v1/b/*/iam", id="bucket IAM (discovery)"),
    pytest.param(
        c.RUN_SERVICE_IAM,
        "/run/v2/projects/*/locations/*/services/*:getIamPolicy",
        id="Cloud Run service IAM (discovery, GET)",
    ),
    pytest.param(c.SQL_INSTANCES, "/sqladmin/v1/projects/*/instances", id="SQL list"),
    pytest.param(
        c.ENABLED_SERVICES, "/serviceusage/v1/projects/*/services", id="Service Usage list"
    ),
]


@pytest.mark.parametrize(("collection", "path"), ERROR_BODY_PATHS)
def test_a_200_with_an_error_body_is_an_error_never_an_empty_resource(
    serve: Any, collection: Collection[Any], path: str
) -> None:
    emu = serve(demo_world(), page_size=50)
    emu.add_fault(Fault(path=path, error="ERROR_BODY"))
    failure = unreadable(lambda: session(emu.url).read(collection, "acme-prod"))
    assert failure.reason is Reason.ERROR
    assert "successful status with an error instead of the resource" in failure.describe()
    assert "PERMISSION_DENIED: The caller does not have permission" in failure.describe()


CHECKS_OF = {
    "project getIamPolicy": (
        "/cloudresourcemanager/v3/projects/*:getIamPolicy",
        c.PROJECT_IAM_POLICY,
    ),
    "bucket IAM": ("/storage/storage/v1/b/*/iam", c.BUCKET_IAM),
    "Cloud Run service IAM": (
        "/run/v2/projects/*/locations/*/services/*:getIamPolicy",
        c.RUN_SERVICE_IAM,
    ),
    "SQL list": ("/sqladmin/v1/projects/*/instances", c.SQL_INSTANCES),
}


def demo_scan(url: str) -> list[dict[str, Any]]:
    run = run_cli("scan", "--api-base", url, "--project", "acme-prod", "--format", "json")
    assert "Traceback" not in run.err
    results: list[dict[str, Any]] = run.json()["results"]
    return results


def keyed(results: list[dict[str, Any]]) -> dict[tuple[str, str, str | None], Any]:
    return {(r["check"], r["resource"], r["subject"]): (r["status"], r["message"]) for r in results}


@pytest.mark.parametrize("name", sorted(CHECKS_OF))
def test_checks_of_a_200_error_body_are_unknown_error(serve: Any, name: str) -> None:
    """Through the command line: the checks that read the broken collection are unknown ERROR
    (they used to pass: an IAM policy without bindings, no SQL instance), except where they
    judged a resource on other data, as the fault-free scan does. The fault suite
    (tests/test_faults.py) holds every check to this rule for every collection."""
    path, collection = CHECKS_OF[name]
    before = keyed(demo_scan(serve(demo_world(), page_size=50).url))
    emu = serve(demo_world(), page_size=50)
    emu.add_fault(Fault(path=path, error="ERROR_BODY"))
    readers = {s.spec.id for s in load_checks() if collection in s.spec.requires}
    results = [r for r in demo_scan(emu.url) if r["check"] in readers]
    assert {r["reason"] for r in results if r["status"] == "unknown"} == {"ERROR"}
    mine = keyed(results)
    unknown = {k for k, (status, _) in mine.items() if status == "unknown"}
    assert unknown, mine
    for k, (status, message) in mine.items():
        assert k in unknown or before.get(k) == (status, message), (k, status, message)
    assert all("successful status with an error" in mine[k][1] for k in unknown)


def test_service_usage_with_a_200_error_body_makes_nothing_not_applicable(serve: Any) -> None:
    """Read as an empty list, it made every API look disabled (35 checks not applicable); as an
    error, each API is asked itself and the scan is the fault-free one."""
    args = ["scan", "--project", "acme-prod", "--format", "json"]
    clean = serve(demo_world(), page_size=50)
    before = run_cli(*args, "--api-base", clean.url).json()["results"]
    emu = serve(demo_world(), page_size=50)
    emu.add_fault(Fault(path="/serviceusage/*", error="ERROR_BODY"))
    after = run_cli(*args, "--api-base", emu.url).json()["results"]
    assert after == before
    assert not [
        r
        for r in after
        if r["status"] == Status.NOT_APPLICABLE.value and r["reason"] == "API_DISABLED"
    ]


# -- hostile endpoints ------------------------------------------------------------------------

SQL = "/sqladmin/v1/projects/acme-prod/instances"
RUN = "/run/v2/projects/acme-prod/locations/-/services"
LISTS = [
    pytest.param(c.SQL_INSTANCES, SQL, "items", id="sqladmin"),
    pytest.param(c.RUN_SERVICES, RUN, "services", id="run"),
]
Behaviour = Callable[[BaseHTTPRequestHandler], None]


class Hostile(ThreadingHTTPServer):
    """A server on 127.0.0.1 that answers each path as its test says (default: 404)."""

    daemon_threads = True

    def __init__(self, paths: dict[str, Behaviour]) -> None:
        super().__init__(("127.0.0.1", 0), _HostileHandler)
        self.paths = paths
        self.requests: list[str] = []
        self.stop = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _HostileHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: Hostile

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        self.server.requests.append(path)
        behaviour = self.server.paths.get(path)
        if behaviour is None:
            send(self, 404, b'{"error": {"code": 404, "message": "no", "status": "NOT_FOUND"}}')
        else:
            behaviour(self)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


def send(handler: BaseHTTPRequestHandler, status: int, body: bytes, **headers: str) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", headers.pop("length", str(len(body))))
    for name, value in headers.items():
        handler.send_header(name.replace("_", "-"), value)
    handler.end_headers()
    handler.wfile.write(body)


def trickle(handler: BaseHTTPRequestHandler, data: bytes, every: float = 0.05) -> None:
    """Write `data` a byte at a time until the client goes or the test ends."""
    for byte in data:
        if handler.server.stop.wait(every):  # type: ignore[attr-defined]
            return
        try:
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
        except OSError:
            return


@pytest.fixture
def hostile() -> Iterator[Callable[[dict[str, Behaviour]], Hostile]]:
    started: list[Hostile] = []

    def start(paths: dict[str, Behaviour]) -> Hostile:
        server = Hostile(paths)
        threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop.set()
        server.shutdown()
        server.server_close()


def timed(read: Callable[[], Any]) -> tuple[Unreadable, float]:
    started = time.monotonic()
    failure = unreadable(read)
    return failure, time.monotonic() - started


@pytest.mark.parametrize(("collection", "path", "field"), LISTS)
def test_a_page_token_that_changes_forever_stops_at_the_page_limit(
    hostile: Any, collection: Collection[Any], path: str, field: str
) -> None:
    served = iter(range(10**9))

    def endless(handler: BaseHTTPRequestHandler) -> None:
        send(handler, 200, json.dumps({field: [], "nextPageToken": f"t{next(served)}"}).encode())

    server = hostile({path: endless})
    failure = unreadable(lambda: session(server.url, pages=5).read(collection, "acme-prod"))
    assert failure.reason is Reason.ERROR
    assert "the list has more than 5 pages" in failure.describe()
    assert len(server.requests) == 5


@pytest.mark.parametrize(("collection", "path", "field"), LISTS)
def test_a_list_larger_than_its_byte_limit_stops(
    hostile: Any, collection: Collection[Any], path: str, field: str
) -> None:
    served = iter(range(10**9))

    def fat(handler: BaseHTTPRequestHandler) -> None:
        page = {field: [{"name": f"x{'y' * 4000}"}], "nextPageToken": f"t{next(served)}"}
        send(handler, 200, json.dumps(page).encode())

    server = hostile({path: fat})
    failure = unreadable(
        lambda: session(server.url, list_bytes=10_000).read(collection, "acme-prod")
    )
    assert failure.reason is Reason.ERROR
    assert "the list is larger than 10000 bytes" in failure.describe()
    assert len(server.requests) == 3  # 4 KB a page: the third passes 10,000 bytes


def slow_body(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    trickle(handler, b"{" + b" " * 99_998 + b"}")


def slow_headers(handler: BaseHTTPRequestHandler) -> None:
    trickle(handler, b"HTTP/1.1 200 OK\r\n" + b"X-Slow: 1\r\n" * 10_000)


@pytest.mark.parametrize("kind", [slow_body, slow_headers], ids=["body", "headers"])
@pytest.mark.parametrize(("collection", "path", "field"), LISTS)
def test_a_trickling_answer_ends_at_the_timeout(
    hostile: Any, collection: Collection[Any], path: str, field: str, kind: Behaviour
) -> None:
    """Every byte comes well within the socket's timeout, so only a deadline over the whole
    exchange stops it: --timeout 1, two attempts, about 2 s (it used to take forever)."""
    server = hostile({path: kind})
    failure, took = timed(
        lambda: session(server.url, TWICE, timeout=1.0).read(collection, "acme-prod")
    )
    assert failure.reason is Reason.UNAVAILABLE
    assert "no complete response within 1 s" in failure.describe()
    assert len(server.requests) == 2  # retried once, as any timeout
    assert took < 4, took


def too_long(handler: BaseHTTPRequestHandler) -> None:
    send(handler, 200, b"", length=str(10**12))  # promises a terabyte; sends nothing


def endless_chunks(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.end_headers()
    chunk = b"%x\r\n%s\r\n" % (65536, b" " * 65536)
    try:
        while not handler.server.stop.is_set():  # type: ignore[attr-defined]
            handler.wfile.write(chunk)
    except OSError:
        return


def gzip_bomb(handler: BaseHTTPRequestHandler) -> None:
    body = gzip.compress(b"{" + b" " * (8 << 20) + b"}")  # 8 MiB in about 8 KB
    send(handler, 200, body, Content_Encoding="gzip")


@pytest.mark.parametrize(
    "kind", [too_long, endless_chunks, gzip_bomb], ids=["Content-Length", "endless", "gzip bomb"]
)
@pytest.mark.parametrize(("collection", "path", "field"), LISTS)
def test_a_response_over_the_byte_limit_is_an_error_and_the_connection_is_not_reused(
    hostile: Any, collection: Collection[Any], path: str, field: str, kind: Behaviour
) -> None:
    good = json.dumps({field: [{"name": "projects/acme-prod/x/ok"}]}).encode()
    other = SQL.replace("acme-prod", "acme-dev") if path == SQL else RUN.replace("prod", "dev")
    server = hostile({path: kind, other: lambda h: send(h, 200, good)})
    reader = session(server.url, response_bytes=1 << 20)
    failure, took = timed(lambda: reader.read(collection, "acme-prod"))
    assert failure.reason is Reason.ERROR
    assert "response larger than 1 MiB" in failure.describe()
    assert len(server.requests) == 1 and took < 5  # not retried
    assert len(reader.read(collection, "acme-dev")) == 1  # the next call reads its own answer


def test_a_gzip_bomb_snapshot_is_refused_as_it_inflates(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b'{"schema": "gcplint-world/v1", "x": "' + b"0" * (4 << 20)))
    with pytest.raises(WorldError, match=r"bomb.json.gz is larger than 1 MiB uncompressed"):
        World.load(bomb, limit=1 << 20)
    plain = tmp_path / "big.json"
    plain.write_bytes(b" " * ((1 << 20) + 1))
    with pytest.raises(WorldError, match=r"big.json is larger than 1 MiB uncompressed"):
        World.load(plain, limit=1 << 20)


def test_a_snapshot_over_the_limit_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gcplint.world

    monkeypatch.setattr(gcplint.world, "MAX_SNAPSHOT_BYTES", 1 << 20)
    bomb = tmp_path / "bomb.json.gz"
    bomb.write_bytes(gzip.compress(b" " * (4 << 20)))
    run = run_cli("scan", "--snapshot", str(bomb))
    assert run.code == 2
    assert run.err.strip().count("\n") == 0, run.err
    assert "larger than 1 MiB uncompressed" in run.err and "Traceback" not in run.err
