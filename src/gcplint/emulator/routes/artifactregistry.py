"""Artifact Registry v1: a project's locations, its repositories, their Docker images and IAM
policies."""

from __future__ import annotations

from ...collect import registry
from ...collect.apis import ARTIFACT_REGISTRY
from ...world import JSON
from . import Call, route
from ._names import by_suffix, existing, in_location, locations_used, policy_by_suffix

AR_REGIONS = ("europe-west1", "us-central1", "us", "europe")


@route(
    ARTIFACT_REGISTRY,
    "GET",
    "/v1/projects/{project}/locations",
    permission="artifactregistry.locations.list",
    method_id="artifactregistry.projects.locations.list",
)
def locations(call: Call) -> JSON:
    """locations.list: the usual locations plus every location the project's repositories use."""
    assert call.project is not None
    used = locations_used(call.collection(registry.REPOSITORIES, []))
    regions = sorted(set(AR_REGIONS) | used)
    project = call.project.project_id
    return call.page(
        [{"name": f"projects/{project}/locations/{r}", "locationId": r} for r in regions],
        "locations",
    )


@route(
    ARTIFACT_REGISTRY,
    "GET",
    "/v1/projects/{project}/locations/{location}/repositories",
    permission="artifactregistry.repositories.list",
    method_id="artifactregistry.projects.locations.repositories.list",
    read=(registry.REPOSITORIES, "{project}"),
)
def repositories(call: Call) -> JSON:
    found = in_location(call.collection(registry.REPOSITORIES, []), call.params["location"])
    return call.page(found, "repositories")


@route(
    ARTIFACT_REGISTRY,
    "GET",
    "/v1/projects/{project}/locations/{location}/repositories/{repository}/dockerImages",
    permission="artifactregistry.dockerimages.list",
    method_id="artifactregistry.projects.locations.repositories.dockerImages.list",
    read=(
        registry.DOCKER_IMAGES,
        "projects/{project}/locations/{location}/repositories/{repository}",
    ),
)
def docker_images(call: Call) -> JSON:
    images = by_suffix(call.collection(registry.DOCKER_IMAGES, {}), _repository(call)) or []
    return call.page(images, "dockerImages")


@route(
    ARTIFACT_REGISTRY,
    "GET",
    "/v1/projects/{project}/locations/{location}/repositories/{repository}:getIamPolicy",
    permission="artifactregistry.repositories.getIamPolicy",
    method_id="artifactregistry.projects.locations.repositories.getIamPolicy",
    read=(
        registry.REPOSITORY_IAM,
        "projects/{project}/locations/{location}/repositories/{repository}",
    ),
)
def repository_iam_policy(call: Call) -> JSON:
    return policy_by_suffix(call.collection(registry.REPOSITORY_IAM, {}), _repository(call))


def _repository(call: Call) -> str:
    """The name suffix of the addressed repository, or a 404."""
    location, repository = call.params["location"], call.params["repository"]
    return existing(
        call.collection(registry.REPOSITORIES, []),
        f"/locations/{location}/repositories/{repository}",
        f"Requested entity was not found: repository {repository}",
    )
