"""Run checks: fetch what they declared (concurrently, once), then judge each project."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import CancelledError, Future
from contextlib import suppress
from dataclasses import replace
from datetime import UTC, datetime
from functools import partial
from typing import Any, NamedTuple, TypeVar

from ..collect.collection import Collection, Unreadable, from_unreadable
from ..collect.lanes import Lane
from ..collect.registry import PROJECT
from ..collect.session import Session, where
from ..config import Config
from ..environment import Classification
from ..model import (
    Area,
    Outcome,
    Reason,
    Result,
    Severity,
    Status,
    not_applicable,
    project_resource,
    unknown,
)
from ..report import ScannedProject
from .inventory import Inventory, ScanContext
from .spec import CheckSpec

log = logging.getLogger(__name__)

WINDOW = 64  # projects read ahead at once: every API has work queued, memory stays bounded
JUDGES = 4  # projects judged at once (a check may read another project's data: in parallel)

T = TypeVar("T")


class Judged(NamedTuple):
    """One project done: the project (None for the last batch, of cross-project checks), its
    results, its resources' labels."""

    project: ScannedProject | None
    results: list[Result]
    labels: dict[str, Mapping[str, str]]


def _ahead(
    session: Session, collections: Iterable[Collection[Any]], project_id: str, order: int
) -> list[Future[None]]:
    """Read ahead a project's metadata and its project-keyed collections (folders' and billing
    accounts' data is read when a check asks for it, by its own key), each on its API's lane.
    Of an API a project may have left disabled, one collection is read first and the others
    after it: if the API says it is off, they are not applicable without a call each. A lower
    `order` (an older project) is read first."""
    wanted = [
        PROJECT,
        *(c for c in dict.fromkeys(collections) if c is not PROJECT and c.keyed_by == "project"),
    ]
    by_api: dict[str, list[Collection[Any]]] = {}
    for collection in wanted:
        by_api.setdefault(collection.api.label, []).append(collection)
    futures: list[Future[None]] = []
    for group in by_api.values():
        first = session.ahead(group[0], project_id, order)
        futures.append(first)
        for collection in group[1:]:
            if collection.api.always_on:
                futures.append(session.ahead(collection, project_id, order))
            else:
                futures.append(
                    _then([first], lambda c=collection: session.ahead(c, project_id, order))  # type: ignore[misc]
                )
    return futures


def _then(inputs: Sequence[Future[Any]], start: Callable[[], Future[T]]) -> Future[T]:
    """A future for `start()`, called once every input is done (without holding a thread while
    they are not); cancelled instead if an input was (the scan was abandoned)."""
    proxy: Future[T] = Future()
    left = [len(inputs)]
    lock = threading.Lock()

    def go() -> None:
        if any(f.cancelled() for f in inputs):
            proxy.cancel()
        else:
            start().add_done_callback(lambda f: _settle(proxy, f))

    def one_done(_: Future[Any]) -> None:
        with lock:
            left[0] -= 1
            last = left[0] == 0
        if last:
            go()

    if not inputs:
        go()
    for future in inputs:
        future.add_done_callback(one_done)
    return proxy


def _settle(proxy: Future[T], done: Future[T]) -> None:
    """Complete `proxy` as `done` completed."""
    if done.cancelled():
        proxy.cancel()
    elif (exc := done.exception()) is not None:
        proxy.set_exception(exc)
    else:
        proxy.set_result(done.result())


def scanned(scan: ScanContext, project_id: str) -> ScannedProject:
    """What the report header says about a project in scope."""
    try:
        scan.session.read(PROJECT, project_id)
        found = scan.classify(project_id)
    except Unreadable as exc:
        return ScannedProject(project_id, None, None, exc.describe())
    return ScannedProject(project_id, found.environment, found.source, None)


def stream(
    checks: Sequence[CheckSpec],
    project_ids: Sequence[str],
    session: Session,
    *,
    config: Config | None = None,
    now: datetime | None = None,
    release: bool = True,
    scope: Sequence[str] | None = None,
) -> Iterator[Judged]:
    """Each project's header, results and resource labels, as soon as its checks ran.

    Up to `WINDOW` projects are read ahead at once, each read on its API's lane (so a project
    waiting on a slow API never idles a fast one), while the checks of the oldest one run; with `release`, a project's data is dropped once its checks are done, so memory does
    not grow with the number of projects. What cross-project checks read (each project's
    metadata, and the collections checks declare `across=`) is kept: the compact index they
    run over at the end, for every project, in one last batch per project (project None). `scope`
    (default: `project_ids`) is what cross-project checks compare against: a shard judges its
    projects against the whole scope."""
    scan = ScanContext(
        session, config or Config(), tuple(scope or project_ids), now or datetime.now(UTC)
    )
    ordered = sorted(checks, key=lambda s: (list(Area).index(s.area), s.id))
    deferred = [s for s in ordered if s.across]
    immediate = [s for s in ordered if not s.across]
    metadata_only = {s.id for s in checks if {c.name for c in s.requires} == {PROJECT.name}}
    shared = list(dict.fromkeys(c for spec in deferred for c in spec.across))
    kept = [PROJECT, *shared]
    own = [c for spec in checks for c in spec.requires]
    judges = Lane("judge", lambda: JUDGES)

    def judge(project_id: str, queued: float) -> Judged:
        read = time.perf_counter()
        with session.judging(project_id):
            results = _judge(scan, immediate, project_id)
            judged = Judged(
                _unscanned(scanned(scan, project_id), results, metadata_only),
                results,
                resource_labels(session, checks, project_id),
            )
        log.debug(
            "timing: project %s: data read %d ms after it was queued, %d check(s) judged in %d ms",
            project_id,
            (read - queued) * 1000,
            len(immediate),
            (time.perf_counter() - read) * 1000,
        )
        return judged

    pending: deque[tuple[str, Future[Judged]]] = deque()
    interrupted = False
    try:  # on an error or when abandoned, queued reads are cancelled, not waited for
        upcoming = enumerate(project_ids)
        while True:
            while len(pending) < WINDOW:
                order, project_id = next(upcoming, (0, None))
                if project_id is None:
                    break
                reads = _ahead(session, own, project_id, order)
                queued = time.perf_counter()
                pending.append(
                    (
                        project_id,
                        _then(reads, partial(judges.submit, partial(judge, project_id, queued))),
                    )
                )
            if not pending:
                break
            project_id, judging = pending.popleft()
            judged = judging.result()
            if release:
                session.release([project_id], keep=kept)
            yield judged
        if not deferred:
            return
        mine = set(project_ids)
        others = [p for p in scan.projects if p not in mine]  # outside a shard
        for future in [f for p in others for f in _ahead(session, shared, p, len(project_ids))]:
            with suppress(CancelledError):
                future.result()
    except KeyboardInterrupt:
        interrupted = True  # Ctrl-C: the process ends now, without waiting for reads in flight
        raise
    finally:
        if interrupted or pending:  # abandoned: nothing queued for it is read any more
            judges.close()
            session.lanes.close(wait=not interrupted)
            if not interrupted:  # and no judge still running reads any more on its own
                judges.join()
    for project_id in project_ids:
        yield Judged(
            None,
            _judge(scan, deferred, project_id),
            resource_labels(session, deferred, project_id),
        )


