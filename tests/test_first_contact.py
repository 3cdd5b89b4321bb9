"""The first ten minutes: a mistyped project, credentials that cannot refresh, and --debug.

Everything runs the real client libraries over HTTP against the emulator (or, for credentials,
against a local token endpoint or no network at all); nothing is mocked.
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from google.auth.transport.requests import Request
from google.oauth2 import credentials as user_credentials
from helpers import FAST_RETRY, ROOT, run_cli

from gcplint.collect import registry
from gcplint.collect.clients import Clients, describe_source, refresh
from gcplint.collect.connect import ClientSettings
from gcplint.collect.failures import clip
from gcplint.collect.session import Session
from gcplint.collect.transport import Transport, safe_url
from gcplint.emulator import Fault, World, demo_world
from gcplint.errors import ConfigError

TYPO = "acme-prd"


def named(*projects: str) -> list[str]:
    return [arg for p in projects for arg in ("--project", p)]


def identity(emu: Any) -> str:
    return f"anonymous (API base {emu.url})"


# --- 4. a project that does not exist (or cannot be seen) -------------------------------------


@pytest.mark.parametrize(
    "command",
    [["scan"], ["doctor"], ["collect", "-o", "{tmp}/s.json"], ["baseline", "create", "{tmp}/b"]],
    ids=lambda c: c[0],
)
def test_a_mistyped_project_is_one_line_and_exit_2(
    serve: Any, tmp_path: Path, command: list[str]
) -> None:
    emu = serve(demo_world())
    args = [a.format(tmp=tmp_path) for a in command]
    run = run_cli(*args, "--api-base", emu.url, *named(TYPO))
    assert run.code == 2, run.err
    assert run.err.splitlines() == [
        f"gcplint: error: {TYPO} does not exist or is not visible to {identity(emu)} — check"
        f" the ID (gcloud projects describe {TYPO}; reading it needs resourcemanager.projects.get)"
    ]
    assert "grant" not in run.err and run.out == ""
    assert [r.path for r in emu.requests] == [f"/cloudresourcemanager/v3/projects/{TYPO}"]
    assert not list(tmp_path.iterdir())  # no snapshot, no baseline written


def test_only_the_mistyped_projects_are_named(serve: Any) -> None:
    emu = serve(demo_world())
    run = run_cli("scan", "--api-base", emu.url, *named("acme-prod", TYPO, "acme-stagin"))
    assert run.code == 2
    lines = run.err.splitlines()
    assert [line.split()[2] for line in lines] == [TYPO, "acme-stagin"]
    assert all(line.startswith("gcplint: error: ") for line in lines)
    assert "acme-prod " not in run.err


def test_the_demo_names_a_mistyped_project_too() -> None:
    run = run_cli("scan", "--demo", *named(TYPO))
    assert run.code == 2 and len(run.err.splitlines()) == 1 and TYPO in run.err


def test_a_project_denied_to_the_identity_reads_the_same(serve: Any) -> None:
    """Google answers alike for a project that does not exist and one the caller may not get."""
    data = demo_world()
    data.denied["projects/acme-dev"] = frozenset({"resourcemanager.projects.get"})
    run = run_cli("scan", "--api-base", serve(data).url, *named("acme-dev"))
    assert run.code == 2 and "acme-dev does not exist or is not visible" in run.err


@pytest.mark.parametrize(
    "fault",
    ["SERVICE_DISABLED", "BILLING_DISABLED", "RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL"],
)
def test_other_failures_of_the_project_read_stay_unknowns(serve: Any, fault: str) -> None:
    """A 403 that says something else, a quota, an outage: not 'does not exist'."""
    emu = serve(demo_world())
    emu.add_fault(Fault(path="/cloudresourcemanager/v3/projects/acme-dev", error=fault))
    run = run_cli("scan", "--api-base", emu.url, *named("acme-dev"), "--format", "json")
    assert run.code in (1, 3), run.err
    assert "does not exist" not in run.err
    assert any(r["status"] == "unknown" for r in run.json()["results"])


def test_a_project_whose_resource_manager_api_is_disabled_is_not_missing(serve: Any) -> None:
    data = demo_world()
    entry = data.projects["acme-dev"]
    data.projects["acme-dev"] = replace(
        entry, disabled_services=entry.disabled_services | {"cloudresourcemanager.googleapis.com"}
    )
    run = run_cli("scan", "--api-base", serve(data).url, *named("acme-dev"))
    assert run.code in (1, 3), run.err
    assert "does not exist" not in run.err


def test_a_readable_project_whose_other_apis_fail_still_gives_unknowns(serve: Any) -> None:
    emu = serve(demo_world())
    emu.add_fault(Fault(path="/sqladmin/*", error="PERMISSION_DENIED"))
    run = run_cli("scan", "--api-base", emu.url, *named("acme-prod"), "--format", "json")
    assert run.code in (1, 3) and "does not exist" not in run.err
    unknown = [r for r in run.json()["results"] if r["status"] == "unknown"]
    assert unknown and all(r["reason"] == "PERMISSION_DENIED" for r in unknown)


def test_a_snapshot_that_recorded_the_project_read_as_failed_still_scans(tmp_path: Path) -> None:
    snapshot = tmp_path / "s.json"
    assert run_cli("collect", "--demo", "-o", str(snapshot)).code == 0
    data = json.loads(snapshot.read_text())
    del data["projects"]["acme-dev"]["project"]
    data["snapshot"]["reads"][registry.PROJECT.name]["acme-dev"] = {
        "reason": "PERMISSION_DENIED",
        "detail": "Permission 'resourcemanager.projects.get' denied",
        "permission": "resourcemanager.projects.get",
    }
    snapshot.write_text(json.dumps(data))
    run = run_cli("scan", "--snapshot", str(snapshot), *named("acme-dev"), "--format", "json")
    assert run.code in (1, 3), run.err
    assert "does not exist" not in run.err
    assert any(r["status"] == "unknown" for r in run.json()["results"])


def test_enumerated_and_demo_scopes_are_not_rechecked() -> None:
    """An enumerated project exists (the search found it): nothing more is asked of it."""
    assert run_cli("scan", "--demo").code in (1, 3)


# --- 5. credentials that cannot get an access token -------------------------------------------

REFRESH_TOKEN = "1//CANARY-refresh-token-0c0c"
CLIENT_SECRET = "CANARY-client-secret-9f8e"


@pytest.fixture
def token_endpoint() -> Iterator[str]:
    """A local OAuth token endpoint that refuses every grant as Google does (400 invalid_grant)."""

    class Refuse(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            body = json.dumps(
                {
                    "error": "invalid_grant",
                    "error_description": "Token has been expired or revoked.",
                }
            ).encode()
            self.send_response(400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Refuse)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/token"
    server.shutdown()
    server.server_close()


def closed_port() -> int:
    """A local port nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def user_key(path: Path) -> Path:
    """An authorized_user file (gcloud's ADC) with a fake refresh token: it refreshes at
    https://oauth2.googleapis.com/token whatever the file says."""
    path.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "1234.apps.googleusercontent.com",
                "client_secret": CLIENT_SECRET,
                "refresh_token": REFRESH_TOKEN,
            }
        )
    )
    return path


