"""Environment label values as people write them: `prod-eu`, `production`, `prd`, `pre-prod`,
`non-prod`; the config mapping still wins over every label."""

from __future__ import annotations

import pytest

from gcplint.environment import Environment, classify, from_name, word


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("prod", Environment.PROD),
        ("production", Environment.PROD),
        ("prd", Environment.PROD),
        ("prod-eu", Environment.PROD),  # a region or a team beside the environment
        ("eu_prod", Environment.PROD),
        ("live-europe-west1", Environment.PROD),
        ("stg-2", Environment.STAGING),
        ("pre-prod", Environment.STAGING),  # not production: `pre` before a production word
        ("pre_production", Environment.STAGING),
        ("dev-sandbox", Environment.DEV),  # two words, one environment
        ("non-prod", Environment.UNKNOWN),  # says what it is not, not which of the others
        ("nonprod", Environment.UNKNOWN),
        ("not-production", Environment.UNKNOWN),
        ("prod-dev", Environment.UNKNOWN),  # two environments: no guess
        ("product", Environment.UNKNOWN),
        ("none", Environment.UNKNOWN),
        ("pre", Environment.UNKNOWN),
    ],
)
def test_label_values(value: str, expected: Environment) -> None:
    assert word(value) is expected
    found = classify("payments-7f3a", {"env": value})
    assert found.environment is expected and found.source == f"label env={value}"
    assert found.labelled


@pytest.mark.parametrize(
    ("project_id", "expected", "token"),
    [
        ("acme-pre-prod", Environment.STAGING, "pre-prod"),
        ("acme-non-prod", Environment.UNKNOWN, None),  # was read as prod
        ("acme-nonprod-eu", Environment.UNKNOWN, None),
        ("shop-prod-eu", Environment.PROD, "prod"),
    ],
)
def test_project_ids(project_id: str, expected: Environment, token: str | None) -> None:
    assert from_name(project_id) == (expected, token)


@pytest.mark.parametrize("value", ["prod-eu", "production", "prd", "non-prod"])
def test_the_config_mapping_wins_over_any_label(value: str) -> None:
    found = classify("payments-7f3a", {"env": value}, [("payments-*", Environment.DEV)])
    assert found.environment is Environment.DEV and found.source == "config payments-*"
