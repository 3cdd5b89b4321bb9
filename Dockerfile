# gcplint container image: `docker build -t gcplint:dev .`, then `docker run --rm gcplint:dev scan --demo`.
#
# Base image: the official Python 3.11 slim image on Debian 12 (bookworm), pinned to the exact Python
# release. To pin the digest too (recommended for releases), resolve the multi-arch index digest and
# append it to both FROM lines, e.g.:
#   docker buildx imagetools inspect python:3.11.14-slim-bookworm --format '{{json .Manifest.Digest}}'
#   FROM python:3.11.14-slim-bookworm@sha256:<digest>
# tests/test_dockerfile.py checks every FROM for a version tag, and the digest's form when one is present.

# ---- builder: build the gcplint wheel (the built-in check pack and the demo world are inside it) ----
FROM python:3.11.14-slim-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1

WORKDIR /build
COPY pyproject.toml README.md ./
COPY src ./src
COPY checks ./checks
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /dist .

# ---- final: only the installed wheel, a non-root user, no build tools, no pip cache ----
FROM python:3.11.14-slim-bookworm

ARG GCPLINT_VERSION=0.1.0
LABEL org.opencontainers.image.title="gcplint" \
      org.opencontainers.image.description="Production-readiness linter for Google Cloud projects" \
      org.opencontainers.image.version="${GCPLINT_VERSION}" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.source="https://github.com/gcplint/gcplint" \
      org.opencontainers.image.url="https://github.com/gcplint/gcplint" \
      org.opencontainers.image.documentation="https://github.com/gcplint/gcplint#scanning-an-organization-with-a-cloud-run-job" \
      org.opencontainers.image.base.name="docker.io/library/python:3.11.14-slim-bookworm"

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

COPY --from=builder /dist/ /tmp/dist/
# One layer: install the wheel (its dependencies come from the index), drop the wheel, add the user
# with a fixed UID/GID and its report directory, then prove the entry point runs.
RUN pip install --no-cache-dir /tmp/dist/gcplint-*.whl \
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
