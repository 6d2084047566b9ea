"""The gateway's round trips: a read is its statement and nothing else (no reset statement when the
connection goes back to the pool), a raw connection that may keep session state is reset fully,
and the analytics are planned for their own parameters."""

from __future__ import annotations

import asyncio

import asyncpg
import asyncpg.protocol
import pytest
from asyncpg.pool import PoolConnectionHolder

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import ConnectionPool, create_pool


async def _logged(pool: asyncpg.Pool) -> list[str]:
    """The statements the pool's one connection runs from now on."""
    seen: list[str] = []
    async with pool.acquire() as conn:
        conn.add_query_logger(lambda record: seen.append(record.query))
    seen.clear()  # the reset of this acquire, whatever it was
    return seen


async def test_a_read_and_a_transaction_send_only_their_own_statements(database_url):
    pool = await create_pool(database_url, max_size=1)
    try:
        db = Database(pool)
        seen = await _logged(pool)
        assert await db.fetchval("SELECT 41 + 1") == 42
        async with db.transaction() as conn:
            await conn.execute("SELECT 1 FROM users LIMIT 0")
        await asyncio.sleep(0)  # asyncpg calls query loggers soon after, not during, the statement
        assert seen == ["SELECT 41 + 1", "BEGIN;", "SELECT 1 FROM users LIMIT 0", "COMMIT;"]
    finally:
        await pool.close()


async def test_a_raw_connection_is_reset_fully_when_it_goes_back(database_url):
    """`connection()` may take a session advisory lock or SET something: the next user of the
    connection finds neither."""
    pool = await create_pool(database_url, max_size=1)
    try:
        db = Database(pool)
        async with db.connection() as conn:
            await conn.execute("SET work_mem = '7MB'")
            assert await conn.fetchval("SELECT pg_try_advisory_lock(4242)")
        assert await db.fetchval("SELECT current_setting('work_mem')") != "7MB"
        assert await db.fetchval("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242") == 0
        seen = await _logged(pool)
        await db.fetchval("SELECT 1")
        await asyncio.sleep(0)  # query loggers are called soon after the statement
        assert seen == ["SELECT 1"], "the full reset is for the marked connection only, once"
    finally:
        await pool.close()


async def test_a_transaction_left_open_by_a_failure_is_rolled_back(database_url):
    pool = await create_pool(database_url, max_size=1)
    try:
        db = Database(pool)
        try:
            async with db.transaction() as conn:
                await conn.execute("CREATE TEMP TABLE IF NOT EXISTS t_gateway (x int) ON COMMIT DROP")
                raise RuntimeError("the call failed")
        except RuntimeError:
            pass
        async with pool.acquire() as conn:
            assert not conn.is_in_transaction()
    finally:
        await pool.close()


async def test_reads_by_id_may_use_generic_plans_and_analytics_never_do(database_url):
    """plan_cache_mode is PostgreSQL's default on the pool (re-planning a read by id costs as much
    as running it); an analytic statement and a planned snapshot are planned for their parameters."""
    pool = await create_pool(database_url, max_size=1)
    try:
        db = Database(pool)
        assert await db.fetchval("SELECT current_setting('plan_cache_mode')") == "auto"
        row = await db.fetchrow_planned("SELECT current_setting('plan_cache_mode') AS mode, $1::int AS n", 7)
        assert (row["mode"], row["n"]) == ("auto", 7)
        async with db.snapshot(planned=True) as conn:
            assert await conn.fetchval("SELECT current_setting('plan_cache_mode')") == "force_custom_plan"
        assert await db.fetchval("SELECT current_setting('plan_cache_mode')") == "auto"
    finally:
        await pool.close()


async def test_an_idle_connection_goes_back_at_once_and_a_busy_one_the_careful_way(database_url):
    """The pool hands an idle connection back without asyncpg's task and timer (db/pool.py), and
    everything else still takes asyncpg's path: a transaction left open is rolled back, a read
    cancelled mid-statement does not strand the pool's only connection."""
    pool = await create_pool(database_url, max_size=1)
    try:
        assert isinstance(pool, ConnectionPool)
        db = Database(pool)
        conn = await pool.acquire()
        raw = conn._con
        assert pool._hand_back_idle(conn), "an idle connection is handed back inline"
        assert pool.has_idle_connection() and pool.get_idle_size() == 1
        with pytest.raises(asyncpg.InterfaceError):  # the proxy is detached, as asyncpg does
            await conn.fetchval("SELECT 1")
        conn = await pool.acquire()
        assert conn._con is raw, "the same connection comes back out"
        await conn.execute("BEGIN")
        assert not pool._hand_back_idle(conn), "a connection in a transaction takes asyncpg's path"
        await pool.release(conn)
        async with pool.acquire() as again:
            assert not again.is_in_transaction()

        reading = asyncio.create_task(db.fetchval("SELECT pg_sleep(5)"))
        await asyncio.sleep(0.3)
        reading.cancel()
        with pytest.raises(asyncio.CancelledError):
            await reading
        async with asyncio.timeout(5):  # the only connection is usable again, well before 5 s
            assert await db.fetchval("SELECT 7") == 7
    finally:
        await pool.close()


