# The one Bowsprit image: every component (`bowsprit plank`, `bowsprit hook`, ...) and the
# pod utilities run from it; its entrypoint is the `bowsprit` CLI.
#   docker build -t ghcr.io/bowsprit-ci/bowsprit:0.1.0 .
# Base pinned to an exact tag (python 3.11 on Debian 12, as the project is tested); pin
# it by digest as well where builds must be reproducible to the byte.
ARG PYTHON_IMAGE=python:3.11.14-slim-bookworm

# Stage 1: build the wheel (the build tools never reach the final image).
FROM ${PYTHON_IMAGE} AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY operators ./operators
RUN pip wheel --no-cache-dir --disable-pip-version-check --no-deps --wheel-dir /dist .

# Stage 2: a venv holding only the wheel and its runtime dependencies.
FROM ${PYTHON_IMAGE} AS venv
COPY --from=build /dist /dist
RUN python -m venv /opt/bowsprit \
 && /opt/bowsprit/bin/pip install --no-cache-dir --disable-pip-version-check /dist/*.whl

# Stage 3: the runtime. git and the OpenSSH client (ssh, ssh-agent, ssh-add) are there for
# clonerefs; no compilers, no pip cache.
FROM ${PYTHON_IMAGE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends git openssh-client ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --gid 10001 bowsprit \
 && useradd --uid 10001 --gid 10001 --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin bowsprit
COPY --from=venv /opt/bowsprit /opt/bowsprit
ENV PATH=/opt/bowsprit/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
# Numeric, so Kubernetes can check runAsNonRoot without a user database.
USER 10001:10001
ENTRYPOINT ["bowsprit"]
CMD ["--help"]