def service_account_key(path: Path, token_uri: str) -> tuple[Path, str]:
    """A service account key file (a fresh RSA key) whose tokens come from `token_uri`."""
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    key = {
        "type": "service_account",
        "project_id": "acme-ops",
        "private_key_id": "0123456789abcdef",
        "private_key": pem,
        "client_email": "scanner@acme-ops.iam.gserviceaccount.com",
        "client_id": "1",
        "token_uri": token_uri,
    }
    path.write_text(json.dumps(key))
    return path, pem


def gcplint(home: Path, credentials: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """`gcplint scan --project acme-prod` in a fresh process whose only credentials are the
    file in GOOGLE_APPLICATION_CREDENTIALS (HOME holds no gcloud configuration)."""
    clean = {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT / "checks")]),
        "HOME": str(home),
        "NO_COLOR": "1",
        "GOOGLE_APPLICATION_CREDENTIALS": str(credentials),
        **env,
    }
    return subprocess.run(
        [sys.executable, "-m", "gcplint", "scan", "--project", "acme-prod"],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
    )


def assert_one_complete_line(err: str, *secrets: str) -> str:
    """One error line, ending a sentence, naming what failed, quoting no secret."""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("gcplint: error: "), err
    line = lines[0]
    assert line.endswith(".") and "…" not in line
    assert "getting an access token for" in line and "gcplint doctor" in line
    for secret in secrets:
        assert secret not in line
    assert "PRIVATE KEY" not in line
    return line


def resolves(host: str) -> bool:
    try:
        socket.getaddrinfo(host, 443)
    except OSError:
        return False
    return True


