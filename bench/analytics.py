"""Benchmark: do the analytics cost what THIS project costs, whatever else the database holds?

Builds one project of 1,000 pages / 5,000 mockups / 200 features / 50 entities (plus 20 flows of
10 nodes and 100 context items), times each analytic (best of 25 runs, through the same
domain functions the tools call), then adds 10x as much data in OTHER projects (same vocabulary,
so full-text matches exist everywhere) and times again. Prints the ratio per analytic; the target
is <= 1.5x (the statements start from `project_id` indexes, so other projects should not matter).

Run: python bench/analytics.py
(FLEXOS_BENCH_DATABASE_URL=postgresql://... to use a server; otherwise an embedded PostgreSQL in a
temporary directory)
"""

from __future__ import annotations

import asyncio
import time
import uuid

import asyncpg
from scratch_db import scratch_database  # bench/scratch_db.py

from flexos_mcp.db.gateway import Database
from flexos_mcp.db.pool import create_pool
from flexos_mcp.domain import analytics
from flexos_mcp.domain.outline import project_outline
from flexos_mcp.domain.scope import Actor, Scope

PAGES, MOCKUPS_PER_PAGE, FEATURES, ENTITIES, FLOWS, NODES_PER_FLOW, CONTEXT_ITEMS = 1000, 5, 200, 50, 20, 10, 100
OTHER_PROJECTS = 10
RUNS = 25

FILL = [
    # pages: key elements name two entities and a UI part; purposes share one vocabulary
    """INSERT INTO pages (project_id, name, slug, path, purpose, status, key_elements)
       SELECT $1, 'Page ' || g || ' ' || (ARRAY['lessons', 'grades', 'comments', 'profile'])[1 + g % 4],
              'page-' || g, '/page-' || g,
              'Teachers browse ' || (ARRAY['lessons', 'ratings', 'subjects', 'plans'])[1 + g % 4] || ' by grade ' || g % 12
                || CASE WHEN g % 97 = 0 THEN ' with a kaleidoscope view' ELSE '' END,
              (ARRAY['draft', 'designed', 'approved', 'built'])[1 + g % 4],
              jsonb_build_array('Entity' || lpad((g % $2)::text, 2, '0'), 'entity' || lpad(((g * 7) % $2)::text, 2, '0'), 'header')
         FROM generate_series(1, $3::int) g""",
    # mockups: versions 1..n of every page, the last one current
    """INSERT INTO mockups (page_id, project_id, version, html_content, changed_by)
       SELECT p.id, p.project_id, v, '<main class="p-4"><h1>' || p.name || '</h1><p>' || repeat('lesson text ', 20) || '</p></main>', 'ai'
         FROM pages p CROSS JOIN generate_series(1, $2::int) v WHERE p.project_id = $1""",
    """UPDATE pages p SET current_mockup_id = m.id FROM mockups m
        WHERE m.page_id = p.id AND m.version = $2 AND p.project_id = $1""",
    # entities: fields seen on two pages, CRUD on a handful of pages
    """INSERT INTO inferred_entities (project_id, entity_name, plural_name, description, fields, crud_locations,
                                      confidence_score, user_confirmed)
       SELECT $1, 'Entity' || lpad(n::text, 2, '0'), 'Entity' || lpad(n::text, 2, '0') || 's',
              'Records teachers keep about lessons, number ' || n,
              jsonb_build_object('id', jsonb_build_object('type', 'uuid'),
                                 'title', jsonb_build_object('type', 'string', 'inferred_from',
                                     jsonb_build_array('page-' || (1 + (n * 13) % $3), 'page-' || (1 + (n * 17) % $3)))),
              jsonb_build_object('create', jsonb_build_array('page-' || (1 + (n * 19) % $3)),
                                 'read', jsonb_build_array('page-' || (1 + (n * 23) % $3), 'page-' || (1 + (n * 29) % $3)),
                                 'update', CASE WHEN n % 3 = 0 THEN '[]'::jsonb ELSE jsonb_build_array('page-' || (1 + (n * 31) % $3)) END),
              0.5 + (n % 5) / 10.0, n % 4 = 0
         FROM generate_series(0, $2::int - 1) n""",
    # features: CRUD on three entities, linked to three pages (some to none)
    """INSERT INTO features (project_id, name, user_description, category, status, data_operations, affected_pages)
       SELECT $1, 'Feature ' || g, 'Teachers share and rate lessons, part ' || g,
              (ARRAY['auth', 'content', 'social', 'admin'])[1 + g % 4],
              (ARRAY['planned', 'in-progress', 'completed'])[1 + g % 3],
              jsonb_build_object('creates', jsonb_build_array('Entity' || lpad((g % $2)::text, 2, '0')),
                                 'reads', jsonb_build_array('entity' || lpad(((g * 3) % $2)::text, 2, '0'), 'Unmodelled' || g % 7)),
              CASE WHEN g % 10 = 0 THEN '{}'::uuid[] ELSE
                ARRAY(SELECT id FROM pages WHERE project_id = $1 AND slug IN ('page-' || (1 + g % $4), 'page-' || (1 + (g * 5) % $4)))
              END
         FROM generate_series(1, $3::int) g""",
    """INSERT INTO journey_flows (project_id, name, description, canvas_state)
       SELECT $1, 'Journey ' || g, 'A teacher shares a lesson, path ' || g, '{}' FROM generate_series(1, $2::int) g""",
    """INSERT INTO flow_nodes (flow_id, project_id, node_type, position, data)
       SELECT f.id, f.project_id, 'screen', '{"x": 0, "y": 0}', '{}'
         FROM journey_flows f CROSS JOIN generate_series(1, $2::int) WHERE f.project_id = $1""",
    """INSERT INTO user_context_items (project_id, item_type, content_text, tags)
       SELECT $1, 'text', 'Interview note ' || g || ': teachers want lessons sorted by grade', ARRAY['interview']
         FROM generate_series(1, $2::int) g""",
]


