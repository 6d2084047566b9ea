"""`--read-only` never writes, start-up included: proved with a database role that has no write
privilege at all, and with databases the server would otherwise have changed (a new user, a
schema to migrate). Writing tools are refused by name; prompts that need them are not offered."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from flexos_mcp.cli import main

from helpers.databases import fresh_database
from helpers.mcp_client import call, connect, error_of, new_email

EXECUTABLE = shutil.which("flexos-mcp", path=str(Path(sys.executable).parent)) or "flexos-mcp"


def _as_role(url: str, role: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{role}@{host}"))


@pytest.fixture
async def reader_url(database_url):
    """This module's database, reached as a role that may read every table and write nothing."""
    role = f"flexos_reader_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(database_url)
    database = urlsplit(database_url).path.lstrip("/")
    try:
        await admin.execute(f"CREATE ROLE {role} LOGIN")
        await admin.execute(f'GRANT CONNECT ON DATABASE "{database}" TO {role}')
        await admin.execute(f"GRANT USAGE ON SCHEMA public TO {role}")
        await admin.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}")
        yield _as_role(database_url, role)
    finally:
        await admin.execute(f"REASSIGN OWNED BY {role} TO CURRENT_USER")
        await admin.execute(f"DROP OWNED BY {role}")
        await admin.execute(f"DROP ROLE IF EXISTS {role}")
        await admin.close()


def _serve(url: str, email: str, *args: str) -> StdioServerParameters:
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": url, "FLEXOS_USER_EMAIL": email}
    return StdioServerParameters(command=EXECUTABLE, args=["serve", "--read-only", "--toolsets", "all", *args], env=env)


async def test_a_read_only_server_runs_on_a_role_that_cannot_write(database_url, reader_url):
    email = new_email()
    async with connect(database_url, email=email) as writer:  # the user and a project exist already
        project = await call(writer, "create_project", name="Audited", type="web-app")
    async with Client(_serve(reader_url, email), read_timeout_seconds=60) as client:
        listed = await call(client, "list_projects")
        assert [p["name"] for p in listed["items"]] == ["Audited"]
        outline = await client.read_resource(f"flexos://projects/{project['id']}/outline")
        assert '"<user-content>Audited</user-content>"' in outline.contents[0].text
        refused = await error_of(client, "create_page", project_id=project["id"], name="Nope")
        assert refused.startswith("This server is read-only") and "create_page changes data" in refused
        assert "Unknown tool" not in refused


def _run(url: str, email: str) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": url, "FLEXOS_USER_EMAIL": email}
    return subprocess.run(
        [EXECUTABLE, "serve", "--read-only"],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def test_an_unknown_user_is_not_created_but_explained(database_url, db):
    email = new_email()
    before = await db.fetchval("SELECT count(*) FROM users")
    run = _run(database_url, email)
    assert run.returncode == 1, run.stderr
    assert f"No user {email} in this database, and a read-only server does not create users" in run.stderr
    assert f"flexos-mcp user create --email {email}" in run.stderr
    assert await db.fetchval("SELECT count(*) FROM users") == before


def test_user_create_makes_the_user_once(database_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", database_url)
    email = new_email()
    assert main(["user", "create", "--email", email.upper()]) == 0
    out, err = capsys.readouterr()
    assert out.startswith(f"user {email} (") and out.rstrip().endswith("created")
    assert "flexos-mcp: using PostgreSQL at" in err
    assert main(["user", "create", "--email", email]) == 0
    assert capsys.readouterr().out.rstrip().endswith("already existed")
    assert _run(database_url, email).returncode == 0  # a read-only server starts for it (and ends with its input)


async def test_a_database_that_needs_migrating_is_refused_untouched(pg_admin_url):
    async with fresh_database(pg_admin_url, None) as empty_url:
        run = _run(empty_url, new_email())
        assert run.returncode == 1, run.stderr
        assert "has no FlexOS schema yet" in run.stderr and "Run `flexos-mcp migrate`" in run.stderr
        assert "A read-only server never changes the database." in run.stderr
        conn = await asyncpg.connect(empty_url)
        try:
            assert await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
        finally:
            await conn.close()


async def test_writing_tools_are_refused_by_name_and_writing_prompts_not_offered(database_url, subtests):
    async with connect(database_url, read_only=True) as client:
        for tool in ("create_project", "delete_project", "log_thought"):
            with subtests.test(tool=tool):
                text = await error_of(client, tool)
                assert text.startswith("This server is read-only") and f"{tool} changes data" in text
        offered = {p.name for p in (await client.list_prompts()).prompts}
    async with connect(database_url) as client:
        everything = {p.name for p in (await client.list_prompts()).prompts}
    assert {"page-creator", "feature-builder", "design-system", "design-review"} <= everything
    # Every prompt tells the model to log its thinking (log_thought writes), so none is offered.
    assert offered == set()
