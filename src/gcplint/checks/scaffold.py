"""`gcplint checks new ID`: the skeleton of a new check and of its case file.

The check is written into the pack module named after the id's prefix (`sql.py` for `sql.*`, or
a new module in the package `run/` for `run.*`); the case file holds a passing, a failing and an
unreadable case to fill in. The skeleton raises NotImplementedError, so every case fails (the
check reports unknown: "crashed") until the check is written: nothing scaffolded can pass.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import UsageError
from ..model import Area, Severity
from .spec import ID_PATTERN

MODULE_HEADER = '''"""{prefix}: checks whose ids start with `{prefix}.`."""

from __future__ import annotations

from collections.abc import Iterator

from gcplint.api import Area, Inventory, Outcome, Severity, check, registry
'''

CHECK = '''

@check(
    id="{id}",
    title="{title}",
    severity=Severity.{severity},
    area=Area.{area},
    requires=[registry.PROJECT],  # every collection the check reads, e.g. registry.SQL_INSTANCES
)
def {function}(inv: Inventory) -> Iterator[Outcome]:
    """{title}: say here, in one paragraph, exactly what fails.

    ## Why it matters
    What goes wrong in production when this fails, and for whom.

    ## Example
    A resource that fails, and one that passes.

    ## Remediation
    The fix, with a `gcloud` command where one exists.

    ## References
    - https://cloud.google.com/docs
    """
    raise NotImplementedError("judge inv.get(...) and yield passed() or failed()")
    yield  # a check is a generator of Outcomes
'''


@dataclass(frozen=True)
class Scaffold:
    """What `checks new` writes: the check's module (created or appended to) and its cases."""

    module: Path
    module_text: str  # the whole new content of `module`
    cases: Path
    cases_text: str


def scaffold(
    check_id: str,
    title: str,
    severity: Severity,
    area: Area,
    pack: Path,
    cases_dir: Path,
) -> Scaffold:
    """The files for a new check; refuses an id that is malformed or already has files."""
    if not ID_PATTERN.match(check_id):
        raise UsageError(
            f"check id {check_id!r} must look like 'area.some-name' (lowercase, dotted)"
        )
    if not pack.is_dir():
        raise UsageError(f"--pack {pack}: not a directory (the check pack's package directory)")
    prefix, _, rest = check_id.partition(".")
    function = re.sub(r"[^a-z0-9]+", "_", rest).strip("_")
    package = pack / prefix
    module = package / f"{function}.py" if package.is_dir() else pack / f"{prefix}.py"
    existing = module.read_text(encoding="utf-8") if module.exists() else None
    if existing is not None and re.search(rf"^def {function}\(", existing, re.MULTILINE):
        raise UsageError(f"{module} already defines {function}(): pick another id")
    cases = cases_dir / f"{check_id}.json"
    if cases.exists():
        raise UsageError(f"{cases} already exists: the check has cases already")
    body = CHECK.format(
        id=check_id,
        title=title.replace('"', "'"),
        severity=severity.name,
        area=area.name,
        function=function,
    )
    header = MODULE_HEADER.format(prefix=prefix)
    return Scaffold(
        module, (existing or header).rstrip("\n") + "\n" + body, cases, _cases(check_id)
    )


def _cases(check_id: str) -> str:
    project = "//cloudresourcemanager.googleapis.com/projects/acme-prod"
    document = {
        "schema": "gcplint-cases/v1",
        "check": check_id,
        "cases": [
            {
                "name": "passes: describe the passing world (fragments merge onto base-world.json)",
                "world": {"projects": {"acme-prod": {}}},
                "expect": [{"status": "pass", "resource": project}],
            },
            {
                "name": "fails: describe the failing world",
                "world": {"projects": {"acme-prod": {}}},
                "expect": [{"status": "fail", "resource": project}],
            },
            {
                "name": "unknown when the data cannot be read",
                "faults": [
                    {
                        "path": "/cloudresourcemanager/v3/projects/acme-prod",
                        "error": "PERMISSION_DENIED",
                    }
                ],
                "expect": [
                    {"status": "unknown", "reason": "PERMISSION_DENIED", "resource": project}
                ],
            },
        ],
    }
    return json.dumps(document, indent=1) + "\n"
