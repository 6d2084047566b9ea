"""The one way tools reach PostgreSQL.

A read that is one statement runs straight on a pooled connection (an explicit transaction would
cost two extra round trips). A writing call runs in `transaction()`: all of it or none of it; a
writing call that is one statement runs through `write()`, which PostgreSQL makes atomic by
itself (an implicit transaction: no BEGIN and COMMIT round trips). The read methods refuse a
statement that writes (`WriteOutsideTransaction`), so a write can only go through those two: the
paths where the wizard's recording store sees every change, and a failed call changes nothing.

Getting a connection waits at most `acquire_timeout` seconds (a hung or overloaded database fails
the call instead of queueing it forever), and every connection-level failure or success is
reported to `database_availability`, which logs an outage once instead of once per call.

Plans: asyncpg prepares every statement once per connection, and after five runs PostgreSQL may
switch to a generic plan, built for an "average" parameter. That is right for the reads by id
and the lists of one project that make up most calls (re-planning them each time cost as much as
running them: bench/call_suspects.py). It is wrong for the analytics, whose cost follows the
size of the project in hand, and projects differ in size by orders of magnitude
(bench/analytics.py: project_summary went from 1.7x to 1.3x slower with 10x data in other
projects): those run through `fetchrow_planned` or `snapshot(planned=True)`, planned for their
own parameters every time.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from .availability import database_availability, is_unavailable
from .pool import ConnectionPool

DEFAULT_ACQUIRE_TIMEOUT_S = 5.0


# What makes a statement a write: it changes rows (also inside a WITH), advances a sequence or
# changes the schema; locking reads (FOR UPDATE) only make sense inside a transaction too. Our SQL
# writes keywords in capitals, so a word in a string literal ('update') is not taken for one.
_WRITING = re.compile(
    r"\b(INSERT\s+INTO|UPDATE\s+[\w.]+(\s+(AS\s+)?\w+)?\s+SET|DELETE\s+FROM|MERGE\s+INTO|TRUNCATE|"
    r"(CREATE|ALTER|DROP)\s+[A-Z]+|FOR\s+(NO\s+KEY\s+)?UPDATE|FOR\s+(KEY\s+)?SHARE|nextval|setval)\b"
)


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
            "connection of `async with db.transaction() as conn:` instead: " + " ".join(sql.split())[:200]
        )


class Database:
    def __init__(
        self, pool: asyncpg.Pool, *, read_only: bool = False, acquire_timeout: float = DEFAULT_ACQUIRE_TIMEOUT_S
    ):
        self.pool = pool
        self.read_only = read_only
        self.acquire_timeout = acquire_timeout

    @asynccontextmanager
    async def _pooled(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection for the duration of the block, which leaves no session state."""
        try:
            if isinstance(self.pool, ConnectionPool) and self.pool.has_idle_connection():
                conn = await self.pool.acquire()  # no wait to bound: no timer
            else:
                # asyncio.timeout rather than acquire(timeout=): the same bound without a task.
                async with asyncio.timeout(self.acquire_timeout):
                    conn = await self.pool.acquire()
            try:
                yield conn
            except TimeoutError:
                # The server stopped answering this connection: close it here rather than let
                # the pool wait (up to acquire_timeout more) for a cancellation that will not
                # come. The pool opens a fresh one when needed.
                conn.terminate()
                raise
            finally:
                await self.pool.release(conn, timeout=self.acquire_timeout)
        except Exception as exc:
            if is_unavailable(exc):
                database_availability.failed(exc)
            raise
        if database_availability.is_down:
            database_availability.succeeded()

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        """A pooled connection for the duration of the block; it may keep session state (a
        session lock, a SET), so it is reset fully when it goes back (db/pool.py; a pool opened
        elsewhere keeps asyncpg's own reset of every connection)."""
        async with self._pooled() as conn:
            mark = getattr(conn, "mark_session_state", None)
            if mark is not None:
                mark()
            yield conn

    async def fetch(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        refuse_writes(sql)
        async with self._pooled() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
            return rows

    async def fetchrow(self, sql: str, *args: Any) -> asyncpg.Record | None:
        refuse_writes(sql)
        async with self._pooled() as conn:
            return await conn.fetchrow(sql, *args)

    async def fetchval(self, sql: str, *args: Any) -> Any:
        refuse_writes(sql)
        async with self._pooled() as conn:
            return await conn.fetchval(sql, *args)

    async def fetchrow_planned(self, sql: str, *args: Any) -> asyncpg.Record | None:
        """One statement planned for these parameters (an analytic: see the module docstring).
        It is prepared anew, so PostgreSQL's generic plan never applies: one more round trip, on
        statements that take milliseconds."""
        refuse_writes(sql)
        async with self._pooled() as conn:
            return await (await conn.prepare(sql)).fetchrow(*args)

    async def write(self, sql: str, *args: Any) -> list[asyncpg.Record]:
        """One writing statement on its own (its RETURNING rows). PostgreSQL runs a statement sent
        outside a transaction block as a transaction of its own, deferred constraints checked at
        its end: all of it or none of it, without the two round trips of BEGIN and COMMIT. A
        writing call that needs more than one statement takes `transaction()`."""
        async with self._pooled() as conn:
            rows: list[asyncpg.Record] = await conn.fetch(sql, *args)
            return rows

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[asyncpg.Connection]:
        """A connection inside one transaction; an exception rolls everything back."""
        async with self._pooled() as conn, conn.transaction():
            yield conn

    @asynccontextmanager
    async def snapshot(self, *, planned: bool = False) -> AsyncIterator[asyncpg.Connection]:
        """A read-only, repeatable-read transaction for reads that need several statements to
        agree with each other (an outline, an export). With `planned`, each statement in it is
        planned for its own parameters (see the module docstring)."""
        async with self._pooled() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            if planned:
                await conn.execute("SET LOCAL plan_cache_mode = force_custom_plan")
            yield conn
