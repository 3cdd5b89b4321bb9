"""The compliance frameworks a check may evidence: the CIS Google Cloud Platform Foundation
Benchmark (one version, defined here once) and the Google Cloud Architecture Framework pillars.

A check names the controls it evidences in its own `@check(cis=…, waf=…)` declaration; this
module only knows what the ids mean (the benchmark's recommendation titles, the pillars), how
they are tagged (SARIF `properties.tags`, the JSON report) and selected (`--framework`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import UsageError, did_you_mean

if TYPE_CHECKING:
    from .spec import CheckSpec

CIS_BENCHMARK = "CIS Google Cloud Platform Foundation Benchmark"
CIS_VERSION = "3.0.0"
# The recommendations some check evidences, with their titles as the benchmark states them.
CIS_RECOMMENDATIONS: Mapping[str, str] = {
    "1.4": "Ensure That There Are Only GCP-Managed Service Account Keys for Each Service Account",
    "1.5": "Ensure That Service Account Has No Admin Privileges",
    "1.6": "Ensure That IAM Users Are Not Assigned the Service Account User or Service Account"
    " Token Creator Roles at Project Level",
    "1.7": "Ensure User-Managed/External Keys for Service Accounts Are Rotated Every 90 Days or"
    " Less",
    "2.1": "Ensure That Cloud Audit Logging Is Configured Properly",
    "5.1": "Ensure That Cloud Storage Bucket Is Not Anonymously or Publicly Accessible",
    "5.2": "Ensure That Cloud Storage Buckets Have Uniform Bucket-Level Access Enabled",
    "6.4": "Ensure That the Cloud SQL Database Instance Requires All Incoming Connections To Use"
    " SSL",
    "6.5": "Ensure That Cloud SQL Database Instances Do Not Implicitly Whitelist All Public IP"
    " Addresses",
    "6.6": "Ensure That Cloud SQL Database Instances Do Not Have Public IPs",
    "6.7": "Ensure That Cloud SQL Database Instances Are Configured With Automated Backups",
}

WAF = "Google Cloud Architecture Framework"
PILLARS: Mapping[str, str] = {
    "operational-excellence": "Operational excellence",
    "security": "Security, privacy, and compliance",
    "reliability": "Reliability",
    "cost-optimization": "Cost optimization",
    "performance": "Performance optimization",
}


@dataclass(frozen=True)
class Control:
    """One control a check evidences: its framework (`cis` or `waf`), id, title and tag."""

    framework: str
    id: str  # a CIS recommendation number (`5.1`) or a pillar (`reliability`)
    title: str

    @property
    def tag(self) -> str:
        """`CIS-GCP-3.0.0/5.1` or `waf-reliability`: the SARIF tag and the JSON report's."""
        if self.framework == "cis":
            return f"CIS-GCP-{CIS_VERSION}/{self.id}"
        return f"waf-{self.id}"

    @property
    def label(self) -> str:
        """The control in words, e.g. for `checks explain` and the HTML report."""
        if self.framework == "cis":
            return f"{CIS_BENCHMARK} v{CIS_VERSION} {self.id}: {self.title}"
        return f"{WAF}: {self.title}"


def controls(cis: Iterable[str], waf: Iterable[str]) -> tuple[Control, ...]:
    """The controls of a check's `cis=` and `waf=` declaration; ValueError for an unknown id."""
    found: list[Control] = []
    for number in cis:
        if number not in CIS_RECOMMENDATIONS:
            raise ValueError(
                f"cis= {number!r} is not a known {CIS_BENCHMARK} v{CIS_VERSION} recommendation"
                f" ({', '.join(CIS_RECOMMENDATIONS)}; add it to checks/frameworks.py)"
            )
        found.append(Control("cis", number, CIS_RECOMMENDATIONS[number]))
    for pillar in waf:
        if pillar not in PILLARS:
            raise ValueError(f"waf= {pillar!r} is not a pillar ({', '.join(PILLARS)})")
        found.append(Control("waf", pillar, PILLARS[pillar]))
    return tuple(dict.fromkeys(found))


FRAMEWORKS = ("cis", "waf", *(f"waf-{p}" for p in PILLARS))  # what --framework accepts


def parse_frameworks(given: Sequence[str]) -> tuple[str, ...]:
    """`--framework` values (repeatable, or comma lists), validated; UsageError when unknown."""
    names = [n.strip().lower() for item in given for n in item.split(",") if n.strip()]
    for name in names:
        if name not in FRAMEWORKS:
            raise UsageError(
                f"unknown framework {name!r}{did_you_mean(name, FRAMEWORKS)}"
                f" (one of {', '.join(FRAMEWORKS)})"
            )
    return tuple(dict.fromkeys(names))


def selected_controls(spec: CheckSpec, frameworks: Sequence[str]) -> list[Control]:
    """The check's controls that belong to one of `frameworks` (`cis`, `waf`, `waf-<pillar>`)."""
    return [c for c in spec.controls if any(name in (c.framework, c.tag) for name in frameworks)]


def evidences(spec: CheckSpec, frameworks: Sequence[str]) -> bool:
    """Whether the check is mapped to one of `frameworks` (`cis`, `waf`, `waf-<pillar>`)."""
    return bool(selected_controls(spec, frameworks))


def control_order(control: Control) -> tuple[int, tuple[int, ...]]:
    """Where a control is listed: CIS first, by recommendation number (1.4 before 1.10), then
    the Architecture Framework pillars in the framework's own order."""
    if control.framework == "cis":
        return 0, tuple(int(part) for part in control.id.split("."))
    return 1, (list(PILLARS).index(control.id),)
