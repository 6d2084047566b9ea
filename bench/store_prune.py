"""What the referenced set of `flexos-mcp files prune` costs: one statement reads every row of
every table (domain/stored_files.py). Measured against its floor in the same run: reading the
same rows as JSON without looking for store URIs (row_to_json of every row, summed length).

    FLEXOS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
        nice -n 10 python bench/store_prune.py [--mockups 2000] [--kb 40]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import time

import asyncpg
from scratch_db import scratch_database

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain.bundle.catalog import all_tables
from flexos_mcp.domain.stored_files import referenced_digests
from flexos_mcp.store import file_url


async def _fill(conn: asyncpg.Connection, mockups: int, kb: int) -> int:
    user = await conn.fetchval("INSERT INTO users (email) VALUES ('bench@example.test') RETURNING id")
    project = await conn.fetchval(
        "INSERT INTO projects (user_id, name, slug, type) VALUES ($1, 'Bench', 'bench', 'web-app') RETURNING id", user
    )
    page = await conn.fetchval(
        "INSERT INTO pages (project_id, name, slug, path) VALUES ($1, 'Home', 'home', '/home') RETURNING id", project
    )
    words = [hashlib.md5(str(n).encode()).hexdigest()[:7] for n in range(kb * 1024 // 60)]
    body = "".join(f"<p class='text-{w[:3]}'>{w} {w[::-1]}</p>\n" for w in words)  # compresses like real HTML, not 100x
    digests = [hashlib.sha256(str(n).encode()).hexdigest() for n in range((mockups + 99) // 100)]
    rows = [
        (page, project, n + 1, body + (f'<img src="{file_url(digests[n // 100])}">' if n % 100 == 0 else ""))
        for n in range(mockups)
    ]
    await conn.execute("SET flexos.restoring = 'on'")  # versions given as they are (migration 0050)
    await conn.copy_records_to_table(
        "mockups", records=rows, columns=["page_id", "project_id", "version", "html_content"]
    )
    await conn.executemany(
        "INSERT INTO user_context_items (project_id, item_type, content_url) VALUES ($1, 'file', $2)",
        [(project, file_url(hashlib.sha256(f"item {n}".encode()).hexdigest())) for n in range(1000)],
    )
    await conn.execute("ANALYZE")
    return len(digests) + 1000


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mockups", type=int, default=2000)
    parser.add_argument("--kb", type=int, default=40)
    args = parser.parse_args()
    async with scratch_database("bench_prune") as url:
        conn = await asyncpg.connect(url)
        try:
            expected = await _fill(conn, args.mockups, args.kb)
            megabytes = await conn.fetchval("SELECT pg_database_size(current_database())") / 1048576
            tables = sorted(await all_tables(conn))
            floor_sql = " + ".join(
                f'(SELECT COALESCE(sum(octet_length(row_to_json(t)::text)), 0) FROM "{name}" t)' for name in tables
            )
            await conn.fetchval(f"SELECT {floor_sql}")  # warm: both timings read from the cache
            started = time.perf_counter()
            await conn.fetchval(f"SELECT {floor_sql}")
            floor = time.perf_counter() - started
        finally:
            await conn.close()
        pool = await create_pool(url, max_size=1)
        try:
            started = time.perf_counter()
            found = await referenced_digests(Database(pool))
            took = time.perf_counter() - started
        finally:
            await pool.close()
    assert len(found) == expected, (len(found), expected)
    print(
        f"database {megabytes:,.0f} MB ({args.mockups:,} mockups of {args.kb} KB): referenced set "
        f"{len(found):,} digests in {took:.2f} s; floor (rows as JSON, no search) {floor:.2f} s; "
        f"ratio {took / floor:.2f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
