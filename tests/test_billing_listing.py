"""Billing info of many projects from account-level listings (billingAccounts.list, then each
account's projects.list), falling back to each project's getBillingInfo for whatever the listing
does not answer; all through the emulator."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from helpers import run_cli
from test_faults import KINDS

from gcplint.collect.registry import ACCOUNT_BUDGETS, BILLING_INFO, BILLING_LISTING
from gcplint.collect.registry.billing import LISTING_FROM
from gcplint.emulator import Emulator, Fault, World
from gcplint.emulator.generate import generate_org
from gcplint.world import BILLING_ACCOUNT_KEY

PAGE = 2
CLOSED = "0C1D2E-3F4A5B-6C7D8E"  # an account that was closed: its projects have no billing
HIDDEN = "0A9B8C-7D6E5F-4A3B2C"  # an account the caller may not list (billing.accounts.list)
LIST = "cloudbilling.billingAccounts.list"
PROJECTS = "cloudbilling.billingAccounts.projects.list"
GET = "cloudbilling.projects.getBillingInfo"
NO_LISTING = Fault(path="/cloudbilling/v1/billingAccounts*", error="PERMISSION_DENIED")


@pytest.fixture(scope="module")
def org() -> dict[str, Any]:
    """A generated organization whose projects are paid for by an open account, a closed one
    (2 projects) and one the caller cannot list (1 project), or by none at all."""
    data = generate_org(12, 4)
    scanned = active(data)
    billed = [p for p in scanned if info(data, p).get("billingEnabled")]
    for project_id in billed[:2]:
        info(data, project_id).update(
            billingAccountName=f"billingAccounts/{CLOSED}", billingEnabled=False
        )
    info(data, billed[2])["billingAccountName"] = f"billingAccounts/{HIDDEN}"
    for account, is_open in ((CLOSED, False), (HIDDEN, True)):
        data["billingAccounts"][account] = {
            BILLING_ACCOUNT_KEY: {"name": f"billingAccounts/{account}", "open": is_open},
            ACCOUNT_BUDGETS.name: [],
        }
    data["deniedPermissions"] = {f"billingAccounts/{HIDDEN}": ["billing.accounts.list"]}
    assert len(scanned) > LISTING_FROM and len(billed) > 3
    return data


def active(data: dict[str, Any]) -> list[str]:
    return sorted(
        p for p, b in data["projects"].items() if b["project"].get("state", "ACTIVE") == "ACTIVE"
    )


def info(data: dict[str, Any], project_id: str) -> dict[str, Any]:
    found: dict[str, Any] = data["projects"][project_id][BILLING_INFO.name]
    return found


def account_of(data: dict[str, Any], project_id: str) -> str:
    return str(info(data, project_id).get("billingAccountName", "")).removeprefix(
        "billingAccounts/"
    )


def scan(emu: Emulator, org: dict[str, Any], *scope: str) -> list[dict[str, Any]]:
    where = scope or ("--organization", org["organizations"][0]["name"].split("/")[1])
    run = run_cli("scan", "--api-base", emu.url, *where, "--check", "budget.*", "--format", "json")
    assert run.code in (0, 1), run.err
    results: list[dict[str, Any]] = run.json()["results"]
    return sorted(results, key=lambda r: json.dumps(r, sort_keys=True))


def billing_calls(emu: Emulator) -> Counter[str]:
    return Counter(r.method_id for r in emu.requests if r.method_id.startswith("cloudbilling."))


def fetched_one_by_one(emu: Emulator) -> set[str]:
    return {r.path.split("/")[-2] for r in emu.requests if r.method_id == GET and r.status == 200}


@pytest.fixture(scope="module")
def per_project(org: dict[str, Any]) -> list[dict[str, Any]]:
    """The results of the organization scan with the listing forbidden: one read per project."""
    emu = Emulator(World.from_json(org), page_size=PAGE).start()
    try:
        emu.add_fault(NO_LISTING)
        results = scan(emu, org)
        assert billing_calls(emu) == {LIST: 1, GET: len(active(org))}  # a 403 is not retried
        assert fetched_one_by_one(emu) == set(active(org))
    finally:
        emu.stop()
    return results


def test_an_organization_scan_lists_accounts_instead_of_reading_every_project(
    serve: Any, org: dict[str, Any], per_project: list[dict[str, Any]]
) -> None:
    emu = serve(World.from_json(org), page_size=PAGE)
    results = scan(emu, org)
    scanned = active(org)
    by_account = Counter(account_of(org, p) for p in org["projects"] if account_of(org, p))
    listed = [a for a in org["billingAccounts"] if a != HIDDEN]
    unlisted = {p for p in scanned if account_of(org, p) in ("", HIDDEN)}
    assert billing_calls(emu) == {
        LIST: math.ceil(len(listed) / PAGE),
        PROJECTS: sum(math.ceil(by_account[a] / PAGE) for a in listed),
        GET: len(unlisted),
    }
    assert sum(billing_calls(emu).values()) < len(scanned)
    # only the projects no listing names are read one by one: never assumed without billing
    assert fetched_one_by_one(emu) == unlisted
    assert results == per_project
    assert not [r for r in results if r["status"] == "unknown"]


def test_a_project_of_an_account_the_caller_cannot_list_gets_its_own_billing_info(
    serve: Any, org: dict[str, Any]
) -> None:
    hidden = next(p for p in active(org) if account_of(org, p) == HIDDEN)
    emu = serve(World.from_json(org), page_size=PAGE)
    results = scan(emu, org)
    assert hidden in fetched_one_by_one(emu)
    mine = {r["check"]: r["status"] for r in results if r["project"] == hidden}
    assert mine["budget.missing"] == "fail"  # its account has no budget; it has billing
    closed = [p for p in active(org) if account_of(org, p) == CLOSED]
    assert len(closed) == 2 and not fetched_one_by_one(emu) & set(closed)  # from the listing
    assert {r["status"] for r in results if r["project"] in closed} == {"not_applicable"}


LISTINGS = {
    "billingAccounts.list": "/cloudbilling/v1/billingAccounts",
    "every account's projects.list": "/cloudbilling/v1/billingAccounts/*/projects",
}
BROKEN = sorted(kind for kind, (rule, _) in KINDS.items() if "error" in rule)  # not the timeout


@pytest.mark.parametrize("kind", BROKEN)
@pytest.mark.parametrize("listing", sorted(LISTINGS))
def test_a_listing_that_fails_falls_back_to_each_project(
    serve: Any, org: dict[str, Any], per_project: list[dict[str, Any]], listing: str, kind: str
) -> None:
    """Every fault of the fault matrix, on either listing: each project is read on its own,
    with the same results and nothing unknown."""
    emu = serve(World.from_json(org), page_size=PAGE)
    emu.add_fault(Fault(path=LISTINGS[listing], **KINDS[kind][0]))
    results = scan(emu, org)
    assert results == per_project
    assert not [r for r in results if r["status"] == "unknown"]
    assert fetched_one_by_one(emu) == set(active(org))


def test_an_account_whose_projects_cannot_be_listed_falls_back_alone(
    serve: Any, org: dict[str, Any], per_project: list[dict[str, Any]]
) -> None:
    data = json.loads(json.dumps(org))
    main = next(a for a in data["billingAccounts"] if a not in (CLOSED, HIDDEN))
    data["deniedPermissions"][f"billingAccounts/{main}"] = ["billing.resourceAssociations.list"]
    emu = serve(World.from_json(data), page_size=PAGE)
    results = scan(emu, data)
    assert results == per_project
    assert not [r for r in results if r["status"] == "unknown"]
    closed = {p for p in active(data) if account_of(data, p) == CLOSED}  # listed, not read
    assert closed and fetched_one_by_one(emu) == set(active(data)) - closed


@pytest.mark.parametrize("count", [1, LISTING_FROM - 1])
def test_a_scan_of_few_projects_reads_each_one(
    serve: Any, org: dict[str, Any], per_project: list[dict[str, Any]], count: int
) -> None:
    chosen = active(org)[:count]
    emu = serve(World.from_json(org), page_size=PAGE)
    results = scan(emu, org, *(a for p in chosen for a in ("--project", p)))
    assert billing_calls(emu) == {GET: count}
    assert results == [r for r in per_project if r["project"] in chosen]


def test_a_snapshot_keeps_each_projects_billing_info_not_the_listing(
    serve: Any, org: dict[str, Any], per_project: list[dict[str, Any]], tmp_path: Path
) -> None:
    emu = serve(World.from_json(org), page_size=PAGE)
    snapshot = tmp_path / "org.json"
    organization = org["organizations"][0]["name"].split("/")[1]
    collected = run_cli(
        "collect", "--api-base", emu.url, "--organization", organization, "-o", str(snapshot)
    )
    assert collected.code == 0, collected.err
    assert billing_calls(emu)[PROJECTS] > 0
    reads = json.loads(snapshot.read_text())["snapshot"]["reads"]
    assert set(reads[BILLING_INFO.name]) == set(active(org))
    assert BILLING_LISTING.name not in reads
    offline = run_cli(
        "scan", "--snapshot", str(snapshot), "--check", "budget.*", "--format", "json"
    )
    assert offline.code in (0, 1), offline.err
    results = offline.json()["results"]
    assert sorted(results, key=lambda r: json.dumps(r, sort_keys=True)) == per_project
