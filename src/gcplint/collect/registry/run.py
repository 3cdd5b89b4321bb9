"""Cloud Run Admin v2 (discovery): services, their IAM policies, revisions, jobs and worker pools
in every region.

One paged list across all regions (`locations/-`). Should the API refuse the wildcard
(400 INVALID_ARGUMENT), the regions come from run v1 `projects.locations.list` and each is
listed in turn, so a refusal costs calls, not results. Literal env values are redacted on
arrival (redact.py): nothing downstream ever holds them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ...redact import redact_run_resource
from ..apis import RUN
from ..collection import JSON, Collection, Each, PerResource, declare
from ..schema import Fields
from ._labels import item_labels
from ._read import POLICY, each_policy, everywhere, regions_of

if TYPE_CHECKING:
    from ..session import Session


def _redacted(
    read: Callable[[Session, str], list[JSON]], within: str | None = None
) -> Callable[[Session, str], list[JSON]]:
    """Literal env values replaced by markers as soon as they are read: those of each item's
    containers, or, with `within`, of the containers of the template under that key (a job's
    execution template holds the task `template`)."""

    def redact(item: JSON) -> JSON:
        redact_run_resource((item.get(within) or {}) if within else item)
        return item

    return lambda session, key: [redact(item) for item in read(session, key)]


_CONTAINER = (  # what is read of a container, under `template.containers[]` or `containers[]`
    "name",
    "image",
    "env[].name",
    "env[].value",  # a marker only (redact.py)
    "env[].valueSource.secretKeyRef.secret",
    "env[].valueSource.secretKeyRef.version",
    "volumeMounts[].name",
    "volumeMounts[].mountPath",
    "ports[].containerPort",
    "livenessProbe.httpGet.path",
    "livenessProbe.tcpSocket.port",
    "livenessProbe.grpc.port",
    "startupProbe.httpGet.path",
    "startupProbe.tcpSocket.port",
    "startupProbe.grpc.port",
)
_VOLUME = (  # ... and of a volume
    "name",
    "secret.secret",
    "secret.items[].path",
    "secret.items[].version",
    "cloudSqlInstance.instances",
)


def _service_index(services: list[JSON]) -> list[JSON]:
    """What is kept of a project's services for cross-project checks once the project is done:
    name, labels and runtime identity."""
    kept = []
    for service in services:
        entry: JSON = {k: service[k] for k in ("name", "labels") if k in service}
        account = (service.get("template") or {}).get("serviceAccount")
        entry["template"] = {"serviceAccount": account} if account else {}
        kept.append(entry)
    return kept


RUN_LOCATIONS: Collection[list[str]] = declare(
    "run.locations: Cloud Run regions, run.locations.list (roles/run.viewer)",
    read=regions_of(RUN),
    stored=False,
)

RUN_SERVICES: Collection[list[JSON]] = declare(
    "run.services: Cloud Run services, run.services.list (roles/run.viewer)",
    read=_redacted(
        everywhere(  # no pageSize: the API's default page, as ever
            "run.projects.locations.services",
            RUN_LOCATIONS,
            version="v2",
            parent="projects/{key}/locations/{name}",
        )
    ),
    needs=(RUN_LOCATIONS,),
    labels=item_labels(RUN),
    compact=_service_index,
    fields=Fields.of(
        "GoogleCloudRunV2Service",
        "name",
        "uri",
        "urls",
        "labels",
        "ingress",
        "invokerIamDisabled",
        "reconciling",
        "latestCreatedRevision",
        "latestReadyRevision",
        "scaling.scalingMode",
        "scaling.manualInstanceCount",
        "scaling.minInstanceCount",
        "scaling.maxInstanceCount",
        "terminalCondition.state",
        "terminalCondition.message",
        "trafficStatuses[].type",
        "trafficStatuses[].revision",
        "trafficStatuses[].percent",
        "template.serviceAccount",
        "template.scaling.minInstanceCount",
        "template.scaling.maxInstanceCount",
        *(f"template.containers[].{path}" for path in _CONTAINER),
        *(f"template.volumes[].{path}" for path in _VOLUME),
        listed="services",
        version="v2",
    ),
)

RUN_REVISIONS: Collection[list[JSON]] = declare(
    "run.revisions: Cloud Run revisions, run.revisions.list (roles/run.viewer)",
    read=_redacted(
        everywhere(
            "run.projects.locations.services.revisions",
            RUN_LOCATIONS,
            version="v2",
            parent="projects/{key}/locations/{name}/services/-",
            pageSize=500,
        )
    ),
    needs=(RUN_LOCATIONS,),
    fields=Fields.of(
        "GoogleCloudRunV2Revision",
        "name",
        "createTime",
        "serviceAccount",
        "conditions[].type",
        "conditions[].state",
        "containerStatuses[].name",
        "containerStatuses[].imageDigest",
        *(f"containers[].{path}" for path in _CONTAINER),
        *(f"volumes[].{path}" for path in _VOLUME),
        listed="revisions",
        version="v2",
    ),
)

RUN_SERVICE_IAM: Collection[PerResource[JSON]] = declare(
    "run.serviceIamPolicies: Cloud Run service IAM policies, run.services.getIamPolicy (roles/run.viewer)",
    each=Each(
        (RUN_SERVICES,),
        each_policy("run.projects.locations.services", version="v2", resource="{name}"),
        "IAM policy",
        "Cloud Run service",
    ),
    fields=Fields.of("GoogleIamV1Policy", *POLICY, version="v2"),
)

RUN_JOBS: Collection[list[JSON]] = declare(
    "run.jobs: Cloud Run jobs, run.jobs.list (roles/run.viewer)",
    read=_redacted(
        everywhere(
            "run.projects.locations.jobs",
            RUN_LOCATIONS,
            version="v2",
            parent="projects/{key}/locations/{name}",
            pageSize=500,
        ),
        within="template",
    ),
    needs=(RUN_LOCATIONS,),
    labels=item_labels(RUN),
    fields=Fields.of(
        "GoogleCloudRunV2Job",
        "name",
        "labels",
        "template.template.serviceAccount",
        "template.template.containers[].name",
        "template.template.containers[].image",
        "template.template.containers[].env[].name",
        "template.template.containers[].env[].value",  # a marker only (redact.py)
        "template.template.containers[].env[].valueSource.secretKeyRef.secret",
        "template.template.containers[].env[].valueSource.secretKeyRef.version",
        "template.template.containers[].volumeMounts[].name",
        "template.template.containers[].volumeMounts[].mountPath",
        *(f"template.template.volumes[].{path}" for path in _VOLUME),
        listed="jobs",
        version="v2",
    ),
)

RUN_WORKER_POOLS: Collection[list[JSON]] = declare(
    "run.workerPools: Cloud Run worker pools, run.workerpools.list (roles/run.viewer)",
    read=_redacted(  # containers under `template`, as a service's
        everywhere(
            "run.projects.locations.workerPools",
            RUN_LOCATIONS,
            version="v2",
            parent="projects/{key}/locations/{name}",
            pageSize=500,
        )
    ),
    needs=(RUN_LOCATIONS,),
    labels=item_labels(RUN),
    fields=Fields.of(
        "GoogleCloudRunV2WorkerPool",
        "name",
        "labels",
        "template.serviceAccount",
        *(f"template.containers[].{path}" for path in _CONTAINER),
        *(f"template.volumes[].{path}" for path in _VOLUME),
        listed="workerPools",
        version="v2",
    ),
)
