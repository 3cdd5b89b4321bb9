"""The config file: `gcplint.toml`, or the `[tool.gcplint]` table of `pyproject.toml`.

    [tool.gcplint]
    lower-severity-in-non-prod = true      # staging/dev findings one level lower (default true)

    [tool.gcplint.environments]            # project IDs or globs; wins over labels and IDs
    prod = ["acme-prod", "payments-*"]
    dev = ["sandbox-*"]

    [tool.gcplint.check-options."iam.sa-key-age"]
    max-age-days = 60

Without `--config`, `gcplint.toml` then `pyproject.toml` in the current directory are used when
present. A malformed file is an error, never ignored.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .environment import Environment

OptionValue = int | float | str | bool


class ConfigFileError(Exception):
    """The config file is unreadable or malformed."""


@dataclass(frozen=True)
class Config:
    """Settings from the config file (defaults when there is none)."""

    source: str | None = None
    environments: tuple[tuple[str, Environment], ...] = ()
    check_options: Mapping[str, Mapping[str, OptionValue]] = field(default_factory=dict)
    lower_severity_in_non_prod: bool = True


TOP_KEYS = {"environments", "check-options", "lower-severity-in-non-prod"}


def load(path: Path | None = None, cwd: Path | None = None) -> Config:
    """The explicit config file, else gcplint.toml / pyproject.toml in `cwd`, else defaults."""
    if path is not None:
        return _parse(path, _read(path), pyproject=path.name == "pyproject.toml")
    here = cwd or Path.cwd()
    if (here / "gcplint.toml").is_file():
        return _parse(here / "gcplint.toml", _read(here / "gcplint.toml"), pyproject=False)
    if (here / "pyproject.toml").is_file():
        data = _read(here / "pyproject.toml")
        if "gcplint" in data.get("tool", {}):
            return _parse(here / "pyproject.toml", data, pyproject=True)
    return Config()


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigFileError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"config {path} is not valid TOML: {exc}") from None


def _parse(path: Path, data: dict[str, Any], *, pyproject: bool) -> Config:
    table = data.get("tool", {}).get("gcplint", {}) if pyproject else data
    where = f"{path}" + (" [tool.gcplint]" if pyproject else "")
    if not isinstance(table, dict):
        raise ConfigFileError(f"{where}: must be a table")
    unknown = set(table) - TOP_KEYS
    if unknown:
        raise ConfigFileError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))} (known: {', '.join(sorted(TOP_KEYS))})"
        )
    lower = table.get("lower-severity-in-non-prod", True)
    if not isinstance(lower, bool):
        raise ConfigFileError(f"{where}: lower-severity-in-non-prod must be true or false")
    return Config(
        source=str(path),
        environments=_environments(where, table.get("environments", {})),
        check_options=_check_options(where, table.get("check-options", {})),
        lower_severity_in_non_prod=lower,
    )


def _environments(where: str, table: Any) -> tuple[tuple[str, Environment], ...]:
    if not isinstance(table, dict):
        raise ConfigFileError(f"{where}: environments must be a table of lists")
    mapping: list[tuple[str, Environment]] = []
    for name, patterns in table.items():
        try:
            env = Environment(name)
        except ValueError:
            raise ConfigFileError(
                f"{where}: environments.{name}: not one of prod, staging, dev"
            ) from None
        if env is Environment.UNKNOWN or not _strings(patterns):
            raise ConfigFileError(
                f"{where}: environments.{name} must be a list of project IDs or globs"
            )
        mapping.extend((pattern, env) for pattern in patterns)
    return tuple(mapping)


def _check_options(where: str, table: Any) -> dict[str, dict[str, OptionValue]]:
    if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
        raise ConfigFileError(
            f'{where}: check-options must hold one table per check id ("iam.sa-key-age")'
        )
    return {check_id: dict(options) for check_id, options in table.items()}


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) and v for v in value)


def validate_options(
    config: Config, declared: Mapping[str, Mapping[str, OptionValue]], known_ids: Sequence[str]
) -> None:
    """Every configured check exists and every option is declared by it with the same type."""
    for check_id, options in config.check_options.items():
        if check_id not in known_ids:
            raise ConfigFileError(f"{config.source}: check-options: no check {check_id!r}")
        defaults = declared.get(check_id, {})
        for key, value in options.items():
            if key not in defaults:
                allowed = ", ".join(sorted(defaults)) or "none"
                raise ConfigFileError(
                    f"{config.source}: check-options.{check_id}: unknown option {key!r} (options: {allowed})"
                )
            if type(value) is not type(defaults[key]):
                raise ConfigFileError(
                    f"{config.source}: check-options.{check_id}.{key} must be {type(defaults[key]).__name__}"
                )
