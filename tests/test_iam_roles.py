"""What a role can do and when a grant has expired: the one permission→power mapping, Google's
catalog of predefined roles, custom roles read through the real IAM client from the emulator
(`view=FULL`, paging, unreadable), and the exact `request.time < timestamp(…)` form."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from gcplint_checks._iam import (
    BASIC_ROLES,
    POWERS,
    PREDEFINED,
    Power,
    expired,
    expiry,
    grants,
    powers,
    predefined_powers,
)
from helpers import ROOT, project, session_for, world
from test_emulator import http

from gcplint.collect import registry
from gcplint.collect.collection import Unreadable
from gcplint.emulator import Fault
from gcplint.model import Reason

NOW = datetime(2026, 11, 27, tzinfo=UTC)
CATALOG = ROOT / "tests" / "data" / "gcpdiag"  # Google's recorded role catalog (its README)


@pytest.mark.parametrize(
    ("expression", "ends"),
    [
        ('request.time < timestamp("2026-01-31T00:00:00Z")', "2026-01-31T00:00:00+00:00"),
        ("request.time<timestamp('2026-01-31T00:00:00.250+01:00')", "2026-01-31T00:00:00.25+01:00"),
        ('  request.time <\n timestamp( "2026-01-31T00:00:00Z" )  ', "2026-01-31T00:00:00+00:00"),
    ],
)
def test_the_simple_expiry_form_is_recognised(expression: str, ends: str) -> None:
    assert expiry({"expression": expression}) == datetime.fromisoformat(ends)


@pytest.mark.parametrize(
    "expression",
    [
        'request.time < timestamp("2026-01-31")',  # no time: not RFC 3339
        'request.time < timestamp("2026-01-31T00:00:00")',  # no offset
        'request.time <= timestamp("2026-01-31T00:00:00Z")',
        'request.time > timestamp("2026-01-31T00:00:00Z")',
        'timestamp("2026-01-31T00:00:00Z") > request.time',
        'request.time < timestamp("2026-01-31T00:00:00Z") || true',
        'request.time < timestamp("2026-01-31T00:00:00Z") && resource.name.startsWith("x")',
        '!(request.time < timestamp("2026-01-31T00:00:00Z"))',
        "request.time < timestamp(\"2026-01-31T00:00:00Z')",
        'request.time < timestamp("2026-02-31T00:00:00Z")',  # no such day
        "",
    ],
)
def test_anything_else_may_hold(expression: str) -> None:
    assert expiry({"expression": expression}) is None


def test_expired_bindings_grant_nothing_given_the_scan_time() -> None:
    gone = {"title": "incident", "expression": 'request.time < timestamp("2026-01-31T00:00:00Z")'}
    live = {"title": "migration", "expression": 'request.time < timestamp("2027-01-31T00:00:00Z")'}
    policy = {
        "bindings": [
            {"role": "roles/run.admin", "members": ["user:a@acme.example"], "condition": gone},
            {"role": "roles/run.admin", "members": ["user:b@acme.example"], "condition": live},
            {"role": "roles/viewer", "members": ["user:c@acme.example"]},
        ]
    }
    assert [g.member for g in grants(policy, NOW)] == ["user:b@acme.example", "user:c@acme.example"]
    assert [(g.member, end.date().isoformat()) for g, end in expired(policy, NOW)] == [
        ("user:a@acme.example", "2026-01-31")
    ]
    # before the expiry, the binding still grants
    assert len(list(grants(policy, datetime(2026, 1, 1, tzinfo=UTC)))) == 3


def test_powers_come_from_one_mapping() -> None:
    assert set(POWERS) >= {p for perms in PREDEFINED.values() for p in perms}
    for role in (
        "roles/iam.serviceAccountUser",
        "roles/iam.serviceAccountTokenCreator",
        "roles/iam.serviceAccountOpenIdTokenCreator",
        "roles/iam.workloadIdentityUser",
    ):
        assert Power.IMPERSONATE in predefined_powers(role), role
    for role in (
        "roles/iam.serviceAccountAdmin",
        "roles/iam.serviceAccountKeyAdmin",
        "roles/resourcemanager.projectIamAdmin",
    ):
        assert Power.ADMINISTER in predefined_powers(role), role
    assert predefined_powers("roles/run.developer") == frozenset()
    assert powers(["iam.serviceAccounts.implicitDelegation", "run.services.get"]) == {
        Power.IMPERSONATE
    }
    assert set(BASIC_ROLES) >= {"roles/owner", "roles/editor"}


def test_the_predefined_table_matches_googles_catalog() -> None:
    """Every predefined role of the recorded catalog holding a permission of POWERS is listed
    with exactly those permissions (roles Google added since may be listed beyond it)."""
    recorded: dict[str, set[str]] = {}
    for part in ("iam-roles-predefined-1.json.gz", "iam-roles-predefined-2.json.gz"):
        for role in json.loads(gzip.decompress((CATALOG / part).read_bytes()))["roles"]:
            held = set(role.get("includedPermissions", [])) & set(POWERS)
            if held:
                recorded[role["name"]] = held
    assert {r: set(p) for r, p in PREDEFINED.items() if r in recorded} == recorded


def _roles_world() -> Any:
    roles = [
        {
            "name": f"projects/acme-prod/roles/r{i}",
            "title": f"Role {i}",
            "includedPermissions": ["iam.serviceAccounts.actAs"],
            "stage": "GA",
            "etag": "BwXiptUg0eA=",
        }
        for i in range(3)
    ]
    org_role = {**roles[0], "name": "organizations/990000000001/roles/signer"}
    return world(
        {
            "acme-prod": {
                "project": project("acme-prod", "1001"),
                registry.PROJECT_ROLES.name: roles,
            }
        },
        organizations=[{"name": "organizations/990000000001", "displayName": "acme.example"}],
        resources={"organizations/990000000001": {registry.ORGANIZATION_ROLES.name: [org_role]}},
    )


def test_custom_roles_are_read_in_full_across_pages(serve: Any) -> None:
    emu = serve(_roles_world(), page_size=1)
    session = session_for(emu)
    found = session.read(registry.PROJECT_ROLES, "acme-prod")
    assert [r["name"] for r in found] == [f"projects/acme-prod/roles/r{i}" for i in range(3)]
    assert all(r["includedPermissions"] == ["iam.serviceAccounts.actAs"] for r in found)
    org = session.read(registry.ORGANIZATION_ROLES, "organizations/990000000001")
    assert [r["name"] for r in org] == ["organizations/990000000001/roles/signer"]
    assert org[0]["includedPermissions"] == ["iam.serviceAccounts.actAs"]


def test_the_default_view_omits_permissions_as_the_api_does(serve: Any) -> None:
    emu = serve(_roles_world(), page_size=10)
    _, basic = http(emu.url + "/iam/v1/projects/acme-prod/roles")
    _, full = http(emu.url + "/iam/v1/projects/acme-prod/roles?view=FULL")
    assert all("includedPermissions" not in r for r in basic["roles"])
    assert all(r["includedPermissions"] for r in full["roles"])
    status, _ = http(emu.url + "/iam/v1/organizations/123/roles?view=FULL")
    assert status == 403


def test_unreadable_custom_roles_raise_never_an_empty_list(serve: Any) -> None:
    emu = serve(_roles_world())
    emu.add_fault(
        Fault.from_json({"path": "/iam/v1/projects/acme-prod/roles", "error": "PERMISSION_DENIED"})
    )
    with pytest.raises(Unreadable) as caught:
        session_for(emu).read(registry.PROJECT_ROLES, "acme-prod")
    assert caught.value.reason is Reason.PERMISSION_DENIED
    assert caught.value.permission == "iam.roles.list"
