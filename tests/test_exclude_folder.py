"""`--exclude-folder`: a folder's whole subtree (nested folders too) is left out of an
organization or folder scan, before sharding; a folder that cannot be found in the scope is an
error, never a silent no-op. Through the emulator's organization world."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from helpers import run_cli
from test_organization import SEED, descendants, organization_id, scanned

from gcplint.emulator import Emulator, World
from gcplint.emulator.generate import generate_org

CHEAP = ("--check", "project.no-deletion-lien", "--format", "json", "--fail-on", "never")


@pytest.fixture(scope="module")
def org() -> dict[str, Any]:
    return generate_org(24, SEED)


@pytest.fixture
def emu(serve: Any, org: dict[str, Any]) -> Emulator:
    emulator: Emulator = serve(World.from_json(org), page_size=5)
    return emulator


def nesting(org: dict[str, Any]) -> str:
    """A folder that has subfolders (its subtree is more than its direct projects)."""
    parents = Counter(f.get("parent") for f in org["folders"])
    return str(next(f["name"] for f in org["folders"] if parents[f["name"]]))


def test_the_whole_subtree_is_excluded_nested_folders_too(
    emu: Emulator, org: dict[str, Any]
) -> None:
    root = f"organizations/{organization_id(org)}"
    folder = nesting(org)
    cut = descendants(org, folder)
    direct = [p for p, b in org["projects"].items() if b["project"].get("parent") == folder]
    assert cut and len(cut) > len(direct)  # the world nests projects below a subfolder
    for given in (folder, folder.split("/")[1]):  # folders/123 or 123
        run = run_cli(
            "scan", "--api-base", emu.url, "--organization", organization_id(org),
            "--exclude-folder", given, *CHEAP,
        )  # fmt: skip
        assert scanned(run) == sorted(set(descendants(org, root)) - set(cut))
        assert run.json()["scan"]["excluded_folders"] == [folder]
        assert run.json()["scan"]["excluded_projects"] == []
        assert f"excluding {folder}" in run.json()["scan"]["scope"]


def test_folder_scope_with_a_nested_exclusion_and_project_exclusion(
    emu: Emulator, org: dict[str, Any]
) -> None:
    parent = nesting(org)
    child = next(f["name"] for f in org["folders"] if f.get("parent") == parent)
    keep = sorted(set(descendants(org, parent)) - set(descendants(org, child)))
    run = run_cli(
        "scan", "--api-base", emu.url, "--folder", parent.split("/")[1],
        "--exclude-folder", child, "--exclude-project", keep[0], *CHEAP,
    )  # fmt: skip
    assert scanned(run) == keep[1:]
    assert run.json()["scan"]["excluded_folders"] == [child]
    assert run.json()["scan"]["excluded_projects"] == [keep[0]]


def test_shards_share_the_scope_left_after_exclusion(emu: Emulator, org: dict[str, Any]) -> None:
    root = f"organizations/{organization_id(org)}"
    folder = nesting(org)
    left = sorted(set(descendants(org, root)) - set(descendants(org, folder)))
    seen: list[str] = []
    for k in range(3):
        run = run_cli(
            "scan", "--api-base", emu.url, "--organization", organization_id(org),
            "--exclude-folder", folder, "--shard", f"{k}/3", *CHEAP,
        )  # fmt: skip
        assert run.json()["scan"]["projects_total"] == len(left)
        seen += scanned(run)
    assert sorted(seen) == left


def test_an_excluded_folder_outside_the_scope_is_an_error(
    emu: Emulator, org: dict[str, Any]
) -> None:
    parent = nesting(org)
    sibling = next(
        f["name"] for f in org["folders"] if f.get("parent") == f"organizations/{organization_id(org)}"
        and f["name"] != parent
    )  # fmt: skip
    run = run_cli(
        "scan", "--api-base", emu.url, "--folder", parent.split("/")[1],
        "--exclude-folder", sibling, *CHEAP,
    )  # fmt: skip
    assert run.code == 2
    assert run.err.strip() == (
        f"gcplint: error: --exclude-folder {sibling}: not a folder below {parent},"
        " the scanned scope"
    )


@pytest.mark.parametrize("given", ["999999999999", "folders/999999999999"])
def test_an_unknown_excluded_folder_is_an_error(
    emu: Emulator, org: dict[str, Any], given: str
) -> None:
    run = run_cli(
        "scan", "--api-base", emu.url, "--organization", organization_id(org),
        "--exclude-folder", given, *CHEAP,
    )  # fmt: skip
    assert run.code == 2
    assert len(run.err.strip().splitlines()) == 1
    assert "--exclude-folder folders/999999999999: no such ACTIVE folder visible" in run.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--organization", "1", "--exclude-folder", "eng"], "--exclude-folder 'eng'"),
        (
            ["--project", "my-project-1", "--exclude-folder", "12"],
            "needs --organization or --folder",
        ),
    ],
)
def test_bad_exclude_folder_flags_exit_2_in_one_line(args: list[str], message: str) -> None:
    run = run_cli("scan", *args)
    assert run.code == 2
    assert len(run.err.strip().splitlines()) == 1
    assert message in run.err
