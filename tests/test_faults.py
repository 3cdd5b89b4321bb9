"""Fault injection: whatever breaks, no check passes or fails on data it did not read.

Every fault kind is injected on every collection (and on one whole project) of the demo world,
which exercises every collector; the scan through the real client libraries is then compared
with the fault-free scan:

1. no pass and no fail appears that the fault-free scan does not give (the one exception: a
   disabled API is evidence, and a check may fail on it saying so);
2. every fault-free result is either given again unchanged, or its check reports unknown
   (not_applicable for a disabled API) on that project with the reason the fault maps to;
3. checks that read none of the faulted collections give exactly the fault-free results;
4. every unknown says what could not be read, and (for a denial) which permission would fix it.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import helpers
import pytest
from helpers import run_cli, session_for

from gcplint.checks.plugins import load_checks
from gcplint.checks.runner import gather, stream
from gcplint.collect import registry as c
from gcplint.collect.collection import Collection, Unreadable
from gcplint.collect.transport import RetryPolicy
from gcplint.emulator import Emulator, Fault, World, demo_world
from gcplint.emulator.generate import generate_world, project_ids
from gcplint.model import Reason, Result, Status

NOW = datetime(2026, 11, 27, tzinfo=UTC)
SPECS = [loaded.spec for loaded in load_checks()]
RETRY = RetryPolicy(attempts=2, initial=0.001, maximum=0.002)
SLOW = 1.0  # the client timeout of a scan that has a "slower than the timeout" fault; any
# other scan keeps the default (10 s), so a loaded CI machine never times out an innocent read


@dataclass(frozen=True)
class Target:
    """Where a fault is injected (a path glob, for one HTTP method or all), and which read."""

    path: str
    read: Collection[Any] | None  # None: everything (the glob covers a whole project)
    method: str | None = None

    @property
    def name(self) -> str:
        """The read's title, for test ids."""
        return self.read.title if self.read else f"everything matching {self.path}"

    @property
    def collections(self) -> frozenset[Collection[Any]]:
        """What the fault breaks: the read and, following the registry's `needs` and
        per-resource sources, every collection read from it."""
        if self.read is None:
            return ALL
        found = {self.read}
        while more := {x for x in c.ALL if set(x.sources) & found} - found:
            found |= more
        return frozenset(found)


ALL = frozenset(needed for s in SPECS for needed in s.requires)


TARGETS = [
    Target("/cloudresourcemanager/v3/projects/*", c.PROJECT, method="GET"),
    Target("/cloudresourcemanager/v3/projects/*:getIamPolicy", c.PROJECT_IAM_POLICY),
    Target("/cloudresourcemanager/v3/folders/*", c.FOLDER, method="GET"),
    Target("/iam/v1/projects/*/serviceAccounts", c.SERVICE_ACCOUNTS),
    Target("/iam/v1/projects/*/serviceAccounts/*/keys", c.SERVICE_ACCOUNT_KEYS),
    Target("/run/v2/projects/*/locations/-/services", c.RUN_SERVICES),
    Target("/run/v2/projects/*/locations/-/services/-/revisions", c.RUN_REVISIONS),
    Target("/sqladmin/v1/projects/*/instances", c.SQL_INSTANCES),
    Target("/cloudbilling/v1/projects/*/billingInfo", c.BILLING_INFO),
    Target("/billingbudgets/v1/billingAccounts/*/budgets", c.ACCOUNT_BUDGETS),
    Target("/monitoring/v3/projects/*/alertPolicies", c.ALERT_POLICIES),
    Target("/run/v2/projects/*/locations/*/services/*:getIamPolicy", c.RUN_SERVICE_IAM),
    Target("/secretmanager/v1/projects/*/secrets", c.SECRETS),
    Target("/secretmanager/v1/projects/*/secrets/*/versions", c.SECRET_VERSIONS),
    Target("/secretmanager/v1/projects/*/secrets/*:getIamPolicy", c.SECRET_IAM),
    Target("/storage/storage/v1/b", c.BUCKETS),
    Target("/storage/storage/v1/b/*/iam", c.BUCKET_IAM),
    Target("/pubsub/v1/projects/*/topics", c.TOPICS),
    Target("/pubsub/v1/projects/*/subscriptions", c.SUBSCRIPTIONS),
    Target("/pubsub/v1/projects/*:getIamPolicy", c.PUBSUB_IAM),
    Target("/artifactregistry/v1/projects/*/locations/-/repositories", c.REPOSITORIES),
    Target("/artifactregistry/v1/projects/*/dockerImages", c.DOCKER_IMAGES),
    Target("/artifactregistry/v1/projects/*:getIamPolicy", c.REPOSITORY_IAM),
    Target("/cloudresourcemanager/v3/liens", c.LIENS),
    Target("/essentialcontacts/v1/projects/*", c.ESSENTIAL_CONTACTS),
    Target("/monitoring/v3/projects/*/uptimeCheckConfigs", c.UPTIME_CHECKS),
    Target("/logging/v2/projects/*/sinks", c.PROJECT_SINKS),
    Target("/logging/v2/folders/*/sinks", c.FOLDER_SINKS),
    Target("/logging/v2/organizations/*/sinks", c.ORGANIZATION_SINKS),
    Target("/cloudresourcemanager/v3/folders/*:getIamPolicy", c.FOLDER_IAM_POLICY),
    Target("/cloudresourcemanager/v3/organizations/*:getIamPolicy", c.ORGANIZATION_IAM_POLICY),
    Target("/*/projects/acme-staging*", None),
]

