"""Read-only by construction: every request gcplint makes is a read, and the README lists them all."""

from __future__ import annotations

import re

from helpers import ROOT, run_cli

from gcplint.collect.registry.billing import LISTING_FROM
from gcplint.emulator import Emulator, Fault, LoggedRequest, World, demo_world, is_read
from gcplint.emulator.generate import generate_org

READ_POSTS = (":getIamPolicy", ":testIamPermissions", ":search")


def documented() -> set[str]:
    """The method ids listed under the README's 'API methods gcplint calls' heading."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## API methods gcplint calls", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^- `([a-z0-9.]+[A-Za-z.]*)`", section, re.MULTILINE))


def exercise_everything() -> list[LoggedRequest]:
    """The requests of a demo scan with every check, the doctor, an organization scan, the
    region fallbacks of Cloud Run and Artifact Registry, and the billing listings of an
    organization large enough for them."""
    org = generate_org(LISTING_FROM + 1, 1)
    with Emulator(World.from_json(org), page_size=2) as large:
        scope = ["--organization", str(org["organizations"][0]["name"]).split("/")[1]]
        assert run_cli("scan", "--api-base", large.url, *scope, "--check", "budget.*").code in (
            0,
            1,
        )
        listed = large.requests
    emu = Emulator(demo_world(), page_size=2).start()
    projects = [arg for p in emu.world.projects for arg in ("--project", p)]
    assert run_cli("scan", "--api-base", emu.url, *projects).code in (1, 3)
    assert run_cli("doctor", "--api-base", emu.url, *projects).code in (0, 3)
    org = ["--organization", emu.world.organizations[0]["name"].split("/")[1]]
    assert run_cli("scan", "--api-base", emu.url, *org, "--check", "env.*").code in (1, 3)
    emu.add_fault(Fault(path="/run/v2/projects/acme-prod/locations/-/*", error="INVALID_ARGUMENT"))
    emu.add_fault(
        Fault(
            path="/artifactregistry/v1/projects/acme-prod/locations/-/*", error="INVALID_ARGUMENT"
        )
    )
    fallback = ["--check", "run.*", "--check", "ar.*"]
    try:
        assert run_cli("scan", "--api-base", emu.url, "--project", "acme-prod", *fallback).code in (
            1,
            3,
        )
        return [*listed, *emu.requests]
    finally:
        emu.stop()


def test_every_request_is_a_read_and_documented() -> None:
    requests = exercise_everything()
    assert requests
    for r in requests:
        assert is_read(r.method, r.path) and r.status != 405, f"{r.method} {r.path}"
        assert r.method == "GET" or r.path.endswith(READ_POSTS) or ":search" in r.path, (
            f"{r.method} {r.path}"
        )
        assert r.method_id, f"no route for {r.method} {r.path}"
    called = {r.method_id for r in requests}
    assert called == documented(), (
        f"README lists {sorted(documented() - called)} that gcplint never called, and misses {sorted(called - documented())}"
    )


def test_every_collector_was_exercised() -> None:
    called = {r.method_id for r in exercise_everything()}
    for needed in (
        "iam.projects.serviceAccounts.keys.list",
        "run.projects.locations.services.revisions.list",
        "billingbudgets.billingAccounts.budgets.list",
        "cloudresourcemanager.folders.get",
        "run.projects.locations.list",
        "cloudbilling.billingAccounts.testIamPermissions",
        "cloudbilling.billingAccounts.list",
        "cloudbilling.billingAccounts.projects.list",
    ):
        assert needed in called


def test_the_emulator_refuses_writes_gcplint_might_make() -> None:
    for method, path in [
        ("POST", "/run/v2/projects/p/locations/r/services"),
        ("DELETE", "/sqladmin/v1/projects/p/instances/i"),
        ("POST", "/cloudresourcemanager/v3/projects/p:setIamPolicy"),
        ("PATCH", "/cloudresourcemanager/v3/projects/p"),
    ]:
        assert not is_read(method, path)
