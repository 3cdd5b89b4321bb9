"""The config file: environment mappings, check options, severity in non-prod, strict parsing."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURES, ROOT, run_cli

from gcplint.collect import registry
from gcplint.config import ConfigFileError, load
from gcplint.emulator import World
from gcplint.environment import Environment

BASE = json.loads((FIXTURES / "cases" / "base-world.json").read_text())


def world_with(**project: Any) -> World:
    data = json.loads(json.dumps(BASE))
    data["projects"]["acme-prod"].update(project)
    return World.from_json(data)


def test_no_file_means_defaults(tmp_path: Path) -> None:
    config = load(cwd=tmp_path)
    assert config.source is None and config.environments == () and config.lower_severity_in_non_prod


def test_gcplint_toml_wins_over_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.gcplint.environments]\ndev = ["x-*"]\n')
    (tmp_path / "gcplint.toml").write_text('[environments]\nprod = ["acme-*"]\n')
    config = load(cwd=tmp_path)
    assert config.source == str(tmp_path / "gcplint.toml")
    assert config.environments == (("acme-*", Environment.PROD),)


def test_pyproject_without_a_gcplint_table_is_ignored(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    assert load(cwd=tmp_path).source is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[environments\n", "not valid TOML"),
        ("colour = 1\n", "colour: unknown key"),
        ('[environments]\nproduction = ["a"]\n', "not one of prod, staging, dev"),
        ("[environments]\nprod = 'acme-prod'\n", "must be a list"),
        ("lower-severity-in-non-prod = 'yes'\n", "true or false"),
        ("check-options = 3\n", "one table per check id"),
    ],
)
def test_malformed_config_is_an_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "gcplint.toml"
    path.write_text(text)
    with pytest.raises(ConfigFileError) as info:
        load(path)
    assert message in str(info.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[check-options."nope.check"]\nx = 1\n', "no check 'nope.check'"),
        (
            '[check-options."iam.sa-key-age"]\nmax-days = 1\n',
            "unknown option 'max-days' (options: max-age-days)",
        ),
        ('[check-options."iam.sa-key-age"]\nmax-age-days = "60"\n', "must be int"),
        ("[environments\n", "not valid TOML"),
    ],
)
def test_bad_config_on_the_command_line_is_one_line_exit_2(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "gcplint.toml"
    path.write_text(text)
    run = run_cli(
        "scan", "--project", "acme-prod", "--api-base", "http://127.0.0.1:9", "--config", str(path)
    )
    assert run.code == 2
    assert len(run.err.strip().splitlines()) == 1 and message in run.err, run.err


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    run = run_cli("scan", "--project", "acme-prod", "--config", str(tmp_path / "none.toml"))
    assert run.code == 2 and "cannot read config" in run.err


def test_environment_mapping_and_key_age_option(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    key_name = "projects/acme-prod/serviceAccounts/ci@acme-prod.iam.gserviceaccount.com/keys/3f5c"
    emu = serve(
        world_with(
            project={"name": "projects/100000000001", "projectId": "acme-prod", "state": "ACTIVE"},
            **{
                registry.SERVICE_ACCOUNTS.name: [
                    {
                        "name": "projects/acme-prod/serviceAccounts/ci@acme-prod.iam.gserviceaccount.com",
                        "email": "ci@acme-prod.iam.gserviceaccount.com",
                        "projectId": "acme-prod",
                    }
                ],
                registry.SERVICE_ACCOUNT_KEYS.name: {
                    "ci@acme-prod.iam.gserviceaccount.com": [
                        {
                            "name": key_name,
                            "keyType": "USER_MANAGED",
                            "validAfterTime": "2020-01-01T00:00:00Z",
                        }
                    ]
                },
            },
        )
    )
    args = f"scan --api-base {emu.url} --project acme-prod --format json --check iam.sa-key-age".split()
    default = run_cli(*args).json()
    assert default["scan"]["projects"][0]["environment"] == "prod"  # from the ID, no label
    assert [r["severity"] for r in default["results"]] == ["high"]
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.gcplint.environments]\ndev = ["acme-*"]\n'
        '[tool.gcplint.check-options."iam.sa-key-age"]\nmax-age-days = 100000\n'
    )
    configured = run_cli(*args).json()
    assert configured["scan"]["projects"][0] == {
        "id": "acme-prod",
        "environment": "dev",
        "environment_source": "config acme-*",
        "error": None,
    }
    assert [r["status"] for r in configured["results"]] == ["pass"]
    assert "limit 100000" in configured["results"][0]["message"]


def test_non_prod_lowering_can_be_turned_off(serve: Any, tmp_path: Path) -> None:
    emu = serve(
        world_with(
            project={
                "name": "projects/100000000001",
                "projectId": "acme-prod",
                "state": "ACTIVE",
                "labels": {"env": "dev"},
            }
        )
    )
    args = f"scan --api-base {emu.url} --project acme-prod --format json --check budget.missing".split()
    lowered = run_cli(*args).json()["results"][0]
    assert (
        lowered["severity"] == "medium"
        and "severity lowered from high to medium: dev project" in lowered["message"]
    )
    config = tmp_path / "gcplint.toml"
    config.write_text("lower-severity-in-non-prod = false\n")
    kept = run_cli(*args, "--config", str(config)).json()["results"][0]
    assert kept["severity"] == "high" and "lowered" not in kept["message"]


def readme_toml_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return [block.split("```", 1)[0] for block in text.split("```toml\n")[1:]]


@pytest.mark.parametrize("index", range(len(readme_toml_blocks())))
def test_readme_config_examples_are_valid(index: int, tmp_path: Path) -> None:
    """The config examples in the README load and validate against the built-in checks, each in
    the file its form belongs in (`[tool.gcplint…]` tables in pyproject.toml, else gcplint.toml)."""
    block = readme_toml_blocks()[index]
    pyproject = re.search(r"^\[+tool\.gcplint", block, re.MULTILINE)
    path = tmp_path / ("pyproject.toml" if pyproject else "gcplint.toml")
    path.write_text(block)
    assert load(cwd=tmp_path).source is not None
    result = run_cli("scan", "--demo", "--config", str(path), "--format", "json")
    assert result.code in (0, 1, 3), result.err
    assert result.json()["scan"]["checks"]
