# gcplint container image: `docker build -t gcplint:dev .`, then `docker run --rm gcplint:dev scan --demo`.
#
# Base image: the official Python 3.11 slim image on Debian 12 (bookworm), pinned to the exact Python
# release and to the digest of its multi-architecture index. The digest could not be resolved from
# the registry where this was written (registry-1.docker.io unreachable): it is the digest public
# Dockerfiles pin for this tag. Verify it, or move to a newer one, with
#   docker buildx imagetools inspect python:3.11.14-slim-bookworm --format '{{json .Manifest.Digest}}'
# and change both FROM lines. A wrong digest fails the build; it cannot pull another image.
# Dependencies: requirements.lock pins every distribution with its hashes (pip-compile
# --generate-hashes); the wheel is installed on top of it with --no-deps.
# tests/test_dockerfile.py checks every FROM for a version tag and a digest, and the lock's use.

# ---- builder: build the gcplint wheel (the built-in check pack and the demo world are inside it) ----
FROM python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /build
COPY pyproject.toml README.md requirements.lock ./
COPY src ./src
COPY checks ./checks
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist . \
    && cp requirements.lock /dist/

# ---- final: only the installed wheel, a non-root user, no build tools, no pip cache ----
FROM python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d

ARG GCPLINT_VERSION=0.1.0
LABEL org.opencontainers.image.title="gcplint" \
      org.opencontainers.image.description="Production-readiness linter for Google Cloud projects" \
      org.opencontainers.image.version="${GCPLINT_VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/gcplint/gcplint" \
      org.opencontainers.image.url="https://github.com/gcplint/gcplint" \
      org.opencontainers.image.documentation="https://github.com/gcplint/gcplint#scanning-an-organization-with-a-cloud-run-job" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11.14-slim-bookworm" \
      org.opencontainers.image.base.digest="sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

COPY --from=builder /dist/ /tmp/dist/
# One layer: install the locked dependencies (every file checked against its hash, wheels only),
# then the gcplint wheel without resolving anything, check the set is consistent, drop the files,
# add the user with a fixed UID/GID and its report directory, then prove the entry point runs.
RUN pip install --no-cache-dir --require-hashes --only-binary=:all: -r /tmp/dist/requirements.lock \
    && pip install --no-cache-dir --no-deps /tmp/dist/gcplint-*.whl \
    && pip check \
    && rm -rf /tmp/dist /root/.cache \
    && groupadd --system --gid 10001 gcplint \
    && useradd --system --uid 10001 --gid 10001 --home-dir /home/gcplint --create-home \
       --shell /usr/sbin/nologin gcplint \
    && install -d -o 10001 -g 10001 -m 0755 /reports \
    && gcplint --version

# Reports written with relative paths land here; mount a volume at /reports to keep them.
WORKDIR /reports
USER 10001:10001

ENTRYPOINT ["gcplint"]
CMD ["--help"]
