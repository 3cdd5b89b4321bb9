"""Snapshots: collect once, lint offline, hand to a reviewer, replay through the emulator.

A snapshot is a world (the world format) holding every response a scan read, in REST JSON, reduced
to the fields gcplint reads (each collection's `fields`: an allowlist, so secrets an API returns
in other fields never reach the file; credential-shaped values in the kept ones were redacted on
arrival), plus a `snapshot` block: version, time, identity, scope, and the status of every read (ok, or the
failure it was). Only collections that are `stored` are kept; what gcplint derives from them
(ancestry, a project's budgets, a collection of per-resource reads) is derived again on replay.

A session over `load`'s reads (`Session(None, recorded=...)`) replays a snapshot with no network
at all: a stored read returns its data or raises its failure, and anything else is unknown ("not
in the snapshot"), never empty.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..model import Reason
from ..output import atomic_output
from ..world import SCHEMA, ProjectEntry, Snapshot, World, WorldError
from . import registry
from .collection import JSON, PerResource, Unreadable

PROJECT, FOLDER, SERVICES = registry.PROJECT, registry.FOLDER, registry.ENABLED_SERVICES
# ^ stored as a project's `project`, the world's `folders`; SERVICES only in older snapshots


def document(fetched: Mapping[tuple[str, str], Any], about: Snapshot) -> JSON:
    """The snapshot file for what a session read (`Session.fetched()`); `about` gives
    everything but the reads."""
    projects: dict[str, JSON] = {}
    folders: dict[str, JSON] = {}
    accounts: dict[str, JSON] = {}
    resources: dict[str, JSON] = {}  # of folders and organizations
    reads: dict[str, dict[str, JSON | None]] = {}

    # a project may be read by number too (Secret Manager names carry numbers): file by ID
    ids = {
        str(value["name"]).split("/", 1)[-1]: str(value["projectId"])
        for (name, _), value in fetched.items()
        if name == PROJECT.name and not isinstance(value, Unreadable)
    }

    def home(key: str) -> JSON:
        return projects.setdefault(ids.get(key, key), {})

    for (name, key), value in sorted(fetched.items(), key=lambda item: item[0]):
        collection = registry.by_name(name)
        if collection is None or not collection.stored:
            continue  # derived: read again from what it is derived from on replay
        if collection.each is not None:
            if isinstance(value, PerResource):  # the per-resource reads of one project
                kept = {r: collection.kept(v) for r, v in value.found.items()}
                home(key).setdefault(name, {}).update(kept)
                for resource in value.found:
                    reads.setdefault(name, {})[resource] = None
                for resource, failure in value.unreadable.items():
                    reads.setdefault(name, {})[resource] = _failure(failure)
            continue
        failed = isinstance(value, Unreadable)
        reads.setdefault(name, {})[key] = _failure(value) if failed else None
        if failed:
            continue
        value = collection.kept(value)  # only the fields gcplint reads
        if collection is PROJECT:
            projects.setdefault(str(value["projectId"]), {})["project"] = value
        elif collection is FOLDER:
            folders[key] = value
        elif collection.keyed_by == "billing account":
            accounts.setdefault(key.split("/", 1)[1], {})[name] = value
        elif collection.keyed_by in ("folder", "organization"):
            resources.setdefault(key, {})[name] = value
        else:
            home(key).setdefault(name, value)
    return {
        "schema": SCHEMA,
        "snapshot": replace(about, reads=reads).to_json(),
        "folders": list(folders.values()),
        "projects": projects,
        "billingAccounts": accounts,
        "resources": resources,
    }


def save(path: Path, data: JSON) -> None:
    """Write a snapshot atomically; a name ending in `.gz` is gzip-compressed."""
    with atomic_output(path, compress=path.name.endswith(".gz")) as stream:
        json.dump(data, stream, indent=1)
        stream.write("\n")


def load(path: Path) -> tuple[Snapshot, dict[tuple[str, str], Any]]:
    """A snapshot file's description and its reads: (collection, key) -> data or Unreadable."""
    world = World.load(path)
    if world.snapshot is None:
        raise WorldError(f"{path} is a world, not a snapshot (it has no 'snapshot' block)")
    try:
        return world.snapshot, _recorded(world, world.snapshot)
    except WorldError as exc:
        raise WorldError(f"{path}: {exc}") from None