def test_user_credentials_without_network(tmp_path: Path) -> None:
    """The real path: gcloud-style user credentials refresh at oauth2.googleapis.com."""
    run = gcplint(tmp_path, user_key(tmp_path / "adc.json"))
    assert run.returncode == 2
    line = assert_one_complete_line(run.stderr, REFRESH_TOKEN, CLIENT_SECRET)
    assert (
        f"for the user credentials in {tmp_path / 'adc.json'} (GOOGLE_APPLICATION_CREDENTIALS)"
        in line
    )
    assert "from oauth2.googleapis.com failed" in line
    if not resolves("oauth2.googleapis.com"):
        assert "the host name could not be resolved (no network, or DNS is failing)" in line
        assert "HTTPS_PROXY" in line and "--demo or --api-base" in line


def test_an_unreachable_proxy_is_named(tmp_path: Path) -> None:
    run = gcplint(
        tmp_path,
        user_key(tmp_path / "adc.json"),
        HTTPS_PROXY=f"http://127.0.0.1:{closed_port()}",
    )
    assert run.returncode == 2
    line = assert_one_complete_line(run.stderr, REFRESH_TOKEN, CLIENT_SECRET)
    assert "the proxy (HTTPS_PROXY) could not be reached" in line


def test_a_refused_connection_is_named(tmp_path: Path) -> None:
    path, pem = service_account_key(tmp_path / "key.json", f"http://127.0.0.1:{closed_port()}/t")
    run = gcplint(tmp_path, path)
    assert run.returncode == 2
    line = assert_one_complete_line(run.stderr, pem)
    assert "the service account key of scanner@acme-ops.iam.gserviceaccount.com in" in line
    assert "failed: the connection was refused. Check the network connection" in line


def test_a_refused_service_account_key(tmp_path: Path, token_endpoint: str) -> None:
    path, pem = service_account_key(tmp_path / "key.json", token_endpoint)
    run = gcplint(tmp_path, path)
    assert run.returncode == 2
    line = assert_one_complete_line(run.stderr, pem)
    assert (
        "failed: invalid_grant: the key was deleted or disabled, or the system clock is wrong"
        in line
    )
    assert "--iam-account=scanner@acme-ops.iam.gserviceaccount.com" in line


def test_an_expired_refresh_token(token_endpoint: str) -> None:
    """Google's own token endpoint cannot be replaced in an authorized_user file, so the real
    credentials are pointed at the local one here, in-process."""
    creds = user_credentials.Credentials(
        token=None,
        refresh_token=REFRESH_TOKEN,
        token_uri=token_endpoint,
        client_id="1234.apps.googleusercontent.com",
        client_secret=CLIENT_SECRET,
    )
    with pytest.raises(ConfigError) as raised:
        refresh(creds, Request(), describe_source(creds))
    message = str(raised.value)
    assert "failed: invalid_grant: the refresh token has expired or been revoked." in message
    assert message.endswith("then 'gcplint doctor'.")
    assert REFRESH_TOKEN not in message and CLIENT_SECRET not in message


@pytest.mark.parametrize("limit", [60, 100, 200])
def test_long_messages_are_cut_between_words(limit: int) -> None:
    text = "HTTPSConnectionPool(host='oauth2.googleapis.com', port=443): Max retries exceeded " * 5
    clipped = clip(text, limit)
    assert len(clipped) <= limit and clipped.endswith("…")
    kept = clipped[:-1]
    assert text.startswith(kept) and text[len(kept)] in " ,;:("  # the next word is left out


# --- 6. --debug: every API call, the scope, the timings; never a secret --------------------------

ACCESS_TOKEN = "ya29.CANARY-access-token-5e5e"
ENV_SECRET = "sk_live_CANARYc4n4ry0000000000000000"
HTTP_LINE = re.compile(
    r"^gcplint: DEBUG: http: (GET|POST) http://127\.0\.0\.1:\d+/(\S+) -> (\d{3}) in \d+ ms"
    r" \(attempt (\d)/(\d)\)$"
)


def world_with_a_secret_env_value() -> World:
    data = demo_world()
    for service in data.projects["acme-prod"].collections[registry.RUN_SERVICES.name]:
        for container in service["template"]["containers"]:
            container.setdefault("env", []).append({"name": "PAYMENT_KEY", "value": ENV_SECRET})
    return data


@pytest.fixture
def debug_log() -> Iterator[io.StringIO]:
    """The gcplint logger at DEBUG, into a buffer (as --debug sets it up, without the CLI)."""
    logger = logging.getLogger("gcplint")
    saved = (logger.level, logger.handlers[:], logger.propagate)
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logging.Formatter("gcplint: %(levelname)s: %(message)s"))
    logger.handlers[:], logger.propagate = [handler], False
    logger.setLevel(logging.DEBUG)
    yield buffer
    logger.level, logger.handlers[:], logger.propagate = saved


