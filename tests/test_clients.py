"""Every client family against the emulator: paths on the wire, pagination, error normalisation."""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import parse_qs

import pytest
from helpers import project, session_for, world

from gcplint.collect import registry as c
from gcplint.collect.collection import Unreadable
from gcplint.collect.failures import ApiCallError
from gcplint.collect.registry.resourcemanager import granted
from gcplint.collect.transport import RetryPolicy
from gcplint.emulator import Fault
from gcplint.model import Reason


def rich_world() -> Any:
    """Three of everything, so page size 1 needs three pages."""
    p = "acme-prod"
    services = [
        {"name": f"projects/{p}/locations/{region}/services/s{i}", "ingress": "INGRESS_TRAFFIC_ALL"}
        for i, region in enumerate(["europe-west1", "us-central1", "europe-west1"])
    ]
    revisions = [
        {
            "name": f"projects/{p}/locations/europe-west1/services/s0/revisions/s0-0000{i}-abc",
            "service": "s0",
        }
        for i in range(3)
    ]
    return world(
        {
            p: {
                "project": project(p, "1001", parent="folders/77", labels={"env": "prod"}),
                c.PROJECT_IAM_POLICY.name: {
                    "version": 3,
                    "etag": "BwYK3q9xQ4c=",
                    "bindings": [{"role": "roles/viewer", "members": ["user:a@acme.example"]}],
                },
                c.SERVICE_ACCOUNTS.name: [
                    {
                        "name": f"projects/{p}/serviceAccounts/sa{i}@{p}.iam.gserviceaccount.com",
                        "email": f"sa{i}@{p}.iam.gserviceaccount.com",
                        "projectId": p,
                    }
                    for i in range(3)
                ],
                c.RUN_SERVICES.name: services,
                c.RUN_REVISIONS.name: revisions,
                c.SQL_INSTANCES.name: [
                    {"name": f"db{i}", "kind": "sql#instance"} for i in range(3)
                ],
                c.ALERT_POLICIES.name: [
                    {"name": f"projects/{p}/alertPolicies/{i}", "enabled": True} for i in range(3)
                ],
                c.BILLING_INFO.name: {
                    "name": f"projects/{p}/billingInfo",
                    "projectId": p,
                    "billingAccountName": "billingAccounts/01A2B3-C4D5E6-F7A8B9",
                    "billingEnabled": True,
                },
            }
        },
        folders=[{"name": "folders/77", "parent": "organizations/9", "displayName": "prod"}],
        billingAccounts={
            "01A2B3-C4D5E6-F7A8B9": {
                c.ACCOUNT_BUDGETS.name: [
                    {"name": f"billingAccounts/01A2B3-C4D5E6-F7A8B9/budgets/b{i}"} for i in range(3)
                ]
            }
        },
    )


def paths(emu: Any) -> list[str]:
    return [r.path for r in emu.requests]


def test_resource_manager(serve: Any) -> None:
    emu = serve(rich_world())
    session = session_for(emu)
    assert session.read(c.PROJECT, "acme-prod")["labels"] == {"env": "prod"}
    policy = session.read(c.PROJECT_IAM_POLICY, "acme-prod")
    assert policy["bindings"] == [{"role": "roles/viewer", "members": ["user:a@acme.example"]}]
    assert policy["etag"] == "BwYK3q9xQ4c="
    assert session.read(c.ANCESTRY, "acme-prod") == ["folders/77", "organizations/9"]
    assert paths(emu) == [
        "/cloudresourcemanager/v3/projects/acme-prod",
        "/cloudresourcemanager/v3/projects/acme-prod:getIamPolicy",
        "/cloudresourcemanager/v3/folders/77",
    ]
    assert [(r.method, r.query) for r in emu.requests] == [
        ("GET", "alt=json"),
        ("POST", "alt=json"),  # the GetIamPolicyRequest in the body, as Google documents it
        ("GET", "alt=json"),
    ]
    assert emu.requests[1].policy_version == 3


