"""Run checks: fetch what they declared (concurrently, once), then judge each project."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from typing import Any

from .collectors import PROJECT
from .inventory import Collection, Inventory, Session, Unreadable
from .model import Area, Outcome, Reason, Result, Status, project_resource, unknown
from .report import ProjectScope
from .resources import ProjectInfo
from .spec import CheckSpec

log = logging.getLogger(__name__)


def prefetch(
    session: Session,
    collections: Iterable[Collection[Any]],
    project_ids: Sequence[str],
    workers: int,
) -> None:
    """Fetch every (collection, project) pair concurrently; failures are remembered, not raised."""

    def fetch(job: tuple[Collection[Any], str]) -> None:
        with suppress(Unreadable):
            session.get(*job)

    wanted = [PROJECT, *(c for c in dict.fromkeys(collections) if c is not PROJECT)]
    jobs = [(c, p) for p in project_ids for c in wanted]
    with ThreadPoolExecutor(
        max_workers=max(1, workers), thread_name_prefix="gcplint-fetch"
    ) as pool:
        list(pool.map(fetch, jobs))


def scope_of(session: Session, project_id: str) -> ProjectScope:
    """What the report header says about a project in scope."""
    try:
        info = ProjectInfo.from_rest(session.get(PROJECT, project_id))
    except Unreadable as exc:
        return ProjectScope(project_id, None, None, exc.describe())
    found = info.classification()
    return ProjectScope(project_id, found.environment, found.source, None)


def run(
    checks: Sequence[CheckSpec], project_ids: Sequence[str], session: Session, *, workers: int = 8
) -> tuple[list[ProjectScope], list[Result]]:
    """Evaluate every check on every project in scope; results in report order."""
    prefetch(session, (c for spec in checks for c in spec.requires), project_ids, workers)
    scopes = [scope_of(session, p) for p in project_ids]
    results: list[Result] = []
    for project_id in project_ids:
        for spec in sorted(checks, key=lambda s: (list(Area).index(s.area), s.id)):
            results.extend(evaluate(spec, Inventory(session, project_id, spec.requires)))
    return scopes, results


def evaluate(spec: CheckSpec, inventory: Inventory) -> list[Result]:
    """One check on one project. Unreadable data becomes unknown (or not_applicable), and a
    crashing check becomes an unknown ERROR result: the scan goes on, and nothing passes."""
    outcomes: list[Outcome] = []
    try:
        for outcome in spec.run(inventory):
            if not isinstance(outcome, Outcome):
                raise TypeError(f"yielded {type(outcome).__name__}, not an Outcome")
            outcomes.append(outcome)
    except Unreadable as exc:
        outcomes.append(from_unreadable(exc, inventory.resource))
    except Exception as exc:
        log.error("check %s crashed on project %s: %s", spec.id, inventory.project_id, exc)
        log.debug("traceback of %s", spec.id, exc_info=True)
        outcomes.append(
            unknown(
                inventory.resource,
                Reason.ERROR,
                f"check {spec.id} crashed: {type(exc).__name__}: {exc}",
            )
        )
    return [stamp(spec, inventory.project_id, o) for o in outcomes]


def from_unreadable(exc: Unreadable, resource: str) -> Outcome:
    """The outcome for data that could not be read."""
    status = Status.NOT_APPLICABLE if exc.reason.not_applicable else Status.UNKNOWN
    return Outcome(status, resource, exc.describe(), reason=exc.reason, remediation=exc.hint())


def stamp(spec: CheckSpec, project_id: str, outcome: Outcome) -> Result:
    """Turn an outcome into a result of this check and project."""
    reason = outcome.reason
    if outcome.status in (Status.UNKNOWN, Status.NOT_APPLICABLE) and reason is None:
        reason = Reason.ERROR
    if outcome.status in (Status.PASS, Status.FAIL):
        reason = None
    return Result(
        check=spec.id,
        severity=outcome.severity or spec.severity,
        status=outcome.status,
        project=project_id,
        resource=outcome.resource or project_resource(project_id),
        subject=outcome.subject,
        message=outcome.message,
        reason=reason,
        remediation=outcome.remediation,
    )
