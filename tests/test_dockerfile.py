"""The container image's contract, read statically from the Dockerfile (no Docker needed)."""

from __future__ import annotations

import fnmatch
import json
import re
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"

# image[:tag][@sha256:digest]; the tag must name a version (3.11, 3.11.14-slim-bookworm, ...)
IMAGE_RE = re.compile(
    r"^(?P<name>[a-z0-9./_-]+)(?::(?P<tag>[A-Za-z0-9_.-]+))?(?:@(?P<digest>sha256:[0-9a-f]{64}))?$"
)
VERSION_TAG_RE = re.compile(r"^\d+\.\d+")
BUILD_TOOLS = {
    "gcc",
    "g++",
    "make",
    "build-essential",
    "clang",
    "cmake",
    "python3-dev",
    "libc6-dev",
}
PIP_BUILD_TOOLS = {"build", "hatchling", "setuptools-scm", "cython", "maturin"}


@dataclass
class Instruction:
    keyword: str
    args: str


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[Instruction] = field(default_factory=list)

    def all(self, keyword: str) -> list[Instruction]:
        return [i for i in self.instructions if i.keyword == keyword]


def parse(text: str) -> list[Stage]:
    """Instructions with continuations joined and comments dropped, grouped by stage."""
    logical: list[str] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue  # a comment inside a continued instruction
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"

    stages: list[Stage] = []
    for line in logical:
        keyword, _, args = line.partition(" ")
        keyword, args = keyword.upper(), args.strip()
        if keyword == "FROM":
            words = [w for w in args.split() if not w.startswith("--")]
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image=words[0], name=name))
        elif keyword == "ARG" and not stages:
            continue  # global ARGs before the first FROM
        else:
            assert stages, f"instruction before the first FROM: {line}"
            stages[-1].instructions.append(Instruction(keyword, args))
    return stages


def flags_and_words(args: str) -> tuple[dict[str, str], list[str]]:
    """COPY/ADD arguments: the --flag=value options, then the sources and the destination."""
    words = json.loads(args) if args.startswith("[") else shlex.split(args)
    flags: dict[str, str] = {}
    rest: list[str] = []
    for word in words:
        if word.startswith("--") and not rest:
            key, _, value = word[2:].partition("=")
            flags[key] = value
        else:
            rest.append(word)
    return flags, rest


def dockerignored(path: str, patterns: list[str]) -> bool:
    """Docker's rule, simplified: the last pattern matching the path or one of its parents wins."""
    parts = path.strip("/").split("/")
    candidates = ["/".join(parts[: n + 1]) for n in range(len(parts))]
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        glob = pattern.lstrip("!").strip("/").replace("**", "*")
        if any(fnmatch.fnmatchcase(c, glob) for c in candidates):
            excluded = not negated
    return excluded


