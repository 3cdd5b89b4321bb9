"""Cloud Storage: a project's buckets (names unique in the whole world), with and without uniform
access and public access prevention, their ACLs when uniform access is off (as `projection=full`
returns them), and their IAM policies; some buckets are public by IAM, some by ACL.

ACL draws come from a generator seeded by the bucket's name, not the world's: adding them left
every other draw of a seed's world as it was."""

from __future__ import annotations

import base64
import random
from datetime import timedelta

from .draws import REFERENCE_DATE, chance, days_ago, hex_digits, ms, pick
from .plan import JSON, PUBLIC_MEMBERS, ProjectPlan, WorldPlan, team_labels

BUCKET_PURPOSES = ("exports", "backups", "uploads", "assets", "static", "logs", "tfstate")
BUCKET_LOCATIONS = ("EU", "US", "EUROPE-WEST1", "EUROPE-WEST4", "US-CENTRAL1")


def _etag(generation: int) -> str:
    """A Cloud Storage etag (of a bucket at that metageneration, or of a policy)."""
    return base64.b64encode(bytes([8, generation])).decode()


def _bucket_name(world: WorldPlan, project: ProjectPlan) -> str:
    """A bucket name unused in the whole world (bucket names are global)."""
    rng = world.rng
    while True:
        purpose = pick(rng, BUCKET_PURPOSES)
        name = (
            f"{project.project_id}-{purpose}"
            if chance(rng, 0.75)
            else f"{world.company}-{purpose}-{hex_digits(rng, 6)}"
        )
        if name not in world.bucket_names:
            world.bucket_names.add(name)
            return name


def _bucket(world: WorldPlan, project: ProjectPlan, name: str, public: bool) -> JSON:
    """A bucket; uniform access usually on, public access prevention enforced or inherited
    (rarely enforced on a bucket whose policy is public: the grants no longer work)."""
    rng = world.rng
    created = days_ago(rng, 30, 700)
    metageneration = rng.randint(1, 5)
    updated = created if metageneration == 1 else days_ago(rng, 1, (REFERENCE_DATE - created).days)
    location = pick(rng, BUCKET_LOCATIONS)
    uniform: JSON = {"enabled": chance(rng, 0.75)}
    if uniform["enabled"]:
        uniform["lockedTime"] = ms(created + timedelta(days=90))
    bucket: JSON = {
        "kind": "storage#bucket",
        "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}",
        "id": name,
        "name": name,
        "projectNumber": project.number,
        "metageneration": str(metageneration),
        "location": location,
        "storageClass": pick(rng, ("STANDARD", "STANDARD", "NEARLINE", "COLDLINE")),
        "etag": _etag(metageneration),
        "timeCreated": ms(created),
        "updated": ms(updated),
    }
    if chance(rng, 0.3):
        bucket["versioning"] = {"enabled": True}
    if chance(rng, 0.5):
        bucket["labels"] = team_labels(project)
    bucket["softDeletePolicy"] = {
        "retentionDurationSeconds": "604800",
        "effectiveTime": ms(created),
    }
    bucket["iamConfiguration"] = {
        "bucketPolicyOnly": dict(uniform),
        "uniformBucketLevelAccess": uniform,
        "publicAccessPrevention": "enforced"
        if chance(rng, 0.2 if public else 0.45)
        else "inherited",
    }
    bucket["locationType"] = "multi-region" if location in ("EU", "US") else "region"
    bucket["rpo"] = "DEFAULT"
    return bucket


def _bucket_policy(world: WorldPlan, project: ProjectPlan, name: str, public: bool) -> JSON:
    """The bucket's policy: the legacy project roles every bucket has, sometimes a workload's
    object role, and for a public bucket objectViewer to allUsers or allAuthenticatedUsers."""
    rng = world.rng
    p = project.project_id
    owners, viewers = [f"projectEditor:{p}", f"projectOwner:{p}"], [f"projectViewer:{p}"]
    bindings: list[JSON] = [
        {"role": "roles/storage.legacyBucketOwner", "members": owners},
        {"role": "roles/storage.legacyBucketReader", "members": viewers},
        {"role": "roles/storage.legacyObjectOwner", "members": list(owners)},
        {"role": "roles/storage.legacyObjectReader", "members": list(viewers)},
    ]
    if project.user_accounts() and chance(rng, 0.6):
        role = pick(
            rng,
            (
                "roles/storage.objectAdmin",
                "roles/storage.objectViewer",
                "roles/storage.objectCreator",
            ),
        )
        bindings.append(
            {"role": role, "members": [f"serviceAccount:{pick(rng, project.user_accounts())}"]}
        )
    if public:
        bindings.append(
            {"role": "roles/storage.objectViewer", "members": [pick(rng, PUBLIC_MEMBERS)]}
        )
    return {
        "kind": "storage#policy",
        "resourceId": f"projects/_/buckets/{name}",
        "version": 1,
        "etag": _etag(rng.randint(1, 9)),
        "bindings": bindings,
    }