def test_the_private_asyncpg_state_the_pool_reads_is_still_there():
    """ConnectionPool._hand_back_idle reads asyncpg's private state (checked against 0.32); a
    release that renames any of it fails here, by name, instead of in production."""
    holder_attributes = ("_pool", "_con", "_max_queries", "_generation", "_timeout")
    holder_methods = ("_release", "_setup_inactive_callback")
    connection_attributes = ("_top_xact", "_protocol", "_listeners", "_log_listeners")
    connection_methods = ("_on_release", "is_in_transaction", "is_closed")
    init = PoolConnectionHolder.__init__.__code__
    missing = [a for a in holder_attributes if a.lstrip("_") not in init.co_varnames and a not in _assigned(init)]
    missing += [m for m in holder_methods if not callable(getattr(PoolConnectionHolder, m, None))]
    missing += [m for m in connection_methods if not callable(getattr(asyncpg.Connection, m, None))]
    missing += [a for a in connection_attributes if a not in _assigned(asyncpg.Connection.__init__.__code__)]
    for name in ("_is_cancelling", "queries_count"):
        if not hasattr(asyncpg.protocol.Protocol, name):
            missing.append(f"Protocol.{name}")
    if not hasattr(asyncpg.Pool, "_queue") and "_queue" not in _assigned(asyncpg.Pool.__init__.__code__):
        missing.append("Pool._queue")
    assert not missing, f"asyncpg no longer has {missing}: revisit ConnectionPool in db/pool.py"


def _assigned(code) -> set[str]:
    """The attribute names a function's code mentions (what `self.x = ...` sets)."""
    return set(code.co_names)


async def test_logging_thoughts_keeps_one_generic_plan_per_statement(database_url):
    """log_thought's one statement is planned once per connection, not on every call: an array
    parameter that made each custom plan look cheaper than the generic one kept PostgreSQL
    re-planning it (a third of the insert; domain/thinking.py, _insert_project_thought). A model
    logs long runs of thoughts of one shape: on a chain (one dependency each) or side by side."""
    from flexos_mcp.domain import projects, thinking
    from flexos_mcp.domain.scope import Scope
    from flexos_mcp.domain.thinking import NewThought
    from flexos_mcp.domain.users import ensure_user

    for shape in ("a chain", "side by side"):
        pool = await create_pool(database_url, max_size=1)
        try:
            db = Database(pool)
            scope = Scope(db, await ensure_user(db, "generic-plans@example.test"))
            project = await projects.create_project(scope, {"name": f"Plans {shape}", "type": "web-app"})
            async with db.transaction() as conn:  # a project well into its work (the plan's costs depend on it)
                await conn.execute(
                    "INSERT INTO ai_thinking_chain (project_id, thought_type, reasoning, confidence) "
                    "SELECT $1, 'observation', 'seen', 0.9 FROM generate_series(1, 5000)",
                    project.id,
                )
            tail = None
            for _ in range(12):  # PostgreSQL weighs its generic plan after five custom ones
                depends_on = [str(tail.id)] if tail is not None and shape == "a chain" else []
                item = NewThought(thought_type="inference", reasoning="a step", confidence=0.5, depends_on=depends_on)
                tail = await thinking.log_thought(scope, item, project_id=project.id)
            async with pool.acquire() as conn:
                plans = await conn.fetch(
                    "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement "
                    "LIKE '%INSERT INTO ai_thinking_chain%' AND generic_plans + custom_plans > 1"  # not the chain's root
                )
            assert plans, "log_thought prepared its statement"
            for plan in plans:
                assert plan["generic_plans"] >= 5 and plan["custom_plans"] <= 6, (shape, dict(plan))
        finally:
            await pool.close()
