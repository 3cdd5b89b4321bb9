"""The emulator itself: reads only, Google-shaped errors, routing, and its request log."""

from __future__ import annotations

import json
import re
import socket
import urllib.error
import urllib.parse
import urllib.request
from typing import Any

import pytest
from helpers import project, run_cli, world

from gcplint.collect import registry
from gcplint.emulator import Emulator, Fault, World, WorldError, is_read
from gcplint.emulator.routes import ROUTES


def http(url: str, method: str = "GET", body: bytes | None = None) -> tuple[int, Any]:
    request = urllib.request.Request(url, data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as err:
        return err.code, json.loads(err.read())


def sample() -> World:
    return world(
        {
            "acme-prod": {
                "project": project("acme-prod", "1001", labels={"env": "prod"}, parent="folders/5"),
                registry.RUN_SERVICES.name: [
                    {"name": "projects/acme-prod/locations/europe-west1/services/a"},
                    {"name": "projects/acme-prod/locations/us-central1/services/b"},
                ],
                "disabledServices": ["sqladmin.googleapis.com"],
            },
            "acme-dev": {
                "project": project("acme-dev", "1003", labels={"env": "dev"}, parent="folders/5")
            },
        }
    )


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("DELETE", "/run/v2/projects/acme-prod/locations/europe-west1/services/a"),
        ("POST", "/run/v2/projects/acme-prod/locations/europe-west1/services"),
        ("PATCH", "/cloudresourcemanager/v3/projects/acme-prod"),
        ("POST", "/cloudresourcemanager/v3/projects/acme-prod:setIamPolicy"),
        ("PUT", "/sqladmin/v1/projects/acme-prod/instances/main"),
    ],
)
def test_refuses_every_method_that_is_not_a_read(serve: Any, method: str, path: str) -> None:
    emu = serve(sample())
    status, body = http(emu.url + path, method, b"{}")
    assert status == 405 and "not a read method" in body["error"]["message"]
    assert not emu.requests[-1].is_read


def test_read_methods() -> None:
    assert is_read("GET", "/run/v2/projects/p/locations/-/services")
    assert is_read("POST", "/cloudresourcemanager/v3/projects/p:getIamPolicy")
    assert is_read("POST", "/cloudresourcemanager/v3/projects/p:testIamPermissions")
    assert is_read("POST", "/cloudresourcemanager/v3/projects:search")
    assert not is_read("POST", "/secretmanager/v1/projects/p/secrets/s/versions/1:access")


def test_each_path_is_served_by_one_route() -> None:
    """Routes are declared once, read collections of their own API, and no two routes of an API
    match a same path: the order of ROUTES never decides which one serves a request."""
    declared = [(r.api.label, r.method, r.template) for r in ROUTES]
    assert len(declared) == len(set(declared))
    for route in ROUTES:
        assert route.read is None or route.read.api == route.api, route.method_id
        path = re.sub(r"\{\w+\}", "x", route.template)
        assert [r for r in ROUTES if r.api == route.api and r.pattern.match(path)] == [route]


def test_location_filter_and_wildcard(serve: Any) -> None:
    emu = serve(sample(), page_size=10)
    base = emu.url + "/run/v2/projects/acme-prod/locations/"
    assert len(http(base + "-/services")[1]["services"]) == 2
    assert [s["name"][-1] for s in http(base + "us-central1/services")[1]["services"]] == ["b"]
    assert http(base + "asia-east1/services")[1] == {}  # empty lists are omitted, as Google does


def test_pagination_tokens(serve: Any) -> None:
    emu = serve(sample(), page_size=1)
    url = emu.url + "/run/v2/projects/acme-prod/locations/-/services"
    first = http(url)[1]
    second = http(url + "?pageToken=" + first["nextPageToken"])[1]
    assert first["services"] != second["services"] and "nextPageToken" not in second
    status, body = http(url + "?pageToken=bogus")
    assert status == 400 and body["error"]["status"] == "INVALID_ARGUMENT"


def test_google_shaped_errors(serve: Any) -> None:
    emu = serve(sample())
    status, body = http(emu.url + "/sqladmin/v1/projects/acme-prod/instances")
    detail = body["error"]["details"][0]
    assert status == 403 and detail["reason"] == "SERVICE_DISABLED"
    assert detail["@type"] == "type.googleapis.com/google.rpc.ErrorInfo"
    assert detail["metadata"] == {
        "service": "sqladmin.googleapis.com",
        "consumer": "projects/1001",
        "activationUrl": "https://console.developers.google.com/apis/api/sqladmin.googleapis.com/overview?project=1001",
    }
    status, body = http(emu.url + "/cloudresourcemanager/v3/projects/not-in-world")
    assert status == 403 and body["error"]["details"][0]["reason"] == "IAM_PERMISSION_DENIED"
    status, body = http(emu.url + "/nosuchapi/v1/things")
    assert status == 404


def test_projects_by_number_and_search(serve: Any) -> None:
    emu = serve(sample(), page_size=10)
    assert http(emu.url + "/cloudresourcemanager/v3/projects/1003")[1]["projectId"] == "acme-dev"
    found = http(
        emu.url
        + "/cloudresourcemanager/v3/projects:search?query=labels.env%3Aprod%20parent%3Afolders%2F5"
    )
    assert [p["projectId"] for p in found[1]["projects"]] == ["acme-prod"]


