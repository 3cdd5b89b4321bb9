"""The world format: organization, folders, projects and their resources, in REST JSON.

Worlds are what the emulator serves and what a snapshot (`gcplint collect`) stores; the keys of a
project body are the names of the collections in the registry.

Every object in a world is exactly what the real API returns (camelCase, enum names), so a real
response can be pasted in. The world's own structure only says where each object lives:

    {"schema": "gcplint-world/v1",
     "organizations": [Organization], "folders": [Folder],
     "projects": {"<project id>": {"project": Project, "<api>.<collection>": ...,
                                   "disabledServices": [...], "enabledServices": [...]}},
     "billingAccounts": {"<account id>": {"cloudbilling.billingAccount": BillingAccount,
                                          "<api>.<collection>": ...}},
     "resources": {"folders/N" | "organizations/N": {"<api>.<collection>": ...}},
     "faults": [Fault],
     "deniedPermissions": {"projects/ID" | "folders/N" | "billingAccounts/X": [permission]},
     "snapshot": Snapshot}

A snapshot (`gcplint collect`) is a world with a `snapshot` block that says what was read and
what could not be: the emulator then serves only what was read, replays each failed read as the
error it was, and answers anything else as not collected. See fixtures/README.md.
"""

from __future__ import annotations

import gzip
import json
import os
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .collect import registry
from .collect.apis import APIS
from .errors import GcplintError
from .limits import MAX_SNAPSHOT_BYTES, size

SCHEMA = "gcplint-world/v1"

JSON = dict[str, Any]

STRUCTURAL_KEYS = frozenset({"project", "disabledServices", "enabledServices"})
# ^ keys of a project body that are not API collections
PER_RESOURCE_KEYS = frozenset(c.name for c in registry.ALL if c.each is not None)
# ^ maps of resource name -> value; the other collections are one value per project
PROJECT_KEYS = STRUCTURAL_KEYS | frozenset(
    c.name
    for c in registry.ALL
    if c.keyed_by == "project"
    and c.stored
    and c not in (registry.PROJECT, registry.ENABLED_SERVICES)  # "project", "enabledServices"
)
BILLING_ACCOUNT_KEY = "cloudbilling.billingAccount"  # a billing account body's BillingAccount
BILLING_ACCOUNT_KEYS = frozenset({BILLING_ACCOUNT_KEY, registry.ACCOUNT_BUDGETS.name})
RESOURCE_KEYS = frozenset(
    c.name
    for c in registry.ALL
    if c.keyed_by in ("folder", "organization") and c.stored and c is not registry.FOLDER
) | {registry.ESSENTIAL_CONTACTS.name}
# ^ what a folder or organization body holds (its own essential contacts, for inheritance)
FAULT_KEYS = frozenset({"path", "method", "error", "times", "delay", "retryAfter", "probability"})
FAULT_ERRORS = frozenset(
    {
        "PERMISSION_DENIED",
        "SERVICE_DISABLED",
        "BILLING_DISABLED",
        "RESOURCE_EXHAUSTED",
        "UNAVAILABLE",
        "INTERNAL",
        "NOT_FOUND",
        "INVALID_ARGUMENT",
        # not HTTP errors: broken responses
        "ERROR_BODY",
        "MALFORMED_JSON",
        "WRONG_SHAPE",
        "LOOPING_TOKEN",
        "CONNECTION_RESET",
    }
)
HTTP_FAULTS = FAULT_ERRORS - {
    "ERROR_BODY",
    "MALFORMED_JSON",
    "WRONG_SHAPE",
    "LOOPING_TOKEN",
    "CONNECTION_RESET",
}
NOT_COLLECTED = "not in the snapshot: collect again with the checks and projects that need it"
_SERVICE_TITLES = {api.service: api.title for api in APIS}
SNAPSHOT_KEYS = frozenset({"gcplintVersion", "created", "identity", "projects", "checks", "reads"})
FAILURE_KEYS = frozenset(
    {"reason", "detail", "what", "target", "permission", "role", "service", "consumer"}
)


class WorldError(GcplintError, ValueError):
    """The world file is unreadable or malformed."""


