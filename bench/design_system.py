"""Benchmark: `analyze_design_system` over 1,000 current mockups, beside the floor of a bare
asyncpg fetch of the same 1,000 rows' `extracted_patterns` (same pool, same JSON codec).

The 1,000 pages are generated from the Lesson Library example's 8 pages: each copy has a few
deterministic variations (another accent colour on some, an odd padding on others) and is
extracted once by the real extraction; pages and mockups are then written with plain SQL so the
set-up does not dominate. Prints best-of-N milliseconds and the ratio analyze / floor.

Run: python bench/design_system.py [--mockups 1000] [--runs 7]
(FLEXOS_BENCH_DATABASE_URL=postgresql://... to use a server; otherwise an embedded PostgreSQL in a
temporary directory)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import time
import uuid

from scratch_db import scratch_database  # bench/scratch_db.py

from flexos_mcp.analysis.design_tokens import emerge_design_system
from flexos_mcp.analysis.extraction import extract_mockup
from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain.design_systems import analyze_design_system
from flexos_mcp.domain.scope import Actor, Scope
from flexos_mcp.package_data import data_path

ACCENTS = ["red-600", "blue-600", "emerald-600", "amber-500", "violet-600"]


def generate_mockups(count: int, seed: int = 7) -> list[tuple[str, str, str | None, dict]]:
    """(slug, html, css, extraction) for `count` pages derived from the example's pages."""
    folder = data_path("examples") / "lesson-library"
    spec = json.loads((folder / "project.json").read_text(encoding="utf-8"))
    sources = [
        (
            (folder / p["html"]).read_text(encoding="utf-8"),
            (folder / p["css"]).read_text(encoding="utf-8") if p.get("css") else None,
            p["slug"],
        )
        for p in spec["pages"]
    ]
    rng = random.Random(seed)
    out = []
    for i in range(count):
        html, css, slug = sources[i % len(sources)]
        if rng.random() < 0.1:
            html = html.replace("red-600", rng.choice(ACCENTS))
        if rng.random() < 0.1:
            html = html.replace("<main", f'<main style="padding: {rng.choice([12, 13, 20, 28])}px"', 1)
        out.append((f"{slug}-{i}", html, css, extract_mockup(html, css)))
    return out


async def best_of(runs: int, fn) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        await fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mockups", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    start = time.perf_counter()
    generated = generate_mockups(args.mockups)
    print(f"generated and extracted {len(generated)} mockups in {time.perf_counter() - start:.1f} s")

    async with scratch_database("flexos_bench_design_system") as url:
        pool = await create_pool(url, statement_timeout_ms=120000)
        try:
            async with pool.acquire() as conn, conn.transaction():
                user = await conn.fetchval("INSERT INTO users (email) VALUES ('bench@example.test') RETURNING id")
                project = await conn.fetchval(
                    "INSERT INTO projects (user_id, name, slug, type) VALUES ($1, 'Bench', 'bench', 'web-app') RETURNING id",
                    user,
                )
                page_ids = [uuid.uuid4() for _ in generated]
                mockup_ids = [uuid.uuid4() for _ in generated]
                await conn.executemany(
                    "INSERT INTO pages (id, project_id, name, slug, path, status) VALUES ($1, $2, $3, $3, $4, 'designed')",
                    [(pid, project, slug, f"/{slug}") for pid, (slug, *_rest) in zip(page_ids, generated, strict=True)],
                )
                await conn.executemany(
                    """INSERT INTO mockups (id, page_id, project_id, version, html_content, css_content,
                                            extracted_patterns, responsive_rules, interactions, changed_by)
                       VALUES ($1, $2, $3, 1, $4, $5, $6, $7, $8, 'user')""",
                    [
                        (
                            mid,
                            pid,
                            project,
                            html,
                            css,
                            ex["extracted_patterns"],
                            ex["responsive_rules"],
                            ex["interactions"],
                        )
                        for mid, pid, (_, html, css, ex) in zip(mockup_ids, page_ids, generated, strict=True)
                    ],
                )
                await conn.executemany(
                    "UPDATE pages SET current_mockup_id = $2 WHERE id = $1",
                    list(zip(page_ids, mockup_ids, strict=True)),
                )
            size = await pool.fetchval("SELECT sum(pg_column_size(extracted_patterns)) FROM mockups")
            print(
                f"stored {len(generated)} pages with a current mockup; extracted_patterns {size / 1024:.0f} KiB on disk"
            )

            scope = Scope(db=Database(pool), actor=Actor(id=user, email="bench@example.test"))

            async def floor():
                rows = await pool.fetch(
                    """SELECT pg.slug, m.extracted_patterns FROM pages pg JOIN mockups m ON m.id = pg.current_mockup_id
                       WHERE pg.project_id = $1""",
                    project,
                )
                assert len(rows) == len(generated)

            async def analyze():
                result = await analyze_design_system(scope, project)
                assert result.mockups_analyzed == len(generated)

            patterns = [{"page": slug, "extracted_patterns": ex["extracted_patterns"]} for slug, _, _, ex in generated]

            async def emerge_only():
                emerge_design_system(patterns, {})

            await floor(), await analyze()  # warm up: plans, caches, the design_systems row
            floor_ms = await best_of(args.runs, floor)
            analyze_ms = await best_of(args.runs, analyze)
            emerge_ms = await best_of(args.runs, emerge_only)
            tokens = (await analyze_design_system(scope, project)).design_system.tokens
        finally:
            await pool.close()

    def line(label: str, times: list[float]) -> str:
        return f"{label:<52} best {min(times):8.1f} ms   median {statistics.median(times):8.1f} ms"

    print(line(f"floor: asyncpg fetch of {len(generated)} extracted_patterns", floor_ms))
    print(line("emerge_design_system alone (pure, in memory)", emerge_ms))
    print(line(f"analyze_design_system ({len(generated)} current mockups)", analyze_ms))
    print(f"ratio analyze / floor (best): {min(analyze_ms) / min(floor_ms):.1f}x")
    print(
        f"palette: primary {tokens['colors']['primary']['value']}, spacing base "
        f"{tokens['spacing']['base']['value']}, scale {tokens['spacing']['scale']}"
    )


if __name__ == "__main__":
    asyncio.run(main())
