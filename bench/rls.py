"""What PostgreSQL row-level security would cost per call, against the tenancy predicate FlexOS
uses (`user_id = $n` in every query), measured in the same run on the same rows.

RLS policies run as a role that is not a superuser and read the acting user from a setting, so
every call must first set it: on the pooled connection (one extra round trip), or inside a
transaction with SET LOCAL (three extra). The predicate needs neither.

Run: python bench/rls.py
(FLEXOS_BENCH_DATABASE_URL=postgresql://... to use a server; otherwise an embedded PostgreSQL in a
temporary directory)
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from scratch_db import scratch_database  # bench/scratch_db.py

CALLS = 2000
ROLE = f"flexos_rls_{uuid.uuid4().hex[:8]}"


async def timed(label: str, fn) -> float:
    for _ in range(100):
        await fn()
    runs = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(CALLS):
            await fn()
        runs.append((time.perf_counter() - start) / CALLS)
    per_call = statistics.median(runs)
    print(f"  {label:<58} {per_call * 1e6:7.0f} µs/call")
    return per_call


def as_role(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit(parts._replace(netloc=f"{ROLE}@{host}"))


async def main() -> None:
    async with scratch_database("flexos_bench_rls") as url:
        admin = await asyncpg.connect(url)
        users = [
            await admin.fetchval("INSERT INTO users (email) VALUES ($1) RETURNING id", f"u{i}@bench.test")
            for i in range(20)
        ]
        await admin.execute(
            """INSERT INTO projects (user_id, name, slug, type)
               SELECT u, 'P' || n, 'p-' || n, 'web-app' FROM unnest($1::uuid[]) u, generate_series(1, 500) n""",
            users,
        )
        project = await admin.fetchval("SELECT id FROM projects WHERE user_id = $1 LIMIT 1", users[0])
        await admin.execute(f"""
            CREATE ROLE {ROLE} LOGIN;
            GRANT SELECT ON projects TO {ROLE};
            ALTER TABLE projects ENABLE ROW LEVEL SECURITY;
            CREATE POLICY owner_only ON projects
              USING (user_id = NULLIF(current_setting('flexos.user_id', true), '')::uuid);
            ANALYZE projects;""")
        try:
            plain = await asyncpg.create_pool(url, min_size=1, max_size=1)
            rls = await asyncpg.create_pool(as_role(url), min_size=1, max_size=1)
            user = str(users[0])
            print(f"{CALLS} sequential reads of one project among 10,000 (20 users), median of 3 runs")
            floor = await timed(
                "tenancy predicate (FlexOS): one statement",
                lambda: plain.fetchrow("SELECT * FROM projects WHERE id = $1 AND user_id = $2", project, users[0]),
            )

            async def session_setting():
                async with rls.acquire() as conn:
                    await conn.execute(f"SET flexos.user_id = '{user}'")
                    return await conn.fetchrow("SELECT * FROM projects WHERE id = $1", project)

            async def local_setting():
                async with rls.acquire() as conn, conn.transaction():
                    await conn.execute(f"SET LOCAL flexos.user_id = '{user}'")
                    return await conn.fetchrow("SELECT * FROM projects WHERE id = $1", project)

            assert (await session_setting())["id"] == project and (await local_setting())["id"] == project
            session = await timed("RLS, setting per acquire + statement", session_setting)
            local = await timed("RLS, BEGIN + SET LOCAL + statement + COMMIT", local_setting)
            print(
                f"  ratio to the predicate: {session / floor:.2f}x (setting per acquire), "
                f"{local / floor:.2f}x (SET LOCAL in a transaction)"
            )
            await plain.close()
            await rls.close()
        finally:
            await admin.execute(f"DROP POLICY IF EXISTS owner_only ON projects; REVOKE ALL ON projects FROM {ROLE}")
            await admin.execute(f"DROP ROLE IF EXISTS {ROLE}")
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