def test_permissions_held_on_a_project_folder_and_organization(serve: Any) -> None:
    """testIamPermissions: a POST of the permissions asked, the held ones answered."""
    denied = {"folders/77": frozenset({"resourcemanager.folders.getIamPolicy"})}
    emu = serve(replace(rich_world(), denied=denied))
    session = session_for(emu)
    asked = ["resourcemanager.folders.get", "resourcemanager.folders.getIamPolicy"]
    assert granted(session, "projects/acme-prod", asked[:1]) == asked[:1]
    assert granted(session, "folders/77", asked) == asked[:1]
    assert granted(session, "organizations/9", asked) == asked
    assert [(r.method, r.path) for r in emu.requests] == [
        ("POST", "/cloudresourcemanager/v3/projects/acme-prod:testIamPermissions"),
        ("POST", "/cloudresourcemanager/v3/folders/77:testIamPermissions"),
        ("POST", "/cloudresourcemanager/v3/organizations/9:testIamPermissions"),
    ]
    with pytest.raises(ApiCallError) as info:  # not a name the method takes: an error, no call
        granted(session, "folders/77/x", asked)
    assert info.value.failure.reason is Reason.ERROR and len(emu.requests) == 3


def test_run_lists_every_region_across_pages(serve: Any) -> None:
    emu = serve(rich_world())
    session = session_for(emu)
    services = session.read(c.RUN_SERVICES, "acme-prod")
    assert [s["name"].rsplit("/", 1)[1] for s in services] == ["s0", "s1", "s2"]
    assert services[0]["ingress"] == "INGRESS_TRAFFIC_ALL"  # enum names, as on the wire
    revisions = session.read(c.RUN_REVISIONS, "acme-prod")
    assert len(revisions) == 3
    assert (
        paths(emu)
        == ["/run/v2/projects/acme-prod/locations/-/services"] * 3
        + ["/run/v2/projects/acme-prod/locations/-/services/-/revisions"] * 3
    )
    # the discovery client: REST JSON (enum names), no page size (the API's default page), the
    # fields the collection declares (a partial response)
    assert parse_qs(emu.requests[0].query) == {"alt": ["json"], "fields": [c.RUN_SERVICES.mask]}
    assert "pageToken=" in emu.requests[1].query and "pageSize" not in emu.requests[1].query


def test_run_services_arrive_as_the_api_sent_them(serve: Any) -> None:
    """The REST JSON itself, not a client library's model of it: a field the client library
    does not know (newer than its discovery document) still reaches the checks inside a field
    they read, and so does invokerIamDisabled (older Cloud Run client libraries dropped it: a
    public service passed). A top-level field no check reads is not asked for (`fields`)."""
    data = rich_world()
    services = data.projects["acme-prod"].collections[c.RUN_SERVICES.name]
    services[0] |= {"invokerIamDisabled": True, "fieldFromTheFuture": {"x": [1, "two"]}}
    services[0].setdefault("template", {})["fieldFromTheFuture"] = {"x": [1, "two"]}
    emu = serve(data)
    session = session_for(emu)
    found = session.read(c.RUN_SERVICES, "acme-prod")[0]
    assert found["invokerIamDisabled"] is True
    assert found["template"]["fieldFromTheFuture"] == {"x": [1, "two"]}
    assert "fieldFromTheFuture" not in found
    policies = session.read(c.RUN_SERVICE_IAM, "acme-prod")
    assert sorted(policies.found) == sorted(s["name"] for s in services)
    iam = [r for r in emu.requests if r.path.endswith(":getIamPolicy")]
    assert len(iam) == 3
    assert all(r.method == "GET" for r in iam)
    assert all(parse_qs(r.query) == {"alt": ["json"], "fields": ["bindings"]} for r in iam)


def test_budgets_across_pages(serve: Any) -> None:
    emu = serve(rich_world())
    found = session_for(emu).read(c.BUDGETS, "acme-prod")
    assert found.account == "billingAccounts/01A2B3-C4D5E6-F7A8B9"
    assert [b["name"][-2:] for b in found.budgets] == ["b0", "b1", "b2"]
    assert paths(emu) == [
        "/cloudbilling/v1/projects/acme-prod/billingInfo",
        *["/billingbudgets/v1/billingAccounts/01A2B3-C4D5E6-F7A8B9/budgets"] * 3,
    ]
    assert "pageSize" not in parse_qs(emu.requests[1].query)  # the API's default page


