"""Every remediation command is valid for current gcloud.

Every case of every check (fixtures/cases, the machinery of tests/test_checks.py) runs through
the emulator; each `gcloud ...` command in a result's remediation is cut out (shlex, up to `;`,
`&&`, `|`, `>`, a parenthesis or the end of the line) and checked against tests/data/gcloud.json,
a table of the command paths gcplint uses with the flags each accepts, written from the gcloud
reference page it cites:

- the command path is in the table, every `--flag` is one the table lists for it (or a
  gcloud-wide flag), and the flags the table marks required are given;
- no UPPER_CASE placeholder appears unless ALLOWED_PLACEHOLDERS allows it for that check (values
  the check knows, such as the project, region, service, instance, bucket, topic, budget or
  account, are filled in; upper-case words that come from the scanned data, such as an env var
  name, or that are values gcloud expects, such as REGIONAL, are not placeholders);
- no secret reference is pinned to `latest` (run.secret-version-latest flags that).

The commands in each check's `## Remediation` docstring section are held to the same paths and
flags. Every failing result carries a remediation, with a gcloud command unless NO_COMMAND says
why not.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import session_for
from test_checks import BUILTIN, NOW, build_world, case_files

from gcplint.checks.runner import gather, stream
from gcplint.emulator import Emulator, Fault, World

TABLE = json.loads((Path(__file__).parent / "data" / "gcloud.json").read_text())


def expand(flags: list[str]) -> set[str]:
    """`--[no-]x` -> {--x, --no-x} (gcloud accepts the inverse of every Boolean flag)."""
    names: set[str] = set()
    for flag in flags:
        if flag.startswith("--[no-]"):
            names |= {"--" + flag[7:], "--no-" + flag[7:]}
        else:
            names.add(flag)
    return names


COMMANDS: dict[tuple[str, ...], dict[str, Any]] = {
    tuple(entry["path"].split()): entry for entry in TABLE["commands"]
}
GLOBAL_FLAGS = expand(TABLE["global_flags"]["flags"])

# Upper-case words in a command that are placeholders a user must replace, allowed only where
# gcplint cannot know the value. A check absent here may print none.
ALLOWED_PLACEHOLDERS: dict[str, dict[str, str]] = {
    "budget.missing": {
        "AMOUNT": "the monthly spend the team expects is a business decision, not in any API",
    },
    "budget.no-alert": {
        "AMOUNT": "as budget.missing, when no budget covers the project",
        "CHANNEL_ID": "which notification channel the team watches is not something gcplint reads",
    },
    "env.unlabeled-project": {
        "ENVIRONMENT": "the project's ID names no environment: only its owners know which it is",
    },
    "env.cross-env-reference": {
        "INSTANCE": "the project's own Cloud SQL instance, which may not exist yet: gcplint cannot pick it",
    },
    "monitoring.alert-no-channel": {
        "CHANNEL_ID": "which notification channel the team watches is not something gcplint reads",
    },
    "monitoring.no-uptime-check": {
        "HOST": "only when the service reports no URL (never in a served service)",
    },
    "project.no-essential-contacts": {
        "EMAIL": "who should receive Google's notices is the organization's decision",
    },
    "pubsub.no-dead-letter": {},
    "run.container-registry-image": {
        "LOCATION": "only for an image on a Container Registry host gcplint does not map",
        "PROJECT": "as LOCATION",
        "REPOSITORY": "as LOCATION",
        "IMAGE": "as LOCATION",
    },
    "run.latest-revision-failed": {
        "REVISION": "only when the service names no latest created revision",
    },
    "run.no-max-instances": {
        "MAX_INSTANCES": "a capacity decision (database connections, budget) only the team can make",
    },
    "run.no-rollback-target": {
        "REVISION": "the known-good revision to roll back to does not exist yet (that is the finding)",
    },
    "run.secret-version-latest": {
        "VERSION": "the check reads only the service (not secret versions); the remediation prints the command that gives the number",
        "MOUNT_PATH": "only for a secret volume no container mounts",
    },
    "run.rollback-image-missing": {
        "REPOSITORY": "only for an image outside Artifact Registry, which never fails this check",
        "LOCATION": "as REPOSITORY",
    },
    "secrets.project-level-accessor": {
        "SECRET": "which secrets the account reads is not in the project's IAM policy",
    },
    "sql.public-ip": {
        "NETWORK": "the VPC network the database's clients use is not on a public-only instance",
    },
}

# Checks whose failures carry a remediation without a gcloud command, and why.
NO_COMMAND = {
    "env.mixed-environments": "moving a service or database to another project is a redeploy "
    "or a data migration, not one command; the remediation says where it belongs",
}

# Upper-case words that are values gcloud expects (enums, versions, filter keywords), never
# placeholders.
VALUE_WORDS = re.compile(
    r"REGIONAL|ZONAL|ENCRYPTED_ONLY|TRUSTED_CLIENT_CERTIFICATE_REQUIRED|"
    r"(MON|TUE|WED|THU|FRI|SAT|SUN)|(MYSQL|POSTGRES|SQLSERVER)_\d+(_\d+)*(_[A-Z]+)?|"
    r"NOT|AND|OR|LOG_ID"
)
# Words that read as placeholders even if a world happens to hold them as data.
PLACEHOLDER_LOOKING = {word for allowed in ALLOWED_PLACEHOLDERS.values() for word in allowed} | {
    "PROJECT_ID",
    "PROJECT_NUMBER",
    "REGION",
    "SERVICE",
    "SECRET_NAME",
    "VAR",
    "CONDITION",
    "BUDGET_ID",
    "CHANNEL",
    "N",
    "KEY_ID",
    "DEAD_LETTER_TOPIC",
    "OLD_IMAGE",
}
UPPER = re.compile(r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]*(?![A-Za-z0-9_])")
START = re.compile(r"(?<![\w./-])gcloud(?=\s)")
OPERATORS = set(";&|<>()")


def gcloud_commands(text: str) -> list[list[str]]:
    """Every `gcloud ...` command in a text, as the words after `gcloud`: shlex-tokenised up to
    a shell operator (`;`, `&&`, `|`, `>`), a parenthesis (prose follows) or the end of the line."""
    found = []
    for line in text.splitlines():
        for start in START.finditer(line):
            lexer = shlex.shlex(line[start.end() :], posix=True, punctuation_chars=True)
            lexer.whitespace_split = True
            words = []
            for token in lexer:
                if set(token) <= OPERATORS:
                    break
                words.append(token)
            found.append(words)
    return found


def command_path(words: list[str]) -> tuple[str, ...] | None:
    """The longest command path of the table that the words start with."""
    for size in range(min(len(words), 6), 0, -1):
        if tuple(words[:size]) in COMMANDS:
            return tuple(words[:size])
    return None


def flag_names(words: list[str]) -> list[str]:
    return [word.partition("=")[0] for word in words if word.startswith("--")]


def problems(
    words: list[str], *, allowed: dict[str, str], data: set[str], required: bool = True
) -> list[str]:
    """What is wrong with one gcloud command (its words after `gcloud`)."""
    shown = "gcloud " + " ".join(words)
    path = command_path(words)
    if path is None:
        return [f"unknown command path in `{shown}` (not in tests/data/gcloud.json)"]
    entry = COMMANDS[path]
    accepted = expand(entry["flags"]) | GLOBAL_FLAGS
    found = [
        f"`{flag}` is not a flag of gcloud {' '.join(path)} ({entry['url']}): `{shown}`"
        for flag in flag_names(words)
        if flag not in accepted
    ]
    if required:
        given = set(flag_names(words))
        found += [
            f"`{shown}` lacks the required {flag}"
            for flag in entry["required"]
            if flag not in given
        ]
    for word in words[len(path) :]:
        for upper in UPPER.findall(word):
            if VALUE_WORDS.fullmatch(upper) or upper in allowed:
                continue
            if upper in data and upper not in PLACEHOLDER_LOOKING:
                continue
            found.append(
                f"placeholder {upper} in `{shown}`: gcplint knows the value, or "
                "ALLOWED_PLACEHOLDERS must say why it cannot"
            )
    for word in words:
        name, _, value = word.partition("=")
        if word.endswith(":latest") or (
            name in ("--update-secrets", "--set-secrets")
            and any(item.rpartition(":")[2] in ("", "latest") for item in value.split(","))
        ):
            found.append(f"`{shown}` pins a secret to latest (run.secret-version-latest flags it)")
    return found


@dataclass(frozen=True)
class Printed:
    """One result's remediation, and what it was printed for."""

    check: str
    case: str
    status: str
    remediation: str | None
    data: frozenset[str]  # upper-case words of the case's world: data, not placeholders


