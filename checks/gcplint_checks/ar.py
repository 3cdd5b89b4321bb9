"""Service map, Artifact Registry: private repositories, scanned images, bounded storage that
still keeps what a rollback needs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import Area, Inventory, Outcome, Severity, check, failed, passed, registry

from ._policy import public_resource
from ._resources import resource_name
from ._shell import sh, sh_field

JSON = Mapping[str, Any]


def location_and_id(repository: JSON) -> tuple[str, str]:
    """(location, repository id) from the repository's name."""
    parts = str(repository.get("name", "")).split("/")
    return (parts[3] if len(parts) > 3 else "LOCATION"), parts[-1]


def docker(inv: Inventory) -> list[JSON]:
    """The project's DOCKER repositories."""
    return [r for r in inv.get(registry.REPOSITORIES) if r.get("format") == "DOCKER"]


@check(
    id="ar.public-repo",
    waf=("security",),
    title="No Artifact Registry repository is public",
    severity=Severity.CRITICAL,
    area=Area.SERVICES,
    requires=[registry.REPOSITORIES, registry.REPOSITORY_IAM],
    exposure=True,
    security=True,
)
def public_repo(inv: Inventory) -> Iterator[Outcome]:
    """A repository's IAM policy names `allUsers` or `allAuthenticatedUsers`.

    ## Why it matters
    Images carry your code, its dependencies and often baked-in configuration. A public reader
    grant publishes all of it; a public writer grant lets anyone replace what you deploy.

    ## Example
    Repository `app` granting roles/artifactregistry.reader to allUsers: critical.

    ## Remediation
    `gcloud artifacts repositories remove-iam-policy-binding REPOSITORY --location=LOCATION --member=allUsers --role=ROLE`.

    ## References
    - https://cloud.google.com/artifact-registry/docs/access-control
    """
    for repository in inv.get(registry.REPOSITORIES):
        location, short = location_and_id(repository)
        yield from public_resource(
            inv,
            registry.REPOSITORY_IAM,
            repository,
            f"Repository {short} ({location})",
            f"gcloud artifacts repositories remove-iam-policy-binding {sh_field(short)} --location={sh_field(location)} "
            f"--project={sh_field(inv.project_id)} --member={{member}} --role={{role}}{{all}}",
        )


@check(
    id="ar.vuln-scanning-off",
    waf=("security",),
    title="Docker repositories are scanned for vulnerabilities",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.REPOSITORIES],
    security=True,
)
def vuln_scanning_off(inv: Inventory) -> Iterator[Outcome]:
    """A docker repository's `vulnerabilityScanningConfig` reports scanning disabled
    (`enablementState` SCANNING_DISABLED, or `enablementConfig` DISABLED).

    The `enablementStateReason` is quoted: it often says the Container Scanning API is off.

    ## Why it matters
    Without scanning, images with known critical CVEs are deployed and stay deployed unnoticed.

    ## Example
    `vulnerabilityScanningConfig: {enablementState: SCANNING_DISABLED}`: fails.

    ## Remediation
    `gcloud services enable containerscanning.googleapis.com --project=PROJECT_ID` and
    `gcloud artifacts repositories update REPOSITORY --location=LOCATION --allow-vulnerability-scanning`.

    ## References
    - https://cloud.google.com/artifact-analysis/docs/enable-automatic-scanning
    """
    for repository in docker(inv):
        location, short = location_and_id(repository)
        resource = resource_name(inv, registry.REPOSITORIES, repository)
        config = repository.get("vulnerabilityScanningConfig") or {}
        state = config.get("enablementState", "ENABLEMENT_STATE_UNSPECIFIED")
        if state == "SCANNING_DISABLED" or config.get("enablementConfig") == "DISABLED":
            reason = str(config.get("enablementStateReason") or "").rstrip(".")
            yield failed(
                resource,
                f"Docker repository {short} ({location}) is not scanned for vulnerabilities ({state}"
                + (f": {reason}" if reason else "")
                + ").",
                remediation=(
                    f"gcloud services enable containerscanning.googleapis.com --project={sh(inv.project_id)} && "
                    f"gcloud artifacts repositories update {sh(short)} --location={sh(location)} --project={sh(inv.project_id)} "
                    "--allow-vulnerability-scanning"
                ),
            )
        else:
            yield passed(
                resource,
                f"Docker repository {short} ({location}) scanning state: {state}.",
            )


