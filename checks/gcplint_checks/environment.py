"""Environment separation: every project declares its environment, and environments stay apart."""

from __future__ import annotations

from collections.abc import Iterator

from gcplint.api import (
    Area,
    Environment,
    Inventory,
    Outcome,
    ProjectInfo,
    Severity,
    check,
    collections,
    failed,
    passed,
)


@check(
    id="env.unlabeled-project",
    title="Project declares its environment with an env label",
    severity=Severity.MEDIUM,
    area=Area.ENVIRONMENT,
    requires=[collections.PROJECT],
)
def unlabeled_project(inv: Inventory) -> Iterator[Outcome]:
    """Every project carries an `env` (or `environment`) label naming its environment.

    ## Why it matters
    Whether a project is production decides how strict every other rule must be, and whether a
    grant or a reference from another project crosses an environment boundary. A guess from the
    project ID is fragile (`shop-prod-test`?) and invisible to other tools; a label is explicit,
    queryable (`gcloud projects list --filter=labels.env=prod`) and lands in billing exports.
    Recognised values: prod, production, prd, live; staging, stage, stg, preprod, uat;
    dev, development, test, testing, qa, sandbox, sbx.

    ## Example
    A project `payments-7f3a` with labels `{team: payments}` fails: nothing says whether it is
    production. With `{env: prod}` it passes.

    ## Remediation
    `gcloud projects update PROJECT_ID --update-labels=env=prod` (or staging, dev).

    ## References
    - https://cloud.google.com/resource-manager/docs/creating-managing-labels
    - https://cloud.google.com/architecture/framework/security/implement-resource-hierarchy
    """
    project = ProjectInfo.from_rest(inv.get(collections.PROJECT))
    found = project.classification()
    label = next((k for k in ("env", "environment") if k in project.labels), None)
    if label is not None and found.environment is not Environment.UNKNOWN:
        yield passed(
            project.resource,
            f"Project {project.project_id} is labelled {found.source[len('label ') :]}.",
        )
        return
    suggestion = (
        found.environment.value
        if found.environment is not Environment.UNKNOWN
        else "prod|staging|dev"
    )
    fix = f"gcloud projects update {project.project_id} --update-labels=env={suggestion}"
    if label is not None:
        message = (
            f"Project {project.project_id} has label {label}={project.labels[label]}, "
            "which names no known environment (prod, staging, dev and their synonyms)."
        )
    elif found.environment is not Environment.UNKNOWN:
        message = (
            f"Project {project.project_id} has no env or environment label; gcplint inferred "
            f"'{found.environment.value}' from its {found.source}, which is only a guess."
        )
    else:
        message = (
            f"Project {project.project_id} has no env or environment label and its ID names no "
            "environment, so gcplint cannot tell whether it is production."
        )
    yield failed(project.resource, message, remediation=fix)
