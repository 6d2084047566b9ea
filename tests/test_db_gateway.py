"""The gateway's round trips: a read is its statement and nothing else (no reset statement when the
connection goes back to the pool), a raw connection that may keep session state is reset fully,
and the analytics are planned for their own parameters."""

from __future__ import annotations

import asyncpg

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool


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