async def fill_project(conn: asyncpg.Connection, user_id: uuid.UUID, name: str) -> uuid.UUID:
    project = await conn.fetchval(
        "INSERT INTO projects (user_id, name, slug, type) VALUES ($1, $2, $3, 'web-app') RETURNING id",
        user_id,
        name,
        f"bench-{uuid.uuid4().hex[:8]}",
    )
    async with conn.transaction():
        await conn.execute(FILL[0], project, ENTITIES, PAGES)
        await conn.execute(FILL[1], project, MOCKUPS_PER_PAGE)
        await conn.execute(FILL[2], project, MOCKUPS_PER_PAGE)
        await conn.execute(FILL[3], project, ENTITIES, PAGES)
        await conn.execute(FILL[4], project, ENTITIES, FEATURES, PAGES)
        await conn.execute(FILL[5], project, FLOWS)
        await conn.execute(FILL[6], project, NODES_PER_FLOW)
        await conn.execute(FILL[7], project, CONTEXT_ITEMS)
    return project


def cases(project: uuid.UUID):
    return {
        "entity_cooccurrence": lambda s: analytics.entity_cooccurrence(s, project, min_pages=2),
        "crud_matrix": lambda s: analytics.crud_matrix(s, project),
        "search_project (common word)": lambda s: analytics.search_project(s, project, "lessons"),
        "search_project (rare word)": lambda s: analytics.search_project(s, project, "kaleidoscope"),
        "project_summary": lambda s: analytics.project_summary(s, project),
        "outline resource": lambda s: project_outline(s, project),
    }


async def time_all(scope: Scope, project: uuid.UUID) -> dict[str, float]:
    results = {}
    for name, run in cases(project).items():
        await run(scope)  # warm the plan and the cache
        samples = []
        for _ in range(RUNS):
            start = time.perf_counter()
            await run(scope)
            samples.append((time.perf_counter() - start) * 1000)
        results[name] = min(samples)  # the machine is noisy: the best run is the stable figure
    return results


async def main() -> None:
    async with scratch_database("flexos_bench_analytics") as url:
        conn = await asyncpg.connect(url)
        user_id = await conn.fetchval("INSERT INTO users (email) VALUES ('bench@example.test') RETURNING id")
        started = time.perf_counter()
        project = await fill_project(conn, user_id, "Measured")
        await conn.execute("VACUUM ANALYZE")  # as autovacuum would: statistics and visibility maps
        print(
            f"one project: {PAGES:,} pages, {PAGES * MOCKUPS_PER_PAGE:,} mockups, {FEATURES} features, "
            f"{ENTITIES} entities (built in {time.perf_counter() - started:.1f} s)"
        )
        pool = await create_pool(url, statement_timeout_ms=120000)
        scope = Scope(db=Database(pool), actor=Actor(id=user_id, email="bench@example.test"))
        alone = await time_all(scope, project)

        started = time.perf_counter()
        others = await conn.fetchval("INSERT INTO users (email) VALUES ('others@example.test') RETURNING id")
        for i in range(OTHER_PROJECTS):
            await fill_project(conn, others if i % 2 else user_id, f"Other {i}")
        await conn.execute("VACUUM ANALYZE")  # as autovacuum would: statistics and visibility maps
        total = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM pages) AS pages, (SELECT count(*) FROM mockups) AS mockups"
        )
        print(
            f"+ {OTHER_PROJECTS} other projects of the same size: {total['pages']:,} pages, {total['mockups']:,} "
            f"mockups in all (built in {time.perf_counter() - started:.1f} s)\n"
        )
        crowded = await time_all(scope, project)

        print(f"{'analytic':32} {'alone ms':>9} {'with 10x ms':>12} {'ratio':>6}")
        for key in alone:
            ratio = crowded[key] / alone[key]
            flag = "" if ratio <= 1.5 else "  <-- above 1.5x"
            print(f"{key:32} {alone[key]:9.2f} {crowded[key]:12.2f} {ratio:6.2f}{flag}")
        await pool.close()
        await conn.close()


if __name__ == "__main__":
    asyncio.run(main())
