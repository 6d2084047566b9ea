"""How a command-line command reaches its database.

Every command says on stderr which database it uses before it changes anything: with
DATABASE_URL unset a command silently starting the embedded PostgreSQL is a trap (a token created
there is never seen by an HTTP server on a real database). Then the schema is brought up to date
(only checked for a read-only configuration) and the command gets a pool, or a scope acting as
the configured user.
"""

from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from .config import Config
from .db.embedded import embedded_pgdata
from .db.gateway import Database
from .db.pool import create_pool, redact
from .domain.scope import Scope
from .server.app import prepare_database, resolve_acting_user, resolve_database_url

# Commands can do more per statement than a tool call (loading an example, migrating).
COMMAND_STATEMENT_TIMEOUT_MS = 60000


def describe_database(config: Config, url: str | None = None) -> str:
    """Which database, for a person: the redacted URL, or where the embedded one lives."""
    if config.database_url:
        return f"PostgreSQL at {redact(url or config.database_url)} (DATABASE_URL)"
    return f"the embedded PostgreSQL in {embedded_pgdata(config.data_dir)} (DATABASE_URL is not set)"


def announce_database(config: Config, url: str) -> None:
    print(f"flexos-mcp: using {describe_database(config, url)}", file=sys.stderr, flush=True)


async def open_database_url(config: Config) -> str:
    """The database URL (starting the embedded PostgreSQL if needed), announced on stderr."""
    url = await resolve_database_url(config)
    announce_database(config, url)
    return url


@asynccontextmanager
async def command_database(config: Config, *, max_size: int = 2) -> AsyncIterator[Database]:
    """The configured database, announced, its schema current, as a small pool."""
    url = await open_database_url(config)
    await prepare_database(url, config)
    pool = await create_pool(
        url,
        read_only=config.read_only,
        max_size=max_size,
        statement_timeout_ms=max(config.statement_timeout_ms, COMMAND_STATEMENT_TIMEOUT_MS),
    )
    try:
        yield Database(pool, read_only=config.read_only)
    finally:
        await pool.close()


@asynccontextmanager
async def command_scope(config: Config) -> AsyncIterator[Scope]:
    """`command_database`, acting as the configured user (FLEXOS_USER_EMAIL)."""
    async with command_database(config) as db:
        yield Scope(db=db, actor=await resolve_acting_user(db, config))
