"""The config file: `gcplint.toml`, or the `[tool.gcplint]` table of `pyproject.toml`.

Found from the working directory upward (in each directory `gcplint.toml` first), or named with
`--config`. Every key is validated: an unknown key, check id or bad value is an error naming the
file, the key and the problem. A config that is silently ignored is how findings get hidden.

    fail-on = "high"                        # critical, high, medium, low, info, never
    on-incomplete = "fail"                  # fail (exit 3) or warn (exit 0) on unknown results
    select = ["env.*", "database-exposure"] # check ids, globs or checklist areas (default: all)
    skip = ["run.ingress-all"]
    lower-severity-in-non-prod = true
    suppression-max-days = 365              # how far ahead a suppression may expire
    label-suppressions = false              # let gcplint-ignore labels in the scanned projects
                                            # suppress (with an until-YYYY-MM-DD expiry)

    [severity]                              # per check id or glob
    "ar.no-cleanup-policy" = "info"

    [environments]                          # project IDs or globs; wins over labels and IDs
    prod = ["acme-prod", "payments-*"]

    [check-options."iam.sa-key-age"]
    max-age-days = 60

    [rate-limits]                           # requests/second per API label (0 = unlimited)
    run = 5

    [[suppressions]]
    check = "run.public-invoker"            # id or glob
    resource = "//run.googleapis.com/projects/acme-prod/locations/europe-west1/services/api"
    reason = "public API behind Cloud Armor"
    expires = 2027-03-01
    owner = "platform@acme.example"         # optional, as are project, subject and ticket

    [locations]                             # SARIF: resource glob -> file[:line] in the repository
    "//run.googleapis.com/projects/acme-prod/*" = "infra/run.tf:12"
"""

from __future__ import annotations

import fnmatch
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from .environment import Environment
from .errors import GcplintError, did_you_mean
from .model import Severity

OptionValue = int | float | str | bool
SEVERITY_NAMES = [s.value for s in Severity]


class ConfigFileError(GcplintError):
    """The config file is unreadable or malformed."""


@dataclass(frozen=True)
class Suppression:
    """An accepted finding: which results it covers, why, and until when."""

    check: str  # id or glob
    resource: str  # full resource name or glob
    reason: str
    expires: date
    source: str  # "gcplint.toml suppressions[2]"
    project: str | None = None
    subject: str | None = None
    owner: str | None = None
    ticket: str | None = None


@dataclass(frozen=True)
class Location:
    """Where a resource is defined in the repository (for SARIF annotations)."""

    pattern: str
    path: str
    line: int


@dataclass(frozen=True)
class Config:
    """Settings from the config file (defaults when there is none)."""

    source: str | None = None
    environments: tuple[tuple[str, Environment], ...] = ()
    check_options: Mapping[str, Mapping[str, OptionValue]] = field(default_factory=dict)
    lower_severity_in_non_prod: bool = True
    fail_on: Severity | None = None  # None in the file means "never"; absent means the CLI default
    fail_on_set: bool = False
    on_incomplete: str = "fail"
    select: tuple[str, ...] = ()
    skip: tuple[str, ...] = ()
    severity: tuple[tuple[str, Severity], ...] = ()
    suppressions: tuple[Suppression, ...] = ()
    suppression_max_days: int = 365
    label_suppressions: bool = False  # gcplint-ignore labels in the scanned projects may suppress
    locations: tuple[Location, ...] = ()
    rate_limits: Mapping[str, float] = field(default_factory=dict)

    def severity_of(self, check_id: str) -> Severity | None:
        """The severity the `severity` table gives this check (its first matching glob), if any."""
        return next(
            (s for pattern, s in self.severity if fnmatch.fnmatchcase(check_id, pattern)), None
        )


TOP_KEYS = {
    "environments",
    "check-options",
    "lower-severity-in-non-prod",
    "fail-on",
    "on-incomplete",
    "select",
    "skip",
    "severity",
    "suppressions",
    "suppression-max-days",
    "label-suppressions",
    "locations",
    "rate-limits",
}
SUPPRESSION_KEYS = {
    "check",
    "resource",
    "project",
    "subject",
    "reason",
    "expires",
    "owner",
    "ticket",
}


def find(cwd: Path) -> Path | None:
    """The nearest gcplint.toml, or pyproject.toml with a [tool.gcplint] table, from `cwd` up."""
    for directory in (cwd, *cwd.parents):
        if (directory / "gcplint.toml").is_file():
            return directory / "gcplint.toml"
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and "gcplint" in _read(pyproject).get("tool", {}):
            return pyproject
    return None