def _unscanned(
    project: ScannedProject, results: Sequence[Result], metadata_only: set[str]
) -> ScannedProject:
    """A project none of whose resources could be read was not scanned, even if its metadata
    was (the checks in `metadata_only`, which judge the metadata alone, do not count)."""
    judged = [
        r for r in results if r.check not in metadata_only and r.reason is not Reason.NOT_PRODUCTION
    ]
    if project.error is None and judged and all(r.status is Status.UNKNOWN for r in judged):
        return replace(project, error=f"no check could read its data: {judged[0].message}")
    return project


def gather(judged: Iterable[Judged]) -> tuple[list[ScannedProject], list[Result]]:
    """Every project and result of a stream, in report order (`stream(..., release=False)` keeps
    every read in the session, for a snapshot)."""
    projects: list[ScannedProject] = []
    results: list[Result] = []
    for one in judged:
        if one.project is not None:
            projects.append(one.project)
        results.extend(one.results)
    return projects, results


def _judge(scan: ScanContext, ordered: Sequence[CheckSpec], project_id: str) -> list[Result]:
    """Every check on one project."""
    environment = _environment(scan, project_id)
    known = environment if isinstance(environment, Classification) else None
    non_prod = known if known and known.environment.non_prod else None
    lowered_in = non_prod if scan.config.lower_severity_in_non_prod else None
    results: list[Result] = []
    for spec in ordered:
        options = {**spec.options, **scan.config.check_options.get(spec.id, {})}
        inventory = Inventory(scan, project_id, spec.requires, options)
        override = scan.config.severity_of(spec.id)
        if spec.prod_only and isinstance(environment, Unreadable):
            # whether the check applies cannot be told: unknown, never judged as production
            outcome = from_unreadable(environment.copy(), inventory.resource)
            results.append(stamp(spec, project_id, outcome, override))
        elif spec.prod_only and non_prod is not None:
            outcome = not_production(spec, inventory, non_prod)
            results.append(stamp(spec, project_id, outcome, override))
        else:
            results.extend(evaluate(spec, inventory, lowered_in, override))
    return results


def _environment(scan: ScanContext, project_id: str) -> Classification | Unreadable:
    """The project's environment, or why it cannot be read (then nothing is lowered, and a
    production-only check is unknown)."""
    try:
        return scan.classify(project_id)
    except Unreadable as exc:
        return exc


def not_production(spec: CheckSpec, inventory: Inventory, env: Classification) -> Outcome:
    """A production-only check on a staging or dev project: one not_applicable result."""
    return not_applicable(
        inventory.resource,
        Reason.NOT_PRODUCTION,
        f"Project {inventory.project_id} is {env.environment.value} ({env.source}): {spec.id}"
        " judges production projects only.",
    )


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
    results = [stamp(spec, inventory.project_id, o, override) for o in outcomes]
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


def stamp(
    spec: CheckSpec, project_id: str, outcome: Outcome, override: Severity | None = None
) -> Result:
    """Turn an outcome into a result of this check and project (`override`, from the config,
    replaces the check's severities)."""
    reason = outcome.reason
    if outcome.status in (Status.UNKNOWN, Status.NOT_APPLICABLE) and reason is None:
        reason = Reason.ERROR
    if outcome.status in (Status.PASS, Status.FAIL):
        reason = None
    return Result(
        check=spec.id,
        severity=override or outcome.severity or spec.severity,
        status=outcome.status,
        project=project_id,
        resource=outcome.resource or project_resource(project_id),
        subject=outcome.subject,
        message=outcome.message,
        reason=reason,
        remediation=outcome.remediation,
        grant=outcome.grant,
    )


def resource_labels(
    session: Session, checks: Sequence[CheckSpec], project_id: str
) -> dict[str, Mapping[str, str]]:
    """Labels of a project's fetched resources, by full resource name (for `gcplint-ignore`)."""
    collections = {c.name: c for spec in checks for c in spec.requires}
    collections[PROJECT.name] = PROJECT
    index: dict[str, Mapping[str, str]] = {}
    for collection in collections.values():
        if collection.labels is None:
            continue
        value = session.found(collection, project_id)
        if value is not None and not isinstance(value, Unreadable):
            index.update(collection.labels(project_id, value))
    return index
