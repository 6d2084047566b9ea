"""The asyncpg pool: JSON codecs, per-connection settings, and one clear message on failure."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from ..errors import DatabaseUnavailable

log = logging.getLogger(__name__)


def redact(url: str) -> str:
    """The URL with any password replaced, for messages and logs."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit(parts._replace(netloc=netloc))
    return url


async def _init_connection(conn: asyncpg.Connection) -> None:
    # JSONB/JSON columns travel as Python dicts and lists, never as JSON-encoded strings.
    for typename in ("jsonb", "json"):
        await conn.set_type_codec(
            typename, encoder=json.dumps, decoder=json.loads, schema="pg_catalog", format="text"
        )


async def create_pool(
    url: str, *, read_only: bool = False, statement_timeout_ms: int = 15000, max_size: int = 10
) -> asyncpg.Pool:
    """Open a pool. With `read_only`, every transaction on it is READ ONLY at the server, so even
    a buggy tool cannot write."""
    settings = {
        "application_name": "flexos-mcp",
        "statement_timeout": str(statement_timeout_ms),
        "idle_in_transaction_session_timeout": "60000",
        "timezone": "UTC",
        # asyncpg prepares every statement; after five runs PostgreSQL may switch to a generic plan
        # built for an "average" project. Projects differ in size by orders of magnitude, so each
        # execution is planned for its own project id (bench/analytics.py: project_summary went
        # from 1.7x to 1.3x slower with 10x data in other projects).
        "plan_cache_mode": "force_custom_plan",
        # JIT compiles a plan when its estimated cost is high; PostgreSQL guesses 100 rows for every
        # set-returning JSONB function, so one project's analytics (tens of ms) were estimated in
        # the millions and spent ~500 ms compiling (bench/analytics.py). Our statements are small.
        "jit": "off",
    }
    if read_only:
        settings["default_transaction_read_only"] = "on"
    try:
        pool = await asyncpg.create_pool(
            url, min_size=1, max_size=max_size, init=_init_connection, server_settings=settings
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