@pytest.fixture(scope="module")
def stages() -> list[Stage]:
    return parse(DOCKERFILE.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def final(stages: list[Stage]) -> Stage:
    return stages[-1]


def test_multi_stage_build(stages: list[Stage]) -> None:
    assert len(stages) >= 2, "a builder stage and a final stage"
    builder = stages[0]
    assert builder.name, "the builder stage is named, for COPY --from"
    assert any(
        re.search(r"\bpip wheel\b|\bpython -m build\b", run.args) for run in builder.all("RUN")
    ), "the builder stage builds the wheel"


def test_every_base_image_is_pinned(stages: list[Stage]) -> None:
    names = {s.name for s in stages if s.name}
    external = [s.image for s in stages if s.image not in names]
    assert external
    digests = []
    for image in external:
        match = IMAGE_RE.match(image)
        assert match, f"unparseable FROM image {image!r}"
        tag = match["tag"] or ""
        assert VERSION_TAG_RE.match(tag), f"{image!r} is not pinned to a version tag"
        assert "python" not in match["name"] or tag.startswith("3.11"), "Python 3.11 base"
        digests.append(match["digest"])
    # a digest, where one is pinned, is pinned on every base (the regex checks its form)
    assert all(digests) or not any(digests), f"digest on some FROM lines only: {external}"


def test_final_stage_runs_as_a_fixed_non_root_user(final: Stage) -> None:
    users = final.all("USER")
    assert users, "the final stage sets USER"
    user = users[-1].args.split(":")[0]
    assert user not in {"root", "0"}
    assert user.isdigit() and int(user) >= 1000, "a fixed numeric UID (Kubernetes runAsNonRoot)"
    workdir = final.all("WORKDIR")
    assert workdir, "a WORKDIR for reports"
    run_text = " ".join(r.args for r in final.all("RUN"))
    assert workdir[-1].args in run_text and user in run_text, "the WORKDIR is created for the user"


def test_entrypoint_and_cmd(final: Stage) -> None:
    entrypoints = final.all("ENTRYPOINT")
    assert entrypoints and json.loads(entrypoints[-1].args) == ["gcplint"]
    cmds = final.all("CMD")
    assert cmds and json.loads(cmds[-1].args) == ["--help"]


def test_final_stage_environment_and_labels(final: Stage) -> None:
    env = " ".join(e.args for e in final.all("ENV"))
    assert "PYTHONDONTWRITEBYTECODE=1" in env
    assert "PYTHONUNBUFFERED=1" in env
    labels = " ".join(label.args for label in final.all("LABEL"))
    for key in ("title", "version", "source", "licenses"):
        assert f"org.opencontainers.image.{key}=" in labels


def test_final_stage_installs_only_the_wheel(stages: list[Stage], final: Stage) -> None:
    names = {s.name for s in stages[:-1]}
    for copy in final.all("COPY") + final.all("ADD"):
        flags, _ = flags_and_words(copy.args)
        assert flags.get("from") in names, f"the final stage copies only from a build stage: {copy}"
    runs = [r.args for r in final.all("RUN")]
    assert any("pip install" in r and ".whl" in r for r in runs), "the wheel is pip-installed"
    for run in runs:
        for command in re.split(r"&&|;|\|\|", run):
            words = command.split()
            if ("apt-get" in words and "install" in words) or ("apk" in words and "add" in words):
                assert not BUILD_TOOLS & set(words), f"build tools in the final stage: {command}"
            if "pip" in words and "install" in words:
                assert "--no-cache-dir" in words, f"pip cache kept in the final stage: {command}"
                assert not PIP_BUILD_TOOLS & set(words), (
                    f"build tools in the final stage: {command}"
                )


def test_builder_copies_exist_and_are_in_the_build_context(stages: list[Stage]) -> None:
    patterns = [
        line.strip()
        for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    copied = []
    for stage in stages:
        for copy in stage.all("COPY") + stage.all("ADD"):
            flags, words = flags_and_words(copy.args)
            if "from" in flags:
                continue
            copied += words[:-1]
    assert copied, "the builder copies the sources"
    for source in copied:
        assert (REPO / source).exists(), f"COPY {source}: not in the repository"
        assert not dockerignored(source, patterns), f"COPY {source}: excluded by .dockerignore"
    for heavy in (".git", ".venv", ".ci/node", "dist", ".pytest_cache", "tests"):
        assert dockerignored(heavy, patterns), f".dockerignore keeps {heavy} in the context"


def test_every_base_image_is_pinned_by_digest(stages: list[Stage]) -> None:
    names = {s.name for s in stages if s.name}
    for stage in stages:
        if stage.image not in names:
            match = IMAGE_RE.match(stage.image)
            assert match and match["digest"], f"{stage.image!r} is not pinned by digest"


def test_the_image_installs_the_locked_dependencies_then_the_wheel_alone(
    stages: list[Stage], final: Stage
) -> None:
    """Dependencies come only from requirements.lock, every file checked against its hash and
    no source distribution built; the wheel adds nothing (--no-deps)."""
    builder_copies = " ".join(c.args for c in stages[0].all("COPY"))
    assert "requirements.lock" in builder_copies
    commands = [
        command.split()
        for run in final.all("RUN")
        for command in re.split(r"&&|;|\|\|", run.args)
        if "pip" in command.split() and "install" in command.split()
    ]
    locked = [w for w in commands if "requirements.lock" in " ".join(w)]
    assert locked and {"--require-hashes", "--only-binary=:all:"} <= set(locked[0])
    wheels = [w for w in commands if any(word.endswith(".whl") for word in w)]
    assert wheels and all("--no-deps" in w for w in wheels)
    assert commands.index(locked[0]) < commands.index(wheels[0])
