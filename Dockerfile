# coord's image: the wheel built from these sources, installed into a slim Python, run as a non-root user.
# No key or password is in it: they come from the environment or from mounted secrets at run time
# (docker-compose.yml, docs/deployment.md). The same image runs every process; the command picks which.

FROM python:3.11.14-slim-bookworm AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY coord ./coord
COPY events ./events
COPY projections ./projections
COPY migrations ./migrations
RUN pip wheel --no-cache-dir --no-deps --wheel-dir /wheels .

FROM python:3.11.14-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    COORD_DATA_DIR=/var/lib/coord
RUN groupadd --system --gid 10001 coord \
    && useradd --system --no-log-init --uid 10001 --gid coord --home-dir /var/lib/coord --create-home coord
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
USER 10001:10001
WORKDIR /var/lib/coord
EXPOSE 8000
CMD ["coord", "serve", "--host", "0.0.0.0"]
