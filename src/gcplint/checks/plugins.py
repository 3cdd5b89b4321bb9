"""Finding checks: the `gcplint.checks` entry-point group, and `--checks-dir` files.

The built-in pack is registered in gcplint's own pyproject exactly like a third-party pack.
A pack is a module or a package; every module-level CheckSpec in it (and, for a package, in its
submodules) is a check. A duplicate id is an error that names both sources.
"""

from __future__ import annotations

import fnmatch
import importlib
import importlib.util
import pkgutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType

from ..errors import GcplintError, did_you_mean
from .spec import CheckSpec

GROUP = "gcplint.checks"


class PluginError(GcplintError):
    """A check pack could not be loaded, or two checks share an id."""


@dataclass(frozen=True)
class LoadedCheck:
    """A check and the pack it came from."""

    spec: CheckSpec
    origin: str  # "entry point builtin (gcplint_checks.sql)" or a file path


def load_checks(checks_dirs: Sequence[Path] = ()) -> list[LoadedCheck]:
    """Every check from installed packs and the given directories, ordered by id."""
    found: list[LoadedCheck] = []
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        try:
            root = ep.load()
        except Exception as exc:
            raise PluginError(
                f"cannot load check pack {ep.name!r} ({ep.value}): {_one_line(exc)}"
            ) from None
        if not isinstance(root, ModuleType):
            raise PluginError(f"check pack {ep.name!r} ({ep.value}) must name a module or package")
        for module in _walk(root, ep.name):
            found.extend(
                LoadedCheck(s, f"entry point {ep.name} ({module.__name__})") for s in _specs(module)
            )
    for directory in checks_dirs:
        for path in _python_files(directory):
            module = _import_file(path)
            found.extend(LoadedCheck(s, str(path)) for s in _specs(module))
    return _unique(found)


def _walk(root: ModuleType, pack: str) -> Iterable[ModuleType]:
    yield root
    if not hasattr(root, "__path__"):
        return
    for info in sorted(
        pkgutil.walk_packages(root.__path__, root.__name__ + "."), key=lambda i: i.name
    ):
        try:
            yield importlib.import_module(info.name)
        except Exception as exc:
            raise PluginError(
                f"cannot load check module {info.name} of pack {pack!r}: {_one_line(exc)}"
            ) from None


def _python_files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise PluginError(f"--checks-dir {directory}: not a directory")
    return sorted(p for p in directory.rglob("*.py") if not p.name.startswith("_"))


def _import_file(path: Path) -> ModuleType:
    name = "gcplint_local_checks." + "_".join(path.with_suffix("").parts[-3:]).replace("-", "_")
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise PluginError(f"cannot load check file {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        del sys.modules[name]
        raise PluginError(f"cannot load check file {path}: {_one_line(exc)}") from None
    return module


def _specs(module: ModuleType) -> list[CheckSpec]:
    """CheckSpecs defined at module level (imported ones count only in their own module)."""
    return [
        value
        for value in vars(module).values()
        if isinstance(value, CheckSpec) and value.func.__module__ == module.__name__
    ]


def _unique(found: list[LoadedCheck]) -> list[LoadedCheck]:
    by_id: dict[str, LoadedCheck] = {}
    for item in found:
        other = by_id.get(item.spec.id)
        if other is not None and other.spec is not item.spec:
            raise PluginError(
                f"duplicate check id {item.spec.id!r}: defined by {other.origin} "
                f"({other.spec.source}) and by {item.origin} ({item.spec.source})"
            )
        by_id[item.spec.id] = item
    return [by_id[key] for key in sorted(by_id)]


def select(
    checks: Sequence[LoadedCheck], include: Sequence[str], exclude: Sequence[str]
) -> list[LoadedCheck]:
    """Checks matching any `include` id/glob (all if none) and no `exclude` one.

    A pattern that matches no check is an error: a typo must not silently select nothing.
    """
    ids = [c.spec.id for c in checks]
    for pattern in (*include, *exclude):
        if not fnmatch.filter(ids, pattern):
            raise PluginError(
                f"no check matches {pattern!r}{did_you_mean(pattern, ids)}"
                " (see 'gcplint checks list')"
            )
    chosen = [
        c
        for c in checks
        if (not include or any(fnmatch.fnmatchcase(c.spec.id, p) for p in include))
        and not any(fnmatch.fnmatchcase(c.spec.id, p) for p in exclude)
    ]
    if not chosen:
        raise PluginError("the --check/--skip selection leaves no check to run")
    return chosen


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0] if text else ''}".rstrip(": ")
