"""Every world (the bundled demo and each fixture) uses only fields, enums and JSON types the
real APIs have, checked against the discovery documents bundled with google-api-python-client."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from worldschema import WORLD_SCHEMA, validate_world

from gcplint.collect import registry
from gcplint.emulator import World

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def _demo() -> dict[str, Any]:
    text = resources.files("gcplint.emulator").joinpath("demo_world.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _fixture_worlds() -> list[Path]:
    """Every fixtures/**/*.json whose "schema" is a world (other JSON files are skipped)."""
    found = []
    for path in sorted(FIXTURES.glob("**/*.json")):
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("schema") == WORLD_SCHEMA:
            found.append(path)
    return found


def test_demo_world_matches_the_api_schemas() -> None:
    data = _demo()
    World.from_json(data)
    assert validate_world(data) == []


@pytest.mark.parametrize("path", _fixture_worlds(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_world_matches_the_api_schemas(path: Path) -> None:
    assert validate_world(json.loads(path.read_text(encoding="utf-8"))) == []


# --- the validator itself catches what it must -----------------------------------------------


def _tiny() -> dict[str, Any]:
    return copy.deepcopy(
        {
            "schema": WORLD_SCHEMA,
            "projects": {
                "acme-prod": {
                    "project": {
                        "name": "projects/482915730164",
                        "projectId": "acme-prod",
                        "state": "ACTIVE",
                    },
                    registry.RUN_SERVICES.name: [
                        {
                            "name": "projects/acme-prod/locations/europe-west1/services/api",
                            "generation": "3",
                            "ingress": "INGRESS_TRAFFIC_ALL",
                            "template": {"scaling": {"maxInstanceCount": 20}},
                        }
                    ],
                }
            },
        }
    )


def _service(world: dict[str, Any]) -> dict[str, Any]:
    service: dict[str, Any] = world["projects"]["acme-prod"][registry.RUN_SERVICES.name][0]
    return service


def test_validator_accepts_a_valid_world() -> None:
    assert validate_world(_tiny()) == []


def test_validator_reports_an_unknown_field() -> None:
    world = _tiny()
    _service(world)["template"]["scalling"] = {"maxInstanceCount": 20}
    assert validate_world(world) == [
        "projects.acme-prod.run.services[0].template.scalling: "
        "unknown field (GoogleCloudRunV2RevisionTemplate)"
    ]


def test_validator_reports_a_bad_enum_value() -> None:
    world = _tiny()
    _service(world)["ingress"] = "INGRESS_TRAFFIC_PUBLIC"
    [problem] = validate_world(world)
    assert problem.startswith(
        "projects.acme-prod.run.services[0].ingress: 'INGRESS_TRAFFIC_PUBLIC'"
    )


def test_validator_reports_an_int64_sent_as_a_number() -> None:
    world = _tiny()
    _service(world)["generation"] = 3
    [problem] = validate_world(world)
    assert problem.startswith("projects.acme-prod.run.services[0].generation: expected int64")


def test_validator_reports_a_wrong_type() -> None:
    world = _tiny()
    _service(world)["template"]["scaling"]["maxInstanceCount"] = "20"  # int32 is a JSON number
    world["projects"]["acme-prod"]["project"]["labels"] = {"env": True}
    assert [p.split(":")[0] for p in validate_world(world)] == [
        "projects.acme-prod.project.labels.env",
        "projects.acme-prod.run.services[0].template.scaling.maxInstanceCount",
    ]


def test_validator_reports_an_unmapped_collection_key() -> None:
    world = _tiny()
    world["projects"]["acme-prod"]["compute.instances"] = []
    [problem] = validate_world(world)
    assert problem.startswith("projects.acme-prod.compute.instances: no discovery schema")