def test_debug_shows_api_calls_scope_and_timings(serve: Any) -> None:
    emu = serve(world_with_a_secret_env_value(), page_size=50)
    emu.add_fault(
        Fault(path="/sqladmin/v1/projects/acme-prod/instances", error="UNAVAILABLE", times=1)
    )
    run = run_cli("scan", "--api-base", emu.url, *named("acme-prod", "acme-dev"), "--debug")
    assert run.code in (1, 3), run.err
    lines = run.err.splitlines()
    calls = [m.groups() for line in lines if (m := HTTP_LINE.match(line))]
    assert len(calls) == len(emu.requests)  # every request, each on one line
    services = "run/v2/projects/acme-prod/locations/-/services?" + urlencode(
        {"fields": registry.RUN_SERVICES.mask, "alt": "json"}
    )
    assert ("GET", services, "200", "1", "5") in calls
    sql = "sqladmin/v1/projects/acme-prod/instances?" + urlencode(
        {"maxResults": 500, "fields": registry.SQL_INSTANCES.mask, "alt": "json"}
    )
    assert ("GET", sql, "503", "1", "5") in calls and ("GET", sql, "200", "2", "5") in calls
    assert any(
        line.startswith("gcplint: DEBUG: api: sqladmin attempt 1/5 failed: UNAVAILABLE")
        and line.endswith("retrying in 0.00 s")
        for line in lines
    )
    assert (
        "gcplint: DEBUG: scope: 2 project(s) from --project (--project acme-prod acme-dev)" in lines
    )
    assert "gcplint: DEBUG: scope: no shard; scanning acme-prod, acme-dev" in lines
    timings = [line for line in lines if line.startswith("gcplint: DEBUG: timing: ")]
    assert any("resolving the scope took" in line for line in timings)
    assert any(
        line.startswith("gcplint: DEBUG: timing: project acme-dev: data read") for line in timings
    )
    assert any("reading and judging 2 project(s) took" in line for line in timings)
    assert ENV_SECRET not in run.err + run.out


def test_a_sharded_enumeration_says_where_its_projects_come_from() -> None:
    run = run_cli("scan", "--demo", "--project", "acme-*", "--shard", "0/2", "--debug")
    assert (
        "gcplint: DEBUG: scope: 3 project(s) from the demo world or snapshot (every project the"
        " identity can see, --project acme-*)" in run.err
    )
    assert re.search(
        r"^gcplint: DEBUG: scope: shard 0/2 holds \d of them; scanning ", run.err, re.M
    )


def test_without_debug_nothing_is_logged(serve: Any) -> None:
    emu = serve(demo_world())
    emu.add_fault(Fault(path="/sqladmin/*", error="UNAVAILABLE", times=1))
    run = run_cli("scan", "--api-base", emu.url, *named("acme-prod"), "--no-progress")
    assert run.code in (1, 3)
    assert run.err == ""


def test_the_access_token_never_reaches_the_log(serve: Any, debug_log: io.StringIO) -> None:
    """Real credentials with a bearer token, on GETs and a POST (an IAM policy)."""
    emu = serve(demo_world())
    creds = user_credentials.Credentials(token=ACCESS_TOKEN)
    settings = ClientSettings(api_base=emu.url)
    session = Session(Transport(Clients(settings, creds), FAST_RETRY))
    session.read(registry.SQL_INSTANCES, "acme-prod")
    session.read(registry.RUN_SERVICES, "acme-prod")
    session.read(registry.PROJECT_IAM_POLICY, "acme-prod")
    text = debug_log.getvalue()
    assert "/sqladmin/v1/projects/acme-prod/instances" in text
    assert "/run/v2/projects/acme-prod/locations/-/services" in text
    assert "POST http://127.0.0.1" in text and "acme-prod:getIamPolicy" in text
    assert ACCESS_TOKEN not in text and "Bearer" not in text and "uthorization" not in text


@pytest.mark.parametrize(
    ("url", "logged"),
    [
        (
            "https://me:pw@storage.googleapis.com/storage/v1/b?project=p&pageToken=CAE%3D&alt=json#x",
            "https://storage.googleapis.com/storage/v1/b?project=p&pageToken=***&alt=json",
        ),
        (
            "http://h:8080/p?key=AIzaSecret&access_token=ya29.x&sig=s&q=1",
            "http://h:8080/p?key=***&access_token=***&sig=***&q=1",
        ),
    ],
)
def test_secret_query_values_are_masked(url: str, logged: str) -> None:
    assert safe_url(url) == logged
