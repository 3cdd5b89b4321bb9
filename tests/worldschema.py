"""Check a world against Google's own REST schemas (the discovery documents).

The rule of the project: a world never invents a field, enum value or JSON type the real API
does not have. Every API object in a world is checked, recursively, against the schema in the
discovery document bundled with google-api-python-client (an offline, exact copy):

- every property must exist in the schema (`$ref` resolved, arrays through `items`, maps
  through `additionalProperties`);
- enum values must be among the schema's `enum`;
- JSON types must match what the API sends: int64/uint64 are JSON strings of digits,
  int32/uint32 JSON integers, `number` any JSON number, `boolean` true/false, `any` anything;
  `google-datetime` is RFC 3339, `google-duration` like "300s", `byte` is base64.

`validate_world(data)` returns human-readable problems; an empty list means the world is valid.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from googleapiclient.discovery_cache import get_static_doc

from gcplint.collect import registry

WORLD_SCHEMA = "gcplint-world/v1"

Shape = Literal["one", "list", "map", "map-of-lists"]


@dataclass(frozen=True)
class Target:
    """Where a world key's objects are described: API, version, schema id, and how they nest."""

    api: str
    version: str
    schema: str
    shape: Shape = "list"  # one object, a list, {key: object}, or {key: [object]}


# Every key of a world that holds API objects, at any level (top, per project, per billing
# account), and the discovery schema of its objects. A new collection key is one line here.
WORLD_KEYS: dict[str, Target] = {
    # top level
    "organizations": Target("cloudresourcemanager", "v3", "Organization"),
    "folders": Target("cloudresourcemanager", "v3", "Folder"),
    # per project
    "project": Target("cloudresourcemanager", "v3", "Project", "one"),
    registry.PROJECT_IAM_POLICY.name: Target("cloudresourcemanager", "v3", "Policy", "one"),
    registry.BILLING_INFO.name: Target("cloudbilling", "v1", "ProjectBillingInfo", "one"),
    registry.SERVICE_ACCOUNTS.name: Target("iam", "v1", "ServiceAccount"),
    registry.SERVICE_ACCOUNT_KEYS.name: Target("iam", "v1", "ServiceAccountKey", "map-of-lists"),
    registry.PROJECT_ROLES.name: Target("iam", "v1", "Role"),
    registry.RUN_SERVICES.name: Target("run", "v2", "GoogleCloudRunV2Service"),
    registry.RUN_REVISIONS.name: Target("run", "v2", "GoogleCloudRunV2Revision"),
    registry.RUN_JOBS.name: Target("run", "v2", "GoogleCloudRunV2Job"),
    registry.RUN_WORKER_POOLS.name: Target("run", "v2", "GoogleCloudRunV2WorkerPool"),
    registry.RUN_SERVICE_IAM.name: Target("run", "v2", "GoogleIamV1Policy", "map"),
    registry.SQL_INSTANCES.name: Target("sqladmin", "v1", "DatabaseInstance"),
    registry.ALERT_POLICIES.name: Target("monitoring", "v3", "AlertPolicy"),
    registry.NOTIFICATION_CHANNELS.name: Target("monitoring", "v3", "NotificationChannel"),
    registry.METRICS_SCOPES.name: Target("monitoring", "v1", "MetricsScope"),
    registry.SECRETS.name: Target("secretmanager", "v1", "Secret"),
    registry.SECRET_VERSIONS.name: Target("secretmanager", "v1", "SecretVersion", "map-of-lists"),
    registry.SECRET_IAM.name: Target("secretmanager", "v1", "Policy", "map"),
    registry.BUCKETS.name: Target("storage", "v1", "Bucket"),
    registry.BUCKET_IAM.name: Target("storage", "v1", "Policy", "map"),
    registry.ORG_POLICIES.name: Target("orgpolicy", "v2", "GoogleCloudOrgpolicyV2Policy", "map"),
    registry.TOPICS.name: Target("pubsub", "v1", "Topic"),
    registry.SUBSCRIPTIONS.name: Target("pubsub", "v1", "Subscription"),
    registry.PUBSUB_IAM.name: Target("pubsub", "v1", "Policy", "map"),
    registry.REPOSITORIES.name: Target("artifactregistry", "v1", "Repository"),
    registry.DOCKER_IMAGES.name: Target("artifactregistry", "v1", "DockerImage", "map-of-lists"),
    registry.REPOSITORY_IAM.name: Target("artifactregistry", "v1", "Policy", "map"),
    registry.LIENS.name: Target("cloudresourcemanager", "v3", "Lien"),
    registry.UPTIME_CHECKS.name: Target("monitoring", "v3", "UptimeCheckConfig"),
    registry.PROJECT_SINKS.name: Target("logging", "v2", "LogSink"),
    # per project, folder or organization
    registry.ESSENTIAL_CONTACTS.name: Target(
        "essentialcontacts", "v1", "GoogleCloudEssentialcontactsV1Contact"
    ),
    # per folder or organization
    registry.FOLDER_SINKS.name: Target("logging", "v2", "LogSink"),
    registry.ORGANIZATION_SINKS.name: Target("logging", "v2", "LogSink"),
    registry.FOLDER_IAM_POLICY.name: Target("cloudresourcemanager", "v3", "Policy", "one"),
    registry.ORGANIZATION_IAM_POLICY.name: Target("cloudresourcemanager", "v3", "Policy", "one"),
    registry.ORGANIZATION_ROLES.name: Target("iam", "v1", "Role"),
    # per billing account
    "cloudbilling.billingAccount": Target("cloudbilling", "v1", "BillingAccount", "one"),
    registry.ACCOUNT_BUDGETS.name: Target(
        "billingbudgets", "v1", "GoogleCloudBillingBudgetsV1Budget"
    ),
}