@pytest.mark.parametrize(
    ("collection", "path", "count"),
    [
        (c.SERVICE_ACCOUNTS, "/iam/v1/projects/acme-prod/serviceAccounts", 3),
        (c.SQL_INSTANCES, "/sqladmin/v1/projects/acme-prod/instances", 3),
        (c.ALERT_POLICIES, "/monitoring/v3/projects/acme-prod/alertPolicies", 3),
    ],
)
def test_discovery_lists_across_pages(serve: Any, collection: Any, path: str, count: int) -> None:
    emu = serve(rich_world())
    assert len(session_for(emu).read(collection, "acme-prod")) == count
    assert paths(emu) == [path] * count


def test_discovery_storage_path_keeps_service_path(serve: Any) -> None:
    """The contract: GET {base}/storage/storage/v1/b?project=p."""
    emu = serve(rich_world())
    assert session_for(emu).read(c.BUCKETS, "acme-prod") == []
    assert emu.requests[-1].path == "/storage/storage/v1/b"
    assert "project=acme-prod" in emu.requests[-1].query


def test_collection_is_fetched_once_and_shared(serve: Any) -> None:
    emu = serve(rich_world(), page_size=50)
    session = session_for(emu)
    for _ in range(3):
        session.read(c.SQL_INSTANCES, "acme-prod")
    assert paths(emu) == ["/sqladmin/v1/projects/acme-prod/instances"]


def test_project_by_number(serve: Any) -> None:
    emu = serve(rich_world())
    assert session_for(emu).read(c.PROJECT, "1001")["projectId"] == "acme-prod"


# --- error normalisation, on lists of two APIs ----------------------------------------------

FAMILIES = [
    pytest.param(c.RUN_SERVICES, "/run/*", "run.googleapis.com", id="run"),
    pytest.param(c.SQL_INSTANCES, "/sqladmin/*", "sqladmin.googleapis.com", id="sqladmin"),
]


@pytest.mark.parametrize(("collection", "glob", "service"), FAMILIES)
def test_service_disabled(serve: Any, collection: Any, glob: str, service: str) -> None:
    emu = serve(rich_world())
    emu.add_fault(Fault(path=glob, error="SERVICE_DISABLED"))
    with pytest.raises(Unreadable) as info:
        session_for(emu).read(collection, "acme-prod")
    assert info.value.reason is Reason.API_DISABLED
    assert info.value.service == service
    paths = [r.path for r in emu.requests]
    # not retried; the project's number matched the 403's consumer (not a quota project's)
    assert sorted(paths) == sorted([paths[0], "/cloudresourcemanager/v3/projects/acme-prod"])


@pytest.mark.parametrize(("collection", "glob", "service"), FAMILIES)
def test_permission_denied(serve: Any, collection: Any, glob: str, service: str) -> None:
    emu = serve(rich_world())
    emu.add_fault(Fault(path=glob, error="PERMISSION_DENIED"))
    with pytest.raises(Unreadable) as info:
        session_for(emu).read(collection, "acme-prod")
    assert info.value.reason is Reason.PERMISSION_DENIED
    assert info.value.permission == collection.permission
    assert collection.permission in info.value.describe()
    assert len(emu.requests) == 1


@pytest.mark.parametrize(("collection", "glob", "service"), FAMILIES)
@pytest.mark.parametrize("error", ["RESOURCE_EXHAUSTED", "UNAVAILABLE", "INTERNAL"])
def test_transient_errors_are_retried(
    serve: Any, collection: Any, glob: str, service: str, error: str
) -> None:
    emu = serve(rich_world())
    emu.add_fault(Fault(path=glob, error=error, times=2))
    assert len(session_for(emu).read(collection, "acme-prod")) == 3
    assert [r.status for r in emu.requests][:2] != [200, 200]
    assert len(emu.requests) == 2 + 3  # two failures, then three pages


@pytest.mark.parametrize(("collection", "glob", "service"), FAMILIES)
@pytest.mark.parametrize(
    ("error", "reason"),
    [("RESOURCE_EXHAUSTED", Reason.QUOTA_EXHAUSTED), ("UNAVAILABLE", Reason.UNAVAILABLE)],
)
def test_retry_budget_exhausted(
    serve: Any, collection: Any, glob: str, service: str, error: str, reason: Reason
) -> None:
    emu = serve(rich_world())
    emu.add_fault(Fault(path=glob, error=error))
    with pytest.raises(Unreadable) as info:
        session_for(emu, RetryPolicy(attempts=4, initial=0.001, maximum=0.002)).read(
            collection, "acme-prod"
        )
    assert info.value.reason is reason
    assert len(emu.requests) == 4


