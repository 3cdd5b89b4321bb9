"""Check packs: the built-in pack arrives through the public entry point, like any other."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from helpers import run_cli

from gcplint.checks.plugins import PluginError, load_checks, select

FIRST_CHECKS = {
    "env.unlabeled-project",
    "iam.sa-primitive-role",
    "sql.public-ip",
    "budget.missing",
    "run.no-rollback-target",
}

LOCAL_CHECK = '''
from gcplint.api import Area, Severity, check, passed, registry

@check(id="{check_id}", title="Local check", severity=Severity.LOW, area=Area.SERVICES,
       requires=[registry.PROJECT])
def local(inv):
    """A local check.

    ## Why it matters
    Tests.

    ## Remediation
    None.

    ## References
    - https://example.invalid
    """
    yield passed(inv.resource, "local check ran")
'''


def test_builtin_pack_comes_from_the_entry_point() -> None:
    checks = {c.spec.id: c for c in load_checks()}
    assert set(checks) >= FIRST_CHECKS
    for check_id in FIRST_CHECKS:
        assert checks[check_id].origin.startswith("entry point builtin (gcplint_checks.")


def test_engine_never_imports_the_builtin_pack() -> None:
    """Only the entry point may reach gcplint_checks: the engine must not import it by name."""
    src = Path(__file__).resolve().parent.parent / "src" / "gcplint"
    offenders = [
        p for p in src.rglob("*.py") if re.search(r"(import|from) +gcplint_checks", p.read_text())
    ]
    assert offenders == []


def test_checks_dir_adds_checks(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(LOCAL_CHECK.format(check_id="local.hello"))
    checks = {c.spec.id: c for c in load_checks([tmp_path])}
    assert checks["local.hello"].origin == str(tmp_path / "mine.py")
    assert set(checks) >= FIRST_CHECKS


def test_duplicate_id_names_both_sources(tmp_path: Path) -> None:
    (tmp_path / "clash.py").write_text(LOCAL_CHECK.format(check_id="sql.public-ip"))
    with pytest.raises(PluginError) as info:
        load_checks([tmp_path])
    message = str(info.value)
    assert "duplicate check id 'sql.public-ip'" in message
    assert (
        "entry point builtin (gcplint_checks.sql)" in message
        and str(tmp_path / "clash.py") in message
    )


def test_broken_check_file_is_a_one_line_error(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import nonexistent_module_xyz\n")
    run = run_cli("checks", "list", "--checks-dir", str(tmp_path))
    assert run.code == 2
    assert "cannot load check file" in run.err and "nonexistent_module_xyz" in run.err


def test_check_without_docstring_is_refused(tmp_path: Path) -> None:
    (tmp_path / "nodoc.py").write_text(
        textwrap.dedent("""
        from gcplint.api import Area, Severity, check, registry
        @check(id="local.nodoc", title="x", severity=Severity.LOW, area=Area.SERVICES,
               requires=[registry.PROJECT])
        def nodoc(inv):
            return []
    """)
    )
    with pytest.raises(PluginError, match="needs a docstring"):
        load_checks([tmp_path])


def test_selection_globs() -> None:
    checks = load_checks()
    assert [c.spec.id for c in select(checks, ["sql.p*"], [])] == [
        "sql.pitr-disabled",
        "sql.public-ip",
    ]
    assert "sql.public-ip" not in [c.spec.id for c in select(checks, [], ["sql.*"])]
    with pytest.raises(PluginError):
        select(checks, ["sqll.*"], [])


def test_third_party_pack_through_the_entry_point_group(tmp_path: Path) -> None:
    """An installed distribution registering `gcplint.checks` is loaded like the built-in pack."""
    (tmp_path / "acme_checks.py").write_text(LOCAL_CHECK.format(check_id="acme.house-rule"))
    dist = tmp_path / "acme_checks-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: acme-checks\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[gcplint.checks]\nacme = acme_checks\n")
    code = (
        "import sys; sys.path.insert(0, sys.argv[1]);"
        "from gcplint.checks.plugins import load_checks;"
        "print([c.origin for c in load_checks() if c.spec.id == 'acme.house-rule'])"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "entry point acme (acme_checks)" in proc.stdout
