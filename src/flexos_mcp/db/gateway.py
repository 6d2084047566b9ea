"""The one way tools reach PostgreSQL.

A read that is one statement runs straight on a pooled connection (an explicit transaction would
cost two extra round trips). A writing call runs in `transaction()`: all of it or none of it.
The read methods refuse a statement that writes (`WriteOutsideTransaction`), so a write can only
go through the connection `transaction()` yields: the one path where the wizard's recording
store sees every change, and a failed call changes nothing.

Getting a connection waits at most `acquire_timeout` seconds (a hung or overloaded database fails
the call instead of queueing it forever), and every connection-level failure or success is
reported to `database_availability`, which logs an outage once instead of once per call.
"""

from __future__ import annotations

import functools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from .availability import database_availability, is_unavailable

DEFAULT_ACQUIRE_TIMEOUT_S = 5.0

# What makes a statement a write: it changes rows (also inside a WITH), advances a sequence or
# changes the schema; locking reads (FOR UPDATE) only make sense inside a transaction too. Our SQL
# writes keywords in capitals, so a word in a string literal ('update') is not taken for one.
_WRITING = re.compile(
    r"\b(INSERT\s+INTO|UPDATE\s+[\w.]+(\s+(AS\s+)?\w+)?\s+SET|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE|"
    r"(CREATE|ALTER|DROP)\s+[A-Z]+|FOR\s+(NO\s+KEY\s+)?UPDATE|FOR\s+(KEY\s+)?SHARE|nextval|setval)\b")


class WriteOutsideTransaction(RuntimeError):
    """A programming error: a writing statement sent through a read method of the gateway."""


@functools.lru_cache(maxsize=2048)
def is_writing(sql: str) -> bool:
    """Whether the statement writes (cached: our statements are a fixed set of strings)."""
    return _WRITING.search(sql) is not None


def refuse_writes(sql: str) -> None:
    if is_writing(sql):
        raise WriteOutsideTransaction(
            "A writing statement was sent through a read of the database gateway; run it on the "
            "connection of `async with db.transaction() as conn:` instead: " + " ".join(sql.split())[:200])


class Database:
    def __init__(self, pool: asyncpg.Pool, *, read_only: bool = False,
                 acquire_timeout: float = DEFAULT_ACQUIRE_TIMEOUT_S):
        self.pool = pool
        self.read_only = read_only
        self.acquire_timeout = acquire_timeout

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection for the duration of the block."""
        try:
            async with self.pool.acquire(timeout=self.acquire_timeout) as conn:
                try:
                    yield conn
                except TimeoutError:
                    # The server stopped answering this connection: close it here rather than let
                    # the pool wait (up to acquire_timeout more) for a cancellation that will not
                    # come. The pool opens a fresh one when needed.
                    conn.terminate()
                    raise
        except Exception as exc:
            if is_unavailable(exc):
                database_availability.failed(exc)
            raise
        if database_availability.is_down:
            database_availability.succeeded()

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        refuse_writes(sql)
        async with self.connection() as conn:
            return await conn.fetch(sql, *args)

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        refuse_writes(sql)
        async with self.connection() as conn:
            return await conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        refuse_writes(sql)
        async with self.connection() as conn:
            return await conn.fetchval(sql, *args)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection inside one transaction; an exception rolls everything back."""
        async with self.connection() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def snapshot(self) -> AsyncIterator[asyncpg.Connection]:
        """A read-only, repeatable-read transaction for reads that need several statements to
        agree with each other (an outline, an export)."""
        async with self.connection() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            yield conn
