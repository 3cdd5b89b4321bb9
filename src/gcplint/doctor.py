"""`gcplint doctor`: which permissions the selected checks need, and which the identity lacks.

Each check's permissions come from the collections it declares. The doctor asks
`testIamPermissions` on every project in scope, on the folders and organization above them and
on their billing accounts, and maps each missing permission to the checks it would leave unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from .checks.spec import CheckSpec
from .collect.collection import Permission, Unreadable
from .collect.failures import ApiCallError
from .collect.registry import ANCESTRY, BILLING_INFO, PROJECT
from .collect.registry.billing import billing_granted
from .collect.registry.resourcemanager import granted
from .collect.session import Session
from .environment import Environment
from .resources import ProjectInfo

PROJECT_ROLES = "roles/viewer + roles/iam.securityReviewer"  # between them, every project read
KINDS = ("project", "folder", "organization", "billing account")  # in report order


@dataclass
class Target:
    """One resource whose permissions were tested."""

    kind: str  # one of KINDS
    name: str  # "projects/acme-prod", "folders/123", "billingAccounts/X"
    blocks: dict[str, list[str]]  # each permission needed here: the checks that need it
    missing: list[str] = field(default_factory=list)
    error: str | None = None  # testIamPermissions itself could not be answered

    @property
    def needed(self) -> list[str]:
        """The permissions tested."""
        return list(self.blocks)

    @property
    def label(self) -> str:
        """'project acme-prod'."""
        return f"{self.kind} {self.name.partition('/')[2]}"


def needs(specs: Sequence[CheckSpec]) -> dict[Permission, list[str]]:
    """Every permission the checks need, with the ids of the checks that need it."""
    found: dict[Permission, list[str]] = {}
    for spec in specs:
        for permission in spec.permissions:
            found.setdefault(permission, []).append(spec.id)
    return dict(sorted(found.items(), key=lambda item: (item[0].on, item[0].name)))


def diagnose(
    session: Session,
    specs: Sequence[CheckSpec],
    projects: Sequence[str],
    environments: Sequence[tuple[str, Environment]] = (),
) -> list[Target]:
    """Test the needed permissions on every project in scope, its folders and organization, and
    its billing account. On a staging or dev project, production-only checks read nothing, so
    what only they need is not asked there (`environments`: the config's overrides)."""
    by_kind: dict[str, dict[str, list[str]]] = {}
    for permission, checks in needs(specs).items():
        by_kind.setdefault(permission.on, {})[permission.name] = checks
    prod_only = {s.id for s in specs if s.prod_only}
    targets: dict[str, Target] = {}
    for project in projects:
        if "project" in by_kind:
            applies = by_kind["project"]
            if _non_prod(session, project, environments):
                applies = {p: [c for c in ids if c not in prod_only] for p, ids in applies.items()}
                applies = {p: ids for p, ids in applies.items() if ids}
            name = f"projects/{project}"
            targets.setdefault(name, Target("project", name, applies))
        for kind in ("folder", "organization"):
            if kind in by_kind:
                for name in _ancestors(session, project, kind):
                    targets.setdefault(name, Target(kind, name, by_kind[kind]))
        if "billing account" in by_kind:
            account = _billing_account(session, project)
            if account:
                targets.setdefault(
                    account, Target("billing account", account, by_kind["billing account"])
                )
    found = sorted(targets.values(), key=lambda t: KINDS.index(t.kind))
    for target in found:
        _test(session, target)
    return found


def _non_prod(
    session: Session, project: str, environments: Sequence[tuple[str, Environment]]
) -> bool:
    """A known staging or dev project (unreadable metadata: judged as production)."""
    try:
        info = ProjectInfo.from_rest(session.read(PROJECT, project))
    except Unreadable:
        return False
    return info.classification(environments).environment.non_prod


def _ancestors(session: Session, project: str, kind: str) -> list[str]:
    """The folders (or the organization) above a project; only the parent when the chain cannot
    be read."""
    prefix = f"{kind}s/"
    try:
        return [name for name in session.read(ANCESTRY, project) if name.startswith(prefix)]
    except Unreadable:
        try:
            parent = str(session.read(PROJECT, project).get("parent", ""))
        except Unreadable:
            return []
        return [parent] if parent.startswith(prefix) else []


def _billing_account(session: Session, project: str) -> str | None:
    try:
        info = session.read(BILLING_INFO, project)
    except Unreadable:
        return None
    account = str(info.get("billingAccountName") or "")
    return account if info.get("billingEnabled") and account else None


def _test(session: Session, target: Target) -> None:
    try:
        if target.kind == "billing account":
            held = set(billing_granted(session, target.name, target.needed))
        else:
            held = set(granted(session, target.name, target.needed))
    except ApiCallError as exc:
        target.error = f"{exc.failure.reason.value}: {exc.failure.message}"
        return
    target.missing = [p for p in target.needed if p not in held]


def role_yaml(specs: Sequence[CheckSpec], version: str) -> str:
    """A custom role definition for `gcloud iam roles create --file` with exactly the project
    permissions the checks read; permissions granted elsewhere are listed as comments."""
    required = needs(specs)
    project = sorted(p.name for p in required if p.on == "project")
    lines = [
        f"# gcplint {version}: the project permissions read by {len(specs)} checks.",
        "# gcloud iam roles create gcplintScanner --project=PROJECT_ID --file=role.yaml",
        "#   (or --organization=ORG_ID to grant it on every project of the organization)",
    ]
    elsewhere = sorted({(p.on, p.name) for p in required if p.on != "project"})
    if elsewhere:
        lines.append("# Also needed, outside a project role:")
        roles = {(p.on, p.name): p.role for p in required}
        lines += [f"#   on each {on}: {name} (e.g. {roles[(on, name)]})" for on, name in elsewhere]
    lines += [
        "title: gcplint scanner",
        "description: Read-only permissions for gcplint production-readiness scans",
        "stage: GA",
        "includedPermissions:",
        *(f"- {name}" for name in project),
    ]
    return "\n".join(lines) + "\n"
