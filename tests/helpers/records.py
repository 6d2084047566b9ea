"""Test data written straight with SQL (through a connection with the JSON codecs on): one record of every kind for a user, and a full dump of a
project to prove that a call changed nothing. Independent of the tools under test."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import asyncpg

PROJECT_TABLES = (
    "projects",
    "design_systems",
    "pages",
    "mockups",
    "features",
    "journey_flows",
    "flow_nodes",
    "inferred_entities",
    "wizard_runs",
    "ai_thinking_chain",
    "user_context_items",
)


async def seed_project(conn: asyncpg.Connection, email: str, name: str = "Seeded") -> dict[str, UUID]:
    """A project of `email`'s with one record (or two, where links need two) of every table."""
    ids: dict[str, UUID] = {}
    async with conn.transaction():
        ids["user"] = await conn.fetchval(
            "INSERT INTO users (email) VALUES ($1) ON CONFLICT (email) DO UPDATE SET email = EXCLUDED.email RETURNING id",
            email,
        )
        slug = f"seeded-{await conn.fetchval('SELECT count(*) FROM projects')}"
        ids["project"] = await conn.fetchval(
            "INSERT INTO projects (user_id, name, slug, type) VALUES ($1, $2, $3, 'web-app') RETURNING id",
            ids["user"],
            name,
            slug,
        )
        p = ids["project"]
        ids["design_system"] = await conn.fetchval(
            """INSERT INTO design_systems (project_id, generation_method, tokens)
               VALUES ($1, 'emergent', '{"colors": {"primary": {"value": "#DC2626"}}}') RETURNING id""",
            p,
        )
        ids["page"] = await conn.fetchval(
            "INSERT INTO pages (project_id, name, slug, path, purpose) VALUES ($1, 'Home', 'home', '/', 'Landing') RETURNING id",
            p,
        )
        ids["child_page"] = await conn.fetchval(
            """INSERT INTO pages (project_id, parent_id, name, slug, path)
               VALUES ($1, $2, 'Settings', 'settings', '/dashboard/settings') RETURNING id""",
            p,
            ids["page"],
        )
        ids["mockup"] = await conn.fetchval(
            """INSERT INTO mockups (page_id, project_id, version, html_content, css_content, changed_by, extracted_patterns)
               VALUES ($1, $2, 1, '<main class="bg-red-600 p-4"><h1>Home</h1></main>', 'h1 { color: #1E293B }', 'user',
                       '{"colors_used": ["#DC2626", "#1E293B"]}') RETURNING id""",
            ids["page"],
            p,
        )
        await conn.execute("UPDATE pages SET current_mockup_id = $1 WHERE id = $2", ids["mockup"], ids["page"])
        ids["flow"] = await conn.fetchval(
            """INSERT INTO journey_flows (project_id, name, flow_type, canvas_state)
               VALUES ($1, 'Sign up', 'user', '{"nodes": [], "edges": []}') RETURNING id""",
            p,
        )
        ids["flow_node"] = await conn.fetchval(
            """INSERT INTO flow_nodes (flow_id, project_id, canvas_node_id, node_type, position, data)
               VALUES ($1, $2, 'n1', 'screen', '{"x": 0, "y": 0}', $3) RETURNING id""",
            ids["flow"],
            p,
            {"page_id": str(ids["page"])},
        )
        ids["flow_node_2"] = await conn.fetchval(
            """INSERT INTO flow_nodes (flow_id, project_id, canvas_node_id, node_type, position, data)
               VALUES ($1, $2, 'n2', 'action', '{"x": 200, "y": 0}', '{"label": "Submit"}') RETURNING id""",
            ids["flow"],
            p,
        )
        await conn.execute(
            "UPDATE flow_nodes SET connections = $1 WHERE id = $2",
            [{"target_node_id": str(ids["flow_node_2"]), "trigger": "click"}],
            ids["flow_node"],
        )
        ids["feature"] = await conn.fetchval(
            """INSERT INTO features (project_id, name, category, affected_pages, required_journeys)
               VALUES ($1, 'Share lessons', 'content', $2, $3) RETURNING id""",
            p,
            [ids["page"]],
            [ids["flow"]],
        )
        ids["entity"] = await conn.fetchval(
            """INSERT INTO inferred_entities (project_id, entity_name, plural_name, fields)
               VALUES ($1, 'Lesson', 'Lessons', '{"id": {"type": "uuid", "primary": true}}') RETURNING id""",
            p,
        )
        ids["context_item"] = await conn.fetchval(
            """INSERT INTO user_context_items (project_id, item_type, content_text)
               VALUES ($1, 'text', 'Teachers love Pinterest boards') RETURNING id""",
            p,
        )
        ids["wizard_run"] = await conn.fetchval(
            """INSERT INTO wizard_runs (user_id, project_id, wizard_type, current_phase, context_references)
               VALUES ($1, $2, 'page-creator', 'understand-intent', $3) RETURNING id""",
            ids["user"],
            p,
            [ids["context_item"]],
        )
        ids["thought"] = await conn.fetchval(
            """INSERT INTO ai_thinking_chain (project_id, wizard_run_id, thought_type, reasoning)
               VALUES ($1, $2, 'observation', 'The home page needs a hero') RETURNING id""",
            p,
            ids["wizard_run"],
        )
        ids["thought_2"] = await conn.fetchval(
            """INSERT INTO ai_thinking_chain (project_id, wizard_run_id, thought_type, reasoning, depends_on, is_assumption)
               VALUES ($1, $2, 'assumption', 'Teachers browse by grade', $3, true) RETURNING id""",
            p,
            ids["wizard_run"],
            [ids["thought"]],
        )
        await conn.execute(
            "UPDATE ai_thinking_chain SET leads_to = $1 WHERE id = $2", [ids["thought_2"]], ids["thought"]
        )
    return ids


async def dump_project(conn: asyncpg.Connection, project_id: UUID) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table that belongs to the project, for before/after comparisons."""
    dump: dict[str, list[dict[str, Any]]] = {}
    for table in PROJECT_TABLES:
        column = "id" if table == "projects" else "project_id"
        rows = await conn.fetch(f"SELECT * FROM {table} WHERE {column} = $1 ORDER BY id", project_id)
        dump[table] = [dict(r) for r in rows]
    return dump


async def row_counts(conn: asyncpg.Connection) -> dict[str, int]:
    tables = ("users", *PROJECT_TABLES)
    row = await conn.fetchrow("SELECT " + ", ".join(f"(SELECT count(*) FROM {t}) AS {t}" for t in tables))
    return dict(row)