def _team_entry(project: ProjectPlan, team: str) -> JSON:
    """The ACL entity of a project team (`project-owners-NUMBER`) with its `projectTeam`."""
    return {
        "entity": f"project-{team}-{project.number}",
        "projectTeam": {"projectNumber": project.number, "team": team},
    }


def _acls(project: ProjectPlan, bucket: JSON, public_member: str | None) -> None:
    """The owner, ACL and default object ACL of a bucket with uniform access off: the project
    teams' entries every such bucket has, and `public_member` as READER of the bucket or of its
    new objects."""
    name = str(bucket["name"])
    rng = random.Random(f"acl:{name}")
    teams = (("owners", "OWNER"), ("editors", "OWNER"), ("viewers", "READER"))
    acl: list[JSON] = []
    default: list[JSON] = []
    for team, role in teams:
        entry = _team_entry(project, team)
        acl.append(
            {
                "kind": "storage#bucketAccessControl",
                "id": f"{name}/{entry['entity']}",
                "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}/acl/{entry['entity']}",
                "bucket": name,
                **entry,
                "role": role,
                "etag": bucket["etag"],
            }
        )
        default.append({"kind": "storage#objectAccessControl", **entry, "role": role})
    if public_member is not None:
        if chance(rng, 0.5):
            acl.append(
                {
                    "kind": "storage#bucketAccessControl",
                    "id": f"{name}/{public_member}",
                    "selfLink": f"https://www.googleapis.com/storage/v1/b/{name}/acl/{public_member}",
                    "bucket": name,
                    "entity": public_member,
                    "role": "READER",
                    "etag": bucket["etag"],
                }
            )
        else:
            default.append(
                {"kind": "storage#objectAccessControl", "entity": public_member, "role": "READER"}
            )
    bucket["owner"] = {"entity": f"project-owners-{project.number}"}
    bucket["acl"] = acl
    bucket["defaultObjectAcl"] = default


def buckets(world: WorldPlan, project: ProjectPlan) -> tuple[list[JSON], JSON]:
    """0 to 4 buckets and their IAM policies; static sites and assets are often public, other
    buckets rarely. A public bucket with uniform access off is public by its ACL (or default
    object ACL) instead of IAM half the time."""
    rng = world.rng
    found: list[JSON] = []
    policies: JSON = {}
    for _ in range(pick(rng, (0, 1, 1, 2, 3, 4))):
        name = _bucket_name(world, project)
        public = chance(rng, 0.4 if "static" in name or "assets" in name else 0.08)
        bucket = _bucket(world, project, name, public)
        found.append(bucket)
        policy = policies[name] = _bucket_policy(world, project, name, public)
        if not bucket["iamConfiguration"]["uniformBucketLevelAccess"]["enabled"]:
            by_acl = public and chance(random.Random(f"public:{name}"), 0.5)
            member = policy["bindings"].pop()["members"][0] if by_acl else None
            _acls(project, bucket, member)
    return found, policies


def org_policies(world: WorldPlan, project: ProjectPlan) -> JSON:
    """The project's effective policy of constraints/storage.publicAccessPrevention: enforced
    across the organization in some worlds, on production projects only in others, nowhere in
    the rest (drawn from the organization's name, not the world's draws)."""
    scope = pick(random.Random(f"orgpolicy:{world.org}"), ("none", "none", "prod", "all"))
    enforce = scope == "all" or (scope == "prod" and project.env == "prod")
    constraint = "storage.publicAccessPrevention"
    return {
        f"projects/{project.project_id}/policies/{constraint}": {
            "name": f"projects/{project.number}/policies/{constraint}",
            "spec": {"rules": [{"enforce": enforce}]},
        }
    }
