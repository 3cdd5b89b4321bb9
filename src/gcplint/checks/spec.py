"""The `@check` decorator and the frozen `CheckSpec` it returns."""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..collect.collection import Collection, Permission
from ..collect.registry import PROJECT
from ..model import Area, Outcome, Severity
from .frameworks import Control, controls
from .inventory import Inventory

if TYPE_CHECKING:
    from ..config import OptionValue

CheckFunc = Callable[[Inventory], Iterable[Outcome]]

ID_PATTERN = re.compile(r"^[a-z][a-z0-9]*(\.[a-z0-9]+(-[a-z0-9]+)*)+$")
_SECTION = re.compile(r"^## +(.+?)\s*$", re.MULTILINE)


@dataclass(frozen=True)
class CheckSpec:
    """A check: its metadata, the collections it reads, and the function that judges them."""

    id: str
    title: str
    severity: Severity
    area: Area
    requires: tuple[Collection[Any], ...]
    func: CheckFunc
    doc: str
    options: Mapping[str, OptionValue] = field(default_factory=dict)
    exposure: bool = False  # public exposure: findings keep their severity in non-prod projects
    security: bool = (
        False  # a security rule (SARIF security-severity), not only reliability or cost
    )
    across: tuple[Collection[Any], ...] = ()  # read from every project in scope, not just its own
    prod_only: bool = False  # judged in production projects (and those of unknown environment)
    controls: tuple[Control, ...] = ()  # the CIS recommendations and WAF pillars it evidences

    @property
    def tags(self) -> tuple[str, ...]:
        """Its controls' tags (`CIS-GCP-3.0.0/5.1`, `waf-security`), for SARIF and JSON."""
        return tuple(c.tag for c in self.controls)

    @property
    def source(self) -> str:
        """Where the check is defined: module:function."""
        return f"{self.func.__module__}:{self.func.__qualname__}"

    @property
    def summary(self) -> str:
        """The docstring's first paragraph."""
        return self.doc.split("\n\n", 1)[0].replace("\n", " ").strip()

    @property
    def permissions(self) -> tuple[Permission, ...]:
        """Every IAM permission the check's collections may need, in declaration order."""
        return tuple(dict.fromkeys(p for c in self.requires for p in c.permissions))

    def section(self, heading: str) -> str | None:
        """The text under a `## heading` of the docstring, if present."""
        parts = _SECTION.split(self.doc)
        for i in range(1, len(parts) - 1, 2):
            if parts[i].lower() == heading.lower():
                return parts[i + 1].strip()
        return None

    def run(self, inventory: Inventory) -> Iterator[Outcome]:
        """Judge one project."""
        yield from self.func(inventory)


def check(
    *,
    id: str,
    title: str,
    severity: Severity,
    area: Area,
    requires: Iterable[Collection[Any]],
    options: Mapping[str, OptionValue] | None = None,
    exposure: bool = False,
    security: bool = False,
    across: Iterable[Collection[Any]] = (),
    prod_only: bool = False,
    cis: Iterable[str] = (),
    waf: Iterable[str] = (),
) -> Callable[[CheckFunc], CheckSpec]:
    """Declare a check. The decorated function's docstring is its documentation.

    `options` are tunables with their defaults (overridable per check in the config file);
    `exposure` marks public-exposure checks whose findings are not lowered in non-prod projects;
    `security` marks security rules (as opposed to reliability and cost);
    `across` names the collections (among `requires`) the check reads from *every* project in
    scope: they are kept (in the collection's `compact` form, if it has one) while the rest of a
    project's data is released once its checks have run, and the check runs after all projects;
    `prod_only` checks judge production projects only (and those whose environment is unknown):
    on a staging or dev project they give one not_applicable result, reason NOT_PRODUCTION. They
    read the project's metadata to tell (added to `requires`).
    `cis` names the CIS Google Cloud Platform Foundation Benchmark recommendations the check
    evidences (numbers such as "5.1", of the version in checks/frameworks.py), `waf` the Google
    Cloud Architecture Framework pillars ("reliability", "security", "cost-optimization",
    "operational-excellence", "performance"): map only where the control really matches.
    The decorator returns a frozen CheckSpec: nothing is registered anywhere. A check pack is
    any module (or package) whose module-level CheckSpecs are found by the plugin loader.
    """
    if not ID_PATTERN.match(id):
        raise ValueError(f"check id {id!r} must look like 'area.some-name' (lowercase, dotted)")
    needs = tuple(dict.fromkeys([*requires, *([PROJECT] if prod_only else [])]))
    if not needs or not all(isinstance(c, Collection) for c in needs):
        raise TypeError(f"check {id}: requires= must name at least one Collection")
    shared = tuple(across)
    if any(c not in needs for c in shared):
        raise TypeError(f"check {id}: across= must only name collections in requires=")
    if not isinstance(severity, Severity) or not isinstance(area, Area):
        raise TypeError(f"check {id}: severity and area must be Severity and Area members")
    try:
        mapped = controls(cis, waf)
    except ValueError as exc:
        raise ValueError(f"check {id}: {exc}") from None

    def decorate(func: CheckFunc) -> CheckSpec:
        doc = inspect.cleandoc(func.__doc__ or "")
        if not doc:
            raise ValueError(
                f"check {id}: the function needs a docstring (it is the documentation)"
            )
        return CheckSpec(
            id,
            title,
            severity,
            area,
            needs,
            func,
            doc,
            dict(options or {}),
            exposure,
            security,
            shared,
            prod_only,
            mapped,
        )

    return decorate
