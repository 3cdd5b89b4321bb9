"""The one table of service account forms (gcplint.identities): what each email is, who owns it,
its generated reference (docs/identities.md), and that nothing else classifies service accounts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from helpers import ROOT

from gcplint.identities import COMPUTE_DEFAULT, FORMS, Kind, compute_default_email, identify

AGENT, DEFAULT, USER, UNKNOWN = Kind.SERVICE_AGENT, Kind.DEFAULT, Kind.USER_MANAGED, Kind.UNKNOWN


@pytest.mark.parametrize(
    ("email", "kind", "owner"),
    [
        ("service-123456789012@gcp-sa-pubsub.iam.gserviceaccount.com", AGENT, "123456789012"),
        ("service-org-998877@gcp-sa-ktd-hpsa.iam.gserviceaccount.com", AGENT, None),
        ("service-folder-4455@gcp-sa-logging.iam.gserviceaccount.com", AGENT, None),
        ("123456789012@cloudservices.gserviceaccount.com", AGENT, "123456789012"),
        ("service-1@containerregistry.iam.gserviceaccount.com", AGENT, "1"),
        ("service-1@compute-system.iam.gserviceaccount.com", AGENT, "1"),
        ("p123456789012-ab12cd@gcp-sa-cloud-sql.iam.gserviceaccount.com", AGENT, "123456789012"),
        ("service-7@serverless-robot-prod.iam.gserviceaccount.com", AGENT, "7"),
        ("service-7@gs-project-accounts.iam.gserviceaccount.com", AGENT, "7"),
        ("service-7@cloud-ml.google.com.iam.gserviceaccount.com", AGENT, "7"),
        ("SERVICE-7@GCP-SA-PUBSUB.IAM.GSERVICEACCOUNT.COM", AGENT, "7"),
        ("123456789012-compute@developer.gserviceaccount.com", DEFAULT, "123456789012"),
        ("acme-prod@appspot.gserviceaccount.com", DEFAULT, "acme-prod"),
        ("123456789012@cloudbuild.gserviceaccount.com", DEFAULT, "123456789012"),
        ("deployer@acme-prod.iam.gserviceaccount.com", USER, "acme-prod"),
        ("ci@acme-dev.iam.gserviceaccount.com", USER, "acme-dev"),
        # a user-managed account whose ID looks like an agent's, in a project of the user's
        ("service-123456@acme-prod.iam.gserviceaccount.com", USER, "acme-prod"),
        # forms no row lists: judged, never exempt, no owner
        ("deployer@gcp-sa-pubsub.iam.gserviceaccount.com", UNKNOWN, None),
        ("service-12@gcp-sa-pubsub.iam.gserviceaccount.com.evil.example", UNKNOWN, None),
        ("robot@lookalike.gserviceaccount.com", UNKNOWN, None),
        ("123@cloudservices.gserviceaccount.com.example", UNKNOWN, None),
        ("abc@cloudservices.gserviceaccount.com", UNKNOWN, None),
        ("abc@cloudbuild.gserviceaccount.com", UNKNOWN, None),
        ("x-compute@developer.gserviceaccount.com", UNKNOWN, None),
        ("123@developer.gserviceaccount.com", UNKNOWN, None),
        ("service-1@gcp-sa-pubsub.iam.gserviceaccount.com\n", UNKNOWN, None),
        ("", UNKNOWN, None),
        ("not an email", UNKNOWN, None),
    ],
)
def test_each_email_has_one_kind_and_owner(email: str, kind: Kind, owner: str | None) -> None:
    found = identify(email)
    assert (found.kind, found.owner) == (kind, owner)
    assert found.judged is (kind is not AGENT)


def test_only_service_agents_are_exempt() -> None:
    assert [k for k in Kind if not k.judged] == [AGENT]


def test_every_row_is_sourced_and_matches_its_own_documented_form() -> None:
    samples = {
        "PROJECT_NUMBER": "123456789012",
        "ORGANIZATION_NUMBER": "4455",
        "PROJECT_ID": "acme-prod",
        "SERVICE": "pubsub",
        "SUFFIX": "ab12cd",
        "NAME": "deployer",
    }
    for form in FORMS:
        assert form.source.startswith("https://cloud.google.com/"), form.title
        email = form.shape.split(" ")[0]
        for placeholder, value in samples.items():
            email = email.replace(placeholder, value)
        assert identify(email).form is form, (form.title, email)
    assert len({f.shape for f in FORMS}) == len(FORMS)


def test_the_compute_default_email_is_the_tables() -> None:
    assert identify(compute_default_email("42")).form is COMPUTE_DEFAULT


def test_identities_reference_is_up_to_date() -> None:
    """docs/identities.md is `python -m gcplint.identities`; every row's source is in it."""
    from gcplint.identities import identities_markdown

    text = (ROOT / "docs" / "identities.md").read_text()
    assert text == identities_markdown()
    assert all(form.source in text and form.shape in text for form in FORMS)


MARKERS = ("gserviceaccount", "cloudservices", "gcp-sa-", "appspot", "developer.")
TESTS = {"endswith", "startswith", "removesuffix", "removeprefix", "partition", "rpartition"}
TESTS |= {"match", "fullmatch", "search", "compile", "split"}


def _classifying(tree: ast.AST) -> list[int]:
    """Lines that test an email against a service-account marker: a marker in a comparison
    (`in`, `==`), or passed to a string test or a regular expression."""

    def marked(node: ast.AST) -> bool:
        return any(
            isinstance(n, ast.Constant)
            and isinstance(n.value, str)
            and any(m in n.value for m in MARKERS)
            for n in ast.walk(node)
        )

    def testing(node: ast.AST) -> bool:
        if isinstance(node, ast.Compare):
            return marked(node)
        return (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in TESTS
            and any(marked(arg) for arg in node.args)
        )

    return [getattr(node, "lineno", 0) for node in ast.walk(tree) if testing(node)]


def test_no_other_module_classifies_service_accounts() -> None:
    """The table is the one place; the emulator's generators only produce emails (data)."""
    home = ROOT / "src" / "gcplint" / "identities.py"
    emulator = ROOT / "src" / "gcplint" / "emulator"
    files: list[Path] = [
        *sorted((ROOT / "src" / "gcplint").rglob("*.py")),
        *sorted((ROOT / "checks" / "gcplint_checks").rglob("*.py")),
    ]
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in files
        if path != home and emulator not in path.parents
        for line in _classifying(ast.parse(path.read_text()))
    ]
    assert offenders == []