# fault kind -> (the rule injected, the reason the results must give)
KINDS: dict[str, tuple[dict[str, Any], Reason]] = {
    "403 PERMISSION_DENIED": ({"error": "PERMISSION_DENIED"}, Reason.PERMISSION_DENIED),
    "403 SERVICE_DISABLED": ({"error": "SERVICE_DISABLED"}, Reason.API_DISABLED),  # (or
    # unknown where the refusal cannot be matched to the project read: see test_fault)
    "404 NOT_FOUND": ({"error": "NOT_FOUND"}, Reason.NOT_FOUND),
    "429 storm": ({"error": "RESOURCE_EXHAUSTED", "retry_after": 0.001}, Reason.QUOTA_EXHAUSTED),
    "500 burst": ({"error": "INTERNAL"}, Reason.UNAVAILABLE),
    "503 burst": ({"error": "UNAVAILABLE"}, Reason.UNAVAILABLE),
    "slower than the timeout": ({"delay": SLOW * 2}, Reason.UNAVAILABLE),
    "connection reset": ({"error": "CONNECTION_RESET"}, Reason.UNAVAILABLE),
    "200 with an error body": ({"error": "ERROR_BODY"}, Reason.ERROR),
    "malformed JSON": ({"error": "MALFORMED_JSON"}, Reason.ERROR),
    "wrong JSON shape": ({"error": "WRONG_SHAPE"}, Reason.ERROR),
    "looping page token": ({"error": "LOOPING_TOKEN"}, Reason.ERROR),
}
TALLY: Counter[str] = Counter()


def key(r: Result) -> tuple[str, str, str, str | None]:
    return (r.check, r.project, r.resource, r.subject)


def scan(
    world: World, faults: list[Fault], projects: list[str], page_size: int = 2
) -> list[Result]:
    timeout = SLOW if any(f.delay for f in faults) else 10.0
    with Emulator(world, page_size=page_size) as emu:
        for fault in faults:
            emu.add_fault(fault)
        _, results = gather(
            stream(SPECS, projects, session_for(emu, RETRY, timeout=timeout), now=NOW)
        )
    return results


