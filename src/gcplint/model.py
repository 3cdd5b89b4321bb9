"""The result model shared by checks, the runner and every reporter."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class Severity(enum.Enum):
    """How bad a failing result is; ordered from most to least severe."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"

    @property
    def rank(self) -> int:
        """4 for critical down to 0 for info."""
        return len(_SEVERITY_ORDER) - 1 - _SEVERITY_ORDER.index(self)

    def at_least(self, threshold: Severity) -> bool:
        """True when this severity is as bad as `threshold` or worse."""
        return self.rank >= threshold.rank

    def lowered(self) -> Severity:
        """One level less severe (info stays info)."""
        return _SEVERITY_ORDER[min(_SEVERITY_ORDER.index(self) + 1, len(_SEVERITY_ORDER) - 1)]


_SEVERITY_ORDER = list(Severity)


class Status(enum.Enum):
    """The outcome of one check on one resource."""

    PASS = "pass"
    FAIL = "fail"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not_applicable"


class Reason(enum.Enum):
    """Why a result is unknown (data could not be read) or not applicable."""

    PERMISSION_DENIED = "PERMISSION_DENIED"
    API_DISABLED = "API_DISABLED"
    BILLING_DISABLED = "BILLING_DISABLED"
    QUOTA_EXHAUSTED = "QUOTA_EXHAUSTED"
    UNAVAILABLE = "UNAVAILABLE"
    NOT_FOUND = "NOT_FOUND"
    ERROR = "ERROR"
    NOT_PRODUCTION = "NOT_PRODUCTION"  # a production-only check on a staging or dev project

    @property
    def not_applicable(self) -> bool:
        """True when the reason means the resource cannot exist rather than cannot be seen."""
        return self in (Reason.API_DISABLED, Reason.BILLING_DISABLED)


class Area(enum.Enum):
    """The production-checklist area a check belongs to, in report order."""

    ENVIRONMENT = "environment-separation"
    IAM = "least-privilege"
    DATABASE = "database-exposure"
    BUDGET = "budgets-alerting"
    ROLLBACK = "rollback-readiness"
    SERVICES = "service-map"
    RELIABILITY = "reliability"

    @property
    def title(self) -> str:
        """Human heading for the area."""
        return _AREA_TITLES[self]


_AREA_TITLES = {
    Area.ENVIRONMENT: "Environment separation",
    Area.IAM: "Least-privilege service accounts",
    Area.DATABASE: "Database exposure and resilience",
    Area.BUDGET: "Budgets and alerting",
    Area.ROLLBACK: "Rollback readiness",
    Area.SERVICES: "Service map",
    Area.RELIABILITY: "Reliability: stays up, and someone is told when it does not",
}


@dataclass(frozen=True)
class Outcome:
    """What a check yields: a verdict on one resource, before the runner stamps it."""

    status: Status
    resource: str
    message: str
    subject: str | None = None
    remediation: str | None = None
    reason: Reason | None = None
    severity: Severity | None = None
    grant: str | None = None  # what the finding grants (roles, CIDRs, an access mode): its identity


def passed(resource: str, message: str, *, subject: str | None = None) -> Outcome:
    """The resource meets the check."""
    return Outcome(Status.PASS, resource, message, subject=subject)


def failed(
    resource: str,
    message: str,
    *,
    remediation: str | None = None,
    subject: str | None = None,
    severity: Severity | None = None,
    grant: str | None = None,
) -> Outcome:
    """The resource violates the check; `severity` overrides the check's default; `grant` is
    what the finding grants (roles, CIDRs, an access mode), part of its fingerprint, so a
    wider grant to the same subject is a new finding."""
    return Outcome(
        Status.FAIL,
        resource,
        message,
        subject=subject,
        remediation=remediation,
        severity=severity,
        grant=grant,
    )


def unknown(
    resource: str,
    reason: Reason,
    message: str,
    *,
    remediation: str | None = None,
    subject: str | None = None,
) -> Outcome:
    """The data needed to judge the resource could not be read."""
    return Outcome(
        Status.UNKNOWN, resource, message, subject=subject, reason=reason, remediation=remediation
    )


def not_applicable(resource: str, reason: Reason, message: str) -> Outcome:
    """The check cannot apply (e.g. the API is disabled, so the resource cannot exist)."""
    return Outcome(Status.NOT_APPLICABLE, resource, message, reason=reason)


@dataclass(frozen=True)
class Suppressed:
    """Why a result is accepted: from a config entry (external) or a resource label (inSource)."""

    reason: str
    source: str
    expires: date | None = None
    kind: str = "external"  # SARIF suppression kind: external (config) or inSource (label)
    owner: str | None = None
    ticket: str | None = None


@dataclass(frozen=True, slots=True)
class Result:
    """One stamped result: an outcome plus the check and project it belongs to."""

    check: str
    severity: Severity
    status: Status
    project: str
    resource: str
    subject: str | None
    message: str
    reason: Reason | None
    remediation: str | None
    suppressed: Suppressed | None = None
    baseline: str | None = None  # "new" or "unchanged" against a baseline, for findings
    grant: str | None = None  # what the finding grants (roles, CIDRs, an access mode)

    @property
    def fingerprint(self) -> str:
        """Stable identity across runs: check id, resource, subject and what it grants (so a
        wider grant is a new finding, never "unchanged since baseline")."""
        import hashlib  # only reports need it: keep `import gcplint.api` light

        from .safetext import unsurrogate  # as written: a lone surrogate is U+FFFD

        key = "\x1f".join((self.check, self.resource, self.subject or "", self.grant or ""))
        return hashlib.sha256(unsurrogate(key).encode()).hexdigest()[:32]

    @property
    def is_finding(self) -> bool:
        """True for a failing result."""
        return self.status is Status.FAIL

    @property
    def active(self) -> bool:
        """Counts towards gating: not suppressed, and not already in the baseline."""
        return self.suppressed is None and self.baseline != "unchanged"


def project_resource(project_id: str) -> str:
    """The full resource name of a project."""
    return f"//cloudresourcemanager.googleapis.com/projects/{project_id}"


@dataclass(frozen=True)
class ApiUse:
    """What one API cost a run: calls made, 429s received, seconds callers waited for a token,
    the rate achieved (calls per second between the first call and the last) and the rate the
    limit ended at (None: never limited)."""

    label: str
    calls: int
    throttled: int
    waited: float
    achieved: float
    limit: float | None
