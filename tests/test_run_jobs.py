"""Cloud Run jobs and worker pools: read in every region through the real client library, with
literal env values redacted on arrival."""

from __future__ import annotations

import json
from typing import Any

from helpers import session_for

from gcplint.collect import registry as c
from gcplint.emulator import Fault, World, demo_world
from gcplint.redact import marker

CANARY = "sk_live_CANARYc4n4ry0000000000000000"


def job(region: str, name: str) -> dict[str, Any]:
    """A run v2 Job whose container holds a literal credential."""
    return {
        "name": f"projects/acme-prod/locations/{region}/jobs/{name}",
        "generation": "2",
        "launchStage": "GA",
        "template": {
            "taskCount": 1,
            "template": {
                "containers": [
                    {
                        "image": f"{region}-docker.pkg.dev/acme-prod/jobs/{name}:7",
                        "env": [{"name": "PAYMENT_KEY", "value": CANARY}],
                    }
                ],
                "serviceAccount": "batch@acme-prod.iam.gserviceaccount.com",
                "maxRetries": 3,
                "timeout": "600s",
            },
        },
    }


def world_with_jobs() -> World:
    data = demo_world()
    data.projects["acme-prod"].collections[c.RUN_JOBS.name] = [
        job("europe-west1", "nightly-export"),
        job("us-central1", "report-mailer"),
    ]
    return data


def test_jobs_are_read_in_every_region_and_redacted(serve: Any) -> None:
    emu = serve(world_with_jobs())
    jobs = session_for(emu).read(c.RUN_JOBS, "acme-prod")
    assert sorted(j["name"].rsplit("/", 1)[1] for j in jobs) == ["nightly-export", "report-mailer"]
    assert CANARY not in json.dumps(jobs)
    values = [
        v["value"]
        for j in jobs
        for ct in j["template"]["template"]["containers"]
        for v in ct.get("env", [])
    ]
    assert values == [marker(CANARY)] * 2


def test_a_refused_wildcard_lists_jobs_region_by_region(serve: Any) -> None:
    emu = serve(world_with_jobs())
    emu.add_fault(
        Fault(path="/run/v2/projects/acme-prod/locations/-/jobs", error="INVALID_ARGUMENT")
    )
    jobs = session_for(emu).read(c.RUN_JOBS, "acme-prod")
    assert sorted(j["name"].rsplit("/", 1)[1] for j in jobs) == ["nightly-export", "report-mailer"]


def test_worker_pools_are_read_and_redacted(serve: Any) -> None:
    data = demo_world()
    data.projects["acme-prod"].collections[c.RUN_WORKER_POOLS.name] = [
        {
            "name": "projects/acme-prod/locations/europe-west1/workerPools/queue-consumer",
            "generation": "2",
            "launchStage": "GA",
            "scaling": {"manualInstanceCount": 2},
            "template": {
                "containers": [
                    {
                        "image": "europe-west1-docker.pkg.dev/acme-prod/app/consumer:3",
                        "env": [{"name": "PAYMENT_KEY", "value": CANARY}],
                    }
                ]
            },
        }
    ]
    emu = serve(data)
    pools = session_for(emu).read(c.RUN_WORKER_POOLS, "acme-prod")
    assert [p["name"].rsplit("/", 1)[1] for p in pools] == ["queue-consumer"]
    assert CANARY not in json.dumps(pools)
    assert pools[0]["template"]["containers"][0]["env"][0]["value"] == marker(CANARY)