def cleanup_problem(repository: JSON) -> str | None:
    """Why the repository's cleanup policies do not bound storage safely, or None."""
    policies = list((repository.get("cleanupPolicies") or {}).values())
    if not policies:
        return "no cleanup policy, so storage grows without bound"
    deletes = [p for p in policies if p.get("action") == "DELETE"]
    keeps = [
        p
        for p in policies
        if p.get("action") == "KEEP" and (p.get("mostRecentVersions") or {}).get("keepCount")
    ]
    if not deletes:
        return "only KEEP cleanup policies, which delete nothing, so storage grows without bound"
    if not keeps:
        return "a DELETE rule without a KEEP rule for the most recent versions, so rollback targets can be deleted"
    if repository.get("cleanupPolicyDryRun") is True:
        return "cleanup policies in dry-run mode, which delete nothing"
    return None


@check(
    id="ar.no-cleanup-policy",
    waf=("cost-optimization",),
    title="Docker repositories have a cleanup policy that keeps rollback targets",
    severity=Severity.LOW,
    area=Area.SERVICES,
    requires=[registry.REPOSITORIES],
)
def no_cleanup_policy(inv: Inventory) -> Iterator[Outcome]:
    """A docker repository has no (effective) cleanup policy: none at all, only KEEP policies
    (they delete nothing), a DELETE policy without a KEEP policy for the most recent versions, or
    policies in dry-run mode (`cleanupPolicyDryRun: true`).

    A repository passes only with at least one DELETE policy (`action: DELETE`) and a KEEP policy
    with `mostRecentVersions.keepCount`, not in dry-run mode. Dry run fails rather than passing
    with a note: the cleanup pipeline then deletes nothing, so storage grows exactly as without a
    policy; the message says it is dry run, which is the usual step before switching it on.

    ## Why it matters
    Without cleanup, every CI build adds an image forever and storage cost only grows. But a
    DELETE rule without a KEEP rule (`mostRecentVersions.keepCount`) deletes the images of
    rollback targets too: a rollback then fails (see `run.rollback-image-missing`).

    ## Example
    `cleanupPolicies: {}`: fails. A KEEP rule `mostRecentVersions.keepCount: 10` alone: fails
    (nothing is ever deleted). A DELETE rule `olderThan: 2592000s` plus that KEEP rule: passes;
    the same with `cleanupPolicyDryRun: true`: fails.

    ## Remediation
    `gcloud artifacts repositories set-cleanup-policies REPOSITORY --location=LOCATION --policy=policy.json --no-dry-run`
    with a DELETE rule for old untagged images and a KEEP rule for the 10 most recent versions.

    ## References
    - https://cloud.google.com/artifact-registry/docs/repositories/cleanup-policy
    """
    for repository in docker(inv):
        location, short = location_and_id(repository)
        resource = resource_name(inv, registry.REPOSITORIES, repository)
        problem = cleanup_problem(repository)
        if problem is None:
            yield passed(
                resource,
                f"Docker repository {short} ({location}) has a cleanup policy that keeps recent versions.",
            )
        else:
            yield failed(
                resource,
                f"Docker repository {short} ({location}) has {problem}.",
                remediation=(
                    f"gcloud artifacts repositories set-cleanup-policies {sh(short)} --location={sh(location)} "
                    f"--project={sh(inv.project_id)} --policy=policy.json --no-dry-run  (DELETE old untagged, KEEP 10 most recent)"
                ),
            )
