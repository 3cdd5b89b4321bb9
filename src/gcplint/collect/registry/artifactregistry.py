"""Artifact Registry v1 (discovery): repositories in every region (`locations/-`), their docker
images and IAM policies."""

from __future__ import annotations

from ..apis import ARTIFACT_REGISTRY
from ..collection import JSON, Collection, Each, PerResource, declare
from ..schema import Fields
from ._labels import item_labels
from ._read import POLICY, each_listing, each_policy, everywhere, regions_of

_REPOSITORIES = "artifactregistry.projects.locations.repositories"


AR_LOCATIONS: Collection[list[str]] = declare(
    "artifactregistry.locations: Artifact Registry locations, artifactregistry.locations.list (roles/artifactregistry.reader)",
    read=regions_of(ARTIFACT_REGISTRY),
    stored=False,
)

REPOSITORIES: Collection[list[JSON]] = declare(
    "artifactregistry.repositories: Artifact Registry repositories, artifactregistry.repositories.list (roles/artifactregistry.reader)",
    read=everywhere(
        _REPOSITORIES, AR_LOCATIONS, parent="projects/{key}/locations/{name}", pageSize=1000
    ),
    needs=(AR_LOCATIONS,),
    labels=item_labels(ARTIFACT_REGISTRY),
    fields=Fields.of(
        "Repository",
        "name",
        "format",
        "labels",
        "cleanupPolicyDryRun",
        "cleanupPolicies{}.action",
        "cleanupPolicies{}.mostRecentVersions.keepCount",
        "vulnerabilityScanningConfig.enablementConfig",
        "vulnerabilityScanningConfig.enablementState",
        "vulnerabilityScanningConfig.enablementStateReason",
        listed="repositories",
    ),
)

DOCKER_IMAGES: Collection[PerResource[list[JSON]]] = declare(
    "artifactregistry.dockerImages: docker images, artifactregistry.dockerimages.list (roles/artifactregistry.reader)",
    each=Each(
        (REPOSITORIES,),
        each_listing(f"{_REPOSITORIES}.dockerImages", parent="{name}", pageSize=1000),
        "docker images",
        "repository",
        key=lambda r: str(r.get("name", "")) if r.get("format") == "DOCKER" else None,
    ),
    fields=Fields.of("DockerImage", "name", "uri", listed="dockerImages"),
)

REPOSITORY_IAM: Collection[PerResource[JSON]] = declare(
    "artifactregistry.iamPolicies: repository IAM policies, artifactregistry.repositories.getIamPolicy (roles/artifactregistry.reader)",
    each=Each(
        (REPOSITORIES,),
        each_policy(_REPOSITORIES, resource="{name}", options_requestedPolicyVersion=3),
        "IAM policy",
        "repository",
    ),
    fields=Fields.of("Policy", *POLICY),
)
