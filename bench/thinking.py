"""Benchmark: the thinking chain.

1. Thoughts logged per second, one per call and in batches of 100, beside a bare asyncpg INSERT of
   the same rows (the floor): through the domain functions (Scope-based, as the LLM driver calls
   them) and through MCP (in-memory mcp.Client). The bare insert goes into the same table, so it
   pays the leads_to mirror trigger too; a trigger-free copy of the table shows what that costs.
2. thought_lineage / thought_impact on a 10,000-thought chain of depth 1,000 (1,000 layers of 10;
   each thought depends on one or two thoughts of the layer above), median of several runs.
3. The database's cycle check (migration 0009) on that chain: a thought inserted at depth 1,000
   against one inserted at depth 1 (target: <= 1.5x), by bare INSERT and by log_thought, and a
   relink (UPDATE of depends_on) near the top and near the bottom of the chain; then what the
   check costs a bare INSERT at all: the same inserts with its trigger disabled, interleaved.

Run: python bench/thinking.py
(FLEXOS_BENCH_DATABASE_URL=postgresql://... to use a server; otherwise an embedded PostgreSQL in a
temporary directory)
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid

from mcp import Client
from scratch_db import scratch_database  # bench/scratch_db.py

from flexos_mcp.config import Config
from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import projects, thinking, wizard
from flexos_mcp.domain.scope import Scope
from flexos_mcp.domain.thinking import NewThought
from flexos_mcp.domain.users import ensure_user
from flexos_mcp.server.app import build_server

SINGLE = 300
ROUNDS = 3
BATCHES, BATCH = 10, 100

BARE_INSERT = """INSERT INTO {table} (project_id, wizard_run_id, thought_type, reasoning, confidence, depends_on)
                 VALUES ($1, $2, $3, $4, $5, $6)"""


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


async def new_run(scope: Scope, name: str):
    project = await projects.create_project(scope, {"name": name, "type": "web-app"})
    return await wizard.start_wizard(scope, project.id, "page-creator")


async def bare_single(pool, table: str, project_id, run_id) -> float:
    previous = None
    async with pool.acquire() as conn:
        start = time.perf_counter()
        for i in range(SINGLE):
            previous_id = await conn.fetchval(
                BARE_INSERT.format(table=table) + " RETURNING id",
                project_id,
                run_id,
                "inference",
                f"step {i}",
                0.5,
                [previous] if previous else [],
            )
            previous = previous_id
        return rate(SINGLE, time.perf_counter() - start)


async def bare_batch(pool, table: str, project_id, run_id) -> float:
    async with pool.acquire() as conn:
        start = time.perf_counter()
        for b in range(BATCHES):
            ids = [uuid.uuid4() for _ in range(BATCH)]
            rows = [
                (ids[i], project_id, run_id, "inference", f"b{b} {i}", 0.5, [ids[i - 1]] if i else [])
                for i in range(BATCH)
            ]
            async with conn.transaction():
                await conn.executemany(
                    f"""INSERT INTO {table} (id, project_id, wizard_run_id, thought_type, reasoning, confidence, depends_on)
                        VALUES ($1, $2, $3, $4, $5, $6, $7)""",
                    rows,
                )
        return rate(BATCHES * BATCH, time.perf_counter() - start)


async def domain_single(scope: Scope, run_id) -> float:
    previous = None
    start = time.perf_counter()
    for i in range(SINGLE):
        thought = await thinking.log_thought(
            scope,
            NewThought(
                thought_type="inference",
                reasoning=f"step {i}",
                confidence=0.5,
                depends_on=[str(previous)] if previous else [],
            ),
            run_id=run_id,
        )
        previous = thought.id
    return rate(SINGLE, time.perf_counter() - start)


def batch_items(b: int) -> list[NewThought]:
    return [
        NewThought(
            key=f"k{i}",
            thought_type="inference",
            reasoning=f"b{b} {i}",
            confidence=0.5,
            depends_on=[f"k{i - 1}"] if i else [],
        )
        for i in range(BATCH)
    ]


async def domain_batch(scope: Scope, run_id) -> float:
    start = time.perf_counter()
    for b in range(BATCHES):
        await thinking.log_thoughts(scope, batch_items(b), run_id=run_id)
    return rate(BATCHES * BATCH, time.perf_counter() - start)


async def mcp_rates(url: str, email: str, run_id) -> tuple[float, float]:
    config = Config(database_url=url, user_email=email, toolsets=("thinking",))
    async with Client(build_server(config)) as client:
        previous = None
        start = time.perf_counter()
        for i in range(SINGLE):
            result = await client.call_tool(
                "log_thought",
                {
                    "run_id": str(run_id),
                    "thought_type": "inference",
                    "reasoning": f"step {i}",
                    "confidence": 0.5,
                    "depends_on": [previous] if previous else [],
                },
            )
            assert not result.is_error, result.content[0].text
            previous = result.structured_content["id"]
        single = rate(SINGLE, time.perf_counter() - start)
        start = time.perf_counter()
        for b in range(BATCHES):
            items = [item.model_dump(exclude_none=True) for item in batch_items(b)]
            result = await client.call_tool("log_thoughts", {"run_id": str(run_id), "thoughts": items})
            assert not result.is_error, result.content[0].text
        batch = rate(BATCHES * BATCH, time.perf_counter() - start)
    return single, batch


async def build_chain(
    scope: Scope, run_id, layers: int = 1000, width: int = 10, seed: int = 7
) -> list[list[uuid.UUID]]:
    """10,000 thoughts in `layers` layers; each depends on one or two thoughts of the layer above."""
    rng = random.Random(seed)
    grid: list[list[uuid.UUID]] = []
    per_batch = thinking.MAX_BATCH // width  # whole layers per call
    for first in range(0, layers, per_batch):
        items, keys = [], []
        for layer in range(first, min(first + per_batch, layers)):
            for i in range(width):
                key = f"l{layer}n{i}"
                deps = []
                if layer:
                    for j in rng.sample(range(width), rng.choice((1, 2))):
                        above = f"l{layer - 1}n{j}"
                        deps.append(above if layer - 1 >= first else str(grid[layer - 1][j]))
                items.append(
                    NewThought(key=key, thought_type="inference", reasoning=key, confidence=0.5, depends_on=deps)
                )
                keys.append((layer, key))
        logged = await thinking.log_thoughts(scope, items, run_id=run_id)
        for layer, key in keys:
            if len(grid) <= layer:
                grid.append([])
            grid[layer].append(logged.keys[key])
    return grid


async def timed(fn, runs: int = 7) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = await fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), result


async def main() -> None:
    async with scratch_database("flexos_bench_thinking") as url:
        pool = await create_pool(url, max_size=4)
        await pool.execute("CREATE TABLE bare_thoughts (LIKE ai_thinking_chain INCLUDING DEFAULTS)")
        email = "bench@example.test"
        scope = Scope(db=Database(pool), actor=await ensure_user(Database(pool), email))

        runs = [await new_run(scope, f"Bench {i}") for i in range(6)]
        best: dict[str, float] = {}

        def keep(key: str, value: float) -> None:
            best[key] = max(best.get(key, 0.0), value)

        for _ in range(ROUNDS):  # interleaved rounds, best of each: the machine is noisy
            keep("floor_single", await bare_single(pool, "ai_thinking_chain", runs[0].project_id, runs[0].id))
            keep("floor_batch", await bare_batch(pool, "ai_thinking_chain", runs[0].project_id, runs[0].id))
            keep("plain_single", await bare_single(pool, "bare_thoughts", runs[0].project_id, runs[0].id))
            keep("plain_batch", await bare_batch(pool, "bare_thoughts", runs[0].project_id, runs[0].id))
            keep("dom_single", await domain_single(scope, runs[1].id))
            keep("dom_batch", await domain_batch(scope, runs[2].id))
            mcp_single, mcp_batch = await mcp_rates(url, email, runs[3].id)
            keep("mcp_single", mcp_single)
            keep("mcp_batch", mcp_batch)
        floor_single, floor_batch = best["floor_single"], best["floor_batch"]
        plain_single, plain_batch = best["plain_single"], best["plain_batch"]
        dom_single, dom_batch = best["dom_single"], best["dom_batch"]
        via_mcp_single, via_mcp_batch = best["mcp_single"], best["mcp_batch"]

        print(
            f"Thoughts logged per second ({SINGLE} one per call; {BATCHES} batches of {BATCH}; best of {ROUNDS} interleaved rounds), "
            f"each chained to the previous:"
        )
        print(f"{'path':<58} {'single/s':>9} {'batch/s':>9}")
        print(f"{'bare asyncpg INSERT, table without triggers':<58} {plain_single:>9,.0f} {plain_batch:>9,.0f}")
        print(f"{'bare asyncpg INSERT into ai_thinking_chain (floor)':<58} {floor_single:>9,.0f} {floor_batch:>9,.0f}")
        print(
            f"{'domain log_thought / log_thoughts (checks, 1 tx per call)':<58} {dom_single:>9,.0f} {dom_batch:>9,.0f}"
        )
        print(
            f"{'MCP log_thought / log_thoughts (in-memory client)':<58} {via_mcp_single:>9,.0f} {via_mcp_batch:>9,.0f}"
        )
        print(
            f"ratio to floor: domain {dom_single / floor_single:.2f} single, {dom_batch / floor_batch:.2f} batch; "
            f"MCP {via_mcp_single / floor_single:.2f} single, {via_mcp_batch / floor_batch:.2f} batch"
        )

        start = time.perf_counter()
        grid = await build_chain(scope, runs[4].id)
        built = time.perf_counter() - start
        print(
            f"\nChain: {sum(map(len, grid)):,} thoughts in {len(grid)} layers, logged in batches of "
            f"{thinking.MAX_BATCH} in {built:.1f} s ({sum(map(len, grid)) / built:,.0f}/s)"
        )
        deepest, root = grid[-1][0], grid[0][0]
        lineage_ms, lineage = await timed(lambda: thinking.thought_graph(scope, deepest, "lineage", limit=100))
        impact_ms, impact = await timed(lambda: thinking.thought_graph(scope, root, "impact", limit=100))
        mid = grid[500][5]
        mid_lineage_ms, mid_lineage = await timed(lambda: thinking.thought_graph(scope, mid, "lineage", limit=100))
        mid_impact_ms, mid_impact = await timed(lambda: thinking.thought_graph(scope, mid, "impact", limit=100))
        print(f"{'query':<34} {'thoughts found':>14} {'ms (median of 7)':>17}")
        print(f"{'lineage of a deepest thought':<34} {lineage.total:>14,} {lineage_ms:>17.1f}")
        print(f"{'impact of a root thought':<34} {impact.total:>14,} {impact_ms:>17.1f}")
        print(f"{'lineage of a layer-500 thought':<34} {mid_lineage.total:>14,} {mid_lineage_ms:>17.1f}")
        print(f"{'impact of a layer-500 thought':<34} {mid_impact.total:>14,} {mid_impact_ms:>17.1f}")
        await depth_costs(scope, pool, runs[4], grid)
        first = await _linear_chain(scope, runs[5].id)
        start = time.perf_counter()
        review = await thinking.reject_thought(scope, first, "wrong")
        reject_ms = (time.perf_counter() - start) * 1000
        print(
            f"reject the root of a 1,000-thought linear chain (marks {len(review.needs_review):,} needs_review): "
            f"{reject_ms:.1f} ms"
        )
        await pool.close()


DEPTH_SAMPLES = 200


async def depth_costs(scope: Scope, pool, run, grid: list[list[uuid.UUID]]) -> None:
    """Per-insert cost of a thought resting on layer 1 vs on layer 1,000 (interleaved, median),
    then relinks: the cycle check walks only what rests on the changed thought."""

    async def bare(parent: uuid.UUID) -> float:
        async with pool.acquire() as conn:
            start = time.perf_counter()
            await conn.execute(
                BARE_INSERT.format(table="ai_thinking_chain"),
                run.project_id,
                run.id,
                "inference",
                "depth probe",
                0.5,
                [parent],
            )
            return time.perf_counter() - start

    async def logged(parent: uuid.UUID) -> float:
        start = time.perf_counter()
        await thinking.log_thought(
            scope,
            NewThought(thought_type="inference", reasoning="depth probe", confidence=0.5, depends_on=[str(parent)]),
            run_id=run.id,
        )
        return time.perf_counter() - start

    print(
        f"\nCycle check on the chain: one insert resting on a thought at depth 1 vs depth {len(grid):,} "
        f"(median of {DEPTH_SAMPLES}, interleaved)"
    )
    print(f"{'path':<30} {'depth 1 (µs)':>13} {'depth 1,000 (µs)':>17} {'ratio':>6}")
    for name, insert in (("bare INSERT", bare), ("log_thought (domain)", logged)):
        shallow, deep = [], []
        for i in range(DEPTH_SAMPLES):
            shallow.append(await insert(grid[0][i % 10]))
            deep.append(await insert(grid[-1][i % 10]))
        low, high = statistics.median(shallow) * 1e6, statistics.median(deep) * 1e6
        print(f"{name:<30} {low:>13,.0f} {high:>17,.0f} {high / low:>6.2f}")
    rates: dict[str, float] = {}
    for _ in range(ROUNDS):
        for label, switch in (("with the check", "ENABLE"), ("trigger disabled", "DISABLE")):
            await pool.execute(f"ALTER TABLE ai_thinking_chain {switch} TRIGGER thoughts_acyclic")
            single = await bare_single(pool, "ai_thinking_chain", run.project_id, run.id)
            batch = await bare_batch(pool, "ai_thinking_chain", run.project_id, run.id)
            rates[f"{label} single"] = max(rates.get(f"{label} single", 0.0), single)
            rates[f"{label} batch"] = max(rates.get(f"{label} batch", 0.0), batch)
    await pool.execute("ALTER TABLE ai_thinking_chain ENABLE TRIGGER thoughts_acyclic")
    print(
        f"bare INSERT into the {len(grid) * 10:,}+-thought table, per second (best of {ROUNDS}): "
        f"single {rates['with the check single']:,.0f} with the check / {rates['trigger disabled single']:,.0f} "
        f"without ({rates['with the check single'] / rates['trigger disabled single']:.2f}); "
        f"batch {rates['with the check batch']:,.0f} / {rates['trigger disabled batch']:,.0f} "
        f"({rates['with the check batch'] / rates['trigger disabled batch']:.2f})"
    )
    async with pool.acquire() as conn:
        loose = await conn.fetchval(
            BARE_INSERT.format(table="ai_thinking_chain") + " RETURNING id",
            run.project_id,
            run.id,
            "inference",
            "a new premise",
            0.5,
            [],
        )
        for label, layer in (
            ("relink a layer-2 thought (~10,000 rest on it)", 1),
            ("relink a layer-999 thought (~20 rest on it)", len(grid) - 2),
        ):
            times = []
            for _ in range(5):  # each relink rolled back, so every run checks the same chain
                tx = conn.transaction()
                await tx.start()
                start = time.perf_counter()
                await conn.execute(
                    "UPDATE ai_thinking_chain SET depends_on = depends_on || $2::uuid WHERE id = $1",
                    grid[layer][0],
                    loose,
                )
                times.append((time.perf_counter() - start) * 1000)
                await tx.rollback()
            print(f"{label:<48} {statistics.median(times):>8.1f} ms")


async def _linear_chain(scope: Scope, run_id) -> uuid.UUID:
    """1,000 thoughts, each depending on the previous; the root's id."""
    n = thinking.MAX_BATCH
    items = [
        NewThought(
            key=f"k{i}",
            thought_type="inference",
            reasoning=f"{i}",
            confidence=0.5,
            depends_on=[f"k{i - 1}"] if i else [],
        )
        for i in range(n)
    ]
    first = await thinking.log_thoughts(scope, items, run_id=run_id)
    items = [
        NewThought(
            key=f"k{i}",
            thought_type="inference",
            reasoning=f"{i}",
            confidence=0.5,
            depends_on=[f"k{i - 1}"] if i else [str(first.keys[f"k{n - 1}"])],
        )
        for i in range(n)
    ]
    await thinking.log_thoughts(scope, items, run_id=run_id)
    return first.keys["k0"]


if __name__ == "__main__":
    asyncio.run(main())
