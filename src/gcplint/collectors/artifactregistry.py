"""Artifact Registry v1 (discovery): repositories in every region (`locations/-`), their docker
images and IAM policies."""

from __future__ import annotations

from collections.abc import Mapping

from ..inventory import JSON, Collection, Permission, PerResource, Session
from ..resources import full_name
from ._common import per_resource_reads
from .locations import every_location


def _repositories(session: Session, project_id: str) -> list[JSON]:
    def list_in(location: str) -> list[JSON]:
        def page(token: str | None) -> object:
            repositories = session.clients.resource(
                "artifactregistry", "projects", "locations", "repositories"
            )
            parent = f"projects/{project_id}/locations/{location}"
            return repositories.list(parent=parent, pageSize=1000, pageToken=token)

        return session.discovery_list(page, "repositories")

    return every_location(
        session,
        project_id,
        "artifactregistry",
        "Artifact Registry locations",
        "artifactregistry.locations.list",
        "roles/artifactregistry.reader",
        list_in,
    )


def _docker(session: Session, project_id: str) -> list[str]:
    return [
        str(r.get("name", ""))
        for r in session.get(REPOSITORIES, project_id)
        if r.get("format") == "DOCKER"
    ]


def _images(session: Session, project_id: str) -> PerResource[list[JSON]]:
    def read(name: str) -> list[JSON]:
        def page(token: str | None) -> object:
            images = session.clients.resource(
                "artifactregistry", "projects", "locations", "repositories", "dockerImages"
            )
            return images.list(parent=name, pageSize=1000, pageToken=token)

        return session.discovery_list(page, "dockerImages")

    return per_resource_reads(
        session,
        "artifactregistry.dockerImages",
        _docker(session, project_id),
        read,
        what="docker images",
        noun="repository",
        permission="artifactregistry.dockerimages.list",
        role="roles/artifactregistry.reader",
        service="artifactregistry.googleapis.com",
    )


def _policies(session: Session, project_id: str) -> PerResource[JSON]:
    def read(name: str) -> JSON:
        repositories = session.clients.resource(
            "artifactregistry", "projects", "locations", "repositories"
        )
        return session.discovery_policy(
            repositories.getIamPolicy(resource=name, options_requestedPolicyVersion=3)
        )

    names = [str(r.get("name", "")) for r in session.get(REPOSITORIES, project_id)]
    return per_resource_reads(
        session,
        "artifactregistry.iamPolicies",
        names,
        read,
        what="IAM policy",
        noun="repository",
        permission="artifactregistry.repositories.getIamPolicy",
        role="roles/artifactregistry.reader",
        service="artifactregistry.googleapis.com",
    )


def _repository_labels(
    project_id: str, repositories: list[JSON]
) -> list[tuple[str, Mapping[str, str]]]:
    return [
        (
            full_name("artifactregistry.googleapis.com", project_id, str(r.get("name", ""))),
            r.get("labels") or {},
        )
        for r in repositories
    ]


REPOSITORIES: Collection[list[JSON]] = Collection(
    name="artifactregistry.repositories",
    title="Artifact Registry repositories",
    service="artifactregistry.googleapis.com",
    permission="artifactregistry.repositories.list",
    role="roles/artifactregistry.reader",
    fetch=_repositories,
    also=(Permission("artifactregistry.locations.list"),),
    labels=_repository_labels,
)

DOCKER_IMAGES: Collection[PerResource[list[JSON]]] = Collection(
    name="artifactregistry.dockerImages",
    title="docker images",
    service="artifactregistry.googleapis.com",
    permission="artifactregistry.dockerimages.list",
    role="roles/artifactregistry.reader",
    fetch=_images,
    also=(
        Permission("artifactregistry.repositories.list"),
        Permission("artifactregistry.locations.list"),
    ),
)

REPOSITORY_IAM: Collection[PerResource[JSON]] = Collection(
    name="artifactregistry.iamPolicies",
    title="repository IAM policies",
    service="artifactregistry.googleapis.com",
    permission="artifactregistry.repositories.getIamPolicy",
    role="roles/artifactregistry.reader",
    fetch=_policies,
    also=(
        Permission("artifactregistry.repositories.list"),
        Permission("artifactregistry.locations.list"),
    ),
)
