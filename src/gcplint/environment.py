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


NEGATIONS = ("non", "not")  # `non-prod`, `nonprod`: not production, but neither says which
PRE = "pre"  # `pre-prod`, `pre_production`: staging, like `preprod`


def _words(value: str) -> list[tuple[Environment | None, str]]:
    """The environments the tokens of `value` (split on '-' and '_', lowercased) name, in order,
    each with its text: tokens naming none are left out; `pre` before a production word is
    staging (`pre-prod`); a negated word (`non-prod`, `nonprod`) is None: it says only what the
    value is not."""
    tokens = [t for t in re.split(r"[-_]", value.strip().lower()) if t]
    found: list[tuple[Environment | None, str]] = []
    skip = False
    for i, token in enumerate(tokens):
        if skip:
            skip = False
            continue
        after = tokens[i + 1] if i + 1 < len(tokens) else ""
        if token in NEGATIONS and after in WORDS:
            found.append((None, f"{token}-{after}"))
            skip = True
        elif token == PRE and WORDS.get(after) is Environment.PROD:
            found.append((Environment.STAGING, f"{token}-{after}"))
            skip = True
        elif any(token.startswith(n) and token[len(n) :] in WORDS for n in NEGATIONS):
            found.append((None, token))
        elif token in WORDS:
            found.append((WORDS[token], token))
    return found


def word(value: str) -> Environment:
    """The environment a label value names: one word (`prod`, `production`, `prd`), or words
    split on '-' and '_' that all name the same environment (`prod-eu`, `eu_prod`, `pre-prod`);
    UNKNOWN when no word names one, when two environments are named (`prod-dev`), or when a word
    is negated (`non-prod`: not production, but not which of the others either)."""
    named = {env for env, _ in _words(value)}
    if len(named) != 1 or None in named:
        return Environment.UNKNOWN
    return named.pop() or Environment.UNKNOWN


def from_name(name: str) -> tuple[Environment, str | None]:
    """The environment named by a token of `name` split on '-' and '_' (first match wins; a
    negated word such as `non-prod` names none, `pre-prod` is staging)."""
    found = _words(name)
    if not found or found[0][0] is None:
        return Environment.UNKNOWN, None
    env, token = found[0]
    return env or Environment.UNKNOWN, token


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
