"""Migrations apply once, even when servers start at the same moment, and re-running is a no-op."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import asyncpg

from flexos_mcp.db.migrate import load_migrations, migrate

from helpers.databases import fresh_database


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
        first = subprocess.run(
            [sys.executable, "-m", "flexos_mcp", "migrate"], env=env, capture_output=True, text=True, timeout=120
        )
        assert first.returncode == 0, first.stderr
        assert "applied [1" in first.stdout
        second = subprocess.run(
            [sys.executable, "-m", "flexos_mcp", "migrate"], env=env, capture_output=True, text=True, timeout=120
        )
        assert second.returncode == 0 and "applied nothing" in second.stdout


def test_unreachable_database_is_one_clear_line():
    run = subprocess.run(
        [sys.executable, "-m", "flexos_mcp", "migrate"],
        env={"DATABASE_URL": "postgresql://someone:secret@127.0.0.1:1/nowhere", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    using, failure = run.stderr.splitlines()  # which database, then why it cannot be used
    assert using == "flexos-mcp: using PostgreSQL at postgresql://someone:***@127.0.0.1:1/nowhere (DATABASE_URL)"
    assert failure.startswith(
        "flexos-mcp: Cannot connect to PostgreSQL at postgresql://someone:***@127.0.0.1:1/nowhere"
    )
    assert "Traceback" not in run.stderr and "secret" not in run.stderr


async def test_seed_shaped_patterns_get_the_tables_of_the_current_shape(pg_admin_url):
    """Migration 0070: a mockup stored with only the seed's lists (colors_used,
    components_detected) gets the `colors` and `components` tables that the code reads; a row of
    the current shape and a failed extraction stay as they are, and running it twice changes
    nothing more."""
    sql = next(m.sql for m in load_migrations() if m.name == "extracted_patterns_tables")
    async with fresh_database(pg_admin_url, None) as url:
        conn = await asyncpg.connect(url)
        try:
            await migrate(conn)
            user = await conn.fetchval("INSERT INTO users (email) VALUES ('shape@example.test') RETURNING id")
            project = await conn.fetchval(
                "INSERT INTO projects (user_id, name, slug, type) VALUES ($1, 'P', 'p', 'web-app') RETURNING id", user
            )
            page = await conn.fetchval(
                "INSERT INTO pages (project_id, name, slug) VALUES ($1, 'Home', 'home') RETURNING id", project
            )
            stored = {
                "seed": {
                    "colors_used": ["#DC2626", "#1E293B"],
                    "components_detected": ["button"],
                    "spacing_analysis": {"base_unit": 8},
                },
                "current": {
                    "colors_used": ["#DC2626"],
                    "colors": {"#DC2626": {"count": 3, "contexts": ["text"], "sources": [".a"]}},
                    "components_detected": [],
                    "components": {},
                },
                "failed": {"extraction_failed": True},
            }
            ids = {}
            for name, patterns in stored.items():
                ids[name] = await conn.fetchval(
                    """INSERT INTO mockups (page_id, project_id, html_content, changed_by, extracted_patterns)
                       VALUES ($1, $2, '<p>x</p>', 'user', $3::jsonb) RETURNING id""",
                    page,
                    project,
                    json.dumps(patterns),
                )
            for _ in range(2):
                await conn.execute(sql)
            found = {
                name: json.loads(await conn.fetchval("SELECT extracted_patterns FROM mockups WHERE id = $1", i))
                for name, i in ids.items()
            }
        finally:
            await conn.close()
    assert found["seed"] == {
        **stored["seed"],
        "colors": {c: {"count": 1, "contexts": [], "sources": []} for c in ("#DC2626", "#1E293B")},
        "components": {"button": {"count": 1, "class_sets": [], "variants": [], "states": [], "background_colors": []}},
    }
    assert found["current"] == stored["current"]
    assert found["failed"] == stored["failed"]
