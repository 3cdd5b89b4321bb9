"""Responses that are not what they claim, or that never end: a successful status whose body is
an error, endless page tokens, bodies that trickle, bodies too large, gzip bombs. Each read ends
unknown with a message naming what went wrong: never a pass, never a hang, never a crash.

Everything goes through the real client libraries over HTTP: to the emulator, or to a small
hostile server on 127.0.0.1 (the emulator would not misbehave this way).
"""

from __future__ import annotations

from collections.abc import Callable
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
        id="project getIamPolicy (GAPIC)",
    ),
    pytest.param(c.BUCKET_IAM, "/storage/storage/v1/b/*/iam", id="bucket IAM (discovery)"),
    pytest.param(
        c.RUN_SERVICE_IAM,
        "/run/v2/projects/*/locations/*/services/*:getIamPolicy",
        id="Cloud Run service IAM (GAPIC)",
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
