"""The scope: which projects a scan covers (an organization or folder, recursively; ID globs;
label filters; exclusions), and the shard of them this run judges.

Enumeration is two paged queries, whatever the size of the tree: Resource Manager v3
`projects:search` for the ACTIVE projects the caller can see, and `folders:search` for the
folder tree, which is walked locally. A failed or empty enumeration is an error: gcplint never
falls back to a smaller scope.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from .collect.collection import JSON, Unreadable
from .collect.failures import ApiCallError
from .collect.registry import PROJECT
from .collect.registry.resourcemanager import search
from .collect.session import Session
from .errors import GcplintError

log = logging.getLogger(__name__)

GLOB = re.compile(r"[*?\[]")
PROJECT_ID = re.compile(r"^([a-z0-9.-]+:)?[a-z][a-z0-9-]{4,28}[a-z0-9]$")
SHARD = re.compile(r"^(\d+)/(\d+)$")


class ScopeError(GcplintError):
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
    """The scope flags: `--organization`, `--folder`, `--project`, `--exclude-project`,
    `--exclude-folder`, `--label`."""

    organization: str | None = None
    folder: str | None = None
    projects: tuple[str, ...] = ()  # IDs or globs
    excluded: tuple[str, ...] = ()  # globs
    labels: tuple[tuple[str, str], ...] = ()
    excluded_folders: tuple[str, ...] = ()  # `folders/N`: their whole subtree is left out

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
        if self.excluded or self.excluded_folders:
            parts.append("excluding " + " ".join([*self.excluded, *self.excluded_folders]))
        return ", ".join(parts)

    def keeps(self, project_id: str) -> bool:
        """The ID filters: a `--project` pattern (when any) matches, no exclusion does."""
        wanted = not self.projects or any(fnmatch.fnmatchcase(project_id, p) for p in self.projects)
        return wanted and not any(fnmatch.fnmatchcase(project_id, p) for p in self.excluded)


def selector(
    projects: Sequence[str],
    organization: str | None,
    folder: str | None,
    excluded: Sequence[str],
    labels: Sequence[str],
    excluded_folders: Sequence[str] = (),
) -> Selector:
    """The scope flags, validated."""
    for project in projects:
        if not GLOB.search(project) and not PROJECT_ID.match(project):
            raise ScopeError(
                f"--project {project!r} is not a valid project ID (6-30 lowercase letters, digits, hyphens) or glob"
            )
    for flag, value in (("--organization", organization), ("--folder", folder)):
        if value is not None and not value.isdigit():
            raise ScopeError(f"{flag} {value!r}: expected the numeric ID, e.g. 123456789012")
    if organization and folder:
        raise ScopeError("pass --organization or --folder, not both (a folder is recursive)")
    skipped = tuple(dict.fromkeys(parse_folder(f) for f in excluded_folders))
    if skipped and not (organization or folder):
        raise ScopeError(
            "--exclude-folder needs --organization or --folder (the tree it is cut from)"
        )
    return Selector(
        organization,
        folder,
        tuple(projects),
        tuple(excluded),
        tuple(parse_label(label) for label in labels),
        skipped,
    )


def parse_folder(text: str) -> str:
    """`123` or `folders/123` (an `--exclude-folder`), as `folders/123`."""
    number = text.strip().removeprefix("folders/")
    if not number.isdigit():
        raise ScopeError(
            f"--exclude-folder {text!r}: expected a numeric folder ID, e.g. 123456789012"
            " or folders/123456789012"
        )
    return f"folders/{int(number)}"


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
        found = search(session, "projects", query)
        folders = (
            search(session, "folders", "state:ACTIVE")
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
    _check_excluded_folders(selector, parents)
    candidates = [
        p
        for p in found
        if p.get("state", "ACTIVE") == "ACTIVE"
        and _labelled(p, selector.labels)
        and selector.keeps(str(p.get("projectId")))
        and not _under_any(str(p.get("parent", "")), selector.excluded_folders, parents)
    ]
    placed = {
        str(p["projectId"]): _place(str(p.get("parent", "")), selector.root, parents)
        for p in candidates
    }
    matching = {str(p["projectId"]): p for p in candidates if placed[str(p["projectId"])]}
    unplaced = sorted(k for k, v in placed.items() if v is None)
    for project_id, project in matching.items():
        session.seed(PROJECT, project_id, project)
    log.debug(
        "scope: projects:search returned %d project(s), folders:search %d folder(s):"
        " %d in scope, %d under folders this identity cannot see",
        len(found),
        len(folders),
        len(matching),
        len(unplaced),
    )
    projects = sorted(matching)
    if not projects:
        raise ScopeError(f"no ACTIVE project found in {selector.describe()}")
    return Enumerated(projects, unplaced)


def named_projects(selector: Selector) -> list[str]:
    """The projects named by ID (no search needed), minus exclusions."""
    return [p for p in dict.fromkeys(selector.projects) if selector.keeps(p)]


def confirm_named(session: Session, projects: Sequence[str], identity: str) -> None:
    """Raise ScopeError, one line per project, for the named projects Resource Manager will not
    show. Google answers a project that does not exist as it answers one the caller may not see
    (403), so a mistyped ID would otherwise turn every check unknown, each with a hint to grant
    a role. A project unreadable for another reason (the API disabled, a quota, an outage) is
    left to the checks, which say unknown. The reads stay in the session: checks reuse them."""
    found = session.fan_out(lambda project: session.read(PROJECT, project), projects)
    hidden = [
        project
        for project, value in found.items()
        if isinstance(value, Unreadable) and value.failure and value.failure.hides_resource
    ]
    if hidden:
        raise ScopeError(
            "\n".join(
                f"{project} does not exist or is not visible to {identity} — check the ID"
                f" (gcloud projects describe {project}; reading it needs {PROJECT.permission})"
                for project in hidden
            )
        )


def in_shard(projects: Sequence[str], shard: Shard | None) -> list[str]:
    """The projects this shard scans."""
    return [p for p in projects if shard is None or shard.holds(p)]


def listed(projects: Sequence[str], most: int = 20) -> str:
    """Project IDs for a log line: the first `most`, then how many more."""
    more = f" and {len(projects) - most} more" if len(projects) > most else ""
    return (", ".join(projects[:most]) or "nothing") + more


def _labelled(project: JSON, labels: Sequence[tuple[str, str]]) -> bool:
    have = project.get("labels") or {}
    return all(have.get(k) == v for k, v in labels)


def _check_excluded_folders(selector: Selector, parents: Mapping[str, str]) -> None:
    """Raise ScopeError for an `--exclude-folder` that folders:search did not return (it does
    not exist, is not ACTIVE, or the identity cannot see it) or that is not below the scanned
    organization or folder: excluding it would otherwise silently exclude nothing."""
    for name in selector.excluded_folders:
        if name not in parents:
            raise ScopeError(
                f"--exclude-folder {name}: no such ACTIVE folder visible to this identity"
                " (folders:search did not return it; reading folders needs"
                " resourcemanager.folders.get, e.g. roles/browser)"
            )
        if name == selector.root or not _place(parents[name], selector.root, parents):
            raise ScopeError(
                f"--exclude-folder {name}: not a folder below {selector.root}, the scanned scope"
            )


def _under_any(parent: str, folders: Sequence[str], parents: Mapping[str, str]) -> bool:
    """Whether `parent` is one of `folders` or below one of them (the searched tree)."""
    seen: set[str] = set()
    while folders and parent and parent not in seen:
        if parent in folders:
            return True
        seen.add(parent)
        parent = parents.get(parent, "")
    return False


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


@dataclass(frozen=True)
class Scope:
    """The projects this run judges (its shard), the scope in words, every project in scope,
    warnings about it, and the shard (None: the whole scope)."""

    projects: list[str]
    words: str
    everything: list[str]
    notes: list[str]
    shard: Shard | None = None
    excluded_projects: tuple[str, ...] = ()  # `--exclude-project` globs
    excluded_folders: tuple[str, ...] = ()  # `--exclude-folder`s, as folders/N


def resolve(
    selector: Selector, shard: Shard | None, session: Session, available: Sequence[str] | None
) -> Scope:
    """The scope of a run. `available` is the demo world's or the snapshot's projects (None: the
    live APIs, searched when the selector enumerates)."""
    notes: list[str] = []
    if selector.root or selector.labels or (selector.enumerates and available is None):
        found = enumerate_projects(session, selector)
        everything = found.projects
        source = f"projects:search ({selector.describe()})"
        if found.unplaced:
            notes.append(
                f"{len(found.unplaced)} ACTIVE project(s) sit under folders this identity cannot"
                f" see (grant roles/browser on {selector.root}), so whether they are in scope is"
                f" unknown; not scanned: {', '.join(found.unplaced)}"
            )
    elif selector.enumerates or not selector.projects:
        everything = [p for p in available or () if selector.keeps(p)]
        if not everything:
            raise ScopeError(f"no project matches {selector.describe() or 'the scope'}")
        source = f"the demo world or snapshot ({selector.describe() or 'all'})"
    else:
        everything = named_projects(selector)
        if not everything:
            raise ScopeError("every --project is excluded by --exclude-project")
        source = f"--project ({selector.describe()})"
    mine = in_shard(everything, shard)
    if log.isEnabledFor(logging.DEBUG):
        log.debug("scope: %d project(s) from %s", len(everything), source)
        held = f"shard {shard} holds {len(mine)} of them" if shard else "no shard"
        log.debug("scope: %s; scanning %s", held, listed(mine))
    words = selector.describe() if selector.enumerates else ""
    if shard is not None:
        words = f"{words + '; ' if words else ''}shard {shard}: {len(mine)} of {len(everything)}"
    return Scope(
        mine, words, everything, notes, shard, selector.excluded, selector.excluded_folders
    )