def assert_no_false_verdicts(
    baseline: list[Result],
    faulted: list[Result],
    reasons: set[Reason],
    broken: frozenset[Collection[Any]],
    *,
    label: str,
) -> int:
    """The four properties of the module docstring; returns the number of (check, project)
    pairs whose results the fault changed."""
    before = {key(r): r for r in baseline}
    for r in faulted:
        if r.status in (Status.PASS, Status.FAIL):
            same = before.get(key(r))
            evidence = (
                r.status is Status.FAIL
                and Reason.API_DISABLED in reasons
                and "disabled" in r.message
            )
            assert (same is not None and same.status is r.status) or evidence, (
                f"{label}: {r.status.value} that the fault-free scan does not give: {r.check} {r.resource} {r.message}"
            )
    degraded = {
        (r.check, r.project): r
        for r in faulted
        if r.status in (Status.UNKNOWN, Status.NOT_APPLICABLE)
        and (
            key(r) not in before
            or (before[key(r)].status, before[key(r)].message) != (r.status, r.message)
        )
    }
    for r in degraded.values():
        assert r.reason in reasons, (
            f"{label}: {r.check} on {r.project} is {r.status.value} {r.reason}, expected one of {reasons}"
        )
        assert "could not be read" in r.message or "disabled" in r.message, f"{label}: {r.message}"
        assert "crashed" not in r.message, f"{label}: {r.message}"
        if r.reason is Reason.PERMISSION_DENIED:
            assert r.remediation, f"{label}: no fix for {r.message}"
            assert "grant" in r.remediation or (  # an API off where the calls are billed
                "SERVICE_DISABLED" in label and "gcloud services enable" in r.remediation
            ), f"{label}: {r.remediation}"
    after = {key(r): r for r in faulted}
    changed: set[tuple[str, str]] = set()
    for b in baseline:
        again = after.get(key(b))
        if again is not None and (again.status, again.severity, again.message) == (
            b.status,
            b.severity,
            b.message,
        ):
            continue
        changed.add((b.check, b.project))
        spec = next(s for s in SPECS if s.id == b.check)
        # every check also depends on its project's metadata: the environment sets the severity
        reads = {*spec.requires, c.PROJECT}
        assert reads & broken, (
            f"{label}: {b.check} reads none of {sorted(b.name for b in broken)} but its result changed: {b.message}"
        )
        evidence = (
            again is not None
            and again.status is Status.FAIL
            and Reason.API_DISABLED in reasons
            and "disabled" in again.message
        )
        assert (
            (b.check, b.project) in degraded
            or evidence
            or (again is not None and again.status is b.status)
        ), (
            f"{label}: {b.status.value} of {b.check} on {b.resource} vanished without an unknown for the project"
        )
    return len(changed)


@pytest.fixture(scope="module")
def demo() -> tuple[World, list[Result]]:
    world = demo_world()
    world.denied = {}  # the demo denies one permission on purpose; the baseline must be complete
    baseline = scan(world, [], list(world.projects))
    assert baseline and not [r for r in baseline if r.status is Status.UNKNOWN]
    return world, baseline


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("target", TARGETS, ids=[t.name for t in TARGETS])
def test_fault(demo: tuple[World, list[Result]], target: Target, kind: str) -> None:
    world, baseline = demo
    rule, reason = KINDS[kind]
    fault = Fault(path=target.path, method=target.method, **rule)
    faulted = scan(world, [fault], list(world.projects))
    label = f"{kind} on {target.name}"
    broken = target.collections
    if reason is Reason.API_DISABLED:  # an API is off for the whole project: its other
        # collections are not read once one of them said so (not applicable, never a verdict)
        apis = {c.api for c in broken if not c.api.always_on}
        broken = broken | {c for c in ALL if c.api in apis and c.keyed_by == "project"}
    reasons = {reason}
    if reason is Reason.API_DISABLED and any(
        t is c.PROJECT or t.keyed_by != "project" for t in target.collections
    ):  # a refusal only a project's number can tell from one about the quota project, or
        # one for what belongs to no project (a billing account's budgets): unknown
        reasons.add(Reason.PERMISSION_DENIED)
    assert_no_false_verdicts(baseline, faulted, reasons, broken, label=label)
    affected = sum(1 for s in SPECS for p in world.projects if set(s.requires) & target.collections)
    TALLY["check x fault cases"] += affected
    TALLY["scenarios"] += 1


def scoped(path: str, project: str, number: str) -> str:
    """A target's path glob narrowed to one project (Secret Manager names projects by number;
    bucket paths name no project and stay global)."""
    key = number if path.startswith("/secretmanager/") else project
    if "projects/*/" in path:
        return path.replace("projects/*/", f"projects/{key}/", 1)
    return path.replace("projects/*", f"projects/{key}/*", 1)