def test_faults_fire_the_given_number_of_times(serve: Any) -> None:
    emu = serve(sample())
    emu.add_fault(
        Fault(path="/cloudresourcemanager/*", error="UNAVAILABLE", times=2, retry_after=3)
    )
    url = emu.url + "/cloudresourcemanager/v3/projects/acme-prod"
    assert [http(url)[0] for _ in range(3)] == [503, 503, 200]


def test_request_log_endpoint(serve: Any) -> None:
    emu = serve(sample())
    http(emu.url + "/cloudresourcemanager/v3/projects/acme-prod?alt=json")
    log = http(emu.url + "/__emulator/requests")[1]["requests"]
    assert (
        log[0]["path"] == "/cloudresourcemanager/v3/projects/acme-prod"
        and log[0]["query"] == "alt=json"
    )


def test_a_demo_scan_only_reads() -> None:
    from gcplint.emulator import demo_world

    with Emulator(demo_world(), page_size=2) as emu:
        projects = [arg for p in emu.world.projects for arg in ("--project", p)]
        run = run_cli("scan", "--api-base", emu.url, *projects)
        assert run.code == 1, run.err
        assert emu.requests and all(r.is_read and r.status != 405 for r in emu.requests)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "a world is a JSON object"),
        ({"schema": "other"}, "'schema' must be"),
        (
            {"schema": "gcplint-world/v1", "projects": {"p": {"project": {"name": "projects/x"}}}},
            "projects/NUMBER",
        ),
        (
            {
                "schema": "gcplint-world/v1",
                "projects": {"p": {"project": {"name": "projects/1", "projectId": "q"}}},
            },
            "must be 'p'",
        ),
        (
            {
                "schema": "gcplint-world/v1",
                "projects": {
                    "p": {"project": {"name": "projects/1", "projectId": "p"}, "run.servces": []}
                },
            },
            "unknown key",
        ),
        (
            {"schema": "gcplint-world/v1", "faults": [{"path": "/x", "error": "BOOM"}]},
            "unknown fault error",
        ),
    ],
)
def test_world_validation(data: Any, message: str) -> None:
    with pytest.raises(WorldError, match=message):
        World.from_json(data)


def raw_exchange(url: str, head: str) -> tuple[int, bytes]:
    """Send `head` (request line and headers, no body) on a raw socket; the status and the
    whole answer (the emulator closes the connection after a refusal)."""
    host, port = urllib.parse.urlsplit(url).netloc.split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(head.encode() + b"\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    return int(answer.split(b" ", 2)[1]), answer


@pytest.mark.parametrize("name", ["127.0.0.1", "localhost", "[::1]"])
def test_loopback_names_with_the_port_are_served(serve: Any, name: str) -> None:
    emu = serve(sample())
    port = emu.url.rsplit(":", 1)[1]
    status, _ = raw_exchange(
        emu.url,
        f"GET /cloudresourcemanager/v3/projects/acme-prod HTTP/1.1\r\nHost: {name}:{port}\r\n"
        "Connection: close\r\n",
    )
    assert status == 200


@pytest.mark.parametrize("host", ["evil.example:{port}", "127.0.0.1:1", "localhost", None])
def test_another_host_is_refused_dns_rebinding(serve: Any, host: str | None) -> None:
    emu = serve(sample())
    port = emu.url.rsplit(":", 1)[1]
    header = f"Host: {host.format(port=port)}\r\n" if host is not None else ""
    status, answer = raw_exchange(
        emu.url, f"GET /cloudresourcemanager/v3/projects/acme-prod HTTP/1.1\r\n{header}"
    )
    assert status == 421 and b"acme-prod" not in answer.split(b"\r\n\r\n", 1)[1]
    assert emu.requests == []


def test_a_large_body_is_refused_unread(serve: Any) -> None:
    """An 800 MB POST once cost the emulator 905 MB: now its Content-Length is refused (413)
    before a byte of it is read, and the request log never holds a body."""
    emu = serve(sample())
    port = emu.url.rsplit(":", 1)[1]
    status, answer = raw_exchange(
        emu.url,
        "POST /cloudresourcemanager/v3/projects/acme-prod:getIamPolicy HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nContent-Length: {800 * 1024 * 1024}\r\n",
    )
    assert status == 413 and b"larger than 1 MiB" in answer
    body = b'{"options": {"requestedPolicyVersion": 3}}'
    ok = http(emu.url + "/cloudresourcemanager/v3/projects/acme-prod:getIamPolicy", "POST", body)
    assert ok[0] == 200
    [logged] = emu.requests
    assert (logged.body_size, logged.policy_version) == (len(body), 3)
    assert "body" not in logged.__dict__


def test_the_request_log_keeps_the_newest_requests(serve: Any) -> None:
    emu = serve(sample(), log_length=3)
    for n in range(5):
        http(f"{emu.url}/cloudresourcemanager/v3/projects/acme-prod?n={n}")
    assert [r.query for r in emu.requests] == ["n=2", "n=3", "n=4"]


@pytest.mark.parametrize(
    "header", ["Transfer-Encoding: chunked", "Content-Length: many"], ids=["chunked", "NaN"]
)
def test_a_body_of_unknown_length_is_refused(serve: Any, header: str) -> None:
    emu = serve(sample())
    port = emu.url.rsplit(":", 1)[1]
    status, _ = raw_exchange(
        emu.url,
        "POST /cloudresourcemanager/v3/projects/acme-prod:getIamPolicy HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\n{header}\r\n",
    )
    assert status == 411 and emu.requests == []