def load(path: Path | None = None, cwd: Path | None = None, today: date | None = None) -> Config:
    """The named config file, else the nearest one from `cwd` upward, else defaults."""
    found = path or find((cwd or Path.cwd()).resolve())
    if found is None:
        return Config()
    data = _read(found)
    pyproject = found.name == "pyproject.toml"
    table = data.get("tool", {}).get("gcplint", {}) if pyproject else data
    if not pyproject and isinstance(data.get("tool"), dict) and "gcplint" in data["tool"]:
        raise ConfigFileError(
            f"{found}: [tool.gcplint]: in gcplint.toml, keys go at the top level (the"
            " [tool.gcplint] table is for pyproject.toml): delete the [tool.gcplint] line"
        )
    where = f"{found}" + (" [tool.gcplint]" if pyproject else "")
    return _Parser(where, today or date.today()).parse(table)


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigFileError(f"cannot read config {path}: {exc.strerror or exc}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigFileError(f"config {path} is not valid TOML: {exc}") from None


class _Parser:
    """Turns a decoded table into a Config, with one-line errors naming file, key and problem."""

    def __init__(self, where: str, today: date) -> None:
        self.where = where
        self.today = today

    def error(self, key: str, problem: str) -> ConfigFileError:
        return ConfigFileError(f"{self.where}: {key}: {problem}")

    def parse(self, table: Any) -> Config:
        if not isinstance(table, dict):
            raise ConfigFileError(f"{self.where}: must be a table")
        unknown = set(table) - TOP_KEYS
        if unknown:
            first = sorted(unknown)[0]
            raise self.error(
                ", ".join(sorted(unknown)),
                f"unknown key{did_you_mean(first, TOP_KEYS)} (known: {', '.join(sorted(TOP_KEYS))})",
            )
        lower = table.get("lower-severity-in-non-prod", True)
        if not isinstance(lower, bool):
            raise self.error("lower-severity-in-non-prod", "must be true or false")
        max_days = table.get("suppression-max-days", 365)
        if not isinstance(max_days, int) or isinstance(max_days, bool) or max_days < 1:
            raise self.error("suppression-max-days", "must be a positive number of days")
        by_labels = table.get("label-suppressions", False)
        if not isinstance(by_labels, bool):
            raise self.error("label-suppressions", "must be true or false")
        fail_on = table.get("fail-on")
        if fail_on is not None and fail_on not in (*SEVERITY_NAMES, "never"):
            raise self.error(
                "fail-on", f"must be one of {', '.join(SEVERITY_NAMES)}, never; got {fail_on!r}"
            )
        on_incomplete = table.get("on-incomplete", "fail")
        if on_incomplete not in ("fail", "warn"):
            raise self.error("on-incomplete", f"must be fail or warn; got {on_incomplete!r}")
        return Config(
            source=self.where,
            environments=self.environments(table.get("environments", {})),
            check_options=self.check_options(table.get("check-options", {})),
            lower_severity_in_non_prod=lower,
            fail_on=Severity(fail_on) if fail_on not in (None, "never") else None,
            fail_on_set=fail_on is not None,
            on_incomplete=on_incomplete,
            select=self.strings("select", table.get("select", [])),
            skip=self.strings("skip", table.get("skip", [])),
            severity=self.severities(table.get("severity", {})),
            suppressions=self.suppressions(table.get("suppressions", []), max_days),
            suppression_max_days=max_days,
            label_suppressions=by_labels,
            locations=self.locations(table.get("locations", {})),
            rate_limits=self.rates(table.get("rate-limits", {})),
        )

    def rates(self, table: Any) -> dict[str, float]:
        if not isinstance(table, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and 0 <= v < float("inf")
            for v in table.values()
        ):
            raise self.error(
                "rate-limits", "must map API labels to requests per second (a number >= 0)"
            )
        return {str(k): float(v) for k, v in table.items()}

    def strings(self, key: str, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.error(key, "must be a list of check ids, globs or areas")
        return tuple(value)

    def environments(self, table: Any) -> tuple[tuple[str, Environment], ...]:
        if not isinstance(table, dict):
            raise self.error("environments", "must be a table of lists")
        mapping: list[tuple[str, Environment]] = []
        for name, patterns in table.items():
            try:
                env = Environment(name)
            except ValueError:
                raise self.error(f"environments.{name}", "not one of prod, staging, dev") from None
            if (
                env is Environment.UNKNOWN
                or not isinstance(patterns, list)
                or not all(isinstance(p, str) and p for p in patterns)
            ):
                raise self.error(f"environments.{name}", "must be a list of project IDs or globs")
            mapping.extend((pattern, env) for pattern in patterns)
        return tuple(mapping)

    def check_options(self, table: Any) -> dict[str, dict[str, OptionValue]]:
        if not isinstance(table, dict) or not all(isinstance(v, dict) for v in table.values()):
            raise self.error("check-options", 'must hold one table per check id ("iam.sa-key-age")')
        return {check_id: dict(options) for check_id, options in table.items()}

    def severities(self, table: Any) -> tuple[tuple[str, Severity], ...]:
        if not isinstance(table, dict):
            raise self.error("severity", "must map check ids or globs to severities")
        found = []
        for pattern, value in table.items():
            if value not in SEVERITY_NAMES:
                raise self.error(
                    f"severity.{pattern}",
                    f"must be one of {', '.join(SEVERITY_NAMES)}; got {value!r}",
                )
            found.append((pattern, Severity(value)))
        return tuple(found)

    def suppressions(self, entries: Any, max_days: int) -> tuple[Suppression, ...]:
        if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
            raise self.error("suppressions", "must be an array of tables ([[suppressions]])")
        return tuple(self.suppression(i, e, max_days) for i, e in enumerate(entries))

    def suppression(self, index: int, entry: dict[str, Any], max_days: int) -> Suppression:
        key = f"suppressions[{index}]"
        unknown = set(entry) - SUPPRESSION_KEYS
        if unknown:
            raise self.error(
                key,
                f"unknown {'key' if len(unknown) == 1 else 'keys'} {', '.join(sorted(unknown))}"
                f"{did_you_mean(sorted(unknown)[0], SUPPRESSION_KEYS)}"
                f" (known: {', '.join(sorted(SUPPRESSION_KEYS))})",
            )
        for required in ("check", "resource", "reason", "expires"):
            if not entry.get(required):
                raise self.error(key, f"'{required}' is required")
        for text in ("check", "resource", "reason", "project", "subject", "owner", "ticket"):
            if text in entry and not isinstance(entry[text], str):
                raise self.error(f"{key}.{text}", "must be a string")
        expires = entry["expires"]
        if isinstance(expires, str):
            try:
                expires = date.fromisoformat(expires)
            except ValueError:
                raise self.error(
                    f"{key}.expires", f"must be a date (YYYY-MM-DD); got {expires!r}"
                ) from None
        if not isinstance(expires, date):
            raise self.error(f"{key}.expires", "must be a date (YYYY-MM-DD)")
        if expires > self.today + timedelta(days=max_days):
            raise self.error(
                f"{key}.expires", f"{expires} is more than suppression-max-days ({max_days}) ahead"
            )
        return Suppression(
            check=entry["check"],
            resource=entry["resource"],
            reason=entry["reason"],
            expires=expires,
            source=f"{self.where} {key}",
            project=entry.get("project"),
            subject=entry.get("subject"),
            owner=entry.get("owner"),
            ticket=entry.get("ticket"),
        )

    def locations(self, table: Any) -> tuple[Location, ...]:
        if not isinstance(table, dict) or not all(isinstance(v, str) and v for v in table.values()):
            raise self.error("locations", 'must map resource globs to "path" or "path:line"')
        found = []
        for pattern, target in table.items():
            path, _, line = target.rpartition(":") if ":" in target else (target, "", "1")
            if (
                not path
                or not line.isdigit()
                or int(line) < 1
                or path.startswith("/")
                or "://" in target
            ):
                raise self.error(
                    f"locations.{pattern}",
                    f'must be a relative "path" or "path:line"; got {target!r}',
                )
            found.append(Location(pattern, path, int(line)))
        return tuple(found)


def validate_checks(
    config: Config,
    declared: Mapping[str, Mapping[str, OptionValue]],
    known_ids: Sequence[str],
    areas: Sequence[str],
) -> None:
    """Every check named in the config exists, and every option is declared with the same type."""

    def matches(pattern: str) -> bool:
        return pattern in areas or bool(fnmatch.filter(known_ids, pattern))

    for key, patterns in (("select", config.select), ("skip", config.skip)):
        for pattern in patterns:
            if not matches(pattern):
                raise ConfigFileError(
                    f"{config.source}: {key}: no check or area matches {pattern!r}"
                    + did_you_mean(pattern, [*known_ids, *areas])
                )
    for pattern, _ in config.severity:
        if not fnmatch.filter(known_ids, pattern):
            raise ConfigFileError(
                f"{config.source}: severity.{pattern}: no check matches"
                + did_you_mean(pattern, known_ids)
            )
    for suppression in config.suppressions:
        if not fnmatch.filter(known_ids, suppression.check):
            raise ConfigFileError(
                f"{suppression.source}.check: no check matches {suppression.check!r}"
                + did_you_mean(suppression.check, known_ids)
            )
    for check_id, options in config.check_options.items():
        if check_id not in known_ids:
            raise ConfigFileError(
                f"{config.source}: check-options: no check {check_id!r}"
                + did_you_mean(check_id, known_ids)
            )
        defaults = declared.get(check_id, {})
        for key, value in options.items():
            if key not in defaults:
                allowed = ", ".join(sorted(defaults)) or "none"
                raise ConfigFileError(
                    f"{config.source}: check-options.{check_id}: unknown option {key!r} (options: {allowed})"
                )
            if type(value) is not type(defaults[key]):
                raise ConfigFileError(
                    f"{config.source}: check-options.{check_id}.{key}: must be {type(defaults[key]).__name__}"
                )
