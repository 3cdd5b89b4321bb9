"""Dependencies: every third-party module gcplint imports belongs to a declared distribution, the
floors have the fields gcplint reads, and requirements.lock pins them all with hashes."""

from __future__ import annotations

import ast
import importlib.metadata as metadata
import re
import sys
import tomllib
from functools import cache

from helpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
LOCK = (ROOT / "requirements.lock").read_text()
PACKAGES = [ROOT / "src" / "gcplint", ROOT / "checks" / "gcplint_checks"]
OWN = {"gcplint", "gcplint_checks"}
REQUIREMENT = re.compile(
    r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*>=\s*([0-9][^,;\s]*)"
)


def canonical(name: str) -> str:
    """A distribution name as PEP 503 normalizes it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def floors() -> dict[str, str]:
    """Declared runtime dependency -> its lowest allowed version (every one has a floor)."""
    found: dict[str, str] = {}
    for line in PYPROJECT["project"]["dependencies"]:
        match = REQUIREMENT.match(line)
        assert match, f"dependency without a >= floor: {line!r}"
        found[canonical(match[1])] = match[2]
    return found


def imported_modules() -> dict[str, str]:
    """Every absolute module imported by the two packages (an imported name that is a submodule
    counts as that submodule) -> one file that imports it."""
    found: dict[str, str] = {}
    for package in PACKAGES:
        for path in sorted(package.rglob("*.py")):
            where = str(path.relative_to(ROOT))
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Import):
                    for alias in node.names:
                        found.setdefault(alias.name, where)
                elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    found.setdefault(node.module, where)
                    for alias in node.names:
                        found.setdefault(f"{node.module}.{alias.name}", where)
    return {
        m: w
        for m, w in found.items()
        if m.split(".")[0] not in OWN and m.split(".")[0] not in sys.stdlib_module_names
    }


@cache
def top_level_distributions() -> dict[str, list[str]]:
    return metadata.packages_distributions()


@cache
def owners_by_file(top: str) -> dict[str, str]:
    """Installed file under `top` ('/'-separated, relative to site-packages) -> its distribution,
    for the distributions that provide `top`."""
    owners: dict[str, str] = {}
    for name in set(top_level_distributions().get(top, [])):
        for file in metadata.distribution(name).files or []:
            path = str(file).replace("\\", "/")
            if path.startswith(f"{top}/"):
                owners.setdefault(path, canonical(name))
    return owners


def is_namespace(module: str) -> bool:
    """A namespace package (`google`): a directory several distributions fill, no file."""
    base = module.replace(".", "/")
    owners = owners_by_file(module.split(".")[0])
    return f"{base}/__init__.py" not in owners and any(p.startswith(f"{base}/") for p in owners)


def distribution_of(module: str) -> str | None:
    """The distribution that installs `module`: by top-level name when only one distribution
    provides it (packages_distributions), else (a namespace such as `google`) by the installed
    file of the module, or of the nearest parent module (`from m import name`: `name` may be a
    class, not a module). Nothing is imported."""
    top = module.split(".")[0]
    candidates = set(top_level_distributions().get(top, []))
    if len(candidates) == 1:
        return canonical(candidates.pop())
    parts = module.split(".")
    owners = owners_by_file(top)
    for end in range(len(parts), 0, -1):
        base = "/".join(parts[:end])
        for path in (f"{base}.py", f"{base}/__init__.py"):
            if path in owners:
                return owners[path]
    return None


def test_every_dependency_has_a_floor_and_is_declared_once() -> None:
    names = [canonical(REQUIREMENT.match(d)[1]) for d in PYPROJECT["project"]["dependencies"]]  # type: ignore[index]
    assert len(names) == len(set(names))
    assert floors()


def test_every_imported_third_party_module_is_a_declared_dependency() -> None:
    declared = set(floors())
    undeclared: dict[str, str] = {}
    for module, where in sorted(imported_modules().items()):
        if is_namespace(module):  # `google` itself: `google.auth` is checked
            continue
        dist = distribution_of(module)
        if dist not in declared:
            undeclared[module] = f"{where}: from {dist or 'no installed distribution'}"
    assert undeclared == {}


def test_the_import_scan_sees_the_known_imports() -> None:
    """The scan itself works: it resolves namespace packages to the right distribution."""
    modules = imported_modules()
    assert {"httplib2", "google_auth_httplib2", "googleapiclient.errors"} <= set(modules)
    assert {"google.auth.transport.requests", "google.oauth2.credentials"} <= set(modules)
    assert distribution_of("googleapiclient.errors") == "google-api-python-client"
    assert distribution_of("google.auth.transport.requests") == "google-auth"
    assert distribution_of("google.oauth2.credentials") == "google-auth"
    assert is_namespace("google") and not is_namespace("google.auth")


def version_tuple(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in re.findall(r"\d+", version.split("+")[0])[:3])


def test_installed_versions_meet_the_floors() -> None:
    for name, floor in floors().items():
        assert version_tuple(metadata.version(name)) >= version_tuple(floor), name


def test_every_api_is_read_as_the_rest_json_it_sends() -> None:
    """No GAPIC client library and no protobuf: every API is read through the discovery clients,
    which hand gcplint each answer as the API sent it. A GAPIC library parses it into protobuf
    messages and drops the fields its version does not know (google-cloud-run 0.10.0-0.10.8
    dropped `invokerIamDisabled`: a public service passed), at several times the CPU per call.
    (tests/test_clients.py: a field newer than the client library still reaches the checks.)"""
    assert [d for d in floors() if d.startswith(("google-cloud-", "proto", "grpc"))] == []
    assert [d for d in lock_entries() if d.startswith(("google-cloud-", "grpc"))] == []
    # (protobuf and proto-plus stay in the lock: google-api-core requires them)
    heavy = [
        m
        for m in imported_modules()
        if m.split(".")[0] in ("proto", "grpc") or m.startswith(("google.cloud", "google.protobuf"))
    ]
    assert heavy == []


def lock_entries() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock: distribution -> (pinned version, its sha256 hashes)."""
    entries: dict[str, tuple[str, list[str]]] = {}
    for block in re.split(r"\n(?=[A-Za-z0-9])", LOCK):
        head = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==(\S+)", block)
        if head:
            hashes = re.findall(r"--hash=sha256:([0-9a-f]{64})", block)
            entries[canonical(head[1])] = (head[2], hashes)
    return entries