@pytest.mark.parametrize("seed", range(20))
def test_random_faults_on_generated_worlds(seed: int) -> None:
    """A generated world; about 10% of its (project, collection) paths get a random fault,
    including one-shot transient ones that retries must absorb."""
    data = generate_world(seed)
    world = World.from_json(data)
    projects = project_ids(data)
    baseline = scan(world, [], projects, page_size=1)
    rng = random.Random(seed)
    faults, reasons = [], set()
    for project in projects:
        for target in TARGETS[:-1]:
            if rng.random() >= 0.1:
                continue
            kind = rng.choice(sorted(KINDS))
            rule, reason = KINDS[kind]
            transient = (
                kind in ("429 storm", "503 burst", "500 burst", "connection reset")
                and rng.random() < 0.5
            )
            path = scoped(target.path, project, world.projects[project].number)
            faults.append(
                Fault(path=path, method=target.method, times=1 if transient else None, **rule)
            )
            if not transient:
                reasons.add(reason)
    faulted = scan(world, faults, projects, page_size=1)
    assert_no_false_verdicts(baseline, faulted, reasons, ALL, label=f"seed {seed}: {faults}")
    if not reasons:
        assert sorted(map(key, faulted)) == sorted(map(key, baseline))


def test_tally_for_the_record() -> None:
    """Printed with -s: how many (check x fault) cases the suite ran."""
    print(f"fault suite: {dict(TALLY)}")


CLEAN = {
    "schema": "gcplint-world/v1",
    "projects": {
        "acme-prod": {
            "project": {
                "name": "projects/100000000001",
                "projectId": "acme-prod",
                "state": "ACTIVE",
                "labels": {"env": "prod"},
            },
            c.SQL_INSTANCES.name: [
                {
                    "name": "db",
                    "instanceType": "CLOUD_SQL_INSTANCE",
                    "settings": {"ipConfiguration": {"ipv4Enabled": False}},
                }
            ],
        }
    },
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_the_cli_completes_with_exit_3_and_no_traceback(serve: Any, kind: str) -> None:
    """Through the command line: a fault never crashes the scan; unknown results give exit 3
    (a disabled API gives not_applicable: the scan is complete, exit 0)."""
    rule, reason = KINDS[kind]
    emu = serve(World.from_json(CLEAN))
    emu.add_fault(Fault(path="/sqladmin/*", **rule))
    run = run_cli(
        "scan",
        "--api-base",
        emu.url,
        "--project",
        "acme-prod",
        "--check",
        "sql.public-ip",
        "--format",
        "json",
        "--timeout",
        str(SLOW if "delay" in rule else 10.0),
    )
    assert "Traceback" not in run.err
    results = run.json()["results"]
    assert [(r["status"], r["reason"]) for r in results] == [
        ("not_applicable" if reason is Reason.API_DISABLED else "unknown", reason.value)
    ]
    assert run.code == (0 if reason is Reason.API_DISABLED else 3)


def test_a_disabled_api_that_cannot_be_matched_to_its_project_is_unknown() -> None:
    """A 403 SERVICE_DISABLED names the project billed (its number) as consumer. When the
    project read has no readable number, that could be a quota project: unknown, saying why,
    never not applicable. The project whose number is known is not applicable, as before."""
    off = ["sqladmin.googleapis.com"]
    both = helpers.world(
        {
            pid: {"project": helpers.project(pid, number), "disabledServices": off}
            for pid, number in (("acme-prod", "100000000001"), ("elsewhere", "100000000002"))
        }
    )
    with Emulator(both) as emu:
        emu.add_fault(Fault(path="/cloudresourcemanager/v3/projects/elsewhere", error="NOT_FOUND"))
        session = session_for(emu)
        with pytest.raises(Unreadable) as hidden:
            session.read(c.SQL_INSTANCES, "elsewhere")
        with pytest.raises(Unreadable) as disabled:
            session.read(c.SQL_INSTANCES, "acme-prod")
        session.close()
    assert hidden.value.reason is Reason.NOT_FOUND  # why the number could not be read
    assert hidden.value.describe() == (
        "Cloud SQL instances of project elsewhere could not be read: not found:"
        " sqladmin.googleapis.com says it is off in projects/100000000002, which could not be"
        " matched to project elsewhere: project metadata of project elsewhere could not be read:"
        " not found: Resource 'projects/elsewhere' was not found."
    )
    assert disabled.value.reason is Reason.API_DISABLED
