"""Benchmark: flows on a real PostgreSQL through the domain functions (what a tool call costs
minus MCP framing) for generated journey flows of 10, 100 and 1,000 nodes.

Stages, each the best of several runs, in milliseconds:
  first save   save_flow_canvas into an empty flow (every node becomes a row)
  re-save      the same canvas again (validation + diff, no row changes)
  move 10%     a canvas with a tenth of the nodes moved (those rows updated)
  node edit    update_flow_node on one node (rows -> canvas -> the same write path)
  analyse      analyze_flow (snapshot read + graph analysis)
  canvas read  get_flow_canvas
Prints the floor (pool acquire + BEGIN + SELECT 1 + COMMIT) measured in the same run, and the
100 -> 1,000 growth ratio per stage (10x = linear).

Run: python bench/flows_db.py
(FLEXOS_BENCH_DATABASE_URL=postgresql://... to use a server; otherwise an embedded PostgreSQL in a
temporary directory)
"""

from __future__ import annotations

import asyncio
import copy
import sys
import time
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from flows import generate_flow
from scratch_db import scratch_database

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import _init_connection
from flexos_mcp.domain import flow_nodes, flow_reports, flows
from flexos_mcp.domain.scope import Actor, Scope

SIZES = (10, 100, 1000)


async def best_ms(make, repeats: int) -> float:
    """`make()` returns a fresh coroutine per run."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        await make()
        best = min(best, time.perf_counter() - start)
    return best * 1000


async def run(url: str) -> None:
    conn = await asyncpg.connect(url)
    user_id = await conn.fetchval("INSERT INTO users (email) VALUES ('bench@example.test') RETURNING id")
    project_id = await conn.fetchval(
        "INSERT INTO projects (user_id, name, slug, type) VALUES ($1, 'Bench', 'bench', 'web-app') RETURNING id",
        user_id,
    )
    await conn.close()
    pool = await asyncpg.create_pool(url, min_size=2, max_size=4, init=_init_connection)
    scope = Scope(db=Database(pool), actor=Actor(id=user_id, email="bench@example.test"))

    async def floor_call():
        async with scope.db.transaction() as c:
            await c.fetchval("SELECT 1")

    floor = await best_ms(floor_call, 200)
    print(f"floor (acquire + BEGIN + SELECT 1 + COMMIT): {floor:.3f} ms")
    stages = ("first save", "re-save", "move 10%", "node edit", "analyse", "canvas read")
    print(f"{'nodes':>6} {'edges':>6} " + " ".join(f"{s:>11}" for s in stages) + "   (ms, best of runs)")
    results: dict[int, dict[str, float]] = {}
    for size in SIZES:
        canvas = generate_flow(size, seed=7)
        repeats = 15 if size <= 100 else 5
        moved = copy.deepcopy(canvas)
        for node in moved["nodes"][::10]:
            node["position"] = {"x": node["position"]["x"] + 7, "y": node["position"]["y"] + 3}
        times: dict[str, float] = {}

        empty = [await flows.create_flow(scope, project_id, {"name": f"empty-{size}-{i}"}) for i in range(repeats)]
        times["first save"] = await best_ms(lambda: flows.save_flow_canvas(scope, empty.pop().id, canvas), repeats)
        flow = await flows.create_flow(scope, project_id, {"name": f"bench-{size}"}, canvas)
        node = flow.nodes[len(flow.nodes) // 2]
        times["re-save"] = await best_ms(lambda: flows.save_flow_canvas(scope, flow.id, canvas), repeats)

        toggle = [canvas, moved]

        async def move():
            toggle.reverse()
            await flows.save_flow_canvas(scope, flow.id, toggle[0])

        times["move 10%"] = await best_ms(move, repeats)
        await flows.save_flow_canvas(scope, flow.id, canvas)
        step = [0]

        async def edit():
            step[0] += 1
            await flow_nodes.update_flow_node(
                scope, node.id, {"position": {"x": node.position["x"] + step[0], "y": node.position["y"]}}
            )

        times["node edit"] = await best_ms(edit, repeats)
        times["analyse"] = await best_ms(lambda: flow_reports.analyze_flow(scope, flow.id), repeats)
        times["canvas read"] = await best_ms(lambda: flows.get_flow_canvas(scope, flow.id), repeats)
        results[size] = times
        print(f"{size:>6} {len(canvas['edges']):>6} " + " ".join(f"{times[s]:>11.2f}" for s in stages))
    growth = ", ".join(f"{s} {results[1000][s] / results[100][s]:.1f}x" for s in stages)
    print(f"growth 100 -> 1,000 nodes: {growth} (10x = linear)")
    print("per 1,000-node call, in floors: " + ", ".join(f"{s} {results[1000][s] / floor:.0f}" for s in stages))
    await pool.close()


async def main() -> None:
    async with scratch_database("flexos_bench_flows") as url:
        await run(url)


if __name__ == "__main__":
    asyncio.run(main())