@dataclass
class Fault:
    """An injected failure for requests whose path matches a glob.

    `path` is a shell glob over the request path, API label included
    (e.g. `/sqladmin/v1/projects/acme-dev/*`); `times` limits how often it fires (None: always).
    `error` None with a `delay` only slows the matching requests down. `probability` (0..1)
    makes it fire for that fraction of the matching requests, drawn from the emulator's seeded
    random generator (a draw that misses does not count against `times`).
    """

    path: str
    error: str | None = None
    method: str | None = None
    times: int | None = None
    delay: float = 0.0
    retry_after: float | None = None
    probability: float = 1.0

    @classmethod
    def from_json(cls, data: Any) -> Fault:
        """Parse and validate one fault rule."""
        if not isinstance(data, dict) or not isinstance(data.get("path"), str):
            raise WorldError("a fault needs a 'path' glob")
        unknown = set(data) - FAULT_KEYS
        if unknown:
            raise WorldError(f"unknown fault key(s): {', '.join(sorted(unknown))}")
        error = data.get("error")
        if error is not None and error not in FAULT_ERRORS:
            raise WorldError(
                f"unknown fault error {error!r} (one of {', '.join(sorted(FAULT_ERRORS))})"
            )
        probability = data.get("probability", 1.0)
        if (
            not isinstance(probability, int | float)
            or isinstance(probability, bool)
            or not 0 <= probability <= 1
        ):
            raise WorldError(f"fault probability must be a number from 0 to 1, got {probability!r}")
        return cls(
            path=data["path"],
            error=error,
            method=data.get("method"),
            times=data.get("times"),
            delay=float(data.get("delay", 0.0)),
            retry_after=data.get("retryAfter"),
            probability=float(probability),
        )


@dataclass(frozen=True)
class Snapshot:
    """Who collected a snapshot, when, for what, and the status of every read.

    `reads[collection][key]` is None for a read that succeeded (its data is in the world) and
    the failure (`reason`, `detail`, `what`, `target`, `permission`, `role`, `service`) otherwise.
    A read that is not listed was not collected.
    """

    gcplint_version: str
    created: str
    identity: str
    projects: tuple[str, ...]
    checks: tuple[str, ...]
    reads: dict[str, dict[str, JSON | None]]

    def status(self, collection: str, key: str) -> tuple[bool, JSON | None]:
        """(collected, failure) of one read."""
        by_key = self.reads.get(collection, {})
        return key in by_key, by_key.get(key)

    @classmethod
    def from_json(cls, data: Any) -> Snapshot:
        """Parse and validate a `snapshot` block."""
        if not isinstance(data, dict) or set(data) - SNAPSHOT_KEYS:
            raise WorldError(
                f"'snapshot' must be an object with keys among {sorted(SNAPSHOT_KEYS)}"
            )
        strings = {k: data.get(k, "") for k in ("gcplintVersion", "created", "identity")}
        lists = {k: data.get(k, []) for k in ("projects", "checks")}
        if not all(isinstance(v, str) for v in strings.values()) or not all(
            isinstance(v, list) and all(isinstance(i, str) for i in v) for v in lists.values()
        ):
            raise WorldError(
                "snapshot: gcplintVersion, created and identity are strings; projects and checks lists of strings"
            )
        reads: dict[str, dict[str, JSON | None]] = {}
        raw = data.get("reads", {})
        if not isinstance(raw, dict):
            raise WorldError('snapshot.reads must map collections to {key: "ok" | failure}')
        for collection, by_key in raw.items():
            if not isinstance(by_key, dict):
                raise WorldError(f'snapshot.reads.{collection} must map keys to "ok" or a failure')
            reads[collection] = {
                k: _read_status(f"{collection}[{k}]", v) for k, v in by_key.items()
            }
        return cls(
            strings["gcplintVersion"],
            strings["created"],
            strings["identity"],
            tuple(lists["projects"]),
            tuple(lists["checks"]),
            reads,
        )

    def to_json(self) -> JSON:
        """The `snapshot` block of a snapshot file."""
        return {
            "gcplintVersion": self.gcplint_version,
            "created": self.created,
            "identity": self.identity,
            "projects": list(self.projects),
            "checks": list(self.checks),
            "reads": {
                name: {
                    key: "ok" if status is None else status
                    for key, status in sorted(by_key.items())
                }
                for name, by_key in sorted(self.reads.items())
            },
        }


def _read_status(where: str, value: Any) -> JSON | None:
    if value == "ok":
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("reason"), str)
        or set(value) - FAILURE_KEYS
        or not all(isinstance(v, str) for v in value.values())
    ):
        raise WorldError(
            f"snapshot.reads.{where} must be \"ok\" or a failure with a 'reason' (string keys among {sorted(FAILURE_KEYS)})"
        )
    return value