@pytest.mark.parametrize(("collection", "glob", "service"), FAMILIES)
def test_retry_after_is_honoured(serve: Any, collection: Any, glob: str, service: str) -> None:
    emu = serve(rich_world(), page_size=50)
    emu.add_fault(Fault(path=glob, error="RESOURCE_EXHAUSTED", times=1, retry_after=7))
    waits: list[float] = []
    session = session_for(emu)
    session.api._sleep = waits.append
    session.read(collection, "acme-prod")
    assert waits and waits[0] >= 7  # the server's Retry-After, not our tiny test backoff


def test_unreachable_api_is_unavailable() -> None:
    from gcplint.emulator import Emulator

    emu = Emulator(rich_world())
    url = emu.url
    emu.stop()  # nothing listens there any more
    session = session_for(emu, RetryPolicy(attempts=2, initial=0.001, maximum=0.001), timeout=2)
    assert session.api.clients.settings.api_base == url
    for collection in (c.RUN_SERVICES, c.SQL_INSTANCES):
        with pytest.raises(Unreadable) as info:
            session.read(collection, "acme-prod")
        assert info.value.reason is Reason.UNAVAILABLE


def test_page_token_loop_is_an_error(serve: Any) -> None:
    emu = serve(rich_world())
    session = session_for(emu)

    def looping(token: str | None) -> tuple[list[int], str | None]:
        return [1], "same-token"

    with pytest.raises(ApiCallError) as info:
        session.api.paged(looping)
    assert info.value.failure.reason is Reason.ERROR


@pytest.mark.parametrize(("collection", "glob", "service"), FAMILIES)
@pytest.mark.parametrize(
    "kind", ["WRONG_SHAPE", "MALFORMED_JSON", "LOOPING_TOKEN", "CONNECTION_RESET"]
)
def test_broken_responses_are_unreadable_never_empty(
    serve: Any, collection: Any, glob: str, service: str, kind: str
) -> None:
    emu = serve(rich_world())
    emu.add_fault(Fault(path=glob, error=kind))
    with pytest.raises(Unreadable) as info:
        session_for(emu).read(collection, "acme-prod")
    expected = Reason.UNAVAILABLE if kind == "CONNECTION_RESET" else Reason.ERROR
    assert info.value.reason is expected, info.value.describe()


def test_universe_domain_and_proxy_variables_do_not_break_redirection(
    serve: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.setenv("GOOGLE_CLOUD_UNIVERSE_DOMAIN", "example.invalid")
    monkeypatch.setenv("HTTPS_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    emu = serve(rich_world())
    from gcplint.collect.connect import _bypass_proxy

    _bypass_proxy(emu.url)
    session = session_for(emu)
    assert len(session.read(c.SQL_INSTANCES, "acme-prod")) == 3
    assert len(session.read(c.RUN_SERVICES, "acme-prod")) == 3


def test_run_falls_back_to_per_region_lists_when_the_wildcard_is_refused(serve: Any) -> None:
    emu = serve(rich_world(), page_size=50)
    emu.add_fault(Fault(path="/run/v2/projects/acme-prod/locations/-/*", error="INVALID_ARGUMENT"))
    session = session_for(emu)
    services = session.read(c.RUN_SERVICES, "acme-prod")
    assert sorted(s["name"].rsplit("/", 1)[1] for s in services) == ["s0", "s1", "s2"]
    assert len(session.read(c.RUN_REVISIONS, "acme-prod")) == 3
    listed = paths(emu)
    assert listed.count("/run/v1/projects/acme-prod/locations") == 1  # regions read once, shared
    assert "/run/v2/projects/acme-prod/locations/us-central1/services" in listed
    assert "/run/v2/projects/acme-prod/locations/europe-west1/services/-/revisions" in listed


def test_run_wildcard_refusal_with_unreadable_regions_is_unknown(serve: Any) -> None:
    emu = serve(rich_world())
    emu.add_fault(Fault(path="/run/v2/projects/acme-prod/locations/-/*", error="INVALID_ARGUMENT"))
    emu.add_fault(Fault(path="/run/v1/*", error="PERMISSION_DENIED"))
    with pytest.raises(Unreadable) as info:
        session_for(emu).read(c.RUN_SERVICES, "acme-prod")
    assert info.value.reason is Reason.PERMISSION_DENIED
    assert "Cloud Run regions" in info.value.describe()
