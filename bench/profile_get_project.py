"""Where one `get_project` call spends its time: N in-memory calls (a real `mcp.Client` over the
SDK's in-memory transport), profiled twice and written to bench/profiles/:

- `get_project-<label>.txt`: pyinstrument's call tree in wall time (awaits included, so the
  database's share shows); with FLEXOS_PROFILE_HTML=1 also its HTML flame view (large, not kept);
- `get_project-<label>-cpu.txt`: cProfile's flat list by own time (where the CPU goes).

Run: python bench/profile_get_project.py [label] [calls]
(pyinstrument comes with the `bench` extra; FLEXOS_BENCH_DATABASE_URL as for every bench)
"""

from __future__ import annotations

import asyncio
import cProfile
import io
import os
import pstats
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from mcp import Client
from pyinstrument import Profiler
from scratch_db import scratch_database  # bench/scratch_db.py

from flexos_mcp.config import Config
from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import projects
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.users import ensure_user
from flexos_mcp.server.app import build_server

HERE = Path(__file__).resolve().parent


async def profile_calls(name: str, label: str, calls: int, call: Callable[[], Awaitable[Any]]) -> None:
    """Profile `calls` calls of `call` (already warmed up) into bench/profiles/<name>-<label>.txt
    (pyinstrument, wall time) and <name>-<label>-cpu.txt (cProfile, half as many calls)."""
    profiler = Profiler(interval=0.0002, async_mode="enabled")
    with profiler:
        for _ in range(calls):
            await call()
    cpu = cProfile.Profile()
    cpu.enable()
    for _ in range(calls // 2):
        await call()
    cpu.disable()
    out = HERE / "profiles"
    out.mkdir(exist_ok=True)
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    header = f"# {calls} in-memory {name} calls; load average {load} (2 cores)\n"
    (out / f"{name}-{label}.txt").write_text(header + profiler.output_text(unicode=True, show_all=False))
    if os.environ.get("FLEXOS_PROFILE_HTML"):
        (out / f"{name}-{label}.html").write_text(profiler.output_html())
    flat = io.StringIO()
    pstats.Stats(cpu, stream=flat).sort_stats("tottime").print_stats(40)
    text = flat.getvalue().replace(str(HERE.parent) + "/", "").replace(sys.prefix + "/", "")
    (out / f"{name}-{label}-cpu.txt").write_text(
        f"# cProfile, {calls // 2} in-memory {name} calls; load average {load}\n" + text
    )
    print(f"wrote {out}/{name}-{label}.txt and -cpu.txt ({calls} calls)")


async def main(label: str, calls: int) -> None:
    async with scratch_database("flexos_bench_profile") as url:
        pool = await create_pool(url)
        actor = await ensure_user(Database(pool), "bench@example.test")
        project = await projects.create_project(Scope(Database(pool), actor), {"name": "Bench", "type": "web-app"})
        await pool.close()
        args = {"project_id": str(project.id)}
        async with Client(build_server(Config(database_url=url, user_email="bench@example.test"))) as client:
            for _ in range(200):  # warm up: prepared statements, caches
                await client.call_tool("get_project", args)
            await profile_calls("get_project", label, calls, lambda: client.call_tool("get_project", args))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1] if len(sys.argv) > 1 else "before", int(sys.argv[2]) if len(sys.argv) > 2 else 10_000))
