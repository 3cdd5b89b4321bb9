"""SECURITY.md is linked from the README, and every link it makes into the repository resolves."""

from __future__ import annotations

import re

from helpers import ROOT

from gcplint.checks.docs import heading_anchors

TEXT = (ROOT / "SECURITY.md").read_text()
LINK = re.compile(r"\]\(([^)#]+)?(?:#([^)]+))?\)")


def test_the_readme_links_the_security_policy() -> None:
    assert "](SECURITY.md)" in (ROOT / "README.md").read_text()


def test_every_link_of_the_security_policy_resolves() -> None:
    links = LINK.findall(TEXT)
    assert links
    for path, anchor in links:
        if path.startswith("http"):
            continue
        target = ROOT / path
        assert target.is_file(), path
        if anchor:
            anchors = {a for _, _, a in heading_anchors(target.read_text())}
            assert anchor in anchors, f"{path}#{anchor}"


def test_it_covers_the_three_hostile_inputs_and_how_to_report() -> None:
    for words in (
        "Project insiders",
        "Endpoints",
        "Files handed to gcplint",
        "Reporting a vulnerability",
    ):
        assert words in TEXT
