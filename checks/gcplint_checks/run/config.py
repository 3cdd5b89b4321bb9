"""Service map, Cloud Run configuration: what a service carries in plain text, where its image
comes from, and how far it scales."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from gcplint.api import (
    Area,
    Inventory,
    Outcome,
    Severity,
    check,
    failed,
    passed,
    redacted,
    registry,
)

from .._resources import short_name
from .._run import (
    OTHER_WORKLOADS,
    container_flag,
    each_workload,
    grant_secret_access,
    identity_email,
    instance_ceiling,
    kind_of,
    service_resource,
    update,
    workload_containers,
)
from .._shell import sh

JSON = Mapping[str, Any]

CREDENTIAL_NAME = re.compile(
    r"PASSWORD|PASSWD|PWD|PASSPHRASE|(?:^|_)PASS(?:_|$)|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY"
    r"|CREDENTIAL|DSN|AUTH_?KEY|ACCESS_?KEY|CLIENT_?SECRET",
    re.IGNORECASE,
)
NOT_A_CREDENTIAL = re.compile(
    r"_(NAME|ID|PATH|FILE|URL|URI|TTL|TIMEOUT|SECONDS|VERSION|PROJECT|REF|HEADER|EXPIRY|LENGTH)$",
    re.IGNORECASE,
)


# Variables whose value is, by their contract, the path of a file, not the secret itself:
# Application Default Credentials read the key file GOOGLE_APPLICATION_CREDENTIALS names.
# https://cloud.google.com/docs/authentication/application-default-credentials
PATH_VARIABLES = frozenset({"GOOGLE_APPLICATION_CREDENTIALS"})


def credential_reason(name: str, value: str) -> str | None:
    """Why a literal env var looks like a credential (never quoting the value), else None."""
    found = redacted(value)
    if found is not None and found.credential:
        return "its value has the shape of a credential"
    if name.upper() in PATH_VARIABLES:
        return None
    if CREDENTIAL_NAME.search(name) and not NOT_A_CREDENTIAL.search(name):
        return "its name says it holds a credential"
    return None


@check(
    id="run.plaintext-secret-env",
    waf=("security",),
    title="Cloud Run services take credentials from Secret Manager, not plain env values",
    severity=Severity.HIGH,
    area=Area.SERVICES,
    requires=[registry.RUN_SERVICES, *OTHER_WORKLOADS, registry.PROJECT],
    # ^ PROJECT: the default identity's email
    security=True,
)
def plaintext_secret_env(inv: Inventory) -> Iterator[Outcome]:
    """A container env var of a Cloud Run service, job or worker pool holds a literal `value`
    that is a credential: its name looks like one (PASSWORD, PASSWD, PWD, PASSPHRASE, PASS as a word of
    the name such as `DB_PASS`, SECRET, TOKEN, API_KEY/APIKEY, PRIVATE_KEY, CREDENTIALS, DSN…,
    but not names such as `SECRET_NAME`, `TOKEN_URL` or `DB_PASS_FILE`, nor words that merely
    contain PASS such as `PASSPORT_URL`) or its value does (a private key block, a URL with
    `user:password@`, a known token format, a JWT, a service account key file). `subject` is the
    variable name; the resource is the service, job
    (`//run.googleapis.com/projects/P/locations/R/jobs/J`) or worker pool (`…/workerPools/W`).

    `GOOGLE_APPLICATION_CREDENTIALS` is not judged by its name: its value is the path of a key
    file (Application Default Credentials), and a path is not a secret. A key pasted into it is
    still caught by its value.

    The value itself never appears in any output: gcplint replaces literal values with a marker
    as soon as it reads them. Services are judged even when the jobs or worker pools cannot be
    read (then one unknown result says so for the project).

    ## Why it matters
    A literal value is visible to everyone with `run.services.get` (viewers, CI logs, Terraform
    state), is copied into every revision, and cannot be rotated without a redeploy. Secret
    Manager keeps it out of the service description, audits access, and rotates it.

    ## Example
    `STRIPE_API_KEY` or `DB_PASS` set with `--set-env-vars`: fails. The same variable from
    `valueSource.secretKeyRef` passes, and so does `GOOGLE_APPLICATION_CREDENTIALS=/secrets/key.json`.

    ## Remediation
    Store the value in a new secret (its first version is 1), let the service's runtime
    identity read it, and swap the variable for the secret, pinned to that version (removing
    the plain variable in the same call: gcloud refuses to change a variable's type otherwise):
    `gcloud secrets create SERVICE-var --project=PROJECT_ID --data-file=-` (the value on stdin),
    `gcloud secrets add-iam-policy-binding SERVICE-var --project=PROJECT_ID --member=serviceAccount:RUNTIME_SA --role=roles/secretmanager.secretAccessor`,
    `gcloud run services update SERVICE --region=REGION --project=PROJECT_ID --remove-env-vars=VAR --update-secrets=VAR=SERVICE-var:1`.

    ## References
    - https://cloud.google.com/run/docs/configuring/services/secrets
    - https://cloud.google.com/secret-manager/docs/best-practices
    """

    def judge(workload: JSON) -> Iterator[Outcome]:
        name, kind = short_name(workload), kind_of(workload)
        resource = service_resource(inv, workload)
        found = False
        for container in workload_containers(workload):
            for var in container.get("env") or []:
                if "value" not in var:
                    continue
                why = credential_reason(str(var.get("name", "")), str(var["value"]))
                if why is None:
                    continue
                found = True
                variable = str(var.get("name", ""))
                yield failed(
                    resource,
                    f"{kind} {name} sets env var {variable} to a literal value: {why}.",
                    subject=variable,
                    remediation=move_to_secret(inv, workload, container, variable),
                )
        if not found:
            yield passed(resource, f"{kind} {name} holds no credential in a literal env value.")

    yield from each_workload(inv, judge)


def secret_id_for(service: JSON, variable: str) -> str:
    """The secret gcplint suggests for a service's variable: `SERVICE-VARIABLE`, lower case,
    in the characters a secret ID allows."""
    slug = re.sub(r"[^a-z0-9-]+", "-", f"{short_name(service)}-{variable}".lower()).strip("-")
    return slug[:255]


def move_to_secret(inv: Inventory, service: JSON, container: JSON, variable: str) -> str:
    """The gcloud commands that move a literal env var into a new secret: create it from stdin
    (its first version is 1), let the service's runtime identity read it, and swap the
    variable's type in one update (gcloud refuses to turn a plain variable into a secret one
    unless `--remove-env-vars` removes it in the same call). The version is pinned, not
    `latest`, so `run.secret-version-latest` has nothing to flag afterwards."""
    secret = secret_id_for(service, variable)
    steps = [f"gcloud secrets create {sh(secret)} --project={sh(inv.project_id)} --data-file=-"]
    identity = identity_email(inv, service)
    if identity:
        steps.append(grant_secret_access(inv.project_id, secret, identity))
    target = container_flag(workload_containers(service), container)
    steps.append(
        update(
            inv,
            service,
            f"{target}--remove-env-vars={sh(variable)} --update-secrets={sh(f'{variable}={secret}:1')}",
        )
    )
    note = "pipe the current value into the first command; a new secret's first version is 1"
    if not identity:
        note += ", and grant the service's runtime service account roles/secretmanager.secretAccessor on it"
    return " && ".join(steps) + f"  ({note})"


def is_container_registry(image: str) -> bool:
    """An image on Container Registry: gcr.io or a regional *.gcr.io host."""
    host = image.split("/", 1)[0]
    return host == "gcr.io" or host.endswith(".gcr.io")


# Container Registry host -> location of the Artifact Registry repository named after the host
# that `gcloud artifacts docker upgrade migrate --projects=P` creates ("gcr.io repositories"):
# https://cloud.google.com/artifact-registry/docs/transition/gcr-repositories
GCR_LOCATIONS = {"gcr.io": "us", "us.gcr.io": "us", "eu.gcr.io": "europe", "asia.gcr.io": "asia"}


def artifact_registry_image(image: str) -> tuple[str, str] | None:
    """(project, the same image in that project's gcr.io repository on Artifact Registry) of a
    Container Registry image `HOST/PROJECT/PATH`; None for an unknown host or shape."""
    host, _, rest = image.partition("/")
    project, _, path = rest.partition("/")
    location = GCR_LOCATIONS.get(host)
    if location is None or not project or not path:
        return None
    return project, f"{location}-docker.pkg.dev/{project}/{host}/{path}"


@check(
    id="run.container-registry-image",
    waf=("reliability",),
    title="Cloud Run images come from Artifact Registry, not Container Registry",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.RUN_SERVICES, *OTHER_WORKLOADS],
)
def container_registry_image(inv: Inventory) -> Iterator[Outcome]:
    """A container image of a Cloud Run service, job or worker pool is pulled from Container
    Registry (`gcr.io`, `*.gcr.io`). A job's result names the job
    (`//run.googleapis.com/projects/P/locations/R/jobs/J`), a worker pool's the pool
    (`…/workerPools/W`); services are judged even when the jobs or worker pools cannot be read
    (then one unknown result says so for the project).

    ## Why it matters
    Google has shut Container Registry down in favour of Artifact Registry. Unless gcr.io was
    redirected to Artifact Registry for the project, new deploys and rollbacks of such an image
    can fail to pull, exactly when you need them.

    ## Example
    `gcr.io/acme-prod/worker:latest`: fails; `europe-west1-docker.pkg.dev/acme-prod/app/worker@sha256:…` passes.

    ## Remediation
    Copy the project's images to Artifact Registry gcr.io repositories
    (`gcloud artifacts docker upgrade migrate --projects=PROJECT_ID`; `gcr.io` maps to the `us`
    location, `eu.gcr.io` to `europe`, `asia.gcr.io` to `asia`) and deploy from there:
    `gcloud run services update SERVICE --region=REGION --project=PROJECT_ID --image=us-docker.pkg.dev/PROJECT_ID/gcr.io/IMAGE:TAG`.

    ## References
    - https://cloud.google.com/artifact-registry/docs/transition/transition-from-gcr
    - https://cloud.google.com/container-registry/docs/deprecations/container-registry-deprecation
    """

    def judge(workload: JSON) -> Iterator[Outcome]:
        name, kind = short_name(workload), kind_of(workload)
        legacy = [
            c
            for c in workload_containers(workload)
            if is_container_registry(str(c.get("image", "")))
        ]
        if legacy:
            yield failed(
                service_resource(inv, workload),
                f"{kind} {name} pulls {', '.join(str(c.get('image', '')) for c in legacy)} "
                "from Container Registry, which is shut down.",
                remediation=repoint_images(inv, workload, legacy),
            )
        else:
            yield passed(
                service_resource(inv, workload),
                f"{kind} {name} pulls no image from Container Registry.",
            )

    yield from each_workload(inv, judge)


def repoint_images(inv: Inventory, service: JSON, legacy: list[dict[str, Any]]) -> str:
    """Copy each Container Registry image's project to Artifact Registry gcr.io repositories,
    then deploy the images from their Artifact Registry address."""
    projects: list[str] = []
    flags: list[str] = []
    for container in legacy:
        image = str(container.get("image", ""))
        moved = artifact_registry_image(image)
        if moved is None:
            target = "LOCATION-docker.pkg.dev/PROJECT/REPOSITORY/IMAGE"
        else:
            projects.append(moved[0])
            target = moved[1]
        flags.append(
            f"{container_flag(workload_containers(service), container)}--image={sh(target)}"
        )
    steps = [
        f"gcloud artifacts docker upgrade migrate --projects={sh(project)}"
        for project in dict.fromkeys(projects)
    ]
    return " && ".join([*steps, update(inv, service, " ".join(flags))])


@check(
    id="run.no-max-instances",
    waf=("cost-optimization",),
    title="Cloud Run services have a maximum instance count",
    severity=Severity.MEDIUM,
    area=Area.SERVICES,
    requires=[registry.RUN_SERVICES],
)
def no_max_instances(inv: Inventory) -> Iterator[Outcome]:
    """A Cloud Run service that autoscales has no maximum instance count: neither the
    revision-level `template.scaling.maxInstanceCount` nor the service-level
    `scaling.maxInstanceCount` (which Google recommends) is set.

    A service in manual scaling mode (`scaling.scalingMode: MANUAL`) runs exactly
    `scaling.manualInstanceCount` instances and does not autoscale, so there is nothing to cap:
    it passes.

    ## Why it matters
    Without a ceiling, a traffic spike, a retry storm or an attack scales the service out to
    Cloud Run's default maximum of 100 instances: every instance opens database connections
    (exhausting Cloud SQL's `max_connections` and taking the database down for everyone) and
    bills CPU and memory.

    ## Example
    `template.scaling: {}` and no service-level `scaling`: fails.
    `template.scaling.maxInstanceCount: 20`, service-level `scaling.maxInstanceCount: 20`, or
    `scaling: {scalingMode: MANUAL, manualInstanceCount: 3}` passes.

    ## Remediation
    Size it from the database's connection budget:
    `gcloud run services update SERVICE --region=REGION --max-instances=20`.

    ## References
    - https://cloud.google.com/run/docs/configuring/max-instances
    - https://cloud.google.com/run/docs/configuring/services/manual-scaling
    - https://cloud.google.com/sql/docs/postgres/manage-connections
    """
    for service in inv.get(registry.RUN_SERVICES):
        name = short_name(service)
        ceiling = instance_ceiling(service)
        if ceiling.manual:
            yield passed(
                service_resource(inv, service),
                f"Cloud Run service {name} does not autoscale ({ceiling.how}): there is no maximum to set.",
            )
        elif not ceiling.default:
            yield passed(
                service_resource(inv, service),
                f"Cloud Run service {name} scales to at most {ceiling.count} instances ({ceiling.how}).",
            )
        else:
            yield failed(
                service_resource(inv, service),
                f"Cloud Run service {name} has no maximum instance count (neither "
                "template.scaling.maxInstanceCount nor the service-level scaling.maxInstanceCount "
                f"is set), so it scales out to Cloud Run's default of {ceiling.count} instances.",
                remediation=update(inv, service, "--max-instances=MAX_INSTANCES")
                + "  (MAX_INSTANCES: what the service's database and budget can bear, e.g. 20)",
            )