@dataclass
class ProjectEntry:
    """One project of the world and its collections. In a snapshot, a project whose metadata
    could not be read has no `project` object: `described` is False and it is never listed."""

    project: JSON
    collections: dict[str, Any]
    disabled_services: frozenset[str]
    described: bool = True
    enabled_services: frozenset[str] | None = None  # None: every API but the disabled ones

    def serves(self, service: str) -> bool:
        """The API (e.g. run.googleapis.com) is enabled in the project."""
        if service in self.disabled_services:
            return False
        return self.enabled_services is None or service in self.enabled_services

    def services(self) -> list[JSON]:
        """The project's Service Usage `Service` objects: every API gcplint reads is enabled
        unless `disabledServices` names it (or `enabledServices` leaves it out)."""
        enabled = self.enabled_services
        if enabled is None:
            enabled = frozenset(_SERVICE_TITLES) - self.disabled_services
        states = {name: "ENABLED" for name in enabled}
        states.update({name: "DISABLED" for name in self.disabled_services})
        parent = f"projects/{self.number}"
        return [
            {
                "name": f"{parent}/services/{name}",
                "config": {"name": name, "title": _SERVICE_TITLES.get(name, name)},
                "state": state,
                "parent": parent,
            }
            for name, state in sorted(states.items())
        ]

    @property
    def project_id(self) -> str:
        """The project ID."""
        return str(self.project["projectId"])

    @property
    def number(self) -> str:
        """The project number (from `name`, "projects/NUMBER")."""
        return str(self.project["name"]).split("/", 1)[1]


@dataclass
class World:
    """A parsed, validated world."""

    organizations: list[JSON] = field(default_factory=list)
    folders: list[JSON] = field(default_factory=list)
    projects: dict[str, ProjectEntry] = field(default_factory=dict)
    billing_accounts: dict[str, JSON] = field(default_factory=dict)
    resources: dict[str, JSON] = field(default_factory=dict)  # "folders/N" | "organizations/N"
    faults: list[Fault] = field(default_factory=list)
    denied: dict[str, frozenset[str]] = field(default_factory=dict)  # resource name -> permissions
    snapshot: Snapshot | None = None

    def is_denied(self, resource: str, permission: str) -> bool:
        """True when `permission` is denied on `resource` (projects/ID, folders/N, billingAccounts/X)."""
        return permission in self.denied.get(resource, frozenset())

    def ancestors(self, entry: ProjectEntry) -> list[str]:
        """The folders and organization above a project, nearest first (as far as the world's
        folders tell)."""
        parents = {str(f["name"]): str(f.get("parent", "")) for f in self.folders}
        chain: list[str] = []
        parent = str(entry.project.get("parent", ""))
        while parent and parent not in chain:
            chain.append(parent)
            parent = parents.get(parent, "")
        return chain

    def find_project(self, key: str) -> ProjectEntry | None:
        """A project by ID or by number."""
        if key in self.projects:
            return self.projects[key]
        for entry in self.projects.values():
            if entry.number == key:
                return entry
        return None

    @classmethod
    def from_json(cls, data: Any) -> World:
        """Validate a decoded world document."""
        if not isinstance(data, dict):
            raise WorldError("a world is a JSON object")
        schema = data.get("schema")
        if schema != SCHEMA:
            if isinstance(schema, str) and schema.startswith("gcplint-world/"):
                raise WorldError(
                    f"it is in format {schema}, which this gcplint cannot read (it reads {SCHEMA}):"
                    " use the gcplint version that wrote it, or collect it again"
                )
            raise WorldError(f"'schema' must be {SCHEMA!r}, got {schema!r}")
        snapshot = Snapshot.from_json(data["snapshot"]) if "snapshot" in data else None
        world = cls(
            organizations=_list_of_objects(data, "organizations"),
            folders=_list_of_objects(data, "folders"),
            faults=[Fault.from_json(f) for f in _list(data, "faults")],
            denied=_denied(data.get("deniedPermissions", {})),
            snapshot=snapshot,
        )
        projects = data.get("projects", {})
        if not isinstance(projects, dict):
            raise WorldError("'projects' must map project IDs to objects")
        for project_id, body in projects.items():
            world.projects[project_id] = _project_entry(project_id, body, snapshot is not None)
        accounts = data.get("billingAccounts", {})
        if not isinstance(accounts, dict):
            raise WorldError("'billingAccounts' must map billing account IDs to objects")
        for account_id, body in accounts.items():
            if not isinstance(body, dict) or set(body) - BILLING_ACCOUNT_KEYS:
                raise WorldError(
                    f"billing account {account_id}: keys must be among {sorted(BILLING_ACCOUNT_KEYS)}"
                )
            world.billing_accounts[account_id] = body
        resources = data.get("resources", {})
        if not isinstance(resources, dict):
            raise WorldError("'resources' must map folder and organization names to objects")
        for name, body in resources.items():
            if not name.startswith(("folders/", "organizations/")):
                raise WorldError(f"resources: {name!r} is not folders/N or organizations/N")
            if not isinstance(body, dict) or set(body) - RESOURCE_KEYS:
                raise WorldError(f"resources.{name}: keys must be among {sorted(RESOURCE_KEYS)}")
            world.resources[name] = body
        return world

    @classmethod
    def load(cls, path: str | Path, limit: int | None = None) -> World:
        """Read and validate a world or snapshot file (gzip-compressed or not) of at most
        `limit` bytes (default `MAX_SNAPSHOT_BYTES`) once decompressed: a gzip bomb is refused
        as it inflates, not after."""
        limit = MAX_SNAPSHOT_BYTES if limit is None else limit
        try:
            raw = _read_within(Path(path), limit)
        except (EOFError, zlib.error, gzip.BadGzipFile):
            raise WorldError(f"{path} is a damaged gzip file") from None
        except OSError as exc:
            raise WorldError(f"cannot read {path}: {exc.strerror or exc}") from None
        if raw is None:
            raise WorldError(f"{path} is larger than {size(limit)} uncompressed; refused")
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise WorldError(f"{path} is not valid JSON: {exc}") from None
        try:
            return cls.from_json(data)
        except WorldError as exc:
            raise WorldError(f"{path}: {exc}") from None