# Keys of the world's own structure (not API objects).
TOP_LEVEL_KEYS = frozenset(
    {
        "schema",
        "organizations",
        "folders",
        "projects",
        "billingAccounts",
        "resources",
        "faults",
        "deniedPermissions",
        "snapshot",
    }
)
STRUCTURAL_PROJECT_KEYS = frozenset({"disabledServices", "enabledServices"})

_INT_RANGES = {
    "int32": (-(2**31), 2**31 - 1),
    "uint32": (0, 2**32 - 1),
    "int64": (-(2**63), 2**63 - 1),
    "uint64": (0, 2**64 - 1),
}
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")
_DURATION = re.compile(r"^-?\d+(\.\d{1,9})?s$")
_BASE64 = re.compile(r"^[A-Za-z0-9+/_-]*={0,2}$")
_PLAIN_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MAX_LISTED_ENUMS = 12


@functools.cache
def discovery(api: str, version: str) -> dict[str, Any]:
    """The bundled discovery document of an API version."""
    text = get_static_doc(api, version)
    if text is None:
        raise LookupError(f"no bundled discovery document for {api} {version}")
    doc: dict[str, Any] = json.loads(text)
    return doc


def validate_world(data: dict[str, Any]) -> list[str]:
    """Every problem of a world's API objects against their discovery schemas ([] = valid)."""
    problems: list[str] = []
    if not isinstance(data, dict):
        return [f"<world>: expected an object, got {_kind(data)}"]
    for key in data:
        if key not in TOP_LEVEL_KEYS:
            problems.append(f"{key}: unknown top-level key of a world")
    for key in ("organizations", "folders"):
        if key in data:
            problems += _check_key(key, data[key], key)
    projects = data.get("projects", {})
    if not isinstance(projects, dict):
        problems.append(f"projects: expected an object of projects, got {_kind(projects)}")
        projects = {}
    for project_id, body in projects.items():
        problems += _check_container(f"projects.{project_id}", body, STRUCTURAL_PROJECT_KEYS)
        for key in sorted(STRUCTURAL_PROJECT_KEYS & set(body if isinstance(body, dict) else ())):
            services = body[key]
            if not isinstance(services, list) or not all(isinstance(s, str) for s in services):
                problems.append(f"projects.{project_id}.{key}: expected a list of service names")
    accounts = data.get("billingAccounts", {})
    if not isinstance(accounts, dict):
        problems.append(f"billingAccounts: expected an object of accounts, got {_kind(accounts)}")
        accounts = {}
    for account_id, body in accounts.items():
        problems += _check_container(f"billingAccounts.{account_id}", body, frozenset())
    resources = data.get("resources", {})
    if not isinstance(resources, dict):
        problems.append(f"resources: expected an object of resources, got {_kind(resources)}")
        resources = {}
    for name, body in resources.items():
        problems += _check_container(f"resources.{name}", body, frozenset())
    return problems


