"""Run checks: fetch what they declared (concurrently, once), then judge each project."""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from .collectors import PROJECT
from .config import Config
from .environment import Classification
from .inventory import Collection, Session, Unreadable, where
from .model import Area, Outcome, Reason, Result, Severity, Status, project_resource, unknown
from .report import ProjectScope
from .scope import Inventory, Scan
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


def scope_of(scan: Scan, project_id: str) -> ProjectScope:
    """What the report header says about a project in scope."""
    try:
        scan.session.get(PROJECT, project_id)
        found = scan.classify(project_id)
    except Unreadable as exc:
        return ProjectScope(project_id, None, None, exc.describe())
    return ProjectScope(project_id, found.environment, found.source, None)


def run(
    checks: Sequence[CheckSpec],
    project_ids: Sequence[str],
    session: Session,
    *,
    config: Config | None = None,
    workers: int = 8,
    now: datetime | None = None,
) -> tuple[list[ProjectScope], list[Result]]:
    """Evaluate every check on every project in scope; results in report order."""
    scan = Scan(session, config or Config(), tuple(project_ids), now or datetime.now(UTC))
    prefetch(session, (c for spec in checks for c in spec.requires), project_ids, workers)
    scopes = [scope_of(scan, p) for p in project_ids]
    ordered = sorted(checks, key=lambda s: (list(Area).index(s.area), s.id))
    results: list[Result] = []
    for project_id in project_ids:
        non_prod = _non_prod(scan, project_id)
        for spec in ordered:
            options = {**spec.options, **scan.config.check_options.get(spec.id, {})}
            inventory = Inventory(scan, project_id, spec.requires, options)
            override = next(
                (
                    sev
                    for pattern, sev in scan.config.severity
                    if fnmatch.fnmatchcase(spec.id, pattern)
                ),
                None,
            )
            found = evaluate(spec, inventory, non_prod, override)
            results.extend(found)
    return scopes, results


def _non_prod(scan: Scan, project_id: str) -> Classification | None:
    """The project's classification when its findings are to be lowered (a known non-prod
    project, with lowering on); None keeps the checks' severities (also when unreadable)."""
    if not scan.config.lower_severity_in_non_prod:
        return None
    try:
        found = scan.classify(project_id)
    except Unreadable:
        return None
    return found if found.environment.non_prod else None


def evaluate(
    spec: CheckSpec,
    inventory: Inventory,
    non_prod: Classification | None = None,
    override: Severity | None = None,
) -> list[Result]:
    """One check on one project. Unreadable data becomes unknown (or not_applicable), and a
    crashing check becomes an unknown ERROR result: the scan goes on, and nothing passes.
    `override` (from the config) replaces the check's severities; with `non_prod` set, findings
    are then one level less severe unless the check is an exposure."""
    outcomes: list[Outcome] = []
    try:
        for outcome in spec.run(inventory):
            if not isinstance(outcome, Outcome):
                raise TypeError(f"yielded {type(outcome).__name__}, not an Outcome")
            outcomes.append(outcome)
    except Unreadable as exc:
        outcomes.append(from_unreadable(exc, inventory.resource))
    except Exception as exc:
        log.error(
            "check %s crashed on project %s: %s", spec.id, inventory.project_id, type(exc).__name__
        )
        log.debug("where %s crashed:\n%s", spec.id, where(exc))
        outcomes.append(
            unknown(
                inventory.resource,
                Reason.ERROR,
                f"check {spec.id} crashed: {type(exc).__name__}: {exc}",
            )
        )
    results = [stamp(spec, inventory.project_id, o) for o in outcomes]
    if override is not None:
        results = [replace(r, severity=override) for r in results]
    if non_prod is not None and not spec.exposure:
        results = [lowered(r, non_prod) for r in results]
    return results


def lowered(result: Result, env: Classification) -> Result:
    """A finding of a non-prod project, one severity level lower (and saying so)."""
    if result.status is not Status.FAIL or result.severity is result.severity.lowered():
        return result
    new = result.severity.lowered()
    note = f" (severity lowered from {result.severity.value} to {new.value}: {env.environment.value} project)"
    return replace(result, severity=new, message=result.message + note)


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


def resource_labels(session: Session, checks: Sequence[CheckSpec]) -> dict[str, Mapping[str, str]]:
    """Labels of every fetched resource, by full resource name (for `gcplint-ignore`)."""
    by_name = {c.name: c for spec in checks for c in spec.requires}
    by_name[PROJECT.name] = PROJECT
    index: dict[str, Mapping[str, str]] = {}
    for (name, key), value in session.fetched().items():
        collection = by_name.get(name)
        if (
            collection is not None
            and collection.labels is not None
            and not isinstance(value, Unreadable)
        ):
            index.update(collection.labels(key, value))
    return index