def _read_within(path: Path, limit: int) -> bytes | bytearray | None:
    """The file's bytes, decompressed if it is gzip; None when they are more than `limit`. A
    gzip file is inflated twice: first only counted (so a bomb costs no memory), then into a
    buffer of exactly its size."""
    with path.open("rb") as file:
        gzipped = file.read(2) == b"\x1f\x8b"
        file.seek(0)
        if not gzipped:
            return None if os.fstat(file.fileno()).st_size > limit else file.read()
        total = 0
        with gzip.GzipFile(fileobj=file) as stream:
            while chunk := stream.read(1 << 20):
                total += len(chunk)
                if total > limit:
                    return None
        file.seek(0)
        data = bytearray(total)
        view, done = memoryview(data), 0
        with gzip.GzipFile(fileobj=file) as stream:
            while done < total and (count := stream.readinto(view[done:])):
                done += count
        return data


def _denied(data: Any) -> dict[str, frozenset[str]]:
    if not isinstance(data, dict) or not all(
        isinstance(v, list) and all(isinstance(p, str) for p in v) for v in data.values()
    ):
        raise WorldError("'deniedPermissions' must map resource names to lists of permissions")
    return {resource: frozenset(perms) for resource, perms in data.items()}


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key, [])
    if not isinstance(value, list):
        raise WorldError(f"{key!r} must be a list")
    return value


def _list_of_objects(data: Mapping[str, Any], key: str) -> list[JSON]:
    items = _list(data, key)
    if not all(isinstance(item, dict) and "name" in item for item in items):
        raise WorldError(f"every entry of {key!r} must be an object with a 'name'")
    return items


def _project_entry(project_id: str, body: Any, snapshot: bool) -> ProjectEntry:
    if not isinstance(body, dict):
        raise WorldError(f"project {project_id}: must be an object")
    unknown = set(body) - PROJECT_KEYS
    if unknown:
        raise WorldError(f"project {project_id}: unknown key(s) {', '.join(sorted(unknown))}")
    project = body.get("project")
    described = project is not None or not snapshot
    if project is None and snapshot:  # its metadata was not read: addressable, never listed
        project = {"name": "projects/0", "projectId": project_id}
    if not isinstance(project, dict):
        raise WorldError(f"project {project_id}: needs a 'project' object (a v3 Project)")
    name = project.get("name")
    if not isinstance(name, str) or not name.startswith("projects/") or not name[9:].isdigit():
        raise WorldError(f"project {project_id}: project.name must be 'projects/NUMBER'")
    if project.get("projectId") != project_id:
        raise WorldError(f"project {project_id}: project.projectId must be {project_id!r}")
    collections = {k: v for k, v in body.items() if k not in STRUCTURAL_KEYS}
    disabled = _services(project_id, body, "disabledServices")
    enabled = _services(project_id, body, "enabledServices") if "enabledServices" in body else None
    return ProjectEntry(
        project=project,
        collections=collections,
        disabled_services=disabled,
        described=described,
        enabled_services=enabled,
    )


def _services(project_id: str, body: Mapping[str, Any], key: str) -> frozenset[str]:
    services = body.get(key, [])
    if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
        raise WorldError(f"project {project_id}: {key!r} must be a list of service names")
    return frozenset(services)
