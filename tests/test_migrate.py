"""Migrations apply once, even when servers start at the same moment, and re-running is a no-op."""

from __future__ import annotations

import asyncio
import subprocess
import sys

import asyncpg

from helpers.databases import fresh_database
from flexos_mcp.db.migrate import load_migrations, migrate


async def test_concurrent_migrations_apply_the_schema_once(pg_admin_url):
    async with fresh_database(pg_admin_url, None) as url:
        conns = [await asyncpg.connect(url) for _ in range(4)]
        try:
            results = await asyncio.gather(*(migrate(c) for c in conns))
            versions = [m.version for m in load_migrations()]
            assert sorted(results, key=len) == [[], [], [], versions]
            assert await migrate(conns[0]) == []
            applied = await conns[0].fetch("SELECT version FROM flexos_schema_migrations ORDER BY version")
            assert [r["version"] for r in applied] == versions
        finally:
            for c in conns:
                await c.close()


async def test_migrate_command(pg_admin_url):
    async with fresh_database(pg_admin_url, None) as url:
        env = {"DATABASE_URL": url, "PATH": ""}
        first = subprocess.run([sys.executable, "-m", "flexos_mcp", "migrate"], env=env, capture_output=True,
                               text=True, timeout=120)
        assert first.returncode == 0, first.stderr
        assert "applied [1" in first.stdout
        second = subprocess.run([sys.executable, "-m", "flexos_mcp", "migrate"], env=env, capture_output=True,
                                text=True, timeout=120)
        assert second.returncode == 0 and "applied nothing" in second.stdout


def test_unreachable_database_is_one_clear_line():
    run = subprocess.run([sys.executable, "-m", "flexos_mcp", "migrate"],
                         env={"DATABASE_URL": "postgresql://someone:secret@127.0.0.1:1/nowhere", "PATH": ""},
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    using, failure = run.stderr.splitlines()  # which database, then why it cannot be used
    assert using == "flexos-mcp: using PostgreSQL at postgresql://someone:***@127.0.0.1:1/nowhere (DATABASE_URL)"
    assert failure.startswith("flexos-mcp: Cannot connect to PostgreSQL at postgresql://someone:***@127.0.0.1:1/nowhere")
    assert "Traceback" not in run.stderr and "secret" not in run.stderr
