"""Which projects a scan covers: an organization or folder (recursive), ID globs, label
filters, exclusions, and this machine's shard of them.

Enumeration is two paged queries, whatever the size of the tree: Resource Manager v3
`projects:search` for the ACTIVE projects the caller can see, and `folders:search` for the
folder tree, which is walked locally. A failed or empty enumeration is an error: gcplint never
falls back to a smaller scope.
"""

from __future__ import annotations

import fnmatch
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .collectors import PROJECT
from .errors import ApiCallError
from .inventory import JSON, Session

GLOB = re.compile(r"[*?\[]")
SHARD = re.compile(r"^(\d+)/(\d+)$")


class ScopeError(Exception):
    """The scope is invalid or could not be enumerated (exit 2)."""


@dataclass(frozen=True)
class Shard:
    """Project `index` of `count` (0-based): a deterministic partition by a hash of the ID."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Shard:
        """`K/N` with 0 <= K < N."""
        found = SHARD.match(text.strip())
        if not found or not 0 <= int(found[1]) < int(found[2]):
            raise ScopeError(f"--shard {text!r}: expected K/N with 0 <= K < N, e.g. 0/4")
        return cls(int(found[1]), int(found[2]))

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Shard | None:
        """The shard of a Cloud Run Job task (CLOUD_RUN_TASK_INDEX / CLOUD_RUN_TASK_COUNT)."""
        index, count = env.get("CLOUD_RUN_TASK_INDEX"), env.get("CLOUD_RUN_TASK_COUNT")
        if index is None or count is None:
            return None
        return cls.parse(f"{index}/{count}")

    def holds(self, project_id: str) -> bool:
        """Whether this shard scans the project."""
        digest = hashlib.sha256(project_id.encode()).digest()
        return int.from_bytes(digest[:8], "big") % self.count == self.index

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class Selector:
    """The scope flags: `--organization`, `--folder`, `--project`, `--exclude-project`, `--label`."""

    organization: str | None = None
    folder: str | None = None
    projects: tuple[str, ...] = ()  # IDs or globs
    excluded: tuple[str, ...] = ()  # globs
    labels: tuple[tuple[str, str], ...] = ()

    @property
    def enumerates(self) -> bool:
        """Whether the projects must be searched for (not just named)."""
        return bool(
            self.organization
            or self.folder
            or self.labels
            or any(GLOB.search(p) for p in self.projects)
        )

    @property
    def root(self) -> str | None:
        """The organization or folder whose descendants are in scope."""
        if self.folder:
            return f"folders/{self.folder}"
        if self.organization:
            return f"organizations/{self.organization}"
        return None

    def describe(self) -> str:
        """The scope in words, for errors and the report."""
        parts = [self.root or "every project the identity can see"] if self.enumerates else []
        if self.projects:
            parts.append("--project " + " ".join(self.projects))
        parts += [f"label {k}={v}" for k, v in self.labels]
        if self.excluded:
            parts.append("excluding " + " ".join(self.excluded))
        return ", ".join(parts)

    def keeps(self, project_id: str) -> bool:
        """The ID filters: a `--project` pattern (when any) matches, no exclusion does."""
        wanted = not self.projects or any(fnmatch.fnmatchcase(project_id, p) for p in self.projects)
        return wanted and not any(fnmatch.fnmatchcase(project_id, p) for p in self.excluded)


def parse_label(text: str) -> tuple[str, str]:
    """`key=value` (a `--label` filter)."""
    key, sep, value = text.partition("=")
    if not sep or not key or not re.fullmatch(r"[a-z][a-z0-9_-]{0,62}", key):
        raise ScopeError(f"--label {text!r}: expected key=value, e.g. env=prod")
    return key, value


@dataclass(frozen=True)
class Enumerated:
    """The projects in scope, and those that may be but cannot be placed in the tree."""

    projects: list[str]
    unplaced: list[str]  # ACTIVE, matching, but under a folder the identity cannot see


def enumerate_projects(session: Session, selector: Selector) -> Enumerated:
    """The ACTIVE projects the selector covers, sorted by ID; raises ScopeError when the search
    fails or finds nothing. The found projects' metadata is kept in the session (it is what
    projects.get would return), so it is not read again."""
    query = " ".join(["state:ACTIVE", *(f"labels.{k}:{v}" for k, v in selector.labels)])
    try:
        found = session.gapic_list(
            session.clients.projects().search_projects, {"query": query}, "projects"
        )
        folders = (
            session.gapic_list(
                session.clients.folders().search_folders, {"query": "state:ACTIVE"}, "folders"
            )
            if selector.folder or selector.organization
            else []
        )
    except ApiCallError as exc:
        failure = exc.failure
        need = f" (needs {failure.permission})" if failure.permission else ""
        raise ScopeError(
            f"cannot enumerate the projects of {selector.describe()}: "
            f"{failure.reason.value}{need}: {failure.message}"
        ) from None
    parents = {str(f.get("name")): str(f.get("parent", "")) for f in folders}
    candidates = [
        p
        for p in found
        if p.get("state", "ACTIVE") == "ACTIVE"
        and _labelled(p, selector.labels)
        and selector.keeps(str(p.get("projectId")))
    ]
    placed = {
        str(p["projectId"]): _place(str(p.get("parent", "")), selector.root, parents)
        for p in candidates
    }
    matching = {str(p["projectId"]): p for p in candidates if placed[str(p["projectId"])]}
    unplaced = sorted(k for k, v in placed.items() if v is None)
    for project_id, project in matching.items():
        session.seed(PROJECT, project_id, project)
    projects = sorted(matching)
    if not projects:
        raise ScopeError(f"no ACTIVE project found in {selector.describe()}")
    return Enumerated(projects, unplaced)


def named_projects(selector: Selector) -> list[str]:
    """The projects named by ID (no search needed), minus exclusions."""
    return [p for p in dict.fromkeys(selector.projects) if selector.keeps(p)]


def in_shard(projects: Sequence[str], shard: Shard | None) -> list[str]:
    """The projects this shard scans."""
    return [p for p in projects if shard is None or shard.holds(p)]


def _labelled(project: JSON, labels: Sequence[tuple[str, str]]) -> bool:
    have = project.get("labels") or {}
    return all(have.get(k) == v for k, v in labels)


def _place(parent: str, root: str | None, parents: Mapping[str, str]) -> bool | None:
    """Whether `parent` is `root` or below it, walking the searched folder tree; None when the
    walk reaches a folder the search did not return (the answer is unknown)."""
    if root is None:
        return True
    seen: set[str] = set()
    while parent and parent not in seen:
        if parent == root:
            return True
        seen.add(parent)
        if parent.startswith("folders/") and parent not in parents:
            return None
        parent = parents.get(parent, "")
    return False