def _check_container(path: str, body: Any, structural: frozenset[str]) -> list[str]:
    """A project's or billing account's collections."""
    if not isinstance(body, dict):
        return [f"{path}: expected an object, got {_kind(body)}"]
    problems: list[str] = []
    for key, value in body.items():
        if key in structural:
            continue
        if key not in WORLD_KEYS:
            problems.append(f"{path}.{key}: no discovery schema mapped (add the key to WORLD_KEYS)")
            continue
        problems += _check_key(key, value, f"{path}.{key}")
    return problems


def _check_key(key: str, value: Any, path: str) -> list[str]:
    """The objects under one world key, in the key's shape."""
    target = WORLD_KEYS[key]
    checker = _Checker(discovery(target.api, target.version))

    def one(item: Any, item_path: str) -> list[str]:
        return checker.check(item, {"$ref": target.schema}, target.schema, item_path)

    if target.shape == "one":
        return one(value, path)
    if target.shape == "list":
        return _each_list(value, path, one)
    if not isinstance(value, dict):
        return [f"{path}: expected an object, got {_kind(value)}"]
    problems: list[str] = []
    for name, item in value.items():
        item_path = f"{path}[{json.dumps(name)}]"
        if target.shape == "map":
            problems += one(item, item_path)
        else:
            problems += _each_list(item, item_path, one)
    return problems


def _each_list(value: Any, path: str, check: Callable[[Any, str], list[str]]) -> list[str]:
    if not isinstance(value, list):
        return [f"{path}: expected a list, got {_kind(value)}"]
    problems: list[str] = []
    for i, item in enumerate(value):
        problems += check(item, f"{path}[{i}]")
    return problems


@dataclass(frozen=True)
class _Checker:
    """Checks JSON values against the schemas of one discovery document."""

    doc: dict[str, Any]

    def check(self, value: Any, schema: dict[str, Any], owner: str, path: str) -> list[str]:
        """One JSON value against one schema node; `owner` names the schema for messages."""
        ref = schema.get("$ref")
        if ref is not None:
            schemas: dict[str, Any] = self.doc["schemas"]
            if ref not in schemas:
                return [f"{path}: schema {ref} is missing from {self.doc.get('id')}"]
            return self.check(value, schemas[ref], ref, path)
        if value is None:
            return [f"{path}: null (the API omits unset fields instead of sending null)"]
        kind = schema.get("type")
        fmt = schema.get("format")
        if kind == "any":
            return []
        if kind == "object":
            return self.check_object(value, schema, owner, path)
        if kind == "array":
            if not isinstance(value, list):
                return [f"{path}: expected a JSON array ({owner}), got {_kind(value)}"]
            items = schema.get("items", {"type": "any"})
            problems: list[str] = []
            for i, item in enumerate(value):
                problems += self.check(item, items, owner, f"{path}[{i}]")
            return problems
        if kind == "boolean":
            if isinstance(value, bool):
                return []
            return [f"{path}: expected a JSON boolean ({owner}), got {_kind(value)}"]
        if kind == "integer":
            if isinstance(value, bool) or not isinstance(value, int):
                expected = f"a JSON integer ({fmt or 'integer'}, {owner})"
                return [f"{path}: expected {expected}, got {_kind(value)}"]
            return _in_range(value, fmt, path)
        if kind == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                expected = f"a JSON number ({fmt or 'number'}, {owner})"
                return [f"{path}: expected {expected}, got {_kind(value)}"]
            return []
        if kind == "string":
            return _check_string(value, schema, owner, path)
        return [f"{path}: schema type {kind!r} of {owner} is not understood by the validator"]

    def check_object(self, value: Any, schema: dict[str, Any], owner: str, path: str) -> list[str]:
        """An object: declared properties, then `additionalProperties` (a map), else unknown."""
        if not isinstance(value, dict):
            return [f"{path}: expected a JSON object ({owner}), got {_kind(value)}"]
        properties: dict[str, Any] = schema.get("properties", {})
        extra = schema.get("additionalProperties")
        problems: list[str] = []
        for key, item in value.items():
            if key in properties:
                child = properties[key]
                # an inline object schema has no id of its own: name it after its property
                inline = "$ref" not in child and child.get("type") == "object"
                child_owner = f"{owner}.{key}" if inline else owner
                problems += self.check(item, child, child_owner, _join(path, key, field=True))
            elif isinstance(extra, dict):
                problems += self.check(item, extra, owner, _join(path, key, field=False))
            else:
                problems.append(f"{_join(path, key, field=True)}: unknown field ({owner})")
        return problems


