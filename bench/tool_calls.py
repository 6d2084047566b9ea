"""Per-call overhead of FlexOS tools, against floors measured in the same run.

- MCP: `get_project` through an in-memory `mcp.Client` vs the SDK's own echo tools on a bare
  MCPServer over the same transport: one echoing a string (protocol + SDK cost with no work), one
  returning the same Project model (adds the SDK's output conversion and the client's validation of
  the structured result against the output schema: the floor for any tool that returns a record).
- The same over stdio: `flexos-mcp serve` as a subprocess vs the SDK echo server
  (bench/echo_server.py) as a subprocess.
- Database: `get_project` in the domain layer vs a bare asyncpg `fetchrow` of the same row.
- A writing call: `update_project` (one transaction) vs bare BEGIN + UPDATE + COMMIT.

Run: python bench/tool_calls.py
(FLEXOS_BENCH_DATABASE_URL=postgresql://... to use a server; otherwise an embedded PostgreSQL in a
temporary directory)
"""

from __future__ import annotations

import asyncio
import os
import statistics
import sys
import time
from pathlib import Path

from mcp import Client
from mcp.client.stdio import StdioServerParameters
from mcp.server import MCPServer
from scratch_db import scratch_database  # bench/scratch_db.py

from flexos_mcp.config import Config
from flexos_mcp.db.gateway import Database
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
    async with scratch_database("flexos_bench_tool_calls") as url:
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

        @echo.tool()
        async def echo_project(project_id: str) -> projects.Project:
            """Return the same record get_project returns, without any work."""
            return project

        print(f"{CALLS} sequential calls, median of 3 runs")
        print("MCP, in-memory transport:")
        args = {"project_id": str(project.id)}
        async with Client(echo) as client:
            floor = await timed("SDK echo tool, a string (floor)", lambda: client.call_tool("echo_tool", {"text": "x"}))
            record_floor = await timed("SDK echo tool, the same Project record (floor)",
                                       lambda: client.call_tool("echo_project", args))
        config = Config(database_url=url, user_email="bench@example.test")
        async with Client(build_server(config)) as client:
            ours = await timed("get_project", lambda: client.call_tool("get_project", args))
        print(f"  ratio get_project / string echo: {ours / floor:.2f}x; / record echo: {ours / record_floor:.2f}x")

        print("MCP, stdio subprocess:")
        here = Path(__file__).resolve().parent
        echo_process = StdioServerParameters(command=sys.executable, args=[str(here / "echo_server.py")])
        async with Client(echo_process) as client:
            stdio_floor = await timed("SDK echo server, a string (floor)",
                                      lambda: client.call_tool("echo_tool", {"text": "x"}))
        flexos_process = StdioServerParameters(
            command=sys.executable, args=["-m", "flexos_mcp", "serve"],
            env={"PATH": os.environ.get("PATH", ""), "DATABASE_URL": url, "FLEXOS_USER_EMAIL": "bench@example.test",
                 "FLEXOS_LOG_LEVEL": "WARNING"})
        async with Client(flexos_process) as client:
            stdio_ours = await timed("flexos-mcp serve: get_project", lambda: client.call_tool("get_project", args))
        print(f"  ratio get_project / string echo over stdio: {stdio_ours / stdio_floor:.2f}x")

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


if __name__ == "__main__":
    asyncio.run(main())
