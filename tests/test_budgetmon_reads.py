"""The reads behind budget coverage and live alerting, through the real client libraries against
the emulator: the budget fields that limit coverage and the project-level recipients,
notification channels with their verification status, and the metrics scopes a project is in
(monitoring v1); their failures are unreadable, never empty."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from helpers import project, run_cli, session_for

from gcplint.collect import registry as c
from gcplint.collect.collection import Unreadable
from gcplint.emulator import Fault, World
from gcplint.model import Reason

ACCOUNT = "0A1B2C-3D4E5F-6A7B8C"
BUDGET: dict[str, Any] = {
    "name": f"billingAccounts/{ACCOUNT}/budgets/5c6d7e8f-bq",
    "displayName": "prod BigQuery",
    "budgetFilter": {
        "projects": ["projects/111"],
        "services": ["services/24E6-581D-38E5"],
        "labels": {"team": ["payments"]},
        "subaccounts": [f"billingAccounts/{ACCOUNT}"],
        "customPeriod": {
            "startDate": {"year": 2025, "month": 10, "day": 1},
            "endDate": {"year": 2025, "month": 12, "day": 31},
        },
        "creditTypesTreatment": "INCLUDE_ALL_CREDITS",
    },
    "thresholdRules": [{"thresholdPercent": 0.9, "spendBasis": "CURRENT_SPEND"}],
    "notificationsRule": {
        "disableDefaultIamRecipients": True,
        "enableProjectLevelRecipients": True,
    },
}
CHANNELS = [
    {
        "name": "projects/shop-prod/notificationChannels/112",
        "type": "sms",
        "labels": {"number": "+15555550123"},
        "enabled": True,
        "verificationStatus": "UNVERIFIED",
    },
    {
        "name": "projects/shop-prod/notificationChannels/111",
        "type": "email",
        "labels": {"email_address": "oncall@acme.example"},
        "enabled": False,
        "verificationStatus": "VERIFIED",
    },
]
OPS_SCOPE = {
    "name": "locations/global/metricsScopes/999",
    "createTime": "2025-04-01T10:00:00Z",
    "monitoredProjects": [
        {"name": "locations/global/metricsScopes/999/projects/999"},
        {"name": "locations/global/metricsScopes/999/projects/111"},
    ],
}


def budgetmon_data() -> dict[str, Any]:
    """shop-prod (number 111), paid by an account with one partial budget, with an unverified
    and a disabled channel, in its own metrics scope and that of shop-ops (999); shop-dev."""
    return {
        "schema": "gcplint-world/v1",
        "projects": {
            "shop-prod": {
                "project": project("shop-prod", "111"),
                c.BILLING_INFO.name: {
                    "name": "projects/shop-prod/billingInfo",
                    "projectId": "shop-prod",
                    "billingAccountName": f"billingAccounts/{ACCOUNT}",
                    "billingEnabled": True,
                },
                c.NOTIFICATION_CHANNELS.name: CHANNELS,
                c.METRICS_SCOPES.name: [
                    {
                        "name": "locations/global/metricsScopes/111",
                        "monitoredProjects": [
                            {"name": "locations/global/metricsScopes/111/projects/111"}
                        ],
                    },
                    OPS_SCOPE,
                ],
            },
            "shop-dev": {"project": project("shop-dev", "222")},
            "shop-ops": {"project": project("shop-ops", "999")},
        },
        "billingAccounts": {ACCOUNT: {c.ACCOUNT_BUDGETS.name: [BUDGET]}},
    }


def budgetmon_world() -> World:
    return World.from_json(budgetmon_data())


def test_budget_limits_and_project_level_recipients_reach_the_checks(serve: Any) -> None:
    """The fields that make a budget partial arrive as the API sent them (REST JSON)."""
    found = session_for(serve(budgetmon_world())).read(c.BUDGETS, "shop-prod")
    (budget,) = found.budgets
    flt = budget["budgetFilter"]
    assert flt["services"] == ["services/24E6-581D-38E5"]
    assert flt["labels"] == {"team": ["payments"]}
    assert flt["subaccounts"] == [f"billingAccounts/{ACCOUNT}"]
    assert flt["customPeriod"]["endDate"] == {"year": 2025, "month": 12, "day": 31}
    assert budget["notificationsRule"]["enableProjectLevelRecipients"] is True


def test_channels_and_metrics_scopes_read_through_the_real_clients(serve: Any) -> None:
    session = session_for(serve(budgetmon_world(), page_size=1))
    channels = session.read(c.NOTIFICATION_CHANNELS, "shop-prod")
    assert [(ch["enabled"], ch["verificationStatus"]) for ch in channels] == [
        (True, "UNVERIFIED"),
        (False, "VERIFIED"),
    ]
    scopes = session.read(c.METRICS_SCOPES, "shop-prod")
    assert [s["name"] for s in scopes] == [
        "locations/global/metricsScopes/111",
        "locations/global/metricsScopes/999",
    ]
    # a project the world says nothing about is in its own scope only, listed by number
    assert [s["name"] for s in session.read(c.METRICS_SCOPES, "shop-dev")] == [
        "locations/global/metricsScopes/222"
    ]


@pytest.mark.parametrize(
    ("collection", "path"),
    [
        (c.NOTIFICATION_CHANNELS, "/monitoring/v3/projects/shop-prod/notificationChannels"),
        (
            c.METRICS_SCOPES,
            "/monitoring/v1/locations/global/metricsScopes:listMetricsScopesByMonitoredProject*",
        ),
    ],
)
@pytest.mark.parametrize(
    ("error", "reason"),
    [
        ("PERMISSION_DENIED", Reason.PERMISSION_DENIED),
        ("SERVICE_DISABLED", Reason.API_DISABLED),
        ("UNAVAILABLE", Reason.UNAVAILABLE),
        ("WRONG_SHAPE", Reason.ERROR),
    ],
)
def test_a_failed_read_is_unreadable_never_empty(
    serve: Any, collection: Any, path: str, error: str, reason: Reason
) -> None:
    emu = serve(budgetmon_world())
    emu.add_fault(Fault(path=path, error=error))
    with pytest.raises(Unreadable) as info:
        session_for(emu).read(collection, "shop-prod")
    assert info.value.reason is reason
    if reason is Reason.PERMISSION_DENIED:
        assert info.value.permission == collection.permission


def test_generated_metrics_scopes_agree_with_each_other() -> None:
    """Across seeds some project is watched from another's metrics scope, and every scope a
    project is listed in names it among its monitored projects; its own scope comes first."""
    from gcplint.emulator.generate import generate_world

    watched = 0
    for seed in range(20):
        data = generate_world(seed)
        for body in data["projects"].values():
            number = body["project"]["name"].split("/")[1]
            scopes = body[c.METRICS_SCOPES.name]
            assert scopes[0]["name"] == f"locations/global/metricsScopes/{number}"
            for scope in scopes:
                members = {m["name"].rsplit("/", 1)[1] for m in scope["monitoredProjects"]}
                assert number in members
            watched += len(scopes) > 1
    assert watched


def test_a_project_watched_from_a_scoping_project_round_trips_through_a_snapshot(
    serve: Any, tmp_path: Path
) -> None:
    """The scoping project's policies and channels are read by number and by ID: live, offline
    and replayed scans agree, and the project passes monitoring.no-alerting in each."""
    from test_snapshots import round_trip

    data = budgetmon_data()
    data["projects"]["shop-ops"][c.ALERT_POLICIES.name] = [
        {
            "name": "projects/shop-ops/alertPolicies/5",
            "displayName": "Run 5xx, every project",
            "enabled": True,
            "notificationChannels": ["projects/shop-ops/notificationChannels/9"],
        }
    ]
    data["projects"]["shop-ops"][c.NOTIFICATION_CHANNELS.name] = [
        {"name": "projects/shop-ops/notificationChannels/9", "type": "email", "enabled": True}
    ]
    world = World.from_json(data)
    round_trip(serve, world, ["shop-prod"], tmp_path)
    live = serve(World.from_json(data))
    run = run_cli(
        "scan",
        "--api-base",
        live.url,
        "--project",
        "shop-prod",
        "--check",
        "monitoring.no-alerting",
        "--format",
        "json",
    )
    (result,) = run.json()["results"]
    assert result["status"] == "pass", result
    assert "metrics scope of project 999" in result["message"]