def _check_string(value: Any, schema: dict[str, Any], owner: str, path: str) -> list[str]:
    fmt = schema.get("format")
    if not isinstance(value, str):
        if fmt in ("int64", "uint64"):
            why = "the API sends 64-bit integers as JSON strings"
            return [f"{path}: expected {fmt} as a JSON string ({why}), got {_kind(value)}"]
        return [f"{path}: expected a JSON string ({owner}), got {_kind(value)}"]
    enum = schema.get("enum")
    if enum is not None and value not in enum:
        listed = ", ".join(enum[:_MAX_LISTED_ENUMS])
        if len(enum) > _MAX_LISTED_ENUMS:
            listed += ", ..."
        return [f"{path}: {value!r} is not a value of the enum ({owner}; one of {listed})"]
    if fmt in ("int64", "uint64"):
        if not re.fullmatch(r"-?\d+", value):
            return [f"{path}: {value!r} is not an {fmt} (a JSON string of digits)"]
        return _in_range(int(value), fmt, path)
    if fmt == "google-datetime" and not _RFC3339.match(value):
        return [f"{path}: {value!r} is not an RFC 3339 timestamp (like 2026-01-31T09:15:00Z)"]
    if fmt == "google-duration" and not _DURATION.match(value):
        return [f"{path}: {value!r} is not a duration (seconds with an 's' suffix, like '300s')"]
    if fmt == "byte" and (not _BASE64.match(value) or len(value.rstrip("=")) % 4 == 1):
        return [f"{path}: {value!r} is not base64 (format byte)"]
    return []


def _in_range(number: int, fmt: str | None, path: str) -> list[str]:
    low, high = _INT_RANGES.get(fmt or "", (None, None))
    if low is not None and high is not None and not low <= number <= high:
        return [f"{path}: {number} is out of range for {fmt}"]
    return []


def _join(path: str, key: str, *, field: bool) -> str:
    """`path.key` for fields and plain map keys, `path["key"]` for other map keys."""
    if field or _PLAIN_KEY.match(key):
        return f"{path}.{key}"
    return f"{path}[{json.dumps(key)}]"


def _kind(value: Any) -> str:
    """A JSON value's type and a short rendering, for messages."""
    names = {bool: "boolean", int: "number", float: "number", str: "string"}
    names |= {list: "array", dict: "object", type(None): "null"}
    name = names.get(type(value), type(value).__name__)
    shown = json.dumps(value) if value is None or isinstance(value, (bool, int, float, str)) else ""
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{name} {shown}".rstrip()