def _services(entry: ProjectEntry | None) -> list[JSON] | None:
    """The enabled services of a project, as the emulator serves them."""
    if entry is None or entry.enabled_services is None:
        return None
    return [s for s in entry.services() if s["state"] == "ENABLED"]


def _failure(exc: Unreadable) -> JSON:
    fields = {
        "reason": exc.reason.value,
        "detail": exc.detail,
        "what": exc.what,
        "target": exc.target,
        "permission": exc.permission,
        "role": exc.role,
        "service": exc.service,
        "consumer": exc.consumer,
    }
    return {k: v for k, v in fields.items() if v is not None}


def _unreadable(where: str, failure: JSON) -> Unreadable:
    try:
        reason = Reason(failure["reason"])
    except ValueError:
        raise WorldError(f"{where}: unknown reason {failure['reason']!r}") from None
    return Unreadable(
        failure.get("what", "data"),
        failure.get("target", where),
        reason,
        failure.get("detail", ""),
        permission=failure.get("permission"),
        role=failure.get("role"),
        service=failure.get("service"),
        consumer=failure.get("consumer"),
    )


def _recorded(world: World, about: Snapshot) -> dict[tuple[str, str], Any]:
    per_resource = {
        (c.name, resource): value
        for entry in world.projects.values()
        for c in registry.ALL
        if c.each is not None
        for resource, value in (entry.collections.get(c.name) or {}).items()
    }
    folders = {str(f["name"]): f for f in world.folders}
    recorded: dict[tuple[str, str], Any] = {}
    for name, by_key in about.reads.items():
        collection = registry.by_name(name)
        for key, failure in by_key.items():
            where = f"snapshot.reads.{name}[{key}]"
            if failure is not None:
                recorded[(name, key)] = _unreadable(where, failure)
                continue
            entry = world.find_project(key)
            found: Any
            if collection is PROJECT:
                found = entry.project if entry is not None and entry.described else None
            elif collection is FOLDER:
                found = folders.get(key)
            elif collection is not None and collection.keyed_by == "billing account":
                found = world.billing_accounts.get(key.split("/", 1)[-1], {}).get(name)
            elif collection is not None and collection.keyed_by in ("folder", "organization"):
                found = world.resources.get(key, {}).get(name)
            elif collection is not None and collection.each is not None:
                found = per_resource.get((name, key))
            elif collection is SERVICES:
                found = _services(entry)
            else:
                found = entry.collections.get(name) if entry is not None else None
            if found is None:
                raise WorldError(f"{where} is 'ok' but the snapshot holds no data for it")
            recorded[(name, key)] = found
    _gated(recorded)
    return recorded


def _gated(recorded: dict[tuple[str, str], Any]) -> None:
    """A snapshot taken when gcplint asked Service Usage first holds a project's enabled
    services instead of the calls a disabled API refused: replay those refusals."""
    for (name, key), services in list(recorded.items()):
        if name != SERVICES.name or isinstance(services, Unreadable):
            continue
        enabled = service_names(services)
        for collection in registry.ALL:
            if (
                collection.keyed_by == "project"
                and collection.each is None
                and not collection.api.always_on
                and collection.service not in enabled
            ):
                recorded.setdefault(
                    (collection.name, key),
                    Unreadable(
                        collection.title,
                        collection.target(key),
                        Reason.API_DISABLED,
                        f"{collection.service} is not enabled (serviceusage)",
                        service=collection.service,
                    ),
                )


def service_names(services: Iterable[JSON]) -> frozenset[str]:
    """The names (`run.googleapis.com`) of serviceusage Service objects."""
    return frozenset(
        str((s.get("config") or {}).get("name") or str(s.get("name", "")).rsplit("/", 1)[-1])
        for s in services
    )
