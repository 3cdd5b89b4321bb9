"""No secret value and no credential reaches any output, log or error message."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli, session_for

from gcplint.collect import registry as c
from gcplint.emulator import Fault, World, demo_world
from gcplint.redact import looks_like_credential, marker, parse
from gcplint.report import FORMATS

CANARY = "sk_live_CANARYc4n4ry0000000000000000"
URL_CANARY = "postgres://app:hunter2CANARY@10.0.0.5:5432/orders"


def world_with_canaries() -> World:
    data = demo_world()
    for service in data.projects["acme-prod"].collections[c.RUN_SERVICES.name]:
        for container in service["template"]["containers"]:
            container.setdefault("env", []).extend(
                [
                    {"name": "PAYMENT_KEY", "value": CANARY},
                    {"name": "DATABASE_URL", "value": URL_CANARY},
                ]
            )
    for revision in data.projects["acme-prod"].collections[c.RUN_REVISIONS.name]:
        for container in revision.get("containers", []):
            container.setdefault("env", []).append({"name": "PAYMENT_KEY", "value": CANARY})
    return data


def assert_clean(*texts: str) -> None:
    for text in texts:
        assert CANARY not in text and "hunter2CANARY" not in text


def scan_args(emu: Any) -> list[str]:
    return [
        "scan",
        "--api-base",
        emu.url,
        *[a for p in emu.world.projects for a in ("--project", p)],
    ]


def test_literal_env_values_are_redacted_in_the_collector(serve: Any) -> None:
    emu = serve(world_with_canaries())
    session = session_for(emu)
    services = session.read(c.RUN_SERVICES, "acme-prod")
    revisions = session.read(c.RUN_REVISIONS, "acme-prod")
    assert_clean(json.dumps(services), json.dumps(revisions))
    values = [
        v["value"]
        for s in services
        for ct in s["template"]["containers"]
        for v in ct.get("env", [])
        if "value" in v
    ]
    assert marker(CANARY) in values and marker(URL_CANARY) in values
    assert parse(marker(CANARY)) is not None and parse(marker(CANARY)).credential  # type: ignore[union-attr]


OUTPUTS = (
    [[], ["--verbose"], ["--debug"]]
    + [["--format", f] for f in sorted(FORMATS)]
    + [["--debug", "--format", "json"]]
)


@pytest.mark.parametrize("extra", OUTPUTS, ids=lambda e: " ".join(e) or "text")
def test_no_output_format_or_log_carries_a_secret(
    serve: Any, extra: list[str], tmp_path: Path
) -> None:
    emu = serve(world_with_canaries())
    run = run_cli(*scan_args(emu), *extra)
    assert run.code in (1, 3), run.err
    assert_clean(run.out, run.err)
    report = tmp_path / "report.out"
    run = run_cli(*scan_args(emu), *extra, "--output", str(report))
    assert run.code in (1, 3) and report.stat().st_size > 0
    assert_clean(run.out, run.err, report.read_text())


def test_the_plaintext_check_names_the_variable_not_the_value(serve: Any) -> None:
    emu = serve(world_with_canaries())
    data = run_cli(
        *scan_args(emu), "--format", "json", "--check", "run.plaintext-secret-env"
    ).json()
    subjects = {r["subject"] for r in data["results"] if r["status"] == "fail"}
    assert {"PAYMENT_KEY", "DATABASE_URL"} <= subjects
    assert_clean(json.dumps(data))


@pytest.mark.parametrize("kind", ["MALFORMED_JSON", "WRONG_SHAPE"])
def test_broken_responses_holding_a_secret_do_not_leak_it(serve: Any, kind: str) -> None:
    emu = serve(world_with_canaries())
    emu.add_fault(Fault(path="/run/*", error=kind))
    run = run_cli(*scan_args(emu), "--debug", "--format", "json")
    assert run.code in (1, 3)
    assert any(r["status"] == "unknown" for r in run.json()["results"])
    assert_clean(run.out, run.err)


def test_credentials_never_appear_in_errors(
    tmp_path: Path, serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ADC whose refresh fails (the token endpoint is the emulator, which refuses the POST)."""
    emu = serve(world_with_canaries())
    adc = tmp_path / "adc.json"
    adc.write_text(
        json.dumps(
            {
                "type": "authorized_user",
                "client_id": "1234.apps.googleusercontent.com",
                "client_secret": "CANARY-client-secret-9f8e",
                "refresh_token": "1//CANARY-refresh-token-0c0c",
                "token_uri": f"{emu.url}/oauth2/token",
            }
        )
    )
    monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(adc))
    for extra in ([], ["--debug"]):
        run = run_cli("scan", "--project", "acme-prod", *extra)
        assert run.code == 2 and run.err.startswith(
            "gcplint: error: credentials could not be refreshed"
        )
        for secret in ("CANARY-client-secret", "CANARY-refresh-token"):
            assert secret not in run.out + run.err


def test_secret_payloads_are_never_requested(serve: Any) -> None:
    emu = serve(world_with_canaries())
    run_cli(*scan_args(emu))
    assert emu.requests and not [
        r for r in emu.requests if ":access" in r.path or "/versions/" in r.path
    ]


@pytest.mark.parametrize(
    ("value", "credential"),
    [
        ("-----BEGIN PRIVATE KEY-----\nMIIE...", True),
        ("postgres://app:s3cret@db:5432/x", True),
        ("https://example.com/path", False),
        ("AKIAIOSFODNN7EXAMPLE", True),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl", True),
        ("production", False),
        ("8080", False),
    ],
)
def test_credential_shapes(value: str, credential: bool) -> None:
    assert looks_like_credential(value) is credential
    assert parse(marker(value)) is not None and parse(marker(value)).credential is credential  # type: ignore[union-attr]
    assert value not in marker(value)


@pytest.mark.parametrize("name", ["snapshot.json", "snapshot.json.gz"])
def test_snapshots_hold_no_literal_value(serve: Any, tmp_path: Path, name: str) -> None:
    """A snapshot is safe to hand to a reviewer: the collector redacted the values before the
    snapshot saw them, and the offline scan still finds the credential by its marker."""
    emu = serve(world_with_canaries())
    path = tmp_path / name
    collect = scan_args(emu)
    collect[0] = "collect"
    result = run_cli(*collect, "-o", str(path))
    assert result.code == 0, result.err
    raw = path.read_bytes()
    text = (gzip.decompress(raw) if name.endswith(".gz") else raw).decode()
    assert_clean(text, result.out, result.err)
    assert "PAYMENT_KEY" in text and "gcplint-redacted:length=" in text
    offline = run_cli("scan", "--snapshot", str(path), "--format", "json")
    assert_clean(offline.out, offline.err)
    found = [
        r
        for r in offline.json()["results"]
        if r["check"] == "run.plaintext-secret-env" and r["subject"] == "PAYMENT_KEY"
    ]
    assert found and all(r["status"] == "fail" for r in found)
