"""Which environment a project belongs to: from its label, else from its ID, else unknown."""

from __future__ import annotations

import enum
import fnmatch
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass


class Environment(enum.Enum):
    """A project's environment class."""

    PROD = "prod"
    STAGING = "staging"
    DEV = "dev"
    UNKNOWN = "unknown"

    @property
    def non_prod(self) -> bool:
        """staging and dev are non-prod; unknown is neither."""
        return self in (Environment.STAGING, Environment.DEV)


WORDS: dict[str, Environment] = {
    **dict.fromkeys(("prod", "production", "prd", "live"), Environment.PROD),
    **dict.fromkeys(("staging", "stage", "stg", "preprod", "uat"), Environment.STAGING),
    **dict.fromkeys(
        ("dev", "development", "test", "testing", "qa", "sandbox", "sbx"), Environment.DEV
    ),
}
LABEL_KEYS = ("env", "environment")


@dataclass(frozen=True)
class Classification:
    """An environment and what decided it."""

    environment: Environment
    source: str  # e.g. "label env=prod", "project ID token 'dev'", "config acme-*"
    labelled: bool


def word(value: str) -> Environment:
    """The environment a single word names, or UNKNOWN."""
    return WORDS.get(value.strip().lower(), Environment.UNKNOWN)


def from_name(name: str) -> tuple[Environment, str | None]:
    """The environment named by a token of `name` split on '-' and '_' (first match wins)."""
    for token in re.split(r"[-_]", name.lower()):
        env = word(token)
        if env is not Environment.UNKNOWN:
            return env, token
    return Environment.UNKNOWN, None


def classify(
    project_id: str,
    labels: Mapping[str, str] | None,
    overrides: Sequence[tuple[str, Environment]] = (),
) -> Classification:
    """Classify a project: config mapping, then `env`/`environment` label, then its ID."""
    labelled = any(key in (labels or {}) for key in LABEL_KEYS)
    for pattern, env in overrides:
        if fnmatch.fnmatchcase(project_id, pattern):
            return Classification(env, f"config {pattern}", labelled)
    for key in LABEL_KEYS:
        value = (labels or {}).get(key)
        if value is not None:
            return Classification(word(value), f"label {key}={value}", True)
    env, token = from_name(project_id)
    if token is not None:
        return Classification(env, f"project ID token '{token}'", False)
    return Classification(Environment.UNKNOWN, "no label and no environment word in the ID", False)