def test_the_lock_pins_every_runtime_dependency_with_hashes() -> None:
    entries = lock_entries()
    assert entries
    unhashed = [name for name, (_, hashes) in entries.items() if not hashes]
    assert unhashed == []
    for name, floor in floors().items():
        assert name in entries, f"{name} is not in requirements.lock"
        assert version_tuple(entries[name][0]) >= version_tuple(floor), name
    # every requirement line of the lock is an exact pin (pip --require-hashes needs that)
    requirement_lines = [
        line for line in LOCK.splitlines() if line and not line[0].isspace() and line[0] != "#"
    ]
    assert all(re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*==\S+ \\$", line) for line in requirement_lines)


def test_the_lock_covers_what_the_dependencies_need() -> None:
    """Every requirement (recursively) of a declared dependency is locked, so
    `pip install --require-hashes` in the image never meets an unpinned one. Requirements are
    read from the installed metadata, so only where the installed version is the locked one."""
    from packaging.requirements import Requirement

    entries = lock_entries()
    todo, seen = list(floors()), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        assert name in entries, f"{name} is needed but not locked"
        if metadata.version(name) != entries[name][0]:
            continue  # another version here: its requirements may differ from the locked one's
        for text in metadata.requires(name) or []:
            requirement = Requirement(text)
            if requirement.marker and not requirement.marker.evaluate({"extra": ""}):
                continue
            todo.append(canonical(requirement.name))
