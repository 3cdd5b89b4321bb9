"""The shape of the code, checked: one way from request to report, a core that does not import
the emulator, help and metadata that load no Google library, collections named in one place."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

from gcplint.collect import apis, registry

SRC = ROOT / "src" / "gcplint"
HEAVY = ("google", "googleapiclient", "grpc", "httplib2", "google_auth_httplib2", "rich")


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter has loaded after running `code`."""
    probe = f"{code}\nimport sys\nprint(' '.join(sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return set(out.stdout.split())


@pytest.mark.parametrize(
    "code",
    [
        "import gcplint.cli",
        "import gcplint.api",
        "from gcplint.cli import main\ntry:\n    main(['--help'])\nexcept SystemExit:\n    pass",
        "from gcplint.cli import main\ntry:\n    main(['scan', '--help'])\nexcept SystemExit:\n    pass",
        "from gcplint.cli import main\ntry:\n    main(['checks', 'list'])\nexcept SystemExit:\n    pass",
    ],
    ids=["import cli", "import api", "--help", "scan --help", "checks list"],
)
def test_help_and_metadata_load_no_google_library_and_no_emulator(code: str) -> None:
    loaded = modules_after(code)
    heavy = sorted(
        m for m in loaded if m.split(".")[0] in HEAVY or m.startswith("gcplint.emulator")
    )
    assert heavy == []


def imports_of(path: Path) -> set[str]:
    """The gcplint modules a source file imports (absolute names, relative ones resolved)."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts)
    if path.name != "__init__.py":
        package = package.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package.split(".")
            if node.level:
                base = base[: len(base) - node.level + 1]
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.add(name)
            found.update(f"{name}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_core_never_imports_the_emulator() -> None:
    """Only the emulator itself, the `emulator` commands and opening the --demo session may."""
    allowed = {SRC / "emulator", SRC / "cli" / "emulator.py", SRC / "collect" / "connect.py"}
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if not any(path == a or a in path.parents for a in allowed)
        and any(
            m == "gcplint.emulator" or m.startswith("gcplint.emulator.") for m in imports_of(path)
        )
    ]
    assert offenders == []


def test_google_libraries_are_imported_only_where_the_apis_are_called() -> None:
    """In the core, Google's client libraries belong to the clients (and the failure
    classifier); everything else reaches them through a session. (The emulator, a tool, reads
    the discovery documents the libraries bundle.)"""
    allowed = {"clients.py", "failures.py"}
    offenders = [
        str(path.relative_to(SRC))
        for path in SRC.rglob("*.py")
        if SRC / "emulator" not in path.parents
        and not (path.parent == SRC / "collect" and path.name in allowed)
        and any(m.split(".")[0] in HEAVY[:5] for m in imports_of(path))
    ]
    assert offenders == []


def test_every_collection_is_declared_once_and_named_after_its_api() -> None:
    names = [c.name for c in registry.ALL]
    assert len(names) == len(set(names))
    for collection in registry.ALL:
        assert collection.name.split(".", 1)[0] == collection.api.label, collection
        assert collection.api in apis.APIS
        assert registry.by_name(collection.name) is collection


def python_files() -> list[Path]:
    roots = [ROOT / "src", ROOT / "checks", ROOT / "tests", ROOT / "benchmarks"]
    return sorted(p for root in roots for p in root.rglob("*.py"))


def test_no_collection_name_is_spelled_outside_the_registry() -> None:
    """A collection is named by its constant everywhere; its name string is written once, in
    its declaration (`collect/registry/`). World and case files (JSON) are data, not code."""
    names = "|".join(re.escape(c.name) for c in registry.ALL)
    pattern = re.compile(rf"""["']({names})["']""")
    home = SRC / "collect" / "registry"
    offenders = [
        f"{path.relative_to(ROOT)}:{n}: {match.group(1)}"
        for path in python_files()
        if home not in path.parents
        for n, line in enumerate(path.read_text().splitlines(), 1)
        for match in pattern.finditer(line)
    ]
    assert offenders == []


def test_checks_new_scaffolds_a_check_that_cannot_pass(tmp_path: Path) -> None:
    pack, cases = tmp_path / "pack", tmp_path / "cases"
    pack.mkdir()
    cases.mkdir()
    new = run_cli(
        "checks", "new", "demo.no-thing", "--title", "A thing exists", "--severity", "low",
        "--area", "service-map", "--pack", str(pack), "--cases", str(cases),
    )  # fmt: skip
    assert new.code == 0, new.err
    module, case_file = pack / "demo.py", cases / "demo.no-thing.json"
    explain = run_cli("checks", "explain", "demo.no-thing", "--checks-dir", str(pack))
    assert explain.code == 0
    for section in ("Why it matters", "Example", "Remediation", "References"):
        assert section in explain.out
    statuses = {
        e["status"] for case in json.loads(case_file.read_text())["cases"] for e in case["expect"]
    }
    assert statuses == {"pass", "fail", "unknown"}
    scan = run_cli(
        "scan", "--demo", "--checks-dir", str(pack), "--check", "demo.no-thing",
        "--format", "json", "--no-progress",
    )  # fmt: skip
    results = scan.json()["results"]
    assert results and {(r["status"], r["reason"]) for r in results} == {("unknown", "ERROR")}
    # a second check of the same prefix is appended to the same module
    again = run_cli(
        "checks", "new", "demo.other-thing", "--title", "Another", "--severity", "high",
        "--area", "service-map", "--pack", str(pack), "--cases", str(cases),
    )  # fmt: skip
    assert again.code == 0, again.err
    assert module.read_text().count("@check(") == 2
    listed = run_cli("checks", "list", "--checks-dir", str(pack))
    assert "demo.no-thing" in listed.out and "demo.other-thing" in listed.out


@pytest.mark.parametrize(
    ("check_id", "message"),
    [
        ("Bad Id", "must look like"),
        ("sql.public-ip", "already exists"),
        ("demo.no-thing", "already exists"),
    ],
)
def test_checks_new_refuses_without_overwriting(
    tmp_path: Path, check_id: str, message: str
) -> None:
    pack, cases = tmp_path / "pack", tmp_path / "cases"
    pack.mkdir()
    cases.mkdir()
    (cases / "demo.no-thing.json").write_text("{}")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    run = run_cli(
        "checks", "new", check_id, "--title", "t", "--severity", "low", "--area", "service-map",
        "--pack", str(pack), "--cases", str(cases),
    )  # fmt: skip
    assert run.code == 2 and message in run.err and "Traceback" not in run.err
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