def run_every_case() -> Iterator[Printed]:
    for path in case_files():
        spec = json.loads(path.read_text())
        check_id = spec["check"]
        for case in spec["cases"]:
            world = build_world(case)
            emu = Emulator(World.from_json(world), page_size=1).start()
            try:
                for fault in case.get("faults", []):
                    emu.add_fault(Fault.from_json(fault))
                scope = case.get("scope", ["acme-prod"])
                _, results = gather(stream([BUILTIN[check_id]], scope, session_for(emu), now=NOW))
            finally:
                emu.stop()
            data = frozenset(UPPER.findall(json.dumps(world)))
            for result in results:
                yield Printed(check_id, case["name"], result.status.value, result.remediation, data)


@pytest.fixture(scope="module")
def printed() -> list[Printed]:
    """Every result of every case of every check (run once for the module)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("GCPLINT_API_BASE", raising=False)
        return list(run_every_case())


@pytest.mark.parametrize("check_id", sorted(BUILTIN))
def test_every_failure_has_a_remediation(printed: list[Printed], check_id: str) -> None:
    failures = [p for p in printed if p.check == check_id and p.status == "fail"]
    assert failures, f"{check_id} has no failing case"
    for p in failures:
        assert p.remediation, f"{check_id} / {p.case}: a failure without a remediation"
        if check_id not in NO_COMMAND:
            assert gcloud_commands(p.remediation), (
                f"{check_id} / {p.case}: no gcloud command in {p.remediation!r}"
            )


@pytest.mark.parametrize("check_id", sorted(BUILTIN))
def test_remediation_commands_are_valid_gcloud(printed: list[Printed], check_id: str) -> None:
    allowed = ALLOWED_PLACEHOLDERS.get(check_id, {})
    found: list[str] = []
    for p in printed:
        if p.check != check_id or not p.remediation:
            continue
        for words in gcloud_commands(p.remediation):
            found += [
                f"{p.case}: {problem}"
                for problem in problems(words, allowed=allowed, data=set(p.data))
            ]
    assert not found, "\n".join(dict.fromkeys(found))


@pytest.mark.parametrize("check_id", sorted(BUILTIN))
def test_docstring_commands_use_real_paths_and_flags(check_id: str) -> None:
    """The `## Remediation` section's commands (generic, so placeholders are expected there)
    name commands and flags gcloud has."""
    section = BUILTIN[check_id].section("Remediation") or ""
    found: list[str] = []
    for span in re.findall(r"`([^`]*)`", section):
        span = " ".join(span.split())
        if span.startswith("gcloud "):
            for words in gcloud_commands(span):
                found += [
                    p
                    for p in problems(words, allowed={}, data=set(), required=False)
                    if not p.startswith("placeholder")
                ]
    assert not found, "\n".join(found)


def test_the_table_cites_the_reference_page_of_each_command() -> None:
    for path, entry in COMMANDS.items():
        assert entry["url"] == "https://cloud.google.com/sdk/gcloud/reference/" + "/".join(path)
        assert set(entry["required"]) <= expand(entry["flags"]) | GLOBAL_FLAGS, path


def test_allowed_placeholders_name_builtin_checks() -> None:
    assert set(ALLOWED_PLACEHOLDERS) | set(NO_COMMAND) <= set(BUILTIN)
    for check_id, words in ALLOWED_PLACEHOLDERS.items():
        assert all(UPPER.fullmatch(word) and reason for word, reason in words.items()), check_id


@pytest.mark.parametrize(
    ("remediation", "complaint"),
    [
        ("gcloud run services update api --region=r --project=p --max-instance=3", "not a flag"),
        (
            "gcloud run services update api --project=p --max-instances=3",
            "lacks the required --region",
        ),
        ("gcloud run servicez update api --region=r --project=p", "unknown command path"),
        (
            "gcloud billing budgets update B --billing-account=A --threshold-rule=percent=0.9",
            "not a flag",
        ),
        (
            "gcloud secrets create s --project=p --data-file=- && gcloud run services update api "
            "--region=r --project=p --update-secrets=X=s:latest",
            "pins a secret to latest",
        ),
        (
            "gcloud sql instances patch db --project=p --network=NETWORK  (then)",
            "placeholder NETWORK",
        ),
        (
            "gcloud projects update p --update-labels=env=prod",
            "not a flag of gcloud projects update",
        ),
    ],
)
def test_the_checker_rejects_broken_commands(remediation: str, complaint: str) -> None:
    found = [
        p for words in gcloud_commands(remediation) for p in problems(words, allowed={}, data=set())
    ]
    assert any(complaint in p for p in found), found
