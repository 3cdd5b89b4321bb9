"""Environment classification (the contract of the checklist pack)."""

from __future__ import annotations

import pytest

from gcplint.environment import Environment, classify


@pytest.mark.parametrize(
    ("project_id", "labels", "expected", "source"),
    [
        ("shop-api", {"env": "PROD"}, Environment.PROD, "label env=PROD"),
        ("shop-api", {"environment": "Live"}, Environment.PROD, "label environment=Live"),
        ("shop-api", {"env": "uat"}, Environment.STAGING, "label env=uat"),
        ("shop-api", {"env": "sbx"}, Environment.DEV, "label env=sbx"),
        ("shop-prod", {"env": "qa"}, Environment.DEV, "label env=qa"),  # the label wins over the ID
        ("shop-prod", None, Environment.PROD, "project ID token 'prod'"),
        ("shop_stg_eu", {}, Environment.STAGING, "project ID token 'stg'"),
        ("acme-dev", {"team": "x"}, Environment.DEV, "project ID token 'dev'"),
        ("product-api", {}, Environment.UNKNOWN, None),  # 'product' is not 'prod'
        ("shop-api", {"env": "blue"}, Environment.UNKNOWN, "label env=blue"),
    ],
)
def test_classify(
    project_id: str, labels: dict[str, str] | None, expected: Environment, source: str | None
) -> None:
    found = classify(project_id, labels)
    assert found.environment is expected
    if source:
        assert found.source == source


def test_config_override_wins() -> None:
    found = classify("shop-dev", {"env": "dev"}, [("shop-*", Environment.PROD)])
    assert found.environment is Environment.PROD and found.source == "config shop-*"


def test_non_prod() -> None:
    assert Environment.STAGING.non_prod and Environment.DEV.non_prod
    assert not Environment.PROD.non_prod and not Environment.UNKNOWN.non_prod
