"""The asyncpg pool: JSON codecs, per-connection settings, time bounds, and one clear message on
failure.

Time bounds, so that a database that stops answering fails calls instead of hanging them:
- connecting: `connect_timeout_s` (FLEXOS_DB_TIMEOUT_S);
- every statement: PostgreSQL's own `statement_timeout`, and on our side asyncpg's
  `command_timeout` 2 s later, which is what ends a call when the server cannot even cancel
  (its processes stopped, a network partition);
- TCP keepalives on both ends, so a connection to a vanished host, or from a vanished client, is
  noticed within about a minute instead of the kernel's two hours.

A connection goes back to the pool without asyncpg's reset statement (advisory unlock, CLOSE ALL,
UNLISTEN, RESET ALL: one more round trip on every call, as much as the read itself), because the
gateway's reads and transactions leave no session state behind; an open transaction is still
rolled back. A connection handed out raw (`Database.connection()`, which may take a session
lock or SET something) is marked, and gets the full reset when it comes back.
"""

from __future__ import annotations

import json
import logging
import socket
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from ..errors import DatabaseUnavailable
from .connection import ReadConnection

log = logging.getLogger(__name__)


def redact(url: str) -> str:
    """The URL with any password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


# Keepalive probes after 30 s idle, every 10 s, 3 unanswered probes close the connection.
KEEPALIVE_IDLE_S, KEEPALIVE_INTERVAL_S, KEEPALIVE_COUNT = 30, 10, 3
# How much longer than PostgreSQL's statement_timeout we wait before giving up on our side.
COMMAND_TIMEOUT_GRACE_S = 2.0
DEFAULT_CONNECT_TIMEOUT_S = 5.0


class _QuietFloorRetries(logging.Filter):
    """asyncpg logs a traceback each time it fails to reopen the pool's minimum connection; during
    an outage that is one per retry. db/availability.py logs the outage once instead."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to restore the pool connection floor")


logging.getLogger("asyncpg.pool").addFilter(_QuietFloorRetries())


def _enable_keepalives(conn: asyncpg.Connection) -> None:
    """Client-side TCP keepalives (asyncpg has no option for them; libpq's `keepalives*` do the
    same). asyncpg keeps its transport private, so this is skipped if that ever changes."""
    transport = getattr(conn, "_transport", None)
    sock = transport.get_extra_info("socket") if transport is not None else None
    if sock is None or sock.family not in (socket.AF_INET, socket.AF_INET6):
        return
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_KEEPALIVE, 1)
    for option, value in (
        ("TCP_KEEPIDLE", KEEPALIVE_IDLE_S),
        ("TCP_KEEPINTVL", KEEPALIVE_INTERVAL_S),
        ("TCP_KEEPCNT", KEEPALIVE_COUNT),
    ):
        if hasattr(socket, option):  # Linux names; macOS has only some of them
            sock.setsockopt(socket.IPPROTO_TCP, getattr(socket, option), value)


class PooledConnection(asyncpg.Connection):  # type: ignore[misc]  # asyncpg ships no types: Connection is Any
    """An asyncpg connection that remembers whether it may carry session state (see module doc)."""

    carries_session_state = False

    def mark_session_state(self) -> None:
        """Reset this connection fully when it goes back to the pool."""
        self.carries_session_state = True


class ConnectionPool(asyncpg.Pool):  # type: ignore[misc]  # asyncpg ships no types: Pool is Any
    """asyncpg's pool with a cheaper hand-back for the common case.

    asyncpg's `release` always runs in a task of its own (`asyncio.shield`) under a timer, so
    that a cancelled caller cannot strand a connection that still needs its reset statement.
    A connection that needs nothing (open, idle, no transaction, no session state, not being
    cancelled, not due to be closed) has nothing to strand: it goes back at once, the way the
    pool's own holder would put it back, without the task and the timer that cost a tool call
    about as much as a small read (bench/profiles/README.md). Anything else takes asyncpg's path.

    The hand-back reads asyncpg's private holder and connection state (checked against asyncpg
    0.32); tests/test_db_gateway.py fails by name if a release changes what it relies on.
    """

    async def release(self, connection: Any, *, timeout: float | None = None) -> None:
        if not self._hand_back_idle(connection):
            await super().release(connection, timeout=timeout)

    def _hand_back_idle(self, proxy: Any) -> bool:
        holder, con = getattr(proxy, "_holder", None), getattr(proxy, "_con", None)
        if holder is None or con is None or holder._pool is not self or holder._con is not con:
            return False
        if (
            con.is_closed()
            or getattr(con, "carries_session_state", True)
            or con.is_in_transaction()
            or con._top_xact is not None
            or con._protocol._is_cancelling()
            or con._protocol.queries_count >= holder._max_queries
            or holder._generation != self._generation
        ):
            return False
        con._on_release()  # what Pool.release does first (warns about listeners left behind)
        holder._timeout = None
        con._listeners.clear()  # what Connection._reset does on an idle connection
        con._log_listeners.clear()
        holder._release()  # back on the pool's queue; the proxy is detached
        holder._setup_inactive_callback()
        return True

    def has_idle_connection(self) -> bool:
        """Whether an acquire would get a connection without waiting for another caller to give
        one back (opening one, if it must, is bounded by the connect timeout)."""
        return not self._queue.empty()


