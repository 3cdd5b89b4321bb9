"""Artifact Registry v1: a project's locations, its repositories, their Docker images and IAM
policies."""

from __future__ import annotations

from ...collect import registry
from ...world import JSON
from . import Call, listing, route
from ._names import by_suffix, existing, locations_used, policy_by_suffix

AR_REGIONS = ("europe-west1", "us-central1", "us", "europe")
REPOSITORY = "projects/{project}/locations/{location}/repositories/{repository}"


@route("GET /v1/projects/{project}/locations", registry.AR_LOCATIONS)
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


repositories = listing(
    "GET /v1/projects/{project}/locations/{location}/repositories",
    registry.REPOSITORIES,
    "repositories",
)


@route(f"GET /v1/{REPOSITORY}/dockerImages", registry.DOCKER_IMAGES, key=REPOSITORY)
def docker_images(call: Call) -> JSON:
    images = by_suffix(call.collection(registry.DOCKER_IMAGES, {}), _repository(call)) or []
    return call.page(images, "dockerImages")


@route(f"GET /v1/{REPOSITORY}:getIamPolicy", registry.REPOSITORY_IAM, key=REPOSITORY)
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
