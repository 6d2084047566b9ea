# FlexOS MCP over Streamable HTTP, for a team. Build: docker build -t flexos-mcp .
# Run with compose.yaml (PostgreSQL, a one-shot `migrate`, then the server); see the README,
# "Serving a team over HTTP".

# Build stage: the wheel and its dependencies, into a virtualenv copied whole into the runtime.
FROM python:3.11.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md schema.sql ./
COPY src ./src
COPY prompts ./prompts
COPY examples ./examples
RUN python -m venv /opt/flexos \
 && /opt/flexos/bin/pip install . \
 && /opt/flexos/bin/pip uninstall --yes pip

# Runtime stage: no compiler, no sources, no root.
FROM python:3.11.11-slim-bookworm
ENV PATH=/opt/flexos/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    FLEXOS_DATA_DIR=/var/lib/flexos
RUN groupadd --system --gid 10001 flexos \
 && useradd --system --uid 10001 --gid flexos --home-dir /var/lib/flexos --create-home --shell /usr/sbin/nologin flexos \
 && install -d -o flexos -g flexos -m 0700 /var/lib/flexos/files
COPY --from=build /opt/flexos /opt/flexos
USER 10001:10001
WORKDIR /var/lib/flexos
EXPOSE 8000
# /healthz answers while the process serves HTTP (it does not touch the database; /readyz does).
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)"]
ENTRYPOINT ["flexos-mcp"]
CMD ["serve", "--transport", "http", "--host", "0.0.0.0", "--port", "8000"]