async def _reset_session(conn: asyncpg.Connection) -> None:
    """asyncpg has already rolled back an open transaction; the rest only where it is needed."""
    if getattr(conn, "carries_session_state", True):
        await conn.execute(conn.get_reset_query())
        conn.carries_session_state = False


async def _init_connection(conn: asyncpg.Connection) -> None:
    # JSONB/JSON columns travel as Python dicts and lists, never as JSON-encoded strings.
    for typename in ("jsonb", "json"):
        await conn.set_type_codec(typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog", format="text")
    _enable_keepalives(conn)


def _server_settings(statement_timeout_ms: int, read_only: bool) -> dict[str, str]:
    settings = {
        "application_name": "flexos-mcp",
        "statement_timeout": str(statement_timeout_ms),
        "idle_in_transaction_session_timeout": "60000",
        "timezone": "UTC",
        # Server side of the keepalives: a backend whose client vanished is ended (and its locks
        # released) within about a minute.
        "tcp_keepalives_idle": str(KEEPALIVE_IDLE_S),
        "tcp_keepalives_interval": str(KEEPALIVE_INTERVAL_S),
        "tcp_keepalives_count": str(KEEPALIVE_COUNT),
        # JIT compiles a plan when its estimated cost is high; PostgreSQL guesses 100 rows for every
        # set-returning JSONB function, so one project's analytics (tens of ms) were estimated in
        # the millions and spent ~500 ms compiling (bench/analytics.py). Our statements are small.
        "jit": "off",
    }
    if read_only:
        settings["default_transaction_read_only"] = "on"
    return settings


async def create_pool(
    url: str,
    *,
    read_only: bool = False,
    statement_timeout_ms: int = 15000,
    max_size: int = 10,
    connect_timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S,
    command_timeout_s: float | None = None,
) -> asyncpg.Pool:
    """Open a pool. With `read_only`, every transaction on it is READ ONLY at the server, so even
    a buggy tool cannot write. `command_timeout_s` defaults to the statement timeout plus 2 s."""
    if command_timeout_s is None:
        command_timeout_s = statement_timeout_ms / 1000 + COMMAND_TIMEOUT_GRACE_S
    settings = _server_settings(statement_timeout_ms, read_only)
    try:
        pool = await ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            init=_init_connection,
            server_settings=settings,
            timeout=connect_timeout_s,
            command_timeout=command_timeout_s,
            connection_class=PooledConnection,
            reset=_reset_session,
            # asyncpg.create_pool's defaults (Pool itself takes no defaults)
            max_queries=50000,
            max_inactive_connection_lifetime=300.0,
            loop=None,
            record_class=asyncpg.Record,
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
        raise DatabaseUnavailable(connection_failure_message(url, exc)) from exc
    version = await pool.fetchval("SELECT current_setting('server_version_num')::int")
    if version < 150000:
        await pool.close()
        raise DatabaseUnavailable(
            f"The PostgreSQL server at {redact(url)} is version {version // 10000}; FlexOS MCP needs "
            f"PostgreSQL 15 or newer. Point DATABASE_URL at a newer server, or unset it to use the "
            f"embedded one."
        )
    return pool


async def connect(
    url: str, *, application_name: str, read_only: bool = False, timeout_s: float = DEFAULT_CONNECT_TIMEOUT_S
) -> asyncpg.Connection:
    """One connection of its own (not pooled) with the pool's settings and keepalives, for a
    session that lasts: the HTTP server's LISTEN for token changes (server/http_auth.py). Its
    statements are bounded by `timeout_s` on both sides."""
    settings = {**_server_settings(int(timeout_s * 1000), read_only), "application_name": application_name}
    try:
        conn = await asyncpg.connect(
            url,
            server_settings=settings,
            timeout=timeout_s,
            command_timeout=timeout_s,
        )
    except (OSError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as exc:
        raise DatabaseUnavailable(connection_failure_message(url, exc)) from exc
    _enable_keepalives(conn)
    return conn


async def ping(db: ReadConnection) -> None:
    """One trivial statement on a connection, pool or Database: raises when it gets no answer
    (within the connection's command timeout)."""
    await db.fetchval("SELECT 1")


def connection_failure_message(url: str, exc: BaseException) -> str:
    reason = str(exc).strip() or type(exc).__name__
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        advice = "Create the database first (createdb), or point DATABASE_URL at an existing one."
    elif isinstance(exc, asyncpg.InvalidPasswordError | asyncpg.InvalidAuthorizationSpecificationError):
        advice = "Check the user name and password in DATABASE_URL."
    elif isinstance(exc, ValueError):
        advice = "DATABASE_URL must look like postgresql://user:password@host:5432/dbname."
    else:
        advice = "Check that PostgreSQL is running and reachable at that address, or unset DATABASE_URL to use the embedded server."
    return f"Cannot connect to PostgreSQL at {redact(url)}: {reason}. {advice}"
