"""The runner's guarantees: unreadable data and broken checks never pass."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from helpers import project, session_for, world

from gcplint.api import Area, Inventory, Outcome, Severity, check, passed
from gcplint.checks.runner import gather, stream
from gcplint.collect import registry as c
from gcplint.emulator import Fault
from gcplint.model import Reason, Status


def declare(check_id: str, *requires: Any, **flags: Any) -> Any:
    """A test check's declaration: only its id, what it reads, and its flags matter here."""
    return check(
        id=check_id,
        title="t",
        severity=Severity.HIGH,
        area=Area.DATABASE,
        requires=requires,
        **flags,
    )


def two_instances() -> Any:
    return world(
        {
            "acme-prod": {
                "project": project("acme-prod", "1001", labels={"env": "prod"}),
                c.SQL_INSTANCES.name: [{"name": "a"}, {"name": "b"}],
            }
        }
    )


@declare("test.partial", c.SQL_INSTANCES, c.RUN_SERVICES)
def partial(inv: Inventory) -> Iterator[Outcome]:
    """Passes every SQL instance, then needs Cloud Run services."""
    for instance in inv.get(c.SQL_INSTANCES):
        yield passed(
            f"//sqladmin.googleapis.com/projects/acme-prod/instances/{instance['name']}", "ok"
        )
    inv.get(c.RUN_SERVICES)
    yield passed(inv.resource, "run ok")


@declare("test.crash", c.PROJECT)
def crash(inv: Inventory) -> Iterator[Outcome]:
    """Crashes."""
    yield from ()
    raise KeyError("boom")


@declare("test.undeclared", c.PROJECT)
def undeclared(inv: Inventory) -> Iterator[Outcome]:
    """Reads what it did not declare."""
    inv.get(c.SQL_INSTANCES)
    yield passed(inv.resource, "never")


def test_results_backed_by_data_are_kept_and_the_rest_is_unknown(serve: Any) -> None:
    emu = serve(two_instances())
    emu.add_fault(Fault(path="/run/*", error="PERMISSION_DENIED"))
    _, results = gather(stream([partial], ["acme-prod"], session_for(emu)))
    assert [(r.status, r.resource.rsplit("/", 1)[1]) for r in results] == [
        (Status.PASS, "a"),
        (Status.PASS, "b"),
        (Status.UNKNOWN, "acme-prod"),
    ]
    assert results[-1].reason is Reason.PERMISSION_DENIED
    assert "run.services.list" in results[-1].message


def test_a_crashing_check_is_unknown_error_and_the_scan_goes_on(serve: Any) -> None:
    emu = serve(two_instances())
    _, results = gather(stream([crash, partial], ["acme-prod"], session_for(emu)))
    crashed = [r for r in results if r.check == "test.crash"]
    assert [(r.status, r.reason) for r in crashed] == [(Status.UNKNOWN, Reason.ERROR)]
    assert "KeyError" in crashed[0].message
    assert any(r.check == "test.partial" and r.status is Status.PASS for r in results)


def test_reading_an_undeclared_collection_is_refused(serve: Any) -> None:
    emu = serve(two_instances())
    _, results = gather(stream([undeclared], ["acme-prod"], session_for(emu)))
    assert [(r.status, r.reason) for r in results] == [(Status.UNKNOWN, Reason.ERROR)]
    assert "without declaring it" in results[0].message
    assert not any("/sqladmin/" in r.path for r in emu.requests)


def test_unknown_project_metadata_is_reported_in_scope(serve: Any) -> None:
    emu = serve(two_instances())
    scopes, _ = gather(stream([crash], ["acme-prod", "ghost-project"], session_for(emu)))
    assert scopes[0].error is None and scopes[0].environment is not None
    assert scopes[1].error is not None and "permission denied" in scopes[1].error


@declare("test.prod-only", c.SQL_INSTANCES, prod_only=True)
def prod_only(inv: Inventory) -> Iterator[Outcome]:
    """Passes every SQL instance (production projects only)."""
    for instance in inv.get(c.SQL_INSTANCES):
        name = f"//sqladmin.googleapis.com/projects/{inv.project_id}/instances/{instance['name']}"
        yield passed(name, "ok")


def test_prod_only_checks_are_not_applicable_on_staging_and_dev(serve: Any) -> None:
    """One not_applicable NOT_PRODUCTION result per staging or dev project; production and
    projects of unknown environment are judged; the project's metadata is read to tell."""
    projects = {
        name: {
            "project": project(name, number, labels=labels),
            c.SQL_INSTANCES.name: [{"name": "db"}],
        }
        for name, number, labels in [
            ("shop-prod", "11", {"env": "prod"}),
            ("shop-staging", "12", {"env": "staging"}),
            ("shop-sandbox", "13", {}),  # dev by its ID
            ("shop-main", "14", {}),  # unknown: held to production standards
        ]
    }
    emu = serve(world(projects))
    assert c.PROJECT in prod_only.requires  # what doctor asks for includes the metadata
    _, results = gather(stream([prod_only], list(projects), session_for(emu)))
    by_project = {r.project: r for r in results}
    for judged in ("shop-prod", "shop-main"):
        assert by_project[judged].status is Status.PASS
    for skipped, env in (("shop-staging", "staging"), ("shop-sandbox", "dev")):
        result = by_project[skipped]
        assert result.status is Status.NOT_APPLICABLE
        assert result.reason is Reason.NOT_PRODUCTION
        assert result.resource == f"//cloudresourcemanager.googleapis.com/projects/{skipped}"
        assert f"is {env}" in result.message and "production projects only" in result.message
    sql_reads = [r for r in emu.requests if "/sqladmin/" in r.path]
    assert len(sql_reads) == 4  # read for every project (a cross-project check may need them)


def test_a_prod_only_check_is_unknown_when_the_environment_cannot_be_read(serve: Any) -> None:
    """Unreadable project metadata: whether the check applies cannot be told, so it is unknown
    (judging a staging project as production would be a verdict on data that was not read)."""
    emu = serve(two_instances())
    emu.add_fault(Fault(path="/cloudresourcemanager/v3/projects/acme-prod", error="NOT_FOUND"))
    _, results = gather(stream([prod_only], ["acme-prod"], session_for(emu)))
    assert [(r.status, r.reason) for r in results] == [(Status.UNKNOWN, Reason.NOT_FOUND)]
